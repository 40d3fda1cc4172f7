//! Traffic accounting by purpose (DESIGN.md §8): messages, bytes and round
//! trips. These figures judge offloading; they are repeatable where times are not.

use std::ops::{Add, AddAssign};
use std::sync::atomic::{AtomicU64, Ordering};

/// Why traffic happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// The mutator's page-cache misses.
    Fetch,
    /// The mutator's dirty-page write-back.
    WriteBack,
    /// Region allocation and release, layouts, status, pings.
    Control,
    /// Pages read while the VM collects.
    GcFetch,
    /// Pages written while the VM collects.
    GcWriteBack,
    /// GC coordination with memnodes.
    GcControl,
    /// Memnode-to-memnode marking.
    PeerMark,
}

impl Purpose {
    pub const COUNT: usize = 7;
    pub const ALL: [Purpose; Purpose::COUNT] = [
        Purpose::Fetch,
        Purpose::WriteBack,
        Purpose::Control,
        Purpose::GcFetch,
        Purpose::GcWriteBack,
        Purpose::GcControl,
        Purpose::PeerMark,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Purpose::Fetch => "fetch",
            Purpose::WriteBack => "write_back",
            Purpose::Control => "control",
            Purpose::GcFetch => "gc_fetch",
            Purpose::GcWriteBack => "gc_write_back",
            Purpose::GcControl => "gc_control",
            Purpose::PeerMark => "peer_mark",
        }
    }
}

/// Live counters; shareable between threads (`Arc<Counters>`).
#[derive(Debug, Default)]
pub struct Counters {
    messages: [AtomicU64; Purpose::COUNT],
    bytes_sent: [AtomicU64; Purpose::COUNT],
    bytes_received: [AtomicU64; Purpose::COUNT],
    round_trips: [AtomicU64; Purpose::COUNT],
}

impl Counters {
    pub fn new() -> Counters {
        Counters::default()
    }

    /// One frame of `bytes` wire bytes sent.
    pub fn sent(&self, p: Purpose, bytes: usize) {
        self.messages[p.index()].fetch_add(1, Ordering::Relaxed);
        self.bytes_sent[p.index()].fetch_add(bytes as u64, Ordering::Relaxed);
    }

    /// One frame of `bytes` wire bytes received.
    pub fn received(&self, p: Purpose, bytes: usize) {
        self.messages[p.index()].fetch_add(1, Ordering::Relaxed);
        self.bytes_received[p.index()].fetch_add(bytes as u64, Ordering::Relaxed);
    }

    /// Bytes that belong to `p` but travelled in a frame counted elsewhere.
    pub fn add_bytes(&self, p: Purpose, sent: usize, received: usize) {
        self.bytes_sent[p.index()].fetch_add(sent as u64, Ordering::Relaxed);
        self.bytes_received[p.index()].fetch_add(received as u64, Ordering::Relaxed);
    }

    pub fn round_trip(&self, p: Purpose) {
        self.round_trips[p.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> CounterSnapshot {
        let load = |a: &[AtomicU64; Purpose::COUNT]| {
            let mut v = [0u64; Purpose::COUNT];
            for (d, s) in v.iter_mut().zip(a) {
                *d = s.load(Ordering::Relaxed);
            }
            v
        };
        CounterSnapshot {
            messages: load(&self.messages),
            bytes_sent: load(&self.bytes_sent),
            bytes_received: load(&self.bytes_received),
            round_trips: load(&self.round_trips),
        }
    }
}

/// Counters at one moment, indexed by `Purpose::index()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CounterSnapshot {
    /// Frames, both directions.
    pub messages: [u64; Purpose::COUNT],
    /// Wire bytes sent (length prefixes included).
    pub bytes_sent: [u64; Purpose::COUNT],
    /// Wire bytes received (length prefixes included).
    pub bytes_received: [u64; Purpose::COUNT],
    /// Request/reply exchanges.
    pub round_trips: [u64; Purpose::COUNT],
}

impl CounterSnapshot {
    pub fn messages(&self, p: Purpose) -> u64 {
        self.messages[p.index()]
    }
    /// Bytes in both directions.
    pub fn bytes(&self, p: Purpose) -> u64 {
        self.bytes_sent[p.index()] + self.bytes_received[p.index()]
    }
    pub fn round_trips(&self, p: Purpose) -> u64 {
        self.round_trips[p.index()]
    }
    pub fn total_messages(&self) -> u64 {
        self.messages.iter().sum()
    }
    pub fn total_bytes(&self) -> u64 {
        self.bytes_sent.iter().sum::<u64>() + self.bytes_received.iter().sum::<u64>()
    }
    pub fn total_round_trips(&self) -> u64 {
        self.round_trips.iter().sum()
    }
}

impl AddAssign for CounterSnapshot {
    fn add_assign(&mut self, o: CounterSnapshot) {
        for i in 0..Purpose::COUNT {
            self.messages[i] += o.messages[i];
            self.bytes_sent[i] += o.bytes_sent[i];
            self.bytes_received[i] += o.bytes_received[i];
            self.round_trips[i] += o.round_trips[i];
        }
    }
}

impl Add for CounterSnapshot {
    type Output = CounterSnapshot;
    fn add(mut self, o: CounterSnapshot) -> CounterSnapshot {
        self += o;
        self
    }
}
