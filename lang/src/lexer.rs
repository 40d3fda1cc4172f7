//! The Sem lexer: Java 17 tokens with decoded literal values.
//!
//! Two layers. A `logos` automaton ([`Raw`]) recognises the *shape* of each token;
//! strings, characters and block comments are scanned by hand in callbacks so that an
//! unterminated one is reported precisely. [`lex`] then decodes literals (escapes,
//! radixes, underscores, suffixes), turns contextual keywords into keywords where the
//! grammar needs them, splits `>` for generics, and reports every problem as a
//! [`Diagnostic`] instead of failing: the token stream it returns is always usable.
//!
//! About `>`: the lexer never produces `>>` or `>>>` tokens. A `>` that is immediately
//! followed by another `>` becomes [`Tok::GtJoined`], so `List<List<T>>` closes two
//! type-argument lists while the grammar still reads `a >> b` as `GtJoined Gt`.

use crate::diag::{Diagnostic, Span};
use logos::Logos;

/// A token as the grammar sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Ident(String),
    /// Magnitude of an `int` literal as written (see [`crate::ast::Literal::Int`]).
    IntLit(u64),
    /// An `int` literal in hex, octal or binary whose value is negative: the payload
    /// is the magnitude of that negative value (`0xFFFFFFFF` gives `1`).
    NegIntLit(u64),
    LongLit(u64),
    /// As [`Tok::NegIntLit`], for `long`.
    NegLongLit(u64),
    FloatLit(f32),
    DoubleLit(f64),
    CharLit(u16),
    StrLit(String),

    // Keywords.
    Abstract,
    Assert,
    Boolean,
    Break,
    Byte,
    Case,
    Catch,
    Char,
    Class,
    Const,
    Continue,
    Default,
    Do,
    Double,
    Else,
    Enum,
    Extends,
    Final,
    Finally,
    Float,
    For,
    Goto,
    If,
    Implements,
    Import,
    InstanceOf,
    Int,
    Interface,
    Long,
    Native,
    New,
    Package,
    Private,
    Protected,
    Public,
    Return,
    Short,
    Static,
    Strictfp,
    Super,
    Switch,
    Synchronized,
    This,
    Throw,
    Throws,
    Transient,
    Try,
    Void,
    Volatile,
    While,
    True,
    False,
    Null,
    /// Contextual: `record Name(` / `record Name<`.
    Record,
    /// Contextual: `yield` at the start of a statement.
    Yield,
    /// Contextual: `sealed` / `non-sealed` in front of a declaration.
    Sealed,
    NonSealed,

    // Separators.
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Semi,
    Comma,
    Dot,
    Ellipsis,
    At,
    ColonColon,

    // Operators.
    Assign,
    /// `>` not immediately followed by another `>`.
    Gt,
    /// `>` immediately followed by `>` (part of `>>`, `>>>` or nested generics).
    GtJoined,
    Lt,
    /// A `<` that opens type arguments right after `(Name`, in a cast such as
    /// `(List<String>) o` or a lambda parameter `(List<String> xs) -> ..`: there a
    /// comparison is impossible, and the grammar needs to know before it reads on.
    LtGeneric,
    Bang,
    Tilde,
    Question,
    Colon,
    Arrow,
    EqEq,
    Le,
    Ge,
    Ne,
    AndAnd,
    OrOr,
    PlusPlus,
    MinusMinus,
    Plus,
    Minus,
    Star,
    Slash,
    Amp,
    Pipe,
    Caret,
    Percent,
    Shl,
    PlusAssign,
    MinusAssign,
    StarAssign,
    SlashAssign,
    AmpAssign,
    PipeAssign,
    CaretAssign,
    PercentAssign,
    ShlAssign,
    ShrAssign,
    UShrAssign,
}

/// How a string literal ended (decided by the scanning callback).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StrEnd {
    Closed,
    Unterminated,
    TextBlock,
    UnterminatedTextBlock,
}

/// The token shapes recognised by the automaton.
#[derive(Logos, Clone, Copy, Debug, PartialEq)]
#[logos(skip r"[ \t\f\r\n]+")]
#[logos(skip(r"//[^\r\n]*", allow_greedy = true))]
enum Raw {
    #[token("/*", block_comment)]
    BlockComment(bool),

    #[regex(r"[\p{L}\p{Nl}\p{Sc}\p{Pc}][\p{L}\p{Nl}\p{Sc}\p{Pc}\p{Nd}\p{Mn}\p{Mc}\p{Cf}]*")]
    Ident,

    #[regex(r"(0|[1-9]([0-9_]*[0-9])?)[lL]?", priority = 10)]
    Dec,
    #[regex(r"0[xX][0-9a-fA-F]([0-9a-fA-F_]*[0-9a-fA-F])?[lL]?", priority = 10)]
    Hex,
    #[regex(r"0[_0-7]*[0-7][lL]?", priority = 10)]
    Oct,
    #[regex(r"0[bB][01]([01_]*[01])?[lL]?", priority = 10)]
    Bin,
    #[regex(
        r"[0-9]([0-9_]*[0-9])?\.([0-9]([0-9_]*[0-9])?)?([eE][+-]?[0-9]([0-9_]*[0-9])?)?[fFdD]?",
        priority = 10
    )]
    #[regex(
        r"\.[0-9]([0-9_]*[0-9])?([eE][+-]?[0-9]([0-9_]*[0-9])?)?[fFdD]?",
        priority = 10
    )]
    #[regex(
        r"[0-9]([0-9_]*[0-9])?[eE][+-]?[0-9]([0-9_]*[0-9])?[fFdD]?",
        priority = 10
    )]
    #[regex(r"[0-9]([0-9_]*[0-9])?[fFdD]", priority = 10)]
    DecFloat,
    #[regex(r"0[xX]([0-9a-fA-F]([0-9a-fA-F_]*[0-9a-fA-F])?\.?|([0-9a-fA-F]([0-9a-fA-F_]*[0-9a-fA-F])?)?\.[0-9a-fA-F]([0-9a-fA-F_]*[0-9a-fA-F])?)[pP][+-]?[0-9]([0-9_]*[0-9])?[fFdD]?", priority = 10)]
    HexFloat,
    /// Anything else that starts like a number: reported as malformed.
    #[regex(r"[0-9][0-9a-zA-Z_]*(\.[0-9a-zA-Z_]*)?", priority = 1)]
    BadNumber,

    #[token("\"", string)]
    Str(StrEnd),
    #[token("'", char_lit)]
    Char(bool),

    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token(";")]
    Semi,
    #[token(",")]
    Comma,
    #[token(".")]
    Dot,
    #[token("...")]
    Ellipsis,
    #[token("@")]
    At,
    #[token("::")]
    ColonColon,
    #[token("=")]
    Assign,
    #[token(">")]
    Gt,
    #[token("<")]
    Lt,
    #[token("!")]
    Bang,
    #[token("~")]
    Tilde,
    #[token("?")]
    Question,
    #[token(":")]
    Colon,
    #[token("->")]
    Arrow,
    #[token("==")]
    EqEq,
    #[token("<=")]
    Le,
    #[token(">=")]
    Ge,
    #[token("!=")]
    Ne,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,
    #[token("++")]
    PlusPlus,
    #[token("--")]
    MinusMinus,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("^")]
    Caret,
    #[token("%")]
    Percent,
    #[token("<<")]
    Shl,
    #[token("+=")]
    PlusAssign,
    #[token("-=")]
    MinusAssign,
    #[token("*=")]
    StarAssign,
    #[token("/=")]
    SlashAssign,
    #[token("&=")]
    AmpAssign,
    #[token("|=")]
    PipeAssign,
    #[token("^=")]
    CaretAssign,
    #[token("%=")]
    PercentAssign,
    #[token("<<=")]
    ShlAssign,
    #[token(">>=")]
    ShrAssign,
    #[token(">>>=")]
    UShrAssign,
}

/// Skips a block comment; `false` when it is unterminated (runs to end of file).
fn block_comment(lex: &mut logos::Lexer<Raw>) -> bool {
    match lex.remainder().find("*/") {
        Some(i) => {
            lex.bump(i + 2);
            true
        }
        None => {
            lex.bump(lex.remainder().len());
            false
        }
    }
}

/// Scans a string literal (the opening `"` is already consumed) or a text block.
fn string(lex: &mut logos::Lexer<Raw>) -> StrEnd {
    let rest = lex.remainder();
    if let Some(after) = rest.strip_prefix("\"\"") {
        // `"""`: a text block runs to the next unescaped `"""`.
        let bytes = after.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' if after[i..].starts_with("\"\"\"") => {
                    lex.bump(2 + i + 3);
                    return StrEnd::TextBlock;
                }
                _ => i += 1,
            }
        }
        // `""` is an ordinary empty string when nothing follows on the line.
        if after.starts_with(['\n', '\r']) || after.is_empty() {
            lex.bump(lex.remainder().len());
            return StrEnd::UnterminatedTextBlock;
        }
    }
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                lex.bump(i + 1);
                return StrEnd::Closed;
            }
            b'\\' if i + 1 < bytes.len() && !matches!(bytes[i + 1], b'\n' | b'\r') => i += 2,
            b'\n' | b'\r' => break,
            _ => i += 1,
        }
    }
    lex.bump(i.min(bytes.len()));
    StrEnd::Unterminated
}

/// Scans a char literal (the opening `'` is already consumed); `false` if unterminated.
///
/// Reads one character or escape, then expects `'`. A longer body such as `'ab'` is
/// taken whole (and reported later) when its `'` comes before the end of the line or
/// a `;`; otherwise only the first character is consumed.
fn char_lit(lex: &mut logos::Lexer<Raw>) -> bool {
    let rest = lex.remainder();
    let mut chars = rest.char_indices().peekable();
    let first_end = match chars.next() {
        None => return false,
        Some((_, '\'')) => {
            // `''`: empty; consume the second quote so it does not start a literal.
            lex.bump(1);
            return true;
        }
        Some((_, '\n' | '\r')) => return false,
        Some((_, '\\')) => match chars.next() {
            Some((_, 'u')) => {
                let mut end = 2;
                while rest[end..].starts_with('u') {
                    end += 1;
                }
                let hex = rest[end..]
                    .bytes()
                    .take(4)
                    .take_while(u8::is_ascii_hexdigit)
                    .count();
                end + hex
            }
            Some((i, c @ '0'..='7')) => {
                let max = if c <= '3' { 3 } else { 2 };
                i + rest[i..]
                    .bytes()
                    .take(max)
                    .take_while(|b| (b'0'..=b'7').contains(b))
                    .count()
            }
            Some((i, '\n' | '\r')) => i,
            Some((i, c)) => i + c.len_utf8(),
            None => rest.len(),
        },
        Some((i, c)) => i + c.len_utf8(),
    };
    if rest[first_end..].starts_with('\'') {
        lex.bump(first_end + 1);
        return true;
    }
    match rest[first_end..].find(['\'', '\n', '\r', ';']) {
        Some(j) if rest[first_end + j..].starts_with('\'') => {
            lex.bump(first_end + j + 1);
            true
        }
        _ => {
            lex.bump(first_end);
            false
        }
    }
}

/// Lexes a whole file. Never fails: problems become diagnostics and the offending
/// text is either skipped or turned into a best-effort token.
pub fn lex(src: &str) -> (Vec<(usize, Tok, usize)>, Vec<Diagnostic>) {
    let mut toks: Vec<(usize, Tok, usize)> = Vec::new();
    let mut diags = Vec::new();
    let mut raw = Raw::lexer(src);
    while let Some(r) = raw.next() {
        let range = raw.span();
        let (lo, hi) = (range.start, range.end);
        let span = Span::new(lo, hi);
        let text = raw.slice();
        let tok = match r {
            Err(()) => {
                let c = text.chars().next().unwrap_or(' ');
                let msg = if c == '\\' && src[hi..].starts_with('u') {
                    "unicode escapes outside literals are not supported in Sem".to_string()
                } else if c == '#' || c.is_control() || !c.is_ascii() {
                    format!("unexpected character `{}`", c.escape_default())
                } else {
                    format!("unexpected character `{c}`")
                };
                diags.push(Diagnostic::error(span, msg));
                continue;
            }
            Ok(Raw::BlockComment(closed)) => {
                if !closed {
                    diags.push(
                        Diagnostic::error(Span::new(lo, lo + 2), "unterminated block comment")
                            .with_label("this comment is never closed"),
                    );
                }
                continue;
            }
            Ok(Raw::Ident) => keyword(text).unwrap_or_else(|| Tok::Ident(text.to_string())),
            Ok(Raw::Dec) => int_literal(text, 10, span, &mut diags),
            Ok(Raw::Hex) => int_literal(&text[2..], 16, span, &mut diags),
            Ok(Raw::Oct) => int_literal(&text[1..], 8, span, &mut diags),
            Ok(Raw::Bin) => int_literal(&text[2..], 2, span, &mut diags),
            Ok(Raw::DecFloat) => dec_float(text, span, &mut diags),
            Ok(Raw::HexFloat) => hex_float(text, span, &mut diags),
            Ok(Raw::BadNumber) => {
                diags.push(Diagnostic::error(
                    span,
                    format!("malformed number `{text}`"),
                ));
                Tok::IntLit(0)
            }
            Ok(Raw::Str(end)) => string_token(text, end, span, &mut diags),
            Ok(Raw::Char(closed)) => char_token(text, closed, span, &mut diags),
            Ok(op) => match punct(op) {
                Some(t) => t,
                None => continue,
            },
        };
        toks.push((lo, tok, hi));
    }
    contextual(&mut toks);
    (toks, diags)
}

fn keyword(s: &str) -> Option<Tok> {
    Some(match s {
        "abstract" => Tok::Abstract,
        "assert" => Tok::Assert,
        "boolean" => Tok::Boolean,
        "break" => Tok::Break,
        "byte" => Tok::Byte,
        "case" => Tok::Case,
        "catch" => Tok::Catch,
        "char" => Tok::Char,
        "class" => Tok::Class,
        "const" => Tok::Const,
        "continue" => Tok::Continue,
        "default" => Tok::Default,
        "do" => Tok::Do,
        "double" => Tok::Double,
        "else" => Tok::Else,
        "enum" => Tok::Enum,
        "extends" => Tok::Extends,
        "final" => Tok::Final,
        "finally" => Tok::Finally,
        "float" => Tok::Float,
        "for" => Tok::For,
        "goto" => Tok::Goto,
        "if" => Tok::If,
        "implements" => Tok::Implements,
        "import" => Tok::Import,
        "instanceof" => Tok::InstanceOf,
        "int" => Tok::Int,
        "interface" => Tok::Interface,
        "long" => Tok::Long,
        "native" => Tok::Native,
        "new" => Tok::New,
        "package" => Tok::Package,
        "private" => Tok::Private,
        "protected" => Tok::Protected,
        "public" => Tok::Public,
        "return" => Tok::Return,
        "short" => Tok::Short,
        "static" => Tok::Static,
        "strictfp" => Tok::Strictfp,
        "super" => Tok::Super,
        "switch" => Tok::Switch,
        "synchronized" => Tok::Synchronized,
        "this" => Tok::This,
        "throw" => Tok::Throw,
        "throws" => Tok::Throws,
        "transient" => Tok::Transient,
        "try" => Tok::Try,
        "void" => Tok::Void,
        "volatile" => Tok::Volatile,
        "while" => Tok::While,
        "true" => Tok::True,
        "false" => Tok::False,
        "null" => Tok::Null,
        _ => return None,
    })
}

/// The token for an operator or separator shape (`None` for the shapes `lex` decodes).
fn punct(r: Raw) -> Option<Tok> {
    Some(match r {
        Raw::LParen => Tok::LParen,
        Raw::RParen => Tok::RParen,
        Raw::LBrace => Tok::LBrace,
        Raw::RBrace => Tok::RBrace,
        Raw::LBracket => Tok::LBracket,
        Raw::RBracket => Tok::RBracket,
        Raw::Semi => Tok::Semi,
        Raw::Comma => Tok::Comma,
        Raw::Dot => Tok::Dot,
        Raw::Ellipsis => Tok::Ellipsis,
        Raw::At => Tok::At,
        Raw::ColonColon => Tok::ColonColon,
        Raw::Assign => Tok::Assign,
        Raw::Gt => Tok::Gt,
        Raw::Lt => Tok::Lt,
        Raw::Bang => Tok::Bang,
        Raw::Tilde => Tok::Tilde,
        Raw::Question => Tok::Question,
        Raw::Colon => Tok::Colon,
        Raw::Arrow => Tok::Arrow,
        Raw::EqEq => Tok::EqEq,
        Raw::Le => Tok::Le,
        Raw::Ge => Tok::Ge,
        Raw::Ne => Tok::Ne,
        Raw::AndAnd => Tok::AndAnd,
        Raw::OrOr => Tok::OrOr,
        Raw::PlusPlus => Tok::PlusPlus,
        Raw::MinusMinus => Tok::MinusMinus,
        Raw::Plus => Tok::Plus,
        Raw::Minus => Tok::Minus,
        Raw::Star => Tok::Star,
        Raw::Slash => Tok::Slash,
        Raw::Amp => Tok::Amp,
        Raw::Pipe => Tok::Pipe,
        Raw::Caret => Tok::Caret,
        Raw::Percent => Tok::Percent,
        Raw::Shl => Tok::Shl,
        Raw::PlusAssign => Tok::PlusAssign,
        Raw::MinusAssign => Tok::MinusAssign,
        Raw::StarAssign => Tok::StarAssign,
        Raw::SlashAssign => Tok::SlashAssign,
        Raw::AmpAssign => Tok::AmpAssign,
        Raw::PipeAssign => Tok::PipeAssign,
        Raw::CaretAssign => Tok::CaretAssign,
        Raw::PercentAssign => Tok::PercentAssign,
        Raw::ShlAssign => Tok::ShlAssign,
        Raw::ShrAssign => Tok::ShrAssign,
        Raw::UShrAssign => Tok::UShrAssign,
        // Literal, identifier and comment shapes are decoded by `lex`.
        Raw::BlockComment(_)
        | Raw::Ident
        | Raw::Dec
        | Raw::Hex
        | Raw::Oct
        | Raw::Bin
        | Raw::DecFloat
        | Raw::HexFloat
        | Raw::BadNumber
        | Raw::Str(_)
        | Raw::Char(_) => return None,
    })
}

/// Context-dependent rewrites: contextual keywords and `>` joining.
fn contextual(toks: &mut [(usize, Tok, usize)]) {
    for i in 0..toks.len() {
        let next = toks.get(i + 1).map(|t| &t.1);
        let next2 = toks.get(i + 2).map(|t| &t.1);
        let prev = if i > 0 {
            toks.get(i - 1).map(|t| &t.1)
        } else {
            None
        };
        let new = match &toks[i].1 {
            Tok::Gt => {
                let adjacent = toks.get(i + 1).is_some_and(|n| n.0 == toks[i].2);
                (adjacent && matches!(next, Some(Tok::Gt | Tok::GtJoined))).then_some(Tok::GtJoined)
            }
            Tok::Ident(s) if s == "record" => (matches!(next, Some(Tok::Ident(_)))
                && matches!(next2, Some(Tok::LParen | Tok::Lt)))
            .then_some(Tok::Record),
            Tok::Ident(s) if s == "yield" => {
                let stmt_start = matches!(
                    prev,
                    Some(Tok::Semi | Tok::LBrace | Tok::RBrace | Tok::Colon | Tok::Arrow)
                );
                let not_expr = !matches!(
                    next,
                    Some(
                        Tok::Assign
                            | Tok::Dot
                            | Tok::LBracket
                            | Tok::PlusPlus
                            | Tok::MinusMinus
                            | Tok::PlusAssign
                            | Tok::MinusAssign
                            | Tok::StarAssign
                            | Tok::SlashAssign
                            | Tok::AmpAssign
                            | Tok::PipeAssign
                            | Tok::CaretAssign
                            | Tok::PercentAssign
                            | Tok::ShlAssign
                            | Tok::ShrAssign
                            | Tok::UShrAssign
                            | Tok::Colon
                            | Tok::Semi
                    )
                );
                (stmt_start && not_expr).then_some(Tok::Yield)
            }
            Tok::Ident(s) if s == "sealed" => matches!(
                next,
                Some(
                    Tok::Class
                        | Tok::Interface
                        | Tok::Abstract
                        | Tok::Public
                        | Tok::Private
                        | Tok::Protected
                        | Tok::Static
                        | Tok::Final
                        | Tok::Strictfp
                )
            )
            .then_some(Tok::Sealed),
            _ => None,
        };
        if let Some(t) = new {
            toks[i].1 = t;
        }
    }
    // `non-sealed` arrives as `non` `-` `sealed` with no spaces.
    for i in 0..toks.len().saturating_sub(2) {
        if matches!(&toks[i].1, Tok::Ident(s) if s == "non")
            && toks[i + 1].1 == Tok::Minus
            && (matches!(&toks[i + 2].1, Tok::Ident(s) if s == "sealed")
                || toks[i + 2].1 == Tok::Sealed)
            && toks[i].2 == toks[i + 1].0
            && toks[i + 1].2 == toks[i + 2].0
        {
            // Collapse into one token covering all three; the other two become no-ops
            // by being removed below.
            toks[i].1 = Tok::NonSealed;
            toks[i].2 = toks[i + 2].2;
            toks[i + 1].1 = Tok::NonSealed;
            toks[i + 2].1 = Tok::NonSealed;
        }
    }
}

/// Finds `( Name <...> [.Name<...>]* ([])* )` and `( Name <...> ... Ident` and marks
/// the `<` as [`Tok::LtGeneric`]. A comparison cannot look like that: `a < b >`
/// needs an operand after the `>`, and neither `)` nor an identifier alone can be one.
fn mark_generic_casts(toks: &mut [(usize, Tok, usize)]) {
    fn tok(toks: &[(usize, Tok, usize)], i: usize) -> Option<&Tok> {
        toks.get(i).map(|t| &t.1)
    }
    for i in 0..toks.len() {
        if toks[i].1 != Tok::LParen || !matches!(tok(toks, i + 1), Some(Tok::Ident(_))) {
            continue;
        }
        let mut j = i + 2;
        while tok(toks, j) == Some(&Tok::Dot) && matches!(tok(toks, j + 1), Some(Tok::Ident(_))) {
            j += 2;
        }
        if tok(toks, j) != Some(&Tok::Lt) {
            continue;
        }
        let lt = j;
        let Some(mut k) = skip_type_args(toks, j) else {
            continue;
        };
        loop {
            match (tok(toks, k), tok(toks, k + 1)) {
                (Some(Tok::Dot), Some(Tok::Ident(_))) => {
                    k += 2;
                    if tok(toks, k) == Some(&Tok::Lt) {
                        match skip_type_args(toks, k) {
                            Some(e) => k = e,
                            None => break,
                        }
                    }
                }
                (Some(Tok::LBracket), Some(Tok::RBracket)) => k += 2,
                _ => break,
            }
        }
        if matches!(tok(toks, k), Some(Tok::RParen | Tok::Ident(_))) {
            toks[lt].1 = Tok::LtGeneric;
        }
    }
}

/// With `toks[start]` a `<`, the index just past its matching `>` if everything in
/// between can appear in type arguments.
fn skip_type_args(toks: &[(usize, Tok, usize)], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().skip(start) {
        match t.1 {
            Tok::Lt => depth += 1,
            Tok::Gt | Tok::GtJoined => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(k + 1);
                }
            }
            Tok::Ident(_)
            | Tok::Dot
            | Tok::Comma
            | Tok::Question
            | Tok::Extends
            | Tok::Super
            | Tok::Amp
            | Tok::LBracket
            | Tok::RBracket
            | Tok::At
            | Tok::Boolean
            | Tok::Byte
            | Tok::Short
            | Tok::Char
            | Tok::Int
            | Tok::Long
            | Tok::Float
            | Tok::Double => {}
            _ => return None,
        }
    }
    None
}

/// Removes the duplicate `NonSealed` placeholders left by [`contextual`].
fn dedup_non_sealed(toks: &mut Vec<(usize, Tok, usize)>) {
    let mut last_end = None;
    toks.retain(|t| {
        if t.1 == Tok::NonSealed {
            if let Some(end) = last_end {
                if t.2 <= end {
                    return false;
                }
            }
            last_end = Some(t.2);
        }
        true
    });
}

/// Lexes and cleans up; the entry point the parser uses.
pub(crate) fn lex_for_parser(src: &str) -> (Vec<(usize, Tok, usize)>, Vec<Diagnostic>) {
    let (mut toks, diags) = lex(src);
    dedup_non_sealed(&mut toks);
    mark_generic_casts(&mut toks);
    (toks, diags)
}

fn int_literal(text: &str, radix: u32, span: Span, diags: &mut Vec<Diagnostic>) -> Tok {
    let (digits, long) = match text.strip_suffix(['l', 'L']) {
        Some(d) => (d, true),
        None => (text, false),
    };
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    let value = if digits.is_empty() {
        Some(0)
    } else {
        u64::from_str_radix(&digits, radix).ok()
    };
    let too_large = || Diagnostic::error(span, "integer number too large");
    let Some(v) = value else {
        diags.push(too_large());
        return if long {
            Tok::LongLit(0)
        } else {
            Tok::IntLit(0)
        };
    };
    match (long, radix) {
        (false, 10) => {
            if v > 1 << 31 {
                diags.push(too_large());
                return Tok::IntLit(0);
            }
            Tok::IntLit(v)
        }
        (true, 10) => {
            if v > 1 << 63 {
                diags.push(too_large());
                return Tok::LongLit(0);
            }
            Tok::LongLit(v)
        }
        (false, _) => {
            if v > u64::from(u32::MAX) {
                diags.push(too_large());
                return Tok::IntLit(0);
            }
            if v > i32::MAX as u64 {
                Tok::NegIntLit((1u64 << 32) - v)
            } else {
                Tok::IntLit(v)
            }
        }
        (true, _) => {
            if v > i64::MAX as u64 {
                Tok::NegLongLit(v.wrapping_neg())
            } else {
                Tok::LongLit(v)
            }
        }
    }
}

fn float_range_check(
    is_zero: bool,
    inf: bool,
    zero: bool,
    span: Span,
    diags: &mut Vec<Diagnostic>,
) {
    if inf {
        diags.push(Diagnostic::error(span, "floating-point number too large"));
    } else if zero && !is_zero {
        diags.push(Diagnostic::error(span, "floating-point number too small"));
    }
}

fn dec_float(text: &str, span: Span, diags: &mut Vec<Diagnostic>) -> Tok {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    let (body, is_float) = match clean.as_bytes().last() {
        Some(b'f' | b'F') => (&clean[..clean.len() - 1], true),
        Some(b'd' | b'D') => (&clean[..clean.len() - 1], false),
        _ => (clean.as_str(), false),
    };
    // The mantissa is zero iff it has no non-zero digit before any exponent.
    let mantissa = body.split(['e', 'E']).next().unwrap_or("");
    let is_zero = !mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b));
    if is_float {
        let v: f32 = body.parse().unwrap_or(0.0);
        float_range_check(is_zero, v.is_infinite(), v == 0.0, span, diags);
        Tok::FloatLit(if v.is_infinite() { 0.0 } else { v })
    } else {
        let v: f64 = body.parse().unwrap_or(0.0);
        float_range_check(is_zero, v.is_infinite(), v == 0.0, span, diags);
        Tok::DoubleLit(if v.is_infinite() { 0.0 } else { v })
    }
}

fn hex_float(text: &str, span: Span, diags: &mut Vec<Diagnostic>) -> Tok {
    let clean: String = text[2..].chars().filter(|&c| c != '_').collect();
    let (body, is_float) = match clean.as_bytes().last() {
        Some(b'f' | b'F') => (&clean[..clean.len() - 1], true),
        Some(b'd' | b'D') => (&clean[..clean.len() - 1], false),
        _ => (clean.as_str(), false),
    };
    let (mant, exp) = body.split_once(['p', 'P']).unwrap_or((body, "0"));
    let exp: i64 = exp.parse().unwrap_or(if exp.starts_with('-') {
        -100_000
    } else {
        100_000
    });
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    // Accumulate up to 120 significant bits exactly; later bits only set `sticky`.
    let mut m: u128 = 0;
    let mut bits_exp: i64 = 0; // value = m * 2^bits_exp * 2^exp
    let mut sticky = false;
    let mut seen = false;
    for (is_frac, c) in int_part
        .chars()
        .map(|c| (false, c))
        .chain(frac_part.chars().map(|c| (true, c)))
    {
        let d = c.to_digit(16).unwrap_or(0) as u128;
        seen |= d != 0;
        if m >> 116 == 0 {
            m = (m << 4) | d;
            if is_frac {
                bits_exp -= 4;
            }
        } else {
            sticky |= d != 0;
            if !is_frac {
                bits_exp += 4;
            }
        }
    }
    let (mbits, emin, emax) = if is_float {
        (24, -149i64, 127i64)
    } else {
        (53, -1074, 1023)
    };
    let v = round_binary(m, sticky, bits_exp.saturating_add(exp), mbits, emin, emax);
    let (inf, zero) = (v.is_infinite(), v == 0.0);
    float_range_check(!seen, inf, zero, span, diags);
    let v = if inf { 0.0 } else { v };
    if is_float {
        Tok::FloatLit(v as f32)
    } else {
        Tok::DoubleLit(v)
    }
}

/// Correctly rounds `m * 2^e` (plus a sticky tail) to a binary float with `mbits`
/// significant bits, smallest subnormal exponent `emin` and largest exponent `emax`.
/// Returns an `f64` that holds the rounded value exactly (also for `f32`).
fn round_binary(m: u128, sticky: bool, e: i64, mbits: u32, emin: i64, emax: i64) -> f64 {
    if m == 0 {
        return 0.0;
    }
    let len = 128 - m.leading_zeros() as i64; // bit length of m
                                              // Exponent of the lowest kept bit: normally len - mbits, but not below emin.
    let top = e + len - 1; // exponent of the leading bit
    if top > emax {
        return f64::INFINITY;
    }
    let low = (top - (mbits as i64 - 1)).max(emin);
    let shift = low - e; // how many low bits of m to drop
    let (mut q, round_up) = if shift <= 0 {
        (m << (-shift).min(127) as u32, false)
    } else if shift >= 128 {
        (0u128, false) // everything is below half of the smallest subnormal
    } else {
        let q = m >> shift as u32;
        let rem = m & ((1u128 << shift as u32) - 1);
        let half = 1u128 << (shift as u32 - 1);
        let up = rem > half || (rem == half && (sticky || q & 1 == 1));
        (q, up)
    };
    if round_up {
        q += 1;
    }
    // q * 2^low, exact in f64 when q < 2^54.
    let mut v = q as f64;
    let mut k = low;
    while k > 0 {
        let s = k.min(1000);
        v *= 2f64.powi(s as i32);
        k -= s;
    }
    while k < 0 {
        let s = (-k).min(1000);
        v /= 2f64.powi(s as i32);
        k += s;
    }
    if mbits == 24 && (v as f32).is_infinite() {
        return f64::INFINITY;
    }
    v
}

/// Decodes the escapes of a literal body into UTF-16 code units.
fn decode_escapes(body: &str, base: usize, diags: &mut Vec<Diagnostic>) -> Vec<u16> {
    let mut out = Vec::with_capacity(body.len());
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < body.len() {
        let c = match body[i..].chars().next() {
            Some(c) => c,
            None => break,
        };
        if c != '\\' {
            let mut buf = [0u16; 2];
            out.extend_from_slice(c.encode_utf16(&mut buf));
            i += c.len_utf8();
            continue;
        }
        let start = i;
        let Some(&e) = bytes.get(i + 1) else {
            diags.push(Diagnostic::error(
                Span::new(base + i, base + i + 1),
                "illegal escape character",
            ));
            break;
        };
        i += 2;
        let unit = match e {
            b'b' => 8,
            b't' => 9,
            b'n' => 10,
            b'f' => 12,
            b'r' => 13,
            b's' => 32,
            b'"' => 34,
            b'\'' => 39,
            b'\\' => 92,
            b'0'..=b'7' => {
                let max_len = if e <= b'3' { 3 } else { 2 };
                let mut v = u16::from(e - b'0');
                let mut n = 1;
                while n < max_len {
                    match bytes.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u16::from(d - b'0');
                            i += 1;
                            n += 1;
                        }
                        _ => break,
                    }
                }
                v
            }
            b'u' => {
                while bytes.get(i) == Some(&b'u') {
                    i += 1;
                }
                let hex = body.get(i..i + 4).unwrap_or("");
                match (hex.len() == 4 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
                    .then(|| u16::from_str_radix(hex, 16).ok())
                    .flatten()
                {
                    Some(v) => {
                        i += 4;
                        v
                    }
                    None => {
                        diags.push(Diagnostic::error(
                            Span::new(base + start, base + i),
                            "illegal unicode escape",
                        ));
                        continue;
                    }
                }
            }
            _ => {
                // Step over the whole escaped character, which may be multi-byte.
                let c = body[start + 1..].chars().next().unwrap_or(' ');
                i = start + 1 + c.len_utf8();
                diags.push(
                    Diagnostic::error(Span::new(base + start, base + i), "illegal escape character")
                        .with_note("valid escapes are \\b \\t \\n \\f \\r \\s \\\" \\' \\\\, octal \\0 to \\377 and \\uXXXX"),
                );
                continue;
            }
        };
        out.push(unit);
    }
    out
}

fn string_token(text: &str, end: StrEnd, span: Span, diags: &mut Vec<Diagnostic>) -> Tok {
    let lo = span.lo as usize;
    match end {
        StrEnd::Closed => {
            let body = &text[1..text.len() - 1];
            let units = decode_escapes(body, lo + 1, diags);
            Tok::StrLit(String::from_utf16_lossy(&units))
        }
        StrEnd::Unterminated => {
            diags.push(
                Diagnostic::error(span, "unterminated string literal")
                    .with_label("missing closing `\"`"),
            );
            let units = decode_escapes(&text[1..], lo + 1, &mut Vec::new());
            Tok::StrLit(String::from_utf16_lossy(&units))
        }
        StrEnd::TextBlock | StrEnd::UnterminatedTextBlock => {
            let mut d = Diagnostic::unsupported(Span::new(lo, lo + 3), "a text block");
            if end == StrEnd::UnterminatedTextBlock {
                d = Diagnostic::error(Span::new(lo, lo + 3), "unterminated text block");
            }
            diags.push(d);
            Tok::StrLit(String::new())
        }
    }
}

fn char_token(text: &str, closed: bool, span: Span, diags: &mut Vec<Diagnostic>) -> Tok {
    if !closed {
        let msg = if text == "'" || text.starts_with("''") {
            "empty character literal"
        } else {
            "unterminated character literal"
        };
        diags.push(Diagnostic::error(span, msg));
        return Tok::CharLit(0);
    }
    let body = &text[1..text.len() - 1];
    if body.is_empty() {
        diags.push(Diagnostic::error(span, "empty character literal"));
        return Tok::CharLit(0);
    }
    let mut local = Vec::new();
    let units = decode_escapes(body, span.lo as usize + 1, &mut local);
    let bad = !local.is_empty();
    diags.extend(local);
    match units.as_slice() {
        [u] => Tok::CharLit(*u),
        _ => {
            if !bad {
                diags.push(
                    Diagnostic::error(span, "character literal must contain exactly one character")
                        .with_note("use a string literal (double quotes) for text"),
                );
            }
            Tok::CharLit(units.first().copied().unwrap_or(0))
        }
    }
}

/// The source text a token kind is written as, for error messages.
pub fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Ident(s) => format!("identifier `{s}`"),
        Tok::IntLit(_) | Tok::NegIntLit(_) | Tok::LongLit(_) | Tok::NegLongLit(_) => {
            "integer literal".into()
        }
        Tok::FloatLit(_) | Tok::DoubleLit(_) => "floating-point literal".into(),
        Tok::CharLit(_) => "character literal".into(),
        Tok::StrLit(_) => "string literal".into(),
        other => format!("{other:?}"),
    }
}

/// Debug helper for snapshots: every token as `Debug` text with its span.
pub fn tokens(src: &str) -> Vec<(String, Span)> {
    let (toks, _) = lex_for_parser(src);
    toks.into_iter()
        .map(|(lo, t, hi)| (format!("{t:?}"), Span::new(lo, hi)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(src: &str) -> Tok {
        let (toks, diags) = lex_for_parser(src);
        assert!(diags.is_empty(), "{src}: {diags:?}");
        assert_eq!(toks.len(), 1, "{src}: {toks:?}");
        toks[0].1.clone()
    }

    fn errs(src: &str) -> Vec<String> {
        lex_for_parser(src)
            .1
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    fn kinds(src: &str) -> Vec<Tok> {
        lex_for_parser(src).0.into_iter().map(|t| t.1).collect()
    }

    #[test]
    fn integers_in_every_radix() {
        assert_eq!(one("0"), Tok::IntLit(0));
        assert_eq!(one("123"), Tok::IntLit(123));
        assert_eq!(one("1_000_000"), Tok::IntLit(1_000_000));
        assert_eq!(one("2147483648"), Tok::IntLit(2147483648));
        assert_eq!(one("0x7fff_ffff"), Tok::IntLit(0x7fff_ffff));
        assert_eq!(one("0xFFFFFFFF"), Tok::NegIntLit(1));
        assert_eq!(one("0x80000000"), Tok::NegIntLit(1 << 31));
        assert_eq!(one("017"), Tok::IntLit(15));
        assert_eq!(one("0_7"), Tok::IntLit(7));
        assert_eq!(one("0b1010"), Tok::IntLit(10));
        assert_eq!(one("0B1_1"), Tok::IntLit(3));
        assert_eq!(one("10L"), Tok::LongLit(10));
        assert_eq!(one("9223372036854775808L"), Tok::LongLit(1 << 63));
        assert_eq!(one("0xFFFFFFFFFFFFFFFFL"), Tok::NegLongLit(1));
        assert_eq!(one("0x7fffffffffffffffl"), Tok::LongLit(i64::MAX as u64));
    }

    #[test]
    fn bad_integers() {
        assert_eq!(errs("2147483649"), ["integer number too large"]);
        assert_eq!(errs("0x1_0000_0000"), ["integer number too large"]);
        assert_eq!(errs("9223372036854775809L"), ["integer number too large"]);
        assert_eq!(
            errs("99999999999999999999999"),
            ["integer number too large"]
        );
        assert_eq!(errs("1_"), ["malformed number `1_`"]);
        assert_eq!(errs("0x"), ["malformed number `0x`"]);
        assert_eq!(errs("09"), ["malformed number `09`"]);
        assert_eq!(errs("12abc"), ["malformed number `12abc`"]);
    }

    #[test]
    fn floats_in_every_form() {
        assert_eq!(one("1."), Tok::DoubleLit(1.0));
        assert_eq!(one(".5"), Tok::DoubleLit(0.5));
        assert_eq!(one("1e10"), Tok::DoubleLit(1e10));
        assert_eq!(one("1.5e-3"), Tok::DoubleLit(1.5e-3));
        assert_eq!(one("1.5f"), Tok::FloatLit(1.5));
        assert_eq!(one("2d"), Tok::DoubleLit(2.0));
        assert_eq!(one("3F"), Tok::FloatLit(3.0));
        assert_eq!(one("1_0.2_5"), Tok::DoubleLit(10.25));
        assert_eq!(one("0.1f"), Tok::FloatLit(0.1f32));
        assert_eq!(one("0x1p3"), Tok::DoubleLit(8.0));
        assert_eq!(one("0x1.8p1"), Tok::DoubleLit(3.0));
        assert_eq!(one("0x.8p0"), Tok::DoubleLit(0.5));
        assert_eq!(one("0x1P-2f"), Tok::FloatLit(0.25));
        assert_eq!(one("0x1.fffffffffffffp1023"), Tok::DoubleLit(f64::MAX));
        assert_eq!(
            one("0x0.0000000000001P-1022"),
            Tok::DoubleLit(f64::from_bits(1))
        );
        assert_eq!(one("4.9e-324"), Tok::DoubleLit(f64::from_bits(1)));
        assert_eq!(one("1.4e-45f"), Tok::FloatLit(f32::from_bits(1)));
        assert_eq!(one("0.0"), Tok::DoubleLit(0.0));
        assert_eq!(one("0e5"), Tok::DoubleLit(0.0));
    }

    #[test]
    fn bad_floats() {
        assert_eq!(errs("1e999"), ["floating-point number too large"]);
        assert_eq!(errs("1e-999"), ["floating-point number too small"]);
        assert_eq!(errs("1e39f"), ["floating-point number too large"]);
        assert_eq!(errs("0x1p-2000"), ["floating-point number too small"]);
        assert_eq!(errs("1e"), ["malformed number `1e`"]);
    }

    #[test]
    fn number_next_to_operators() {
        assert_eq!(kinds("0xE+1"), [Tok::IntLit(14), Tok::Plus, Tok::IntLit(1)]);
        assert_eq!(kinds("1+2"), [Tok::IntLit(1), Tok::Plus, Tok::IntLit(2)]);
        assert_eq!(
            kinds("a.length"),
            [
                Tok::Ident("a".into()),
                Tok::Dot,
                Tok::Ident("length".into())
            ]
        );
    }

    #[test]
    fn char_literals_and_escapes() {
        assert_eq!(one("'a'"), Tok::CharLit(97));
        assert_eq!(one(r"'\n'"), Tok::CharLit(10));
        assert_eq!(one(r"'\''"), Tok::CharLit(39));
        assert_eq!(one(r"'\\'"), Tok::CharLit(92));
        assert_eq!(one(r"'\0'"), Tok::CharLit(0));
        assert_eq!(one(r"'\377'"), Tok::CharLit(255));
        assert_eq!(one(r"'\u0041'"), Tok::CharLit(65));
        assert_eq!(one(r"'\uuu0041'"), Tok::CharLit(65));
        assert_eq!(one(r"'\uD83D'"), Tok::CharLit(0xD83D));
        assert_eq!(one("'é'"), Tok::CharLit(0xE9));
        assert_eq!(one(r"'\s'"), Tok::CharLit(32));
        assert_eq!(one("';'"), Tok::CharLit(59));
        assert_eq!(one("'\"'"), Tok::CharLit(34));
        assert_eq!(errs("''"), ["empty character literal"]);
        assert_eq!(errs("'a; x = 1;"), ["unterminated character literal"]);
        assert_eq!(kinds("'a; x").len(), 3);
        assert_eq!(
            errs("'ab'"),
            ["character literal must contain exactly one character"]
        );
        assert_eq!(errs(r"'\q'"), ["illegal escape character"]);
        assert_eq!(errs("'a"), ["unterminated character literal"]);
        assert_eq!(errs(r"'\u00G1'"), ["illegal unicode escape"]);
    }

    #[test]
    fn string_literals_and_escapes() {
        assert_eq!(one(r#""""#), Tok::StrLit(String::new()));
        assert_eq!(one(r#""a\tb\n""#), Tok::StrLit("a\tb\n".into()));
        assert_eq!(one(r#""\"q\" \\ \'""#), Tok::StrLit("\"q\" \\ '".into()));
        assert_eq!(one(r#""\101\60\0""#), Tok::StrLit("A0\0".into()));
        assert_eq!(one(r#""\1234""#), Tok::StrLit("S4".into()));
        assert_eq!(one(r#""\u00e9\uD83D\uDE00""#), Tok::StrLit("é😀".into()));
        assert_eq!(one(r#""\b\f\r""#), Tok::StrLit("\u{8}\u{c}\r".into()));
        assert_eq!(one("\"héllo wörld\""), Tok::StrLit("héllo wörld".into()));
        assert_eq!(errs("\"abc"), ["unterminated string literal"]);
        assert_eq!(errs("\"abc\nx"), ["unterminated string literal"]);
        assert_eq!(errs(r#""\x""#), ["illegal escape character"]);
        assert_eq!(errs(r#""\é""#), ["illegal escape character"]);
        assert_eq!(
            errs("\"\"\"\nhi\n\"\"\""),
            ["a text block is not supported in Sem"]
        );
    }

    #[test]
    fn comments_and_identifiers() {
        assert_eq!(
            kinds("a /* x */ b // c\n /** doc */ $c _d été"),
            [
                Tok::Ident("a".into()),
                Tok::Ident("b".into()),
                Tok::Ident("$c".into()),
                Tok::Ident("_d".into()),
                Tok::Ident("été".into()),
            ]
        );
        assert_eq!(errs("a /* never closed"), ["unterminated block comment"]);
        assert_eq!(errs("a # b"), ["unexpected character `#`"]);
    }

    #[test]
    fn operators_and_generic_closers() {
        assert_eq!(
            kinds(">>>= >>= >> >>> > >= -> :: ... @"),
            [
                Tok::UShrAssign,
                Tok::ShrAssign,
                Tok::GtJoined,
                Tok::Gt,
                Tok::GtJoined,
                Tok::GtJoined,
                Tok::Gt,
                Tok::Gt,
                Tok::Ge,
                Tok::Arrow,
                Tok::ColonColon,
                Tok::Ellipsis,
                Tok::At,
            ]
        );
        assert_eq!(kinds("> >"), [Tok::Gt, Tok::Gt]);
    }

    #[test]
    fn generic_casts_are_marked() {
        let lt = |src: &str| kinds(src).contains(&Tok::LtGeneric);
        assert!(lt("(List<String>) o"));
        assert!(lt("(Map<K, List<V>>) o"));
        assert!(lt("(Map.Entry<K, V>[]) o"));
        assert!(lt("(Outer<T>.Inner<U>) o"));
        assert!(lt("(List<String> xs) -> 1"));
        assert!(!lt("(a < b)"));
        // `(a < b > c)` is marked, but as a comparison it could never type-check.
        assert!(!lt("(a < b >> c)"));
        assert!(!lt("f(a < b, c > (d))"));
        assert!(!lt("(a < b + c)"));
    }

    #[test]
    fn contextual_keywords() {
        assert_eq!(kinds("record P(")[0], Tok::Record);
        assert_eq!(kinds("record = 1;")[0], Tok::Ident("record".into()));
        assert_eq!(kinds("; yield x;")[1], Tok::Yield);
        assert_eq!(kinds("; yield = 2;")[1], Tok::Ident("yield".into()));
        assert_eq!(kinds("non-sealed class")[0], Tok::NonSealed);
        assert_eq!(kinds("non-sealed class").len(), 2);
        assert_eq!(kinds("non - sealed").len(), 3);
    }
}
