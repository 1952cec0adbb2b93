#!/usr/bin/env bats
# Grader for lab 16, the capstone: labs/lab.sh grade 16 [--dir PATH] runs it with
# LAB_WORK set to the folder holding the learner's container.sh. Each check's
# points are in its name. The name, the subnet and address, and the limits are
# drawn at random for each check, so a hard-coded answer fails. The script runs
# inside a fake host (new mount, UTS and network namespaces): its bridge, its veth
# ends and its mounts never reach the real machine.
#
# lab-requires: root mnt uts ipc pid net cgroup busybox

load ../../../tests/helpers
load capstone

bats_require_minimum_version 1.5.0

setup_file() { capstone_setup_file; }
setup() { capstone_setup; }

# covers: C13 C14
# hint: lessons/16-the-whole-container.md, section "A published port"
@test "[20] the web server answers on ADDR, through a veth on the bridge box0" {
	run in_host <<'EOF2'
start pid1 -- httpd -f -p 80 -h /www
echo "page: $(wait_page "${ADDR%/*}")"
echo "veths on box0: $(ip -o link show master box0 2>/dev/null | grep -c . || true)"
echo "box0: $(ip -4 -o addr show box0 2>/dev/null | awk '{ print $4 }')"
stop "$BG"
EOF2
	echo "container.sh ROOTFS ... pid1 -- httpd -f -p 80 -h /www; then GET http://${ADDR%/*}/ from the host:"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "page: $PAGE" ]
	[ "${lines[1]}" = "veths on box0: 1" ]
	[ "${lines[2]}" = "box0: $GATEWAY/24" ]
}

# covers: C22 C26 C29 C30
# hint: lessons/16-the-whole-container.md, section "Every common docker run flag, and its stage"
@test "[25] the limits hold: memory (a hog at 1.5x is killed, 137), CPU, pids" {
	run in_host <<'EOF2'
start pid1 -- sleep 1000
p=""
for _ in $(seq 100); do p=$(descendant "$BG" sleep) && break; sleep 0.05; done
[ -n "$p" ] && cinfo --target "$p" --format kv | grep -E '^cgroup\.(memory\.max|cpu\.max|pids\.max)=' | sort
stop "$BG"
box memhog $((MEMORY_MIB * 3 / 2)) >/dev/null 2>&1
echo "hog status $?"
EOF2
	echo "container.sh ROOTFS ... with MEMORY=$MEMORY CPUS=$CPUS PIDS=$PIDS; the container's cgroup, then memhog $((MEMORY_MIB * 3 / 2)):"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"cgroup.cpu.max=${CPUS#0.}0000 100000"* ]]
	[[ "$output" == *"cgroup.memory.max=$((MEMORY_MIB * 1048576))"* ]]
	[[ "$output" == *"cgroup.pids.max=$PIDS"* ]]
	[ "${lines[-1]}" = "hog status 137" ]
}

# covers: C38 C39 C40 C41 C43
# hint: lessons/16-the-whole-container.md, section "Every common docker run flag, and its stage"
@test "[25] least privilege: net_bind_service only, no_new_privs, Docker's seccomp profile" {
	run in_host <<'EOF2'
box cinfo --format kv | grep -E '^(cap\.(bnd|prm|eff)\.names|nnp|seccomp)='
box tryscall keyctl
EOF2
	echo "container.sh ROOTFS ... cinfo --format kv; then tryscall keyctl (EPERM under Docker's profile, EOPNOTSUPP without):"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"cap.bnd.names=net_bind_service"* ]]
	[[ "$output" =~ cap\.prm\.names=(net_bind_service)?$'\n' ]]
	[[ "$output" == *"nnp=1"* ]]
	[[ "$output" == *"seccomp=2"* ]]
	[ "${lines[-1]}" = "keyctl: EPERM" ]
}

# covers: C36 C53
# hint: lessons/16-the-whole-container.md, section "Check your work"
@test "[10] the root is read-only: a write to / fails, the image is unchanged" {
	local f=probe-$RANDOM
	run in_host <<EOF2
box sh -c 'echo x > /$f' 2>&1
echo "status \$?"
EOF2
	echo "container.sh ROOTFS ... sh -c 'echo x > /$f':"
	echo "$output"
	[[ "$output" == *"Read-only file system"* ]]
	[ "${lines[-1]}" != "status 0" ]
	[ ! -e "$ROOTFS/$f" ]
}

# covers: C03 C09
# hint: lessons/16-the-whole-container.md, section "Break it: the stages out of order"
@test "[10] the host is unchanged afterwards: hostname, mounts, links, cgroups, image" {
	(cd "$ROOTFS" && find . | sort) >image.before
	run in_host <<'EOF2'
hostname >host.before
awk '{ print $5 }' /proc/self/mountinfo | sort >mounts.before
echo "hostname inside: $(box hostname 2>/dev/null)"
box true 2>/dev/null
echo "status $?"
for _ in $(seq 100); do [ "$(ip -o link show type veth | grep -c .)" = 0 ] && break; sleep 0.05; done
awk '{ print $5 }' /proc/self/mountinfo | sort | diff mounts.before - >/dev/null && echo "mounts: same"
[ "$(hostname)" = "$(cat host.before)" ] && echo "hostname: same"
echo "veths left: $(ip -o link show type veth | grep -c . || true)"
echo "links: $(ip -o link show | awk -F': ' '{ print $2 }' | grep -v '^box0$' | paste -sd ' ')"
EOF2
	echo "container.sh ROOTFS $NAME ... hostname, then ... true; then the fake host:"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"hostname inside: $NAME"* ]]
	[[ "$output" == *"status 0"* ]]
	[[ "$output" == *"mounts: same"* ]]
	[[ "$output" == *"hostname: same"* ]]
	[[ "$output" == *"veths left: 0"* ]]
	[[ "$output" == *"links: lo"* ]]
	left=$(find /sys/fs/cgroup -name "*$NAME*" 2>/dev/null)
	[ -z "$left" ] || { echo "cgroups left: $left"; false; }
	(cd "$ROOTFS" && find . | sort) | diff image.before - || { echo "the image changed"; false; }
}
