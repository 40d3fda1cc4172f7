//! Property tests: no input makes the lexer or parser panic.

use proptest::prelude::*;
use semeru_lang::parser::parse;

const SEED: &str = r#"import java.util.*;
public class Main {
    static int[] data = {1, 2, 3};
    private final String name = "a\tb\u0041";
    Main(int n) { this(n, 'c'); }
    Main(int n, char c) { super(); }
    static <T extends Comparable<T>> T max(List<T> xs) { return xs.get(0); }
    public static void main(String[] args) throws Exception {
        long l = 0x7fL + 017 + 0b1 + 1_000L;
        double d = 1.5e-3 + .5f + 2d;
        List<List<String>> ls = new ArrayList<>();
        for (int i = 0; i < args.length; i++) { if (i % 2 == 0) continue; else break; }
        for (String a : args) System.out.println(a + (char) (a.length() >>> 1));
        switch (args.length) { case 0: case 1, 2: break; default: System.exit(1); }
        label: while (true) { do { l <<= 2; } while (l < 100); break label; }
        Object o = (Object) data;
        if (o instanceof int[] && !(o == null)) { data[0] += ((int[]) o)[1]--; }
        try { throw new RuntimeException("x"); } catch (RuntimeException | Error e) { } finally { }
        Runnable r = () -> {};
        int v = switch (1) { case 1 -> 2; default -> 3; };
    }
}
"#;

/// A token-ish alphabet so mutations make syntactically interesting programs.
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
    "<",
    ">",
    ">>",
    ">>>",
    "=",
    "->",
    "::",
    "?",
    ":",
    "+",
    "-",
    "*",
    "/",
    "'",
    "\"",
    "\\",
    "/*",
    "*/",
    "//",
    "\n",
    "class",
    "int",
    "new",
    "if",
    "else",
    "for",
    "return",
    "x",
    "1",
    "0x",
    "1e",
    "1.",
    "@",
    "...",
    "var",
    "yield",
    "record",
    "case",
    "default",
    "switch",
    "this",
    "super",
    "instanceof",
    "final",
    "\"\"\"",
    "\\u0041",
    "'\\'",
    "é",
    "\u{1F600}",
    "\t",
    "\r",
];

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, usize),
    Swap(usize, usize, usize),
    Bytes(usize, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..8).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, p)| Edit::Insert(a, p)),
        (any::<usize>(), any::<usize>(), 1usize..12).prop_map(|(a, b, n)| Edit::Swap(a, b, n)),
        (any::<usize>(), "\\PC{0,6}").prop_map(|(a, s)| Edit::Bytes(a, s)),
    ]
}

/// Applies edits at char boundaries (so the text stays valid UTF-8).
fn mutate(src: &str, edits: &[Edit]) -> String {
    let mut s: Vec<char> = src.chars().collect();
    for e in edits {
        let len = s.len().max(1);
        match e {
            Edit::Delete(a, n) => {
                let a = a % len;
                let b = (a + n).min(s.len());
                if a < b {
                    s.drain(a..b);
                }
            }
            Edit::Insert(a, p) => {
                let a = a % (s.len() + 1);
                let piece: Vec<char> = PIECES[p % PIECES.len()].chars().collect();
                s.splice(a..a, piece);
            }
            Edit::Swap(a, b, n) => {
                let (a, b) = (a % len, b % len);
                let (a, b) = (a.min(b), a.max(b));
                let n = (*n).min(b - a).min(s.len().saturating_sub(b));
                for i in 0..n {
                    s.swap(a + i, b + i);
                }
            }
            Edit::Bytes(a, t) => {
                let a = a % (s.len() + 1);
                s.splice(a..a, t.chars());
            }
        }
    }
    s.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn mutated_programs_never_panic(edits in proptest::collection::vec(edit(), 1..12)) {
        let src = mutate(SEED, &edits);
        let (unit, diags) = parse(&src);
        // Either a tree, or at least one diagnostic that points into the file.
        prop_assert!(unit.is_some() || !diags.is_empty());
        for d in &diags {
            prop_assert!(d.span.lo as usize <= src.len() && d.span.hi as usize <= src.len());
            let _ = semeru_lang::diag::render("Main.sem", &src, std::slice::from_ref(d));
        }
    }

    #[test]
    fn random_text_never_panics(src in "\\PC{0,200}") {
        let _ = parse(&src);
    }

    #[test]
    fn random_token_soup_never_panics(picks in proptest::collection::vec(0usize..PIECES.len(), 0..80)) {
        let src: String = picks.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join(" ");
        let _ = parse(&src);
    }
}
