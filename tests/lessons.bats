#!/usr/bin/env bats
# The lessons: every ```sh block of lessons/NN-*.md runs, in order, in one shell
# inside a fake host (new mount, UTS and network namespaces), and prints what the
# ```output block after it says (tests/lesson-run.sh; the marks are in
# lessons/README.md). One test per lesson; a lesson that rots fails here, naming the
# block, its line, and expected vs actual. Then the runner's own checks.
bats_require_minimum_version 1.5.0
load helpers

RUNNER=$BOXSTEP_ROOT/tests/lesson-run.sh

# Each test gets a fresh working directory any user can traverse (lesson 05 runs
# tools as nobody from there; bats' own temporary directories are 0700).
setup() {
	LESSON_WORK=$(mktemp -d /tmp/boxstep-lesson.XXXXXX)
	chmod 755 "$LESSON_WORK"
}

# Mounts a lesson leaves in its directory die with the fake host before this runs.
teardown() {
	rm -rf "$LESSON_WORK"
}

# in_fake_host LESSON.md: runs one lesson file the way every lesson is run.
in_fake_host() {
	fake_host "$RUNNER" --in-fake-host --workdir "$LESSON_WORK" "$1"
}

# run_lesson NN: runs lessons/NN-*.md; fails with the runner's report.
run_lesson() {
	local f
	for f in "$BOXSTEP_ROOT"/lessons/"$1"-*.md; do
		[ -e "$f" ] || { echo "no lessons/$1-*.md"; return 1; }
		in_fake_host "$f"
	done
}

# covers: C01 C02 C03
@test "lesson 00: setup, containers vs VMs, reading trace output" {
	requires root
	run_lesson 00
}

# covers: C04 C05 C06 C12
@test "lesson 01: new namespaces, UTS, handles, the seed command" {
	requires root
	run_lesson 01
}

# covers: C07 C08
@test "lesson 02: the PID namespace and the duties of PID 1" {
	requires root
	run_lesson 02
}

# covers: C09
@test "lesson 03: the mount namespace and propagation" {
	requires root
	run_lesson 03
}

# covers: C16 C17 C18
@test "lesson 04: IPC, time and cgroup namespaces" {
	requires root timens
	run_lesson 04
}

# covers: C19 C20 C21
@test "lesson 05: user namespaces" {
	requires root userns newuidmap
	run_lesson 05
}

# covers: C22 C23 C24 C25 C31
@test "lesson 06: cgroups, v1 vs v2, the hierarchy, pids" {
	requires root
	run_lesson 06
}

# covers: C26 C27 C28 C29
@test "lesson 07: memory limits, the OOM killer made loud, PSI" {
	requires root
	run_lesson 07
}

# covers: C29 C30
@test "lesson 08: CPU limits and throttling" {
	requires root
	run_lesson 08
}

# covers: C10 C11
@test "lesson 09: root filesystems, chroot vs pivot_root, the escape" {
	requires root busybox
	run_lesson 09
}

# covers: C32 C33 C34 C35 C36
@test "lesson 10: images as layers, OverlayFS, copy-on-write, whiteouts" {
	requires root busybox
	run_lesson 10
}

# covers: C40 C41 C42 C43
@test "lesson 11: capabilities and no_new_privs" {
	requires root
	run_lesson 11
}

# covers: C38 C39
@test "lesson 12: seccomp, BPF on every syscall" {
	requires root
	run_lesson 12
}

# covers: C44 C45 C46 C47
@test "lesson 13: --privileged, masks, escapes and hardening" {
	requires root busybox
	run_lesson 13
}

# covers: C13 C14 C15
@test "lesson 14: network namespaces, veth pairs, bridges, NAT" {
	requires root busybox
	command -v nft >/dev/null || skip "requires nft (make deps installs nftables)"
	run_lesson 14
}

# covers: C48 C49
@test "lesson 15: entering namespaces, pods and the pause process" {
	requires root busybox
	run_lesson 15
}

# covers: C03 C44 C46 C50 C52 C53 C54
@test "lesson 16: the whole container, from docker run to the kernel" {
	requires root busybox
	command -v nft >/dev/null || skip "requires nft (make deps installs nftables)"
	run_lesson 16
}

# covers: C37 C51 C55
@test "lesson 17: OCI images, digests, manifests, pinning" {
	requires root busybox
	command -v skopeo >/dev/null || skip "requires skopeo (make deps)"
	run_lesson 17
}

# covers: C50 C53
@test "lesson 18: OCI bundles, config.json next to runc" {
	requires root busybox
	command -v runc >/dev/null || skip "requires runc (make deps)"
	run_lesson 18
}

@test "every lesson has a test in this file" {
	local f nn missing=""
	for f in "$BOXSTEP_ROOT"/lessons/[0-9][0-9]-*.md; do
		nn=$(basename "$f")
		nn=${nn%%-*}
		grep -q "^@test \"lesson $nn: " "$BATS_TEST_FILENAME" || missing="$missing $nn"
	done
	[ -z "$missing" ] || {
		echo "lessons without a test in lessons.bats:$missing"
		false
	}
}

@test "every lesson parses: known marks, output blocks after sh blocks, fences closed" {
	local f
	for f in "$BOXSTEP_ROOT"/lessons/[0-9][0-9]-*.md; do
		"$RUNNER" --list "$f" >/dev/null
	done
}

# The runner itself, on small lessons written here.
lesson() { # lesson NAME: the lesson text on stdin, its path on stdout
	cat >"$BATS_TEST_TMPDIR/$1.md"
	echo "$BATS_TEST_TMPDIR/$1.md"
}

@test "runner: blocks share one shell; placeholders match what changes" {
	requires root
	f=$(lesson ok <<'EOF'
# ok
```sh
cd /proc
n=41
```
Some prose.
```sh
echo "$((n + 1)) $(pwd)"; readlink /proc/self/ns/uts
printf 'x  *[y]?\n'
echo one; echo two; echo three; echo last
```
```output
<n> /proc
uts:[<inode>]
x  *[y]?
one
<...>
last
```
```sh fails
echo "refused" >&2; false
```
```output
refused
```
```sh norun
exit 3
```
EOF
)
	run in_fake_host "$f"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$f: 3 blocks ok" ]
}

@test "runner: a wrong output names the block, its line, expected and actual" {
	requires root
	f=$(lesson wrong <<'EOF'
# wrong
```sh
true
```
```sh
echo "box"
```
```output
host
```
EOF
)
	run in_fake_host "$f"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$f: block 2 (line 5): output differs (exit status 0)" ]
	[[ "$output" == *"--- expected:"*"host"*"--- actual:"*"box"* ]]
}

@test "runner: a failing command in a sh block fails, even when not last" {
	requires root
	f=$(lesson midfail <<'EOF'
```sh
echo before
false
echo after
```
EOF
)
	run in_fake_host "$f"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$f: block 1 (line 1): a command failed (exit status 1), every command of a sh block must succeed" ]
	[ "${lines[-2]}" = "--- its output:" ]
	[ "${lines[-1]}" = "    before" ]
}

@test "runner: a 'fails' block that succeeds fails the lesson" {
	requires root
	f=$(lesson notfailing <<'EOF'
```sh fails
true
```
EOF
)
	run in_fake_host "$f"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$f: block 1 (line 1): marked 'fails' but exited 0" ]
}

@test "runner: malformed lessons are refused with status 2" {
	f=$(lesson badmark <<'EOF'
```sh sometimes
true
```
EOF
)
	run "$RUNNER" --list "$f"
	[ "$status" -eq 2 ]
	[ "$output" = "$f:1: unknown mark 'sometimes' (sh, sh fails, sh norun)" ]
	f=$(lesson orphanoutput <<'EOF'
Text.
```output
x
```
EOF
)
	run "$RUNNER" --list "$f"
	[ "$status" -eq 2 ]
	[ "$output" = "$f:2: an output block must follow a sh block" ]
	f=$(lesson unclosed <<'EOF'
```sh
true
EOF
)
	run "$RUNNER" --list "$f"
	[ "$status" -eq 2 ]
	[ "$output" = "$f:2: block opened at line 1 is never closed" ]
}

@test "runner: a lesson that hangs is stopped by LESSON_TIMEOUT" {
	requires root
	f=$(lesson hang <<'EOF'
```sh
sleep 30
```
EOF
)
	LESSON_TIMEOUT=1 run in_fake_host "$f"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$f: block 1 (line 1): timed out after 1s" ]
}
