//! Constant folding with exact Java arithmetic (JLS 15.29).

use super::types::{Const, Ty};
use crate::ast::BinOp;
use semeru_vm::insn::Cond;
use semeru_vm::jnum::{fmt_double, fmt_float};

/// Folds `a op b` where both operands were promoted to `ty` (for shifts, `b`
/// is an `int` count). `None` when the result is not a constant (division by zero).
pub fn arith(op: BinOp, ty: &Ty, a: &Const, b: &Const) -> Option<Const> {
    use BinOp::*;
    Some(match (ty, a, b) {
        (Ty::Int, Const::I(x), Const::I(y)) => {
            let (x, y) = (*x, *y);
            Const::I(match op {
                Add => x.wrapping_add(y),
                Sub => x.wrapping_sub(y),
                Mul => x.wrapping_mul(y),
                Div if y == 0 => return None,
                Div => x.wrapping_div(y),
                Rem if y == 0 => return None,
                Rem => x.wrapping_rem(y),
                BitAnd => x & y,
                BitOr => x | y,
                BitXor => x ^ y,
                Shl => x.wrapping_shl(y as u32 & 31),
                Shr => x >> (y & 31),
                UShr => ((x as u32) >> (y & 31)) as i32,
                _ => return None,
            })
        }
        (Ty::Long, Const::J(x), Const::I(y)) => {
            let (x, y) = (*x, *y);
            Const::J(match op {
                Shl => x.wrapping_shl(y as u32 & 63),
                Shr => x >> (y & 63),
                UShr => ((x as u64) >> (y & 63)) as i64,
                _ => return None,
            })
        }
        (Ty::Long, Const::J(x), Const::J(y)) => {
            let (x, y) = (*x, *y);
            Const::J(match op {
                Add => x.wrapping_add(y),
                Sub => x.wrapping_sub(y),
                Mul => x.wrapping_mul(y),
                Div if y == 0 => return None,
                Div => x.wrapping_div(y),
                Rem if y == 0 => return None,
                Rem => x.wrapping_rem(y),
                BitAnd => x & y,
                BitOr => x | y,
                BitXor => x ^ y,
                _ => return None,
            })
        }
        (Ty::Float, Const::F(x), Const::F(y)) => Const::F(match op {
            Add => x + y,
            Sub => x - y,
            Mul => x * y,
            Div => x / y,
            Rem => x % y,
            _ => return None,
        }),
        (Ty::Double, Const::D(x), Const::D(y)) => Const::D(match op {
            Add => x + y,
            Sub => x - y,
            Mul => x * y,
            Div => x / y,
            Rem => x % y,
            _ => return None,
        }),
        (Ty::Bool, Const::Z(x), Const::Z(y)) => Const::Z(match op {
            BitAnd | And => *x && *y,
            BitOr | Or => *x || *y,
            BitXor => x != y,
            _ => return None,
        }),
        _ => return None,
    })
}

/// Folds a comparison of two constants of a common type.
pub fn cmp(c: Cond, a: &Const, b: &Const) -> Option<bool> {
    let ord = match (a, b) {
        (Const::I(x), Const::I(y)) => x.partial_cmp(y),
        (Const::J(x), Const::J(y)) => x.partial_cmp(y),
        (Const::F(x), Const::F(y)) => x.partial_cmp(y),
        (Const::D(x), Const::D(y)) => x.partial_cmp(y),
        (Const::Z(x), Const::Z(y)) => {
            return match c {
                Cond::Eq => Some(x == y),
                Cond::Ne => Some(x != y),
                _ => None,
            }
        }
        _ => return None,
    };
    use std::cmp::Ordering::*;
    Some(match (c, ord) {
        // NaN: every comparison is false except `!=`.
        (Cond::Ne, None) => true,
        (_, None) => false,
        (Cond::Eq, Some(o)) => o == Equal,
        (Cond::Ne, Some(o)) => o != Equal,
        (Cond::Lt, Some(o)) => o == Less,
        (Cond::Le, Some(o)) => o != Greater,
        (Cond::Gt, Some(o)) => o == Greater,
        (Cond::Ge, Some(o)) => o != Less,
    })
}

/// Negation of a numeric constant of type `ty`.
pub fn neg(ty: &Ty, a: &Const) -> Option<Const> {
    Some(match (ty, a) {
        (Ty::Int, Const::I(x)) => Const::I(x.wrapping_neg()),
        (Ty::Long, Const::J(x)) => Const::J(x.wrapping_neg()),
        (Ty::Float, Const::F(x)) => Const::F(-x),
        (Ty::Double, Const::D(x)) => Const::D(-x),
        _ => return None,
    })
}

pub fn bit_not(a: &Const) -> Option<Const> {
    Some(match a {
        Const::I(x) => Const::I(!x),
        Const::J(x) => Const::J(!x),
        _ => return None,
    })
}

/// The string a constant of type `ty` contributes to a concatenation.
pub fn to_java_string(ty: &Ty, c: &Const) -> String {
    match (ty, c) {
        (Ty::Char, Const::I(v)) => char::from_u32(*v as u32)
            .map(String::from)
            .unwrap_or_else(|| String::from_utf16_lossy(&[*v as u16])),
        (_, Const::I(v)) => v.to_string(),
        (_, Const::J(v)) => v.to_string(),
        (_, Const::F(v)) => fmt_float(*v),
        (_, Const::D(v)) => fmt_double(*v),
        (_, Const::Z(b)) => b.to_string(),
        (_, Const::S(s)) => s.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_arithmetic_wraps_like_java() {
        assert_eq!(
            arith(BinOp::Add, &Ty::Int, &Const::I(i32::MAX), &Const::I(1)),
            Some(Const::I(i32::MIN))
        );
        assert_eq!(
            arith(BinOp::Div, &Ty::Int, &Const::I(i32::MIN), &Const::I(-1)),
            Some(Const::I(i32::MIN))
        );
        assert_eq!(
            arith(BinOp::Div, &Ty::Int, &Const::I(1), &Const::I(0)),
            None
        );
        assert_eq!(
            arith(BinOp::Shl, &Ty::Int, &Const::I(1), &Const::I(33)),
            Some(Const::I(2))
        );
        assert_eq!(
            arith(BinOp::UShr, &Ty::Int, &Const::I(-1), &Const::I(28)),
            Some(Const::I(15))
        );
        assert_eq!(
            arith(BinOp::Rem, &Ty::Double, &Const::D(-5.5), &Const::D(2.0)),
            Some(Const::D(-1.5))
        );
    }

    #[test]
    fn nan_comparisons() {
        let n = Const::D(f64::NAN);
        assert_eq!(cmp(Cond::Eq, &n, &n), Some(false));
        assert_eq!(cmp(Cond::Ne, &n, &n), Some(true));
        assert_eq!(cmp(Cond::Lt, &n, &Const::D(1.0)), Some(false));
    }

    #[test]
    fn constant_strings_use_java_formatting() {
        assert_eq!(to_java_string(&Ty::Double, &Const::D(1.0)), "1.0");
        assert_eq!(to_java_string(&Ty::Float, &Const::F(0.1)), "0.1");
        assert_eq!(to_java_string(&Ty::Char, &Const::I(65)), "A");
        assert_eq!(to_java_string(&Ty::Double, &Const::D(1e7)), "1.0E7");
    }
}
