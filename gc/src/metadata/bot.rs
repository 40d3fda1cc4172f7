//! The block-offset table (spec [`BLOCK_OFFSETS`]):
//! for each card of old space, how far back the object covering the card's first
//! byte starts. Young collection uses it to parse a dirty card without walking its
//! region from the start (HotSpot's `BlockOffsetTable`, simplified to exact
//! offsets).

use super::cards::CARD_BYTES;
use super::spec::{BLOCK_OFFSETS, LOG_CARD_BYTES};
use crate::addr::{Addr, LOG_GRANULE};

/// No object covers the card's first byte (it lies at or above the region top).
const UNSET: u32 = u32::MAX;

pub struct BlockOffsetTable {
    old_base: u64,
    back: Vec<u32>,
}

impl BlockOffsetTable {
    pub fn new(old_base: Addr, bytes: usize) -> BlockOffsetTable {
        BlockOffsetTable {
            old_base: old_base.0,
            back: vec![UNSET; BLOCK_OFFSETS.entries(bytes)],
        }
    }

    /// Records an object at `[a, a + size)`, allocated in address order.
    #[inline]
    pub fn record(&mut self, a: Addr, size: usize) {
        let rel = a.0 - self.old_base;
        let end = rel + size as u64;
        let mut c = rel.div_ceil(CARD_BYTES);
        while c * CARD_BYTES < end {
            self.back[c as usize] = ((c * CARD_BYTES - rel) >> LOG_GRANULE) as u32;
            c += 1;
        }
    }

    /// The start of the object covering the first byte of card `i`.
    #[inline]
    pub fn covering(&self, i: u32) -> Option<Addr> {
        let b = self.back[i as usize];
        (b != UNSET).then(|| {
            Addr(self.old_base + ((i as u64) << LOG_CARD_BYTES) - ((b as u64) << LOG_GRANULE))
        })
    }

    /// The index of the card holding old-space address `a`.
    #[inline]
    pub fn card_of(&self, a: Addr) -> u32 {
        ((a.0 - self.old_base) >> LOG_CARD_BYTES) as u32
    }

    /// The first address of card `i`.
    #[inline]
    pub fn card_start(&self, i: u32) -> Addr {
        Addr(self.old_base + ((i as u64) << LOG_CARD_BYTES))
    }

    /// Forgets `[from, to)` (a freed region).
    pub fn reset(&mut self, from: Addr, to: Addr) {
        let c0 = ((from.0 - self.old_base) >> LOG_CARD_BYTES) as usize;
        let c1 = ((to.0 - self.old_base) >> LOG_CARD_BYTES) as usize;
        self.back[c0..c1].fill(UNSET);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covering_objects() {
        let base = Addr(4096);
        let mut t = BlockOffsetTable::new(base, 8192);
        t.record(Addr(4096), 24);
        t.record(Addr(4096 + 24), 1200); // covers cards 1 and 2
        t.record(Addr(4096 + 1224), 16);
        assert_eq!(t.covering(0), Some(Addr(4096)));
        assert_eq!(t.covering(1), Some(Addr(4096 + 24)));
        assert_eq!(t.covering(2), Some(Addr(4096 + 24)));
        assert_eq!(t.covering(3), None);
        t.reset(base, Addr(4096 + 2048));
        assert_eq!(t.covering(1), None);
    }
}
