//! Spaces: how each kind of memory is allocated (MMTk's `policy/`).

pub mod nursery;
pub mod old;
