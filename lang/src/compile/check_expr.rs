//! Type checking of expressions: names (JLS 6.5), operators with promotion,
//! assignment, conditionals, casts and arrays, producing typed expressions.

use super::body::{BodyKind, FnCx};
use super::classes::{ClassTable, ConstState, FieldId, FieldSlot};
use super::consts;
use super::convert::{conv, string_ty};
use super::generics::GTy;
use super::resolve::TypeName;
use super::texpr::{LVal, TExpr, TK};
use super::types::{Const, Ty};
use crate::ast::{BinOp, Expr, ExprKind, Ident, Literal, UnOp};
use crate::diag::Span;
use semeru_gc::ClassId;
use semeru_stdlib::builtins::OBJECT;
use semeru_vm::insn::Cond;

/// An ambiguous name (JLS 6.5.2) after reclassification.
pub enum Amb {
    Expr(TExpr),
    Type(TypeName),
    Pkg(Vec<String>),
}

pub fn op_str(op: BinOp) -> &'static str {
    use BinOp::*;
    match op {
        Add => "+",
        Sub => "-",
        Mul => "*",
        Div => "/",
        Rem => "%",
        Shl => "<<",
        Shr => ">>",
        UShr => ">>>",
        Lt => "<",
        Le => "<=",
        Gt => ">",
        Ge => ">=",
        Eq => "==",
        Ne => "!=",
        BitAnd => "&",
        BitOr => "|",
        BitXor => "^",
        And => "&&",
        Or => "||",
    }
}

fn cond_of(op: BinOp) -> Option<Cond> {
    Some(match op {
        BinOp::Lt => Cond::Lt,
        BinOp::Le => Cond::Le,
        BinOp::Gt => Cond::Gt,
        BinOp::Ge => Cond::Ge,
        BinOp::Eq => Cond::Eq,
        BinOp::Ne => Cond::Ne,
        _ => return None,
    })
}

impl<'a> FnCx<'a, '_> {
    pub fn check_expr(&mut self, e: &Expr) -> TExpr {
        // The target type applies to this expression only, not to its parts.
        let expect = self.expect.take();
        self.check_expr_in(e, expect)
    }

    fn check_expr_in(&mut self, e: &Expr, expect: Option<GTy>) -> TExpr {
        let span = e.span;
        match &e.kind {
            ExprKind::Lit(l) => self.literal(l, span, false),
            ExprKind::Name(id) => match self.resolve_simple(id) {
                Some(t) => t,
                None => {
                    self.g
                        .error(span, format!("cannot find symbol: variable {}", id.name));
                    TExpr::error(span)
                }
            },
            ExprKind::Field { .. } => match self.resolve_amb(e) {
                Amb::Expr(t) => t,
                Amb::Type(_) | Amb::Pkg(_) => {
                    let name = match &e.kind {
                        ExprKind::Field { name, .. } => name.name.clone(),
                        _ => String::new(),
                    };
                    self.g
                        .error(span, format!("cannot find symbol: variable {name}"));
                    TExpr::error(span)
                }
            },
            ExprKind::SuperField { name } => {
                let Some(sup) = self.super_class(span) else {
                    return TExpr::error(span);
                };
                let this = TExpr::new(TK::This, Ty::Class(sup), span);
                self.field_of(this, name, span)
            }
            ExprKind::Call {
                target,
                name,
                type_args,
                args,
            } => {
                // Explicit type arguments (`Main.<String>id(x)`) replace inference.
                let targs: Vec<GTy> = type_args
                    .iter()
                    .map(|t| self.g.resolve_gtype(Some(self.class), t))
                    .collect();
                let expect = if targs.is_empty() {
                    expect
                } else {
                    self.explicit_targs = Some(targs);
                    None
                };
                let r = self.check_call(target.as_deref(), name, args, span, expect);
                self.explicit_targs = None;
                r
            }
            ExprKind::SuperCall { name, args } => self.check_super_call(name, args, span),
            ExprKind::New { ty, args, body } => {
                if body.is_some() {
                    self.g.unsupported(span, "an anonymous class");
                    return TExpr::error(span);
                }
                self.check_new(ty, args, span, expect)
            }
            ExprKind::NewArray {
                elem,
                dims,
                extra_dims,
            } => self.check_new_array(elem, dims, *extra_dims, span),
            ExprKind::NewArrayInit { ty, init } => {
                let t = self.g.resolve_type(Some(self.class), ty);
                match &t {
                    Ty::Array(el) => self.array_lit(init, el, span),
                    Ty::Error => TExpr::error(span),
                    _ => {
                        self.g.error(span, "array type expected");
                        TExpr::error(span)
                    }
                }
            }
            ExprKind::ArrayInit(_) => {
                self.g.error(span, "array initializer is not allowed here");
                TExpr::error(span)
            }
            ExprKind::Index { array, index } => self.check_index(array, index, span),
            ExprKind::Unary { op, expr } => self.check_unary(*op, expr, span),
            ExprKind::Binary { op, lhs, rhs } => self.check_binary(*op, lhs, rhs, span),
            ExprKind::Assign { op, lhs, rhs } => self.check_assign(*op, lhs, rhs, span),
            ExprKind::Cond { cond, then, els } => self.check_cond(cond, then, els, span, expect),
            ExprKind::InstanceOf { expr, ty, binding } => {
                let v = self.check_expr(expr);
                let t = self.g.resolve_type(Some(self.class), ty);
                if v.ty.is_error() || t.is_error() {
                    return TExpr::new(TK::Error, Ty::Bool, span);
                }
                if !v.ty.is_ref() || !t.is_ref() {
                    let (a, b) = (self.display(&v.ty), self.display(&t));
                    self.g.error(
                        span,
                        format!("unexpected type: {a} cannot be tested against {b}"),
                    );
                    return TExpr::new(TK::Error, Ty::Bool, span);
                }
                if !self.g.table.ref_castable(&v.ty, &t) {
                    let (a, b) = (self.display(&v.ty), self.display(&t));
                    self.g.error(
                        span,
                        format!("incompatible types: {a} cannot be converted to {b}"),
                    );
                }
                let class = self.class_of_ref(&t);
                if let Some(b) = binding {
                    return self.pattern_binding(v, &t, class, b);
                }
                TExpr::new(
                    TK::InstanceOf {
                        e: Box::new(v),
                        class,
                    },
                    Ty::Bool,
                    span,
                )
            }
            ExprKind::Cast { ty, expr } => {
                let gt = self.g.resolve_gtype(Some(self.class), ty);
                let t = self.g.table.erase(&gt);
                let v = self.check_expr(expr);
                self.cast(v, t, span).with_g(gt)
            }
            ExprKind::This => {
                if self.is_static {
                    self.g.error(
                        span,
                        "non-static variable this cannot be referenced from a static context",
                    );
                    return TExpr::error(span);
                }
                if self.in_ctor_call {
                    self.g.error(
                        span,
                        "cannot reference this before supertype constructor has been called",
                    );
                }
                TExpr::new(TK::This, Ty::Class(self.class), span)
            }
            ExprKind::Switch { scrutinee, cases } => {
                self.check_switch_expr(scrutinee, cases, span, expect)
            }
            ExprKind::Unsupported(what) => {
                self.g.unsupported(span, what);
                TExpr::error(span)
            }
        }
    }

    /// The class id used by `instanceof`, casts and array creation for a reference type.
    pub fn class_of_ref(&mut self, t: &Ty) -> ClassId {
        match t {
            Ty::Class(c) => *c,
            Ty::Array(el) => self.g.table.array_class(el),
            _ => ClassId(OBJECT),
        }
    }

    fn literal(&mut self, l: &Literal, span: Span, negated: bool) -> TExpr {
        let decimal = self
            .g
            .text(span)
            .map(|t| {
                let t = t.trim_start_matches('-').trim();
                !(t.starts_with("0x")
                    || t.starts_with("0X")
                    || t.starts_with("0b")
                    || t.starts_with("0B")
                    || (t.len() > 1
                        && t.starts_with('0')
                        && t.chars()
                            .nth(1)
                            .is_some_and(|c| c.is_ascii_digit() || c == '_')))
            })
            .unwrap_or(false);
        let (c, t) = match l {
            Literal::Int(v) => {
                let v = *v;
                let ok = if decimal {
                    v <= i32::MAX as u64 || (negated && v == 1 << 31)
                } else {
                    v <= u32::MAX as u64
                };
                if !ok {
                    self.g.error(span, "integer number too large");
                }
                (Const::I(v as u32 as i32), Ty::Int)
            }
            Literal::Long(v) => {
                let v = *v;
                if decimal && v > i64::MAX as u64 && !(negated && v == 1 << 63) {
                    self.g.error(span, "long number too large");
                }
                (Const::J(v as i64), Ty::Long)
            }
            Literal::Float(f) => (Const::F(*f), Ty::Float),
            Literal::Double(d) => (Const::D(*d), Ty::Double),
            Literal::Char(c) => (Const::I(*c as i32), Ty::Char),
            Literal::Str(s) => (Const::S(s.clone()), string_ty()),
            Literal::Bool(b) => (Const::Z(*b), Ty::Bool),
            Literal::Null => return TExpr::new(TK::Null, Ty::Null, span),
        };
        TExpr::new(TK::Const(c), t, span)
    }

    pub fn super_class(&mut self, span: Span) -> Option<ClassId> {
        if self.is_static {
            self.g.error(
                span,
                "non-static variable super cannot be referenced from a static context",
            );
            return None;
        }
        Some(
            self.g
                .table
                .class(self.class)
                .super_
                .unwrap_or(ClassId(OBJECT)),
        )
    }

    /// Initialization needed before touching statics of `c` from this class.
    pub fn init_for(&self, c: ClassId) -> Option<ClassId> {
        if self.g.table.is_subclass(self.class, c)
            || (c.0 as usize) < semeru_stdlib::builtins::BUILTINS.len()
        {
            None
        } else {
            Some(c)
        }
    }

    pub fn check_private(&mut self, is_private: bool, owner: ClassId, what: &str, span: Span) {
        if is_private && self.g.table.top_of(owner) != self.g.table.top_of(self.class) {
            let o = self.g.table.class(owner).display.clone();
            self.g
                .error(span, format!("{what} has private access in {o}"));
        }
    }

    /// A simple expression name: a local, then a field of this or an enclosing class.
    fn resolve_simple(&mut self, id: &Ident) -> Option<TExpr> {
        let span = id.span;
        if let Some(i) = self.find_local(&id.name) {
            let l = &self.locals[i];
            let (ty, reg, constant) = (l.ty.clone(), l.reg, l.constant.clone());
            if !self.da.has(i) {
                self.g.error(
                    span,
                    format!("variable {} might not have been initialized", id.name),
                );
                self.da.add(i);
            }
            if let Some(c) = constant {
                return Some(TExpr::new(TK::Const(c), ty, span));
            }
            let g = self.locals[i].g.clone();
            let e = TExpr::new(TK::Local(reg), ty, span);
            return Some(match g {
                Some(g) => e.with_g(g),
                None => e,
            });
        }
        let mut c = Some(self.class);
        while let Some(k) = c {
            if let Some(f) = self.g.table.find_field(k, &id.name) {
                let is_static = self.g.table.field(f).is_static;
                if !is_static && (k != self.class || self.is_static) {
                    self.g.error(
                        span,
                        format!(
                            "non-static variable {} cannot be referenced from a static context",
                            id.name
                        ),
                    );
                    return Some(TExpr::error(span));
                }
                if !is_static && self.in_ctor_call && self.field_const(f).is_none() {
                    self.g.error(
                        span,
                        format!(
                            "cannot reference {} before supertype constructor has been called",
                            id.name
                        ),
                    );
                }
                let this = TExpr::new(TK::This, Ty::Class(self.class), span);
                return Some(self.field_access(this, f, span));
            }
            c = self.g.table.class(k).outer;
        }
        None
    }

    /// Reads field `f` of `obj` (ignored for static fields when pure).
    fn field_access(&mut self, obj: TExpr, f: FieldId, span: Span) -> TExpr {
        let fi = self.g.table.field(f);
        let (ty, is_static, is_private, owner, slot) = (
            fi.ty.clone(),
            fi.is_static,
            fi.is_private,
            fi.class,
            fi.slot.clone(),
        );
        let name = fi.name.clone();
        self.check_private(is_private, owner, &name, span);
        if let Some(c) = self.field_const(f) {
            return TExpr::new(TK::Const(c), ty, span);
        }
        match slot {
            FieldSlot::Static(s) => TExpr::new(
                TK::GetStatic {
                    slot: s,
                    init: self.init_for(owner),
                },
                ty,
                span,
            )
            .with_g(self.g.table.field_gty(f)),
            FieldSlot::Instance(off) => {
                let _ = is_static;
                let fg = self.g.table.field_gty(f);
                let res = fg.is_generic().then(|| {
                    let map = self.g.table.member_map(&self.gty_of(&obj), owner);
                    self.g.table.subst(&fg, &map)
                });
                let e = TExpr::new(
                    TK::GetField {
                        obj: Box::new(obj),
                        off,
                    },
                    ty.clone(),
                    span,
                );
                match res {
                    Some(res) => self.narrow(e, &ty, res),
                    None => e,
                }
            }
        }
    }

    /// The constant value of a `final` field with a constant initializer.
    pub fn field_const(&mut self, f: FieldId) -> Option<Const> {
        let fi = self.g.table.field(f);
        if !fi.is_final || !(fi.ty.is_prim() || ClassTable::is_string(&fi.ty)) {
            return None;
        }
        let init = fi.decl.and_then(|d| d.init.as_ref())?;
        match &fi.constant {
            ConstState::Done(c) => return c.clone(),
            ConstState::InProgress => return None,
            ConstState::Unknown => {}
        }
        let (class, is_static, ty) = (fi.class, fi.is_static, fi.ty.clone());
        self.g.table.fields[f.0 as usize].constant = ConstState::InProgress;
        self.g.quiet += 1;
        let value = {
            let mut sub = FnCx::new(&mut *self.g, class, is_static, BodyKind::ConstEval);
            let te = sub.check_init(init, &ty);
            te.constant().cloned()
        };
        self.g.quiet -= 1;
        self.g.table.fields[f.0 as usize].constant = ConstState::Done(value.clone());
        value
    }

    /// Reclassifies an ambiguous name (JLS 6.5.2).
    pub fn resolve_amb(&mut self, e: &Expr) -> Amb {
        match &e.kind {
            ExprKind::Name(id) => {
                if let Some(t) = self.resolve_simple(id) {
                    return Amb::Expr(t);
                }
                match self.g.lookup_type(Some(self.class), &id.name) {
                    Some(t) => Amb::Type(t),
                    None => Amb::Pkg(vec![id.name.clone()]),
                }
            }
            ExprKind::Field { target, name } => {
                let span = e.span;
                match self.resolve_amb(target) {
                    Amb::Pkg(mut p) => {
                        if p.len() == 2 && p[0] == "java" && p[1] == "lang" {
                            if let Some(t) = self.g.lookup_global_type(&name.name, true) {
                                return Amb::Type(t);
                            }
                        }
                        let internal = format!("{}/{}", p.join("/"), name.name);
                        if let Some(c) = self.g.table.lib_internal.get(&internal) {
                            return Amb::Type(TypeName::Class(*c));
                        }
                        if p.len() >= 4 {
                            self.g.error(
                                target.span,
                                format!("package {} does not exist", p.join(".")),
                            );
                            return Amb::Expr(TExpr::error(span));
                        }
                        p.push(name.name.clone());
                        Amb::Pkg(p)
                    }
                    Amb::Type(TypeName::Class(c)) => {
                        if let Some(f) = self.g.table.find_field(c, &name.name) {
                            if !self.g.table.field(f).is_static {
                                self.g.error(
                                    span,
                                    format!(
                                        "non-static variable {} cannot be referenced from a static context",
                                        name.name
                                    ),
                                );
                                return Amb::Expr(TExpr::error(span));
                            }
                            let dummy = TExpr::new(TK::Null, Ty::Null, span);
                            return Amb::Expr(self.field_access(dummy, f, span));
                        }
                        if let Some(n) = self.g.member_type(c, &name.name) {
                            return Amb::Type(TypeName::Class(n));
                        }
                        if name.name == "length" || name.name == "class" {
                            // fallthrough to the error below
                        }
                        let cn = self.g.table.class(c).display.clone();
                        self.g.report(
                            crate::diag::Diagnostic::error(
                                name.span,
                                format!("cannot find symbol: variable {}", name.name),
                            )
                            .with_note(format!("location: class {cn}")),
                        );
                        Amb::Expr(TExpr::error(span))
                    }
                    Amb::Expr(t) => Amb::Expr(self.field_of(t, name, span)),
                }
            }
            _ => Amb::Expr(self.check_expr(e)),
        }
    }

    /// `obj.name` for an expression `obj`.
    fn field_of(&mut self, obj: TExpr, name: &Ident, span: Span) -> TExpr {
        match &obj.ty {
            Ty::Error => TExpr::error(span),
            Ty::Array(_) if name.name == "length" => {
                TExpr::new(TK::ArrayLen(Box::new(obj)), Ty::Int, span)
            }
            Ty::Class(c) => {
                let c = *c;
                match self.g.table.find_field(c, &name.name) {
                    Some(f) => self.field_access(obj, f, span),
                    None => {
                        let cn = self.g.table.class(c).display.clone();
                        self.g.report(
                            crate::diag::Diagnostic::error(
                                name.span,
                                format!("cannot find symbol: variable {}", name.name),
                            )
                            .with_note(format!("location: class {cn}")),
                        );
                        TExpr::error(span)
                    }
                }
            }
            t if t.is_prim() => {
                let tn = self.display(t);
                self.g.error(span, format!("{tn} cannot be dereferenced"));
                TExpr::error(span)
            }
            _ => {
                self.g.error(
                    name.span,
                    format!("cannot find symbol: variable {}", name.name),
                );
                TExpr::error(span)
            }
        }
    }

    /// Checks an initializer (which may be an array initializer) against type `ty`.
    pub fn check_init(&mut self, e: &Expr, ty: &Ty) -> TExpr {
        self.check_init_g(e, ty, None)
    }

    /// [`FnCx::check_init`] with the declared generic type as the target type.
    pub fn check_init_g(&mut self, e: &Expr, ty: &Ty, g: Option<GTy>) -> TExpr {
        if let ExprKind::ArrayInit(elems) = &e.kind {
            return match ty {
                Ty::Array(el) => self.array_lit(elems, el, e.span),
                Ty::Error => {
                    for x in elems {
                        self.check_expr(x);
                    }
                    TExpr::error(e.span)
                }
                t => {
                    let tn = self.display(t);
                    self.g
                        .error(e.span, format!("illegal initializer for {tn}"));
                    TExpr::error(e.span)
                }
            };
        }
        self.expect = Some(g.unwrap_or_else(|| GTy::Plain(ty.clone())));
        let v = self.check_expr(e);
        self.assign_conv(v, ty)
    }

    fn array_lit(&mut self, elems: &[Expr], el: &Ty, span: Span) -> TExpr {
        let elems: Vec<TExpr> = elems.iter().map(|x| self.check_init(x, el)).collect();
        let class = self.g.table.array_class(el);
        TExpr::new(
            TK::ArrayLit { class, elems },
            Ty::Array(Box::new(el.clone())),
            span,
        )
    }

    /// An `int` index or dimension: unary promotion, then it must be `int`.
    fn int_operand(&mut self, e: &Expr) -> TExpr {
        let v = self.check_expr(e);
        let v = self.unbox_if(v);
        if v.ty.is_error() {
            return v;
        }
        let p = v.ty.unary_promote();
        if p == Ty::Int {
            return conv(v, &Ty::Int);
        }
        self.incompatible(&v, &Ty::Int);
        TExpr::error(v.span)
    }

    fn check_index(&mut self, array: &Expr, index: &Expr, span: Span) -> TExpr {
        let a = self.check_expr(array);
        let i = self.int_operand(index);
        match a.ty.clone() {
            Ty::Array(el) => TExpr::new(
                TK::Index {
                    arr: Box::new(a),
                    idx: Box::new(i),
                },
                *el,
                span,
            ),
            Ty::Error => TExpr::error(span),
            t => {
                let tn = self.display(&t);
                self.g
                    .error(span, format!("array required, but {tn} found"));
                TExpr::error(span)
            }
        }
    }

    fn check_new_array(
        &mut self,
        elem: &crate::ast::TypeExpr,
        dims: &[Expr],
        extra: u32,
        span: Span,
    ) -> TExpr {
        let el = self.g.resolve_type(Some(self.class), elem);
        let dims: Vec<TExpr> = dims.iter().map(|d| self.int_operand(d)).collect();
        if el.is_error() {
            return TExpr::error(span);
        }
        let mut ty = el;
        for _ in 0..(dims.len() as u32 + extra) {
            ty = Ty::Array(Box::new(ty));
        }
        let class = self.class_of_ref(&ty);
        if dims.len() > 255 {
            self.g.error(span, "too many array dimensions");
            return TExpr::error(span);
        }
        TExpr::new(TK::NewArray { class, dims }, ty, span)
    }

    fn check_unary(&mut self, op: UnOp, expr: &Expr, span: Span) -> TExpr {
        match op {
            UnOp::Neg => {
                if let ExprKind::Lit(l @ (Literal::Int(_) | Literal::Long(_))) = &expr.kind {
                    let v = self.literal(l, expr.span, true);
                    if let Some(c) = v.constant().and_then(|c| consts::neg(&v.ty, c)) {
                        return TExpr::new(TK::Const(c), v.ty, span);
                    }
                }
                let v = self.check_expr(expr);
                let v = self.unbox_if(v);
                if v.ty.is_error() {
                    return v;
                }
                if !v.ty.is_numeric() {
                    return self.bad_unary("-", &v, span);
                }
                let t = v.ty.unary_promote();
                let v = conv(v, &t);
                if let Some(c) = v.constant().and_then(|c| consts::neg(&t, c)) {
                    return TExpr::new(TK::Const(c), t, span);
                }
                TExpr::new(TK::Neg(Box::new(v)), t, span)
            }
            UnOp::Plus => {
                let v = self.check_expr(expr);
                let v = self.unbox_if(v);
                if v.ty.is_error() {
                    return v;
                }
                if !v.ty.is_numeric() {
                    return self.bad_unary("+", &v, span);
                }
                let t = v.ty.unary_promote();
                let mut v = conv(v, &t);
                v.span = span;
                v
            }
            UnOp::BitNot => {
                let v = self.check_expr(expr);
                let v = self.unbox_if(v);
                if v.ty.is_error() {
                    return v;
                }
                if !v.ty.is_integral() {
                    return self.bad_unary("~", &v, span);
                }
                let t = v.ty.unary_promote();
                let v = conv(v, &t);
                if let Some(c) = v.constant().and_then(consts::bit_not) {
                    return TExpr::new(TK::Const(c), t, span);
                }
                TExpr::new(TK::BitNot(Box::new(v)), t, span)
            }
            UnOp::Not => {
                let v = self.check_expr(expr);
                let v = self.unbox_if(v);
                if v.ty.is_error() {
                    return TExpr::new(TK::Error, Ty::Bool, span);
                }
                if v.ty != Ty::Bool {
                    return self.bad_unary("!", &v, span);
                }
                if let Some(b) = v.constant().and_then(Const::as_bool) {
                    return TExpr::new(TK::Const(Const::Z(!b)), Ty::Bool, span);
                }
                TExpr::new(TK::Not(Box::new(v)), Ty::Bool, span)
            }
            op_ @ (UnOp::PreInc | UnOp::PreDec | UnOp::PostInc | UnOp::PostDec) => {
                let sym = if matches!(op, UnOp::PreInc | UnOp::PostInc) {
                    "++"
                } else {
                    "--"
                };
                let Some((lv, ty)) = self.check_lvalue(expr, true) else {
                    return TExpr::error(span);
                };
                if ty.is_error() {
                    return TExpr::error(span);
                }
                if self.unboxed(&ty).is_some_and(|p| p.is_numeric()) {
                    let op = if sym == "++" { BinOp::Add } else { BinOp::Sub };
                    let post = matches!(op_, UnOp::PostInc | UnOp::PostDec);
                    return self.boxed_update(lv, &ty, op, None, post, span);
                }
                if !ty.is_numeric() {
                    let tn = self.display(&ty);
                    self.g.error(
                        span,
                        format!("bad operand type {tn} for unary operator '{sym}'"),
                    );
                    return TExpr::error(span);
                }
                TExpr::new(
                    TK::IncDec {
                        lv,
                        pre: matches!(op, UnOp::PreInc | UnOp::PreDec),
                        inc: sym == "++",
                    },
                    ty,
                    span,
                )
            }
        }
    }

    fn bad_unary(&mut self, sym: &str, v: &TExpr, span: Span) -> TExpr {
        let tn = self.display(&v.ty);
        self.g.error(
            span,
            format!("bad operand type {tn} for unary operator '{sym}'"),
        );
        TExpr::error(span)
    }

    fn bad_binary(&mut self, op: BinOp, a: &Ty, b: &Ty, span: Span) -> TExpr {
        let (x, y) = (self.display(a), self.display(b));
        self.g.report(
            crate::diag::Diagnostic::error(
                span,
                format!("bad operand types for binary operator '{}'", op_str(op)),
            )
            .with_note(format!("first type:  {x}"))
            .with_note(format!("second type: {y}")),
        );
        TExpr::error(span)
    }

    fn check_binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, span: Span) -> TExpr {
        if let Some(t) = self.get_class_cmp(op, lhs, rhs, span) {
            return t;
        }
        let mark = self.bindings.len();
        let a = self.check_expr(lhs);
        self.flow_operand(op, lhs, mark);
        let mark = self.bindings.len();
        let b = self.check_expr(rhs);
        self.flow_operand(op, rhs, mark);
        self.binary(op, a, b, span)
    }

    /// Types `a op b` once both operands are checked.
    pub fn binary(&mut self, op: BinOp, a: TExpr, b: TExpr, span: Span) -> TExpr {
        use BinOp::*;
        if a.ty.is_error() || b.ty.is_error() {
            let t = match op {
                Lt | Le | Gt | Ge | Eq | Ne | And | Or => Ty::Bool,
                _ => Ty::Error,
            };
            return TExpr::new(TK::Error, t, span);
        }
        if a.ty == Ty::Void || b.ty == Ty::Void {
            return self.bad_binary(op, &a.ty, &b.ty, span);
        }
        // Unboxing of numeric and boolean operands (not for string
        // concatenation, nor for `==` between two references).
        let (a, b) = match op {
            Add if ClassTable::is_string(&a.ty) || ClassTable::is_string(&b.ty) => (a, b),
            Eq | Ne if a.ty.is_ref() && b.ty.is_ref() => (a, b),
            _ => (self.unbox_if(a), self.unbox_if(b)),
        };
        match op {
            Add if ClassTable::is_string(&a.ty) || ClassTable::is_string(&b.ty) => {
                self.concat(a, b, span)
            }
            Add | Sub | Mul | Div | Rem => {
                if !a.ty.is_numeric() || !b.ty.is_numeric() {
                    return self.bad_binary(op, &a.ty, &b.ty, span);
                }
                let t = Ty::binary_promote(&a.ty, &b.ty);
                self.arith(op, conv(a, &t), conv(b, &t), t, span)
            }
            Shl | Shr | UShr => {
                if !a.ty.is_integral() || !b.ty.is_integral() {
                    return self.bad_binary(op, &a.ty, &b.ty, span);
                }
                let t = a.ty.unary_promote();
                let bt = b.ty.unary_promote();
                let b = conv(conv(b, &bt), &Ty::Int);
                self.arith(op, conv(a, &t), b, t, span)
            }
            BitAnd | BitOr | BitXor => {
                if a.ty == Ty::Bool && b.ty == Ty::Bool {
                    return self.arith(op, a, b, Ty::Bool, span);
                }
                if !a.ty.is_integral() || !b.ty.is_integral() {
                    return self.bad_binary(op, &a.ty, &b.ty, span);
                }
                let t = Ty::binary_promote(&a.ty, &b.ty);
                self.arith(op, conv(a, &t), conv(b, &t), t, span)
            }
            And | Or => {
                if a.ty != Ty::Bool || b.ty != Ty::Bool {
                    return self.bad_binary(op, &a.ty, &b.ty, span);
                }
                if let (Some(x), Some(y)) = (a.constant(), b.constant()) {
                    if let Some(c) = consts::arith(op, &Ty::Bool, x, y) {
                        return TExpr::new(TK::Const(c), Ty::Bool, span);
                    }
                }
                let k = if op == And {
                    TK::And(Box::new(a), Box::new(b))
                } else {
                    TK::Or(Box::new(a), Box::new(b))
                };
                TExpr::new(k, Ty::Bool, span)
            }
            Lt | Le | Gt | Ge | Eq | Ne => {
                let c = cond_of(op).unwrap_or(Cond::Eq);
                let (a, b) = if a.ty.is_numeric() && b.ty.is_numeric() {
                    let t = Ty::binary_promote(&a.ty, &b.ty);
                    (conv(a, &t), conv(b, &t))
                } else if matches!(op, Eq | Ne) && a.ty == Ty::Bool && b.ty == Ty::Bool {
                    (a, b)
                } else if matches!(op, Eq | Ne) && a.ty.is_ref() && b.ty.is_ref() {
                    if !self.g.table.ref_castable(&a.ty, &b.ty) {
                        let (x, y) = (self.display(&a.ty), self.display(&b.ty));
                        self.g
                            .error(span, format!("incomparable types: {x} and {y}"));
                        return TExpr::new(TK::Error, Ty::Bool, span);
                    }
                    (a, b)
                } else {
                    let mut e = self.bad_binary(op, &a.ty, &b.ty, span);
                    e.ty = Ty::Bool;
                    return e;
                };
                if let (Some(x), Some(y)) = (a.constant(), b.constant()) {
                    if let Some(r) = consts::cmp(c, x, y) {
                        return TExpr::new(TK::Const(Const::Z(r)), Ty::Bool, span);
                    }
                }
                TExpr::new(
                    TK::Cmp {
                        c,
                        lhs: Box::new(a),
                        rhs: Box::new(b),
                    },
                    Ty::Bool,
                    span,
                )
            }
        }
    }

    fn arith(&mut self, op: BinOp, a: TExpr, b: TExpr, t: Ty, span: Span) -> TExpr {
        if let (Some(x), Some(y)) = (a.constant(), b.constant()) {
            if let Some(c) = consts::arith(op, &t, x, y) {
                return TExpr::new(TK::Const(c), t, span);
            }
        }
        TExpr::new(
            TK::Arith {
                op,
                lhs: Box::new(a),
                rhs: Box::new(b),
            },
            t,
            span,
        )
    }

    /// String concatenation, flattened and constant-folded.
    fn concat(&mut self, a: TExpr, b: TExpr, span: Span) -> TExpr {
        let a = self.string_conv(a);
        let b = self.string_conv(b);
        if let (Some(Const::S(x)), Some(Const::S(y))) = (a.constant(), b.constant()) {
            return TExpr::new(TK::Const(Const::S(format!("{x}{y}"))), string_ty(), span);
        }
        let mut parts = match a.kind {
            TK::Concat(p) => p,
            _ => vec![a],
        };
        parts.push(b);
        TExpr::new(TK::Concat(parts), string_ty(), span)
    }

    fn check_cond(
        &mut self,
        cond: &Expr,
        then: &Expr,
        els: &Expr,
        span: Span,
        expect: Option<GTy>,
    ) -> TExpr {
        let mark = self.bindings.len();
        let c = self.check_bool(cond);
        let m1 = self.bindings.len();
        self.set_visible(mark, m1, &super::patterns::when_true(cond));
        // A reference conditional is a poly expression: its operands see the target type.
        self.expect = expect.clone();
        let t = self.check_expr(then);
        let m2 = self.bindings.len();
        self.set_visible(m1, m2, &[]);
        self.set_visible(mark, m1, &super::patterns::when_false(cond));
        self.expect = expect.clone();
        let e = self.check_expr(els);
        let m3 = self.bindings.len();
        self.set_visible(mark, m3, &[]);
        let target = expect
            .map(|x| self.g.table.erase(&x))
            .filter(|x| x.is_ref() && !x.is_error());
        if t.ty.is_error() || e.ty.is_error() {
            return TExpr::error(span);
        }
        let (t, e) = self.cond_operands(t, e);
        let ty = if t.ty == e.ty {
            t.ty.clone()
        } else if t.ty.is_numeric() && e.ty.is_numeric() {
            let small = |x: &Ty| matches!(x, Ty::Byte | Ty::Short | Ty::Char);
            if (t.ty == Ty::Byte && e.ty == Ty::Short) || (t.ty == Ty::Short && e.ty == Ty::Byte) {
                Ty::Short
            } else if small(&t.ty)
                && e.ty == Ty::Int
                && e.constant().is_some_and(|c| c.fits(&e.ty, &t.ty))
            {
                t.ty.clone()
            } else if small(&e.ty)
                && t.ty == Ty::Int
                && t.constant().is_some_and(|c| c.fits(&t.ty, &e.ty))
            {
                e.ty.clone()
            } else {
                Ty::binary_promote(&t.ty, &e.ty)
            }
        } else if t.ty.is_ref() && e.ty.is_ref() {
            if self.g.table.ref_assignable(&t.ty, &e.ty) {
                e.ty.clone()
            } else if self.g.table.ref_assignable(&e.ty, &t.ty) {
                t.ty.clone()
            } else {
                match target {
                    Some(x)
                        if self.g.table.ref_assignable(&t.ty, &x)
                            && self.g.table.ref_assignable(&e.ty, &x) =>
                    {
                        x
                    }
                    _ => self.lub(&t.ty, &e.ty),
                }
            }
        } else {
            let (x, y) = (self.display(&t.ty), self.display(&e.ty));
            self.g.error(
                span,
                format!("incompatible types in conditional expression: {x} and {y}"),
            );
            return TExpr::error(span);
        };
        let t = self.retype(t, &ty);
        let e = self.retype(e, &ty);
        if let Some(b) = c.constant().and_then(Const::as_bool) {
            if let (Some(_), Some(_)) = (t.constant(), e.constant()) {
                let mut r = if b { t } else { e };
                r.span = span;
                return r;
            }
        }
        TExpr::new(
            TK::Cond {
                c: Box::new(c),
                t: Box::new(t),
                e: Box::new(e),
            },
            ty,
            span,
        )
    }

    /// Unboxes or boxes the operands of `c ? t : e` (JLS 15.25): numeric and
    /// boolean conditionals unbox, a primitive next to a reference is boxed.
    fn cond_operands(&mut self, t: TExpr, e: TExpr) -> (TExpr, TExpr) {
        if t.ty == e.ty {
            return (t, e);
        }
        let (pt, pe) = (
            self.unboxed(&t.ty).unwrap_or(t.ty.clone()),
            self.unboxed(&e.ty).unwrap_or(e.ty.clone()),
        );
        let numeric = pt.is_numeric() && pe.is_numeric();
        let boolean = pt == Ty::Bool && pe == Ty::Bool;
        if numeric || boolean {
            return (self.unbox_if(t), self.unbox_if(e));
        }
        let t = if t.ty.is_prim() && e.ty.is_ref() {
            self.box_expr(t)
        } else {
            t
        };
        let e = if e.ty.is_prim() && t.ty.is_ref() {
            self.box_expr(e)
        } else {
            e
        };
        (t, e)
    }

    /// Converts a conditional operand to the conditional's type.
    fn retype(&mut self, v: TExpr, ty: &Ty) -> TExpr {
        if v.ty.is_prim() {
            if let Some(c) = v.constant() {
                if c.fits(&v.ty, ty) {
                    return TExpr::new(TK::Const(c.clone()), ty.clone(), v.span);
                }
            }
            conv(v, ty)
        } else {
            v
        }
    }

    /// Least upper bound of two reference types (superclass chains only).
    fn lub(&self, a: &Ty, b: &Ty) -> Ty {
        if let (Ty::Class(x), Ty::Class(y)) = (a, b) {
            let cy = self.g.table.chain(*y);
            for k in self.g.table.chain(*x) {
                if cy.contains(&k) {
                    return Ty::Class(k);
                }
            }
        }
        Ty::Class(ClassId(OBJECT))
    }

    /// A condition: must be `boolean`.
    pub fn check_bool(&mut self, e: &Expr) -> TExpr {
        let v = self.check_expr(e);
        let v = self.unbox_if(v);
        if v.ty.is_error() {
            return TExpr::new(TK::Error, Ty::Bool, v.span);
        }
        if v.ty != Ty::Bool {
            self.incompatible(&v, &Ty::Bool);
            return TExpr::new(TK::Error, Ty::Bool, v.span);
        }
        v
    }

    /// Casting conversion (JLS 5.5).
    pub fn cast(&mut self, v: TExpr, t: Ty, span: Span) -> TExpr {
        if v.ty.is_error() || t.is_error() {
            return TExpr::error(span);
        }
        if v.ty.is_prim() && t.is_prim() {
            if (v.ty == Ty::Bool) != (t == Ty::Bool) {
                self.incompatible(&v, &t);
                return TExpr::error(span);
            }
            let mut r = conv(v, &t);
            r.span = span;
            return r;
        }
        if v.ty.is_ref() && t.is_ref() {
            if !self.g.table.ref_castable(&v.ty, &t) {
                self.incompatible(&v, &t);
                return TExpr::error(span);
            }
            if self.g.table.ref_assignable(&v.ty, &t) {
                let mut r = v;
                if r.ty != Ty::Null || t.is_ref() {
                    r.ty = t;
                }
                r.span = span;
                return r;
            }
            let class = self.class_of_ref(&t);
            return TExpr::new(
                TK::CheckCast {
                    e: Box::new(v),
                    class,
                },
                t,
                span,
            );
        }
        let v = match self.cast_box_conv(v, &t, span) {
            Ok(r) => return r,
            Err(v) => v,
        };
        self.incompatible(&v, &t);
        TExpr::error(span)
    }

    /// The variable an assignment or `++` targets, with its type. Reports
    /// assignments to `final` variables.
    pub fn check_lvalue(&mut self, e: &Expr, reads: bool) -> Option<(LVal, Ty)> {
        let span = e.span;
        match &e.kind {
            ExprKind::Name(id) => {
                if let Some(i) = self.find_local(&id.name) {
                    let l = &self.locals[i];
                    let (reg, ty, is_final, init) =
                        (l.reg, l.ty.clone(), l.is_final, l.initialized);
                    if reads && !self.da.has(i) {
                        self.g.error(
                            span,
                            format!("variable {} might not have been initialized", id.name),
                        );
                        self.da.add(i);
                    }
                    // A vacuous state (unreachable code) leaves the variable unassigned too.
                    if is_final && (init || (!self.da.all && self.da.has(i)) || reads) {
                        self.g.error(
                            span,
                            format!("cannot assign a value to final variable {}", id.name),
                        );
                    }
                    return Some((LVal::Local(reg), ty));
                }
                let mut c = Some(self.class);
                while let Some(k) = c {
                    if let Some(f) = self.g.table.find_field(k, &id.name) {
                        let is_static = self.g.table.field(f).is_static;
                        if !is_static && (k != self.class || self.is_static) {
                            self.g.error(
                                span,
                                format!("non-static variable {} cannot be referenced from a static context", id.name),
                            );
                            return None;
                        }
                        let this = TExpr::new(TK::This, Ty::Class(self.class), span);
                        return self.field_lvalue(this, f, true, span);
                    }
                    c = self.g.table.class(k).outer;
                }
                self.g
                    .error(span, format!("cannot find symbol: variable {}", id.name));
                None
            }
            ExprKind::Field { target, name } => {
                let direct = matches!(target.kind, ExprKind::This);
                let obj = match self.resolve_amb(target) {
                    Amb::Expr(t) => t,
                    Amb::Type(TypeName::Class(c)) => {
                        let Some(f) = self.g.table.find_field(c, &name.name) else {
                            self.g.error(
                                name.span,
                                format!("cannot find symbol: variable {}", name.name),
                            );
                            return None;
                        };
                        if !self.g.table.field(f).is_static {
                            self.g.error(
                                span,
                                format!("non-static variable {} cannot be referenced from a static context", name.name),
                            );
                            return None;
                        }
                        let d = TExpr::new(TK::Null, Ty::Null, span);
                        return self.field_lvalue(d, f, c == self.class, span);
                    }
                    _ => {
                        self.g
                            .error(name.span, format!("cannot assign a value to {}", name.name));
                        return None;
                    }
                };
                match obj.ty.clone() {
                    Ty::Error => None,
                    Ty::Array(_) if name.name == "length" => {
                        self.g
                            .error(span, "cannot assign a value to final variable length");
                        None
                    }
                    Ty::Class(c) => match self.g.table.find_field(c, &name.name) {
                        Some(f) => self.field_lvalue(obj, f, direct, span),
                        None => {
                            self.g.error(
                                name.span,
                                format!("cannot find symbol: variable {}", name.name),
                            );
                            None
                        }
                    },
                    t => {
                        let tn = self.display(&t);
                        self.g.error(span, format!("{tn} cannot be dereferenced"));
                        None
                    }
                }
            }
            ExprKind::SuperField { name } => {
                let sup = self.super_class(span)?;
                let this = TExpr::new(TK::This, Ty::Class(sup), span);
                let Some(f) = self.g.table.find_field(sup, &name.name) else {
                    self.g.error(
                        name.span,
                        format!("cannot find symbol: variable {}", name.name),
                    );
                    return None;
                };
                self.field_lvalue(this, f, false, span)
            }
            ExprKind::Index { array, index } => {
                let t = self.check_index(array, index, span);
                match t.kind {
                    TK::Index { arr, idx } => Some((LVal::Index { arr, idx }, t.ty)),
                    _ => None,
                }
            }
            _ => {
                let v = self.check_expr(e);
                if !v.ty.is_error() {
                    self.g
                        .error(span, "unexpected type: required variable, found value");
                }
                None
            }
        }
    }

    fn field_lvalue(
        &mut self,
        obj: TExpr,
        f: FieldId,
        direct: bool,
        span: Span,
    ) -> Option<(LVal, Ty)> {
        let fi = self.g.table.field(f);
        let (ty, is_static, is_final, owner, slot, has_init) = (
            fi.ty.clone(),
            fi.is_static,
            fi.is_final,
            fi.class,
            fi.slot.clone(),
            fi.decl.is_some_and(|d| d.init.is_some()),
        );
        let name = fi.name.clone();
        self.check_private(fi.is_private, owner, &name, span);
        if is_final {
            let ok = !has_init
                && direct
                && owner == self.class
                && ((self.kind == BodyKind::Ctor && !is_static)
                    || (self.kind == BodyKind::Clinit && is_static));
            if !ok {
                self.g.error(
                    span,
                    format!("cannot assign a value to final variable {name}"),
                );
            }
        }
        Some(match slot {
            FieldSlot::Static(s) => (
                LVal::Static {
                    slot: s,
                    init: self.init_for(owner),
                },
                ty,
            ),
            FieldSlot::Instance(off) => (
                LVal::Field {
                    obj: Box::new(obj),
                    off,
                },
                ty,
            ),
        })
    }

    fn check_assign(&mut self, op: Option<BinOp>, lhs: &Expr, rhs: &Expr, span: Span) -> TExpr {
        let local = match &lhs.kind {
            ExprKind::Name(id) => self.find_local(&id.name),
            _ => None,
        };
        let Some(op) = op else {
            let lv = self.check_lvalue(lhs, false);
            if let Some((_, ty)) = &lv {
                self.expect = Some(GTy::Plain(ty.clone()));
            }
            let r = self.check_expr(rhs);
            if let Some(i) = local {
                self.da.add(i);
            }
            let Some((lv, ty)) = lv else {
                return TExpr::error(span);
            };
            let r = self.assign_conv(r, &ty);
            return TExpr::new(
                TK::Assign {
                    lv,
                    rhs: Box::new(r),
                },
                ty,
                span,
            );
        };
        let lv = self.check_lvalue(lhs, true);
        let r = self.check_expr(rhs);
        let Some((lv, ty)) = lv else {
            return TExpr::error(span);
        };
        if ty.is_error() || r.ty.is_error() {
            return TExpr::error(span);
        }
        if self.unboxed(&ty).is_some() {
            return self.boxed_update(lv, &ty, op, Some(r), false, span);
        }
        let r = if op == BinOp::Add && ClassTable::is_string(&ty) {
            r
        } else {
            self.unbox_if(r)
        };
        use BinOp::*;
        let (op_ty, r) = if op == Add && ClassTable::is_string(&ty) {
            if r.ty == Ty::Void {
                return self.bad_binary(op, &ty, &r.ty, span);
            }
            (ty.clone(), self.string_conv(r))
        } else {
            match op {
                Add | Sub | Mul | Div | Rem if ty.is_numeric() && r.ty.is_numeric() => {
                    let t = Ty::binary_promote(&ty, &r.ty);
                    (t.clone(), conv(r, &t))
                }
                Shl | Shr | UShr if ty.is_integral() && r.ty.is_integral() => {
                    let bt = r.ty.unary_promote();
                    (ty.unary_promote(), conv(conv(r, &bt), &Ty::Int))
                }
                BitAnd | BitOr | BitXor if ty == Ty::Bool && r.ty == Ty::Bool => (Ty::Bool, r),
                BitAnd | BitOr | BitXor if ty.is_integral() && r.ty.is_integral() => {
                    let t = Ty::binary_promote(&ty, &r.ty);
                    (t.clone(), conv(r, &t))
                }
                _ => return self.bad_binary(op, &ty, &r.ty, span),
            }
        };
        TExpr::new(
            TK::OpAssign {
                lv,
                op,
                op_ty,
                rhs: Box::new(r),
            },
            ty,
            span,
        )
    }
}
