#!/bin/sh
# container.sh ROOTFS NAME ADDR GATEWAY MEMORY CPUS PIDS PROGRAM [ARGS...]
# Runs PROGRAM in a container: see ../README.md for everything it must be.
set -eu

if [ $# -lt 8 ]; then
	echo "usage: container.sh ROOTFS NAME ADDR GATEWAY MEMORY CPUS PIDS PROGRAM [ARGS...]" >&2
	exit 2
fi
rootfs=$1 name=$2 addr=$3 gateway=$4 memory=$5 cpus=$6 pids=$7
shift 7

# This runs: PROGRAM is PID 1 of new namespaces, with ROOTFS as its root.
# TODO: the limits (MEMORY, CPUS, PIDS), before anything else runs.
# TODO: the network: eth0 with ADDR, its peer on the bridge box0 (made with
#       GATEWAY when missing), and a default route through GATEWAY.
# TODO: a read-only root.
# TODO: least privilege: only the capability a web server on port 80 needs,
#       no_new_privs, and Docker's seccomp profile.
echo "container.sh: $name would have $memory of memory, $cpus CPUs, $pids processes, $addr via $gateway" >&2
exec mkns --mount --uts --ipc --pid --net --cgroup --hostname "$name" -- \
	pivot "$rootfs" -- "$@"
