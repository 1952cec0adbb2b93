#!/bin/bash
# The cost cgset adds to a chain: make the cgroup, write the limits, fork, join,
# wait, read the report, remove the cgroup. The same chain with and without cgset
# in front, run alternately by build/bench/latency, as a ratio and a difference of
# the medians; then the same after an idle pause before each run.
# Usage: bench/cgset.sh [RUNS] [IDLE_RUNS]   (as root; make builds what it runs)
#
# The cgroups go below this shell's own (BOXSTEP_CGROUP_PARENT=self) and are gone
# after each run. Back to back, the first write to cgroup.procs costs little;
# after a pause it waits for an RCU grace period (moving a process between cgroups
# takes the cgroup_threadgroup_rwsem for writing, whose fast path the kernel
# re-arms only after a grace period), which the idle figures show.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-500}
idle_runs=${2:-20}
export BOXSTEP_CGROUP_PARENT=self
limits=(--memory 64M --cpus 0.5 --pids 64)
with=("$root/bin/cgset" "${limits[@]}" -- "$root/bin/mkns" --uts -- /bin/true)
without=("$root/bin/mkns" --uts -- /bin/true)

echo "cgset ${limits[*]} -- mkns --uts -- /bin/true   against   mkns --uts -- /bin/true"
echo "cgroup layout: $("$root/bin/boxstep-doctor" --format kv | sed -n 's/^cgroup.layout=//p'); built with: $(cat "$root/build/cc-used")"
echo
echo "back to back, $runs runs each:"
out=$("$root/build/bench/latency" "$runs" cgset "${with[@]}" ::: plain "${without[@]}")
echo "$out"
echo "$out" | awk '$2 == "median" { m[$1] = $3 }
	END { printf "added by cgset: %.3f ms at the median (goal: under 1 ms)\n", m["cgset"] - m["plain"] }'

# One run, timed in microseconds by bash itself (no extra process).
timed() {
	local t0 t1
	t0=${EPOCHREALTIME/./}
	"$@" >/dev/null
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0))
}
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] / 1000 }'; }

echo
echo "after 100 ms idle before each run, $idle_runs runs each:"
a=() b=()
for ((i = 0; i < idle_runs; i++)); do
	sleep 0.1
	a+=("$(timed "${with[@]}")")
	sleep 0.1
	b+=("$(timed "${without[@]}")")
done
ma=$(printf '%s\n' "${a[@]}" | median)
mb=$(printf '%s\n' "${b[@]}" | median)
echo "cgset      median $ma ms"
echo "plain      median $mb ms"
awk -v a="$ma" -v b="$mb" 'BEGIN { printf "added by cgset: %.3f ms at the median\n", a - b }'
