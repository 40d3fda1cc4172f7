//! The code buffer of one method: instructions, labels and jump patching,
//! line table, switch tables, and the register stacks.
//!
//! Registers are allocated like a stack in each file: locals get fixed
//! registers when declared (no temporaries are live at statement level), and
//! temporaries are pushed above them and popped in LIFO order. A call's
//! arguments are therefore always the topmost registers, which is what the
//! calling convention of `semeru_vm::insn` requires.

use semeru_gc::ClassId;
use semeru_vm::insn::{Insn, Pc, P, R};
use semeru_vm::program::{Code, Handler, SwitchTable};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Label(pub u32);

/// A register of either file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reg {
    P(P),
    R(R),
    /// The value of a `void` or erroneous expression.
    None,
}

impl Reg {
    pub fn p(self) -> P {
        match self {
            Reg::P(p) => p,
            _ => P(0),
        }
    }
    pub fn r(self) -> R {
        match self {
            Reg::R(r) => r,
            _ => R(0),
        }
    }
}

/// A saved register-stack height.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    pub p: u16,
    pub r: u16,
}

pub enum PendingSwitch {
    Dense {
        low: i32,
        targets: Vec<Label>,
        default: Label,
    },
    Sparse {
        keys: Vec<i32>,
        targets: Vec<Label>,
        default: Label,
    },
}

/// An exception handler whose target is still a label.
pub struct PendingHandler {
    pub start: u32,
    pub end: u32,
    pub target: Label,
    pub class: Option<ClassId>,
    pub reg: R,
}

#[derive(Default)]
pub struct Emitter {
    /// Exception handlers, innermost first.
    pub handlers: Vec<PendingHandler>,
    pub insns: Vec<Insn>,
    lines: Vec<(u32, u32)>,
    labels: Vec<Option<u32>>,
    fixups: Vec<(usize, Label)>,
    switches: Vec<PendingSwitch>,
    pub next_p: u16,
    pub next_r: u16,
    max_p: u16,
    max_r: u16,
    cur_line: u32,
    /// Set when a method needs more registers than the VM can address.
    pub overflow: bool,
}

/// The lengths of an [`Emitter`]'s buffers, to throw away code emitted since.
pub struct Snapshot {
    insns: usize,
    lines: usize,
    labels: usize,
    fixups: usize,
    switches: usize,
    handlers: usize,
    next_p: u16,
    next_r: u16,
    cur_line: u32,
}

impl Emitter {
    /// Remembers the current state (see [`Emitter::restore`]).
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            insns: self.insns.len(),
            lines: self.lines.len(),
            labels: self.labels.len(),
            fixups: self.fixups.len(),
            switches: self.switches.len(),
            handlers: self.handlers.len(),
            next_p: self.next_p,
            next_r: self.next_r,
            cur_line: self.cur_line,
        }
    }

    /// Drops everything emitted since `s` was taken (register maxima stay).
    pub fn restore(&mut self, s: Snapshot) {
        self.insns.truncate(s.insns);
        self.lines.truncate(s.lines);
        self.labels.truncate(s.labels);
        self.fixups.truncate(s.fixups);
        self.switches.truncate(s.switches);
        self.handlers.truncate(s.handlers);
        self.next_p = s.next_p;
        self.next_r = s.next_r;
        self.cur_line = s.cur_line;
    }

    pub fn emit(&mut self, i: Insn) {
        self.insns.push(i);
    }

    /// Records that the following instructions come from source line `line`.
    pub fn set_line(&mut self, line: u32) {
        if line == 0 || line == self.cur_line {
            return;
        }
        self.cur_line = line;
        let pc = self.insns.len() as u32;
        match self.lines.last_mut() {
            Some(last) if last.0 == pc => last.1 = line,
            _ => self.lines.push((pc, line)),
        }
    }

    /// The index of the next instruction.
    pub fn pc(&self) -> u32 {
        self.insns.len() as u32
    }

    pub fn new_label(&mut self) -> Label {
        self.labels.push(None);
        Label(self.labels.len() as u32 - 1)
    }
    pub fn bind(&mut self, l: Label) {
        self.labels[l.0 as usize] = Some(self.insns.len() as u32);
        // A jump target may be reached from another line.
        self.cur_line = 0;
    }
    /// Emits a jump-carrying instruction whose target is `l`.
    pub fn emit_jump(&mut self, i: Insn, l: Label) {
        self.fixups.push((self.insns.len(), l));
        self.insns.push(i);
    }
    pub fn jmp(&mut self, l: Label) {
        self.emit_jump(Insn::Jmp { t: Pc(0) }, l);
    }
    pub fn add_switch(&mut self, s: PendingSwitch) -> u16 {
        self.switches.push(s);
        self.switches.len() as u16 - 1
    }

    pub fn mark(&self) -> Mark {
        Mark {
            p: self.next_p,
            r: self.next_r,
        }
    }
    pub fn release(&mut self, m: Mark) {
        self.next_p = m.p;
        self.next_r = m.r;
    }
    pub fn alloc_p(&mut self) -> P {
        let r = self.next_p;
        if r == u16::MAX {
            self.overflow = true;
            return P(r);
        }
        self.next_p += 1;
        self.max_p = self.max_p.max(self.next_p);
        P(r)
    }
    pub fn alloc_r(&mut self) -> R {
        let r = self.next_r;
        if r == u16::MAX {
            self.overflow = true;
            return R(r);
        }
        self.next_r += 1;
        self.max_r = self.max_r.max(self.next_r);
        R(r)
    }
    /// Makes sure a frame has at least these many registers (call results).
    pub fn reserve(&mut self, p: u16, r: u16) {
        self.max_p = self.max_p.max(p);
        self.max_r = self.max_r.max(r);
    }

    /// Resolves labels and produces the method's code.
    pub fn finish(mut self) -> Code {
        let resolve =
            |labels: &[Option<u32>], l: Label| Pc(labels[l.0 as usize].unwrap_or(0) as u16);
        for (at, l) in std::mem::take(&mut self.fixups) {
            let t = resolve(&self.labels, l);
            set_target(&mut self.insns[at], t);
        }
        if self.insns.len() > u16::MAX as usize {
            self.overflow = true;
        }
        let switches = self
            .switches
            .iter()
            .map(|s| match s {
                PendingSwitch::Dense {
                    low,
                    targets,
                    default,
                } => SwitchTable::Dense {
                    low: *low,
                    targets: targets.iter().map(|l| resolve(&self.labels, *l)).collect(),
                    default: resolve(&self.labels, *default),
                },
                PendingSwitch::Sparse {
                    keys,
                    targets,
                    default,
                } => SwitchTable::Sparse {
                    keys: keys.clone(),
                    targets: targets.iter().map(|l| resolve(&self.labels, *l)).collect(),
                    default: resolve(&self.labels, *default),
                },
            })
            .collect();
        let handlers = self
            .handlers
            .iter()
            .filter(|h| h.start < h.end)
            .map(|h| Handler {
                start: Pc(h.start as u16),
                end: Pc(h.end as u16),
                target: resolve(&self.labels, h.target),
                class: h.class,
                reg: h.reg,
            })
            .collect();
        Code {
            insns: self.insns,
            regs_p: self.max_p,
            regs_r: self.max_r,
            lines: self.lines,
            switches,
            handlers,
        }
    }
}

fn set_target(i: &mut Insn, pc: Pc) {
    match i {
        Insn::Jmp { t }
        | Insn::BrI { t, .. }
        | Insn::BrIK { t, .. }
        | Insn::BrL { t, .. }
        | Insn::BrF { t, .. }
        | Insn::BrD { t, .. }
        | Insn::BrR { t, .. }
        | Insn::BrNull { t, .. }
        | Insn::BrNonNull { t, .. }
        | Insn::BrTrue { t, .. }
        | Insn::BrFalse { t, .. } => *t = pc,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_patch_forward_and_backward_jumps() {
        let mut e = Emitter::default();
        let top = e.new_label();
        let end = e.new_label();
        e.bind(top);
        let p = e.alloc_p();
        e.emit_jump(Insn::BrTrue { a: p, t: Pc(0) }, end);
        e.jmp(top);
        e.bind(end);
        e.emit(Insn::Ret {});
        let code = e.finish();
        assert_eq!(code.insns[0], Insn::BrTrue { a: P(0), t: Pc(2) });
        assert_eq!(code.insns[1], Insn::Jmp { t: Pc(0) });
        assert_eq!(code.regs_p, 1);
    }

    #[test]
    fn registers_are_a_stack() {
        let mut e = Emitter::default();
        let m = e.mark();
        assert_eq!(e.alloc_r(), R(0));
        assert_eq!(e.alloc_r(), R(1));
        e.release(m);
        assert_eq!(e.alloc_r(), R(0));
        assert_eq!(e.finish().regs_r, 2);
    }
}
