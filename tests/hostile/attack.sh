#!/bin/sh
# tests/hostile/attack.sh short|long - the server against hostile clients
# (issue #26), each attack bounded in time, on loopback only
# (tests/hostile/attack.py does the clients):
#  - slowloris: 64 connections from 127.0.0.1 trickling headers, then 64
#    more from 127.0.0.2: normal requests answered in < 3 s, tricklers cut;
#  - /api/live readers that never read (64): normal requests < 3 s, the
#    stalled streams cut;
#  - Host/Origin: foreign Host 421, cross-site text/plain POST 403;
#  - a FIFO in the static folder: answered 404 at once;
#  - stale spool files of a dead server removed on start, a live one's kept;
#  - uploads over the budget, three at once: 507, RSS and temporary files
#    bounded, the files within --disk-budget (short: 100,000 fragments
#    against a 200,000-event budget and 16 MiB; long: 560,000 fragments,
#    32 MB, against the default budgets);
#  - the disk budget (--disk-budget 6M): a body over it answered 507
#    before it is all sent; with one upload's body held, a second body and
#    another upload's trace answered 507 as they pass it; the held upload
#    and the refused capture alone then 201 and served; no temporary file
#    left but the kept traces';
#  - SIGTERM during an upload's replay: a 503 within a second, exit 0;
#  - SIGTERM while two uploads still send their bodies (one trickling, one
#    stalled): each answered 503 within a second, exit 0 within 1.5 s, no
#    spool file left.
cd "$(dirname "$0")/../.." || exit 1
NJ=${NJ:-build/netjourney}
mode=${1:-short}
for t in curl python3; do
	command -v $t >/dev/null 2>&1 || { echo "tests/attack: FAIL: $t is needed (make deps)"; exit 1; }
done
T=$(mktemp -d) || exit 1
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
fail=0
bad() { echo "tests/attack: FAIL: $*"; fail=1; }
asan=0
nm "$NJ" 2>/dev/null | grep -q __asan_init && asan=1

# start NAME ARGS...: serve on a free port; sets $port and $pid.
start() {
	name=$1
	shift
	# below the ephemeral range (32768-60999), where wrk's and curl's closed
	# connections linger; a port taken anyway is skipped for the next one
	for try in 1 2 3 4 5; do
		port=$((20000 + ($$ * 7 + ${#pids} + try * 131) % 12000))
		"$NJ" serve -p "$port" "$@" >"$T/$name.log" 2>&1 &
		pid=$!
		pids="$pids $pid"
		for _ in $(seq 40); do
			curl -s -o /dev/null "http://127.0.0.1:$port/api/traces" && return 0
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.25
		done
		grep -q 'cannot listen' "$T/$name.log" || break
	done
	bad "$name: the server did not come up"; cat "$T/$name.log"
	return 1
}
attack() { python3 tests/hostile/attack.py "$@" || fail=1; }

# -- connections and origins: a paced live trace for the streams, a static
# folder with a FIFO in it.
mkdir -p "$T/static"
cp -r static/. "$T/static/"
mkfifo "$T/static/fifo.js"
if start conns --static "$T/static" --pace --max-gap 5 pcaps/tcp-http.pcap pcaps/default.pcap; then
	base=http://127.0.0.1:$port
	attack slowloris "$base" 64 127.0.0.1
	attack slowloris "$base" 64 127.0.0.1 127.0.0.2
	attack sse "$base" 64
	attack origin "$base" pcaps/udp.pcap
	code=$(curl -s -m 3 -o /dev/null -w '%{http_code}' "$base/fifo.js")
	[ "$code" = 404 ] && echo "  fifo: a FIFO in the static folder is a 404" || bad "fifo.js answered '$code', not 404"
	code=$(curl -s -m 3 -o /dev/null -w '%{http_code}' "$base/")
	[ "$code" = 200 ] || bad "the UI after the attacks: HTTP $code"
	kill "$pid"; wait "$pid" || bad "conns: serve exited $? on SIGTERM"
fi

# -- uploads: stale spool files first (a dead PID's and a running one's).
mkdir -p "$T/spool"
sh -c 'exit 0' & dead=$!; wait $dead
: >"$T/spool/netjourney-upload-$dead-AAAAAA"
: >"$T/spool/netjourney-upload-$$-BBBBBB"
frags=100000 events=200000 budget=16
[ "$mode" = long ] && frags=560000 events=1000000 budget=512
"$NJ" mkpcap frag-flood "$T/flood.pcap" --count $frags >/dev/null || bad "mkpcap frag-flood"
if TMPDIR="$T/spool" start uploads --upload-events $events --disk-budget ${budget}M; then
	[ -e "$T/spool/netjourney-upload-$dead-AAAAAA" ] && bad "the spool file of dead PID $dead was not removed"
	[ -e "$T/spool/netjourney-upload-$$-BBBBBB" ] || bad "the spool file of running PID $$ was removed"
	echo "  spool: the dead server's file removed on start, the running one's kept"
	rm -f "$T/spool/netjourney-upload-$$-BBBBBB"
	# disk: the bodies and traces in flight within --disk-budget (the
	# trace is counted every 64 events: 1 MiB of slack)
	disk=$(( budget * 1024 + 1024 ))
	[ $asan = 1 ] && rss_limit=4000000 || rss_limit=307200
	SPOOL="$T/spool" RSS_LIMIT_KIB=$rss_limit DISK_LIMIT_KIB=$disk attack uploads "http://127.0.0.1:$port" "$pid" "$T/flood.pcap" 3
	[ -z "$(ls "$T/spool")" ] || bad "spool files left: $(ls "$T/spool")"
	kill "$pid"; wait "$pid" || bad "uploads: serve exited $? on SIGTERM"
fi

# -- the disk budget of uploads in flight, counted across them.
"$NJ" mkpcap bench-mix "$T/mix.pcap" --count 3000 >/dev/null	# ~4 MB of compact trace
if TMPDIR="$T/spool" start disk --disk-budget 6M; then
	attack disk "http://127.0.0.1:$port" "$pid" "$T/spool" "$T/mix.pcap"
	kill "$pid"; wait "$pid" || bad "disk: serve exited $? on SIGTERM"
	[ -z "$(ls "$T/spool")" ] || bad "spool files left: $(ls "$T/spool")"
fi

# -- SIGTERM while an upload replays (a budget it stays under for seconds).
"$NJ" mkpcap frag-flood "$T/slow.pcap" --count 100000 >/dev/null
if TMPDIR="$T/spool" start sigterm --upload-events 5000000; then
	attack sigterm "http://127.0.0.1:$port" "$pid" "$T/slow.pcap"
	wait "$pid" || bad "sigterm: serve exited $?"
	[ -z "$(ls "$T/spool")" ] || bad "spool files left after SIGTERM: $(ls "$T/spool")"
fi

# -- SIGTERM while upload bodies are still arriving.
if TMPDIR="$T/spool" start trickle; then
	SPOOL="$T/spool" attack trickle "http://127.0.0.1:$port" "$pid" "$T/slow.pcap"
	wait "$pid" || bad "trickle: serve exited $?"
	[ -z "$(ls "$T/spool")" ] || bad "spool files left after SIGTERM: $(ls "$T/spool")"
fi
pids=
exit $fail
