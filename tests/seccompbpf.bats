#!/usr/bin/env bats
# seccompbpf: the BPF program it writes (checked instruction by instruction through
# an interpreter in tests/unit/seccomp.c), Docker's default profile against the
# generated syscall table, the filter installed (tryscall makes privileged calls
# with harmless arguments: allowed shows the kernel's own EINVAL or EBADF, refused
# shows EPERM), other ABIs, actions, no_new_privs, bad input, cinfo --probe.
# shellcheck disable=SC2016,SC2030,SC2031,SC2154 # inner shells expand; bats runs tests in subshells and sets $stderr
bats_require_minimum_version 1.5.0
load helpers

# What a small static program needs to start and print (musl or glibc).
STARTUP=arch_prctl,set_tid_address,writev,brk,mmap,munmap,mprotect,rseq,set_robust_list,prlimit64,getrandom,readlinkat,uname,fstat,ioctl,exit,rt_sigprocmask,rt_sigaction

setup() {
	requires root
	cd "$BATS_TEST_TMPDIR" || return 1
}

@test "--help, --version and a usage error" {
	run seccompbpf --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: seccompbpf [--profile default] [--deny LIST] "* ]]
	[[ "$output" == *"seccomp(SECCOMP_SET_MODE_FILTER, 0)"* ]]
	run seccompbpf --version
	[[ "$output" == "seccompbpf (boxstep) "* ]]
	run seccompbpf --dny mount
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "seccompbpf: unknown option '--dny'" ]
	[ "${lines[1]}" = "Try 'seccompbpf --help'." ]
}

# covers: C38
@test "the program passes its unit test: every number, both layouts, arguments, ABIs, TSYNC" {
	run "$BOXSTEP_ROOT/build/unit/seccomp"
	printf '%s\n' "$output" | grep -v '^refused: \|^not in the table: '
	[ "$status" -eq 0 ]
	[[ "${lines[-1]}" == "seccomp: "*" checks, 0 failed" ]]
}

# covers: C38
@test "--profile default refuses exactly Docker's 67 on these headers, checked against the table" {
	grep -q 'LINUX_VERSION_PATCHLEVEL 1$' /usr/include/linux/version.h || skip "the count of 67 is for Linux 6.1 headers"
	run "$BOXSTEP_ROOT/build/unit/seccomp"
	got=$(printf '%s\n' "$output" | sed -n 's/^refused: //p' | awk '{print $1}' | sort)
	# Grouped as lessons/12-seccomp.md explains them.
	want=$(printf '%s\n' \
		mount umount2 pivot_root move_mount open_tree fsopen fsconfig fsmount fspick mount_setattr unshare setns clone3 \
		init_module finit_module delete_module create_module query_module get_kernel_syms kexec_load kexec_file_load \
		reboot swapon swapoff clock_settime settimeofday add_key request_key keyctl \
		bpf perf_event_open userfaultfd lookup_dcookie fanotify_init kcmp pidfd_getfd process_madvise \
		mbind set_mempolicy get_mempolicy migrate_pages move_pages set_mempolicy_home_node iopl ioperm \
		quotactl quotactl_fd acct syslog vhangup open_by_handle_at sethostname setdomainname \
		io_uring_setup io_uring_enter io_uring_register \
		_sysctl uselib ustat sysfs nfsservctl afs_syscall tuxcall security vserver getpmsg putpmsg | sort)
	diff <(echo "$want") <(echo "$got")
	[ "$(echo "$got" | wc -l)" -eq 67 ]
	# clone3 gets ENOSYS, the others EPERM
	[ "$(printf '%s\n' "$output" | grep -c '^refused: .* ERRNO(EPERM)$')" -eq 66 ]
	[[ "$output" == *"refused: clone3 ERRNO(ENOSYS)"* ]]
	# Docker's names this table lacks belong to 32-bit ABIs or the socketcall/ipc multiplexers
	bad=$(printf '%s\n' "$output" | sed -n 's/^not in the table: //p' |
		grep -Ev '(32|64|_time64)$|^(_llseek|_newselect|ipc|recv|send|sigprocmask|sigreturn|socketcall|ugetrlimit|waitpid|mmap2)$' || true)
	[ -z "$bad" ]
}

# covers: C38
@test "--dump: the ABI check first, then a binary search; at most 60 instructions run" {
	run seccompbpf --profile default --dump
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^"# seccompbpf --profile default: "[0-9]+" instructions, longest path "([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" -le 60 ]
	[[ "${lines[2]}" == "(000) ld       [4]"*"# seccomp_data.arch" ]]
	[[ "${lines[3]}" == "(001) jeq      #0xc000003e      jt 3    jf 2"*"# AUDIT_ARCH_X86_64?" ]]
	[[ "${lines[4]}" == "(002) ret      #0x80000000"*"# KILL_PROCESS: another ABI"* ]]
	[[ "${lines[6]}" == "(004) jge      #0x40000000"*"x32"* ]]
	# mount (165) sits in a run of 23 refused numbers: one leaf for all
	[[ "$output" == *"# ERRNO(EPERM) 163-185 acct .. security"* ]]
	[[ "$output" == *"jset     #0x7e020000"*"# any of the namespace flags?"* ]]
	[[ "$output" == *"jeq      #0x5412"*"# TIOCSTI?"* ]]
	[[ "$output" == *"# ERRNO(ENOSYS) "*" and up: newer than these headers"* ]]
}

@test "--test says what the filter does with one syscall" {
	run seccompbpf --profile default --test mount
	[ "$output" = "mount (165): ERRNO(EPERM)" ]
	run seccompbpf --profile default --test getpid
	[ "$output" = "getpid (39): ALLOW" ]
	run seccompbpf --profile default --test clone3
	[ "$output" = "clone3 (435): ERRNO(ENOSYS)" ]
	run seccompbpf --profile default --test clone
	[ "$output" = "clone (56): ALLOW, but ERRNO(EPERM) when args[0] has any of 0x7e020000 (namespace flags)" ]
	run seccompbpf --profile default --test ioctl
	[ "$output" = "ioctl (16): ALLOW, but ERRNO(EPERM) when args[1] is 0x5412 (TIOCSTI)" ]
	run seccompbpf --profile default --action kill --test chroot
	[ "$output" = "chroot (161): ALLOW" ]
	run seccompbpf --deny chroot --action errno:EACCES --test chroot
	[ "$output" = "chroot (161): ERRNO(EACCES)" ]
}

# covers: C38 C39
@test "installed: refused calls get EPERM, allowed ones the kernel's own error" {
	run seccompbpf --profile default -- sh -c 'for c in mount reboot bpf unshare setns keyctl clone clone3 ioctl-tiocsti ptrace newer; do tryscall $c; done'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' 'mount: EPERM' 'reboot: EPERM' 'bpf: EPERM' 'unshare: EPERM' 'setns: EPERM' \
		'keyctl: EPERM' 'clone: EPERM' 'clone3: ENOSYS' 'ioctl-tiocsti: EPERM' 'ptrace: EIO' 'newer: ENOSYS')" ]
	# the same calls without the filter
	run sh -c 'for c in mount bpf unshare setns ioctl-tiocsti newer; do tryscall $c; done'
	[ "$output" = "$(printf '%s\n' 'mount: EINVAL' 'bpf: EINVAL' 'unshare: EINVAL' 'setns: EBADF' 'ioctl-tiocsti: EBADF' 'newer: EBADF')" ]
}

@test "under the default profile a shell still forks, pipes and runs programs" {
	run seccompbpf --profile default -- sh -c 'echo "$(echo sub | cat) $(id -u)"; cinfo --format kv | grep "^seccomp"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "sub 0" ]
	[ "${lines[1]}" = "seccomp=2" ]
	[ "${lines[2]}" = "seccomp.filters=1" ]
}

# covers: C38
@test "other ABIs: an i386 int \$0x80 call is killed (159), an x32 call refused" {
	run seccompbpf --deny mount -- tryscall int80
	[ "$status" -eq 159 ]
	run seccompbpf --deny mount -- tryscall x32
	[ "$output" = "x32: EPERM" ]
	run tryscall int80
	[ "$output" = "int80: EINVAL" ]
}

# covers: C39
@test "--action: errno (EPERM), errno:NAME, kill, trap, log" {
	run seccompbpf --deny mount -- tryscall mount
	[ "$output" = "mount: EPERM" ]
	run seccompbpf --deny mount --action errno:EACCES -- tryscall mount
	[ "$output" = "mount: EACCES" ]
	run seccompbpf --deny mount --action errno:exdev -- tryscall mount
	[ "$output" = "mount: EXDEV" ]
	run -159 seccompbpf --deny mount --action kill -- tryscall mount
	[ -z "$output" ]
	run -159 seccompbpf --deny mount --action trap -- tryscall mount
	run seccompbpf --deny mount --action log -- tryscall mount
	[ "$output" = "mount: EINVAL" ]
}

@test "--allow: an allowlist; --deny-ns: namespaces only" {
	run seccompbpf --allow "$STARTUP" -- tryscall mount
	[ "$output" = "mount: EPERM" ]
	run seccompbpf --allow "$STARTUP,mount" -- tryscall mount
	[ "$output" = "mount: EINVAL" ]
	run seccompbpf --deny-ns -- sh -c 'for c in unshare clone clone3 setns mount; do tryscall $c; done; echo "$(echo forked)"'
	[ "$output" = "$(printf '%s\n' 'unshare: EPERM' 'clone: EPERM' 'clone3: ENOSYS' 'setns: EPERM' 'mount: EINVAL' forked)" ]
	run seccompbpf --profile default --allow mount -- tryscall mount
	[ "$output" = "mount: EINVAL" ]
	run seccompbpf --profile default --deny ptrace -- tryscall ptrace
	[ "$output" = "ptrace: EPERM" ]
}

@test "without CAP_SYS_ADMIN it sets no_new_privs itself, and says so; with it, not" {
	run --separate-stderr capdrop --keep none -- env BOXSTEP_TRACE=1 seccompbpf --deny mount -- cinfo --format kv
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"seccompbpf: # no CAP_SYS_ADMIN: no_new_privs first"*"seccompbpf: prctl(PR_SET_NO_NEW_PRIVS, 1) = 0"*"seccompbpf: seccomp(SECCOMP_SET_MODE_FILTER, 0, {len="*"}) = 0"* ]]
	[ "$(kv nnp)" = 1 ]
	run --separate-stderr env BOXSTEP_TRACE=1 seccompbpf --deny mount -- cinfo --format kv
	[[ "$stderr" != *"PR_SET_NO_NEW_PRIVS"* ]]
	[ "$(kv nnp)" = 0 ]
	[ "$(kv seccomp)" = 2 ]
}

@test "filters pile up: a second stage cannot lift the first; the stronger action wins" {
	run seccompbpf --deny mount -- seccompbpf --deny reboot -- sh -c 'tryscall mount; tryscall reboot; cinfo --format kv | grep filters'
	[ "$output" = "$(printf '%s\n' 'mount: EPERM' 'reboot: EPERM' 'seccomp.filters=2')" ]
	run -159 seccompbpf --deny mount --action kill -- seccompbpf --deny mount --action errno:EACCES -- tryscall mount
}

refused() {
	refuses seccompbpf "$@"
}

@test "bad input: exit 125, one line, nothing installed or run" {
	refused --deny mont
	[ "$stderr" = "seccompbpf: unknown syscall 'mont' in --deny (did you mean mount?)" ]
	refused --allow read,wirte
	[ "$stderr" = "seccompbpf: unknown syscall 'wirte' in --allow (did you mean write?)" ]
	refused --deny listmount
	[[ "$stderr" == "seccompbpf: unknown syscall 'listmount' in --deny"* ]]
	refused --deny ''
	[ "$stderr" = "seccompbpf: empty syscall name in --deny ''" ]
	refused --deny mount,
	refused --deny mount --action errno:NOPE
	[[ "$stderr" == "seccompbpf: unknown errno 'errno:NOPE' for --action"* ]]
	refused --deny mount --action errno:EPREM
	[ "$stderr" = "seccompbpf: unknown errno 'errno:EPREM' for --action (did you mean errno:EPERM?)" ]
	refused --deny mount --action explode
	refused --allow read --deny mount
	[ "$stderr" = "seccompbpf: give --allow (an allowlist: all else is refused) or --deny (a denylist), not both" ]
	refused --profile default --allow mount --deny mount
	[ "$stderr" = "seccompbpf: mount is in both --allow and --deny" ]
	refused --profile docker
	refused --deny execve
	[[ "$stderr" == "seccompbpf: --deny execve: seccompbpf needs it"* ]]
	refused
	[ "$stderr" = "seccompbpf: no rule given: add --profile default, --deny LIST, --allow LIST or --deny-ns" ]
	refused --profile default --dump
	[ "$stderr" = "seccompbpf: --dump installs nothing and runs nothing: leave out the program" ]
}

# covers: C38
@test "cinfo --probe lists what is blocked" {
	run seccompbpf --profile default -- cinfo --probe --format kv
	[ "$status" -eq 0 ]
	[ "$(kv probe.mount)" = EPERM ]
	[ "$(kv probe.int80)" = "killed by SIGSYS" ]
	[ "$(kv probe.clone3)" = ENOSYS ]
	[[ ",$(kv probe.blocked)," == *",mount,"*",reboot,"*",bpf,"*",unshare,"* ]]
	run cinfo --probe --format kv
	[ "$(kv probe.mount)" = EINVAL ]
	[ "$(kv probe.blocked)" = "" ]
	run cinfo --probe
	[[ "$output" == *"probe (privileged calls with harmless arguments"* ]]
	run cinfo --probe --target 1
	[ "$status" -eq 125 ]
}
