#!/usr/bin/env bats
# boxstep-doctor: the report agrees with the host, --require, kv, errors.
bats_require_minimum_version 1.5.0
load helpers

teardown() {
	[ -z "${tools:-}" ] || rm -rf "$tools"
}

@test "the default report lists features, remedies and lessons 00 to 18" {
	run boxstep-doctor
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "boxstep-doctor: Linux $(uname -r) "* ]]
	[[ "$output" == *$'\nFeatures\n'* ]]
	[[ "$output" == *$'\nLessons\n'* ]]
	for t in root userns userns-unprivileged $NS_TYPES cgroup2 cgroup1 overlay seccomp busybox newuidmap; do
		echo "$output" | grep -Eq "^  $t +(yes|no) " || { echo "no line for $t"; false; }
	done
	for n in $(seq -w 0 18); do
		echo "$output" | grep -Eq "^  $n  .* (ok|needs .+)$" || { echo "no line for lesson $n"; false; }
	done
	# every missing feature comes with a remedy on the next line
	[ "$(echo "$output" | grep -cE '^  [a-z0-9-]+ +no ')" = "$(echo "$output" | grep -c -- '-> ')" ]
}

# covers: C23
@test "the cgroup layout agrees with the filesystem at /sys/fs/cgroup" {
	run boxstep-doctor --format kv
	[ "$status" -eq 0 ]
	layout=$(kv cgroup.layout)
	case $(stat -f -c %T /sys/fs/cgroup) in
	cgroup2fs) [ "$layout" = v2 ] ;;
	tmpfs) [ "$layout" = hybrid ] || [ "$layout" = v1 ] ;;
	*) [ "$layout" = none ] ;;
	esac
	if [ "$layout" = hybrid ]; then
		grep -q ' /sys/fs/cgroup/unified .* - cgroup2 ' /proc/self/mountinfo
	fi
	# the v1 controllers are the ones mounted, the v2 ones the root's cgroup.controllers
	mounted=$(awk '$9 == "cgroup" { print $5 }' /proc/self/mountinfo | grep -c '^/sys/fs/cgroup/' || true)
	if [ "$mounted" -gt 0 ]; then
		[ "$(kv feature.cgroup1)" = yes ]
		for c in $(kv cgroup.v1); do
			grep -q " /sys/fs/cgroup/[^ ]* .* - cgroup cgroup .*[ ,]$c\(,\|$\)" /proc/self/mountinfo
		done
	else
		[ "$(kv feature.cgroup1)" = no ]
	fi
	case $layout in
	v2) [ "$(kv cgroup.v2)" = "$(cat /sys/fs/cgroup/cgroup.controllers)" ] ;;
	hybrid) [ "$(kv cgroup.v2)" = "$(cat /sys/fs/cgroup/unified/cgroup.controllers)" ] ;;
	esac
}

# covers: C04
@test "kv has one line per namespace type, yes when the kernel has it" {
	requires root
	run boxstep-doctor --format kv
	[ "$status" -eq 0 ]
	for t in $NS_TYPES; do
		[ "$(echo "$output" | grep -c "^feature\.$t=")" -eq 1 ] || { echo "feature.$t: not one line"; false; }
		if [ -e "/proc/self/ns/$t" ]; then want=yes; else want=no; fi
		[ "$(kv "feature.$t")" = "$want" ] || { echo "feature.$t is not $want"; false; }
	done
	[ "$(echo "$output" | grep -c '^lesson\.[0-9][0-9]=')" -eq 19 ]
	[ "$(kv feature.root)" = yes ]
	[ "$(kv uid)" = 0 ]
	[ "$(kv kernel)" = "$(uname -r)" ]
	[ "$(kv sysctl.user.max_user_namespaces)" = "$(cat /proc/sys/user/max_user_namespaces)" ]
}

@test "kv agrees with the host for overlay, busybox and newuidmap" {
	run boxstep-doctor --format kv
	[ "$status" -eq 0 ]
	if grep -qw overlay /proc/filesystems; then want=yes; else want=no; fi
	[ "$(kv feature.overlay)" = "$want" ]
	if command -v newuidmap >/dev/null; then want=yes; else want=no; fi
	[ "$(kv feature.newuidmap)" = "$want" ]
	want=no
	if bb=$(command -v busybox) && ! readelf -l "$bb" 2>/dev/null | grep -q INTERP; then want=yes; fi
	[ "$(kv feature.busybox)" = "$want" ]
	# a dynamic program named busybox on PATH does not count
	mkdir "$BATS_TEST_TMPDIR/fake"
	ln -s "$(type -P true)" "$BATS_TEST_TMPDIR/fake/busybox"
	PATH="$BATS_TEST_TMPDIR/fake:$PATH" run boxstep-doctor --format kv
	[ "$(kv feature.busybox)" = no ]
}

@test "each lesson that needs something names only missing features" {
	run boxstep-doctor --format kv
	[ "$status" -eq 0 ]
	while IFS= read -r line; do
		needs=${line#*=needs }
		for f in $needs; do
			for alt in ${f//|/ }; do
				[ "$(kv "feature.$alt")" = no ] || { echo "$line: $alt is there"; false; }
			done
		done
	done < <(echo "$output" | grep '^lesson\.[0-9]*=needs ')
	# without busybox on PATH, lesson 09 needs it
	mkdir "$BATS_TEST_TMPDIR/empty"
	PATH="$BATS_TEST_TMPDIR/empty" run "$BOXSTEP_ROOT/bin/boxstep-doctor" --format kv
	[ "$(kv feature.busybox)" = no ]
	[[ "$(kv lesson.09)" == "needs "*busybox* ]]
}

@test "--require root exits 0 as root and prints nothing" {
	requires root
	run boxstep-doctor --require root --require mnt --require pid
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "--require of a missing feature exits 1 with one line naming it" {
	# cgroup2 is missing on a hybrid or v1 host, cgroup1 on a pure v2 one
	missing=cgroup2
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		! grep -q ' - cgroup ' /proc/self/mountinfo || skip "this host has both cgroup2 and cgroup1"
		missing=cgroup1
	fi
	run boxstep-doctor --require root --require "$missing"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == "boxstep-doctor: missing: $missing ("*")" ]]
	[[ "${lines[0]}" != *root* ]]
}

@test "--require root exits 1 for an unprivileged user" {
	requires root
	tools=$(world_readable_tools)
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$tools/bin/boxstep-doctor" --require root
	[ "$status" -eq 1 ]
	[[ "$output" == "boxstep-doctor: missing: root ("* ]]
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$tools/bin/boxstep-doctor" --format kv
	[ "$status" -eq 0 ]
	[ "$(kv uid)" = 65534 ]
	[ "$(kv feature.root)" = no ]
}

@test "usage errors exit 125" {
	run boxstep-doctor --require nonsense
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "boxstep-doctor: unknown feature 'nonsense' for --require (see --help)" ]
	[ "${lines[1]}" = "Try 'boxstep-doctor --help'." ]
	run boxstep-doctor --format json
	[ "$status" -eq 125 ]
	run boxstep-doctor --format kv --format text
	[ "$status" -eq 125 ]
	run boxstep-doctor --require
	[ "$status" -eq 125 ]
	run boxstep-doctor extra
	[ "$status" -eq 125 ]
	[[ "$output" == *"unexpected operand 'extra'"* ]]
}

@test "--help and --version" {
	run boxstep-doctor --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Usage: boxstep-doctor [--require FEATURE]... [--format text|kv] [-v]" ]
	[[ "$output" == *"Kernel calls"* ]]
	run boxstep-doctor --version
	[[ "$output" == "boxstep-doctor (boxstep) "* ]]
}

@test "trace mode shows each namespace tried in a child" {
	requires root
	run boxstep-doctor -v --require time
	[ "$status" -eq 0 ]
	[[ "$output" == *"boxstep-doctor: clone() = "*"# tries a namespace"* ]]
	[[ "$output" == *"boxstep-doctor: unshare(CLONE_NEWTIME) = 0"* ]]
	[[ "$output" == *"boxstep-doctor: setresuid(65534, 65534, 65534) = 0"* ]]
	[[ "$output" == *"boxstep-doctor: # cgroup layout: "* ]]
}
