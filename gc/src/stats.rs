//! GC statistics (`--stats`, `--stats-json`) and the `--gc-log` line.

use std::time::Duration;

/// One stop-the-world pause.
#[derive(Clone, Debug, PartialEq)]
pub struct Pause {
    /// `"young"` or `"full"`.
    pub kind: &'static str,
    pub heap_before: usize,
    pub heap_after: usize,
    pub millis: f64,
}

/// Counters for `--stats` and `--stats-json`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GcStats {
    pub pauses: Vec<Pause>,
    pub bytes_allocated: u64,
    /// Bytes copied from the nursery into old space.
    pub bytes_promoted: u64,
    /// Bytes found live by full-heap marking, summed over full collections.
    pub marked_bytes: u64,
    /// Old-space bytes moved by compaction, summed over full collections.
    pub compacted_bytes: u64,
    /// Milliseconds spent in each full-collection phase, summed, in phase order.
    pub phase_ms: Vec<(&'static str, f64)>,
}

impl GcStats {
    /// Pauses of `kind`.
    pub fn count(&self, kind: &str) -> usize {
        self.pauses.iter().filter(|p| p.kind == kind).count()
    }
    pub fn young_count(&self) -> usize {
        self.count("young")
    }
    pub fn full_count(&self) -> usize {
        self.count("full")
    }
    pub fn total_pause_ms(&self) -> f64 {
        self.pauses.iter().fold(0.0, |t, p| t + p.millis)
    }
    /// Adds `ms` to the time of phase `name`.
    pub fn add_phase_time(&mut self, name: &'static str, ms: f64) {
        match self.phase_ms.iter_mut().find(|p| p.0 == name) {
            Some(p) => p.1 += ms,
            None => self.phase_ms.push((name, ms)),
        }
    }
    pub fn max_pause_ms(&self) -> f64 {
        self.pauses.iter().map(|p| p.millis).fold(0.0, f64::max)
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
            s.pauses.push(Pause {
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
}
