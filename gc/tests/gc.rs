// Collector tests against a mock mutator: random object graphs with churn,
// young, full and stress collections, checked by structural fingerprints and
// the heap verifier.

mod common;

use common::*;
use semeru_gc::{ElemKind, Heap, HeapConfig, OutOfMemory, Ref};

/// A random reachable object: a short random walk from a random root.
fn reachable(h: &Heap, rng: &mut Rng, roots: &Roots) -> Ref {
    let mut r = roots.0[rng.below(roots.0.len() as u64) as usize];
    for _ in 0..rng.below(5) {
        if r.is_null() {
            break;
        }
        let next = match h.class_of(r) {
            NODE => h.read_ref(r, if rng.below(2) == 0 { A } else { B }),
            REF_ARRAY if h.array_len(r) > 0 => {
                let i = rng.below(h.array_len(r) as u64) as u32;
                h.read_ref(r, Heap::elem_offset(ElemKind::Ref, i))
            }
            _ => Ref::NULL,
        };
        if next.is_null() {
            break;
        }
        r = next;
    }
    r
}

/// Stores `v` into a random slot: a root, a node field or a ref-array element.
fn link(h: &mut Heap, rng: &mut Rng, roots: &mut Roots, nroots: usize, v: Ref) {
    let t = reachable(h, rng, roots);
    if t.is_null() || rng.below(4) == 0 {
        roots.0[rng.below(nroots as u64) as usize] = v;
        return;
    }
    match h.class_of(t) {
        NODE => h.write_ref(t, if rng.below(2) == 0 { A } else { B }, v),
        REF_ARRAY if h.array_len(t) > 0 => {
            let i = rng.below(h.array_len(t) as u64) as u32;
            h.write_ref(t, Heap::elem_offset(ElemKind::Ref, i), v)
        }
        _ => roots.0[rng.below(nroots as u64) as usize] = v,
    }
}

/// Allocates through `f`; when `paranoid`, checks that the graph reachable from
/// the roots is unchanged by the allocation (and any collection it ran).
fn alloc_checked(
    h: &mut Heap,
    roots: &mut Roots,
    paranoid: bool,
    f: impl FnOnce(&mut Heap, &mut Roots) -> Result<Ref, OutOfMemory>,
) -> Ref {
    let before = paranoid.then(|| fingerprint(h, &roots.0));
    let pauses = h.stats().pause_count();
    let r = f(h, roots).expect("out of memory in churn");
    if let Some(b) = before {
        if h.stats().pause_count() != pauses {
            assert_eq!(
                fingerprint(h, &roots.0),
                b,
                "graph changed by an allocation-triggered collection"
            );
        }
    }
    r
}

/// Runs `ops` random mutator operations, checking the graph across a collection
/// every `check_every` operations.
fn churn(h: &mut Heap, seed: u64, nroots: usize, ops: usize, check_every: usize, paranoid: bool) {
    let mut rng = Rng(seed | 1);
    // Slots: [0, nroots) program roots, nroots = temp, nroots + 1 = big array.
    let tmp = nroots;
    let big = nroots + 1;
    let mut roots = Roots(vec![Ref::NULL; nroots + 2]);
    let region = h.config().region_bytes as u64;
    for op in 1..=ops {
        match rng.below(110) {
            0..=39 => {
                let p = rng.below(1 << 20) as i32;
                let r = alloc_checked(h, &mut roots, paranoid, |h, r| h.alloc(NODE, r));
                h.write::<i32>(r, PAYLOAD, p);
                roots.0[tmp] = r;
                link(h, &mut rng, &mut roots, nroots, r);
            }
            40..=49 => {
                let n = rng.below(16) as u32;
                let r = alloc_checked(h, &mut roots, paranoid, |h, r| {
                    h.alloc_array(REF_ARRAY, n, r)
                });
                roots.0[tmp] = r;
                for i in 0..n {
                    let v = reachable(h, &mut rng, &roots);
                    let r = roots.0[tmp];
                    h.write_ref(r, Heap::elem_offset(ElemKind::Ref, i), v);
                }
                let r = roots.0[tmp];
                link(h, &mut rng, &mut roots, nroots, r);
            }
            50..=59 => {
                let n = rng.below(64) as u32;
                let r = alloc_checked(h, &mut roots, paranoid, |h, r| {
                    h.alloc_array(INT_ARRAY, n, r)
                });
                let vals: Vec<i32> = (0..n).map(|_| rng.next() as i32).collect();
                h.write_elems(r, 0, &vals);
                link(h, &mut rng, &mut roots, nroots, r);
            }
            60..=64 => {
                let n = rng.below(300) as u32;
                let r = alloc_checked(h, &mut roots, paranoid, |h, r| {
                    h.alloc_array(BYTE_ARRAY, n, r)
                });
                let vals: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                h.write_elems(r, 0, &vals);
                link(h, &mut rng, &mut roots, nroots, r);
            }
            65..=79 => {
                let t = reachable(h, &mut rng, &roots);
                let v = if rng.below(3) == 0 {
                    Ref::NULL
                } else {
                    reachable(h, &mut rng, &roots)
                };
                if !t.is_null() {
                    roots.0[tmp] = t;
                    link(h, &mut rng, &mut roots, nroots, v);
                }
            }
            80..=89 => roots.0[rng.below(nroots as u64) as usize] = Ref::NULL,
            90..=94 => {
                let v = reachable(h, &mut rng, &roots);
                roots.0[rng.below(nroots as u64) as usize] = v;
            }
            95 => {
                // Large or humongous (up to ~2.5 regions) int array.
                let n = (region / 4 + rng.below(region * 5 / 8)) as u32;
                let r = alloc_checked(h, &mut roots, paranoid, |h, r| {
                    h.alloc_array(INT_ARRAY, n, r)
                });
                h.write::<i32>(r, Heap::elem_offset(ElemKind::Int, n - 1), op as i32);
                h.write::<i32>(r, Heap::elem_offset(ElemKind::Int, 0), -(op as i32));
                roots.0[big] = r;
            }
            96..=99 => {
                let r = alloc_checked(h, &mut roots, paranoid, |h, r| h.alloc(EMPTY, r));
                link(h, &mut rng, &mut roots, nroots, r);
            }
            _ => {
                // Pure garbage, to fill eden.
                let n = rng.below(4000) as u32;
                alloc_checked(h, &mut roots, paranoid, |h, r| {
                    h.alloc_array(BYTE_ARRAY, n, r)
                });
            }
        }
        roots.0[tmp] = Ref::NULL;
        if op % check_every == 0 {
            let before = fingerprint(h, &roots.0);
            let full = rng.below(3) == 0;
            h.collect(full, &mut roots);
            assert_eq!(
                fingerprint(h, &roots.0),
                before,
                "graph changed by collection at op {op}"
            );
            h.verify(&mut roots).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

#[test]
fn churn_preserves_the_graph() {
    let configs = [
        common::config(4 << 20, 256 << 10, 64 << 10),
        common::config(8 << 20, 1 << 20, 1 << 20),
        HeapConfig {
            tenure_age: 0,
            ..common::config(4 << 20, 128 << 10, 64 << 10)
        },
        HeapConfig {
            tenure_age: 15,
            ..common::config(6 << 20, 512 << 10, 128 << 10)
        },
        // A three-entry mark stack: marking overflows into region rescans.
        HeapConfig {
            mark_stack_entries: 3,
            ..common::config(4 << 20, 256 << 10, 64 << 10)
        },
    ];
    for (i, cfg) in configs.into_iter().enumerate() {
        for seed in 0..3u64 {
            let mut h = heap(cfg.clone());
            churn(&mut h, seed * 7919 + i as u64, 24, 3000, 150, seed == 0);
            let s = h.stats();
            eprintln!(
                "config {i} seed {seed}: {} young, {} full, promoted {}, marked {}, compacted {}",
                s.young_count(),
                s.full_count(),
                s.bytes_promoted,
                s.marked_bytes,
                s.compacted_bytes
            );
            if cached() {
                let c = h.heap_stats().cache;
                eprintln!("  cache: {c:?}");
                assert!(c.evictions > 0 && c.pages_fetched > 0, "{c:?}");
            }
            assert!(s.young_count() > 0, "config {i}: no young collection");
            assert!(s.full_count() > 0, "config {i}: no full collection");
            if i == 4 {
                assert!(
                    s.mark_stack_overflows > 0,
                    "config {i}: the mark stack never overflowed"
                );
            }
        }
    }
}

#[test]
fn stress_mode_stays_correct() {
    let cfg = HeapConfig {
        stress: true,
        ..common::config(2 << 20, 128 << 10, 64 << 10)
    };
    let mut h = heap(cfg);
    churn(&mut h, 42, 12, 800, 50, true);
    let s = h.stats();
    // Every allocation (about 70% of the operations) collects; every sixteenth
    // collection at most is a full one, once a quarter of the old space has
    // been allocated since the last.
    assert!(s.young_count() >= 450, "{} young pauses", s.young_count());
    assert!(s.full_count() >= 5, "{} full pauses", s.full_count());
    assert!(s.full_count() <= s.young_count() / 15);
}

#[test]
fn garbage_is_reclaimed() {
    let mut h = heap(common::config(4 << 20, 512 << 10, 64 << 10));
    let mut roots = Roots(vec![Ref::NULL; 2]);
    // 64 MiB of short-lived objects through a 4 MiB heap, with a small live list.
    for i in 0..(64 << 20) / 24 {
        let r = node(&mut h, &mut roots, 1, i);
        if i % 1000 == 0 {
            let head = roots.0[0];
            h.write_ref(r, A, head);
            roots.0[0] = r;
        }
    }
    let mut n = 0;
    let mut r = roots.0[0];
    while !r.is_null() {
        assert_eq!(h.read::<i32>(r, PAYLOAD) % 1000, 0);
        n += 1;
        r = h.read_ref(r, A);
    }
    assert_eq!(n, (64 << 20) / 24 / 1000 + 1);
    roots.0[1] = Ref::NULL;
    h.collect(true, &mut roots);
    assert!(
        h.used_bytes() < 256 << 10,
        "used {} after full GC",
        h.used_bytes()
    );
    assert!(h.stats().bytes_allocated >= (64 << 20) - 24);
    assert!(h.stats().bytes_promoted > 0);
}

#[test]
fn out_of_memory_when_live_set_exceeds_heap() {
    let mut h = heap(HeapConfig {
        verify: false,
        ..common::config(2 << 20, 256 << 10, 64 << 10)
    });
    let mut roots = Roots(vec![Ref::NULL; 2]);
    let mut count = 0u64;
    let err = loop {
        match h.alloc_array(INT_ARRAY, 100, &mut roots) {
            Ok(r) => {
                let head = roots.0[0];
                roots.0[1] = r;
                let cell = match h.alloc_array(REF_ARRAY, 2, &mut roots) {
                    Ok(c) => c,
                    Err(e) => break e,
                };
                let arr = roots.0[1];
                h.write_ref(cell, Heap::elem_offset(ElemKind::Ref, 0), arr);
                h.write_ref(cell, Heap::elem_offset(ElemKind::Ref, 1), head);
                roots.0[0] = cell;
                count += 1;
            }
            Err(e) => break e,
        }
        assert!(count < 1_000_000, "heap grew without bound");
    };
    assert_eq!(err, OutOfMemory);
    // Live data is at most the heap.
    assert!(
        count * (416 + 24) <= 2 << 20,
        "{count} cells live in a 2 MiB heap"
    );
    assert!(count * (416 + 24) > 1 << 20, "OOM too early: {count} cells");
    // Dropping the list makes room again.
    roots.0 = vec![Ref::NULL; 2];
    h.alloc_array(INT_ARRAY, 100, &mut roots)
        .expect("allocation after dropping roots");
    h.collect(true, &mut roots);
    h.verify(&mut roots).unwrap();
}

#[test]
fn huge_requests_fail_cleanly() {
    let mut h = heap(common::config(2 << 20, 256 << 10, 64 << 10));
    let mut roots = Roots(vec![]);
    assert_eq!(
        h.alloc_array(INT_ARRAY, 1 << 20, &mut roots),
        Err(OutOfMemory)
    );
    assert_eq!(
        h.alloc_array(INT_ARRAY, u32::MAX, &mut roots),
        Err(OutOfMemory)
    );
    assert!(h.alloc_array(INT_ARRAY, 100, &mut roots).is_ok());
}

#[test]
fn old_to_young_edges_survive_young_collections() {
    let mut h = heap(common::config(4 << 20, 256 << 10, 64 << 10));
    let mut roots = Roots(vec![Ref::NULL; 3]);
    node(&mut h, &mut roots, 0, 1);
    let arr = h.alloc_array(REF_ARRAY, 1000, &mut roots).unwrap();
    roots.0[1] = arr;
    h.collect(true, &mut roots); // promotes both
    let (old, arr) = (roots.0[0], roots.0[1]);
    assert!(
        old.addr() >= semeru_gc::Addr(256 << 10),
        "not promoted: {old:?}"
    );
    // Young objects reachable only through old slots.
    let young = h.alloc(NODE, &mut roots).unwrap();
    h.write::<i32>(young, PAYLOAD, 77);
    let old = roots.0[0];
    h.write_ref(old, B, young);
    for i in (0..1000).step_by(97) {
        let y = h.alloc(NODE, &mut roots).unwrap();
        h.write::<i32>(y, PAYLOAD, i as i32);
        let arr = roots.0[1];
        h.write_ref(arr, Heap::elem_offset(ElemKind::Ref, i), y);
    }
    let _ = arr;
    for round in 0..6 {
        // Garbage to force young collections (and eventual promotion).
        for _ in 0..20_000 {
            h.alloc(EMPTY, &mut roots).unwrap();
        }
        h.collect(false, &mut roots);
        let old = roots.0[0];
        let y = h.read_ref(old, B);
        assert_eq!(h.read::<i32>(y, PAYLOAD), 77, "round {round}");
        let arr = roots.0[1];
        for i in (0..1000).step_by(97) {
            let y = h.read_ref(arr, Heap::elem_offset(ElemKind::Ref, i));
            assert_eq!(
                h.read::<i32>(y, PAYLOAD),
                i as i32,
                "round {round} elem {i}"
            );
        }
    }
    assert!(h.stats().young_count() >= 6);
}

#[test]
fn long_linked_list_does_not_overflow_the_stack() {
    const N: i32 = 1_000_000;
    let mut h = heap(HeapConfig {
        verify: false,
        ..common::config(96 << 20, 8 << 20, 1 << 20)
    });
    let mut roots = Roots(vec![Ref::NULL; 2]);
    for i in 0..N {
        let r = node(&mut h, &mut roots, 1, i);
        let head = roots.0[0];
        h.write_ref(r, A, head);
        roots.0[0] = r;
    }
    roots.0[1] = Ref::NULL;
    h.collect(true, &mut roots);
    h.collect(false, &mut roots);
    h.collect(true, &mut roots);
    let (mut r, mut n, mut sum) = (roots.0[0], 0, 0i64);
    while !r.is_null() {
        sum += h.read::<i32>(r, PAYLOAD) as i64;
        n += 1;
        r = h.read_ref(r, A);
    }
    assert_eq!(n, N);
    assert_eq!(sum, (N as i64 - 1) * N as i64 / 2);
    assert!(h.stats().marked_bytes >= 2 * 24 * N as u64);
}

#[test]
fn humongous_arrays_are_allocated_moved_around_and_freed() {
    let mut h = heap(common::config(8 << 20, 512 << 10, 64 << 10));
    let mut roots = Roots(vec![Ref::NULL; 4]);
    let region = h.config().region_bytes as u32;
    // Half a region, one region, three and a half regions of ints.
    let sizes = [region / 8 + 1, region / 4, region * 7 / 8];
    for (i, &n) in sizes.iter().enumerate() {
        let r = h.alloc_array(INT_ARRAY, n, &mut roots).unwrap();
        roots.0[i] = r;
        let vals: Vec<i32> = (0..n as i32).map(|x| x ^ i as i32).collect();
        h.write_elems(r, 0, &vals);
    }
    // A humongous ref array pointing at young objects.
    let big = h.alloc_array(REF_ARRAY, region / 2, &mut roots).unwrap();
    roots.0[3] = big;
    for i in [0, 1, region / 4, region / 2 - 1] {
        let y = h.alloc(NODE, &mut roots).unwrap();
        h.write::<i32>(y, PAYLOAD, i as i32);
        let big = roots.0[3];
        h.write_ref(big, Heap::elem_offset(ElemKind::Ref, i), y);
    }
    let used = h.used_bytes();
    for full in [false, true, false, true] {
        h.collect(full, &mut roots);
        for (i, &n) in sizes.iter().enumerate() {
            let mut v = vec![0i32; n as usize];
            h.read_elems(roots.0[i], 0, &mut v);
            assert!(v.iter().enumerate().all(|(j, x)| *x == j as i32 ^ i as i32));
        }
        for i in [0, 1, region / 4, region / 2 - 1] {
            let y = h.read_ref(roots.0[3], Heap::elem_offset(ElemKind::Ref, i));
            assert_eq!(h.read::<i32>(y, PAYLOAD), i as i32);
        }
    }
    roots.0 = vec![Ref::NULL; 4];
    h.collect(true, &mut roots);
    assert!(
        h.used_bytes() < used / 8,
        "{} of {used} bytes still used",
        h.used_bytes()
    );
}

#[test]
fn stats_and_config() {
    let mut h = heap(HeapConfig {
        verify: false,
        ..common::config(4 << 20, 512 << 10, 1 << 20)
    });
    // 3.5 MiB of old space gets regions smaller than 1 MiB.
    assert!(h.config().region_bytes < 1 << 20);
    let mut roots = Roots(vec![Ref::NULL]);
    for i in 0..100_000 {
        node(&mut h, &mut roots, 0, i);
    }
    h.collect(true, &mut roots);
    let s = h.stats();
    assert!(s.young_count() > 0 && s.full_count() == 1);
    assert!(s.max_pause_ms() <= s.total_pause_ms());
    assert_eq!(s.bytes_allocated, 100_000 * 24);
    assert!(Heap::new(HeapConfig {
        region_bytes: 3000,
        ..HeapConfig::default()
    })
    .is_err());
    assert!(Heap::new(common::config(1 << 20, 1 << 20, 1 << 20)).is_err());
}

/// Builds a random tree of nodes of depth up to `depth` in root slot `slot`;
/// returns the sum of its payloads.
fn tree(h: &mut Heap, roots: &mut Roots, slot: usize, rng: &mut Rng, depth: u32) -> i64 {
    let p = rng.below(1000) as i32;
    node(h, roots, slot, p);
    let mut sum = p as i64;
    if depth > 0 {
        for off in [A, B] {
            if rng.below(3) != 0 {
                sum += tree(h, roots, slot + 1, rng, depth - 1);
                let (parent, child) = (roots.0[slot], roots.0[slot + 1]);
                h.write_ref(parent, off, child);
            }
        }
    }
    sum
}

fn tree_sum(h: &Heap, r: Ref) -> i64 {
    let mut sum = 0;
    let mut stack = vec![r];
    while let Some(r) = stack.pop() {
        if !r.is_null() {
            sum += h.read::<i32>(r, PAYLOAD) as i64;
            stack.push(h.read_ref(r, A));
            stack.push(h.read_ref(r, B));
        }
    }
    sum
}

/// A cache: a long-lived (humongous, old) array whose slots are replaced by fresh
/// young trees, so young collections run on their own with many dirty cards, and
/// old space fills with dead trees until full collections compact it.
#[test]
fn cache_workload_with_natural_collections() {
    const SLOTS: u32 = 20_000;
    let mut h = heap(HeapConfig {
        verify: false,
        ..common::config(6 << 20, 256 << 10, 64 << 10)
    });
    let mut roots = Roots(vec![Ref::NULL; 8]);
    let arr = h.alloc_array(REF_ARRAY, SLOTS, &mut roots).unwrap();
    roots.0[0] = arr;
    let mut shadow = vec![0i64; SLOTS as usize];
    let mut rng = Rng(99);
    let check = |h: &Heap, roots: &Roots, shadow: &[i64]| {
        for i in 0..SLOTS {
            let t = h.read_ref(roots.0[0], Heap::elem_offset(ElemKind::Ref, i));
            assert_eq!(tree_sum(h, t), shadow[i as usize], "slot {i}");
        }
    };
    for step in 0..150_000 {
        let i = rng.below(SLOTS as u64) as u32;
        let d = rng.below(4) as u32;
        shadow[i as usize] = tree(&mut h, &mut roots, 1, &mut rng, d);
        let (arr, t) = (roots.0[0], roots.0[1]);
        h.write_ref(arr, Heap::elem_offset(ElemKind::Ref, i), t);
        if step % 50_000 == 49_999 {
            check(&h, &roots, &shadow);
            h.verify(&mut roots).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    h.collect(true, &mut roots);
    check(&h, &roots, &shadow);
    let s = h.stats();
    eprintln!(
        "{} young {} full promoted {} compacted {} used {}",
        s.young_count(),
        s.full_count(),
        s.bytes_promoted,
        s.compacted_bytes,
        h.used_bytes()
    );
    assert!(s.young_count() > 10, "{} young", s.young_count());
    assert!(s.full_count() >= 2, "{} full", s.full_count());
    assert!(s.compacted_bytes > 0);
}

/// Random large and small allocations in a tiny heap whose live set often
/// exceeds it: allocation fails cleanly, and after dropping roots it works again,
/// with the heap verified after every collection.
#[test]
fn repeated_out_of_memory_and_recovery() {
    for stress in [false, true] {
        let mut h = heap(HeapConfig {
            stress,
            ..common::config(2 << 20, 256 << 10, 64 << 10)
        });
        let mut rng = Rng(1234);
        let mut roots = Roots(vec![Ref::NULL; 32]);
        let mut ooms = 0;
        for op in 0..if stress { 600 } else { 3000 } {
            let slot = rng.below(32) as usize;
            let r = match rng.below(10) {
                0 => h.alloc_array(INT_ARRAY, rng.below(60_000) as u32, &mut roots),
                1..=4 => h.alloc_array(BYTE_ARRAY, rng.below(20_000) as u32, &mut roots),
                _ => h.alloc(NODE, &mut roots),
            };
            match r {
                Ok(r) => {
                    if h.class_of(r) == NODE {
                        let prev = roots.0[slot];
                        h.write_ref(r, A, prev);
                        h.write::<i32>(r, PAYLOAD, op);
                    }
                    roots.0[slot] = r;
                }
                Err(OutOfMemory) => {
                    ooms += 1;
                    for s in roots.0.iter_mut().step_by(2) {
                        *s = Ref::NULL;
                    }
                }
            }
        }
        assert!(ooms > 0, "stress={stress}: the heap never filled");
        assert!(
            h.used_bytes() <= (2 << 20) + (1 << 20),
            "used {}",
            h.used_bytes()
        );
        h.verify(&mut roots).unwrap();
    }
}

/// Old regions left half-live are evacuated and their space returned.
#[test]
fn compaction_returns_fragmented_space() {
    let mut h = heap(common::config(8 << 20, 256 << 10, 64 << 10));
    let mut roots = Roots(vec![Ref::NULL; 2]);
    let n = 100_000;
    let arr = h.alloc_array(REF_ARRAY, n, &mut roots).unwrap();
    roots.0[0] = arr;
    for i in 0..n {
        let r = node(&mut h, &mut roots, 1, i as i32);
        let arr = roots.0[0];
        h.write_ref(arr, Heap::elem_offset(ElemKind::Ref, i), r);
    }
    h.collect(true, &mut roots);
    let full = h.used_bytes();
    // Drop two of every three nodes: every old region is about a third live.
    for i in (0..n).filter(|i| i % 3 != 0) {
        let arr = roots.0[0];
        h.write_ref(arr, Heap::elem_offset(ElemKind::Ref, i), Ref::NULL);
    }
    let compacted = h.stats().compacted_bytes;
    h.collect(true, &mut roots);
    let after = h.used_bytes();
    assert!(h.stats().compacted_bytes > compacted);
    assert!(after < full * 6 / 10, "{after} of {full} bytes still used");
    for i in (0..n).step_by(3) {
        let r = h.read_ref(roots.0[0], Heap::elem_offset(ElemKind::Ref, i));
        assert_eq!(h.read::<i32>(r, PAYLOAD), i as i32);
    }
}

#[test]
fn stress_mode_is_linear_in_allocation() {
    // A large old space must not be collected (or verified) whole at every
    // sixteenth allocation: that made stress runs quadratic. With 3 MiB of old
    // nodes, 60 000 small allocations (about 1.4 MiB) may bring a handful of
    // full collections, not thousands.
    let cfg = HeapConfig {
        stress: true,
        ..common::config(16 << 20, 512 << 10, 256 << 10)
    };
    let mut h = heap(cfg);
    let mut roots = Roots(vec![Ref::NULL; 2]);
    // A linked list of 128 Ki nodes (3 MiB), promoted by the stress collections.
    for i in 0..(128 << 10) {
        let n = h.alloc(NODE, &mut roots).expect("node");
        h.write::<i32>(n, PAYLOAD, i);
        h.write_ref(n, A, roots.0[0]);
        roots.0[0] = n;
    }
    let before = h.stats().full_count();
    for _ in 0..60_000 {
        h.alloc(NODE, &mut roots).expect("garbage");
    }
    let s = h.stats();
    assert!(s.young_count() >= 60_000);
    assert!(
        s.full_count() - before <= 8,
        "{} full collections",
        s.full_count() - before
    );
    let mut n = 0;
    let mut r = roots.0[0];
    while !r.is_null() {
        n += 1;
        r = h.read_ref(r, A);
    }
    assert_eq!(n, 128 << 10);
}
