#!/usr/bin/env bats
# Getting privileges back from inside: a setuid-root program, raw sockets, tracing a
# process outside the container. Each fails inside the full chain
# (tests/security/chain.bash) and gets through when the stage that stops it is
# left out. The host is compared before and after each test.
# shellcheck disable=SC2016,SC2030,SC2031 # inner shells expand; bats runs tests in subshells
bats_require_minimum_version 1.5.0
load ../helpers
load chain

setup_file() { security_setup_file; }
setup() { security_setup; }

teardown() {
	if [ -n "${SLEEPER:-}" ]; then
		kill "$SLEEPER" 2>/dev/null || true
		wait "$SLEEPER" 2>/dev/null || true
	fi
	security_teardown
}

# covers: C41 C42 C43
@test "inside: Docker's 14 capabilities, no_new_privs, one seccomp filter, uid 0" {
	run box -- cinfo --format kv
	[ "$status" -eq 0 ]
	grep -qx 'cap.eff=00000000a80425fb' <<<"$output"
	grep -qx 'cap.bnd=00000000a80425fb' <<<"$output"
	grep -qx 'nnp=1' <<<"$output"
	grep -qx 'seccomp=2' <<<"$output"
	grep -qx 'seccomp.filters=1' <<<"$output"
	grep -qx 'uid=0' <<<"$output"
	grep -qx 'root=overlay overlay' <<<"$output"
}

# covers: C43
@test "a setuid-root program run by uid 1000 gains nothing; without no_new_privs it is root again" {
	run box --capdrop "--keep default --user 1000 --no-new-privs" -- suid-privs
	echo "full chain: $output"
	[ "$output" = "uid=1000 euid=1000 gid=1000 egid=1000 cap.eff=0000000000000000 nnp=1" ]
	# seccompbpf alone also sets no_new_privs (uid 1000 has no CAP_SYS_ADMIN)
	run box --capdrop "--keep default --user 1000" -- suid-privs
	[ "$output" = "uid=1000 euid=1000 gid=1000 egid=1000 cap.eff=0000000000000000 nnp=1" ]
	# without either, execve of the setuid file makes it euid 0 with the bounding set
	run box --capdrop "--keep default --user 1000" --no-seccomp -- suid-privs
	echo "without --no-new-privs and seccompbpf: $output"
	[ "$output" = "uid=1000 euid=0 gid=1000 egid=1000 cap.eff=00000000a80425fb nnp=0" ]
}

# covers: C40 C41
@test "raw sockets with NET_RAW dropped: EPERM; with Docker's default NET_RAW they open" {
	run box --capdrop "--keep default --drop net_raw --no-new-privs" -- tryscall raw-socket
	echo "full chain without NET_RAW: $output"
	[ "$output" = "raw-socket: EPERM" ]
	run box -- tryscall raw-socket
	echo "Docker's default set: $output"
	[ "$output" = "raw-socket: ok" ]
}

# covers: C46
@test "ptrace of a process outside the pid namespace: ESRCH; without the pid namespace it is found" {
	sleep 1000 &
	SLEEPER=$!
	run box -- tryscall ptrace "$SLEEPER"
	echo "full chain: $output"
	[ "$output" = "ptrace: ESRCH" ]
	# PTRACE_SEIZE with a non-zero addr: the kernel finds the process, then refuses
	# the request itself (EIO) before attaching
	run --separate-stderr box --no-pidns -- tryscall ptrace "$SLEEPER"
	echo "without the pid namespace: $output"
	[ "$output" = "ptrace: EIO" ]
}
