//! Whole-program compiler state: the class table, diagnostics, constant and
//! string pools, and the compiled method bodies.

use super::classes::{ClassTable, MId};
use super::library::{LibUnit, Sources};
use crate::diag::{Diagnostic, Span};
use semeru_vm::program::Code;
use std::collections::HashMap;

pub struct Compiler<'a> {
    pub table: ClassTable<'a>,
    diags: Vec<Diagnostic>,
    /// While positive, diagnostics are dropped (speculative checking, such as
    /// computing a field's constant value ahead of its real compilation).
    pub quiet: u32,
    pub strings: Vec<Vec<u16>>,
    string_ids: HashMap<Vec<u16>, u16>,
    pub consts: Vec<u64>,
    const_ids: HashMap<u64, u16>,
    pub codes: HashMap<MId, Code>,
    /// The program's text and the library files', for line numbers.
    pub sources: Sources<'a>,
    /// Set while checking the modifiers of a standard-library member (`native` allowed).
    pub declaring_lib: bool,
    /// Type variables of the generic method being declared or compiled.
    pub tv_scope: Vec<super::generics::TvId>,
}

impl<'a> Compiler<'a> {
    pub fn new(src: Option<&'a str>, libs: &[LibUnit]) -> Compiler<'a> {
        Compiler {
            table: ClassTable::default(),
            diags: Vec::new(),
            quiet: 0,
            strings: Vec::new(),
            string_ids: HashMap::new(),
            consts: Vec::new(),
            const_ids: HashMap::new(),
            codes: HashMap::new(),
            sources: Sources::new(src, libs),
            declaring_lib: false,
            tv_scope: Vec::new(),
        }
    }

    pub fn report(&mut self, d: Diagnostic) {
        if self.quiet == 0 && !self.diags.contains(&d) {
            self.diags.push(d);
        }
    }
    pub fn error(&mut self, span: Span, msg: impl Into<String>) {
        self.report(Diagnostic::error(span, msg));
    }
    pub fn unsupported(&mut self, span: Span, what: &str) {
        self.report(Diagnostic::unsupported(span, what));
    }
    pub fn has_errors(&self) -> bool {
        !self.diags.is_empty()
    }
    pub fn take_diags(&mut self) -> Vec<Diagnostic> {
        let mut d = std::mem::take(&mut self.diags);
        d.sort_by_key(|d| d.span.lo);
        d
    }

    /// Interns a string literal (UTF-16) and returns its pool index.
    pub fn intern(&mut self, s: &str) -> u16 {
        let units: Vec<u16> = s.encode_utf16().collect();
        if let Some(i) = self.string_ids.get(&units) {
            return *i;
        }
        let i = self.strings.len() as u16;
        self.strings.push(units.clone());
        self.string_ids.insert(units, i);
        i
    }

    /// Adds a 64-bit constant to the pool.
    pub fn konst(&mut self, bits: u64) -> u16 {
        if let Some(i) = self.const_ids.get(&bits) {
            return *i;
        }
        let i = self.consts.len() as u16;
        self.consts.push(bits);
        self.const_ids.insert(bits, i);
        i
    }

    /// The source text of a span, when the source is known.
    pub fn text(&self, span: Span) -> Option<&'a str> {
        self.sources.text(span)
    }

    /// The 1-based source line of a byte offset (0 when the source is unknown).
    pub fn line_of(&self, span: Span) -> u32 {
        self.sources.line_of(span)
    }
}
