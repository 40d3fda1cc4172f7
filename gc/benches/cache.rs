//! The cost of a field read through the page table: an old object on a cached
//! page (hit), the same with everything local (`--memnodes 0`), the same read
//! in one flat local heap with a bounds check (what a field read cost before the
//! page table), and a plain local `*const u32` read.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use semeru_gc::backend::{
    AcquireError, BackendError, FabricTotals, MemnodeInfo, PageAddr, PageBackend,
};
use semeru_gc::{ClassId, ElemKind, Heap, HeapConfig, InstanceLayout, Ref, RegionId, RootSet};

/// Regions in a map: enough for a bench that never evicts.
#[derive(Default)]
struct MapBackend(std::collections::HashMap<u32, Vec<u8>>);

impl PageBackend for MapBackend {
    fn memnodes(&self) -> usize {
        1
    }
    fn acquire(&mut self, r: RegionId, bytes: u32) -> Result<(), AcquireError> {
        self.0.insert(r.0, vec![0; bytes as usize]);
        Ok(())
    }
    fn release(&mut self, rs: &[RegionId]) -> Result<(), BackendError> {
        rs.iter().for_each(|r| {
            self.0.remove(&r.0);
        });
        Ok(())
    }
    fn page_io(
        &mut self,
        writes: &[(PageAddr, &[u8])],
        reads: &[PageAddr],
        out: &mut Vec<u8>,
        _gc: bool,
    ) -> Result<(), BackendError> {
        for (p, b) in writes {
            let r = self
                .0
                .get_mut(&p.region.0)
                .ok_or(BackendError("no region".into()))?;
            r[p.offset as usize..][..b.len()].copy_from_slice(b);
        }
        for p in reads {
            let r = self
                .0
                .get(&p.region.0)
                .ok_or(BackendError("no region".into()))?;
            out.extend_from_slice(&r[p.offset as usize..][..p.len as usize]);
        }
        Ok(())
    }
    fn upload_layouts(&mut self, _blob: &[u8]) -> Result<(), BackendError> {
        Ok(())
    }
    fn totals(&self) -> FabricTotals {
        FabricTotals::default()
    }
    fn nodes(&self) -> Vec<MemnodeInfo> {
        Vec::new()
    }
    fn shutdown(&mut self) {}
}

struct Roots(Vec<Ref>);
impl RootSet for Roots {
    fn visit_roots(&mut self, visit: &mut dyn FnMut(&mut Ref)) {
        self.0.iter_mut().for_each(visit);
    }
}

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
