#!/bin/sh
# tests/run-units.sh SUFFIX BIN... - runs the Check unit binaries NJ_JOBS at a
# time (default: one per core), each into DIR/../NAME.log for DIR/NAME (beside
# the build's tests/, never in it: its binaries are globbed), then prints one line per
# binary in the order given and exits non-zero if any failed. The units share
# nothing (ephemeral ports, mkstemp files), so running them side by side only
# shortens make test. Check's per-test timeouts are stretched by
# CK_TIMEOUT_MULTIPLIER (default 3): a test next to a busy neighbour, or under
# ASan, is slower; a hung one still fails.
suffix=$1; shift
jobs=${NJ_JOBS:-$(nproc 2>/dev/null || echo 2)}
CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-3}
export CK_TIMEOUT_MULTIPLIER
out() { echo "$(dirname "$1")/../$(basename "$1")"; }
for t; do rm -f "$(out "$t").rc"; done
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh -c 'o="$(dirname "$1")/../$(basename "$1")"; "$1" >"$o.log" 2>&1; echo $? >"$o.rc"' sh {}
fail=0
for t; do
	n=$(basename "$t") o=$(out "$t")
	if [ "$(cat "$o.rc" 2>/dev/null)" = 0 ]; then
		echo "PASS $n$suffix: $(tail -n 1 "$o.log")"
	else
		echo "FAIL $n$suffix (exit $(cat "$o.rc" 2>/dev/null || echo '?'))"; tail -n 60 "$o.log"; fail=1
	fi
done
exit $fail
