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
            | ObjClassName
            | ObjSimpleName
            | ObjClassId
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
                let fd = if n == ThrowablePrintStackTraceTo {
                    let ps = self.ar_nn(a, 1)?;
                    self.heap.read::<i32>(ps, FD_OFFSET)
                } else {
                    2
                };
                self.rt.handles.push(this);
                let slot = self.rt.handles.len() - 1;
                let text = self.stack_trace_text(slot, &[]);
                self.rt.handles.truncate(slot);
                if fd != 1 && fd != 2 {
                    // A stream over an OutputStream (a file).
                    return self.emit_to_stream(a, 1, Some(text.as_bytes()));
                }
                if fd == 2 {
                    self.out.write_err(text.as_bytes());
                } else {
                    self.out.buf().extend_from_slice(text.as_bytes());
                    self.out.wrote();
                }
                Ok(())
            }
            ObjClassId => {
                let this = self.ar_nn(a, 0)?;
                let cls = self.class_of(this).0;
                self.ret_i(a, cls as i32)
            }
            ObjSimpleName => {
                let this = self.ar_nn(a, 0)?;
                let cls = self.class_of(this).0;
                let name = simple_name(self.class_name(cls));
                self.ret_str(a, &name)
            }
            ThrowableClassName | ObjClassName => {
                let this = self.ar_nn(a, 0)?;
                let cls = self.class_of(this).0;
                let name = self.class_name(cls).to_string();
                self.ret_str(a, &name)
            }
            _ => Err(bad_native(n)),
        }
    }
}

/// `Class.getSimpleName()` from a binary name: `Main$Node` → `Node`,
/// `java.lang.String` → `String`, `[I` → `int[]`, `[[LMain$A;` → `A[][]`.
fn simple_name(name: &str) -> String {
    let dims = name.len() - name.trim_start_matches('[').len();
    let elem = &name[dims..];
    let base = if dims == 0 {
        elem
    } else {
        match elem {
            "Z" => "boolean",
            "B" => "byte",
            "C" => "char",
            "S" => "short",
            "I" => "int",
            "J" => "long",
            "F" => "float",
            "D" => "double",
            e => e.trim_start_matches('L').trim_end_matches(';'),
        }
    };
    let simple = base.rsplit(['.', '$']).next().unwrap_or(base);
    format!("{simple}{}", "[]".repeat(dims))
}

#[cfg(test)]
mod tests {
    #[test]
    fn simple_names() {
        assert_eq!(super::simple_name("Main$Node"), "Node");
        assert_eq!(super::simple_name("java.lang.String"), "String");
        assert_eq!(super::simple_name("[I"), "int[]");
        assert_eq!(super::simple_name("[[LMain$A;"), "A[][]");
        assert_eq!(super::simple_name("Main"), "Main");
    }
}
