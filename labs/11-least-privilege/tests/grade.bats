#!/usr/bin/env bats
# Grader for lab 11: labs/lab.sh grade 11 [--dir PATH] runs it with LAB_WORK set to
# the folder holding the learner's run.sh. The page the server serves and the
# privileged calls tried are random, so a hard-coded answer fails. Every run is
# inside a fake host (new mount, UTS and network namespaces) with a time limit.
#
# lab-requires: root mnt uts net seccomp busybox

load ../../../tests/helpers

bats_require_minimum_version 1.5.0

# The programs run as uid 1000 must be reachable by it: a world-readable copy of
# the tools and probes (the checkout may sit in a 0700 home), and a web root.
setup_file() {
	leak_snapshot
	TOOLS=$(world_readable_tools)
	cp "$TOOLS/probes/privs" "$TOOLS/suid-privs"
	chown root:root "$TOOLS/suid-privs"
	chmod 4755 "$TOOLS/suid-privs"
	export TOOLS PATH="$TOOLS/bin:$TOOLS/probes:$PATH"
}

teardown_file() {
	rm -rf "$TOOLS"
	leak_check
}

setup() {
	WORK=${LAB_WORK:-$BATS_TEST_DIRNAME/../work}
	SCRIPT=$WORK/run.sh
	if [ ! -x "$SCRIPT" ]; then
		echo "$SCRIPT is missing or not executable (chmod +x run.sh)"
		return 1
	fi
	LIMIT=20
}

# run_sh PROGRAM...: the learner's script, in a fake host, with a time limit.
run_sh() {
	fake_host timeout -s KILL "$LIMIT" "$SCRIPT" "$@"
}

# serve WWW: in a fake host with lo up, starts run.sh busybox httpd on port 80 and
# fetches / once it answers (or the server has died), then stops it.
# shellcheck disable=SC2016
SERVE='
	ip link set lo up
	"$1" busybox httpd -f -p 80 -h "$2" &
	pid=$!
	for _ in $(seq 100); do
		busybox wget -q -O - http://127.0.0.1/ 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || { wait "$pid"; echo "the server exited with status $?"; exit 0; }
		sleep 0.05
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	exit 0
'

# covers: C40
# hint: lessons/11-capabilities.md, section "The fix: the ambient set"
@test "[25] the web server serves on port 80" {
	local www token
	www=$(mktemp -d /tmp/lab11-www.XXXXXX)
	token="page-$RANDOM-$RANDOM"
	echo "$token" >"$www/index.html"
	chmod -R a+rX "$www"
	run --separate-stderr fake_host timeout -s KILL "$LIMIT" bash -c "$SERVE" bash "$SCRIPT" "$www"
	rm -rf "$www"
	echo "run.sh busybox httpd -f -p 80 -h WWW, then wget http://127.0.0.1/: '$output'"
	[ -n "$stderr" ] && echo "stderr: $stderr"
	[ "$output" = "$token" ]
}

# covers: C40 C41 C42
# hint: lessons/11-capabilities.md, section "Break it: a web server as uid 1000 on port 80"
@test "[25] PROGRAM runs as uid 1000 with net_bind_service and no other capability" {
	run --separate-stderr run_sh cinfo --format kv
	printf '%s\n' "$output" | grep -e '^uid=' -e '^cap\.' | sed 's/^/  /'
	[ "$status" -eq 0 ]
	grep -qx 'uid=1000' <<<"$output" || { echo "not uid 1000"; false; }
	grep -qx 'cap.eff.names=net_bind_service' <<<"$output" || { echo "effective: not net_bind_service alone"; false; }
	grep -qx 'cap.bnd.names=net_bind_service' <<<"$output" || { echo "bounding: more than net_bind_service"; false; }
	grep -qx 'cap.amb.names=net_bind_service' <<<"$output" || { echo "ambient: not net_bind_service alone"; false; }
}

# covers: C43
# hint: lessons/11-capabilities.md, section "setuid programs and no_new_privs"
@test "[15] a setuid-root program run by PROGRAM gains nothing" {
	run --separate-stderr run_sh "$TOOLS/suid-privs"
	echo "run.sh suid-privs (a setuid-root copy of the privs probe): $output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" euid=1000 "* ]] || { echo "it became euid 0"; false; }
	# nothing beyond what PROGRAM had: at most net_bind_service
	[[ "$output" == *" cap.eff=0000000000000000 "* || "$output" == *" cap.eff=0000000000000400 "* ]] ||
		{ echo "it gained capabilities"; false; }
}

# covers: C38 C39
# hint: lessons/12-seccomp.md, section "Docker's default profile"
@test "[20] privileged calls a web server never makes are refused with EPERM" {
	local calls=(mount unshare setns bpf keyctl add_key perf_event_open reboot ptrace) picked=(ptrace) c
	for _ in 1 2 3; do
		picked+=("${calls[RANDOM % 8]}")
	done
	for c in "${picked[@]}"; do
		run --separate-stderr run_sh tryscall "$c"
		echo "run.sh tryscall $c: $output (status $status)"
		[ "$output" = "$c: EPERM" ]
	done
}

# covers: C38 C40
# hint: lessons/12-seccomp.md, section "Other ABIs and newer syscalls"
@test "[15] no way around: an i386 call is killed, raw sockets are refused" {
	run --separate-stderr run_sh tryscall int80
	echo "run.sh tryscall int80: status $status, '$output'"
	[ "$status" -eq 159 ]
	run --separate-stderr run_sh tryscall raw-socket
	echo "run.sh tryscall raw-socket: $output"
	[ "$output" = "raw-socket: EPERM" ]
}
