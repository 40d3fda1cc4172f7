//! Compaction by evacuation: copy the marked objects of sparse regions into fresh
//! regions, record `(from, to)` in the side forwarding table, then fix every
//! reference. Regions that stay put have their dead objects turned into fillers.
//! Region-granular evacuation as in G1 (Detlefs et al., ISMM 2004) and Semeru's
//! memnode-side compaction (Wang et al., OSDI 2020); written over
//! [`HeapViewMut`] so a memnode can run it on its own regions.

use crate::addr::{Addr, Ref, RegionId};
use crate::metadata::bitmap::MarkBitmap;
use crate::metadata::bot::BlockOffsetTable;
use crate::metadata::forwarding::ForwardingTable;
use crate::object::{self, Header};
use crate::region::{RegionTable, Space};
use crate::view::HeapViewMut;

/// Picks old regions worth evacuating: some but not much live data
/// (`live < max_live_ratio` of a region), sparsest first, while their live bytes
/// fit in `budget` bytes of destination space and their live objects (one
/// forwarding entry each) in `max_objects`.
pub fn select(
    regions: &RegionTable,
    max_live_ratio: f64,
    budget: u64,
    max_objects: u64,
) -> Vec<RegionId> {
    let rb = regions.geometry().region_bytes() as f64;
    let mut c: Vec<RegionId> = regions
        .old_regions()
        .into_iter()
        .filter(|&r| {
            let g = regions.get(r);
            g.space == Space::Old && g.live > 0 && (g.live as f64) < rb * max_live_ratio
        })
        .collect();
    c.sort_by_key(|&r| regions.get(r).live);
    let (mut used, mut objects) = (0, 0);
    c.retain(|&r| {
        let (live, n) = (regions.get(r).live, regions.get(r).live_objects);
        // Leave room for the tail of each destination region.
        let need = live + live / 8;
        if used + need <= budget && objects + n <= max_objects {
            used += need;
            objects += n;
            true
        } else {
            false
        }
    });
    c
}

/// Copies every marked object in `[from, to)` to space handed out by `alloc`,
/// recording each move in `fwd`. Returns the bytes copied.
pub fn evacuate_range<V: HeapViewMut>(
    view: &mut V,
    bits: &MarkBitmap,
    fwd: &mut ForwardingTable,
    from: Addr,
    to: Addr,
    alloc: &mut impl FnMut(&mut V, usize) -> Addr,
) -> u64 {
    let mut copied = 0;
    let mut cur = from;
    while let Some(a) = bits.next_marked(cur, to) {
        let size = object::size(view, a);
        let h = object::header(view, a);
        let dst = alloc(view, size);
        view.copy(a, dst, size);
        view.store_u64(dst, h.with_age(0).0);
        let (from, to) = (Ref::from_addr(a), Ref::from_addr(dst));
        if fwd.by_header(from) {
            view.store_u64(a, Header::forwarded(to).0);
        } else {
            fwd.insert(from, to);
        }
        copied += size as u64;
        cur = a.offset(size as u64);
    }
    copied
}

/// Rewrites each reference slot of the object at `a` to its referent's new home.
#[inline]
pub fn fix_object<V: HeapViewMut>(view: &mut V, fwd: &ForwardingTable, a: Addr) {
    let mut slots = Vec::new();
    object::for_each_slot(view, a, |s| slots.push(s));
    for s in slots {
        let v = Ref(view.load_u32(s));
        let n = fwd.forward_via(view, v);
        if n != v {
            view.store_u32(s, n.0);
        }
    }
}

/// Walks the objects of a region that stays in place, `[from, top)`: fixes the
/// marked ones and turns each run of unmarked ones into a single filler (so the
/// region stays parsable and dead objects keep no stale references). Returns the
/// dead bytes.
pub fn fix_and_sweep<V: HeapViewMut>(
    view: &mut V,
    bits: &MarkBitmap,
    fwd: &ForwardingTable,
    bot: &mut BlockOffsetTable,
    from: Addr,
    top: Addr,
) -> u64 {
    let mut dead = 0;
    let mut run: Option<Addr> = None;
    let mut a = from;
    while a < top {
        let size = object::size(view, a);
        if bits.is_marked(a) {
            if let Some(r) = run.take() {
                make_filler(view, bot, r, a);
            }
            fix_object(view, fwd, a);
        } else {
            dead += size as u64;
            run.get_or_insert(a);
        }
        a = a.offset(size as u64);
    }
    if let Some(r) = run {
        make_filler(view, bot, r, top);
    }
    dead
}

fn make_filler<V: HeapViewMut>(view: &mut V, bot: &mut BlockOffsetTable, from: Addr, to: Addr) {
    let size = (to.0 - from.0) as usize;
    view.store_u64(from, Header::filler(size).0);
    bot.record(from, size);
}
