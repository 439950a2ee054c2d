//! What the readers of differencing images share (VHDX, VHD, QCOW2 with
//! a backing file, VMDK snapshots): the parent found beside the child and
//! opened, reads from it, and runs of sectors that come from one side.

use std::path::Path;

use crate::backing::{find_parent, Context, Disk};
use crate::error::{damaged, ImageError};

/// The parent of the image file `child` of `format`: the first of
/// `names` (as the image records them, see [`find_parent`]) that exists,
/// opened with `open`; a missing parent is an error listing where it was
/// looked for, and a parent of fewer than `needed` bytes is damage.
pub(crate) fn open_parent(
    ctx: &Context,
    child: &Path,
    format: &'static str,
    names: &[String],
    needed: u64,
    open: impl Fn(&Path) -> Result<Box<dyn Disk>, ImageError>,
) -> Result<Box<dyn Disk>, ImageError> {
    let image = &ctx.image;
    let path = find_parent(child, names).map_err(|looked| ImageError::MissingParent {
        image: image.clone(),
        format,
        parent: names
            .first()
            .cloned()
            .unwrap_or_else(|| "(no parent locator)".into()),
        looked,
    })?;
    let parent = open(&path)?;
    if parent.size() < needed {
        return Err(damaged(
            image,
            format,
            format!(
                "the parent {} ({} bytes) is smaller than the disk ({needed} bytes)",
                path.display(),
                parent.size()
            ),
        ));
    }
    Ok(parent)
}

/// Reads `out` at `pos` from `parent`; zeros past its end, or where there
/// is no parent.
pub(crate) fn read_parent(
    parent: &mut Option<Box<dyn Disk>>,
    pos: u64,
    out: &mut [u8],
) -> Result<(), ImageError> {
    match parent {
        Some(p) if pos < p.size() => {
            let m = (out.len() as u64).min(p.size() - pos) as usize;
            p.read_at(pos, &mut out[..m])?;
            out[m..].fill(0);
        }
        _ => out.fill(0),
    }
    Ok(())
}

/// The run of sectors of `sector` bytes from byte `within` of a block, at
/// most `len` bytes long, that all come from the same side: whether
/// `own(sector index)` is true for them, and the run's length in bytes.
pub(crate) fn sector_run(
    within: u64,
    len: usize,
    sector: u64,
    mut own: impl FnMut(u64) -> Result<bool, ImageError>,
) -> Result<(bool, usize), ImageError> {
    let first = within / sector;
    let side = own(first)?;
    let mut end = (first + 1) * sector - within;
    while end < len as u64 && own((within + end) / sector)? == side {
        end += sector;
    }
    Ok((side, (end as usize).min(len)))
}
