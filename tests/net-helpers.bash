# Network scenarios for vethpair, nsjoin, pause and pod tests.
# shellcheck shell=bash
#
# A scenario is a bash script (on stdin) that runs inside a fake host (new mount,
# UTS and network namespaces made by fake_host), in $BATS_TEST_TMPDIR, under set -eu,
# with the functions below. Every bridge, veth end, nft rule and route it makes
# lives in the fake host and ends with it; traffic goes only between namespaces it
# made. Containers it starts in the background are stopped when it exits, and by
# net_teardown if it was killed.

# start_box NAME CHAIN...: runs "mkns --net --uts --hostname NAME -- CHAIN" in the
# background and returns once the program at its end is up; the chain must end in
# "-- box_up NAME", which says so and then sleeps until stop_boxes. NAME.pid holds
# its pid (the net namespace's first process: nsjoin --target NAME.pid).
start_box() {
	local name=$1
	shift
	mkfifo "$name.up"
	exec 7<>"$name.up" # read-write: opening does not wait for a writer
	mkns --net --uts --hostname "$name" -- "$@" &
	echo "$!" >"$name.pid"
	local said=""
	read -r -t 20 said <&7 || true
	exec 7<&-
	[ "$said" = up ] || { echo "start_box $name: the container did not come up" >&2; return 1; }
}

# The end of a start_box chain: sh -c "$BOX_UP" sh NAME
# shellcheck disable=SC2016,SC2089 # expanded by that sh, not here
BOX_UP='echo up >"$1.up"; exec sleep 1000'

# in_box NAME CMD...: CMD in the box's network and UTS namespaces.
in_box() {
	local name=$1
	shift
	nsjoin --target "$name.pid" --net --uts -- "$@"
}

# stop_boxes: ends every box started here and waits for it. SIGKILL: a box whose
# chain forked (mkns --pid) takes its pid namespace with it (PR_SET_PDEATHSIG).
stop_boxes() {
	local f pid
	for f in *.pid; do
		[ -e "$f" ] || continue
		pid=$(cat "$f")
		kill -KILL "$pid" 2>/dev/null || true
		rm -f "$f"
	done
	{ wait || true; } 2>/dev/null # without bash's "Killed" notices
}

# veth_count: the veth devices of this (fake) host.
veth_count() {
	ip -o link show type veth | wc -l
}

# wait_veths N: the kernel removes a dead namespace's devices asynchronously (its
# cleanup_net work): wait up to 5 s until N veth devices remain.
wait_veths() {
	for _ in $(seq 100); do
		[ "$(veth_count)" -eq "$1" ] && return 0
		sleep 0.05
	done
	echo "wait_veths: $(veth_count) veth devices, expected $1" >&2
	return 1
}

# scenario: runs the script on stdin as described above; its output and status.
scenario() {
	{
		declare -f start_box in_box stop_boxes veth_count wait_veths
		# shellcheck disable=SC2090
		declare -p BOX_UP
		echo 'set -eu'
		echo 'trap stop_boxes EXIT; trap "exit 124" TERM'
		printf 'cd %q\n' "$BATS_TEST_TMPDIR"
		cat
	} >"$BATS_TEST_TMPDIR/scenario.sh"
	fake_host timeout 60 bash "$BATS_TEST_TMPDIR/scenario.sh"
}

# net_teardown: kills boxes a killed scenario left (call from teardown).
net_teardown() {
	local f
	for f in "$BATS_TEST_TMPDIR"/*.pid; do
		[ -e "$f" ] || continue
		kill -KILL "$(cat "$f")" 2>/dev/null || true
	done
}
