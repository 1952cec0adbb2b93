#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # inner shells expand; bats sets $stderr
# cgset: limits, the report, cleanup, bad input, and the v2 back end against a fake
# cgroup2 tree. Cgroups are made only below this test's own cgroups
# (BOXSTEP_CGROUP_PARENT=self); the leak guard checks that none is left. The pure
# cgroup v2 runs are tests/v2/cgset.bats, in the VM (tests/run-v2.sh).
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	leak_snapshot
	export BOXSTEP_CGROUP_PARENT=self
}

setup() {
	requires root
	[ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" != "" ] || skip "requires cgroups"
	NAME=bx-$$-$BATS_TEST_NUMBER
}

teardown() {
	# A failed test may leave its --keep cgroup: remove it (the leak guard would
	# still flag a leak made by cgset itself in the other tests).
	find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -depth -type d -name "$NAME" -exec rmdir {} \; 2>/dev/null || true
}

# running PID: PID exists and is not a zombie (a killed orphan stays one until its
# new parent, the host's init, reaps it).
running() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# The cgroup directories named NAME, in every hierarchy.
dirs_named() {
	find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name "$1" 2>/dev/null | sort
}

# What a refused command must leave unchanged: boxstep-* groups and everything below
# this process's own cgroups.
cgroup_tree() {
	leak_state | sed -n '/^## cgroups/,$p'
}

@test "--help shows the v2 and v1 file of each limit; --version; usage errors exit 125" {
	run cgset --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: cgset [--name NAME] [--parent PATH|self]"* ]]
	for pair in "memory.max *memory.limit_in_bytes" "cpu.max *cpu.cfs_quota_us" "cpu.weight *cpu.shares" \
		"pids.max *pids.max" "io.weight *blkio.weight" "memory.swap.max *memory.memsw.limit_in_bytes"; do
		grep -q "$pair" <<<"$output" || { echo "help lacks: $pair"; false; }
	done
	run cgset --version
	[ "$output" = "cgset (boxstep) 0.1.0" ]
	run --separate-stderr cgset --memroy 1M -- true
	[ "$status" -eq 125 ]
	[ "${stderr_lines[1]}" = "Try 'cgset --help'." ]
	run --separate-stderr cgset --memory 1M --memory 2M -- true
	[ "$status" -eq 125 ]
	[ "${stderr_lines[0]}" = "cgset: option '--memory' given twice" ]
	run --separate-stderr cgset --keep --join-only -- true
	[ "$status" -eq 125 ]
	run --separate-stderr cgset --gc --memory 1M
	[ "$status" -eq 125 ]
}

@test "bad input: exit 125, one line naming the value, and no cgroup made" {
	local before args value
	before=$(cgroup_tree)
	while IFS='|' read -r args value; do
		# shellcheck disable=SC2086
		eval "set -- $args"
		run --separate-stderr cgset "$@" -- true
		echo "cgset $args: status $status: $stderr"
		[ "$status" -eq 125 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == "cgset: "*"$value"* ]]
		[ "$(cgroup_tree)" = "$before" ]
	done <<'EOF'
--memory 512Q|'512Q': expected a size
--memory -1|'-1': expected a size
--memory ''|'': expected a size
--memory-high 1X|'1X': expected a size
--swap 1.5.5G|'1.5.5G'
--cpus 0|'0': expected a number of CPUs from 0.01 to
--cpus abc|'abc'
--cpus 1e9|'1e9'
--cpus 0x1|'0x1'
--cpus 99999|'99999'
--cpu-weight 0|'0': expected a weight from 1 to 10000
--io-weight 10001|'10001'
--pids -5|'-5': expected a number of processes
--pids 0|'0'
--cpuset 99|'99': expected CPUs that are online
--cpuset 0-|'0-'
--name ../x|invalid name '../x'
--name a/b|invalid name 'a/b'
--name ''|invalid name ''
--parent no-such-parent-$$|unknown parent 'no-such-parent-
--parent ../up|invalid parent '../up'
EOF
}

@test "bad input on v1: --memory-high is v2 only (a hint), --swap needs --memory" {
	[ -d /sys/fs/cgroup/memory ] || skip "memory is not a v1 controller here"
	local before
	before=$(cgroup_tree)
	run --separate-stderr cgset --memory-high 64M -- true
	[ "$status" -eq 125 ]
	[[ "${stderr_lines[0]}" == *"--memory-high needs cgroup v2 (memory.high)"* ]]
	[[ "${stderr_lines[1]}" == "cgset: hint: "*"--memory (memory.limit_in_bytes)"* ]]
	run --separate-stderr cgset --swap 0 -- true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"--swap needs --memory on cgroup v1"* ]]
	[ "$(cgroup_tree)" = "$before" ]
}

@test "a controller the kernel lacks is refused before anything is made" {
	local root=$BATS_TEST_TMPDIR/cg
	mkdir "$root"
	echo "memory pids" >"$root/cgroup.controllers"
	touch "$root/cgroup.subtree_control" "$root/cgroup.procs" "$root/memory.max" "$root/pids.max"
	run --separate-stderr env BOXSTEP_CGROUP_ROOT="$root" BOXSTEP_CGROUP_PARENT= cgset --io-weight 100 -- true
	[ "$status" -eq 125 ]
	[ "$stderr" = "cgset: the io controller is not available here (cgroup layout v2: cgroup2 offers \"memory pids\")" ]
	[ ! -e "$root/boxstep" ]
}

# covers: C26
@test "memory: 100 MiB touched under --memory 32M is OOM-killed, reported, exit 137; under 256M it completes" {
	run --separate-stderr cgset --name "$NAME" --memory 32M --swap 0 -- memhog 100
	echo "status $status; stderr: $stderr"
	[ "$status" -eq 137 ]
	[[ "$stderr" == "cgset: the OOM killer ended 1 process in $NAME (memory."*" 32M)" ]]
	[ -z "$(dirs_named "$NAME")" ]
	run --separate-stderr cgset --name "$NAME" --memory 256M --swap 0 -- memhog 100
	[ "$status" -eq 0 ]
	[ "$output" = "memhog: touched 100 MiB" ]
	[ -z "$stderr" ]
	[ -z "$(dirs_named "$NAME")" ]
}

# covers: C22
@test "pids: under --pids 8 a fork loop gets EAGAIN after at most 8 processes; reported" {
	run --separate-stderr cgset --name "$NAME" --pids 8 -- forkloop 50
	echo "$output / $stderr"
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^forkloop:\ ([0-9]+)\ children,\ then\ fork:\ Resource\ temporarily\ unavailable$ ]]
	[ "${BASH_REMATCH[1]}" -le 7 ] # forkloop itself is one of the 8
	[[ "$stderr" == "cgset: pids.max reached "*" in $NAME (pids.max 8)"* ]]
	[ -z "$(dirs_named "$NAME")" ]
}

# covers: C30
@test "cpu: a busy loop under --cpus 0.2 is throttled (cpu.stat nr_throttled > 0)" {
	run --separate-stderr cgset --name "$NAME" --cpus 0.2 -- sh -c 'cpuburn 50 && cinfo --format kv'
	[ "$status" -eq 0 ]
	grep -qx 'cgroup.cpu.max=20000 100000' <<<"$output"
	local throttled
	throttled=$(sed -n 's/^cgroup\.cpu\.stat\.nr_throttled=//p' <<<"$output")
	echo "nr_throttled=$throttled"
	[ "$throttled" -gt 0 ]
}

@test "every limit file written holds the expected value (v1 names on this host)" {
	[ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/cpu ] || skip "not a v1 or hybrid host"
	run --separate-stderr cgset --keep --name "$NAME" --memory 64M --swap 16M --cpus 0.5 --cpu-weight 100 \
		--cpuset 0 --io-weight 500 --pids 16 -- true
	[ "$status" -eq 0 ]
	local d f want got bad=0
	while read -r f want; do
		d=$(dirs_named "$NAME" | while read -r d; do [ -e "$d/${f%%|*}" ] || [ -e "$d/${f##*|}" ] && echo "$d"; done | head -n 1)
		got=$(cat "$d/${f%%|*}" 2>/dev/null || cat "$d/${f##*|}")
		echo "$f: $got (want $want)"
		[ "$got" = "$want" ] || bad=1
	done <<'EOF'
memory.limit_in_bytes 67108864
memory.memsw.limit_in_bytes 83886080
cpu.cfs_period_us 100000
cpu.cfs_quota_us 50000
cpu.shares 2597
cpuset.cpus 0
blkio.weight|blkio.bfq.weight 59
pids.max 16
EOF
	[ "$bad" = 0 ]
}

@test "cinfo inside reads the limits back by their v2 names" {
	run --separate-stderr cgset --name "$NAME" --memory 64M --cpus 0.5 --pids 16 -- cinfo --format kv
	[ "$status" -eq 0 ]
	grep -qx 'cgroup.memory.max=67108864' <<<"$output"
	grep -qx 'cgroup.cpu.max=50000 100000' <<<"$output"
	grep -qx 'cgroup.pids.max=16' <<<"$output"
	grep -qx 'cgroup.pids.current=1' <<<"$output"
	grep -q '^cgroup.memory.current=[0-9]' <<<"$output"
	grep -q '^cgroup.memory.peak=[0-9]' <<<"$output"
	grep -q '^cgroup.cpu.stat.usage_usec=[0-9]' <<<"$output"
	# PSI, where the kernel has a cgroup2 tree (hybrid hosts too)
	if [ -n "$(findmnt -n -t cgroup2)" ]; then
		grep -q '^cgroup.memory.pressure.some=avg10=' <<<"$output"
	fi
	run cgset --name "$NAME" --memory 64M -- cinfo
	grep -q '^cgroup limits and usage' <<<"$output"
	grep -Eq '^  memory.max +64M' <<<"$output"
}

@test "the cgroup is removed after a normal exit and after a missing program (127)" {
	run cgset --name "$NAME" --memory 64M -- sh -c 'exit 7'
	[ "$status" -eq 7 ]
	[ -z "$(dirs_named "$NAME")" ]
	run -127 --separate-stderr cgset --name "$NAME" -- no-such-program-$$
	[ "$status" -eq 127 ]
	[ -z "$(dirs_named "$NAME")" ]
}

@test "a background process left by the program is killed and the cgroup removed" {
	local left
	run --separate-stderr cgset --name "$NAME" -- sh -c 'sleep 1000 & echo $!'
	[ "$status" -eq 0 ]
	left=$output
	[ -n "$left" ]
	run ! running "$left"
	[ -z "$(dirs_named "$NAME")" ]
}

@test "SIGTERM to cgset reaches the program; the cgroup is removed; exit 143" {
	mkfifo "$BATS_TEST_TMPDIR/out"
	cgset --name "$NAME" -- sigwait >"$BATS_TEST_TMPDIR/out" &
	local pid=$! line
	exec 4<"$BATS_TEST_TMPDIR/out"
	read -r line <&4
	[ "$line" = ready ]
	[ -n "$(dirs_named "$NAME")" ]
	kill -TERM "$pid"
	read -r line <&4
	exec 4<&-
	[ "$line" = "got SIGTERM" ]
	local rc=0
	wait "$pid" || rc=$? # not run: a subshell cannot wait for this shell's child
	[ "$rc" -eq 143 ]
	[ -z "$(dirs_named "$NAME")" ]
}

@test "cgset killed by SIGKILL takes the program along (PDEATHSIG); --gc removes what is left" {
	mkfifo "$BATS_TEST_TMPDIR/out"
	cgset -- sigwait --ignore-term >"$BATS_TEST_TMPDIR/out" &
	local pid=$! line
	exec 4<"$BATS_TEST_TMPDIR/out"
	read -r line <&4
	[ "$line" = ready ]
	kill -KILL "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 137 ]
	# the program ends with its supervisor: EOF on the fifo
	run ! read -r line <&4
	exec 4<&-
	[ -n "$(dirs_named "boxstep-$pid")" ]
	run cgset --gc
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "^removed .*/boxstep-$pid$" <<<"$output"
	[ -z "$(dirs_named "boxstep-$pid")" ]
}

@test "--keep leaves the cgroup; --join-only joins and execs with no supervisor" {
	run cgset --keep --name "$NAME" -- true
	[ "$status" -eq 0 ]
	[ -n "$(dirs_named "$NAME")" ]
	run --separate-stderr cgset --name "$NAME" -- true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"exists already"* ]]
	teardown
	# --join-only: cgset's own pid runs the program, inside the cgroup
	run cgset --join-only --name "$NAME" --pids 4 -- sh -c 'echo $$; grep -c "/$0\$" /proc/self/cgroup' "$NAME"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" -ge 1 ]
	[ -n "$(dirs_named "$NAME")" ]
}

# covers: C17
@test "with mkns --cgroup after cgset, the process sees its cgroup as /" {
	run cgset --name "$NAME" --memory 64M --pids 16 -- mkns --cgroup -- cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	echo "$output"
	[ -n "$output" ]
	run ! grep -v ':/$' <<<"$output"
}

@test "inside a cgroup namespace cinfo still reads the limits, and cgset --parent self nests" {
	run --separate-stderr cgset --name "$NAME" --memory 64M --pids 16 -- mkns --cgroup --pid --mount-proc -- cinfo --format kv
	[ "$status" -eq 0 ]
	grep -qx 'cgroup=/' <<<"$output"
	grep -qx 'cgroup.memory.max=67108864' <<<"$output"
	grep -qx 'cgroup.pids.max=16' <<<"$output"
	run --separate-stderr cgset --name "$NAME" --memory 64M -- mkns --cgroup -- cgset --name inner --pids 5 -- cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	grep -qx "0::/inner" <<<"$output"
	[ -z "$(dirs_named inner)" ]
}

@test "trace mode names the layout and where each controller lives" {
	run --separate-stderr env BOXSTEP_TRACE=1 cgset --name "$NAME" --memory 64M --pids 8 -- true
	[ "$status" -eq 0 ]
	grep -Eq '^cgset: # cgroup layout: (v2|hybrid|v1)' <<<"$stderr"
	grep -Eq "^cgset: mkdir\(\".*/$NAME\", 0755\) = 0$" <<<"$stderr"
	grep -Eq "^cgset: write\(\".*/$NAME/(memory.max|memory.limit_in_bytes)\", \"67108864\"\) = 8$" <<<"$stderr"
	grep -Eq "^cgset: write\(\".*/$NAME/cgroup.procs\", \"[0-9]+\"\) = [0-9]+$" <<<"$stderr"
	grep -Eq "^cgset: rmdir\(\".*/$NAME\"\) = 0$" <<<"$stderr"
}

# A fake cgroup2 root: the files a v2 cgroup has; cgset's fake kernel gives each
# new directory the same files.
fake_root() {
	local root=$BATS_TEST_TMPDIR/cg f
	mkdir "$root"
	echo "cpuset cpu io memory pids" >"$root/cgroup.controllers"
	for f in cgroup.subtree_control cgroup.procs cgroup.events cgroup.kill memory.max memory.high \
		memory.swap.max memory.events cpu.max cpu.weight io.weight cpuset.cpus pids.max pids.events; do
		: >"$root/$f"
	done
	echo "$root"
}

# The kernel calls of a trace that change the tree, pids made <pid>.
changes() {
	sed -n -E '/^cgset: (mkdir|write|rmdir)\(/{s/(cgroup.procs", )"[0-9]+"\) = [0-9]+$/\1"<pid>") = <n>/;p}' "$1"
}

@test "v2 back end (fake tree): which files, in which order, with which values" {
	local root trace=$BATS_TEST_TMPDIR/trace
	root=$(fake_root)
	BOXSTEP_CGROUP_ROOT=$root BOXSTEP_CGROUP_PARENT='' BOXSTEP_TRACE=1 BOXSTEP_TRACE_FD=3 \
		cgset --name t1 --memory 64m --memory-high 48M --swap 0 --cpus 0.5 --cpu-weight 200 \
		--io-weight 300 --cpuset 0 --pids 16 -- true 3>"$trace"
	diff -u - <(changes "$trace") <<EOF
cgset: write("$root/cgroup.subtree_control", "+memory +cpu +io +cpuset +pids") = 30
cgset: mkdir("$root/boxstep", 0755) = 0
cgset: write("$root/boxstep/cgroup.subtree_control", "+memory +cpu +io +cpuset +pids") = 30
cgset: mkdir("$root/boxstep/t1", 0755) = 0
cgset: write("$root/boxstep/t1/memory.max", "67108864") = 8
cgset: write("$root/boxstep/t1/memory.high", "50331648") = 8
cgset: write("$root/boxstep/t1/memory.swap.max", "0") = 1
cgset: write("$root/boxstep/t1/io.weight", "300") = 3
cgset: write("$root/boxstep/t1/cpu.max", "50000 100000") = 12
cgset: write("$root/boxstep/t1/cpu.weight", "200") = 3
cgset: write("$root/boxstep/t1/cpuset.cpus", "0") = 1
cgset: write("$root/boxstep/t1/pids.max", "16") = 2
cgset: write("$root/boxstep/t1/cgroup.procs", "<pid>") = <n>
cgset: rmdir("$root/boxstep/t1") = 0
EOF
	# the default parent stays; the cgroup is gone
	[ -d "$root/boxstep" ] && [ ! -e "$root/boxstep/t1" ]
}

@test "v2 back end (fake tree): controllers enabled only where missing; max; --keep keeps the values" {
	local root trace=$BATS_TEST_TMPDIR/trace
	root=$(fake_root)
	mkdir "$root/parent"
	echo "memory pids" >"$root/cgroup.subtree_control"
	echo "memory cpu pids" >"$root/parent/cgroup.subtree_control"
	BOXSTEP_CGROUP_ROOT=$root BOXSTEP_TRACE=1 BOXSTEP_TRACE_FD=3 \
		cgset --keep --parent /parent --name t2 --memory max --cpus 2 --pids max -- true 3>"$trace"
	diff -u - <(changes "$trace") <<EOF
cgset: write("$root/cgroup.subtree_control", "+cpu") = 4
cgset: mkdir("$root/parent/t2", 0755) = 0
cgset: write("$root/parent/t2/memory.max", "max") = 3
cgset: write("$root/parent/t2/cpu.max", "200000 100000") = 13
cgset: write("$root/parent/t2/pids.max", "max") = 3
cgset: write("$root/parent/t2/cgroup.procs", "<pid>") = <n>
EOF
	[ "$(cat "$root/parent/t2/cpu.max")" = "200000 100000" ]
}

@test "v2 back end (fake tree): a missing file fails with its name, and nothing is left" {
	local root
	root=$(fake_root)
	rm "$root/pids.max"
	run --separate-stderr env BOXSTEP_CGROUP_ROOT="$root" BOXSTEP_CGROUP_PARENT='' cgset --name t3 --pids 5 -- true
	[ "$status" -eq 125 ]
	[ "${stderr_lines[0]}" = "cgset: write(\"$root/boxstep/t3/pids.max\", \"5\"): No such file or directory" ]
	[ ! -e "$root/boxstep/t3" ]
}
