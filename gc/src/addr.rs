//! Heap addresses and references.
//!
//! A heap address is an offset into the *universal heap*: the same number names the
//! same object on the VM and on every memnode. Objects never hold process pointers.
//! References stored in objects and registers are compressed to 32 bits: the byte
//! address divided by [`GRANULE`] (8), so 32 GiB of heap fit, as in HotSpot.

use std::fmt;

/// Every object starts on an 8-byte boundary.
pub const GRANULE: usize = 8;
pub const LOG_GRANULE: u32 = 3;

/// A byte address in the universal heap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[repr(transparent)]
pub struct Addr(pub u64);

/// A compressed reference: `Addr >> 3`. Zero is `null`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[repr(transparent)]
pub struct Ref(pub u32);

impl Ref {
    pub const NULL: Ref = Ref(0);

    #[inline(always)]
    pub fn is_null(self) -> bool {
        self.0 == 0
    }
    #[inline(always)]
    pub fn addr(self) -> Addr {
        Addr((self.0 as u64) << LOG_GRANULE)
    }
    /// # Panics
    /// In debug builds, if `a` is not granule-aligned or beyond 32 GiB.
    #[inline(always)]
    pub fn from_addr(a: Addr) -> Ref {
        debug_assert!(a.0.is_multiple_of(GRANULE as u64) && a.0 >> (32 + LOG_GRANULE) == 0);
        Ref((a.0 >> LOG_GRANULE) as u32)
    }
}

impl fmt::Debug for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_null() {
            write!(f, "null")
        } else {
            write!(f, "@{:#x}", self.addr().0)
        }
    }
}

impl Addr {
    #[inline(always)]
    pub fn offset(self, bytes: u64) -> Addr {
        Addr(self.0 + bytes)
    }
}

/// Index of a region in the region table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct RegionId(pub u32);
