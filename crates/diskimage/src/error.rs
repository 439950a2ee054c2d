//! What can go wrong reading a disk image, each naming the image and what
//! is wrong with it.

use std::io;

/// An error reading one image. The image is named as the user gave it.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The image file (or one of its extents or parents) cannot be read.
    #[error("{image}: cannot read {file}: {source}")]
    Io {
        image: String,
        file: String,
        #[source]
        source: io::Error,
    },
    /// Not a format acsready reads.
    #[error("{image}: not a disk image acsready reads ({what}); give a VHDX, VHD, VMDK, QCOW2 or raw (dd) image of a Windows disk or volume")]
    UnknownFormat { image: String, what: String },
    /// A structure of the container is damaged.
    #[error("{image}: damaged {format} image: {message}")]
    Damaged {
        image: String,
        format: &'static str,
        message: String,
    },
    /// The image ends before what its structures point to.
    #[error("{image}: truncated {format} image: {file} has {size} bytes, but {needed} bytes are needed (the copy is incomplete)")]
    Truncated {
        image: String,
        format: &'static str,
        file: String,
        size: u64,
        needed: u64,
    },
    /// A differencing disk whose parent is not where it says.
    #[error("{image}: the parent disk of this differencing {format} image is missing: {parent} (looked for {looked}); copy the parent beside it, with its own parents")]
    MissingParent {
        image: String,
        format: &'static str,
        parent: String,
        looked: String,
    },
    /// A feature of the container acsready does not read.
    #[error("{image}: {format} image: {what}")]
    Unsupported {
        image: String,
        format: &'static str,
        what: String,
    },
    /// A BitLocker-encrypted volume.
    #[error("{image}: partition {partition} is a BitLocker-encrypted volume: it cannot be read without its recovery key; assess this machine while it runs (collector/acsready-collect.cmd) or from an image of the unlocked volume")]
    BitLocker { image: String, partition: usize },
    /// No volume with Windows on it.
    #[error("{image}: no Windows volume found ({volumes}): no NTFS volume holds Windows\\System32\\config\\SOFTWARE")]
    NoWindows { image: String, volumes: String },
    /// The NTFS structures of a volume are damaged.
    #[error("{image}: partition {partition}: damaged NTFS volume: {message}")]
    Ntfs {
        image: String,
        partition: usize,
        message: String,
    },
}

impl ImageError {
    /// The image the error is about.
    pub fn image(&self) -> &str {
        match self {
            ImageError::Io { image, .. }
            | ImageError::UnknownFormat { image, .. }
            | ImageError::Damaged { image, .. }
            | ImageError::Truncated { image, .. }
            | ImageError::MissingParent { image, .. }
            | ImageError::Unsupported { image, .. }
            | ImageError::BitLocker { image, .. }
            | ImageError::NoWindows { image, .. }
            | ImageError::Ntfs { image, .. } => image,
        }
    }

    /// The error without the image's name in front (for messages that
    /// name it already).
    pub fn detail(&self) -> String {
        let text = self.to_string();
        let prefix = format!("{}: ", self.image());
        text.strip_prefix(&prefix).unwrap_or(&text).to_string()
    }
}

/// A damaged-structure error of `format` in `image`.
pub(crate) fn damaged(image: &str, format: &'static str, message: impl Into<String>) -> ImageError {
    ImageError::Damaged {
        image: image.to_string(),
        format,
        message: message.into(),
    }
}

/// An unsupported-feature error of `format` in `image`.
pub(crate) fn unsupported(
    image: &str,
    format: &'static str,
    what: impl Into<String>,
) -> ImageError {
    ImageError::Unsupported {
        image: image.to_string(),
        format,
        what: what.into(),
    }
}
