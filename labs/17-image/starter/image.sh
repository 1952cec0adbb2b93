#!/bin/sh
# image.sh: pack two layers into an OCI image, and run an image.
#
#   image.sh pack OUT BASE APP CMD [ARGS...]
#       an OCI image layout in OUT: BASE as the bottom layer, APP on top of it,
#       CMD ARGS as the image's command
#   image.sh run IMAGE DEST [PROGRAM [ARGS...]]
#       unpacks IMAGE into DEST (every digest checked) and runs the image's
#       command, or PROGRAM, in a container whose root is the image's layers
# See ../README.md for what each must do.
set -eu

usage() {
	echo "usage: image.sh pack OUT BASE APP CMD [ARGS...] | image.sh run IMAGE DEST [PROGRAM [ARGS...]]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
action=$1
shift
case $action in
pack)
	[ $# -ge 4 ] || usage
	out=$1 base=$2 app=$3
	shift 3
	# TODO: write an OCI image layout in "$out": "$base" as the bottom layer,
	# "$app" on top of it, and the words in "$@" as the image's command.
	mkdir -p "$out"
	echo "image.sh: pack is not written yet (layers $base and $app, command: $*)" >&2
	;;
run)
	[ $# -ge 2 ] || usage
	image=$1 dest=$2
	shift 2
	# TODO: unpack "$image" into "$dest", checking every digest.
	# TODO: with no PROGRAM, run the image's command (see "$dest/config").
	# TODO: run it in new mount and PID namespaces, on an overlay of the image's
	# layers ("$dest/lower") with a writable layer of its own, after pivot.
	echo "image.sh: run does not use $image or $dest yet: running on the host" >&2
	[ $# -ge 1 ] || exit 0
	exec "$@"
	;;
*)
	usage
	;;
esac
