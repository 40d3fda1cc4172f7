//! One region's memory, shared between the data path (page reads and writes
//! from the VM) and the offloaded collector's worker threads.
//!
//! The bytes live in an anonymous memory map (committed lazily by the OS) and
//! are only ever accessed as `AtomicU64` words with `Relaxed` ordering: page
//! I/O and GC loads and stores may run at the same time on different threads
//! (the VM writes a dirty page back while a worker scans the objects on it)
//! without a data race. Every access is 64 bits wide, so no two accesses of
//! different sizes ever overlap; a 32-bit field or an unaligned page edge is a
//! read-modify-write of its word. Relaxed suffices: the collector's
//! correctness comes from the snapshot-at-the-beginning protocol (the VM logs
//! overwritten references), not from ordering between the two paths.

use memmap2::MmapMut;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

pub struct RegionMem {
    /// Owns the mapping; never accessed through (only through `words`).
    _map: MmapMut,
    ptr: *const AtomicU64,
    words: usize,
    len: usize,
}

// SAFETY: the mapping is only accessed through atomics (`&[AtomicU64]`), which
// are `Sync`; the raw pointer is just a handle to memory this value owns.
unsafe impl Send for RegionMem {}
// SAFETY: as above — every shared access is an atomic operation.
unsafe impl Sync for RegionMem {}

impl RegionMem {
    /// A zeroed region of `len` bytes (the map is rounded up to whole words).
    pub fn new(len: usize) -> std::io::Result<RegionMem> {
        let words = len.div_ceil(8).max(1);
        let map = MmapMut::map_anon(words * 8)?;
        let ptr = map.as_ptr() as *const AtomicU64;
        Ok(RegionMem {
            _map: map,
            ptr,
            words,
            len,
        })
    }

    /// Bytes in the region.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline(always)]
    fn words(&self) -> &[AtomicU64] {
        // SAFETY: `ptr` points to the start of the mapping owned by `self._map`,
        // which is page-aligned (so 8-aligned, AtomicU64's alignment) and
        // `words * 8` bytes long; the mapping lives as long as `self`. AtomicU64
        // has the size and layout of u64, and the memory is only ever accessed
        // through these atomics, so handing out shared `&AtomicU64`s is sound.
        unsafe { std::slice::from_raw_parts(self.ptr, self.words) }
    }

    /// The word holding byte offset `off` (8-aligned), if inside the region.
    #[inline(always)]
    pub fn word(&self, off: usize) -> Option<&AtomicU64> {
        self.words().get(off >> 3)
    }

    /// The `u64` at 8-aligned offset `off` (0 outside the region).
    #[inline(always)]
    pub fn load_u64(&self, off: usize) -> u64 {
        self.word(off).map_or(0, |w| w.load(Relaxed))
    }

    #[inline(always)]
    pub fn store_u64(&self, off: usize, v: u64) {
        if let Some(w) = self.word(off) {
            w.store(v, Relaxed);
        }
    }

    /// The `u32` at 4-aligned offset `off` (0 outside the region).
    #[inline(always)]
    pub fn load_u32(&self, off: usize) -> u32 {
        (self.load_u64(off & !7) >> ((off & 4) * 8)) as u32
    }

    /// Stores a `u32` at 4-aligned offset `off`; returns the previous value.
    #[inline]
    pub fn store_u32(&self, off: usize, v: u32) -> u32 {
        let Some(w) = self.word(off & !7) else {
            return 0;
        };
        let shift = (off & 4) * 8;
        let mask = 0xffff_ffffu64 << shift;
        let old = w
            .fetch_update(Relaxed, Relaxed, |x| {
                Some((x & !mask) | ((v as u64) << shift))
            })
            .unwrap_or_else(|x| x);
        (old >> shift) as u32
    }

    /// Whether `len` bytes at `off` lie inside the region.
    pub fn contains(&self, off: usize, len: usize) -> bool {
        off.checked_add(len).is_some_and(|end| end <= self.len)
    }

    /// Appends `len` bytes at `off` to `out` (the range must be inside).
    pub fn read(&self, off: usize, len: usize, out: &mut Vec<u8>) {
        let end = off + len;
        let mut a = off;
        out.reserve(len);
        while a < end {
            let w = a & !7;
            let bytes = self.load_u64(w).to_le_bytes();
            let lo = a - w;
            let hi = (end - w).min(8);
            out.extend_from_slice(&bytes[lo..hi]);
            a = w + 8;
        }
    }

    /// Stores `bytes` at `off` (the range must be inside).
    pub fn write(&self, off: usize, bytes: &[u8]) {
        let end = off + bytes.len();
        let mut a = off;
        while a < end {
            let w = a & !7;
            let lo = a - w;
            let hi = (end - w).min(8);
            let src = &bytes[a - off..a - off + (hi - lo)];
            if let Some(word) = self.word(w) {
                if lo == 0 && hi == 8 {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(src);
                    word.store(u64::from_le_bytes(b), Relaxed);
                } else {
                    let _ = word.fetch_update(Relaxed, Relaxed, |x| {
                        let mut b = x.to_le_bytes();
                        b[lo..hi].copy_from_slice(src);
                        Some(u64::from_le_bytes(b))
                    });
                }
            }
            a = w + 8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_halves_and_bytes() {
        let m = RegionMem::new(4096).expect("map");
        m.store_u64(8, 0x1122_3344_5566_7788);
        assert_eq!(m.load_u32(8), 0x5566_7788);
        assert_eq!(m.load_u32(12), 0x1122_3344);
        assert_eq!(m.store_u32(12, 7), 0x1122_3344);
        assert_eq!(m.load_u64(8), 0x0000_0007_5566_7788);
        m.write(3, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        let mut out = Vec::new();
        m.read(0, 16, &mut out);
        assert_eq!(&out[..3], &[0, 0, 0]);
        assert_eq!(&out[3..14], &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        assert_eq!(&out[14..16], &[0, 0]);
        assert_eq!(m.load_u64(4096), 0);
        assert!(m.contains(4000, 96) && !m.contains(4000, 97));
    }
}
