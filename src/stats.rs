//! `--stats` (a few human lines on stderr) and `--stats-json FILE`.

use semeru_vm::RunStats;
use std::fmt::Write as _;

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// What the CLI knows about the heap mode that the heap does not.
pub struct HeapMode {
    /// `local`, `embedded` or `tcp`.
    pub mode: &'static str,
    pub young_bytes: usize,
}

fn mib(b: u64) -> f64 {
    b as f64 / (1 << 20) as f64
}

/// The summary printed by `--stats`.
pub fn human(s: &RunStats, m: &HeapMode) -> String {
    let g = &s.gc;
    let h = &s.heap;
    let c = &h.cache;
    let f = &h.fabric;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "[stats] wall {:.1} ms, mutator {:.1} ms",
        ms(s.wall),
        ms(s.mutator)
    );
    // Young and full always; the offloaded cycle's pauses when there were any.
    let kinds: Vec<String> = g
        .by_kind()
        .iter()
        .filter(|k| k.1 > 0 || k.0 == "young" || k.0 == "full")
        .map(|k| format!("{} {}", k.1, k.0))
        .collect();
    let _ = writeln!(
        out,
        "[stats] pauses: {}; total {:.2} ms, max {:.2} ms, p99 {:.2} ms",
        kinds.join(", "),
        g.total_pause_ms(),
        g.max_pause_ms(),
        g.p99_pause_ms()
    );
    if let Some(o) = &g.offload {
        let _ = writeln!(
            out,
            "[stats] offload: {} cycles, marked {:.2} MiB, peer links {:.2} MiB, evacuated {:.2} MiB; {} regions freed, {} evacuated; concurrent marking {:.1} ms, remark waited {:.1} ms; {} SATB refs",
            o.cycles,
            mib(o.marked_bytes),
            mib(o.peer_bytes),
            mib(o.evacuated_bytes),
            o.freed_regions,
            o.evacuated_regions,
            o.concurrent_ms,
            o.remark_wait_ms,
            o.satb_refs
        );
    }
    let _ = writeln!(
        out,
        "[stats] allocated {} bytes, promoted {} bytes, marked {} bytes, compacted {} bytes",
        g.bytes_allocated, g.bytes_promoted, g.marked_bytes, g.compacted_bytes
    );
    let _ = writeln!(
        out,
        "[stats] heap: {} mode, {:.1} MiB heap, {:.1} MiB nursery, {:.1} MiB cache, {} memnode(s)",
        m.mode,
        mib(h.heap_bytes as u64),
        mib(m.young_bytes as u64),
        mib(h.cache_bytes as u64),
        h.memnodes
    );
    if h.memnodes > 0 {
        let acc = c.hits + c.misses + c.minor_faults;
        let rate = if acc == 0 {
            100.0
        } else {
            c.hits as f64 * 100.0 / acc as f64
        };
        let _ = writeln!(
            out,
            "[stats] cache: {:.2}% hits ({} hits, {} misses of which {} fresh, {} minor faults), {} evictions, {} pages written back, {} read ahead",
            rate, c.hits, c.misses, c.fresh_pages, c.minor_faults, c.evictions, c.pages_written_back, c.readahead_pages
        );
        let _ = writeln!(
            out,
            "[stats] fabric: {:.2} MiB fetched, {:.2} MiB written back, {:.2} MiB control, {} round trips; GC moved {:.2} MiB",
            mib(f.bytes_fetched),
            mib(f.bytes_written_back),
            mib(f.bytes_control),
            f.round_trips,
            mib(f.gc_bytes)
        );
        let gcf = GcFabric::of(s);
        let _ = writeln!(
            out,
            "[stats] GC fabric: young collections {:.2} MiB; old-space collector {:.2} MiB ({:.2} MiB moved, {:.2} MiB of it flushed pages that were later evicted clean)",
            mib(gcf.young),
            mib(gcf.net),
            mib(gcf.old),
            mib(gcf.saved)
        );
        if c.pages_flushed > 0 {
            let _ = writeln!(
                out,
                "[stats] flushed pages: {} in all; later {} evicted clean, {} dirtied again, {} dropped unwritten",
                c.pages_flushed, c.flush_writebacks_saved, c.flush_redirtied, c.flush_dropped
            );
        }
        for n in &h.nodes {
            let _ = writeln!(
                out,
                "[stats]   memnode {}: {} regions, {:.2} MiB fetched, {:.2} MiB written back",
                n.name,
                n.regions,
                mib(n.bytes_fetched),
                mib(n.bytes_written_back)
            );
        }
    }
    if let Some(n) = s.instructions {
        let _ = writeln!(out, "[stats] instructions executed: {n}");
    }
    out
}

/// The fabric bytes of garbage collection, split.
struct GcFabric {
    /// Pauses of every kind but young ones, and GC control messages.
    old: u64,
    /// Young pauses (the same collector in every mode).
    young: u64,
    /// Dirty pages the offloaded collector wrote back ahead of time.
    flushed: u64,
    /// Of those, pages later evicted without being dirtied again: the
    /// write-back eviction would have made, made earlier.
    saved: u64,
    /// `gc.fabric_bytes`: what the old-space collector cost the fabric,
    /// `old - saved`.
    net: u64,
}

impl GcFabric {
    fn of(s: &RunStats) -> GcFabric {
        let page = semeru_gc::memory::PAGE as u64;
        let young = s.gc.fabric_of("young");
        let old = s.heap.fabric.gc_bytes.saturating_sub(young);
        let saved = s.heap.cache.flush_writebacks_saved * page;
        GcFabric {
            old,
            young,
            flushed: s.heap.cache.pages_flushed * page,
            saved,
            net: old.saturating_sub(saved),
        }
    }
}

/// The JSON document written by `--stats-json`.
pub fn json(s: &RunStats, m: &HeapMode) -> String {
    let g = &s.gc;
    let h = &s.heap;
    let c = &h.cache;
    let f = &h.fabric;
    let nodes: Vec<String> = h
        .nodes
        .iter()
        .map(|n| {
            format!(
                "{{\"name\":{},\"regions\":{},\"bytes_fetched\":{},\"bytes_written_back\":{}}}",
                quote(&n.name),
                n.regions,
                n.bytes_fetched,
                n.bytes_written_back
            )
        })
        .collect();
    let heap = format!(
        "{{\"mode\":{},\"heap_bytes\":{},\"young_bytes\":{},\"cache_bytes\":{},\"memnodes\":{},\"nodes\":[{}]}}",
        quote(m.mode),
        h.heap_bytes,
        m.young_bytes,
        h.cache_bytes,
        h.memnodes,
        nodes.join(",")
    );
    let cache = format!(
        "{{\"hits\":{},\"misses\":{},\"minor_faults\":{},\"fresh_pages\":{},\"evictions\":{},\"writebacks\":{},\"writeback_batches\":{},\"pages_fetched\":{},\"readahead_pages\":{},\"pages_flushed\":{},\"flushed_evicted_clean\":{},\"flushed_redirtied\":{},\"flushed_dropped\":{}}}",
        c.hits, c.misses, c.minor_faults, c.fresh_pages, c.evictions, c.pages_written_back, c.writebacks, c.pages_fetched, c.readahead_pages,
        c.pages_flushed, c.flush_writebacks_saved, c.flush_redirtied, c.flush_dropped
    );
    let fabric = format!(
        "{{\"bytes_fetched\":{},\"bytes_written_back\":{},\"bytes_control\":{},\"round_trips\":{},\"messages\":{},\"gc_bytes\":{}}}",
        f.bytes_fetched, f.bytes_written_back, f.bytes_control, f.round_trips, f.messages, f.gc_bytes
    );
    let pauses: Vec<String> = g
        .pauses
        .iter()
        .map(|p| {
            format!(
                "{{\"kind\":{},\"ms\":{},\"heap_before\":{},\"heap_after\":{}}}",
                quote(p.kind),
                num(p.millis),
                p.heap_before,
                p.heap_after
            )
        })
        .collect();
    let by_kind: Vec<String> = g
        .by_kind()
        .iter()
        .map(|(kind, count, total, max)| {
            format!(
                "{}:{{\"count\":{count},\"total_ms\":{},\"max_ms\":{},\"fabric_bytes\":{}}}",
                quote(kind),
                num(*total),
                num(*max),
                g.fabric_of(kind)
            )
        })
        .collect();
    let gcf = GcFabric::of(s);
    let offload = match &g.offload {
        None => "null".to_string(),
        Some(o) => format!(
            "{{\"cycles\":{},\"marked_bytes\":{},\"peer_bytes\":{},\"evacuated_bytes\":{},\"concurrent_ms\":{},\"remark_wait_ms\":{},\"freed_regions\":{},\"evacuated_regions\":{},\"satb_refs\":{},\"patched_slots\":{},\"dropped_pages\":{},\"kept_dirty_pages\":{},\"pending_pages\":{},\"pending_flushed\":{},\"evac_flushed_source_pages\":{},\"evac_flushed_other_pages\":{},\"kept_new_pages\":{},\"peeked_objects\":{}}}",
            o.cycles,
            o.marked_bytes,
            o.peer_bytes,
            o.evacuated_bytes,
            num(o.concurrent_ms),
            num(o.remark_wait_ms),
            o.freed_regions,
            o.evacuated_regions,
            o.satb_refs,
            o.patched_slots,
            o.dropped_pages,
            o.kept_dirty_pages,
            o.pending_pages,
            o.pending_flushed,
            o.evac_flushed_source_pages,
            o.evac_flushed_other_pages,
            o.kept_new_pages,
            o.peeked_objects
        ),
    };
    format!(
        "{{\"wall_ms\":{},\"mutator_ms\":{},\"heap\":{heap},\"cache\":{cache},\"fabric\":{fabric},\"gc\":{{\"pauses\":[{}],\"by_kind\":{{{}}},\"young_pauses\":{},\"full_pauses\":{},\"total_pause_ms\":{},\"max_pause_ms\":{},\"p99_pause_ms\":{},\"offload\":{offload},\"bytes_allocated\":{},\"bytes_promoted\":{},\"marked_bytes\":{},\"compacted_bytes\":{},\"fabric_bytes\":{},\"old_fabric_bytes\":{},\"flushed_bytes\":{},\"flush_saved_bytes\":{},\"young_fabric_bytes\":{},\"total_fabric_bytes\":{}}},\"instructions\":{}}}\n",
        num(ms(s.wall)),
        num(ms(s.mutator)),
        pauses.join(","),
        by_kind.join(","),
        g.young_count(),
        g.full_count(),
        num(g.total_pause_ms()),
        num(g.max_pause_ms()),
        num(g.p99_pause_ms()),
        g.bytes_allocated,
        g.bytes_promoted,
        g.marked_bytes,
        g.compacted_bytes,
        gcf.net,
        gcf.old,
        gcf.flushed,
        gcf.saved,
        gcf.young,
        f.gc_bytes,
        s.instructions.map_or("null".to_string(), |n| n.to_string()),
    )
}

/// A finite JSON number (JSON has no NaN or infinity).
fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "null".into()
    }
}

fn quote(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(q, "\\u{:04x}", c as u32);
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_and_has_the_fields() {
        assert_eq!(quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
        let j = json(
            &RunStats::default(),
            &HeapMode {
                mode: "local",
                young_bytes: 0,
            },
        );
        for key in [
            "wall_ms",
            "gc",
            "pauses",
            "bytes_allocated",
            "bytes_promoted",
            "mode",
            "heap_bytes",
            "cache_bytes",
            "memnodes",
            "hits",
            "misses",
            "evictions",
            "writebacks",
            "bytes_fetched",
            "bytes_written_back",
            "bytes_control",
            "round_trips",
            "fabric_bytes",
            "old_fabric_bytes",
            "young_fabric_bytes",
            "total_fabric_bytes",
            "flushed_bytes",
            "flush_saved_bytes",
            "pages_flushed",
            "flushed_evicted_clean",
            "flushed_redirtied",
            "flushed_dropped",
            "by_kind",
            "p99_pause_ms",
            "initial-mark",
            "remark",
            "evacuate",
        ] {
            assert!(j.contains(&format!("\"{key}\"")), "{key} missing in {j}");
        }
        assert!(j.contains("\"offload\":null"), "{j}");
        assert_eq!(num(f64::NAN), "null");
    }

    #[test]
    fn offload_figures_in_json_and_text() {
        let mut s = RunStats {
            gc: semeru_gc::GcStats::with_offload(true),
            ..RunStats::default()
        };
        for (kind, ms) in [
            ("young", 1.0),
            ("initial-mark", 0.5),
            ("remark", 2.0),
            ("evacuate", 9.0),
        ] {
            s.gc.record(semeru_gc::Pause {
                kind,
                heap_before: 0,
                heap_after: 0,
                millis: ms,
            });
        }
        if let Some(o) = s.gc.offload.as_mut() {
            o.cycles = 1;
            o.marked_bytes = 3 << 20;
            o.peer_bytes = 4096;
            o.evacuated_bytes = 1 << 20;
            o.concurrent_ms = 42.5;
            o.freed_regions = 2;
            o.evacuated_regions = 3;
            o.satb_refs = 17;
        }
        s.gc.add_fabric("young", 700);
        s.gc.add_fabric("evacuate", 300);
        s.heap.fabric.gc_bytes = 1100;
        // Two flushed pages, one evicted clean later: 4096 bytes of the
        // old collector's 400 were the eviction's own write-back (saturates).
        s.heap.cache.pages_flushed = 2;
        s.heap.cache.flush_writebacks_saved = 1;
        let m = HeapMode {
            mode: "tcp",
            young_bytes: 0,
        };
        let j = json(&s, &m);
        for want in [
            "\"offload\":{\"cycles\":1,\"marked_bytes\":3145728,\"peer_bytes\":4096,\"evacuated_bytes\":1048576,\"concurrent_ms\":42.500,\"remark_wait_ms\":0.000,\"freed_regions\":2,\"evacuated_regions\":3,\"satb_refs\":17,\"patched_slots\":0,\"dropped_pages\":0,\"kept_dirty_pages\":0,\"pending_pages\":0,\"pending_flushed\":0,\"evac_flushed_source_pages\":0,\"evac_flushed_other_pages\":0,\"kept_new_pages\":0,\"peeked_objects\":0}",
            "\"evacuate\":{\"count\":1,\"total_ms\":9.000,\"max_ms\":9.000,\"fabric_bytes\":300}",
            "\"fabric_bytes\":0,\"old_fabric_bytes\":400,\"flushed_bytes\":8192,\"flush_saved_bytes\":4096,\"young_fabric_bytes\":700,\"total_fabric_bytes\":1100}",
            "\"young\":{\"count\":1,",
            "\"full\":{\"count\":0,",
            "\"max_pause_ms\":9.000",
            "\"p99_pause_ms\":9.000",
        ] {
            assert!(j.contains(want), "{want} missing in {j}");
        }
        let t = human(&s, &m);
        assert!(
            t.contains("[stats] pauses: 1 young, 0 full, 1 initial-mark, 1 remark, 1 evacuate;"),
            "{t}"
        );
        assert!(
            t.contains("[stats] offload: 1 cycles, marked 3.00 MiB"),
            "{t}"
        );
    }
}
