//! The standard library written in Sem: choosing the files a program needs and
//! parsing them next to it.
//!
//! Every file `stdlib/sem/<package>/<Class>.sem` (embedded by `semeru_stdlib::sources`)
//! declares the class `<package>.<Class>`. A program gets the files whose class
//! names it mentions, then the files those mention, and so on, plus [`ALWAYS`]:
//! classes the compiler may need without the program naming them (boxing).
//! Mentions are found by scanning identifiers, so a name in a comment or a string
//! pulls a file in too; that costs a little time, never correctness.
//!
//! The files are parsed as if they followed the program's text (see
//! [`crate::parser::parse_at`]), so each span still says where it came from.

use crate::ast::CompilationUnit;
use crate::diag::{Diagnostic, LineIndex, Span};
use semeru_stdlib::sources::SOURCES;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Classes included in every program, by simple name.
pub const ALWAYS: &[&str] = &[
    "Throwable",
    "Number",
    "Integer",
    "Long",
    "Short",
    "Byte",
    "Character",
    "Boolean",
    "Double",
    "Float",
];

/// One parsed library file.
pub struct LibUnit {
    /// Package path with slashes: `java/util`.
    pub package: String,
    /// Path under `stdlib/sem/`: `java/util/ArrayList.sem`.
    pub path: &'static str,
    pub text: &'static str,
    /// Offset of the file's first byte in the combined span space.
    pub base: u32,
    pub unit: CompilationUnit,
}

struct Index {
    /// Simple class name (the file stem) to file number.
    by_name: HashMap<&'static str, usize>,
    /// For each file, the files it mentions.
    deps: Vec<Vec<usize>>,
}

fn stem(path: &str) -> &str {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.strip_suffix(".sem").unwrap_or(file)
}

/// The capitalized identifiers of a text (candidate class names).
fn mentions(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()))
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let by_name: HashMap<&'static str, usize> = SOURCES
            .iter()
            .enumerate()
            .map(|(i, (p, _))| (stem(p), i))
            .collect();
        let deps = SOURCES
            .iter()
            .enumerate()
            .map(|(i, (_, text))| {
                let mut d: Vec<usize> = mentions(text)
                    .filter_map(|w| by_name.get(w).copied())
                    .filter(|&j| j != i)
                    .collect();
                d.sort_unstable();
                d.dedup();
                d
            })
            .collect();
        Index { by_name, deps }
    })
}

/// File numbers (indexes into `SOURCES`) that a program with this text needs, sorted.
pub fn needed_files(program: &str) -> Vec<usize> {
    let ix = index();
    let mut seen = vec![false; SOURCES.len()];
    // Enums and records extend library classes the program does not name.
    let words = |w: &str| {
        program
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|x| x == w)
    };
    let implied = [("enum", "Enum"), ("record", "Record")]
        .into_iter()
        .filter(|(kw, _)| words(kw))
        .map(|(_, c)| c);
    let mut work: Vec<usize> = mentions(program)
        .chain(ALWAYS.iter().copied())
        .chain(implied)
        .filter_map(|w| ix.by_name.get(w).copied())
        .collect();
    while let Some(f) = work.pop() {
        if std::mem::replace(&mut seen[f], true) {
            continue;
        }
        work.extend(ix.deps[f].iter().copied().filter(|&d| !seen[d]));
    }
    (0..SOURCES.len()).filter(|&f| seen[f]).collect()
}

/// Every library file.
pub fn all_files() -> Vec<usize> {
    (0..SOURCES.len()).collect()
}

/// Parses these library files, placed in span space after a program of
/// `program_len` bytes. Syntax errors in the library are returned as
/// diagnostics (they are bugs in Semeru's library).
pub fn parse_files(files: &[usize], program_len: usize) -> (Vec<LibUnit>, Vec<Diagnostic>) {
    let mut base = program_len as u32 + 1;
    let mut units = Vec::new();
    let mut diags = Vec::new();
    for &f in files {
        let Some(&(path, text)) = SOURCES.get(f) else {
            continue;
        };
        let (unit, d) = crate::parser::parse_at(text, base);
        diags.extend(d);
        if let Some(unit) = unit {
            let package = path.rsplit_once('/').map_or("", |(p, _)| p).to_string();
            units.push(LibUnit {
                package,
                path,
                text,
                base,
                unit,
            });
        }
        base = base.saturating_add(text.len() as u32 + 1);
    }
    (units, diags)
}

/// The program's text and the library files, for finding the text and the line
/// of any span.
pub struct Sources<'a> {
    pub program: Option<&'a str>,
    program_lines: Option<LineIndex<'a>>,
    libs: Vec<(u32, &'static str, &'static str, LineIndex<'static>)>,
}

impl<'a> Sources<'a> {
    pub fn new(program: Option<&'a str>, libs: &[LibUnit]) -> Sources<'a> {
        Sources {
            program,
            program_lines: program.map(LineIndex::new),
            libs: libs
                .iter()
                .map(|l| (l.base, l.path, l.text, LineIndex::new(l.text)))
                .collect(),
        }
    }

    /// The library file holding offset `lo`: (base, path, text, lines).
    #[allow(clippy::type_complexity)]
    fn lib_of(&self, lo: u32) -> Option<&(u32, &'static str, &'static str, LineIndex<'static>)> {
        let i = self.libs.partition_point(|l| l.0 <= lo);
        let l = self.libs.get(i.checked_sub(1)?)?;
        (lo <= l.0 + l.2.len() as u32).then_some(l)
    }

    /// The source text of a span.
    pub fn text(&self, span: Span) -> Option<&'a str> {
        if let Some(l) = self.lib_of(span.lo) {
            let (lo, hi) = (
                (span.lo - l.0) as usize,
                (span.hi.saturating_sub(l.0)) as usize,
            );
            return l.2.get(lo..hi);
        }
        self.program?.get(span.lo as usize..span.hi as usize)
    }

    /// The 1-based line of a span's start, in its own file (0 when unknown).
    pub fn line_of(&self, span: Span) -> u32 {
        if let Some(l) = self.lib_of(span.lo) {
            return l.3.line_col(span.lo - l.0).0 as u32;
        }
        self.program_lines
            .as_ref()
            .map_or(0, |l| l.line_col(span.lo).0 as u32)
    }

    /// A library span's file and position, `java/util/ArrayList.sem:12:5`.
    pub fn lib_position(&self, span: Span) -> Option<String> {
        let l = self.lib_of(span.lo)?;
        let (line, col) = l.3.line_col(span.lo - l.0);
        Some(format!("stdlib/sem/{}:{line}:{col}", l.1))
    }
}

/// Moves diagnostics whose span lies in a library file onto the program's first
/// byte, naming the library position in a note: they are Semeru bugs, and the
/// renderer only knows the program's text.
pub fn relocate(diags: &mut [Diagnostic], sources: &Sources) {
    for d in diags {
        if let Some(pos) = sources.lib_position(d.span) {
            d.message = format!("in the standard library: {}", d.message);
            d.notes.push(format!("at {pos} (this is a bug in Semeru)"));
            d.span = Span::new(0, 0);
        }
    }
}
