#!/bin/sh
# bench/run.sh - `make bench`: replay speed against tshark and tcpdump on the
# same capture, memory on a long capture, and the store's index build; all
# printed as figures (medians of ROUNDS alternating runs, and ratios), not
# asserted. See bench/README.md for what each line measures.
#   ROUNDS=5 FRAMES=100000 BIG=1000000 BIG_FILE=1 STORE_EVENTS=1000000
#   SERVER=1 (run bench/server.sh at the end when it exists)
#   SECTIONS="1 2 3 4 5" (which numbered parts to run; 1 is the speed table)
#   BASE=OLD_BINARY (part 1 also times OLD_BINARY alternately with NJ on
#   the --no-trace and -o FILE runs, and prints NJ's time as a ratio of it)
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
NJ=${NJ:-$B/netjourney}
ROUNDS=${ROUNDS:-5}
FRAMES=${FRAMES:-100000}
BIG=${BIG:-1000000}
BIG_FILE=${BIG_FILE:-1}
STORE_EVENTS=${STORE_EVENTS:-1000000}
SERVER=${SERVER:-1}
SECTIONS=${SECTIONS:-1 2 3 4 5}
BASE=${BASE:-}
[ -x "$NJ" ] || { echo "bench/run.sh: build first (make)"; exit 1; }
W=$(mktemp -d /tmp/nj-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT INT TERM
have() { command -v "$1" >/dev/null 2>&1; }
section() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }

# now_us: a wall clock in microseconds (date +%N: GNU coreutils).
now_us() { echo $(($(date +%s%N) / 1000)); }

# timed NAME CMD...: runs CMD once (stdout to /dev/null), appends the wall
# time in µs to $W/NAME and the CPU time (user + system, µs) to $W/NAME.cpu:
# on a shared machine CPU time is the steadier of the two.
timed() {
	name=$1; shift
	t0=$(now_us)
	/usr/bin/time -f '%U %S' -o "$W/cpu" "$@" >/dev/null 2>"$W/err" || { echo "bench: $name failed:"; cat "$W/err"; }
	echo $(($(now_us) - t0)) >>"$W/$name"
	awk '{ printf "%d\n", ($1 + $2) * 1e6 }' "$W/cpu" >>"$W/$name.cpu"
}

median() { sort -n "$W/$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

spread() { sort -n "$W/$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo / 1e6, hi / 1e6 }'; }

# row LABEL NAME: one line of the speed table (wall and CPU medians, and
# the spread of each: min-max over the rounds).
row() { printf '  %-40s %8s s %8s s   (%s / %s)\n' "$1" "$(secs "$(median "$2")")" "$(secs "$(median "$2.cpu")")" \
	"$(spread "$2")" "$(spread "$2.cpu")"; }

# verdict WHAT PEER NJ GOAL: the peer/netjourney ratio, wall and CPU. A
# CPU median under 50 ms is a few ticks of /usr/bin/time's 10 ms clock (it
# read 0.00 s for tcpdump): no CPU ratio then (perf's task-clock follows).
verdict() {
	if [ "$(median "$2.cpu")" -lt 50000 ] || [ "$(median "$3.cpu")" -lt 50000 ]; then
		cpu="CPU: too short for /usr/bin/time's 10 ms ticks"
	else
		cpu="$(ratio "$(median "$2.cpu")" "$(median "$3.cpu")")x CPU"
	fi
	printf '  => %s: %sx wall, %s (goal >= %s)\n' "$1" "$(ratio "$(median "$2")" "$(median "$3")")" "$cpu" "$4"
}
secs() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# peak NAME CMD...: one run under /usr/bin/time -v; prints max RSS in MiB.
peak() {
	name=$1; shift
	/usr/bin/time -v "$@" >/dev/null 2>"$W/$name.time" || { echo "bench: $name failed"; tail -3 "$W/$name.time"; }
	awk -F: '/Maximum resident/ { printf "%.1f", $2 / 1024 }' "$W/$name.time"
}

echo "netjourney bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews absolute times; prefer the CPU ratios)"
echo "method: each pair run side by side, who goes first swapping every round (A B, then B A), $ROUNDS rounds; medians, spread min-max"

# tshark_to_file: a timed tshark run writing its JSON to a file, as
# netjourney's trace is (issue 25 compares the two writing files); the
# previous one is removed first, untimed.
tshark_to_file() {
	rm -f "$W/ts.json"
	timed tshark sh -c 'exec tshark -r "$1" -T json >"$2"' sh "$CAP" "$W/ts.json"
}

# disk_floor: how long the disk takes as many bytes as the trace from dd
# (O_DIRECT, 2 MiB writes, as trace/outdisk.c writes, but from dd's buffer
# of 4 KiB pages: outdisk's blocks are huge pages, which the disk takes
# faster, so this is a reference, not a floor); only where the filesystem
# takes O_DIRECT.
disk_floor() {
	[ -f "$W/t.jsonl" ] && dd if=/dev/zero of="$W/dd.out" bs=4096 count=1 oflag=direct 2>/dev/null || return 0
	rm -f "$W/dd.out"
	timed disk_dd dd if=/dev/zero of="$W/dd.out" bs=2M count=$(($(stat -c %s "$W/t.jsonl") / 2097152)) oflag=direct
	rm -f "$W/dd.out"
}

# -- 1. speed on FRAMES frames --------------------------------------------
CAP=$W/bench.pcap
"$NJ" mkpcap bench-mix "$CAP" --count "$FRAMES" >/dev/null || exit 1
# (each part runs when SECTIONS names it; its body is not indented again)
if section 1; then
echo
echo "1. speed: bench-mix, $FRAMES frames, $ROUNDS rounds, medians (wall clock)"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	# the previous round's trace goes first, untimed: replacing a 1 GB file
	# would charge its deletion to this run
	rm -f "$W/t.jsonl"
	# each pair side by side, who goes first alternating round by round
	# (ABBA): the run after tshark's 12 s or the 1 GB write is slower
	if [ $((r % 2)) = 1 ]; then
		timed nj_jsonl "$NJ" replay -q -o "$W/t.jsonl" "$CAP"
		disk_floor
		have tshark && tshark_to_file
		timed nj_notrace "$NJ" replay --no-trace "$CAP"
		have tcpdump && timed tcpdump tcpdump -Z "$(id -un)" -r "$CAP" -w /dev/null
	else
		have tshark && tshark_to_file
		timed nj_jsonl "$NJ" replay -q -o "$W/t.jsonl" "$CAP"
		disk_floor
		have tcpdump && timed tcpdump tcpdump -Z "$(id -un)" -r "$CAP" -w /dev/null
		timed nj_notrace "$NJ" replay --no-trace "$CAP"
	fi
	if [ -n "$BASE" ]; then	# the previous binary, its turn alternating with NJ's
		rm -f "$W/b.jsonl"
		timed base_jsonl "$BASE" replay -q -o "$W/b.jsonl" "$CAP"
		rm -f "$W/b.jsonl"
	fi
	rm -f "$W/t.njz"
	timed nj_njz "$NJ" replay -q -o "$W/t.njz" "$CAP"	# the compact form, written directly
	timed nj_devnull "$NJ" replay -q -o /dev/null "$CAP"
	timed nj_quiet "$NJ" replay -q "$CAP"
	timed nj_notrace_w "$NJ" replay --no-trace -w "$W/out.pcap" "$CAP"
	r=$((r + 1))
done
JSONL_MB=$(($(stat -c %s "$W/t.jsonl") / 1048576))
JSONL_BPF=$(($(stat -c %s "$W/t.jsonl") / FRAMES))
NJZ_BPF=$(($(stat -c %s "$W/t.njz") / FRAMES))
NJZ_MB=$(($(stat -c %s "$W/t.njz") / 1048576))
TS_MB=$([ -f "$W/ts.json" ] && echo $(($(stat -c %s "$W/ts.json") / 1048576)))
rm -f "$W/t.jsonl" "$W/t.njz" "$W/ts.json"
printf '  %-40s %10s %10s\n' "" "wall" "CPU"
row "replay -q -o FILE (all events, $JSONL_MB MiB)" nj_jsonl
[ -f "$W/disk_dd" ] && row "dd oflag=direct of as many bytes (4 KiB pages)" disk_dd
row "replay -q -o FILE.njz (compact, $NJZ_MB MiB)" nj_njz
row "replay -q -o /dev/null" nj_devnull
row "replay -q (traced, verdict lines)" nj_quiet
row "replay --no-trace" nj_notrace
row "replay --no-trace -w out.pcap" nj_notrace_w
if have tshark; then
	row "tshark -r X -T json > FILE (${TS_MB:-?} MiB)" tshark
	verdict "traced JSONL vs tshark -T json, times faster" tshark nj_jsonl 10
fi
if have tcpdump; then
	row "tcpdump -r X -w /dev/null" tcpdump
	verdict "--no-trace speed as a fraction of tcpdump's" tcpdump nj_notrace 0.5
fi
if [ -n "$BASE" ]; then
	row "BASE replay -q -o FILE" base_jsonl
	printf '  => -q -o FILE, NJ/BASE: %sx wall, %sx CPU\n' "$(ratio "$(median nj_jsonl)" "$(median base_jsonl)")" \
		"$(ratio "$(median nj_jsonl.cpu)" "$(median base_jsonl.cpu)")"
fi


# tclock NAME CMD...: the CPU time of one run as perf stat's task-clock
# (µs, appended to $W/NAME.tc): /usr/bin/time counts in 10 ms steps, too
# coarse for runs of 15-80 ms.
tclock() {
	name=$1; shift
	perf stat -x, -e task-clock "$@" 2>&1 >/dev/null | awk -F, '$3 == "task-clock" { printf "%d\n", $1 * 1000 }' \
		>>"$W/$name.tc"
}
if have tcpdump && have perf && perf stat -x, -e task-clock true >/dev/null 2>&1; then
	TC_ROUNDS=$((ROUNDS * 3))
	r=1
	while [ "$r" -le "$TC_ROUNDS" ]; do
		if [ $((r % 2)) = 1 ]; then
			tclock nj_notrace "$NJ" replay --no-trace "$CAP"
			tclock tcpdump tcpdump -Z "$(id -un)" -r "$CAP" -w /dev/null
			[ -z "$BASE" ] || tclock base_notrace "$BASE" replay --no-trace "$CAP"
		else
			[ -z "$BASE" ] || tclock base_notrace "$BASE" replay --no-trace "$CAP"
			tclock tcpdump tcpdump -Z "$(id -un)" -r "$CAP" -w /dev/null
			tclock nj_notrace "$NJ" replay --no-trace "$CAP"
		fi
		r=$((r + 1))
	done
	echo "  perf stat task-clock, $TC_ROUNDS alternating runs each (CPU ms, median and spread):"
	for n in nj_notrace tcpdump; do
		printf '  %-40s %8s ms   (%s)\n' "$([ $n = tcpdump ] && echo 'tcpdump -r X -w /dev/null' || echo 'replay --no-trace')" \
			"$(awk -v u="$(median $n.tc)" 'BEGIN { printf "%.1f", u / 1e3 }')" \
			"$(sort -n "$W/$n.tc" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.1f-%.1f", lo / 1e3, hi / 1e3 }')"
	done
	printf '  => --no-trace speed as a fraction of tcpdump'"'"'s, task-clock: %sx (goal >= 0.5)\n' \
		"$(ratio "$(median tcpdump.tc)" "$(median nj_notrace.tc)")"
	if [ -n "$BASE" ]; then
		printf '  %-40s %8s ms   (%s)\n' "BASE replay --no-trace" \
			"$(awk -v u="$(median base_notrace.tc)" 'BEGIN { printf "%.1f", u / 1e3 }')" \
			"$(sort -n "$W/base_notrace.tc" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.1f-%.1f", lo / 1e3, hi / 1e3 }')"
		printf '  => --no-trace task-clock, NJ/BASE: %sx\n' "$(ratio "$(median nj_notrace.tc)" "$(median base_notrace.tc)")"
	fi
fi

echo
echo "   trace bytes per frame: JSONL $JSONL_BPF, compact .njz $NJZ_BPF ($(ratio "$JSONL_BPF" "$NJZ_BPF")x less; goal <= 1500)"
fi

# -- 2. memory on BIG frames ----------------------------------------------
if section 2; then
echo
echo "2. memory: bench-mix, $BIG frames, peak RSS (one run each; flat = independent of length)"
BIGCAP=$W/big.pcap
"$NJ" mkpcap bench-mix "$BIGCAP" --count "$BIG" >/dev/null || exit 1
printf '  %-44s %9s MiB  (%s frames: %s MiB)\n' "replay --no-trace" "$(peak big_nt "$NJ" replay --no-trace "$BIGCAP")" \
	"$FRAMES" "$(peak small_nt "$NJ" replay --no-trace "$CAP")"
printf '  %-44s %9s MiB  (%s frames: %s MiB)\n' "replay -q -o /dev/null" \
	"$(peak big_dn "$NJ" replay -q -o /dev/null "$BIGCAP")" "$FRAMES" "$(peak small_dn "$NJ" replay -q -o /dev/null "$CAP")"
if [ "$BIG_FILE" = 1 ]; then
	m=$(peak big_f "$NJ" replay -q -o "$W/big.jsonl" "$BIGCAP")
	printf '  %-44s %9s MiB  (trace %s MiB, deleted)\n' "replay -q -o FILE" "$m" "$(($(stat -c %s "$W/big.jsonl") / 1048576))"
	rm -f "$W/big.jsonl"
fi
rm -f "$BIGCAP"
fi

# -- 3. store index build --------------------------------------------------
if section 3; then
echo
echo "3. store: index build of a ~$STORE_EVENTS-event trace (step: open, index, first prompt; $ROUNDS rounds)"
# bench-mix gives about 42 events per frame
"$NJ" mkpcap bench-mix "$W/store.pcap" --count $((STORE_EVENTS / 42 + 1)) >/dev/null || exit 1
"$NJ" replay -q -o "$W/store.jsonl" "$W/store.pcap" >/dev/null || exit 1
echo quit >"$W/quit"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	timed store_open sh -c "\"$NJ\" step \"$W/store.jsonl\" < \"$W/quit\""
	r=$((r + 1))
done
printf '  %-44s %9s s  (%s events, %s MiB; peak RSS %s MiB)\n' "step TRACE (store_open_jsonl)" \
	"$(secs "$(median store_open)")" "$(($(wc -l <"$W/store.jsonl") - 2))" \
	"$(($(stat -c %s "$W/store.jsonl") / 1048576))" "$(peak store_rss sh -c "\"$NJ\" step \"$W/store.jsonl\" < \"$W/quit\"")"
rm -f "$W/store.jsonl" "$W/store.pcap"
fi

# -- 4. serve on the FRAMES capture: ready time and peak RSS ---------------
if section 4; then
echo
echo "4. serve of the $FRAMES-frame capture (bench/serve_open.sh, $ROUNDS rounds)"
sh bench/serve_open.sh "$CAP" "$ROUNDS" "$NJ" | sed 's/^/  /'
fi

# -- 5. the HTTP side (bench/server.sh, when present) ---------------------
if section 5 && [ "$SERVER" = 1 ] && [ -f bench/server.sh ]; then
	echo
	echo "5. server (bench/server.sh)"
	B=$B sh bench/server.sh
fi
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
