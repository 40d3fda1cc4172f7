//! The fatal-error hook: a fabric failure the heap cannot recover from (a memnode
//! died, timed out or broke the protocol) ends the process with exit status 70
//! and `semeru: fatal: <msg>` on stderr. The root package (or a test) may
//! replace what happens with [`set_fatal_hook`].

use std::sync::Mutex;

/// What [`fatal`] calls; `None` = print and exit 70.
static HOOK: Mutex<Option<fn(&str) -> !>> = Mutex::new(None);

static FIRED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The exit status of a fatal fabric error.
pub const FATAL_EXIT: i32 = 70;

/// Replaces what [`fatal`] does (for the CLI's own reporting, or for tests that
/// turn the exit into a panic).
pub fn set_fatal_hook(hook: fn(&str) -> !) {
    *HOOK.lock().unwrap_or_else(|e| e.into_inner()) = Some(hook);
}

/// Reports an unrecoverable heap error and does not return.
#[cold]
pub fn fatal(msg: &str) -> ! {
    let hook = *HOOK.lock().unwrap_or_else(|e| e.into_inner());
    match hook {
        Some(h) => h(msg),
        None => {
            // The mutator and the memnode watchdog may both notice a lost
            // memnode: the first reports it and exits; another waits for that.
            if FIRED.swap(true, std::sync::atomic::Ordering::SeqCst) {
                loop {
                    std::thread::park();
                }
            }
            eprintln!("semeru: fatal: {msg}");
            std::process::exit(FATAL_EXIT)
        }
    }
}
