//! A field read whose page is not in the page cache: 512 old objects, each on
//! its own page (a 4 KiB int array sits between neighbours), read in a scattered
//! order through a 16-frame cache, so every read misses, evicts a frame and
//! fetches one page from the (in-memory) backend. The same loop over a cache
//! big enough for all of old space gives the hit cost for comparison. This is
//! the cost of pointer chasing over old data that does not fit the cache,
//! without the network: a lower bound for the remote case. `cache.rs` covers
//! the hit on a single cached object.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use semeru_gc::{ClassId, ElemKind, GcMode, Heap, HeapConfig, InstanceLayout, Layout, Ref};

const NODE: ClassId = ClassId(0);
const INT_ARRAY: ClassId = ClassId(1);
/// Objects, one page each.
const OBJECTS: usize = 512;
/// Visiting order: object `i * STEP % OBJECTS`, so consecutive reads are far
/// apart and the cache's sequential read-ahead never kicks in.
const STEP: usize = 193;

mod common;

use common::{MapBackend, Roots};

/// A heap over `MapBackend` with `cache_bytes` of frames, holding `OBJECTS`
/// old nodes (payload = index) on distinct pages; returns them in visiting
/// order and the payload offset.
fn heap_with_spread_objects(cache_bytes: usize) -> (Heap, Vec<Ref>, u32) {
    let cfg = HeapConfig {
        heap_bytes: 64 << 20,
        young_bytes: 8 << 20,
        cache_bytes: Some(cache_bytes),
        gc: GcMode::Local,
        ..HeapConfig::default()
    };
    let mut h = Heap::with_backend(cfg, Some(Box::new(MapBackend::default()))).expect("heap");
    let (layout, offs) = InstanceLayout::default().extend(&[ElemKind::Ref, ElemKind::Int]);
    h.define_class(NODE, layout.to_layout());
    h.define_class(
        INT_ARRAY,
        Layout::Array {
            elem: ElemKind::Int,
        },
    );
    let payload = offs[1];
    // Roots: node 0, pad 0, node 1, pad 1, ... (the pads keep nodes a page apart).
    let mut roots = Roots(Vec::with_capacity(2 * OBJECTS));
    for i in 0..OBJECTS {
        let n = h.alloc(NODE, &mut roots).expect("alloc");
        h.write::<u32>(n, payload, i as u32);
        roots.0.push(n);
        let pad = h.alloc_array(INT_ARRAY, 1024, &mut roots).expect("alloc");
        roots.0.push(pad);
    }
    h.collect(true, &mut roots);
    let nodes: Vec<Ref> = (0..OBJECTS)
        .map(|i| roots.0[2 * (i * STEP % OBJECTS)])
        .collect();
    for w in nodes.windows(2) {
        assert_ne!(
            w[0].addr().0 >> 12,
            w[1].addr().0 >> 12,
            "two nodes share a page"
        );
    }
    assert!(
        nodes.iter().all(|r| r.addr().0 >= 8 << 20),
        "not in old space"
    );
    (h, nodes, payload)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("field_read_scattered");
    for (name, cache_bytes) in [("uncached_miss", 16 << 12), ("cached_hit", 8 << 20)] {
        let (h, nodes, off) = heap_with_spread_objects(cache_bytes);
        let mut i = 0;
        g.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % OBJECTS;
                black_box(&h).read::<u32>(black_box(nodes[i]), black_box(off))
            })
        });
        let s = h.heap_stats().cache;
        eprintln!(
            "{name}: hits {} misses {} minor faults {} evictions {}",
            s.hits, s.misses, s.minor_faults, s.evictions
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
