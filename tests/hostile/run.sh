#!/bin/sh
# tests/hostile/run.sh - hostile input from the outside, short versions for
# `make test` (tests/soak/run.sh runs them long and prints the figures):
#  1. a fragment flood (mkpcap frag-flood) through `replay -q`: the peak
#     anonymous RSS of a 5x larger flood stays within a few MiB of the
#     smaller one, i.e. reassembly memory is bounded (ipfrag_high_thresh),
#     not the process;
#     likewise a flood of frag-needed / Packet Too Big errors, each for
#     another destination (the route exception tables are fixed in size);
#  2. nothing lost: `replay -o` interrupted by SIGINT and by SIGTERM leaves
#     TRACE.partial, whose every line is complete JSON and whose trace_end
#     says "complete": false, and no TRACE; SIGKILL leaves only TRACE.part
#     (the final name never holds a half-written trace);
#  3. the server's short hardening check (server.sh) and its attacks
#     (attack.sh: slowloris, unread streams, Host/Origin, budgets, SIGTERM)
#     when `serve` exists.
# Sizes: HOSTILE_FRAGS (default 20000; the second run is 5x).
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
NJ=${NJ:-$B/netjourney}
[ -x "$NJ" ] || { echo "tests/hostile: $NJ missing: run make first"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "FAIL tests/hostile: python3 is needed (make deps)"; exit 1; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail=0
say() { echo "tests/hostile: $*"; }
bad() { echo "tests/hostile: FAIL: $*"; fail=1; }

# peak_rss FILE: "replay -q FILE"'s largest anonymous resident set (RssAnon,
# read every 2 ms) in KiB: the stack's own memory. VmHWM would count the
# capture's pages too, which the SYN-ACK read-ahead keeps mapped for the
# replay (up to 32 MiB, replay/source_pcap_blocks.c), so it grows with the
# file by design.
peak_rss() {
	python3 - "$NJ" "$1" >"$T/rss" 2>"$T/err" <<'PY' || return 1
import subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "replay", "-q", sys.argv[2]], stdout=subprocess.DEVNULL, stderr=sys.stderr)
peak = 0
while p.poll() is None:
    try:
        with open("/proc/%d/status" % p.pid) as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    peak = max(peak, int(line.split()[1]))
    except OSError:
        pass
    time.sleep(0.002)
print(peak)
sys.exit(p.returncode)
PY
	tail -n 1 "$T/rss"
}

# -- 1. fragment flood: distinct ids, never completed
n=${HOSTILE_FRAGS:-20000}
big=$((n * 5))
"$NJ" mkpcap frag-flood "$T/small.pcap" --count "$n" >/dev/null || bad "mkpcap frag-flood"
"$NJ" mkpcap frag-flood "$T/big.pcap" --count "$big" >/dev/null || bad "mkpcap frag-flood"
r1=$(peak_rss "$T/small.pcap") || bad "replay of the small flood failed: $(cat "$T/err")"
r2=$(peak_rss "$T/big.pcap") || bad "replay of the large flood failed: $(cat "$T/err")"
if [ "${r1:-0}" -gt 0 ] && [ "${r2:-0}" -gt 0 ]; then
	say "fragment flood: $n fragments: peak RSS $r1 KiB; $big fragments: $r2 KiB"
	# ASan's shadow memory and quarantine grow with every allocation made,
	# bounded or not: the RSS comparison only means something without it.
	if ! nm -A "$NJ" 2>/dev/null | grep -q __asan_init && [ $((r2 - r1)) -gt 8192 ]; then
		bad "RSS grew by $((r2 - r1)) KiB for 5x the fragments: reassembly memory is not bounded"
	fi
else
	say "fragment flood replayed (no RSS figure)"
fi

# -- 1b. path MTU flood: errors about replies to as many destinations, each
# making or recycling a route exception: the tables are fixed in size, and
# the peer's own path is untouched (its ping's reply leaves whole)
"$NJ" mkpcap bench-pmtu-flood "$T/pmtu-small.pcap" --count "$n" >/dev/null || bad "mkpcap bench-pmtu-flood"
"$NJ" mkpcap bench-pmtu-flood "$T/pmtu-big.pcap" --count "$big" >/dev/null || bad "mkpcap bench-pmtu-flood"
p1=$(peak_rss "$T/pmtu-small.pcap") || bad "replay of the small path MTU flood failed: $(cat "$T/err")"
p2=$(peak_rss "$T/pmtu-big.pcap") || bad "replay of the large path MTU flood failed: $(cat "$T/err")"
say "path MTU flood: $n errors: peak RSS ${p1:-?} KiB; $big errors: ${p2:-?} KiB"
if [ "${p1:-0}" -gt 0 ] && [ "${p2:-0}" -gt 0 ] && ! nm -A "$NJ" 2>/dev/null | grep -q __asan_init &&
   [ $((p2 - p1)) -gt 8192 ]; then
	bad "RSS grew by $((p2 - p1)) KiB for 5x the errors: the route exceptions are not bounded"
fi
"$NJ" replay --no-trace "$T/pmtu-big.pcap" >"$T/pmtu.out" 2>&1 || bad "replay --no-trace of the path MTU flood"
grep -q "^$((big + 1)) packets: consumed $((big + 1))\$" "$T/pmtu.out" && ! grep -q 'Ip.FragCreates' "$T/pmtu.out" ||
	bad "path MTU flood: not every error consumed, or the peer's reply was fragmented: $(head -3 "$T/pmtu.out")"

# -- 2. nothing lost when interrupted
"$NJ" mkpcap bench-mix "$T/mix.pcap" --count 300000 >/dev/null || bad "mkpcap bench-mix"
interrupt() {	# interrupt SIGNAL NAME
	rm -f "$T/$2.jsonl" "$T/$2.jsonl.part" "$T/$2.jsonl.partial"
	"$NJ" replay -q -o "$T/$2.jsonl" "$T/mix.pcap" >/dev/null 2>"$T/$2.err" &
	pid=$!
	sleep 0.5
	kill -"$1" "$pid" 2>/dev/null
	{ wait "$pid"; } 2>/dev/null
	echo $?
}
for sig in INT TERM; do
	rc=$(interrupt "$sig" "sig$sig")
	if [ ! -f "$T/sig$sig.jsonl.partial" ]; then
		bad "SIG$sig: no partial trace file (rc $rc): $(cat "$T/sig$sig.err")"
	elif [ -f "$T/sig$sig.jsonl.part" ] || [ -f "$T/sig$sig.jsonl" ]; then
		bad "SIG$sig: the .part file was left behind, or the final name written"
	elif out=$(python3 tests/hostile/check_trace.py "$T/sig$sig.jsonl.partial" --interrupted); then
		say "SIG$sig after 0.5 s: exit $rc, $out, all valid JSON, trace_end complete:false"
	else
		bad "SIG$sig: $out"
	fi
done
rc=$(interrupt KILL sigKILL)
if [ -f "$T/sigKILL.jsonl" ]; then
	bad "SIGKILL: the final name exists: a half-written trace would pass for a whole one"
elif [ ! -f "$T/sigKILL.jsonl.part" ]; then
	bad "SIGKILL: no .part file left"
elif out=$(python3 tests/hostile/check_trace.py "$T/sigKILL.jsonl.part" --partial); then
	say "SIGKILL: only sigKILL.jsonl.part remains ($out)"
else
	bad "SIGKILL: $out"
fi

# -- 3. the server, when it exists
if [ -f tests/hostile/server.sh ] && "$NJ" serve --help >/dev/null 2>&1; then
	NJ="$NJ" sh tests/hostile/server.sh short || fail=1
	NJ="$NJ" sh tests/hostile/attack.sh short || fail=1
fi
exit $fail
