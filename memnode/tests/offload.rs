//! The offloaded old collector end to end, below the CLI: a `Heap` over real
//! embedded memnodes (in-process transport, in-process peer links), driven by a
//! randomized mutator. Random object graphs and pointer stores; young
//! collections and offloaded old cycles started and finished at random points
//! through the heap API (so the mutator really runs while the memnodes mark);
//! after every cycle the graph reachable from the roots is compared with a
//! model kept outside the heap. With 1, 2 and 3 memnodes, several seeds each.
//! Plus: a reference that moves between objects on different memnodes during
//! marking keeps its object alive; the memnodes' bytes in use fall after a
//! cycle that frees garbage.

use semeru_fabric::{Service, Token};
use semeru_gc::remote::Memnodes;
use semeru_gc::{
    ClassId, ElemKind, GcMode, Heap, HeapConfig, InstanceLayout, Layout, Ref, RegionId, RootSet,
};
use semeru_memnode::{InprocPeers, Memnode, MemnodeConfig};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

/// `class Node { Node a; Node b; int id; }`
const NODE: ClassId = ClassId(0);
/// `int[]`: garbage, sometimes humongous.
const INT_ARRAY: ClassId = ClassId(1);
/// `Node[]`: a holder whose slots the mutator also rewrites.
const REF_ARRAY: ClassId = ClassId(2);
const A: u32 = 8;
const B: u32 = 12;
const ID: u32 = 16;
/// Slots of every `Node[]` the mutator allocates.
const HOLDER_LEN: u32 = 6;

struct Roots(Vec<Ref>);

impl RootSet for Roots {
    fn visit_roots(&mut self, visit: &mut dyn FnMut(&mut Ref)) {
        self.0.iter_mut().for_each(visit);
    }
}

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn panic_on_fatal() {
    fn hook(msg: &str) -> ! {
        panic!("fatal: {msg}")
    }
    semeru_gc::set_fatal_hook(hook);
}

/// `n` embedded memnodes named `embedded#i`, with in-process peer links, as
/// `semeru run --memnodes N` sets them up.
fn memnodes(n: usize) -> Vec<Arc<Memnode>> {
    let nodes: Vec<Arc<Memnode>> = (0..n)
        .map(|i| {
            Memnode::new(MemnodeConfig {
                name: format!("embedded#{i}"),
                capacity: 256 << 20,
                threads: 2,
                grace: Duration::from_secs(0),
            })
        })
        .collect();
    InprocPeers::install(&nodes);
    nodes
}

fn config() -> HeapConfig {
    HeapConfig {
        heap_bytes: 16 << 20,
        young_bytes: 512 << 10,
        region_bytes: 64 << 10,
        tenure_age: 1,
        verify: false,
        cache_bytes: Some(64 * 4096),
        gc: GcMode::Offload,
        ..HeapConfig::default()
    }
}

/// A heap over `nodes` (the classes defined).
fn heap(nodes: &[Arc<Memnode>], cfg: HeapConfig) -> Heap {
    panic_on_fatal();
    let services: Vec<Arc<dyn Service>> = nodes
        .iter()
        .map(|n| n.clone() as Arc<dyn Service>)
        .collect();
    let backend = Memnodes::connect_inproc(services, Arc::new(Token::empty()), 0x0ff1_0ad5)
        .expect("connect to the embedded memnodes");
    let mut h = Heap::with_backend(cfg, Some(Box::new(backend))).expect("heap");
    let (node, off) =
        InstanceLayout::default().extend(&[ElemKind::Ref, ElemKind::Ref, ElemKind::Int]);
    assert_eq!(off, vec![A, B, ID]);
    h.define_class(NODE, node.to_layout());
    h.define_class(
        INT_ARRAY,
        Layout::Array {
            elem: ElemKind::Int,
        },
    );
    h.define_class(
        REF_ARRAY,
        Layout::Array {
            elem: ElemKind::Ref,
        },
    );
    h
}

fn slot(i: u32) -> u32 {
    Heap::elem_offset(ElemKind::Ref, i)
}

/// What the program's graph is, kept outside the heap: every object by id,
/// with its outgoing edges (ids, 0 = null), and the roots.
#[derive(Default)]
struct Model {
    /// Node id → [a, b]; holder id → its first `HOLDER_LEN` slots.
    edges: BTreeMap<i32, Vec<i32>>,
    /// The ids that are holders.
    holders: BTreeSet<i32>,
    roots: Vec<i32>,
    next: i32,
}

impl Model {
    fn fresh(&mut self) -> i32 {
        self.next += 1;
        self.next
    }
}

/// The id of the object at `r`: a node's `id` field. A holder is a
/// `Node[HOLDER_LEN + 1]` whose last slot points to a tag node (not in the
/// model) carrying minus the holder's id.
fn id_of(h: &Heap, r: Ref) -> i32 {
    if h.class_of(r) == NODE {
        h.read::<i32>(r, ID)
    } else {
        assert_eq!(h.class_of(r), REF_ARRAY, "object {r:?}");
        let tag = h.read_ref(r, slot(HOLDER_LEN));
        assert!(!tag.is_null(), "holder {r:?} lost its tag");
        -h.read::<i32>(tag, ID)
    }
}

/// Walks the heap from the roots and compares ids and edges with the model
/// (every object reachable in the heap is reachable in the model, with the same
/// edges, and the other way round).
fn check(h: &Heap, m: &Model, roots: &Roots, when: &str) {
    let mut seen: BTreeSet<i32> = BTreeSet::new();
    let mut work: Vec<(Ref, i32)> = Vec::new();
    for (i, &id) in m.roots.iter().enumerate() {
        let r = roots.0[i];
        assert_eq!(r.is_null(), id == 0, "{when}: root {i}");
        if id != 0 {
            work.push((r, id));
        }
    }
    while let Some((r, id)) = work.pop() {
        assert_eq!(id_of(h, r), id, "{when}: object {r:?}");
        if !seen.insert(id) {
            continue;
        }
        let want = &m.edges[&id];
        let got: Vec<Ref> = if m.holders.contains(&id) {
            (0..HOLDER_LEN).map(|i| h.read_ref(r, slot(i))).collect()
        } else {
            vec![h.read_ref(r, A), h.read_ref(r, B)]
        };
        for (f, (&c, &cid)) in got.iter().zip(want).enumerate() {
            assert_eq!(c.is_null(), cid == 0, "{when}: object {id} edge {f}");
            if cid != 0 {
                work.push((c, cid));
            }
        }
    }
    // The model's reachable set, from its own edges.
    let mut reach: BTreeSet<i32> = BTreeSet::new();
    let mut stack: Vec<i32> = m.roots.iter().copied().filter(|&x| x != 0).collect();
    while let Some(id) = stack.pop() {
        if reach.insert(id) {
            stack.extend(m.edges[&id].iter().copied().filter(|&x| x != 0));
        }
    }
    assert_eq!(seen, reach, "{when}: reachable sets differ");
}

/// A random object reachable from a random root: (ref, id).
fn walk(h: &Heap, m: &Model, roots: &Roots, rng: &mut Rng) -> Option<(Ref, i32)> {
    let i = rng.below(m.roots.len() as u64) as usize;
    let (mut r, mut id) = (roots.0[i], m.roots[i]);
    if id == 0 {
        return None;
    }
    for _ in 0..rng.below(8) {
        let edges = &m.edges[&id];
        let f = rng.below(edges.len() as u64) as usize;
        if edges[f] == 0 {
            break;
        }
        r = if m.holders.contains(&id) {
            h.read_ref(r, slot(f as u32))
        } else {
            h.read_ref(r, if f == 0 { A } else { B })
        };
        id = edges[f];
    }
    Some((r, id))
}

/// Stores `(y, yid)` into edge `f` of `(x, xid)`, in the heap and the model.
fn store(h: &mut Heap, m: &mut Model, x: Ref, xid: i32, f: usize, y: Ref, yid: i32) {
    if m.holders.contains(&xid) {
        h.write_ref(x, slot(f as u32), y);
    } else {
        h.write_ref(x, if f == 0 { A } else { B }, y);
    }
    m.edges.get_mut(&xid).expect("model object")[f] = yid;
}

fn random_mutator(n: usize, seed: u64, ops: usize) {
    let nodes = memnodes(n);
    let mut h = heap(&nodes, config());
    let nroots = 32;
    // Two scratch roots keep fresh objects alive across the next allocation.
    let (tmp, tmp2) = (nroots, nroots + 1);
    let mut roots = Roots(vec![Ref::NULL; nroots + 2]);
    let mut m = Model {
        roots: vec![0; nroots],
        ..Model::default()
    };
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut cycles_checked = 0;
    for op in 0..ops {
        match rng.below(100) {
            0..=29 => {
                // A new node in a root, pointing at reachable objects.
                let id = m.fresh();
                let r = h.alloc(NODE, &mut roots).expect("node");
                h.write::<i32>(r, ID, id);
                roots.0[tmp] = r;
                let mut e = vec![0, 0];
                for (f, off) in [A, B].into_iter().enumerate() {
                    if rng.below(2) == 0 {
                        if let Some((y, yid)) = walk(&h, &m, &roots, &mut rng) {
                            h.write_ref(roots.0[tmp], off, y);
                            e[f] = yid;
                        }
                    }
                }
                m.edges.insert(id, e);
                let s = rng.below(nroots as u64) as usize;
                roots.0[s] = roots.0[tmp];
                m.roots[s] = id;
                roots.0[tmp] = Ref::NULL;
            }
            30..=33 => {
                // A holder: Node[HOLDER_LEN + 1], its last slot a tag node.
                let hid = m.fresh();
                let t = h.alloc(NODE, &mut roots).expect("tag");
                h.write::<i32>(t, ID, -hid);
                roots.0[tmp2] = t;
                let arr = h
                    .alloc_array(REF_ARRAY, HOLDER_LEN + 1, &mut roots)
                    .expect("holder");
                h.write_ref(arr, slot(HOLDER_LEN), roots.0[tmp2]);
                roots.0[tmp2] = Ref::NULL;
                m.edges.insert(hid, vec![0; HOLDER_LEN as usize]);
                m.holders.insert(hid);
                let s = rng.below(nroots as u64) as usize;
                roots.0[s] = arr;
                m.roots[s] = hid;
            }
            34..=69 => {
                // x.f = y (or null): the store the SATB barrier watches.
                let Some((x, xid)) = walk(&h, &m, &roots, &mut rng) else {
                    continue;
                };
                let (y, yid) = if rng.below(8) == 0 {
                    (Ref::NULL, 0)
                } else {
                    walk(&h, &m, &roots, &mut rng).unwrap_or((Ref::NULL, 0))
                };
                let f = rng.below(m.edges[&xid].len() as u64) as usize;
                store(&mut h, &mut m, x, xid, f, y, yid);
            }
            70..=79 => {
                // A root moves (or is cleared): whole subgraphs die.
                let s = rng.below(nroots as u64) as usize;
                let (y, yid) = if rng.below(3) == 0 {
                    (Ref::NULL, 0)
                } else {
                    walk(&h, &m, &roots, &mut rng).unwrap_or((Ref::NULL, 0))
                };
                roots.0[s] = y;
                m.roots[s] = yid;
            }
            80..=88 => {
                // Garbage, now and then humongous (several regions).
                let len = if rng.below(25) == 0 { 40_000 } else { 120 };
                let a = h.alloc_array(INT_ARRAY, len, &mut roots).expect("garbage");
                h.write::<i32>(a, Heap::elem_offset(ElemKind::Int, len - 1), 7);
            }
            89..=94 => {
                if h.old_cycle_active() {
                    h.finish_old_cycle(&mut roots);
                    assert!(!h.old_cycle_active());
                    check(
                        &h,
                        &m,
                        &roots,
                        &format!("seed {seed}, op {op}, after a cycle"),
                    );
                    cycles_checked += 1;
                } else {
                    assert!(h.start_old_cycle(&mut roots), "offload is available");
                    check(
                        &h,
                        &m,
                        &roots,
                        &format!("seed {seed}, op {op}, initial mark"),
                    );
                }
            }
            _ => h.collect(false, &mut roots),
        }
        if op % 1000 == 999 {
            check(&h, &m, &roots, &format!("seed {seed}, op {op}"));
        }
    }
    if h.old_cycle_active() {
        h.finish_old_cycle(&mut roots);
        cycles_checked += 1;
    }
    check(&h, &m, &roots, &format!("seed {seed}, at the end"));
    h.verify(&mut roots).expect("heap verifies");
    let s = h.stats();
    let off = s.offload.clone().expect("offload stats");
    assert!(cycles_checked >= 3, "{cycles_checked} cycles");
    assert!(off.cycles >= 3, "{off:?}");
    assert!(off.marked_bytes > 0, "{off:?}");
    if n > 1 {
        assert!(off.peer_bytes > 0, "no marking crossed memnodes: {off:?}");
    }
    assert!(off.freed_regions + off.evacuated_regions > 0, "{off:?}");
    h.finish();
}

#[test]
fn random_mutator_one_memnode() {
    for seed in [1, 2, 3] {
        random_mutator(1, seed, 12_000);
    }
}

#[test]
fn random_mutator_two_memnodes() {
    for seed in [4, 5, 6] {
        random_mutator(2, seed, 12_000);
    }
}

#[test]
fn random_mutator_three_memnodes() {
    for seed in [7, 8, 9] {
        random_mutator(3, seed, 12_000);
    }
}

/// `n` old nodes in a list hanging off root 0 (ids 1..=n, root first), promoted
/// by young collections.
fn old_list(h: &mut Heap, roots: &mut Roots, n: i32) {
    for i in (1..=n).rev() {
        let r = h.alloc(NODE, roots).expect("node");
        h.write::<i32>(r, ID, i);
        let head = roots.0[0];
        h.write_ref(r, A, head);
        roots.0[0] = r;
    }
    for _ in 0..3 {
        h.collect(false, roots);
    }
}

fn home(h: &Heap, r: Ref) -> Option<usize> {
    let log = h.config().region_bytes.trailing_zeros();
    h.memory().home_of(RegionId((r.addr().0 >> log) as u32))
}

#[test]
fn a_reference_moved_between_memnodes_during_marking_keeps_its_object() {
    let nodes = memnodes(2);
    let mut h = heap(&nodes, config());
    let mut roots = Roots(vec![Ref::NULL; 4]);
    old_list(&mut h, &mut roots, 30_000);
    // x -> o with x and o on different memnodes, and z, further down the list,
    // on o's memnode.
    let mut x = roots.0[0];
    let mut found = None;
    while !x.is_null() {
        let o = h.read_ref(x, A);
        if !o.is_null()
            && home(&h, x).is_some()
            && home(&h, o).is_some()
            && home(&h, x) != home(&h, o)
        {
            found = Some((x, o));
            break;
        }
        x = o;
    }
    let (x, o) = found.expect("a list edge between the two memnodes");
    let oid = h.read::<i32>(o, ID);
    // Cut the list after o; root x and a far z on o's memnode.
    let mut z = h.read_ref(o, A);
    h.write_ref(o, A, Ref::NULL);
    while !z.is_null() && home(&h, z) != home(&h, o) {
        z = h.read_ref(z, A);
    }
    assert!(!z.is_null(), "an object on o's memnode");
    let zid = h.read::<i32>(z, ID);
    roots.0 = vec![Ref::NULL, x, z, Ref::NULL];
    assert!(h.start_old_cycle(&mut roots));
    // While the memnodes mark: o's only reference moves from x (one memnode)
    // into z (the other). The marking may already have passed z and not yet
    // reached x; only the SATB log of the overwritten x.a keeps o alive.
    let (x, z) = (roots.0[1], roots.0[2]);
    h.write_ref(z, B, o);
    h.write_ref(x, A, Ref::NULL);
    // Garbage meanwhile, and young collections, with the cycle running.
    for i in 0..20_000u32 {
        let a = h.alloc_array(INT_ARRAY, 30, &mut roots).expect("garbage");
        h.write::<i32>(a, 8, i as i32);
    }
    h.collect(false, &mut roots);
    assert!(h.old_cycle_active());
    h.finish_old_cycle(&mut roots);
    let z = roots.0[2];
    assert_eq!(h.read::<i32>(z, ID), zid);
    let o = h.read_ref(z, B);
    assert!(!o.is_null());
    assert_eq!(h.read::<i32>(o, ID), oid, "o survived, in one piece");
    assert!(h.read_ref(roots.0[1], A).is_null());
    h.verify(&mut roots).expect("heap verifies");
    let off = h.stats().offload.clone().expect("offload stats");
    assert!(off.satb_refs >= 1, "{off:?}");
    assert!(off.peer_bytes > 0, "{off:?}");
    // And again, once the cycle that logged o is over: o is still reachable.
    assert!(h.start_old_cycle(&mut roots));
    h.finish_old_cycle(&mut roots);
    let o = h.read_ref(roots.0[2], B);
    assert_eq!(h.read::<i32>(o, ID), oid);
    h.finish();
}

#[test]
fn memnode_bytes_in_use_fall_after_a_cycle_that_frees_garbage() {
    let nodes = memnodes(2);
    let mut h = heap(&nodes, config());
    let mut roots = Roots(vec![Ref::NULL; 2]);
    old_list(&mut h, &mut roots, 60_000);
    let used = |nodes: &[Arc<Memnode>]| nodes.iter().map(|n| n.used()).sum::<u64>();
    let full = used(&nodes);
    // Keep every tenth node: every region is sparse afterwards.
    let mut x = roots.0[0];
    let mut i = 0;
    while !x.is_null() {
        let mut next = h.read_ref(x, A);
        for _ in 0..9 {
            if next.is_null() {
                break;
            }
            next = h.read_ref(next, A);
        }
        h.write_ref(x, A, next);
        x = next;
        i += 1;
    }
    assert_eq!(i, 6_000);
    assert!(h.start_old_cycle(&mut roots));
    h.finish_old_cycle(&mut roots);
    let after = used(&nodes);
    assert!(
        after * 2 < full,
        "memnodes' bytes in use went {full} -> {after}"
    );
    let off = h.stats().offload.clone().expect("offload stats");
    assert!(off.evacuated_regions > 0, "{off:?}");
    // The survivors, in order.
    let mut x = roots.0[0];
    let mut want = 1;
    while !x.is_null() {
        assert_eq!(h.read::<i32>(x, ID), want);
        want += 10;
        x = h.read_ref(x, A);
    }
    assert_eq!(want, 60_001);
    h.verify(&mut roots).expect("heap verifies");
    h.finish();
}
