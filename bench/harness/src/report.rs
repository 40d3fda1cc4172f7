//! A suite's output directory: report.md, results.json and the SVG plots.

use crate::error::{Context, Result};
use crate::machine::Machine;
use serde_json::Value;
use std::path::{Path, PathBuf};

pub struct Report {
    pub dir: PathBuf,
    title: String,
    body: String,
    /// Problems that make the suite fail (exit status 1), listed at the top.
    pub failures: Vec<String>,
    /// Runtimes or workloads that were skipped, and why.
    pub skips: Vec<String>,
}

impl Report {
    pub fn new(dir: &Path, title: &str) -> Result<Report> {
        std::fs::create_dir_all(dir).ctx(|| format!("cannot create {}", dir.display()))?;
        Ok(Report {
            dir: dir.to_path_buf(),
            title: title.into(),
            body: String::new(),
            failures: Vec::new(),
            skips: Vec::new(),
        })
    }

    pub fn heading(&mut self, text: &str) {
        self.body.push_str(&format!("\n## {text}\n\n"));
    }

    pub fn para(&mut self, text: &str) {
        self.body.push_str(text.trim_end());
        self.body.push_str("\n\n");
    }

    pub fn table(&mut self, t: &crate::markdown::Table) {
        self.body.push_str(&t.render());
        self.body.push('\n');
    }

    /// A plot file in the report's directory; the caller writes it.
    pub fn plot_path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// References a plot that was written (or notes that it could not be).
    pub fn image(&mut self, file: &str, alt: &str, written: std::result::Result<(), String>) {
        match written {
            Ok(()) => self.body.push_str(&format!("![{alt}]({file})\n\n")),
            Err(e) => self
                .body
                .push_str(&format!("(plot {file} not written: {e})\n\n")),
        }
    }

    /// Records a failed check (the progress line has already shown it).
    pub fn fail(&mut self, what: String) {
        self.failures.push(what);
    }

    pub fn skip(&mut self, what: String) {
        eprintln!("skipped: {what}");
        self.skips.push(what);
    }

    /// Writes report.md and results.json; returns the report's path.
    pub fn write(&self, machine: &Machine, command: &str, results: Value) -> Result<PathBuf> {
        let mut md = format!("# {}\n\n", self.title);
        md.push_str(&format!("Command:\n\n```\n{command}\n```\n\n"));
        if self.failures.is_empty() {
            md.push_str("Status: every checked output matched.\n\n");
        } else {
            md.push_str(&format!(
                "Status: **{} FAILED** (the harness exits with status 1):\n\n",
                self.failures.len()
            ));
            for f in &self.failures {
                md.push_str(&format!("- FAILED: {f}\n"));
            }
            md.push('\n');
        }
        for s in &self.skips {
            md.push_str(&format!("- skipped: {s}\n"));
        }
        if !self.skips.is_empty() {
            md.push('\n');
        }
        md.push_str(&self.body);
        md.push_str("\n## Machine\n\n");
        md.push_str(&machine.markdown());
        let path = self.dir.join("report.md");
        std::fs::write(&path, md).ctx(|| format!("cannot write {}", path.display()))?;
        let doc = serde_json::json!({
            "command": command,
            "machine": machine.json(),
            "failures": self.failures,
            "skips": self.skips,
            "results": results,
        });
        let json_path = self.dir.join("results.json");
        let text =
            serde_json::to_string_pretty(&doc).ctx(|| "cannot encode results.json".into())?;
        std::fs::write(&json_path, text).ctx(|| format!("cannot write {}", json_path.display()))?;
        Ok(path)
    }
}
