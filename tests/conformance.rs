//! The conformance suite: every program under `tests/conformance/` and `examples/`
//! runs under `semeru run` in each heap mode and must reproduce, byte for byte,
//! the stdout, the first line of stderr and the exit status recorded from
//! `java --source 17` (see tests/record.sh).
//!
//! Heap modes (the mode matrix). Old GC is `--gc offload` (the default: the
//! memnodes mark and compact) wherever old space lives on memnodes, except in
//! `tcp-tiny-gclocal-verify`, which keeps the VM's own collector covered:
//! - `default`: the CLI defaults (one embedded memnode, a cache smaller than the heap);
//! - `local`: `--memnodes 0`, no fabric at all (so the local collector);
//! - `embedded-tiny`: two embedded memnodes behind a 48-page cache;
//! - `tcp-tiny`: two real `semeru memnode` daemons on loopback (started by this
//!   test, with a token file) behind a 48-page cache;
//! - `local-verify`, `embedded-tiny-verify`: `local` and `embedded-tiny` with
//!   `--verify-heap`;
//! - `tcp-tiny-gclocal-verify`: `tcp-tiny` with `--gc local --verify-heap`.
//!
//! All but `default` use a 64 MiB heap with a 2 MiB nursery, so that
//! collections happen constantly (and are checked under `-verify`) while pages
//! move through the tiny cache;
//! - programs under `gc/` also run with `--gc-stress --verify-heap` over two
//!   embedded memnodes with `--gc offload` (`gc-stress`), which starts an old
//!   cycle every fourth collection and finishes it at the next.
//!
//! `SEMERU_MODES=default,local` selects modes.

mod common;

use common::MemnodeProc;
use libtest_mimic::{Arguments, Failed, Trial};
use std::time::Duration;

const STRESS: &[&str] = &[
    "run",
    "--heap",
    "64m",
    "--young",
    "1m",
    "--memnodes",
    "2",
    "--gc",
    "offload",
    "--gc-stress",
    "--verify-heap",
];
/// "A few dozen pages".
const TINY_CACHE: &str = "192k";
/// The heap of every mode but `default`.
const SMALL: [&str; 4] = ["--heap", "64m", "--young", "2m"];

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn main() {
    let args = Arguments::from_args();
    let bin = env!("CARGO_BIN_EXE_semeru");
    let wanted: Option<Vec<String>> = std::env::var("SEMERU_MODES")
        .ok()
        .map(|s| s.split(',').map(String::from).collect());
    let want = |m: &str| wanted.as_ref().is_none_or(|w| w.iter().any(|x| x == m));

    let mut modes: Vec<(String, Vec<String>)> = vec![
        ("default".into(), strs(&["run"])),
        (
            "local".into(),
            strs(&[
                "run",
                SMALL[0],
                SMALL[1],
                SMALL[2],
                SMALL[3],
                "--memnodes",
                "0",
            ]),
        ),
        (
            "embedded-tiny".into(),
            strs(&[
                "run",
                SMALL[0],
                SMALL[1],
                SMALL[2],
                SMALL[3],
                "--memnodes",
                "2",
                "--cache",
                TINY_CACHE,
            ]),
        ),
    ];
    // Two daemons shared by every run of the TCP modes; killed at the end.
    let mut daemons: Vec<MemnodeProc> = Vec::new();
    if want("tcp-tiny") || want("tcp-tiny-gclocal-verify") {
        let token = common::token_file("conformance");
        let tok = token.to_string_lossy().into_owned();
        for _ in 0..2 {
            match MemnodeProc::start(bin, "8g", &["--token-file", &tok]) {
                Ok(d) => daemons.push(d),
                Err(e) => {
                    eprintln!("{e}");
                    std::process::exit(1);
                }
            }
        }
        let mut pre = strs(&["run", SMALL[0], SMALL[1], SMALL[2], SMALL[3]]);
        pre.extend(strs(&["--token-file", &tok, "--cache", TINY_CACHE]));
        for d in &daemons {
            pre.push("--memnode".into());
            pre.push(d.addr.clone());
        }
        modes.push(("tcp-tiny".into(), pre));
    }
    let verified: Vec<(String, Vec<String>)> = modes
        .iter()
        .filter(|(m, _)| ["local", "embedded-tiny", "tcp-tiny"].contains(&m.as_str()))
        .map(|(m, pre)| {
            let mut pre = pre.clone();
            if m == "tcp-tiny" {
                // Both collectors stay covered over the same heap and fabric.
                pre.extend(strs(&["--gc", "local", "--verify-heap"]));
                (format!("{m}-gclocal-verify"), pre)
            } else {
                pre.push("--verify-heap".into());
                (format!("{m}-verify"), pre)
            }
        })
        .collect();
    modes.extend(verified);
    modes.retain(|(m, _)| want(m));

    let mut trials = Vec::new();
    for case in common::cases(&["tests/conformance", "examples"]) {
        let case = std::sync::Arc::new(case);
        let mut ms = modes.clone();
        if case.name().starts_with("gc/") && want("gc-stress") {
            ms.push(("gc-stress".into(), strs(STRESS)));
        }
        for (mode, pre) in ms {
            let c = case.clone();
            trials.push(Trial::test(format!("{mode}::{}", case.name()), move || {
                let pre: Vec<&str> = pre.iter().map(String::as_str).collect();
                c.check(bin, &pre, Duration::from_secs(180))
                    .map_err(Failed::from)
            }));
        }
    }
    let conclusion = libtest_mimic::run(&args, trials);
    drop(daemons);
    conclusion.exit();
}
