//! Shared by the benches: an in-memory page backend and a root set.

use semeru_gc::backend::{
    AcquireError, BackendError, FabricTotals, MemnodeInfo, PageAddr, PageBackend,
};
use semeru_gc::{Ref, RegionId, RootSet};

/// Regions in a map: enough for a bench that never evicts.
#[derive(Default)]
pub struct MapBackend(pub std::collections::HashMap<u32, Vec<u8>>);

impl PageBackend for MapBackend {
    fn memnodes(&self) -> usize {
        1
    }
    fn acquire(&mut self, r: RegionId, bytes: u32) -> Result<(), AcquireError> {
        self.0.insert(r.0, vec![0; bytes as usize]);
        Ok(())
    }
    fn release(&mut self, rs: &[RegionId]) -> Result<(), BackendError> {
        rs.iter().for_each(|r| {
            self.0.remove(&r.0);
        });
        Ok(())
    }
    fn page_io(
        &mut self,
        writes: &[(PageAddr, &[u8])],
        reads: &[PageAddr],
        out: &mut Vec<u8>,
        _gc: bool,
    ) -> Result<(), BackendError> {
        for (p, b) in writes {
            let r = self
                .0
                .get_mut(&p.region.0)
                .ok_or(BackendError("no region".into()))?;
            r[p.offset as usize..][..b.len()].copy_from_slice(b);
        }
        for p in reads {
            let r = self
                .0
                .get(&p.region.0)
                .ok_or(BackendError("no region".into()))?;
            out.extend_from_slice(&r[p.offset as usize..][..p.len as usize]);
        }
        Ok(())
    }
    fn upload_layouts(&mut self, _blob: &[u8]) -> Result<(), BackendError> {
        Ok(())
    }
    fn totals(&self) -> FabricTotals {
        FabricTotals::default()
    }
    fn nodes(&self) -> Vec<MemnodeInfo> {
        Vec::new()
    }
    fn shutdown(&mut self) {}
}

pub struct Roots(pub Vec<Ref>);
impl RootSet for Roots {
    fn visit_roots(&mut self, visit: &mut dyn FnMut(&mut Ref)) {
        self.0.iter_mut().for_each(visit);
    }
}
