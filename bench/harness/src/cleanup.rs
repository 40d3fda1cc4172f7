//! Everything the harness must undo, even on Ctrl-C or SIGTERM: child
//! processes to kill (memnode daemons, the timed program) and teardown steps
//! (swapoff, removing a cgroup or a swap file).
//!
//! A [`Guard`] registers a teardown and runs it when dropped, so error paths
//! clean up too. The signal handler takes every registered item out of the
//! registry and runs it, so nothing runs twice.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

type Action = Box<dyn FnOnce() + Send>;

struct Registry {
    pids: Vec<u32>,
    actions: Vec<(u64, Action)>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    pids: Vec::new(),
    actions: Vec::new(),
});
static NEXT_ID: AtomicU64 = AtomicU64::new(1);
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

/// Installs the SIGINT/SIGTERM handler: kill the registered children, run the
/// teardowns (newest first), exit 130.
pub fn install_signal_handler() -> Result<(), String> {
    ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        eprintln!("\nsemeru-bench: interrupted; stopping children and cleaning up");
        run_all();
        std::process::exit(130);
    })
    .map_err(|e| format!("cannot install the Ctrl-C handler: {e}"))
}

/// After a signal, the handler cleans up and exits with status 130; the main
/// thread, whose child the handler killed, waits here for that instead of
/// carrying on (and exiting first with another status).
pub fn park_if_interrupted() {
    while INTERRUPTED.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// Kills every registered process and runs every registered teardown.
pub fn run_all() {
    let (pids, actions) = {
        let mut r = registry();
        (std::mem::take(&mut r.pids), std::mem::take(&mut r.actions))
    };
    for &pid in &pids {
        signal(pid, libc::SIGTERM);
    }
    if !pids.is_empty() {
        std::thread::sleep(Duration::from_millis(300));
        for &pid in &pids {
            signal(pid, libc::SIGKILL);
        }
    }
    for (_, action) in actions.into_iter().rev() {
        action();
    }
}

/// Sends `sig` to `pid` (errors ignored: the process may be gone).
pub fn signal(pid: u32, sig: i32) {
    if let Ok(pid) = i32::try_from(pid) {
        // SAFETY: kill(2) takes plain integers and touches no memory of ours.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// Remembers a child to kill on a signal.
pub fn track_pid(pid: u32) {
    registry().pids.push(pid);
}

/// Forgets a child (it has been reaped, so its pid may be reused).
pub fn untrack_pid(pid: u32) {
    registry().pids.retain(|&p| p != pid);
}

/// A registered teardown: runs on drop, or from the signal handler.
pub struct Guard {
    id: u64,
}

impl Guard {
    pub fn new(action: impl FnOnce() + Send + 'static) -> Guard {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        registry().actions.push((id, Box::new(action)));
        Guard { id }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let action = {
            let mut r = registry();
            let pos = r.actions.iter().position(|(id, _)| *id == self.id);
            pos.map(|i| r.actions.remove(i).1)
        };
        if let Some(action) = action {
            action();
        }
    }
}
