//! What every suite shares: the common options, paths, and progress lines.

use crate::error::{Error, Result};
use clap::Args;
use std::cell::Cell;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Clone)]
pub struct Common {
    /// Small sizes: a smoke test of the suite (numbers are mostly startup time)
    #[arg(long)]
    pub quick: bool,
    /// Timed runs per configuration (default: interp 3, disagg and jvm-swap 1)
    #[arg(long)]
    pub runs: Option<usize>,
    /// Output directory [default: bench/results/<suite>-<UTC timestamp>/]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The semeru binary [default: semeru beside this program]
    #[arg(long)]
    pub semeru: Option<PathBuf>,
    /// Kill a run after this many seconds (it is then FAILED)
    #[arg(long, default_value_t = 3600)]
    pub timeout: u64,
}

pub struct Ctx {
    /// The repository's root (examples/, bench/).
    pub root: PathBuf,
    pub semeru: PathBuf,
    pub quick: bool,
    pub runs: Option<usize>,
    pub timeout: Duration,
    pub out_dir: PathBuf,
    pub command: String,
    /// Scratch space, removed at exit.
    pub tmp: PathBuf,
    _tmp_guard: crate::cleanup::Guard,
    step: Cell<usize>,
    total: Cell<usize>,
}

impl Common {
    pub fn context(&self, suite: &str, command: &str) -> Result<Ctx> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let root = root
            .canonicalize()
            .map_err(|e| Error::Failed(format!("repository root {}: {e}", root.display())))?;
        let semeru = match &self.semeru {
            Some(p) => p.clone(),
            None => std::env::current_exe()
                .ok()
                .and_then(|p| p.parent().map(|d| d.join("semeru")))
                .filter(|p| p.exists())
                .unwrap_or_else(|| root.join("target/release/semeru")),
        };
        if self.runs == Some(0) {
            return Err(Error::Usage("--runs wants a positive number".into()));
        }
        let out_dir = match &self.out {
            Some(d) => d.clone(),
            None => root
                .join("bench/results")
                .join(format!("{suite}-{}", crate::machine::utc_stamp())),
        };
        let tmp = std::env::temp_dir().join(format!("semeru-bench.{}", std::process::id()));
        std::fs::create_dir_all(&tmp)
            .map_err(|e| Error::Failed(format!("cannot create {}: {e}", tmp.display())))?;
        let t = tmp.clone();
        let guard = crate::cleanup::Guard::new(move || {
            let _ = std::fs::remove_dir_all(&t);
        });
        Ok(Ctx {
            root,
            semeru,
            quick: self.quick,
            runs: self.runs,
            timeout: Duration::from_secs(self.timeout.max(1)),
            out_dir,
            command: command.to_string(),
            tmp,
            _tmp_guard: guard,
            step: Cell::new(0),
            total: Cell::new(0),
        })
    }
}

impl Ctx {
    /// `--runs`, or the suite's default.
    pub fn runs_or(&self, default: usize) -> usize {
        self.runs.unwrap_or(default)
    }

    pub fn set_total(&self, total: usize) {
        self.step.set(0);
        self.total.set(total);
    }

    /// Starts a progress line: `[7/45] disagg pagerank ... ` (finished by [`Ctx::done`]).
    pub fn begin(&self, label: &str) {
        self.step.set(self.step.get() + 1);
        eprint!("[{}/{}] {label} ... ", self.step.get(), self.total.get());
    }

    pub fn done(&self, result: &str) {
        eprintln!("{result}");
    }
}
