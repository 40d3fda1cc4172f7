//! The class layout table: class id → [`Layout`]. The heap, the tracer and (later)
//! every memnode hold the same table (DESIGN.md §4).

use crate::layout::{ClassId, ElemKind, Layout};

#[derive(Default)]
pub struct ClassTable {
    layouts: Vec<Option<Layout>>,
}

impl ClassTable {
    pub fn define(&mut self, id: ClassId, layout: Layout) {
        let i = id.0 as usize;
        if self.layouts.len() <= i {
            self.layouts.resize(i + 1, None);
        }
        self.layouts[i] = Some(layout);
    }

    #[inline]
    pub fn get(&self, id: ClassId) -> Option<&Layout> {
        self.layouts.get(id.0 as usize)?.as_ref()
    }
}

/// Version tag at the start of an encoded table ([`ClassTable::encode_table`]).
const TABLE_VERSION: u32 = 1;
/// Slot tags in an encoded table.
const SLOT_EMPTY: u8 = 0;
const SLOT_INSTANCE: u8 = 1;
const SLOT_ARRAY: u8 = 2;

/// Element kinds in the order of their one-byte code in an encoded table.
const ELEM_KINDS: [ElemKind; 9] = [
    ElemKind::Bool,
    ElemKind::Byte,
    ElemKind::Char,
    ElemKind::Short,
    ElemKind::Int,
    ElemKind::Long,
    ElemKind::Float,
    ElemKind::Double,
    ElemKind::Ref,
];

impl ClassTable {
    /// The number of class-id slots (the highest defined id + 1).
    pub fn len(&self) -> usize {
        self.layouts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.layouts.is_empty()
    }

    /// Encodes the whole table for a memnode (`Msg::UploadLayouts`):
    ///
    /// ```text
    /// u32 version (1) | u32 slots | per slot, in class-id order:
    ///   u8 0                                   no class with this id
    ///   u8 1 | u32 size | u32 n | n × (u32 offset, u32 count)   an instance layout
    ///   u8 2 | u8 elem (Bool, Byte, Char, Short, Int, Long, Float, Double, Ref = 0..8)
    /// ```
    /// All integers little-endian. [`ClassTable::decode_table`] is the inverse.
    pub fn encode_table(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + self.layouts.len() * 16);
        out.extend_from_slice(&TABLE_VERSION.to_le_bytes());
        out.extend_from_slice(&(self.layouts.len() as u32).to_le_bytes());
        for slot in &self.layouts {
            match slot {
                None => out.push(SLOT_EMPTY),
                Some(Layout::Instance { size, ref_ranges }) => {
                    out.push(SLOT_INSTANCE);
                    out.extend_from_slice(&size.to_le_bytes());
                    out.extend_from_slice(&(ref_ranges.len() as u32).to_le_bytes());
                    for r in ref_ranges.iter() {
                        out.extend_from_slice(&r.offset.to_le_bytes());
                        out.extend_from_slice(&r.count.to_le_bytes());
                    }
                }
                Some(Layout::Array { elem }) => {
                    out.push(SLOT_ARRAY);
                    let code = ELEM_KINDS.iter().position(|k| k == elem).unwrap_or(0);
                    out.push(code as u8);
                }
            }
        }
        out
    }

    /// Decodes a table written by [`ClassTable::encode_table`]. Never panics and
    /// never allocates more than the input justifies: every count is checked
    /// against the bytes that remain. Rejects unknown versions and tags, instance
    /// sizes that are not a multiple of 8 (or smaller than a header), reference
    /// ranges outside their object, and trailing bytes.
    pub fn decode_table(bytes: &[u8]) -> Result<ClassTable, String> {
        let mut r = Reader { bytes, pos: 0 };
        let version = r.u32()?;
        if version != TABLE_VERSION {
            return Err(format!(
                "layout table: unsupported version {version} (expected {TABLE_VERSION})"
            ));
        }
        let slots = r.u32()? as usize;
        // Every slot takes at least one byte.
        if slots > r.remaining() {
            return Err(format!(
                "layout table: {slots} slots but only {} bytes follow",
                r.remaining()
            ));
        }
        let mut layouts = Vec::with_capacity(slots);
        for id in 0..slots {
            let slot = match r.u8()? {
                SLOT_EMPTY => None,
                SLOT_INSTANCE => {
                    let size = r.u32()?;
                    if size < crate::layout::HEADER_BYTES || size % 8 != 0 {
                        return Err(format!(
                            "layout table: class {id}: bad instance size {size}"
                        ));
                    }
                    let n = r.u32()? as usize;
                    if n > r.remaining() / 8 {
                        return Err(format!(
                            "layout table: class {id}: {n} reference ranges but only {} bytes follow",
                            r.remaining()
                        ));
                    }
                    let mut ranges = Vec::with_capacity(n);
                    for _ in 0..n {
                        let offset = r.u32()?;
                        let count = r.u32()?;
                        let end = count.checked_mul(4).and_then(|b| b.checked_add(offset));
                        match end {
                            Some(end) if offset >= crate::layout::HEADER_BYTES && offset % 4 == 0 && end <= size => {}
                            _ => {
                                return Err(format!(
                                    "layout table: class {id}: reference range {offset}+{count}×4 outside its {size}-byte object"
                                ))
                            }
                        }
                        ranges.push(crate::layout::RefRange { offset, count });
                    }
                    Some(Layout::Instance {
                        size,
                        ref_ranges: ranges.into_boxed_slice(),
                    })
                }
                SLOT_ARRAY => {
                    let code = r.u8()?;
                    match ELEM_KINDS.get(code as usize) {
                        Some(&elem) => Some(Layout::Array { elem }),
                        None => {
                            return Err(format!(
                                "layout table: class {id}: unknown element kind {code}"
                            ))
                        }
                    }
                }
                tag => return Err(format!("layout table: class {id}: unknown slot tag {tag}")),
            };
            layouts.push(slot);
        }
        if r.remaining() != 0 {
            return Err(format!("layout table: {} trailing bytes", r.remaining()));
        }
        Ok(ClassTable { layouts })
    }
}

/// A bounds-checked little-endian cursor for [`ClassTable::decode_table`].
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let s = self
            .bytes
            .get(self.pos..self.pos + N)
            .ok_or_else(|| format!("layout table: truncated at byte {}", self.pos))?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        self.pos += N;
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take::<4>()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{InstanceLayout, RefRange};

    fn sample() -> ClassTable {
        let mut t = ClassTable::default();
        t.define(ClassId(0), InstanceLayout::default().to_layout());
        t.define(
            ClassId(1),
            Layout::Array {
                elem: ElemKind::Char,
            },
        );
        let (l, _) =
            InstanceLayout::default().extend(&[ElemKind::Ref, ElemKind::Long, ElemKind::Ref]);
        t.define(ClassId(3), l.to_layout());
        for (i, k) in ELEM_KINDS.iter().enumerate() {
            t.define(ClassId(10 + i as u32), Layout::Array { elem: *k });
        }
        t
    }

    fn same(a: &ClassTable, b: &ClassTable) -> bool {
        a.layouts == b.layouts
    }

    #[test]
    fn round_trips() {
        let t = sample();
        let blob = t.encode_table();
        let back = ClassTable::decode_table(&blob).expect("decodes");
        assert!(same(&t, &back));
        assert_eq!(back.len(), 19);
        assert!(back.get(ClassId(2)).is_none());
        assert_eq!(
            back.get(ClassId(1)),
            Some(&Layout::Array {
                elem: ElemKind::Char
            })
        );
        let empty = ClassTable::default();
        let back = ClassTable::decode_table(&empty.encode_table()).expect("decodes");
        assert!(back.is_empty());
    }

    #[test]
    fn rejects_bad_tables() {
        let blob = sample().encode_table();
        // Every strict prefix is truncated.
        for n in 0..blob.len() {
            assert!(ClassTable::decode_table(&blob[..n]).is_err(), "prefix {n}");
        }
        let mut trailing = blob.clone();
        trailing.push(0);
        assert!(ClassTable::decode_table(&trailing).is_err());
        let mut version = blob.clone();
        version[0] = 2;
        assert!(ClassTable::decode_table(&version).is_err());
        // A huge slot count with no bytes behind it allocates nothing.
        let mut huge = TABLE_VERSION.to_le_bytes().to_vec();
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(ClassTable::decode_table(&huge).is_err());
        // A reference range outside the object.
        let mut t = ClassTable::default();
        t.define(
            ClassId(0),
            Layout::Instance {
                size: 16,
                ref_ranges: vec![RefRange {
                    offset: 8,
                    count: 3,
                }]
                .into_boxed_slice(),
            },
        );
        assert!(ClassTable::decode_table(&t.encode_table()).is_err());
        // An overflowing range.
        let mut t = ClassTable::default();
        t.define(
            ClassId(0),
            Layout::Instance {
                size: 16,
                ref_ranges: vec![RefRange {
                    offset: 8,
                    count: u32::MAX,
                }]
                .into_boxed_slice(),
            },
        );
        assert!(ClassTable::decode_table(&t.encode_table()).is_err());
    }

    /// xorshift64*: a dependency-free source of fuzz input.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
    }

    /// Fuzz-ish: random bytes, and valid tables with random bytes flipped, cut or
    /// appended, never panic; whatever decodes re-encodes to the same bytes.
    #[test]
    fn decode_never_panics() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let valid = sample().encode_table();
        for round in 0..20_000 {
            let input: Vec<u8> = if round % 2 == 0 {
                let n = (rng.next() % 64) as usize;
                let mut v: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                if n >= 8 && rng.next().is_multiple_of(2) {
                    v[..4].copy_from_slice(&TABLE_VERSION.to_le_bytes());
                    v[4..8].copy_from_slice(&((rng.next() % 8) as u32).to_le_bytes());
                }
                v
            } else {
                let mut v = valid.clone();
                for _ in 0..1 + rng.next() % 4 {
                    let i = (rng.next() as usize) % v.len();
                    match rng.next() % 4 {
                        0 => v[i] = rng.next() as u8,
                        1 => v.truncate(i),
                        2 => v.insert(i, rng.next() as u8),
                        _ => v[i] ^= 1 << (rng.next() % 8),
                    }
                    if v.is_empty() {
                        break;
                    }
                }
                v
            };
            if let Ok(t) = ClassTable::decode_table(&input) {
                assert_eq!(t.encode_table(), input);
            }
        }
    }
}
