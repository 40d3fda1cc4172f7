//! The Semeru virtual machine: bytecode, programs, the interpreter, natives.
//!
//! | concept | module |
//! |---|---|
//! | the instruction table (enum, mnemonics, disassembly, docs) | [`insn`] |
//! | compiled programs: classes, methods, pools | [`program`] |
//! | Java-exact number formatting and parsing | [`jnum`] |

pub mod insn;
pub mod jnum;
pub mod program;
