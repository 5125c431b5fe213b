#!/usr/bin/env python3
"""check.py - tests/tcpsync/run.sh's checks for one replay of a capture
taken on a host (docs/design.md §4b):

  check.py NAME CAPTURE TRACE OUT SERVER STATES FIELDS [csum-retx]

- the tcp_set_state transitions of SERVER's sockets in TRACE (replay -o)
  equal STATES ("LISTEN>NEW_SYN_RECV NEW_SYN_RECV>SYN_RECV ...", "-" none);
- no packet was dropped with TCP_ACK_UNSENT_DATA;
- FIELDS "all": the TCP segments in OUT (replay -w, what the stack sent)
  equal SERVER's segments in CAPTURE (flags, seq, ack, payload length, in
  order); "noack": the same without the ack; "none": not compared;
- csum-retx: every client segment whose checksum is wrong in CAPTURE was
  dropped with TCP_CSUM (and nothing else was), and the client's
  retransmissions with good checksums were taken (queued/consumed, or
  dropped only as already received) until the connection ended for the
  stack (TIME_WAIT: later segments meet a connection that is over).
Reads pcapng and classic pcap with Ethernet (VLAN tags), SLL, SLL2 or raw
IPv4 links; IPv6 on Ethernet (SERVER then an IPv6 address)."""
import json
import socket
import struct
import sys

LETTERS = ((2, "S"), (1, "F"), (4, "R"), (8, "P"), (16, "."))


def pcapng_frames(f):
    end, links = "<", []
    f.seek(0)
    while True:
        h = f.read(8)
        if len(h) < 8:
            return
        if h[:4] == b"\x0a\x0d\x0d\x0a":
            end = "<" if f.read(4) == b"\x4d\x3c\x2b\x1a" else ">"
            f.seek(-4, 1)
            links = []
        btype, blen = struct.unpack(end + "II", h)
        body = f.read(blen - 8)
        if btype == 1:
            links.append(struct.unpack(end + "H", body[:2])[0])
        elif btype == 6:
            iface, _, _, caplen, wirelen = struct.unpack(end + "IIIII", body[:20])
            yield links[iface], body[20:20 + caplen], wirelen


def frames(path):
    with open(path, "rb") as f:
        hdr = f.read(24)
        if hdr[:4] == b"\x0a\x0d\x0d\x0a":
            yield from pcapng_frames(f)
            return
        end = "<" if hdr[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        link = struct.unpack(end + "I", hdr[20:24])[0]
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            _, _, caplen, wirelen = struct.unpack(end + "IIII", rec)
            yield link, f.read(caplen), wirelen


def ip_offset(link, p):
    if link == 1:
        off = 12
        while p[off:off + 2] in (b"\x81\x00", b"\x88\xa8"):
            off += 4
        return off + 2 if p[off:off + 2] in (b"\x08\x00", b"\x86\xdd") else None
    if link == 113:
        return 16 if p[14:16] == b"\x08\x00" else None
    if link == 276:
        return 20 if p[0:2] == b"\x08\x00" else None
    return 0 if link in (12, 14, 101, 228) else None


def csum_ok(p, off, ihl, tot):
    seg = p[off + ihl:off + tot]
    if p[off] >> 4 == 6:    # RFC 8200 8.1's pseudo-header
        data = p[off + 8:off + 40] + struct.pack(">IxxxB", len(seg), 6) + seg
    else:
        data = p[off + 12:off + 20] + struct.pack(">BBH", 0, 6, len(seg)) + seg
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s == 0xffff


def segments(path):
    """(pkt number, src, dict) for each TCP segment, over IPv4 or IPv6
    (TCP right after the fixed header)."""
    for n, (link, p, wire) in enumerate(frames(path), 1):
        off = ip_offset(link, p)
        if off is None or len(p) < off + 40:
            continue
        if p[off] >> 4 == 6 and p[off + 6] == 6 and len(p) >= off + 60:
            ihl, tot = 40, 40 + struct.unpack(">H", p[off + 4:off + 6])[0]
            src = socket.inet_ntop(socket.AF_INET6, p[off + 8:off + 24])
        elif p[off] >> 4 == 4 and p[off + 9] == 6:
            ihl = (p[off] & 15) * 4
            tot = struct.unpack(">H", p[off + 2:off + 4])[0] or len(p) - off
            src = socket.inet_ntoa(p[off + 12:off + 16])
        else:
            continue
        t = off + ihl
        seq, ack = struct.unpack(">II", p[t + 4:t + 12])
        fl = p[t + 13]
        whole = off + tot <= len(p)
        yield n, src, {
            "flags": "".join(c for b, c in LETTERS if fl & b), "seq": seq, "ack": ack if fl & 16 else 0,
            "len": tot - ihl - (p[t + 12] >> 4) * 4, "whole": whole,
            "csum_ok": csum_ok(p, off, ihl, tot) if whole else None}


def trace(path, server):
    """The server's state changes, the drop reasons by frame, and the frame
    that ended the connection for the stack (TIME_WAIT or CLOSE)."""
    states, drops, over = [], {}, None
    for line in open(path, encoding="utf-8"):
        e = json.loads(line)
        local = "[%s]:" % server if ":" in server else server + ":"
        if e.get("fn") == "tcp_set_state" and e.get("args", {}).get("sk", "").startswith(local):
            states.append(e["args"]["old"] + ">" + e["args"]["new"])
            if over is None and e["args"]["new"] in ("TIME_WAIT", "CLOSE"):
                over = e.get("pkt")
        if e.get("fn") == "kfree_skb" and e.get("reason"):
            drops.setdefault(e.get("pkt"), []).append(e["reason"])
    return states, drops, over


def fields(s, which):
    keys = ("flags", "seq", "ack", "len") if which == "all" else ("flags", "seq", "len")
    return tuple(s[k] for k in keys)


def check_csum_retx(capture, server, drops, over, fail):
    hi = None
    taken = 0
    for n, src, s in segments(capture):
        if src == server:
            continue
        bad = s["csum_ok"] is False
        got = "TCP_CSUM" in drops.get(n, [])
        if bad != got:
            fail("frame %d (seq %d, %d bytes): checksum %s but drops %s" % (n, s["seq"], s["len"],
                 "wrong" if bad else "right", drops.get(n, [])))
        end = (s["seq"] + s["len"]) & 0xffffffff
        retx = hi is not None and s["len"] and ((s["seq"] - hi) & 0xffffffff) > 0x7fffffff
        if s["len"] and (hi is None or ((end - hi) & 0xffffffff) < 0x7fffffff):
            hi = end
        if retx and not bad and s["whole"] and (over is None or n <= over):
            left = [r for r in drops.get(n, []) if r not in ("TCP_OLD_SEQUENCE", "TCP_OLD_DATA")]
            if left:
                fail("frame %d: a retransmission with a good checksum was dropped: %s" % (n, left))
            taken += not drops.get(n)
    if taken < 3:
        fail("only %d good retransmissions were taken" % taken)


def main():
    name, capture, tr, out, server, want, which = sys.argv[1:8]
    errors = []

    def fail(msg):
        errors.append(msg)

    states, drops, over = trace(tr, server)
    want = [] if want == "-" else want.split()
    if states != want:
        fail("states %s, expected %s" % (" ".join(states) or "-", " ".join(want) or "-"))
    if any("TCP_ACK_UNSENT_DATA" in r for r in drops.values()):
        fail("TCP_ACK_UNSENT_DATA drops in frames %s" % [n for n, r in drops.items() if "TCP_ACK_UNSENT_DATA" in r])
    if which != "none":
        rec = [fields(s, which) for _, src, s in segments(capture) if src == server]
        sent = [fields(s, which) for _, _, s in segments(out)]
        for i in range(max(len(rec), len(sent))):
            a = rec[i] if i < len(rec) else None
            b = sent[i] if i < len(sent) else None
            if a != b:
                fail("segment %d: the recorded host sent %s, the stack %s" % (i + 1, a, b))
                break
    if "csum-retx" in sys.argv[8:]:
        check_csum_retx(capture, server, drops, over, fail)
    for e in errors:
        print("tcpsync: %s: %s" % (name, e))
    return 1 if errors else 0


sys.exit(main())
