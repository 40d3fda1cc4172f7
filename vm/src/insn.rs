//! The bytecode: one table defines every instruction.
//!
//! Semeru's bytecode is register-based with **two register files** per frame:
//! primitive registers `p0, p1, …` (64-bit: an `int`/`boolean`/`char`/`short`/
//! `byte` is held as an `i32` in the low 32 bits, a `float` as its bits in the
//! low 32 bits, a `long`/`double` in all 64) and reference registers `r0, r1, …`
//! (compressed heap references). Because every reference lives in a reference
//! register, the GC's stack roots are exact without stack maps.
//!
//! Calls pass arguments in the caller's *topmost* registers: primitive arguments
//! in consecutive primitive registers starting at `p`, reference arguments (the
//! receiver first) in consecutive reference registers starting at `r`. The callee's
//! frame begins there, so its parameters are its own `p0…`/`r0…`, and its result
//! is left in the caller's `p` (primitive) or `r` (reference) register.
//!
//! Jump targets are absolute instruction indices within the method.
//!
//! The [`insns!`] table below is the single definition: it generates the
//! [`Insn`] enum (which the compiler constructs directly), its mnemonic, its
//! operand printing for the disassembler, and [`OPCODE_DOCS`].

use std::fmt;

macro_rules! operand_newtypes {
    ($($(#[$m:meta])* $name:ident($t:ty) $prefix:literal;)*) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        #[repr(transparent)]
        pub struct $name(pub $t);
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
        impl AsOperand for $name {
            fn as_operand(&self) -> Operand {
                Operand::$name(*self)
            }
        }
    )*
        /// One operand of an instruction, for generic passes such as the VM's
        /// load-time verifier ([`Insn::for_each_operand`]).
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub enum Operand {
            $($name($name),)*
            /// An immediate (`i32`, `i16`, `u8`, `f32`, [`Cond`]).
            Imm,
        }
    };
}

/// Converts an instruction field to an [`Operand`].
pub trait AsOperand {
    fn as_operand(&self) -> Operand;
}

macro_rules! imm_operands {
    ($($t:ty),*) => {$(
        impl AsOperand for $t {
            fn as_operand(&self) -> Operand {
                Operand::Imm
            }
        }
    )*};
}
imm_operands!(i32, i16, u8, f32, Cond);

operand_newtypes! {
    /// A primitive register.
    P(u16) "p";
    /// A reference register.
    R(u16) "r";
    /// A jump target (instruction index).
    Pc(u16) "@";
    /// A class id.
    Cls(u16) "class#";
    /// A method id.
    Meth(u16) "method#";
    /// A native id (`semeru_stdlib::natives::Native`).
    Nat(u16) "native#";
    /// An index into the 64-bit constant pool.
    K(u16) "k";
    /// An index into the string literal pool.
    Str(u16) "str#";
    /// A static slot (primitive or reference, by instruction).
    St(u16) "static#";
    /// A byte offset of a field within an object.
    Off(u16) "+";
    /// A virtual-table slot.
    VSlot(u16) "vslot#";
    /// A switch table index (`Code::switches`).
    Tbl(u16) "table#";
}

/// Comparison condition of `Cmp*`/`Br*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Cond {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cond {
    pub fn negate(self) -> Cond {
        match self {
            Cond::Eq => Cond::Ne,
            Cond::Ne => Cond::Eq,
            Cond::Lt => Cond::Ge,
            Cond::Le => Cond::Gt,
            Cond::Gt => Cond::Le,
            Cond::Ge => Cond::Lt,
        }
    }
}

impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cond::Eq => "==",
            Cond::Ne => "!=",
            Cond::Lt => "<",
            Cond::Le => "<=",
            Cond::Gt => ">",
            Cond::Ge => ">=",
        })
    }
}

macro_rules! insns {
    ($($(#[doc = $doc:literal])* $name:ident { $($field:ident : $ty:ty),* };)*) => {
        /// One instruction. See the module docs for the register model.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub enum Insn {
            $($(#[doc = $doc])* $name { $($field: $ty),* },)*
        }

        impl Insn {
            /// The mnemonic.
            pub fn name(&self) -> &'static str {
                match self { $(Insn::$name { .. } => stringify!($name),)* }
            }
            /// Writes `Mnemonic a=…, b=…` for the disassembler.
            pub fn fmt_asm(&self, f: &mut dyn fmt::Write) -> fmt::Result {
                match self {
                    $(Insn::$name { $($field),* } => {
                        write!(f, "{:<14}", stringify!($name))?;
                        let mut _first = true;
                        $(
                            if !_first { f.write_str(", ")?; }
                            _first = false;
                            write!(f, "{}={}", stringify!($field), $field)?;
                        )*
                        Ok(())
                    })*
                }
            }
        }

        impl Insn {
            /// Calls `f(field name, operand)` for every operand, in table order.
            pub fn for_each_operand(&self, f: &mut dyn FnMut(&'static str, Operand)) {
                match self {
                    $(Insn::$name { $($field),* } => {
                        $(f(stringify!($field), $field.as_operand());)*
                    })*
                }
            }
        }

        /// `(mnemonic, operands, documentation)` for every instruction.
        pub static OPCODE_DOCS: &[(&str, &str, &str)] = &[
            $((stringify!($name), stringify!($($field: $ty),*), concat!($($doc, "\n"),*)),)*
        ];
    };
}

impl fmt::Display for Insn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_asm(f)
    }
}

insns! {
    /// Does nothing.
    Nop {};

    // ---- constants and moves ----
    /// `d = v` (int, boolean, char, short, byte).
    IConst { d: P, v: i32 };
    /// `d = v` (float).
    FConst { d: P, v: f32 };
    /// `d = consts[k]` (the 64 bits of a long or double).
    KConst { d: P, k: K };
    /// `d = strings[k]`, the interned literal.
    SConst { d: R, k: Str };
    /// `d = null`.
    Null { d: R };
    /// `d = s` (primitive).
    MovP { d: P, s: P };
    /// `d = s` (reference).
    MovR { d: R, s: R };

    // ---- int arithmetic (32-bit, wrapping; shifts mask the count by 31) ----
    /// `d = a + b`
    IAdd { d: P, a: P, b: P };
    /// `d = a + v`
    IAddK { d: P, a: P, v: i16 };
    /// `d = a - b`
    ISub { d: P, a: P, b: P };
    /// `d = a * b`
    IMul { d: P, a: P, b: P };
    /// `d = a / b`; `ArithmeticException: / by zero`; `MIN / -1 == MIN`.
    IDiv { d: P, a: P, b: P };
    /// `d = a % b`; `ArithmeticException: / by zero`; `MIN % -1 == 0`.
    IRem { d: P, a: P, b: P };
    /// `d = a & b`
    IAnd { d: P, a: P, b: P };
    /// `d = a | b`
    IOr { d: P, a: P, b: P };
    /// `d = a ^ b`
    IXor { d: P, a: P, b: P };
    /// `d = a << (b & 31)`
    IShl { d: P, a: P, b: P };
    /// `d = a >> (b & 31)`
    IShr { d: P, a: P, b: P };
    /// `d = a >>> (b & 31)`
    IUShr { d: P, a: P, b: P };
    /// `d = -s`
    INeg { d: P, s: P };
    /// `d = ~s`
    INot { d: P, s: P };
    /// `d = !s` for a boolean (`s ^ 1`).
    BNot { d: P, s: P };

    // ---- long arithmetic (64-bit, wrapping; shift counts are int registers, masked by 63) ----
    /// `d = a + b`
    LAdd { d: P, a: P, b: P };
    /// `d = a - b`
    LSub { d: P, a: P, b: P };
    /// `d = a * b`
    LMul { d: P, a: P, b: P };
    /// `d = a / b`; `ArithmeticException: / by zero`
    LDiv { d: P, a: P, b: P };
    /// `d = a % b`; `ArithmeticException: / by zero`
    LRem { d: P, a: P, b: P };
    /// `d = a & b`
    LAnd { d: P, a: P, b: P };
    /// `d = a | b`
    LOr { d: P, a: P, b: P };
    /// `d = a ^ b`
    LXor { d: P, a: P, b: P };
    /// `d = a << (b & 63)`, `b` an int
    LShl { d: P, a: P, b: P };
    /// `d = a >> (b & 63)`, `b` an int
    LShr { d: P, a: P, b: P };
    /// `d = a >>> (b & 63)`, `b` an int
    LUShr { d: P, a: P, b: P };
    /// `d = -s`
    LNeg { d: P, s: P };
    /// `d = ~s`
    LNot { d: P, s: P };

    // ---- float and double arithmetic (IEEE 754; `%` is fmod) ----
    /// `d = a + b`
    FAdd { d: P, a: P, b: P };
    /// `d = a - b`
    FSub { d: P, a: P, b: P };
    /// `d = a * b`
    FMul { d: P, a: P, b: P };
    /// `d = a / b`
    FDiv { d: P, a: P, b: P };
    /// `d = a % b`
    FRem { d: P, a: P, b: P };
    /// `d = -s`
    FNeg { d: P, s: P };
    /// `d = a + b`
    DAdd { d: P, a: P, b: P };
    /// `d = a - b`
    DSub { d: P, a: P, b: P };
    /// `d = a * b`
    DMul { d: P, a: P, b: P };
    /// `d = a / b`
    DDiv { d: P, a: P, b: P };
    /// `d = a % b`
    DRem { d: P, a: P, b: P };
    /// `d = -s`
    DNeg { d: P, s: P };

    // ---- conversions (Java semantics: float->int saturates, NaN -> 0) ----
    /// int -> long
    I2L { d: P, s: P };
    /// int -> float
    I2F { d: P, s: P };
    /// int -> double
    I2D { d: P, s: P };
    /// long -> int (truncate)
    L2I { d: P, s: P };
    /// long -> float
    L2F { d: P, s: P };
    /// long -> double
    L2D { d: P, s: P };
    /// float -> int
    F2I { d: P, s: P };
    /// float -> long
    F2L { d: P, s: P };
    /// float -> double
    F2D { d: P, s: P };
    /// double -> int
    D2I { d: P, s: P };
    /// double -> long
    D2L { d: P, s: P };
    /// double -> float
    D2F { d: P, s: P };
    /// int -> byte (sign-extend the low 8 bits)
    I2B { d: P, s: P };
    /// int -> char (zero-extend the low 16 bits)
    I2C { d: P, s: P };
    /// int -> short (sign-extend the low 16 bits)
    I2S { d: P, s: P };

    // ---- comparisons to a boolean value ----
    /// `d = (a c b)` on ints
    CmpI { d: P, a: P, b: P, c: Cond };
    /// `d = (a c b)` on longs
    CmpL { d: P, a: P, b: P, c: Cond };
    /// `d = (a c b)` on floats (false for NaN, except `!=`)
    CmpF { d: P, a: P, b: P, c: Cond };
    /// `d = (a c b)` on doubles (false for NaN, except `!=`)
    CmpD { d: P, a: P, b: P, c: Cond };
    /// `d = (a c b)` on references; `c` is `==` or `!=`
    CmpR { d: P, a: R, b: R, c: Cond };

    // ---- control flow ----
    /// `goto t`
    Jmp { t: Pc };
    /// `if (a c b) goto t` on ints
    BrI { a: P, b: P, c: Cond, t: Pc };
    /// `if (a c v) goto t` on an int and a constant
    BrIK { a: P, v: i16, c: Cond, t: Pc };
    /// `if (a c b) goto t` on longs
    BrL { a: P, b: P, c: Cond, t: Pc };
    /// `if (a c b) goto t` on floats (not taken for NaN, except `!=`)
    BrF { a: P, b: P, c: Cond, t: Pc };
    /// `if (a c b) goto t` on doubles (not taken for NaN, except `!=`)
    BrD { a: P, b: P, c: Cond, t: Pc };
    /// `if (a c b) goto t` on references; `c` is `==` or `!=`
    BrR { a: R, b: R, c: Cond, t: Pc };
    /// `if (a == null) goto t`
    BrNull { a: R, t: Pc };
    /// `if (a != null) goto t`
    BrNonNull { a: R, t: Pc };
    /// `if (a) goto t` (boolean)
    BrTrue { a: P, t: Pc };
    /// `if (!a) goto t` (boolean)
    BrFalse { a: P, t: Pc };
    /// Jump through `switches[tbl]` on the int in `s`.
    Switch { s: P, tbl: Tbl };

    // ---- objects and fields ----
    /// `d = new c` (fields zeroed; the constructor is called separately). May GC.
    New { d: R, c: Cls };
    /// `d = (byte) o.+off` (sign-extended)
    GetB { d: P, o: R, off: Off };
    /// `d = (boolean) o.+off`
    GetZ { d: P, o: R, off: Off };
    /// `d = (char) o.+off` (zero-extended)
    GetC { d: P, o: R, off: Off };
    /// `d = (short) o.+off` (sign-extended)
    GetS { d: P, o: R, off: Off };
    /// `d = o.+off` (int or float bits)
    Get32 { d: P, o: R, off: Off };
    /// `d = o.+off` (long or double bits)
    Get64 { d: P, o: R, off: Off };
    /// `d = o.+off` (reference)
    GetR { d: R, o: R, off: Off };
    /// `o.+off = (8 bits) s` (byte, boolean)
    Put8 { o: R, off: Off, s: P };
    /// `o.+off = (16 bits) s` (char, short)
    Put16 { o: R, off: Off, s: P };
    /// `o.+off = (32 bits) s` (int, float)
    Put32 { o: R, off: Off, s: P };
    /// `o.+off = s` (long, double)
    Put64 { o: R, off: Off, s: P };
    /// `o.+off = s` (reference; write barrier)
    PutR { o: R, off: Off, s: R };
    /// Every `Get*`/`Put*` throws `NullPointerException` on a null `o`.
    /// `d = statics_p[s]`
    GetStaticP { d: P, s: St };
    /// `statics_p[s] = v` (the compiler narrows first)
    PutStaticP { s: St, v: P };
    /// `d = statics_r[s]`
    GetStaticR { d: R, s: St };
    /// `statics_r[s] = v`
    PutStaticR { s: St, v: R };
    /// Runs the static initializers of `c` (and its superclasses) if they have not run.
    InitClass { c: Cls };

    // ---- arrays ----
    /// `d = new c[len]` for array class `c`; `NegativeArraySizeException: -1`. May GC.
    NewArray { d: R, len: P, c: Cls };
    /// `d = new c[dims[0]][dims[1]]…` with `n` lengths in consecutive registers from `dims`. May GC.
    NewMultiArray { d: R, dims: P, n: u8, c: Cls };
    /// `d = a.length`
    ALen { d: P, a: R };
    /// `d = a[i]` (byte, sign-extended)
    ALoadB { d: P, a: R, i: P };
    /// `d = a[i]` (boolean)
    ALoadZ { d: P, a: R, i: P };
    /// `d = a[i]` (char)
    ALoadC { d: P, a: R, i: P };
    /// `d = a[i]` (short)
    ALoadS { d: P, a: R, i: P };
    /// `d = a[i]` (int, float)
    ALoad32 { d: P, a: R, i: P };
    /// `d = a[i]` (long, double)
    ALoad64 { d: P, a: R, i: P };
    /// `d = a[i]` (reference)
    ALoadR { d: R, a: R, i: P };
    /// `a[i] = s` (byte, boolean)
    AStore8 { a: R, i: P, s: P };
    /// `a[i] = s` (char, short)
    AStore16 { a: R, i: P, s: P };
    /// `a[i] = s` (int, float)
    AStore32 { a: R, i: P, s: P };
    /// `a[i] = s` (long, double)
    AStore64 { a: R, i: P, s: P };
    /// `a[i] = s` (reference; `ArrayStoreException` check; write barrier).
    /// Array accesses throw `NullPointerException` and
    /// `ArrayIndexOutOfBoundsException: Index 4 out of bounds for length 4`.
    AStoreR { a: R, i: P, s: R };

    // ---- types ----
    /// `d = o instanceof c` (false for null)
    InstanceOf { d: P, o: R, c: Cls };
    /// Throws `ClassCastException` unless `o` is null or an instance of `c`.
    CheckCast { o: R, c: Cls };

    // ---- calls ----
    /// Calls static method `m` with arguments at `p…`/`r…`.
    CallStatic { m: Meth, p: P, r: R };
    /// Calls instance method `m` non-virtually (constructors, private methods,
    /// `super.m()`); the receiver is `r`; `NullPointerException` if null.
    CallSpecial { m: Meth, p: P, r: R };
    /// Calls the method in vtable slot `v` of the receiver's class; the receiver is `r`.
    CallVirtual { v: VSlot, p: P, r: R };
    /// Calls the implementation of interface method `m` in the receiver's class
    /// (its `itable`); the receiver is `r`; `NullPointerException` if null.
    CallInterface { m: Meth, p: P, r: R };
    /// Calls native `n` with arguments at `p…`/`r…`.
    CallNative { n: Nat, p: P, r: R };
    /// Returns from a `void` method.
    Ret {};
    /// Returns a primitive.
    RetP { s: P };
    /// Returns a reference.
    RetR { s: R };
    /// Throws the exception object in `s` (`NullPointerException` if null).
    Throw { s: R };
    /// Throws `NullPointerException` if `o` is null.
    NullCheck { o: R };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_stay_eight_bytes() {
        assert_eq!(std::mem::size_of::<Insn>(), 8);
    }

    #[test]
    fn disassembles_operands() {
        let i = Insn::BrI {
            a: P(1),
            b: P(2),
            c: Cond::Lt,
            t: Pc(7),
        };
        assert_eq!(i.to_string(), "BrI           a=p1, b=p2, c=<, t=@7");
        assert!(OPCODE_DOCS.iter().any(|(n, _, _)| *n == "IAdd"));
    }
}
