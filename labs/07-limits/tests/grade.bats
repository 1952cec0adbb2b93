#!/usr/bin/env bats
# Grader for lab 07: labs/lab.sh grade 07 [--dir PATH] runs it with LAB_WORK set to
# the folder holding the learner's limits.sh. Each check's points are in its name;
# the limits and exit statuses are random, so a hard-coded answer fails. The script
# runs inside a fake host (new mount, UTS and network namespaces), and its cgroups
# go below the grader's own (BOXSTEP_CGROUP_PARENT=self).
#
# lab-requires: root mnt uts net

load ../../../tests/helpers

bats_require_minimum_version 1.5.0

setup_file() {
	leak_snapshot
	export BOXSTEP_CGROUP_PARENT=self
}

setup() {
	WORK=${LAB_WORK:-$BATS_TEST_DIRNAME/../work}
	SCRIPT=$WORK/limits.sh
	if [ ! -x "$SCRIPT" ]; then
		echo "$SCRIPT is missing or not executable (chmod +x limits.sh)"
		return 1
	fi
	MIB=$((48 + 8 * (RANDOM % 7)))   # 48M to 96M
	TENTHS=$((2 + RANDOM % 7))        # 0.2 to 0.8 CPUs
	PIDS=$((10 + RANDOM % 21))        # 10 to 30
	CPUS=0.$TENTHS
	LIMIT=20
	PROBE=$BATS_TEST_DIRNAME/limit-files.sh
}

# limits CMD...: the learner's script with this test's limits, in a fake host,
# with a time limit.
limits() {
	fake_host timeout -s KILL "$LIMIT" "$SCRIPT" "${MIB}M" "$CPUS" "$PIDS" "$@"
}

# The limit files as seen from inside (FILE=VALUE lines, v2 or v1 names).
probe() {
	run --separate-stderr limits sh "$PROBE"
	echo "limits.sh ${MIB}M $CPUS $PIDS sh limit-files.sh: status $status"
	printf '  %s\n' "${lines[@]}"
	[ -n "$stderr" ] && echo "stderr: $stderr"
	[ "$status" -eq 0 ]
}

value() { printf '%s\n' "${lines[@]}" | sed -n "s/^$1=//p"; }

# covers: C26 C29
# hint: lessons/07-memory-oom-psi.md, section "The model: the cgroup is charged, the cgroup pays"
@test "[20] the memory limit file holds the limit asked for" {
	probe
	local want=$((MIB * 1048576)) v
	v=$(value memory.max)
	[ -n "$v" ] || v=$(value memory.limit_in_bytes)
	echo "want $want (memory.max, or memory.limit_in_bytes on v1), found '$v'"
	[ "$v" = "$want" ]
}

# covers: C29 C30
# hint: lessons/08-cpu.md, section "The model: a quota per period"
@test "[20] the CPU limit is a quota per period: cpu.max (or cfs_quota_us, cfs_period_us)" {
	probe
	local quota=$((TENTHS * 10000))
	if [ -n "$(value cpu.max)" ]; then
		echo "want cpu.max '$quota 100000', found '$(value cpu.max)'"
		[ "$(value cpu.max)" = "$quota 100000" ]
	else
		echo "want cpu.cfs_quota_us $quota and cpu.cfs_period_us 100000, found '$(value cpu.cfs_quota_us)' and '$(value cpu.cfs_period_us)'"
		[ "$(value cpu.cfs_quota_us)" = "$quota" ]
		[ "$(value cpu.cfs_period_us)" = 100000 ]
	fi
}

# covers: C22
# hint: lessons/06-cgroups.md, section "Experiment: a fork bomb in a box"
@test "[15] pids.max holds the number of processes asked for" {
	probe
	echo "want pids.max $PIDS, found '$(value pids.max)'"
	[ "$(value pids.max)" = "$PIDS" ]
}

# covers: C26
# hint: lessons/07-memory-oom-psi.md, section "Experiment: 100 MiB in a 64 MiB box"
@test "[25] a hog at 1.5x the limit exits 137 while a sentinel outside lives" {
	local hog=$((MIB * 3 / 2))
	# shellcheck disable=SC2016
	run --separate-stderr fake_host sh -c '
		sleep 300 & sentinel=$!
		timeout -s KILL "$1" "$2" "$3" "$4" "$5" memhog "$6" >/dev/null 2>&1
		echo "status $?"
		kill -0 "$sentinel" && echo "sentinel alive"
		kill "$sentinel"' sh "$LIMIT" "$SCRIPT" "${MIB}M" "$CPUS" "$PIDS" "$hog"
	echo "limits.sh ${MIB}M $CPUS $PIDS memhog $hog, a sleep outside: ${lines[*]}"
	[ "${lines[0]}" = "status 137" ]
	[ "${lines[1]}" = "sentinel alive" ]
}

# covers: C22
# hint: lessons/06-cgroups.md, section "Experiment: a fork bomb in a box"
@test "[10] the command's exit status comes back" {
	local code=$((RANDOM % 100 + 3))
	run --separate-stderr limits sh -c "exit $code"
	echo "limits.sh ... sh -c 'exit $code': status $status"
	[ "$status" -eq "$code" ]
}

# covers: C22 C23
# hint: lessons/06-cgroups.md, section "Break it: remove a cgroup that still holds a process"
@test "[10] no process and no cgroup is left behind" {
	local before after left bad=0 pidfile=$BATS_TEST_TMPDIR/left
	before=$(leak_state | sed -n '/^## cgroups/,$p')
	run --separate-stderr limits sh -c "sleep 300 >/dev/null 2>&1 & echo \$! > $pidfile"
	after=$(leak_state | sed -n '/^## cgroups/,$p')
	echo "limits.sh ... sh -c 'sleep 300 &': status $status"
	left=$(cat "$pidfile" 2>/dev/null || true)
	if [ -n "$left" ] && [ -e "/proc/$left" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$left/status" 2>/dev/null; then
		echo "the sleep started in the background (pid $left) is still running"
		kill -KILL "$left" 2>/dev/null || true
		bad=1
	fi
	if [ "$before" != "$after" ]; then
		echo "cgroups left behind:"
		diff <(echo "$before") <(echo "$after") | grep '^>' || true
		bad=1
	fi
	[ "$bad" = 0 ]
}
