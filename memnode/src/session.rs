//! One authenticated connection: a tenant's data or control link, or an admin.

use crate::gc::map::RegionMap;
use crate::gc::{BeginParams, GcCycle, GcError, MarkKind};
use crate::node::{lock, role_name, Memnode, TenantData, REGION_BYTES_MAX};
use crate::region::RegionMem;
use semeru_fabric::{ErrorCode, Msg, PageRef, Role, Session, TenantId, MAX_FRAME};
use semeru_gc::classes::ClassTable;
use std::sync::{Arc, Mutex};

/// The most page bytes one `PageIo` may read: the reply must fit in a frame.
pub const MAX_READ_BYTES: usize = MAX_FRAME - 64;

/// A connection's session. Data and control links of a tenant accept the same
/// requests (the VM keeps them apart so a large control message never delays a
/// page fault); an admin session only `GetStatus` and `Ping`.
pub struct MemSession {
    node: Arc<Memnode>,
    tenant: TenantId,
    role: Role,
    /// `None` for an admin session.
    data: Option<Arc<Mutex<TenantData>>>,
}

type Reply = Result<Msg, (ErrorCode, String)>;

impl MemSession {
    pub(crate) fn new(
        node: Arc<Memnode>,
        tenant: TenantId,
        role: Role,
        data: Option<Arc<Mutex<TenantData>>>,
    ) -> MemSession {
        MemSession {
            node,
            tenant,
            role,
            data,
        }
    }

    /// An error answer that keeps the connection open.
    fn soft(&self, code: ErrorCode, message: String) -> Reply {
        tracing::warn!("tenant {:016x}: {message}", self.tenant);
        Ok(Msg::Error { code, message })
    }

    /// An error that closes the connection.
    fn hard(&self, code: ErrorCode, message: String) -> Reply {
        tracing::warn!(
            "tenant {:016x}: {message}; closing its {} connection",
            self.tenant,
            role_name(self.role)
        );
        Err((code, message))
    }

    fn page_io(
        &self,
        data: &Mutex<TenantData>,
        writes: Vec<(PageRef, Vec<u8>)>,
        reads: Vec<PageRef>,
    ) -> Reply {
        let mut d = lock(data);
        // Check everything before touching anything: a bad batch changes nothing.
        for (r, bytes) in &writes {
            if let Err(m) = self.check(&d, r) {
                return self.hard(ErrorCode::BadAddress, m);
            }
            if bytes.len() as u64 != u64::from(r.len) {
                return self.hard(
                    ErrorCode::Malformed,
                    format!(
                        "memnode {}: a write of region {} offset {} announces {} bytes but carries {}",
                        self.node.name(),
                        r.region,
                        r.offset,
                        r.len,
                        bytes.len()
                    ),
                );
            }
        }
        let mut total: usize = 0;
        for r in &reads {
            if let Err(m) = self.check(&d, r) {
                return self.hard(ErrorCode::BadAddress, m);
            }
            total = total.saturating_add(r.len as usize);
        }
        if total > MAX_READ_BYTES {
            return self.hard(
                ErrorCode::Malformed,
                format!(
                    "memnode {}: a PageIo reads {total} bytes, more than one frame holds ({MAX_READ_BYTES})",
                    self.node.name()
                ),
            );
        }
        let mut written = 0u64;
        for (r, bytes) in &writes {
            if let Some(m) = d.regions.get(&r.region) {
                m.write(r.offset as usize, bytes);
                written += u64::from(r.len);
            }
        }
        let mut out = Vec::with_capacity(total);
        for r in &reads {
            if let Some(m) = d.regions.get(&r.region) {
                m.read(r.offset as usize, r.len as usize, &mut out);
            }
        }
        d.pages_written += writes.len() as u64;
        d.bytes_written += written;
        d.pages_read += reads.len() as u64;
        d.bytes_read += out.len() as u64;
        let gc = d.gc.clone();
        drop(d);
        // Marking that waited for these pages goes on (outside the tenant's
        // lock: it may mark and queue).
        if let Some(gc) = gc {
            for (r, _) in &writes {
                gc.written(r.region, r.offset, r.len);
            }
        }
        Ok(Msg::PageData { data: out })
    }

    /// Whether `r` lies inside one of this tenant's regions.
    fn check(&self, d: &TenantData, r: &PageRef) -> Result<(), String> {
        let inside = d
            .regions
            .get(&r.region)
            .is_some_and(|m| m.contains(r.offset as usize, r.len as usize));
        if inside {
            Ok(())
        } else {
            Err(format!(
                "memnode {}: bad address: {} bytes at offset {} of region {} are not in a region of this tenant",
                self.node.name(),
                r.len,
                r.offset,
                r.region
            ))
        }
    }

    fn alloc(&self, data: &Mutex<TenantData>, region: u32, bytes: u32) -> Reply {
        let name = self.node.name();
        if bytes == 0 || bytes > REGION_BYTES_MAX {
            return self.soft(
                ErrorCode::State,
                format!(
                    "memnode {name}: region {region}: size {bytes} is not between 1 and {REGION_BYTES_MAX} bytes"
                ),
            );
        }
        let mut d = lock(data);
        if d.regions.contains_key(&region) {
            return self.soft(
                ErrorCode::State,
                format!("memnode {name}: region {region} already exists"),
            );
        }
        let size = u64::from(bytes);
        if !self.node.reserve(size) {
            let cfg = self.node.config();
            return self.soft(
                ErrorCode::Capacity,
                format!(
                    "memnode {name}: capacity exhausted (used {} of {} bytes)",
                    self.node.used(),
                    cfg.capacity
                ),
            );
        }
        match RegionMem::new(bytes as usize) {
            Ok(m) => {
                d.regions.insert(region, Arc::new(m));
                d.bytes += size;
                tracing::debug!(
                    "tenant {:016x}: region {region} allocated ({bytes} bytes)",
                    self.tenant
                );
                Ok(Msg::Ok)
            }
            Err(e) => {
                self.node.unreserve(size);
                self.soft(
                    ErrorCode::Capacity,
                    format!("memnode {name}: cannot map {bytes} bytes for region {region}: {e}"),
                )
            }
        }
    }

    fn release(&self, data: &Mutex<TenantData>, regions: Vec<u32>) -> Reply {
        let mut d = lock(data);
        let mut seen = std::collections::HashSet::with_capacity(regions.len());
        for r in &regions {
            if !d.regions.contains_key(r) || !seen.insert(*r) {
                return self.soft(
                    ErrorCode::State,
                    format!(
                        "memnode {}: cannot release region {r}: it is not allocated",
                        self.node.name()
                    ),
                );
            }
        }
        let mut freed = 0u64;
        for r in &regions {
            if let Some(m) = d.regions.remove(r) {
                freed += m.len() as u64;
            }
        }
        d.bytes = d.bytes.saturating_sub(freed);
        self.node.unreserve(freed);
        tracing::debug!(
            "tenant {:016x}: released {} regions ({freed} bytes)",
            self.tenant,
            regions.len()
        );
        Ok(Msg::Ok)
    }
}

/// The GC requests, in plain types (the fabric dispatch is in `handle`).
impl MemSession {
    fn gc_reply<T>(&self, r: Result<T, GcError>, ok: impl FnOnce(T) -> Msg) -> Reply {
        match r {
            Ok(v) => Ok(ok(v)),
            Err(e) => self.soft(
                ErrorCode::State,
                format!("memnode {}: {e}", self.node.name()),
            ),
        }
    }

    /// The running cycle, if it is `cycle`.
    fn cycle(data: &Mutex<TenantData>, cycle: u32) -> Result<Arc<GcCycle>, GcError> {
        match &lock(data).gc {
            Some(gc) if gc.cycle == cycle => Ok(gc.clone()),
            Some(gc) => Err(GcError::State(format!(
                "GC cycle {cycle} is not running (cycle {} is)",
                gc.cycle
            ))),
            None => Err(GcError::State(format!("GC cycle {cycle} is not running"))),
        }
    }

    /// Every region the tenant holds here now.
    fn region_map(data: &Mutex<TenantData>, log_region: u32) -> RegionMap {
        let d = lock(data);
        RegionMap::new(log_region, d.regions.iter().map(|(&r, m)| (r, m.clone())))
    }

    pub(crate) fn gc_begin(&self, data: &Mutex<TenantData>, p: BeginParams) -> Result<(), GcError> {
        let (regions, classes) = {
            let d = lock(data);
            if let Some(gc) = &d.gc {
                return Err(GcError::State(format!(
                    "GcBegin {}: cycle {} is still running",
                    p.cycle, gc.cycle
                )));
            }
            let Some(classes) = d.layouts.clone() else {
                return Err(GcError::State(
                    "GcBegin before any layout table was uploaded".into(),
                ));
            };
            let regions: Vec<(u32, Arc<RegionMem>)> =
                d.regions.iter().map(|(&r, m)| (r, m.clone())).collect();
            (regions, classes)
        };
        let (cycle, nregions) = (p.cycle, p.regions.len());
        let gc = GcCycle::begin(
            p,
            self.tenant,
            regions,
            classes,
            self.node.config().threads,
            self.node.peer_connector(),
        )?;
        let mut d = lock(data);
        if d.gc.is_some() {
            drop(d);
            gc.end();
            return Err(GcError::State(format!(
                "GcBegin {cycle}: another cycle started meanwhile"
            )));
        }
        d.gc = Some(gc);
        tracing::debug!(
            "tenant {:016x}: GC cycle {cycle} begins ({nregions} old regions)",
            self.tenant
        );
        Ok(())
    }

    pub(crate) fn gc_evacuate(
        &self,
        data: &Mutex<TenantData>,
        cycle: u32,
        sources: &[u32],
        dests: &[u32],
    ) -> Result<crate::gc::Evacuated, GcError> {
        let gc = Self::cycle(data, cycle)?;
        let mems = Self::region_map(data, gc.table.log_region);
        gc.evacuate(sources, dests, &mems)
    }

    pub(crate) fn gc_fixup(
        &self,
        data: &Mutex<TenantData>,
        cycle: u32,
        tops: &[(u32, u32)],
        resident: &[(u32, u32)],
        skip: &[(u32, u32, u32)],
    ) -> Result<crate::gc::Fixed, GcError> {
        let gc = Self::cycle(data, cycle)?;
        let mems = Self::region_map(data, gc.table.log_region);
        gc.fixup(tops, resident, skip, &mems)
    }

    pub(crate) fn gc_end(&self, data: &Mutex<TenantData>, cycle: u32) -> Result<(), GcError> {
        let gc = {
            let mut d = lock(data);
            match &d.gc {
                Some(gc) if gc.cycle == cycle => d.take_gc(),
                _ => None,
            }
        };
        match gc {
            Some(gc) => {
                // Outside the tenant's lock: the workers may be talking to peers.
                gc.end();
                tracing::debug!("tenant {:016x}: GC cycle {cycle} ended", self.tenant);
                Ok(())
            }
            None => Err(GcError::State(format!("GC cycle {cycle} is not running"))),
        }
    }
}

impl MemSession {
    /// A GC request (`req.is_gc()`) on a tenant's link.
    fn handle_gc(&self, d: &Mutex<TenantData>, req: Msg) -> Reply {
        let peer = self.role == Role::Peer;
        match req {
            Msg::MarkRefs { cycle, kind, refs } => {
                let kind = match MarkKind::from_u8(kind) {
                    Some(MarkKind::Peer) if peer => MarkKind::Peer,
                    Some(k) if !peer && k != MarkKind::Peer => k,
                    _ => {
                        return self.soft(
                            ErrorCode::State,
                            format!(
                                "memnode {}: MarkRefs of kind {kind} on a {} link",
                                self.node.name(),
                                role_name(self.role)
                            ),
                        )
                    }
                };
                let r = Self::cycle(d, cycle).and_then(|gc| gc.mark_refs(kind, &refs));
                self.gc_reply(r, |()| Msg::Ok)
            }
            Msg::GetForwarding { cycle } => {
                let r = Self::cycle(d, cycle).map(|gc| gc.forwarding_pairs());
                self.gc_reply(r, |pairs| Msg::Forwarding { pairs })
            }
            req if peer => self.hard(
                ErrorCode::State,
                format!(
                    "memnode {}: a peer link may not send {}",
                    self.node.name(),
                    req.name()
                ),
            ),
            Msg::GcBegin {
                cycle,
                log_region,
                young_refs,
                self_index,
                peers,
                regions,
            } => {
                let p = BeginParams {
                    cycle,
                    log_region,
                    young_refs,
                    self_index,
                    peers,
                    regions,
                };
                let r = self.gc_begin(d, p);
                self.gc_reply(r, |()| Msg::Ok)
            }
            Msg::GcPoll { cycle } => {
                let r = Self::cycle(d, cycle).and_then(|gc| gc.progress());
                self.gc_reply(r, |p| Msg::GcProgress {
                    idle: p.idle,
                    sent: p.sent,
                    received: p.received,
                    marked_bytes: p.marked_bytes,
                    marked_objects: p.marked_objects,
                    peer_bytes: p.peer_bytes,
                    waiting: p.waiting,
                })
            }
            Msg::GcLiveness { cycle } => {
                let r = Self::cycle(d, cycle).and_then(|gc| gc.liveness());
                self.gc_reply(r, |regions| Msg::GcLive { regions })
            }
            Msg::GcEvacuate {
                cycle,
                sources,
                dests,
            } => {
                let r = self.gc_evacuate(d, cycle, &sources, &dests);
                self.gc_reply(r, |e| Msg::GcEvacuated {
                    copied_bytes: e.copied_bytes,
                    moved_objects: e.moved_objects,
                    dests: e
                        .dests
                        .into_iter()
                        .map(|(r, top, bot)| {
                            (r, top, bot.iter().flat_map(|x| x.to_le_bytes()).collect())
                        })
                        .collect(),
                    young_cards: e.young_cards,
                })
            }
            Msg::GcFixup {
                cycle,
                tops,
                resident,
                skip,
            } => {
                let r = self.gc_fixup(d, cycle, &tops, &resident, &skip);
                self.gc_reply(r, |f| Msg::GcFixed {
                    fixed_refs: f.fixed_refs,
                    pages: f.pages,
                    patches: f.patches,
                })
            }
            Msg::GcForward { cycle, refs } => {
                let r = Self::cycle(d, cycle).and_then(|gc| gc.forward(&refs));
                self.gc_reply(r, |refs| Msg::GcForwarded { refs })
            }
            Msg::GcPeek { cycle, refs } => {
                let r = Self::cycle(d, cycle).and_then(|gc| gc.peek(&refs));
                self.gc_reply(r, |words| Msg::GcPeeked { words })
            }
            Msg::GcEnd { cycle } => {
                let r = self.gc_end(d, cycle);
                self.gc_reply(r, |()| Msg::Ok)
            }
            Msg::GcPending { cycle, pages } => {
                let r = Self::cycle(d, cycle).and_then(|gc| gc.set_pending(&pages));
                self.gc_reply(r, |()| Msg::Ok)
            }
            req => self.hard(
                ErrorCode::State,
                format!(
                    "memnode {}: {} is not a request",
                    self.node.name(),
                    req.name()
                ),
            ),
        }
    }
}

impl Session for MemSession {
    fn handle(&mut self, req: Msg) -> Reply {
        // Peer links never wait for a request slot: a memnode serving a GC
        // request may be waiting on a peer that is serving one of its own.
        let _slot = (self.role != Role::Peer).then(|| self.node.slot());
        match (req, &self.data) {
            (Msg::Ping, _) => Ok(Msg::Ok),
            (Msg::GetStatus, _) if self.role != Role::Peer => Ok(Msg::Status(self.node.status())),
            (req, None) => self.hard(
                ErrorCode::State,
                format!(
                    "memnode {}: an admin connection may only ask for status, not {}",
                    self.node.name(),
                    req.name()
                ),
            ),
            (req, Some(d)) if req.is_gc() => self.handle_gc(d, req),
            (req, Some(_)) if self.role == Role::Peer => self.hard(
                ErrorCode::State,
                format!(
                    "memnode {}: a peer link may not send {}",
                    self.node.name(),
                    req.name()
                ),
            ),
            (Msg::PageIo { writes, reads }, Some(d)) => self.page_io(d, writes, reads),
            (Msg::AllocRegion { region, bytes }, Some(d)) => self.alloc(d, region, bytes),
            (Msg::ReleaseRegions { regions }, Some(d)) => self.release(d, regions),
            (Msg::UploadLayouts { blob }, Some(d)) => match ClassTable::decode_table(&blob) {
                Ok(table) => {
                    tracing::debug!(
                        "tenant {:016x}: layout table of {} classes",
                        self.tenant,
                        table.len()
                    );
                    lock(d).layouts = Some(Arc::new(table));
                    Ok(Msg::Ok)
                }
                Err(e) => self.hard(
                    ErrorCode::Malformed,
                    format!("memnode {}: {e}", self.node.name()),
                ),
            },
            (Msg::Goodbye, Some(d)) => {
                let (n, bytes) = self.node.release_all(&mut lock(d));
                tracing::info!(
                    "tenant {:016x} said goodbye: released {n} regions, {bytes} bytes",
                    self.tenant
                );
                Ok(Msg::Ok)
            }
            (req, Some(_)) => self.hard(
                ErrorCode::State,
                format!(
                    "memnode {}: {} is not a request",
                    self.node.name(),
                    req.name()
                ),
            ),
        }
    }
}

impl Drop for MemSession {
    fn drop(&mut self) {
        if self.data.is_some() && self.role != Role::Peer {
            self.node.disconnect(self.tenant, self.role);
        }
    }
}
