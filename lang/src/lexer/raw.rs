//! The logos automaton: token *shapes*, with strings, characters and block comments
//! scanned by hand so that an unterminated one is reported precisely.

use logos::Logos;

/// How a string literal ended (decided by the scanning callback).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum StrEnd {
    Closed,
    Unterminated,
    TextBlock,
    UnterminatedTextBlock,
}

/// The token shapes recognised by the automaton.
#[derive(Logos, Clone, Copy, Debug, PartialEq)]
#[logos(skip r"[ \t\f\r\n]+")]
#[logos(skip(r"//[^\r\n]*", allow_greedy = true))]
pub(super) enum Raw {
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
