//! Suite `jvm-swap`: OpenJDK 17 (G1) on far memory the conventional way, in a
//! memory cgroup whose limit is a share of its unlimited peak RSS, swapping the
//! rest to zram; beside Semeru's slowdown at the same share of local memory.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::markdown::Table;
use crate::math::{fmt, ratio, MIB};
use crate::process::{self, Measured};
use crate::report::Report;
use crate::suite::disagg::{self, Config, Workload, WorkloadResult};
use crate::suite::{check_output, interp::first_line, Check};
use crate::sysmem::{self, Cgroup};
use clap::Args;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Args, Clone)]
pub struct Opts {
    /// Memory limits, as % of the unlimited run's peak RSS (comma list)
    #[arg(long, value_delimiter = ',', default_value = "50,25")]
    pub limits: Vec<String>,
    /// memory.swappiness of the limited cgroups
    #[arg(long, default_value_t = 60)]
    pub swappiness: u32,
    /// Use a swap file even when zram is available
    #[arg(long)]
    pub swap_file: bool,
}

/// The status of a limited run that the cgroup's OOM killer ended: the JVM
/// could not run in that much memory even with swap. A measured outcome of the
/// baseline, so it does not fail the suite.
const OOM: &str = "OOM-killed by the memory cgroup";

struct JvmRun {
    limit_pct: Option<f64>,
    limit_bytes: Option<u64>,
    runs: Vec<(Measured, Option<String>, CgroupNumbers)>,
}

#[derive(Default, Clone)]
struct CgroupNumbers {
    max_usage: Option<u64>,
    memsw_max_usage: Option<u64>,
    pgmajfault: Option<u64>,
    failcnt: Option<u64>,
    /// `oom_kill` of memory.oom_control: the cgroup's OOM killer fired.
    oom_kills: Option<u64>,
}

impl JvmRun {
    fn best(&self) -> Option<&Measured> {
        self.runs
            .iter()
            .filter(|r| r.1.is_none())
            .map(|r| &r.0)
            .min_by(|a, b| a.wall_s.total_cmp(&b.wall_s))
    }
    /// The run a table row describes: the fastest good one, else the first
    /// (so an OOM-killed configuration still shows its cgroup counters).
    fn shown(&self) -> Option<&(Measured, Option<String>, CgroupNumbers)> {
        let best = self.best();
        self.runs
            .iter()
            .find(|r| best.is_some_and(|b| std::ptr::eq(&r.0, b)))
            .or(self.runs.first())
    }
}

pub fn run(
    ctx: &Ctx,
    opts: &Opts,
    workload_names: &[String],
    memnodes_tcp: usize,
    reuse: Option<&[WorkloadResult]>,
    out_dir: &Path,
) -> Result<bool> {
    let workloads: Vec<&'static Workload> = workload_names
        .iter()
        .map(|w| disagg::workload(w))
        .collect::<Result<_>>()?;
    let limits = disagg::parse_caches(&opts.limits)
        .map_err(|_| Error::Usage("--limits wants percentages in (0, 100]".into()))?;
    let runs = ctx.runs_or(1);
    let mut machine = crate::machine::Machine::record(&ctx.root);
    let mut report = Report::new(out_dir, "Semeru benchmarks: the JVM on swap (`jvm-swap`)")?;

    let blocked = sysmem::preflight()
        .err()
        .or_else(|| (!crate::java::available()).then(|| "java/javac not found".to_string()));
    if let Some(why) = blocked {
        report.skip(format!("the whole suite: {why}"));
        report.para("Nothing was measured: the suite needs root, the cgroup v1 memory controller and a JDK.");
        machine.finish();
        let path = report.write(
            &machine,
            &ctx.command,
            json!({"suite": "jvm-swap", "skipped": why}),
        )?;
        eprintln!("report: {}", path.display());
        return Ok(true);
    }
    let present = disagg::present_workloads(ctx, &mut report, &workloads);

    // Semeru at the same shares of local memory: reuse disagg's runs, or run them.
    let semeru_configs = disagg::configs(&limits, &["offload".to_string(), "local".to_string()])?;
    let mut semeru: Vec<WorkloadResult> = Vec::new();
    let mut to_run = Vec::new();
    for w in &present {
        let have = reuse.and_then(|r| r.iter().find(|x| x.workload.name == w.name));
        match have {
            Some(r) if semeru_configs.iter().all(|c| r.find(c).is_some()) => {
                semeru.push(clone_result(r, &semeru_configs))
            }
            _ => to_run.push(*w),
        }
    }
    if !to_run.is_empty() {
        let measured = disagg::measure(
            ctx,
            &mut report,
            &to_run,
            &semeru_configs,
            memnodes_tcp,
            runs,
            "jvm-swap semeru",
        )?;
        semeru.extend(measured);
    }

    // The JVM, unlimited first (its peak RSS sets the limits).
    ctx.set_total(present.len() * runs * (1 + limits.len()));
    let mut jvm: Vec<(&'static Workload, Vec<JvmRun>, Option<PathBuf>)> = Vec::new();
    let mut compiled = Vec::new();
    for w in &present {
        let dir = ctx.tmp.join("jvm").join(w.name);
        match crate::java::compile(&ctx.root.join(w.file), &dir) {
            Ok(c) => compiled.push(Some(c)),
            Err(e) => {
                eprintln!("FAILED: {} (javac): {e}", w.name);
                report.fail(format!("{} (javac): {e}", w.name));
                compiled.push(None);
            }
        }
    }
    for (w, class) in present.iter().zip(&compiled) {
        let reference = semeru
            .iter()
            .find(|r| r.workload.name == w.name)
            .and_then(|r| r.reference_path.clone());
        let mut unlimited = JvmRun {
            limit_pct: None,
            limit_bytes: None,
            runs: Vec::new(),
        };
        if let Some((dir, class)) = class {
            for run in 1..=runs {
                ctx.begin(&format!(
                    "jvm-swap {} java unlimited run {run}/{runs}",
                    w.name
                ));
                let (m, failed) = run_java(
                    ctx,
                    w,
                    dir,
                    class,
                    None,
                    reference.as_deref(),
                    &format!("{}-unlimited-{run}", w.name),
                )?;
                finish_line(ctx, &mut report, w.name, "java unlimited", &m, &failed);
                unlimited.runs.push((m, failed, CgroupNumbers::default()));
            }
        }
        jvm.push((w, vec![unlimited], reference));
    }

    // Swap for the limited runs: as big as the largest unlimited peak RSS, and 256 MiB more.
    let peak = jvm
        .iter()
        .filter_map(|(_, r, _)| r[0].best().map(|m| m.max_rss_kb * 1024))
        .max();
    let mut swap_note = String::from("no limited runs (no unlimited JVM run succeeded)");
    if let Some(peak) = peak {
        let swap_dir = PathBuf::from("/var/tmp");
        match sysmem::setup_swap(peak + (256 << 20), &swap_dir, opts.swap_file) {
            Err(why) => {
                report.skip(format!("limited JVM runs: cannot set up swap: {why}"));
                swap_note = format!("no swap device could be set up: {why}");
            }
            Ok(swap) => {
                swap_note = format!("swap device: {}", swap.description);
                eprintln!("{swap_note}");
                for ((w, jruns, reference), class) in jvm.iter_mut().zip(&compiled) {
                    let (Some((dir, class)), Some(base)) =
                        (class, jruns[0].best().map(|m| m.max_rss_kb * 1024))
                    else {
                        continue;
                    };
                    for &pct in &limits {
                        let bytes = ((base as f64 * pct / 100.0) as u64) & !4095;
                        let mut jr = JvmRun {
                            limit_pct: Some(pct),
                            limit_bytes: Some(bytes),
                            runs: Vec::new(),
                        };
                        for run in 1..=runs {
                            ctx.begin(&format!(
                                "jvm-swap {} java limit={pct}% ({} MiB) run {run}/{runs}",
                                w.name,
                                bytes >> 20
                            ));
                            let name = format!(
                                "semeru-bench-{}-{}-{pct}-{run}",
                                std::process::id(),
                                w.name
                            );
                            let cg = Cgroup::create(&name, bytes, opts.swappiness)
                                .map_err(|e| crate::fail!("cgroup: {e}"))?;
                            let tag = format!("{}-{pct}-{run}", w.name);
                            let (m, failed) = run_java(
                                ctx,
                                w,
                                dir,
                                class,
                                Some(&cg),
                                reference.as_deref(),
                                &tag,
                            )?;
                            let numbers = CgroupNumbers {
                                max_usage: cg.read_u64("memory.max_usage_in_bytes"),
                                memsw_max_usage: cg.read_u64("memory.memsw.max_usage_in_bytes"),
                                pgmajfault: cg
                                    .stat("total_pgmajfault")
                                    .or_else(|| cg.stat("pgmajfault")),
                                failcnt: cg.read_u64("memory.failcnt"),
                                oom_kills: cg.oom_kills(),
                            };
                            drop(cg);
                            let oom = m.exit == process::Exit::Signal(libc::SIGKILL)
                                && numbers.oom_kills.unwrap_or(0) > 0;
                            let failed = if oom {
                                ctx.done(
                                    "OOM-killed by the memory cgroup (a result, not a failure)",
                                );
                                Some(OOM.to_string())
                            } else {
                                let what = format!("java limit={pct}%");
                                finish_line(ctx, &mut report, w.name, &what, &m, &failed);
                                failed
                            };
                            jr.runs.push((m, failed, numbers));
                        }
                        jruns.push(jr);
                    }
                }
                drop(swap);
            }
        }
    }
    machine.finish();

    write_report(
        &mut report,
        &jvm,
        &semeru,
        &limits,
        &swap_note,
        opts.swappiness,
    );
    let results = json!({
        "suite": "jvm-swap",
        "runs": runs,
        "swap": swap_note,
        "jvm": jvm.iter().map(|(w, jr, _)| json!({"workload": w.name, "heap": w.heap(ctx.quick), "args": w.args(ctx.quick), "configs": jr.iter().map(jvm_json).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "semeru": disagg::results_json(&semeru),
    });
    let path = report.write(&machine, &ctx.command, results)?;
    eprintln!("report: {}", path.display());
    Ok(report.failures.is_empty())
}

fn finish_line(
    ctx: &Ctx,
    report: &mut Report,
    w: &str,
    what: &str,
    m: &Measured,
    failed: &Option<String>,
) {
    match failed {
        Some(why) => {
            ctx.done(&format!("FAILED: {why}"));
            report.fail(format!("{w} {what}: {why}"));
        }
        None => ctx.done(&format!(
            "{:.1} s, peak RSS {:.0} MiB ok",
            m.wall_s,
            m.max_rss_kb as f64 / 1024.0
        )),
    }
}

fn run_java(
    ctx: &Ctx,
    w: &Workload,
    dir: &Path,
    class: &str,
    cgroup: Option<&Cgroup>,
    reference: Option<&Path>,
    tag: &str,
) -> Result<(Measured, Option<String>)> {
    let mut java_args: Vec<String> = vec![
        "-XX:+UseG1GC".into(),
        format!("-Xmx{}", w.heap(ctx.quick)),
        "-cp".into(),
        dir.display().to_string(),
        class.into(),
    ];
    java_args.extend(w.args(ctx.quick).iter().map(|s| s.to_string()));
    let mut cmd = match cgroup {
        None => {
            let mut c = Command::new("java");
            c.args(&java_args);
            c
        }
        Some(cg) => {
            // The shell joins the cgroup, then becomes java (same pid, so wait4 sees java).
            let mut c = Command::new("sh");
            c.args([
                "-c",
                "cg=$1; shift; echo $$ > \"$cg/cgroup.procs\" && exec \"$@\"",
                "sh",
            ])
            .arg(&cg.path)
            .arg("java")
            .args(&java_args);
            c
        }
    };
    let base = ctx.tmp.join(format!("java-{tag}"));
    let (o, e) = (base.with_extension("out"), base.with_extension("err"));
    let m = process::run(&mut cmd, &o, &e, ctx.timeout)?;
    let failed = if !m.exit.ok() {
        Some(format!("{}: {}", m.exit.describe(), first_line(&e)))
    } else {
        match reference.map(|r| check_output(&o, r)) {
            Some(Check::Failed(why)) => Some(why),
            _ => None,
        }
    };
    Ok((m, failed))
}

fn clone_result(r: &WorkloadResult, configs: &[Config]) -> WorkloadResult {
    WorkloadResult {
        workload: r.workload,
        configs: r
            .configs
            .iter()
            .filter(|c| configs.contains(&c.config))
            .map(|c| disagg::ConfigResult {
                config: c.config.clone(),
                runs: c
                    .runs
                    .iter()
                    .map(|x| disagg::Run {
                        measured: x.measured.clone(),
                        stats: x.stats.clone(),
                        memnodes_rss_kb: x.memnodes_rss_kb,
                        failed: x.failed.clone(),
                    })
                    .collect(),
            })
            .collect(),
        reference: r.reference.clone(),
        reference_path: r.reference_path.clone(),
        quick: r.quick,
    }
}

fn write_report(
    report: &mut Report,
    jvm: &[(&'static Workload, Vec<JvmRun>, Option<PathBuf>)],
    semeru: &[WorkloadResult],
    limits: &[f64],
    swap_note: &str,
    swappiness: u32,
) {
    report.para(&format!(
        "The JVM: OpenJDK with `-XX:+UseG1GC -Xmx<the workload's Semeru --heap>`, running the same `.sem` source \
         compiled by javac. First unlimited; then in a cgroup v1 memory cgroup whose `memory.limit_in_bytes` is a \
         share of **the unlimited run's peak RSS** (wait4 ru_maxrss of the fastest unlimited run), with \
         `memory.swappiness` {swappiness}, so the kernel swaps the rest out ({swap_note}). Semeru: `--memnodes 0` \
         and old space on TCP memnodes with the local page cache at the same share **of --heap**, with `--gc offload` \
         and `--gc local`. So \"local memory\" is a share of measured peak RSS for the JVM and of the configured heap \
         for Semeru: the JVM gets at least as much local memory as Semeru at the same share whenever its peak RSS \
         exceeds Semeru's cache-sized share of the heap."
    ));
    report.heading("Slowdown at each share of local memory");
    let mut t = Table::new([
        "workload",
        "local memory",
        "JVM (swap)",
        "Semeru --gc offload",
        "Semeru --gc local",
    ]);
    let mut plots = Vec::new();
    for (w, jruns, _) in jvm {
        let base = jruns[0].best().map(|m| m.wall_s);
        let sr = semeru.iter().find(|r| r.workload.name == w.name);
        let sem = |pct: f64, g: &str| {
            sr.and_then(|r| {
                r.normalized(&Config {
                    cache_pct: Some(pct),
                    gc: Some(g.into()),
                })
            })
        };
        let mut series: Vec<(String, Vec<(f64, f64)>)> = vec![
            ("JVM on swap".into(), vec![]),
            ("Semeru offload".into(), vec![]),
            ("Semeru local".into(), vec![]),
        ];
        for s in &mut series {
            s.1.push((100.0, 1.0));
        }
        for &pct in limits {
            let j = jruns
                .iter()
                .find(|r| r.limit_pct == Some(pct))
                .and_then(|r| ratio(r.best().map(|m| m.wall_s), base));
            let (o, l) = (sem(pct, "offload"), sem(pct, "local"));
            for (s, v) in series.iter_mut().zip([j, o, l]) {
                if let Some(v) = v {
                    s.1.push((pct, v));
                }
            }
            let oom = jruns.iter().any(|r| {
                r.limit_pct == Some(pct) && r.runs.iter().any(|x| x.1.as_deref() == Some(OOM))
            });
            let jtxt = if j.is_none() && oom {
                "OOM-killed".to_string()
            } else {
                fmt(j, 2)
            };
            t.row([
                w.name.to_string(),
                format!("{pct}%"),
                jtxt,
                fmt(o, 2),
                fmt(l, 2),
            ]);
        }
        plots.push((w.name, series));
    }
    report.table(&t);
    report.para(
        "Slowdown = best wall time at that share over the best unlimited time (JVM) or the best `--memnodes 0` time \
         (Semeru), all from this harness run. \"-\" = not measured or failed (see the tables below). In the plots, \
         100% is the baseline itself (unlimited JVM, `--memnodes 0` Semeru), so every line starts at 1.",
    );
    for (name, series) in plots {
        let file = format!("{name}-slowdown.svg");
        let written = crate::plot::lines(
            &report.plot_path(&file),
            &format!("{name}: slowdown vs local memory"),
            "local memory, % (JVM: of peak RSS; Semeru: of --heap)",
            "slowdown",
            &series,
        );
        report.image(&file, "slowdown vs local memory", written);
    }
    report.heading("JVM runs");
    let mut t = Table::new([
        "workload",
        "configuration",
        "limit MiB",
        "wall s (runs)",
        "best s",
        "slowdown",
        "peak RSS MiB",
        "cgroup max usage MiB",
        "mem+swap max MiB",
        "major faults",
        "failcnt",
        "status",
    ])
    .align(1, crate::markdown::Align::Left)
    .align(11, crate::markdown::Align::Left);
    for (w, jruns, _) in jvm {
        let base = jruns[0].best().map(|m| m.wall_s);
        for jr in jruns {
            let n = jr.shown().map(|r| &r.2);
            let status = jr
                .runs
                .iter()
                .find_map(|r| r.1.clone())
                .map_or("ok".into(), |f| status_text(&f));
            t.row([
                w.name.to_string(),
                jr.limit_pct
                    .map_or("unlimited".into(), |p| format!("limit {p}% of peak RSS")),
                jr.limit_bytes
                    .map_or("-".into(), |b| format!("{:.0}", b as f64 / MIB)),
                jr.runs
                    .iter()
                    .map(|r| format!("{:.2}", r.0.wall_s))
                    .collect::<Vec<_>>()
                    .join(", "),
                fmt(jr.best().map(|m| m.wall_s), 2),
                fmt(ratio(jr.best().map(|m| m.wall_s), base), 2),
                fmt(jr.shown().map(|r| r.0.max_rss_kb as f64 / 1024.0), 1),
                fmt(n.and_then(|n| n.max_usage).map(|b| b as f64 / MIB), 1),
                fmt(n.and_then(|n| n.memsw_max_usage).map(|b| b as f64 / MIB), 1),
                n.and_then(|n| n.pgmajfault)
                    .map_or("-".into(), |v| v.to_string()),
                n.and_then(|n| n.failcnt)
                    .map_or("-".into(), |v| v.to_string()),
                status,
            ]);
        }
    }
    report.table(&t);
    report.para(
        "*cgroup max usage* is `memory.max_usage_in_bytes`, *mem+swap max* `memory.memsw.max_usage_in_bytes` (when \
         the kernel accounts swap), *major faults* `total_pgmajfault` of `memory.stat` (pages read back from swap, \
         mostly), *failcnt* how often the limit was hit. A run the cgroup's OOM killer ended (`oom_kill` of \
         `memory.oom_control`) is shown as OOM-killed: the JVM could not run in that much memory even with swap. \
         That is a measured outcome of the baseline, so it does not make the harness fail.",
    );
    report.heading("Semeru runs");
    disagg::write_section(report, semeru, false);
}

fn jvm_json(jr: &JvmRun) -> Value {
    json!({
        "limit_pct_of_peak_rss": jr.limit_pct,
        "limit_bytes": jr.limit_bytes,
        "runs": jr.runs.iter().map(|(m, f, n)| json!({
            "status": f.as_ref().map_or("ok".to_string(), |f| status_text(f)),
            "wall_s": m.wall_s, "user_s": m.user_s, "sys_s": m.sys_s, "max_rss_kb": m.max_rss_kb,
            "cgroup_max_usage_bytes": n.max_usage, "cgroup_memsw_max_usage_bytes": n.memsw_max_usage,
            "pgmajfault": n.pgmajfault, "failcnt": n.failcnt, "oom_kills": n.oom_kills,
        })).collect::<Vec<_>>(),
    })
}

fn status_text(failure: &str) -> String {
    if failure == OOM {
        OOM.to_string()
    } else {
        format!("FAILED: {failure}")
    }
}
