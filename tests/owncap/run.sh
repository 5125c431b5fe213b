#!/bin/sh
# tests/owncap/run.sh - an own capture, made here by this machine's kernel:
# two network namespaces on a veth pair (client 10.78.0.2 / fd78::2,
# server 10.78.0.1 / fd78::1), a Python web server, curl over IPv6 and
# IPv4, ping6 and a connection refused; tcpdump on each end. Each capture
# is replayed from the host that took it (--host), and what the stack
# sent (-w) must be what that host's kernel sent: every TCP segment with
# its flags, numbers, window and options (cmp.py), the server's offloaded
# segments in MSS-sized pieces; no segment of the host's own connections
# is answered as if it had no socket. Skips without root or namespaces.
cd "$(dirname "$0")/../.." || exit 1
NJ=${NJ:-build/netjourney}
skip() { echo "SKIP tests/owncap: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip tcpdump curl python3 ping; do
	command -v $t >/dev/null 2>&1 || { echo "FAIL tests/owncap: $t is needed (make deps)"; exit 1; }
done
S=njocs$$ C=njocc$$ T=$(mktemp -d)
ip netns add $S 2>/dev/null || skip "ip netns add does not work here"
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null
	ip netns del $S 2>/dev/null; ip netns del $C 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ip netns add $C
ip link add njo0 netns $S type veth peer name njo1 netns $C || { echo "FAIL tests/owncap: no veth"; exit 1; }
ip -n $S addr add 10.78.0.1/24 dev njo0 && ip -n $S addr add fd78::1/64 dev njo0 nodad &&
ip -n $C addr add 10.78.0.2/24 dev njo1 && ip -n $C addr add fd78::2/64 dev njo1 nodad &&
ip -n $S link set njo0 up && ip -n $C link set njo1 up && ip -n $S link set lo up && ip -n $C link set lo up ||
	{ echo "FAIL tests/owncap: network setup"; exit 1; }
SMAC=$(ip -n $S -br link show njo0 | awk '{print $3}') CMAC=$(ip -n $C -br link show njo1 | awk '{print $3}')
mkdir "$T/www" && head -c 9000 /dev/urandom | base64 >"$T/www/big.txt" && echo hello >"$T/www/index.html"
(cd "$T/www" && exec ip netns exec $S python3 -m http.server --bind :: 8080) >/dev/null 2>&1 &
SRV=$!
ip netns exec $C tcpdump -i njo1 -U -w "$T/client.pcap" >/dev/null 2>&1 &
TC=$!
ip netns exec $S tcpdump -i njo0 -U -w "$T/server.pcap" >/dev/null 2>&1 &
TS=$!
ok=0
for i in $(seq 50); do	# the server listening, the link's DAD and the captures started
	ip netns exec $C curl -s -o /dev/null "http://10.78.0.1:8080/index.html" 2>/dev/null && [ -s "$T/client.pcap" ] && { ok=1; break; }
	sleep 0.1
done
[ $ok = 1 ] || { echo "FAIL tests/owncap: the web server in $S never answered"; exit 1; }
sleep 0.3
ip netns exec $C curl -s -o /dev/null "http://[fd78::1]:8081/"	# refused
ip netns exec $C curl -s -o /dev/null "http://[fd78::1]:8080/big.txt"
ip netns exec $C curl -s -o /dev/null "http://10.78.0.1:8080/big.txt"
ip netns exec $C ping -6 -c 2 -i 0.2 fd78::1 >/dev/null
sleep 1	# tcpdump writes the last frames (-U) before it is stopped
kill $TC $TS; wait $TC $TS 2>/dev/null

fail=0
for side in client:10.78.0.2:$CMAC server:10.78.0.1:$SMAC; do
	name=${side%%:*} rest=${side#*:}; host=${rest%%:*} mac=${rest#*:}
	if ! "$NJ" replay -q --host "$host" -w "$T/$name.out.pcap" "$T/$name.pcap" >/dev/null 2>"$T/$name.err" ||
	   ! "$NJ" replay --host "$host" --summary "$T/$name.pcap" >"$T/$name.sum" 2>&1; then
		echo "FAIL tests/owncap: $name: replay failed"; cat "$T/$name.err"; fail=1; continue
	fi
	python3 tests/owncap/cmp.py "$T/$name.pcap" "$T/$name.out.pcap" "$mac" || fail=1
	# a segment of one of its own connections answered as if no socket had it
	grep "tcp_v[46]_rcv" "$T/$name.sum" | grep "NO_SOCKET" >"$T/nosock"
	# the one expected: the SYN to closed port 8081 (server), its RST's answer (none on the client)
	want=$([ $name = server ] && echo 1 || echo 0)
	[ "$(wc -l <"$T/nosock")" = "$want" ] ||
		{ echo "FAIL tests/owncap: $name: $(wc -l <"$T/nosock") TCP segment(s) found no socket (want $want):"; cat "$T/nosock"; fail=1; }
	grep -q "icmpv6_rcv.*NO_SOCKET" "$T/$name.sum" &&
		{ echo "FAIL tests/owncap: $name: ping6 reply or request without its socket"; fail=1; }
done
grep -q "its SYN-ACKs show window scale" "$T/server.err" ||
	{ echo "FAIL tests/owncap: the server's window scale not inferred:"; cat "$T/server.err"; fail=1; }
[ $fail = 0 ] && echo "tests/owncap: client and server captures of this kernel replayed; every TCP segment as the kernel sent it"
exit $fail
