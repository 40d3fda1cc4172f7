//! AST construction helpers called from the grammar's actions.
//!
//! Keeping the actions one-liners makes the grammar readable; everything that needs
//! more than a struct literal lives here.

use crate::ast::*;
use crate::diag::{Diagnostic, Span};
use crate::lexer::Tok;
use lalrpop_util::{ErrorRecovery, ParseError};

pub(crate) type Errs = Vec<ErrorRecovery<usize, Tok, Diagnostic>>;

/// A modifier keyword or an annotation, before they are folded into [`Modifiers`].
pub(crate) enum Mod {
    Kw(&'static str, Span),
    Annotation(Ident),
}

pub(crate) fn sp(l: usize, r: usize) -> Span {
    Span::new(l, r)
}

/// Records a diagnostic found by an action (parsing goes on).
pub(crate) fn push(errs: &mut Errs, d: Diagnostic) {
    errs.push(ErrorRecovery {
        error: ParseError::User { error: d },
        dropped_tokens: Vec::new(),
    });
}

pub(crate) fn expr(kind: ExprKind, l: usize, r: usize) -> Expr {
    Expr {
        kind,
        span: sp(l, r),
    }
}

pub(crate) fn stmt(kind: StmtKind, l: usize, r: usize) -> Stmt {
    Stmt {
        kind,
        span: sp(l, r),
    }
}

pub(crate) fn expr_stmt(e: Expr) -> Stmt {
    Stmt {
        span: e.span,
        kind: StmtKind::Expr(e),
    }
}

/// A parenthesised expression: the same node, with the span widened over the parens.
pub(crate) fn widen(mut e: Expr, l: usize, r: usize) -> Expr {
    e.span = sp(l, r);
    e
}

pub(crate) fn binary(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
    Expr {
        span: lhs.span.to(rhs.span),
        kind: ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
    }
}

pub(crate) fn unary(op: UnOp, e: Expr, l: usize, r: usize) -> Expr {
    expr(
        ExprKind::Unary {
            op,
            expr: Box::new(e),
        },
        l,
        r,
    )
}

pub(crate) fn assign(op: Option<BinOp>, lhs: Expr, rhs: Expr) -> Expr {
    Expr {
        span: lhs.span.to(rhs.span),
        kind: ExprKind::Assign {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
    }
}

pub(crate) fn cond(c: Expr, t: Expr, e: Expr) -> Expr {
    Expr {
        span: c.span.to(e.span),
        kind: ExprKind::Cond {
            cond: Box::new(c),
            then: Box::new(t),
            els: Box::new(e),
        },
    }
}

pub(crate) fn instance_of(e: Expr, ty: TypeExpr, binding: Option<Ident>, r: usize) -> Expr {
    let l = e.span.lo as usize;
    expr(
        ExprKind::InstanceOf {
            expr: Box::new(e),
            ty,
            binding,
        },
        l,
        r,
    )
}

pub(crate) fn index(array: Expr, i: Expr, l: usize, r: usize) -> Expr {
    expr(
        ExprKind::Index {
            array: Box::new(array),
            index: Box::new(i),
        },
        l,
        r,
    )
}

pub(crate) fn cast(ty: TypeExpr, e: Expr, l: usize, r: usize) -> Expr {
    expr(
        ExprKind::Cast {
            ty,
            expr: Box::new(e),
        },
        l,
        r,
    )
}

/// `(t) e` where `t` was parsed as an expression: a cast if `t` is a (dotted) name.
pub(crate) fn cast_expr(t: Expr, e: Expr, l: usize, r: usize, errs: &mut Errs) -> Expr {
    match expr_to_path(&t) {
        Some(path) => cast(named_type(path, Vec::new()), e, l, r),
        None => {
            push(
                errs,
                Diagnostic::error(t.span, "expected a type in this cast")
                    .with_label("not a type name")
                    .with_note(
                        "a parenthesised expression cannot be followed by another expression",
                    ),
            );
            e
        }
    }
}

/// The dotted name an expression spells, if it is just `a.b.c`.
fn expr_to_path(e: &Expr) -> Option<Vec<Ident>> {
    match &e.kind {
        ExprKind::Name(i) => Some(vec![i.clone()]),
        ExprKind::Field { target, name } => {
            let mut p = expr_to_path(target)?;
            p.push(name.clone());
            Some(p)
        }
        _ => None,
    }
}

/// `a.b.c` as an expression: `Name(a)` wrapped in `Field`s.
pub(crate) fn name_expr(path: Vec<Ident>) -> Expr {
    let mut it = path.into_iter();
    // A `Name` always has at least one segment (see the grammar).
    let first = it.next().unwrap_or_else(|| Ident {
        name: String::new(),
        span: Span::default(),
    });
    let mut e = Expr {
        span: first.span,
        kind: ExprKind::Name(first),
    };
    for name in it {
        e = Expr {
            span: e.span.to(name.span),
            kind: ExprKind::Field {
                target: Box::new(e),
                name,
            },
        };
    }
    e
}

pub(crate) fn call(
    target: Option<Expr>,
    name: Ident,
    type_args: Vec<TypeExpr>,
    args: Vec<Expr>,
    l: usize,
    r: usize,
) -> Expr {
    expr(
        ExprKind::Call {
            target: target.map(Box::new),
            name,
            type_args,
            args,
        },
        l,
        r,
    )
}

/// `a.b.m(args)`: the last segment is the method, the rest its target.
pub(crate) fn call_name(
    mut path: Vec<Ident>,
    ta: Vec<TypeExpr>,
    args: Vec<Expr>,
    l: usize,
    r: usize,
) -> Expr {
    let name = path.pop().unwrap_or_else(|| Ident {
        name: String::new(),
        span: sp(l, l),
    });
    let target = (!path.is_empty()).then(|| name_expr(path));
    call(target, name, ta, args, l, r)
}

pub(crate) fn named_type(path: Vec<Ident>, last_args: Vec<TypeArg>) -> TypeExpr {
    let span = match (path.first(), path.last()) {
        (Some(a), Some(b)) => a.span.to(b.span),
        _ => Span::default(),
    };
    let mut args = vec![Vec::new(); path.len()];
    if let Some(last) = args.last_mut() {
        *last = last_args;
    }
    TypeExpr {
        kind: TypeExprKind::Named { path, args },
        span,
    }
}

pub(crate) fn with_span_end(mut t: TypeExpr, r: usize) -> TypeExpr {
    t.span.hi = r as u32;
    t
}

/// `G<..>.name<args>`: one more path segment on a generic class type.
pub(crate) fn extend_type(mut t: TypeExpr, name: Ident, a: Vec<TypeArg>, r: usize) -> TypeExpr {
    if let TypeExprKind::Named { path, args } = &mut t.kind {
        path.push(name);
        args.push(a);
    }
    with_span_end(t, r)
}

/// Wraps `t` in `dims` array levels ending at `r`.
pub(crate) fn array_of(mut t: TypeExpr, dims: u32, r: usize) -> TypeExpr {
    for _ in 0..dims {
        let span = Span {
            lo: t.span.lo,
            hi: r as u32,
        };
        t = TypeExpr {
            kind: TypeExprKind::Array(Box::new(t)),
            span,
        };
    }
    t
}

/// Explicit method type arguments cannot be wildcards.
pub(crate) fn type_args_only(args: Vec<TypeArg>, errs: &mut Errs) -> Vec<TypeExpr> {
    args.into_iter()
        .filter_map(|a| match a {
            TypeArg::Type(t) => Some(t),
            TypeArg::Wildcard { span, .. } => {
                push(
                    errs,
                    Diagnostic::error(span, "a wildcard is not allowed as a method type argument"),
                );
                None
            }
        })
        .collect()
}

pub(crate) fn empty_mods(span: Span) -> Modifiers {
    Modifiers {
        span,
        ..Modifiers::default()
    }
}

pub(crate) fn modifiers(ms: Vec<Mod>, span: Span, errs: &mut Errs) -> Modifiers {
    let mut m = empty_mods(span);
    for x in ms {
        match x {
            Mod::Annotation(a) => m.annotations.push(a),
            Mod::Kw(kw, s) => {
                let flag = match kw {
                    "public" => &mut m.public,
                    "private" => &mut m.private,
                    "protected" => &mut m.protected,
                    "static" => &mut m.static_,
                    "final" => &mut m.final_,
                    "abstract" => &mut m.abstract_,
                    _ => {
                        if m.other.iter().any(|o| o.name == kw) {
                            push(
                                errs,
                                Diagnostic::error(s, format!("repeated modifier `{kw}`")),
                            );
                        }
                        m.other.push(Ident {
                            name: kw.to_string(),
                            span: s,
                        });
                        continue;
                    }
                };
                if *flag {
                    push(
                        errs,
                        Diagnostic::error(s, format!("repeated modifier `{kw}`")),
                    );
                }
                *flag = true;
            }
        }
    }
    m
}

pub(crate) fn annotation(path: Vec<Ident>, span: Span) -> Ident {
    let name = path
        .iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(".");
    Ident { name, span }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn class(
    kind: ClassKind,
    name: Ident,
    type_params: Vec<TypeParam>,
    extends: Option<TypeExpr>,
    implements: Vec<TypeExpr>,
    members: Vec<Member>,
    span: Span,
) -> ClassDecl {
    ClassDecl {
        kind,
        modifiers: empty_mods(sp(span.lo as usize, span.lo as usize)),
        name,
        type_params,
        extends,
        implements,
        members,
        span,
        enum_constants: Vec::new(),
        record_components: Vec::new(),
    }
}

/// Attaches the modifiers parsed in front of a class; the span then starts at `l`.
pub(crate) fn with_mods(mut c: ClassDecl, m: Modifiers, l: usize) -> ClassDecl {
    c.modifiers = m;
    c.span.lo = c.span.lo.min(l as u32);
    c
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn method(
    modifiers: Modifiers,
    type_params: Vec<TypeParam>,
    ret: Option<TypeExpr>,
    name: Ident,
    params: Vec<Param>,
    throws: Vec<TypeExpr>,
    body: Option<Block>,
    span: Span,
) -> Member {
    Member::Method(MethodDecl {
        modifiers,
        type_params,
        ret,
        name,
        params,
        throws,
        body,
        span,
    })
}

pub(crate) fn initializer(m: Modifiers, body: Block, errs: &mut Errs) -> Member {
    let stray = m.public
        || m.private
        || m.protected
        || m.final_
        || m.abstract_
        || !m.other.is_empty()
        || !m.annotations.is_empty();
    if stray {
        push(
            errs,
            Diagnostic::error(m.span, "an initializer block can only be marked `static`"),
        );
    }
    Member::Initializer {
        is_static: m.static_,
        body,
    }
}

/// A local variable declaration; a lone `var` type becomes [`TypeExprKind::Var`].
pub(crate) fn local_var(
    modifiers: Modifiers,
    ty: TypeExpr,
    declarators: Vec<Declarator>,
) -> StmtKind {
    StmtKind::LocalVar {
        modifiers,
        ty: var_type(ty),
        declarators,
    }
}

fn var_type(ty: TypeExpr) -> TypeExpr {
    match &ty.kind {
        TypeExprKind::Named { path, args }
            if path.len() == 1 && path[0].name == "var" && args.iter().all(Vec::is_empty) =>
        {
            TypeExpr {
                kind: TypeExprKind::Var,
                span: ty.span,
            }
        }
        _ => ty,
    }
}

pub(crate) fn for_each(
    m: Modifiers,
    ty: TypeExpr,
    name: Ident,
    iterable: Expr,
    body: Stmt,
) -> StmtKind {
    StmtKind::ForEach {
        modifiers: m,
        ty: var_type(ty),
        name,
        iterable,
        body: Box::new(body),
    }
}

pub(crate) fn try_stmt(
    resources: Vec<Stmt>,
    body: Block,
    catches: Vec<CatchClause>,
    finally: Option<Block>,
    span: Span,
    errs: &mut Errs,
) -> Stmt {
    if resources.is_empty() && catches.is_empty() && finally.is_none() {
        push(
            errs,
            Diagnostic::error(
                Span::new(span.lo as usize, span.lo as usize + 3),
                "`try` without `catch` or `finally`",
            ),
        );
    }
    Stmt {
        kind: StmtKind::Try {
            resources,
            body,
            catches,
            finally,
        },
        span,
    }
}

pub(crate) fn new_array(
    elem: TypeExpr,
    dims: Vec<Expr>,
    extra: Option<u32>,
    l: usize,
    r: usize,
) -> Expr {
    expr(
        ExprKind::NewArray {
            elem,
            dims,
            extra_dims: extra.unwrap_or(0),
        },
        l,
        r,
    )
}

pub(crate) fn new_array_init(ty: TypeExpr, init: Expr, l: usize, r: usize) -> Expr {
    let init = match init.kind {
        ExprKind::ArrayInit(v) => v,
        other => vec![Expr {
            kind: other,
            span: init.span,
        }],
    };
    expr(ExprKind::NewArrayInit { ty, init }, l, r)
}
