//! `java.lang.Character`.

use super::string::{lower_char, upper_char};
use super::{bad_native, Args, NResult};
use crate::interp::Vm;
use semeru_stdlib::natives::Native::{self, *};

/// `Character.isWhitespace`.
pub fn is_whitespace(c: u32) -> bool {
    matches!(c, 0x09..=0x0d | 0x1c..=0x1f)
        || (c != 0xa0 && c != 0x2007 && c != 0x202f && is_space_char(c))
}

/// `Character.isSpaceChar`: Unicode space separators (Zs, Zl, Zp).
pub fn is_space_char(c: u32) -> bool {
    matches!(
        c,
        0x20 | 0xa0 | 0x1680 | 0x2000..=0x200a | 0x2028 | 0x2029 | 0x202f | 0x205f | 0x3000
    )
}

/// `Character.isDigit` (decimal digits of the common scripts).
pub fn is_digit(c: u32) -> bool {
    digit_value(c).is_some()
}

fn digit_value(c: u32) -> Option<u32> {
    const ZEROS: &[u32] = &[
        0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66,
        0xe50, 0xed0, 0xf20, 0x1040, 0xff10,
    ];
    ZEROS
        .iter()
        .find(|&&z| (z..z + 10).contains(&c))
        .map(|&z| c - z)
}

/// `Character.digit(c, radix)`.
pub fn digit(c: u32, radix: i32) -> i32 {
    if !(2..=36).contains(&radix) {
        return -1;
    }
    let v = if let Some(d) = digit_value(c) {
        d as i32
    } else {
        match c {
            0x41..=0x5a => (c - 0x41 + 10) as i32,
            0x61..=0x7a => (c - 0x61 + 10) as i32,
            0xff21..=0xff3a => (c - 0xff21 + 10) as i32,
            0xff41..=0xff5a => (c - 0xff41 + 10) as i32,
            _ => -1,
        }
    };
    if v < radix {
        v
    } else {
        -1
    }
}

fn ch(c: u32) -> Option<char> {
    char::from_u32(c)
}

impl Vm {
    pub(crate) fn native_chars(&mut self, n: Native, a: Args) -> NResult {
        let c = self.ai(a, 0) as u32;
        match n {
            CharIsDigit => self.ret_z(a, is_digit(c)),
            CharIsLetter => self.ret_z(
                a,
                ch(c).is_some_and(|c| c.is_alphabetic() && !c.is_numeric()),
            ),
            CharIsLetterOrDigit => {
                self.ret_z(a, is_digit(c) || ch(c).is_some_and(|c| c.is_alphabetic()))
            }
            CharIsAlphabetic => self.ret_z(a, ch(c).is_some_and(|c| c.is_alphabetic())),
            CharIsUpperCase => self.ret_z(a, ch(c).is_some_and(|c| c.is_uppercase())),
            CharIsLowerCase => self.ret_z(a, ch(c).is_some_and(|c| c.is_lowercase())),
            CharIsWhitespace => self.ret_z(a, is_whitespace(c)),
            CharIsSpaceChar => self.ret_z(a, is_space_char(c)),
            CharToUpperCase => self.ret_i(a, upper_char(c as u16) as i32),
            CharToLowerCase => self.ret_i(a, lower_char(c as u16) as i32),
            CharGetNumericValue => self.ret_i(a, digit(c, 36)),
            CharDigit => {
                let r = self.ai(a, 1);
                self.ret_i(a, digit(c, r))
            }
            CharForDigit => {
                let (d, r) = (self.ai(a, 0), self.ai(a, 1));
                let v = if !(2..=36).contains(&r) || d < 0 || d >= r {
                    0
                } else if d < 10 {
                    b'0' as i32 + d
                } else {
                    b'a' as i32 + d - 10
                };
                self.ret_i(a, v)
            }
            CharToString => self.ret_units(a, &[c as u16]),
            CharCompare => self.ret_i(a, (c as u16) as i32 - (self.ai(a, 1) as u16) as i32),
            CharHashCode => self.ret_i(a, c as u16 as i32),
            _ => Err(bad_native(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_java() {
        assert_eq!(digit('z' as u32, 36), 35);
        assert_eq!(digit('a' as u32, 36), 10);
        assert!(is_whitespace('\t' as u32) && !is_whitespace(0xa0));
        assert!(is_digit('٣' as u32));
    }
}
