//! End to end: `semeru-bench interp --quick` with only the semeru runtime and
//! one run, when a release `semeru` has been built beside this binary (skipped
//! otherwise, so the test does not depend on java, lua or python either).

use std::path::PathBuf;
use std::process::Command;

#[test]
fn interp_quick_semeru_only() {
    let bench = PathBuf::from(env!("CARGO_BIN_EXE_semeru-bench"));
    let semeru = bench.parent().map(|d| d.join("semeru"));
    let Some(semeru) = semeru.filter(|p| p.exists()) else {
        eprintln!("skipped: no semeru binary beside {}", bench.display());
        return;
    };
    let out = std::env::temp_dir().join(format!("semeru-bench-it-{}", std::process::id()));
    let status = Command::new(&bench)
        .args([
            "interp",
            "--quick",
            "--runs",
            "1",
            "--runtimes",
            "semeru",
            "--out",
        ])
        .arg(&out)
        .arg("--semeru")
        .arg(&semeru)
        .status()
        .expect("semeru-bench starts");
    assert!(status.success(), "interp --quick failed: {status}");
    let report = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(report.contains("| fib 20"), "{report}");
    assert!(report.contains("every checked output matched"), "{report}");
    let svg = std::fs::read_to_string(out.join("times.svg")).expect("times.svg");
    assert!(svg.contains("<svg"));
    let json = std::fs::read_to_string(out.join("results.json")).expect("results.json");
    assert!(json.contains("\"suite\": \"interp\""));
    let _ = std::fs::remove_dir_all(&out);
}
