//! `read_image IMAGE…`: reads the files `acsready --image` reads from each
//! image (the hives with their logs, the Application and System logs) and
//! prints one JSON line an image: its format and size, the files' sizes,
//! the bytes read from the image's files and the time taken. Used by
//! bench/image_bench.py.

use std::time::Instant;

use acsready_diskimage::{read_windows, Wanted};

fn main() {
    let mut files = Vec::new();
    for hive in ["SOFTWARE", "SYSTEM"] {
        for suffix in ["", ".LOG1", ".LOG2"] {
            files.push(format!(r"Windows\System32\config\{hive}{suffix}"));
        }
    }
    for log in ["Application", "System"] {
        files.push(format!(r"Windows\System32\winevt\Logs\{log}.evtx"));
    }
    let wanted = Wanted {
        files,
        folders: Vec::new(),
    };
    let mut failed = false;
    for image in std::env::args().skip(1) {
        let start = Instant::now();
        match read_windows(image.as_ref(), &image, &wanted, &mut |_| {}) {
            Ok(read) => {
                let seconds = start.elapsed().as_secs_f64();
                let sizes: Vec<String> = read.volumes[0]
                    .files
                    .iter()
                    .map(|f| format!("{:?}:{}", f.path, f.bytes.len()))
                    .collect();
                println!(
                    "{{\"image\":{image:?},\"format\":{:?},\"size\":{},\"bytes_read\":{},\"seconds\":{seconds:.4},\"files\":{{{}}}}}",
                    read.format,
                    read.size,
                    read.bytes_read,
                    sizes.join(",")
                );
            }
            Err(e) => {
                eprintln!("{e}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(2);
    }
}
