//! The Sem front end: source text to bytecode.
//!
//! | concept | module |
//! |---|---|
//! | spans, diagnostics, rustc-style rendering | [`diag`] |
//! | the syntax tree | [`ast`] |
//! | tokens (logos) | `lexer` |
//! | grammar (lalrpop) and the parse entry point | `parser` |
//! | name resolution, type checking, lowering to `semeru_vm` bytecode | [`compile`] |

pub mod ast;
pub mod compile;
pub mod diag;
pub mod lexer;
pub mod parser;

// Generated code: lints about its shape are lalrpop's business, not ours.
lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused)]
    grammar
);

/// Parses and compiles a whole source file: what `semeru run/check/disasm` use.
/// `file_name` is the base name used in stack traces (`Main.sem`).
pub fn compile_source(
    file_name: &str,
    src: &str,
) -> Result<semeru_vm::program::Program, Vec<diag::Diagnostic>> {
    let (unit, diags) = parser::parse(src);
    if !diags.is_empty() {
        return Err(diags);
    }
    let Some(unit) = unit else {
        return Err(vec![diag::Diagnostic::error(
            diag::Span::default(),
            "could not parse the file",
        )]);
    };
    compile::compile_with_source(file_name, src, &unit)
}
