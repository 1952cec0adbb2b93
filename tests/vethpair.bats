#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # inner shells expand their own variables; bats sets $stderr
# vethpair: a veth pair from a new network namespace to the outer one, bridges,
# addresses, routes, NAT through the fake host, errors, trace, the outer handle.
# Every network change happens in a fake host (tests/net-helpers.bash: scenario).
bats_require_minimum_version 1.5.0
load helpers
load net-helpers

teardown() { net_teardown; }

@test "--help, --version and usage errors" {
	run vethpair --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: vethpair [--bridge NAME [--bridge-addr CIDR] | --host-addr CIDR] "* ]]
	[[ "$output" == *"Kernel calls, in order"* ]]
	run vethpair --version
	[ "$output" = "vethpair (boxstep) 0.1.0" ]
	run vethpair --addr 10.0.0.2/24 --addr 10.0.0.3/24 -- true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "vethpair: option '--addr' given twice" ]
}

# covers: C13 C14
@test "two containers on one bridge ping each other and the bridge address" {
	requires root busybox
	run scenario <<'EOF'
start_box a vethpair --bridge br0 --bridge-addr 10.20.0.1/24 --addr 10.20.0.2/24 --gateway 10.20.0.1 -- sh -c "$BOX_UP" sh a
start_box b vethpair --bridge br0 --addr 10.20.0.3/24 --gateway 10.20.0.1 -- sh -c "$BOX_UP" sh b
in_box a busybox ping -c1 -W2 10.20.0.3 >/dev/null && echo "a -> b ok"
in_box b busybox ping -c1 -W2 10.20.0.2 >/dev/null && echo "b -> a ok"
in_box b busybox ping -c1 -W2 10.20.0.1 >/dev/null && echo "b -> bridge ok"
echo "on br0: $(ip -o link show master br0 | wc -l)"
in_box a ip -o -4 addr show eth0 | awk '{print "a:", $2, $4}'
in_box a ip route | grep default
# Only lo and eth0 inside: the bridge and the other container are not visible.
echo "a sees: $(in_box a ip -o link | awk -F': ' '{print $2}' | cut -d@ -f1 | tr '\n' ' ')"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "a -> b ok" ]
	[ "${lines[1]}" = "b -> a ok" ]
	[ "${lines[2]}" = "b -> bridge ok" ]
	[ "${lines[3]}" = "on br0: 2" ]
	[ "${lines[4]}" = "a: eth0 10.20.0.2/24" ]
	[[ "${lines[5]}" == "default via 10.20.0.1 dev eth0"* ]]
	[ "${lines[6]}" = "a sees: lo eth0 " ]
}

# covers: C13 C14
@test "--host-addr without a bridge: the container and the fake host reach each other" {
	requires root busybox
	run scenario <<'EOF'
start_box c vethpair --host-name vc0 --host-addr 10.30.0.1/30 --addr 10.30.0.2/30 -- sh -c "$BOX_UP" sh c
in_box c busybox ping -c1 -W2 10.30.0.1 >/dev/null && echo "container -> host ok"
busybox ping -c1 -W2 10.30.0.2 >/dev/null && echo "host -> container ok"
ip -o -4 addr show vc0 | awk '{print "host end:", $2, $4}'
# A new network namespace starts with lo down; vethpair brings it up.
in_box c busybox ping -c1 -W2 127.0.0.1 >/dev/null && echo "lo ok"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "container -> host ok" ]
	[ "${lines[1]}" = "host -> container ok" ]
	[ "${lines[2]}" = "host end: vc0 10.30.0.1/30" ]
	[ "${lines[3]}" = "lo ok" ]
}

# covers: C13
@test "the container end dies with the namespace; the bridge stays until --rm-bridge" {
	requires root
	run scenario <<'EOF'
mkns --net -- vethpair --bridge br7 --bridge-addr 10.70.0.1/24 --addr 10.70.0.2/24 -- ip -o link show eth0 | cut -d: -f2
wait_veths 0 && echo "no veth left"
ip -o link show br7 >/dev/null && echo "br7 stays"
vethpair --rm-bridge br7 && echo "removed: $(ip -o link show type bridge | wc -l) bridges"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = " eth0@if2" ] || [[ "${lines[0]}" == " eth0@if"* ]]
	[ "${lines[1]}" = "no veth left" ]
	[ "${lines[2]}" = "br7 stays" ]
	[ "${lines[3]}" = "removed: 0 bridges" ]
}

# covers: C15
@test "NAT: with a masquerade rule the outside sees the fake host's address, without it nothing arrives" {
	requires root busybox
	command -v nft >/dev/null || skip "requires nft (make deps installs nftables)"
	run scenario <<'EOF'
# "The outside": a namespace with a web server whose CGI prints the client's address.
mkdir -p www/cgi-bin
cat >www/cgi-bin/ip <<'CGI'
#!/bin/sh
a=${REMOTE_ADDR#"[::ffff:"}
printf 'Content-Type: text/plain\n\n%s\n' "${a%]}"
CGI
chmod 755 www/cgi-bin/ip
# httpd goes to the background once it listens; the pid namespace ends it with the box.
start_box outside vethpair --host-name out0 --host-addr 192.0.2.1/24 --addr 192.0.2.2/24 -- \
	mkns --pid -- sh -c 'busybox httpd -p 8080 -h www && echo up >outside.up && exec sleep 1000'
# A container behind the fake host's bridge; the fake host routes between them.
start_box inner vethpair --bridge br0 --bridge-addr 10.40.0.1/24 --addr 10.40.0.2/24 --gateway 10.40.0.1 -- sh -c "$BOX_UP" sh inner
echo 1 >/proc/sys/net/ipv4/ip_forward
ask() { # the last line of the answer: the address the outside saw
	printf 'GET /cgi-bin/ip HTTP/1.0\r\n\r\n' | in_box inner busybox nc -w 1 192.0.2.2 8080 2>/dev/null | tail -n 1
}
echo "without NAT: $(ask || true)"
nft add table ip nat
nft add chain ip nat postrouting '{ type nat hook postrouting priority srcnat; }'
nft add rule ip nat postrouting ip saddr 10.40.0.0/24 oifname out0 masquerade
echo "with NAT: $(ask)"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "without NAT: " ]
	[ "${lines[1]}" = "with NAT: 192.0.2.1" ]
}

@test "five containers create one bridge at once" {
	requires root
	run scenario <<'EOF'
for i in 2 3 4 5 6; do
	mkns --net -- vethpair --bridge br5 --bridge-addr 10.50.0.1/24 --addr "10.50.0.$i/24" -- true &
done
fails=0
for i in 2 3 4 5 6; do wait -n || fails=$((fails + 1)); done
echo "failed: $fails; bridges: $(ip -o link show type bridge | wc -l); addresses: $(ip -o -4 addr show br5 | wc -l)"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "failed: 0; bridges: 1; addresses: 1" ]
}

@test "no descriptor to the outer namespace and no handle variable reach the program" {
	requires root
	run scenario <<'EOF'
outer=$(readlink /proc/self/ns/net)
# mkns leaves the handle as descriptor 3; keeping 3 open on purpose shows that it
# is vethpair that closes it, not only the end of the chain.
BOXSTEP_TRACE=1 BOXSTEP_PRESERVE_FDS=3 mkns --net -- vethpair -- sh -c '
	for fd in /proc/self/fd/*; do readlink "$fd"; done
	env | grep -c BOXSTEP_OUTER_NETNS_FD || true' >links 2>trace
grep -o 'BOXSTEP_OUTER_NETNS_FD=[0-9]*' trace | head -n 1
echo "net namespace fds: $(grep -c "net:\[" links || true), to the outer one: $(grep -cF "$outer" links || true), handle variables: $(tail -n 1 links)"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "BOXSTEP_OUTER_NETNS_FD=3" ]
	[ "${lines[1]}" = "net namespace fds: 0, to the outer one: 0, handle variables: 0" ]
}

@test "trace mode prints each netlink request and the kernel's reply" {
	requires root
	run scenario <<'EOF'
BOXSTEP_TRACE=1 mkns --net -- vethpair --host-name vt0 --host-addr 10.60.0.1/24 --addr 10.60.0.2/24 --mtu 1400 -- true 2>&1 |
	grep '^vethpair: ' >trace
grep -c 'sendmsg(' trace
grep -c 'recvmsg(.*NLMSG_ERROR{error=' trace
grep -o 'RTM_NEWLINK{NLM_F_CREATE|NLM_F_EXCL, IFLA_IFNAME="eth0", IFLA_MTU=1400, IFLA_LINKINFO={IFLA_INFO_KIND="veth", IFLA_INFO_DATA={VETH_INFO_PEER={IFLA_IFNAME="vt0", IFLA_MTU=1400, IFLA_NET_NS_FD=[0-9]*}}}}' trace | head -n 1
grep -o 'RTM_NEWADDR{.*IFA_LOCAL=10.60.0.2, IFA_ADDRESS=10.60.0.2}) = [0-9]*' trace | sed 's/{.*}/{...}/'
grep -o 'setns([0-9]*<"net:\[[0-9]*\]">, CLONE_NEWNET) = 0' trace | wc -l
tail -n 1 trace | grep -o 'execve("[^"]*true"'
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	# Every request gets exactly one ACK or error: as many replies as requests.
	[ "${lines[0]}" = "${lines[1]}" ]
	[ "${lines[0]}" -ge 10 ]
	[[ "${lines[2]}" == 'RTM_NEWLINK{NLM_F_CREATE|NLM_F_EXCL, IFLA_IFNAME="eth0"'* ]]
	[ "${lines[3]}" = "RTM_NEWADDR{...}) = 40" ]
	[ "${lines[4]}" = 1 ]
	[[ "${lines[5]}" == 'execve("'*'true"' ]]
}

@test "refused: invalid CIDR, duplicate name, not a bridge, no new namespace; nothing is made" {
	requires root
	run scenario <<'EOF'
ip link add taken type veth peer name taken2
check() {
	local before after st=0
	before=$(ip -o link | awk -F': ' '{print $2}' | sort)
	"$@" >out 2>&1 || st=$?
	wait_veths 2 || true
	after=$(ip -o link | awk -F': ' '{print $2}' | sort)
	echo "$st | $(head -n 1 out) | $(sed 1d out | grep -vc -e ': hint: ' -e '^Try ' || true) other lines | $([ "$before" = "$after" ] && echo unchanged || echo CHANGED)"
}
check mkns --net -- vethpair --addr 10.0.0.300/24 -- true
check mkns --net -- vethpair --addr 10.0.0.2 -- true
check mkns --net -- vethpair --host-name taken -- true
check mkns --net -- vethpair --name lo -- true
check mkns --net -- vethpair --bridge taken --bridge-addr 10.0.0.1/24 -- true
check mkns --net -- vethpair --bridge nobridge -- true
check vethpair --addr 10.0.0.2/24 -- true
check mkns --net -- vethpair --addr 10.0.0.2/24 --gateway 10.1.0.1 -- true
check mkns --net -- vethpair --name 'a/b' -- true
check mkns --net -- vethpair --bridge br0 --host-addr 10.0.0.1/24 -- true
check mkns --uts -- vethpair -- true
check vethpair --rm-bridge taken
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "125 | vethpair: invalid CIDR '10.0.0.300/24' for --addr: expected an IPv4 address and prefix, as 10.0.0.2/24 | 0 other lines | unchanged" ]
	[ "${lines[1]}" = "125 | vethpair: invalid CIDR '10.0.0.2' for --addr: expected an IPv4 address and prefix, as 10.0.0.2/24 | 0 other lines | unchanged" ]
	[ "${lines[2]}" = "125 | vethpair: a device named \"taken\" already exists in the outer network namespace | 0 other lines | unchanged" ]
	[ "${lines[3]}" = "125 | vethpair: a device named \"lo\" already exists in the container's network namespace | 0 other lines | unchanged" ]
	[ "${lines[4]}" = "125 | vethpair: \"taken\" exists in the outer network namespace but is not a bridge (kind \"veth\") | 0 other lines | unchanged" ]
	[ "${lines[5]}" = "125 | vethpair: there is no bridge \"nobridge\" in the outer network namespace | 0 other lines | unchanged" ]
	[ "${lines[6]}" = "125 | vethpair: no outer network namespace to connect to: BOXSTEP_OUTER_NETNS_FD is not set | 0 other lines | unchanged" ]
	[ "${lines[7]}" = "125 | vethpair: --gateway 10.1.0.1 is not in --addr 10.0.0.2/24's subnet: the kernel could not reach it | 0 other lines | unchanged" ]
	[[ "${lines[8]}" == "125 | vethpair: invalid device name 'a/b' for --name: "*" | 0 other lines | unchanged" ]]
	[[ "${lines[9]}" == "125 | vethpair: give --bridge or --host-addr, not both"*" | 0 other lines | unchanged" ]]
	[ "${lines[10]}" = "125 | vethpair: no outer network namespace to connect to: BOXSTEP_OUTER_NETNS_FD is not set | 0 other lines | unchanged" ]
	[ "${lines[11]}" = "125 | vethpair: \"taken\" is not a bridge (kind \"veth\"): not removed | 0 other lines | unchanged" ]
}

# covers: C20
@test "a rootless chain cannot reach the outer namespace, and vethpair says why" {
	requires root userns
	run scenario <<'EOF'
before=$(ip -o link | wc -l)
st=0
mkns --user --map-root --net -- vethpair --addr 10.0.0.2/24 -- true 2>err || st=$?
echo "status $st, links $before -> $(ip -o link | wc -l)"
cat err
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "status 125, links 1 -> 1" ]
	[[ "${lines[1]}" == 'vethpair: setns(3<"net:['*']">, CLONE_NEWNET): Operation not permitted' ]]
	[[ "${lines[2]}" == "vethpair: hint: a rootless chain cannot reach the outer network namespace"*"slirp4netns, pasta"* ]]
}

@test "a request the kernel refuses: its own reason in the error line, the new bridge removed" {
	requires root
	run scenario <<'EOF'
st=0
# 10.0.0.255 is in 10.0.0.0/24 but is its broadcast address: only the kernel knows
# it cannot be a gateway, and says so in its extended ACK.
mkns --net -- vethpair --bridge br9 --bridge-addr 10.0.0.1/24 --addr 10.0.0.2/24 --gateway 10.0.0.255 -- true 2>err || st=$?
echo "status $st"
cat err
wait_veths 0
echo "links: $(ip -o link | awk -F': ' '{print $2}' | tr '\n' ' ')"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "status 125" ]
	[[ "${lines[1]}" == "vethpair: RTM_NEWROUTE{"*"RTA_GATEWAY=10.0.0.255, RTA_OIF=2}: Invalid argument (kernel: \"Nexthop has invalid gateway\")" ]]
	[ "${lines[2]}" = "links: lo " ]
}
