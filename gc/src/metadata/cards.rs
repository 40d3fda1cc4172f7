//! The card table over old space (spec [`CARD_TABLE`]):
//! the generational write barrier's record of old→young stores.
//!
//! A store of a young reference into an old slot dirties the slot's 512-byte card
//! and, the first time, appends the card to a dirty list, so a young collection
//! visits only dirty cards — its cost follows the stores, not the old-space size
//! (card marking: Hölzle 1993, "A fast write barrier for generational garbage
//! collectors"; the dirty list plays the part of G1's dirty-card queue).

use super::spec::{CARD_TABLE, LOG_CARD_BYTES};
use crate::addr::Addr;

pub const CARD_BYTES: u64 = 1 << LOG_CARD_BYTES;
const CLEAN: u8 = 0;
const DIRTY: u8 = 1;

pub struct CardTable {
    old_base: u64,
    cards: Vec<u8>,
    dirty: Vec<u32>,
}

impl CardTable {
    /// Clean cards for old space `[old_base, old_base + bytes)`.
    pub fn new(old_base: Addr, bytes: usize) -> CardTable {
        CardTable {
            old_base: old_base.0,
            cards: vec![CLEAN; CARD_TABLE.entries(bytes)],
            dirty: Vec::new(),
        }
    }

    #[inline(always)]
    pub fn index(&self, a: Addr) -> usize {
        ((a.0 - self.old_base) >> LOG_CARD_BYTES) as usize
    }

    /// The barrier's slow half: dirty the card of old-space slot `a`.
    #[inline(always)]
    pub fn dirty(&mut self, a: Addr) {
        let i = self.index(a);
        if self.cards[i] == CLEAN {
            self.cards[i] = DIRTY;
            self.dirty.push(i as u32);
        }
    }

    #[inline]
    pub fn is_dirty(&self, a: Addr) -> bool {
        self.cards[self.index(a)] == DIRTY
    }

    /// The address range of card `i`.
    pub fn range(&self, i: u32) -> (Addr, Addr) {
        let s = self.old_base + ((i as u64) << LOG_CARD_BYTES);
        (Addr(s), Addr(s + CARD_BYTES))
    }

    /// Takes the dirty list, cleaning every card on it.
    pub fn take_dirty(&mut self) -> Vec<u32> {
        let list = std::mem::take(&mut self.dirty);
        for &i in &list {
            self.cards[i as usize] = CLEAN;
        }
        list
    }

    /// Cleans every card.
    pub fn clear(&mut self) {
        drop(self.take_dirty());
    }

    /// Cleans the cards of `[lo, hi)` (old space given back: its objects
    /// moved or died, and their edges with them).
    pub fn clean_range(&mut self, lo: Addr, hi: Addr) {
        if hi <= lo {
            return;
        }
        let (a, b) = (self.index(lo), self.index(Addr(hi.0 - 1)) + 1);
        let mut any = false;
        for c in &mut self.cards[a..b] {
            any |= *c == DIRTY;
            *c = CLEAN;
        }
        if any {
            let cards = &self.cards;
            self.dirty.retain(|&i| cards[i as usize] == DIRTY);
        }
    }

    /// The dirty cards, in the order they were dirtied.
    pub fn dirty_cards(&self) -> &[u32] {
        &self.dirty
    }

    pub fn dirty_count(&self) -> usize {
        self.dirty.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_range_drops_its_cards_from_the_list() {
        let base = Addr(1 << 20);
        let mut c = CardTable::new(base, 1 << 20);
        for off in [0, 600, 5000, 9000] {
            c.dirty(base.offset(off));
        }
        c.clean_range(base.offset(512), base.offset(8192));
        assert_eq!(c.dirty_cards(), &[0, 17]);
        assert!(!c.is_dirty(base.offset(600)) && !c.is_dirty(base.offset(5000)));
        assert!(c.is_dirty(base) && c.is_dirty(base.offset(9000)));
        c.clean_range(base, base);
        assert_eq!(c.dirty_count(), 2);
    }

    #[test]
    fn dirty_once_and_take() {
        let base = Addr(1 << 20);
        let mut c = CardTable::new(base, 1 << 20);
        c.dirty(Addr((1 << 20) + 4));
        c.dirty(Addr((1 << 20) + 508));
        c.dirty(Addr((1 << 20) + 512));
        assert_eq!(c.dirty_count(), 2);
        assert!(c.is_dirty(Addr((1 << 20) + 100)));
        assert_eq!(c.range(1), (Addr((1 << 20) + 512), Addr((1 << 20) + 1024)));
        assert_eq!(c.take_dirty(), vec![0, 1]);
        assert!(!c.is_dirty(Addr((1 << 20) + 100)));
        assert_eq!(c.dirty_count(), 0);
    }
}
