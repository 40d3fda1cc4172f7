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

    /// Compares `self` with `x + y` (OpenJDK's `addAndCmp`).
    pub(crate) fn cmp_sum(&self, x: &Big, y: &Big) -> Ordering {
        let n = x.limbs.len().max(y.limbs.len());
        let mut sum = Vec::with_capacity(n + 1);
        let mut carry = 0u64;
        for i in 0..n {
            let a = u64::from(x.limbs.get(i).copied().unwrap_or(0));
            let b = u64::from(y.limbs.get(i).copied().unwrap_or(0));
            let s = a + b + carry;
            sum.push(s as u32);
            carry = s >> 32;
        }
        if carry != 0 {
            sum.push(carry as u32);
        }
        let mut s = Big { limbs: sum };
        s.trim();
        self.cmp(&s)
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
    /// (OpenJDK's `quoRemIteration`). The quotient is expected to be small.
    pub(crate) fn quo_rem_iteration(&mut self, s: &Big) -> u32 {
        let mut q = 0;
        // Bounded for robustness; in the digit loop q is always < 10.
        while q < 64 && self.cmp(s) != Ordering::Less {
            self.sub_assign(s);
            q += 1;
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
}
