//! Evacuation and reference fixing (steps 5c–5e of the cycle), run while the
//! VM is stopped: copy the marked objects of sparse source regions into fresh
//! destination regions (forwarding table, block-offset entries), then, once
//! every memnode has evacuated, rewrite every reference slot of every object
//! that stays, with the forwarding tables of all memnodes.

use super::map::{RegionMap, View};
use super::{Evacuated, Fixed, GcCycle, GcError, RegionKind};
use crate::node::lock;
use semeru_gc::addr::Addr;
use semeru_gc::metadata::bot::BlockOffsetTable;
use semeru_gc::metadata::spec::LOG_CARD_BYTES;
use semeru_gc::object::{self, Header};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;

/// Bytes per page reported as changed by `GcFixup`.
pub const PAGE_BYTES: u64 = 4096;
/// A resident page with more changed slots than this is reported for the VM
/// to drop rather than patched (its patches would cost more than a fetch).
pub const MAX_PATCHES_PER_PAGE: usize = 128;

/// Forwarding of moved objects: per source region, `(from, to)` compressed
/// refs sorted by `from`, found through a dense region index (a lookup per
/// reference slot of the heap is fixup's hot path).
#[derive(Clone, Debug, Default)]
pub struct Forwarding {
    log_region: u32,
    /// Region id → 1 + position in `tables` (0: not evacuated).
    index: Vec<u32>,
    tables: Vec<Vec<(u32, u32)>>,
}

impl Forwarding {
    pub fn new(log_region: u32) -> Forwarding {
        Forwarding {
            log_region,
            index: Vec::new(),
            tables: Vec::new(),
        }
    }

    fn region_of(&self, r: u32) -> u32 {
        ((u64::from(r) << 3) >> self.log_region) as u32
    }

    /// Adds pairs (any order); regions already present are extended.
    pub fn add(&mut self, pairs: impl IntoIterator<Item = (u32, u32)>) {
        let mut touched = Vec::new();
        for (f, t) in pairs {
            if f == 0 {
                continue;
            }
            let reg = self.region_of(f) as usize;
            if self.index.len() <= reg {
                self.index.resize(reg + 1, 0);
            }
            if self.index[reg] == 0 {
                self.tables.push(Vec::new());
                self.index[reg] = self.tables.len() as u32;
            }
            let i = self.index[reg] as usize - 1;
            self.tables[i].push((f, t));
            touched.push(i);
        }
        touched.sort_unstable();
        touched.dedup();
        for i in touched {
            let v = &mut self.tables[i];
            v.sort_unstable_by_key(|p| p.0);
            v.dedup_by_key(|p| p.0);
        }
    }

    fn table(&self, region: u32) -> Option<&Vec<(u32, u32)>> {
        let i = *self.index.get(region as usize)?;
        self.tables.get((i as usize).checked_sub(1)?)
    }

    /// Whether `region` was evacuated (by any memnode whose table is here).
    pub fn is_source(&self, region: u32) -> bool {
        self.table(region).is_some()
    }

    /// Where `r` went: `Some(new)` if it moved, `Some(r)` if its region was not
    /// evacuated, `None` if its region was evacuated but `r` did not move (it
    /// was not marked: a reference from a dead object, or a broken heap).
    #[inline]
    pub fn lookup(&self, r: u32) -> Option<u32> {
        if r == 0 {
            return Some(0);
        }
        match self.table(self.region_of(r)) {
            None => Some(r),
            Some(v) => v.binary_search_by_key(&r, |p| p.0).ok().map(|i| v[i].1),
        }
    }

    pub fn pairs(&self) -> Vec<(u32, u32)> {
        let mut v: Vec<(u32, u32)> = self.tables.iter().flatten().copied().collect();
        v.sort_unstable();
        v
    }

    pub fn len(&self) -> usize {
        self.tables.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What evacuation left behind for fixup.
#[derive(Default)]
pub(crate) struct EvacState {
    /// This memnode's moves.
    pub own: Option<Forwarding>,
    pub sources: HashSet<u32>,
    /// Destinations and their tops (offsets).
    pub dests: HashMap<u32, u32>,
    /// Every memnode's moves, once fixup pulled them.
    pub all: Option<Arc<Forwarding>>,
}

impl GcCycle {
    /// `GcEvacuate`: copies the marked objects below TAMS of `sources` (own Old
    /// regions) into `dests` (fresh regions of this tenant here, `dest_mems`),
    /// in order, bump-allocated; an object never straddles two destinations.
    pub fn evacuate(
        &self,
        sources: &[u32],
        dests: &[u32],
        dest_mems: &RegionMap,
    ) -> Result<Evacuated, GcError> {
        self.check_failed()?;
        if !self.is_idle() {
            return Err(GcError::State(format!(
                "GcEvacuate: cycle {} is still marking",
                self.cycle
            )));
        }
        let mut st = lock(&self.evac);
        if st.all.is_some() {
            return Err(GcError::State(
                "GcEvacuate after GcFixup in the same cycle".into(),
            ));
        }
        let t = &self.table;
        let rb = 1usize << t.log_region;
        let mut seen = HashSet::new();
        for &s in sources {
            let ok = t
                .entry(s)
                .is_some_and(|e| e.kind == RegionKind::Old && e.owner == t.self_index)
                && !st.sources.contains(&s)
                && seen.insert(s);
            if !ok {
                return Err(GcError::Bad(format!(
                    "GcEvacuate: region {s} is not an old region of this memnode that can be evacuated"
                )));
            }
        }
        for &d in dests {
            let ok = t.entry(d).is_none()
                && dest_mems.get(d).is_some_and(|m| m.len() >= rb)
                && !st.dests.contains_key(&d)
                && seen.insert(d);
            if !ok {
                return Err(GcError::Bad(format!(
                    "GcEvacuate: region {d} is not a fresh region of this tenant"
                )));
            }
        }
        // Reserve the regions, then copy without holding the lock (status
        // queries and peers' GetForwarding must not wait for a long copy).
        st.sources.extend(sources.iter().copied());
        for &d in dests {
            st.dests.insert(d, 0);
        }
        drop(st);
        let copied = self.copy_out(sources, dests, dest_mems);
        let mut st = lock(&self.evac);
        let (out, fwd) = match copied {
            Ok(x) => x,
            Err(e) => {
                for s in sources {
                    st.sources.remove(s);
                }
                for d in dests {
                    st.dests.remove(d);
                }
                return Err(e);
            }
        };
        let own = st.own.get_or_insert_with(|| Forwarding::new(t.log_region));
        own.add(fwd);
        for (d, top, _) in &out.dests {
            st.dests.insert(*d, *top);
        }
        drop(st);
        self.evacuated_bytes.fetch_add(out.copied_bytes, Relaxed);
        tracing::debug!(
            "tenant {:016x}: cycle {}: evacuated {} regions, {} objects, {} bytes",
            self.tenant,
            self.cycle,
            sources.len(),
            out.moved_objects,
            out.copied_bytes
        );
        Ok(out)
    }

    /// Copies the marked objects of `sources` into `dests` (validated and
    /// reserved by the caller): the result and the `(from, to)` moves.
    fn copy_out(
        &self,
        sources: &[u32],
        dests: &[u32],
        dest_mems: &RegionMap,
    ) -> Result<(Evacuated, Vec<(u32, u32)>), GcError> {
        let t = &self.table;
        let rb = 1usize << t.log_region;
        let view = View {
            map: &self.map,
            classes: &self.classes,
        };
        let mut fwd = Vec::new();
        let mut out = Evacuated::default();
        let mut di = 0usize;
        let mut cur = 0usize;
        let mut bot: Option<BlockOffsetTable> = None;
        let mut tops: Vec<(u32, u32, Vec<u16>)> = Vec::with_capacity(dests.len());
        let close = |d: u32, top: usize, bot: Option<BlockOffsetTable>| {
            let base = t.base(d);
            let entries = bot.map_or_else(Vec::new, |b| b.export(base, base.offset(top as u64)));
            (d, top as u32, entries)
        };
        for &s in sources {
            let Some(e) = t.entry(s) else { continue };
            let base = t.base(s);
            let end = base.offset(rb as u64);
            let mut off = 0usize;
            while let Some(o) = e.next_marked(off, e.tams as usize) {
                let a = base.offset(o as u64);
                let Some(size) = view.object_size(a, end) else {
                    return Err(GcError::Failed(format!(
                        "GcEvacuate: heap corrupt: no object at marked address {:#x}",
                        a.0
                    )));
                };
                // The destination with room for it.
                while di < dests.len() && cur + size > rb {
                    tops.push(close(dests[di], cur, bot.take()));
                    di += 1;
                    cur = 0;
                }
                let (Some(&d), Some(dmem)) =
                    (dests.get(di), dests.get(di).and_then(|&d| dest_mems.get(d)))
                else {
                    return Err(GcError::Bad(format!(
                        "GcEvacuate: {} destination regions cannot hold the live objects of {} sources",
                        dests.len(),
                        sources.len()
                    )));
                };
                let dbase = t.base(d);
                let b = bot.get_or_insert_with(|| BlockOffsetTable::new(dbase, rb));
                let smem = self.map.get(s).ok_or_else(|| {
                    GcError::Failed(format!("GcEvacuate: region {s} disappeared"))
                })?;
                for w in (0..size).step_by(8) {
                    dmem.store_u64(cur + w, smem.load_u64(o + w));
                }
                let h = Header(smem.load_u64(o));
                dmem.store_u64(cur, h.with_age(0).0);
                let to = dbase.offset(cur as u64);
                b.record(to, size);
                // Old-to-young edges move with their objects: report the
                // destination cards that hold one.
                object::for_each_slot(&view, a, |s| {
                    let v = self.map.load_u32(s);
                    if v != 0 && v < t.young_refs {
                        let slot = to.offset(s.0 - a.0);
                        let card = (slot.0 >> LOG_CARD_BYTES << LOG_CARD_BYTES >> 3) as u32;
                        if out.young_cards.last() != Some(&card) {
                            out.young_cards.push(card);
                        }
                    }
                });
                fwd.push(((a.0 >> 3) as u32, (to.0 >> 3) as u32));
                out.copied_bytes += size as u64;
                out.moved_objects += 1;
                cur += size;
                off = o + size;
            }
        }
        while di < dests.len() {
            tops.push(close(dests[di], cur, bot.take()));
            di += 1;
            cur = 0;
        }
        out.dests = tops;
        Ok((out, fwd))
    }

    /// `GetForwarding`: this memnode's moves.
    pub fn forwarding_pairs(&self) -> Vec<(u32, u32)> {
        lock(&self.evac)
            .own
            .as_ref()
            .map_or_else(Vec::new, Forwarding::pairs)
    }

    /// `GcForward`: each ref's new address (unmoved refs unchanged).
    pub fn forward(&self, refs: &[u32]) -> Result<Vec<u32>, GcError> {
        let st = lock(&self.evac);
        let all = st.all.clone();
        let lookup = |r: u32| -> u32 {
            let f = all
                .as_deref()
                .and_then(|f| f.lookup(r))
                .or_else(|| st.own.as_ref().and_then(|f| f.lookup(r)));
            f.unwrap_or(r)
        };
        Ok(refs.iter().map(|&r| lookup(r)).collect())
    }

    /// `GcFixup`: pulls every other memnode's forwarding, then fixes every
    /// reference slot of every object that stays in this tenant's regions here
    /// (`tops`: every old region's current top, as an offset) and nulls the
    /// slots of dead objects below TAMS. `mems` is every region the tenant
    /// holds here now.
    ///
    /// A change on one of the `resident` pages (the VM caches them clean) is
    /// answered as a patch of that slot, unless the page changed a lot; every
    /// other changed page is answered whole, for the VM to drop. The `skip`
    /// ranges `(region, from, to)` (object-aligned offsets) are neither parsed
    /// nor changed: the VM holds them dirty, newer than this copy, and fixes
    /// them itself.
    pub fn fixup(
        &self,
        tops: &[(u32, u32)],
        resident: &[(u32, u32)],
        skip: &[(u32, u32, u32)],
        mems: &RegionMap,
    ) -> Result<Fixed, GcError> {
        self.check_failed()?;
        if !self.is_idle() {
            return Err(GcError::State(format!(
                "GcFixup: cycle {} is still marking",
                self.cycle
            )));
        }
        // Never hold `evac` while asking peers: they may be asking us.
        let (own, sources, dests) = {
            let st = lock(&self.evac);
            (st.own.clone(), st.sources.clone(), st.dests.clone())
        };
        let mut all = own.unwrap_or_else(|| Forwarding::new(self.table.log_region));
        {
            let mut links = lock(&self.links);
            for (i, peer) in self.peers.iter().enumerate() {
                if i == usize::from(self.table.self_index) {
                    continue;
                }
                if links[i].is_none() {
                    let l = super::peers::connect(self.connector.as_deref(), peer, self.tenant)
                        .map_err(|e| {
                            GcError::Failed(format!("GcFixup: cannot reach memnode {peer}: {e}"))
                        })?;
                    links[i] = Some(l);
                }
                let Some(link) = links[i].as_mut() else {
                    continue;
                };
                match link.get_forwarding(self.cycle) {
                    Ok(pairs) => all.add(pairs),
                    Err(e) => {
                        links[i] = None;
                        return Err(GcError::Failed(format!(
                            "GcFixup: cannot get the forwarding of memnode {peer}: {e}"
                        )));
                    }
                }
            }
        }
        let all = Arc::new(all);
        lock(&self.evac).all = Some(all.clone());

        let work = self.fixup_work(tops, skip, &dests, &sources, mems)?;
        let resident: HashSet<(u32, u32)> = resident.iter().copied().collect();
        let next = AtomicUsize::new(0);
        let threads = self.threads.min(work.len()).max(1);
        let results: Vec<FixerResult> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        let mut fixer = Fixer {
                            table: &self.table,
                            view: View {
                                map: mems,
                                classes: &self.classes,
                            },
                            fwd: &all,
                            resident: &resident,
                            fixed: 0,
                            unmoved: 0,
                            pages: BTreeSet::new(),
                            last_page: None,
                            patches: HashMap::new(),
                            slots: Vec::new(),
                        };
                        loop {
                            let i = next.fetch_add(1, Relaxed);
                            let Some(w) = work.get(i) else { break };
                            fixer.run(w);
                        }
                        Some((fixer.fixed, fixer.pages, fixer.unmoved, fixer.patches))
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().ok().flatten()).collect()
        });
        let mut out = Fixed::default();
        let mut pages = BTreeSet::new();
        let mut patches: HashMap<(u32, u32), Vec<(u32, u32)>> = HashMap::new();
        let mut unmoved = 0u64;
        for r in results {
            let Some((f, p, u, ps)) = r else {
                return Err(GcError::Failed(
                    "GcFixup: a fixup thread failed on a malformed object".into(),
                ));
            };
            out.fixed_refs += f;
            pages.extend(p);
            unmoved += u;
            for (page, mut v) in ps {
                patches.entry(page).or_default().append(&mut v);
            }
        }
        for (page, v) in patches {
            if v.len() > MAX_PATCHES_PER_PAGE {
                pages.insert(page);
            } else {
                out.patches
                    .extend(v.into_iter().map(|(off, val)| (page.0, off, val)));
            }
        }
        out.patches.sort_unstable();
        if unmoved > 0 {
            tracing::warn!(
                "tenant {:016x}: cycle {}: {unmoved} live references to unmarked objects in evacuated regions",
                self.tenant,
                self.cycle
            );
        }
        out.pages = pages.into_iter().collect();
        Ok(out)
    }

    /// What fixup does in each region, in address order.
    fn fixup_work(
        &self,
        tops: &[(u32, u32)],
        skip: &[(u32, u32, u32)],
        dests: &HashMap<u32, u32>,
        sources: &HashSet<u32>,
        mems: &RegionMap,
    ) -> Result<Vec<Work>, GcError> {
        let t = &self.table;
        let rb = 1u64 << t.log_region;
        let mut tops: Vec<(u32, u32)> = tops.to_vec();
        for (&d, &top) in dests {
            if !tops.iter().any(|x| x.0 == d) {
                tops.push((d, top));
            }
        }
        tops.sort_unstable();
        tops.dedup_by_key(|x| x.0);
        // Skip ranges: sorted, disjoint, non-empty, below their region's top,
        // in old regions that are fixed here.
        let mut skips: HashMap<u32, Vec<(Addr, Addr)>> = HashMap::new();
        for &(r, from, to) in skip {
            let top = tops
                .binary_search_by_key(&r, |x| x.0)
                .ok()
                .map(|i| tops[i].1);
            let bad = |why: &str| {
                GcError::Bad(format!(
                    "GcFixup: skip range {from}..{to} of region {r}: {why}"
                ))
            };
            let Some(top) = top else {
                return Err(bad("the region is not fixed here"));
            };
            if from >= to || to > top || from % 8 != 0 || to % 8 != 0 {
                return Err(bad("not an aligned range below the region's top"));
            }
            if sources.contains(&r) || t.entry(r).is_some_and(|e| e.kind != RegionKind::Old) {
                return Err(bad("not an old region that stays"));
            }
            let v = skips.entry(r).or_default();
            let base = t.base(r);
            if v.last()
                .is_some_and(|&(_, end)| end > base.offset(u64::from(from)))
            {
                return Err(bad("ranges out of order or overlapping"));
            }
            v.push((base.offset(u64::from(from)), base.offset(u64::from(to))));
        }
        let view = View {
            map: mems,
            classes: &self.classes,
        };
        let mut work = Vec::new();
        let mut covered = Addr(0);
        for &(r, top) in &tops {
            if sources.contains(&r) {
                continue;
            }
            let base = t.base(r);
            if base < covered {
                continue;
            }
            if mems.get(r).is_none() {
                return Err(GcError::Bad(format!(
                    "GcFixup: region {r} is not held by this tenant here"
                )));
            }
            if u64::from(top) > rb || top % 8 != 0 {
                return Err(GcError::Bad(format!("GcFixup: region {r}: bad top {top}")));
            }
            let top = base.offset(u64::from(top));
            match t.entry(r) {
                Some(e) if e.owner != t.self_index => {
                    return Err(GcError::Bad(format!(
                        "GcFixup: region {r} belongs to another memnode"
                    )))
                }
                Some(e) => match e.kind {
                    RegionKind::Continuation => {}
                    RegionKind::HumongousStart => {
                        let end = base.offset(u64::from(e.span) << t.log_region);
                        covered = end;
                        let live = e.tams == 0 || e.is_marked(0);
                        work.push(Work::Object { a: base, live, end });
                    }
                    RegionKind::Old => work.push(Work::Region {
                        base,
                        tams: base.offset(u64::from(e.tams)),
                        top,
                        mark: Some(e.region),
                        skip: skips.remove(&r).unwrap_or_default(),
                    }),
                },
                None => {
                    // Acquired during the cycle: a destination, a promotion
                    // region, or a humongous object allocated black.
                    if top > base && !skips.contains_key(&r) {
                        let far = Addr(crate::gc::map::ADDRESS_LIMIT);
                        if let Some(size) = view.object_size(base, far) {
                            if size as u64 > rb {
                                covered = base.offset(size as u64);
                                work.push(Work::Object {
                                    a: base,
                                    live: true,
                                    end: covered,
                                });
                                continue;
                            }
                        }
                    }
                    work.push(Work::Region {
                        base,
                        tams: base,
                        top,
                        mark: None,
                        skip: skips.remove(&r).unwrap_or_default(),
                    });
                }
            }
        }
        Ok(work)
    }
}

/// Fixed refs, changed pages, live refs that did not move, and patches of
/// resident pages (`page → (offset in region, value)`), of one thread (`None`:
/// it failed).
type FixerResult = Option<(u64, BTreeSet<(u32, u32)>, u64, Patches)>;
type Patches = HashMap<(u32, u32), Vec<(u32, u32)>>;

/// One unit of fixup work.
enum Work {
    /// Objects in `[base, top)`: below `tams`, live if marked in region `mark`'s
    /// bitmap (dead ones get their refs nulled); from `tams` on, all live.
    /// The `skip` ranges (sorted, object-aligned) are passed over.
    Region {
        base: Addr,
        tams: Addr,
        top: Addr,
        mark: Option<u32>,
        skip: Vec<(Addr, Addr)>,
    },
    /// The humongous object at `a`, ending by `end`.
    Object { a: Addr, live: bool, end: Addr },
}

struct Fixer<'a> {
    view: View<'a>,
    table: &'a super::Table,
    fwd: &'a super::evac::Forwarding,
    resident: &'a HashSet<(u32, u32)>,
    fixed: u64,
    unmoved: u64,
    pages: BTreeSet<(u32, u32)>,
    last_page: Option<(u32, u32)>,
    patches: Patches,
    slots: Vec<Addr>,
}

impl Fixer<'_> {
    fn run(&mut self, w: &Work) {
        match *w {
            Work::Object { a, live, end } => {
                if self.view.object_size(a, end).is_some() {
                    self.object(a, live);
                }
            }
            Work::Region {
                base,
                tams,
                top,
                mark,
                ref skip,
            } => {
                let mut a = base;
                let mut skip = skip.iter().peekable();
                while a < top {
                    if let Some(&&(from, to)) = skip.peek() {
                        if a == from {
                            a = to;
                            skip.next();
                            continue;
                        }
                        if a > from {
                            tracing::warn!(
                                "GcFixup: region at {:#x}: skip range {:#x}..{:#x} does not start on an object; the rest of the region is skipped",
                                base.0,
                                from.0,
                                to.0
                            );
                            return;
                        }
                    }
                    let Some(size) = self.view.object_size(a, top) else {
                        tracing::warn!(
                            "GcFixup: region at {:#x}: no object at {:#x}; the rest of the region is skipped",
                            base.0,
                            a.0
                        );
                        return;
                    };
                    let live = match mark {
                        Some(r) if a < tams => self.marked(r, a),
                        _ => true,
                    };
                    self.object(a, live);
                    a = a.offset(size as u64);
                }
            }
        }
    }

    fn marked(&self, region: u32, a: Addr) -> bool {
        self.table
            .entry(region)
            .is_some_and(|e| e.is_marked(self.view.map.offset_of(a)))
    }

    fn object(&mut self, a: Addr, live: bool) {
        let map = self.view.map;
        let mut slots = std::mem::take(&mut self.slots);
        slots.clear();
        object::for_each_slot(&self.view, a, |s| slots.push(s));
        for &s in &slots {
            let v = map.load_u32(s);
            if v == 0 {
                continue;
            }
            let n = if live {
                match self.fwd.lookup(v) {
                    Some(n) => n,
                    None => {
                        self.unmoved += 1;
                        v
                    }
                }
            } else {
                0
            };
            if n != v {
                map.store_u32(s, n);
                if live {
                    self.fixed += 1;
                }
                let off = map.offset_of(s) as u32;
                let page = (map.region_of(s), (u64::from(off) / PAGE_BYTES) as u32);
                if self.resident.contains(&page) {
                    self.patches.entry(page).or_default().push((off, n));
                } else if self.last_page != Some(page) {
                    self.last_page = Some(page);
                    self.pages.insert(page);
                }
            }
        }
        self.slots = slots;
    }
}
