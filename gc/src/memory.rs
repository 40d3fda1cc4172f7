//! Where heap bytes live: a paged memory with a software page table and a
//! bounded cache of old-space pages (DESIGN.md §4-5).
//!
//! The universal address space is cut into 4 KiB pages. Two tables hold one
//! entry per page: `rtable[p]` is the local base of page `p` if it may be read
//! now, `wtable[p]` if it may be written now (resident, mapped and already
//! dirty); otherwise the entry is null. The hit path of an access is therefore
//! *load entry, null test, add* ([`PagedMemory::rptr`], [`PagedMemory::wptr`]);
//! everything else happens in the cold fault path. No field straddles a page
//! (fields are naturally aligned, layout.rs), so one translation serves one
//! access; ranges (copies, zeroing, array bulk access) go page by page.
//!
//! - **Nursery**: one local allocation, its entries pre-filled in both tables;
//!   never evicted, never sent anywhere.
//! - **No backend** (`--memnodes 0`): the whole space is one lazily zeroed local
//!   reservation with every entry pre-filled: the same code path, no faults.
//! - **With a backend**: a fixed pool of `cache_bytes / 4096` frames, allocated
//!   once. CLOCK over the frames: the reference bit is "mapped". The hand
//!   soft-unmaps a mapped frame (nulls its entries, the frame stays resident);
//!   a later access re-maps it without fabric traffic (a *minor fault*); a frame
//!   the hand finds unmapped is evicted, written back first if dirty. Write-back
//!   is batched: a dirty victim takes up to [`WRITEBACK_BATCH`] other unmapped
//!   dirty frames into the same exchange (they stay resident, clean).
//! - A page of an old region that was never written back since the region was
//!   acquired is created locally, zeroed, and never fetched ("exists remotely"
//!   is tracked per page). A page about to be overwritten whole is not fetched
//!   either.
//! - Read-ahead, for sequential misses only: a fetching miss on the page right
//!   after the previous fetch (or its read-ahead window) doubles the window, up
//!   to `readahead` pages; any other miss resets it to none, so random access
//!   (pointer chasing) fetches one page per miss. The window's pages are the
//!   following non-resident pages of the same region that exist remotely (so
//!   below its allocation top), fetched in the same exchange as the write-backs. They are
//!   inserted unmapped: the first access is a minor fault, and an unused one is
//!   the first the hand evicts.
//! - Region release drops the region's frames without write-back; releases are
//!   sent to the backend in batches (before the next acquire, at the end of a
//!   collection).
//! - A backend that is out of capacity refuses a region to the mutator (the
//!   plan then collects, then throws `OutOfMemoryError`). During a collection,
//!   which cannot stop half-way, the region is kept *local* (an overflow
//!   region, pre-mapped like the nursery) and the plan counts the heap as over
//!   its limit until a full collection empties the overflow regions.
//! - Any [`BackendError`] is fatal: [`crate::fatal::fatal`].
//!
//! Accesses take `&self` for reads (the VM reads fields through `&Heap`), so the
//! cache state lives in an [`UnsafeCell`]; [`PagedMemory`] is `!Sync`, and no
//! borrow of that state outlives a call into this module.

use std::alloc::{alloc_zeroed, dealloc, Layout as AllocLayout};
use std::cell::{Cell, UnsafeCell};
use std::collections::HashMap;
use std::ptr::{self, NonNull};

use crate::addr::{Addr, RegionId};
use crate::backend::{AcquireError, FabricTotals, MemnodeInfo, PageAddr, PageBackend};
use crate::fatal::fatal;

pub const LOG_PAGE: u32 = 12;
/// Bytes per page (and per cache frame).
pub const PAGE: usize = 1 << LOG_PAGE;
/// The cache never has fewer frames than this.
pub const MIN_FRAMES: usize = 4;
/// Read-ahead depth: at most this many pages after a fetched one...
pub const READAHEAD_MAX: usize = 8;
/// ...and at most `1/READAHEAD_SHARE` of the frames.
pub const READAHEAD_SHARE: usize = 8;
/// Dirty pages written back in one exchange, at most.
pub const WRITEBACK_BATCH: usize = 16;

const NONE: u32 = u32::MAX;
/// Frame flags.
const MAPPED: u8 = 1;
const DIRTY: u8 = 2;
/// Written back clean by [`PagedMemory::flush_dirty`] and not dirtied since:
/// evicting it costs no write-back, which the flush paid in advance.
const FLUSHED: u8 = 8;
/// Taken by the fault in progress: the hand skips it.
const BUSY: u8 = 4;
/// Dirty at an offloaded cycle's initial mark and not written back since:
/// the memnodes' marking waits for it (cleared by any write-back).
const PENDING: u8 = 16;

/// Page-cache counters (`--stats`). All but `hits` are about old-space pages
/// with a backend; without one every access is a hit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Accesses to old-space pages served by the hit path (the page-table
    /// entry was set). Counted exactly, per translation: a field access is one,
    /// a copy or bulk array access one per page it touches.
    pub hits: u64,
    /// Accesses whose page was not resident (fetched, or created locally).
    pub misses: u64,
    /// Accesses whose page was resident but not mapped for them (soft-unmapped
    /// by the CLOCK hand, or a first write to a clean page): re-mapped without
    /// fabric traffic.
    pub minor_faults: u64,
    /// Misses on pages that never existed remotely: created locally, zeroed
    /// (or about to be overwritten whole), not fetched.
    pub fresh_pages: u64,
    /// Resident pages dropped to make room (released regions not counted).
    pub evictions: u64,
    /// Exchanges that carried write-backs.
    pub writebacks: u64,
    /// Pages read from the backend (read-ahead included).
    pub pages_fetched: u64,
    /// Pages written to the backend.
    pub pages_written_back: u64,
    /// Pages fetched by read-ahead (not by the access that missed).
    pub readahead_pages: u64,
    /// Pages written back by [`PagedMemory::flush_dirty`] (the offloaded
    /// collector's pauses), included in `pages_written_back`.
    pub pages_flushed: u64,
    /// Flushed pages later evicted without having been dirtied again: each
    /// flush took the place of the write-back that eviction would have made.
    pub flush_writebacks_saved: u64,
    /// Flushed pages dirtied again (their next write-back is extra).
    pub flush_redirtied: u64,
    /// Flushed pages dropped unwritten (a memnode changed them, or their
    /// region was released).
    pub flush_dropped: u64,
}

/// A zeroed, lazily committed local allocation (`calloc`-style: untouched pages
/// cost no resident memory).
struct Block {
    ptr: NonNull<u8>,
    size: usize,
}

/// 16 keeps `alloc_zeroed` on the `calloc` path, which maps fresh zero pages
/// lazily; a larger alignment makes the system allocator zero eagerly.
const ALIGN: usize = 16;

impl Block {
    fn new(size: usize) -> Option<Block> {
        let layout = AllocLayout::from_size_align(size.max(PAGE), ALIGN).ok()?;
        // SAFETY: `layout` has a non-zero size.
        let p = unsafe { alloc_zeroed(layout) };
        Some(Block {
            ptr: NonNull::new(p)?,
            size: layout.size(),
        })
    }

    fn ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with exactly this size and alignment.
        unsafe {
            dealloc(
                self.ptr.as_ptr(),
                AllocLayout::from_size_align_unchecked(self.size, ALIGN),
            )
        }
    }
}

/// One page table: a heap array of entries owned through a raw pointer (so
/// that moving its owner never invalidates the copies of the pointer).
struct Table {
    ptr: *mut *mut u8,
    len: usize,
}

impl Table {
    fn new(len: usize) -> Table {
        let b: Box<[*mut u8]> = vec![ptr::null_mut(); len].into_boxed_slice();
        Table {
            ptr: Box::into_raw(b) as *mut *mut u8,
            len,
        }
    }

    #[inline(always)]
    fn set(&self, p: usize, e: *mut u8) {
        assert!(p < self.len);
        // SAFETY: `p` is in bounds; the table is only accessed through raw
        // pointers by this single-threaded module.
        unsafe { *self.ptr.add(p) = e }
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from `Box::into_raw` of a slice of `len` entries.
        unsafe {
            drop(Box::from_raw(ptr::slice_from_raw_parts_mut(
                self.ptr, self.len,
            )))
        }
    }
}

/// Everything but the hot path: frames, the backend, counters.
struct Cache {
    rtab: Table,
    wtab: Table,
    log_region: u32,
    /// First old-space page.
    old_page: usize,
    /// Without a backend: the whole space. With one: the nursery.
    /// Owns the memory the pre-filled entries point into.
    _local: Block,
    backend: Option<Box<dyn PageBackend>>,
    /// The frame pool (backend only).
    frames: Option<Block>,
    nframes: usize,
    frame_page: Vec<u32>,
    frame_flags: Vec<u8>,
    /// Per page: its frame or NONE (backend only).
    page_frame: Vec<u32>,
    /// Per page: a copy exists on the backend (written back since the region
    /// was acquired).
    page_remote: Vec<bool>,
    free: Vec<u32>,
    hand: usize,
    readahead: usize,
    /// The page right after the last fetch and its read-ahead: a miss there is
    /// sequential.
    ra_next: usize,
    /// Read-ahead pages of the next sequential miss.
    ra_window: usize,
    /// A collection is running: traffic counts as GC traffic.
    gc: bool,
    pending_release: Vec<RegionId>,
    /// Regions kept local because the backend was full during a collection.
    overflow: HashMap<u32, Block>,
    stats: CacheStats,
    buf: Vec<u8>,
    layouts_stale: bool,
    finished: bool,
}

/// What an access will do with its page.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
    /// The whole page is about to be overwritten: no need to fetch it.
    Overwrite,
}

/// The heap's memory: page tables, nursery, frame cache and backend.
pub struct PagedMemory {
    /// Copies of `st.rtab.ptr` / `st.wtab.ptr` for the hit path.
    rtable: *mut *mut u8,
    wtable: *mut *mut u8,
    npages: usize,
    old_page: usize,
    hits: Cell<u64>,
    st: UnsafeCell<Cache>,
}

// SAFETY: PagedMemory owns its tables, blocks and backend (which is `Send`)
// exclusively; the raw pointers point only into memory it owns. It is not
// `Sync` (the `Cell`/`UnsafeCell`), so it is used by one thread at a time.
unsafe impl Send for PagedMemory {}

impl PagedMemory {
    /// Memory for a space of `total_bytes` (a multiple of the region size),
    /// whose first `nursery_bytes` are the nursery. Without `backend`
    /// everything is local; with one, old space is cached in
    /// `cache_bytes` of frames (`None`: enough for the whole old space).
    pub fn new(
        total_bytes: usize,
        log_region: u32,
        nursery_bytes: usize,
        backend: Option<Box<dyn PageBackend>>,
        cache_bytes: Option<usize>,
    ) -> Result<PagedMemory, String> {
        let npages = total_bytes.div_ceil(PAGE);
        let old_page = nursery_bytes / PAGE;
        let local_bytes = if backend.is_some() {
            nursery_bytes
        } else {
            total_bytes
        };
        let cannot = |n: usize| format!("cannot reserve {n} bytes of heap");
        let local = Block::new(local_bytes).ok_or_else(|| cannot(local_bytes))?;
        let (rtab, wtab) = (Table::new(npages), Table::new(npages));
        let mapped = if backend.is_some() { old_page } else { npages };
        for p in 0..mapped {
            // SAFETY: `p * PAGE < local_bytes`: the local block covers it.
            let e = unsafe { local.ptr().add(p * PAGE) };
            rtab.set(p, e);
            wtab.set(p, e);
        }
        let (mut frames, mut nframes) = (None, 0);
        let (mut page_frame, mut page_remote) = (Vec::new(), Vec::new());
        if backend.is_some() {
            let old_pages = npages - old_page;
            nframes = (cache_bytes.unwrap_or(old_pages * PAGE) / PAGE)
                .clamp(MIN_FRAMES, old_pages.max(MIN_FRAMES));
            frames = Some(Block::new(nframes * PAGE).ok_or_else(|| cannot(nframes * PAGE))?);
            page_frame = vec![NONE; npages];
            page_remote = vec![false; npages];
        }
        let st = Cache {
            log_region,
            old_page,
            _local: local,
            backend,
            frames,
            nframes,
            frame_page: vec![NONE; nframes],
            frame_flags: vec![0; nframes],
            page_frame,
            page_remote,
            free: (0..nframes as u32).rev().collect(),
            hand: 0,
            readahead: READAHEAD_MAX.min(nframes / READAHEAD_SHARE),
            ra_next: usize::MAX,
            ra_window: 0,
            gc: false,
            pending_release: Vec::new(),
            overflow: HashMap::new(),
            stats: CacheStats::default(),
            buf: Vec::new(),
            layouts_stale: true,
            finished: false,
            rtab,
            wtab,
        };
        Ok(PagedMemory {
            rtable: st.rtab.ptr,
            wtable: st.wtab.ptr,
            npages,
            old_page,
            hits: Cell::new(0),
            st: UnsafeCell::new(st),
        })
    }

    /// The cache state, for the cold paths.
    #[allow(clippy::mut_from_ref)]
    #[inline(always)]
    fn cache(&self) -> &mut Cache {
        // SAFETY: PagedMemory is !Sync, so only this thread is here. Every
        // borrow made by this function is confined to one call of a cold path
        // of this module, which never calls back into another one, so no two
        // such borrows are ever live at once. The hot path touches only the
        // tables (through raw pointers) and `hits` (a Cell), never the Cache.
        unsafe { &mut *self.st.get() }
    }

    /// Bytes of the whole address space.
    pub fn len(&self) -> usize {
        self.npages * PAGE
    }

    pub fn is_empty(&self) -> bool {
        self.npages == 0
    }

    /// Whether old space lives on a backend (behind the cache).
    pub fn has_backend(&self) -> bool {
        self.cache().backend.is_some()
    }

    /// Bytes of cache frames (0 without a backend).
    pub fn cache_bytes(&self) -> usize {
        self.cache().nframes * PAGE
    }

    /// Memnodes behind the backend (0 without one).
    pub fn memnodes(&self) -> usize {
        self.cache().backend.as_ref().map_or(0, |b| b.memnodes())
    }

    /// The local address to read `size` bytes (at most 8, naturally aligned)
    /// at heap address `a`: the hit path, else the fault path.
    ///
    /// # Panics
    /// If `a` is outside the address space (a corrupt reference).
    #[inline(always)]
    pub fn rptr(&self, a: usize, size: usize) -> *mut u8 {
        debug_assert!(
            size <= 8 && a.is_multiple_of(size.max(1)),
            "unaligned access at {a:#x}"
        );
        let p = a >> LOG_PAGE;
        if p < self.npages {
            // SAFETY: `p` is below the table length `npages`.
            let e = unsafe { *self.rtable.add(p) };
            if !e.is_null() {
                self.hits
                    .set(self.hits.get() + u64::from(p >= self.old_page));
                // SAFETY: `e` is the base of a resident page of PAGE bytes and
                // `a & (PAGE - 1) < PAGE`; aligned accesses of at most 8 bytes
                // do not cross the page end.
                return unsafe { e.add(a & (PAGE - 1)) };
            }
        }
        self.fault(a, Access::Read)
    }

    /// As [`PagedMemory::rptr`], for a write (the page becomes dirty).
    #[inline(always)]
    pub fn wptr(&self, a: usize, size: usize) -> *mut u8 {
        debug_assert!(
            size <= 8 && a.is_multiple_of(size.max(1)),
            "unaligned access at {a:#x}"
        );
        let p = a >> LOG_PAGE;
        if p < self.npages {
            // SAFETY: `p` is below the table length `npages`.
            let e = unsafe { *self.wtable.add(p) };
            if !e.is_null() {
                self.hits
                    .set(self.hits.get() + u64::from(p >= self.old_page));
                // SAFETY: as in `rptr`.
                return unsafe { e.add(a & (PAGE - 1)) };
            }
        }
        self.fault(a, Access::Write)
    }

    /// Translation of the start of a chunk that stays inside one page.
    #[inline]
    fn chunk_ptr(&self, a: usize, acc: Access) -> *mut u8 {
        let p = a >> LOG_PAGE;
        if p < self.npages {
            let t = if acc == Access::Read {
                self.rtable
            } else {
                self.wtable
            };
            // SAFETY: `p` is below the table length.
            let e = unsafe { *t.add(p) };
            if !e.is_null() {
                self.hits
                    .set(self.hits.get() + u64::from(p >= self.old_page));
                // SAFETY: in the page, as in `rptr`.
                return unsafe { e.add(a & (PAGE - 1)) };
            }
        }
        self.fault(a, acc)
    }

    #[cold]
    #[inline(never)]
    fn fault(&self, a: usize, acc: Access) -> *mut u8 {
        let p = a >> LOG_PAGE;
        assert!(p < self.npages, "heap access out of bounds at {a:#x}");
        let base = self.cache().page_in(p, acc);
        // SAFETY: `base` is the start of a PAGE-byte resident page.
        unsafe { base.add(a & (PAGE - 1)) }
    }

    #[inline(always)]
    pub fn load_u32(&self, a: Addr) -> u32 {
        // SAFETY: `rptr` returns a valid pointer for 4 bytes; u32 fields are
        // 4-aligned in the heap and pages/frames are page-aligned.
        unsafe { (self.rptr(a.0 as usize, 4) as *const u32).read() }
    }

    #[inline(always)]
    pub fn load_u64(&self, a: Addr) -> u64 {
        // SAFETY: as in `load_u32`; 8-byte fields and headers are 8-aligned.
        unsafe { (self.rptr(a.0 as usize, 8) as *const u64).read() }
    }

    #[inline(always)]
    pub fn store_u32(&mut self, a: Addr, v: u32) {
        // SAFETY: as in `load_u32`; `&mut self` gives exclusive access.
        unsafe { (self.wptr(a.0 as usize, 4) as *mut u32).write(v) }
    }

    #[inline(always)]
    pub fn store_u64(&mut self, a: Addr, v: u64) {
        // SAFETY: as in `load_u64`.
        unsafe { (self.wptr(a.0 as usize, 8) as *mut u64).write(v) }
    }

    /// Calls `f(heap_addr, chunk_len)` for the page-bounded chunks of
    /// `[a, a + n)`.
    #[inline]
    fn chunks(a: usize, n: usize, mut f: impl FnMut(usize, usize)) {
        let mut cur = a;
        let end = a + n;
        while cur < end {
            let len = (PAGE - (cur & (PAGE - 1))).min(end - cur);
            f(cur, len);
            cur += len;
        }
    }

    /// Copies `out.len()` heap bytes at `a` into `out`.
    pub fn read_bytes(&self, a: usize, out: &mut [u8]) {
        let mut done = 0;
        Self::chunks(a, out.len(), |c, len| {
            let p = self.chunk_ptr(c, Access::Read);
            // SAFETY: `p` is valid for `len` bytes (the chunk stays in its
            // page); `out` is a distinct Rust allocation.
            unsafe { ptr::copy_nonoverlapping(p, out.as_mut_ptr().add(done), len) };
            done += len;
        });
    }

    /// Copies `src` into the heap at `a`.
    pub fn write_bytes(&mut self, a: usize, src: &[u8]) {
        let mut done = 0;
        Self::chunks(a, src.len(), |c, len| {
            let acc = if len == PAGE {
                Access::Overwrite
            } else {
                Access::Write
            };
            let p = self.chunk_ptr(c, acc);
            // SAFETY: as in `read_bytes`.
            unsafe { ptr::copy_nonoverlapping(src.as_ptr().add(done), p, len) };
            done += len;
        });
    }

    /// Copies `n` bytes from `from` to `to` (the ranges do not overlap).
    pub fn copy(&mut self, from: Addr, to: Addr, n: usize) {
        debug_assert!(from.0 + n as u64 <= to.0 || to.0 + n as u64 <= from.0);
        let (mut s, mut d, end) = (from.0 as usize, to.0 as usize, from.0 as usize + n);
        let mut bounce = [0u8; PAGE];
        while s < end {
            let len = (PAGE - (s & (PAGE - 1)))
                .min(PAGE - (d & (PAGE - 1)))
                .min(end - s);
            // Through a bounce buffer: mapping the destination may evict the
            // source's frame.
            self.read_bytes(s, &mut bounce[..len]);
            self.write_bytes(d, &bounce[..len]);
            s += len;
            d += len;
        }
    }

    /// Zeroes `n` bytes at `a`.
    pub fn zero(&mut self, a: Addr, n: usize) {
        Self::chunks(a.0 as usize, n, |c, len| {
            let acc = if len == PAGE {
                Access::Overwrite
            } else {
                Access::Write
            };
            let p = self.chunk_ptr(c, acc);
            // SAFETY: `p` is valid for `len` bytes (one page's chunk).
            unsafe { ptr::write_bytes(p, 0, len) };
        });
    }

    /// Region `r` becomes an old region. `false` if the backend is out of
    /// capacity and no collection is running (the caller gives the region
    /// back). A backend failure is fatal.
    pub fn acquire_region(&mut self, r: RegionId) -> bool {
        self.cache().acquire(r)
    }

    /// Region `r` becomes an old region on memnode `node`. `false` if that
    /// memnode is out of capacity (even during a collection: no overflow
    /// region is made). A backend failure is fatal.
    pub fn acquire_region_on(&mut self, r: RegionId, node: usize) -> bool {
        self.cache().acquire_on(r, Some(node))
    }

    /// The memnode holding region `r` (`None` without a backend, or for an
    /// overflow region).
    pub fn home_of(&self, r: RegionId) -> Option<usize> {
        let c = self.cache();
        if c.overflow.contains_key(&r.0) {
            return None;
        }
        c.backend.as_ref().and_then(|b| b.home_of(r))
    }

    /// Whether the backend can run the offloaded old collector.
    pub fn supports_offload(&self) -> bool {
        self.cache()
            .backend
            .as_ref()
            .is_some_and(|b| b.supports_offload())
    }

    /// The backend, for the offloaded collector's control messages.
    pub fn backend_mut(&mut self) -> Option<&mut (dyn PageBackend + 'static)> {
        self.cache().backend.as_deref_mut()
    }

    /// The first `used` bytes of region `r` were written on its memnode (an
    /// evacuation destination): its pages there are fetched, never created
    /// zeroed locally.
    pub fn adopt_region(&mut self, r: RegionId, used: u32) {
        let c = self.cache();
        if c.backend.is_none() || c.overflow.contains_key(&r.0) {
            return;
        }
        let pages = (used as usize).div_ceil(PAGE);
        for q in c.pages_of(r).take(pages) {
            c.page_remote[q] = true;
        }
    }

    /// Writes back every dirty cached page (in batches), so the memnodes see
    /// the heap as the VM does. The pages stay resident, clean.
    pub fn flush_dirty(&mut self) {
        self.cache().flush_flagged(DIRTY, &|_, _| true)
    }

    /// As [`PagedMemory::flush_dirty`], for the dirty pages `(region, page
    /// index)` that `want` accepts; the others stay dirty.
    pub fn flush_dirty_where(&mut self, want: &dyn Fn(RegionId, u32) -> bool) {
        self.cache().flush_flagged(DIRTY, want)
    }

    /// `(region, page index in the region)` of every dirty cached page, sorted.
    pub fn dirty_page_list(&self) -> Vec<(RegionId, u32)> {
        self.cache().cached_pages(DIRTY)
    }

    /// Marks every dirty cached page pending (an offloaded cycle's initial
    /// mark, instead of a flush) and lists them, sorted. Any write-back of a
    /// page clears its mark.
    pub fn mark_dirty_pending(&mut self) -> Vec<(RegionId, u32)> {
        let c = self.cache();
        for fl in c.frame_flags.iter_mut() {
            // (A cycle aborted by a full collection may have left marks.)
            *fl &= !PENDING;
            if *fl & DIRTY != 0 && *fl & BUSY == 0 {
                *fl |= PENDING;
            }
        }
        c.cached_pages(DIRTY | PENDING)
    }

    /// Writes back every pending page (see
    /// [`PagedMemory::mark_dirty_pending`]): the memnodes' marking can then
    /// finish. The pages stay resident, clean.
    pub fn flush_pending(&mut self) {
        self.cache().flush_flagged(PENDING, &|_, _| true)
    }

    /// Pending pages now (tests and stats).
    pub fn pending_pages(&self) -> usize {
        let c = self.cache();
        c.frame_flags.iter().filter(|&&f| f & PENDING != 0).count()
    }

    /// Drops the cached copies of `pages` (4 KiB pages a memnode changed)
    /// without write-back: the next access fetches them. Dirty pages are kept
    /// (the VM's copy is the newer one).
    pub fn drop_pages(&mut self, pages: &[PageAddr]) {
        self.cache().drop_pages(pages)
    }

    /// `(region, page index in the region)` of every cached page, sorted.
    pub fn resident_pages(&self) -> Vec<(RegionId, u32)> {
        self.cache().cached_pages(0)
    }

    /// Applies a memnode's change of the 32-bit slot at `offset` of region
    /// `r` to the cached copy of its page, which stays as clean as it was (the
    /// memnode holds the same bytes). `false` if the page is not cached, is
    /// dirty (the VM's copy is the newer one), or the offset is not a slot of
    /// the region.
    pub fn patch_clean(&mut self, r: RegionId, offset: u32, value: u32) -> bool {
        let c = self.cache();
        if !offset.is_multiple_of(4) || u64::from(offset) >= 1u64 << c.log_region {
            return false;
        }
        let p = ((r.0 as usize) << (c.log_region - LOG_PAGE)) + (offset as usize >> LOG_PAGE);
        let Some(&f) = c.page_frame.get(p) else {
            return false;
        };
        if f == NONE || c.frame_flags[f as usize] & (BUSY | DIRTY) != 0 {
            return false;
        }
        // SAFETY: `f` is a resident frame of PAGE bytes, and the slot offset
        // in the page is 4-aligned and below PAGE.
        unsafe {
            c.frame_ptr(f)
                .add(offset as usize & (PAGE - 1))
                .cast::<u32>()
                .write(value)
        };
        true
    }

    /// Dirty cached pages now (tests).
    pub fn dirty_pages(&self) -> usize {
        let c = self.cache();
        c.frame_flags.iter().filter(|&&f| f & DIRTY != 0).count()
    }

    /// Region `r` goes back to the pool: its pages are dropped unwritten.
    pub fn release_region(&mut self, r: RegionId) {
        self.cache().release(r)
    }

    /// A collection starts (`true`) or ends: its traffic counts as GC traffic.
    pub fn set_gc(&mut self, on: bool) {
        let c = self.cache();
        c.gc = on;
        if !on {
            c.flush_releases();
        }
    }

    /// Old regions kept local because the backend was out of capacity during
    /// a collection.
    pub fn overflow_regions(&self) -> usize {
        self.cache().overflow.len()
    }

    /// Whether region `r` is an overflow region.
    pub fn is_overflow(&self, r: RegionId) -> bool {
        self.cache().overflow.contains_key(&r.0)
    }

    /// Classes were defined: the layout table must be sent again.
    pub fn layouts_changed(&mut self) {
        self.cache().layouts_stale = true;
    }

    /// Whether a backend is waiting for a fresh layout table.
    pub fn layouts_stale(&self) -> bool {
        let c = self.cache();
        c.backend.is_some() && c.layouts_stale
    }

    /// Sends the layout table to every memnode.
    pub fn upload_layouts(&mut self, blob: &[u8]) {
        let c = self.cache();
        if let Some(b) = c.backend.as_mut() {
            if let Err(e) = b.upload_layouts(blob) {
                fatal(&e.0);
            }
        }
        c.layouts_stale = false;
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.get(),
            ..self.cache().stats
        }
    }

    /// The backend's traffic so far (zero without one).
    pub fn fabric(&self) -> FabricTotals {
        self.cache()
            .backend
            .as_ref()
            .map_or_else(FabricTotals::default, |b| b.totals())
    }

    /// Per-memnode figures (empty without a backend).
    pub fn nodes(&self) -> Vec<MemnodeInfo> {
        self.cache()
            .backend
            .as_ref()
            .map_or_else(Vec::new, |b| b.nodes())
    }

    /// Ends the backend session (the memnodes release this tenant's regions).
    /// Idempotent; the counters stay readable.
    pub fn finish(&mut self) {
        let c = self.cache();
        if !c.finished {
            c.finished = true;
            if let Some(b) = c.backend.as_mut() {
                b.shutdown();
            }
        }
    }

    /// Whether page `p` is resident in a frame (tests and `--stats`).
    pub fn is_resident(&self, a: Addr) -> bool {
        let c = self.cache();
        let p = (a.0 as usize) >> LOG_PAGE;
        c.page_frame.get(p).is_some_and(|&f| f != NONE)
    }

    /// Frames in the cache (0 without a backend).
    pub fn frames(&self) -> usize {
        self.cache().nframes
    }
}

impl Drop for PagedMemory {
    fn drop(&mut self) {
        self.finish();
    }
}

impl Cache {
    #[inline]
    fn frame_ptr(&self, f: u32) -> *mut u8 {
        let base = self.frames.as_ref().map_or(ptr::null_mut(), Block::ptr);
        debug_assert!((f as usize) < self.nframes);
        // SAFETY: `f < nframes` and the pool holds `nframes` pages.
        unsafe { base.add(f as usize * PAGE) }
    }

    /// `(region, page index)` of the cached pages whose frames have every flag
    /// of `need`, sorted (frames of a fault in progress left out).
    fn cached_pages(&self, need: u8) -> Vec<(RegionId, u32)> {
        let mut v: Vec<(RegionId, u32)> = self
            .frame_page
            .iter()
            .zip(&self.frame_flags)
            .filter(|&(&p, &fl)| p != NONE && fl & BUSY == 0 && fl & need == need)
            .map(|(&p, _)| self.page_key(p as usize))
            .collect();
        v.sort_unstable();
        v
    }

    /// `(region, page index in the region)` of page `p`.
    fn page_key(&self, p: usize) -> (RegionId, u32) {
        let per = self.log_region - LOG_PAGE;
        (RegionId((p >> per) as u32), (p & ((1 << per) - 1)) as u32)
    }

    fn region_of_page(&self, p: usize) -> PageAddr {
        let per = self.log_region - LOG_PAGE;
        PageAddr {
            region: RegionId((p >> per) as u32),
            offset: ((p & ((1 << per) - 1)) << LOG_PAGE) as u32,
            len: PAGE as u32,
        }
    }

    fn map(&mut self, f: u32, p: usize) {
        let e = self.frame_ptr(f);
        let fl = &mut self.frame_flags[f as usize];
        *fl |= MAPPED;
        self.rtab.set(p, e);
        self.wtab
            .set(p, if *fl & DIRTY != 0 { e } else { ptr::null_mut() });
    }

    fn unmap(&mut self, f: u32) {
        let p = self.frame_page[f as usize] as usize;
        self.frame_flags[f as usize] &= !MAPPED;
        self.rtab.set(p, ptr::null_mut());
        self.wtab.set(p, ptr::null_mut());
    }

    /// Makes page `p` accessible for `acc` and returns its local base.
    fn page_in(&mut self, p: usize, acc: Access) -> *mut u8 {
        if self.backend.is_none() || p < self.old_page {
            // Local pages are always mapped: only a corrupt address gets here.
            panic!("heap access to unmapped page {p:#x}");
        }
        let f = self.page_frame[p];
        if f != NONE {
            self.stats.minor_faults += 1;
            if acc != Access::Read {
                // Dirty again after a flush: the flush was an extra write.
                let fl = &mut self.frame_flags[f as usize];
                if *fl & FLUSHED != 0 {
                    self.stats.flush_redirtied += 1;
                }
                *fl = (*fl | DIRTY) & !FLUSHED;
            }
            self.map(f, p);
            return self.frame_ptr(f);
        }
        self.stats.misses += 1;
        let fetch = self.page_remote[p] && acc != Access::Overwrite;
        // The pages to bring in: `p`, then read-ahead.
        let mut pages = vec![p];
        if fetch {
            self.ra_window = if p == self.ra_next {
                (self.ra_window * 2).max(1).min(self.readahead)
            } else {
                0
            };
            let per = self.log_region - LOG_PAGE;
            let end = ((p >> per) + 1) << per;
            let mut q = p + 1;
            while q < end && pages.len() <= self.ra_window && self.page_remote[q] {
                if self.page_frame[q] == NONE {
                    pages.push(q);
                }
                q += 1;
            }
            self.ra_next = q;
        } else {
            self.stats.fresh_pages += 1;
        }
        let mut writes: Vec<(usize, u32)> = Vec::new();
        let mut got = Vec::with_capacity(pages.len());
        for &q in &pages {
            let f = self.take_frame(&mut writes);
            self.frame_page[f as usize] = q as u32;
            self.frame_flags[f as usize] = BUSY;
            self.page_frame[q] = f;
            got.push(f);
        }
        // Reads: runs of consecutive pages.
        let mut reads: Vec<PageAddr> = Vec::new();
        if fetch {
            for &q in &pages {
                match reads.last_mut() {
                    Some(r) if self.region_of_page(q).offset == r.offset + r.len => {
                        r.len += PAGE as u32
                    }
                    _ => reads.push(self.region_of_page(q)),
                }
            }
        }
        self.exchange(&writes, &reads);
        for (i, (&q, &f)) in pages.iter().zip(&got).enumerate() {
            let dst = self.frame_ptr(f);
            if fetch {
                // SAFETY: `buf` holds `pages.len()` pages in order; `dst` is a
                // whole frame, not aliased by `buf`.
                unsafe { ptr::copy_nonoverlapping(self.buf.as_ptr().add(i * PAGE), dst, PAGE) }
            } else if acc != Access::Overwrite {
                // SAFETY: `dst` is a whole frame.
                unsafe { ptr::write_bytes(dst, 0, PAGE) }
            }
            self.frame_flags[f as usize] = 0;
            if q == p {
                if acc != Access::Read || !fetch {
                    // A fresh page has no remote copy: it must be written back.
                    self.frame_flags[f as usize] = DIRTY;
                }
                self.map(f, q);
            }
        }
        if fetch {
            self.stats.pages_fetched += pages.len() as u64;
            self.stats.readahead_pages += pages.len() as u64 - 1;
        }
        self.frame_ptr(got[0])
    }

    /// One page exchange: write back `writes` (page, frame), fetch `reads`
    /// into `buf`. A backend failure is fatal.
    fn exchange(&mut self, writes: &[(usize, u32)], reads: &[PageAddr]) {
        if writes.is_empty() && reads.is_empty() {
            return;
        }
        let ws: Vec<(PageAddr, &[u8])> = writes
            .iter()
            .map(|&(q, f)| {
                // SAFETY: a whole frame, not written until the exchange is over.
                let s = unsafe { std::slice::from_raw_parts(self.frame_ptr(f), PAGE) };
                (self.region_of_page(q), s)
            })
            .collect();
        self.buf.clear();
        let gc = self.gc;
        let Some(b) = self.backend.as_mut() else {
            return;
        };
        if let Err(e) = b.page_io(&ws, reads, &mut self.buf, gc) {
            fatal(&e.0);
        }
        let want: usize = reads.iter().map(|r| r.len as usize).sum();
        if self.buf.len() != want {
            fatal(&format!(
                "memnode returned {} bytes for {want} requested",
                self.buf.len()
            ));
        }
        if !writes.is_empty() {
            self.stats.writebacks += 1;
            self.stats.pages_written_back += writes.len() as u64;
        }
        for &(q, f) in writes {
            self.page_remote[q] = true;
            self.frame_flags[f as usize] &= !PENDING;
        }
    }

    /// A frame for a new page: a free one, else the CLOCK victim. A dirty
    /// victim's page (and up to a batch of other unmapped dirty pages) is added
    /// to `writes`.
    fn take_frame(&mut self, writes: &mut Vec<(usize, u32)>) -> u32 {
        if let Some(f) = self.free.pop() {
            return f;
        }
        loop {
            let f = self.hand as u32;
            self.hand = (self.hand + 1) % self.nframes;
            let fl = self.frame_flags[f as usize];
            if fl & BUSY != 0 {
                continue;
            }
            if fl & MAPPED != 0 {
                self.unmap(f);
                continue;
            }
            let old = self.frame_page[f as usize] as usize;
            if fl & DIRTY != 0 {
                writes.push((old, f));
                self.gather_dirty(writes);
            } else if fl & FLUSHED != 0 {
                self.stats.flush_writebacks_saved += 1;
            }
            self.page_frame[old] = NONE;
            self.frame_flags[f as usize] = 0;
            self.frame_page[f as usize] = NONE;
            self.stats.evictions += 1;
            return f;
        }
    }

    /// Adds up to a batch of unmapped dirty frames ahead of the hand to
    /// `writes`; they stay resident, clean.
    fn gather_dirty(&mut self, writes: &mut Vec<(usize, u32)>) {
        let mut h = self.hand;
        for _ in 0..self.nframes.min(4 * WRITEBACK_BATCH) {
            if writes.len() >= WRITEBACK_BATCH {
                break;
            }
            if self.frame_flags[h] & !PENDING == DIRTY {
                // Written back below: no longer pending either.
                self.frame_flags[h] = 0;
                writes.push((self.frame_page[h] as usize, h as u32));
            }
            h = (h + 1) % self.nframes;
        }
    }

    fn pages_of(&self, r: RegionId) -> std::ops::Range<usize> {
        let per = self.log_region - LOG_PAGE;
        let first = (r.0 as usize) << per;
        first..first + (1 << per)
    }

    fn acquire(&mut self, r: RegionId) -> bool {
        self.acquire_on(r, None)
    }

    /// Acquires region `r`, on memnode `node` if given (then never as an
    /// overflow region).
    fn acquire_on(&mut self, r: RegionId, node: Option<usize>) -> bool {
        if self.backend.is_none() {
            return true;
        }
        self.flush_releases();
        // A stray access to the free region may have left a frame behind.
        self.drop_frames(r);
        let bytes = 1u32 << self.log_region;
        let res = match (self.backend.as_mut(), node) {
            (Some(b), Some(n)) => b.acquire_on(r, bytes, n),
            (Some(b), None) => b.acquire(r, bytes),
            (None, _) => Ok(()),
        };
        match res {
            Ok(()) => true,
            Err(AcquireError::CapacityExhausted(_)) if !self.gc || node.is_some() => false,
            Err(AcquireError::CapacityExhausted(_)) => {
                let Some(blk) = Block::new(bytes as usize) else {
                    fatal("cannot reserve local memory for an old region");
                };
                for (i, q) in self.pages_of(r).enumerate() {
                    // SAFETY: `i * PAGE < bytes`, inside the block.
                    let e = unsafe { blk.ptr().add(i * PAGE) };
                    self.rtab.set(q, e);
                    self.wtab.set(q, e);
                }
                self.overflow.insert(r.0, blk);
                true
            }
            Err(AcquireError::Fatal(m)) => fatal(&m),
        }
    }

    fn release(&mut self, r: RegionId) {
        if self.backend.is_none() {
            return;
        }
        if self.overflow.remove(&r.0).is_some() {
            for q in self.pages_of(r) {
                self.rtab.set(q, ptr::null_mut());
                self.wtab.set(q, ptr::null_mut());
            }
            return;
        }
        self.drop_frames(r);
        self.pending_release.push(r);
    }

    /// Frees region `r`'s frames without write-back and forgets its remote pages.
    fn drop_frames(&mut self, r: RegionId) {
        for q in self.pages_of(r) {
            let f = self.page_frame[q];
            if f != NONE {
                self.unmap(f);
                if self.frame_flags[f as usize] & FLUSHED != 0 {
                    self.stats.flush_dropped += 1;
                }
                self.frame_flags[f as usize] = 0;
                self.frame_page[f as usize] = NONE;
                self.page_frame[q] = NONE;
                self.free.push(f);
            }
            self.page_remote[q] = false;
        }
    }

    /// Writes back the dirty frames that have every flag of `need` and whose
    /// page `want` accepts.
    fn flush_flagged(&mut self, need: u8, want: &dyn Fn(RegionId, u32) -> bool) {
        const BATCH: usize = 64;
        let mut writes: Vec<(usize, u32)> = Vec::with_capacity(BATCH);
        for f in 0..self.nframes {
            let fl = self.frame_flags[f];
            if fl & DIRTY == 0 || fl & need != need || fl & BUSY != 0 {
                continue;
            }
            let (r, i) = self.page_key(self.frame_page[f] as usize);
            if !want(r, i) {
                continue;
            }
            writes.push((self.frame_page[f] as usize, f as u32));
            if writes.len() == BATCH {
                self.write_clean(&writes);
                writes.clear();
            }
        }
        self.write_clean(&writes);
    }

    /// Writes `writes` back and marks their frames clean (a mapped one is
    /// re-mapped read-only, so the next store dirties it again).
    fn write_clean(&mut self, writes: &[(usize, u32)]) {
        if writes.is_empty() {
            return;
        }
        self.exchange(writes, &[]);
        self.stats.pages_flushed += writes.len() as u64;
        for &(q, f) in writes {
            let fl = &mut self.frame_flags[f as usize];
            *fl = (*fl & !DIRTY) | FLUSHED;
            if *fl & MAPPED != 0 {
                self.wtab.set(q, ptr::null_mut());
            }
        }
    }

    fn drop_pages(&mut self, pages: &[PageAddr]) {
        if self.backend.is_none() {
            return;
        }
        let per = self.log_region - LOG_PAGE;
        for pa in pages {
            let first = ((pa.region.0 as usize) << per) + (pa.offset as usize >> LOG_PAGE);
            let n = (pa.len as usize).div_ceil(PAGE).max(1);
            for q in first..(first + n).min(self.page_frame.len()) {
                let f = self.page_frame[q];
                // A dirty page is the newer copy: it stays.
                if f != NONE && self.frame_flags[f as usize] & DIRTY == 0 {
                    self.unmap(f);
                    if self.frame_flags[f as usize] & FLUSHED != 0 {
                        self.stats.flush_dropped += 1;
                    }
                    self.frame_flags[f as usize] = 0;
                    self.frame_page[f as usize] = NONE;
                    self.page_frame[q] = NONE;
                    self.free.push(f);
                }
            }
        }
    }

    fn flush_releases(&mut self) {
        if self.pending_release.is_empty() {
            return;
        }
        let rs = std::mem::take(&mut self.pending_release);
        if let Some(b) = self.backend.as_mut() {
            if let Err(e) = b.release(&rs) {
                fatal(&e.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_zeroed_access_copy_and_zero() {
        let mut m = PagedMemory::new(4 << 16, 16, 1 << 16, None, None).unwrap();
        assert_eq!(m.load_u64(Addr(1 << 16)), 0);
        m.store_u32(Addr((1 << 16) + 4), 7);
        m.store_u64(Addr(64), u64::MAX);
        m.copy(Addr(64), Addr(128), 8);
        assert_eq!(m.load_u64(Addr(128)), u64::MAX);
        m.zero(Addr(128), 8);
        assert_eq!(m.load_u64(Addr(128)), 0);
        let src: Vec<u8> = (0..10_000).map(|i| i as u8).collect();
        m.write_bytes(3 << 16, &src);
        m.copy(Addr(3 << 16), Addr(5000), 10_000);
        let mut out = vec![0u8; 10_000];
        m.read_bytes(5000, &mut out);
        assert_eq!(out, src);
        let s = m.stats();
        assert!(s.hits > 0);
        assert_eq!((s.misses, s.minor_faults, s.evictions), (0, 0, 0));
    }

    #[test]
    #[should_panic(expected = "out of bounds")]
    fn out_of_bounds_panics() {
        let m = PagedMemory::new(1 << 16, 16, 4096, None, None).unwrap();
        m.load_u32(Addr(1 << 16));
    }
}
