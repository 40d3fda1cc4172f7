//! The `StrictMath` algorithms (Sun's fdlibm 5.3) that `Math.atan`, `atan2`,
//! `hypot` and `cbrt` delegate to in HotSpot, reimplemented so results match
//! Java bit for bit (the platform libm differs in the last bit on many inputs).

#[inline]
fn hi(x: f64) -> i32 {
    (x.to_bits() >> 32) as i32
}

#[inline]
fn lo(x: f64) -> u32 {
    x.to_bits() as u32
}

/// `x` with its high word replaced.
#[inline]
fn with_hi(x: f64, h: i32) -> f64 {
    f64::from_bits((x.to_bits() & 0xffff_ffff) | ((h as u32 as u64) << 32))
}

/// `x` with its low word cleared.
#[inline]
fn clear_lo(x: f64) -> f64 {
    f64::from_bits(x.to_bits() & !0xffff_ffff)
}

const ATAN_HI: [f64; 4] = [
    4.636_476_090_008_061e-1,
    std::f64::consts::FRAC_PI_4,
    9.827_937_232_473_29e-1,
    std::f64::consts::FRAC_PI_2,
];
const ATAN_LO: [f64; 4] = [
    2.269_877_745_296_168_7e-17,
    3.061_616_997_868_383e-17,
    1.390_331_103_123_099_8e-17,
    6.123_233_995_736_766e-17,
];
/// Odd polynomial coefficients of atan on the reduced range.
const AT: [f64; 11] = [
    3.333_333_333_333_293e-1,
    -1.999_999_999_987_648_3e-1,
    1.428_571_427_250_346_6e-1,
    -1.111_111_040_546_235_6e-1,
    9.090_887_133_436_507e-2,
    -7.691_876_205_044_83e-2,
    6.661_073_137_387_531e-2,
    -5.833_570_133_790_573_5e-2,
    4.976_877_994_615_932_4e-2,
    -3.653_157_274_421_691_6e-2,
    1.628_582_011_536_578_2e-2,
];

/// `StrictMath.atan`.
pub fn atan(x: f64) -> f64 {
    let hx = hi(x);
    let ix = hx & 0x7fff_ffff;
    if ix >= 0x4410_0000 {
        // |x| >= 2^66: ±pi/2, or NaN.
        if x.is_nan() {
            return x + x;
        }
        let r = ATAN_HI[3] + ATAN_LO[3];
        return if hx > 0 { r } else { -r };
    }
    // Reduce |x| to a small t with atan(x) = atan(c) + atan(t).
    let (id, t) = if ix < 0x3fdc_0000 {
        if ix < 0x3e20_0000 {
            return x;
        }
        (None, x)
    } else {
        let a = x.abs();
        if ix < 0x3ff3_0000 {
            if ix < 0x3fe6_0000 {
                (Some(0), (2.0 * a - 1.0) / (2.0 + a))
            } else {
                (Some(1), (a - 1.0) / (a + 1.0))
            }
        } else if ix < 0x4003_8000 {
            (Some(2), (a - 1.5) / (1.0 + 1.5 * a))
        } else {
            (Some(3), -1.0 / a)
        }
    };
    let z = t * t;
    let w = z * z;
    let s1 = z * (AT[0] + w * (AT[2] + w * (AT[4] + w * (AT[6] + w * (AT[8] + w * AT[10])))));
    let s2 = w * (AT[1] + w * (AT[3] + w * (AT[5] + w * (AT[7] + w * AT[9]))));
    match id {
        None => t - t * (s1 + s2),
        Some(i) => {
            let r = ATAN_HI[i] - ((t * (s1 + s2) - ATAN_LO[i]) - t);
            if hx < 0 {
                -r
            } else {
                r
            }
        }
    }
}

/// `StrictMath.atan2(y, x)`.
pub fn atan2(y: f64, x: f64) -> f64 {
    const TINY: f64 = 1.0e-300;
    const PI_O_4: f64 = std::f64::consts::FRAC_PI_4;
    const PI_O_2: f64 = std::f64::consts::FRAC_PI_2;
    const PI: f64 = std::f64::consts::PI;
    const PI_LO: f64 = 1.224_646_799_147_353_2e-16;
    if x.is_nan() || y.is_nan() {
        return x + y;
    }
    let (hx, hy) = (hi(x), hi(y));
    let (ix, iy) = (hx & 0x7fff_ffff, hy & 0x7fff_ffff);
    if x == 1.0 {
        return atan(y);
    }
    // m = 2 * sign(x) + sign(y)
    let m = ((hy >> 31) & 1) | ((hx >> 30) & 2);
    if y == 0.0 {
        return match m {
            0 | 1 => y,
            2 => PI + TINY,
            _ => -PI - TINY,
        };
    }
    if x == 0.0 {
        return if hy < 0 {
            -PI_O_2 - TINY
        } else {
            PI_O_2 + TINY
        };
    }
    if x.is_infinite() {
        return if y.is_infinite() {
            match m {
                0 => PI_O_4 + TINY,
                1 => -PI_O_4 - TINY,
                2 => 3.0 * PI_O_4 + TINY,
                _ => -3.0 * PI_O_4 - TINY,
            }
        } else {
            match m {
                0 => 0.0,
                1 => -0.0,
                2 => PI + TINY,
                _ => -PI - TINY,
            }
        };
    }
    if y.is_infinite() {
        return if hy < 0 {
            -PI_O_2 - TINY
        } else {
            PI_O_2 + TINY
        };
    }
    let k = (iy - ix) >> 20;
    let z = if k > 60 {
        PI_O_2 + 0.5 * PI_LO
    } else if hx < 0 && k < -60 {
        0.0
    } else {
        atan((y / x).abs())
    };
    match m {
        0 => z,
        1 => -z,
        2 => PI - (z - PI_LO),
        _ => (z - PI_LO) - PI,
    }
}

/// `StrictMath.hypot`.
pub fn hypot(x: f64, y: f64) -> f64 {
    let (mut ha, mut hb) = (hi(x) & 0x7fff_ffff, hi(y) & 0x7fff_ffff);
    let (mut a, mut b) = if hb > ha {
        std::mem::swap(&mut ha, &mut hb);
        (y, x)
    } else {
        (x, y)
    };
    a = with_hi(a, ha);
    b = with_hi(b, hb);
    if ha - hb > 0x3c0_0000 {
        return a + b; // a/b > 2^60
    }
    let mut k: i32 = 0;
    if ha > 0x5f30_0000 {
        // a > 2^500
        if ha >= 0x7ff0_0000 {
            // Inf or NaN: Inf wins over NaN.
            let mut w = a + b;
            if ((ha & 0xf_ffff) as u32 | lo(a)) == 0 {
                w = a;
            }
            if ((hb ^ 0x7ff0_0000) as u32 | lo(b)) == 0 {
                w = b;
            }
            return w;
        }
        ha -= 0x2580_0000;
        hb -= 0x2580_0000;
        k += 600;
        a = with_hi(a, ha);
        b = with_hi(b, hb);
    }
    if hb < 0x20b0_0000 {
        // b < 2^-500
        if hb <= 0x000f_ffff {
            // subnormal b or 0
            if (hb as u32 | lo(b)) == 0 {
                return a;
            }
            let t1 = with_hi(0.0, 0x7fd0_0000); // 2^1022
            b *= t1;
            a *= t1;
            k -= 1022;
        } else {
            ha += 0x2580_0000;
            hb += 0x2580_0000;
            k -= 600;
            a = with_hi(a, ha);
            b = with_hi(b, hb);
        }
    }
    let mut w = a - b;
    if w > b {
        let t1 = with_hi(0.0, ha);
        let t2 = a - t1;
        w = (t1 * t1 - (b * (-b) - t2 * (a + t1))).sqrt();
    } else {
        a += a;
        let y1 = with_hi(0.0, hb);
        let y2 = b - y1;
        let t1 = with_hi(0.0, ha + 0x0010_0000);
        let t2 = a - t1;
        w = (t1 * y1 - (w * (-w) - (t1 * y2 + t2 * b))).sqrt();
    }
    if k != 0 {
        with_hi(1.0, hi(1.0) + (k << 20)) * w
    } else {
        w
    }
}

/// `StrictMath.cbrt`.
pub fn cbrt(x: f64) -> f64 {
    const B1: i32 = 715_094_163; // (682 - 0.03306235651) * 2^20
    const B2: i32 = 696_219_795; // (664 - 0.03306235651) * 2^20
    const C: f64 = 5.428_571_428_571_428e-1; // 19/35
    const D: f64 = -7.053_061_224_489_796e-1; // -864/1225
    const E: f64 = 1.414_285_714_285_714_4; // 99/70
    const F: f64 = 1.607_142_857_142_857_2; // 45/28
    const G: f64 = 3.571_428_571_428_571_5e-1; // 5/14
    let mut hx = hi(x);
    let sign = hx & (0x8000_0000u32 as i32);
    hx ^= sign;
    if hx >= 0x7ff0_0000 {
        return x + x; // NaN, Inf
    }
    if (hx as u32 | lo(x)) == 0 {
        return x; // ±0
    }
    let x = with_hi(x, hx); // |x|
                            // A rough cube root to 5 bits.
    let mut t = if hx < 0x0010_0000 {
        let t = with_hi(0.0, 0x4350_0000) * x; // 2^54 * x
        with_hi(0.0, hi(t) / 3 + B2)
    } else {
        with_hi(0.0, hx / 3 + B1)
    };
    // To 23 bits.
    let r = t * t / x;
    let s = C + r * t;
    t *= G + F / (s + E + D / s);
    // Chop to 20 bits, rounded up.
    t = clear_lo(t);
    t = with_hi(t, hi(t) + 1);
    // One Newton step to 53 bits.
    let s = t * t;
    let r = x / s;
    let w = t + t;
    let r = (r - t) / (w + r);
    t += t * r;
    with_hi(t, hi(t) | sign)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Inputs where the platform libm and Java 17 differ; expected bits from Java.
    #[test]
    fn matches_java_bits() {
        assert_eq!(
            atan2(2.275636800328681e1, -4.520606948626124e-2),
            1.5727828481068498
        );
        assert_eq!(
            hypot(2.8290177879003577e3, -3.4804175143702376),
            2.8290199288026774e3
        );
        assert_eq!(atan(2.499061812554475e-1), 2.4489036118295543e-1);
        assert_eq!(cbrt(-2.194280083271898e-3), -1.2994633057332577e-1);
        assert_eq!(hypot(3.0, 4.0), 5.0);
        assert_eq!(cbrt(27.0), 3.0);
        assert!(hypot(f64::NAN, f64::INFINITY).is_infinite());
        assert_eq!(atan2(0.0, -1.0), std::f64::consts::PI);
        assert_eq!(atan2(-0.0, 1.0).to_bits(), (-0.0f64).to_bits());
    }
}
