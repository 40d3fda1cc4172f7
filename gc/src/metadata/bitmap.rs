//! The side mark bitmap: one bit per 8-byte granule of the address space
//! (spec [`MARK_BITMAP`]).

use super::spec::MARK_BITMAP;
use crate::addr::{Addr, LOG_GRANULE};

pub struct MarkBitmap {
    words: Vec<u64>,
}

impl MarkBitmap {
    /// A clear bitmap covering addresses `[0, bytes)`.
    pub fn new(bytes: usize) -> MarkBitmap {
        MarkBitmap {
            words: vec![0; MARK_BITMAP.entries(bytes).div_ceil(64)],
        }
    }

    #[inline]
    fn bit(a: Addr) -> (usize, u64) {
        let g = (a.0 >> LOG_GRANULE) as usize;
        (g / 64, 1u64 << (g % 64))
    }

    /// Sets the bit of `a`; true if it was clear.
    #[inline]
    pub fn mark(&mut self, a: Addr) -> bool {
        let (w, m) = Self::bit(a);
        let old = self.words[w];
        self.words[w] = old | m;
        old & m == 0
    }

    #[inline]
    pub fn is_marked(&self, a: Addr) -> bool {
        let (w, m) = Self::bit(a);
        self.words[w] & m != 0
    }

    /// The first marked address in `[from, to)`.
    pub fn next_marked(&self, from: Addr, to: Addr) -> Option<Addr> {
        let g0 = (from.0 >> LOG_GRANULE) as usize;
        let g1 = (to.0 >> LOG_GRANULE) as usize;
        let mut g = g0;
        while g < g1 {
            let w = self.words[g / 64] >> (g % 64);
            if w != 0 {
                let hit = g + w.trailing_zeros() as usize;
                return (hit < g1).then_some(Addr((hit as u64) << LOG_GRANULE));
            }
            g = (g / 64 + 1) * 64;
        }
        None
    }

    /// Clears every bit for `[from, to)`.
    pub fn clear_range(&mut self, from: Addr, to: Addr) {
        let g0 = (from.0 >> LOG_GRANULE) as usize;
        let g1 = (to.0 >> LOG_GRANULE) as usize;
        let mut g = g0;
        while g < g1 {
            if g.is_multiple_of(64) && g + 64 <= g1 {
                self.words[g / 64] = 0;
                g += 64;
            } else {
                self.words[g / 64] &= !(1u64 << (g % 64));
                g += 1;
            }
        }
    }

    /// Marked granules in `[from, to)` (tests and verification).
    pub fn count(&self, from: Addr, to: Addr) -> usize {
        let mut n = 0;
        let mut a = from;
        while let Some(m) = self.next_marked(a, to) {
            n += 1;
            a = m.offset(8);
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mark_find_clear() {
        let mut b = MarkBitmap::new(1 << 16);
        assert!(b.mark(Addr(8)));
        assert!(!b.mark(Addr(8)));
        assert!(b.mark(Addr(8 * 200)));
        assert!(b.mark(Addr(8 * 4000)));
        assert_eq!(b.next_marked(Addr(0), Addr(1 << 16)), Some(Addr(8)));
        assert_eq!(b.next_marked(Addr(16), Addr(1 << 16)), Some(Addr(1600)));
        assert_eq!(b.next_marked(Addr(1608), Addr(8 * 4000)), None);
        assert_eq!(b.count(Addr(0), Addr(1 << 16)), 3);
        b.clear_range(Addr(0), Addr(8 * 3000));
        assert!(!b.is_marked(Addr(8)) && !b.is_marked(Addr(1600)));
        assert!(b.is_marked(Addr(32000)));
        b.clear_range(Addr(8 * 3999), Addr(8 * 4001));
        assert_eq!(b.count(Addr(0), Addr(1 << 16)), 0);
    }
}
