//! The standard library's Sem files compile, all together, with a program.

use semeru_lang::compile::{compile_with_library, library};
use semeru_lang::diag::render;
use semeru_lang::parser::parse;

#[test]
fn every_stdlib_file_compiles() {
    let src = "public class Main { public static void main(String[] args) { } }";
    let (unit, diags) = parse(src);
    assert!(diags.is_empty());
    let unit = unit.expect("parses");
    if let Err(d) = compile_with_library("Main.sem", src, &unit, &library::all_files()) {
        panic!("{}", render("Main.sem", src, &d));
    }
}

#[test]
fn needed_files_are_closed_under_mentions() {
    let sources = semeru_stdlib::sources::SOURCES;
    let files = library::needed_files("List<String> xs = new ArrayList<>();");
    for &f in &files {
        let (path, text) = sources[f];
        for (g, (other, _)) in sources.iter().enumerate() {
            let stem = other
                .rsplit('/')
                .next()
                .unwrap_or("")
                .trim_end_matches(".sem");
            let mentioned = text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                .any(|w| w == stem);
            if mentioned {
                assert!(
                    files.contains(&g),
                    "{path} mentions {other}, which is missing"
                );
            }
        }
    }
}
