#!/bin/sh
# run.sh PROGRAM [ARGS...]: runs PROGRAM, a web server that must serve on port 80,
# with the least privilege it needs (lab 11, README.md).
#
# One capability, CAP_NET_BIND_SERVICE, kept through execve by the ambient set for
# uid 1000; no_new_privs so no setuid program gives root back; Docker's seccomp
# profile, with ptrace refused as well: a web server traces nothing.
set -eu
exec capdrop --keep net_bind_service --ambient net_bind_service --user 1000 --no-new-privs -- \
	seccompbpf --profile default --deny ptrace -- "$@"
