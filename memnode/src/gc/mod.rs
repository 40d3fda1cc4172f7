//! The offloaded collector's memnode side (issue 5; DESIGN.md §6, §7): one
//! old-space cycle of one tenant at a time.
//!
//! | step | request | module |
//! |---|---|---|
//! | the region table, bitmaps, worker pool start | `GcBegin` | here, [`mark`] |
//! | roots, SATB logs, peers' batches | `MarkRefs` | [`mark`] |
//! | idle flag and the four termination counters | `GcPoll` | [`mark`] |
//! | live bytes per region | `GcLiveness` | here |
//! | copy sparse regions, forwarding, BOT entries | `GcEvacuate` | [`evac`] |
//! | fix every ref, null dead objects' refs | `GcFixup` | [`evac`] |
//! | the VM's roots | `GcForward` | [`evac`] |
//! | peers pull our forwarding | `GetForwarding` | [`evac`] |
//! | links to other memnodes | | [`peers`] |
//!
//! The VM owns region ids, tops and the region table; a memnode learns them
//! only from `GcBegin` (every old region in use at initial mark, with its
//! top-at-mark-start and owner), `GcEvacuate` (fresh destinations) and
//! `GcFixup` (current tops). Objects at or above TAMS, and regions acquired
//! after `GcBegin`, are live by definition ("allocated black") and never
//! traced. Marks live in side bitmaps (one bit per 8-byte granule); objects
//! are never written during marking.

pub mod evac;
pub mod map;
pub mod mark;
pub mod peers;

use crate::node::lock;
use map::RegionMap;
use semeru_fabric::TenantId;
use semeru_gc::classes::ClassTable;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

pub use peers::{InprocPeers, PeerConnector, TcpPeers};

/// Refs per peer batch (and per forwarded root batch).
pub const MAX_BATCH: usize = 4096;

/// The smallest and largest region sizes a cycle accepts (log2).
pub const LOG_REGION_MIN: u8 = 12;
pub const LOG_REGION_MAX: u8 = 30;

/// What a region was at initial mark (`GcRegion::kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionKind {
    Old,
    /// The first region of a humongous object (its only object starts at the base).
    HumongousStart,
    /// A later region of a humongous run: holds no object start.
    Continuation,
}

impl RegionKind {
    pub fn from_u8(k: u8) -> Option<RegionKind> {
        Some(match k {
            0 => RegionKind::Old,
            1 => RegionKind::HumongousStart,
            2 => RegionKind::Continuation,
            _ => return None,
        })
    }
}

/// One old region in use at initial mark (`GcBegin::regions`).
pub use semeru_fabric::GcRegion;

/// `GcBegin` in plain types.
#[derive(Clone, Debug)]
pub struct BeginParams {
    pub cycle: u32,
    pub log_region: u8,
    pub young_refs: u32,
    pub self_index: u16,
    pub peers: Vec<String>,
    pub regions: Vec<GcRegion>,
}

/// Where a `MarkRefs` batch comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    /// Initial-mark roots from the VM.
    Root,
    /// Overwritten references logged by the VM's SATB barrier.
    Satb,
    /// Another memnode's batch (counted in `received`).
    Peer,
}

impl MarkKind {
    pub fn from_u8(k: u8) -> Option<MarkKind> {
        Some(match k {
            0 => MarkKind::Root,
            1 => MarkKind::Satb,
            2 => MarkKind::Peer,
            _ => return None,
        })
    }
}

/// `GcProgress`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub idle: bool,
    pub sent: u64,
    pub received: u64,
    pub marked_bytes: u64,
    pub marked_objects: u64,
    pub peer_bytes: u64,
    /// Refs deferred on pending pages.
    pub waiting: u64,
}

/// `GcEvacuated`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evacuated {
    pub copied_bytes: u64,
    pub moved_objects: u64,
    /// Per destination, in request order: region, top (offset in the region),
    /// and the raw block-offset-table entries of the cards covering `[0, top)`.
    pub dests: Vec<(u32, u32, Vec<u16>)>,
    /// Compressed start of each destination card holding a young reference.
    pub young_cards: Vec<u32>,
}

/// `GcFixed`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fixed {
    pub fixed_refs: u64,
    /// Changed 4 KiB pages: (region, offset / 4096), sorted, no duplicates.
    pub pages: Vec<(u32, u32)>,
    /// Changed slots of resident pages not in `pages`: (region, offset,
    /// value), sorted.
    pub patches: Vec<(u32, u32, u32)>,
}

/// Why a GC request failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GcError {
    /// No cycle, the wrong cycle, or a request out of order: `Error{State}`,
    /// the connection stays open.
    State(String),
    /// The request itself is invalid (bad region, bad geometry): `Error{State}`.
    Bad(String),
    /// The cycle broke (a peer link failed, the heap is corrupt): it cannot
    /// finish; the VM ends it and falls back.
    Failed(String),
}

impl std::fmt::Display for GcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GcError::State(m) | GcError::Bad(m) | GcError::Failed(m) => f.write_str(m),
        }
    }
}

/// Per-tenant totals over all cycles (`--status`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GcTotals {
    pub cycles: u64,
    pub marked_bytes: u64,
    pub evacuated_bytes: u64,
    pub peer_bytes: u64,
}

/// One region of the cycle's table.
pub(crate) struct Entry {
    pub region: u32,
    pub tams: u32,
    pub kind: RegionKind,
    pub span: u32,
    pub owner: u16,
    /// Mark bits of an own Old / humongous-start region (empty otherwise).
    pub bits: Box<[AtomicU64]>,
    pub live_bytes: AtomicU64,
    pub live_objects: AtomicU64,
}

impl Entry {
    /// Sets the mark bit of the object at `off`; true if it was clear.
    #[inline]
    pub fn mark(&self, off: usize) -> bool {
        let g = off >> 3;
        let Some(w) = self.bits.get(g / 64) else {
            return false;
        };
        let m = 1u64 << (g % 64);
        w.fetch_or(m, Relaxed) & m == 0
    }

    #[inline]
    pub fn is_marked(&self, off: usize) -> bool {
        let g = off >> 3;
        self.bits
            .get(g / 64)
            .is_some_and(|w| w.load(Relaxed) & (1u64 << (g % 64)) != 0)
    }

    /// The first marked offset in `[from, to)`.
    pub fn next_marked(&self, from: usize, to: usize) -> Option<usize> {
        let (g0, g1) = (from >> 3, to >> 3);
        let mut g = g0;
        while g < g1 {
            let w = self.bits.get(g / 64)?.load(Relaxed) >> (g % 64);
            if w != 0 {
                let hit = g + w.trailing_zeros() as usize;
                return (hit < g1).then_some(hit << 3);
            }
            g = (g / 64 + 1) * 64;
        }
        None
    }
}

/// The cycle's region table: every old region in use at initial mark.
pub(crate) struct Table {
    pub log_region: u32,
    pub young_refs: u32,
    pub self_index: u16,
    index: Vec<u32>,
    pub entries: Vec<Entry>,
}

/// What a reference means for this memnode.
pub(crate) enum Target<'a> {
    /// Nothing to do: null, young, allocated black, unknown, or not an object start.
    Ignore,
    /// One of our objects below TAMS.
    Own(&'a Entry, usize),
    /// An object below TAMS on memnode `owner`.
    Peer(u16),
}

impl Table {
    #[inline]
    pub fn entry(&self, region: u32) -> Option<&Entry> {
        let i = *self.index.get(region as usize)?;
        self.entries.get(i as usize)
    }

    /// Classifies the referent of compressed ref `r`.
    #[inline]
    pub fn target(&self, r: u32) -> Target<'_> {
        if r == 0 || r < self.young_refs {
            return Target::Ignore;
        }
        let a = u64::from(r) << 3;
        let Some(e) = self.entry((a >> self.log_region) as u32) else {
            return Target::Ignore;
        };
        let off = (a & ((1u64 << self.log_region) - 1)) as usize;
        if off >= e.tams as usize {
            return Target::Ignore;
        }
        match e.kind {
            RegionKind::Continuation => Target::Ignore,
            RegionKind::HumongousStart if off != 0 => Target::Ignore,
            _ if e.owner != self.self_index => Target::Peer(e.owner),
            _ => Target::Own(e, off),
        }
    }

    pub fn base(&self, region: u32) -> semeru_gc::addr::Addr {
        semeru_gc::addr::Addr(u64::from(region) << self.log_region)
    }
}

/// The state of one tenant's cycle on this memnode.
pub struct GcCycle {
    pub cycle: u32,
    pub(crate) tenant: TenantId,
    pub(crate) table: Table,
    pub(crate) peers: Vec<String>,
    /// Every region the tenant held here at `GcBegin`.
    pub(crate) map: RegionMap,
    pub(crate) classes: Arc<ClassTable>,
    pub(crate) connector: Option<Arc<dyn PeerConnector>>,
    pub(crate) pool: mark::Pool,
    pub(crate) marked_bytes: AtomicU64,
    pub(crate) marked_objects: AtomicU64,
    pub(crate) peer_bytes: AtomicU64,
    pub(crate) evacuated_bytes: AtomicU64,
    pub(crate) failed: Mutex<Option<String>>,
    /// Links used by request handlers (forwarded roots, `GetForwarding`).
    pub(crate) links: Mutex<Vec<Option<Box<dyn peers::Link>>>>,
    pub(crate) evac: Mutex<evac::EvacState>,
    pub(crate) threads: usize,
    /// Pages the VM held dirty at initial mark and has not written back yet
    /// (page number = address >> 12), each with the refs whose marking waits
    /// for it: this memnode's copy of such a page is older than the snapshot.
    pub(crate) pending: Mutex<Pending>,
    /// Whether `pending` has any page (the marking fast path's one test).
    pub(crate) pending_any: std::sync::atomic::AtomicBool,
}

/// See [`GcCycle::pending`].
#[derive(Default)]
pub(crate) struct Pending {
    pub pages: std::collections::HashMap<u64, Vec<u32>>,
    /// Refs waiting, over all pages.
    pub deferred: usize,
}

impl GcCycle {
    /// `GcBegin`: builds the table and bitmaps and starts `threads` marking
    /// workers. `regions` is every region the tenant holds on this memnode.
    pub fn begin(
        p: BeginParams,
        tenant: TenantId,
        regions: Vec<(u32, Arc<crate::region::RegionMem>)>,
        classes: Arc<ClassTable>,
        threads: usize,
        connector: Option<Arc<dyn PeerConnector>>,
    ) -> Result<Arc<GcCycle>, GcError> {
        if !(LOG_REGION_MIN..=LOG_REGION_MAX).contains(&p.log_region) {
            return Err(GcError::Bad(format!(
                "GcBegin: region size 2^{} is not between 2^{LOG_REGION_MIN} and 2^{LOG_REGION_MAX}",
                p.log_region
            )));
        }
        let log_region = u32::from(p.log_region);
        let rb = 1u64 << log_region;
        if usize::from(p.self_index) >= p.peers.len() {
            return Err(GcError::Bad(format!(
                "GcBegin: this memnode's index {} is not among its {} peers",
                p.self_index,
                p.peers.len()
            )));
        }
        let limit = map::ADDRESS_LIMIT >> log_region;
        let map = RegionMap::new(log_region, regions);
        let n = p
            .regions
            .iter()
            .map(|g| g.region as usize + 1)
            .max()
            .unwrap_or(0);
        let mut index = vec![map::NONE; n];
        let mut entries = Vec::with_capacity(p.regions.len());
        for g in &p.regions {
            let bad = |why: &str| Err(GcError::Bad(format!("GcBegin: region {}: {why}", g.region)));
            let Some(kind) = RegionKind::from_u8(g.kind) else {
                return bad(&format!("unknown kind {}", g.kind));
            };
            if u64::from(g.region) >= limit {
                return bad("beyond the 32 GiB that references address");
            }
            if u64::from(g.tams) > rb || g.tams % 8 != 0 {
                return bad(&format!("bad top-at-mark-start {}", g.tams));
            }
            if usize::from(g.owner) >= p.peers.len() {
                return bad(&format!("owner {} is not a memnode", g.owner));
            }
            if index[g.region as usize] != map::NONE {
                return bad("listed twice");
            }
            let own = g.owner == p.self_index;
            if own && map.get(g.region).is_none() {
                return bad("not held by this tenant here");
            }
            let traced = own && kind != RegionKind::Continuation;
            let words = if traced {
                (rb as usize / 8).div_ceil(64)
            } else {
                0
            };
            index[g.region as usize] = entries.len() as u32;
            entries.push(Entry {
                region: g.region,
                tams: g.tams,
                kind,
                span: g.span.max(1),
                owner: g.owner,
                bits: (0..words).map(|_| AtomicU64::new(0)).collect(),
                live_bytes: AtomicU64::new(0),
                live_objects: AtomicU64::new(0),
            });
        }
        let threads = threads.max(1);
        let npeers = p.peers.len();
        let (pool, locals) = mark::Pool::new(threads);
        let gc = Arc::new(GcCycle {
            cycle: p.cycle,
            tenant,
            table: Table {
                log_region,
                young_refs: p.young_refs,
                self_index: p.self_index,
                index,
                entries,
            },
            peers: p.peers,
            map,
            classes,
            connector,
            pool,
            marked_bytes: AtomicU64::new(0),
            marked_objects: AtomicU64::new(0),
            peer_bytes: AtomicU64::new(0),
            evacuated_bytes: AtomicU64::new(0),
            failed: Mutex::new(None),
            links: Mutex::new((0..npeers).map(|_| None).collect()),
            evac: Mutex::new(evac::EvacState::default()),
            threads,
            pending: Mutex::new(Pending::default()),
            pending_any: std::sync::atomic::AtomicBool::new(false),
        });
        mark::start_workers(&gc, locals).map_err(GcError::Failed)?;
        Ok(gc)
    }

    /// Records that the cycle cannot finish (the first reason wins).
    pub(crate) fn fail(&self, why: String) {
        tracing::warn!(
            "tenant {:016x}: GC cycle {} failed: {why}",
            self.tenant,
            self.cycle
        );
        let mut f = lock(&self.failed);
        if f.is_none() {
            *f = Some(why);
        }
    }

    pub(crate) fn check_failed(&self) -> Result<(), GcError> {
        match &*lock(&self.failed) {
            Some(m) => Err(GcError::Failed(format!(
                "GC cycle {} failed: {m}",
                self.cycle
            ))),
            None => Ok(()),
        }
    }

    /// `GcLiveness`: live bytes and objects of every own Old and humongous-start
    /// region (marked objects below TAMS), by region id.
    pub fn liveness(&self) -> Result<Vec<(u32, u64, u64)>, GcError> {
        self.check_failed()?;
        let mut v: Vec<(u32, u64, u64)> = self
            .table
            .entries
            .iter()
            .filter(|e| e.owner == self.table.self_index && e.kind != RegionKind::Continuation)
            .map(|e| {
                (
                    e.region,
                    e.live_bytes.load(Relaxed),
                    e.live_objects.load(Relaxed),
                )
            })
            .collect();
        v.sort_unstable_by_key(|x| x.0);
        Ok(v)
    }

    /// `GcPeek`: the header (two halves) and the next 32 bits of the object
    /// at each ref, from this memnode's copy. A ref outside the cycle's
    /// regions here, or whose 12 bytes pass its region's end, is refused.
    pub fn peek(&self, refs: &[u32]) -> Result<Vec<u32>, GcError> {
        let rb = self.map.region_bytes() as usize;
        let mut out = Vec::with_capacity(3 * refs.len());
        for &r in refs {
            let a = semeru_gc::addr::Ref(r).addr();
            match self.map.locate(a) {
                Some((m, off)) if r != 0 && off % 8 == 0 && off + 12 <= rb => {
                    let h = m.load_u64(off);
                    out.extend([h as u32, (h >> 32) as u32, m.load_u32(off + 8)]);
                }
                _ => {
                    return Err(GcError::Bad(format!(
                        "peek at {:#x}: not an object address in this tenant's regions here",
                        a.0
                    )))
                }
            }
        }
        Ok(out)
    }

    /// Whether the marked bit of own object `r` is set (tests, verification).
    pub fn is_marked(&self, r: u32) -> bool {
        match self.table.target(r) {
            Target::Own(e, off) => e.is_marked(off),
            _ => false,
        }
    }

    /// Totals of this cycle for the tenant's `--status` line.
    pub fn totals(&self) -> GcTotals {
        GcTotals {
            cycles: 1,
            marked_bytes: self.marked_bytes.load(Relaxed),
            evacuated_bytes: self.evacuated_bytes.load(Relaxed),
            peer_bytes: self.peer_bytes.load(Relaxed),
        }
    }

    /// `GcEnd` (or the tenant went away): stops and joins the workers.
    pub fn end(&self) {
        self.pool.stop(true);
    }

    /// Signals the workers to stop without waiting for them.
    pub fn abort(&self) {
        self.pool.stop(false);
    }

    /// Regions this memnode evacuated in this cycle.
    pub fn sources(&self) -> HashSet<u32> {
        lock(&self.evac).sources.clone()
    }
}

impl Drop for GcCycle {
    fn drop(&mut self) {
        // Possibly on a worker thread (the last holder): signal, never join.
        self.pool.stop(false);
    }
}
