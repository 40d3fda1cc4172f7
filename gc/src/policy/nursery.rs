//! The nursery: eden plus two survivor spaces, all bump-allocated, all in local
//! memory. Young collection copies live objects from eden and the *from* survivor
//! into the *to* survivor (or old space), then flips the survivors (Ungar,
//! "Generation Scavenging", 1984; the eden/survivor split is HotSpot's).

use crate::addr::{Addr, GRANULE};

/// A bump-pointer space `[start, end)` filled up to `top`.
#[derive(Clone, Copy, Debug)]
pub struct BumpSpace {
    pub start: Addr,
    pub top: Addr,
    pub end: Addr,
}

impl BumpSpace {
    pub fn new(start: Addr, end: Addr) -> BumpSpace {
        BumpSpace {
            start,
            top: start,
            end,
        }
    }

    /// Bumps `size` bytes (a multiple of 8) below `limit`.
    #[inline(always)]
    pub fn alloc_below(&mut self, size: usize, limit: Addr) -> Option<Addr> {
        let a = self.top;
        let t = a.0 + size as u64;
        if t > limit.0 {
            return None;
        }
        self.top = Addr(t);
        Some(a)
    }

    #[inline(always)]
    pub fn alloc(&mut self, size: usize) -> Option<Addr> {
        self.alloc_below(size, self.end)
    }

    #[inline(always)]
    pub fn contains(&self, a: Addr) -> bool {
        a >= self.start && a < self.top
    }

    pub fn used(&self) -> usize {
        (self.top.0 - self.start.0) as usize
    }

    pub fn capacity(&self) -> usize {
        (self.end.0 - self.start.0) as usize
    }

    pub fn reset(&mut self) {
        self.top = self.start;
    }
}

pub struct Nursery {
    pub eden: BumpSpace,
    /// Eden allocation stops here; lowered to `eden.start` while the heap is over
    /// its limit, so every allocation takes the slow path.
    pub eden_limit: Addr,
    pub survivors: [BumpSpace; 2],
    /// Index of the survivor space holding the last collection's survivors.
    pub from: usize,
}

impl Nursery {
    /// Lays out a nursery of `bytes` at address 0: eden gets 8/10, each survivor
    /// 1/10 (`-XX:SurvivorRatio=8`). Address 0 is null, so eden starts at 8.
    pub fn new(bytes: usize) -> Nursery {
        let g = GRANULE as u64;
        let bytes = bytes as u64 / g * g;
        let surv = bytes / 10 / g * g;
        let eden_end = bytes - 2 * surv;
        let eden = BumpSpace::new(Addr(g), Addr(eden_end));
        Nursery {
            eden,
            eden_limit: eden.end,
            survivors: [
                BumpSpace::new(Addr(eden_end), Addr(eden_end + surv)),
                BumpSpace::new(Addr(eden_end + surv), Addr(bytes)),
            ],
            from: 0,
        }
    }

    #[inline(always)]
    pub fn alloc(&mut self, size: usize) -> Option<Addr> {
        self.eden.alloc_below(size, self.eden_limit)
    }

    pub fn from_space(&self) -> &BumpSpace {
        &self.survivors[self.from]
    }

    pub fn used(&self) -> usize {
        self.eden.used() + self.from_space().used()
    }

    pub fn capacity(&self) -> usize {
        self.eden.capacity() + self.survivors[0].capacity()
    }

    /// After a young collection: eden is empty, the to-space becomes from-space.
    pub fn flip(&mut self) {
        self.eden.reset();
        self.survivors[self.from].reset();
        self.from = 1 - self.from;
    }

    /// After a full collection: everything was promoted.
    pub fn empty(&mut self) {
        self.eden.reset();
        self.survivors[0].reset();
        self.survivors[1].reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_and_bump() {
        let mut n = Nursery::new(1000);
        assert_eq!(n.eden.start, Addr(8));
        assert_eq!(n.survivors[0].capacity(), 96);
        assert_eq!(n.survivors[1].end, Addr(1000));
        assert_eq!(n.alloc(16), Some(Addr(8)));
        assert_eq!(n.alloc(16), Some(Addr(24)));
        assert_eq!(n.used(), 32);
        n.eden_limit = n.eden.start;
        assert_eq!(n.alloc(8), None);
        n.flip();
        assert_eq!((n.from, n.eden.used()), (1, 0));
    }
}
