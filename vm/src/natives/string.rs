//! `java.lang.String` and string concatenation.
//!
//! Methods that Java lets return `this` when nothing changes (`trim`, `substring(0)`,
//! `toUpperCase`, `concat("")`, …) return the same object, so `==` behaves alike.

use super::{bad_native, Args, NResult};
use crate::interp::{Ctl, Vm};
use crate::jnum;
use semeru_gc::{ElemKind, Heap, Ref};
use semeru_stdlib::builtins::{
    CHAR_ARRAY, ILLEGAL_ARGUMENT_EXCEPTION, NULL_POINTER_EXCEPTION, STRING, STRING_ARRAY,
    STRING_INDEX_OUT_OF_BOUNDS_EXCEPTION,
};
use semeru_stdlib::natives::Native::{self, *};

/// Java's `String.indexOf(str, from)` on units.
pub fn index_of(s: &[u16], t: &[u16], from: i32) -> i32 {
    let from = from.max(0) as usize;
    if from > s.len() {
        return if t.is_empty() { s.len() as i32 } else { -1 };
    }
    if t.is_empty() {
        return from as i32;
    }
    if t.len() > s.len() {
        return -1;
    }
    (from..=s.len() - t.len())
        .find(|&i| &s[i..i + t.len()] == t)
        .map_or(-1, |i| i as i32)
}

/// Java's `String.lastIndexOf(str, from)` on units.
pub fn last_index_of(s: &[u16], t: &[u16], from: i32) -> i32 {
    let right = s.len() as i64 - t.len() as i64;
    let from = (from as i64).min(right);
    if from < 0 {
        return -1;
    }
    (0..=from as usize)
        .rev()
        .find(|&i| &s[i..i + t.len()] == t)
        .map_or(-1, |i| i as i32)
}

/// The units of code point `ch` (a surrogate pair above U+FFFF).
fn cp_units(ch: i32) -> Vec<u16> {
    match char::from_u32(ch as u32) {
        Some(c) if ch > 0xffff => {
            let mut b = [0u16; 2];
            c.encode_utf16(&mut b).to_vec()
        }
        _ => vec![ch as u16],
    }
}

/// Java's `String.split` for a literal separator, as ranges into `s`.
pub fn split_ranges(s: &[u16], sep: &[u16], limit: i32) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut index = 0usize;
    let limited = limit > 0;
    let mut matched = false;
    let mut pos = 0usize;
    loop {
        // Find the next match at or after `pos`.
        let m = if sep.is_empty() {
            (pos <= s.len()).then_some(pos)
        } else {
            let i = index_of(s, sep, pos as i32);
            (i >= 0).then_some(i as usize)
        };
        let Some(start) = m else { break };
        let end = start + sep.len();
        pos = if sep.is_empty() { start + 1 } else { end };
        if !limited || out.len() < (limit - 1) as usize {
            if index == 0 && start == 0 && start == end {
                continue;
            }
            out.push((index, start));
            index = end;
            matched = true;
        } else if out.len() == (limit - 1) as usize {
            out.push((index, s.len()));
            index = end;
            matched = true;
            break;
        }
    }
    if !matched || index == 0 && out.is_empty() {
        return vec![(0, s.len())];
    }
    if !limited || out.len() < limit as usize {
        out.push((index.min(s.len()), s.len()));
    }
    if limit == 0 {
        while out.last().is_some_and(|(a, b)| a == b) {
            out.pop();
        }
    }
    out
}

fn to_upper(units: &[u16]) -> Vec<u16> {
    match String::from_utf16(units) {
        Ok(s) => s.to_uppercase().encode_utf16().collect(),
        Err(_) => units.iter().map(|&u| upper_char(u)).collect(),
    }
}

fn to_lower(units: &[u16]) -> Vec<u16> {
    match String::from_utf16(units) {
        Ok(s) => s.to_lowercase().encode_utf16().collect(),
        Err(_) => units.iter().map(|&u| lower_char(u)).collect(),
    }
}

/// `Character.toUpperCase(char)`: a one-to-one mapping (unchanged if the full
/// mapping is not a single BMP char).
pub fn upper_char(u: u16) -> u16 {
    single_map(u, |c| c.to_uppercase().collect())
}

/// `Character.toLowerCase(char)`.
pub fn lower_char(u: u16) -> u16 {
    single_map(u, |c| c.to_lowercase().collect())
}

fn single_map(u: u16, f: impl Fn(char) -> Vec<char>) -> u16 {
    let Some(c) = char::from_u32(u as u32) else {
        return u;
    };
    match f(c).as_slice() {
        [m] if (*m as u32) <= 0xffff => *m as u32 as u16,
        _ => u,
    }
}

fn eq_ignore_case(a: u16, b: u16) -> bool {
    a == b || {
        let (ua, ub) = (upper_char(a), upper_char(b));
        ua == ub || lower_char(ua) == lower_char(ub)
    }
}

fn compare_ignore_case(a: &[u16], b: &[u16]) -> i32 {
    for (&x, &y) in a.iter().zip(b) {
        if x != y {
            let (x, y) = (upper_char(x), upper_char(y));
            if x != y {
                let (x, y) = (lower_char(x), lower_char(y));
                if x != y {
                    return x as i32 - y as i32;
                }
            }
        }
    }
    a.len() as i32 - b.len() as i32
}

fn is_java_whitespace(u: u16) -> bool {
    crate::natives::chars::is_whitespace(u as u32)
}

impl Vm {
    fn sioobe(&mut self, msg: String) -> Ctl {
        self.raise(STRING_INDEX_OUT_OF_BOUNDS_EXCEPTION, Some(msg))
    }

    /// Units of string argument `k`, or `NullPointerException`.
    fn units_nn(&mut self, a: Args, k: usize) -> Result<Vec<u16>, Ctl> {
        let r = self.ar_nn(a, k)?;
        Ok(self.str_units(r))
    }

    /// Returns the receiver itself if `new` equals `old`, else a new string.
    fn ret_same_or(&mut self, a: Args, old: &[u16], new: &[u16]) -> NResult {
        if old == new {
            let s = self.ar(a, 0);
            self.ret_r(a, s)
        } else {
            self.ret_units(a, new)
        }
    }

    /// A `String[]` of these pieces.
    fn ret_string_array(&mut self, a: Args, pieces: &[&[u16]]) -> NResult {
        let arr = self.alloc_array(STRING_ARRAY, pieces.len() as u32)?;
        self.rt.handles.push(arr);
        for (i, p) in pieces.iter().enumerate() {
            let s = match self.new_string(p) {
                Ok(s) => s,
                Err(e) => {
                    self.rt.handles.pop();
                    return Err(e);
                }
            };
            let arr = *self.rt.handles.last().unwrap_or(&Ref::NULL);
            self.heap
                .write_ref(arr, Heap::elem_offset(ElemKind::Ref, i as u32), s);
        }
        let arr = self.rt.handles.pop().unwrap_or_default();
        self.ret_r(a, arr)
    }

    pub(crate) fn native_string(&mut self, n: Native, a: Args) -> NResult {
        match n {
            StrValueOfZ => {
                return self.ret_str(a, if self.ai(a, 0) != 0 { "true" } else { "false" })
            }
            StrValueOfC => return self.ret_units(a, &[self.ai(a, 0) as u16]),
            StrValueOfI => return self.ret_str(a, &self.ai(a, 0).to_string()),
            StrValueOfJ => return self.ret_str(a, &self.al(a, 0).to_string()),
            StrValueOfF => return self.ret_str(a, &jnum::fmt_float(self.af(a, 0))),
            StrValueOfD => return self.ret_str(a, &jnum::fmt_double(self.ad(a, 0))),
            StrValueOfChars | StrNewChars => {
                let u = self.units_nn(a, 0)?;
                return self.ret_units(a, &u);
            }
            StrValueOfCharsRange | StrNewCharsRange => {
                // Copies only the range (BufferedReader.readLine makes one string
                // per line out of an 8K buffer).
                let r = self.ar_nn(a, 0)?;
                let len = self.heap.array_len(r);
                let (off, cnt) = (self.ai(a, 0), self.ai(a, 1));
                if off < 0 || cnt < 0 || off as i64 + cnt as i64 > len as i64 {
                    let msg = format!("offset {off}, count {cnt}, length {len}");
                    return Err(self.sioobe(msg));
                }
                let mut u = vec![0u16; cnt as usize];
                self.heap.read_elems::<u16>(r, off as u32, &mut u);
                return self.ret_units(a, &u);
            }
            StrNewEmpty => return self.ret_units(a, &[]),
            StrNewCopy => {
                let u = self.units_nn(a, 0)?;
                return self.ret_units(a, &u);
            }
            StrCat => {
                let (x, y) = (self.ar(a, 0), self.ar(a, 1));
                let mut u = if x.is_null() {
                    "null".encode_utf16().collect()
                } else {
                    self.str_units(x)
                };
                if y.is_null() {
                    u.extend("null".encode_utf16());
                } else {
                    u.extend(self.str_units(y));
                }
                return self.ret_units(a, &u);
            }
            _ => {}
        }
        // Instance methods: the receiver is r0.
        let this = self.ar_nn(a, 0)?;
        let len = self.str_len(this);
        match n {
            StrLength => self.ret_i(a, len as i32),
            StrIsEmpty => self.ret_z(a, len == 0),
            StrCharAt => {
                let i = self.ai(a, 0);
                if i as u32 >= len {
                    return Err(self.sioobe(format!("String index out of range: {i}")));
                }
                let c = self.str_at(this, i as u32);
                self.ret_i(a, c as i32)
            }
            StrHashCode => {
                let s = self.str_units(this);
                let h = s
                    .iter()
                    .fold(0i32, |h, &c| h.wrapping_mul(31).wrapping_add(c as i32));
                self.ret_i(a, h)
            }
            StrToString => self.ret_r(a, this),
            StrIntern => {
                let r = self.intern(this);
                self.ret_r(a, r)
            }
            _ => {
                let s = self.str_units(this);
                self.string_method(n, a, s)
            }
        }
    }

    fn string_method(&mut self, n: Native, a: Args, s: Vec<u16>) -> NResult {
        let len = s.len() as i32;
        match n {
            StrIsBlank => self.ret_z(a, s.iter().all(|&u| is_java_whitespace(u))),
            StrSubstring1 | StrSubstring2 => {
                let b = self.ai(a, 0);
                let e = if n == StrSubstring2 {
                    self.ai(a, 1)
                } else {
                    len
                };
                if b < 0 || b > e || e > len {
                    return Err(self.sioobe(format!("begin {b}, end {e}, length {len}")));
                }
                let part = &s[b as usize..e as usize];
                self.ret_same_or(a, &s, part)
            }
            StrIndexOfC | StrIndexOfCFrom => {
                let from = if n == StrIndexOfCFrom {
                    self.ai(a, 1)
                } else {
                    0
                };
                let r = index_of(&s, &cp_units(self.ai(a, 0)), from);
                self.ret_i(a, r)
            }
            StrLastIndexOfC | StrLastIndexOfCFrom => {
                let from = if n == StrLastIndexOfCFrom {
                    self.ai(a, 1)
                } else {
                    len - 1
                };
                let r = last_index_of(&s, &cp_units(self.ai(a, 0)), from);
                self.ret_i(a, r)
            }
            StrIndexOfS | StrIndexOfSFrom => {
                let t = self.units_nn(a, 1)?;
                let from = if n == StrIndexOfSFrom {
                    self.ai(a, 0)
                } else {
                    0
                };
                self.ret_i(a, index_of(&s, &t, from))
            }
            StrLastIndexOfS | StrLastIndexOfSFrom => {
                let t = self.units_nn(a, 1)?;
                let from = if n == StrLastIndexOfSFrom {
                    self.ai(a, 0)
                } else {
                    len
                };
                self.ret_i(a, last_index_of(&s, &t, from))
            }
            StrEquals => {
                let o = self.ar(a, 1);
                let eq = !o.is_null() && self.class_of(o).0 == STRING && self.str_units(o) == s;
                self.ret_z(a, eq)
            }
            StrEqualsIgnoreCase => {
                let o = self.ar(a, 1);
                let eq = !o.is_null() && {
                    let t = self.str_units(o);
                    t.len() == s.len() && s.iter().zip(&t).all(|(&x, &y)| eq_ignore_case(x, y))
                };
                self.ret_z(a, eq)
            }
            StrCompareTo => {
                let t = self.units_nn(a, 1)?;
                let r = s
                    .iter()
                    .zip(&t)
                    .find(|(x, y)| x != y)
                    .map_or(s.len() as i32 - t.len() as i32, |(&x, &y)| {
                        x as i32 - y as i32
                    });
                self.ret_i(a, r)
            }
            StrCompareToIgnoreCase => {
                let t = self.units_nn(a, 1)?;
                self.ret_i(a, compare_ignore_case(&s, &t))
            }
            StrStartsWith | StrStartsWithFrom => {
                let t = self.units_nn(a, 1)?;
                let off = if n == StrStartsWithFrom {
                    self.ai(a, 0)
                } else {
                    0
                };
                let ok = off >= 0
                    && off as i64 <= len as i64 - t.len() as i64
                    && s[off as usize..off as usize + t.len()] == t[..];
                self.ret_z(a, ok)
            }
            StrEndsWith => {
                let t = self.units_nn(a, 1)?;
                self.ret_z(a, s.ends_with(&t))
            }
            StrContains => {
                let t = self.units_nn(a, 1)?;
                self.ret_z(a, index_of(&s, &t, 0) >= 0)
            }
            StrTrim => {
                let st = s.iter().position(|&c| c > b' ' as u16).unwrap_or(s.len());
                let en = s
                    .iter()
                    .rposition(|&c| c > b' ' as u16)
                    .map_or(st, |e| e + 1);
                self.ret_same_or(a, &s, &s[st..en.max(st)])
            }
            StrStrip => {
                let ws = |c: &u16| !is_java_whitespace(*c);
                let st = s.iter().position(ws).unwrap_or(s.len());
                let en = s.iter().rposition(ws).map_or(st, |e| e + 1);
                self.ret_same_or(a, &s, &s[st..en.max(st)])
            }
            StrToUpperCase => self.ret_same_or(a, &s, &to_upper(&s)),
            StrToLowerCase => self.ret_same_or(a, &s, &to_lower(&s)),
            StrSplit | StrSplitLimit => {
                let sep = self.units_nn(a, 1)?;
                let limit = if n == StrSplitLimit { self.ai(a, 0) } else { 0 };
                let ranges = split_ranges(&s, &sep, limit);
                if ranges == [(0, s.len())] {
                    // No match: Java returns `{this}`.
                    let arr = self.alloc_array(STRING_ARRAY, 1)?;
                    let this = self.ar(a, 0);
                    self.heap
                        .write_ref(arr, Heap::elem_offset(ElemKind::Ref, 0), this);
                    return self.ret_r(a, arr);
                }
                let pieces: Vec<&[u16]> = ranges.iter().map(|&(x, y)| &s[x..y]).collect();
                self.ret_string_array(a, &pieces)
            }
            StrToCharArray => {
                let arr = self.alloc_array(CHAR_ARRAY, s.len() as u32)?;
                self.heap.write_elems::<u16>(arr, 0, &s);
                self.ret_r(a, arr)
            }
            StrConcat => {
                let t = self.units_nn(a, 1)?;
                if t.is_empty() {
                    let this = self.ar(a, 0);
                    return self.ret_r(a, this);
                }
                let mut u = s;
                u.extend(t);
                self.ret_units(a, &u)
            }
            StrReplaceC => {
                let (from, to) = (self.ai(a, 0) as u16, self.ai(a, 1) as u16);
                let u: Vec<u16> = s.iter().map(|&c| if c == from { to } else { c }).collect();
                self.ret_same_or(a, &s, &u)
            }
            StrReplaceS => {
                let t = self.units_nn(a, 1)?;
                let r = self.units_nn(a, 2)?;
                let mut u = Vec::with_capacity(s.len());
                if t.is_empty() {
                    for &c in &s {
                        u.extend_from_slice(&r);
                        u.push(c);
                    }
                    u.extend_from_slice(&r);
                } else {
                    let mut i = 0;
                    while i < s.len() {
                        if s[i..].starts_with(&t) {
                            u.extend_from_slice(&r);
                            i += t.len();
                        } else {
                            u.push(s[i]);
                            i += 1;
                        }
                    }
                    if index_of(&s, &t, 0) < 0 {
                        let this = self.ar(a, 0);
                        return self.ret_r(a, this);
                    }
                }
                self.ret_units(a, &u)
            }
            StrRepeat => {
                let c = self.ai(a, 0);
                if c < 0 {
                    let msg = format!("count is negative: {c}");
                    return Err(self.raise(ILLEGAL_ARGUMENT_EXCEPTION, Some(msg)));
                }
                if c == 1 {
                    let this = self.ar(a, 0);
                    return self.ret_r(a, this);
                }
                if s.len() as u64 * c as u64 > i32::MAX as u64 {
                    return Err(self.raise_oom());
                }
                let u = s.repeat(c as usize);
                self.ret_units(a, &u)
            }
            _ => {
                let _ = NULL_POINTER_EXCEPTION;
                Err(bad_native(n))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    fn split(s: &str, sep: &str, limit: i32) -> Vec<String> {
        let su = u(s);
        split_ranges(&su, &u(sep), limit)
            .iter()
            .map(|&(a, b)| String::from_utf16(&su[a..b]).unwrap())
            .collect()
    }

    #[test]
    fn split_like_java() {
        assert_eq!(split("a,b,,c,,", ",", 0), ["a", "b", "", "c"]);
        assert_eq!(split(",a,b", ",", 0), ["", "a", "b"]);
        assert_eq!(split("", ",", 0), [""]);
        assert_eq!(split("abc", "", 0), ["a", "b", "c"]);
        assert!(split(",,,", ",", 0).is_empty());
        assert_eq!(split("a,b,c", ",", 2), ["a", "b,c"]);
        assert_eq!(split("a,b,,", ",", -1), ["a", "b", "", ""]);
        assert_eq!(split("aXXbXXc", "XX", 0), ["a", "b", "c"]);
        assert_eq!(split("abc", ",", 0), ["abc"]);
    }

    #[test]
    fn index_of_like_java() {
        assert_eq!(index_of(&u("abc"), &u(""), 0), 0);
        assert_eq!(index_of(&u("abc"), &u(""), 5), 3);
        assert_eq!(last_index_of(&u("abc"), &u(""), 3), 3);
        assert_eq!(last_index_of(&u("abc"), &u("c"), -1), -1);
        assert_eq!(index_of(&u("abc"), &u("b"), -5), 1);
        assert_eq!(last_index_of(&u("abc"), &u("a"), 10), 0);
    }

    #[test]
    fn case_mapping() {
        assert_eq!(
            String::from_utf16(&to_upper(&u("ÀÉÿß straße"))).unwrap(),
            "ÀÉŸSS STRASSE"
        );
        assert_eq!(upper_char('µ' as u16), 924);
        assert_eq!(compare_ignore_case(&u("B"), &u("a")), 1);
    }
}
