#!/usr/bin/env python3
"""Fleet benchmark: acsready against the machine's limits, in one run.

    python3 bench/fleet_bench.py [--hosts 1000000] [--runs 3] [--exe PATH]

Builds acsready in release mode (unless --exe is given), writes
target/bench/fleet-<N>.ndjson with acsready-fleetgen (deterministic), then
measures, alternating the commands run by run:

* the peer: Python's json.loads over every line of the file (parsing only);
* the floor: acsready-parse-floor, serde_json parsing every line into
  acsready's HostFacts on every core and nothing else (what any report
  built on this facts model and JSON library costs at the least);
* acsready assess --summary, and the whole report as JSON, JSON Lines and
  CSV, each to /dev/null and to a file;
* `cat` of each report file into a copy (what writing those bytes costs).

It prints the median wall time, the best, and the peak RSS of each, and the
ratios issue 18 sets: the whole report (JSON, JSON Lines, CSV to /dev/null)
in at most 1/5 of Python's parse time, --summary in at most 1/10, peak
memory at most 100 MB, and writing to a file close to the copy.
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
OUT = TARGET / "bench" / "out"

PY_PARSE = (
    "import json,sys\n"
    "with open(sys.argv[1],'rb') as f:\n"
    "    for line in f:\n"
    "        if line.strip(): json.loads(line)\n"
)


def build():
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "acsready", "-p", "acsready-fleetgen"],
        cwd=ROOT,
        check=True,
    )


def generate(hosts: int) -> Path:
    out = TARGET / "bench" / f"fleet-{hosts}.ndjson"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            subprocess.run([TARGET / "release" / "acsready-fleetgen", str(hosts)], stdout=f, check=True)
        tmp.rename(out)
    return out


def run_once(args, stdout):
    """Wall time and peak RSS (MB) of one run of `args`, in a child of its own."""
    code = (
        "import resource,subprocess,sys,time,json\n"
        "args=json.loads(sys.argv[1]);out=sys.argv[2]\n"
        "f=open(out,'wb') if out!='-' else subprocess.DEVNULL\n"
        "t=time.perf_counter();p=subprocess.run(args,stdout=f);t=time.perf_counter()-t\n"
        "r=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024\n"
        "print(json.dumps([t,r,p.returncode]))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code, json.dumps([str(a) for a in args]), stdout],
        capture_output=True, text=True, check=True,
    )
    t, rss, rc = json.loads(res.stdout)
    if rc not in (0, 1):
        sys.exit(f"{' '.join(map(str, args))} exited with {rc}")
    return t, rss


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hosts", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--exe", help="the acsready binary (default: build target/release/acsready)")
    a = p.parse_args()
    if a.exe is None:
        build()
    elif not all((TARGET / "release" / b).exists() for b in ["acsready-fleetgen", "acsready-parse-floor"]):
        build()
    data = generate(a.hosts)
    exe = Path(a.exe) if a.exe else TARGET / "release" / "acsready"
    OUT.mkdir(parents=True, exist_ok=True)
    size_mb = data.stat().st_size / 1e6
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
          f"load {os.getloadavg()[0]:.1f}")
    print(f"input:   {data.relative_to(ROOT)} ({a.hosts:,} hosts, {size_mb:.0f} MB)")

    assess = [str(exe), "assess", str(data)]
    cases = [("python json.loads (parse only)", [sys.executable, "-c", PY_PARSE, str(data)], "-")]
    floor = TARGET / "release" / "acsready-parse-floor"
    cases.append(("floor: parse into HostFacts", [floor, str(data)], "-"))
    cases.append(("acsready --summary", assess + ["--summary", "--format", "json"], "-"))
    for fmt in ["json", "jsonl", "csv"]:
        cases.append((f"acsready {fmt} > /dev/null", assess + ["--format", fmt], "-"))
        cases.append((f"acsready {fmt} > file", assess + ["--format", fmt], str(OUT / f"report.{fmt}")))
        cases.append((f"cat report.{fmt} > copy", ["cat", str(OUT / f"report.{fmt}")], str(OUT / f"copy.{fmt}")))
    times = {label: [] for label, _, _ in cases}
    rss = {label: 0.0 for label, _, _ in cases}
    for _ in range(a.runs):
        for label, args, stdout in cases:
            t, r = run_once(args, stdout)
            times[label].append(t)
            rss[label] = max(rss[label], r)
    median = {k: statistics.median(v) for k, v in times.items()}
    sizes = {fmt: (OUT / f"report.{fmt}").stat().st_size / 1e6 for fmt in ["json", "jsonl", "csv"]}
    for label, _, _ in cases:
        extra = ""
        for fmt, mb in sizes.items():
            if label.startswith(f"acsready {fmt} > file"):
                extra = f", {mb:,.0f} MB written"
        print(f"{label:32} median {median[label]:6.2f} s, best {min(times[label]):6.2f} s, "
              f"peak RSS {rss[label]:5.0f} MB{extra}")
    py = median["python json.loads (parse only)"]
    print("ratios to Python's parse time (goal: reports <= 0.20, summary <= 0.10):")
    print(f"  summary {median['acsready --summary'] / py:.2f}; the floor (parsing alone) "
          f"{median['floor: parse into HostFacts'] / py:.2f}")
    for fmt in ["json", "jsonl", "csv"]:
        to_file = median[f"acsready {fmt} > file"]
        copy = median[f"cat report.{fmt} > copy"]
        print(f"  {fmt:5} {median[f'acsready {fmt} > /dev/null'] / py:.2f} to /dev/null; "
              f"to a file {to_file:.2f} s against the copy's {copy:.2f} s")
    peak = max(v for k, v in rss.items() if k.startswith("acsready"))
    print(f"peak RSS of acsready: {peak:.0f} MB (goal <= 100 MB)")
    for fmt in ["json", "jsonl", "csv"]:
        for name in [f"report.{fmt}", f"copy.{fmt}"]:
            (OUT / name).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
