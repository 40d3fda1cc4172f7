//! The system side of `jvm-swap`: a swap device (zram, else a swap file) and
//! cgroup v1 memory cgroups. Each is undone by a [`Guard`], also on Ctrl-C.
//! Errors name the step that failed.

use crate::cleanup::Guard;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub const CGROUP_MEMORY: &str = "/sys/fs/cgroup/memory";

/// Why the suite cannot run here, if it cannot: not root, or no cgroup v1 memory controller.
pub fn preflight() -> Result<(), String> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Err("not root: creating memory cgroups and swap devices needs root".into());
    }
    if !Path::new(CGROUP_MEMORY)
        .join("memory.limit_in_bytes")
        .exists()
    {
        return Err(format!(
            "no cgroup v1 memory controller at {CGROUP_MEMORY} (memory.limit_in_bytes missing)"
        ));
    }
    Ok(())
}

fn write(path: &Path, value: &str) -> Result<(), String> {
    std::fs::write(path, value).map_err(|e| format!("write {value} to {}: {e}", path.display()))
}

fn sh(step: &str, program: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("{step}: cannot run {program}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{step}: {program} {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn active_swaps() -> String {
    std::fs::read_to_string("/proc/swaps").unwrap_or_default()
}

/// A swap device the harness set up; removed on drop.
pub struct Swap {
    pub description: String,
    _guard: Guard,
}

/// Sets up `bytes` of swap: zram0 when it is free (unless `file_only`), else a
/// swap file in `file_dir`. Never touches a swap device that was already active.
pub fn setup_swap(bytes: u64, file_dir: &Path, file_only: bool) -> Result<Swap, String> {
    let mut notes = Vec::new();
    if !file_only {
        match setup_zram(bytes) {
            Ok(s) => return Ok(s),
            Err(e) => notes.push(format!("zram: {e}")),
        }
    }
    match setup_file(bytes, file_dir) {
        Ok(mut s) => {
            if !notes.is_empty() {
                s.description
                    .push_str(&format!(" (zram not used: {})", notes.join("; ")));
            }
            Ok(s)
        }
        Err(e) => {
            notes.push(format!("swap file: {e}"));
            Err(notes.join("; "))
        }
    }
}

fn setup_zram(bytes: u64) -> Result<Swap, String> {
    let sys = Path::new("/sys/block/zram0");
    if !sys.exists() {
        sh("load the zram module", "modprobe", &["zram"])?;
        if !sys.exists() {
            return Err("/sys/block/zram0 does not exist after modprobe zram".into());
        }
    }
    if active_swaps().contains("/dev/zram0") {
        return Err("/dev/zram0 is already an active swap device; not touching it".into());
    }
    let disksize = std::fs::read_to_string(sys.join("disksize"))
        .map_err(|e| format!("read zram0/disksize: {e}"))?;
    if disksize.trim() != "0" {
        return Err(format!(
            "zram0 is already configured (disksize {}); not touching it",
            disksize.trim()
        ));
    }
    write(&sys.join("disksize"), &bytes.to_string())?;
    let guard = Guard::new(|| {
        let _ = Command::new("swapoff").arg("/dev/zram0").output();
        let _ = std::fs::write("/sys/block/zram0/reset", "1");
    });
    sh("format the zram swap", "mkswap", &["/dev/zram0"])?;
    sh("enable the zram swap", "swapon", &["/dev/zram0"])?;
    Ok(Swap {
        description: format!("zram (/dev/zram0, {} MiB)", bytes >> 20),
        _guard: guard,
    })
}

fn setup_file(bytes: u64, dir: &Path) -> Result<Swap, String> {
    let path = dir.join(format!("semeru-bench-swap.{}", std::process::id()));
    let p = path.display().to_string();
    let p2 = path.clone();
    let guard = Guard::new(move || {
        let _ = Command::new("swapoff").arg(&p2).output();
        let _ = std::fs::remove_file(&p2);
    });
    if sh(
        "allocate the swap file",
        "fallocate",
        &["-l", &bytes.to_string(), &p],
    )
    .is_err()
    {
        sh(
            "allocate the swap file",
            "dd",
            &[
                "if=/dev/zero",
                &format!("of={p}"),
                "bs=1M",
                &format!("count={}", bytes >> 20),
            ],
        )?;
    }
    sh("chmod the swap file", "chmod", &["600", &p])?;
    sh("format the swap file", "mkswap", &[&p])?;
    sh("enable the swap file", "swapon", &[&p])?;
    Ok(Swap {
        description: format!("swap file {p} ({} MiB)", bytes >> 20),
        _guard: guard,
    })
}

/// A cgroup v1 memory cgroup; its processes are killed and it is removed on drop.
pub struct Cgroup {
    pub path: PathBuf,
    _guard: Guard,
}

impl Cgroup {
    pub fn create(name: &str, limit_bytes: u64, swappiness: u32) -> Result<Cgroup, String> {
        let path = Path::new(CGROUP_MEMORY).join(name);
        std::fs::create_dir(&path)
            .map_err(|e| format!("create the cgroup {}: {e}", path.display()))?;
        let p = path.clone();
        let guard = Guard::new(move || remove_cgroup(&p));
        write(
            &path.join("memory.limit_in_bytes"),
            &limit_bytes.to_string(),
        )?;
        write(&path.join("memory.swappiness"), &swappiness.to_string())?;
        Ok(Cgroup {
            path,
            _guard: guard,
        })
    }

    pub fn read_u64(&self, file: &str) -> Option<u64> {
        std::fs::read_to_string(self.path.join(file))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// `oom_kill` of memory.oom_control (kernels since 4.13).
    pub fn oom_kills(&self) -> Option<u64> {
        let text = std::fs::read_to_string(self.path.join("memory.oom_control")).ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix("oom_kill ")?.trim().parse().ok())
    }

    /// A counter of memory.stat (e.g. `total_pgmajfault`).
    pub fn stat(&self, key: &str) -> Option<u64> {
        let text = std::fs::read_to_string(self.path.join("memory.stat")).ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(' ')?.trim().parse().ok())
    }
}

fn remove_cgroup(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let procs = std::fs::read_to_string(path.join("cgroup.procs")).unwrap_or_default();
        let pids: Vec<u32> = procs
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect();
        if pids.is_empty() || Instant::now() > deadline {
            break;
        }
        for pid in pids {
            crate::cleanup::signal(pid, libc::SIGKILL);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // rmdir can fail briefly while the last task exits.
    for _ in 0..50 {
        if std::fs::remove_dir(path).is_ok() || !path.exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!(
        "semeru-bench: could not remove the cgroup {}",
        path.display()
    );
}
