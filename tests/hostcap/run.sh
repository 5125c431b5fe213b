#!/bin/sh
# Host inference (issue #19): each capture made by `mkpcap host-*` is taken
# on a host; replay must infer that host, its links and sockets (checked on
# --print-scenario's JSON) and give its packets the outcomes a host with
# those sockets gives them (checked on --summary).
cd "$(dirname "$0")/../.." || exit 1
NJ=${NJ:-build/netjourney}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0; n=0
for c in host-laptop host-portscan host-midconn host-loopback host-null host-sll2 host-qinq host-router host-partial host-tso host-arpwait \
	 host-dualstack host-ipv6only host-ipv6raw host-sll-tun host-ppp host-any-lo host-any-vpn; do
	$NJ mkpcap "$c" "$T/$c.pcap" >/dev/null || { echo "hostcap: mkpcap $c failed"; fail=1; }
	$NJ replay --print-scenario "$T/$c.pcap" >"$T/$c.json" 2>"$T/$c.note" || { echo "hostcap: $c: no host inferred"; cat "$T/$c.note"; fail=1; }
	$NJ replay --summary "$T/$c.pcap" >"$T/$c.sum" 2>&1 || { echo "hostcap: $c: replay failed"; fail=1; }
done

# The reviewed goldens: each capture's inferred scenario (all of it, JSON),
# and its journeys (--summary): host-laptop's SYN-ACK and host-midconn's data
# reach the client sockets of the scenario's "connections".
# UPDATE=1 rewrites them: review the diff.
for f in tests/hostcap/expected/*.json tests/hostcap/expected/*.summary; do
	c=$(basename "${f%.*}")
	case $f in
	*.json) python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), indent=1, sort_keys=True))' \
			"$T/$c.json" >"$T/$c.norm" 2>/dev/null || : >"$T/$c.norm" ;;
	*) cp "$T/$c.sum" "$T/$c.norm" ;;
	esac
	if [ -n "$UPDATE" ]; then cp "$T/$c.norm" "$f"; continue; fi
	diff -u "$f" "$T/$c.norm" >"$T/golden.diff" || { echo "hostcap: $f differs:"; cat "$T/golden.diff"; fail=1; }
	n=$((n + 1))
done

# check NAME PYTHON-EXPR...: each expression over the scenario s must hold.
check() {
	name=$1; shift
	python3 - "$T/$name.json" "$@" <<'PY' || fail=1
import json, sys
s = json.load(open(sys.argv[1]))
ifc = s["interfaces"][0]
listen = {(l["proto"], l["port"], l["app"]) for l in s.get("listen", [])}
conns = s.get("connections", [])
neigh = {n["ip"]: n["mac"] for n in s.get("neighbours", [])}
bad = [e for e in sys.argv[2:] if not eval(e)]
for e in bad:
    print("hostcap: %s: does not hold: %s" % (sys.argv[1].rsplit("/", 1)[-1], e))
print(json.dumps(s)) if bad else None
sys.exit(1 if bad else 0)
PY
	n=$((n + 1))
}
# outcome NAME PKT PATTERN: packet PKT's summary line matches PATTERN.
outcome() {
	line=$(grep "^pkt $2:" "$T/$1.sum")
	echo "$line" | grep -q -- "$3" || { echo "hostcap: $1: packet $2 expected '$3': $line"; fail=1; }
	n=$((n + 1))
}

check host-laptop 'ifc["addrs"] == ["192.168.1.7/24"]' 'ifc["mac"] == "02:00:00:00:01:07"' \
	's["routes"] == [{"dst": "0.0.0.0/0", "via": "192.168.1.1", "dev": "eth0"}]' \
	'neigh == {"192.168.1.1": "02:00:00:00:01:fe", "192.168.1.42": "02:00:00:00:01:42"}' \
	'listen == {("udp", 41000, "recorded"), ("udp", 41001, "recorded")}' \
	'conns == [{"proto": "tcp", "local": "192.168.1.7:50000", "remote": "93.184.216.34:80", "state": "SYN_SENT", "isn": 1000, "app": "recorded", "syn_options": {"mss": 1460, "sack_ok": True, "ts": True, "wscale": 7}}]'
grep -q "the unicast MAC in 10 of 12 frames" "$T/host-laptop.note" || { echo "hostcap: laptop: the note does not say from what:"; cat "$T/host-laptop.note"; fail=1; }
outcome host-laptop 1 "=> sent"				# the host's DNS query
outcome host-laptop 2 "udp_recvmsg => consumed"		# its answer reaches the socket
outcome host-laptop 4 "tcp_rcv_state_process => consumed"	# the SYN-ACK reaches its SYN_SENT socket ("connections")
outcome host-laptop 8 "udp_recvmsg => consumed"		# the printer's hello too
outcome host-laptop 9 "=> sent"
check host-laptop 'ifc["multicast"] == ["239.255.255.250"]'	# from its IGMP report
outcome host-laptop 11 "udp_rcv"				# SSDP: a group it joined
outcome host-laptop 12 "ip_route_input_noref kfree_skb => drop NOT_SPECIFIED"	# one it did not

check host-portscan 'listen == {("tcp", 22, "recorded"), ("tcp", 80, "recorded")}' 'conns == []' \
	'ifc["addrs"] == ["192.168.1.7/24"]' 's["routes"][0].get("via") is None'
outcome host-portscan 1 "tcp_v4_rcv"				# SYN to 22: a listener
outcome host-portscan 4 "NO_SOCKET"				# SYN to 23: closed, as the RST said
outcome host-portscan 6 "tcp_v4_rcv"				# SYN to 80: a listener

check host-midconn 'conns == [{"proto": "tcp", "local": "192.168.1.7:51000", "remote": "198.51.100.9:443", "state": "ESTABLISHED", "snd_nxt": 20000, "rcv_nxt": 300000, "snd_wnd": 64240, "app": "recorded"}]' \
	'listen == set()'

check host-loopback 'ifc["name"] == "lo"' 'ifc["mac"] == "00:00:00:00:00:00"' 'ifc["addrs"] == ["127.0.0.1/8"]' \
	'listen == {("udp", 42000, "recorded"), ("udp", 5000, "recorded"), ("icmp", 0x77, "recorded")}'
grep -q "on loopback" "$T/host-loopback.note" || { echo "hostcap: loopback not named"; fail=1; }
outcome host-loopback 1 "icmp_rcv .*dev_queue_xmit => consumed"	# sent and received: not a recorded transmit; answered out of lo;
outcome host-loopback 2 "icmp_rcv => consumed"		# on lo, 127/8 is no martian (the dst came along)
outcome host-loopback 3 "udp_recvmsg => consumed"

check host-null 'ifc["addrs"] == ["10.8.0.2/24"]' 'listen == {("udp", 43000, "recorded"), ("udp", 43001, "recorded")}'
outcome host-null 1 "=> sent"
outcome host-null 2 "udp_recvmsg => consumed"
outcome host-null 4 "udp_recvmsg => consumed"

check host-sll2 'ifc["addrs"] == ["10.9.0.5/24"]' 'listen == {("udp", 44000, "recorded"), ("icmp", 0x77, "recorded")}'
grep -q "cooked header's direction" "$T/host-sll2.note" || { echo "hostcap: sll2: evidence not named"; fail=1; }
outcome host-sll2 1 "=> sent"
outcome host-sll2 2 "udp_recvmsg => consumed"
outcome host-sll2 4 "icmp_rcv => consumed"				# its ping's reply: to its ping socket
# Without the ping socket, Linux's ping_rcv drops the reply NO_SOCKET.
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); s["listen"]=[l for l in s["listen"] if l["proto"]!="icmp"]; json.dump(s,open(sys.argv[2],"w"))' \
	"$T/host-sll2.json" "$T/noping.json"
$NJ replay --summary -c "$T/noping.json" "$T/host-sll2.pcap" 2>&1 | grep "^pkt 4:" | grep -q "drop NO_SOCKET" ||
	{ echo "hostcap: an echo reply with no ping socket is not NO_SOCKET"; fail=1; }
n=$((n + 1))

# A tun (session 14): tcpdump -i any on a VPN client (cooked, ARPHRD_NONE)
# is replayed on tun0; its replies leave bare, with no ARP first, and -w
# writes them as raw IP (LINKTYPE_RAW) that tcpdump reads back.
check host-sll-tun 'ifc["name"] == "tun0"' 'ifc["type"] == "tun"' '"mac" not in ifc' 'ifc["addrs"] == ["10.8.0.2/24"]' \
	's["neighbours"] == []'
check host-null 'ifc["type"] == "tun"' '"mac" not in ifc'
# PPP: ppp0 (ARPHRD_PPP) has no MAC either; it receives through the backlog
# as ppp_input does, and its echo replies to a far peer need no ARP.
check host-ppp 'ifc["name"] == "ppp0"' 'ifc["type"] == "ppp"' '"mac" not in ifc' 's["neighbours"] == []'
outcome host-ppp 2 "netif_rx .* udp_recvmsg => consumed"
outcome host-ppp 3 "ip_finish_output2 neigh_output dev_queue_xmit => consumed"
outcome host-sll-tun 2 "tun_get_user netif_receive_skb .* icmp_rcv => consumed"	# no backlog
outcome host-sll-tun 3 "neigh_output dev_queue_xmit => consumed"		# the echo reply: no ARP
outcome host-sll-tun 4 "icmp_send .* dev_queue_xmit kfree_skb => drop NO_SOCKET"
$NJ replay -q --no-trace -w "$T/tun-out.pcapng" "$T/host-sll-tun.pcap" >/dev/null 2>&1
tcpdump -nr "$T/tun-out.pcapng" 2>/dev/null >"$T/tun-out.txt"
if tcpdump -enr "$T/tun-out.pcapng" 2>/dev/null | grep -q "ARP" || [ "$(wc -l <"$T/tun-out.txt")" != 2 ] ||
	! grep -q "IP 10.8.0.2 > 10.8.0.1: ICMP echo reply, id 119, seq 2" "$T/tun-out.txt" ||
	! grep -q "IP 10.8.0.2 > 10.8.0.1: ICMP 10.8.0.2 udp port 5353 unreachable" "$T/tun-out.txt"; then
	echo "hostcap: host-sll-tun: -w did not hold the two bare replies:"; cat "$T/tun-out.txt"; fail=1
fi
n=$((n + 1))

# IPv6 (issue 24): a dual-stack laptop's addresses (its stable-privacy
# link-local too; an EUI-64 one Linux makes itself), the router that
# advertised as the IPv6 default route, on-link IPv6 neighbours, its IPv6
# ssh and DNS ports as (dual-stack) listeners; and a capture with no IPv4
# at all gets a host.
check host-dualstack 'ifc["addrs"] == ["192.168.1.7/24", "2001:db8:1::7/64", "fe80::1:7/64"]' \
	'{"dst": "::/0", "via": "fe80::1", "dev": "eth0"} in s["routes"]' \
	'neigh["fe80::1"] == "02:00:00:00:01:fe" and neigh["2001:db8:1::42"] == "02:00:00:00:01:42"' \
	'("tcp", 22, "recorded") in listen and ("udp", 41010, "recorded") in listen'
grep -q "IPv6 2001:db8:1::7 fe80::1:7" "$T/host-dualstack.note" || { echo "hostcap: dualstack: IPv6 not in the note"; cat "$T/host-dualstack.note"; fail=1; }
outcome host-dualstack 2 "=> sent"				# its DNS query over IPv6
outcome host-dualstack 3 "udpv6_recvmsg => consumed"		# the answer reaches its socket
outcome host-dualstack 6 "icmpv6_rcv"				# a neighbour's ping: answered, no NS (known neighbour)
# Its HTTPS connection over IPv6: a client socket in SYN_SENT, as for IPv4
# (it was left out, and the server's SYN-ACK drew a RST: NO_SOCKET).
check host-dualstack 'conns == [{"proto": "tcp", "local": "[2001:db8:1::7]:50010", "remote": "[2606:2800::1]:443", "state": "SYN_SENT", "isn": 5000, "app": "recorded", "syn_options": {"sack_ok": False, "ts": False}}]'
outcome host-dualstack 4 "tcp_recorded_send tcp_transmit_skb"	# its SYN, sent by its socket
outcome host-dualstack 5 "tcp_rcv_state_process => consumed"	# the SYN-ACK reaches it
check host-ipv6only 'ifc["addrs"] == ["fd00:6::7/64"]' 'ifc["mac"] == "02:00:00:00:02:07"' \
	's["routes"] == [{"dst": "::/0", "via": "fe80::1", "dev": "eth0"}]' \
	'neigh == {"fe80::1": "02:00:00:00:01:fe", "fd00:6::42": "02:00:00:00:01:42"}' \
	'listen == {("udp", 5353, "recorded"), ("icmp", 4608, "recorded")}' \
	'{"proto": "icmp", "port": 4608, "addr": "::", "app": "recorded"} in s["listen"]'	# its ping: an IPv6 ping socket
outcome host-ipv6only 2 "=> sent"
outcome host-ipv6only 3 "icmpv6_rcv => consumed"		# the reply reaches it (NO_SOCKET before)
outcome host-ipv6only 6 "udpv6_recvmsg => consumed"
# An IPv6 connection open before the capture: ESTABLISHED where its first
# segment left it; the server's ACK and data reach it, no RST.
check host-ipv6only 'conns == [{"proto": "tcp", "local": "[fd00:6::7]:50022", "remote": "[2001:db8::99]:443", "state": "ESTABLISHED", "snd_nxt": 1000, "rcv_nxt": 2000, "snd_wnd": 64240, "app": "recorded"}]'
outcome host-ipv6only 9 "tcp_rcv_established => consumed"
outcome host-ipv6only 10 "tcp_data_queue sk_data_ready => consumed"
outcome host-ipv6only 11 "tcp_recorded_send"
# The same frames on a raw IP link: the address in most IPv6 packets, and
# what it sent (its source address) is a recorded transmit.
check host-ipv6raw 'ifc["addrs"] == ["fd00:6::7/64"]' 'listen == {("udp", 5353, "recorded"), ("icmp", 4608, "recorded")}'
grep -q "the IPv6 address in most packets: 8 of 11" "$T/host-ipv6raw.note" || { echo "hostcap: ipv6raw: evidence not named"; cat "$T/host-ipv6raw.note"; fail=1; }
outcome host-ipv6raw 2 "driver_rx => sent"
outcome host-ipv6raw 6 "udpv6_recvmsg => consumed"
outcome host-ipv6raw 7 "driver_rx => sent"
outcome host-ipv6raw 10 "sk_data_ready => consumed"
$NJ replay --summary --host fd00:6::7 "$T/host-ipv6only.pcap" 2>&1 | grep -q "^pkt 6:.*udpv6_recvmsg => consumed" ||
	{ echo "hostcap: --host with an IPv6 address"; fail=1; }
n=$((n + 1))

check host-qinq 'ifc["vlans"] == [100, 200]' 'ifc["addrs"] == ["172.16.5.10/24"]' 'ifc["mac"] == "02:00:00:00:01:07"'
outcome host-qinq 1 "icmp_rcv"					# both tags stripped, not OTHERHOST
outcome host-qinq 2 "=> sent"

# A router captured on both interfaces (pcapng): interface ids map to eth0
# and eth1, direction flags say what it sent; what it received it forwards.
check host-router 's["forwarding"] is True' \
	'[(i["name"], i["mac"], i["addrs"]) for i in s["interfaces"]] == [("eth0", "02:00:00:00:10:01", ["192.168.1.1/24"]), ("eth1", "02:00:00:00:20:01", ["203.0.113.2/24"])]' \
	's["routes"] == [{"dst": "0.0.0.0/0", "via": "203.0.113.1", "dev": "eth1"}]' \
	'neigh == {"192.168.1.50": "02:00:00:00:10:50", "203.0.113.1": "02:00:00:00:20:fe"}'
grep -q "a router with 2 interfaces" "$T/host-router.note" || { echo "hostcap: router not named"; fail=1; }
outcome host-router 1 "arp_rcv"				# who-has 192.168.1.1 on eth0: answered
outcome host-router 2 "driver_rx => sent"			# the router's own reply (outbound flag)
for p in 5 7 9 11; do outcome host-router $p "=> forwarded"; done	# each way, ping and DNS
for p in 6 8 10 12; do outcome host-router $p "driver_rx => sent"; done
# the EPB direction and comment travel in driver_rx's args
$NJ replay -q -o "$T/r.jsonl" "$T/host-router.pcap" >/dev/null 2>&1
python3 - "$T/r.jsonl" <<'PY' || { echo "hostcap: router: driver_rx args lack direction/comment"; fail=1; }
import json, sys
d = [e for e in map(json.loads, open(sys.argv[1])) if e.get("fn") == "driver_rx" and e.get("ph") == "B"]
assert d[0]["args"]["direction"] == "inbound" and d[0]["args"]["comment"] == "the client looks for its gateway", d[0]["args"]
assert d[1]["args"]["direction"] == "outbound" and "comment" not in d[1]["args"], d[1]["args"]
PY
n=$((n + 1))
# the forwarded copies leave on the other interface: -w has them on interface 1 and 0
$NJ replay -q -w "$T/out.pcapng" "$T/host-router.pcap" >/dev/null 2>&1
tshark -r "$T/out.pcapng" -T fields -e frame.interface_id -Y icmp 2>/dev/null | tr '\n' ' ' | grep -q "^1 0 $" ||
	{ echo "hostcap: router: forwarded ICMP not on eth1 then eth0:"; tshark -r "$T/out.pcapng" -T fields -e frame.interface_id -e _ws.col.Info 2>/dev/null; fail=1; }
n=$((n + 1))
# A pcapng cut in its last block: the complete blocks replayed, the offset said.
size=$(wc -c < "$T/host-router.pcap")
head -c $((size - 7)) "$T/host-router.pcap" > "$T/cut.pcapng"
$NJ replay -q "$T/cut.pcapng" >"$T/cut.out" 2>"$T/cut.err"; rc=$?
[ $rc -eq 3 ] && grep -q "a truncated block or trailing garbage after frame 11" "$T/cut.err" && grep -q "packet 11:" "$T/cut.out" ||
	{ echo "hostcap: cut pcapng: exit $rc"; cat "$T/cut.err"; fail=1; }
n=$((n + 1))

# Partial checksums (a Linux sender on veth: only the pseudo-header sum):
# the host answered every such segment, so they are not errors.
check host-partial 's.get("verify_checksums") is False' 'listen == {("tcp", 8080, "recorded")}'
grep -q "3 packets it received have checksums that look wrong (3 hold only the pseudo-header sum" "$T/host-partial.note" ||
	{ echo "hostcap: partial checksums not said:"; cat "$T/host-partial.note"; fail=1; }
outcome host-partial 1 "tcp_conn_request .*=> consumed"	# its SYN-ACK leaves at once (read ahead)
outcome host-partial 4 "sk_data_ready => consumed"
# With --csum they are verified, and fail; the ICMP checksum 0 gets its hint.
$NJ replay --summary --csum "$T/host-partial.pcap" >"$T/csum.sum" 2>"$T/csum.err"
grep -q "^pkt 4:.*drop TCP_CSUM" "$T/csum.sum" && grep -q "^pkt 8:.*drop ICMP_CSUM" "$T/csum.sum" ||
	{ echo "hostcap: --csum: partial/zero checksums not dropped"; cat "$T/csum.sum"; fail=1; }
$NJ replay -q --csum "$T/host-partial.pcap" 2>&1 >/dev/null | grep -q "1 ICMP message from 10.1.0.1 carries checksum 0" ||
	{ echo "hostcap: no hint for an ICMP checksum of 0"; fail=1; }
n=$((n + 2))

# Segmentation offload: the TSO frame's sender is the capture host; its
# frame is a transmit; the GRO-merged frame it received is explained.
check host-tso 'ifc["addrs"] == ["10.2.0.2/24"]' 'listen == {("tcp", 443, "recorded")}'
outcome host-tso 4 "^pkt 4: driver_rx tcp_recorded_send .* => sent"	# its socket sends it, cut to the MSS
outcome host-tso 5 "=> consumed"
$NJ replay -q "$T/host-tso.pcap" 2>&1 >/dev/null | grep "1 frames the host sent are longer than its MTU or say tot_len 0" |
	grep -q "1 frames it received are longer than the MTU: GRO/LRO" || { echo "hostcap: tso/gro not explained"; fail=1; }
n=$((n + 1))

# Cooked, no link address to learn: the replies wait for ARP and the oldest
# are dropped when the queue is full. Each packet has one outcome (its own:
# consumed), and the totals add up, traced or not.
$NJ replay -q "$T/host-arpwait.pcap" >"$T/aw.out" 2>/dev/null
[ "$(grep -c '^=> packet' "$T/aw.out")" = 300 ] && grep -q "^300 packets: consumed 300" "$T/aw.out" ||
	{ echo "hostcap: arpwait: not one outcome per packet:"; tail -4 "$T/aw.out"; fail=1; }
$NJ replay --no-trace "$T/host-arpwait.pcap" 2>/dev/null | grep -q "^300 packets: consumed 300" ||
	{ echo "hostcap: arpwait: --no-trace totals differ"; fail=1; }
n=$((n + 1))

# A LAN segment with no dominant host: named as such, with the options;
# the replay keeps the default host and the explanation says so again.
$NJ mkpcap host-segment "$T/seg.pcap" >/dev/null
$NJ replay --print-scenario "$T/seg.pcap" >/dev/null 2>"$T/seg.err" && { echo "hostcap: segment: a host was inferred"; fail=1; }
grep -q "no host sends or receives most frames.*a LAN segment or at a router.*--host IP|MAC.*-c FILE" "$T/seg.err" ||
	{ echo "hostcap: segment not named:"; cat "$T/seg.err"; fail=1; }
$NJ replay -q "$T/seg.pcap" >"$T/seg.out" 2>"$T/seg.err"
grep -q "12 of 12 packets were for other hosts: no host sends or receives most of them" "$T/seg.err" &&
	grep -q "drop OTHERHOST *12" "$T/seg.out" || { echo "hostcap: segment replay:"; cat "$T/seg.err"; fail=1; }
n=$((n + 2))

# --print-scenario's JSON, given back with -c, replays the same journeys.
for c in host-laptop host-portscan host-qinq host-router; do
	$NJ replay --summary -c "$T/$c.json" "$T/$c.pcap" 2>&1 | diff -q "$T/$c.sum" - >/dev/null ||
		{ echo "hostcap: $c: -c with the printed scenario differs from the inferred replay"; fail=1; }
	n=$((n + 1))
done

# --host chooses: the neighbour of the laptop capture instead.
$NJ replay --print-scenario --host 192.168.1.42 "$T/host-laptop.pcap" 2>/dev/null |
	python3 -c 'import json,sys; s=json.load(sys.stdin); i=s["interfaces"][0]; assert i["addrs"]==["192.168.1.42/24"] and i["mac"]=="02:00:00:00:01:42", i' ||
	{ echo "hostcap: --host 192.168.1.42 not taken"; fail=1; }
n=$((n + 1))

# The host's replies leave on its VLAN device: tagged as the recorded ones
# (802.1ad 100 outside, 802.1Q 200 inside).
$NJ replay -q -w "$T/qinq-out.pcap" "$T/host-qinq.pcap" >/dev/null 2>&1
[ "$(tcpdump -enr "$T/qinq-out.pcap" 2>/dev/null | grep -c '(0x88a8).*vlan 100, p 0, ethertype 802.1Q (0x8100), vlan 200.*echo reply')" = 2 ] ||
	{ echo "hostcap: host-qinq: the replies are not tagged 100.200 as the recorded ones"; fail=1; }
n=$((n + 1))

# A one-way capture (one MAC sends everything to a group address): the
# receiver is the host, on the VLAN its packets carried.
oneway=../shared/pcaps/suricata-frag-vlan-tcp-syn.pcap
if [ -f "$oneway" ]; then
	$NJ replay --print-scenario "$oneway" 2>/dev/null |
		python3 -c 'import json,sys; s=json.load(sys.stdin); i=s["interfaces"][0]; assert i["addrs"]==["2.2.2.2/24"] and i.get("vlans")==[6], i' ||
		{ echo "hostcap: one-way capture: the receiver 2.2.2.2 on VLAN 6 not inferred"; fail=1; }
	n=$((n + 1))
else
	echo "hostcap: $oneway absent: one-way check skipped"
fi

# tcpdump -i any on a laptop: lo's packets (ARPHRD_LOOPBACK, each seen
# leaving and arriving) go to a lo beside eth0: the copy leaving is the
# host's own transmit, the copy arriving is received on lo, where 127/8 is
# no martian; the ping to its own address is answered back out of lo; the
# host's MAC is the one its outgoing Ethernet frames carry.
check host-any-lo 'ifc == {"name": "eth0", "mac": "02:00:00:00:0a:07", "addrs": ["192.168.1.7/24"]}' \
	's["interfaces"][1] == {"name": "lo", "mac": "00:00:00:00:00:00", "addrs": ["127.0.0.1/8"], "mtu": 65535}' \
	'("udp", 53, "recorded") in listen and ("udp", 41000, "recorded") in listen'
for p in 1 3 5 7 9 12; do outcome host-any-lo $p "driver_rx => sent"; done
outcome host-any-lo 2 "ip_rcv_finish ip_local_deliver .*udp_recvmsg => consumed"
outcome host-any-lo 6 "ip_rcv_finish ip_local_deliver .*udp_recvmsg => consumed"
outcome host-any-lo 8 "icmp_rcv ip_local_out .*dev_queue_xmit => consumed"
outcome host-any-lo 10 "icmp_rcv => consumed"
outcome host-any-lo 11 "icmp_rcv ip_local_out .*dev_queue_xmit => consumed"
$NJ replay -q -w "$T/anylo-out.pcapng" "$T/host-any-lo.pcap" >/dev/null 2>&1
[ "$(tcpdump -enr "$T/anylo-out.pcapng" 2>/dev/null | grep -c '00:00:00:00:00:00 > 00:00:00:00:00:00.*192.168.1.7 > 192.168.1.7: ICMP echo reply')" = 1 ] ||
	{ echo "hostcap: host-any-lo: the echo reply to itself did not leave through lo"; fail=1; }
n=$((n + 1))

# tcpdump -i any on a laptop with a full-tunnel VPN: tun0 (ARPHRD_NONE)
# carries most of its packets, so it is the main interface with the default
# route; its Wi-Fi (ARPHRD_ETHER) becomes eth0 with the address the host
# used there and a host route to the one peer heard only there off-link
# (the VPN server's endpoint). Each frame arrives on the device of its type,
# and each reply leaves where the host's did: four on tun0, the printer's on
# eth0 to the printer's MAC.
check host-any-vpn 'ifc == {"name": "tun0", "type": "tun", "addrs": ["10.8.0.2/24"]}' \
	's["interfaces"][1] == {"name": "eth0", "mac": "02:00:00:00:0a:17", "addrs": ["192.168.1.7/24"]}' \
	's["routes"] == [{"dst": "0.0.0.0/0", "dev": "tun0"}, {"dst": "203.0.113.80/32", "dev": "eth0"}]'
outcome host-any-vpn 3 "driver_rx netif_rx .*udp_recvmsg => consumed"
outcome host-any-vpn 4 "driver_rx tun_get_user netif_receive_skb .*udp_recvmsg => consumed"
outcome host-any-vpn 7 "driver_rx tun_get_user .*icmp_rcv ip_local_out .*dev_queue_xmit => consumed"
outcome host-any-vpn 17 "driver_rx netif_rx .*icmp_rcv ip_local_out .*dev_queue_xmit => consumed"
$NJ replay -q -w "$T/vpn-out.pcapng" "$T/host-any-vpn.pcap" >/dev/null 2>&1
sent=$(tshark -r "$T/vpn-out.pcapng" -T fields -e frame.interface_name -e eth.dst -e ip.dst 2>/dev/null | sort | uniq -c | tr -s ' \t' ' ')
[ "$sent" = " 2 tun0 10.8.0.1
 2 tun0 198.51.100.9
 1 eth0 02:00:00:00:01:42 192.168.1.42" ] || [ "$sent" = " 1 eth0 02:00:00:00:01:42 192.168.1.42
 2 tun0 10.8.0.1
 2 tun0 198.51.100.9" ] || { echo "hostcap: host-any-vpn: replies not where the host sent its own: $sent"; fail=1; }
n=$((n + 1))

# A cooked capture (SLL2) of lo and eth: pings to the host's own 192.0.2.1
# and link-local address travel over lo (sll_hatype ARPHRD_LOOPBACK), an
# ARP request leaves its Ethernet device. The host gets eth0 (its MAC from
# the outgoing ARP, so the link-local address is its EUI-64) and lo; the
# echo requests arrive on lo and are answered back out of lo (not dropped
# as martians on eth0, not forwarded: IP_INADDRERRORS before session 14).
lo6=../shared/pcaps/zeek-sll2-icmp-arp.pcap
if [ -f "$lo6" ]; then
	$NJ replay --print-scenario "$lo6" 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)
eth, lo = s["interfaces"]
assert eth["mac"] == "8e:36:06:44:ac:af" and "192.0.2.1/24" in eth["addrs"], eth
assert lo["name"] == "lo" and lo["addrs"] == ["127.0.0.1/8", "::1/128"], lo' ||
		{ echo "hostcap: lo capture: not eth0 8e:36:06:44:ac:af 192.0.2.1 beside lo"; fail=1; }
	$NJ replay --summary "$lo6" >"$T/lo6.sum" 2>&1
	for p in 1 3; do
		grep -q "^pkt $p: driver_rx netif_rx .* neigh_output dev_queue_xmit => consumed" "$T/lo6.sum" ||
			{ echo "hostcap: lo capture: echo request $p not answered through lo"; cat "$T/lo6.sum"; fail=1; }
	done
	$NJ replay "$lo6" 2>&1 | grep -c "loopback_xmit" | grep -qx 2 || { echo "hostcap: lo capture: not 2 loopback_xmit"; fail=1; }
	n=$((n + 4))
else
	echo "hostcap: $lo6 absent: lo ping6 check skipped"
fi

# The host's TCP sysctls from its SYN-ACKs: to a SYN offering timestamps,
# SACK and window scale 4, a SYN-ACK with SACK and window scale 4 and no
# timestamps: tcp_timestamps 0, and tcp_rmem's maximum 2^(4+15); one with
# only an MSS option: all three off.
syna=../shared/pcaps/zeek-tcp-fin-before-synack-rst.pcap
synb=../shared/pcaps/tcpdump-dns-over-tcp.pcap
if [ -f "$syna" ] && [ -f "$synb" ]; then
	$NJ replay --print-scenario "$syna" 2>/dev/null | python3 -c 'import json,sys; s=json.load(sys.stdin)
assert s.get("tcp_timestamps") == 0 and "tcp_sack" not in s and "tcp_window_scaling" not in s, s
assert s.get("tcp_rmem") == "4096 131072 524288", s' || { echo "hostcap: $syna: TCP sysctls not inferred"; fail=1; }
	$NJ replay --print-scenario "$synb" 2>/dev/null | python3 -c 'import json,sys; s=json.load(sys.stdin)
assert s.get("tcp_timestamps") == 0 and s.get("tcp_sack") == 0 and s.get("tcp_window_scaling") == 0, s' ||
		{ echo "hostcap: $synb: TCP sysctls not inferred"; fail=1; }
	$NJ replay -q -w "$T/syna.pcap" "$syna" >/dev/null 2>&1
	tcpdump -nr "$T/syna.pcap" 2>/dev/null | grep -q 'Flags \[S.\].*wscale 4' ||
		{ echo "hostcap: $syna: the stack's SYN-ACK does not offer window scale 4 as the host did"; fail=1; }
	# The MSS the host offered says its MTU: 1360 + 40; a 6in4 tunnel's
	# 1420 + 60 over IPv6; not where it sent longer packets than that.
	$NJ replay --print-scenario "$syna" 2>/dev/null | python3 -c 'import json,sys; s=json.load(sys.stdin)
assert s["interfaces"][0].get("mtu") == 1400, s' || { echo "hostcap: $syna: MTU 1400 not inferred"; fail=1; }
	$NJ replay --print-scenario ../shared/pcaps/zeek-ipv6-smtp.pcap 2>/dev/null | python3 -c 'import json,sys; s=json.load(sys.stdin)
assert s["interfaces"][0].get("mtu") == 1480, s' || { echo "hostcap: zeek-ipv6-smtp: MTU 1480 not inferred"; fail=1; }
	$NJ replay --print-scenario ../shared/pcaps/zeek-chksum-zero-all-http.pcap 2>/dev/null | python3 -c 'import json,sys; s=json.load(sys.stdin)
assert "mtu" not in s["interfaces"][0], s' || { echo "hostcap: zeek-chksum-zero-all-http: an MTU below what it sent"; fail=1; }
	n=$((n + 6))
else
	echo "hostcap: third-party captures absent: SYN-ACK sysctl checks skipped"
fi

# The default host's own captures are not touched: nothing inferred.
$NJ replay -q pcaps/icmp-echo.pcap 2>&1 | grep -q "^host:" && { echo "hostcap: icmp-echo.pcap got an inferred host"; fail=1; }
n=$((n + 1))

# A truncated tail: every complete record replayed, totals, then the offset.
{ cat "$T/host-laptop.pcap"; printf 'xyz'; } > "$T/tail.pcap"
size=$(wc -c < "$T/host-laptop.pcap")
$NJ replay -q "$T/tail.pcap" >"$T/tail.out" 2>"$T/tail.err"; rc=$?
[ $rc -eq 3 ] && grep -q "byte offset $size:" "$T/tail.err" && grep -q "packet 9:" "$T/tail.out" ||
	{ echo "hostcap: truncated tail: exit $rc"; cat "$T/tail.err"; fail=1; }
n=$((n + 1))

[ $fail -eq 0 ] && echo "hostcap: $n checks passed"
exit $fail
