//! Pattern matching for `instanceof` (`o instanceof Point p`) and the flow
//! scoping of its binding variables (JLS 6.3.1): a binding is in scope where
//! its test is known to have matched — the rest of a `&&` chain, the `then`
//! branch, the `else` branch of a negated test, and the statements after an
//! `if` whose other branch cannot complete normally.
//!
//! A binding is an ordinary local declared when its `instanceof` is checked,
//! in the enclosing scope. It is hidden (its name blanked, so lookups skip it)
//! wherever it is not in scope, and shown again where it is.

use super::body::FnCx;
use super::texpr::{LVal, TExpr, TK};
use super::types::Ty;
use crate::ast::{BinOp, Expr, ExprKind, Ident, UnOp};
use semeru_gc::ClassId;

/// The bindings that `e` introduces when true.
pub fn when_true(e: &Expr) -> Vec<String> {
    match &e.kind {
        ExprKind::InstanceOf {
            binding: Some(b), ..
        } => vec![b.name.clone()],
        ExprKind::Unary {
            op: UnOp::Not,
            expr,
        } => when_false(expr),
        ExprKind::Binary {
            op: BinOp::And,
            lhs,
            rhs,
        } => {
            let mut v = when_true(lhs);
            v.extend(when_true(rhs));
            v
        }
        _ => Vec::new(),
    }
}

/// The bindings that `e` introduces when false.
pub fn when_false(e: &Expr) -> Vec<String> {
    match &e.kind {
        ExprKind::Unary {
            op: UnOp::Not,
            expr,
        } => when_true(expr),
        ExprKind::Binary {
            op: BinOp::Or,
            lhs,
            rhs,
        } => {
            let mut v = when_false(lhs);
            v.extend(when_false(rhs));
            v
        }
        _ => Vec::new(),
    }
}

impl<'a> FnCx<'a, '_> {
    /// Makes the bindings declared at `bindings[from..to]` visible exactly when
    /// their name is in `names`.
    pub fn set_visible(&mut self, from: usize, to: usize, names: &[String]) {
        let to = to.min(self.bindings.len());
        for k in from.min(to)..to {
            let (i, ref n) = self.bindings[k];
            let show = names.contains(n);
            if let Some(l) = self.locals.get_mut(i) {
                l.name = if show { n.clone() } else { String::new() };
            }
        }
    }

    /// Between the operands of `a && b` / `a || b`: only the bindings of `a`
    /// introduced when true (`&&`) or false (`||`) stay visible.
    pub fn flow_operand(&mut self, op: BinOp, e: &Expr, mark: usize) {
        let keep = match op {
            BinOp::And => when_true(e),
            BinOp::Or => when_false(e),
            _ => return,
        };
        let n = self.bindings.len();
        self.set_visible(mark, n, &keep);
    }

    /// Forgets locals declared from index `n` on (code thrown away).
    pub fn truncate_locals(&mut self, n: usize) {
        self.locals.truncate(n);
        self.bindings.retain(|(i, _)| *i < n);
        if !self.da.all {
            self.da.set.truncate(n);
        }
    }

    /// `v instanceof T b`: declares `b` and assigns it before the test.
    pub fn pattern_binding(&mut self, v: TExpr, t: &Ty, class: ClassId, b: &Ident) -> TExpr {
        let span = v.span;
        let i = self.declare_local(&b.name, t.clone(), b.span, false, true);
        self.bindings.push((i, b.name.clone()));
        let reg = self.locals[i].reg;
        let assign = TExpr::new(
            TK::Assign {
                lv: LVal::Local(reg),
                rhs: Box::new(v),
            },
            t.clone(),
            span,
        );
        TExpr::new(
            TK::InstanceOf {
                e: Box::new(assign),
                class,
            },
            Ty::Bool,
            span,
        )
    }
}
