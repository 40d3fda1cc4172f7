//! The object model as the collector sees it: header words, object sizes and
//! reference slots, over any [`HeapView`].
//!
//! Header (layout.rs): `class id u32 | age u8 | flags u8 | reserved u16`. The
//! collector uses two flag bits:
//! - `FORWARDED` (young collection only): the low 32 bits hold the copy's
//!   compressed ref instead of the class id; the class id is read from the copy.
//! - `FILLER`: a dead old object turned into a hole by a full collection; the low
//!   32 bits hold its size. Fillers keep regions parsable and hold no references.

use crate::addr::{Addr, Ref, GRANULE};
use crate::layout::{
    ClassId, ElemKind, Layout, ARRAY_DATA_OFFSET, ARRAY_LENGTH_OFFSET, HEADER_AGE_SHIFT,
    HEADER_FLAGS_SHIFT,
};
use crate::view::HeapView;

const FLAG_FORWARDED: u64 = 1 << HEADER_FLAGS_SHIFT;
const FLAG_FILLER: u64 = 2 << HEADER_FLAGS_SHIFT;
const AGE_MASK: u64 = 0xff << HEADER_AGE_SHIFT;

/// An object's header word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header(pub u64);

impl Header {
    #[inline(always)]
    pub fn new(c: ClassId) -> Header {
        Header(c.0 as u64)
    }
    #[inline(always)]
    pub fn class(self) -> ClassId {
        ClassId(self.0 as u32)
    }
    #[inline(always)]
    pub fn age(self) -> u8 {
        (self.0 >> HEADER_AGE_SHIFT) as u8
    }
    #[inline(always)]
    pub fn with_age(self, age: u8) -> Header {
        Header((self.0 & !AGE_MASK) | ((age as u64) << HEADER_AGE_SHIFT))
    }
    #[inline(always)]
    pub fn is_forwarded(self) -> bool {
        self.0 & FLAG_FORWARDED != 0
    }
    #[inline(always)]
    pub fn forwardee(self) -> Ref {
        Ref(self.0 as u32)
    }
    #[inline(always)]
    pub fn forwarded(to: Ref) -> Header {
        Header(FLAG_FORWARDED | to.0 as u64)
    }
    #[inline(always)]
    pub fn is_filler(self) -> bool {
        self.0 & FLAG_FILLER != 0
    }
    pub fn filler(size: usize) -> Header {
        debug_assert!(size >= GRANULE && size <= u32::MAX as usize);
        Header(FLAG_FILLER | size as u64)
    }
}

#[inline(always)]
pub fn header<V: HeapView>(v: &V, a: Addr) -> Header {
    Header(v.load_u64(a))
}

/// The size of the object at `a`, or `None` if its header names no known class.
pub fn try_size<V: HeapView>(v: &V, a: Addr) -> Option<usize> {
    let h = header(v, a);
    if h.is_filler() {
        return Some(h.0 as u32 as usize);
    }
    if h.is_forwarded() {
        return None;
    }
    Some(match v.layout(h.class())? {
        Layout::Instance { size, .. } => *size as usize,
        l @ Layout::Array { .. } => l.object_size(v.load_u32(a.offset(ARRAY_LENGTH_OFFSET as u64))),
    })
}

/// The size of the (non-forwarded) object at `a`.
///
/// # Panics
/// If the header names no defined class: the heap is corrupt.
#[inline]
pub fn size<V: HeapView>(v: &V, a: Addr) -> usize {
    match try_size(v, a) {
        Some(s) => s,
        None => panic!(
            "heap corrupt: no object header at {:#x} (word {:#x})",
            a.0,
            v.load_u64(a)
        ),
    }
}

/// Calls `f` with the address of every reference slot of the object at `a` that
/// lies in `[lo, hi)`. Fillers have none.
#[inline]
pub fn for_each_slot_in<V: HeapView>(v: &V, a: Addr, lo: Addr, hi: Addr, mut f: impl FnMut(Addr)) {
    let h = header(v, a);
    if h.is_filler() {
        return;
    }
    match v.layout(h.class()) {
        Some(Layout::Instance { ref_ranges, .. }) => {
            for r in ref_ranges.iter() {
                for i in 0..r.count as u64 {
                    let s = a.offset(r.offset as u64 + 4 * i);
                    if s >= lo && s < hi {
                        f(s);
                    }
                }
            }
        }
        Some(Layout::Array {
            elem: ElemKind::Ref,
        }) => {
            let len = v.load_u32(a.offset(ARRAY_LENGTH_OFFSET as u64)) as u64;
            let data = a.0 + ARRAY_DATA_OFFSET as u64;
            let first = if lo.0 > data {
                (lo.0 - data).div_ceil(4)
            } else {
                0
            };
            let last = if hi.0 > data {
                ((hi.0 - data).div_ceil(4)).min(len)
            } else {
                0
            };
            for i in first..last {
                f(Addr(data + 4 * i));
            }
        }
        Some(Layout::Array { .. }) => {}
        None => panic!("heap corrupt: no object header at {:#x}", a.0),
    }
}

/// Calls `f` with the address of every reference slot of the object at `a`.
#[inline]
pub fn for_each_slot<V: HeapView>(v: &V, a: Addr, f: impl FnMut(Addr)) {
    for_each_slot_in(v, a, Addr(0), Addr(u64::MAX), f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_bits() {
        let h = Header::new(ClassId(77)).with_age(3);
        assert_eq!((h.class(), h.age()), (ClassId(77), 3));
        assert!(!h.is_forwarded() && !h.is_filler());
        let f = Header::forwarded(Ref(1234));
        assert!(f.is_forwarded() && f.forwardee() == Ref(1234));
        let z = Header::filler(48);
        assert!(z.is_filler() && z.0 as u32 == 48);
        assert_eq!(h.with_age(4).class(), ClassId(77));
    }
}
