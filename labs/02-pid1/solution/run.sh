#!/bin/sh
# run.sh PROGRAM [ARGS...]: runs PROGRAM in a new PID namespace (with a /proc of its
# own) under a minimal init, so that the namespace's PID 1 does PID 1's duties.
set -eu

if [ $# -lt 1 ]; then
	echo "usage: run.sh PROGRAM [ARGS...]" >&2
	exit 2
fi

# mkns --pid forks: its child is PID 1 of the new namespace, and mkns forwards the
# signals it gets to that child and exits with its status.
# pid1 is that PID 1: it runs PROGRAM as its child (PID 2), forwards signals to it,
# reaps every zombie re-parented to it, and exits with PROGRAM's status.
exec mkns --pid --mount-proc -- pid1 -- "$@"
