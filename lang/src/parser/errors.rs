//! lalrpop errors to [`Diagnostic`]s, with token names a person can read.
//!
//! lalrpop reports "unrecognized token, expected one of [...terminal names...]". Here
//! the terminal names become source text (`;`, `identifier`), long lists are folded
//! into categories ("an expression", "an operator", "a declaration"), and a few common
//! mistakes get a sharper message: a missing `;` at the end of a line points just
//! after the previous token, a file that ends inside braces names the open `{`.

use crate::diag::{Diagnostic, LineIndex, Span};
use crate::lexer::Tok;
use lalrpop_util::{ErrorRecovery, ParseError};

/// The token stream around the errors, for context.
pub(crate) struct Tokens<'a> {
    pub src: &'a str,
    /// `(start, end)` of every token.
    pub spans: Vec<(usize, usize)>,
    /// Whether each token is `;`, `{` or `}`.
    pub boundary: Vec<bool>,
    /// Start of every `{` left open at the end of the file.
    pub unclosed: Vec<usize>,
    /// Where the lexer reported problems: a syntax error right after one of these
    /// is its echo.
    pub lex_errors: Vec<Span>,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(
        src: &'a str,
        toks: &[(usize, Tok, usize)],
        lex: &[Diagnostic],
    ) -> Tokens<'a> {
        let mut open = Vec::new();
        for t in toks {
            match t.1 {
                Tok::LBrace => open.push(t.0),
                Tok::RBrace => {
                    open.pop();
                }
                _ => {}
            }
        }
        Tokens {
            src,
            spans: toks.iter().map(|t| (t.0, t.2)).collect(),
            boundary: toks
                .iter()
                .map(|t| matches!(t.1, Tok::Semi | Tok::LBrace | Tok::RBrace))
                .collect(),
            unclosed: open,
            lex_errors: lex.iter().map(|d| d.span).collect(),
        }
    }

    fn index_of(&self, pos: usize) -> usize {
        self.spans.partition_point(|s| s.0 < pos)
    }

    /// Whether the lexer reported a problem between the token before `pos` and `pos`
    /// (for the end of the file: after the last token).
    fn lex_error_before(&self, pos: usize) -> bool {
        let i = self.index_of(pos);
        let from = if i > 0 { self.spans[i - 1].1 } else { 0 };
        self.lex_errors
            .iter()
            .any(|e| (from..pos.max(from + 1)).contains(&(e.lo as usize)))
    }
}

/// Converts the errors the parser recovered from, dropping cascades: a syntax error
/// with no `;`, `{` or `}` between it and the previous one is almost always an echo
/// of it, so only the first syntax error of a statement is reported.
pub(crate) fn from_recoveries(
    toks: &Tokens,
    recovered: Vec<ErrorRecovery<usize, Tok, Diagnostic>>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut last: Option<usize> = None;
    for r in recovered {
        let at = match &r.error {
            ParseError::UnrecognizedToken { token, .. } => Some(toks.index_of(token.0)),
            ParseError::UnrecognizedEof { .. } => Some(toks.spans.len()),
            _ => None,
        };
        if let Some(at) = at {
            let echo = last.is_some_and(|prev| {
                prev >= at || !toks.boundary[prev.min(at)..at].iter().any(|&b| b)
            });
            if echo {
                continue;
            }
            last = Some(at);
        }
        out.extend(convert(toks, r.error));
    }
    out
}

/// Terminals that can start an expression (folded into "an expression").
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

/// Terminals that only start a statement (folded into "a statement").
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
    "\"assert\"",
    "\"synchronized\"",
    "\"yield\"",
    "\"final\"",
    "\"abstract\"",
    "\"static\"",
    "\"strictfp\"",
    "\"@\"",
    "\"class\"",
    "\"interface\"",
    "\"enum\"",
    "\"record\"",
];

/// Binary and assignment operators (folded into "an operator").
const OPERATORS: &[&str] = &[
    "\"+\"",
    "\"-\"",
    "\"*\"",
    "\"/\"",
    "\"%\"",
    "\"<<\"",
    "\">\"",
    "GtJ",
    "\"<\"",
    "\"<=\"",
    "\">=\"",
    "\"==\"",
    "\"!=\"",
    "\"&\"",
    "\"|\"",
    "\"^\"",
    "\"&&\"",
    "\"||\"",
    "\"?\"",
    "\"instanceof\"",
    "\"=\"",
    "\"+=\"",
    "\"-=\"",
    "\"*=\"",
    "\"/=\"",
    "\"%=\"",
    "\"&=\"",
    "\"|=\"",
    "\"^=\"",
    "\"<<=\"",
    "\">>=\"",
    "\">>>=\"",
    "\"++\"",
    "\"--\"",
];

/// What may start a member or top-level declaration (folded into "a declaration").
const DECL_START: &[&str] = &[
    "\"public\"",
    "\"private\"",
    "\"protected\"",
    "\"static\"",
    "\"final\"",
    "\"abstract\"",
    "\"native\"",
    "\"synchronized\"",
    "\"transient\"",
    "\"volatile\"",
    "\"strictfp\"",
    "\"default\"",
    "\"sealed\"",
    "\"non-sealed\"",
    "\"@\"",
    "\"class\"",
    "\"interface\"",
    "\"enum\"",
    "\"record\"",
    "\"void\"",
    "\"<\"",
    "\"{\"",
    "\";\"",
    "Id",
    "\"boolean\"",
    "\"byte\"",
    "\"short\"",
    "\"char\"",
    "\"int\"",
    "\"long\"",
    "\"float\"",
    "\"double\"",
];

/// Tokens listed first, in this order: the ones most likely to be the fix.
const FIRST: &[&str] = &[
    "\";\"", "\")\"", "\"]\"", "\"}\"", "\",\"", "\"=\"", "\"{\"", "\"(\"", "Id",
];

/// The diagnostic for one parse error; `None` when it only echoes a lexical error.
pub(crate) fn convert(toks: &Tokens, e: ParseError<usize, Tok, Diagnostic>) -> Option<Diagnostic> {
    let at = match &e {
        ParseError::UnrecognizedEof { .. } => toks.src.len() + 1,
        ParseError::UnrecognizedToken { token, .. } | ParseError::ExtraToken { token } => token.0,
        _ => usize::MAX,
    };
    if at != usize::MAX && toks.lex_error_before(at) {
        return None;
    }
    Some(match e {
        ParseError::User { error } => error,
        ParseError::InvalidToken { location } => {
            Diagnostic::error(Span::new(location, location + 1), "invalid token")
        }
        ParseError::UnrecognizedEof { location, expected } => {
            let mut d = Diagnostic::error(
                Span::new(location, location),
                format!("{}, found end of file", expected_text(&expected)),
            )
            .with_label("the file ends here");
            if let Some(&open) = toks.unclosed.last() {
                let (line, col) = LineIndex::new(toks.src).line_col(open as u32);
                d = d.with_note(format!("the `{{` at {line}:{col} is never closed"));
            }
            d
        }
        ParseError::UnrecognizedToken {
            token: (lo, tok, hi),
            expected,
        } => unexpected(toks, lo, &tok, hi, &expected),
        ParseError::ExtraToken { token: (lo, _, hi) } => {
            let found = toks.src.get(lo..hi).unwrap_or("?");
            Diagnostic::error(Span::new(lo, hi), format!("unexpected `{found}`"))
        }
    })
}

fn unexpected(toks: &Tokens, lo: usize, tok: &Tok, hi: usize, expected: &[String]) -> Diagnostic {
    let src = toks.src;
    let found = src.get(lo..hi).unwrap_or("?");
    let has = |t: &str| expected.iter().any(|e| e == t);
    // A missing `;` at the end of a line: point just after the previous token.
    let i = toks.index_of(lo);
    let prev = i.checked_sub(1).map(|p| toks.spans[p]);
    if let Some((prev_lo, prev_end)) = prev.filter(|_| has("\";\"")) {
        let after_block = matches!(src.get(prev_lo..prev_end), Some("{" | "}" | ";"));
        if !after_block && src.get(prev_end..lo).is_some_and(|gap| gap.contains('\n')) {
            return Diagnostic::error(
                Span::new(prev_end, prev_end),
                format!("expected `;`, found `{found}`"),
            )
            .with_label("add `;` here");
        }
    }
    let mut d = Diagnostic::error(
        Span::new(lo, hi),
        format!("{}, found `{found}`", expected_text(expected)),
    )
    .with_label("unexpected token");
    let is_operator =
        OPERATORS.iter().any(|o| o.trim_matches('"') == found) || *tok == Tok::GtJoined;
    if is_operator && has("\"=\"") && has("\"++\"") && !has("\"*\"") {
        d = d.with_note(
            "only assignments, method calls, `++`, `--` and `new` can be used as statements",
        );
    }
    d
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
    let is_expr = has("IntLit") && has("\"(\"");
    let is_stmt = is_expr && has("\"if\"");
    let is_op = has("\"+\"") && has("\"*\"");
    let is_decl = !is_expr && has("\"public\"") && has("\"private\"");
    let folded = |e: &str| {
        (is_expr && EXPR_START.contains(&e))
            || (is_stmt && STMT_START.contains(&e))
            || (is_op && OPERATORS.contains(&e))
            || (is_decl && DECL_START.contains(&e))
    };
    let mut order: Vec<&String> = expected.iter().filter(|e| !folded(e)).collect();
    order.sort_by_key(|e| FIRST.iter().position(|f| f == e).unwrap_or(FIRST.len()));
    let mut items: Vec<String> = Vec::new();
    for e in order {
        let r = readable(e);
        if !items.contains(&r) {
            items.push(r);
        }
    }
    if is_stmt {
        items.push("a statement".into());
    } else if is_expr {
        items.push("an expression".into());
    }
    if is_decl && has("Id") {
        items.push("a declaration".into());
    } else if is_decl {
        items.push("a class declaration".into());
    }
    if is_op {
        items.push("an operator".into());
    }
    match items.as_slice() {
        [] => "unexpected token".into(),
        [one] => format!("expected {one}"),
        [init @ .., last] if items.len() <= 7 => {
            format!("expected one of {}, or {}", init.join(", "), last)
        }
        _ => format!(
            "expected one of {}, or {} other tokens",
            items[..6].join(", "),
            items.len() - 6
        ),
    }
}

/// Sorts by position and drops repeats (error recovery can report one spot twice).
pub(crate) fn tidy(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by_key(|d| (d.span.lo, d.span.hi));
    diags.dedup_by(|a, b| a.span.lo == b.span.lo && a.message == b.message);
    diags
}
