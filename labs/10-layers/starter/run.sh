#!/bin/sh
# run.sh IMAGE UPPER [CMD [ARGS...]]: runs CMD (default /app/run) in a container
# whose root is the image's layers with the writable layer UPPER on top.
# See ../README.md.
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

# This runs, but straight on the base layer: every write changes the image.
# TODO: stack the layers (app over base) read-only, under the writable layer
#       UPPER, with its work directory at UPPER.work, mounted on UPPER.root.
# TODO: make that stack the container's root.
mkdir -p "$upper"
exec mkns --mount --pid -- pivot "$image/base" -- "$@"
