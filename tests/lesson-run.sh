#!/bin/bash
# lesson-run.sh: run the sh blocks of a lesson in order and check their outputs.
#
#   tests/lesson-run.sh [--workdir DIR] LESSON.md      run one lesson in a fake host
#   tests/lesson-run.sh --list LESSON.md               print the blocks it would run
#
# The marks (lessons/README.md explains them to authors):
#   ```sh          runs, and every command in it must succeed (set -e)
#   ```sh fails    runs, and its last command must exit non-zero (a "break it" block)
#   ```sh norun    shown, never run (an interactive shell)
#   ```output      right after a sh block (blank lines between are allowed): what
#                  that block prints, stdout and stderr together. Placeholders:
#                  <n> an integer, <inode> a namespace inode, <hex> hex digits,
#                  <*> any text within the line, and a line holding only <...>
#                  any number of lines (none included).
#
# All blocks of a lesson run in one POSIX shell (/bin/sh), so cd and variables carry
# over, with stdin from /dev/null, in a fresh working directory (or --workdir DIR),
# as root, with bin/ and build/probes/ first in PATH, BOXSTEP_CGROUP_PARENT=self and
# LC_ALL=C. Without --in-fake-host the runner first re-executes itself inside new
# mount, UTS and network namespaces (mkns --mount --uts --net), so what a lesson does
# to mounts, the hostname or the network stays there. tests/lessons.bats passes
# --in-fake-host after making that fake host itself (fake_host in helpers.bash).
#
# Exit status: 0 every block did what its mark says; 1 a block did not (the message
# names the lesson, the block number and its line, expected vs actual); 2 bad usage
# or a malformed lesson.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TIMEOUT=${LESSON_TIMEOUT:-300}

usage() {
	echo "Usage: lesson-run.sh [--workdir DIR] [--in-fake-host] [--list] LESSON.md" >&2
	exit 2
}

workdir="" inside=0 list=0
while [ $# -gt 0 ]; do
	case $1 in
	--workdir) [ $# -ge 2 ] || usage; workdir=$2; shift 2 ;;
	--in-fake-host) inside=1; shift ;;
	--list) list=1; shift ;;
	-h | --help) sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage
lesson=$1
[ -r "$lesson" ] || { echo "lesson-run.sh: cannot read $lesson" >&2; exit 2; }
name=$lesson
lesson=$(cd "$(dirname "$lesson")" && pwd)/$(basename "$lesson")

# ---- parse the lesson into blocks --------------------------------------------------
# code[i] mode[i] line[i] expect[i] has_expect[i]; i counts the sh blocks from 1.
declare -a code mode line expect has_expect
n=0 state=text buf="" last_sh=0 lineno=0 start=0
malformed() { echo "$name:$lineno: $*" >&2; exit 2; }
while IFS= read -r l || [ -n "$l" ]; do
	lineno=$((lineno + 1))
	case $state in
	text)
		if [[ $l =~ ^\`\`\`([A-Za-z0-9_-]*)[[:space:]]*(.*)$ ]]; then
			lang=${BASH_REMATCH[1]} marks=${BASH_REMATCH[2]}
			marks=${marks%"${marks##*[![:space:]]}"}
			buf="" start=$lineno
			case $lang in
			sh)
				case $marks in
				"" | fails | norun) ;;
				*) malformed "unknown mark '$marks' (sh, sh fails, sh norun)" ;;
				esac
				state="sh"
				[ -n "$marks" ] || marks=run
				;;
			output)
				[ "$last_sh" -ne 0 ] || malformed "an output block must follow a sh block"
				state=output
				;;
			*) state=other ;;
			esac
		elif [[ $l =~ [^[:space:]] ]]; then
			last_sh=0 # prose between a sh block and an output block detaches it
		fi
		;;
	sh | output | other)
		if [[ $l =~ ^\`\`\`[[:space:]]*$ ]]; then
			case $state in
			sh)
				if [ "$marks" = norun ]; then
					last_sh=-1
				else
					n=$((n + 1))
					code[n]=$buf mode[n]=$marks line[n]=$start has_expect[n]=0
					last_sh=$n
				fi
				;;
			output)
				if [ "$last_sh" -gt 0 ]; then
					expect[last_sh]=$buf has_expect[last_sh]=1
				fi
				last_sh=0 # an output after a norun block is shown, not checked
				;;
			other) last_sh=0 ;;
			esac
			state=text
		else
			buf+=$l$'\n'
		fi
		;;
	esac
done <"$lesson"
[ "$state" = text ] || malformed "block opened at line $start is never closed"

if [ "$list" = 1 ]; then
	for ((i = 1; i <= n; i++)); do
		echo "--- block $i (line ${line[i]}, ${mode[i]}$([ "${has_expect[i]}" = 1 ] && echo ", output checked"))"
		printf '%s' "${code[i]}"
	done
	exit 0
fi

# ---- the fake host -----------------------------------------------------------------
if [ "$inside" = 0 ]; then
	[ "$(id -u)" = 0 ] || { echo "lesson-run.sh: lessons run as root" >&2; exit 2; }
	exec "$ROOT/bin/mkns" --mount --uts --net -- "$0" --in-fake-host \
		${workdir:+--workdir "$workdir"} -- "$lesson"
fi

own_workdir=0
if [ -z "$workdir" ]; then
	# world-traversable, so a lesson can run tools as nobody from a copy here
	workdir=$(mktemp -d /tmp/boxstep-lesson.XXXXXX) || exit 2
	chmod 755 "$workdir"
	own_workdir=1
fi
state_dir=$(mktemp -d /tmp/boxstep-lesson-state.XXXXXX) || exit 2
cleanup() {
	rm -rf "$state_dir"
	# mounts a lesson left in its directory die with the fake host; never cross them
	[ "$own_workdir" = 1 ] && rm -rf --one-file-system "$workdir"
}
trap cleanup EXIT

# ---- run every block in one shell --------------------------------------------------
{
	echo 'exec </dev/null'
	for ((i = 1; i <= n; i++)); do
		printf '%s' "${code[i]}" >"$state_dir/block.$i"
		echo "echo $i >\"$state_dir/current\""
		if [ "${mode[i]}" = fails ]; then
			echo "set +e"
			echo ". \"$state_dir/block.$i\" >\"$state_dir/out.$i\" 2>&1"
			echo "echo \$? >\"$state_dir/status.$i\""
		else
			echo "set -e"
			echo ". \"$state_dir/block.$i\" >\"$state_dir/out.$i\" 2>&1"
			echo "echo 0 >\"$state_dir/status.$i\""
		fi
	done
} >"$state_dir/driver.sh"

export PATH="$ROOT/bin:$ROOT/build/probes:$PATH"
export BOXSTEP_CGROUP_PARENT=self LC_ALL=C
unset BOXSTEP_TRACE BOXSTEP_TRACE_FD
cd "$workdir" || exit 2
timeout -k 10 "$TIMEOUT" sh "$state_dir/driver.sh"
shell_status=$?

# ---- compare -----------------------------------------------------------------------
# A glob for one expected line: everything literal but the placeholders.
line_glob() {
	local s=$1 out="" c
	while [ -n "$s" ]; do
		case $s in
		"<n>"* | "<inode>"*) out+='+([0-9])'; s=${s#<*>} ;;
		"<hex>"*) out+='+([0-9a-fA-F])'; s=${s#<hex>} ;;
		"<*>"*) out+='*'; s=${s#<\*>} ;;
		*)
			c=${s:0:1} s=${s:1}
			case $c in
			[][*?\\\(\)\|@!+]) out+="\\$c" ;;
			*) out+=$c ;;
			esac
			;;
		esac
	done
	printf '%s' "$out"
}

# glob_match TEXT GLOB
# shellcheck disable=SC2053 # the right-hand side is a glob on purpose
glob_match() { [[ $1 == $2 ]]; }

# matches EXPECTED ACTUAL: line lists, <...> as a line matches any number of lines.
declare -a E A G
matches() {
	local i j
	mapfile -t E <<<"$1"
	mapfile -t A <<<"$2"
	G=()
	for ((i = 0; i < ${#E[@]}; i++)); do G[i]=$(line_glob "${E[i]}"); done
	# ok[i,j]: E[i..] matches A[j..]; filled from the end
	declare -A ok
	local ne=${#E[@]} na=${#A[@]}
	for ((i = ne; i >= 0; i--)); do
		for ((j = na; j >= 0; j--)); do
			if [ "$i" = "$ne" ]; then
				ok[$i,$j]=$([ "$j" = "$na" ] && echo 1 || echo 0)
			elif [ "${E[i]}" = "<...>" ]; then
				ok[$i,$j]=${ok[$((i + 1)),$j]}
				[ "$j" -lt "$na" ] && [ "${ok[$i,$((j + 1))]}" = 1 ] && ok[$i,$j]=1
			elif [ "$j" -lt "$na" ] && glob_match "${A[j]}" "${G[i]}" && [ "${ok[$((i + 1)),$((j + 1))]}" = 1 ]; then
				ok[$i,$j]=1
			else
				ok[$i,$j]=0
			fi
		done
	done
	[ "${ok[0,0]}" = 1 ]
}

trim() { # drop trailing blank lines and trailing spaces
	printf '%s' "$1" | sed -e 's/[[:space:]]*$//' | sed -e ':a' -e '/^\n*$/{$d;N;ba' -e '}'
}

shopt -s extglob
failed=0
report() {
	local i=$1 why=$2
	echo "$name: block $i (line ${line[i]}): $why" >&2
	echo "--- the block:" >&2
	printf '%s' "${code[i]}" | sed 's/^/    /' >&2
	failed=1
}
for ((i = 1; i <= n; i++)); do
	if [ ! -e "$state_dir/status.$i" ]; then
		out=$(cat "$state_dir/out.$i" 2>/dev/null)
		if [ -e "$state_dir/out.$i" ]; then
			if [ "$shell_status" = 124 ] || [ "$shell_status" = 137 ]; then
				report "$i" "timed out after ${TIMEOUT}s"
			else
				report "$i" "a command failed (exit status $shell_status), every command of a sh block must succeed"
			fi
			echo "--- its output:" >&2
			printf '%s\n' "$out" | sed 's/^/    /' >&2
		else
			echo "$name: block $i (line ${line[i]}) never ran" >&2
			failed=1
		fi
		break
	fi
	status=$(cat "$state_dir/status.$i")
	out=$(trim "$(cat "$state_dir/out.$i")")
	if [ "${mode[i]}" = fails ] && [ "$status" = 0 ]; then
		report "$i" "marked 'fails' but exited 0"
		echo "--- its output:" >&2
		printf '%s\n' "$out" | sed 's/^/    /' >&2
		break
	fi
	if [ "${has_expect[i]}" = 1 ]; then
		exp=$(trim "${expect[i]}")
		if ! matches "$exp" "$out"; then
			report "$i" "output differs (exit status $status)"
			echo "--- expected:" >&2
			printf '%s\n' "$exp" | sed 's/^/    /' >&2
			echo "--- actual:" >&2
			printf '%s\n' "$out" | sed 's/^/    /' >&2
			break
		fi
	fi
done
if [ "$n" -eq 0 ]; then
	echo "$name: no sh block to run" >&2
	exit 1
fi
if [ "$failed" = 1 ] || [ ! -e "$state_dir/status.$n" ]; then
	exit 1
fi
echo "$name: $n blocks ok"
