//! Parser tests: valid programs parse cleanly, broken ones give good diagnostics.

use semeru_lang::diag::render;
use semeru_lang::parser::parse;
use std::path::{Path, PathBuf};

fn parse_ok(name: &str, src: &str) -> semeru_lang::ast::CompilationUnit {
    let (unit, diags) = parse(src);
    assert!(diags.is_empty(), "{name}:\n{}", render(name, src, &diags));
    unit.expect("no diagnostics but no unit")
}

/// Every `.sem` file under `dir`, recursively.
fn sem_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sem_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sem") {
            out.push(path);
        }
    }
}

fn assert_all_parse(dirs: &[&str]) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for d in dirs {
        sem_files(&root.join(d), &mut files);
    }
    let mut failures = String::new();
    for path in &files {
        let src = std::fs::read_to_string(path).expect("read");
        let (unit, diags) = parse(&src);
        if unit.is_none() || !diags.is_empty() {
            failures += &render(&path.display().to_string(), &src, &diags);
        }
    }
    assert!(failures.is_empty(), "{failures}");
    files.len()
}

#[test]
fn parser_test_programs_parse_without_diagnostics() {
    assert!(assert_all_parse(&["tests/parse"]) > 0);
}

/// The conformance suite and examples of the whole repository.
#[test]
fn repository_programs_parse_without_diagnostics() {
    // tests/cli/ holds deliberately broken programs for the CLI tests.
    assert_all_parse(&["../tests/conformance", "../examples"]);
}

// ---------------------------------------------------------------- AST snapshots

#[test]
fn ast_hello() {
    let src = r#"public class Main {
    public static void main(String[] args) {
        System.out.println("Hello, " + args.length);
    }
}
"#;
    insta::assert_debug_snapshot!(parse_ok("Main.sem", src));
}

#[test]
fn ast_precedence_and_casts() {
    let src = r#"class P {
    static int f(int a, int b, double d) {
        int x = a + b * -a++ << 2 >>> 1 & 7;
        x += (int) -d + (a) - b;
        boolean t = a < b == b >= a && !(x instanceof Object) || a != b ? true : false;
        return x = a = (char) x;
    }
}
"#;
    insta::assert_debug_snapshot!(parse_ok("P.sem", src));
}

#[test]
fn ast_classes_and_statements() {
    let src = r#"class Shape {
    final int[] sides = {3, 4}, more[] = {{1}};
    Shape(int n) { this(n, 0); }
    Shape(int n, int m) { super(); }
    static class Sq extends Shape {
        Sq() { super(4); }
        @Override public String toString() { return super.toString() + super.x; }
    }
    void run(String s) {
        outer:
        for (int i = 0, j = 1; i < 3; i++, j--) {
            switch (s) {
                case "a", "b": continue outer;
                default: break outer;
            }
        }
        for (var c : s.toCharArray()) if (c == 'x') return; else { }
        do s = s.substring(1); while (!s.isEmpty());
        int[][] g = new int[2][];
        Object o = new Sq();
    }
}
"#;
    insta::assert_debug_snapshot!(parse_ok("Shape.sem", src));
}

#[test]
fn ast_generics() {
    let src = r#"class G<T extends Comparable<T>> {
    java.util.Map<String, java.util.List<? super T>> m = new java.util.HashMap<>();
    <R> R id(R r) { return (R) java.util.Objects.<R>requireNonNull(r); }
    void f() { Object o = (java.util.List<T>[]) null; int k = 1 >> 2; }
}
"#;
    insta::assert_debug_snapshot!(parse_ok("G.sem", src));
}

#[test]
fn token_snapshot() {
    let src = "x >>>= 0x1F + 'c' - \"s\\n\" >> 2; List<List<T>> l; 1.5e3f";
    insta::assert_debug_snapshot!(semeru_lang::lexer::tokens(src));
}

// ---------------------------------------------------------------- diagnostics

fn rendered(src: &str) -> String {
    let (unit, diags) = parse(src);
    assert!(unit.is_none(), "expected errors for:\n{src}");
    render("Main.sem", src, &diags)
}

#[test]
fn diagnostics() {
    let cases: &[(&str, &str)] = &[
        (
            "missing_semicolon",
            "class Main {\n    void m() {\n        int x = 1\n        int y = 2;\n    }\n}\n",
        ),
        (
            "missing_paren",
            "class Main {\n    void m() {\n        foo(1, 2;\n    }\n}\n",
        ),
        (
            "unclosed_class",
            "class Main {\n    void m() {\n        return;\n    }\n",
        ),
        (
            "extra_brace",
            "class Main {\n    void m() { }\n    }\n    void n() { }\n}\n",
        ),
        (
            "unterminated_string",
            "class Main {\n    String s = \"abc;\n    int x = 1;\n}\n",
        ),
        (
            "bad_escape_and_char",
            "class Main {\n    String s = \"a\\qb\";\n    char c = 'ab';\n    char d = '';\n}\n",
        ),
        (
            "bad_numbers",
            "class Main {\n    int a = 2147483649;\n    long b = 0xFFFFFFFFFFFFFFFFFL;\n    int c = 1_;\n    double d = 1e999;\n}\n",
        ),
        (
            "not_a_statement",
            "class Main {\n    void m(int a) {\n        a + 1;\n        a++;\n    }\n}\n",
        ),
        (
            "several_errors",
            "class Main {\n    void m() {\n        int = 5;\n        x = ;\n        if (x) { y }\n    }\n    int f( { }\n}\n",
        ),
        (
            "bad_cast_and_member",
            "class Main {\n    void m() {\n        int x = (a + b) c;\n    }\n    public public int y;\n    static final { }\n}\n",
        ),
        (
            "unterminated_comment",
            "class Main {\n    /* never closed\n    int x;\n}\n",
        ),
        (
            "package_and_text_block",
            "package a.b;\nclass Main {\n    String s = \"\"\"\n        hi\n        \"\"\";\n}\n",
        ),
        ("stray_character", "class Main {\n    int x = 1 # 2;\n}\n"),
        ("empty_file_is_fine_but_junk_is_not", "int x;\n"),
    ];
    for (name, src) in cases {
        insta::assert_snapshot!(*name, rendered(src), src);
    }
}

// ---------------------------------------------------------------- robustness

#[test]
fn deep_parentheses_do_not_overflow() {
    let n = 10_000;
    let src = format!(
        "class Main {{ int x = {}1{}; }}",
        "(".repeat(n),
        ")".repeat(n)
    );
    // Parentheses make no tree nodes, so this is just `1`.
    parse_ok("Main.sem", &src);
    let src = format!(
        "class Main {{ int x = {}1{}; }}",
        "-(".repeat(n),
        ")".repeat(n)
    );
    let (unit, diags) = parse(&src);
    assert!(unit.is_none());
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].message, "expression nested too deeply");
}

#[test]
fn deep_unary_and_binary_chains_do_not_overflow() {
    for src in [
        format!("class Main {{ int x = {}1; }}", "- ".repeat(50_000)),
        format!("class Main {{ int x = {}1; }}", "(int) ".repeat(50_000)),
        format!("class Main {{ int x = 1{}; }}", " + 1".repeat(50_000)),
        format!("class Main {{ int x = a{}; }}", ".b".repeat(50_000)),
        format!(
            "class Main {{ void m() {{ {}{} }} }}",
            "{".repeat(20_000),
            "}".repeat(20_000)
        ),
        format!(
            "class Main {{ void m() {{ {} ; }} }}",
            "if (a) ".repeat(20_000)
        ),
        format!("class Main {{ int{} x; }}", "[]".repeat(20_000)),
    ] {
        let (unit, diags) = parse(&src);
        assert!(unit.is_none());
        assert!(
            diags
                .iter()
                .any(|d| d.message.contains("nested too deeply")),
            "{:?}",
            diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }
}

#[test]
fn nesting_just_under_the_limit_is_accepted() {
    let n = 200;
    let src = format!(
        "class Main {{ int x = {}1{}; }}",
        "(".repeat(n),
        ")".repeat(n)
    );
    parse_ok("Main.sem", &src);
    let src = format!("class Main {{ int x = 1{}; }}", " + 1".repeat(500));
    parse_ok("Main.sem", &src);
}
