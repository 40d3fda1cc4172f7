//! Evaluating one input: classify it, build the next session and the synthetic
//! program, compile it (dropping earlier snippets that no longer compile after a
//! redefinition), replay the earlier statements with their output discarded,
//! then run the new input with its output shown.

use super::classify::{classify, ExprPiece, MethodPiece, Piece, VarsPiece};
use super::session::{
    show_call, ClassDef, MainBody, MethodDef, Parked, Session, StmtDef, VarDef, REPLAY_PREFIX,
    SESSION_CLASS,
};
use super::synth::{relocate, Code, Synth};
use semeru_gc::HeapConfig;
use semeru_lang::diag::{self, Diagnostic, Severity, Span};
use semeru_vm::interp::interrupt;
use semeru_vm::program::{Body, MethodId, Program};
use semeru_vm::{Completion, Vm};
use std::collections::HashSet;
use std::io::Write;
use std::rc::Rc;

/// The file name diagnostics and stack traces give for what was typed.
pub const INPUT_NAME: &str = "input";
/// The source-file name in stack traces.
const TRACE_FILE: &str = "repl";
/// The type a probe assigns an expression to, to learn its static type from the
/// "incompatible types" message.
const PROBE_TYPE: &str = "boolean[][][]";
/// Bound on rounds of dropping stale earlier snippets after a redefinition.
const MAX_DROP_ROUNDS: usize = 64;

/// What the REPL does after an input.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// `System.exit(code)` ran: the session ends with that status.
    Exit(i32),
}

/// How one piece went.
enum Step {
    Done,
    Failed,
    Exit(i32),
}

pub struct Engine {
    pub session: Session,
    pub heap: HeapConfig,
    /// The VM of the last run (for `:heap`).
    pub last_vm: Option<Vm>,
    /// Print "created method ..." feedback (interactive sessions).
    pub feedback: bool,
    /// The input being evaluated (diagnostics are rendered against it).
    input: Rc<str>,
}

/// The static type of an expression, as found by a probe compilation.
enum Probed {
    Void,
    Type(String),
}

impl Engine {
    pub fn new(heap: HeapConfig, feedback: bool) -> Engine {
        Engine {
            session: Session::default(),
            heap,
            last_vm: None,
            feedback,
            input: Rc::from(""),
        }
    }

    /// Evaluates one complete input.
    pub fn eval(&mut self, input: &str) -> Flow {
        let src: Rc<str> = Rc::from(input);
        self.input = Rc::clone(&src);
        let pieces = match classify(input) {
            Ok(p) => p,
            Err(ds) => {
                report(&src, &ds);
                return Flow::Continue;
            }
        };
        let mut pieces = pieces.into_iter().peekable();
        while let Some(p) = pieces.next() {
            let step = match p {
                Piece::Import => Step::Done,
                Piece::Classes(cs) => self.classes(&src, cs),
                Piece::Method(m) => {
                    let mut ms = vec![m];
                    while let Some(Piece::Method(m)) =
                        pieces.next_if(|p| matches!(p, Piece::Method(_)))
                    {
                        ms.push(m);
                    }
                    self.methods(&src, ms)
                }
                Piece::Vars(v) => self.vars(&src, v),
                Piece::Expr(e) => self.expr(&src, e),
                Piece::Stmt(r) => self.stmt(&src, r),
            };
            match step {
                Step::Done => {}
                Step::Failed => break,
                Step::Exit(c) => return Flow::Exit(c),
            }
        }
        Flow::Continue
    }

    fn stmt(&mut self, src: &Rc<str>, r: std::ops::Range<usize>) -> Step {
        let mut next = self.session.clone();
        let id = next.fresh_id();
        let complete = src
            .get(r.clone())
            .is_some_and(|t| t.trim_end().ends_with([';', '}']));
        let mut code = Code::new(src).orig(r);
        if !complete {
            // `while (c) x++` typed without its final `;`.
            code = code.gen(";");
        }
        let main = MainBody {
            parts: vec![(id, code.clone())],
        };
        self.run_input(next, main, &[id], vec![StmtDef { id, code }])
    }

    /// After Ctrl-C (on a terminal the `^C` echo ends no line).
    fn interrupted(&self) {
        if self.feedback {
            errln!();
        }
        errln!("interrupted");
    }

    fn say(&self, what: &str) {
        if self.feedback {
            outln!("|  {what}");
        }
    }

    fn classes(&mut self, src: &Rc<str>, cs: Vec<(String, std::ops::Range<usize>)>) -> Step {
        let mut next = self.session.clone();
        let mut ids = Vec::new();
        let mut said = Vec::new();
        let mut parked = Vec::new();
        for (name, r) in cs {
            let id = next.fresh_id();
            ids.push(id);
            let kind = if src.get(r.clone()).is_some_and(is_interface) {
                "interface"
            } else {
                "class"
            };
            let def = ClassDef {
                id,
                name: name.clone(),
                code: Code::new(src).orig(r),
            };
            parked.push(Parked::Class(def.clone()));
            let replaced = next.define_class(def);
            said.push(format!(
                "{} {kind} {name}",
                if replaced { "replaced" } else { "created" }
            ));
        }
        self.define(next, &ids, parked, said)
    }

    /// Commits definitions `next` (the input's items `ids`) if they compile; if
    /// they only lack other declarations, keeps `parked` until they compile.
    fn define(
        &mut self,
        mut next: Session,
        ids: &[u64],
        parked: Vec<Parked>,
        said: Vec<String>,
    ) -> Step {
        match self.try_check(&mut next, &MainBody::default(), ids) {
            Ok(_) => {
                self.session = next;
                for s in said {
                    self.say(&s);
                }
                self.activate();
                Step::Done
            }
            Err(ds) if !ds.is_empty() && ds.iter().all(is_missing_symbol) => {
                let names: Vec<String> = parked.iter().map(Parked::describe).collect();
                for p in parked {
                    self.session.park(p);
                }
                self.activate();
                for name in names {
                    if self.session.pending.iter().any(|p| p.describe() == name) {
                        errln!(
                            "note: {name} is kept, but cannot be used until it compiles: {}",
                            ds[0].message
                        );
                    }
                }
                Step::Done
            }
            Err(ds) => {
                if !ds.is_empty() {
                    report(&self.input, &ds);
                }
                Step::Failed
            }
        }
    }

    /// Moves waiting declarations into the session once they compile (one by
    /// one, then all together for mutual references).
    fn activate(&mut self) {
        while !self.session.pending.is_empty() {
            let waiting = std::mem::take(&mut self.session.pending);
            let mut still = Vec::new();
            let mut progress = false;
            for p in waiting {
                let mut next = self.session.clone();
                next.unpark(p.clone());
                if compiles(&next) {
                    self.session = next;
                    self.say(&format!("{} can now be used", p.describe()));
                    progress = true;
                } else {
                    still.push(p);
                }
            }
            if !progress && still.len() > 1 {
                let mut next = self.session.clone();
                for p in &still {
                    next.unpark(p.clone());
                }
                if compiles(&next) {
                    self.session = next;
                    for p in still.drain(..) {
                        self.say(&format!("{} can now be used", p.describe()));
                    }
                    progress = true;
                }
            }
            self.session.pending = still;
            if !progress {
                break;
            }
        }
    }

    /// Methods typed together are defined together (they may call each other).
    fn methods(&mut self, src: &Rc<str>, ms: Vec<MethodPiece>) -> Step {
        let mut next = self.session.clone();
        let mut ids = Vec::new();
        let mut said = Vec::new();
        let mut parked = Vec::new();
        for m in ms {
            if m.key.starts_with('$')
                || matches!(m.key.as_str(), "main(String[])" | "main(String...)")
            {
                let d = Diagnostic::error(
                    Span::new(m.range.start, m.range.end),
                    format!("`{}` is reserved by the session", m.key),
                )
                .with_note("session methods must not be named `main(String[])` or start with `$`");
                report(src, &[d]);
                return Step::Failed;
            }
            let id = next.fresh_id();
            ids.push(id);
            let code = if m.is_static {
                Code::new(src).orig(m.range)
            } else {
                Code::new(src).gen("static ").orig(m.range)
            };
            let def = MethodDef {
                id,
                key: m.key.clone(),
                code,
            };
            parked.push(Parked::Method(def.clone()));
            let replaced = next.define_method(def);
            said.push(format!(
                "{} method {}",
                if replaced { "replaced" } else { "created" },
                m.key
            ));
        }
        self.define(next, &ids, parked, said)
    }

    fn vars(&mut self, src: &Rc<str>, v: VarsPiece) -> Step {
        let mut next = self.session.clone();
        let mut current = Vec::new();
        let mut main = MainBody::default();
        let mut stored = Vec::new();
        let base_ty = v.ty.as_ref().map(|r| Code::new(src).orig(r.clone()));
        for d in &v.decls {
            let id = next.fresh_id();
            current.push(id);
            let dims = "[]".repeat(d.extra_dims as usize);
            let ty = match (&base_ty, &d.new_type) {
                (Some(t), _) => t.clone().gen(dims.clone()),
                (None, Some(t)) => Code::new(src).orig(t.clone()),
                (None, None) => {
                    // `var x = e;`: compile the declaration as typed, as a local, and
                    // learn x's type from a probe assignment.
                    let semi = match src.get(v.range.clone()) {
                        Some(t) if t.trim_end().ends_with(';') => "",
                        _ => ";",
                    };
                    let probe = Code::new(src)
                        .orig(v.range.clone())
                        .gen(format!("{semi} {PROBE_TYPE} $probe = {};", d.name));
                    // `var w;` is reported as such, not also as unassigned.
                    let noise = format!("variable {} might not have been initialized", d.name);
                    match self.probe(&next, probe, &current, Some(&noise)) {
                        Some(Probed::Type(t)) => Code::new(src).gen(t),
                        Some(Probed::Void) | None => return Step::Failed,
                    }
                }
            };
            let ty_text = ty.text();
            next.define_var(VarDef {
                id,
                name: d.name.clone(),
                ty: ty.clone(),
            });
            let assign = match &d.init {
                Some(init) if d.array_init => Code::new(src)
                    .gen(format!("{} = new {ty_text}", d.name))
                    .orig(init.clone())
                    .gen(";"),
                Some(init) => Code::new(src)
                    .gen(format!("{} = ", d.name))
                    .orig(init.clone())
                    .gen(";"),
                None => Code::new(src)
                    .gen(format!("{} = {};", d.name, default_value(&ty_text)))
                    .orig(v.range.start..v.range.start),
            };
            stored.push(StmtDef {
                id,
                code: assign.clone(),
            });
            main.parts.push((id, assign));
            main.parts.push((id, echo(src, &d.name, &ty_text, &d.name)));
        }
        self.run_input(next, main, &current, stored)
    }

    fn expr(&mut self, src: &Rc<str>, e: ExprPiece) -> Step {
        let mut next = self.session.clone();
        let id = next.fresh_id();
        let as_stmt = Code::new(src).orig(e.range.clone()).gen(";");
        let ty = if e.is_null {
            Probed::Type("Object".into())
        } else if let Some(t) = e.new_type.as_ref().and_then(|r| src.get(r.clone())) {
            Probed::Type(t.to_string())
        } else {
            let probe = Code::new(src)
                .gen(format!("{PROBE_TYPE} $probe = ("))
                .orig(e.range.clone())
                .gen(");");
            match self.probe(&next, probe, &[id], None) {
                Some(t) => t,
                None => return Step::Failed,
            }
        };
        let ty = match ty {
            Probed::Void => {
                let main = MainBody {
                    parts: vec![(id, as_stmt.clone())],
                };
                let stored = vec![StmtDef { id, code: as_stmt }];
                return self.run_input(next, main, &[id], stored);
            }
            Probed::Type(t) => t,
        };
        // `x = 5` and `x` echo `x ==> 5`.
        if let Some(name) = e.var.as_ref().filter(|n| next.var(n).is_some()) {
            let var_ty = next.var(name).map(|v| v.ty.text()).unwrap_or_default();
            let echo = (id, echo(src, name, &var_ty, name));
            let (parts, stored) = if e.is_statement {
                (
                    vec![(id, as_stmt.clone()), echo],
                    vec![StmtDef { id, code: as_stmt }],
                )
            } else {
                (vec![echo], Vec::new())
            };
            return self.run_input(next, MainBody { parts }, &[id], stored);
        }
        // A value: kept in a new session variable `$N`.
        let name = format!("${}", next.values + 1);
        next.values += 1;
        let assign = Code::new(src)
            .gen(format!("{name} = ("))
            .orig(e.range.clone())
            .gen(");");
        let mut with_var = next.clone();
        with_var.define_var(VarDef {
            id,
            name: name.clone(),
            ty: Code::new(src).gen(ty.clone()),
        });
        let main = MainBody {
            parts: vec![(id, assign.clone()), (id, echo(src, &name, &ty, &name))],
        };
        let quiet = with_var.synthesize(&main);
        if semeru_lang::compile_source(TRACE_FILE, &quiet.text).is_ok() {
            let stored = vec![StmtDef { id, code: assign }];
            return self.run_input(with_var, main, &[id], stored);
        }
        // The type cannot be named in a declaration: echo without a variable.
        let show = show_call(&ty, "$v");
        let (pre, post) = show.split_once("$v").unwrap_or((&show, ""));
        let echo_only = Code::new(src)
            .gen(format!("System.out.println(\"{name} ==> \" + {pre}("))
            .orig(e.range.clone())
            .gen(format!("){post});"));
        let main = MainBody {
            parts: vec![(id, echo_only)],
        };
        let stored = if e.is_statement {
            vec![StmtDef { id, code: as_stmt }]
        } else {
            Vec::new()
        };
        self.run_input(next, main, &[id], stored)
    }

    /// Compiles `next` with `probe` as `main`; returns the probed type, or `None`
    /// after reporting errors in the input.
    fn probe(
        &self,
        next: &Session,
        probe: Code,
        current: &[u64],
        ignore: Option<&str>,
    ) -> Option<Probed> {
        let id = *current.last()?;
        let main = MainBody {
            parts: vec![(id, probe)],
        };
        let synth = next.synthesize(&main);
        let diags = match semeru_lang::compile_source(TRACE_FILE, &synth.text) {
            Ok(_) => return Some(Probed::Type(PROBE_TYPE.into())),
            Err(d) => d,
        };
        let suffix = format!(" cannot be converted to {PROBE_TYPE}");
        let mut found = None;
        let mut errors = Vec::new();
        for d in diags {
            if d.severity != Severity::Error || ignore == Some(d.message.as_str()) {
                continue;
            }
            if let Some(t) = d
                .message
                .strip_prefix("incompatible types: ")
                .and_then(|m| m.strip_suffix(&suffix))
            {
                found = Some(Probed::Type(t.to_string()));
            } else if d.message == "incompatible types: void cannot be converted to a value"
                && found.is_none()
                && errors.is_empty()
            {
                found = Some(Probed::Void);
            } else {
                errors.push(d);
            }
        }
        if errors.is_empty() {
            if let Some(f) = found {
                return Some(f);
            }
        }
        let src = Rc::clone(&self.input);
        let input = input_errors(&synth, &errors, &src);
        report(&src, &input);
        None
    }

    /// Compiles the session `next` with `main`; earlier snippets that no longer
    /// compile are dropped (with a note). `None` after reporting errors in the
    /// items `current` (the input).
    fn check(
        &self,
        next: &mut Session,
        main: &MainBody,
        current: &[u64],
    ) -> Option<(Program, Synth)> {
        match self.try_check(next, main, current) {
            Ok(r) => Some(r),
            Err(ds) => {
                if !ds.is_empty() {
                    report(&self.input, &ds);
                }
                None
            }
        }
    }

    /// [`Engine::check`] without reporting: the errors in the input (relative
    /// to it; empty when they were reported already).
    fn try_check(
        &self,
        next: &mut Session,
        main: &MainBody,
        current: &[u64],
    ) -> Result<(Program, Synth), Vec<Diagnostic>> {
        let current: HashSet<u64> = current.iter().copied().collect();
        for _ in 0..MAX_DROP_ROUNDS {
            let synth = next.synthesize(main);
            let diags = match semeru_lang::compile_source(TRACE_FILE, &synth.text) {
                Ok(p) => return Ok((p, synth)),
                Err(d) => d,
            };
            let mut input = Vec::new();
            let mut stale = Vec::new();
            for d in diags.into_iter().filter(|d| d.severity == Severity::Error) {
                match synth.origin(d.span) {
                    Some(o) if !current.contains(&o.item) => stale.push(o.item),
                    Some(o) => input.push(relocate(d, &o)),
                    None => input.push(d),
                }
            }
            if !input.is_empty() || stale.is_empty() {
                return Err(whole_input_fallback(input, &self.input));
            }
            for id in stale {
                if let Some(text) = next.remove(id) {
                    errln!("note: dropped `{}`: it no longer compiles", one_line(&text));
                }
            }
        }
        errln!("error: the session no longer compiles");
        Err(Vec::new())
    }

    /// Compiles `next` with `main`, replays, runs; on success `next` (plus
    /// `stored`, the statements to replay from now on) becomes the session.
    fn run_input(
        &mut self,
        mut next: Session,
        main: MainBody,
        current: &[u64],
        stored: Vec<StmtDef>,
    ) -> Step {
        let Some((mut program, synth)) = self.check(&mut next, &main, current) else {
            return Step::Failed;
        };
        remap_lines(&mut program, &synth, &next);
        let replay: Vec<(u64, Option<MethodId>)> = next
            .stmts
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    s.id,
                    session_method(&program, &format!("{REPLAY_PREFIX}{i}")),
                )
            })
            .collect();
        if interrupt::pending() {
            self.interrupted();
            return Step::Failed;
        }
        let mut vm = match Vm::new(program, self.heap.clone()) {
            Ok(vm) => vm,
            Err(e) => {
                errln!("error: {e}");
                return Step::Failed;
            }
        };
        // Replay: earlier statements rebuild the session's variables.
        let mut dropped = Vec::new();
        vm.discard_stdout(true);
        for (id, m) in replay {
            let Some(m) = m else { continue };
            vm.capture_output();
            let r = vm.run_entry(m, None);
            let captured = vm.take_output().unwrap_or_default();
            let why = match r {
                Ok(Completion::Returned) => continue,
                Ok(Completion::Uncaught) => "threw an exception",
                Ok(Completion::Exited(_)) => "called System.exit",
                Err(e) if e.is_interrupted() => {
                    // It would hang every later input as well: drop it.
                    let text = next
                        .stmts
                        .iter()
                        .find(|s| s.id == id)
                        .map(|s| s.code.text());
                    self.interrupted();
                    errln!(
                        "(while replaying `{}`: dropped it from the session)",
                        one_line(&text.unwrap_or_default())
                    );
                    self.session.remove(id);
                    self.last_vm = Some(vm);
                    return Step::Failed;
                }
                Err(e) => {
                    errln!("error: {e}");
                    return Step::Failed;
                }
            };
            let text = next
                .stmts
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.code.text());
            errln!(
                "note: dropped `{}`: replaying it {why}",
                one_line(&text.unwrap_or_default())
            );
            let _ = std::io::stderr().write_all(&captured.stderr);
            dropped.push(id);
        }
        vm.discard_stdout(false);
        // On a terminal, output shows as it is printed (a long loop, Ctrl-C).
        vm.line_buffered_stdout(self.feedback);
        for id in &dropped {
            next.remove(*id);
            self.session.remove(*id);
        }
        let main_id = vm.program().main;
        let r = vm.run_entry(main_id, Some(&[]));
        self.last_vm = Some(vm);
        match r {
            Ok(Completion::Returned) => {
                // Ids of their own: the input's items (a variable and its
                // initializing statement) shared one while compiling.
                for mut st in stored {
                    st.id = next.fresh_id();
                    next.stmts.push(st);
                }
                self.session = next;
                // A new variable may be what a waiting method lacked.
                self.activate();
                Step::Done
            }
            Ok(Completion::Uncaught) => Step::Failed,
            Ok(Completion::Exited(c)) => Step::Exit(c),
            Err(e) if e.is_interrupted() => {
                self.interrupted();
                Step::Failed
            }
            Err(e) => {
                errln!("semeru: internal error: {e}");
                Step::Failed
            }
        }
    }

    /// The current session compiled (for `:disasm`), or `None` after reporting why not.
    pub fn program(&self) -> Option<Program> {
        let mut next = self.session.clone();
        let (mut p, synth) = self.check(&mut next, &MainBody::default(), &[])?;
        remap_lines(&mut p, &synth, &next);
        Some(p)
    }
}

/// Whether the session compiles as it is.
fn compiles(s: &Session) -> bool {
    semeru_lang::compile_source(TRACE_FILE, &s.synthesize(&MainBody::default()).text).is_ok()
}

/// "cannot find symbol": the declaration may compile once another one exists.
fn is_missing_symbol(d: &Diagnostic) -> bool {
    d.message.starts_with("cannot find symbol")
}

/// The method `name` of the session class.
fn session_method(p: &Program, name: &str) -> Option<MethodId> {
    p.methods
        .iter()
        .position(|m| {
            m.name == name
                && p.classes
                    .get(m.class.0 as usize)
                    .is_some_and(|c| c.name == SESSION_CLASS)
                && matches!(m.body, Body::Code(_))
        })
        .map(|i| MethodId(i as u16))
}

/// Stack-trace lines: relative to the snippet each method or statement was typed in.
fn remap_lines(p: &mut Program, synth: &Synth, s: &Session) {
    p.source_file = TRACE_FILE.into();
    let ours = |name: &str| {
        name == SESSION_CLASS
            || s.classes.iter().any(|c| {
                name == c.name
                    || name
                        .strip_prefix(c.name.as_str())
                        .is_some_and(|r| r.starts_with('$'))
            })
    };
    let ours: Vec<bool> = p.classes.iter().map(|c| ours(&c.name)).collect();
    for m in &mut p.methods {
        if !ours.get(m.class.0 as usize).copied().unwrap_or(false) {
            continue;
        }
        if let Body::Code(code) = &mut m.body {
            let lines = std::mem::take(&mut code.lines);
            code.lines = lines
                .into_iter()
                .filter_map(|(pc, l)| synth.snippet_line(l).map(|l| (pc, l)))
                .collect();
        }
    }
}

/// `System.out.println("x ==> " + $show(x));`
fn echo(src: &Rc<str>, label: &str, ty: &str, expr: &str) -> Code {
    Code::new(src).gen(format!(
        "System.out.println(\"{label} ==> \" + {});",
        show_call(ty, expr)
    ))
}

/// Java's default value for a variable of type `ty`.
fn default_value(ty: &str) -> &'static str {
    match ty.trim() {
        "boolean" => "false",
        "byte" | "short" | "char" | "int" | "long" | "float" | "double" => "0",
        _ => "null",
    }
}

fn is_interface(text: &str) -> bool {
    let head = text.split('{').next().unwrap_or("");
    head.split_whitespace().any(|w| w == "interface")
}

fn one_line(s: &str) -> String {
    let s: Vec<&str> = s.split_whitespace().collect();
    let s = s.join(" ");
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}...")
    } else {
        s
    }
}

/// Errors mapped into the input; those in glue point at the whole input.
fn input_errors(synth: &Synth, diags: &[Diagnostic], src: &Rc<str>) -> Vec<Diagnostic> {
    let out = diags
        .iter()
        .map(|d| match synth.origin(d.span) {
            Some(o) => relocate(d.clone(), &o),
            None => d.clone(),
        })
        .collect();
    whole_input_fallback(out, src)
}

/// Diagnostics must point into `src`; any that cannot are put on the whole input.
fn whole_input_fallback(mut ds: Vec<Diagnostic>, src: &str) -> Vec<Diagnostic> {
    for d in &mut ds {
        if d.span.hi as usize > src.len() {
            d.span = Span::new(0, src.trim_end().len());
        }
    }
    if ds.is_empty() {
        ds.push(Diagnostic::error(
            Span::new(0, src.trim_end().len()),
            "this input does not compile in the session",
        ));
    }
    ds
}

/// Prints diagnostics rustc-style against the input as typed (without the
/// "could not compile" summary line).
pub fn report(src: &str, ds: &[Diagnostic]) {
    let mut ds = ds.to_vec();
    ds.sort_by_key(|d| d.span.lo);
    ds.dedup();
    let text = diag::render(INPUT_NAME, src, &ds);
    let text: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("error: could not compile"))
        .collect();
    let mut text = text.join("\n");
    while text.ends_with('\n') {
        text.pop();
    }
    errln!("{text}");
}
