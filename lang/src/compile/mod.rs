//! The Sem compiler back half: name resolution, static type checking and
//! lowering of a parsed [`CompilationUnit`] to a [`Program`].
//!
//! | concept | module |
//! |---|---|
//! | static types, constants, primitive conversions | [`types`] |
//! | the class table: classes, fields, methods, vtables, subtyping | [`classes`] |
//! | generics by erasure, interfaces, itables | [`generics`] |
//! | building the class table from the AST | [`declare`] |
//! | enums and records rewritten as classes | [`desugar`] |
//! | type names and type expressions | [`resolve`] |
//! | whole-program state: diagnostics, pools | [`state`] |
//! | the typed expression tree | [`texpr`] |
//! | expression checking (names, operators, assignment, casts) | [`check_expr`] |
//! | calls, constructors, overload resolution | [`calls`] |
//! | conversion contexts and string conversion | [`convert`] |
//! | boxing and unboxing | [`boxing`] |
//! | `getClass().getName()` and `getClass() ==` | [`getclass`] |
//! | constant folding | [`consts`] |
//! | per-method context: locals, flow state | [`body`] |
//! | code buffer, labels, register stack | [`emit`] |
//! | expression lowering | [`lower_expr`] |
//! | statements, reachability, definite assignment | [`lower_stmt`] |
//! | `try`/`catch`/`finally`, `throw` | [`lower_try`] |
//! | method, constructor and `<clinit>` bodies | [`methods`] |
//! | assembling the `Program` | [`assemble`] |
//! | the standard library's Sem files: which ones, parsed where | [`library`] |

mod assemble;
mod body;
mod boxing;
mod calls;
mod check_expr;
mod classes;
mod consts;
mod convert;
mod declare;
mod desugar;
mod emit;
mod generics;
mod getclass;
pub mod library;
mod lower_expr;
mod lower_stmt;
mod lower_try;
mod methods;
mod patterns;
mod resolve;
mod state;
mod switch_expr;
mod texpr;
mod types;

use crate::ast::CompilationUnit;
use crate::diag::Diagnostic;
use semeru_vm::program::Program;

/// Compiles a parsed unit. Without the source text, the line table is empty;
/// prefer [`compile_with_source`].
/// Every library file is included, since there is no text to scan for mentions.
pub fn compile(source_file: &str, unit: &CompilationUnit) -> Result<Program, Vec<Diagnostic>> {
    let (libs, diags) = library::parse_files(&library::all_files(), 0x8000_0000);
    if !diags.is_empty() {
        return Err(diags);
    }
    assemble::compile_unit(source_file, None, unit, &libs)
}

/// Compiles a parsed unit; `src` (the text it was parsed from) gives the line
/// numbers of stack traces.
pub fn compile_with_source(
    source_file: &str,
    src: &str,
    unit: &CompilationUnit,
) -> Result<Program, Vec<Diagnostic>> {
    compile_with_library(source_file, src, unit, &library::needed_files(src))
}

/// Compiles a parsed unit together with these library files (indexes into
/// `semeru_stdlib::sources::SOURCES`; see [`library::needed_files`]).
pub fn compile_with_library(
    source_file: &str,
    src: &str,
    unit: &CompilationUnit,
    files: &[usize],
) -> Result<Program, Vec<Diagnostic>> {
    let (libs, mut diags) = library::parse_files(files, src.len());
    if diags.is_empty() {
        return assemble::compile_unit(source_file, Some(src), unit, &libs);
    }
    let sources = library::Sources::new(Some(src), &libs);
    library::relocate(&mut diags, &sources);
    Err(diags)
}

#[cfg(test)]
mod tests;
