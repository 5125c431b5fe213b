#!/bin/sh
# The diff-kernel tally (README "diff-kernel"): every capture of a folder
# through this machine's kernel and netjourney, counted as agree / differ /
# cannot be compared, with the counters that differ. Not part of make test
# (minutes); run as root: sh tests/diffkernel/tally.sh [DIR] [--auto-host].
cd "$(dirname "$0")/../.." || exit 1
NJ=${NJ:-build/netjourney}
dir=${1:-pcaps}; mode=${2:-}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
agree=0 differ=0 cannot=0 n=0
for f in "$dir"/*.pcap "$dir"/*.pcapng "$dir"/*.cap; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	sc=${f%.*}.json
	if [ -n "$mode" ]; then set -- "$mode"; elif [ -f "$sc" ]; then set -- -c "$sc"; else set --; fi
	timeout 300 "$NJ" diff-kernel "$@" "$f" >"$T/out" 2>&1
	name=$(basename "$f")
	if grep -q '^AGREE' "$T/out"; then
		agree=$((agree + 1)); echo "agree   $name"
	elif grep -q '^DIFFERENT' "$T/out"; then
		differ=$((differ + 1))
		echo "differ  $name: $(grep -c '^    ! DIFFERENT$' "$T/out") packet(s); counters: $(grep '! DIFFERENT$' "$T/out" | grep -v '^    !' | awk '{print $1}' | tr '\n' ' ')"
	else
		cannot=$((cannot + 1)); echo "cannot  $name: $(grep . "$T/out" | tail -1 | cut -c1-160)"
	fi
done
echo "tally: $n captures in $dir: $agree agree, $differ differ, $cannot cannot be compared"
