//! Literal decoding: radixes, underscores, suffixes, escapes, and Java's range rules.

use super::raw::StrEnd;
use super::Tok;
use crate::diag::{Diagnostic, Span};

pub(super) fn int_literal(text: &str, radix: u32, span: Span, diags: &mut Vec<Diagnostic>) -> Tok {
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

pub(super) fn dec_float(text: &str, span: Span, diags: &mut Vec<Diagnostic>) -> Tok {
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

pub(super) fn hex_float(text: &str, span: Span, diags: &mut Vec<Diagnostic>) -> Tok {
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

pub(super) fn string_token(
    text: &str,
    end: StrEnd,
    span: Span,
    diags: &mut Vec<Diagnostic>,
) -> Tok {
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
        StrEnd::TextBlock => {
            let inner = text.get(3..text.len().saturating_sub(3)).unwrap_or("");
            // The opening `"""` must end its line.
            let Some(nl) = inner.find(['\n', '\r']) else {
                diags.push(Diagnostic::error(
                    Span::new(lo, lo + 3),
                    "illegal text block open delimiter sequence, missing line terminator",
                ));
                return Tok::StrLit(String::new());
            };
            if !inner[..nl].chars().all(char::is_whitespace) {
                diags.push(Diagnostic::error(
                    Span::new(lo, lo + 3),
                    "illegal text block open delimiter sequence, missing line terminator",
                ));
                return Tok::StrLit(String::new());
            }
            let mut content = &inner[nl..];
            content = content
                .strip_prefix("\r\n")
                .or_else(|| content.strip_prefix('\n'))
                .or_else(|| content.strip_prefix('\r'))
                .unwrap_or(content);
            let body_lo = lo + 3 + (inner.len() - content.len());
            let normalized = content.replace("\r\n", "\n").replace('\r', "\n");
            let stripped = strip_indent(&normalized);
            // `\<newline>` joins lines; the other escapes decode as usual.
            let mut joined = String::with_capacity(stripped.len());
            let mut chars = stripped.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    match chars.next() {
                        Some('\n') => {}
                        Some(d) => {
                            joined.push(c);
                            joined.push(d);
                        }
                        None => joined.push(c),
                    }
                } else {
                    joined.push(c);
                }
            }
            let units = decode_escapes(&joined, body_lo, diags);
            Tok::StrLit(String::from_utf16_lossy(&units))
        }
        StrEnd::UnterminatedTextBlock => {
            diags.push(Diagnostic::error(
                Span::new(lo, lo + 3),
                "unterminated text block",
            ));
            Tok::StrLit(String::new())
        }
    }
}

/// Removes a text block's incidental white space, as `String.stripIndent` does:
/// the common indentation of the non-blank lines and of the closing line, and
/// every line's trailing white space.
fn strip_indent(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let opt_out = s.ends_with('\n');
    let body = s.strip_suffix('\n').unwrap_or(s);
    let lines: Vec<&str> = body.split('\n').collect();
    let lead = |l: &str| l.chars().take_while(|c| c.is_whitespace()).count();
    let blank = |l: &str| l.chars().all(char::is_whitespace);
    let outdent = if opt_out {
        0
    } else {
        let mut o = lines
            .iter()
            .filter(|l| !blank(l))
            .map(|l| lead(l))
            .min()
            .unwrap_or(usize::MAX);
        if let Some(last) = lines.last().filter(|l| blank(l)) {
            o = o.min(last.chars().count());
        }
        o
    };
    let out: Vec<String> = lines
        .iter()
        .map(|l| {
            if blank(l) {
                return String::new();
            }
            let cut = outdent.min(lead(l));
            l.chars()
                .skip(cut)
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect();
    let mut r = out.join("\n");
    if opt_out {
        r.push('\n');
    }
    r
}

pub(super) fn char_token(text: &str, closed: bool, span: Span, diags: &mut Vec<Diagnostic>) -> Tok {
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
