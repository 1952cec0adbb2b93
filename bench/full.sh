#!/bin/sh
# The whole container, measured (results in README.md, "Benchmark"):
#  1. start-to-exit of /bin/true in a full container (cgroup with memory, CPU and pids
#     limits; mount, UTS, IPC, pid, net and cgroup namespaces; an overlay root with
#     /proc, /dev, /sys and masks; Docker's 14 capabilities; Docker's seccomp
#     profile), run in turn:
#       floor    bench/full-floor.c: one C program making the chain's kernel calls
#       chain    cgset -- mkns -- overlaymount -- pivot -- capdrop -- seccompbpf -- /bin/true
#       boxrun   boxrun --rootfs ... --memory ... -- /bin/true (the same chain, from bash)
#       crun, runc   crun run / runc run of an OCI bundle asking for the same (the same
#                root filesystem, read directly: no overlay), when installed
#       bwrap    bwrap --unshare-all on the same root: namespaces and mounts only
#       unshare  unshare(1): the six namespaces only, no root, no limits
#     medians, 10th and 90th percentiles, and each median over the floor's;
#  2. the memory of the processes that stay resident beside a running container
#     (cgset's and mkns's supervisors; boxrun's bash);
#  3. 100 containers started at once on one shared base layer: the time until all run,
#     the disk and the memory each one costs.
# Everything runs in a fake host (new mount, UTS and network namespaces); cgroups go
# below this shell's own. crun, runc and bwrap come from Debian's packages: this
# script installs the missing ones (as make bench does; make test never does).
# Usage: bench/full.sh [RUNS] [N]   (as root; RUNS default 200, N containers 100)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-200}
n=${2:-100}
[ "$(id -u)" = 0 ] || { echo "bench/full.sh: run as root" >&2; exit 1; }
PATH=$root/bin:$PATH
BOXSTEP_CGROUP_PARENT=self
export PATH BOXSTEP_CGROUP_PARENT

if [ "${BENCH_IN_FAKE_HOST:-}" != 1 ]; then
	make -s -C "$root" build/bench/full-floor build/bench/full-timer
	missing=""
	command -v crun >/dev/null || missing="$missing crun"
	command -v runc >/dev/null || missing="$missing runc"
	command -v bwrap >/dev/null || missing="$missing bubblewrap"
	if [ -n "$missing" ]; then
		echo "installing from Debian's packages:$missing"
		# shellcheck disable=SC2086 # one word per package
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null 2>&1 ||
			echo "(could not install$missing: left out)"
	fi
	BENCH_IN_FAKE_HOST=1 exec "$root/bin/mkns" --mount --uts --net -- sh "$0" "$runs" "$n"
fi

dir=$(mktemp -d /tmp/boxstep-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
mkrootfs base >/dev/null
mkdir -p floor/m floor/up floor/work chain/m bundle

echo "== 1. start-to-exit of /bin/true in a full container ($runs runs each, in turn, in a random order each round)"
echo "kernel $(uname -r), $(nproc) CPUs, tools built with: $(cat "$root/build/cc-used")"

# The OCI bundle: what the chain does, as config.json says it (runc spec's shape).
caps='"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"'
cat >bundle/config.json <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false, "user": { "uid": 0, "gid": 0 }, "args": ["/bin/true"],
    "env": ["PATH=/bin:/sbin"], "cwd": "/", "noNewPrivileges": true,
    "capabilities": { "bounding": [$caps], "effective": [$caps], "permitted": [$caps] }
  },
  "root": { "path": "$dir/base", "readonly": false },
  "hostname": "bench",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
    { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"] }
  ],
  "linux": {
    "resources": { "memory": { "limit": 67108864 }, "cpu": { "quota": 50000, "period": 100000 }, "pids": { "limit": 64 } },
    "namespaces": [ { "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }, { "type": "cgroup" } ],
    "seccomp": $("$root/build/bench/full-floor" --oci-seccomp),
    "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
      "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi", "/proc/interrupts", "/sys/devices/virtual/powercap"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}
EOF

set -- floor "$root/build/bench/full-floor" base floor/up floor/work floor/m "$root/bin" \
	::: chain cgset --memory 64m --cpus 0.5 --pids 64 -- \
	mkns --mount --uts --ipc --pid --net --cgroup --hostname bench -- \
	overlaymount --lower "$dir/base" --upper chain/up --work chain/work chain/m -- pivot chain/m -- \
	capdrop --keep default -- seccompbpf --profile default -- /bin/true \
	::: boxrun boxrun --rootfs base --state "$dir/state" --name b --memory 64m --cpus 0.5 --pids-limit 64 -- /bin/true
left=""
if command -v crun >/dev/null && crun run -b bundle bench-crun >/dev/null 2>&1; then
	set -- "$@" ::: "crun $(crun --version | sed -n 's/^crun version //p')" crun run -b bundle bench-crun
elif command -v crun >/dev/null; then
	left="$left crun ($(crun run -b bundle bench-crun 2>&1 | tail -n 1))"
else left="$left crun"; fi
if command -v runc >/dev/null && runc run -b bundle bench-runc >/dev/null 2>&1; then
	set -- "$@" ::: "runc $(runc --version | sed -n 's/^runc version //p' | cut -d+ -f1)" runc run -b bundle bench-runc
elif command -v runc >/dev/null; then
	left="$left runc ($(runc run -b bundle bench-runc 2>&1 | tail -n 1))"
else left="$left runc"; fi
if command -v bwrap >/dev/null; then
	set -- "$@" ::: bwrap bwrap --unshare-all --hostname bench --bind base / --proc /proc --dev /dev /bin/true
else left="$left bwrap"; fi
set -- "$@" ::: unshare unshare --mount --uts --ipc --pid --net --cgroup --fork /bin/true
[ -z "$left" ] || echo "left out (not installed, or failed here):$left"
echo
echo "| start-to-exit of /bin/true | median | p10 | p90 | x floor |"
echo "|---|---|---|---|---|"
"$root/build/bench/full-timer" --markdown "$runs" "$@"

# pss PID: the proportional set size of a process in KiB (shared pages divided
# among the processes sharing them), from smaps_rollup.
pss() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup"; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
child() { cut -d' ' -f1 "/proc/$1/task/$1/children"; }

echo
echo "== 2. resident beside a running container: the supervisors"
mkfifo ready
cgset --memory 64m --cpus 0.5 --pids 64 -- mkns --mount --uts --ipc --pid --net --cgroup -- \
	overlaymount --lower "$dir/base" --upper chain/up --work chain/work chain/m -- \
	pivot --bind "$dir/ready:/ready" chain/m -- capdrop --keep default -- seccompbpf --profile default -- \
	pid1 -- sh -c 'echo up >/ready; exec sleep 1000' &
cg=$!
read -r _ <ready
mk=$(child "$cg")
echo "| process | VmRSS | VmHWM (peak) | Pss |"
echo "|---|---|---|---|"
echo "| cgset (supervisor: the cgroup's report and removal) | $(rss "$cg") KiB | $(hwm "$cg") KiB | $(pss "$cg") KiB |"
echo "| mkns (supervisor: PID 1's parent, signal forwarding) | $(rss "$mk") KiB | $(hwm "$mk") KiB | $(pss "$mk") KiB |"
kill -TERM "$cg"
wait "$cg" || true
boxrun --rootfs base --state "$dir/state" --name mem --rm --init -v "$dir/ready:/ready" -- \
	sh -c 'echo up >/ready; exec sleep 1000' &
br=$!
read -r _ <ready
echo "| boxrun (bash; only with -p, --network bridge or --rm: what to undo) | $(rss "$br") KiB | $(hwm "$br") KiB | $(pss "$br") KiB |"
kill -TERM "$br"
wait "$br" || true

echo
echo "== 3. $n containers started at once on one shared base layer"
# Each runs pid1 and sleep until told to stop; each says it is up on the same FIFO.
exec 3<>ready
start=$(date +%s%N)
i=0
while [ "$i" -lt "$n" ]; do
	mkdir -p "c/$i/m"
	BENCH_TAG=$dir cgset --name "boxstep-bench-$i" --memory 64m --cpus 0.5 --pids 64 -- \
		mkns --mount --uts --ipc --pid --net --cgroup -- \
		overlaymount --lower "$dir/base" --upper "c/$i/up" --work "c/$i/work" "c/$i/m" -- \
		pivot --bind "$dir/ready:/ready" "c/$i/m" -- capdrop --keep default -- seccompbpf --profile default -- \
		pid1 -- sh -c "echo $i >/tmp/id; echo up >/ready; exec sleep 1000" &
	echo "$!" >>pids
	i=$((i + 1))
done
i=0
while [ "$i" -lt "$n" ]; do
	read -r _ <&3
	i=$((i + 1))
done
ms=$((($(date +%s%N) - start) / 1000000))
total_pss=0 procs=0
for p in /proc/[0-9]*; do
	if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx "BENCH_TAG=$dir"; then
		total_pss=$((total_pss + $(pss "${p#/proc/}" 2>/dev/null || echo 0)))
		procs=$((procs + 1))
	fi
done
base_kib=$(du -sk base | cut -f1)
c_kib=$(du -sk c | cut -f1)
echo "| $n containers at once | |"
echo "|---|---|"
echo "| until all run | $ms ms ($((ms * 1000 / n)) us per container) |"
echo "| memory (Pss of their $procs processes) | $((total_pss / n)) KiB per container |"
echo "| disk: the shared base layer | $base_kib KiB, once |"
echo "| disk: each container's upper and work | $((c_kib / n)) KiB ($c_kib KiB in all; $((base_kib * n)) KiB as full copies) |"
while read -r p; do kill -TERM "$p"; done <pids
wait || true
exec 3<&-
