#!/bin/sh
# tests/soak/server.sh - the server soak for make soak: 30 s of wrk at 48
# and 256 connections on the events endpoint, then an upload storm (64
# captures and 64 garbage bodies at once). The checks live in
# tests/hostile/server.sh, whose short mode runs in make test.
cd "$(dirname "$0")/../.." || exit 1
sh tests/hostile/server.sh long || exit 1
exec sh tests/hostile/attack.sh long
