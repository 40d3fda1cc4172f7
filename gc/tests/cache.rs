//! The page cache over a mock backend with a tiny cache: random accesses
//! against a plain byte model, eviction and write-back, fresh pages, read-ahead,
//! region release, capacity exhaustion and fabric failures.

mod common;

use common::mock::Mock;
use common::*;
use proptest::prelude::*;
use semeru_gc::memory::{PagedMemory, PAGE};
use semeru_gc::{Addr, Heap, HeapConfig, OutOfMemory, Ref, RegionId};

/// 64 KiB regions (16 pages); region 0 is the nursery, 1..8 old.
const LOG_REGION: u32 = 16;
const RB: usize = 1 << LOG_REGION;
const REGIONS: usize = 8;

fn mem(frames: usize, mock: &Mock) -> PagedMemory {
    panic_on_fatal();
    let mut m = PagedMemory::new(
        REGIONS * RB,
        LOG_REGION,
        RB,
        Some(mock.boxed()),
        Some(frames * PAGE),
    )
    .unwrap();
    for r in 1..REGIONS as u32 {
        assert!(m.acquire_region(RegionId(r)));
    }
    m
}

fn page(r: usize, p: usize) -> Addr {
    Addr((r * RB + p * PAGE) as u64)
}

#[derive(Clone, Debug)]
enum Op {
    W32(usize, u32),
    W64(usize, u64),
    R32(usize),
    R64(usize),
    Copy(usize, usize, usize),
    Zero(usize, usize),
    WriteBytes(usize, Vec<u8>),
    ReadBytes(usize, usize),
    /// Release region `1 + i` and take it again (its contents become zero).
    Recycle(usize),
    Gc(bool),
}

fn op() -> impl Strategy<Value = Op> {
    let addr = 0..REGIONS * RB;
    prop_oneof![
        4 => (addr.clone(), any::<u32>()).prop_map(|(a, v)| Op::W32(a & !3, v)),
        2 => (addr.clone(), any::<u64>()).prop_map(|(a, v)| Op::W64(a & !7, v)),
        4 => addr.clone().prop_map(|a| Op::R32(a & !3)),
        2 => addr.clone().prop_map(|a| Op::R64(a & !7)),
        2 => (addr.clone(), addr.clone(), 0..3 * PAGE).prop_map(|(a, b, n)| Op::Copy(a, b, n)),
        1 => (addr.clone(), 0..3 * PAGE).prop_map(|(a, n)| Op::Zero(a, n)),
        1 => (addr.clone(), proptest::collection::vec(any::<u8>(), 0..2 * PAGE))
            .prop_map(|(a, v)| Op::WriteBytes(a, v)),
        1 => (addr, 0..2 * PAGE).prop_map(|(a, n)| Op::ReadBytes(a, n)),
        1 => (0..REGIONS - 1).prop_map(Op::Recycle),
        1 => any::<bool>().prop_map(Op::Gc),
    ]
}

fn fits(a: usize, n: usize) -> bool {
    a + n <= REGIONS * RB
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn random_accesses_match_a_plain_model(frames in 4usize..12, ops in proptest::collection::vec(op(), 1..300)) {
        let mock = Mock::new(usize::MAX);
        let mut m = mem(frames, &mock);
        let mut model = vec![0u8; REGIONS * RB];
        for op in ops {
            match op {
                Op::W32(a, v) => {
                    m.store_u32(Addr(a as u64), v);
                    model[a..a + 4].copy_from_slice(&v.to_le_bytes());
                }
                Op::W64(a, v) => {
                    m.store_u64(Addr(a as u64), v);
                    model[a..a + 8].copy_from_slice(&v.to_le_bytes());
                }
                Op::R32(a) => {
                    let want = u32::from_le_bytes(model[a..a + 4].try_into().unwrap());
                    prop_assert_eq!(m.load_u32(Addr(a as u64)), want);
                }
                Op::R64(a) => {
                    let want = u64::from_le_bytes(model[a..a + 8].try_into().unwrap());
                    prop_assert_eq!(m.load_u64(Addr(a as u64)), want);
                }
                Op::Copy(a, b, n) => {
                    if fits(a, n) && fits(b, n) && (a + n <= b || b + n <= a) {
                        m.copy(Addr(a as u64), Addr(b as u64), n);
                        model.copy_within(a..a + n, b);
                    }
                }
                Op::Zero(a, n) => {
                    if fits(a, n) {
                        m.zero(Addr(a as u64), n);
                        model[a..a + n].fill(0);
                    }
                }
                Op::WriteBytes(a, v) => {
                    if fits(a, v.len()) {
                        m.write_bytes(a, &v);
                        model[a..a + v.len()].copy_from_slice(&v);
                    }
                }
                Op::ReadBytes(a, n) => {
                    if fits(a, n) {
                        let mut out = vec![0u8; n];
                        m.read_bytes(a, &mut out);
                        prop_assert_eq!(&out[..], &model[a..a + n]);
                    }
                }
                Op::Recycle(i) => {
                    let r = RegionId(1 + i as u32);
                    m.release_region(r);
                    prop_assert!(m.acquire_region(r));
                    model[(1 + i) * RB..(2 + i) * RB].fill(0);
                }
                Op::Gc(on) => m.set_gc(on),
            }
        }
        let mut all = vec![0u8; REGIONS * RB];
        m.read_bytes(0, &mut all);
        prop_assert!(all == model, "final contents differ");
        let s = m.stats();
        prop_assert_eq!(s.pages_written_back as usize, mock.state().writes.iter().map(|w| w.len as usize / PAGE).sum::<usize>());
    }
}

#[test]
fn eviction_writes_back_dirty_pages_in_batches() {
    let mock = Mock::new(usize::MAX);
    let mut m = mem(4, &mock);
    for i in 0..32u64 {
        m.store_u64(page(1 + i as usize / 16, i as usize % 16), i * 1000 + 7);
    }
    let s = m.stats();
    assert!(s.evictions >= 28, "{s:?}");
    assert!(s.pages_written_back >= 28, "{s:?}");
    assert!(s.writebacks < s.pages_written_back, "not batched: {s:?}");
    assert_eq!(s.pages_fetched, 0, "fresh pages were fetched: {s:?}");
    for i in 0..32u64 {
        assert_eq!(
            m.load_u64(page(1 + i as usize / 16, i as usize % 16)),
            i * 1000 + 7
        );
    }
    let s = m.stats();
    assert!(s.pages_fetched >= 28, "{s:?}");
    // The backend holds what was written back.
    let st = mock.state();
    let r1 = &st.regions[&1];
    assert_eq!(u64::from_le_bytes(r1[0..8].try_into().unwrap()), 7);
}

#[test]
fn fresh_pages_are_never_fetched() {
    let mock = Mock::new(usize::MAX);
    let mut m = mem(4, &mock);
    // Touch many pages (reads and writes) of fresh regions.
    for i in 0..64usize {
        let a = page(1 + i / 16, i % 16);
        if i % 3 == 0 {
            assert_eq!(m.load_u32(a), 0);
        } else {
            m.store_u32(a.offset(8), i as u32);
        }
    }
    // Every page that was fetched had been written back before.
    {
        let st = mock.state();
        let written: Vec<_> = st.writes.iter().map(|w| (w.region, w.offset)).collect();
        for r in &st.reads {
            for k in 0..r.len / PAGE as u32 {
                let o = r.offset + k * PAGE as u32;
                assert!(written.contains(&(r.region, o)), "fetched fresh page {r:?}");
            }
        }
    }
    assert!(m.stats().fresh_pages >= 64);
    // A recycled region starts fresh again: nothing of it is fetched.
    m.release_region(RegionId(1));
    assert!(m.acquire_region(RegionId(1)));
    let before = mock.state().reads.len();
    for p in 0..16 {
        assert_eq!(m.load_u32(page(1, p).offset(8)), 0);
    }
    let st = mock.state();
    assert!(st.reads[before..].iter().all(|r| r.region != RegionId(1)));
}

#[test]
fn a_miss_reads_ahead_within_the_region() {
    let mock = Mock::new(usize::MAX);
    // 64 frames: read-ahead of 8.
    let mut m = mem(64, &mock);
    for p in 0..16 {
        m.store_u64(page(1, p), p as u64 + 1);
    }
    // Push region 1 out of the cache.
    for i in 0..6 * 16 {
        m.store_u64(page(2 + i / 16, i % 16), 1);
    }
    for i in 0..6 * 16 {
        m.load_u64(page(2 + i / 16, i % 16));
    }
    assert!(!m.is_resident(page(1, 0)));
    // A random miss fetches its page alone.
    let (s0, x0) = (m.stats(), mock.state().exchanges);
    assert_eq!(m.load_u64(page(1, 9)), 10);
    assert_eq!(mock.state().exchanges, x0 + 1);
    assert_eq!(m.stats().pages_fetched - s0.pages_fetched, 1);
    assert_eq!(m.stats().readahead_pages, s0.readahead_pages);
    // A sequential scan doubles the window at each miss: 0 | 1+2 | 3+4,5 | 6+7,8
    // (9 is resident) | 10+11..15 — five exchanges for 15 pages.
    let (s0, x0) = (m.stats(), mock.state().exchanges);
    for p in 0..16 {
        assert_eq!(m.load_u64(page(1, p)), p as u64 + 1);
    }
    let s1 = m.stats();
    assert_eq!(mock.state().exchanges, x0 + 5, "five exchanges");
    assert_eq!(s1.pages_fetched - s0.pages_fetched, 15);
    assert_eq!(s1.readahead_pages - s0.readahead_pages, 10);
    // The read-ahead pages were served without fabric traffic (minor faults).
    assert_eq!(s1.minor_faults - s0.minor_faults, 10);
    assert_eq!(s1.misses - s0.misses, 5);
    // Reads ahead stop at the region's written part: page 15 of region 7 was
    // never written, so it is not fetched.
    let st = mock.state();
    assert!(st.reads.iter().all(|r| r.offset + r.len <= RB as u32));
}

#[test]
fn release_drops_frames_without_write_back() {
    let mock = Mock::new(usize::MAX);
    let mut m = mem(8, &mock);
    for p in 0..4 {
        m.store_u64(page(3, p), 99);
    }
    let s0 = m.stats();
    m.release_region(RegionId(3));
    for p in 0..4 {
        assert!(!m.is_resident(page(3, p)));
    }
    m.set_gc(false); // flushes the batched release
    assert_eq!(mock.state().released, vec![3]);
    assert_eq!(m.stats().pages_written_back, s0.pages_written_back);
    // Its frames are free now: 8 new pages fit without evicting.
    let e = m.stats().evictions;
    for p in 0..4 {
        m.store_u64(page(4, p), 1);
    }
    assert_eq!(m.stats().evictions, e);
}

#[test]
fn capacity_exhaustion_is_out_of_memory() {
    panic_on_fatal();
    let mock = Mock::new(12);
    let cfg = HeapConfig {
        cache_bytes: Some(16 * PAGE),
        ..config(4 << 20, 256 << 10, 64 << 10)
    };
    let mut h = Heap::with_backend(cfg, Some(mock.boxed())).unwrap();
    let _ = common::heap; // classes as in common::heap
    define_classes(&mut h);
    let mut roots = Roots(vec![Ref::NULL; 2]);
    let mut n = 0;
    let res: Result<(), OutOfMemory> = loop {
        match h.alloc_array(INT_ARRAY, 1000, &mut roots) {
            Ok(a) => {
                // Keep it: a list of cells [next, array].
                roots.0[1] = a;
                let cell = match h.alloc_array(REF_ARRAY, 2, &mut roots) {
                    Ok(c) => c,
                    Err(e) => break Err(e),
                };
                h.write_ref(
                    cell,
                    Heap::elem_offset(semeru_gc::ElemKind::Ref, 0),
                    roots.0[0],
                );
                h.write_ref(
                    cell,
                    Heap::elem_offset(semeru_gc::ElemKind::Ref, 1),
                    roots.0[1],
                );
                roots.0[0] = cell;
                roots.0[1] = Ref::NULL;
                n += 1;
            }
            Err(e) => break Err(e),
        }
        if n > 100_000 {
            break Ok(());
        }
    };
    assert_eq!(res, Err(OutOfMemory));
    // 12 regions of 64 KiB hold about 180 arrays of 4 KiB.
    assert!(n > 100, "{n}");
    // Dropping the data makes room again.
    roots.0[0] = Ref::NULL;
    h.collect(true, &mut roots);
    assert!(h.alloc_array(INT_ARRAY, 1000, &mut roots).is_ok());
    h.verify(&mut roots).unwrap();
    assert!(mock.state().regions.len() <= 12);
    assert_eq!(h.heap_stats().overflow_regions, 0);
}

#[test]
fn a_fabric_failure_calls_the_fatal_hook() {
    let mock = Mock::new(usize::MAX);
    let mut m = mem(4, &mock);
    for p in 0..8 {
        m.store_u64(page(1, p), 5);
    }
    mock.state().fail = true;
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| m.load_u64(page(1, 0))));
    let msg = r.expect_err("no fatal error");
    let msg = msg.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        msg.starts_with("fatal: memnode mock: connection closed"),
        "{msg}"
    );
}

#[test]
fn stats_and_finish() {
    let mock = Mock::new(usize::MAX);
    let mut h = heap_over(&mock, 8);
    let mut roots = Roots(vec![Ref::NULL; 1]);
    for i in 0..2000 {
        node(&mut h, &mut roots, 0, i);
    }
    h.collect(true, &mut roots);
    let a = h.read::<i32>(roots.0[0], PAYLOAD);
    assert_eq!(a, 1999);
    let s = h.heap_stats();
    assert_eq!(
        (s.mode, s.memnodes, s.cache_bytes),
        ("memnodes", 1, 8 * PAGE)
    );
    assert!(s.cache.hits > 0);
    assert_eq!(s.nodes.len(), 1);
    assert_eq!(s.fabric, mock.state().totals);
    h.finish();
    assert!(mock.state().shutdown);
    let l = Heap::new(config(4 << 20, 256 << 10, 64 << 10)).unwrap();
    let s = l.heap_stats();
    assert_eq!((s.mode, s.memnodes, s.cache_bytes), ("local", 0, 0));
}

fn heap_over(mock: &Mock, frames: usize) -> Heap {
    panic_on_fatal();
    let cfg = HeapConfig {
        cache_bytes: Some(frames * PAGE),
        ..config(4 << 20, 256 << 10, 64 << 10)
    };
    let mut h = Heap::with_backend(cfg, Some(mock.boxed())).unwrap();
    define_classes(&mut h);
    h
}
