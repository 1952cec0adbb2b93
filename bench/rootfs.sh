#!/bin/sh
# A container on an overlay root, two ways:
#  1. start-to-exit of the chain
#       mkns --mount --pid -- overlaymount --lower app:base ... -- pivot merged -- /bin/true
#     against rootfs-direct, one C process making the same kernel calls (the cost of
#     three execs, validation and the checks, over the calls themselves);
#  2. the disk 100 containers cost on one busybox base (goal: under 100 KiB each
#     beyond what they write).
# Usage: bench/rootfs.sh [RUNS]   (as root; make builds the tools)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-300}
[ "$(id -u)" = 0 ] || { echo "bench/rootfs.sh: run as root" >&2; exit 1; }
[ -x "$root/build/bench/rootfs-direct" ] || make -s -C "$root" build/bench/rootfs-direct
PATH=$root/bin:$PATH
export PATH

dir=$(mktemp -d /tmp/boxstep-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
mkrootfs base
printf '#!/bin/sh\necho hello\n' >hello.sh
chmod +x hello.sh
mkrootfs --layer app hello.sh:/app/hello.sh
mkdir m1 m2 up1 work1 up2 work2

echo "start-to-exit of /bin/true in an overlay root (app:base), new mount and pid namespaces ($runs runs each)"
echo "built with: $(cat "$root/build/cc-used")"
"$root/build/bench/latency" "$runs" \
	chain mkns --mount --pid -- overlaymount --lower app:base --upper up1 --work work1 m1 -- pivot m1 -- /bin/true ::: \
	direct "$root/build/bench/rootfs-direct" app:base up2 work2 m2 "$root/bin"

echo
echo "disk: 100 containers on the same layers, each writing one 3-byte file"
i=0
while [ "$i" -lt 100 ]; do
	mkns --mount --pid -- overlaymount --lower app:base --upper "c/$i/up" --work "c/$i/work" m1 -- \
		pivot m1 -- sh -c "echo $i > /tmp/id"
	i=$((i + 1))
done
base=$(du -sk base | cut -f1)
all=$(du -sk c | cut -f1)
echo "base layer (shared): $base KiB"
echo "100 containers: $all KiB in all, $((all / 100)) KiB each (upper + work, their writes included)"
echo "100 full copies of the base would take $((base * 100)) KiB"
