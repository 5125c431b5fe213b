#!/bin/sh
# Golden tests: each pcaps/NAME.pcap (with pcaps/NAME.json as its scenario
# when present) → `netjourney replay --summary` compared with the reviewed
# tests/golden/NAME.expected. UPDATE=1 rewrites the expected files (review
# the diff before committing!). Then every capture in ../shared/pcaps must
# replay without a crash and end every packet in a verdict.
cd "$(dirname "$0")/../.." || exit 1
NJ=${NJ:-build/netjourney}
fail=0; n=0
for p in pcaps/*.pcap; do
	[ -f "$p" ] || continue
	name=$(basename "$p" .pcap)
	sc=""; [ -f "pcaps/$name.json" ] && sc="-c pcaps/$name.json"
	exp="tests/golden/$name.expected"
	out=$($NJ replay --summary $sc "$p" 2>&1); rc=$?
	if [ $rc -ne 0 ]; then echo "golden: $name: replay exited $rc"; echo "$out"; fail=1; continue; fi
	if [ -n "$UPDATE" ]; then printf '%s\n' "$out" > "$exp"; continue; fi
	if [ ! -f "$exp" ]; then echo "golden: $name: no $exp (run UPDATE=1 and review it)"; fail=1; continue; fi
	if ! d=$(printf '%s\n' "$out" | diff -u "$exp" -); then
		echo "golden: $name differs from $exp:"; printf '%s\n' "$d"; fail=1
	fi
	n=$((n + 1))
done
echo "golden: $n project pcaps compared"

shared="$(cd .. && pwd)/shared/pcaps"
if [ ! -d "$shared" ]; then
	echo "golden: $shared absent (as for users): third-party captures skipped"
	exit $fail
fi
m=0
for p in "$shared"/*.pcap; do
	out=$($NJ replay --summary --auto-host "$p" 2>&1); rc=$?
	[ $rc -ne 0 ] && out=$($NJ replay --summary "$p" 2>&1) && rc=$?
	if [ $rc -ne 0 ]; then echo "golden: $(basename "$p"): replay exited $rc"; echo "$out" | tail -3; fail=1; continue; fi
	if printf '%s\n' "$out" | grep -q "=> no verdict"; then
		echo "golden: $(basename "$p"): a packet ended without a verdict:"
		printf '%s\n' "$out" | grep "=> no verdict" | head -3; fail=1
	fi
	m=$((m + 1))
done
echo "golden: $m third-party captures replayed, every packet with a verdict"
exit $fail
