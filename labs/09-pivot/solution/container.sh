#!/bin/sh
# container.sh ROOT [CMD [ARGS...]]: runs CMD (default /bin/sh) in a container whose
# root filesystem is the directory ROOT.
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

# --mount: a mount table of its own, so the mounts below and the pivot stay there.
# --pid: CMD is PID 1 of a new pid namespace (mkns forks and passes its status on).
# pivot: every mount private, ROOT bound onto itself (nodev), a new /proc, /dev and
#   /sys in it, pivot_root(".", ".") and the old root detached: nothing of the host
#   is left to walk back to, unlike chroot.
exec mkns --mount --pid -- pivot "$root" -- "$@"
