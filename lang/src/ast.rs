//! The abstract syntax tree of a Sem compilation unit.
//!
//! The parser produces it; name resolution, type checking and lowering consume it.
//! Every node that a diagnostic can point at carries a [`Span`]. The tree is
//! deliberately close to Java's surface syntax: ambiguous names such as
//! `System.out` are left as [`ExprKind::Name`] / [`ExprKind::Field`] chains and are
//! resolved by the checker, as javac does (JLS §6.5).

use crate::diag::Span;

/// An identifier with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A whole `.sem` file.
#[derive(Clone, Debug, PartialEq)]
pub struct CompilationUnit {
    /// `import` lines, accepted and ignored (their spans, for diagnostics).
    pub imports: Vec<Span>,
    /// Top-level classes in source order. The first one holds `main`.
    pub classes: Vec<ClassDecl>,
}

/// Modifier keywords and annotations in front of a declaration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Modifiers {
    pub public: bool,
    pub private: bool,
    pub protected: bool,
    pub static_: bool,
    pub final_: bool,
    pub abstract_: bool,
    /// `native`, `synchronized`, `transient`, `volatile`, `strictfp`, `default`
    /// and `sealed`/`non-sealed`: accepted by the parser, rejected by the checker.
    pub other: Vec<Ident>,
    /// Annotations such as `@Override` (name without the `@`).
    pub annotations: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassKind {
    Class,
    Interface,
    /// Parsed so that the checker can say "not supported".
    Enum,
    Record,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClassDecl {
    pub kind: ClassKind,
    pub modifiers: Modifiers,
    pub name: Ident,
    /// Generic parameters `<T extends Bound, U>` (issue 3; empty for now).
    pub type_params: Vec<TypeParam>,
    pub extends: Option<TypeExpr>,
    /// `implements` for classes, `extends` for interfaces.
    pub implements: Vec<TypeExpr>,
    pub members: Vec<Member>,
    pub span: Span,
    /// The constants of an enum, in order (empty for other kinds).
    pub enum_constants: Vec<EnumConstant>,
    /// The components of a record header `record P(int x, int y)` (empty for other kinds).
    pub record_components: Vec<Param>,
}

/// `RED` or `RED(255, 0, 0)` in an enum body. `body` is a constant-specific
/// class body (rejected by the checker).
#[derive(Clone, Debug, PartialEq)]
pub struct EnumConstant {
    pub name: Ident,
    pub args: Vec<Expr>,
    pub body: Option<Vec<Member>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeParam {
    pub name: Ident,
    pub bounds: Vec<TypeExpr>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Member {
    Field(FieldDecl),
    Method(MethodDecl),
    Constructor(ConstructorDecl),
    /// A nested class (`static` or not: the checker rejects inner classes).
    Class(ClassDecl),
    /// `static { ... }` or an instance initializer `{ ... }`.
    Initializer {
        is_static: bool,
        body: Block,
    },
}

/// `int a = 1, b[] = {2};`
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub modifiers: Modifiers,
    pub ty: TypeExpr,
    pub declarators: Vec<Declarator>,
    pub span: Span,
}

/// One name in a field or local declaration: `b[] = {2}` has `extra_dims == 1`.
#[derive(Clone, Debug, PartialEq)]
pub struct Declarator {
    pub name: Ident,
    pub extra_dims: u32,
    pub init: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub modifiers: Modifiers,
    pub ty: TypeExpr,
    pub name: Ident,
    /// `String... args` (rejected by the checker for now).
    pub varargs: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MethodDecl {
    pub modifiers: Modifiers,
    pub type_params: Vec<TypeParam>,
    /// `None` for `void`.
    pub ret: Option<TypeExpr>,
    pub name: Ident,
    pub params: Vec<Param>,
    pub throws: Vec<TypeExpr>,
    /// `None` for abstract/interface methods (`;` instead of a block).
    pub body: Option<Block>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConstructorDecl {
    pub modifiers: Modifiers,
    pub name: Ident,
    pub params: Vec<Param>,
    pub throws: Vec<TypeExpr>,
    /// The body. An explicit `this(...)`/`super(...)` call is its first statement,
    /// as [`StmtKind::CtorCall`].
    pub body: Block,
    pub span: Span,
    /// A compact record constructor `Name { ... }` (no parameter list).
    pub compact: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrimType {
    Boolean,
    Byte,
    Short,
    Char,
    Int,
    Long,
    Float,
    Double,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeExprKind {
    Prim(PrimType),
    /// `String`, `Outer.Inner`, `java.util.List<String>`: the dotted path and,
    /// per path segment, its type arguments (issue 3).
    Named {
        path: Vec<Ident>,
        args: Vec<Vec<TypeArg>>,
    },
    Array(Box<TypeExpr>),
    /// `var` in a local declaration.
    Var,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeArg {
    Type(TypeExpr),
    /// `?`, `? extends T`, `? super T`
    Wildcard {
        bound: Option<(bool /* is_super */, TypeExpr)>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    Block(Block),
    /// `final int a = 1, b;` (`ty.kind == Var` for `var`).
    LocalVar {
        modifiers: Modifiers,
        ty: TypeExpr,
        declarators: Vec<Declarator>,
    },
    /// A local class declaration (rejected by the checker).
    LocalClass(Box<ClassDecl>),
    Expr(Expr),
    If {
        cond: Expr,
        then: Box<Stmt>,
        els: Option<Box<Stmt>>,
    },
    While {
        cond: Expr,
        body: Box<Stmt>,
    },
    DoWhile {
        body: Box<Stmt>,
        cond: Expr,
    },
    For {
        /// Either one `LocalVar` statement or expression statements.
        init: Vec<Stmt>,
        cond: Option<Expr>,
        update: Vec<Expr>,
        body: Box<Stmt>,
    },
    ForEach {
        modifiers: Modifiers,
        ty: TypeExpr,
        name: Ident,
        iterable: Expr,
        body: Box<Stmt>,
    },
    Labeled {
        label: Ident,
        body: Box<Stmt>,
    },
    Break(Option<Ident>),
    Continue(Option<Ident>),
    Return(Option<Expr>),
    /// Classic `switch (x) { case 1: case 2: ...; default: ... }`.
    Switch {
        scrutinee: Expr,
        cases: Vec<SwitchCase>,
    },
    /// `this(args);` or `super(args);` — only valid as a constructor's first statement.
    CtorCall {
        is_super: bool,
        args: Vec<Expr>,
    },
    Throw(Expr),
    Try {
        /// try-with-resources (rejected by the checker).
        resources: Vec<Stmt>,
        body: Block,
        catches: Vec<CatchClause>,
        finally: Option<Block>,
    },
    /// `yield e;` in a switch expression (also the body `case X -> e;` of a switch
    /// expression's rule).
    Yield(Expr),
    /// `assert`, `synchronized` and the like: parsed only so that
    /// the checker can report them as not supported.
    Unsupported(&'static str),
    Empty,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SwitchCase {
    /// Empty for `default:`. Several labels for `case 1, 2:`.
    pub labels: Vec<Expr>,
    pub is_default: bool,
    /// `case X -> ...` (a switch rule): its body is one statement, an expression
    /// statement, a block or a `throw` (a `yield` in a switch expression).
    pub arrow: bool,
    pub body: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CatchClause {
    pub modifiers: Modifiers,
    /// `catch (A | B e)`.
    pub types: Vec<TypeExpr>,
    pub name: Ident,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// An int literal. The parser keeps the magnitude as written (decimal, hex,
    /// octal or binary, underscores removed); the checker rejects values out of
    /// range, except that `2147483648` is allowed as the operand of unary minus.
    Int(u64),
    /// A long literal (`123L`), magnitude as written, same rule with `9223372036854775808L`.
    Long(u64),
    Float(f32),
    Double(f64),
    Char(u16),
    /// A string literal, escapes already decoded, as UTF-16 code units would give it.
    Str(String),
    Bool(bool),
    Null,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Shl,
    Shr,
    UShr,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    BitAnd,
    BitOr,
    BitXor,
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
    Plus,
    Not,
    BitNot,
    PreInc,
    PreDec,
    PostInc,
    PostDec,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Lit(Literal),
    /// A simple name: a local, a field, or (at the start of a dotted chain) a class.
    Name(Ident),
    /// `target.name`: a field access, or a qualified class name, or `array.length`.
    Field {
        target: Box<Expr>,
        name: Ident,
    },
    /// `super.name` (field access through super).
    SuperField {
        name: Ident,
    },
    /// `target.name(args)` or `name(args)`; `target` is `None` for an unqualified call.
    Call {
        target: Option<Box<Expr>>,
        name: Ident,
        type_args: Vec<TypeExpr>,
        args: Vec<Expr>,
    },
    /// `super.name(args)`.
    SuperCall {
        name: Ident,
        args: Vec<Expr>,
    },
    /// `new C(args)`; `body` is `Some` for an anonymous class (rejected by the checker).
    New {
        ty: TypeExpr,
        args: Vec<Expr>,
        body: Option<Vec<Member>>,
    },
    /// `new int[n][m][]`: `dims` are the given lengths, `extra_dims` the trailing `[]`.
    NewArray {
        elem: TypeExpr,
        dims: Vec<Expr>,
        extra_dims: u32,
    },
    /// `new int[][]{{1}, {2}}`: `ty` is the whole array type.
    NewArrayInit {
        ty: TypeExpr,
        init: Vec<Expr>,
    },
    /// A bare `{1, 2}` in a declarator initializer (or nested in another one).
    ArrayInit(Vec<Expr>),
    Index {
        array: Box<Expr>,
        index: Box<Expr>,
    },
    Unary {
        op: UnOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `lhs = rhs` when `op` is `None`, `lhs op= rhs` otherwise.
    Assign {
        op: Option<BinOp>,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Cond {
        cond: Box<Expr>,
        then: Box<Expr>,
        els: Box<Expr>,
    },
    /// `e instanceof T`; `binding` is the pattern variable of `e instanceof T t`.
    InstanceOf {
        expr: Box<Expr>,
        ty: TypeExpr,
        binding: Option<Ident>,
    },
    Cast {
        ty: TypeExpr,
        expr: Box<Expr>,
    },
    This,
    /// A switch expression `switch (x) { case 1 -> "a"; default -> { yield "b"; } }`.
    Switch {
        scrutinee: Box<Expr>,
        cases: Vec<SwitchCase>,
    },
    /// `Foo.class`, lambdas, method references, switch expressions and other
    /// constructs outside the subset: parsed so that the checker can name them.
    Unsupported(&'static str),
}
