#!/usr/bin/env python3
"""Fleet benchmark: generate N hosts as NDJSON and assess them streaming.

    python3 bench/fleet_bench.py [--hosts 1000000] [--runs 5]

Builds acsready in release mode, writes target/bench/fleet-<N>.ndjson with
acsready-fleetgen (deterministic), then runs

    acsready assess FILE --summary --format json      (the counts only)
    acsready assess FILE --format json > /dev/null    (the whole report)

several times and prints the median wall time and the peak RSS of each.
Targets (issue 2): 1,000,000 hosts in <= 2 s and <= 100 MB RSS on 2 cores.
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


def measure(args, runs):
    """Median and best wall time, peak RSS (MB) over `runs` runs, and the last stdout.

    Peak RSS is that of the largest child this process has waited for, so call
    it in a fresh process per command (main() does)."""
    times = []
    out = b""
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(args, stdout=subprocess.PIPE if "--summary" in args else subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            sys.exit(f"{' '.join(map(str, args))} exited with {proc.returncode}")
        out = proc.stdout or out
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return statistics.median(times), min(times), rss_mb, out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hosts", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    build()
    data = generate(a.hosts)
    exe = TARGET / "release" / "acsready"
    size_mb = data.stat().st_size / 1e6
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}")
    print(f"input:   {data.relative_to(ROOT)} ({a.hosts:,} hosts, {size_mb:.0f} MB)")
    # Each command is measured from its own child python so peak RSS does not mix.
    for label, extra in [("summary (--summary --format json)", ["--summary", "--format", "json"]),
                         ("full JSON report to /dev/null", ["--format", "json"])]:
        code = (
            "import sys,json;sys.path.insert(0,%r);import fleet_bench as b;"
            "m,lo,r,o=b.measure(%r,%d);print(json.dumps([m,lo,r,(o or b'').decode()]))"
        ) % (str(ROOT / "bench"), [str(exe), "assess", str(data), *extra], a.runs)
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, text=True)
        median, best, rss, out = json.loads(res.stdout)
        print(f"{label:36} median {median:.2f} s, best {best:.2f} s, "
              f"{a.hosts / median / 1e6:.2f} M hosts/s, peak RSS {rss:.0f} MB")
        if out:
            print("  summary:", json.dumps(json.loads(out)["summary"]))


if __name__ == "__main__":
    main()
