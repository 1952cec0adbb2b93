#!/bin/sh
# image.sh: pack two layers into an OCI image, and run an image.
#
#   image.sh pack OUT BASE APP CMD [ARGS...]
#       an OCI image layout in OUT: BASE as the bottom layer, APP on top of it,
#       CMD ARGS as the image's command
#   image.sh run IMAGE DEST [PROGRAM [ARGS...]]
#       unpacks IMAGE into DEST (every digest checked) and runs the image's
#       command, or PROGRAM, in a container whose root is the image's layers
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
	# One --cmd per word of the command, in order: append them after the words,
	# then drop the words.
	n=$#
	for word in "$@"; do
		set -- "$@" --cmd "$word"
	done
	shift "$n"
	# The first --layer is the bottom one, as a Dockerfile builds them.
	exec imgpack --layer "$base" --layer "$app" "$@" "$out"
	;;
run)
	[ $# -ge 2 ] || usage
	image=$1 dest=$2
	shift 2
	# imgunpack checks every blob against its digest before using it, and
	# leaves nothing behind when one does not match.
	imgunpack "$image" "$dest" >/dev/null
	if [ $# -eq 0 ]; then
		# The image's command: the entrypoint words, then the cmd words, one
		# "key value" line each in DEST/config.
		while IFS= read -r line; do
			case $line in
			"entrypoint "* | "cmd "*) set -- "$@" "${line#* }" ;;
			esac
		done <"$dest/config"
	fi
	[ $# -ge 1 ] || { echo "image.sh: the image has no command: give one" >&2; exit 2; }
	# A writable layer of its own on top of the image's layers (topmost first in
	# DEST/lower), in new mount and PID namespaces, then pivot into it.
	rm -rf "$dest/run"
	mkdir -p "$dest/run/merged"
	exec mkns --mount --pid -- \
		overlaymount --lower "$(cat "$dest/lower")" --upper "$dest/run/up" --work "$dest/run/work" "$dest/run/merged" -- \
		pivot "$dest/run/merged" -- "$@"
	;;
*)
	usage
	;;
esac
