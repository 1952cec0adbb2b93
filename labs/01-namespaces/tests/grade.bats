#!/usr/bin/env bats
# Grader for lab 01: labs/lab.sh grade 01 [--dir PATH] runs it with LAB_WORK set to
# the folder holding the learner's container.sh. Each check's points are in its
# name; every parameter is random, so a hard-coded answer fails. The script runs
# inside a fake host (new mount, UTS and network namespaces), so a wrong answer
# cannot rename the real machine.
#
# lab-requires: root mnt uts ipc pid net

load ../../../tests/helpers

bats_require_minimum_version 1.5.0

setup() {
	WORK=${LAB_WORK:-$BATS_TEST_DIRNAME/../work}
	SCRIPT=$WORK/container.sh
	if [ ! -x "$SCRIPT" ]; then
		echo "$SCRIPT is missing or not executable (chmod +x container.sh)"
		return 1
	fi
	NAME=box-$RANDOM
	# Every run is bounded: a script that hangs fails its check instead of the grade.
	LIMIT=20
}

# container NAME CMD...: the learner's script, in a fake host, with a time limit.
container() {
	fake_host timeout -s KILL "$LIMIT" "$SCRIPT" "$@"
}

# covers: C06
# hint: lessons/01-namespaces.md, section "Experiment: every process has eight namespaces"
@test "[20] the hostname inside is the one asked for" {
	run --separate-stderr container "$NAME" uname -n
	echo "container.sh $NAME uname -n: status $status, printed '$output'"
	[ -n "$stderr" ] && echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "$NAME" ]
}

# covers: C06
# hint: lessons/01-namespaces.md, section "Experiment: every process has eight namespaces"
@test "[10] the host's hostname is unchanged" {
	# shellcheck disable=SC2016
	run --separate-stderr fake_host sh -c \
		'before=$(uname -n); timeout -s KILL "$1" "$2" "$3" true >/dev/null 2>&1; echo "$before"; uname -n' \
		sh "$LIMIT" "$SCRIPT" "$NAME"
	echo "hostname of the host before and after container.sh $NAME true: ${lines[*]}"
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "${lines[1]}" ]
	[ "${lines[1]}" != "$NAME" ]
}

# covers: C05 C07
# hint: lessons/01-namespaces.md, section "The fix: fork once, on purpose"
@test "[15] the command runs as PID 1 inside" {
	# shellcheck disable=SC2016
	run --separate-stderr container "$NAME" sh -c 'echo "$$"'
	echo "container.sh $NAME sh -c 'echo \$\$': status $status, printed '$output'"
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

# covers: C07 C12
# hint: lessons/01-namespaces.md, section "The seed command and its boxstep equivalent"
@test "[15] ps inside sees only the container's processes" {
	run --separate-stderr container "$NAME" ps -e -o pid=,comm=
	echo "container.sh $NAME ps -e -o pid=,comm=: status $status, ${#lines[@]} processes"
	printf '  %s\n' "${lines[@]:0:5}"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 1 ]
	[ "${#lines[@]}" -le 3 ]
	# Only small PIDs: the container's own, not the host's.
	run awk '$1 > 9 || $2 == "kthreadd"' <<<"$output"
	[ -z "$output" ]
}

# covers: C04 C12 C16
# hint: lessons/01-namespaces.md, section "The model: eight types, three system calls"
@test "[25] new uts, pid, mount and ipc namespaces; the host's network" {
	local host=$BATS_TEST_TMPDIR/host.kv inside=$BATS_TEST_TMPDIR/inside.kv ns a b bad=0
	# With no CMD, the script runs cinfo --format kv; the fake host's view is the ref.
	# shellcheck disable=SC2016
	run --separate-stderr fake_host sh -c \
		'cinfo --format kv >"$1" && timeout -s KILL "$2" "$3" "$4" >"$5"' \
		sh "$host" "$LIMIT" "$SCRIPT" "$NAME" "$inside"
	echo "container.sh $NAME (no CMD): status $status"
	[ "$status" -eq 0 ]
	grep -q '^ns\.uts=' "$inside" || { echo "no ns.uts= line: with no CMD the script must run cinfo --format kv"; false; }
	for ns in uts pid mnt ipc net; do
		a=$(sed -n "s/^ns\\.$ns=//p" "$host")
		b=$(sed -n "s/^ns\\.$ns=//p" "$inside")
		echo "  ns.$ns host $a, inside $b"
		case $ns in
		net) [ "$a" = "$b" ] || { echo "  the network namespace must stay the host's"; bad=1; } ;;
		*) if [ -z "$a" ] || [ "$a" = "$b" ]; then echo "  the $ns namespace is the host's: it must be new"; bad=1; fi ;;
		esac
	done
	[ "$bad" = 0 ]
}

# covers: C05
# hint: lessons/01-namespaces.md, section "The fix: fork once, on purpose"
@test "[15] the exit status of the command comes back" {
	local code=$((RANDOM % 100 + 3))
	run --separate-stderr container "$NAME" sh -c "exit $code"
	echo "container.sh $NAME sh -c 'exit $code': status $status"
	[ "$status" -eq "$code" ]
}
