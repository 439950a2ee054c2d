//! Files out of the virtual disk of a powered-off Windows machine, read-only
//! and in memory: no mount, no loop device, no FUSE, no root, nothing
//! written, on Linux and Windows alike.
//!
//! - containers ([`open_disk`]): VHDX (fixed, dynamic, differencing; a
//!   log not yet applied is replayed in memory, [`vhdx_log`]),
//!   VHD (fixed, dynamic, differencing), VMDK (monolithic sparse,
//!   stream-optimised, flat, split, with parents), QCOW2 (v2, v3, backing
//!   files, compressed clusters) and raw (`dd`) images, each a small
//!   reader of its published specification;
//! - partitions ([`partition`]): MBR (with logical drives) and GPT, or a
//!   volume image without a table;
//! - volumes ([`volume`]): NTFS through the `ntfs` crate; BitLocker is
//!   recognised and named;
//! - Windows ([`read_windows`]): the volume holding
//!   `Windows\System32\config\SOFTWARE`, and the files and folders asked
//!   for on it.
//!
//! Only what is needed is read: the container's maps, the partition
//! tables, the MFT records and index records on the way to each file, and
//! the file's own clusters. [`ImageRead::bytes_read`] counts it.

mod backing;
mod crc32c;
mod differencing;
pub mod error;
mod overlay;
pub mod partition;
mod qcow2;
mod raw;
mod vhd;
mod vhdx;
pub mod vhdx_log;
mod vmdk;
pub mod volume;
mod windows;

pub use backing::{Context, Disk, ReadCounter};
pub use error::ImageError;
pub use windows::{read_windows, ImageFile, ImageRead, Progress, Wanted, WindowsVolume};

use std::path::Path;

use backing::{be_u32, Backing};

/// The formats [`open_disk`] reads, by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Vhdx,
    Vhd,
    VhdFixed,
    Qcow2,
    VmdkSparse,
    VmdkDescriptor,
    Raw,
}

/// The format of an image from its first bytes and its last 512 (a fixed
/// VHD is raw data followed by a footer); `None` when it is none of them.
pub fn detect(head: &[u8], tail: &[u8]) -> Option<Format> {
    if head.starts_with(b"vhdxfile") {
        Some(Format::Vhdx)
    } else if head.starts_with(b"conectix") {
        Some(Format::Vhd)
    } else if head.starts_with(b"QFI\xfb") {
        Some(Format::Qcow2)
    } else if head.starts_with(b"KDMV") {
        Some(Format::VmdkSparse)
    } else if head.starts_with(b"# Disk DescriptorFile") {
        Some(Format::VmdkDescriptor)
    } else if tail.starts_with(b"conectix") && be_u32(tail, 60) == 2 {
        Some(Format::VhdFixed)
    } else if head.len() >= 512
        && (head[510..512] == [0x55, 0xAA]
            || partition::volume_kind(head) != partition::VolumeKind::Other)
    {
        Some(Format::Raw)
    } else {
        None
    }
}

/// What an unknown image looks like, for the error.
fn what_it_is(head: &[u8]) -> String {
    let known: [(&[u8], &str); 7] = [
        (b"\x1f\x8b", "a gzip file: unpack it first"),
        (b"\xfd7zXZ\0", "an xz file: unpack it first"),
        (b"PK\x03\x04", "a zip archive: unpack it first"),
        (b"7z\xbc\xaf\x27\x1c", "a 7z archive: unpack it first"),
        (
            b"COWD",
            "a VMware ESX 2 sparse disk (COWD), which acsready does not read",
        ),
        (
            b"EVF\x09\x0d\x0a\xff\x00",
            "an EnCase image (E01), which acsready does not read: convert it to raw with ewfexport",
        ),
        (b"-FVE-FS-", "a BitLocker volume"),
    ];
    if let Some((_, what)) = known.iter().find(|(magic, _)| head.starts_with(magic)) {
        return what.to_string();
    }
    if head.len() < 512 {
        return format!("{} bytes, too short for a disk", head.len());
    }
    if head[..512].iter().all(|&b| b == 0) {
        return "the first sector is zeros: no partition table, no volume boot sector (an empty or wiped disk)".into();
    }
    "no VHDX, VHD, VMDK or QCOW2 signature, no partition table, no volume boot sector".into()
}

/// Opens the image at `path` as a virtual disk, its format told by
/// content; `ctx` names it in errors and counts the bytes read.
pub fn open_disk(path: &Path, ctx: &Context) -> Result<Box<dyn Disk>, ImageError> {
    open_layer(path, ctx, 0)
}

/// Parents deeper than this are a loop.
const MAX_CHAIN: usize = 32;

fn open_layer(path: &Path, ctx: &Context, depth: usize) -> Result<Box<dyn Disk>, ImageError> {
    if depth > MAX_CHAIN {
        return Err(error::damaged(
            &ctx.image,
            "differencing",
            format!(
                "more than {MAX_CHAIN} parent disks: the chain loops ({})",
                path.display()
            ),
        ));
    }
    let mut file = Backing::open(path, ctx)?;
    let len = file.len();
    let head_len = len.min(4096);
    let head = file.read_vec(0, head_len, "image")?;
    let tail = if len >= 512 {
        file.read_vec(len - 512, 512, "image")?
    } else {
        Vec::new()
    };
    match detect(&head, &tail) {
        Some(Format::Vhdx) => Ok(Box::new(vhdx::Vhdx::open(file, |p| {
            open_layer(p, ctx, depth + 1)
        })?)),
        Some(Format::Vhd) => vhd::open_dynamic(file, |p| open_layer(p, ctx, depth + 1)),
        Some(Format::VhdFixed) => Ok(Box::new(raw::Raw::new(file, len - 512, "VHD"))),
        Some(Format::Qcow2) => Ok(Box::new(qcow2::Qcow2::open(file, |p| {
            open_layer(p, ctx, depth + 1)
        })?)),
        Some(Format::VmdkSparse) => vmdk::open_sparse_file(file, |p| open_layer(p, ctx, depth + 1)),
        Some(Format::VmdkDescriptor) => {
            vmdk::open_descriptor(file, |p| open_layer(p, ctx, depth + 1))
        }
        Some(Format::Raw) => Ok(Box::new(raw::Raw::new(file, len, "raw"))),
        None => Err(ImageError::UnknownFormat {
            image: ctx.image.clone(),
            what: what_it_is(&head),
        }),
    }
}

/// The other files an image is made of (its extents, its parents), so
/// that a folder of images reads each machine once, from its newest
/// layer.
pub fn layers(path: &Path) -> Result<Vec<std::path::PathBuf>, ImageError> {
    let ctx = Context::new(&path.display().to_string());
    open_disk(path, &ctx)?;
    Ok(ctx.opened().into_iter().filter(|p| p != path).collect())
}
