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
