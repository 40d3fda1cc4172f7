//! Where old regions live when they are not local: the one interface between the
//! page cache ([`crate::memory`]) and the memnodes (DESIGN.md §4, §5, §8).
//!
//! The cache speaks in regions and byte offsets; the implementation decides
//! which memnode is each region's home, talks the fabric protocol, and counts
//! bytes by purpose. `remote::Memnodes` implements it over fabric clients
//! (in-process or TCP); tests implement it over a `HashMap`.

use crate::addr::RegionId;

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
    /// Page bytes fetched or written back while the VM was collecting, plus
    /// the offloaded collection's control messages (`Purpose::GcControl`).
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
}
