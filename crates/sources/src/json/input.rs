//! The input's text encoding: UTF-8 passed through, UTF-16 decoded to
//! UTF-8 on the fly, and I/O errors (bad UTF-16 among them) as
//! [`SourceError`]s.

use std::io::{self, BufRead, BufReader, Read};

use crate::SourceError;

pub(super) fn io_error(file: &str, e: io::Error) -> SourceError {
    if let Some(bad) = e.get_ref().and_then(|r| r.downcast_ref::<Utf16Error>()) {
        return SourceError::Format {
            file: file.to_string(),
            message: bad.to_string(),
        };
    }
    SourceError::Io {
        file: file.to_string(),
        source: e,
    }
}

pub(super) enum Encoding {
    Utf8,
    Utf16 { big_endian: bool },
}

type Prefixed<R> = io::Chain<io::Cursor<Vec<u8>>, R>;

/// The input as UTF-8 bytes.
pub(super) enum Input<R> {
    Utf8(BufReader<Prefixed<R>>),
    Utf16(BufReader<Utf16Decoder<Prefixed<R>>>),
}

impl<R: Read> Read for Input<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Input::Utf8(r) => r.read(buf),
            Input::Utf16(r) => r.read(buf),
        }
    }
}

impl<R: Read> BufRead for Input<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Input::Utf8(r) => r.fill_buf(),
            Input::Utf16(r) => r.fill_buf(),
        }
    }

    fn consume(&mut self, amt: usize) {
        match self {
            Input::Utf8(r) => r.consume(amt),
            Input::Utf16(r) => r.consume(amt),
        }
    }
}

/// Invalid UTF-16 in the input.
#[derive(Debug, thiserror::Error)]
#[error("the file is not valid UTF-16: {0}")]
struct Utf16Error(&'static str);

/// Decodes UTF-16 to UTF-8 as it reads.
pub(super) struct Utf16Decoder<R> {
    inner: R,
    big_endian: bool,
    /// Bytes read but not decoded yet (an odd byte, half a surrogate pair).
    raw: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
}

impl<R: Read> Utf16Decoder<R> {
    pub(super) fn new(inner: R, big_endian: bool) -> Self {
        Utf16Decoder {
            inner,
            big_endian,
            raw: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            eof: false,
        }
    }

    fn unit(&self, i: usize) -> u16 {
        let pair = [self.raw[i], self.raw[i + 1]];
        if self.big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        let invalid = |why| io::Error::new(io::ErrorKind::InvalidData, Utf16Error(why));
        self.out.clear();
        self.out_pos = 0;
        while self.out.is_empty() && !self.eof {
            let old = self.raw.len();
            self.raw.resize(old + (1 << 15), 0);
            let n = loop {
                match self.inner.read(&mut self.raw[old..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        self.raw.truncate(old);
                        return Err(e);
                    }
                }
            };
            self.raw.truncate(old + n);
            self.eof = n == 0;
            let mut i = 0;
            while i + 2 <= self.raw.len() {
                let unit = self.unit(i);
                let c = match unit {
                    0xD800..=0xDBFF => {
                        if i + 4 > self.raw.len() {
                            if self.eof {
                                return Err(invalid("the file ends in a surrogate pair"));
                            }
                            break;
                        }
                        let low = self.unit(i + 2);
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(invalid("unpaired surrogate"));
                        }
                        i += 2;
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(invalid("unpaired surrogate")),
                    _ => u32::from(unit),
                };
                i += 2;
                let c = char::from_u32(c).ok_or_else(|| invalid("invalid code point"))?;
                let mut utf8 = [0u8; 4];
                self.out
                    .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            }
            self.raw.drain(..i);
            if self.eof && !self.raw.is_empty() {
                return Err(invalid("odd number of bytes"));
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos == self.out.len() {
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}
