#!/bin/sh
# TCP in step with a capture (docs/design.md §4b): a server capture replayed
# with its "recorded" listener puts exactly one SYN-ACK in -w, the one the
# recorded host sent (read ahead: replay_ahead.c), not the stack's own
# followed by the recorded one.
cd "$(dirname "$0")/../.." || exit 1
NJ=${NJ:-build/netjourney}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
"$NJ" replay -q -c pcaps/tcp-recorded-server.json -w "$T/o.pcap" pcaps/tcp-recorded-server.pcap >/dev/null 2>&1 ||
	{ echo "tcpopt: replay of tcp-recorded-server failed"; exit 1; }
n=$(python3 tests/tcpopt/synacks.py "$T/o.pcap")
if [ "$n" != 1 ]; then echo "tcpopt: tcp-recorded-server: $n SYN-ACKs in -w, expected 1"; fail=1; fi
# the ISN is the recorded host's (777777)
"$NJ" replay -c pcaps/tcp-recorded-server.json pcaps/tcp-recorded-server.pcap 2>&1 | grep -q "ISS 777777" ||
	{ echo "tcpopt: the request sock did not take the recorded ISN 777777"; fail=1; }
# The same capture with an ordinary (http) listener: the socket falls in
# step when the capture shows the host sending; still one SYN-ACK.
sed 's/"recorded"/"http"/' pcaps/tcp-recorded-server.json > "$T/http.json"
"$NJ" replay -q -c "$T/http.json" -w "$T/h.pcap" pcaps/tcp-recorded-server.pcap >/dev/null 2>&1
n=$(python3 tests/tcpopt/synacks.py "$T/h.pcap")
if [ "$n" != 1 ]; then echo "tcpopt: tcp-recorded-server with an http listener: $n SYN-ACKs in -w, expected 1"; fail=1; fi
[ $fail = 0 ] && echo "tcpopt: one SYN-ACK in -w, with the recorded ISN (recorded and http listeners)"
exit $fail
