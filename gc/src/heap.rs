//! The heap as the VM sees it: allocation, field access, barriers and collection.
//!
//! This is the one narrow interface between the interpreter and the memory
//! system. The VM never computes a process pointer from a [`Ref`]; it asks the
//! heap to read or write a field at a byte offset.
//!
//! **GC safety rule for callers.** Any call that takes a `&mut dyn RootSet`
//! (allocation, explicit collection) may move objects. A caller must not hold a
//! `Ref` across such a call unless that `Ref` is reachable through the root set it
//! passed (the root set is updated in place); re-read refs from the roots after it.
//!
//! Behind it sits the generational, region-based collector of [`crate::plan`].
//! The hot paths (field access, the eden bump, the write barrier) are inlined
//! here and cost a few instructions each.

use crate::addr::{Addr, Ref};
use crate::backend::PageBackend;
use crate::classes::ClassTable;
use crate::collector::verify;
use crate::layout::{ClassId, ElemKind, Layout, ARRAY_DATA_OFFSET, ARRAY_LENGTH_OFFSET};
use crate::memory::PagedMemory;
use crate::object::Header;
use crate::plan::Generational;
pub use crate::stats::{CacheStats, GcStats, HeapStats, OffloadStats, Pause};

/// Which collector reclaims old space (`--gc`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GcMode {
    /// The memnodes mark concurrently and compact their own regions
    /// ([`crate::plan::offload`]); without memnodes the local collector runs.
    #[default]
    Offload,
    /// The VM marks and compacts old space itself, through its page cache.
    Local,
}

/// Heap sizes and debug switches.
#[derive(Clone, Debug)]
pub struct HeapConfig {
    /// Maximum heap size (`--heap`, `-Xmx`), nursery included.
    pub heap_bytes: usize,
    /// Nursery size (`--young`, `-Xmn`).
    pub young_bytes: usize,
    /// Region size (a power of two, at least 4096). Heaps too small to have 16
    /// old regions of this size get smaller regions (down to 64 KiB);
    /// [`Heap::config`] reports the size in effect.
    pub region_bytes: usize,
    /// Young collections an object survives before promotion.
    pub tenure_age: u8,
    /// `--verify-heap`: check the roots, the nursery and the dirty cards before
    /// every collection, and the whole heap after it. Under `stress`, the whole
    /// heap is checked after a collection only once the mutator has allocated a
    /// quarter of the heap in use since the last whole-heap check (and after
    /// each full collection): the next collection, one allocation away, checks
    /// the rest first.
    pub verify: bool,
    /// `--gc-stress`: collect at every allocation; every sixteenth collection
    /// at most is a full one, once the mutator has allocated a quarter of the
    /// old space since the last full collection (so full collections cost in
    /// proportion to allocation, not to allocations times the heap).
    pub stress: bool,
    /// `--gc-log`: one line per pause on stderr.
    pub log: bool,
    /// Entries of the full collection's mark stack before it overflows into
    /// region rescans ([`crate::collector::mark::MARK_STACK_MAX`]; tests use
    /// tiny stacks to exercise the overflow path).
    pub mark_stack_entries: usize,
    /// `--cache`: bytes of page-cache frames for old space when it lives on
    /// memnodes ([`Heap::with_backend`]); `None` = room for all of old space.
    /// Ignored without a backend (everything is local then).
    pub cache_bytes: Option<usize>,
    /// `--gc`: the old collector.
    pub gc: GcMode,
    /// `--gc-trigger`: an offloaded cycle starts after a young collection
    /// once old space holds this share of its limit.
    pub gc_trigger: f64,
    /// `--gc-evac-live`: old regions with less live data than this share of
    /// a region are evacuated by an offloaded cycle.
    pub gc_evac_live: f64,
}

impl Default for HeapConfig {
    fn default() -> Self {
        HeapConfig {
            heap_bytes: 256 << 20,
            young_bytes: 32 << 20,
            region_bytes: 1 << 20,
            tenure_age: 3,
            verify: false,
            stress: false,
            log: false,
            mark_stack_entries: crate::collector::mark::MARK_STACK_MAX,
            cache_bytes: None,
            gc: GcMode::Offload,
            gc_trigger: 0.45,
            gc_evac_live: 0.70,
        }
    }
}

/// Enumerates the mutator's precise roots. Each root is a slot the collector may
/// rewrite when it moves the object.
pub trait RootSet {
    fn visit_roots(&mut self, visit: &mut dyn FnMut(&mut Ref));
}

/// Allocation failed even after a full collection: `OutOfMemoryError: Java heap space`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfMemory;

/// A bad heap configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeapError(pub String);

/// A primitive that can be stored in a field or array element.
pub trait Prim: Copy {
    /// # Safety
    /// `p` must be valid for reads of `size_of::<Self>()` bytes and aligned for `Self`.
    unsafe fn load(p: *const u8) -> Self;
    /// # Safety
    /// `p` must be valid for writes of `size_of::<Self>()` bytes and aligned for `Self`.
    unsafe fn store(p: *mut u8, v: Self);
}

macro_rules! prim {
    ($($t:ty),*) => {$(
        impl Prim for $t {
            #[inline(always)]
            unsafe fn load(p: *const u8) -> Self {
                // SAFETY: the caller guarantees validity and alignment.
                unsafe { (p as *const $t).read() }
            }
            #[inline(always)]
            unsafe fn store(p: *mut u8, v: Self) {
                // SAFETY: the caller guarantees validity and alignment.
                unsafe { (p as *mut $t).write(v) }
            }
        }
    )*};
}
prim!(u8, i8, u16, i16, u32, i32, u64, i64, f32, f64);

/// The heap. Single-threaded: it is `Send` but not `Sync` (reads go through
/// the page cache, which updates itself behind `&self`).
pub struct Heap {
    mem: PagedMemory,
    classes: ClassTable,
    plan: Generational,
}

// A compile-time check that `Heap` is not `Sync`: if it were, the two impls
// would make `some_item` ambiguous.
trait AmbiguousIfSync<A> {
    fn some_item() {}
}
impl<T: ?Sized> AmbiguousIfSync<()> for T {}
impl<T: ?Sized + Sync> AmbiguousIfSync<u8> for T {}
const _: fn() = || {
    let _ = <Heap as AmbiguousIfSync<_>>::some_item;
};

impl Heap {
    /// A heap with everything in local memory (`--memnodes 0`).
    pub fn new(cfg: HeapConfig) -> Result<Heap, HeapError> {
        Heap::with_backend(cfg, None)
    }

    /// A heap whose old regions live on `backend`, behind a page cache of
    /// `cfg.cache_bytes`; `None` = everything local.
    pub fn with_backend(
        cfg: HeapConfig,
        backend: Option<Box<dyn PageBackend>>,
    ) -> Result<Heap, HeapError> {
        let (plan, mem) = Generational::new(&cfg, backend)?;
        Ok(Heap {
            mem,
            classes: ClassTable::default(),
            plan,
        })
    }

    /// Ends the session with the memnodes (they release this heap's regions).
    /// The heap must not be used afterwards, except for its statistics.
    pub fn finish(&mut self) {
        self.mem.finish();
    }

    /// Memory figures: mode, cache counters, fabric traffic, memnodes.
    pub fn heap_stats(&self) -> HeapStats {
        let backend = self.mem.has_backend();
        HeapStats {
            mode: if backend { "memnodes" } else { "local" },
            heap_bytes: self.plan.cfg.heap_bytes,
            cache_bytes: self.mem.cache_bytes(),
            memnodes: self.mem.memnodes(),
            cache: self.mem.stats(),
            fabric: self.mem.fabric(),
            nodes: self.mem.nodes(),
            overflow_regions: self.mem.overflow_regions(),
        }
    }

    /// The paged memory (tests and benchmarks).
    pub fn memory(&self) -> &PagedMemory {
        &self.mem
    }

    /// The configuration in effect (the region size may have been reduced).
    pub fn config(&self) -> &HeapConfig {
        &self.plan.cfg
    }

    /// Declares the layout of class `id`. Ids are dense and chosen by the program;
    /// a class must be defined before its first allocation.
    pub fn define_class(&mut self, id: ClassId, layout: Layout) {
        self.classes.define(id, layout);
        self.mem.layouts_changed();
    }

    pub fn layout(&self, id: ClassId) -> &Layout {
        self.classes
            .get(id)
            .expect("class used before define_class")
    }

    /// Allocates a zeroed instance of `cls`. May collect.
    pub fn alloc(&mut self, cls: ClassId, roots: &mut dyn RootSet) -> Result<Ref, OutOfMemory> {
        let size = self.layout(cls).object_size(0);
        let a = self.allocate(size, roots)?;
        self.mem.store_u64(a, Header::new(cls).0);
        Ok(Ref::from_addr(a))
    }

    /// Allocates a zeroed array (or string) of class `cls` with `len` elements. May collect.
    pub fn alloc_array(
        &mut self,
        cls: ClassId,
        len: u32,
        roots: &mut dyn RootSet,
    ) -> Result<Ref, OutOfMemory> {
        let size = self.layout(cls).object_size(len);
        let a = self.allocate(size, roots)?;
        self.mem.store_u64(a, Header::new(cls).0);
        self.mem
            .store_u32(a.offset(ARRAY_LENGTH_OFFSET as u64), len);
        Ok(Ref::from_addr(a))
    }

    /// The eden bump, else the collector's slow path. The bytes are zeroed.
    #[inline(always)]
    fn allocate(&mut self, size: usize, roots: &mut dyn RootSet) -> Result<Addr, OutOfMemory> {
        if size <= self.plan.large_threshold && !self.plan.cfg.stress {
            if let Some(a) = self.plan.nursery.alloc(size) {
                self.mem.zero(a, size);
                self.plan.stats.bytes_allocated += size as u64;
                return Ok(a);
            }
        }
        self.plan
            .alloc_slow(&mut self.mem, &self.classes, size, roots)
    }

    /// Collects now (`System.gc()`): a full collection when `full`, else a young one.
    pub fn collect(&mut self, full: bool, roots: &mut dyn RootSet) {
        self.plan.collect(full, &mut self.mem, &self.classes, roots);
    }

    /// Starts an offloaded old-collection cycle now (its initial-mark pause):
    /// `false` if the offloaded collector is not available (`--gc local`, no
    /// memnodes, or they cannot) or a cycle already runs.
    pub fn start_old_cycle(&mut self, roots: &mut dyn RootSet) -> bool {
        self.plan
            .start_old_cycle(&mut self.mem, &self.classes, roots)
    }

    /// Finishes the running offloaded cycle now: remark (waiting for the
    /// memnodes to finish marking) and evacuation. Does nothing without one.
    pub fn finish_old_cycle(&mut self, roots: &mut dyn RootSet) {
        self.plan
            .finish_old_cycle(&mut self.mem, &self.classes, roots);
    }

    /// Whether an offloaded cycle is running (marking or waiting for remark).
    pub fn old_cycle_active(&self) -> bool {
        self.plan.old_cycle_active()
    }

    pub fn stats(&self) -> &GcStats {
        &self.plan.stats
    }

    /// Bytes in use now (for `--gc-log` and `Runtime` queries).
    pub fn used_bytes(&self) -> usize {
        self.plan.used_bytes()
    }

    /// Checks the whole heap now (as `--verify-heap` does after each collection).
    pub fn verify(&mut self, roots: &mut dyn RootSet) -> Result<(), String> {
        self.mem.set_gc(true);
        let view = crate::view::LocalView {
            mem: &mut self.mem,
            classes: &self.classes,
        };
        let p = &mut self.plan;
        let sp = crate::collector::verify::Spaces {
            regions: &p.regions,
            nursery: &p.nursery,
            cards: &p.cards,
            bot: &p.bot,
        };
        let res = crate::collector::verify::verify(
            &view,
            sp,
            verify::Scope::Full,
            &mut p.marks,
            None,
            roots,
        );
        self.mem.set_gc(false);
        res
    }

    #[inline(always)]
    pub fn class_of(&self, r: Ref) -> ClassId {
        ClassId(self.read::<u32>(r, 0))
    }

    #[inline(always)]
    pub fn array_len(&self, r: Ref) -> u32 {
        self.read::<u32>(r, ARRAY_LENGTH_OFFSET)
    }

    /// Reads a primitive at byte offset `off` of object `r`.
    #[inline(always)]
    pub fn read<T: Prim>(&self, r: Ref, off: u32) -> T {
        let a = r.addr().0 as usize + off as usize;
        let p = self.mem.rptr(a, std::mem::size_of::<T>());
        // SAFETY: `rptr` returned the local address of a resident page (it
        // panics outside the heap); objects are 8-aligned and fields naturally
        // aligned (layout.rs), so `p` is aligned for `T` and the field lies in
        // that page. Nothing runs between the translation and the access.
        unsafe { T::load(p) }
    }

    /// Writes a primitive at byte offset `off` of object `r`.
    #[inline(always)]
    pub fn write<T: Prim>(&mut self, r: Ref, off: u32, v: T) {
        let a = r.addr().0 as usize + off as usize;
        let p = self.mem.wptr(a, std::mem::size_of::<T>());
        // SAFETY: as in `read` (`wptr` maps the page writable and dirty);
        // `&mut self` gives exclusive access.
        unsafe { T::store(p, v) }
    }

    #[inline(always)]
    pub fn read_ref(&self, r: Ref, off: u32) -> Ref {
        Ref(self.read::<u32>(r, off))
    }

    /// Stores a reference, with the generational write barrier (an old slot
    /// that now points into the nursery dirties its card) and, while an
    /// offloaded marking runs, the SATB barrier (the overwritten old
    /// reference is logged).
    #[inline(always)]
    pub fn write_ref(&mut self, obj: Ref, off: u32, v: Ref) {
        if self.plan.satb_active {
            self.satb_log(obj, off, 1);
        }
        self.write::<u32>(obj, off, v.0);
        let slot = obj.addr().offset(off as u64);
        if !self.plan.is_young(obj) && self.plan.is_young(v) {
            self.plan.remember(slot);
        }
    }

    /// The SATB barrier's slow half: logs the old references in the `n` slots
    /// at `off` of `obj` if `obj` is an old object.
    #[cold]
    #[inline(never)]
    fn satb_log(&mut self, obj: Ref, off: u32, n: u32) {
        if obj.is_null() || self.plan.is_young(obj) {
            return;
        }
        for i in 0..n {
            let prev = self.read_ref(obj, off + 4 * i);
            if prev.0 >= self.plan.young_refs {
                self.plan.satb_push(&mut self.mem, prev);
            }
        }
    }

    /// Byte offset of element `i` of an array of `elem`.
    #[inline(always)]
    pub fn elem_offset(elem: ElemKind, i: u32) -> u32 {
        ARRAY_DATA_OFFSET + elem.bytes() * i
    }

    /// Copies `out.len()` elements starting at element `start` out of array `r`.
    pub fn read_elems<T: Prim>(&self, r: Ref, start: u32, out: &mut [T]) {
        let sz = std::mem::size_of::<T>();
        let a = r.addr().0 as usize + ARRAY_DATA_OFFSET as usize + start as usize * sz;
        let n = std::mem::size_of_val(out);
        // SAFETY: `Prim` types are plain bytes with no invalid bit patterns, so
        // `out` may be viewed (and filled) as `n` bytes.
        let bytes = unsafe { std::slice::from_raw_parts_mut(out.as_mut_ptr() as *mut u8, n) };
        self.mem.read_bytes(a, bytes);
    }

    /// Copies `src` into array `r` starting at element `start` (primitive
    /// arrays; for a reference array the generational card is not dirtied,
    /// so only old refs may be stored this way).
    pub fn write_elems<T: Prim>(&mut self, r: Ref, start: u32, src: &[T]) {
        let sz = std::mem::size_of::<T>();
        if self.plan.satb_active
            && sz == 4
            && matches!(
                self.classes.get(self.class_of(r)),
                Some(Layout::Array {
                    elem: ElemKind::Ref
                })
            )
        {
            let off = ARRAY_DATA_OFFSET + start * 4;
            self.satb_log(r, off, src.len() as u32);
        }
        let a = r.addr().0 as usize + ARRAY_DATA_OFFSET as usize + start as usize * sz;
        let n = std::mem::size_of_val(src);
        // SAFETY: `Prim` types are plain bytes: `src` may be viewed as `n` bytes.
        let bytes = unsafe { std::slice::from_raw_parts(src.as_ptr() as *const u8, n) };
        self.mem.write_bytes(a, bytes);
    }
}
