//! A replayed VHDX log, in memory: the file as it reads once the log's
//! writes are applied, without writing anything. Every read of the image
//! file goes through it (headers aside, which the log never writes).
//! Its size is bounded by the log's: one 4 KiB sector a data descriptor,
//! one range a zero descriptor.

use std::collections::BTreeMap;

/// The sectors the log writes: 4 KiB.
pub const SECTOR: u64 = 4096;

/// One write laid over the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// A 4 KiB sector at `offset` (a data descriptor and its data sector).
    Data { offset: u64, bytes: Vec<u8> },
    /// `len` zero bytes at `offset` (a zero descriptor).
    Zero { offset: u64, len: u64 },
}

impl Write {
    /// The file offsets written.
    pub fn range(&self) -> std::ops::Range<u64> {
        match self {
            Write::Data { offset, .. } => *offset..offset + SECTOR,
            Write::Zero { offset, len } => *offset..offset.saturating_add(*len),
        }
    }
}

#[derive(Debug, Default)]
pub struct Overlay {
    /// The file's size after replay (the log may extend it, 2.3.3).
    len: u64,
    /// Sectors written, by file offset (4 KiB each).
    sectors: BTreeMap<u64, Vec<u8>>,
    /// Ranges zeroed, start → end, disjoint. A sector written after a
    /// range was zeroed is in `sectors` and wins; a range zeroed after a
    /// sector was written removed it from `sectors`.
    zeros: BTreeMap<u64, u64>,
}

impl Overlay {
    /// `writes` laid over a file, in their order; `len` the file's size
    /// with them.
    pub fn new(writes: Vec<Write>, len: u64) -> Overlay {
        let mut o = Overlay {
            len,
            ..Overlay::default()
        };
        for w in writes {
            match w {
                Write::Data { offset, bytes } => {
                    o.sectors.insert(offset, bytes);
                }
                Write::Zero { offset, len } => o.zero(offset, offset + len),
            }
        }
        o
    }

    fn zero(&mut self, mut start: u64, mut end: u64) {
        if start >= end {
            return;
        }
        let written: Vec<u64> = self.sectors.range(start..end).map(|(&k, _)| k).collect();
        for k in written {
            self.sectors.remove(&k);
        }
        // Merge with the ranges it touches.
        let touching: Vec<(u64, u64)> = self
            .zeros
            .range(..=end)
            .filter(|(_, &e)| e >= start)
            .map(|(&s, &e)| (s, e))
            .collect();
        for (s, e) in touching {
            self.zeros.remove(&s);
            start = start.min(s);
            end = end.max(e);
        }
        self.zeros.insert(start, end);
    }

    /// The file's size after replay.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Lays the replayed writes over `buf`, read at `offset` of the file.
    pub fn apply(&self, offset: u64, buf: &mut [u8]) {
        let end = offset + buf.len() as u64;
        let mut cover = |start: u64, stop: u64, bytes: Option<&[u8]>| {
            let (from, to) = (start.max(offset), stop.min(end));
            if from >= to {
                return;
            }
            let out = &mut buf[(from - offset) as usize..(to - offset) as usize];
            match bytes {
                Some(b) => out.copy_from_slice(&b[(from - start) as usize..(to - start) as usize]),
                None => out.fill(0),
            }
        };
        for (&s, &e) in self.zeros.range(..end).rev() {
            if e <= offset {
                break;
            }
            cover(s, e, None);
        }
        for (&s, bytes) in self.sectors.range(offset.saturating_sub(SECTOR - 1)..end) {
            cover(s, s + SECTOR, Some(bytes));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlay(writes: Vec<Write>) -> Overlay {
        Overlay::new(writes, 1 << 20)
    }

    fn data(offset: u64, byte: u8) -> Write {
        Write::Data {
            offset,
            bytes: vec![byte; SECTOR as usize],
        }
    }

    fn read(o: &Overlay, offset: u64, len: usize) -> Vec<u8> {
        let mut buf = vec![0xEEu8; len];
        o.apply(offset, &mut buf);
        buf
    }

    #[test]
    fn later_writes_win_and_reads_see_only_what_they_cover() {
        let o = overlay(vec![
            data(8192, 1),
            Write::Zero {
                offset: 4096,
                len: 3 * 4096,
            },
            data(12288, 2),
            data(20480, 3),
        ]);
        // 4096..16384 zeroed, then 12288 written again; 20480 written.
        let got = read(&o, 4000, 20480);
        assert!(got[..96].iter().all(|&b| b == 0xEE));
        assert!(got[96..96 + 8192].iter().all(|&b| b == 0));
        assert!(got[96 + 8192..96 + 12288].iter().all(|&b| b == 2));
        assert!(got[96 + 12288..96 + 16384].iter().all(|&b| b == 0xEE));
        assert!(got[96 + 16384..].iter().all(|&b| b == 3));
        // A read inside one sector.
        assert_eq!(read(&o, 12300, 10), vec![2; 10]);
        // Zero ranges merge.
        assert_eq!(o.zeros.len(), 1);
    }

    #[test]
    fn zeros_touching_and_overlapping_merge_into_one_range() {
        let o = overlay(vec![
            Write::Zero {
                offset: 8192,
                len: 4096,
            },
            Write::Zero {
                offset: 16384,
                len: 4096,
            },
            Write::Zero {
                offset: 4096,
                len: 3 * 4096,
            },
        ]);
        let ranges: Vec<(u64, u64)> = o.zeros.iter().map(|(&s, &e)| (s, e)).collect();
        assert_eq!(ranges, [(4096, 20480)]);
    }
}
