//! The full collection, as explicit phases over the whole heap:
//!
//! 1. [`FullPhase::Mark`]: trace from the roots through young and old objects
//!    into the side mark bitmap, counting live bytes per region.
//! 2. [`FullPhase::FreeEmpty`]: regions (and humongous objects) with nothing live
//!    go back to the pool at once.
//! 3. [`FullPhase::Select`]: the evacuation set is the whole nursery plus the
//!    sparse old regions (all partly-live ones if the heap would stay over its
//!    limit otherwise).
//! 4. [`FullPhase::Evacuate`]: copy the marked objects of the evacuation set into
//!    fresh old regions, recording `(from, to)` in the forwarding table.
//! 5. [`FullPhase::Fix`]: rewrite every reference — roots, moved objects and the
//!    objects of regions that stay — and turn dead objects that stay into fillers.
//! 6. [`FullPhase::Release`]: free the evacuated regions, empty the nursery and
//!    reset the mark bitmap, cards and forwarding table.
//!
//! Afterwards the nursery is empty, so no card needs to be dirty.

use std::time::Instant;

use super::Generational;
use crate::addr::{Addr, RegionId};
use crate::classes::ClassTable;
use crate::collector::{compact, mark::Marker};
use crate::heap::RootSet;
use crate::memory::PagedMemory;
use crate::region::Space;
use crate::view::{HeapViewMut, LocalView};

/// Regions whose live data is below this share of the region are evacuated.
const SPARSE_LIVE_RATIO: f64 = 0.7;
/// Old objects one full collection evacuates, unless old space would stay over
/// its limit: each needs an 8-byte forwarding entry in VM memory, and the VM's
/// resident set must not grow with the heap (DESIGN.md §5). Sparse regions left
/// out are swept in place and compacted by a later collection. (Nursery
/// survivors are forwarded through their headers and need no entry.)
const MAX_FORWARDED_OBJECTS: u64 = 1 << 19;

/// The phases of a full collection, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FullPhase {
    Mark,
    FreeEmpty,
    Select,
    Evacuate,
    Fix,
    Release,
}

impl FullPhase {
    pub const ORDER: [FullPhase; 6] = [
        FullPhase::Mark,
        FullPhase::FreeEmpty,
        FullPhase::Select,
        FullPhase::Evacuate,
        FullPhase::Fix,
        FullPhase::Release,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FullPhase::Mark => "mark",
            FullPhase::FreeEmpty => "free-empty",
            FullPhase::Select => "select",
            FullPhase::Evacuate => "evacuate",
            FullPhase::Fix => "fix",
            FullPhase::Release => "release",
        }
    }
}

/// What one phase hands the next.
#[derive(Default)]
struct FullState {
    /// Old regions in use when the collection started.
    in_use: Vec<RegionId>,
    /// Old regions being evacuated.
    evac: Vec<RegionId>,
    /// Old regions staying in place.
    keep: Vec<RegionId>,
    young_live: u64,
}

impl Generational {
    pub(super) fn full(
        &mut self,
        mem: &mut PagedMemory,
        classes: &ClassTable,
        roots: &mut dyn RootSet,
    ) {
        let mut view = LocalView { mem, classes };
        let mut st = FullState::default();
        for phase in FullPhase::ORDER {
            let t = Instant::now();
            match phase {
                FullPhase::Mark => self.mark(&view, roots),
                FullPhase::FreeEmpty => self.free_empty(&mut view, &mut st),
                FullPhase::Select => self.select(&view, &mut st),
                FullPhase::Evacuate => self.evacuate(&mut view, &mut st),
                FullPhase::Fix => self.fix(&mut view, &st, roots),
                FullPhase::Release => self.release(&mut view, &st),
            }
            self.stats
                .add_phase_time(phase.name(), t.elapsed().as_secs_f64() * 1e3);
        }
    }

    fn mark(&mut self, view: &LocalView<'_>, roots: &mut dyn RootSet) {
        self.old.retire();
        self.regions.reset_live();
        let mut m = Marker::with_limit(self.cfg.mark_stack_entries);
        let (marks, regions) = (&mut self.marks, &mut self.regions);
        roots.visit_roots(&mut |s| m.mark(view, marks, regions, *s));
        m.drain(view, marks, regions);
        self.stats.marked_bytes += m.marked_bytes;
        self.stats.mark_stack_overflows += m.overflows;
    }

    fn free_empty(&mut self, view: &mut LocalView<'_>, st: &mut FullState) {
        st.in_use = self.regions.old_regions();
        for &r in &st.in_use {
            let g = self.regions.get(r);
            if matches!(g.space, Space::Old | Space::HumongousStart { .. }) && g.live == 0 {
                self.free_region(view, r);
            }
        }
    }

    fn select(&mut self, view: &LocalView<'_>, st: &mut FullState) {
        let rb = self.geom.region_bytes() as u64;
        st.young_live = (0..self.geom.nursery_regions)
            .map(|i| self.regions.get(RegionId(i)).live)
            .sum();
        let free = self.regions.free_old() as u64 * rb;
        let budget = free.saturating_sub(st.young_live + st.young_live / 8 + rb);
        let mut evac = compact::select(
            &self.regions,
            SPARSE_LIVE_RATIO,
            budget,
            MAX_FORWARDED_OBJECTS,
        );
        let moved = st.young_live + evac.iter().map(|&r| self.regions.get(r).live).sum::<u64>();
        let projected = self.regions.old_in_use() as u64 - evac.len() as u64 + moved.div_ceil(rb);
        if projected > self.geom.old_limit_regions as u64 {
            evac = compact::select(&self.regions, 1.0, budget, u64::MAX);
        }
        // Regions kept local while the memnodes were full go back to them if
        // they have room now.
        for r in self.regions.old_regions() {
            let g = self.regions.get(r);
            if view.mem.is_overflow(r) && g.space == Space::Old && g.live > 0 && !evac.contains(&r)
            {
                evac.push(r);
            }
        }
        for i in 0..self.geom.nursery_regions {
            self.fwd.begin(RegionId(i));
        }
        for &r in &evac {
            self.fwd.begin(r);
            self.fwd
                .reserve_exact(r, self.regions.get(r).live_objects as usize);
        }
        st.keep = self
            .regions
            .old_regions()
            .into_iter()
            .filter(|&r| !self.fwd.is_evacuating(r))
            .collect();
        st.evac = evac;
    }

    fn evacuate(&mut self, view: &mut LocalView<'_>, st: &mut FullState) {
        let n = &self.nursery;
        let young = [
            (n.eden.start, n.eden.top),
            (n.from_space().start, n.from_space().top),
        ];
        for (from, to) in young {
            self.stats.bytes_promoted += self.evacuate_range(view, from, to);
        }
        let rb = self.geom.region_bytes() as u64;
        for r in std::mem::take(&mut st.evac) {
            // Objects are at most half a region, so copies fill each destination
            // region at least half: keep the region in place if that worst case
            // does not fit.
            let live = self.regions.get(r).live;
            if (self.regions.free_old() as u64) * rb < 2 * live + rb {
                self.fwd.cancel(r);
                st.keep.push(r);
                continue;
            }
            let (base, top) = (self.regions.base(r), self.regions.get(r).top);
            self.stats.compacted_bytes += self.evacuate_range(view, base, top);
            st.evac.push(r);
        }
    }

    /// Copies the marked objects of `[from, to)` into fresh old regions.
    fn evacuate_range(&mut self, view: &mut LocalView<'_>, from: Addr, to: Addr) -> u64 {
        let (old, regions, bot) = (&mut self.old, &mut self.regions, &mut self.bot);
        let mut alloc = |v: &mut LocalView<'_>, size: usize| {
            old.alloc(v, regions, bot, size)
                .expect("full collection: old-space reserve exhausted")
        };
        compact::evacuate_range(view, &self.marks, &mut self.fwd, from, to, &mut alloc)
    }

    fn fix(&mut self, view: &mut LocalView<'_>, st: &FullState, roots: &mut dyn RootSet) {
        let fwd = &self.fwd;
        let v: &LocalView<'_> = view;
        roots.visit_roots(&mut |s| *s = fwd.forward_via(v, *s));
        // Moved nursery objects: their forwarding headers name the copies.
        let n = &self.nursery;
        for (from, to) in [
            (n.eden.start, n.eden.top),
            (n.from_space().start, n.from_space().top),
        ] {
            let mut cur = from;
            while let Some(a) = self.marks.next_marked(cur, to) {
                let h = crate::object::header(&*view, a);
                compact::fix_object(view, fwd, h.forwardee().addr());
                cur = a.offset(crate::addr::GRANULE as u64);
            }
        }
        for (_, to) in fwd.moved() {
            compact::fix_object(view, fwd, to.addr());
        }
        for &r in &st.keep {
            let (base, g) = (self.regions.base(r), *self.regions.get(r));
            match g.space {
                Space::Old => {
                    compact::fix_and_sweep(view, &self.marks, fwd, &mut self.bot, base, g.top);
                }
                Space::HumongousStart { .. } => compact::fix_object(view, fwd, base),
                _ => {}
            }
        }
    }

    fn release(&mut self, view: &mut LocalView<'_>, st: &FullState) {
        for &r in &st.evac {
            self.free_region(view, r);
        }
        for s in [self.nursery.eden, *self.nursery.from_space()] {
            self.marks.clear_range(s.start, s.top);
        }
        self.nursery.empty();
        for &r in &st.in_use {
            self.marks
                .clear_range(self.regions.base(r), self.regions.end(r));
        }
        self.cards.clear();
        self.fwd.clear();
        let over = self.regions.old_in_use() > self.geom.old_limit_regions
            || view.mem.overflow_regions() > 0;
        self.nursery.eden_limit = if over {
            self.nursery.eden.start
        } else {
            self.nursery.eden.end
        };
        debug_assert_eq!(
            self.marks
                .count(Addr(0), Addr(self.geom.total_bytes() as u64)),
            0
        );
    }

    /// Returns old region `r` (and a humongous object's other regions) to the pool.
    pub(super) fn free_region<V: HeapViewMut>(&mut self, view: &mut V, r: RegionId) {
        let n = match self.regions.get(r).space {
            Space::HumongousStart { regions } => regions,
            _ => 1,
        };
        for i in r.0..r.0 + n {
            let r = RegionId(i);
            self.bot.reset(self.regions.base(r), self.regions.end(r));
            view.release_region(r);
            self.regions.release(r);
        }
    }
}
