//! The parse entry point: source text to [`ast::CompilationUnit`] plus diagnostics.
//!
//! The lalrpop-generated parser stays private (`crate::grammar`); this module feeds it
//! the lexer's tokens and turns its errors into [`Diagnostic`]s with readable
//! "expected one of `;`, `)`, found `}`" messages.

pub(crate) mod build;
mod errors;

use crate::diag::{Diagnostic, Severity};
use crate::{ast, grammar, lexer};

/// Parses a whole `.sem` file.
///
/// Returns `Some(unit)` when the file parsed without errors (the diagnostics may then
/// hold warnings only), `None` otherwise. Several syntax errors are reported per run:
/// the parser recovers at statement and member level.
pub fn parse(src: &str) -> (Option<ast::CompilationUnit>, Vec<Diagnostic>) {
    let (toks, mut diags) = lexer::lex_for_parser(src);
    let mut recovered = Vec::new();
    let result =
        grammar::CompilationUnitParser::new().parse(&mut recovered, toks.into_iter().map(Ok));
    for e in recovered {
        diags.push(errors::convert(src, e.error));
    }
    let unit = match result {
        Ok(unit) => Some(unit),
        Err(e) => {
            diags.push(errors::convert(src, e));
            None
        }
    };
    let diags = errors::tidy(diags);
    let ok = !diags.iter().any(|d| d.severity == Severity::Error);
    (unit.filter(|_| ok), diags)
}
