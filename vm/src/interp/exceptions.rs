//! Runtime exceptions: creating them, recording their backtraces, unwinding to
//! a handler, and printing stack traces (`Exception in thread "main" …` plus
//! `\tat` lines and `Caused by:` sections).

use super::calls::code_of;
use super::{Ctl, Vm, BACKTRACE_OFFSET, CAUSE_OFFSET, MESSAGE_OFFSET};
use crate::program::Body;
use semeru_gc::{ClassId, Ref};
use semeru_stdlib::builtins::{ERROR, INT_ARRAY, THROWABLE};

/// Java prints at most this many frames of a stack trace.
const MAX_TRACE: usize = 1024;
/// Causes followed when printing a stack trace.
const MAX_CAUSES: usize = 64;

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
                // The cause is "not yet set" (the throwable itself), as in Java.
                self.heap.write_ref(e, CAUSE_OFFSET, e);
                let e = self.fill_backtrace(e, false);
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

    /// Records the current frames as the backtrace of throwable `e` (skipping the
    /// constructors of `e` itself when `skip_ctors`). Returns `e`, which may have
    /// moved. Without memory for the backtrace, `e` keeps none.
    pub(crate) fn fill_backtrace(&mut self, e: Ref, skip_ctors: bool) -> Ref {
        if e == self.rt.oom {
            return e;
        }
        let prog = std::rc::Rc::clone(&self.prog);
        let mut frames = self.frames.iter().rev().peekable();
        if skip_ctors {
            let ec = self.heap.class_of(e).0;
            while let Some(f) = frames.peek() {
                let m = &prog.methods[f.method as usize];
                if m.name == "<init>" && self.is_subclass(ec, m.class.0) {
                    frames.next();
                } else {
                    break;
                }
            }
        }
        let mut pairs: Vec<i32> = Vec::new();
        for f in frames.take(MAX_TRACE) {
            pairs.push(f.method as i32);
            pairs.push(f.pc as i32);
        }
        self.rt.handles.push(e);
        let arr = self
            .heap
            .alloc_array(ClassId(INT_ARRAY), pairs.len() as u32, &mut self.rt);
        let e = self.rt.handles.pop().unwrap_or(e);
        if let Ok(a) = arr {
            self.heap.write_elems::<i32>(a, 0, &pairs);
            self.heap.write_ref(e, BACKTRACE_OFFSET, a);
        }
        e
    }

    /// The recorded backtrace of throwable `e`: `(method, pc)`, innermost first.
    fn backtrace(&self, e: Ref) -> Option<Vec<(u32, u32)>> {
        if e.is_null() || !self.is_subclass(self.heap.class_of(e).0, THROWABLE) {
            return None;
        }
        let a = self.heap.read_ref(e, BACKTRACE_OFFSET);
        if a.is_null() || self.heap.class_of(a).0 != INT_ARRAY {
            return None;
        }
        let n = self.heap.array_len(a) as usize;
        let mut v = vec![0i32; n];
        self.heap.read_elems::<i32>(a, 0, &mut v);
        let n_methods = self.prog.methods.len();
        Some(
            v.chunks_exact(2)
                .map(|p| (p[0] as u32, p[1] as u32))
                .filter(|(m, _)| (*m as usize) < n_methods)
                .collect(),
        )
    }

    /// Throws the existing object `e`.
    pub(crate) fn throw_ref(&mut self, e: Ref) -> Ctl {
        self.rt.exc = e;
        self.init_error = false;
        self.exc_trace.clear();
        if let Some(t) = self.backtrace(e) {
            self.exc_trace = t;
        } else {
            for f in self.frames.iter().rev().take(MAX_TRACE) {
                self.exc_trace.push((f.method, f.pc));
            }
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

    /// `java.lang.ArithmeticException: / by zero`, from the fields alone.
    pub(crate) fn exception_text(&self, e: Ref) -> String {
        let cls = self.heap.class_of(e).0;
        let mut s = self.class_name(cls).to_string();
        if !self.is_subclass(cls, THROWABLE) {
            return s;
        }
        let msg = self.heap.read_ref(e, MESSAGE_OFFSET);
        if !msg.is_null() {
            s.push_str(": ");
            s.push_str(&self.rust_string(msg));
        }
        s
    }

    /// `e.toString()`, calling an overriding method when the class has one.
    /// `e` must be rooted by the caller in `rt.handles[slot]`.
    fn text_of(&mut self, slot: usize) -> String {
        let e = self.rt.handles[slot];
        let cls = self.heap.class_of(e).0;
        // `toString` is vtable slot 0 of every class.
        let m = self.prog.classes[cls as usize]
            .vtable
            .first()
            .map(|m| m.0 as u32);
        let Some(m) = m.filter(|m| !matches!(self.prog.methods[*m as usize].body, Body::Native(_)))
        else {
            return self.exception_text(e);
        };
        let exc = std::mem::replace(&mut self.rt.exc, Ref::NULL);
        let (trace, init_error) = (std::mem::take(&mut self.exc_trace), self.init_error);
        let r = self.invoke(m, &[e], &[]);
        let text = match r {
            Ok(()) => {
                let (_, br) = self.frame_tops();
                let s = self.rt.regs.get(br, Ref::NULL);
                if s.is_null() {
                    "null".to_string()
                } else {
                    self.rust_string(s)
                }
            }
            Err(_) => {
                let e = self.rt.handles[slot];
                self.exception_text(e)
            }
        };
        self.rt.exc = exc;
        self.exc_trace = trace;
        self.init_error = init_error;
        text
    }

    /// One `\tat Class.method(File:line)` line.
    fn frame_line(&self, m: u32, pc: u32) -> String {
        let meth = &self.prog.methods[m as usize];
        let line = code_of(meth).line_of(pc as usize);
        let cls = self.class_name(meth.class.0);
        let file = source_file_of(cls, &self.prog.source_file);
        match line {
            Some(l) => format!("\tat {cls}.{}({file}:{l})\n", meth.name),
            None => format!("\tat {cls}.{}({file})\n", meth.name),
        }
    }

    /// The text `Throwable.printStackTrace()` prints for the throwable rooted in
    /// `rt.handles[slot]`: its `toString()`, its frames, then each cause with
    /// `Caused by: ` and the frames it does not share with the one before.
    /// `top` replaces the throwable's own frames when it has no backtrace.
    pub(crate) fn stack_trace_text(&mut self, slot: usize, top: &[(u32, u32)]) -> String {
        let mut text = String::new();
        let mut enclosing: Vec<(u32, u32)> = Vec::new();
        let base = self.rt.handles.len();
        let mut cur = slot;
        for depth in 0..MAX_CAUSES {
            let head = self.text_of(cur);
            let e2 = self.rt.handles[cur];
            if depth > 0 {
                text.push_str("Caused by: ");
            }
            text.push_str(&head);
            text.push('\n');
            let trace = match self.backtrace(e2) {
                Some(t) => t,
                None if depth == 0 => top.to_vec(),
                None => Vec::new(),
            };
            // Frames in common with the enclosing trace, counted from the bottom.
            let mut m = trace.len();
            let mut n = enclosing.len();
            if depth > 0 {
                while m > 0 && n > 0 && self.same_frame(trace[m - 1], enclosing[n - 1]) {
                    m -= 1;
                    n -= 1;
                }
            }
            for &(meth, pc) in &trace[..m] {
                text.push_str(&self.frame_line(meth, pc));
            }
            if m < trace.len() {
                text.push_str(&format!("\t... {} more\n", trace.len() - m));
            }
            enclosing = trace;
            let cause = self.heap.read_ref(e2, CAUSE_OFFSET);
            if cause.is_null() || cause == e2 {
                break;
            }
            // The chain so far, read after the last allocation.
            let mut seen = vec![self.rt.handles[slot]];
            seen.extend_from_slice(&self.rt.handles[base..]);
            if seen.contains(&cause) {
                let t = self.exception_text(cause);
                text.push_str(&format!("Caused by: [CIRCULAR REFERENCE: {t}]\n"));
                break;
            }
            self.rt.handles.push(cause);
            cur = self.rt.handles.len() - 1;
        }
        self.rt.handles.truncate(base);
        text
    }

    fn same_frame(&self, a: (u32, u32), b: (u32, u32)) -> bool {
        if a.0 != b.0 {
            return false;
        }
        let code = code_of(&self.prog.methods[a.0 as usize]);
        code.line_of(a.1 as usize) == code.line_of(b.1 as usize)
    }

    /// Prints the uncaught exception in flight as `java` does: stdout is flushed
    /// first, then the exception line, one `\tat` line per frame and the causes.
    pub(crate) fn report_uncaught(&mut self) {
        let e = self.rt.exc;
        let mut text = String::from("Exception in thread \"main\" ");
        if self.init_error {
            text.push_str("java.lang.ExceptionInInitializerError\nCaused by: ");
        }
        if e.is_null() {
            text.push_str("java.lang.Error\n");
        } else {
            let top = self.exc_trace.clone();
            self.rt.handles.push(e);
            let slot = self.rt.handles.len() - 1;
            let t = self.stack_trace_text(slot, &top);
            self.rt.handles.truncate(slot);
            text.push_str(&t);
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
