//! The offloaded old collector, VM side (`--gc offload`, DESIGN.md §6-7;
//! Semeru, OSDI 2020): the memnodes mark and compact the old regions they
//! hold, next to the data, while the program runs. The VM only orchestrates:
//!
//! 1. **Initial mark** (pause): retire the old bump allocator, record each old
//!    region's top at mark start (TAMS: objects above it, and regions taken
//!    later, are allocated black), send `GcBegin`, then the dirty cached pages
//!    as *pending* (`GcPending`; nothing is written back), then the roots
//!    (mutator roots plus every old reference held by any nursery object),
//!    and turn the SATB barrier on. A memnode defers every object on a
//!    pending page (its copy is older than the snapshot) until a write-back
//!    brings the page: eviction's, which the program makes anyway, or the
//!    VM's own once marking has nothing else to do.
//! 2. **Concurrent mark** (memnodes): after each young collection the VM ships
//!    the SATB log and polls; marking has terminated after two consecutive
//!    rounds in which every memnode is idle with nothing deferred, as many
//!    peer batches were received as sent, and no counter moved. When only
//!    deferred objects are left, the VM writes the pages still pending back
//!    (a short pause, at the second such poll or sooner when they are few
//!    or old space is filling up).
//! 3. **Remark** (pause): write back whatever is still pending, ship the rest
//!    of the SATB log, wait for termination, read live bytes per region,
//!    release the regions with nothing live.
//! 4. **Evacuate** (pause, right after remark): a write-back of the dirty
//!    pages of the sources, and of those at or above TAMS that the VM cannot
//!    walk in its cache (it fixes the others itself: below TAMS the memnodes'
//!    copies still parse, above it they pass over the VM's skip ranges), then
//!    per memnode the sparse regions are evacuated into fresh
//!    regions on the same memnode (the memnode reports the destination cards
//!    whose objects refer to the nursery, and the VM dirties them); every
//!    memnode fixes the references of the regions that stay (and nulls those
//!    of dead objects), the VM drops the pages they changed, forwards its
//!    roots and the nursery's references to moved objects (nulling those of
//!    dead nursery objects into regions that went away) and releases the
//!    evacuated regions. The nursery is left alone: no survivor is promoted
//!    early, and no promotion traffic is added to the pause.
//!
//! Fallbacks (in [`super::Generational::collect`]): a needed full collection
//! finishes the running cycle (or runs one) synchronously; the local full
//! collection runs only if that did not free enough, after aborting the cycle.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::{GcKind, Generational, STRESS_ALLOC_SHARE};
use crate::addr::{Addr, Ref, RegionId};
use crate::backend::{BackendError, GcRegionInfo, MarkProgress, PageBackend};
use crate::classes::ClassTable;
use crate::collector::verify;
use crate::fatal::fatal;
use crate::heap::{GcMode, RootSet};
use crate::layout::{ClassId, Layout};
use crate::memory::{PagedMemory, PAGE};
use crate::object;
use crate::region::Space;
use crate::stats::{self, OffloadStats, Pause};
use crate::view::{HeapView, HeapViewMut, LocalView};

/// Stalled polls (every memnode waits only for pending pages) after which
/// the VM writes those pages back itself.
const PENDING_STALLS: u32 = 2;
/// Pending pages few enough to write back at the first stalled poll.
const PENDING_FEW: usize = 256;
/// SATB log entries shipped in one `MarkRefs` (and the log's size).
pub const SATB_BATCH: usize = 4096;
/// Roots sent in one `MarkRefs`.
const ROOT_BATCH: usize = 4096;
const KIND_ROOT: u8 = 0;
const KIND_SATB: u8 = 1;
/// Region kinds of `GcBegin`.
const KIND_OLD: u8 = 0;
const KIND_HUMONGOUS: u8 = 1;
const KIND_CONTINUATION: u8 = 2;
/// Under `--gc-stress`, a cycle starts at most every this many young
/// collections, and only once the mutator allocated `1/STRESS_ALLOC_SHARE`
/// of the old space in use, or of the nursery if that is more, since the last
/// one: a cycle costs a few milliseconds even on an empty heap, and starting
/// one every few allocations made stress runs take minutes.
const STRESS_CYCLE_EVERY: u64 = 16;
/// Outside stress, a new cycle also waits until old space grew by this share
/// of the room the last cycle left (so a heap whose live data stays above
/// the trigger does not mark back to back).
const REARM_SHARE: usize = 8;
/// Remark polls the memnodes at most this often while waiting.
const POLL_MAX_SLEEP: Duration = Duration::from_millis(2);

/// One running cycle.
pub struct Cycle {
    /// The fabric's cycle number.
    id: u32,
    /// `GC(n)` of its log lines.
    log_id: u64,
    /// Per region: TAMS offset plus one for regions in the cycle, else 0.
    tams: Vec<u32>,
    /// Old regions in use at initial mark.
    begin_regions: Vec<RegionId>,
    /// The SATB log not yet shipped.
    satb: Vec<Ref>,
    /// Regions found empty at remark: their memory is released, their ids
    /// are reserved until the cycle ends.
    dead: Vec<RegionId>,
    /// When the initial-mark pause ended.
    marking_since: Instant,
    /// Milliseconds of concurrent marking, once termination was seen.
    concurrent_ms: Option<f64>,
    /// The last poll round, if every memnode was idle and balanced in it.
    last: Option<Vec<MarkProgress>>,
    /// The latest poll round, summed.
    progress: MarkProgress,
    /// Whether the pages left pending at initial mark were all written back
    /// (by the VM, for marking to finish; see [`PagedMemory::flush_pending`]).
    pending_released: bool,
    /// Whether the latest poll found every memnode idle and balanced but
    /// for refs waiting on pending pages.
    stalled: bool,
    /// Polls that found it so.
    stalls: u32,
}

impl Cycle {
    fn in_cycle(&self, r: RegionId) -> bool {
        self.tams_of(r).is_some()
    }

    /// Region `r`'s TAMS, as an offset in the region, if it is in the cycle.
    fn tams_of(&self, r: RegionId) -> Option<u64> {
        let t = self.tams.get(r.0 as usize)?.checked_sub(1)?;
        Some(u64::from(t))
    }
}

/// `(region, from, to)`: objects the VM fixes itself at an evacuation, passed
/// over by the memnodes.
type SkipRange = (RegionId, Addr, Addr);

/// A backend failure is fatal (exit 70), as for page traffic.
fn check<T>(r: Result<T, BackendError>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => fatal(&e.0),
    }
}

fn backend(mem: &mut PagedMemory) -> &mut (dyn PageBackend + 'static) {
    match mem.backend_mut() {
        Some(b) => b,
        None => fatal("offloaded collection without memnodes"),
    }
}

impl Generational {
    /// Whether this heap collects old space on its memnodes.
    pub fn offload_available(&self, mem: &PagedMemory) -> bool {
        self.cfg.gc == GcMode::Offload && mem.supports_offload()
    }

    pub fn old_cycle_active(&self) -> bool {
        self.cycle.is_some()
    }

    fn offload_stats(&mut self) -> &mut OffloadStats {
        self.stats.offload.get_or_insert_with(OffloadStats::default)
    }

    /// The SATB barrier's log: `prev` (a non-null old reference) was
    /// overwritten while marking runs.
    pub fn satb_push(&mut self, mem: &mut PagedMemory, prev: Ref) {
        let Some(c) = self.cycle.as_mut() else {
            return;
        };
        // Only objects below TAMS of the cycle's regions are traced; the
        // others are live anyway.
        let a = prev.addr().0;
        let r = RegionId((a >> self.geom.log_region) as u32);
        let off = a & ((1u64 << self.geom.log_region) - 1);
        if c.tams_of(r).is_none_or(|t| off >= t) {
            return;
        }
        c.satb.push(prev);
        if c.satb.len() >= SATB_BATCH {
            self.ship_satb(mem);
        }
    }

    fn ship_satb(&mut self, mem: &mut PagedMemory) {
        let Some(c) = self.cycle.as_mut() else {
            return;
        };
        if c.satb.is_empty() {
            return;
        }
        let mut log = std::mem::take(&mut c.satb);
        // A slot overwritten often logs the same values: each once is enough.
        log.sort_unstable();
        log.dedup();
        let id = c.id;
        check(backend(mem).gc_mark_refs(id, KIND_SATB, &log));
        self.offload_stats().satb_refs += log.len() as u64;
        if let Some(c) = self.cycle.as_mut() {
            // Keep the buffer's capacity for the next batch.
            let mut log = log;
            log.clear();
            c.satb = log;
        }
    }

    /// After a young collection: start a cycle when old space is full
    /// enough, or finish the running one once its marking has terminated.
    pub(super) fn after_young(
        &mut self,
        mem: &mut PagedMemory,
        classes: &ClassTable,
        roots: &mut dyn RootSet,
    ) {
        if !self.offload_available(mem) {
            return;
        }
        if self.cycle.is_some() {
            if self.cfg.stress || self.marking_terminated(mem) {
                self.finish_old_cycle(mem, classes, roots);
            }
            return;
        }
        let used = self.regions.old_used_bytes();
        let start = if self.cfg.stress {
            self.young_since_cycle >= STRESS_CYCLE_EVERY
                && (self.stats.bytes_allocated - self.allocated_at_cycle) * STRESS_ALLOC_SHARE
                    >= used.max(self.cfg.young_bytes) as u64
        } else {
            let limit = self.geom.old_limit_bytes();
            let after = self.old_after_cycle.min(limit);
            used as f64 >= self.cfg.gc_trigger * limit as f64
                && used >= after + (limit - after) / REARM_SHARE
        };
        if start {
            self.start_old_cycle(mem, classes, roots);
        }
    }

    /// Ships the SATB log and polls: whether marking has terminated.
    fn marking_terminated(&mut self, mem: &mut PagedMemory) -> bool {
        self.ship_satb(mem);
        if self.poll(mem) {
            return true;
        }
        if self.cycle.as_ref().is_some_and(|c| c.stalled) && self.pending_due(mem) {
            // Only pages still dirty hold marking up: write them back now,
            // in a short pause, and let the memnodes go on concurrently.
            let (before, t) = (self.used_bytes(), Instant::now());
            self.pause_fabric = mem.fabric().gc_bytes;
            mem.set_gc(true);
            let n = self.release_pending(mem);
            mem.set_gc(false);
            let log_id = self.cycle.as_ref().map_or(0, |c| c.log_id);
            let text = format!("Remark (write back {n} pending pages)");
            self.offload_pause(mem, "remark", log_id, before, t, text);
            return false;
        }
        // Idle and balanced once: a second round right away may prove it.
        self.cycle.as_ref().is_some_and(|c| c.last.is_some()) && self.poll(mem)
    }

    /// One poll round (the four-counter termination test).
    fn poll(&mut self, mem: &mut PagedMemory) -> bool {
        let Some(id) = self.cycle.as_ref().map(|c| c.id) else {
            return false;
        };
        let round = check(backend(mem).gc_poll(id));
        let mut sum = MarkProgress {
            idle: true,
            ..MarkProgress::default()
        };
        for p in &round {
            sum.idle &= p.idle;
            sum.sent += p.sent;
            sum.received += p.received;
            sum.marked_bytes += p.marked_bytes;
            sum.marked_objects += p.marked_objects;
            sum.peer_bytes += p.peer_bytes;
            sum.waiting += p.waiting;
        }
        let (since, log) = (self.start.elapsed(), self.cfg.log);
        let nodes = round.len();
        let Some(c) = self.cycle.as_mut() else {
            return false;
        };
        c.progress = sum;
        let balanced = sum.idle && sum.sent == sum.received;
        c.stalled = balanced && sum.waiting > 0;
        c.stalls += u32::from(c.stalled);
        let quiet = balanced && sum.waiting == 0;
        let done = quiet && c.last.as_ref() == Some(&round);
        c.last = quiet.then_some(round);
        if done && c.concurrent_ms.is_none() {
            let ms = c.marking_since.elapsed().as_secs_f64() * 1e3;
            c.concurrent_ms = Some(ms);
            if log {
                let text = format!(
                    "Concurrent Mark {} {ms:.1}ms (memnodes {nodes})",
                    stats::mb(sum.marked_bytes)
                );
                eprintln!("{}", stats::phase_line(since, c.log_id, &text));
            }
        }
        done
    }

    /// Records an offloaded pause (and logs it).
    fn offload_pause(
        &mut self,
        mem: &PagedMemory,
        kind: &'static str,
        id: u64,
        before: usize,
        t: Instant,
        text: String,
    ) {
        let millis = t.elapsed().as_secs_f64() * 1e3;
        let p = Pause {
            kind,
            heap_before: before,
            heap_after: self.used_bytes(),
            millis,
        };
        if self.cfg.log {
            let line = format!("Pause {text} {millis:.1}ms");
            eprintln!("{}", stats::phase_line(self.start.elapsed(), id, &line));
        }
        self.stats.record(p);
        let bytes = mem.fabric().gc_bytes - self.pause_fabric;
        self.stats.add_fabric(kind, bytes);
    }

    /// The initial-mark pause. `false` (and nothing done) if offloading is
    /// unavailable or a cycle runs.
    pub fn start_old_cycle(
        &mut self,
        mem: &mut PagedMemory,
        classes: &ClassTable,
        roots: &mut dyn RootSet,
    ) -> bool {
        if self.cycle.is_some() || !self.offload_available(mem) || mem.overflow_regions() > 0 {
            return false;
        }
        if self.cfg.verify {
            self.verify(
                "initial-mark",
                "before",
                verify::Scope::Young,
                mem,
                classes,
                roots,
            );
        }
        let (before, t) = (self.used_bytes(), Instant::now());
        self.pause_fabric = mem.fabric().gc_bytes;
        self.gc_id += 1;
        self.cycles_started += 1;
        self.young_since_cycle = 0;
        self.allocated_at_cycle = self.stats.bytes_allocated;
        mem.set_gc(true);
        if mem.layouts_stale() {
            mem.upload_layouts(&classes.encode_table());
        }
        self.old.retire();
        self.regions.reset_live();
        let mut tams = vec![0u32; self.geom.total_regions as usize];
        let begin_regions = self.regions.old_regions();
        let mut infos = Vec::with_capacity(begin_regions.len());
        for &r in &begin_regions {
            let g = self.regions.get(r);
            let off = (g.top.0 - self.regions.base(r).0) as u32;
            let (kind, span) = match g.space {
                Space::HumongousStart { regions } => (KIND_HUMONGOUS, regions),
                Space::HumongousCont { .. } => (KIND_CONTINUATION, 1),
                _ => (KIND_OLD, 1),
            };
            tams[r.0 as usize] = off + 1;
            infos.push(GcRegionInfo {
                region: r,
                tams: off,
                kind,
                span,
            });
        }
        // No flush: the memnodes' marking waits for each page the VM holds
        // dirty until a write-back brings it (eviction's, or the VM's own
        // when nothing else is left to mark).
        let pending = mem.mark_dirty_pending();
        let id = self.cycles_started;
        let (log_region, young_refs) = (self.geom.log_region, self.young_refs);
        check(backend(mem).gc_begin(id, log_region, young_refs, &infos));
        check(backend(mem).gc_pending(id, &pending));
        self.offload_stats().pending_pages += pending.len() as u64;
        // Roots: the mutator's old references, and every old reference held
        // by a nursery object, dead or alive (the nursery is emptied before
        // anything moves, so conservatism costs only floating garbage).
        let mut refs = Vec::new();
        roots.visit_roots(&mut |s| {
            if s.0 >= young_refs {
                refs.push(*s)
            }
        });
        {
            let view = LocalView { mem, classes };
            self.nursery_old_slots(&view, |_, v| refs.push(v));
        }
        refs.sort_unstable();
        refs.dedup();
        for chunk in refs.chunks(ROOT_BATCH) {
            check(backend(mem).gc_mark_refs(id, KIND_ROOT, chunk));
        }
        self.cycle = Some(Cycle {
            id,
            log_id: self.gc_id,
            tams,
            begin_regions,
            satb: Vec::with_capacity(SATB_BATCH),
            dead: Vec::new(),
            marking_since: Instant::now(),
            concurrent_ms: None,
            last: None,
            progress: MarkProgress::default(),
            pending_released: pending.is_empty(),
            stalled: false,
            stalls: 0,
        });
        self.satb_active = true;
        mem.set_gc(false);
        self.offload_pause(
            mem,
            "initial-mark",
            self.gc_id,
            before,
            t,
            "Initial Mark".into(),
        );
        if self.cfg.verify {
            self.verify(
                "initial-mark",
                "after",
                verify::Scope::Full,
                mem,
                classes,
                roots,
            );
        }
        true
    }

    /// Ends the running cycle without collecting (the local full collection
    /// takes over).
    pub(super) fn abort_cycle(&mut self, mem: &mut PagedMemory) {
        if let Some(c) = self.cycle.take() {
            self.satb_active = false;
            check(backend(mem).gc_end(c.id));
            for &r in &c.dead {
                self.regions.release(r);
            }
            let s = self.offload_stats();
            s.cycles += 1;
            s.marked_bytes += c.progress.marked_bytes;
            s.peer_bytes += c.progress.peer_bytes;
        }
    }

    /// Remark, cleanup and evacuation of the running cycle, now.
    pub fn finish_old_cycle(
        &mut self,
        mem: &mut PagedMemory,
        classes: &ClassTable,
        roots: &mut dyn RootSet,
    ) {
        self.finish_cycle(mem, classes, roots, false);
    }

    /// [`Generational::finish_old_cycle`]; `urgent`: the heap is short (a
    /// synchronous cycle), so every sparse region is evacuated, whatever
    /// writing back its dirty pages costs.
    pub(super) fn finish_cycle(
        &mut self,
        mem: &mut PagedMemory,
        classes: &ClassTable,
        roots: &mut dyn RootSet,
        urgent: bool,
    ) {
        if self.cycle.is_none() {
            return;
        }
        if mem.overflow_regions() > 0 {
            // Old regions the memnodes never saw hold references: the local
            // collector must run (the heap is over its limit anyway).
            self.pause(GcKind::Full, mem, classes, roots);
            return;
        }
        self.remark(mem, classes);
        self.evacuate_cycle(mem, classes, roots, urgent);
    }

    /// Whether to write back the pages that marking waits for, now that
    /// nothing else is left to mark. Eviction writes most of them back for
    /// free if marking waits a little: the VM does it at the second stalled
    /// poll, or at once when they are few or old space is filling up.
    fn pending_due(&self, mem: &PagedMemory) -> bool {
        let Some(c) = self.cycle.as_ref() else {
            return false;
        };
        c.stalls >= PENDING_STALLS || self.old_space_short() || mem.pending_pages() <= PENDING_FEW
    }

    /// Old space is past halfway from the cycle trigger to the limit: the
    /// cycle must finish and free what it can, whatever the fabric cost.
    fn old_space_short(&self) -> bool {
        let limit = self.geom.old_limit_bytes() as f64;
        let trigger = self.cfg.gc_trigger * limit;
        self.regions.old_used_bytes() as f64 >= trigger + (limit - trigger) / 2.0
    }

    /// Writes back the pages still pending from the initial mark and tells
    /// the memnodes none is left (once per cycle); the pages written.
    fn release_pending(&mut self, mem: &mut PagedMemory) -> usize {
        let Some(c) = self.cycle.as_mut() else {
            return 0;
        };
        if c.pending_released {
            return 0;
        }
        c.pending_released = true;
        c.stalled = false;
        let id = c.id;
        let n = mem.pending_pages();
        mem.flush_pending();
        check(backend(mem).gc_pending(id, &[]));
        self.offload_stats().pending_flushed += n as u64;
        n
    }

    fn remark(&mut self, mem: &mut PagedMemory, classes: &ClassTable) {
        let (before, t) = (self.used_bytes(), Instant::now());
        self.pause_fabric = mem.fabric().gc_bytes;
        mem.set_gc(true);
        if mem.layouts_stale() {
            mem.upload_layouts(&classes.encode_table());
        }
        self.release_pending(mem);
        self.ship_satb(mem);
        let concurrent_before = self
            .cycle
            .as_ref()
            .map_or(0.0, |c| c.marking_since.elapsed().as_secs_f64() * 1e3);
        let wait = Instant::now();
        let mut nap = Duration::from_micros(50);
        while !self.poll(mem) {
            if self.cycle.as_ref().is_some_and(|c| c.last.is_none()) {
                std::thread::sleep(nap);
                nap = (nap * 2).min(POLL_MAX_SLEEP);
            }
        }
        let wait_ms = wait.elapsed().as_secs_f64() * 1e3;
        let Some(c) = self.cycle.as_mut() else {
            return;
        };
        // Concurrent time: until termination was seen, or until remark.
        let concurrent = c
            .concurrent_ms
            .map_or(concurrent_before, |m| m.min(concurrent_before));
        let id = c.id;
        let live = check(backend(mem).gc_liveness(id));
        self.satb_active = false;
        for (r, bytes, objects) in live {
            if (r.0 as usize) < self.geom.total_regions as usize
                && self.regions.get(r).space.is_old()
            {
                let g = self.regions.get_mut(r);
                g.live = bytes;
                g.live_objects = objects;
            }
        }
        let Some(c) = self.cycle.take() else {
            return;
        };
        // Regions taken during marking are black: all of them is live.
        for r in self.regions.old_regions() {
            if !c.in_cycle(r) {
                let g = self.regions.get(r);
                let used = g.top.0 - self.regions.base(r).0;
                let g = self.regions.get_mut(r);
                g.live = used;
            }
        }
        // Cleanup: nothing live, released at once.
        let mut empty = Vec::new();
        for &r in &c.begin_regions {
            let g = self.regions.get(r);
            let tams = self.regions.base(r).0 + (c.tams[r.0 as usize] - 1) as u64;
            let dead = match g.space {
                Space::Old => g.live == 0 && g.top.0 == tams,
                Space::HumongousStart { .. } => g.live == 0,
                _ => false,
            };
            if dead {
                empty.push(r);
            }
        }
        let mut freed = 0;
        if let Some(k) = &mut self.known_old {
            // Old objects die and move now.
            let g = self.geom;
            k.clear_range(g.old_base(), Addr(g.total_bytes() as u64));
        }
        // Their memory goes back to the memnodes now; their ids stay taken
        // until the cycle ends, so no promotion or evacuation reuses a
        // region the memnodes still know with this cycle's marks.
        let mut c = c;
        for r in empty {
            let n = match self.regions.get(r).space {
                Space::HumongousStart { regions } => regions,
                _ => 1,
            };
            freed += n as u64;
            for i in r.0..r.0 + n {
                let q = RegionId(i);
                let (lo, hi) = (self.regions.base(q), self.regions.end(q));
                self.bot.reset(lo, hi);
                // Dead objects' old-to-young edges die with them.
                self.cards.clean_range(lo, hi);
                mem.release_region(q);
                c.dead.push(q);
            }
        }
        let log_id = c.log_id;
        self.cycle = Some(c);
        let s = self.offload_stats();
        s.concurrent_ms += concurrent;
        s.remark_wait_ms += wait_ms;
        s.freed_regions += freed;
        self.offload_pause(mem, "remark", log_id, before, t, "Remark".into());
    }

    fn evacuate_cycle(
        &mut self,
        mem: &mut PagedMemory,
        classes: &ClassTable,
        roots: &mut dyn RootSet,
        urgent: bool,
    ) {
        let (before, t) = (self.used_bytes(), Instant::now());
        self.pause_fabric = mem.fabric().gc_bytes;
        let Some(id) = self.cycle.as_ref().map(|c| c.id) else {
            return;
        };
        mem.set_gc(true);
        // a. The memnodes must see what they copy and parse: the dirty pages
        // of the sources, and those at or above TAMS (promotions since the
        // initial mark; every page below was written back at least once
        // since, before marking ended). Dirty pages wholly below TAMS
        // elsewhere stay dirty: the memnodes' older copies parse the same
        // (objects below TAMS neither move nor change headers during a
        // cycle), and the VM fixes its own copies (d). So do the runs of
        // dirty pages above TAMS whose objects the VM can walk whole in its
        // cache: the memnodes pass over them (skip ranges). The nursery stays
        // too: its references to moved objects are forwarded (d), and the
        // memnodes report the cards of moved objects that refer to it.
        let sources = self.select_sources(mem, urgent);
        // Peeked heads of objects covering kept pages: address -> (the 12
        // bytes, the object's size).
        let mut heads: HashMap<Addr, ([u32; 3], u64)> = HashMap::new();
        let (kept, below, skips) = {
            let mut candidate = vec![false; self.geom.total_regions as usize];
            for (_, srcs) in &sources {
                for r in srcs {
                    candidate[r.0 as usize] = true;
                }
            }
            let c = self.cycle.as_ref();
            let page_lo =
                |r: RegionId, page: u32| self.regions.base(r).offset(u64::from(page) * PAGE as u64);
            // Wholly below TAMS, outside the sources: a candidate for keeping.
            let below_tams = |r: RegionId, page: u32| -> bool {
                !candidate[r.0 as usize]
                    && c.and_then(|c| c.tams_of(r))
                        .is_some_and(|t| (u64::from(page) + 1) * PAGE as u64 <= t)
            };
            let covering =
                |r: RegionId, page: u32| self.bot.covering(self.bot.card_of(page_lo(r, page)));
            let dirty = mem.dirty_page_list();
            // The objects covering the start of such pages that begin on a
            // page no longer cached: the VM reads their first 12 bytes from
            // the memnodes (their copies are current: every page below TAMS
            // was written back before marking ended, and those bytes do not
            // change during a cycle) instead of writing the page back.
            let mut want: Vec<Ref> = dirty
                .iter()
                .filter(|&&(r, page)| below_tams(r, page))
                .filter_map(|&(r, page)| {
                    let s = covering(r, page)?;
                    (s < page_lo(r, page) && !mem.is_resident(s)).then(|| Ref::from_addr(s))
                })
                .collect();
            want.sort_unstable();
            want.dedup();
            let peeked = want.len() as u64;
            if !want.is_empty() {
                // A failed peek only costs the write-back it would have saved.
                if let Ok(words) = backend(mem).gc_peek(id, &want) {
                    for (x, w) in want.iter().zip(words) {
                        let v = Peeked {
                            inner: &NoMemory(classes),
                            at: x.addr(),
                            words: w,
                        };
                        if let Some(size) = object::try_size(&v, x.addr()) {
                            heads.insert(x.addr(), (w, size as u64));
                        }
                    }
                }
            }
            // Kept only if the VM can parse the page without a fetch: the
            // object covering its start begins on it or on a cached page, or
            // its head was peeked (and it does reach the page).
            let keep = |r: RegionId, page: u32| -> bool {
                let lo = page_lo(r, page);
                below_tams(r, page)
                    && covering(r, page).is_some_and(|s| {
                        s >= lo
                            || mem.is_resident(s)
                            || heads.get(&s).is_some_and(|&(_, size)| s.offset(size) > lo)
                    })
            };
            type Pages = Vec<(RegionId, u32)>;
            let (below, rest): (Pages, Pages) =
                dirty.into_iter().partition(|&(r, page)| keep(r, page));
            // Dirty pages at or above TAMS: the memnodes' copies may not even
            // parse. The VM keeps the runs it can fix whole (skip ranges).
            let (skips, kept_new) = self.skip_ranges(mem, classes, &candidate, &rest);
            let flushed = rest.len() - kept_new.len();
            let from_sources = rest.iter().filter(|(r, _)| candidate[r.0 as usize]).count() as u64;
            let mut kept = [below.as_slice(), &kept_new].concat();
            kept.sort_unstable();
            mem.flush_dirty_where(&|r, page| kept.binary_search(&(r, page)).is_err());
            let s = self.offload_stats();
            s.evac_flushed_source_pages += from_sources;
            s.evac_flushed_other_pages += flushed as u64 - from_sources;
            s.kept_new_pages += kept_new.len() as u64;
            s.peeked_objects += peeked;
            (kept, below, skips)
        };
        // b. Evacuation, memnode by memnode.
        let rb = self.geom.region_bytes() as u64;
        let mut is_source = vec![false; self.geom.total_regions as usize];
        let (mut src_bytes, mut copied, mut evacuated) = (0u64, 0u64, Vec::new());
        let mut unused: Vec<RegionId> = Vec::new();
        for (node, srcs) in sources {
            let live: u64 = srcs.iter().map(|&r| self.regions.get(r).live).sum();
            let mut srcs = srcs;
            let mut dests = Vec::new();
            let need = self.dests_for(live);
            while (dests.len() as u64) < need {
                let Some(r) = self.regions.take_free() else {
                    break;
                };
                if !mem.acquire_region_on(r, node) {
                    self.regions.release(r);
                    break;
                }
                dests.push(r);
            }
            // Too few destinations: drop the densest sources.
            let mut live = live;
            while !srcs.is_empty() && self.dests_for(live) > dests.len() as u64 {
                if let Some(r) = srcs.pop() {
                    live -= self.regions.get(r).live;
                }
            }
            let mut used_dests = vec![false; dests.len()];
            if !srcs.is_empty() {
                let res = check(backend(mem).gc_evacuate(id, node, &srcs, &dests));
                for d in &res.dests {
                    let Some(i) = dests.iter().position(|&x| x == d.region) else {
                        fatal(&format!(
                            "memnode {node} evacuated into region {} it was not given",
                            d.region.0
                        ));
                    };
                    if d.top == 0 {
                        continue;
                    }
                    if d.top as u64 > rb {
                        fatal(&format!(
                            "memnode {node}: destination region {} top {} beyond the region",
                            d.region.0, d.top
                        ));
                    }
                    used_dests[i] = true;
                    let base = self.regions.base(d.region);
                    self.regions.set_top(d.region, base.offset(d.top as u64));
                    let g = self.regions.get_mut(d.region);
                    g.live = d.top as u64;
                    self.bot.import(base, &d.bot);
                    mem.adopt_region(d.region, d.top);
                }
                for &card in &res.young_cards {
                    let a = card.addr();
                    let r = self.regions.region_of(a);
                    let ok = card.0 >= self.young_refs
                        && dests.iter().zip(&used_dests).any(|(&d, &u)| u && d == r)
                        && a < self.regions.get(r).top;
                    if !ok {
                        fatal(&format!(
                            "memnode {node} reported a young reference at {:#x}, outside its destinations",
                            a.0
                        ));
                    }
                    self.cards.dirty(a);
                }
                copied += res.copied_bytes;
                for &r in &srcs {
                    is_source[r.0 as usize] = true;
                    let g = self.regions.get(r);
                    src_bytes += g.top.0 - self.regions.base(r).0;
                }
                evacuated.extend(srcs);
            }
            // Unused destinations go back after the fixup: a memnode may
            // still count them among its destinations until then.
            for (i, &r) in dests.iter().enumerate() {
                if !used_dests[i] {
                    is_source[r.0 as usize] = true;
                    unused.push(r);
                }
            }
        }
        // c. Every memnode fixes the regions that stay.
        let mut skip = is_source.clone();
        if let Some(c) = self.cycle.as_ref() {
            for &r in &c.dead {
                skip[r.0 as usize] = true;
            }
        }
        let tops: Vec<(RegionId, u32)> = self
            .regions
            .old_regions()
            .into_iter()
            .filter(|&r| !skip[r.0 as usize])
            .filter(|&r| !matches!(self.regions.get(r).space, Space::HumongousCont { .. }))
            .map(|r| {
                let off = self.regions.get(r).top.0 - self.regions.base(r).0;
                (r, off as u32)
            })
            .collect();
        // Clean cached pages the memnodes change come back as patches (or
        // are dropped when much of them changed); kept dirty pages are the
        // newer copies, fixed by the VM (d), and neither dropped nor patched.
        let resident: Vec<(RegionId, u32)> = mem
            .resident_pages()
            .into_iter()
            .filter(|p| kept.binary_search(p).is_err())
            .collect();
        let skip_offsets: Vec<(RegionId, u32, u32)> = skips
            .iter()
            .map(|&(r, from, to)| {
                let base = self.regions.base(r).0;
                (r, (from.0 - base) as u32, (to.0 - base) as u32)
            })
            .collect();
        let fixed = check(backend(mem).gc_fixup(id, &tops, &resident, &skip_offsets));
        mem.drop_pages(&fixed.pages);
        for &(r, off, v) in &fixed.patches {
            mem.patch_clean(r, off, v);
        }
        let s = self.offload_stats();
        s.patched_slots += fixed.patches.len() as u64;
        s.dropped_pages += fixed.pages.len() as u64;
        s.kept_dirty_pages += below.len() as u64;
        // d. The roots, the nursery and the kept dirty pages follow the
        // moved objects. Their slots into regions that went away but whose
        // referent did not move belong to dead objects (a live one refers
        // only to marked objects): they are nulled, as the memnodes null
        // those of dead objects.
        let gone = |r: RegionId| skip[r.0 as usize];
        let mut nursery_slots: Vec<(Addr, Ref)> = Vec::new();
        {
            let view = LocalView { mem, classes };
            let young_refs = self.young_refs;
            let mut f = |s: Addr, v: Ref| {
                if v.0 >= young_refs && gone(self.regions.region_of(v.addr())) {
                    nursery_slots.push((s, v));
                }
            };
            self.nursery_old_slots(&view, &mut f);
            let page_of =
                |r: RegionId, i: u32| self.regions.base(r).offset(u64::from(i) * PAGE as u64);
            for &(r, i) in &below {
                let lo = page_of(r, i);
                let hi = lo.offset(PAGE as u64);
                let head = self
                    .bot
                    .covering(self.bot.card_of(lo))
                    .and_then(|s| Some((s, heads.get(&s)?.0)));
                match head {
                    Some((at, words)) => {
                        let v = Peeked {
                            inner: &view,
                            at,
                            words,
                        };
                        self.bot
                            .for_each_slot_in(&v, lo, hi, |s| f(s, Ref(view.load_u32(s))));
                    }
                    None => self
                        .bot
                        .for_each_slot_in(&view, lo, hi, |s| f(s, Ref(view.load_u32(s)))),
                }
            }
            // Whole objects, from the first's header on (which is cached;
            // the object before it may not be).
            for &(_, from, to) in &skips {
                let mut a = from;
                while a < to {
                    let size = object::size(&view, a);
                    object::for_each_slot(&view, a, |s| f(s, Ref(view.load_u32(s))));
                    a = a.offset(size as u64);
                }
            }
        }
        if !evacuated.is_empty() || !nursery_slots.is_empty() {
            let mut moving: Vec<Ref> = nursery_slots
                .iter()
                .map(|&(_, v)| v)
                .filter(|v| is_source[self.regions.region_of(v.addr()).0 as usize])
                .collect();
            roots.visit_roots(&mut |s| {
                if !s.is_null() && s.0 >= self.young_refs {
                    let r = self.regions.region_of(s.addr());
                    if is_source[r.0 as usize] {
                        moving.push(*s);
                    }
                }
            });
            moving.sort_unstable();
            moving.dedup();
            let to = check(backend(mem).gc_forward(id, &moving));
            if to.len() != moving.len() {
                fatal(&format!(
                    "memnodes forwarded {} of {} references",
                    to.len(),
                    moving.len()
                ));
            }
            let map: HashMap<Ref, Ref> = moving.into_iter().zip(to).collect();
            roots.visit_roots(&mut |s| {
                if let Some(&n) = map.get(s) {
                    *s = n;
                }
            });
            let mut view = LocalView { mem, classes };
            for &(s, v) in &nursery_slots {
                // Unmoved (or in a region found empty): dead.
                // (A kept page is dirty already: storing keeps it so.)
                let n = map.get(&v).copied().filter(|&n| n != v).unwrap_or(Ref(0));
                view.store_u32(s, n.0);
            }
            for &r in &evacuated {
                let (lo, hi) = (self.regions.base(r), self.regions.end(r));
                self.cards.clean_range(lo, hi);
                self.free_region(&mut view, r);
            }
        }
        let mut view = LocalView { mem, classes };
        for &r in &unused {
            self.free_region(&mut view, r);
        }
        check(backend(mem).gc_end(id));
        let c = self.cycle.take();
        if let Some(c) = c.as_ref() {
            for &r in &c.dead {
                self.regions.release(r);
            }
        }
        self.satb_active = false;
        let over = self.over_limit(mem);
        self.nursery.eden_limit = if over {
            self.nursery.eden.start
        } else {
            self.nursery.eden.end
        };
        mem.set_gc(false);
        self.old_after_cycle = self.regions.old_used_bytes();
        let progress = c.as_ref().map(|c| c.progress).unwrap_or_default();
        let s = self.offload_stats();
        s.cycles += 1;
        s.marked_bytes += progress.marked_bytes;
        s.peer_bytes += progress.peer_bytes;
        s.evacuated_bytes += copied;
        s.evacuated_regions += evacuated.len() as u64;
        let log_id = c.as_ref().map_or(self.gc_id, |c| c.log_id);
        let text = format!(
            "Evacuate {} regions {}->{}",
            evacuated.len(),
            stats::mb(src_bytes),
            stats::mb(copied)
        );
        self.offload_pause(mem, "evacuate", log_id, before, t, text);
        // A finished cycle collected old space as a full collection does: the
        // stress schedule of full collections starts over from here.
        self.young_since_full = 0;
        self.allocated_at_full = self.stats.bytes_allocated;
        if self.cfg.verify {
            self.allocated_at_verify = self.stats.bytes_allocated;
            self.verify(
                "evacuate",
                "after",
                verify::Scope::Full,
                mem,
                classes,
                roots,
            );
        }
    }

    /// The object-aligned ranges `(region, from, to)` around runs of the
    /// dirty `pages` wholly at or above TAMS (or in regions taken during the
    /// cycle) that the VM can fix itself: every page of the range is cached
    /// (so no fetch), none is a source candidate's. Also the pages of `pages`
    /// they keep dirty. Ranges are sorted and disjoint.
    fn skip_ranges(
        &self,
        mem: &mut PagedMemory,
        classes: &ClassTable,
        candidate: &[bool],
        pages: &[(RegionId, u32)],
    ) -> (Vec<SkipRange>, Vec<(RegionId, u32)>) {
        let (mut ranges, mut kept): (Vec<SkipRange>, Vec<(RegionId, u32)>) =
            (Vec::new(), Vec::new());
        let Some(c) = self.cycle.as_ref() else {
            return (ranges, kept);
        };
        let page = PAGE as u64;
        let resident_span = |mem: &PagedMemory, lo: Addr, hi: Addr| {
            let mut p = lo.0 & !(page - 1);
            while p < hi.0 {
                if !mem.is_resident(Addr(p)) {
                    return false;
                }
                p += page;
            }
            true
        };
        let mut i = 0;
        while i < pages.len() {
            let r = pages[i].0;
            let mut j = i + 1;
            while j < pages.len() && pages[j].0 == r && pages[j].1 == pages[j - 1].1 + 1 {
                j += 1;
            }
            let run = &pages[i..j];
            i = j;
            let g = self.regions.get(r);
            if candidate[r.0 as usize] || g.space != Space::Old {
                continue;
            }
            let base = self.regions.base(r);
            let tams = base.offset(c.tams_of(r).unwrap_or(0));
            let top = g.top;
            // The pages wholly at or above TAMS and below the top.
            let run: Vec<u32> = run
                .iter()
                .map(|&(_, p)| p)
                .filter(|&p| {
                    let lo = base.offset(u64::from(p) * page);
                    lo >= tams && lo < top
                })
                .collect();
            let (Some(&first), Some(&last)) = (run.first(), run.last()) else {
                continue;
            };
            let lo = base.offset(u64::from(first) * page);
            let hi = base.offset((u64::from(last) + 1) * page).min(top);
            let Some(from) = self.bot.covering(self.bot.card_of(lo)) else {
                continue;
            };
            if from < tams || !resident_span(mem, from, lo) {
                continue;
            }
            let mut to = from;
            {
                let view = LocalView { mem, classes };
                while to < hi {
                    to = to.offset(object::size(&view, to) as u64);
                }
            }
            if to > top || !resident_span(mem, hi, to) {
                continue;
            }
            match ranges.last_mut() {
                Some((q, _, end)) if *q == r && *end > from => *end = (*end).max(to),
                _ => ranges.push((r, from, to)),
            }
            kept.extend(run.into_iter().map(|p| (r, p)));
        }
        (ranges, kept)
    }

    /// Calls `f(slot, value)` for every slot of every nursery object (live or
    /// dead) that holds an old reference.
    fn nursery_old_slots<V: HeapView>(&self, view: &V, mut f: impl FnMut(Addr, Ref)) {
        let n = &self.nursery;
        for (from, to) in [
            (n.eden.start, n.eden.top),
            (n.from_space().start, n.from_space().top),
        ] {
            let mut a = from;
            while a < to {
                let size = object::size(view, a);
                object::for_each_slot(view, a, |s| {
                    let v = view.load_u32(s);
                    if v >= self.young_refs {
                        f(s, Ref(v));
                    }
                });
                a = a.offset(size as u64);
            }
        }
    }

    /// Destination regions that surely hold `live` bytes of objects no
    /// larger than the large-object threshold, packed without straddling.
    fn dests_for(&self, live: u64) -> u64 {
        if live == 0 {
            return 0;
        }
        let rb = self.geom.region_bytes() as u64;
        let biggest = (self.large_threshold as u64).min(rb / 2);
        live.div_ceil(rb - biggest) + 1
    }

    /// Per memnode, the sparse regions of the cycle to evacuate, sparsest
    /// first, while their destinations fit in the free regions. A region
    /// whose dirty pages (written back first) outweigh its garbage is left
    /// for a later cycle, unless the cycle is `urgent`.
    fn select_sources(&self, mem: &PagedMemory, urgent: bool) -> Vec<(usize, Vec<RegionId>)> {
        let Some(c) = self.cycle.as_ref() else {
            return Vec::new();
        };
        let rb = self.geom.region_bytes() as f64;
        let limit = (self.cfg.gc_evac_live * rb) as u64;
        let mut cand: Vec<(u64, RegionId, usize)> = Vec::new();
        // Dirty pages the VM holds, per region: a source's must be written
        // back before its memnode copies it.
        let mut dirty: HashMap<RegionId, u64> = HashMap::new();
        for (r, _) in mem.dirty_page_list() {
            *dirty.entry(r).or_default() += 1;
        }
        for &r in &c.begin_regions {
            let g = self.regions.get(r);
            let tams = self.regions.base(r).0 + (c.tams[r.0 as usize] - 1) as u64;
            if g.space != Space::Old || g.top.0 != tams || g.live == 0 || g.live >= limit {
                continue;
            }
            if mem.is_overflow(r) {
                continue;
            }
            // Not worth it if writing its dirty pages back costs the fabric
            // more bytes than evacuating it frees (a region the program is
            // rewriting: its garbage waits for a later cycle), unless the
            // heap is short.
            let flush = dirty.get(&r).copied().unwrap_or(0) * PAGE as u64;
            if flush > rb as u64 - g.live && !urgent {
                continue;
            }
            if let Some(node) = mem.home_of(r) {
                cand.push((g.live, r, node));
            }
        }
        cand.sort_unstable();
        // Keep two regions for the mutator's next promotions.
        let mut budget = (self.regions.free_old() as u64).saturating_sub(2);
        let mut per: Vec<(usize, Vec<RegionId>, u64)> = Vec::new();
        for (live, r, node) in cand {
            let i = match per.iter().position(|p| p.0 == node) {
                Some(i) => i,
                None => {
                    per.push((node, Vec::new(), 0));
                    per.len() - 1
                }
            };
            let now = self.dests_for(per[i].2);
            let then = self.dests_for(per[i].2 + live);
            if then - now <= budget {
                budget -= then - now;
                per[i].1.push(r);
                per[i].2 += live;
            }
        }
        per.into_iter()
            .filter(|p| !p.1.is_empty())
            .map(|p| (p.0, p.1))
            .collect()
    }
}

/// A view in which the first 12 bytes of the object at `at` read as `words`
/// (peeked from its memnode: header low and high halves, then the array
/// length) and every other load goes to `inner`.
struct Peeked<'v, V> {
    inner: &'v V,
    at: Addr,
    words: [u32; 3],
}

impl<V: HeapView> HeapView for Peeked<'_, V> {
    #[inline]
    fn load_u32(&self, a: Addr) -> u32 {
        match a.0.wrapping_sub(self.at.0) {
            0 => self.words[0],
            4 => self.words[1],
            8 => self.words[2],
            _ => self.inner.load_u32(a),
        }
    }
    #[inline]
    fn load_u64(&self, a: Addr) -> u64 {
        if a == self.at {
            u64::from(self.words[0]) | u64::from(self.words[1]) << 32
        } else {
            self.inner.load_u64(a)
        }
    }
    fn layout(&self, c: ClassId) -> Option<&Layout> {
        self.inner.layout(c)
    }
}

/// Layouts only: every load reads zero (sizing a [`Peeked`] head, whose
/// loads never reach it).
struct NoMemory<'a>(&'a ClassTable);

impl HeapView for NoMemory<'_> {
    fn load_u32(&self, _: Addr) -> u32 {
        0
    }
    fn load_u64(&self, _: Addr) -> u64 {
        0
    }
    fn layout(&self, c: ClassId) -> Option<&Layout> {
        self.0.get(c)
    }
}
