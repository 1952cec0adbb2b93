#!/bin/sh
# lint-lessons.sh [FILE.md...]: shellcheck the ```sh blocks of the lessons
# (default: every lessons/*.md).
#
# The blocks of one lesson run in one POSIX shell with set -e (tests/lesson-run.sh),
# so they are checked the same way: as one `sh` script made of every sh block of the
# file (norun blocks included), each line kept at its own line number and everything
# else blanked, so shellcheck's line numbers are the lesson's.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
command -v shellcheck >/dev/null || { echo "lint-lessons.sh: shellcheck is not installed" >&2; exit 2; }
[ $# -gt 0 ] || set -- "$root"/lessons/*.md

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for md in "$@"; do
	[ -e "$md" ] || continue
	script=$tmp/$(basename "$md").sh
	# line 1 is never a block line (a block needs its opening fence first)
	awk 'NR == 1 { print "set -e"; next }
		/^```/ && !inblock { inblock = 1; sh = ($0 ~ /^```sh([ \t]|$)/); print ""; next }
		/^```[ \t]*$/ && inblock { inblock = 0; sh = 0; print ""; next }
		{ print (inblock && sh) ? $0 : "" }' "$md" >"$script"
	if ! shellcheck -s sh -f gcc "$script" >"$tmp/out"; then
		sed "s|^$script:|$md:|" "$tmp/out"
		status=1
	fi
done
[ "$status" = 0 ] && echo "lint-lessons.sh: $# lesson file(s) clean"
exit "$status"
