//! Checks `semeru_vm::jnum` against outputs recorded from OpenJDK 17 by
//! `vm/tests/data/GenDoubles.java` (see that file for the line formats).
//! The fixture is committed, so these tests run without a JDK.

use semeru_vm::jnum::{
    char_digit, fmt_double, fmt_double_into, fmt_float, fmt_float_into, int_to_string_radix,
    parse_double, parse_double_msg, parse_double_utf16, parse_float, parse_float_msg,
    parse_float_utf16, parse_int, parse_int_utf16, parse_long, parse_long_utf16,
    to_unsigned_string_radix, JavaDecimal,
};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/jnum_fixture.txt");

fn fixture() -> String {
    std::fs::read_to_string(FIXTURE).expect("read jnum fixture")
}

/// Lines of the given kind, split into fields (without the kind).
fn lines<'a>(text: &'a str, kind: &'a str) -> impl Iterator<Item = Vec<&'a str>> + 'a {
    text.lines().filter_map(move |l| {
        let mut f = l.split(' ');
        (f.next() == Some(kind)).then(|| f.collect())
    })
}

/// Undoes GenDoubles.esc: `\e` is "", `\uXXXX` is one UTF-16 unit.
fn unescape_units(s: &str) -> Vec<u16> {
    if s == "\\e" {
        return Vec::new();
    }
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'u') {
            let hex = std::str::from_utf8(&b[i + 2..i + 6]).unwrap();
            out.push(u16::from_str_radix(hex, 16).unwrap());
            i += 6;
        } else {
            out.push(u16::from(b[i]));
            i += 1;
        }
    }
    out
}

fn unescape(s: &str) -> String {
    String::from_utf16(&unescape_units(s)).expect("fixture strings are valid UTF-16")
}

/// Asserts no failures, printing the first few.
fn report(what: &str, checked: usize, failures: &[String]) {
    assert!(checked > 0, "{what}: no fixture lines");
    if !failures.is_empty() {
        let shown: Vec<&String> = failures.iter().take(30).collect();
        panic!(
            "{what}: {} of {checked} lines differ from Java 17:\n{}",
            failures.len(),
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    eprintln!("{what}: {checked} lines match Java 17");
}

#[test]
fn double_to_string_matches_java() {
    let text = fixture();
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in lines(&text, "D") {
        let d = f64::from_bits(u64::from_str_radix(f[0], 16).unwrap());
        let got = fmt_double(d);
        let mut into = String::from("x");
        fmt_double_into(&mut into, d);
        if got != f[1] || into[1..] != *f[1] {
            failures.push(format!("bits {} java {} ours {}", f[0], f[1], got));
        }
        checked += 1;
    }
    report("Double.toString", checked, &failures);
}

#[test]
fn formatter_digits_match_java() {
    let text = fixture();
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in lines(&text, "E") {
        let d = f64::from_bits(u64::from_str_radix(f[0], 16).unwrap());
        let dec = JavaDecimal::from_f64_with(d, false).unwrap();
        let digits = std::str::from_utf8(dec.digits()).unwrap();
        if digits != f[1] || dec.dec_exponent.to_string() != f[2] {
            failures.push(format!(
                "bits {} java {} {} ours {digits} {}",
                f[0], f[1], f[2], dec.dec_exponent
            ));
        }
        checked += 1;
    }
    report(
        "FloatingDecimal digits (isCompatibleFormat = false)",
        checked,
        &failures,
    );
}

#[test]
fn float_to_string_matches_java() {
    let text = fixture();
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in lines(&text, "F") {
        let v = f32::from_bits(u32::from_str_radix(f[0], 16).unwrap());
        let got = fmt_float(v);
        let mut into = String::new();
        fmt_float_into(&mut into, v);
        if got != f[1] || into != f[1] {
            failures.push(format!("bits {} java {} ours {}", f[0], f[1], got));
        }
        checked += 1;
    }
    report("Float.toString", checked, &failures);
}

#[test]
fn parse_double_and_float_match_java() {
    let text = fixture();
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in lines(&text, "P") {
        let units = unescape_units(f[0]);
        let input = unescape(f[0]);
        // double
        let want = f[1];
        let got = match parse_double_msg(&input) {
            Ok(v) => format!("{:016x}", v.to_bits()),
            Err(m) => format!("!{m}"),
        };
        let want_d = if let Some(m) = want.strip_prefix('!') {
            format!("!{}", unescape(m))
        } else {
            want.to_string()
        };
        let plain = match parse_double(&input) {
            Ok(v) => format!("{:016x}", v.to_bits()),
            Err(()) => "!".to_string(),
        };
        let utf16 = match parse_double_utf16(&units) {
            Ok(v) => format!("{:016x}", v.to_bits()),
            Err(e) => format!("!{}", e.message(&input)),
        };
        let plain_ok = if want_d.starts_with('!') {
            plain == "!"
        } else {
            plain == want_d
        };
        if got != want_d || utf16 != want_d || !plain_ok {
            failures.push(format!(
                "parseDouble({input:?}) java {want_d} ours {got} / {utf16} / {plain}"
            ));
        }
        // float
        let want = f[2];
        let got = match parse_float_msg(&input) {
            Ok(v) => format!("{:08x}", v.to_bits()),
            Err(m) => format!("!{m}"),
        };
        let want_f = if let Some(m) = want.strip_prefix('!') {
            format!("!{}", unescape(m))
        } else {
            want.to_string()
        };
        let plain = match parse_float(&input) {
            Ok(v) => format!("{:08x}", v.to_bits()),
            Err(()) => "!".to_string(),
        };
        let utf16 = match parse_float_utf16(&units) {
            Ok(v) => format!("{:08x}", v.to_bits()),
            Err(e) => format!("!{}", e.message(&input)),
        };
        let plain_ok = if want_f.starts_with('!') {
            plain == "!"
        } else {
            plain == want_f
        };
        if got != want_f || utf16 != want_f || !plain_ok {
            failures.push(format!(
                "parseFloat({input:?}) java {want_f} ours {got} / {utf16} / {plain}"
            ));
        }
        checked += 1;
    }
    report("parseDouble/parseFloat", checked, &failures);
}

fn want_field(s: &str) -> String {
    match s.strip_prefix('!') {
        Some(m) => format!("!{}", unescape(m)),
        None => s.to_string(),
    }
}

#[test]
fn parse_int_and_long_match_java() {
    let text = fixture();
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in lines(&text, "I") {
        let radix: i32 = f[0].parse().unwrap();
        let units = unescape_units(f[1]);
        let input = unescape(f[1]);
        let want_i = want_field(f[2]);
        let want_l = want_field(f[3]);
        let fmt = |r: Result<String, String>| match r {
            Ok(v) => v,
            Err(m) => format!("!{m}"),
        };
        let got_i16 = fmt(parse_int_utf16(&units, radix)
            .map(|v| v.to_string())
            .map_err(|e| e.message(&input)));
        let got_l16 = fmt(parse_long_utf16(&units, radix)
            .map(|v| v.to_string())
            .map_err(|e| e.message(&input)));
        let mut bad = got_i16 != want_i || got_l16 != want_l;
        let mut extra = String::new();
        if radix >= 0 {
            let got_i = fmt(parse_int(&input, radix as u32).map(|v| v.to_string()));
            let got_l = fmt(parse_long(&input, radix as u32).map(|v| v.to_string()));
            bad |= got_i != want_i || got_l != want_l;
            extra = format!(" (str API: {got_i} / {got_l})");
        }
        if bad {
            failures.push(format!(
                "parse({input:?}, {radix}) java {want_i} / {want_l} ours {got_i16} / {got_l16}{extra}"
            ));
        }
        checked += 1;
    }
    report("Integer.parseInt/Long.parseLong", checked, &failures);
}

#[test]
fn radix_to_string_matches_java() {
    let text = fixture();
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in lines(&text, "S") {
        let radix: i32 = f[0].parse().unwrap();
        let v: i64 = f[1].parse().unwrap();
        let r = radix as u32; // negative radixes become huge: out of range, like Java
        let got_l = int_to_string_radix(v, r);
        let got_i = int_to_string_radix(i64::from(v as i32), r);
        if got_l != f[2] || got_i != f[3] {
            failures.push(format!(
                "toString({v}, {radix}) java {} {} ours {got_l} {got_i}",
                f[2], f[3]
            ));
        }
        checked += 1;
    }
    for f in lines(&text, "U") {
        let v: i64 = f[0].parse().unwrap();
        let bits = v as u64;
        let got = [
            to_unsigned_string_radix(bits, 32, 1),
            to_unsigned_string_radix(bits, 32, 3),
            to_unsigned_string_radix(bits, 32, 4),
            to_unsigned_string_radix(bits, 64, 1),
            to_unsigned_string_radix(bits, 64, 3),
            to_unsigned_string_radix(bits, 64, 4),
        ];
        if got.iter().zip(&f[1..]).any(|(a, b)| a != b) || f.len() != 7 {
            failures.push(format!(
                "unsigned views of {v}: java {:?} ours {got:?}",
                &f[1..]
            ));
        }
        checked += 1;
    }
    report("toString radix", checked, &failures);
}

#[test]
fn character_digit_matches_java() {
    let text = fixture();
    let mut table = vec![-1i32; 0x10000];
    let mut n = 0;
    for f in lines(&text, "C") {
        table[usize::from_str_radix(f[0], 16).unwrap()] = f[1].parse().unwrap();
        n += 1;
    }
    assert!(n > 400);
    let mut failures = Vec::new();
    for c in 0..0x10000u32 {
        let d36 = table[c as usize];
        for radix in 0..=40u32 {
            let want = if (2..=36).contains(&radix) && d36 >= 0 && (d36 as u32) < radix {
                d36
            } else {
                -1
            };
            let got = char_digit(c, radix);
            if got != want {
                failures.push(format!("digit(U+{c:04X}, {radix}) java {want} ours {got}"));
            }
        }
    }
    report("Character.digit", 0x10000, &failures);
}

/// Small deterministic PRNG (xorshift64*), so the tests need no dependencies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn format_parse_round_trip() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for k in 0..200_000u64 {
        let bits = match k % 4 {
            0 => rng.next(),
            1 => rng.next() & 0x000f_ffff_ffff_ffff,
            2 => (rng.next() & 0x000f_ffff_ffff_ffff) | ((1023 + 40 + rng.next() % 40) << 52),
            _ => ((rng.next() % 2046 + 1) << 52) | (rng.next() & 0xff),
        };
        let d = f64::from_bits(bits);
        let s = fmt_double(d);
        let back = parse_double(&s).unwrap_or_else(|()| panic!("cannot parse {s}"));
        assert!(
            back.to_bits() == d.to_bits() || (d.is_nan() && back.is_nan()),
            "{s} parses to {back:e}, not {d:e}"
        );
        // Rust's own shortest output parses back the same way.
        let rs = format!("{d:e}");
        if d.is_finite() {
            assert_eq!(parse_double(&rs).map(f64::to_bits), Ok(d.to_bits()), "{rs}");
        }
        let f = f32::from_bits(rng.next() as u32);
        let s = fmt_float(f);
        let back = parse_float(&s).unwrap_or_else(|()| panic!("cannot parse {s}"));
        assert!(
            back.to_bits() == f.to_bits() || (f.is_nan() && back.is_nan()),
            "{s} parses to {back:e}, not {f:e}"
        );
        let i = rng.next() as i64;
        let radix = (2 + rng.next() % 35) as u32;
        assert_eq!(parse_long(&int_to_string_radix(i, radix), radix), Ok(i));
        assert_eq!(
            parse_int(&int_to_string_radix(i64::from(i as i32), radix), radix),
            Ok(i as i32)
        );
    }
}

#[test]
fn parsers_never_panic_on_garbage() {
    let mut rng = Rng(12345);
    let alphabet: Vec<char> =
        "0123456789.eE+-xXpPfFdDaNIinfty \t\u{0}\u{a0}\u{661}\u{ff21}\u{1d7ce}"
            .chars()
            .collect();
    for _ in 0..300_000 {
        let n = (rng.next() % 30) as usize;
        let s: String = (0..n)
            .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
            .collect();
        let _ = parse_double(&s);
        let _ = parse_float(&s);
        let radix = (rng.next() % 40) as u32;
        let _ = parse_int(&s, radix);
        let _ = parse_long(&s, radix);
        let units: Vec<u16> = (0..n).map(|_| rng.next() as u16).collect();
        let _ = parse_double_utf16(&units);
        let _ = parse_int_utf16(&units, radix as i32 - 2);
    }
}

/// Large local stress run, not part of the normal suite:
/// `java vm/tests/data/GenDoubles.java big 5000000 7 > /tmp/big.txt`
/// `JNUM_BIG=/tmp/big.txt cargo test -p semeru-vm --release --test jnum_java -- --ignored`
#[test]
#[ignore]
fn big_local_fixture() {
    let Ok(path) = std::env::var("JNUM_BIG") else {
        eprintln!("JNUM_BIG not set; skipping");
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for l in text.lines() {
        let f: Vec<&str> = l.split(' ').collect();
        let got = match f[0] {
            "D" => fmt_double(f64::from_bits(u64::from_str_radix(f[1], 16).unwrap())),
            "F" => fmt_float(f32::from_bits(u32::from_str_radix(f[1], 16).unwrap())),
            _ => continue,
        };
        if got != f[2] {
            failures.push(format!("{l} ours {got}"));
        }
        checked += 1;
    }
    report("big fixture", checked, &failures);
}

/// Exhaustive local check of `Float.toString` over every positive finite
/// float, against per-block hashes recorded from Java:
/// `java vm/tests/data/GenDoubles.java floathash > /tmp/floathash.txt`
/// `JNUM_FLOAT_HASHES=/tmp/floathash.txt cargo test -p semeru-vm --release --test jnum_java -- --ignored`
/// (optionally `JNUM_FLOAT_BLOCKS=0-63` to check only some of the 255 blocks).
#[test]
#[ignore]
fn all_floats_local_hashes() {
    let Ok(path) = std::env::var("JNUM_FLOAT_HASHES") else {
        eprintln!("JNUM_FLOAT_HASHES not set; skipping");
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let want: Vec<(u32, u64)> = text
        .lines()
        .map(|l| {
            let (b, h) = l.split_once(' ').unwrap();
            (b.parse().unwrap(), u64::from_str_radix(h, 16).unwrap())
        })
        .collect();
    assert_eq!(want.len(), 255);
    // Optional block range "A-B" (inclusive) to split the run.
    let (lo, hi) = std::env::var("JNUM_FLOAT_BLOCKS")
        .ok()
        .and_then(|r| {
            let (a, b) = r.split_once('-')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .unwrap_or((0u32, 254u32));
    let want: Vec<(u32, u64)> = want
        .into_iter()
        .filter(|&(b, _)| (lo..=hi).contains(&b))
        .collect();
    let hash_block = |block: u32| -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut s = String::with_capacity(32);
        for b in (block << 23)..((block + 1) << 23) {
            s.clear();
            fmt_float_into(&mut s, f32::from_bits(b));
            for c in s.bytes().chain(std::iter::once(b'\n')) {
                h = (h ^ u64::from(c)).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        h
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let bad: Vec<u32> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let want = &want;
                scope.spawn(move || {
                    want.iter()
                        .skip(t)
                        .step_by(threads)
                        .filter(|&&(block, h)| hash_block(block) != h)
                        .map(|&(block, _)| block)
                        .collect::<Vec<u32>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(bad.is_empty(), "blocks differing from Java: {bad:?}");
}
