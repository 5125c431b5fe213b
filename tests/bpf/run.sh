#!/bin/sh
# Differential test of stack/bpf.c against libpcap: bpf_filter() results
# over every capture in pcaps/ and ../shared/pcaps/ (an absent directory is
# skipped with a message), then our disassembly against `tcpdump -d`.
# Builds $B/tests/bpf_diff against $B/libstack.a. Exit 0 = all identical.
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
CC=${CC:-cc}
if [ ! -f "$B/libstack.a" ]; then
	echo "tests/bpf: $B/libstack.a missing: run make first"; exit 1
fi
mkdir -p "$B/tests"
SAN=""
[ "$B" = build-san ] && SAN="-fsanitize=address,undefined"	# make test SAN=1
# shellcheck disable=SC2046
$CC -std=c11 -D_GNU_SOURCE -O2 $SAN -Wall -Wextra -Werror -Istack $(pkg-config --cflags libpcap libcjson) \
	-o "$B/tests/bpf_diff" tests/bpf/bpf_diff.c "$B/libstack.a" \
	$(pkg-config --libs libpcap libcjson libmicrohttpd) -lm || exit 1
shared="$(dirname "$(pwd)")/shared/pcaps"
"$B/tests/bpf_diff" pcaps "$shared" || exit 1

if ! command -v tcpdump >/dev/null 2>&1; then
	echo "FAIL tests/bpf: tcpdump is needed for the disassembly check (make deps)"; exit 1
fi
fail=0 n=0
tmp=$(mktemp -d) || exit 1
for f in 'tcp port 80' 'tcp[tcpflags] & tcp-syn != 0' 'ip[6:2] & 0x1fff != 0' 'vlan 11 and icmp' \
	'udp portrange 1000-2000' 'arp or icmp' 'ip[2:2] - ((ip[0] & 0xf) << 2) > 40' 'ether broadcast' \
	'ip[0] << ip[1] = 3' 'len > 100 and not host 10.0.0.1' 'ip[2:2] / 4 % 3 * 2 = 0 and -ip[1] = 0'; do
	n=$((n + 1))
	tcpdump -d "$f" >"$tmp/want" 2>/dev/null
	"$B/tests/bpf_diff" -d "$f" >"$tmp/got"
	if ! diff -u "$tmp/want" "$tmp/got"; then
		echo "tests/bpf: disassembly of '$f' differs from tcpdump -d"
		fail=1
	fi
done
rm -rf "$tmp"
echo "tests/bpf: disassembly of $n filters identical to tcpdump -d"
exit $fail
