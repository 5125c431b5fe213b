#!/bin/sh
# tests/serve_open/run.sh - `serve CAPTURE` opens a big capture at once
# (web/open.c): on a generated bench-mix capture of SERVE_OPEN_FRAMES frames
#  1. the packet list answers before the replay has finished;
#  2. a page past what is indexed answers 409 with Retry-After and
#     {"error", "state": "opening", "progress"}, never 404 (packets, events,
#     one packet, /state);
#  3. the progress in GET /api/traces/1 only grows, and reaches done;
#  4. every page served while opening equals the same page once done, and
#     the pages once done equal those of the same trace opened whole
#     (`replay -o X.njz`, then `serve X.njz`); past the end is then a
#     404 or an empty page, as before;
#  4b. `replay -o X.njz` writes the compact form directly: exported, it is
#     byte for byte `replay -o X.jsonl`; interrupted, X.njz.partial is a
#     whole compact trace ending "complete": false, X.njz untouched;
#  5. SIGTERM while a capture opens ends the server at once, status 0;
#  6. the UI (ui_open.mjs, headless Chromium) lists packets at once, shows
#     the progress, then opens the whole trace, with no console error.
# Ports 18531-18532 (this suite's own).
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
NJ=${NJ:-$B/netjourney}
FRAMES=${SERVE_OPEN_FRAMES:-40000}
[ -x "$NJ" ] || { echo "tests/serve_open: $NJ missing: run make first"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "FAIL tests/serve_open: python3 is needed (make deps)"; exit 1; }
T=$(mktemp -d) || exit 1
P1=18531
P2=18532
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"' EXIT INT TERM

"$NJ" mkpcap bench-mix "$T/big.pcap" --count "$FRAMES" >/dev/null || { echo "tests/serve_open: FAIL: mkpcap"; exit 1; }
"$NJ" serve --port "$P1" "$T/big.pcap" >"$T/serve1.log" 2>&1 &
pids="$!"
python3 - "$P1" "$FRAMES" "$T" <<'PY' || exit 1
import json, sys, time, urllib.request, urllib.error
port, frames, tmp = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
base = 'http://127.0.0.1:%d' % port
fails = []
def bad(m): fails.append(m); print('tests/serve_open: FAIL: ' + m)
def get(path):
    try:
        with urllib.request.urlopen(base + path, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()
    except (urllib.error.URLError, ConnectionError):
        return 0, {}, b''
t0 = time.time()
while True:			# the server is up once it answers the list
    st, h, body = get('/api/traces')
    if st == 200 and json.loads(body)['traces']: break
    if time.time() - t0 > 30: bad('the server did not start'); sys.exit(1)
    time.sleep(0.05)
first = '/api/traces/1/packets?offset=0&limit=100'
while True:
    st, h, body = get(first)
    if st == 200: break
    if st != 409: bad('%s answered %d before the packets came' % (first, st)); sys.exit(1)
    time.sleep(0.02)
ready = time.time() - t0
tr = json.loads(get('/api/traces/1')[2])
if tr['progress']['done'] or tr['state'] != 'opening':
    bad('the trace was whole when the first page answered (raise SERVE_OPEN_FRAMES?): %s' % tr['progress'])
    sys.exit(1)
print('tests/serve_open: the packet list answered after %.2f s, at %d of %d packets' % (ready, tr['progress']['packets'], frames))
early = {first: body}
# 2. past the indexed end: 409, Retry-After, the JSON body; never 404
late = ['/api/traces/1/packets?offset=%d&limit=100' % (frames - 100),
        '/api/traces/1/events?from=%d&limit=100' % (frames * 60),
        '/api/traces/1/packets/%d' % (frames - 1),
        '/api/traces/1/state?seq=5']
for path in late:
    st, h, body = get(path)
    if st != 409:
        bad('%s answered %d while opening, not 409' % (path, st)); continue
    ra = {k.lower(): v for k, v in h.items()}.get('retry-after')
    if not ra or int(ra) < 1: bad('%s: 409 without Retry-After' % path)
    j = json.loads(body)
    if j.get('state') != 'opening' or 'error' not in j or j.get('status') != 409:
        bad('%s: 409 body %s' % (path, j))
    p = j.get('progress', {})
    if set(p) < {'packets', 'events', 'done', 'fraction'} or p['done']:
        bad('%s: progress %s' % (path, p))
# pages served while opening, kept to compare with the whole trace
for path in ['/api/traces/1/packets?offset=20&limit=50', '/api/traces/1/events?from=1&limit=200',
             '/api/traces/1/packets/3', '/api/traces/1/events?from=300&limit=100&fn=ip_rcv']:
    st, h, body = get(path)
    if st == 200: early[path] = body
    elif st != 409: bad('%s answered %d while opening' % (path, st))
# 3. progress grows to done
last, grew, n = None, 0, 0
while True:
    st, h, body = get('/api/traces/1')
    p = json.loads(body)['progress']
    if last:
        if p['packets'] < last['packets'] or p['events'] < last['events'] or p['fraction'] < last['fraction']:
            bad('progress went back: %s then %s' % (last, p))
        grew += p['events'] > last['events']
    last = p
    n += 1
    if p['done']: break
    if time.time() - t0 > 120: bad('not done after 120 s: %s' % p); sys.exit(1)
    time.sleep(0.1)
if grew < 1: bad('the progress never grew over %d polls' % n)
if last['fraction'] != 1 or last['packets'] != frames:
    bad('done, but progress says %s (the capture has %d packets)' % (last, frames))
print('tests/serve_open: whole after %.2f s; the progress grew %d times over %d polls' % (time.time() - t0, grew, n))
# 4. the same pages once done
whole = {}
for path, body in early.items():
    st, h, now = get(path)
    whole[path] = now
    j1, j2 = json.loads(body), json.loads(now)
    if j1.pop('state', None) == 'opening':	# total: what was indexed then
        j1.pop('progress'); j1.pop('total'); j2.pop('total', None)
    if st != 200 or j1 != j2: bad('%s differs once the trace is whole' % path)
for path in late:
    st, h, body = get(path)
    if st != 200: bad('%s answered %d once done' % (path, st))
    else: whole[path] = body
st, h, body = get('/api/traces/1/packets/%d' % (frames + 5))
if st != 404: bad('a packet past the end answered %d once done, not 404' % st)
json.dump({k: json.loads(v) for k, v in whole.items()}, open(tmp + '/pages.json', 'w'))
print('tests/serve_open: %d pages served while opening equal those once whole' % (len(early) - len(fails)))
sys.exit(1 if fails else 0)
PY
# replay -o X.njz writes the compact form directly: byte for byte the
# JSONL once exported (on a 3,000-frame capture: the disk is shared)
"$NJ" mkpcap bench-mix "$T/small.pcap" --count 3000 >/dev/null || { echo "tests/serve_open: FAIL: mkpcap"; exit 1; }
"$NJ" replay -q "$T/small.pcap" -o "$T/small.jsonl" >/dev/null 2>"$T/replay.err" &&
	"$NJ" replay -q "$T/small.pcap" -o "$T/small.njz" >/dev/null 2>>"$T/replay.err" ||
	{ echo "tests/serve_open: FAIL: replay -o"; cat "$T/replay.err"; exit 1; }
"$NJ" export "$T/small.njz" "$T/back.jsonl" 2>"$T/export.err" && cmp -s "$T/small.jsonl" "$T/back.jsonl" ||
	{ echo "tests/serve_open: FAIL: replay -o X.njz, exported, is not the JSONL of replay -o X.jsonl"; cat "$T/export.err"; exit 1; }
echo "tests/serve_open: replay -o X.njz: $(stat -c %s "$T/small.njz") bytes, the JSONL's $(stat -c %s "$T/small.jsonl") byte for byte once exported"
rm -f "$T/back.jsonl" "$T/small.jsonl"
# the same trace opened whole: replay -o X.njz, then serve X.njz
"$NJ" replay -q "$T/big.pcap" -o "$T/big.njz" >/dev/null 2>"$T/replay.err" || { echo "tests/serve_open: FAIL: replay -o X.njz"; cat "$T/replay.err"; exit 1; }
# interrupted, a compact output goes to X.njz.partial: a whole compact file
# whose last line says complete false; X.njz is left as it was
echo keep >"$T/int.njz"
"$NJ" replay -q "$T/big.pcap" -o "$T/int.njz" >/dev/null 2>"$T/int.err" &
rp=$!
sleep 0.5
kill -INT "$rp" 2>/dev/null
wait "$rp"
if [ "$(cat "$T/int.njz")" != keep ]; then
	echo "tests/serve_open: FAIL: an interrupted replay -o X.njz changed X.njz"; exit 1
elif [ -f "$T/int.njz.partial" ]; then
	"$NJ" export "$T/int.njz.partial" "$T/int.jsonl" 2>"$T/export.err" && tail -n 1 "$T/int.jsonl" | grep -q '"kind":"trace_end","complete":false' ||
		{ echo "tests/serve_open: FAIL: X.njz.partial is not a compact trace ending incomplete"; cat "$T/export.err"; exit 1; }
	echo "tests/serve_open: an interrupted replay -o X.njz left X.njz.partial, $(wc -l <"$T/int.jsonl") lines ending \"complete\": false"
else
	echo "tests/serve_open: the replay ended before SIGINT: no .partial to check"
fi
"$NJ" serve --port "$P2" "$T/big.njz" >"$T/serve2.log" 2>&1 &
pids="$pids $!"
python3 - "$P2" "$T" <<'PY' || exit 1
import json, sys, time, urllib.request, urllib.error
port, tmp = int(sys.argv[1]), sys.argv[2]
base = 'http://127.0.0.1:%d' % port
pages = json.load(open(tmp + '/pages.json'))
t0 = time.time()
while True:
    try:
        urllib.request.urlopen(base + '/api/traces', timeout=5).read(); break
    except Exception:
        if time.time() - t0 > 60: print('tests/serve_open: FAIL: serve TRACE.jsonl did not start'); sys.exit(1)
        time.sleep(0.1)
fails = 0
for path, want in pages.items():
    if '/state' in path: continue	# trace_start's "source" names the file: compared apart
    got = json.load(urllib.request.urlopen(base + path, timeout=30))
    if got != want:
        fails += 1
        print('tests/serve_open: FAIL: %s differs from the trace opened whole' % path)
want = pages['/api/traces/1/state?seq=5']
got = json.load(urllib.request.urlopen(base + '/api/traces/1/state?seq=5', timeout=30))
if got.get('counters') != want.get('counters') or got.get('seq') != want.get('seq'):
    fails += 1
    print('tests/serve_open: FAIL: /state?seq=5 differs from the trace opened whole')
print('tests/serve_open: %d pages equal to those of the trace opened whole' % (len(pages) - fails))
sys.exit(1 if fails else 0)
PY
# SIGTERM while a capture opens: the replay stops, the server exits at once
for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
pids=
"$NJ" serve --port "$P1" "$T/big.pcap" >"$T/serve4.log" 2>&1 &
sp=$!
pids="$sp"
i=0
until curl -sf "http://127.0.0.1:$P1/api/traces/1/packets?offset=0&limit=10" >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 300 ] || { echo "tests/serve_open: FAIL: the server did not answer"; exit 1; }
	sleep 0.05
done
kill -TERM "$sp"
i=0
while kill -0 "$sp" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || { echo "tests/serve_open: FAIL: SIGTERM while opening: still running after 5 s"; exit 1; }
	sleep 0.05
done
wait "$sp"
rc=$?
pids=
[ "$rc" = 0 ] || { echo "tests/serve_open: FAIL: SIGTERM while opening: exit status $rc"; exit 1; }
echo "tests/serve_open: SIGTERM while opening: exited in $((i * 50)) ms or less, status 0"
# the browser over an opening capture (skipped without Chromium: tests/e2e
# is where a missing browser fails the run)
if [ -x "${CHROMIUM:-/usr/bin/chromium}" ] && [ -d tests/e2e/node_modules/playwright-core ] && command -v node >/dev/null 2>&1; then
	for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	pids=
	node tests/serve_open/ui_open.mjs "http://127.0.0.1:$P1" "$NJ" serve --port "$P1" --static static "$T/big.pcap" ||
		{ echo "tests/serve_open: FAIL: the UI over an opening capture"; exit 1; }
else
	echo "tests/serve_open: no Chromium or playwright-core (sh tests/e2e/run.sh installs it): the UI check skipped"
fi
# A sent frame's bytes (/skbs/N) on a host of two link types: the replay's
# -w holds an Ethernet and a raw-IP interface, which libpcap refuses; the
# project's own pcapng reader gives each frame with its interface's type.
for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
pids=
"$NJ" mkpcap host-any-vpn "$T/vpn.pcap" >/dev/null || { echo "tests/serve_open: FAIL: mkpcap host-any-vpn"; exit 1; }
"$NJ" serve --port "$P2" "$T/vpn.pcap" >"$T/serve4.log" 2>&1 &
pids="$!"
python3 - "$P2" <<'PY' || exit 1
import json, sys, time, urllib.request
base = 'http://127.0.0.1:%d/api/traces/1' % int(sys.argv[1])
def get(path):
    for _ in range(300):
        try:
            with urllib.request.urlopen(base + path, timeout=10) as r:
                return json.loads(r.read())
        except Exception:
            time.sleep(0.05)
    sys.exit('tests/serve_open: FAIL: %s never answered' % path)
for pkt, linktype, head in ((5, 12, '45'), (17, 1, '020000000142')):
    steps = get('/packets/%d' % pkt)['steps']
    rx = next(e['skb'] for e in steps if isinstance(e.get('skb'), int))
    sent = [e['skb'] for e in steps if e['fn'] == 'dev_queue_xmit' and e['skb'] != rx]
    if not sent: sys.exit('tests/serve_open: FAIL: packet %d sent no reply' % pkt)
    r = get('/skbs/%d' % sent[0])
    if r.get('how') != 'sent' or r.get('linktype') != linktype or not r.get('frame', '').startswith(head):
        sys.exit('tests/serve_open: FAIL: packet %d: reply bytes %s' % (pkt, json.dumps(r)[:300]))
print('tests/serve_open: a sent frame on tun0 (raw IP) and one on eth0 (Ethernet) read back from a two-link-type -w')
PY
echo "tests/serve_open: ok"
