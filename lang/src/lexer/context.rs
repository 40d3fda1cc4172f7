//! Context-dependent rewrites of the token stream: contextual keywords, `>` joining
//! and the marking of generic casts.

use super::Tok;

/// Context-dependent rewrites: contextual keywords and `>` joining.
pub(super) fn contextual(toks: &mut [(usize, Tok, usize)]) {
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
                // Also after `if (...)`, `else` and `do` (a cast of a variable
                // named `yield`, `(T) yield`, is not worth supporting).
                let stmt_start = matches!(
                    prev,
                    Some(
                        Tok::Semi
                            | Tok::LBrace
                            | Tok::RBrace
                            | Tok::Colon
                            | Tok::Arrow
                            | Tok::RParen
                            | Tok::Else
                            | Tok::Do
                    )
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

/// Finds `( Name <...> [.Name<...>]* ([])* )` and `( Name <...> ... Ident` where the
/// `(` does not open call arguments, and marks the `<` as [`Tok::LtGeneric`]. A comparison cannot look like that: `a < b >`
/// needs an operand after the `>`, and neither `)` nor an identifier alone can be one.
pub(super) fn mark_generic_casts(toks: &mut [(usize, Tok, usize)]) {
    fn tok(toks: &[(usize, Tok, usize)], i: usize) -> Option<&Tok> {
        toks.get(i).map(|t| &t.1)
    }
    for i in 0..toks.len() {
        if toks[i].1 != Tok::LParen || !matches!(tok(toks, i + 1), Some(Tok::Ident(_))) {
            continue;
        }
        // `f(a < b, c > d)` is a call with two comparisons; parameter declarations
        // (`m(List<T> xs)`) need no mark, as the grammar expects a type there.
        let call = i > 0
            && matches!(
                toks[i - 1].1,
                Tok::Ident(_)
                    | Tok::RParen
                    | Tok::RBracket
                    | Tok::This
                    | Tok::Super
                    | Tok::Gt
                    | Tok::GtJoined
            );
        if call {
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
pub(super) fn dedup_non_sealed(toks: &mut Vec<(usize, Tok, usize)>) {
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
