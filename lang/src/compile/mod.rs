//! The Sem compiler back half: name resolution, static type checking and
//! lowering of a parsed [`CompilationUnit`] to a [`Program`].
//!
//! | concept | module |
//! |---|---|
//! | static types, constants, primitive conversions | [`types`] |
//! | the class table: classes, fields, methods, vtables, subtyping | [`classes`] |
//! | generics by erasure, interfaces, itables | [`generics`] |
//! | building the class table from the AST | [`declare`] |
//! | type names and type expressions | [`resolve`] |
//! | whole-program state: diagnostics, pools | [`state`] |
//! | the typed expression tree | [`texpr`] |
//! | expression checking (names, operators, assignment, casts) | [`check_expr`] |
//! | calls, constructors, overload resolution | [`calls`] |
//! | conversion contexts and string conversion | [`convert`] |
//! | constant folding | [`consts`] |
//! | per-method context: locals, flow state | [`body`] |
//! | code buffer, labels, register stack | [`emit`] |
//! | expression lowering | [`lower_expr`] |
//! | statements, reachability, definite assignment | [`lower_stmt`] |
//! | method, constructor and `<clinit>` bodies | [`methods`] |
//! | assembling the `Program` | [`assemble`] |

mod assemble;
mod body;
mod calls;
mod check_expr;
mod classes;
mod consts;
mod convert;
mod declare;
mod emit;
mod generics;
mod lower_expr;
mod lower_stmt;
mod methods;
mod resolve;
mod state;
mod texpr;
mod types;

use crate::ast::CompilationUnit;
use crate::diag::Diagnostic;
use semeru_vm::program::Program;

/// Compiles a parsed unit. Without the source text, the line table is empty;
/// prefer [`compile_with_source`].
pub fn compile(source_file: &str, unit: &CompilationUnit) -> Result<Program, Vec<Diagnostic>> {
    assemble::compile_unit(source_file, None, unit)
}

/// Compiles a parsed unit; `src` (the text it was parsed from) gives the line
/// numbers of stack traces.
pub fn compile_with_source(
    source_file: &str,
    src: &str,
    unit: &CompilationUnit,
) -> Result<Program, Vec<Diagnostic>> {
    assemble::compile_unit(source_file, Some(src), unit)
}

#[cfg(test)]
mod tests;
