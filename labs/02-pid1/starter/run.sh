#!/bin/sh
# run.sh PROGRAM [ARGS...]: runs PROGRAM in a new PID namespace (with a /proc of its
# own) so that the namespace's PID 1 does PID 1's duties. See ../README.md.
set -eu

if [ $# -lt 1 ]; then
	echo "usage: run.sh PROGRAM [ARGS...]" >&2
	exit 2
fi

# This runs, but PROGRAM itself becomes PID 1 of the new namespace.
# TODO: orphans re-parented to PID 1 must be reaped, not left as zombies.
# TODO: a SIGTERM sent to run.sh must end PROGRAM even if PROGRAM has no handler.
# TODO: PROGRAM must not be PID 1: which program should be, and do those duties?
exec mkns --pid --mount-proc -- "$@"
