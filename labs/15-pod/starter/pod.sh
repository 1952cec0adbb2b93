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
	# TODO: pause in new network, UTS and IPC namespaces, with the hostname "$name".
	pause --pidfile "$fifo" </dev/null >/dev/null 2>&1 &
	read -r pid <"$fifo"
	rm -f "$fifo"
	echo "$pid" >"$pidfile"
	# TODO: bring lo up in the pod's network namespace.
	echo "pod.sh: pod $name has no namespaces of its own yet (see the TODOs)" >&2
	;;
run)
	[ $# -ge 3 ] || usage
	pidfile=$2
	shift 2
	# TODO: join the pod's network, UTS and IPC namespaces; make mount and PID
	#       namespaces of its own, CMD being PID 1 with a /proc of its own.
	exec "$@"
	;;
*) usage ;;
esac
