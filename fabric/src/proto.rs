//! Frames and messages (DESIGN.md §8).
//!
//! Every frame is a `u32` little-endian length (of what follows), then a `u8`
//! message type, then the payload. Integers are little-endian and fixed-width;
//! vectors are a `u32` count then the items; strings and byte strings are a
//! `u32` length then the bytes (strings are UTF-8). The lists of references
//! and page numbers the collection messages carry in bulk are *packed*: each
//! item (or each member of a pair or triple) is its difference from the one
//! before, zigzag-encoded as an LEB128 varint (version 2).
//!
//! Decoding never trusts a length: every count is checked against the bytes
//! that remain before anything is allocated, and trailing bytes are an error.

use std::fmt;

/// The first four bytes of a `Hello`.
pub const MAGIC: [u8; 4] = *b"SMRU";
/// The protocol version this crate speaks.
pub const VERSION: u16 = 2;
/// The largest frame body (type + payload) either side accepts.
pub const MAX_FRAME: usize = 64 << 20;

/// A VM's identity on a memnode: its regions are its own.
pub type TenantId = u64;

/// What a connection is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Page reads and writes.
    Data,
    /// Region allocation and release, layouts, statistics.
    Control,
    /// `semeru memnode --status`: only `GetStatus` and `Ping`.
    Admin,
    /// A memnode marking for a tenant, connected to another memnode of that
    /// tenant (same token). The memnode decides what a peer may send
    /// (`MarkRefs`, `GetForwarding`, `Ping`).
    Peer,
}

impl Role {
    pub fn to_byte(self) -> u8 {
        match self {
            Role::Data => 0,
            Role::Control => 1,
            Role::Admin => 2,
            Role::Peer => 3,
        }
    }

    pub fn from_byte(b: u8) -> Option<Role> {
        match b {
            0 => Some(Role::Data),
            1 => Some(Role::Control),
            2 => Some(Role::Admin),
            3 => Some(Role::Peer),
            _ => None,
        }
    }
}

/// `len` bytes at `offset` of a region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRef {
    pub region: u32,
    pub offset: u32,
    pub len: u32,
}

/// What a memnode says about itself in `Welcome`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeInfo {
    pub name: String,
    pub capacity: u64,
    pub used: u64,
    pub region_bytes_max: u32,
}

/// One tenant in a `Status` reply.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TenantStatus {
    pub tenant: TenantId,
    pub regions: u64,
    pub bytes: u64,
    pub connections: u32,
    pub pages_read: u64,
    pub pages_written: u64,
    pub bytes_read: u64,
    pub bytes_written: u64,
    pub layouts: u32,
    /// Offloaded old-space cycles run for the tenant (ended or running).
    pub gc_cycles: u64,
    /// Bytes marked by those cycles on this memnode.
    pub gc_marked_bytes: u64,
    /// Bytes this memnode evacuated for the tenant.
    pub gc_evacuated_bytes: u64,
    /// Bytes of marking refs this memnode sent to peers for the tenant.
    pub gc_peer_bytes: u64,
}

/// A `Status` reply: the memnode's figures.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeStatus {
    pub name: String,
    pub capacity: u64,
    pub used: u64,
    pub uptime_ms: u64,
    pub tenants: Vec<TenantStatus>,
    pub frames_in: u64,
    pub frames_out: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub rejected_connections: u64,
}

/// One old region in use, as `GcBegin` lists it (every memnode gets them all).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GcRegion {
    pub region: u32,
    /// Top at mark start, an offset in the region: objects at or above it are
    /// live without marking.
    pub tams: u32,
    /// One of [`region_kind`].
    pub kind: u8,
    /// Regions of the humongous run (at its start), else 1.
    pub span: u32,
    /// The index (in `GcBegin::peers`) of the memnode holding the region.
    pub owner: u16,
}

/// `GcRegion::kind` values.
pub mod region_kind {
    pub const OLD: u8 = 0;
    pub const HUMONGOUS_START: u8 = 1;
    pub const CONTINUATION: u8 = 2;
    /// The largest valid kind.
    pub const MAX: u8 = CONTINUATION;
}

/// `MarkRefs::kind` values.
pub mod mark_kind {
    /// Roots from the VM at initial mark.
    pub const ROOT: u8 = 0;
    /// Overwritten values logged by the SATB barrier.
    pub const SATB: u8 = 1;
    /// References found by another memnode's marking (peer links).
    pub const PEER: u8 = 2;
    /// The largest valid kind.
    pub const MAX: u8 = PEER;
}

/// The code of an `Error` message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum ErrorCode {
    Malformed = 1,
    UnknownType = 2,
    Version = 3,
    Auth = 4,
    BadAddress = 5,
    Capacity = 6,
    State = 7,
    Internal = 8,
}

impl ErrorCode {
    pub fn from_u16(v: u16) -> Option<ErrorCode> {
        Some(match v {
            1 => ErrorCode::Malformed,
            2 => ErrorCode::UnknownType,
            3 => ErrorCode::Version,
            4 => ErrorCode::Auth,
            5 => ErrorCode::BadAddress,
            6 => ErrorCode::Capacity,
            7 => ErrorCode::State,
            8 => ErrorCode::Internal,
            _ => return None,
        })
    }

    /// A lower-case word for messages ("bad address").
    pub fn describe(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "malformed frame",
            ErrorCode::UnknownType => "unknown message type",
            ErrorCode::Version => "protocol version mismatch",
            ErrorCode::Auth => "authentication failed",
            ErrorCode::BadAddress => "bad address",
            ErrorCode::Capacity => "capacity exhausted",
            ErrorCode::State => "unexpected message",
            ErrorCode::Internal => "internal error",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Every message of the protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    // handshake (client → Hello, server → Challenge, client → Auth, server → Welcome)
    Hello {
        magic: [u8; 4],
        version: u16,
        tenant: TenantId,
        role: Role,
        nonce: [u8; 32],
    },
    Challenge {
        version: u16,
        nonce: [u8; 32],
    },
    Auth {
        mac: [u8; 32],
    },
    Welcome {
        mac: [u8; 32],
        info: NodeInfo,
    },
    // data path (Role::Data)
    /// Writes first, then reads.
    PageIo {
        writes: Vec<(PageRef, Vec<u8>)>,
        reads: Vec<PageRef>,
    },
    /// The read ranges concatenated, in order.
    PageData {
        data: Vec<u8>,
    },
    // control path (Role::Control)
    AllocRegion {
        region: u32,
        bytes: u32,
    },
    ReleaseRegions {
        regions: Vec<u32>,
    },
    /// Opaque to the fabric; `gc::classes` encodes it.
    UploadLayouts {
        blob: Vec<u8>,
    },
    /// Release this tenant's regions now.
    Goodbye,
    Ping,
    Ok,
    // offloaded old collection (Role::Control; MarkRefs and GetForwarding
    // also on Role::Peer). Wrong or no cycle: `Error{State}`, connection stays.
    /// Starts marking cycle `cycle`: every old region in use, on every memnode.
    GcBegin {
        cycle: u32,
        log_region: u8,
        /// References below this are young (ignored by marking).
        young_refs: u32,
        /// The receiver's own index in `peers`.
        self_index: u16,
        /// The name/address of memnode i (index = `GcRegion::owner`).
        peers: Vec<String>,
        regions: Vec<GcRegion>,
    },
    /// References to mark (kind: one of [`mark_kind`]).
    MarkRefs {
        cycle: u32,
        kind: u8,
        refs: Vec<u32>,
    },
    /// → `GcProgress`.
    GcPoll {
        cycle: u32,
    },
    /// A memnode's marking progress, for the VM's termination check.
    GcProgress {
        idle: bool,
        /// Peer `MarkRefs` batches sent.
        sent: u64,
        /// Peer `MarkRefs` batches enqueued.
        received: u64,
        marked_bytes: u64,
        marked_objects: u64,
        peer_bytes: u64,
        /// Refs whose marking waits for a pending page (`GcPending`): a
        /// memnode is done only when it is idle and this is 0.
        waiting: u64,
    },
    /// → `GcLive`.
    GcLiveness {
        cycle: u32,
    },
    /// `(region, live bytes, live objects)` of marked objects below TAMS.
    GcLive {
        regions: Vec<(u32, u64, u64)>,
    },
    /// Copies the marked objects of `sources` into `dests` → `GcEvacuated`.
    GcEvacuate {
        cycle: u32,
        sources: Vec<u32>,
        dests: Vec<u32>,
    },
    /// Per destination region: its top and its block-offset-table entries
    /// (u16 little-endian each); `young_cards`: the cards of the destinations
    /// (compressed address of each card's start) whose moved objects hold a
    /// young reference, for the VM's remembered set.
    GcEvacuated {
        copied_bytes: u64,
        moved_objects: u64,
        dests: Vec<(u32, u32, Vec<u8>)>,
        young_cards: Vec<u32>,
    },
    /// Rewrites references to moved objects in the receiver's regions that
    /// stay; `tops` = `(region, top)` of each of its old regions; `resident`
    /// = the `(region, offset / 4096)` pages of its regions the VM caches
    /// (clean), whose changes it wants as patches → `GcFixed`; `skip` =
    /// `(region, from, to)` offset ranges, sorted and disjoint, each
    /// beginning and ending on an object boundary, that the receiver must
    /// neither parse nor change (the VM holds them dirty and fixes them).
    GcFixup {
        cycle: u32,
        tops: Vec<(u32, u32)>,
        resident: Vec<(u32, u32)>,
        skip: Vec<(u32, u32, u32)>,
    },
    /// The 4 KiB pages changed, `(region, offset / 4096)`, that the VM must
    /// drop; and the changed 32-bit slots of the other resident pages,
    /// `(region, offset, new value)`, that it applies to its copies.
    GcFixed {
        fixed_refs: u64,
        pages: Vec<(u32, u32)>,
        patches: Vec<(u32, u32, u32)>,
    },
    /// Forwards references → `GcForwarded` (same order; unmoved unchanged).
    GcForward {
        cycle: u32,
        refs: Vec<u32>,
    },
    GcForwarded {
        refs: Vec<u32>,
    },
    /// Ends (or aborts) the cycle; the memnode drops its state.
    GcEnd {
        cycle: u32,
    },
    /// Before the roots: the `(region, page index)` 4 KiB pages the VM holds
    /// dirty at initial mark, not flushed. Marking waits for each until the
    /// VM writes it back → `Ok`.
    GcPending {
        cycle: u32,
        pages: Vec<(u32, u32)>,
    },
    /// The first 12 bytes of each object at `refs` (all in the receiver's
    /// regions, below TAMS): header and array length, read from the
    /// receiver's copy → `GcPeeked`. The VM walks a dirty page it keeps
    /// from the object covering its start, whose header page it no longer
    /// caches.
    GcPeek {
        cycle: u32,
        refs: Vec<u32>,
    },
    /// Three words per ref of `GcPeek`, in order: header low and high 32
    /// bits, then the 32 bits after the header.
    GcPeeked {
        words: Vec<u32>,
    },
    /// Peer links only: the receiver's forwarding table → `Forwarding`.
    GetForwarding {
        cycle: u32,
    },
    /// `(from, to)` references.
    Forwarding {
        pairs: Vec<(u32, u32)>,
    },
    // any role (Admin: only Status/Ping)
    GetStatus,
    Status(NodeStatus),
    Error {
        code: ErrorCode,
        message: String,
    },
}

/// Message type bytes.
pub mod ty {
    pub const HELLO: u8 = 1;
    pub const CHALLENGE: u8 = 2;
    pub const AUTH: u8 = 3;
    pub const WELCOME: u8 = 4;
    pub const PAGE_IO: u8 = 10;
    pub const PAGE_DATA: u8 = 11;
    pub const ALLOC_REGION: u8 = 20;
    pub const RELEASE_REGIONS: u8 = 21;
    pub const UPLOAD_LAYOUTS: u8 = 22;
    pub const GOODBYE: u8 = 23;
    pub const PING: u8 = 24;
    pub const OK: u8 = 25;
    pub const GET_STATUS: u8 = 30;
    pub const STATUS: u8 = 31;
    pub const ERROR: u8 = 40;
    pub const GC_BEGIN: u8 = 50;
    pub const MARK_REFS: u8 = 51;
    pub const GC_POLL: u8 = 52;
    pub const GC_PROGRESS: u8 = 53;
    pub const GC_LIVENESS: u8 = 54;
    pub const GC_LIVE: u8 = 55;
    pub const GC_EVACUATE: u8 = 56;
    pub const GC_EVACUATED: u8 = 57;
    pub const GC_FIXUP: u8 = 58;
    pub const GC_FIXED: u8 = 59;
    pub const GC_FORWARD: u8 = 60;
    pub const GC_FORWARDED: u8 = 61;
    pub const GC_END: u8 = 62;
    pub const GET_FORWARDING: u8 = 63;
    pub const FORWARDING: u8 = 64;
    pub const GC_PENDING: u8 = 65;
    pub const GC_PEEK: u8 = 66;
    pub const GC_PEEKED: u8 = 67;
}

/// Why a frame body did not decode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProtoError {
    #[error("empty frame")]
    Empty,
    #[error("truncated frame (a {what} needs {need} more bytes, {have} left)")]
    Truncated {
        what: &'static str,
        need: usize,
        have: usize,
    },
    #[error("{0} trailing bytes after the message")]
    Trailing(usize),
    #[error("unknown message type {0}")]
    UnknownType(u8),
    #[error("invalid {0}")]
    Invalid(String),
}

impl ProtoError {
    /// The `Error` code a server answers this with.
    pub fn code(&self) -> ErrorCode {
        match self {
            ProtoError::UnknownType(_) => ErrorCode::UnknownType,
            _ => ErrorCode::Malformed,
        }
    }
}

// ---------------------------------------------------------------- encoding

/// The bytes of a `MarkRefs` frame carrying `refs` (length prefix, type,
/// cycle, kind, count, then the packed refs): for counting peer traffic
/// without encoding twice.
pub fn mark_refs_frame_len(refs: &[u32]) -> usize {
    let mut prev = 0u32;
    let packed: usize = refs
        .iter()
        .map(|&x| {
            let z = zigzag_delta(x, &mut prev);
            (32 - z.leading_zeros() as usize).div_ceil(7).max(1)
        })
        .sum();
    4 + 1 + 4 + 1 + 4 + packed
}

/// `x`'s difference from `prev`, zigzag-encoded (small magnitudes either way
/// give small numbers); `prev` becomes `x`. What a packed list stores as a
/// varint.
fn zigzag_delta(x: u32, prev: &mut u32) -> u32 {
    let d = x.wrapping_sub(*prev) as i32;
    *prev = x;
    ((d << 1) ^ (d >> 31)) as u32
}

/// Appends a frame's bytes; `finish` patches the length prefix.
struct Frame<'a> {
    out: &'a mut Vec<u8>,
    start: usize,
}

impl<'a> Frame<'a> {
    fn begin(out: &'a mut Vec<u8>, t: u8) -> Frame<'a> {
        let start = out.len();
        out.extend_from_slice(&[0, 0, 0, 0, t]);
        Frame { out, start }
    }
    fn u8(&mut self, v: u8) {
        self.out.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        // Lengths above u32::MAX cannot be framed (MAX_FRAME is far below);
        // saturate, the peer rejects the frame as malformed.
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn raw(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }
    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.raw(b);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn u32s(&mut self, v: &[u32]) {
        self.len(v.len());
        for x in v {
            self.u32(*x);
        }
    }
    /// A counted vector of `u32` packed: each item's difference from the one
    /// before (from 0 for the first), zigzag-encoded as an LEB128 varint of
    /// 1 to 5 bytes. Sorted references, as marking and forwarding send them,
    /// take about half the bytes of [`Frame::u32s`].
    fn u32s_packed(&mut self, v: &[u32]) {
        self.len(v.len());
        let mut prev = 0u32;
        for &x in v {
            self.varint_delta(x, &mut prev);
        }
    }
    fn varint_delta(&mut self, x: u32, prev: &mut u32) {
        let mut z = zigzag_delta(x, prev);
        while z >= 0x80 {
            self.out.push(z as u8 | 0x80);
            z >>= 7;
        }
        self.out.push(z as u8);
    }
    /// Pairs packed as [`Frame::u32s_packed`] does, each member against the
    /// same member of the pair before: sorted `(region, page)` lists take
    /// about two bytes a pair.
    fn u32_pairs_packed(&mut self, v: &[(u32, u32)]) {
        self.len(v.len());
        let mut p = [0u32; 2];
        for &(a, b) in v {
            self.varint_delta(a, &mut p[0]);
            self.varint_delta(b, &mut p[1]);
        }
    }
    /// Triples packed member by member, as [`Frame::u32_pairs_packed`].
    fn u32_triples_packed(&mut self, v: &[(u32, u32, u32)]) {
        self.len(v.len());
        let mut p = [0u32; 3];
        for &(a, b, c) in v {
            self.varint_delta(a, &mut p[0]);
            self.varint_delta(b, &mut p[1]);
            self.varint_delta(c, &mut p[2]);
        }
    }
    fn u32_pairs(&mut self, v: &[(u32, u32)]) {
        self.len(v.len());
        for (a, b) in v {
            self.u32(*a);
            self.u32(*b);
        }
    }
    fn u32_triples(&mut self, v: &[(u32, u32, u32)]) {
        self.len(v.len());
        for (a, b, c) in v {
            self.u32(*a);
            self.u32(*b);
            self.u32(*c);
        }
    }
    fn page_ref(&mut self, p: &PageRef) {
        self.u32(p.region);
        self.u32(p.offset);
        self.u32(p.len);
    }
    fn finish(self) {
        let n = self.out.len() - self.start - 4;
        let n = u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes();
        self.out[self.start..self.start + 4].copy_from_slice(&n);
    }
}

impl Msg {
    /// The message type byte.
    pub fn type_byte(&self) -> u8 {
        match self {
            Msg::Hello { .. } => ty::HELLO,
            Msg::Challenge { .. } => ty::CHALLENGE,
            Msg::Auth { .. } => ty::AUTH,
            Msg::Welcome { .. } => ty::WELCOME,
            Msg::PageIo { .. } => ty::PAGE_IO,
            Msg::PageData { .. } => ty::PAGE_DATA,
            Msg::AllocRegion { .. } => ty::ALLOC_REGION,
            Msg::ReleaseRegions { .. } => ty::RELEASE_REGIONS,
            Msg::UploadLayouts { .. } => ty::UPLOAD_LAYOUTS,
            Msg::Goodbye => ty::GOODBYE,
            Msg::Ping => ty::PING,
            Msg::Ok => ty::OK,
            Msg::GetStatus => ty::GET_STATUS,
            Msg::Status(_) => ty::STATUS,
            Msg::Error { .. } => ty::ERROR,
            Msg::GcBegin { .. } => ty::GC_BEGIN,
            Msg::MarkRefs { .. } => ty::MARK_REFS,
            Msg::GcPoll { .. } => ty::GC_POLL,
            Msg::GcProgress { .. } => ty::GC_PROGRESS,
            Msg::GcLiveness { .. } => ty::GC_LIVENESS,
            Msg::GcLive { .. } => ty::GC_LIVE,
            Msg::GcEvacuate { .. } => ty::GC_EVACUATE,
            Msg::GcEvacuated { .. } => ty::GC_EVACUATED,
            Msg::GcFixup { .. } => ty::GC_FIXUP,
            Msg::GcFixed { .. } => ty::GC_FIXED,
            Msg::GcForward { .. } => ty::GC_FORWARD,
            Msg::GcForwarded { .. } => ty::GC_FORWARDED,
            Msg::GcEnd { .. } => ty::GC_END,
            Msg::GcPending { .. } => ty::GC_PENDING,
            Msg::GcPeek { .. } => ty::GC_PEEK,
            Msg::GcPeeked { .. } => ty::GC_PEEKED,
            Msg::GetForwarding { .. } => ty::GET_FORWARDING,
            Msg::Forwarding { .. } => ty::FORWARDING,
        }
    }

    /// A short name for messages ("PageIo").
    pub fn name(&self) -> &'static str {
        match self {
            Msg::Hello { .. } => "Hello",
            Msg::Challenge { .. } => "Challenge",
            Msg::Auth { .. } => "Auth",
            Msg::Welcome { .. } => "Welcome",
            Msg::PageIo { .. } => "PageIo",
            Msg::PageData { .. } => "PageData",
            Msg::AllocRegion { .. } => "AllocRegion",
            Msg::ReleaseRegions { .. } => "ReleaseRegions",
            Msg::UploadLayouts { .. } => "UploadLayouts",
            Msg::Goodbye => "Goodbye",
            Msg::Ping => "Ping",
            Msg::Ok => "Ok",
            Msg::GetStatus => "GetStatus",
            Msg::Status(_) => "Status",
            Msg::Error { .. } => "Error",
            Msg::GcBegin { .. } => "GcBegin",
            Msg::MarkRefs { .. } => "MarkRefs",
            Msg::GcPoll { .. } => "GcPoll",
            Msg::GcProgress { .. } => "GcProgress",
            Msg::GcLiveness { .. } => "GcLiveness",
            Msg::GcLive { .. } => "GcLive",
            Msg::GcEvacuate { .. } => "GcEvacuate",
            Msg::GcEvacuated { .. } => "GcEvacuated",
            Msg::GcFixup { .. } => "GcFixup",
            Msg::GcFixed { .. } => "GcFixed",
            Msg::GcForward { .. } => "GcForward",
            Msg::GcForwarded { .. } => "GcForwarded",
            Msg::GcEnd { .. } => "GcEnd",
            Msg::GcPending { .. } => "GcPending",
            Msg::GcPeek { .. } => "GcPeek",
            Msg::GcPeeked { .. } => "GcPeeked",
            Msg::GetForwarding { .. } => "GetForwarding",
            Msg::Forwarding { .. } => "Forwarding",
        }
    }

    /// Whether this is one of the four handshake messages.
    pub fn is_handshake(&self) -> bool {
        matches!(
            self,
            Msg::Hello { .. } | Msg::Challenge { .. } | Msg::Auth { .. } | Msg::Welcome { .. }
        )
    }

    /// Whether this is one of the offloaded-collection messages (their traffic
    /// counts as `Purpose::GcControl` on the VM's control links).
    pub fn is_gc(&self) -> bool {
        matches!(self.type_byte(), ty::GC_BEGIN..=ty::GC_PEEKED)
    }

    /// Appends the whole frame (length prefix included) to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        if let Msg::PageIo { writes, reads } = self {
            let ws: Vec<(PageRef, &[u8])> = writes.iter().map(|(p, b)| (*p, &b[..])).collect();
            Msg::encode_page_io(out, &ws, reads);
            return;
        }
        let mut f = Frame::begin(out, self.type_byte());
        match self {
            Msg::Hello {
                magic,
                version,
                tenant,
                role,
                nonce,
            } => {
                f.raw(magic);
                f.u16(*version);
                f.u64(*tenant);
                f.u8(role.to_byte());
                f.raw(nonce);
            }
            Msg::Challenge { version, nonce } => {
                f.u16(*version);
                f.raw(nonce);
            }
            Msg::Auth { mac } => f.raw(mac),
            Msg::Welcome { mac, info } => {
                f.raw(mac);
                f.str(&info.name);
                f.u64(info.capacity);
                f.u64(info.used);
                f.u32(info.region_bytes_max);
            }
            Msg::PageIo { .. } => {}
            Msg::PageData { data } => f.bytes(data),
            Msg::AllocRegion { region, bytes } => {
                f.u32(*region);
                f.u32(*bytes);
            }
            Msg::ReleaseRegions { regions } => {
                f.len(regions.len());
                for r in regions {
                    f.u32(*r);
                }
            }
            Msg::UploadLayouts { blob } => f.bytes(blob),
            Msg::Goodbye | Msg::Ping | Msg::Ok | Msg::GetStatus => {}
            Msg::Status(s) => {
                f.str(&s.name);
                f.u64(s.capacity);
                f.u64(s.used);
                f.u64(s.uptime_ms);
                f.len(s.tenants.len());
                for t in &s.tenants {
                    f.u64(t.tenant);
                    f.u64(t.regions);
                    f.u64(t.bytes);
                    f.u32(t.connections);
                    f.u64(t.pages_read);
                    f.u64(t.pages_written);
                    f.u64(t.bytes_read);
                    f.u64(t.bytes_written);
                    f.u32(t.layouts);
                    f.u64(t.gc_cycles);
                    f.u64(t.gc_marked_bytes);
                    f.u64(t.gc_evacuated_bytes);
                    f.u64(t.gc_peer_bytes);
                }
                f.u64(s.frames_in);
                f.u64(s.frames_out);
                f.u64(s.bytes_in);
                f.u64(s.bytes_out);
                f.u64(s.rejected_connections);
            }
            Msg::Error { code, message } => {
                f.u16(*code as u16);
                f.str(message);
            }
            Msg::GcBegin {
                cycle,
                log_region,
                young_refs,
                self_index,
                peers,
                regions,
            } => {
                f.u32(*cycle);
                f.u8(*log_region);
                f.u32(*young_refs);
                f.u16(*self_index);
                f.len(peers.len());
                for p in peers {
                    f.str(p);
                }
                f.len(regions.len());
                for g in regions {
                    f.u32(g.region);
                    f.u32(g.tams);
                    f.u8(g.kind);
                    f.u32(g.span);
                    f.u16(g.owner);
                }
            }
            Msg::MarkRefs { cycle, kind, refs } => {
                f.u32(*cycle);
                f.u8(*kind);
                f.u32s_packed(refs);
            }
            Msg::GcPending { cycle, pages } => {
                f.u32(*cycle);
                f.u32_pairs_packed(pages);
            }
            Msg::GcPoll { cycle }
            | Msg::GcLiveness { cycle }
            | Msg::GcEnd { cycle }
            | Msg::GetForwarding { cycle } => f.u32(*cycle),
            Msg::GcProgress {
                idle,
                sent,
                received,
                marked_bytes,
                marked_objects,
                peer_bytes,
                waiting,
            } => {
                f.u8(u8::from(*idle));
                f.u64(*sent);
                f.u64(*received);
                f.u64(*marked_bytes);
                f.u64(*marked_objects);
                f.u64(*peer_bytes);
                f.u64(*waiting);
            }
            Msg::GcLive { regions } => {
                f.len(regions.len());
                for (r, b, o) in regions {
                    f.u32(*r);
                    f.u64(*b);
                    f.u64(*o);
                }
            }
            Msg::GcEvacuate {
                cycle,
                sources,
                dests,
            } => {
                f.u32(*cycle);
                f.u32s(sources);
                f.u32s(dests);
            }
            Msg::GcEvacuated {
                copied_bytes,
                moved_objects,
                dests,
                young_cards,
            } => {
                f.u64(*copied_bytes);
                f.u64(*moved_objects);
                f.len(dests.len());
                for (r, top, bot) in dests {
                    f.u32(*r);
                    f.u32(*top);
                    f.bytes(bot);
                }
                f.u32s(young_cards);
            }
            Msg::GcFixup {
                cycle,
                tops,
                resident,
                skip,
            } => {
                f.u32(*cycle);
                f.u32_pairs(tops);
                f.u32_pairs_packed(resident);
                f.u32_triples(skip);
            }
            Msg::GcFixed {
                fixed_refs,
                pages,
                patches,
            } => {
                f.u64(*fixed_refs);
                f.u32_pairs_packed(pages);
                f.u32_triples_packed(patches);
            }
            Msg::GcForward { cycle, refs } => {
                f.u32(*cycle);
                f.u32s_packed(refs);
            }
            Msg::GcForwarded { refs } => f.u32s_packed(refs),
            Msg::GcPeek { cycle, refs } => {
                f.u32(*cycle);
                f.u32s_packed(refs);
            }
            Msg::GcPeeked { words } => f.u32s(words),
            Msg::Forwarding { pairs } => f.u32_pairs_packed(pairs),
        }
        f.finish();
    }

    /// Encodes a `PageIo` frame straight from borrowed page bytes (the VM's hot
    /// path: no copy of the pages into a `Msg` first).
    pub fn encode_page_io(out: &mut Vec<u8>, writes: &[(PageRef, &[u8])], reads: &[PageRef]) {
        let need = 13 + writes.iter().map(|(_, b)| 16 + b.len()).sum::<usize>() + 12 * reads.len();
        out.reserve(need);
        let mut f = Frame::begin(out, ty::PAGE_IO);
        f.len(writes.len());
        for (p, b) in writes {
            f.page_ref(p);
            f.bytes(b);
        }
        f.len(reads.len());
        for p in reads {
            f.page_ref(p);
        }
        f.finish();
    }

    /// The encoded frame as a new vector.
    pub fn to_frame(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.encode(&mut v);
        v
    }

    /// Decodes a frame body (type byte + payload, no length prefix).
    pub fn decode(body: &[u8]) -> Result<Msg, ProtoError> {
        let (&t, payload) = body.split_first().ok_or(ProtoError::Empty)?;
        let mut r = Reader { b: payload };
        let m = match t {
            ty::HELLO => Msg::Hello {
                magic: r.array("magic")?,
                version: r.u16("version")?,
                tenant: r.u64("tenant")?,
                role: {
                    let b = r.u8("role")?;
                    Role::from_byte(b).ok_or_else(|| ProtoError::Invalid(format!("role {b}")))?
                },
                nonce: r.array("nonce")?,
            },
            ty::CHALLENGE => Msg::Challenge {
                version: r.u16("version")?,
                nonce: r.array("nonce")?,
            },
            ty::AUTH => Msg::Auth {
                mac: r.array("mac")?,
            },
            ty::WELCOME => Msg::Welcome {
                mac: r.array("mac")?,
                info: NodeInfo {
                    name: r.string("name")?,
                    capacity: r.u64("capacity")?,
                    used: r.u64("used")?,
                    region_bytes_max: r.u32("region size")?,
                },
            },
            ty::PAGE_IO => {
                let n = r.count("write count", 16)?;
                let mut writes = Vec::with_capacity(n);
                for _ in 0..n {
                    let p = r.page_ref()?;
                    let b = r.bytes("page bytes")?;
                    if b.len() as u64 != u64::from(p.len) {
                        return Err(ProtoError::Invalid(format!(
                            "write of {} bytes for a range of {} bytes",
                            b.len(),
                            p.len
                        )));
                    }
                    writes.push((p, b.to_vec()));
                }
                let n = r.count("read count", 12)?;
                let mut reads = Vec::with_capacity(n);
                for _ in 0..n {
                    reads.push(r.page_ref()?);
                }
                Msg::PageIo { writes, reads }
            }
            ty::PAGE_DATA => Msg::PageData {
                data: r.bytes("page data")?.to_vec(),
            },
            ty::ALLOC_REGION => Msg::AllocRegion {
                region: r.u32("region")?,
                bytes: r.u32("region size")?,
            },
            ty::RELEASE_REGIONS => Msg::ReleaseRegions {
                regions: r.u32s("region count", "region")?,
            },
            ty::UPLOAD_LAYOUTS => Msg::UploadLayouts {
                blob: r.bytes("layout table")?.to_vec(),
            },
            ty::GOODBYE => Msg::Goodbye,
            ty::PING => Msg::Ping,
            ty::OK => Msg::Ok,
            ty::GET_STATUS => Msg::GetStatus,
            ty::STATUS => {
                let name = r.string("name")?;
                let capacity = r.u64("capacity")?;
                let used = r.u64("used")?;
                let uptime_ms = r.u64("uptime")?;
                let n = r.count("tenant count", 96)?;
                let mut tenants = Vec::with_capacity(n);
                for _ in 0..n {
                    tenants.push(TenantStatus {
                        tenant: r.u64("tenant")?,
                        regions: r.u64("regions")?,
                        bytes: r.u64("bytes")?,
                        connections: r.u32("connections")?,
                        pages_read: r.u64("pages read")?,
                        pages_written: r.u64("pages written")?,
                        bytes_read: r.u64("bytes read")?,
                        bytes_written: r.u64("bytes written")?,
                        layouts: r.u32("layouts")?,
                        gc_cycles: r.u64("gc cycles")?,
                        gc_marked_bytes: r.u64("gc marked bytes")?,
                        gc_evacuated_bytes: r.u64("gc evacuated bytes")?,
                        gc_peer_bytes: r.u64("gc peer bytes")?,
                    });
                }
                Msg::Status(NodeStatus {
                    name,
                    capacity,
                    used,
                    uptime_ms,
                    tenants,
                    frames_in: r.u64("frames in")?,
                    frames_out: r.u64("frames out")?,
                    bytes_in: r.u64("bytes in")?,
                    bytes_out: r.u64("bytes out")?,
                    rejected_connections: r.u64("rejected connections")?,
                })
            }
            ty::ERROR => {
                let c = r.u16("error code")?;
                let code = ErrorCode::from_u16(c)
                    .ok_or_else(|| ProtoError::Invalid(format!("error code {c}")))?;
                Msg::Error {
                    code,
                    message: r.string("error message")?,
                }
            }
            ty::GC_BEGIN => {
                let cycle = r.u32("cycle")?;
                let log_region = r.u8("region size")?;
                let young_refs = r.u32("young refs")?;
                let self_index = r.u16("self index")?;
                let n = r.count("peer count", 4)?;
                let mut peers = Vec::with_capacity(n);
                for _ in 0..n {
                    peers.push(r.string("peer")?);
                }
                let n = r.count("region count", 15)?;
                let mut regions = Vec::with_capacity(n);
                for _ in 0..n {
                    let region = r.u32("region")?;
                    let tams = r.u32("tams")?;
                    let kind = r.u8("region kind")?;
                    if kind > region_kind::MAX {
                        return Err(ProtoError::Invalid(format!("region kind {kind}")));
                    }
                    regions.push(GcRegion {
                        region,
                        tams,
                        kind,
                        span: r.u32("span")?,
                        owner: r.u16("owner")?,
                    });
                }
                Msg::GcBegin {
                    cycle,
                    log_region,
                    young_refs,
                    self_index,
                    peers,
                    regions,
                }
            }
            ty::MARK_REFS => {
                let cycle = r.u32("cycle")?;
                let kind = r.u8("mark kind")?;
                if kind > mark_kind::MAX {
                    return Err(ProtoError::Invalid(format!("mark kind {kind}")));
                }
                Msg::MarkRefs {
                    cycle,
                    kind,
                    refs: r.u32s_packed("ref count", "ref")?,
                }
            }
            ty::GC_POLL => Msg::GcPoll {
                cycle: r.u32("cycle")?,
            },
            ty::GC_PROGRESS => Msg::GcProgress {
                idle: match r.u8("idle")? {
                    0 => false,
                    1 => true,
                    b => return Err(ProtoError::Invalid(format!("idle flag {b}"))),
                },
                sent: r.u64("sent")?,
                received: r.u64("received")?,
                marked_bytes: r.u64("marked bytes")?,
                marked_objects: r.u64("marked objects")?,
                peer_bytes: r.u64("peer bytes")?,
                waiting: r.u64("waiting refs")?,
            },
            ty::GC_LIVENESS => Msg::GcLiveness {
                cycle: r.u32("cycle")?,
            },
            ty::GC_LIVE => {
                let n = r.count("region count", 20)?;
                let mut regions = Vec::with_capacity(n);
                for _ in 0..n {
                    regions.push((
                        r.u32("region")?,
                        r.u64("live bytes")?,
                        r.u64("live objects")?,
                    ));
                }
                Msg::GcLive { regions }
            }
            ty::GC_EVACUATE => Msg::GcEvacuate {
                cycle: r.u32("cycle")?,
                sources: r.u32s("source count", "source region")?,
                dests: r.u32s("destination count", "destination region")?,
            },
            ty::GC_EVACUATED => {
                let copied_bytes = r.u64("copied bytes")?;
                let moved_objects = r.u64("moved objects")?;
                let n = r.count("destination count", 12)?;
                let mut dests = Vec::with_capacity(n);
                for _ in 0..n {
                    let region = r.u32("destination region")?;
                    let top = r.u32("top")?;
                    let bot = r.bytes("block offsets")?;
                    if bot.len() % 2 != 0 {
                        return Err(ProtoError::Invalid(format!(
                            "block offsets of {} bytes (u16 entries)",
                            bot.len()
                        )));
                    }
                    dests.push((region, top, bot.to_vec()));
                }
                Msg::GcEvacuated {
                    copied_bytes,
                    moved_objects,
                    dests,
                    young_cards: r.u32s("young card count", "young card")?,
                }
            }
            ty::GC_FIXUP => Msg::GcFixup {
                cycle: r.u32("cycle")?,
                tops: r.u32_pairs("top count", "region top")?,
                resident: r.u32_pairs_packed("resident page count", "resident page")?,
                skip: r.u32_triples("skip range count", "skip range")?,
            },
            ty::GC_FIXED => Msg::GcFixed {
                fixed_refs: r.u64("fixed refs")?,
                pages: r.u32_pairs_packed("page count", "page")?,
                patches: r.u32_triples_packed("patch count", "patch")?,
            },
            ty::GC_FORWARD => Msg::GcForward {
                cycle: r.u32("cycle")?,
                refs: r.u32s_packed("ref count", "ref")?,
            },
            ty::GC_FORWARDED => Msg::GcForwarded {
                refs: r.u32s_packed("ref count", "ref")?,
            },
            ty::GC_END => Msg::GcEnd {
                cycle: r.u32("cycle")?,
            },
            ty::GC_PENDING => Msg::GcPending {
                cycle: r.u32("cycle")?,
                pages: r.u32_pairs_packed("pending page count", "pending page")?,
            },
            ty::GC_PEEK => Msg::GcPeek {
                cycle: r.u32("cycle")?,
                refs: r.u32s_packed("ref count", "ref")?,
            },
            ty::GC_PEEKED => Msg::GcPeeked {
                words: r.u32s("word count", "word")?,
            },
            ty::GET_FORWARDING => Msg::GetForwarding {
                cycle: r.u32("cycle")?,
            },
            ty::FORWARDING => Msg::Forwarding {
                pairs: r.u32_pairs_packed("pair count", "forwarding pair")?,
            },
            other => return Err(ProtoError::UnknownType(other)),
        };
        if !r.b.is_empty() {
            return Err(ProtoError::Trailing(r.b.len()));
        }
        Ok(m)
    }
}

/// Reads the payload front to back; every read checks what remains.
struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ProtoError> {
        if self.b.len() < n {
            return Err(ProtoError::Truncated {
                what,
                need: n,
                have: self.b.len(),
            });
        }
        let (head, tail) = self.b.split_at(n);
        self.b = tail;
        Ok(head)
    }
    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], ProtoError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N, what)?);
        Ok(a)
    }
    fn u8(&mut self, what: &'static str) -> Result<u8, ProtoError> {
        Ok(self.array::<1>(what)?[0])
    }
    fn u16(&mut self, what: &'static str) -> Result<u16, ProtoError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }
    fn u32(&mut self, what: &'static str) -> Result<u32, ProtoError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
    fn u64(&mut self, what: &'static str) -> Result<u64, ProtoError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }
    /// A vector count whose items take at least `min_item` bytes each: checked
    /// against what remains, so allocating `count` items is bounded by the frame.
    fn count(&mut self, what: &'static str, min_item: usize) -> Result<usize, ProtoError> {
        let n = self.u32(what)? as usize;
        let need = n.saturating_mul(min_item);
        if need > self.b.len() {
            return Err(ProtoError::Truncated {
                what,
                need,
                have: self.b.len(),
            });
        }
        Ok(n)
    }
    fn bytes(&mut self, what: &'static str) -> Result<&'a [u8], ProtoError> {
        let n = self.u32(what)? as usize;
        self.take(n, what)
    }
    /// A counted vector of `u32`.
    fn u32s(&mut self, what: &'static str, item: &'static str) -> Result<Vec<u32>, ProtoError> {
        let n = self.count(what, 4)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(self.u32(item)?);
        }
        Ok(v)
    }
    /// A counted vector of `u32` written by [`Frame::u32s_packed`].
    fn u32s_packed(
        &mut self,
        what: &'static str,
        item: &'static str,
    ) -> Result<Vec<u32>, ProtoError> {
        let n = self.count(what, 1)?;
        let mut v = Vec::with_capacity(n);
        let mut prev = 0u32;
        for _ in 0..n {
            v.push(self.varint_delta(item, &mut prev)?);
        }
        Ok(v)
    }
    /// One member of a packed list: `prev` plus a zigzag LEB128 varint.
    fn varint_delta(&mut self, item: &'static str, prev: &mut u32) -> Result<u32, ProtoError> {
        let mut z = 0u32;
        let mut shift = 0;
        loop {
            let b = self.u8(item)?;
            if shift == 28 && b > 0x0f {
                return Err(ProtoError::Invalid(format!("{item}: varint past 32 bits")));
            }
            z |= u32::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        let d = ((z >> 1) as i32) ^ -((z & 1) as i32);
        *prev = prev.wrapping_add(d as u32);
        Ok(*prev)
    }
    /// Pairs written by [`Frame::u32_pairs_packed`].
    fn u32_pairs_packed(
        &mut self,
        what: &'static str,
        item: &'static str,
    ) -> Result<Vec<(u32, u32)>, ProtoError> {
        let n = self.count(what, 2)?;
        let mut v = Vec::with_capacity(n);
        let mut p = [0u32; 2];
        for _ in 0..n {
            let a = self.varint_delta(item, &mut p[0])?;
            v.push((a, self.varint_delta(item, &mut p[1])?));
        }
        Ok(v)
    }
    /// Triples written by [`Frame::u32_triples_packed`].
    fn u32_triples_packed(
        &mut self,
        what: &'static str,
        item: &'static str,
    ) -> Result<Vec<(u32, u32, u32)>, ProtoError> {
        let n = self.count(what, 3)?;
        let mut v = Vec::with_capacity(n);
        let mut p = [0u32; 3];
        for _ in 0..n {
            let a = self.varint_delta(item, &mut p[0])?;
            let b = self.varint_delta(item, &mut p[1])?;
            v.push((a, b, self.varint_delta(item, &mut p[2])?));
        }
        Ok(v)
    }
    /// A counted vector of `(u32, u32)`.
    fn u32_pairs(
        &mut self,
        what: &'static str,
        item: &'static str,
    ) -> Result<Vec<(u32, u32)>, ProtoError> {
        let n = self.count(what, 8)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push((self.u32(item)?, self.u32(item)?));
        }
        Ok(v)
    }
    fn u32_triples(
        &mut self,
        what: &'static str,
        item: &'static str,
    ) -> Result<Vec<(u32, u32, u32)>, ProtoError> {
        let n = self.count(what, 12)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push((self.u32(item)?, self.u32(item)?, self.u32(item)?));
        }
        Ok(v)
    }
    fn string(&mut self, what: &'static str) -> Result<String, ProtoError> {
        let b = self.bytes(what)?;
        match std::str::from_utf8(b) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Err(ProtoError::Invalid(format!("{what} (not UTF-8)"))),
        }
    }
    fn page_ref(&mut self) -> Result<PageRef, ProtoError> {
        Ok(PageRef {
            region: self.u32("region")?,
            offset: self.u32("offset")?,
            len: self.u32("length")?,
        })
    }
}

/// The body length announced by a frame's 4-byte prefix.
pub fn frame_len(prefix: [u8; 4]) -> usize {
    u32::from_le_bytes(prefix) as usize
}

/// Splits one whole frame (prefix included) into its body, checking that the
/// prefix matches the bytes.
pub fn frame_body(frame: &[u8]) -> Result<&[u8], ProtoError> {
    if frame.len() < 4 {
        return Err(ProtoError::Truncated {
            what: "length prefix",
            need: 4,
            have: frame.len(),
        });
    }
    let n = frame_len([frame[0], frame[1], frame[2], frame[3]]);
    let body = &frame[4..];
    if n > MAX_FRAME {
        return Err(ProtoError::Invalid(format!(
            "frame of {n} bytes (the limit is {MAX_FRAME})"
        )));
    }
    if body.len() < n {
        return Err(ProtoError::Truncated {
            what: "frame body",
            need: n,
            have: body.len(),
        });
    }
    if body.len() > n {
        return Err(ProtoError::Trailing(body.len() - n));
    }
    Ok(body)
}
