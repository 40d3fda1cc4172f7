//! Object layout and class layout descriptors.
//!
//! ```text
//! every object   [ header: u64 ][ ... ]
//!   header bits  0..32 class id | 32..40 GC age | 40..48 flags | 48..64 reserved
//! instance       [ header ][ ref fields (u32 each, together) ][ prim fields, by size ]
//! array          [ header ][ length: u32 ][ pad: u32 ][ elements ... ]
//! ```
//! A class's reference fields sit together, so a tracer scans a few contiguous
//! ranges (one per class in the hierarchy that declares reference fields).
//! Every field is naturally aligned and objects are 8-byte aligned, so no field
//! straddles a page. `String` is an array-shaped object of UTF-16 code units
//! with its own class id.

/// Index into the class table shared by the compiler, VM, heap and memnodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[repr(transparent)]
pub struct ClassId(pub u32);

pub const HEADER_BYTES: u32 = 8;
/// Offset of the first instance field.
pub const FIELDS_OFFSET: u32 = HEADER_BYTES;
/// Offset of an array's `u32` length.
pub const ARRAY_LENGTH_OFFSET: u32 = HEADER_BYTES;
/// Offset of an array's first element (8-aligned, for `long[]`/`double[]`).
pub const ARRAY_DATA_OFFSET: u32 = 16;

/// Header bit positions.
pub const HEADER_AGE_SHIFT: u32 = 32;
pub const HEADER_FLAGS_SHIFT: u32 = 40;

/// The kind of an array element or a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElemKind {
    Bool,
    Byte,
    Char,
    Short,
    Int,
    Long,
    Float,
    Double,
    Ref,
}

impl ElemKind {
    pub const fn bytes(self) -> u32 {
        match self {
            ElemKind::Bool | ElemKind::Byte => 1,
            ElemKind::Char | ElemKind::Short => 2,
            ElemKind::Int | ElemKind::Float | ElemKind::Ref => 4,
            ElemKind::Long | ElemKind::Double => 8,
        }
    }
}

/// A run of `count` reference slots starting at byte `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefRange {
    pub offset: u32,
    pub count: u32,
}

/// What the heap, the tracer and the memnodes know about a class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// A fixed-size object. `size` is a multiple of 8 and includes the header.
    Instance {
        size: u32,
        ref_ranges: Box<[RefRange]>,
    },
    /// An array (or a `String`) of `elem`.
    Array { elem: ElemKind },
}

impl Layout {
    /// The size in bytes of an object of this layout (`len` is ignored for instances).
    #[inline]
    pub fn object_size(&self, len: u32) -> usize {
        match self {
            Layout::Instance { size, .. } => *size as usize,
            Layout::Array { elem } => array_size(*elem, len),
        }
    }
}

/// Bytes taken by an array of `len` elements, header included, rounded to 8.
#[inline]
pub fn array_size(elem: ElemKind, len: u32) -> usize {
    let raw = ARRAY_DATA_OFFSET as usize + elem.bytes() as usize * len as usize;
    (raw + 7) & !7
}

/// Field placement for one class, built on its superclass's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceLayout {
    /// End of the last field (not rounded).
    pub fields_end: u32,
    pub ref_ranges: Vec<RefRange>,
}

impl Default for InstanceLayout {
    /// The layout of `java.lang.Object`: a header and nothing else.
    fn default() -> Self {
        InstanceLayout {
            fields_end: FIELDS_OFFSET,
            ref_ranges: Vec::new(),
        }
    }
}

impl InstanceLayout {
    /// Places a subclass's own `fields` after this layout's. Returns the new layout
    /// and each field's byte offset, in the order given. Reference fields go first
    /// and together, then 8-, 4-, 2- and 1-byte fields, each naturally aligned.
    pub fn extend(&self, fields: &[ElemKind]) -> (InstanceLayout, Vec<u32>) {
        let mut offsets = vec![0u32; fields.len()];
        let mut end = self.fields_end;
        let mut ranges = self.ref_ranges.clone();
        let nrefs = fields.iter().filter(|k| **k == ElemKind::Ref).count() as u32;
        if nrefs > 0 {
            end = align(end, 4);
            match ranges.last_mut() {
                Some(r) if r.offset + 4 * r.count == end => r.count += nrefs,
                _ => ranges.push(RefRange {
                    offset: end,
                    count: nrefs,
                }),
            }
            for (i, k) in fields.iter().enumerate() {
                if *k == ElemKind::Ref {
                    offsets[i] = end;
                    end += 4;
                }
            }
        }
        for size in [8, 4, 2, 1] {
            for (i, k) in fields.iter().enumerate() {
                if *k != ElemKind::Ref && k.bytes() == size {
                    end = align(end, size);
                    offsets[i] = end;
                    end += size;
                }
            }
        }
        (
            InstanceLayout {
                fields_end: end,
                ref_ranges: ranges,
            },
            offsets,
        )
    }

    /// The heap descriptor for objects of exactly this class.
    pub fn to_layout(&self) -> Layout {
        Layout::Instance {
            size: align(self.fields_end, 8),
            ref_ranges: self.ref_ranges.clone().into_boxed_slice(),
        }
    }
}

const fn align(x: u32, a: u32) -> u32 {
    (x + a - 1) & !(a - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_first_then_by_size_and_aligned() {
        use ElemKind::*;
        let (l, off) = InstanceLayout::default().extend(&[Byte, Ref, Long, Int, Ref]);
        assert_eq!(off, vec![28, 8, 16, 24, 12]);
        assert_eq!(
            l.ref_ranges,
            vec![RefRange {
                offset: 8,
                count: 2
            }]
        );
        assert_eq!(l.to_layout().object_size(0), 32);
        let (l2, off2) = l.extend(&[Ref, Char]);
        assert_eq!(off2, vec![32, 36]);
        assert_eq!(l2.ref_ranges.len(), 2);
        assert_eq!(l2.to_layout().object_size(0), 40);
    }

    #[test]
    fn adjacent_ref_ranges_merge() {
        let (l, _) = InstanceLayout::default().extend(&[ElemKind::Ref]);
        let (l2, off) = l.extend(&[ElemKind::Ref]);
        assert_eq!(off, vec![12]);
        assert_eq!(
            l2.ref_ranges,
            vec![RefRange {
                offset: 8,
                count: 2
            }]
        );
    }

    #[test]
    fn array_sizes_round_to_granules() {
        assert_eq!(array_size(ElemKind::Byte, 0), 16);
        assert_eq!(array_size(ElemKind::Byte, 1), 24);
        assert_eq!(array_size(ElemKind::Long, 3), 40);
    }
}
