# The container the security suite attacks, and the same container with a stage
# left out. Loaded by tests/security/*.bats after ../helpers.
# shellcheck shell=bash disable=SC2154 # bats sets $output and $status

# A busybox image with the probes in /bin, made once per file; a file on the host
# that no path inside must reach; a setuid-root copy of the privs probe.
security_setup_file() {
	leak_snapshot
	requires root busybox
	export BOXSTEP_CGROUP_PARENT=self
	ROOTFS=$BATS_FILE_TMPDIR/rootfs
	mkrootfs "$ROOTFS" >/dev/null
	local p
	for p in tryscall privs chroot-escape mknod-open bind-port; do
		cp "$BOXSTEP_ROOT/build/probes/$p" "$ROOTFS/bin/"
	done
	cp "$BOXSTEP_ROOT/build/probes/privs" "$ROOTFS/bin/suid-privs"
	chown root:root "$ROOTFS/bin/suid-privs"
	chmod 4755 "$ROOTFS/bin/suid-privs"
	HOST_SECRET=$BATS_FILE_TMPDIR/host-secret
	echo "the host's secret" >"$HOST_SECRET"
	export ROOTFS HOST_SECRET
}

# What an attack must not change on the host, checked around every test.
host_state() {
	hostname
	domainname 2>/dev/null || cat /proc/sys/kernel/domainname
	cat /proc/sys/kernel/panic /proc/swaps
	awk '{print $5, $6}' /proc/self/mountinfo | sort
	ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sort
}

security_setup() {
	requires root busybox
	cd "$BATS_TEST_TMPDIR" || return 1
	host_state >"$BATS_TEST_TMPDIR/host.before"
}

security_teardown() {
	host_state >"$BATS_TEST_TMPDIR/host.after"
	diff "$BATS_TEST_TMPDIR/host.before" "$BATS_TEST_TMPDIR/host.after"
}

# box [STAGE OPTIONS] -- CMD...: CMD in the full chain, as Docker runs a container:
#   cgset (a pids limit) -> mkns --all (every namespace but user) -> overlaymount
#   (the image, a fresh upper) -> pivot -> capdrop --keep default --no-new-privs ->
#   seccompbpf --profile default -> CMD
# Stage options leave one out, or change it, to show what it was stopping:
#   --no-capdrop          no capdrop: all of root's capabilities
#   --capdrop "ARGS"      capdrop with these arguments instead
#   --no-seccomp          no seccompbpf (and so no no_new_privs from it)
#   --no-pidns            mkns without --pid: the host's processes are visible
#   --chroot              pivot --chroot instead of pivot_root
#   --no-pivot            no overlay and no pivot: the host's / and /proc, unmasked
box() {
	local capdrop=(capdrop --keep default --no-new-privs --) seccomp=(seccompbpf --profile default --)
	local ns=(--all) pivot_opts=() pivot=1
	while [ "$1" != -- ]; do
		case $1 in
		--no-capdrop) capdrop=() ;;
		--capdrop) read -ra capdrop <<<"$2"; capdrop=(capdrop "${capdrop[@]}" --); shift ;;
		--no-seccomp) seccomp=() ;;
		--no-pidns) ns=(--mount --uts --ipc --net --cgroup --time) ;;
		--chroot) pivot_opts=(--chroot) ;;
		--no-pivot) pivot=0 ;;
		*) echo "box: unknown option $1" >&2; return 2 ;;
		esac
		shift
	done
	shift
	local upper
	upper=$(mktemp -d "$BATS_TEST_TMPDIR/upper.XXXXXX")
	mkdir -p "$upper/merged"
	if [ "$pivot" = 1 ]; then
		cgset --pids 128 -- mkns "${ns[@]}" -- \
			overlaymount --lower "$ROOTFS" --upper "$upper/upper" --work "$upper/work" "$upper/merged" -- \
			pivot "${pivot_opts[@]}" "$upper/merged" -- "${capdrop[@]}" "${seccomp[@]}" "$@"
	else
		cgset --pids 128 -- mkns "${ns[@]}" -- "${capdrop[@]}" "${seccomp[@]}" "$@"
	fi
}

# refused_inside NAME RESULT: tryscall NAME in the full chain answers RESULT.
refused_inside() {
	run box -- tryscall "$1"
	echo "full chain: $output"
	[ "$status" -eq 0 ]
	[ "$output" = "$1: $2" ]
}

# stopped_by NAME HARMLESS STAGE...: each STAGE alone stops NAME (left out one at a
# time, the others still answer EPERM), and with all of them left out the call
# reaches the kernel and gets its own harmless HARMLESS. A kernel that lacks the
# feature answers ENOSYS then: the pair is skipped, saying so.
stopped_by() {
	local name=$1 harmless=$2 opts=() s
	shift 2
	for s in "$@"; do
		opts+=("--no-$s")
		if [ $# -gt 1 ]; then
			run box "--no-$s" -- tryscall "$name"
			echo "without $s: $output"
			[ "$output" = "$name: EPERM" ]
		fi
	done
	run box "${opts[@]}" -- tryscall "$name"
	echo "without $*: $output"
	if [ "$output" = "$name: ENOSYS" ] && [ "$harmless" != ENOSYS ]; then
		skip "this kernel lacks $name (ENOSYS without $*): nothing to show past the stage"
	fi
	[ "$output" = "$name: $harmless" ]
}
