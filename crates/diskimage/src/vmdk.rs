//! VMDK, per VMware's "Virtual Disk Format 5.0": a text descriptor
//! (its own file, or embedded in a monolithic sparse file) lists extents
//! (FLAT, SPARSE, ZERO; VMFS as flat) that make up the disk in order, and
//! may name a parent (`parentFileNameHint`, snapshots). A hosted sparse
//! extent ("KDMV", little endian) maps grains through a grain directory
//! and grain tables; stream-optimised extents compress every grain
//! (zlib, behind a marker of its sector and size) and keep the grain
//! directory's offset in a footer at the end.

use std::io::Read;
use std::path::Path;

use crate::backing::{le_u32, le_u64, Backing, Context, Disk, Pieces};
use crate::differencing::{open_parent, read_parent};
use crate::error::{damaged, unsupported, ImageError};

const FORMAT: &str = "VMDK";
const GD_AT_END: u64 = u64::MAX;
const COMPRESSED_GRAINS: u32 = 1 << 16;
const ZEROED_GTE: u32 = 1 << 2;
/// Grain tables kept.
const CACHED_GT: usize = 64;
/// Extents at most (a split 2 TB disk has about a thousand).
const MAX_EXTENTS: usize = 8192;

struct Sparse {
    file: Backing,
    grain: u64,
    gtes_per_gt: u64,
    compressed: bool,
    zeroed_gte: bool,
    gd: Vec<u32>,
    gt_cache: Vec<(u32, Vec<u32>)>,
    last_grain: Option<(u64, Vec<u8>)>,
}

enum Kind {
    Flat { file: Backing, offset: u64 },
    Sparse(Box<Sparse>),
    Zero,
}

struct Extent {
    start: u64,
    len: u64,
    kind: Kind,
}

pub struct Vmdk {
    extents: Vec<Extent>,
    size: u64,
    parent: Option<Box<dyn Disk>>,
    ctx: crate::backing::Context,
}

/// What a descriptor says.
struct Descriptor {
    extents: Vec<(u64, String, Option<String>, u64)>,
    parent: Option<String>,
}

fn parse_descriptor(text: &str) -> Result<Descriptor, String> {
    let mut extents = Vec::new();
    let mut parent_cid = None;
    let mut parent_hint = None;
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            let value = value.trim().trim_matches('"').to_string();
            match key.trim() {
                "parentCID" => parent_cid = Some(value),
                "parentFileNameHint" => parent_hint = Some(value),
                _ => {}
            }
            continue;
        }
        let mut words = line.split_whitespace();
        let access = words.next().unwrap_or_default();
        if !matches!(access, "RW" | "RDONLY" | "NOACCESS") {
            continue;
        }
        if extents.len() >= MAX_EXTENTS {
            return Err(format!("more than {MAX_EXTENTS} extents"));
        }
        let sectors: u64 = words
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("an extent line without its size: {line}"))?;
        let kind = words.next().unwrap_or_default().to_string();
        // The file name is quoted and may hold spaces.
        let (name, rest) = match (line.find('"'), line.rfind('"')) {
            (Some(a), Some(b)) if b > a => (Some(line[a + 1..b].to_string()), &line[b + 1..]),
            _ => (None, ""),
        };
        let offset = rest
            .split_whitespace()
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        extents.push((sectors, kind, name, offset));
    }
    if extents.is_empty() {
        return Err("the descriptor lists no extent".into());
    }
    let parent = match parent_cid.as_deref() {
        Some(cid) if !cid.eq_ignore_ascii_case("ffffffff") => {
            Some(parent_hint.ok_or("a parentCID but no parentFileNameHint")?)
        }
        _ => None,
    };
    Ok(Descriptor { extents, parent })
}

/// A text descriptor file (flat, split, or a snapshot's).
pub fn open_descriptor(
    mut file: Backing,
    open: impl Fn(&Path) -> Result<Box<dyn Disk>, ImageError>,
) -> Result<Box<dyn Disk>, ImageError> {
    if file.len() > 1 << 20 {
        return Err(damaged(
            &file.ctx().image,
            FORMAT,
            "a descriptor file of more than 1 MiB",
        ));
    }
    let text = String::from_utf8_lossy(&file.read_vec(0, file.len(), FORMAT)?).into_owned();
    let path = file.path().to_path_buf();
    build(&path, file.ctx().clone(), &text, None, open)
}

/// A monolithic sparse (or stream-optimised) file: its descriptor is inside.
pub fn open_sparse_file(
    mut file: Backing,
    open: impl Fn(&Path) -> Result<Box<dyn Disk>, ImageError>,
) -> Result<Box<dyn Disk>, ImageError> {
    let h = file.read_vec(0, 512, FORMAT)?;
    let (at, len) = (le_u64(&h, 28), le_u64(&h, 36));
    if at == 0 || len == 0 || len > 2048 {
        // No descriptor: a lone extent (as referenced by a descriptor).
        let ctx = file.ctx().clone();
        let sparse = Sparse::open(file)?;
        let size = sparse.capacity;
        let extent = Extent {
            start: 0,
            len: size,
            kind: Kind::Sparse(Box::new(sparse.sparse)),
        };
        return Ok(Box::new(Vmdk {
            extents: vec![extent],
            size,
            parent: None,
            ctx,
        }));
    }
    let raw = file.read_vec(at * 512, len * 512, FORMAT)?;
    let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    let text = String::from_utf8_lossy(&raw[..end]).into_owned();
    let path = file.path().to_path_buf();
    build(&path, file.ctx().clone(), &text, Some(file), open)
}

/// The disk of a descriptor; `itself` is the file holding it when the
/// descriptor is embedded (its one extent is that file).
fn build(
    path: &Path,
    ctx: crate::backing::Context,
    text: &str,
    mut itself: Option<Backing>,
    open: impl Fn(&Path) -> Result<Box<dyn Disk>, ImageError>,
) -> Result<Box<dyn Disk>, ImageError> {
    let d = parse_descriptor(text)
        .map_err(|m| damaged(&ctx.image, FORMAT, format!("descriptor: {m}")))?;
    let mut extents = Vec::new();
    let mut start = 0u64;
    for (sectors, kind, name, offset) in d.extents {
        let len = sectors
            .checked_mul(512)
            .ok_or_else(|| damaged(&ctx.image, FORMAT, "an extent too large"))?;
        let mut file_of = |name: &Option<String>| -> Result<Backing, ImageError> {
            let name = name.clone().ok_or_else(|| {
                damaged(
                    &ctx.image,
                    FORMAT,
                    format!("a {kind} extent without a file name"),
                )
            })?;
            let p = crate::backing::beside(path, &name);
            if p == path {
                if let Some(f) = itself.take() {
                    return Ok(f);
                }
            }
            Backing::open(&p, &ctx)
        };
        let k = match kind.as_str() {
            "FLAT" | "VMFS" => Kind::Flat { file: file_of(&name)?, offset: offset * 512 },
            "SPARSE" => {
                let s = Sparse::open(file_of(&name)?)?;
                Kind::Sparse(Box::new(s.sparse))
            }
            "ZERO" => Kind::Zero,
            other => return Err(unsupported(&ctx.image, FORMAT, format!("{other} extents (acsready reads FLAT, SPARSE, ZERO and VMFS); convert the disk with qemu-img convert -O vmdk"))),
        };
        extents.push(Extent {
            start,
            len,
            kind: k,
        });
        start = start
            .checked_add(len)
            .ok_or_else(|| damaged(&ctx.image, FORMAT, "extents too large"))?;
    }
    let parent = match d.parent {
        Some(name) => Some(open_parent(&ctx, path, FORMAT, &[name], 0, open)?),
        None => None,
    };
    Ok(Box::new(Vmdk {
        extents,
        size: start,
        parent,
        ctx,
    }))
}

struct Opened {
    sparse: Sparse,
    capacity: u64,
}

impl Sparse {
    fn open(mut file: Backing) -> Result<Opened, ImageError> {
        let image = file.ctx().image.clone();
        let bad = |m: String| damaged(&image, FORMAT, m);
        let mut h = file.read_vec(0, 512, FORMAT)?;
        if &h[0..4] != b"KDMV" {
            return Err(bad(format!(
                "{} is not a sparse extent (no KDMV header)",
                file.path().display()
            )));
        }
        if le_u64(&h, 56) == GD_AT_END {
            // Stream-optimised: the footer (a copy of the header with the
            // grain directory's offset) is the second-last sector.
            let len = file.len();
            if len < 1536 {
                return Err(bad("a stream-optimised extent without its footer".into()));
            }
            h = file.read_vec(len - 1024, 512, FORMAT)?;
            if &h[0..4] != b"KDMV" {
                return Err(bad(
                    "a stream-optimised extent whose footer is missing (the copy is incomplete?)"
                        .into(),
                ));
            }
        }
        let flags = le_u32(&h, 8);
        let capacity = le_u64(&h, 12)
            .checked_mul(512)
            .ok_or_else(|| bad("capacity too large".into()))?;
        let grain = le_u64(&h, 20)
            .checked_mul(512)
            .ok_or_else(|| bad("grain too large".into()))?;
        let gtes = le_u32(&h, 44) as u64;
        let gd_at = le_u64(&h, 56);
        if !(4096..=(16 << 20)).contains(&grain)
            || !grain.is_power_of_two()
            || !(1..=65536).contains(&gtes)
        {
            return Err(bad(format!(
                "grains of {grain} bytes, {gtes} entries a grain table"
            )));
        }
        let compressed = flags & COMPRESSED_GRAINS != 0;
        if compressed && le_u32(&h, 77) & 0xFFFF != 1 {
            return Err(unsupported(
                &image,
                FORMAT,
                "grains compressed with an algorithm other than deflate",
            ));
        }
        let gd_len = capacity.div_ceil(grain * gtes);
        if gd_len > 1 << 24 {
            return Err(bad(format!("a grain directory of {gd_len} entries")));
        }
        let raw = file.read_vec(
            gd_at
                .checked_mul(512)
                .ok_or_else(|| bad("grain directory offset".into()))?,
            gd_len * 4,
            FORMAT,
        )?;
        let gd = raw.chunks_exact(4).map(|c| le_u32(c, 0)).collect();
        Ok(Opened {
            sparse: Sparse {
                file,
                grain,
                gtes_per_gt: gtes,
                compressed,
                zeroed_gte: flags & ZEROED_GTE != 0,
                gd,
                gt_cache: Vec::new(),
                last_grain: None,
            },
            capacity,
        })
    }

    /// The grain table entry of grain `index`.
    fn gte(&mut self, index: u64) -> Result<u32, ImageError> {
        let gt = self
            .gd
            .get((index / self.gtes_per_gt) as usize)
            .copied()
            .unwrap_or(0);
        if gt == 0 {
            return Ok(0);
        }
        let i = match self.gt_cache.iter().position(|(at, _)| *at == gt) {
            Some(i) => i,
            None => {
                let raw = self
                    .file
                    .read_vec(gt as u64 * 512, self.gtes_per_gt * 4, FORMAT)?;
                if self.gt_cache.len() >= CACHED_GT {
                    self.gt_cache.remove(0);
                }
                self.gt_cache
                    .push((gt, raw.chunks_exact(4).map(|c| le_u32(c, 0)).collect()));
                self.gt_cache.len() - 1
            }
        };
        Ok(self.gt_cache[i]
            .1
            .get((index % self.gtes_per_gt) as usize)
            .copied()
            .unwrap_or(0))
    }

    /// Reads `out` at `pos` in the extent; `false` for bytes of an
    /// unallocated grain (the caller takes them from the parent).
    fn read(&mut self, pos: u64, out: &mut [u8]) -> Result<bool, ImageError> {
        let entry = self.gte(pos / self.grain)?;
        let within = pos % self.grain;
        if entry == 0 {
            return Ok(false);
        }
        if entry == 1 && self.zeroed_gte {
            out.fill(0);
            return Ok(true);
        }
        let at = entry as u64 * 512;
        if !self.compressed {
            self.file.read_at(at + within, out, FORMAT)?;
            return Ok(true);
        }
        if self.last_grain.as_ref().is_none_or(|(a, _)| *a != at) {
            let marker = self.file.read_vec(at, 12, FORMAT)?;
            let size = le_u32(&marker, 8) as u64;
            if size > self.grain * 2 + 4096 {
                return Err(damaged(
                    &self.file.ctx().image,
                    FORMAT,
                    format!("a compressed grain at {at} claims {size} bytes"),
                ));
            }
            let packed = self.file.read_vec(at + 12, size, FORMAT)?;
            let mut grain = Vec::with_capacity(self.grain as usize);
            flate2::read::ZlibDecoder::new(&packed[..])
                .take(self.grain)
                .read_to_end(&mut grain)
                .map_err(|e| {
                    damaged(
                        &self.file.ctx().image,
                        FORMAT,
                        format!("a compressed grain at {at} does not inflate: {e}"),
                    )
                })?;
            grain.resize(self.grain as usize, 0);
            self.last_grain = Some((at, grain));
        }
        let w = within as usize;
        if let Some((_, g)) = &self.last_grain {
            out.copy_from_slice(&g[w..w + out.len()]);
        }
        Ok(true)
    }
}

impl Pieces for Vmdk {
    const FORMAT: &'static str = FORMAT;

    fn context(&self) -> &Context {
        &self.ctx
    }

    fn virtual_size(&self) -> u64 {
        self.size
    }

    /// Reads the start of `out` at `pos`, up to the end of its extent (of
    /// its grain, in a sparse extent); says how many bytes.
    fn read_piece(&mut self, pos: u64, out: &mut [u8]) -> Result<usize, ImageError> {
        let i = self.extents.partition_point(|e| e.start + e.len <= pos);
        let Some(extent) = self.extents.get_mut(i) else {
            return Err(damaged(
                &self.ctx.image,
                FORMAT,
                format!("no extent holds byte {pos}"),
            ));
        };
        let within = pos - extent.start;
        let mut n = ((extent.len - within) as usize).min(out.len());
        let have = match &mut extent.kind {
            Kind::Flat { file, offset } => {
                file.read_at(*offset + within, &mut out[..n], FORMAT)?;
                true
            }
            Kind::Zero => {
                out[..n].fill(0);
                true
            }
            Kind::Sparse(s) => {
                n = n.min((s.grain - within % s.grain) as usize);
                s.read(within, &mut out[..n])?
            }
        };
        if !have {
            read_parent(&mut self.parent, pos, &mut out[..n])?;
        }
        Ok(n)
    }
}
