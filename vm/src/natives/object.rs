//! `java.lang.Object`: identity hash codes, `equals`, `toString`.

use super::{bad_native, Args, NResult};
use crate::interp::Vm;
use semeru_gc::Ref;
use semeru_stdlib::natives::Native::{self, *};

/// Identity hashes live in header bits 48..64 (reserved for the VM), so they
/// survive moves.
const HASH_SHIFT: u32 = 48;

impl Vm {
    /// The identity hash of `r`, assigned on first use.
    pub(crate) fn identity_hash(&mut self, r: Ref) -> i32 {
        let header = self.heap.read::<u64>(r, 0);
        let h = (header >> HASH_SHIFT) as u32;
        if h != 0 {
            return spread(h);
        }
        self.next_hash = self.next_hash % 0xffff + 1;
        let h = self.next_hash;
        self.heap
            .write::<u64>(r, 0, header | ((h as u64) << HASH_SHIFT));
        spread(h)
    }

    pub(crate) fn native_object(&mut self, n: Native, a: Args) -> NResult {
        let this = self.ar_nn(a, 0)?;
        match n {
            ArrayClone => {
                let cls = self.class_of(this).0;
                let semeru_gc::Layout::Array { elem } = *self.heap.layout(semeru_gc::ClassId(cls))
                else {
                    return Err(bad_native(n));
                };
                let len = self.heap.array_len(this);
                let copy = self.alloc_array(cls, len)?;
                // The allocation may have moved the original: read it again from its root.
                let this = self.ar(a, 0);
                if elem == semeru_gc::ElemKind::Ref {
                    for i in 0..len {
                        let off = semeru_gc::layout::ARRAY_DATA_OFFSET + i * 4;
                        let v = self.heap.read_ref(this, off);
                        self.heap.write_ref(copy, off, v);
                    }
                } else {
                    let mut bytes = vec![0u8; (len * elem.bytes()) as usize];
                    self.heap.read_elems::<u8>(this, 0, &mut bytes);
                    self.heap.write_elems::<u8>(copy, 0, &bytes);
                }
                self.ret_r(a, copy)
            }
            ObjHashCode => {
                let h = self.identity_hash(this);
                self.ret_i(a, h)
            }
            ObjEquals => {
                let o = self.ar(a, 1);
                self.ret_z(a, o == this)
            }
            ObjToString => {
                // `getClass().getName() + "@" + Integer.toHexString(hashCode())`, with a
                // virtual `hashCode`.
                let cls = self.class_of(this).0;
                let over = self.hash_slot.and_then(|slot| {
                    let m = self.prog.classes[cls as usize].vtable.get(slot)?.0 as u32;
                    let is_native = matches!(
                        self.prog.methods[m as usize].body,
                        crate::program::Body::Native(_)
                    );
                    (!is_native).then_some(m)
                });
                let h = match over {
                    Some(m) => {
                        self.invoke(m, &[this], &[])?;
                        let (bp, _) = self.frame_tops();
                        self.prims.get(bp, 0) as i32
                    }
                    None => self.identity_hash(this),
                };
                let s = format!("{}@{:x}", self.class_name(cls), h as u32);
                self.ret_str(a, &s)
            }
            _ => Err(bad_native(n)),
        }
    }
}

/// Spreads a 16-bit counter over 31 bits so hashes look like Java's.
fn spread(h: u32) -> i32 {
    (h.wrapping_mul(0x9e37_79b9) >> 1) as i32
}
