#!/bin/sh
# What a seccomp filter costs: BPF instructions per syscall (seccompbpf's binary
# search against a linear list of the same rules) and ns per call with no filter
# and with Docker's default profile. Usage: bench/seccomp.sh [CALLS]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
echo "seccomp filters (build/bench/seccomp, built with: $(cat "$root/build/cc-used"))"
exec "$root/build/bench/seccomp" "${1:-2000000}"
