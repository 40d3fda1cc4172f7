//! `java.lang.Math`, with Java's corner cases (`round` ties, `-0.0` and `NaN` in
//! `min`/`max`, `pow` special cases).

use super::{bad_native, Args, NResult};
use crate::interp::Vm;
use semeru_stdlib::builtins::ARITHMETIC_EXCEPTION;
use semeru_stdlib::natives::Native::{self, *};

/// `Math.max` on doubles: NaN wins, `+0.0 > -0.0`.
pub fn jmax(a: f64, b: f64) -> f64 {
    if a.is_nan() {
        a
    } else if b.is_nan() {
        b
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() {
            b
        } else {
            a
        }
    } else if a >= b {
        a
    } else {
        b
    }
}

/// `Math.min` on doubles: NaN wins, `-0.0 < +0.0`.
pub fn jmin(a: f64, b: f64) -> f64 {
    if a.is_nan() {
        a
    } else if b.is_nan() {
        b
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() {
            a
        } else {
            b
        }
    } else if a <= b {
        a
    } else {
        b
    }
}

/// `Math.round(double)`: the closest long, ties toward positive infinity.
pub fn round_d(x: f64) -> i64 {
    if x.is_nan() {
        return 0;
    }
    let f = x.floor();
    // `x - floor(x)` is exact for every double.
    let r = if x - f >= 0.5 { f + 1.0 } else { f };
    r as i64
}

/// `Math.round(float)`.
pub fn round_f(x: f32) -> i32 {
    if x.is_nan() {
        return 0;
    }
    let f = x.floor();
    let r = if x - f >= 0.5 { f + 1.0 } else { f };
    r as i32
}

/// `Math.pow`: C's `pow` except where Java says NaN.
pub fn pow(a: f64, b: f64) -> f64 {
    if b.is_nan() || (a.is_nan() && b != 0.0) {
        return f64::NAN;
    }
    if a.abs() == 1.0 && b.is_infinite() {
        return f64::NAN;
    }
    a.powf(b)
}

fn signum(x: f64) -> f64 {
    if x == 0.0 || x.is_nan() {
        x
    } else {
        1.0f64.copysign(x)
    }
}

impl Vm {
    pub(crate) fn native_math(&mut self, n: Native, a: Args) -> NResult {
        let x0 = self.ad(a, 0);
        let d = match n {
            MathAbsI => return self.ret_i(a, self.ai(a, 0).wrapping_abs()),
            MathAbsJ => return self.ret_l(a, self.al(a, 0).wrapping_abs()),
            MathAbsF => return self.ret_f(a, self.af(a, 0).abs()),
            MathMaxI => return self.ret_i(a, self.ai(a, 0).max(self.ai(a, 1))),
            MathMaxJ => return self.ret_l(a, self.al(a, 0).max(self.al(a, 1))),
            MathMinI => return self.ret_i(a, self.ai(a, 0).min(self.ai(a, 1))),
            MathMinJ => return self.ret_l(a, self.al(a, 0).min(self.al(a, 1))),
            MathMaxF => {
                let v = jmax(self.af(a, 0) as f64, self.af(a, 1) as f64) as f32;
                return self.ret_f(a, v);
            }
            MathMinF => {
                let v = jmin(self.af(a, 0) as f64, self.af(a, 1) as f64) as f32;
                return self.ret_f(a, v);
            }
            MathRoundD => return self.ret_l(a, round_d(x0)),
            MathRoundF => return self.ret_i(a, round_f(self.af(a, 0))),
            MathSignumF => {
                let v = signum(self.af(a, 0) as f64) as f32;
                return self.ret_f(a, v);
            }
            MathFloorDivI | MathFloorModI => {
                let (x, y) = (self.ai(a, 0), self.ai(a, 1));
                if y == 0 {
                    return Err(self.raise(ARITHMETIC_EXCEPTION, Some("/ by zero".into())));
                }
                let q = x.wrapping_div(y);
                let q = if (x % y != 0) && ((x ^ y) < 0) {
                    q - 1
                } else {
                    q
                };
                let v = if n == MathFloorDivI {
                    q
                } else {
                    x.wrapping_sub(q.wrapping_mul(y))
                };
                return self.ret_i(a, v);
            }
            MathFloorDivJ | MathFloorModJ => {
                let (x, y) = (self.al(a, 0), self.al(a, 1));
                if y == 0 {
                    return Err(self.raise(ARITHMETIC_EXCEPTION, Some("/ by zero".into())));
                }
                let q = x.wrapping_div(y);
                let q = if (x % y != 0) && ((x ^ y) < 0) {
                    q - 1
                } else {
                    q
                };
                let v = if n == MathFloorDivJ {
                    q
                } else {
                    x.wrapping_sub(q.wrapping_mul(y))
                };
                return self.ret_l(a, v);
            }
            MathAbsD => x0.abs(),
            MathMaxD => jmax(x0, self.ad(a, 1)),
            MathMinD => jmin(x0, self.ad(a, 1)),
            MathSqrt => x0.sqrt(),
            MathCbrt => super::fdlibm::cbrt(x0),
            MathPow => pow(x0, self.ad(a, 1)),
            MathFloor => x0.floor(),
            MathCeil => x0.ceil(),
            MathRint => x0.round_ties_even(),
            MathSin => x0.sin(),
            MathCos => x0.cos(),
            MathTan => x0.tan(),
            MathAsin => x0.asin(),
            MathAcos => x0.acos(),
            MathAtan => super::fdlibm::atan(x0),
            MathAtan2 => super::fdlibm::atan2(x0, self.ad(a, 1)),
            MathSinh => x0.sinh(),
            MathCosh => x0.cosh(),
            MathTanh => x0.tanh(),
            MathExp => x0.exp(),
            MathExpm1 => x0.exp_m1(),
            MathLog => super::crlog::ln(x0),
            MathLog10 => super::crlog::log10(x0),
            MathLog1p => x0.ln_1p(),
            MathHypot => super::fdlibm::hypot(x0, self.ad(a, 1)),
            MathSignumD => signum(x0),
            MathToRadians => x0 * (std::f64::consts::PI / 180.0),
            MathToDegrees => x0 * (180.0 / std::f64::consts::PI),
            MathRandom => {
                // xorshift64*: Math.random is unspecified beyond [0, 1).
                self.rng ^= self.rng >> 12;
                self.rng ^= self.rng << 25;
                self.rng ^= self.rng >> 27;
                let x = self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d);
                (x >> 11) as f64 / (1u64 << 53) as f64
            }
            _ => return Err(bad_native(n)),
        };
        self.ret_d(a, d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_corner_cases() {
        assert_eq!(round_d(-2.5), -2);
        assert_eq!(round_d(2.5), 3);
        assert_eq!(round_d(0.49999999999999994), 0);
        assert_eq!(round_d(f64::NAN), 0);
        assert_eq!(round_d(1e20), i64::MAX);
        assert_eq!(round_f(-0.5), 0);
        assert_eq!(jmin(-0.0, 0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(jmax(-0.0, 0.0).to_bits(), 0.0f64.to_bits());
        assert!(jmax(f64::NAN, 1.0).is_nan());
        assert!(pow(1.0, f64::NAN).is_nan());
        assert_eq!(pow(2.0, 10.0), 1024.0);
    }
}
