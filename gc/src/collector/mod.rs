//! Collection algorithms (mechanism): young scavenging, marking, evacuation and
//! the verifier. Marking and evacuation are written over [`crate::view`] so a
//! memnode can run them too.

pub mod compact;
pub mod mark;
pub mod scavenge;
pub mod verify;
