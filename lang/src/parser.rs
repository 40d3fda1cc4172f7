//! The parse entry point: source text to [`ast::CompilationUnit`] plus diagnostics.
//!
//! The lalrpop-generated parser stays private (`crate::grammar`); this module feeds it
//! the lexer's tokens and turns its errors into [`Diagnostic`]s with readable
//! "expected one of `;`, `)`, found `}`" messages.

pub(crate) mod build;
mod depth;
mod errors;

pub use depth::MAX_NESTING;

use crate::diag::{Diagnostic, Severity, Span};
use crate::{ast, grammar, lexer};

/// Stack for the parsing thread. Parsing itself is iterative, but a pathological
/// input can build a very deep partial tree before the nesting guard sees it, and
/// dropping that tree recurses.
const PARSE_STACK: usize = 256 << 20;

/// Parses a whole `.sem` file.
///
/// Returns `Some(unit)` when the file parsed without errors (the diagnostics may then
/// hold warnings only), `None` otherwise. Several syntax errors are reported per run:
/// the parser recovers at statement and member level. The tree is at most
/// [`MAX_NESTING`] nodes deep.
pub fn parse(src: &str) -> (Option<ast::CompilationUnit>, Vec<Diagnostic>) {
    parse_at(src, 0)
}

/// Parses `src` as if it started at byte offset `base` of a larger text: every span
/// in the tree and the diagnostics is shifted by `base`. The standard library's
/// files are parsed this way, so that their spans never collide with the program's.
pub fn parse_at(src: &str, base: u32) -> (Option<ast::CompilationUnit>, Vec<Diagnostic>) {
    if base == 0 {
        return on_big_stack(src, 0);
    }
    let (unit, diags) = on_big_stack(src, base);
    if unit.is_some() && diags.is_empty() {
        return (unit, diags);
    }
    // Error messages look at the text by token position: find them unshifted.
    let (_, mut diags) = on_big_stack(src, 0);
    for d in &mut diags {
        d.span = Span::new(
            d.span.lo as usize + base as usize,
            d.span.hi as usize + base as usize,
        );
    }
    (None, diags)
}

fn on_big_stack(src: &str, base: u32) -> (Option<ast::CompilationUnit>, Vec<Diagnostic>) {
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("semeru-parse".into())
            .stack_size(PARSE_STACK)
            .spawn_scoped(s, || parse_here(src, base));
        match worker {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                let d = Diagnostic::error(Span::default(), "internal error: the parser crashed")
                    .with_note("this is a bug in Semeru; please report it with the source file");
                (None, vec![d])
            }),
            // No thread available: parse on the caller's stack.
            Err(_) => parse_here(src, base),
        }
    })
}

fn parse_here(src: &str, base: u32) -> (Option<ast::CompilationUnit>, Vec<Diagnostic>) {
    let (toks, mut diags) = lexer::lex_for_parser(src);
    let context = errors::Tokens::new(src, &toks, &diags);
    let mut recovered = Vec::new();
    let b = base as usize;
    let result = grammar::CompilationUnitParser::new().parse(
        &mut recovered,
        toks.into_iter().map(|(lo, t, hi)| Ok((lo + b, t, hi + b))),
    );
    diags.extend(errors::from_recoveries(&context, recovered));
    let unit = match result {
        Ok(unit) => Some(unit),
        Err(e) => {
            diags.extend(errors::convert(&context, e));
            None
        }
    };
    let unit = unit.filter(|u| match depth::check(u) {
        Some(d) => {
            diags.push(d);
            false
        }
        None => true,
    });
    let diags = errors::tidy(diags);
    let ok = !diags.iter().any(|d| d.severity == Severity::Error);
    (unit.filter(|_| ok), diags)
}
