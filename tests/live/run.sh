#!/bin/sh
# tests/live/run.sh - `netjourney live` against a real Linux peer. Builds
# the classroom network with `lab-net up` (a namespace 10.0.0.1 bridged to
# a TAP, all names unique to this run), starts live on the TAP, and from
# the peer's kernel: ping, ARP, a TCP connection to the http app, RST from
# a closed port, ICMP port unreachable for UDP, a fragmented ping, the
# browser's /api/live stream. Then SIGTERM, and the trace file is checked.
# Skips (exit 0) only without root, /dev/net/tun or network namespaces; a
# missing tool (make deps installs them all) is a failure.
cd "$(dirname "$0")/../.." || exit 1
NJ=${NJ:-build/netjourney}
start=$(date +%s)

skip() { echo "SKIP tests/live: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root (a TAP device and network namespaces)"
[ -c /dev/net/tun ] || skip "/dev/net/tun is not available (no TUN/TAP driver)"
command -v ip >/dev/null 2>&1 || { echo "FAIL tests/live: ip is needed (make deps: iproute2)"; exit 1; }
ip netns add njchk$$ 2>/dev/null || skip "network namespaces are not available (ip netns add failed)"
ip netns del njchk$$
for t in ping python3 curl nc arping setpriv; do
	command -v $t >/dev/null 2>&1 || { echo "FAIL tests/live: $t is needed (make deps)"; exit 1; }
done
[ -x "$NJ" ] || { echo "FAIL tests/live: $NJ not built"; exit 1; }

TAP=njt$$
NS=njtp$$
TMP=$(mktemp -d)
LIVE=
status=0

cleanup() {
	[ -n "$LIVE" ] && kill -TERM "$LIVE" 2>/dev/null && wait "$LIVE" 2>/dev/null
	mountpoint -q "$TMP/full" 2>/dev/null && umount "$TMP/full"
	for d in relg$$ relf$$; do ip link del dev "$d" 2>/dev/null; done
	"$NJ" lab-net down --tap $TAP --ns $NS >/dev/null 2>&1
	for d in ve-$TAP $TAP br-$TAP njc$$; do ip link del dev "$d" 2>/dev/null; done
	ip netns del $NS 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "  FAIL: $*"; status=1; }
ok() { echo "  ok: $*"; }
peer() { ip netns exec $NS "$@"; }

# A tun device cannot go on a TAP (Ethernet): refused before any device is made.
echo '{"interfaces":[{"name":"tun0","type":"tun","addrs":["10.8.0.2/24"]}]}' >"$TMP/tun.json"
if "$NJ" live --tap $TAP -c "$TMP/tun.json" -o "$TMP/tun.jsonl" 2>"$TMP/tun.err"; then
	fail "live took a tun scenario"
elif grep -q "is a tun device" "$TMP/tun.err" && ! ip link show $TAP >/dev/null 2>&1; then
	ok "live refuses a tun scenario: $(cat "$TMP/tun.err")"
else
	cat "$TMP/tun.err"; fail "live's refusal of a tun scenario"
fi

"$NJ" lab-net up --tap $TAP --ns $NS >"$TMP/lab.out" 2>&1 || { cat "$TMP/lab.out"; echo "FAIL: lab-net up"; exit 1; }

"$NJ" live --tap $TAP -o "$TMP/trace.jsonl" -q --serve --port 0 >"$TMP/live.out" 2>"$TMP/live.err" &
LIVE=$!
i=0
until grep -q "is on TAP" "$TMP/live.err" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 50 ] || ! kill -0 $LIVE 2>/dev/null; then
		cat "$TMP/live.err"; echo "FAIL: netjourney live did not start"; exit 1
	fi
	sleep 0.1
done
PORT=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$TMP/live.err" | head -n 1)

# The browser's stream: an SSE reader on loopback while the peer pings.
SSE=
if command -v curl >/dev/null 2>&1 && [ -n "$PORT" ]; then
	curl -s -N -m 4 "http://127.0.0.1:$PORT/api/live" >"$TMP/sse.txt" 2>/dev/null &
	SSE=$!
	sleep 0.3
fi

# 1. ping (and ARP before it): three echo replies.
if peer ping -c 3 -i 0.3 -W 2 10.0.0.2 >"$TMP/ping.txt" 2>&1 && grep -q " 3 received" "$TMP/ping.txt"; then
	ok "ping: 3 replies"
else
	cat "$TMP/ping.txt"; fail "ping 10.0.0.2: expected 3 replies"
fi

# 1b. ping over IPv6 (issue 24): neighbour discovery, then three echo replies.
if peer ping -6 -c 3 -i 0.3 -W 2 fd00::2 >"$TMP/ping6.txt" 2>&1 && grep -q " 3 received" "$TMP/ping6.txt"; then
	ok "ping -6: 3 replies from fd00::2"
else
	cat "$TMP/ping6.txt"; fail "ping -6 fd00::2: expected 3 replies"
fi
if ip -n $NS -6 neigh show fd00::2 | grep -qi "02:00:00:00:00:01"; then
	ok "NDP: peer's neighbour table has fd00::2 at 02:00:00:00:00:01"
else
	ip -n $NS -6 neigh; fail "NDP: 02:00:00:00:00:01 not in the peer's IPv6 neighbour table"
fi

if peer ping -6 -s 4000 -c 1 -W 2 fd00::2 >"$TMP/frag6.txt" 2>&1 && grep -q " 1 received" "$TMP/frag6.txt"; then
	ok "fragmented ping -6: reassembled, answered in fragments"
else
	cat "$TMP/frag6.txt"; fail "ping -6 -s 4000: no reply"
fi

# 2. ARP: the peer's neighbour table holds netjourney's MAC.
if ip -n $NS neigh show 10.0.0.2 | grep -qi "02:00:00:00:00:01"; then
	ok "ARP: peer's neighbour table has 10.0.0.2 at 02:00:00:00:00:01"
else
	ip -n $NS neigh; fail "ARP: 02:00:00:00:00:01 not in the peer's neighbour table"
fi
if command -v arping >/dev/null 2>&1; then
	peer arping -c 1 -w 2 -I eth0 10.0.0.2 >"$TMP/arping.txt" 2>&1
	grep -qi "02:00:00:00:00:01" "$TMP/arping.txt" && ok "arping: answered by 02:00:00:00:00:01" ||
		{ cat "$TMP/arping.txt"; fail "arping: no reply from 02:00:00:00:00:01"; }
fi

# 3. TCP to the listening http app: the page comes back.
if command -v curl >/dev/null 2>&1; then
	peer curl -s -m 3 http://10.0.0.2/ >"$TMP/http.txt" 2>&1
elif command -v nc >/dev/null 2>&1; then
	printf 'GET / HTTP/1.0\r\n\r\n' | peer nc -w 2 10.0.0.2 80 >"$TMP/http.txt" 2>&1
else
	peer python3 -c 'import socket; s=socket.create_connection(("10.0.0.2",80),2); s.sendall(b"GET / HTTP/1.0\r\n\r\n"); print(s.recv(4096).decode())' >"$TMP/http.txt" 2>&1
fi
grep -q "Hello from netjourney" "$TMP/http.txt" && ok "TCP: http page from 10.0.0.2:80" ||
	{ cat "$TMP/http.txt"; fail "TCP: no http page from 10.0.0.2:80"; }

# 3b. The same page over IPv6 (issue 24): the dual-stack listener, TCP
# over IPv6 on the same socket code.
peer curl -s -m 3 'http://[fd00::2]/' >"$TMP/http6.txt" 2>&1
grep -q "Hello from netjourney" "$TMP/http6.txt" && ok "TCP over IPv6: http page from [fd00::2]:80" ||
	{ cat "$TMP/http6.txt"; fail "TCP over IPv6: no http page from [fd00::2]:80"; }

# 4. A closed TCP port: RST, i.e. "Connection refused".
if command -v nc >/dev/null 2>&1; then
	peer nc -v -w 2 10.0.0.2 81 </dev/null >"$TMP/rst.txt" 2>&1
else
	peer python3 -c 'import socket; socket.create_connection(("10.0.0.2",81),2)' >"$TMP/rst.txt" 2>&1
fi
grep -qi "refused" "$TMP/rst.txt" && ok "TCP: port 81 refused (RST)" ||
	{ cat "$TMP/rst.txt"; fail "TCP: port 81 was not refused"; }

# 5. UDP to a closed port: ICMP port unreachable, seen by the peer's socket
#    (ECONNREFUSED) and in its Icmp InDestUnreachs counter.
unreach() { peer awk '/^Icmp:/ { if (n++) print $5 }' /proc/net/snmp; }
before=$(unreach)
peer python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.connect(("10.0.0.2", 9999)); s.send(b"anyone?")
try:
    s.recv(100); print("answered")
except ConnectionRefusedError: print("refused")
except socket.timeout: print("timeout")' >"$TMP/udp.txt" 2>&1
after=$(unreach)
if grep -q refused "$TMP/udp.txt" && [ "$after" -gt "$before" ]; then
	ok "UDP: port unreachable (InDestUnreachs $before -> $after)"
else
	cat "$TMP/udp.txt"; fail "UDP: no port unreachable (InDestUnreachs $before -> $after)"
fi

# 6. A 4000-byte ping, fragmented by the peer's kernel: reassembled, answered
#    (and the reply fragmented by the stack, reassembled by the peer).
if peer ping -s 4000 -c 1 -W 2 10.0.0.2 >"$TMP/frag.txt" 2>&1 && grep -q " 1 received" "$TMP/frag.txt"; then
	ok "fragmented ping: answered"
else
	cat "$TMP/frag.txt"; fail "ping -s 4000: no reply"
fi

# 7. Errors that name the problem: the TAP busy, no privileges.
"$NJ" live --tap $TAP -q >/dev/null 2>"$TMP/busy.txt"
[ $? -eq 1 ] && grep -q "busy" "$TMP/busy.txt" && ok "second reader: '$(head -c 60 "$TMP/busy.txt")…'" ||
	{ cat "$TMP/busy.txt"; fail "a second live on the same TAP should fail with 'busy'"; }
# As nobody: a copy of the binary in a directory nobody can reach, run from
# /, so the checkout's place (say /root, mode 700) does not matter.
NOBODY=$(mktemp -d /tmp/nj-nobody.XXXXXX)
chmod 755 "$NOBODY"
cp "$NJ" "$NOBODY/netjourney" && chmod 755 "$NOBODY/netjourney"
if ! (cd / && setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$NOBODY/netjourney"); then
	fail "unprivileged: user 65534 cannot run $NOBODY/netjourney"
else
	(cd / && setpriv --reuid=65534 --regid=65534 --clear-groups "$NOBODY/netjourney" live --tap njnr$$) >/dev/null 2>"$TMP/priv.txt"
	[ $? -eq 1 ] && grep -q "CAP_NET_ADMIN" "$TMP/priv.txt" && ok "unprivileged: names root/CAP_NET_ADMIN" ||
		{ cat "$TMP/priv.txt"; fail "unprivileged live should name CAP_NET_ADMIN"; }
fi
rm -rf "$NOBODY"

# 8. The browser stream carried the ping's journey.
if [ -n "$SSE" ]; then
	wait $SSE
	grep -q '"fn":"icmp_rcv"' "$TMP/sse.txt" && ok "/api/live streamed the journeys" ||
		{ head -c 400 "$TMP/sse.txt"; fail "/api/live: no icmp_rcv event in the stream"; }
fi

# 9. SIGTERM: a clean stop, a complete trace renamed into place (no
#    .part, no .partial).
kill -TERM $LIVE
wait $LIVE
rc=$?
LIVE=
[ $rc -eq 0 ] && ok "SIGTERM: exit 0" || { cat "$TMP/live.err"; fail "live exited $rc on SIGTERM"; }
if [ -e "$TMP/trace.jsonl.part" ] || [ -e "$TMP/trace.jsonl.partial" ]; then
	fail "SIGTERM left trace.jsonl.part or trace.jsonl.partial"
fi
python3 - "$TMP/trace.jsonl" <<'EOF' || status=1
import json, sys
lines = open(sys.argv[1]).read().splitlines()
ev = [json.loads(l) for l in lines]          # every line valid JSON
end = ev[-1]
assert end.get("kind") == "trace_end" and end.get("complete") is True, "last line: %r" % lines[-1][:200]
assert ev[0].get("kind") == "trace_start", "first line is not trace_start"
seen = {(e.get("fn"), e.get("ph"), e.get("verdict"), e.get("reason")) for e in ev}
fns = {e.get("fn") for e in ev}
want = [("arp_process", "E", "consumed", None), ("icmp_rcv", "E", "consumed", None),
        ("tcp_conn_request", "E", "consumed", None), ("tcp_v4_send_reset", "E", "sent", None),
        ("tcp_v4_rcv", "E", "drop", "NO_SOCKET"), ("udp_rcv", "E", "drop", "NO_SOCKET"),
        ("ip_frag_reasm", "E", "pass", None), ("ndisc_rcv", "E", "consumed", None),
        ("icmpv6_rcv", "E", "consumed", None)]
missing = [w for w in want if w not in seen]
missing += [f for f in ("driver_rx", "icmp_send", "dev_queue_xmit", "ip_fragment") if f not in fns]
assert not missing, "missing from the trace: %r" % missing
print("  ok: trace: %d lines, valid JSON, trace_end complete, %d packets, expected journeys present"
      % (len(lines), end.get("packets", 0)))
EOF

# 10. A TAP that live creates itself is gone when live stops.
"$NJ" live --tap njc$$ -q >/dev/null 2>"$TMP/own.txt" &
LIVE=$!
i=0
until [ -e /sys/class/net/njc$$ ] || [ $i -gt 30 ]; do i=$((i + 1)); sleep 0.1; done
[ -e /sys/class/net/njc$$ ] || fail "live --tap njc$$ did not create the device"
kill -TERM $LIVE; wait $LIVE; LIVE=
[ -e /sys/class/net/njc$$ ] && fail "the TAP live created outlived it" || ok "own TAP removed on exit"

# 10b. -o when live fails: the TAP removed under it, then a full disk (a
#      16 KiB tmpfs). Each time the old -o is left as it was, -o.partial
#      holds whole lines from trace_start to a trace_end with complete:false
#      and the error, and no -o.part is left (before: the TAP's error went
#      into -o itself, and a full disk left a .partial cut mid-line).
partial_ok() {	# partial_ok NAME FILE ERROR-WORDS
	if [ "$(cat "$2")" != old ] || [ -e "$2.part" ]; then
		fail "$1: $2 was changed, or $2.part left behind"
		return
	fi
	if python3 - "$2.partial" "$3" <<'EOF'; then
import json, sys
lines = open(sys.argv[1]).read().splitlines()
ev = [json.loads(l) for l in lines]          # every line whole, valid JSON
end = ev[-1]
assert ev[0].get("kind") == "trace_start", "first line: %r" % lines[0][:100]
assert end.get("kind") == "trace_end" and end.get("complete") is False, "last line: %r" % lines[-1][:200]
assert sys.argv[2] in end.get("error", ""), "trace_end error %r lacks %r" % (end.get("error"), sys.argv[2])
print("  %s: %d lines, trace_end error: %s" % (sys.argv[1].rsplit("/", 1)[1], len(lines), end["error"]))
EOF
		ok "$1: -o kept as it was, -o.partial ends with trace_end complete:false"
	else
		fail "$1: $2.partial"
	fi
}
live_on_own_tap() {	# live_on_own_tap TAP FILE: live -o FILE on a TAP it creates; sets $LIVE
	"$NJ" live --tap "$1" -q -o "$2" >/dev/null 2>"$TMP/$1.err" &
	LIVE=$!
	i=0
	until [ -e /sys/class/net/$1 ] || [ $i -gt 30 ]; do i=$((i + 1)); sleep 0.1; done
}
wait_exit() {	# wait_exit TENTHS: waits for $LIVE to end; 1 (and kills it) if it does not
	i=0
	while kill -0 $LIVE 2>/dev/null && [ $i -lt "$1" ]; do i=$((i + 1)); sleep 0.1; done
	if kill -0 $LIVE 2>/dev/null; then
		kill -TERM $LIVE; wait $LIVE; LIVE=
		return 1
	fi
	wait $LIVE
	rc=$?
	LIVE=
	return 0
}
echo old >"$TMP/gone.jsonl"
live_on_own_tap relg$$ "$TMP/gone.jsonl"
sleep 0.5
ip link del dev relg$$ 2>/dev/null
if ! wait_exit 30; then
	fail "live went on after its TAP was removed"
else
	[ $rc -eq 1 ] || fail "live exited $rc when its TAP was removed, not 1"
	partial_ok "TAP removed" "$TMP/gone.jsonl" "removed"
fi
mkdir -p "$TMP/full"
if mount -t tmpfs -o size=16k relfull "$TMP/full" 2>/dev/null; then
	echo old >"$TMP/full/t.jsonl"
	# the kernel's own IPv6 frames on the new link (MLD reports, router
	# solicitations) soon pass 16 KiB of trace
	live_on_own_tap relf$$ "$TMP/full/t.jsonl"
	if ! wait_exit 100; then
		fail "full disk: live still ran after 10 s: $(cat "$TMP/relf$$.err")"
	else
		[ $rc -eq 1 ] || fail "live exited $rc on a full disk, not 1"
		partial_ok "full disk" "$TMP/full/t.jsonl" "No space left"
	fi
	umount "$TMP/full"
else
	echo "  (tmpfs cannot be mounted here: the full-disk case is not run)"
fi

# 11. lab-net down removes everything it made.
"$NJ" lab-net down --tap $TAP --ns $NS >"$TMP/down.txt" 2>&1 || { cat "$TMP/down.txt"; fail "lab-net down"; }
left=$(for d in $TAP br-$TAP ve-$TAP; do [ -e /sys/class/net/$d ] && echo $d; done; ip netns list | grep -w $NS)
[ -z "$left" ] && ok "lab-net down: nothing left" || fail "lab-net down left: $left"

echo "tests/live: $(( $(date +%s) - start )) s"
exit $status
