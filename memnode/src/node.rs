//! Tenants, their regions and the node's capacity: the [`fabric::Service`]
//! behind every connection.
//!
//! Locking: `tenants` (the map) is taken before a tenant's own `data` lock,
//! never after it. A session holds its tenant's `data` (an `Arc`), so page I/O
//! of different tenants runs in parallel and never touches the map.
//! A running GC cycle ([`GcCycle`]) holds `Arc`s of the tenant's regions and is
//! reached by cloning it out of `data`; nothing waits for GC workers or peers
//! while holding `data` (a worker's inproc peer call takes the *peer's* tenant
//! lock, so waiting under ours could deadlock two memnodes).

use crate::gc::{GcCycle, GcTotals, PeerConnector};
use crate::region::RegionMem;
use semeru_fabric::{NodeInfo, NodeStatus, Role, Service, Session, TenantId, TenantStatus};
use semeru_gc::classes::ClassTable;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

/// The largest region a tenant may allocate (`NodeInfo::region_bytes_max`).
pub const REGION_BYTES_MAX: u32 = 1 << 30;

/// How a memnode is set up.
#[derive(Clone, Debug)]
pub struct MemnodeConfig {
    /// Shown in errors, logs and `--status` (`127.0.0.1:7070`, `embedded#0`).
    pub name: String,
    /// Bytes of region memory it hands out, over all tenants.
    pub capacity: u64,
    /// Requests served at the same time (at least 1); further ones wait.
    pub threads: usize,
    /// How long a tenant's regions outlive its last connection.
    pub grace: Duration,
}

impl Default for MemnodeConfig {
    fn default() -> Self {
        MemnodeConfig {
            name: "memnode".into(),
            capacity: 1 << 30,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            grace: Duration::from_secs(5),
        }
    }
}

/// Locks a mutex, ignoring poisoning (a panicking holder cannot leave these
/// structures half-updated in a way that matters more than serving on).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What one tenant holds.
#[derive(Default)]
pub(crate) struct TenantData {
    /// Shared with the GC workers of a running cycle (`Arc`).
    pub regions: HashMap<u32, Arc<RegionMem>>,
    /// Sum of the region sizes.
    pub bytes: u64,
    /// The last uploaded class layout table (issue 5 marks with it).
    pub layouts: Option<Arc<ClassTable>>,
    pub pages_read: u64,
    pub pages_written: u64,
    pub bytes_read: u64,
    pub bytes_written: u64,
    /// The old-space cycle in progress (`GcBegin` .. `GcEnd`).
    pub gc: Option<Arc<GcCycle>>,
    /// Figures of the cycles that ended.
    pub gc_totals: GcTotals,
}

impl TenantData {
    /// GC figures of the ended cycles plus the running one.
    pub fn all_gc_totals(&self) -> GcTotals {
        let mut tot = self.gc_totals;
        if let Some(gc) = &self.gc {
            let c = gc.totals();
            tot.cycles += c.cycles;
            tot.marked_bytes += c.marked_bytes;
            tot.evacuated_bytes += c.evacuated_bytes;
            tot.peer_bytes += c.peer_bytes;
        }
        tot
    }

    /// Ends the running cycle, if any, adding its figures to the totals.
    /// Returns it so the caller can join its workers outside the lock.
    pub fn take_gc(&mut self) -> Option<Arc<GcCycle>> {
        let gc = self.gc.take()?;
        let t = gc.totals();
        self.gc_totals.cycles += t.cycles;
        self.gc_totals.marked_bytes += t.marked_bytes;
        self.gc_totals.evacuated_bytes += t.evacuated_bytes;
        self.gc_totals.peer_bytes += t.peer_bytes;
        Some(gc)
    }
}

struct TenantEntry {
    data: Arc<Mutex<TenantData>>,
    connections: u32,
    /// Bumped each time the last connection drops: a grace timer only releases
    /// the tenant if no connection came and went since it was started.
    generation: u64,
}

/// Frame and byte counts of all the node's connections (TCP and in-process).
#[derive(Default)]
pub(crate) struct Traffic {
    pub frames_in: AtomicU64,
    pub frames_out: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
}

/// A counting semaphore: at most `--threads` requests are served at once.
struct Slots {
    free: Mutex<usize>,
    cv: Condvar,
}

pub(crate) struct SlotGuard<'a>(&'a Slots);

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        *lock(&self.0.free) += 1;
        self.0.cv.notify_one();
    }
}

impl Slots {
    fn acquire(&self) -> SlotGuard<'_> {
        let mut free = lock(&self.free);
        while *free == 0 {
            free = self.cv.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        SlotGuard(self)
    }
}

/// A memory node: the region store of many tenants. Shared by all its
/// connections (`Arc`); implements [`fabric::Service`](Service).
pub struct Memnode {
    cfg: MemnodeConfig,
    started: Instant,
    tenants: Mutex<HashMap<TenantId, TenantEntry>>,
    /// Region bytes handed out, over all tenants (reserved before mapping).
    used: AtomicU64,
    pub(crate) traffic: Traffic,
    rejected: AtomicU64,
    slots: Slots,
    peers: Mutex<Option<Arc<dyn PeerConnector>>>,
    me: Weak<Memnode>,
}

impl Memnode {
    pub fn new(mut cfg: MemnodeConfig) -> Arc<Memnode> {
        cfg.threads = cfg.threads.max(1);
        Arc::new_cyclic(|me| Memnode {
            slots: Slots {
                free: Mutex::new(cfg.threads),
                cv: Condvar::new(),
            },
            cfg,
            started: Instant::now(),
            tenants: Mutex::new(HashMap::new()),
            used: AtomicU64::new(0),
            traffic: Traffic::default(),
            rejected: AtomicU64::new(0),
            peers: Mutex::new(None),
            me: me.clone(),
        })
    }

    pub fn name(&self) -> &str {
        &self.cfg.name
    }

    pub fn config(&self) -> &MemnodeConfig {
        &self.cfg
    }

    /// Region bytes in use, over all tenants.
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// Peers that failed the handshake (wrong token, garbage, hung up early).
    pub fn rejected_connections(&self) -> u64 {
        self.rejected.load(Ordering::Relaxed)
    }

    pub(crate) fn count_rejected(&self) {
        self.rejected.fetch_add(1, Ordering::Relaxed);
    }

    /// The layout table tenant `t` uploaded last, if it is alive and uploaded one.
    pub fn layouts(&self, t: TenantId) -> Option<Arc<ClassTable>> {
        let data = lock(&self.tenants).get(&t)?.data.clone();
        let layouts = lock(&data).layouts.clone();
        layouts
    }

    /// How this memnode reaches the others of a tenant while it collects
    /// (without one, a cycle whose refs cross memnodes fails).
    pub fn set_peer_connector(&self, c: Arc<dyn PeerConnector>) {
        *lock(&self.peers) = Some(c);
    }

    pub(crate) fn peer_connector(&self) -> Option<Arc<dyn PeerConnector>> {
        lock(&self.peers).clone()
    }

    /// Tenant `t`'s running GC cycle (tests and diagnostics).
    pub fn gc_cycle(&self, t: TenantId) -> Option<Arc<GcCycle>> {
        let data = lock(&self.tenants).get(&t)?.data.clone();
        let gc = lock(&data).gc.clone();
        gc
    }

    /// GC figures of tenant `t`: ended cycles plus the running one.
    pub fn gc_totals(&self, t: TenantId) -> Option<GcTotals> {
        let data = lock(&self.tenants).get(&t)?.data.clone();
        let totals = lock(&data).all_gc_totals();
        Some(totals)
    }

    /// Capacity, use, uptime, every alive tenant (by id) and the traffic.
    pub fn status(&self) -> NodeStatus {
        let mut tenants: Vec<TenantStatus> = {
            let map = lock(&self.tenants);
            map.iter()
                .map(|(&tenant, e)| {
                    let d = lock(&e.data);
                    let gc = d.all_gc_totals();
                    TenantStatus {
                        tenant,
                        regions: d.regions.len() as u64,
                        bytes: d.bytes,
                        connections: e.connections,
                        pages_read: d.pages_read,
                        pages_written: d.pages_written,
                        bytes_read: d.bytes_read,
                        bytes_written: d.bytes_written,
                        layouts: d.layouts.as_ref().map_or(0, |l| l.len() as u32),
                        gc_cycles: gc.cycles,
                        gc_marked_bytes: gc.marked_bytes,
                        gc_evacuated_bytes: gc.evacuated_bytes,
                        gc_peer_bytes: gc.peer_bytes,
                    }
                })
                .collect()
        };
        tenants.sort_by_key(|t| t.tenant);
        let t = &self.traffic;
        NodeStatus {
            name: self.cfg.name.clone(),
            capacity: self.cfg.capacity,
            used: self.used(),
            uptime_ms: self.started.elapsed().as_millis() as u64,
            tenants,
            frames_in: t.frames_in.load(Ordering::Relaxed),
            frames_out: t.frames_out.load(Ordering::Relaxed),
            bytes_in: t.bytes_in.load(Ordering::Relaxed),
            bytes_out: t.bytes_out.load(Ordering::Relaxed),
            rejected_connections: self.rejected_connections(),
        }
    }

    /// Waits for one of the `--threads` request slots.
    pub(crate) fn slot(&self) -> SlotGuard<'_> {
        self.slots.acquire()
    }

    /// Reserves `bytes` of capacity; false when it would exceed it.
    pub(crate) fn reserve(&self, bytes: u64) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |u| {
                u.checked_add(bytes).filter(|&n| n <= self.cfg.capacity)
            })
            .is_ok()
    }

    pub(crate) fn unreserve(&self, bytes: u64) {
        let _ = self
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |u| {
                Some(u.saturating_sub(bytes))
            });
    }

    /// Drops every region of a tenant (its memory goes back to the OS).
    /// Returns how many regions and bytes were released.
    pub(crate) fn release_all(&self, data: &mut TenantData) -> (usize, u64) {
        let n = data.regions.len();
        let bytes = data.bytes;
        data.regions.clear();
        data.regions.shrink_to_fit();
        data.bytes = 0;
        data.layouts = None;
        if let Some(gc) = data.take_gc() {
            // Under the tenant's lock: signal the workers, do not wait for them.
            gc.abort();
        }
        self.unreserve(bytes);
        (n, bytes)
    }

    /// A connection of tenant `t` opened: the tenant's data, created if new.
    fn connect(&self, t: TenantId, role: Role) -> Arc<Mutex<TenantData>> {
        let mut map = lock(&self.tenants);
        let e = map.entry(t).or_insert_with(|| TenantEntry {
            data: Arc::new(Mutex::new(TenantData::default())),
            connections: 0,
            generation: 0,
        });
        e.connections += 1;
        tracing::info!(
            "tenant {t:016x} connected ({} connection, {} open)",
            role_name(role),
            e.connections
        );
        e.data.clone()
    }

    /// A connection of tenant `t` closed. The last one starts the grace period
    /// (or releases at once when the tenant holds nothing or `grace` is zero).
    pub(crate) fn disconnect(&self, t: TenantId, role: Role) {
        let mut map = lock(&self.tenants);
        let Some(e) = map.get_mut(&t) else {
            return;
        };
        e.connections = e.connections.saturating_sub(1);
        tracing::info!(
            "tenant {t:016x} disconnected ({} connection, {} open)",
            role_name(role),
            e.connections
        );
        if e.connections > 0 {
            return;
        }
        e.generation += 1;
        let generation = e.generation;
        let holds_nothing = lock(&e.data).regions.is_empty();
        if holds_nothing || self.cfg.grace.is_zero() {
            self.expire_locked(&mut map, t, "its last connection closed");
            return;
        }
        drop(map);
        tracing::info!(
            "tenant {t:016x}: no connections; its regions are released in {:?} unless it reconnects",
            self.cfg.grace
        );
        let me = self.me.clone();
        let grace = self.cfg.grace;
        let spawned = std::thread::Builder::new()
            .name(format!("memnode-grace-{t:016x}"))
            .spawn(move || {
                std::thread::sleep(grace);
                if let Some(node) = me.upgrade() {
                    node.expire(t, generation);
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("cannot start a grace timer ({e}): releasing tenant {t:016x} now");
            self.expire(t, generation);
        }
    }

    /// The grace period of tenant `t` ended: release it unless it reconnected.
    fn expire(&self, t: TenantId, generation: u64) {
        let mut map = lock(&self.tenants);
        match map.get(&t) {
            Some(e) if e.connections == 0 && e.generation == generation => {
                self.expire_locked(&mut map, t, "its grace period ended")
            }
            _ => {}
        }
    }

    fn expire_locked(&self, map: &mut HashMap<TenantId, TenantEntry>, t: TenantId, why: &str) {
        if let Some(e) = map.remove(&t) {
            let (n, bytes) = self.release_all(&mut lock(&e.data));
            if n > 0 {
                tracing::info!("tenant {t:016x} released: {n} regions, {bytes} bytes ({why})");
            } else {
                tracing::debug!("tenant {t:016x} forgotten ({why})");
            }
        }
    }
}

pub(crate) fn role_name(r: Role) -> &'static str {
    match r {
        Role::Data => "data",
        Role::Control => "control",
        Role::Admin => "admin",
        Role::Peer => "peer",
    }
}

impl Service for Memnode {
    fn info(&self) -> NodeInfo {
        NodeInfo {
            name: self.cfg.name.clone(),
            capacity: self.cfg.capacity,
            used: self.used(),
            region_bytes_max: REGION_BYTES_MAX,
        }
    }

    fn open(&self, tenant: TenantId, role: Role) -> Result<Box<dyn Session>, String> {
        let Some(node) = self.me.upgrade() else {
            return Err(format!("memnode {}: shutting down", self.cfg.name));
        };
        let data = match role {
            Role::Admin => {
                tracing::debug!("admin connection");
                None
            }
            Role::Data | Role::Control => Some(self.connect(tenant, role)),
            // Another memnode marking for this tenant: it must be alive here,
            // and the link does not keep it alive (no grace bookkeeping).
            Role::Peer => {
                let data = lock(&self.tenants).get(&tenant).map(|e| e.data.clone());
                match data {
                    Some(d) => {
                        tracing::debug!("tenant {tenant:016x}: peer connection");
                        Some(d)
                    }
                    None => {
                        return Err(format!(
                            "memnode {}: no tenant {tenant:016x} here for a peer link",
                            self.cfg.name
                        ))
                    }
                }
            }
        };
        Ok(Box::new(crate::session::MemSession::new(
            node, tenant, role, data,
        )))
    }

    fn rejected(&self) {
        self.count_rejected();
        tracing::warn!("rejected a peer that failed the handshake");
    }

    fn traffic(&self, bytes_in: usize, bytes_out: usize) {
        let t = &self.traffic;
        t.frames_in.fetch_add(1, Ordering::Relaxed);
        t.frames_out.fetch_add(1, Ordering::Relaxed);
        t.bytes_in.fetch_add(bytes_in as u64, Ordering::Relaxed);
        t.bytes_out.fetch_add(bytes_out as u64, Ordering::Relaxed);
    }
}
