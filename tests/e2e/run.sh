#!/bin/sh
# tests/e2e/run.sh - the UI in headless Chromium (playwright-core drives the
# system's /usr/bin/chromium; no browser is downloaded). Starts
# `netjourney serve` on a free port over pcaps/default.pcap (and lessons/),
# runs ui.test.mjs and lessons.test.mjs (and, with E2E_BIG=1, big.test.mjs
# over 4.19M events), and always stops the server. A
# missing Chromium or npm is a failure (make deps installs them).
cd "$(dirname "$0")/../.." || exit 1
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
	echo "FAIL tests/e2e: no Chromium at $CHROMIUM (make deps installs it)"; exit 1
fi
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
	echo "FAIL tests/e2e: npm/node not installed (make deps installs nodejs npm)"; exit 1
fi
B=${B:-build}
[ -x "$B/netjourney" ] || { echo "FAIL tests/e2e: $B/netjourney not built (make)"; exit 1; }
if [ ! -d tests/e2e/node_modules/playwright-core ]; then
	(cd tests/e2e && npm install --no-audit --no-fund >/dev/null) || { echo "FAIL tests/e2e: npm install"; exit 1; }
fi
mkdir -p tests/e2e/artifacts
PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
LOG=tests/e2e/artifacts/server.log
# ui.test.mjs finds its traces by name: a forward and netfilter rules need
# their scenarios, so those are replayed to trace files first.
mkdir -p "$B/ui-e2e"
for sc in route-forward nf-drop route-whatif ipv6-forward; do
	"$B/netjourney" replay -q -c "pcaps/$sc.json" -o "$B/ui-e2e/$sc.jsonl" "pcaps/$sc.pcap" >/dev/null ||
		{ echo "FAIL tests/e2e: replay $sc"; exit 1; }
done
"$B/netjourney" serve --port "$PORT" --static static --lessons lessons pcaps/default.pcap pcaps/frag-out-of-order.pcap \
	pcaps/frag-timeout.pcap pcaps/ip-bad-csum.pcap pcaps/ip-bad-version.pcap pcaps/ip-short-header.pcap pcaps/ip-totlen-too-big.pcap \
	"$B/ui-e2e/route-forward.jsonl" "$B/ui-e2e/nf-drop.jsonl" "$B/ui-e2e/route-whatif.jsonl" \
	pcaps/ipv6-echo.pcap pcaps/ipv6-frag.pcap "$B/ui-e2e/ipv6-forward.jsonl" pcaps/icmp-pmtu.pcap >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null' EXIT INT TERM
CHROMIUM="$CHROMIUM" SHOTS="$B/ui-e2e" node tests/e2e/ui.test.mjs "http://127.0.0.1:$PORT"
rc=$?
# The Lessons page (after ui.test.mjs: it counts the traces it expects).
CHROMIUM="$CHROMIUM" node tests/e2e/lessons.test.mjs "http://127.0.0.1:$PORT" || rc=1
CHROMIUM="$CHROMIUM" SHOTS="$B/ui-e2e" node tests/e2e/classroom.test.mjs "http://127.0.0.1:$PORT" || rc=1	# answers, predict (issue 22)
CHROMIUM="$CHROMIUM" SHOTS="$B/ui-e2e" node tests/e2e/whatif.test.mjs "http://127.0.0.1:$PORT" || rc=1
[ $rc -eq 0 ] || { echo "--- server log"; cat "$LOG"; }
# E2E_BIG=1: the timeline over 4.19M events (default.pcap x 8400, a 1.1 GB
# trace in a temporary directory), keyboard pan and zoom (big.test.mjs)
if [ "${E2E_BIG:-0}" = 1 ]; then
	BIG=$(mktemp -d "${TMPDIR:-/tmp}/nj-e2e-big.XXXXXX")
	node -e "
const fs = require('fs'); const d = fs.readFileSync('pcaps/default.pcap'); const le = d.readUInt32LE(0) === 0xa1b2c3d4;
const recs = []; for (let o = 24; o + 16 <= d.length;) { const n = le ? d.readUInt32LE(o + 8) : d.readUInt32BE(o + 8); recs.push(d.subarray(o, o + 16 + n)); o += 16 + n; }
const out = [d.subarray(0, 24)];
for (let c = 0; c < 8400; c++) for (const r of recs) { const x = Buffer.from(r); const s = (le ? x.readUInt32LE(0) : x.readUInt32BE(0)) + c * 10; le ? x.writeUInt32LE(s, 0) : x.writeUInt32BE(s, 0); out.push(x); }
fs.writeFileSync(process.argv[1], Buffer.concat(out));" "$BIG/big.pcap" &&
	"$B/netjourney" replay -q "$BIG/big.pcap" -o "$BIG/big.jsonl" >/dev/null 2>&1 || { echo "FAIL tests/e2e: the big trace"; rc=1; }
	BPORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
	"$B/netjourney" serve --port "$BPORT" --static static "$BIG/big.jsonl" >"$BIG/serve.log" 2>&1 &
	BSERVER=$!
	i=0; until grep -q serving "$BIG/serve.log" 2>/dev/null || [ $i -ge 600 ]; do sleep 0.1; i=$((i + 1)); done
	CHROMIUM="$CHROMIUM" SHOTS="$B/ui-e2e" node tests/e2e/big.test.mjs "http://127.0.0.1:$BPORT" || rc=1
	kill "$BSERVER" 2>/dev/null; wait "$BSERVER" 2>/dev/null
	rm -rf "$BIG"
fi
exit $rc
