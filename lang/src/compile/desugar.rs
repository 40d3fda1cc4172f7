//! Enums and records, rewritten as ordinary classes before declaration.
//!
//! An enum `enum Color { RED(1), GREEN(2); ... }` becomes
//!
//! ```text
//! final class Color extends Enum<Color> {
//!     public static final Color RED = new Color("RED", 0, 1);
//!     public static final Color GREEN = new Color("GREEN", 1, 2);
//!     private static final Color[] $VALUES = new Color[]{RED, GREEN};
//!     ... members; every constructor gets (String $name, int $ordinal) first
//!     public static Color[] values() { return $VALUES.clone(); }
//!     public static Color valueOf(String name) { return (Color) Enum.$valueOf($VALUES, "Main.Color", name); }
//! }
//! ```
//!
//! A record `record P(int x, String s) { ... }` becomes a final class extending
//! `Record` with private final fields, the canonical constructor (a compact
//! constructor's body runs before the field assignments), accessors, and
//! `toString`/`equals`/`hashCode` as `java.lang.runtime.ObjectMethods` builds them,
//! each unless the record declares its own. The class keeps its `kind`, so the
//! checker still knows an enum (switch labels) from a class. Synthesized nodes carry
//! the span of the enum or record name.

use crate::ast::*;
use crate::diag::Span;

/// The unit with every enum and record rewritten, or `None` when it has none.
/// Local records, enums and interfaces (implicitly static) become members of
/// the enclosing class.
pub fn unit(u: &CompilationUnit) -> Option<CompilationUnit> {
    if !u.classes.iter().any(has_special) {
        return None;
    }
    let mut out = u.clone();
    for c in &mut out.classes {
        hoist_locals(c);
        class(c, &[], false);
    }
    Some(out)
}

fn has_special(c: &ClassDecl) -> bool {
    matches!(c.kind, ClassKind::Enum | ClassKind::Record)
        || c.members.iter().any(|m| match m {
            Member::Class(n) => has_special(n),
            Member::Method(m) => m.body.as_ref().is_some_and(|b| block_has_local(&b.stmts)),
            Member::Constructor(k) => block_has_local(&k.body.stmts),
            Member::Initializer { body, .. } => block_has_local(&body.stmts),
            Member::Field(_) => false,
        })
}

fn hoistable(c: &ClassDecl) -> bool {
    c.kind != ClassKind::Class
}

fn block_has_local(stmts: &[Stmt]) -> bool {
    stmts.iter().any(stmt_has_local)
}

fn stmt_has_local(s: &Stmt) -> bool {
    match &s.kind {
        StmtKind::LocalClass(c) => hoistable(c),
        StmtKind::Block(b) => block_has_local(&b.stmts),
        StmtKind::If { then, els, .. } => {
            stmt_has_local(then) || els.as_deref().is_some_and(stmt_has_local)
        }
        StmtKind::While { body, .. }
        | StmtKind::DoWhile { body, .. }
        | StmtKind::For { body, .. }
        | StmtKind::ForEach { body, .. }
        | StmtKind::Labeled { body, .. } => stmt_has_local(body),
        StmtKind::Switch { cases, .. } => cases.iter().any(|c| block_has_local(&c.body)),
        StmtKind::Try {
            body,
            catches,
            finally,
            ..
        } => {
            block_has_local(&body.stmts)
                || catches.iter().any(|c| block_has_local(&c.body.stmts))
                || finally.as_ref().is_some_and(|f| block_has_local(&f.stmts))
        }
        _ => false,
    }
}

/// Moves the local records, enums and interfaces of `stmts` into `out`.
fn hoist_stmts(stmts: &mut [Stmt], out: &mut Vec<Member>) {
    for s in stmts.iter_mut() {
        hoist_stmt(s, out);
    }
}

fn hoist_stmt(s: &mut Stmt, out: &mut Vec<Member>) {
    match &mut s.kind {
        StmtKind::LocalClass(c) if hoistable(c) => {
            let mut c = (**c).clone();
            c.modifiers.static_ = true;
            hoist_locals(&mut c);
            out.push(Member::Class(c));
            s.kind = StmtKind::Empty;
        }
        StmtKind::Block(b) => hoist_stmts(&mut b.stmts, out),
        StmtKind::If { then, els, .. } => {
            hoist_stmt(then, out);
            if let Some(e) = els {
                hoist_stmt(e, out);
            }
        }
        StmtKind::While { body, .. }
        | StmtKind::DoWhile { body, .. }
        | StmtKind::For { body, .. }
        | StmtKind::ForEach { body, .. }
        | StmtKind::Labeled { body, .. } => hoist_stmt(body, out),
        StmtKind::Switch { cases, .. } => {
            for c in cases {
                hoist_stmts(&mut c.body, out);
            }
        }
        StmtKind::Try {
            body,
            catches,
            finally,
            ..
        } => {
            hoist_stmts(&mut body.stmts, out);
            for c in catches {
                hoist_stmts(&mut c.body.stmts, out);
            }
            if let Some(f) = finally {
                hoist_stmts(&mut f.stmts, out);
            }
        }
        _ => {}
    }
}

fn hoist_locals(c: &mut ClassDecl) {
    let mut out = Vec::new();
    for m in &mut c.members {
        match m {
            Member::Method(md) => {
                if let Some(b) = &mut md.body {
                    hoist_stmts(&mut b.stmts, &mut out);
                }
            }
            Member::Constructor(k) => hoist_stmts(&mut k.body.stmts, &mut out),
            Member::Initializer { body, .. } => hoist_stmts(&mut body.stmts, &mut out),
            Member::Class(n) => hoist_locals(n),
            Member::Field(_) => {}
        }
    }
    c.members.extend(out);
}

/// Rewrites `c` (whose enclosing classes are `outer`) and its nested classes.
fn class(c: &mut ClassDecl, outer: &[String], nested: bool) {
    let mut path = outer.to_vec();
    path.push(c.name.name.clone());
    for m in &mut c.members {
        if let Member::Class(n) = m {
            class(n, &path, true);
        }
    }
    match c.kind {
        ClassKind::Enum => enum_class(c, &path.join("."), nested),
        ClassKind::Record => record_class(c, nested),
        _ => {}
    }
}

// ---------------------------------------------------------------- AST builders

struct B {
    s: Span,
}

impl B {
    fn id(&self, n: &str) -> Ident {
        Ident {
            name: n.to_string(),
            span: self.s,
        }
    }
    fn e(&self, kind: ExprKind) -> Expr {
        Expr { kind, span: self.s }
    }
    fn st(&self, kind: StmtKind) -> Stmt {
        Stmt { kind, span: self.s }
    }
    fn name(&self, n: &str) -> Expr {
        self.e(ExprKind::Name(self.id(n)))
    }
    fn str(&self, v: &str) -> Expr {
        self.e(ExprKind::Lit(Literal::Str(v.to_string())))
    }
    fn int(&self, v: u64) -> Expr {
        self.e(ExprKind::Lit(Literal::Int(v)))
    }
    fn lit(&self, l: Literal) -> Expr {
        self.e(ExprKind::Lit(l))
    }
    /// `this.f`
    fn this_f(&self, f: &str) -> Expr {
        self.field(self.e(ExprKind::This), f)
    }
    fn field(&self, target: Expr, f: &str) -> Expr {
        self.e(ExprKind::Field {
            target: Box::new(target),
            name: self.id(f),
        })
    }
    fn call(&self, target: Option<Expr>, name: &str, args: Vec<Expr>) -> Expr {
        self.e(ExprKind::Call {
            target: target.map(Box::new),
            name: self.id(name),
            type_args: Vec::new(),
            args,
        })
    }
    fn bin(&self, op: BinOp, a: Expr, b: Expr) -> Expr {
        self.e(ExprKind::Binary {
            op,
            lhs: Box::new(a),
            rhs: Box::new(b),
        })
    }
    fn cond(&self, c: Expr, t: Expr, e: Expr) -> Expr {
        self.e(ExprKind::Cond {
            cond: Box::new(c),
            then: Box::new(t),
            els: Box::new(e),
        })
    }
    fn cast(&self, ty: TypeExpr, e: Expr) -> Expr {
        self.e(ExprKind::Cast {
            ty,
            expr: Box::new(e),
        })
    }
    fn assign(&self, lhs: Expr, rhs: Expr) -> Stmt {
        self.st(StmtKind::Expr(self.e(ExprKind::Assign {
            op: None,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        })))
    }
    fn ret(&self, e: Expr) -> Stmt {
        self.st(StmtKind::Return(Some(e)))
    }
    fn ty(&self, n: &str) -> TypeExpr {
        self.ty_args(n, Vec::new())
    }
    fn ty_args(&self, n: &str, args: Vec<TypeArg>) -> TypeExpr {
        TypeExpr {
            kind: TypeExprKind::Named {
                path: vec![self.id(n)],
                args: vec![args],
            },
            span: self.s,
        }
    }
    fn prim(&self, p: PrimType) -> TypeExpr {
        TypeExpr {
            kind: TypeExprKind::Prim(p),
            span: self.s,
        }
    }
    fn array(&self, t: TypeExpr) -> TypeExpr {
        TypeExpr {
            kind: TypeExprKind::Array(Box::new(t)),
            span: self.s,
        }
    }
    fn mods(&self, public: bool, private: bool, static_: bool, final_: bool) -> Modifiers {
        Modifiers {
            public,
            private,
            static_,
            final_,
            span: self.s,
            ..Modifiers::default()
        }
    }
    fn param(&self, ty: TypeExpr, n: &str) -> Param {
        Param {
            modifiers: self.mods(false, false, false, false),
            ty,
            name: self.id(n),
            varargs: false,
        }
    }
    fn block(&self, stmts: Vec<Stmt>) -> Block {
        Block {
            stmts,
            span: self.s,
        }
    }
    fn method(
        &self,
        mods: Modifiers,
        ret: Option<TypeExpr>,
        name: &str,
        params: Vec<Param>,
        body: Vec<Stmt>,
    ) -> Member {
        Member::Method(MethodDecl {
            modifiers: mods,
            type_params: Vec::new(),
            ret,
            name: self.id(name),
            params,
            throws: Vec::new(),
            body: Some(self.block(body)),
            span: self.s,
        })
    }
    fn field_decl(&self, mods: Modifiers, ty: TypeExpr, n: &str, init: Option<Expr>) -> Member {
        Member::Field(FieldDecl {
            modifiers: mods,
            ty,
            declarators: vec![Declarator {
                name: self.id(n),
                extra_dims: 0,
                init,
            }],
            span: self.s,
        })
    }
}

fn declares_method(c: &ClassDecl, name: &str, nparams: usize) -> bool {
    c.members.iter().any(|m| match m {
        Member::Method(md) => md.name.name == name && md.params.len() == nparams,
        _ => false,
    })
}

// ---------------------------------------------------------------- enums

const NAME: &str = "$name";
const ORDINAL: &str = "$ordinal";

fn enum_class(c: &mut ClassDecl, canonical: &str, nested: bool) {
    let b = B { s: c.name.span };
    let me = b.ty(&c.name.name);
    c.modifiers.final_ = true;
    c.modifiers.static_ |= nested;
    c.extends = Some(b.ty_args("Enum", vec![TypeArg::Type(me.clone())]));
    let mut members = Vec::new();
    for (i, k) in c.enum_constants.iter().enumerate() {
        let kb = B { s: k.name.span };
        let mut args = vec![kb.str(&k.name.name), kb.int(i as u64)];
        args.extend(k.args.iter().cloned());
        let init = kb.e(ExprKind::New {
            ty: me.clone(),
            args,
            body: None,
        });
        members.push(kb.field_decl(
            kb.mods(true, false, true, true),
            me.clone(),
            &k.name.name,
            Some(init),
        ));
    }
    let values = b.e(ExprKind::NewArrayInit {
        ty: b.array(me.clone()),
        init: c
            .enum_constants
            .iter()
            .map(|k| b.name(&k.name.name))
            .collect(),
    });
    members.push(b.field_decl(
        b.mods(false, true, true, true),
        b.array(me.clone()),
        "$VALUES",
        Some(values),
    ));
    let mut has_ctor = false;
    for m in std::mem::take(&mut c.members) {
        match m {
            Member::Constructor(mut cd) => {
                has_ctor = true;
                enum_ctor(&b, &mut cd);
                members.push(Member::Constructor(cd));
            }
            m => members.push(m),
        }
    }
    if !has_ctor {
        let mut cd = ConstructorDecl {
            modifiers: b.mods(false, true, false, false),
            name: c.name.clone(),
            params: Vec::new(),
            throws: Vec::new(),
            body: b.block(Vec::new()),
            span: b.s,
            compact: false,
        };
        enum_ctor(&b, &mut cd);
        members.push(Member::Constructor(cd));
    }
    let clone = b.call(Some(b.name("$VALUES")), "clone", Vec::new());
    members.push(b.method(
        b.mods(true, false, true, false),
        Some(b.array(me.clone())),
        "values",
        Vec::new(),
        vec![b.ret(clone)],
    ));
    let lookup = b.call(
        Some(b.name("Enum")),
        "$valueOf",
        vec![b.name("$VALUES"), b.str(canonical), b.name("name")],
    );
    members.push(b.method(
        b.mods(true, false, true, false),
        Some(me.clone()),
        "valueOf",
        vec![b.param(b.ty("String"), "name")],
        vec![b.ret(b.cast(me, lookup))],
    ));
    c.members = members;
}

/// Prepends `(String $name, int $ordinal)` and passes them on to `this(...)` or
/// `super(...)`.
fn enum_ctor(b: &B, cd: &mut ConstructorDecl) {
    cd.modifiers.private = true;
    let mut params = vec![
        b.param(b.ty("String"), NAME),
        b.param(b.prim(PrimType::Int), ORDINAL),
    ];
    params.append(&mut cd.params);
    cd.params = params;
    let pass = vec![b.name(NAME), b.name(ORDINAL)];
    match cd.body.stmts.first_mut().map(|s| &mut s.kind) {
        Some(StmtKind::CtorCall {
            is_super: false,
            args,
        }) => {
            let mut a = pass;
            a.append(args);
            *args = a;
        }
        Some(StmtKind::CtorCall { is_super: true, .. }) => {
            // javac: "call to super not allowed in enum constructor"; the wrong
            // arity makes the checker report it.
        }
        _ => cd.body.stmts.insert(
            0,
            b.st(StmtKind::CtorCall {
                is_super: true,
                args: pass,
            }),
        ),
    }
}

// ---------------------------------------------------------------- records

fn same_type(a: &TypeExpr, b: &TypeExpr) -> bool {
    match (&a.kind, &b.kind) {
        (TypeExprKind::Prim(x), TypeExprKind::Prim(y)) => x == y,
        (TypeExprKind::Array(x), TypeExprKind::Array(y)) => same_type(x, y),
        (TypeExprKind::Named { path: p, .. }, TypeExprKind::Named { path: q, .. }) => {
            p.last().map(|i| &i.name) == q.last().map(|i| &i.name)
        }
        _ => false,
    }
}

fn record_class(c: &mut ClassDecl, nested: bool) {
    let b = B { s: c.name.span };
    c.modifiers.final_ = true;
    c.modifiers.static_ |= nested;
    c.extends = Some(b.ty("Record"));
    // A varargs component `int... xs` is an `int[]` field.
    let mut comps = c.record_components.clone();
    for p in &mut comps {
        if p.varargs {
            p.ty = b.array(p.ty.clone());
            p.varargs = false;
        }
    }
    let ctor_params = c.record_components.clone();
    let mut members = Vec::new();
    for p in &comps {
        let pb = B { s: p.name.span };
        members.push(pb.field_decl(
            pb.mods(false, true, false, true),
            p.ty.clone(),
            &p.name.name,
            None,
        ));
    }
    let assigns = |b: &B| -> Vec<Stmt> {
        comps
            .iter()
            .map(|p| b.assign(b.this_f(&p.name.name), b.name(&p.name.name)))
            .collect()
    };
    let mut has_canonical = false;
    for m in std::mem::take(&mut c.members) {
        match m {
            Member::Constructor(mut cd) if cd.compact => {
                has_canonical = true;
                let cb = B { s: cd.name.span };
                cd.params = ctor_params.clone();
                for p in &mut cd.params {
                    p.modifiers = cb.mods(false, false, false, false);
                }
                let body = std::mem::take(&mut cd.body.stmts);
                let inner = Block {
                    stmts: body,
                    span: cd.body.span,
                };
                cd.body.stmts.push(Stmt {
                    span: inner.span,
                    kind: StmtKind::Block(inner),
                });
                cd.body.stmts.extend(assigns(&cb));
                cd.compact = false;
                members.push(Member::Constructor(cd));
            }
            Member::Constructor(cd) => {
                if cd.params.len() == comps.len()
                    && cd
                        .params
                        .iter()
                        .zip(&ctor_params)
                        .all(|(a, b)| same_type(&a.ty, &b.ty))
                {
                    has_canonical = true;
                }
                members.push(Member::Constructor(cd));
            }
            m => members.push(m),
        }
    }
    if !has_canonical {
        members.push(Member::Constructor(ConstructorDecl {
            modifiers: b.mods(c.modifiers.public, false, false, false),
            name: c.name.clone(),
            params: ctor_params
                .iter()
                .map(|p| {
                    let mut p = p.clone();
                    p.modifiers = b.mods(false, false, false, false);
                    p
                })
                .collect(),
            throws: Vec::new(),
            body: b.block(assigns(&b)),
            span: b.s,
            compact: false,
        }));
    }
    let old = std::mem::take(&mut c.members);
    c.members = members;
    let _ = old;
    for p in &comps {
        if !declares_method(c, &p.name.name, 0) {
            let pb = B { s: p.name.span };
            let m = pb.method(
                pb.mods(true, false, false, false),
                Some(p.ty.clone()),
                &p.name.name,
                Vec::new(),
                vec![pb.ret(pb.this_f(&p.name.name))],
            );
            c.members.push(m);
        }
    }
    if !declares_method(c, "toString", 0) {
        let m = record_to_string(&b, c, &comps);
        c.members.push(m);
    }
    if !declares_method(c, "equals", 1) {
        let m = record_equals(&b, c, &comps);
        c.members.push(m);
    }
    if !declares_method(c, "hashCode", 0) {
        let m = record_hash_code(&b, &comps);
        c.members.push(m);
    }
}

fn record_to_string(b: &B, c: &ClassDecl, comps: &[Param]) -> Member {
    // "P[x=" + this.x + ", s=" + this.s + "]"
    let mut e = b.str(&format!("{}[", c.name.name));
    for (i, p) in comps.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        e = b.bin(BinOp::Add, e, b.str(&format!("{sep}{}=", p.name.name)));
        e = b.bin(BinOp::Add, e, b.this_f(&p.name.name));
    }
    e = b.bin(BinOp::Add, e, b.str("]"));
    b.method(
        b.mods(true, false, false, false),
        Some(b.ty("String")),
        "toString",
        Vec::new(),
        vec![b.ret(e)],
    )
}

fn prim_of(t: &TypeExpr) -> Option<PrimType> {
    match t.kind {
        TypeExprKind::Prim(p) => Some(p),
        _ => None,
    }
}

fn record_equals(b: &B, c: &ClassDecl, comps: &[Param]) -> Member {
    let raw = b.ty(&c.name.name);
    let o = || b.name("$o");
    let mut stmts = vec![
        b.st(StmtKind::If {
            cond: b.bin(BinOp::Eq, b.e(ExprKind::This), o()),
            then: Box::new(b.ret(b.lit(Literal::Bool(true)))),
            els: None,
        }),
        b.st(StmtKind::If {
            cond: b.e(ExprKind::Unary {
                op: UnOp::Not,
                expr: Box::new(b.e(ExprKind::InstanceOf {
                    expr: Box::new(o()),
                    ty: raw.clone(),
                    binding: None,
                })),
            }),
            then: Box::new(b.ret(b.lit(Literal::Bool(false)))),
            els: None,
        }),
        b.st(StmtKind::LocalVar {
            modifiers: b.mods(false, false, false, false),
            ty: raw.clone(),
            declarators: vec![Declarator {
                name: b.id("$p"),
                extra_dims: 0,
                init: Some(b.cast(raw, o())),
            }],
        }),
    ];
    let mut all: Option<Expr> = None;
    for p in comps {
        let n = &p.name.name;
        let (mine, theirs) = (b.this_f(n), b.field(b.name("$p"), n));
        let test = match (prim_of(&p.ty), &p.ty.kind) {
            (Some(PrimType::Float), _) => b.bin(
                BinOp::Eq,
                b.call(Some(b.name("Float")), "compare", vec![mine, theirs]),
                b.int(0),
            ),
            (Some(PrimType::Double), _) => b.bin(
                BinOp::Eq,
                b.call(Some(b.name("Double")), "compare", vec![mine, theirs]),
                b.int(0),
            ),
            (Some(_), _) | (None, TypeExprKind::Array(_)) => b.bin(BinOp::Eq, mine, theirs),
            // Objects.equals(a, b): a == b || (a != null && a.equals(b))
            _ => b.bin(
                BinOp::Or,
                b.bin(BinOp::Eq, mine.clone(), theirs.clone()),
                b.bin(
                    BinOp::And,
                    b.bin(BinOp::Ne, mine.clone(), b.lit(Literal::Null)),
                    b.call(Some(mine), "equals", vec![theirs]),
                ),
            ),
        };
        all = Some(match all {
            None => test,
            Some(a) => b.bin(BinOp::And, a, test),
        });
    }
    stmts.push(b.ret(all.unwrap_or_else(|| b.lit(Literal::Bool(true)))));
    b.method(
        b.mods(true, false, false, false),
        Some(b.prim(PrimType::Boolean)),
        "equals",
        vec![b.param(b.ty("Object"), "$o")],
        stmts,
    )
}

fn record_hash_code(b: &B, comps: &[Param]) -> Member {
    // h = 31 * h + hash(c) for each component, from 0.
    let mut h: Option<Expr> = None;
    for p in comps {
        let v = b.this_f(&p.name.name);
        let hv = match prim_of(&p.ty) {
            Some(PrimType::Int) => v,
            Some(PrimType::Byte | PrimType::Short | PrimType::Char) => {
                b.cast(b.prim(PrimType::Int), v)
            }
            Some(PrimType::Boolean) => b.cond(v, b.int(1231), b.int(1237)),
            Some(PrimType::Long) => b.cast(
                b.prim(PrimType::Int),
                b.bin(BinOp::BitXor, v.clone(), b.bin(BinOp::UShr, v, b.int(32))),
            ),
            Some(PrimType::Float) => b.call(Some(b.name("Float")), "floatToIntBits", vec![v]),
            Some(PrimType::Double) => b.call(Some(b.name("Double")), "hashCode", vec![v]),
            None => b.cond(
                b.bin(BinOp::Eq, v.clone(), b.lit(Literal::Null)),
                b.int(0),
                b.call(Some(v), "hashCode", Vec::new()),
            ),
        };
        h = Some(match h {
            None => hv,
            Some(a) => b.bin(BinOp::Add, b.bin(BinOp::Mul, a, b.int(31)), hv),
        });
    }
    b.method(
        b.mods(true, false, false, false),
        Some(b.prim(PrimType::Int)),
        "hashCode",
        Vec::new(),
        vec![b.ret(h.unwrap_or_else(|| b.int(0)))],
    )
}
