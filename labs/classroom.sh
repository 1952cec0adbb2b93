#!/bin/bash
# classroom.sh: the labs, for teachers (make grade-all, make student-pack).
#
#   labs/classroom.sh grade-all [NN...]     grade a temporary copy of every lab's
#                                           solution/ (or of labs NN...): each must
#                                           score 100% (the proof a grader works)
#   labs/classroom.sh student-pack [DIR]    write the students' copy of the course in
#                                           DIR (default build/student-pack) and
#                                           DIR.tar.gz: sources, lessons, the labs'
#                                           tasks, starters and visible graders; no
#                                           solution/, no hidden checks
#
# A hidden check is a grader file named tests/hidden*.bats: make grade runs it, the
# student pack leaves it out, so the learner's score is out of the visible points.
# Graders draw their parameters (hostnames, limits, subnets) at random, so a copy
# of a hidden check's answer would not pass either.
#
# Exit status of grade-all: 0 when every lab graded scores 100% (labs this host
# cannot run are skipped and said so), 1 otherwise, 2 on bad usage.
set -u

LABS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$LABS")

usage() {
	echo "usage: labs/classroom.sh grade-all [NN...] | student-pack [DIR]" >&2
	exit 2
}

cmd_grade_all() {
	local d lab nn tmp out rc line passed=0 failed=0 skipped=0 want
	want=" $* "
	for d in "$LABS"/[0-9][0-9]-*/; do
		lab=$(basename "$d")
		nn=${lab%%-*}
		[ $# -eq 0 ] || [[ $want == *" $nn "* ]] || [[ $want == *" $((10#$nn)) "* ]] || continue
		tmp=$(mktemp -d /tmp/boxstep-grade-all.XXXXXX)
		cp -R "$d/solution/." "$tmp/"
		out=$("$LABS/lab.sh" grade "$nn" --dir "$tmp" 2>&1)
		rc=$?
		rm -rf "$tmp"
		case $rc in
		0)
			echo "PASS lab $lab: $(grep '^Score: ' <<<"$out")"
			passed=$((passed + 1))
			;;
		77)
			echo "SKIP lab $lab: this host cannot run it ($(grep -m1 'Host check: ' <<<"$out" | sed 's/^Host check: //'))"
			skipped=$((skipped + 1))
			;;
		*)
			echo "FAIL lab $lab: its solution does not score 100%:"
			while IFS= read -r line; do echo "    $line"; done <<<"$out"
			failed=$((failed + 1))
			;;
		esac
	done
	echo
	echo "$passed labs at 100%, $failed failed, $skipped skipped"
	[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
}

cmd_student_pack() {
	local dest=${1:-$ROOT/build/student-pack} f
	case $dest in /*) ;; *) dest=$PWD/$dest ;; esac
	if [ "$dest" = / ] || [ "$dest" = "$ROOT" ]; then usage; fi
	rm -rf "$dest" "$dest.tar.gz"
	mkdir -p "$dest/tests" || exit 2
	# What building, the lessons and make lab / make grade need.
	for f in Makefile README.md lib tools probes lessons; do
		cp -R "$ROOT/$f" "$dest/"
	done
	for f in helpers.bash net-helpers.bash lesson-run.sh lint-lessons.sh; do
		[ -e "$ROOT/tests/$f" ] && cp "$ROOT/tests/$f" "$dest/tests/"
	done
	mkdir "$dest/labs"
	cp "$LABS/README.md" "$LABS/lab.sh" "$dest/labs/"
	for d in "$LABS"/[0-9][0-9]-*/; do
		d=${d%/}
		mkdir "$dest/labs/${d##*/}"
		for f in "$d"/*; do
			case ${f##*/} in solution | work) continue ;; esac
			cp -R "$f" "$dest/labs/${d##*/}/"
		done
		rm -f "$dest/labs/${d##*/}"/tests/hidden*.bats
	done
	cat >"$dest/STUDENTS.md" <<'EOF'
# boxstep: the students' copy

The course without the labs' solutions and hidden checks. As root:

    make deps && make          # the tools, in bin/
    make lab LAB=16            # a lab's starter files, in labs/16-*/work/
    make grade LAB=16          # your score on the checks you can see

Lessons: lessons/README.md. Labs: labs/README.md. Your teacher grades with the
hidden checks too: the parameters are drawn at random, so only a script that does
what the task says passes them.
EOF
	tar -C "$(dirname "$dest")" -czf "$dest.tar.gz" "$(basename "$dest")"
	echo "student pack: $dest ($(find "$dest" -type f | wc -l) files) and $dest.tar.gz"
	echo "left out: labs/*/solution, labs/*/work, labs/*/tests/hidden*.bats, tests/*.bats, bench/"
}

[ $# -ge 1 ] || usage
case $1 in
grade-all) shift; cmd_grade_all "$@" ;;
student-pack) shift; [ $# -le 1 ] || usage; cmd_student_pack "$@" ;;
-h | --help) sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" ;;
*) usage ;;
esac
