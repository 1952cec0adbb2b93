#!/usr/bin/env bats
# Grader for lab 09: labs/lab.sh grade 09 [--dir PATH] runs it with LAB_WORK set to
# the folder holding the learner's container.sh. Each check's points are in its
# name; markers, secrets and exit statuses are random, so a hard-coded answer fails.
# The script runs inside a fake host (new mount, UTS and network namespaces), so a
# wrong answer cannot touch the real machine's mounts.
#
# lab-requires: root mnt pid busybox

load ../../../tests/helpers

bats_require_minimum_version 1.5.0

# One busybox root for the whole file, with the escape probe in its /bin.
setup_file() {
	leak_snapshot
	ROOT=$BATS_FILE_TMPDIR/root
	mkrootfs "$ROOT" >/dev/null
	cp "$BOXSTEP_ROOT/build/probes/chroot-escape" "$ROOT/bin/"
}

setup() {
	WORK=${LAB_WORK:-$BATS_TEST_DIRNAME/../work}
	SCRIPT=$WORK/container.sh
	if [ ! -x "$SCRIPT" ]; then
		echo "$SCRIPT is missing or not executable (chmod +x container.sh)"
		return 1
	fi
	ROOT=$BATS_FILE_TMPDIR/root
	LIMIT=20
}

# container CMD...: the learner's script on ROOT, in a fake host, with a time limit.
container() {
	fake_host timeout -s KILL "$LIMIT" "$SCRIPT" "$ROOT" "$@"
}

# covers: C10
# hint: lessons/09-root-filesystems.md, section "Experiment: a root filesystem is a directory"
@test "[20] the command sees ROOT as its / and no host path" {
	local marker=marker-$RANDOM secret=$BATS_TEST_TMPDIR/host-$RANDOM
	echo "$marker" >"$ROOT/marker"
	echo host >"$secret"
	# shellcheck disable=SC2016 # expanded by the inner shell
	run --separate-stderr container sh -c 'cat /marker; test -e "$1" && echo "host path visible" || echo hidden' sh "$secret"
	echo "container.sh ROOT sh -c 'cat /marker; test -e $secret ...': status $status, printed: ${lines[*]}"
	[ -n "$stderr" ] && echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$marker" ]
	[ "${lines[1]}" = hidden ]
}

# covers: C07 C10
# hint: lessons/09-root-filesystems.md, section "What pivot mounts, and why"
@test "[20] the command is PID 1, with a /proc inside ROOT that shows only the container" {
	# shellcheck disable=SC2016
	run --separate-stderr container sh -c 'echo "$$"; cat /proc/1/comm; ls /proc | grep -c "^[0-9][0-9]*$"'
	echo "container.sh ROOT sh -c 'echo \$\$; cat /proc/1/comm; count /proc's PIDs': status $status, printed: ${lines[*]}"
	[ -n "$stderr" ] && echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = sh ] || { echo "/proc/1 is not the container's PID 1: is a new /proc mounted inside ROOT?"; false; }
	[ "${lines[2]}" -le 5 ]
}

# covers: C11
# hint: lessons/09-root-filesystems.md, section "A naive attempt: chroot"
@test "[25] a root process inside cannot escape to the host (the chroot breakout fails)" {
	local secret=$BATS_TEST_TMPDIR/secret-$RANDOM
	echo "host secret $RANDOM" >"$secret"
	run --separate-stderr container chroot-escape "$secret"
	echo "container.sh ROOT chroot-escape $secret: status $status"
	printf '  %s\n' "${lines[@]}"
	[ "$status" -eq 1 ]
	[[ "${lines[-1]}" == "chroot-escape: still inside: "* ]]
}

# covers: C09 C11
# hint: lessons/09-root-filesystems.md, section "The fix: pivot_root, the way runc does it"
@test "[20] the container's mount table holds no host mount; the host's does not change" {
	local out=$BATS_TEST_TMPDIR/mounts
	# shellcheck disable=SC2016
	run --separate-stderr fake_host sh -c '
		awk "{print \$5}" /proc/self/mountinfo | sort > "$1.before"
		timeout -s KILL "$2" "$3" "$4" sh -c "cat /proc/self/mountinfo" > "$1.inside"
		echo "status $?"
		awk "{print \$5}" /proc/self/mountinfo | sort > "$1.after"' sh "$out" "$LIMIT" "$SCRIPT" "$ROOT"
	echo "container.sh ROOT cat /proc/self/mountinfo: ${lines[*]}"
	[ "${lines[-1]}" = "status 0" ]
	[ -s "$out.inside" ] || { echo "no /proc/self/mountinfo inside: is a /proc mounted inside ROOT?"; false; }
	host=$(awk '{print $5}' "$out.inside" | grep -E '^/(sys/fs/cgroup|tmp|work|home|mnt|run|boot)(/|$)' || true)
	[ -z "$host" ] || { echo "host mounts visible inside:"; echo "$host" | head -5; false; }
	diff "$out.before" "$out.after" || { echo "the host's mount table changed"; false; }
}

# covers: C10
# hint: lessons/09-root-filesystems.md, section "The fix: pivot_root, the way runc does it"
@test "[15] the exit status of the command comes back" {
	local code=$((RANDOM % 100 + 3))
	run --separate-stderr container sh -c "exit $code"
	echo "container.sh ROOT sh -c 'exit $code': status $status"
	[ "$status" -eq "$code" ]
}
