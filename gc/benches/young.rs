//! One young collection of a full-ish nursery: 100k small linked nodes of which
//! 10% (or 50%) are reachable from a root, the rest garbage. It measures the
//! copying cost per survivor plus the fixed cost of a young pause (root scan,
//! card scan, flip), which is what a program allocating short-lived objects
//! pays on every nursery fill. Each sample gets a freshly built heap
//! (`iter_batched`, per iteration), so only `collect(false, ..)` is timed.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use semeru_gc::{ClassId, ElemKind, GcMode, Heap, HeapConfig, InstanceLayout, Ref, RootSet};

/// `class Node { Node next, other; int payload; }`
const NODE: ClassId = ClassId(0);
/// Nodes allocated before each collection (about 2.4 MB of an 8 MB nursery).
const NODES: usize = 100_000;

struct Roots(Vec<Ref>);
impl RootSet for Roots {
    fn visit_roots(&mut self, visit: &mut dyn FnMut(&mut Ref)) {
        self.0.iter_mut().for_each(visit);
    }
}

/// A heap whose nursery holds `NODES` nodes in two chains: every
/// `keep_every`-th node on the live chain (root 0), the rest on a chain whose
/// root is cleared before returning (garbage). Nodes link only within their
/// chain.
fn filled_heap(keep_every: usize) -> (Heap, Roots) {
    let cfg = HeapConfig {
        heap_bytes: 64 << 20,
        young_bytes: 8 << 20,
        gc: GcMode::Local,
        ..HeapConfig::default()
    };
    let mut h = Heap::new(cfg).expect("heap");
    let (layout, offs) =
        InstanceLayout::default().extend(&[ElemKind::Ref, ElemKind::Ref, ElemKind::Int]);
    h.define_class(NODE, layout.to_layout());
    let (next, other, payload) = (offs[0], offs[1], offs[2]);
    let mut roots = Roots(vec![Ref::NULL; 2]);
    for i in 0..NODES {
        let n = h.alloc(NODE, &mut roots).expect("alloc");
        h.write::<u32>(n, payload, i as u32);
        let chain = if i % keep_every == 0 { 0 } else { 1 };
        let prev = roots.0[chain];
        h.write_ref(n, next, prev);
        // A skip link two back along the same chain, so the copier sees a
        // second (already forwarded) reference without making garbage live.
        if !prev.is_null() {
            let skip = h.read_ref(prev, next);
            h.write_ref(n, other, skip);
        }
        roots.0[chain] = n;
    }
    assert_eq!(
        h.stats().pause_count(),
        0,
        "setup collected: nursery too small"
    );
    roots.0[1] = Ref::NULL;
    (h, roots)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("young_gc_100k_nodes");
    g.sample_size(30);
    for (name, keep_every) in [("survive_10pct", 10), ("survive_50pct", 2)] {
        g.bench_function(name, |b| {
            b.iter_batched(
                || filled_heap(keep_every),
                |(mut h, mut roots)| {
                    h.collect(false, &mut roots);
                    black_box(&roots.0[0]);
                    (h, roots)
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
    // One more of each, outside timing, to show what a pause copied.
    for keep_every in [10, 2] {
        let (mut h, mut roots) = filled_heap(keep_every);
        h.collect(false, &mut roots);
        eprintln!(
            "one young pause (keep 1 in {keep_every}): {:?}",
            h.stats().pauses.last()
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
