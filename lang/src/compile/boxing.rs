//! Boxing and unboxing conversions (JLS 5.1.7, 5.1.8), lowered as javac does:
//! boxing calls `Integer.valueOf(int)` (so the box caches behave as in Java),
//! unboxing calls `intValue()`. Also the compound assignments and `++`/`--`
//! of boxed variables.

use super::body::FnCx;
use super::classes::MId;
use super::convert::conv;
use super::texpr::{CallKind, LVal, TExpr, TK};
use super::types::Ty;
use crate::ast::BinOp;
use crate::diag::Span;
use semeru_gc::ClassId;
use semeru_vm::program::MethodId;

/// `(primitive, box class internal name, unboxing method)`.
const BOXES: &[(Ty, &str, &str)] = &[
    (Ty::Bool, "java/lang/Boolean", "booleanValue"),
    (Ty::Byte, "java/lang/Byte", "byteValue"),
    (Ty::Short, "java/lang/Short", "shortValue"),
    (Ty::Char, "java/lang/Character", "charValue"),
    (Ty::Int, "java/lang/Integer", "intValue"),
    (Ty::Long, "java/lang/Long", "longValue"),
    (Ty::Float, "java/lang/Float", "floatValue"),
    (Ty::Double, "java/lang/Double", "doubleValue"),
];

impl<'a> FnCx<'a, '_> {
    /// The box class of primitive type `t`.
    pub fn box_class(&self, t: &Ty) -> Option<ClassId> {
        let (_, internal, _) = BOXES.iter().find(|(p, _, _)| p == t)?;
        self.g.table.lib_internal.get(*internal).copied()
    }

    /// The primitive type a box class type unboxes to.
    pub fn unboxed(&self, t: &Ty) -> Option<Ty> {
        let Ty::Class(c) = t else { return None };
        let internal = &self.g.table.class(*c).internal;
        BOXES
            .iter()
            .find(|(_, i, _)| i == internal)
            .map(|(p, _, _)| p.clone())
    }

    /// A method of class `c` by name and parameter types.
    fn box_method(&self, c: ClassId, name: &str, params: &[Ty], is_static: bool) -> Option<MId> {
        self.g.table.class(c).methods.iter().copied().find(|m| {
            let mi = self.g.table.method(*m);
            mi.name == name && mi.params == params && mi.is_static == is_static
        })
    }

    /// Boxing conversion of a primitive expression: `Integer.valueOf(e)`.
    pub fn box_expr(&mut self, e: TExpr) -> TExpr {
        let span = e.span;
        let found = self.box_class(&e.ty).and_then(|b| {
            let m = self.box_method(b, "valueOf", std::slice::from_ref(&e.ty), true)?;
            Some((b, m))
        });
        let Some((b, m)) = found else {
            let tn = self.display(&e.ty);
            self.g
                .error(span, format!("boxing of {tn} is not available"));
            return TExpr::error(span);
        };
        let init = self.init_for(b);
        TExpr::new(
            TK::Call {
                kind: CallKind::Static(MethodId(m.0 as u16), init),
                recv: None,
                args: vec![e],
            },
            Ty::Class(b),
            span,
        )
    }

    /// Unboxing conversion of a box-typed expression: `e.intValue()`.
    pub fn unbox_expr(&mut self, e: TExpr) -> TExpr {
        let span = e.span;
        let Some(p) = self.unboxed(&e.ty) else {
            return e;
        };
        let Ty::Class(b) = e.ty else { return e };
        let name = BOXES
            .iter()
            .find(|(q, _, _)| *q == p)
            .map_or("", |(_, _, n)| *n);
        let Some(m) = self.box_method(b, name, &[], false) else {
            let tn = self.display(&e.ty);
            self.g
                .error(span, format!("unboxing of {tn} is not available"));
            return TExpr::error(span);
        };
        TExpr::new(
            TK::Call {
                kind: CallKind::Special(MethodId(m.0 as u16)),
                recv: Some(Box::new(e)),
                args: Vec::new(),
            },
            p,
            span,
        )
    }

    /// Unboxes `e` if it has a box type; leaves it alone otherwise.
    pub fn unbox_if(&mut self, e: TExpr) -> TExpr {
        if self.unboxed(&e.ty).is_some() {
            self.unbox_expr(e)
        } else {
            e
        }
    }

    /// Whether a method invocation conversion with boxing (JLS 5.3, loose
    /// context) takes an argument of type `from` to a parameter of type `to`.
    pub fn loose_convertible(&self, from: &Ty, to: &Ty) -> bool {
        if self.g.table.widens(from, to) {
            return true;
        }
        if from.is_prim() && to.is_ref() {
            return self
                .box_class(from)
                .is_some_and(|b| self.g.table.ref_assignable(&Ty::Class(b), to));
        }
        if to.is_prim() {
            return self.unboxed(from).is_some_and(|p| p.prim_widens_to(to));
        }
        false
    }

    /// Assignment conversions involving boxing or unboxing (JLS 5.2), or `None`
    /// when none applies.
    pub fn assign_box_conv(&mut self, e: TExpr, to: &Ty) -> Result<TExpr, TExpr> {
        if e.ty.is_prim() && to.is_ref() {
            // A constant that fits Byte/Short/Character is narrowed, then boxed.
            let e = match (self.unboxed(to), e.constant().cloned()) {
                (Some(p), Some(c)) if p != e.ty && c.fits(&e.ty, &p) => {
                    TExpr::new(TK::Const(c), p, e.span)
                }
                _ => e,
            };
            let ok = self
                .box_class(&e.ty)
                .is_some_and(|b| self.g.table.ref_assignable(&Ty::Class(b), to));
            if !ok {
                return Err(e);
            }
            let mut b = self.box_expr(e);
            if !b.ty.is_error() {
                b.ty = to.clone();
            }
            return Ok(b);
        }
        if to.is_prim() {
            if let Some(p) = self.unboxed(&e.ty) {
                if p.prim_widens_to(to) {
                    let u = self.unbox_expr(e);
                    return Ok(conv(u, to));
                }
            }
        }
        Err(e)
    }

    /// Casting conversions involving boxing or unboxing (JLS 5.5).
    pub fn cast_box_conv(&mut self, v: TExpr, t: &Ty, span: Span) -> Result<TExpr, TExpr> {
        if v.ty.is_prim() && t.is_ref() {
            let ok = self
                .box_class(&v.ty)
                .is_some_and(|b| self.g.table.ref_assignable(&Ty::Class(b), t));
            if !ok {
                return Err(v);
            }
            let mut b = self.box_expr(v);
            if !b.ty.is_error() {
                b.ty = t.clone();
            }
            b.span = span;
            return Ok(b);
        }
        if t.is_prim() && v.ty.is_ref() {
            if let Some(p) = self.unboxed(&v.ty) {
                if !p.prim_widens_to(t) {
                    return Err(v);
                }
                let mut r = conv(self.unbox_expr(v), t);
                r.span = span;
                return Ok(r);
            }
            // `(int) obj`: a checked cast to the box, then unboxing.
            let Some(b) = self.box_class(t) else {
                return Err(v);
            };
            let bt = Ty::Class(b);
            if v.ty == Ty::Null || !self.g.table.ref_castable(&v.ty, &bt) {
                return Err(v);
            }
            let c = TExpr::new(
                TK::CheckCast {
                    e: Box::new(v),
                    class: b,
                },
                bt,
                span,
            );
            let mut r = self.unbox_expr(c);
            r.span = span;
            return Ok(r);
        }
        Err(v)
    }

    /// Whether reading `e` twice is the same as reading it once.
    fn pure_read(e: &TExpr) -> bool {
        match &e.kind {
            TK::Local(_) | TK::This | TK::Const(_) | TK::Null | TK::GetStatic { .. } => true,
            TK::GetField { obj, .. } => Self::pure_read(obj),
            _ => false,
        }
    }

    /// `e`, or a hidden local holding it (its assignment appended to `effects`).
    fn once(&mut self, e: TExpr, effects: &mut Vec<TExpr>) -> TExpr {
        if Self::pure_read(&e) {
            return e;
        }
        let (ty, span) = (e.ty.clone(), e.span);
        let i = self.declare_local("", ty.clone(), span, false, true);
        let reg = self.locals[i].reg;
        effects.push(TExpr::new(
            TK::Assign {
                lv: LVal::Local(reg),
                rhs: Box::new(e),
            },
            ty.clone(),
            span,
        ));
        TExpr::new(TK::Local(reg), ty, span)
    }

    /// `lv op= rhs` (or `++`/`--` when `rhs` is `None`) on a variable of box
    /// type `ty`: `lv = valueOf((prim) (lv.xValue() op rhs))`. A postfix form
    /// yields the old box.
    #[allow(clippy::too_many_arguments)]
    pub fn boxed_update(
        &mut self,
        lv: LVal,
        ty: &Ty,
        op: BinOp,
        rhs: Option<TExpr>,
        post: bool,
        span: Span,
    ) -> TExpr {
        let Some(p) = self.unboxed(ty) else {
            return TExpr::error(span);
        };
        let mut effects = Vec::new();
        // Evaluate the variable's object, array and index once.
        let (lv, read) = match lv {
            LVal::Local(r) => (LVal::Local(r), TExpr::new(TK::Local(r), ty.clone(), span)),
            LVal::Static { slot, init } => (
                LVal::Static { slot, init },
                TExpr::new(TK::GetStatic { slot, init }, ty.clone(), span),
            ),
            LVal::Field { obj, off } => {
                let obj = self.once(*obj, &mut effects);
                let read = TExpr::new(
                    TK::GetField {
                        obj: Box::new(obj.clone()),
                        off,
                    },
                    ty.clone(),
                    span,
                );
                (
                    LVal::Field {
                        obj: Box::new(obj),
                        off,
                    },
                    read,
                )
            }
            LVal::Index { arr, idx } => {
                let arr = self.once(*arr, &mut effects);
                let idx = self.once(*idx, &mut effects);
                let read = TExpr::new(
                    TK::Index {
                        arr: Box::new(arr.clone()),
                        idx: Box::new(idx.clone()),
                    },
                    ty.clone(),
                    span,
                );
                (
                    LVal::Index {
                        arr: Box::new(arr),
                        idx: Box::new(idx),
                    },
                    read,
                )
            }
        };
        // The old box, kept for a postfix result.
        let (old, value_of_old) = if post {
            let i = self.declare_local("", ty.clone(), span, false, true);
            let reg = self.locals[i].reg;
            effects.push(TExpr::new(
                TK::Assign {
                    lv: LVal::Local(reg),
                    rhs: Box::new(read),
                },
                ty.clone(),
                span,
            ));
            let l = TExpr::new(TK::Local(reg), ty.clone(), span);
            (l.clone(), Some(l))
        } else {
            (read, None)
        };
        let cur = self.unbox_expr(old);
        let compound = rhs.is_some();
        let rhs = match rhs {
            Some(r) => self.unbox_if(r),
            None => TExpr::new(TK::Const(super::types::Const::I(1)), Ty::Int, span),
        };
        let new = if p == Ty::Bool {
            if rhs.ty != Ty::Bool || !matches!(op, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor) {
                let (x, y) = (self.display(ty), self.display(&rhs.ty));
                self.g.error(
                    span,
                    format!("bad operand types for binary operator: {x} and {y}"),
                );
                return TExpr::error(span);
            }
            self.binary(op, cur, rhs, span)
        } else {
            let v = self.binary(op, cur, rhs, span);
            if v.ty.is_error() {
                return v;
            }
            // `x op= y` casts the result to the box, which takes only its own
            // primitive type; `++`/`--` narrow first (JLS 15.14.2).
            if !v.ty.is_numeric() || (compound && v.ty != p) {
                self.incompatible(&v, ty);
                return TExpr::error(span);
            }
            conv(v, &p)
        };
        let boxed = self.box_expr(new);
        let assign = TExpr::new(
            TK::Assign {
                lv,
                rhs: Box::new(boxed),
            },
            ty.clone(),
            span,
        );
        match value_of_old {
            None if effects.is_empty() => assign,
            None => TExpr::new(
                TK::Seq {
                    effects,
                    value: Box::new(assign),
                },
                ty.clone(),
                span,
            ),
            Some(old) => {
                effects.push(assign);
                TExpr::new(
                    TK::Seq {
                        effects,
                        value: Box::new(old),
                    },
                    ty.clone(),
                    span,
                )
            }
        }
    }
}
