//! File and stdin access for `java.io` / `java.nio.file` (Sem classes
//! `FileInputStream`, `InputStreamReader`, `BufferedReader`). Only the OS bits
//! are native: opening, chunked reads, UTF-8 decoding of a whole chunk, and the
//! line-terminator scan that `BufferedReader.readLine` runs over its buffer.
//!
//! Handle 0 is stdin; other handles index a per-thread table of open files.

use super::{bad_native, Args, NResult};
use crate::interp::Vm;
use semeru_gc::{ElemKind, Heap};
use semeru_stdlib::natives::Native::{self, *};
use std::cell::RefCell;
use std::fs::File;
use std::io::{ErrorKind, Read, Seek};

thread_local! {
    /// Open files: handle `h >= 1` is `FILES[h - 1]`.
    static FILES: RefCell<Vec<Option<File>>> = const { RefCell::new(Vec::new()) };
    /// Text of the last failure, for `errorText`.
    pub(crate) static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The C library's text for an I/O error, as Java prints it.
pub(crate) fn error_text(e: &std::io::Error) -> String {
    match e.kind() {
        ErrorKind::NotFound => "No such file or directory".into(),
        ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => match e.raw_os_error() {
            Some(21) => "Is a directory".into(),
            Some(20) => "Not a directory".into(),
            _ => {
                // Rust renders "text (os error N)"; Java prints just the text.
                let s = e.to_string();
                match s.find(" (os error") {
                    Some(i) => s[..i].to_string(),
                    None => s,
                }
            }
        },
    }
}

pub(crate) fn set_error(text: String) {
    LAST_ERROR.with(|l| *l.borrow_mut() = text);
}

/// Puts an open file in the table: its handle (`>= 1`).
pub(crate) fn register(f: File) -> i32 {
    FILES.with(|t| {
        let mut t = t.borrow_mut();
        if let Some(i) = t.iter().position(Option::is_none) {
            t[i] = Some(f);
            i as i32 + 1
        } else {
            t.push(Some(f));
            t.len() as i32
        }
    })
}

/// Runs `op` on the open file with handle `h`; `None` if there is none (closed).
pub(crate) fn with_file<R>(h: i32, op: impl FnOnce(&mut File) -> R) -> Option<R> {
    if h < 1 {
        return None;
    }
    FILES.with(|t| match t.borrow_mut().get_mut(h as usize - 1) {
        Some(Some(f)) => Some(op(f)),
        _ => None,
    })
}

/// Opens `path` for reading: a handle `>= 1`, or `-1` with the error recorded.
/// A directory fails ("Is a directory") unless `allow_dir` (then reads fail).
pub fn open(path: &str, allow_dir: bool) -> i32 {
    match File::open(path) {
        Ok(f) => {
            if !allow_dir && f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
                set_error("Is a directory".into());
                return -1;
            }
            register(f)
        }
        Err(e) => {
            set_error(error_text(&e));
            -1
        }
    }
}

/// Reads up to `buf.len()` bytes: the count, `-1` at end of input, `-2` on error.
pub fn read(h: i32, buf: &mut [u8]) -> i32 {
    if buf.is_empty() {
        return 0;
    }
    loop {
        let r = if h == 0 {
            std::io::stdin().lock().read(buf)
        } else {
            FILES.with(|t| match t.borrow_mut().get_mut(h as usize - 1) {
                Some(Some(f)) => f.read(buf),
                _ => Err(std::io::Error::other("Stream Closed")),
            })
        };
        return match r {
            Ok(0) => -1,
            Ok(n) => n as i32,
            Err(ref e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                set_error(error_text(&e));
                -2
            }
        };
    }
}

/// Bytes that can be read without blocking (files only; 0 for stdin).
pub fn available(h: i32) -> i32 {
    if h <= 0 {
        return 0;
    }
    FILES.with(|t| match t.borrow_mut().get_mut(h as usize - 1) {
        Some(Some(f)) => {
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            let pos = f.stream_position().unwrap_or(len);
            len.saturating_sub(pos).min(i32::MAX as u64) as i32
        }
        _ => 0,
    })
}

pub fn close(h: i32) {
    if h >= 1 {
        FILES.with(|t| {
            if let Some(slot) = t.borrow_mut().get_mut(h as usize - 1) {
                *slot = None;
            }
        });
    }
}

/// Decodes UTF-8 `src` into `dst` as Java's decoder with REPLACE does
/// (a malformed subsequence becomes U+FFFD). Stops when `dst` is full or
/// at an incomplete sequence at the end (unless `eof`).
/// Returns `(consumed bytes, produced chars)`.
pub fn decode_utf8(src: &[u8], dst: &mut Vec<u16>, cap: usize, eof: bool) -> (usize, usize) {
    let start_len = dst.len();
    let mut i = 0;
    while i < src.len() && dst.len() - start_len < cap {
        let b = src[i];
        if b < 0x80 {
            dst.push(u16::from(b));
            i += 1;
            continue;
        }
        // Longest valid prefix from here (at most one code point needed).
        let end = (i + 4).min(src.len());
        match std::str::from_utf8(&src[i..end]) {
            Ok(s) => {
                let Some(c) = s.chars().next() else { break };
                let mut units = [0u16; 2];
                let u = c.encode_utf16(&mut units);
                if dst.len() - start_len + u.len() > cap {
                    break;
                }
                dst.extend_from_slice(u);
                i += c.len_utf8();
            }
            Err(e) if e.valid_up_to() > 0 => {
                let s = std::str::from_utf8(&src[i..i + e.valid_up_to()]).unwrap_or("");
                let Some(c) = s.chars().next() else { break };
                let mut units = [0u16; 2];
                let u = c.encode_utf16(&mut units);
                if dst.len() - start_len + u.len() > cap {
                    break;
                }
                dst.extend_from_slice(u);
                i += c.len_utf8();
            }
            Err(e) => match e.error_len() {
                Some(n) => {
                    dst.push(0xfffd);
                    i += n;
                }
                None if end < src.len() || !eof => {
                    // Incomplete at the end of the chunk: wait for more bytes.
                    if end == src.len() && !eof {
                        break;
                    }
                    dst.push(0xfffd);
                    i += 1;
                }
                None => {
                    dst.push(0xfffd);
                    i = src.len();
                }
            },
        }
    }
    (i, dst.len() - start_len)
}

impl Vm {
    pub(crate) fn native_io(&mut self, n: Native, a: Args) -> NResult {
        match n {
            IoOpen => {
                let p = self.ar_nn(a, 0)?;
                let path = self.rust_string(p);
                let allow_dir = self.ai(a, 0) != 0;
                self.ret_i(a, open(&path, allow_dir))
            }
            IoRead => {
                let h = self.ai(a, 0);
                let (off, len) = (self.ai(a, 1), self.ai(a, 2));
                let arr = self.array_range(a, 0, off, len)?;
                if h == 0 {
                    // Output written so far shows before the program waits for input.
                    self.out.flush();
                }
                let mut buf = vec![0u8; len as usize];
                let got = read(h, &mut buf);
                if got > 0 {
                    self.heap
                        .write_elems::<u8>(arr, off as u32, &buf[..got as usize]);
                }
                self.ret_i(a, got)
            }
            IoAvailable => {
                let h = self.ai(a, 0);
                self.ret_i(a, available(h))
            }
            IoClose => {
                close(self.ai(a, 0));
                Ok(())
            }
            IoErrorText => {
                let s = LAST_ERROR.with(|l| l.borrow().clone());
                self.ret_str(a, &s)
            }
            IoDecodeUtf8 => {
                let (off, len) = (self.ai(a, 0), self.ai(a, 1));
                let (doff, dlen) = (self.ai(a, 2), self.ai(a, 3));
                let eof = self.ai(a, 4) != 0;
                let src = self.array_range(a, 0, off, len)?;
                let dst = self.array_range(a, 1, doff, dlen)?;
                let mut bytes = vec![0u8; len as usize];
                self.heap.read_elems::<u8>(src, off as u32, &mut bytes);
                let mut chars = Vec::with_capacity(len as usize);
                let (used, made) = decode_utf8(&bytes, &mut chars, dlen as usize, eof);
                self.heap.write_elems::<u16>(dst, doff as u32, &chars);
                self.ret_l(a, ((used as i64) << 32) | made as i64)
            }
            IoFindEol => {
                let (from, to) = (self.ai(a, 0), self.ai(a, 1));
                let cb = self.ar_nn(a, 0)?;
                let n = self.heap.array_len(cb) as i32;
                let (from, to) = (from.max(0), to.min(n));
                let mut i = from;
                while i < to {
                    let c = self
                        .heap
                        .read::<u16>(cb, Heap::elem_offset(ElemKind::Char, i as u32));
                    if c == u16::from(b'\n') || c == u16::from(b'\r') {
                        break;
                    }
                    i += 1;
                }
                self.ret_i(a, i.max(from))
            }
            _ => Err(bad_native(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(src: &[u8], cap: usize, eof: bool) -> (usize, String) {
        let mut v = Vec::new();
        let (used, made) = decode_utf8(src, &mut v, cap, eof);
        assert_eq!(made, v.len());
        (used, String::from_utf16_lossy(&v))
    }

    #[test]
    fn utf8_decoding() {
        assert_eq!(dec(b"abc", 10, false), (3, "abc".into()));
        assert_eq!(
            dec("h\u{e9}\u{1F600}!".as_bytes(), 10, false),
            (8, "h\u{e9}\u{1F600}!".into())
        );
        // Incomplete sequence at the end waits for more input...
        assert_eq!(dec(&[b'a', 0xe2, 0x82], 10, false), (1, "a".into()));
        // ...unless the input ended.
        assert_eq!(dec(&[b'a', 0xe2, 0x82], 10, true), (3, "a\u{fffd}".into()));
        // Malformed bytes become U+FFFD each.
        assert_eq!(
            dec(&[0xff, b'x', 0x80], 10, false),
            (3, "\u{fffd}x\u{fffd}".into())
        );
        // Capacity: a surrogate pair needs two slots.
        assert_eq!(dec("a\u{1F600}".as_bytes(), 2, false), (1, "a".into()));
        assert_eq!(dec(b"abcdef", 4, false), (4, "abcd".into()));
    }

    #[test]
    fn missing_file() {
        assert_eq!(open("/nonexistent/semeru-missing", false), -1);
        assert_eq!(
            LAST_ERROR.with(|l| l.borrow().clone()),
            "No such file or directory"
        );
        assert_eq!(open("/", false), -1);
        assert_eq!(LAST_ERROR.with(|l| l.borrow().clone()), "Is a directory");
    }
}
