//! Runs one child process to completion and measures it: wall time, user and
//! system CPU time and peak RSS (from wait4's rusage), with a timeout.

use crate::cleanup;
use crate::error::{Context, Result};
use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How a child ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    TimedOut(u64),
}

impl Exit {
    pub fn ok(&self) -> bool {
        *self == Exit::Code(0)
    }

    pub fn describe(&self) -> String {
        match self {
            Exit::Code(c) => format!("exit {c}"),
            Exit::Signal(s) => format!("killed by signal {s}"),
            Exit::TimedOut(s) => format!("timed out after {s} s"),
        }
    }
}

/// The measurements of one finished child.
#[derive(Clone, Debug)]
pub struct Measured {
    pub exit: Exit,
    pub wall_s: f64,
    pub user_s: f64,
    pub sys_s: f64,
    /// ru_maxrss: the peak resident set of the child (KiB).
    pub max_rss_kb: u64,
}

/// Runs `cmd` with stdin from /dev/null and stdout/stderr into the given files.
pub fn run(cmd: &mut Command, stdout: &Path, stderr: &Path, timeout: Duration) -> Result<Measured> {
    let out = File::create(stdout).ctx(|| format!("cannot create {}", stdout.display()))?;
    let err = File::create(stderr).ctx(|| format!("cannot create {}", stderr.display()))?;
    cmd.stdin(Stdio::null()).stdout(out).stderr(err);
    let start = Instant::now();
    let child = cmd
        .spawn()
        .ctx(|| format!("cannot start {:?}", cmd.get_program()))?;
    let pid = child.id();
    cleanup::track_pid(pid);

    // The watchdog kills the child at the deadline, but only while it is not yet
    // reaped (`done` is set under the lock before the pid can be reused).
    let state = Arc::new(Mutex::new((false, false))); // (done, timed out)
    let watchdog = {
        let state = Arc::clone(&state);
        std::thread::spawn(move || {
            let deadline = Instant::now() + timeout;
            loop {
                std::thread::sleep(Duration::from_millis(50));
                let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
                if s.0 {
                    return;
                }
                if Instant::now() >= deadline {
                    s.1 = true;
                    cleanup::signal(pid, libc::SIGKILL);
                    return;
                }
            }
        })
    };

    wait_exited(pid)?;
    let wall_s = start.elapsed().as_secs_f64();
    let timed_out = {
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        s.0 = true;
        s.1
    };
    let (status, usage) = reap(pid)?;
    cleanup::untrack_pid(pid);
    cleanup::park_if_interrupted();
    let _ = watchdog.join();
    drop(child);

    let exit = if timed_out {
        Exit::TimedOut(timeout.as_secs())
    } else if libc::WIFEXITED(status) {
        Exit::Code(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        Exit::Signal(libc::WTERMSIG(status))
    } else {
        Exit::Code(-1)
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok(Measured {
        exit,
        wall_s,
        user_s: secs(usage.ru_utime),
        sys_s: secs(usage.ru_stime),
        max_rss_kb: u64::try_from(usage.ru_maxrss).unwrap_or(0),
    })
}

/// Blocks until `pid` has exited, without reaping it.
fn wait_exited(pid: u32) -> Result<()> {
    loop {
        // SAFETY: siginfo_t is plain data; zeroed is a valid value for waitid to fill.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `info` is a valid, writable siginfo_t for the whole call.
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(crate::fail!("waitid({pid}): {e}"));
        }
    }
}

/// Reaps `pid`: its wait status and resource usage.
fn reap(pid: u32) -> Result<(i32, libc::rusage)> {
    loop {
        let mut status = 0;
        // SAFETY: rusage is plain data; zeroed is a valid value for wait4 to fill.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `status` and `usage` are valid and writable for the whole call.
        let r = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
        if r == pid as libc::pid_t {
            return Ok((status, usage));
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(crate::fail!("wait4({pid}): {e}"));
        }
    }
}

/// Runs a short command and returns its stdout+stderr, trimmed; None if it
/// cannot start or fails.
pub fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Some(text.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_a_child() {
        let dir = std::env::temp_dir().join(format!("semeru-bench-proc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (o, e) = (dir.join("out"), dir.join("err"));
        let m = run(
            Command::new("sh").args(["-c", "echo hi; exit 3"]),
            &o,
            &e,
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(m.exit, Exit::Code(3));
        assert_eq!(std::fs::read_to_string(&o).unwrap(), "hi\n");
        assert!(m.max_rss_kb > 0);
        let m = run(
            Command::new("sleep").arg("5"),
            &o,
            &e,
            Duration::from_millis(200),
        )
        .unwrap();
        assert!(matches!(m.exit, Exit::TimedOut(_)));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
