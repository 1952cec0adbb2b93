#!/bin/sh
# container.sh HOSTNAME [CMD...]: runs CMD (default: cinfo --format kv) in a small
# container named HOSTNAME. See ../README.md for what "container" must mean here.
set -eu

if [ $# -lt 1 ]; then
	echo "usage: container.sh HOSTNAME [CMD...]" >&2
	exit 2
fi
name=$1
shift
if [ $# -eq 0 ]; then
	set -- cinfo --format kv
fi

# TODO: give CMD a hostname of its own, "$name", without renaming the host.
# TODO: make CMD PID 1 of a new PID namespace, with a /proc that shows only it.
# TODO: give it its own mount table and its own SysV IPC; keep the host's network.
echo "container.sh: '$name' is not isolated yet (see the TODOs)" >&2
exec "$@"
