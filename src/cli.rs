//! The command line: `semeru run | check | disasm | repl`.

use crate::size::parse_size;
use crate::{heapmode, stats, EXIT_COMPILE_ERROR, EXIT_INTERNAL, EXIT_NO_INPUT};
use clap::{Args, Parser, Subcommand};
use semeru_gc::{GcMode, HeapConfig};
use semeru_lang::diag;
use semeru_vm::program::Program;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(
    name = "semeru",
    version,
    about = "Semeru: a managed runtime for Sem (a subset of Java 17), built for memory disaggregation",
    long_about = "Semeru compiles Sem programs (a subset of Java 17) to bytecode and runs them on a \
                  generational, region-based heap.\n\nA program that Semeru accepts prints exactly \
                  what `java --source 17 File.sem` prints and exits with the same status.\n\n\
                  Exit status: the program's own status; 65 when it does not compile; 66 when the \
                  file cannot be read; 70 on an internal fault."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Compile and run a Sem program.
    Run(RunArgs),
    /// Type-check a program and report diagnostics, without running it.
    Check {
        /// The `.sem` file.
        file: PathBuf,
    },
    /// Print the bytecode the compiler produces for a program.
    Disasm {
        /// The `.sem` file.
        file: PathBuf,
        /// Also list the standard-library classes compiled with the program.
        #[arg(long)]
        all: bool,
    },
    /// An interactive session: declarations, statements and expressions (jshell-like).
    #[command(after_long_help = crate::repl::HELP)]
    Repl(ReplArgs),
    /// A memory node: holds old-space regions for VMs (`--listen`), or reports on one (`--status`).
    Memnode(crate::memnode_cmd::MemnodeArgs),
}

#[derive(Args, Debug)]
struct ReplArgs {
    /// Maximum heap size of each run, nursery included (alias: -Xmx<size>).
    #[arg(long, value_name = "SIZE", default_value = "256m", value_parser = parse_size)]
    heap: usize,
    /// Nursery (young generation) size (alias: -Xmn<size>). Default: an eighth of the heap.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    young: Option<usize>,
}

#[derive(Args, Debug)]
struct RunArgs {
    /// Maximum heap size, nursery included (alias: -Xmx<size>). Sizes take k, m or g.
    /// Old space lives on the memnodes, so only the nursery and the cache are local.
    #[arg(long, value_name = "SIZE", default_value = "1g", value_parser = parse_size)]
    heap: usize,
    /// Nursery (young generation) size (alias: -Xmn<size>). Default: an eighth of the heap.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    young: Option<usize>,
    /// Heap region size (a power of two).
    #[arg(long, value_name = "SIZE", default_value = "1m", value_parser = parse_size)]
    region: usize,
    /// Young collections an object survives before it is promoted to old space.
    #[arg(long, value_name = "N", default_value_t = 3)]
    tenure_age: u8,
    /// The local page cache for old space: a size (`128m`) or a share of --heap (`25%`).
    /// Old-space pages beyond it live only on the memnodes.
    #[arg(long, value_name = "SIZE|N%", default_value = "25%", value_parser = crate::heapmode::parse_cache)]
    cache: crate::heapmode::CacheSize,
    /// Embedded memnode servers holding old space; 0 keeps the whole heap local
    /// (no fabric, no cache). Default 1.
    #[arg(long, value_name = "N", conflicts_with = "memnode")]
    memnodes: Option<usize>,
    /// A `semeru memnode` daemon holding old space, over TCP (repeatable).
    #[arg(long, value_name = "HOST:PORT")]
    memnode: Vec<String>,
    /// The shared secret of the memnode daemons (the file's bytes, trailing whitespace
    /// trimmed). Without it the VM authenticates with the empty token.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// The old-space collector: `offload` (the memnodes mark and compact their own
    /// regions, concurrently with the program; the default) or `local` (the VM marks
    /// and compacts, reading every page through its cache). With `--memnodes 0` the
    /// local collector always runs.
    #[arg(long, value_name = "KIND", default_value = "offload", value_parser = ["offload", "local"])]
    gc: String,
    /// Old-space occupancy (a share of the old-space limit) at which an offloaded
    /// old collection starts.
    #[arg(long, value_name = "N%", default_value = "45%", value_parser = crate::heapmode::parse_trigger)]
    gc_trigger: f64,
    /// Old regions whose live bytes are below this share of a region are evacuated
    /// (compacted) by an offloaded collection; 0% never evacuates.
    #[arg(long, value_name = "N%", default_value = "70%", value_parser = crate::heapmode::parse_evac_live)]
    gc_evac_live: f64,
    /// Print one line per GC pause on stderr: kind, heap before->after, pause time.
    #[arg(long)]
    gc_log: bool,
    /// Print a summary at exit on stderr: wall time, pauses, allocation.
    #[arg(long)]
    stats: bool,
    /// Write the same summary as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    stats_json: Option<PathBuf>,
    /// Check the heap around every collection: roots, nursery and remembered slots before
    /// it, the whole heap after it (debug switch; slow).
    #[arg(long)]
    verify_heap: bool,
    /// Collect as often as possible (debug switch; very slow).
    #[arg(long)]
    gc_stress: bool,
    /// Print every executed instruction on stderr (debug switch; very slow).
    #[arg(long)]
    trace: bool,
    /// The `.sem` file.
    file: PathBuf,
    /// Arguments passed to `main(String[] args)`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

/// Rewrites the JVM's `-Xmx<size>` and `-Xmn<size>` into `--heap`/`--young`, for
/// the options before the program file (arguments after it belong to the program).
pub fn java_aliases(args: Vec<OsString>) -> Vec<OsString> {
    let mut out = Vec::with_capacity(args.len());
    let mut in_options = true;
    for (i, a) in args.into_iter().enumerate() {
        let s = a.to_string_lossy();
        if i > 1 && in_options && s.ends_with(".sem") {
            in_options = false;
        }
        if in_options {
            if let Some(v) = s.strip_prefix("-Xmx") {
                out.push(format!("--heap={v}").into());
                continue;
            }
            if let Some(v) = s.strip_prefix("-Xmn") {
                out.push(format!("--young={v}").into());
                continue;
            }
        }
        out.push(a);
    }
    out
}

pub fn main(args: Vec<OsString>) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 64 } else { 0 };
        }
    };
    match cli.command {
        Command::Run(r) => run(r),
        Command::Repl(r) => {
            let region = 1 << 20;
            crate::repl::main(HeapConfig {
                heap_bytes: r.heap,
                young_bytes: r.young.unwrap_or((r.heap / 8).max(region)),
                region_bytes: region,
                ..HeapConfig::default()
            })
        }
        Command::Memnode(m) => crate::memnode_cmd::main(m),
        Command::Check { file } => match compile(&file) {
            Ok(_) => 0,
            Err(code) => code,
        },
        Command::Disasm { file, all } => match compile(&file) {
            Ok(p) => {
                print!("{}", semeru_vm::disasm::disassemble_classes(&p, all));
                0
            }
            Err(code) => code,
        },
    }
}

/// Returns the memory the compiler freed (the syntax trees of the program and its
/// library classes) to the OS. glibc keeps freed small blocks resident, and the
/// heap's large tables are mapped separately and never reuse them, so without
/// this the compiler's peak would stay in the VM's resident set for the whole
/// run (DESIGN.md §5: only the cache may grow with the heap).
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the OS; it touches no
    // live allocation and is safe to call at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Reads, parses and compiles `path`; on failure prints diagnostics and returns the exit code.
fn compile(path: &Path) -> Result<Program, u8> {
    let src = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(_) => {
                eprintln!("error: {} is not valid UTF-8", path.display());
                return Err(EXIT_COMPILE_ERROR);
            }
        },
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return Err(EXIT_NO_INPUT);
        }
    };
    let display = path.display().to_string();
    let base = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| display.clone());
    match semeru_lang::compile_source(&base, &src) {
        Ok(p) => Ok(p),
        Err(diags) => {
            eprint!("{}", diag::render(&display, &src, &diags));
            Err(EXIT_COMPILE_ERROR)
        }
    }
}

fn run(r: RunArgs) -> u8 {
    let program = match compile(&r.file) {
        Ok(p) => p,
        Err(code) => return code,
    };
    release_freed_memory();
    if !r.region.is_power_of_two() {
        eprintln!("error: --region must be a power of two");
        return 64;
    }
    let young = r.young.unwrap_or((r.heap / 8).max(r.region));
    let mode = heapmode::ModeArgs {
        memnodes: r.memnodes,
        remote: r.memnode.clone(),
        token_file: r.token_file.clone(),
    };
    let local = heapmode::mode_name(&mode) == "local";
    let cache_bytes = r.cache.bytes(r.heap);
    let heap = HeapConfig {
        heap_bytes: r.heap,
        young_bytes: young,
        region_bytes: r.region,
        tenure_age: r.tenure_age,
        verify: r.verify_heap,
        stress: r.gc_stress,
        log: r.gc_log,
        cache_bytes: (!local).then_some(cache_bytes),
        gc: if r.gc == "local" {
            GcMode::Local
        } else {
            GcMode::Offload
        },
        gc_trigger: r.gc_trigger,
        gc_evac_live: r.gc_evac_live,
        ..HeapConfig::default()
    };
    // Each embedded memnode could hold the whole old space and its collector headroom.
    let backend = match heapmode::connect(&mode, 2 * r.heap as u64 + (64 << 20)) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("semeru: fatal: {e}");
            return EXIT_INTERNAL;
        }
    };
    let cfg = semeru_vm::RunConfig {
        heap,
        args: r.args,
        trace: r.trace,
    };
    match semeru_vm::run_with_backend(&program, cfg, backend) {
        Ok(outcome) => {
            let report = stats::HeapMode {
                mode: heapmode::mode_name(&mode),
                young_bytes: young,
            };
            if r.stats {
                eprint!("{}", stats::human(&outcome.stats, &report));
            }
            if let Some(path) = &r.stats_json {
                if let Err(e) = std::fs::write(path, stats::json(&outcome.stats, &report)) {
                    eprintln!("error: cannot write {}: {e}", path.display());
                }
            }
            (outcome.exit_code & 0xff) as u8
        }
        Err(e) => {
            eprintln!("semeru: internal error: {e}");
            EXIT_INTERNAL
        }
    }
}
