//! Every test of verify.rs, over the mock backend with a tiny page cache.
include!("verify.rs");
