//! Switch rules (`case A, B ->`), `yield`, and switch expressions.

use super::body::FnCx;
use super::generics::GTy;
use super::texpr::TExpr;
use crate::ast::{Expr, SwitchCase};
use crate::diag::Span;

impl<'a> FnCx<'a, '_> {
    pub fn check_switch_expr(
        &mut self,
        _scrutinee: &Expr,
        _cases: &[SwitchCase],
        span: Span,
        _expect: Option<GTy>,
    ) -> TExpr {
        self.g.unsupported(span, "a switch expression");
        TExpr::error(span)
    }

    pub fn yield_stmt(&mut self, _e: &Expr, span: Span) {
        self.g.unsupported(span, "a yield statement");
    }
}
