#!/bin/sh
# Start-to-exit latency of a container's namespaces: mkns against unshare(1), the same
# four namespaces and a fork for the pid namespace, run alternately.
# Usage: bench/start.sh [RUNS]   (as root; make builds build/bench/latency)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-500}
echo "start-to-exit of /bin/true in new mount, uts, ipc, pid namespaces ($runs runs each)"
echo "mkns built with: $(cat "$root/build/cc-used")"
exec "$root/build/bench/latency" "$runs" \
	mkns "$root/bin/mkns" --mount --uts --ipc --pid -- /bin/true ::: \
	unshare unshare --mount --uts --ipc --pid --fork /bin/true
