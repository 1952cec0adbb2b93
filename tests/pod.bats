#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # inner shells expand their own variables; bats sets $stderr
# A pod, end to end: pause holds a network, UTS and IPC namespace; two containers
# join them (nsjoin) with mount and pid namespaces and roots of their own (pivot).
# They talk over 127.0.0.1, share the hostname and the SysV IPC objects, and see
# neither each other's files nor each other's processes. Stopping the pod: its
# containers, then pause; the containers alone keep the namespaces alive.
bats_require_minimum_version 1.5.0
load helpers
load net-helpers

teardown() { net_teardown; }

# covers: C48 C49 C16
@test "a pod: two containers share net, UTS and IPC through pause, and nothing else" {
	requires root busybox
	run scenario <<'EOF'
for c in a b; do
	mkrootfs "root$c" >/dev/null
	mkrootfs --from-host ipcmk ipcs "root$c" >/dev/null
	mkdir -p "chan$c"
done
mkdir -p roota/www
echo "hello from a" >roota/www/index.html

# The pod: pause in new network, UTS and IPC namespaces; a FIFO as its pidfile
# says when it is up.
mkfifo pod.up
mkns --net --uts --ipc --hostname pod -- pause --pidfile pod.up &
echo $! >pause.pid
read -r pod <pod.up
echo "$pod" >pod.pid
# A new network namespace has lo down: bring it up, as Kubernetes' loopback plugin does.
nsjoin --target pod.pid --net -- ip link set lo up

# member NAME CMD: a container of the pod, with its own mount and pid namespaces
# and its own root; chanNAME is mounted at /chan inside, to talk to the test. Run
# with &, it is the process nsjoin becomes: mkns, which supervises the member's PID 1.
member() {
	exec nsjoin --target pod.pid --net --uts --ipc -- \
		mkns --mount --pid -- pivot --bind "$PWD/chan$1:/chan" "root$1" -- sh -c "$2"
}

# Container a: a web server on 127.0.0.1, a message queue, a file of its own.
mkfifo chana/up
member a 'trap "exit 0" TERM
	echo mine >/tmp/a-only
	ipcmk -Q | sed "s/.*: //" >/chan/queue
	busybox httpd -p 127.0.0.1:8080 -h /www
	echo up >/chan/up
	sleep 1000 & wait' &
echo $! >a.pid
read -r _ <chana/up
a_init=$(cat /proc/"$(cat a.pid)"/task/"$(cat a.pid)"/children)
a_init=${a_init%% *}

# Container b: reaches a over localhost, sees the pod's hostname and a's queue,
# but neither a's file nor a's processes.
(member b 'echo "b hostname: $(hostname)"
	printf "GET /index.html HTTP/1.0\r\n\r\n" | busybox nc 127.0.0.1 8080 | tail -n 1
	echo "b queues: $(ipcs -q | awk "\$2 ~ /^[0-9]+\$/ {print \$2}" | tr "\n" " ")"
	ls /tmp/a-only 2>/dev/null || echo "b: no /tmp/a-only"
	echo "b sees a'"'"'s processes: $(ps -o comm= | grep -c -e httpd -e sleep)"')
echo "a queue: $(cat chana/queue)"
echo "a hostname: $(nsjoin --target a.pid --uts -- hostname)"
for t in net uts ipc mnt pid; do
	same=$([ "$(readlink /proc/"$pod"/ns/$t)" = "$(readlink /proc/"$a_init"/ns/$t)" ] && echo shared || echo own)
	printf '%s:%s ' "$t" "$same"
done
echo

# Stopping: pause first, here, to show that a's membership keeps the namespaces
# alive; then a. (A real pod stops its containers first, then pause.)
net=$(readlink /proc/"$pod"/ns/net)
kill -TERM "$pod"
wait "$(cat pause.pid)" && echo "pause: exit 0"
rm pause.pid pod.pid
after=$(nsjoin --target a.pid --net -- readlink /proc/self/ns/net)
[ "$after" = "$net" ] && echo "after pause: a is still in the pod's network"
echo "a answers: $(printf 'GET /index.html HTTP/1.0\r\n\r\n' | nsjoin --target a.pid --net -- busybox nc 127.0.0.1 8080 | tail -n 1)"
kill -TERM "$(cat a.pid)"
wait "$(cat a.pid)" && echo "a: exit 0"
rm a.pid
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "b hostname: pod" ]
	[ "${lines[1]}" = "hello from a" ]
	[[ "${lines[2]}" =~ ^b\ queues:\ ([0-9]+)\ $ ]]
	queue=${BASH_REMATCH[1]}
	[ "${lines[3]}" = "b: no /tmp/a-only" ]
	[ "${lines[4]}" = "b sees a's processes: 0" ]
	[ "${lines[5]}" = "a queue: $queue" ]
	[ "${lines[6]}" = "a hostname: pod" ]
	[ "${lines[7]}" = "net:shared uts:shared ipc:shared mnt:own pid:own " ]
	[ "${lines[8]}" = "pause: exit 0" ]
	[ "${lines[9]}" = "after pause: a is still in the pod's network" ]
	[ "${lines[10]}" = "a answers: hello from a" ]
	[ "${lines[11]}" = "a: exit 0" ]
}
