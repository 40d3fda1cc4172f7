//! Suite `interp`: Semeru's interpreter beside HotSpot (JIT and -Xint), Lua 5.4
//! and CPython on the Benchmarks Game programs and fib.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::markdown::Table;
use crate::math::{fmt, geomean, mean, min, ratio};
use crate::process::{self, Measured};
use crate::report::Report;
use crate::suite::{check_output, Check};
use clap::Args;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Args, Clone)]
pub struct Opts {
    /// Runtimes (comma list out of semeru, java, java-xint, lua, python)
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "semeru,java,java-xint,lua,python"
    )]
    pub runtimes: Vec<String>,
    /// Benchmarks (comma list out of binarytrees, fannkuchredux, nbody, spectralnorm, fib)
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "binarytrees,fannkuchredux,nbody,spectralnorm,fib"
    )]
    pub benchmarks: Vec<String>,
    /// Sizes instead of the defaults: NAME=N (comma list), e.g. fib=35,nbody=500000
    #[arg(long, value_delimiter = ',')]
    pub sizes: Vec<String>,
}

/// (name, default size as in the recorded .out, benchmark size)
const BENCHMARKS: [(&str, u64, u64); 5] = [
    ("binarytrees", 10, 16),
    ("fannkuchredux", 7, 10),
    ("nbody", 1000, 1_000_000),
    ("spectralnorm", 100, 1000),
    ("fib", 20, 32),
];

/// (name, column label); java first, so its output can be the reference.
const RUNTIMES: [(&str, &str); 5] = [
    ("java", "java"),
    ("java-xint", "java-Xint"),
    ("semeru", "semeru"),
    ("lua", "lua5.4"),
    ("python", "python3"),
];

struct Runtime {
    name: &'static str,
    label: &'static str,
    /// The interpreter or binary to start (resolved), or why it is skipped.
    program: std::result::Result<PathBuf, String>,
}

#[derive(Default)]
struct Cell {
    runs: Vec<Measured>,
    failed: Option<String>,
    checked: Option<String>,
}

impl Cell {
    fn walls(&self) -> Vec<f64> {
        self.runs.iter().map(|m| m.wall_s).collect()
    }
    fn cpus(&self) -> Vec<f64> {
        self.runs.iter().map(|m| m.user_s + m.sys_s).collect()
    }
    /// Mean wall seconds, if the runtime ran and never failed.
    fn mean_wall(&self) -> Option<f64> {
        if self.failed.is_some() {
            None
        } else {
            mean(&self.walls())
        }
    }
}

fn resolve_runtimes(ctx: &Ctx, names: &[String]) -> Result<Vec<Runtime>> {
    for n in names {
        if !RUNTIMES.iter().any(|(r, _)| r == n) {
            return Err(Error::Usage(format!(
                "unknown runtime '{n}' (semeru, java, java-xint, lua, python)"
            )));
        }
    }
    let java_ok = crate::java::available();
    let mut out = Vec::new();
    for (name, label) in RUNTIMES {
        if !names.iter().any(|n| n == name) {
            continue;
        }
        let program = match name {
            "semeru" if ctx.semeru.exists() => Ok(ctx.semeru.clone()),
            "semeru" => Err(format!("{} is not built", ctx.semeru.display())),
            "java" | "java-xint" if java_ok => Ok(PathBuf::from("java")),
            "java" | "java-xint" => Err("java/javac not found".into()),
            "lua" => process::output_of("lua5.4", &["-v"])
                .map(|_| PathBuf::from("lua5.4"))
                .ok_or_else(|| "lua5.4 not installed".to_string()),
            _ => process::output_of("python3", &["-c", "import sys; print(sys.executable)"])
                .map(PathBuf::from)
                .ok_or_else(|| "python3 not installed".to_string()),
        };
        out.push(Runtime {
            name,
            label,
            program,
        });
    }
    Ok(out)
}

fn sizes(ctx: &Ctx, opts: &Opts) -> Result<Vec<(&'static str, u64)>> {
    let mut chosen = Vec::new();
    for b in &opts.benchmarks {
        let Some(&(name, small, large)) = BENCHMARKS.iter().find(|(n, _, _)| n == b) else {
            return Err(Error::Usage(format!(
                "unknown benchmark '{b}' (binarytrees, fannkuchredux, nbody, spectralnorm, fib)"
            )));
        };
        chosen.push((name, if ctx.quick { small } else { large }));
    }
    for s in &opts.sizes {
        let parsed = s
            .split_once('=')
            .and_then(|(k, v)| Some((k, v.parse::<u64>().ok()?)));
        let Some((k, n)) = parsed else {
            return Err(Error::Usage(format!("--sizes wants NAME=N, not '{s}'")));
        };
        match chosen.iter_mut().find(|(name, _)| *name == k) {
            Some(slot) => slot.1 = n,
            None => {
                return Err(Error::Usage(format!(
                    "--sizes: '{k}' is not a selected benchmark"
                )))
            }
        }
    }
    Ok(chosen)
}

fn command(
    rt: &Runtime,
    program: &Path,
    ctx: &Ctx,
    bench: &str,
    n: u64,
    class_dir: &Path,
) -> Command {
    let root = &ctx.root;
    let mut c = Command::new(program);
    match rt.name {
        "semeru" => c
            .arg("run")
            .arg(root.join(format!("examples/bench/{bench}.sem"))),
        "java" => c.arg("-cp").arg(class_dir).arg("Main"),
        "java-xint" => c.arg("-Xint").arg("-cp").arg(class_dir).arg("Main"),
        "lua" => c.arg(root.join(format!("bench/lua/{bench}.lua"))),
        _ => c.arg(root.join(format!("bench/py/{bench}.py"))),
    };
    c.arg(n.to_string());
    c
}

pub fn run(ctx: &Ctx, opts: &Opts, out_dir: &Path) -> Result<bool> {
    let runtimes = resolve_runtimes(ctx, &opts.runtimes)?;
    let benches = sizes(ctx, opts)?;
    let runs = ctx.runs_or(3);
    let mut machine = crate::machine::Machine::record(&ctx.root);
    let mut report = Report::new(out_dir, "Semeru benchmarks: interpreter (`interp`)")?;
    for rt in &runtimes {
        if let Err(why) = &rt.program {
            report.skip(format!("{}: {why}", rt.label));
        }
    }
    let avail: Vec<&Runtime> = runtimes.iter().filter(|r| r.program.is_ok()).collect();
    let needs_javac = avail.iter().any(|r| r.name.starts_with("java"));

    let mut cells: Vec<Vec<Cell>> = Vec::new();
    let mut references: Vec<String> = Vec::new();
    ctx.set_total(benches.len() * avail.len() * runs);
    for &(bench, n) in &benches {
        let mut row: Vec<Cell> = avail.iter().map(|_| Cell::default()).collect();
        let class_dir = ctx.tmp.join("java").join(bench);
        let mut javac_error = None;
        if needs_javac {
            if let Err(e) = crate::java::compile(
                &ctx.root.join(format!("examples/bench/{bench}.sem")),
                &class_dir,
            ) {
                javac_error = Some(e.to_string());
            }
        }
        let mut reference = expected_file(&ctx.root, bench, n);
        let mut ref_name = reference.as_ref().map(|p| rel(&ctx.root, p));
        for run in 1..=runs {
            for (i, rt) in avail.iter().enumerate() {
                let label = format!("interp {bench} {n} {} run {run}/{runs}", rt.label);
                ctx.begin(&label);
                let cell = &mut row[i];
                if let Some(f) = &cell.failed {
                    ctx.done(&format!("not run (FAILED earlier: {f})"));
                    continue;
                }
                if rt.name.starts_with("java") {
                    if let Some(e) = &javac_error {
                        cell.failed = Some(e.clone());
                        ctx.done("FAILED (javac)");
                        report.fail(format!("{bench} {n} {}: {e}", rt.label));
                        continue;
                    }
                }
                let program = rt.program.as_ref().expect("available");
                let mut cmd = command(rt, program, ctx, bench, n, &class_dir);
                let base = ctx.tmp.join(format!("{bench}-{}-{run}", rt.name));
                let (o, e) = (base.with_extension("out"), base.with_extension("err"));
                let m = process::run(&mut cmd, &o, &e, ctx.timeout)?;
                let check = if !m.exit.ok() {
                    Check::Failed(format!("{}: {}", m.exit.describe(), first_line(&e)))
                } else if let Some(r) = &reference {
                    check_output(&o, r)
                } else if rt.name == "java" {
                    // No expected file for this size: java's output is the reference.
                    let keep = out_dir.join(format!("reference-{bench}-{n}.out"));
                    let _ = std::fs::copy(&o, &keep);
                    reference = Some(keep);
                    ref_name = Some(format!("java's output (no expected file for {bench} {n})"));
                    Check::Ok
                } else {
                    Check::Unchecked
                };
                match check {
                    Check::Ok => {
                        ctx.done(&format!("{:.3} s ok", m.wall_s));
                        cell.runs.push(m);
                    }
                    Check::Unchecked => {
                        ctx.done(&format!(
                            "{:.3} s (output unchecked: no reference)",
                            m.wall_s
                        ));
                        cell.checked = Some("unchecked".into());
                        cell.runs.push(m);
                    }
                    Check::Failed(why) => {
                        ctx.done(&format!("FAILED: {why}"));
                        report.fail(format!("{bench} {n} {}: {why}", rt.label));
                        cell.failed = Some(why);
                    }
                }
            }
        }
        cells.push(row);
        references.push(ref_name.unwrap_or_else(|| "none (outputs unchecked)".into()));
    }
    machine.finish();

    write_report(&mut report, &benches, &avail, &cells, &references, runs);
    let results = json!({
        "suite": "interp",
        "runs": runs,
        "benchmarks": benches.iter().zip(&cells).zip(&references).map(|((&(b, n), row), r)| json!({
            "name": b, "size": n, "reference": r,
            "runtimes": avail.iter().zip(row).map(|(rt, c)| (rt.name.to_string(), cell_json(c))).collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
        "skipped": runtimes.iter().filter_map(|r| r.program.as_ref().err().map(|e| json!({"runtime": r.name, "why": e}))).collect::<Vec<_>>(),
    });
    let path = report.write(&machine, &ctx.command, results)?;
    eprintln!("report: {}", path.display());
    Ok(report.failures.is_empty())
}

fn cell_json(c: &Cell) -> Value {
    json!({
        "status": c.failed.as_ref().map_or_else(|| c.checked.clone().unwrap_or_else(|| "ok".into()), |f| format!("FAILED: {f}")),
        "runs": c.runs.iter().map(|m| json!({"wall_s": m.wall_s, "user_s": m.user_s, "sys_s": m.sys_s, "max_rss_kb": m.max_rss_kb})).collect::<Vec<_>>(),
    })
}

fn write_report(
    report: &mut Report,
    benches: &[(&str, u64)],
    avail: &[&Runtime],
    cells: &[Vec<Cell>],
    references: &[String],
    runs: usize,
) {
    let labels: Vec<String> = avail.iter().map(|r| r.label.to_string()).collect();
    let cell_text = |c: &Cell, vals: Vec<f64>| match &c.failed {
        Some(_) => "FAILED".to_string(),
        None if vals.is_empty() => "-".into(),
        None => format!("{} ({})", fmt(mean(&vals), 3), fmt(min(&vals), 3)),
    };
    report.para(&format!(
        "Each runtime ran each program {runs} time(s), round-robin (run 1 of every runtime, then run 2, ...), \
         as whole processes: every time includes process start-up (JVM boot; for semeru, parsing and compiling \
         the `.sem` file). Every run's stdout was compared byte for byte with the reference before its time counted."
    ));
    if benches
        .iter()
        .any(|&(b, n)| BENCHMARKS.iter().any(|x| x.0 == b && x.1 == n))
    {
        report.para(
            "Small sizes (`--quick` or chosen) ran: such runs last tens of milliseconds, so the numbers mostly \
             measure start-up. Use them as a smoke test, not as results.",
        );
    }
    let times = [
        (
            "Wall time (s): mean (min)",
            Cell::walls as fn(&Cell) -> Vec<f64>,
        ),
        ("CPU time, user + system (s): mean (min)", Cell::cpus),
    ];
    for (heading, pick) in times {
        report.heading(heading);
        let mut t = Table::new(
            ["benchmark"]
                .into_iter()
                .map(String::from)
                .chain(labels.iter().cloned()),
        );
        for ((b, n), row) in benches.iter().zip(cells) {
            t.row(
                [format!("{b} {n}")]
                    .into_iter()
                    .chain(row.iter().map(|c| cell_text(c, pick(c)))),
            );
        }
        report.table(&t);
    }
    report.para("The JVM runs JIT compiler and GC threads beside the program, so its CPU time can exceed its wall time.");

    let Some(si) = avail.iter().position(|r| r.name == "semeru") else {
        report.para("semeru did not run, so there are no ratios.");
        return;
    };
    let others: Vec<usize> = (0..avail.len()).filter(|&i| i != si).collect();
    report.heading("semeru / runtime (mean wall time; above 1 = semeru slower)");
    let mut t = Table::new(
        ["benchmark".to_string()]
            .into_iter()
            .chain(others.iter().map(|&i| format!("semeru/{}", avail[i].label))),
    );
    let mut per_runtime: Vec<Vec<f64>> = vec![Vec::new(); others.len()];
    let mut ratio_series: Vec<(String, Vec<Option<f64>>)> = others
        .iter()
        .map(|&i| (format!("semeru/{}", avail[i].label), Vec::new()))
        .collect();
    for ((b, n), row) in benches.iter().zip(cells) {
        let s = row[si].mean_wall();
        let mut cells_txt = vec![format!("{b} {n}")];
        for (k, &i) in others.iter().enumerate() {
            let r = ratio(s, row[i].mean_wall());
            if let Some(r) = r {
                per_runtime[k].push(r);
            }
            ratio_series[k].1.push(r);
            cells_txt.push(fmt(r, 2));
        }
        t.row(cells_txt);
    }
    let geo: Vec<Option<f64>> = per_runtime.iter().map(|v| geomean(v)).collect();
    t.row(
        ["**geomean**".to_string()].into_iter().chain(
            geo.iter()
                .zip(&per_runtime)
                .map(|(g, v)| format!("**{}** ({} of {})", fmt(*g, 2), v.len(), benches.len())),
        ),
    );
    report.table(&t);
    report.para(
        "Each ratio divides two means from this same run; the geometric mean is over the benchmarks where both \
         runtimes have a checked time (the count is in brackets). java (JIT) is the ceiling; java -Xint, HotSpot's \
         bytecode interpreter, is the fairest comparison for an interpreter.",
    );
    let geo_of = |name: &str| {
        others
            .iter()
            .position(|&i| avail[i].name == name)
            .and_then(|k| geo[k])
    };
    let target =
        |name: &str, label: &str, op: &str, bound: f64, holds: fn(f64, f64) -> bool| match geo_of(
            name,
        ) {
            Some(g) => format!(
                "- geomean(semeru / {label}) = {g:.2} {op} {bound}: **{}**",
                if holds(g, bound) { "PASS" } else { "FAIL" }
            ),
            None => format!(
                "- geomean(semeru / {label}) {op} {bound}: not measured ({label} did not run)"
            ),
        };
    report.heading("Targets");
    report.para(&format!(
        "{}\n{}",
        target("java-xint", "java-Xint", "≤", 1.5, |g, b| g <= b),
        target("python", "CPython", "<", 1.0, |g, b| g < b)
    ));
    report.heading("Reference outputs");
    let mut t =
        Table::new(["benchmark", "stdout compared with"]).align(1, crate::markdown::Align::Left);
    for ((b, n), r) in benches.iter().zip(references) {
        t.row([format!("{b} {n}"), r.clone()]);
    }
    report.table(&t);

    report.heading("Plots");
    let cats: Vec<String> = benches.iter().map(|(b, n)| format!("{b} {n}")).collect();
    let series: Vec<(String, Vec<Option<f64>>)> = avail
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                r.label.to_string(),
                cells.iter().map(|row| row[i].mean_wall()).collect(),
            )
        })
        .collect();
    let p = report.plot_path("times.svg");
    let w = crate::plot::grouped_bars(
        &p,
        "Mean wall time per benchmark (log scale)",
        "seconds",
        &cats,
        &series,
        true,
    );
    report.image("times.svg", "mean wall time per benchmark and runtime", w);
    let p = report.plot_path("ratios.svg");
    let w = crate::plot::grouped_bars(
        &p,
        "semeru / runtime, mean wall time (log scale)",
        "ratio",
        &cats,
        &ratio_series,
        true,
    );
    report.image("ratios.svg", "semeru / runtime per benchmark", w);
}

fn expected_file(root: &Path, bench: &str, n: u64) -> Option<PathBuf> {
    let big = root.join(format!("examples/bench/expected/{bench}-{n}.out"));
    if big.exists() {
        return Some(big);
    }
    let small = BENCHMARKS.iter().find(|b| b.0 == bench).map(|b| b.1);
    let dflt = root.join(format!("examples/bench/{bench}.out"));
    (small == Some(n) && dflt.exists()).then_some(dflt)
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

pub fn first_line(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect()
}
