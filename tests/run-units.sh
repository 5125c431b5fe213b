#!/bin/sh
# tests/run-units.sh SUFFIX BIN... - runs the Check unit binaries NJ_JOBS at a
# time (default: one per core), each into BIN.log, then prints one line per
# binary in the order given and exits non-zero if any failed. The units share
# nothing (ephemeral ports, mkstemp files), so running them side by side only
# shortens make test. Check's per-test timeouts are stretched by
# CK_TIMEOUT_MULTIPLIER (default 3): a test next to a busy neighbour, or under
# ASan, is slower; a hung one still fails.
suffix=$1; shift
jobs=${NJ_JOBS:-$(nproc 2>/dev/null || echo 2)}
CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-3}
export CK_TIMEOUT_MULTIPLIER
for t; do rm -f "$t.rc"; done
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh -c '"$1" >"$1.log" 2>&1; echo $? >"$1.rc"' sh {}
fail=0
for t; do
	n=$(basename "$t")
	if [ "$(cat "$t.rc" 2>/dev/null)" = 0 ]; then
		echo "PASS $n$suffix: $(tail -n 1 "$t.log")"
	else
		echo "FAIL $n$suffix (exit $(cat "$t.rc" 2>/dev/null || echo '?'))"; tail -n 60 "$t.log"; fail=1
	fi
done
exit $fail
