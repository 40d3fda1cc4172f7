//! The Semeru virtual machine: bytecode, programs, the interpreter, natives.
//!
//! | concept | module |
//! |---|---|
//! | the instruction table (enum, mnemonics, disassembly, docs) | [`insn`] |
//! | compiled programs: classes, methods, pools | [`program`] |
//! | load-time bytecode verification | [`verify`] |
//! | the interpreter: frames, dispatch, calls, exceptions, roots | [`interp`] |
//! | native methods (`System`, `Math`, `String`, boxes, `Character`) | [`natives`] |
//! | Java-exact number formatting and parsing | [`jnum`] |
//! | fixed-capacity register stacks | [`regfile`] |
//! | buffered program output, UTF-16 → UTF-8 | [`output`] |
//! | the disassembler | [`disasm`] |
//! | the runner API used by the CLI | [`runner`] |

pub mod disasm;
pub mod insn;
pub mod interp;
pub mod jnum;
pub mod natives;
pub mod output;
pub mod program;
pub mod regfile;
pub mod runner;
pub mod verify;

pub use disasm::{disassemble, disassemble_method};
pub use interp::{Completion, Vm, VmError};
pub use runner::{run, run_with_backend, RunConfig, RunOutcome, RunStats};
