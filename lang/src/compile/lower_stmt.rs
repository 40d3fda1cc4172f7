//! Checking and lowering of statements, with reachability (JLS 14.22) and
//! definite assignment (JLS 16, simplified) tracked along the way.

use super::body::{Da, FnCx, JumpTarget};
use super::classes::ClassTable;
use super::emit::{Label, Reg};
use super::generics::GTy;
use super::texpr::{TExpr, TK};
use super::types::{Const, Ty};
use crate::ast::{
    Block, Expr, ExprKind, Ident, Modifiers, Stmt, StmtKind, SwitchCase, TypeExprKind, UnOp,
};
use crate::diag::Span;
use semeru_vm::insn::{Cond, Insn, Pc, P};

impl<'a> FnCx<'a, '_> {
    pub fn block(&mut self, b: &Block) {
        self.push_scope();
        for s in &b.stmts {
            self.stmt(s);
        }
        self.pop_scope();
    }

    /// A sub-statement in its own scope.
    fn sub_stmt(&mut self, s: &Stmt) {
        self.push_scope();
        self.stmt(s);
        self.pop_scope();
    }

    pub fn stmt(&mut self, s: &Stmt) {
        if !self.reachable {
            self.g.error(s.span, "unreachable statement");
            self.reachable = true;
        }
        self.line(s.span);
        let mark = self.bindings.len();
        self.stmt_kind(s);
        // Pattern bindings do not outlive their statement, except those an
        // `if` introduces (it leaves them visible itself).
        if !matches!(s.kind, StmtKind::If { .. }) {
            let n = self.bindings.len();
            self.set_visible(mark, n, &[]);
        }
    }

    fn stmt_kind(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Block(b) => self.block(b),
            StmtKind::LocalVar {
                modifiers,
                ty,
                declarators,
            } => self.local_var(modifiers, ty, declarators),
            StmtKind::LocalClass(c) => self.g.unsupported(c.name.span, "a local class"),
            StmtKind::Expr(e) => {
                let ok = matches!(
                    &e.kind,
                    ExprKind::Assign { .. }
                        | ExprKind::Call { .. }
                        | ExprKind::SuperCall { .. }
                        | ExprKind::New { .. }
                        | ExprKind::Unary {
                            op: UnOp::PreInc | UnOp::PreDec | UnOp::PostInc | UnOp::PostDec,
                            ..
                        }
                        | ExprKind::Unsupported(_)
                );
                let t = self.check_expr(e);
                if !ok {
                    self.g.error(e.span, "not a statement");
                }
                self.lower_effect(&t);
            }
            StmtKind::If { cond, then, els } => self.if_stmt(cond, then, els.as_deref()),
            StmtKind::While { cond, body } => self.while_stmt(None, cond, body),
            StmtKind::DoWhile { body, cond } => self.do_stmt(None, body, cond),
            StmtKind::For {
                init,
                cond,
                update,
                body,
            } => self.for_stmt(None, init, cond.as_ref(), update, body),
            StmtKind::ForEach {
                modifiers,
                ty,
                name,
                iterable,
                body,
            } => self.foreach_stmt(None, modifiers, ty, name, iterable, body),
            StmtKind::Labeled { label, body } => self.labeled(label, body),
            StmtKind::Break(l) => self.break_stmt(l.as_ref(), s.span),
            StmtKind::Continue(l) => self.continue_stmt(l.as_ref(), s.span),
            StmtKind::Return(e) => self.return_stmt(e.as_ref(), s.span),
            StmtKind::Switch { scrutinee, cases } => {
                self.switch_stmt(None, scrutinee, cases, s.span)
            }
            StmtKind::CtorCall { is_super, .. } => {
                let w = if *is_super { "super" } else { "this" };
                self.g.error(
                    s.span,
                    format!("call to {w} must be first statement in constructor"),
                );
            }
            StmtKind::Throw(e) => self.throw_stmt(e, s.span),
            StmtKind::Try {
                resources,
                body,
                catches,
                finally,
            } => {
                if let Some(r) = resources.first() {
                    self.g.unsupported(r.span, "try-with-resources");
                }
                self.try_stmt(body, catches, finally.as_ref(), s.span)
            }
            StmtKind::Yield(e) => self.yield_stmt(e, s.span),
            StmtKind::Unsupported(what) => self.g.unsupported(s.span, what),
            StmtKind::Empty => {}
        }
    }

    fn local_var(
        &mut self,
        m: &Modifiers,
        ty: &crate::ast::TypeExpr,
        decls: &[crate::ast::Declarator],
    ) {
        for o in &m.other {
            self.g
                .error(o.span, format!("modifier {} not allowed here", o.name));
        }
        if m.public || m.private || m.protected || m.static_ || m.abstract_ {
            self.g.error(
                m.span,
                "illegal start of expression: only final is allowed on local variables",
            );
        }
        let is_var = matches!(ty.kind, TypeExprKind::Var);
        let gbase = if is_var {
            GTy::Plain(Ty::Error)
        } else {
            self.g.resolve_gtype(Some(self.class), ty)
        };
        let base = self.g.table.erase(&gbase);
        if is_var && decls.len() > 1 {
            self.g
                .error(ty.span, "'var' is not allowed in a compound declaration");
        }
        for d in decls {
            let mut local_g = None;
            let (t, init) = if is_var {
                match &d.init {
                    None => {
                        self.g.error(
                            d.name.span,
                            format!("cannot infer type for local variable {} (cannot use 'var' on variable without initializer)", d.name.name),
                        );
                        (Ty::Error, None)
                    }
                    Some(Expr {
                        kind: ExprKind::ArrayInit(_),
                        span,
                    }) => {
                        self.g.error(
                            *span,
                            format!("cannot infer type for local variable {} (array initializer needs an explicit target-type)", d.name.name),
                        );
                        (Ty::Error, None)
                    }
                    Some(e) => {
                        let v = self.check_expr(e);
                        let t = match &v.ty {
                            Ty::Null => {
                                self.g.error(
                                    d.name.span,
                                    format!("cannot infer type for local variable {} (variable initializer is 'null')", d.name.name),
                                );
                                Ty::Error
                            }
                            Ty::Void => {
                                self.g.error(
                                    d.name.span,
                                    format!("cannot infer type for local variable {} (variable initializer is 'void')", d.name.name),
                                );
                                Ty::Error
                            }
                            t => t.clone(),
                        };
                        local_g = Some(self.gty_of(&v));
                        (t, Some(v))
                    }
                }
            } else {
                let mut t = base.clone();
                let mut g = gbase.clone();
                if !t.is_error() {
                    for _ in 0..d.extra_dims {
                        t = Ty::Array(Box::new(t));
                        g = match g {
                            GTy::Plain(x) => GTy::Plain(Ty::Array(Box::new(x))),
                            g => GTy::Array(Box::new(g)),
                        };
                    }
                }
                let init = d
                    .init
                    .as_ref()
                    .map(|e| self.check_init_g(e, &t, Some(g.clone())));
                local_g = Some(g);
                (t, init)
            };
            let has_init = d.init.is_some();
            let i = self.declare_local(&d.name.name, t.clone(), d.name.span, m.final_, has_init);
            self.locals[i].g = local_g.filter(GTy::is_generic);
            if m.final_ && (t.is_prim() || ClassTable::is_string(&t)) {
                if let Some(c) = init.as_ref().and_then(|v| v.constant()) {
                    self.locals[i].constant = Some(c.clone());
                }
            }
            if let Some(v) = init {
                let reg = self.locals[i].reg;
                let dst = if t.is_prim() {
                    Reg::P(P(reg))
                } else {
                    Reg::R(semeru_vm::insn::R(reg))
                };
                if !t.is_error() {
                    let m = self.em.mark();
                    self.lower(&v, Some(dst));
                    self.em.release(m);
                }
            }
        }
    }

    fn if_stmt(&mut self, cond: &Expr, then: &Stmt, els: Option<&Stmt>) {
        use super::patterns::{when_false, when_true};
        let mark = self.bindings.len();
        let c = self.check_bool(cond);
        let m1 = self.bindings.len();
        self.set_visible(mark, m1, &when_true(cond));
        let konst = c.constant().and_then(Const::as_bool);
        let da0 = self.da.clone();
        let else_l = self.em.new_label();
        let end = self.em.new_label();
        self.cond_jump(&c, false, else_l);
        if konst == Some(false) {
            self.da = Da::all();
        }
        self.sub_stmt(then);
        let (r_then, da_then) = (self.reachable, self.da.clone());
        let n = self.bindings.len();
        self.set_visible(mark, n, &[]);
        self.set_visible(mark, m1, &when_false(cond));
        let mut r_else = true;
        let da_else0 = if konst == Some(true) { Da::all() } else { da0 };
        match els {
            Some(e) => {
                if r_then {
                    self.em.jmp(end);
                }
                self.em.bind(else_l);
                self.reachable = true;
                self.da = da_else0;
                self.sub_stmt(e);
                r_else = self.reachable;
                self.reachable |= r_then;
                self.da = da_then.meet(&self.da);
            }
            None => {
                self.em.bind(else_l);
                self.reachable = true;
                self.da = da_then.meet(&da_else0);
            }
        }
        self.em.bind(end);
        // The bindings this `if` introduces into the statements after it.
        let n = self.bindings.len();
        self.set_visible(mark, n, &[]);
        if !r_then {
            self.set_visible(mark, m1, &when_false(cond));
        } else if els.is_some() && !r_else {
            self.set_visible(mark, m1, &when_true(cond));
        }
    }

    pub fn push_target(
        &mut self,
        label: Option<&Ident>,
        is_loop: bool,
        is_switch: bool,
        brk: Label,
        cont: Option<Label>,
    ) {
        self.targets.push(JumpTarget {
            label: label.map(|l| l.name.clone()),
            is_loop,
            is_switch,
            brk,
            cont,
            broken: false,
            continued: false,
            break_da: Da::all(),
            try_depth: self.tries.len(),
        });
    }

    fn while_stmt(&mut self, label: Option<&Ident>, cond: &Expr, body: &Stmt) {
        let mark = self.bindings.len();
        let c = self.check_bool(cond);
        let m1 = self.bindings.len();
        self.set_visible(mark, m1, &super::patterns::when_true(cond));
        let konst = c.constant().and_then(Const::as_bool);
        let da_false = if konst == Some(true) {
            Da::all()
        } else {
            self.da.clone()
        };
        let body_l = self.em.new_label();
        let cond_l = self.em.new_label();
        let end = self.em.new_label();
        self.em.jmp(cond_l);
        self.em.bind(body_l);
        self.push_target(label, true, false, end, Some(cond_l));
        if konst == Some(false) {
            self.reachable = false;
            self.da = Da::all();
        }
        self.sub_stmt(body);
        self.em.bind(cond_l);
        self.line(cond.span);
        self.cond_jump(&c, true, body_l);
        self.finish_loop(konst, da_false, end);
    }

    fn finish_loop(&mut self, konst: Option<bool>, da_false: Da, end: Label) {
        let t = self.targets.pop();
        self.em.bind(end);
        let (broken, break_da) = t.map_or((false, Da::all()), |t| (t.broken, t.break_da));
        self.reachable = konst != Some(true) || broken;
        self.da = da_false.meet(&break_da);
    }

    fn do_stmt(&mut self, label: Option<&Ident>, body: &Stmt, cond: &Expr) {
        let body_l = self.em.new_label();
        let cont_l = self.em.new_label();
        let end = self.em.new_label();
        self.em.bind(body_l);
        self.push_target(label, true, false, end, Some(cont_l));
        self.sub_stmt(body);
        let continued = self.targets.last().is_some_and(|t| t.continued);
        let body_completes = self.reachable || continued;
        self.reachable = true;
        self.em.bind(cont_l);
        let c = self.check_bool(cond);
        let konst = c.constant().and_then(Const::as_bool);
        self.line(cond.span);
        self.cond_jump(&c, true, body_l);
        let da_false = if konst == Some(true) {
            Da::all()
        } else {
            self.da.clone()
        };
        let t = self.targets.pop();
        self.em.bind(end);
        let (broken, break_da) = t.map_or((false, Da::all()), |t| (t.broken, t.break_da));
        self.reachable = (body_completes && konst != Some(true)) || broken;
        self.da = da_false.meet(&break_da);
    }

    fn for_stmt(
        &mut self,
        label: Option<&Ident>,
        init: &[Stmt],
        cond: Option<&Expr>,
        update: &[Expr],
        body: &Stmt,
    ) {
        self.push_scope();
        for s in init {
            self.stmt(s);
        }
        let mark = self.bindings.len();
        let c = cond.map(|e| self.check_bool(e));
        let m1 = self.bindings.len();
        if let Some(e) = cond {
            self.set_visible(mark, m1, &super::patterns::when_true(e));
        }
        let konst = match &c {
            None => Some(true),
            Some(c) => c.constant().and_then(Const::as_bool),
        };
        let da_false = if konst == Some(true) {
            Da::all()
        } else {
            self.da.clone()
        };
        let body_l = self.em.new_label();
        let cont_l = self.em.new_label();
        let cond_l = self.em.new_label();
        let end = self.em.new_label();
        self.em.jmp(cond_l);
        self.em.bind(body_l);
        self.push_target(label, true, false, end, Some(cont_l));
        if konst == Some(false) {
            self.reachable = false;
            self.da = Da::all();
        }
        self.sub_stmt(body);
        self.em.bind(cont_l);
        self.reachable = true;
        for u in update {
            self.line(u.span);
            let t = self.check_expr(u);
            self.lower_effect(&t);
        }
        self.em.bind(cond_l);
        match &c {
            Some(c) => {
                if let Some(e) = cond {
                    self.line(e.span);
                }
                self.cond_jump(c, true, body_l);
            }
            None => self.em.jmp(body_l),
        }
        self.finish_loop(konst, da_false, end);
        self.pop_scope();
    }

    fn foreach_stmt(
        &mut self,
        label: Option<&Ident>,
        m: &Modifiers,
        ty: &crate::ast::TypeExpr,
        name: &Ident,
        iterable: &Expr,
        body: &Stmt,
    ) {
        let it = self.check_expr(iterable);
        let elem = match &it.ty {
            Ty::Array(el) => (**el).clone(),
            Ty::Error => Ty::Error,
            Ty::Class(c)
                if self
                    .iterable_class()
                    .is_some_and(|i| self.g.table.is_subtype(*c, i)) =>
            {
                return self.foreach_iterable(label, m, ty, name, it, iterable.span, body);
            }
            t => {
                let tn = self.display(t);
                self.g.report(
                    crate::diag::Diagnostic::error(
                        iterable.span,
                        "for-each not applicable to expression type",
                    )
                    .with_note("required: array or java.lang.Iterable")
                    .with_note(format!("found:    {tn}")),
                );
                Ty::Error
            }
        };
        let var_g = if matches!(ty.kind, TypeExprKind::Var) {
            match self.gty_of(&it) {
                GTy::Array(e) => *e,
                _ => GTy::Plain(elem.clone()),
            }
        } else {
            self.g.resolve_gtype(Some(self.class), ty)
        };
        let var_ty = self.g.table.erase(&var_g);
        self.push_scope();
        let arr = self.declare_local("", it.ty.clone(), iterable.span, false, true);
        let idx = self.declare_local("", Ty::Int, iterable.span, false, true);
        let len = self.declare_local("", Ty::Int, iterable.span, false, true);
        let (arr_r, idx_r, len_r) = (
            self.locals[arr].reg,
            self.locals[idx].reg,
            self.locals[len].reg,
        );
        let m0 = self.em.mark();
        self.lower(&it, Some(Reg::R(semeru_vm::insn::R(arr_r))));
        self.em.release(m0);
        self.line(iterable.span);
        self.em.emit(Insn::IConst { d: P(idx_r), v: 0 });
        self.em.emit(Insn::ALen {
            d: P(len_r),
            a: semeru_vm::insn::R(arr_r),
        });
        let var = self.declare_local(&name.name, var_ty.clone(), name.span, m.final_, true);
        self.locals[var].g = Some(var_g).filter(GTy::is_generic);
        let body_l = self.em.new_label();
        let cont_l = self.em.new_label();
        let cond_l = self.em.new_label();
        let end = self.em.new_label();
        self.em.jmp(cond_l);
        self.em.bind(body_l);
        // var = (T) arr[idx]
        let elem_read = TExpr::new(
            TK::Index {
                arr: Box::new(TExpr::new(TK::Local(arr_r), it.ty.clone(), iterable.span)),
                idx: Box::new(TExpr::new(TK::Local(idx_r), Ty::Int, iterable.span)),
            },
            elem.clone(),
            iterable.span,
        );
        let conv = if elem.is_error() || var_ty.is_error() {
            TExpr::error(name.span)
        } else {
            self.assign_conv(elem_read, &var_ty)
        };
        let vreg = self.locals[var].reg;
        let vdst = if var_ty.is_prim() {
            Reg::P(P(vreg))
        } else {
            Reg::R(semeru_vm::insn::R(vreg))
        };
        let m1 = self.em.mark();
        self.lower(&conv, Some(vdst));
        self.em.release(m1);
        self.push_target(label, true, false, end, Some(cont_l));
        let da0 = self.da.clone();
        self.sub_stmt(body);
        self.em.bind(cont_l);
        self.em.emit(Insn::IAddK {
            d: P(idx_r),
            a: P(idx_r),
            v: 1,
        });
        self.em.bind(cond_l);
        self.em.emit_jump(
            Insn::BrI {
                a: P(idx_r),
                b: P(len_r),
                c: Cond::Lt,
                t: Pc(0),
            },
            body_l,
        );
        self.finish_loop(None, da0, end);
        self.pop_scope();
    }

    fn iterable_class(&self) -> Option<semeru_gc::ClassId> {
        match self.g.lookup_global_type("Iterable", true) {
            Some(super::resolve::TypeName::Class(c)) => Some(c),
            _ => None,
        }
    }

    /// `for (T x : iterable) body` as
    /// `for (Iterator i = iterable.iterator(); i.hasNext(); ) { T x = (T) i.next(); body }`.
    #[allow(clippy::too_many_arguments)]
    fn foreach_iterable(
        &mut self,
        label: Option<&Ident>,
        m: &Modifiers,
        ty: &crate::ast::TypeExpr,
        name: &Ident,
        it: TExpr,
        span: Span,
        body: &Stmt,
    ) {
        let Some(iter_call) = self.call_on(it, "iterator", span) else {
            return;
        };
        let iter_ty = iter_call.ty.clone();
        let iter_g = self.gty_of(&iter_call);
        self.push_scope();
        let iv = self.declare_local("", iter_ty.clone(), span, false, true);
        self.locals[iv].g = Some(iter_g.clone()).filter(GTy::is_generic);
        let ir = semeru_vm::insn::R(self.locals[iv].reg);
        let m0 = self.em.mark();
        self.line(span);
        self.lower(&iter_call, Some(Reg::R(ir)));
        self.em.release(m0);
        let iter_local =
            || TExpr::new(TK::Local(ir.0), iter_ty.clone(), span).with_g(iter_g.clone());
        let Some(next) = self.call_on(iter_local(), "next", span) else {
            self.pop_scope();
            return;
        };
        let Some(has_next) = self.call_on(iter_local(), "hasNext", span) else {
            self.pop_scope();
            return;
        };
        let elem_g = self.gty_of(&next);
        let var_g = if matches!(ty.kind, TypeExprKind::Var) {
            elem_g
        } else {
            self.g.resolve_gtype(Some(self.class), ty)
        };
        let var_ty = self.g.table.erase(&var_g);
        let var = self.declare_local(&name.name, var_ty.clone(), name.span, m.final_, true);
        self.locals[var].g = Some(var_g).filter(GTy::is_generic);
        let body_l = self.em.new_label();
        let cont_l = self.em.new_label();
        let end = self.em.new_label();
        self.em.jmp(cont_l);
        self.em.bind(body_l);
        let conv = if var_ty.is_error() {
            TExpr::error(name.span)
        } else {
            self.assign_conv(next, &var_ty)
        };
        let vreg = self.locals[var].reg;
        let vdst = if var_ty.is_prim() {
            Reg::P(P(vreg))
        } else {
            Reg::R(semeru_vm::insn::R(vreg))
        };
        let m1 = self.em.mark();
        self.lower(&conv, Some(vdst));
        self.em.release(m1);
        self.push_target(label, true, false, end, Some(cont_l));
        let da0 = self.da.clone();
        self.sub_stmt(body);
        self.em.bind(cont_l);
        self.line(span);
        self.reachable = true;
        self.cond_jump(&has_next, true, body_l);
        self.finish_loop(None, da0, end);
        self.pop_scope();
    }

    fn labeled(&mut self, label: &Ident, body: &Stmt) {
        if self
            .targets
            .iter()
            .any(|t| t.label.as_deref() == Some(label.name.as_str()))
        {
            self.g
                .error(label.span, format!("label {} already in use", label.name));
        }
        match &body.kind {
            StmtKind::While { cond, body } => self.while_stmt(Some(label), cond, body),
            StmtKind::DoWhile { body, cond } => self.do_stmt(Some(label), body, cond),
            StmtKind::For {
                init,
                cond,
                update,
                body,
            } => self.for_stmt(Some(label), init, cond.as_ref(), update, body),
            StmtKind::ForEach {
                modifiers,
                ty,
                name,
                iterable,
                body,
            } => self.foreach_stmt(Some(label), modifiers, ty, name, iterable, body),
            _ => {
                let end = self.em.new_label();
                self.push_target(Some(label), false, false, end, None);
                self.stmt(body);
                let t = self.targets.pop();
                self.em.bind(end);
                if let Some(t) = t {
                    self.reachable |= t.broken;
                    self.da = self.da.meet(&t.break_da);
                }
            }
        }
    }

    fn break_stmt(&mut self, label: Option<&Ident>, span: Span) {
        let idx = match label {
            None => {
                let i = self.targets.iter().rposition(|t| t.is_loop || t.is_switch);
                if i.is_none() {
                    self.g.error(span, "break outside switch or loop");
                }
                i
            }
            Some(l) => {
                let i = self
                    .targets
                    .iter()
                    .rposition(|t| t.label.as_deref() == Some(l.name.as_str()));
                if i.is_none() {
                    self.g.error(l.span, format!("undefined label: {}", l.name));
                }
                i
            }
        };
        let Some(i) = idx else { return };
        if self.leaves_switch_expr(i, false, span) {
            return;
        }
        let da = self.da.clone();
        let t = &mut self.targets[i];
        t.broken = true;
        t.break_da = t.break_da.meet(&da);
        let (l, depth) = (t.brk, t.try_depth);
        self.exit_tries(depth);
        if self.reachable {
            self.em.jmp(l);
        }
        self.reachable = false;
        self.da = Da::all();
    }

    fn continue_stmt(&mut self, label: Option<&Ident>, span: Span) {
        let idx = match label {
            None => {
                let i = self.targets.iter().rposition(|t| t.is_loop);
                if i.is_none() {
                    self.g.error(span, "continue outside of loop");
                }
                i
            }
            Some(l) => {
                let i = self
                    .targets
                    .iter()
                    .rposition(|t| t.label.as_deref() == Some(l.name.as_str()));
                match i {
                    None => {
                        self.g.error(l.span, format!("undefined label: {}", l.name));
                        None
                    }
                    Some(i) if !self.targets[i].is_loop => {
                        self.g
                            .error(l.span, format!("not a loop label: {}", l.name));
                        None
                    }
                    i => i,
                }
            }
        };
        let Some(i) = idx else { return };
        if self.leaves_switch_expr(i, false, span) {
            return;
        }
        let t = &mut self.targets[i];
        t.continued = true;
        let (l, depth) = (t.cont, t.try_depth);
        self.exit_tries(depth);
        if let (Some(l), true) = (l, self.reachable) {
            self.em.jmp(l);
        }
        self.reachable = false;
        self.da = Da::all();
    }

    fn return_stmt(&mut self, e: Option<&Expr>, span: Span) {
        if self.leaves_switch_expr(0, true, span) {
            return;
        }
        let ret = self.ret.clone();
        match (e, &ret) {
            (None, Ty::Void) => {
                self.exit_tries(0);
                if self.reachable {
                    self.em.emit(Insn::Ret {});
                }
            }
            (None, _) => {
                self.g
                    .error(span, "incompatible types: missing return value");
            }
            (Some(e), Ty::Void) => {
                self.check_expr(e);
                self.g
                    .error(e.span, "incompatible types: unexpected return value");
            }
            (Some(e), t) => {
                self.expect = Some(match self.method {
                    Some(m) => self.g.table.method_gret(m),
                    None => crate::compile::generics::GTy::Plain(t.clone()),
                });
                let v = self.check_expr(e);
                let v = self.assign_conv(v, t);
                let m = self.em.mark();
                let r = if self.has_finally() {
                    // The value is computed before the `finally` blocks run.
                    let d = if v.ty.is_prim() {
                        Reg::P(self.em.alloc_p())
                    } else {
                        Reg::R(self.em.alloc_r())
                    };
                    let r = self.lower(&v, Some(d));
                    self.exit_tries(0);
                    if !self.reachable {
                        self.em.release(m);
                        self.da = Da::all();
                        return;
                    }
                    r
                } else {
                    self.lower(&v, None)
                };
                self.em.release(m);
                self.line(span);
                match r {
                    Reg::P(s) => self.em.emit(Insn::RetP { s }),
                    Reg::R(s) => self.em.emit(Insn::RetR { s }),
                    Reg::None => {}
                }
            }
        }
        self.reachable = false;
        self.da = Da::all();
    }

    fn switch_stmt(
        &mut self,
        label: Option<&Ident>,
        scrutinee: &Expr,
        cases: &[SwitchCase],
        span: Span,
    ) {
        self.switch_core(label, scrutinee, cases, span, false);
    }
}
