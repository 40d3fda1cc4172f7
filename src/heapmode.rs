//! Where the old space lives: the heap-mode flags (`--memnodes`, `--memnode`,
//! `--cache`, `--token-file`) turned into a page backend (DESIGN.md §7, §10).
//!
//! - `--memnodes 0`: no backend; every region is local (the no-swap baseline).
//! - `--memnodes N` (default 1): N memnode servers inside this process, each with
//!   its own memory, reached over the in-process transport; their peer links
//!   (offloaded marking, forwarding tables) are in-process too ([`InprocPeers`]).
//! - `--memnode HOST:PORT`, repeatable: `semeru memnode` daemons over TCP. A
//!   watchdog thread pings each one every second on a connection of its own, so
//!   a daemon that dies is reported within seconds even while the program runs
//!   out of its cache.

use semeru_fabric::{Client, Role, Service, TcpTransport, Token};
use semeru_gc::backend::PageBackend;
use semeru_gc::remote::Memnodes;
use semeru_memnode::{InprocPeers, Memnode, MemnodeConfig};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How long a connection attempt or a request may take before the memnode is
/// declared lost.
pub const FABRIC_TIMEOUT: Duration = Duration::from_secs(5);
/// Watchdog period.
const PING_EVERY: Duration = Duration::from_secs(1);
/// At most this many GC worker (and request) threads per embedded memnode.
const EMBEDDED_GC_THREADS: usize = 4;

/// A share of the heap or a size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CacheSize {
    Bytes(usize),
    Percent(f64),
}

/// Parses `--cache`: `128m`, `65536`, `25%`.
pub fn parse_cache(s: &str) -> Result<CacheSize, String> {
    if let Some(p) = s.trim().strip_suffix('%') {
        let v: f64 = p
            .trim()
            .parse()
            .map_err(|_| format!("invalid cache share `{s}` (expected e.g. 25%)"))?;
        if !(v > 0.0 && v <= 100.0) {
            return Err(format!(
                "cache share `{s}` must be above 0% and at most 100%"
            ));
        }
        return Ok(CacheSize::Percent(v));
    }
    let b = crate::size::parse_size(s)?;
    if b < 4096 {
        return Err(format!("cache `{s}` is smaller than one 4 KiB page"));
    }
    Ok(CacheSize::Bytes(b))
}

impl CacheSize {
    /// Bytes, rounded down to whole pages (at least 8 pages).
    pub fn bytes(self, heap: usize) -> usize {
        let b = match self {
            CacheSize::Bytes(b) => b,
            CacheSize::Percent(p) => (heap as f64 * p / 100.0) as usize,
        };
        (b & !4095).max(8 * 4096)
    }
}

/// Parses a share `N%` (or a bare `N`, read as percent) into a fraction, within
/// `[lo, 100]` percent; `lo_open` excludes `lo` itself.
fn parse_share(s: &str, what: &str, lo: f64, lo_open: bool) -> Result<f64, String> {
    let t = s.trim();
    let t = t.strip_suffix('%').unwrap_or(t).trim();
    let v: f64 = t
        .parse()
        .map_err(|_| format!("invalid {what} `{s}` (expected a share such as 45%)"))?;
    let low_ok = if lo_open { v > lo } else { v >= lo };
    if !(v.is_finite() && low_ok && v <= 100.0) {
        let bound = if lo_open { "above" } else { "at least" };
        return Err(format!(
            "{what} `{s}` must be {bound} {lo}% and at most 100%"
        ));
    }
    Ok(v / 100.0)
}

/// Parses `--gc-trigger`: old-space occupancy, above 0% and at most 100%.
pub fn parse_trigger(s: &str) -> Result<f64, String> {
    parse_share(s, "GC trigger", 0.0, true)
}

/// Parses `--gc-evac-live`: a region live share, 0% (never evacuate) to 100%.
pub fn parse_evac_live(s: &str) -> Result<f64, String> {
    parse_share(s, "evacuation threshold", 0.0, false)
}

/// The heap-mode flags of `semeru run`.
#[derive(Clone, Debug)]
pub struct ModeArgs {
    pub memnodes: Option<usize>,
    pub remote: Vec<String>,
    pub token_file: Option<PathBuf>,
}

/// What `--stats` calls the mode.
pub fn mode_name(m: &ModeArgs) -> &'static str {
    if !m.remote.is_empty() {
        "tcp"
    } else if m.memnodes == Some(0) {
        "local"
    } else {
        "embedded"
    }
}

/// Connects the backend for `m`. `capacity` sizes each embedded memnode (the
/// whole old-space reserve, so any one could hold all of it). `None`: local.
pub fn connect(m: &ModeArgs, capacity: u64) -> Result<Option<Box<dyn PageBackend>>, String> {
    let tenant = semeru_fabric::auth::random_tenant()?;
    if !m.remote.is_empty() {
        let token = match &m.token_file {
            Some(f) => Token::from_file(f)
                .map_err(|e| format!("cannot read token file {}: {e}", f.display()))?,
            None => Token::empty(),
        };
        let nodes = Memnodes::connect_tcp(&m.remote, &token, tenant, FABRIC_TIMEOUT)
            .map_err(|e| e.to_string())?;
        let mut watch = Vec::new();
        for addr in &m.remote {
            let t = TcpTransport::connect(addr, FABRIC_TIMEOUT).map_err(|e| e.to_string())?;
            let c = Client::connect(Box::new(t), &token, tenant, Role::Admin)
                .map_err(|e| e.to_string())?;
            watch.push((addr.clone(), c));
        }
        spawn_watchdog(watch);
        return Ok(Some(Box::new(nodes)));
    }
    let n = m.memnodes.unwrap_or(1);
    if n == 0 {
        return Ok(None);
    }
    // Each embedded memnode marks and evacuates with a few worker threads of this
    // process, while the program runs.
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(EMBEDDED_GC_THREADS);
    let nodes: Vec<Arc<Memnode>> = (0..n)
        .map(|i| {
            Memnode::new(MemnodeConfig {
                name: format!("embedded#{i}"),
                capacity,
                threads,
                grace: Duration::from_secs(0),
            })
        })
        .collect();
    // Peer links between them (marking traffic, forwarding tables) stay in-process.
    InprocPeers::install(&nodes);
    let services: Vec<Arc<dyn Service>> = nodes
        .into_iter()
        .map(|node| node as Arc<dyn Service>)
        .collect();
    let nodes = Memnodes::connect_inproc(services, Arc::new(Token::empty()), tenant)
        .map_err(|e| e.to_string())?;
    Ok(Some(Box::new(nodes)))
}

/// Pings every daemon each second; a failure is fatal (exit 70), as a failed
/// page fetch would be.
fn spawn_watchdog(mut watch: Vec<(String, Client)>) {
    let _ = std::thread::Builder::new()
        .name("memnode-watchdog".into())
        .spawn(move || loop {
            std::thread::sleep(PING_EVERY);
            for (addr, c) in &mut watch {
                if let Err(e) = c.call(&semeru_fabric::Msg::Ping, semeru_fabric::Purpose::Control) {
                    semeru_gc::fatal(&format!("lost memnode {addr}: {e}"));
                }
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_sizes() {
        assert_eq!(parse_cache("25%"), Ok(CacheSize::Percent(25.0)));
        assert_eq!(parse_cache("128m"), Ok(CacheSize::Bytes(128 << 20)));
        assert!(parse_cache("0").is_err());
        assert!(parse_cache("0%").is_err());
        assert!(parse_cache("101%").is_err());
        assert!(parse_cache("x%").is_err());
        assert_eq!(CacheSize::Percent(25.0).bytes(256 << 20), 64 << 20);
        assert_eq!(CacheSize::Bytes(10_000).bytes(1 << 30), 8 * 4096);
        assert_eq!(CacheSize::Bytes(1 << 20).bytes(1 << 30), 1 << 20);
    }

    #[test]
    fn gc_shares() {
        assert_eq!(parse_trigger("45%"), Ok(0.45));
        assert_eq!(parse_trigger(" 100 % "), Ok(1.0));
        assert_eq!(parse_trigger("30"), Ok(0.30));
        for bad in ["0%", "0", "-5%", "101%", "x%", "", "%", "nan%", "inf"] {
            assert!(parse_trigger(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_evac_live("70%"), Ok(0.70));
        assert_eq!(parse_evac_live("0%"), Ok(0.0));
        for bad in ["-1%", "100.5%", "seventy", "70%%"] {
            assert!(parse_evac_live(bad).is_err(), "{bad}");
        }
    }
}
