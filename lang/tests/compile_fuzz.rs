//! The compiler never panics: conformance programs, mutated at random (pieces
//! deleted, duplicated or replaced by Java tokens), go through the parser and,
//! whenever a tree comes out, through the compiler.

use proptest::prelude::*;
use semeru_lang::compile::compile_with_source;
use semeru_lang::parser::parse;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const PIECES: &[&str] = &[
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ";",
    ",",
    ".",
    "=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "<<",
    ">>>",
    "<",
    ">=",
    "==",
    "!=",
    "&&",
    "||",
    "!",
    "~",
    "?",
    ":",
    "++",
    "--",
    "+=",
    "int",
    "long",
    "char",
    "double",
    "boolean",
    "byte",
    "String",
    "Object",
    "void",
    "static",
    "final",
    "new",
    "return",
    "this",
    "super",
    "null",
    "true",
    "0",
    "1",
    "2147483648",
    "9223372036854775807L",
    "1.5",
    "'c'",
    "\"s\"",
    "x",
    "y",
    "Main",
    "args",
    "length",
    "if",
    "else",
    "while",
    "for",
    "break",
    "continue",
    "switch",
    "case",
    "default",
    "class",
    "extends",
    "instanceof",
    "var",
    "System.out.println",
];

fn seeds() -> &'static Vec<String> {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        fn walk(d: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "sem") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance"), &mut files);
        files.sort();
        let mut v: Vec<String> = files.iter().filter_map(|f| std::fs::read_to_string(f).ok()).collect();
        if v.is_empty() {
            v.push("class Main { public static void main(String[] args) { int x = 1; System.out.println(x + \"!\"); } }".into());
        }
        v
    })
}

fn mutate(src: &str, edits: &[(usize, u8, usize, usize)]) -> String {
    let mut s: Vec<char> = src.chars().collect();
    for &(pos, kind, len, piece) in edits {
        if s.is_empty() {
            break;
        }
        let at = pos % s.len();
        let end = (at + len % 40).min(s.len());
        match kind % 3 {
            0 => {
                s.drain(at..end);
            }
            1 => {
                let dup: Vec<char> = s[at..end].to_vec();
                s.splice(at..at, dup);
            }
            _ => {
                let p: Vec<char> = format!(" {} ", PIECES[piece % PIECES.len()])
                    .chars()
                    .collect();
                s.splice(at..end.min(at + 3), p);
            }
        }
    }
    s.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn mutated_programs_never_panic_the_compiler(
        seed in 0usize..10_000,
        edits in proptest::collection::vec((0usize..100_000, 0u8..3, 0usize..40, 0usize..1000), 1..6),
    ) {
        let all = seeds();
        let src = mutate(&all[seed % all.len()], &edits);
        let (unit, _diags) = parse(&src);
        if let Some(unit) = unit {
            if let Err(diags) = compile_with_source("Main.sem", &src, &unit) {
                prop_assert!(!diags.is_empty());
                for d in &diags {
                    prop_assert!(d.span.lo as usize <= src.len() && d.span.hi as usize <= src.len(), "{d:?}");
                }
                let _ = semeru_lang::diag::render("Main.sem", &src, &diags);
            }
        }
    }
}
