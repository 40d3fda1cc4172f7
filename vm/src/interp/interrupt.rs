//! Interrupting a running program from outside (the REPL's Ctrl-C).
//!
//! One process-wide flag: [`request`] sets it (from any thread, e.g. a signal
//! handler's thread); the dispatch loop polls it at backward branches and the
//! frame push of every call, with one relaxed load, and stops the run with
//! [`VmError::interrupted`]. Nothing sets it unless an embedder (the REPL) does,
//! so `semeru run` never sees it.

use super::{Ctl, VmError};
use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPT: AtomicBool = AtomicBool::new(false);

/// The message of the [`VmError`] that an interrupted run ends with.
pub const INTERRUPTED: &str = "interrupted";

/// Asks the running program (if any) to stop at its next backward branch or call.
pub fn request() {
    INTERRUPT.store(true, Ordering::Relaxed);
}

/// Clears a pending request (before starting a new run).
pub fn clear() {
    INTERRUPT.store(false, Ordering::Relaxed);
}

/// Whether a stop was requested (and not cleared since).
#[inline(always)]
pub fn pending() -> bool {
    INTERRUPT.load(Ordering::Relaxed)
}

/// The control outcome of an interrupted run.
#[cold]
pub(crate) fn stop() -> Ctl {
    Ctl::Fault(VmError::interrupted())
}

impl VmError {
    /// The error an interrupted run returns.
    pub fn interrupted() -> VmError {
        VmError(INTERRUPTED.to_string())
    }

    /// Whether this error is an interrupt (see [`request`]), not a fault.
    pub fn is_interrupted(&self) -> bool {
        self.0 == INTERRUPTED
    }
}
