#!/bin/sh
# tests/step/run.sh - scripted sessions of `netjourney step`: commands on
# stdin, expected fragments of the output checked with grep. One test runs
# it under a real pseudo-terminal to check libedit line editing and history.
# Exits non-zero when any check fails. NJ_BIN overrides the binary.
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
NJ=${NJ_BIN:-$B/netjourney}
P=pcaps
SHARED=../shared/pcaps
T=$(mktemp -d "${TMPDIR:-/tmp}/njstep.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail=0
pass=0

ok() { pass=$((pass + 1)); }
bad() { echo "  FAIL: $1"; fail=1; }
skip() { echo "  SKIP: $1"; }

# sess OUT ARGS... : runs step with stdin from $CMDS into OUT; checks exit 0.
sess() {
	out=$1; shift
	printf '%s\n' "$CMDS" | "$NJ" step --color=never "$@" >"$out" 2>"$out.err"
	rc=$?
	[ $rc -eq 0 ] || bad "exit $rc from step $* (commands: $(echo "$CMDS" | tr '\n' ';'))"
}

# has OUT REGEX WHAT / hasnt OUT REGEX WHAT
has() { if grep -Eq -- "$2" "$1"; then ok; else bad "$3: no /$2/ in output"; sed 's/^/    | /' "$1" | head -40; fi; }
hasnt() { if grep -Eq -- "$2" "$1"; then bad "$3: unexpected /$2/"; else ok; fi; }

[ -x "$NJ" ] || { echo "tests/step: $NJ not built"; exit 1; }

# 1. break reason IP_CSUM stops at the drop, with the call chain below it.
CMDS="break reason IP_CSUM
continue
bt
print headers
x"
sess "$T/csum" "$P/ip-bad-csum.pcap"
has "$T/csum" '^Breakpoint 1, drop reason IP_CSUM' "break reason"
has "$T/csum" '^#[0-9]+ pkt 1 depth [0-9]+  [a-z_]+  ← drop IP_CSUM' "location of the drop"
has "$T/csum" '^#1  #[0-9]+ pkt 1 depth [0-9]+  ip_rcv_core  → enter' "bt shows ip_rcv_core as the caller"
has "$T/csum" 'csum 0x[0-9a-f]{4} \(BAD\)' "print headers flags the bad checksum"
has "$T/csum" '\[45 00' "x marks the IPv4 header with brackets"

# 2. break FN, break pkt N, break 'EXPR' (libpcap), info break, delete.
CMDS="break ip_rcv_core
break pkt 8
break 'arp'
info break
continue
continue
delete 1
continue
continue
info break"
sess "$T/bps" "$P/default.pcap"
has "$T/bps" '^Breakpoint 1, function ip_rcv_core' "break FN"
has "$T/bps" '^#[0-9]+ pkt 1 depth [0-9]+  ip_rcv_core  → enter' "break FN stops at the B event"
has "$T/bps" '^3 +0  filter .arp.' "info break lists the filter"
has "$T/bps" '^Breakpoint [23], (packet 8|filter .arp.)' "break pkt / filter"
has "$T/bps" '^#[0-9]+ pkt 8 depth 0  driver_rx  → enter' "stops at the packet's first event"
has "$T/bps" '^end of trace: no breakpoint hit' "continue runs to the end"
tail -n 3 "$T/bps" >"$T/bps.last"
hasnt "$T/bps.last" '^1 +[0-9]+  function ip_rcv_core' "delete removes the breakpoint"
has "$T/bps.last" '^2 +1  packet 8' "info break counts hits"

CMDS="break 'icmp'
continue
continue
break 'udp port 7'
continue"
sess "$T/flt" "$P/default.pcap"
has "$T/flt" '^#[0-9]+ pkt 1 depth 0  driver_rx  → enter.*ICMP' "break 'icmp' (the first packet)"
[ "$(grep -c '^Breakpoint 1, filter' "$T/flt")" -ge 2 ] && ok || bad "break 'icmp' hits twice"

# 3. back then step: the same event and the same state.
CMDS="pkt 2
step 12
print skb
info counters
x
bt"
sess "$T/fwd" "$P/default.pcap"
CMDS="pkt 2
step 13
back
step
back
print skb
info counters
x
bt"
sess "$T/bwd" "$P/default.pcap"
tail -n +4 "$T/fwd" >"$T/fwd.state"
tail -n +7 "$T/bwd" >"$T/bwd.state"
if cmp -s "$T/fwd.state" "$T/bwd.state" && [ -s "$T/fwd.state" ]; then ok; else
	bad "back/step: state differs"; diff "$T/fwd.state" "$T/bwd.state" | head -20; fi
[ "$(sed -n 4p "$T/fwd")" = "$(sed -n 7p "$T/bwd")" ] && ok || bad "back/step: not the same event"

# 4. info counters changes across a step (ip_rcv_core's E counts the datagram).
CMDS="break ip_rcv_core
continue
info counters
finish
info counters"
sess "$T/cnt" "$P/icmp-echo.pcap"
sed -n '/^counters up to/,$p' "$T/cnt" | sed '/ip_rcv_core  ←/,$d' >"$T/cnt.before"
sed -n '/ip_rcv_core  ←/,$p' "$T/cnt" >"$T/cnt.after"
hasnt "$T/cnt.before" 'Ip.InReceives' "counters before ip_rcv_core returns"
has "$T/cnt.after" 'Ip\.InReceives +1  \+1' "counters after (with the event's own +1)"

# 5. bad commands: one line each, the session goes on; EOF exits 0.
CMDS="bogus
pkt abc
break
break reason NOT_A_REASON
break 'tcp and ('
info nonsense
delete 42
step"
sess "$T/err" "$P/udp.pcap"
has "$T/err" "^unknown command 'bogus'" "unknown command"
has "$T/err" '^pkt: expected a number' "bad argument"
has "$T/err" '^break reason: no drop reason' "bad reason"
has "$T/err" "^break 'tcp and \(': " "bad filter (libpcap's message)"
has "$T/err" '^delete: no breakpoint 42' "bad delete"
has "$T/err" '^#2 pkt 1 depth 1 ' "the session went on after the errors"
[ "$(wc -l <"$T/err")" -eq 10 ] && ok || bad "each error is one line ($(wc -l <"$T/err") lines)"
CMDS=""
sess "$T/eof" "$P/udp.pcap"
CMDS="quit
step"
sess "$T/quit" "$P/udp.pcap"
hasnt "$T/quit" '^#2 ' "quit stops reading"

# 6. a .jsonl trace steps like the capture it came from.
"$NJ" replay -o "$T/default.jsonl" "$P/default.pcap" >/dev/null 2>&1 || bad "replay -o failed"
CMDS="break reason OTHERHOST
continue
bt
print skb
print headers
x
info counters
pkt 3
next
next
finish"
sess "$T/viapcap" "$P/default.pcap"
sess "$T/viajsonl" "$T/default.jsonl"
tail -n +2 "$T/viapcap" >"$T/a"
tail -n +2 "$T/viajsonl" >"$T/b"
if cmp -s "$T/a" "$T/b"; then ok; else bad ".jsonl and pcap sessions differ"; diff "$T/a" "$T/b" | head; fi
has "$T/viajsonl" '^Breakpoint 1, drop reason OTHERHOST' ".jsonl breakpoints"
CMDS="info routes"
sess "$T/routes" "$P/default.pcap"
has "$T/routes" 'dst 0.0.0.0/0  via 10.0.0.1  dev eth0' "info routes: the scenario's route"
has "$T/routes" 'dst 10.0.0.0/24  dev eth0  scope link  \(connected\)' "info routes: the connected route"
has "$T/routes" 'local 10.0.0.2  dev eth0  \(table local\)' "info routes: the local table"
has "$T/routes" 'broadcast 10.0.0.255  dev eth0  \(table local\)' "info routes: the broadcast route"
# path MTUs learned (the fold's "pmtu"): none before the first frag-needed,
# 1400 after it, 552 locked once a claim went below it
CMDS="pkt 2
info routes
pkt 4
info routes
pkt 9
info routes"
sess "$T/pmtu" "$P/icmp-pmtu.pcap"
has "$T/pmtu" '10\.0\.0\.1  cache expires 600s mtu 1400$' "info routes: the path MTU a frag-needed taught"
has "$T/pmtu" '10\.0\.0\.1  cache expires 600s mtu 552 \(locked: DF off\)' "info routes: a locked path MTU"
[ "$(grep -c 'cache expires' "$T/pmtu")" = 2 ] && ok || bad "info routes: a path MTU before the frag-needed"

# 7. fragment queues before and after reassembly.
frag=""
for f in "$P"/frag-*.pcap; do
	[ -f "$f" ] || continue
	sc=""; [ -f "${f%.pcap}.json" ] && sc="-c ${f%.pcap}.json"
	# shellcheck disable=SC2086
	if "$NJ" replay $sc -o "$T/f.jsonl" "$f" >/dev/null 2>&1 && grep -q '"tot_len"' "$T/f.jsonl"; then
		frag="$f"; fragopt="$sc"; break; fi
done
if [ -z "$frag" ] && [ -f "$SHARED/suricata-frag-icmp-echo.pcap" ]; then
	frag="$SHARED/suricata-frag-icmp-echo.pcap"; fragopt="--auto-host"; fi
if [ -n "$frag" ]; then
	CMDS="info frags
break ip_frag_reasm
continue
info frags
finish
info frags
back 2
info frags"
	# shellcheck disable=SC2086
	sess "$T/frag" $fragopt "$frag"
	has "$T/frag" '^fragment queues: none recorded' "no queue before the first fragment ($frag)"
	has "$T/frag" '^    have \[0,[0-9]+\)' "the queue's contents before reassembly"
	has "$T/frag" '^fragment queues at #[0-9]+: 0$' "the queue is gone after reassembly"
	[ "$(grep -c '^    have \[0,' "$T/frag")" -ge 2 ] && ok || bad "back brings the queue back"
else
	skip "info frags: no fragment pcap (pcaps/frag-*.pcap or $SHARED) yet"
fi

# 8. sockets: a TCP state change.
tcp=""
for f in "$P"/tcp-*.pcap; do
	[ -f "$f" ] || continue
	if "$NJ" replay -o "$T/t.jsonl" "$f" >/dev/null 2>&1 && grep -q '"tcp_set_state"' "$T/t.jsonl"; then
		tcp="$f"; break; fi
done
if [ -n "$tcp" ]; then
	CMDS="info sockets
break tcp_set_state
continue
info sockets"
	sess "$T/sock" "$tcp"
	has "$T/sock" 'connections: none recorded' "no connection before the first segment ($tcp)"
	has "$T/sock" '^  tcp [0-9.:>]+ +[A-Z_0-9]+ +\(from [A-Z_0-9]+ at #[0-9]+\)' "info sockets shows the state change"
	has "$T/sock" '^  tcp \*:80 +LISTEN' "info sockets lists the listeners"
else
	skip "info sockets: no TCP pcap with a state change in pcaps/ yet"
fi

# 9. -x FILE with --batch; list from static/explain.json; help.
printf 'break reason IP_CSUM\ncontinue\nlist ip_rcv_core\nhelp break\n' >"$T/cmds"
"$NJ" step --batch --color=never -x "$T/cmds" "$P/ip-bad-csum.pcap" >"$T/batch" 2>&1 </dev/null ||
	bad "--batch exit status"
has "$T/batch" '^Breakpoint 1, drop reason IP_CSUM' "-x runs the file"
has "$T/batch" '^ip_rcv_core  \(net/ipv4/ip_input.c\)' "list prints the explanation"
has "$T/batch" '^break FN \| drop' "help CMD"
"$NJ" step --batch --static "$T" "$P/udp.pcap" -x "$T/cmds" >"$T/nostatic" 2>&1
has "$T/nostatic" '^list: no explain.json found' "list without explain.json"
# columns, not bytes: the arrows and the ellipsis are one column each
wide=$(cat "$T/batch" "$T/csum" "$T/bps" "$T/viapcap" "$T/cnt" "$T/routes" |
	sed 's/→/>/g; s/←/</g; s/·/./g; s/…/~/g' | awk 'length > 80')
[ -z "$wide" ] && ok || { bad "lines wider than 80 columns"; echo "$wide" | head -5; }

# 10. every function the stack traced in pcaps/ has an explanation.
missing=""
for f in "$P"/*.pcap; do
	"$NJ" replay -o "$T/all.jsonl" "$f" >/dev/null 2>&1
	for fn in $(grep -o '"fn":"[A-Za-z0-9_]*"' "$T/all.jsonl" | sort -u | cut -d'"' -f4); do
		grep -q "\"$fn\": *{" static/explain.json || missing="$missing $fn"
	done
done
[ -z "$missing" ] && ok || bad "static/explain.json lacks:$(echo "$missing" | tr ' ' '\n' | sort -u | tr '\n' ' ')"

# 11. a real terminal: libedit editing (backspace) and history (up arrow).
if command -v script >/dev/null 2>&1; then
	(sleep 1; printf 'stx\177ep\r'; sleep 0.5; printf '\033[A\r'; sleep 0.5; printf 'quit\r'; sleep 0.5) |
		script -qec "$NJ step --color=never $P/udp.pcap" /dev/null >"$T/pty" 2>&1
	tr -d '\r' <"$T/pty" >"$T/pty.txt"
	has "$T/pty.txt" '^#2 pkt 1 depth 1 ' "pty: the edited 'step' ran"
	has "$T/pty.txt" '#3 pkt 1 depth 1 ' "pty: up arrow recalled 'step'"
	has "$T/pty.txt" '\(nj\) ' "pty: the prompt"
else
	echo "  FAIL: pty test: script(1) is needed (util-linux's bsdutils)"; exit 1
fi

echo "tests/step: $pass checks passed"
exit $fail
