#!/usr/bin/env bats
# overlaymount: layers, copy-up, whiteouts, opaque directories, sharing, errors.
# Every overlay is mounted inside mkns --mount, so it dies with the namespace; each
# test also checks that the host's mount table did not change.
# shellcheck disable=SC2016,SC2030,SC2031,SC2154 # inner shells expand; bats runs tests in subshells and sets $stderr
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	leak_snapshot
	requires root busybox
	# base: a busybox root; app: one file over it.
	BASE=$BATS_FILE_TMPDIR/base
	mkrootfs "$BASE" >/dev/null
	mkdir -p "$BATS_FILE_TMPDIR/appsrc"
	echo 'echo hello from the app layer' >"$BATS_FILE_TMPDIR/appsrc/hello.sh"
	(cd "$BATS_FILE_TMPDIR/appsrc" && mkrootfs --layer "$BATS_FILE_TMPDIR/app" hello.sh:/app/hello.sh)
	export BASE
}

setup() {
	requires root busybox
	BASE=$BATS_FILE_TMPDIR/base
	APP=$BATS_FILE_TMPDIR/app
	cd "$BATS_TEST_TMPDIR" || return 1
	mkdir merged
	awk '{print $5}' /proc/self/mountinfo | sort >"$BATS_TEST_TMPDIR/mounts.before"
}

# The host's mount table is the same after every test (nothing leaked out of the
# chain's namespace, even from a chain that failed or was killed).
teardown() {
	awk '{print $5}' /proc/self/mountinfo | sort >"$BATS_TEST_TMPDIR/mounts.after"
	diff "$BATS_TEST_TMPDIR/mounts.before" "$BATS_TEST_TMPDIR/mounts.after"
}

# in_overlay UPPER CMD...: CMD in a container whose root is app over base, with
# its own upper layer UPPER (work dir UPPER.work).
in_overlay() {
	local upper=$1
	shift
	mkns --mount --pid -- overlaymount --lower "$APP:$BASE" --upper "$upper" --work "$upper.work" merged -- \
		pivot merged -- "$@"
}

sum() { sha256sum "$1" | cut -d' ' -f1; }

@test "--help, --version and a usage error" {
	run overlaymount --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Usage: overlaymount --lower L1[:L2...] [--upper DIR --work DIR] [--host] TARGET [--] [PROGRAM [ARGS...]]" ]
	[[ "$output" == *"TOPMOST FIRST"* ]]
	[[ "$output" == *"Kernel calls, in order:"* ]]
	run overlaymount --version
	[ "$output" = "overlaymount (boxstep) $(sed -n 's/.*BOXSTEP_VERSION "\(.*\)"/\1/p' "$BOXSTEP_ROOT/lib/log.h")" ]
	run overlaymount --lowr x merged
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "overlaymount: unknown option '--lowr'" ]
	[ "${lines[1]}" = "Try 'overlaymount --help'." ]
}

# covers: C32
@test "the leftmost layer wins; the mount is nodev; the next program runs with its status" {
	mkdir top bottom
	echo top >top/same
	echo bottom >bottom/same
	echo only-bottom >bottom/other
	run mkns --mount -- overlaymount --lower top:bottom merged -- \
		sh -c 'cat merged/same merged/other; grep " $PWD/merged " /proc/self/mountinfo; exit 7'
	echo "$output"
	[ "$status" -eq 7 ]
	[ "${lines[0]}" = top ]
	[ "${lines[1]}" = only-bottom ]
	[[ "${lines[2]}" == *" ro,nodev,"*" - overlay overlay ro,lowerdir=top:bottom"* ]]
}

# covers: C32 C35
@test "copy-on-write: a changed lower file is copied up, the lower stays byte-identical" {
	before=$(sum "$BASE/etc/passwd")
	run in_overlay up sh -c 'echo "app:x:1000:1000::/:/bin/sh" >> /etc/passwd; tail -1 /etc/passwd'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "app:x:1000:1000::/:/bin/sh" ]
	# the change is in upper, whole file copied (copy-up is per file, not per block)
	[ "$(tail -1 up/etc/passwd)" = "app:x:1000:1000::/:/bin/sh" ]
	[ "$(head -1 up/etc/passwd)" = "$(head -1 "$BASE/etc/passwd")" ]
	[ "$(sum "$BASE/etc/passwd")" = "$before" ]
	# and the next container on the same upper sees it again
	run in_overlay up tail -1 /etc/passwd
	[ "$output" = "app:x:1000:1000::/:/bin/sh" ]
}

# covers: C33
@test "a deleted lower file leaves a whiteout (char 0/0); a replaced directory is opaque" {
	run in_overlay up sh -c 'rm /bin/vi /app/hello.sh && rm -rf /etc && mkdir /etc && echo new > /etc/only && ls /etc; ls /bin/vi 2>/dev/null'
	echo "$output"
	[ "$status" -ne 0 ] # ls /bin/vi: gone inside
	[ "$output" = only ]
	[ "$(stat -c '%F %t:%T' up/bin/vi)" = "character special file 0:0" ]
	[ "$(stat -c '%F %t:%T' up/app/hello.sh)" = "character special file 0:0" ]
	[ "$(xattr up/etc trusted.overlay.opaque)" = y ]
	[ -e "$BASE/bin/vi" ] && [ -e "$APP/app/hello.sh" ] && [ -e "$BASE/etc/passwd" ]
	# the lower directory's files are hidden by the opaque one
	run in_overlay up ls /etc
	[ "$output" = only ]
}

# covers: C34
@test "two containers on the same lower layers each see only their own changes" {
	in_overlay one sh -c 'echo one > /mine; rm /bin/ls'
	in_overlay two sh -c 'echo two > /mine; echo extra > /tmp/extra'
	run in_overlay one sh -c 'cat /mine; test -e /bin/ls || echo no-ls; test -e /tmp/extra || echo no-extra'
	[ "$output" = "$(printf 'one\nno-ls\nno-extra')" ]
	run in_overlay two sh -c 'cat /mine; test -e /bin/ls && echo has-ls; cat /tmp/extra'
	[ "$output" = "$(printf 'two\nhas-ls\nextra')" ]
	[ ! -e "$BASE/mine" ] && [ -e "$BASE/bin/ls" ]
	# deleting a container is deleting its upper
	rm -rf one one.work
	run in_overlay one cat /mine
	[ "$status" -ne 0 ]
}

# covers: C36
@test "a volume takes writes that the upper never sees" {
	mkdir data
	run mkns --mount --pid -- overlaymount --lower "$APP:$BASE" --upper up --work work merged -- \
		pivot --bind "$PWD/data:/data" merged -- sh -c 'echo kept > /data/log; echo scratch > /tmp/t'
	[ "$status" -eq 0 ]
	[ "$(cat data/log)" = kept ]
	[ "$(cat up/tmp/t)" = scratch ]
	[ -z "$(find up -name log)" ]
}

@test "without --upper the overlay is read-only" {
	run mkns --mount -- overlaymount --lower "$APP:$BASE" merged -- sh -c 'cat merged/app/hello.sh; touch merged/x'
	echo "$output"
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = "echo hello from the app layer" ]
	[[ "${lines[1]}" == *"Read-only file system"* ]]
}

@test "upper and work are created when missing; the trace shows the mount" {
	mkdir parent
	run --separate-stderr env BOXSTEP_TRACE=1 mkns --mount -- overlaymount --lower "$APP:$BASE" \
		--upper parent/up --work parent/work merged -- true
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -d parent/up ] && [ -d parent/work ]
	grep -qx 'overlaymount: mkdir("parent/up", 0755) = 0' <<<"$stderr"
	grep -qx "overlaymount: mount(\"overlay\", \"merged\", \"overlay\", MS_NODEV, \"lowerdir=$APP:$BASE,upperdir=parent/up,workdir=parent/work\") = 0" <<<"$stderr"
}

# covers: C33
@test "rootless: in a user namespace the overlay gets userxattr, and marks opaque in user.overlay.*" {
	requires userns
	tools=$(world_readable_tools)
	dir=$(mktemp -d /tmp/boxstep-overlay.XXXXXX)
	chmod 777 "$dir"
	run setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '
		cd "$2" && mkdir -p top low/d m && touch low/d/x low/f &&
		"$1/bin/mkns" --user --map-root --mount -- "$1/bin/overlaymount" -v --lower top:low --upper up --work work m -- \
			sh -c "rm -rf m/d && mkdir m/d && rm m/f" 2>&1 | grep "mount(" &&
		"$1/probes/xattr" up/d user.overlay.opaque && stat -c "%F %t,%T" up/f' sh "$tools" "$dir"
	rm -rf "$tools" "$dir"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 'overlaymount: mount("overlay", "m", "overlay", MS_NODEV, "lowerdir=top:low,upperdir=up,workdir=work,userxattr") = 0' ]
	[ "${lines[1]}" = y ]
	[ "${lines[2]}" = "character special file 0,0" ]
}

@test "refused in the host's initial mount namespace unless --host" {
	run overlaymount --lower "$APP:$BASE" merged -- true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "overlaymount: refusing to mount in the host's initial mount namespace: the overlay would outlive the chain" ]
	[[ "${lines[1]}" == "overlaymount: hint: run it after mkns --mount"* ]]
	# --host: the mount is made in the host's table; the program takes it down again
	run overlaymount --host --lower "$APP:$BASE" merged -- \
		sh -c 'grep -c " $PWD/merged .* overlay " /proc/self/mountinfo; umount merged'
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

# bad INPUT... EXPECTED: exit 125, EXPECTED as the first line, nothing created.
bad() {
	local expected=${*: -1}
	run mkns --mount -- overlaymount "${@:1:$#-1}" -- touch created
	echo "$output"
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "$expected" ]
	[ ! -e created ] && [ ! -e up ] && [ ! -e work ] && [ ! -e /dev/shm/boxstep-work ]
}

@test "bad input: exit 125, one line, nothing created" {
	mkdir l1 l2
	run mkns --mount -- overlaymount --lower l1:l2
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "overlaymount: missing TARGET: the directory to mount the overlay on" ]
	bad merged "overlaymount: --lower is required: the read-only layers, topmost first"
	bad --lower 'l1,upperdir=/:l2' merged "overlaymount: lower layer 'l1,upperdir=/' contains ',': it would end the path and inject other mount options"
	bad --lower l1:l2 --upper 'u:p' --work work merged "overlaymount: --upper 'u:p' contains ':': it would end the path and inject other mount options"
	bad --lower l1:nope merged 'overlaymount: lower layer: stat("nope"): No such file or directory'
	bad --lower l1 merged "overlaymount: a read-only overlay (no --upper) needs at least two lower layers; give --upper and --work for a writable one"
	bad --lower l1:l2 --upper up merged "overlaymount: --upper and --work go together (or neither, for a read-only overlay)"
	bad --lower l1:l2 --upper up --work up/work merged "overlaymount: --work 'up/work' and --upper 'up' overlap: the kernel needs them apart (siblings, as up/ and work/)"
	bad --lower l1:l2 --upper up --work /dev/shm/boxstep-work merged "overlaymount: --upper 'up' and --work '/dev/shm/boxstep-work' are on different filesystems: the kernel renames copied-up files from work into upper, which needs one"
	bad --lower l1:l2 --upper up --work work nowhere 'overlaymount: TARGET: stat("nowhere"): No such file or directory'
	bad --lower l1:l2 --lower l1:l2 merged "overlaymount: option '--lower' given twice"
}

@test "too many layers: more than the kernel stacks, more than one page of options" {
	local i many="" long=""
	for i in $(seq 501); do many="${many:+$many:}l"; done
	mkdir l
	bad --lower "$many" merged "overlaymount: more than 500 layers: the kernel stacks at most 500"
	for i in $(seq 120); do
		mkdir "layer-with-a-rather-long-name-number-$i"
		long="${long:+$long:}$PWD/layer-with-a-rather-long-name-number-$i"
	done
	run mkns --mount -- overlaymount --lower "$long" merged -- true
	[ "$status" -eq 125 ]
	[[ "${lines[0]}" == "overlaymount: the mount options are "*" bytes, but mount(2) passes at most one page (4096 bytes) to the filesystem" ]]
	[[ "${lines[1]}" == "overlaymount: hint: too many layers or too long paths"* ]]
}

@test "a chain killed mid-run leaves no mount and no process behind" {
	mkfifo out
	mkns --mount --pid -- overlaymount --lower "$APP:$BASE" --upper up --work work merged -- \
		pivot merged -- sh -c 'echo written > /proof; echo ready; exec sleep 1000' >out &
	pid=$!
	exec 5<out
	read -r line <&5
	[ "$line" = ready ]
	kill -KILL "$pid"
	wait "$pid" || true
	cat <&5 >/dev/null # EOF once the container's last process (sleep) is gone
	exec 5<&-
	[ "$(cat up/proof)" = written ]
}
