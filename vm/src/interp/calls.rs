//! Frame pushes and pops: the calling convention of `insn.rs` on the register stacks.

use super::frame::{Frame, MAX_DEPTH};
use super::{Ctl, Vm};
use crate::program::{Body, Code, Method};
use semeru_gc::Ref;
use semeru_stdlib::builtins::STACK_OVERFLOW_ERROR;

static NO_CODE: Code = Code {
    insns: Vec::new(),
    regs_p: 0,
    regs_r: 0,
    lines: Vec::new(),
    switches: Vec::new(),
    handlers: Vec::new(),
};

/// The code of a bytecode method (an empty body for natives and abstract methods,
/// which never get frames).
#[inline(always)]
pub fn code_of(m: &Method) -> &Code {
    match &m.body {
        Body::Code(c) => c,
        _ => &NO_CODE,
    }
}

impl Vm {
    /// Pushes a frame for bytecode method `m` whose registers start at absolute
    /// slots `bp`/`br` (its arguments are already there). Reference registers past
    /// the arguments are nulled so the root scan never sees stale references.
    /// Raises `StackOverflowError` when the frame does not fit; stops when an
    /// interrupt is pending.
    #[inline]
    pub(crate) fn push_frame(&mut self, m: u32, bp: usize, br: usize) -> Result<(), Ctl> {
        let meth = &self.prog.methods[m as usize];
        let code = code_of(meth);
        let tp = bp + code.regs_p as usize;
        let tr = br + code.regs_r as usize;
        if tp > self.prims.len() || tr > self.rt.regs.len() || self.frames.len() >= MAX_DEPTH {
            return Err(self.raise(STACK_OVERFLOW_ERROR, None));
        }
        // Every call polls the interrupt flag, so recursion without loops stops too.
        if super::interrupt::pending() {
            return Err(super::interrupt::stop());
        }
        self.rt
            .regs
            .fill(br + meth.params_r as usize, tr, Ref::NULL);
        let top_r = tr.max(self.rt.top);
        self.frames.push(Frame {
            method: m,
            pc: 0,
            base_p: bp as u32,
            base_r: br as u32,
            top_r: top_r as u32,
            reexec: false,
        });
        self.rt.top = top_r;
        Ok(())
    }

    /// Pops the top frame after a return. The caller (if any) becomes the top
    /// frame, its `pc` pointing at the instruction to resume.
    #[inline]
    pub(crate) fn pop_frame(&mut self) {
        self.frames.pop();
        if let Some(f) = self.frames.last_mut() {
            if f.reexec {
                f.reexec = false;
            } else {
                f.pc += 1;
            }
            self.rt.top = f.top_r as usize;
        } else {
            self.rt.top = 0;
        }
    }
}
