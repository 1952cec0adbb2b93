#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # inner shells expand their own variables; bats sets $stderr
# Grader for lab 15: labs/lab.sh grade 15 [--dir PATH] runs it with LAB_WORK set to
# the folder holding the learner's pod.sh. Each check's points are in its name; the
# hostname, the port, the message and the exit status are random. Every check runs
# in a fake host (new mount, UTS and network namespaces), with an IPC namespace of
# its own (a queue a wrong answer makes stays out of the host's), and in a pid
# namespace of its own with its own /proc, so whatever pod.sh leaves running (pause, servers)
# ends with the check, and pids are those of that namespace. pid1 is its PID 1: it
# reaps pause when pause ends (pod.sh, its parent, has exited long before).
#
# lab-requires: root mnt uts ipc net pid busybox

load ../../../tests/helpers

bats_require_minimum_version 1.5.0

setup() {
	WORK=${LAB_WORK:-$BATS_TEST_DIRNAME/../work}
	SCRIPT=$WORK/pod.sh
	if [ ! -x "$SCRIPT" ]; then
		echo "$SCRIPT is missing or not executable (chmod +x pod.sh)"
		return 1
	fi
	HOST=pod-$RANDOM
	PORT=$((RANDOM % 20000 + 10000))
	export SCRIPT HOST PORT
}

# check: runs the bash script on stdin in the sandbox described above, in
# $BATS_TEST_TMPDIR, after "pod.sh start HOST pod.pid" (which must return within
# 15 s), with $pod the pid it wrote; 60 s at most in all.
check() {
	{
		echo 'set -u'
		printf 'cd %q\n' "$BATS_TEST_TMPDIR"
		echo 'if ! timeout -s KILL 15 "$SCRIPT" start "$HOST" pod.pid; then echo "pod.sh start $HOST pod.pid failed"; exit 1; fi'
		echo 'pod=$(cat pod.pid 2>/dev/null) || { echo "pod.sh start wrote no pod.pid"; exit 1; }'
		echo 'if ! [ -d "/proc/$pod" ]; then echo "pod.pid holds \"$pod\": no such process"; exit 1; fi'
		# start_member NAME CMD: "pod.sh run pod.pid sh -c CMD member FIFO" in the
		# background, returning once CMD wrote "up" to the FIFO ($1).
		cat <<'HELPERS'
start_member() {
	local name=$1 said=""
	mkfifo "$name.up"
	exec 7<>"$name.up"
	"$SCRIPT" run pod.pid sh -c "$2" member "$PWD/$name.up" >"$name.out" 2>&1 &
	read -r -t 15 said <&7 || true
	exec 7<&-
	if [ "$said" != up ]; then
		echo "pod.sh run pod.pid sh -c '$2' did not come up:"
		sed "s/^/  /" "$name.out"
		return 1
	fi
}
HELPERS
		cat
	} >"$BATS_TEST_TMPDIR/check.sh"
	fake_host mkns --pid --mount-proc --ipc -- pid1 -- timeout -s KILL 60 bash "$BATS_TEST_TMPDIR/check.sh"
}

# covers: C49
# hint: lessons/15-pods.md, section "The fix: a pod"
@test "[20] pod.sh start: pause is up in new network, UTS and IPC namespaces" {
	run check <<'CHECK'
echo "process: $(cat /proc/$pod/comm)"
for t in net uts ipc; do
	[ "$(readlink /proc/$pod/ns/$t)" = "$(readlink /proc/self/ns/$t)" ] && echo "$t: the host's" || echo "$t: new"
done
echo "hostname: $(nsjoin --target "$pod" --uts -- hostname)"
echo "lo: $(nsjoin --target "$pod" --net -- ip -br link show lo | awk '{print $NF}')"
CHECK
	echo "pod.sh start $HOST pod.pid:"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx "process: pause" <<<"$output" || { echo "the pid in pod.pid is not a pause process"; false; }
	grep -qx "net: new" <<<"$output"
	grep -qx "uts: new" <<<"$output"
	grep -qx "ipc: new" <<<"$output"
	grep -qx "hostname: $HOST" <<<"$output"
	grep -Eqx "lo: <LOOPBACK,UP,LOWER_UP>" <<<"$output" || { echo "lo is not up in the pod"; false; }
}

# covers: C49
# hint: lessons/15-pods.md, section "Break it: two containers and one localhost"
@test "[25] two containers of the pod talk over 127.0.0.1" {
	local token=hello-$RANDOM$RANDOM
	export token
	run check <<'CHECK'
mkdir -p www && echo "$token" >www/index.html
start_member server "busybox httpd -p 127.0.0.1:$PORT -h www && echo up >\"\$1\" && exec sleep 60"
"$SCRIPT" run pod.pid sh -c 'printf "GET /index.html HTTP/1.0\r\n\r\n" | busybox nc -w 2 127.0.0.1 "$1" | tail -n 1' sh "$PORT" 2>&1
CHECK
	echo "a container serves $token on 127.0.0.1:$PORT; the other fetched:"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "$token" ]
}

# covers: C49
# hint: lessons/15-pods.md, section "Check your work"
@test "[20] containers share the pod's net, UTS and IPC namespaces, not mount or PID" {
	run check <<'CHECK'
start_member a 'echo up >"$1"; exec sleep 60'
"$SCRIPT" run pod.pid sh -c 'for t in net uts ipc mnt pid; do echo "$t $(readlink /proc/self/ns/$t)"; done
	echo "pid $$"
	echo "processes $(ls -d /proc/[0-9]* | wc -l)"
	echo "sleep visible: $(cat /proc/[0-9]*/comm 2>/dev/null | grep -c "^sleep$")"' >b.ns
for t in net uts ipc mnt pid; do
	b=$(sed -n "s/^$t //p" b.ns)
	if [ "$b" = "$(readlink /proc/$pod/ns/$t)" ]; then echo "$t: the pod's"; else echo "$t: its own"; fi
done
grep -e '^pid [0-9]*$' -e '^processes ' -e '^sleep visible' b.ns
CHECK
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx "net: the pod's" <<<"$output"
	grep -qx "uts: the pod's" <<<"$output"
	grep -qx "ipc: the pod's" <<<"$output"
	grep -qx "mnt: its own" <<<"$output"
	grep -qx "pid: its own" <<<"$output"
	grep -qx "pid 1" <<<"$output" || { echo "CMD is not PID 1 of its container"; false; }
	grep -Eqx "processes [1-5]" <<<"$output" || { echo "/proc inside shows more than the container's processes"; false; }
	grep -qx "sleep visible: 0" <<<"$output" || { echo "a container sees another's processes"; false; }
}

# covers: C16 C49
# hint: lessons/15-pods.md, section "The fix: a pod"
@test "[15] the hostname and System V IPC objects are the pod's" {
	run check <<'CHECK'
"$SCRIPT" run pod.pid hostname
"$SCRIPT" run pod.pid ipcmk -Q
"$SCRIPT" run pod.pid ipcs -q | awk '$2 ~ /^[0-9]+$/ { print "queue", $2 }'
echo "outside the pod: $(ipcs -q | awk '$2 ~ /^[0-9]+$/' | wc -l) queues"
CHECK
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$HOST" ]
	[[ "${lines[1]}" =~ ^Message\ queue\ id:\ ([0-9]+)$ ]]
	grep -qx "queue ${BASH_REMATCH[1]}" <<<"$output" || { echo "another container does not see queue ${BASH_REMATCH[1]}"; false; }
	grep -qx "outside the pod: 0 queues" <<<"$output" || { echo "the queue is in the host's IPC namespace"; false; }
}

# covers: C08 C49
# hint: lessons/15-pods.md, section "Stopping a pod"
@test "[20] the exit status comes back; the pod stops and leaves nothing" {
	local code=$((RANDOM % 100 + 3))
	export code
	run check <<'CHECK'
st=0
"$SCRIPT" run pod.pid sh -c "exit $code" || st=$?
echo "status $st"
net=$(readlink /proc/$pod/ns/net)
kill -TERM "$pod"
# pause is not this shell's child: give it 5 s to go (and pid1 to reap it).
for _ in $(seq 50); do [ -d "/proc/$pod" ] || break; sleep 0.1; done
[ -d "/proc/$pod" ] && echo "pause still runs after SIGTERM" || echo "pause ended"
left=0
for p in /proc/[0-9]*; do
	[ "$(readlink "$p/ns/net" 2>/dev/null)" = "$net" ] && left=$((left + 1))
done
echo "processes left in the pod: $left"
CHECK
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx "status $code" <<<"$output" || { echo "pod.sh run ... exit $code: the status did not come back"; false; }
	grep -qx "pause ended" <<<"$output"
	grep -qx "processes left in the pod: 0" <<<"$output"
}
