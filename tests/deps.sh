#!/bin/sh
# Installs the Debian packages named on the command line that are missing.
# As root: one apt-get update, then a non-interactive install. Otherwise:
# prints the command to run. Used by `make deps` (and so by run and test).
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Debian's nodejs comes without npm (the browser tests need it); a
# NodeSource nodejs has its own npm and must not get Debian's.
case " $* " in *" nodejs "*) command -v npm >/dev/null 2>&1 || missing="$missing npm" ;; esac
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "netjourney: missing Debian packages:$missing" >&2
	echo "  run: sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y$missing" >&2
	exit 1
fi
echo "netjourney: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || exit 1
# tshark asks whether non-root users may capture; answer it in advance.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null
apt-get install -y -qq $missing >/dev/null || exit 1
