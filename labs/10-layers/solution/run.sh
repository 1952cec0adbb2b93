#!/bin/sh
# run.sh IMAGE UPPER [CMD [ARGS...]]: runs CMD (default /app/run) in a container
# whose root is the image's layers with the writable layer UPPER on top.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: run.sh IMAGE UPPER [CMD [ARGS...]]" >&2
	exit 2
fi
image=$1
upper=$2
shift 2
if [ $# -eq 0 ]; then
	set -- /app/run
fi

# The mount point of the merged view, next to the upper layer (never inside a
# layer: that would change the image).
mkdir -p "$upper.root"
# --lower app:base: the leftmost layer is the topmost. UPPER takes every write;
# UPPER.work is the kernel's scratch directory, on the same filesystem. The
# overlay lives in the new mount namespace and vanishes with it; pivot makes it
# the root.
exec mkns --mount --pid -- \
	overlaymount --lower "$image/app:$image/base" --upper "$upper" --work "$upper.work" "$upper.root" -- \
	pivot "$upper.root" -- "$@"
