//! A tiny unsigned big integer, just enough for the slow path of
//! [`super::dtoa`] (the role `FDBigInteger` plays in OpenJDK).
//!
//! Only exact operations are needed: the digit loop computes quotients that
//! are known to be below 10, so division is done by repeated subtraction.

use std::cmp::Ordering;

/// Little-endian base-2^32 limbs, always trimmed (no high zero limbs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Big {
    limbs: Vec<u32>,
}

impl Big {
    pub(crate) fn from_u64(v: u64) -> Big {
        let mut b = Big {
            limbs: vec![v as u32, (v >> 32) as u32],
        };
        b.trim();
        b
    }

    /// `v * 5^p5 * 2^p2`.
    pub(crate) fn mul_pow52(v: u64, p5: u32, p2: u32) -> Big {
        let mut b = Big::from_u64(v);
        b.mul_pow5(p5);
        b.shl(p2);
        b
    }

    /// `5^p5 * 2^p2`.
    pub(crate) fn pow52(p5: u32, p2: u32) -> Big {
        Big::mul_pow52(1, p5, p2)
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    pub(crate) fn mul_small(&mut self, m: u32) {
        let mut carry: u64 = 0;
        for l in self.limbs.iter_mut() {
            let p = u64::from(*l) * u64::from(m) + carry;
            *l = p as u32;
            carry = p >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
        self.trim();
    }

    fn mul_pow5(&mut self, mut p5: u32) {
        // 5^13 is the largest power of five that fits in a u32.
        const FIVE_13: u32 = 1_220_703_125;
        while p5 >= 13 {
            self.mul_small(FIVE_13);
            p5 -= 13;
        }
        if p5 > 0 {
            self.mul_small(5u32.pow(p5));
        }
    }

    pub(crate) fn shl(&mut self, bits: u32) {
        if self.is_zero() || bits == 0 {
            return;
        }
        let words = (bits / 32) as usize;
        let rem = bits % 32;
        if rem != 0 {
            let mut carry = 0u32;
            for l in self.limbs.iter_mut() {
                let v = *l;
                *l = (v << rem) | carry;
                carry = v >> (32 - rem);
            }
            if carry != 0 {
                self.limbs.push(carry);
            }
        }
        if words > 0 {
            self.limbs.splice(0..0, std::iter::repeat_n(0u32, words));
        }
    }

    pub(crate) fn cmp(&self, other: &Big) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }

    /// Compares `self` with `x + y` (OpenJDK's `addAndCmp`), without
    /// materialising the sum.
    pub(crate) fn cmp_sum(&self, x: &Big, y: &Big) -> Ordering {
        let limb = |b: &Big, i: usize| u64::from(b.limbs.get(i).copied().unwrap_or(0));
        let n = x.limbs.len().max(y.limbs.len()).max(self.limbs.len());
        let mut carry = 0u64;
        let mut ord = Ordering::Equal;
        // Scan upwards; the highest differing limb decides.
        for i in 0..n {
            let s = limb(x, i) + limb(y, i) + carry;
            carry = s >> 32;
            let t = limb(self, i);
            if t != s & 0xffff_ffff {
                ord = t.cmp(&(s & 0xffff_ffff));
            }
        }
        if carry != 0 {
            ord = Ordering::Less;
        }
        ord
    }

    fn bit_len(&self) -> u64 {
        match self.limbs.last() {
            None => 0,
            Some(&top) => 32 * self.limbs.len() as u64 - u64::from(top.leading_zeros()),
        }
    }

    /// `floor(self / 2^k)` for `k >= 0`, or `self * 2^-k` for `k < 0`,
    /// truncated to 128 bits.
    fn top_bits(&self, k: i64) -> u128 {
        if k < 0 {
            let mut v: u128 = 0;
            for &l in self.limbs.iter().rev().take(4) {
                v = (v << 32) | u128::from(l);
            }
            return v << (-k).min(127);
        }
        let first = (k / 32) as usize;
        let rem = (k % 32) as u32;
        let mut v: u128 = 0;
        for i in (first..self.limbs.len().min(first + 5)).rev() {
            v = (v << 32) | u128::from(self.limbs[i]);
        }
        // Callers keep `self / 2^k` below 2^99, so the (up to) fifth limb
        // shifted out above is zero.
        v >> rem
    }

    /// `self -= q * s`; requires `self >= q * s`.
    fn mul_sub(&mut self, q: u32, s: &Big) {
        let mut borrow = 0u64;
        for i in 0..self.limbs.len() {
            let p = u64::from(q) * u64::from(s.limbs.get(i).copied().unwrap_or(0)) + borrow;
            let (v, under) = self.limbs[i].overflowing_sub(p as u32);
            self.limbs[i] = v;
            borrow = (p >> 32) + u64::from(under);
        }
        self.trim();
    }

    /// `self -= other`; requires `self >= other`.
    fn sub_assign(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for i in 0..self.limbs.len() {
            let a = i64::from(self.limbs[i]);
            let b = i64::from(other.limbs.get(i).copied().unwrap_or(0));
            let mut d = a - b - borrow;
            if d < 0 {
                d += 1 << 32;
                borrow = 1;
            } else {
                borrow = 0;
            }
            self.limbs[i] = d as u32;
        }
        self.trim();
    }

    /// Returns `q = self / s` and replaces `self` by `10 * (self % s)`
    /// (OpenJDK's `quoRemIteration`). The quotient is expected to be small
    /// (below 10 in the digit loop).
    pub(crate) fn quo_rem_iteration(&mut self, s: &Big) -> u32 {
        let mut q = 0u32;
        if self.cmp(s) != Ordering::Less {
            // Estimate from the leading 64 bits of `s`: the estimate is
            // within one of the true quotient, so start one below it.
            let k = s.bit_len() as i64 - 64;
            let s_top = s.top_bits(k);
            let b_top = self.top_bits(k);
            if let Some(est) = b_top.checked_div(s_top) {
                q = (est.min(u128::from(u32::MAX)) as u32).saturating_sub(1);
                if q > 0 {
                    self.mul_sub(q, s);
                }
            }
            // At most two steps are needed; the bound only guards against
            // misuse (a quotient far beyond the estimate's guarantees).
            let mut steps = 0;
            while steps < 64 && self.cmp(s) != Ordering::Less {
                self.sub_assign(s);
                q = q.wrapping_add(1);
                steps += 1;
            }
        }
        self.mul_small(10);
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        let mut a = Big::pow52(3, 4); // 2000
        assert_eq!(a, Big::from_u64(2000));
        let s = Big::from_u64(300);
        assert_eq!(a.quo_rem_iteration(&s), 6);
        assert_eq!(a, Big::from_u64(2000));
        let mut b = Big::from_u64(u64::MAX);
        b.shl(70);
        let mut c = Big::from_u64(u64::MAX);
        c.shl(69);
        assert_eq!(b.cmp_sum(&c, &c), Ordering::Equal);
        assert_eq!(b.cmp(&c), Ordering::Greater);
        let big = Big::pow52(400, 0);
        let mut x = big.clone();
        x.mul_small(7);
        let mut y = x.clone();
        y.shl(1); // 14 * big
        x.shl(0);
        assert_eq!(y.quo_rem_iteration(&x), 2);
        assert!(y.is_zero());
        let mut z = Big::pow52(400, 3); // 8 * big
        assert_eq!(z.quo_rem_iteration(&big), 8);
        assert!(z.is_zero());
        assert!(Big::from_u64(0).is_zero());
    }

    /// The estimating `quo_rem_iteration` returns exact quotients 0..=9 and
    /// remainders for divisors of all sizes.
    #[test]
    fn quo_rem_is_exact() {
        let mut x: u64 = 0x1234_5678_9abc_def1;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let mut s = Big::mul_pow52(next() >> (next() % 64), (next() % 120) as u32, 0);
            s.shl((next() % 200) as u32);
            if s.is_zero() {
                continue;
            }
            // A remainder r < s: same limb count, smaller top limb.
            let top = *s.limbs.last().unwrap();
            let mut limbs: Vec<u32> = (0..s.limbs.len()).map(|_| next() as u32).collect();
            *limbs.last_mut().unwrap() = (next() as u32) % top;
            let mut r = Big { limbs };
            r.trim();
            let q = (next() % 10) as u32;
            // b = q * s + r
            let mut b = s.clone();
            b.mul_small(q);
            let mut sum = Vec::new();
            let mut carry = 0u64;
            for i in 0..b.limbs.len().max(r.limbs.len()) + 1 {
                let t = u64::from(b.limbs.get(i).copied().unwrap_or(0))
                    + u64::from(r.limbs.get(i).copied().unwrap_or(0))
                    + carry;
                sum.push(t as u32);
                carry = t >> 32;
            }
            let mut b = Big { limbs: sum };
            b.trim();
            assert_eq!(b.quo_rem_iteration(&s), q);
            r.mul_small(10);
            assert_eq!(b, r);
        }
    }
}
