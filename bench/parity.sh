#!/bin/sh
# bench/parity.sh - the replay's outputs, to compare two builds byte for
# byte (a speed change must change nothing): every capture of pcaps/ (and
# of EXTRA, a folder, e.g. /work/shared/pcaps) replayed with -o FILE, with
# -q -o FILE, with --no-trace, with -q and with -w, into OUT/. Run it with
# the old binary and the new one into two folders and compare them:
# diff -r OLD NEW.
#   NJ=build/netjourney OUT=/tmp/parity-new EXTRA=DIR sh bench/parity.sh
cd "$(dirname "$0")/.." || exit 1
NJ=${NJ:-build/netjourney}
OUT=${OUT:?OUT=DIR}
mkdir -p "$OUT"
for p in pcaps/*.pcap pcaps/*.pcapng ${EXTRA:+"$EXTRA"/*.pcap "$EXTRA"/*.pcapng}; do
	[ -f "$p" ] || continue
	n=$(echo "$p" | tr / _)
	j=${p%.*}.json
	sc=""; [ -f "$j" ] && sc="-c $j"
	# the file names printed are the same in both runs; exit codes kept
	$NJ replay $sc -o "$OUT/$n.jsonl" "$p" >"$OUT/$n.out" 2>&1; echo "rc=$?" >>"$OUT/$n.out"
	$NJ replay $sc --no-trace "$p" >"$OUT/$n.nt" 2>&1; echo "rc=$?" >>"$OUT/$n.nt"
	# -q -o: msgs left raw for the JSONL writer's thread (TRACE_SINK_RAW_MSG)
	$NJ replay $sc -q -o "$OUT/$n.q.jsonl" "$p" >/dev/null 2>&1
	$NJ replay $sc -q -w "$OUT/$n.w.pcap" "$p" >"$OUT/$n.q" 2>&1; echo "rc=$?" >>"$OUT/$n.q"
done
echo "parity: $(ls "$OUT" | wc -l) files in $OUT"
