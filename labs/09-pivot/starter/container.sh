#!/bin/sh
# container.sh ROOT [CMD [ARGS...]]: runs CMD (default /bin/sh) in a container whose
# root filesystem is the directory ROOT. See ../README.md for what that must mean.
set -eu

if [ $# -lt 1 ]; then
	echo "usage: container.sh ROOT [CMD [ARGS...]]" >&2
	exit 2
fi
root=$1
shift
if [ $# -eq 0 ]; then
	set -- /bin/sh
fi

# This runs: CMD is PID 1 of a new pid namespace, in a new mount namespace, and
# sees ROOT as /. But chroot(1) only changes CMD's root directory.
# TODO: a root process inside can walk out of a chroot; make ROOT the root of the
#       mount namespace itself, with the host's old root gone.
# TODO: CMD needs a /proc of its own inside ROOT (ps, /proc/self/mountinfo).
exec mkns --mount --pid --mount-proc -- chroot "$root" "$@"
