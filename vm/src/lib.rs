//! The Semeru virtual machine: bytecode, programs, the interpreter, natives.
//!
//! | concept | module |
//! |---|---|
//! | the instruction table (enum, mnemonics, disassembly, docs) | [`insn`] |
//! | compiled programs: classes, methods, pools | [`program`] |

pub mod insn;
pub mod program;
