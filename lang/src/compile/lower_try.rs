//! `try`/`catch`/`finally` and `throw`, compiled as javac does: the `finally`
//! block is inlined on every normal exit (end of the `try` block or of a
//! `catch`, `return`, `break`, `continue`), and a catch-all handler covering
//! the `try` block and the `catch` clauses (but not the inlined copies) runs it
//! once more before rethrowing.

use super::body::{Da, FnCx, TryRec};
use super::emit::PendingHandler;
use super::types::Ty;
use crate::ast::{Block, CatchClause, Expr};
use crate::diag::{Diagnostic, Span};
use semeru_gc::ClassId;
use semeru_stdlib::builtins::{OBJECT, THROWABLE};
use semeru_vm::insn::{Insn, R};

impl<'a> FnCx<'a, '_> {
    /// Whether a `return` here runs some `finally` block.
    pub fn has_finally(&self) -> bool {
        self.tries.iter().any(|t| t.finally.is_some())
    }

    /// Leaves the `try` statements above depth `down_to` (innermost first): each
    /// one's protected range is suspended and its `finally` block inlined. Stops
    /// early when a `finally` cannot complete normally.
    pub fn exit_tries(&mut self, down_to: usize) {
        if self.tries.len() <= down_to {
            return;
        }
        for i in (down_to..self.tries.len()).rev() {
            let pc = self.em.pc();
            self.tries[i].close(pc);
            if !self.reachable {
                continue;
            }
            let Some(fin) = self.tries[i].finally.clone() else {
                continue;
            };
            let (sd, td) = (self.tries[i].scope_depth, self.tries[i].target_depth);
            let tail = self.tries.split_off(i);
            self.inline_finally(&fin, sd, td);
            self.tries.extend(tail);
        }
        let pc = self.em.pc();
        for t in &mut self.tries[down_to..] {
            t.open = Some(pc);
        }
    }

    /// Compiles a `finally` block in the name scope and jump targets of its
    /// `try` statement.
    fn inline_finally(&mut self, fin: &Block, scope_depth: usize, target_depth: usize) {
        let depth = scope_depth.min(self.scopes.len());
        let hidden_scopes = self.scopes.split_off(depth);
        let tdepth = target_depth.min(self.targets.len());
        let hidden_targets = self.targets.split_off(tdepth);
        // The hidden locals keep their registers: allocate above them.
        self.block(fin);
        self.scopes.extend(hidden_scopes);
        self.targets.extend(hidden_targets);
    }

    pub fn throw_stmt(&mut self, e: &Expr, span: Span) {
        let v = self.check_expr(e);
        if !v.ty.is_error() {
            let throwable = Ty::Class(ClassId(THROWABLE));
            if !v.ty.is_ref() || !self.g.table.ref_assignable(&v.ty, &throwable) {
                let tn = self.display(&v.ty);
                self.g.error(
                    e.span,
                    format!("incompatible types: {tn} cannot be converted to Throwable"),
                );
            } else {
                let m = self.em.mark();
                let r = self.lower(&v, None);
                self.line(span);
                self.em.emit(Insn::Throw { s: r.r() });
                self.em.release(m);
            }
        }
        self.reachable = false;
        self.da = Da::all();
    }

    /// The exception classes of a `catch` clause (several for a multi-catch).
    fn catch_types(&mut self, c: &CatchClause, earlier: &[ClassId]) -> Vec<ClassId> {
        let throwable = ClassId(THROWABLE);
        let mut out: Vec<ClassId> = Vec::new();
        for t in &c.types {
            match self.g.resolve_type(Some(self.class), t) {
                Ty::Class(k) if self.g.table.is_subclass(k, throwable) => {
                    if let Some(prev) = out.iter().find(|p| {
                        self.g.table.is_subclass(k, **p) || self.g.table.is_subclass(**p, k)
                    }) {
                        let (a, b) = (
                            self.g.table.class(k).display.clone(),
                            self.g.table.class(*prev).display.clone(),
                        );
                        let (sub, sup) = if self.g.table.is_subclass(k, *prev) {
                            (a, b)
                        } else {
                            (b, a)
                        };
                        self.g.report(
                            Diagnostic::error(
                                t.span,
                                "Alternatives in a multi-catch statement cannot be related by subclassing",
                            )
                            .with_note(format!("Alternative {sub} is a subclass of alternative {sup}")),
                        );
                        continue;
                    }
                    if earlier.iter().any(|p| self.g.table.is_subclass(k, *p)) {
                        let n = self.g.table.class(k).display.clone();
                        self.g
                            .error(t.span, format!("exception {n} has already been caught"));
                    }
                    out.push(k);
                }
                Ty::Error => {}
                other => {
                    let tn = self.display(&other);
                    self.g.error(
                        t.span,
                        format!("incompatible types: {tn} cannot be converted to Throwable"),
                    );
                }
            }
        }
        out
    }

    /// The static type of a catch parameter: its class, or for a multi-catch
    /// the closest common superclass.
    fn catch_param_ty(&self, classes: &[ClassId]) -> Ty {
        let Some((&first, rest)) = classes.split_first() else {
            return Ty::Error;
        };
        let mut chain = self.g.table.chain(first);
        for &k in rest {
            chain.retain(|c| self.g.table.is_subclass(k, *c));
        }
        Ty::Class(chain.first().copied().unwrap_or(ClassId(OBJECT)))
    }

    pub fn try_stmt(
        &mut self,
        body: &Block,
        catches: &[CatchClause],
        finally: Option<&Block>,
        span: Span,
    ) {
        if catches.is_empty() && finally.is_none() {
            self.g.error(
                span,
                "'try' without 'catch', 'finally' or resource declarations",
            );
        }
        let da0 = self.da.clone();
        let end = self.em.new_label();
        let scope_depth = self.scopes.len();
        let target_depth = self.targets.len();
        let new_rec = |open: u32| TryRec {
            finally: finally.cloned(),
            scope_depth,
            target_depth,
            open: Some(open),
            segs: Vec::new(),
        };

        // The try block.
        let pc = self.em.pc();
        self.tries.push(new_rec(pc));
        self.block(body);
        let mut rec = self.tries.pop().unwrap_or_else(|| new_rec(0));
        rec.close(self.em.pc());
        let body_segs = rec.segs;
        let mut covered = body_segs.clone();
        let mut any_normal = false;
        let mut da_out: Option<Da> = None;
        let mut join = |reachable: bool, da: &Da, da_out: &mut Option<Da>| {
            if reachable {
                any_normal = true;
                *da_out = Some(match da_out.take() {
                    Some(d) => d.meet(da),
                    None => da.clone(),
                });
            }
        };
        if self.reachable {
            if let Some(f) = finally {
                self.inline_finally(f, scope_depth, target_depth);
            }
            if self.reachable {
                self.em.jmp(end);
            }
        }
        join(self.reachable, &self.da.clone(), &mut da_out);

        // The catch clauses.
        let mut caught: Vec<ClassId> = Vec::new();
        for c in catches {
            let classes = self.catch_types(c, &caught);
            let pty = self.catch_param_ty(&classes);
            for o in &c.modifiers.other {
                self.g
                    .error(o.span, format!("modifier {} not allowed here", o.name));
            }
            self.reachable = true;
            self.da = da0.clone();
            self.push_scope();
            let local = self.declare_local(
                &c.name.name,
                pty,
                c.name.span,
                c.modifiers.final_ || classes.len() > 1,
                true,
            );
            let reg = R(self.locals[local].reg);
            let target = self.em.new_label();
            self.em.bind(target);
            for &(s, e) in &body_segs {
                for &k in &classes {
                    self.em.handlers.push(PendingHandler {
                        start: s,
                        end: e,
                        target,
                        class: Some(k),
                        reg,
                    });
                }
            }
            caught.extend(classes);
            self.line(c.span);
            let pc = self.em.pc();
            if finally.is_some() {
                self.tries.push(new_rec(pc));
            }
            self.block(&c.body);
            if finally.is_some() {
                let mut rec = self.tries.pop().unwrap_or_else(|| new_rec(0));
                rec.close(self.em.pc());
                covered.extend(rec.segs);
            }
            self.pop_scope();
            if self.reachable {
                if let Some(f) = finally {
                    self.inline_finally(f, scope_depth, target_depth);
                }
                if self.reachable {
                    self.em.jmp(end);
                }
            }
            join(self.reachable, &self.da.clone(), &mut da_out);
        }

        // The catch-all handler that runs `finally` for an exception.
        if let Some(f) = finally {
            self.reachable = true;
            self.da = da0.clone();
            self.push_scope();
            let local = self.declare_local("", Ty::Class(ClassId(THROWABLE)), span, false, true);
            let reg = R(self.locals[local].reg);
            let target = self.em.new_label();
            self.em.bind(target);
            for &(s, e) in &covered {
                self.em.handlers.push(PendingHandler {
                    start: s,
                    end: e,
                    target,
                    class: None,
                    reg,
                });
            }
            self.inline_finally(f, scope_depth, target_depth);
            let fin_completes = self.reachable;
            if self.reachable {
                self.em.emit(Insn::Throw { s: reg });
            }
            self.pop_scope();
            if !fin_completes {
                any_normal = false;
            }
        }
        self.em.bind(end);
        self.reachable = any_normal;
        self.da = da_out.unwrap_or_else(Da::all);
    }
}
