#!/usr/bin/env bats
# mkns: new namespaces, PID 1 supervision, maps, time offsets, errors, trace.
bats_require_minimum_version 1.5.0
load helpers

ns_links() { # the 8 namespace links of the calling process, one per line
	for t in mnt uts ipc pid net user cgroup time; do
		echo "$t $(readlink "/proc/self/ns/$t")"
	done
}

# start_ready MKNS_OPTION... SCRIPT: starts mkns OPTIONS -- sh -c SCRIPT in the
# background and returns once SCRIPT runs (it writes to a fifo); sets mkns_pid.
start_ready() {
	local script=${*: -1} fifo
	fifo=$(mktemp -u "$BATS_TEST_TMPDIR/ready.XXXXXX")
	mkfifo "$fifo"
	mkns "${@:1:$#-1}" -- sh -c "echo ready >'$fifo'; $script" &
	mkns_pid=$!
	read -r _ <"$fifo"
}

# wait_status PID: waits for PID and sets status to its exit status.
wait_status() {
	status=0
	wait "$1" || status=$?
}

# covers: C04 C05
@test "each namespace flag gives a new namespace of that type only" {
	requires root timens
	outside=$(ns_links)
	for pair in mount:mnt uts:uts ipc:ipc pid:pid net:net user:user cgroup:cgroup time:time; do
		opt=${pair%%:*} t=${pair#*:}
		run mkns "--$opt" -- bash -c "$(declare -f ns_links); ns_links"
		[ "$status" -eq 0 ]
		diff_types=$(diff <(echo "$outside") <(echo "$output") | awk '/^>/ {print $2}')
		[ "$diff_types" = "$t" ] || { echo "--$opt changed: $diff_types"; false; }
	done
}

@test "--all is every type but user; --all --user is all eight" {
	requires root timens
	outside=$(ns_links)
	run mkns --all -- bash -c "$(declare -f ns_links); ns_links"
	[ "$status" -eq 0 ]
	[ "$(diff <(echo "$outside") <(echo "$output") | grep -c '^>')" -eq 7 ]
	[[ "$output" == *"user $(readlink /proc/self/ns/user)"* ]]
	run mkns --all --user -- bash -c "$(declare -f ns_links); ns_links"
	[ "$(diff <(echo "$outside") <(echo "$output") | grep -c '^>')" -eq 8 ]
}

# covers: C07
@test "with --pid the program is PID 1 and ps sees only the container" {
	requires root
	run mkns --pid --mount-proc -- sh -c 'echo "pid=$$"; ps -e -o pid='
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pid=1" ]
	# sh (1) and ps (2): nothing of the host
	[ "$(echo "$output" | sed 1d | tr -d ' ' | sort -n | tr '\n' ' ')" = "1 2 " ]
}

# covers: C06
@test "--hostname changes the name inside and leaves the host's alone" {
	requires root
	before=$(hostname)
	run mkns --uts --hostname "box$$" --domainname lab -- sh -c 'hostname; cat /proc/sys/kernel/domainname'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "box$$" ]
	[ "${lines[1]}" = "lab" ]
	[ "$(hostname)" = "$before" ]
}

@test "--hostname without a new UTS namespace is refused" {
	run mkns --pid --hostname box -- true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "mkns: --hostname needs a new UTS namespace: add --uts (or it would rename the host)" ]
}

# covers: C19 C20
@test "an unprivileged user gets uid 0 inside with --user --map-root" {
	requires root userns
	dir=$(world_readable_tools)
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$dir/bin/mkns" --user --map-root --mount --pid -- \
		sh -c 'id -u; cat /proc/self/uid_map /proc/self/setgroups'
	rm -rf "$dir"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "$(echo "${lines[1]}" | tr -s ' ')" = " 0 65534 1" ]
	[ "${lines[2]}" = deny ]
}

@test "root writes multi-range maps directly" {
	requires root
	run mkns --user --uid-map 0:100000:1000 --uid-map 1000:0:1 --gid-map 0:100000:65536 -- cat /proc/self/uid_map /proc/self/gid_map
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tr -s ' ' | sed 's/^ //')" = "$(printf '0 100000 1000\n1000 0 1\n0 100000 65536')" ]
}

@test "an unprivileged multi-range map goes through newuidmap" {
	requires root userns newuidmap
	dir=$(world_readable_tools)
	run setpriv --reuid=65534 --regid=65534 --clear-groups env BOXSTEP_TRACE=1 \
		"$dir/bin/mkns" --user --uid-map 0:65534:1 --uid-map 1:100000:10 -- true
	rm -rf "$dir"
	# nobody has no /etc/subuid range: newuidmap is run, and refuses
	[[ "$output" == *'execve("'*'newuidmap", ["newuidmap", '* ]]
	[ "$status" -eq 125 ]
}

# covers: C18
@test "--boottime shifts /proc/uptime inside a time namespace" {
	requires root timens
	run mkns --boottime 86400 -- cat /proc/uptime
	[ "$status" -eq 0 ]
	inside=${output%%.*}
	outside=$(cut -d. -f1 /proc/uptime)
	[ "$inside" -ge $((outside + 86000)) ]
}

@test "--time alone does not fork" {
	requires root timens
	run env BOXSTEP_TRACE=1 mkns --time --monotonic 10 -- true
	[ "$status" -eq 0 ]
	[[ "$output" == *'write("/proc/self/timens_offsets", "monotonic 10 0") = 14'* ]]
	[[ "$output" != *"clone()"* ]]
}

@test "exit status: the program's own 0 and 3, and 137 after SIGKILL" {
	requires root
	run mkns --pid -- true
	[ "$status" -eq 0 ]
	run mkns --pid -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
	start_ready --pid 'exec sleep 1000'
	kill -KILL "$(pgrep -P "$mkns_pid")"
	wait_status "$mkns_pid"
	[ "$status" -eq 137 ]
}

@test "SIGTERM to mkns reaches a PID 1 that handles it" {
	requires root
	start_ready --pid "trap 'exit 7' TERM; while :; do sleep 1; done"
	kill -TERM "$mkns_pid"
	wait_status "$mkns_pid"
	[ "$status" -eq 7 ]
}

# covers: C08
@test "a PID 1 that ignores SIGTERM is killed after --kill-after, or at a second signal" {
	requires root
	start_ready --pid --kill-after 1 'exec sleep 1000'
	kill -TERM "$mkns_pid"
	wait_status "$mkns_pid"
	[ "$status" -eq 137 ]

	start_ready --pid --kill-after 3600 'exec sleep 1000'
	kill -TERM "$mkns_pid"
	kill -INT "$mkns_pid"
	wait_status "$mkns_pid"
	[ "$status" -eq 137 ]
}

@test "killing mkns with SIGKILL leaves no container process" {
	requires root
	start_ready --pid 'exec sleep 1000'
	child=$(pgrep -P "$mkns_pid")
	[ -n "$child" ]
	kill -KILL "$mkns_pid"
	wait "$mkns_pid" || true
	# PR_SET_PDEATHSIG delivers SIGKILL to the child as its parent dies; wait for it.
	timeout 5 tail -s 0.05 --pid="$child" -f /dev/null
	run -1 kill -0 "$child"
}

# covers: C09
@test "a mount inside mkns --mount stays inside by default, leaks with --propagation unchanged" {
	requires root
	mnt="$BATS_TEST_TMPDIR/mnt"
	mkdir -p "$mnt"
	# The outer namespace stands for a systemd host, whose / is shared.
	run mkns --mount -- sh -c "
		mount --make-rshared /
		mkns --mount -- mount -t tmpfs inner '$mnt'
		findmnt -n -o SOURCE '$mnt' || echo none
		mkns --mount --propagation unchanged -- mount -t tmpfs leaked '$mnt'
		findmnt -n -o SOURCE '$mnt'"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = none ]
	[ "${lines[1]}" = leaked ]
}

@test "usage errors exit 125 with one line and a pointer to --help" {
	run mkns --pdi -- true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "mkns: unknown option '--pdi'" ]
	[ "${lines[1]}" = "Try 'mkns --help'." ]
	run mkns --uts --uts -- true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "mkns: namespace '--uts' given twice" ]
	run mkns --propagation shared --mount -- true
	[ "$status" -eq 125 ]
	run mkns -- true
	[ "$status" -eq 125 ]
	[[ "${lines[0]}" == "mkns: no namespace asked for"* ]]
}

@test "a bad map is refused before anything is made" {
	run env BOXSTEP_TRACE=1 mkns --user --uid-map 0:1000 -- true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "mkns: invalid range '0:1000' for --uid-map: expected INSIDE:OUTSIDE:COUNT, as 0:100000:65536" ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "$output" != *unshare* ]]
	run mkns --uid-map 0:0:1 -- true
	[ "$status" -eq 125 ]
	[[ "${lines[0]}" == *"add --user"* ]]
}

@test "126 and 127 when the program cannot run" {
	run -127 mkns --uts -- /nonexistent/prog
	[ "$status" -eq 127 ]
	[ "${lines[0]}" = 'mkns: execve("/nonexistent/prog", ["/nonexistent/prog"]): No such file or directory' ]
	printf 'not a program\n' >"$BATS_TEST_TMPDIR/data"
	run -126 mkns --uts -- "$BATS_TEST_TMPDIR/data"
	[ "$status" -eq 126 ]
}

@test "no PROGRAM runs /bin/sh" {
	requires root
	run mkns --uts <<<'echo shell-ran'
	[ "$status" -eq 0 ]
	[ "$output" = shell-ran ]
}

@test "trace mode prints each kernel call, strace-shaped, on BOXSTEP_TRACE_FD" {
	requires root
	run env BOXSTEP_TRACE=1 BOXSTEP_TRACE_FD=3 mkns --pid --uts --mount --hostname box -- true 3>"$BATS_TEST_TMPDIR/trace"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	trace=$(cat "$BATS_TEST_TMPDIR/trace")
	echo "$trace"
	grep -Eq '^mkns: unshare\(CLONE_NEWNS\|CLONE_NEWPID\|CLONE_NEWUTS\) = 0$' <<<"$trace"
	grep -Eq '^mkns: mount\(NULL, "/", NULL, MS_REC\|MS_PRIVATE, NULL\) = 0$' <<<"$trace"
	grep -Eq '^mkns: sethostname\("box", 3\) = 0$' <<<"$trace"
	grep -Eq '^mkns: clone\(\) = [0-9]+ +# pid 1 in the new pid namespace$' <<<"$trace"
	grep -Eq '^mkns: execve\("[^"]*/true", \["true"\]\) = 0$' <<<"$trace"
}

@test "a failed call is traced with its errno name" {
	requires root
	run env BOXSTEP_TRACE=1 mkns --time --boottime 10 -- sh -c "mkns --boottime 20 -- true"
	[ "$status" -eq 0 ] || [ "$status" -eq 125 ]
	run env BOXSTEP_TRACE=1 setpriv --reuid=65534 --regid=65534 --clear-groups "$BOXSTEP_ROOT/bin/mkns" --uts -- true
	[ "$status" -eq 125 ] || skip "checkout not readable by nobody"
	[[ "$output" == *"mkns: unshare(CLONE_NEWUTS) = -1 EPERM (Operation not permitted)"* ]]
	[[ "$output" == *"mkns: unshare(CLONE_NEWUTS): Operation not permitted"* ]]
	[[ "$output" == *"mkns: hint: creating namespaces needs CAP_SYS_ADMIN"* ]]
}

@test "descriptors above 2 are closed for the program, unless preserved" {
	requires root
	run bash -c 'exec 7</dev/null; mkns --uts -- sh -c "[ -e /proc/self/fd/7 ] && echo open || echo closed"'
	[ "$output" = closed ]
	run bash -c 'exec 7</dev/null; BOXSTEP_PRESERVE_FDS=7 mkns --uts -- sh -c "[ -e /proc/self/fd/7 ] && echo open || echo closed"'
	[ "$output" = open ]
	# shellcheck disable=SC2016 # expanded by the inner shell
	run env BOXSTEP_TRACE_FD=2 mkns --uts -- sh -c 'echo "${BOXSTEP_TRACE_FD-unset}"'
	[ "$output" = unset ]
}

@test "the next stage is found in the toolkit's own directory before PATH" {
	requires root
	run env PATH=/usr/bin:/bin BOXSTEP_TRACE=1 "$BOXSTEP_ROOT/bin/mkns" --uts -- mkns --ipc -- true
	[ "$status" -eq 0 ]
	[[ "$output" == *"execve(\"$BOXSTEP_ROOT/bin/mkns\", [\"mkns\", \"--ipc\", \"--\", \"true\"]) = 0"* ]]
}

@test "--help and --version" {
	run mkns --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: mkns "* ]]
	[[ "$output" == *"Kernel calls"* ]]
	run mkns --version
	[ "$output" = "mkns (boxstep) 0.1.0" ]
}

# covers: C19 C21
@test "root remapped to 100000 becomes that uid: host root's files are out of reach" {
	requires root
	echo secret >"$BATS_TEST_TMPDIR/rootfile"
	chmod 600 "$BATS_TEST_TMPDIR/rootfile"
	chmod 755 "$BATS_TEST_TMPDIR"
	run mkns --user --uid-map 0:100000:65536 --gid-map 0:100000:65536 -- \
		sh -c "id -u; grep -E '^(Uid|Groups):' /proc/self/status; cat '$BATS_TEST_TMPDIR/rootfile'"
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = 0 ]
	[ "$(echo "${lines[1]}" | tr -s '\t ' ' ')" = "Uid: 0 0 0 0" ]
	[ "$(echo "${lines[2]}" | tr -d '\t ')" = "Groups:" ]
	[[ "$output" == *"Permission denied"* ]]
}

@test "a map longer than one page is refused before anything is made" {
	local args=() i
	for i in $(seq 0 173); do args+=("--uid-map=$((i * 100000)):$((i * 100000)):100000"); done
	run env BOXSTEP_TRACE=1 mkns --user "${args[@]}" -- true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "mkns: the uid map does not fit one page (4096 bytes), which the kernel takes in one write" ]
	[[ "$output" != *unshare* ]]
}
