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

# In the order of lesson 16: limits, namespaces, network, root, capabilities, filter.
# The image is used as it is: pivot --readonly makes the container's view of it
# read-only, and the writes a web server needs go to a tmpfs.
exec cgset --name "boxstep-$name" --memory "$memory" --cpus "$cpus" --pids "$pids" -- \
	mkns --mount --uts --ipc --pid --net --cgroup --hostname "$name" -- \
	vethpair --bridge box0 --bridge-addr "$gateway/${addr#*/}" --addr "$addr" --gateway "$gateway" -- \
	pivot --readonly --tmpfs /tmp "$rootfs" -- \
	capdrop --keep net_bind_service --no-new-privs -- \
	seccompbpf --profile default -- \
	"$@"
