//! Windows Installer packages (`.msi`): an OLE compound file, read with
//! the `cfb` crate; ProductName, ProductVersion and Manufacturer from the
//! Property table (see [`properties`]).
//!
//! The signature is the PKCS#7 in the root stream `\u{5}DigitalSignature`.
//! Its digest covers the package's content, computed as osslsigncode
//! (`msi.c`, `msi_hash_dir`) and signify do:
//!
//! * within a storage, the children are sorted by their names as stored
//!   (UTF-16LE with the terminating NUL) compared byte by byte, the longer
//!   name first when one is a prefix of the other;
//! * in that order, a stream adds its contents and a sub-storage adds its
//!   own digest input recursively; the root's `\u{5}DigitalSignature` and
//!   `\u{5}MsiDigitalSignatureEx` are skipped;
//! * after its children, a storage adds its CLSID (16 bytes as stored), so
//!   the root's CLSID comes last;
//! * when `\u{5}MsiDigitalSignatureEx` exists, the digest input starts with
//!   the digest of the *metadata* pre-hash (`msi_prehash_dir`): per entry,
//!   in the same order and storage before children, its name (not for the
//!   root), its CLSID (storages) or the low 32 bits of its size (streams),
//!   its state bits, and its creation and modification times (not for the
//!   root). `cfb` reads a stream's CLSID and times as zero, which MS-CFB
//!   requires them to be.
//!
//! Stream reading is bounded: the bytes hashed may not exceed the size of
//! the file (each sector belongs to one stream), and a storage tree deeper
//! than [`MAX_DEPTH`] is refused.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::digest::DynDigest;

use crate::cms;
use crate::crypto::DigestAlg;
use crate::{AcsIdentity, MsiInfo, SignatureInfo};

pub(crate) const DIGITAL_SIGNATURE: &str = "\u{5}DigitalSignature";
pub(crate) const DIGITAL_SIGNATURE_EX: &str = "\u{5}MsiDigitalSignatureEx";

/// Storages nested deeper than this are refused (MSI packages have one or
/// two levels).
const MAX_DEPTH: usize = 32;

/// What a package says about its signatures.
#[derive(Debug, Default)]
pub(crate) struct MsiFacts {
    pub signed: bool,
    pub signatures: Vec<SignatureInfo>,
    pub info: Option<MsiInfo>,
    pub error: Option<String>,
}

type Compound<'a> = cfb::CompoundFile<Cursor<&'a [u8]>>;

/// Reads a package.
pub(crate) fn inspect(bytes: &[u8], acs: &AcsIdentity) -> MsiFacts {
    let mut facts = MsiFacts::default();
    let mut comp = match cfb::CompoundFile::open(Cursor::new(bytes)) {
        Ok(c) => c,
        Err(e) => {
            facts.error = Some(format!("not a readable OLE compound file: {e}"));
            return facts;
        }
    };
    facts.info = properties(&mut comp, bytes.len());
    let signature = match read_root_stream(&mut comp, DIGITAL_SIGNATURE, bytes.len()) {
        Ok(Some(s)) => s,
        Ok(None) => return facts,
        Err(e) => {
            facts.signed = true;
            facts.error = Some(format!("the DigitalSignature stream cannot be read: {e}"));
            return facts;
        }
    };
    facts.signed = true;
    let ex = match read_root_stream(&mut comp, DIGITAL_SIGNATURE_EX, bytes.len()) {
        Ok(ex) => ex,
        Err(e) => {
            facts.error = Some(format!(
                "the MsiDigitalSignatureEx stream cannot be read: {e}"
            ));
            return facts;
        }
    };
    let mut cache: HashMap<DigestAlg, Result<Vec<u8>, String>> = HashMap::new();
    let mut digest = |alg: DigestAlg| {
        cache
            .entry(alg)
            .or_insert_with(|| package_digest(&mut comp, alg, ex.as_deref(), bytes.len()))
            .clone()
    };
    match cms::read_signatures(&signature, &mut digest, acs) {
        Ok(sigs) => facts.signatures = sigs,
        Err(e) => facts.error = Some(e.to_string()),
    }
    facts
}

/// A stream of the root storage, if present; its declared size must fit in
/// the file.
fn read_root_stream(
    comp: &mut Compound<'_>,
    name: &str,
    file_len: usize,
) -> Result<Option<Vec<u8>>, String> {
    let Some(entry) = comp
        .read_root_storage()
        .find(|e| e.is_stream() && e.name() == name)
    else {
        return Ok(None);
    };
    let len = entry.len();
    if len > file_len as u64 {
        return Err(format!(
            "it claims {len} bytes, more than the file's {file_len}"
        ));
    }
    let mut data = Vec::new();
    comp.open_stream(entry.path())
        .map_err(|e| e.to_string())?
        .take(len)
        .read_to_end(&mut data)
        .map_err(|e| e.to_string())?;
    Ok(Some(data))
}

/// The Authenticode digest of a package (see the module documentation).
pub(crate) fn package_digest(
    comp: &mut Compound<'_>,
    alg: DigestAlg,
    ex: Option<&[u8]>,
    file_len: usize,
) -> Result<Vec<u8>, String> {
    let mut hasher = alg.hasher();
    if ex.is_some() {
        let mut pre = alg.hasher();
        let root = comp.root_entry();
        prehash_storage(comp, &root, &mut *pre, 0)?;
        hasher.update(&pre.finalize());
    }
    let mut budget = file_len as u64;
    hash_storage(comp, Path::new("/"), &mut *hasher, &mut budget, 0)?;
    Ok(hasher.finalize().to_vec())
}

/// Children of a storage in digest order, without the root's signature
/// streams.
fn sorted_children(
    comp: &Compound<'_>,
    path: &Path,
    is_root: bool,
) -> Result<Vec<cfb::Entry>, String> {
    let mut children: Vec<cfb::Entry> = comp
        .read_storage(path)
        .map_err(|e| e.to_string())?
        .filter(|e| {
            !(is_root && (e.name() == DIGITAL_SIGNATURE || e.name() == DIGITAL_SIGNATURE_EX))
        })
        .collect();
    children.sort_by(|a, b| compare_names(a.name(), b.name()));
    Ok(children)
}

/// Name as stored: UTF-16LE with the terminating NUL.
fn stored_name(name: &str) -> Vec<u8> {
    name.encode_utf16()
        .chain(std::iter::once(0))
        .flat_map(u16::to_le_bytes)
        .collect()
}

/// osslsigncode's `dirent_cmp_hash`: `memcmp` over the shorter stored name;
/// on a tie the longer name sorts first.
fn compare_names(a: &str, b: &str) -> Ordering {
    let (a, b) = (stored_name(a), stored_name(b));
    let n = a.len().min(b.len());
    match a[..n].cmp(&b[..n]) {
        Ordering::Equal => b.len().cmp(&a.len()),
        other => other,
    }
}

fn hash_storage(
    comp: &mut Compound<'_>,
    path: &Path,
    hasher: &mut dyn DynDigest,
    budget: &mut u64,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("storages nested deeper than {MAX_DEPTH} levels"));
    }
    let is_root = depth == 0;
    for child in sorted_children(comp, path, is_root)? {
        if child.is_stream() {
            let len = child.len();
            if len > *budget {
                return Err("the streams hold more bytes than the file".into());
            }
            *budget -= len;
            let mut stream = comp
                .open_stream(child.path())
                .map_err(|e| format!("stream {:?}: {e}", child.name()))?
                .take(len);
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = stream
                    .read(&mut buf)
                    .map_err(|e| format!("stream {:?}: {e}", child.name()))?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
            }
        } else if child.is_storage() {
            hash_storage(comp, child.path(), hasher, budget, depth + 1)?;
        }
    }
    let this = comp.entry(path).map_err(|e| e.to_string())?;
    hasher.update(&this.clsid().to_bytes_le());
    Ok(())
}

fn prehash_storage(
    comp: &Compound<'_>,
    storage: &cfb::Entry,
    hasher: &mut dyn DynDigest,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("storages nested deeper than {MAX_DEPTH} levels"));
    }
    metadata(storage, hasher);
    for child in sorted_children(comp, storage.path(), depth == 0)? {
        if child.is_stream() {
            metadata(&child, hasher);
        } else if child.is_storage() {
            prehash_storage(comp, &child, hasher, depth + 1)?;
        }
    }
    Ok(())
}

/// osslsigncode's `prehash_metadata`.
fn metadata(entry: &cfb::Entry, hasher: &mut dyn DynDigest) {
    if !entry.is_root() {
        let name = stored_name(entry.name());
        hasher.update(&name[..name.len().saturating_sub(2)]);
    }
    if entry.is_stream() {
        hasher.update(&(entry.len() as u32).to_le_bytes());
    } else {
        hasher.update(&entry.clsid().to_bytes_le());
    }
    hasher.update(&entry.state_bits().to_le_bytes());
    if !entry.is_root() {
        hasher.update(&filetime(entry.created()));
        hasher.update(&filetime(entry.modified()));
    }
}

/// A time back as the FILETIME it was read from (100 ns ticks since 1601).
fn filetime(t: SystemTime) -> [u8; 8] {
    const UNIX_EPOCH_TICKS: u64 = 116_444_736_000_000_000;
    let ticks = |d: std::time::Duration| {
        d.as_secs()
            .saturating_mul(10_000_000)
            .saturating_add(u64::from(d.subsec_nanos() / 100))
    };
    let v = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => UNIX_EPOCH_TICKS.saturating_add(ticks(d)),
        Err(e) => UNIX_EPOCH_TICKS.saturating_sub(ticks(e.duration())),
    };
    v.to_le_bytes()
}

/// ProductName, ProductVersion and Manufacturer from the Property table;
/// `None` when the package has no readable Property table (a patch, a
/// merge module, a damaged file).
///
/// Read here rather than with the `msi` crate, which allocates buffers of
/// the sizes the string pool and summary stream declare before reading
/// them. The tables used:
///
/// * `_StringPool`: a `u32` (code page, bit 31 set when string references
///   take 3 bytes), then per string `u16` length and `u16` reference count;
///   a zero length with a non-zero count is followed by a `u32` length;
/// * `_StringData`: the strings' bytes, one after another;
/// * `Property`: two string columns (Property, Value) stored column after
///   column; a reference `n` is string `n` of the pool (1-based, 0 = null).
///
/// Table streams are named in MSI's compressed form (see [`table_stream`]).
fn properties(comp: &mut Compound<'_>, file_len: usize) -> Option<MsiInfo> {
    let mut stream = |name: &str| read_root_stream(comp, &table_stream(name), file_len).ok()?;
    let pool = stream("_StringPool")?;
    let data = stream("_StringData")?;
    let table = stream("Property")?;
    let (strings, long_refs) = string_pool(&pool, &data)?;
    let ref_size = if long_refs { 3 } else { 2 };
    if table.len() % (2 * ref_size) != 0 {
        return None;
    }
    let rows = table.len() / (2 * ref_size);
    let cell = |index: usize| -> Option<&str> {
        let b = table.get(index * ref_size..(index + 1) * ref_size)?;
        let n = usize::from(u16::from_le_bytes([b[0], b[1]]))
            | b.get(2).map_or(0, |&hi| usize::from(hi) << 16);
        strings.get(n.checked_sub(1)?).map(String::as_str)
    };
    let mut info = MsiInfo::default();
    for row in 0..rows {
        let (Some(key), Some(value)) = (cell(row), cell(rows + row)) else {
            continue;
        };
        let slot = match key {
            "ProductName" => &mut info.product_name,
            "ProductVersion" => &mut info.product_version,
            "Manufacturer" => &mut info.manufacturer,
            _ => continue,
        };
        *slot = Some(value.to_string());
    }
    Some(info)
}

/// The strings of the pool and whether references are 3 bytes long. Each
/// declared length is checked against the bytes left in `_StringData`.
fn string_pool(pool: &[u8], data: &[u8]) -> Option<(Vec<String>, bool)> {
    let header = u32::from_le_bytes(pool.get(0..4)?.try_into().ok()?);
    let long_refs = header & 0x8000_0000 != 0;
    let encoding = codepage(header & 0x7FFF_FFFF);
    let mut strings = Vec::new();
    let (mut at, mut offset) = (4usize, 0usize);
    while let Some(entry) = pool.get(at..at + 4) {
        at += 4;
        let mut len = usize::from(u16::from_le_bytes([entry[0], entry[1]]));
        let refs = u16::from_le_bytes([entry[2], entry[3]]);
        if len == 0 && refs > 0 {
            let long = pool.get(at..at + 4)?;
            at += 4;
            len = usize::try_from(u32::from_le_bytes(long.try_into().ok()?)).ok()?;
        }
        let bytes = data.get(offset..offset.checked_add(len)?)?;
        offset += len;
        strings.push(encoding.decode_without_bom_handling(bytes).0.into_owned());
    }
    Some((strings, long_refs))
}

/// The text encoding of a Windows code page (the ANSI ones MSI packages
/// use; 0, "neutral", and unknown ones read as Windows-1252).
fn codepage(id: u32) -> &'static encoding_rs::Encoding {
    use encoding_rs::*;
    match id {
        65001 => UTF_8,
        932 => SHIFT_JIS,
        936 => GBK,
        949 => EUC_KR,
        950 => BIG5,
        874 => WINDOWS_874,
        1250 => WINDOWS_1250,
        1251 => WINDOWS_1251,
        1253 => WINDOWS_1253,
        1254 => WINDOWS_1254,
        1255 => WINDOWS_1255,
        1256 => WINDOWS_1256,
        1257 => WINDOWS_1257,
        1258 => WINDOWS_1258,
        _ => WINDOWS_1252,
    }
}

/// The stream name of a table as MSI stores it: the prefix U+4840, then
/// pairs of characters from `0-9A-Za-z._` packed into one character
/// (U+3800 + first + second × 64), a lone one as U+4800 + its value, any
/// other character as itself.
fn table_stream(name: &str) -> String {
    fn value(c: char) -> Option<u32> {
        Some(match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            'a'..='z' => c as u32 - 'a' as u32 + 36,
            '.' => 62,
            '_' => 63,
            _ => return None,
        })
    }
    let mut out = String::from('\u{4840}');
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        let encoded = match (value(c), chars.peek().copied().and_then(value)) {
            (Some(a), Some(b)) => {
                chars.next();
                char::from_u32(0x3800 + a + (b << 6))
            }
            (Some(a), None) => char::from_u32(0x4800 + a),
            (None, _) => Some(c),
        };
        out.extend(encoded);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_as_stored_bytes() {
        // U+0141 is stored 41 01, U+0240 as 40 02: byte order puts U+0240
        // first although its code unit is larger.
        assert_eq!(compare_names("\u{141}", "\u{240}"), Ordering::Greater);
        assert_eq!(compare_names("A", "B"), Ordering::Less);
        // With the NUL included, a prefix sorts first.
        assert_eq!(compare_names("AB", "ABC"), Ordering::Less);
        assert_eq!(compare_names("same", "same"), Ordering::Equal);
    }

    #[test]
    fn table_stream_names_are_compressed() {
        // As the msi crate and Windows Installer name them.
        let name = table_stream("Property");
        let units: Vec<u32> = name.chars().map(|c| c as u32).collect();
        assert_eq!(units[0], 0x4840);
        // "Pr" = P (25) + r (53) × 64.
        assert_eq!(units[1], 0x3800 + 25 + (53 << 6));
        assert_eq!(units.len(), 5);
        // An odd length ends with a lone character.
        let odd: Vec<u32> = table_stream("_Tables").chars().map(|c| c as u32).collect();
        assert_eq!(*odd.last().unwrap(), 0x4800 + 54);
    }

    #[test]
    fn string_pools_are_bounded_by_the_data() {
        let mut pool = 1252u32.to_le_bytes().to_vec();
        pool.extend([3, 0, 1, 0, 2, 0, 1, 0]);
        let (strings, long) = string_pool(&pool, b"abcde").unwrap();
        assert_eq!(
            (strings, long),
            (vec!["abc".to_string(), "de".to_string()], false)
        );
        // A declared length past the data is refused, not allocated.
        let mut huge = 0x8000_0000u32.to_le_bytes().to_vec();
        huge.extend([0, 0, 1, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(string_pool(&huge, b"abc"), None);
        assert_eq!(string_pool(&[1], b""), None);
    }

    #[test]
    fn filetime_round_trips() {
        let t = UNIX_EPOCH + std::time::Duration::new(1_700_000_000, 123_456_700);
        let v = u64::from_le_bytes(filetime(t));
        assert_eq!(
            v,
            116_444_736_000_000_000 + 17_000_000_000_000_000 + 1_234_567
        );
        let before = UNIX_EPOCH - std::time::Duration::from_secs(11_644_473_600);
        assert_eq!(filetime(before), [0; 8]);
    }
}
