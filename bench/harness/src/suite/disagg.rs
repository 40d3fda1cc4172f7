//! Suite `disagg`: each workload with the whole heap local (`--memnodes 0`)
//! and with old space on TCP memnode daemons, at each cache size × old-space
//! collector (`--gc offload`, `--gc local`).

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::markdown::Table;
use crate::math::{fmt, ratio, MIB};
use crate::memnode::{write_token, Memnodes};
use crate::process::{self, Measured};
use crate::report::Report;
use crate::statsjson::{FabricSplit, VmStats};
use crate::suite::{check_output, interp::first_line, Check};
use clap::Args;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Args, Clone)]
pub struct Opts {
    /// Workloads (comma list out of pagerank, graphchurn, kmeans, logreg, wordcount)
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "pagerank,graphchurn,kmeans,logreg,wordcount"
    )]
    pub workloads: Vec<String>,
    /// Local page-cache sizes, as % of --heap (comma list)
    #[arg(long, value_delimiter = ',', default_value = "100,50,25,12.5")]
    pub caches: Vec<String>,
    /// Old-space collectors (comma list out of offload, local)
    #[arg(long, value_delimiter = ',', default_value = "offload,local")]
    pub gcs: Vec<String>,
    /// TCP memnode daemons per run
    #[arg(long, default_value_t = 2)]
    pub memnodes_tcp: usize,
}

/// A `.sem` program with its sizes and heap.
pub struct Workload {
    pub name: &'static str,
    pub file: &'static str,
    full: (&'static [&'static str], &'static str),
    quick: (&'static [&'static str], &'static str),
    /// Prints PASS/FAIL lines (and exits 1 on FAIL).
    self_check: bool,
}

pub const WORKLOADS: [Workload; 5] = [
    Workload {
        name: "pagerank",
        file: "examples/graph/RMatKernel.sem",
        full: (&["20", "pagerank"], "1g"),
        quick: (&["16", "pagerank"], "48m"),
        self_check: false,
    },
    Workload {
        name: "graphchurn",
        file: "examples/graph/GraphChurn.sem",
        full: (&["300000", "10", "8"], "1g"),
        quick: (&["60000", "10", "6"], "128m"),
        self_check: false,
    },
    Workload {
        name: "kmeans",
        file: "examples/spark/KMeans.sem",
        full: (&["4000000"], "256m"),
        quick: (&["200000"], "16m"),
        self_check: true,
    },
    Workload {
        name: "logreg",
        file: "examples/spark/LogisticRegression.sem",
        full: (&["1000000"], "256m"),
        quick: (&["100000"], "16m"),
        self_check: true,
    },
    Workload {
        name: "wordcount",
        file: "examples/spark/WordCount.sem",
        full: (&["4000000"], "1g"),
        quick: (&["200000"], "16m"),
        self_check: true,
    },
];

impl Workload {
    pub fn args(&self, quick: bool) -> &'static [&'static str] {
        if quick {
            self.quick.0
        } else {
            self.full.0
        }
    }

    pub fn heap(&self, quick: bool) -> &'static str {
        if quick {
            self.quick.1
        } else {
            self.full.1
        }
    }

    /// The recorded expected stdout for these arguments, if there is one.
    pub fn expected(&self, root: &Path, quick: bool) -> Option<PathBuf> {
        let stem = Path::new(self.file)
            .file_stem()?
            .to_string_lossy()
            .into_owned();
        let dir = root.join(Path::new(self.file).parent()?).join("expected");
        let args = self.args(quick).join("-");
        let mut candidates = vec![dir.join(format!("{stem}-{args}.out"))];
        if self.name == "graphchurn" && !quick {
            // GraphChurn's defaults are 300000 10 8.
            candidates.push(dir.join("GraphChurn.out"));
        }
        candidates.into_iter().find(|p| p.exists())
    }

    pub fn describe(&self, quick: bool) -> String {
        format!(
            "`{} {}` at `--heap {}`",
            self.file,
            self.args(quick).join(" "),
            self.heap(quick)
        )
    }
}

pub fn workload(name: &str) -> Result<&'static Workload> {
    WORKLOADS.iter().find(|w| w.name == name).ok_or_else(|| {
        Error::Usage(format!(
            "unknown workload '{name}' (pagerank, graphchurn, kmeans, logreg, wordcount)"
        ))
    })
}

/// One Semeru configuration: all local, or memnodes with a cache and a collector.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Cache as % of --heap; None = `--memnodes 0`.
    pub cache_pct: Option<f64>,
    pub gc: Option<String>,
}

impl Config {
    pub fn nomem() -> Config {
        Config {
            cache_pct: None,
            gc: None,
        }
    }

    pub fn label(&self) -> String {
        match (&self.cache_pct, &self.gc) {
            (Some(c), Some(g)) => format!("cache={}% gc={g}", pct(*c)),
            _ => "memnodes=0".into(),
        }
    }
}

fn pct(c: f64) -> String {
    format!("{c}")
}

/// The measurements of one run.
pub struct Run {
    pub measured: Option<Measured>,
    pub stats: Option<VmStats>,
    pub memnodes_rss_kb: Option<u64>,
    pub failed: Option<String>,
}

/// All runs of one configuration of one workload.
pub struct ConfigResult {
    pub config: Config,
    pub runs: Vec<Run>,
}

impl ConfigResult {
    /// The fastest run that passed its checks.
    pub fn best(&self) -> Option<&Run> {
        self.runs
            .iter()
            .filter(|r| r.failed.is_none())
            .filter_map(|r| r.measured.as_ref().map(|m| (m.wall_s, r)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, r)| r)
    }

    pub fn best_wall(&self) -> Option<f64> {
        self.best()
            .and_then(|r| r.measured.as_ref())
            .map(|m| m.wall_s)
    }
}

pub struct WorkloadResult {
    pub workload: &'static Workload,
    pub configs: Vec<ConfigResult>,
    /// What the outputs were compared with, for the report.
    pub reference: String,
    /// The reference file itself (expected output or the baseline's stdout).
    pub reference_path: Option<PathBuf>,
    /// Taken at --quick sizes.
    pub quick: bool,
}

impl WorkloadResult {
    pub fn find(&self, c: &Config) -> Option<&ConfigResult> {
        self.configs.iter().find(|r| r.config == *c)
    }

    /// Best wall time of `c` over the best `--memnodes 0` time.
    pub fn normalized(&self, c: &Config) -> Option<f64> {
        ratio(
            self.find(c)?.best_wall(),
            self.find(&Config::nomem())?.best_wall(),
        )
    }
}

pub fn parse_caches(caches: &[String]) -> Result<Vec<f64>> {
    caches
        .iter()
        .map(|c| {
            c.trim_end_matches('%')
                .parse::<f64>()
                .ok()
                .filter(|v| *v > 0.0 && *v <= 100.0)
                .ok_or_else(|| {
                    Error::Usage(format!("--caches: '{c}' is not a percentage in (0, 100]"))
                })
        })
        .collect()
}

pub fn configs(caches: &[f64], gcs: &[String]) -> Result<Vec<Config>> {
    for g in gcs {
        if g != "offload" && g != "local" {
            return Err(Error::Usage(format!(
                "--gcs: unknown collector '{g}' (offload, local)"
            )));
        }
    }
    let mut out = vec![Config::nomem()];
    for &c in caches {
        for g in gcs {
            out.push(Config {
                cache_pct: Some(c),
                gc: Some(g.clone()),
            });
        }
    }
    Ok(out)
}

/// The workloads whose program file exists; each missing one is noted as skipped.
pub fn present_workloads(
    ctx: &Ctx,
    report: &mut Report,
    workloads: &[&'static Workload],
) -> Vec<&'static Workload> {
    workloads
        .iter()
        .copied()
        .filter(|w| {
            let ok = ctx.root.join(w.file).exists();
            if !ok {
                report.skip(format!(
                    "{}: {} does not exist (yet) in this checkout",
                    w.name, w.file
                ));
            }
            ok
        })
        .collect()
}

/// Runs every configuration of every workload (`--runs` each, nomem first).
/// Missing workload files are skipped with a note.
pub fn measure(
    ctx: &Ctx,
    report: &mut Report,
    workloads: &[&'static Workload],
    configs: &[Config],
    memnodes_tcp: usize,
    runs: usize,
    suite: &str,
) -> Result<Vec<WorkloadResult>> {
    let present = present_workloads(ctx, report, workloads);
    if !ctx.semeru.exists() && !present.is_empty() {
        return Err(crate::fail!(
            "no semeru binary at {} (cargo build --release)",
            ctx.semeru.display()
        ));
    }
    let token = ctx.tmp.join("memnode.token");
    write_token(&token)?;
    ctx.set_total(present.len() * configs.len() * runs);
    let mut results = Vec::new();
    for w in present {
        let expected = w.expected(&ctx.root, ctx.quick);
        let mut reference: Option<(PathBuf, String)> = expected.map(|p| {
            (
                p.clone(),
                p.strip_prefix(&ctx.root)
                    .unwrap_or(&p)
                    .display()
                    .to_string(),
            )
        });
        let mut out = WorkloadResult {
            workload: w,
            configs: Vec::new(),
            reference: String::new(),
            reference_path: None,
            quick: ctx.quick,
        };
        for config in configs {
            let mut cr = ConfigResult {
                config: config.clone(),
                runs: Vec::new(),
            };
            for run in 1..=runs {
                ctx.begin(&format!(
                    "{suite} {} {} run {run}/{runs}",
                    w.name,
                    config.label()
                ));
                let base = ctx.tmp.join(format!(
                    "{}-{}-{run}",
                    w.name,
                    config.label().replace([' ', '=', '%'], "_")
                ));
                let r = run_once(ctx, w, config, memnodes_tcp, &token, &base)?;
                let mut r = r;
                if r.failed.is_none() {
                    let stdout = base.with_extension("out");
                    if w.self_check {
                        let text = std::fs::read_to_string(&stdout).unwrap_or_default();
                        if let Some(l) = text.lines().find(|l| l.starts_with("FAIL")) {
                            r.failed = Some(format!("self-check: {l}"));
                        }
                    }
                    if r.failed.is_none() {
                        match &reference {
                            Some((p, _)) => {
                                if let Check::Failed(why) = check_output(&stdout, p) {
                                    r.failed = Some(why);
                                }
                            }
                            None if config.cache_pct.is_none() => {
                                let keep = report.dir.join(format!("reference-{}.out", w.name));
                                let _ = std::fs::copy(&stdout, &keep);
                                reference = Some((
                                    keep,
                                    "the `--memnodes 0` run's stdout (this harness run)".into(),
                                ));
                            }
                            None => {
                                r.failed =
                                    Some("no reference output (the --memnodes 0 run failed)".into())
                            }
                        }
                    }
                }
                match (&r.failed, &r.measured) {
                    (Some(why), _) => {
                        ctx.done(&format!("FAILED: {why}"));
                        report.fail(format!("{} {}: {why}", w.name, config.label()));
                    }
                    (None, Some(m)) => ctx.done(&format!("{:.1} s ok", m.wall_s)),
                    (None, None) => ctx.done("?"),
                }
                cr.runs.push(r);
            }
            out.configs.push(cr);
        }
        out.reference_path = reference.as_ref().map(|(p, _)| p.clone());
        out.reference = reference.map_or_else(|| "none".into(), |(_, name)| name);
        results.push(out);
    }
    Ok(results)
}

fn run_once(
    ctx: &Ctx,
    w: &Workload,
    config: &Config,
    memnodes_tcp: usize,
    token: &Path,
    base: &Path,
) -> Result<Run> {
    let heap = w.heap(ctx.quick);
    let stats_path = base.with_extension("json");
    let _ = std::fs::remove_file(&stats_path);
    let mut cmd = Command::new(&ctx.semeru);
    cmd.args(["run", "--heap", heap]);
    let nodes = match (&config.cache_pct, &config.gc) {
        (Some(c), Some(g)) => {
            let nodes = Memnodes::start(
                &ctx.semeru,
                memnodes_tcp,
                heap,
                token,
                &base.with_extension("memnode"),
            )?;
            cmd.args(nodes.run_flags())
                .args(["--cache", &format!("{}%", pct(*c)), "--gc", g]);
            Some(nodes)
        }
        _ => {
            cmd.args(["--memnodes", "0"]);
            None
        }
    };
    cmd.arg("--stats-json")
        .arg(&stats_path)
        .arg(ctx.root.join(w.file))
        .args(w.args(ctx.quick));
    let (o, e) = (base.with_extension("out"), base.with_extension("err"));
    let m = process::run(&mut cmd, &o, &e, ctx.timeout)?;
    let memnodes_rss_kb = nodes.as_ref().and_then(Memnodes::peak_rss_kb);
    drop(nodes);
    let mut failed = (!m.exit.ok()).then(|| format!("{}: {}", m.exit.describe(), first_line(&e)));
    let stats = match std::fs::read_to_string(&stats_path) {
        Ok(text) => match VmStats::parse(&text) {
            Ok(s) => Some(s),
            Err(err) => {
                failed.get_or_insert(err);
                None
            }
        },
        Err(_) => {
            failed.get_or_insert_with(|| "no --stats-json output".into());
            None
        }
    };
    Ok(Run {
        measured: Some(m),
        stats,
        memnodes_rss_kb,
        failed,
    })
}

pub fn run(ctx: &Ctx, opts: &Opts, out_dir: &Path) -> Result<(bool, Vec<WorkloadResult>)> {
    let workloads: Vec<&'static Workload> = opts
        .workloads
        .iter()
        .map(|w| workload(w))
        .collect::<Result<_>>()?;
    let configs = configs(&parse_caches(&opts.caches)?, &opts.gcs)?;
    if opts.memnodes_tcp == 0 {
        return Err(Error::Usage("--memnodes-tcp wants at least 1".into()));
    }
    let runs = ctx.runs_or(1);
    let mut machine = crate::machine::Machine::record(&ctx.root);
    let mut report = Report::new(out_dir, "Semeru benchmarks: disaggregated heap (`disagg`)")?;
    let results = measure(
        ctx,
        &mut report,
        &workloads,
        &configs,
        opts.memnodes_tcp,
        runs,
        "disagg",
    )?;
    machine.finish();
    report.para(&format!(
        "Each workload ran with the whole heap local (`--memnodes 0`, the baseline) and with old space on {} \
         fresh TCP memnode daemons (`semeru memnode --listen 127.0.0.1:0`, started per run and stopped after it) \
         at each local page-cache size (a share of `--heap`) with each old-space collector: `--gc offload` (the \
         memnodes mark and compact) and `--gc local` (the VM marks and compacts through its cache). {} run(s) \
         per configuration; the tables use the fastest run that passed its checks and list all. Wall time is the \
         whole `semeru run` process (compilation included). Daemons run as separate processes, so the VM's peak \
         RSS (wait4 ru_maxrss) excludes the old space they hold.",
        opts.memnodes_tcp, runs
    ));
    write_section(&mut report, &results, true);
    targets(&mut report, &results);
    let json = results_json(&results);
    let path = report.write(
        &machine,
        &ctx.command,
        json!({"suite": "disagg", "runs": runs, "workloads": json}),
    )?;
    eprintln!("report: {}", path.display());
    Ok((report.failures.is_empty(), results))
}

/// Tables (and with `plots`, charts) of every workload.
pub fn write_section(report: &mut Report, results: &[WorkloadResult], plots: bool) {
    for wr in results {
        let w = wr.workload;
        report.heading(&format!("{}: {}", w.name, w.describe(wr.quick)));
        report.para(&format!("Output checked against: {}.", wr.reference));
        let mut t = Table::new([
            "configuration",
            "wall s (runs)",
            "best s",
            "vs memnodes=0",
            "pauses",
            "p99 pause ms",
            "max pause ms",
            "program paging MiB",
            "young GC MiB",
            "old GC MiB",
            "memnode peers MiB",
            "VM peak RSS MiB",
            "memnodes RSS MiB",
            "status",
        ])
        .align(13, crate::markdown::Align::Left);
        for cr in &wr.configs {
            let walls: Vec<String> = cr
                .runs
                .iter()
                .map(|r| {
                    r.measured
                        .as_ref()
                        .map_or("-".into(), |m| format!("{:.2}", m.wall_s))
                })
                .collect();
            let best = cr.best();
            let st = best.and_then(|r| r.stats.as_ref());
            let split = st.map(VmStats::split);
            let mib =
                |f: fn(&FabricSplit) -> u64| fmt(split.as_ref().map(|s| f(s) as f64 / MIB), 1);
            let status = match cr.runs.iter().find_map(|r| r.failed.clone()) {
                Some(why) => format!("FAILED: {why}"),
                None => "ok".into(),
            };
            t.row([
                cr.config.label(),
                walls.join(", "),
                fmt(cr.best_wall(), 2),
                fmt(wr.normalized(&cr.config), 2),
                st.map_or("-".into(), |s| s.pauses.to_string()),
                fmt(st.map(|s| s.p99_pause_ms), 1),
                fmt(st.map(|s| s.max_pause_ms), 1),
                mib(|s| s.mutator),
                mib(|s| s.young_gc),
                mib(|s| s.old_gc),
                mib(|s| s.peer),
                fmt(
                    best.and_then(|r| r.measured.as_ref())
                        .map(|m| m.max_rss_kb as f64 / 1024.0),
                    1,
                ),
                fmt(
                    best.and_then(|r| r.memnodes_rss_kb)
                        .map(|k| k as f64 / 1024.0),
                    1,
                ),
                status,
            ]);
        }
        report.table(&t);
        if !plots {
            continue;
        }
        let mut lines: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
        let caches: Vec<f64> = wr
            .configs
            .iter()
            .filter_map(|c| c.config.cache_pct)
            .collect();
        for g in ["offload", "local"] {
            let pts: Vec<(f64, f64)> = wr
                .configs
                .iter()
                .filter(|c| c.config.gc.as_deref() == Some(g))
                .filter_map(|c| Some((c.config.cache_pct?, wr.normalized(&c.config)?)))
                .collect();
            if !pts.is_empty() {
                lines.push((format!("--gc {g}"), pts));
            }
        }
        if wr
            .find(&Config::nomem())
            .and_then(ConfigResult::best_wall)
            .is_some()
            && !caches.is_empty()
        {
            let (lo, hi) = caches
                .iter()
                .fold((f64::MAX, f64::MIN), |(a, b), &c| (a.min(c), b.max(c)));
            lines.push(("memnodes=0".into(), vec![(lo, 1.0), (hi, 1.0)]));
        }
        let file = format!("{}-time.svg", w.name);
        let written = crate::plot::lines(
            &report.plot_path(&file),
            &format!("{}: wall time / memnodes=0", w.name),
            "local cache, % of --heap",
            "normalized wall time",
            &lines,
        );
        report.image(&file, "normalized time vs cache size", written);
        let cats: Vec<String> = wr.configs.iter().map(|c| short_label(&c.config)).collect();
        let splits: Vec<FabricSplit> = wr
            .configs
            .iter()
            .map(|c| {
                c.best()
                    .and_then(|r| r.stats.as_ref())
                    .map(VmStats::split)
                    .unwrap_or_default()
            })
            .collect();
        let stacks: Vec<(String, Vec<f64>)> = FabricSplit::NAMES
            .iter()
            .enumerate()
            .map(|(j, n)| {
                (
                    n.to_string(),
                    splits.iter().map(|s| s.parts()[j] as f64 / MIB).collect(),
                )
            })
            .collect();
        let file = format!("{}-fabric.svg", w.name);
        let written = crate::plot::stacked_bars(
            &report.plot_path(&file),
            &format!("{}: fabric traffic by purpose", w.name),
            "MiB",
            &cats,
            &stacks,
        );
        report.image(&file, "fabric bytes by purpose", written);
        let rss: Vec<Option<f64>> = wr
            .configs
            .iter()
            .map(|c| {
                c.best()
                    .and_then(|r| r.measured.as_ref())
                    .map(|m| m.max_rss_kb as f64 / 1024.0)
            })
            .collect();
        let file = format!("{}-rss.svg", w.name);
        let written = crate::plot::grouped_bars(
            &report.plot_path(&file),
            &format!("{}: peak RSS of the VM process", w.name),
            "MiB",
            &cats,
            &[("VM peak RSS".into(), rss)],
            false,
        );
        report.image(&file, "peak RSS of the VM", written);
    }
    report.heading("What the columns mean");
    report.para(
        "- *vs memnodes=0*: best wall time over the best `--memnodes 0` time of the same harness run.\n\
         - *pauses*, *p99/max pause*: every stop-the-world pause, young and old (`gc.pauses`, `gc.p99_pause_ms`, \
         `gc.max_pause_ms` of `--stats-json`).\n\
         - Fabric bytes by purpose, from `--stats-json`: *young GC* = `gc.young_fabric_bytes` (pages moved in young \
         pauses); *old GC* = `gc.old_fabric_bytes` (old-space pauses and GC control messages); *program paging* = \
         `fabric.bytes_fetched + bytes_written_back + bytes_control - gc.total_fabric_bytes` (the cache's misses and \
         write-backs outside pauses); *memnode peers* = `gc.offload.peer_bytes` (marking traffic between memnodes, \
         not on the VM's link).\n\
         - *VM peak RSS*: ru_maxrss of the `semeru run` process (wait4); *memnodes RSS*: the daemons' VmHWM, summed.",
    );
}

fn short_label(c: &Config) -> String {
    match (&c.cache_pct, &c.gc) {
        (Some(p), Some(g)) => format!(
            "{}% {}",
            pct(*p),
            if g == "offload" { "off" } else { "loc" }
        ),
        _ => "nomem".into(),
    }
}

fn targets(report: &mut Report, results: &[WorkloadResult]) {
    report.heading("Targets (pagerank)");
    let Some(pr) = results.iter().find(|r| r.workload.name == "pagerank") else {
        report.para("pagerank did not run, so its targets are not checked.");
        return;
    };
    let at = |g: &str| {
        pr.normalized(&Config {
            cache_pct: Some(25.0),
            gc: Some(g.into()),
        })
    };
    let line = |name: &str, v: Option<f64>, op: &str, bound: f64, ok: fn(f64, f64) -> bool| {
        match v {
        Some(v) => format!("- cache 25%, {name} / memnodes=0 = {v:.2} {op} {bound}: **{}**", if ok(v, bound) { "PASS" } else { "FAIL" }),
        None => format!("- cache 25%, {name} / memnodes=0 {op} {bound}: not measured (the configuration did not run or failed)"),
    }
    };
    report.para(&format!(
        "{}\n{}",
        line("offload", at("offload"), "≤", 1.3, |v, b| v <= b),
        line("local", at("local"), "≥", 2.0, |v, b| v >= b)
    ));
}

pub fn results_json(results: &[WorkloadResult]) -> Value {
    Value::Array(
        results
            .iter()
            .map(|wr| {
                json!({
                    "workload": wr.workload.name,
                    "file": wr.workload.file,
                    "reference": wr.reference,
                    "configs": wr.configs.iter().map(|cr| json!({
                        "label": cr.config.label(),
                        "cache_pct": cr.config.cache_pct,
                        "gc": cr.config.gc,
                        "normalized": wr.normalized(&cr.config),
                        "runs": cr.runs.iter().map(run_json).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

fn run_json(r: &Run) -> Value {
    let m = r.measured.as_ref();
    let s = r.stats.as_ref();
    json!({
        "status": r.failed.as_ref().map_or("ok".to_string(), |f| format!("FAILED: {f}")),
        "wall_s": m.map(|m| m.wall_s),
        "user_s": m.map(|m| m.user_s),
        "sys_s": m.map(|m| m.sys_s),
        "max_rss_kb": m.map(|m| m.max_rss_kb),
        "memnodes_rss_kb": r.memnodes_rss_kb,
        "vm_wall_ms": s.map(|s| s.wall_ms),
        "pauses": s.map(|s| s.pauses),
        "p99_pause_ms": s.map(|s| s.p99_pause_ms),
        "max_pause_ms": s.map(|s| s.max_pause_ms),
        "total_pause_ms": s.map(|s| s.total_pause_ms),
        "fabric_bytes_fetched": s.map(|s| s.bytes_fetched),
        "fabric_bytes_written_back": s.map(|s| s.bytes_written_back),
        "fabric_bytes_control": s.map(|s| s.bytes_control),
        "gc_young_fabric_bytes": s.map(|s| s.gc_young_bytes),
        "gc_old_fabric_bytes": s.map(|s| s.gc_old_bytes),
        "gc_fabric_bytes": s.map(|s| s.gc_net_bytes),
        "gc_offload_peer_bytes": s.map(|s| s.peer_bytes),
        "gc_offload_cycles": s.map(|s| s.offload_cycles),
        "cache_bytes": s.map(|s| s.cache_bytes),
        "cache_hits": s.map(|s| s.cache_hits),
        "cache_misses": s.map(|s| s.cache_misses),
    })
}
