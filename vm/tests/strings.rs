//! String, number and Math natives against outputs recorded from Java 17.

mod common;

use common::*;
use semeru_stdlib::natives::Native::{self, *};
use semeru_vm::insn::*;

/// Calls `n` with string (or null) reference args and primitive args, then prints
/// the result according to the descriptor's return type.
fn call(b: &mut Builder, code: &mut Vec<Insn>, n: Native, refs: &[Option<&str>], prims: &[u64]) {
    for (i, r) in refs.iter().enumerate() {
        let d = R(2 + i as u16);
        code.push(match r {
            Some(s) => Insn::SConst { d, k: b.string(s) },
            None => Insn::Null { d },
        });
    }
    for (i, v) in prims.iter().enumerate() {
        let k = b.konst(*v);
        code.push(Insn::KConst {
            d: P(2 + i as u16),
            k,
        });
    }
    code.push(Insn::CallNative {
        n: Nat(n as u16),
        p: P(2),
        r: R(2),
    });
    let desc = n.desc().desc;
    let ret = desc.rsplit(')').next().unwrap_or("V");
    let printer = match ret {
        "I" | "S" | "B" => Some(PrintlnI),
        "Z" => Some(PrintlnZ),
        "C" => Some(PrintlnC),
        "J" => Some(PrintlnJ),
        "D" => Some(PrintlnD),
        "F" => Some(PrintlnF),
        _ => None,
    };
    match (printer, ret) {
        (Some(pr), _) => code.extend(println_prim(pr, 2, 6, 6)),
        (None, "Ljava/lang/String;") => {
            // Print "[" + s + "]" so empty strings are visible.
            let l = b.string("[");
            let r = b.string("]");
            code.extend([
                Insn::SConst { d: R(6), k: l },
                Insn::MovR { d: R(7), s: R(2) },
                Insn::CallNative {
                    n: Nat(StrCat as u16),
                    p: P(6),
                    r: R(6),
                },
                Insn::SConst { d: R(7), k: r },
                Insn::CallNative {
                    n: Nat(StrCat as u16),
                    p: P(6),
                    r: R(6),
                },
                Insn::MovR { d: R(3), s: R(6) },
            ]);
            code.extend(println_str(3, 6, 6));
        }
        (None, "[Ljava/lang/String;") => {
            // for (i = 0; i < a.length; i++) println("[" + a[i] + "]")
            let l = b.string("<");
            let r = b.string(">");
            let start = code.len() as u16;
            code.extend([
                Insn::ALen { d: P(3), a: R(2) },
                Insn::IConst { d: P(4), v: 0 },
                // loop:
                Insn::BrI {
                    a: P(4),
                    b: P(3),
                    c: Cond::Ge,
                    t: Pc(start + 12),
                },
                Insn::ALoadR {
                    d: R(7),
                    a: R(2),
                    i: P(4),
                },
                Insn::SConst { d: R(6), k: l },
                Insn::CallNative {
                    n: Nat(StrCat as u16),
                    p: P(6),
                    r: R(6),
                },
                Insn::SConst { d: R(7), k: r },
                Insn::CallNative {
                    n: Nat(StrCat as u16),
                    p: P(6),
                    r: R(6),
                },
                Insn::MovR { d: R(3), s: R(6) },
            ]);
            // println(r3) but keep p3 (length): use scratch p6.
            code.extend([
                Insn::CallNative {
                    n: Nat(SystemOut as u16),
                    p: P(6),
                    r: R(6),
                },
                Insn::MovR { d: R(7), s: R(3) },
                Insn::CallNative {
                    n: Nat(PrintlnStr as u16),
                    p: P(6),
                    r: R(6),
                },
            ]);
            // fix: ALen was overwritten? No: p3 holds the length, r3 the string.
            code.extend([
                Insn::IAddK {
                    d: P(4),
                    a: P(4),
                    v: 1,
                },
                Insn::Jmp { t: Pc(start + 2) },
            ]);
            let end = code.len() as u16;
            // patch the exit branch
            code[start as usize + 2] = Insn::BrI {
                a: P(4),
                b: P(3),
                c: Cond::Ge,
                t: Pc(end),
            };
            code.push(Insn::Nop {});
        }
        _ => {}
    }
}

fn run(f: impl FnOnce(&mut Builder, &mut Vec<Insn>)) -> Output {
    let mut b = Builder::new();
    let mut code = Vec::new();
    f(&mut b, &mut code);
    code.push(Insn::Ret {});
    b.main((8, 8), code);
    b.run()
}

fn bits_i(v: i32) -> u64 {
    v as u32 as u64
}

#[test]
fn string_methods_match_java() {
    let o = run(|b, c| {
        call(b, c, StrLength, &[Some("hello")], &[]);
        call(b, c, StrCharAt, &[Some("hello")], &[1]);
        call(b, c, StrSubstring2, &[Some("hello")], &[1, 3]);
        call(b, c, StrSubstring1, &[Some("hello")], &[5]);
        call(b, c, StrIndexOfS, &[Some("hello"), Some("ll")], &[]);
        call(b, c, StrIndexOfC, &[Some("hello")], &['o' as u64]);
        call(b, c, StrLastIndexOfC, &[Some("hello")], &['l' as u64]);
        call(b, c, StrLastIndexOfS, &[Some("abcabc"), Some("bc")], &[]);
        call(b, c, StrEquals, &[Some("ab"), Some("ab")], &[]);
        call(b, c, StrEquals, &[Some("ab"), None], &[]);
        call(b, c, StrCompareTo, &[Some("abc"), Some("abd")], &[]);
        call(b, c, StrCompareTo, &[Some("ab"), Some("abcd")], &[]);
        call(b, c, StrHashCode, &[Some("hello world")], &[]);
        call(b, c, StrIsEmpty, &[Some("")], &[]);
        call(b, c, StrStartsWith, &[Some("hello"), Some("he")], &[]);
        call(b, c, StrEndsWith, &[Some("hello"), Some("lo")], &[]);
        call(b, c, StrContains, &[Some("hello"), Some("ell")], &[]);
        call(b, c, StrTrim, &[Some(" \t x y \u{1}")], &[]);
        call(b, c, StrToUpperCase, &[Some("straße é")], &[]);
        call(b, c, StrToLowerCase, &[Some("ÀB C")], &[]);
        call(b, c, StrConcat, &[Some("ab"), Some("cd")], &[]);
        call(b, c, StrCat, &[None, Some("x")], &[]);
        call(
            b,
            c,
            StrReplaceS,
            &[Some("aaa"), Some("a"), Some("bc")],
            &[],
        );
        call(b, c, StrRepeat, &[Some("ab")], &[3]);
        call(b, c, StrValueOfD, &[], &[0.1f64.to_bits()]);
        call(b, c, StrValueOfD, &[], &[1e7f64.to_bits()]);
        call(b, c, StrValueOfD, &[], &[100.0f64.to_bits()]);
        call(b, c, StrValueOfI, &[], &[bits_i(-42)]);
        call(b, c, StrSplit, &[Some("a,b,,c,,"), Some(",")], &[]);
        call(b, c, StrSplit, &[Some(",x"), Some(",")], &[]);
        call(b, c, IntParse, &[Some("-123")], &[]);
        call(b, c, IntToStringRadix, &[], &[255, 16]);
        call(b, c, IntToHexString, &[], &[bits_i(-1)]);
        call(b, c, LongToBinaryString, &[], &[5]);
        call(b, c, MathRoundD, &[], &[(-2.5f64).to_bits()]);
        call(
            b,
            c,
            MathMinD,
            &[],
            &[(-0.0f64).to_bits(), 0.0f64.to_bits()],
        );
        call(b, c, MathSqrt, &[], &[2.0f64.to_bits()]);
        call(b, c, MathAbsI, &[], &[bits_i(i32::MIN)]);
        call(b, c, CharIsDigit, &[], &['7' as u64]);
        call(b, c, CharToUpperCase, &[], &['q' as u64]);
        call(
            b,
            c,
            DoubleCompare,
            &[],
            &[(-0.0f64).to_bits(), 0.0f64.to_bits()],
        );
        call(b, c, BoolParse, &[Some("TRUE")], &[]);
    });
    let expected = "5\ne\n[el]\n[]\n2\n4\n3\n4\ntrue\nfalse\n-1\n-2\n1794106052\ntrue\ntrue\ntrue\ntrue\n\
[x y]\n[STRASSE É]\n[àb c]\n[abcd]\n[nullx]\n[bcbcbc]\n[ababab]\n[0.1]\n[1.0E7]\n[100.0]\n[-42]\n\
<a>\n<b>\n<>\n<c>\n<>\n<x>\n-123\n[ff]\n[ffffffff]\n[101]\n-2\n-0.0\n1.4142135623730951\n-2147483648\ntrue\nQ\n-1\ntrue\n";
    assert_eq!(o.stdout, expected, "stderr: {}", o.stderr);
    assert_eq!(o.exit, 0);
}

fn first_err_line(o: &Output) -> &str {
    o.stderr.lines().next().unwrap_or("")
}

#[test]
#[allow(clippy::type_complexity)]
fn string_exceptions_match_java() {
    let cases: Vec<(Native, Vec<Option<&str>>, Vec<u64>, &str)> = vec![
        (
            StrCharAt,
            vec![Some("hello")],
            vec![10],
            "java.lang.StringIndexOutOfBoundsException: String index out of range: 10",
        ),
        (
            StrSubstring2,
            vec![Some("hello")],
            vec![2, 10],
            "java.lang.StringIndexOutOfBoundsException: begin 2, end 10, length 5",
        ),
        (
            StrSubstring1,
            vec![Some("hello")],
            vec![bits_i(-1)],
            "java.lang.StringIndexOutOfBoundsException: begin -1, end 5, length 5",
        ),
        (
            IntParse,
            vec![Some("abc")],
            vec![],
            "java.lang.NumberFormatException: For input string: \"abc\"",
        ),
        (
            IntParse,
            vec![Some("2147483648")],
            vec![],
            "java.lang.NumberFormatException: For input string: \"2147483648\"",
        ),
        (
            IntParse,
            vec![None],
            vec![],
            "java.lang.NumberFormatException: Cannot parse null string",
        ),
        (
            DoubleParse,
            vec![Some("x1")],
            vec![],
            "java.lang.NumberFormatException: For input string: \"x1\"",
        ),
        (
            StrRepeat,
            vec![Some("a")],
            vec![bits_i(-1)],
            "java.lang.IllegalArgumentException: count is negative: -1",
        ),
        (
            StrLength,
            vec![None],
            vec![],
            "java.lang.NullPointerException",
        ),
        (
            StrCompareTo,
            vec![Some("a"), None],
            vec![],
            "java.lang.NullPointerException",
        ),
    ];
    for (n, refs, prims, want) in cases {
        let o = run(|b, c| call(b, c, n, &refs, &prims));
        assert_eq!(
            first_err_line(&o),
            format!("Exception in thread \"main\" {want}"),
            "{n:?}"
        );
        assert_eq!(o.exit, 1);
    }
}

#[test]
fn literals_are_interned_and_concat_makes_new_strings() {
    let mut b = Builder::new();
    let s = b.string("ab");
    let s2 = b.string("ab");
    let e = b.string("");
    let mut code = vec![
        Insn::SConst { d: R(1), k: s },
        Insn::SConst { d: R(2), k: s2 },
        Insn::CmpR {
            d: P(0),
            a: R(1),
            b: R(2),
            c: Cond::Eq,
        },
    ];
    code.extend(println_prim(PrintlnZ, 0, 4, 4));
    code.extend([
        Insn::SConst { d: R(3), k: e },
        Insn::MovR { d: R(4), s: R(1) },
        Insn::CallNative {
            n: Nat(StrCat as u16),
            p: P(1),
            r: R(3),
        },
        Insn::CmpR {
            d: P(0),
            a: R(1),
            b: R(3),
            c: Cond::Eq,
        },
    ]);
    code.extend(println_prim(PrintlnZ, 0, 4, 4));
    code.extend([
        Insn::CallNative {
            n: Nat(StrIntern as u16),
            p: P(1),
            r: R(3),
        },
        Insn::CmpR {
            d: P(0),
            a: R(1),
            b: R(3),
            c: Cond::Eq,
        },
    ]);
    code.extend(println_prim(PrintlnZ, 0, 4, 4));
    code.push(Insn::Ret {});
    b.main((6, 7), code);
    assert_eq!(b.run().stdout, "true\nfalse\ntrue\n");
}
