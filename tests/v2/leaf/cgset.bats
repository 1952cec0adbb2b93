#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # inner shells expand; bats sets $stderr
# Run by tests/run-v2.sh in a pure cgroup v2 VM with V2VM_CGROUP=/user.slice/s.scope:
# the shell sits in a populated leaf cgroup, as in a login session. cgroup v2's
# "no internal processes" rule then refuses to hand controllers down from that
# cgroup, so --parent self must fail with a hint, and the default parent
# (boxstep, below the root) must work.
bats_require_minimum_version 1.5.0
load ../../helpers

setup() {
	requires root cgroup2
	SELF=$(sed -n 's/^0:://p' /proc/self/cgroup)
	[ "$SELF" != / ] || skip "not in a leaf cgroup: run with V2VM_CGROUP=/user.slice/s.scope"
	NAME=bx-leaf-$BATS_TEST_NUMBER
}

teardown_file() {
	# the default parent is left in place by design; this VM is thrown away, but
	# the leak guard should only see what cgset itself failed to remove
	rmdir /sys/fs/cgroup/boxstep 2>/dev/null || true
	leak_check
}

# covers: C24
@test "v2 leaf: --parent self is refused (EBUSY, no internal processes), with a hint; nothing made" {
	local before
	before=$(find /sys/fs/cgroup -type d | sort)
	run --separate-stderr cgset --parent self --name "$NAME" --memory 64M -- true
	echo "$stderr"
	[ "$status" -eq 125 ]
	[[ "${stderr_lines[0]}" == "cgset: write(\"/sys/fs/cgroup$SELF/cgroup.subtree_control\", \"+memory +pids\"): "*busy ]]
	[[ "${stderr_lines[1]}" == "cgset: hint: no internal processes"* ]]
	[ "$(find /sys/fs/cgroup -type d | sort)" = "$before" ]
}

@test "v2 leaf: the default parent (boxstep below the root) works: limits, OOM report, removal" {
	run --separate-stderr env BOXSTEP_CGROUP_PARENT= cgset --name "$NAME" --memory 32M --swap 0 -- memhog 100
	echo "$stderr"
	[ "$status" -eq 137 ]
	[ "$stderr" = "cgset: the OOM killer ended 1 process in $NAME (memory.max 32M)" ]
	[ ! -e "/sys/fs/cgroup/boxstep/$NAME" ]
	run env BOXSTEP_CGROUP_PARENT= cgset --name "$NAME" --pids 8 -- cat /proc/self/cgroup
	[ "$output" = "0::/boxstep/$NAME" ]
}
