//! A mock mutator for GC tests: a few class layouts, a root vector, a seeded RNG
//! and a structural fingerprint of the graph reachable from the roots.

#![allow(dead_code)]

pub mod gcmock;
pub mod mock;

use std::collections::HashMap;

use semeru_gc::heap::Prim;
use semeru_gc::{ClassId, ElemKind, Heap, HeapConfig, InstanceLayout, Layout, Ref, RootSet};

/// `class Node { Node a, b; int payload; }`
pub const NODE: ClassId = ClassId(0);
pub const REF_ARRAY: ClassId = ClassId(1);
pub const INT_ARRAY: ClassId = ClassId(2);
pub const BYTE_ARRAY: ClassId = ClassId(3);
/// `class Empty {}` (header only).
pub const EMPTY: ClassId = ClassId(4);

pub const A: u32 = 8;
pub const B: u32 = 12;
pub const PAYLOAD: u32 = 16;

pub struct Roots(pub Vec<Ref>);

impl RootSet for Roots {
    fn visit_roots(&mut self, visit: &mut dyn FnMut(&mut Ref)) {
        self.0.iter_mut().for_each(visit);
    }
}

pub fn config(heap: usize, young: usize, region: usize) -> HeapConfig {
    HeapConfig {
        heap_bytes: heap,
        young_bytes: young,
        region_bytes: region,
        tenure_age: 2,
        verify: true,
        stress: false,
        log: false,
        cache_bytes: None,
        ..HeapConfig::default()
    }
}

/// Frames of the tiny cache the `*_cached` test targets run with.
pub const TINY_CACHE_FRAMES: usize = 24;

/// Whether this test target runs its heaps over the mock backend with a tiny
/// cache (the `*_cached` targets include the plain ones).
pub fn cached() -> bool {
    env!("CARGO_CRATE_NAME").ends_with("_cached")
}

/// Fatal errors panic in tests (instead of exiting 70).
pub fn panic_on_fatal() {
    fn hook(msg: &str) -> ! {
        panic!("fatal: {msg}")
    }
    semeru_gc::set_fatal_hook(hook);
}

/// A heap for `cfg`: local, or over the mock backend with a tiny cache in
/// the `*_cached` targets.
pub fn new_heap(cfg: HeapConfig) -> Result<Heap, semeru_gc::HeapError> {
    panic_on_fatal();
    if cached() {
        let cfg = HeapConfig {
            cache_bytes: Some(TINY_CACHE_FRAMES * 4096),
            ..cfg
        };
        Heap::with_backend(cfg, Some(mock::Mock::new(usize::MAX).boxed()))
    } else {
        Heap::new(cfg)
    }
}

/// Defines the test classes: NODE (refs A, B, int PAYLOAD), the ref, int and
/// byte arrays, and EMPTY.
pub fn define_classes(h: &mut Heap) {
    let (node, off) =
        InstanceLayout::default().extend(&[ElemKind::Ref, ElemKind::Ref, ElemKind::Int]);
    assert_eq!(off, vec![A, B, PAYLOAD]);
    h.define_class(NODE, node.to_layout());
    h.define_class(
        REF_ARRAY,
        Layout::Array {
            elem: ElemKind::Ref,
        },
    );
    h.define_class(
        INT_ARRAY,
        Layout::Array {
            elem: ElemKind::Int,
        },
    );
    h.define_class(
        BYTE_ARRAY,
        Layout::Array {
            elem: ElemKind::Byte,
        },
    );
    h.define_class(EMPTY, InstanceLayout::default().to_layout());
}

pub fn heap(cfg: HeapConfig) -> Heap {
    let mut h = new_heap(cfg).expect("heap config");
    define_classes(&mut h);
    h
}

/// xorshift64*: deterministic, dependency-free.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

pub fn elem<T: Prim>(h: &Heap, r: Ref, i: u32, k: ElemKind) -> T {
    h.read::<T>(r, Heap::elem_offset(k, i))
}

/// A description of the graph reachable from the roots that does not depend on
/// addresses: objects numbered in discovery order, with their class, contents
/// and children (as discovery numbers).
pub fn fingerprint(h: &Heap, roots: &[Ref]) -> Vec<u64> {
    let mut ids: HashMap<Ref, u64> = HashMap::new();
    let mut order: Vec<Ref> = Vec::new();
    let mut out = Vec::new();
    let id_of = |r: Ref, ids: &mut HashMap<Ref, u64>, order: &mut Vec<Ref>| -> u64 {
        if r.is_null() {
            return u64::MAX;
        }
        *ids.entry(r).or_insert_with(|| {
            order.push(r);
            order.len() as u64 - 1
        })
    };
    for &r in roots {
        let id = id_of(r, &mut ids, &mut order);
        out.push(id);
    }
    let mut i = 0;
    while i < order.len() {
        let r = order[i];
        let c = h.class_of(r);
        out.push(c.0 as u64);
        match c {
            NODE => {
                out.push(h.read::<i32>(r, PAYLOAD) as u64);
                for off in [A, B] {
                    let ch = h.read_ref(r, off);
                    out.push(id_of(ch, &mut ids, &mut order));
                }
            }
            REF_ARRAY => {
                let n = h.array_len(r);
                out.push(n as u64);
                for j in 0..n {
                    let ch = h.read_ref(r, Heap::elem_offset(ElemKind::Ref, j));
                    out.push(id_of(ch, &mut ids, &mut order));
                }
            }
            INT_ARRAY => {
                let n = h.array_len(r);
                let mut v = vec![0i32; n as usize];
                h.read_elems(r, 0, &mut v);
                out.push(n as u64);
                out.push(hash(&v));
            }
            BYTE_ARRAY => {
                let n = h.array_len(r);
                let mut v = vec![0u8; n as usize];
                h.read_elems(r, 0, &mut v);
                out.push(n as u64);
                out.push(hash(&v));
            }
            EMPTY => {}
            other => panic!("unexpected class {other:?} at {r:?}"),
        }
        i += 1;
    }
    out
}

/// A cheap content hash: the ends and a stride of the middle.
fn hash<T: Copy + Into<i64>>(v: &[T]) -> u64 {
    let n = v.len();
    let mut h = 0u64;
    let mut i = 0;
    while i < n {
        h = h.wrapping_mul(31).wrapping_add(v[i].into() as u64);
        i += if i < 16 || i + 16 >= n {
            1
        } else {
            61.min(n - 16 - i)
        };
    }
    h
}

/// Allocates a node with `payload`, keeping it in `roots.0[slot]`.
pub fn node(h: &mut Heap, roots: &mut Roots, slot: usize, payload: i32) -> Ref {
    let r = h.alloc(NODE, roots).expect("node");
    h.write::<i32>(r, PAYLOAD, payload);
    roots.0[slot] = r;
    r
}
