#!/usr/bin/env bats
# pid1: exit statuses, signal forwarding and escalation, reaping orphans as PID 1
# and as a subreaper, errors.
bats_require_minimum_version 1.5.0
load helpers

# start_ready CMD...: runs CMD in the background with its stdout on a fifo, read
# on fd 4, and waits for its "ready" line (the sigwait probe says it once its
# handlers are in place), so the test signals only then.
start_ready() {
	mkfifo "$BATS_TEST_TMPDIR/out"
	"$@" >"$BATS_TEST_TMPDIR/out" 3>&- &
	bg=$!
	exec 4<"$BATS_TEST_TMPDIR/out"
	read -r line <&4
	[ "$line" = ready ] || { echo "expected 'ready', got '$line'"; return 1; }
}

# finish: waits for the background command; its status in $st, its next line in $got.
finish() {
	st=0
	wait "$bg" || st=$?
	bg=
	got=
	read -r got <&4 || true
	exec 4<&-
}

teardown() {
	if [ -n "${bg:-}" ]; then
		kill -KILL "$bg" 2>/dev/null || true
		wait "$bg" 2>/dev/null || true
	fi
}

@test "the program's exit status passes through" {
	run pid1 -- true
	[ "$status" -eq 0 ]
	run pid1 -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run pid1 --kill-after 5 sh -c 'echo "args: $*"' sh a 'b c'
	[ "$status" -eq 0 ]
	[ "$output" = "args: a b c" ]
}

@test "a program killed by signal N gives 128+N" {
	run pid1 -- sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
	run pid1 -- sh -c 'kill -SEGV $$'
	[ "$status" -eq 139 ]
}

# covers: C08
@test "SIGTERM sent to pid1 reaches the program" {
	start_ready pid1 -- sigwait
	kill -TERM "$bg"
	finish
	[ "$got" = "got SIGTERM" ]
	[ "$st" -eq 143 ]
}

@test "SIGUSR1 and SIGHUP are forwarded too" {
	start_ready pid1 -- sigwait
	kill -USR1 "$bg"
	finish
	[ "$got" = "got SIGUSR1" ]
	[ "$st" -eq 138 ]
	rm "$BATS_TEST_TMPDIR/out"
	start_ready mkns --pid -- pid1 -- sigwait
	kill -HUP "$bg"
	finish
	[ "$got" = "got SIGHUP" ]
	[ "$st" -eq 129 ]
}

# covers: C08
@test "a program that ignores SIGTERM is killed after --kill-after" {
	start_ready pid1 --kill-after 1 -- sigwait --ignore-term
	kill -TERM "$bg"
	finish
	[ "$got" = "" ]
	[ "$st" -eq 137 ]
}

# covers: C07 C08
@test "orphans stay zombies under a PID 1 that does not reap, and not under pid1" {
	run mkns --pid --mount-proc -- orphans 20
	[ "$status" -eq 0 ]
	[ "$output" = "zombies: 20" ]
	run mkns --pid --mount-proc -- pid1 -- orphans 20
	[ "$status" -eq 0 ]
	[ "$output" = "zombies: 0" ]
}

# covers: C07
@test "inside a pid namespace pid1 is PID 1 and the program PID 2" {
	# shellcheck disable=SC2016 # expanded by the inner shell
	run mkns --pid --mount-proc -- pid1 -- sh -c 'echo "$$ $PPID"; cat /proc/$PPID/comm'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "2 1" ]
	[ "${lines[1]}" = pid1 ]
}

@test "pid1 is a child subreaper: it reaps orphans when it is not PID 1" {
	run pid1 -v -- true
	[ "$status" -eq 0 ]
	[[ "$output" == *"pid1: prctl(PR_SET_CHILD_SUBREAPER, 1) = 0"* ]]
	[[ "$output" == *"pid1: clone() = "* ]]
	[[ "$output" == *'pid1: execve("'*'/true", ["true"]) = 0'* ]]
	run pid1 -- orphans 20
	[ "$status" -eq 0 ]
	[ "$output" = "zombies: 0" ]
}

@test "the program gets no descriptor above 2" {
	run pid1 -- sh -c 'ls /proc/self/fd' 5</dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"2"* ]]
	[[ $'\n'"$output"$'\n' != *$'\n5\n'* ]]
}

@test "127 for a missing program, 126 for one that cannot run" {
	run -127 pid1 -- boxstep-no-such-program
	[ "$status" -eq 127 ]
	[[ "$output" == *'pid1: execve("boxstep-no-such-program"'*"No such file or directory"* ]]
	printf 'echo hi\n' >"$BATS_TEST_TMPDIR/notexec"
	chmod 644 "$BATS_TEST_TMPDIR/notexec"
	run -126 pid1 -- "$BATS_TEST_TMPDIR/notexec"
	[ "$status" -eq 126 ]
}

@test "--help, --version" {
	run pid1 --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Usage: pid1 [--kill-after SECS] [-v] [--] [PROGRAM [ARGS...]]" ]
	[[ "$output" == *"Kernel calls"* ]]
	[[ "$output" == *"mkns --pid --mount-proc -- pid1 -- sh"* ]]
	run pid1 --version
	[ "$status" -eq 0 ]
	[[ "$output" == "pid1 (boxstep) "* ]]
}

@test "usage errors exit 125 and run nothing" {
	run pid1 --kill-afterr 3 -- touch "$BATS_TEST_TMPDIR/ran"
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "pid1: unknown option '--kill-afterr'" ]
	[ "${lines[1]}" = "Try 'pid1 --help'." ]
	run pid1 --kill-after soon -- true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid number of seconds 'soon' for --kill-after"* ]]
	run pid1 --kill-after 1 --kill-after 2 -- true
	[ "$status" -eq 125 ]
	run pid1 --kill-after
	[ "$status" -eq 125 ]
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "as PID 1 inside the container, pid1 keeps no handle on the host's network namespace" {
	requires root
	run mkns --net --pid --mount --mount-proc -- pid1 -- sh -c 'ls /proc/1/fd'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tr '\n' ' ')" = "0 1 2 " ]
}
