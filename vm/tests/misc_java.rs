//! Checks the `misc` natives against values recorded from OpenJDK 17 by
//! `vm/tests/data/GenMisc.java`: Formatter's FloatingDecimal digits and
//! `StrictMath.log` (which `Random.nextGaussian` uses).

use semeru_vm::natives::format::{fd_digits, strict_log};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/misc_fixture.txt");

fn bits(s: &str) -> f64 {
    f64::from_bits(u64::from_str_radix(s, 16).expect("hex bits"))
}

#[test]
fn formatter_digits_match_java() {
    let text = std::fs::read_to_string(FIXTURE).expect("fixture");
    let mut n = 0;
    for l in text.lines().filter(|l| l.starts_with("fd ")) {
        let f: Vec<&str> = l.split(' ').collect();
        let mut d = Vec::new();
        let packed = fd_digits(bits(f[1]), &mut d);
        let got = String::from_utf16_lossy(&d);
        assert_eq!(
            (got.as_str(), packed >> 8),
            (f[2], f[3].parse::<i32>().expect("exp")),
            "{l}"
        );
        n += 1;
    }
    assert!(n > 3000);
}

#[test]
fn strict_log_matches_java() {
    let text = std::fs::read_to_string(FIXTURE).expect("fixture");
    let mut n = 0;
    for l in text.lines().filter(|l| l.starts_with("log ")) {
        let f: Vec<&str> = l.split(' ').collect();
        assert_eq!(
            strict_log(bits(f[1])).to_bits(),
            bits(f[2]).to_bits(),
            "{l}"
        );
        n += 1;
    }
    assert!(n > 3000);
}
