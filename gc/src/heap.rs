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
//! PLACEHOLDER: the body below is a non-collecting bump allocator over one local
//! buffer, so the VM can be developed against the real API. The generational
//! collector replaces it; the public signatures are the contract.

use crate::addr::{Addr, Ref};
use crate::layout::{ClassId, ElemKind, Layout, ARRAY_DATA_OFFSET, ARRAY_LENGTH_OFFSET};

/// Heap sizes and debug switches.
#[derive(Clone, Debug)]
pub struct HeapConfig {
    /// Maximum heap size (`--heap`, `-Xmx`), nursery included.
    pub heap_bytes: usize,
    /// Nursery size (`--young`, `-Xmn`).
    pub young_bytes: usize,
    /// Region size (a power of two).
    pub region_bytes: usize,
    /// Young collections an object survives before promotion.
    pub tenure_age: u8,
    /// `--verify-heap`: check the whole heap after every collection.
    pub verify: bool,
    /// `--gc-stress`: collect as often as possible.
    pub stress: bool,
    /// `--gc-log`: one line per pause on stderr.
    pub log: bool,
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

/// One stop-the-world pause.
#[derive(Clone, Debug, PartialEq)]
pub struct Pause {
    /// `"young"`, `"full"`, ...
    pub kind: &'static str,
    pub heap_before: usize,
    pub heap_after: usize,
    pub millis: f64,
}

/// Counters for `--stats` and `--stats-json`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GcStats {
    pub pauses: Vec<Pause>,
    pub bytes_allocated: u64,
    pub bytes_promoted: u64,
}

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

pub struct Heap {
    cfg: HeapConfig,
    /// The backing store, as u64 so that every object is 8-aligned.
    mem: Vec<u64>,
    top: usize,
    layouts: Vec<Option<Layout>>,
    stats: GcStats,
}

impl Heap {
    pub fn new(cfg: HeapConfig) -> Result<Heap, HeapError> {
        if cfg.heap_bytes < 1 << 20 || cfg.young_bytes >= cfg.heap_bytes {
            return Err(HeapError(format!(
                "heap of {} bytes with a {}-byte nursery is too small",
                cfg.heap_bytes, cfg.young_bytes
            )));
        }
        Ok(Heap {
            mem: vec![0u64; cfg.heap_bytes / 8],
            top: 8, // address 0 is null
            layouts: Vec::new(),
            stats: GcStats::default(),
            cfg,
        })
    }

    pub fn config(&self) -> &HeapConfig {
        &self.cfg
    }

    /// Declares the layout of class `id`. Ids are dense and chosen by the program;
    /// a class must be defined before its first allocation.
    pub fn define_class(&mut self, id: ClassId, layout: Layout) {
        let i = id.0 as usize;
        if self.layouts.len() <= i {
            self.layouts.resize(i + 1, None);
        }
        self.layouts[i] = Some(layout);
    }

    pub fn layout(&self, id: ClassId) -> &Layout {
        self.layouts[id.0 as usize]
            .as_ref()
            .expect("class used before define_class")
    }

    /// Allocates a zeroed instance of `cls`. May collect.
    pub fn alloc(&mut self, cls: ClassId, roots: &mut dyn RootSet) -> Result<Ref, OutOfMemory> {
        let size = self.layout(cls).object_size(0);
        let r = self.bump(size, roots)?;
        self.init_header(r, cls);
        Ok(r)
    }

    /// Allocates a zeroed array (or string) of class `cls` with `len` elements. May collect.
    pub fn alloc_array(
        &mut self,
        cls: ClassId,
        len: u32,
        roots: &mut dyn RootSet,
    ) -> Result<Ref, OutOfMemory> {
        let size = self.layout(cls).object_size(len);
        let r = self.bump(size, roots)?;
        self.init_header(r, cls);
        self.write::<u32>(r, ARRAY_LENGTH_OFFSET, len);
        Ok(r)
    }

    /// Collects now (`System.gc()`): a full collection when `full`, else a young one.
    pub fn collect(&mut self, _full: bool, _roots: &mut dyn RootSet) {}

    pub fn stats(&self) -> &GcStats {
        &self.stats
    }

    /// Bytes in use now (for `--gc-log` and `Runtime` queries).
    pub fn used_bytes(&self) -> usize {
        self.top
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
        assert!(a + std::mem::size_of::<T>() <= self.top);
        // SAFETY: the assert keeps the access inside `mem`; objects are 8-aligned
        // and fields naturally aligned (layout.rs), so `a` is aligned for `T`.
        unsafe { T::load((self.mem.as_ptr() as *const u8).add(a)) }
    }

    /// Writes a primitive at byte offset `off` of object `r`.
    #[inline(always)]
    pub fn write<T: Prim>(&mut self, r: Ref, off: u32, v: T) {
        let a = r.addr().0 as usize + off as usize;
        assert!(a + std::mem::size_of::<T>() <= self.top);
        // SAFETY: as in `read`.
        unsafe { T::store((self.mem.as_mut_ptr() as *mut u8).add(a), v) }
    }

    #[inline(always)]
    pub fn read_ref(&self, r: Ref, off: u32) -> Ref {
        Ref(self.read::<u32>(r, off))
    }

    /// Stores a reference, with the write barrier.
    #[inline(always)]
    pub fn write_ref(&mut self, obj: Ref, off: u32, v: Ref) {
        self.write::<u32>(obj, off, v.0);
    }

    /// Byte offset of element `i` of an array of `elem`.
    #[inline(always)]
    pub fn elem_offset(elem: ElemKind, i: u32) -> u32 {
        ARRAY_DATA_OFFSET + elem.bytes() * i
    }

    /// Copies `out.len()` elements starting at element `start` out of array `r`.
    pub fn read_elems<T: Prim>(&self, r: Ref, start: u32, out: &mut [T]) {
        let sz = std::mem::size_of::<T>() as u32;
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.read::<T>(r, ARRAY_DATA_OFFSET + (start + i as u32) * sz);
        }
    }

    /// Copies `src` into array `r` starting at element `start` (primitive arrays only).
    pub fn write_elems<T: Prim>(&mut self, r: Ref, start: u32, src: &[T]) {
        let sz = std::mem::size_of::<T>() as u32;
        for (i, v) in src.iter().enumerate() {
            self.write::<T>(r, ARRAY_DATA_OFFSET + (start + i as u32) * sz, *v);
        }
    }

    fn init_header(&mut self, r: Ref, cls: ClassId) {
        self.write::<u64>(r, 0, cls.0 as u64);
    }

    fn bump(&mut self, size: usize, _roots: &mut dyn RootSet) -> Result<Ref, OutOfMemory> {
        let end = self.top + size;
        if end > self.mem.len() * 8 {
            return Err(OutOfMemory);
        }
        let r = Ref::from_addr(Addr(self.top as u64));
        self.top = end;
        self.stats.bytes_allocated += size as u64;
        Ok(r)
    }
}
