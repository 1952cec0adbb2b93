#!/bin/sh
# Network setup cost: how long a container takes to come up on a bridge with
# vethpair, alone and with N started at once (1, 10, 50 by default), as ratios to
# the single container, in one run.
#
# Usage: bench/net.sh [RUNS] [N...]   (as root; make first)
#
# Everything happens in a fake host (new mount, UTS and network namespaces): the
# bridge, the veth pairs and the addresses never touch this machine's network.
# A container counts as up when the program at the end of its chain runs (it says
# so on a FIFO); that is the setup cost: mkns --net, the vethpair requests, exec.
# Between rounds the containers are stopped and their devices allowed to go, so
# one round's teardown (the kernel's asynchronous cleanup_net) does not slow the
# next.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
PATH="$root/bin:$PATH"
export PATH

if [ "${1:-}" != --in-fake-host ]; then
	[ "$(id -u)" = 0 ] || { echo "bench/net.sh: run as root" >&2; exit 1; }
	[ -x "$root/bin/vethpair" ] || { echo "bench/net.sh: run make first" >&2; exit 1; }
	exec mkns --mount --uts --net -- "$0" --in-fake-host "$@"
fi
shift
runs=${1:-20}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- 10 50

dir=$(mktemp -d /tmp/boxstep-bench-net.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkfifo "$dir/up"

now() { date +%s%N; }

# round N: starts N containers at once on br0 and prints the microseconds until
# all N are up. The round runs as PID 1 of a pid namespace of its own: when it
# ends, the kernel ends its containers. Then their devices are allowed to go.
# shellcheck disable=SC2016 # expanded by the round's shell
ROUND='
	n=$1 up=$2 i=0
	exec 3<>"$up"
	t0=$(date +%s%N)
	while [ "$i" -lt "$n" ]; do
		mkns --net -- vethpair --bridge br0 --addr "10.77.$((i / 250)).$((i % 250 + 2))/16" -- \
			sh -c "echo up >\"\$0\"; exec sleep 600" "$up" &
		i=$((i + 1))
	done
	i=0
	while [ "$i" -lt "$n" ]; do
		read -r _ <&3
		i=$((i + 1))
	done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000))
'
round() {
	if ! timeout 120 mkns --pid -- sh -c "$ROUND" sh "$1" "$dir/up"; then
		echo "bench/net.sh: a round of $1 containers did not come up (see above)" >&2
		exit 1
	fi
	while [ "$(ip -o link show type veth | wc -l)" -gt 0 ]; do sleep 0.02; done
}

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

ms() { awk -v us="$1" 'BEGIN { printf "%.2f ms", us / 1000 }'; }

# The bridge exists before the first measurement: its creation is not a container's.
mkns --net -- vethpair --bridge br0 --bridge-addr 10.77.255.1/16 -- true

base=$(i=0; while [ "$i" -lt "$runs" ]; do
	t0=$(now); mkns --net -- true; t1=$(now); echo $(((t1 - t0) / 1000)); i=$((i + 1))
done | median)
one=$(i=0; while [ "$i" -lt "$runs" ]; do round 1; i=$((i + 1)); done | median)

echo "container setup on a bridge (mkns --net -- vethpair --bridge br0 --addr ...), in a fake host"
echo "tools built with: $(cat "$root/build/cc-used" 2>/dev/null || echo '?'); kernel $(uname -r); $(nproc) CPUs"
echo "medians of $runs runs; N at once: one run each after a warm-up"
echo
printf '%-34s %12s   %s\n' "" "time" "ratio to one container"
printf '%-34s %12s   %s\n' "a network namespace alone" "$(ms "$base")" "$(awk -v a="$base" -v b="$one" 'BEGIN { printf "%.2f", a / b }')"
printf '%-34s %12s   %s\n' "one container on the bridge" "$(ms "$one")" "1.00"
for n in "$@"; do
	round "$n" >/dev/null # warm-up: the bridge's forwarding table, the allocator
	all=$(round "$n")
	each=$((all / n))
	printf '%-34s %12s   %s\n' "$n at once: until all are up" "$(ms "$all")" \
		"$(awk -v a="$all" -v b="$one" 'BEGIN { printf "%.2f", a / b }')"
	printf '%-34s %12s   %s\n' "$n at once: per container" "$(ms "$each")" \
		"$(awk -v a="$each" -v b="$one" 'BEGIN { printf "%.2f", a / b }')"
done
vethpair --rm-bridge br0
