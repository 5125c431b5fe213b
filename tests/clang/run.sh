#!/bin/sh
# tests/clang/run.sh - the code is warning-free under clang as under gcc
# (make builds with cc, gcc on Debian): every .c of every layer and every
# Check unit is compiled by clang with the Makefile's flags and that
# layer's include list, -fsyntax-only (no objects: about 20 s on 2 CPUs).
cd "$(dirname "$0")/../.." || exit 1
command -v clang >/dev/null 2>&1 || { echo "FAIL tests/clang: clang is needed (make deps)"; exit 1; }
mk() { make -s --no-print-directory "print-$1"; }
flags="$(mk CFLAGS) $(mk PKG_CFLAGS)"
W=$(mktemp -d /tmp/nj-clang.XXXXXX)
trap 'rm -rf "$W"' EXIT INT TERM
# one line per file: its -I list, then the file
for l in $(mk LAYERS); do
	inc=$(for d in $(mk "INC_$l"); do printf ' -I%s' "$d"; done)
	for f in "$l"/*.c; do [ -f "$f" ] && echo "$inc $f"; done
done >"$W/list"
inc=$(for d in $(mk INC_tests); do printf ' -I%s' "$d"; done)
for f in tests/unit/*.c; do echo "-Itests/unit$inc $f"; done >>"$W/list"
# shellcheck disable=SC2086
xargs -P 2 -L 1 sh -c 'clang '"$flags"' -fsyntax-only "$@" 2>"'"$W"'/$(echo "$*" | md5sum | cut -c1-12).err" || echo x >>"'"$W"'/failed"' sh <"$W/list"
n=$(wc -l <"$W/list")
if [ -s "$W/failed" ] || [ -n "$(cat "$W"/*.err 2>/dev/null)" ]; then
	echo "FAIL tests/clang: $(wc -l <"$W/failed" 2>/dev/null || echo 0) of $n files do not compile cleanly under clang:"
	cat "$W"/*.err | head -40
	exit 1
fi
echo "tests/clang: $n files compile under clang $(clang -dumpversion) without a warning (-Wall -Wextra -Werror)"
