#!/bin/sh
# run.sh PROGRAM [ARGS...]: runs PROGRAM, a web server that must serve on port 80,
# with the least privilege it needs (lab 11, README.md).
#
# As it stands PROGRAM runs as root with every capability root has here, and no
# seccomp filter: it serves, and anything that breaks into it owns the machine.
#
# TODO: keep only the one capability a server needs to bind port 80, and make it
#       survive the switch to uid 1000 (lessons/11-capabilities.md)
# TODO: run as uid 1000, and let no setuid program hand root back
# TODO: a seccomp filter: Docker's default profile, and ptrace refused too
#       (lessons/12-seccomp.md)
set -eu
exec capdrop -- "$@"
