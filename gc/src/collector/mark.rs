//! Marking: a full trace of the object graph from the roots into the side mark
//! bitmap, with an explicit mark stack (no recursion, so a million-node list is
//! fine), accumulating live bytes per region. Written over [`HeapView`], so a
//! memnode can run it over its own region store (DESIGN.md §2, §7; Semeru,
//! OSDI 2020, offloads exactly this loop).
//!
//! The mark stack is bounded ([`MARK_STACK_MAX`] compressed references): a
//! graph traced depth-first can otherwise queue a large share of its objects
//! (five million entries for a 600 000-vertex graph), and that memory would
//! scale with the heap, which the VM's resident set must not (DESIGN.md §5).
//! An object marked while the stack is full is not queued; its region is
//! remembered instead, and once the stack drains the marked objects of those
//! regions are scanned again (scanning a marked object twice is harmless), until
//! no push overflows — the overflow scheme of HotSpot's marking.

use std::collections::BTreeSet;

use crate::addr::{Addr, Ref};
use crate::metadata::bitmap::MarkBitmap;
use crate::object;
use crate::region::RegionTable;
use crate::view::HeapView;

/// Entries of the mark stack (4 bytes each: 1 MiB).
pub const MARK_STACK_MAX: usize = 1 << 18;

pub struct Marker {
    stack: Vec<Ref>,
    limit: usize,
    /// Regions holding marked objects that were not queued.
    overflowed: BTreeSet<u32>,
    pub marked_bytes: u64,
    pub marked_objects: u64,
    /// Times the stack was full when an object was marked.
    pub overflows: u64,
}

impl Default for Marker {
    fn default() -> Self {
        Marker::with_limit(MARK_STACK_MAX)
    }
}

impl Marker {
    /// A marker whose stack holds at most `limit` entries (tests use tiny ones).
    pub fn with_limit(limit: usize) -> Marker {
        Marker {
            stack: Vec::new(),
            limit: limit.max(1),
            overflowed: BTreeSet::new(),
            marked_bytes: 0,
            marked_objects: 0,
            overflows: 0,
        }
    }

    /// Marks `r` (if not yet marked) and queues it for scanning.
    #[inline]
    pub fn mark<V: HeapView>(
        &mut self,
        view: &V,
        bits: &mut MarkBitmap,
        regions: &mut RegionTable,
        r: Ref,
    ) {
        if r.is_null() {
            return;
        }
        let a = r.addr();
        if bits.mark(a) {
            let size = object::size(view, a) as u64;
            let reg = regions.region_of(a);
            let g = regions.get_mut(reg);
            g.live += size;
            g.live_objects += 1;
            self.marked_bytes += size;
            self.marked_objects += 1;
            if self.stack.len() < self.limit {
                self.stack.push(r);
            } else {
                self.overflows += 1;
                self.overflowed.insert(reg.0);
            }
        }
    }

    /// Scans queued objects until the closure is complete.
    pub fn drain<V: HeapView>(
        &mut self,
        view: &V,
        bits: &mut MarkBitmap,
        regions: &mut RegionTable,
    ) {
        let mut children = Vec::new();
        loop {
            while let Some(r) = self.stack.pop() {
                self.scan(view, bits, regions, r.addr(), &mut children);
            }
            let Some(reg) = self.overflowed.pop_first() else {
                return;
            };
            // Rescan every marked object of the region; objects marked while
            // this runs are queued (or overflow again) as usual.
            let reg = crate::addr::RegionId(reg);
            let (mut cur, end) = (regions.base(reg), regions.end(reg));
            while let Some(a) = bits.next_marked(cur, end) {
                self.scan(view, bits, regions, a, &mut children);
                while let Some(r) = self.stack.pop() {
                    self.scan(view, bits, regions, r.addr(), &mut children);
                }
                cur = a.offset(crate::addr::GRANULE as u64);
            }
        }
    }

    fn scan<V: HeapView>(
        &mut self,
        view: &V,
        bits: &mut MarkBitmap,
        regions: &mut RegionTable,
        a: Addr,
        children: &mut Vec<Ref>,
    ) {
        children.clear();
        object::for_each_slot(view, a, |s| children.push(Ref(view.load_u32(s))));
        for &c in children.iter() {
            self.mark(view, bits, regions, c);
        }
    }
}
