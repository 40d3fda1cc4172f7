//! Runtime exceptions: creating them, unwinding to a handler, and the report of
//! an uncaught one (`Exception in thread "main" …` plus `\tat` lines).

use super::calls::code_of;
use super::{Ctl, Vm, MESSAGE_OFFSET};
use semeru_gc::Ref;
use semeru_stdlib::builtins::ERROR;

/// Java prints at most this many frames of a stack trace.
const MAX_TRACE: usize = 1024;

impl Vm {
    /// Creates an exception of builtin (or user) class `cls` with `msg`, makes it the
    /// exception in flight and records the stack trace. The top frame's `pc` must
    /// already point at the faulting instruction.
    pub(crate) fn raise(&mut self, cls: u32, msg: Option<String>) -> Ctl {
        let m = match msg {
            Some(m) => match self.new_string_str(&m) {
                Ok(r) => r,
                Err(c) => return c,
            },
            None => Ref::NULL,
        };
        self.rt.handles.push(m);
        let e = self.alloc(cls);
        let m = self.rt.handles.pop().unwrap_or_default();
        match e {
            Ok(e) => {
                self.heap.write_ref(e, MESSAGE_OFFSET, m);
                self.throw_ref(e)
            }
            Err(c) => c,
        }
    }

    /// `OutOfMemoryError: Java heap space`, preallocated so it can always be thrown.
    pub(crate) fn raise_oom(&mut self) -> Ctl {
        let e = self.rt.oom;
        self.throw_ref(e)
    }

    /// Throws the existing object `e`.
    pub(crate) fn throw_ref(&mut self, e: Ref) -> Ctl {
        self.rt.exc = e;
        self.init_error = false;
        self.exc_trace.clear();
        for f in self.frames.iter().rev().take(MAX_TRACE) {
            self.exc_trace.push((f.method, f.pc));
        }
        Ctl::Throw
    }

    /// Unwinds the exception in flight to the innermost matching handler, popping
    /// frames, but not below `stop` frames. Returns `true` when a handler was found:
    /// the top frame then resumes at the handler with the exception in its register.
    pub(crate) fn unwind(&mut self, stop: usize) -> bool {
        let exc = self.rt.exc;
        let exc_cls = self.heap.class_of(exc).0;
        let prog = std::rc::Rc::clone(&self.prog);
        while self.frames.len() > stop {
            let Some(&f) = self.frames.last() else {
                break;
            };
            let code = code_of(&prog.methods[f.method as usize]);
            let pc = f.pc;
            let handler = code.handlers.iter().find(|h| {
                h.start.0 as u32 <= pc
                    && pc < h.end.0 as u32
                    && h.class.is_none_or(|c| self.is_subclass(exc_cls, c.0))
            });
            if let Some(h) = handler {
                let f = self.frames.last_mut().expect("frame checked above");
                f.pc = h.target.0 as u32;
                f.reexec = false;
                let slot = f.base_r as usize + h.reg.0 as usize;
                self.rt.top = f.top_r as usize;
                self.rt.regs.set(slot, exc);
                self.rt.exc = Ref::NULL;
                return true;
            }
            // An exception (not an Error) escaping a static initializer becomes an
            // `ExceptionInInitializerError` caused by it.
            let m = &prog.methods[f.method as usize];
            if !self.init_error
                && prog.classes[m.class.0 as usize].clinit.map(|c| c.0 as u32) == Some(f.method)
                && !self.is_subclass(exc_cls, ERROR)
            {
                self.init_error = true;
            }
            self.frames.pop();
            // A caller frame's pc is its call site, where handlers are matched.
            if let Some(f) = self.frames.last() {
                self.rt.top = f.top_r as usize;
            } else {
                self.rt.top = 0;
            }
        }
        false
    }

    /// `java.lang.ArithmeticException: / by zero` for the exception in flight.
    pub(crate) fn exception_text(&self, e: Ref) -> String {
        let cls = self.heap.class_of(e).0;
        let mut s = self.class_name(cls).to_string();
        let msg = self.heap.read_ref(e, MESSAGE_OFFSET);
        if !msg.is_null() {
            s.push_str(": ");
            s.push_str(&self.rust_string(msg));
        }
        s
    }

    /// Prints the uncaught exception in flight as `java` does: stdout is flushed
    /// first, then the exception line and one `\tat` line per frame.
    pub(crate) fn report_uncaught(&mut self) {
        let e = self.rt.exc;
        let mut text = String::from("Exception in thread \"main\" ");
        if self.init_error {
            text.push_str("java.lang.ExceptionInInitializerError\nCaused by: ");
        }
        if e.is_null() {
            text.push_str("java.lang.Error");
        } else {
            text.push_str(&self.exception_text(e));
        }
        text.push('\n');
        for &(m, pc) in &self.exc_trace {
            let meth = &self.prog.methods[m as usize];
            let line = code_of(meth).line_of(pc as usize);
            let cls = self.class_name(meth.class.0);
            let file = source_file_of(cls, &self.prog.source_file);
            match line {
                Some(l) => text.push_str(&format!("\tat {cls}.{}({file}:{l})\n", meth.name)),
                None => text.push_str(&format!("\tat {cls}.{}({file})\n", meth.name)),
            }
        }
        self.out.write_err(text.as_bytes());
    }
}

/// The source file of a class: the program's file, or for a standard-library
/// class (its name has a package) its own file, `java.util.HashMap$Node` →
/// `HashMap.sem`.
pub(crate) fn source_file_of(class: &str, program_file: &str) -> String {
    match class.rsplit_once('.') {
        Some((_, simple)) => format!("{}.sem", simple.split('$').next().unwrap_or(simple)),
        None => program_file.to_string(),
    }
}
