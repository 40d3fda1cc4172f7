//! Correctly rounded natural and decimal logarithms. HotSpot's `Math.log` and
//! `Math.log10` intrinsics return the correctly rounded result (checked against
//! Java 17 on random inputs), which the platform libm does not always do, so
//! these evaluate the logarithm in double-double arithmetic (~106 bits) and
//! round once.

/// A double-double: the unevaluated sum `hi + lo`, `|lo| <= ulp(hi) / 2`.
#[derive(Clone, Copy, Debug)]
struct Dd(f64, f64);

#[inline]
fn two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    let bb = s - a;
    Dd(s, (a - (s - bb)) + (b - bb))
}

#[inline]
fn fast_two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    Dd(s, b - (s - a))
}

impl Dd {
    fn add(self, o: Dd) -> Dd {
        let s = two_sum(self.0, o.0);
        let t = two_sum(self.1, o.1);
        let s = fast_two_sum(s.0, s.1 + t.0);
        fast_two_sum(s.0, s.1 + t.1)
    }

    fn mul(self, o: Dd) -> Dd {
        let p = self.0 * o.0;
        let e = self.0.mul_add(o.0, -p);
        fast_two_sum(p, e + (self.0 * o.1 + self.1 * o.0))
    }

    fn div(self, o: Dd) -> Dd {
        let q1 = self.0 / o.0;
        let r = self.add(o.mul(Dd(-q1, 0.0)));
        let q2 = r.0 / o.0;
        let r = r.add(o.mul(Dd(-q2, 0.0)));
        let q3 = r.0 / o.0;
        fast_two_sum(q1, q2).add(Dd(q3, 0.0))
    }

    fn from_f64(x: f64) -> Dd {
        Dd(x, 0.0)
    }
}

const LN2: Dd = Dd(std::f64::consts::LN_2, 2.319_046_813_846_299_6e-17);
const LN10: Dd = Dd(std::f64::consts::LN_10, -2.170_756_223_382_249_4e-16);

/// `ln(x)` for finite `x > 0`, in double-double.
fn ln_dd(x: f64) -> Dd {
    // x = m * 2^e with m in [sqrt(1/2), sqrt(2)).
    let (mut x, mut e) = (x, 0i32);
    if x < f64::MIN_POSITIVE {
        x *= 2f64.powi(54);
        e -= 54;
    }
    let bits = x.to_bits();
    e += ((bits >> 52) & 0x7ff) as i32 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172.
    let num = Dd::from_f64(m - 1.0); // exact (Sterbenz)
    let den = two_sum(m, 1.0);
    let s = num.div(den);
    let s2 = s.mul(s);
    // sum_{k>=0} s^(2k) / (2k + 1), Horner from k = 27 down (s^56 < 2^-140).
    let mut t = Dd::from_f64(1.0 / 55.0);
    for k in (0..27).rev() {
        let d = (2 * k + 1) as f64;
        t = t.mul(s2).add(Dd::from_f64(1.0).div(Dd::from_f64(d)));
    }
    let lnm = s.mul(t).mul(Dd::from_f64(2.0));
    LN2.mul(Dd::from_f64(e as f64)).add(lnm)
}

fn special(x: f64) -> Option<f64> {
    if x.is_nan() || x < 0.0 {
        Some(f64::NAN)
    } else if x == 0.0 {
        Some(f64::NEG_INFINITY)
    } else if x.is_infinite() {
        Some(x)
    } else if x == 1.0 {
        Some(0.0)
    } else {
        None
    }
}

/// `Math.log`, correctly rounded.
pub fn ln(x: f64) -> f64 {
    special(x).unwrap_or_else(|| {
        let r = ln_dd(x);
        r.0 + r.1
    })
}

/// `Math.log10`, correctly rounded.
pub fn log10(x: f64) -> f64 {
    special(x).unwrap_or_else(|| {
        let r = ln_dd(x).div(LN10);
        r.0 + r.1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_known_values() {
        assert_eq!(log10(1000.0), 3.0);
        assert_eq!(log10(1e-300), -300.0);
        assert_eq!(log10(7.104034841486717e-1), -1.4849491724236127e-1);
        assert_eq!(ln(1.6324518033092283), 4.900830584917282e-1);
        assert_eq!(ln(std::f64::consts::E), 1.0);
        assert_eq!(ln(2.0), std::f64::consts::LN_2);
        assert!(ln(-1.0).is_nan());
        assert_eq!(log10(0.0), f64::NEG_INFINITY);
        assert_eq!(log10(5e-324), -323.3062153431158);
    }
}
