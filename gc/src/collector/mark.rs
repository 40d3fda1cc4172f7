//! Marking: a full trace of the object graph from the roots into the side mark
//! bitmap, with an explicit mark stack (no recursion, so a million-node list is
//! fine), accumulating live bytes per region. Written over [`HeapView`], so a
//! memnode can run it over its own region store (DESIGN.md §2, §7; Semeru,
//! OSDI 2020, offloads exactly this loop).

use crate::addr::{Addr, Ref};
use crate::metadata::bitmap::MarkBitmap;
use crate::object;
use crate::region::RegionTable;
use crate::view::HeapView;

#[derive(Default)]
pub struct Marker {
    stack: Vec<Addr>,
    pub marked_bytes: u64,
    pub marked_objects: u64,
}

impl Marker {
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
            regions.get_mut(regions.region_of(a)).live += size;
            self.marked_bytes += size;
            self.marked_objects += 1;
            self.stack.push(a);
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
        while let Some(a) = self.stack.pop() {
            children.clear();
            object::for_each_slot(view, a, |s| children.push(Ref(view.load_u32(s))));
            for &c in &children {
                self.mark(view, bits, regions, c);
            }
        }
    }
}
