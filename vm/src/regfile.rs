//! Fixed-capacity register stacks.
//!
//! The interpreter addresses registers through raw window pointers that must stay
//! valid across calls and allocations, so a register stack never reallocates: its
//! capacity is reserved once (zeroed lazily by the OS) and a frame that would not
//! fit raises `StackOverflowError` instead.

use semeru_gc::Ref;

/// A register stack of `len` zero-initialised slots of `T` (`u64` or [`Ref`]).
///
/// All access goes through the raw `ptr`, also from the GC's root scan, so the
/// interpreter's window pointers (derived from the same `ptr`) stay valid.
pub struct RegFile<T: Copy> {
    ptr: *mut T,
    len: usize,
}

/// A type whose all-zero bit pattern is a valid value (so `calloc`-style zeroing works).
///
/// # Safety
/// Implementors must be plain data for which all-zero bytes are a valid value.
pub unsafe trait Zeroable: Copy {}
// SAFETY: integers are valid when zero.
unsafe impl Zeroable for u64 {}
// SAFETY: `Ref` is a transparent `u32`; zero is `null`.
unsafe impl Zeroable for Ref {}

impl<T: Zeroable> RegFile<T> {
    pub fn new(len: usize) -> RegFile<T> {
        let len = len.max(1);
        let layout = std::alloc::Layout::array::<T>(len).expect("register file size");
        // SAFETY: `layout` has non-zero size (len >= 1 and T is not a ZST).
        let ptr = unsafe { std::alloc::alloc_zeroed(layout) } as *mut T;
        if ptr.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        RegFile { ptr, len }
    }
}

impl<T: Copy> RegFile<T> {
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The base pointer; window pointers derive from it.
    #[inline(always)]
    pub fn base(&self) -> *mut T {
        self.ptr
    }

    /// Reads slot `i` (bounds-checked; out of range reads as `default`).
    #[inline]
    pub fn get(&self, i: usize, default: T) -> T {
        if i < self.len {
            // SAFETY: `i < len`, inside the allocation.
            unsafe { *self.ptr.add(i) }
        } else {
            default
        }
    }

    /// Writes slot `i` (bounds-checked; out of range writes are dropped).
    #[inline]
    pub fn set(&mut self, i: usize, v: T) {
        if i < self.len {
            // SAFETY: `i < len`, inside the allocation.
            unsafe { *self.ptr.add(i) = v }
        }
    }

    /// Fills `[from, to)` (clamped to the capacity) with `v`.
    #[inline]
    pub fn fill(&mut self, from: usize, to: usize, v: T) {
        let to = to.min(self.len);
        let mut i = from;
        while i < to {
            // SAFETY: `i < to <= len`.
            unsafe { *self.ptr.add(i) = v };
            i += 1;
        }
    }

    /// Visits slots `[0, top)` (clamped) mutably.
    pub fn for_each_mut(&mut self, top: usize, f: &mut dyn FnMut(&mut T)) {
        let top = top.min(self.len);
        for i in 0..top {
            // SAFETY: `i < top <= len`; no other reference to the slot is live.
            f(unsafe { &mut *self.ptr.add(i) });
        }
    }
}

impl<T: Copy> Drop for RegFile<T> {
    fn drop(&mut self) {
        if let Ok(layout) = std::alloc::Layout::array::<T>(self.len) {
            // SAFETY: `ptr` came from `alloc_zeroed` with this same layout.
            unsafe { std::alloc::dealloc(self.ptr as *mut u8, layout) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_zeroed_and_checks_bounds() {
        let mut f: RegFile<u64> = RegFile::new(4);
        assert_eq!(f.get(3, 9), 0);
        f.set(2, 7);
        f.set(10, 7);
        assert_eq!(f.get(2, 0), 7);
        assert_eq!(f.get(10, 1), 1);
        let mut r: RegFile<Ref> = RegFile::new(2);
        r.set(0, Ref(5));
        let mut n = 0;
        r.for_each_mut(5, &mut |x| n += x.0);
        assert_eq!(n, 5);
    }
}
