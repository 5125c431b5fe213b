#!/usr/bin/env python3
"""seeds.py - seed corpora for the fuzz targets, made at run time from the
project's capture and scenario files (nothing here is committed output).

  seeds.py rx OUTDIR PCAP...        each capture as fuzz_rx records
  seeds.py copy OUTDIR MAXBYTES FILE...  files no larger than MAXBYTES

fuzz_rx's input: byte 0 the link type selector (0 Ethernet, 5 SLL, 6 SLL2,
7 raw IPv4), then [len u16 LE][dt u8][bytes] per frame, dt in 250 ms steps,
bit 7 of dt set when the capture cut the frame short."""
import hashlib
import os
import struct
import sys

LINK_SEL = {1: 0, 113: 5, 276: 6, 12: 7, 14: 7, 101: 7, 228: 7}
MAX_FRAMES = 512
MAX_BYTES = 64 * 1024


def pcap_frames(data):
    """(linktype, [(ts_ns, caplen, len, bytes)]) of a classic pcap, or None."""
    if len(data) < 24:
        return None
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        return None
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    link = struct.unpack(end + "I", data[20:24])[0] & 0xFFFF
    out, off = [], 24
    while off + 16 <= len(data) and len(out) < MAX_FRAMES:
        sec, frac, cap, wire = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        if cap > len(data) - off:
            break
        ts = sec * 10**9 + (frac if nano else frac * 1000)
        out.append((ts, cap, wire, data[off:off + cap]))
        off += cap
    return link, out


def to_rx(link, frames):
    sel = LINK_SEL.get(link)
    if sel is None:
        return None
    buf, prev = bytearray([sel]), None
    for ts, cap, wire, b in frames:
        dt = 0 if prev is None else min(127, max(0, (ts - prev) // 250_000_000))
        if prev is not None and ts > prev and dt == 0:
            dt = 1  # keep "time moved" (the softirq runs) in the seed
        prev = ts
        b = b[:0xFFFF]
        rec = struct.pack("<HB", len(b), dt | (0x80 if wire > cap else 0)) + b
        if len(buf) + len(rec) > MAX_BYTES:
            break
        buf += rec
    return bytes(buf)


def write(outdir, blob):
    name = hashlib.sha1(blob).hexdigest()
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(blob)


def main(argv):
    mode, outdir = argv[1], argv[2]
    os.makedirs(outdir, exist_ok=True)
    n = 0
    if mode == "rx":
        for path in argv[3:]:
            with open(path, "rb") as f:
                parsed = pcap_frames(f.read())
            seed = parsed and to_rx(*parsed)
            if seed:
                write(outdir, seed)
                n += 1
    elif mode == "copy":
        limit = int(argv[3])
        for path in argv[4:]:
            if os.path.getsize(path) <= limit:
                with open(path, "rb") as f:
                    write(outdir, f.read())
                n += 1
    print(n)


if __name__ == "__main__":
    main(sys.argv)
