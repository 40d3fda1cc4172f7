//! Natives of the `misc` stdlib classes: `StrictMath` (fdlibm), the digit
//! generator behind `java.util.Formatter`, and (in [`super::io`]) file and stdin
//! access. The formatting logic itself is Sem code (`stdlib/sem/java/util/Formatter.sem`).

use super::{bad_native, Args, NResult};
use crate::interp::Vm;
use crate::jnum::JavaDecimal;
use semeru_gc::Ref;
use semeru_stdlib::builtins::ARRAY_INDEX_OUT_OF_BOUNDS_EXCEPTION;
use semeru_stdlib::natives::Native::{self, *};

#[inline]
fn hi(x: f64) -> i32 {
    (x.to_bits() >> 32) as i32
}

#[inline]
fn with_hi(x: f64, h: i32) -> f64 {
    f64::from_bits((x.to_bits() & 0xffff_ffff) | ((h as u32 as u64) << 32))
}

/// `StrictMath.log`: fdlibm 5.3's `__ieee754_log`, bit for bit.
pub fn strict_log(x: f64) -> f64 {
    let ln2_hi = f64::from_bits(0x3fe6_2e42_fee0_0000);
    let ln2_lo = f64::from_bits(0x3dea_39ef_3579_3c76);
    let two54 = f64::from_bits(0x4350_0000_0000_0000);
    let lg1 = f64::from_bits(0x3FE5_5555_5555_5593);
    let lg2 = f64::from_bits(0x3FD9_9999_9997_FA04);
    let lg3 = f64::from_bits(0x3FD2_4924_9422_9359);
    let lg4 = f64::from_bits(0x3FCC_71C5_1D8E_78AF);
    let lg5 = f64::from_bits(0x3FC7_4664_96CB_03DE);
    let lg6 = f64::from_bits(0x3FC3_9A09_D078_C69F);
    let lg7 = f64::from_bits(0x3FC2_F112_DF3E_5244);

    let mut x = x;
    let mut hx = hi(x);
    let lx = x.to_bits() as u32;
    let mut k: i32 = 0;
    if hx < 0x0010_0000 {
        if ((hx & 0x7fff_ffff) as u32 | lx) == 0 {
            return f64::NEG_INFINITY;
        }
        if hx < 0 {
            return f64::NAN;
        }
        k -= 54;
        x *= two54;
        hx = hi(x);
    }
    if hx >= 0x7ff0_0000 {
        return x + x;
    }
    k += (hx >> 20) - 1023;
    hx &= 0x000f_ffff;
    let i = (hx.wrapping_add(0x95f64)) & 0x0010_0000;
    x = with_hi(x, hx | (i ^ 0x3ff0_0000));
    k += i >> 20;
    let f = x - 1.0;
    if (0x000f_ffff & (2 + hx)) < 3 {
        if f == 0.0 {
            if k == 0 {
                return 0.0;
            }
            let dk = f64::from(k);
            return dk * ln2_hi + dk * ln2_lo;
        }
        let r = f * f * (0.5 - f64::from_bits(0x3fd5_5555_5555_5555) * f);
        if k == 0 {
            return f - r;
        }
        let dk = f64::from(k);
        return dk * ln2_hi - ((r - dk * ln2_lo) - f);
    }
    let s = f / (2.0 + f);
    let dk = f64::from(k);
    let z = s * s;
    let mut i = hx - 0x6147a;
    let w = z * z;
    let j = 0x6b851 - hx;
    let t1 = w * (lg2 + w * (lg4 + w * lg6));
    let t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)));
    i |= j;
    let r = t2 + t1;
    if i > 0 {
        let hfsq = 0.5 * f * f;
        if k == 0 {
            f - (hfsq - s * (hfsq + r))
        } else {
            dk * ln2_hi - ((hfsq - (s * (hfsq + r) + dk * ln2_lo)) - f)
        }
    } else if k == 0 {
        f - s * (f - r)
    } else {
        dk * ln2_hi - ((s * (f - r) - dk * ln2_lo) - f)
    }
}

/// The digits and exponent `java.util.Formatter` starts from (FloatingDecimal
/// without the `Double.toString` compatibility digit), packed as the
/// `fdDigits` native returns them; the digits go to `out`.
pub fn fd_digits(v: f64, out: &mut Vec<u16>) -> i32 {
    out.clear();
    let Some(dec) = JavaDecimal::from_f64_with(v, false) else {
        out.push(u16::from(b'0'));
        return 1;
    };
    out.extend(dec.digits().iter().map(|&c| u16::from(c)));
    (dec.dec_exponent << 8) | (out.len() as i32 & 0xff)
}

impl Vm {
    /// The natives of the `misc` section of the natives table.
    pub(crate) fn native_misc(&mut self, n: Native, a: Args) -> NResult {
        match n {
            StrictMathLog => {
                let x = self.ad(a, 0);
                self.ret_d(a, strict_log(x))
            }
            StrictMathSqrt => {
                let x = self.ad(a, 0);
                self.ret_d(a, x.sqrt())
            }
            FormatterFdDigits => {
                let v = self.ad(a, 0);
                let buf = self.ar_nn(a, 0)?;
                let mut digits = Vec::with_capacity(32);
                let packed = fd_digits(v, &mut digits);
                if (self.heap.array_len(buf) as usize) < digits.len() {
                    let msg = format!(
                        "Index {} out of bounds for length {}",
                        digits.len() - 1,
                        self.heap.array_len(buf)
                    );
                    return Err(self.raise(ARRAY_INDEX_OUT_OF_BOUNDS_EXCEPTION, Some(msg)));
                }
                self.heap.write_elems::<u16>(buf, 0, &digits);
                self.ret_i(a, packed)
            }
            IoOpen | IoRead | IoAvailable | IoClose | IoErrorText | IoDecodeUtf8 | IoFindEol => {
                self.native_io(n, a)
            }
            _ => Err(bad_native(n)),
        }
    }

    /// Reference argument `k` if it is a non-null array of at least `off + len`
    /// elements with `off, len >= 0`; else the exception Java would throw.
    pub(crate) fn array_range(
        &mut self,
        a: Args,
        k: usize,
        off: i32,
        len: i32,
    ) -> Result<Ref, crate::interp::Ctl> {
        let r = self.ar_nn(a, k)?;
        let n = self.heap.array_len(r) as i64;
        if off < 0 || len < 0 || off as i64 + len as i64 > n {
            let msg = format!("Range [{off}, {off} + {len}) out of bounds for length {n}");
            return Err(self.raise(
                semeru_stdlib::builtins::INDEX_OUT_OF_BOUNDS_EXCEPTION,
                Some(msg),
            ));
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(v: f64) -> (String, i32) {
        let mut d = Vec::new();
        let p = fd_digits(v, &mut d);
        assert_eq!(p & 0xff, d.len() as i32);
        (String::from_utf16(&d).unwrap_or_default(), p >> 8)
    }

    #[test]
    fn formatter_digits() {
        assert_eq!(digits(0.125), ("125".into(), 0));
        assert_eq!(digits(0.05), ("50".into(), -1));
        assert_eq!(digits(0.1), ("10".into(), 0));
        assert_eq!(digits(123.0), ("123".into(), 3));
        assert_eq!(digits(0.0), ("0".into(), 0));
        assert_eq!(digits(1e20), ("10".into(), 21));
        assert_eq!(digits(-2.5e-10), ("25".into(), -9));
    }

    #[test]
    fn strict_log_values() {
        // Values from OpenJDK 17's StrictMath.log.
        assert_eq!(strict_log(1.0), 0.0);
        assert_eq!(strict_log(std::f64::consts::E), 1.0);
        assert_eq!(strict_log(0.0), f64::NEG_INFINITY);
        assert!(strict_log(-1.0).is_nan());
        assert_eq!(strict_log(f64::INFINITY), f64::INFINITY);
        assert_eq!(strict_log(2.0).to_bits(), 0x3FE62E42FEFA39EF);
    }
}
