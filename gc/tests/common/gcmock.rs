//! A `PageBackend` of `nodes` simulated memnodes over one `HashMap` region
//! store that also runs the offloaded collector's memnode side, with the gc
//! crate's own object model, evacuation and block-offset code. Marking is
//! deferred: refs are queued, and each poll traces a few objects, so the
//! mutator really runs between the steps (and the SATB barrier matters).
//! Everything is synchronous; there are no peer links (refs homed on another
//! "memnode" are counted as peer batches, sent and received at once).

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use semeru_gc::backend::{
    AcquireError, BackendError, EvacDest, EvacResult, FabricTotals, FixResult, GcRegionInfo,
    MarkProgress, MemnodeInfo, PageAddr, PageBackend,
};
use semeru_gc::classes::ClassTable;
use semeru_gc::collector::compact;
use semeru_gc::layout::{ClassId, Layout};
use semeru_gc::metadata::spec::LOG_CARD_BYTES;
use semeru_gc::metadata::{bitmap::MarkBitmap, bot::BlockOffsetTable, forwarding::ForwardingTable};
use semeru_gc::object;
use semeru_gc::view::{HeapView, HeapViewMut};
use semeru_gc::{Addr, Ref, RegionId};

const PAGE: usize = 4096;
/// Forwarding-table slots (regions) the mock supports.
const MAX_REGIONS: usize = 1 << 14;

pub struct GcState {
    pub cycle: u32,
    log_region: u32,
    young_refs: u32,
    /// region → (tams offset, kind, span)
    regions: HashMap<u32, GcRegionInfo>,
    marks: MarkBitmap,
    queue: Vec<Ref>,
    marked_bytes: u64,
    marked_objects: u64,
    peer_sent: u64,
    fwd: ForwardingTable,
    evacuated: HashSet<u32>,
    /// Pages (address >> 12) the VM held dirty at initial mark and has not
    /// written back: this store's copy is older than the snapshot.
    pending: HashSet<u64>,
    /// Refs whose marking waits for a pending page.
    deferred: Vec<Ref>,
    /// Pending pages written back or released so far (tests).
    pub pending_released: u64,
}

impl GcState {
    /// Pending pages changed: every waiting ref is traced again (and waits
    /// again if its page is still pending).
    fn resume(&mut self) {
        let d = std::mem::take(&mut self.deferred);
        self.queue.extend(d);
    }
}

#[derive(Default)]
pub struct OffState {
    /// region → (home, bytes)
    pub regions: HashMap<u32, (usize, Vec<u8>)>,
    pub nodes: usize,
    pub capacity_per_node: usize,
    pub classes: Option<ClassTable>,
    pub gc: Option<GcState>,
    /// Objects traced per poll.
    pub step: usize,
    pub next: usize,
    pub totals: FabricTotals,
    pub cycles_begun: u64,
    pub cycles_ended: u64,
    pub evacuations: u64,
    pub satb_refs: u64,
    pub released: u64,
    /// Skip ranges the VM sent with its fixups.
    pub skipped_ranges: u64,
    /// Objects the VM peeked at.
    pub peeked: u64,
}

#[derive(Clone)]
pub struct OffMock(pub Arc<Mutex<OffState>>);

impl OffMock {
    pub fn new(nodes: usize, step: usize) -> OffMock {
        OffMock(Arc::new(Mutex::new(OffState {
            nodes,
            capacity_per_node: usize::MAX,
            step,
            ..OffState::default()
        })))
    }
    pub fn state(&self) -> MutexGuard<'_, OffState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub fn boxed(&self) -> Box<dyn PageBackend> {
        Box::new(self.clone())
    }
}

/// The memnodes' view of the heap: the region store plus the uploaded layouts.
struct View<'a> {
    regions: &'a mut HashMap<u32, (usize, Vec<u8>)>,
    log_region: u32,
    classes: &'a ClassTable,
}

impl View<'_> {
    fn at(&self, a: Addr) -> (u32, usize) {
        (
            (a.0 >> self.log_region) as u32,
            (a.0 & ((1 << self.log_region) - 1)) as usize,
        )
    }
    fn bytes(&self, a: Addr, n: usize) -> &[u8] {
        let (r, o) = self.at(a);
        match self.regions.get(&r) {
            Some(reg) => &reg.1[o..o + n],
            None => panic!("memnode mock: access to missing region {r} at {:#x}", a.0),
        }
    }
    fn bytes_mut(&mut self, a: Addr, n: usize) -> &mut [u8] {
        let (r, o) = self.at(a);
        match self.regions.get_mut(&r) {
            Some(reg) => &mut reg.1[o..o + n],
            None => panic!("memnode mock: store to missing region {r} at {:#x}", a.0),
        }
    }
}

impl HeapView for View<'_> {
    fn load_u32(&self, a: Addr) -> u32 {
        u32::from_le_bytes(self.bytes(a, 4).try_into().unwrap())
    }
    fn load_u64(&self, a: Addr) -> u64 {
        u64::from_le_bytes(self.bytes(a, 8).try_into().unwrap())
    }
    fn layout(&self, c: ClassId) -> Option<&Layout> {
        self.classes.get(c)
    }
}

impl HeapViewMut for View<'_> {
    fn store_u32(&mut self, a: Addr, v: u32) {
        self.bytes_mut(a, 4).copy_from_slice(&v.to_le_bytes());
    }
    fn store_u64(&mut self, a: Addr, v: u64) {
        self.bytes_mut(a, 8).copy_from_slice(&v.to_le_bytes());
    }
    fn copy(&mut self, from: Addr, to: Addr, n: usize) {
        // Objects never straddle regions here (evacuated ones are small).
        let src = self.bytes(from, n).to_vec();
        self.bytes_mut(to, n).copy_from_slice(&src);
    }
    fn zero(&mut self, a: Addr, n: usize) {
        self.bytes_mut(a, n).fill(0);
    }
    fn acquire_region(&mut self, _r: RegionId) {}
    fn release_region(&mut self, _r: RegionId) {}
}

fn err(m: &str) -> BackendError {
    BackendError(format!("memnode mock: {m}"))
}

impl GcState {
    fn region_of(&self, r: Ref) -> u32 {
        (r.addr().0 >> self.log_region) as u32
    }

    /// Whether `r` is an object this cycle traces (old, below TAMS of a
    /// region of the cycle).
    fn traced(&self, r: Ref) -> bool {
        if r.0 < self.young_refs {
            return false;
        }
        let reg = self.region_of(r);
        let Some(info) = self.regions.get(&reg) else {
            return false;
        };
        let off = r.addr().0 & ((1 << self.log_region) - 1);
        info.kind != 2 && off < info.tams as u64
    }
}

impl OffState {
    fn gc(&mut self, cycle: u32) -> Result<&mut GcState, BackendError> {
        match self.gc.as_mut() {
            Some(g) if g.cycle == cycle => Ok(g),
            _ => Err(err(&format!("no cycle {cycle}"))),
        }
    }

    /// Traces at most `budget` queued objects.
    fn trace(&mut self, budget: usize) {
        let Some(classes) = self.classes.as_ref() else {
            return;
        };
        let Some(g) = self.gc.as_mut() else {
            return;
        };
        let view = View {
            regions: &mut self.regions,
            log_region: g.log_region,
            classes,
        };
        let mut n = 0;
        while n < budget {
            let Some(r) = g.queue.pop() else {
                break;
            };
            if !g.traced(r) || g.marks.is_marked(r.addr()) {
                continue;
            }
            // The header's page must be current before the header is read,
            // and every page of the object before it is scanned.
            let first = r.addr().0 >> 12;
            if g.pending.contains(&first) {
                g.deferred.push(r);
                continue;
            }
            let size = object::size(&view, r.addr()) as u64;
            let last = (r.addr().0 + size - 1) >> 12;
            if (first..=last).any(|p| g.pending.contains(&p)) {
                g.deferred.push(r);
                continue;
            }
            g.marks.mark(r.addr());
            n += 1;
            g.marked_bytes += size;
            g.marked_objects += 1;
            let home = view.regions.get(&g.region_of(r)).map(|x| x.0);
            object::for_each_slot(&view, r.addr(), |s| {
                let c = Ref(view.load_u32(s));
                if g.traced(c) {
                    if view.regions.get(&g.region_of(c)).map(|x| x.0) != home {
                        g.peer_sent += 1;
                    }
                    g.queue.push(c);
                }
            });
        }
    }
}

fn range<'a>(
    regions: &'a mut HashMap<u32, (usize, Vec<u8>)>,
    p: &PageAddr,
) -> Result<&'a mut [u8], BackendError> {
    let r = regions
        .get_mut(&p.region.0)
        .ok_or_else(|| err(&format!("no region {}", p.region.0)))?;
    let (s, e) = (p.offset as usize, p.offset as usize + p.len as usize);
    r.1.get_mut(s..e)
        .ok_or_else(|| err(&format!("bad range {p:?}")))
}

impl PageBackend for OffMock {
    fn memnodes(&self) -> usize {
        self.state().nodes
    }
    fn acquire(&mut self, r: RegionId, bytes: u32) -> Result<(), AcquireError> {
        let node = {
            let mut s = self.state();
            s.next = (s.next + 1) % s.nodes;
            s.next
        };
        self.acquire_on(r, bytes, node)
    }
    fn acquire_on(&mut self, r: RegionId, bytes: u32, node: usize) -> Result<(), AcquireError> {
        let mut s = self.state();
        if s.regions.contains_key(&r.0) {
            return Err(AcquireError::Fatal(format!("mock: region {} exists", r.0)));
        }
        let on = s.regions.values().filter(|x| x.0 == node).count();
        if on >= s.capacity_per_node {
            return Err(AcquireError::CapacityExhausted("mock: full".into()));
        }
        s.regions.insert(r.0, (node, vec![0; bytes as usize]));
        s.totals.round_trips += 1;
        Ok(())
    }
    fn home_of(&self, r: RegionId) -> Option<usize> {
        self.state().regions.get(&r.0).map(|x| x.0)
    }
    fn release(&mut self, rs: &[RegionId]) -> Result<(), BackendError> {
        let mut s = self.state();
        for r in rs {
            if s.regions.remove(&r.0).is_none() {
                return Err(err(&format!("release of missing {}", r.0)));
            }
            s.released += 1;
        }
        Ok(())
    }
    fn page_io(
        &mut self,
        writes: &[(PageAddr, &[u8])],
        reads: &[PageAddr],
        out: &mut Vec<u8>,
        gc: bool,
    ) -> Result<(), BackendError> {
        let mut s = self.state();
        let s = &mut *s;
        s.totals.round_trips += 1;
        for (p, b) in writes {
            range(&mut s.regions, p)?.copy_from_slice(b);
            if let Some(g) = s.gc.as_mut().filter(|g| !g.pending.is_empty()) {
                let a = ((p.region.0 as u64) << g.log_region) + p.offset as u64;
                let (first, last) = (a >> 12, (a + p.len as u64 - 1) >> 12);
                let before = g.pending.len();
                g.pending.retain(|&q| q < first || q > last);
                if g.pending.len() < before {
                    g.pending_released += (before - g.pending.len()) as u64;
                    g.resume();
                }
            }
            s.totals.bytes_written_back += b.len() as u64;
            if gc {
                s.totals.gc_bytes += b.len() as u64;
            }
        }
        for p in reads {
            out.extend_from_slice(range(&mut s.regions, p)?);
            s.totals.bytes_fetched += p.len as u64;
            if gc {
                s.totals.gc_bytes += p.len as u64;
            }
        }
        Ok(())
    }
    fn upload_layouts(&mut self, blob: &[u8]) -> Result<(), BackendError> {
        let t = ClassTable::decode_table(blob).map_err(|e| err(&e))?;
        self.state().classes = Some(t);
        Ok(())
    }
    fn totals(&self) -> FabricTotals {
        self.state().totals
    }
    fn nodes(&self) -> Vec<MemnodeInfo> {
        let s = self.state();
        (0..s.nodes)
            .map(|i| MemnodeInfo {
                name: format!("mock#{i}"),
                regions: s.regions.values().filter(|x| x.0 == i).count() as u64,
                ..MemnodeInfo::default()
            })
            .collect()
    }
    fn shutdown(&mut self) {
        self.state().regions.clear();
    }

    fn supports_offload(&self) -> bool {
        true
    }
    fn gc_begin(
        &mut self,
        cycle: u32,
        log_region: u32,
        young_refs: u32,
        regions: &[GcRegionInfo],
    ) -> Result<(), BackendError> {
        let mut s = self.state();
        if s.gc.is_some() {
            return Err(err("a cycle is open"));
        }
        let max = regions.iter().map(|r| r.region.0 + 1).max().unwrap_or(1);
        s.gc = Some(GcState {
            cycle,
            log_region,
            young_refs,
            regions: regions.iter().map(|r| (r.region.0, *r)).collect(),
            marks: MarkBitmap::new((max as usize) << log_region),
            queue: Vec::new(),
            marked_bytes: 0,
            marked_objects: 0,
            peer_sent: 0,
            fwd: ForwardingTable::new(MAX_REGIONS, log_region).with_young_refs(young_refs),
            evacuated: HashSet::new(),
            pending: HashSet::new(),
            deferred: Vec::new(),
            pending_released: 0,
        });
        s.cycles_begun += 1;
        Ok(())
    }
    fn gc_mark_refs(&mut self, cycle: u32, kind: u8, refs: &[Ref]) -> Result<(), BackendError> {
        let mut s = self.state();
        if kind == 1 {
            s.satb_refs += refs.len() as u64;
        }
        let g = s.gc(cycle)?;
        g.queue.extend_from_slice(refs);
        Ok(())
    }
    fn gc_pending(&mut self, cycle: u32, pages: &[(RegionId, u32)]) -> Result<(), BackendError> {
        let mut s = self.state();
        let g = s.gc(cycle)?;
        let lr = g.log_region;
        let now: HashSet<u64> = pages
            .iter()
            .map(|&(r, p)| (((r.0 as u64) << lr) >> 12) + p as u64)
            .collect();
        g.pending_released += g.pending.difference(&now).count() as u64;
        g.pending = now;
        g.resume();
        Ok(())
    }
    fn gc_poll(&mut self, cycle: u32) -> Result<Vec<MarkProgress>, BackendError> {
        let mut s = self.state();
        s.gc(cycle)?;
        let step = s.step;
        s.trace(step);
        let nodes = s.nodes;
        let g = s.gc(cycle)?;
        let idle = g.queue.is_empty();
        let waiting = g.deferred.len() as u64;
        Ok((0..nodes)
            .map(|i| MarkProgress {
                idle,
                sent: if i == 0 { g.peer_sent } else { 0 },
                received: if i == 0 { g.peer_sent } else { 0 },
                marked_bytes: if i == 0 { g.marked_bytes } else { 0 },
                marked_objects: if i == 0 { g.marked_objects } else { 0 },
                peer_bytes: if i == 0 { 4 * g.peer_sent } else { 0 },
                waiting: if i == 0 { waiting } else { 0 },
            })
            .collect())
    }
    fn gc_liveness(&mut self, cycle: u32) -> Result<Vec<(RegionId, u64, u64)>, BackendError> {
        let mut s = self.state();
        let s = &mut *s;
        let Some(classes) = s.classes.as_ref() else {
            return Err(err("no layouts"));
        };
        let g = match s.gc.as_ref() {
            Some(g) if g.cycle == cycle => g,
            _ => return Err(err("no cycle")),
        };
        if !g.queue.is_empty() || !g.deferred.is_empty() {
            return Err(err("liveness before termination"));
        }
        let view = View {
            regions: &mut s.regions,
            log_region: g.log_region,
            classes,
        };
        let mut out = Vec::new();
        for (&r, info) in &g.regions {
            let base = Addr((r as u64) << g.log_region);
            let tams = base.offset(info.tams as u64);
            let (mut bytes, mut objects) = (0, 0);
            let mut cur = base;
            while let Some(a) = g.marks.next_marked(cur, tams) {
                let size = object::size(&view, a) as u64;
                bytes += size;
                objects += 1;
                cur = a.offset(8);
            }
            out.push((RegionId(r), bytes, objects));
        }
        Ok(out)
    }
    fn gc_evacuate(
        &mut self,
        cycle: u32,
        node: usize,
        sources: &[RegionId],
        dests: &[RegionId],
    ) -> Result<EvacResult, BackendError> {
        let mut s = self.state();
        let s = &mut *s;
        s.evacuations += 1;
        let Some(classes) = s.classes.as_ref() else {
            return Err(err("no layouts"));
        };
        let g = match s.gc.as_mut() {
            Some(g) if g.cycle == cycle => g,
            _ => return Err(err("no cycle")),
        };
        for r in sources.iter().chain(dests) {
            if s.regions.get(&r.0).map(|x| x.0) != Some(node) {
                return Err(err(&format!("region {} is not on memnode {node}", r.0)));
            }
        }
        let lr = g.log_region;
        let rb = 1u64 << lr;
        let old_base = Addr((g.young_refs as u64) << 3);
        let max = dests.iter().map(|r| r.0 + 1).max().unwrap_or(1) as u64;
        let mut bot = BlockOffsetTable::new(old_base, ((max << lr) - old_base.0) as usize);
        let mut view = View {
            regions: &mut s.regions,
            log_region: lr,
            classes,
        };
        let mut tops: Vec<u64> = vec![0; dests.len()];
        let mut cur = 0usize;
        let mut copied = 0;
        let mut moved = 0;
        for &src in sources {
            let Some(info) = g.regions.get(&src.0) else {
                return Err(err(&format!("source {} not in the cycle", src.0)));
            };
            let base = Addr((src.0 as u64) << lr);
            let tams = base.offset(info.tams as u64);
            g.fwd.begin(src);
            g.evacuated.insert(src.0);
            let mut alloc = |_v: &mut View<'_>, size: usize| {
                while cur < dests.len() && tops[cur] + size as u64 > rb {
                    cur += 1;
                }
                assert!(cur < dests.len(), "memnode mock: out of destination space");
                let a = Addr(((dests[cur].0 as u64) << lr) + tops[cur]);
                tops[cur] += size as u64;
                bot.record(a, size);
                moved += 1;
                a
            };
            copied +=
                compact::evacuate_range(&mut view, &g.marks, &mut g.fwd, base, tams, &mut alloc);
        }
        // The destination cards that hold a young reference.
        let mut young_cards = Vec::new();
        for (&d, &top) in dests.iter().zip(&tops) {
            let base = Addr((d.0 as u64) << lr);
            let mut a = base;
            while a < base.offset(top) {
                let size = object::size(&view, a);
                object::for_each_slot(&view, a, |s| {
                    let v = view.load_u32(s);
                    if v != 0 && v < g.young_refs {
                        let card = Ref((s.0 >> LOG_CARD_BYTES << LOG_CARD_BYTES >> 3) as u32);
                        if young_cards.last() != Some(&card) {
                            young_cards.push(card);
                        }
                    }
                });
                a = a.offset(size as u64);
            }
        }
        let dests = dests
            .iter()
            .zip(&tops)
            .map(|(&r, &top)| {
                let base = Addr((r.0 as u64) << lr);
                EvacDest {
                    region: r,
                    top: top as u32,
                    bot: bot.export(base, base.offset(top)),
                }
            })
            .collect();
        Ok(EvacResult {
            copied_bytes: copied,
            moved_objects: moved,
            dests,
            young_cards,
        })
    }
    fn gc_fixup(
        &mut self,
        cycle: u32,
        tops: &[(RegionId, u32)],
        resident: &[(RegionId, u32)],
        skip: &[(RegionId, u32, u32)],
    ) -> Result<FixResult, BackendError> {
        let resident: HashSet<(u32, u32)> = resident.iter().map(|&(r, p)| (r.0, p)).collect();
        self.state().skipped_ranges += skip.len() as u64;
        let mut s = self.state();
        let s = &mut *s;
        let Some(classes) = s.classes.as_ref() else {
            return Err(err("no layouts"));
        };
        let g = match s.gc.as_ref() {
            Some(g) if g.cycle == cycle => g,
            _ => return Err(err("no cycle")),
        };
        let lr = g.log_region;
        let before: HashMap<u32, Vec<u8>> = tops
            .iter()
            .filter_map(|(r, _)| s.regions.get(&r.0).map(|x| (r.0, x.1.clone())))
            .collect();
        let mut view = View {
            regions: &mut s.regions,
            log_region: lr,
            classes,
        };
        let mut fixed = 0;
        for &(r, top) in tops {
            if g.evacuated.contains(&r.0) {
                return Err(err(&format!("fixup of evacuated region {}", r.0)));
            }
            let base = Addr((r.0 as u64) << lr);
            let end = base.offset(top as u64);
            let tams = g.regions.get(&r.0).map(|i| {
                if i.kind == 0 {
                    base.offset(i.tams as u64)
                } else {
                    base
                }
            });
            let mut a = base;
            // The VM's skip ranges of this region, in order: this store's
            // copy there may be stale, even unparseable.
            let mut skips = skip
                .iter()
                .filter(|x| x.0 == r)
                .map(|x| (base.offset(x.1 as u64), base.offset(x.2 as u64)))
                .peekable();
            while a < end {
                if let Some(&(from, to)) = skips.peek() {
                    if a == from {
                        a = to;
                        skips.next();
                        continue;
                    }
                    assert!(a < from, "memnode mock: skip range off an object boundary");
                }
                let size = object::size(&view, a);
                let live = match tams {
                    Some(t) if a < t => g.marks.is_marked(a),
                    _ => true,
                };
                let mut slots = Vec::new();
                object::for_each_slot(&view, a, |sl| slots.push(sl));
                for sl in slots {
                    let v = Ref(view.load_u32(sl));
                    let n = if live { g.fwd.forward(v) } else { Ref::NULL };
                    if n != v {
                        view.store_u32(sl, n.0);
                        fixed += 1;
                    }
                }
                a = a.offset(size as u64);
            }
        }
        let mut pages = Vec::new();
        let mut patches = Vec::new();
        for (r, old) in before {
            let now = &s.regions[&r].1;
            for (i, (x, y)) in old.chunks(PAGE).zip(now.chunks(PAGE)).enumerate() {
                if x != y && resident.contains(&(r, i as u32)) {
                    // A cached page: the changed words, as patches.
                    for (k, (a, b)) in x.chunks(4).zip(y.chunks(4)).enumerate() {
                        if a != b {
                            let v = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                            patches.push((RegionId(r), (i * PAGE + 4 * k) as u32, v));
                        }
                    }
                } else if x != y {
                    pages.push(PageAddr {
                        region: RegionId(r),
                        offset: (i * PAGE) as u32,
                        len: PAGE as u32,
                    });
                }
            }
        }
        Ok(FixResult {
            fixed_refs: fixed,
            pages,
            patches,
        })
    }
    fn gc_forward(&mut self, cycle: u32, refs: &[Ref]) -> Result<Vec<Ref>, BackendError> {
        let mut s = self.state();
        let g = s.gc(cycle)?;
        // As a memnode: a ref that did not move (even one into an evacuated
        // region, from a dead object) comes back unchanged.
        Ok(refs
            .iter()
            .map(|&r| {
                if r.is_null() {
                    r
                } else {
                    g.fwd.lookup(r).unwrap_or(r)
                }
            })
            .collect())
    }
    fn gc_peek(&mut self, cycle: u32, refs: &[Ref]) -> Result<Vec<[u32; 3]>, BackendError> {
        let mut s = self.state();
        let lr = s.gc(cycle)?.log_region;
        s.peeked += refs.len() as u64;
        let s = &mut *s;
        let Some(classes) = s.classes.as_ref() else {
            return Err(err("no layouts"));
        };
        let view = View {
            regions: &mut s.regions,
            log_region: lr,
            classes,
        };
        let mut out = Vec::with_capacity(refs.len());
        for &r in refs {
            let a = r.addr();
            if r.is_null() || !view.regions.contains_key(&view.at(a).0) {
                return Err(err("peek outside the regions"));
            }
            let h = view.load_u64(a);
            out.push([h as u32, (h >> 32) as u32, view.load_u32(a.offset(8))]);
        }
        Ok(out)
    }
    fn gc_end(&mut self, cycle: u32) -> Result<(), BackendError> {
        let mut s = self.state();
        s.gc(cycle)?;
        s.gc = None;
        s.cycles_ended += 1;
        Ok(())
    }
}
