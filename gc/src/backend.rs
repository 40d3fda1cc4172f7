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

/// One old region in use at initial mark (`PageBackend::gc_begin`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GcRegionInfo {
    pub region: RegionId,
    /// Top at mark start, an offset in the region.
    pub tams: u32,
    /// 0 old, 1 humongous start, 2 continuation (`semeru_fabric::proto::region_kind`).
    pub kind: u8,
    /// Regions of the humongous run (at its start), else 1.
    pub span: u32,
}

/// One memnode's marking progress (`PageBackend::gc_poll`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MarkProgress {
    pub idle: bool,
    /// Peer batches sent.
    pub sent: u64,
    /// Peer batches enqueued.
    pub received: u64,
    pub marked_bytes: u64,
    pub marked_objects: u64,
    pub peer_bytes: u64,
    /// Refs whose marking waits for a page the VM has not written back
    /// (see [`PageBackend::gc_pending`]).
    pub waiting: u64,
}

/// A destination region of an evacuation: its new top and the block-offset
/// entries of the cards it covers.
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
    /// The start of every destination card whose moved objects hold a young
    /// reference (the remembered set follows the objects).
    pub young_cards: Vec<Ref>,
}

/// What the reference fix-up changed, over all memnodes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixResult {
    pub fixed_refs: u64,
    /// The 4 KiB pages rewritten (offset = page × 4096, len 4096), to drop.
    pub pages: Vec<PageAddr>,
    /// Rewritten 32-bit slots of resident pages not in `pages`:
    /// `(region, offset, value)`, to apply to the cached copies.
    pub patches: Vec<(RegionId, u32, u32)>,
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

    // ------------------------------------------------ offloaded old collection
    // (DESIGN.md §6, the issue-5 contract). Defaults: not supported.

    /// The memnode index holding region `r`, if any.
    fn home_of(&self, r: RegionId) -> Option<usize> {
        let _ = r;
        None
    }
    /// Like [`PageBackend::acquire`], on memnode `node` (evacuation
    /// destinations, humongous continuations).
    fn acquire_on(&mut self, r: RegionId, bytes: u32, node: usize) -> Result<(), AcquireError> {
        let _ = (r, bytes, node);
        Err(AcquireError::Fatal(no_offload().0))
    }
    /// Whether the memnodes can mark and evacuate (the `gc_*` methods work).
    fn supports_offload(&self) -> bool {
        false
    }
    /// Starts cycle `cycle` on every memnode: every old region in use (the
    /// owner of each is `home_of(region)`).
    fn gc_begin(
        &mut self,
        cycle: u32,
        log_region: u32,
        young_refs: u32,
        regions: &[GcRegionInfo],
    ) -> Result<(), BackendError> {
        let _ = (cycle, log_region, young_refs, regions);
        Err(no_offload())
    }
    /// Sends references to mark to their homes (`kind`: 0 root, 1 SATB);
    /// null refs and refs with no home are dropped.
    fn gc_mark_refs(&mut self, cycle: u32, kind: u8, refs: &[Ref]) -> Result<(), BackendError> {
        let _ = (cycle, kind, refs);
        Err(no_offload())
    }
    /// Tells every memnode which of its pages (`(region, page index)`, 4 KiB)
    /// the VM holds dirty without having written them back since the initial
    /// mark: marking waits for each until a write-back brings it. Each call
    /// replaces the last; the first comes before any root.
    fn gc_pending(&mut self, cycle: u32, pages: &[(RegionId, u32)]) -> Result<(), BackendError> {
        let _ = (cycle, pages);
        Err(no_offload())
    }
    /// Each memnode's progress, in memnode order.
    fn gc_poll(&mut self, cycle: u32) -> Result<Vec<MarkProgress>, BackendError> {
        let _ = cycle;
        Err(no_offload())
    }
    /// `(region, live bytes, live objects)` of marked objects below TAMS, all memnodes.
    fn gc_liveness(&mut self, cycle: u32) -> Result<Vec<(RegionId, u64, u64)>, BackendError> {
        let _ = cycle;
        Err(no_offload())
    }
    /// Memnode `node` copies the marked objects of `sources` into `dests`
    /// (all homed on `node`).
    fn gc_evacuate(
        &mut self,
        cycle: u32,
        node: usize,
        sources: &[RegionId],
        dests: &[RegionId],
    ) -> Result<EvacResult, BackendError> {
        let _ = (cycle, node, sources, dests);
        Err(no_offload())
    }
    /// Every memnode fixes references to moved objects in its regions that
    /// stay (`tops`: every old region's top, split by home). `resident`: the
    /// `(region, page index)` of every page the VM caches, all clean; their
    /// changes come back as patches where that is cheaper than a fetch.
    /// `skip`: `(region, from, to)` object-aligned offset ranges, sorted, that
    /// the VM holds dirty and fixes itself: the memnodes pass over them.
    fn gc_fixup(
        &mut self,
        cycle: u32,
        tops: &[(RegionId, u32)],
        resident: &[(RegionId, u32)],
        skip: &[(RegionId, u32, u32)],
    ) -> Result<FixResult, BackendError> {
        let _ = (cycle, tops, resident, skip);
        Err(no_offload())
    }
    /// Forwards references (same order; unmoved ones unchanged).
    fn gc_forward(&mut self, cycle: u32, refs: &[Ref]) -> Result<Vec<Ref>, BackendError> {
        let _ = (cycle, refs);
        Err(no_offload())
    }
    /// The first 12 bytes (header, then the 32 bits after it) of each object
    /// at `refs`, below TAMS, as its memnode holds them: for a dirty page the
    /// VM keeps but cannot walk, because the object covering its start
    /// begins on a page it no longer caches. Same order as `refs`.
    fn gc_peek(&mut self, cycle: u32, refs: &[Ref]) -> Result<Vec<[u32; 3]>, BackendError> {
        let _ = (cycle, refs);
        Err(no_offload())
    }
    /// Ends (or aborts) the cycle on every memnode.
    fn gc_end(&mut self, cycle: u32) -> Result<(), BackendError> {
        let _ = cycle;
        Err(no_offload())
    }
}
