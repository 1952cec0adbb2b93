#!/bin/bash
# lab.sh: start and grade the boxstep labs (see labs/README.md).
#
#   labs/lab.sh list
#   labs/lab.sh start NN [--dir PATH] [--force]   copy the starter files into work/
#   labs/lab.sh grade NN [--dir PATH] [--tap]     grade work/ (or PATH)
#
# make lab LAB=NN and make grade LAB=NN call start and grade; FORCE=1 in the
# environment is the same as --force.
#
# Exit status of grade: 0 only when every check passes (100%); 1 when a check
# fails; 77 when this host lacks what the lab needs (nothing was graded); 2 on
# bad usage.
set -u

LABS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$LABS")
export PATH="$ROOT/bin:$ROOT/build/probes:$PATH"

usage() {
	echo "usage: labs/lab.sh list | start NN [--dir PATH] [--force] | grade NN [--dir PATH] [--tap]" >&2
	exit 2
}

die() {
	echo "lab.sh: $*" >&2
	exit 2
}

# lab_dir NN: the folder labs/NN-*; 1 and 01 both work.
lab_dir() {
	local nn=$1 dirs
	case $nn in
	'' | *[!0-9]*) die "no lab number: give one, e.g. make lab LAB=01 (labs/lab.sh list shows them)" ;;
	esac
	nn=$(printf '%02d' "$((10#$nn))")
	dirs=("$LABS/$nn"-*/)
	[ -d "${dirs[0]}" ] || die "there is no lab $nn (labs/lab.sh list shows them)"
	echo "${dirs[0]%/}"
}

# The grader files and what they declare in comments:
#   # lab-requires: FEATURE...      (boxstep-doctor features; checked before grading)
#   # hint: lessons/NN-x.md, section "Title"   (just above an @test)
graders() { ls "$1"/tests/*.bats 2>/dev/null; }

lab_requires() {
	local f
	for f in $(graders "$1"); do
		sed -n 's/^# lab-requires:[[:space:]]*//p' "$f"
	done | tr ' ' '\n' | grep -v '^$' | sort -u
}

# Prints "TEST NAME<TAB>HINT" for every check of the lab.
lab_hints() {
	local f
	for f in $(graders "$1"); do
		awk '
			/^# hint:/ { sub(/^# hint:[[:space:]]*/, ""); hint = $0; next }
			/^@test "/ {
				name = $0; sub(/^@test "/, "", name); sub(/" *\{ *$/, "", name)
				print name "\t" hint; hint = ""
			}' "$f"
	done
}

# The total of the points in the check names, "[20] ...".
lab_total() {
	local f
	for f in $(graders "$1"); do
		sed -n 's/^@test "\[\([0-9]*\)\].*/\1/p' "$f"
	done | awk '{ t += $1 } END { print t + 0 }'
}

cmd_list() {
	local d
	for d in "$LABS"/[0-9][0-9]-*/; do
		d=${d%/}
		printf '%-16s %s\n' "$(basename "$d")" "$(sed -n 's/^# //p' "$d/README.md" | head -n 1)"
	done
}

cmd_start() {
	local dir="" force=${FORCE:-} lab nn
	[ $# -ge 1 ] || usage
	nn=$1
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--dir) [ $# -ge 2 ] || usage; dir=$2; shift 2 ;;
		--force) force=1; shift ;;
		*) usage ;;
		esac
	done
	lab=$(lab_dir "$nn") || exit
	[ -n "$dir" ] || dir=$lab/work
	if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ] && [ "$force" != 1 ]; then
		echo "lab.sh: $dir already exists: your edits are there." >&2
		echo "lab.sh: hint: make grade LAB=$nn grades it; make lab LAB=$nn FORCE=1 starts over (and loses them)" >&2
		exit 1
	fi
	mkdir -p "$dir" || exit 2
	cp -R "$lab/starter/." "$dir/" || exit 2
	echo "Lab $(basename "$lab"): your copy of the starter files is in $dir:"
	(cd "$dir" && find . -mindepth 1 -maxdepth 1 | sed 's|^\./|  |' | sort)
	echo "Read $lab/README.md for the task, edit the files marked TODO, then run"
	echo "  make grade LAB=$nn"
}

# doctor LAB: checks the host with boxstep-doctor. Returns 77 when a feature the lab
# needs is missing (the lab is not graded: the host is unsuitable, not the work).
doctor() {
	local lab=$1 f args=() needs said rc
	needs=$(lab_requires "$lab" | paste -sd ' ')
	if ! command -v boxstep-doctor >/dev/null; then
		echo "Host check: boxstep-doctor not built (run make); not checking for: $needs"
		return 0
	fi
	for f in $needs; do
		args+=(--require "$f")
	done
	said=$(boxstep-doctor "${args[@]}" 2>&1)
	rc=$?
	case $rc in
	0) echo "Host check: boxstep-doctor finds what lab $(basename "$lab") needs: $needs" ;;
	1)
		echo "Host check: lab $(basename "$lab") needs: $needs"
		printf '%s\n' "$said" | sed 's/^/Host check: /'
		echo "Not graded: this host cannot run the lab (boxstep-doctor says more); your work was not judged."
		return 77
		;;
	*)
		printf '%s\n' "$said" | sed 's/^/Host check: /'
		echo "Host check: boxstep-doctor failed (status $rc): the host was not checked"
		;;
	esac
	return 0
}

cmd_grade() {
	local dir="" tap="" lab nn rc
	[ $# -ge 1 ] || usage
	nn=$1
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--dir) [ $# -ge 2 ] || usage; dir=$2; shift 2 ;;
		--tap) tap=1; shift ;;
		*) usage ;;
		esac
	done
	lab=$(lab_dir "$nn") || exit
	if [ -z "$dir" ]; then
		dir=$lab/work
		[ -d "$dir" ] || die "$dir does not exist: run make lab LAB=$nn first"
	fi
	[ -d "$dir" ] || die "$dir is not a directory"
	command -v bats >/dev/null || die "bats is missing: run make deps"
	LAB_WORK=$(cd "$dir" && pwd)
	export LAB_WORK

	if [ -n "$tap" ]; then
		doctor "$lab" >&2
		rc=$?
		if [ $rc = 77 ]; then
			echo "1..0 # skip this host lacks what lab $(basename "$lab") needs"
			exit 77
		fi
		exec bats --formatter tap "$lab/tests"
	fi

	doctor "$lab"
	rc=$?
	[ $rc = 77 ] && exit 77
	echo "Grading $LAB_WORK"
	echo

	local hints total
	hints=$(lab_hints "$lab")
	total=$(lab_total "$lab")
	bats --formatter tap "$lab/tests" | grade_report "$hints" "$total"
}

# grade_report HINTS TOTAL: turns bats' TAP into one line per check, the score and
# the counts. Reads TAP on stdin.
grade_report() {
	local hints=$1 total=$2 line name points hint
	local score=0 passed=0 failed=0 skipped=0 ran=0 diag=0
	while IFS= read -r line; do
		case $line in
		"ok "*" # skip"*)
			name=${line#ok * }
			echo "SKIP $name"
			skipped=$((skipped + 1)) ran=$((ran + 1)) diag=0
			;;
		"ok "*)
			name=${line#ok * }
			points=$(points_of "$name")
			echo "PASS $name"
			score=$((score + points)) passed=$((passed + 1)) ran=$((ran + 1)) diag=0
			;;
		"not ok "*)
			name=${line#not ok * }
			hint=$(printf '%s\n' "$hints" | awk -F '\t' -v n="$name" '$1 == n { print $2; exit }')
			if [ -n "$hint" ]; then
				echo "FAIL $name -> hint: see $hint"
			else
				echo "FAIL $name"
			fi
			failed=$((failed + 1)) ran=$((ran + 1)) diag=1
			;;
		"# "*)
			# What a failing check printed; bats' own bookkeeping lines are left out.
			case $line in
			"# (in test file"* | "# (from function"* | "#   \`"*"' failed"*) ;;
			*) [ $diag = 1 ] && echo "       ${line#\# }" ;;
			esac
			;;
		esac
	done
	echo
	echo "Score: $score/$total"
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$ran" -gt 0 ] && [ "$failed" = 0 ] && [ "$skipped" = 0 ] && [ "$score" = "$total" ] && [ "$total" -gt 0 ]
}

points_of() {
	case $1 in
	"["[0-9]*"]"*) local p=${1#[}; echo "${p%%]*}" ;;
	*) echo 0 ;;
	esac
}

[ $# -ge 1 ] || usage
case $1 in
list) cmd_list ;;
start) shift; cmd_start "$@" ;;
grade) shift; cmd_grade "$@" ;;
-h | --help) sed -n '2,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" ;;
*) usage ;;
esac
