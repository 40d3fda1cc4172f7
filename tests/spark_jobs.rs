//! The Spark-style jobs of `examples/spark/` (KMeans, LogisticRegression, WordCount):
//! each generates its input from a seed and checks its own result, printing PASS/FAIL
//! lines and exiting with status 1 on a failure. Each runs under `semeru run` at small
//! sizes and must exit 0 with every expected PASS line and no FAIL line; when `java` is
//! on PATH, `java --source 17` must print the same bytes and exit the same way.

mod common;

use common::{first_difference, run_with_timeout, Output};
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_semeru");
const TIMEOUT: Duration = Duration::from_secs(60);

/// One job: its file, small arguments, and the checks it must pass.
struct Job {
    program: &'static str,
    args: &'static [&'static str],
    passes: &'static [&'static str],
}

const JOBS: [Job; 3] = [
    Job {
        program: "KMeans.sem",
        args: &["4000", "4", "3", "20", "3"],
        passes: &["PASS cost:", "PASS centres:"],
    },
    Job {
        program: "LogisticRegression.sem",
        args: &["3000", "8", "30", "5"],
        passes: &["PASS loss:", "PASS accuracy:"],
    },
    Job {
        program: "WordCount.sem",
        args: &["30000", "2000", "9"],
        passes: &["PASS total:", "PASS recount:", "PASS truth:"],
    },
];

fn run(launcher: &[&str], job: &Job) -> Output {
    let program = common::repo().join("examples/spark").join(job.program);
    let mut cmd = Command::new(launcher[0]);
    cmd.args(&launcher[1..]).arg(program).args(job.args);
    run_with_timeout(cmd, TIMEOUT).unwrap_or_else(|e| panic!("{}: {e}", job.program))
}

fn have_java() -> bool {
    Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn every_job_passes_its_checks_under_semeru() {
    for job in &JOBS {
        let out = run(&[BIN, "run"], job);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.code,
            0,
            "{} exited with {}:\n{stdout}\n{}",
            job.program,
            out.code,
            String::from_utf8_lossy(&out.stderr)
        );
        for pass in job.passes {
            assert!(
                stdout.lines().any(|l| l.starts_with(pass)),
                "{}: no `{pass}` line:\n{stdout}",
                job.program
            );
        }
        assert!(
            !stdout.lines().any(|l| l.starts_with("FAIL")),
            "{}: a check failed:\n{stdout}",
            job.program
        );
    }
}

/// The checks can fail: logistic regression with no training step keeps w = 0, which
/// predicts the majority class only, below the accuracy threshold.
#[test]
fn a_failed_check_exits_with_status_1() {
    let job = Job {
        program: "LogisticRegression.sem",
        args: &["3000", "8", "0", "5"],
        passes: &[],
    };
    let out = run(&[BIN, "run"], &job);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l.starts_with("FAIL accuracy:")),
        "{stdout}"
    );
    assert_eq!(out.code, 1, "{stdout}");
}

#[test]
fn java_prints_the_same() {
    if !have_java() {
        println!("spark_jobs: `java` is not on PATH; not comparing with java --source 17");
        return;
    }
    for job in &JOBS {
        let (semeru, java) = std::thread::scope(|s| {
            let j = s.spawn(|| run(&["java", "--source", "17"], job));
            (run(&[BIN, "run"], job), j.join().expect("java thread"))
        });
        assert!(
            semeru.stdout == java.stdout,
            "{}: stdout differs:\n{}",
            job.program,
            first_difference(&java.stdout, &semeru.stdout)
        );
        assert_eq!(semeru.code, java.code, "{}: exit status", job.program);
    }
}
