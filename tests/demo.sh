#!/bin/sh
# make demo: one whole container, every stage of it: cgroup limits, new namespaces, a
# veth on a bridge, an overlay root, pivot_root, Docker's capabilities and seccomp
# profile. It shows the chain (boxrun --print), the kernel calls that made the
# container, stage by stage, and cinfo's report from inside. The bridge and the
# container's network live in a throw-away "fake host" (new mount, UTS and network
# namespaces), so the machine's own network is never touched; everything else is
# removed at the end.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
PATH="$root/bin:$PATH"
export PATH
[ "$(id -u)" = 0 ] || { echo "make demo: run as root (sudo make demo)" >&2; exit 1; }
command -v busybox >/dev/null || { echo "make demo: busybox-static is missing (make deps installs it)" >&2; exit 1; }

work=$(mktemp -d /tmp/boxstep-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
# The container's cgroup goes below this shell's own, and leaves with it.
BOXSTEP_CGROUP_PARENT=self
export BOXSTEP_CGROUP_PARENT

mkrootfs rootfs >/dev/null
cinfo --format kv >host.kv
# shellcheck disable=SC2016 # the container's shell expands $2 and $4
set -- --rootfs "$work/rootfs" --state "$work/state" --name demo --rm \
	--memory 64m --cpus 0.5 --pids-limit 64 --network bridge -v "$work/host.kv:/host.kv:ro" -- \
	sh -c 'ip -4 -o addr show eth0 | awk "{ print \"network:\", \$2, \$4 }"
		ping -c 1 -W 2 10.88.0.1 | grep " bytes from "; echo
		exec /.boxstep/bin/cinfo --ref-file /host.kv'

cat <<'TEXT'
== boxstep demo: one whole container ==

A container is an ordinary process that a chain of small programs prepared, one
kernel feature each. This is the container boxrun builds for

  boxrun --rootfs rootfs --name demo --memory 64m --cpus 0.5 --pids-limit 64 \
         --network bridge --rm -- sh -c 'cinfo; ip addr; ping the bridge'

(rootfs: a busybox root filesystem just made with mkrootfs). boxrun --print shows
the chain it stands for, one stage per line: copy it, change it, run it by hand.

TEXT
boxrun --print "$@" | sed 's/^/  /'

cat <<'TEXT'

cgset makes a cgroup with the limits; mkns the namespaces (mount, UTS, IPC, pid,
network, cgroup); vethpair a veth pair from the new network namespace to the bridge
boxstep0; overlaymount a writable layer over the image; pivot makes it the root
(with /proc, /dev, /sys, masked paths); capdrop keeps Docker's 14 capabilities;
seccompbpf installs Docker's syscall filter. Each does its step and execs the next.

Running it, in a fake host (its own network, so the bridge is made there), with
BOXSTEP_TRACE=1: every stage prints the kernel calls it makes.
TEXT

# The fake host: the chain runs in it with the trace on descriptor 3, the
# container's output in out.
mkns --mount --uts --net -- sh -c '
	BOXSTEP_TRACE=1 BOXSTEP_TRACE_FD=3 boxrun "$@" >out 2>&1 3>trace
	echo "$?" >status' sh "$@"

cat <<'TEXT'

== the kernel calls, stage by stage ==
(most calls are shown twice at most per stage, the rest counted at the end of
the stage; BOXSTEP_TRACE=1 on the chain shows every line)
TEXT
awk -F': ' '
	BEGIN {
		what["boxrun"] = "boxrun: the container'"'"'s directory"
		what["cgset"] = "cgset: a cgroup, its limits, then it forks: the child joins and goes on"
		what["mkns"] = "mkns: the namespaces, the hostname; it forks: the child is PID 1"
		what["vethpair"] = "vethpair: rtnetlink requests: eth0 inside, its peer on the bridge"
		what["overlaymount"] = "overlaymount: the writable layer over the image"
		what["pivot"] = "pivot: /proc, /dev, /sys, masked paths, then pivot_root"
		what["capdrop"] = "capdrop: every capability but Docker'"'"'s 14 leaves"
		what["seccompbpf"] = "seccompbpf: the filter, then the program"
	}
	function flush(   c, t) {
		t = ""
		for (c in hidden) t = t (t ? ", " : "") c " x" hidden[c]
		if (t) printf "    %s: ... and %s\n", stage, t
		delete hidden; delete shown
	}
	{
		s = $1; c = substr($0, length(s) + 3); sub(/\(.*/, "", c)
		if (c ~ /^#/) c = "#"
		if (s != stage) {
			flush()
			if (s == "cgset" && seen[s]) print "  -- cgset, after the program: its report, then the clean-up"
			else if (!seen[s]) print "  -- " (s in what ? what[s] : s)
			seen[s] = 1; stage = s
		}
		keep = (c == "#" && $0 !~ /absent on this kernel/) || c == "sendmsg" || c == "execve" || (s == "cgset" && c == "write") || shown[c] < 2
		if (c == "recvmsg" || c == "setsockopt") keep = 0
		if (keep) { shown[c]++; print "    " $0 } else hidden[c == "#" ? "comments" : c]++
	}
	END { flush() }' trace

cat <<'TEXT'

== inside: cinfo's report, compared with the host ("new": not the host's) ==
TEXT
sed 's/^/  /' out
status=$(cat status)

cat <<TEXT

== afterwards ==
  the chain's exit status: $status
  cgroup boxstep-demo: $(find /sys/fs/cgroup -name boxstep-demo 2>/dev/null | grep -q . && echo "still there" || echo "removed by cgset")
  container state: $([ -e "$work/state/demo" ] && echo "still there" || echo "removed (--rm)")
  the veth pair, the bridge, the mounts: gone with the namespaces that held them

Every namespace but user and time differs from the host's, the process is PID 1,
its root is the overlay, it keeps 14 capabilities, no_new_privs is set and a
seccomp filter checks every syscall. cgset wrote the limits before anything ran.

== all eight ==
Docker leaves two types out: user (its root is the host's root unless
userns-remap) and time. mkns makes all eight; uid 0 inside is then whatever the
map says (here, with --map-root, your own uid):

  mkns --all --user --map-root --hostname demo8 --mount-proc -- cinfo --ref-file host.kv

TEXT
[ "$status" = 0 ]
mkns --all --user --map-root --hostname demo8 --mount-proc -- cinfo --ref-file host.kv |
	sed -n '/^namespaces/,/^ids/p' | sed '$d' | sed 's/^/  /'
echo
echo "Next: lessons/README.md, then lesson 16 puts the container above together by hand."
