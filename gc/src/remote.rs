//! Old regions on memnodes: [`Memnodes`] implements [`PageBackend`] over fabric
//! clients (in-process or TCP), one data and one control connection per
//! memnode (DESIGN.md §8), so a large control message never delays a page
//! fault.
//!
//! - Placement: a new region goes to the memnode with the most free capacity
//!   (as its `Welcome` said, then tracked locally); ties are broken round-robin,
//!   so equal memnodes stripe.
//! - `page_io` sends one `PageIo` per memnode involved and keeps the reads'
//!   order in `out`.
//! - A memnode that answers `AllocRegion` with a capacity error is skipped;
//!   when all are full, `AcquireError::CapacityExhausted`. Every other fabric
//!   error is a [`BackendError`] that names the memnode.
//! - Offloaded old collection (DESIGN.md §6): the `gc_*` calls go over the
//!   control connections as `Purpose::GcControl` (so they count in
//!   `FabricTotals::gc_bytes`), grouped by home; a call that involves several
//!   memnodes sends every request before waiting for any reply.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use semeru_fabric::{
    inproc, Client, ErrorCode, FabricError, GcRegion, Msg, PageRef, Purpose, Role, Service,
    TcpTransport, TenantId, Token,
};

use crate::addr::{Ref, RegionId};
use crate::backend::{
    AcquireError, BackendError, EvacDest, EvacResult, FabricTotals, FixResult, GcRegionInfo,
    MarkProgress, MemnodeInfo, PageAddr, PageBackend,
};

/// The most references in one `MarkRefs` or `GcForward` message.
pub const MAX_REFS_PER_MESSAGE: usize = 64 << 10;
/// The page size of `GcFixed` page numbers.
const FIX_PAGE: u32 = 4096;

struct Node {
    data: Client,
    control: Client,
    name: String,
    capacity: u64,
    used: u64,
    regions: u64,
    bytes_fetched: u64,
    bytes_written_back: u64,
    gc_bytes: u64,
}

impl Node {
    fn free(&self) -> u64 {
        self.capacity.saturating_sub(self.used)
    }

    /// A user-facing message naming this memnode.
    fn error(&self, e: &FabricError) -> String {
        let s = e.to_string();
        if s.contains(&self.name) {
            s
        } else {
            format!("memnode {}: {s}", self.name)
        }
    }

    fn expect_ok(&mut self, req: &Msg, what: &str) -> Result<(), BackendError> {
        match self.control.call(req, Purpose::Control) {
            Ok(Msg::Ok) => Ok(()),
            Ok(other) => Err(BackendError(format!(
                "memnode {}: answered {what} with {}",
                self.name,
                other.name()
            ))),
            Err(e) => Err(BackendError(self.error(&e))),
        }
    }
}

/// What one `AllocRegion` on one memnode gave.
enum Alloc {
    Done,
    /// A capacity error (the message names the memnode).
    Full(String),
}

/// Where each region lives and how large it is.
#[derive(Clone, Copy)]
struct Home {
    node: usize,
    bytes: u32,
}

/// Read and write timeout of the control connections to TCP memnodes (the
/// data connections keep [`semeru_fabric::DEFAULT_TIMEOUT`]).
pub const GC_CONTROL_TIMEOUT: Duration = Duration::from_secs(300);

/// The memnodes behind the old regions of one VM.
pub struct Memnodes {
    nodes: Vec<Node>,
    homes: HashMap<u32, Home>,
    /// Round-robin cursor for ties in free capacity.
    next: usize,
    shut_down: bool,
    /// The region size of the collection in progress (from `gc_begin`): maps
    /// references to regions.
    gc_log_region: Option<u32>,
}

impl std::fmt::Debug for Memnodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.nodes.iter().map(|n| n.name.as_str()).collect();
        f.debug_struct("Memnodes")
            .field("nodes", &names)
            .field("regions", &self.homes.len())
            .finish()
    }
}

/// Per-memnode share of one `page_io` call.
#[derive(Default)]
struct Batch<'a> {
    writes: Vec<(PageRef, &'a [u8])>,
    reads: Vec<PageRef>,
}

impl Memnodes {
    /// One `(data, control)` pair of connected clients per memnode.
    pub fn new(links: Vec<(Client, Client)>) -> Memnodes {
        let nodes = links
            .into_iter()
            .map(|(data, control)| {
                let info = control.info().clone();
                Node {
                    name: control.peer(),
                    capacity: info.capacity,
                    used: info.used,
                    data,
                    control,
                    regions: 0,
                    bytes_fetched: 0,
                    bytes_written_back: 0,
                    gc_bytes: 0,
                }
            })
            .collect();
        Memnodes {
            nodes,
            homes: HashMap::new(),
            next: 0,
            shut_down: false,
            gc_log_region: None,
        }
    }

    /// Connects to memnode daemons over TCP (`HOST:PORT` each), two
    /// connections per memnode, each within `timeout`.
    pub fn connect_tcp(
        addrs: &[String],
        token: &Token,
        tenant: TenantId,
        timeout: Duration,
    ) -> Result<Memnodes, BackendError> {
        let mut links = Vec::with_capacity(addrs.len());
        for a in addrs {
            let link = |role| {
                let mut t = TcpTransport::connect(a, timeout)?;
                if role == Role::Control {
                    // An evacuation or fixup request does work in proportion
                    // to the memnode's live data before it answers; a dead
                    // daemon is noticed by the watchdog's pings meanwhile.
                    t.set_timeout(Some(GC_CONTROL_TIMEOUT))?;
                }
                Client::connect(Box::new(t), token, tenant, role)
            };
            let data = link(Role::Data).map_err(|e| BackendError(e.to_string()))?;
            let control = link(Role::Control).map_err(|e| BackendError(e.to_string()))?;
            links.push((data, control));
        }
        Ok(Memnodes::new(links))
    }

    /// Connects to in-process memnode servers, named `embedded#0`, `embedded#1`, ...
    pub fn connect_inproc(
        services: Vec<Arc<dyn Service>>,
        token: Arc<Token>,
        tenant: TenantId,
    ) -> Result<Memnodes, BackendError> {
        let mut links = Vec::with_capacity(services.len());
        for (i, s) in services.into_iter().enumerate() {
            let name = format!("embedded#{i}");
            let link = |role| {
                Client::connect(
                    inproc(s.clone(), token.clone(), name.clone()),
                    &token,
                    tenant,
                    role,
                )
            };
            let data = link(Role::Data).map_err(|e| BackendError(e.to_string()))?;
            let control = link(Role::Control).map_err(|e| BackendError(e.to_string()))?;
            links.push((data, control));
        }
        Ok(Memnodes::new(links))
    }

    /// Pings every memnode on its control connection.
    pub fn ping_all(&mut self) -> Result<(), BackendError> {
        for n in &mut self.nodes {
            n.expect_ok(&Msg::Ping, "Ping")?;
        }
        Ok(())
    }

    /// The memnode index holding region `r`, if any.
    pub fn home_of(&self, r: RegionId) -> Option<usize> {
        self.homes.get(&r.0).map(|h| h.node)
    }

    /// Memnode indices by placement preference: most free first, ties in
    /// round-robin order from the cursor.
    fn placement_order(&self) -> Vec<usize> {
        let n = self.nodes.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| {
            (
                std::cmp::Reverse(self.nodes[i].free()),
                (i + n - self.next) % n,
            )
        });
        order
    }

    /// One `AllocRegion` of `r` on memnode `i`.
    fn alloc_on(&mut self, i: usize, r: RegionId, bytes: u32) -> Result<Alloc, AcquireError> {
        let node = &mut self.nodes[i];
        match node
            .control
            .call(&Msg::AllocRegion { region: r.0, bytes }, Purpose::Control)
        {
            Ok(Msg::Ok) => {
                node.used += u64::from(bytes);
                node.regions += 1;
                self.homes.insert(r.0, Home { node: i, bytes });
                Ok(Alloc::Done)
            }
            Ok(other) => Err(AcquireError::Fatal(format!(
                "memnode {}: answered AllocRegion with {}",
                node.name,
                other.name()
            ))),
            Err(e) if e.remote_code() == Some(ErrorCode::Capacity) => {
                // Full for us now (other tenants share it).
                node.used = node.used.max(node.capacity);
                Ok(Alloc::Full(node.error(&e)))
            }
            Err(e) => Err(AcquireError::Fatal(node.error(&e))),
        }
    }

    /// Sends every `(memnode, request)` on the control connections (GC
    /// control traffic), then collects the replies in the same order. Every
    /// started request is answered before an error is returned, so the
    /// connections stay usable.
    fn gc_call_all(&mut self, reqs: Vec<(usize, Msg)>) -> Result<Vec<Msg>, BackendError> {
        let mut first_err: Option<BackendError> = None;
        let mut started = Vec::with_capacity(reqs.len());
        for (i, req) in &reqs {
            let node = &mut self.nodes[*i];
            match node.control.start_call(req, Purpose::GcControl) {
                Ok(()) => started.push(*i),
                Err(e) => {
                    first_err = Some(BackendError(node.error(&e)));
                    break;
                }
            }
        }
        let mut replies = Vec::with_capacity(started.len());
        for i in started {
            let node = &mut self.nodes[i];
            match node.control.finish_call() {
                Ok(m) => replies.push(m),
                Err(e) => {
                    if first_err.is_none() {
                        first_err = Some(BackendError(node.error(&e)));
                    }
                }
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(replies),
        }
    }

    /// `gc_call_all` with the same request to every memnode.
    fn gc_broadcast(&mut self, req: &Msg) -> Result<Vec<Msg>, BackendError> {
        let reqs = (0..self.nodes.len()).map(|i| (i, req.clone())).collect();
        self.gc_call_all(reqs)
    }

    fn unexpected(&self, i: usize, what: &str, reply: &Msg) -> BackendError {
        BackendError(format!(
            "memnode {}: answered {what} with {}",
            self.nodes[i].name,
            reply.name()
        ))
    }

    /// The memnode holding the object `x` refers to (during a collection).
    fn home_of_ref(&self, log_region: u32, x: Ref) -> Option<usize> {
        let region = x.addr().0.checked_shr(log_region)?;
        let region = u32::try_from(region).ok()?;
        self.homes.get(&region).map(|h| h.node)
    }

    fn gc_log_region(&self) -> Result<u32, BackendError> {
        self.gc_log_region
            .ok_or_else(|| BackendError("no offloaded collection is in progress".into()))
    }

    /// Sends per-memnode lists of references in rounds of at most
    /// [`MAX_REFS_PER_MESSAGE`] per message; `make` builds each message.
    /// Returns the replies per memnode, in order.
    fn gc_send_refs(
        &mut self,
        per: &[Vec<u32>],
        make: impl Fn(Vec<u32>) -> Msg,
    ) -> Result<Vec<Vec<Msg>>, BackendError> {
        let mut replies: Vec<Vec<Msg>> = vec![Vec::new(); per.len()];
        let rounds = per
            .iter()
            .map(|v| v.len().div_ceil(MAX_REFS_PER_MESSAGE))
            .max()
            .unwrap_or(0);
        for k in 0..rounds {
            let mut reqs = Vec::new();
            let mut who = Vec::new();
            for (i, v) in per.iter().enumerate() {
                if let Some(chunk) = v.chunks(MAX_REFS_PER_MESSAGE).nth(k) {
                    reqs.push((i, make(chunk.to_vec())));
                    who.push(i);
                }
            }
            let got = self.gc_call_all(reqs)?;
            for (i, m) in who.into_iter().zip(got) {
                replies[i].push(m);
            }
        }
        Ok(replies)
    }

    fn home(&self, a: &PageAddr) -> Result<Home, BackendError> {
        self.homes.get(&a.region.0).copied().ok_or_else(|| {
            BackendError(format!(
                "region {} has no memnode (page I/O on a region that was never acquired)",
                a.region.0
            ))
        })
    }
}

fn page_ref(a: &PageAddr) -> PageRef {
    PageRef {
        region: a.region.0,
        offset: a.offset,
        len: a.len,
    }
}

impl PageBackend for Memnodes {
    fn memnodes(&self) -> usize {
        self.nodes.len()
    }

    fn acquire(&mut self, r: RegionId, bytes: u32) -> Result<(), AcquireError> {
        if self.homes.contains_key(&r.0) {
            return Err(AcquireError::Fatal(format!(
                "region {} is acquired twice",
                r.0
            )));
        }
        if self.nodes.is_empty() {
            return Err(AcquireError::CapacityExhausted("no memnodes".into()));
        }
        let mut full = Vec::new();
        for i in self.placement_order() {
            match self.alloc_on(i, r, bytes)? {
                Alloc::Done => {
                    self.next = (i + 1) % self.nodes.len();
                    return Ok(());
                }
                // Try the next.
                Alloc::Full(why) => full.push(why),
            }
        }
        Err(AcquireError::CapacityExhausted(if full.len() == 1 {
            full.remove(0)
        } else {
            format!("all {} memnodes are full ({})", full.len(), full.join("; "))
        }))
    }

    fn release(&mut self, rs: &[RegionId]) -> Result<(), BackendError> {
        let mut per: Vec<Vec<u32>> = vec![Vec::new(); self.nodes.len()];
        for r in rs {
            if let Some(h) = self.homes.get(&r.0) {
                per[h.node].push(r.0);
            }
        }
        for (i, regions) in per.into_iter().enumerate() {
            if regions.is_empty() {
                continue;
            }
            let freed: u64 = regions
                .iter()
                .filter_map(|r| self.homes.get(r))
                .map(|h| u64::from(h.bytes))
                .sum();
            let count = regions.len() as u64;
            for r in &regions {
                self.homes.remove(r);
            }
            let node = &mut self.nodes[i];
            node.used = node.used.saturating_sub(freed);
            node.regions = node.regions.saturating_sub(count);
            node.expect_ok(&Msg::ReleaseRegions { regions }, "ReleaseRegions")?;
        }
        Ok(())
    }

    fn page_io(
        &mut self,
        writes: &[(PageAddr, &[u8])],
        reads: &[PageAddr],
        out: &mut Vec<u8>,
        gc: bool,
    ) -> Result<(), BackendError> {
        let n = self.nodes.len();
        let mut batches: Vec<Batch> = (0..n).map(|_| Batch::default()).collect();
        // Home of each read, in order (to stitch replies from several memnodes).
        let mut read_homes = Vec::with_capacity(reads.len());
        for (a, b) in writes {
            let h = self.home(a)?;
            if b.len() != a.len as usize {
                return Err(BackendError(format!(
                    "write of {} bytes to a range of {} bytes",
                    b.len(),
                    a.len
                )));
            }
            batches[h.node].writes.push((page_ref(a), b));
        }
        for a in reads {
            let h = self.home(a)?;
            batches[h.node].reads.push(page_ref(a));
            read_homes.push(h.node);
        }
        let readers = batches.iter().filter(|b| !b.reads.is_empty()).count();
        let mut bufs: Vec<Vec<u8>> = Vec::new();
        if readers > 1 {
            bufs = (0..n).map(|_| Vec::new()).collect();
        }
        // Send every request first, then collect the replies: memnodes work in
        // parallel and the batch costs one round trip, not one per memnode.
        let mut sent = Vec::with_capacity(n);
        for (i, b) in batches.iter().enumerate() {
            if b.writes.is_empty() && b.reads.is_empty() {
                continue;
            }
            let node = &mut self.nodes[i];
            node.data
                .start_page_io(&b.writes, &b.reads, gc)
                .map_err(|e| BackendError(node.error(&e)))?;
            sent.push(i);
        }
        for i in sent {
            let b = &batches[i];
            let node = &mut self.nodes[i];
            let dest = if readers > 1 { &mut bufs[i] } else { &mut *out };
            node.data
                .finish_page_io(dest)
                .map_err(|e| BackendError(node.error(&e)))?;
            let w: u64 = b.writes.iter().map(|(p, _)| u64::from(p.len)).sum();
            let r: u64 = b.reads.iter().map(|p| u64::from(p.len)).sum();
            node.bytes_written_back += w;
            node.bytes_fetched += r;
            if gc {
                node.gc_bytes += w + r;
            }
        }
        if readers > 1 {
            let mut cursors = vec![0usize; n];
            for (a, &i) in reads.iter().zip(&read_homes) {
                let len = a.len as usize;
                let c = cursors[i];
                let chunk = bufs[i].get(c..c + len).ok_or_else(|| {
                    BackendError(format!("memnode {}: short page data", self.nodes[i].name))
                })?;
                out.extend_from_slice(chunk);
                cursors[i] = c + len;
            }
        }
        Ok(())
    }

    fn upload_layouts(&mut self, blob: &[u8]) -> Result<(), BackendError> {
        let msg = Msg::UploadLayouts {
            blob: blob.to_vec(),
        };
        for node in &mut self.nodes {
            node.expect_ok(&msg, "UploadLayouts")?;
        }
        Ok(())
    }

    fn totals(&self) -> FabricTotals {
        let mut t = FabricTotals::default();
        for n in &self.nodes {
            let s = n.data.counters() + n.control.counters();
            t.bytes_fetched += n.bytes_fetched;
            t.bytes_written_back += n.bytes_written_back;
            // Page bytes moved while collecting, plus the offloaded
            // collection's control messages (wire bytes, both directions).
            t.gc_bytes += n.gc_bytes + s.bytes(Purpose::GcControl);
            t.bytes_control += s.bytes(Purpose::Control) + s.bytes(Purpose::GcControl);
            t.round_trips += s.total_round_trips();
            t.messages += s.total_messages();
        }
        t
    }

    fn nodes(&self) -> Vec<MemnodeInfo> {
        self.nodes
            .iter()
            .map(|n| MemnodeInfo {
                name: n.name.clone(),
                regions: n.regions,
                bytes_fetched: n.bytes_fetched,
                bytes_written_back: n.bytes_written_back,
            })
            .collect()
    }

    fn shutdown(&mut self) {
        if self.shut_down {
            return;
        }
        self.shut_down = true;
        for n in &mut self.nodes {
            let _ = n.control.call(&Msg::Goodbye, Purpose::Control);
        }
        self.homes.clear();
    }

    fn home_of(&self, r: RegionId) -> Option<usize> {
        Memnodes::home_of(self, r)
    }

    fn acquire_on(&mut self, r: RegionId, bytes: u32, node: usize) -> Result<(), AcquireError> {
        if self.homes.contains_key(&r.0) {
            return Err(AcquireError::Fatal(format!(
                "region {} is acquired twice",
                r.0
            )));
        }
        if node >= self.nodes.len() {
            return Err(AcquireError::Fatal(format!(
                "region {} on memnode {node}, but there are {} memnodes",
                r.0,
                self.nodes.len()
            )));
        }
        match self.alloc_on(node, r, bytes)? {
            Alloc::Done => Ok(()),
            Alloc::Full(why) => Err(AcquireError::CapacityExhausted(why)),
        }
    }

    fn supports_offload(&self) -> bool {
        !self.nodes.is_empty()
    }

    fn gc_begin(
        &mut self,
        cycle: u32,
        log_region: u32,
        young_refs: u32,
        regions: &[GcRegionInfo],
    ) -> Result<(), BackendError> {
        let log = u8::try_from(log_region)
            .map_err(|_| BackendError(format!("region size 2^{log_region} is too large")))?;
        let mut list = Vec::with_capacity(regions.len());
        for g in regions {
            let owner = self
                .home_of(g.region)
                .and_then(|i| u16::try_from(i).ok())
                .ok_or_else(|| {
                    BackendError(format!(
                        "region {} has no memnode (offloaded collection of a region that was never acquired)",
                        g.region.0
                    ))
                })?;
            list.push(GcRegion {
                region: g.region.0,
                tams: g.tams,
                kind: g.kind,
                span: g.span,
                owner,
            });
        }
        let peers: Vec<String> = self.nodes.iter().map(|n| n.name.clone()).collect();
        let mut reqs = Vec::with_capacity(self.nodes.len());
        for i in 0..self.nodes.len() {
            let self_index = u16::try_from(i)
                .map_err(|_| BackendError(format!("{} memnodes are too many", peers.len())))?;
            reqs.push((
                i,
                Msg::GcBegin {
                    cycle,
                    log_region: log,
                    young_refs,
                    self_index,
                    peers: peers.clone(),
                    regions: list.clone(),
                },
            ));
        }
        self.gc_log_region = Some(log_region);
        for (i, m) in self.gc_call_all(reqs)?.into_iter().enumerate() {
            if m != Msg::Ok {
                return Err(self.unexpected(i, "GcBegin", &m));
            }
        }
        Ok(())
    }

    fn gc_mark_refs(&mut self, cycle: u32, kind: u8, refs: &[Ref]) -> Result<(), BackendError> {
        let log = self.gc_log_region()?;
        let mut per: Vec<Vec<u32>> = vec![Vec::new(); self.nodes.len()];
        for &x in refs {
            if x.is_null() {
                continue;
            }
            if let Some(i) = self.home_of_ref(log, x) {
                per[i].push(x.0);
            }
        }
        let replies = self.gc_send_refs(&per, |refs| Msg::MarkRefs { cycle, kind, refs })?;
        for (i, ms) in replies.iter().enumerate() {
            if let Some(m) = ms.iter().find(|m| **m != Msg::Ok) {
                return Err(self.unexpected(i, "MarkRefs", m));
            }
        }
        Ok(())
    }

    fn gc_pending(&mut self, cycle: u32, pages: &[(RegionId, u32)]) -> Result<(), BackendError> {
        let mut per: Vec<Vec<(u32, u32)>> = vec![Vec::new(); self.nodes.len()];
        for &(r, page) in pages {
            if let Some(i) = self.home_of(r) {
                per[i].push((r.0, page));
            }
        }
        let reqs = per
            .into_iter()
            .enumerate()
            .map(|(i, pages)| (i, Msg::GcPending { cycle, pages }))
            .collect();
        for (i, m) in self.gc_call_all(reqs)?.into_iter().enumerate() {
            if m != Msg::Ok {
                return Err(self.unexpected(i, "GcPending", &m));
            }
        }
        Ok(())
    }

    fn gc_poll(&mut self, cycle: u32) -> Result<Vec<MarkProgress>, BackendError> {
        let replies = self.gc_broadcast(&Msg::GcPoll { cycle })?;
        let mut out = Vec::with_capacity(replies.len());
        for (i, m) in replies.into_iter().enumerate() {
            match m {
                Msg::GcProgress {
                    idle,
                    sent,
                    received,
                    marked_bytes,
                    marked_objects,
                    peer_bytes,
                    waiting,
                } => out.push(MarkProgress {
                    idle,
                    sent,
                    received,
                    marked_bytes,
                    marked_objects,
                    peer_bytes,
                    waiting,
                }),
                other => return Err(self.unexpected(i, "GcPoll", &other)),
            }
        }
        Ok(out)
    }

    fn gc_liveness(&mut self, cycle: u32) -> Result<Vec<(RegionId, u64, u64)>, BackendError> {
        let replies = self.gc_broadcast(&Msg::GcLiveness { cycle })?;
        let mut out = Vec::new();
        for (i, m) in replies.into_iter().enumerate() {
            match m {
                Msg::GcLive { regions } => {
                    out.extend(regions.into_iter().map(|(r, b, o)| (RegionId(r), b, o)))
                }
                other => return Err(self.unexpected(i, "GcLiveness", &other)),
            }
        }
        Ok(out)
    }

    fn gc_evacuate(
        &mut self,
        cycle: u32,
        node: usize,
        sources: &[RegionId],
        dests: &[RegionId],
    ) -> Result<EvacResult, BackendError> {
        if node >= self.nodes.len() {
            return Err(BackendError(format!(
                "evacuation on memnode {node}, but there are {} memnodes",
                self.nodes.len()
            )));
        }
        for r in sources.iter().chain(dests) {
            if self.home_of(*r) != Some(node) {
                return Err(BackendError(format!(
                    "region {} is not on memnode {} (evacuation stays on one memnode)",
                    r.0, self.nodes[node].name
                )));
            }
        }
        let req = Msg::GcEvacuate {
            cycle,
            sources: sources.iter().map(|r| r.0).collect(),
            dests: dests.iter().map(|r| r.0).collect(),
        };
        let reply = self.gc_call_all(vec![(node, req)])?;
        match reply.into_iter().next() {
            Some(Msg::GcEvacuated {
                copied_bytes,
                moved_objects,
                dests,
                young_cards,
            }) => Ok(EvacResult {
                copied_bytes,
                moved_objects,
                young_cards: young_cards.into_iter().map(Ref).collect(),
                dests: dests
                    .into_iter()
                    .map(|(r, top, bot)| EvacDest {
                        region: RegionId(r),
                        top,
                        bot: bot
                            .chunks_exact(2)
                            .map(|b| u16::from_le_bytes([b[0], b[1]]))
                            .collect(),
                    })
                    .collect(),
            }),
            Some(other) => Err(self.unexpected(node, "GcEvacuate", &other)),
            None => Err(BackendError(format!(
                "memnode {}: no reply to GcEvacuate",
                self.nodes[node].name
            ))),
        }
    }

    fn gc_fixup(
        &mut self,
        cycle: u32,
        tops: &[(RegionId, u32)],
        resident: &[(RegionId, u32)],
        skip: &[(RegionId, u32, u32)],
    ) -> Result<FixResult, BackendError> {
        let mut per: Vec<Vec<(u32, u32)>> = vec![Vec::new(); self.nodes.len()];
        for &(r, top) in tops {
            let i = self.home_of(r).ok_or_else(|| {
                BackendError(format!(
                    "region {} has no memnode (fix-up of a region that was never acquired)",
                    r.0
                ))
            })?;
            per[i].push((r.0, top));
        }
        let mut res: Vec<Vec<(u32, u32)>> = vec![Vec::new(); self.nodes.len()];
        for &(r, p) in resident {
            if let Some(i) = self.home_of(r) {
                res[i].push((r.0, p));
            }
        }
        let mut skips: Vec<Vec<(u32, u32, u32)>> = vec![Vec::new(); self.nodes.len()];
        for &(r, from, to) in skip {
            if let Some(i) = self.home_of(r) {
                skips[i].push((r.0, from, to));
            }
        }
        let reqs = per
            .into_iter()
            .zip(res)
            .zip(skips)
            .enumerate()
            .map(|(i, ((tops, resident), skip))| {
                (
                    i,
                    Msg::GcFixup {
                        cycle,
                        tops,
                        resident,
                        skip,
                    },
                )
            })
            .collect();
        let replies = self.gc_call_all(reqs)?;
        let mut out = FixResult::default();
        for (i, m) in replies.into_iter().enumerate() {
            match m {
                Msg::GcFixed {
                    fixed_refs,
                    pages,
                    patches,
                } => {
                    out.fixed_refs += fixed_refs;
                    out.patches
                        .extend(patches.into_iter().map(|(r, off, v)| (RegionId(r), off, v)));
                    for (r, p) in pages {
                        let offset = p.checked_mul(FIX_PAGE).ok_or_else(|| {
                            BackendError(format!(
                                "memnode {}: fixed page {p} of region {r} is out of range",
                                self.nodes[i].name
                            ))
                        })?;
                        out.pages.push(PageAddr {
                            region: RegionId(r),
                            offset,
                            len: FIX_PAGE,
                        });
                    }
                }
                other => return Err(self.unexpected(i, "GcFixup", &other)),
            }
        }
        Ok(out)
    }

    fn gc_forward(&mut self, cycle: u32, refs: &[Ref]) -> Result<Vec<Ref>, BackendError> {
        let log = self.gc_log_region()?;
        let mut out: Vec<Ref> = refs.to_vec();
        let mut per: Vec<Vec<u32>> = vec![Vec::new(); self.nodes.len()];
        // Where each memnode's answers go in `out`.
        let mut slots: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for (k, &x) in refs.iter().enumerate() {
            if x.is_null() {
                continue;
            }
            if let Some(i) = self.home_of_ref(log, x) {
                per[i].push(x.0);
                slots[i].push(k);
            }
        }
        let replies = self.gc_send_refs(&per, |refs| Msg::GcForward { cycle, refs })?;
        for (i, ms) in replies.into_iter().enumerate() {
            let mut got = Vec::with_capacity(per[i].len());
            for m in ms {
                match m {
                    Msg::GcForwarded { refs } => got.extend(refs),
                    other => return Err(self.unexpected(i, "GcForward", &other)),
                }
            }
            if got.len() != per[i].len() {
                return Err(BackendError(format!(
                    "memnode {}: forwarded {} references of {}",
                    self.nodes[i].name,
                    got.len(),
                    per[i].len()
                )));
            }
            for (&k, to) in slots[i].iter().zip(got) {
                out[k] = Ref(to);
            }
        }
        Ok(out)
    }

    fn gc_peek(&mut self, cycle: u32, refs: &[Ref]) -> Result<Vec<[u32; 3]>, BackendError> {
        let log = self.gc_log_region()?;
        let mut out = vec![[0u32; 3]; refs.len()];
        let mut per: Vec<Vec<u32>> = vec![Vec::new(); self.nodes.len()];
        let mut slots: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for (k, &x) in refs.iter().enumerate() {
            let Some(i) = self.home_of_ref(log, x).filter(|_| !x.is_null()) else {
                return Err(BackendError(format!(
                    "peek at {:#x}: no memnode holds it",
                    x.addr().0
                )));
            };
            per[i].push(x.0);
            slots[i].push(k);
        }
        let replies = self.gc_send_refs(&per, |refs| Msg::GcPeek { cycle, refs })?;
        for (i, ms) in replies.into_iter().enumerate() {
            let mut got = Vec::with_capacity(3 * per[i].len());
            for m in ms {
                match m {
                    Msg::GcPeeked { words } => got.extend(words),
                    other => return Err(self.unexpected(i, "GcPeek", &other)),
                }
            }
            if got.len() != 3 * per[i].len() {
                return Err(BackendError(format!(
                    "memnode {}: {} words for {} peeked objects",
                    self.nodes[i].name,
                    got.len(),
                    per[i].len()
                )));
            }
            for (&k, w) in slots[i].iter().zip(got.chunks_exact(3)) {
                out[k] = [w[0], w[1], w[2]];
            }
        }
        Ok(out)
    }

    fn gc_end(&mut self, cycle: u32) -> Result<(), BackendError> {
        self.gc_log_region = None;
        for (i, m) in self
            .gc_broadcast(&Msg::GcEnd { cycle })?
            .into_iter()
            .enumerate()
        {
            if m != Msg::Ok {
                return Err(self.unexpected(i, "GcEnd", &m));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use semeru_fabric::{NodeInfo, Session};
    use std::sync::Mutex;

    /// A tiny memnode: regions in a HashMap, a capacity it may under-report.
    #[derive(Default)]
    struct Store {
        regions: HashMap<(TenantId, u32), Vec<u8>>,
        page_ios: usize,
        goodbyes: usize,
        layouts: Vec<Vec<u8>>,
        /// Every offloaded-collection request, in order.
        gc: Vec<Msg>,
        /// The open cycle (`GcBegin` .. `GcEnd`).
        cycle: Option<u32>,
    }

    struct Mock {
        name: String,
        advertised: u64,
        capacity: u64,
        store: Mutex<Store>,
    }

    impl Mock {
        fn new(name: &str, advertised: u64, capacity: u64) -> Arc<Mock> {
            Arc::new(Mock {
                name: name.into(),
                advertised,
                capacity,
                store: Mutex::new(Store::default()),
            })
        }
        fn regions(&self) -> Vec<u32> {
            let mut v: Vec<u32> = self
                .store
                .lock()
                .unwrap()
                .regions
                .keys()
                .map(|k| k.1)
                .collect();
            v.sort();
            v
        }
        fn page_ios(&self) -> usize {
            self.store.lock().unwrap().page_ios
        }
        fn gc(&self) -> Vec<Msg> {
            self.store.lock().unwrap().gc.clone()
        }
    }

    /// The mock's answers to the collection messages: a region's live bytes
    /// are its id × 10; a forwarded ref is the ref + 1; evacuation fills each
    /// destination to 8 bytes per source; fix-up reports the page of each top.
    fn gc_reply(s: &mut Store, t: TenantId, req: Msg) -> Result<Msg, (ErrorCode, String)> {
        s.gc.push(req.clone());
        let cycle = match &req {
            Msg::GcBegin { cycle, .. }
            | Msg::MarkRefs { cycle, .. }
            | Msg::GcPoll { cycle }
            | Msg::GcLiveness { cycle }
            | Msg::GcEvacuate { cycle, .. }
            | Msg::GcFixup { cycle, .. }
            | Msg::GcForward { cycle, .. }
            | Msg::GcPeek { cycle, .. }
            | Msg::GcEnd { cycle }
            | Msg::GetForwarding { cycle } => *cycle,
            _ => 0,
        };
        if let Msg::GcBegin { .. } = req {
            s.cycle = Some(cycle);
            return Ok(Msg::Ok);
        }
        if s.cycle != Some(cycle) {
            return Ok(Msg::Error {
                code: ErrorCode::State,
                message: format!("no cycle {cycle}"),
            });
        }
        Ok(match req {
            Msg::MarkRefs { .. } => Msg::Ok,
            Msg::GcPoll { .. } => {
                let received =
                    s.gc.iter()
                        .filter(|m| matches!(m, Msg::MarkRefs { .. }))
                        .count() as u64;
                Msg::GcProgress {
                    idle: true,
                    sent: 0,
                    received,
                    marked_bytes: 8 * received,
                    marked_objects: received,
                    peer_bytes: 0,
                    waiting: 0,
                }
            }
            Msg::GcLiveness { .. } => {
                let mut regions: Vec<(u32, u64, u64)> = s
                    .regions
                    .keys()
                    .filter(|k| k.0 == t)
                    .map(|k| (k.1, u64::from(k.1) * 10, 1))
                    .collect();
                regions.sort();
                Msg::GcLive { regions }
            }
            Msg::GcEvacuate { sources, dests, .. } => Msg::GcEvacuated {
                copied_bytes: 8 * sources.len() as u64,
                moved_objects: sources.len() as u64,
                dests: dests
                    .iter()
                    .map(|&d| (d, 8 * sources.len() as u32, vec![1, 0, 2, 0]))
                    .collect(),
                young_cards: Vec::new(),
            },
            Msg::GcFixup { tops, resident, .. } => Msg::GcFixed {
                fixed_refs: tops.len() as u64,
                pages: tops.iter().map(|&(r, top)| (r, top / 4096)).collect(),
                patches: resident
                    .iter()
                    .map(|&(r, p)| (r, p * 4096 + 8, 7))
                    .collect(),
            },
            Msg::GcForward { refs, .. } => Msg::GcForwarded {
                refs: refs.iter().map(|r| r + 1).collect(),
            },
            Msg::GcPeek { refs, .. } => Msg::GcPeeked {
                words: refs.iter().flat_map(|&r| [r, 1, r + 2]).collect(),
            },
            Msg::GcEnd { .. } => {
                s.cycle = None;
                Msg::Ok
            }
            other => return Err((ErrorCode::State, format!("unexpected {}", other.name()))),
        })
    }

    struct Svc(Arc<Mock>);
    struct Sess(Arc<Mock>, TenantId);

    impl Service for Svc {
        fn info(&self) -> NodeInfo {
            NodeInfo {
                name: self.0.name.clone(),
                capacity: self.0.advertised,
                used: 0,
                region_bytes_max: 1 << 20,
            }
        }
        fn open(&self, tenant: TenantId, _role: Role) -> Result<Box<dyn Session>, String> {
            Ok(Box::new(Sess(self.0.clone(), tenant)))
        }
    }

    fn range<'a>(
        rs: &'a mut HashMap<(TenantId, u32), Vec<u8>>,
        t: TenantId,
        p: &PageRef,
    ) -> Result<&'a mut [u8], (ErrorCode, String)> {
        let bad = || (ErrorCode::BadAddress, format!("bad address {p:?}"));
        let r = rs.get_mut(&(t, p.region)).ok_or_else(bad)?;
        let end = p.offset as usize + p.len as usize;
        r.get_mut(p.offset as usize..end).ok_or_else(bad)
    }

    impl Session for Sess {
        fn handle(&mut self, req: Msg) -> Result<Msg, (ErrorCode, String)> {
            let mut s = self.0.store.lock().unwrap();
            let t = self.1;
            match req {
                Msg::PageIo { writes, reads } => {
                    s.page_ios += 1;
                    for (p, b) in writes {
                        range(&mut s.regions, t, &p)?.copy_from_slice(&b);
                    }
                    let mut data = Vec::new();
                    for p in reads {
                        data.extend_from_slice(range(&mut s.regions, t, &p)?);
                    }
                    Ok(Msg::PageData { data })
                }
                Msg::AllocRegion { region, bytes } => {
                    let used: u64 = s.regions.values().map(|v| v.len() as u64).sum();
                    if used + u64::from(bytes) > self.0.capacity {
                        return Err((
                            ErrorCode::Capacity,
                            format!("memnode {}: capacity exhausted", self.0.name),
                        ));
                    }
                    s.regions.insert((t, region), vec![0; bytes as usize]);
                    Ok(Msg::Ok)
                }
                Msg::ReleaseRegions { regions } => {
                    for r in regions {
                        s.regions.remove(&(t, r));
                    }
                    Ok(Msg::Ok)
                }
                Msg::UploadLayouts { blob } => {
                    s.layouts.push(blob);
                    Ok(Msg::Ok)
                }
                Msg::Goodbye => {
                    s.goodbyes += 1;
                    s.regions.retain(|k, _| k.0 != t);
                    Ok(Msg::Ok)
                }
                Msg::Ping => Ok(Msg::Ok),
                m if m.is_gc() => gc_reply(&mut s, t, m),
                other => Err((ErrorCode::State, format!("unexpected {}", other.name()))),
            }
        }
    }

    fn memnodes(mocks: &[Arc<Mock>]) -> Memnodes {
        let services: Vec<Arc<dyn Service>> = mocks
            .iter()
            .map(|m| Arc::new(Svc(m.clone())) as Arc<dyn Service>)
            .collect();
        Memnodes::connect_inproc(services, Arc::new(Token::new(b"t".to_vec())), 77).unwrap()
    }

    const R: u32 = 64 << 10;

    fn addr(r: u32, offset: u32, len: u32) -> PageAddr {
        PageAddr {
            region: RegionId(r),
            offset,
            len,
        }
    }

    #[test]
    fn equal_memnodes_stripe() {
        let m = [
            Mock::new("a", 1 << 30, 1 << 30),
            Mock::new("b", 1 << 30, 1 << 30),
        ];
        let mut b = memnodes(&m);
        assert_eq!(b.memnodes(), 2);
        b.ping_all().unwrap();
        for r in 0..6 {
            b.acquire(RegionId(r), R).unwrap();
        }
        assert_eq!(m[0].regions(), vec![0, 2, 4]);
        assert_eq!(m[1].regions(), vec![1, 3, 5]);
        let nodes = b.nodes();
        assert_eq!(nodes[0].name, "embedded#0");
        assert_eq!((nodes[0].regions, nodes[1].regions), (3, 3));
        assert_eq!(b.home_of(RegionId(3)), Some(1));
    }

    #[test]
    fn placement_prefers_free_capacity() {
        let m = [
            Mock::new("small", 4 * R as u64, 4 * R as u64),
            Mock::new("big", 12 * R as u64, 12 * R as u64),
        ];
        let mut b = memnodes(&m);
        for r in 0..12 {
            b.acquire(RegionId(r), R).unwrap();
        }
        // "big" takes regions until free space is equal, then they alternate.
        assert_eq!(m[0].regions().len(), 2);
        assert_eq!(m[1].regions().len(), 10);
        b.release(&[RegionId(0), RegionId(1), RegionId(2), RegionId(99)])
            .unwrap();
        assert_eq!(m[0].regions().len() + m[1].regions().len(), 9);
        assert_eq!(b.nodes().iter().map(|n| n.regions).sum::<u64>(), 9);
    }

    #[test]
    fn capacity_falls_back_then_exhausts() {
        // "liar" advertises much but holds one region.
        let m = [
            Mock::new("liar", 1 << 30, R as u64),
            Mock::new("honest", 2 * R as u64, 2 * R as u64),
        ];
        let mut b = memnodes(&m);
        b.acquire(RegionId(0), R).unwrap();
        b.acquire(RegionId(1), R).unwrap();
        assert_eq!(m[0].regions(), vec![0]);
        assert_eq!(m[1].regions(), vec![1]);
        b.acquire(RegionId(2), R).unwrap();
        assert_eq!(m[1].regions(), vec![1, 2]);
        match b.acquire(RegionId(3), R) {
            Err(AcquireError::CapacityExhausted(msg)) => {
                assert!(msg.contains("all 2 memnodes are full"), "{msg}");
                assert!(msg.contains("memnode liar: capacity exhausted"), "{msg}");
            }
            other => panic!("{other:?}"),
        }
        // Releasing makes room again.
        b.release(&[RegionId(1)]).unwrap();
        b.acquire(RegionId(3), R).unwrap();
        assert_eq!(m[1].regions(), vec![2, 3]);
    }

    #[test]
    fn page_io_groups_by_memnode_and_keeps_read_order() {
        let m = [
            Mock::new("a", 1 << 30, 1 << 30),
            Mock::new("b", 1 << 30, 1 << 30),
        ];
        let mut b = memnodes(&m);
        for r in 0..4 {
            b.acquire(RegionId(r), R).unwrap();
        }
        let pages: Vec<Vec<u8>> = (0..4u8).map(|i| vec![i + 1; 4096]).collect();
        let writes: Vec<(PageAddr, &[u8])> = (0..4)
            .map(|r| (addr(r, 4096, 4096), &pages[r as usize][..]))
            .collect();
        let mut out = Vec::new();
        b.page_io(&writes, &[], &mut out, false).unwrap();
        assert!(out.is_empty());
        assert_eq!((m[0].page_ios(), m[1].page_ios()), (1, 1));
        // Interleaved reads across both memnodes come back in request order.
        let reads = [
            addr(3, 4096, 2),
            addr(0, 4096, 3),
            addr(1, 4100, 1),
            addr(2, 0, 2),
            addr(0, 8190, 4),
        ];
        b.page_io(&[], &reads, &mut out, true).unwrap();
        assert_eq!(out, vec![4, 4, 1, 1, 1, 2, 0, 0, 1, 1, 0, 0]);
        assert_eq!((m[0].page_ios(), m[1].page_ios()), (2, 2));
        // Reads from one memnode only touch that one.
        out.clear();
        b.page_io(&[], &[addr(1, 4096, 1)], &mut out, false)
            .unwrap();
        assert_eq!(out, vec![2]);
        assert_eq!((m[0].page_ios(), m[1].page_ios()), (2, 3));

        let t = b.totals();
        assert_eq!(t.bytes_written_back, 4 * 4096);
        assert_eq!(t.bytes_fetched, 12 + 1);
        assert_eq!(t.gc_bytes, 12);
        assert!(t.bytes_control > 0);
        // 4 handshakes of 2 round trips, 4 allocations, 5 PageIo.
        assert_eq!(t.round_trips, 8 + 4 + 5);
        assert_eq!(b.nodes()[0].bytes_written_back, 2 * 4096);
    }

    #[test]
    fn errors_name_the_memnode() {
        let m = [
            Mock::new("a", 1 << 30, 1 << 30),
            Mock::new("b", 1 << 30, 1 << 30),
        ];
        let mut b = memnodes(&m);
        b.acquire(RegionId(0), R).unwrap();
        b.acquire(RegionId(1), R).unwrap();
        let mut out = Vec::new();
        let e = b
            .page_io(&[], &[addr(7, 0, 1)], &mut out, false)
            .unwrap_err();
        assert!(e.0.contains("region 7"), "{e}");
        let e = b
            .page_io(&[], &[addr(1, R - 1, 2)], &mut out, false)
            .unwrap_err();
        assert!(e.0.starts_with("memnode embedded#1: "), "{e}");
        // That connection is closed now: the next miss is a clear error too.
        let e = b
            .page_io(&[], &[addr(1, 0, 2)], &mut out, false)
            .unwrap_err();
        assert_eq!(e.0, "memnode embedded#1: connection closed");
        // The other memnode still works.
        b.page_io(&[], &[addr(0, 0, 2)], &mut out, false).unwrap();
    }

    #[test]
    fn layouts_and_shutdown() {
        let m = [
            Mock::new("a", 1 << 30, 1 << 30),
            Mock::new("b", 1 << 30, 1 << 30),
        ];
        let mut b = memnodes(&m);
        b.acquire(RegionId(0), R).unwrap();
        b.acquire(RegionId(1), R).unwrap();
        b.upload_layouts(&[1, 2, 3]).unwrap();
        for x in &m {
            assert_eq!(x.store.lock().unwrap().layouts, vec![vec![1, 2, 3]]);
        }
        b.shutdown();
        b.shutdown();
        for x in &m {
            assert_eq!(x.store.lock().unwrap().goodbyes, 1);
            assert!(x.regions().is_empty());
        }
    }

    /// Region log size of the GC tests: 64 KiB regions (R).
    const LOG: u32 = 16;

    /// A reference into region `r` at byte `offset`.
    fn rref(r: u32, offset: u32) -> Ref {
        Ref(((r << LOG) + offset) >> 3)
    }

    fn info(r: u32, tams: u32) -> GcRegionInfo {
        GcRegionInfo {
            region: RegionId(r),
            tams,
            kind: 0,
            span: 1,
        }
    }

    /// Two memnodes striped: even regions on "a" (embedded#0), odd on "b".
    fn striped(regions: u32) -> ([Arc<Mock>; 2], Memnodes) {
        let m = [
            Mock::new("a", 1 << 30, 1 << 30),
            Mock::new("b", 1 << 30, 1 << 30),
        ];
        let mut b = memnodes(&m);
        for r in 0..regions {
            b.acquire(RegionId(r), R).unwrap();
        }
        (m, b)
    }

    #[test]
    fn acquire_on_places_the_region() {
        let (m, mut b) = striped(2);
        assert!(b.supports_offload());
        b.acquire_on(RegionId(10), R, 1).unwrap();
        b.acquire_on(RegionId(11), R, 1).unwrap();
        assert_eq!(m[1].regions(), vec![1, 10, 11]);
        assert_eq!(PageBackend::home_of(&b, RegionId(11)), Some(1));
        assert!(matches!(
            b.acquire_on(RegionId(10), R, 0),
            Err(AcquireError::Fatal(_))
        ));
        assert!(matches!(
            b.acquire_on(RegionId(12), R, 2),
            Err(AcquireError::Fatal(_))
        ));
        // Placement by free space continues as before.
        b.acquire(RegionId(12), R).unwrap();
        assert_eq!(m[0].regions(), vec![0, 12]);
        // A full memnode is a capacity error, not a fallback elsewhere.
        let small = [
            Mock::new("s", R as u64, R as u64),
            Mock::new("t", 1 << 30, 1 << 30),
        ];
        let mut c = memnodes(&small);
        c.acquire_on(RegionId(0), R, 0).unwrap();
        match c.acquire_on(RegionId(1), R, 0) {
            Err(AcquireError::CapacityExhausted(msg)) => {
                assert!(msg.contains("memnode s"), "{msg}")
            }
            other => panic!("{other:?}"),
        }
        assert!(small[1].regions().is_empty());
    }

    #[test]
    fn gc_begin_sends_every_region_with_owners_and_peers() {
        let (m, mut b) = striped(3);
        b.acquire_on(RegionId(3), R, 0).unwrap();
        let mut hum = info(3, 0);
        hum.kind = 1;
        hum.span = 1;
        let regions = [info(0, 4096), info(1, 8), info(2, 0), hum];
        b.gc_begin(5, LOG, 1 << 12, &regions).unwrap();
        for (i, x) in m.iter().enumerate() {
            let gc = x.gc();
            assert_eq!(gc.len(), 1);
            let Msg::GcBegin {
                cycle,
                log_region,
                young_refs,
                self_index,
                peers,
                regions,
            } = &gc[0]
            else {
                panic!("{gc:?}")
            };
            assert_eq!((*cycle, *log_region, *young_refs), (5, 16, 1 << 12));
            assert_eq!(*self_index as usize, i);
            assert_eq!(peers, &["embedded#0".to_string(), "embedded#1".to_string()]);
            let owners: Vec<(u32, u32, u8, u16)> = regions
                .iter()
                .map(|g| (g.region, g.tams, g.kind, g.owner))
                .collect();
            assert_eq!(
                owners,
                vec![(0, 4096, 0, 0), (1, 8, 0, 1), (2, 0, 0, 0), (3, 0, 1, 0)]
            );
        }
        // A region nobody holds is an error.
        let e = b.gc_begin(6, LOG, 0, &[info(9, 0)]).unwrap_err();
        assert!(e.0.contains("region 9"), "{e}");
    }

    #[test]
    fn gc_mark_refs_group_by_home_keep_order_and_batch() {
        let (m, mut b) = striped(4);
        // Before gc_begin there is no region size to route with.
        assert!(b.gc_mark_refs(1, 0, &[rref(0, 8)]).is_err());
        b.gc_begin(1, LOG, 0, &[info(0, 0), info(1, 0), info(2, 0), info(3, 0)])
            .unwrap();
        let refs = [
            rref(3, 16),
            rref(0, 8),
            Ref::NULL,
            rref(1, 24),
            rref(2, 0),
            rref(40, 8), // no home (young or unknown): dropped
            rref(0, 64),
        ];
        b.gc_mark_refs(1, 1, &refs).unwrap();
        let sent = |x: &Mock| -> Vec<(u8, Vec<u32>)> {
            x.gc()
                .into_iter()
                .filter_map(|g| match g {
                    Msg::MarkRefs { kind, refs, .. } => Some((kind, refs)),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(
            sent(&m[0]),
            vec![(1, vec![rref(0, 8).0, rref(2, 0).0, rref(0, 64).0])]
        );
        assert_eq!(sent(&m[1]), vec![(1, vec![rref(3, 16).0, rref(1, 24).0])]);
        // Only homes with refs get a message.
        b.gc_mark_refs(1, 0, &[rref(1, 8)]).unwrap();
        assert_eq!(sent(&m[0]).len(), 1);
        assert_eq!(sent(&m[1]).len(), 2);
        // Large batches are split, in order.
        let many: Vec<Ref> = (0..(MAX_REFS_PER_MESSAGE as u32 + 10))
            .map(|k| rref(2, 8 * (k % 8000)))
            .collect();
        b.gc_mark_refs(1, 0, &many).unwrap();
        let s0 = sent(&m[0]);
        assert_eq!(s0.len(), 3);
        assert_eq!(s0[1].1.len(), MAX_REFS_PER_MESSAGE);
        assert_eq!(s0[2].1.len(), 10);
        let all: Vec<u32> = s0[1].1.iter().chain(&s0[2].1).copied().collect();
        assert_eq!(all, many.iter().map(|r| r.0).collect::<Vec<_>>());
        // Progress: one per memnode, in order.
        let p = b.gc_poll(1).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].received, p[1].received), (3, 2));
        assert!(p[0].idle);
        // A wrong cycle is a clear error; the connections stay usable.
        let e = b.gc_poll(2).unwrap_err();
        assert!(e.0.contains("no cycle 2"), "{e}");
        assert_eq!(b.gc_poll(1).unwrap().len(), 2);
        // GC control traffic counts as GC bytes (packed refs: at least a
        // byte each).
        let t = b.totals();
        assert!(t.gc_bytes > MAX_REFS_PER_MESSAGE as u64, "{t:?}");
    }

    #[test]
    fn gc_liveness_evacuate_fixup_forward_end() {
        let (m, mut b) = striped(4);
        b.gc_begin(3, LOG, 0, &[info(0, 0), info(1, 0), info(2, 0), info(3, 0)])
            .unwrap();
        let mut live = b.gc_liveness(3).unwrap();
        live.sort();
        assert_eq!(
            live,
            vec![
                (RegionId(0), 0, 1),
                (RegionId(1), 10, 1),
                (RegionId(2), 20, 1),
                (RegionId(3), 30, 1)
            ]
        );
        // Evacuation stays on one memnode.
        b.acquire_on(RegionId(8), R, 1).unwrap();
        b.acquire_on(RegionId(9), R, 1).unwrap();
        let e = b
            .gc_evacuate(3, 1, &[RegionId(1), RegionId(2)], &[RegionId(8)])
            .unwrap_err();
        assert!(e.0.contains("region 2"), "{e}");
        let ev = b
            .gc_evacuate(
                3,
                1,
                &[RegionId(1), RegionId(3)],
                &[RegionId(8), RegionId(9)],
            )
            .unwrap();
        assert_eq!((ev.copied_bytes, ev.moved_objects), (16, 2));
        assert_eq!(
            ev.dests,
            vec![
                EvacDest {
                    region: RegionId(8),
                    top: 16,
                    bot: vec![1, 2]
                },
                EvacDest {
                    region: RegionId(9),
                    top: 16,
                    bot: vec![1, 2]
                }
            ]
        );
        assert!(!m[0]
            .gc()
            .iter()
            .any(|g| matches!(g, Msg::GcEvacuate { .. })));
        // Fix-up: tops split by home, every memnode called, pages concatenated.
        let tops = [
            (RegionId(0), 3 * 4096 + 8),
            (RegionId(8), 4096),
            (RegionId(2), 0),
            (RegionId(9), 16),
        ];
        let resident = [(RegionId(9), 0), (RegionId(0), 1), (RegionId(77), 0)];
        let fix = b.gc_fixup(3, &tops, &resident, &[]).unwrap();
        assert_eq!(fix.fixed_refs, 4);
        // Resident pages go to their homes (a homeless one nowhere); each
        // memnode's patches come back.
        assert_eq!(
            fix.patches,
            vec![(RegionId(0), 4096 + 8, 7), (RegionId(9), 8, 7)]
        );
        assert_eq!(
            fix.pages,
            vec![
                addr(0, 3 * 4096, 4096),
                addr(2, 0, 4096),
                addr(8, 4096, 4096),
                addr(9, 0, 4096)
            ]
        );
        let fixups = |x: &Mock| -> Vec<Vec<(u32, u32)>> {
            x.gc()
                .into_iter()
                .filter_map(|g| match g {
                    Msg::GcFixup { tops, .. } => Some(tops),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(fixups(&m[0]), vec![vec![(0, 3 * 4096 + 8), (2, 0)]]);
        assert_eq!(fixups(&m[1]), vec![vec![(8, 4096), (9, 16)]]);
        // Forwarding keeps the order; null and homeless refs stay as they are.
        let refs = [
            rref(1, 8),
            Ref::NULL,
            rref(0, 16),
            rref(77, 8),
            rref(3, 0),
            rref(1, 8),
        ];
        let fwd = b.gc_forward(3, &refs).unwrap();
        assert_eq!(
            fwd,
            vec![
                Ref(rref(1, 8).0 + 1),
                Ref::NULL,
                Ref(rref(0, 16).0 + 1),
                rref(77, 8),
                Ref(rref(3, 0).0 + 1),
                Ref(rref(1, 8).0 + 1),
            ]
        );
        assert_eq!(b.gc_forward(3, &[]).unwrap(), vec![]);
        // Peeks come back in order from each ref's home; a homeless ref is
        // an error.
        let at = [rref(3, 0), rref(0, 16), rref(1, 8)];
        let words = b.gc_peek(3, &at).unwrap();
        let want: Vec<[u32; 3]> = at.iter().map(|r| [r.0, 1, r.0 + 2]).collect();
        assert_eq!(words, want);
        assert!(b.gc_peek(3, &[rref(77, 8)]).is_err());
        b.gc_end(3).unwrap();
        for x in &m {
            assert!(matches!(x.gc().last(), Some(Msg::GcEnd { cycle: 3 })));
        }
        // After the end, the cycle is gone on the memnodes and here.
        assert!(b.gc_poll(3).is_err());
        assert!(b.gc_forward(3, &refs).is_err());
    }

    #[test]
    fn default_backend_does_not_offload() {
        struct Plain;
        impl PageBackend for Plain {
            fn memnodes(&self) -> usize {
                0
            }
            fn acquire(&mut self, _: RegionId, _: u32) -> Result<(), AcquireError> {
                Ok(())
            }
            fn release(&mut self, _: &[RegionId]) -> Result<(), BackendError> {
                Ok(())
            }
            fn page_io(
                &mut self,
                _: &[(PageAddr, &[u8])],
                _: &[PageAddr],
                _: &mut Vec<u8>,
                _: bool,
            ) -> Result<(), BackendError> {
                Ok(())
            }
            fn upload_layouts(&mut self, _: &[u8]) -> Result<(), BackendError> {
                Ok(())
            }
            fn totals(&self) -> FabricTotals {
                FabricTotals::default()
            }
            fn nodes(&self) -> Vec<MemnodeInfo> {
                vec![]
            }
            fn shutdown(&mut self) {}
        }
        let mut p = Plain;
        assert!(!p.supports_offload());
        assert_eq!(p.home_of(RegionId(0)), None);
        assert!(p.acquire_on(RegionId(0), R, 0).is_err());
        let e = p.gc_poll(1).unwrap_err();
        assert_eq!(e.0, "offloaded collection not supported");
    }

    #[test]
    fn unreachable_tcp_memnode_is_a_clear_error() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let a = l.local_addr().unwrap().to_string();
        drop(l);
        let e = Memnodes::connect_tcp(
            std::slice::from_ref(&a),
            &Token::empty(),
            1,
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(
            e.0.starts_with(&format!("memnode {a}: cannot connect")),
            "{e}"
        );
    }
}
