#!/usr/bin/env python3
"""HTML report benchmark: how long the page takes to write, and to use.

    python3 bench/html_bench.py [--hosts 1000,10000,100000] [--runs 3]

Builds acsready, acsready-fleetgen and the html_bench example in release
mode, writes target/bench/fleet-<N>.ndjson (deterministic), then, side by
side in one run for each size:

- generation: `acsready assess FILE --format html > report-<N>.html`, wall
  time (median of --runs), next to `acsready assess FILE --summary --format
  json > /dev/null` (reading and assessing the same hosts, no report);
- in headless Chromium over WebDriver (chromium + chromium-driver, as
  scripts/test installs them): when the first rows and the counts are drawn
  (the table's `data-ready`, ms since navigation), when the load event
  ended, the next frame after it (the rows are painted by then: the time to
  usable), a sort by host, a verdict filter, a text filter (including the
  typing pause), the JavaScript heap, and what JSON.parse of the embedded
  data alone takes.

Target (issue 18): 100,000 hosts generated in <= 1 s and usable in <= 1 s.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "target"


def timed(cmd, out):
    t = time.monotonic()
    with open(out, "wb") as f:
        r = subprocess.run(cmd, stdout=f)
    if r.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({r.returncode})")
    return time.monotonic() - t


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", default="1000,10000,100000")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "acsready", "-p", "acsready-fleetgen",
         "--example", "html_bench"],
        cwd=ROOT, check=True,
    )
    rel = TARGET / "release"
    out = TARGET / "bench"
    out.mkdir(parents=True, exist_ok=True)
    sizes = [int(x) for x in args.hosts.split(",")]
    made = {}
    for n in sizes:
        fleet = out / f"fleet-{n}.ndjson"
        if not fleet.exists():
            with open(fleet, "wb") as f:
                subprocess.run([rel / "acsready-fleetgen", str(n)], stdout=f, check=True)
        page = out / f"report-{n}.html"
        html = [timed([rel / "acsready", "assess", fleet, "--format", "html"], page)
                for _ in range(args.runs)]
        summary = [timed([rel / "acsready", "assess", fleet, "--summary", "--format", "json"],
                         os.devnull) for _ in range(args.runs)]
        made[str(page)] = (n, statistics.median(html), statistics.median(summary))
    r = subprocess.run([rel / "examples" / "html_bench", *made], check=True,
                       stdout=subprocess.PIPE, text=True)
    print(f"machine: {cpu_model()}, {platform.machine()}, {platform.system()}, "
          f"{os.cpu_count()} cores; median of {args.runs} runs for the generation")
    print("| hosts | page | generate | (assess --summary) | rows drawn | load event | "
          "usable (painted) | sort by host | verdict filter | text filter (incl. typing pause) "
          "| JS heap | (JSON.parse of the data) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for line in r.stdout.splitlines():
        m = json.loads(line)
        n, gen, summ = made[m["page"]]
        print(f"| {n:,} | {m['bytes'] / 1e6:.1f} MB | {gen:.2f} s | {summ:.2f} s "
              f"| {m['rows_ms'] / 1e3:.2f} s | {m['load_ms'] / 1e3:.2f} s "
              f"| {m['painted_ms'] / 1e3:.2f} s | {m['sort_ms']:.0f} ms "
              f"| {m['verdict_filter_ms']:.0f} ms | {m['text_filter_ms']:.0f} ms "
              f"| {(m['heap_bytes'] or 0) / 1e6:.0f} MB | {m['data_parse_ms']:.0f} ms |")


if __name__ == "__main__":
    main()
