//! The forwarding table used by old-space compaction (spec
//! [`FORWARDING`](super::spec::FORWARDING)): for each region being evacuated, the
//! `(from, to)` pairs of its moved objects, in address order, so a lookup is a
//! binary search (in the spirit of ZGC's per-page forwarding tables). Nothing is
//! written into the from-space objects.

use crate::addr::{Addr, Ref, RegionId};

pub struct ForwardingTable {
    log_region: u32,
    regions: Vec<Option<Vec<(u32, u32)>>>,
    /// Compressed refs below this are nursery objects: they are forwarded by a
    /// forwarding header in their (local, about to be emptied) from-space copy
    /// instead of a table entry, as the scavenger does. Only old regions, which
    /// live on memnodes, need side tables; a table entry per young survivor
    /// would make the VM's memory grow with the heap.
    young_refs: u32,
}

impl ForwardingTable {
    pub fn new(nregions: usize, log_region: u32) -> ForwardingTable {
        ForwardingTable {
            log_region,
            regions: (0..nregions).map(|_| None).collect(),
            young_refs: 0,
        }
    }

    /// Forwards references below `young_refs` through headers (see the field).
    pub fn with_young_refs(mut self, young_refs: u32) -> ForwardingTable {
        self.young_refs = young_refs;
        self
    }

    /// True if `r` is forwarded by a header rather than by this table.
    #[inline(always)]
    pub fn by_header(&self, r: Ref) -> bool {
        r.0 < self.young_refs
    }

    /// The new location of `r`, reading the forwarding header of a nursery
    /// object from `view`.
    ///
    /// # Panics
    /// If `r` should have moved but did not (it was not marked: a corrupt heap).
    #[inline]
    pub fn forward_via<V: crate::view::HeapView>(&self, view: &V, r: Ref) -> Ref {
        if !r.is_null() && self.by_header(r) && self.is_evacuating(self.region(r)) {
            let h = crate::object::header(view, r.addr());
            assert!(
                h.is_forwarded(),
                "heap corrupt: nursery object {r:?} was not marked"
            );
            return h.forwardee();
        }
        self.forward(r)
    }

    #[inline(always)]
    fn region(&self, r: Ref) -> RegionId {
        RegionId((r.addr().0 >> self.log_region) as u32)
    }

    #[inline(always)]
    fn index(&self, a: Addr) -> usize {
        (a.0 >> self.log_region) as usize
    }

    /// Adds region `r` to the evacuation set.
    pub fn begin(&mut self, r: RegionId) {
        self.regions[r.0 as usize] = Some(Vec::new());
    }

    /// Makes room for exactly `n` moves out of region `r` (its live objects), so
    /// the table holds no slack.
    pub fn reserve_exact(&mut self, r: RegionId, n: usize) {
        if let Some(v) = &mut self.regions[r.0 as usize] {
            v.reserve_exact(n);
        }
    }

    /// Takes region `r` back out of the evacuation set (nothing was moved yet).
    pub fn cancel(&mut self, r: RegionId) {
        debug_assert!(self.regions[r.0 as usize]
            .as_ref()
            .is_some_and(|v| v.is_empty()));
        self.regions[r.0 as usize] = None;
    }

    #[inline]
    pub fn is_evacuating(&self, r: RegionId) -> bool {
        self.regions[r.0 as usize].is_some()
    }

    /// Records that the object at `from` moved to `to`. Objects of one region are
    /// recorded in increasing address order.
    pub fn insert(&mut self, from: Ref, to: Ref) {
        debug_assert!(!self.by_header(from));
        let i = self.index(from.addr());
        let v = self.regions[i]
            .as_mut()
            .expect("forwarding from a region outside the evacuation set");
        debug_assert!(v.last().is_none_or(|l| l.0 < from.0));
        v.push((from.0, to.0));
    }

    /// Where the object at `from` went, if its region is being evacuated.
    #[inline]
    pub fn lookup(&self, from: Ref) -> Option<Ref> {
        let v = self.regions[self.index(from.addr())].as_ref()?;
        v.binary_search_by_key(&from.0, |p| p.0)
            .ok()
            .map(|i| Ref(v[i].1))
    }

    /// The new location of `r`: itself unless its region is being evacuated.
    ///
    /// # Panics
    /// If `r` is in an evacuated region but was not moved (it was not marked).
    #[inline]
    pub fn forward(&self, r: Ref) -> Ref {
        if r.is_null() {
            return r;
        }
        match &self.regions[self.index(r.addr())] {
            None => r,
            Some(v) => match v.binary_search_by_key(&r.0, |p| p.0) {
                Ok(i) => Ref(v[i].1),
                Err(_) => panic!("heap corrupt: {r:?} in an evacuated region was not marked"),
            },
        }
    }

    /// Every `(from, to)` pair.
    pub fn moved(&self) -> impl Iterator<Item = (Ref, Ref)> + '_ {
        self.regions
            .iter()
            .flatten()
            .flat_map(|v| v.iter().map(|&(f, t)| (Ref(f), Ref(t))))
    }

    /// Regions in the evacuation set.
    pub fn evacuating(&self) -> impl Iterator<Item = RegionId> + '_ {
        self.regions
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_some())
            .map(|(i, _)| RegionId(i as u32))
    }

    /// Empties the evacuation set.
    pub fn clear(&mut self) {
        self.regions.iter_mut().for_each(|v| *v = None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_and_lookup() {
        let mut f = ForwardingTable::new(4, 10);
        f.begin(RegionId(2));
        assert!(f.is_evacuating(RegionId(2)) && !f.is_evacuating(RegionId(1)));
        let r = |a: u64| Ref::from_addr(Addr(a));
        f.insert(r(2048), r(3072));
        f.insert(r(2064), r(3080));
        assert_eq!(f.lookup(r(2064)), Some(r(3080)));
        assert_eq!(f.lookup(r(2056)), None);
        assert_eq!(f.forward(r(1024)), r(1024));
        assert_eq!(f.forward(r(2048)), r(3072));
        assert_eq!(f.moved().count(), 2);
        assert_eq!(f.evacuating().collect::<Vec<_>>(), vec![RegionId(2)]);
        f.clear();
        assert!(!f.is_evacuating(RegionId(2)));
    }
}
