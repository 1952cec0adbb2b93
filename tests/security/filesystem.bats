#!/usr/bin/env bats
# Escape attempts through the filesystem and through what the host hands down:
# the chroot walk, /proc's writable and readable host interfaces, a device node
# made with mknod, a descriptor left open. Each fails inside the full chain
# (tests/security/chain.bash); the same test shows it getting through when the
# stage that stops it is left out. The host is compared before and after.
# shellcheck disable=SC2016,SC2030,SC2031 # inner shells expand; bats runs tests in subshells
bats_require_minimum_version 1.5.0
load ../helpers
load chain

setup_file() { security_setup_file; }
setup() { security_setup; }
teardown() { security_teardown; }

# covers: C46
@test "chroot and chdir(\"..\"): stuck inside pivot_root; out of a chroot" {
	run box -- chroot-escape "$HOST_SECRET"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "chroot-escape: still inside: open(\"$HOST_SECRET\"): No such file or directory" ]
	# the same chain with pivot --chroot: CAP_SYS_CHROOT is one of Docker's 14
	run box --chroot -- chroot-escape "$HOST_SECRET"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "chroot-escape: escaped: $HOST_SECRET says \"the host's secret\"" ]
}

# covers: C45
@test "writing /proc/sys/kernel/*: EROFS (read-only); without pivot's masks it reaches the sysctl" {
	refused_inside proc-sys EROFS
	run box --no-pivot -- tryscall proc-sys
	echo "without pivot: $output"
	[ "$output" = "proc-sys: EINVAL" ]
}

# covers: C45 C46
@test "writing /proc/sysrq-trigger: refused inside; this kernel has none to reach" {
	run box -- sh -c 'echo h > /proc/sysrq-trigger 2>&1 || echo refused'
	echo "full chain: $output"
	[ "${lines[-1]}" = refused ]
	[ -e /proc/sysrq-trigger ] || skip "this kernel has no /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ off): nothing to show past the masks"
	run box -- tryscall sysrq-trigger
	[ "$output" != "sysrq-trigger: ok" ]
}

# covers: C45
@test "reading /proc/kcore: refused inside; this kernel has none to read" {
	run box -- tryscall kcore
	echo "full chain: $output"
	[ "$output" != "kcore: ok" ]
	[ -e /proc/kcore ] || skip "this kernel has no /proc/kcore (CONFIG_PROC_KCORE off): nothing to show past the masks"
	# a masked file is /dev/null bound over it: it opens and reads nothing
	run box -- sh -c 'wc -c < /proc/kcore'
	[ "$output" = 0 ]
}

# A block device the host's root can open from a node made in a plain directory:
# the root filesystem's disk, or else the first loop device (some machines refuse
# even root its own disk).
openable_disk() {
	local dev
	for dev in "$(mountpoint -d /)" 7:0; do
		[ -e "/sys/dev/block/$dev" ] || continue
		if mknod-open "$BATS_TEST_TMPDIR/probe-node" "$dev" >/dev/null; then
			echo "$dev"
			return 0
		fi
	done
	return 1
}

# covers: C44 C46
@test "a block device made with mknod: made (CAP_MKNOD, as Docker), not opened (nodev); outside nodev it opens" {
	disk=$(openable_disk) || disk=$(mountpoint -d /)
	run box -- mknod-open /tmp/disk "$disk"
	echo "full chain: $output"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "mknod(\"/tmp/disk\", S_IFBLK|0600, makedev(${disk%:*}, ${disk#*:})) = 0" ]
	[ "${lines[1]}" = "open(\"/tmp/disk\", O_RDONLY) = -1 EACCES (Permission denied)" ]
	openable_disk >/dev/null || skip "no block device here that even the host's root may open: nothing to show past nodev"
	# the same stages on the host's own filesystem, which is not nodev: the read-only
	# open (it reads nothing) succeeds, a door to the host's disk
	run box --no-pivot -- mknod-open "$BATS_TEST_TMPDIR/disk" "$disk"
	echo "without the nodev mounts: $output"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "open(\"$BATS_TEST_TMPDIR/disk\", O_RDONLY) = 3" ]
	[ ! -e "$BATS_TEST_TMPDIR/disk" ]
}

# covers: C46
@test "a descriptor the host left open: closed before the program (EBADF); kept, it reaches the host" {
	exec 5<"$BATS_FILE_TMPDIR"
	run box -- sh -c 'tryscall fd 5; tryscall fd 3; cat /proc/self/fd/5/host-secret 2>&1 || echo "no fd 5"; ls /proc/self/fd | sort -n | tr "\n" " "'
	echo "full chain: $output"
	[ "${lines[0]}" = "fd: EBADF" ]
	[ "${lines[1]}" = "fd: EBADF" ] # mkns --net's handle on the outer network namespace
	[ "${lines[-2]}" = "no fd 5" ]
	# what the chain would hand down without the last stage's close_range
	BOXSTEP_PRESERVE_FDS=5 run box -- sh -c 'tryscall fd 5; cat /proc/self/fd/5/host-secret'
	exec 5<&-
	echo "with BOXSTEP_PRESERVE_FDS=5: $output"
	[ "${lines[0]}" = "fd: ok" ]
	[ "${lines[1]}" = "the host's secret" ]
}
