#!/bin/sh
# container.sh HOSTNAME [CMD...]: runs CMD (default: cinfo --format kv) in new UTS,
# PID, mount and IPC namespaces, as PID 1, with a fresh /proc and the hostname
# HOSTNAME. The network namespace stays the host's.
set -eu

if [ $# -lt 1 ]; then
	echo "usage: container.sh HOSTNAME [CMD...]" >&2
	exit 2
fi
name=$1
shift
if [ $# -eq 0 ]; then
	set -- cinfo --format kv
fi

# --uts --hostname: a hostname of its own, the host's untouched.
# --pid: mkns forks, and the child (which execs CMD) is PID 1 of the new namespace.
# --mount --mount-proc: a mount table of its own with a new /proc in it, so ps
#   sees only this namespace's processes.
# --ipc: SysV IPC objects and POSIX message queues of its own.
# No --net: the container shares the host's network.
exec mkns --uts --hostname "$name" --pid --mount --mount-proc --ipc -- "$@"
