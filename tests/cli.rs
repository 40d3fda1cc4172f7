//! End-to-end tests of the `semeru` command: exit codes, diagnostics, flags,
//! heap limits, stack depth and the debug switches. Programs live in tests/cli/.

mod common;

use common::{repo, run_with_timeout, Output};
use std::process::Command;
use std::time::Duration;

fn semeru(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_semeru"));
    cmd.args(args).current_dir(repo().join("tests/cli"));
    run_with_timeout(cmd, Duration::from_secs(120)).expect("semeru runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn syntax_error_is_reported_rustc_style_with_exit_65() {
    let o = semeru(&["check", "broken.sem"]);
    assert_eq!(o.code, 65);
    insta::assert_snapshot!("broken_check", text(&o.stderr));
}

#[test]
fn several_type_errors_are_reported_in_one_run() {
    let o = semeru(&["run", "typeerrors.sem"]);
    assert_eq!(o.code, 65);
    assert!(o.stdout.is_empty());
    let err = text(&o.stderr);
    assert_eq!(err.matches("error: ").count(), 5, "{err}"); // 4 + the summary line
    insta::assert_snapshot!("typeerrors_run", err);
}

#[test]
fn missing_file_exits_66() {
    let o = semeru(&["run", "no-such-file.sem"]);
    assert_eq!(o.code, 66);
    assert!(text(&o.stderr).contains("cannot read no-such-file.sem"));
}

#[test]
fn bad_flag_is_a_usage_error() {
    let o = semeru(&["run", "--heap", "lots", "churn.sem"]);
    assert_eq!(o.code, 64);
    assert!(text(&o.stderr).contains("invalid size"));
}

#[test]
fn disassembly_snapshot() {
    let o = semeru(&["disasm", "../../examples/hello.sem"]);
    assert_eq!(o.code, 0, "{}", text(&o.stderr));
    insta::assert_snapshot!("hello_disasm", text(&o.stdout));
}

#[test]
fn live_heap_beyond_xmx_is_out_of_memory() {
    let o = semeru(&["run", "-Xmx16m", "oom.sem"]);
    assert_eq!(o.code, 1);
    let err = text(&o.stderr);
    assert!(
        err.starts_with("Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n\tat Main$Node.<init>(oom.sem:2)"),
        "{err}"
    );
    // It got somewhere first: the limit is the live heap, not the allocation volume.
    assert!(text(&o.stdout).contains("allocated 1000\n"));
}

#[test]
fn ten_thousand_frames_work_and_infinite_recursion_is_stack_overflow() {
    let o = semeru(&["run", "deep.sem"]);
    assert_eq!(text(&o.stdout), "10000\n");
    assert_eq!(o.code, 1);
    let err = text(&o.stderr);
    let mut lines = err.lines();
    assert_eq!(
        lines.next(),
        Some("Exception in thread \"main\" java.lang.StackOverflowError")
    );
    assert_eq!(lines.next(), Some("\tat Main.forever(deep.sem:3)"));
}

#[test]
fn stats_json_gc_log_and_debug_switches_agree_on_output() {
    let expected = "40000000000 201\n";
    let json = std::env::temp_dir().join(format!("semeru-stats-{}.json", std::process::id()));
    let json_s = json.to_string_lossy().into_owned();
    let o = semeru(&[
        "run",
        "--heap",
        "16m",
        "--young",
        "1m",
        "--gc-log",
        "--stats",
        "--stats-json",
        &json_s,
        "churn.sem",
    ]);
    assert_eq!(text(&o.stdout), expected);
    assert_eq!(o.code, 0);
    let err = text(&o.stderr);
    assert!(
        err.lines()
            .any(|l| l.starts_with('[') && l.contains("] GC(") && l.contains("Pause Young")),
        "{err}"
    );
    assert!(err.contains("[stats] pauses:"), "{err}");
    let j = std::fs::read_to_string(&json).expect("stats json written");
    let _ = std::fs::remove_file(&json);
    for key in [
        "\"wall_ms\"",
        "\"pauses\":[{\"kind\":\"young\"",
        "\"bytes_allocated\"",
        "\"bytes_promoted\"",
    ] {
        assert!(j.contains(key), "{key} missing from {j}");
    }
    for flags in [
        &[
            "run",
            "--heap",
            "8m",
            "--young",
            "64k",
            "--verify-heap",
            "churn.sem",
        ][..],
        &[
            "run",
            "--heap",
            "16m",
            "--young",
            "256k",
            "--gc-stress",
            "--verify-heap",
            "churn.sem",
        ][..],
    ] {
        let o = semeru(flags);
        assert_eq!(
            (text(&o.stdout).as_str(), o.code),
            (expected, 0),
            "{flags:?}: {}",
            text(&o.stderr)
        );
    }
}

#[test]
fn program_arguments_are_passed_through_untouched() {
    let o = semeru(&["run", "../../examples/hello.sem", "-Xmx1m", "--heap"]);
    assert_eq!(o.code, 0, "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("hello, -Xmx1m (6 chars)"),
        "{}",
        text(&o.stdout)
    );
}
