//! GC safety: allocation-heavy programs holding references only in registers,
//! statics and natives' handles, run under `--gc-stress --verify-heap` settings.

mod common;

use common::*;
use semeru_gc::{ElemKind, HeapConfig};
use semeru_stdlib::builtins::*;
use semeru_stdlib::natives::Native;
use semeru_vm::insn::*;

fn stress_heap() -> HeapConfig {
    HeapConfig {
        heap_bytes: 4 << 20,
        young_bytes: 1 << 20,
        stress: true,
        verify: true,
        ..HeapConfig::default()
    }
}

#[test]
fn linked_list_survives_collections() {
    let mut b = Builder::new();
    let (node, offs) = b.class("Node", OBJECT, &[ElemKind::Ref, ElemKind::Int]);
    let (next, val) = (Off(offs[0]), Off(offs[1]));
    b.p.static_r = 1;
    let sep = b.string(",");
    let text = b.string("a,b,,c");
    let n = 3000;
    let mut code = vec![
        Insn::IConst { d: P(0), v: 0 },
        Insn::IConst { d: P(1), v: n },
        Insn::Null { d: R(1) },
        // loop @3: node = new Node; node.val = i; node.next = head; head = node
        Insn::BrI {
            a: P(0),
            b: P(1),
            c: Cond::Ge,
            t: Pc(17),
        },
        Insn::New {
            d: R(2),
            c: Cls(node as u16),
        },
        Insn::Put32 {
            o: R(2),
            off: val,
            s: P(0),
        },
        Insn::PutR {
            o: R(2),
            off: next,
            s: R(1),
        },
        Insn::MovR { d: R(1), s: R(2) },
        // garbage: new int[20]; keep one in a static
        Insn::IConst { d: P(2), v: 20 },
        Insn::NewArray {
            d: R(3),
            len: P(2),
            c: Cls(INT_ARRAY as u16),
        },
        Insn::PutStaticR { s: St(0), v: R(3) },
        // a split (several allocations inside one native)
        Insn::SConst { d: R(4), k: text },
        Insn::SConst { d: R(5), k: sep },
        Insn::CallNative {
            n: Nat(Native::StrSplit as u16),
            p: P(3),
            r: R(4),
        },
        Insn::ALen { d: P(3), a: R(4) },
        Insn::IAddK {
            d: P(0),
            a: P(0),
            v: 1,
        },
        Insn::Jmp { t: Pc(3) },
        // @17: sum the list
        Insn::IConst { d: P(0), v: 0 },
        Insn::BrNull { a: R(1), t: Pc(22) },
        Insn::Get32 {
            d: P(2),
            o: R(1),
            off: val,
        },
        Insn::IAdd {
            d: P(0),
            a: P(0),
            b: P(2),
        },
        Insn::GetR {
            d: R(1),
            o: R(1),
            off: next,
        },
        // @22
    ];
    code.insert(22, Insn::Jmp { t: Pc(18) });
    code.extend(println_int(0, 4, 6));
    code.extend([
        Insn::GetStaticR { d: R(2), s: St(0) },
        Insn::ALen { d: P(0), a: R(2) },
    ]);
    code.extend(println_int(0, 4, 6));
    code.push(Insn::Ret {});
    // Fix the exit branch of the sum loop (after inserting the back jump).
    code[18] = Insn::BrNull { a: R(1), t: Pc(23) };
    b.main((6, 8), code);
    let o = b.run_with(stress_heap(), &[]);
    assert_eq!(o.stderr, "");
    assert_eq!(o.stdout, format!("{}\n20\n", n * (n - 1) / 2));
}

#[test]
fn deep_frames_hold_roots_across_collections() {
    // static Node build(int n) { if (n == 0) return null; Node x = new Node();
    //   x.next = build(n - 1); x.val = n; return x; }
    let mut b = Builder::new();
    let (node, offs) = b.class("Node", OBJECT, &[ElemKind::Ref, ElemKind::Int]);
    let (next, val) = (Off(offs[0]), Off(offs[1]));
    let (cls, _) = b.class("Build", OBJECT, &[]);
    let m = b.method(
        cls,
        "build",
        "(I)LNode;",
        true,
        (1, 0),
        semeru_vm::program::RetKind::Ref,
        (3, 2),
        vec![],
    );
    b.set_code(
        m,
        vec![
            Insn::BrIK {
                a: P(0),
                v: 0,
                c: Cond::Ne,
                t: Pc(3),
            },
            Insn::Null { d: R(0) },
            Insn::RetR { s: R(0) },
            Insn::New {
                d: R(0),
                c: Cls(node as u16),
            },
            Insn::IAddK {
                d: P(1),
                a: P(0),
                v: -1,
            },
            Insn::CallStatic {
                m: Meth(m),
                p: P(1),
                r: R(1),
            },
            Insn::PutR {
                o: R(0),
                off: next,
                s: R(1),
            },
            Insn::Put32 {
                o: R(0),
                off: val,
                s: P(0),
            },
            // garbage to force collections while frames are live
            Insn::IConst { d: P(2), v: 50 },
            Insn::NewArray {
                d: R(1),
                len: P(2),
                c: Cls(LONG_ARRAY as u16),
            },
            Insn::RetR { s: R(0) },
        ],
    );
    let mut code = vec![
        Insn::IConst { d: P(0), v: 2000 },
        Insn::CallStatic {
            m: Meth(m),
            p: P(0),
            r: R(1),
        },
        Insn::IConst { d: P(0), v: 0 },
        Insn::BrNull { a: R(1), t: Pc(8) },
        Insn::Get32 {
            d: P(2),
            o: R(1),
            off: val,
        },
        Insn::IAdd {
            d: P(0),
            a: P(0),
            b: P(2),
        },
        Insn::GetR {
            d: R(1),
            o: R(1),
            off: next,
        },
        Insn::Jmp { t: Pc(3) },
    ];
    code.extend(println_int(0, 3, 2));
    code.push(Insn::Ret {});
    b.main((4, 4), code);
    let o = b.run_with(stress_heap(), &[]);
    assert_eq!(o.stderr, "");
    assert_eq!(o.stdout, "2001000\n");
}

/// `static int[] make(int n) { return new int[n]; }`: a callee whose register
/// window (one reference register) ends below its caller's.
fn small_window_maker(b: &mut Builder) -> u16 {
    let (cls, _) = b.class("Maker", OBJECT, &[]);
    let m = b.method(
        cls,
        "make",
        "(I)[I",
        true,
        (1, 0),
        semeru_vm::program::RetKind::Ref,
        (1, 1),
        vec![],
    );
    b.set_code(
        m,
        vec![
            Insn::NewArray {
                d: R(0),
                len: P(0),
                c: Cls(INT_ARRAY as u16),
            },
            Insn::RetR { s: R(0) },
        ],
    );
    m
}

#[test]
fn caller_registers_above_a_callee_window_do_not_go_stale() {
    // Regression: the root scan covers registers [0, top), and a call sets top to
    // the callee's window end, which may lie below the caller's. A dead
    // reference left in such a caller register missed the collections run
    // while the callee ran, then came back into [0, top) dangling when the
    // callee returned ("heap corrupt: no object header" in the next scavenge).
    //
    // for (i = 0; i < n; i++) {
    //     r3 = new int[3]; sum += r3.length; r1 = new int[3]; r1 = make(4); sum += r1.length;
    // }
    // (The second allocation moves r3's array to a survivor space, so the stale
    // r3 cannot alias a fresh eden object.)
    let mut b = Builder::new();
    let make = small_window_maker(&mut b);
    let n = 3000;
    let mut code = vec![
        Insn::IConst { d: P(0), v: 0 }, // i
        Insn::IConst { d: P(2), v: 0 }, // sum
        // @2
        Insn::BrIK {
            a: P(0),
            v: n,
            c: Cond::Ge,
            t: Pc(14),
        },
        Insn::IConst { d: P(1), v: 3 },
        Insn::NewArray {
            d: R(3),
            len: P(1),
            c: Cls(INT_ARRAY as u16),
        },
        Insn::ALen { d: P(3), a: R(3) },
        Insn::IAdd {
            d: P(2),
            a: P(2),
            b: P(3),
        },
        Insn::NewArray {
            d: R(1),
            len: P(1),
            c: Cls(INT_ARRAY as u16),
        },
        Insn::IConst { d: P(1), v: 4 },
        // make's window is r1..r2: r3 lies above it while make allocates.
        Insn::CallStatic {
            m: Meth(make),
            p: P(1),
            r: R(1),
        },
        Insn::ALen { d: P(3), a: R(1) },
        Insn::IAdd {
            d: P(2),
            a: P(2),
            b: P(3),
        },
        Insn::IAddK {
            d: P(0),
            a: P(0),
            v: 1,
        },
        Insn::Jmp { t: Pc(2) },
    ];
    // @14
    code.extend(println_int(2, 4, 4));
    code.push(Insn::Ret {});
    b.main((5, 6), code);
    let o = b.run_with(stress_heap(), &[]);
    assert_eq!(o.stderr, "");
    assert_eq!(o.stdout, format!("{}\n", 7 * n));
}

#[test]
fn a_caught_exception_leaves_no_stale_registers() {
    // Like a return, an exception unwinding a narrow callee into a wider caller
    // brings the caller's registers above the callee's window back into the
    // root scan; they must not have missed the callee's collections.
    //
    // static void thrower() { throw new RuntimeException(); }   // window r0
    // for (i = 0; i < n; i++) { r2..r5 = new int[2]; try { thrower(); } catch (e) {} new int[1]; }
    let mut b = Builder::new();
    let (cls, _) = b.class("Thrower", OBJECT, &[]);
    let t = b.method(
        cls,
        "thrower",
        "()V",
        true,
        (0, 0),
        semeru_vm::program::RetKind::Void,
        (0, 1),
        vec![
            Insn::New {
                d: R(0),
                c: Cls(RUNTIME_EXCEPTION as u16),
            },
            Insn::Throw { s: R(0) },
        ],
    );
    let n = 2000;
    let mut code = vec![
        Insn::IConst { d: P(0), v: 0 }, // i
        // @1
        Insn::BrIK {
            a: P(0),
            v: n,
            c: Cond::Ge,
            t: Pc(13),
        },
        Insn::IConst { d: P(1), v: 2 },
    ];
    for r in 2..6 {
        code.push(Insn::NewArray {
            d: R(r),
            len: P(1),
            c: Cls(INT_ARRAY as u16),
        });
    }
    code.extend([
        // @7: try { thrower() }: its window is r1 alone
        Insn::CallStatic {
            m: Meth(t),
            p: P(1),
            r: R(1),
        },
        Insn::Nop {},
        // @9: catch (RuntimeException e) -> r1; allocate in the caller
        Insn::IConst { d: P(1), v: 1 },
        Insn::NewArray {
            d: R(1),
            len: P(1),
            c: Cls(INT_ARRAY as u16),
        },
        Insn::IAddK {
            d: P(0),
            a: P(0),
            v: 1,
        },
        Insn::Jmp { t: Pc(1) },
    ]);
    // @13
    code.extend(println_int(0, 1, 1));
    code.push(Insn::Ret {});
    let m = b.main((2, 6), code);
    b.code_mut(m).handlers.push(semeru_vm::program::Handler {
        start: Pc(7),
        end: Pc(8),
        target: Pc(9),
        class: Some(semeru_gc::ClassId(RUNTIME_EXCEPTION)),
        reg: R(1),
    });
    let o = b.run_with(stress_heap(), &[]);
    assert_eq!(o.stderr, "");
    assert_eq!(o.stdout, format!("{n}\n"));
}
