//! `Double.parseDouble` / `Float.parseFloat` (OpenJDK 17
//! `FloatingDecimal.readJavaFormatString` and `parseHexString`).
//!
//! The grammar, including its error classification, follows OpenJDK 17
//! exactly. Values are correctly rounded (round half even), which is what
//! OpenJDK 17's big-integer correction loops compute; the decimal conversion
//! itself is delegated to Rust's (correctly rounding) float parser.

use std::fmt;

/// Why a string is not a Java floating-point literal. Every variant is a
/// `NumberFormatException` in Java; [`FloatParseError::message`] renders
/// Java's exact message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatParseError {
    /// The trimmed input is empty: message `empty String`.
    EmptyString,
    /// A second `.` in the significand: message `multiple points`.
    MultiplePoints,
    /// Anything else: message `For input string: "<trimmed input>"`.
    ForInputString,
}

impl FloatParseError {
    /// Java's exception message for this error; `input` is the original
    /// (untrimmed) string passed to `parseDouble` / `parseFloat`.
    pub fn message(self, input: &str) -> String {
        match self {
            FloatParseError::EmptyString => "empty String".to_string(),
            FloatParseError::MultiplePoints => "multiple points".to_string(),
            FloatParseError::ForInputString => {
                format!("For input string: \"{}\"", java_trim(input))
            }
        }
    }
}

impl fmt::Display for FloatParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FloatParseError::EmptyString => "empty String",
            FloatParseError::MultiplePoints => "multiple points",
            FloatParseError::ForInputString => "For input string",
        })
    }
}

/// `String.trim()`: strips leading and trailing chars `<= ' '`.
pub fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Result of scanning, independent of the target precision.
enum Scanned {
    NaN,
    Infinity(bool),
    Zero(bool),
    /// `0.digits * 10^dec_exp` (digits ASCII, no leading or trailing zeros).
    Decimal {
        negative: bool,
        digits: Vec<u8>,
        dec_exp: i64,
    },
    /// `mant * 2^exp2`, plus something nonzero below the last bit of `mant`
    /// when `sticky`. `mant != 0`.
    Hex {
        negative: bool,
        mant: u64,
        sticky: bool,
        exp2: i64,
    },
}

fn unit<T: Copy + Into<u32>>(s: &[T], i: usize) -> u32 {
    s[i].into()
}

fn is_digit(c: u32) -> bool {
    (u32::from(b'0')..=u32::from(b'9')).contains(&c)
}

fn matches_ascii<T: Copy + Into<u32>>(s: &[T], word: &str) -> bool {
    s.len() == word.len()
        && s.iter()
            .zip(word.bytes())
            .all(|(&a, b)| a.into() == u32::from(b))
}

/// Scans the Java grammar on code units (bytes of a `&str`, or UTF-16).
/// Non-ASCII units are never part of a valid literal, so treating UTF-8
/// bytes as units is equivalent to Java's per-`char` scan.
fn scan<T: Copy + Into<u32>>(all: &[T]) -> Result<Scanned, FloatParseError> {
    const BAD: FloatParseError = FloatParseError::ForInputString;
    // trim()
    let mut lo = 0;
    let mut hi = all.len();
    while lo < hi && unit(all, lo) <= 0x20 {
        lo += 1;
    }
    while hi > lo && unit(all, hi - 1) <= 0x20 {
        hi -= 1;
    }
    let s = &all[lo..hi];
    let len = s.len();
    if len == 0 {
        return Err(FloatParseError::EmptyString);
    }
    let ch = |i: usize| -> u32 { unit(s, i) };
    let c_ = |c: char| -> u32 { c as u32 };

    let mut i = 0;
    let mut negative = false;
    let mut sign_seen = false;
    if ch(0) == c_('-') {
        negative = true;
        sign_seen = true;
        i = 1;
    } else if ch(0) == c_('+') {
        sign_seen = true;
        i = 1;
    }
    if i >= len {
        return Err(BAD);
    }
    let c = ch(i);
    if c == c_('N') {
        return if matches_ascii(&s[i..], "NaN") {
            Ok(Scanned::NaN)
        } else {
            Err(BAD)
        };
    } else if c == c_('I') {
        return if matches_ascii(&s[i..], "Infinity") {
            Ok(Scanned::Infinity(negative))
        } else {
            Err(BAD)
        };
    } else if c == c_('0') && len > i + 1 && (ch(i + 1) == c_('x') || ch(i + 1) == c_('X')) {
        return scan_hex(s);
    }

    let mut digits: Vec<u8> = Vec::new();
    let mut dec_seen = false;
    let mut dec_pt: i64 = 0;
    let mut n_lead_zero: i64 = 0;
    let mut n_trail_zero: usize = 0;
    let sign_adj = i64::from(sign_seen);

    while i < len {
        let c = ch(i);
        if c == c_('0') {
            n_lead_zero += 1;
        } else if c == c_('.') {
            if dec_seen {
                return Err(FloatParseError::MultiplePoints);
            }
            dec_pt = i as i64 - sign_adj;
            dec_seen = true;
        } else {
            break;
        }
        i += 1;
    }
    while i < len {
        let c = ch(i);
        if (c_('1')..=c_('9')).contains(&c) {
            digits.push(c as u8);
            n_trail_zero = 0;
        } else if c == c_('0') {
            digits.push(b'0');
            n_trail_zero += 1;
        } else if c == c_('.') {
            if dec_seen {
                return Err(FloatParseError::MultiplePoints);
            }
            dec_pt = i as i64 - sign_adj;
            dec_seen = true;
        } else {
            break;
        }
        i += 1;
    }
    let n_digits = digits.len() - n_trail_zero;
    digits.truncate(n_digits);
    let is_zero = n_digits == 0;
    if is_zero && n_lead_zero == 0 {
        // No digits at all, not even a zero.
        return Err(BAD);
    }
    let mut dec_exp: i64 = if dec_seen {
        dec_pt - n_lead_zero
    } else {
        (n_digits + n_trail_zero) as i64
    };

    if i < len && (ch(i) == c_('e') || ch(i) == c_('E')) {
        i += 1;
        if i >= len {
            return Err(BAD);
        }
        let mut exp_sign: i64 = 1;
        if ch(i) == c_('-') {
            exp_sign = -1;
            i += 1;
        } else if ch(i) == c_('+') {
            i += 1;
        }
        let exp_at = i;
        // Saturate: anything this large means zero or infinity (or zero
        // anyway) no matter how many digits precede it.
        let mut exp_val: i64 = 0;
        while i < len && is_digit(ch(i)) {
            exp_val = (exp_val * 10 + i64::from(ch(i) - c_('0'))).min(1 << 40);
            i += 1;
        }
        if i == exp_at {
            return Err(BAD);
        }
        dec_exp += exp_sign * exp_val;
    }
    // Leftovers are only allowed as a single trailing type suffix.
    if i < len && (i != len - 1 || ![c_('f'), c_('F'), c_('d'), c_('D')].contains(&ch(i))) {
        return Err(BAD);
    }
    if is_zero {
        return Ok(Scanned::Zero(negative));
    }
    Ok(Scanned::Decimal {
        negative,
        digits,
        dec_exp,
    })
}

fn hex_value(c: u32) -> Option<u32> {
    char::from_u32(c).and_then(|c| if c.is_ascii() { c.to_digit(16) } else { None })
}

/// `([-+])?0[xX](((\p{XDigit}+)\.?)|((\p{XDigit}*)\.(\p{XDigit}+)))[pP]([-+])?(\p{Digit}+)[fFdD]?`
fn scan_hex<T: Copy + Into<u32>>(s: &[T]) -> Result<Scanned, FloatParseError> {
    const BAD: FloatParseError = FloatParseError::ForInputString;
    let len = s.len();
    let ch = |i: usize| -> u32 { unit(s, i) };
    let c_ = |c: char| -> u32 { c as u32 };
    let mut i = 0;
    let mut negative = false;
    if ch(0) == c_('-') {
        negative = true;
        i = 1;
    } else if ch(0) == c_('+') {
        i = 1;
    }
    // The caller has checked "0x" / "0X" at i.
    i += 2;

    let mut mant: u64 = 0;
    let mut sticky = false;
    // Exponent adjustment (in bits) from dropped digits and fraction digits.
    let mut adj: i64 = 0;
    let mut n_digits = 0usize;
    let mut seen_point = false;
    while i < len {
        let c = ch(i);
        if let Some(v) = hex_value(c) {
            n_digits += 1;
            if seen_point {
                adj -= 4;
            }
            if mant >> 60 == 0 {
                mant = (mant << 4) | u64::from(v);
            } else {
                sticky |= v != 0;
                adj += 4;
            }
        } else if c == c_('.') && !seen_point {
            seen_point = true;
        } else {
            break;
        }
        i += 1;
    }
    if n_digits == 0 {
        return Err(BAD);
    }
    if i >= len || (ch(i) != c_('p') && ch(i) != c_('P')) {
        return Err(BAD);
    }
    i += 1;
    let mut exp_negative = false;
    if i < len && (ch(i) == c_('-') || ch(i) == c_('+')) {
        exp_negative = ch(i) == c_('-');
        i += 1;
    }
    let exp_at = i;
    // Integer.parseInt of the digits; overflow means infinity or zero.
    let mut exp_val: i64 = 0;
    let mut overflow = false;
    while i < len && is_digit(ch(i)) {
        exp_val = exp_val * 10 + i64::from(ch(i) - c_('0'));
        if exp_val > i64::from(i32::MAX) {
            overflow = true;
            exp_val = i64::from(i32::MAX) + 1;
        }
        i += 1;
    }
    if i == exp_at {
        return Err(BAD);
    }
    if i < len && (i != len - 1 || ![c_('f'), c_('F'), c_('d'), c_('D')].contains(&ch(i))) {
        return Err(BAD);
    }
    if mant == 0 {
        return Ok(Scanned::Zero(negative));
    }
    if overflow {
        return Ok(if exp_negative {
            Scanned::Zero(negative)
        } else {
            Scanned::Infinity(negative)
        });
    }
    let exp2 = if exp_negative { -exp_val } else { exp_val } + adj;
    Ok(Scanned::Hex {
        negative,
        mant,
        sticky,
        exp2,
    })
}

/// Rounds `mant * 2^exp2` (+ sticky) to a binary float with `sig_bits`
/// significand bits (including the hidden bit) and minimum normal exponent
/// `min_exp`, maximum exponent `max_exp`; returns the raw bits (no sign).
fn round_binary(
    mant: u64,
    sticky: bool,
    exp2: i64,
    sig_bits: u32,
    min_exp: i64,
    max_exp: i64,
) -> u64 {
    let lz = mant.leading_zeros();
    let m = mant << lz;
    // value = m * 2^(e - 63), 1 <= m / 2^63 < 2, so the unbiased exponent is e.
    let e = exp2 + 63 - i64::from(lz);
    // All-ones exponent field, zero significand.
    let inf_bits = ((2 * max_exp + 1) as u64) << (sig_bits - 1);
    if e > max_exp {
        return inf_bits;
    }
    // Number of low bits of m to drop.
    let shift: i64 = if e >= min_exp {
        64 - i64::from(sig_bits)
    } else {
        64 - i64::from(sig_bits) + (min_exp - e)
    };
    let (kept, half, rest_nonzero) = if shift >= 65 {
        (0u64, false, true)
    } else if shift == 64 {
        (0u64, m >> 63 != 0, (m << 1) != 0 || sticky)
    } else {
        let sh = shift as u32;
        let kept = m >> sh;
        let half = (m >> (sh - 1)) & 1 != 0;
        let rest = sh > 1 && (m << (65 - sh)) != 0;
        (kept, half, rest || sticky)
    };
    let mut r = kept;
    if half && (rest_nonzero || r & 1 != 0) {
        r += 1;
    }
    // r is the significand including the hidden bit (or a subnormal one).
    let biased = if e >= min_exp { e - min_exp + 1 } else { 0 };
    // Adding r (with its hidden bit) to the exponent field handles carries
    // into the next binade and from subnormal to normal.
    let bits = ((biased.max(1) - 1) as u64) << (sig_bits - 1);
    let bits = if e >= min_exp { bits + r } else { r };
    bits.min(inf_bits)
}

fn decimal_to_f64(digits: &[u8], dec_exp: i64) -> f64 {
    if dec_exp > 310 {
        return f64::INFINITY;
    }
    if dec_exp < -330 {
        return 0.0;
    }
    rust_parse(digits, dec_exp).unwrap_or(0.0)
}

fn decimal_to_f32(digits: &[u8], dec_exp: i64) -> f32 {
    if dec_exp > 40 {
        return f32::INFINITY;
    }
    if dec_exp < -50 {
        return 0.0;
    }
    rust_parse(digits, dec_exp).unwrap_or(0.0)
}

fn rust_parse<F: std::str::FromStr>(digits: &[u8], dec_exp: i64) -> Option<F> {
    let mut text = String::with_capacity(digits.len() + 24);
    text.push_str("0.");
    text.extend(digits.iter().map(|&b| char::from(b)));
    text.push('e');
    text.push_str(&dec_exp.to_string());
    text.parse().ok()
}

fn to_f64(sc: Scanned) -> f64 {
    let (negative, v) = match sc {
        Scanned::NaN => return f64::NAN,
        Scanned::Infinity(n) => (n, f64::INFINITY),
        Scanned::Zero(n) => (n, 0.0),
        Scanned::Decimal {
            negative,
            digits,
            dec_exp,
        } => (negative, decimal_to_f64(&digits, dec_exp)),
        Scanned::Hex {
            negative,
            mant,
            sticky,
            exp2,
        } => (
            negative,
            f64::from_bits(round_binary(mant, sticky, exp2, 53, -1022, 1023)),
        ),
    };
    if negative {
        -v
    } else {
        v
    }
}

fn to_f32(sc: Scanned) -> f32 {
    let (negative, v) = match sc {
        Scanned::NaN => return f32::NAN,
        Scanned::Infinity(n) => (n, f32::INFINITY),
        Scanned::Zero(n) => (n, 0.0),
        Scanned::Decimal {
            negative,
            digits,
            dec_exp,
        } => (negative, decimal_to_f32(&digits, dec_exp)),
        Scanned::Hex {
            negative,
            mant,
            sticky,
            exp2,
        } => {
            let bits = round_binary(mant, sticky, exp2, 24, -126, 127);
            (negative, f32::from_bits(bits as u32))
        }
    };
    if negative {
        -v
    } else {
        v
    }
}

/// `Double.parseDouble` on UTF-16 code units, with the error kind.
pub fn parse_double_utf16(s: &[u16]) -> Result<f64, FloatParseError> {
    scan(s).map(to_f64)
}

/// `Float.parseFloat` on UTF-16 code units, with the error kind.
pub fn parse_float_utf16(s: &[u16]) -> Result<f32, FloatParseError> {
    scan(s).map(to_f32)
}

/// `Double.parseDouble`, with Java's exception message on error.
pub fn parse_double_msg(s: &str) -> Result<f64, String> {
    scan(s.as_bytes()).map(to_f64).map_err(|e| e.message(s))
}

/// `Float.parseFloat`, with Java's exception message on error.
pub fn parse_float_msg(s: &str) -> Result<f32, String> {
    scan(s.as_bytes()).map(to_f32).map_err(|e| e.message(s))
}

/// Java's `Double.parseDouble(s)`: `Err(())` means `NumberFormatException`.
///
/// Accepts what Java accepts: surrounding chars `<= ' '`, an optional sign,
/// `NaN`, `Infinity`, decimal digits with an optional point and exponent, an
/// optional trailing `f`/`F`/`d`/`D`, and hexadecimal literals like `0x1.8p3`.
// `Err(())` is the requested API; the `_msg` / `_utf16` variants carry details.
#[allow(clippy::result_unit_err)]
pub fn parse_double(s: &str) -> Result<f64, ()> {
    scan(s.as_bytes()).map(to_f64).map_err(|_| ())
}

/// Java's `Float.parseFloat(s)`: `Err(())` means `NumberFormatException`.
/// The decimal value is rounded directly to `f32` (no double rounding).
#[allow(clippy::result_unit_err)]
pub fn parse_float(s: &str) -> Result<f32, ()> {
    scan(s.as_bytes()).map(to_f32).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        assert_eq!(parse_double("1.5"), Ok(1.5));
        assert_eq!(parse_double(" -0x1.8p3d "), Ok(-12.0));
        assert_eq!(parse_double("0x.8p1"), Ok(1.0));
        assert_eq!(parse_double("0x.p1"), Err(()));
        assert_eq!(parse_double("1e400"), Ok(f64::INFINITY));
        assert_eq!(parse_double("1e-400"), Ok(0.0));
        assert!(parse_double("NaN").unwrap().is_nan());
        assert_eq!(parse_double("NaNd"), Err(()));
        assert_eq!(parse_double_msg(""), Err("empty String".to_string()));
        assert_eq!(parse_double_msg("1..2"), Err("multiple points".to_string()));
        assert_eq!(
            parse_double_msg(" 1x "),
            Err("For input string: \"1x\"".to_string())
        );
        assert_eq!(parse_float("3.4028236e38"), Ok(f32::INFINITY));
        assert_eq!(parse_float("0x1p-149"), Ok(f32::from_bits(1)));
        assert_eq!(parse_double("0x1p-1075"), Ok(0.0));
        assert_eq!(
            parse_double("0x1.0000000000001p-1075"),
            Ok(f64::from_bits(1))
        );
        assert_eq!(parse_double("0x1.fffffffffffff8p1023"), Ok(f64::INFINITY));
    }
}
