#!/bin/sh
# tests/outputs/run.sh - issue 26, items 6 and 7, from the command line:
#  1. a failed read (typo in the capture's name, a bad scenario, a failed
#     --auto-host) leaves every existing output byte for byte as it was and
#     creates no file at all (no 0-byte -o, no trace without trace_start);
#  2. a replay failing midway (SIGTERM while a pipe still holds frames) keeps every existing output
#     and puts what it wrote in NAME.partial: whole JSON lines ending with
#     trace_end complete:false and the error, a Chrome document, pcapng and
#     pcap files of whole blocks/records that tcpdump reads;
#  3. a full disk (a 1 MiB tmpfs; root only, else skipped and said so):
#     the replay stops at the first failed write, the good trace already
#     there survives, the new one is NAME.partial of valid lines ending
#     complete:false with the error;
#  4. two writers to one -o: the second refuses at once, the first's trace
#     is whole (the first reads its capture from a FIFO, so it is still
#     writing, deterministically, when the second starts);
#  5. scenario limits: 10,000 and 100,000 routes (times printed; 100k must
#     load in under 10 s and at most 40x the 10k time, i.e. not O(n^2)); a
#     3,000-term filter and a 300-port filter refused promptly;
#  6. SIGTERM while a slow scenario loads: exit within 3 s, non-zero, with
#     a message; the existing -o untouched, no .part left;
#  7. a hostile scenario and capture name (invalid UTF-8, control bytes in
#     interface, socket and key names, a tab in the filter): every line of
#     the trace is strict UTF-8 JSON, the Chrome trace one JSON document.
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
NJ=${NJ:-$B/netjourney}
case "$NJ" in /*) ;; *) NJ="$PWD/$NJ" ;; esac
[ -x "$NJ" ] || { echo "tests/outputs: $NJ missing: run make first"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "tests/outputs: FAIL: python3 missing (make deps)"; exit 1; }
T=$(mktemp -d /tmp/outputs-test.XXXXXX) || exit 1
MNT="$T/mnt"
cleanup() { mountpoint -q "$MNT" 2>/dev/null && umount "$MNT"; rm -rf "$T"; }
trap cleanup EXIT INT TERM
fail=0
say() { echo "tests/outputs: $*"; }
bad() { echo "tests/outputs: FAIL: $*"; fail=1; }
P=$PWD/pcaps/default.pcap

# json_lines FILE: every line strict UTF-8 JSON, the first trace_start;
# prints "LINES complete=X error=Y" from the last line.
json_lines() {
	python3 - "$1" <<'PY'
import json, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
if lines and lines[-1] == b"":
    lines.pop()
else:
    sys.exit("last line is not whole")
for i, l in enumerate(lines):
    try:
        d = json.loads(l.decode("utf-8", errors="strict"))
    except Exception as e:
        sys.exit("line %d: %s: %r" % (i + 1, e, l[:120]))
    if i == 0 and d.get("kind") != "trace_start":
        sys.exit("line 1 is not trace_start")
print(len(lines), "complete=%s" % d.get("complete"), "error=%s" % d.get("error"))
PY
}
same() { cmp -s "$1" "$2" || bad "$3: $1 changed"; }
absent() { for f in "$@"; do [ -e "$f" ] && bad "$f exists"; done; }

# -- 1. a failed read harms nothing and creates nothing
cd "$T" || exit 1
"$NJ" replay -q -o t.jsonl --chrome c.json -w w.pcapng --reasm-out r.pcap "$P" >/dev/null 2>err ||
	{ bad "the good replay failed: $(cat err)"; }
mkdir keep && cp t.jsonl c.json w.pcapng r.pcap keep/
outs="-o t.jsonl --chrome c.json -w w.pcapng --reasm-out r.pcap"
for case in typo scenario auto-host; do
	case $case in
	typo) "$NJ" replay -q $outs "$P.typo" >/dev/null 2>err ;;
	scenario) printf '{"interfaces": [' >bad.json; "$NJ" replay -q $outs -c bad.json "$P" >/dev/null 2>err ;;
	auto-host) "$NJ" replay -q $outs --auto-host "$OLDPWD/pcaps/eth-arp.pcap" >/dev/null 2>err ;;
	esac
	rc=$?
	[ $rc -ne 0 ] || bad "$case: exit 0"
	grep -q "nothing written to t.jsonl (left as it was)" err || bad "$case: no message saying t.jsonl was left: $(cat err)"
	for f in t.jsonl c.json w.pcapng r.pcap; do same "$f" "keep/$f" "$case"; done
	absent t.jsonl.part t.jsonl.partial c.json.partial w.pcapng.partial r.pcap.partial
done
mkdir fresh && (cd fresh && "$NJ" replay -q -o t.jsonl --chrome c.json "$P.typo" >/dev/null 2>&1)
[ -z "$(ls fresh)" ] || bad "a failed read with no previous output left files: $(ls fresh)"
say "failed read (typo, bad scenario, failed --auto-host): 4 outputs kept byte for byte, no file created"

# -- 2. failing midway: NAME.partial, NAME kept. The capture comes through a
# pipe that still holds the rest when SIGTERM arrives (a cut file is no
# failure: every whole record is replayed, with a warning, exit 3).
size=$(wc -c <"$P")
head -c $((size - 20)) "$P" >cut.pcap
midway() {	# midway ARGS...: a replay of 10 frames of $P from a pipe, stopped by SIGTERM
	rm -f in.fifo; mkfifo in.fifo
	( head -c $((size - 200)) "$P"; sleep 3 ) >in.fifo &
	feeder=$!
	"$NJ" replay -q "$@" in.fifo >/dev/null 2>err &
	pid=$!
	sleep 1; kill -TERM "$pid"; wait "$pid" && bad "midway: exit 0"
	kill "$feeder" 2>/dev/null; wait "$feeder" 2>/dev/null
}
midway $outs
for f in t.jsonl c.json w.pcapng r.pcap; do same "$f" "keep/$f" "midway"; [ -f "$f.partial" ] || bad "no $f.partial"; done
grep -q "t.jsonl left as it was; what was written is in t.jsonl.partial" err || bad "midway: message: $(cat err)"
out=$(json_lines t.jsonl.partial) || bad "t.jsonl.partial: $out"
case "$out" in *"complete=False error=in.fifo: interrupted"*) ;; *) bad "t.jsonl.partial does not end incomplete: $out" ;; esac
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['complete'] is False and len(d['traceEvents']) > 100" c.json.partial ||
	bad "c.json.partial is not a Chrome document marked incomplete"
if command -v tcpdump >/dev/null; then
	tcpdump -r w.pcapng.partial -nn >/dev/null 2>err2 || bad "tcpdump cannot read w.pcapng.partial: $(cat err2)"
	tcpdump -r r.pcap.partial -nn >/dev/null 2>err2 || bad "tcpdump cannot read r.pcap.partial: $(cat err2)"
fi
rm -f ./*.partial
# a cut capture: whole, with a warning and exit 3; the outputs go in place
"$NJ" replay -q -o cut.jsonl cut.pcap >/dev/null 2>err; rc=$?
[ $rc -eq 3 ] && grep -q "warning: cut.pcap: byte offset" err && [ -f cut.jsonl ] && [ ! -e cut.jsonl.partial ] ||
	bad "cut capture: exit $rc, $(cat err)"
# --tap-out the same way (a scenario with a packet socket)
S="$OLDPWD/lessons/08-packet-filter/scenario.json"
"$NJ" replay -q -c "$S" --tap-out tcpdump=tap.pcap "$P" >/dev/null 2>err || bad "--tap-out: $(cat err)"
cp tap.pcap keep/tap.pcap
midway -c "$S" --tap-out tcpdump=tap.pcap
same tap.pcap keep/tap.pcap "--tap-out midway"
[ -f tap.pcap.partial ] || bad "no tap.pcap.partial"
say "stopped midway: 5 outputs kept, t.jsonl.partial $out; a cut capture is replayed whole (exit 3)"

# -- 3. a full disk
if [ "$(id -u)" = 0 ] && mkdir -p "$MNT" && mount -t tmpfs -o size=1m outputs-test "$MNT" 2>/dev/null; then
	"$NJ" mkpcap bench-mix mix.pcap --count 3000 >/dev/null || bad "mkpcap bench-mix"
	cp keep/t.jsonl "$MNT/t.jsonl"
	"$NJ" replay -q -o "$MNT/t.jsonl" mix.pcap >/dev/null 2>err && bad "full disk: exit 0"
	same "$MNT/t.jsonl" keep/t.jsonl "full disk"
	grep -q "No space left on device" err || bad "full disk: no ENOSPC message: $(cat err)"
	grep -q "stopped after [0-9]* frames: an output could not be written" err ||
		bad "full disk: the replay did not stop at the first failed write: $(cat err)"
	out=$(json_lines "$MNT/t.jsonl.partial") || bad "full disk: t.jsonl.partial: $out"
	case "$out" in *"complete=False error="*"No space left"*) ;; *) bad "full disk: not marked incomplete: $out" ;; esac
	absent "$MNT/t.jsonl.part"
	rm -f "$MNT"/*
	"$NJ" replay -q -o "$MNT/new.jsonl" --chrome "$MNT/new.json" mix.pcap >/dev/null 2>err && bad "full disk (new): exit 0"
	absent "$MNT/new.jsonl" "$MNT/new.json" "$MNT/new.jsonl.part" "$MNT/new.json.part"
	say "full disk (1 MiB tmpfs): the old trace kept byte for byte; t.jsonl.partial $out; a new one never under its final name"
	umount "$MNT"
else
	say "full disk: skipped (needs root to mount a tmpfs)"
fi

# -- 4. two writers
mkfifo fifo.pcap
"$NJ" replay -q -o two.jsonl fifo.pcap >/dev/null 2>err1 &
a=$!
i=0; while [ ! -e two.jsonl.part ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
"$NJ" replay -q -o two.jsonl "$P" >/dev/null 2>err2; rc2=$?
cat "$P" >fifo.pcap
wait $a; rc1=$?
[ $rc2 -ne 0 ] || bad "second writer: exit 0"
grep -q "another process is writing it" err2 || bad "second writer: message: $(cat err2)"
[ $rc1 -eq 0 ] || bad "first writer failed: $(cat err1)"
out=$(json_lines two.jsonl) || bad "two writers: $out"
want=$(wc -l <keep/t.jsonl)
case "$out" in "$want complete=True"*) ;; *) bad "two writers: first trace not whole: $out (want $want lines)" ;; esac
say "two writers: the second refused ($(cat err2 | head -1)); the first wrote $out"

# -- 5. scenario limits
python3 - <<'PY'
import json
def routes(n, path):
    r = [{"dst": "%d.%d.%d.0/24" % (100 + (i >> 16), (i >> 8) & 255, i & 255), "via": "10.0.0.1", "metric": i % 7}
         for i in range(n)]
    json.dump({"interfaces": [{"name": "eth0", "mac": "02:00:00:00:00:01", "addrs": ["10.0.0.2/24"]}],
               "routes": r}, open(path, "w"))
routes(10000, "r10k.json"); routes(100000, "r100k.json")
base = {"interfaces": [{"name": "eth0", "mac": "02:00:00:00:00:01", "addrs": ["10.0.0.2/24"]}]}
hosts = lambda n: " or ".join("host 10.0.%d.%d" % (i // 250, i % 250 + 1) for i in range(n))
json.dump(dict(base, packet_sockets=[{"name": "big", "filter": hosts(3000)}]), open("f3000.json", "w"))
json.dump(dict(base, packet_sockets=[{"name": "p", "filter": " or ".join("port %d" % (i + 1) for i in range(300))}]),
          open("port300.json", "w"))
json.dump(dict(base, packet_sockets=[{"name": "s%d" % i, "filter": hosts(150)} for i in range(60)]), open("slow.json", "w"))
PY
secs() { python3 -c 'import sys,time; t=time.monotonic(); import subprocess; r=subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=open(sys.argv[1],"w")).returncode; print("%.3f %d" % (time.monotonic()-t, r))' "$@"; }
set -- $(secs err "$NJ" replay -q -c r10k.json "$P"); t10=$1; [ "$2" = 0 ] || bad "10k routes: $(cat err)"
set -- $(secs err "$NJ" replay -q -c r100k.json "$P"); t100=$1; [ "$2" = 0 ] || bad "100k routes: $(cat err)"
say "routes: 10,000 loaded (and 13 packets replayed) in $t10 s, 100,000 in $t100 s"
python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if b < 10 and b < 40*max(a,0.02) else 1)" "$t10" "$t100" ||
	bad "100,000 routes took $t100 s (10,000: $t10 s): over 10 s, or not O(n log n)"
set -- $(secs err "$NJ" replay -q -c f3000.json "$P"); [ "$2" != 0 ] && grep -q "at most 4096" err || bad "3,000-term filter: $(cat err)"
say "3,000-term filter refused in $1 s: $(cat err)"
set -- $(secs err "$NJ" replay -q -c port300.json "$P")
[ "$2" != 0 ] && grep -q "shorten the filter" err || bad "300-port filter: $(cat err)"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 15 else 1)" "$1" || bad "300-port filter took $1 s to refuse"
say "300-port filter refused in $1 s: $(cat err)"

# -- 6. SIGTERM while loading
cp keep/t.jsonl t.jsonl
"$NJ" replay -q -o t.jsonl -c slow.json "$P" >/dev/null 2>err &
pid=$!
sleep 1
t0=$(date +%s%N)
kill -TERM $pid 2>/dev/null || bad "the slow load ended within 1 s: nothing to interrupt"
wait $pid; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ $rc -ne 0 ] || bad "SIGTERM while loading: exit 0"
[ $ms -lt 3000 ] || bad "SIGTERM while loading: exit took $ms ms"
grep -q "interrupted" err || bad "SIGTERM while loading: message: $(cat err)"
same t.jsonl keep/t.jsonl "SIGTERM while loading"
absent t.jsonl.part
say "SIGTERM 1 s into loading 60 slow filters: exit $rc after $ms ms ($(head -1 err)); t.jsonl kept"

# -- 7. hostile strings
python3 - <<'PY'
sc = (b'{"kernel":"6.x","interfaces":[{"name":"e\xff\x01h\x7f\xc3","mac":"02:00:00:00:00:01",'
      b'"addrs":["10.0.0.2/24"]}],"neighbours":[{"ip":"10.0.0.1","mac":"02:00:00:00:00:aa"}],'
      b'"packet_sockets":[{"name":"t\x03\xe2\x82","filter":"tcp\tport 80 or icmp","trace_bpf":true}],'
      b'"k\x02\xfe":"\x1e\x1f\xed\xa0\x80 \\u0001 \\"q\\"","num":1.0}')
open("hostile.json", "wb").write(sc)
PY
hp=$(printf 'cap\377\033.pcap')
cp "$P" "$hp"
"$NJ" replay -q -c hostile.json -o h.jsonl --chrome h.json -f "$(printf 'icmp\tor tcp')" --bpf-trace "$hp" >/dev/null 2>err ||
	bad "hostile scenario: replay failed: $(cat err)"
out=$(json_lines h.jsonl) || bad "hostile scenario: $out"
python3 -c "import json,sys; json.loads(open(sys.argv[1],'rb').read().decode('utf-8'))" h.json || bad "hostile scenario: Chrome trace is not JSON"
grep -q 'e\\ufffd\\u0001h\\u007f\\ufffd' h.jsonl || bad "hostile scenario: the interface name is not escaped as expected"
say "hostile scenario and capture name: $out, every line strict UTF-8 JSON"

[ $fail = 0 ] && say "all passed"
exit $fail
