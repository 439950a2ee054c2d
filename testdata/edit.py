#!/usr/bin/env python3
"""Byte edits for the generated test files (Python 3 standard library only).

  edit.py force-integrity IN OUT   copy IN to OUT with IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY
                                   (0x0080) set in the PE optional header; nothing else changes
                                   (no checksum update). Prints the old and new DllCharacteristics.
  edit.py dllchar FILE             print the PE DllCharacteristics as JSON {"dll_characteristics", "force_integrity"}.
  edit.py flip IN OUT              copy IN to OUT with one byte inverted (XOR 0xFF) inside the
                                   signed content: for a PE the middle of the first section with
                                   raw data (never the checksum, the certificate table or the
                                   headers); for an MSI (OLE compound file) the middle of the
                                   largest stream other than the signature streams. Prints JSON
                                   {"offset", "where", "old", "new"}.

Used by testdata/make-acs-like.sh.
"""
import json
import struct
import sys

FORCE_INTEGRITY = 0x0080
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SIGNATURE_STREAMS = {"\x05DigitalSignature", "\x05MsiDigitalSignatureEx"}
ENDOFCHAIN = 0xFFFFFFFE


def pe_headers(data):
    if data[:2] != b"MZ":
        raise SystemExit("not a PE file (no MZ)")
    e_lfanew = struct.unpack_from("<I", data, 0x3C)[0]
    if data[e_lfanew:e_lfanew + 4] != b"PE\0\0":
        raise SystemExit("not a PE file (no PE signature at e_lfanew)")
    coff = e_lfanew + 4
    nsec, = struct.unpack_from("<H", data, coff + 2)
    opt_size, = struct.unpack_from("<H", data, coff + 16)
    opt = coff + 20
    magic, = struct.unpack_from("<H", data, opt)
    if magic == 0x10B:
        dd = opt + 96
    elif magic == 0x20B:
        dd = opt + 112
    else:
        raise SystemExit(f"unknown optional header magic {magic:#x}")
    cert_off, cert_size = struct.unpack_from("<II", data, dd + 4 * 8)
    sections = []
    for i in range(nsec):
        s = opt + opt_size + 40 * i
        name = data[s:s + 8].rstrip(b"\0").decode("latin-1")
        raw_size, raw_ptr = struct.unpack_from("<II", data, s + 16)
        sections.append((name, raw_ptr, raw_size))
    return {"e_lfanew": e_lfanew, "opt": opt, "dllchar_off": opt + 70,
            "cert": (cert_off, cert_size), "sections": sections}


def force_integrity(src, dst):
    data = bytearray(open(src, "rb").read())
    h = pe_headers(data)
    off = h["dllchar_off"]  # e_lfanew + 24 + 70
    old, = struct.unpack_from("<H", data, off)
    struct.pack_into("<H", data, off, old | FORCE_INTEGRITY)
    open(dst, "wb").write(data)
    print(json.dumps({"offset": off, "old": f"{old:#06x}", "new": f"{old | FORCE_INTEGRITY:#06x}"}))


def dllchar(path):
    data = open(path, "rb").read()
    v, = struct.unpack_from("<H", data, pe_headers(data)["dllchar_off"])
    print(json.dumps({"dll_characteristics": f"{v:#06x}", "force_integrity": bool(v & FORCE_INTEGRITY)}))


def pe_flip_offset(data):
    h = pe_headers(data)
    cert_off, cert_size = h["cert"]
    for name, ptr, size in h["sections"]:
        if size == 0 or ptr == 0:
            continue
        off = ptr + size // 2
        if cert_size and cert_off <= off < cert_off + cert_size:
            continue
        if off >= len(data):
            continue
        return off, f"PE section {name!r} (raw {ptr:#x}+{size:#x})"
    raise SystemExit("no section with raw data outside the certificate table")


class Cfb:
    """Just enough of [MS-CFB] to find where a stream's bytes are in the file."""

    def __init__(self, data):
        if data[:8] != CFB_MAGIC:
            raise SystemExit("not an OLE compound file")
        self.d = data
        self.ssz = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        self.mssz = 1 << struct.unpack_from("<H", data, 0x20)[0]
        first_dir, = struct.unpack_from("<I", data, 0x30)
        self.cutoff, first_minifat = struct.unpack_from("<II", data, 0x38)
        first_difat, n_difat = struct.unpack_from("<II", data, 0x44)
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        sec = first_difat
        for _ in range(n_difat):
            if sec >= ENDOFCHAIN:
                break
            vals = struct.unpack_from(f"<{self.ssz // 4}I", data, self.off(sec))
            difat += vals[:-1]
            sec = vals[-1]
        self.fat = []
        for s in difat:
            if s < ENDOFCHAIN - 2:
                self.fat += struct.unpack_from(f"<{self.ssz // 4}I", data, self.off(s))
        dir_bytes = b"".join(data[self.off(s):self.off(s) + self.ssz] for s in self.chain(first_dir, self.fat))
        self.entries = []
        for i in range(len(dir_bytes) // 128):
            e = dir_bytes[128 * i:128 * (i + 1)]
            nlen, = struct.unpack_from("<H", e, 64)
            name = e[:max(nlen - 2, 0)].decode("utf-16-le", "replace")
            typ = e[66]
            start, = struct.unpack_from("<I", e, 116)
            size, = struct.unpack_from("<Q", e, 120)
            if self.ssz == 512:
                size &= 0xFFFFFFFF
            self.entries.append((name, typ, start, size))
        root = self.entries[0]
        self.ministream = self.chain(root[2], self.fat)
        self.minifat = []
        for s in self.chain(first_minifat, self.fat):
            self.minifat += struct.unpack_from(f"<{self.ssz // 4}I", data, self.off(s))

    def off(self, sector):
        return (sector + 1) * self.ssz

    @staticmethod
    def chain(start, fat):
        out, seen = [], set()
        while start < len(fat) and start not in seen and start < ENDOFCHAIN - 2:
            seen.add(start)
            out.append(start)
            start = fat[start]
        return out

    def file_offset(self, entry, pos):
        _, _, start, size = entry
        if size < self.cutoff:
            mini = self.chain(start, self.minifat)[pos // self.mssz]
            ms_off = mini * self.mssz + pos % self.mssz
            return self.off(self.ministream[ms_off // self.ssz]) + ms_off % self.ssz
        return self.off(self.chain(start, self.fat)[pos // self.ssz]) + pos % self.ssz


def msi_flip_offset(data):
    cfb = Cfb(data)
    streams = [e for e in cfb.entries if e[1] == 2 and e[0] not in SIGNATURE_STREAMS and e[3] > 0]
    if not streams:
        raise SystemExit("no stream to damage")
    # largest stream; ties broken by name so the choice is deterministic
    entry = max(streams, key=lambda e: (e[3], e[0]))
    pos = entry[3] // 2
    return cfb.file_offset(entry, pos), f"MSI stream {entry[0]!r} (size {entry[3]}) byte {pos}"


def flip(src, dst):
    data = bytearray(open(src, "rb").read())
    if data[:2] == b"MZ":
        off, where = pe_flip_offset(data)
    elif data[:8] == CFB_MAGIC:
        off, where = msi_flip_offset(data)
    else:
        raise SystemExit(f"{src}: neither PE nor MSI")
    old = data[off]
    data[off] ^= 0xFF
    open(dst, "wb").write(data)
    print(json.dumps({"offset": off, "where": where, "old": f"{old:#04x}", "new": f"{data[off]:#04x}"}))


def main(argv):
    if len(argv) == 3 and argv[1] == "dllchar":
        dllchar(argv[2])
        return 0
    if len(argv) != 4 or argv[1] not in ("force-integrity", "flip"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "force-integrity":
        force_integrity(argv[2], argv[3])
    else:
        flip(argv[2], argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
