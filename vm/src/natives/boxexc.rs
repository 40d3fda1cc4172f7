//! Natives of the `boxexc` branch: `Throwable`'s backtrace, `printStackTrace`
//! and class name (the rest of the Throwable family and the boxes is Sem code).

use super::{bad_native, Args, NResult};
use crate::interp::{Vm, FD_OFFSET};
use semeru_stdlib::natives::Native::{self, *};

/// Whether `n` is implemented here.
pub fn owns(n: Native) -> bool {
    matches!(
        n,
        ThrowableFillInStackTrace
            | ThrowablePrintStackTrace
            | ThrowablePrintStackTraceTo
            | ThrowableClassName
    )
}

impl Vm {
    pub(crate) fn native_boxexc(&mut self, n: Native, a: Args) -> NResult {
        match n {
            ThrowableFillInStackTrace => {
                let this = self.ar_nn(a, 0)?;
                let e = self.fill_backtrace(this, true);
                self.ret_r(a, e)
            }
            ThrowablePrintStackTrace | ThrowablePrintStackTraceTo => {
                let this = self.ar_nn(a, 0)?;
                let to_err = if n == ThrowablePrintStackTraceTo {
                    let ps = self.ar_nn(a, 1)?;
                    self.heap.read::<i32>(ps, FD_OFFSET) != 1
                } else {
                    true
                };
                self.rt.handles.push(this);
                let slot = self.rt.handles.len() - 1;
                let text = self.stack_trace_text(slot, &[]);
                self.rt.handles.truncate(slot);
                if to_err {
                    self.out.write_err(text.as_bytes());
                } else {
                    self.out.buf().extend_from_slice(text.as_bytes());
                    self.out.wrote();
                }
                Ok(())
            }
            ThrowableClassName => {
                let this = self.ar_nn(a, 0)?;
                let cls = self.class_of(this).0;
                let name = self.class_name(cls).to_string();
                self.ret_str(a, &name)
            }
            _ => Err(bad_native(n)),
        }
    }
}
