#!/usr/bin/env bats
# The labs machinery: every grader scores 100% on its lab's solution/ and less on
# its starter/, both graded from temporary copies (never a learner's work/);
# labs/lab.sh start copies the starter and will not overwrite edits; each grader
# declares its points, hints and concepts.

load helpers

bats_require_minimum_version 1.5.0

LAB_SH=$BOXSTEP_ROOT/labs/lab.sh

labs() {
	local d
	for d in "$BOXSTEP_ROOT"/labs/[0-9][0-9]-*/; do
		basename "$d"
	done
}

# grade_copy LAB FROM: grades a temporary copy of labs/LAB/FROM (starter or solution).
grade_copy() {
	local lab=$1 from=$2 dir
	dir=$(mktemp -d "$BATS_TEST_TMPDIR/$from.XXXXXX")
	cp -R "$BOXSTEP_ROOT/labs/$lab/$from/." "$dir/"
	run --separate-stderr "$LAB_SH" grade "${lab%%-*}" --dir "$dir"
	echo "$output"
	[ -n "$stderr" ] && echo "stderr: $stderr"
	[ "$status" != 77 ] || skip "this host cannot run lab $lab"
}

# full_score: the grade run just made scored 100%: exit 0, no failed check.
full_score() {
	[ "$status" -eq 0 ]
	[[ "$output" == *"Score: 100/100"* ]]
	[[ "${lines[-1]}" =~ ^[0-9]+\ passed,\ 0\ failed$ ]]
	[[ "$output" != *FAIL* ]]
}

# partial_score: it did not reach 100%, and its last line counts the failures.
partial_score() {
	[[ "$output" != *"Score: 100/100"* ]]
	[[ "${lines[-1]}" =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
}

@test "each lab has a task, a starter, a solution and a grader worth 100 points" {
	local lab d f n total
	[ -n "$(labs)" ]
	for lab in $(labs); do
		d=$BOXSTEP_ROOT/labs/$lab
		[ -f "$d/README.md" ] || { echo "$lab: no README.md"; false; }
		[ -n "$(ls "$d/starter")" ] || { echo "$lab: empty starter/"; false; }
		[ -n "$(ls "$d/solution")" ] || { echo "$lab: empty solution/"; false; }
		grep -rq 'TODO' "$d/starter" || { echo "$lab: the starter has no TODO"; false; }
		for f in "$d"/tests/*.bats; do
			grep -q '^# lab-requires: ' "$f" || { echo "$f: no lab-requires line"; false; }
			grep -q 'load \.\./\.\./\.\./tests/helpers' "$f" || { echo "$f: does not load tests/helpers"; false; }
		done
		n=$(cat "$d"/tests/*.bats | grep -c '^@test ')
		total=$(cat "$d"/tests/*.bats | sed -n 's/^@test "\[\([0-9]*\)\].*/\1/p' | awk '{ t += $1 } END { print t + 0 }')
		echo "$lab: $n checks, $total points"
		[ "$n" -ge 4 ] && [ "$n" -le 6 ]
		[ "$total" = 100 ]
		[ "$(cat "$d"/tests/*.bats | grep -c '^@test "\[[0-9]*\] ')" = "$n" ]
	done
}

@test "every check names its concepts and a hint that points at a lesson section" {
	local lab f missing
	for lab in $(labs); do
		for f in "$BOXSTEP_ROOT/labs/$lab"/tests/*.bats; do
			# The two comment lines just above each @test.
			missing=$(awk '
				/^@test / { if (!cov || !hint) print FILENAME ": " $0; cov = hint = 0; next }
				/^# covers: C[0-9][0-9]/ { cov = 1; next }
				/^# hint: lessons\/[0-9][0-9]-[a-z0-9-]*\.md, section ".+"$/ { hint = 1; next }
				/^[^#]/ { cov = hint = 0 }' "$f")
			[ -z "$missing" ] || { echo "no covers/hint line for: $missing"; false; }
		done
	done
}

@test "the hints name lesson sections that exist" {
	local line file section checked=0
	while IFS= read -r line; do
		file=${line%%, section *}
		section=${line#*, section \"}
		section=${section%\"}
		[ -f "$BOXSTEP_ROOT/$file" ] || { echo "no lesson $file"; false; }
		awk -v s="$section" '/^#+ / { sub(/^#+ +/, ""); sub(/ +$/, ""); if ($0 == s) found = 1 }
			END { exit !found }' "$BOXSTEP_ROOT/$file" || {
			echo "$file has no section \"$section\""
			false
		}
		checked=$((checked + 1))
	done < <(sed -n 's/^# hint: //p' "$BOXSTEP_ROOT"/labs/*/tests/*.bats | sort -u)
	[ "$checked" -gt 0 ]
}

@test "starter and solution scripts pass shellcheck" {
	command -v shellcheck >/dev/null || skip "requires shellcheck"
	local files
	files=$(find "$BOXSTEP_ROOT"/labs -path '*/work' -prune -o \
		\( -path '*/starter/*' -o -path '*/solution/*' -o -name '*.bats' -o -name lab.sh \) -type f -print)
	[ -n "$files" ]
	# shellcheck disable=SC2086
	run shellcheck -x $files
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "lab 01: the solution scores 100%" {
	requires root
	grade_copy 01-namespaces solution
	full_score
}

@test "lab 01: the starter runs but does not pass" {
	requires root
	grade_copy 01-namespaces starter
	[ "$status" -eq 1 ]
	[[ "$output" == *PASS* ]]
	[[ "$output" == *"FAIL ["*"-> hint: see lessons/01-"* ]]
	[[ "$output" =~ Score:\ [0-9]+/100 ]]
	partial_score
}

@test "lab 01: a hard-coded hostname does not pass" {
	requires root
	local dir=$BATS_TEST_TMPDIR/cheat
	mkdir "$dir"
	# shellcheck disable=SC2016
	sed 's/--hostname "\$name"/--hostname box/' "$BOXSTEP_ROOT/labs/01-namespaces/solution/container.sh" >"$dir/container.sh"
	chmod +x "$dir/container.sh"
	grep -q -- '--hostname box ' "$dir/container.sh"
	run --separate-stderr "$LAB_SH" grade 01 --dir "$dir"
	echo "$output"
	[ "$status" -ne 77 ] || skip "this host cannot run lab 01"
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL [20] the hostname inside is the one asked for"* ]]
}

@test "lab 02: the solution scores 100%" {
	requires root
	grade_copy 02-pid1 solution
	full_score
}

@test "lab 02: the starter runs but does not pass" {
	requires root
	grade_copy 02-pid1 starter
	[ "$status" -eq 1 ]
	[[ "$output" == *PASS* ]]
	[[ "$output" == *"FAIL [25] orphans left in the namespace are reaped -> hint: see lessons/02-"* ]]
	partial_score
}

@test "lab 07: the solution scores 100%" {
	requires root
	grade_copy 07-limits solution
	full_score
}

@test "lab 07: the starter runs but does not pass: no limit, the hog completes, the sleep stays" {
	requires root
	grade_copy 07-limits starter
	[ "$status" -eq 1 ]
	[[ "$output" == *PASS* ]]
	[[ "$output" == *"FAIL [25] a hog at 1.5x the limit exits 137 while a sentinel outside lives -> hint: see lessons/07-"* ]]
	[[ "$output" == *"FAIL [10] no process and no cgroup is left behind -> hint: see lessons/06-"* ]]
	partial_score
}

@test "lab 09: the solution scores 100%" {
	requires root busybox
	grade_copy 09-pivot solution
	full_score
}

@test "lab 09: the starter (chroot) runs but does not pass: the breakout gets out" {
	requires root busybox
	grade_copy 09-pivot starter
	[ "$status" -eq 1 ]
	[[ "$output" == *PASS* ]]
	[[ "$output" == *"FAIL [25] a root process inside cannot escape to the host (the chroot breakout fails) -> hint: see lessons/09-"* ]]
	[[ "${lines[-1]}" =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
}

@test "lab 10: the solution scores 100%" {
	requires root busybox
	grade_copy 10-layers solution
	full_score
}

@test "lab 10: the starter runs but does not pass: it writes into the image" {
	requires root busybox
	grade_copy 10-layers starter
	[ "$status" -eq 1 ]
	[[ "$output" == *"PASS [10] the app runs"* ]]
	[[ "$output" == *"FAIL [20] the layers are unchanged after a run that writes and deletes -> hint: see lessons/10-"* ]]
	[[ "${lines[-1]}" =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
}

@test "lab 11: the solution scores 100%" {
	requires root busybox
	grade_copy 11-least-privilege solution
	full_score
}

@test "lab 11: the starter runs but does not pass: it serves, as root with every capability" {
	requires root busybox
	grade_copy 11-least-privilege starter
	[ "$status" -eq 1 ]
	[[ "$output" == *"PASS [25] the web server serves on port 80"* ]]
	[[ "$output" == *"FAIL [25] PROGRAM runs as uid 1000 with net_bind_service and no other capability -> hint: see lessons/11-"* ]]
	[[ "$output" == *"FAIL [15] no way around: an i386 call is killed, raw sockets are refused -> hint: see lessons/12-"* ]]
	[[ "${lines[-1]}" =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
}

@test "lab 14: the solution scores 100%" {
	requires root busybox
	grade_copy 14-two-containers solution
	full_score
}

@test "lab 14: the starter runs but does not pass: no network" {
	requires root busybox
	grade_copy 14-two-containers starter
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL [25] two containers ping each other across the bridge -> hint: see lessons/14-"* ]]
	partial_score
}

@test "lab 15: the solution scores 100%" {
	requires root busybox
	grade_copy 15-pod solution
	full_score
}

@test "lab 15: the starter runs but does not pass: no shared namespaces" {
	requires root busybox
	grade_copy 15-pod starter
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL [25] two containers of the pod talk over 127.0.0.1 -> hint: see lessons/15-"* ]]
	partial_score
}

@test "lab 17: the solution scores 100%" {
	requires root busybox
	grade_copy 17-image solution
	full_score
}

@test "lab 17: the starter runs but does not pass" {
	requires root busybox
	grade_copy 17-image starter
	[ "$status" -eq 1 ]
	partial_score
}

@test "grade --tap prints TAP for autograders" {
	requires root
	local dir=$BATS_TEST_TMPDIR/tap
	cp -R "$BOXSTEP_ROOT/labs/02-pid1/solution" "$dir"
	run --separate-stderr "$LAB_SH" grade 02 --dir "$dir" --tap
	echo "$output"
	[ "$status" -ne 77 ] || skip "this host cannot run lab 02"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1..5" ]
	[ "$(grep -c '^ok [0-9]* \[[0-9]*\] ' <<<"$output")" = 5 ]
	[[ "$stderr" == *"Host check"* ]]
}

@test "grading a folder without the script fails every check, with a score of 0" {
	requires root
	mkdir "$BATS_TEST_TMPDIR/empty"
	run --separate-stderr "$LAB_SH" grade 01 --dir "$BATS_TEST_TMPDIR/empty"
	echo "$output"
	[ "$status" -ne 77 ] || skip "this host cannot run lab 01"
	[ "$status" -eq 1 ]
	[[ "$output" == *"Score: 0/100"* ]]
	[[ "$output" == *"container.sh is missing or not executable"* ]]
	[ "${lines[-1]}" = "0 passed, 6 failed" ]
}

@test "start copies the starter, then refuses to overwrite it unless forced" {
	local dir=$BATS_TEST_TMPDIR/work
	run "$LAB_SH" start 1 --dir "$dir"
	echo "$output"
	[ "$status" -eq 0 ]
	cmp "$dir/container.sh" "$BOXSTEP_ROOT/labs/01-namespaces/starter/container.sh"
	[ -x "$dir/container.sh" ]
	echo "# my edit" >>"$dir/container.sh"

	run "$LAB_SH" start 01 --dir "$dir"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"already exists"* ]]
	grep -q '^# my edit$' "$dir/container.sh"

	FORCE=1 run "$LAB_SH" start 01 --dir "$dir"
	[ "$status" -eq 0 ]
	cmp "$dir/container.sh" "$BOXSTEP_ROOT/labs/01-namespaces/starter/container.sh"
}

@test "lab.sh refuses an unknown lab and bad usage with status 2" {
	run "$LAB_SH" start 99 --dir "$BATS_TEST_TMPDIR/x"
	[ "$status" -eq 2 ]
	[[ "$output" == *"there is no lab 99"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/x" ]
	run "$LAB_SH" grade
	[ "$status" -eq 2 ]
	[[ "$output" == *usage:* ]]
	run "$LAB_SH" grade 01 --bogus
	[ "$status" -eq 2 ]
	run "$LAB_SH" list
	[ "$status" -eq 0 ]
	[[ "$output" == *01-namespaces* ]]
	[[ "$output" == *02-pid1* ]]
}

@test "a host that lacks what a lab needs is reported, not graded (77)" {
	# A copy of lab.sh and lab 02 next to a boxstep-doctor that finds no pid namespace.
	local tree=$BATS_TEST_TMPDIR/tree
	mkdir -p "$tree/labs" "$tree/bin" "$tree/work"
	cp "$LAB_SH" "$tree/labs/"
	cp -R "$BOXSTEP_ROOT/labs/02-pid1" "$tree/labs/"
	cat >"$tree/bin/boxstep-doctor" <<'DOCTOR'
#!/bin/sh
echo "boxstep-doctor: missing: pid (a stand-in doctor)" >&2
exit 1
DOCTOR
	chmod +x "$tree/bin/boxstep-doctor"
	run --separate-stderr "$tree/labs/lab.sh" grade 02 --dir "$tree/work"
	echo "$output"
	[ "$status" -eq 77 ]
	[[ "$output" == *"needs: mnt net pid root uts"* ]]
	[[ "$output" == *"missing: pid (a stand-in doctor)"* ]]
	[[ "$output" == *"Not graded"* ]]
	[[ "$output" != *Score* ]]
	run --separate-stderr "$tree/labs/lab.sh" grade 02 --dir "$tree/work" --tap
	[ "$status" -eq 77 ]
	[[ "$output" == "1..0 # skip"* ]]
}
