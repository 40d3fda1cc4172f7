//! `x.getClass().getName()`, `x.getClass().getSimpleName()` and
//! `a.getClass() == b.getClass()`: the uses of `getClass()` that Sem supports,
//! without a `java.lang.Class` type (natives on the object itself).

use super::body::FnCx;
use super::convert::string_ty;
use super::texpr::{CallKind, TExpr, TK};
use super::types::Ty;
use crate::ast::{BinOp, Expr, ExprKind, Ident};
use crate::diag::Span;
use semeru_stdlib::natives::Native;
use semeru_vm::insn::Cond;

impl<'a> FnCx<'a, '_> {
    /// The receiver of `recv.getClass()` (or of a bare `getClass()`).
    fn get_class_target(e: &Expr) -> Option<Option<&Expr>> {
        match &e.kind {
            ExprKind::Call {
                target,
                name,
                args,
                type_args,
            } if name.name == "getClass" && args.is_empty() && type_args.is_empty() => {
                Some(target.as_deref())
            }
            _ => None,
        }
    }

    /// Checks the receiver of `getClass()`: an object reference.
    fn get_class_recv(&mut self, target: Option<&Expr>, span: Span) -> TExpr {
        let r = match target {
            Some(t) => self.check_expr(t),
            None => self.check_expr(&Expr {
                kind: ExprKind::This,
                span,
            }),
        };
        if !r.ty.is_error() && !r.ty.is_ref() {
            let tn = self.display(&r.ty);
            self.g.error(span, format!("{tn} cannot be dereferenced"));
            return TExpr::error(span);
        }
        r
    }

    fn object_native(&mut self, n: Native, recv: TExpr, ty: Ty, span: Span) -> TExpr {
        if recv.ty.is_error() {
            return TExpr::new(TK::Error, ty, span);
        }
        TExpr::new(
            TK::Call {
                kind: CallKind::Native(n),
                recv: Some(Box::new(recv)),
                args: Vec::new(),
            },
            ty,
            span,
        )
    }

    /// `x.getClass().getName()` / `.getSimpleName()`, or `None` for other calls.
    pub fn get_class_call(
        &mut self,
        target: Option<&Expr>,
        name: &Ident,
        args: &[Expr],
        span: Span,
    ) -> Option<TExpr> {
        let n = match name.name.as_str() {
            "getName" | "getTypeName" => Native::ObjClassName,
            "getSimpleName" => Native::ObjSimpleName,
            _ => return None,
        };
        if !args.is_empty() {
            return None;
        }
        let inner = Self::get_class_target(target?)?;
        let recv = self.get_class_recv(inner, span);
        Some(self.object_native(n, recv, string_ty(), span))
    }

    /// `a.getClass() == b.getClass()` (or `!=`), or `None` for other operands.
    pub fn get_class_cmp(
        &mut self,
        op: BinOp,
        lhs: &Expr,
        rhs: &Expr,
        span: Span,
    ) -> Option<TExpr> {
        let c = match op {
            BinOp::Eq => Cond::Eq,
            BinOp::Ne => Cond::Ne,
            _ => return None,
        };
        let (a, b) = (Self::get_class_target(lhs)?, Self::get_class_target(rhs)?);
        let a = self.get_class_recv(a, lhs.span);
        let a = self.object_native(Native::ObjClassId, a, Ty::Int, lhs.span);
        let b = self.get_class_recv(b, rhs.span);
        let b = self.object_native(Native::ObjClassId, b, Ty::Int, rhs.span);
        Some(TExpr::new(
            TK::Cmp {
                c,
                lhs: Box::new(a),
                rhs: Box::new(b),
            },
            Ty::Bool,
            span,
        ))
    }
}
