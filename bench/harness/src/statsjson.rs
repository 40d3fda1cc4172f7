//! The numbers the harness takes from `semeru run --stats-json FILE`
//! (written by src/stats.rs), and the split of fabric bytes by purpose.

use serde_json::Value;

/// One VM run's summary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VmStats {
    /// `wall_ms`: the VM's own wall time (compile included).
    pub wall_ms: f64,
    /// Number of stop-the-world pauses (`gc.pauses`), young and old.
    pub pauses: u64,
    pub p99_pause_ms: f64,
    pub max_pause_ms: f64,
    pub total_pause_ms: f64,
    /// `fabric.bytes_fetched`: pages read from memnodes (program and GC).
    pub bytes_fetched: u64,
    /// `fabric.bytes_written_back`: pages written to memnodes.
    pub bytes_written_back: u64,
    /// `fabric.bytes_control`: control messages.
    pub bytes_control: u64,
    /// `gc.young_fabric_bytes`: fabric bytes moved in young pauses.
    pub gc_young_bytes: u64,
    /// `gc.old_fabric_bytes`: fabric bytes of old-space pauses and GC control.
    pub gc_old_bytes: u64,
    /// `gc.total_fabric_bytes`: young + old.
    pub gc_total_bytes: u64,
    /// `gc.fabric_bytes`: the old collector's net cost (old less the flushes that
    /// write-back eviction would have made anyway).
    pub gc_net_bytes: u64,
    /// `gc.offload.peer_bytes`: marking traffic between memnodes (not the VM's link).
    pub peer_bytes: u64,
    /// `gc.offload.cycles`: offloaded old collections.
    pub offload_cycles: u64,
    /// `heap.mode`: "local", "embedded" or "tcp".
    pub heap_mode: String,
    pub cache_bytes: u64,
    pub cache_hits: u64,
    pub cache_misses: u64,
}

/// Fabric bytes of one run by purpose (the stacks of the fabric chart).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FabricSplit {
    /// The program's own paging: everything on the VM's link outside GC.
    pub mutator: u64,
    pub young_gc: u64,
    pub old_gc: u64,
    /// Between memnodes, during offloaded marking.
    pub peer: u64,
}

impl FabricSplit {
    pub const NAMES: [&'static str; 4] = ["program paging", "young GC", "old GC", "memnode peers"];

    pub fn parts(&self) -> [u64; 4] {
        [self.mutator, self.young_gc, self.old_gc, self.peer]
    }
}

impl VmStats {
    pub fn parse(text: &str) -> Result<VmStats, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("stats JSON: {e}"))?;
        let f = |path: &str| -> f64 { get(&v, path).and_then(Value::as_f64).unwrap_or(0.0) };
        let u = |path: &str| -> u64 { get(&v, path).and_then(Value::as_u64).unwrap_or(0) };
        if get(&v, "wall_ms").is_none() {
            return Err("stats JSON: no wall_ms".into());
        }
        Ok(VmStats {
            wall_ms: f("wall_ms"),
            pauses: get(&v, "gc.pauses")
                .and_then(Value::as_array)
                .map_or(0, |a| a.len() as u64),
            p99_pause_ms: f("gc.p99_pause_ms"),
            max_pause_ms: f("gc.max_pause_ms"),
            total_pause_ms: f("gc.total_pause_ms"),
            bytes_fetched: u("fabric.bytes_fetched"),
            bytes_written_back: u("fabric.bytes_written_back"),
            bytes_control: u("fabric.bytes_control"),
            gc_young_bytes: u("gc.young_fabric_bytes"),
            gc_old_bytes: u("gc.old_fabric_bytes"),
            gc_total_bytes: u("gc.total_fabric_bytes"),
            gc_net_bytes: u("gc.fabric_bytes"),
            peer_bytes: u("gc.offload.peer_bytes"),
            offload_cycles: u("gc.offload.cycles"),
            heap_mode: get(&v, "heap.mode")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            cache_bytes: u("heap.cache_bytes"),
            cache_hits: u("cache.hits"),
            cache_misses: u("cache.misses"),
        })
    }

    /// All bytes on the VM's fabric link.
    pub fn fabric_total(&self) -> u64 {
        self.bytes_fetched + self.bytes_written_back + self.bytes_control
    }

    pub fn split(&self) -> FabricSplit {
        FabricSplit {
            mutator: self.fabric_total().saturating_sub(self.gc_total_bytes),
            young_gc: self.gc_young_bytes,
            old_gc: self.gc_old_bytes,
            peer: self.peer_bytes,
        }
    }
}

fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |cur, key| cur.get(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../tests/data/stats-young-only.json");

    #[test]
    fn parses_a_captured_run() {
        let s = VmStats::parse(SAMPLE).unwrap();
        assert_eq!(s.wall_ms, 4381.977);
        assert_eq!(s.pauses, 9);
        assert_eq!(s.max_pause_ms, 215.439);
        assert_eq!(s.p99_pause_ms, 215.439);
        assert_eq!(s.bytes_fetched, 114405376);
        assert_eq!(s.bytes_written_back, 86388736);
        assert_eq!(s.bytes_control, 130992);
        assert_eq!(s.gc_young_bytes, 46673920);
        assert_eq!(s.gc_old_bytes, 176955);
        assert_eq!(s.gc_total_bytes, 46850875);
        assert_eq!(s.heap_mode, "tcp");
        assert_eq!(s.cache_bytes, 16777216);
    }

    #[test]
    fn fabric_split_adds_up() {
        let s = VmStats::parse(SAMPLE).unwrap();
        let split = s.split();
        assert_eq!(
            split.mutator + split.young_gc + split.old_gc,
            s.fabric_total()
        );
        assert_eq!(split.peer, 0);
    }

    #[test]
    fn rejects_other_json() {
        assert!(VmStats::parse("{\"x\":1}").is_err());
        assert!(VmStats::parse("not json").is_err());
    }
}
