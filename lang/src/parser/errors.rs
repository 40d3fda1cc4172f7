//! lalrpop errors to [`Diagnostic`]s, with token names a person can read.

use crate::diag::{Diagnostic, Span};
use crate::lexer::Tok;
use lalrpop_util::{ErrorRecovery, ParseError};

/// Converts the errors the parser recovered from, dropping cascades: a syntax error
/// with no `;`, `{` or `}` between it and the previous one is almost always an echo
/// of it, so only the first syntax error of a statement is reported.
/// `boundaries[i]` tells whether token `i` is one of those separators, `starts[i]`
/// where it starts.
pub(crate) fn from_recoveries(
    src: &str,
    starts: &[usize],
    boundaries: &[bool],
    recovered: Vec<ErrorRecovery<usize, Tok, Diagnostic>>,
) -> Vec<Diagnostic> {
    let index_of = |pos: usize| starts.partition_point(|&s| s < pos);
    let mut out = Vec::new();
    let mut last: Option<usize> = None;
    for r in recovered {
        let at = match &r.error {
            ParseError::UnrecognizedToken { token, .. } => Some(index_of(token.0)),
            ParseError::UnrecognizedEof { .. } => Some(starts.len()),
            _ => None,
        };
        if let Some(at) = at {
            let echo = last
                .is_some_and(|prev| prev >= at || !boundaries[prev.min(at)..at].iter().any(|&b| b));
            if !echo {
                last = Some(at);
            }
            if echo {
                continue;
            }
        }
        out.push(convert(src, r.error));
    }
    out
}

/// Terminals that can start an expression (collapsed to "an expression" in messages).
const EXPR_START: &[&str] = &[
    "Id",
    "IntLit",
    "NegIntLit",
    "LongLit",
    "NegLongLit",
    "FloatLit",
    "DoubleLit",
    "CharLit",
    "StrLit",
    "\"true\"",
    "\"false\"",
    "\"null\"",
    "\"(\"",
    "\"this\"",
    "\"super\"",
    "\"new\"",
    "\"!\"",
    "\"~\"",
    "\"+\"",
    "\"-\"",
    "\"++\"",
    "\"--\"",
    "\"switch\"",
    "\"boolean\"",
    "\"byte\"",
    "\"short\"",
    "\"char\"",
    "\"int\"",
    "\"long\"",
    "\"float\"",
    "\"double\"",
    "\"void\"",
];

/// Terminals that only start a statement.
const STMT_START: &[&str] = &[
    "\"if\"",
    "\"while\"",
    "\"for\"",
    "\"do\"",
    "\"return\"",
    "\"break\"",
    "\"continue\"",
    "\"throw\"",
    "\"try\"",
    "\"{\"",
    "\";\"",
];

pub(crate) fn convert(src: &str, e: ParseError<usize, Tok, Diagnostic>) -> Diagnostic {
    match e {
        ParseError::User { error } => error,
        ParseError::InvalidToken { location } => {
            Diagnostic::error(Span::new(location, location + 1), "invalid token")
        }
        ParseError::UnrecognizedEof { location, expected } => {
            let span = Span::new(location, location);
            Diagnostic::error(
                span,
                format!("{}, found end of file", expected_text(&expected)),
            )
            .with_label("the file ends here")
        }
        ParseError::UnrecognizedToken {
            token: (lo, _, hi),
            expected,
        } => {
            let found = src.get(lo..hi).unwrap_or("?");
            Diagnostic::error(
                Span::new(lo, hi),
                format!("{}, found `{}`", expected_text(&expected), found),
            )
            .with_label("unexpected token")
        }
        ParseError::ExtraToken { token: (lo, _, hi) } => {
            let found = src.get(lo..hi).unwrap_or("?");
            Diagnostic::error(Span::new(lo, hi), format!("unexpected `{found}`"))
        }
    }
}

fn readable(t: &str) -> String {
    match t {
        "Id" => "identifier".into(),
        "IntLit" | "NegIntLit" | "LongLit" | "NegLongLit" => "integer literal".into(),
        "FloatLit" | "DoubleLit" => "floating-point literal".into(),
        "CharLit" => "character literal".into(),
        "StrLit" => "string literal".into(),
        "GtJ" => "`>`".into(),
        "LtGeneric" => "`<`".into(),
        _ => format!("`{}`", t.trim_matches('"')),
    }
}

fn expected_text(expected: &[String]) -> String {
    let has = |t: &str| expected.iter().any(|e| e == t);
    let mut items: Vec<String> = Vec::new();
    let is_expr = has("IntLit") && has("\"(\"");
    let is_stmt = is_expr && has("\"if\"");
    if is_stmt {
        items.push("a statement".into());
    } else if is_expr {
        items.push("an expression".into());
    }
    for e in expected {
        if (is_expr && EXPR_START.contains(&e.as_str()))
            || (is_stmt && STMT_START.contains(&e.as_str()))
        {
            continue;
        }
        let r = readable(e);
        if !items.contains(&r) {
            items.push(r);
        }
    }
    match items.len() {
        0 => "unexpected token".into(),
        1 => format!("expected {}", items[0]),
        n if n <= 8 => {
            let (last, init) = items.split_last().unwrap_or((&items[0], &[]));
            format!("expected one of {}, or {}", init.join(", "), last)
        }
        n => format!(
            "expected one of {}, or {} other tokens",
            items[..6].join(", "),
            n - 6
        ),
    }
}

/// Sorts by position and drops repeats (error recovery can report one spot twice).
pub(crate) fn tidy(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by_key(|d| (d.span.lo, d.span.hi));
    diags.dedup_by(|a, b| a.span.lo == b.span.lo && a.message == b.message);
    diags
}
