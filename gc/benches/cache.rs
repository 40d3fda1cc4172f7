//! The cost of a field read through the page table: an old object on a cached
//! page (hit), the same with everything local (`--memnodes 0`), the same read
//! in one flat local heap with a bounds check (what a field read cost before the
//! page table), and a plain local `*const u32` read.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use semeru_gc::backend::PageBackend;
use semeru_gc::{ClassId, ElemKind, Heap, HeapConfig, InstanceLayout, Ref};

mod common;

use common::{MapBackend, Roots};

/// A heap with one old object (promoted by a full collection), its payload 42.
fn heap_with_old_object(backend: Option<Box<dyn PageBackend>>) -> (Heap, Ref, u32) {
    let cfg = HeapConfig {
        heap_bytes: 64 << 20,
        young_bytes: 8 << 20,
        cache_bytes: Some(1 << 20),
        ..HeapConfig::default()
    };
    let mut h = Heap::with_backend(cfg, backend).expect("heap");
    let (layout, offs) = InstanceLayout::default().extend(&[ElemKind::Ref, ElemKind::Int]);
    h.define_class(ClassId(0), layout.to_layout());
    let mut roots = Roots(vec![Ref::NULL]);
    roots.0[0] = h.alloc(ClassId(0), &mut roots).expect("alloc");
    h.write::<u32>(roots.0[0], offs[1], 42);
    h.collect(true, &mut roots);
    let r = roots.0[0];
    assert!(r.addr().0 >= 8 << 20, "object not in old space");
    assert_eq!(h.read::<u32>(r, offs[1]), 42);
    (h, r, offs[1])
}

fn bench(c: &mut Criterion) {
    let (cached, r1, off1) = heap_with_old_object(Some(Box::new(MapBackend::default())));
    let (local, r2, off2) = heap_with_old_object(None);
    let plain: Box<[u32]> = vec![42; 1024].into_boxed_slice();
    let mut g = c.benchmark_group("field_read");
    g.bench_function("cached_hit", |b| {
        b.iter(|| black_box(&cached).read::<u32>(black_box(r1), black_box(off1)))
    });
    g.bench_function("memnodes0_local", |b| {
        b.iter(|| black_box(&local).read::<u32>(black_box(r2), black_box(off2)))
    });
    // What a field read cost before the page table: one contiguous local heap,
    // a bounds check, base + address (the old `LocalMemory::ptr`).
    let flat: Box<[u8]> = vec![0u8; 64 << 20].into_boxed_slice();
    g.bench_function("flat_heap", |b| {
        let (base, len) = (flat.as_ptr(), flat.len());
        b.iter(|| {
            let a = black_box(r2).addr().0 as usize + black_box(off2) as usize;
            assert!(a + 4 <= len, "heap access out of bounds");
            // SAFETY: in bounds (asserted); 4-aligned (object offsets are).
            unsafe { (black_box(base).add(a) as *const u32).read() }
        })
    });
    g.bench_function("plain_ptr", |b| {
        let p: *const u32 = plain.as_ptr();
        // SAFETY: index 5 is inside `plain`, which outlives the bench.
        b.iter(|| unsafe { black_box(p).add(black_box(5)).read() })
    });
    g.finish();
    let s = cached.heap_stats().cache;
    eprintln!("cached heap: {s:?}");
}

criterion_group!(benches, bench);
criterion_main!(benches);
