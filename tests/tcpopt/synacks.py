#!/usr/bin/env python3
"""Prints the number of TCP SYN-ACKs in a pcapng file (Ethernet, IPv4)."""
import struct, sys

def frames(path):
    d = open(path, 'rb').read()
    off = 0
    while off + 12 <= len(d):
        btype, blen = struct.unpack_from('<II', d, off)
        if blen < 12:
            break
        if btype == 6:  # enhanced packet block
            caplen = struct.unpack_from('<I', d, off + 20)[0]
            yield d[off + 28:off + 28 + caplen]
        off += blen

n = 0
for f in frames(sys.argv[1]):
    if len(f) < 34 or f[12:14] != b'\x08\x00' or f[23] != 6:
        continue
    th = 14 + (f[14] & 15) * 4
    if len(f) >= th + 14 and f[th + 13] & 0x12 == 0x12:
        n += 1
print(n)
