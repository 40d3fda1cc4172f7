//! Native methods: the non-intrinsic entries of `semeru_stdlib::natives`,
//! implemented with Java's exact semantics and messages.
//!
//! | family | file |
//! |---|---|
//! | `System`, `PrintStream` | [`system_print`] |
//! | `Math` | [`math`] |
//! | `String` and concatenation | [`string`] |
//! | `Integer`, `Long`, `Double`, `Float`, `Short`, `Byte`, `Boolean` | [`numbers`] |
//! | `Character` | [`chars`] |
//! | `Object` | [`object`] |
//! | `jdk.internal.util.ArraysSupport` (collections) | [`coll1`] |
//! | `StrictMath`, `Formatter` digits, `java.io` OS access | [`format`], [`io`] |
//! | file output and file-system access (`java.io`, `java.nio.file.Files`) | [`fs`] |
//!
//! A native reads its arguments from the caller's registers at absolute slots
//! `p…`/`r…` and leaves its result in slot `p` or `r` (see `insn.rs`).

pub mod boxexc;
pub mod chars;
pub mod coll1;
pub mod crlog;
pub mod fdlibm;
pub mod format;
pub mod fs;
pub mod io;
pub mod math;
pub mod numbers;
pub mod object;
pub mod string;
pub mod system_print;

use crate::interp::{Ctl, Vm, VmError};
use semeru_gc::Ref;
use semeru_stdlib::builtins::NULL_POINTER_EXCEPTION;
use semeru_stdlib::natives::{Native, NativeKind, NATIVES};

/// Which file implements a native.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    SystemPrint,
    Math,
    Str,
    Numbers,
    Chars,
    Object,
    /// `java.util` collection helpers.
    Coll1,
    /// The `misc` branch's section: StrictMath, Formatter, java.io.
    Misc,
    /// Exceptions and boxes ([`boxexc`]).
    BoxExc,
    /// File output and the file system ([`fs`]).
    Fs,
    /// Lowered by the compiler; never called.
    Intrinsic,
}

/// The family of every native, indexed by id.
pub fn families() -> Vec<Family> {
    NATIVES
        .iter()
        .zip(Native::ALL)
        .map(|(d, n)| {
            if d.kind == NativeKind::Intrinsic {
                return Family::Intrinsic;
            }
            if boxexc::owns(*n) {
                return Family::BoxExc;
            }
            if *n == Native::StrGetChars {
                return Family::Misc;
            }
            if *n == Native::StrGetBytes {
                return Family::Fs;
            }
            match d.class {
                "java/lang/System" | "java/io/PrintStream" => Family::SystemPrint,
                "java/lang/Math" => Family::Math,
                "java/lang/String" | "semeru/Internal" => Family::Str,
                "java/lang/Character" => Family::Chars,
                "java/lang/Object" => Family::Object,
                "jdk/internal/util/ArraysSupport" => Family::Coll1,
                "java/io/File"
                | "java/io/FileOutputStream"
                | "java/io/OutputStreamWriter"
                | "java/nio/file/Files" => Family::Fs,
                "java/lang/StrictMath"
                | "java/util/Formatter"
                | "java/io/FileInputStream"
                | "java/io/InputStreamReader"
                | "java/io/BufferedReader" => Family::Misc,
                _ => Family::Numbers,
            }
        })
        .collect()
}

/// Where a native's arguments are: absolute primitive and reference slots.
#[derive(Clone, Copy, Debug)]
pub struct Args {
    pub p: usize,
    pub r: usize,
}

pub(crate) type NResult = Result<(), Ctl>;

pub(crate) fn bad_native(n: Native) -> Ctl {
    Ctl::Fault(VmError(format!("native {n:?} is not callable")))
}

impl Vm {
    /// Runs native `n` with arguments at absolute slots `p`/`r`.
    pub(crate) fn call_native(&mut self, n: u16, p: usize, r: usize) -> NResult {
        let Some(native) = Native::from_index(n) else {
            return Err(Ctl::Fault(VmError(format!("unknown native #{n}"))));
        };
        let a = Args { p, r };
        match self.families[n as usize] {
            Family::SystemPrint => self.native_system_print(native, a),
            Family::Math => self.native_math(native, a),
            Family::Str => self.native_string(native, a),
            Family::Numbers => self.native_numbers(native, a),
            Family::Chars => self.native_chars(native, a),
            Family::Object => self.native_object(native, a),
            Family::Coll1 => self.native_coll1(native, a),
            Family::Misc => self.native_misc(native, a),
            Family::BoxExc => self.native_boxexc(native, a),
            Family::Fs => self.native_fs(native, a),
            Family::Intrinsic => Err(bad_native(native)),
        }
    }

    // ---- argument access ----
    #[inline]
    pub(crate) fn ai(&self, a: Args, k: usize) -> i32 {
        self.prims.get(a.p + k, 0) as i32
    }
    #[inline]
    pub(crate) fn al(&self, a: Args, k: usize) -> i64 {
        self.prims.get(a.p + k, 0) as i64
    }
    #[inline]
    pub(crate) fn af(&self, a: Args, k: usize) -> f32 {
        f32::from_bits(self.prims.get(a.p + k, 0) as u32)
    }
    #[inline]
    pub(crate) fn ad(&self, a: Args, k: usize) -> f64 {
        f64::from_bits(self.prims.get(a.p + k, 0))
    }
    #[inline]
    pub(crate) fn ar(&self, a: Args, k: usize) -> Ref {
        self.rt.regs.get(a.r + k, Ref::NULL)
    }
    /// Reference argument `k`, or `NullPointerException`.
    #[inline]
    pub(crate) fn ar_nn(&mut self, a: Args, k: usize) -> Result<Ref, Ctl> {
        let r = self.ar(a, k);
        if r.is_null() {
            Err(self.raise(NULL_POINTER_EXCEPTION, None))
        } else {
            Ok(r)
        }
    }

    // ---- results ----
    #[inline]
    pub(crate) fn ret_i(&mut self, a: Args, v: i32) -> NResult {
        self.prims.set(a.p, v as u32 as u64);
        Ok(())
    }
    #[inline]
    pub(crate) fn ret_z(&mut self, a: Args, v: bool) -> NResult {
        self.prims.set(a.p, v as u64);
        Ok(())
    }
    #[inline]
    pub(crate) fn ret_l(&mut self, a: Args, v: i64) -> NResult {
        self.prims.set(a.p, v as u64);
        Ok(())
    }
    #[inline]
    pub(crate) fn ret_f(&mut self, a: Args, v: f32) -> NResult {
        self.prims.set(a.p, v.to_bits() as u64);
        Ok(())
    }
    #[inline]
    pub(crate) fn ret_d(&mut self, a: Args, v: f64) -> NResult {
        self.prims.set(a.p, v.to_bits());
        Ok(())
    }
    #[inline]
    pub(crate) fn ret_r(&mut self, a: Args, v: Ref) -> NResult {
        self.rt.regs.set(a.r, v);
        Ok(())
    }
    /// Returns a new string with these units.
    pub(crate) fn ret_units(&mut self, a: Args, units: &[u16]) -> NResult {
        let s = self.new_string(units)?;
        self.ret_r(a, s)
    }
    pub(crate) fn ret_str(&mut self, a: Args, s: &str) -> NResult {
        let s = self.new_string_str(s)?;
        self.ret_r(a, s)
    }
}
