//! The heap verifier (`--verify-heap`). A [`Scope::Full`] verification walks
//! every space and checks that
//! - every object has a defined class and lies inside its region's used part;
//! - every reference (in objects and roots) points at an object start in a space
//!   in use (so nothing live was left in a freed region or a from-space);
//! - every old→young reference sits on a dirty card (the remembered set is
//!   complete);
//! - the block-offset table names, for each card of old space, the object
//!   covering the card's first byte (so dirty cards parse);
//! - humongous regions are consistent.
//!
//! A [`Scope::Young`] verification checks what a young collection reads: the
//! roots, the nursery objects and the old slots on dirty cards. References into
//! old space are checked by parsing their card from the block-offset table, so
//! its cost follows the nursery, the roots and the dirty cards, not the heap.

use std::fmt::Write as _;

use crate::addr::{Addr, Ref, RegionId};
use crate::heap::RootSet;
use crate::metadata::bitmap::MarkBitmap;
use crate::metadata::bot::BlockOffsetTable;
use crate::metadata::cards::{CardTable, CARD_BYTES};
use crate::object;
use crate::policy::nursery::Nursery;
use crate::region::{RegionTable, Space};
use crate::view::HeapView;

/// How much of the heap a verification covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every object of every space.
    Full,
    /// The roots, the nursery and the old slots on dirty cards.
    Young,
}

/// The spaces and metadata a verification reads.
#[derive(Clone, Copy)]
pub struct Spaces<'a> {
    pub regions: &'a RegionTable,
    pub nursery: &'a Nursery,
    pub cards: &'a CardTable,
    pub bot: &'a BlockOffsetTable,
}

/// Checks the heap; `Err` carries every problem found (up to a limit). `scratch`
/// is a clear bitmap over the whole space (the idle mark bitmap); it is clear
/// again on return. `known_old`, if given, caches old-space object starts
/// already checked by a [`Scope::Young`] verification: old objects neither move
/// nor die between full collections, so the owner clears it (for the old
/// regions in use) when a full collection starts.
pub fn verify<V: HeapView>(
    view: &V,
    sp: Spaces<'_>,
    scope: Scope,
    scratch: &mut MarkBitmap,
    known_old: Option<&mut MarkBitmap>,
    roots: &mut dyn RootSet,
) -> Result<(), String> {
    let (regions, nursery, cards, bot) = (sp.regions, sp.nursery, sp.cards, sp.bot);
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
    heap.walk(view, nursery.eden.start, nursery.eden.top, "eden", None);
    let from = nursery.from_space();
    heap.walk(view, from.start, from.top, "survivor", None);
    if scope == Scope::Full {
        for r in regions.old_regions() {
            let g = regions.get(r);
            let base = regions.base(r);
            match g.space {
                Space::Old => {
                    heap.walk(view, base, g.top, &format!("old region {}", r.0), Some(bot))
                }
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
                        let c = bot.card_of(base);
                        if bot.covering(c) != Some(base) {
                            heap.errs.add(format!(
                                "humongous region {}: block-offset entry of card {c} is {:?}",
                                r.0,
                                bot.covering(c)
                            ));
                        }
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
    }

    let Walk {
        starts, objects, ..
    } = heap;
    let mut chk = RefCheck {
        view,
        sp,
        scope,
        starts,
        known_old,
        total: geom.total_bytes() as u64,
        old_base,
    };
    for &a in &objects {
        object::for_each_slot(view, a, |s| {
            let v = Ref(view.load_u32(s));
            if !chk.valid(v) {
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
    if scope == Scope::Young {
        // The old slots a young collection treats as roots.
        for &card in cards.dirty_cards() {
            let (lo, hi) = cards.range(card);
            let g = regions.get(regions.region_of(lo));
            if !g.space.is_old() {
                errs.add(format!("dirty card {card} in a {:?} region", g.space));
                continue;
            }
            let hi = hi.min(g.top);
            if lo >= hi {
                continue;
            }
            let Some(mut obj) = bot.covering(card) else {
                errs.add(format!(
                    "dirty card {card} at {:#x}: no block-offset entry",
                    lo.0
                ));
                continue;
            };
            while obj < hi {
                let Some(size) = object::try_size(view, obj) else {
                    errs.add(format!(
                        "dirty card {card}: no valid header at {:#x} (word {:#x})",
                        obj.0,
                        view.load_u64(obj)
                    ));
                    break;
                };
                object::for_each_slot_in(view, obj, lo, hi, |s| {
                    let v = Ref(view.load_u32(s));
                    if !chk.valid(v) {
                        errs.add(format!(
                            "old object {:#x} ({}) slot {:#x} (dirty card): dangling reference {v:?} into {}",
                            obj.0,
                            class_name(view, obj),
                            s.0,
                            describe(regions, nursery, v.addr())
                        ));
                    }
                });
                obj = obj.offset(size as u64);
            }
        }
    }
    let mut i = 0;
    roots.visit_roots(&mut |slot| {
        if !chk.valid(*slot) {
            errs.add(format!(
                "root #{i}: dangling reference {:?} into {}",
                *slot,
                describe(regions, nursery, slot.addr())
            ));
        }
        i += 1;
    });
    for &a in &objects {
        chk.starts.clear_range(a, a.offset(8));
    }
    errs.finish()
}

/// Decides whether a reference names an object.
struct RefCheck<'v, 's, V> {
    view: &'v V,
    sp: Spaces<'s>,
    scope: Scope,
    /// The object starts found by the walk.
    starts: &'s mut MarkBitmap,
    known_old: Option<&'s mut MarkBitmap>,
    total: u64,
    old_base: Addr,
}

impl<V: HeapView> RefCheck<'_, '_, V> {
    fn valid(&mut self, v: Ref) -> bool {
        let a = v.addr();
        if v.is_null() {
            return true;
        }
        if a.0 >= self.total {
            return false;
        }
        if a < self.old_base || self.scope == Scope::Full {
            return self.starts.is_marked(a);
        }
        if let Some(k) = self.known_old.as_deref() {
            if k.is_marked(a) {
                return true;
            }
        }
        let ok = old_object_start(self.view, self.sp, a);
        if ok {
            if let Some(k) = self.known_old.as_deref_mut() {
                k.mark(a);
            }
        }
        ok
    }
}

/// Whether old-space address `a` is the start of an object (not a filler),
/// found by parsing `a`'s card from its block-offset entry.
fn old_object_start<V: HeapView>(view: &V, sp: Spaces<'_>, a: Addr) -> bool {
    let r = sp.regions.region_of(a);
    let base = sp.regions.base(r);
    let g = sp.regions.get(r);
    match g.space {
        Space::HumongousStart { .. } => a == base,
        Space::Old if a < g.top => {
            let Some(mut o) = sp.bot.covering(sp.bot.card_of(a)) else {
                return false;
            };
            if o < base {
                return false;
            }
            while o < a {
                match object::try_size(view, o) {
                    Some(size) => o = o.offset(size as u64),
                    None => return false,
                }
            }
            o == a && !object::header(view, a).is_filler()
        }
        _ => false,
    }
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
    /// Parses `[from, top)` object by object. Old regions (which have a
    /// block-offset table, and may hold fillers) pass `bot`: each card starting
    /// inside an object must name that object.
    fn walk<V: HeapView>(
        &mut self,
        view: &V,
        from: Addr,
        top: Addr,
        what: &str,
        bot: Option<&BlockOffsetTable>,
    ) {
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
            if let Some(bot) = bot {
                let mut c = a.0.div_ceil(CARD_BYTES) * CARD_BYTES;
                while c < a.0 + size as u64 {
                    let card = bot.card_of(Addr(c));
                    if bot.covering(card) != Some(a) {
                        self.errs.add(format!(
                            "{what}: block-offset entry of card {card} is {:?}, not the object at {:#x}",
                            bot.covering(card),
                            a.0
                        ));
                    }
                    c += CARD_BYTES;
                }
            }
            if h.is_filler() {
                if bot.is_none() {
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
