#!/bin/sh
# Runs every test: the Check unit binaries (side by side, tests/run-units.sh),
# then each tests/*/run.sh.
# Prints one line per suite and exits non-zero if any failed.
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
export NJ_RUN_ALL=1		# long runs (tests/soak) see they are inside make test
fail=0
set -- "$B"/tests/test_*
[ -x "$1" ] && { sh tests/run-units.sh "" "$@" || fail=1; }
for s in tests/*/run.sh; do
	[ -f "$s" ] || continue
	# a hung script must not hang CI: each gets NJ_TEST_TIMEOUT seconds
	t0=$(date +%s)
	if timeout "${NJ_TEST_TIMEOUT:-900}" sh "$s"; then r=0; else r=$?; fi
	t=$(($(date +%s) - t0))	# each suite's time: make test must stay under 15 minutes
	if [ "$r" = 0 ]; then echo "PASS $s (${t} s)"; else echo "FAIL $s (exit $r, ${t} s)"; fail=1; fi
done
exit $fail
