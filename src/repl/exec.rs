//! Evaluating one input: classify it and turn each piece (classes, methods,
//! variables, an expression, a statement) into the next session and the code
//! the new input runs (see [`super::run`] for compiling and running it).

use super::classify::{classify, ExprPiece, MethodPiece, Piece, VarsPiece};
use super::run::{compiles, report};
use super::session::{show_call, ClassDef, MainBody, MethodDef, Parked, Session, StmtDef, VarDef};
use super::synth::Code;
use semeru_gc::HeapConfig;
use semeru_lang::diag::{Diagnostic, Span};
use semeru_vm::Vm;
use std::rc::Rc;

/// The source-file name in stack traces.
pub(super) const TRACE_FILE: &str = "repl";
/// The type a probe assigns an expression to, to learn its static type from the
/// "incompatible types" message.
pub(super) const PROBE_TYPE: &str = "boolean[][][]";

/// What the REPL does after an input.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// `System.exit(code)` ran: the session ends with that status.
    Exit(i32),
}

/// How one piece went.
pub(super) enum Step {
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
    pub(super) input: Rc<str>,
}

/// The static type of an expression, as found by a probe compilation.
pub(super) enum Probed {
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
    pub(super) fn interrupted(&self) {
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
            Err(ds)
                if !ds.is_empty()
                    && ds.iter().all(is_missing_symbol)
                    && !ds.iter().any(|d| self.names_session_member(d)) =>
            {
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
            Err(mut ds) => {
                for d in &mut ds {
                    if self.names_session_member(d) {
                        d.notes.push(
                            "a class reaches session variables and methods through the \
                             session class: `$Repl.name`"
                                .into(),
                        );
                    }
                }
                if !ds.is_empty() {
                    report(&self.input, &ds);
                }
                Step::Failed
            }
        }
    }

    /// "cannot find symbol: variable x" in a class, where x is a session
    /// variable or method (not in scope there: waiting would not help).
    fn names_session_member(&self, d: &Diagnostic) -> bool {
        let Some(what) = d.message.strip_prefix("cannot find symbol: ") else {
            return false;
        };
        let name = what
            .strip_prefix("variable ")
            .or_else(|| what.strip_prefix("method "))
            .map(|n| n.split('(').next().unwrap_or(n).trim());
        name.is_some_and(|n| self.session.names().iter().any(|s| s == n))
    }

    /// Moves waiting declarations into the session once they compile (one by
    /// one, then all together for mutual references).
    pub(super) fn activate(&mut self) {
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
}

/// "cannot find symbol": the declaration may compile once another one exists.
fn is_missing_symbol(d: &Diagnostic) -> bool {
    d.message.starts_with("cannot find symbol")
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
