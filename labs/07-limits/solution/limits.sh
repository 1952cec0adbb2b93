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

# cgset makes a cgroup and writes the limits to the files this host uses
# (memory.max or memory.limit_in_bytes, cpu.max or cpu.cfs_quota_us and
# cpu.cfs_period_us, pids.max); --swap 0 forbids swap beyond --memory. It stays
# outside as the supervisor: it reports an OOM kill, passes CMD's exit status on,
# kills what CMD left behind and removes the cgroup.
exec cgset --memory "$memory" --swap 0 --cpus "$cpus" --pids "$pids" -- "$@"
