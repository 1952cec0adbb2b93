#!/bin/sh
# pod.sh start HOSTNAME PIDFILE: starts a pod's pause process, pid in PIDFILE.
# pod.sh run PIDFILE CMD...: runs CMD as a container of the pod. See ../README.md.
set -eu

usage() {
	echo "usage: pod.sh start HOSTNAME PIDFILE | pod.sh run PIDFILE CMD [ARGS...]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
case $1 in
start)
	[ $# -eq 3 ] || usage
	name=$2 pidfile=$3
	# pause writes its pid into a FIFO once it is up: read returns then.
	fifo=$(mktemp -u "${TMPDIR:-/tmp}/pod.XXXXXX")
	mkfifo "$fifo"
	# The pod's shared namespaces, held by pause: network, UTS (the hostname), IPC.
	mkns --net --uts --ipc --hostname "$name" -- pause --pidfile "$fifo" </dev/null >/dev/null 2>&1 &
	read -r pid <"$fifo"
	rm -f "$fifo"
	echo "$pid" >"$pidfile"
	# A new network namespace has lo down: the "loopback" step of a pod's network.
	nsjoin --target "$pid" --net -- ip link set lo up
	;;
run)
	[ $# -ge 3 ] || usage
	pidfile=$2
	shift 2
	# Join what the pod shares, then make what each container keeps to itself:
	# mounts, and a PID namespace whose PID 1 is CMD, with its own /proc.
	exec nsjoin --target "$pidfile" --net --uts --ipc -- mkns --mount --pid --mount-proc -- "$@"
	;;
*) usage ;;
esac
