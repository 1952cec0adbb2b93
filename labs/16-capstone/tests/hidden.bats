#!/usr/bin/env bats
# The capstone's hidden check (make student-pack leaves it out): two containers
# of the script at once, on one bridge, each with its own name and address.
#
# lab-requires: root mnt uts ipc pid net cgroup busybox

load ../../../tests/helpers
load capstone

bats_require_minimum_version 1.5.0

setup_file() { capstone_setup_file; }
setup() { capstone_setup; }

# covers: C14
# hint: lessons/16-the-whole-container.md, section "A published port"
@test "[10] two containers at once on box0: the second fetches the first's page" {
	run in_host <<'EOF2'
start pid1 -- httpd -f -p 80 -h /www
first=${ADDR%/*}
echo "first: $(wait_page "$first")"
# The second: another name, the next address of the subnet; the bridge exists now.
last=${first##*.}
NAME=${NAME}b ADDR=$NET.$((last + 1))/24
box sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc $first 80 | tail -n 1" 2>&1
echo "status $?"
stop "$BG"
EOF2
	echo "container.sh ROOTFS $NAME $ADDR ... httpd, then a second container.sh with the next address fetches its page:"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "first: $PAGE" ]
	[ "${lines[1]}" = "$PAGE" ]
	[ "${lines[2]}" = "status 0" ]
}
