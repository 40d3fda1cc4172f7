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

mod context;
mod literals;
mod raw;

use crate::diag::{Diagnostic, Span};
use literals::{char_token, dec_float, hex_float, int_literal, string_token};
use logos::Logos;
use raw::Raw;

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
    context::contextual(&mut toks);
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

/// Lexes and cleans up; the entry point the parser uses.
pub(crate) fn lex_for_parser(src: &str) -> (Vec<(usize, Tok, usize)>, Vec<Diagnostic>) {
    let (mut toks, diags) = lex(src);
    context::dedup_non_sealed(&mut toks);
    context::mark_generic_casts(&mut toks);
    (toks, diags)
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
            one("\"\"\"\n  hi\n    x\\n\n  \"\"\""),
            Tok::StrLit("hi\n  x\n\n".into())
        );
        assert_eq!(
            one("\"\"\"\n  a \\s\n  b\\\n  c\"\"\""),
            Tok::StrLit("a  \nbc".into())
        );
        assert_eq!(
            errs("\"\"\"hi\"\"\""),
            ["illegal text block open delimiter sequence, missing line terminator"]
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
        assert!(!lt("f(a < b, c > d)"));
        assert!(!lt("x = (a < b & c > d)"));
        assert!(lt("x = ((List<T>) o)"));
        assert!(lt("return (List<T>) o"));
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
