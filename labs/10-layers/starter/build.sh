#!/bin/sh
# build.sh IMAGE APP: builds a two-layer image in the directory IMAGE: IMAGE/base, a
# busybox root, and IMAGE/app, a layer holding only the program APP at /app/run.
# See ../README.md.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: build.sh IMAGE APP" >&2
	exit 2
fi
image=$1
app=$2

mkdir -p "$image"
mkrootfs "$image/base"
# TODO: the app belongs in a layer of its own, IMAGE/app, holding nothing but
#       /app/run: not copied into the base, which every app shares.
mkdir -p "$image/base/app"
cp "$app" "$image/base/app/run"
