//! `Integer` / `Long` parsing and radix formatting (OpenJDK 17).

use std::fmt;

/// Why `Integer.parseInt` / `Long.parseLong` failed. Every variant is a
/// `NumberFormatException`; [`IntParseError::message`] renders Java's exact
/// message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntParseError {
    /// `radix R less than Character.MIN_RADIX`
    RadixTooSmall(i64),
    /// `radix R greater than Character.MAX_RADIX`
    RadixTooLarge(i64),
    /// `For input string: "S"`, plus ` under radix R` when the radix is not 10.
    ForInputString(u32),
}

impl IntParseError {
    /// Java's exception message; `input` is the string that was parsed.
    pub fn message(self, input: &str) -> String {
        match self {
            IntParseError::RadixTooSmall(r) => {
                format!("radix {r} less than Character.MIN_RADIX")
            }
            IntParseError::RadixTooLarge(r) => {
                format!("radix {r} greater than Character.MAX_RADIX")
            }
            IntParseError::ForInputString(10) => format!("For input string: \"{input}\""),
            IntParseError::ForInputString(r) => {
                format!("For input string: \"{input}\" under radix {r}")
            }
        }
    }
}

impl fmt::Display for IntParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntParseError::RadixTooSmall(r) => write!(f, "radix {r} less than Character.MIN_RADIX"),
            IntParseError::RadixTooLarge(r) => {
                write!(f, "radix {r} greater than Character.MAX_RADIX")
            }
            IntParseError::ForInputString(r) => write!(f, "bad input string under radix {r}"),
        }
    }
}

/// First code points of the runs `0..=9` of Unicode decimal digits (`Nd`)
/// in the Basic Multilingual Plane, as known to Java 17 (Unicode 13).
const DIGIT_ZEROS: [u32; 37] = [
    0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66,
    0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90,
    0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
];

/// Java's `Character.digit(char ch, int radix)` for a UTF-16 code unit
/// (pass surrogates as-is; they are never digits). Returns -1 when `ch` is
/// not a digit in `radix` or the radix is outside `2..=36`.
pub fn char_digit(ch: u32, radix: u32) -> i32 {
    if !(2..=36).contains(&radix) || ch > 0xffff {
        return -1;
    }
    let value = match ch {
        0x41..=0x5a => ch - 0x41 + 10,
        0x61..=0x7a => ch - 0x61 + 10,
        0xff21..=0xff3a => ch - 0xff21 + 10,
        0xff41..=0xff5a => ch - 0xff41 + 10,
        _ => {
            // Largest run start <= ch.
            let idx = DIGIT_ZEROS.partition_point(|&z| z <= ch);
            if idx == 0 || ch - DIGIT_ZEROS[idx - 1] > 9 {
                return -1;
            }
            ch - DIGIT_ZEROS[idx - 1]
        }
    };
    if value < radix {
        value as i32
    } else {
        -1
    }
}

/// Shared body of `Integer.parseInt` / `Long.parseLong` over UTF-16 code
/// units (any iterator of units), using `i64` with the given `min`.
fn parse_core<I>(units: I, radix: i64, min: i64) -> Result<i64, IntParseError>
where
    I: IntoIterator<Item = u32>,
{
    if radix < 2 {
        return Err(IntParseError::RadixTooSmall(radix));
    }
    if radix > 36 {
        return Err(IntParseError::RadixTooLarge(radix));
    }
    let bad = IntParseError::ForInputString(radix as u32);
    let mut it = units.into_iter().peekable();
    let Some(&first) = it.peek() else {
        return Err(bad);
    };
    let mut negative = false;
    let mut limit = min + 1; // -MAX_VALUE
    if first < u32::from(b'0') {
        if first == u32::from(b'-') {
            negative = true;
            limit = min;
        } else if first != u32::from(b'+') {
            return Err(bad);
        }
        it.next();
        if it.peek().is_none() {
            return Err(bad);
        }
    }
    let multmin = limit / radix;
    let mut result: i64 = 0;
    for u in it {
        let digit = i64::from(char_digit(u, radix as u32));
        if digit < 0 || result < multmin {
            return Err(bad);
        }
        result *= radix;
        if result < limit + digit {
            return Err(bad);
        }
        result -= digit;
    }
    Ok(if negative { result } else { -result })
}

/// `Integer.parseInt(s, radix)` on UTF-16 code units.
pub fn parse_int_utf16(s: &[u16], radix: i32) -> Result<i32, IntParseError> {
    parse_core(
        s.iter().map(|&u| u32::from(u)),
        i64::from(radix),
        i64::from(i32::MIN),
    )
    .map(|v| v as i32)
}

/// `Long.parseLong(s, radix)` on UTF-16 code units.
pub fn parse_long_utf16(s: &[u16], radix: i32) -> Result<i64, IntParseError> {
    parse_core(s.iter().map(|&u| u32::from(u)), i64::from(radix), i64::MIN)
}

/// Code units as Java sees them: BMP chars as themselves; supplementary
/// chars as a surrogate pair (never digits).
fn str_units(s: &str) -> impl Iterator<Item = u32> + '_ {
    s.encode_utf16().map(u32::from)
}

/// `Integer.parseInt(s, radix)`: `Err` carries Java's exact
/// `NumberFormatException` message, e.g. `For input string: "abc"` or
/// `For input string: "zz" under radix 16`.
pub fn parse_int(s: &str, radix: u32) -> Result<i32, String> {
    parse_core(str_units(s), i64::from(radix), i64::from(i32::MIN))
        .map(|v| v as i32)
        .map_err(|e| e.message(s))
}

/// `Long.parseLong(s, radix)`: `Err` carries Java's exact message.
pub fn parse_long(s: &str, radix: u32) -> Result<i64, String> {
    parse_core(str_units(s), i64::from(radix), i64::MIN).map_err(|e| e.message(s))
}

const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Appends `Long.toString(i, radix)` (also `Integer.toString(int, radix)`
/// for values in `i32` range). A radix outside `2..=36` means 10.
pub fn int_to_string_radix_into(out: &mut String, i: i64, radix: u32) {
    let radix = if (2..=36).contains(&radix) { radix } else { 10 };
    let mut buf = [0u8; 65];
    let mut pos = buf.len();
    let mut v = i.unsigned_abs();
    loop {
        pos -= 1;
        buf[pos] = DIGITS[(v % u64::from(radix)) as usize];
        v /= u64::from(radix);
        if v == 0 {
            break;
        }
    }
    if i < 0 {
        out.push('-');
    }
    out.extend(buf[pos..].iter().map(|&b| char::from(b)));
}

/// `Long.toString(i, radix)` / `Integer.toString(i, radix)`.
pub fn int_to_string_radix(i: i64, radix: u32) -> String {
    let mut s = String::new();
    int_to_string_radix_into(&mut s, i, radix);
    s
}

/// Appends the unsigned power-of-two-radix view used by
/// `toBinaryString` (`shift` 1), `toOctalString` (3) and `toHexString` (4).
/// `width_bits` is 32 (`Integer`) or 64 (`Long`); `bits` is truncated to it.
pub fn to_unsigned_string_radix_into(out: &mut String, bits: u64, width_bits: u32, shift: u32) {
    let v = if width_bits >= 64 {
        bits
    } else {
        bits & ((1u64 << width_bits) - 1)
    };
    let shift = shift.clamp(1, 5);
    let mask = (1u64 << shift) - 1;
    let mut buf = [0u8; 64];
    let mut pos = buf.len();
    let mut v = v;
    loop {
        pos -= 1;
        buf[pos] = DIGITS[(v & mask) as usize];
        v >>= shift;
        if v == 0 {
            break;
        }
    }
    out.extend(buf[pos..].iter().map(|&b| char::from(b)));
}

/// `Integer.toHexString` etc.: see [`to_unsigned_string_radix_into`].
pub fn to_unsigned_string_radix(bits: u64, width_bits: u32, shift: u32) -> String {
    let mut s = String::new();
    to_unsigned_string_radix_into(&mut s, bits, width_bits, shift);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        assert_eq!(parse_int("-2147483648", 10), Ok(i32::MIN));
        assert_eq!(
            parse_int("2147483648", 10),
            Err("For input string: \"2147483648\"".into())
        );
        assert_eq!(
            parse_int("", 16),
            Err("For input string: \"\" under radix 16".into())
        );
        assert_eq!(
            parse_int("1", 37),
            Err("radix 37 greater than Character.MAX_RADIX".into())
        );
        assert_eq!(parse_int("\u{663}\u{664}", 10), Ok(34));
        assert_eq!(parse_long("-1y2p0ij32e8e8", 36), Ok(i64::MIN));
        assert_eq!(int_to_string_radix(i64::MIN, 36), "-1y2p0ij32e8e8");
        assert_eq!(int_to_string_radix(-255, 99), "-255");
        assert_eq!(to_unsigned_string_radix(u64::MAX, 32, 4), "ffffffff");
        assert_eq!(
            to_unsigned_string_radix(u64::MAX, 64, 3),
            "1777777777777777777777"
        );
        assert_eq!(to_unsigned_string_radix(0, 64, 1), "0");
    }
}
