//! QCOW2 (versions 2 and 3), per QEMU's docs/interop/qcow2.txt: a big-
//! endian header ("QFI\xfb"), an L1 table of L2 table offsets, L2 tables
//! of cluster offsets (bit 62: compressed, raw deflate; bit 0 in v3: the
//! cluster reads as zeros). Unallocated clusters come from the backing
//! file when there is one, else read as zeros. Encrypted images, external
//! data files, extended L2 entries and zstd compression are named and
//! refused.

use std::io::Read;
use std::path::Path;

use crate::backing::{be_u32, be_u64, Backing, Context, Disk, Pieces};
use crate::differencing::{open_parent, read_parent};
use crate::error::{damaged, unsupported, ImageError};

const FORMAT: &str = "QCOW2";
const OFFSET_MASK: u64 = 0x00FF_FFFF_FFFF_FE00;
const COMPRESSED: u64 = 1 << 62;
/// L2 tables kept (each one cluster).
const CACHED_L2: usize = 32;

pub struct Qcow2 {
    file: Backing,
    size: u64,
    cluster_bits: u32,
    l1: Vec<u64>,
    l2_cache: Vec<(u64, Vec<u64>)>,
    /// The last compressed cluster unpacked (its host offset and bytes).
    unpacked: Option<(u64, Vec<u8>)>,
    backing: Option<Box<dyn Disk>>,
}

impl Qcow2 {
    pub fn open(
        mut file: Backing,
        open: impl Fn(&Path) -> Result<Box<dyn Disk>, ImageError>,
    ) -> Result<Qcow2, ImageError> {
        let image = file.ctx().image.clone();
        let bad = |m: String| damaged(&image, FORMAT, m);
        let h = file.read_vec(0, 104.min(file.len()), FORMAT)?;
        if h.len() < 72 {
            return Err(ImageError::Truncated {
                image: image.clone(),
                format: FORMAT,
                file: file.path().display().to_string(),
                size: file.len(),
                needed: 72,
            });
        }
        let version = be_u32(&h, 4);
        if version != 2 && version != 3 {
            return Err(unsupported(
                &image,
                FORMAT,
                format!("version {version} (acsready reads 2 and 3)"),
            ));
        }
        let cluster_bits = be_u32(&h, 20);
        if !(9..=21).contains(&cluster_bits) {
            return Err(bad(format!("a cluster size of 2^{cluster_bits} bytes")));
        }
        let size = be_u64(&h, 24);
        if be_u32(&h, 32) != 0 {
            return Err(unsupported(
                &image,
                FORMAT,
                "the image is encrypted: it cannot be read without its key",
            ));
        }
        if version == 3 && h.len() >= 104 {
            let incompatible = be_u64(&h, 72);
            if incompatible & 2 != 0 {
                return Err(bad(
                    "QEMU marked the image corrupt (qemu-img check -r all repairs a copy)".into(),
                ));
            }
            let known = 1 | 8;
            if incompatible & !known != 0 {
                return Err(unsupported(&image, FORMAT, format!(
                    "incompatible features {incompatible:#x} (an external data file or extended L2 entries); convert it with qemu-img convert -O qcow2"
                )));
            }
            if incompatible & 8 != 0 {
                return Err(unsupported(
                    &image,
                    FORMAT,
                    "clusters compressed with zstd; convert it with qemu-img convert -O qcow2",
                ));
            }
        }
        let l1_size = be_u32(&h, 36) as u64;
        let l1_at = be_u64(&h, 40);
        let cluster = 1u64 << cluster_bits;
        let l2_entries = cluster / 8;
        let needed = size.div_ceil(cluster).div_ceil(l2_entries);
        if l1_size < needed || l1_size > (1 << 26) {
            return Err(bad(format!(
                "an L1 table of {l1_size} entries for {size} bytes"
            )));
        }
        let raw = file.read_vec(l1_at, l1_size * 8, FORMAT)?;
        let l1 = raw.chunks_exact(8).map(|c| be_u64(c, 0)).collect();
        let backing_at = be_u64(&h, 8);
        let backing_len = be_u32(&h, 16) as u64;
        let backing = if backing_at != 0 && backing_len != 0 {
            if backing_len > 1023 {
                return Err(bad(format!("a backing file name of {backing_len} bytes")));
            }
            let name = String::from_utf8_lossy(&file.read_vec(backing_at, backing_len, FORMAT)?)
                .into_owned();
            let (ctx, path) = (file.ctx(), file.path());
            Some(open_parent(ctx, path, FORMAT, &[name], 0, open)?)
        } else {
            None
        };
        Ok(Qcow2 {
            file,
            size,
            cluster_bits,
            l1,
            l2_cache: Vec::new(),
            unpacked: None,
            backing,
        })
    }

    fn l2_entry(&mut self, cluster_index: u64) -> Result<u64, ImageError> {
        let per_table = 1u64 << (self.cluster_bits - 3);
        let l1_index = (cluster_index / per_table) as usize;
        let l2_at = self.l1.get(l1_index).copied().unwrap_or(0) & OFFSET_MASK;
        if l2_at == 0 {
            return Ok(0);
        }
        let pos = self.l2_cache.iter().position(|(at, _)| *at == l2_at);
        let table = match pos {
            Some(i) => &self.l2_cache[i].1,
            None => {
                let raw = self.file.read_vec(l2_at, 1 << self.cluster_bits, FORMAT)?;
                if self.l2_cache.len() >= CACHED_L2 {
                    self.l2_cache.remove(0);
                }
                self.l2_cache
                    .push((l2_at, raw.chunks_exact(8).map(|c| be_u64(c, 0)).collect()));
                &self.l2_cache[self.l2_cache.len() - 1].1
            }
        };
        Ok(table
            .get((cluster_index % per_table) as usize)
            .copied()
            .unwrap_or(0))
    }

    /// The bytes of a compressed cluster (raw deflate).
    fn compressed(&mut self, entry: u64) -> Result<&[u8], ImageError> {
        let x = 62 - (self.cluster_bits - 8);
        let at = entry & ((1u64 << x) - 1);
        if self.unpacked.as_ref().is_none_or(|(a, _)| *a != at) {
            let sectors = (entry >> x) & ((1u64 << (self.cluster_bits - 8)) - 1);
            let len = ((sectors + 1) * 512 - (at & 511)).min(self.file.len().saturating_sub(at));
            let packed = self.file.read_vec(at, len, FORMAT)?;
            let cluster = 1usize << self.cluster_bits;
            let mut out = Vec::with_capacity(cluster);
            let mut inflate = flate2::read::DeflateDecoder::new(&packed[..]).take(cluster as u64);
            inflate.read_to_end(&mut out).map_err(|e| {
                damaged(
                    &self.file.ctx().image,
                    FORMAT,
                    format!("a compressed cluster at {at} does not inflate: {e}"),
                )
            })?;
            out.resize(cluster, 0);
            self.unpacked = Some((at, out));
        }
        Ok(self
            .unpacked
            .as_ref()
            .map_or(&[][..], |(_, b)| b.as_slice()))
    }
}

impl Pieces for Qcow2 {
    const FORMAT: &'static str = FORMAT;

    fn context(&self) -> &Context {
        self.file.ctx()
    }

    fn virtual_size(&self) -> u64 {
        self.size
    }

    /// Reads the start of `out` at `pos`, up to the end of its cluster;
    /// says how many bytes.
    fn read_piece(&mut self, pos: u64, out: &mut [u8]) -> Result<usize, ImageError> {
        let cluster = 1u64 << self.cluster_bits;
        let within = pos % cluster;
        let n = ((cluster - within) as usize).min(out.len());
        let out = &mut out[..n];
        let entry = self.l2_entry(pos >> self.cluster_bits)?;
        if entry & COMPRESSED != 0 {
            let data = self.compressed(entry)?;
            let w = within as usize;
            out.copy_from_slice(&data[w..w + n]);
        } else if entry & 1 != 0 {
            out.fill(0);
        } else if entry & OFFSET_MASK != 0 {
            let at = (entry & OFFSET_MASK) + within;
            self.file.read_at(at, out, FORMAT)?;
        } else {
            // A backing file shorter than the image reads as zeros past its end.
            read_parent(&mut self.backing, pos, out)?;
        }
        Ok(n)
    }
}
