#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # inner shells expand; bats sets $stderr
# Run by tests/run-v2.sh inside a pure cgroup v2 VM, in its root cgroup: cgset's
# v2 back end against the real kernel (the host suite, tests/cgset.bats, runs on a
# hybrid host and on a fake cgroup2 tree). tests/v2/leaf/ runs apart, in a
# populated leaf cgroup.
bats_require_minimum_version 1.5.0
load ../helpers

setup_file() {
	leak_snapshot
	export BOXSTEP_CGROUP_PARENT=self
}

setup() {
	requires root cgroup2
	NAME=bx-$BATS_TEST_NUMBER
	ROOT=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
	ROOT=${ROOT%/}
}

teardown() {
	rmdir "$ROOT/$NAME" "$ROOT/bxp/inner" "$ROOT/bxp" 2>/dev/null || true
}

@test "v2: the layout is v2 and every limit goes to its v2 file" {
	run --separate-stderr env BOXSTEP_TRACE=1 cgset --keep --name "$NAME" --memory 64M --memory-high 48M \
		--swap 0 --cpus 0.5 --cpu-weight 200 --io-weight 300 --cpuset 0 --pids 16 -- true
	echo "$stderr"
	[ "$status" -eq 0 ]
	grep -qx 'cgset: # cgroup layout: v2' <<<"$stderr"
	local f want bad=0
	while read -r f want; do
		got=$(cat "$ROOT/$NAME/$f")
		echo "$f: $got (want $want)"
		[ "$got" = "$want" ] || bad=1
	done <<'TABLE'
memory.max 67108864
memory.high 50331648
memory.swap.max 0
cpu.max 50000 100000
cpu.weight 200
io.weight default 300
cpuset.cpus 0
pids.max 16
TABLE
	[ "$bad" = 0 ]
}

# covers: C26 C27
@test "v2: an OOM kill is reported from memory.events; exit 137; cgroup removed" {
	run --separate-stderr cgset --name "$NAME" --memory 32M --swap 0 -- memhog 100
	echo "$stderr"
	[ "$status" -eq 137 ]
	[ "$stderr" = "cgset: the OOM killer ended 1 process in $NAME (memory.max 32M)" ]
	[ ! -e "$ROOT/$NAME" ]
}

@test "v2: pids.max stops a fork loop; reported from pids.events" {
	run --separate-stderr cgset --name "$NAME" --pids 6 -- forkloop 40
	[ "$status" -eq 1 ]
	[[ "$output" == "forkloop: "*" children, then fork: Resource temporarily unavailable" ]]
	[[ "$stderr" == "cgset: pids.max reached "*" in $NAME (pids.max 6)"* ]]
	[ ! -e "$ROOT/$NAME" ]
}

# covers: C28 C30
@test "v2: cinfo inside reads cpu.stat throttling and the PSI lines" {
	run --separate-stderr cgset --name "$NAME" --cpus 0.1 -- sh -c 'cpuburn 30 && cinfo --format kv'
	[ "$status" -eq 0 ]
	grep -qx 'cgroup.cpu.max=10000 100000' <<<"$output"
	[ "$(sed -n 's/^cgroup.cpu.stat.nr_throttled=//p' <<<"$output")" -gt 0 ]
	grep -q '^cgroup.cpu.pressure.some=avg10=' <<<"$output"
	grep -q '^cgroup.memory.pressure.full=avg10=' <<<"$output"
}

@test "v2: what the program leaves behind dies by cgroup.kill; the cgroup is removed" {
	run --separate-stderr env BOXSTEP_TRACE=1 cgset --name "$NAME" -- sh -c 'sleep 1000 & echo $!'
	[ "$status" -eq 0 ]
	grep -q "^cgset: write(\"$ROOT/$NAME/cgroup.kill\", \"1\") = 1$" <<<"$stderr"
	local left=$output stat
	stat=$(cat "/proc/$left/stat" 2>/dev/null) || stat="gone) X"
	stat=${stat##*) }
	[ "${stat%% *}" = Z ] || [ "${stat%% *}" = X ]
	[ ! -e "$ROOT/$NAME" ]
}

# covers: C24
@test "v2: a controller the parent does not hand down: ENOENT by hand; cgset enables it where missing" {
	mkdir "$ROOT/bxp" "$ROOT/bxp/inner"
	# bxp's subtree_control is empty: its children get no memory.max
	[ -z "$(cat "$ROOT/bxp/cgroup.subtree_control")" ]
	run cat "$ROOT/bxp/inner/memory.max"
	[ "$status" -ne 0 ]
	[[ "$output" == *"No such file or directory"* ]]
	rmdir "$ROOT/bxp/inner"
	run --separate-stderr env BOXSTEP_TRACE=1 cgset --parent "${ROOT#/sys/fs/cgroup}/bxp" --name "$NAME" \
		--memory 64M -- cat /proc/self/cgroup
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "0::${ROOT#/sys/fs/cgroup}/bxp/$NAME" ]
	grep -qx "cgset: write(\"$ROOT/bxp/cgroup.subtree_control\", \"+memory +pids\") = 13" <<<"$stderr"
	# a second run finds them enabled and writes nothing there
	run --separate-stderr env BOXSTEP_TRACE=1 cgset --parent "${ROOT#/sys/fs/cgroup}/bxp" --name "$NAME" -- true
	run ! grep -q 'subtree_control' <<<"$stderr"
}

# covers: C17
@test "v2: with mkns --cgroup after cgset the process sees its cgroup as /" {
	run cgset --name "$NAME" --pids 16 -- mkns --cgroup -- cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	[ "$output" = "0::/" ]
}
