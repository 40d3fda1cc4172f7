//! A tenant's regions on this memnode as one address space: universal heap
//! address → region memory, and the [`HeapView`] the collector's object code
//! (`semeru_gc::object`) reads objects through.

use crate::region::RegionMem;
use semeru_gc::addr::Addr;
use semeru_gc::classes::ClassTable;
use semeru_gc::layout::{ClassId, Layout};
use semeru_gc::view::HeapView;
use std::sync::Arc;

/// No entry for this region id.
pub(crate) const NONE: u32 = u32::MAX;

/// Compressed refs address 32 GiB: no region at or above this address can be
/// referenced, so it never needs an index entry.
pub(crate) const ADDRESS_LIMIT: u64 = 1 << 35;

/// Region id → memory, for the regions a tenant holds here.
pub struct RegionMap {
    log_region: u32,
    index: Vec<u32>,
    mems: Vec<(u32, Arc<RegionMem>)>,
}

impl RegionMap {
    /// A map of `regions` (ids beyond the 32 GiB that refs can address are left
    /// out: nothing can point into them).
    pub fn new(log_region: u32, regions: impl IntoIterator<Item = (u32, Arc<RegionMem>)>) -> Self {
        let limit = ADDRESS_LIMIT >> log_region;
        let mems: Vec<(u32, Arc<RegionMem>)> = regions
            .into_iter()
            .filter(|(r, _)| u64::from(*r) < limit)
            .collect();
        let n = mems.iter().map(|(r, _)| *r as usize + 1).max().unwrap_or(0);
        let mut index = vec![NONE; n];
        for (i, (r, _)) in mems.iter().enumerate() {
            index[*r as usize] = i as u32;
        }
        RegionMap {
            log_region,
            index,
            mems,
        }
    }

    pub fn log_region(&self) -> u32 {
        self.log_region
    }

    pub fn region_bytes(&self) -> u64 {
        1 << self.log_region
    }

    #[inline(always)]
    pub fn get(&self, region: u32) -> Option<&RegionMem> {
        let i = *self.index.get(region as usize)?;
        self.mems.get(i as usize).map(|(_, m)| &**m)
    }

    #[inline(always)]
    pub fn region_of(&self, a: Addr) -> u32 {
        (a.0 >> self.log_region) as u32
    }

    #[inline(always)]
    pub fn offset_of(&self, a: Addr) -> usize {
        (a.0 & ((1u64 << self.log_region) - 1)) as usize
    }

    #[inline(always)]
    pub fn base(&self, region: u32) -> Addr {
        Addr(u64::from(region) << self.log_region)
    }

    /// The memory and offset of address `a`, if one of these regions holds it.
    #[inline(always)]
    pub fn locate(&self, a: Addr) -> Option<(&RegionMem, usize)> {
        if a.0 >= ADDRESS_LIMIT {
            return None;
        }
        Some((self.get(self.region_of(a))?, self.offset_of(a)))
    }

    #[inline(always)]
    pub fn load_u64(&self, a: Addr) -> u64 {
        self.locate(a).map_or(0, |(m, o)| m.load_u64(o))
    }

    #[inline(always)]
    pub fn load_u32(&self, a: Addr) -> u32 {
        self.locate(a).map_or(0, |(m, o)| m.load_u32(o))
    }

    /// Stores a `u32`; returns the previous value (0 outside these regions).
    #[inline(always)]
    pub fn store_u32(&self, a: Addr, v: u32) -> u32 {
        self.locate(a).map_or(0, |(m, o)| m.store_u32(o, v))
    }

    /// Every region id in the map.
    pub fn regions(&self) -> impl Iterator<Item = u32> + '_ {
        self.mems.iter().map(|(r, _)| *r)
    }
}

/// The regions plus the tenant's class layouts: what `semeru_gc::object`
/// needs for object sizes and reference slots. Addresses outside the regions
/// read as zero.
pub struct View<'a> {
    pub map: &'a RegionMap,
    pub classes: &'a ClassTable,
}

impl HeapView for View<'_> {
    #[inline(always)]
    fn load_u32(&self, a: Addr) -> u32 {
        self.map.load_u32(a)
    }
    #[inline(always)]
    fn load_u64(&self, a: Addr) -> u64 {
        self.map.load_u64(a)
    }
    #[inline(always)]
    fn layout(&self, c: ClassId) -> Option<&Layout> {
        self.classes.get(c)
    }
}

impl View<'_> {
    /// The size of the object at `a` if it is a well-formed object (a known
    /// class or a filler, not a forwarding header) that ends within `limit`.
    pub fn object_size(&self, a: Addr, limit: Addr) -> Option<usize> {
        let size = semeru_gc::object::try_size(self, a)?;
        if size == 0 || a.0.checked_add(size as u64)? > limit.0 {
            return None;
        }
        Some(size)
    }
}
