//! What an input is: the parser is tried on it in each role a snippet can play
//! (top-level classes, class members, an expression, statements), each time
//! wrapped in just enough Java to make that role a whole compilation unit.

use semeru_lang::ast::{
    ClassKind, CompilationUnit, Declarator, Expr, ExprKind, Member, Modifiers, Stmt, StmtKind,
    TypeExpr, TypeExprKind, UnOp,
};
use semeru_lang::diag::{Diagnostic, Severity, Span};
use std::ops::Range;

/// One unit of work found in an input, with ranges into the input text.
#[derive(Clone, Debug)]
pub enum Piece {
    /// Top-level classes and interfaces (`range` of each, and its name).
    Classes(Vec<(String, Range<usize>)>),
    /// A method declaration: it becomes a static method of the session class.
    Method(MethodPiece),
    /// `int a = 1, b;` or `var s = "x";`: session variables.
    Vars(VarsPiece),
    /// An expression whose value is echoed.
    Expr(ExprPiece),
    /// A statement, run for its effect.
    Stmt(Range<usize>),
    /// `import` lines (accepted and ignored, as in programs).
    Import,
}

#[derive(Clone, Debug)]
pub struct MethodPiece {
    /// `name(int,String[])`: a redefinition with the same key replaces the method.
    pub key: String,
    pub range: Range<usize>,
    pub is_static: bool,
}

#[derive(Clone, Debug)]
pub struct VarsPiece {
    pub range: Range<usize>,
    /// `None` for `var`.
    pub ty: Option<Range<usize>>,
    pub decls: Vec<VarDecl>,
}

#[derive(Clone, Debug)]
pub struct VarDecl {
    pub name: String,
    pub extra_dims: u32,
    pub init: Option<Range<usize>>,
    /// The initializer is a bare `{...}` array initializer.
    pub array_init: bool,
    /// The initializer is `new C<A>(...)`: the range of `C<A>` (a static type
    /// that error messages, which erase type arguments, cannot give).
    pub new_type: Option<Range<usize>>,
}

#[derive(Clone, Debug)]
pub struct ExprPiece {
    pub range: Range<usize>,
    /// `x`, or `x = ...`, `x += ...` on a simple name: echoed as `x ==> value`.
    pub var: Option<String>,
    /// Valid as an expression statement (call, assignment, `++`, `new`).
    pub is_statement: bool,
    pub is_null: bool,
    /// `new C<A>(...)`: the range of `C<A>`.
    pub new_type: Option<Range<usize>>,
}

const CLASS_WRAP: (&str, &str) = ("class $W {\n", "\n}\n");
const STMT_WRAP: (&str, &str) = ("class $W { void $m() {\n", "\n} }\n");
const EXPR_WRAP: (&str, &str) = ("class $W { void $m() { $e(\n", "\n); } }\n");

/// Splits `input` into pieces; on failure, the diagnostics of the role the parser
/// got furthest in, relative to `input`.
pub fn classify(input: &str) -> Result<Vec<Piece>, Vec<Diagnostic>> {
    if input.trim().is_empty() {
        return Ok(Vec::new());
    }
    // 1. Top-level classes (and imports).
    let (cu, cu_diags) = parse(input, ("", ""));
    if let Some(cu) = cu {
        if cu.classes.is_empty() && !cu.imports.is_empty() {
            return Ok(vec![Piece::Import]);
        }
        if !cu.classes.is_empty() {
            let classes = cu
                .classes
                .iter()
                .map(|c| (c.name.name.clone(), span_range(c.span, 0, input.len())))
                .collect();
            return Ok(vec![Piece::Classes(classes)]);
        }
    }
    // 2. Members: methods and variables.
    let (unit, member_diags) = parse(input, CLASS_WRAP);
    if let Some(members) = unit.as_ref().and_then(members_of) {
        if let Some(pieces) = member_pieces(input, members) {
            return Ok(pieces);
        }
    }
    // 3. One expression (a trailing `;` is allowed).
    let trimmed = input.trim_end();
    let expr_src = trimmed.strip_suffix(';').unwrap_or(trimmed);
    // A construct outside Sem (`switch (x) { ... }` parses as a switch
    // expression, `() -> 1` as a lambda) is tried as statements first; if that
    // fails, the compiler will say what is not supported.
    let mut unsupported = None;
    let (unit, expr_diags) = parse(expr_src, EXPR_WRAP);
    if let Some(unit) = unit {
        match expr_piece(&unit, EXPR_WRAP.0.len(), expr_src.len()) {
            Some((p, false)) => return Ok(vec![p]),
            Some((p, true)) => unsupported = Some(p),
            None => {}
        }
    }
    // 4. Statements (a missing final `;` is supplied).
    let (unit, mut stmt_diags) = parse(input, STMT_WRAP);
    let unit = match unit {
        Some(u) => Some(u),
        None if !(trimmed.ends_with(';') || trimmed.ends_with('}')) => {
            let patched = format!("{trimmed};");
            let (u, d) = parse(&patched, STMT_WRAP);
            if u.is_none() {
                stmt_diags = d;
            }
            u
        }
        None => None,
    };
    if let Some(stmts) = unit.as_ref().and_then(body_of) {
        let shift = STMT_WRAP.0.len();
        let ranges: Vec<_> = stmts
            .iter()
            .map(|s| span_range(s.span, shift, input.len()))
            .collect();
        if stmts.len() > 1 {
            // Several statements: each is a snippet of its own (as in jshell).
            let mut out = Vec::new();
            for r in ranges {
                let piece_src = &input[r.clone()];
                let pieces = classify(piece_src).map_err(|ds| shift_all(ds, r.start))?;
                out.extend(pieces.into_iter().map(|p| shift_piece(p, r.start)));
            }
            return Ok(out);
        }
        if let Some(s) = stmts.first() {
            return Ok(vec![stmt_piece(input, s, shift, ranges[0].clone())?]);
        }
        return Ok(Vec::new());
    }
    // Several statements, some of them bare expressions (`int x = 2; x * 21`):
    // each is a snippet of its own.
    let chunks = super::input::split_statements(input);
    if chunks.len() > 1 {
        let mut out = Vec::new();
        let all = chunks.into_iter().try_for_each(|r| {
            let pieces = classify(&input[r.clone()]).map_err(drop)?;
            out.extend(pieces.into_iter().map(|p| shift_piece(p, r.start)));
            Ok::<(), ()>(())
        });
        if all.is_ok() {
            return Ok(out);
        }
    }
    if let Some(p) = unsupported {
        return Ok(vec![p]);
    }
    // Nothing parsed: report the role the parser got furthest in.
    // Ties go to the last: statements, then an expression.
    let candidates = [
        (cu_diags, 0),
        (member_diags, CLASS_WRAP.0.len()),
        (expr_diags, EXPR_WRAP.0.len()),
        (stmt_diags, STMT_WRAP.0.len()),
    ];
    let best = candidates
        .into_iter()
        .map(|(ds, shift)| shift_all_back(ds, shift, input.len()))
        .max_by_key(|ds| {
            ds.iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| d.span.lo)
                .min()
                .unwrap_or(0)
        })
        .unwrap_or_default();
    Err(at_end(best, input.trim_end().len()))
}

/// An error at the end of the input is about the wrapper's closing tokens:
/// say "found end of input" instead.
fn at_end(ds: Vec<Diagnostic>, end: usize) -> Vec<Diagnostic> {
    ds.into_iter()
        .map(|mut d| {
            if d.span.lo as usize >= end {
                if let Some(i) = d.message.rfind(", found ") {
                    d.message.truncate(i);
                    d.message.push_str(", found end of input");
                    d.label = Some("the input ends here".into());
                }
            }
            d
        })
        .collect()
}

/// Whether `input` fails to parse only because it stops short (`x +`,
/// `class A`): the REPL then reads another line, as jshell does.
pub fn incomplete(input: &str) -> bool {
    let end = input.trim_end().len();
    end > 0
        && match classify(input) {
            Ok(_) => false,
            Err(ds) => ds
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .all(|d| d.span.lo as usize >= end),
        }
}

fn parse(body: &str, wrap: (&str, &str)) -> (Option<CompilationUnit>, Vec<Diagnostic>) {
    let src = format!("{}{body}{}", wrap.0, wrap.1);
    semeru_lang::parser::parse(&src)
}

fn span_range(s: Span, shift: usize, len: usize) -> Range<usize> {
    let lo = (s.lo as usize).saturating_sub(shift).min(len);
    let hi = (s.hi as usize).saturating_sub(shift).min(len).max(lo);
    lo..hi
}

fn shift_all_back(ds: Vec<Diagnostic>, shift: usize, len: usize) -> Vec<Diagnostic> {
    ds.into_iter()
        .map(|mut d| {
            let r = span_range(d.span, shift, len);
            d.span = Span::new(r.start, r.end);
            d
        })
        .collect()
}

fn shift_all(ds: Vec<Diagnostic>, by: usize) -> Vec<Diagnostic> {
    ds.into_iter()
        .map(|mut d| {
            d.span = Span::new(d.span.lo as usize + by, d.span.hi as usize + by);
            d
        })
        .collect()
}

fn shift_range(r: Range<usize>, by: usize) -> Range<usize> {
    r.start + by..r.end + by
}

fn shift_piece(p: Piece, by: usize) -> Piece {
    match p {
        Piece::Classes(cs) => Piece::Classes(
            cs.into_iter()
                .map(|(n, r)| (n, shift_range(r, by)))
                .collect(),
        ),
        Piece::Method(m) => Piece::Method(MethodPiece {
            range: shift_range(m.range, by),
            ..m
        }),
        Piece::Vars(v) => Piece::Vars(VarsPiece {
            range: shift_range(v.range, by),
            ty: v.ty.map(|r| shift_range(r, by)),
            decls: v
                .decls
                .into_iter()
                .map(|d| VarDecl {
                    init: d.init.map(|r| shift_range(r, by)),
                    new_type: d.new_type.map(|r| shift_range(r, by)),
                    ..d
                })
                .collect(),
        }),
        Piece::Expr(e) => Piece::Expr(ExprPiece {
            range: shift_range(e.range, by),
            new_type: e.new_type.map(|r| shift_range(r, by)),
            ..e
        }),
        Piece::Stmt(r) => Piece::Stmt(shift_range(r, by)),
        Piece::Import => Piece::Import,
    }
}

fn members_of(unit: &CompilationUnit) -> Option<&[Member]> {
    match unit.classes.as_slice() {
        [c] if c.kind == ClassKind::Class => Some(&c.members),
        _ => None,
    }
}

fn body_of(unit: &CompilationUnit) -> Option<&[Stmt]> {
    match members_of(unit)? {
        [Member::Method(m)] => m.body.as_ref().map(|b| b.stmts.as_slice()),
        _ => None,
    }
}

/// Methods and fields only (an initializer block, constructor or nested class
/// is not a member-role input).
fn member_pieces(input: &str, members: &[Member]) -> Option<Vec<Piece>> {
    let shift = CLASS_WRAP.0.len();
    let len = input.len();
    let mut out = Vec::new();
    for m in members {
        match m {
            Member::Method(m) => {
                let params: Vec<String> = m
                    .params
                    .iter()
                    .map(|p| {
                        let r = span_range(p.ty.span, shift, len);
                        let t: String = input[r].split_whitespace().collect();
                        if p.varargs {
                            format!("{t}...")
                        } else {
                            t
                        }
                    })
                    .collect();
                out.push(Piece::Method(MethodPiece {
                    key: format!("{}({})", m.name.name, params.join(",")),
                    range: span_range(m.span, shift, len),
                    is_static: m.modifiers.static_,
                }));
            }
            Member::Field(f) => out.push(Piece::Vars(vars_piece(
                input,
                shift,
                span_range(f.span, shift, len),
                &f.ty,
                &f.declarators,
            )?)),
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

fn vars_piece(
    input: &str,
    shift: usize,
    range: Range<usize>,
    ty: &TypeExpr,
    declarators: &[Declarator],
) -> Option<VarsPiece> {
    let len = input.len();
    let is_var = match &ty.kind {
        TypeExprKind::Var => true,
        TypeExprKind::Named { path, args } => {
            path.len() == 1 && path[0].name == "var" && args.iter().all(|a| a.is_empty())
        }
        _ => false,
    };
    Some(VarsPiece {
        range,
        ty: (!is_var).then(|| span_range(ty.span, shift, len)),
        decls: declarators
            .iter()
            .map(|d| VarDecl {
                name: d.name.name.clone(),
                extra_dims: d.extra_dims,
                init: d.init.as_ref().map(|e| span_range(e.span, shift, len)),
                array_init: d
                    .init
                    .as_ref()
                    .is_some_and(|e| matches!(e.kind, ExprKind::ArrayInit(_))),
                new_type: d
                    .init
                    .as_ref()
                    .and_then(generic_new)
                    .map(|sp| span_range(sp, shift, len)),
            })
            .collect(),
    })
}

/// The expression piece, and whether the expression is outside Sem.
fn expr_piece(unit: &CompilationUnit, shift: usize, len: usize) -> Option<(Piece, bool)> {
    let [stmt] = body_of(unit)? else {
        return None;
    };
    let StmtKind::Expr(call) = &stmt.kind else {
        return None;
    };
    let ExprKind::Call {
        target: None,
        name,
        args,
        ..
    } = &call.kind
    else {
        return None;
    };
    let [e] = args.as_slice() else {
        return None;
    };
    // `switch (x) { ... }` parses as a switch expression: a statement is meant.
    if name.name != "$e"
        || (e.span.lo as usize) < shift
        || matches!(e.kind, ExprKind::Unsupported(_) | ExprKind::Switch { .. })
    {
        return None;
    }
    let unsupported = matches!(e.kind, ExprKind::Unsupported(_));
    Some((Piece::Expr(describe_expr(e, shift, len)), unsupported))
}

fn describe_expr(e: &Expr, shift: usize, len: usize) -> ExprPiece {
    let var = match &e.kind {
        ExprKind::Name(id) => Some(id.name.clone()),
        ExprKind::Assign { lhs, .. } => match &lhs.kind {
            ExprKind::Name(id) => Some(id.name.clone()),
            _ => None,
        },
        _ => None,
    };
    let is_statement = match &e.kind {
        ExprKind::Assign { .. } | ExprKind::Call { .. } | ExprKind::New { .. } => true,
        ExprKind::SuperCall { .. } => true,
        ExprKind::Unary { op, .. } => matches!(
            op,
            UnOp::PreInc | UnOp::PreDec | UnOp::PostInc | UnOp::PostDec
        ),
        _ => false,
    };
    ExprPiece {
        range: span_range(e.span, shift, len),
        var,
        is_statement,
        is_null: matches!(e.kind, ExprKind::Lit(semeru_lang::ast::Literal::Null)),
        new_type: generic_new(e).map(|sp| span_range(sp, shift, len)),
    }
}

/// The type of `new C<A>(...)` (explicit type arguments, no class body).
fn generic_new(e: &Expr) -> Option<Span> {
    match &e.kind {
        ExprKind::New { ty, body: None, .. } => match &ty.kind {
            TypeExprKind::Named { args, .. } if args.iter().any(|a| !a.is_empty()) => Some(ty.span),
            _ => None,
        },
        _ => None,
    }
}

fn stmt_piece(
    input: &str,
    s: &Stmt,
    shift: usize,
    range: Range<usize>,
) -> Result<Piece, Vec<Diagnostic>> {
    if let StmtKind::LocalVar {
        modifiers,
        ty,
        declarators,
    } = &s.kind
    {
        let _: &Modifiers = modifiers;
        if let Some(v) = vars_piece(input, shift, range.clone(), ty, declarators) {
            return Ok(Piece::Vars(v));
        }
    }
    if let Some(sp) = find_return(s) {
        let r = span_range(sp, shift, input.len());
        return Err(vec![Diagnostic::error(
            Span::new(r.start, r.end),
            "`return` outside of a method",
        )
        .with_note(
            "a snippet's statements run at the top level of the session",
        )]);
    }
    if let StmtKind::Expr(e) = &s.kind {
        return Ok(Piece::Expr(describe_expr(e, shift, input.len())));
    }
    Ok(Piece::Stmt(range))
}

/// The span of a `return` anywhere in `s` (not inside nested class bodies).
fn find_return(s: &Stmt) -> Option<Span> {
    let any = |ss: &[Stmt]| ss.iter().find_map(find_return);
    match &s.kind {
        StmtKind::Return(_) => Some(s.span),
        StmtKind::Block(b) => any(&b.stmts),
        StmtKind::If { then, els, .. } => {
            find_return(then).or_else(|| els.as_deref().and_then(find_return))
        }
        StmtKind::While { body, .. }
        | StmtKind::DoWhile { body, .. }
        | StmtKind::ForEach { body, .. }
        | StmtKind::Labeled { body, .. } => find_return(body),
        StmtKind::For { init, body, .. } => any(init).or_else(|| find_return(body)),
        StmtKind::Switch { cases, .. } => cases.iter().find_map(|c| any(&c.body)),
        StmtKind::Try {
            body,
            catches,
            finally,
            ..
        } => any(&body.stmts)
            .or_else(|| catches.iter().find_map(|c| any(&c.body.stmts)))
            .or_else(|| finally.as_ref().and_then(|f| any(&f.stmts))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<&'static str> {
        classify(src)
            .expect("classifies")
            .iter()
            .map(|p| match p {
                Piece::Classes(_) => "classes",
                Piece::Method(_) => "method",
                Piece::Vars(_) => "vars",
                Piece::Expr(_) => "expr",
                Piece::Stmt(_) => "stmt",
                Piece::Import => "import",
            })
            .collect()
    }

    #[test]
    fn roles() {
        assert_eq!(kinds("class A {}"), ["classes"]);
        assert_eq!(kinds("interface I { void f(); }"), ["classes"]);
        assert_eq!(kinds("int sq(int x) { return x * x; }"), ["method"]);
        assert_eq!(kinds("int x = 2;"), ["vars"]);
        assert_eq!(kinds("int x = 2"), ["vars"]);
        assert_eq!(kinds("var s = \"a\";"), ["vars"]);
        assert_eq!(kinds("x * 21"), ["expr"]);
        assert_eq!(kinds("x * 21;"), ["expr"]);
        assert_eq!(kinds("System.out.println(1);"), ["expr"]);
        assert_eq!(kinds("for (int i = 0; i < 3; i++) {}"), ["stmt"]);
        assert_eq!(kinds("switch (3) { case 3: break; }"), ["stmt"]);
        assert_eq!(kinds("{ int q = 1; }"), ["stmt"]);
        assert_eq!(kinds("int x = 2; x * 21"), ["vars", "expr"]);
        assert_eq!(kinds("import java.util.*;"), ["import"]);
        assert_eq!(kinds("  "), Vec::<&str>::new());
    }

    #[test]
    fn split_pieces_keep_input_offsets() {
        let src = "int x = 2; x * 21";
        let ps = classify(src).expect("classifies");
        let Piece::Expr(e) = &ps[1] else {
            panic!("expected an expression")
        };
        assert_eq!(&src[e.range.clone()], "x * 21");
    }

    #[test]
    fn unfinished_inputs() {
        assert!(incomplete("x +"));
        assert!(incomplete("String s = 1 +\n"));
        assert!(incomplete("class A"));
        assert!(!incomplete("x + 1"));
        assert!(!incomplete("int x = 2 3"));
        assert!(!incomplete("return 1;"));
        assert!(!incomplete(""));
    }

    #[test]
    fn errors_come_from_the_furthest_role() {
        let ds = classify("int f(int x) { return x +; }").expect_err("syntax error");
        assert!(ds[0].span.lo > 20, "{ds:?}");
        let ds = classify("return 1;").expect_err("return");
        assert!(ds[0].message.contains("return"));
    }
}
