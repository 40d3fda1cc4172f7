//! The Sem front end: source text to bytecode.
//!
//! | concept | module |
//! |---|---|
//! | spans, diagnostics, rustc-style rendering | [`diag`] |
//! | the syntax tree | [`ast`] |
//! | tokens (logos) | `lexer` |
//! | grammar (lalrpop) and the parse entry point | `parser` |
//! | name resolution, type checking, lowering to `semeru_vm` bytecode | `compile` |

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

/// Parses and compiles one source file. `source_file` is the base name used in
/// stack traces. On failure, every diagnostic found (syntax errors stop before
/// type checking).
pub fn compile_source(
    source_file: &str,
    src: &str,
) -> Result<semeru_vm::program::Program, Vec<diag::Diagnostic>> {
    let (unit, mut diags) = parser::parse(src);
    let Some(unit) = unit else {
        return Err(diags);
    };
    match compile::compile_with_source(source_file, src, &unit) {
        Ok(p) if diags.is_empty() => Ok(p),
        Ok(_) => Err(diags),
        Err(more) => {
            diags.extend(more);
            Err(diags)
        }
    }
}
