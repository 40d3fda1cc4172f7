//! Nursery allocation: a small instance (`Node { Node a, b; int x; }`) and
//! small int arrays (4 and 32 elements), nothing kept. The figure is per
//! object and includes the young collections the allocations trigger, since
//! that is the price a program pays for each `new`: the eden bump, the zeroing,
//! and an amortised share of a (nearly empty) young pause.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use semeru_gc::{
    ClassId, ElemKind, GcMode, Heap, HeapConfig, InstanceLayout, Layout, Ref, RootSet,
};

const NODE: ClassId = ClassId(0);
const INT_ARRAY: ClassId = ClassId(1);

struct Roots(Vec<Ref>);
impl RootSet for Roots {
    fn visit_roots(&mut self, visit: &mut dyn FnMut(&mut Ref)) {
        self.0.iter_mut().for_each(visit);
    }
}

fn heap() -> Heap {
    let cfg = HeapConfig {
        heap_bytes: 64 << 20,
        young_bytes: 8 << 20,
        gc: GcMode::Local,
        ..HeapConfig::default()
    };
    let mut h = Heap::new(cfg).expect("heap");
    let (layout, _) =
        InstanceLayout::default().extend(&[ElemKind::Ref, ElemKind::Ref, ElemKind::Int]);
    h.define_class(NODE, layout.to_layout());
    h.define_class(
        INT_ARRAY,
        Layout::Array {
            elem: ElemKind::Int,
        },
    );
    h
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("nursery_alloc");
    g.throughput(Throughput::Elements(1));
    let mut h = heap();
    let mut roots = Roots(vec![Ref::NULL]);
    g.bench_function("node", |b| {
        b.iter(|| black_box(h.alloc(NODE, &mut roots).expect("alloc")))
    });
    for len in [4u32, 32] {
        g.bench_function(format!("int_array_{len}"), |b| {
            b.iter(|| {
                black_box(
                    h.alloc_array(INT_ARRAY, black_box(len), &mut roots)
                        .expect("alloc"),
                )
            })
        });
    }
    g.finish();
    let s = h.stats();
    eprintln!(
        "allocated {} bytes in all, {} young pauses, {:.3} ms pause total",
        s.bytes_allocated, s.young_pauses, s.pause_ms_total
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
