//! Program output: buffered stdout, unbuffered stderr, and Java's UTF-16 → UTF-8
//! encoding (an unpaired surrogate prints as `?`, as on a UTF-8 locale).

use std::io::Write;

/// Flush stdout once this many bytes are buffered.
const FLUSH_AT: usize = 64 << 10;

pub struct Output {
    buf: Vec<u8>,
    /// Capture instead of writing to the process's stdout/stderr (tests).
    capture: Option<Captured>,
    /// Drop stdout (the REPL's replay of earlier statements).
    discard_stdout: bool,
    /// Flush stdout at each line end (the REPL on a terminal).
    line_buffered: bool,
}

/// What a captured run wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Captured {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Default for Output {
    fn default() -> Self {
        Self::new()
    }
}

impl Output {
    pub fn new() -> Output {
        Output {
            buf: Vec::with_capacity(FLUSH_AT + 1024),
            capture: None,
            discard_stdout: false,
            line_buffered: false,
        }
    }

    /// Flushes stdout at the end of every line from now on (`on`), or not.
    pub fn set_line_buffered(&mut self, on: bool) {
        self.line_buffered = on;
    }

    /// Drops everything written to stdout from now on (`on`), or stops doing so.
    pub fn set_discard_stdout(&mut self, on: bool) {
        self.flush();
        self.discard_stdout = on;
    }

    /// Keeps all output in memory (see [`Output::take_captured`]).
    pub fn capture(&mut self) {
        self.capture = Some(Captured::default());
    }

    pub fn take_captured(&mut self) -> Option<Captured> {
        self.flush();
        self.capture.take()
    }

    /// The stdout buffer, to append to; call [`Output::wrote`] after.
    #[inline]
    pub fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    #[inline]
    pub fn wrote(&mut self) {
        if self.buf.len() >= FLUSH_AT || (self.line_buffered && self.buf.last() == Some(&b'\n')) {
            self.flush();
        }
    }

    pub fn flush(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        if self.discard_stdout {
            self.buf.clear();
            return;
        }
        match &mut self.capture {
            Some(c) => c.stdout.extend_from_slice(&self.buf),
            None => {
                let mut out = std::io::stdout().lock();
                // A closed stdout (e.g. `| head`) is not the program's concern.
                let _ = out.write_all(&self.buf);
                let _ = out.flush();
            }
        }
        self.buf.clear();
    }

    /// Writes to stderr, after flushing stdout so the two interleave as in Java.
    pub fn write_err(&mut self, bytes: &[u8]) {
        self.flush();
        match &mut self.capture {
            Some(c) => c.stderr.extend_from_slice(bytes),
            None => {
                let _ = std::io::stderr().write_all(bytes);
            }
        }
    }
}

/// Appends UTF-16 `units` to `out` as UTF-8; unpaired surrogates become `?`.
pub fn push_utf16(out: &mut Vec<u8>, units: &[u16]) {
    if units.iter().all(|&u| u < 0x80) {
        out.extend(units.iter().map(|&u| u as u8));
        return;
    }
    let mut tmp = [0u8; 4];
    for c in char::decode_utf16(units.iter().copied()) {
        let c = c.unwrap_or('?');
        out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_java() {
        let mut v = Vec::new();
        push_utf16(&mut v, &[0x48, 0xe9, 0xd83d, 0xde00, 0xd800, 0x21]);
        assert_eq!(String::from_utf8(v).unwrap(), "Hé😀?!");
    }
}
