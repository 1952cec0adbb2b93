#!/usr/bin/env bats
# capdrop: the five capability sets, the user switch, no_new_privs, crun's order,
# and bad input refused before any change. What the process ends with is read from
# inside with cinfo --format kv; the host's own sets are the reference (root here
# may lack some capabilities, CAP_SYS_RESOURCE on the development machines).
# shellcheck disable=SC2016,SC2030,SC2031,SC2154 # inner shells expand; bats runs tests in subshells and sets $stderr
bats_require_minimum_version 1.5.0
load helpers

DEFAULT=chown,dac_override,fowner,fsetid,kill,setgid,setuid,setpcap,net_bind_service,net_raw,sys_chroot,mknod,audit_write,setfcap

# Programs run as uid 1000 after capdrop switches users must be reachable by it:
# a copy of bin/ and build/probes/ in /tmp (the checkout may sit in a 0700 home).
setup_file() {
	leak_snapshot
	TOOLS=$(world_readable_tools)
	export TOOLS PATH="$TOOLS/bin:$TOOLS/probes:$PATH"
}

teardown_file() {
	rm -rf "$TOOLS"
	leak_check
}

setup() {
	requires root
	cd "$BATS_TEST_TMPDIR" || return 1
}

# The shell's own capability set NAME (CapBnd, CapPrm, ...), in hex.
own() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/self/status
}

@test "--help, --version and a usage error" {
	run capdrop --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: capdrop [--keep LIST|default|none|all] "* ]]
	[[ "$output" == *"prctl(PR_CAPBSET_DROP, CAP_X)"* ]]
	run capdrop --version
	[[ "$output" == "capdrop (boxstep) "* ]]
	run capdrop --kep default
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "capdrop: unknown option '--kep'" ]
	[ "${lines[1]}" = "Try 'capdrop --help'." ]
}

# covers: C41 C42
@test "--keep default: Docker's 14 in every set but inheritable and ambient" {
	run capdrop --keep default -- cinfo --format kv
	[ "$status" -eq 0 ]
	for set in eff prm bnd; do
		[ "$(kv "cap.$set.names")" = "$DEFAULT" ]
		[ "$(kv "cap.$set")" = 00000000a80425fb ]
	done
	[ "$(kv cap.inh)" = 0000000000000000 ]
	[ "$(kv cap.amb)" = 0000000000000000 ]
	[ "$(kv nnp)" = 0 ]
	[[ ",$(kv cap.eff.names)," == *",net_bind_service,"* ]]
}

# covers: C40
@test "names in any case, with or without cap_; --drop takes out of --keep" {
	run capdrop --keep CAP_Net_Raw,chown,cap_kill,SYS_CHROOT -- cinfo --format kv
	[ "$status" -eq 0 ]
	[ "$(kv cap.eff.names)" = chown,kill,net_raw,sys_chroot ]
	run capdrop --keep default --drop NET_RAW,cap_mknod -- cinfo --format kv
	[ "$(kv cap.bnd.names)" = chown,dac_override,fowner,fsetid,kill,setgid,setuid,setpcap,net_bind_service,sys_chroot,audit_write,setfcap ]
	run capdrop --keep default,sys_ptrace -- cinfo --format kv
	[[ ",$(kv cap.eff.names)," == *",sys_ptrace,"* ]]
}

@test "without --keep, and with all: what this process has; none: nothing" {
	run capdrop -- cinfo --format kv
	[ "$(kv cap.bnd)" = "$(own CapBnd)" ]
	[ "$(kv cap.eff)" = "$(own CapPrm)" ]
	run capdrop --keep all -- cinfo --format kv
	[ "$status" -eq 0 ]
	[ "$(kv cap.bnd)" = "$(own CapBnd)" ]
	run capdrop --keep none -- cinfo --format kv
	[ "$status" -eq 0 ]
	for set in eff prm bnd inh amb; do
		[ "$(kv "cap.$set")" = 0000000000000000 ]
	done
}

@test "the kernel calls come in crun's order" {
	run --separate-stderr env BOXSTEP_TRACE=1 capdrop --keep net_bind_service --ambient net_bind_service \
		--user 1000 --groups 20,30 --no-new-privs -- true
	[ "$status" -eq 0 ]
	calls=$(printf '%s\n' "$stderr" | grep -v '^capdrop: #' | sed 's/^capdrop: //; s/(.*//' | uniq)
	want=$(printf '%s\n' prctl setgroups setresgid setresuid capset prctl close_range execve)
	echo "$stderr"
	[ "$calls" = "$want" ]
	[[ "$stderr" == *"prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN) = 0"* ]]
	[[ "$stderr" == *"prctl(PR_SET_KEEPCAPS, 1) = 0"*"setgroups(2, [20, 30]) = 0"*"setresgid(1000, 1000, 1000) = 0"*"setresuid(1000, 1000, 1000) = 0"*"capset("*"inheritable=net_bind_service}) = 0"*"prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE) = 0"*"prctl(PR_SET_NO_NEW_PRIVS, 1) = 0"* ]]
	[[ "$stderr" != *"PR_CAPBSET_DROP, CAP_NET_BIND_SERVICE"* ]]
}

# covers: C40
@test "uid 1000 with --ambient net_bind_service binds port 80, and nothing else" {
	run mkns --net -- capdrop --keep net_bind_service --ambient net_bind_service --user 1000 -- \
		sh -c 'bind-port 80; cinfo --format kv; tryscall raw-socket; chown 0 /proc/self/fd/0 2>/dev/null || echo "chown refused"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "bind(0.0.0.0:80) = 0" ]
	[ "$(kv uid)" = 1000 ]
	for set in eff prm inh amb bnd; do
		[ "$(kv "cap.$set.names")" = net_bind_service ]
	done
	[[ "$output" == *"raw-socket: EPERM"* ]]
	[[ "$output" == *"chown refused"* ]]
}

@test "without the ambient set, uid 1000 loses the capability at execve" {
	run mkns --net -- capdrop --keep net_bind_service --user 1000 -- sh -c 'bind-port 80; cinfo --format kv'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "bind(0.0.0.0:80) = -1 EACCES (Permission denied)" ]
	[ "$(kv cap.eff)" = 0000000000000000 ]
	[ "$(kv cap.inh)" = 0000000000000000 ]
	[ "$(kv cap.bnd.names)" = net_bind_service ]
}

# covers: C43
@test "--no-new-privs: a setuid-root program gains nothing; without it, root and the bounding set" {
	cp "$TOOLS/probes/privs" "$TOOLS/suid-privs"
	chown root:root "$TOOLS/suid-privs"
	chmod 4755 "$TOOLS/suid-privs"
	cd "$TOOLS"
	run capdrop --keep default --user 1000 -- ./suid-privs
	echo "$output"
	[ "$output" = "uid=1000 euid=0 gid=1000 egid=1000 cap.eff=00000000a80425fb nnp=0" ]
	run capdrop --keep default --user 1000 --no-new-privs -- ./suid-privs
	echo "$output"
	[ "$output" = "uid=1000 euid=1000 gid=1000 egid=1000 cap.eff=0000000000000000 nnp=1" ]
}

@test "--user: names from /etc/passwd, GID from it or UID, --groups" {
	run capdrop --user nobody -- sh -c 'id -u; id -g'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(id -u nobody)" ]
	[ "${lines[1]}" = "$(id -g nobody)" ]
	run capdrop --user 4242 -- sh -c 'id -u; id -g; id -G'
	[ "$output" = "$(printf '4242\n4242\n4242')" ]
	run capdrop --user 4242:4343 --groups 5,root -- sh -c 'id -g; id -G'
	[ "${lines[0]}" = 4343 ]
	[ "${lines[1]}" = "4343 0 5" ]
}

@test "the program's status comes back; 127 when it is missing" {
	run capdrop --keep none -- sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run -127 capdrop --keep none -- no-such-program-here
}

# refused ARGS...: capdrop ARGS -- touch ran must exit 125 with one line, and never
# run the program.
refused() {
	refuses capdrop "$@"
}

@test "bad input: exit 125, one line, nothing done" {
	refused --keep net_bind_servic
	[ "$stderr" = "capdrop: unknown capability 'net_bind_servic' in --keep (did you mean net_bind_service?)" ]
	refused --keep cap_sys_admn,chown
	[ "$stderr" = "capdrop: unknown capability 'cap_sys_admn' in --keep (did you mean sys_admin?)" ]
	refused --drop frobnicate
	[[ "$stderr" == "capdrop: unknown capability 'frobnicate' in --drop: "* ]]
	refused --keep ''
	[ "$stderr" = "capdrop: empty capability name in --keep ''" ]
	refused --keep chown,,kill
	refused --keep none,chown
	[ "$stderr" = "capdrop: 'none' in --keep stands alone" ]
	refused --keep chown --ambient net_admin
	[[ "$stderr" == "capdrop: --ambient net_admin: not kept;"* ]]
	refused --user no-such-user-here
	[[ "$stderr" == "capdrop: unknown user 'no-such-user-here' in --user: not in /etc/passwd of this root"* ]]
	refused --user 1000:no-such-group
	refused --groups 5
	[ "$stderr" = "capdrop: --groups needs --user" ]
	run --separate-stderr capdrop --keep chown --keep kill -- touch ran
	[ "$status" -eq 125 ]
	[ "${stderr%%$'\n'*}" = "capdrop: option '--keep' given twice" ]
	[ ! -e ran ]
}

@test "a capability this process lacks cannot be kept; without CAP_SETPCAP nothing can be dropped" {
	run --separate-stderr capdrop --keep none -- capdrop --keep chown -- true
	[ "$status" -eq 125 ]
	[ "$stderr" = "capdrop: cannot keep chown: this process does not have it (cinfo shows its sets)" ]
	run --separate-stderr capdrop --keep chown -- capdrop --keep none -- true
	[ "$status" -eq 125 ]
	[ "$stderr" = "capdrop: dropping from the bounding set needs CAP_SETPCAP, which this process does not have" ]
}
