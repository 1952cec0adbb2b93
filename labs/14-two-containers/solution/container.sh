#!/bin/sh
# container.sh BRIDGE SUBNET N [CMD...]: runs CMD (default /bin/sh) in a container
# on bridge BRIDGE with the address SUBNET.N/24. See ../README.md.
set -eu

if [ $# -lt 3 ]; then
	echo "usage: container.sh BRIDGE SUBNET N [CMD...]" >&2
	exit 2
fi
bridge=$1 subnet=$2 n=$3
shift 3

# --net: a network namespace of its own, with lo only; --pid --mount-proc: CMD is
#   PID 1 and sees its own processes; --uts, --mount: hostname and mounts its own.
# vethpair: the cable. Its container end is eth0 with the address, brought up with
#   lo and a default route; the host end goes on the bridge, which vethpair creates
#   with $subnet.1/24 the first time (--bridge-addr). The pair lives in the
#   container's namespace, so it goes when the container ends.
exec mkns --net --uts --hostname "box$n" --pid --mount --mount-proc -- \
	vethpair --bridge "$bridge" --bridge-addr "$subnet.1/24" \
	--addr "$subnet.$n/24" --gateway "$subnet.1" -- "$@"
