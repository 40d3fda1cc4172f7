//! GC statistics (`--stats`, `--stats-json`) and the `--gc-log` line.

use std::time::Duration;

use crate::backend::{FabricTotals, MemnodeInfo};
pub use crate::memory::CacheStats;

/// The heap's memory figures (`--stats`, `--stats-json`): how old space is kept,
/// the page cache's counters and the fabric traffic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeapStats {
    /// `"local"` (no backend, `--memnodes 0`) or `"memnodes"`.
    pub mode: &'static str,
    pub heap_bytes: usize,
    /// Bytes of cache frames (0 when everything is local).
    pub cache_bytes: usize,
    /// Memnodes holding old regions (0 when everything is local).
    pub memnodes: usize,
    pub cache: CacheStats,
    /// Fabric traffic; `fabric.gc_bytes` is what collections moved.
    pub fabric: FabricTotals,
    pub nodes: Vec<MemnodeInfo>,
    /// Old regions currently kept local because the memnodes were full.
    pub overflow_regions: usize,
}

/// One stop-the-world pause.
#[derive(Clone, Debug, PartialEq)]
pub struct Pause {
    /// `"young"` or `"full"`.
    pub kind: &'static str,
    pub heap_before: usize,
    pub heap_after: usize,
    pub millis: f64,
}

/// Pauses kept in [`GcStats::pauses`]; a `--gc-stress` run collects at every
/// allocation, millions of times, and must not keep a record of each.
pub const MAX_PAUSE_RECORDS: usize = 100_000;

/// Counters for `--stats` and `--stats-json`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GcStats {
    /// The first [`MAX_PAUSE_RECORDS`] pauses, in order. The counts and times
    /// below cover every pause.
    pub pauses: Vec<Pause>,
    pub young_pauses: u64,
    pub full_pauses: u64,
    pub pause_ms_total: f64,
    pub pause_ms_max: f64,
    pub bytes_allocated: u64,
    /// Bytes copied from the nursery into old space.
    pub bytes_promoted: u64,
    /// Bytes found live by full-heap marking, summed over full collections.
    pub marked_bytes: u64,
    /// Old-space bytes moved by compaction, summed over full collections.
    pub compacted_bytes: u64,
    /// Objects marked while the full collection's mark stack was full (their
    /// regions were rescanned).
    pub mark_stack_overflows: u64,
    /// Milliseconds spent in each full-collection phase, summed, in phase order.
    pub phase_ms: Vec<(&'static str, f64)>,
}

impl GcStats {
    /// Counts pause `p` (and keeps it if fewer than [`MAX_PAUSE_RECORDS`] are kept).
    pub fn record(&mut self, p: Pause) {
        match p.kind {
            "young" => self.young_pauses += 1,
            _ => self.full_pauses += 1,
        }
        self.pause_ms_total += p.millis;
        self.pause_ms_max = self.pause_ms_max.max(p.millis);
        if self.pauses.len() < MAX_PAUSE_RECORDS {
            self.pauses.push(p);
        }
    }
    /// Pauses of `kind` (`"young"` or `"full"`).
    pub fn count(&self, kind: &str) -> usize {
        match kind {
            "young" => self.young_pauses as usize,
            "full" => self.full_pauses as usize,
            _ => 0,
        }
    }
    /// All pauses so far.
    pub fn pause_count(&self) -> usize {
        (self.young_pauses + self.full_pauses) as usize
    }
    pub fn young_count(&self) -> usize {
        self.count("young")
    }
    pub fn full_count(&self) -> usize {
        self.count("full")
    }
    pub fn total_pause_ms(&self) -> f64 {
        self.pause_ms_total
    }
    /// Adds `ms` to the time of phase `name`.
    pub fn add_phase_time(&mut self, name: &'static str, ms: f64) {
        match self.phase_ms.iter_mut().find(|p| p.0 == name) {
            Some(p) => p.1 += ms,
            None => self.phase_ms.push((name, ms)),
        }
    }
    pub fn max_pause_ms(&self) -> f64 {
        self.pause_ms_max
    }
}

/// `[gc] 0.123s Pause Young 12M->3M(64M) 0.812ms`, in the spirit of `-Xlog:gc`.
pub fn log_line(since_start: Duration, p: &Pause, capacity: usize) -> String {
    let kind = match p.kind {
        "young" => "Young",
        "full" => "Full",
        k => k,
    };
    format!(
        "[gc] {:.3}s Pause {kind} {}->{}({}) {:.3}ms",
        since_start.as_secs_f64(),
        size(p.heap_before, capacity),
        size(p.heap_after, capacity),
        size(capacity, capacity),
        p.millis
    )
}

/// Megabytes like HotSpot, or kilobytes for heaps under 16 MiB.
fn size(bytes: usize, capacity: usize) -> String {
    if capacity < 16 << 20 {
        format!("{}K", bytes >> 10)
    } else {
        format!("{}M", bytes >> 20)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_and_log() {
        let mut s = GcStats::default();
        for (k, ms) in [("young", 1.0), ("full", 5.0), ("young", 2.0)] {
            s.record(Pause {
                kind: k,
                heap_before: 12 << 20,
                heap_after: 3 << 20,
                millis: ms,
            });
        }
        assert_eq!((s.young_count(), s.full_count()), (2, 1));
        assert_eq!((s.total_pause_ms(), s.max_pause_ms()), (8.0, 5.0));
        let l = log_line(Duration::from_millis(123), &s.pauses[0], 64 << 20);
        assert_eq!(l, "[gc] 0.123s Pause Young 12M->3M(64M) 1.000ms");
    }

    #[test]
    fn pause_records_are_bounded_but_counts_are_not() {
        let mut s = GcStats::default();
        for i in 0..MAX_PAUSE_RECORDS + 10 {
            s.record(Pause {
                kind: if i % 10 == 0 { "full" } else { "young" },
                heap_before: 0,
                heap_after: 0,
                millis: 0.5,
            });
        }
        assert_eq!(s.pauses.len(), MAX_PAUSE_RECORDS);
        assert_eq!(s.pause_count(), MAX_PAUSE_RECORDS + 10);
        assert_eq!(s.full_count(), MAX_PAUSE_RECORDS / 10 + 1);
        assert_eq!(s.total_pause_ms(), 0.5 * (MAX_PAUSE_RECORDS + 10) as f64);
    }
}
