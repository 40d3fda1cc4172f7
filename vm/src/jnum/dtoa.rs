//! `Double.toString` / `Float.toString` exactly as OpenJDK 17 prints them.
//!
//! JDK 17 still uses the historical `FloatingDecimal.BinaryToASCIIBuffer`
//! algorithm (Steele & White / dtoa style digit generation with a symmetric
//! stopping test), which is *not* always the shortest round-tripping output:
//! e.g. `(double) (1L << 60)` prints as `1.15292150460684698E18`. This module
//! is a faithful re-implementation of that algorithm, including its quirks:
//!
//! * the "fast path" for integral values below 2^63, which rounds away a
//!   number of "insignificant" low decimal digits computed from the binary
//!   exponent and then prints every remaining digit;
//! * the floating-point estimate of the decimal exponent;
//! * three digit loops (`int`, `long` and big-integer arithmetic) whose
//!   stopping tests differ slightly (`>` versus `>=` for the high test), with
//!   Java's wrapping integer arithmetic;
//! * the forced second digit for E-notation output;
//! * the final `roundup`, whose carry-out keeps the digit count.

use super::bignum::Big;
use std::cmp::Ordering;

const EXP_SHIFT: i32 = 52;
const FRACT_HOB: u64 = 1 << EXP_SHIFT;
const SIGNIF_BIT_MASK: u64 = FRACT_HOB - 1;
const EXP_BIT_MASK: u64 = 0x7ff0_0000_0000_0000;
const SIGN_BIT_MASK: u64 = 1 << 63;
const EXP_ONE: u64 = 1023 << EXP_SHIFT;
const MAX_SMALL_BIN_EXP: i32 = 62;
const MIN_SMALL_BIN_EXP: i32 = -(63 / 3);

const SINGLE_EXP_SHIFT: i32 = 23;

/// `5^i` for `i < 14` (fits in an `i32`).
const SMALL_5_POW: [i32; 14] = {
    let mut t = [1i32; 14];
    let mut i = 1;
    while i < 14 {
        t[i] = t[i - 1] * 5;
        i += 1;
    }
    t
};

/// `5^i` for `i < 27` (fits in an `i64`).
const LONG_5_POW: [i64; 27] = {
    let mut t = [1i64; 27];
    let mut i = 1;
    while i < 27 {
        t[i] = t[i - 1] * 5;
        i += 1;
    }
    t
};

/// Approximately `ceil(log2(5^i))`, exactly as in OpenJDK.
const N_5_BITS: [i32; 27] = [
    0, 3, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28, 31, 33, 35, 38, 40, 42, 45, 47, 49, 52, 54, 56,
    59, 61,
];

/// `INSIGNIFICANT_DIGITS_NUMBER[p]` is the number of decimal digits of
/// `1L << p` minus one.
const INSIGNIFICANT_DIGITS_NUMBER: [i32; 64] = [
    0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9,
    9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 12, 12, 13, 13, 13, 14, 14, 14, 15, 15, 15, 15, 16, 16,
    16, 17, 17, 17, 18, 18, 18, 19,
];

fn insignificant_digits_for_pow2(p2: i32) -> i32 {
    if p2 > 1 && (p2 as usize) < INSIGNIFICANT_DIGITS_NUMBER.len() {
        INSIGNIFICANT_DIGITS_NUMBER[p2 as usize]
    } else {
        0
    }
}

/// The decimal digits of a finite value, as produced by OpenJDK 17's
/// `FloatingDecimal.BinaryToASCIIBuffer` (before layout into a string).
///
/// The value is `0.d1d2...dn * 10^dec_exponent` (with the sign applied).
/// Zero is represented by the single digit `0` with `dec_exponent == 0`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JavaDecimal {
    /// Sign bit of the input (so `-0.0` is negative).
    pub negative: bool,
    digits: [u8; 32],
    first: usize,
    n: usize,
    /// Decimal exponent: the value is `0.digits * 10^dec_exponent`.
    pub dec_exponent: i32,
}

impl JavaDecimal {
    fn new(negative: bool) -> JavaDecimal {
        JavaDecimal {
            negative,
            digits: [b'0'; 32],
            first: 0,
            n: 1,
            dec_exponent: 0,
        }
    }

    /// ASCII digits `'0'..='9'`, most significant first (never empty).
    pub fn digits(&self) -> &[u8] {
        &self.digits[self.first..self.first + self.n]
    }

    /// Decomposes a finite `f64` the way `Double.toString` does.
    /// Returns `None` for NaN and infinities.
    pub fn from_f64(d: f64) -> Option<JavaDecimal> {
        JavaDecimal::from_f64_with(d, true)
    }

    /// Like [`JavaDecimal::from_f64`], with OpenJDK's `isCompatibleFormat`
    /// flag: `true` for `Double.toString`, `false` for the digits that
    /// `java.util.Formatter` (`FormattedFloatingDecimal`) starts from.
    pub fn from_f64_with(d: f64, compatible_format: bool) -> Option<JavaDecimal> {
        let bits = d.to_bits();
        let negative = bits & SIGN_BIT_MASK != 0;
        let mut fract_bits = bits & SIGNIF_BIT_MASK;
        let mut bin_exp = ((bits & EXP_BIT_MASK) >> EXP_SHIFT) as i32;
        if bin_exp == 0x7ff {
            return None;
        }
        let n_significant_bits;
        if bin_exp == 0 {
            if fract_bits == 0 {
                return Some(JavaDecimal::new(negative));
            }
            let leading_zeros = fract_bits.leading_zeros() as i32;
            let shift = leading_zeros - (63 - EXP_SHIFT);
            fract_bits <<= shift;
            bin_exp = 1 - shift;
            n_significant_bits = 64 - leading_zeros;
        } else {
            fract_bits |= FRACT_HOB;
            n_significant_bits = EXP_SHIFT + 1;
        }
        bin_exp -= 1023;
        let mut dec = JavaDecimal::new(negative);
        dec.dtoa(bin_exp, fract_bits, n_significant_bits, compatible_format);
        Some(dec)
    }

    /// Decomposes a finite `f32` the way `Float.toString` does.
    /// Returns `None` for NaN and infinities.
    pub fn from_f32(f: f32) -> Option<JavaDecimal> {
        let bits = f.to_bits();
        let negative = bits & 0x8000_0000 != 0;
        let mut fract_bits = bits & 0x007f_ffff;
        let mut bin_exp = ((bits & 0x7f80_0000) >> SINGLE_EXP_SHIFT) as i32;
        if bin_exp == 0xff {
            return None;
        }
        let n_significant_bits;
        if bin_exp == 0 {
            if fract_bits == 0 {
                return Some(JavaDecimal::new(negative));
            }
            let leading_zeros = fract_bits.leading_zeros() as i32;
            let shift = leading_zeros - (31 - SINGLE_EXP_SHIFT);
            fract_bits <<= shift;
            bin_exp = 1 - shift;
            n_significant_bits = 32 - leading_zeros;
        } else {
            fract_bits |= 1 << SINGLE_EXP_SHIFT;
            n_significant_bits = SINGLE_EXP_SHIFT + 1;
        }
        bin_exp -= 127;
        let mut dec = JavaDecimal::new(negative);
        dec.dtoa(
            bin_exp,
            u64::from(fract_bits) << (EXP_SHIFT - SINGLE_EXP_SHIFT),
            n_significant_bits,
            true,
        );
        Some(dec)
    }

    /// Integral values below 2^63: print the digits of the long, after
    /// rounding away `insignificant` low-order digits (half up).
    fn develop_long_digits(&mut self, mut lvalue: i64, insignificant: i32) {
        let mut dec_exponent = 0;
        if insignificant != 0 {
            let pow10 = LONG_5_POW[insignificant as usize] << insignificant;
            let residue = lvalue % pow10;
            lvalue /= pow10;
            dec_exponent += insignificant;
            if residue >= (pow10 >> 1) {
                lvalue += 1;
            }
        }
        // Digits of lvalue with trailing zeros stripped; every digit
        // (stripped or not) counts towards the exponent.
        let mut tmp = [0u8; 20];
        let mut len = 0;
        let mut v = lvalue.unsigned_abs();
        loop {
            tmp[len] = b'0' + (v % 10) as u8;
            len += 1;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        dec_exponent += len as i32;
        let mut lo = 0;
        while lo + 1 < len && tmp[lo] == b'0' {
            lo += 1;
        }
        let n = len - lo;
        let first = self.digits.len() - n;
        for (k, slot) in self.digits[first..].iter_mut().enumerate() {
            *slot = tmp[len - 1 - k];
        }
        self.first = first;
        self.n = n;
        self.dec_exponent = dec_exponent;
    }

    fn push_digit(&mut self, ndigit: &mut usize, q: i64) {
        if *ndigit < self.digits.len() {
            // Java writes (char)('0' + q); q is always a single digit.
            self.digits[*ndigit] = (i64::from(b'0') + q) as u8;
            *ndigit += 1;
        }
    }

    fn dtoa(&mut self, bin_exp: i32, mut fract_bits: u64, n_significant_bits: i32, compat: bool) {
        let tail_zeros = fract_bits.trailing_zeros() as i32;
        // Number of significant bits of fract_bits.
        let n_fract_bits = EXP_SHIFT + 1 - tail_zeros;
        // Number of significant bits to the right of the binary point.
        let n_tiny_bits = (n_fract_bits - bin_exp - 1).max(0);
        if (MIN_SMALL_BIN_EXP..=MAX_SMALL_BIN_EXP).contains(&bin_exp)
            && (n_tiny_bits as usize) < LONG_5_POW.len()
            && n_fract_bits + N_5_BITS[n_tiny_bits as usize] < 64
            && n_tiny_bits == 0
        {
            let insignificant = if bin_exp > n_significant_bits {
                insignificant_digits_for_pow2(bin_exp - n_significant_bits - 1)
            } else {
                0
            };
            if bin_exp >= EXP_SHIFT {
                fract_bits <<= bin_exp - EXP_SHIFT;
            } else {
                fract_bits >>= EXP_SHIFT - bin_exp;
            }
            self.develop_long_digits(fract_bits as i64, insignificant);
            return;
        }

        // The hard case: d = (B / S) * 10^dec_exp with 1 <= B / S < 10, and
        // M = half an ulp scaled like B.
        let mut dec_exp = estimate_dec_exp(fract_bits, bin_exp);
        let b5 = (-dec_exp).max(0);
        let mut b2 = b5 + n_tiny_bits + bin_exp;
        let s5 = dec_exp.max(0);
        let mut s2 = s5 + n_tiny_bits;
        let m5 = b5;
        let mut m2 = b2 - n_significant_bits;

        fract_bits >>= tail_zeros;
        b2 -= n_fract_bits - 1;
        let common2factor = b2.min(s2);
        b2 -= common2factor;
        s2 -= common2factor;
        m2 -= common2factor;
        // Exact powers of two: the next smaller value is only half as far.
        if n_fract_bits == 1 {
            m2 -= 1;
        }
        if m2 < 0 {
            b2 -= m2;
            s2 -= m2;
            m2 = 0;
        }

        let mut ndigit = 0usize;
        let mut low;
        let mut high;
        let low_digit_difference: i64;

        let n5bits = |p: i32| -> i32 {
            if (p as usize) < N_5_BITS.len() {
                N_5_BITS[p as usize]
            } else {
                p * 3
            }
        };
        let bbits = n_fract_bits + b2 + n5bits(b5);
        let ten_s_bits = s2 + 1 + n5bits(s5 + 1);

        if bbits < 64 && ten_s_bits < 64 {
            if bbits < 32 && ten_s_bits < 32 {
                // All ints (Java int arithmetic, wrapping).
                let mut b = (fract_bits as i32)
                    .wrapping_mul(SMALL_5_POW[b5 as usize])
                    .wrapping_shl(b2 as u32);
                let s = SMALL_5_POW[s5 as usize].wrapping_shl(s2 as u32);
                let mut m = SMALL_5_POW[m5 as usize].wrapping_shl(m2 as u32);
                let tens = s.wrapping_mul(10);
                let mut q = b / s;
                b = 10i32.wrapping_mul(b % s);
                m = m.wrapping_mul(10);
                low = b < m;
                high = b.wrapping_add(m) > tens;
                if q == 0 && !high {
                    dec_exp -= 1;
                } else {
                    self.push_digit(&mut ndigit, i64::from(q));
                }
                if !compat || !(-3..8).contains(&dec_exp) {
                    high = false;
                    low = false;
                }
                while !low && !high && ndigit < self.digits.len() {
                    q = b / s;
                    b = 10i32.wrapping_mul(b % s);
                    m = m.wrapping_mul(10);
                    if m > 0 {
                        low = b < m;
                        high = b.wrapping_add(m) > tens;
                    } else {
                        low = true;
                        high = true;
                    }
                    self.push_digit(&mut ndigit, i64::from(q));
                }
                low_digit_difference = i64::from(b.wrapping_shl(1).wrapping_sub(tens));
            } else {
                // All longs (Java long arithmetic, wrapping).
                let mut b = (fract_bits as i64)
                    .wrapping_mul(LONG_5_POW[b5 as usize])
                    .wrapping_shl(b2 as u32);
                let s = LONG_5_POW[s5 as usize].wrapping_shl(s2 as u32);
                let mut m = LONG_5_POW[m5 as usize].wrapping_shl(m2 as u32);
                let tens = s.wrapping_mul(10);
                let mut q = b / s;
                b = 10i64.wrapping_mul(b % s);
                m = m.wrapping_mul(10);
                low = b < m;
                high = b.wrapping_add(m) > tens;
                if q == 0 && !high {
                    dec_exp -= 1;
                } else {
                    self.push_digit(&mut ndigit, q);
                }
                if !compat || !(-3..8).contains(&dec_exp) {
                    high = false;
                    low = false;
                }
                while !low && !high && ndigit < self.digits.len() {
                    q = b / s;
                    b = 10i64.wrapping_mul(b % s);
                    m = m.wrapping_mul(10);
                    if m > 0 {
                        low = b < m;
                        high = b.wrapping_add(m) > tens;
                    } else {
                        low = true;
                        high = true;
                    }
                    self.push_digit(&mut ndigit, q);
                }
                low_digit_difference = b.wrapping_shl(1).wrapping_sub(tens);
            }
        } else {
            // Big-integer arithmetic. (OpenJDK also normalises all four
            // values by a common power of two; that does not change any
            // quotient or comparison, so it is omitted here.)
            let s_val = Big::pow52(s5 as u32, s2 as u32);
            let mut b_val = Big::mul_pow52(fract_bits, b5 as u32, b2 as u32);
            let mut m_val = Big::pow52((m5 + 1) as u32, (m2 + 1) as u32);
            let ten_s_val = Big::pow52((s5 + 1) as u32, (s2 + 1) as u32);
            let mut q = b_val.quo_rem_iteration(&s_val);
            low = b_val.cmp(&m_val) == Ordering::Less;
            high = ten_s_val.cmp_sum(&b_val, &m_val) != Ordering::Greater;
            if q == 0 && !high {
                dec_exp -= 1;
            } else {
                self.push_digit(&mut ndigit, i64::from(q));
            }
            if !compat || !(-3..8).contains(&dec_exp) {
                high = false;
                low = false;
            }
            while !low && !high && ndigit < self.digits.len() {
                q = b_val.quo_rem_iteration(&s_val);
                m_val.mul_small(10);
                low = b_val.cmp(&m_val) == Ordering::Less;
                high = ten_s_val.cmp_sum(&b_val, &m_val) != Ordering::Greater;
                self.push_digit(&mut ndigit, i64::from(q));
            }
            low_digit_difference = if high && low {
                b_val.shl(1);
                match b_val.cmp(&ten_s_val) {
                    Ordering::Less => -1,
                    Ordering::Equal => 0,
                    Ordering::Greater => 1,
                }
            } else {
                0
            };
        }
        self.dec_exponent = dec_exp + 1;
        self.first = 0;
        self.n = ndigit;
        // The last digit gets rounded based on the stopping condition.
        if high {
            if low {
                if low_digit_difference == 0 {
                    // A tie: round half even.
                    if ndigit > 0 && self.digits[ndigit - 1] & 1 != 0 {
                        self.roundup();
                    }
                } else if low_digit_difference > 0 {
                    self.roundup();
                }
            } else {
                self.roundup();
            }
        }
    }

    /// Adds one to the last digit; a carry out of the first digit yields
    /// `1000...` with the same digit count and a larger exponent.
    fn roundup(&mut self) {
        if self.n == 0 {
            return;
        }
        let mut i = self.first + self.n - 1;
        let mut q = self.digits[i];
        if q == b'9' {
            while q == b'9' && i > self.first {
                self.digits[i] = b'0';
                i -= 1;
                q = self.digits[i];
            }
            if q == b'9' {
                self.dec_exponent += 1;
                self.digits[self.first] = b'1';
                return;
            }
        }
        self.digits[i] = q.wrapping_add(1);
    }

    /// Lays the digits out as `Double.toString` / `Float.toString` do
    /// (`FloatingDecimal.BinaryToASCIIBuffer.getChars`).
    pub fn write_java_format(&self, out: &mut String) {
        // Never empty in practice; the fallback only keeps this total.
        let digits = match self.digits() {
            [] => &b"0"[..],
            ds => ds,
        };
        let n = digits.len();
        let push_digits = |out: &mut String, ds: &[u8]| {
            out.extend(ds.iter().map(|&c| char::from(c)));
        };
        if self.negative {
            out.push('-');
        }
        let e = self.dec_exponent;
        if e > 0 && e < 8 {
            let char_length = n.min(e as usize);
            push_digits(out, &digits[..char_length]);
            if char_length < e as usize {
                for _ in char_length..e as usize {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                out.push('.');
                if char_length < n {
                    push_digits(out, &digits[char_length..]);
                } else {
                    out.push('0');
                }
            }
        } else if e <= 0 && e > -3 {
            out.push_str("0.");
            for _ in 0..(-e) {
                out.push('0');
            }
            push_digits(out, digits);
        } else {
            out.push(char::from(digits[0]));
            out.push('.');
            if n > 1 {
                push_digits(out, &digits[1..]);
            } else {
                out.push('0');
            }
            out.push('E');
            let x = if e <= 0 {
                out.push('-');
                -e + 1
            } else {
                e - 1
            };
            out.push_str(&x.to_string());
        }
    }
}

/// Estimates `floor(log10(d))`; may be one too high, never too low
/// (`FloatingDecimal.estimateDecExp`, same double arithmetic).
// The constant must be Java's literal, not `LOG10_2` (a different double).
#[allow(clippy::approx_constant)]
fn estimate_dec_exp(fract_bits: u64, bin_exp: i32) -> i32 {
    let d2 = f64::from_bits(EXP_ONE | (fract_bits & SIGNIF_BIT_MASK));
    let d = (d2 - 1.5) * 0.289529654 + 0.176091259 + f64::from(bin_exp) * 0.301029995663981;
    let d_bits = d.to_bits();
    let exponent = ((d_bits & EXP_BIT_MASK) >> EXP_SHIFT) as i32 - 1023;
    let is_negative = d_bits & SIGN_BIT_MASK != 0;
    if (0..52).contains(&exponent) {
        let mask = SIGNIF_BIT_MASK >> exponent;
        let r = (((d_bits & SIGNIF_BIT_MASK) | FRACT_HOB) >> (EXP_SHIFT - exponent)) as i32;
        if is_negative {
            if mask & d_bits == 0 {
                -r
            } else {
                -r - 1
            }
        } else {
            r
        }
    } else if exponent < 0 {
        if d_bits & !SIGN_BIT_MASK == 0 || !is_negative {
            0
        } else {
            -1
        }
    } else {
        d as i32
    }
}

/// Appends Java's `Double.toString(d)` to `out`.
pub fn fmt_double_into(out: &mut String, d: f64) {
    match JavaDecimal::from_f64(d) {
        Some(dec) => dec.write_java_format(out),
        None => out.push_str(special(d.is_nan(), d.is_sign_negative())),
    }
}

/// Appends Java's `Float.toString(f)` to `out`.
pub fn fmt_float_into(out: &mut String, f: f32) {
    match JavaDecimal::from_f32(f) {
        Some(dec) => dec.write_java_format(out),
        None => out.push_str(special(f.is_nan(), f.is_sign_negative())),
    }
}

fn special(nan: bool, negative: bool) -> &'static str {
    if nan {
        "NaN"
    } else if negative {
        "-Infinity"
    } else {
        "Infinity"
    }
}

/// Java's `Double.toString(d)`, byte-identical to OpenJDK 17.
pub fn fmt_double(d: f64) -> String {
    let mut s = String::with_capacity(26);
    fmt_double_into(&mut s, d);
    s
}

/// Java's `Float.toString(f)`, byte-identical to OpenJDK 17.
pub fn fmt_float(f: f32) -> String {
    let mut s = String::with_capacity(26);
    fmt_float_into(&mut s, f);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(fmt_double((1u64 << 60) as f64), "1.15292150460684698E18");
        assert_eq!(fmt_double(84565566804412192.0), "8.4565566804412192E16");
        assert_eq!(fmt_double(0.0), "0.0");
        assert_eq!(fmt_double(-0.0), "-0.0");
        assert_eq!(fmt_double(1.0), "1.0");
        assert_eq!(fmt_double(0.1), "0.1");
        assert_eq!(fmt_double(1e7), "1.0E7");
        assert_eq!(fmt_double(1e-3), "0.001");
        assert_eq!(fmt_double(1e-4), "1.0E-4");
        assert_eq!(fmt_double(f64::MAX), "1.7976931348623157E308");
        assert_eq!(fmt_double(f64::MIN_POSITIVE), "2.2250738585072014E-308");
        assert_eq!(fmt_double(4.9e-324), "4.9E-324");
        assert_eq!(fmt_double(f64::NAN), "NaN");
        assert_eq!(fmt_double(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(fmt_float(1.0), "1.0");
        assert_eq!(fmt_float(0.1), "0.1");
        assert_eq!(fmt_float(f32::MAX), "3.4028235E38");
        assert_eq!(fmt_float(1.4e-45), "1.4E-45");
    }
}
