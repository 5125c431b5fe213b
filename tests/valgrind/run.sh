#!/bin/sh
# tests/valgrind/run.sh - valgrind memcheck over golden replays: no invalid
# access, no use of uninitialised values, no leak at exit (definite,
# indirect or possible). Every output is written (-o, --chrome, -w,
# --reasm-out) so the sinks' teardown is checked too. make test replays a
# few captures chosen to cover every layer (about 10 s); VALGRIND_ALL=1
# (make soak) replays every capture of pcaps/ and ../shared/pcaps/.
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
NJ=${NJ:-$B/netjourney}
command -v valgrind >/dev/null 2>&1 || { echo "FAIL tests/valgrind: valgrind is needed (make deps)"; exit 1; }
[ -x "$NJ" ] || { echo "tests/valgrind: $NJ missing: run make first"; exit 1; }
# An ASan build cannot run under valgrind; its own leak check covers it.
if nm "$NJ" 2>/dev/null | grep -q __asan_init; then
	echo "tests/valgrind: $NJ is built with ASan (LeakSanitizer checks it): skipped"; exit 0
fi
if [ -n "$VALGRIND_ALL" ]; then
	list=$(ls pcaps/*.pcap "$(cd .. && pwd)"/shared/pcaps/*.pcap 2>/dev/null)
else
	list="pcaps/default.pcap pcaps/tcp-http.pcap pcaps/frag-many.pcap pcaps/route-forward.pcap
pcaps/arp-resolve.pcap pcaps/frag-timeout.pcap"
fi
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail=0 n=0
start=$(date +%s)
for p in $list; do
	[ -f "$p" ] || continue
	sc=${p%.pcap}.json
	set -- -q -o "$T/t.jsonl" --chrome "$T/t.json" -w "$T/w.pcap" --reasm-out "$T/r.pcap"
	[ -f "$sc" ] && set -- "$@" -c "$sc"
	n=$((n + 1))
	# Exit 0 or 1 is replay's own (1: a damaged capture); 99 is valgrind's.
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible "$NJ" replay "$@" "$p" >/dev/null 2>"$T/vg"
	if [ $? -eq 99 ] || grep -q '^==[0-9]*==' "$T/vg"; then
		echo "tests/valgrind: $p:"; grep '^==' "$T/vg" | head -n 40; fail=1
	fi
done
echo "tests/valgrind: $n replays under memcheck in $(( $(date +%s) - start )) s: $([ $fail = 0 ] && echo clean || echo ERRORS)"
exit $fail
