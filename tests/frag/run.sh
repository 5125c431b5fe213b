#!/bin/sh
# IPv4 reassembly checked against tshark on the third-party fragment captures.
cd "$(dirname "$0")/../.." || exit 1
shared="$(cd .. && pwd)/shared/pcaps"
if [ ! -d "$shared" ]; then echo "frag: $shared absent: skipped"; exit 0; fi
if ! command -v tshark >/dev/null; then echo "FAIL frag: tshark is needed (make deps installs it)"; exit 1; fi
NJ=${NJ:-build/netjourney} python3 tests/frag/compare.py "$shared"
