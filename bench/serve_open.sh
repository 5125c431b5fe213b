#!/bin/sh
# bench/serve_open.sh - `serve CAPTURE` opening a capture: the time until
# the packet list answers (goal <= 2 s), the server's peak RSS then, the
# time until the trace is fully opened (/api/traces/1 says "done"; a
# server without the flag is done when it answers) and the peak RSS
# (VmHWM) then (goal <= 100 MiB). Printed as figures, not asserted.
#   sh bench/serve_open.sh CAPTURE [ROUNDS] [NJ...]
# With several binaries (before/after), each round runs them all, and
# who goes first rotates every round; medians and spreads per binary.
cd "$(dirname "$0")/.." || exit 1
CAP=${1:?usage: serve_open.sh CAPTURE [ROUNDS] [NJ...]}
ROUNDS=${2:-3}
shift 2 2>/dev/null || shift $#
[ $# -gt 0 ] || set -- "${NJ:-build/netjourney}"
W=$(mktemp -d /tmp/nj-serveopen.XXXXXX)
trap 'rm -rf "$W"' EXIT INT TERM
now_us() { echo $(($(date +%s%N) / 1000)); }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT

# one K NJ: one opening by binary number K; appends to $W/K.{ready,rss0,done,rss}
one() {
	t0=$(now_us)
	"$2" serve --port "$PORT" "$CAP" >"$W/serve.log" 2>&1 &
	spid=$!
	until curl -sf "$URL/api/traces/1/packets?offset=0&limit=100" >/dev/null 2>&1; do
		kill -0 "$spid" 2>/dev/null || { echo "bench: serve failed:"; tail -3 "$W/serve.log"; return; }
		sleep 0.02
	done
	echo $(($(now_us) - t0)) >>"$W/$1.ready"
	awk '/VmHWM/ { print $2 }' "/proc/$spid/status" >>"$W/$1.rss0"
	until curl -sf "$URL/api/traces/1" 2>/dev/null | grep -q '"done":true\|"complete":true'; do
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.05
	done
	echo $(($(now_us) - t0)) >>"$W/$1.done"
	awk '/VmHWM/ { print $2 }' "/proc/$spid/status" >>"$W/$1.rss"
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
}

median() { sort -n "$W/$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
spread() { sort -n "$W/$1" | awk -v d="$2" 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo / d, hi / d }'; }

n=$#
r=0
while [ "$r" -lt "$ROUNDS" ]; do
	k=0
	while [ "$k" -lt "$n" ]; do
		i=$(((k + r) % n + 1))		# who goes first rotates
		eval "nj=\${$i}"
		one "$i" "$nj"
		k=$((k + 1))
	done
	r=$((r + 1))
done
i=1
for nj in "$@"; do
	printf '%s (%s rounds, load %s)\n' "$nj" "$ROUNDS" "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf '  packet list answers  %6.2f s   (%s s)     goal <= 2 s\n' "$(awk -v k="$(median $i.ready)" 'BEGIN { print k / 1e6 }')" "$(spread $i.ready 1e6)"
	printf '  VmHWM then           %6.1f MiB (%s MiB)\n' "$(awk -v k="$(median $i.rss0)" 'BEGIN { print k / 1024 }')" "$(spread $i.rss0 1024)"
	printf '  fully opened         %6.2f s   (%s s)\n' "$(awk -v k="$(median $i.done)" 'BEGIN { print k / 1e6 }')" "$(spread $i.done 1e6)"
	printf '  VmHWM then           %6.1f MiB (%s MiB)   goal <= 100 MiB\n' "$(awk -v k="$(median $i.rss)" 'BEGIN { print k / 1024 }')" "$(spread $i.rss 1024)"
	i=$((i + 1))
done
