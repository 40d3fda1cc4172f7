// The heap verifier catches what it should.

mod common;

use common::*;
use semeru_gc::{Heap, Ref};

/// An old node (promoted by a full collection) and a fresh young node.
fn old_and_young() -> (Heap, Roots) {
    let mut h = heap(common::config(4 << 20, 256 << 10, 64 << 10));
    let mut roots = Roots(vec![Ref::NULL; 2]);
    node(&mut h, &mut roots, 0, 1);
    h.collect(true, &mut roots);
    node(&mut h, &mut roots, 1, 2);
    (h, roots)
}

#[test]
fn clean_heap_verifies() {
    let (mut h, mut roots) = old_and_young();
    let (old, young) = (roots.0[0], roots.0[1]);
    h.write_ref(old, A, young);
    h.verify(&mut roots).unwrap();
}

#[test]
fn missing_barrier_is_reported() {
    let (mut h, mut roots) = old_and_young();
    let (old, young) = (roots.0[0], roots.0[1]);
    // A raw store bypasses the card barrier.
    h.write::<u32>(old, A, young.0);
    let e = h.verify(&mut roots).unwrap_err();
    assert!(e.contains("unremembered"), "{e}");
}

#[test]
fn dangling_reference_is_reported() {
    let (mut h, mut roots) = old_and_young();
    let young = roots.0[1];
    h.write_ref(young, B, Ref(young.0 + 1)); // into the middle of an object
    let e = h.verify(&mut roots).unwrap_err();
    assert!(e.contains("dangling"), "{e}");
    roots.0[1] = Ref(0x7fff_0000); // beyond the heap
    h.write_ref(young, B, Ref::NULL);
    let e = h.verify(&mut roots).unwrap_err();
    assert!(
        e.contains("root #1") && e.contains("beyond the heap"),
        "{e}"
    );
}

#[test]
#[should_panic(expected = "heap verification failed")]
fn verify_heap_panics_after_collection() {
    let (mut h, mut roots) = old_and_young();
    let (old, young) = (roots.0[0], roots.0[1]);
    h.write::<u32>(old, A, young.0);
    // The young collection does not see the unremembered edge: `young` moves, the
    // old slot dangles into from-space, and the verifier (on in `config`) fires.
    roots.0[1] = Ref::NULL;
    h.collect(false, &mut roots);
}

#[test]
#[should_panic(expected = "before young collection #2")]
fn a_dangling_old_root_is_caught_before_the_collection() {
    // The check before each collection parses the root's card from the
    // block-offset table: a reference into the middle of an old object is not
    // an object start.
    let (mut h, mut roots) = old_and_young();
    roots.0[1] = Ref(roots.0[0].0 + 1);
    h.collect(false, &mut roots);
}

#[test]
#[should_panic(expected = "(dirty card): dangling reference")]
fn a_dangling_reference_on_a_dirty_card_is_caught_before_the_collection() {
    let (mut h, mut roots) = old_and_young();
    let (old, young) = (roots.0[0], roots.0[1]);
    // A barriered store of a bad young reference: the card is dirty, so the
    // collection would treat the slot as a root.
    h.write_ref(old, A, Ref(young.0 + 1));
    h.collect(false, &mut roots);
}

#[test]
fn old_roots_are_checked_exactly_across_collections() {
    // Old roots pass the pre-collection check (each object start found by
    // parsing its card, then remembered until the next full collection), also
    // after a full collection moved them.
    let mut h = heap(common::config(4 << 20, 256 << 10, 64 << 10));
    let mut roots = Roots(vec![Ref::NULL; 64]);
    for i in 0..64 {
        node(&mut h, &mut roots, i, i as i32);
    }
    for round in 0..6 {
        h.collect(round % 3 == 2, &mut roots);
        for _ in 0..200 {
            h.alloc(INT_ARRAY, &mut roots).expect("garbage");
        }
    }
    assert!(h.stats().full_count() >= 2);
    h.verify(&mut roots).unwrap();
}
