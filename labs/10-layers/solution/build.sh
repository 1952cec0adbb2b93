#!/bin/sh
# build.sh IMAGE APP: builds a two-layer image in the directory IMAGE: IMAGE/base, a
# busybox root, and IMAGE/app, a layer holding only the program APP at /app/run.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: build.sh IMAGE APP" >&2
	exit 2
fi
image=$1
app=$2

mkdir -p "$image"
# The base: busybox with its applets, /etc/passwd, and the mount points pivot uses.
mkrootfs "$image/base"
# The app layer: one file, at /app/run; it hides nothing of the base.
mkrootfs --layer "$image/app" "$app:/app/run"
