//! Young collection: a stop-the-world Cheney copy of the nursery (Cheney, "A
//! nonrecursive list compacting algorithm", CACM 1970) with generational
//! promotion (Ungar, "Generation Scavenging", 1984).
//!
//! Roots are the mutator's root slots plus the old slots on dirty cards. Each
//! live young object is copied once, to the *to* survivor space, or to old space
//! when it reaches the tenuring age or the survivor space is full; its from-space
//! header is overwritten by a forwarding header. The to-space itself is the scan
//! queue; promoted objects go on a side stack. Work is proportional to the
//! survivors and the dirty cards, not to the heap.

use crate::addr::{Addr, Ref};
use crate::heap::RootSet;
use crate::metadata::bot::BlockOffsetTable;
use crate::metadata::cards::CardTable;
use crate::object::{self, Header};
use crate::policy::nursery::{BumpSpace, Nursery};
use crate::policy::old::OldSpace;
use crate::region::RegionTable;
use crate::view::HeapViewMut;

/// What a young collection touches.
pub struct YoungSpaces<'a> {
    pub regions: &'a mut RegionTable,
    pub nursery: &'a mut Nursery,
    pub old: &'a mut OldSpace,
    pub cards: &'a mut CardTable,
    pub bot: &'a mut BlockOffsetTable,
}

/// The outcome of one young collection.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScavengeResult {
    pub survived_bytes: u64,
    pub promoted_bytes: u64,
}

struct Scavenger<'s, 'a, V> {
    view: &'s mut V,
    sp: &'s mut YoungSpaces<'a>,
    old_base: Addr,
    tenure_age: u8,
    to: BumpSpace,
    promoted: Vec<Addr>,
    /// Scratch buffer of slot addresses.
    slots: Vec<Addr>,
    result: ScavengeResult,
}

/// Runs one young collection.
///
/// # Panics
/// If old space has no free region for a promotion: the caller guarantees room
/// before collecting (the promotion guarantee).
pub fn scavenge<V: HeapViewMut>(
    view: &mut V,
    mut sp: YoungSpaces<'_>,
    roots: &mut dyn RootSet,
    tenure_age: u8,
) -> ScavengeResult {
    let old_base = sp.regions.geometry().old_base();
    let mut to = sp.nursery.survivors[1 - sp.nursery.from];
    to.reset();
    let mut s = Scavenger {
        view,
        sp: &mut sp,
        old_base,
        tenure_age,
        to,
        promoted: Vec::new(),
        slots: Vec::new(),
        result: ScavengeResult::default(),
    };
    roots.visit_roots(&mut |slot| {
        if s.is_young(*slot) {
            *slot = s.evacuate(*slot);
        }
    });
    s.scan_dirty_cards();
    s.drain();
    let to = s.to;
    let result = s.result;
    let n = &mut sp.nursery;
    n.survivors[1 - n.from] = to;
    n.flip();
    result
}

impl<V: HeapViewMut> Scavenger<'_, '_, V> {
    #[inline(always)]
    fn is_young(&self, r: Ref) -> bool {
        !r.is_null() && r.addr() < self.old_base
    }

    /// Copies the young object `r` (once) and returns its new location.
    fn evacuate(&mut self, r: Ref) -> Ref {
        let a = r.addr();
        if self.to.contains(a) {
            // Already copied: a slot seen twice (a promoted object can be reached
            // both from the promotion stack and from a dirty card).
            return r;
        }
        let h = object::header(self.view, a);
        if h.is_forwarded() {
            return h.forwardee();
        }
        let size = object::size(self.view, a);
        let age = h.age().saturating_add(1);
        let to = if age < self.tenure_age {
            self.to.alloc(size)
        } else {
            None
        };
        let dst = match to {
            Some(d) => {
                self.result.survived_bytes += size as u64;
                d
            }
            None => {
                let d = self
                    .sp
                    .old
                    .alloc(self.view, self.sp.regions, self.sp.bot, size)
                    .expect("promotion failed: old-space reserve exhausted");
                self.result.promoted_bytes += size as u64;
                self.promoted.push(d);
                d
            }
        };
        self.view.copy(a, dst, size);
        self.view.store_u64(dst, h.with_age(age).0);
        let nr = Ref::from_addr(dst);
        self.view.store_u64(a, Header::forwarded(nr).0);
        nr
    }

    /// Updates the young referent of old slot `s`, keeping its card dirty while
    /// it still points into the nursery.
    #[inline]
    fn update_old_slot(&mut self, s: Addr) {
        let v = Ref(self.view.load_u32(s));
        if self.is_young(v) {
            let n = self.evacuate(v);
            self.view.store_u32(s, n.0);
            if self.is_young(n) {
                self.sp.cards.dirty(s);
            }
        }
    }

    /// Treats every old slot on a dirty card as a root.
    fn scan_dirty_cards(&mut self) {
        for card in self.sp.cards.take_dirty() {
            let (lo, hi) = self.sp.cards.range(card);
            let top = self.sp.regions.get(self.sp.regions.region_of(lo)).top;
            let hi = hi.min(top);
            let mut slots = std::mem::take(&mut self.slots);
            slots.clear();
            self.sp
                .bot
                .for_each_slot_in(&*self.view, lo, hi, |s| slots.push(s));
            for &s in &slots {
                self.update_old_slot(s);
            }
            self.slots = slots;
        }
    }

    /// Scans copied objects until no grey object is left.
    fn drain(&mut self) {
        let mut scan = self.to.start;
        let mut slots = Vec::new();
        loop {
            if scan < self.to.top {
                let size = object::size(self.view, scan);
                slots.clear();
                object::for_each_slot(self.view, scan, |s| slots.push(s));
                for &s in &slots {
                    let v = Ref(self.view.load_u32(s));
                    if self.is_young(v) {
                        let n = self.evacuate(v);
                        self.view.store_u32(s, n.0);
                    }
                }
                scan = scan.offset(size as u64);
            } else if let Some(p) = self.promoted.pop() {
                slots.clear();
                object::for_each_slot(self.view, p, |s| slots.push(s));
                for &s in &slots {
                    self.update_old_slot(s);
                }
            } else {
                break;
            }
        }
    }
}
