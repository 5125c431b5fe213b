#!/bin/sh
# diff-kernel against this machine's Linux kernel (issue 13): each scenario
# pcap goes through a real kernel in throwaway network namespaces and
# through netjourney; replies and SNMP counters must agree. Needs root and
# `ip netns` (and nft for the netfilter cases); skips with the reason
# otherwise.
#
# Accepted differences are listed per case below (ACCEPT_<case>), each with
# its reason. Everything else that differs fails the test. Fields never
# compared (IP ids, checksums, TCP ISNs, TSvals, window) are the tool's own
# allowlist (diffkernel/diffkernel_cmp.c), printed in every report. The TCP
# window is compared (as tcp_select_window computes it from tcp_rmem).
# The runs overlap (DK_PAR, default 3): about 60 s.
cd "$(dirname "$0")/../.." || exit 1
NJ=${NJ:-build/netjourney}
OUT=${B:-build}/diffkernel
mkdir -p "$OUT"

skip() { echo "SKIP tests/diffkernel: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
command -v ip >/dev/null 2>&1 || { echo "FAIL tests/diffkernel: ip is needed (make deps: iproute2)"; exit 1; }
probe="njdk-probe-$$"
ip netns add "$probe" 2>/dev/null || skip "ip netns add does not work here"
ip netns del "$probe"
[ -x "$NJ" ] || { echo "FAIL: $NJ not built"; exit 1; }

# No accepted TCP differences: TcpExt.TCPHPHits (header prediction only
# when the segment fits sk_forward_alloc), TcpExt.TW (counted when the
# timewait sock is made), ACKs after a read (tcp_cleanup_rbuf) and SYN-ACK
# retransmits (Tcp.RetransSegs) are counted where Linux 6.x counts them.

fail=0
AFTER=		# diff-kernel --after S for the cases that compare the time after the capture
# check NAME PCAP [SCENARIO]: runs diff-kernel in the background (at most
# DK_PAR at once: each run mostly waits on its settle time, so they overlap
# well), compares what differs with the accepted list for NAME; join
# waits for them and prints their verdicts in order. Anything that reads
# a run's report joins first.
DK_PAR=${DK_PAR:-3}
pending= npend=0
check() {
	name=$1 pcap=$2 sc=$3
	if [ "$npend" -ge "$DK_PAR" ]; then wait; npend=0; fi
	( check_one "$name" "$pcap" "$sc" >"$OUT/$name.res" 2>&1 || : >"$OUT/$name.failed" ) &
	pending="$pending $name" npend=$((npend + 1))
}
join() {
	wait
	for n in $pending; do
		cat "$OUT/$n.res"
		[ -f "$OUT/$n.failed" ] && fail=1
	done
	pending= npend=0
}
check_one() {
	name=$1 pcap=$2 sc=$3
	log="$OUT/$name.txt"
	rm -f "$OUT/$name.failed"
	if [ -n "$sc" ]; then "$NJ" diff-kernel $AFTER "$pcap" -c "$sc" >"$log" 2>&1
	else "$NJ" diff-kernel $AFTER "$pcap" >"$log" 2>&1; fi
	rc=$?
	if ! grep -q '^AGREE\|^DIFFERENT' "$log"; then
		echo "FAIL $name: diff-kernel did not finish (exit $rc)"; cat "$log"; return 1
	fi
	pkts=$(grep -c '^    ! DIFFERENT$' "$log")
	got=$(grep '! DIFFERENT$' "$log" | grep -v '^    !' | awk '{print $1}' | sort | tr '\n' ' ')
	var=$(echo "ACCEPT_$name" | tr '-' '_')
	want=$(eval echo "\${$var:-}" | tr ' ' '\n' | grep . | sort | tr '\n' ' ')
	if [ "$pkts" != 0 ] || [ "$got" != "$want" ]; then
		echo "FAIL $name: $pkts packet(s) differ; counters differing: [${got}] accepted: [${want}]"
		grep -B6 '! DIFFERENT' "$log" | head -60
		return 1
	fi
	echo "ok   $name${want:+ (accepted: $want)}"
}

for p in ip-bad-csum ip-bad-version ip-short-header ip-totlen-too-big eth-otherhost \
	 frag-in-order frag-out-of-order frag-duplicate frag-overlap \
	 icmp-echo icmp-errors-in icmp-types ip-options arp-edges udp tcp-syn tcp-http tcp-delack tcp-echo tcp-ooo tcp-window-rst tcp-rst-rules tcp-coalesce tcp-ack-edges tcp-urgent tcp-icmp-errors \
	 icmp-pmtu tcp-pmtu ipv6-pmtu tcp-gso-echo tcp-tiny-mss; do
	check "$p" "pcaps/$p.pcap"
done
# Path MTU discovery: the host's replies after a frag-needed are compared
# as they leave (the veth's TSO and GSO are off, so a GSO retransmission
# shows as its MSS-sized segments): 1376-byte fragments (two replies, each
# side), then 528 once locked at 552; TCP's 1360 + 100 and TcpExt.TCPSlowStartRetrans (IPv6:
# 1340 + 100, ICMPv6's quoted seq moved to Linux's ISN).
join
"$NJ" diff-kernel --json pcaps/icmp-pmtu.pcap >"$OUT/icmp-pmtu.json" 2>&1
[ "$(grep -o 'len=1396 MF off=0 proto=1' "$OUT/icmp-pmtu.json" | wc -l)" = 4 ] ||
	{ echo "FAIL icmp-pmtu: the 1400-byte path MTU fragments are not in the comparison"; fail=1; }
grep -q 'TcpExt.TCPSlowStartRetrans *2 *2' "$OUT/tcp-pmtu.txt" ||
	{ echo "FAIL tcp-pmtu: the path MTU retransmission is not in the comparison"; fail=1; }
# The advertised window is in the comparison: after 6 bytes Linux offers
# what is left of its first window (never shrink); after a hole is filled,
# rounddown(rcv_ssthresh, rcv_mss). Receive-queue coalescing
# (TcpExt.TCPRcvCoalesce) follows the tailroom of Linux's skbs.
join
"$NJ" diff-kernel --json pcaps/tcp-echo.pcap >"$OUT/tcp-echo.json" 2>&1
join
[ "$(grep -o 'flags=0x10 win=64234' "$OUT/tcp-echo.json" | wc -l)" = 2 ] ||
	{ echo "FAIL tcp-echo: the window is not in the comparison"; fail=1; }
join
grep -q 'TcpExt.TCPRcvCoalesce *4 *4' "$OUT/tcp-coalesce.txt" ||
	{ echo "FAIL tcp-coalesce: 4 coalesced segments are not in the comparison"; fail=1; }
# TCP options (issue 20): the SYN-ACK's kinds and values (mss, sackOK, TS
# with its TSecr, wscale; tcp_rmem as 6.13 sizes it, so window scale 7),
# timestamps on every segment, PAWS, SACK and D-SACK blocks relative to
# the peer's ISN, the scaled window. The peer's TSecr is moved to Linux's
# clock as its acks are moved to Linux's ISN.
for p in tcp-options tcp-paws tcp-sack tcp-dsack tcp-no-ts-after-ts tcp-wscale tcp-sack-recv tcp-csum-partial \
	 tcp-window-grow tcp-paws-req tcp-ecn; do
	check "$p" "pcaps/$p.pcap"
done
# The scenario's tcp_rmem reaches both sides: a 32 KiB buffer offers a
# 16 KiB window (window scale 7 still: net.core.rmem_max, one value for
# every namespace, is read from this machine for netjourney's side).
check tcp-rmem-small pcaps/tcp-options.pcap tests/diffkernel/tcp-rmem-small.json
# SYN cookies (net.ipv4.tcp_syncookies=1 on both sides): the queue of a
# backlog-2 listener is full at 3 requests (Linux 6.14 on), two more SYNs
# get cookie SYN-ACKs (options, TSval aside, and windows compared); their
# ACKs open connections (the peer's ack and TSecr moved to Linux's cookie
# as to any ISN), a forged one gets a RST.
check tcp-syn-cookies pcaps/tcp-syn-cookies.pcap pcaps/tcp-syn-cookies.json
check ipv6-tcp-syn-cookies pcaps/ipv6-tcp-syn-cookies.pcap pcaps/ipv6-tcp-syn-cookies.json
join
grep -q 'TcpExt.SyncookiesRecv *2 *2' "$OUT/tcp-syn-cookies.txt" && grep -q 'TcpExt.SyncookiesFailed *1 *1' \
	"$OUT/tcp-syn-cookies.txt" || { echo "FAIL tcp-syn-cookies: the cookie counters are not in the comparison"; fail=1; }
# IP options are in the comparison (record route's addresses, timestamp's
# pointer, flags and addresses; not its times).
join
[ "$("$NJ" diff-kernel --json pcaps/ip-options.pcap 2>&1 | grep -o 'ipopts=rr:16:10.0.0.1:10.0.0.2:10.0.0.2:' | wc -l)" = 2 ] ||
	{ echo "FAIL ip-options: ping -R's echoed record route is not in the comparison"; fail=1; }
join
grep -q 'TcpExt.PAWSEstab *3 *3' "$OUT/tcp-paws-req.txt" ||
	{ echo "FAIL tcp-paws-req: PAWS on the request sock is not in the comparison"; fail=1; }
# The comparison holds the SYN-ACK's options (both sides, as --json shows).
join
"$NJ" diff-kernel --json pcaps/tcp-options.pcap >"$OUT/tcp-options.json" 2>&1
join
[ "$(grep -o 'opts=mss:1460,sackOK,TS:ecr=[0-9]*,nop,ws:7' "$OUT/tcp-options.json" | wc -l)" = 2 ] ||
	{ echo "FAIL tcp-options: the SYN-ACK's options are not in the comparison"; fail=1; }
# The kernel's reassembly timeout is 30 s: both sides run with frag.time 1 s
# (net.ipv4.ipfrag_time=1 in the host namespace); the capture's 31 s gap is
# replayed as 1.5 s (--max-gap default), still past the timeout on both.
check frag-timeout pcaps/frag-timeout.pcap tests/diffkernel/frag-time-1s.json
check frag-timeout-no-first pcaps/frag-timeout-no-first.pcap tests/diffkernel/frag-time-1s.json
# With the default 30 s the shortened gap (1.5 s on both sides: one
# timeline, dk_play_times) expires nothing, on either side.
check frag-timeout-30s pcaps/frag-timeout.pcap
# A flood of 4096 unfinished datagrams: refused once frag memory is past
# ipfrag_high_thresh (the queue that crosses it is kept): 31 on both sides.
AFTER="--settle 2"; check frag-flood pcaps/frag-flood.pcap
AFTER=
# The time after the capture (--after S: Linux waits S s, netjourney runs
# its clock S s on): a queue left waiting expires 1 s after its first
# fragment (ReasmTimeout, ReasmFails, ICMP time exceeded); an unanswered
# SYN-ACK is sent again at 1 and 3 s.
AFTER="--after 2"; check frag-timeout-at-end pcaps/frag-timeout-at-end.pcap tests/diffkernel/frag-time-1s.json
AFTER="--after 4"; check tcp-syn-after pcaps/tcp-syn.pcap
# Replies never acknowledged: retransmitted 0.2 and 0.6 s after their
# first sending (RTO: tcp_rto_min + the handshake's RTT, doubling; Linux
# samples its RTT through diff-kernel's pacing, tens of ms, so its RTO is
# 0.23-0.27 s: its second timeout also comes before 1 s, its third well
# after); http's data and FIN go again as one segment.
AFTER="--after 1"; check tcp-rto-after-capture pcaps/tcp-rto-after-capture.pcap
AFTER=
join
grep -q 'Ip.ReasmTimeout' "$OUT/frag-timeout-30s.txt" &&
	{ echo "FAIL frag-timeout-30s: a queue expired on a side although the gap was 1.5 s on both"; fail=1; }
grep -q 'Ip.ReasmTimeout *1 *1' "$OUT/frag-timeout-at-end.txt" ||
	{ echo "FAIL frag-timeout-at-end: the expiry after the capture is not in the comparison"; fail=1; }
grep -q 'Ip.ReasmFails *31 *31' "$OUT/frag-flood.txt" ||
	{ echo "FAIL frag-flood: the refusals past ipfrag_high_thresh are not in the comparison"; fail=1; }
join
grep -q 'TcpExt.TCPTimeouts *4 *4' "$OUT/tcp-rto-after-capture.txt" ||
	{ echo "FAIL tcp-rto-after-capture: the retransmission timeouts are not in the comparison"; fail=1; }
join
[ "$(grep -c 'TCP \[SA\]' "$OUT/tcp-syn-after.txt")" = 6 ] ||
	{ echo "FAIL tcp-syn-after: not 1 + 2 SYN-ACKs on each side"; fail=1; }
# A SYN queue crowded with old requests (16 SYNs never acknowledged,
# backlog 16; --after 8): each side sends every SYN-ACK again at 1 and 3 s,
# then at 7 s drops 8 requests and sends the other 8 again
# (reqsk_timer_handler keeps half of the queue for young requests). Which
# 8 differs: Linux's timer wheel fires the timers of one coarse bucket
# newest first, netjourney in deadline order. So this case compares the
# counters and how many SYN-ACKs each side sent, not each reply.
AFTER="--after 8"
join
"$NJ" diff-kernel $AFTER pcaps/tcp-syn-queue.pcap -c pcaps/tcp-syn-queue.json >"$OUT/tcp-syn-queue.txt" 2>&1
AFTER=
join
sq=$OUT/tcp-syn-queue.txt
join
if ! grep -q '^AGREE\|^DIFFERENT' "$sq"; then
	echo "FAIL tcp-syn-queue: diff-kernel did not finish"; cat "$sq"; fail=1
elif grep '! DIFFERENT$' "$sq" | grep -qv '^    !'; then
	echo "FAIL tcp-syn-queue: counters differ:"; grep '! DIFFERENT$' "$sq" | grep -v '^    !'; fail=1
elif ! grep -q 'TcpExt.TCPSynRetrans *40 *40' "$sq" || ! grep -q 'TcpExt.TCPTimeouts *48 *48' "$sq" ||
	! grep -q 'Ip.OutRequests *56 *56' "$sq"; then
	echo "FAIL tcp-syn-queue: not 56 SYN-ACKs, 40 of them retransmissions, and 48 timeouts on each side"
	grep 'TcpExt\.\|Tcp\.' "$sq"; fail=1
else
	echo "ok   tcp-syn-queue (40 SYN-ACKs sent again and 8 requests pruned at 7 s on each side; which 8 differs)"
fi
for p in route-ttl-expired route-df-mtu route-no-route route-martian route-options; do
	sc=pcaps/$p.json; [ -f "$sc" ] || sc=
	check "$p" "pcaps/$p.pcap" "$sc"
done

# A two-interface pcapng router (issue 19): each frame goes in on its own
# interface (the EPB's interface id), on both sides, with the scenario that
# replay infers from the capture.
join
"$NJ" mkpcap host-router "$OUT/host-router.pcapng" >/dev/null &&
	"$NJ" replay --print-scenario "$OUT/host-router.pcapng" >"$OUT/host-router.json" 2>/dev/null &&
	check host-router "$OUT/host-router.pcapng" "$OUT/host-router.json"
join
grep -q 'Ip.ForwDatagrams *4 *4' "$OUT/host-router.txt" ||
	{ echo "FAIL host-router: not 4 datagrams forwarded on each side (each frame on its own interface)"; fail=1; }

# VLANs: the scenario's VLANs become VLAN devices over the veth. A kernel
# built without them (CONFIG_VLAN_8021Q) cannot mirror them: the run must
# say so and compare nothing, rather than report differences.
"$NJ" mkpcap host-qinq "$OUT/host-qinq.pcap" >/dev/null &&
	"$NJ" replay --print-scenario "$OUT/host-qinq.pcap" >"$OUT/host-qinq.json" 2>/dev/null
join
if ip link add link lo name njdkvl$$ type vlan id 5 2>/dev/null; then
	ip link del njdkvl$$
	check host-qinq "$OUT/host-qinq.pcap" "$OUT/host-qinq.json"
else
	"$NJ" diff-kernel "$OUT/host-qinq.pcap" -c "$OUT/host-qinq.json" >"$OUT/host-qinq.txt" 2>&1 && fail=1
	if grep -q 'no VLAN devices (CONFIG_VLAN_8021Q is not set)' "$OUT/host-qinq.txt" &&
		! grep -q '^AGREE\|^DIFFERENT' "$OUT/host-qinq.txt"; then
		echo "ok   host-qinq (this kernel has no VLAN devices: refused with the reason)"
	else
		echo "FAIL host-qinq: no clear refusal on a kernel without VLAN devices"; cat "$OUT/host-qinq.txt"; fail=1
	fi
fi

# ---- IPv6 (issue 24) ----
# A capture with IPv6 frames gets IPv6 in the host namespace (DAD and router
# solicitations off, the kernel's own MLD reports left out of the capture),
# the scenario's IPv6 addresses, neighbours and routes, and dual-stack
# listeners; /proc/net/snmp6 is compared as Ip6.*, Icmp6.*, Udp6.*.
# Echo and fragmented echo, neighbour solicitations, unknown next header,
# hop-by-hop actions, routing headers, header checks, UDP (echo and closed
# port), TCP to a closed port, errors about what the host sent (Icmp6.InErrors
# when no socket takes one); ipv6-frag-bad (overlap, bad length, timeout)
# runs with ip6frag_time 1 s on both sides, as frag-timeout does for IPv4.
for p in ipv6-echo ipv6-ndisc ipv6-ndisc-resolve ipv6-unknown-nexthdr ipv6-hbh ipv6-rthdr ipv6-frag \
	 ipv6-udp ipv6-tcp-syn ipv6-hdr ipv6-misc ipv6-errors-in ipv6-recorded-neigh; do
	check "$p" "pcaps/$p.pcap"
done
# TCP connections over IPv6 (tcp_ipv6.c): an HTTP session with TIME_WAIT and
# a SYN reusing its ports, every option with data out of order, link-local
# addresses behind neighbour discovery, and listeners by family (0.0.0.0,
# fd00::2, ipv6only ::, dual-stack ::) with a UDP socket bound to fd00::2.
for p in ipv6-tcp-http ipv6-tcp-echo ipv6-tcp-linklocal; do
	check "$p" "pcaps/$p.pcap"
done
check ipv6-tcp-dualstack pcaps/ipv6-tcp-dualstack.pcap pcaps/ipv6-tcp-dualstack.json
check ipv6-frag-bad pcaps/ipv6-frag-bad.pcap tests/diffkernel/ip6frag-time-1s.json
# The capture ends while two queues wait (frag-timeout-at-end's IPv6 twin):
# ip6frag_time after, time exceeded for the one whose first fragment came.
AFTER="--after 2"; check ipv6-frag-timeout-at-end pcaps/ipv6-frag-timeout-at-end.pcap \
	tests/diffkernel/ip6frag-time-1s.json
AFTER=
# A flood of first fragments that never finish: past ip6frag_high_thresh the
# same ones are refused on both sides (each queue charged 184 bytes plus
# its fragment's truesize, as Linux 6.x does). 2 ms between frames.
AFTER="--settle 2"; check ipv6-frag-flood pcaps/ipv6-frag-flood.pcap
AFTER=
check ipv6-forward pcaps/ipv6-forward.pcap pcaps/ipv6-forward.json
# Neighbour unreachability detection: a router's next hop that never
# answers is solicited three times a second apart, then FAILED, each held
# packet answered with an ICMPv6 address unreachable (in the capture and
# after it); advertisements with each flag, then unicast probes from PROBE
# (the capture's 10 s gap kept whole: DELAY lasts 5 s).
AFTER="--after 4"; check ipv6-nud-failed pcaps/ipv6-nud-failed.pcap pcaps/ipv6-nud-failed.json
AFTER="--max-gap 11"; check ipv6-nud-na pcaps/ipv6-nud-na.pcap
# The host's own replies to an address that never answers: 3 solicitations,
# FAILED, and the address unreachable it sends itself over lo (counted both
# ways). Router advertisements with accept_ra 1: default route, SLAAC, MTU.
AFTER="--after 4"; check ipv6-echo-after pcaps/ipv6-echo.pcap
# Answers held for neighbours that never answer: the echo reply earns an
# address unreachable over lo, the port unreachables none (no error about
# an error): Icmp6.InDestUnreachs 1 on both sides.
AFTER="--after 4"; check ipv6-unresolved pcaps/ipv6-unresolved.pcap
check ipv6-ra pcaps/ipv6-ra.pcap pcaps/ipv6-ra.json
# The same for ARP: requests at 0, 1 and 2 s, FAILED at 3 s; the router's
# forwarded pings' sender hears host unreachable, the errors about its own
# echo replies go to itself over lo (counted both ways); a later ping
# starts again (the 4 s gap kept whole, and the time after the capture).
AFTER="--max-gap 5 --after 4"; check arp-fail pcaps/arp-fail.pcap pcaps/arp-fail.json
# 300 hosts of a /16 in the neighbour table at once (Linux keeps up to
# gc_thresh3, 1024, learned entries; netjourney kept 256 before session 20
# and sent 141 of the second round's replies after ARP that nobody answered).
AFTER="--settle 2"; check arp-many-hosts pcaps/arp-many-hosts.pcap pcaps/arp-many-hosts.json
AFTER="--settle 2"; check ipv6-many-hosts pcaps/ipv6-many-hosts.pcap	# the neighbour cache, likewise
AFTER=
join
grep -q 'Icmp.InDestUnreachs *2 *2' "$OUT/arp-fail.txt" ||
	{ echo "FAIL arp-fail: the errors sent to itself over lo are not in the comparison"; fail=1; }
grep -q 'Ip6.ReasmTimeout *2 *2' "$OUT/ipv6-frag-timeout-at-end.txt" &&
	grep -q 'Icmp6.OutTimeExcds *1 *1' "$OUT/ipv6-frag-timeout-at-end.txt" ||
	{ echo "FAIL ipv6-frag-timeout-at-end: the expiries after the capture are not in the comparison"; fail=1; }
grep -q 'Icmp6.InDestUnreachs *1 *1' "$OUT/ipv6-unresolved.txt" ||
	{ echo "FAIL ipv6-unresolved: the errors over lo are not in the comparison"; fail=1; }
grep -q 'Ip6.ReasmFails *362 *362' "$OUT/ipv6-frag-flood.txt" ||
	{ echo "FAIL ipv6-frag-flood: the refusals past ip6frag_high_thresh are not in the comparison"; fail=1; }
# A UDP echo socket's send buffer: its replies held for ARP (IPv6: for
# neighbour discovery) fill it, the application sleeps in sendto and the
# rest queue unread (RcvbufErrors); after the capture the failed neighbours
# free it and it wakes, sends, reads on. Compared by the counters: which
# frame a retry is attributed to turns on Linux's timer wheel (a 1 s timer
# fires up to 32 ms late, level 1 at HZ 250; twice that by the third
# request), and the frames are 70 ms apart.
# sndbuf_case NAME MIB OUT RCVBUFERRORS [OPTIONS]: that many datagrams out
# and RcvbufErrors on both sides, and every other counter the same.
sndbuf_case() {
	n=$1 mib=$2 out=$3 rcv=$4
	shift 4
	"$NJ" diff-kernel --after 4 "$@" "pcaps/$n.pcap" -c "pcaps/$n.json" >"$OUT/$n.txt" 2>&1
	set -- "$n" "$mib" "$out" "$rcv"
	if ! grep -q '^AGREE\|^DIFFERENT' "$OUT/$1.txt"; then
		echo "FAIL $1: diff-kernel did not finish"; cat "$OUT/$1.txt"; fail=1
	elif grep '! DIFFERENT$' "$OUT/$1.txt" | grep -qv '^    !'; then
		echo "FAIL $1: counters differ"; grep -A30 '^counters' "$OUT/$1.txt"; fail=1
	elif ! grep -q "$2.OutDatagrams *$3 *$3 " "$OUT/$1.txt" || ! grep -q "$2.RcvbufErrors *$4 *$4 " "$OUT/$1.txt"; then
		echo "FAIL $1: the sleeping application is not in the comparison"; fail=1
	else
		echo "ok   $1 (counters; $(grep -c '^    ! DIFFERENT$' "$OUT/$1.txt") frame(s) attributed differently)"
	fi
}
sndbuf_case udp-sndbuf Udp 37 3
sndbuf_case udp6-sndbuf Udp6 37 3
# At MTU 1500 each echo leaves in three fragments, each charged to the
# socket (ip_frag_next): it fills at the 41st of 96. Its frames are 8 ms
# apart: a settle of 3 ms keeps Linux's timeline near the capture's, and 8 s
# after it let every neighbour that failed free its queue on both sides.
sndbuf_case udp-sndbuf-frag Udp 80 16 --settle 3 --after 8
grep -q 'Icmp6.OutDestUnreachs *3 *3' "$OUT/ipv6-nud-failed.txt" ||
	{ echo "FAIL ipv6-nud-failed: not 3 address unreachables on each side"; fail=1; }
join
grep -q 'Icmp6.InDestUnreachs *2 *2' "$OUT/ipv6-echo-after.txt" ||
	{ echo "FAIL ipv6-echo-after: the address unreachables over lo are not in the comparison"; fail=1; }
join
grep -q 'Ip6.FragCreates *2 *2' "$OUT/ipv6-ra.txt" ||
	{ echo "FAIL ipv6-ra: the RA's MTU did not fragment the reply on both sides"; fail=1; }
join
grep -q 'Icmp6.OutNeighborSolicits *4 *4' "$OUT/ipv6-nud-na.txt" ||
	{ echo "FAIL ipv6-nud-na: not 1 + 3 probes on each side"; fail=1; }

# Netfilter: the scenario's rules go into the host namespace as nftables
# (diffkernel/diffkernel_nft.c). nf-features.json uses every match key, priorities
# from raw to security (an accept ends its own chain only), LOG, QUEUE with
# and without bypass and two more reject types, on nf-reject.pcap.
if command -v nft >/dev/null 2>&1; then
	check nf-drop pcaps/nf-drop.pcap pcaps/nf-drop.json
	check nf-reject pcaps/nf-reject.pcap pcaps/nf-reject.json
	check nf-features pcaps/nf-reject.pcap tests/diffkernel/nf-features.json
	# ip6tables: the IPv6 rules go into a table ip6 (REJECT's port
	# unreachable, adm-prohibited and tcp reset; a DROP at LOCAL_OUT
	# counted Ip6.OutDiscards; the RST uncounted in Ip6.OutRequests).
	check ipv6-nf pcaps/ipv6-nf.pcap pcaps/ipv6-nf.json
	# … and on a router: FORWARD (REJECT adm-prohibited, LOG) and a
	# POST_ROUTING DROP of its own time exceeded (Ip6.OutDiscards).
	check ipv6-nf-forward pcaps/ipv6-forward.pcap tests/diffkernel/ipv6-nf-forward.json
	join
	grep -q 'Ip6.OutDiscards *1 *1' "$OUT/ipv6-nf-forward.txt" ||
		{ echo "FAIL ipv6-nf-forward: the POST_ROUTING drop is not in the comparison"; fail=1; }
	grep -q 'table ip6 netjourney6' "$OUT/ipv6-nf.txt" && grep -q 'Ip6.OutDiscards *1 *1' "$OUT/ipv6-nf.txt" ||
		{ echo "FAIL ipv6-nf: no ip6 table, or the LOCAL_OUT drop is not in the comparison"; fail=1; }
	grep -q 'chain input_m150' "$OUT/nf-features.txt" ||
		{ echo "FAIL nf-features: the report does not show the nft chains"; fail=1; }
else
	echo "FAIL nf-drop nf-reject nf-features: nft is needed (make deps: nftables)"; fail=1
fi

# A rule with no nftables form is refused before any namespace exists, and
# the message names it; so is a ruleset when nft is missing.
cat >"$OUT/nf-stolen.json" <<'EOF_SC'
{"interfaces":[{"name":"eth0","mac":"02:00:00:00:00:01","addrs":["10.0.0.2/24"]}],
 "netfilter":[{"hook":"INPUT","verdict":"DROP","match":{"proto":"udp"}},
	      {"hook":"INPUT","verdict":"STOLEN","match":{"proto":"tcp","dport":23}}]}
EOF_SC
refuse() {
	name=$1 want=$2; shift 2
	"$@" >"$OUT/$name.txt" 2>&1 && { echo "FAIL $name: exit 0"; fail=1; return; }
	if grep -q "$want" "$OUT/$name.txt" && ! grep -q '^AGREE\|^DIFFERENT' "$OUT/$name.txt"; then
		echo "ok   $name"
	else
		echo "FAIL $name: no \"$want\" or a comparison ran anyway"; cat "$OUT/$name.txt"; fail=1
	fi
}
join
refuse nf-refuse-stolen 'netfilter\[1\] (LOCAL_IN.*dport 23.*STOLEN' \
	"$NJ" diff-kernel pcaps/nf-reject.pcap -c "$OUT/nf-stolen.json"
# A PATH with ip but no nft.
nonft="$OUT/path-without-nft"
mkdir -p "$nonft"
ln -sf "$(command -v ip)" "$nonft/ip"
refuse nf-refuse-no-nft 'nft is not installed' \
	env PATH="$nonft" "$NJ" diff-kernel pcaps/nf-reject.pcap -c pcaps/nf-reject.json
# An nft that refuses the ruleset: its message is passed on, the run stops.
printf '#!/bin/sh\nwhile read -r l; do :; done\necho "/dev/stdin:4:3-9: Error: refused by the test" >&2\nexit 1\n' >"$nonft/nft"
chmod +x "$nonft/nft"
refuse nf-nft-fails 'nft could not load.*' \
	env PATH="$nonft" "$NJ" diff-kernel pcaps/nf-reject.pcap -c pcaps/nf-reject.json
join
grep -q 'refused by the test' "$OUT/nf-nft-fails.txt" || { echo "FAIL nf-nft-fails: nft's message is lost"; fail=1; }
rm -f "$nonft/nft"

# --auto-host: both sides learn the peer's MAC from its frames (replay
# --auto-host's rule), so the echo replies leave without an ARP request.
join
"$NJ" diff-kernel --auto-host pcaps/icmp-echo.pcap >"$OUT/auto-host.txt" 2>&1
if grep -q '^AGREE' "$OUT/auto-host.txt" && ! grep -q 'ARP who-has' "$OUT/auto-host.txt" &&
	[ "$(grep -c 'ICMP echo reply' "$OUT/auto-host.txt")" = 6 ]; then
	echo "ok   auto-host"
else
	echo "FAIL auto-host: not in agreement, or an ARP request where the peer was learned"; cat "$OUT/auto-host.txt"; fail=1
fi

# --auto-host on a capture sent to the broadcast MAC: no interface can have
# that address, so the host takes a unicast one and the frames stay
# broadcast on both sides (a third-party capture; skipped without it).
join
SH="$(cd .. && pwd)/shared/pcaps/zeek-chksum-ip4-bad.pcap"
if [ -f "$SH" ]; then
	"$NJ" diff-kernel --auto-host "$SH" >"$OUT/auto-host-bcast.txt" 2>&1
	if grep -q '^AGREE' "$OUT/auto-host-bcast.txt" && ! grep -q 'ff:ff:ff:ff:ff:ff)' "$OUT/auto-host-bcast.txt"; then
		echo "ok   auto-host-bcast"
	else
		echo "FAIL auto-host-bcast: the host kept a broadcast MAC or Linux disagreed"; cat "$OUT/auto-host-bcast.txt"; fail=1
	fi
else
	echo "skip auto-host-bcast: $SH absent"
fi

# TCP inside IP fragments is injected as captured (its ack is not moved to
# Linux's ISN): the report must say so rather than leave the difference
# unexplained.
join
SH="$(cd .. && pwd)/shared/pcaps/zeek-frag-tiny-syn.pcap"
if [ -f "$SH" ]; then
	"$NJ" diff-kernel --auto-host "$SH" >"$OUT/tcp-frags.txt" 2>&1
	if grep -q '^[0-9]* TCP fragment(s) went in as captured' "$OUT/tcp-frags.txt"; then
		echo "ok   tcp-frags-note"
	else
		echo "FAIL tcp-frags-note: no note for TCP in IP fragments"; cat "$OUT/tcp-frags.txt"; fail=1
	fi
else
	echo "skip tcp-frags-note: $SH absent"
fi

# --auto-host learns each peer's MAC from its first frame on both sides,
# through VLAN tags as netjourney does: a priority-tagged (VLAN 0) and a
# QinQ HTTP GET. The kernel's SYN-ACK had waited on ARP while netjourney
# answered at once, and a frame the host sent to its gateway overrides the
# router's MAC a peer's frame taught (the reply goes where the host sent).
join
for cap in zeek-http-get-vlan0 zeek-http-get-qinq zeek-tcp-http-retransmits; do
	SH="$(cd .. && pwd)/shared/pcaps/$cap.pcap"
	if [ ! -f "$SH" ]; then echo "skip learn-$cap: $SH absent"; continue; fi
	"$NJ" diff-kernel --auto-host "$SH" >"$OUT/learn-$cap.txt" 2>&1
	first=$(awk '/^#1 /{f=1; next} f && /^#/{exit} f' "$OUT/learn-$cap.txt")
	if echo "$first" | grep -q '^    = same' && ! grep -q 'ARP who-has' "$OUT/learn-$cap.txt" &&
		! grep -q 'compared: [0-9a-f:]*>00:30:48:21:15:7e' "$OUT/learn-$cap.txt"; then
		echo "ok   learn-$cap (the SYN's answer the same, no ARP, replies to the host's own next hop)"
	else
		echo "FAIL learn-$cap: the first answer differs, ARP was asked, or a reply went to the peer's router"
		head -30 "$OUT/learn-$cap.txt"; fail=1
	fi
done

# ---- tun devices ----
# A capture with no link-layer header (raw IP, BSD loopback) is replayed on
# a tun device (host inference gives it tun0). The kernel side makes a real
# one in the host namespace (/dev/net/tun, IFF_TUN | IFF_NO_PI), writes each
# packet to it (tun_get_user) and reads what the host sends from it: no ARP,
# no neighbour solicitation on either side. Each report must say its packets
# went through the tun (so no case passes by being refused).
TUNCASES=
tcheck() { TUNCASES="$TUNCASES $1"; check "$@"; }
join
"$NJ" mkpcap host-null "$OUT/tun-host-null.pcap" >/dev/null && tcheck tun-host-null "$OUT/tun-host-null.pcap"
# tcpdump -i any on a VPN client (cooked, ARPHRD_NONE), and a PPP capture:
# ppp0 stands as a tun on the kernel side (PPP's own driver needs a PPP
# peer); both resolve no neighbours, and what is compared agrees.
"$NJ" mkpcap host-sll-tun "$OUT/tun-host-sll-tun.pcap" >/dev/null && tcheck tun-host-sll-tun "$OUT/tun-host-sll-tun.pcap"
"$NJ" mkpcap host-ppp "$OUT/tun-host-ppp.pcap" >/dev/null && tcheck tun-host-ppp "$OUT/tun-host-ppp.pcap"
# The inferred host has an IPv6 connection open before the capture, which
# the kernel side cannot have (diff-kernel opens no "connections": the
# Ethernet host-ipv6only differs the same way), so it runs with that host
# less its connection: the RST for its segments is compared instead.
"$NJ" mkpcap host-ipv6raw "$OUT/tun-host-ipv6raw.pcap" >/dev/null &&
	tcheck tun-host-ipv6raw "$OUT/tun-host-ipv6raw.pcap" tests/diffkernel/tun-ipv6raw.json
# The default host on a tun (tun-default.json: its addresses, routes via
# the gateway, listeners): Ethernet captures have their headers taken off,
# as replay takes them off for a tun.
# ipv6-ndisc: a tun (NOARP) joins no solicited-node group, so Linux drops
# the multicast and DAD solicitations (netjourney answered them before).
for p in icmp-echo tcp-http tcp-pmtu frag-out-of-order ipv6-echo ipv6-tcp-http ipv6-frag ipv6-ndisc; do
	tcheck "tun-$p" "pcaps/$p.pcap" tests/diffkernel/tun-default.json
done
# Third-party raw captures (LINKTYPE_RAW, LINKTYPE_IPV4), read in place.
# dnscap's DNS queries arrive as fragments whose UDP checksum is only the
# pseudo-header sum (captured before the sender's offload filled it in):
# written to a tun without a vnet header they are CHECKSUM_NONE, and both
# verify and drop them (Udp.InCsumErrors; netjourney trusted such a sum as
# CHECKSUM_PARTIAL on any device before session 14).
SHD="$(cd .. && pwd)/shared/pcaps"
if [ -d "$SHD" ]; then
	tcheck tun-raw-dns "$SHD/tcpdump-linktype-raw-dns.pcap"
	tcheck tun-ipv4-dns "$SHD/tcpdump-linktype-ipv4-dns.pcap"
	tcheck tun-dnscap-frags "$SHD/dnscap-frags-dns-rawip.pcap"
else
	echo "skip tun-raw-dns tun-ipv4-dns tun-dnscap-frags: $SHD absent (third-party captures)"
fi
# Ethernet and tun in one host: a pcapng with an Ethernet interface and a
# raw IPv4 one, each frame on its own; the tun's replies leave on the tun.
cat >"$OUT/tun-mixed.json" <<'EOF_SC'
{"interfaces":[{"name":"eth0","mac":"02:00:00:00:00:01","addrs":["10.0.0.2/24"]},
	       {"name":"tun0","type":"tun","addrs":["10.8.0.2/24"]}],
 "neighbours":[{"ip":"10.0.0.1","mac":"02:00:00:00:00:99","dev":"eth0"}]}
EOF_SC
if command -v python3 >/dev/null 2>&1; then
	python3 - "$OUT/tun-mixed.pcapng" <<'EOF_PY'
import struct, sys
def csum(b):
    b += b'\0' * (len(b) % 2)
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def echo(src, dst, seq):
    ic = struct.pack('!BBHHH', 8, 0, 0, 0x1234, seq) + b'abcdefgh' * 4
    ic = ic[:2] + struct.pack('!H', csum(ic)) + ic[4:]
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(ic), seq, 0, 64, 1, 0, bytes(src), bytes(dst))
    return h[:10] + struct.pack('!H', csum(h)) + h[12:] + ic
def block(t, body):
    body += b'\0' * (-len(body) % 4)
    return struct.pack('<II', t, 12 + len(body)) + body + struct.pack('<I', 12 + len(body))
out = block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1))
out += block(1, struct.pack('<HHI', 1, 0, 262144)) + block(1, struct.pack('<HHI', 228, 0, 262144))
eth = bytes.fromhex('020000000001' '020000000099' '0800')
for i in range(4):
    iface = i % 2
    pkt = echo([10, 8, 0, 1], [10, 8, 0, 2], i + 1) if iface else eth + echo([10, 0, 0, 1], [10, 0, 0, 2], i + 1)
    t = 1700000000000000 + i * 1000
    out += block(6, struct.pack('<IIIII', iface, t >> 32, t & 0xffffffff, len(pkt), len(pkt)) + pkt)
open(sys.argv[1], 'wb').write(out)
EOF_PY
	tcheck tun-mixed "$OUT/tun-mixed.pcapng" "$OUT/tun-mixed.json"
	join
	"$NJ" diff-kernel --json "$OUT/tun-mixed.pcapng" -c "$OUT/tun-mixed.json" >"$OUT/tun-mixed.json.out" 2>&1
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); p=d["packets"]
assert d["agree"] and "tun0 is a tun device" in d["notes"]
for i in range(4):
    for side in ("linux", "netjourney"):
        assert [f["dev"] for f in p[i][side]] == [i % 2], (i, side)' "$OUT/tun-mixed.json.out" ||
		{ echo "FAIL tun-mixed: not every reply on its own interface (eth0, tun0) on both sides"; fail=1; }
else
	echo "skip tun-mixed: python3 is needed to write its pcapng"
fi
join
for n in $TUNCASES; do
	grep -q '^interface [a-z0-9]* is a tun device (/dev/net/tun' "$OUT/$n.txt" ||
		{ echo "FAIL $n: the report does not say its packets went through a tun device"; fail=1; }
done
# Cooked captures (tcpdump -i any) on an Ethernet host: each frame gets a
# MAC header that gives the kernel the packet type its cooked header
# recorded, from its sender's link address (refused before session 15). A
# laptop's -i any with a VPN up (eth0 and tun0, a host route to the VPN
# endpoint) agrees frame by frame; cooked frames without a link address
# teach the kernel no neighbour, as they teach netjourney none.
"$NJ" mkpcap host-sll2 "$OUT/host-sll2.pcap" >/dev/null
"$NJ" mkpcap host-any-vpn "$OUT/host-any-vpn.pcap" >/dev/null
check cooked-sll2 "$OUT/host-sll2.pcap"
check cooked-vpn "$OUT/host-any-vpn.pcap"
join
# What diff-kernel cannot inject is refused before any namespace exists:
# a frame that crossed lo (the kernel's own lo takes no injected frame).
"$NJ" mkpcap host-any-lo "$OUT/host-any-lo.pcap" >/dev/null
refuse lo-refused 'frame 1 crossed lo (tcpdump -i any)' "$NJ" diff-kernel "$OUT/host-any-lo.pcap"

# --json is one valid object naming the kernel.
join
"$NJ" diff-kernel --json pcaps/udp.pcap >"$OUT/udp.json" 2>&1
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["agree"] and d["kernel"] and d["packets"]' \
		"$OUT/udp.json" || { echo "FAIL --json"; cat "$OUT/udp.json"; fail=1; }
fi

# Ctrl-C half-way: non-zero exit, and the namespaces are gone.
join
"$NJ" diff-kernel pcaps/icmp-echo.pcap >"$OUT/interrupt.txt" 2>&1 &
pid=$!
sleep 1
kill -INT "$pid"
if wait "$pid"; then echo "FAIL interrupt: exit 0 after SIGINT"; fail=1; fi
left=$(ip netns list | grep -c "^njdk$pid-")
[ "$left" = 0 ] || { echo "FAIL interrupt: $left namespace(s) left"; fail=1; }
join
grep -q interrupted "$OUT/interrupt.txt" || { echo "FAIL interrupt: no message"; cat "$OUT/interrupt.txt"; fail=1; }

join
# Nothing left behind: a namespace njdk<pid>-* whose process is gone is a
# leak (another run going on at the same time still owns its own).
for ns in $(ip netns list | awk '{print $1}' | grep '^njdk[0-9]*-'); do
	p=${ns#njdk}; p=${p%%-*}
	kill -0 "$p" 2>/dev/null || { echo "FAIL: namespace $ns left behind"; fail=1; }
done
join
exit $fail
