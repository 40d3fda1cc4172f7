//! Where old regions live when they are not local: the one interface between the
//! page cache ([`crate::memory`]) and the memnodes (DESIGN.md §4, §5, §8).
//!
//! The cache speaks in regions and byte offsets; the implementation decides
//! which memnode is each region's home, talks the fabric protocol, and counts
//! bytes by purpose. `remote::Memnodes` implements it over fabric clients
//! (in-process or TCP); tests implement it over a `HashMap`.

use crate::addr::{Ref, RegionId};

/// A range of a region: `len` bytes at `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageAddr {
    pub region: RegionId,
    pub offset: u32,
    pub len: u32,
}

/// Why a region could not be created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AcquireError {
    /// Every memnode is full: the heap treats it like a full old space (a last
    /// full collection, then `OutOfMemoryError`).
    CapacityExhausted(String),
    /// The fabric failed: fatal.
    Fatal(String),
}

/// A fabric failure the heap cannot recover from (a memnode died, timed out, or
/// answered with a protocol error). The heap reports it and exits 70.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendError(pub String);

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Fabric traffic so far, summed over memnodes (`--stats`, `--stats-json`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FabricTotals {
    /// Page bytes read from memnodes (mutator and GC).
    pub bytes_fetched: u64,
    /// Page bytes written to memnodes (mutator and GC).
    pub bytes_written_back: u64,
    /// Control-path bytes, both directions (region allocation, layouts, stats).
    pub bytes_control: u64,
    /// Page bytes fetched or written back while the VM was collecting.
    pub gc_bytes: u64,
    /// Request/response exchanges, all purposes.
    pub round_trips: u64,
    /// Frames sent and received, all purposes.
    pub messages: u64,
}

/// One memnode as `--stats` lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemnodeInfo {
    /// `embedded#0` or `HOST:PORT`.
    pub name: String,
    pub regions: u64,
    pub bytes_fetched: u64,
    pub bytes_written_back: u64,
}

/// One old region as an offloaded collection cycle sees it (`GcBegin`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GcRegionInfo {
    pub region: RegionId,
    /// Top at mark start, as an offset in the region: objects at or above it
    /// are implicitly live (allocated black).
    pub tams: u32,
    /// 0 old, 1 humongous start, 2 humongous continuation.
    pub kind: u8,
    /// Regions of the humongous run (1 otherwise).
    pub span: u32,
}

/// One memnode's answer to a marking poll.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MarkProgress {
    pub idle: bool,
    pub sent: u64,
    pub received: u64,
    pub marked_bytes: u64,
    pub marked_objects: u64,
    pub peer_bytes: u64,
}

/// A destination region filled by an evacuation: its top (offset) and the
/// block-offset-table entries of its cards (`BlockOffsetTable::import`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvacDest {
    pub region: RegionId,
    pub top: u32,
    pub bot: Vec<u16>,
}

/// What one memnode's evacuation did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EvacResult {
    pub copied_bytes: u64,
    pub moved_objects: u64,
    pub dests: Vec<EvacDest>,
}

/// What the reference fixup did: the 4 KiB pages it changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixResult {
    pub fixed_refs: u64,
    pub pages: Vec<PageAddr>,
}

fn no_offload() -> BackendError {
    BackendError("offloaded collection not supported".into())
}

/// The memory behind old regions.
pub trait PageBackend: Send {
    /// How many memnodes hold regions.
    fn memnodes(&self) -> usize;
    /// Creates zeroed backing for region `r` of `bytes` bytes on some memnode
    /// (the implementation picks the home: striped or by free space).
    fn acquire(&mut self, r: RegionId, bytes: u32) -> Result<(), AcquireError>;
    /// Drops the backing of regions (their contents are garbage now).
    fn release(&mut self, rs: &[RegionId]) -> Result<(), BackendError>;
    /// One batched exchange: stores every `(range, bytes)` of `writes`, then
    /// reads every range of `reads` and appends their bytes to `out`, in order.
    /// `gc` says whether the collector (not the mutator) caused the traffic.
    fn page_io(
        &mut self,
        writes: &[(PageAddr, &[u8])],
        reads: &[PageAddr],
        out: &mut Vec<u8>,
        gc: bool,
    ) -> Result<(), BackendError>;
    /// Sends the class layout table (encoded by `layout::encode_table`) to every
    /// memnode, replacing what it had.
    fn upload_layouts(&mut self, blob: &[u8]) -> Result<(), BackendError>;
    /// Traffic so far.
    fn totals(&self) -> FabricTotals;
    /// Per-memnode figures.
    fn nodes(&self) -> Vec<MemnodeInfo>;
    /// Ends the session: the memnodes release this tenant's regions now.
    fn shutdown(&mut self);

    // The offloaded old collection (issue 5). Defaults: not supported.

    /// The memnode holding region `r`, if it is acquired.
    fn home_of(&self, _r: RegionId) -> Option<usize> {
        None
    }
    /// As [`PageBackend::acquire`], on memnode `node`.
    fn acquire_on(&mut self, r: RegionId, bytes: u32, _node: usize) -> Result<(), AcquireError> {
        self.acquire(r, bytes)
    }
    /// Whether the memnodes can run the offloaded collector.
    fn supports_offload(&self) -> bool {
        false
    }
    /// Starts cycle `cycle` on every memnode (owner = `home_of(region)`).
    fn gc_begin(
        &mut self,
        _cycle: u32,
        _log_region: u32,
        _young_refs: u32,
        _regions: &[GcRegionInfo],
    ) -> Result<(), BackendError> {
        Err(no_offload())
    }
    /// Sends marking work (kind 0 root, 1 satb), grouped by home; refs with
    /// no home are dropped.
    fn gc_mark_refs(&mut self, _cycle: u32, _kind: u8, _refs: &[Ref]) -> Result<(), BackendError> {
        Err(no_offload())
    }
    /// One progress report per memnode, in index order.
    fn gc_poll(&mut self, _cycle: u32) -> Result<Vec<MarkProgress>, BackendError> {
        Err(no_offload())
    }
    /// Live bytes and objects per region (marked objects below TAMS).
    fn gc_liveness(&mut self, _cycle: u32) -> Result<Vec<(RegionId, u64, u64)>, BackendError> {
        Err(no_offload())
    }
    /// Memnode `node` evacuates `sources` into `dests` (all homed on it).
    fn gc_evacuate(
        &mut self,
        _cycle: u32,
        _node: usize,
        _sources: &[RegionId],
        _dests: &[RegionId],
    ) -> Result<EvacResult, BackendError> {
        Err(no_offload())
    }
    /// Every memnode fixes the references of its staying regions; `tops` is
    /// split by home. The changed pages of all memnodes, concatenated.
    fn gc_fixup(
        &mut self,
        _cycle: u32,
        _tops: &[(RegionId, u32)],
    ) -> Result<FixResult, BackendError> {
        Err(no_offload())
    }
    /// Forwards `refs` (same order; unmoved ones unchanged).
    fn gc_forward(&mut self, _cycle: u32, _refs: &[Ref]) -> Result<Vec<Ref>, BackendError> {
        Err(no_offload())
    }
    /// Ends (or aborts) cycle `cycle`: the memnodes drop its state.
    fn gc_end(&mut self, _cycle: u32) -> Result<(), BackendError> {
        Err(no_offload())
    }
}
