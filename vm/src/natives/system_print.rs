//! `System` and `PrintStream`. `System.out` and `System.err` are written here;
//! a `PrintStream` over an `OutputStream` hands its text to its Sem side.

use super::{bad_native, Args, NResult};
use crate::interp::{Ctl, Vm, VmError, FD_OFFSET};
use crate::jnum;
use crate::output::push_utf16;
use semeru_gc::layout::ARRAY_DATA_OFFSET;
use semeru_gc::{ElemKind, Layout, Ref};
use semeru_stdlib::builtins::{
    ARRAY_INDEX_OUT_OF_BOUNDS_EXCEPTION, ARRAY_STORE_EXCEPTION, BYTE_ARRAY, NULL_POINTER_EXCEPTION,
};
use semeru_stdlib::natives::Native::{self, *};
use std::io::Write;

impl Vm {
    pub(crate) fn native_system_print(&mut self, n: Native, a: Args) -> NResult {
        match n {
            SystemOut => {
                let r = self.rt.out;
                self.ret_r(a, r)
            }
            SystemErr => {
                let r = self.rt.err;
                self.ret_r(a, r)
            }
            SystemCurrentTimeMillis => {
                let ms = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis() as i64)
                    .unwrap_or(0);
                self.ret_l(a, ms)
            }
            SystemNanoTime => {
                let ns = self.start.elapsed().as_nanos() as i64;
                self.ret_l(a, ns)
            }
            SystemExit => {
                let code = self.ai(a, 0);
                self.out.flush();
                Err(Ctl::Exit(code))
            }
            SystemGc => {
                self.heap.collect(true, &mut self.rt);
                Ok(())
            }
            SystemArraycopy => self.arraycopy(a),
            PrintStreamWriteRaw => self.write_raw(a),
            _ => self.print(n, a),
        }
    }

    fn print(&mut self, n: Native, a: Args) -> NResult {
        let ps = self.ar_nn(a, 0)?;
        let fd = self.heap.read::<i32>(ps, FD_OFFSET);
        if fd != 1 && fd != 2 {
            return self.print_to_stream(n, a);
        }
        let mut buf = std::mem::take(self.out.buf());
        let start = buf.len();
        if let Err(e) = self.print_text(n, a, &mut buf) {
            buf.truncate(start);
            *self.out.buf() = buf;
            return Err(e);
        }
        if fd == 2 {
            let text = buf.split_off(start);
            *self.out.buf() = buf;
            self.out.write_err(&text);
        } else {
            *self.out.buf() = buf;
            if n == PrintStreamFlush {
                self.out.flush();
            } else {
                self.out.wrote();
            }
        }
        Ok(())
    }

    /// `System.out.write(bytes, off, len)`: the bytes as they are.
    fn write_raw(&mut self, a: Args) -> NResult {
        let ps = self.ar_nn(a, 0)?;
        let fd = self.heap.read::<i32>(ps, FD_OFFSET);
        let (off, len) = (self.ai(a, 0), self.ai(a, 1));
        let arr = self.array_range(a, 1, off, len)?;
        let mut bytes = vec![0u8; len as usize];
        self.heap.read_elems::<u8>(arr, off as u32, &mut bytes);
        match fd {
            1 => {
                self.out.buf().extend_from_slice(&bytes);
                self.out.wrote();
            }
            2 => self.out.write_err(&bytes),
            _ => self.emit_to_stream(a, 0, Some(&bytes))?,
        }
        Ok(())
    }

    /// Appends the UTF-8 text that print/println native `n` prints to `buf`.
    #[inline]
    fn print_text(&mut self, n: Native, a: Args, buf: &mut Vec<u8>) -> NResult {
        match n {
            PrintlnVoid | PrintStreamFlush => {}
            PrintlnZ | PrintZ => buf.extend_from_slice(if self.ai(a, 0) != 0 {
                b"true"
            } else {
                b"false"
            }),
            PrintlnC | PrintC => push_utf16(buf, &[self.ai(a, 0) as u16]),
            PrintlnI | PrintI => {
                let _ = write!(buf, "{}", self.ai(a, 0));
            }
            PrintlnJ | PrintJ => {
                let _ = write!(buf, "{}", self.al(a, 0));
            }
            PrintlnF | PrintF => buf.extend_from_slice(jnum::fmt_float(self.af(a, 0)).as_bytes()),
            PrintlnD | PrintD => buf.extend_from_slice(jnum::fmt_double(self.ad(a, 0)).as_bytes()),
            PrintlnChars | PrintChars => {
                let arr = self.ar(a, 1);
                if arr.is_null() {
                    return Err(self.raise(NULL_POINTER_EXCEPTION, None));
                }
                let units = self.str_units(arr);
                push_utf16(buf, &units);
            }
            PrintlnStr | PrintStr => {
                let s = self.ar(a, 1);
                if s.is_null() {
                    buf.extend_from_slice(b"null");
                } else {
                    let units = self.str_units(s);
                    push_utf16(buf, &units);
                }
            }
            _ => return Err(bad_native(n)),
        }
        if matches!(
            n,
            PrintlnVoid
                | PrintlnZ
                | PrintlnC
                | PrintlnI
                | PrintlnJ
                | PrintlnF
                | PrintlnD
                | PrintlnChars
                | PrintlnStr
        ) {
            buf.push(b'\n');
        }
        Ok(())
    }

    /// print/println/flush on a `PrintStream` over an `OutputStream` (fd 0; or a
    /// stream already closed): the text goes through the stream's Sem side.
    fn print_to_stream(&mut self, n: Native, a: Args) -> NResult {
        let mut bytes = Vec::new();
        self.print_text(n, a, &mut bytes)?;
        let bytes = (n != PrintStreamFlush).then_some(bytes);
        self.emit_to_stream(a, 0, bytes.as_deref())
    }

    /// Calls `PrintStream.emit(bytes)` (a null array flushes) on the stream in
    /// reference argument `k`, which is over an `OutputStream`.
    pub(crate) fn emit_to_stream(&mut self, a: Args, k: usize, bytes: Option<&[u8]>) -> NResult {
        let Some(emit) = self.ps_emit else {
            return Err(Ctl::Fault(VmError(
                "PrintStream.emit is not in the program".into(),
            )));
        };
        let arr = match bytes {
            Some(b) => {
                let arr = self.alloc_array(BYTE_ARRAY, b.len() as u32)?;
                self.heap.write_elems::<u8>(arr, 0, b);
                arr
            }
            None => Ref::NULL,
        };
        // Re-read after the allocation, which may have moved the stream.
        let ps = self.ar(a, k);
        self.invoke(emit, &[ps, arr], &[])
    }

    /// `System.arraycopy` with Java 17's checks and messages.
    fn arraycopy(&mut self, a: Args) -> NResult {
        let (src, dst) = (self.ar(a, 0), self.ar(a, 1));
        let (sp, dp, len) = (self.ai(a, 0), self.ai(a, 1), self.ai(a, 2));
        if src.is_null() || dst.is_null() {
            return Err(self.raise(NULL_POINTER_EXCEPTION, None));
        }
        let (sc, dc) = (self.class_of(src).0, self.class_of(dst).0);
        let elem = |vm: &Vm, c: u32| match vm.heap.layout(semeru_gc::ClassId(c)) {
            Layout::Array { elem } if c != semeru_stdlib::builtins::STRING => Some(*elem),
            _ => None,
        };
        let (Some(se), Some(de)) = (elem(self, sc), elem(self, dc)) else {
            let bad = if elem(self, sc).is_none() { sc } else { dc };
            let which = if bad == sc { "source" } else { "destination" };
            let msg = format!(
                "arraycopy: {which} type {} is not an array",
                self.class_name(bad)
            );
            return Err(self.raise(ARRAY_STORE_EXCEPTION, Some(msg)));
        };
        let tname = |vm: &Vm, c: u32, e: ElemKind| -> String {
            match e {
                ElemKind::Ref => "object array".into(),
                _ => format!("{}[]", prim_name(vm.class_name(c))),
            }
        };
        if se != de {
            let msg = format!(
                "arraycopy: type mismatch: can not copy {} into {}",
                tname(self, sc, se),
                tname(self, dc, de)
            );
            return Err(self.raise(ARRAY_STORE_EXCEPTION, Some(msg)));
        }
        let (sl, dl) = (
            self.heap.array_len(src) as i64,
            self.heap.array_len(dst) as i64,
        );
        let oob = |what: &str, idx: i64, c: u32, l: i64, vm: &Vm| {
            format!(
                "arraycopy: {what} {idx} out of bounds for {}",
                match se {
                    ElemKind::Ref => format!("object array[{l}]"),
                    _ => format!("{}[{l}]", prim_name(vm.class_name(c))),
                }
            )
        };
        let msg = if len < 0 {
            Some(format!("arraycopy: length {len} is negative"))
        } else if sp < 0 {
            Some(oob("source index", sp as i64, sc, sl, self))
        } else if dp < 0 {
            Some(oob("destination index", dp as i64, dc, dl, self))
        } else if sp as i64 + len as i64 > sl {
            Some(oob(
                "last source index",
                sp as i64 + len as i64,
                sc,
                sl,
                self,
            ))
        } else if dp as i64 + len as i64 > dl {
            Some(oob(
                "last destination index",
                dp as i64 + len as i64,
                dc,
                dl,
                self,
            ))
        } else {
            None
        };
        if let Some(msg) = msg {
            return Err(self.raise(ARRAY_INDEX_OUT_OF_BOUNDS_EXCEPTION, Some(msg)));
        }
        let size = se.bytes();
        let n = len as u32;
        let (sp, dp) = (sp as u32, dp as u32);
        if se == ElemKind::Ref {
            let dec = self.prog.classes[dc as usize].elem_class.map_or(0, |c| c.0);
            let mut vals = vec![Ref::NULL; n as usize];
            for (i, v) in vals.iter_mut().enumerate() {
                *v = self
                    .heap
                    .read_ref(src, ARRAY_DATA_OFFSET + (sp + i as u32) * 4);
            }
            for (i, v) in vals.iter().enumerate() {
                if !v.is_null() && !self.is_subclass(self.class_of(*v).0, dec) {
                    let msg = format!(
                        "arraycopy: element type mismatch: can not cast one of the elements of {}[] to the type of the destination array, {}",
                        self.class_name(sc).trim_start_matches("[L").trim_end_matches(';'),
                        self.class_name(dec)
                    );
                    return Err(self.raise(ARRAY_STORE_EXCEPTION, Some(msg)));
                }
                self.heap
                    .write_ref(dst, ARRAY_DATA_OFFSET + (dp + i as u32) * 4, *v);
            }
        } else {
            let mut bytes = vec![0u8; (n * size) as usize];
            self.heap.read_elems::<u8>(src, sp * size, &mut bytes);
            self.heap.write_elems::<u8>(dst, dp * size, &bytes);
        }
        Ok(())
    }
}

/// `int` for `[I`, etc.
fn prim_name(class: &str) -> &'static str {
    match class {
        "[Z" => "boolean",
        "[B" => "byte",
        "[C" => "char",
        "[S" => "short",
        "[I" => "int",
        "[J" => "long",
        "[F" => "float",
        "[D" => "double",
        _ => "object",
    }
}
