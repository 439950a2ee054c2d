#!/usr/bin/env bash
# Makes signed test files whose chains look like Azure Code Signing / Trusted
# Signing, with a throw-away test PKI, under
#
#   target/testdata-cache/acs-like/        (git-ignored by the `target/` rule)
#     manifest.json                        what every file is and must come out as
#     pki/                                 keys, certificates, openssl.cnf
#     *.exe, *.msi                         the files (names below, fixed)
#
# Test PKI (RSA, sha384 certificate signatures):
#   ACS-like   "Test Identity Verification Root CA 2020" (4096, self-signed)
#              → "Test ID Verified Code Signing PCA 2021" (4096)
#              → "Test ID Verified CS EOC CA 01" (3072, pathlen 0)
#              → leaf "acsready Test Publisher (ACS-like)" (3072), valid 72 hours,
#                EKUs 1.3.6.1.4.1.311.97.1.0, codeSigning, 1.3.6.1.4.1.311.97.<a>.<b>.<c>.<d>
#   TSA        root 2020 → "Test Public RSA Timestamping CA 2020" → "Test Public RSA Time
#              Stamping Authority" (EKU timeStamping), used through osslsigncode's built-in
#              RFC 3161 TSA (-TSA-certs/-TSA-key/-TSA-time): no network
#   non-ACS    "Test Code Signing Root CA" → "Test Code Signing CA 1" → leaf
#              "acsready Test Publisher (non-ACS)", EKU codeSigning only, 1 year
#
# Inputs: ../shared/testdata/pe/osslsigncode__unsigned.exe, ../shared/testdata/msi/osslsigncode__unsigned.msi
# (override with ACSREADY_SHARED_TESTDATA=DIR).
#
# Rerunnable: when manifest.json was made by this same script from the same
# inputs, nothing is done; `--force` makes everything anew (new keys). Files are
# built in a temporary folder and swapped in at the end.
# Needs openssl, osslsigncode (≥ 2.9 works; needs -TSA-time) and python3; on
# Debian/Ubuntu as root, missing openssl/osslsigncode are installed with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

FORCE=0
case "${1:-}" in
  --force) FORCE=1 ;;
  "") ;;
  *) echo "usage: testdata/make-acs-like.sh [--force]" >&2; exit 2 ;;
esac

if [ -n "${ACSREADY_SHARED_TESTDATA:-}" ]; then SHARED=$ACSREADY_SHARED_TESTDATA
elif [ -n "${ACSREADY_SHARED:-}" ]; then SHARED=$ACSREADY_SHARED/testdata
elif [ -d "$REPO/../shared/testdata" ]; then SHARED=$REPO/../shared/testdata
else SHARED=/work/shared/testdata; fi
IN_EXE=$SHARED/pe/osslsigncode__unsigned.exe
IN_MSI=$SHARED/msi/osslsigncode__unsigned.msi
CACHE=target/testdata-cache
OUT=$CACHE/acs-like
EDIT="python3 $REPO/testdata/edit.py"

die() { echo "make-acs-like.sh: $*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------
missing=()
command -v openssl >/dev/null || missing+=(openssl)
command -v osslsigncode >/dev/null || missing+=(osslsigncode)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "make-acs-like.sh: installing ${missing[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    die "please install: ${missing[*]} (Debian/Ubuntu: sudo apt-get install ${missing[*]})"
  fi
fi
command -v python3 >/dev/null || die "python3 is needed"
help=$(osslsigncode -h 2>&1 || true)   # -h exits non-zero
grep -q -- '-TSA-time' <<<"$help" \
  || die "this osslsigncode has no built-in TSA (-TSA-certs/-TSA-key/-TSA-time); osslsigncode 2.9 works"
[ -f "$IN_EXE" ] && [ -f "$IN_MSI" ] || die "inputs missing: $IN_EXE, $IN_MSI (set ACSREADY_SHARED_TESTDATA)"

# --- up to date? ---------------------------------------------------------------
STAMP=$(cat testdata/make-acs-like.sh testdata/edit.py "$IN_EXE" "$IN_MSI" | sha256sum | cut -d' ' -f1)
if [ $FORCE -eq 0 ] && [ -f "$OUT/manifest.json" ] && python3 - "$OUT" "$STAMP" <<'EOF'
import json, os, sys
out, stamp = sys.argv[1:]
m = json.load(open(os.path.join(out, "manifest.json")))
ok = m.get("generator_stamp") == stamp and all(os.path.isfile(os.path.join(out, f["name"])) for f in m["files"])
sys.exit(0 if ok else 1)
EOF
then
  echo "make-acs-like.sh: $OUT is up to date (use --force to make new keys and files)"
  exit 0
fi

mkdir -p "$CACHE"
WORK=$(mktemp -d "$CACHE/acs-like.tmp.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
PKI=$WORK/pki
mkdir -p "$PKI"

# --- test PKI ------------------------------------------------------------------
SUBSCRIBER_EKU=1.3.6.1.4.1.311.97.111111111.222222222.333333333.444444444
cat >"$PKI/openssl.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused

[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
certificatePolicies = 2.5.29.32.0

[issuing_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, digitalSignature, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
certificatePolicies = 2.5.29.32.0

[acs_leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = 1.3.6.1.4.1.311.97.1.0, codeSigning, $SUBSCRIBER_EKU
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
certificatePolicies = 2.23.140.1.4.1

[tsa_leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[plain_leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF

key() { openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$PKI/$1.key" 2>/dev/null; }
serial() { echo "0x33$(openssl rand -hex 15)"; }
# selfsigned NAME BITS SUBJECT DAYS
selfsigned() {
  key "$1" "$2"
  openssl req -config "$PKI/openssl.cnf" -x509 -new -key "$PKI/$1.key" -subj "$3" -sha384 \
    -days "$4" -set_serial "$(serial)" -extensions root -out "$PKI/$1.pem"
}
# issue NAME BITS SUBJECT ISSUER DAYS EXTENSIONS
issue() {
  key "$1" "$2"
  openssl req -config "$PKI/openssl.cnf" -new -key "$PKI/$1.key" -subj "$3" -out "$PKI/$1.csr"
  openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/$4.pem" -CAkey "$PKI/$4.key" -set_serial "$(serial)" \
    -days "$5" -sha384 -extfile "$PKI/openssl.cnf" -extensions "$6" -out "$PKI/$1.pem" 2>/dev/null
  rm -f "$PKI/$1.csr"
}

echo "make-acs-like.sh: making the test PKI (RSA 4096/3072 keys, a few seconds) …"
selfsigned acs-root 4096 "/C=US/O=acsready test/CN=Test Identity Verification Root CA 2020" 9131
issue acs-pca 4096 "/C=US/O=acsready test/CN=Test ID Verified Code Signing PCA 2021" acs-root 5479 ca
issue acs-eoc 3072 "/C=US/O=acsready test/CN=Test ID Verified CS EOC CA 01" acs-pca 1826 issuing_ca
issue acs-leaf 3072 "/C=US/ST=California/L=San Francisco/O=acsready Test Publisher/CN=acsready Test Publisher (ACS-like)" acs-eoc 3 acs_leaf
issue tsa-ca 3072 "/C=US/O=acsready test/CN=Test Public RSA Timestamping CA 2020" acs-root 5479 ca
issue tsa 2048 "/C=US/O=acsready test/OU=acsready TSS/CN=Test Public RSA Time Stamping Authority" tsa-ca 365 tsa_leaf
selfsigned plain-root 3072 "/C=US/O=acsready test/CN=Test Code Signing Root CA" 3652
issue plain-ca 2048 "/C=US/O=acsready test/CN=Test Code Signing CA 1" plain-root 1826 ca
issue plain-leaf 2048 "/C=US/O=acsready Test Publisher/CN=acsready Test Publisher (non-ACS)" plain-ca 365 plain_leaf

# certificates embedded in the signatures: leaf first (osslsigncode signs with it), then the chain
cat "$PKI"/{acs-leaf,acs-eoc,acs-pca,acs-root}.pem >"$PKI/acs-chain.pem"
cat "$PKI"/{tsa,tsa-ca}.pem >"$PKI/tsa-chain.pem"
cat "$PKI"/{plain-leaf,plain-ca,plain-root}.pem >"$PKI/plain-chain.pem"

# the signing and timestamp time: now, inside the 72-hour leaf validity
NOW=$(date -u +%s)

# sign KIND(acs|plain) HASH IN OUT [ts|nots] [more osslsigncode options]
sign() {
  local kind=$1 hash=$2 in=$3 out=$4 ts=$5
  shift 5
  local tsopts=()
  [ "$ts" = ts ] && tsopts=(-TSA-certs "$PKI/tsa-chain.pem" -TSA-key "$PKI/tsa.key" -TSA-time "$NOW")
  osslsigncode sign -certs "$PKI/$kind-chain.pem" -key "$PKI/$kind-leaf.key" -h "$hash" \
    -n "acsready test" -time "$NOW" "${tsopts[@]}" "$@" -in "$in" -out "$out" >"$WORK/.osslsigncode.log" 2>&1 \
    || { cat "$WORK/.osslsigncode.log" >&2; die "osslsigncode sign $out failed"; }
}

echo "make-acs-like.sh: signing …"
W=$WORK
$EDIT force-integrity "$IN_EXE" "$W/unsigned-force-integrity.exe" >"$W/.fi.json"
sign acs sha256 "$IN_EXE" "$W/acs-signed.exe" ts
sign acs sha256 "$IN_MSI" "$W/acs-signed.msi" ts
sign acs sha256 "$IN_EXE" "$W/acs-no-timestamp.exe" nots
sign acs sha1 "$IN_EXE" "$W/.acs-sha1.exe" ts
sign acs sha256 "$W/.acs-sha1.exe" "$W/acs-dual.exe" ts -nest
rm -f "$W/.acs-sha1.exe"
sign acs sha256 "$W/unsigned-force-integrity.exe" "$W/acs-force-integrity.exe" ts
sign plain sha256 "$IN_EXE" "$W/nonacs-signed.exe" ts
sign plain sha256 "$IN_MSI" "$W/nonacs-signed.msi" ts

for f in acs-signed.exe acs-dual.exe acs-force-integrity.exe nonacs-signed.exe acs-signed.msi; do
  $EDIT flip "$W/$f" "$W/tampered-$f" >"$W/.tamper-$f.json"
done

# --- self-check with osslsigncode verify --------------------------------------------
# intact files: digests match and the chain verifies to our test root (at the
# timestamp time); tampered files: every signature's digest is a MISMATCH.
check() {
  local f=$1 want=$2 ca=$3 log
  log=$(osslsigncode verify -CAfile "$PKI/$ca.pem" -TSA-CAfile "$PKI/acs-root.pem" -in "$W/$f" 2>&1 || true)
  local n_sig n_mis
  n_sig=$(grep -cE '^Current (message digest|DigitalSignature)' <<<"$log" || true)
  n_mis=$(grep -c 'MISMATCH' <<<"$log" || true)
  case $want in
    intact)
      [ "$n_sig" -ge 1 ] && [ "$n_mis" -eq 0 ] && grep -q '^Signature verification: ok' <<<"$log" \
        || { echo "$log" >&2; die "self-check: $f should verify (intact) but does not"; } ;;
    tampered)
      [ "$n_sig" -ge 1 ] && [ "$n_mis" -eq "$n_sig" ] \
        || { echo "$log" >&2; die "self-check: $f should be tampered ($n_mis of $n_sig digests differ)"; } ;;
  esac
  echo "$n_sig" >"$W/.nsig-$f"
}
for f in acs-signed.exe acs-signed.msi acs-no-timestamp.exe acs-dual.exe acs-force-integrity.exe; do check "$f" intact acs-root; done
for f in nonacs-signed.exe nonacs-signed.msi; do check "$f" intact plain-root; done
for f in acs-signed.exe acs-dual.exe acs-force-integrity.exe acs-signed.msi; do check "tampered-$f" tampered acs-root; done
check tampered-nonacs-signed.exe tampered plain-root
[ "$(cat "$W/.nsig-acs-dual.exe")" -eq 2 ] || die "self-check: acs-dual.exe should hold 2 signatures"
for f in acs-force-integrity.exe tampered-acs-force-integrity.exe unsigned-force-integrity.exe; do
  $EDIT dllchar "$W/$f" | grep -q '"force_integrity": true' || die "self-check: FORCE_INTEGRITY not set in $f"
done
for f in acs-signed.exe acs-dual.exe nonacs-signed.exe; do
  $EDIT dllchar "$W/$f" | grep -q '"force_integrity": false' || die "self-check: FORCE_INTEGRITY set in $f"
done

# --- manifest.json ------------------------------------------------------------------------
python3 - "$W" "$OUT" "$NOW" "$STAMP" "$SUBSCRIBER_EKU" \
  "$(realpath -m --relative-to="$REPO" "$IN_EXE")" "$(realpath -m --relative-to="$REPO" "$IN_MSI")" <<'EOF'
import datetime, hashlib, json, os, subprocess, sys

work, out, now, stamp, sub_eku, in_exe, in_msi = sys.argv[1:]
now = int(now)
iso = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
pki = os.path.join(work, "pki")

EKU_OIDS = {"Code Signing": "1.3.6.1.5.5.7.3.3", "Time Stamping": "1.3.6.1.5.5.7.3.8"}

def cert(name):
    path = os.path.join(pki, name + ".pem")
    def x(*args):
        return subprocess.run(["openssl", "x509", "-in", path, "-noout", *args],
                              check=True, capture_output=True, text=True).stdout.strip()
    der = subprocess.run(["openssl", "x509", "-in", path, "-outform", "DER"], check=True, capture_output=True).stdout
    eku = x("-ext", "extendedKeyUsage").splitlines()[1:]
    return {
        "file": f"pki/{name}.pem",
        "subject": x("-subject", "-nameopt", "RFC2253").split("=", 1)[1],
        "issuer": x("-issuer", "-nameopt", "RFC2253").split("=", 1)[1],
        "serial": x("-serial").split("=", 1)[1],
        "not_before": x("-startdate").split("=", 1)[1],
        "not_after": x("-enddate").split("=", 1)[1],
        "sha1": hashlib.sha1(der).hexdigest().upper(),
        "sha256": hashlib.sha256(der).hexdigest().upper(),
        "eku": [EKU_OIDS.get(e.strip(), e.strip()) for e in ",".join(eku).split(",") if e.strip()],
    }

certs = {n: cert(n) for n in ["acs-root", "acs-pca", "acs-eoc", "acs-leaf", "tsa-ca", "tsa",
                              "plain-root", "plain-ca", "plain-leaf"]}
ACS = {"signer": certs["acs-leaf"]["subject"], "issuer": certs["acs-eoc"]["subject"],
       "root": certs["acs-root"]["subject"], "acs": True}
PLAIN = {"signer": certs["plain-leaf"]["subject"], "issuer": certs["plain-ca"]["subject"],
         "root": certs["plain-root"]["subject"], "acs": False}

def sig(base, alg, ts=True, nested=False):
    return dict(base, digest_algorithm=alg, nested=nested,
                timestamp="rfc3161" if ts else None,
                signing_time=iso(now) if ts else None,
                signing_time_attribute=iso(now))

def entry(name, fmt, source, how, sigs, fi, integrity, note=""):
    path = os.path.join(work, name)
    data = open(path, "rb").read()
    e = {
        "name": name,
        "path": os.path.join(out, name),
        "format": fmt,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "made_from": source,
        "how": how,
        "signed": bool(sigs),
        "acs": any(s["acs"] for s in sigs),
        "force_integrity": fi,
        "integrity": integrity,
        "signer": sigs[0]["signer"] if sigs else None,
        "signatures": sigs,
    }
    t = os.path.join(work, f".tamper-{name.removeprefix('tampered-')}.json")
    if name.startswith("tampered-") and os.path.exists(t):
        e["tamper"] = json.load(open(t))
    if note:
        e["note"] = note
    return e

files = [
    entry("unsigned-force-integrity.exe", "pe", in_exe, "FORCE_INTEGRITY (0x0080) set in DllCharacteristics at e_lfanew+24+70; nothing else changed",
          [], True, None),
    entry("acs-signed.exe", "pe", in_exe, "osslsigncode sign -h sha256, ACS-like chain embedded, RFC 3161 timestamp",
          [sig(ACS, "sha256")], False, "intact"),
    entry("acs-signed.msi", "msi", in_msi, "osslsigncode sign -h sha256, ACS-like chain embedded, RFC 3161 timestamp",
          [sig(ACS, "sha256")], None, "intact"),
    entry("acs-no-timestamp.exe", "pe", in_exe, "osslsigncode sign -h sha256, no timestamp (only the signer's own signingTime attribute)",
          [sig(ACS, "sha256", ts=False)], False, "intact",
          "no countersignature: the signing time is unproven; the leaf is valid only 72 hours from generation"),
    entry("acs-dual.exe", "pe", in_exe, "osslsigncode sign -h sha1, then sign -nest -h sha256; both timestamped",
          [sig(ACS, "sha1"), sig(ACS, "sha256", nested=True)], False, "intact"),
    entry("acs-force-integrity.exe", "pe", "unsigned-force-integrity.exe", "FORCE_INTEGRITY set before signing; osslsigncode sign -h sha256, RFC 3161 timestamp",
          [sig(ACS, "sha256")], True, "intact"),
    entry("nonacs-signed.exe", "pe", in_exe, "osslsigncode sign -h sha256 with the non-ACS test chain; timestamped by the ACS-like test TSA",
          [sig(PLAIN, "sha256")], False, "intact",
          "negative case; its timestamp chain ends in the ACS-like test root (as Microsoft's TSA chains to the real Identity Verification Root 2020): only the signer chain decides 'acs'"),
    entry("nonacs-signed.msi", "msi", in_msi, "osslsigncode sign -h sha256 with the non-ACS test chain; timestamped",
          [sig(PLAIN, "sha256")], None, "intact"),
]
for src in ["acs-signed.exe", "acs-dual.exe", "acs-force-integrity.exe", "nonacs-signed.exe", "acs-signed.msi"]:
    base = next(f for f in files if f["name"] == src)
    files.append(entry("tampered-" + src, base["format"], src, "one byte inverted inside the signed content (see tamper)",
                       base["signatures"], base["force_integrity"], "tampered"))

manifest = {
    "schema": "acsready-testdata-acs-like/1",
    "generated_at": iso(now),
    "generator": "testdata/make-acs-like.sh",
    "generator_stamp": stamp,
    "note": "Test PKI only. 'acs' here means the ACS leaf EKU 1.3.6.1.4.1.311.97.1.0 is present; the root is a TEST root, "
            "not Microsoft Identity Verification Root Certificate Authority 2020, so a check pinned to the real root alone says false. "
            "Subjects are RFC 4514 strings (openssl -nameopt RFC2253). signing_time is the RFC 3161 genTime; "
            "signing_time_attribute is the signer's authenticated PKCS#9 signingTime (osslsigncode always adds one).",
    "acs_eku": "1.3.6.1.4.1.311.97.1.0",
    "subscriber_eku": sub_eku,
    "certificates": certs,
    "files": files,
}
with open(os.path.join(work, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
    f.write("\n")
EOF

rm -f "$W"/.*.json "$W"/.nsig-* "$W/.osslsigncode.log"
rm -rf "$OUT"
mv "$W" "$OUT"
trap - EXIT
echo "make-acs-like.sh: wrote $OUT:"
(cd "$OUT" && ls -1 *.exe *.msi manifest.json | sed 's/^/  /')
