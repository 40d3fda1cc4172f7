//! Diagnostics: spans, messages, and rendering in rustc's style.
//!
//! ```text
//! error: incompatible types: String cannot be converted to int
//!  --> Main.sem:3:17
//!   |
//! 3 |         int x = "s";
//!   |                 ^^^ expected int
//! ```

use std::fmt::Write as _;

/// A half-open byte range `[lo, hi)` in the source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub lo: u32,
    pub hi: u32,
}

impl Span {
    pub fn new(lo: usize, hi: usize) -> Span {
        Span {
            lo: lo as u32,
            hi: hi as u32,
        }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            lo: self.lo.min(other.lo),
            hi: self.hi.max(other.hi),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One message about the program, pointing at a span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// A short text printed after the carets.
    pub label: Option<String>,
    /// Extra `= note: ...` lines.
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span,
            label: None,
            notes: Vec::new(),
        }
    }
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }
    /// "not supported" diagnostic for constructs outside the Sem subset.
    pub fn unsupported(span: Span, what: &str) -> Diagnostic {
        Diagnostic::error(span, format!("{what} is not supported in Sem"))
            .with_note("Sem is a subset of Java 17; see the README for what it accepts")
    }
}

/// Maps byte offsets to 1-based line and column numbers.
pub struct LineIndex<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(src: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { src, starts }
    }
    /// 1-based (line, column); the column counts characters, not bytes.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let off = (offset as usize).min(self.src.len());
        let line = self.starts.partition_point(|&s| s <= off) - 1;
        let start = self.starts[line];
        let col = self
            .src
            .get(start..off)
            .map_or(off - start, |s| s.chars().count());
        (line + 1, col + 1)
    }
    /// The text of 1-based line `line`, without its newline.
    pub fn line_text(&self, line: usize) -> &'a str {
        let start = self.starts[line - 1];
        let end = self.starts.get(line).map_or(self.src.len(), |&e| e - 1);
        self.src
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches('\r')
    }
}

/// Renders diagnostics as rustc does, one after another, followed by a summary line.
pub fn render(file_name: &str, src: &str, diags: &[Diagnostic]) -> String {
    let index = LineIndex::new(src);
    let mut out = String::new();
    for d in diags {
        render_one(&mut out, file_name, &index, d);
    }
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if errors > 0 {
        let _ = writeln!(
            out,
            "error: could not compile `{file_name}` due to {errors} previous error{}",
            if errors == 1 { "" } else { "s" }
        );
    }
    out
}

fn render_one(out: &mut String, file: &str, index: &LineIndex, d: &Diagnostic) {
    let (line, col) = index.line_col(d.span.lo);
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let text = index.line_text(line);
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{kind}: {}", d.message);
    let _ = writeln!(out, "{pad}--> {file}:{line}:{col}");
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{line} | {}", text.replace('\t', "    "));
    // Caret line: expand tabs like the source line, cover the span on this line.
    let prefix: String = text
        .chars()
        .take(col - 1)
        .map(|c| if c == '\t' { "    " } else { " " })
        .collect();
    let (end_line, end_col) = index.line_col(d.span.hi.max(d.span.lo + 1));
    let width = if end_line == line {
        end_col.saturating_sub(col).max(1)
    } else {
        text.chars().count().saturating_sub(col - 1).max(1)
    };
    let label = d
        .label
        .as_deref()
        .map(|l| format!(" {l}"))
        .unwrap_or_default();
    let _ = writeln!(out, "{pad} | {prefix}{}{label}", "^".repeat(width));
    for n in &d.notes {
        let _ = writeln!(out, "{pad} = note: {n}");
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_col_source_and_caret() {
        let src = "class Main {\n    int x = \"s\";\n}\n";
        let lo = src.find('"').unwrap();
        let d = Diagnostic::error(Span::new(lo, lo + 3), "incompatible types").with_label("here");
        let text = render("Main.sem", src, &[d]);
        assert_eq!(
            text,
            "error: incompatible types\n --> Main.sem:2:13\n  |\n2 |     int x = \"s\";\n  |             ^^^ here\n\nerror: could not compile `Main.sem` due to 1 previous error\n"
        );
    }

    #[test]
    fn line_col_is_one_based_and_clamped() {
        let idx = LineIndex::new("ab\ncd");
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(3), (2, 1));
        assert_eq!(idx.line_col(99), (2, 3));
    }
}
