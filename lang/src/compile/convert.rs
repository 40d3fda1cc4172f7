//! Conversion contexts of JLS chapter 5 applied to typed expressions:
//! assignment, invocation, casting, and string conversion.

use super::body::FnCx;
use super::classes::ClassTable;
use super::texpr::{CallKind, TExpr, TK};
use super::types::{Const, Ty};
use semeru_gc::ClassId;
use semeru_stdlib::builtins::STRING;
use semeru_stdlib::natives::Native;

pub fn string_ty() -> Ty {
    Ty::Class(ClassId(STRING))
}

/// A primitive conversion node, folded for constants, elided when the types agree.
pub fn conv(e: TExpr, to: &Ty) -> TExpr {
    if e.ty == *to || e.ty.is_error() || to.is_error() || !e.ty.is_prim() || !to.is_prim() {
        return e;
    }
    if let Some(c) = e.constant().and_then(|c| c.convert(to)) {
        return TExpr::new(TK::Const(c), to.clone(), e.span);
    }
    let span = e.span;
    TExpr::new(TK::Conv(Box::new(e)), to.clone(), span)
}

impl FnCx<'_, '_> {
    /// Assignment conversion (JLS 5.2): identity, widening, the narrowing of
    /// int constants that fit, and widening reference conversion.
    pub fn assign_conv(&mut self, e: TExpr, to: &Ty) -> TExpr {
        if e.ty.is_error() || to.is_error() || e.ty == *to {
            return e;
        }
        if e.ty.prim_widens_to(to) {
            return conv(e, to);
        }
        if let Some(c) = e.constant() {
            if c.fits(&e.ty, to) {
                return TExpr::new(TK::Const(c.clone()), to.clone(), e.span);
            }
        }
        if e.ty.is_ref() && to.is_ref() && self.g.table.ref_assignable(&e.ty, to) {
            let mut e = e;
            if e.ty != Ty::Null {
                e.ty = to.clone();
            }
            return e;
        }
        let e = match self.assign_box_conv(e, to) {
            Ok(b) => return b,
            Err(e) => e,
        };
        self.incompatible(&e, to);
        TExpr::error(e.span)
    }

    /// Reports "incompatible types" for a failed assignment conversion.
    pub fn incompatible(&mut self, e: &TExpr, to: &Ty) {
        let (from_s, to_s) = (self.display(&e.ty), self.display(to));
        let msg = if e.ty.is_numeric() && to.is_numeric() {
            format!("incompatible types: possible lossy conversion from {from_s} to {to_s}")
        } else if e.ty == Ty::Void {
            "incompatible types: void cannot be converted to a value".to_string()
        } else {
            format!("incompatible types: {from_s} cannot be converted to {to_s}")
        };
        self.g.error(e.span, msg);
    }

    /// Invocation conversion after overload resolution chose `to`.
    pub fn invoke_conv(&mut self, e: TExpr, to: &Ty) -> TExpr {
        if e.ty.is_prim() && to.is_ref() {
            self.box_expr(e)
        } else if e.ty.is_prim() {
            conv(e, to)
        } else if to.is_prim() && self.unboxed(&e.ty).is_some() {
            let u = self.unbox_expr(e);
            conv(u, to)
        } else {
            e
        }
    }

    /// String conversion (JLS 5.1.11) of a concatenation operand.
    pub fn string_conv(&mut self, e: TExpr) -> TExpr {
        let span = e.span;
        let s = string_ty();
        if ClassTable::is_string(&e.ty) || e.ty.is_error() {
            return e;
        }
        if let Some(c) = e.constant() {
            let text = super::consts::to_java_string(&e.ty, c);
            return TExpr::new(TK::Const(Const::S(text)), s, span);
        }
        let native = match e.ty {
            Ty::Null => return TExpr::new(TK::Null, s, span),
            Ty::Bool => Native::StrValueOfZ,
            Ty::Char => Native::StrValueOfC,
            Ty::Byte | Ty::Short | Ty::Int => Native::StrValueOfI,
            Ty::Long => Native::StrValueOfJ,
            Ty::Float => Native::StrValueOfF,
            Ty::Double => Native::StrValueOfD,
            Ty::Void => {
                self.g.error(span, "'void' type not allowed here");
                return TExpr::error(span);
            }
            _ => return TExpr::new(TK::ObjToStr(Box::new(e)), s, span),
        };
        let arg = conv(e, &valueof_param(native));
        TExpr::new(
            TK::Call {
                kind: CallKind::Native(native),
                recv: None,
                args: vec![arg],
            },
            s,
            span,
        )
    }
}

/// The parameter type of a `String.valueOf` native.
fn valueof_param(n: Native) -> Ty {
    match n {
        Native::StrValueOfZ => Ty::Bool,
        Native::StrValueOfC => Ty::Char,
        Native::StrValueOfI => Ty::Int,
        Native::StrValueOfJ => Ty::Long,
        Native::StrValueOfF => Ty::Float,
        _ => Ty::Double,
    }
}
