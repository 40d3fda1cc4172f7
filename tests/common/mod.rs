//! Shared by the end-to-end test binaries: finding programs and their expected results.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A program with the outputs recorded from `java --source 17` (tests/record.sh).
pub struct Case {
    pub sem: PathBuf,
    pub args: Vec<String>,
    pub stdin: Option<PathBuf>,
    pub out: Vec<u8>,
    pub err_first_line: String,
    pub exit: i32,
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.sem` under `dirs` (relative to the repo) that has recorded expectations.
pub fn cases(dirs: &[&str]) -> Vec<Case> {
    let mut files = Vec::new();
    for d in dirs {
        collect(&repo().join(d), &mut files);
    }
    files.sort();
    files
        .into_iter()
        .filter_map(|sem| {
            let out = std::fs::read(sem.with_extension("out")).ok()?;
            let err = std::fs::read_to_string(sem.with_extension("err")).ok()?;
            let exit = std::fs::read_to_string(sem.with_extension("exit"))
                .ok()?
                .trim()
                .parse()
                .ok()?;
            let args = std::fs::read_to_string(sem.with_extension("args"))
                .map(|s| s.split_whitespace().map(String::from).collect())
                .unwrap_or_default();
            let stdin = Some(sem.with_extension("in")).filter(|p| p.exists());
            Some(Case {
                sem,
                args,
                stdin,
                out,
                err_first_line: err.lines().next().unwrap_or("").to_string(),
                exit,
            })
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "sem") {
            out.push(p);
        }
    }
}

impl Case {
    /// `tests/conformance/arith/x.sem` → `arith/x`.
    pub fn name(&self) -> String {
        let rel = self.sem.strip_prefix(repo()).unwrap_or(&self.sem);
        let s = rel.with_extension("").to_string_lossy().into_owned();
        s.strip_prefix("tests/conformance/")
            .unwrap_or(&s)
            .to_string()
    }

    /// Runs `program args… FILE progargs…` in the file's folder and compares with the
    /// recorded results. Returns a readable difference on mismatch.
    pub fn check(&self, program: &str, pre_args: &[&str], timeout: Duration) -> Result<(), String> {
        let dir = self.sem.parent().unwrap_or(Path::new("."));
        let name = self.sem.file_name().unwrap_or_default();
        let mut cmd = Command::new(program);
        cmd.args(pre_args)
            .arg(name)
            .args(&self.args)
            .current_dir(dir);
        cmd.stdin(match &self.stdin {
            Some(p) => Stdio::from(std::fs::File::open(p).map_err(|e| e.to_string())?),
            None => Stdio::null(),
        });
        let got = run_with_timeout(cmd, timeout)?;
        let mut problems = Vec::new();
        if got.stdout != self.out {
            problems.push(format!(
                "stdout differs:\n{}",
                first_difference(&self.out, &got.stdout)
            ));
        }
        let err1 = String::from_utf8_lossy(&got.stderr)
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        if !same_first_line(&self.err_first_line, &err1) {
            problems.push(format!(
                "stderr's first line differs:\n  expected: {:?}\n       got: {:?}",
                self.err_first_line, err1
            ));
        }
        if got.code != self.exit {
            problems.push(format!(
                "exit status differs: expected {}, got {}",
                self.exit, got.code
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            let stderr = String::from_utf8_lossy(&got.stderr);
            let tail: String = stderr.lines().take(12).collect::<Vec<_>>().join("\n");
            Err(format!(
                "{}\n--- stderr (head) ---\n{tail}",
                problems.join("\n")
            ))
        }
    }
}

pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub code: i32,
}

/// Runs a command, killing it after `timeout`.
pub fn run_with_timeout(mut cmd: Command, timeout: Duration) -> Result<Output, String> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    let mut so = child.stdout.take();
    let mut se = child.stderr.take();
    let t_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        if let Some(s) = so.as_mut() {
            let _ = std::io::Read::read_to_end(s, &mut b);
        }
        b
    });
    let t_err = std::thread::spawn(move || {
        let mut b = Vec::new();
        if let Some(s) = se.as_mut() {
            let _ = std::io::Read::read_to_end(s, &mut b);
        }
        b
    });
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            break st;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("timed out after {timeout:?}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = t_out.join().unwrap_or_default();
    let stderr = t_err.join().unwrap_or_default();
    use std::os::unix::process::ExitStatusExt;
    let code = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    Ok(Output {
        stdout,
        stderr,
        code,
    })
}

/// The first differing line of two outputs, with its number.
pub fn first_difference(expected: &[u8], got: &[u8]) -> String {
    let e = String::from_utf8_lossy(expected);
    let g = String::from_utf8_lossy(got);
    let (el, gl): (Vec<&str>, Vec<&str>) = (e.split('\n').collect(), g.split('\n').collect());
    for i in 0..el.len().max(gl.len()) {
        let (a, b) = (el.get(i), gl.get(i));
        if a != b {
            return format!(
                "  line {}:\n  expected: {:?}\n       got: {:?}",
                i + 1,
                a.copied().unwrap_or("<end of output>"),
                b.copied().unwrap_or("<end of output>")
            );
        }
    }
    "  (outputs differ only in their final newline)".into()
}

/// Compares stderr's first lines. Java 17's "helpful" `NullPointerException`
/// messages name bytecode slots (`"<local4>" is null`), and its `ClassCastException`
/// messages end with a class loader's identity hash; the issue lets Semeru print a
/// simpler message there. So for those two, the exception class must match, and for
/// a cast the `class A cannot be cast to class B` part too; everything else must be
/// identical.
pub fn same_first_line(expected: &str, got: &str) -> bool {
    const NPE: &str = "Exception in thread \"main\" java.lang.NullPointerException";
    const CCE: &str = "Exception in thread \"main\" java.lang.ClassCastException";
    if expected.starts_with(NPE) {
        return got.starts_with(NPE);
    }
    if expected.starts_with(CCE) {
        let core = |s: &str| s.split(" (").next().unwrap_or("").to_string();
        return core(expected) == core(got);
    }
    expected == got
}

/// A `semeru memnode` daemon on a free loopback port, killed when dropped.
pub struct MemnodeProc {
    child: std::process::Child,
    /// `127.0.0.1:PORT`, as it printed when ready.
    pub addr: String,
    /// What it printed on stderr, collected in the background.
    pub log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl MemnodeProc {
    /// Starts `semeru memnode --listen 127.0.0.1:0 --capacity CAP [extra…]` and waits
    /// (up to 20 s) for its `listening on ADDR` line.
    pub fn start(bin: &str, capacity: &str, extra: &[&str]) -> Result<MemnodeProc, String> {
        use std::io::BufRead;
        let mut child = Command::new(bin)
            .args(["memnode", "--listen", "127.0.0.1:0", "--capacity", capacity])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start semeru memnode: {e}"))?;
        let err = child.stderr.take().ok_or("no stderr")?;
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let log2 = log.clone();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let addr = rest.split_whitespace().next().unwrap_or("").to_string();
                    if let Some(t) = tx.take() {
                        let _ = t.send(addr);
                    }
                }
                if let Ok(mut l) = log2.lock() {
                    l.push_str(&line);
                    l.push('\n');
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(addr) if !addr.is_empty() => Ok(MemnodeProc { child, addr, log }),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                let l = log.lock().map(|l| l.clone()).unwrap_or_default();
                Err(format!("semeru memnode did not report its address:\n{l}"))
            }
        }
    }

    /// Kills the daemon now (as a crash would).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for MemnodeProc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A fresh token file under the target directory, for `--token-file`.
pub fn token_file(tag: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let p = dir.join(format!("token-{tag}-{}", std::process::id()));
    let t: u64 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7)
        ^ (std::process::id() as u64) << 32;
    let _ = std::fs::write(&p, format!("{t:016x}{:016x}\n", t.rotate_left(17) ^ 0x5eed));
    p
}
