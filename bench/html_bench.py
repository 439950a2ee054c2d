#!/usr/bin/env python3
"""HTML report benchmark: how the page behaves in headless Chromium.

    python3 bench/html_bench.py [--hosts 1000,10000,100000]

Builds acsready, acsready-fleetgen and the html_bench example in release
mode, writes target/bench/fleet-<N>.ndjson (deterministic), renders
`acsready assess FILE --format html`, then opens each page in headless
Chromium over WebDriver (chromium + chromium-driver, as scripts/test installs
them) and prints: file size, time until the page is usable, a sort by host,
a verdict filter, a text filter (including the typing debounce), JS heap.
Target (issue 5): responsive with 100,000 hosts.
"""

import argparse
import platform
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "target"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", default="1000,10000,100000")
    args = ap.parse_args()
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "acsready", "-p", "acsready-fleetgen",
         "--example", "html_bench"],
        cwd=ROOT, check=True,
    )
    rel = TARGET / "release"
    out = TARGET / "bench"
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for n in [int(x) for x in args.hosts.split(",")]:
        fleet = out / f"fleet-{n}.ndjson"
        if not fleet.exists():
            with open(fleet, "wb") as f:
                subprocess.run([rel / "acsready-fleetgen", str(n)], stdout=f, check=True)
        page = out / f"report-{n}.html"
        t = time.monotonic()
        with open(page, "wb") as f:
            r = subprocess.run([rel / "acsready", "assess", fleet, "--format", "html"], stdout=f)
        if r.returncode not in (0, 1):
            raise SystemExit(f"acsready failed on {fleet}")
        print(f"render {n} hosts: {time.monotonic() - t:.2f} s, {page.stat().st_size / 1e6:.1f} MB")
        pages.append(page)
    print(f"machine: {platform.machine()}, {platform.system()}, {__import__('os').cpu_count()} cores")
    subprocess.run([rel / "examples" / "html_bench", *pages], check=True)


if __name__ == "__main__":
    main()
