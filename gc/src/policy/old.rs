//! Old space: bump allocation within old regions, one region at a time, and
//! humongous objects in contiguous runs of regions of their own (G1's policy).
//! Promotion, direct allocation of large objects and compaction all allocate here.

use crate::addr::{Addr, RegionId};
use crate::metadata::bot::BlockOffsetTable;
use crate::region::RegionTable;
use crate::view::HeapViewMut;

#[derive(Default)]
pub struct OldSpace {
    /// The region being bump-allocated into.
    current: Option<RegionId>,
}

impl OldSpace {
    /// Allocates `size` bytes (below the humongous threshold), taking a fresh
    /// region when the current one is full. The bytes are not zeroed. `None` when
    /// no region is free in the whole reserve, or its memory cannot be had.
    pub fn alloc<V: HeapViewMut>(
        &mut self,
        view: &mut V,
        regions: &mut RegionTable,
        bot: &mut BlockOffsetTable,
        size: usize,
    ) -> Option<Addr> {
        debug_assert!(size <= regions.geometry().region_bytes());
        let s = size as u64;
        if let Some(r) = self.current {
            let top = regions.get(r).top;
            if top.0 + s <= regions.end(r).0 {
                regions.set_top(r, Addr(top.0 + s));
                bot.record(top, size);
                return Some(top);
            }
        }
        let r = regions.take_free()?;
        if !view.try_acquire_region(r) {
            regions.release(r);
            return None;
        }
        self.current = Some(r);
        let base = regions.base(r);
        regions.set_top(r, Addr(base.0 + s));
        bot.record(base, size);
        Some(base)
    }

    /// Allocates a humongous object of `size` bytes in a run of fresh regions.
    /// The bytes are not zeroed.
    pub fn alloc_humongous<V: HeapViewMut>(
        view: &mut V,
        regions: &mut RegionTable,
        bot: &mut BlockOffsetTable,
        size: usize,
    ) -> Option<Addr> {
        let rb = regions.geometry().region_bytes();
        let n = size.div_ceil(rb) as u32;
        let start = regions.take_free_run(n)?;
        let base = regions.base(start);
        for i in 0..n {
            let r = RegionId(start.0 + i);
            // Continuations live on the start's memnode: a memnode's
            // collector sees the whole object.
            let ok = if i == 0 {
                view.try_acquire_region(r)
            } else {
                view.try_acquire_region_near(r, start)
            };
            if !ok {
                for j in 0..n {
                    if j < i {
                        view.release_region(RegionId(start.0 + j));
                    }
                    regions.release(RegionId(start.0 + j));
                }
                return None;
            }
        }
        for i in 0..n {
            let r = RegionId(start.0 + i);
            let end = (base.0 + size as u64).min(regions.end(r).0);
            regions.set_top(r, Addr(end));
        }
        bot.record(base, size);
        Some(base)
    }

    /// Stops allocating into the current region (a full collection starts over).
    pub fn retire(&mut self) {
        self.current = None;
    }

    /// Free bytes left in the current region.
    pub fn current_free(&self, regions: &RegionTable) -> usize {
        self.current
            .map_or(0, |r| (regions.end(r).0 - regions.get(r).top.0) as usize)
    }
}
