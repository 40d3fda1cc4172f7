//! Lowering of typed expressions to register bytecode.
//!
//! `lower(e, dst)` evaluates `e` and returns the register holding its value:
//! `dst` when given, a local's own register, or a fresh temporary on top of the
//! register stack. Operands are lowered first, their temporaries released, then
//! the result written with one final instruction, so a destination may safely
//! alias an operand.

use super::body::FnCx;
use super::emit::{Label, Reg};
use super::texpr::{CallKind, LVal, TExpr, TK};
use super::types::{Const, Ty};
use crate::ast::BinOp;
use semeru_gc::ClassId;
use semeru_stdlib::natives::Native;
use semeru_vm::insn::{Cls, Cond, Insn, Meth, Nat, Off, Pc, St, Str, VSlot, K, P, R};
use semeru_vm::program::MethodId;

/// Whether lowering `e` into a destination writes it only at the very end, so
/// the destination may be a variable that `e` itself reads.
fn single_write(e: &TExpr) -> bool {
    match &e.kind {
        TK::And(..)
        | TK::Or(..)
        | TK::Cond { .. }
        | TK::Assign { .. }
        | TK::OpAssign { .. }
        | TK::IncDec { .. } => false,
        // A call into an existing variable's register would put its argument
        // window there (see the `on_top` case of `lower`).
        TK::Call { .. } => false,
        TK::CheckCast { e, .. } => single_write(e),
        TK::Switch(_) => false,
        TK::Seq { .. } => false,
        _ => true,
    }
}

/// Whether evaluating `e` may assign a local variable (so an earlier operand
/// read straight from that local's register must be copied first).
fn writes_locals(e: &TExpr) -> bool {
    match &e.kind {
        TK::Assign {
            lv: LVal::Local(_), ..
        }
        | TK::OpAssign {
            lv: LVal::Local(_), ..
        }
        | TK::IncDec {
            lv: LVal::Local(_), ..
        } => true,
        TK::Assign { lv, rhs } | TK::OpAssign { lv, rhs, .. } => {
            lv_writes(lv) || writes_locals(rhs)
        }
        TK::IncDec { lv, .. } => lv_writes(lv),
        TK::Switch(_) => true,
        TK::Const(_) | TK::Null | TK::Local(_) | TK::This | TK::GetStatic { .. } | TK::Error => {
            false
        }
        TK::GetField { obj: x, .. }
        | TK::ArrayLen(x)
        | TK::ObjToStr(x)
        | TK::Neg(x)
        | TK::BitNot(x)
        | TK::Not(x)
        | TK::Conv(x)
        | TK::InstanceOf { e: x, .. }
        | TK::CheckCast { e: x, .. } => writes_locals(x),
        TK::Index { arr: a, idx: b }
        | TK::Arith { lhs: a, rhs: b, .. }
        | TK::Cmp { lhs: a, rhs: b, .. }
        | TK::And(a, b)
        | TK::Or(a, b) => writes_locals(a) || writes_locals(b),
        TK::Cond { c, t, e } => writes_locals(c) || writes_locals(t) || writes_locals(e),
        TK::Call { recv, args, .. } => {
            recv.as_deref().is_some_and(writes_locals) || args.iter().any(writes_locals)
        }
        TK::New { args, .. } => args.iter().any(writes_locals),
        TK::NewArray { dims: v, .. } | TK::ArrayLit { elems: v, .. } | TK::Concat(v) => {
            v.iter().any(writes_locals)
        }
        TK::Seq { effects, value } => effects.iter().any(writes_locals) || writes_locals(value),
    }
}

fn lv_writes(lv: &LVal) -> bool {
    match lv {
        LVal::Local(_) => true,
        LVal::Field { obj, .. } => writes_locals(obj),
        LVal::Static { .. } => false,
        LVal::Index { arr, idx } => writes_locals(arr) || writes_locals(idx),
    }
}

impl FnCx<'_, '_> {
    /// Lowers an operand that is followed by `later`: a local is read in place
    /// unless `later` may assign locals.
    fn operand(&mut self, e: &TExpr, later: &TExpr) -> Reg {
        if writes_locals(later) {
            let t = self.temp(&e.ty);
            return self.lower(e, Some(t));
        }
        self.lower(e, None)
    }

    fn dst_p(&mut self, dst: Option<Reg>) -> P {
        match dst {
            Some(Reg::P(p)) => p,
            _ => self.em.alloc_p(),
        }
    }
    fn dst_r(&mut self, dst: Option<Reg>) -> R {
        match dst {
            Some(Reg::R(r)) => r,
            _ => self.em.alloc_r(),
        }
    }
    /// A fresh temporary of the type's file.
    fn temp(&mut self, t: &Ty) -> Reg {
        if t.is_prim() {
            Reg::P(self.em.alloc_p())
        } else {
            Reg::R(self.em.alloc_r())
        }
    }
    fn mov(&mut self, d: Reg, s: Reg) {
        match (d, s) {
            (Reg::P(d), Reg::P(s)) if d != s => self.em.emit(Insn::MovP { d, s }),
            (Reg::R(d), Reg::R(s)) if d != s => self.em.emit(Insn::MovR { d, s }),
            _ => {}
        }
    }
    /// Moves a value that sits in `s` (possibly just released) into `dst` or a new temp.
    fn settle(&mut self, s: Reg, dst: Option<Reg>, t: &Ty) -> Reg {
        if s == Reg::None {
            return Reg::None;
        }
        let d = match dst {
            Some(d) => d,
            None => self.temp(t),
        };
        self.mov(d, s);
        d
    }

    pub fn lower(&mut self, e: &TExpr, dst: Option<Reg>) -> Reg {
        match &e.kind {
            TK::Const(c) => self.lower_const(c, &e.ty, dst),
            TK::Null => {
                let d = self.dst_r(dst);
                self.em.emit(Insn::Null { d });
                Reg::R(d)
            }
            TK::Local(reg) => {
                let r = if e.ty.is_prim() {
                    Reg::P(P(*reg))
                } else {
                    Reg::R(R(*reg))
                };
                match dst {
                    Some(d) => {
                        self.mov(d, r);
                        d
                    }
                    None => r,
                }
            }
            TK::This => match dst {
                Some(d) => {
                    self.mov(d, Reg::R(R(0)));
                    d
                }
                None => Reg::R(R(0)),
            },
            TK::GetField { obj, off } => {
                let m = self.em.mark();
                let o = self.lower(obj, None).r();
                self.em.release(m);
                self.line(e.span);
                let off = Off(*off);
                if e.ty.is_prim() {
                    let d = self.dst_p(dst);
                    self.em.emit(match e.ty {
                        Ty::Bool => Insn::GetZ { d, o, off },
                        Ty::Byte => Insn::GetB { d, o, off },
                        Ty::Char => Insn::GetC { d, o, off },
                        Ty::Short => Insn::GetS { d, o, off },
                        Ty::Long | Ty::Double => Insn::Get64 { d, o, off },
                        _ => Insn::Get32 { d, o, off },
                    });
                    Reg::P(d)
                } else {
                    let d = self.dst_r(dst);
                    self.em.emit(Insn::GetR { d, o, off });
                    Reg::R(d)
                }
            }
            TK::GetStatic { slot, init } => {
                self.init_class(*init);
                if e.ty.is_prim() {
                    let d = self.dst_p(dst);
                    self.em.emit(Insn::GetStaticP { d, s: St(*slot) });
                    Reg::P(d)
                } else {
                    let d = self.dst_r(dst);
                    self.em.emit(Insn::GetStaticR { d, s: St(*slot) });
                    Reg::R(d)
                }
            }
            TK::ArrayLen(a) => {
                let m = self.em.mark();
                let a = self.lower(a, None).r();
                self.em.release(m);
                self.line(e.span);
                let d = self.dst_p(dst);
                self.em.emit(Insn::ALen { d, a });
                Reg::P(d)
            }
            TK::Index { arr, idx } => {
                let m = self.em.mark();
                let a = self.operand(arr, idx).r();
                let i = self.lower(idx, None).p();
                self.em.release(m);
                self.line(e.span);
                if e.ty.is_prim() {
                    let d = self.dst_p(dst);
                    self.em.emit(match e.ty {
                        Ty::Bool => Insn::ALoadZ { d, a, i },
                        Ty::Byte => Insn::ALoadB { d, a, i },
                        Ty::Char => Insn::ALoadC { d, a, i },
                        Ty::Short => Insn::ALoadS { d, a, i },
                        Ty::Long | Ty::Double => Insn::ALoad64 { d, a, i },
                        _ => Insn::ALoad32 { d, a, i },
                    });
                    Reg::P(d)
                } else {
                    let d = self.dst_r(dst);
                    self.em.emit(Insn::ALoadR { d, a, i });
                    Reg::R(d)
                }
            }
            TK::Call { kind, recv, args } => {
                // A destination on top of its register stack (an argument slot)
                // can be the call's own base register: no move needed.
                let on_top = match dst {
                    Some(Reg::P(p)) => e.ty.is_prim() && p.0 + 1 == self.em.next_p,
                    Some(Reg::R(r)) => e.ty.is_ref() && r.0 + 1 == self.em.next_r,
                    _ => false,
                };
                if on_top {
                    let m = self.em.mark();
                    match dst {
                        Some(Reg::P(_)) => self.em.next_p -= 1,
                        _ => self.em.next_r -= 1,
                    }
                    let r = self.lower_call(kind, recv.as_deref(), args, &e.ty, e);
                    self.em.release(m);
                    debug_assert!(Some(r) == dst);
                    return r;
                }
                let r = self.lower_call(kind, recv.as_deref(), args, &e.ty, e);
                self.settle(r, dst, &e.ty)
            }
            TK::ObjToStr(v) => self.lower_obj_to_str(v, dst),
            TK::New {
                class,
                ctor,
                args,
                init,
            } => {
                self.init_class(*init);
                let m = self.em.mark();
                let t = self.em.alloc_r();
                self.line(e.span);
                self.em.emit(Insn::New {
                    d: t,
                    c: Cls(class.0 as u16),
                });
                if let Some(ctor) = ctor {
                    let m2 = self.em.mark();
                    let pbase = self.em.next_p;
                    let rbase = self.em.alloc_r();
                    self.em.emit(Insn::MovR { d: rbase, s: t });
                    for a in args {
                        let slot = self.temp(&a.ty);
                        self.lower(a, Some(slot));
                    }
                    self.line(e.span);
                    self.em.emit(Insn::CallSpecial {
                        m: Meth(ctor.0),
                        p: P(pbase),
                        r: rbase,
                    });
                    self.em.release(m2);
                }
                match dst {
                    Some(d) => {
                        self.mov(d, Reg::R(t));
                        self.em.release(m);
                        d
                    }
                    None => Reg::R(t),
                }
            }
            TK::NewArray { class, dims } => {
                let m = self.em.mark();
                let c = Cls(class.0 as u16);
                if dims.len() == 1 {
                    let len = self.lower(&dims[0], None).p();
                    self.em.release(m);
                    self.line(e.span);
                    let d = self.dst_r(dst);
                    self.em.emit(Insn::NewArray { d, len, c });
                    return Reg::R(d);
                }
                let base = self.em.next_p;
                for dim in dims {
                    let slot = Reg::P(self.em.alloc_p());
                    self.lower(dim, Some(slot));
                }
                self.em.release(m);
                self.line(e.span);
                let d = self.dst_r(dst);
                self.em.emit(Insn::NewMultiArray {
                    d,
                    dims: P(base),
                    n: dims.len() as u8,
                    c,
                });
                Reg::R(d)
            }
            TK::ArrayLit { class, elems } => {
                let m = self.em.mark();
                let t = self.em.alloc_r();
                let m2 = self.em.mark();
                let len = self.em.alloc_p();
                self.em.emit(Insn::IConst {
                    d: len,
                    v: elems.len() as i32,
                });
                self.line(e.span);
                self.em.emit(Insn::NewArray {
                    d: t,
                    len,
                    c: Cls(class.0 as u16),
                });
                self.em.release(m2);
                // The element type comes from the array class: the node's own type may
                // have been widened (`Object o = new double[] {4.5};`).
                let elem_ty = match &self.g.table.class(*class).origin {
                    super::classes::ClassOrigin::Array(el) => el.clone(),
                    _ => match &e.ty {
                        Ty::Array(el) => (**el).clone(),
                        _ => Ty::Error,
                    },
                };
                for (k, x) in elems.iter().enumerate() {
                    let m3 = self.em.mark();
                    let i = self.em.alloc_p();
                    self.em.emit(Insn::IConst { d: i, v: k as i32 });
                    let v = self.lower(x, None);
                    self.emit_astore(&elem_ty, t, i, v);
                    self.em.release(m3);
                }
                match dst {
                    Some(d) => {
                        self.mov(d, Reg::R(t));
                        self.em.release(m);
                        d
                    }
                    None => Reg::R(t),
                }
            }
            TK::Neg(x) | TK::BitNot(x) | TK::Not(x) => {
                let m = self.em.mark();
                let s = self.lower(x, None).p();
                self.em.release(m);
                let d = self.dst_p(dst);
                self.em.emit(match (&e.kind, &e.ty) {
                    (TK::Not(_), _) => Insn::BNot { d, s },
                    (TK::BitNot(_), Ty::Long) => Insn::LNot { d, s },
                    (TK::BitNot(_), _) => Insn::INot { d, s },
                    (_, Ty::Long) => Insn::LNeg { d, s },
                    (_, Ty::Float) => Insn::FNeg { d, s },
                    (_, Ty::Double) => Insn::DNeg { d, s },
                    _ => Insn::INeg { d, s },
                });
                Reg::P(d)
            }
            TK::Arith { op, lhs, rhs } => {
                let m = self.em.mark();
                let a = self.operand(lhs, rhs).p();
                // `x + k` and `x - k` with a small constant.
                if e.ty == Ty::Int && matches!(op, BinOp::Add | BinOp::Sub) {
                    if let Some(Const::I(k)) = rhs.constant() {
                        let k = if *op == BinOp::Sub {
                            k.checked_neg()
                        } else {
                            Some(*k)
                        };
                        if let Some(v) = k.and_then(|k| i16::try_from(k).ok()) {
                            self.em.release(m);
                            let d = self.dst_p(dst);
                            self.em.emit(Insn::IAddK { d, a, v });
                            return Reg::P(d);
                        }
                    }
                }
                let b = self.lower(rhs, None).p();
                self.em.release(m);
                if matches!(op, BinOp::Div | BinOp::Rem) {
                    self.line(e.span);
                }
                let d = self.dst_p(dst);
                self.emit_arith(*op, &e.ty, d, a, b);
                Reg::P(d)
            }
            TK::Cmp { c, lhs, rhs } => {
                let m = self.em.mark();
                let a = self.operand(lhs, rhs);
                let b = self.lower(rhs, None);
                self.em.release(m);
                let d = self.dst_p(dst);
                let c = *c;
                self.em.emit(match (&lhs.ty, a, b) {
                    (_, Reg::R(a), Reg::R(b)) => Insn::CmpR { d, a, b, c },
                    (Ty::Long, a, b) => Insn::CmpL {
                        d,
                        a: a.p(),
                        b: b.p(),
                        c,
                    },
                    (Ty::Float, a, b) => Insn::CmpF {
                        d,
                        a: a.p(),
                        b: b.p(),
                        c,
                    },
                    (Ty::Double, a, b) => Insn::CmpD {
                        d,
                        a: a.p(),
                        b: b.p(),
                        c,
                    },
                    (_, a, b) => Insn::CmpI {
                        d,
                        a: a.p(),
                        b: b.p(),
                        c,
                    },
                });
                Reg::P(d)
            }
            TK::And(a, b) | TK::Or(a, b) => {
                let d = self.dst_p(dst);
                let end = self.em.new_label();
                let m = self.em.mark();
                self.lower(a, Some(Reg::P(d)));
                if matches!(e.kind, TK::And(..)) {
                    self.em.emit_jump(Insn::BrFalse { a: d, t: Pc(0) }, end);
                } else {
                    self.em.emit_jump(Insn::BrTrue { a: d, t: Pc(0) }, end);
                }
                self.lower(b, Some(Reg::P(d)));
                self.em.release(m);
                self.em.bind(end);
                Reg::P(d)
            }
            TK::Cond { c, t, e: f } => {
                let d = match dst {
                    Some(d) => d,
                    None => self.temp(&e.ty),
                };
                let m = self.em.mark();
                let els = self.em.new_label();
                let end = self.em.new_label();
                self.cond_jump(c, false, els);
                self.lower(t, Some(d));
                self.em.jmp(end);
                self.em.bind(els);
                self.lower(f, Some(d));
                self.em.bind(end);
                self.em.release(m);
                d
            }
            TK::Conv(x) => {
                let m = self.em.mark();
                let s = self.lower(x, None).p();
                self.em.release(m);
                let d = self.dst_p(dst);
                self.emit_conv(&x.ty, &e.ty, d, s);
                Reg::P(d)
            }
            TK::Concat(parts) => {
                let m = self.em.mark();
                let pbase = self.em.next_p;
                let acc = self.em.alloc_r();
                let mut first = true;
                for part in parts {
                    if first {
                        self.lower(part, Some(Reg::R(acc)));
                        first = false;
                        continue;
                    }
                    let m2 = self.em.mark();
                    let b = self.em.alloc_r();
                    self.lower(part, Some(Reg::R(b)));
                    self.em.emit(Insn::CallNative {
                        n: Nat(Native::StrCat as u16),
                        p: P(pbase),
                        r: acc,
                    });
                    self.em.release(m2);
                }
                match dst {
                    Some(d) => {
                        self.mov(d, Reg::R(acc));
                        self.em.release(m);
                        d
                    }
                    None => Reg::R(acc),
                }
            }
            TK::Assign { .. } | TK::OpAssign { .. } | TK::IncDec { .. } => {
                self.lower_assign(e, true, dst)
            }
            TK::InstanceOf { e: v, class } => {
                let m = self.em.mark();
                let o = self.lower(v, None).r();
                self.em.release(m);
                let d = self.dst_p(dst);
                self.em.emit(Insn::InstanceOf {
                    d,
                    o,
                    c: Cls(class.0 as u16),
                });
                Reg::P(d)
            }
            TK::CheckCast { e: v, class } => {
                let r = match dst {
                    Some(d) => self.lower(v, Some(d)),
                    None => {
                        let m = self.em.mark();
                        let o = self.lower(v, None);
                        if matches!(v.kind, TK::Local(_) | TK::This) {
                            // Keep the variable untouched; the result is a copy.
                            self.em.release(m);
                            let t = self.temp(&e.ty);
                            self.mov(t, o);
                            t
                        } else {
                            o
                        }
                    }
                };
                self.line(e.span);
                self.em.emit(Insn::CheckCast {
                    o: r.r(),
                    c: Cls(class.0 as u16),
                });
                r
            }
            TK::Switch(d) => {
                let r = match dst {
                    Some(r) => r,
                    None => self.temp(&e.ty),
                };
                self.lower_switch_expr(d, &e.ty, r);
                r
            }
            TK::Seq { effects, value } => {
                for x in effects {
                    self.lower_effect(x);
                }
                self.lower(value, dst)
            }
            TK::Error => match dst {
                Some(d) => d,
                None => match e.ty.file() {
                    super::types::File::P => Reg::P(self.em.alloc_p()),
                    super::types::File::R => Reg::R(self.em.alloc_r()),
                    super::types::File::None => Reg::None,
                },
            },
        }
    }

    fn lower_const(&mut self, c: &Const, ty: &Ty, dst: Option<Reg>) -> Reg {
        if let Const::S(s) = c {
            let d = self.dst_r(dst);
            let k = self.g.intern(s);
            self.em.emit(Insn::SConst { d, k: Str(k) });
            return Reg::R(d);
        }
        let d = self.dst_p(dst);
        let _ = ty;
        match c {
            Const::I(v) => self.em.emit(Insn::IConst { d, v: *v }),
            Const::Z(b) => self.em.emit(Insn::IConst { d, v: *b as i32 }),
            Const::F(f) => self.em.emit(Insn::FConst { d, v: *f }),
            Const::J(v) => {
                let k = self.g.konst(*v as u64);
                self.em.emit(Insn::KConst { d, k: K(k) });
            }
            Const::D(v) => {
                let k = self.g.konst(v.to_bits());
                self.em.emit(Insn::KConst { d, k: K(k) });
            }
            Const::S(_) => {}
        }
        Reg::P(d)
    }

    pub fn init_class(&mut self, c: Option<ClassId>) {
        if let Some(c) = c {
            self.em.emit(Insn::InitClass { c: Cls(c.0 as u16) });
        }
    }

    /// Emits a call; the result (if any) is left in the argument base register,
    /// which is released (the caller settles it).
    fn lower_call(
        &mut self,
        kind: &CallKind,
        recv: Option<&TExpr>,
        args: &[TExpr],
        ret: &Ty,
        e: &TExpr,
    ) -> Reg {
        if let CallKind::Static(_, init) = kind {
            self.init_class(*init);
        }
        let m = self.em.mark();
        let pbase = P(self.em.next_p);
        let rbase = R(self.em.next_r);
        if let Some(r) = recv {
            let slot = Reg::R(self.em.alloc_r());
            self.lower(r, Some(slot));
        }
        for a in args {
            let slot = self.temp(&a.ty);
            self.lower(a, Some(slot));
        }
        self.line(e.span);
        let (p, r) = (pbase, rbase);
        self.em.emit(match kind {
            CallKind::Static(m, _) => Insn::CallStatic { m: Meth(m.0), p, r },
            CallKind::Special(m) => Insn::CallSpecial { m: Meth(m.0), p, r },
            CallKind::Virtual(v) => Insn::CallVirtual { v: VSlot(*v), p, r },
            CallKind::Interface(m) => Insn::CallInterface { m: Meth(m.0), p, r },
            CallKind::Native(n) => Insn::CallNative {
                n: Nat(*n as u16),
                p,
                r,
            },
        });
        self.em.release(m);
        match ret.file() {
            super::types::File::P => {
                self.em.reserve(pbase.0 + 1, 0);
                Reg::P(pbase)
            }
            super::types::File::R => {
                self.em.reserve(0, rbase.0 + 1);
                Reg::R(rbase)
            }
            super::types::File::None => Reg::None,
        }
    }

    /// `String.valueOf(obj)`: `"null"` or `obj.toString()`.
    fn lower_obj_to_str(&mut self, v: &TExpr, dst: Option<Reg>) -> Reg {
        let d = match dst {
            Some(d) => d.r(),
            None => self.em.alloc_r(),
        };
        let m = self.em.mark();
        let o = self.lower(v, None).r();
        let is_null = self.em.new_label();
        let end = self.em.new_label();
        self.em.emit_jump(Insn::BrNull { a: o, t: Pc(0) }, is_null);
        let pbase = P(self.em.next_p);
        let arg = self.em.alloc_r();
        self.em.emit(Insn::MovR { d: arg, s: o });
        self.line(v.span);
        self.em.emit(Insn::CallVirtual {
            v: VSlot(0),
            p: pbase,
            r: arg,
        });
        self.em.emit(Insn::MovR { d, s: arg });
        self.em.jmp(end);
        self.em.bind(is_null);
        let k = self.g.intern("null");
        self.em.emit(Insn::SConst { d, k: Str(k) });
        self.em.bind(end);
        self.em.release(m);
        Reg::R(d)
    }

    pub fn emit_arith(&mut self, op: BinOp, ty: &Ty, d: P, a: P, b: P) {
        use BinOp::*;
        let i = match (ty, op) {
            (Ty::Long, Add) => Insn::LAdd { d, a, b },
            (Ty::Long, Sub) => Insn::LSub { d, a, b },
            (Ty::Long, Mul) => Insn::LMul { d, a, b },
            (Ty::Long, Div) => Insn::LDiv { d, a, b },
            (Ty::Long, Rem) => Insn::LRem { d, a, b },
            (Ty::Long, BitAnd) => Insn::LAnd { d, a, b },
            (Ty::Long, BitOr) => Insn::LOr { d, a, b },
            (Ty::Long, BitXor) => Insn::LXor { d, a, b },
            (Ty::Long, Shl) => Insn::LShl { d, a, b },
            (Ty::Long, Shr) => Insn::LShr { d, a, b },
            (Ty::Long, UShr) => Insn::LUShr { d, a, b },
            (Ty::Float, Add) => Insn::FAdd { d, a, b },
            (Ty::Float, Sub) => Insn::FSub { d, a, b },
            (Ty::Float, Mul) => Insn::FMul { d, a, b },
            (Ty::Float, Div) => Insn::FDiv { d, a, b },
            (Ty::Float, Rem) => Insn::FRem { d, a, b },
            (Ty::Double, Add) => Insn::DAdd { d, a, b },
            (Ty::Double, Sub) => Insn::DSub { d, a, b },
            (Ty::Double, Mul) => Insn::DMul { d, a, b },
            (Ty::Double, Div) => Insn::DDiv { d, a, b },
            (Ty::Double, Rem) => Insn::DRem { d, a, b },
            (_, Add) => Insn::IAdd { d, a, b },
            (_, Sub) => Insn::ISub { d, a, b },
            (_, Mul) => Insn::IMul { d, a, b },
            (_, Div) => Insn::IDiv { d, a, b },
            (_, Rem) => Insn::IRem { d, a, b },
            (_, BitAnd | And) => Insn::IAnd { d, a, b },
            (_, BitOr | Or) => Insn::IOr { d, a, b },
            (_, BitXor) => Insn::IXor { d, a, b },
            (_, Shl) => Insn::IShl { d, a, b },
            (_, Shr) => Insn::IShr { d, a, b },
            (_, UShr) => Insn::IUShr { d, a, b },
            _ => Insn::Nop {},
        };
        self.em.emit(i);
    }

    /// Primitive conversion `from` → `to` of the value in `s` into `d`.
    pub fn emit_conv(&mut self, from: &Ty, to: &Ty, d: P, s: P) {
        let small = |t: &Ty| -> Option<fn(P, P) -> Insn> {
            match t {
                Ty::Byte => Some(|d, s| Insn::I2B { d, s }),
                Ty::Short => Some(|d, s| Insn::I2S { d, s }),
                Ty::Char => Some(|d, s| Insn::I2C { d, s }),
                _ => None,
            }
        };
        let int_like = |t: &Ty| matches!(t, Ty::Byte | Ty::Short | Ty::Char | Ty::Int | Ty::Bool);
        if from == to || !from.is_prim() || !to.is_prim() {
            if d != s {
                self.em.emit(Insn::MovP { d, s });
            }
            return;
        }
        // First to int (for narrowing to byte/short/char), then narrow.
        let to_int: Option<Insn> = match from {
            Ty::Long => Some(Insn::L2I { d, s }),
            Ty::Float => Some(Insn::F2I { d, s }),
            Ty::Double => Some(Insn::D2I { d, s }),
            _ => None,
        };
        match to {
            Ty::Byte | Ty::Short | Ty::Char | Ty::Int => {
                let narrow = small(to);
                // Widening between int-like types needs no instruction
                // (byte→short, byte/short/char→int).
                let needs_narrow = !matches!((from, to), (Ty::Byte, Ty::Short) | (_, Ty::Int));
                match to_int {
                    Some(i) => {
                        self.em.emit(i);
                        if let Some(n) = narrow {
                            self.em.emit(n(d, d));
                        }
                    }
                    None => match (needs_narrow && int_like(from), narrow) {
                        (true, Some(n)) => self.em.emit(n(d, s)),
                        _ => {
                            if d != s {
                                self.em.emit(Insn::MovP { d, s });
                            }
                        }
                    },
                }
            }
            Ty::Long => self.em.emit(match from {
                Ty::Float => Insn::F2L { d, s },
                Ty::Double => Insn::D2L { d, s },
                _ => Insn::I2L { d, s },
            }),
            Ty::Float => self.em.emit(match from {
                Ty::Long => Insn::L2F { d, s },
                Ty::Double => Insn::D2F { d, s },
                _ => Insn::I2F { d, s },
            }),
            Ty::Double => self.em.emit(match from {
                Ty::Long => Insn::L2D { d, s },
                Ty::Float => Insn::F2D { d, s },
                _ => Insn::I2D { d, s },
            }),
            _ => {
                if d != s {
                    self.em.emit(Insn::MovP { d, s });
                }
            }
        }
    }

    fn emit_astore(&mut self, ty: &Ty, a: R, i: P, v: Reg) {
        self.em.emit(match (ty, v) {
            (_, Reg::R(s)) => Insn::AStoreR { a, i, s },
            (Ty::Bool | Ty::Byte, v) => Insn::AStore8 { a, i, s: v.p() },
            (Ty::Char | Ty::Short, v) => Insn::AStore16 { a, i, s: v.p() },
            (Ty::Long | Ty::Double, v) => Insn::AStore64 { a, i, s: v.p() },
            (_, v) => Insn::AStore32 { a, i, s: v.p() },
        });
    }

    fn emit_put(&mut self, ty: &Ty, o: R, off: u16, v: Reg) {
        let off = Off(off);
        self.em.emit(match (ty, v) {
            (_, Reg::R(s)) => Insn::PutR { o, off, s },
            (Ty::Bool | Ty::Byte, v) => Insn::Put8 { o, off, s: v.p() },
            (Ty::Char | Ty::Short, v) => Insn::Put16 { o, off, s: v.p() },
            (Ty::Long | Ty::Double, v) => Insn::Put64 { o, off, s: v.p() },
            (_, v) => Insn::Put32 { o, off, s: v.p() },
        });
    }

    /// The evaluated parts of a variable: where to load from and store to.
    fn lv_base(&mut self, lv: &LVal, later: Option<&TExpr>) -> LvRegs {
        let copy = later.is_some_and(writes_locals);
        let part = |cx: &mut Self, e: &TExpr, copy: bool| {
            if copy {
                let t = cx.temp(&e.ty);
                cx.lower(e, Some(t))
            } else {
                cx.lower(e, None)
            }
        };
        match lv {
            LVal::Local(r) => LvRegs::Local(*r),
            LVal::Field { obj, off } => LvRegs::Field(part(self, obj, copy).r(), *off),
            LVal::Static { slot, init } => {
                self.init_class(*init);
                LvRegs::Static(*slot)
            }
            LVal::Index { arr, idx } => {
                let a = part(self, arr, copy || writes_locals(idx)).r();
                let i = part(self, idx, copy).p();
                LvRegs::Index(a, i)
            }
        }
    }

    fn lv_load(&mut self, b: &LvRegs, ty: &Ty, d: Reg) {
        match (b, d) {
            (LvRegs::Local(r), d) => {
                let s = if ty.is_prim() {
                    Reg::P(P(*r))
                } else {
                    Reg::R(R(*r))
                };
                self.mov(d, s);
            }
            (LvRegs::Field(o, off), Reg::R(d)) => self.em.emit(Insn::GetR {
                d,
                o: *o,
                off: Off(*off),
            }),
            (LvRegs::Field(o, off), d) => {
                let (d, o, off) = (d.p(), *o, Off(*off));
                self.em.emit(match ty {
                    Ty::Bool => Insn::GetZ { d, o, off },
                    Ty::Byte => Insn::GetB { d, o, off },
                    Ty::Char => Insn::GetC { d, o, off },
                    Ty::Short => Insn::GetS { d, o, off },
                    Ty::Long | Ty::Double => Insn::Get64 { d, o, off },
                    _ => Insn::Get32 { d, o, off },
                });
            }
            (LvRegs::Static(s), Reg::R(d)) => self.em.emit(Insn::GetStaticR { d, s: St(*s) }),
            (LvRegs::Static(s), d) => self.em.emit(Insn::GetStaticP {
                d: d.p(),
                s: St(*s),
            }),
            (LvRegs::Index(a, i), Reg::R(d)) => self.em.emit(Insn::ALoadR { d, a: *a, i: *i }),
            (LvRegs::Index(a, i), d) => {
                let (d, a, i) = (d.p(), *a, *i);
                self.em.emit(match ty {
                    Ty::Bool => Insn::ALoadZ { d, a, i },
                    Ty::Byte => Insn::ALoadB { d, a, i },
                    Ty::Char => Insn::ALoadC { d, a, i },
                    Ty::Short => Insn::ALoadS { d, a, i },
                    Ty::Long | Ty::Double => Insn::ALoad64 { d, a, i },
                    _ => Insn::ALoad32 { d, a, i },
                });
            }
        }
    }

    fn lv_store(&mut self, b: &LvRegs, ty: &Ty, v: Reg) {
        match b {
            LvRegs::Local(r) => {
                let d = if ty.is_prim() {
                    Reg::P(P(*r))
                } else {
                    Reg::R(R(*r))
                };
                self.mov(d, v);
            }
            LvRegs::Field(o, off) => self.emit_put(ty, *o, *off, v),
            LvRegs::Static(s) => self.em.emit(match v {
                Reg::R(v) => Insn::PutStaticR { s: St(*s), v },
                v => Insn::PutStaticP {
                    s: St(*s),
                    v: v.p(),
                },
            }),
            LvRegs::Index(a, i) => self.emit_astore(ty, *a, *i, v),
        }
    }

    /// Assignment, compound assignment and `++`/`--`. With `want`, returns the
    /// expression's value (in `dst` if given).
    pub fn lower_assign(&mut self, e: &TExpr, want: bool, dst: Option<Reg>) -> Reg {
        let ty = &e.ty;
        let m = self.em.mark();
        self.line(e.span);
        let result = match &e.kind {
            TK::Assign {
                lv: LVal::Local(r),
                rhs,
            } => {
                let local = if ty.is_prim() {
                    Reg::P(P(*r))
                } else {
                    Reg::R(R(*r))
                };
                if single_write(rhs) {
                    self.lower(rhs, Some(local));
                } else {
                    let v = self.lower(rhs, None);
                    self.mov(local, v);
                }
                self.em.release(m);
                local
            }
            TK::Assign { lv, rhs } => {
                let b = self.lv_base(lv, Some(rhs));
                let v = self.lower(rhs, None);
                self.line(e.span);
                self.lv_store(&b, ty, v);
                v
            }
            TK::OpAssign {
                lv: LVal::Local(r),
                op,
                op_ty,
                rhs,
            } if op_ty == ty && ty.is_prim() && !writes_locals(rhs) => {
                // In place: `x op= e` on a local of the operation's own type.
                let x = P(*r);
                let k = match (ty, op, rhs.constant()) {
                    (Ty::Int, BinOp::Add, Some(Const::I(k))) => i16::try_from(*k).ok(),
                    (Ty::Int, BinOp::Sub, Some(Const::I(k))) => {
                        k.checked_neg().and_then(|k| i16::try_from(k).ok())
                    }
                    _ => None,
                };
                match k {
                    Some(v) => self.em.emit(Insn::IAddK { d: x, a: x, v }),
                    None => {
                        let b = self.lower(rhs, None).p();
                        if matches!(op, BinOp::Div | BinOp::Rem) {
                            self.line(e.span);
                        }
                        self.emit_arith(*op, ty, x, x, b);
                    }
                }
                Reg::P(x)
            }
            TK::OpAssign { lv, op, op_ty, rhs } => {
                let b = self.lv_base(lv, Some(rhs));
                if super::classes::ClassTable::is_string(op_ty) {
                    let pbase = P(self.em.next_p);
                    let acc = self.em.alloc_r();
                    self.lv_load(&b, ty, Reg::R(acc));
                    let m2 = self.em.mark();
                    let s = self.em.alloc_r();
                    self.lower(rhs, Some(Reg::R(s)));
                    self.em.emit(Insn::CallNative {
                        n: Nat(Native::StrCat as u16),
                        p: pbase,
                        r: acc,
                    });
                    self.em.release(m2);
                    self.lv_store(&b, ty, Reg::R(acc));
                    Reg::R(acc)
                } else {
                    let cur = self.em.alloc_p();
                    self.lv_load(&b, ty, Reg::P(cur));
                    self.emit_conv(ty, op_ty, cur, cur);
                    let m2 = self.em.mark();
                    let r = self.lower(rhs, None).p();
                    self.em.release(m2);
                    if matches!(op, BinOp::Div | BinOp::Rem) {
                        self.line(e.span);
                    }
                    self.emit_arith(*op, op_ty, cur, cur, r);
                    self.emit_conv(op_ty, ty, cur, cur);
                    self.lv_store(&b, ty, Reg::P(cur));
                    Reg::P(cur)
                }
            }
            TK::IncDec { lv, pre, inc } => {
                let b = self.lv_base(lv, None);
                let delta: i16 = if *inc { 1 } else { -1 };
                if let (LvRegs::Local(r), Ty::Int, false) = (&b, ty, want && !*pre) {
                    let r = P(*r);
                    self.em.emit(Insn::IAddK {
                        d: r,
                        a: r,
                        v: delta,
                    });
                    self.em.release(m);
                    return self.finish_value(Reg::P(r), want, dst, ty);
                }
                let old = self.em.alloc_p();
                self.lv_load(&b, ty, Reg::P(old));
                let new = if want && !*pre {
                    self.em.alloc_p()
                } else {
                    old
                };
                match ty {
                    Ty::Long => {
                        let k = self.em.alloc_p();
                        let c = self.g.konst(delta as i64 as u64);
                        self.em.emit(Insn::KConst { d: k, k: K(c) });
                        self.em.emit(Insn::LAdd {
                            d: new,
                            a: old,
                            b: k,
                        });
                    }
                    Ty::Float => {
                        let k = self.em.alloc_p();
                        self.em.emit(Insn::FConst {
                            d: k,
                            v: delta as f32,
                        });
                        self.em.emit(Insn::FAdd {
                            d: new,
                            a: old,
                            b: k,
                        });
                    }
                    Ty::Double => {
                        let k = self.em.alloc_p();
                        let c = self.g.konst((delta as f64).to_bits());
                        self.em.emit(Insn::KConst { d: k, k: K(c) });
                        self.em.emit(Insn::DAdd {
                            d: new,
                            a: old,
                            b: k,
                        });
                    }
                    _ => {
                        self.em.emit(Insn::IAddK {
                            d: new,
                            a: old,
                            v: delta,
                        });
                        self.emit_conv(&Ty::Int, ty, new, new);
                    }
                }
                self.lv_store(&b, ty, Reg::P(new));
                Reg::P(if *pre { new } else { old })
            }
            _ => return self.lower(e, dst),
        };
        // `result` may sit above the mark: settle it at the mark.
        self.em.release(m);
        self.finish_value(result, want, dst, ty)
    }

    fn finish_value(&mut self, v: Reg, want: bool, dst: Option<Reg>, ty: &Ty) -> Reg {
        if !want {
            return Reg::None;
        }
        match dst {
            Some(d) => {
                self.mov(d, v);
                d
            }
            None => {
                // Locals are returned as they are; temporaries are re-pushed.
                let is_temp = match v {
                    Reg::P(p) => p.0 >= self.em.next_p,
                    Reg::R(r) => r.0 >= self.em.next_r,
                    Reg::None => false,
                };
                if is_temp {
                    let t = self.temp(ty);
                    self.mov(t, v);
                    t
                } else {
                    v
                }
            }
        }
    }

    /// Evaluates an expression statement, discarding its value.
    pub fn lower_effect(&mut self, e: &TExpr) {
        let m = self.em.mark();
        match &e.kind {
            TK::Assign { .. } | TK::OpAssign { .. } | TK::IncDec { .. } => {
                self.lower_assign(e, false, None);
            }
            _ => {
                self.lower(e, None);
            }
        }
        self.em.release(m);
    }

    /// Jumps to `target` when the boolean `e` equals `when`.
    pub fn cond_jump(&mut self, e: &TExpr, when: bool, target: Label) {
        match &e.kind {
            TK::Const(Const::Z(b)) => {
                if *b == when {
                    self.em.jmp(target);
                }
            }
            TK::Not(x) => self.cond_jump(x, !when, target),
            TK::And(a, b) | TK::Or(a, b) => {
                let is_and = matches!(e.kind, TK::And(..));
                if is_and != when {
                    // and/false, or/true: either operand decides.
                    self.cond_jump(a, when, target);
                    self.cond_jump(b, when, target);
                } else {
                    let skip = self.em.new_label();
                    self.cond_jump(a, !when, skip);
                    self.cond_jump(b, when, target);
                    self.em.bind(skip);
                }
            }
            TK::Cmp { c, lhs, rhs } if !matches!(lhs.ty, Ty::Float | Ty::Double) || when => {
                let c = if when { *c } else { c.negate() };
                let m = self.em.mark();
                if lhs.ty.is_ref() || rhs.ty.is_ref() {
                    let null_side = match (&lhs.kind, &rhs.kind) {
                        (TK::Null, _) => Some(rhs),
                        (_, TK::Null) => Some(lhs),
                        _ => None,
                    };
                    if let Some(x) = null_side {
                        let a = self.lower(x, None).r();
                        self.em.release(m);
                        let i = if c == Cond::Eq {
                            Insn::BrNull { a, t: Pc(0) }
                        } else {
                            Insn::BrNonNull { a, t: Pc(0) }
                        };
                        self.em.emit_jump(i, target);
                        return;
                    }
                    let a = self.operand(lhs, rhs).r();
                    let b = self.lower(rhs, None).r();
                    self.em.release(m);
                    self.em.emit_jump(Insn::BrR { a, b, c, t: Pc(0) }, target);
                    return;
                }
                let a = self.operand(lhs, rhs).p();
                if lhs.ty.is_int_like() {
                    if let Some(v) = rhs
                        .constant()
                        .and_then(Const::as_int)
                        .and_then(|v| i16::try_from(v).ok())
                    {
                        self.em.release(m);
                        self.em.emit_jump(Insn::BrIK { a, v, c, t: Pc(0) }, target);
                        return;
                    }
                }
                let b = self.lower(rhs, None).p();
                self.em.release(m);
                let t = Pc(0);
                let i = match lhs.ty {
                    Ty::Long => Insn::BrL { a, b, c, t },
                    Ty::Float => Insn::BrF { a, b, c, t },
                    Ty::Double => Insn::BrD { a, b, c, t },
                    _ => Insn::BrI { a, b, c, t },
                };
                self.em.emit_jump(i, target);
            }
            _ => {
                let m = self.em.mark();
                let a = self.lower(e, None).p();
                self.em.release(m);
                let i = if when {
                    Insn::BrTrue { a, t: Pc(0) }
                } else {
                    Insn::BrFalse { a, t: Pc(0) }
                };
                self.em.emit_jump(i, target);
            }
        }
    }

    /// `CallSpecial` of a constructor on `this` (for `super(...)`/`this(...)`).
    pub fn lower_ctor_call(&mut self, ctor: MethodId, args: &[TExpr], span: crate::diag::Span) {
        let m = self.em.mark();
        let pbase = P(self.em.next_p);
        let rbase = self.em.alloc_r();
        self.em.emit(Insn::MovR { d: rbase, s: R(0) });
        for a in args {
            let slot = self.temp(&a.ty);
            self.lower(a, Some(slot));
        }
        self.line(span);
        self.em.emit(Insn::CallSpecial {
            m: Meth(ctor.0),
            p: pbase,
            r: rbase,
        });
        self.em.release(m);
    }
}

/// Registers of an evaluated variable reference.
enum LvRegs {
    Local(u16),
    Field(R, u16),
    Static(u16),
    Index(R, P),
}
