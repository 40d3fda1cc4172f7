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

/// The kinds of stop-the-world pause, in [`GcStats::by_kind`] order.
pub const PAUSE_KINDS: [&str; 5] = ["young", "full", "initial-mark", "remark", "evacuate"];

/// The offloaded old collector's counters (`--gc offload` over memnodes).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OffloadStats {
    /// Cycles completed (or aborted by a local full collection).
    pub cycles: u64,
    /// Bytes the memnodes marked, summed over cycles.
    pub marked_bytes: u64,
    /// Bytes of marking traffic between memnodes (peer links).
    pub peer_bytes: u64,
    /// Bytes the memnodes copied into destination regions.
    pub evacuated_bytes: u64,
    /// Milliseconds of marking that overlapped the program (from the end of
    /// the initial-mark pause to termination or remark, whichever came first).
    pub concurrent_ms: f64,
    /// Milliseconds the remark pause waited for marking to terminate.
    pub remark_wait_ms: f64,
    /// Regions released because nothing in them was live.
    pub freed_regions: u64,
    /// Regions evacuated (then released).
    pub evacuated_regions: u64,
    /// Overwritten references the SATB barrier sent to the memnodes (those
    /// to objects below TAMS of the cycle's regions, each once per batch).
    pub satb_refs: u64,
    /// Slots of cached pages the fixups changed, patched in the VM's copies.
    pub patched_slots: u64,
    /// Pages the fixups changed that the VM dropped from its cache (those
    /// it held, and those it did not: the memnodes cannot tell).
    pub dropped_pages: u64,
    /// Dirty pages below TAMS the evacuation pause did not flush (the VM
    /// fixed its copies itself).
    pub kept_dirty_pages: u64,
    /// Dirty pages an initial mark left unwritten: the memnodes' marking
    /// waited for each until it was written back.
    pub pending_pages: u64,
    /// Of those, pages the VM wrote back for marking to finish (the others
    /// were written back by eviction, as they would have been anyway).
    pub pending_flushed: u64,
    /// Dirty pages evacuation pauses wrote back: of source candidates (the
    /// memnodes copy from them)...
    pub evac_flushed_source_pages: u64,
    /// ...and the others: at or above TAMS (promotions during the cycle), or
    /// below it where the VM could not parse the page without a fetch.
    pub evac_flushed_other_pages: u64,
    /// Dirty pages at or above TAMS evacuation pauses did not flush: the VM
    /// fixed the objects on them itself (the memnodes passed over them).
    pub kept_new_pages: u64,
    /// Objects whose first 12 bytes evacuation pauses read from the
    /// memnodes (`GcPeek`) to keep a dirty page below TAMS whose first
    /// object begins on a page the VM no longer caches.
    pub peeked_objects: u64,
}

/// One stop-the-world pause.
#[derive(Clone, Debug, PartialEq)]
pub struct Pause {
    /// One of [`PAUSE_KINDS`].
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
    /// Fabric bytes by pause kind, so that the old-space collectors can be
    /// compared without the young collections' traffic, which both share.
    pub fabric_by_kind: Vec<(&'static str, u64)>,
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
    /// `Some` when the offloaded old collector is in use.
    pub offload: Option<OffloadStats>,
    /// Per pause kind: count, total and maximum milliseconds.
    kinds: Vec<(&'static str, u64, f64, f64)>,
}

impl GcStats {
    /// Empty counters; `offload` says whether the offloaded collector runs.
    pub fn with_offload(offload: bool) -> GcStats {
        GcStats {
            offload: offload.then(OffloadStats::default),
            ..GcStats::default()
        }
    }
    /// Counts pause `p` (and keeps it if fewer than [`MAX_PAUSE_RECORDS`] are kept).
    pub fn record(&mut self, p: Pause) {
        match p.kind {
            "young" => self.young_pauses += 1,
            "full" => self.full_pauses += 1,
            _ => {}
        }
        match self.kinds.iter_mut().find(|k| k.0 == p.kind) {
            Some(k) => {
                k.1 += 1;
                k.2 += p.millis;
                k.3 = k.3.max(p.millis);
            }
            None => self.kinds.push((p.kind, 1, p.millis, p.millis)),
        }
        self.pause_ms_total += p.millis;
        self.pause_ms_max = self.pause_ms_max.max(p.millis);
        if self.pauses.len() < MAX_PAUSE_RECORDS {
            self.pauses.push(p);
        }
    }
    /// Pauses of `kind` (one of [`PAUSE_KINDS`]).
    pub fn count(&self, kind: &str) -> usize {
        self.kinds
            .iter()
            .find(|k| k.0 == kind)
            .map_or(0, |k| k.1 as usize)
    }
    /// All pauses so far.
    pub fn pause_count(&self) -> usize {
        self.kinds.iter().map(|k| k.1 as usize).sum()
    }
    /// Per pause kind, every one of [`PAUSE_KINDS`] (then any other kind):
    /// `(kind, count, total_ms, max_ms)`.
    pub fn by_kind(&self) -> Vec<(&'static str, u64, f64, f64)> {
        let mut v: Vec<_> = PAUSE_KINDS
            .iter()
            .map(|&k| {
                self.kinds
                    .iter()
                    .find(|e| e.0 == k)
                    .copied()
                    .unwrap_or((k, 0, 0.0, 0.0))
            })
            .collect();
        v.extend(self.kinds.iter().filter(|e| !PAUSE_KINDS.contains(&e.0)));
        v
    }
    /// Adds `bytes` of fabric traffic (page and GC-control bytes) to pause
    /// kind `kind` (or to `concurrent`: GC control outside pauses).
    pub fn add_fabric(&mut self, kind: &'static str, bytes: u64) {
        match self.fabric_by_kind.iter_mut().find(|e| e.0 == kind) {
            Some(e) => e.1 += bytes,
            None => self.fabric_by_kind.push((kind, bytes)),
        }
    }
    /// Fabric bytes moved in pauses of `kind` (see [`GcStats::add_fabric`]).
    pub fn fabric_of(&self, kind: &str) -> u64 {
        self.fabric_by_kind
            .iter()
            .find(|e| e.0 == kind)
            .map_or(0, |e| e.1)
    }
    /// The 99th percentile of the recorded pauses' durations (0 with none).
    pub fn p99_pause_ms(&self) -> f64 {
        let mut ms: Vec<f64> = self.pauses.iter().map(|p| p.millis).collect();
        if ms.is_empty() {
            return 0.0;
        }
        ms.sort_by(f64::total_cmp);
        let i = ((ms.len() as f64 * 0.99).ceil() as usize).clamp(1, ms.len()) - 1;
        ms[i]
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

/// `[0.123s] GC(4) Pause Young 12M->3M(64M) 0.812ms`, in the spirit of
/// `-Xlog:gc`; `id` numbers the collection (an offloaded cycle's phases share
/// one).
pub fn log_line(since_start: Duration, id: u64, p: &Pause, capacity: usize) -> String {
    let kind = match p.kind {
        "young" => "Young",
        "full" => "Full",
        k => k,
    };
    phase_line(
        since_start,
        id,
        &format!(
            "Pause {kind} {}->{}({}) {:.3}ms",
            size(p.heap_before, capacity),
            size(p.heap_after, capacity),
            size(capacity, capacity),
            p.millis
        ),
    )
}

/// `[12.345s] GC(7) text`: the prefix every `--gc-log` line shares.
pub fn phase_line(since_start: Duration, id: u64, text: &str) -> String {
    format!("[{:.3}s] GC({id}) {text}", since_start.as_secs_f64())
}

/// Whole megabytes, as the offloaded collector's log lines give sizes.
pub fn mb(bytes: u64) -> String {
    format!("{}MB", bytes >> 20)
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
        let l = log_line(Duration::from_millis(123), 4, &s.pauses[0], 64 << 20);
        assert_eq!(l, "[0.123s] GC(4) Pause Young 12M->3M(64M) 1.000ms");
        let k = s.by_kind();
        assert_eq!(k[0], ("young", 2, 3.0, 2.0));
        assert_eq!(k[1], ("full", 1, 5.0, 5.0));
        assert_eq!(k[2], ("initial-mark", 0, 0.0, 0.0));
        assert_eq!(k.len(), 5);
        assert_eq!(s.p99_pause_ms(), 5.0);
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
