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
        vec!["run", "--gc-trigger", "0%", &c],
        vec!["run", "--gc-trigger", "150%", &c],
        vec!["run", "--gc-trigger", "half", &c],
        vec!["run", "--gc-evac-live", "-3%", &c],
        vec!["run", "--gc-evac-live", "101%", &c],
    ] {
        let o = semeru(&bad, Duration::from_secs(30));
        assert_eq!(o.code, 64, "{bad:?}: {}", text(&o.stderr));
    }
    for ok in [
        vec!["run", "--cache", "25%", "--memnodes", "3", &c, "256", "2"],
        vec![
            "run",
            "--gc",
            "local",
            "--gc-trigger",
            "30%",
            "--gc-evac-live",
            "50",
            &c,
            "256",
            "2",
        ],
        vec!["run", "--gc", "offload", "--memnodes", "0", &c, "256", "2"],
    ] {
        let o = semeru(&ok, Duration::from_secs(60));
        assert_eq!(o.code, 0, "{ok:?}: {}", text(&o.stderr));
    }
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

// ---------------------------------------------------------------------------
// Offloaded old-space collection (`--gc offload`, the default) against the VM's
// own collector (`--gc local`).

/// The number at the end of `path` (each key searched after the previous one),
/// `None` when it is `null` or missing.
fn json_num(doc: &str, path: &[&str]) -> Option<f64> {
    let mut at = 0;
    for key in path {
        at = json_member(doc, at, key)?;
    }
    let v: String = doc[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | 'e' | 'E' | '+'))
        .collect();
    v.parse().ok()
}

/// Where the value of member `key` of the object that starts at or after
/// `from` begins: only members of that object count, not those of objects
/// nested in it (`gc.fabric_bytes` is not `gc.by_kind.young.fabric_bytes`).
fn json_member(doc: &str, from: usize, key: &str) -> Option<usize> {
    let b = doc.as_bytes();
    let mut i = from + doc[from..].find('{')? + 1;
    let (mut depth, mut in_str) = (0usize, false);
    let pat = format!("\"{key}\":");
    while i < b.len() {
        match b[i] {
            b'\\' if in_str => i += 1,
            b'"' if !in_str && depth == 0 && doc[i..].starts_with(&pat) => {
                return Some(i + pat.len());
            }
            b'"' => in_str = !in_str,
            b'{' | b'[' if !in_str => depth += 1,
            b'}' | b']' if !in_str => {
                if depth == 0 {
                    return None;
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn target_file(tag: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{tag}-{}", std::process::id()))
}

/// `semeru run FLAGS… --stats-json F PROGRAM ARGS…`: (output, stats document).
fn run_stats(flags: &[&str], prog: &[&str], tag: &str) -> (common::Output, String) {
    let json = target_file(&format!("{tag}.json"));
    let js = json.to_string_lossy().into_owned();
    let mut args = vec!["run"];
    args.extend_from_slice(flags);
    args.extend(["--stats-json", &js]);
    args.extend_from_slice(prog);
    let o = semeru(&args, Duration::from_secs(300));
    assert_eq!(o.code, 0, "{args:?}: {}", text(&o.stderr));
    let doc = std::fs::read_to_string(&json).unwrap_or_default();
    let _ = std::fs::remove_file(&json);
    (o, doc)
}

/// Two memnode daemons' flags: `--token-file T --memnode A [--memnode B]`.
fn tcp_flags(tok: &str, nodes: &[MemnodeProc]) -> Vec<String> {
    let mut f = vec!["--token-file".to_string(), tok.to_string()];
    for d in nodes {
        f.push("--memnode".into());
        f.push(d.addr.clone());
    }
    f
}

#[test]
fn offload_and_local_collectors_agree_over_one_and_two_tcp_memnodes() {
    let c = churn();
    // 6 MiB live, rewritten for 60 rounds (about 80 MiB promoted): old space
    // fills with garbage, so old collections run in both collectors.
    let prog = [c.as_str(), "6144", "60"];
    let (reference, _) = run_stats(&["--memnodes", "0"], &prog, "agree-ref");
    let token = common::token_file("agree");
    let tok = token.to_string_lossy().into_owned();
    for n in [1, 2] {
        let nodes: Vec<MemnodeProc> = (0..n)
            .map(|_| MemnodeProc::start(BIN, "1g", &["--token-file", &tok]).unwrap())
            .collect();
        let tcp = tcp_flags(&tok, &nodes);
        for gc in ["offload", "local"] {
            let mut flags: Vec<&str> = tcp.iter().map(String::as_str).collect();
            flags.extend([
                "--heap",
                "32m",
                "--young",
                "2m",
                "--cache",
                "2m",
                "--gc",
                gc,
                "--gc-trigger",
                "30%",
                "--verify-heap",
            ]);
            let (o, doc) = run_stats(&flags, &prog, &format!("agree-{gc}-{n}"));
            assert_eq!(
                text(&o.stdout),
                text(&reference.stdout),
                "--gc {gc} over {n} memnode(s)"
            );
            if gc == "offload" {
                // Cycles ran concurrently with the program, across memnodes.
                let mut nonzero = vec![
                    "cycles",
                    "marked_bytes",
                    "evacuated_bytes",
                    "concurrent_ms",
                    "evacuated_regions",
                    "satb_refs",
                ];
                if n > 1 {
                    nonzero.push("peer_bytes");
                }
                for key in nonzero {
                    let v = json_num(&doc, &["gc", "offload", key]);
                    assert!(v.unwrap_or(0.0) > 0.0, "gc.offload.{key} is {v:?}: {doc}");
                }
                for kind in ["young", "initial-mark", "remark", "evacuate"] {
                    let v = json_num(&doc, &["gc", "by_kind", kind, "count"]);
                    assert!(v.unwrap_or(0.0) > 0.0, "gc.by_kind.{kind}.count is {v:?}");
                }
                assert_eq!(json_num(&doc, &["gc", "full_pauses"]), Some(0.0), "{doc}");
            } else {
                assert!(doc.contains("\"offload\":null"), "{doc}");
                assert!(
                    json_num(&doc, &["gc", "full_pauses"]).unwrap_or(0.0) > 0.0,
                    "{doc}"
                );
            }
        }
    }
}

#[test]
fn offloaded_collection_moves_far_fewer_bytes_over_the_fabric() {
    let token = common::token_file("ratio");
    let tok = token.to_string_lossy().into_owned();
    let nodes: Vec<MemnodeProc> = (0..2)
        .map(|_| MemnodeProc::start(BIN, "1g", &["--token-file", &tok]).unwrap())
        .collect();
    let tcp = tcp_flags(&tok, &nodes);
    // 16 MiB of mostly static old objects behind a 4 MiB cache, and an old
    // collection per round (System.gc()).
    let prog = common::repo().join("tests/disagg/GcLoop.sem");
    let prog = prog.to_string_lossy().into_owned();
    let mut docs = Vec::new();
    let mut outs = Vec::new();
    for gc in ["offload", "local"] {
        let mut flags: Vec<&str> = tcp.iter().map(String::as_str).collect();
        flags.extend([
            "--heap", "64m", "--young", "2m", "--cache", "4m", "--gc", gc,
        ]);
        let (o, doc) = run_stats(&flags, &[&prog, "16", "6"], &format!("ratio-{gc}"));
        outs.push(text(&o.stdout));
        docs.push(doc);
    }
    assert_eq!(outs[0], outs[1]);
    assert!(outs[0].ends_with("round 6: 1502377976\n"), "{}", outs[0]);
    let (off, local) = (&docs[0], &docs[1]);
    for key in [
        "cycles",
        "marked_bytes",
        "evacuated_bytes",
        "evacuated_regions",
    ] {
        let v = json_num(off, &["gc", "offload", key]);
        assert!(v.unwrap_or(0.0) > 0.0, "gc.offload.{key} is {v:?}: {off}");
    }
    assert_eq!(json_num(off, &["gc", "full_pauses"]), Some(0.0), "{off}");
    assert_eq!(
        json_num(local, &["gc", "full_pauses"]),
        Some(6.0),
        "{local}"
    );
    assert!(json_num(off, &["gc", "p99_pause_ms"]).is_some(), "{off}");
    let fo = json_num(off, &["gc", "fabric_bytes"]).unwrap_or(f64::NAN);
    let fl = json_num(local, &["gc", "fabric_bytes"]).unwrap_or(f64::NAN);
    assert!(fl > (16 << 20) as f64, "{local}");
    assert!(
        fo * 4.0 < fl,
        "gc.fabric_bytes: offload {fo} is not far below local {fl}"
    );
}

/// `used` bytes of the memnode at `addr`, from `semeru memnode --status`.
fn memnode_used(addr: &str, tok: &str) -> u64 {
    let s = semeru(
        &["memnode", "--status", addr, "--token-file", tok],
        Duration::from_secs(20),
    );
    assert_eq!(s.code, 0, "{}", text(&s.stderr));
    let out = text(&s.stdout);
    out.lines()
        .find_map(|l| l.trim().strip_prefix("used"))
        .and_then(|l| l.split('(').nth(1))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no used bytes in {out}"))
}

/// A `semeru run` whose stdin the test writes, line by line.
struct Interactive {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Interactive {
    fn start(args: &[&str]) -> Interactive {
        use std::io::BufRead;
        use std::process::Stdio;
        let mut child = Command::new(BIN)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("semeru starts");
        let out = child.stdout.take().expect("stdout");
        let err = child.stderr.take().expect("stderr");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for l in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let e2 = stderr.clone();
        std::thread::spawn(move || {
            for l in std::io::BufReader::new(err).lines().map_while(Result::ok) {
                if let Ok(mut s) = e2.lock() {
                    s.push_str(&l);
                    s.push('\n');
                }
            }
        });
        Interactive {
            child,
            lines,
            stderr,
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The next stdout line, within two minutes.
    fn line(&self) -> String {
        match self.lines.recv_timeout(Duration::from_secs(120)) {
            Ok(l) => l,
            Err(e) => panic!("no output line ({e}); stderr:\n{}", self.stderr()),
        }
    }

    fn send(&mut self, line: &str) {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().expect("stdin");
        writeln!(stdin, "{line}").expect("write to semeru");
        stdin.flush().expect("flush");
    }
}

impl Drop for Interactive {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn memnode_bytes_in_use_fall_after_a_cycle_that_frees_garbage() {
    let token = common::token_file("drop");
    let tok = token.to_string_lossy().into_owned();
    let nodes: Vec<MemnodeProc> = (0..2)
        .map(|_| MemnodeProc::start(BIN, "1g", &["--token-file", &tok]).unwrap())
        .collect();
    let prog = common::repo().join("tests/disagg/Drop.sem");
    let prog = prog.to_string_lossy().into_owned();
    let mut args: Vec<String> = vec!["run".into()];
    args.extend(tcp_flags(&tok, &nodes));
    args.extend(
        [
            "--heap", "96m", "--young", "2m", "--cache", "4m", "--gc", "offload", "--gc-log",
            &prog, "24",
        ]
        .map(String::from),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let used =
        |nodes: &[MemnodeProc]| -> u64 { nodes.iter().map(|d| memnode_used(&d.addr, &tok)).sum() };
    let idle = used(&nodes);
    let mut vm = Interactive::start(&args);
    let built = vm.line();
    assert!(built.starts_with("built 24576 chunks"), "{built}");
    let full = used(&nodes);
    // 24 MiB of chunks went to old space.
    assert!(full >= idle + (20 << 20), "used {idle} -> {full} bytes");
    vm.send("drop");
    let dropped = vm.line();
    assert!(dropped.starts_with("dropped"), "{dropped}");
    let after = used(&nodes);
    // Four fifths of the chunks died: their regions are freed or evacuated.
    assert!(
        after + (12 << 20) <= full,
        "memnodes' bytes in use went {full} -> {after}; gc log:\n{}",
        vm.stderr()
    );
    vm.send("end");
    assert!(vm.line().starts_with("done "), "{}", vm.stderr());
    let log = vm.stderr();
    assert!(log.contains("Pause Remark"), "{log}");
    assert!(log.contains("Pause Evacuate"), "{log}");
    assert!(!log.contains("Pause Full"), "a full collection ran:\n{log}");
}
