#!/bin/sh
# tests/hostile/server.sh short|long - the web server under load: wrk with
# 48 and 256 connections against the events endpoint, then an upload storm
# (captures and garbage at once) against serve's upload limits (4 uploads,
# 20000 events, 4 s idle). Passes when every read answer is a 2xx (or an
# answer the server gives on purpose at its limits), the server still
# answers afterwards, and:
#  - the storm: every capture answered 201, garbage 400, a capture over the
#    event budget 507; no failed upload is listed, no spool file is left;
#  - eviction: at most 4 uploads kept; an evicted one answers 404 JSON,
#    a kept one serves; once idle, every upload expires;
#  - memory: RSS after a read-only load is near the level before, and after
#    the storm and the expiry back within 6 MiB of the level before the
#    storm (it keeps everything without the limits: +37 MiB for 64 uploads;
#    glibc's cache of thread stacks makes the margin); not judged under
#    ASan, whose quarantine keeps freed memory;
#  - SIGTERM: exit 0 (under ASan that includes LeakSanitizer's check).
# short: 2 x 3 s of wrk, 16 uploads (make test, via tests/hostile/run.sh);
# long: 30 s, 64 uploads (make soak).
cd "$(dirname "$0")/../.." || exit 1
NJ=${NJ:-build/netjourney}
mode=${1:-short}
secs=3 n=16; [ "$mode" = long ] && secs=30 n=64
secs=${SERVER_SECS:-$secs}
for t in wrk curl python3; do
	command -v $t >/dev/null 2>&1 || { echo "tests/server: FAIL: $t is needed (make deps)"; exit 1; }
done
T=$(mktemp -d) || exit 1
mkdir -p "$T/tmp"
port=$((20000 + $$ % 12000))	# below the ephemeral range (32768-60999)
TMPDIR="$T/tmp" "$NJ" serve -p "$port" --max-uploads 4 --upload-events 20000 --upload-idle 4 \
	pcaps/default.pcap pcaps/tcp-http.pcap >"$T/log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$T"' EXIT
base="http://127.0.0.1:$port"
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	curl -sf "$base/api/traces" >/dev/null 2>&1 && break
	sleep 0.5
done
curl -sf "$base/api/traces" >/dev/null || { echo "tests/server: FAIL: server did not come up"; cat "$T/log"; exit 1; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
threads() { awk '/^Threads/ {print $2}' "/proc/$pid/status"; }
# settle: wait (5 s at most) until the connection threads of a load are
# gone, so that RSS says what the load left behind, not the stacks of
# threads still closing (wrk's end: from 8 to 150 of them, 20-60 MiB).
settle() {
	i=0
	while [ "$(threads)" -gt "$th0" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
asan=0
nm "$NJ" 2>/dev/null | grep -q __asan_init && asan=1
fail=0
bad() { echo "tests/server: FAIL: $*"; fail=1; }
r0=$(rss) th0=$(threads)
# Nothing may fail, not even a socket: the limits (web/web.h) leave room
# for 256 connections from one address, and past them the server answers
# 503 instead of accepting and dropping.
load() {	# load CONNECTIONS
	wrk -t 2 -c "$1" -d "${secs}s" "$base/api/traces/1/events?from=0&limit=200" >"$T/wrk" 2>&1
	reqs=$(awk '/requests in/ {print $1}' "$T/wrk")
	non2xx=$(awk '/Non-2xx/ {print $NF}' "$T/wrk")
	errs=$(sed -n 's/.*Socket errors: *//p' "$T/wrk")
	echo "tests/server: wrk -c $1 -d ${secs}s /events: ${reqs:-0} requests, non-2xx ${non2xx:-0}, socket errors: ${errs:-none}"
	[ "${reqs:-0}" -gt 0 ] || { bad "no request answered"; cat "$T/wrk"; }
	[ -z "$non2xx" ] || bad "error responses under load"
}
load 48
[ -z "$errs" ] || bad "socket errors below the connection limit"
load 256
[ -z "$errs" ] || bad "socket errors with 256 connections"
settle
r1=$(rss)
echo "tests/server: RSS before the load $r0 KiB, after $r1 KiB"
[ $asan = 0 ] && [ $((r1 - r0)) -gt 65536 ] && bad "RSS grew by $((r1 - r0)) KiB under a read-only load"

# -- the upload storm: n captures and n garbage bodies at once, in a
# subshell so that wait does not wait for the server too. Each answer is
# kept as "CODE NAME BODY" for the checks.
"$NJ" mkpcap frag-many "$T/up.pcap" >/dev/null
"$NJ" mkpcap bench-mix "$T/huge.pcap" --count 1000 >/dev/null	# about 43000 events
head -c 200000 /dev/urandom >"$T/junk.bin"
head -c 3000 "$T/up.pcap" >"$T/cut.pcap"			# whole records, then a cut one: kept, with a warning
post() {	# post FILE NAME: one line "CODE NAME BODY"; a 503 (uploads in flight) is retried as it says
	curl -s --retry 60 --retry-max-time 120 -o "$T/body.$2" -w '%{http_code}' --data-binary @"$1" \
		"$base/api/traces?name=$2" >"$T/code.$2"
	echo "$(cat "$T/code.$2") $2 $(tr -d '\n' <"$T/body.$2")"
}
(
	for i in $(seq "$n"); do
		post "$T/up.pcap" "up$i" &
		post "$T/junk.bin" "junk$i" &
	done
	post "$T/cut.pcap" cut &
	post "$T/huge.pcap" huge &
	wait
) >"$T/answers"
echo "tests/server: upload storm: $(cut -d' ' -f1 "$T/answers" | sort | uniq -c | tr '\n' ' ')"
# Uploads are evicted as their own replies are sent: wait until that settled.
for _ in 1 2 3 4 5 6 7 8 9 10; do
	curl -s "$base/api/traces" >"$T/list"
	[ "$(grep -o '"upload":true' "$T/list" | wc -l)" -le 4 ] && break
	sleep 0.2
done
if ! out=$(python3 - "$T/answers" "$T/list" "$n" <<'EOF'
import json, sys
answers = [l.split(" ", 2) for l in open(sys.argv[1]).read().splitlines()]
listed = json.load(open(sys.argv[2]))["traces"]
n = int(sys.argv[3])
code = {a[1]: a[0] for a in answers}
body = {a[1]: a[2] if len(a) > 2 else "" for a in answers}
errs = []
ok = [nm for nm in code if nm.startswith("up") and code[nm] == "201"]
if len(ok) != n:
    errs.append("%d of %d captures answered 201: %s" % (len(ok), n, sorted(set(code[x] for x in code if x.startswith("up")))))
for nm in code:
    want = "400" if nm.startswith("junk") else "201" if nm == "cut" else "507" if nm == "huge" else None
    if want and code[nm] != want:
        errs.append("%s answered %s, not %s" % (nm, code[nm], want))
    if want and want != "201" and "error" not in json.loads(body[nm] or "{}"):
        errs.append("%s: no JSON error: %s" % (nm, body[nm][:80]))
ids = {json.loads(body[nm])["id"]: nm for nm in ok + [c for c in code if c == "cut" and code[c] == "201"]}
uploads = [t for t in listed if t.get("upload")]
for t in uploads:
    if t["id"] not in ids or ids[t["id"]] != t["name"]:
        errs.append("listed upload %s (%s) was not a 201 answer" % (t["id"], t["name"]))
if len(uploads) > 4:
    errs.append("%d uploads kept, over --max-uploads 4" % len(uploads))
if [t["id"] for t in listed if not t.get("upload")] != [1, 2]:
    errs.append("the command line's traces 1 and 2 are not both listed")
kept = [t["id"] for t in uploads]
gone = sorted(i for i in ids if i not in kept)
if errs or not kept or not gone:
    print("; ".join(errs) or "nothing kept or nothing evicted: %s" % kept)
    sys.exit(1)
print("%d kept %s, %d evicted, e.g. %d" % (len(kept), kept, len(gone), gone[0]), kept[-1], gone[0])
EOF
); then
	bad "upload storm: $out"
else
	kept=$(echo "$out" | awk '{print $(NF-1)}') gone=$(echo "$out" | awk '{print $NF}')
	echo "tests/server: uploads: ${out% * *}"
	c=$(curl -s -o "$T/ev" -w '%{http_code}' "$base/api/traces/$kept/events?limit=5")
	[ "$c" = 200 ] && grep -q '"events"' "$T/ev" || bad "kept upload $kept: HTTP $c"
	c=$(curl -s -o "$T/gone" -w '%{http_code}' "$base/api/traces/$gone/events")
	[ "$c" = 404 ] && grep -q '"error"' "$T/gone" || bad "evicted upload $gone: HTTP $c, $(cat "$T/gone")"
fi
[ -z "$(ls "$T/tmp")" ] || bad "upload spool files left behind: $(ls "$T/tmp" | head -n 3)"

# -- expiry: with nobody reading, every upload goes after 4 s (serve checks
# every second); memory must then be back near the start.
for _ in $(seq 40); do
	curl -s "$base/api/traces" | grep -q '"upload":true' || break
	sleep 0.5
done
curl -s "$base/api/traces" | grep -q '"upload":true' && bad "uploads still listed after --upload-idle 4"
curl -sf "$base/api/traces/1" >/dev/null || bad "no answer after the load"
sleep 1
r2=$(rss)
echo "tests/server: RSS before the storm $r1 KiB, after the storm and the expiry $r2 KiB"
if [ $asan = 1 ]; then
	echo "tests/server: sanitizer build: RSS not judged (ASan keeps freed memory in quarantine)"
elif [ $((r2 - r1)) -gt 6144 ]; then
	bad "RSS $((r2 - r1)) KiB over the level before the storm once every upload expired: memory not given back"
fi
kill "$pid"
wait "$pid"
rc=$?
[ $rc = 0 ] || { bad "serve exited $rc on SIGTERM"; tail -n 30 "$T/log"; }
exit $fail
