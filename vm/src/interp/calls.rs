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
    /// the arguments are nulled so the root scan never sees stale references;
    /// so are the caller's registers above the new frame's window (dead at a
    /// call: arguments are the caller's topmost live registers), which the root
    /// scan skips while the callee runs (see [`super::roots::Roots`]).
    /// Raises `StackOverflowError` when the frame does not fit.
    #[inline]
    pub(crate) fn push_frame(&mut self, m: u32, bp: usize, br: usize) -> Result<(), Ctl> {
        let meth = &self.prog.methods[m as usize];
        let code = code_of(meth);
        let tp = bp + code.regs_p as usize;
        let tr = br + code.regs_r as usize;
        if tp > self.prims.len() || tr > self.rt.regs.len() || self.frames.len() >= MAX_DEPTH {
            // Arguments a native wrote above the live top (`invoke`) die with the
            // call; they must not linger above `top` (the register invariant).
            let from = br.max(self.rt.top());
            self.rt
                .regs
                .fill(from, br + meth.params_r as usize, Ref::NULL);
            return Err(self.raise(STACK_OVERFLOW_ERROR, None));
        }
        self.rt
            .regs
            .fill(br + meth.params_r as usize, tr, Ref::NULL);
        self.frames.push(Frame {
            method: m,
            pc: 0,
            base_p: bp as u32,
            base_r: br as u32,
            reexec: false,
        });
        self.rt.set_top(tr);
        Ok(())
    }

    /// Pops the top frame after a return. The caller (if any) becomes the top
    /// frame, its `pc` pointing at the instruction to resume. The callee's
    /// registers above the caller's window are nulled (its result, in its `r0`,
    /// lies inside the caller's window for every bytecode call).
    #[inline]
    pub(crate) fn pop_frame(&mut self) {
        self.frames.pop();
        if let Some(f) = self.frames.last_mut() {
            if f.reexec {
                f.reexec = false;
            } else {
                f.pc += 1;
            }
            let code = code_of(&self.prog.methods[f.method as usize]);
            let t = f.base_r as usize + code.regs_r as usize;
            self.rt.set_top(t);
        } else {
            self.rt.set_top(0);
        }
    }
}
