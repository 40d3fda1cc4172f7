//! The Sem standard library, as the compiler and the VM share it.
//!
//! | concept | module |
//! |---|---|
//! | built-in classes with fixed ids (`Object`, `String`, exceptions, primitive arrays) | [`builtins`] |
//! | native methods: descriptors the compiler resolves calls against, ids the VM dispatches on | [`natives`] |
//!
//! Issue 3 adds `.sem` sources (collections, boxes, `StringBuilder`) compiled into the binary.

pub mod builtins;
pub mod natives;
