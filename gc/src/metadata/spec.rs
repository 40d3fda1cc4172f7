//! The side-metadata specification table: every table the collector keeps *beside*
//! the heap, declared in one place (after MMTk's
//! `util/metadata/side_metadata/spec_defs.rs`).
//!
//! Side metadata, not header bits, is what lets a memnode mark and compact its
//! regions without writing into the objects a VM may hold cached (DESIGN.md §4).

/// Which part of the universal address space a table covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Nursery and old space alike.
    WholeSpace,
    /// Old (and humongous) regions only.
    OldSpace,
    /// One entry per live object of the regions being evacuated (sparse).
    EvacuatedObjects,
}

/// The shape of one side table: `2^log_bits` bits per entry, one entry per
/// `2^log_bytes_covered` heap bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SideMetadataSpec {
    pub name: &'static str,
    pub log_bits: u32,
    pub log_bytes_covered: u32,
    pub scope: Scope,
}

impl SideMetadataSpec {
    /// Entries needed to cover `bytes` of heap.
    pub const fn entries(&self, bytes: usize) -> usize {
        bytes.div_ceil(1 << self.log_bytes_covered)
    }

    /// Bytes of metadata needed to cover `bytes` of heap.
    pub const fn table_bytes(&self, bytes: usize) -> usize {
        (self.entries(bytes) << self.log_bits).div_ceil(8)
    }
}

/// One mark bit per 8-byte granule, set at an object's first granule.
pub const MARK_BITMAP: SideMetadataSpec = SideMetadataSpec {
    name: "mark-bitmap",
    log_bits: 0,
    log_bytes_covered: crate::addr::LOG_GRANULE,
    scope: Scope::WholeSpace,
};

/// One byte per 512-byte card of old space: dirty when an old→young store hit it.
pub const CARD_TABLE: SideMetadataSpec = SideMetadataSpec {
    name: "card-table",
    log_bits: 3,
    log_bytes_covered: LOG_CARD_BYTES,
    scope: Scope::OldSpace,
};

/// One `u32` per card: granules back from the card's first byte to the start of
/// the object covering it (a block-offset table, as in HotSpot), so that a dirty
/// card can be parsed without walking its region from the start.
pub const BLOCK_OFFSETS: SideMetadataSpec = SideMetadataSpec {
    name: "block-offsets",
    log_bits: 5,
    log_bytes_covered: LOG_CARD_BYTES,
    scope: Scope::OldSpace,
};

/// One `(from, to)` pair of compressed refs (64 bits) per evacuated object, kept
/// per source region and sorted by `from`.
pub const FORWARDING: SideMetadataSpec = SideMetadataSpec {
    name: "forwarding",
    log_bits: 6,
    log_bytes_covered: crate::addr::LOG_GRANULE,
    scope: Scope::EvacuatedObjects,
};

/// log2 of the card size.
pub const LOG_CARD_BYTES: u32 = 9;

/// Every side table, for `--stats` and documentation.
pub const SPECS: &[SideMetadataSpec] = &[MARK_BITMAP, CARD_TABLE, BLOCK_OFFSETS, FORWARDING];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(MARK_BITMAP.table_bytes(1 << 20), (1 << 20) / 64);
        assert_eq!(CARD_TABLE.table_bytes(1 << 20), 2048);
        assert_eq!(BLOCK_OFFSETS.table_bytes(1 << 20), 8192);
        assert_eq!(CARD_TABLE.entries(513), 2);
        assert_eq!(SPECS.len(), 4);
    }
}
