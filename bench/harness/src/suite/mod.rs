//! The suites, and what they share: output checks and the `all` suite.

pub mod disagg;
pub mod interp;
pub mod jvmswap;

use crate::ctx::Ctx;
use crate::error::Result;
use std::path::Path;

pub enum Check {
    Ok,
    /// No reference to compare with.
    Unchecked,
    Failed(String),
}

/// Compares a run's stdout with a reference file, byte for byte.
pub fn check_output(stdout: &Path, reference: &Path) -> Check {
    let (Ok(got), Ok(want)) = (std::fs::read(stdout), std::fs::read(reference)) else {
        return Check::Failed(format!(
            "cannot read {} or {}",
            stdout.display(),
            reference.display()
        ));
    };
    match first_difference(&got, &want) {
        None => Check::Ok,
        Some(d) => Check::Failed(format!("output MISMATCH with {}: {d}", reference.display())),
    }
}

/// Where two outputs first differ, as "line N: got ..., want ...".
pub fn first_difference(got: &[u8], want: &[u8]) -> Option<String> {
    if got == want {
        return None;
    }
    let (g, w) = (String::from_utf8_lossy(got), String::from_utf8_lossy(want));
    let (gl, wl): (Vec<&str>, Vec<&str>) = (g.lines().collect(), w.lines().collect());
    for i in 0..gl.len().max(wl.len()) {
        let (a, b) = (gl.get(i).copied(), wl.get(i).copied());
        if a != b {
            let show = |s: Option<&str>| {
                s.map_or("<end of output>".to_string(), |s| {
                    format!("{:?}", truncate(s, 80))
                })
            };
            return Some(format!("line {}: got {}, want {}", i + 1, show(a), show(b)));
        }
    }
    Some(format!(
        "{} bytes vs {} bytes (line endings differ)",
        got.len(),
        want.len()
    ))
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// `all`: interp, disagg and jvm-swap into subdirectories, plus an index report.
pub fn all(
    ctx: &Ctx,
    interp_opts: &interp::Opts,
    disagg_opts: &disagg::Opts,
    jvm_opts: &jvmswap::Opts,
    jvm_workloads: &[String],
) -> Result<bool> {
    let dir = &ctx.out_dir;
    let ok_i = interp::run(ctx, interp_opts, &dir.join("interp"))?;
    let (ok_d, semeru_runs) = disagg::run(ctx, disagg_opts, &dir.join("disagg"))?;
    let ok_j = jvmswap::run(
        ctx,
        jvm_opts,
        jvm_workloads,
        disagg_opts.memnodes_tcp,
        Some(&semeru_runs),
        &dir.join("jvm-swap"),
    )?;
    let verdict = |ok: bool| if ok { "ok" } else { "FAILED (see its report)" };
    let md = format!(
        "# Semeru benchmarks: all suites\n\nCommand:\n\n```\n{}\n```\n\n\
         | suite | report | status |\n| :-- | :-- | :-- |\n\
         | interp | [interp/report.md](interp/report.md) | {} |\n\
         | disagg | [disagg/report.md](disagg/report.md) | {} |\n\
         | jvm-swap | [jvm-swap/report.md](jvm-swap/report.md) | {} |\n\n\
         jvm-swap reuses the Semeru runs of disagg for the workloads both ran.\n",
        ctx.command,
        verdict(ok_i),
        verdict(ok_d),
        verdict(ok_j)
    );
    let path = dir.join("report.md");
    std::fs::write(&path, md).map_err(|e| crate::fail!("cannot write {}: {e}", path.display()))?;
    eprintln!("report: {}", path.display());
    Ok(ok_i && ok_d && ok_j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_the_first_difference() {
        assert_eq!(first_difference(b"a\nb\n", b"a\nb\n"), None);
        assert_eq!(
            first_difference(b"a\nx\n", b"a\nb\n").unwrap(),
            "line 2: got \"x\", want \"b\""
        );
        assert_eq!(
            first_difference(b"a\n", b"a\nb\n").unwrap(),
            "line 2: got <end of output>, want \"b\""
        );
    }
}
