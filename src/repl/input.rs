//! Reading inputs: rustyline on a terminal (prompts, editing, history in
//! `~/.semeru_history`), plain lines from a pipe (no prompts), and the rule for
//! when an input continues on the next line (brackets, a block comment or a
//! text block still open).

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::{FileHistory, History};
use rustyline::validate::Validator;
use rustyline::{Config, Context, Editor, Helper};
use std::io::BufRead;
use std::path::PathBuf;

pub const PROMPT: &str = "semeru> ";
pub const CONTINUE: &str = "   ...> ";

/// One read.
pub enum Read {
    Line(String),
    /// Ctrl-C at the prompt.
    Interrupted,
    Eof,
}

/// Tab completion: commands, keywords and the session's names.
#[derive(Default)]
pub struct Names {
    pub words: Vec<String>,
}

const COMMANDS: [&str; 7] = [
    ":help", ":quit", ":exit", ":list", ":disasm", ":heap", ":reset",
];
const WORDS: [&str; 32] = [
    "abstract",
    "boolean",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "class",
    "continue",
    "default",
    "double",
    "else",
    "extends",
    "final",
    "finally",
    "float",
    "for",
    "if",
    "implements",
    "instanceof",
    "interface",
    "long",
    "new",
    "null",
    "return",
    "short",
    "static",
    "String",
    "switch",
    "System.out.println",
    "throw",
    "while",
];

impl Completer for Names {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let before = line.get(..pos).unwrap_or("");
        let start = before
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '$' | '.' | ':')))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let word = &before[start..];
        if word.is_empty() {
            return Ok((pos, Vec::new()));
        }
        let fixed: &[&str] = if start == 0 && word.starts_with(':') {
            &COMMANDS
        } else {
            &WORDS
        };
        let mut out: Vec<String> = fixed
            .iter()
            .map(|w| w.to_string())
            .chain(self.words.iter().cloned())
            .filter(|w| w.starts_with(word) && w != word)
            .collect();
        out.sort();
        out.dedup();
        Ok((start, out))
    }
}

impl Hinter for Names {
    type Hint = String;
}
impl Highlighter for Names {}
impl Validator for Names {}
impl Helper for Names {}

pub enum Lines {
    Tty {
        editor: Box<Editor<Names, FileHistory>>,
        history: Option<PathBuf>,
    },
    Pipe(std::io::StdinLock<'static>),
}

impl Lines {
    /// A line editor when stdin is a terminal (and rustyline works there), else
    /// plain lines.
    pub fn open(tty: bool) -> Lines {
        if tty {
            let config = Config::builder().auto_add_history(false).build();
            if let Ok(mut editor) = Editor::<Names, FileHistory>::with_config(config) {
                editor.set_helper(Some(Names::default()));
                let history = history_path();
                if let Some(h) = &history {
                    // A missing or unreadable history file is not an error.
                    let _ = editor.load_history(h);
                }
                return Lines::Tty {
                    editor: Box::new(editor),
                    history,
                };
            }
        }
        Lines::Pipe(std::io::stdin().lock())
    }

    pub fn read(&mut self, prompt: &str) -> Read {
        match self {
            Lines::Tty { editor, .. } => match editor.readline(prompt) {
                Ok(l) => Read::Line(l),
                Err(ReadlineError::Interrupted) => Read::Interrupted,
                Err(_) => Read::Eof,
            },
            Lines::Pipe(stdin) => {
                let mut line = String::new();
                match stdin.read_line(&mut line) {
                    Ok(0) | Err(_) => Read::Eof,
                    Ok(_) => {
                        if line.ends_with('\n') {
                            line.pop();
                            if line.ends_with('\r') {
                                line.pop();
                            }
                        }
                        Read::Line(line)
                    }
                }
            }
        }
    }

    /// The session's names, for Tab completion.
    pub fn set_names(&mut self, words: Vec<String>) {
        if let Lines::Tty { editor, .. } = self {
            if let Some(h) = editor.helper_mut() {
                h.words = words;
            }
        }
    }

    /// Records a complete input in the history (and its file; failures to write
    /// it are ignored).
    pub fn remember(&mut self, input: &str) {
        if let Lines::Tty { editor, history } = self {
            if input.trim().is_empty() {
                return;
            }
            let _ = editor.add_history_entry(input);
            if let Some(h) = history {
                let _ = editor.history_mut().save(h);
            }
        }
    }
}

/// `$HOME/.semeru_history`, when `HOME` is set.
fn history_path() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    Some(PathBuf::from(home).join(".semeru_history"))
}

/// Whether `text` is an unfinished input: an open `(`, `[` or `{`, block
/// comment or text block. String and char literals and comments are skipped.
pub fn needs_more(text: &str) -> bool {
    let mut depth: i64 = 0;
    let open = scan(text, |_, b| match b {
        b'(' | b'[' | b'{' => depth += 1,
        b')' | b']' | b'}' => depth -= 1,
        _ => {}
    });
    open || depth > 0
}

/// Splits `text` after each `;` outside brackets, literals and comments (the
/// last range holds what follows the last such `;`, if not blank).
pub fn split_statements(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut depth: i64 = 0;
    let mut cuts = Vec::new();
    scan(text, |i, b| match b {
        b'(' | b'[' | b'{' => depth += 1,
        b')' | b']' | b'}' => depth -= 1,
        b';' if depth == 0 => cuts.push(i + 1),
        _ => {}
    });
    let mut out = Vec::new();
    let mut lo = 0;
    for c in cuts.into_iter().chain(std::iter::once(text.len())) {
        if text.get(lo..c).is_some_and(|t| !t.trim().is_empty()) {
            out.push(lo..c);
        }
        lo = c;
    }
    out
}

/// Calls `f` with each byte of code (outside comments and literals) and its
/// offset. Returns whether a block comment or text block is left open.
fn scan(text: &str, mut f: impl FnMut(usize, u8)) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => match text[i + 2..].find("*/") {
                Some(end) => i += 2 + end + 1,
                None => return true,
            },
            b'"' if text[i..].starts_with("\"\"\"") => match text[i + 3..].find("\"\"\"") {
                Some(end) => i += 3 + end + 2,
                None => return true,
            },
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q && b[i] != b'\n' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            c => f(i, c),
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{needs_more, split_statements};

    #[test]
    fn continuation() {
        assert!(needs_more("class A {"));
        assert!(needs_more("foo(1,"));
        assert!(!needs_more("class A { }"));
        assert!(!needs_more("String s = \"{\";"));
        assert!(!needs_more("char c = '{';"));
        assert!(!needs_more("int x = 1; // {"));
        assert!(needs_more("/* open"));
        assert!(!needs_more("/* { */ x"));
        assert!(needs_more("String t = \"\"\"\n  abc"));
        assert!(!needs_more("}"));
        assert!(!needs_more("String s = \"\\\"{\";"));
    }

    #[test]
    fn splits_at_top_level_semicolons() {
        let t = "int x = 2; for (;;) { a; } x * 2";
        let parts: Vec<&str> = split_statements(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(parts, ["int x = 2;", " for (;;) { a; } x * 2"]);
        assert_eq!(split_statements("s = \";\"; ").len(), 1);
    }
}
