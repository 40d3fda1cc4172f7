//! File output and file-system access for `java.io` / `java.nio.file` (Sem classes
//! `FileOutputStream`, `OutputStreamWriter`, `Files`, `File`). Only the OS bits are
//! native: opening for writing, unbuffered writes (the Sem classes buffer as
//! OpenJDK's do), UTF-8 encoding of a chunk, and stat/unlink/mkdir/temp files.
//!
//! Write handles live in the same table as read handles ([`super::io`]), and a
//! failure's text goes to the same place (`FileInputStream.errorText`), in the C
//! library's words as Java prints them.

use super::io::{error_text, register, set_error, with_file};
use super::{bad_native, Args, NResult};
use crate::interp::Vm;
use crate::output::push_utf16;
use semeru_gc::Ref;
use semeru_stdlib::builtins::BYTE_ARRAY;
use semeru_stdlib::natives::Native::{self, *};
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};

/// `open0` flags (as `FileOutputStream` and `Files` pass them).
pub const APPEND: i32 = 1;
pub const CREATE: i32 = 2;
pub const TRUNCATE: i32 = 4;
pub const CREATE_NEW: i32 = 8;

/// Records the error's text and returns `fail`.
fn failed<T>(e: &std::io::Error, fail: T) -> T {
    set_error(error_text(e));
    fail
}

/// Opens `path` for writing with `flags`: a handle `>= 1`, or `-1` with the error
/// recorded. New files get mode 0666 (less the umask), as Java's do.
pub fn open_write(path: &str, flags: i32) -> i32 {
    let mut o = OpenOptions::new();
    o.write(true).mode(0o666);
    if flags & APPEND != 0 {
        o.append(true);
    }
    if flags & CREATE_NEW != 0 {
        o.create_new(true);
    } else if flags & CREATE != 0 {
        o.create(true);
    }
    if flags & TRUNCATE != 0 && flags & APPEND == 0 {
        o.truncate(true);
    }
    match o.open(path) {
        Ok(f) => {
            if f.metadata().is_ok_and(|m| m.is_dir()) {
                set_error("Is a directory".into());
                return -1;
            }
            register(f)
        }
        Err(e) => failed(&e, -1),
    }
}

/// Writes all of `bytes` to handle `h`: 0, or -2 with the error recorded
/// ("Stream Closed" for a closed handle, as Java says).
pub fn write(h: i32, bytes: &[u8]) -> i32 {
    match with_file(h, |f| f.write_all(bytes)) {
        Some(Ok(())) => 0,
        Some(Err(e)) => failed(&e, -2),
        None => {
            set_error("Stream Closed".into());
            -2
        }
    }
}

/// Encodes UTF-16 `src` as UTF-8 into at most `cap` bytes appended to `dst`, as
/// Java's UTF-8 encoder with REPLACE does: a lone surrogate becomes `?`. A high
/// surrogate that ends `src` stays unconsumed (its pair may come next) unless
/// `eof`. Returns `(consumed units, produced bytes)`.
pub fn encode_utf8(src: &[u16], dst: &mut Vec<u8>, cap: usize, eof: bool) -> (usize, usize) {
    let start = dst.len();
    let mut i = 0;
    while i < src.len() {
        let u = src[i];
        let mut take = 1;
        let need = if u < 0x80 {
            1
        } else if u < 0x800 {
            2
        } else if (0xd800..0xdc00).contains(&u) {
            match src.get(i + 1) {
                Some(v) if (0xdc00..0xe000).contains(v) => {
                    take = 2;
                    4
                }
                None if !eof => break,
                _ => 1, // '?'
            }
        } else if (0xdc00..0xe000).contains(&u) {
            1 // '?'
        } else {
            3
        };
        if dst.len() - start + need > cap {
            break;
        }
        push_utf16(dst, &src[i..i + take]);
        i += take;
    }
    (i, dst.len() - start)
}

/// What is at `path`, following links: 0 nothing (or unreadable), 1 a regular
/// file, 2 a directory, 3 something else.
pub fn kind(path: &str) -> i32 {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => 1,
        Ok(m) if m.is_dir() => 2,
        Ok(_) => 3,
        Err(_) => 0,
    }
}

/// Removes a file or an empty directory: 0, or -1 with the error recorded.
pub fn delete(path: &str) -> i32 {
    let is_dir = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
    let r = if is_dir {
        std::fs::remove_dir(path)
    } else {
        std::fs::remove_file(path)
    };
    match r {
        Ok(()) => 0,
        Err(e) => failed(&e, -1),
    }
}

/// Creates directory `path` (mode 0777 less the umask): 0, or -1 with the error
/// recorded.
pub fn mkdir(path: &str) -> i32 {
    match std::fs::DirBuilder::new().mode(0o777).create(path) {
        Ok(()) => 0,
        Err(e) => failed(&e, -1),
    }
}

/// A number for a temp file's name, different on every call.
fn temp_number() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.write_u32(std::process::id());
    h.finish()
}

/// Creates `dir/prefix<number>suffix`, a new file (mode 0600) or directory (0700)
/// as `Files.createTempFile`/`createTempDirectory` do; its path, or `None` with the
/// error recorded.
pub fn create_temp(dir: &str, prefix: &str, suffix: &str, directory: bool) -> Option<String> {
    for _ in 0..100 {
        let name = format!("{prefix}{}{suffix}", temp_number());
        if name.contains('/') {
            set_error(format!("Invalid prefix or suffix: {name}"));
            return None;
        }
        let path = if dir.ends_with('/') {
            format!("{dir}{name}")
        } else {
            format!("{dir}/{name}")
        };
        let r = if directory {
            std::fs::DirBuilder::new().mode(0o700).create(&path)
        } else {
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .map(|_: File| ())
        };
        match r {
            Ok(()) => return Some(path),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return failed(&e, None),
        }
    }
    set_error("File exists".into());
    None
}

impl Vm {
    pub(crate) fn native_fs(&mut self, n: Native, a: Args) -> NResult {
        match n {
            IoOpenWrite => {
                let p = self.ar_nn(a, 0)?;
                let path = self.rust_string(p);
                let flags = self.ai(a, 0);
                self.ret_i(a, open_write(&path, flags))
            }
            IoWrite => {
                let h = self.ai(a, 0);
                let (off, len) = (self.ai(a, 1), self.ai(a, 2));
                let arr = self.array_range(a, 0, off, len)?;
                let mut buf = vec![0u8; len as usize];
                self.heap.read_elems::<u8>(arr, off as u32, &mut buf);
                self.ret_i(a, write(h, &buf))
            }
            IoEncodeUtf8 => {
                let (off, len) = (self.ai(a, 0), self.ai(a, 1));
                let (doff, dlen) = (self.ai(a, 2), self.ai(a, 3));
                let eof = self.ai(a, 4) != 0;
                let src = self.array_range(a, 0, off, len)?;
                let dst = self.array_range(a, 1, doff, dlen)?;
                let mut units = vec![0u16; len as usize];
                self.heap.read_elems::<u16>(src, off as u32, &mut units);
                let mut bytes = Vec::with_capacity(dlen as usize);
                let (used, made) = encode_utf8(&units, &mut bytes, dlen as usize, eof);
                self.heap.write_elems::<u8>(dst, doff as u32, &bytes);
                self.ret_l(a, ((used as i64) << 32) | made as i64)
            }
            StrGetBytes => {
                let s = self.ar_nn(a, 0)?;
                let units = self.str_units(s);
                let mut bytes = Vec::with_capacity(units.len());
                push_utf16(&mut bytes, &units);
                let arr = self.alloc_array(BYTE_ARRAY, bytes.len() as u32)?;
                self.heap.write_elems::<u8>(arr, 0, &bytes);
                self.ret_r(a, arr)
            }
            FsKind | FsSize | FsDelete | FsMkdir => {
                let p = self.ar_nn(a, 0)?;
                let path = self.rust_string(p);
                match n {
                    FsKind => self.ret_i(a, kind(&path)),
                    FsSize => {
                        let size = match std::fs::metadata(&path) {
                            Ok(m) => m.len().min(i64::MAX as u64) as i64,
                            Err(e) => failed(&e, -1),
                        };
                        self.ret_l(a, size)
                    }
                    FsDelete => self.ret_i(a, delete(&path)),
                    _ => self.ret_i(a, mkdir(&path)),
                }
            }
            FsCreateTemp => {
                let mut s = [const { String::new() }; 3];
                for (k, v) in s.iter_mut().enumerate() {
                    let r = self.ar_nn(a, k)?;
                    *v = self.rust_string(r);
                }
                let directory = self.ai(a, 0) != 0;
                match create_temp(&s[0], &s[1], &s[2], directory) {
                    Some(p) => self.ret_str(a, &p),
                    None => self.ret_r(a, Ref::NULL),
                }
            }
            _ => Err(bad_native(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::natives::io::LAST_ERROR;

    fn enc(s: &[u16], cap: usize, eof: bool) -> (usize, Vec<u8>) {
        let mut v = Vec::new();
        let (used, made) = encode_utf8(s, &mut v, cap, eof);
        assert_eq!(made, v.len());
        (used, v)
    }

    fn last_error() -> String {
        LAST_ERROR.with(|l| l.borrow().clone())
    }

    #[test]
    fn utf8_encoding() {
        let units: Vec<u16> = "h\u{e9}\u{20ac}\u{1F600}".encode_utf16().collect();
        assert_eq!(
            enc(&units, 100, false),
            (5, "h\u{e9}\u{20ac}\u{1F600}".as_bytes().to_vec())
        );
        // Capacity: a code point is never split.
        assert_eq!(
            enc(&units, 6, false),
            (3, "h\u{e9}\u{20ac}".as_bytes().to_vec())
        );
        assert_eq!(enc(&units, 5, false), (2, "h\u{e9}".as_bytes().to_vec()));
        assert_eq!(enc(&units, 2, false), (1, b"h".to_vec()));
        // A high surrogate at the end waits for its pair, unless the input ended.
        assert_eq!(enc(&[0x61, 0xd83d], 10, false), (1, b"a".to_vec()));
        assert_eq!(enc(&[0x61, 0xd83d], 10, true), (2, b"a?".to_vec()));
        // Lone surrogates become '?'.
        assert_eq!(
            enc(&[0xdc00, 0xd800, 0x62], 10, false),
            (3, b"??b".to_vec())
        );
        assert_eq!(enc(&[], 10, false), (0, Vec::new()));
    }

    #[test]
    fn write_read_delete_round_trip() {
        let dir = std::env::temp_dir().to_string_lossy().into_owned();
        let p = create_temp(&dir, "semeru-fs-", ".tmp", false).expect("temp file");
        assert_eq!(kind(&p), 1);
        let h = open_write(&p, CREATE | TRUNCATE);
        assert!(h >= 1);
        assert_eq!(write(h, b"abc"), 0);
        super::super::io::close(h);
        assert_eq!(write(h, b"x"), -2);
        assert_eq!(last_error(), "Stream Closed");
        let h = open_write(&p, CREATE | APPEND);
        assert_eq!(write(h, b"def"), 0);
        super::super::io::close(h);
        assert_eq!(std::fs::read(&p).ok(), Some(b"abcdef".to_vec()));
        assert_eq!(open_write(&p, CREATE_NEW), -1);
        assert_eq!(last_error(), "File exists");
        assert_eq!(delete(&p), 0);
        assert_eq!(kind(&p), 0);
        assert_eq!(delete(&p), -1);
        assert_eq!(last_error(), "No such file or directory");
    }

    #[test]
    fn bad_handles_and_paths_fail_cleanly() {
        for h in [0, -1, i32::MIN, i32::MAX] {
            assert_eq!(write(h, b"x"), -2);
        }
        assert_eq!(open_write("/nonexistent/semeru/x.txt", CREATE), -1);
        assert_eq!(last_error(), "No such file or directory");
        assert_eq!(open_write("/", CREATE), -1);
        assert_eq!(last_error(), "Is a directory");
        assert_eq!(open_write("", CREATE), -1);
        assert_eq!(mkdir("/nonexistent/semeru/d"), -1);
        assert_eq!(kind("/"), 2);
        assert!(create_temp("/nonexistent/semeru", "a", "b", false).is_none());
        assert!(create_temp("/tmp", "a/", "b", false).is_none());
    }
}
