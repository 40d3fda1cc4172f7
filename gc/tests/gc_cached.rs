//! Every test of gc.rs, over the mock backend with a tiny page cache.
include!("gc.rs");
