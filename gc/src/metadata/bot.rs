//! The block-offset table (spec [`BLOCK_OFFSETS`]):
//! for each card of old space, how far back the object covering the card's first
//! byte starts. Young collection uses it to parse a dirty card without walking its
//! region from the start (HotSpot's `BlockOffsetTable`, simplified to exact
//! offsets).

use super::cards::CARD_BYTES;
use super::spec::{BLOCK_OFFSETS, LOG_CARD_BYTES};
use crate::addr::{Addr, LOG_GRANULE};

/// No object covers the card's first byte (it lies at or above the region top).
/// Entries hold the offset plus one, so that "unset" is zero and the table is
/// committed lazily (`vec![0; n]` maps zero pages): only cards of used regions
/// cost resident memory.
const UNSET: u16 = 0;
/// The object starts at least [`SKIP_CARDS`] cards further back: look there.
/// Entries are 16 bits (half the memory of exact 32-bit offsets, which matters
/// because this table grows with old space), so a card deep inside a large
/// object points back in hops, as HotSpot's logarithmic back-skips do.
const SKIP: u16 = u16::MAX;
/// Granule offsets up to this are stored exactly (plus one).
const MAX_EXACT: u64 = SKIP as u64 - 2;
/// A card `SKIP_CARDS` back from one marked [`SKIP`] is still inside the same
/// object: `SKIP_CARDS` cards are fewer granules than `MAX_EXACT`.
const SKIP_CARDS: u32 = (MAX_EXACT / (CARD_BYTES >> LOG_GRANULE)) as u32;

pub struct BlockOffsetTable {
    old_base: u64,
    back: Vec<u16>,
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
            let d = (c * CARD_BYTES - rel) >> LOG_GRANULE;
            self.back[c as usize] = if d <= MAX_EXACT { d as u16 + 1 } else { SKIP };
            c += 1;
        }
    }

    /// The start of the object covering the first byte of card `i`.
    #[inline]
    pub fn covering(&self, mut i: u32) -> Option<Addr> {
        loop {
            match self.back[i as usize] {
                UNSET => return None,
                SKIP => i -= SKIP_CARDS,
                b => {
                    return Some(Addr(
                        self.old_base + ((i as u64) << LOG_CARD_BYTES)
                            - (((b - 1) as u64) << LOG_GRANULE),
                    ))
                }
            }
        }
    }

    /// Calls `f` for every reference slot in `[lo, hi)` of the objects that
    /// overlap it, walked from the object covering `lo`'s card (none if the
    /// card has no entry). `hi` must not pass the region's allocation top.
    pub fn for_each_slot_in<V: crate::view::HeapView>(
        &self,
        view: &V,
        lo: Addr,
        hi: Addr,
        mut f: impl FnMut(Addr),
    ) {
        let Some(mut obj) = self.covering(self.card_of(lo)) else {
            return;
        };
        while obj < hi {
            let size = crate::object::size(view, obj);
            crate::object::for_each_slot_in(view, obj, lo, hi, &mut f);
            obj = obj.offset(size as u64);
        }
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

    /// The raw entries of the cards covering `[from, to)` (`from` card-aligned):
    /// what a memnode that built a region's objects sends the VM, which
    /// [`BlockOffsetTable::import`]s them (entries are relative to their card,
    /// so two tables with different bases agree on a region's entries).
    pub fn export(&self, from: Addr, to: Addr) -> Vec<u16> {
        if to <= from {
            return Vec::new();
        }
        let c0 = ((from.0 - self.old_base) >> LOG_CARD_BYTES) as usize;
        let c1 = ((to.0 - self.old_base).div_ceil(CARD_BYTES)) as usize;
        self.back[c0..c1.min(self.back.len())].to_vec()
    }

    /// Installs entries [`BlockOffsetTable::export`]ed for the cards from the
    /// one holding `from` on. Entries past the table's end are ignored.
    pub fn import(&mut self, from: Addr, entries: &[u16]) {
        let c0 = ((from.0 - self.old_base) >> LOG_CARD_BYTES) as usize;
        let end = (c0 + entries.len()).min(self.back.len());
        if c0 < end {
            self.back[c0..end].copy_from_slice(&entries[..end - c0]);
        }
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

    #[test]
    fn export_import_between_bases() {
        // A region built at its own base and installed in a table whose base
        // is lower gives the same answers as recording there directly.
        let region = Addr(1 << 20);
        let mut own = BlockOffsetTable::new(region, 1 << 20);
        let mut direct = BlockOffsetTable::new(Addr(1 << 19), 4 << 20);
        let sizes = [24usize, 1200, 16, 600 << 10, 40, 4096];
        let mut a = region;
        for s in sizes {
            own.record(a, s);
            direct.record(a, s);
            a = a.offset(s as u64);
        }
        let entries = own.export(region, a);
        assert_eq!(entries.len() as u64, (a.0 - region.0).div_ceil(CARD_BYTES));
        let mut vm = BlockOffsetTable::new(Addr(1 << 19), 4 << 20);
        vm.import(region, &entries);
        let (c0, c1) = (vm.card_of(region), vm.card_of(a) + 4);
        for c in c0..c1 {
            assert_eq!(vm.covering(c), direct.covering(c), "card {c}");
        }
        assert!(own.export(region, region).is_empty());
    }

    #[test]
    fn cards_deep_inside_a_large_object_hop_back() {
        let base = Addr(1 << 20);
        let mut t = BlockOffsetTable::new(base, 8 << 20);
        t.record(base, 40);
        let big = base.offset(40);
        let size = 3 << 20; // 6144 cards: several hops from its end
        t.record(big, size);
        let after = big.offset(size as u64);
        t.record(after, 16);
        let last = t.card_of(Addr(after.0 - 1));
        for i in [1, 2, 1023, 1024, 1025, 2047, 4000, last] {
            assert_eq!(t.covering(i), Some(big), "card {i}");
        }
        assert_eq!(t.covering(0), Some(base));
        assert!(t.covering(t.card_of(after) + 1).is_none());
    }
}
