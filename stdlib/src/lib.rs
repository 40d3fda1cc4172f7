//! The Sem standard library, as the compiler and the VM share it.
//!
//! | concept | module |
//! |---|---|
//! | built-in classes with fixed ids (`Object`, `String`, exceptions, primitive arrays) | [`builtins`] |
//! | native methods: descriptors the compiler resolves calls against, ids the VM dispatches on | [`natives`] |
//! | `.sem` sources of the classes written in Sem (collections, boxes, …) | [`sources`] |
//!
//! The compiler compiles the stdlib classes a program needs together with the program
//! (`semeru_lang::compile::library`).

pub mod builtins;
pub mod natives;
pub mod sources {
    //! The `.sem` sources of the standard library, embedded at build time from
    //! `stdlib/sem/<package path>/<Class>.sem`.
    include!(concat!(env!("OUT_DIR"), "/sources.rs"));
}
