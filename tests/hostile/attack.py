#!/usr/bin/env python3
"""tests/hostile/attack.py - hostile clients against a running `netjourney
serve` (driven by tests/hostile/attack.sh), each a bounded attack on
loopback that prints one line of figures and exits 1 when the server does
not hold:

  slowloris BASE N ADDR...   N connections from each source ADDR trickle
                             header bytes; a normal request from each ADDR
                             and from 127.0.0.3 is answered in < 3 s, and
                             the server cuts every trickler
  sse BASE N                 N /api/live readers that never read (4 KiB
                             receive buffers); normal requests stay < 3 s,
                             and the server cuts the stalled streams
  origin BASE PCAP           foreign Host 421, cross-site text/plain POST
                             403 (nothing registered), same origin 201
  uploads BASE PID PCAP N    N uploads of PCAP at once; samples the
                             server's RSS and its temporary files (open
                             files and spool) while they run
  sigterm BASE PID PCAP      SIGTERM while PCAP replays: the upload is
                             answered 503 within a second
  disk BASE PID SPOOL PCAP   uploads against serve --disk-budget 6M: a
                             body over it is answered 507 while it still
                             arrives; with 2.9 MB of one upload's body
                             held, another body and another upload's
                             trace each pass it (507), the held upload
                             then completes (201, its trace served) and
                             the refused capture alone is a 201; no
                             spool file left, no trace file but the
                             kept ones
  trickle BASE PID PCAP      SIGTERM while two uploads still send their
                             bodies (one trickling, one stalled): each is
                             answered 503 within a second, the server
                             exits within 1.5 s
"""
import http.client
import json
import select
import os
import signal
import socket
import struct
import sys
import threading
import time

FAIL = []


def bad(msg):
    FAIL.append(msg)
    print("  FAIL: " + msg)


def hostport(base):
    h, p = base.split("//", 1)[1].rstrip("/").split(":")
    return h, int(p)


def request(base, path, method="GET", body=None, headers=None, src=None, timeout=10):
    """(status, headers dict, body bytes, seconds) of one request."""
    h, p = hostport(base)
    t0 = time.monotonic()
    c = http.client.HTTPConnection(h, p, timeout=timeout, source_address=(src, 0) if src else None)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        return r.status, dict(r.getheaders()), data, time.monotonic() - t0
    except OSError as e:
        return 0, {}, str(e).encode(), time.monotonic() - t0
    finally:
        c.close()


def closed_by_server(s):
    """True when the server has closed s (EOF or reset), reading what is left.
    A cut stream's last bytes and FIN follow only as the reading opens its
    window, so one quiet moment is not an answer: it reads until EOF, a
    reset, 0.3 s without a byte, or 3 s in all."""
    s.settimeout(0.3)
    end = time.monotonic() + 3
    try:
        while time.monotonic() < end:
            if not s.recv(65536):
                return True
        return False
    except socket.timeout:
        return False
    except OSError:
        return True


def normal_requests(base, srcs, rounds, gap, label):
    worst = 0.0
    for _ in range(rounds):
        for src in srcs:
            st, _, body, dt = request(base, "/api/traces", src=src)
            worst = max(worst, dt)
            if st != 200 or dt >= 3:
                bad("%s: a normal request from %s: HTTP %s after %.2f s %s" % (label, src, st, dt, body[:80]))
        time.sleep(gap)
    return worst


def slowloris(base, n, addrs):
    h, p = hostport(base)
    socks = []
    for a in addrs:
        for _ in range(n):
            s = socket.socket()
            s.bind((a, 0))
            s.connect((h, p))
            s.sendall(b"GET /api/traces HTTP/1.1\r\nHost: localhost\r\n")
            socks.append(s)
    stop = time.monotonic() + 8
    alive = list(socks)

    def trickle():
        while time.monotonic() < stop and alive:
            for s in list(alive):
                try:
                    s.send(b"X")
                except OSError:
                    alive.remove(s)
            time.sleep(0.5)
    t = threading.Thread(target=trickle)
    t.start()
    worst = normal_requests(base, list(addrs) + ["127.0.0.3"], 4, 1.0, "slowloris")
    t.join()
    cut = sum(closed_by_server(s) for s in socks)
    for s in socks:
        s.close()
    print("  slowloris: %d trickling connections from %s: worst normal request %.2f s; %d of %d cut by the server"
          % (len(socks), " and ".join(addrs), worst, cut, len(socks)))
    if cut != len(socks):
        bad("slowloris: %d trickling connections still open after 8 s" % (len(socks) - cut))


def sse(base, n):
    h, p = hostport(base)
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect((h, p))
        s.sendall(b"GET /api/live?from=0 HTTP/1.1\r\nHost: localhost\r\n\r\n")
        socks.append(s)
    worst = normal_requests(base, ["127.0.0.1"], 8, 0.5, "sse")
    time.sleep(4)
    cut = sum(closed_by_server(s) for s in socks)
    for s in socks:
        s.close()
    print("  sse: %d readers that never read: worst normal request %.2f s; %d of %d cut by the server"
          % (n, worst, cut, n))
    if cut < n:
        bad("sse: %d stalled streams still open" % (n - cut))


def origin(base, pcap):
    h, p = hostport(base)
    body = open(pcap, "rb").read()
    st, _, _, _ = request(base, "/api/traces", headers={"Host": "evil.example"})
    if st != 421:
        bad("origin: Host evil.example answered %s, not 421" % st)
    st, _, _, _ = request(base, "/", headers={"Host": "evil.example:%d" % p})
    if st != 421:
        bad("origin: static file for Host evil.example answered %s, not 421" % st)
    before = len(json.loads(request(base, "/api/traces")[2])["traces"])
    st, _, _, _ = request(base, "/api/traces?name=x.pcap", "POST", body,
                          {"Origin": "http://evil.example", "Content-Type": "text/plain"})
    if st != 403:
        bad("origin: cross-site text/plain POST answered %s, not 403" % st)
    after = len(json.loads(request(base, "/api/traces")[2])["traces"])
    if after != before:
        bad("origin: the refused POST registered a trace")
    st, _, _, _ = request(base, "/api/traces?name=own.pcap", "POST", body,
                          {"Origin": "http://%s:%d" % (h, p), "Content-Type": "application/octet-stream"})
    if st != 201:
        bad("origin: same-origin POST answered %s, not 201" % st)
    print("  origin: foreign Host 421, cross-site POST 403 (traces %d -> %d), same origin 201" % (before, after))


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS"):
            return int(line.split()[1])
    return 0


def temp_bytes(pid, spool):
    """Bytes of the server's open temporary files: its traces (unlinked, in
    /tmp) and its upload spool files, each file counted once."""
    seen = {}
    for fd in os.listdir("/proc/%d/fd" % pid):
        path = "/proc/%d/fd/%s" % (pid, fd)
        try:
            link = os.readlink(path)
            st = os.stat(path)
        except OSError:
            continue
        if (link.startswith("/tmp/") or link.startswith(spool + "/")) and os.path.isfile(path):
            seen[(st.st_dev, st.st_ino)] = st.st_size
    return sum(seen.values())


def uploads(base, pid, pcap, n):
    body = open(pcap, "rb").read()
    spool = os.environ.get("SPOOL", "/tmp")
    res = []
    peak = [0, 0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            try:
                peak[0] = max(peak[0], rss_kib(pid))
                peak[1] = max(peak[1], temp_bytes(pid, spool))
            except OSError:
                pass
            time.sleep(0.05)

    def one(i):
        st, hd, data, dt = request(base, "/api/traces?name=up%d.pcap" % i, "POST", body,
                                   {"Content-Type": "application/octet-stream"}, timeout=120)
        res.append((st, hd.get("Retry-After"), dt, data[:120]))
    s = threading.Thread(target=sample)
    s.start()
    ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    took = time.monotonic() - t0
    done.set()
    s.join()
    codes = sorted("%s%s" % (r[0], "(Retry-After %s)" % r[1] if r[1] else "") for r in res)
    print("  uploads: %d x %d bytes at once: answers %s in %.1f s; peak RSS %d KiB, peak temporary files %d KiB"
          % (n, len(body), " ".join(codes), took, peak[0], peak[1] // 1024))
    for r in res:
        if r[0] not in (201, 503, 507):
            bad("uploads: answer %s: %s" % (r[0], r[3]))
    limit = int(os.environ.get("RSS_LIMIT_KIB", "307200"))
    if peak[0] > limit:
        bad("uploads: peak RSS %d KiB over %d KiB" % (peak[0], limit))
    disk = int(os.environ.get("DISK_LIMIT_KIB", "0"))
    if disk and peak[1] // 1024 > disk:
        bad("uploads: peak temporary files %d KiB over %d KiB" % (peak[1] // 1024, disk))
    print("  figures: rss_kib=%d temp_kib=%d" % (peak[0], peak[1] // 1024))


def sigterm(base, pid, pcap):
    body = open(pcap, "rb").read()
    out = {}

    def one():
        out["r"] = request(base, "/api/traces?name=slow.pcap", "POST", body, timeout=30)
    t = threading.Thread(target=one)
    t.start()
    time.sleep(1.0)			# the body is in, the replay runs
    t0 = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    t.join()
    st, hd, data, _ = out["r"]
    dt = time.monotonic() - t0
    print("  sigterm: the upload in flight was answered %s (Retry-After %s) %.2f s after SIGTERM"
          % (st, hd.get("Retry-After"), dt))
    if st != 503 or dt >= 1.0:
        bad("sigterm: answer %s after %.2f s, not a 503 within 1 s: %s" % (st, dt, data[:100]))


def read_answer(s, until):
    """(status, headers dict, body bytes) of the answer on s, read until
    EOF or its Content-Length; status 0 when none came before until."""
    buf = b""
    while time.monotonic() < until:
        r, _, _ = select.select([s], [], [], max(0.0, until - time.monotonic()))
        if not r:
            break
        try:
            d = s.recv(65536)
        except OSError:
            break
        if not d:
            break
        buf += d
        head, sep, body = buf.partition(b"\r\n\r\n")
        if sep:
            hd = dict(l.split(": ", 1) for l in head.decode("latin-1").split("\r\n")[1:] if ": " in l)
            if len(body) >= int(hd.get("Content-Length", "-1")) >= 0:
                break
    head, sep, body = buf.partition(b"\r\n\r\n")
    if not sep:
        return 0, {}, buf
    lines = head.decode("latin-1").split("\r\n")
    hd = dict(l.split(": ", 1) for l in lines[1:] if ": " in l)
    return int(lines[0].split()[1]), hd, body


def trickle(base, pid, pcap):
    """Two uploads whose bodies are still arriving when SIGTERM comes: one
    sends 100 bytes every 100 ms, the other sent 1 KiB and went quiet."""
    h, p = hostport(base)
    data = open(pcap, "rb").read()
    head = ("POST /api/traces?name=%%s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/octet-stream\r\n"
            "Content-Length: %d\r\n\r\n" % (h, p, len(data)))
    out = {}
    term = threading.Event()
    t_term = [0.0]

    def client(name, steady):
        s = socket.create_connection((h, p))
        s.sendall((head % name).encode() + data[:1024])
        off = 1024
        while not term.is_set() or (steady and time.monotonic() - t_term[0] < 5):
            if steady:
                try:
                    s.send(data[off:off + 100])
                    off += 100
                except OSError:
                    pass
            r, _, _ = select.select([s], [], [], 0.1)
            if r or (term.is_set() and not steady):
                break
        out[name] = read_answer(s, time.monotonic() + 5) + (time.monotonic() - t_term[0], off)
        s.close()
    ts = [threading.Thread(target=client, args=("trickling.pcap", True)),
          threading.Thread(target=client, args=("stalled.pcap", False))]
    for t in ts:
        t.start()
    time.sleep(1.0)			# both are sending their bodies:
    spool = os.environ.get("SPOOL")	# each has its spool file
    for _ in range(100):
        if not spool or len([f for f in os.listdir(spool) if f.startswith("netjourney-upload-")]) >= 2:
            break
        time.sleep(0.05)
    t_term[0] = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    term.set()
    gone = None
    while time.monotonic() - t_term[0] < 5:
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    gone = time.monotonic() - t_term[0]
                    break
        except OSError:
            gone = time.monotonic() - t_term[0]
            break
        time.sleep(0.02)
    for t in ts:
        t.join()
    for name in ("trickling.pcap", "stalled.pcap"):
        st, hd, body, dt, sent = out[name]
        print("  trickle: %s (%d of %d bytes sent) answered %s (Retry-After %s) %.2f s after SIGTERM: %s"
              % (name, sent, len(data), st, hd.get("Retry-After"), dt, body[:90].decode("latin-1")))
        try:
            err = json.loads(body).get("error")
        except ValueError:
            err = None
        if st != 503 or dt >= 1.0 or not err or hd.get("Retry-After") != "1":
            bad("trickle: %s: answer %s after %.2f s, not a JSON 503 with Retry-After within 1 s" % (name, st, dt))
    print("  trickle: the server exited %s after SIGTERM" % ("%.2f s" % gone if gone is not None else "not within 5 s"))
    if gone is None or gone >= 1.5:
        bad("trickle: the server took %s to exit" % ("%.2f s" % gone if gone is not None else "over 5 s"))


def big_frames(n, flen):
    """A pcap of n Ethernet frames of flen bytes to another host: a large
    body that makes a small trace (each frame is dropped OTHERHOST)."""
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1)]
    for i in range(n):
        fr = bytes.fromhex("02000000999902000000aaaa0800") + bytes(flen - 14)
        out.append(struct.pack("<IIII", 1000 + i, 0, len(fr), len(fr)) + fr)
    return b"".join(out)


class Upload:
    """A POST /api/traces sent a piece at a time on its own socket."""

    def __init__(self, base, name, data):
        h, p = hostport(base)
        self.data, self.sent, self.name = data, 0, name
        self.s = socket.create_connection((h, p))
        self.s.sendall(("POST /api/traces?name=%s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/"
                        "octet-stream\r\nContent-Length: %d\r\n\r\n" % (name, h, p, len(data))).encode())

    def send(self, upto, step=65536):
        """Sends up to byte upto; stops early when an answer came."""
        while self.sent < upto:
            try:
                self.s.sendall(self.data[self.sent:min(upto, self.sent + step)])
            except OSError:
                return True
            self.sent = min(upto, self.sent + step)
            if select.select([self.s], [], [], 0.01)[0]:
                return True
        return False

    def answer(self):
        st, hd, body = read_answer(self.s, time.monotonic() + 30)
        self.s.close()
        try:
            err = json.loads(body).get("error", "")
        except ValueError:
            err = ""
        return st, err, body


def tmp_files(pid, spool):
    """How many temporary files the server holds open (its traces: unlinked
    files in /tmp; spool files), and the spool folder's listing."""
    n = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        n += (link.startswith("/tmp/") and link.endswith(" (deleted)")) or link.startswith(spool + "/")
    return n, sorted(os.listdir(spool))


def disk(base, pid, spool, pcap):
    small = open(pcap, "rb").read()
    held = big_frames(50, 60000)		# 3.0 MB body, 1.9 MB trace
    # 1. one body over the budget: answered while it still arrives (the
    # client stops sending 7 of its 12 MB in: any answer is a mid-body one)
    u = Upload(base, "over.pcap", big_frames(200, 60000))
    u.send(7000000)
    st, err, _ = u.answer()
    print("  disk: a %d-byte body against 6 MiB, %d bytes sent: answered %s: %s" % (len(u.data), u.sent, st, err))
    if st != 507 or "disk budget" not in err:
        bad("disk: a body over the budget, %d of %d bytes sent: %s, not a 507" % (u.sent, len(u.data), st))
    # 2. one upload holds 2.9 MB of body (all of it in its spool file);
    # a second body, then a capture's trace pass the budget
    a = Upload(base, "held.pcap", held)
    a.send(2900000)
    for _ in range(100):
        if sum(os.path.getsize(os.path.join(spool, f)) for f in os.listdir(spool)) >= 2900000:
            break
        time.sleep(0.05)
    b = Upload(base, "body.pcap", big_frames(135, 60000))
    b.send(4000000)
    st_b, err_b, _ = b.answer()
    st_c, _, body_c, _ = request(base, "/api/traces?name=trace.pcap", "POST", small,
                                 {"Content-Type": "application/octet-stream"}, timeout=60)
    err_c = json.loads(body_c or b"{}").get("error", "")
    a.send(len(a.data))
    st_a, _, body_a = a.answer()
    st_d, _, body_d, _ = request(base, "/api/traces?name=alone.pcap", "POST", small,
                                 {"Content-Type": "application/octet-stream"}, timeout=60)
    print("  disk: with 2.9 MB held: a second body %s after %d of %d bytes; a %d-byte capture %s (%s); "
          "the held upload %s; that capture alone %s" % (st_b, b.sent, len(b.data), len(small), st_c, err_c[:60],
                                                       st_a, st_d))
    if st_b != 507 or "disk budget" not in err_b:
        bad("disk: the second body answered %s after %d of %d bytes: %s" % (st_b, b.sent, len(b.data), err_b))
    if st_c != 507 or "disk budget" not in err_c or "replay" not in err_c:
        bad("disk: the capture whose trace passes the budget answered %s: %s" % (st_c, err_c))
    if st_a != 201 or st_d != 201:
        bad("disk: the held upload answered %s, the capture alone %s: %s %s" % (st_a, st_d, body_a[:80], body_d[:80]))
        return
    ids = {json.loads(body_a)["id"]: "held.pcap", json.loads(body_d)["id"]: "alone.pcap"}
    listed = {t["id"]: t["name"] for t in json.loads(request(base, "/api/traces")[2])["traces"]}
    if listed != ids:
        bad("disk: traces listed %s, not the two 201 answers %s" % (listed, ids))
    for i in ids:
        st, _, ev, _ = request(base, "/api/traces/%d/events?limit=5" % i)
        if st != 200 or len(json.loads(ev).get("events", [])) != 5:
            bad("disk: trace %d: HTTP %s %s" % (i, st, ev[:80]))
    time.sleep(0.3)			# the requests' ends are handled
    n, left = tmp_files(pid, spool)
    print("  disk: afterwards %d temporary files open (the 2 traces kept), spool %s" % (n, left or "empty"))
    if n != 2 or left:
        bad("disk: %d temporary files open, spool %s: not only the 2 kept traces" % (n, left))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "slowloris":
        slowloris(args[0], int(args[1]), args[2:])
    elif cmd == "sse":
        sse(args[0], int(args[1]))
    elif cmd == "origin":
        origin(args[0], args[1])
    elif cmd == "uploads":
        uploads(args[0], int(args[1]), args[2], int(args[3]))
    elif cmd == "sigterm":
        sigterm(args[0], int(args[1]), args[2])
    elif cmd == "disk":
        disk(args[0], int(args[1]), args[2], args[3])
    elif cmd == "trickle":
        trickle(args[0], int(args[1]), args[2])
    sys.exit(1 if FAIL else 0)


if __name__ == "__main__":
    main()
