#!/bin/sh
# docs/design.md §4b: third-party TCP captures taken on a host, replayed with
# --auto-host, keep the stack's server socket in step with the capture:
# its tcp_set_state transitions are the ones the capture shows (read off
# `tcpdump -nn -r`), no ACK acknowledges data the stack never sent, and
# what the stack sent (-w) is what the recorded host sent. Plus the
# checksum-offload note. Skipped when ../shared/pcaps is absent.
cd "$(dirname "$0")/../.." || exit 1
NJ=${NJ:-build/netjourney}
S="$(cd .. && pwd)/shared/pcaps"
if [ ! -d "$S" ]; then
	echo "tcpsync: $S absent (as for users): third-party captures skipped"
	exit 0
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0; n=0

HS="LISTEN>NEW_SYN_RECV NEW_SYN_RECV>SYN_RECV SYN_RECV>ESTABLISHED"
PASSIVE_CLOSE="$HS ESTABLISHED>CLOSE_WAIT CLOSE_WAIT>LAST_ACK LAST_ACK>CLOSE"

# name, server address, expected states, fields compared (all|noack|none), extra, replay options
sync() {
	name=$1 server=$2 states=$3 fields=$4 extra=$5; shift 5
	if ! $NJ replay -q --host "$server" "$@" -o "$T/t.jsonl" -w "$T/o.pcap" "$S/$name.pcap" >/dev/null 2>"$T/err"; then
		echo "tcpsync: $name: replay failed"; cat "$T/err"; fail=1; return
	fi
	python3 tests/tcpsync/check.py "$name" "$S/$name.pcap" "$T/t.jsonl" "$T/o.pcap" "$server" "$states" \
		"$fields" $extra || fail=1
	n=$((n + 1))
}

# Client GET, the server's 5008-byte reply, the client closes first.
sync zeek-http-get 192.150.187.43 "$PASSIVE_CLOSE" all ""
# The host's SYN-ACK is in the capture before the client's SYN.
sync zeek-tcp-handshake-reorder 192.150.187.43 "$PASSIVE_CLOSE" all ""
sync zeek-http-get-vlan0 192.150.187.43 "$PASSIVE_CLOSE" all ""
sync zeek-http-get-qinq 192.150.187.43 "$PASSIVE_CLOSE" all ""
# DNS over TCP: the client's FIN, then the server's FIN|PSH.
sync tcpdump-dns-over-tcp 209.87.249.18 "$PASSIVE_CLOSE" all ""
# Taken on the client, a cooked capture with no link addresses (PPP): the
# stack's copies wait on ARP, so only the states are compared.
sync tcpdump-sll-nanosec-tcp-handshake 137.116.81.94 "$HS" none ""
# The server closes first (FIN_WAIT1, its FIN sent three times), the client
# keeps sending; bad client checksums drop, their re-sent pieces do not
# (TIME_WAIT ends 60 s after the capture, as the clock runs on). The
# host acknowledges what reached it but not the capture, so acks differ.
# (--csum: the host acknowledged data whose checksums look wrong, so the
# inferred host would trust them; this case is about the drops.)
sync zeek-tcp-http-retransmits 128.3.97.175 \
	"$HS ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>TIME_WAIT TIME_WAIT>CLOSE" noack csum-retx --csum
# Every checksum is 0: --no-csum. The client resets the connection.
sync zeek-chksum-zero-all-http 192.168.0.27 "$HS ESTABLISHED>CLOSE" all "" --no-csum
# A FIN before the SYN-ACK (out of window, ignored), then the host resets.
sync zeek-tcp-fin-before-synack-rst 17.167.193.62 "LISTEN>NEW_SYN_RECV NEW_SYN_RECV>CLOSE" all ""
# A SYN and the client's RST (seq = the SYN's, out of window): the host
# never answered, so neither does the stack.
sync zeek-tcp-syn-then-rst 1.1.1.2 "LISTEN>NEW_SYN_RECV" all ""
# IPv6 (issue 24): an SMTP client capture, its connection given in the
# scenario ("connections" with IPv6 endpoints; SYN_SENT with the SYN's ISN).
if $NJ replay -q -c tests/tcpsync/zeek-ipv6-smtp.json -o "$T/t.jsonl" -w "$T/o.pcap" "$S/zeek-ipv6-smtp.pcap" \
	>/dev/null 2>"$T/err"; then
	python3 tests/tcpsync/check.py zeek-ipv6-smtp "$S/zeek-ipv6-smtp.pcap" "$T/t.jsonl" "$T/o.pcap" \
		2001:470:e5bf:dead:4957:2174:e82c:4887 "SYN_SENT>ESTABLISHED" all || fail=1
	n=$((n + 1))
else
	echo "tcpsync: zeek-ipv6-smtp: replay failed"; cat "$T/err"; fail=1
fi

# The checksum-offload note: on for a capture taken with TX offload, off with --no-csum.
# The inferred host accepted those segments: it says so and trusts them;
# with --csum they are verified, and the note explains the drops.
$NJ replay -q --auto-host "$S/zeek-chksum-tx-offload-http.pcap" >/dev/null 2>"$T/err"
grep -q "6 packets it received have checksums that look wrong (6 hold only the pseudo-header sum" "$T/err" ||
	{ echo "tcpsync: inferred host: accepted bad checksums not said:"; cat "$T/err"; fail=1; }
note="most TCP/UDP checksums from 192.168.1.28 are wrong"
$NJ replay -q --auto-host --csum "$S/zeek-chksum-tx-offload-http.pcap" >/dev/null 2>"$T/err"
grep -q "$note" "$T/err" || { echo "tcpsync: offload note missing:"; cat "$T/err"; fail=1; }
[ "$(grep -c 'checksums from' "$T/err")" -le 1 ] || { echo "tcpsync: offload note printed more than once"; fail=1; }
$NJ replay -q --auto-host --no-csum "$S/zeek-chksum-tx-offload-http.pcap" >/dev/null 2>"$T/err"
grep -q "checksums from" "$T/err" && { echo "tcpsync: offload note with --no-csum:"; cat "$T/err"; fail=1; }
$NJ replay -q --auto-host --csum "$S/zeek-tcp-http-retransmits.pcap" >/dev/null 2>"$T/err"
grep -q "checksums from" "$T/err" && { echo "tcpsync: offload note for a few bad checksums:"; cat "$T/err"; fail=1; }

echo "tcpsync: $n captures in step with their recorded host, offload note checked"
exit $fail
