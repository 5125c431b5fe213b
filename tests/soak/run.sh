#!/bin/sh
# tests/soak/run.sh - `make soak`: the hostile-traffic tests at full size,
# printing their figures (run time, queue peaks, counters, RSS):
#   - test_hostile with 1,000,000 SYNs, 1,000,000 flows, a 100,000-frame burst;
#   - tests/hostile/run.sh with a 1,000,000-fragment flood through replay;
#   - valgrind memcheck over the golden replays (tests/valgrind/run.sh);
#   - the server under load (tests/soak/server.sh) when `serve` exists.
# tests/run-all.sh (make test) runs every tests/*/run.sh: when it is the
# caller, this prints a note and leaves the long runs to make soak (SOAK=1
# forces them).
cd "$(dirname "$0")/../.." || exit 1
if [ -z "$SOAK" ] && [ -n "$NJ_RUN_ALL" ]; then
	echo "tests/soak: long runs skipped in make test (make soak, or SOAK=1, runs them)"; exit 0
fi
B=${B:-build}
NJ=${NJ:-$B/netjourney}
fail=0
start=$(date +%s)
if [ -x "$B/tests/test_hostile" ]; then
	echo "== test_hostile at soak size"
	NJ_HOSTILE_SYNS=${SOAK_SYNS:-1000000} NJ_HOSTILE_FLOWS=${SOAK_FLOWS:-1000000} \
		NJ_HOSTILE_BURST=${SOAK_BURST:-100000} CK_VERBOSITY=normal "$B/tests/test_hostile" || fail=1
else
	echo "tests/soak: $B/tests/test_hostile missing (make unit): skipped"; fail=1
fi
echo "== fragment flood of ${SOAK_FRAGS:-1000000} fragments, SIGINT/SIGTERM/SIGKILL"
B=$B NJ=$NJ HOSTILE_FRAGS=$(( ${SOAK_FRAGS:-1000000} / 5 )) sh tests/hostile/run.sh || fail=1
if [ -f tests/valgrind/run.sh ]; then
	echo "== valgrind memcheck over the golden replays"
	B=$B NJ=$NJ VALGRIND_ALL=1 sh tests/valgrind/run.sh || fail=1
fi
if [ -f tests/soak/server.sh ] && "$NJ" serve --help >/dev/null 2>&1; then
	echo "== server under load"
	NJ=$NJ sh tests/soak/server.sh || fail=1
fi
echo "tests/soak: done in $(( $(date +%s) - start )) s"
exit $fail
