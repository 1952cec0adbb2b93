#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # inner shells expand their own variables; bats sets $stderr
# pause: the pod's infra process. Reaps orphans as PID 1, ignores every signal but
# SIGINT and SIGTERM (exit 0), writes its pid for nsjoin.
bats_require_minimum_version 1.5.0
load helpers
load net-helpers

teardown() { net_teardown; }

# start_pause CMD...: runs CMD (ending in pause --pidfile FIFO) in the background
# with a FIFO as the pidfile; returns once pause wrote its pid there ($pid), with
# the background job's pid in $job.
start_pause() {
	mkfifo "$BATS_TEST_TMPDIR/pause.up"
	"$@" &
	job=$!
	echo "$job" >"$BATS_TEST_TMPDIR/job.pid"
	read -r pid <"$BATS_TEST_TMPDIR/pause.up"
}

@test "--help, --version; pause runs no program" {
	run pause --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Usage: pause [--pidfile FILE] [-v]" ]
	run pause --version
	[ "$output" = "pause (boxstep) 0.1.0" ]
	run pause sleep 1
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "pause: pause runs no program ('sleep'): it only holds the namespaces it is in" ]
	run pause --pidfile ''
	[ "$status" -eq 125 ]
}

# covers: C08 C49
@test "as PID 1 of a pid namespace, pause reaps orphaned zombies" {
	requires root
	# Without a reaper: the orphans probe is PID 1 itself and never waits for them.
	run mkns --pid --mount-proc -- orphans 5
	[ "$output" = "zombies: 5" ]
	start_pause mkns --pid -- pause --pidfile "$BATS_TEST_TMPDIR/pause.up"
	# A process joins pause's pid namespace and leaves 5 orphans there: they go to
	# PID 1, pause, which reaps them. (Its own /proc, mounted inside, numbers them.)
	run nsjoin --target "$pid" --pid -- mkns --mount -- sh -c 'mount -t proc proc /proc && exec orphans 5'
	echo "$output"
	[ "$output" = "zombies: 0" ]
	kill -TERM "$pid"
	st=0
	wait "$job" || st=$?
	[ "$st" -eq 0 ]
}

@test "SIGINT and SIGTERM end pause with status 0; every other signal is ignored" {
	requires root
	for stop in TERM INT; do
		rm -f "$BATS_TEST_TMPDIR/pause.up"
		start_pause pause --pidfile "$BATS_TEST_TMPDIR/pause.up"
		[ "$pid" = "$job" ]
		for sig in HUP QUIT USR1 USR2 ALRM PIPE CHLD CONT WINCH; do
			kill -"$sig" "$pid"
		done
		kill -"$stop" "$pid"
		st=0
		wait "$job" || st=$?
		echo "SIG$stop: status $st"
		[ "$st" -eq 0 ] # not 129 (HUP), 131 (QUIT), 138 (USR1), ...
	done
}

@test "as PID 1 too: SIGTERM from outside ends pause, other signals do not" {
	requires root
	start_pause mkns --pid -- pause --pidfile "$BATS_TEST_TMPDIR/pause.up"
	[ "$pid" != "$job" ]
	for sig in HUP USR1 USR2; do
		kill -"$sig" "$pid"
	done
	kill -TERM "$pid"
	st=0
	wait "$job" || st=$?
	[ "$st" -eq 0 ]
}

@test "--pidfile: written whole, usable by nsjoin --target, removed on exit" {
	requires root
	file=$BATS_TEST_TMPDIR/pod.pid
	mkfifo "$BATS_TEST_TMPDIR/trace"
	# pause's trace (-v), read on a FIFO, says when the file is in place.
	mkns --uts --hostname inpod -- pause -v --pidfile "$file" 2>"$BATS_TEST_TMPDIR/trace" &
	job=$!
	echo "$job" >"$BATS_TEST_TMPDIR/job.pid"
	while read -r line; do
		[[ "$line" == "pause: rename("* ]] && break
	done <"$BATS_TEST_TMPDIR/trace"
	echo "$line"
	[ "$line" = "pause: rename(\"$file.tmp\", \"$file\") = 0" ]
	[ "$(cat "$file")" = "$job" ]
	[ ! -e "$file.tmp" ]
	run nsjoin --target "$file" --uts -- hostname
	[ "$output" = inpod ]
	kill -TERM "$job"
	wait "$job"
	[ ! -e "$file" ]
}
