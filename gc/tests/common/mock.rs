//! A `PageBackend` over a `HashMap` of regions, with a shared state that tests
//! inspect: what was fetched, written back, released; a capacity in regions;
//! a switch that makes every exchange fail.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use semeru_gc::backend::{
    AcquireError, BackendError, FabricTotals, MemnodeInfo, PageAddr, PageBackend,
};
use semeru_gc::RegionId;

#[derive(Default)]
pub struct MockState {
    pub regions: HashMap<u32, Vec<u8>>,
    /// Regions it accepts at most.
    pub capacity: usize,
    /// Every range read and written, in order.
    pub reads: Vec<PageAddr>,
    pub writes: Vec<PageAddr>,
    /// `page_io` calls.
    pub exchanges: u64,
    pub released: Vec<u32>,
    pub layouts: u64,
    pub shutdown: bool,
    /// Every exchange fails from now on.
    pub fail: bool,
    pub totals: FabricTotals,
}

#[derive(Clone)]
pub struct Mock(pub Arc<Mutex<MockState>>);

impl Mock {
    pub fn new(capacity: usize) -> Mock {
        Mock(Arc::new(Mutex::new(MockState {
            capacity,
            ..MockState::default()
        })))
    }
    pub fn state(&self) -> MutexGuard<'_, MockState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub fn boxed(&self) -> Box<dyn PageBackend> {
        Box::new(self.clone())
    }
}

fn range<'a>(
    regions: &'a mut HashMap<u32, Vec<u8>>,
    p: &PageAddr,
) -> Result<&'a mut [u8], BackendError> {
    let r = regions
        .get_mut(&p.region.0)
        .ok_or_else(|| BackendError(format!("mock: no region {}", p.region.0)))?;
    let (s, e) = (p.offset as usize, p.offset as usize + p.len as usize);
    r.get_mut(s..e)
        .ok_or_else(|| BackendError(format!("mock: bad range {p:?}")))
}

impl PageBackend for Mock {
    fn memnodes(&self) -> usize {
        1
    }
    fn acquire(&mut self, r: RegionId, bytes: u32) -> Result<(), AcquireError> {
        let mut s = self.state();
        if s.fail {
            return Err(AcquireError::Fatal("mock: down".into()));
        }
        if s.regions.contains_key(&r.0) {
            return Err(AcquireError::Fatal(format!("mock: region {} exists", r.0)));
        }
        if s.regions.len() >= s.capacity {
            return Err(AcquireError::CapacityExhausted("mock: full".into()));
        }
        s.regions.insert(r.0, vec![0; bytes as usize]);
        s.totals.bytes_control += 16;
        s.totals.round_trips += 1;
        Ok(())
    }
    fn release(&mut self, rs: &[RegionId]) -> Result<(), BackendError> {
        let mut s = self.state();
        for r in rs {
            if s.regions.remove(&r.0).is_none() {
                return Err(BackendError(format!("mock: release of missing {}", r.0)));
            }
            s.released.push(r.0);
        }
        s.totals.round_trips += 1;
        Ok(())
    }
    fn page_io(
        &mut self,
        writes: &[(PageAddr, &[u8])],
        reads: &[PageAddr],
        out: &mut Vec<u8>,
        gc: bool,
    ) -> Result<(), BackendError> {
        let mut s = self.state();
        if s.fail {
            return Err(BackendError("memnode mock: connection closed".into()));
        }
        s.exchanges += 1;
        s.totals.round_trips += 1;
        let s = &mut *s;
        for (p, b) in writes {
            assert_eq!(p.len as usize, b.len());
            range(&mut s.regions, p)?.copy_from_slice(b);
            s.writes.push(*p);
            s.totals.bytes_written_back += b.len() as u64;
            if gc {
                s.totals.gc_bytes += b.len() as u64;
            }
        }
        for p in reads {
            out.extend_from_slice(range(&mut s.regions, p)?);
            s.reads.push(*p);
            s.totals.bytes_fetched += p.len as u64;
            if gc {
                s.totals.gc_bytes += p.len as u64;
            }
        }
        Ok(())
    }
    fn upload_layouts(&mut self, _blob: &[u8]) -> Result<(), BackendError> {
        self.state().layouts += 1;
        Ok(())
    }
    fn totals(&self) -> FabricTotals {
        self.state().totals
    }
    fn nodes(&self) -> Vec<MemnodeInfo> {
        let s = self.state();
        vec![MemnodeInfo {
            name: "mock#0".into(),
            regions: s.regions.len() as u64,
            bytes_fetched: s.totals.bytes_fetched,
            bytes_written_back: s.totals.bytes_written_back,
        }]
    }
    fn shutdown(&mut self) {
        let mut s = self.state();
        s.shutdown = true;
        s.regions.clear();
    }
}
