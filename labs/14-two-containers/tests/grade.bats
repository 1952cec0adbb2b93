#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # inner shells expand their own variables; bats sets $stderr
# Grader for lab 14: labs/lab.sh grade 14 [--dir PATH] runs it with LAB_WORK set to
# the folder holding the learner's container.sh. Each check's points are in its
# name; the bridge name, the subnet and the addresses are random, so a hard-coded
# answer fails. Every check runs in a fake host (new mount, UTS and network
# namespaces: the bridge and the host ends live there), with IPC and pid namespaces
# of its own, so whatever the script leaves running ends with the check.
#
# lab-requires: root mnt uts net pid busybox

load ../../../tests/helpers

bats_require_minimum_version 1.5.0

setup() {
	WORK=${LAB_WORK:-$BATS_TEST_DIRNAME/../work}
	SCRIPT=$WORK/container.sh
	if [ ! -x "$SCRIPT" ]; then
		echo "$SCRIPT is missing or not executable (chmod +x container.sh)"
		return 1
	fi
	BR=br$((RANDOM % 9000 + 1000))
	NET=10.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1))
	A=$((RANDOM % 100 + 2))
	B=$((A + RANDOM % 100 + 1))
	export SCRIPT BR NET A B
}

# check: runs the bash script on stdin in the sandbox described above, in
# $BATS_TEST_TMPDIR, with start_box (below) defined; 60 s at most.
# start_box NAME N CMD...: container.sh BR NET N CMD in the background, returning
# once CMD runs. CMD gets three more arguments: box, the FIFO NAME.up it must write
# to when up, and the FIFO NAME.go it may wait on. Its output goes to NAME.out.
# shellcheck disable=SC2016
HELPERS='
set -u
start_box() {
	local name=$1 n=$2 said=""
	shift 2
	mkfifo "$name.up" "$name.go"
	exec 7<>"$name.up"
	"$SCRIPT" "$BR" "$NET" "$n" "$@" box "$PWD/$name.up" "$PWD/$name.go" >"$name.out" 2>&1 &
	read -r -t 15 said <&7 || true
	exec 7<&-
	if [ "$said" != up ]; then
		echo "container.sh $BR $NET $n ... did not come up:"
		sed "s/^/  /" "$name.out"
		return 1
	fi
}
# The CMD of a box that only waits; of one that pings the address written to NAME.go.
WAIT='"'"'echo up >"$1"; exec sleep 60'"'"'
PINGER='"'"'echo up >"$1"; read -r to <"$2"; busybox ping -c 1 -W 2 "$to" >/dev/null 2>&1 && echo "ping $to ok" || echo "ping $to failed"'"'"'
'
check() {
	{
		echo "$HELPERS"
		printf 'cd %q\n' "$BATS_TEST_TMPDIR"
		cat
	} >"$BATS_TEST_TMPDIR/check.sh"
	fake_host mkns --pid --mount-proc --ipc -- timeout -s KILL 60 bash "$BATS_TEST_TMPDIR/check.sh"
}

# covers: C13 C14
# hint: lessons/14-networks.md, section "Break it: a network with no way out"
@test "[20] the container's address, lo and default route" {
	run check <<'EOF'
# Addresses, the links' flags (UP: brought up; the operational state may lag), routes.
"$SCRIPT" "$BR" "$NET" "$A" sh -c 'ip -o -4 addr | awk "{print \$2, \$4}"; ip -br link | awk "{print \$1, \$4}"; ip route' 2>&1 | sed 's/^/  /'
echo "second container on the same bridge:"
"$SCRIPT" "$BR" "$NET" "$B" sh -c 'ip -o -4 addr | awk "{print \$2, \$4}"' 2>&1 | sed 's/^/  /'
EOF
	echo "container.sh $BR $NET $A, then $B:"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -Eq "^  lo <LOOPBACK,UP," <<<"$output" || { echo "lo is not up"; false; }
	dev=$(sed -n "s|^  \([a-z0-9]*\) $NET\.$A/24\$|\1|p" <<<"$output")
	[ -n "$dev" ] || { echo "no interface has $NET.$A/24"; false; }
	grep -Eq "^  $dev(@if[0-9]+)? <[A-Z_,-]*,UP[,>]" <<<"$output" || { echo "$dev is not up"; false; }
	grep -q "^  default via $NET.1 " <<<"$output" || { echo "no default route through $NET.1"; false; }
	grep -Eq "^  [a-z0-9]+ $NET\.$B/24\$" <<<"$output" || { echo "the second container has no $NET.$B/24"; false; }
}

# covers: C14
# hint: lessons/14-networks.md, section "A bridge: docker0"
@test "[15] the host end is on the bridge, which holds SUBNET.1" {
	run check <<'EOF'
start_box a "$A" sh -c "$WAIT"
echo "bridge: $(ip -o -4 addr show "$BR" 2>&1 | awk '{print $2, $4}')"
echo "on it: $(ip -o link show master "$BR" 2>/dev/null | wc -l)"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx "bridge: $BR $NET.1/24" <<<"$output" || { echo "the host has no bridge $BR with $NET.1/24"; false; }
	grep -qx "on it: 1" <<<"$output" || { echo "the container's host end is not on $BR"; false; }
}

# covers: C14
# hint: lessons/14-networks.md, section "A bridge: docker0"
@test "[25] two containers ping each other across the bridge" {
	run check <<'EOF'
start_box a "$A" sh -c "$PINGER"
start_box b "$B" sh -c "$PINGER"
echo "$NET.$B" >a.go
echo "$NET.$A" >b.go
wait
echo "$A: $(cat a.out)"
echo "$B: $(cat b.out)"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx "$A: ping $NET.$B ok" <<<"$output"
	grep -qx "$B: ping $NET.$A ok" <<<"$output"
}

# covers: C14
# hint: lessons/14-networks.md, section "A bridge: docker0"
@test "[25] one container serves a file to the other" {
	local token=token-$RANDOM$RANDOM
	export token
	run check <<'EOF'
mkdir -p www && echo "$token" >www/file.txt
start_box server "$A" sh -c 'busybox httpd -p 80 -h www && echo up >"$1" && exec sleep 60'
"$SCRIPT" "$BR" "$NET" "$B" sh -c 'printf "GET /file.txt HTTP/1.0\r\n\r\n" | busybox nc -w 2 "$1" 80' sh "$NET.$A" 2>&1 | tail -n 1
EOF
	echo "server $NET.$A serves www/file.txt ($token); client $NET.$B fetched:"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "$token" ]
}

# covers: C13
# hint: lessons/14-networks.md, section "Check your work"
@test "[15] the container sees only its own devices, and none is left on the host" {
	run check <<'EOF'
echo "inside: $("$SCRIPT" "$BR" "$NET" "$A" ip -br link 2>/dev/null | awk '{print $1}' | sed 's/@.*//' | tr '\n' ' ')"
"$SCRIPT" "$BR" "$NET" "$B" true
# The kernel removes a dead namespace's devices in the background: give it 5 s.
for i in $(seq 50); do
	[ "$(ip -o link show type veth | wc -l)" -eq 0 ] && break
	sleep 0.1
done
echo "veth devices left on the host: $(ip -o link show type veth | wc -l)"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^inside:\ lo\ [a-z0-9]+\ $ ]] || { echo "inside, expected lo and one interface"; false; }
	[ "${lines[1]}" = "veth devices left on the host: 0" ]
}
