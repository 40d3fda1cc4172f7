//! Regions and the region table.
//!
//! The universal address space is a row of fixed-size regions (a power of two).
//! The nursery takes the first regions and never leaves local memory; old space
//! is every region above it. The table records each region's space, allocation
//! top and live bytes (from the last marking), as in G1's `HeapRegion`
//! (Detlefs et al., "Garbage-First Garbage Collection", ISMM 2004).
//!
//! ```text
//! address 0                    old_base                                  end
//! | nursery: eden | s0 | s1 |   | old | old | humongous... | free | ... |
//! ```

use crate::addr::{Addr, RegionId};

/// The sizes that fix where everything lives.
#[derive(Clone, Copy, Debug)]
pub struct Geometry {
    pub log_region: u32,
    /// Regions `[0, nursery_regions)` hold the nursery.
    pub nursery_regions: u32,
    /// Old regions the mutator may fill (`--heap` minus `--young`).
    pub old_limit_regions: u32,
    /// All regions: nursery plus the old-space reserve (limit plus collector headroom).
    pub total_regions: u32,
}

impl Geometry {
    #[inline(always)]
    pub fn region_bytes(&self) -> usize {
        1 << self.log_region
    }
    /// First address of old space; everything below is young.
    #[inline(always)]
    pub fn old_base(&self) -> Addr {
        Addr((self.nursery_regions as u64) << self.log_region)
    }
    pub fn total_bytes(&self) -> usize {
        (self.total_regions as usize) << self.log_region
    }
    pub fn old_reserve_bytes(&self) -> usize {
        self.total_bytes() - self.old_base().0 as usize
    }
    pub fn old_limit_bytes(&self) -> usize {
        (self.old_limit_regions as usize) << self.log_region
    }
    /// Objects larger than this get humongous regions of their own.
    pub fn humongous_threshold(&self) -> usize {
        self.region_bytes() / 2
    }
}

/// What a region is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Space {
    Free,
    Eden,
    Survivor,
    Old,
    /// First region of a humongous object spanning `regions` regions.
    HumongousStart {
        regions: u32,
    },
    /// A later region of the humongous object starting at region `start`.
    HumongousCont {
        start: RegionId,
    },
}

impl Space {
    pub fn is_old(self) -> bool {
        matches!(
            self,
            Space::Old | Space::HumongousStart { .. } | Space::HumongousCont { .. }
        )
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Region {
    pub space: Space,
    /// Allocation top: objects fill `[base, top)` contiguously.
    pub top: Addr,
    /// Live bytes found by the last marking (objects starting in this region).
    pub live: u64,
    /// Live objects found by the last marking (objects starting in this region).
    pub live_objects: u64,
}

pub struct RegionTable {
    geom: Geometry,
    regions: Vec<Region>,
    old_in_use: u32,
    /// [`RegionTable::old_used_bytes`], kept current by every change of space
    /// or top (it is read at every collection).
    old_bytes: usize,
}

impl RegionTable {
    pub fn new(geom: Geometry) -> RegionTable {
        let regions = (0..geom.total_regions)
            .map(|i| Region {
                space: Space::Free,
                top: Addr((i as u64) << geom.log_region),
                live: 0,
                live_objects: 0,
            })
            .collect();
        RegionTable {
            geom,
            regions,
            old_in_use: 0,
            old_bytes: 0,
        }
    }

    pub fn geometry(&self) -> &Geometry {
        &self.geom
    }

    #[inline(always)]
    pub fn region_of(&self, a: Addr) -> RegionId {
        RegionId((a.0 >> self.geom.log_region) as u32)
    }

    #[inline(always)]
    pub fn base(&self, r: RegionId) -> Addr {
        Addr((r.0 as u64) << self.geom.log_region)
    }

    #[inline(always)]
    pub fn end(&self, r: RegionId) -> Addr {
        Addr((r.0 as u64 + 1) << self.geom.log_region)
    }

    #[inline(always)]
    pub fn get(&self, r: RegionId) -> &Region {
        &self.regions[r.0 as usize]
    }

    /// Mutable access for the live-byte count. Tops change through
    /// [`RegionTable::set_top`] only.
    #[inline(always)]
    pub fn get_mut(&mut self, r: RegionId) -> &mut Region {
        &mut self.regions[r.0 as usize]
    }

    /// Moves the allocation top of old region `r` (which must be in use).
    #[inline]
    pub fn set_top(&mut self, r: RegionId, top: Addr) {
        let reg = &mut self.regions[r.0 as usize];
        debug_assert!(reg.space.is_old());
        if reg.space == Space::Old {
            self.old_bytes = self.old_bytes + top.0 as usize - reg.top.0 as usize;
        }
        reg.top = top;
    }

    /// The bytes region `r` counts in [`RegionTable::old_used_bytes`].
    fn used_by(&self, r: RegionId) -> usize {
        let g = &self.regions[r.0 as usize];
        match g.space {
            Space::Old => (g.top.0 - self.base(r).0) as usize,
            Space::HumongousStart { .. } | Space::HumongousCont { .. } => self.geom.region_bytes(),
            _ => 0,
        }
    }

    /// Labels a nursery region (informational: the nursery is managed by spaces).
    pub fn set_young(&mut self, r: RegionId, space: Space) {
        self.regions[r.0 as usize].space = space;
    }

    fn old_ids(&self) -> std::ops::Range<u32> {
        self.geom.nursery_regions..self.geom.total_regions
    }

    /// Takes the lowest free old region as a fresh `Old` region.
    pub fn take_free(&mut self) -> Option<RegionId> {
        let i = self
            .old_ids()
            .find(|&i| self.regions[i as usize].space == Space::Free)?;
        let r = RegionId(i);
        self.claim(r, Space::Old);
        Some(r)
    }

    /// Takes `n` contiguous free regions for one humongous object.
    pub fn take_free_run(&mut self, n: u32) -> Option<RegionId> {
        let mut run = 0;
        for i in self.old_ids() {
            if self.regions[i as usize].space == Space::Free {
                run += 1;
                if run == n {
                    let start = RegionId(i + 1 - n);
                    self.claim(start, Space::HumongousStart { regions: n });
                    for j in start.0 + 1..=i {
                        self.claim(RegionId(j), Space::HumongousCont { start });
                    }
                    return Some(start);
                }
            } else {
                run = 0;
            }
        }
        None
    }

    fn claim(&mut self, r: RegionId, space: Space) {
        let base = self.base(r);
        let reg = &mut self.regions[r.0 as usize];
        debug_assert_eq!(reg.space, Space::Free);
        *reg = Region {
            space,
            top: base,
            live: 0,
            live_objects: 0,
        };
        self.old_in_use += 1;
        self.old_bytes += self.used_by(r);
    }

    /// Returns an old region to the free pool.
    pub fn release(&mut self, r: RegionId) {
        self.old_bytes -= self.used_by(r);
        let base = self.base(r);
        let reg = &mut self.regions[r.0 as usize];
        debug_assert!(reg.space.is_old());
        *reg = Region {
            space: Space::Free,
            top: base,
            live: 0,
            live_objects: 0,
        };
        self.old_in_use -= 1;
    }

    /// Forgets all live-byte counts (a marking starts).
    pub fn reset_live(&mut self) {
        self.regions.iter_mut().for_each(|r| {
            r.live = 0;
            r.live_objects = 0;
        });
    }

    /// Old regions in use (humongous included).
    pub fn old_in_use(&self) -> u32 {
        self.old_in_use
    }

    pub fn free_old(&self) -> u32 {
        self.geom.total_regions - self.geom.nursery_regions - self.old_in_use
    }

    /// Ids of all old regions in use, in address order.
    pub fn old_regions(&self) -> Vec<RegionId> {
        self.old_ids()
            .filter(|&i| self.regions[i as usize].space.is_old())
            .map(RegionId)
            .collect()
    }

    /// Bytes allocated in old space (humongous regions count whole).
    #[inline]
    pub fn old_used_bytes(&self) -> usize {
        debug_assert_eq!(self.old_bytes, self.recount_old_bytes());
        self.old_bytes
    }

    /// [`RegionTable::old_used_bytes`] counted region by region.
    pub fn recount_old_bytes(&self) -> usize {
        self.old_ids().map(|i| self.used_by(RegionId(i))).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geom() -> Geometry {
        Geometry {
            log_region: 16,
            nursery_regions: 2,
            old_limit_regions: 4,
            total_regions: 10,
        }
    }

    #[test]
    fn take_release_and_runs() {
        let mut t = RegionTable::new(geom());
        assert_eq!(t.geometry().old_base(), Addr(2 << 16));
        assert_eq!(t.region_of(Addr((3 << 16) + 5)), RegionId(3));
        let a = t.take_free().unwrap();
        assert_eq!(a, RegionId(2));
        let h = t.take_free_run(3).unwrap();
        assert_eq!(h, RegionId(3));
        assert_eq!(t.get(RegionId(4)).space, Space::HumongousCont { start: h });
        assert_eq!(t.old_in_use(), 4);
        t.release(a);
        assert_eq!(t.take_free_run(5), None);
        assert_eq!(t.take_free_run(4), Some(RegionId(6)));
        assert_eq!(t.take_free(), Some(RegionId(2)));
        assert_eq!(t.free_old(), 0);
        assert_eq!(t.old_regions().len(), 8);
        assert_eq!(t.old_used_bytes(), 7 << 16);
        let base = t.base(RegionId(2));
        t.set_top(RegionId(2), Addr(base.0 + 800));
        assert_eq!(t.old_used_bytes(), (7 << 16) + 800);
        t.release(RegionId(2));
        assert_eq!(t.old_used_bytes(), 7 << 16);
        assert_eq!(t.recount_old_bytes(), 7 << 16);
    }
}
