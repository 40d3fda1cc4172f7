//! The Semeru fabric: the wire protocol between the VM and its memnodes, and its transports (DESIGN.md §8).
