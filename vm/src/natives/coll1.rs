//! `java.util` helpers the Sem collections need but cannot write in Sem.

use super::{bad_native, Args, NResult};
use crate::interp::Vm;
use semeru_stdlib::builtins::NEGATIVE_ARRAY_SIZE_EXCEPTION;
use semeru_stdlib::natives::Native::{self, *};

impl Vm {
    pub(crate) fn native_coll1(&mut self, n: Native, a: Args) -> NResult {
        match n {
            ArraysNewArrayLike => {
                // `(T[]) Array.newInstance(a.getClass().getComponentType(), len)`, for `Arrays.copyOf` and `toArray(T[])`
                let src = self.ar_nn(a, 0)?;
                let len = self.ai(a, 0);
                if len < 0 {
                    return Err(self.raise(NEGATIVE_ARRAY_SIZE_EXCEPTION, Some(len.to_string())));
                }
                let cls = self.class_of(src).0;
                let r = self.alloc_array(cls, len as u32)?;
                self.ret_r(a, r)
            }
            _ => Err(bad_native(n)),
        }
    }
}
