#!/bin/sh
# bench/server.sh - the web server under load, printed as figures (not
# asserted): a capture grown to about 1,000,000 events is replayed into
# `netjourney serve`; wrk measures an events page, a packet page, the
# histogram, /state at random events (bench/state.lua: each request another
# seq) and a static file, and headless Chromium measures the UI's first
# paint over that trace. Each figure also gives serve's CPU per request
# (its utime + stime over the run / requests: what the code costs, which
# a busy neighbour does not change as it changes p99) and the load average
# at the run. NJ: the binary (default $B/netjourney).
# Needs wrk; the paint figure needs Chromium and tests/e2e's playwright-core.
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
COPIES=${COPIES:-2100}		# default.pcap x 2100 ≈ 1M events
NJ=${NJ:-$B/netjourney}
[ -x "$NJ" ] || { echo "bench/server.sh: build first (make)"; exit 1; }
TMP=$(mktemp -d)
PCAP=$TMP/big.pcap
python3 - "$PCAP" "$COPIES" <<'PY'
import struct, sys
out, copies = sys.argv[1], int(sys.argv[2])
data = open('pcaps/default.pcap', 'rb').read()
hdr, recs, off = data[:24], [], 24
endian = '<' if data[:4] == b'\xd4\xc3\xb2\xa1' else '>'
while off + 16 <= len(data):
    sec, usec, incl, orig = struct.unpack(endian + 'IIII', data[off:off + 16])
    recs.append((sec, usec, data[off + 16:off + 16 + incl], orig))
    off += 16 + incl
with open(out, 'wb') as f:
    f.write(hdr)
    for c in range(copies):
        for sec, usec, body, orig in recs:
            f.write(struct.pack(endian + 'IIII', sec + c * 10, usec, len(body), orig) + body)
PY
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The issue's figure: `serve` started on a recorded 1M-event trace (an index
# build, not a parse). The replay that records it is not counted.
"$NJ" replay -q "$PCAP" -o "$TMP/big.jsonl" >/dev/null 2>&1 || { echo "bench/server.sh: replay failed"; exit 1; }
start=$(python3 -c 'import time; print(time.time())')
"$NJ" serve --port "$PORT" --static static "$TMP/big.jsonl" >"$TMP/serve.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; rm -rf "$TMP"' EXIT INT TERM
until grep -q serving "$TMP/serve.log" 2>/dev/null; do
	kill -0 "$SERVER" 2>/dev/null || { cat "$TMP/serve.log"; exit 1; }
	sleep 0.05
done
end=$(python3 -c 'import time; print(time.time())')
URL=http://127.0.0.1:$PORT
EVENTS=$(python3 -c "import json,urllib.request; print(json.load(urllib.request.urlopen('$URL/api/traces'))['traces'][0]['events'])")
printf 'trace: %s events, %s packets; serve started on the JSONL trace in %.2f s (goal < 2 s)\n' "$EVENTS" "$((COPIES * 13))" "$(python3 -c "print($end - $start)")"
echo "machine: $(nproc) CPUs; at start:$(uptime | sed 's/.*,  *load/ load/')"
# The first /state makes the trace's fold snapshots (once): timed on its
# own, so that the wrk runs measure requests, not that one
printf 'first /state (makes the fold snapshots): %s s\n' \
	"$(curl -s -o /dev/null -w '%{time_total}' "$URL/api/traces/1/state?seq=$EVENTS")"
if command -v wrk >/dev/null 2>&1; then
	# WRK_ROUNDS runs per path, the paths taken in turn, and the run with
	# the median p99 printed: one 5 s run on a shared 2-CPU machine can
	# catch a neighbour's burst (the static file is the control)
	ROUNDS=${WRK_ROUNDS:-3}
	PATHS="/api/traces/1/events?from=500000&limit=100 /api/traces/1/packets?offset=20000&limit=100 /api/traces/1/histogram?buckets=400 /api/traces/1/state?seq=random /app.js"
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		k=0
		for path in $PATHS; do
			# -c 64 as the issue asks; the server allows 64 connections per address
			# serve's own CPU (utime + stime) over the run, and the load
			# then: wall-clock p99 on a shared machine depends on both
			c0=$(awk '{print $14 + $15}' /proc/$SERVER/stat)
			case $path in
			*seq=random) EVENTS=$EVENTS wrk -t2 -c64 -d5s --latency -s bench/state.lua "$URL" >"$TMP/wrk.$k.$r.txt" 2>&1 ;;
			*) wrk -t2 -c64 -d5s --latency "$URL$path" >"$TMP/wrk.$k.$r.txt" 2>&1 ;;
			esac
			c1=$(awk '{print $14 + $15}' /proc/$SERVER/stat)
			printf 'cpu_ticks %s\nload %s\n' "$((c1 - c0))" "$(cut -d' ' -f1 /proc/loadavg)" >>"$TMP/wrk.$k.$r.txt"
			k=$((k + 1))
		done
		r=$((r + 1))
	done
	k=0
	for path in $PATHS; do
		# p99 in ms per round; the round with the median p99
		best=$(for f in "$TMP"/wrk.$k.*.txt; do
			awk -v f="$f" '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
				m = u == "us" ? v / 1000 : u == "s" ? v * 1000 : v; printf "%012.3f %s\n", m, f }' "$f"
		done | sort | awk '{ l[NR] = $2 } END { print l[int((NR + 1) / 2)] }')
		[ -n "$best" ] || best="$TMP/wrk.$k.1.txt"
		case $path in
		*/events* | */packets*) goal="goal < 10ms" ;;
		*/state*) goal="goal < 20ms" ;;
		/app.js) goal="control: a static file" ;;
		*) goal="no goal" ;;
		esac
		# serve's CPU per request: its ticks over the run / requests answered
		cpu=$(awk -v hz="$(getconf CLK_TCK)" '/requests in/ {n = $1} $1 == "cpu_ticks" {t = $2}
			END { if (n > 0) printf "%.3f", t * 1000 / hz / n; else print "?" }' "$best")
		printf 'wrk -c64 %-44s %10s req/s  mean %s  p99 %s (%s; median of %s runs)  serve CPU %s ms/request  load %s  errors %s\n' "$path" \
			"$(awk '/Requests\/sec/ {print $2}' "$best")" "$(awk '/Latency/ {print $2; exit}' "$best")" \
			"$(awk '$1 == "99%" {print $2}' "$best")" "$goal" "$ROUNDS" "$cpu" "$(awk '$1 == "load" {print $2}' "$best")" \
			"$(awk '/Socket errors|Non-2xx/ {printf "%s ", $0}' "$best")"
		k=$((k + 1))
	done
else
	echo "wrk not installed: no throughput figures"
fi
if [ -x /usr/bin/chromium ] && [ -d tests/e2e/node_modules/playwright-core ]; then
	node bench/server_paint.mjs "$URL"
else
	echo "no Chromium or playwright-core (sh tests/e2e/run.sh installs it): no first-paint figure"
fi
