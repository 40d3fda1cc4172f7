//! `Integer`, `Long`, `Double`, `Float`, `Short`, `Byte` and `Boolean` statics.

use super::math::{jmax, jmin};
use super::{bad_native, Args, NResult};
use crate::interp::{Ctl, Vm};
use crate::jnum;
use semeru_stdlib::builtins::{NULL_POINTER_EXCEPTION, NUMBER_FORMAT_EXCEPTION};
use semeru_stdlib::natives::Native::{self, *};

/// `Double.compare`: `-0.0 < 0.0`, NaN above everything and equal to itself.
fn compare_d(a: f64, b: f64) -> i32 {
    if a < b {
        -1
    } else if a > b {
        1
    } else {
        let (x, y) = (canon_d(a) as i64, canon_d(b) as i64);
        (x > y) as i32 - (x < y) as i32
    }
}

/// `Double.doubleToLongBits`: the raw bits with NaN canonicalized.
fn canon_d(d: f64) -> u64 {
    if d.is_nan() {
        0x7ff8_0000_0000_0000
    } else {
        d.to_bits()
    }
}

fn canon_f(f: f32) -> u32 {
    if f.is_nan() {
        0x7fc0_0000
    } else {
        f.to_bits()
    }
}

impl Vm {
    fn nfe(&mut self, msg: String) -> Ctl {
        self.raise(NUMBER_FORMAT_EXCEPTION, Some(msg))
    }

    /// The text of string argument `k` for a parse method; `null` → NFE
    /// `Cannot parse null string` as `Integer.parseInt` does.
    fn parse_arg(&mut self, a: Args, k: usize) -> Result<String, Ctl> {
        let r = self.ar(a, k);
        if r.is_null() {
            return Err(self.nfe("Cannot parse null string".into()));
        }
        Ok(self.rust_string(r))
    }

    fn parse_i(&mut self, a: Args, radix: u32) -> Result<i32, Ctl> {
        let s = self.parse_arg(a, 0)?;
        jnum::parse_int(&s, radix).map_err(|m| self.nfe(m))
    }

    pub(crate) fn native_numbers(&mut self, n: Native, a: Args) -> NResult {
        match n {
            IntParse => {
                let v = self.parse_i(a, 10)?;
                self.ret_i(a, v)
            }
            IntParseRadix => {
                let r = self.ai(a, 0);
                let v = self.parse_i(a, r as u32)?;
                self.ret_i(a, v)
            }
            ShortParse | ByteParse => {
                let v = self.parse_i(a, 10)?;
                let (lo, hi) = if n == ShortParse {
                    (i16::MIN as i32, i16::MAX as i32)
                } else {
                    (i8::MIN as i32, i8::MAX as i32)
                };
                if v < lo || v > hi {
                    let s = self.parse_arg(a, 0)?;
                    return Err(self.nfe(format!("Value out of range. Value:\"{s}\" Radix:10")));
                }
                self.ret_i(a, v)
            }
            LongParse | LongParseRadix => {
                let radix = if n == LongParseRadix {
                    self.ai(a, 0)
                } else {
                    10
                };
                let s = self.parse_arg(a, 0)?;
                let v = jnum::parse_long(&s, radix as u32).map_err(|m| self.nfe(m))?;
                self.ret_l(a, v)
            }
            IntToString | ShortToString | ByteToString => {
                self.ret_str(a, &self.ai(a, 0).to_string())
            }
            IntToStringRadix => {
                let s = jnum::int_to_string_radix(self.ai(a, 0) as i64, self.ai(a, 1) as u32);
                self.ret_str(a, &s)
            }
            IntToBinaryString | IntToHexString | IntToOctalString => {
                let shift = match n {
                    IntToBinaryString => 1,
                    IntToHexString => 4,
                    _ => 3,
                };
                let s = jnum::to_unsigned_string_radix(self.ai(a, 0) as u32 as u64, 32, shift);
                self.ret_str(a, &s)
            }
            IntCompare => {
                let (x, y) = (self.ai(a, 0), self.ai(a, 1));
                self.ret_i(a, (x > y) as i32 - (x < y) as i32)
            }
            IntSignum => self.ret_i(a, self.ai(a, 0).signum()),
            IntBitCount => self.ret_i(a, self.ai(a, 0).count_ones() as i32),
            IntReverse => self.ret_i(a, self.ai(a, 0).reverse_bits()),
            IntReverseBytes => self.ret_i(a, self.ai(a, 0).swap_bytes()),
            IntHighestOneBit => {
                let x = self.ai(a, 0) as u32;
                let v = if x == 0 {
                    0
                } else {
                    1u32 << (31 - x.leading_zeros())
                };
                self.ret_i(a, v as i32)
            }
            IntLowestOneBit => {
                let x = self.ai(a, 0);
                self.ret_i(a, x & x.wrapping_neg())
            }
            IntNumberOfLeadingZeros => self.ret_i(a, self.ai(a, 0).leading_zeros() as i32),
            IntNumberOfTrailingZeros => self.ret_i(a, self.ai(a, 0).trailing_zeros() as i32),
            IntRotateLeft => self.ret_i(a, self.ai(a, 0).rotate_left(self.ai(a, 1) as u32 & 31)),
            IntRotateRight => self.ret_i(a, self.ai(a, 0).rotate_right(self.ai(a, 1) as u32 & 31)),
            IntMax => self.ret_i(a, self.ai(a, 0).max(self.ai(a, 1))),
            IntMin => self.ret_i(a, self.ai(a, 0).min(self.ai(a, 1))),
            IntSum => self.ret_i(a, self.ai(a, 0).wrapping_add(self.ai(a, 1))),
            IntHashCode => self.ret_i(a, self.ai(a, 0)),

            LongToString => self.ret_str(a, &self.al(a, 0).to_string()),
            LongToStringRadix => {
                let s = jnum::int_to_string_radix(self.al(a, 0), self.ai(a, 1) as u32);
                self.ret_str(a, &s)
            }
            LongToBinaryString | LongToHexString | LongToOctalString => {
                let shift = match n {
                    LongToBinaryString => 1,
                    LongToHexString => 4,
                    _ => 3,
                };
                let s = jnum::to_unsigned_string_radix(self.al(a, 0) as u64, 64, shift);
                self.ret_str(a, &s)
            }
            LongCompare => {
                let (x, y) = (self.al(a, 0), self.al(a, 1));
                self.ret_i(a, (x > y) as i32 - (x < y) as i32)
            }
            LongSignum => self.ret_i(a, self.al(a, 0).signum() as i32),
            LongBitCount => self.ret_i(a, self.al(a, 0).count_ones() as i32),
            LongNumberOfLeadingZeros => self.ret_i(a, self.al(a, 0).leading_zeros() as i32),
            LongNumberOfTrailingZeros => self.ret_i(a, self.al(a, 0).trailing_zeros() as i32),
            LongMax => self.ret_l(a, self.al(a, 0).max(self.al(a, 1))),
            LongMin => self.ret_l(a, self.al(a, 0).min(self.al(a, 1))),
            LongSum => self.ret_l(a, self.al(a, 0).wrapping_add(self.al(a, 1))),
            LongHashCode => {
                let x = self.al(a, 0);
                self.ret_i(a, (x ^ ((x as u64) >> 32) as i64) as i32)
            }

            DoubleParse | FloatParse => {
                let r = self.ar(a, 0);
                if r.is_null() {
                    return Err(self.raise(NULL_POINTER_EXCEPTION, None));
                }
                let s = self.rust_string(r);
                if n == DoubleParse {
                    let v = jnum::parse_double_msg(&s).map_err(|m| self.nfe(m))?;
                    self.ret_d(a, v)
                } else {
                    let v = jnum::parse_float_msg(&s).map_err(|m| self.nfe(m))?;
                    self.ret_f(a, v)
                }
            }
            DoubleToString => self.ret_str(a, &jnum::fmt_double(self.ad(a, 0))),
            FloatToString => self.ret_str(a, &jnum::fmt_float(self.af(a, 0))),
            DoubleCompare => self.ret_i(a, compare_d(self.ad(a, 0), self.ad(a, 1))),
            FloatCompare => {
                let v = compare_d(self.af(a, 0) as f64, self.af(a, 1) as f64);
                self.ret_i(a, v)
            }
            DoubleIsNaN => self.ret_z(a, self.ad(a, 0).is_nan()),
            DoubleIsInfinite => self.ret_z(a, self.ad(a, 0).is_infinite()),
            DoubleIsFinite => self.ret_z(a, self.ad(a, 0).is_finite()),
            FloatIsNaN => self.ret_z(a, self.af(a, 0).is_nan()),
            FloatIsInfinite => self.ret_z(a, self.af(a, 0).is_infinite()),
            DoubleToLongBits => self.ret_l(a, canon_d(self.ad(a, 0)) as i64),
            DoubleToRawLongBits | DoubleLongBitsToDouble => {
                let bits = self.al(a, 0);
                self.ret_l(a, bits)
            }
            DoubleHashCode => {
                let b = canon_d(self.ad(a, 0));
                self.ret_i(a, (b ^ (b >> 32)) as i32)
            }
            DoubleMax => self.ret_d(a, jmax(self.ad(a, 0), self.ad(a, 1))),
            DoubleMin => self.ret_d(a, jmin(self.ad(a, 0), self.ad(a, 1))),
            DoubleSum => self.ret_d(a, self.ad(a, 0) + self.ad(a, 1)),
            FloatToIntBits => self.ret_i(a, canon_f(self.af(a, 0)) as i32),
            FloatToRawIntBits | FloatIntBitsToFloat => {
                let bits = self.ai(a, 0);
                self.ret_i(a, bits)
            }

            BoolParse => {
                let r = self.ar(a, 0);
                let t = !r.is_null() && self.rust_string(r).eq_ignore_ascii_case("true");
                self.ret_z(a, t)
            }
            BoolToString => self.ret_str(a, if self.ai(a, 0) != 0 { "true" } else { "false" }),
            BoolCompare => self.ret_i(a, self.ai(a, 0) - self.ai(a, 1)),
            BoolHashCode => self.ret_i(a, if self.ai(a, 0) != 0 { 1231 } else { 1237 }),
            _ => Err(bad_native(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_like_java() {
        assert_eq!(compare_d(-0.0, 0.0), -1);
        assert_eq!(compare_d(f64::NAN, f64::INFINITY), 1);
        assert_eq!(compare_d(f64::NAN, f64::NAN), 0);
    }
}
