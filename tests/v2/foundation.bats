#!/usr/bin/env bats
# Run by tests/run-v2.sh inside a pure cgroup v2 VM: the v2-specific parts of the
# foundation (the cgroup namespace and cinfo's cgroup line on a unified tree).
load ../helpers

@test "v2: the host is pure cgroup v2" {
	requires cgroup2
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
	[ -e /sys/fs/cgroup/cgroup.controllers ]
}

# covers: C17
@test "v2: a new cgroup namespace sees its cgroup as /" {
	requires cgroup2
	mine=$(sed -n 's/^0:://p' /proc/self/cgroup)
	run mkns --cgroup -- cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	[ "$output" = "0::/" ]
	# outside, the same process is at its real path
	[ -n "$mine" ]
}

@test "v2: cinfo reports the unified cgroup path, / inside a cgroup namespace" {
	requires cgroup2
	run cinfo --format kv
	[ "$status" -eq 0 ]
	grep -qx "cgroup=$(sed -n 's/^0:://p' /proc/self/cgroup)" <<<"$output"
	run mkns --cgroup -- cinfo --format kv
	grep -qx "cgroup=/" <<<"$output"
}

@test "v2: boxstep-doctor says v2" {
	requires cgroup2
	run boxstep-doctor --format kv
	[ "$status" -eq 0 ]
	grep -qx "cgroup.layout=v2" <<<"$output"
}

@test "v2: mkns with every namespace runs as on the host" {
	requires cgroup2 timens
	run mkns --all --user --map-root --hostname v2box -- sh -c 'hostname; id -u'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = v2box ]
	[ "${lines[1]}" = 0 ]
}

@test "v2: inside pivot with a cgroup namespace, /sys/fs/cgroup is cgroup2 rooted at the container's cgroup" {
	requires cgroup2 busybox
	mkrootfs "$BATS_TEST_TMPDIR/root" >/dev/null
	BOXSTEP_CGROUP_PARENT=self run cgset --memory 48M -- mkns --mount --pid --cgroup -- pivot "$BATS_TEST_TMPDIR/root" -- \
		sh -c 'grep -c " /sys/fs/cgroup ro,.* - cgroup2 " /proc/self/mountinfo; cat /sys/fs/cgroup/memory.max; touch /sys/fs/cgroup/x 2>/dev/null || echo refused'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 50331648 ]
	[ "${lines[2]}" = refused ]
}
