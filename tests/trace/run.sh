#!/bin/sh
# tests/trace/run.sh - the compact trace form (.njz, docs/trace-format.md)
# from the command line: for every pcaps/ capture, the replay's JSONL goes to
# .njz and back byte for byte (`netjourney export`), smaller; a cut
# or damaged .njz is refused by export and step with a message naming it;
# step shows the same session on .njz as on .jsonl; serve answers the same
# pages for a capture (its store is compact) as for the capture's JSONL.
# Exits non-zero when any check fails. NJ overrides the binary.
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
NJ=${NJ:-$B/netjourney}
T=$(mktemp -d "${TMPDIR:-/tmp}/njtrace.XXXXXX")
PORT=${PERF_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$T"' EXIT
fail=0
pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "  FAIL: $1"; fail=1; }

[ -x "$NJ" ] || { echo "tests/trace: $NJ not built"; exit 1; }

# 1. every capture: njz == export(jsonl), export(njz) == jsonl
n=0
for p in pcaps/*.pcap pcaps/*.pcapng; do
	[ -f "$p" ] || continue
	b=$(basename "$p"); b=${b%.*}
	c=; [ -f "pcaps/$b.json" ] && c="-c pcaps/$b.json"
	# shellcheck disable=SC2086
	"$NJ" replay -q $c -o "$T/a.jsonl" "$p" >/dev/null 2>&1
	[ -s "$T/a.jsonl" ] || { bad "$b: replay wrote no trace"; continue; }
	"$NJ" export "$T/a.jsonl" "$T/a.njz" 2>"$T/err" || { bad "$b: export jsonl: $(cat "$T/err")"; continue; }
	"$NJ" export "$T/a.njz" "$T/back.jsonl" 2>"$T/err" || { bad "$b: export njz: $(cat "$T/err")"; continue; }
	cmp -s "$T/a.jsonl" "$T/back.jsonl" && ok || bad "$b: jsonl -> njz -> jsonl is not the replay's JSONL"
	[ "$(wc -c <"$T/a.njz")" -lt "$(wc -c <"$T/a.jsonl")" ] && ok || bad "$b: the compact form is not smaller"
	n=$((n + 1))
done
[ "$n" -gt 40 ] && ok || bad "only $n captures round-tripped"

# 2. damaged files: refused, with the file named, exit 1 (no crash)
"$NJ" mkpcap bench-mix "$T/mix.pcap" --count 400 >/dev/null 2>&1
"$NJ" replay -q -o "$T/mix.jsonl" "$T/mix.pcap" >/dev/null 2>&1
"$NJ" export "$T/mix.jsonl" "$T/mix.njz" >/dev/null 2>&1
size=$(wc -c <"$T/mix.njz")
for cut in 3 16 40 $((size / 2)) $((size - 30)) $((size - 1)); do
	head -c "$cut" "$T/mix.njz" >"$T/cut.njz"
	"$NJ" export "$T/cut.njz" "$T/o.jsonl" >/dev/null 2>"$T/err"; rc=$?
	[ $rc -eq 1 ] && grep -q "cut.njz" "$T/err" && ok || bad "export of a .njz cut at $cut: exit $rc, $(cat "$T/err")"
	"$NJ" step --batch "$T/cut.njz" >/dev/null 2>"$T/err"; rc=$?
	[ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q "cut.njz" "$T/err" && ok || bad "step on a .njz cut at $cut: exit $rc"
done
cp "$T/mix.njz" "$T/flip.njz"
printf '\377\377\377\377' | dd of="$T/flip.njz" bs=1 seek=$((size / 3)) conv=notrunc 2>/dev/null
"$NJ" export "$T/flip.njz" "$T/o.jsonl" >/dev/null 2>"$T/err"
[ $? -eq 1 ] && grep -q "flip.njz" "$T/err" && ok || bad "a changed .njz opened: $(cat "$T/err")"
[ ! -e "$T/o.jsonl" ] && ok || bad "a refused export left its output behind"

# 3. step: the same session on both forms
CMDS="pkt 3
bt
print skb
seq 200
info counters
info frags"
printf '%s\n' "$CMDS" >"$T/cmds"
"$NJ" step --color=never --batch -x "$T/cmds" "$T/mix.jsonl" >"$T/s1" 2>&1
"$NJ" step --color=never --batch -x "$T/cmds" "$T/mix.njz" >"$T/s2" 2>&1
sed -i 1d "$T/s1" "$T/s2"	# the banner names the file
[ "$(wc -l <"$T/s1")" -gt 20 ] && cmp -s "$T/s1" "$T/s2" && ok || { bad "step differs on .njz"; diff "$T/s1" "$T/s2" | head; }

# 4. serve: a capture (its store is a compact temp file) answers what its JSONL does
"$NJ" serve --port "$PORT" "$T/mix.pcap" "$T/mix.jsonl" >"$T/serve.log" 2>&1 &
SPID=$!
up=0
for _ in $(seq 1 100); do
	curl -sf "http://127.0.0.1:$PORT/api/traces" >/dev/null 2>&1 && { up=1; break; }
	sleep 0.2
done
if [ $up -eq 1 ]; then
	for q in "events?from=0&limit=500" "events?from=9000&limit=300" "packets?offset=0&limit=400" "packets/7" "state?seq=5000"; do
		curl -sf "http://127.0.0.1:$PORT/api/traces/1/$q" >"$T/r1" 2>/dev/null
		curl -sf "http://127.0.0.1:$PORT/api/traces/2/$q" >"$T/r2" 2>/dev/null
		[ -s "$T/r1" ] && cmp -s "$T/r1" "$T/r2" && ok || bad "serve: /$q differs between the capture and its JSONL"
	done
else
	bad "serve did not answer on port $PORT: $(tail -3 "$T/serve.log")"
fi
kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; SPID=

echo "tests/trace: $pass checks passed$( [ $fail -eq 0 ] || echo ', some FAILED')"
exit $fail
