// The offloaded old collector's VM side, over a mock of the memnodes that
// marks a few objects per poll (so the program really runs during marking)
// with the gc crate's own evacuation and block-offset code: random graphs,
// random stores, cycles started and finished at random points, reachability
// checked against a model kept outside the heap, the heap verified after
// every evacuation.

mod common;

use std::collections::{HashMap, HashSet};

use common::gcmock::OffMock;
use common::*;
use semeru_gc::{ElemKind, GcMode, Heap, HeapConfig, OffloadStats, Ref};

fn offload_config() -> HeapConfig {
    HeapConfig {
        heap_bytes: 16 << 20,
        young_bytes: 512 << 10,
        region_bytes: 64 << 10,
        tenure_age: 2,
        verify: true,
        cache_bytes: Some(24 * 4096),
        ..HeapConfig::default()
    }
}

fn offload_heap(cfg: HeapConfig, nodes: usize, step: usize) -> (Heap, OffMock) {
    panic_on_fatal();
    let m = OffMock::new(nodes, step);
    let mut h = Heap::with_backend(cfg, Some(m.boxed())).expect("heap");
    define_classes(&mut h);
    (h, m)
}

/// The program's graph as the model knows it: node id → (a, b) ids, 0 = null.
struct Model {
    nodes: HashMap<i32, [i32; 2]>,
    roots: Vec<i32>,
    next: i32,
}

/// Root slots of the tests; `m.roots` also covers the elements of the
/// backbone array (root `BACKBONE`), after them.
const NROOTS: usize = 24;
const TMP: usize = NROOTS;
const BACKBONE: usize = NROOTS + 1;
const BACKBONE_LEN: u32 = 2048;

/// Program slot `i`: a root, or an element of the backbone array.
fn get_slot(h: &Heap, roots: &Roots, i: usize) -> Ref {
    if i < NROOTS {
        roots.0[i]
    } else {
        let k = (i - NROOTS) as u32;
        h.read_ref(roots.0[BACKBONE], Heap::elem_offset(ElemKind::Ref, k))
    }
}

fn set_slot(h: &mut Heap, roots: &mut Roots, i: usize, v: Ref) {
    if i < NROOTS {
        roots.0[i] = v;
    } else {
        let k = (i - NROOTS) as u32;
        h.write_ref(roots.0[BACKBONE], Heap::elem_offset(ElemKind::Ref, k), v);
    }
}

/// A random walk from a random non-null slot: (heap ref, model id).
fn walk(h: &Heap, m: &Model, roots: &Roots, rng: &mut Rng) -> Option<(Ref, i32)> {
    let i = rng.below(m.roots.len() as u64) as usize;
    let (mut r, mut id) = (get_slot(h, roots, i), m.roots[i]);
    if id == 0 {
        assert!(r.is_null());
        return None;
    }
    for _ in 0..rng.below(6) {
        let f = rng.below(2) as usize;
        let next = m.nodes[&id][f];
        if next == 0 {
            break;
        }
        r = h.read_ref(r, if f == 0 { A } else { B });
        id = next;
    }
    assert_eq!(
        h.read::<i32>(r, PAYLOAD),
        id,
        "walk reached the wrong object"
    );
    Some((r, id))
}

/// Compares everything reachable from the roots with the model.
fn check(h: &Heap, m: &Model, roots: &Roots) {
    let mut seen = HashSet::new();
    let mut work: Vec<(Ref, i32)> = Vec::new();
    for (i, &id) in m.roots.iter().enumerate() {
        let r = get_slot(h, roots, i);
        assert_eq!(r.is_null(), id == 0, "root {i}");
        if id != 0 {
            work.push((r, id));
        }
    }
    while let Some((r, id)) = work.pop() {
        assert_eq!(h.class_of(r), NODE);
        assert_eq!(h.read::<i32>(r, PAYLOAD), id, "object {r:?}");
        if !seen.insert(id) {
            continue;
        }
        for (f, off) in [A, B].into_iter().enumerate() {
            let c = h.read_ref(r, off);
            let cid = m.nodes[&id][f];
            assert_eq!(c.is_null(), cid == 0, "node {id} field {f}");
            if cid != 0 {
                work.push((c, cid));
            }
        }
    }
}

fn random_mutator(nodes: usize, seed: u64, ops: usize) -> (OffMock, OffloadStats) {
    let (mut h, mock) = offload_heap(offload_config(), nodes, 40);
    let nroots = NROOTS + BACKBONE_LEN as usize;
    let mut rng = Rng(seed | 1);
    let mut roots = Roots(vec![Ref::NULL; BACKBONE + 1]);
    let tmp = TMP;
    let bb = h
        .alloc_array(REF_ARRAY, BACKBONE_LEN, &mut roots)
        .expect("backbone");
    roots.0[BACKBONE] = bb;
    let mut m = Model {
        nodes: HashMap::new(),
        roots: vec![0; nroots],
        next: 1,
    };
    for op in 0..ops {
        match rng.below(100) {
            0..=24 => {
                let slot = rng.below(nroots as u64) as usize;
                let id = m.next;
                m.next += 1;
                let r = h.alloc(NODE, &mut roots).expect("node");
                h.write::<i32>(r, PAYLOAD, id);
                m.nodes.insert(id, [0, 0]);
                // Linked into the graph, or into a root.
                roots.0[tmp] = r;
                let at = if rng.below(3) == 0 {
                    None
                } else {
                    walk(&h, &m, &roots, &mut rng)
                };
                let r = roots.0[tmp];
                roots.0[tmp] = Ref::NULL;
                match at {
                    Some((x, xid)) => {
                        let f = rng.below(2) as usize;
                        h.write_ref(x, if f == 0 { A } else { B }, r);
                        m.nodes.get_mut(&xid).unwrap()[f] = id;
                    }
                    None => {
                        set_slot(&mut h, &mut roots, slot, r);
                        m.roots[slot] = id;
                    }
                }
            }
            25..=54 => {
                // node.f = some reachable node (or null).
                let Some((x, xid)) = walk(&h, &m, &roots, &mut rng) else {
                    continue;
                };
                let (y, yid) = if rng.below(16) == 0 {
                    (Ref::NULL, 0)
                } else {
                    walk(&h, &m, &roots, &mut rng).unwrap_or((Ref::NULL, 0))
                };
                let f = rng.below(2) as usize;
                h.write_ref(x, if f == 0 { A } else { B }, y);
                m.nodes.get_mut(&xid).unwrap()[f] = yid;
            }
            55..=64 => {
                // The SATB case: a reference moves (to a root or another
                // node) and its old slot is cleared.
                let Some((x, xid)) = walk(&h, &m, &roots, &mut rng) else {
                    continue;
                };
                let f = rng.below(2) as usize;
                let off = if f == 0 { A } else { B };
                let (c, cid) = (h.read_ref(x, off), m.nodes[&xid][f]);
                if rng.below(2) == 0 {
                    let slot = rng.below(nroots as u64) as usize;
                    set_slot(&mut h, &mut roots, slot, c);
                    m.roots[slot] = cid;
                } else if let Some((z, zid)) = walk(&h, &m, &roots, &mut rng) {
                    let g = rng.below(2) as usize;
                    h.write_ref(z, if g == 0 { A } else { B }, c);
                    m.nodes.get_mut(&zid).unwrap()[g] = cid;
                }
                if m.nodes[&xid][f] == cid {
                    h.write_ref(x, off, Ref::NULL);
                    m.nodes.get_mut(&xid).unwrap()[f] = 0;
                }
            }
            65..=69 => {
                let slot = rng.below(nroots as u64) as usize;
                let (y, yid) = if rng.below(3) == 0 {
                    (Ref::NULL, 0)
                } else {
                    walk(&h, &m, &roots, &mut rng).unwrap_or((Ref::NULL, 0))
                };
                set_slot(&mut h, &mut roots, slot, y);
                m.roots[slot] = yid;
            }
            70..=89 => {
                // Garbage, now and then humongous.
                let len = if rng.below(50) == 0 { 20_000 } else { 100 };
                let a = h.alloc_array(INT_ARRAY, len, &mut roots).expect("garbage");
                roots.0[tmp] = a;
                roots.0[tmp] = Ref::NULL;
            }
            90..=91 => {
                if h.old_cycle_active() {
                    if rng.below(4) == 0 {
                        h.finish_old_cycle(&mut roots);
                        check(&h, &m, &roots);
                    }
                } else {
                    h.start_old_cycle(&mut roots);
                }
            }
            92..=94 => h.collect(false, &mut roots),
            _ => {
                if rng.below(100) == 0 {
                    h.collect(true, &mut roots);
                }
            }
        }
        if op % 500 == 0 {
            check(&h, &m, &roots);
        }
    }
    if h.old_cycle_active() {
        h.finish_old_cycle(&mut roots);
    }
    check(&h, &m, &roots);
    h.verify(&mut roots).expect("heap verifies");
    let s = h.stats();
    let off = s.offload.clone().expect("offload stats");
    eprintln!("{nodes} memnodes: {off:?} {:?}", s.by_kind());
    assert!(off.cycles >= 3, "cycles: {off:?}");
    assert!(off.marked_bytes > 0);
    assert_eq!(s.count("initial-mark") as u64, off.cycles);
    assert!(s.count("evacuate") > 0);
    // Dirty pages above TAMS stayed dirty; the VM fixed them itself.
    assert!(off.kept_new_pages > 0, "{off:?}");
    // Initial marks left dirty pages unwritten; marking waited for them.
    assert!(off.pending_pages > 0, "{off:?}");
    assert!(off.pending_flushed <= off.pending_pages, "{off:?}");
    {
        let st = mock.state();
        assert_eq!(st.cycles_begun, st.cycles_ended);
        assert!(st.gc.is_none());
    }
    (mock, off)
}

#[test]
fn random_mutator_one_memnode() {
    let (m, off) = random_mutator(1, 11, 30_000);
    assert!(m.state().evacuations > 0);
    // Some evacuations kept dirty pages below TAMS and fixed them in the VM.
    assert!(off.kept_dirty_pages > 0, "{off:?}");
    // Fixups changed cached clean pages, and the VM patched its copies.
    assert!(off.patched_slots > 0, "{off:?}");
    // Some kept pages began inside an object whose header page had left
    // the cache: the VM read its head from the memnode.
    assert!(off.peeked_objects > 0, "{off:?}");
}

#[test]
fn random_mutator_two_memnodes() {
    random_mutator(2, 22, 30_000);
}

#[test]
fn random_mutator_three_memnodes() {
    random_mutator(3, 33, 30_000);
}

/// Many live old objects: a list of `n` nodes hanging off root 0, promoted
/// by a full collection.
fn old_list(h: &mut Heap, roots: &mut Roots, n: i32) {
    for i in 0..n {
        let r = h.alloc(NODE, roots).expect("node");
        h.write::<i32>(r, PAYLOAD, i + 1);
        let head = roots.0[0];
        h.write_ref(r, A, head);
        roots.0[0] = r;
    }
    h.collect(true, roots);
}

#[test]
fn reference_moved_between_memnodes_during_marking_survives() {
    let (mut h, mock) = offload_heap(offload_config(), 2, 1000);
    let mut roots = Roots(vec![Ref::NULL; 4]);
    old_list(&mut h, &mut roots, 20_000);
    assert!(h.stats().count("evacuate") > 0 || h.stats().full_count() > 0);
    // Find x -> o where o lives on another memnode than x, and some z on
    // o's memnode... or any third old object.
    let log_region = h.config().region_bytes.trailing_zeros();
    let home = |r: Ref| {
        let region = (r.addr().0 >> log_region) as u32;
        mock.state().regions.get(&region).map(|x| x.0)
    };
    let mut x = roots.0[0];
    let (mut px, mut found) = (Ref::NULL, None);
    while !x.is_null() {
        let o = h.read_ref(x, A);
        if !o.is_null() && home(x) != home(o) {
            found = Some((px, x, o));
            break;
        }
        px = x;
        x = o;
    }
    let (_, x, o) = found.expect("a list edge between memnodes");
    let oid = h.read::<i32>(o, PAYLOAD);
    // Cut the list after o; keep x and a far-away z (on o's memnode) rooted.
    let after = h.read_ref(o, A);
    h.write_ref(o, A, Ref::NULL);
    let mut z = after;
    while !z.is_null() && home(z) != home(o) {
        z = h.read_ref(z, A);
    }
    assert!(!z.is_null(), "an object on o's memnode");
    roots.0[1] = x;
    roots.0[2] = z;
    roots.0[0] = Ref::NULL;
    assert!(h.start_old_cycle(&mut roots));
    assert!(h.old_cycle_active());
    // During marking: o moves from x (one memnode) to z (the other); the
    // only path the marking can still see to o is the SATB log.
    let (x, z) = (roots.0[1], roots.0[2]);
    h.write_ref(z, B, o);
    h.write_ref(x, A, Ref::NULL);
    // And into a young object, from which nothing is logged.
    let y = h.alloc(NODE, &mut roots).expect("young");
    roots.0[3] = y;
    let z = roots.0[2];
    let o = h.read_ref(z, B);
    h.write_ref(y, B, o);
    h.finish_old_cycle(&mut roots);
    assert!(!h.old_cycle_active());
    let z = roots.0[2];
    let o = h.read_ref(z, B);
    assert_eq!(h.read::<i32>(o, PAYLOAD), oid);
    assert_eq!(h.read_ref(roots.0[3], B), o);
    h.verify(&mut roots).expect("heap verifies");
    assert!(h.stats().offload.as_ref().unwrap().satb_refs >= 1);
    assert!(mock.state().satb_refs >= 1);
}

#[test]
fn garbage_regions_are_freed_and_sparse_ones_evacuated() {
    let (mut h, mock) = offload_heap(offload_config(), 2, 1000);
    let mut roots = Roots(vec![Ref::NULL; 2]);
    old_list(&mut h, &mut roots, 30_000);
    let regions_before = mock.state().regions.len();
    // Drop every other node, then all but the first 2000.
    let mut x = roots.0[0];
    let mut i = 0;
    while !x.is_null() {
        let next = h.read_ref(x, A);
        if i == 2000 {
            h.write_ref(x, A, Ref::NULL);
            break;
        }
        if !next.is_null() && i % 2 == 0 {
            let nn = h.read_ref(next, A);
            h.write_ref(x, A, nn);
            x = nn;
        } else {
            x = next;
        }
        i += 1;
    }
    assert!(h.start_old_cycle(&mut roots));
    h.finish_old_cycle(&mut roots);
    let off = h.stats().offload.clone().unwrap();
    assert!(off.freed_regions > 0, "{off:?}");
    assert!(off.evacuated_regions > 0, "{off:?}");
    assert!(off.evacuated_bytes > 0, "{off:?}");
    assert!(mock.state().regions.len() < regions_before);
    // The survivors: 1001 nodes, payloads descending by two.
    let mut n = 0;
    let mut x = roots.0[0];
    let mut last = i32::MAX;
    while !x.is_null() {
        let p = h.read::<i32>(x, PAYLOAD);
        assert!(p < last);
        last = p;
        n += 1;
        x = h.read_ref(x, A);
    }
    assert!(n > 1000, "{n}");
    h.verify(&mut roots).expect("heap verifies");
}

#[test]
fn local_mode_never_starts_a_cycle() {
    let cfg = HeapConfig {
        gc: GcMode::Local,
        ..offload_config()
    };
    let (mut h, mock) = offload_heap(cfg, 2, 10);
    let mut roots = Roots(vec![Ref::NULL; 2]);
    assert!(!h.start_old_cycle(&mut roots));
    old_list(&mut h, &mut roots, 5000);
    assert!(h.stats().offload.is_none());
    assert_eq!(mock.state().cycles_begun, 0);
    assert_eq!(h.stats().full_count(), 1);
}

#[test]
fn stress_runs_cycles_and_keeps_the_graph() {
    // Stress cycles wait for a quarter of a nursery of allocation: a small
    // nursery makes them frequent.
    let cfg = HeapConfig {
        stress: true,
        young_bytes: 64 << 10,
        ..offload_config()
    };
    let (mut h, _mock) = offload_heap(cfg, 2, 50);
    let mut roots = Roots(vec![Ref::NULL; 8]);
    let mut rng = Rng(5);
    for i in 0..6000 {
        let slot = rng.below(8) as usize;
        let r = h.alloc(NODE, &mut roots).expect("node");
        h.write::<i32>(r, PAYLOAD, i);
        let other = roots.0[rng.below(8) as usize];
        h.write_ref(r, A, other);
        roots.0[slot] = r;
    }
    h.verify(&mut roots).expect("heap verifies");
    let off = h.stats().offload.clone().unwrap();
    assert!(off.cycles > 2, "{off:?}");
}

#[test]
fn satb_logs_reference_array_stores() {
    let (mut h, mock) = offload_heap(offload_config(), 1, 1);
    let mut roots = Roots(vec![Ref::NULL; 3]);
    let arr = h.alloc_array(REF_ARRAY, 4, &mut roots).expect("array");
    roots.0[0] = arr;
    let n = h.alloc(NODE, &mut roots).expect("node");
    h.write::<i32>(n, PAYLOAD, 42);
    let arr = roots.0[0];
    h.write_ref(arr, Heap::elem_offset(ElemKind::Ref, 2), n);
    h.collect(true, &mut roots);
    assert!(h.start_old_cycle(&mut roots));
    // The array's only reference to the node moves to a root... no: into a
    // young node, then the array slot is overwritten by a bulk store.
    let y = h.alloc(NODE, &mut roots).expect("young");
    roots.0[1] = y;
    let arr = roots.0[0];
    let n = h.read_ref(arr, Heap::elem_offset(ElemKind::Ref, 2));
    h.write_ref(y, A, n);
    h.write_elems::<u32>(arr, 0, &[0, 0, 0, 0]);
    h.finish_old_cycle(&mut roots);
    let n = h.read_ref(roots.0[1], A);
    assert_eq!(h.read::<i32>(n, PAYLOAD), 42);
    assert!(mock.state().satb_refs >= 1);
    h.verify(&mut roots).expect("heap verifies");
}
