//! Concurrent marking: a crossbeam-deque work-stealing pool over the own
//! regions' side bitmaps, peer batches for other memnodes' objects, and the
//! counters of the four-counter termination test.
//!
//! An object is marked (its bit set, its size added to its region's live
//! bytes) when it is first *reached*, and queued for scanning only then, so
//! each object is scanned once. Roots, SATB entries and peers' batches are
//! marked by the request handler and queued on the global injector; workers
//! push what they reach on their own deques and steal when they run dry.
//!
//! **Idle and the counters.** A worker is *active* from the moment it wakes
//! until it parks, and it parks only when its deque, the injector and every
//! other deque are empty and it holds no unsent peer refs. So `idle` (no
//! active worker, nothing queued) means every object reached so far has been
//! scanned and every ref for a peer was delivered. `sent` counts batches sent
//! to peers and is bumped *before* the batch leaves; `received` counts peers'
//! batches and is bumped after the batch's objects are queued. A batch in
//! flight therefore shows as Σsent > Σreceived, and a handler that is still
//! queueing one shows as non-idle or as that same inequality, which is what
//! the VM's two-round four-counter test needs. SATB and root batches come
//! from the VM itself, which waits for their `Ok` before it polls again, so
//! work they create is visible (non-idle, or finished, or a changed `sent`)
//! to the next poll.

use super::peers::Link;
use super::{GcCycle, GcError, MarkKind, Progress, Target, MAX_BATCH};
use crate::node::lock;
use crossbeam::deque::{Injector, Steal, Stealer, Worker};
use semeru_gc::addr::Addr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

/// Pages of the VM's cache: `pending` is kept per 4 KiB page.
const PAGE_SHIFT: u32 = 12;

struct PoolState {
    /// Workers not parked.
    active: usize,
    sent: u64,
    received: u64,
    stop: bool,
}

pub(crate) struct Pool {
    injector: Injector<u32>,
    stealers: Vec<Stealer<u32>>,
    state: Mutex<PoolState>,
    cv: Condvar,
    parked: AtomicUsize,
    stopping: AtomicBool,
    handles: Mutex<Vec<JoinHandle<()>>>,
}

impl Pool {
    pub fn new(threads: usize) -> (Pool, Vec<Worker<u32>>) {
        let locals: Vec<Worker<u32>> = (0..threads).map(|_| Worker::new_lifo()).collect();
        let pool = Pool {
            injector: Injector::new(),
            stealers: locals.iter().map(|w| w.stealer()).collect(),
            state: Mutex::new(PoolState {
                active: threads,
                sent: 0,
                received: 0,
                stop: false,
            }),
            cv: Condvar::new(),
            parked: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
            handles: Mutex::new(Vec::new()),
        };
        (pool, locals)
    }

    fn has_work(&self) -> bool {
        !self.injector.is_empty() || self.stealers.iter().any(|s| !s.is_empty())
    }

    /// Stops the workers; `join` waits for them (never from a worker).
    pub fn stop(&self, join: bool) {
        self.stopping.store(true, Relaxed);
        {
            let mut st = lock(&self.state);
            st.stop = true;
            self.cv.notify_all();
        }
        if join {
            let handles = std::mem::take(&mut *lock(&self.handles));
            for h in handles {
                let _ = h.join();
            }
        }
    }

    fn stopped(&self) -> bool {
        self.stopping.load(Relaxed)
    }
}

/// Spawns the workers of `gc`'s pool.
pub(crate) fn start_workers(gc: &Arc<GcCycle>, locals: Vec<Worker<u32>>) -> Result<(), String> {
    let n = locals.len();
    let mut started = 0;
    for (i, local) in locals.into_iter().enumerate() {
        let mut w = MarkWorker {
            gc: gc.clone(),
            local,
            out: (0..gc.peers.len()).map(|_| Vec::new()).collect(),
            links: (0..gc.peers.len()).map(|_| None).collect(),
            children: Vec::new(),
        };
        let spawned = std::thread::Builder::new()
            .name(format!("memnode-gc-{i}"))
            .spawn(move || w.run());
        match spawned {
            Ok(h) => {
                lock(&gc.pool.handles).push(h);
                started += 1;
            }
            Err(e) => {
                tracing::warn!("cannot start GC worker {i}: {e}");
                break;
            }
        }
    }
    // Workers that never started are not active.
    lock(&gc.pool.state).active -= n - started;
    if started == 0 {
        gc.pool.stop(true);
        return Err("cannot start any GC worker thread".into());
    }
    Ok(())
}

impl GcCycle {
    /// Marks own object `r` (at offset `off` of `e`'s region) if unmarked:
    /// true if this call marked it (the caller queues it).
    #[inline]
    pub(crate) fn mark_own(&self, e: &super::Entry, off: usize, r: u32) -> bool {
        let a = Addr(u64::from(r) << 3);
        let limit = self
            .table
            .base(e.region)
            .offset(u64::from(e.span) << self.table.log_region);
        let view = super::map::View {
            map: &self.map,
            classes: &self.classes,
        };
        let size = if self.pending_any.load(Relaxed) {
            if e.is_marked(off) {
                return false;
            }
            // The header's page must be current before the header is read,
            // and every page the object spans before it is scanned.
            let page = a.0 >> PAGE_SHIFT;
            if self.defer(r, page, page) {
                return false;
            }
            let size = view.object_size(a, limit);
            if let Some(size) = size {
                let last = (a.0 + size as u64 - 1) >> PAGE_SHIFT;
                if last > page && self.defer(r, page + 1, last) {
                    return false;
                }
            }
            if !e.mark(off) {
                return false;
            }
            size
        } else {
            if !e.mark(off) {
                return false;
            }
            view.object_size(a, limit)
        };
        let Some(size) = size else {
            self.fail(format!(
                "heap corrupt: no object at {:#x} (header {:#x}) reached from a live object",
                a.0,
                self.map.load_u64(a)
            ));
            return false;
        };
        e.live_bytes.fetch_add(size as u64, Relaxed);
        e.live_objects.fetch_add(1, Relaxed);
        self.marked_bytes.fetch_add(size as u64, Relaxed);
        self.marked_objects.fetch_add(1, Relaxed);
        true
    }

    /// Defers the marking of `r` if a page in `first..=last` is pending
    /// (true: it waits on that page's list).
    fn defer(&self, r: u32, first: u64, last: u64) -> bool {
        let mut p = lock(&self.pending);
        for page in first..=last {
            if let Some(v) = p.pages.get_mut(&page) {
                v.push(r);
                p.deferred += 1;
                return true;
            }
        }
        false
    }

    /// `GcPending`: the pages (region, page index) the VM holds dirty and has
    /// not written back since the initial mark — exactly these from now on.
    /// The first one comes before any root. A later one (at remark, after the
    /// VM wrote the rest back) releases the pages it no longer lists.
    pub fn set_pending(&self, pages: &[(u32, u32)]) -> Result<(), GcError> {
        self.check_failed()?;
        let keep: std::collections::HashSet<u64> = pages
            .iter()
            .map(|&(region, page)| {
                (self.table.base(region).0 + (u64::from(page) << PAGE_SHIFT)) >> PAGE_SHIFT
            })
            .collect();
        let released = {
            let mut p = lock(&self.pending);
            let again: Vec<u32> = p
                .pages
                .extract_if(|k, _| !keep.contains(k))
                .flat_map(|(_, v)| v)
                .collect();
            for k in keep {
                p.pages.entry(k).or_default();
            }
            self.pending_any.store(!p.pages.is_empty(), Relaxed);
            again
        };
        self.resume(released);
        Ok(())
    }

    /// The VM wrote back `[offset, offset + len)` of `region`: its pages are
    /// current, and the marking that waited for them goes on.
    pub fn written(&self, region: u32, offset: u32, len: u32) {
        if !self.pending_any.load(Relaxed) || len == 0 {
            return;
        }
        let a = self.table.base(region).0 + u64::from(offset);
        let (first, last) = (a >> PAGE_SHIFT, (a + u64::from(len) - 1) >> PAGE_SHIFT);
        let again = {
            let mut p = lock(&self.pending);
            let mut again = Vec::new();
            for page in first..=last {
                if let Some(v) = p.pages.remove(&page) {
                    again.extend(v);
                }
            }
            self.pending_any.store(!p.pages.is_empty(), Relaxed);
            again
        };
        self.resume(again);
    }

    /// Marks again refs that waited on pages now current. They stay counted
    /// as deferred until they are queued (or deferred again), so the memnode
    /// never looks idle with refs in hand.
    fn resume(&self, again: Vec<u32>) {
        if again.is_empty() {
            return;
        }
        // Own refs only: marking them again may defer them on another page.
        let _ = self.mark_refs(MarkKind::Root, &again);
        lock(&self.pending).deferred -= again.len();
    }

    /// Sends one batch of refs to memnode `owner` over `links[owner]`
    /// (connecting it first if needed). A failure fails the cycle: a batch
    /// that may or may not have arrived cannot be resent without breaking the
    /// counters.
    pub(crate) fn send_batch(&self, links: &mut [Option<Box<dyn Link>>], owner: u16, refs: &[u32]) {
        if refs.is_empty() || self.pool.stopped() {
            return;
        }
        let o = usize::from(owner);
        let peer = self.peers.get(o).cloned().unwrap_or_default();
        if links.get(o).is_some_and(|l| l.is_none()) {
            match super::peers::connect(self.connector.as_deref(), &peer, self.tenant) {
                Ok(l) => links[o] = Some(l),
                Err(e) => {
                    self.fail(format!("cannot reach memnode {peer}: {e}"));
                    return;
                }
            }
        }
        let Some(Some(link)) = links.get_mut(o) else {
            return;
        };
        lock(&self.pool.state).sent += 1;
        match link.mark_refs(self.cycle, refs) {
            Ok(bytes) => {
                self.peer_bytes.fetch_add(bytes, Relaxed);
            }
            Err(e) => {
                links[o] = None;
                if !self.pool.stopped() {
                    self.fail(format!(
                        "cannot send {} marking refs to memnode {peer}: {e}",
                        refs.len()
                    ));
                }
            }
        }
    }

    /// `MarkRefs`: marks and queues this memnode's referents; forwards other
    /// memnodes' referents (roots and SATB entries only) to them.
    pub fn mark_refs(&self, kind: MarkKind, refs: &[u32]) -> Result<(), GcError> {
        self.check_failed()?;
        if self.pool.stopped() {
            return Err(GcError::State(format!("GC cycle {} is ending", self.cycle)));
        }
        let mut foreign: Vec<Vec<u32>> = Vec::new();
        let mut misrouted = 0u64;
        for &r in refs {
            match self.table.target(r) {
                Target::Ignore => {}
                Target::Own(e, off) => {
                    if self.mark_own(e, off, r) {
                        self.pool.injector.push(r);
                    }
                }
                Target::Peer(o) if kind != MarkKind::Peer => {
                    let o = usize::from(o);
                    if foreign.len() <= o {
                        foreign.resize_with(o + 1, Vec::new);
                    }
                    foreign[o].push(r);
                }
                Target::Peer(_) => misrouted += 1,
            }
        }
        if misrouted > 0 {
            tracing::warn!(
                "tenant {:016x}: a peer sent {misrouted} refs to objects this memnode does not hold",
                self.tenant
            );
        }
        if foreign.iter().any(|f| !f.is_empty()) {
            let mut links = lock(&self.links);
            for (o, f) in foreign.iter().enumerate() {
                for chunk in f.chunks(MAX_BATCH) {
                    self.send_batch(&mut links, o as u16, chunk);
                }
            }
        }
        {
            let mut st = lock(&self.pool.state);
            if kind == MarkKind::Peer {
                st.received += 1;
            }
            self.pool.cv.notify_all();
        }
        self.check_failed()
    }

    /// `GcPoll`.
    pub fn progress(&self) -> Result<Progress, GcError> {
        self.check_failed()?;
        let st = lock(&self.pool.state);
        let waiting = lock(&self.pending).deferred;
        Ok(Progress {
            idle: st.active == 0 && !self.pool.has_work(),
            waiting: waiting as u64,
            sent: st.sent,
            received: st.received,
            marked_bytes: self.marked_bytes.load(Relaxed),
            marked_objects: self.marked_objects.load(Relaxed),
            peer_bytes: self.peer_bytes.load(Relaxed),
        })
    }

    /// Whether marking has nothing left to do right now.
    pub(crate) fn is_idle(&self) -> bool {
        let waiting = lock(&self.pending).deferred;
        let st = lock(&self.pool.state);
        st.active == 0 && !self.pool.has_work() && waiting == 0
    }
}

struct MarkWorker {
    gc: Arc<GcCycle>,
    local: Worker<u32>,
    /// Refs for each peer, not sent yet.
    out: Vec<Vec<u32>>,
    links: Vec<Option<Box<dyn Link>>>,
    children: Vec<u32>,
}

impl MarkWorker {
    fn run(&mut self) {
        let r = catch_unwind(AssertUnwindSafe(|| self.work()));
        if r.is_err() {
            // A malformed object made the object code panic: the cycle is lost,
            // but the counters must not claim work is still running.
            self.gc
                .fail("a marking worker failed on a malformed object".into());
            lock(&self.gc.pool.state).active -= 1;
        }
    }

    fn work(&mut self) {
        loop {
            if self.gc.pool.stopped() {
                return;
            }
            if let Some(r) = self.find() {
                self.scan(r);
                continue;
            }
            if self.flush_all() {
                continue;
            }
            if !self.park() {
                return;
            }
        }
    }

    fn find(&self) -> Option<u32> {
        if let Some(r) = self.local.pop() {
            return Some(r);
        }
        let pool = &self.gc.pool;
        std::iter::repeat_with(|| {
            pool.injector
                .steal_batch_and_pop(&self.local)
                .or_else(|| pool.stealers.iter().map(|s| s.steal()).collect())
        })
        .find(|s| !s.is_retry())
        .and_then(Steal::success)
    }

    fn scan(&mut self, r: u32) {
        let gc = &*self.gc;
        let a = Addr(u64::from(r) << 3);
        let view = super::map::View {
            map: &gc.map,
            classes: &gc.classes,
        };
        // Marking checked the object; check again (the header word is read
        // anew) so a malformed heap is a failed cycle, not a panic.
        if semeru_gc::object::try_size(&view, a).is_none() {
            gc.fail(format!("heap corrupt: no object at {:#x}", a.0));
            return;
        }
        self.children.clear();
        let children = &mut self.children;
        semeru_gc::object::for_each_slot(&view, a, |s| children.push(gc.map.load_u32(s)));
        for i in 0..self.children.len() {
            let c = self.children[i];
            match gc.table.target(c) {
                Target::Ignore => {}
                Target::Own(e, off) => {
                    if gc.mark_own(e, off, c) {
                        self.local.push(c);
                    }
                }
                Target::Peer(o) => {
                    let o = usize::from(o);
                    self.out[o].push(c);
                    if self.out[o].len() >= MAX_BATCH {
                        let batch = std::mem::take(&mut self.out[o]);
                        gc.send_batch(&mut self.links, o as u16, &batch);
                    }
                }
            }
        }
        // Parked workers cannot see our deque grow: wake them to steal.
        if gc.pool.parked.load(Relaxed) > 0 && self.local.len() >= 8 {
            let _st = lock(&gc.pool.state);
            gc.pool.cv.notify_all();
        }
    }

    /// Sends every pending peer batch; true if any was sent.
    fn flush_all(&mut self) -> bool {
        let mut any = false;
        for o in 0..self.out.len() {
            if !self.out[o].is_empty() {
                let batch = std::mem::take(&mut self.out[o]);
                self.gc.send_batch(&mut self.links, o as u16, &batch);
                any = true;
            }
        }
        any
    }

    /// Waits for work; false when the pool stops.
    fn park(&self) -> bool {
        let pool = &self.gc.pool;
        let mut st = lock(&pool.state);
        if st.stop {
            return false;
        }
        if pool.has_work() {
            return true;
        }
        st.active -= 1;
        pool.parked.fetch_add(1, Relaxed);
        loop {
            st = pool.cv.wait(st).unwrap_or_else(|e| e.into_inner());
            if st.stop {
                pool.parked.fetch_sub(1, Relaxed);
                return false;
            }
            if pool.has_work() {
                st.active += 1;
                pool.parked.fetch_sub(1, Relaxed);
                return true;
            }
        }
    }
}
