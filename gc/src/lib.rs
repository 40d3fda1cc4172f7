//! The Semeru heap: the universal address space, object layout, allocation and
//! garbage collection.
//!
//! | concept | module |
//! |---|---|
//! | addresses, compressed references, region ids | [`addr`] |
//! | object header, class layout descriptors, field placement | [`layout`] |
//! | the VM-facing heap interface (allocation, access, barriers, roots) | [`heap`] |

pub mod addr;
pub mod heap;
pub mod layout;

pub use addr::{Addr, Ref, RegionId};
pub use heap::{GcStats, Heap, HeapConfig, HeapError, OutOfMemory, Pause, RootSet};
pub use layout::{ClassId, ElemKind, InstanceLayout, Layout};
