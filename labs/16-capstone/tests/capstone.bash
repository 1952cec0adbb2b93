# Shared by the capstone's graders (grade.bats, and the hidden checks): the image,
# the parameters drawn at random for each check, and the fake host the learner's
# container.sh runs in.
# shellcheck shell=bash

# One busybox root for a grader file: the web server is busybox's httpd; the
# probes the checks run inside are static programs from build/probes/.
capstone_setup_file() {
	leak_snapshot
	ROOTFS=$BATS_FILE_TMPDIR/rootfs
	mkrootfs "$ROOTFS" >/dev/null
	local p
	for p in memhog forkloop tryscall; do
		cp "$BOXSTEP_ROOT/build/probes/$p" "$ROOTFS/bin/"
	done
	mkdir "$ROOTFS/www"
	echo "page-$RANDOM$RANDOM" >"$ROOTFS/www/index.html"
}

# Each check draws its own parameters: a hard-coded answer fails.
capstone_setup() {
	WORK=${LAB_WORK:-$BATS_TEST_DIRNAME/../work}
	SCRIPT=$WORK/container.sh
	if [ ! -x "$SCRIPT" ]; then
		echo "$SCRIPT is missing or not executable (chmod +x container.sh)"
		return 1
	fi
	if grep -v '^[[:space:]]*#' "$SCRIPT" | grep -qw boxrun; then
		echo "$SCRIPT calls boxrun: this lab asks for the chain written by hand"
		return 1
	fi
	ROOTFS=$BATS_FILE_TMPDIR/rootfs
	PAGE=$(cat "$ROOTFS/www/index.html")
	NAME=web$RANDOM
	NET=10.$((RANDOM % 200 + 20)).$((RANDOM % 250))
	ADDR=$NET.$((RANDOM % 200 + 10))/24
	GATEWAY=$NET.1
	MEMORY_MIB=$((RANDOM % 5 * 8 + 32))
	MEMORY=${MEMORY_MIB}m
	CPUS=0.$((RANDOM % 8 + 2))
	PIDS=$((RANDOM % 32 + 16))
	export SCRIPT ROOTFS PAGE NAME NET ADDR GATEWAY MEMORY MEMORY_MIB CPUS PIDS
	export BOXSTEP_CGROUP_PARENT=self
	cd "$BATS_TEST_TMPDIR" || return 1
	echo "parameters: ROOTFS NAME=$NAME ADDR=$ADDR GATEWAY=$GATEWAY MEMORY=$MEMORY CPUS=$CPUS PIDS=$PIDS"
}

# The functions a check's script (run by in_host) can use.
# box PROGRAM...: the learner's container with this check's parameters.
box() { "$SCRIPT" "$ROOTFS" "$NAME" "$ADDR" "$GATEWAY" "$MEMORY" "$CPUS" "$PIDS" "$@"; }
# start PROGRAM...: the same in the background; BG is its pid (the script's own
# process, not a subshell's, so that stop reaches the container).
start() {
	"$SCRIPT" "$ROOTFS" "$NAME" "$ADDR" "$GATEWAY" "$MEMORY" "$CPUS" "$PIDS" "$@" &
	# shellcheck disable=SC2034 # used by the scripts of in_host
	BG=$!
}
# get ADDR: the page a web server at ADDR, port 80, serves (bash's /dev/tcp).
get() {
	exec 5<>"/dev/tcp/$1/80" && printf 'GET / HTTP/1.0\r\n\r\n' >&5 && sed '1,/^\r$/d' <&5
	exec 5<&-
}
# wait_page ADDR: the page, once the server answers (3 s at most).
wait_page() {
	local tries=60 page=""
	while [ "$tries" -gt 0 ]; do
		page=$(get "$1" 2>/dev/null) && [ -n "$page" ] && break
		tries=$((tries - 1))
		sleep 0.05
	done
	echo "$page"
}
# descendant PID COMM: a process below PID whose name is COMM.
descendant() {
	local k
	# shellcheck disable=SC2013 # the file is one line of pids
	for k in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		[ "$(cat "/proc/$k/comm" 2>/dev/null)" = "$2" ] && { echo "$k"; return 0; }
		descendant "$k" "$2" && return 0
	done
	return 1
}
# stop PID: SIGTERM to a container started in the background, and wait for it.
stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# in_host: the bash script on stdin runs in a fake host (new mount, UTS and network
# namespaces), with a time limit: what the learner's script does to the network
# and the mounts stays there.
in_host() {
	{
		declare -f box start get wait_page descendant stop
		echo 'set -u'
		cat
	} >"$BATS_TEST_TMPDIR/host.sh"
	fake_host timeout -s KILL 60 bash "$BATS_TEST_TMPDIR/host.sh"
}
