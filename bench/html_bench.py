#!/usr/bin/env python3
"""HTML report benchmark: how long the page takes to write, and to use.

    python3 bench/html_bench.py [--hosts 1000,10000,100000] [--runs 3] [--exe PATH]

Builds acsready, acsready-fleetgen and the html_bench example in release
mode (or takes the acsready of --exe), writes target/bench/fleet-<N>.ndjson
(deterministic), then, side by side in one run for each size, alternating
run by run:

- generation: `acsready assess FILE --format html -o report-<N>.html`, wall
  and CPU time (user + system), median of --runs;
- next to it, on the same input: `acsready assess FILE --summary --format
  json` (reading and assessing the hosts, no report) and Python's
  `json.loads` of every line (merely parsing the input);
- in headless Chromium over WebDriver (chromium + chromium-driver, as
  scripts/test installs them): when the first rows and the counts are drawn
  (the table's `data-ready`, ms since navigation), when the first row was
  painted (the browser's Element Timing: usable from then on), when the load
  event ended and the next frame after it, a sort by host, a verdict filter,
  a text filter (including the typing pause), the JavaScript heap, and what
  JSON.parse of the table's data alone takes.

The machine is shared: the load average is printed with the results; CPU
times compare runs better than wall times on a loaded machine.

Target (issue 18): 100,000 hosts generated in <= 1 s and usable in <= 1 s.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "target"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fleet_bench import PY_PARSE  # noqa: E402  (the same peer as the fleet benchmark)


def timed(cmd, out):
    """Wall and CPU seconds (user + system) of one run of `cmd`, its output to `out`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    with open(out, "wb") as f:
        r = subprocess.run(cmd, stdout=f)
    wall = time.monotonic() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({r.returncode})")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def median(runs, i):
    return statistics.median(r[i] for r in runs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", default="1000,10000,100000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--exe", help="the acsready binary (default: target/release/acsready, built)")
    args = ap.parse_args()
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "acsready", "-p", "acsready-fleetgen",
         "--bins", "--example", "html_bench"],
        cwd=ROOT, check=True,
    )
    rel = TARGET / "release"
    exe = Path(args.exe) if args.exe else rel / "acsready"
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
        html, summary, python = [], [], []
        for _ in range(args.runs):
            html.append(timed([exe, "assess", fleet, "--format", "html", "-o", page], os.devnull))
            summary.append(timed([exe, "assess", fleet, "--summary", "--format", "json"],
                                 os.devnull))
            python.append(timed([sys.executable, "-c", PY_PARSE, fleet], os.devnull))
        made[str(page)] = (n, html, summary, python)
    load = os.getloadavg()
    r = subprocess.run([rel / "examples" / "html_bench", *made], check=True,
                       stdout=subprocess.PIPE, text=True)
    print(f"machine: {cpu_model()}, {platform.machine()}, {platform.system()}, "
          f"{os.cpu_count()} cores, load average {load[0]:.1f}; median of {args.runs} runs "
          "for the generation (wall time, CPU time)")
    print("| hosts | page | generate | (assess --summary) | (Python json.loads) | rows drawn "
          "| first row painted | load event | sort by host | verdict filter "
          "| text filter (incl. typing pause) | JS heap | (JSON.parse of the table's data) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for line in r.stdout.splitlines():
        m = json.loads(line)
        n, html, summary, python = made[m["page"]]
        painted = m.get("first_row_painted_ms")
        print(f"| {n:,} | {m['bytes'] / 1e6:.1f} MB "
              f"| {median(html, 0):.2f} s ({median(html, 1):.2f} s CPU) "
              f"| {median(summary, 0):.2f} s ({median(summary, 1):.2f} s CPU) "
              f"| {median(python, 0):.2f} s "
              f"| {m['rows_ms'] / 1e3:.2f} s "
              f"| {'-' if painted is None else f'{painted / 1e3:.2f} s'} "
              f"| {m['load_ms'] / 1e3:.2f} s | {m['sort_ms']:.0f} ms "
              f"| {m['verdict_filter_ms']:.0f} ms | {m['text_filter_ms']:.0f} ms "
              f"| {(m['heap_bytes'] or 0) / 1e6:.0f} MB | {m['data_parse_ms']:.0f} ms |")


if __name__ == "__main__":
    main()
