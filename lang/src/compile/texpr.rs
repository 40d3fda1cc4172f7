//! The typed expression tree: the checker's output and the lowering's input.
//! Every name is resolved, every implicit conversion is explicit (`Conv`),
//! constant expressions are folded into `Const`.

use super::generics::GTy;
use super::types::{Const, Ty};
use crate::ast::BinOp;
use crate::diag::Span;
use semeru_gc::ClassId;
use semeru_stdlib::natives::Native;
use semeru_vm::insn::Cond;
use semeru_vm::program::MethodId;

#[derive(Clone, Debug)]
pub struct TExpr {
    pub kind: TK,
    pub ty: Ty,
    pub span: Span,
    /// The source-level type when it is generic (`List<String>`, `T`); `ty` is
    /// its erasure.
    pub g: Option<Box<GTy>>,
}

#[derive(Clone, Debug)]
pub enum CallKind {
    /// A static method; `init` is the class to initialize first, if any.
    Static(MethodId, Option<ClassId>),
    /// Non-virtual instance call (private methods, `super.m()`).
    Special(MethodId),
    /// Virtual call through a vtable slot.
    Virtual(u16),
    /// Call of an interface method, dispatched through the receiver's itable.
    Interface(MethodId),
    /// A native; instance natives take the receiver as first reference argument.
    Native(Native),
}

#[derive(Clone, Debug)]
pub enum LVal {
    Local(u16),
    Field { obj: Box<TExpr>, off: u16 },
    Static { slot: u16, init: Option<ClassId> },
    Index { arr: Box<TExpr>, idx: Box<TExpr> },
}

#[derive(Clone, Debug)]
pub enum TK {
    Const(Const),
    Null,
    Local(u16),
    This,
    GetField {
        obj: Box<TExpr>,
        off: u16,
    },
    GetStatic {
        slot: u16,
        init: Option<ClassId>,
    },
    ArrayLen(Box<TExpr>),
    Index {
        arr: Box<TExpr>,
        idx: Box<TExpr>,
    },
    Call {
        kind: CallKind,
        recv: Option<Box<TExpr>>,
        args: Vec<TExpr>,
    },
    /// `String.valueOf(Object)`: `"null"` for null, else a virtual `toString()`.
    ObjToStr(Box<TExpr>),
    /// `new C(args)`: allocation, then the constructor (`None` for `Object`).
    New {
        class: ClassId,
        ctor: Option<MethodId>,
        args: Vec<TExpr>,
        init: Option<ClassId>,
    },
    /// `new T[d0][d1]…`: `class` is the array class of the whole type.
    NewArray {
        class: ClassId,
        dims: Vec<TExpr>,
    },
    /// `{a, b, c}` of array class `class`.
    ArrayLit {
        class: ClassId,
        elems: Vec<TExpr>,
    },
    /// `-e` (numeric), `~e` (integral), `!e` (boolean); the operand has this type.
    Neg(Box<TExpr>),
    BitNot(Box<TExpr>),
    Not(Box<TExpr>),
    /// Arithmetic, bitwise and shift operators; operands promoted to the result
    /// type (a shift's count is an `int`).
    Arith {
        op: BinOp,
        lhs: Box<TExpr>,
        rhs: Box<TExpr>,
    },
    /// Comparison with operands of a common type.
    Cmp {
        c: Cond,
        lhs: Box<TExpr>,
        rhs: Box<TExpr>,
    },
    And(Box<TExpr>, Box<TExpr>),
    Or(Box<TExpr>, Box<TExpr>),
    /// Primitive conversion from the operand's type to this node's type.
    Conv(Box<TExpr>),
    /// String concatenation of String-typed operands.
    Concat(Vec<TExpr>),
    Assign {
        lv: LVal,
        rhs: Box<TExpr>,
    },
    /// `lv op= rhs`: `lv = (ty) ((op_ty) lv op rhs)`; `op_ty` String means concatenation.
    OpAssign {
        lv: LVal,
        op: BinOp,
        op_ty: Ty,
        rhs: Box<TExpr>,
    },
    IncDec {
        lv: LVal,
        pre: bool,
        inc: bool,
    },
    Cond {
        c: Box<TExpr>,
        t: Box<TExpr>,
        e: Box<TExpr>,
    },
    InstanceOf {
        e: Box<TExpr>,
        class: ClassId,
    },
    CheckCast {
        e: Box<TExpr>,
        class: ClassId,
    },
    /// A switch expression, compiled when lowered (see `switch_expr.rs`).
    Switch(Box<SwitchData>),
    /// Evaluates `effects` for their side effects, then `value`.
    Seq {
        effects: Vec<TExpr>,
        value: Box<TExpr>,
    },
    Error,
}

/// A checked switch expression: its syntax, and the names of the locals in
/// scope where it was checked (indexed like `FnCx::locals`; `""` for hidden).
#[derive(Clone, Debug)]
pub struct SwitchData {
    pub scrutinee: crate::ast::Expr,
    pub cases: Vec<crate::ast::SwitchCase>,
    pub names: Vec<String>,
    pub g: Option<GTy>,
}

impl TExpr {
    pub fn new(kind: TK, ty: Ty, span: Span) -> TExpr {
        TExpr {
            kind,
            ty,
            span,
            g: None,
        }
    }
    /// Attaches a generic type (kept only when it says more than the erasure).
    pub fn with_g(mut self, g: GTy) -> TExpr {
        self.g = g.is_generic().then(|| Box::new(g));
        self
    }
    pub fn error(span: Span) -> TExpr {
        TExpr::new(TK::Error, Ty::Error, span)
    }
    pub fn constant(&self) -> Option<&Const> {
        match &self.kind {
            TK::Const(c) => Some(c),
            _ => None,
        }
    }
}
