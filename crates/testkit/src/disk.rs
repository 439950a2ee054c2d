//! Disk images made by code for the image tests: an NTFS volume made by
//! `mkntfs` (Debian's ntfs-3g), its folders made through ntfs-3g and its
//! files copied in with `ntfscp`; put inside an MBR or GPT partition
//! table written here; converted to other formats with `qemu-img`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where a partition starts on the disks made here (1 MiB, as Windows).
pub const PARTITION_START: u64 = 1 << 20;

/// Why the tools the image tests need are not there, if they are not:
/// `mkntfs`, `ntfscp`, `ntfs-3g` with `/dev/fuse` (only to make folders on
/// a new volume: ntfs-3g's offline tools make none), `qemu-img`.
pub fn tools_missing() -> Option<String> {
    for tool in ["mkntfs", "ntfscp", "ntfs-3g", "qemu-img"] {
        let found = Command::new(tool).arg("--help").output().is_ok()
            || ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
                .iter()
                .any(|d| Path::new(d).join(tool).is_file());
        if !found {
            return Some(format!(
                "{tool} is missing (apt-get install ntfs-3g qemu-utils; scripts/test does)"
            ));
        }
    }
    if !Path::new("/dev/fuse").exists() {
        return Some(
            "/dev/fuse is missing (ntfs-3g makes the test volume's folders through FUSE)".into(),
        );
    }
    None
}

/// Whether the image tests are skipped here (saying so), or must run
/// (`ACSREADY_IMAGE_TESTS=require`, as scripts/test sets it).
pub fn skip_image_tests() -> bool {
    match tools_missing() {
        None => false,
        Some(why) if std::env::var("ACSREADY_IMAGE_TESTS").as_deref() == Ok("require") => {
            panic!("image tests required, but {why}")
        }
        Some(why) => {
            eprintln!("image test skipped: {why}");
            true
        }
    }
}

fn tool(name: &str) -> Command {
    for d in ["/usr/sbin", "/sbin"] {
        let p = Path::new(d).join(name);
        if p.is_file() {
            return Command::new(p);
        }
    }
    Command::new(name)
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An NTFS volume of `size` bytes at `out` holding `files`: (path on the
/// volume, `\`-separated, file to copy there).
pub fn ntfs_volume(out: &Path, size: u64, files: &[(&str, &Path)]) -> PathBuf {
    let _ = std::fs::remove_file(out);
    std::fs::File::create(out)
        .and_then(|f| f.set_len(size))
        .expect("create the volume file");
    run(tool("mkntfs")
        .args(["-F", "-Q", "-q", "-L", "Windows", "-p"])
        .arg((PARTITION_START / 512).to_string())
        .arg(out));
    let mut folders: Vec<String> = Vec::new();
    for (path, _) in files {
        let parts: Vec<&str> = path.split('\\').collect();
        for n in 1..parts.len() {
            let f = parts[..n].join("/");
            if !folders.contains(&f) {
                folders.push(f);
            }
        }
    }
    if !folders.is_empty() {
        make_folders(out, &folders);
    }
    for (path, source) in files {
        run(tool("ntfscp")
            .args(["-f", "-q"])
            .arg(out)
            .arg(source)
            .arg(format!("/{}", path.replace('\\', "/"))));
    }
    out.to_path_buf()
}

/// Makes folders on the volume through ntfs-3g (FUSE), waiting for it to
/// have written everything before it returns.
fn make_folders(volume: &Path, folders: &[String]) {
    let mnt = volume.with_extension("mnt");
    std::fs::create_dir_all(&mnt).expect("mount point");
    let mut child = tool("ntfs-3g")
        .arg("-o")
        .arg("no_detach")
        .arg(volume)
        .arg(&mnt)
        .spawn()
        .expect("start ntfs-3g");
    // Mounted when the mount point is on another device than its folder.
    let parent = mnt.parent().unwrap_or(Path::new("/")).to_path_buf();
    let mut mounted = false;
    for _ in 0..600 {
        if is_mounted(&mnt, &parent) {
            mounted = true;
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("ntfs-3g stopped: {status}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(mounted, "ntfs-3g did not mount {}", volume.display());
    for f in folders {
        std::fs::create_dir_all(mnt.join(f)).expect("make a folder on the volume");
    }
    run(Command::new("umount").arg(&mnt));
    let status = child.wait().expect("ntfs-3g ends");
    assert!(status.success(), "ntfs-3g: {status}");
    let _ = std::fs::remove_dir(&mnt);
}

#[cfg(unix)]
fn is_mounted(mnt: &Path, parent: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(mnt), std::fs::metadata(parent)) {
        (Ok(a), Ok(b)) => a.dev() != b.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn is_mounted(_: &Path, _: &Path) -> bool {
    false
}

/// The partition table of a disk made here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Mbr,
    Gpt,
}

/// A raw disk at `out`: `table`, then `volume` at [`PARTITION_START`],
/// 1 MiB free after it (GPT's backup lives there).
pub fn raw_disk(volume: &Path, table: Table, out: &Path) -> PathBuf {
    let data = std::fs::read(volume).expect("read the volume");
    let sectors = data.len() as u64 / 512;
    let start = PARTITION_START / 512;
    let total = start + sectors + 2048;
    let mut disk = vec![0u8; (total * 512) as usize];
    disk[PARTITION_START as usize..PARTITION_START as usize + data.len()].copy_from_slice(&data);
    match table {
        Table::Mbr => {
            let e = &mut disk[446..462];
            e[0] = 0x80;
            e[4] = 0x07;
            e[8..12].copy_from_slice(&(start as u32).to_le_bytes());
            e[12..16].copy_from_slice(&(sectors as u32).to_le_bytes());
        }
        Table::Gpt => gpt(&mut disk, start, sectors, total),
    }
    disk[510] = 0x55;
    disk[511] = 0xAA;
    std::fs::write(out, &disk).expect("write the disk");
    out.to_path_buf()
}

fn gpt(disk: &mut [u8], start: u64, sectors: u64, total: u64) {
    // Protective MBR.
    let e = &mut disk[446..462];
    e[4] = 0xEE;
    e[8..12].copy_from_slice(&1u32.to_le_bytes());
    e[12..16].copy_from_slice(&((total - 1).min(u32::MAX as u64) as u32).to_le_bytes());
    // One partition entry of 128 entries: a Microsoft basic data partition.
    let mut entries = vec![0u8; 128 * 128];
    let basic_data = [
        0xA2, 0xA0, 0xD0, 0xEB, 0xE5, 0xB9, 0x33, 0x44, 0x87, 0xC0, 0x68, 0xB6, 0xB7, 0x26, 0x99,
        0xC7,
    ];
    entries[0..16].copy_from_slice(&basic_data);
    entries[16..32].copy_from_slice(&[7u8; 16]);
    entries[32..40].copy_from_slice(&start.to_le_bytes());
    entries[40..48].copy_from_slice(&(start + sectors - 1).to_le_bytes());
    for (i, c) in "Basic data partition".encode_utf16().enumerate() {
        entries[56 + i * 2..58 + i * 2].copy_from_slice(&c.to_le_bytes());
    }
    let entries_crc = crc32(&entries);
    let header = |my: u64, alternate: u64, entries_at: u64| {
        let mut h = vec![0u8; 92];
        h[0..8].copy_from_slice(b"EFI PART");
        h[8..12].copy_from_slice(&0x0001_0000u32.to_le_bytes());
        h[12..16].copy_from_slice(&92u32.to_le_bytes());
        h[24..32].copy_from_slice(&my.to_le_bytes());
        h[32..40].copy_from_slice(&alternate.to_le_bytes());
        h[40..48].copy_from_slice(&34u64.to_le_bytes());
        h[48..56].copy_from_slice(&(total - 34).to_le_bytes());
        h[56..72].copy_from_slice(&[9u8; 16]);
        h[72..80].copy_from_slice(&entries_at.to_le_bytes());
        h[80..84].copy_from_slice(&128u32.to_le_bytes());
        h[84..88].copy_from_slice(&128u32.to_le_bytes());
        h[88..92].copy_from_slice(&entries_crc.to_le_bytes());
        let crc = crc32(&h);
        h[16..20].copy_from_slice(&crc.to_le_bytes());
        h
    };
    let last = total - 1;
    let primary = header(1, last, 2);
    disk[512..512 + 92].copy_from_slice(&primary);
    disk[1024..1024 + entries.len()].copy_from_slice(&entries);
    let backup = header(last, 1, last - 32);
    let at = (last * 512) as usize;
    disk[at..at + 92].copy_from_slice(&backup);
    let at = ((last - 32) * 512) as usize;
    disk[at..at + entries.len()].copy_from_slice(&entries);
}

/// CRC-32 (IEEE), as GPT uses it.
pub fn crc32(data: &[u8]) -> u32 {
    crc(0xEDB8_8320, data)
}

/// CRC-32C (Castagnoli), as VHDX uses it.
pub fn crc32c(data: &[u8]) -> u32 {
    crc(0x82F6_3B78, data)
}

/// A reflected CRC-32 of `poly`, bit by bit (test data is small).
fn crc(poly: u32, data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { (c >> 1) ^ poly } else { c >> 1 };
        }
    }
    !c
}

/// `qemu-img convert -O format [options] raw out`.
pub fn convert(raw: &Path, format: &str, options: &[&str], out: &Path) -> PathBuf {
    let _ = std::fs::remove_file(out);
    run(Command::new("qemu-img")
        .args(["convert", "-f", "raw", "-O", format])
        .args(options)
        .arg(raw)
        .arg(out));
    out.to_path_buf()
}

/// A QCOW2 or VMDK child of `parent` (made from `base` with
/// [`convert`]) whose disk reads as `changed`: an empty overlay made by
/// `qemu-img create -b`, then every 64 KiB where `changed` differs from
/// `base` written into it with `qemu-io`.
pub fn child_image(
    format: &str,
    parent: &Path,
    base: &Path,
    changed: &Path,
    out: &Path,
) -> PathBuf {
    let _ = std::fs::remove_file(out);
    run(Command::new("qemu-img")
        .args(["create", "-f", format, "-F", format, "-b"])
        .arg(parent)
        .arg(out));
    let (a, b) = (
        std::fs::read(base).expect("base"),
        std::fs::read(changed).expect("changed"),
    );
    assert_eq!(a.len(), b.len(), "base and changed disks differ in size");
    let chunk = 64 * 1024;
    let mut cmd = Command::new("qemu-io");
    cmd.args(["-f", format]);
    let mut pieces = Vec::new();
    for (i, (x, y)) in a.chunks(chunk).zip(b.chunks(chunk)).enumerate() {
        if x != y {
            let piece = out.with_extension(format!("piece{i}"));
            std::fs::write(&piece, y).expect("write a piece");
            cmd.arg("-c").arg(format!(
                "write -q -s {} {} {}",
                piece.display(),
                i * chunk,
                y.len()
            ));
            pieces.push(piece);
        }
    }
    assert!(
        !pieces.is_empty(),
        "the changed disk is the same as the base"
    );
    run(cmd.arg(out));
    for p in pieces {
        let _ = std::fs::remove_file(p);
    }
    out.to_path_buf()
}
