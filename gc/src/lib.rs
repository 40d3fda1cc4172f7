//! The Semeru heap: the universal address space, object layout, allocation and
//! garbage collection. Mechanism, policy and plan are kept apart, as in MMTk.
//!
//! | concept | module |
//! |---|---|
//! | addresses, compressed references, region ids | [`addr`] |
//! | object header, class layout descriptors, field placement | [`layout`] |
//! | the VM-facing heap interface (allocation, access, barriers, roots) | [`heap`] |
//! | class id → layout table | [`classes`] |
//! | paged memory: page tables, nursery, the bounded page cache over a [`backend`] | [`memory`] |
//! | the fatal-error hook (exit 70 on fabric failures) | [`fatal`] |
//! | the abstract heap view the tracing/compaction algorithms run over | [`view`] |
//! | header flags, object sizes, reference slots | [`object`] |
//! | regions, region table, address-space geometry | [`region`] |
//! | side metadata: spec table, mark bitmap, cards, block offsets, forwarding | [`metadata`] |
//! | spaces: nursery (eden + survivors), old regions and humongous objects | [`policy`] |
//! | collectors: Cheney scavenge, marking, evacuation, verifier | [`collector`] |
//! | the generational plan: composition, triggers, full-collection phases | [`plan`] |
//! | pause statistics and the `--gc-log` line | [`stats`] |
//!
//! References: Ungar, *Generation Scavenging* (1984); Cheney, *A nonrecursive
//! list compacting algorithm* (CACM 1970); Detlefs et al., *Garbage-First Garbage
//! Collection* (ISMM 2004); Wang et al., *Semeru: A Memory-Disaggregated Managed
//! Runtime* (OSDI 2020).

pub mod addr;
pub mod backend;
pub mod classes;
pub mod collector;
pub mod fatal;
pub mod heap;
pub mod layout;
pub mod memory;
pub mod metadata;
pub mod object;
pub mod plan;
pub mod policy;
pub mod region;
pub mod remote;
pub mod stats;
pub mod view;

pub use addr::{Addr, Ref, RegionId};
pub use fatal::{fatal, set_fatal_hook};
pub use heap::{
    CacheStats, GcMode, GcStats, Heap, HeapConfig, HeapError, HeapStats, OffloadStats, OutOfMemory,
    Pause, RootSet,
};
pub use layout::{ClassId, ElemKind, InstanceLayout, Layout};
