#!/usr/bin/env python3
"""cmp.py CAPTURE OUT HOSTMAC: every TCP segment the recorded host sent
(source MAC HOSTMAC) must be in OUT (netjourney's -w) with the same
addresses, ports, flags, seq, ack, window and options (TSval aside: a
clock). A segment longer than its connection's MSS left the host's
kernel before segmentation offload: OUT must hold its bytes in MSS-sized
pieces with the same ack and window. Prints what differs; exit 1 if any."""
import struct, sys


def frames(path):
    """The frames of a pcap or pcapng file (netjourney's -w writes pcapng)."""
    d = open(path, "rb").read()
    if d[:4] == b"\x0a\x0d\x0d\x0a":
        end = "<" if d[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        o = 0
        while o + 12 <= len(d):
            btype, blen = struct.unpack(end + "II", d[o:o + 8])
            if blen < 12:
                return
            if btype == 6:	# an enhanced packet block
                caplen = struct.unpack(end + "I", d[o + 20:o + 24])[0]
                yield d[o + 28:o + 28 + caplen]
            o += blen
        return
    magic = struct.unpack("<I", d[:4])[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    o = 24
    while o + 16 <= len(d):
        caplen = struct.unpack(end + "I", d[o + 8:o + 12])[0]
        yield d[o + 16:o + 16 + caplen]
        o += 16 + caplen


def tcp(p):
    """(key, fields) of an Ethernet TCP segment over IPv4 or IPv6, else None."""
    et = struct.unpack(">H", p[12:14])[0]
    if et == 0x0800 and p[23] == 6:
        ihl, tot = (p[14] & 15) * 4, struct.unpack(">H", p[16:18])[0]
        src, dst, l4 = p[26:30].hex(), p[30:34].hex(), 14 + ihl
        plen = tot - ihl
    elif et == 0x86dd and p[20] == 6:
        src, dst, l4 = p[22:38].hex(), p[38:54].hex(), 54
        plen = struct.unpack(">H", p[18:20])[0]
    else:
        return None
    sp, dp, seq, ack = struct.unpack(">HHII", p[l4:l4 + 12])
    doff, fl, win = p[l4 + 12] >> 4, p[l4 + 13], struct.unpack(">H", p[l4 + 14:l4 + 16])[0]
    opt = bytearray(p[l4 + 20:l4 + doff * 4])
    i = 0
    while i < len(opt):
        if opt[i] in (0, 1):
            i += 1
            continue
        if i + 1 >= len(opt) or opt[i + 1] < 2:
            break
        if opt[i] == 8 and opt[i + 1] == 10:
            opt[i + 2:i + 6] = b"\0\0\0\0"	# TSval
        i += opt[i + 1]
    return (src, sp, dst, dp), {"flags": fl, "seq": seq, "ack": ack, "win": win, "opt": bytes(opt),
                                "len": plen - doff * 4}


def main():
    cap, out, mac = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3].replace(":", ""))
    sent = [tcp(p) for p in frames(out)]
    sent = [s for s in sent if s]
    mss, peer_end, bad, n, crossed, crossed_conns = {}, {}, 0, 0, 0, set()
    for p in frames(cap):
        t = tcp(p)
        if not t:
            continue
        k, f = t
        if p[6:12] != mac:
            rk = (k[2], k[3], k[0], k[1])
            end = (f["seq"] + f["len"] + (1 if f["flags"] & 3 else 0)) & 0xffffffff
            if f["flags"] & 4 == 0 and (rk not in peer_end or ((end - peer_end[rk]) & 0x80000000) == 0):
                peer_end[rk] = end
            if f["flags"] & 2:	# the peer's SYN or SYN-ACK: the MSS it takes
                o = f["opt"]
                for i in range(len(o) - 3):
                    if o[i] == 2 and o[i + 1] == 4:
                        mss[(k[2], k[3], k[0], k[1])] = struct.unpack(">H", o[i + 2:i + 4])[0]
                        break
            continue
        n += 1
        m = mss.get(k, 536) - (12 if b"\x08\x0a" in f["opt"] else 0)
        if f["len"] > m:
            got = sorted(s[1]["seq"] for s in sent if s[0] == k and s[1]["ack"] == f["ack"] and
                         s[1]["win"] == f["win"] and f["seq"] <= s[1]["seq"] < f["seq"] + f["len"])
            covered = sum(s[1]["len"] for s in sent if s[0] == k and s[1]["seq"] in got)
            if covered != f["len"]:
                print("segment %d bytes at seq %u (before offload): %d bytes of it sent" % (f["len"], f["seq"], covered))
                bad += 1
            continue
        same = [s for s in sent if s[0] == k and s[1]["seq"] == f["seq"] and s[1]["flags"] == f["flags"]]
        # Built before the host's kernel took in what the capture already
        # shows arriving (the two crossed at the capture point): the stack,
        # in capture order, acknowledges more, so its ack, window and
        # timestamp echo are not compared. After a crossed FIN the host's
        # close took another path (FIN_WAIT1, CLOSING): that connection's
        # later segments are not compared either.
        if k in peer_end and ((f["ack"] - peer_end[k]) & 0x80000000) and f["flags"] & 16:
            crossed += 1
            if f["flags"] & 1:
                crossed_conns.add(k)
            if not same:
                print("recorded %s seq %u flags %#x (crossed): sent nothing" % (k, f["seq"], f["flags"]))
                bad += 1
            continue
        if k in crossed_conns:
            crossed += 1
            continue
        if not any(s[1] == f for s in same):
            print("recorded %s seq %u ack %u flags %#x win %u opt %s: sent %s" % (k, f["seq"], f["ack"], f["flags"],
                  f["win"], f["opt"].hex(), [(s[1]["ack"], s[1]["win"], s[1]["opt"].hex()) for s in same] or "nothing"))
            bad += 1
    print("%s: %d TCP segments of the host's, %d differ%s" % (cap.rsplit("/", 1)[-1], n, bad,
          " (%d from a segment that crossed the peer's at the capture point, or after it: the stack takes them in capture order)" % crossed
          if crossed else ""))
    sys.exit(1 if bad or not n else 0)


main()
