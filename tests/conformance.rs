//! The conformance suite: every program under `tests/conformance/` and `examples/`
//! runs under `semeru run` in each heap mode and must reproduce, byte for byte,
//! the stdout, the first line of stderr and the exit status recorded from
//! `java --source 17` (see tests/record.sh).
//!
//! Heap modes: `default` (the CLI defaults), and `small-verify` (a small heap and
//! nursery with `--verify-heap`, so collections happen constantly and each one is
//! checked). Programs under `gc/` also run with `--gc-stress`.
//! `SEMERU_MODES=default,small-verify` selects modes.

mod common;

use libtest_mimic::{Arguments, Failed, Trial};
use std::time::Duration;

const MODES: &[(&str, &[&str])] = &[
    ("default", &["run"]),
    (
        "small-verify",
        &["run", "--heap", "64m", "--young", "2m", "--verify-heap"],
    ),
];
const STRESS: &[&str] = &[
    "run",
    "--heap",
    "64m",
    "--young",
    "1m",
    "--gc-stress",
    "--verify-heap",
];

fn main() {
    let args = Arguments::from_args();
    let bin = env!("CARGO_BIN_EXE_semeru");
    let wanted: Option<Vec<String>> = std::env::var("SEMERU_MODES")
        .ok()
        .map(|s| s.split(',').map(String::from).collect());
    let mut trials = Vec::new();
    for case in common::cases(&["tests/conformance", "examples"]) {
        let case = std::sync::Arc::new(case);
        let mut modes: Vec<(&str, &[&str])> = MODES.to_vec();
        if case.name().starts_with("gc/") {
            modes.push(("gc-stress", STRESS));
        }
        for (mode, pre) in modes {
            if wanted
                .as_ref()
                .is_some_and(|w| !w.iter().any(|m| m == mode))
            {
                continue;
            }
            let c = case.clone();
            trials.push(Trial::test(format!("{mode}::{}", case.name()), move || {
                c.check(bin, pre, Duration::from_secs(120))
                    .map_err(Failed::from)
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
