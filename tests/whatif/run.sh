#!/bin/sh
# netjourney diff (what if): each edit names the right packets, outcomes and
# the function where the journeys part; the same scenario twice differs
# nowhere and exits 0; --json parses and follows docs/whatif.md.
cd "$(dirname "$0")/../.." || exit 1
NJ=${NJ:-build/netjourney}
command -v python3 >/dev/null || { echo "FAIL python3 missing (make deps installs it)"; exit 1; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
fail=0; n=0

# check NAME EXPECTED_RC PYTHON_ASSERTIONS -- DIFF_ARGS...
check() {
	name=$1 want=$2 py=$3; shift 4
	"$NJ" diff --json "$@" >"$T/out.json" 2>"$T/err"; rc=$?
	if [ $rc -ne "$want" ]; then
		echo "FAIL whatif $name: exit $rc, expected $want"; cat "$T/err"; fail=1; return
	fi
	if ! python3 - "$T/out.json" <<PY
import json, sys
r = json.load(open(sys.argv[1]))
d = {x["pkt"]: x for x in r["diffs"]}
assert r["differ"] == len(r["diffs"]), r
$py
PY
	then echo "FAIL whatif $name:"; cat "$T/out.json"; fail=1; return; fi
	n=$((n + 1))
}

W="pcaps/route-whatif.pcap -c pcaps/route-whatif.json"
check rp_filter 1 '
assert r["differ"] == 1 and list(d) == [1], d
assert d[1]["a"]["verdict"] == "forwarded" and d[1]["b"] == {"verdict": "drop", "reason": "IP_RPFILTER", "fn": d[1]["b"]["fn"]}, d[1]
assert d[1]["diverges_at"] == "ip_route_input_slow", d[1]["diverges_at"]
assert "fib_table_lookup" in d[1]["b_path"][d[1]["diverges_step"]:], d[1]
assert r["counters"]["Ip.ForwDatagrams"] == {"a": 3, "b": 2}, r["counters"]
' -- $W --set rp_filter=1
check forwarding 1 '
assert r["differ"] == 3, r["differ"]
for x in d.values():
    assert x["a"]["verdict"] == "forwarded" and x["b"]["verdict"] == "drop", x
    assert x["b"]["reason"] == "IP_INADDRERRORS" and x["b"]["fn"] == "ip_error", x
' -- $W --set forwarding=false
check mtu 1 '
assert list(d) == [2], d
assert d[2]["b"]["reason"] == "PKT_TOO_BIG" and d[2]["diverges_at"] == "ip_forward", d[2]
assert r["counters"]["Ip.FragFails"] == {"a": 0, "b": 1}, r["counters"]
' -- $W --set "interfaces[1].mtu=1000"
check netfilter 1 '
assert list(d) == [1], d
assert d[1]["a"]["reason"] == "NETFILTER_DROP" and d[1]["b"]["verdict"] == "forwarded", d[1]
assert d[1]["diverges_at"] == "ip_forward", d[1]
' -- pcaps/nf-drop.pcap -c pcaps/nf-drop.json --set "netfilter[1].verdict=ACCEPT"
check kernel-2.4 1 '
# 6.x drops the overlap and the queue expires 30 s after the capture; 2.4 trims and reassembles
assert d[3]["a"] == {"verdict": "drop", "reason": "FRAG_REASM_TIMEOUT", "fn": "ip_expire"}, d[3]
assert d[3]["b"]["verdict"] == "consumed" and d[3]["diverges_at"] == "ip_frag_queue", d[3]
assert r["counters"]["IpExt.ReasmOverlaps"] == {"a": 1, "b": 0}, r["counters"]
assert r["counters"]["Ip.ReasmOKs"] == {"a": 0, "b": 1}, r["counters"]
' -- pcaps/frag-overlap.pcap --set kernel=2.4
check own-capture 1 '
# no -c: A is the host replay infers (a listener on 8080); B moves it away
assert r["counters"]["Tcp.OutRsts"]["a"] == 0 and r["counters"]["Tcp.OutRsts"]["b"] > 0, r["counters"]
assert d[1]["a"]["verdict"] == "consumed" and d[1]["b"]["reason"] == "NO_SOCKET", d[1]
' -- pcaps/own-web-server.pcap --set "listen[0].port=9999"
check two-files 1 'assert r["differ"] >= 1 and r["b_scenario"] == "pcaps/frag-overlap-2.4.json", r' \
	-- pcaps/frag-overlap.pcap -c pcaps/route-whatif.json -c pcaps/frag-overlap-2.4.json
for p in pcaps/*.pcap; do
	j=${p%.pcap}.json; c=""; [ -f "$j" ] && c="-c $j"
	# shellcheck disable=SC2086
	check "same:$(basename "$p")" 0 'assert r["differ"] == 0 and r["counters"] == {}, r' -- "$p" $c $c
done

# Bad input: a clear message and exit 2, never a crash.
for bad in "nosuchkey[3]=1" "interfaces[9].mtu=1" "=1" "rp_filter"; do
	"$NJ" diff pcaps/udp.pcap --set "$bad" >/dev/null 2>"$T/err"; rc=$?
	if [ $rc -ne 2 ] || ! grep -q "set" "$T/err"; then echo "FAIL whatif --set '$bad': exit $rc: $(cat "$T/err")"; fail=1; fi
done
"$NJ" diff pcaps/udp.pcap --set "interfaces[0].mtu=5" >/dev/null 2>"$T/err"
[ $? -eq 2 ] && grep -q "mtu" "$T/err" || { echo "FAIL whatif: a bad edited value is not refused: $(cat "$T/err")"; fail=1; }
"$NJ" diff /nonexistent.pcap >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL whatif: a missing capture does not exit 2"; fail=1; }
# Text form: the parting function and the counters are printed.
"$NJ" diff $W --set rp_filter=1 >"$T/out.txt"
grep -q "part in ip_route_input_slow" "$T/out.txt" && grep -q "TcpExt\|Ip.ForwDatagrams" "$T/out.txt" ||
	{ echo "FAIL whatif text report:"; cat "$T/out.txt"; fail=1; }
# step's diff: stops where this journey parts from the edited one, then
# says when no packet is left.
printf 'diff rp_filter=1\ndiff\ndiff interfaces[1].mtu=1000\nquit\n' |
	"$NJ" step -c pcaps/route-whatif.json pcaps/route-whatif.pcap >"$T/step.txt" 2>&1
grep -q "pkt 1 depth [0-9]*  ip_forward" "$T/step.txt" && grep -q "none after packet 1" "$T/step.txt" &&
	grep -q "PKT_TOO_BIG" "$T/step.txt" && grep -q "pkt 2 depth [0-9]*  ip_decrease_ttl" "$T/step.txt" ||
	{ echo "FAIL whatif: step diff:"; cat "$T/step.txt"; fail=1; }
"$NJ" replay -q -o "$T/t.jsonl" pcaps/udp.pcap >/dev/null
printf 'diff rp_filter=1\nquit\n' | "$NJ" step "$T/t.jsonl" >"$T/step2.txt" 2>&1
grep -q "diff replays a capture" "$T/step2.txt" || { echo "FAIL whatif: step diff on a trace:"; cat "$T/step2.txt"; fail=1; }
[ $fail -eq 0 ] && echo "tests/whatif: $n diffs checked, bad edits refused"
exit $fail
