//! The synthetic program compiled for every input: Java text assembled from
//! fragments of what the user typed ([`Code`]), with a map from its byte offsets
//! back to those fragments, so that diagnostics and stack-trace lines can be
//! reported relative to the snippet as typed.

use semeru_lang::diag::{Diagnostic, Span};
use std::ops::Range;
use std::rc::Rc;

/// Java text built from a snippet the user typed: verbatim ranges of it and
/// generated glue.
#[derive(Clone, Debug)]
pub struct Code {
    /// The whole snippet as typed.
    pub src: Rc<str>,
    pub parts: Vec<Part>,
}

#[derive(Clone, Debug)]
pub enum Part {
    Gen(String),
    /// A range of [`Code::src`].
    Orig(Range<usize>),
}

impl Code {
    pub fn new(src: &Rc<str>) -> Code {
        Code {
            src: Rc::clone(src),
            parts: Vec::new(),
        }
    }

    pub fn gen(mut self, s: impl Into<String>) -> Code {
        self.parts.push(Part::Gen(s.into()));
        self
    }

    pub fn orig(mut self, r: Range<usize>) -> Code {
        self.parts.push(Part::Orig(r));
        self
    }

    /// The Java text.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                Part::Gen(g) => s.push_str(g),
                Part::Orig(r) => s.push_str(self.src.get(r.clone()).unwrap_or("")),
            }
        }
        s
    }

    /// The typed text this code came from (its verbatim parts, joined by spaces).
    pub fn typed(&self) -> String {
        let lo = self.parts.iter().find_map(|p| match p {
            Part::Orig(r) => Some(r.start),
            Part::Gen(_) => None,
        });
        let hi = self.parts.iter().rev().find_map(|p| match p {
            Part::Orig(r) => Some(r.end),
            Part::Gen(_) => None,
        });
        match (lo, hi) {
            (Some(lo), Some(hi)) if lo <= hi => self.src.get(lo..hi).unwrap_or("").to_string(),
            _ => self.text(),
        }
    }
}

/// Where a piece of the synthetic program came from.
#[derive(Clone, Debug)]
struct Seg {
    lo: usize,
    hi: usize,
    /// The session item (or input piece) id.
    item: u64,
    src: Rc<str>,
    /// Offset in `src` of `lo`.
    off: usize,
}

/// The synthetic source text being built, and its map.
#[derive(Default)]
pub struct Synth {
    pub text: String,
    segs: Vec<Seg>,
}

/// A position in a typed snippet.
pub struct Origin {
    pub item: u64,
    pub span: Span,
}

impl Synth {
    pub fn gen(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Appends `code`, remembering that it belongs to `item`.
    pub fn code(&mut self, item: u64, code: &Code) {
        for p in &code.parts {
            match p {
                Part::Gen(g) => self.text.push_str(g),
                Part::Orig(r) => {
                    let piece = code.src.get(r.clone()).unwrap_or("");
                    let lo = self.text.len();
                    self.text.push_str(piece);
                    self.segs.push(Seg {
                        lo,
                        hi: self.text.len(),
                        item,
                        src: Rc::clone(&code.src),
                        off: r.start,
                    });
                }
            }
        }
        // Generated glue around the verbatim parts belongs to the item too: a
        // zero-width marker lets errors there be attributed (to the whole item).
        if !code.parts.iter().any(|p| matches!(p, Part::Orig(_))) {
            let at = self.text.len();
            self.segs.push(Seg {
                lo: at,
                hi: at,
                item,
                src: Rc::clone(&code.src),
                off: 0,
            });
        }
    }

    /// Maps a span of the synthetic text back to the snippet it was typed in.
    /// A span in generated glue maps to the nearest verbatim part of the same
    /// line (or `None` outside any item).
    pub fn origin(&self, span: Span) -> Option<Origin> {
        let lo = span.lo as usize;
        let hi = span.hi as usize;
        if let Some(s) = self
            .segs
            .iter()
            .find(|s| s.lo <= lo && lo < s.hi.max(s.lo + 1))
        {
            let a = s.off + (lo - s.lo);
            let b = s.off + (hi.min(s.hi).max(lo) - s.lo);
            return Some(Origin {
                item: s.item,
                span: Span::new(a, b.max(a)),
            });
        }
        // Glue: the closest segment before it on the same line, else after it.
        let line_lo = self
            .text
            .get(..lo)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let line_hi = self
            .text
            .get(lo..)
            .and_then(|t| t.find('\n'))
            .map_or(self.text.len(), |i| lo + i);
        let before = self
            .segs
            .iter()
            .filter(|s| s.hi <= lo && s.hi >= line_lo)
            .max_by_key(|s| s.hi);
        let after = self
            .segs
            .iter()
            .filter(|s| s.lo >= lo && s.lo <= line_hi)
            .min_by_key(|s| s.lo);
        let s = before.or(after)?;
        let end = s.off + (s.hi - s.lo);
        Some(Origin {
            item: s.item,
            span: Span::new(s.off, end),
        })
    }

    /// The 1-based line, in the snippet it was typed in, of synthetic line `line`
    /// (for stack traces); `None` for a line of pure glue.
    pub fn snippet_line(&self, line: u32) -> Option<u32> {
        let lo = match line {
            0 => return None,
            1 => 0,
            n => self.text.match_indices('\n').nth(n as usize - 2)?.0 + 1,
        };
        let hi = self
            .text
            .get(lo..)
            .and_then(|t| t.find('\n'))
            .map_or(self.text.len(), |i| lo + i);
        let s = self
            .segs
            .iter()
            .filter(|s| s.lo <= hi && s.hi >= lo)
            .min_by_key(|s| s.lo)?;
        let at = s.off + lo.saturating_sub(s.lo).min(s.hi - s.lo);
        let upto = s.src.get(..at.min(s.src.len())).unwrap_or("");
        Some(upto.matches('\n').count() as u32 + 1)
    }
}

/// Moves `d` into the coordinates of `origin`'s snippet.
pub fn relocate(mut d: Diagnostic, origin: &Origin) -> Diagnostic {
    d.span = origin.span;
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_spans_and_lines_back_to_the_snippet() {
        let a: Rc<str> = Rc::from("int x =\n  2;");
        let b: Rc<str> = Rc::from("y + 1");
        let mut s = Synth::default();
        s.gen("class C {\n");
        s.code(1, &Code::new(&a).gen("static ").orig(0..a.len()));
        s.gen("\nvoid m() {\n");
        s.code(2, &Code::new(&b).gen("p(").orig(0..5).gen(");"));
        s.gen("\n}\n}\n");
        let y = s.text.find("y + 1").expect("y");
        let o = s.origin(Span::new(y, y + 1)).expect("mapped");
        assert_eq!((o.item, o.span), (2, Span::new(0, 1)));
        // Glue on the same line maps to the neighbouring verbatim part.
        let p = s.text.find("p(").expect("p");
        let o = s.origin(Span::new(p, p + 1)).expect("mapped");
        assert_eq!((o.item, o.span), (2, Span::new(0, 5)));
        let two = s.text.find("2;").expect("2");
        let o = s.origin(Span::new(two, two + 1)).expect("mapped");
        assert_eq!((o.item, o.span), (1, Span::new(10, 11)));
        // Lines: `2;` is on line 3 of the program, line 2 of its snippet.
        assert_eq!(s.snippet_line(3), Some(2));
        assert_eq!(s.snippet_line(2), Some(1));
        assert_eq!(s.snippet_line(1), None);
        assert_eq!(s.snippet_line(99), None);
        assert!(s.origin(Span::new(0, 1)).is_none());
    }

    #[test]
    fn code_text_and_typed() {
        let a: Rc<str> = Rc::from("f(1)");
        let c = Code::new(&a).gen("$1 = (").orig(0..4).gen(");");
        assert_eq!(c.text(), "$1 = (f(1));");
        assert_eq!(c.typed(), "f(1)");
    }
}
