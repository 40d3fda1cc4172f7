//! Static types, compile-time constant values, and the primitive conversions of
//! JLS chapter 5 (widening, narrowing, promotion).

use crate::ast::PrimType;
use semeru_gc::{ClassId, ElemKind};

/// A static type. Class types are ids in the compiler's class table.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Bool,
    Byte,
    Short,
    Char,
    Int,
    Long,
    Float,
    Double,
    Void,
    /// The type of `null`.
    Null,
    Class(ClassId),
    Array(Box<Ty>),
    /// The type of an erroneous expression: compatible with everything, so one
    /// mistake does not cascade into more diagnostics.
    Error,
}

/// Which register file holds a value of a type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum File {
    P,
    R,
    None,
}

impl Ty {
    pub fn from_prim(p: PrimType) -> Ty {
        match p {
            PrimType::Boolean => Ty::Bool,
            PrimType::Byte => Ty::Byte,
            PrimType::Short => Ty::Short,
            PrimType::Char => Ty::Char,
            PrimType::Int => Ty::Int,
            PrimType::Long => Ty::Long,
            PrimType::Float => Ty::Float,
            PrimType::Double => Ty::Double,
        }
    }
    pub fn is_prim(&self) -> bool {
        matches!(
            self,
            Ty::Bool
                | Ty::Byte
                | Ty::Short
                | Ty::Char
                | Ty::Int
                | Ty::Long
                | Ty::Float
                | Ty::Double
        )
    }
    pub fn is_numeric(&self) -> bool {
        self.is_prim() && *self != Ty::Bool
    }
    pub fn is_integral(&self) -> bool {
        matches!(self, Ty::Byte | Ty::Short | Ty::Char | Ty::Int | Ty::Long)
    }
    /// A reference type (or `null`).
    pub fn is_ref(&self) -> bool {
        matches!(self, Ty::Null | Ty::Class(_) | Ty::Array(_))
    }
    pub fn is_error(&self) -> bool {
        *self == Ty::Error
    }
    pub fn file(&self) -> File {
        match self {
            Ty::Void | Ty::Error => File::None,
            t if t.is_prim() => File::P,
            _ => File::R,
        }
    }
    /// Types held as an `i32` in a register (int and its subranges, boolean).
    pub fn is_int_like(&self) -> bool {
        matches!(self, Ty::Bool | Ty::Byte | Ty::Short | Ty::Char | Ty::Int)
    }
    pub fn elem_kind(&self) -> ElemKind {
        match self {
            Ty::Bool => ElemKind::Bool,
            Ty::Byte => ElemKind::Byte,
            Ty::Short => ElemKind::Short,
            Ty::Char => ElemKind::Char,
            Ty::Int => ElemKind::Int,
            Ty::Long => ElemKind::Long,
            Ty::Float => ElemKind::Float,
            Ty::Double => ElemKind::Double,
            _ => ElemKind::Ref,
        }
    }
    /// Rank in the widening order byte < short < int < long < float < double
    /// (`char` ranks with `short` but is not convertible to/from it by widening).
    fn rank(&self) -> u8 {
        match self {
            Ty::Byte => 1,
            Ty::Short | Ty::Char => 2,
            Ty::Int => 3,
            Ty::Long => 4,
            Ty::Float => 5,
            Ty::Double => 6,
            _ => 0,
        }
    }
    /// Identity or widening primitive conversion (JLS 5.1.2).
    pub fn prim_widens_to(&self, to: &Ty) -> bool {
        if self == to {
            return self.is_prim();
        }
        if !self.is_numeric() || !to.is_numeric() {
            return false;
        }
        match (self, to) {
            (Ty::Char, Ty::Short) | (Ty::Byte, Ty::Char) | (Ty::Short, Ty::Char) => false,
            (Ty::Char, Ty::Byte) => false,
            _ => self.rank() < to.rank(),
        }
    }
    /// Unary numeric promotion (JLS 5.6.1).
    pub fn unary_promote(&self) -> Ty {
        match self {
            Ty::Byte | Ty::Short | Ty::Char | Ty::Int => Ty::Int,
            t => t.clone(),
        }
    }
    /// Binary numeric promotion (JLS 5.6.2).
    pub fn binary_promote(a: &Ty, b: &Ty) -> Ty {
        if *a == Ty::Double || *b == Ty::Double {
            Ty::Double
        } else if *a == Ty::Float || *b == Ty::Float {
            Ty::Float
        } else if *a == Ty::Long || *b == Ty::Long {
            Ty::Long
        } else {
            Ty::Int
        }
    }
    /// JVM descriptor of a primitive type; reference types need the class table.
    pub fn prim_desc(&self) -> Option<char> {
        Some(match self {
            Ty::Bool => 'Z',
            Ty::Byte => 'B',
            Ty::Short => 'S',
            Ty::Char => 'C',
            Ty::Int => 'I',
            Ty::Long => 'J',
            Ty::Float => 'F',
            Ty::Double => 'D',
            Ty::Void => 'V',
            _ => return None,
        })
    }
    pub fn prim_name(&self) -> Option<&'static str> {
        Some(match self {
            Ty::Bool => "boolean",
            Ty::Byte => "byte",
            Ty::Short => "short",
            Ty::Char => "char",
            Ty::Int => "int",
            Ty::Long => "long",
            Ty::Float => "float",
            Ty::Double => "double",
            Ty::Void => "void",
            Ty::Null => "<null>",
            Ty::Error => "<error>",
            _ => return None,
        })
    }
}

/// A compile-time constant (JLS 15.29). Values of `byte`, `short`, `char` and
/// `int` are all `I`; the expression's type says which.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    I(i32),
    J(i64),
    F(f32),
    D(f64),
    Z(bool),
    S(String),
}

impl Const {
    /// Converts a numeric constant to primitive type `to` with Java's cast semantics.
    pub fn convert(&self, to: &Ty) -> Option<Const> {
        let c = match (self, to) {
            (Const::Z(b), Ty::Bool) => Const::Z(*b),
            (Const::S(_), _) | (Const::Z(_), _) | (_, Ty::Bool) => return None,
            (c, Ty::Int) => Const::I(c.as_i64_java_int()),
            (c, Ty::Byte) => Const::I(c.as_i64_java_int() as i8 as i32),
            (c, Ty::Short) => Const::I(c.as_i64_java_int() as i16 as i32),
            (c, Ty::Char) => Const::I(c.as_i64_java_int() as u16 as i32),
            (Const::I(v), Ty::Long) => Const::J(*v as i64),
            (Const::J(v), Ty::Long) => Const::J(*v),
            (Const::F(v), Ty::Long) => Const::J(*v as i64),
            (Const::D(v), Ty::Long) => Const::J(*v as i64),
            (Const::I(v), Ty::Float) => Const::F(*v as f32),
            (Const::J(v), Ty::Float) => Const::F(*v as f32),
            (Const::F(v), Ty::Float) => Const::F(*v),
            (Const::D(v), Ty::Float) => Const::F(*v as f32),
            (Const::I(v), Ty::Double) => Const::D(*v as f64),
            (Const::J(v), Ty::Double) => Const::D(*v as f64),
            (Const::F(v), Ty::Double) => Const::D(*v as f64),
            (Const::D(v), Ty::Double) => Const::D(*v),
            _ => return None,
        };
        Some(c)
    }
    /// The value as Java's `(int)` conversion gives it (Rust's `as` saturates
    /// float→int and maps NaN to 0, like Java; long→int truncates).
    fn as_i64_java_int(&self) -> i32 {
        match self {
            Const::I(v) => *v,
            Const::J(v) => *v as i32,
            Const::F(v) => *v as i32,
            Const::D(v) => *v as i32,
            Const::Z(b) => *b as i32,
            Const::S(_) => 0,
        }
    }
    pub fn as_int(&self) -> Option<i32> {
        match self {
            Const::I(v) => Some(*v),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Const::Z(b) => Some(*b),
            _ => None,
        }
    }
    /// Whether an `int` constant of type `from` fits `to` for the implicit
    /// narrowing of assignment contexts (JLS 5.2).
    pub fn fits(&self, from: &Ty, to: &Ty) -> bool {
        let Const::I(v) = self else { return false };
        if !matches!(from, Ty::Byte | Ty::Short | Ty::Char | Ty::Int) {
            return false;
        }
        match to {
            Ty::Byte => i8::try_from(*v).is_ok(),
            Ty::Short => i16::try_from(*v).is_ok(),
            Ty::Char => u16::try_from(*v).is_ok(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_follows_jls_5_1_2() {
        assert!(Ty::Byte.prim_widens_to(&Ty::Short));
        assert!(!Ty::Byte.prim_widens_to(&Ty::Char));
        assert!(!Ty::Char.prim_widens_to(&Ty::Short));
        assert!(Ty::Char.prim_widens_to(&Ty::Int));
        assert!(Ty::Long.prim_widens_to(&Ty::Float));
        assert!(!Ty::Double.prim_widens_to(&Ty::Float));
        assert!(Ty::Int.prim_widens_to(&Ty::Int));
        assert!(!Ty::Bool.prim_widens_to(&Ty::Int));
    }

    #[test]
    fn constant_casts_are_java_exact() {
        assert_eq!(Const::I(200).convert(&Ty::Byte), Some(Const::I(-56)));
        assert_eq!(Const::D(1e20).convert(&Ty::Int), Some(Const::I(i32::MAX)));
        assert_eq!(Const::D(f64::NAN).convert(&Ty::Long), Some(Const::J(0)));
        assert_eq!(Const::J(1 << 33).convert(&Ty::Int), Some(Const::I(0)));
        assert_eq!(Const::I(-1).convert(&Ty::Char), Some(Const::I(65535)));
        assert!(Const::I(127).fits(&Ty::Int, &Ty::Byte));
        assert!(!Const::I(128).fits(&Ty::Int, &Ty::Byte));
    }
}
