//! `--stats` (a few human lines on stderr) and `--stats-json FILE`.

use semeru_vm::RunStats;
use std::fmt::Write as _;

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The summary printed by `--stats`.
pub fn human(s: &RunStats) -> String {
    let g = &s.gc;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "[stats] wall {:.1} ms, mutator {:.1} ms",
        ms(s.wall),
        ms(s.mutator)
    );
    let _ = writeln!(
        out,
        "[stats] pauses: {} young, {} full; total {:.2} ms, max {:.2} ms",
        g.young_count(),
        g.full_count(),
        g.total_pause_ms(),
        g.max_pause_ms()
    );
    let _ = writeln!(
        out,
        "[stats] allocated {} bytes, promoted {} bytes, marked {} bytes, compacted {} bytes",
        g.bytes_allocated, g.bytes_promoted, g.marked_bytes, g.compacted_bytes
    );
    if let Some(n) = s.instructions {
        let _ = writeln!(out, "[stats] instructions executed: {n}");
    }
    out
}

/// The JSON document written by `--stats-json`.
pub fn json(s: &RunStats) -> String {
    let g = &s.gc;
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
    format!(
        "{{\"wall_ms\":{},\"mutator_ms\":{},\"gc\":{{\"pauses\":[{}],\"young_pauses\":{},\"full_pauses\":{},\"total_pause_ms\":{},\"max_pause_ms\":{},\"bytes_allocated\":{},\"bytes_promoted\":{},\"marked_bytes\":{},\"compacted_bytes\":{}}},\"instructions\":{}}}\n",
        num(ms(s.wall)),
        num(ms(s.mutator)),
        pauses.join(","),
        g.young_count(),
        g.full_count(),
        num(g.total_pause_ms()),
        num(g.max_pause_ms()),
        g.bytes_allocated,
        g.bytes_promoted,
        g.marked_bytes,
        g.compacted_bytes,
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
        let j = json(&RunStats::default());
        for key in [
            "wall_ms",
            "gc",
            "pauses",
            "bytes_allocated",
            "bytes_promoted",
        ] {
            assert!(j.contains(&format!("\"{key}\"")), "{key} missing in {j}");
        }
        assert_eq!(num(f64::NAN), "null");
    }
}
