#!/bin/sh
# limits.sh MEMORY CPUS PIDS CMD [ARGS...]: runs CMD with at most MEMORY of memory
# (no swap beyond it), CPUS CPUs and PIDS processes. See ../README.md.
set -eu

if [ $# -lt 4 ]; then
	echo "usage: limits.sh MEMORY CPUS PIDS CMD [ARGS...]   (as: limits.sh 64M 0.5 16 sh)" >&2
	exit 2
fi
memory=$1 cpus=$2 pids=$3
shift 3

# TODO: a memory limit of $memory, with no swap on top of it (else swap hides it).
# TODO: $cpus CPUs: a CPU time quota per period, not a weight.
# TODO: at most $pids processes.
# TODO: CMD's exit status must come back, and nothing may be left behind.
echo "limits.sh: no limits yet for memory $memory, cpus $cpus, pids $pids (see the TODOs)" >&2
exec "$@"
