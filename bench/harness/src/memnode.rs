//! TCP memnode daemons (`semeru memnode --listen 127.0.0.1:0`), started fresh
//! for one run and always stopped: on drop, on error, or from the signal handler.

use crate::cleanup;
use crate::error::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Memnodes {
    children: Vec<Child>,
    pub addrs: Vec<String>,
    pub token: PathBuf,
}

impl Memnodes {
    /// Starts `n` daemons, each logging to `log_prefix.<i>.log`, and waits until
    /// each says where it listens.
    pub fn start(
        semeru: &Path,
        n: usize,
        capacity: &str,
        token: &Path,
        log_prefix: &Path,
    ) -> Result<Memnodes> {
        let mut nodes = Memnodes {
            children: Vec::new(),
            addrs: Vec::new(),
            token: token.to_path_buf(),
        };
        for i in 1..=n {
            let log = PathBuf::from(format!("{}.{i}.log", log_prefix.display()));
            let err =
                std::fs::File::create(&log).ctx(|| format!("cannot create {}", log.display()))?;
            let child = Command::new(semeru)
                .args([
                    "memnode",
                    "--listen",
                    "127.0.0.1:0",
                    "--capacity",
                    capacity,
                    "--token-file",
                ])
                .arg(token)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(err)
                .spawn()
                .ctx(|| format!("cannot start {} memnode", semeru.display()))?;
            cleanup::track_pid(child.id());
            nodes.children.push(child);
            let addr = wait_listening(nodes.children.last_mut().expect("just pushed"), &log)?;
            nodes.addrs.push(addr);
        }
        Ok(nodes)
    }

    /// The `semeru run` flags that use these daemons.
    pub fn run_flags(&self) -> Vec<String> {
        let mut f = vec!["--token-file".to_string(), self.token.display().to_string()];
        for a in &self.addrs {
            f.push("--memnode".into());
            f.push(a.clone());
        }
        f
    }

    /// Sum of the daemons' peak RSS (VmHWM, KiB) so far.
    pub fn peak_rss_kb(&self) -> Option<u64> {
        let mut total = 0;
        for c in &self.children {
            let status = std::fs::read_to_string(format!("/proc/{}/status", c.id())).ok()?;
            let kb = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))?
                .trim()
                .trim_end_matches("kB")
                .trim();
            total += kb.parse::<u64>().ok()?;
        }
        Some(total)
    }
}

impl Drop for Memnodes {
    fn drop(&mut self) {
        for c in &self.children {
            cleanup::signal(c.id(), libc::SIGTERM);
        }
        for c in &mut self.children {
            let deadline = Instant::now() + Duration::from_secs(5);
            while matches!(c.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if matches!(c.try_wait(), Ok(None)) {
                let _ = c.kill();
            }
            let _ = c.wait();
            cleanup::untrack_pid(c.id());
        }
    }
}

fn wait_listening(child: &mut Child, log: &Path) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(addr) = text.lines().find_map(|l| {
            l.split_once("memnode listening on ")
                .and_then(|(_, rest)| rest.split_whitespace().next())
        }) {
            return Ok(addr.to_string());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(crate::fail!(
                "the memnode exited ({status}) before listening: {}",
                text.trim()
            ));
        }
        if Instant::now() > deadline {
            return Err(crate::fail!(
                "the memnode did not say where it listens within 10 s: {}",
                text.trim()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Writes a fresh random token file (24 bytes from /dev/urandom, hex).
pub fn write_token(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut bytes = [0u8; 24];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .ctx(|| "cannot read /dev/urandom".into())?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(path, hex).ctx(|| format!("cannot write {}", path.display()))
}
