#!/bin/sh
# The layers (README "Layout"): every quoted include of every folder names a
# header of that folder or of a folder below it (the Makefile's INC_<folder>),
# and a header from a higher layer really fails to compile there.
cd "$(dirname "$0")/../.." || exit 1
mk() { make -s --no-print-directory "print-$1"; }
fail=0
for l in $(mk LAYERS); do
	inc=$(mk "INC_$l")
	for f in "$l"/*.c "$l"/*.h; do
		[ -f "$f" ] || continue
		for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
			[ "$h" = cJSON.h ] && continue
			case "$h" in */*) echo "FAIL $f: includes \"$h\" by path: layers name headers only"; fail=1; continue ;; esac
			found=""
			for d in $inc; do [ -f "$d/$h" ] && found=$d; done
			if [ -z "$found" ]; then
				home=$(for d in $(mk LAYERS); do [ -f "$d/$h" ] && echo "$d"; done)
				echo "FAIL $f: includes $h (${home:-not a project header}), which $l may not see (it sees: $inc)"
				fail=1
			fi
		done
	done
done
# The Makefile enforces it: a trace/ file including a web/ header fails.
probe=trace/zz_layer_probe.c
trap 'rm -f "$probe"' EXIT INT TERM
printf '#include "web.h"\nint zz_layer_probe;\n' >"$probe"
if make -s --no-print-directory "build/trace/zz_layer_probe.o" >/dev/null 2>&1; then
	echo "FAIL a trace/ file including web.h compiled: the include lists do not enforce the layers"
	fail=1
fi
rm -f "$probe" build/trace/zz_layer_probe.o
[ $fail -eq 0 ] && echo "tests/layers: $(mk LAYERS | wc -w) layers, every include within its layer's list; a climbing include fails to compile"
exit $fail
