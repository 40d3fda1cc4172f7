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

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use semeru_fabric::{
    inproc, Client, ErrorCode, FabricError, Msg, PageRef, Purpose, Role, Service, TcpTransport,
    TenantId, Token,
};

use crate::addr::RegionId;
use crate::backend::{
    AcquireError, BackendError, FabricTotals, MemnodeInfo, PageAddr, PageBackend,
};

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

/// Where each region lives and how large it is.
#[derive(Clone, Copy)]
struct Home {
    node: usize,
    bytes: u32,
}

/// The memnodes behind the old regions of one VM.
pub struct Memnodes {
    nodes: Vec<Node>,
    homes: HashMap<u32, Home>,
    /// Round-robin cursor for ties in free capacity.
    next: usize,
    shut_down: bool,
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
                let t = TcpTransport::connect(a, timeout)?;
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
            let node = &mut self.nodes[i];
            match node
                .control
                .call(&Msg::AllocRegion { region: r.0, bytes }, Purpose::Control)
            {
                Ok(Msg::Ok) => {
                    node.used += u64::from(bytes);
                    node.regions += 1;
                    self.homes.insert(r.0, Home { node: i, bytes });
                    self.next = (i + 1) % self.nodes.len();
                    return Ok(());
                }
                Ok(other) => {
                    return Err(AcquireError::Fatal(format!(
                        "memnode {}: answered AllocRegion with {}",
                        node.name,
                        other.name()
                    )))
                }
                Err(e) if e.remote_code() == Some(ErrorCode::Capacity) => {
                    // Full for us now (other tenants share it): try the next.
                    node.used = node.used.max(node.capacity);
                    full.push(node.error(&e));
                }
                Err(e) => return Err(AcquireError::Fatal(node.error(&e))),
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
