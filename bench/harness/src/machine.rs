//! The machine record of a report: where and with what the numbers were taken.

use crate::process::output_of;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

pub struct Machine {
    pub date: String,
    pub hostname: String,
    pub cpu: String,
    pub nproc: usize,
    pub mem_total: String,
    pub load_before: String,
    pub load_after: String,
    pub kernel: String,
    pub git: String,
    pub rustc: String,
    pub java: String,
    pub lua: String,
    pub python: String,
}

impl Machine {
    /// Everything but `load_after`, which [`Machine::finish`] fills in.
    pub fn record(root: &Path) -> Machine {
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        let cpuinfo = read("/proc/cpuinfo");
        let meminfo = read("/proc/meminfo");
        let field = |text: &str, key: &str| {
            text.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_once(':'))
                .map_or("unknown".to_string(), |(_, v)| v.trim().to_string())
        };
        let root_s = root.to_string_lossy();
        let git = match output_of("git", &["-C", &root_s, "rev-parse", "HEAD"]) {
            Some(head) => {
                let dirty = output_of(
                    "git",
                    &[
                        "-C",
                        &root_s,
                        "status",
                        "--porcelain",
                        "--untracked-files=no",
                    ],
                )
                .is_some_and(|s| !s.is_empty());
                format!("{head}{}", if dirty { " (dirty)" } else { "" })
            }
            None => "unknown (not a git checkout?)".into(),
        };
        let first = |s: Option<String>| s.and_then(|s| s.lines().next().map(str::to_string));
        let java =
            output_of("java", &["-version"]).map(|s| s.lines().collect::<Vec<_>>().join("; "));
        Machine {
            date: utc_now(),
            hostname: read("/proc/sys/kernel/hostname").trim().to_string(),
            cpu: field(&cpuinfo, "model name"),
            nproc: std::thread::available_parallelism().map_or(0, |n| n.get()),
            mem_total: field(&meminfo, "MemTotal"),
            load_before: loadavg(),
            load_after: String::new(),
            kernel: output_of("uname", &["-srvm"])
                .unwrap_or_else(|| read("/proc/sys/kernel/osrelease")),
            git,
            rustc: first(output_of("rustc", &["--version"])).unwrap_or_else(|| "not found".into()),
            java: java.unwrap_or_else(|| "not found".into()),
            lua: first(output_of("lua5.4", &["-v"])).unwrap_or_else(|| "not found".into()),
            python: first(output_of(
                "python3",
                &[
                    "-c",
                    "import sys; print(sys.executable, sys.version.split()[0])",
                ],
            ))
            .unwrap_or_else(|| "not found".into()),
        }
    }

    pub fn finish(&mut self) {
        self.load_after = loadavg();
    }

    pub fn markdown(&self) -> String {
        let rows = self.pairs();
        let mut t = crate::markdown::Table::new(["", ""]).align(1, crate::markdown::Align::Left);
        for (k, v) in rows {
            t.row([k.to_string(), v]);
        }
        t.render()
    }

    pub fn json(&self) -> Value {
        let mut m = serde_json::Map::new();
        for (k, v) in self.pairs() {
            m.insert(k.replace(' ', "_"), json!(v));
        }
        Value::Object(m)
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("date (UTC)", self.date.clone()),
            ("hostname", self.hostname.clone()),
            ("CPU", self.cpu.clone()),
            ("nproc", self.nproc.to_string()),
            ("MemTotal", self.mem_total.clone()),
            ("load average before", self.load_before.clone()),
            ("load average after", self.load_after.clone()),
            ("kernel", self.kernel.clone()),
            ("git commit", self.git.clone()),
            ("rustc", self.rustc.clone()),
            ("java -version", self.java.clone()),
            ("lua5.4 -v", self.lua.clone()),
            ("python3", self.python.clone()),
        ]
    }
}

fn loadavg() -> String {
    let s = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    s.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// Now, as `2026-11-27T04:19:50Z`.
pub fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(secs, "-", ":", "T")
}

/// Now, as `20261127T041950Z`, for directory names.
pub fn utc_stamp() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(secs, "", "", "T")
}

fn format_utc(secs: u64, date_sep: &str, time_sep: &str, t: &str) -> String {
    let (y, mo, d) = civil_from_days((secs / 86400) as i64);
    let s = secs % 86400;
    format!(
        "{y:04}{date_sep}{mo:02}{date_sep}{d:02}{t}{:02}{time_sep}{:02}{time_sep}{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian
/// calendar (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formatting() {
        assert_eq!(format_utc(0, "-", ":", "T"), "1970-01-01T00:00:00Z");
        // 2024-02-29 12:34:56 UTC
        assert_eq!(
            format_utc(1_709_210_096, "-", ":", "T"),
            "2024-02-29T12:34:56Z"
        );
        assert_eq!(format_utc(1_709_210_096, "", "", "T"), "20240229T123456Z");
    }
}
