//! `semeru-bench`: Semeru's benchmark harness (run it through `bench/run`).
//!
//! Suites: `interp` (Semeru's interpreter against Java, Java -Xint, Lua and
//! CPython), `disagg` (the heap on memnodes: cache size × old-space collector),
//! `jvm-swap` (OpenJDK on swap in a memory cgroup, Semeru's baseline) and `all`.

mod cleanup;
mod ctx;
mod error;
mod java;
mod machine;
mod markdown;
mod math;
mod memnode;
mod plot;
mod process;
mod report;
mod statsjson;
mod suite;
mod sysmem;

use clap::{Args, Parser, Subcommand};
use ctx::Common;
use error::Error;

#[derive(Parser)]
#[command(
    name = "bench/run",
    bin_name = "bench/run",
    about = "Semeru's benchmark harness: runs a suite, checks every output, writes report.md, results.json and SVG plots",
    after_help = "Outputs go to --out DIR (default bench/results/<suite>-<UTC timestamp>/). See bench/README.md."
)]
struct Cli {
    #[command(subcommand)]
    suite: Suite,
}

#[derive(Subcommand)]
enum Suite {
    /// The interpreter: Benchmarks Game programs and fib on semeru, java, java -Xint, lua5.4, CPython
    Interp {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        opts: suite::interp::Opts,
    },
    /// Disaggregated heap: each workload at --memnodes 0 and at each cache size × --gc offload/local over TCP memnodes
    Disagg {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        opts: suite::disagg::Opts,
    },
    /// OpenJDK 17 (G1) in a memory cgroup limited to 50%/25% of its peak RSS, swapping to zram, beside Semeru
    JvmSwap {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        opts: suite::jvmswap::Opts,
        /// Workloads (comma list)
        #[arg(long, value_delimiter = ',', default_value = "pagerank,graphchurn")]
        workloads: Vec<String>,
        #[command(flatten)]
        disagg: DisaggShared,
    },
    /// interp, disagg and jvm-swap, one after the other (jvm-swap reuses disagg's Semeru runs)
    All {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        interp: suite::interp::Opts,
        #[command(flatten)]
        disagg: suite::disagg::Opts,
        #[command(flatten)]
        jvm: suite::jvmswap::Opts,
        /// jvm-swap's workloads (comma list)
        #[arg(long, value_delimiter = ',', default_value = "pagerank,graphchurn")]
        jvm_workloads: Vec<String>,
    },
}

/// The disagg options that jvm-swap's own Semeru runs use.
#[derive(Args, Clone)]
struct DisaggShared {
    /// TCP memnode daemons per Semeru run
    #[arg(long, default_value_t = 2)]
    memnodes_tcp: usize,
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = cleanup::install_signal_handler() {
        eprintln!("semeru-bench: {e}");
        std::process::exit(1);
    }
    let code = match run(cli) {
        Ok(ok) => i32::from(!ok),
        Err(e) => {
            eprintln!("semeru-bench: {e}");
            e.exit_code()
        }
    };
    cleanup::park_if_interrupted();
    cleanup::run_all();
    std::process::exit(code);
}

/// Runs the suite; Ok(false) when a check failed.
fn run(cli: Cli) -> Result<bool, Error> {
    let command = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let command = format!("bench/run {command}");
    match cli.suite {
        Suite::Interp { common, opts } => {
            let ctx = common.context("interp", &command)?;
            suite::interp::run(&ctx, &opts, &ctx.out_dir)
        }
        Suite::Disagg { common, opts } => {
            let ctx = common.context("disagg", &command)?;
            suite::disagg::run(&ctx, &opts, &ctx.out_dir).map(|(ok, _)| ok)
        }
        Suite::JvmSwap {
            common,
            opts,
            workloads,
            disagg,
        } => {
            let ctx = common.context("jvm-swap", &command)?;
            suite::jvmswap::run(
                &ctx,
                &opts,
                &workloads,
                disagg.memnodes_tcp,
                None,
                &ctx.out_dir,
            )
        }
        Suite::All {
            common,
            interp,
            disagg,
            jvm,
            jvm_workloads,
        } => {
            let ctx = common.context("all", &command)?;
            suite::all(&ctx, &interp, &disagg, &jvm, &jvm_workloads)
        }
    }
}
