//! The interpreter: VM state, loading, and the entry points that run code.
//!
//! | concept | file |
//! |---|---|
//! | frames, register windows, stack limits | [`frame`] |
//! | precise roots (registers, statics, interned strings, handles) | [`roots`] |
//! | subtype tests, class initialization state | [`classes`] |
//! | the dispatch loop | [`dispatch`] |
//! | calls and returns, frame pushes | [`calls`] |
//! | runtime exceptions, unwinding, uncaught reports | [`exceptions`] |
//! | allocation and string objects | [`objects`] |
//! | stopping a run from outside (Ctrl-C in the REPL) | [`interrupt`] |

pub mod calls;
pub mod classes;
pub mod dispatch;
pub mod exceptions;
pub mod frame;
pub mod interrupt;
pub mod itab;
pub mod objects;
pub mod roots;

use crate::natives::Family;
use crate::output::Output;
use crate::program::{Body, MethodId, Program};
use crate::regfile::RegFile;
use crate::verify;
use frame::{Frame, PRIM_STACK, REF_STACK};
use roots::Roots;
use semeru_gc::{ClassId, Heap, HeapConfig, Ref};
use semeru_stdlib::builtins::{OUT_OF_MEMORY_ERROR, PRINT_STREAM, STRING_ARRAY};
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

/// An internal fault (a malformed program or a VM bug): the CLI exits 70.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmError(pub String);

impl fmt::Display for VmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "internal VM error: {}", self.0)
    }
}

impl std::error::Error for VmError {}

/// Why execution stopped early.
#[derive(Debug)]
pub enum Ctl {
    /// An exception is being thrown; it is in `Roots::exc`.
    Throw,
    /// `System.exit(code)`.
    Exit(i32),
    Fault(VmError),
}

/// How a run of an entry method ended (see [`Vm::run_entry`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completion {
    /// The method returned.
    Returned,
    /// `System.exit(code)`.
    Exited(i32),
    /// An exception escaped; it has been reported on stderr as `java` does.
    Uncaught,
}

/// Nested dispatch loops (natives calling back into bytecode) allowed at once.
const MAX_NESTED: usize = 2_000;

/// Byte offset of `Throwable.message`.
pub const MESSAGE_OFFSET: u32 = 8;
/// Byte offset of `Throwable.cause`.
pub const CAUSE_OFFSET: u32 = 12;
/// Byte offset of `Throwable.backtrace`.
pub const BACKTRACE_OFFSET: u32 = 16;
/// Byte offset of `PrintStream.out` (see `semeru_stdlib::builtins`: references first).
pub const PS_OUT_OFFSET: u32 = 8;
/// Byte offset of `PrintStream.fd`.
pub const FD_OFFSET: u32 = 12;

/// The virtual machine: a loaded program, its heap, stacks and statics. It keeps
/// its state between [`Vm::run_main`] calls (the REPL reuses it).
pub struct Vm {
    pub(crate) prog: Rc<Program>,
    /// Interface dispatch rows, built from `prog` at load.
    pub(crate) itab: Rc<itab::ITab>,
    pub(crate) heap: Heap,
    pub(crate) rt: Roots,
    pub(crate) prims: RegFile<u64>,
    pub(crate) statics_p: Vec<u64>,
    pub(crate) frames: Vec<Frame>,
    pub(crate) init_started: Vec<bool>,
    pub(crate) out: Output,
    /// Stack trace of the exception in flight: `(method, pc)`, innermost first.
    pub(crate) exc_trace: Vec<(u32, u32)>,
    pub(crate) intern_table: HashMap<Vec<u16>, usize>,
    pub(crate) families: Vec<Family>,
    /// Object's `hashCode` vtable slot, to tell when `toString` must call an override.
    pub(crate) hash_slot: Option<usize>,
    pub(crate) next_hash: u32,
    pub(crate) trace: bool,
    /// The exception in flight escaped a static initializer (reported as the cause
    /// of an `ExceptionInInitializerError`).
    pub(crate) init_error: bool,
    /// Native → bytecode calls in progress (each is a nested dispatch loop).
    pub(crate) nested: usize,
    pub(crate) rng: u64,
    pub(crate) start: std::time::Instant,
    /// `PrintStream.emit(byte[])`, through which the print natives write to a
    /// stream over an `OutputStream` (absent when the program never loads it).
    pub(crate) ps_emit: Option<u32>,
}

impl Vm {
    /// Verifies and loads `program`: defines every class layout, interns the string
    /// literals and creates `System.out`/`System.err`.
    pub fn new(program: Program, heap: HeapConfig) -> Result<Vm, VmError> {
        Vm::with_backend(program, heap, None)
    }

    /// A VM whose old space lives behind `backend` (memnodes) and a page cache
    /// of `heap.cache_bytes`; `None` keeps the whole heap local.
    pub fn with_backend(
        mut program: Program,
        heap: HeapConfig,
        backend: Option<Box<dyn semeru_gc::backend::PageBackend>>,
    ) -> Result<Vm, VmError> {
        verify::pad_code_ends(&mut program);
        verify::verify(&program)?;
        let mut heap = Heap::with_backend(heap, backend).map_err(|e| VmError(e.0))?;
        for (i, c) in program.classes.iter().enumerate() {
            heap.define_class(ClassId(i as u32), c.layout.clone());
        }
        let hash_slot = program.classes.first().and_then(|o| {
            o.vtable.iter().position(|m| {
                let m = &program.methods[m.0 as usize];
                m.name == "hashCode" && m.desc == "()I"
            })
        });
        let ps_emit = program
            .methods
            .iter()
            .position(|m| {
                m.class.0 == PRINT_STREAM && m.name == "emit" && m.desc == "([B)V" && !m.is_static
            })
            .map(|i| i as u32);
        let mut vm = Vm {
            statics_p: vec![0; program.static_p as usize],
            init_started: vec![false; program.classes.len()],
            itab: Rc::new(itab::ITab::build(&program)),
            prog: Rc::new(program),
            heap,
            rt: Roots::new(REF_STACK),
            prims: RegFile::new(PRIM_STACK),
            frames: Vec::new(),
            out: Output::new(),
            exc_trace: Vec::new(),
            intern_table: HashMap::new(),
            families: crate::natives::families(),
            hash_slot,
            next_hash: 0,
            trace: false,
            init_error: false,
            nested: 0,
            rng: 0x2545_f491_4f6c_dd1d,
            start: std::time::Instant::now(),
            ps_emit,
        };
        vm.rt.statics = vec![Ref::NULL; vm.prog.static_r as usize];
        vm.load_runtime_objects()
            .map_err(|_| VmError("heap too small to load the program".into()))?;
        Ok(vm)
    }

    fn load_runtime_objects(&mut self) -> Result<(), Ctl> {
        let prog = Rc::clone(&self.prog);
        // One object per distinct literal; `interned[k]` serves `SConst k`.
        for s in &prog.strings {
            let r = match self.intern_table.get(s) {
                Some(&i) => self.rt.interned[i],
                None => {
                    let r = self.new_string(s)?;
                    self.intern_table.insert(s.clone(), self.rt.interned.len());
                    r
                }
            };
            self.rt.interned.push(r);
        }
        for fd in [1, 2] {
            let ps = self.alloc(PRINT_STREAM)?;
            self.heap.write::<i32>(ps, FD_OFFSET, fd);
            if fd == 1 {
                self.rt.out = ps;
            } else {
                self.rt.err = ps;
            }
        }
        let msg = self.new_string_str("Java heap space")?;
        self.rt.handles.push(msg);
        let oom = self.alloc(OUT_OF_MEMORY_ERROR)?;
        let msg = self.rt.handles.pop().unwrap_or_default();
        self.heap.write_ref(oom, MESSAGE_OFFSET, msg);
        self.rt.oom = oom;
        Ok(())
    }

    /// Turns on `--trace` (every executed instruction is printed to stderr).
    pub fn set_trace(&mut self, on: bool) {
        self.trace = on;
    }

    pub fn heap(&self) -> &Heap {
        &self.heap
    }

    pub fn program(&self) -> &Program {
        &self.prog
    }

    /// Runs the main class's static initializer, then `main(args)`. Returns the
    /// process exit status: 0, `System.exit`'s code, or 1 after an uncaught
    /// exception (reported on stderr as `java` does).
    pub fn run_main(&mut self, args: &[String]) -> Result<i32, VmError> {
        Ok(match self.run_entry(self.prog.main, Some(args))? {
            Completion::Returned => 0,
            Completion::Exited(c) => c,
            Completion::Uncaught => 1,
        })
    }

    /// Runs static method `method` on this VM's current state (statics, heap and
    /// initialized classes persist between runs): its class's static initializer
    /// first if needed, then the method, with `args` as its `String[]` parameter
    /// when given (`main`), or no arguments. An uncaught exception is reported on
    /// stderr. An interrupted run ends with [`VmError::interrupted`].
    pub fn run_entry(
        &mut self,
        method: MethodId,
        args: Option<&[String]>,
    ) -> Result<Completion, VmError> {
        let end = match self.run_main_inner(method.0 as u32, args) {
            Ok(()) => Completion::Returned,
            Err(Ctl::Exit(c)) => Completion::Exited(c),
            Err(Ctl::Throw) => {
                self.report_uncaught();
                Completion::Uncaught
            }
            Err(Ctl::Fault(e)) => {
                self.out.flush();
                return Err(e);
            }
        };
        self.out.flush();
        Ok(end)
    }

    fn run_main_inner(&mut self, main: u32, args: Option<&[String]>) -> Result<(), Ctl> {
        let Some(m) = self.prog.methods.get(main as usize) else {
            return Err(Ctl::Fault(VmError("no main method".into())));
        };
        let main_class = m.class.0;
        if !matches!(m.body, Body::Code(_)) {
            return Err(Ctl::Fault(VmError("main has no code".into())));
        }
        if args.is_none() && (m.params_p, m.params_r, m.is_static) != (0, 0, true) {
            return Err(Ctl::Fault(VmError(format!(
                "entry method {} is not static or takes arguments",
                m.name
            ))));
        }
        self.frames.clear();
        self.rt.top = 0;
        self.nested = 0;
        self.rt.handles.clear();
        let Some(args) = args else {
            while let Some(clinit) = self.next_clinit(main_class) {
                self.push_frame(clinit, 0, 0)?;
                self.execute(0)?;
            }
            self.push_frame(main, 0, 0)?;
            return self.execute(0);
        };
        // String[] args, built while rooted in a handle.
        let arr = self.alloc_array(STRING_ARRAY, args.len() as u32)?;
        self.rt.handles.push(arr);
        for (i, a) in args.iter().enumerate() {
            let s = self.new_string_str(a)?;
            let arr = *self.rt.handles.last().unwrap_or(&Ref::NULL);
            self.heap.write_ref(
                arr,
                Heap::elem_offset(semeru_gc::ElemKind::Ref, i as u32),
                s,
            );
        }
        // The main class is initialized before `main` starts (its static
        // initializers run with no caller frame, the args array held in a handle).
        while let Some(clinit) = self.next_clinit(main_class) {
            let (bp, br) = self.frame_tops();
            // `main` has not started: it resumes at pc 0 after the initializer.
            self.mark_reexec();
            self.push_frame(clinit, bp, br)?;
            self.execute(0)?;
        }
        let arr = self.rt.handles.pop().unwrap_or_default();
        self.rt.regs.set(0, arr);
        self.push_frame(main, 0, 0)?;
        self.execute(0)
    }

    /// Calls `method` from a native with the given arguments, on top of the current
    /// frames, and runs it to completion (a nested dispatch loop).
    pub(crate) fn invoke(&mut self, method: u32, refs: &[Ref], prims: &[u64]) -> Result<(), Ctl> {
        let (bp, br) = self.frame_tops();
        for (i, v) in prims.iter().enumerate() {
            self.prims.set(bp + i, *v);
        }
        for (i, v) in refs.iter().enumerate() {
            self.rt.regs.set(br + i, *v);
        }
        // Each nested call recurses in Rust; bound it well below any thread stack.
        if self.nested >= MAX_NESTED {
            return Err(self.raise(semeru_stdlib::builtins::STACK_OVERFLOW_ERROR, None));
        }
        let depth = self.frames.len();
        // The caller's pc stays at its call site while the callee runs.
        self.mark_reexec();
        self.push_frame(method, bp, br)?;
        self.nested += 1;
        let r = self.execute(depth);
        self.nested -= 1;
        r
    }

    /// Makes the top frame resume at its current `pc` (not the next one) when the
    /// frame about to be pushed on it returns.
    fn mark_reexec(&mut self) {
        if let Some(f) = self.frames.last_mut() {
            f.reexec = true;
        }
    }

    /// The first free primitive and reference register above the top frame.
    pub(crate) fn frame_tops(&self) -> (usize, usize) {
        match self.frames.last() {
            Some(f) => {
                let c = calls::code_of(&self.prog.methods[f.method as usize]);
                (
                    f.base_p as usize + c.regs_p as usize,
                    f.base_r as usize + c.regs_r as usize,
                )
            }
            None => (0, 0),
        }
    }
}
