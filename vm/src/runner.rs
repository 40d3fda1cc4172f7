//! The runner API for the CLI: run a program once and report how it went.

use crate::interp::{Vm, VmError};
use crate::program::Program;
use semeru_gc::{GcStats, HeapConfig, HeapStats};
use std::time::{Duration, Instant};

/// How to run a program.
#[derive(Clone, Debug, Default)]
pub struct RunConfig {
    pub heap: HeapConfig,
    /// The program's command-line arguments (`main`'s `String[]`).
    pub args: Vec<String>,
    /// `--trace`: print each executed instruction to stderr.
    pub trace: bool,
}

/// Figures for `--stats` and `--stats-json`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunStats {
    pub wall: Duration,
    /// Wall time minus GC pauses.
    pub mutator: Duration,
    pub gc: GcStats,
    /// Heap mode, page cache and fabric figures.
    pub heap: HeapStats,
    /// Instructions executed, when counted (not in the fast path: `None`).
    pub instructions: Option<u64>,
}

/// The result of a run: the process exit status Java would have.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOutcome {
    pub exit_code: i32,
    pub stats: RunStats,
}

/// Loads `program` into a fresh VM and runs it. `Err` is an internal fault (the
/// CLI exits 70); program errors are reported as Java does, in the exit code.
pub fn run(program: &Program, cfg: RunConfig) -> Result<RunOutcome, VmError> {
    run_with_backend(program, cfg, None)
}

/// [`run`] with the old space behind `backend` (memnodes) and a page cache of
/// `cfg.heap.cache_bytes`. The memnodes release the program's regions when it ends.
pub fn run_with_backend(
    program: &Program,
    cfg: RunConfig,
    backend: Option<Box<dyn semeru_gc::backend::PageBackend>>,
) -> Result<RunOutcome, VmError> {
    let start = Instant::now();
    let mut vm = Vm::with_backend(program.clone(), cfg.heap, backend)?;
    vm.set_trace(cfg.trace);
    let exit_code = vm.run_main(&cfg.args)?;
    let stats = vm.stats(start.elapsed());
    vm.heap.finish();
    Ok(RunOutcome { exit_code, stats })
}

impl Vm {
    /// Statistics of everything run so far, given the wall time.
    pub fn stats(&self, wall: Duration) -> RunStats {
        let gc = self.heap.stats().clone();
        let paused: f64 = gc.pauses.iter().map(|p| p.millis).sum();
        RunStats {
            wall,
            mutator: wall.saturating_sub(Duration::from_secs_f64(paused / 1000.0)),
            gc,
            heap: self.heap.heap_stats(),
            instructions: None,
        }
    }

    /// Captures stdout/stderr in memory instead of writing them (tests).
    pub fn capture_output(&mut self) {
        self.out.capture();
    }

    /// Drops the program's stdout while `on` (stderr is still written or
    /// captured): the REPL replays earlier statements this way.
    pub fn discard_stdout(&mut self, on: bool) {
        self.out.set_discard_stdout(on);
    }

    /// Flushes the program's stdout at every line end while `on` (an
    /// interactive REPL shows output as it is printed).
    pub fn line_buffered_stdout(&mut self, on: bool) {
        self.out.set_line_buffered(on);
    }

    /// What a captured run wrote.
    pub fn take_output(&mut self) -> Option<crate::output::Captured> {
        self.out.take_captured()
    }
}
