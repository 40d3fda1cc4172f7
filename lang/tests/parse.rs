//! Parser tests: valid programs parse cleanly, broken ones give good diagnostics.

use semeru_lang::diag::render;
use semeru_lang::parser::parse;

fn parse_ok(name: &str, src: &str) -> semeru_lang::ast::CompilationUnit {
    let (unit, diags) = parse(src);
    assert!(diags.is_empty(), "{name}:\n{}", render(name, src, &diags));
    unit.expect("no diagnostics but no unit")
}

#[test]
fn valid_programs_parse_without_diagnostics() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/parse");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("tests/parse") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "sem") {
            let src = std::fs::read_to_string(&path).expect("read");
            parse_ok(&path.display().to_string(), &src);
            n += 1;
        }
    }
    assert!(n > 0);
}
