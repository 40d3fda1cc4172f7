//! End-to-end tests of the disaggregated heap through the `semeru` command:
//! remote daemons, failures, authentication and the figures `--stats-json` reports.

mod common;

use common::{run_with_timeout, MemnodeProc};
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_semeru");

fn churn() -> String {
    common::repo()
        .join("tests/disagg/Churn.sem")
        .to_string_lossy()
        .into_owned()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn semeru(args: &[&str], timeout: Duration) -> common::Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    match run_with_timeout(cmd, timeout) {
        Ok(o) => o,
        Err(e) => panic!("semeru {args:?}: {e}"),
    }
}

/// Pulls `"key":<number>` out of a flat part of a JSON document.
fn json_u64(doc: &str, section: &str, key: &str) -> u64 {
    let sec = doc
        .find(&format!("\"{section}\":{{"))
        .unwrap_or_else(|| panic!("no section {section} in {doc}"));
    let rest = &doc[sec..];
    let at = rest
        .find(&format!("\"{key}\":"))
        .unwrap_or_else(|| panic!("no {section}.{key} in {doc}"));
    let v: String = rest[at + key.len() + 3..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    v.parse()
        .unwrap_or_else(|_| panic!("{section}.{key} is not a count in {doc}"))
}

#[test]
fn heap_lives_on_two_tcp_memnodes_with_a_small_cache() {
    let token = common::token_file("two");
    let tok = token.to_string_lossy();
    let a = MemnodeProc::start(BIN, "1g", &["--token-file", &tok]).unwrap();
    let b = MemnodeProc::start(BIN, "1g", &["--token-file", &tok]).unwrap();
    let json = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("two-{}.json", std::process::id()));
    let js = json.to_string_lossy();
    let c = churn();
    let local = semeru(
        &["run", "--memnodes", "0", &c, "4096", "30"],
        Duration::from_secs(120),
    );
    assert_eq!(local.code, 0, "{}", text(&local.stderr));
    let o = semeru(
        &[
            "run",
            "--token-file",
            &tok,
            "--memnode",
            &a.addr,
            "--memnode",
            &b.addr,
            "--cache",
            "1m",
            "--young",
            "2m",
            "--stats-json",
            &js,
            &c,
            "4096",
            "30",
        ],
        Duration::from_secs(120),
    );
    assert_eq!(o.code, 0, "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), text(&local.stdout));
    let doc = std::fs::read_to_string(&json).unwrap();
    assert!(doc.contains("\"mode\":\"tcp\""), "{doc}");
    assert_eq!(json_u64(&doc, "heap", "memnodes"), 2);
    assert_eq!(json_u64(&doc, "heap", "cache_bytes"), 1 << 20);
    assert!(json_u64(&doc, "cache", "misses") > 0, "{doc}");
    assert!(json_u64(&doc, "cache", "evictions") > 0, "{doc}");
    assert!(json_u64(&doc, "cache", "writebacks") > 0, "{doc}");
    // The live data (4 MiB) is four times the cache: it must have gone out and
    // come back over the fabric.
    assert!(json_u64(&doc, "fabric", "bytes_fetched") > 4 << 20, "{doc}");
    assert!(
        json_u64(&doc, "fabric", "bytes_written_back") > 4 << 20,
        "{doc}"
    );
    assert!(json_u64(&doc, "fabric", "round_trips") > 0, "{doc}");
    assert!(json_u64(&doc, "fabric", "bytes_control") > 0, "{doc}");
    // Both daemons served this tenant and released its regions when it left.
    for d in [&a, &b] {
        let s = semeru(
            &["memnode", "--status", &d.addr, "--token-file", &tok],
            Duration::from_secs(20),
        );
        assert_eq!(s.code, 0, "{}", text(&s.stderr));
        let out = text(&s.stdout);
        assert!(out.contains("capacity"), "{out}");
        let tenants = out
            .lines()
            .find_map(|l| l.trim().strip_prefix("tenants"))
            .map(str::trim);
        assert_eq!(tenants, Some("0"), "{out}");
    }
}

#[test]
fn killing_a_memnode_mid_run_is_a_clear_fatal_error() {
    let a = MemnodeProc::start(BIN, "1g", &[]).unwrap();
    let mut b = MemnodeProc::start(BIN, "1g", &[]).unwrap();
    let c = churn();
    let mut cmd = Command::new(BIN);
    cmd.args([
        "run",
        "--memnode",
        &a.addr,
        "--memnode",
        &b.addr,
        "--cache",
        "512k",
        "--young",
        "2m",
        &c,
        "8192",
        "1000000",
    ]);
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        b.kill();
        Instant::now()
    });
    let o = run_with_timeout(cmd, Duration::from_secs(60)).unwrap();
    let killed_at = killer.join().unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.code, 70, "stderr: {err}");
    assert!(
        killed_at.elapsed() < Duration::from_secs(10),
        "took too long"
    );
    assert!(err.contains("memnode"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("internal error"), "{err}");
}

#[test]
fn an_unreachable_memnode_fails_at_start_up() {
    // Bind a port, then free it: nothing listens there.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let t = Instant::now();
    let o = semeru(
        &["run", "--memnode", &addr, &churn(), "64", "1"],
        Duration::from_secs(30),
    );
    let err = text(&o.stderr);
    assert_eq!(o.code, 70, "{err}");
    assert!(err.contains(&addr), "{err}");
    assert!(t.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_vm_with_the_wrong_token_is_refused() {
    let good = common::token_file("good");
    let bad = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("token-bad-{}", std::process::id()));
    std::fs::write(&bad, "not the token\n").unwrap();
    let d = MemnodeProc::start(BIN, "1g", &["--token-file", &good.to_string_lossy()]).unwrap();
    let o = semeru(
        &[
            "run",
            "--memnode",
            &d.addr,
            "--token-file",
            &bad.to_string_lossy(),
            &churn(),
            "64",
            "1",
        ],
        Duration::from_secs(30),
    );
    let err = text(&o.stderr);
    assert_eq!(o.code, 70, "{err}");
    assert!(err.contains("auth"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn heap_mode_flags_are_checked() {
    let c = churn();
    for bad in [
        vec!["run", "--cache", "0", &c],
        vec!["run", "--cache", "150%", &c],
        vec!["run", "--memnodes", "0", "--memnode", "127.0.0.1:7070", &c],
        vec!["run", "--gc", "sideways", &c],
    ] {
        let o = semeru(&bad, Duration::from_secs(30));
        assert_eq!(o.code, 64, "{bad:?}: {}", text(&o.stderr));
    }
    let o = semeru(
        &["run", "--cache", "25%", "--memnodes", "3", &c, "256", "2"],
        Duration::from_secs(60),
    );
    assert_eq!(o.code, 0, "{}", text(&o.stderr));
}

#[test]
fn a_full_memnode_is_out_of_memory_not_a_crash() {
    let d = MemnodeProc::start(BIN, "16m", &[]).unwrap();
    // 32 MiB live on a 16 MiB memnode, in a heap that would hold it.
    let o = semeru(
        &[
            "run",
            "--memnode",
            &d.addr,
            "--heap",
            "256m",
            "--young",
            "4m",
            &churn(),
            "32768",
            "2",
        ],
        Duration::from_secs(60),
    );
    let err = text(&o.stderr);
    assert_eq!(o.code, 1, "{err}");
    assert!(
        err.starts_with("Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space"),
        "{err}"
    );
    // The memnode lives on and has released the tenant's regions.
    let s = semeru(&["memnode", "--status", &d.addr], Duration::from_secs(20));
    assert_eq!(s.code, 0, "{}", text(&s.stderr));
    assert!(
        text(&s.stdout).contains("used         0 B"),
        "{}",
        text(&s.stdout)
    );
}
