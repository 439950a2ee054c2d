#!/usr/bin/env python3
"""Disk image benchmark: facts of a machine read from a 20 GB sparse disk.

A 20 GiB NTFS volume (mkntfs, quick format; folders made through ntfs-3g,
files copied in with ntfscp) holds a SOFTWARE hive of real size written by
hivex (acsready-testdata software-hive: 3,000 CBS packages, 400 certificates,
300 Uninstall entries, about 48 MB), the real SYSTEM hive of Windows 10 1709
(15 MB) and a real Application.evtx (2 MB) from the shared test data. It is
put in an MBR disk (a sparse raw file: only the volume's written extents are
copied) and converted to a dynamic VHDX and a QCOW2 with qemu-img.

For each image: the bytes acsready reads from it and the time to read the
files (crates/diskimage/examples/read_image, median of --runs, the page cache
warm), against the limit of reading just those files' clusters (4 KiB each);
then `acsready facts --image` end to end.

Needs: mkntfs, ntfscp, ntfs-3g with /dev/fuse (run as root), qemu-img,
hivexregedit, the shared test data (scripts/test installs the tools).
"""

import argparse
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target/bench/image"
GIB = 1 << 30
PART = 1 << 20
CLUSTER = 4096


def shared(rel):
    base = Path(os.environ.get("ACSREADY_SHARED", ROOT.parent / "shared"))
    if not base.exists():
        base = Path("/work/shared")
    return base / rel


def run(*args, **kw):
    return subprocess.run([str(a) for a in args], check=True, **kw)


def tool(name):
    for d in ("/usr/sbin", "/sbin"):
        if (Path(d) / name).exists():
            return str(Path(d) / name)
    return name


def software_hive():
    hive = ROOT / "target/bench/SOFTWARE-3000-400-300"
    if not hive.exists():
        hive.parent.mkdir(parents=True, exist_ok=True)
        run(ROOT / "target/debug/acsready-testdata", "software-hive", hive, 3000, 400, 300,
            capture_output=True)
    return hive


def volume(size, files):
    """A sparse NTFS volume of `size` bytes holding `files` {path: source}."""
    vol = WORK / "volume.img"
    vol.unlink(missing_ok=True)
    with open(vol, "wb") as f:
        f.truncate(size)
    run(tool("mkntfs"), "-F", "-Q", "-q", "-L", "Windows", "-p", PART // 512, vol)
    mnt = WORK / "mnt"
    mnt.mkdir(exist_ok=True)
    daemon = subprocess.Popen([tool("ntfs-3g"), "-o", "no_detach", str(vol), str(mnt)])
    for _ in range(600):
        if os.path.ismount(mnt):
            break
        time.sleep(0.05)
    else:
        raise SystemExit("ntfs-3g did not mount the volume")
    for path in files:
        (mnt / Path(path.replace("\\", "/")).parent).mkdir(parents=True, exist_ok=True)
    run("umount", mnt)
    daemon.wait()
    for path, source in files.items():
        run(tool("ntfscp"), "-f", "-q", vol, source, "/" + path.replace("\\", "/"))
    return vol


def mbr_disk(vol, out):
    """`vol` at 1 MiB in a sparse raw disk with an MBR: only data extents copied."""
    size = vol.stat().st_size
    out.unlink(missing_ok=True)
    with open(vol, "rb") as src, open(out, "wb") as dst:
        dst.truncate(PART + size + PART)
        mbr = bytearray(512)
        mbr[446 + 4] = 0x07
        mbr[446 + 8:446 + 12] = (PART // 512).to_bytes(4, "little")
        mbr[446 + 12:446 + 16] = (size // 512).to_bytes(4, "little")
        mbr[510:512] = b"\x55\xaa"
        dst.write(mbr)
        fd = src.fileno()
        pos = 0
        while pos < size:
            try:
                start = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError:
                break
            end = os.lseek(fd, start, os.SEEK_HOLE)
            src.seek(start)
            dst.seek(PART + start)
            left = end - start
            while left:
                chunk = src.read(min(left, 8 << 20))
                dst.write(chunk)
                left -= len(chunk)
            pos = end
    return out


def allocated(path):
    return os.stat(path).st_blocks * 512


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size-gib", type=int, default=20)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--no-end-to-end", dest="end_to_end", action="store_false",
                   help="skip `acsready facts --image` (and its release build)")
    a = p.parse_args()
    # The hive is written by hivexregedit: a debug build of the writer does.
    run("cargo", "build", "-q", "-p", "acsready-testkit", "--bin", "acsready-testdata", cwd=ROOT)
    run("cargo", "build", "--release", "-q", "-p", "acsready-diskimage", "--example", "read_image",
        cwd=ROOT)
    if a.end_to_end:
        run("cargo", "build", "--release", "-q", "-p", "acsready", cwd=ROOT)
    WORK.mkdir(parents=True, exist_ok=True)
    config = r"Windows\System32\config"
    files = {
        config + r"\SOFTWARE": software_hive(),
        config + r"\SYSTEM": shared("testdata/hives/regipy__SYSTEM_WIN_10_1709"),
        r"Windows\System32\winevt\Logs\Application.evtx":
            shared("testdata/real/evtx/dfirmuseum__RathbunVM_W10EventLogs__Application.evtx"),
    }
    vol = volume(a.size_gib * GIB, files)
    raw = mbr_disk(vol, WORK / "disk.raw")
    vol.unlink()
    images = [raw]
    for fmt, name in (("vhdx", "disk.vhdx"), ("qcow2", "disk.qcow2")):
        out = WORK / name
        out.unlink(missing_ok=True)
        run("qemu-img", "convert", "-f", "raw", "-O", fmt, raw, out)
        images.append(out)
    limit = sum((Path(s).stat().st_size + CLUSTER - 1) // CLUSTER * CLUSTER for s in files.values())
    print(f"files: {', '.join(f'{Path(k).name} {Path(v).stat().st_size / 1e6:.1f} MB' for k, v in files.items())};"
          f" their clusters: {limit / 1e6:.1f} MB")
    print("| image | virtual size | on disk | bytes read | read / clusters | read the files | acsready facts --image |")
    print("|---|---|---|---|---|---|---|")
    example = ROOT / "target/release/examples/read_image"
    acsready = ROOT / "target/release/acsready"
    for image in images:
        results = []
        for _ in range(a.runs):
            out = run(example, image, capture_output=True, text=True).stdout
            results.append(json.loads(out))
        seconds = statistics.median(r["seconds"] for r in results)
        read = results[0]["bytes_read"]
        walls = []
        for _ in range(a.runs if a.end_to_end else 0):
            start = time.perf_counter()
            run(acsready, "facts", "--image", image, capture_output=True)
            walls.append(time.perf_counter() - start)
        wall = f"{statistics.median(walls) * 1000:.0f} ms" if walls else "not run"
        print(f"| {image.name} ({results[0]['format']}) | {results[0]['size'] / GIB:.1f} GiB"
              f" | {allocated(image) / 1e6:.0f} MB | {read / 1e6:.1f} MB | {read / limit:.3f}"
              f" | {seconds * 1000:.0f} ms | {wall} |")


if __name__ == "__main__":
    main()
