//! A small in-memory Service for the fabric tests.
#![allow(dead_code)]

use semeru_fabric::{ErrorCode, Msg, NodeInfo, NodeStatus, Role, Service, Session, TenantId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct Mock {
    pub regions: Mutex<HashMap<(TenantId, u32), Vec<u8>>>,
    /// Every request a session was handed.
    pub handled: Mutex<Vec<Msg>>,
    pub open_sessions: AtomicUsize,
    pub opened: AtomicUsize,
    pub rejected: AtomicUsize,
    /// Frames seen by `Service::traffic`, and their bytes (in, out).
    pub frames: AtomicUsize,
    pub bytes_in: AtomicUsize,
    pub bytes_out: AtomicUsize,
    pub capacity: u64,
}

impl Mock {
    pub fn new(capacity: u64) -> Arc<Mock> {
        Arc::new(Mock {
            capacity,
            ..Mock::default()
        })
    }
    pub fn handled(&self) -> Vec<Msg> {
        self.handled.lock().unwrap().clone()
    }
    pub fn used(&self) -> u64 {
        self.regions
            .lock()
            .unwrap()
            .values()
            .map(|v| v.len() as u64)
            .sum()
    }
}

struct MockSession {
    mock: Arc<Mock>,
    tenant: TenantId,
    role: Role,
}

impl Drop for MockSession {
    fn drop(&mut self) {
        self.mock.open_sessions.fetch_sub(1, Ordering::SeqCst);
    }
}

pub struct MockService(pub Arc<Mock>);

impl Service for MockService {
    fn info(&self) -> NodeInfo {
        NodeInfo {
            name: "mock".into(),
            capacity: self.0.capacity,
            used: self.0.used(),
            region_bytes_max: 1 << 20,
        }
    }
    fn open(&self, tenant: TenantId, role: Role) -> Result<Box<dyn Session>, String> {
        if tenant == 666 {
            return Err("tenant 666 is banned".into());
        }
        self.0.open_sessions.fetch_add(1, Ordering::SeqCst);
        self.0.opened.fetch_add(1, Ordering::SeqCst);
        Ok(Box::new(MockSession {
            mock: self.0.clone(),
            tenant,
            role,
        }))
    }
    fn rejected(&self) {
        self.0.rejected.fetch_add(1, Ordering::SeqCst);
    }
    fn traffic(&self, bytes_in: usize, bytes_out: usize) {
        self.0.frames.fetch_add(1, Ordering::SeqCst);
        self.0.bytes_in.fetch_add(bytes_in, Ordering::SeqCst);
        self.0.bytes_out.fetch_add(bytes_out, Ordering::SeqCst);
    }
}

impl Session for MockSession {
    fn handle(&mut self, req: Msg) -> Result<Msg, (ErrorCode, String)> {
        self.mock.handled.lock().unwrap().push(req.clone());
        if self.role == Role::Admin && !matches!(req, Msg::GetStatus | Msg::Ping) {
            return Err((
                ErrorCode::State,
                "admin sessions may only ask for status".into(),
            ));
        }
        if self.role == Role::Peer
            && !matches!(
                req,
                Msg::MarkRefs { .. } | Msg::GetForwarding { .. } | Msg::Ping
            )
        {
            return Err((
                ErrorCode::State,
                format!("a peer may not send {}", req.name()),
            ));
        }
        let mut regions = self.mock.regions.lock().unwrap();
        match req {
            Msg::PageIo { writes, reads } => {
                for (p, b) in writes {
                    let r = regions
                        .get_mut(&(self.tenant, p.region))
                        .ok_or((ErrorCode::BadAddress, format!("no region {}", p.region)))?;
                    let end = p.offset as usize + p.len as usize;
                    if end > r.len() {
                        return Err((ErrorCode::BadAddress, "outside the region".into()));
                    }
                    r[p.offset as usize..end].copy_from_slice(&b);
                }
                let mut data = Vec::new();
                for p in reads {
                    let r = regions
                        .get(&(self.tenant, p.region))
                        .ok_or((ErrorCode::BadAddress, format!("no region {}", p.region)))?;
                    let end = p.offset as usize + p.len as usize;
                    if end > r.len() {
                        return Err((ErrorCode::BadAddress, "outside the region".into()));
                    }
                    data.extend_from_slice(&r[p.offset as usize..end]);
                }
                Ok(Msg::PageData { data })
            }
            Msg::AllocRegion { region, bytes } => {
                let used: u64 = regions.values().map(|v| v.len() as u64).sum();
                if used + u64::from(bytes) > self.mock.capacity {
                    return Err((
                        ErrorCode::Capacity,
                        "memnode mock: capacity exhausted".into(),
                    ));
                }
                if regions.contains_key(&(self.tenant, region)) {
                    return Err((ErrorCode::State, format!("region {region} exists")));
                }
                regions.insert((self.tenant, region), vec![0; bytes as usize]);
                Ok(Msg::Ok)
            }
            Msg::ReleaseRegions { regions: rs } => {
                for r in rs {
                    regions.remove(&(self.tenant, r));
                }
                Ok(Msg::Ok)
            }
            Msg::UploadLayouts { .. } | Msg::Ping | Msg::MarkRefs { .. } => Ok(Msg::Ok),
            // A soft error: the connection stays open.
            Msg::GetForwarding { cycle } => Ok(Msg::Error {
                code: ErrorCode::State,
                message: format!("no cycle {cycle}"),
            }),
            Msg::Goodbye => {
                let t = self.tenant;
                regions.retain(|k, _| k.0 != t);
                Ok(Msg::Ok)
            }
            Msg::GetStatus => Ok(Msg::Status(NodeStatus {
                name: "mock".into(),
                capacity: self.mock.capacity,
                ..NodeStatus::default()
            })),
            other => Err((ErrorCode::State, format!("unexpected {}", other.name()))),
        }
    }
}
