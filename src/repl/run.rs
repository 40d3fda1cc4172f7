//! Compiling, replaying and running: the synthetic program of an input is
//! compiled (dropping earlier snippets that no longer compile), earlier
//! statements are replayed on a fresh VM with their output discarded, then the
//! input runs with its output shown.

use super::exec::{Engine, Probed, Step, PROBE_TYPE, TRACE_FILE};
use super::session::{MainBody, Session, StmtDef, REPLAY_PREFIX, SESSION_CLASS};
use super::synth::{relocate, Code, Synth};
use semeru_lang::diag::{self, Diagnostic, Severity, Span};
use semeru_vm::interp::interrupt;
use semeru_vm::program::{Body, MethodId, Program};
use semeru_vm::{Completion, Vm};
use std::collections::HashSet;
use std::io::Write;
use std::rc::Rc;

/// The file name diagnostics and stack traces give for what was typed.
const INPUT_NAME: &str = "input";
/// Bound on rounds of dropping stale earlier snippets after a redefinition.
const MAX_DROP_ROUNDS: usize = 64;

impl Engine {
    /// Compiles `next` with `probe` as `main`; returns the probed type, or `None`
    /// after reporting errors in the input.
    pub(super) fn probe(
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
    pub(super) fn check(
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
    pub(super) fn try_check(
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
                // A library error (a Semeru bug) is never an earlier snippet's fault.
                if d.message.starts_with("in the standard library") {
                    input.push(d);
                    continue;
                }
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
    pub(super) fn run_input(
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
pub(super) fn compiles(s: &Session) -> bool {
    semeru_lang::compile_source(TRACE_FILE, &s.synthesize(&MainBody::default()).text).is_ok()
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
