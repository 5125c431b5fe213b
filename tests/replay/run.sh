#!/bin/sh
# `netjourney replay` on bad input: every case must end with a clear message
# naming the file, a non-zero exit, and (with -o) a trace whose every line is
# valid JSON and whose last line says whether it is complete.
cd "$(dirname "$0")/../.." || exit 1
NJ=${NJ:-build/netjourney}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
check_json() { # every line of $1 parses; prints the number of lines
	python3 - "$1" <<'PY' || return 1
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    json.loads(line); n += 1
print(n)
PY
}
expect() { # name, expected exit (0 or nonzero), grep pattern for stderr, command...
	name=$1 want=$2 pat=$3; shift 3
	"$@" >"$T/out" 2>"$T/err"; rc=$?
	if [ "$want" = 0 ] && [ $rc -ne 0 ]; then echo "replay: $name: exit $rc, expected 0"; cat "$T/err"; fail=1; return; fi
	if [ "$want" != 0 ] && [ $rc -eq 0 ]; then echo "replay: $name: exit 0, expected failure"; fail=1; return; fi
	if [ -n "$pat" ] && ! grep -q -- "$pat" "$T/err"; then echo "replay: $name: stderr lacks '$pat':"; cat "$T/err"; fail=1; fi
}

expect missing-file 1 "nope.pcap: No such file" $NJ replay "$T/nope.pcap"
head -c 300 /dev/urandom > "$T/garbage.pcap"
expect garbage 1 "garbage.pcap: not a readable pcap" $NJ replay "$T/garbage.pcap"
: > "$T/empty.pcap"
expect empty-file 1 "empty.pcap" $NJ replay "$T/empty.pcap"
expect directory 1 "is a directory" $NJ replay "$T"
expect usage 2 "expected one capture file" $NJ replay
expect bad-option 2 "" $NJ replay --frobnicate pcaps/default.pcap

# A capture cut in the middle of its last frame: every complete record is
# replayed, the totals printed, then a warning with the byte offset where
# the cut record starts (24 + 12 records); exit status 3.
size=$(wc -c < pcaps/default.pcap)
head -c $((size - 20)) pcaps/default.pcap > "$T/cut.pcap"
$NJ replay -o "$T/cut.jsonl" "$T/cut.pcap" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 3 ] || { echo "replay: truncated: exit $rc, expected 3"; fail=1; }
grep -q "cut.pcap: byte offset 1184: a truncated record" "$T/err" || { echo "replay: truncated: no warning with the offset:"; cat "$T/err"; fail=1; }
grep -q "^  packets *12" "$T/out" || grep -q "12 packets" "$T/out" || { echo "replay: truncated: no totals for the 12 frames:"; tail -5 "$T/out"; fail=1; }
n=$(check_json "$T/cut.jsonl") || { echo "replay: truncated: trace has an invalid line"; fail=1; }
tail -n 1 "$T/cut.jsonl" | grep -q '"kind":"trace_end","complete":true,"events":[0-9]*,"packets":12' || { echo "replay: truncated: last line is not a complete 12-packet end"; fail=1; }
[ -e "$T/cut.jsonl.part" ] && { echo "replay: truncated: .part file left behind"; fail=1; }
# One stray byte after the last record: the same, at the file's old end.
{ cat pcaps/default.pcap; printf 'x'; } > "$T/stray.pcap"
$NJ replay -q "$T/stray.pcap" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "stray.pcap: byte offset $size: " "$T/err" || { echo "replay: stray byte: exit $rc"; cat "$T/err"; fail=1; }

# A compressed capture: said so, with what to do.
gzip -c pcaps/default.pcap > "$T/z.pcap.gz"
expect gzip 1 "z.pcap.gz: a gzip-compressed capture: decompress it first" $NJ replay "$T/z.pcap.gz"

# Unknown link type (DLT_IEEE802_11 = 105): a valid header, an unsupported link.
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\151\000\000\000' > "$T/wifi.pcap"
expect linktype 1 "wifi.pcap: link type 105" $NJ replay "$T/wifi.pcap"

# Scenarios that are not right.
printf '{"interfaces": [' > "$T/bad.json"
expect scenario-syntax 1 "bad.json: not valid JSON" $NJ replay -c "$T/bad.json" pcaps/default.pcap
printf '{"interfaces": [{"name":"eth0","mac":"02:00:00:00:00:zz"}]}' > "$T/mac.json"
expect scenario-field 1 "interfaces\[0\].mac" $NJ replay -c "$T/mac.json" pcaps/default.pcap
printf '{"interfaces": [{"mac":"02:00:00:00:00:01","addrs":["10.0.0.300/24"]}]}' > "$T/addr.json"
expect scenario-addr 1 "interfaces\[0\].addrs\[0\]" $NJ replay -c "$T/addr.json" pcaps/default.pcap
expect scenario-missing 1 "nope.json: No such file" $NJ replay -c "$T/nope.json" pcaps/default.pcap

# A good replay: JSONL parses line by line, the Chrome trace is one document.
expect good 0 "" $NJ replay -q -o "$T/t.jsonl" --chrome "$T/t.json" -w "$T/out.pcap" pcaps/default.pcap
n=$(check_json "$T/t.jsonl") || { echo "replay: good: invalid JSONL line"; fail=1; }
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d['traceEvents']) > 100" "$T/t.json" ||
	{ echo "replay: chrome trace does not parse"; fail=1; }
tail -n 1 "$T/t.jsonl" | grep -q '"complete":true' || { echo "replay: good: not marked complete"; fail=1; }

# pcapng reads like pcap: the same journeys (editcap comes with tshark).
command -v editcap >/dev/null || { echo "replay: FAIL: editcap is needed (make deps: tshark)"; fail=1; }
if command -v editcap >/dev/null; then
	editcap -F pcapng pcaps/default.pcap "$T/default.pcapng"
	$NJ replay --summary pcaps/default.pcap > "$T/a.txt" 2>&1
	$NJ replay --summary "$T/default.pcapng" > "$T/b.txt" 2>&1
	cmp -s "$T/a.txt" "$T/b.txt" || { echo "replay: pcapng journeys differ from pcap:"; diff "$T/a.txt" "$T/b.txt" | head; fail=1; }
	grep -q "pkt 13:" "$T/b.txt" || { echo "replay: pcapng: packets missing"; fail=1; }
else
	echo "replay: editcap (tshark) absent: pcapng check skipped"
fi

# Every third-party capture replays to the end (with -o: valid lines).
shared="$(cd .. && pwd)/shared/pcaps"
if [ -d "$shared" ]; then
	for p in "$shared"/*.pcap; do
		$NJ replay -q -o "$T/s.jsonl" "$p" >/dev/null 2>"$T/err" || { echo "replay: $(basename "$p") failed:"; cat "$T/err"; fail=1; }
		check_json "$T/s.jsonl" >/dev/null || { echo "replay: $(basename "$p"): invalid JSONL"; fail=1; }
	done
else
	echo "replay: $shared absent: third-party captures skipped"
fi
# --no-trace (the tracer's lite mode, which skips the exits that decide
# nothing) must reach the traced replay's totals on every capture we have.
# And the JSONL of -q, whose msgs the writer's thread formats from their
# raw arguments (TRACE_SINK_RAW_MSG), is the JSONL of a replay that prints
# every event, whose msgs the tracer formats itself.
totals() { sed -n '/ packets:/,/^counters/p' | grep -v '^counters'; }
np=0
for p in pcaps/*.pcap "$shared"/*.pcap; do
	[ -f "$p" ] || continue
	$NJ replay -q -o "$T/raw.jsonl" "$p" 2>/dev/null | totals >"$T/traced.txt"
	$NJ replay -o "$T/text.jsonl" "$p" >/dev/null 2>&1
	cmp -s "$T/raw.jsonl" "$T/text.jsonl" || { echo "replay: $(basename "$p"): -q -o and -o JSONL differ:"; cmp "$T/raw.jsonl" "$T/text.jsonl"; fail=1; }
	$NJ replay --no-trace "$p" 2>/dev/null | totals >"$T/lite.txt"
	grep -q ' packets:' "$T/traced.txt" || { echo "replay: $(basename "$p"): no totals line"; fail=1; }
	cmp -s "$T/traced.txt" "$T/lite.txt" || { echo "replay: $(basename "$p"): --no-trace totals differ:"; diff "$T/traced.txt" "$T/lite.txt" | head -5; fail=1; }
	np=$((np + 1))
done
[ "$np" -ge 50 ] || { echo "replay: only $np captures compared traced against --no-trace"; fail=1; }
# Fragments queued, then dropped by their timer, have two fates each: the
# totals say so rather than add up past the packet count unexplained.
$NJ replay --no-trace pcaps/frag-timeout-at-end.pcap 2>/dev/null | grep -q \
	'^2 packets: drop 2 queued 2 (2 more fates than packets: one queued, then dropped or sent later' ||
	{ echo "replay: frag-timeout-at-end: the totals do not explain the second fates"; fail=1; }
$NJ replay --no-trace pcaps/default.pcap 2>/dev/null | grep ' packets:' | grep -q 'more fates' &&
	{ echo "replay: default: a note on second fates where there are none"; fail=1; }

[ $fail = 0 ] && echo "replay: bad-input and output-format checks passed (last trace: $n lines; $np captures: --no-trace totals = traced, raw msgs = formatted)"
exit $fail
