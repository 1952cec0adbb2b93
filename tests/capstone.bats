#!/usr/bin/env bats
# The capstone lab (labs/16-capstone) and the teachers' targets: make grade-all
# grades every lab's solution, make student-pack writes the students' copy without
# solutions and hidden checks. Graded copies live in the test's directory; a
# learner's work/ is never touched.
bats_require_minimum_version 1.5.0
load helpers

LAB_SH=$BOXSTEP_ROOT/labs/lab.sh

# grade SCRIPT-DIR [LAB_SH]: grades a folder holding a container.sh as lab 16.
grade() {
	run --separate-stderr "${2:-$LAB_SH}" grade 16 --dir "$1"
	echo "$output"
	[ -n "$stderr" ] && echo "stderr: $stderr"
	[ "$status" != 77 ] || skip "this host cannot run lab 16"
}

# copy_of starter|solution: a temporary copy of the lab's script folder.
copy_of() {
	local dir
	dir=$(mktemp -d "$BATS_TEST_TMPDIR/$1.XXXXXX")
	cp -R "$BOXSTEP_ROOT/labs/16-capstone/$1/." "$dir/"
	echo "$dir"
}

# covers: C53 C22 C38 C40
@test "lab 16: the solution scores 100%, hidden check included" {
	requires root busybox
	grade "$(copy_of solution)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Score: 100/100"* ]]
	[[ "$output" == *"PASS [10] two containers at once on box0"* ]]
	[ "${lines[-1]}" = "6 passed, 0 failed" ]
}

@test "lab 16: the starter runs but does not pass" {
	requires root busybox
	grade "$(copy_of starter)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"PASS [10] the host is unchanged afterwards"* ]]
	[[ "$output" == *"FAIL [20] the web server answers on ADDR, through a veth on the bridge box0 -> hint: see lessons/16-"* ]]
	[[ "$output" == *"FAIL [25] least privilege"* ]]
	[[ "${lines[-1]}" =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
}

@test "lab 16: hard-coded limits fail; a script that calls boxrun is refused" {
	requires root busybox
	local dir
	dir=$(copy_of solution)
	# shellcheck disable=SC2016 # the patterns are the script's own text
	sed -i 's/--memory "$memory" --cpus "$cpus" --pids "$pids"/--memory 48m --cpus 0.5 --pids 32/' "$dir/container.sh"
	grep -q -- '--memory 48m' "$dir/container.sh"
	grade "$dir"
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL [25] the limits hold"* ]]
	# shellcheck disable=SC2016 # the script's own "$1"
	printf '#!/bin/sh\nexec boxrun --rootfs "$1" -- true\n' >"$dir/container.sh"
	grade "$dir"
	[ "$status" -eq 1 ]
	[[ "$output" == *"calls boxrun: this lab asks for the chain written by hand"* ]]
	[[ "$output" == *"Score: 0/100"* ]]
}

@test "make grade-all: every lab's solution graded, one line each, and the total" {
	requires root busybox
	run make -s -C "$BOXSTEP_ROOT" grade-all LABS="16"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"PASS lab 16-capstone: Score: 100/100"* ]]
	[ "${lines[-1]}" = "1 labs at 100%, 0 failed, 0 skipped" ]
}

@test "make student-pack: starters and visible graders, no solution, no hidden check; it grades" {
	requires root busybox
	local pack=$BATS_TEST_TMPDIR/pack
	run make -s -C "$BOXSTEP_ROOT" student-pack PACK="$pack"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -f "$pack.tar.gz" ]
	[ -x "$pack/labs/16-capstone/starter/container.sh" ]
	[ -f "$pack/labs/16-capstone/tests/grade.bats" ]
	[ -f "$pack/lessons/16-the-whole-container.md" ]
	[ -z "$(find "$pack" -name solution -o -name 'hidden*.bats' -o -name work)" ]
	[ "$(tar -tzf "$pack.tar.gz" | grep -c -e /solution/ -e /hidden)" -eq 0 ]
	# The pack's own lab.sh grades with the visible checks only (its tools: ours).
	ln -s "$BOXSTEP_ROOT/bin" "$pack/bin"
	mkdir -p "$pack/build"
	ln -s "$BOXSTEP_ROOT/build/probes" "$pack/build/probes"
	grade "$(copy_of solution)" "$pack/labs/lab.sh"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Score: 90/90"* ]]
	[ "${lines[-1]}" = "5 passed, 0 failed" ]
}
