#!/bin/sh
# tests/fuzz/run.sh - builds the libFuzzer targets (fuzz_*.c here) with clang
# into build-fuzz/, replays every kept crasher in regressions/<target>/, then
# fuzzes each target:
#   make test:  FUZZ_RUNS executions per target (default 20000), capped at
#               FUZZ_CAP seconds each (default 8), so regressions show fast;
#   make fuzz:  FUZZ_SECONDS per target (make fuzz passes 60 by default).
# FUZZ_TARGETS="rx bpf" limits the run. Seeds: the committed corpus/<target>/,
# plus pcaps/ and ../shared/pcaps/ (turned into seeds by seeds.py). New
# inputs accumulate in build-fuzz/corpus/<target>/, crashers in
# build-fuzz/crashes/<target>/ (copy one to regressions/<target>/ once fixed).
# regressions/KNOWN-OPEN lists crashers whose fix belongs to another file's
# owner: they are skipped with a note so `make test` stays green.
cd "$(dirname "$0")/../.." || exit 1
F=build-fuzz
CLANG=${FUZZ_CC:-clang}
TARGETS=${FUZZ_TARGETS:-rx pcap scenario bpf http multipart}
if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "FAIL tests/fuzz: $CLANG is needed (make deps installs it)"; exit 1
fi
mkdir -p "$F/obj" || exit 1
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; return (int)n * 0; }\n' \
	>"$F/probe.c"
if ! "$CLANG" -fsanitize=fuzzer,address,undefined -o "$F/probe" "$F/probe.c" 2>"$F/probe.log"; then
	echo "tests/fuzz: $CLANG cannot link libFuzzer (libclang-rt-14-dev missing?): fuzzing skipped"
	exit 0
fi

PKGS=$(make -s --no-print-directory print-PKGS)	# the Makefile's libraries
# The libraries of the layers (the Makefile's LAYERS without cli, the only one with main).
DIRS=$(make -s --no-print-directory print-LIB_LAYERS)
# UB is recoverable in the build only so that ubsan.supp can let the known
# open reports through; halt_on_error makes every other one fatal.
SAN="-fsanitize=address,undefined -fsanitize-recover=undefined -fno-omit-frame-pointer"
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$(pwd)/tests/fuzz/ubsan.supp"
export UBSAN_OPTIONS
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-strict-aliasing -Wall -Wextra -Wno-format-zero-length \
$(for d in $DIRS; do printf -- "-I%s " "$d"; done) $(pkg-config --cflags $PKGS 2>/dev/null)"
LIBS="$(pkg-config --libs $PKGS 2>/dev/null) -lm"
JOBS=$(nproc 2>/dev/null || echo 2)

# -- build: the project's objects with fuzzer-no-link instrumentation, only
# those whose source or any header changed (build-fuzz/ persists).
newest_h=$(for d in $DIRS; do ls "$d"/*.h; done 2>/dev/null | xargs ls -t | head -n 1)
# Changed compiler flags rebuild everything: the stamp holds the last ones.
if [ "$(cat "$F/flags" 2>/dev/null)" != "$CLANG $CFLAGS $SAN" ]; then
	rm -rf "$F/obj"
	mkdir -p "$F/obj"
	echo "$CLANG $CFLAGS $SAN" >"$F/flags"
fi
: >"$F/todo"
objs=""
for c in $(for d in $DIRS; do echo "$d"/*.c; done); do
	[ -f "$c" ] || continue
	o="$F/obj/${c%.c}.o"
	objs="$objs $o"
	if [ ! -f "$o" ] || [ "$c" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
		echo "$c" >>"$F/todo"
	fi
done
export CLANG CFLAGS SAN F
# A file that does not compile (another helper's work in progress) is
# reported and left out; the link then says whether a target needed it.
xargs -r -P "$JOBS" -n 1 sh -c 'o="$F/obj/${1%.c}.o"; mkdir -p "$(dirname "$o")";
	$CLANG $CFLAGS $SAN -fsanitize=fuzzer-no-link -c -o "$o" "$1" 2>"$o.log" ||
	{ echo "tests/fuzz: $1 does not compile (see $o.log)"; rm -f "$o"; }' sh <"$F/todo"
have=""
for o in $objs; do [ -f "$o" ] && have="$have $o"; done
rm -f "$F/libnj.a"
# shellcheck disable=SC2086
ar rcs "$F/libnj.a" $have || exit 1

fail=0
built=""
for t in $TARGETS; do
	src=tests/fuzz/fuzz_$t.c
	[ -f "$src" ] || { echo "tests/fuzz: $src missing: target $t skipped"; continue; }
	# shellcheck disable=SC2086
	if ! $CLANG $CFLAGS $SAN -fsanitize=fuzzer -Itests/fuzz -o "$F/fuzz_$t" "$src" "$F/libnj.a" $LIBS \
		2>"$F/fuzz_$t.log"; then
		echo "tests/fuzz: target $t does not build:"; cat "$F/fuzz_$t.log"; fail=1; continue
	fi
	built="$built $t"
done

# -- seeds made from the captures and scenarios of the project
shared="$(cd .. && pwd)/shared/pcaps"
pcaps=$(ls pcaps/*.pcap pcaps/*.pcapng 2>/dev/null)
if [ -d "$shared" ]; then
	pcaps="$pcaps $(ls "$shared"/*.pcap "$shared"/*.pcapng 2>/dev/null)"
else
	echo "tests/fuzz: $shared absent: seeds from pcaps/ only"
fi
if command -v python3 >/dev/null 2>&1; then
	rm -rf "$F/seeds"
	# shellcheck disable=SC2086
	python3 tests/fuzz/seeds.py rx "$F/seeds/rx" $pcaps >/dev/null
	# shellcheck disable=SC2086
	python3 tests/fuzz/seeds.py copy "$F/seeds/pcap" 131072 $pcaps >/dev/null
	# shellcheck disable=SC2086
	python3 tests/fuzz/seeds.py copy "$F/seeds/scenario" 65536 pcaps/*.json \
		$(ls lessons/*/scenario.json 2>/dev/null) >/dev/null
else
	echo "tests/fuzz: python3 missing: seeds from the committed corpus only"
fi

# -- regressions: every kept crasher must now run clean
known=tests/fuzz/regressions/KNOWN-OPEN
grep -v '^#' tests/fuzz/ubsan.supp | grep . | while read -r s; do
	echo "tests/fuzz: known open UB, let through: $s (tests/fuzz/ubsan.supp)"; done
for t in $built; do
	[ -d "tests/fuzz/regressions/$t" ] || continue
	list=""
	for r in tests/fuzz/regressions/"$t"/*; do
		[ -f "$r" ] || continue
		if [ -f "$known" ] && grep -q "^$t/$(basename "$r")[[:space:]]" "$known"; then
			echo "tests/fuzz: known open, skipped: $(grep "^$t/$(basename "$r")[[:space:]]" "$known")"
			continue
		fi
		list="$list $r"
	done
	[ -n "$list" ] || continue
	# shellcheck disable=SC2086
	if "$F/fuzz_$t" $list >"$F/regress_$t.log" 2>&1; then
		echo "tests/fuzz: $t: $(echo $list | wc -w) regression inputs pass"
	else
		echo "tests/fuzz: $t: a regression input fails again:"; tail -n 40 "$F/regress_$t.log"; fail=1
	fi
done

# -- fuzzing
maxlen() { case $1 in scenario) echo 16384;; bpf) echo 32801;; http) echo 2048;; *) echo 16384;; esac; }
for t in $built; do
	# A long run grows build-fuzz/corpus/<target>; the short one starts
	# from the seeds each time so its duration does not grow with it.
	if [ -n "$FUZZ_SECONDS" ]; then
		work="$F/corpus/$t"
		budget="-max_total_time=$FUZZ_SECONDS"
	else
		work="$F/corpus-short/$t"
		rm -rf "$work"
		budget="-runs=${FUZZ_RUNS:-20000} -max_total_time=${FUZZ_CAP:-8}"
	fi
	mkdir -p "$work" "$F/crashes/$t"
	dirs="$work"
	for d in "tests/fuzz/corpus/$t" "$F/seeds/$t"; do [ -d "$d" ] && dirs="$dirs $d"; done
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$F/fuzz_$t" $budget -max_len="$(maxlen "$t")" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$F/crashes/$t/" $dirs >"$F/fuzz_$t.run.log" 2>&1
	rc=$?
	execs=$(grep -a -o 'stat::number_of_executed_units: *[0-9]*' "$F/fuzz_$t.run.log" | tail -n 1 | grep -a -o '[0-9]*$')
	cov=$(grep -a -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*/[0-9a-zA-Z]*' "$F/fuzz_$t.run.log" | tail -n 1)
	echo "tests/fuzz: $t: ${execs:-?} executions in $(( $(date +%s) - start )) s, $cov"
	if [ $rc -ne 0 ]; then
		echo "tests/fuzz: $t: CRASH (input kept in $F/crashes/$t/):"
		grep -a -A 30 -m 1 'ERROR\|runtime error\|deadly signal' "$F/fuzz_$t.run.log" | head -n 40
		fail=1
	fi
done
exit $fail
