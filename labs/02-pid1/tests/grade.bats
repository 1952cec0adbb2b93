#!/usr/bin/env bats
# Grader for lab 02: labs/lab.sh grade 02 [--dir PATH] runs it with LAB_WORK set to
# the folder holding the learner's run.sh. Each check's points are in its name;
# counts, signals and exit statuses are random, so a hard-coded answer fails. The
# script runs inside a fake host (new mount, UTS and network namespaces).
#
# lab-requires: root mnt uts net pid

load ../../../tests/helpers

bats_require_minimum_version 1.5.0

setup() {
	WORK=${LAB_WORK:-$BATS_TEST_DIRNAME/../work}
	SCRIPT=$WORK/run.sh
	if [ ! -x "$SCRIPT" ]; then
		echo "$SCRIPT is missing or not executable (chmod +x run.sh)"
		return 1
	fi
	LIMIT=20
}

# run_sh PROGRAM...: the learner's script, in a fake host, with a time limit.
run_sh() {
	fake_host timeout -s KILL "$LIMIT" "$SCRIPT" "$@"
}

# signal_run SIG PROGRAM...: in a fake host, starts run.sh PROGRAM with its output
# on a pipe, waits for PROGRAM to print its first line ("ready"), sends SIG to
# run.sh's own process and reports "status N" and what PROGRAM printed. The whole
# exchange is bounded by 4 s: a signal that does nothing fails the check, fast.
# shellcheck disable=SC2016
SIGNAL_RUN='
	fifo=$1 sig=$2
	shift 2
	mkfifo "$fifo" || exit 1
	"$@" >"$fifo" &
	pid=$!
	exec 3<"$fifo"
	if ! IFS= read -r -t 3 line <&3; then
		echo "PROGRAM printed nothing: it did not start"
		exit 0
	fi
	echo "PROGRAM said: $line"
	kill -s "$sig" "$pid"
	echo "sent SIG$sig to run.sh"
	wait "$pid"
	echo "status $?"
	while IFS= read -r -t 1 line <&3; do echo "PROGRAM said: $line"; done
'
signal_run() {
	fake_host timeout -s KILL 4 bash -c "$SIGNAL_RUN" bash "$BATS_TEST_TMPDIR/out" "$1" "$SCRIPT" "${@:2}"
}

# covers: C08
# hint: lessons/02-pid-namespace.md, section "Break it: nobody reaps the orphans"
@test "[25] orphans left in the namespace are reaped" {
	local n=$((RANDOM % 26 + 5))
	run --separate-stderr run_sh orphans "$n"
	echo "run.sh orphans $n: status $status, printed '$output'"
	[ -n "$stderr" ] && echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "zombies: 0" ]
}

# covers: C08
# hint: lessons/02-pid-namespace.md, section "The fix: a real init"
@test "[20] a signal sent to run.sh reaches PROGRAM" {
	local sigs=(TERM HUP USR1 USR2) sig num
	sig=${sigs[RANDOM % 4]}
	num=$(kill -l "$sig")
	run --separate-stderr signal_run "$sig" sigwait
	printf '%s\n' "run.sh sigwait, then SIG$sig to run.sh:" "${lines[@]}"
	[[ " ${lines[*]} " == *" PROGRAM said: got SIG$sig "* ]]
	[[ " ${lines[*]} " == *" status $((128 + num)) "* ]]
}

# covers: C08
# hint: lessons/02-pid-namespace.md, section "Break it: PID 1 ignores SIGTERM"
@test "[20] SIGTERM to run.sh ends a PROGRAM with no handler: status 143" {
	# shellcheck disable=SC2016
	run --separate-stderr signal_run TERM sh -c 'echo ready; exec sleep 1000'
	printf '%s\n' "run.sh sh -c 'echo ready; exec sleep 1000', then SIGTERM to run.sh:" "${lines[@]}"
	[[ " ${lines[*]} " == *" status 143 "* ]] || {
		echo "(no \"status 143\" within 4 s: the SIGTERM did not end PROGRAM)"
		false
	}
}

# covers: C08
# hint: lessons/02-pid-namespace.md, section "The fix: a real init"
@test "[15] PROGRAM's exit status comes back" {
	local code=$((RANDOM % 100 + 3))
	run --separate-stderr run_sh sh -c "exit $code"
	echo "run.sh sh -c 'exit $code': status $status"
	[ "$status" -eq "$code" ]
}

# covers: C07 C08
# hint: lessons/02-pid-namespace.md, section "The fix: a real init"
@test "[20] PROGRAM is not PID 1: an init is, in a new pid namespace" {
	# shellcheck disable=SC2016
	run --separate-stderr fake_host sh -c \
		'readlink /proc/self/ns/pid; timeout -s KILL "$1" "$2" sh -c "echo \$\$ \$PPID; readlink /proc/self/ns/pid"' \
		sh "$LIMIT" "$SCRIPT"
	echo "outside: pid namespace ${lines[0]:-?}"
	echo "run.sh sh -c 'echo \$\$ \$PPID; readlink /proc/self/ns/pid': status $status, printed: ${lines[*]:1}"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	read -r pid ppid <<<"${lines[1]}"
	[ "$pid" != 1 ] || { echo "PROGRAM is PID 1"; false; }
	[ "$ppid" = 1 ] || { echo "PROGRAM's parent is PID $ppid, not PID 1"; false; }
	[ "${lines[2]}" != "${lines[0]}" ] || { echo "PROGRAM is in the host's pid namespace"; false; }
}
