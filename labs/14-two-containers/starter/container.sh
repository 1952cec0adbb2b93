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

# TODO: connect the container: a veth pair from its network namespace to the
#       bridge "$bridge" (created with the address $subnet.1/24 when missing), the
#       address $subnet.$n/24 inside, lo up, a default route through $subnet.1.
echo "container.sh: no network yet for $subnet.$n on $bridge (see the TODO)" >&2
exec mkns --net --uts --pid --mount --mount-proc -- "$@"
