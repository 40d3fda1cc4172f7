//! Checks that the recorded expectations still match the oracle: every program
//! under `tests/conformance/` and `examples/` is run with `java --source 17` and
//! compared with its `.out`/`.err`/`.exit` files. Skipped (with a note) when
//! `java` is not on PATH, so the suite still runs where Java is absent.
//!
//! Java runs with `-XX:-OmitStackTraceInFastThrow`: otherwise, once HotSpot's
//! JIT has compiled a site that throws an implicit exception often enough, it
//! throws a preallocated exception without a message or stack trace, so
//! whether `ArrayIndexOutOfBoundsException` has its message depended on JIT
//! timing (a fuzz program that catches thousands of them printed one without a
//! message on a loaded machine). `-XX:TieredStopAtLevel=1` (the C1 compiler
//! only) changes no program's behaviour and halves the CPU time of the
//! in-process `javac` that `--source 17` runs for every program.
//!
//! Start-up dominates: each program is a fresh JVM that loads `javac`. The test
//! first dumps a class-data-sharing archive of those classes (one run with
//! `-XX:ArchiveClassesAtExit`) and starts every JVM from it, with the serial
//! collector (no GC worker threads to start); neither changes what a program
//! prints. If the archive cannot be made, Java runs without it.

mod common;

use libtest_mimic::{Arguments, Failed, Trial};
use std::time::Duration;

fn main() {
    let args = Arguments::from_args();
    let have_java = std::process::Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    let cases = common::cases(&["tests/conformance", "examples"]);
    let mut flags: Vec<String> = [
        "-Xss1m",
        "-XX:-OmitStackTraceInFastThrow",
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
    ]
    .map(String::from)
    .to_vec();
    if have_java {
        if let Some(a) = cds_archive(&flags, cases.first()) {
            flags.push(format!("-XX:SharedArchiveFile={}", a.display()));
        }
    }
    flags.extend(["--source".to_string(), "17".to_string()]);
    let flags = std::sync::Arc::new(flags);
    let mut trials = Vec::new();
    for case in cases {
        let flags = flags.clone();
        let name = format!("java::{}", case.name());
        let t = Trial::test(name, move || {
            let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
            case.check("java", &flags, Duration::from_secs(120))
                .map_err(Failed::from)
        });
        trials.push(if have_java {
            t
        } else {
            t.with_ignored_flag(true)
        });
    }
    if !have_java {
        eprintln!(
            "java_oracle: `java` is not on PATH; the recorded expectations are not re-checked"
        );
    }
    libtest_mimic::run(&args, trials).exit();
}

/// Dumps the classes one `java --source 17` run loads into an archive under the
/// target directory; `None` if that fails.
fn cds_archive(flags: &[String], case: Option<&common::Case>) -> Option<std::path::PathBuf> {
    let case = case?;
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let archive = dir.join("java-oracle.jsa");
    let _ = std::fs::remove_file(&archive);
    // The program's own exit status does not matter; the archive does.
    std::process::Command::new("java")
        .args(flags)
        .arg(format!("-XX:ArchiveClassesAtExit={}", archive.display()))
        .args(["--source", "17"])
        .arg(&case.sem)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    archive.is_file().then_some(archive)
}
