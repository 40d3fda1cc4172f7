//! Method bodies: methods, constructors (explicit or implicit `super(...)`,
//! field initializers, instance initializers), default constructors and
//! `<clinit>`.

use super::body::{BodyKind, FnCx};
use super::classes::{ClassOrigin, FieldSlot, MId, MethodSrc};
use super::generics::GTy;
use super::state::Compiler;
use super::texpr::{LVal, TExpr, TK};
use super::types::Ty;
use crate::ast::{Block, ClassDecl, Member, Param, StmtKind};
use crate::diag::Span;
use semeru_gc::ClassId;
use semeru_stdlib::builtins::OBJECT;
use semeru_vm::insn::Insn;
use semeru_vm::program::{Code, MethodId};

impl<'a> Compiler<'a> {
    /// Compiles the body of a user method, constructor or static initializer.
    pub fn compile_body(&mut self, m: MId) -> Option<Code> {
        let mi = self.table.method(m);
        let (class, is_static, ret, params) =
            (mi.class, mi.is_static, mi.ret.clone(), mi.params.clone());
        let src = mi.src.clone();
        let name = mi.name.clone();
        let decl = match self.table.class(class).origin {
            ClassOrigin::User(d) => d,
            _ => return None,
        };
        let kind = match src {
            MethodSrc::Method(_) => BodyKind::Method,
            MethodSrc::Ctor(_) | MethodSrc::DefaultCtor => BodyKind::Ctor,
            MethodSrc::Clinit => BodyKind::Clinit,
            MethodSrc::Native(_) => return None,
        };
        let saved_scope = std::mem::replace(&mut self.tv_scope, self.table.mext(m).tparams.clone());
        let gparams = self.table.method_gparams(m);
        let mut cx = FnCx::new(self, class, is_static, kind);
        cx.method = Some(m);
        cx.ret = ret;
        let shown = if name == "<init>" {
            decl.name.name.clone()
        } else {
            name
        };
        let ps: Vec<String> = params.iter().map(|p| cx.display(p)).collect();
        cx.method_desc = format!("{shown}({})", ps.join(","));
        match src {
            MethodSrc::Method(md) => {
                let body = md.body.as_ref()?;
                cx.declare_params(&md.params, &params, &gparams);
                cx.block(body);
                if cx.reachable {
                    if cx.ret == Ty::Void {
                        cx.em.emit(Insn::Ret {});
                    } else {
                        let at = Span::new(
                            body.span.hi.saturating_sub(1) as usize,
                            body.span.hi as usize,
                        );
                        cx.g.error(at, "missing return statement");
                    }
                }
            }
            MethodSrc::Ctor(cd) => {
                cx.declare_params(&cd.params, &params, &gparams);
                cx.ctor_body(decl, Some(&cd.body), cd.body.span);
            }
            MethodSrc::DefaultCtor => cx.ctor_body(decl, None, decl.name.span),
            MethodSrc::Clinit => cx.clinit_body(decl),
            MethodSrc::Native(_) => {}
        }
        if cx.em.overflow {
            let span = decl.name.span;
            cx.g.error(span, "method too large");
        }
        let em = std::mem::take(&mut cx.em);
        self.tv_scope = saved_scope;
        Some(em.finish())
    }
}

impl<'a> FnCx<'a, '_> {
    fn declare_params(&mut self, ps: &[Param], tys: &[Ty], gs: &[GTy]) {
        for (i, (p, t)) in ps.iter().zip(tys).enumerate() {
            let l = self.declare_local(
                &p.name.name,
                t.clone(),
                p.name.span,
                p.modifiers.final_,
                true,
            );
            self.locals[l].g = gs.get(i).filter(|g| g.is_generic()).cloned();
        }
    }

    fn ctor_body(&mut self, decl: &'a ClassDecl, body: Option<&Block>, span: Span) {
        let stmts: &[crate::ast::Stmt] = body.map_or(&[], |b| &b.stmts);
        let sup = self
            .g
            .table
            .class(self.class)
            .super_
            .unwrap_or(ClassId(OBJECT));
        let mut rest = stmts;
        let mut calls_this = false;
        match stmts.first().map(|s| (&s.kind, s.span)) {
            Some((StmtKind::CtorCall { is_super, args }, sspan)) => {
                rest = &stmts[1..];
                calls_this = !*is_super;
                self.line(sspan);
                self.in_ctor_call = true;
                let args: Vec<TExpr> = args.iter().map(|a| self.check_expr(a)).collect();
                self.in_ctor_call = false;
                let target = if *is_super { sup } else { self.class };
                if target.0 == OBJECT && *is_super {
                    if !args.is_empty() {
                        self.g.error(
                            sspan,
                            "constructor Object in class Object cannot be applied to given types",
                        );
                    }
                } else {
                    let simple = self.g.table.class(target).simple.clone();
                    if let Some(k) = self.ctor_select(target, &simple, &args, sspan) {
                        if let super::calls::Target::Method(m) = k.target {
                            if Some(m) == self.method {
                                self.g.error(sspan, "recursive constructor invocation");
                            }
                            let args = self.pack_args(&k, args, sspan);
                            self.lower_ctor_call(MethodId(m.0 as u16), &args, sspan);
                        }
                    }
                }
            }
            _ => {
                if sup.0 != OBJECT {
                    let simple = self.g.table.class(sup).simple.clone();
                    if let Some(k) = self.ctor_select(sup, &simple, &[], span) {
                        if let super::calls::Target::Method(m) = k.target {
                            self.lower_ctor_call(MethodId(m.0 as u16), &[], span);
                        }
                    }
                }
            }
        }
        if !calls_this {
            self.instance_inits(decl);
        }
        self.push_scope();
        for s in rest {
            self.stmt(s);
        }
        self.pop_scope();
        if self.reachable {
            self.em.emit(Insn::Ret {});
        }
    }

    /// Instance field initializers and instance initializer blocks, in order.
    fn instance_inits(&mut self, decl: &'a ClassDecl) {
        // Initializers do not see the constructor's parameters.
        let saved = std::mem::replace(&mut self.scopes, vec![Vec::new()]);
        for m in &decl.members {
            match m {
                Member::Field(fd)
                    if !fd.modifiers.static_ && !self.g.table.is_interface(self.class) =>
                {
                    for d in &fd.declarators {
                        let Some(init) = &d.init else { continue };
                        let Some(f) = self.g.table.find_field(self.class, &d.name.name) else {
                            continue;
                        };
                        if self.g.table.field(f).class != self.class {
                            continue;
                        }
                        let fi = self.g.table.field(f);
                        let (ty, slot) = (fi.ty.clone(), fi.slot.clone());
                        self.line(d.name.span);
                        let fg = self.g.table.field_gty(f);
                        let v = self.check_init_g(init, &ty, Some(fg));
                        if let FieldSlot::Instance(off) = slot {
                            let this = TExpr::new(TK::This, Ty::Class(self.class), d.name.span);
                            let a = TExpr::new(
                                TK::Assign {
                                    lv: LVal::Field {
                                        obj: Box::new(this),
                                        off,
                                    },
                                    rhs: Box::new(v),
                                },
                                ty,
                                d.name.span,
                            );
                            self.lower_effect(&a);
                        }
                    }
                }
                Member::Initializer {
                    is_static: false,
                    body,
                } => {
                    self.block(body);
                    if !self.reachable {
                        self.g
                            .error(body.span, "initializer must be able to complete normally");
                        self.reachable = true;
                    }
                }
                _ => {}
            }
        }
        self.scopes = saved;
    }

    fn clinit_body(&mut self, decl: &'a ClassDecl) {
        for m in &decl.members {
            match m {
                Member::Field(fd)
                    if fd.modifiers.static_ || self.g.table.is_interface(self.class) =>
                {
                    for d in &fd.declarators {
                        let Some(init) = &d.init else { continue };
                        let Some(f) = self
                            .g
                            .table
                            .class(self.class)
                            .fields
                            .iter()
                            .copied()
                            .find(|f| self.g.table.field(*f).name == d.name.name)
                        else {
                            continue;
                        };
                        if self.field_const(f).is_some() {
                            continue;
                        }
                        let fi = self.g.table.field(f);
                        let (ty, slot) = (fi.ty.clone(), fi.slot.clone());
                        self.line(d.name.span);
                        let fg = self.g.table.field_gty(f);
                        let v = self.check_init_g(init, &ty, Some(fg));
                        if let FieldSlot::Static(s) = slot {
                            let a = TExpr::new(
                                TK::Assign {
                                    lv: LVal::Static {
                                        slot: s,
                                        init: None,
                                    },
                                    rhs: Box::new(v),
                                },
                                ty,
                                d.name.span,
                            );
                            self.lower_effect(&a);
                        }
                    }
                }
                Member::Initializer {
                    is_static: true,
                    body,
                } => {
                    self.block(body);
                    if !self.reachable {
                        self.g
                            .error(body.span, "initializer must be able to complete normally");
                        self.reachable = true;
                    }
                }
                _ => {}
            }
        }
        self.em.emit(Insn::Ret {});
    }
}
