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
    assert_all_parse(&["../tests", "../examples"]);
}
