//! The per-method compilation context: scopes of locals, definite-assignment
//! and reachability state, jump targets of `break`/`continue`, and the emitter.

use super::classes::MId;
use super::emit::{Emitter, Label};
use super::generics::GTy;
use super::state::Compiler;
use super::types::{Const, Ty};
use crate::ast::Block;
use crate::diag::Span;
use semeru_gc::ClassId;

/// What kind of body is being compiled (for `final` field assignment rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    Method,
    /// A constructor or instance initializer code.
    Ctor,
    /// `<clinit>`: static initializers.
    Clinit,
    /// Speculative checking of a field initializer for its constant value.
    ConstEval,
}

pub struct Local {
    pub name: String,
    pub ty: Ty,
    pub reg: u16,
    pub is_final: bool,
    /// Declared with an initializer (or a parameter).
    pub initialized: bool,
    pub constant: Option<Const>,
    /// The declared generic type, when generic.
    pub g: Option<GTy>,
}

/// Definite-assignment state: which locals are definitely assigned. `all` is
/// the vacuous state after a statement that cannot complete normally.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Da {
    pub all: bool,
    pub set: Vec<bool>,
}

impl Da {
    pub fn all() -> Da {
        Da {
            all: true,
            set: Vec::new(),
        }
    }
    pub fn has(&self, i: usize) -> bool {
        self.all || self.set.get(i).copied().unwrap_or(false)
    }
    pub fn add(&mut self, i: usize) {
        if self.all {
            return;
        }
        if self.set.len() <= i {
            self.set.resize(i + 1, false);
        }
        self.set[i] = true;
    }
    pub fn meet(&self, o: &Da) -> Da {
        if self.all {
            return o.clone();
        }
        if o.all {
            return self.clone();
        }
        let n = self.set.len().max(o.set.len());
        Da {
            all: false,
            set: (0..n).map(|i| self.has(i) && o.has(i)).collect(),
        }
    }
}

/// A statement that `break` (and maybe `continue`) can target.
pub struct JumpTarget {
    pub label: Option<String>,
    /// Loops accept `continue`; switches and labelled blocks only `break`.
    pub is_loop: bool,
    pub is_switch: bool,
    pub brk: Label,
    pub cont: Option<Label>,
    pub broken: bool,
    pub continued: bool,
    pub break_da: Da,
    /// Number of enclosing `try` statements when the target was entered.
    pub try_depth: usize,
}

/// A `try` statement (or one of its `catch` clauses) being compiled: the code
/// ranges its handlers protect, and the `finally` block that exits inline.
pub struct TryRec {
    pub finally: Option<Block>,
    /// `scopes.len()` and `targets.len()` outside the statement: an inlined
    /// `finally` sees only the names and jump targets around the statement.
    pub scope_depth: usize,
    pub target_depth: usize,
    /// Start of the protected range being built, `None` while suspended.
    pub open: Option<u32>,
    pub segs: Vec<(u32, u32)>,
}

impl TryRec {
    pub fn close(&mut self, pc: u32) {
        if let Some(s) = self.open.take() {
            if s < pc {
                self.segs.push((s, pc));
            }
        }
    }
}

pub struct FnCx<'a, 'g> {
    pub g: &'g mut Compiler<'a>,
    pub class: ClassId,
    pub method: Option<MId>,
    /// A static context (static method, static initializer, static field init).
    pub is_static: bool,
    pub kind: BodyKind,
    /// `m(int,String)` for messages.
    pub method_desc: String,
    pub ret: Ty,
    pub locals: Vec<Local>,
    pub scopes: Vec<Vec<usize>>,
    pub em: Emitter,
    pub reachable: bool,
    pub da: Da,
    pub targets: Vec<JumpTarget>,
    /// Inside the arguments of an explicit `this(...)`/`super(...)` call.
    pub in_ctor_call: bool,
    /// Enclosing `try` statements, innermost last.
    pub tries: Vec<TryRec>,
    /// The target type of the expression about to be checked (an initializer,
    /// assignment or `return`), for the diamond and generic method inference.
    pub expect: Option<GTy>,
    /// Explicit type arguments of the call being checked (`Main.<String>id(x)`).
    pub explicit_targs: Option<Vec<GTy>>,
    /// The element type of the array a generic varargs call builds (`T...`
    /// with `T` inferred as `String` makes a `String[]`, as javac does).
    pub vararg_elem: Option<Ty>,
    /// Enclosing switch expressions, innermost last (targets of `yield`).
    pub yields: Vec<super::switch_expr::YieldCx>,
    /// Pattern binding variables declared so far: (local index, name); see
    /// `patterns.rs`.
    pub bindings: Vec<(usize, String)>,
}

impl<'a, 'g> FnCx<'a, 'g> {
    pub fn new(
        g: &'g mut Compiler<'a>,
        class: ClassId,
        is_static: bool,
        kind: BodyKind,
    ) -> FnCx<'a, 'g> {
        let mut em = Emitter::default();
        if !is_static {
            // r0 is `this`.
            em.alloc_r();
        }
        FnCx {
            g,
            class,
            method: None,
            is_static,
            kind,
            method_desc: String::new(),
            ret: Ty::Void,
            locals: Vec::new(),
            scopes: vec![Vec::new()],
            em,
            reachable: true,
            da: Da::default(),
            targets: Vec::new(),
            in_ctor_call: false,
            tries: Vec::new(),
            expect: None,
            explicit_targs: None,
            vararg_elem: None,
            yields: Vec::new(),
            bindings: Vec::new(),
        }
    }

    pub fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    /// Leaves a scope, freeing its locals' registers.
    pub fn pop_scope(&mut self) {
        let Some(scope) = self.scopes.pop() else {
            return;
        };
        let mut m = self.em.mark();
        for &i in &scope {
            let l = &self.locals[i];
            if l.ty.is_prim() {
                m.p = m.p.min(l.reg);
            } else {
                m.r = m.r.min(l.reg);
            }
        }
        self.em.release(m);
    }

    pub fn find_local(&self, name: &str) -> Option<usize> {
        if name.is_empty() {
            return None;
        }
        for s in self.scopes.iter().rev() {
            for &i in s.iter().rev() {
                if self.locals[i].name == name {
                    return Some(i);
                }
            }
        }
        None
    }

    /// Declares a local in the innermost scope, giving it the next register.
    pub fn declare_local(
        &mut self,
        name: &str,
        ty: Ty,
        span: Span,
        is_final: bool,
        initialized: bool,
    ) -> usize {
        if !name.is_empty() && self.find_local(name).is_some() {
            let m = self.method_desc.clone();
            self.g.error(
                span,
                format!("variable {name} is already defined in method {m}"),
            );
        }
        let reg = if ty.is_prim() {
            self.em.alloc_p().0
        } else {
            self.em.alloc_r().0
        };
        let i = self.locals.len();
        self.locals.push(Local {
            name: name.to_string(),
            ty,
            reg,
            is_final,
            initialized,
            constant: None,
            g: None,
        });
        if let Some(s) = self.scopes.last_mut() {
            s.push(i);
        }
        if initialized {
            self.da.add(i);
        }
        i
    }

    pub fn line(&mut self, span: Span) {
        let l = self.g.line_of(span);
        self.em.set_line(l);
    }

    pub fn display(&self, t: &Ty) -> String {
        self.g.table.display(t)
    }
}
