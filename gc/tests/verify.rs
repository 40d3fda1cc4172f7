//! The heap verifier catches what it should.

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
