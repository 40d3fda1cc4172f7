//! semeru-vm

pub mod jnum;
