//! Activation records and register windows.

use crate::insn::{P, R};
use semeru_gc::Ref;

/// Frames deeper than this raise `StackOverflowError` (Java manages ~10 000 frames
/// of a small recursive method with its default 1 MiB stack).
pub const MAX_DEPTH: usize = 60_000;
/// Primitive register stack capacity (slots). Reserved lazily, so unused capacity
/// costs address space only.
pub const PRIM_STACK: usize = 8 << 20;
/// Reference register stack capacity (slots).
pub const REF_STACK: usize = 4 << 20;

/// One activation of a bytecode method.
///
/// For the frame on top, `pc` is the next instruction to run once control is handed
/// to it; for every frame below, it is the call site. When a callee returns, the
/// caller resumes at `pc + 1`, or at `pc` itself when `reexec` is set (an
/// `InitClass` that ran a static initializer checks again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    pub method: u32,
    pub pc: u32,
    pub base_p: u32,
    pub base_r: u32,
    /// End of the live reference registers while this frame is on top: the
    /// highest window end of this frame and every frame below it. A callee's
    /// window can end below its caller's, and the caller's registers above it
    /// must stay roots (and be updated when objects move) until it resumes.
    pub top_r: u32,
    pub reexec: bool,
}

/// The register window of the running frame: raw pointers to its `p0` and `r0`.
///
/// Invariant: a `Win` is only built for a frame whose method passed the verifier
/// (every register operand is below the frame's register counts) and whose window
/// `[base, base + regs)` lies inside both register stacks.
#[derive(Clone, Copy)]
pub struct Win {
    p: *mut u64,
    r: *mut Ref,
}

impl Win {
    /// # Safety
    /// `p` and `r` must point into the register stacks at a frame's bases, with the
    /// whole frame window in bounds (see the type's invariant).
    #[inline(always)]
    pub unsafe fn new(p: *mut u64, r: *mut Ref) -> Win {
        Win { p, r }
    }

    #[inline(always)]
    pub fn p(self, x: P) -> u64 {
        // SAFETY: the verifier bounds every register operand by the frame size,
        // and the frame window is inside the stack (type invariant).
        unsafe { *self.p.add(x.0 as usize) }
    }
    #[inline(always)]
    pub fn set_p(self, x: P, v: u64) {
        // SAFETY: as in `p`.
        unsafe { *self.p.add(x.0 as usize) = v }
    }
    #[inline(always)]
    pub fn r(self, x: R) -> Ref {
        // SAFETY: as in `p`.
        unsafe { *self.r.add(x.0 as usize) }
    }
    #[inline(always)]
    pub fn set_r(self, x: R, v: Ref) {
        // SAFETY: as in `p`.
        unsafe { *self.r.add(x.0 as usize) = v }
    }

    #[inline(always)]
    pub fn i(self, x: P) -> i32 {
        self.p(x) as i32
    }
    #[inline(always)]
    pub fn l(self, x: P) -> i64 {
        self.p(x) as i64
    }
    #[inline(always)]
    pub fn f(self, x: P) -> f32 {
        f32::from_bits(self.p(x) as u32)
    }
    #[inline(always)]
    pub fn d(self, x: P) -> f64 {
        f64::from_bits(self.p(x))
    }
    #[inline(always)]
    pub fn set_i(self, x: P, v: i32) {
        self.set_p(x, v as u32 as u64)
    }
    #[inline(always)]
    pub fn set_z(self, x: P, v: bool) {
        self.set_p(x, v as u64)
    }
    #[inline(always)]
    pub fn set_l(self, x: P, v: i64) {
        self.set_p(x, v as u64)
    }
    #[inline(always)]
    pub fn set_f(self, x: P, v: f32) {
        self.set_p(x, v.to_bits() as u64)
    }
    #[inline(always)]
    pub fn set_d(self, x: P, v: f64) {
        self.set_p(x, v.to_bits())
    }
}
