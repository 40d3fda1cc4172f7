//! Rough interpreter speed checks (run with `--release -- --ignored --nocapture`).

mod common;

use common::*;
use semeru_stdlib::builtins::OBJECT;
use semeru_vm::insn::*;
use semeru_vm::program::RetKind;
use std::time::Instant;

#[test]
#[ignore]
fn loop_and_calls_speed() {
    // int s = 0; for (int i = 0; i < 200_000_000; i++) s += i ^ (s >> 3); println(s)
    let mut b = Builder::new();
    let k = b.konst(200_000_000);
    let mut code = vec![
        Insn::IConst { d: P(0), v: 0 },
        Insn::IConst { d: P(1), v: 0 },
        Insn::KConst { d: P(2), k },
        Insn::IConst { d: P(4), v: 3 },
        Insn::BrI {
            a: P(1),
            b: P(2),
            c: Cond::Ge,
            t: Pc(10),
        },
        Insn::IShr {
            d: P(3),
            a: P(0),
            b: P(4),
        },
        Insn::IXor {
            d: P(3),
            a: P(1),
            b: P(3),
        },
        Insn::IAdd {
            d: P(0),
            a: P(0),
            b: P(3),
        },
        Insn::IAddK {
            d: P(1),
            a: P(1),
            v: 1,
        },
        Insn::Jmp { t: Pc(4) },
    ];
    code.extend(println_int(0, 5, 1));
    code.push(Insn::Ret {});
    b.main((6, 3), code);
    let t = Instant::now();
    let o = b.run();
    eprintln!("loop 200M: {:?} -> {}", t.elapsed(), o.stdout.trim());

    let mut b = Builder::new();
    let (cls, _) = b.class("Fib", OBJECT, &[]);
    let fib = b.method(
        cls,
        "fib",
        "(I)I",
        true,
        (1, 0),
        RetKind::Prim,
        (3, 0),
        vec![],
    );
    b.set_code(
        fib,
        vec![
            Insn::BrIK {
                a: P(0),
                v: 2,
                c: Cond::Ge,
                t: Pc(2),
            },
            Insn::RetP { s: P(0) },
            Insn::IAddK {
                d: P(2),
                a: P(0),
                v: -1,
            },
            Insn::CallStatic {
                m: Meth(fib),
                p: P(2),
                r: R(0),
            },
            Insn::MovP { d: P(1), s: P(2) },
            Insn::IAddK {
                d: P(2),
                a: P(0),
                v: -2,
            },
            Insn::CallStatic {
                m: Meth(fib),
                p: P(2),
                r: R(0),
            },
            Insn::IAdd {
                d: P(1),
                a: P(1),
                b: P(2),
            },
            Insn::RetP { s: P(1) },
        ],
    );
    let mut main = vec![
        Insn::IConst { d: P(0), v: 32 },
        Insn::CallStatic {
            m: Meth(fib),
            p: P(0),
            r: R(1),
        },
    ];
    main.extend(println_int(0, 1, 1));
    main.push(Insn::Ret {});
    b.main((3, 3), main);
    let t = Instant::now();
    let o = b.run();
    eprintln!("fib(32): {:?} -> {}", t.elapsed(), o.stdout.trim());
}
