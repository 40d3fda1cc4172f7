//! The abstract view of heap memory that the tracing and compaction algorithms
//! are written against (DESIGN.md §2): read and write words at universal heap
//! addresses, and look up class layouts. The VM implements it over its paged
//! memory ([`PagedMemory`]: nursery, page cache, backend); a memnode implements
//! it over its region store.

use crate::addr::{Addr, RegionId};
use crate::classes::ClassTable;
use crate::layout::{ClassId, Layout};
use crate::memory::PagedMemory;

pub trait HeapView {
    fn load_u32(&self, a: Addr) -> u32;
    fn load_u64(&self, a: Addr) -> u64;
    fn layout(&self, c: ClassId) -> Option<&Layout>;
}

pub trait HeapViewMut: HeapView {
    fn store_u32(&mut self, a: Addr, v: u32);
    fn store_u64(&mut self, a: Addr, v: u64);
    /// Copies `n` bytes; the ranges do not overlap.
    fn copy(&mut self, from: Addr, to: Addr, n: usize);
    /// Zeroes `n` bytes.
    fn zero(&mut self, a: Addr, n: usize);
    /// A region was taken for old space.
    fn acquire_region(&mut self, r: RegionId);
    /// A region is being taken for old space: `false` if its memory cannot be
    /// had now (the memnodes are full), and the caller gives the region back.
    fn try_acquire_region(&mut self, r: RegionId) -> bool {
        self.acquire_region(r);
        true
    }
    /// As [`HeapViewMut::try_acquire_region`], on the memnode holding region
    /// `near` (a humongous object's continuation regions live with its start).
    fn try_acquire_region_near(&mut self, r: RegionId, near: RegionId) -> bool {
        let _ = near;
        self.try_acquire_region(r)
    }
    /// A region went back to the free pool.
    fn release_region(&mut self, r: RegionId);
}

/// The VM's view: its paged memory plus its class table.
pub struct LocalView<'a> {
    pub mem: &'a mut PagedMemory,
    pub classes: &'a ClassTable,
}

impl HeapView for LocalView<'_> {
    #[inline(always)]
    fn load_u32(&self, a: Addr) -> u32 {
        self.mem.load_u32(a)
    }
    #[inline(always)]
    fn load_u64(&self, a: Addr) -> u64 {
        self.mem.load_u64(a)
    }
    #[inline(always)]
    fn layout(&self, c: ClassId) -> Option<&Layout> {
        self.classes.get(c)
    }
}

impl HeapViewMut for LocalView<'_> {
    #[inline(always)]
    fn store_u32(&mut self, a: Addr, v: u32) {
        self.mem.store_u32(a, v)
    }
    #[inline(always)]
    fn store_u64(&mut self, a: Addr, v: u64) {
        self.mem.store_u64(a, v)
    }
    #[inline(always)]
    fn copy(&mut self, from: Addr, to: Addr, n: usize) {
        self.mem.copy(from, to, n)
    }
    #[inline(always)]
    fn zero(&mut self, a: Addr, n: usize) {
        self.mem.zero(a, n)
    }
    fn acquire_region(&mut self, r: RegionId) {
        if !self.try_acquire_region(r) {
            crate::fatal::fatal("memnodes out of capacity");
        }
    }
    fn try_acquire_region(&mut self, r: RegionId) -> bool {
        if self.mem.layouts_stale() {
            // Before the first old region, and whenever classes were defined since.
            self.mem.upload_layouts(&self.classes.encode_table());
        }
        self.mem.acquire_region(r)
    }
    fn try_acquire_region_near(&mut self, r: RegionId, near: RegionId) -> bool {
        match self.mem.home_of(near) {
            Some(node) => self.mem.acquire_region_on(r, node),
            None => self.try_acquire_region(r),
        }
    }
    fn release_region(&mut self, r: RegionId) {
        self.mem.release_region(r)
    }
}
