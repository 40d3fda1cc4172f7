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

mod common;

use libtest_mimic::{Arguments, Failed, Trial};
use std::time::Duration;

fn main() {
    let args = Arguments::from_args();
    let have_java = std::process::Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    let mut trials = Vec::new();
    for case in common::cases(&["tests/conformance", "examples"]) {
        let name = format!("java::{}", case.name());
        let t = Trial::test(name, move || {
            case.check(
                "java",
                &[
                    "-Xss1m",
                    "-XX:-OmitStackTraceInFastThrow",
                    "-XX:TieredStopAtLevel=1",
                    "--source",
                    "17",
                ],
                Duration::from_secs(120),
            )
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
