#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # inner shells expand their own variables; bats sets $stderr
# nsjoin: joining a running process's namespaces, by pid, pidfile or namespace file;
# the user namespace first; a fork for the pid namespace; errors that name the
# namespace and the reason.
bats_require_minimum_version 1.5.0
load helpers
load net-helpers

teardown() { net_teardown; }

@test "--help, --version and usage errors, before any kernel call" {
	run nsjoin --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: nsjoin [--target PID|PIDFILE] "* ]]
	run nsjoin --version
	[ "$output" = "nsjoin (boxstep) 0.1.0" ]
	run nsjoin --target $$ -- true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "nsjoin: no namespace to join: give at least one of -m -u -i -n -p -U -C -T or --all" ]
	run nsjoin --net -- true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "nsjoin: --net needs --target PID, or a file: --net=FILE" ]
	run nsjoin --target $$ --net --net -- true
	[ "${lines[0]}" = "nsjoin: namespace '--net' given twice" ]
	run nsjoin --target $$ --all --uts -- true
	[ "${lines[0]}" = "nsjoin: --uts is already part of --all (--uts=FILE picks another one)" ]
	run nsjoin --target $$ --target $$ --uts -- true
	[ "${lines[0]}" = "nsjoin: option '--target' given twice" ]
}

@test "a target that does not exist: the error names it" {
	run nsjoin --target 4194304 --net -- true
	[ "$status" -eq 125 ]
	[ "$output" = "nsjoin: --target 4194304: no such process 4194304" ]
	run nsjoin --target "$BATS_TEST_TMPDIR/none.pid" --net -- true
	[ "$status" -eq 125 ]
	[ "$output" = "nsjoin: --target $BATS_TEST_TMPDIR/none.pid: open(\"$BATS_TEST_TMPDIR/none.pid\"): No such file or directory" ]
	echo nonsense >"$BATS_TEST_TMPDIR/bad.pid"
	run nsjoin --target "$BATS_TEST_TMPDIR/bad.pid" --net -- true
	[ "$output" = "nsjoin: --target $BATS_TEST_TMPDIR/bad.pid: the file does not hold a pid" ]
	run nsjoin --net=/proc/self/ns/uts -- true
	[ "$status" -eq 125 ]
	[ "$output" = "nsjoin: /proc/self/ns/uts is a uts namespace, not net: give it as --uts=/proc/self/ns/uts" ]
	run nsjoin --net=/etc/hostname -- true
	[ "$output" = "nsjoin: /etc/hostname is not a namespace file (a /proc/PID/ns/ link, or a bind mount of one)" ]
}

# covers: C48
@test "nsjoin into a container's network namespace sees its eth0" {
	requires root
	run scenario <<'EOF'
start_box c vethpair --host-addr 10.80.0.1/24 --addr 10.80.0.2/24 -- sh -c "$BOX_UP" sh c
echo "host: $(ip -o link | awk -F': ' '{print $2}' | cut -d@ -f1 | tr '\n' ' ')"
echo "joined: $(nsjoin --target "$(cat c.pid)" --net -- ip -o link | awk -F': ' '{print $2}' | cut -d@ -f1 | tr '\n' ' ')"
nsjoin --target c.pid --net -- ip -o -4 addr show eth0 | awk '{print "by pidfile:", $2, $4}'
echo "hostname: $(nsjoin --target c.pid --uts -- hostname)"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "host: lo veth"* ]]
	[ "${lines[1]}" = "joined: lo eth0 " ]
	[ "${lines[2]}" = "by pidfile: eth0 10.80.0.2/24" ]
	[ "${lines[3]}" = "hostname: c" ]
}

# covers: C48
@test "nsjoin into a container's pid namespace sees its processes, with its /proc" {
	requires root
	mkfifo "$BATS_TEST_TMPDIR/up"
	mkns --pid --mount-proc -- sh -c 'echo up >"$1"; exec sleep 1000' sh "$BATS_TEST_TMPDIR/up" &
	echo $! >"$BATS_TEST_TMPDIR/box.pid"
	read -r _ <"$BATS_TEST_TMPDIR/up"
	# mkns --pid supervises; the container's PID 1 is its child.
	box=$(cat "$BATS_TEST_TMPDIR/box.pid")
	init=$(cat "/proc/$box/task/$box/children")
	init=${init%% *}
	run nsjoin --target "$init" --pid --mount -- ps -e -o pid=,comm=
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | awk '{print $1, $2}' | tr '\n' ' ')" = "1 sleep 2 ps " ]
	# The shell nsjoin's child runs is a process of that namespace: PID 2 or more.
	run nsjoin --target "$init" --pid --mount -- sh -c 'echo $$; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" -gt 1 ]
	# Without --mount, /proc is still the host's: nsjoin warns.
	run --separate-stderr nsjoin --target "$init" --pid -- true
	[ "$status" -eq 0 ]
	[[ "$stderr" == "nsjoin: warning: --pid without --mount: "* ]]
	{ kill -KILL "$box" && wait "$box"; } 2>/dev/null || true
}

# covers: C48
@test "--all joins every namespace that differs; --TYPE=FILE joins a bind-mounted namespace" {
	requires root
	run fake_host bash -c '
		set -eu
		cd "$1"
		mkfifo up
		mkns --uts --hostname kept --ipc -- sh -c "echo up >up; exec sleep 1000" &
		box=$!
		read -r _ <up
		echo "all: $(nsjoin --target $box --all -- hostname)"
		BOXSTEP_TRACE=1 nsjoin --target $box --all -- true 2>&1 | grep -o "setns([^)]*)" | sed "s/[0-9]*<\"\\([a-z]*\\):.*>/\\1/"
		# A bind mount keeps the namespace after its last process has gone.
		touch uts.ns
		mount --bind /proc/$box/ns/uts uts.ns
		kill $box; wait $box || true
		echo "file: $(nsjoin --uts="$PWD/uts.ns" -- hostname)"
		umount uts.ns
	' sh "$BATS_TEST_TMPDIR"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "all: kept" ]
	[ "${lines[1]}" = "setns(ipc, CLONE_NEWIPC)" ]
	[ "${lines[2]}" = "setns(uts, CLONE_NEWUTS)" ]
	[ "${#lines[@]}" -eq 4 ]
	[ "${lines[3]}" = "file: kept" ]
}

# covers: C19 C48
@test "the user namespace is joined first: root enters a rootless container" {
	requires root userns
	mkfifo "$BATS_TEST_TMPDIR/up"
	mkns --user --map-root --uts --hostname rootless -- sh -c 'echo up >"$1"; exec sleep 1000' sh "$BATS_TEST_TMPDIR/up" &
	box=$!
	echo "$box" >"$BATS_TEST_TMPDIR/box.pid"
	read -r _ <"$BATS_TEST_TMPDIR/up"
	run env BOXSTEP_TRACE=1 nsjoin --target "$box" --uts --user -- sh -c 'hostname; id -u'
	echo "$output"
	kill "$box"
	wait "$box" || true
	[ "$status" -eq 0 ]
	calls=$(echo "$output" | grep -o 'setns([^)]*)' | sed 's/[0-9]*<"\([a-z]*\):.*>/\1/' | tr '\n' ' ')
	[ "$calls" = "setns(user, CLONE_NEWUSER) setns(uts, CLONE_NEWUTS) " ]
	[ "${lines[-2]}" = "rootless" ]
	[ "${lines[-1]}" = "0" ]
}

# covers: C48
@test "an unprivileged user cannot join root's container: the error names the namespace" {
	requires root
	mkfifo "$BATS_TEST_TMPDIR/up"
	mkns --uts --hostname secret -- sh -c 'echo up >"$1"; exec sleep 1000' sh "$BATS_TEST_TMPDIR/up" &
	box=$!
	echo "$box" >"$BATS_TEST_TMPDIR/box.pid"
	read -r _ <"$BATS_TEST_TMPDIR/up"
	tools=$(world_readable_tools)
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$tools/bin/nsjoin" --target "$box" --uts -- hostname
	rm -rf "$tools"
	kill "$box"
	wait "$box" || true
	echo "$output"
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "nsjoin: open(\"/proc/$box/ns/uts\", O_RDONLY|O_CLOEXEC): Permission denied" ]
	[[ "${lines[1]}" == "nsjoin: hint: another user's namespaces open only for root or that user"* ]]
}
