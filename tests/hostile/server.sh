#!/bin/sh
# tests/hostile/server.sh short|long - the web server under load: wrk with
# 256 connections against the events endpoint (plus an upload storm in the
# long run). Passes when every answer is a 2xx (or a 4xx/503 the server
# gives on purpose at its limits, which wrk counts as "Non-2xx"), no socket
# errors beyond connection resets at shutdown, the server still answers
# afterwards, and its RSS after the load is back near the level before.
# short: 2 x 3 s (make test, via tests/hostile/run.sh); long: 30 s (make soak).
cd "$(dirname "$0")/../.." || exit 1
NJ=${NJ:-build/netjourney}
mode=${1:-short}
secs=3; [ "$mode" = long ] && secs=30
secs=${SERVER_SECS:-$secs}
command -v wrk >/dev/null 2>&1 || { echo "tests/server: wrk not installed: skipped"; exit 0; }
command -v curl >/dev/null 2>&1 || { echo "tests/server: curl not installed: skipped"; exit 0; }
T=$(mktemp -d) || exit 1
port=$((20000 + $$ % 20000))
"$NJ" serve -p "$port" pcaps/default.pcap pcaps/tcp-http.pcap >"$T/log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$T"' EXIT
base="http://127.0.0.1:$port"
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	curl -sf "$base/api/traces" >/dev/null 2>&1 && break
	sleep 0.5
done
curl -sf "$base/api/traces" >/dev/null || { echo "tests/server: FAIL: server did not come up"; cat "$T/log"; exit 1; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
fail=0
r0=$(rss)
# Under the per-address connection limit (64 in web/server.c) nothing may
# fail; above it MHD closes the extra connections at once, which wrk counts
# as read errors: the limit at work, not an error response.
load() {	# load CONNECTIONS
	wrk -t 2 -c "$1" -d "${secs}s" "$base/api/traces/1/events?from=0&limit=200" >"$T/wrk" 2>&1
	reqs=$(awk '/requests in/ {print $1}' "$T/wrk")
	non2xx=$(awk '/Non-2xx/ {print $NF}' "$T/wrk")
	errs=$(sed -n 's/.*Socket errors: *//p' "$T/wrk")
	echo "tests/server: wrk -c $1 -d ${secs}s /events: ${reqs:-0} requests, non-2xx ${non2xx:-0}, socket errors: ${errs:-none}"
	[ "${reqs:-0}" -gt 0 ] || { echo "tests/server: FAIL: no request answered"; cat "$T/wrk"; fail=1; }
	[ -z "$non2xx" ] || { echo "tests/server: FAIL: error responses under load"; fail=1; }
}
load 48
[ -z "$errs" ] || { echo "tests/server: FAIL: socket errors below the connection limit"; fail=1; }
load 256
if [ "$mode" = long ]; then
	# Upload storm: 64 uploads of a capture at once, then 64 of garbage.
	"$NJ" mkpcap frag-many "$T/up.pcap" >/dev/null
	head -c 200000 /dev/urandom >"$T/junk.bin"
	# In a subshell, so that wait does not wait for the server too.
	(
		for i in $(seq 64); do
			curl -s -o /dev/null -w '%{http_code}\n' --data-binary @"$T/up.pcap" \
				-H 'Content-Type: application/octet-stream' "$base/api/traces?name=up$i" &
			curl -s -o /dev/null -w '%{http_code}\n' --data-binary @"$T/junk.bin" \
				"$base/api/traces?name=junk$i" &
		done
		wait
	) >"$T/codes"
	echo "tests/server: upload storm: $(sort "$T/codes" | uniq -c | tr '\n' ' ')"
	# 2xx, 4xx (garbage refused), 503 (busy) and 000 (closed by the
	# connection limit) are answers at a limit; anything else is an error.
	if grep -qv '^\(2[0-9][0-9]\|4[0-9][0-9]\|503\|000\)$' "$T/codes"; then
		echo "tests/server: FAIL: server errors during the upload storm"; fail=1
	fi
fi
curl -sf "$base/api/traces/1" >/dev/null || { echo "tests/server: FAIL: no answer after the load"; fail=1; }
sleep 1
r1=$(rss)
echo "tests/server: RSS before $r0 KiB, after $r1 KiB"
if nm "$NJ" 2>/dev/null | grep -q __asan_init; then
	# ASan keeps freed memory in quarantine (256 MiB): RSS says nothing there.
	echo "tests/server: sanitizer build: RSS growth not judged"
elif [ "$mode" = short ] && [ $((r1 - r0)) -gt 65536 ]; then
	echo "tests/server: FAIL: RSS grew by $((r1 - r0)) KiB under a read-only load"; fail=1
fi
exit $fail
