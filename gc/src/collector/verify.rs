//! The heap verifier (`--verify-heap`): after a collection, walk every space and
//! check that
//! - every object has a defined class and lies inside its region's used part;
//! - every reference (in objects and roots) points at an object start in a space
//!   in use (so nothing live was left in a freed region or a from-space);
//! - every old→young reference sits on a dirty card (the remembered set is
//!   complete);
//! - humongous regions are consistent.

use std::fmt::Write as _;

use crate::addr::{Addr, Ref, RegionId};
use crate::heap::RootSet;
use crate::metadata::bitmap::MarkBitmap;
use crate::metadata::cards::CardTable;
use crate::object;
use crate::policy::nursery::Nursery;
use crate::region::{RegionTable, Space};
use crate::view::HeapView;

/// Checks the heap; `Err` carries every problem found (up to a limit). `scratch`
/// is a clear bitmap over the whole space (the idle mark bitmap); it is clear
/// again on return.
pub fn verify<V: HeapView>(
    view: &V,
    regions: &RegionTable,
    nursery: &Nursery,
    cards: &CardTable,
    scratch: &mut MarkBitmap,
    roots: &mut dyn RootSet,
) -> Result<(), String> {
    let geom = *regions.geometry();
    let old_base = geom.old_base();
    let mut errs = Errors::default();

    let mut heap = Walk {
        starts: scratch,
        objects: Vec::new(),
        errs: &mut errs,
    };
    let to = &nursery.survivors[1 - nursery.from];
    if to.used() != 0 {
        heap.errs
            .add(format!("to-survivor space not empty ({} bytes)", to.used()));
    }
    heap.walk(view, nursery.eden.start, nursery.eden.top, "eden", false);
    let from = nursery.from_space();
    heap.walk(view, from.start, from.top, "survivor", false);
    for r in regions.old_regions() {
        let g = regions.get(r);
        let base = regions.base(r);
        match g.space {
            Space::Old => heap.walk(view, base, g.top, &format!("old region {}", r.0), true),
            Space::HumongousStart { regions: n } => {
                let size = object::try_size(view, base).unwrap_or(0);
                let want = size.div_ceil(geom.region_bytes()) as u32;
                if size == 0 || want != n {
                    heap.errs.add(format!(
                        "humongous region {}: object of {size} bytes in {n} regions",
                        r.0
                    ));
                } else {
                    heap.starts.mark(base);
                    heap.objects.push(base);
                }
            }
            Space::HumongousCont { start } => {
                let ok = matches!(regions.get(start).space,
                    Space::HumongousStart { regions: n } if start.0 < r.0 && r.0 < start.0 + n);
                if !ok {
                    heap.errs.add(format!(
                        "humongous continuation {} has bad start {}",
                        r.0, start.0
                    ));
                }
            }
            _ => {}
        }
    }

    let Walk {
        starts, objects, ..
    } = heap;
    let total = geom.total_bytes() as u64;
    let valid = |v: Ref| v.is_null() || (v.addr().0 < total && starts.is_marked(v.addr()));
    for &a in &objects {
        object::for_each_slot(view, a, |s| {
            let v = Ref(view.load_u32(s));
            if !valid(v) {
                errs.add(format!(
                    "object {:#x} ({}) slot {:#x}: dangling reference {v:?} into {}",
                    a.0,
                    class_name(view, a),
                    s.0,
                    describe(regions, nursery, v.addr())
                ));
            } else if s >= old_base && !v.is_null() && v.addr() < old_base && !cards.is_dirty(s) {
                errs.add(format!(
                    "old object {:#x} slot {:#x} -> young {v:?}: card not dirty (unremembered edge)",
                    a.0, s.0
                ));
            }
        });
    }
    let mut i = 0;
    roots.visit_roots(&mut |slot| {
        if !valid(*slot) {
            errs.add(format!(
                "root #{i}: dangling reference {:?} into {}",
                *slot,
                describe(regions, nursery, slot.addr())
            ));
        }
        i += 1;
    });
    for &a in &objects {
        starts.clear_range(a, a.offset(8));
    }
    errs.finish()
}

fn class_name<V: HeapView>(view: &V, a: Addr) -> String {
    format!("class {}", object::header(view, a).class().0)
}

fn describe(regions: &RegionTable, nursery: &Nursery, a: Addr) -> String {
    if nursery.eden.contains(a) {
        "eden".into()
    } else if nursery.from_space().contains(a) {
        "from-survivor".into()
    } else if a < regions.geometry().old_base() {
        "unused nursery space".into()
    } else if a.0 as usize >= regions.geometry().total_bytes() {
        "beyond the heap".into()
    } else {
        let r: RegionId = regions.region_of(a);
        format!(
            "region {} ({:?}, top {:#x})",
            r.0,
            regions.get(r).space,
            regions.get(r).top.0
        )
    }
}

/// The objects found by walking the spaces.
struct Walk<'s, 'e> {
    starts: &'s mut MarkBitmap,
    objects: Vec<Addr>,
    errs: &'e mut Errors,
}

impl Walk<'_, '_> {
    /// Parses `[from, top)` object by object.
    fn walk<V: HeapView>(&mut self, view: &V, from: Addr, top: Addr, what: &str, fillers: bool) {
        let mut a = from;
        while a < top {
            let h = object::header(view, a);
            let Some(size) = object::try_size(view, a) else {
                self.errs.add(format!(
                    "{what}: no valid header at {:#x} (word {:#x})",
                    a.0, h.0
                ));
                return;
            };
            if a.0 + size as u64 > top.0 {
                self.errs.add(format!(
                    "{what}: object at {:#x} of {size} bytes crosses top {:#x}",
                    a.0, top.0
                ));
                return;
            }
            if h.is_filler() {
                if !fillers {
                    self.errs.add(format!("{what}: filler at {:#x}", a.0));
                }
            } else {
                self.starts.mark(a);
                self.objects.push(a);
            }
            a = a.offset(size as u64);
        }
    }
}

#[derive(Default)]
struct Errors {
    n: usize,
    text: String,
}

impl Errors {
    fn add(&mut self, e: String) {
        self.n += 1;
        if self.n <= 20 {
            let _ = writeln!(self.text, "  {e}");
        }
    }
    fn finish(self) -> Result<(), String> {
        if self.n == 0 {
            Ok(())
        } else {
            Err(format!(
                "heap verification failed: {} problem(s)\n{}",
                self.n, self.text
            ))
        }
    }
}
