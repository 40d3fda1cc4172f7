//! End-to-end interpreter tests on hand-assembled programs. Expected outputs were
//! checked against `java --source 17` on equivalent Java programs.

mod common;

use common::*;
use semeru_gc::{ElemKind, HeapConfig};
use semeru_stdlib::builtins::*;
use semeru_stdlib::natives::Native;
use semeru_vm::insn::*;
use semeru_vm::program::RetKind;

fn nat(n: Native, p: u16, r: u16) -> Insn {
    Insn::CallNative {
        n: Nat(n as u16),
        p: P(p),
        r: R(r),
    }
}

#[test]
fn int_and_long_arithmetic_follow_java() {
    let mut b = Builder::new();
    let kmin = b.konst(i64::MIN as u64);
    let kneg = b.konst(-1i64 as u64);
    let nan = b.konst(f64::NAN.to_bits());
    let big = b.konst(1e10f64.to_bits());
    let mut code = vec![
        Insn::IConst {
            d: P(0),
            v: i32::MIN,
        },
        Insn::IConst { d: P(1), v: -1 },
        Insn::IDiv {
            d: P(2),
            a: P(0),
            b: P(1),
        },
    ];
    code.extend(println_int(2, 10, 1));
    code.push(Insn::IRem {
        d: P(2),
        a: P(0),
        b: P(1),
    });
    code.extend(println_int(2, 10, 1));
    code.extend([
        Insn::IConst { d: P(3), v: 1 },
        Insn::IConst { d: P(4), v: 33 },
        Insn::IShl {
            d: P(2),
            a: P(3),
            b: P(4),
        },
    ]);
    code.extend(println_int(2, 10, 1));
    code.extend([
        Insn::IConst { d: P(4), v: 28 },
        Insn::IUShr {
            d: P(2),
            a: P(1),
            b: P(4),
        },
    ]);
    code.extend(println_int(2, 10, 1));
    code.extend([Insn::IShr {
        d: P(2),
        a: P(1),
        b: P(4),
    }]);
    code.extend(println_int(2, 10, 1));
    code.extend([
        Insn::KConst { d: P(5), k: nan },
        Insn::D2I { d: P(2), s: P(5) },
    ]);
    code.extend(println_int(2, 10, 1));
    code.extend([
        Insn::KConst { d: P(5), k: big },
        Insn::D2I { d: P(2), s: P(5) },
    ]);
    code.extend(println_int(2, 10, 1));
    code.extend([
        Insn::IConst { d: P(6), v: 200 },
        Insn::I2B { d: P(2), s: P(6) },
    ]);
    code.extend(println_int(2, 10, 1));
    code.extend([Insn::I2C { d: P(2), s: P(1) }]);
    code.extend(println_int(2, 10, 1));
    code.extend([
        Insn::KConst { d: P(5), k: nan },
        Insn::CmpD {
            d: P(2),
            a: P(5),
            b: P(5),
            c: Cond::Eq,
        },
    ]);
    code.extend(println_prim(Native::PrintlnZ, 2, 10, 1));
    code.extend([Insn::CmpD {
        d: P(2),
        a: P(5),
        b: P(5),
        c: Cond::Ne,
    }]);
    code.extend(println_prim(Native::PrintlnZ, 2, 10, 1));
    code.extend([
        Insn::KConst { d: P(7), k: kmin },
        Insn::KConst { d: P(8), k: kneg },
        Insn::LDiv {
            d: P(9),
            a: P(7),
            b: P(8),
        },
    ]);
    code.extend(println_prim(Native::PrintlnJ, 9, 10, 1));
    code.extend([
        Insn::IConst { d: P(4), v: 65 },
        Insn::LShl {
            d: P(9),
            a: P(8),
            b: P(4),
        },
    ]);
    code.extend(println_prim(Native::PrintlnJ, 9, 10, 1));
    code.extend([Insn::LUShr {
        d: P(9),
        a: P(8),
        b: P(4),
    }]);
    code.extend(println_prim(Native::PrintlnJ, 9, 10, 1));
    code.push(Insn::Ret {});
    b.main((12, 3), code);
    let o = b.run();
    assert_eq!(
        o.stdout,
        "-2147483648\n0\n2\n15\n-1\n0\n2147483647\n-56\n65535\nfalse\ntrue\n\
         -9223372036854775808\n-2\n9223372036854775807\n"
    );
    assert_eq!(o.exit, 0);
}

fn fib_program(n: i32) -> Builder {
    let mut b = Builder::new();
    let (cls, _) = b.class("Fib", OBJECT, &[]);
    // static int fib(int n) { if (n < 2) return n; return fib(n-1) + fib(n-2); }
    let fib = b.method(
        cls,
        "fib",
        "(I)I",
        true,
        (1, 0),
        RetKind::Prim,
        (4, 0),
        vec![],
    );
    let code = vec![
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
    ];
    b.set_code(fib, code);
    let mut main = vec![
        Insn::IConst { d: P(0), v: n },
        Insn::CallStatic {
            m: Meth(fib),
            p: P(0),
            r: R(1),
        },
    ];
    main.extend(println_int(0, 1, 1));
    main.push(Insn::Ret {});
    b.main((3, 3), main);
    b
}

#[test]
fn recursion_computes_fib() {
    let o = fib_program(20).run();
    assert_eq!(o.stdout, "6765\n");
}

#[test]
fn virtual_dispatch_and_fields() {
    let mut b = Builder::new();
    let (a, offs) = b.class("A", OBJECT, &[ElemKind::Int, ElemKind::Ref]);
    let af = b.method(
        a,
        "f",
        "()I",
        false,
        (0, 1),
        RetKind::Prim,
        (1, 1),
        vec![
            Insn::Get32 {
                d: P(0),
                o: R(0),
                off: Off(offs[0]),
            },
            Insn::RetP { s: P(0) },
        ],
    );
    let slot = b.virt(a, af, None);
    let (bc, _) = b.class("B", a, &[ElemKind::Long]);
    let bf = b.method(
        bc,
        "f",
        "()I",
        false,
        (0, 1),
        RetKind::Prim,
        (2, 1),
        vec![
            Insn::Get32 {
                d: P(0),
                o: R(0),
                off: Off(offs[0]),
            },
            Insn::IConst { d: P(1), v: 100 },
            Insn::IMul {
                d: P(0),
                a: P(0),
                b: P(1),
            },
            Insn::RetP { s: P(0) },
        ],
    );
    b.virt(bc, bf, Some(slot as usize));
    let mut main = vec![
        Insn::New {
            d: R(1),
            c: Cls(a as u16),
        },
        Insn::IConst { d: P(0), v: 7 },
        Insn::Put32 {
            o: R(1),
            off: Off(offs[0]),
            s: P(0),
        },
        Insn::New {
            d: R(2),
            c: Cls(bc as u16),
        },
        Insn::IConst { d: P(0), v: 3 },
        Insn::Put32 {
            o: R(2),
            off: Off(offs[0]),
            s: P(0),
        },
        Insn::PutR {
            o: R(2),
            off: Off(offs[1]),
            s: R(1),
        },
        Insn::MovR { d: R(3), s: R(1) },
        Insn::CallVirtual {
            v: VSlot(slot),
            p: P(1),
            r: R(3),
        },
    ];
    main.extend(println_int(1, 2, 4));
    main.extend([
        Insn::GetR {
            d: R(3),
            o: R(2),
            off: Off(offs[1]),
        },
        Insn::CallVirtual {
            v: VSlot(slot),
            p: P(1),
            r: R(3),
        },
    ]);
    main.extend(println_int(1, 2, 4));
    main.extend([
        Insn::MovR { d: R(3), s: R(2) },
        Insn::CallVirtual {
            v: VSlot(slot),
            p: P(1),
            r: R(3),
        },
    ]);
    main.extend(println_int(1, 2, 4));
    main.extend([Insn::InstanceOf {
        d: P(1),
        o: R(1),
        c: Cls(bc as u16),
    }]);
    main.extend(println_prim(Native::PrintlnZ, 1, 2, 4));
    main.extend([Insn::InstanceOf {
        d: P(1),
        o: R(2),
        c: Cls(a as u16),
    }]);
    main.extend(println_prim(Native::PrintlnZ, 1, 2, 4));
    main.push(Insn::CheckCast {
        o: R(1),
        c: Cls(bc as u16),
    });
    main.push(Insn::Ret {});
    b.main((4, 6), main);
    let o = b.run();
    assert_eq!(o.stdout, "7\n7\n300\nfalse\ntrue\n");
    assert_eq!(o.exit, 1);
    assert!(
        o.stderr
            .starts_with("Exception in thread \"main\" java.lang.ClassCastException: class A cannot be cast to class B\n\tat Main.main(Main.sem:"),
        "{}",
        o.stderr
    );
}

#[test]
fn division_by_zero_reports_like_java() {
    let mut b = Builder::new();
    let mut code = vec![Insn::IConst { d: P(0), v: 5 }];
    code.extend(println_int(0, 2, 1));
    code.extend([
        Insn::IConst { d: P(1), v: 0 },
        Insn::IDiv {
            d: P(0),
            a: P(0),
            b: P(1),
        },
        Insn::Ret {},
    ]);
    b.main((3, 3), code);
    let o = b.run();
    assert_eq!(o.stdout, "5\n");
    assert_eq!(
        o.stderr,
        "Exception in thread \"main\" java.lang.ArithmeticException: / by zero\n\tat Main.main(Main.sem:15)\n"
    );
    assert_eq!(o.exit, 1);
}

#[test]
fn arrays_and_their_exceptions() {
    let mut b = Builder::new();
    let mut code = vec![
        Insn::IConst { d: P(0), v: 4 },
        Insn::NewArray {
            d: R(1),
            len: P(0),
            c: Cls(INT_ARRAY as u16),
        },
        Insn::IConst { d: P(1), v: 3 },
        Insn::IConst { d: P(2), v: 42 },
        Insn::AStore32 {
            a: R(1),
            i: P(1),
            s: P(2),
        },
        Insn::ALoad32 {
            d: P(3),
            a: R(1),
            i: P(1),
        },
        Insn::ALen { d: P(4), a: R(1) },
        Insn::IAdd {
            d: P(3),
            a: P(3),
            b: P(4),
        },
    ];
    code.extend(println_int(3, 5, 2));
    code.extend([
        Insn::AStore32 {
            a: R(1),
            i: P(0),
            s: P(2),
        },
        Insn::Ret {},
    ]);
    b.main((6, 4), code);
    let o = b.run();
    assert_eq!(o.stdout, "46\n");
    assert!(o.stderr.starts_with(
        "Exception in thread \"main\" java.lang.ArrayIndexOutOfBoundsException: Index 4 out of bounds for length 4\n"
    ));

    let mut b = Builder::new();
    b.main(
        (1, 2),
        vec![
            Insn::IConst { d: P(0), v: -1 },
            Insn::NewArray {
                d: R(1),
                len: P(0),
                c: Cls(INT_ARRAY as u16),
            },
            Insn::Ret {},
        ],
    );
    let o = b.run();
    assert!(o
        .stderr
        .starts_with("Exception in thread \"main\" java.lang.NegativeArraySizeException: -1\n"));

    let mut b = Builder::new();
    b.main(
        (1, 2),
        vec![
            Insn::Null { d: R(1) },
            Insn::ALen { d: P(0), a: R(1) },
            Insn::Ret {},
        ],
    );
    let o = b.run();
    assert!(o
        .stderr
        .starts_with("Exception in thread \"main\" java.lang.NullPointerException\n"));
}

#[test]
fn array_store_checks_covariance() {
    let mut b = Builder::new();
    b.main(
        (1, 3),
        vec![
            Insn::IConst { d: P(0), v: 1 },
            Insn::NewArray {
                d: R(1),
                len: P(0),
                c: Cls(STRING_ARRAY as u16),
            },
            Insn::IConst { d: P(0), v: 0 },
            Insn::NewArray {
                d: R(2),
                len: P(0),
                c: Cls(INT_ARRAY as u16),
            },
            Insn::AStoreR {
                a: R(1),
                i: P(0),
                s: R(2),
            },
            Insn::Ret {},
        ],
    );
    let o = b.run();
    assert!(
        o.stderr
            .starts_with("Exception in thread \"main\" java.lang.ArrayStoreException: [I\n"),
        "{}",
        o.stderr
    );
}

#[test]
fn multi_arrays_nest() {
    let mut b = Builder::new();
    let ii = b.array_class("[[I", ElemKind::Ref, Some(INT_ARRAY));
    let mut code = vec![
        Insn::IConst { d: P(0), v: 3 },
        Insn::IConst { d: P(1), v: 5 },
        Insn::NewMultiArray {
            d: R(1),
            dims: P(0),
            n: 2,
            c: Cls(ii as u16),
        },
        Insn::IConst { d: P(2), v: 2 },
        Insn::ALoadR {
            d: R(2),
            a: R(1),
            i: P(2),
        },
        Insn::ALen { d: P(3), a: R(2) },
        Insn::InstanceOf {
            d: P(4),
            o: R(1),
            c: Cls(OBJECT_ARRAY as u16),
        },
        Insn::IAdd {
            d: P(3),
            a: P(3),
            b: P(4),
        },
    ];
    code.extend(println_int(3, 5, 3));
    code.push(Insn::Ret {});
    b.main((6, 5), code);
    assert_eq!(b.run().stdout, "6\n");
}

#[test]
fn deep_recursion_works_and_infinite_recursion_overflows() {
    let mut b = Builder::new();
    let (cls, _) = b.class("Rec", OBJECT, &[]);
    // static int down(int n) { return n == 0 ? 0 : 1 + down(n - 1); }
    let m = b.method(
        cls,
        "down",
        "(I)I",
        true,
        (1, 0),
        RetKind::Prim,
        (2, 0),
        vec![],
    );
    b.set_code(
        m,
        vec![
            Insn::BrIK {
                a: P(0),
                v: 0,
                c: Cond::Ne,
                t: Pc(2),
            },
            Insn::RetP { s: P(0) },
            Insn::IAddK {
                d: P(1),
                a: P(0),
                v: -1,
            },
            Insn::CallStatic {
                m: Meth(m),
                p: P(1),
                r: R(0),
            },
            Insn::IAddK {
                d: P(1),
                a: P(1),
                v: 1,
            },
            Insn::RetP { s: P(1) },
        ],
    );
    let mut main = vec![
        Insn::IConst { d: P(0), v: 12_000 },
        Insn::CallStatic {
            m: Meth(m),
            p: P(0),
            r: R(1),
        },
    ];
    main.extend(println_int(0, 1, 1));
    main.extend([
        Insn::IConst { d: P(0), v: -1 },
        Insn::CallStatic {
            m: Meth(m),
            p: P(0),
            r: R(1),
        },
        Insn::Ret {},
    ]);
    b.main((3, 3), main);
    let o = b.run();
    assert_eq!(o.stdout, "12000\n");
    assert!(o
        .stderr
        .starts_with("Exception in thread \"main\" java.lang.StackOverflowError\n\tat Rec.down(Main.sem:13)\n"), "{}", &o.stderr[..300]);
    assert_eq!(o.stderr.lines().count(), 1025);
    assert_eq!(o.exit, 1);
}

#[test]
fn out_of_memory_is_a_java_error() {
    let mut b = Builder::new();
    // Keep every array alive in a linked chain: Object[] { prev }.
    b.main(
        (2, 3),
        vec![
            Insn::IConst { d: P(0), v: 1000 },
            Insn::IConst { d: P(1), v: 0 },
            Insn::NewArray {
                d: R(2),
                len: P(0),
                c: Cls(OBJECT_ARRAY as u16),
            },
            Insn::AStoreR {
                a: R(2),
                i: P(1),
                s: R(1),
            },
            Insn::MovR { d: R(1), s: R(2) },
            Insn::Jmp { t: Pc(2) },
        ],
    );
    let o = b.run_with(
        HeapConfig {
            heap_bytes: 2 << 20,
            young_bytes: 1 << 20,
            ..HeapConfig::default()
        },
        &[],
    );
    assert!(
        o.stderr.starts_with(
            "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n"
        ),
        "{}",
        o.stderr
    );
    assert_eq!(o.exit, 1);
}

#[test]
fn static_initializers_run_superclass_first_once() {
    let mut b = Builder::new();
    let (a, _) = b.class("A", OBJECT, &[]);
    let (bc, _) = b.class("B", a, &[]);
    b.p.static_p = 1;
    let s1 = b.string("A init");
    let s2 = b.string("B init");
    let mut ai = vec![Insn::SConst { d: R(0), k: s1 }];
    ai.extend(println_str(0, 0, 1));
    ai.push(Insn::Ret {});
    let am = b.method(
        a,
        "<clinit>",
        "()V",
        true,
        (0, 0),
        RetKind::Void,
        (1, 3),
        ai,
    );
    let mut bi = vec![Insn::SConst { d: R(0), k: s2 }];
    bi.extend(println_str(0, 0, 1));
    bi.extend([
        Insn::IConst { d: P(0), v: 9 },
        Insn::PutStaticP { s: St(0), v: P(0) },
        Insn::Ret {},
    ]);
    let bm = b.method(
        bc,
        "<clinit>",
        "()V",
        true,
        (0, 0),
        RetKind::Void,
        (1, 3),
        bi,
    );
    b.p.classes[a as usize].clinit = Some(semeru_vm::program::MethodId(am));
    b.p.classes[bc as usize].clinit = Some(semeru_vm::program::MethodId(bm));
    let mut main = vec![
        Insn::InitClass { c: Cls(bc as u16) },
        Insn::InitClass { c: Cls(bc as u16) },
        Insn::GetStaticP { d: P(0), s: St(0) },
    ];
    main.extend(println_int(0, 1, 1));
    main.push(Insn::Ret {});
    b.main((2, 3), main);
    assert_eq!(b.run().stdout, "A init\nB init\n9\n");
}

#[test]
fn args_reach_main_and_exit_code_is_kept() {
    let mut b = Builder::new();
    let mut code = vec![Insn::ALen { d: P(0), a: R(0) }];
    code.extend(println_int(0, 1, 1));
    code.extend([
        Insn::IConst { d: P(2), v: 1 },
        Insn::ALoadR {
            d: R(3),
            a: R(0),
            i: P(2),
        },
    ]);
    code.extend(println_str(3, 1, 1));
    code.extend([
        Insn::IConst { d: P(1), v: 42 },
        nat(Native::SystemExit, 1, 0),
        Insn::Ret {},
    ]);
    b.main((3, 4), code);
    let o = b.run_with(
        HeapConfig {
            heap_bytes: 4 << 20,
            young_bytes: 1 << 20,
            ..HeapConfig::default()
        },
        &["a", "héllo"],
    );
    assert_eq!(o.stdout, "2\nhéllo\n");
    assert_eq!(o.exit, 42);
}

#[test]
fn switch_tables_dispatch() {
    use semeru_vm::program::SwitchTable;
    let mut b = Builder::new();
    let mut code = vec![
        Insn::IConst { d: P(0), v: 0 },
        // loop: switch (i) { case 1: x=10; case 2: x=20; case 100: x=30; default: x=-1 }
        Insn::Switch {
            s: P(0),
            tbl: Tbl(0),
        },
        Insn::IConst { d: P(1), v: 10 },
        Insn::Jmp { t: Pc(9) },
        Insn::IConst { d: P(1), v: 20 },
        Insn::Jmp { t: Pc(9) },
        Insn::IConst { d: P(1), v: -1 },
        Insn::Jmp { t: Pc(9) },
        Insn::Nop {},
    ];
    code.extend(println_int(1, 3, 1));
    // pc 12
    code.extend([
        Insn::IAddK {
            d: P(0),
            a: P(0),
            v: 1,
        },
        Insn::BrIK {
            a: P(0),
            v: 4,
            c: Cond::Lt,
            t: Pc(1),
        },
        Insn::Ret {},
    ]);
    let m = b.main((4, 3), code);
    b.code_mut(m).switches.push(SwitchTable::Dense {
        low: 1,
        targets: vec![Pc(2), Pc(4)],
        default: Pc(6),
    });
    assert_eq!(b.run().stdout, "-1\n10\n20\n-1\n");
}

#[test]
fn object_to_string_calls_an_overridden_hash_code() {
    let mut b = Builder::new();
    let (a, _) = b.class("Main$Point", OBJECT, &[]);
    let h = b.method(
        a,
        "hashCode",
        "()I",
        false,
        (0, 1),
        RetKind::Prim,
        (1, 1),
        vec![Insn::IConst { d: P(0), v: 255 }, Insn::RetP { s: P(0) }],
    );
    b.virt(a, h, Some(0));
    let mut code = vec![
        Insn::New {
            d: R(1),
            c: Cls(a as u16),
        },
        Insn::MovR { d: R(2), s: R(1) },
        Insn::CallVirtual {
            v: VSlot(2),
            p: P(0),
            r: R(2),
        },
    ];
    code.extend(println_str(2, 0, 3));
    code.push(Insn::Ret {});
    b.main((1, 5), code);
    assert_eq!(b.run().stdout, "Main$Point@ff\n");
}

#[test]
fn verifier_rejects_out_of_range_registers() {
    let mut b = Builder::new();
    b.main((1, 1), vec![Insn::IConst { d: P(3), v: 1 }, Insn::Ret {}]);
    let e = semeru_vm::Vm::new(b.p, HeapConfig::default())
        .err()
        .expect("rejected");
    assert!(e.0.contains("primitive register out of range"), "{e}");
}

#[test]
fn disassembly_lists_user_methods() {
    let b = fib_program(3);
    let text = semeru_vm::disassemble(&b.p);
    assert!(text.contains("class Fib"), "{text}");
    assert!(
        text.contains("static method #3 fib(I)I  [params p1 r0, regs p4 r0]"),
        "{text}"
    );
    assert!(
        text.contains("CallStatic    m=method#3, p=p2, r=r0"),
        "{text}"
    );
}

#[test]
fn exception_in_static_initializer_is_wrapped() {
    let mut b = Builder::new();
    let (a, _) = b.class("Main$A", OBJECT, &[]);
    let init = b.method(
        a,
        "<clinit>",
        "()V",
        true,
        (0, 0),
        RetKind::Void,
        (2, 0),
        vec![
            Insn::IConst { d: P(0), v: 5 },
            Insn::IConst { d: P(1), v: 0 },
            Insn::IDiv {
                d: P(0),
                a: P(0),
                b: P(1),
            },
            Insn::Ret {},
        ],
    );
    b.p.classes[a as usize].clinit = Some(semeru_vm::program::MethodId(init));
    b.main(
        (1, 1),
        vec![Insn::InitClass { c: Cls(a as u16) }, Insn::Ret {}],
    );
    let o = b.run();
    assert_eq!(
        o.stderr.lines().take(2).collect::<Vec<_>>(),
        [
            "Exception in thread \"main\" java.lang.ExceptionInInitializerError",
            "Caused by: java.lang.ArithmeticException: / by zero"
        ]
    );
    assert_eq!(o.exit, 1);
}

#[test]
fn handlers_catch_by_class_across_frames() {
    use semeru_vm::program::Handler;
    let mut b = Builder::new();
    let (cls, _) = b.class("T", OBJECT, &[]);
    // static int div(int a, int b) { return a / b; }
    let div = b.method(
        cls,
        "div",
        "(II)I",
        true,
        (2, 0),
        RetKind::Prim,
        (2, 0),
        vec![
            Insn::IDiv {
                d: P(0),
                a: P(0),
                b: P(1),
            },
            Insn::RetP { s: P(0) },
        ],
    );
    let caught = b.string("caught");
    let mut code = vec![
        Insn::IConst { d: P(0), v: 7 },
        Insn::IConst { d: P(1), v: 0 },
        // try { div(7, 0) } catch (NegativeArraySizeException) {} (inner, no match)
        // catch (ArithmeticException e) { println("caught"); println(e == e) }
        Insn::CallStatic {
            m: Meth(div),
            p: P(0),
            r: R(1),
        },
        Insn::Ret {},
        // handler @4
        Insn::SConst { d: R(2), k: caught },
    ];
    code.extend(println_str(2, 2, 3));
    code.extend([Insn::InstanceOf {
        d: P(0),
        o: R(1),
        c: Cls(ARITHMETIC_EXCEPTION as u16),
    }]);
    code.extend(println_prim(Native::PrintlnZ, 0, 2, 3));
    // rethrow: uncaught now
    code.extend([Insn::Throw { s: R(1) }]);
    let m = b.main((3, 5), code);
    b.code_mut(m).handlers = vec![
        Handler {
            start: Pc(2),
            end: Pc(3),
            target: Pc(3),
            class: Some(semeru_gc::ClassId(NEGATIVE_ARRAY_SIZE_EXCEPTION)),
            reg: R(1),
        },
        Handler {
            start: Pc(0),
            end: Pc(4),
            target: Pc(4),
            class: Some(semeru_gc::ClassId(RUNTIME_EXCEPTION)),
            reg: R(1),
        },
    ];
    let o = b.run();
    assert_eq!(o.stdout, "caught\ntrue\n");
    assert!(o
        .stderr
        .starts_with("Exception in thread \"main\" java.lang.ArithmeticException: / by zero\n"));
    assert_eq!(o.exit, 1);
}

#[test]
fn huge_arrays_are_out_of_memory_errors() {
    for (len, msg) in [
        (i32::MAX, "Requested array size exceeds VM limit"),
        (i32::MAX - 2, "Java heap space"),
        (1 << 28, "Java heap space"),
    ] {
        let mut b = Builder::new();
        b.main(
            (1, 2),
            vec![
                Insn::IConst { d: P(0), v: len },
                Insn::NewArray {
                    d: R(1),
                    len: P(0),
                    c: Cls(LONG_ARRAY as u16),
                },
                Insn::Ret {},
            ],
        );
        let o = b.run();
        assert_eq!(
            o.stderr.lines().next(),
            Some(
                format!("Exception in thread \"main\" java.lang.OutOfMemoryError: {msg}").as_str()
            )
        );
    }
}
