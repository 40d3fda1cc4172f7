//! Hot types stay small.

use semeru_gc::object::Header;
use semeru_gc::{Addr, ClassId, Ref, RegionId};
use std::mem::size_of;

#[test]
fn hot_types_are_small() {
    assert_eq!(size_of::<Ref>(), 4);
    assert_eq!(size_of::<Addr>(), 8);
    assert_eq!(size_of::<RegionId>(), 4);
    assert_eq!(size_of::<ClassId>(), 4);
    assert_eq!(size_of::<Header>(), 8);
    assert!(size_of::<semeru_gc::region::Region>() <= 32);
}
