#!/usr/bin/env bats
# pivot: the new root, what is mounted in it, what stays out, volumes, errors, and
# the chroot escape it closes. Every chain runs in mkns --mount --pid; each test
# also checks that the host's mount table did not change.
# shellcheck disable=SC2016,SC2030,SC2031,SC2154 # inner shells expand; bats runs tests in subshells and sets $stderr
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	leak_snapshot
	requires root busybox
	ROOTFS=$BATS_FILE_TMPDIR/rootfs
	mkrootfs "$ROOTFS" >/dev/null
	# the probes the container runs, in its own /bin (the image has no glibc)
	cp "$BOXSTEP_ROOT/build/probes/chroot-escape" "$BOXSTEP_ROOT/build/probes/mknod-open" "$ROOTFS/bin/"
	echo "a file of the image" >"$ROOTFS/marker"
}

setup() {
	requires root busybox
	ROOTFS=$BATS_FILE_TMPDIR/rootfs
	cd "$BATS_TEST_TMPDIR" || return 1
	awk '{print $5}' /proc/self/mountinfo | sort >"$BATS_TEST_TMPDIR/mounts.before"
}

teardown() {
	awk '{print $5}' /proc/self/mountinfo | sort >"$BATS_TEST_TMPDIR/mounts.after"
	diff "$BATS_TEST_TMPDIR/mounts.before" "$BATS_TEST_TMPDIR/mounts.after"
}

# box [PIVOT-OPTIONS...] -- CMD...: CMD in ROOTFS, in new mount and pid namespaces.
box() {
	local opts=()
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	mkns --mount --pid -- pivot "${opts[@]}" "$ROOTFS" -- "$@"
}

# overlay_box UPPER CMD...: CMD in an overlay of ROOTFS with its own upper.
overlay_box() {
	local upper=$1
	shift
	mkdir -p merged
	mkns --mount --pid -- overlaymount --lower "$ROOTFS" --upper "$upper" --work "$upper.work" merged -- \
		pivot merged -- "$@"
}

@test "--help, --version and a usage error" {
	run pivot --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: pivot [--bind SRC:DST[:ro]]... "* ]]
	[[ "$output" == *'pivot_root(".", ".")'* ]]
	run pivot --version
	[[ "$output" == "pivot (boxstep) "* ]]
	run pivot --chrot rootfs
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "pivot: unknown option '--chrot'" ]
	[ "${lines[1]}" = "Try 'pivot --help'." ]
}

# covers: C10 C11
@test "inside: / is ROOT, another userland on the same kernel, no host path reachable" {
	run box -- sh -c 'cat /marker; uname -r; ls --help 2>&1 | head -1; test -e "$1" || echo "no $1"; pwd' sh "$BOXSTEP_ROOT"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "a file of the image" ]
	[ "${lines[1]}" = "$(uname -r)" ]
	[[ "${lines[2]}" == BusyBox* ]]
	[ "${lines[3]}" = "no $BOXSTEP_ROOT" ]
	[ "${lines[4]}" = / ]
}

@test "mountinfo lists no host mount; /proc is the container's" {
	run box -- sh -c 'awk "{print \$5}" /proc/self/mountinfo; echo "pid 1: $(cat /proc/1/comm), highest: $(ls /proc | grep -E "^[0-9]+$" | sort -n | tail -1)"'
	echo "$output"
	[ "$status" -eq 0 ]
	bad=$(echo "$output" | grep -v '^pid 1:' | grep -Ev '^/(proc(/.*)?|dev(/.*)?|sys(/.*)?|\.boxstep/bin)?$' || true)
	[ -z "$bad" ]
	[[ "${lines[-1]}" == "pid 1: sh, highest: "[0-9] ]] # a handful of the container's, no host process
}

# covers: C45
@test "masked and read-only paths: kcore, keys, timer_list are /dev/null; /proc/sys and /sys refuse writes" {
	run box -- sh -c '
		for f in /proc/kcore /proc/keys /proc/timer_list /proc/interrupts; do
			[ -e "$f" ] && echo "$f $(stat -c "%F %t:%T" "$f") $(wc -c < "$f")"
		done
		echo $(ls -A /proc/acpi) $(ls -A /sys/firmware) | wc -w
		echo box > /proc/sys/kernel/hostname || echo hostname-refused
		touch /sys/x 2>/dev/null || echo sys-refused
		grep -c " /sys ro," /proc/self/mountinfo'
	echo "$output"
	[ "$status" -eq 0 ]
	! echo "$output" | grep '^/proc/' | grep -qv 'character special file 1:3 0$' || false
	echo "$output" | grep -q '^/proc/keys '
	echo "$output" | grep -qx 0                       # the masked directories are empty
	echo "$output" | grep -qx hostname-refused
	echo "$output" | grep -qx sys-refused
	[ "${lines[-1]}" = 1 ]
}

@test "--no-masks (docker run --privileged): /proc/keys is the kernel's, /sys is writable" {
	run box --no-masks -- sh -c '
		stat -c "%F" /proc/keys
		grep -c " /proc/sys ro," /proc/self/mountinfo
		grep -c " /sys rw," /proc/self/mountinfo'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "regular empty file" ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = 1 ]
	run pivot --bare --no-masks "$ROOTFS"
	[ "$status" -eq 125 ]
	[[ "${lines[0]}" == *"leave out --no-masks" ]]
}

@test "/.boxstep/bin is read-only (remounted), and a boxstep tool runs from it" {
	run box -- sh -c 'grep " /.boxstep/bin " /proc/self/mountinfo; touch /.boxstep/bin/x || echo refused; /.boxstep/bin/cinfo --format kv | grep -c "^ns\."'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *" /.boxstep/bin ro,nosuid,nodev,"* ]]
	[[ "$output" == *"Read-only file system"* ]]
	[ "${lines[-2]}" = refused ]
	[ "${lines[-1]}" = 8 ]
}

@test "a boxstep stage after pivot runs from /.boxstep/bin, not from the image" {
	printf '#!/bin/sh\necho the image pretends to be mkns\n' >"$ROOTFS/bin/mkns"
	chmod +x "$ROOTFS/bin/mkns"
	run --separate-stderr env BOXSTEP_TRACE=1 mkns --mount --pid -- pivot "$ROOTFS" -- mkns --uts --hostname inner -- hostname
	rm "$ROOTFS/bin/mkns"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = inner ]
	grep -q '^pivot: execve("/.boxstep/bin/mkns", \["mkns", "--uts"' <<<"$stderr"
}

# covers: C11
@test "the kernel calls, in runc's order" {
	run --separate-stderr env BOXSTEP_TRACE=1 mkns --mount --pid -- pivot "$ROOTFS" -- true
	[ "$status" -eq 0 ]
	calls=$(grep '^pivot: ' <<<"$stderr" | grep -v '^pivot: #' |
		grep -e 'MS_REC|MS_PRIVATE' -e 'MS_BIND|MS_REC, NULL) = 0' -e 'MS_NODEV|MS_REMOUNT' -e '"proc"' \
			-e '"sysfs"' -e 'boxstep/bin' -e 'O_PATH' -e fchdir -e pivot_root -e umount2 -e chdir -e execve |
		sed -e 's/^pivot: //' -e 's/O_CLOEXEC) = [0-9]*$/O_CLOEXEC) = FD/' -e 's/^fchdir([0-9]*</fchdir(FD</' |
		grep -v '/proc/\(bus\|fs\|irq\|sys\)')
	echo "$calls"
	expected=$(cat <<EOF
mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL) = 0
mount("$ROOTFS", "$ROOTFS", NULL, MS_BIND|MS_REC, NULL) = 0
mount(NULL, "$ROOTFS", NULL, MS_NODEV|MS_REMOUNT|MS_BIND, NULL) = 0
mount("proc", "$ROOTFS/proc", "proc", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0
mount("sysfs", "$ROOTFS/sys", "sysfs", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0
mount("$BOXSTEP_ROOT/bin", "$ROOTFS/.boxstep/bin", NULL, MS_BIND, NULL) = 0
mount(NULL, "$ROOTFS/.boxstep/bin", NULL, MS_RDONLY|MS_NOSUID|MS_NODEV|MS_REMOUNT|MS_BIND, NULL) = 0
open("/", O_PATH|O_DIRECTORY|O_CLOEXEC) = FD
open("$ROOTFS", O_PATH|O_DIRECTORY|O_CLOEXEC) = FD
fchdir(FD<$ROOTFS>) = 0
pivot_root(".", ".") = 0
fchdir(FD<old />) = 0
mount(NULL, ".", NULL, MS_REC|MS_PRIVATE, NULL) = 0
umount2(".", MNT_DETACH) = 0
chdir("/") = 0
execve("/bin/true", ["true"]) = 0
EOF
)
	[ "$calls" = "$expected" ]
}

# covers: C11 C46
@test "a block device made with mknod cannot be opened: in /dev, in the image, in an overlay" {
	dev=$(stat -c '%Hd:%Ld' /)
	cd "$(dirname "$ROOTFS")"
	run mkns --mount --pid -- pivot ./rootfs -- sh -c "mknod-open /dev/disk $dev; mknod-open /tmp/disk $dev; mknod-open /root/disk $dev"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | grep -c '^mknod(.*) = 0$')" = 3 ]
	[ "$(echo "$output" | grep -c '^open(.*) = -1 EACCES (Permission denied)$')" = 3 ]
	cd "$BATS_TEST_TMPDIR"
	run overlay_box up sh -c "mknod-open /tmp/disk $dev"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[1]}" = 'open("/tmp/disk", O_RDONLY) = -1 EACCES (Permission denied)' ]
	# while the devices pivot binds in still work
	run box -- sh -c 'echo x > /dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c'
	[ "$output" = "$(printf '4\n4')" ]
}

# covers: C36
@test "--bind: a volume receives writes that the upper does not; :ro is read-only" {
	mkdir vol ro
	echo given >ro/file
	mkdir merged
	run mkns --mount --pid -- overlaymount --lower "$ROOTFS" --upper up --work up.work merged -- \
		pivot --bind "$PWD/vol:/data" --bind "$PWD/ro:/in:ro" --tmpfs /scratch:1M merged -- \
		sh -c 'echo log > /data/app.log; cat /in/file; echo x > /in/file || echo ro-refused; echo t > /scratch/t; df -k /scratch | tail -1'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat vol/app.log)" = log ]
	[ "$(cat ro/file)" = given ]
	[ "${lines[0]}" = given ]
	[[ "$output" == *ro-refused* ]]
	[[ "${lines[-1]}" == "tmpfs "*" 1024 "* ]]
	[ -z "$(find up -name app.log -o -name t -type f)" ]
	[ -d up/data ] && [ -z "$(ls -A up/data)" ] # the mount point, nothing more
}

@test "only descriptors 0-2 reach the program, even when the chain started with more" {
	exec 7>"$BATS_TEST_TMPDIR/held" 8</dev/null
	run box -- ls /proc/self/fd
	exec 7>&- 8<&-
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tr '\n' ' ')" = "0 1 2 3 " ] # 3: ls's own directory
}

@test "the working directory is / even when the chain started elsewhere; --chdir sets it" {
	cd "$BATS_TEST_TMPDIR"
	run box -- pwd
	[ "$output" = / ]
	run box --chdir /etc -- pwd
	[ "$output" = /etc ]
}

@test "--readonly: the root refuses writes, a volume still takes them" {
	mkdir vol
	run box --readonly --bind "$PWD/vol:/data" -- sh -c 'touch /x || echo refused; echo ok > /data/f'
	echo "$output"
	[ "${lines[-1]}" = refused ]
	[ "$(cat vol/f)" = ok ]
	[ ! -e "$ROOTFS/x" ]
}

# covers: C11
@test "the chroot escape: out with --chroot, stuck with pivot_root" {
	echo "host secret $RANDOM" >secret
	run box --chroot -- chroot-escape "$PWD/secret"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pivot: warning: --chroot: chroot(2) changes this process's root only; the host's mounts stay reachable (the escape of lesson 09). Never use it to isolate." ]
	[ "${lines[-1]}" = "chroot-escape: escaped: $PWD/secret says \"$(cat secret)\"" ]
	run box -- chroot-escape "$PWD/secret"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "chroot-escape: still inside: open(\"$PWD/secret\"): No such file or directory" ]
}

@test "--bare: bind, pivot_root, detach and nothing else" {
	run box --bare -- sh -c 'ls /proc | wc -l; ls /dev | wc -l; test -e /.boxstep/bin/pivot || echo no-tools'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '0\n0\nno-tools')" ]
}

@test "--bare under a shared / names the shared mount instead of a bare EINVAL" {
	run fake_host sh -c 'mount --make-rshared / && mkns --mount --propagation unchanged -- pivot --bare "$1" -- true' sh "$ROOTFS"
	echo "$output"
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "pivot: the current root (the mount on /) is shared (${lines[0]##*is shared (}" ]
	[[ "${lines[0]}" == *"): pivot_root(\".\", \".\") would fail with EINVAL" ]]
	[[ "${lines[1]}" == "pivot: hint: make the mounts private first"* ]]
}

@test "--no-tools: no /.boxstep/bin; a boxstep tool after it is refused" {
	run box --no-tools -- sh -c 'grep -c boxstep /proc/self/mountinfo'
	[ "$output" = 0 ]
	run box --no-tools -- cinfo
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "pivot: --no-tools binds no tools, but 'cinfo' is a boxstep tool (from ROOT it would be the image's own): leave out --no-tools" ]
}

@test "a read-only root without /.boxstep/bin is refused with a hint; with it, it runs" {
	mkdir -p bare/bin bare/proc bare/sys bare/dev empty merged
	cp "$ROOTFS/bin/busybox" bare/bin/
	run mkns --mount --pid -- overlaymount --lower empty:bare merged -- pivot merged -- /bin/busybox true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "pivot: ROOT $PWD/merged is read-only and has no .boxstep/bin to mount on" ]
	[[ "${lines[1]}" == "pivot: hint: mkrootfs creates proc, sys, dev and .boxstep/bin in every root"* ]]
	run mkns --mount --pid -- overlaymount --lower empty:bare merged -- pivot --no-tools merged -- /bin/busybox echo ran
	[ "$output" = ran ]
	run mkns --mount --pid -- overlaymount --lower "empty:$ROOTFS" merged -- pivot merged -- cinfo --format kv
	[ "$status" -eq 0 ]
	[[ "$output" == *"root=overlay overlay"* ]]
}

@test "in a user namespace: mqueue and sysfs need namespaces of their own, and the hints say so" {
	requires userns
	run mkns --user --map-root --mount --pid -- pivot "$ROOTFS" -- true
	[ "$status" -eq 125 ]
	[ "${lines[1]}" = "pivot: hint: in a user namespace mqueue needs an IPC namespace of its own: add mkns --ipc" ]
	run mkns --user --map-root --mount --pid --ipc -- pivot "$ROOTFS" -- true
	[ "${lines[1]}" = "pivot: hint: in a user namespace sysfs needs a network namespace of its own: add mkns --net" ]
	run mkns --user --map-root --mount --pid --ipc --net -- pivot "$ROOTFS" -- id -u
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
}

@test "exit statuses: the program's own, 127 when it is not found" {
	run box -- sh -c 'exit 42'
	[ "$status" -eq 42 ]
	run -127 box -- /no/such/program
	[ "${lines[0]}" = 'pivot: execve("/no/such/program", ["/no/such/program"]): No such file or directory' ]
}

# refused ARGS... EXPECTED: exit 125, EXPECTED as the first line, ROOTFS untouched.
refused() {
	local expected=${*: -1}
	local before
	before=$(find "$ROOTFS" | sort)
	run "${@:1:$#-1}"
	echo "$output"
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "$expected" ]
	[ "$(find "$ROOTFS" | sort)" = "$before" ]
}

@test "bad input: exit 125, one line, nothing mounted or created" {
	touch afile
	refused pivot "$ROOTFS" -- true "pivot: refusing: this is the host's initial mount namespace (the same as kthreadd's), not one of its own"
	refused mkns --mount -- pivot "pivot: missing ROOT: the directory to make the new root"
	refused mkns --mount -- pivot nowhere -- true 'pivot: ROOT: stat("nowhere"): No such file or directory'
	refused mkns --mount -- pivot afile -- true "pivot: ROOT 'afile' is not a directory"
	refused mkns --mount -- pivot / -- true "pivot: ROOT is /, the current root: pivot_root(2) needs another directory"
	refused mkns --mount -- pivot --bind nowhere:/x "$ROOTFS" -- true 'pivot: volume: stat("nowhere"): No such file or directory'
	refused mkns --mount -- pivot --bind "$PWD:rel" "$ROOTFS" -- true "pivot: invalid destination 'rel' for --bind: an absolute path inside ROOT"
	refused mkns --mount -- pivot --bind "$PWD:/a/../../x" "$ROOTFS" -- true "pivot: invalid destination '/a/../../x' for --bind: not /, no '..'"
	refused mkns --mount -- pivot --tmpfs /t:lots "$ROOTFS" -- true "pivot: invalid size 'lots' for --tmpfs: a size such as 64M"
	refused mkns --mount -- pivot --bare --readonly "$ROOTFS" -- true "pivot: --bare does only bind, pivot_root and detach: leave out --readonly"
	refused mkns --mount -- pivot --chdir / --chdir /tmp "$ROOTFS" -- true "pivot: option '--chdir' given twice"
}

@test "an image whose proc, sys or dev is a symlink is refused, nothing mounted" {
	local d link
	for d in proc sys dev; do
		for link in /etc ../../../etc; do
			rm -rf img
			cp -a "$ROOTFS" img
			rm -rf "img/$d"
			ln -s "$link" "img/$d"
			run mkns --mount -- pivot img -- true
			echo "$output"
			[ "$status" -eq 125 ]
			[ "${lines[0]}" = "pivot: refusing ROOT: $PWD/img/$d is a symbolic link; a mount there could land outside ROOT" ]
			[ ! -e img/.boxstep/bin/pivot ]
		done
	done
}

@test "mkrootfs --from-host: /bin/ls with its libraries runs inside pivot" {
	mkrootfs --from-host /bin/ls host-ls >/dev/null
	run mkns --mount --pid -- pivot "$PWD/host-ls" -- /bin/ls /
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *lib* ]] && [[ "$output" == *proc* ]]
	[ ! -e host-ls/bin/sh ] # no shell, no busybox: only ls and what it needs
}

# covers: C17 C26
@test "/sys/fs/cgroup inside is read-only and shows the container's own cgroup and limits" {
	export BOXSTEP_CGROUP_PARENT=self
	run cgset --memory 48M -- mkns --mount --pid --cgroup -- pivot "$ROOTFS" -- sh -c '
		touch /sys/fs/cgroup/x 2>/dev/null || echo refused
		/.boxstep/bin/cinfo --format kv | grep -E "^cgroup(\.memory)?\.max=|^cgroup=/$"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = refused ]
	[[ "$output" == *"cgroup.memory.max=50331648"* ]]
}

@test "--chdir to a directory ROOT lacks is refused before anything is mounted or made" {
	mkdir -p "$BATS_TEST_TMPDIR/bare/bin"
	run mkns --mount --pid -- pivot --chdir /nope "$BATS_TEST_TMPDIR/bare" -- /bin/true
	[ "$status" -eq 125 ]
	[ "$output" = "pivot: --chdir /nope: no such directory in ROOT" ]
	[ "$(ls -A "$BATS_TEST_TMPDIR/bare")" = bin ]
	run box --tmpfs /scratch --chdir /scratch -- pwd
	[ "$output" = /scratch ]
}

@test "a read-only volume of / shows none of the host's mounts below it, so nothing in it is writable" {
	run box --bind /:/host:ro -- sh -c 'touch /host/dev/shm/boxstep-x 2>/dev/null || echo refused; ls -A /host/proc | wc -l'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = refused ]
	[ "${lines[1]}" = 0 ]
}
