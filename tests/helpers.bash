# Shared by every bats suite: paths, `requires`, the leak guard, the fake host.
# shellcheck shell=bash

BOXSTEP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BOXSTEP_ROOT
export PATH="$BOXSTEP_ROOT/bin:$BOXSTEP_ROOT/build/probes:$PATH"
unset BOXSTEP_TRACE BOXSTEP_TRACE_FD

# The namespace types as /proc/PID/ns names them.
# shellcheck disable=SC2034 # used by the suites that load this file
NS_TYPES="mnt uts ipc pid net user cgroup time"

# kv KEY: the value of the first KEY= line of $output (cinfo --format kv and the
# like); says so on stderr and fails when there is none.
# shellcheck disable=SC2154 # $output is set by bats' run
kv() {
	local line
	while IFS= read -r line; do
		[ "${line%%=*}" = "$1" ] && { printf '%s\n' "${line#*=}"; return 0; }
	done <<<"$output"
	echo "no $1= line in the output" >&2
	return 1
}

# refuses TOOL ARGS...: TOOL ARGS -- touch ran must exit 125 with one line on
# stderr (left in $stderr) and run nothing.
# shellcheck disable=SC2154 # $status and $stderr are set by bats' run
refuses() {
	local tool=$1
	shift
	run --separate-stderr "$tool" "$@" -- touch ran
	echo "status $status, stderr: $stderr"
	[ "$status" -eq 125 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[ ! -e ran ]
}

# requires FEATURE...: skip the test when the host lacks a feature.
requires() {
	local f
	for f in "$@"; do
		case $f in
		root) [ "$(id -u)" = 0 ] || skip "requires root" ;;
		userns)
			if [ ! -e /proc/self/ns/user ] || [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" = 0 ]; then
				skip "requires user namespaces"
			fi ;;
		timens) [ -e /proc/self/ns/time ] || skip "requires a time namespace (Linux 5.6)" ;;
		cgroup2) [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || skip "requires pure cgroup v2" ;;
		busybox) command -v busybox >/dev/null || skip "requires busybox-static" ;;
		newuidmap) command -v newuidmap >/dev/null || skip "requires newuidmap (uidmap package)" ;;
		*) echo "requires: unknown feature $f" >&2; return 1 ;;
		esac
	done
}

# The leak guard: a snapshot before a test file, a comparison after it. Everything a
# test makes (mounts, links, cgroups, named netns, processes) must be gone.
leak_state() {
	echo "## mounts"
	awk '{print $5}' /proc/self/mountinfo | sort
	echo "## links"
	ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sort
	echo "## netns"
	ls /run/netns 2>/dev/null || true
	echo "## cgroups"
	local line path
	while IFS= read -r line; do
		path=${line#*:*:}
		find /sys/fs/cgroup -mindepth 1 -maxdepth 12 -type d \
			\( -name 'boxstep*' -o -path "*$path/*" \) 2>/dev/null || true
	done </proc/self/cgroup | sort -u
}

leak_snapshot() {
	BOXSTEP_LEAK_TAG="leak-$$-$RANDOM"
	export BOXSTEP_LEAK_TAG
	leak_state >"$BATS_FILE_TMPDIR/leak.before"
}

# Processes carrying this file's tag that are not this shell or its ancestors.
leaked_processes() {
	local ancestors=" " p=$BASHPID pid
	while [ "$p" -gt 1 ] 2>/dev/null; do
		ancestors="$ancestors$p "
		p=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null) || break
	done
	for pid in /proc/[0-9]*; do
		pid=${pid#/proc/}
		case $ancestors in *" $pid "*) continue ;; esac
		if { tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null | grep -qx "BOXSTEP_LEAK_TAG=$BOXSTEP_LEAK_TAG"; then
			echo "$pid $({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null)"
		fi
	done
}

leak_check() {
	local left
	leak_state >"$BATS_FILE_TMPDIR/leak.after"
	left=$(diff "$BATS_FILE_TMPDIR/leak.before" "$BATS_FILE_TMPDIR/leak.after" | grep '^>' || true)
	procs=$(leaked_processes)
	if [ -n "$left" ] || [ -n "$procs" ]; then
		echo "leak guard: this file left things behind:" >&2
		[ -n "$left" ] && echo "$left" >&2
		[ -n "$procs" ] && echo "processes: $procs" >&2
		return 1
	fi
}

setup_file() { leak_snapshot; }
teardown_file() { leak_check; }

# fake_host CMD...: runs CMD in new mount, UTS, network and IPC namespaces, so what it
# does to mounts, hostname or network stays there (a "fake host").
fake_host() {
	mkns --mount --uts --net --ipc -- "$@"
}

# A copy of bin/ and build/probes/ any user can read and run, for unprivileged
# tests (the checkout may sit in a 0700 home directory).
world_readable_tools() {
	local dir
	dir=$(mktemp -d /tmp/boxstep-tools.XXXXXX)
	cp -a "$BOXSTEP_ROOT/bin" "$dir/bin"
	[ -d "$BOXSTEP_ROOT/build/probes" ] && cp -a "$BOXSTEP_ROOT/build/probes" "$dir/probes"
	chmod -R a+rX "$dir"
	echo "$dir"
}
