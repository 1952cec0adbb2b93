#!/usr/bin/env bats
# Escape attempts through kernel calls, made from inside the full chain (every
# namespace but user, a cgroup, an overlay, pivot_root, Docker's 14 capabilities
# with no_new_privs, Docker's seccomp profile). Each call uses arguments that
# cannot act even when allowed (lib/attempts, tryscall --list), so an allowed call
# shows the kernel's own harmless error and a refused one EPERM. Each test then
# leaves out the stages that stop the call, one at a time and together, to show
# which stage does the stopping. The host is compared before and after each test.
# shellcheck disable=SC2030,SC2031 # bats runs tests in subshells
bats_require_minimum_version 1.5.0
load ../helpers
load chain

setup_file() { security_setup_file; }
setup() { security_setup; }
teardown() { security_teardown; }

# covers: C44 C46
@test "mount: EPERM; stopped by capdrop and by seccompbpf, each alone" {
	refused_inside mount EPERM
	stopped_by mount EINVAL capdrop seccomp
}

@test "umount2: EPERM; stopped by capdrop and by seccompbpf" {
	refused_inside umount2 EPERM
	stopped_by umount2 EINVAL capdrop seccomp
}

@test "pivot_root: EPERM; stopped by capdrop and by seccompbpf" {
	refused_inside pivot_root EPERM
	stopped_by pivot_root ENOENT capdrop seccomp
}

# covers: C46
@test "open_by_handle_at (the shocker exploit): EPERM; stopped by seccompbpf" {
	refused_inside open_by_handle_at EPERM
	stopped_by open_by_handle_at EFAULT seccomp
}

@test "kexec_load: EPERM; stopped by seccompbpf" {
	refused_inside kexec_load EPERM
	stopped_by kexec_load EINVAL seccomp
}

@test "init_module and finit_module: EPERM; stopped by seccompbpf" {
	refused_inside init_module EPERM
	refused_inside finit_module EPERM
	stopped_by finit_module EBADF seccomp
}

@test "delete_module: EPERM; stopped by seccompbpf" {
	refused_inside delete_module EPERM
	stopped_by delete_module EFAULT seccomp
}

@test "reboot: EPERM; stopped by capdrop and by seccompbpf" {
	refused_inside reboot EPERM
	stopped_by reboot EINVAL capdrop seccomp
}

@test "swapon: EPERM; stopped by capdrop and by seccompbpf" {
	refused_inside swapon EPERM
	stopped_by swapon ENOENT capdrop seccomp
}

@test "keyctl and add_key (keyrings are not namespaced): EPERM; stopped by seccompbpf" {
	refused_inside keyctl EPERM
	refused_inside add_key EPERM
	stopped_by keyctl EOPNOTSUPP seccomp
	stopped_by add_key EFAULT seccomp
}

@test "bpf: EPERM; stopped by seccompbpf" {
	refused_inside bpf EPERM
	stopped_by bpf EINVAL seccomp
}

@test "perf_event_open: EPERM; stopped by seccompbpf" {
	refused_inside perf_event_open EPERM
	stopped_by perf_event_open EFAULT seccomp
}

# covers: C46
@test "unshare(CLONE_NEWUSER) and setns: EPERM; stopped by seccompbpf" {
	refused_inside unshare EPERM
	refused_inside setns EPERM
	refused_inside clone EPERM
	stopped_by unshare EINVAL seccomp
	stopped_by setns EBADF seccomp
	stopped_by clone EINVAL seccomp
}

@test "clock_settime and settimeofday: EPERM; stopped by seccompbpf" {
	refused_inside clock_settime EPERM
	refused_inside settimeofday EPERM
	stopped_by clock_settime EFAULT seccomp
	stopped_by settimeofday EFAULT seccomp
}

@test "sethostname: EPERM; stopped by capdrop and by seccompbpf" {
	refused_inside sethostname EPERM
	stopped_by sethostname EINVAL capdrop seccomp
}

# covers: C38
@test "an i386 int \$0x80 call of a refused syscall kills the program (159); stopped by seccompbpf" {
	run box -- tryscall int80
	echo "full chain: status $status, $output"
	[ "$status" -eq 159 ]
	[ -z "$output" ]
	stopped_by int80 EINVAL seccomp
}

# covers: C38
@test "an x32 call of a refused syscall: EPERM; stopped by seccompbpf" {
	refused_inside x32 EPERM
	stopped_by x32 EINVAL seccomp
}

# covers: C47
@test "the calls that stay allowed reach the one shared kernel: uname inside is the host's" {
	run box -- sh -c 'uname -r; cat /proc/sys/kernel/osrelease; tryscall raw-socket'
	[ "$output" = "$(printf '%s\n' "$(uname -r)" "$(uname -r)" 'raw-socket: ok')" ]
}
