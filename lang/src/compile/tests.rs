//! Unit tests of the whole compiler on hand-built syntax trees, run on the VM.

use super::compile;
use crate::ast::*;
use crate::diag::Span;
use semeru_gc::HeapConfig;
use semeru_vm::Vm;

fn sp() -> Span {
    Span::default()
}
fn id(n: &str) -> Ident {
    Ident {
        name: n.into(),
        span: sp(),
    }
}
fn e(kind: ExprKind) -> Expr {
    Expr { kind, span: sp() }
}
fn s(kind: StmtKind) -> Stmt {
    Stmt { kind, span: sp() }
}
fn int(v: u64) -> Expr {
    e(ExprKind::Lit(Literal::Int(v)))
}
fn str_(v: &str) -> Expr {
    e(ExprKind::Lit(Literal::Str(v.into())))
}
fn name(n: &str) -> Expr {
    e(ExprKind::Name(id(n)))
}
fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    e(ExprKind::Binary {
        op,
        lhs: Box::new(a),
        rhs: Box::new(b),
    })
}
fn named(n: &str) -> TypeExpr {
    TypeExpr {
        kind: TypeExprKind::Named {
            path: vec![id(n)],
            args: vec![vec![]],
        },
        span: sp(),
    }
}
fn prim(p: PrimType) -> TypeExpr {
    TypeExpr {
        kind: TypeExprKind::Prim(p),
        span: sp(),
    }
}
fn println(arg: Expr) -> Stmt {
    let out = e(ExprKind::Field {
        target: Box::new(name("System")),
        name: id("out"),
    });
    s(StmtKind::Expr(e(ExprKind::Call {
        target: Some(Box::new(out)),
        name: id("println"),
        type_args: vec![],
        args: vec![arg],
    })))
}
fn local(t: TypeExpr, n: &str, init: Expr) -> Stmt {
    s(StmtKind::LocalVar {
        modifiers: Modifiers::default(),
        ty: t,
        declarators: vec![Declarator {
            name: id(n),
            extra_dims: 0,
            init: Some(init),
        }],
    })
}
fn block(stmts: Vec<Stmt>) -> Block {
    Block { stmts, span: sp() }
}
fn main_class(body: Vec<Stmt>, extra: Vec<Member>) -> CompilationUnit {
    let main = MethodDecl {
        modifiers: Modifiers {
            public: true,
            static_: true,
            ..Modifiers::default()
        },
        type_params: vec![],
        ret: None,
        name: id("main"),
        params: vec![Param {
            modifiers: Modifiers::default(),
            ty: TypeExpr {
                kind: TypeExprKind::Array(Box::new(named("String"))),
                span: sp(),
            },
            name: id("args"),
            varargs: false,
        }],
        throws: vec![],
        body: Some(block(body)),
        span: sp(),
    };
    let mut members = vec![Member::Method(main)];
    members.extend(extra);
    CompilationUnit {
        imports: vec![],
        classes: vec![ClassDecl {
            kind: ClassKind::Class,
            modifiers: Modifiers::default(),
            name: id("Main"),
            type_params: vec![],
            extends: None,
            implements: vec![],
            members,
            span: sp(),
            enum_constants: vec![],
            record_components: vec![],
        }],
    }
}

fn run(unit: &CompilationUnit) -> String {
    let p = match compile("Main.sem", unit) {
        Ok(p) => p,
        Err(d) => panic!("{d:?}"),
    };
    let mut vm = Vm::new(p, HeapConfig::default()).expect("load");
    vm.capture_output();
    let code = vm.run_main(&[]).expect("run");
    let out = vm.take_output().expect("captured");
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn hello_concat_and_arithmetic() {
    let u = main_class(
        vec![
            println(bin(BinOp::Add, str_("Hello "), int(42))),
            local(prim(PrimType::Int), "x", int(7)),
            local(
                prim(PrimType::Int),
                "y",
                bin(BinOp::Mul, name("x"), bin(BinOp::Add, name("x"), int(1))),
            ),
            println(name("y")),
            println(bin(
                BinOp::Add,
                bin(BinOp::Add, str_("y="), name("y")),
                e(ExprKind::Lit(Literal::Char(b'!' as u16))),
            )),
            println(bin(
                BinOp::Div,
                e(ExprKind::Lit(Literal::Double(1.0))),
                name("x"),
            )),
        ],
        vec![],
    );
    assert_eq!(run(&u), "Hello 42\n56\ny=56!\n0.14285714285714285\n");
}

#[test]
fn while_loop_and_static_call() {
    // static int sq(int a) { return a * a; }
    let sq = MethodDecl {
        modifiers: Modifiers {
            static_: true,
            ..Modifiers::default()
        },
        type_params: vec![],
        ret: Some(prim(PrimType::Int)),
        name: id("sq"),
        params: vec![Param {
            modifiers: Modifiers::default(),
            ty: prim(PrimType::Int),
            name: id("a"),
            varargs: false,
        }],
        throws: vec![],
        body: Some(block(vec![s(StmtKind::Return(Some(bin(
            BinOp::Mul,
            name("a"),
            name("a"),
        ))))])),
        span: sp(),
    };
    let call = |a: Expr| {
        e(ExprKind::Call {
            target: None,
            name: id("sq"),
            type_args: vec![],
            args: vec![a],
        })
    };
    let u = main_class(
        vec![
            local(prim(PrimType::Int), "i", int(0)),
            local(prim(PrimType::Long), "sum", int(0)),
            s(StmtKind::While {
                cond: bin(BinOp::Lt, name("i"), int(10)),
                body: Box::new(s(StmtKind::Block(block(vec![
                    s(StmtKind::Expr(e(ExprKind::Assign {
                        op: Some(BinOp::Add),
                        lhs: Box::new(name("sum")),
                        rhs: Box::new(call(name("i"))),
                    }))),
                    s(StmtKind::Expr(e(ExprKind::Unary {
                        op: UnOp::PostInc,
                        expr: Box::new(name("i")),
                    }))),
                ])))),
            }),
            println(name("sum")),
        ],
        vec![Member::Method(sq)],
    );
    assert_eq!(run(&u), "285\n");
}

#[test]
fn missing_main_is_reported() {
    let mut u = main_class(vec![], vec![]);
    if let Member::Method(m) = &mut u.classes[0].members[0] {
        m.name = id("notmain");
    }
    let err = compile("Main.sem", &u).unwrap_err();
    assert!(
        err[0].message.contains("can't find main(String[])"),
        "{err:?}"
    );
}
