//! A criterion-free micro check of the heap's hot paths: binary-trees-style
//! allocation with a long-lived tree, plus field reads.
//!
//! `cargo run --release -p semeru-gc --example gcbench [depth] [--log] [--verify] [--stress]`

use std::time::Instant;

use semeru_gc::{ClassId, ElemKind, Heap, HeapConfig, InstanceLayout, Ref, RootSet};

struct Roots(Vec<Ref>);

impl RootSet for Roots {
    fn visit_roots(&mut self, visit: &mut dyn FnMut(&mut Ref)) {
        self.0.iter_mut().for_each(visit);
    }
}

const NODE: ClassId = ClassId(0);
const L: u32 = 8;
const R: u32 = 12;

/// Builds a tree of `depth` in `roots[sp]`, using slots above `sp` as scratch.
fn build(h: &mut Heap, roots: &mut Roots, sp: usize, depth: u32) {
    if depth == 0 {
        roots.0[sp] = h.alloc(NODE, roots).expect("oom");
        return;
    }
    build(h, roots, sp + 1, depth - 1);
    build(h, roots, sp + 2, depth - 1);
    let n = h.alloc(NODE, roots).expect("oom");
    h.write_ref(n, L, roots.0[sp + 1]);
    h.write_ref(n, R, roots.0[sp + 2]);
    roots.0[sp] = n;
    roots.0[sp + 1] = Ref::NULL;
    roots.0[sp + 2] = Ref::NULL;
}

fn check(h: &Heap, r: Ref) -> u64 {
    let l = h.read_ref(r, L);
    if l.is_null() {
        1
    } else {
        1 + check(h, l) + check(h, h.read_ref(r, R))
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let max: u32 = args.iter().find_map(|a| a.parse().ok()).unwrap_or(16);
    let cfg = HeapConfig {
        log: args.iter().any(|a| a == "--log"),
        verify: args.iter().any(|a| a == "--verify"),
        stress: args.iter().any(|a| a == "--stress"),
        ..HeapConfig::default()
    };
    let mut h = Heap::new(cfg).expect("heap");
    let (l, _) = InstanceLayout::default().extend(&[ElemKind::Ref, ElemKind::Ref]);
    h.define_class(NODE, l.to_layout());
    let mut roots = Roots(vec![Ref::NULL; 2 * max as usize + 8]);
    let t = Instant::now();
    build(&mut h, &mut roots, 0, max); // long-lived
    let mut d = 4;
    while d <= max {
        let iters = 1u32 << (max - d + 4);
        let mut c = 0;
        for _ in 0..iters {
            build(&mut h, &mut roots, 1, d);
            c += check(&h, roots.0[1]);
        }
        println!("{iters}\t trees of depth {d}\t check: {c}");
        d += 2;
    }
    println!(
        "long lived tree of depth {max}\t check: {}",
        check(&h, roots.0[0])
    );
    let s = h.stats();
    println!(
        "{:.3}s, {} MiB allocated, {} young / {} full pauses, total {:.1} ms, max {:.2} ms, promoted {} KiB",
        t.elapsed().as_secs_f64(),
        s.bytes_allocated >> 20,
        s.young_count(),
        s.full_count(),
        s.total_pause_ms(),
        s.max_pause_ms(),
        s.bytes_promoted >> 10
    );
}
