#!/usr/bin/env bats
# mkrootfs: a busybox root, host programs with their libraries, application layers.
# shellcheck disable=SC2016,SC2030,SC2031,SC2154 # inner shells expand; bats runs tests in subshells and sets $stderr
bats_require_minimum_version 1.5.0
load helpers

setup() {
	requires root
	cd "$BATS_TEST_TMPDIR" || return 1
}

@test "--help, --version and usage errors" {
	run mkrootfs --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Usage: mkrootfs DIR | mkrootfs --from-host PROGRAM... DIR | mkrootfs --layer DIR FILE[:DEST]..." ]
	[[ "$output" == *"python3 also need their library trees"* ]]
	run mkrootfs --version
	[[ "$output" == "mkrootfs (boxstep) "* ]]
	run mkrootfs
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "mkrootfs: missing DIR" ]
	[ "${lines[1]}" = "Try 'mkrootfs --help'." ]
	run mkrootfs a b
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "mkrootfs: expected one DIR (to copy host programs: --from-host)" ]
	run mkrootfs --from-host --layer a b
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "mkrootfs: give either --from-host or --layer" ]
}

# covers: C10
@test "mkrootfs DIR: the layout, busybox with its applets as links, passwd and group" {
	requires busybox
	run mkrootfs rootfs
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	for d in bin sbin etc dev proc sys tmp root usr/bin usr/sbin .boxstep/bin; do
		[ -d "rootfs/$d" ] || { echo "no $d"; false; }
	done
	[ "$(stat -c %a rootfs/tmp)" = 1777 ]
	[ "$(stat -c %a rootfs/root)" = 700 ]
	cmp rootfs/bin/busybox /bin/busybox
	[ "$(readlink rootfs/bin/sh)" = busybox ]
	[ "$(readlink rootfs/sbin/ip)" = ../bin/busybox ]
	[ "$(readlink rootfs/usr/bin/awk)" = ../../bin/busybox ]
	[ "$(find rootfs -type l | wc -l)" -eq "$(($(busybox --list-full | grep -c /) - 1))" ]
	[ -z "$(find -L rootfs -type l)" ] # no dangling link
	grep -qx 'root:x:0:0:root:/root:/bin/sh' rootfs/etc/passwd
	grep -q '^nobody:x:65534:65534:' rootfs/etc/passwd
	[ "$(cut -d: -f1 rootfs/etc/group | tr '\n' ' ')" = "root nobody " ]
	[ "$(cat rootfs/etc/hostname)" = box ]
	[ "$(du -sk rootfs | cut -f1)" -lt 4096 ]
}

@test "the root it builds runs: busybox's shell, passwd, the hostname file" {
	requires busybox
	mkrootfs rootfs
	run mkns --mount --pid -- pivot rootfs -- sh -c 'id; ls /usr/bin | grep -c .; echo "$(cat /etc/hostname)"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "uid=0(root) gid=0(root)" ]
	[ "${lines[1]}" -gt 50 ]
	[ "${lines[2]}" = box ]
}

@test "trace: the applets are symlink(2) calls, busybox a sendfile(2) copy" {
	requires busybox
	run --separate-stderr env BOXSTEP_TRACE=1 mkrootfs rootfs
	[ "$status" -eq 0 ]
	grep -qx 'mkrootfs: execve("/bin/busybox", \["busybox", "--list-full"\]) = 0' <<<"$stderr"
	grep -qx 'mkrootfs: symlink("busybox", "rootfs/bin/ls") = 0' <<<"$stderr"
	grep -q '^mkrootfs: sendfile([0-9]*<".*/rootfs/bin/busybox">, [0-9]*<"/bin/busybox">, NULL, [0-9]*) = [0-9]*$' <<<"$stderr"
}

@test "a DIR that is not empty, or a file, is refused and left alone" {
	mkdir full
	echo keep >full/mine
	run mkrootfs full
	[ "$status" -eq 125 ]
	[ "$output" = "mkrootfs: DIR 'full' exists and is not empty: give a new directory" ]
	[ "$(ls full)" = mine ]
	touch afile
	run mkrootfs afile
	[ "$status" -eq 125 ]
	[ "$output" = "mkrootfs: DIR 'afile' exists and is not a directory" ]
	mkdir empty
	mkrootfs empty
	[ -x empty/bin/busybox ]
}

@test "no static busybox: says how to install busybox-static, creates nothing" {
	requires busybox
	# Hide /bin/busybox in a mount namespace of this test only.
	run mkns --mount -- sh -c 'mount --bind /dev/null "$(readlink -f /bin/busybox)" && mkrootfs r1'
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "mkrootfs: busybox not found: /bin/busybox is missing" ]
	[ "${lines[1]}" = "mkrootfs: hint: install the static build: apt-get install busybox-static" ]
	run mkns --mount -- sh -c 'mount --bind "$(readlink -f /bin/true)" "$(readlink -f /bin/busybox)" && mkrootfs r2'
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "mkrootfs: busybox is linked dynamically: it would not run in a root without libraries" ]
	[ ! -e r1 ] && [ ! -e r2 ]
}

# covers: C10
@test "--from-host: a program with its loader and libraries, read from the ELF files" {
	run --separate-stderr env BOXSTEP_TRACE=1 mkrootfs --from-host /bin/ls bash hostroot
	echo "$stderr" | grep '#'
	[ "$status" -eq 0 ]
	interp=$(readelf -l /bin/ls | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	[ -n "$interp" ] && cmp "hostroot$interp" "$interp"
	for lib in $(readelf -d /bin/ls | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
		[ -n "$(find hostroot -name "$lib" -type f)" ] || { echo "missing $lib"; false; }
	done
	[ -x hostroot/bin/ls ] && [ -x "hostroot$(command -v bash)" ]
	# nothing was run to find them: no ldd, no fork
	run ! grep -e execve -e 'clone()' <<<"$stderr"
	run mkns --mount --pid -- pivot hostroot -- bash -c 'ls /; echo "bash $BASH_VERSION"'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *proc* ]]
	[[ "${lines[-1]}" == "bash "* ]]
}

@test "--from-host: a script brings its interpreter; DIR may exist; bad programs create nothing" {
	printf '#!/bin/bash\necho "script ran"\n' >hello
	chmod +x hello
	mkdir existing
	mkrootfs --from-host ./hello existing
	[ -x existing/hello ] && [ -x existing/bin/bash ]
	run mkns --mount --pid -- pivot existing -- /hello
	[ "$output" = "script ran" ]
	run mkrootfs --from-host no-such-program new
	[ "$status" -eq 125 ]
	[ "$output" = "mkrootfs: program 'no-such-program' not found in PATH" ]
	echo 'just text' >notelf
	chmod +x notelf
	run mkrootfs --from-host ./notelf new
	[ "$status" -eq 125 ]
	[ "$output" = "mkrootfs: './notelf' is neither an ELF file nor a #! script" ]
	[ ! -e new ]
}

@test "--from-host into a busybox root replaces a link, never writes through it" {
	requires busybox
	mkrootfs rootfs
	mkrootfs --from-host /bin/ls rootfs
	[ -f rootfs/bin/ls ] && [ ! -L rootfs/bin/ls ]
	cmp rootfs/bin/busybox /bin/busybox
	run mkns --mount --pid -- pivot rootfs -- sh -c '/bin/ls --version | head -1; cat --help 2>&1 | head -1'
	[[ "${lines[0]}" == "ls (GNU coreutils)"* ]]
	[[ "${lines[1]}" == BusyBox* ]]
}

# covers: C32
@test "--layer: only the given files, each at its DEST" {
	mkdir src
	echo app >src/run.sh
	echo conf >src/app.conf
	chmod 755 src/run.sh
	(cd src && mkrootfs --layer ../layer run.sh:/app/run.sh app.conf)
	[ "$(cd layer && find . -type f | sort | tr '\n' ' ')" = "./app.conf ./app/run.sh " ]
	[ "$(stat -c %a layer/app/run.sh)" = 755 ]
	[ "$(cat layer/app/run.sh)" = app ]
	run mkrootfs --layer layer2 src/missing
	[ "$status" -eq 125 ]
	[ "$output" = "mkrootfs: --layer: 'src/missing' is not a regular file: No such file or directory" ]
	run mkrootfs --layer layer2 src/run.sh:/../x
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "mkrootfs: invalid FILE 'src/run.sh:/../x' for --layer: a path without '..', as app/run.sh or run.sh:/app/run.sh" ]
	[ ! -e layer2 ]
	run mkrootfs --layer layer src/run.sh
	[ "$status" -eq 125 ]
	[ "$output" = "mkrootfs: DIR 'layer' exists and is not empty: give a new directory" ]
}
