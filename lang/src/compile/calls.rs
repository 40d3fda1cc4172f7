//! Method calls, constructors and overload resolution (JLS 15.12.2 phases 1
//! and 2 without boxing; the most specific method; ambiguity).

use super::body::FnCx;
use super::check_expr::Amb;
use super::classes::{MId, MethodSrc};
use super::convert::string_ty;
use super::generics::GTy;
use super::resolve::TypeName;
use super::texpr::{CallKind, TExpr, TK};
use super::types::Ty;
use crate::ast::{Expr, Ident, TypeExpr};
use crate::diag::{Diagnostic, Span};
use semeru_gc::ClassId;
use semeru_stdlib::builtins::{BUILTINS, OBJECT, STRING};
use semeru_stdlib::natives::{self, Native, NativeKind};
use semeru_vm::program::MethodId;

#[derive(Clone, Debug)]
pub enum Target {
    Method(MId),
    Native(Native, NativeKind),
}

#[derive(Clone, Debug)]
pub struct Cand {
    pub params: Vec<Ty>,
    pub ret: Ty,
    pub is_static: bool,
    pub target: Target,
    /// Declaring class, for messages.
    pub owner: String,
    /// A varargs method (`T... a`).
    pub varargs: bool,
    /// Selected by variable-arity invocation: the trailing arguments are packed
    /// into an array.
    pub expand: bool,
}

/// The receiver of a call, as written.
enum Recv {
    /// `m(...)`: this class or an enclosing one.
    Implicit(ClassId),
    /// `Type.m(...)`.
    Type,
    Expr(TExpr),
    Super,
}

fn mid(m: MId) -> MethodId {
    MethodId(m.0 as u16)
}

impl<'a> FnCx<'a, '_> {
    /// Methods named `name` of class `c` and its superclasses (overridden ones once).
    fn class_cands(&mut self, c: ClassId, name: &str) -> Vec<Cand> {
        let mut out: Vec<Cand> = Vec::new();
        let chain = self.g.table.chain(c);
        let ifaces = self.g.table.all_interfaces(c);
        for (i, k) in chain.iter().chain(&ifaces).enumerate() {
            let k = *k;
            let ms = self.g.table.class(k).methods.clone();
            for m in ms {
                let mi = self.g.table.method(m);
                // Static interface methods are not inherited.
                let inherited_static = i >= chain.len() && mi.is_static;
                if mi.name != name || inherited_static || out.iter().any(|o| o.params == mi.params)
                {
                    continue;
                }
                out.push(Cand {
                    params: mi.params.clone(),
                    ret: mi.ret.clone(),
                    is_static: mi.is_static,
                    target: Target::Method(m),
                    owner: self.g.table.class(k).display.clone(),
                    varargs: self.g.table.mext(m).varargs,
                    expand: false,
                });
            }
            if self.g.table.is_lib(k) && k.0 != OBJECT {
                // Natives of a library class are its methods even when its Sem
                // file does not declare them.
                let internal = self.g.table.class(k).internal.clone();
                for n in self.native_cands(&internal, name) {
                    if !out.iter().any(|o| o.params == n.params) {
                        out.push(n);
                    }
                }
            }
        }
        out
    }

    /// Natives of a library class named `name`.
    fn native_cands(&mut self, class: &str, name: &str) -> Vec<Cand> {
        let found: Vec<(Native, &'static natives::NativeDesc)> =
            natives::lookup(class, name).collect();
        let owner = class.rsplit('/').next().unwrap_or(class).to_string();
        let mut out = Vec::new();
        for (n, d) in found {
            let Some((params, ret)) = self.g.table.parse_method_desc(d.desc) else {
                continue;
            };
            out.push(Cand {
                params,
                ret,
                is_static: d.kind == NativeKind::Static
                    || (d.kind == NativeKind::Intrinsic && d.name == "valueOf"),
                target: Target::Native(n, d.kind),
                owner: owner.clone(),
                varargs: false,
                expand: false,
            });
        }
        out
    }

    /// Candidates for `recv.name(...)` where `recv` has static type `t`.
    fn type_cands(&mut self, t: &Ty, name: &str) -> Vec<Cand> {
        match t {
            // String and PrintStream: the methods of their library files (if any),
            // their natives, then Object's (see `class_cands`).
            Ty::Class(c) => self.class_cands(*c, name),
            Ty::Array(_) if name == "clone" => vec![Cand {
                // `int[] b = a.clone();`: Java types an array's clone as the array.
                params: Vec::new(),
                ret: t.clone(),
                is_static: false,
                target: Target::Native(Native::ArrayClone, NativeKind::Instance),
                owner: "Object".to_string(),
                varargs: false,
                expand: false,
            }],
            Ty::Array(_) => self.class_cands(ClassId(OBJECT), name),
            _ => Vec::new(),
        }
    }

    fn arg_list(&self, args: &[TExpr]) -> String {
        let v: Vec<String> = args.iter().map(|a| self.display(&a.ty)).collect();
        v.join(",")
    }

    /// Picks the most specific applicable candidate, or reports why none fits.
    pub fn select(
        &mut self,
        what: &str,
        name: &str,
        cands: Vec<Cand>,
        args: &[TExpr],
        span: Span,
    ) -> Option<Cand> {
        if cands.is_empty() {
            let a = self.arg_list(args);
            self.g
                .error(span, format!("cannot find symbol: {what} {name}({a})"));
            return None;
        }
        // Phase 1 (JLS 15.12.2.2) without boxing, then phase 2 with it.
        let phase = |boxing: bool| -> Vec<&Cand> {
            cands
                .iter()
                .filter(|c| {
                    c.params.len() == args.len()
                        && c.params.iter().zip(args).all(|(p, a)| {
                            a.ty != Ty::Void
                                && if boxing {
                                    self.loose_convertible(&a.ty, p)
                                } else {
                                    self.g.table.widens(&a.ty, p)
                                }
                        })
                })
                .collect()
        };
        let mut applicable = phase(false);
        if applicable.is_empty() {
            applicable = phase(true);
        }
        if applicable.is_empty() {
            if let Some(c) = self.select_varargs(&cands, args) {
                return Some(c);
            }
            let a = self.arg_list(args);
            if cands.len() == 1 {
                let c = &cands[0];
                let req: Vec<String> = c.params.iter().map(|p| self.display(p)).collect();
                let req = if req.is_empty() {
                    "no arguments".to_string()
                } else {
                    req.join(",")
                };
                let found = if a.is_empty() {
                    "no arguments".to_string()
                } else {
                    a
                };
                self.g.report(
                    Diagnostic::error(
                        span,
                        format!(
                            "{what} {name} in class {} cannot be applied to given types",
                            c.owner
                        ),
                    )
                    .with_note(format!("required: {req}"))
                    .with_note(format!("found:    {found}")),
                );
            } else {
                self.g
                    .error(span, format!("no suitable {what} found for {name}({a})"));
            }
            return None;
        }
        let more_specific = |x: &Cand, y: &Cand| {
            x.params
                .iter()
                .zip(&y.params)
                .all(|(p, q)| self.g.table.widens(p, q))
        };
        let maximal: Vec<&Cand> = applicable
            .iter()
            .filter(|c| applicable.iter().all(|o| more_specific(c, o)))
            .copied()
            .collect();
        if let Some(best) = maximal.first() {
            return Some((*best).clone());
        }
        if args.iter().any(|a| a.ty.is_error()) {
            return applicable.first().map(|c| (*c).clone());
        }
        let (x, y) = (applicable[0], applicable[1]);
        let sig = |c: &Cand| {
            let v: Vec<String> = c.params.iter().map(|p| self.display(p)).collect();
            format!("{what} {name}({}) in {}", v.join(","), c.owner)
        };
        let msg = format!(
            "reference to {name} is ambiguous\n  both {} and {} match",
            sig(x),
            sig(y)
        );
        self.g.error(span, msg);
        applicable.first().map(|c| (*c).clone())
    }

    /// Phase 3 of JLS 15.12.2: variable-arity invocation. The first applicable
    /// varargs candidate whose fixed parameters are most specific wins.
    fn select_varargs(&mut self, cands: &[Cand], args: &[TExpr]) -> Option<Cand> {
        let fits = |c: &Cand| {
            let Some((Ty::Array(elem), fixed)) = c.params.split_last().map(|(l, f)| (l.clone(), f))
            else {
                return false;
            };
            c.varargs
                && args.len() >= fixed.len()
                && args.iter().enumerate().all(|(i, a)| {
                    let p = fixed.get(i).unwrap_or(&elem);
                    // Phase 3 allows boxing too.
                    a.ty != Ty::Void && self.loose_convertible(&a.ty, p)
                })
        };
        let ok: Vec<&Cand> = cands.iter().filter(|c| fits(c)).collect();
        let best = ok
            .iter()
            .find(|c| {
                ok.iter().all(|o| {
                    c.params
                        .iter()
                        .zip(&o.params)
                        .all(|(p, q)| self.g.table.widens(p, q))
                })
            })
            .or(ok.first())?;
        let mut c = (*best).clone();
        c.expand = true;
        Some(c)
    }

    /// Converts arguments to the selected candidate's parameter types, packing
    /// the trailing ones into an array for a variable-arity call.
    pub fn pack_args(&mut self, c: &Cand, args: Vec<TExpr>, span: Span) -> Vec<TExpr> {
        if !c.expand {
            return args
                .into_iter()
                .zip(&c.params)
                .map(|(a, p)| self.invoke_conv(a, p))
                .collect();
        }
        let n = c.params.len().saturating_sub(1);
        let mut arr_ty = c.params.last().cloned().unwrap_or(Ty::Error);
        let mut elem = match &arr_ty {
            Ty::Array(e) => (**e).clone(),
            _ => Ty::Error,
        };
        if let Some(e) = self.vararg_elem.take() {
            if e.is_ref() && self.g.table.ref_assignable(&e, &elem) {
                arr_ty = Ty::Array(Box::new(e.clone()));
                elem = e;
            }
        }
        let mut out = Vec::new();
        let mut rest = Vec::new();
        for (i, a) in args.into_iter().enumerate() {
            if i < n {
                out.push(self.invoke_conv(a, &c.params[i]));
            } else {
                rest.push(self.invoke_conv(a, &elem));
            }
        }
        let class = self.g.table.array_class(&elem);
        out.push(TExpr::new(
            TK::ArrayLit { class, elems: rest },
            arr_ty,
            span,
        ));
        out
    }

    /// Methods named `name` of the second and later bounds of a type variable,
    /// with the receiver cast to that bound (as javac does).
    fn bound_cands(&mut self, e: &TExpr, name: &str) -> Option<(TExpr, Vec<Cand>)> {
        let Some(GTy::Var(v)) = e.g.as_deref() else {
            return None;
        };
        let bounds = self.g.table.tvar(*v).bounds.clone();
        for b in bounds.iter().skip(1) {
            let bt = self.g.table.erase(b);
            let cands = self.type_cands(&bt, name);
            if cands.is_empty() {
                continue;
            }
            let class = self.class_of_ref(&bt);
            let cast = TExpr::new(
                TK::CheckCast {
                    e: Box::new(e.clone()),
                    class,
                },
                bt,
                e.span,
            )
            .with_g(b.clone());
            return Some((cast, cands));
        }
        None
    }

    /// `recv.name()` for an already checked receiver (the lowering of enhanced
    /// `for` over an `Iterable`); reports and returns `None` when there is no
    /// such method.
    pub fn call_on(&mut self, recv: TExpr, name: &str, span: Span) -> Option<TExpr> {
        let cands = self.type_cands(&recv.ty, name);
        let c = self.select("method", name, cands, &[], span)?;
        let recv_g = self.gty_of(&recv);
        let call = self.build_call(c.clone(), Recv::Expr(recv), Vec::new(), name, span);
        Some(match c.target {
            Target::Method(m) => self.generic_result(call, m, Some(&recv_g), &[], None),
            Target::Native(..) => call,
        })
    }

    fn check_args(&mut self, args: &[Expr]) -> Vec<TExpr> {
        args.iter().map(|a| self.check_expr(a)).collect()
    }

    pub fn check_call(
        &mut self,
        target: Option<&Expr>,
        name: &Ident,
        args: &[Expr],
        span: Span,
        expect: Option<GTy>,
    ) -> TExpr {
        // Taken now so that calls among the arguments do not see them.
        let explicit = self.explicit_targs.take();
        if let Some(t) = self.get_class_call(target, name, args, span) {
            return t;
        }
        let (recv, cands) = match target {
            None => {
                // The innermost enclosing class with a method of that name (JLS 15.12.1).
                let mut c = Some(self.class);
                let mut found = None;
                while let Some(k) = c {
                    let v = self.class_cands(k, &name.name);
                    if !v.is_empty() {
                        found = Some((k, v));
                        break;
                    }
                    c = self.g.table.class(k).outer;
                }
                match found {
                    Some((k, v)) => (Recv::Implicit(k), v),
                    None => (Recv::Implicit(self.class), Vec::new()),
                }
            }
            Some(t) => match self.resolve_amb(t) {
                Amb::Expr(e) => {
                    if e.ty.is_error() {
                        self.check_args(args);
                        return TExpr::error(span);
                    }
                    if e.ty.is_prim() || e.ty == Ty::Null || e.ty == Ty::Void {
                        let tn = self.display(&e.ty);
                        self.g.error(t.span, format!("{tn} cannot be dereferenced"));
                        self.check_args(args);
                        return TExpr::error(span);
                    }
                    let v = self.type_cands(&e.ty, &name.name);
                    if v.is_empty() {
                        // A type variable with an intersection bound
                        // (`T extends Number & Comparable<T>`): the other bounds.
                        if let Some((e2, v2)) = self.bound_cands(&e, &name.name) {
                            (Recv::Expr(e2), v2)
                        } else {
                            (Recv::Expr(e), v)
                        }
                    } else {
                        (Recv::Expr(e), v)
                    }
                }
                Amb::Type(TypeName::Class(c)) => {
                    let v = self.class_cands(c, &name.name);
                    (Recv::Type, v)
                }
                Amb::Pkg(p) => {
                    self.g.error(
                        t.span,
                        format!("cannot find symbol: variable {}", p.join(".")),
                    );
                    self.check_args(args);
                    return TExpr::error(span);
                }
            },
        };
        let args = self.check_args(args);
        let Some(c) = self.select("method", &name.name, cands, &args, name.span) else {
            return TExpr::error(span);
        };
        let recv_g = match &recv {
            Recv::Implicit(k) => Some(self.g.table.this_gty(*k)),
            Recv::Expr(e) => Some(self.gty_of(e)),
            Recv::Type | Recv::Super => None,
        };
        let arg_gs: Vec<GTy> = args.iter().map(|a| self.gty_of(a)).collect();
        if let (true, Target::Method(m)) = (c.expand, &c.target) {
            self.vararg_elem =
                self.generic_vararg_elem(*m, recv_g.as_ref(), &arg_gs, explicit.as_deref());
        }
        let call = self.build_call(c.clone(), recv, args, &name.name, span);
        match c.target {
            Target::Method(m) => {
                self.explicit_targs = explicit;
                self.generic_result(call, m, recv_g.as_ref(), &arg_gs, expect.as_ref())
            }
            Target::Native(..) => call,
        }
    }

    pub fn check_super_call(&mut self, name: &Ident, args: &[Expr], span: Span) -> TExpr {
        let Some(sup) = self.super_class(span) else {
            self.check_args(args);
            return TExpr::error(span);
        };
        let cands = self.class_cands(sup, &name.name);
        let args = self.check_args(args);
        let Some(c) = self.select("method", &name.name, cands, &args, name.span) else {
            return TExpr::error(span);
        };
        let this_g = self.g.table.this_gty(self.class);
        let arg_gs: Vec<GTy> = args.iter().map(|a| self.gty_of(a)).collect();
        let call = self.build_call(c.clone(), Recv::Super, args, &name.name, span);
        match c.target {
            Target::Method(m) => self.generic_result(call, m, Some(&this_g), &arg_gs, None),
            Target::Native(..) => call,
        }
    }

    fn build_call(
        &mut self,
        c: Cand,
        recv: Recv,
        args: Vec<TExpr>,
        name: &str,
        span: Span,
    ) -> TExpr {
        let args = self.pack_args(&c, args, span);
        let ret = c.ret.clone();
        if c.is_static {
            let kind = match c.target {
                Target::Method(m) => {
                    let mi = self.g.table.method(m);
                    let (owner, private) = (mi.class, mi.is_private);
                    self.check_private(private, owner, &format!("{name}(...)"), span);
                    CallKind::Static(mid(m), self.init_for(owner))
                }
                Target::Native(n, NativeKind::Intrinsic) => {
                    let dummy = TExpr::new(TK::Null, Ty::Null, span);
                    return self.intrinsic(n, dummy, args, span);
                }
                Target::Native(n, _) => CallKind::Native(n),
            };
            return TExpr::new(
                TK::Call {
                    kind,
                    recv: None,
                    args,
                },
                ret,
                span,
            );
        }
        let sig_s = {
            let v: Vec<String> = c.params.iter().map(|p| self.display(p)).collect();
            format!("{name}({})", v.join(","))
        };
        let sig = || sig_s.clone();
        let (recv, is_super) = match recv {
            Recv::Implicit(k) => {
                if self.is_static || k != self.class {
                    let s = sig();
                    self.g.error(
                        span,
                        format!("non-static method {s} cannot be referenced from a static context"),
                    );
                    return TExpr::error(span);
                }
                if self.in_ctor_call {
                    self.g.error(
                        span,
                        format!("cannot reference {name}() before supertype constructor has been called"),
                    );
                }
                (TExpr::new(TK::This, Ty::Class(self.class), span), false)
            }
            Recv::Type => {
                let s = sig();
                self.g.error(
                    span,
                    format!("non-static method {s} cannot be referenced from a static context"),
                );
                return TExpr::error(span);
            }
            Recv::Expr(e) => (e, false),
            Recv::Super => {
                let sup = self
                    .g
                    .table
                    .class(self.class)
                    .super_
                    .unwrap_or(ClassId(OBJECT));
                (TExpr::new(TK::This, Ty::Class(sup), span), true)
            }
        };
        let kind = match c.target {
            Target::Native(n, NativeKind::Intrinsic) => {
                return self.intrinsic(n, recv, args, span);
            }
            Target::Native(n, _) => CallKind::Native(n),
            Target::Method(m) => {
                let mi = self.g.table.method(m);
                let (owner, private, vslot, abstract_) =
                    (mi.class, mi.is_private, mi.vslot, mi.is_abstract);
                let native = match mi.src {
                    MethodSrc::Native(n) => Some(n),
                    _ => None,
                };
                self.check_private(private, owner, &format!("{name}(...)"), span);
                if is_super && abstract_ {
                    let s = sig();
                    self.g.error(
                        span,
                        format!(
                            "abstract method {s} in class {} cannot be accessed directly",
                            c.owner
                        ),
                    );
                }
                let iface = self.g.table.is_interface(owner);
                match (is_super || private, native, vslot) {
                    (false, None, None) if iface => CallKind::Interface(mid(m)),
                    (true, Some(n), _) => CallKind::Native(n),
                    (true, None, _) | (false, _, None) => CallKind::Special(mid(m)),
                    (false, _, Some(v)) => CallKind::Virtual(v),
                }
            }
        };
        TExpr::new(
            TK::Call {
                kind,
                recv: Some(Box::new(recv)),
                args,
            },
            ret,
            span,
        )
    }

    /// `println(Object)`, `print(Object)`, `String.valueOf(Object)`.
    fn intrinsic(&mut self, n: Native, recv: TExpr, args: Vec<TExpr>, span: Span) -> TExpr {
        let mut args = args;
        let arg = args.pop().unwrap_or_else(|| TExpr::error(span));
        let s = TExpr::new(TK::ObjToStr(Box::new(arg)), string_ty(), span);
        let target = match n {
            Native::PrintlnObj => Native::PrintlnStr,
            Native::PrintObj => Native::PrintStr,
            _ => return s,
        };
        TExpr::new(
            TK::Call {
                kind: CallKind::Native(target),
                recv: Some(Box::new(recv)),
                args: vec![s],
            },
            Ty::Void,
            span,
        )
    }

    /// `new C(args)`.
    pub fn check_new(
        &mut self,
        ty: &TypeExpr,
        args: &[Expr],
        span: Span,
        expect: Option<GTy>,
    ) -> TExpr {
        let gt = self.g.resolve_gtype(Some(self.class), ty);
        let t = self.g.table.erase(&gt);
        let args = self.check_args(args);
        let c = match t {
            Ty::Class(c) => c,
            Ty::Error => return TExpr::error(span),
            _ => {
                self.g.error(ty.span, "unexpected type: class required");
                return TExpr::error(span);
            }
        };
        if c.0 == STRING {
            let cands = self.native_cands("java/lang/String", "<new>");
            let Some(k) = self.select("constructor", "String", cands, &args, span) else {
                return TExpr::error(span);
            };
            return self.build_call(k, Recv::Type, args, "String", span);
        }
        if c.0 == OBJECT {
            if !args.is_empty() {
                self.g.error(
                    span,
                    "constructor Object in class Object cannot be applied to given types",
                );
            }
            return TExpr::new(
                TK::New {
                    class: c,
                    ctor: None,
                    args: Vec::new(),
                    init: None,
                },
                Ty::Class(c),
                span,
            );
        }
        if (c.0 as usize) < BUILTINS.len() && self.g.table.class(c).ctors.is_empty() {
            let n = self.g.table.class(c).display.clone();
            self.g.unsupported(span, &format!("creating a {n} object"));
            return TExpr::error(span);
        }
        let info = self.g.table.class(c);
        if info.is_abstract {
            let n = info.display.clone();
            self.g
                .error(span, format!("{n} is abstract; cannot be instantiated"));
            return TExpr::error(span);
        }
        if self.g.table.is_interface(c) {
            let n = info.display.clone();
            self.g
                .error(span, format!("{n} is abstract; cannot be instantiated"));
            return TExpr::error(span);
        }
        let simple = info.simple.clone();
        let Some(k) = self.ctor_select(c, &simple, &args, span) else {
            return TExpr::error(span);
        };
        let arg_gs: Vec<GTy> = args.iter().map(|a| self.gty_of(a)).collect();
        let new_g = match &k.target {
            Target::Method(m) => self.new_gty(c, gt, *m, &arg_gs, expect.as_ref()),
            Target::Native(..) => gt,
        };
        let Target::Method(m) = k.target else {
            return TExpr::error(span);
        };
        let args = self.pack_args(&k, args, span);
        let init = self.init_for(c);
        TExpr::new(
            TK::New {
                class: c,
                ctor: Some(mid(m)),
                args,
                init,
            },
            Ty::Class(c),
            span,
        )
        .with_g(new_g)
    }

    /// Overload resolution among the constructors of `c`.
    pub fn ctor_select(
        &mut self,
        c: ClassId,
        simple: &str,
        args: &[TExpr],
        span: Span,
    ) -> Option<Cand> {
        let ctors = self.g.table.class(c).ctors.clone();
        let owner = self.g.table.class(c).display.clone();
        let cands: Vec<Cand> = ctors
            .iter()
            .map(|m| {
                let mi = self.g.table.method(*m);
                Cand {
                    params: mi.params.clone(),
                    ret: Ty::Void,
                    is_static: false,
                    target: Target::Method(*m),
                    owner: owner.clone(),
                    varargs: self.g.table.mext(*m).varargs,
                    expand: false,
                }
            })
            .collect();
        let k = self.select("constructor", simple, cands, args, span)?;
        if let Target::Method(m) = k.target {
            let mi = self.g.table.method(m);
            let (p, o) = (mi.is_private, mi.class);
            self.check_private(p, o, &format!("{simple}(...)"), span);
        }
        Some(k)
    }
}
