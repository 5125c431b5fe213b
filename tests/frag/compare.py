#!/usr/bin/env python3
"""Reassembly against tshark: for each third-party capture with IPv4
fragments, every datagram netjourney reassembles (replay --auto-host
--reasm-out) must be one tshark reassembles too, with the same length and
payload bytes; and the captures known to hold complete datagrams for the
host must yield at least one. Prints per-capture figures."""
import os, struct, subprocess, sys, tempfile

NJ = os.environ.get("NJ", "build/netjourney")
# capture -> minimum datagrams netjourney must reassemble for its host
CAPTURES = {
    "suricata-frag-icmp-echo.pcap": 1,
    "peafowl-frag-large-udp-sip.pcap": 1,
    "pcapplusplus-ip4-fragments-udp.pcap": 6,
    "pcapplusplus-frag-http-req.pcap": 1,
    "dnscap-frags-dns-rawip.pcap": 1,
    "peafowl-http-ipfrag-8byte.pcap": 3,
    "peafowl-http-ipfrag-8byte-ooo.pcap": 3,
    "suricata-frag-vlan-tcp-syn.pcap": 1,   # VLAN-tagged: --auto-host adopts the VLAN
    "zeek-frag-tiny-syn.pcap": 1,
    "zeek-frag-overlap-udp.pcap": 0,        # modern Linux discards overlaps
    "zeek-frag-overlap-tcp-evasion.pcap": 0,
    "zeek-frag-dup-incomplete.pcap": 0,     # never complete
    "zeek-frag-missing-last-df.pcap": 0,
    "peafowl-teardrop.pcap": 0,
    "peafowl-teardrop-inverted.pcap": 0,
    "peafowl-frag-conflicting-garbage.pcap": 0,
}

def tshark_datagrams(path):
    out = subprocess.run(["tshark", "-r", path, "-o", "ip.defragment:TRUE", "-Y", "ip.reassembled.length",
                          "-T", "fields", "-E", "separator=|", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.id",
                          "-e", "ip.reassembled.length", "-e", "ip.reassembled.data"],
                         capture_output=True, text=True, check=True).stdout
    got = {}
    for line in out.splitlines():
        f = line.split("|")
        if len(f) < 5:
            continue
        # with tunnels/ICMP quotes a field can repeat: take the first value
        key = (f[0].split(",")[0], f[1].split(",")[0], int(f[2].split(",")[0], 16))
        got.setdefault(key, []).append((int(f[3].split(",")[0]), f[4].split(",")[0].replace(":", "")))
    return got

def pcap_datagrams(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    e = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    off, res = 24, []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
        ip = data[off + 16: off + 16 + incl]
        off += 16 + incl
        ihl = (ip[0] & 15) * 4
        src = ".".join(str(b) for b in ip[12:16])
        dst = ".".join(str(b) for b in ip[16:20])
        ident = struct.unpack(">H", ip[4:6])[0]
        tot = struct.unpack(">H", ip[2:4])[0]
        res.append(((src, dst, ident), tot - ihl, ip[ihl:tot].hex()))
    return res

def main(shared):
    fail = 0
    total = 0
    for name, need in sorted(CAPTURES.items()):
        path = os.path.join(shared, name)
        if not os.path.exists(path):
            print(f"frag: {name}: absent, skipped")
            continue
        with tempfile.TemporaryDirectory() as t:
            out = os.path.join(t, "r.pcap")
            r = subprocess.run([NJ, "replay", "-q", "--auto-host", "--reasm-out", out, path],
                               capture_output=True, text=True)
            if r.returncode != 0:
                print(f"frag: {name}: replay failed: {r.stderr.strip()}")
                fail = 1
                continue
            ours = pcap_datagrams(out)
        theirs = tshark_datagrams(path)
        bad = [d for d in ours if (d[1], d[2]) not in theirs.get(d[0], [])]
        total += len(ours)
        print(f"frag: {name}: netjourney reassembled {len(ours)}, tshark {sum(len(v) for v in theirs.values())}"
              f" (all destinations), mismatches {len(bad)}")
        for d in bad[:3]:
            print(f"   {d[0]}: length {d[1]} not among tshark's {[x[0] for x in theirs.get(d[0], [])]}")
        if bad or len(ours) < need:
            fail = 1
            if len(ours) < need:
                print(f"   expected at least {need} datagrams")
    print(f"frag: {total} reassembled datagrams compared byte for byte with tshark")
    return fail

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
