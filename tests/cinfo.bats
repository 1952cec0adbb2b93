#!/usr/bin/env bats
# cinfo: kv output checked against /proc, inside mkns, references, --target, errors.
bats_require_minimum_version 1.5.0
load helpers

# status_field PID KEY: a field of /proc/PID/status, blanks squeezed.
status_field() {
	awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"
}

# differing: the TYPE of every ns.TYPE.differs=yes line of $output, space separated.
differing() {
	echo "$output" | sed -n 's/^ns\.\([a-z]*\)\.differs=yes$/\1/p' | tr '\n' ' '
}

teardown() {
	if [ -n "${bg:-}" ]; then
		kill "$bg" 2>/dev/null || true
		wait "$bg" 2>/dev/null || true
	fi
}

# covers: C04 C42 C43
@test "kv output matches /proc for a plain process" {
	run cinfo --format kv
	[ "$status" -eq 0 ]
	for t in $NS_TYPES; do
		[ "$(kv "ns.$t")" = "$(readlink "/proc/self/ns/$t")" ] || { echo "ns.$t differs"; false; }
	done
	# a sibling process started the same way has the same sets and flags
	[ "$(kv cap.eff)" = "$(sh -c 'awk "/^CapEff:/ {print \$2}" /proc/self/status')" ]
	[ "$(kv cap.bnd)" = "$(sh -c 'awk "/^CapBnd:/ {print \$2}" /proc/self/status')" ]
	[ "$(kv nnp)" = "$(status_field self NoNewPrivs)" ]
	[ "$(kv seccomp)" = "$(status_field self Seccomp)" ]
	[ "$(kv seccomp.filters)" = "$(status_field self Seccomp_filters)" ]
	[ "$(kv uid)" = "$(id -u)" ]
	[ "$(kv gid)" = "$(id -g)" ]
	[ "$(kv uid_map)" = "$(tr -s ' ' </proc/self/uid_map | sed 's/^ //')" ]
	[ "$(kv gid_map)" = "$(tr -s ' ' </proc/self/gid_map | sed 's/^ //')" ]
	[ "$(kv hostname)" = "$(uname -n)" ]
	[ "$(kv domainname)" = "$(cat /proc/sys/kernel/domainname)" ]
	[ "$(kv root)" = "$(awk '$5 == "/" { for (i = 7; $i != "-"; i++); r = $(i + 2) " " $(i + 1) } END { print r }' /proc/self/mountinfo)" ]
	nspid=$(kv nspid)
	[ "${nspid##* }" = "$(kv pid)" ]
}

# covers: C42
@test "capability names decode the hex sets, every name listed" {
	command -v capsh >/dev/null || skip "requires capsh (libcap2-bin)"
	run cinfo --format kv
	[ "$status" -eq 0 ]
	for set in inh prm eff bnd amb; do
		hex=$(kv "cap.$set")
		[[ "$hex" =~ ^[0-9a-f]{16}$ ]]
		expected=$(capsh --decode="$hex" | sed 's/^[^=]*=//; s/cap_//g')
		[ "$(kv "cap.$set.names")" = "$expected" ] || { echo "cap.$set.names: $(kv "cap.$set.names") vs $expected"; false; }
	done
	[[ "$output" != *"names=all"* ]]
	# a reduced bounding set lists just the kept names
	run setpriv --inh-caps=-all --bounding-set=-all,+chown,+kill,+net_bind_service -- cinfo --format kv
	[ "$(kv cap.bnd.names)" = "chown,kill,net_bind_service" ]
	[ "$(kv cap.bnd)" = "0000000000000421" ]
}

# covers: C23
@test "cgroup= is the v2 path and cgroup.CONTROLLER= each v1 path" {
	run cinfo --format kv
	[ "$status" -eq 0 ]
	[ "$(kv cgroup)" = "$(sed -n 's/^0:://p' /proc/self/cgroup)" ]
	while IFS=: read -r id controllers path; do
		[ "$id" = 0 ] && continue
		for c in ${controllers//,/ }; do
			[ "$(kv "cgroup.${c#name=}")" = "$path" ] || { echo "cgroup.$c"; false; }
		done
	done </proc/self/cgroup
}

# covers: C06 C07
@test "inside mkns: the new hostname, a new uts namespace, NSpid ending in 1" {
	requires root
	outside_uts=$(readlink /proc/self/ns/uts)
	run mkns --uts --pid --mount-proc --hostname box -- cinfo --format kv
	[ "$status" -eq 0 ]
	[ "$(kv hostname)" = box ]
	[ "$(kv ns.uts)" != "$outside_uts" ]
	[ "$(kv ns.net)" = "$(readlink /proc/self/ns/net)" ]
	nspid=$(kv nspid)
	[ "${nspid##* }" = 1 ]
	[ "$(kv pid)" = 1 ]
	# without a new /proc, NSpid shows both pids: the host's first
	run mkns --pid -- cinfo --format kv
	[ "$status" -eq 0 ]
	nspid=$(kv nspid)
	[[ "$nspid" =~ ^[0-9]+\ 1$ ]]
	[ "$(kv pid)" = 1 ]
}

# covers: C04
@test "--ref-file marks only the new namespace types as differing" {
	requires root
	cinfo --format kv >"$BATS_TEST_TMPDIR/host.kv"
	run mkns --uts --ipc --net -- cinfo --ref-file "$BATS_TEST_TMPDIR/host.kv" --format kv
	[ "$status" -eq 0 ]
	[ "$(differing)" = "uts ipc net " ]
	[ "$(echo "$output" | grep -c '^ns\.[a-z]*\.differs=no$')" -eq 5 ]
	# the human report says it in a column
	run mkns --uts -- cinfo --ref-file "$BATS_TEST_TMPDIR/host.kv"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "namespaces "*"compared with $BATS_TEST_TMPDIR/host.kv" ]]
	[[ "$(echo "$output" | grep '^  uts  *uts:')" == *" new" ]]
	[[ "$(echo "$output" | grep '^  pid  *pid:')" == *" same as ref" ]]
}

@test "--ref PID compares with a live process; without a ref there is no differs line" {
	requires root
	run mkns --mount --cgroup -- cinfo --ref "$BASHPID" --format kv
	[ "$status" -eq 0 ]
	[ "$(differing)" = "mnt cgroup " ]
	run cinfo --format kv
	[[ "$output" != *differs=* ]]
}

# covers: C48
@test "--target PID reports a background process, its hostname through setns" {
	requires root
	mkfifo "$BATS_TEST_TMPDIR/ready"
	mkns --uts --hostname "tgt$$" -- sh -c "echo ready >'$BATS_TEST_TMPDIR/ready'; exec sleep 1000" 3>&- &
	bg=$!
	read -r _ <"$BATS_TEST_TMPDIR/ready"
	run env BOXSTEP_TRACE=1 cinfo --target "$bg" --format kv
	[ "$status" -eq 0 ]
	[ "$(kv pid)" = "$bg" ]
	[ "$(kv hostname)" = "tgt$$" ]
	[ "$(kv ns.uts)" = "$(readlink "/proc/$bg/ns/uts")" ]
	[ "$(kv ns.uts)" != "$(readlink /proc/self/ns/uts)" ]
	[ "$(kv cap.eff)" = "$(status_field "$bg" CapEff)" ]
	[[ "$output" == *"cinfo: setns("*"/proc/$bg/ns/uts\">, CLONE_NEWUTS) = 0"* ]]
	kill "$bg"
	wait "$bg" || true
	bg=
}

# covers: C19 C20
@test "in a user namespace: uid_map=0 0 1 as root, 0 65534 1 as nobody" {
	requires root userns
	run mkns --user --map-root -- cinfo --format kv
	[ "$status" -eq 0 ]
	[ "$(kv uid_map)" = "0 0 1" ]
	[ "$(kv gid_map)" = "0 0 1" ]
	[ "$(kv uid)" = 0 ]
	[ "$(kv ns.user)" != "$(readlink /proc/self/ns/user)" ]
	dir=$(world_readable_tools)
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$dir/bin/mkns" --user --map-root -- "$dir/bin/cinfo" --format kv
	rm -rf "$dir"
	[ "$status" -eq 0 ]
	[ "$(kv uid_map)" = "0 65534 1" ]
	[ "$(kv uid)" = 0 ]
	# root of the new user namespace holds every capability in it
	[ "$(kv cap.eff)" = "$(printf '%016x' $(( (1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1 )))" ]
}

@test "--help exits 0 on stdout; --version" {
	run --separate-stderr cinfo --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Usage: cinfo [--target PID] [--ref PID | --ref-file FILE] [--format human|kv] [--probe]" ]
	[[ "$output" == *"Kernel calls:"* ]]
	[[ "$output" == *"seccomp"*"2 filter"* ]]
	[ -z "$stderr" ]
	run cinfo --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^cinfo\ \(boxstep\)\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "usage errors exit 125 with the Try line" {
	run cinfo --bogus
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "cinfo: unknown option '--bogus'" ]
	[ "${lines[1]}" = "Try 'cinfo --help'." ]
	run cinfo --format xml
	[ "$status" -eq 125 ]
	[ "${lines[1]}" = "Try 'cinfo --help'." ]
	run cinfo --ref 2 --ref-file /dev/null
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "cinfo: give either --ref or --ref-file, not both" ]
	run cinfo --target x
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "cinfo: invalid PID 'x' for --target" ]
	run cinfo sh
	[ "$status" -eq 125 ]
	[ "${lines[1]}" = "Try 'cinfo --help'." ]
}

@test "an unknown PID or an unreadable reference exits 125 with one error line" {
	# pid_max itself is never a PID
	missing=$(cat /proc/sys/kernel/pid_max)
	run cinfo --target "$missing"
	[ "$status" -eq 125 ]
	[ "$output" = "cinfo: open(\"/proc/$missing/status\"): No such file or directory" ]
	run cinfo --ref-file "$BATS_TEST_TMPDIR/none.kv"
	[ "$status" -eq 125 ]
	[ "$output" = "cinfo: open(\"$BATS_TEST_TMPDIR/none.kv\"): No such file or directory" ]
	echo "hostname=vm" >"$BATS_TEST_TMPDIR/bad.kv"
	run cinfo --ref-file "$BATS_TEST_TMPDIR/bad.kv"
	[ "$status" -eq 125 ]
	[[ "$output" == *"no ns.TYPE= line"* ]]
}

# covers: C13
@test "kv lists the IPv4 addresses of cinfo's own network namespace" {
	requires root
	run mkns --net -- sh -c 'cinfo --format kv | grep "^net\."; ip link set lo up; cinfo --format kv | grep "^net\."'
	[ "$status" -eq 0 ]
	[ "$output" = "net.addr.lo=127.0.0.1/8" ]
}
