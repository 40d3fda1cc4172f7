//! The abstract view of heap memory that the tracing and compaction algorithms
//! are written against (DESIGN.md §2): read and write words at universal heap
//! addresses, and look up class layouts. The VM implements it over its local
//! memory (later: its page cache); a memnode implements it over its region store.

use crate::addr::{Addr, RegionId};
use crate::classes::ClassTable;
use crate::layout::{ClassId, Layout};
use crate::memory::{LocalMemory, RegionStore};

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
    /// A region was taken for old space ([`RegionStore::acquire`]).
    fn acquire_region(&mut self, r: RegionId);
    /// A region went back to the free pool ([`RegionStore::release`]).
    fn release_region(&mut self, r: RegionId);
}

/// The VM's view: local memory plus its class table.
pub struct LocalView<'a> {
    pub mem: &'a mut LocalMemory,
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
        self.mem.acquire(r)
    }
    fn release_region(&mut self, r: RegionId) {
        self.mem.release(r)
    }
}
