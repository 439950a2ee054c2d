//! A raw (`dd`) image: the disk's bytes as they are, or a VHD's data
//! before its footer.

use crate::backing::{check_range, Backing, Disk};
use crate::error::ImageError;

pub struct Raw {
    file: Backing,
    size: u64,
    format: &'static str,
}

impl Raw {
    /// The first `size` bytes of `file`, as a disk of `format`.
    pub fn new(file: Backing, size: u64, format: &'static str) -> Raw {
        Raw { file, size, format }
    }
}

impl Disk for Raw {
    fn format(&self) -> &'static str {
        self.format
    }

    fn size(&self) -> u64 {
        self.size
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), ImageError> {
        check_range(self.file.ctx(), self.format, offset, buf.len(), self.size)?;
        self.file.read_at(offset, buf, self.format)
    }
}
