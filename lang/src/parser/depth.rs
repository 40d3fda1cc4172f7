//! The nesting guard: rejects trees deeper than [`MAX_NESTING`].
//!
//! The LR parser itself uses an explicit stack, but everything after it (dropping the
//! tree, `Debug`, the checker) recurses over the tree. A 10 000-deep `((((x))))` or
//! `- - - - x` would overflow those stacks, so `parse` measures the depth here,
//! without recursion, and reports "expression nested too deeply" instead.

use crate::ast::*;
use crate::diag::{Diagnostic, Span};

/// The deepest tree `parse` hands out, counting every expression, statement, block,
/// member, class and type node on the way down. Code that walks the AST recursively
/// may rely on it.
pub const MAX_NESTING: usize = 1000;

#[derive(Clone, Copy)]
enum Node<'a> {
    Class(&'a ClassDecl),
    Member(&'a Member),
    Block(&'a Block),
    Stmt(&'a Stmt),
    Expr(&'a Expr),
    Type(&'a TypeExpr),
}

/// `Some(diagnostic)` when the unit nests deeper than [`MAX_NESTING`].
pub(crate) fn check(unit: &CompilationUnit) -> Option<Diagnostic> {
    let mut stack: Vec<(Node, usize)> = unit.classes.iter().map(|c| (Node::Class(c), 1)).collect();
    let mut kids = Vec::new();
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_NESTING {
            let (span, what) = match node {
                Node::Expr(e) => (e.span, "expression nested too deeply"),
                Node::Type(t) => (t.span, "type nested too deeply"),
                Node::Stmt(s) => (s.span, "statements nested too deeply"),
                Node::Block(b) => (b.span, "statements nested too deeply"),
                Node::Member(_) | Node::Class(_) => (Span::default(), "classes nested too deeply"),
            };
            let span = Span::new(span.lo as usize, span.lo as usize + 1);
            return Some(
                Diagnostic::error(span, what)
                    .with_label(format!("more than {MAX_NESTING} levels deep here")),
            );
        }
        children(node, &mut kids);
        stack.extend(kids.drain(..).map(|k| (k, depth + 1)));
    }
    None
}

fn children<'a>(node: Node<'a>, out: &mut Vec<Node<'a>>) {
    match node {
        Node::Class(c) => {
            out.extend(c.extends.iter().map(Node::Type));
            out.extend(c.implements.iter().map(Node::Type));
            out.extend(c.type_params.iter().flat_map(|p| &p.bounds).map(Node::Type));
            out.extend(c.members.iter().map(Node::Member));
            out.extend(c.record_components.iter().map(|p| Node::Type(&p.ty)));
            for k in &c.enum_constants {
                out.extend(k.args.iter().map(Node::Expr));
                out.extend(k.body.iter().flatten().map(Node::Member));
            }
        }
        Node::Member(m) => match m {
            Member::Field(f) => {
                out.push(Node::Type(&f.ty));
                out.extend(
                    f.declarators
                        .iter()
                        .filter_map(|d| d.init.as_ref())
                        .map(Node::Expr),
                );
            }
            Member::Method(m) => {
                out.extend(m.ret.iter().map(Node::Type));
                out.extend(m.params.iter().map(|p| Node::Type(&p.ty)));
                out.extend(m.body.iter().map(Node::Block));
            }
            Member::Constructor(c) => {
                out.extend(c.params.iter().map(|p| Node::Type(&p.ty)));
                out.push(Node::Block(&c.body));
            }
            Member::Class(c) => out.push(Node::Class(c)),
            Member::Initializer { body, .. } => out.push(Node::Block(body)),
        },
        Node::Block(b) => out.extend(b.stmts.iter().map(Node::Stmt)),
        Node::Stmt(s) => stmt_children(s, out),
        Node::Expr(e) => expr_children(e, out),
        Node::Type(t) => match &t.kind {
            TypeExprKind::Array(inner) => out.push(Node::Type(inner)),
            TypeExprKind::Named { args, .. } => {
                for a in args.iter().flatten() {
                    match a {
                        TypeArg::Type(t) => out.push(Node::Type(t)),
                        TypeArg::Wildcard { bound, .. } => {
                            out.extend(bound.iter().map(|(_, t)| Node::Type(t)))
                        }
                    }
                }
            }
            TypeExprKind::Prim(_) | TypeExprKind::Var => {}
        },
    }
}

fn stmt_children<'a>(s: &'a Stmt, out: &mut Vec<Node<'a>>) {
    match &s.kind {
        StmtKind::Block(b) => out.push(Node::Block(b)),
        StmtKind::LocalVar {
            ty, declarators, ..
        } => {
            out.push(Node::Type(ty));
            out.extend(
                declarators
                    .iter()
                    .filter_map(|d| d.init.as_ref())
                    .map(Node::Expr),
            );
        }
        StmtKind::LocalClass(c) => out.push(Node::Class(c)),
        StmtKind::Expr(e) | StmtKind::Throw(e) | StmtKind::Yield(e) => out.push(Node::Expr(e)),
        StmtKind::If { cond, then, els } => {
            out.push(Node::Expr(cond));
            out.push(Node::Stmt(then));
            out.extend(els.iter().map(|e| Node::Stmt(e)));
        }
        StmtKind::While { cond, body } | StmtKind::DoWhile { body, cond } => {
            out.push(Node::Expr(cond));
            out.push(Node::Stmt(body));
        }
        StmtKind::For {
            init,
            cond,
            update,
            body,
        } => {
            out.extend(init.iter().map(Node::Stmt));
            out.extend(cond.iter().map(Node::Expr));
            out.extend(update.iter().map(Node::Expr));
            out.push(Node::Stmt(body));
        }
        StmtKind::ForEach {
            ty, iterable, body, ..
        } => {
            out.push(Node::Type(ty));
            out.push(Node::Expr(iterable));
            out.push(Node::Stmt(body));
        }
        StmtKind::Labeled { body, .. } => out.push(Node::Stmt(body)),
        StmtKind::Return(e) => out.extend(e.iter().map(Node::Expr)),
        StmtKind::Switch { scrutinee, cases } => {
            out.push(Node::Expr(scrutinee));
            for c in cases {
                out.extend(c.labels.iter().map(Node::Expr));
                out.extend(c.body.iter().map(Node::Stmt));
            }
        }
        StmtKind::CtorCall { args, .. } => out.extend(args.iter().map(Node::Expr)),
        StmtKind::Try {
            resources,
            body,
            catches,
            finally,
        } => {
            out.extend(resources.iter().map(Node::Stmt));
            out.push(Node::Block(body));
            for c in catches {
                out.extend(c.types.iter().map(Node::Type));
                out.push(Node::Block(&c.body));
            }
            out.extend(finally.iter().map(Node::Block));
        }
        StmtKind::Break(_) | StmtKind::Continue(_) | StmtKind::Unsupported(_) | StmtKind::Empty => {
        }
    }
}

fn expr_children<'a>(e: &'a Expr, out: &mut Vec<Node<'a>>) {
    match &e.kind {
        ExprKind::Field { target, .. } => out.push(Node::Expr(target)),
        ExprKind::Call {
            target,
            type_args,
            args,
            ..
        } => {
            out.extend(target.iter().map(|t| Node::Expr(t)));
            out.extend(type_args.iter().map(Node::Type));
            out.extend(args.iter().map(Node::Expr));
        }
        ExprKind::SuperCall { args, .. } => out.extend(args.iter().map(Node::Expr)),
        ExprKind::New { ty, args, body } => {
            out.push(Node::Type(ty));
            out.extend(args.iter().map(Node::Expr));
            out.extend(body.iter().flatten().map(Node::Member));
        }
        ExprKind::NewArray { elem, dims, .. } => {
            out.push(Node::Type(elem));
            out.extend(dims.iter().map(Node::Expr));
        }
        ExprKind::NewArrayInit { ty, init } => {
            out.push(Node::Type(ty));
            out.extend(init.iter().map(Node::Expr));
        }
        ExprKind::ArrayInit(v) => out.extend(v.iter().map(Node::Expr)),
        ExprKind::Switch { scrutinee, cases } => {
            out.push(Node::Expr(scrutinee));
            for c in cases {
                out.extend(c.labels.iter().map(Node::Expr));
                out.extend(c.body.iter().map(Node::Stmt));
            }
        }
        ExprKind::Index { array, index } => {
            out.push(Node::Expr(array));
            out.push(Node::Expr(index));
        }
        ExprKind::Unary { expr, .. } => out.push(Node::Expr(expr)),
        ExprKind::Binary { lhs, rhs, .. } | ExprKind::Assign { lhs, rhs, .. } => {
            out.push(Node::Expr(lhs));
            out.push(Node::Expr(rhs));
        }
        ExprKind::Cond { cond, then, els } => {
            out.push(Node::Expr(cond));
            out.push(Node::Expr(then));
            out.push(Node::Expr(els));
        }
        ExprKind::InstanceOf { expr, ty, .. } | ExprKind::Cast { ty, expr } => {
            out.push(Node::Expr(expr));
            out.push(Node::Type(ty));
        }
        ExprKind::Lit(_)
        | ExprKind::Name(_)
        | ExprKind::SuperField { .. }
        | ExprKind::This
        | ExprKind::Unsupported(_) => {}
    }
}
