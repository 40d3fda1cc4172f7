//! The generational plan: composes the nursery, old space and side metadata into
//! one collector and decides when to run which collection (MMTk's `plan/`).
//!
//! Policy:
//! - Small objects are bump-allocated in eden; objects above
//!   `min(eden/2, region/2)` go straight to old space, above `region/2` as
//!   humongous objects.
//! - When eden is full, a young collection runs if old space can take the worst
//!   case of promotions within `--heap` (Serial's promotion guarantee); otherwise,
//!   or if promotion pushed old space over its limit, a full collection runs.
//! - A full collection marks the whole heap, frees empty regions, evacuates every
//!   live young object and the sparse old regions into fresh regions, and fixes
//!   all references. Afterwards the nursery is empty and no card is dirty.
//! - If old space is still over its limit after a full collection, allocation
//!   fails with [`OutOfMemory`] until a later full collection brings it under.

use std::time::Instant;

mod full;
pub mod offload;

use crate::addr::{Addr, Ref, RegionId};
use crate::backend::PageBackend;
use crate::classes::ClassTable;
use crate::collector::{scavenge, verify};
use crate::heap::{HeapConfig, HeapError, OutOfMemory, RootSet};
use crate::memory::PagedMemory;
use crate::metadata::{
    bitmap::MarkBitmap, bot::BlockOffsetTable, cards::CardTable, forwarding::ForwardingTable,
};
use crate::policy::{nursery::Nursery, old::OldSpace};
use crate::region::{Geometry, RegionTable, Space};
use crate::stats::{self, GcStats, Pause};
use crate::view::LocalView;

/// Under `--gc-stress`, at most every this many collections is a full one...
const STRESS_FULL_EVERY: u64 = 16;
/// ...and only once the mutator allocated `1/STRESS_ALLOC_SHARE` of the old
/// space since the last full collection. Likewise, under `--verify-heap`, the
/// whole heap is verified after a stress collection once `1/STRESS_ALLOC_SHARE`
/// of the heap in use was allocated since the last whole-heap verification.
/// Both keep stress runs linear in allocation: a full collection or a
/// whole-heap check of a large heap at every sixteenth allocation made stress
/// runs of allocation-heavy programs take hours.
const STRESS_ALLOC_SHARE: u64 = 4;
/// Smallest region the plan shrinks to for small heaps.
const MIN_AUTO_REGION: usize = 64 << 10;
/// Small heaps get smaller regions so that old space has at least this many.
const MIN_OLD_REGIONS: usize = 16;

/// The kind of a stop-the-world collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GcKind {
    Young,
    Full,
}

impl GcKind {
    fn name(self) -> &'static str {
        match self {
            GcKind::Young => "young",
            GcKind::Full => "full",
        }
    }
}

pub struct Generational {
    pub cfg: HeapConfig,
    pub geom: Geometry,
    pub regions: RegionTable,
    pub nursery: Nursery,
    pub old: OldSpace,
    pub cards: CardTable,
    pub bot: BlockOffsetTable,
    pub marks: MarkBitmap,
    pub fwd: ForwardingTable,
    pub stats: GcStats,
    /// Compressed refs below this are young.
    pub young_refs: u32,
    /// Larger objects are allocated in old space directly.
    pub large_threshold: usize,
    start: Instant,
    /// Young collections since the last full one.
    pub(super) young_since_full: u64,
    /// `fabric.gc_bytes` when the current offloaded pause began.
    pause_fabric: u64,
    /// `stats.bytes_allocated` at the last full collection.
    pub(super) allocated_at_full: u64,
    /// `stats.bytes_allocated` at the last whole-heap verification.
    allocated_at_verify: u64,
    /// Old object starts the verifier has checked since the last full
    /// collection (`--verify-heap` only).
    known_old: Option<MarkBitmap>,
    /// An offloaded marking runs: reference stores log what they overwrite
    /// (the SATB barrier's one test on the store path).
    pub satb_active: bool,
    /// The running offloaded cycle.
    cycle: Option<offload::Cycle>,
    /// Offloaded cycles started (the fabric's cycle numbers).
    cycles_started: u32,
    /// `GC(n)` of the `--gc-log` lines: collections and cycles so far.
    gc_id: u64,
    /// Young collections since the last offloaded cycle started.
    young_since_cycle: u64,
    /// `stats.bytes_allocated` when the last offloaded cycle started.
    allocated_at_cycle: u64,
    /// Old-space bytes in use after the last offloaded cycle.
    old_after_cycle: usize,
    /// The next young collection promotes every survivor (a full collection
    /// asked of the offloaded collector).
    tenure_all: bool,
}

impl Generational {
    /// Lays out the address space for `cfg` and reserves its memory: old space
    /// behind a page cache over `backend`, or all local without one.
    pub fn new(
        cfg: &HeapConfig,
        backend: Option<Box<dyn PageBackend>>,
    ) -> Result<(Generational, PagedMemory), HeapError> {
        let err = |m: String| Err(HeapError(m));
        if !cfg.region_bytes.is_power_of_two() || cfg.region_bytes < 4096 {
            return err(format!(
                "region size {} is not a power of two of at least 4096",
                cfg.region_bytes
            ));
        }
        if cfg.heap_bytes < 1 << 20 || cfg.young_bytes < 4096 || cfg.young_bytes >= cfg.heap_bytes {
            return err(format!(
                "heap of {} bytes with a {}-byte nursery is too small",
                cfg.heap_bytes, cfg.young_bytes
            ));
        }
        let old_limit = cfg.heap_bytes - cfg.young_bytes;
        let mut rb = cfg.region_bytes;
        while rb > MIN_AUTO_REGION && old_limit / rb < MIN_OLD_REGIONS {
            rb /= 2;
        }
        let nursery_regions = cfg.young_bytes.div_ceil(rb);
        let old_limit_regions = (old_limit / rb).max(1);
        let reserve = old_limit_regions + 2 * nursery_regions + 4;
        let total = nursery_regions + reserve;
        if (total as u64) * (rb as u64) > 32 << 30 {
            return err(format!(
                "heap of {} bytes exceeds the 32 GiB reach of compressed references",
                cfg.heap_bytes
            ));
        }
        let geom = Geometry {
            log_region: rb.trailing_zeros(),
            nursery_regions: nursery_regions as u32,
            old_limit_regions: old_limit_regions as u32,
            total_regions: total as u32,
        };
        let mem = match PagedMemory::new(
            geom.total_bytes(),
            geom.log_region,
            geom.old_base().0 as usize,
            backend,
            cfg.cache_bytes,
        ) {
            Ok(m) => m,
            Err(e) => return err(e),
        };
        let mut cfg = cfg.clone();
        cfg.region_bytes = rb;
        let offload = cfg.gc == crate::heap::GcMode::Offload && mem.supports_offload();
        let nursery = Nursery::new(cfg.young_bytes);
        let mut regions = RegionTable::new(geom);
        for i in 0..geom.nursery_regions {
            let r = RegionId(i);
            let space = if regions.base(r) < nursery.eden.end {
                Space::Eden
            } else {
                Space::Survivor
            };
            regions.set_young(r, space);
        }
        let old_base = geom.old_base();
        let plan = Generational {
            large_threshold: geom.humongous_threshold().min(nursery.eden.capacity() / 2),
            young_refs: (old_base.0 >> crate::addr::LOG_GRANULE) as u32,
            cards: CardTable::new(old_base, geom.old_reserve_bytes()),
            bot: BlockOffsetTable::new(old_base, geom.old_reserve_bytes()),
            marks: MarkBitmap::new(geom.total_bytes()),
            fwd: ForwardingTable::new(total, geom.log_region)
                .with_young_refs((old_base.0 >> crate::addr::LOG_GRANULE) as u32),
            old: OldSpace::default(),
            stats: GcStats::with_offload(offload),
            start: Instant::now(),
            young_since_full: 0,
            tenure_all: false,
            pause_fabric: 0,
            allocated_at_full: 0,
            allocated_at_verify: 0,
            known_old: cfg.verify.then(|| MarkBitmap::new(geom.total_bytes())),
            satb_active: false,
            cycle: None,
            cycles_started: 0,
            gc_id: 0,
            young_since_cycle: 0,
            allocated_at_cycle: 0,
            old_after_cycle: 0,
            nursery,
            regions,
            geom,
            cfg,
        };
        Ok((plan, mem))
    }

    /// Bytes in use: nursery plus old space.
    pub fn used_bytes(&self) -> usize {
        self.nursery.used() + self.regions.old_used_bytes()
    }

    /// The write barrier's slow half: `v` (young) was stored in old slot `slot`.
    #[inline(always)]
    pub fn remember(&mut self, slot: Addr) {
        self.cards.dirty(slot);
    }

    /// True if `v` is a non-null reference into the nursery.
    #[inline(always)]
    pub fn is_young(&self, v: Ref) -> bool {
        v.0.wrapping_sub(1) < self.young_refs - 1
    }

    /// Allocates `size` zeroed bytes when the eden fast path failed (or under
    /// `--gc-stress`). May collect.
    pub fn alloc_slow(
        &mut self,
        mem: &mut PagedMemory,
        classes: &ClassTable,
        size: usize,
        roots: &mut dyn RootSet,
    ) -> Result<Addr, OutOfMemory> {
        if self.cfg.stress {
            // An offloaded cycle costs a few milliseconds even on an empty
            // heap (a local full collection there, microseconds), so under
            // offload it also waits for a quarter of a nursery of allocation.
            let floor = if self.offload_available(mem) {
                self.cfg.young_bytes
            } else {
                0
            };
            let full = self.young_since_full + 1 >= STRESS_FULL_EVERY
                && (self.stats.bytes_allocated - self.allocated_at_full) * STRESS_ALLOC_SHARE
                    >= self.regions.old_used_bytes().max(floor) as u64;
            self.collect(full, mem, classes, roots);
        }
        let a = if size > self.large_threshold {
            self.alloc_large(mem, classes, size, roots)?
        } else {
            self.alloc_small(mem, classes, size, roots)?
        };
        mem.zero(a, size);
        self.stats.bytes_allocated += size as u64;
        Ok(a)
    }

    fn alloc_small(
        &mut self,
        mem: &mut PagedMemory,
        classes: &ClassTable,
        size: usize,
        roots: &mut dyn RootSet,
    ) -> Result<Addr, OutOfMemory> {
        if let Some(a) = self.nursery.alloc(size) {
            return Ok(a);
        }
        self.collect(false, mem, classes, roots);
        if let Some(a) = self.nursery.alloc(size) {
            return Ok(a);
        }
        self.collect(true, mem, classes, roots);
        self.nursery.alloc(size).ok_or(OutOfMemory)
    }

    fn alloc_large(
        &mut self,
        mem: &mut PagedMemory,
        classes: &ClassTable,
        size: usize,
        roots: &mut dyn RootSet,
    ) -> Result<Addr, OutOfMemory> {
        let rb = self.geom.region_bytes();
        if size.div_ceil(rb) > self.geom.old_limit_regions as usize {
            return Err(OutOfMemory);
        }
        if let Some(a) = self.try_alloc_old(mem, classes, size) {
            return Ok(a);
        }
        self.collect(true, mem, classes, roots);
        if let Some(a) = self.try_alloc_old(mem, classes, size) {
            return Ok(a);
        }
        if self.offload_available(mem) {
            // The offloaded cycle did not free enough: the local collector
            // is the last resort.
            self.pause(GcKind::Full, mem, classes, roots);
        }
        self.try_alloc_old(mem, classes, size).ok_or(OutOfMemory)
    }

    /// Allocates directly in old space if that stays within the limit.
    fn try_alloc_old(
        &mut self,
        mem: &mut PagedMemory,
        classes: &ClassTable,
        size: usize,
    ) -> Option<Addr> {
        let humongous = size > self.geom.humongous_threshold();
        let need = if humongous {
            size.div_ceil(self.geom.region_bytes())
        } else {
            usize::from(self.old.current_free(&self.regions) < size)
        };
        if self.regions.old_in_use() as usize + need > self.geom.old_limit_regions as usize {
            return None;
        }
        let mut view = LocalView { mem, classes };
        if humongous {
            OldSpace::alloc_humongous(&mut view, &mut self.regions, &mut self.bot, size)
        } else {
            self.old
                .alloc(&mut view, &mut self.regions, &mut self.bot, size)
        }
    }

    /// Old space is over `--heap`, or holds regions the memnodes had no room
    /// for: the mutator may not allocate until a full collection fixes it.
    pub fn over_limit(&self, mem: &PagedMemory) -> bool {
        self.regions.old_in_use() > self.geom.old_limit_regions || mem.overflow_regions() > 0
    }

    /// Whether old space can absorb every young survivor within the limit.
    fn promotion_guaranteed(&self, mem: &PagedMemory) -> bool {
        if mem.overflow_regions() > 0 {
            return false;
        }
        let rb = self.geom.region_bytes();
        let free_regions = (self.geom.old_limit_regions as usize)
            .saturating_sub(self.regions.old_in_use() as usize);
        let free = free_regions * rb + self.old.current_free(&self.regions);
        let need = self.nursery.used();
        free >= need + need / 8 + rb
    }

    /// Collects now: a young collection (upgraded to a full one when needed) or a
    /// full one.
    pub fn collect(
        &mut self,
        full: bool,
        mem: &mut PagedMemory,
        classes: &ClassTable,
        roots: &mut dyn RootSet,
    ) {
        if !full && self.promotion_guaranteed(mem) {
            self.pause(GcKind::Young, mem, classes, roots);
            if !self.over_limit(mem) {
                self.after_young(mem, classes, roots);
                return;
            }
        }
        if self.offload_available(mem) {
            // A synchronous offloaded cycle (finishing the running one);
            // the local collector only if that did not free enough.
            if self.cycle.is_some() || self.start_old_cycle(mem, classes, roots) {
                self.finish_cycle(mem, classes, roots, true);
            }
            // The cycle leaves the nursery alone: empty eden now (the whole
            // nursery if a full collection was asked for), into the old space
            // the cycle freed.
            let left = |n: &Nursery| if full { n.used() } else { n.eden.used() };
            if left(&self.nursery) > 0 && self.promotion_guaranteed(mem) {
                self.tenure_all = full;
                self.pause(GcKind::Young, mem, classes, roots);
                self.tenure_all = false;
            }
            if left(&self.nursery) == 0 && !self.over_limit(mem) {
                return;
            }
        }
        self.pause(GcKind::Full, mem, classes, roots);
    }

    fn pause(
        &mut self,
        kind: GcKind,
        mem: &mut PagedMemory,
        classes: &ClassTable,
        roots: &mut dyn RootSet,
    ) {
        if kind == GcKind::Full {
            // The local collector moves objects under a running cycle: the
            // memnodes drop it.
            self.abort_cycle(mem);
        }
        self.gc_id += 1;
        if self.cfg.verify {
            // What the mutator did since the last collection, before the
            // collector trips over it.
            self.verify(
                kind.name(),
                "before",
                verify::Scope::Young,
                mem,
                classes,
                roots,
            );
            if kind == GcKind::Full {
                // Old objects may move or die now.
                if let Some(k) = &mut self.known_old {
                    for r in self.regions.old_regions() {
                        k.clear_range(self.regions.base(r), self.regions.end(r));
                    }
                }
            }
        }
        let before = self.used_bytes();
        let t = Instant::now();
        let fabric = mem.fabric().gc_bytes;
        mem.set_gc(true);
        match kind {
            GcKind::Young => self.young(mem, classes, roots),
            GcKind::Full => self.full(mem, classes, roots),
        }
        mem.set_gc(false);
        self.stats
            .add_fabric(kind.name(), mem.fabric().gc_bytes - fabric);
        let p = Pause {
            kind: kind.name(),
            heap_before: before,
            heap_after: self.used_bytes(),
            millis: t.elapsed().as_secs_f64() * 1e3,
        };
        if self.cfg.log {
            eprintln!(
                "{}",
                stats::log_line(self.start.elapsed(), self.gc_id, &p, self.cfg.heap_bytes)
            );
        }
        self.stats.record(p);
        match kind {
            GcKind::Young => {
                self.young_since_full += 1;
                self.young_since_cycle += 1;
            }
            GcKind::Full => {
                self.young_since_full = 0;
                self.allocated_at_full = self.stats.bytes_allocated;
            }
        }
        if self.cfg.verify {
            // Under stress the next collection, one allocation away, checks the
            // roots, nursery and dirty cards first; the whole heap is checked
            // in proportion to allocation.
            let since = self.stats.bytes_allocated - self.allocated_at_verify;
            if !self.cfg.stress
                || kind == GcKind::Full
                || since * STRESS_ALLOC_SHARE >= self.used_bytes() as u64
            {
                self.allocated_at_verify = self.stats.bytes_allocated;
                self.verify(
                    kind.name(),
                    "after",
                    verify::Scope::Full,
                    mem,
                    classes,
                    roots,
                );
            }
        }
    }

    /// Runs the heap verifier; panics with its report if the heap is corrupt.
    fn verify(
        &mut self,
        kind: &str,
        when: &str,
        scope: verify::Scope,
        mem: &mut PagedMemory,
        classes: &ClassTable,
        roots: &mut dyn RootSet,
    ) {
        mem.set_gc(true);
        let view = LocalView { mem, classes };
        let sp = verify::Spaces {
            regions: &self.regions,
            nursery: &self.nursery,
            cards: &self.cards,
            bot: &self.bot,
        };
        let known = self.known_old.as_mut();
        let res = verify::verify(&view, sp, scope, &mut self.marks, known, roots);
        mem.set_gc(false);
        if let Err(e) = res {
            let n = self.stats.pause_count() + usize::from(when == "before");
            panic!("{when} {kind} collection #{n}: {e}");
        }
    }

    fn young(&mut self, mem: &mut PagedMemory, classes: &ClassTable, roots: &mut dyn RootSet) {
        let mut view = LocalView { mem, classes };
        let spaces = scavenge::YoungSpaces {
            regions: &mut self.regions,
            nursery: &mut self.nursery,
            old: &mut self.old,
            cards: &mut self.cards,
            bot: &mut self.bot,
        };
        let age = if self.tenure_all {
            1
        } else {
            self.cfg.tenure_age
        };
        let r = scavenge::scavenge(&mut view, spaces, roots, age);
        self.stats.bytes_promoted += r.promoted_bytes;
    }
}
