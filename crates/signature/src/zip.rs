//! ZIP packages (installers exported from a management console): each
//! member that is a PE image, an MSI package or a ZIP is inspected in
//! memory; nothing is written to disk.
//!
//! Decompression is bounded by [`Limits`]: the number of entries, the
//! bytes of one member and of all members together are counted as they are
//! actually inflated (declared sizes are not trusted), so a zip bomb stops
//! with an error for that file. A ZIP inside a ZIP is opened (one level by
//! default); deeper ones are listed with an error. Other members are
//! skipped after their first bytes.

use std::io::{Cursor, Read};

use crate::{sniff, AcsIdentity, FileReport, Format, Limits};

/// Reads the members of a ZIP. Returns the reports of the members that
/// were inspected and, when the archive could not be read to its end, why.
pub(crate) fn members(
    path: &str,
    bytes: &[u8],
    acs: &AcsIdentity,
    limits: &Limits,
    depth: u8,
) -> (Vec<FileReport>, Option<String>) {
    let mut reports = Vec::new();
    let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(a) => a,
        Err(e) => return (reports, Some(format!("not a readable ZIP archive: {e}"))),
    };
    if archive.len() > limits.max_zip_entries {
        return (
            reports,
            Some(format!(
                "the ZIP has {} entries, more than the limit of {}",
                archive.len(),
                limits.max_zip_entries
            )),
        );
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut file = match archive.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                reports.push(FileReport::failed(
                    format!("{path}!#{i}"),
                    Format::Unknown,
                    format!("the entry cannot be read: {e}"),
                ));
                continue;
            }
        };
        if file.is_dir() {
            continue;
        }
        let name = match file.name() {
            Ok(n) => n.into_owned(),
            Err(_) => String::from_utf8_lossy(file.name_raw()).into_owned(),
        };
        let member = format!("{path}!{name}");
        // Never more than the entry limit, nor what is left of the total.
        let cap = limits
            .max_zip_entry_bytes
            .min(limits.max_zip_total_bytes.saturating_sub(total));
        let mut head = Vec::with_capacity(8);
        if let Err(e) = (&mut file).take(8).read_to_end(&mut head) {
            reports.push(FileReport::failed(
                member,
                Format::Unknown,
                format!("the entry cannot be decompressed: {e}"),
            ));
            continue;
        }
        let format = sniff(&head);
        if format == Format::Unknown {
            total = total.saturating_add(head.len() as u64);
            continue;
        }
        let mut data = head;
        let read = (&mut file)
            .take(cap.saturating_sub(data.len() as u64).saturating_add(1))
            .read_to_end(&mut data);
        total = total.saturating_add(data.len() as u64);
        if let Err(e) = read {
            reports.push(FileReport::failed(
                member,
                format,
                format!("the entry cannot be decompressed: {e}"),
            ));
            continue;
        }
        if data.len() as u64 > cap {
            let why = if cap < limits.max_zip_entry_bytes {
                format!(
                    "the members inflate to more than {} bytes in all (a zip bomb?); inspection stopped at {member}",
                    limits.max_zip_total_bytes
                )
            } else {
                format!(
                    "{member} inflates to more than {} bytes (a zip bomb?); inspection stopped",
                    limits.max_zip_entry_bytes
                )
            };
            return (reports, Some(why));
        }
        if format == Format::Zip && depth >= limits.max_zip_depth {
            reports.push(FileReport::failed(
                member,
                Format::Zip,
                format!(
                    "a ZIP nested more than {} level(s) deep is not inspected",
                    limits.max_zip_depth
                ),
            ));
            continue;
        }
        reports.push(crate::inspect_at_depth(
            &member,
            &data,
            acs,
            limits,
            depth + 1,
        ));
    }
    (reports, None)
}
