//! Allocation (mapping heap exhaustion to `OutOfMemoryError`) and string objects.
//!
//! A `String` is an array-shaped object of class `STRING` holding UTF-16 units.

use super::{Ctl, Vm};
use semeru_gc::layout::ARRAY_DATA_OFFSET;
use semeru_gc::{ClassId, Ref};
use semeru_stdlib::builtins::{OUT_OF_MEMORY_ERROR, STRING};

impl Vm {
    /// A zeroed instance of class `c`. May collect.
    #[inline]
    pub(crate) fn alloc(&mut self, c: u32) -> Result<Ref, Ctl> {
        match self.heap.alloc(ClassId(c), &mut self.rt) {
            Ok(r) => Ok(r),
            Err(_) => Err(self.raise_oom()),
        }
    }

    /// A zeroed array of class `c`. May collect.
    #[inline]
    pub(crate) fn alloc_array(&mut self, c: u32, len: u32) -> Result<Ref, Ctl> {
        if len >= i32::MAX as u32 - 1 {
            let msg = "Requested array size exceeds VM limit".to_string();
            return Err(self.raise(OUT_OF_MEMORY_ERROR, Some(msg)));
        }
        match self.heap.alloc_array(ClassId(c), len, &mut self.rt) {
            Ok(r) => Ok(r),
            Err(_) => Err(self.raise_oom()),
        }
    }

    /// A new string with these UTF-16 units. May collect.
    pub(crate) fn new_string(&mut self, units: &[u16]) -> Result<Ref, Ctl> {
        let r = self.alloc_array(STRING, units.len() as u32)?;
        self.heap.write_elems::<u16>(r, 0, units);
        Ok(r)
    }

    pub(crate) fn new_string_str(&mut self, s: &str) -> Result<Ref, Ctl> {
        let units: Vec<u16> = s.encode_utf16().collect();
        self.new_string(&units)
    }

    /// The units of string `r` (which must be a non-null string).
    pub(crate) fn str_units(&self, r: Ref) -> Vec<u16> {
        let n = self.heap.array_len(r) as usize;
        let mut v = vec![0u16; n];
        self.heap.read_elems::<u16>(r, 0, &mut v);
        v
    }

    #[inline]
    pub(crate) fn str_len(&self, r: Ref) -> u32 {
        self.heap.array_len(r)
    }

    #[inline]
    pub(crate) fn str_at(&self, r: Ref, i: u32) -> u16 {
        self.heap.read::<u16>(r, ARRAY_DATA_OFFSET + 2 * i)
    }

    /// String `r` as Rust text (unpaired surrogates become U+FFFD); `"null"` for null.
    pub(crate) fn rust_string(&self, r: Ref) -> String {
        if r.is_null() {
            return "null".into();
        }
        String::from_utf16_lossy(&self.str_units(r))
    }

    /// The interned string with these units (`String.intern`).
    pub(crate) fn intern(&mut self, r: Ref) -> Ref {
        let units = self.str_units(r);
        if let Some(&i) = self.intern_table.get(&units) {
            return self.rt.interned[i];
        }
        self.intern_table.insert(units, self.rt.interned.len());
        self.rt.interned.push(r);
        r
    }
}
