//! `semeru memnode --status ADDR`: asks a memnode for its figures over an
//! admin connection and prints them for people.

use semeru_fabric::{Client, Msg, NodeStatus, Purpose, Role, TcpTransport, Token};
use std::fmt::Write as _;
use std::time::Duration;

/// How long `--status` waits for the memnode.
pub const STATUS_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects to `addr` as an admin, asks for the status, and formats it.
pub fn status_text(addr: &str, token: &Token) -> Result<String, String> {
    // Fabric errors name the memnode already ("memnode 127.0.0.1:7070: …").
    let named = |e: semeru_fabric::FabricError| {
        let m = e.to_string();
        if m.starts_with("memnode ") {
            m
        } else {
            format!("memnode {addr}: {m}")
        }
    };
    let t = TcpTransport::connect(addr, STATUS_TIMEOUT).map_err(named)?;
    let mut c = Client::connect(Box::new(t), token, 0, Role::Admin).map_err(named)?;
    match c.call(&Msg::GetStatus, Purpose::Control) {
        Ok(Msg::Status(s)) => Ok(format_status(addr, &s)),
        Ok(other) => Err(format!(
            "memnode {addr}: answered GetStatus with {}",
            other.name()
        )),
        Err(e) => Err(named(e)),
    }
}

/// The `--status` text:
///
/// ```text
/// memnode 127.0.0.1:7070
///   capacity     1.00 GiB (1073741824 bytes)
///   used         3.00 MiB (3145728 bytes, 0.3%)
///   free         1021.00 MiB
///   uptime       0h00m12s
///   tenants      1
///   traffic      12 frames in (40.2 KiB), 12 frames out (36.1 KiB)
///   rejected     0 connections
///
///   tenant            regions      bytes  conns  pages read  pages written  bytes read  bytes written  layouts
///   00000000deadbeef        3   3.00 MiB      2           8              1   32.00 KiB       4.00 KiB       40
///   total                   3   3.00 MiB      2           8              1   32.00 KiB       4.00 KiB
///
///   tenant            gc cycles      marked   evacuated  peer bytes
///   00000000deadbeef          2    3.00 MiB    1.00 MiB   12.00 KiB
/// ```
/// (the GC table only once some tenant ran an offloaded cycle).
pub fn format_status(addr: &str, s: &NodeStatus) -> String {
    let mut o = String::new();
    let pct = if s.capacity == 0 {
        0.0
    } else {
        s.used as f64 * 100.0 / s.capacity as f64
    };
    if s.name == addr {
        let _ = writeln!(o, "memnode {addr}");
    } else {
        let _ = writeln!(o, "memnode {} ({addr})", s.name);
    }
    let _ = writeln!(
        o,
        "  capacity     {} ({} bytes)",
        human_bytes(s.capacity),
        s.capacity
    );
    let _ = writeln!(
        o,
        "  used         {} ({} bytes, {pct:.1}%)",
        human_bytes(s.used),
        s.used
    );
    let _ = writeln!(
        o,
        "  free         {}",
        human_bytes(s.capacity.saturating_sub(s.used))
    );
    let _ = writeln!(o, "  uptime       {}", human_duration(s.uptime_ms));
    let _ = writeln!(o, "  tenants      {}", s.tenants.len());
    let _ = writeln!(
        o,
        "  traffic      {} frames in ({}), {} frames out ({})",
        s.frames_in,
        human_bytes(s.bytes_in),
        s.frames_out,
        human_bytes(s.bytes_out)
    );
    let _ = writeln!(o, "  rejected     {} connections", s.rejected_connections);
    if s.tenants.is_empty() {
        return o;
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "  {:<16}  {:>7}  {:>10}  {:>5}  {:>10}  {:>13}  {:>10}  {:>13}  {:>7}",
        "tenant",
        "regions",
        "bytes",
        "conns",
        "pages read",
        "pages written",
        "bytes read",
        "bytes written",
        "layouts"
    );
    let mut total = semeru_fabric::TenantStatus::default();
    for t in &s.tenants {
        let _ = writeln!(
            o,
            "  {:016x}  {:>7}  {:>10}  {:>5}  {:>10}  {:>13}  {:>10}  {:>13}  {:>7}",
            t.tenant,
            t.regions,
            human_bytes(t.bytes),
            t.connections,
            t.pages_read,
            t.pages_written,
            human_bytes(t.bytes_read),
            human_bytes(t.bytes_written),
            t.layouts
        );
        total.regions += t.regions;
        total.bytes += t.bytes;
        total.connections += t.connections;
        total.pages_read += t.pages_read;
        total.pages_written += t.pages_written;
        total.bytes_read += t.bytes_read;
        total.bytes_written += t.bytes_written;
    }
    let _ = writeln!(
        o,
        "  {:<16}  {:>7}  {:>10}  {:>5}  {:>10}  {:>13}  {:>10}  {:>13}",
        "total",
        total.regions,
        human_bytes(total.bytes),
        total.connections,
        total.pages_read,
        total.pages_written,
        human_bytes(total.bytes_read),
        human_bytes(total.bytes_written)
    );
    if s.tenants.iter().any(|t| t.gc_cycles > 0) {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "  {:<16}  {:>9}  {:>10}  {:>10}  {:>10}",
            "tenant", "gc cycles", "marked", "evacuated", "peer bytes"
        );
        for t in &s.tenants {
            let _ = writeln!(
                o,
                "  {:016x}  {:>9}  {:>10}  {:>10}  {:>10}",
                t.tenant,
                t.gc_cycles,
                human_bytes(t.gc_marked_bytes),
                human_bytes(t.gc_evacuated_bytes),
                human_bytes(t.gc_peer_bytes)
            );
        }
    }
    o
}

/// `1536` → `1.50 KiB`; below 1 KiB, `512 B`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.2} {}", UNITS[u])
}

/// `3723000` → `1h02m03s`.
pub fn human_duration(ms: u64) -> String {
    let s = ms / 1000;
    format!("{}h{:02}m{:02}s", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1536), "1.50 KiB");
        assert_eq!(human_bytes(8 << 30), "8.00 GiB");
        assert_eq!(human_duration(3_723_000), "1h02m03s");
    }
}
