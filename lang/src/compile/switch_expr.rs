//! `switch` statements and expressions: classic groups (`case 1, 2:`), rules
//! (`case A, B ->`), `yield`, and scrutinees of type `int` and its subranges,
//! their boxes, `String` and enums.
//!
//! A switch expression is checked in place (a full pass whose code is thrown
//! away), which gives its type, its diagnostics and definite assignment; its
//! typed node keeps the syntax, and lowering compiles it again, quietly, in the
//! scope the check saw (see [`TK::Switch`]).

use super::body::{Da, FnCx};
use super::classes::{ClassOrigin, ClassTable};
use super::emit::{Label, PendingSwitch, Reg};
use super::generics::GTy;
use super::texpr::{SwitchData, TExpr, TK};
use super::types::{Const, Ty};
use crate::ast::{ClassKind, Expr, ExprKind, Ident, SwitchCase};
use crate::diag::Span;
use semeru_gc::ClassId;
use semeru_stdlib::natives::Native;
use semeru_vm::insn::{Insn, Nat, Pc, Str, P};
use std::collections::HashSet;

/// The switch expression whose arms are being compiled: where `yield` goes.
pub struct YieldCx {
    /// The result type; `None` while the check pass collects the arms' types.
    pub ty: Option<Ty>,
    pub g: Option<GTy>,
    pub reg: Reg,
    pub end: Label,
    /// Types (and int constants) of the yielded values, in collect mode.
    pub collected: Vec<(Ty, Option<Const>)>,
    /// Definite assignment after the switch: the meet over the `yield`s.
    pub da: Da,
    /// `targets.len()` and `tries.len()` at the switch: `break`/`continue`
    /// may not leave it; `yield` leaves the `try`s above.
    pub target_depth: usize,
    pub try_depth: usize,
}

enum Scrut {
    Int,
    Str,
    Enum(Vec<String>),
    Bad,
}

fn box_unwrap(internal: &str) -> Option<&'static str> {
    Some(match internal {
        "java/lang/Integer" => "intValue",
        "java/lang/Character" => "charValue",
        "java/lang/Short" => "shortValue",
        "java/lang/Byte" => "byteValue",
        _ => return None,
    })
}

impl<'a> FnCx<'a, '_> {
    /// The enum constants of `c`, when it is an enum.
    fn enum_constants(&self, c: ClassId) -> Option<Vec<String>> {
        match self.g.table.class(c).origin {
            ClassOrigin::User(d) if d.kind == ClassKind::Enum => Some(
                d.enum_constants
                    .iter()
                    .map(|k| k.name.name.clone())
                    .collect(),
            ),
            _ => None,
        }
    }

    /// Checks the scrutinee: the value switched on (an `int`-like, a `String`, or
    /// an enum's ordinal), and its kind.
    fn scrutinee(&mut self, e: &Expr) -> (TExpr, Scrut, Ty) {
        let s = self.check_expr(e);
        let call = |name: &str| Expr {
            span: e.span,
            kind: ExprKind::Call {
                target: Some(Box::new(e.clone())),
                name: Ident {
                    name: name.to_string(),
                    span: e.span,
                },
                type_args: Vec::new(),
                args: Vec::new(),
            },
        };
        match s.ty.clone() {
            Ty::Char | Ty::Byte | Ty::Short | Ty::Int => {
                let t = s.ty.clone();
                (s, Scrut::Int, t)
            }
            Ty::Error => (s, Scrut::Bad, Ty::Error),
            t if ClassTable::is_string(&t) => (s, Scrut::Str, t),
            Ty::Class(c) => {
                if let Some(ks) = self.enum_constants(c) {
                    self.g.quiet += 1;
                    let o = self.check_expr(&call("ordinal"));
                    self.g.quiet -= 1;
                    return (o, Scrut::Enum(ks), Ty::Class(c));
                }
                let internal = self.g.table.class(c).internal.clone();
                if let Some(m) = box_unwrap(&internal) {
                    self.g.quiet += 1;
                    let v = self.check_expr(&call(m));
                    self.g.quiet -= 1;
                    let t = v.ty.clone();
                    return (v, Scrut::Int, t);
                }
                let tn = self.display(&s.ty);
                self.g.error(
                    e.span,
                    format!("patterns in switch statements are a preview feature and are disabled by default (switch on {tn})"),
                );
                (s, Scrut::Bad, Ty::Error)
            }
            t => {
                let tn = self.display(&t);
                self.g.error(
                    e.span,
                    format!("incompatible types: switch on a value of type {tn} is not allowed"),
                );
                (s, Scrut::Bad, Ty::Error)
            }
        }
    }

    /// A switch statement (`yield_cx` is `None`) or the arms of a switch
    /// expression. Returns whether some `default` or all enum constants are covered.
    pub fn switch_core(
        &mut self,
        label: Option<&Ident>,
        scrutinee: &Expr,
        cases: &[SwitchCase],
        span: Span,
        is_expr: bool,
    ) {
        let (s, kind, sty) = self.scrutinee(scrutinee);
        if let (Some(a), Some(b)) = (
            cases.iter().find(|c| c.arrow),
            cases.iter().find(|c| !c.arrow),
        ) {
            let at = if a.span.lo > b.span.lo {
                a.span
            } else {
                b.span
            };
            self.g.error(at, "different case kinds used in the switch");
        }
        let arrows = cases.first().is_some_and(|c| c.arrow);
        let mut int_keys: Vec<(i32, usize)> = Vec::new();
        let mut str_keys: Vec<(String, usize)> = Vec::new();
        let mut seen_i = HashSet::new();
        let mut seen_s = HashSet::new();
        let mut default: Option<usize> = None;
        for (gi, c) in cases.iter().enumerate() {
            if c.is_default {
                if default.is_some() {
                    self.g.error(c.span, "duplicate default label");
                }
                default = Some(gi);
            }
            for l in &c.labels {
                match &kind {
                    Scrut::Enum(ks) => {
                        let k = match &l.kind {
                            ExprKind::Name(id) => ks.iter().position(|k| *k == id.name),
                            _ => None,
                        };
                        match k {
                            Some(k) => {
                                if !seen_i.insert(k as i32) {
                                    self.g.error(l.span, "duplicate case label");
                                }
                                int_keys.push((k as i32, gi));
                            }
                            None => {
                                let msg = match &l.kind {
                                    ExprKind::Name(id) => {
                                        let tn = self.display(&sty);
                                        format!("an enum switch case label must be the unqualified name of an enumeration constant (no constant {} in {tn})", id.name)
                                    }
                                    _ => "an enum switch case label must be the unqualified name of an enumeration constant".to_string(),
                                };
                                self.g.error(l.span, msg);
                            }
                        }
                    }
                    Scrut::Bad => {}
                    Scrut::Int | Scrut::Str => {
                        let v = self.check_expr(l);
                        if v.ty.is_error() {
                            continue;
                        }
                        let v = self.assign_conv(v, &sty);
                        match v.constant() {
                            Some(Const::I(k)) if matches!(kind, Scrut::Int) => {
                                if !seen_i.insert(*k) {
                                    self.g.error(l.span, "duplicate case label");
                                }
                                int_keys.push((*k, gi));
                            }
                            Some(Const::S(k)) if matches!(kind, Scrut::Str) => {
                                if !seen_s.insert(k.clone()) {
                                    self.g.error(l.span, "duplicate case label");
                                }
                                str_keys.push((k.clone(), gi));
                            }
                            _ if v.ty.is_error() => {}
                            _ => self.g.error(l.span, "constant expression required"),
                        }
                    }
                }
            }
        }
        let all_enum = match &kind {
            Scrut::Enum(ks) => seen_i.len() == ks.len(),
            _ => false,
        };
        let exhaustive = default.is_some() || all_enum;
        if is_expr && !exhaustive && !matches!(kind, Scrut::Bad) {
            self.g.error(
                span,
                "the switch expression does not cover all possible input values",
            );
        }
        if is_expr && cases.is_empty() {
            self.g
                .error(span, "switch expression does not have any case clauses");
        }
        let labels: Vec<Label> = cases.iter().map(|_| self.em.new_label()).collect();
        let end = self.em.new_label();
        let default_l = match default {
            Some(d) => labels[d],
            // An enum switch expression covering every constant: no other value.
            None if all_enum && is_expr && !labels.is_empty() => labels[0],
            None => end,
        };
        let m = self.em.mark();
        let r = self.lower(&s, None);
        self.line(span);
        match kind {
            Scrut::Str => {
                let o = r.r();
                self.em.emit(Insn::NullCheck { o });
                for (k, gi) in &str_keys {
                    let m2 = self.em.mark();
                    let pbase = P(self.em.next_p);
                    let a = self.em.alloc_r();
                    self.em.emit(Insn::MovR { d: a, s: o });
                    let b = self.em.alloc_r();
                    let ks = self.g.intern(k);
                    self.em.emit(Insn::SConst { d: b, k: Str(ks) });
                    self.em.emit(Insn::CallNative {
                        n: Nat(Native::StrEquals as u16),
                        p: pbase,
                        r: a,
                    });
                    self.em.reserve(pbase.0 + 1, 0);
                    self.em
                        .emit_jump(Insn::BrTrue { a: pbase, t: Pc(0) }, labels[*gi]);
                    self.em.release(m2);
                }
                self.em.jmp(default_l);
            }
            Scrut::Int | Scrut::Enum(_) => {
                let tbl = self
                    .em
                    .add_switch(switch_table(&int_keys, &labels, default_l));
                self.em.emit(Insn::Switch {
                    s: r.p(),
                    tbl: semeru_vm::insn::Tbl(tbl),
                });
            }
            Scrut::Bad => {}
        }
        self.em.release(m);
        self.push_target(label, false, !is_expr, end, None);
        self.push_scope();
        let da0 = self.da.clone();
        let reachable0 = self.reachable;
        let mut prev_reach = false;
        let mut any_arm_completes = false;
        let mut exit_da = Da::all();
        for (gi, c) in cases.iter().enumerate() {
            self.em.bind(labels[gi]);
            self.da = if prev_reach && !arrows {
                da0.meet(&self.da)
            } else {
                da0.clone()
            };
            self.reachable = reachable0;
            if arrows {
                self.push_scope();
            }
            for st in &c.body {
                self.stmt(st);
            }
            if arrows {
                self.pop_scope();
                if self.reachable {
                    if is_expr {
                        self.g.error(
                            c.body.last().map_or(c.span, |b| b.span),
                            "switch rule completes without providing a value",
                        );
                    }
                    any_arm_completes = true;
                    exit_da = exit_da.meet(&self.da);
                    self.em.jmp(end);
                }
                prev_reach = false;
            } else {
                prev_reach = self.reachable;
            }
        }
        self.pop_scope();
        if is_expr && prev_reach {
            self.g.error(
                span,
                "switch expression completes without providing a value",
            );
        }
        let t = self.targets.pop();
        self.em.bind(end);
        if is_expr {
            return;
        }
        let (broken, break_da) = t.map_or((false, Da::all()), |t| (t.broken, t.break_da));
        let mut da = break_da.meet(&exit_da);
        if cases.is_empty() || prev_reach {
            da = da.meet(&self.da);
        }
        if default.is_none() {
            da = da.meet(&da0);
        }
        self.reachable =
            default.is_none() || cases.is_empty() || prev_reach || any_arm_completes || broken;
        self.da = da;
    }

    /// `yield e;`
    pub fn yield_stmt(&mut self, e: &Expr, span: Span) {
        let Some(y) = self.yields.last() else {
            self.check_expr(e);
            self.g.error(span, "yield outside of switch expression");
            return;
        };
        let (ty, g, reg, end, try_depth) = (y.ty.clone(), y.g.clone(), y.reg, y.end, y.try_depth);
        match ty {
            None => {
                let v = self.check_expr(e);
                let k = v.constant().cloned();
                if let Some(y) = self.yields.last_mut() {
                    y.collected.push((v.ty.clone(), k));
                }
            }
            Some(t) => {
                self.expect = g;
                let v = self.check_expr(e);
                let v = if v.ty == Ty::Void {
                    self.g
                        .error(e.span, "incompatible types: bad type in switch expression");
                    TExpr::error(e.span)
                } else {
                    self.assign_conv(v, &t)
                };
                if !t.is_error() && !v.ty.is_error() && self.reachable {
                    let m = self.em.mark();
                    self.line(span);
                    self.lower(&v, Some(reg));
                    self.em.release(m);
                }
            }
        }
        self.exit_tries(try_depth);
        if self.reachable {
            self.em.jmp(end);
        }
        let da = self.da.clone();
        if let Some(y) = self.yields.last_mut() {
            y.da = y.da.meet(&da);
        }
        self.reachable = false;
        self.da = Da::all();
    }

    /// Whether a `break`/`continue` to target `i`, or a `return` (`i == 0`
    /// with `is_return`), would leave a switch expression (an error).
    pub fn leaves_switch_expr(&mut self, i: usize, is_return: bool, span: Span) -> bool {
        let Some(y) = self.yields.last() else {
            return false;
        };
        if is_return || i < y.target_depth {
            let what = if is_return {
                "return"
            } else {
                "break or continue"
            };
            self.g.error(
                span,
                format!("attempting to {what} out of a switch expression"),
            );
            return true;
        }
        false
    }

    /// Compiles the arms of a switch expression with `yield`s going to `reg`.
    fn switch_arms(
        &mut self,
        scrutinee: &Expr,
        cases: &[SwitchCase],
        span: Span,
        ty: Option<Ty>,
        g: Option<GTy>,
        reg: Reg,
    ) -> YieldCx {
        let end = self.em.new_label();
        self.yields.push(YieldCx {
            ty,
            g,
            reg,
            end,
            collected: Vec::new(),
            da: Da::all(),
            target_depth: self.targets.len(),
            try_depth: self.tries.len(),
        });
        let reachable0 = self.reachable;
        self.switch_core(None, scrutinee, cases, span, true);
        self.em.bind(end);
        self.reachable = reachable0;
        let y = self.yields.pop();
        y.unwrap_or(YieldCx {
            ty: None,
            g: None,
            reg,
            end,
            collected: Vec::new(),
            da: Da::all(),
            target_depth: 0,
            try_depth: 0,
        })
    }

    pub fn check_switch_expr(
        &mut self,
        scrutinee: &Expr,
        cases: &[SwitchCase],
        span: Span,
        expect: Option<GTy>,
    ) -> TExpr {
        let target = expect
            .as_ref()
            .map(|g| self.g.table.erase(g))
            .filter(|t| !t.is_error() && *t != Ty::Void);
        // The check pass: real diagnostics, thrown-away code.
        let snap = self.em.snapshot();
        let (nlocals, scopes) = (self.locals.len(), self.scopes.clone());
        let dummy = match &target {
            Some(t) if t.is_prim() => Reg::P(self.em.alloc_p()),
            _ => Reg::R(self.em.alloc_r()),
        };
        let names: Vec<String> = self.locals.iter().map(|l| l.name.clone()).collect();
        let y = self.switch_arms(
            scrutinee,
            cases,
            span,
            target.clone(),
            expect.clone(),
            dummy,
        );
        self.em.restore(snap);
        self.da = y.da.clone();
        self.truncate_locals(nlocals);
        self.scopes = scopes;
        let ty = match target {
            Some(t) => t,
            None => self.standalone_type(&y.collected, span),
        };
        let g = match (&expect, &ty) {
            (Some(g), t) if self.g.table.erase(g) == *t => Some(g.clone()),
            _ => None,
        };
        if ty.is_error() {
            return TExpr::error(span);
        }
        TExpr::new(
            TK::Switch(Box::new(SwitchData {
                scrutinee: scrutinee.clone(),
                cases: cases.to_vec(),
                names,
                g: g.clone(),
            })),
            ty,
            span,
        )
    }

    /// The type of a standalone switch expression (JLS 15.28.1), from its results.
    fn standalone_type(&mut self, rs: &[(Ty, Option<Const>)], span: Span) -> Ty {
        let Some((first, _)) = rs.first() else {
            self.g.error(
                span,
                "switch expression does not have any result expressions",
            );
            return Ty::Error;
        };
        if rs.iter().any(|(t, _)| t.is_error()) {
            return Ty::Error;
        }
        if rs.iter().all(|(t, _)| t == first) {
            return first.clone();
        }
        if rs.iter().all(|(t, _)| t.is_numeric()) {
            // An int constant that fits the other results' narrower type keeps it.
            let non_const: Vec<&Ty> = rs
                .iter()
                .filter(|(t, k)| !(*t == Ty::Int && k.is_some()))
                .map(|(t, _)| t)
                .collect();
            if let Some(n) = non_const.first() {
                let narrow = matches!(n, Ty::Byte | Ty::Short | Ty::Char);
                if narrow
                    && non_const.iter().all(|t| t == n)
                    && rs
                        .iter()
                        .all(|(t, k)| t == *n || k.as_ref().is_some_and(|k| k.fits(t, n)))
                {
                    return (*n).clone();
                }
            }
            let mut t = first.clone();
            for (x, _) in rs {
                t = Ty::binary_promote(&t, x);
            }
            return t;
        }
        if rs.iter().all(|(t, _)| t.is_ref()) {
            let mut cur = first.clone();
            for (x, _) in rs {
                if self.g.table.ref_assignable(x, &cur) {
                    continue;
                }
                if self.g.table.ref_assignable(&cur, x) {
                    cur = x.clone();
                    continue;
                }
                let (Ty::Class(a), Ty::Class(b)) = (&cur, x) else {
                    cur = Ty::Class(ClassId(semeru_stdlib::builtins::OBJECT));
                    continue;
                };
                let cb = self.g.table.chain(*b);
                cur = self
                    .g
                    .table
                    .chain(*a)
                    .into_iter()
                    .find(|k| cb.contains(k))
                    .map_or(
                        Ty::Class(ClassId(semeru_stdlib::builtins::OBJECT)),
                        Ty::Class,
                    );
            }
            if cur == Ty::Null {
                cur = Ty::Class(ClassId(semeru_stdlib::builtins::OBJECT));
            }
            return cur;
        }
        let ts: Vec<String> = rs.iter().map(|(t, _)| self.display(t)).collect();
        self.g.error(
            span,
            format!(
                "incompatible types in switch expression: {} (boxing is not supported here)",
                ts.join(", ")
            ),
        );
        Ty::Error
    }

    /// Lowers a checked switch expression into `dst` (see [`TK::Switch`]).
    pub fn lower_switch_expr(&mut self, d: &SwitchData, ty: &Ty, dst: Reg) {
        self.g.quiet += 1;
        let saved: Vec<String> = self
            .locals
            .iter_mut()
            .enumerate()
            .map(|(i, l)| {
                let n = d.names.get(i).cloned().unwrap_or_default();
                std::mem::replace(&mut l.name, n)
            })
            .collect();
        let (da, reachable) = (self.da.clone(), self.reachable);
        let nlocals = self.locals.len();
        self.switch_arms(
            &d.scrutinee,
            &d.cases,
            d.scrutinee.span,
            Some(ty.clone()),
            d.g.clone(),
            dst,
        );
        self.da = da;
        self.truncate_locals(nlocals);
        for (l, n) in self.locals.iter_mut().zip(saved) {
            l.name = n;
        }
        self.reachable = reachable;
        self.g.quiet -= 1;
    }
}

fn switch_table(int_keys: &[(i32, usize)], labels: &[Label], default_l: Label) -> PendingSwitch {
    let mut keys = int_keys.to_vec();
    keys.sort();
    match (keys.first(), keys.last()) {
        (Some(lo), Some(hi)) => {
            let range = hi.0 as i64 - lo.0 as i64 + 1;
            if range <= 2 * keys.len() as i64 + 8 {
                let mut targets = vec![default_l; range as usize];
                for (k, gi) in &keys {
                    targets[(*k as i64 - lo.0 as i64) as usize] = labels[*gi];
                }
                PendingSwitch::Dense {
                    low: lo.0,
                    targets,
                    default: default_l,
                }
            } else {
                PendingSwitch::Sparse {
                    keys: keys.iter().map(|k| k.0).collect(),
                    targets: keys.iter().map(|k| labels[k.1]).collect(),
                    default: default_l,
                }
            }
        }
        _ => PendingSwitch::Sparse {
            keys: Vec::new(),
            targets: Vec::new(),
            default: default_l,
        },
    }
}
