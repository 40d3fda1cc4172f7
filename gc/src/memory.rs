//! Where heap bytes live: the one narrow interface to region memory.
//!
//! [`RegionStore`] is everything the collector asks of the memory behind old
//! regions: hand out a region, take it back, and translate `(region, offset)` to
//! local bytes. [`LocalMemory`] implements it with one contiguous, lazily zeroed
//! local reservation that covers the whole address space (nursery included), so
//! the VM's field access is `base + addr`. The next step puts old regions on
//! memnodes behind a page cache by swapping this implementation; the nursery stays
//! local (DESIGN.md §4-5).

use std::alloc::{alloc_zeroed, dealloc, Layout as AllocLayout};
use std::ptr::NonNull;

use crate::addr::{Addr, RegionId};

/// The memory behind regions.
pub trait RegionStore {
    /// Makes region `r` usable. Its contents are unspecified: allocators zero what
    /// they hand out, and copies overwrite what they fill.
    fn acquire(&mut self, r: RegionId);
    /// Gives region `r` back; its contents may be dropped.
    fn release(&mut self, r: RegionId);
    /// Local memory for `len` bytes at `offset` in region `r`. The range must lie
    /// inside the region.
    fn translate(&mut self, r: RegionId, offset: u32, len: u32) -> *mut u8;
}

/// One contiguous, zero-initialised local reservation for the whole space.
pub struct LocalMemory {
    base: NonNull<u8>,
    len: usize,
    log_region: u32,
}

// SAFETY: LocalMemory owns its allocation exclusively, like a Vec<u8>.
unsafe impl Send for LocalMemory {}

/// 8 would do (objects are 8-aligned); 16 keeps `alloc_zeroed` on the `calloc`
/// path, which maps fresh zero pages lazily. A larger alignment makes the system
/// allocator zero the whole reservation eagerly.
const ALIGN: usize = 16;

impl LocalMemory {
    /// Reserves `len` bytes (a multiple of the region size). The pages are
    /// zero-filled lazily by the OS (`calloc`-style), so untouched regions cost no
    /// resident memory.
    pub fn new(len: usize, log_region: u32) -> Option<LocalMemory> {
        let layout = AllocLayout::from_size_align(len.max(4096), ALIGN).ok()?;
        // SAFETY: `layout` has a non-zero size.
        let p = unsafe { alloc_zeroed(layout) };
        Some(LocalMemory {
            base: NonNull::new(p)?,
            len: layout.size(),
            log_region,
        })
    }

    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The local address of heap address `a`, checked so that `size` bytes fit.
    ///
    /// # Panics
    /// If `[a, a + size)` is outside the reservation (a corrupt reference).
    #[inline(always)]
    pub fn ptr(&self, a: usize, size: usize) -> *mut u8 {
        assert!(a + size <= self.len, "heap access out of bounds at {a:#x}");
        // SAFETY: the assert keeps `a` inside the allocation.
        unsafe { self.base.as_ptr().add(a) }
    }

    #[inline(always)]
    pub fn load_u32(&self, a: Addr) -> u32 {
        // SAFETY: `ptr` bounds-checks; heap addresses of u32 fields are 4-aligned.
        unsafe { (self.ptr(a.0 as usize, 4) as *const u32).read() }
    }

    #[inline(always)]
    pub fn load_u64(&self, a: Addr) -> u64 {
        // SAFETY: `ptr` bounds-checks; 8-byte fields and headers are 8-aligned.
        unsafe { (self.ptr(a.0 as usize, 8) as *const u64).read() }
    }

    #[inline(always)]
    pub fn store_u32(&mut self, a: Addr, v: u32) {
        // SAFETY: as in `load_u32`; `&mut self` gives exclusive access.
        unsafe { (self.ptr(a.0 as usize, 4) as *mut u32).write(v) }
    }

    #[inline(always)]
    pub fn store_u64(&mut self, a: Addr, v: u64) {
        // SAFETY: as in `load_u64`.
        unsafe { (self.ptr(a.0 as usize, 8) as *mut u64).write(v) }
    }

    /// Copies `n` bytes from `from` to `to` (the ranges do not overlap).
    pub fn copy(&mut self, from: Addr, to: Addr, n: usize) {
        let s = self.ptr(from.0 as usize, n);
        let d = self.ptr(to.0 as usize, n);
        debug_assert!(from.0 + n as u64 <= to.0 || to.0 + n as u64 <= from.0);
        // SAFETY: both ranges are in bounds (checked by `ptr`) and disjoint.
        unsafe { std::ptr::copy_nonoverlapping(s, d, n) }
    }

    /// Zeroes `n` bytes at `a`.
    #[inline]
    pub fn zero(&mut self, a: Addr, n: usize) {
        let p = self.ptr(a.0 as usize, n);
        // SAFETY: in bounds (checked by `ptr`).
        unsafe { std::ptr::write_bytes(p, 0, n) }
    }
}

impl RegionStore for LocalMemory {
    fn acquire(&mut self, _r: RegionId) {}

    fn release(&mut self, _r: RegionId) {}

    fn translate(&mut self, r: RegionId, offset: u32, len: u32) -> *mut u8 {
        debug_assert!(offset as u64 + len as u64 <= 1 << self.log_region);
        self.ptr(
            ((r.0 as usize) << self.log_region) + offset as usize,
            len as usize,
        )
    }
}

impl Drop for LocalMemory {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with exactly this size and alignment.
        unsafe {
            dealloc(
                self.base.as_ptr(),
                AllocLayout::from_size_align_unchecked(self.len, ALIGN),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeroed_access_and_translate() {
        let mut m = LocalMemory::new(4 << 16, 16).unwrap();
        assert_eq!(m.load_u64(Addr(1 << 16)), 0);
        m.store_u32(Addr((1 << 16) + 4), 7);
        m.store_u64(Addr(64), u64::MAX);
        m.copy(Addr(64), Addr(128), 8);
        assert_eq!(m.load_u64(Addr(128)), u64::MAX);
        let p = m.translate(RegionId(1), 4, 4);
        // SAFETY: translate returned an in-bounds, 4-aligned pointer.
        assert_eq!(unsafe { (p as *const u32).read() }, 7);
        m.zero(Addr(128), 8);
        assert_eq!(m.load_u64(Addr(128)), 0);
    }

    #[test]
    #[should_panic(expected = "out of bounds")]
    fn out_of_bounds_panics() {
        let m = LocalMemory::new(1 << 16, 16).unwrap();
        m.load_u32(Addr(1 << 16));
    }
}
