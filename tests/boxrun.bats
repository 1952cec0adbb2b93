#!/usr/bin/env bats
# boxrun: docker-run flags to the boxstep chain. --print shows the chain, one stage
# per line; run, it builds the same container as that chain typed by hand. Every
# container runs in a fake host (bridges, veth ends and nft rules stay there), with
# its cgroup below this test's own (BOXSTEP_CGROUP_PARENT=self) and its state in
# the test's directory.
# shellcheck disable=SC2016 # the scripts run by in_host expand their own variables
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	leak_snapshot
	requires root busybox
	ROOTFS=$BATS_FILE_TMPDIR/rootfs
	mkrootfs "$ROOTFS" >/dev/null
	mkdir -p "$ROOTFS/www"
	echo "hello from the box" >"$ROOTFS/www/index.html"
	cp "$BOXSTEP_ROOT/bin/cinfo" "$ROOTFS/bin/"
}

setup() {
	requires root busybox
	# T: names the test's containers (and cgroups) apart from another run's
	export ROOTFS=$BATS_FILE_TMPDIR/rootfs STATE=$BATS_TEST_TMPDIR/state BOXSTEP_CGROUP_PARENT=self T=$$
	cd "$BATS_TEST_TMPDIR" || return 1
}

# in_host: the bash script on stdin, in a fake host (new mount, UTS and network
# namespaces), in the test's directory, with a time limit. The script stops what
# it started in the background itself.
in_host() {
	cat >"$BATS_TEST_TMPDIR/host.sh"
	fake_host timeout 60 bash -u "$BATS_TEST_TMPDIR/host.sh"
}

@test "--help, --version and usage errors: 125, one line, nothing made" {
	run boxrun --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: boxrun [--rootfs DIR | --layers L1:L2 | --image DEST] "* ]]
	[[ "$output" == *"--memory SIZE              cgset --memory SIZE"* ]]
	run boxrun --version
	[ "$output" = "boxrun (boxstep) 0.1.0" ]
	run boxrun --rootf "$ROOTFS"
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "boxrun: unknown option '--rootf'" ]
	[ "${lines[1]}" = "Try 'boxrun --help'." ]
	run boxrun --state "$STATE" -- true
	[ "$status" -eq 125 ]
	[[ "${lines[0]}" == "boxrun: no root filesystem: give --rootfs DIR"* ]]
	run boxrun --rootfs "$ROOTFS" --state "$STATE" --memory 64q -- true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "boxrun: invalid size '64q' for --memory (64m, 1g, max)" ]
	run boxrun --rootfs "$ROOTFS" --state "$STATE" --name a --name b -- true
	[ "${lines[0]}" = "boxrun: --name given twice" ]
	run boxrun --rootfs "$ROOTFS" --state "$STATE" -p 8080:80 -- true
	[ "$status" -eq 125 ]
	[[ "${lines[0]}" == "boxrun: -p needs --network bridge"* ]]
	run boxrun --rootfs "$ROOTFS" --state "$STATE" --network bridge --ip 10.88.0.1/16 -- true
	[ "$status" -eq 125 ]
	[[ "${lines[0]}" == "boxrun: invalid --ip '10.88.0.1/16': "* ]]
	run boxrun --rootfs "$ROOTFS" --state "$STATE" --security-opt seccomp=/etc/profile.json -- true
	[ "$status" -eq 125 ]
	[ ! -e "$STATE" ]
}

# covers: C53
@test "--print: the chain in the design's order, one stage per line, nothing run or made" {
	run --separate-stderr boxrun --print --rootfs "$ROOTFS" --state "$STATE" --name web -- sh
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	d=$STATE/web
	[ "${lines[0]}" = "mkdir -p $d/merged" ]
	[ "${lines[1]}" = "cgset --name boxstep-web -- \\" ]
	[ "${lines[2]}" = "  mkns --mount --uts --ipc --pid --net --cgroup --hostname web -- \\" ]
	[ "${lines[3]}" = "  overlaymount --lower $ROOTFS --upper $d/upper --work $d/work $d/merged -- \\" ]
	[ "${lines[4]}" = "  pivot $d/merged -- \\" ]
	[ "${lines[5]}" = "  capdrop --keep default -- \\" ]
	[ "${lines[6]}" = "  seccompbpf --profile default -- \\" ]
	[ "${lines[7]}" = '  sh' ]
	[ "${#lines[@]}" -eq 8 ]
	[ ! -e "$STATE" ]
}

# covers: C29 C36 C54
@test "--print maps each docker run flag to its stage and option" {
	mkdir vol
	run --separate-stderr boxrun --print --rootfs "$ROOTFS" --state "$STATE" --name web --hostname h1 \
		--memory 256m --cpus 0.5 --pids-limit 64 --network bridge --ip 10.88.0.7/16 -p 8080:80 \
		--cap-drop ALL --cap-add NET_BIND_SERVICE --security-opt no-new-privileges --user 1000 \
		--read-only -v vol:/data:ro --tmpfs /tmp -w /www -e GREETING=hi --init -- httpd -f -p 80
	echo "$output"
	[ "$status" -eq 0 ]
	d=$STATE/web
	[[ "$output" == *"#   nft 'add rule ip boxstep prerouting tcp dport 8080 dnat to 10.88.0.7:80 comment \"boxrun web\"'"* ]]
	chain=$(echo "$output" | grep -v '^#')
	want="mkdir -p $d/merged
env GREETING=hi \\
  cgset --name boxstep-web --memory 256m --cpus 0.5 --pids 64 -- \\
  mkns --mount --uts --ipc --pid --net --cgroup --hostname h1 -- \\
  vethpair --bridge boxstep0 --bridge-addr 10.88.0.1/16 --addr 10.88.0.7/16 --gateway 10.88.0.1 -- \\
  overlaymount --lower $ROOTFS --upper $d/upper --work $d/work $d/merged -- \\
  pivot --bind $BATS_TEST_TMPDIR/vol:/data:ro --tmpfs /tmp --chdir /www --readonly $d/merged -- \\
  capdrop --keep NET_BIND_SERVICE --user 1000 --no-new-privs -- \\
  seccompbpf --profile default -- \\
  pid1 -- \\
  httpd -f -p 80"
	[ "$chain" = "$want" ] || { diff <(echo "$want") <(echo "$chain"); false; }
	run boxrun --print --rootfs "$ROOTFS" --state "$STATE" --cap-drop net_raw,mknod --cap-add sys_ptrace \
		--security-opt seccomp=unconfined --network host -- sh
	[[ "$output" == *"  mkns --mount --uts --ipc --pid --cgroup --hostname box-"* ]]
	[[ "$output" == *"  capdrop --keep default,sys_ptrace --drop net_raw,mknod -- \\"* ]]
	[[ "$output" != *seccompbpf* ]]
	[ ! -e "$STATE" ]
}

# covers: C44
@test "--privileged: no capdrop, no seccompbpf, /proc unmasked, and a warning saying what it gives away" {
	run --separate-stderr boxrun --print --privileged --rootfs "$ROOTFS" --state "$STATE" --name p -- sh
	[ "$status" -eq 0 ]
	[[ "$output" != *capdrop* ]] && [[ "$output" != *seccompbpf* ]]
	[[ "$output" == *"  pivot --no-masks $STATE/p/merged -- \\"* ]]
	[[ "$stderr" == "boxrun: --privileged: no capdrop (every capability"*"root inside is root on the host"* ]]
	run in_host <<'EOF'
boxrun --privileged --rootfs "$ROOTFS" --state "$STATE" --rm -- \
	sh -c 'cinfo --format kv | grep -E "^(cap.eff|seccomp|nnp)="; stat -c %F /proc/keys' 2>/dev/null
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(kv cap.eff)" = "$(awk '/^CapEff:/ { print $2 }' /proc/self/status)" ]   # all root has here
	[ "$(kv seccomp)" = 0 ]
	[ "$(kv nnp)" = 0 ]
	[ "${lines[-1]}" = "regular empty file" ]
}

# covers: C03 C41 C42 C43 C53
@test "a whole container: every stage, seen by cinfo inside and in the trace" {
	run in_host <<'EOF'
cinfo --format kv >host.kv
BOXSTEP_TRACE=1 BOXSTEP_TRACE_FD=4 boxrun --rootfs "$ROOTFS" --state "$STATE" --name "full$T" --rm \
	--memory 64m --cpus 0.5 --pids-limit 32 --network bridge -v "$PWD/host.kv:/host.kv:ro" -- \
	sh -c 'ip -o -4 addr show eth0; exec cinfo --format kv --ref-file /host.kv' 4>trace
echo "status $?"
echo "veths left: $(ip -o link show type veth | wc -l)"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-2]}" = "status 0" ]
	for ns in mnt uts ipc pid net cgroup; do [ "$(kv "ns.$ns.differs")" = yes ]; done
	[ "$(kv ns.user.differs)" = no ]
	[ "$(kv pid)" = 1 ]
	[ "$(kv hostname)" = "full$T" ]
	[ "$(kv cap.eff.names)" = chown,dac_override,fowner,fsetid,kill,setgid,setuid,setpcap,net_bind_service,net_raw,sys_chroot,mknod,audit_write,setfcap ]
	[ "$(kv nnp)" = 1 ]
	[ "$(kv seccomp)" = 2 ]
	[ "$(kv root)" = "overlay overlay" ]
	[[ "$output" == *"eth0    inet 10.88.0.2/16 "* ]]
	t=$(cat "$BATS_TEST_TMPDIR/trace")
	grep -Eq "^cgset: write\\(\".*/boxstep-full$T/memory\\.(max|limit_in_bytes)\", \"67108864\"\\)" <<<"$t"
	grep -Eq "^cgset: write\\(\".*/boxstep-full$T/cpu\\.(max|cfs_quota_us)\", \"50000" <<<"$t"
	grep -Eq "^cgset: write\\(\".*/boxstep-full$T/pids\\.max\", \"32\"\\)" <<<"$t"
	grep -q '^mkns: unshare(CLONE_NEWCGROUP|CLONE_NEWIPC|CLONE_NEWNET|CLONE_NEWNS|CLONE_NEWPID|CLONE_NEWUTS) = 0' <<<"$t"
	grep -q '^vethpair: sendmsg(.*RTM_NEWLINK.*IFLA_INFO_KIND="veth"' <<<"$t"
	grep -q '^overlaymount: mount("overlay", ' <<<"$t"
	grep -q '^pivot: pivot_root(".", ".") = 0' <<<"$t"
	grep -q '^capdrop: prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN) = 0' <<<"$t"
	grep -q '^seccompbpf: seccomp(SECCOMP_SET_MODE_FILTER' <<<"$t"
	grep -q '^boxrun: # --rm: removed ' <<<"$t"
	# the stages come in the design's order
	order=$(grep -oE '^(cgset|mkns|vethpair|overlaymount|pivot|capdrop|seccompbpf):' <<<"$t" | uniq | tr -d ':' | paste -sd ' ')
	[ "$order" = "cgset mkns vethpair overlaymount pivot capdrop seccompbpf cgset" ]
	[ ! -e "$STATE/full$T" ]
}

# covers: C53
@test "the printed chain, typed by hand, builds the same container as boxrun" {
	run in_host <<'EOF'
cinfo --format kv >host.kv
keys='^(ns\..*\.differs|pid|uid|hostname|cap\.(eff|bnd|prm)|nnp|seccomp|root)='
set -- --rootfs "$ROOTFS" --state "$STATE" --name "same$T" --pids-limit 20 -v "$PWD/host.kv:/host.kv" -- \
	cinfo --format kv --ref-file /host.kv
boxrun "$@" | grep -E "$keys" >by-boxrun
sh -c "$(boxrun --print "$@")" | grep -E "$keys" >by-hand
diff by-boxrun by-hand && echo same
wc -l <by-hand
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = same ]
	[ "${lines[1]}" -ge 15 ]
}

# covers: C15 C14
@test "-p 8080:80: the fake host reaches the container's web server; the rules leave with it" {
	run in_host <<'EOF'
boxrun --rootfs "$ROOTFS" --state "$STATE" --name "web$T" --network bridge -p 8080:80 --init --rm -- \
	httpd -f -p 80 -h /www &
bg=$!
trap 'kill $bg 2>/dev/null; wait' EXIT
# GET PORT: the page the fake host gets from its own address, through the DNAT rule
get() {
	exec 5<>"/dev/tcp/10.88.0.1/$1" && printf 'GET / HTTP/1.0\r\n\r\n' >&5 && sed '1,/^\r$/d' <&5
	exec 5<&-
}
for i in $(seq 100); do # until httpd listens
	page=$(get 8080 2>/dev/null) && [ -n "$page" ] && break
	sleep 0.05
done
echo "page: $page"
nft list table ip boxstep | grep -o 'tcp dport 8080 dnat to 10.88.0.2:80' | sort | uniq -c | awk '{print $1, "rules"}'
echo "claims: $(ls "$STATE/ip")"
kill -TERM "$bg"
wait "$bg"
echo "status $?"
trap - EXIT
echo "rules left: $(nft list table ip boxstep | grep -c dnat)"
echo "claims left: $(ls "$STATE/ip" | wc -l); state left: $(ls "$STATE" | grep -vx ip | wc -l)"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "page: hello from the box" ]
	[ "${lines[1]}" = "2 rules" ]
	[ "${lines[2]}" = "claims: 10.88.0.2" ]
	[ "${lines[3]}" = "status 143" ]
	[ "${lines[4]}" = "rules left: 0" ]
	[ "${lines[5]}" = "claims left: 0; state left: 0" ]
}

# covers: C14
@test "two containers on the bridge get addresses of their own and reach each other" {
	run in_host <<'EOF'
mkfifo ready
boxrun --rootfs "$ROOTFS" --state "$STATE" --name "a$T" --network bridge --rm --init -v "$PWD/ready:/ready" -- \
	sh -c 'echo up >/ready; exec sleep 1000' &
bg=$!
trap 'kill $bg 2>/dev/null; wait' EXIT
read -r _ <ready
boxrun --rootfs "$ROOTFS" --state "$STATE" --name "b$T" --network bridge --rm -- \
	sh -c 'ip -o -4 addr show eth0 | awk "{print \$4}"; ping -c1 -W2 10.88.0.2 >/dev/null && echo "b -> a ok"'
ls "$STATE/ip"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "10.88.0.3/16" ]
	[ "${lines[1]}" = "b -> a ok" ]
	[ "${lines[2]}" = "10.88.0.2" ]
}

# covers: C36
@test "--read-only, -v, --tmpfs and -w: a read-only root, a volume and a tmpfs that take writes" {
	mkdir vol
	run in_host <<'EOF'
boxrun --rootfs "$ROOTFS" --state "$STATE" --name "ro$T" --rm --read-only -v "$PWD/vol:/data" --tmpfs /scratch -w /data -- \
	sh -c 'touch /x 2>/dev/null || echo "root refused"; echo kept >note; touch /scratch/y && echo "tmpfs ok"; pwd'
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "root refused" ]
	[ "${lines[1]}" = "tmpfs ok" ]
	[ "${lines[2]}" = /data ]
	[ "$(cat vol/note)" = kept ]
}

# covers: C34
@test "--rm drops the container's writes; without it they stay for the next run of that name" {
	run in_host <<'EOF'
boxrun --rootfs "$ROOTFS" --state "$STATE" --name "keep$T" -- sh -c 'echo one >/data.txt'
echo "kept: $(cat "$STATE/keep$T/upper/data.txt")"
boxrun --rootfs "$ROOTFS" --state "$STATE" --name "keep$T" --rm -- cat /data.txt
[ -e "$STATE/keep$T" ] || echo "removed"
[ -e "$ROOTFS/data.txt" ] || echo "the image is untouched"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "kept: one" ]
	[ "${lines[1]}" = one ]
	[ "${lines[2]}" = removed ]
	[ "${lines[3]}" = "the image is untouched" ]
}

@test "a name in use is refused while its container runs" {
	run in_host <<'EOF'
mkfifo ready
# no --rm: boxrun becomes the chain; its pid in busy/running is the chain's first stage
boxrun --rootfs "$ROOTFS" --state "$STATE" --name "busy$T" --init -v "$PWD/ready:/ready" -- sh -c 'echo up >/ready; exec sleep 1000' &
bg=$!
trap 'kill $bg 2>/dev/null; wait' EXIT
read -r _ <ready
boxrun --rootfs "$ROOTFS" --state "$STATE" --name "busy$T" -- true
echo "status $?"
kill "$bg"
wait "$bg"
trap - EXIT
boxrun --rootfs "$ROOTFS" --state "$STATE" --name "busy$T" --rm -- echo "free again"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "boxrun: container busy$T is running ($STATE/busy$T is in use): choose another --name" ]]
	[ "${lines[1]}" = "status 125" ]
	[ "${lines[2]}" = "free again" ]
}

# covers: C40 C43 C39
@test "--user, --cap-drop ALL, --cap-add, no-new-privileges, seccomp=unconfined" {
	run in_host <<'EOF'
boxrun --rootfs "$ROOTFS" --state "$STATE" --rm --cap-drop ALL --cap-add net_bind_service -- cinfo --format kv | grep -E '^cap.eff.names='
boxrun --rootfs "$ROOTFS" --state "$STATE" --rm --user 1000 --security-opt no-new-privileges -- cinfo --format kv | grep -E '^(uid|cap.eff|cap.bnd.names|nnp)='
boxrun --rootfs "$ROOTFS" --state "$STATE" --rm --security-opt seccomp=unconfined -- cinfo --format kv | grep -E '^(seccomp|nnp)='
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = cap.eff.names=net_bind_service ]
	[ "${lines[1]}" = uid=1000 ]
	[ "${lines[2]}" = cap.eff=0000000000000000 ]
	[[ "${lines[3]}" == cap.bnd.names=chown,* ]]
	[ "${lines[4]}" = nnp=1 ]
	[ "${lines[5]}" = nnp=0 ]
	[ "${lines[6]}" = seccomp=0 ]
}

@test "exit statuses: the program's own, 127 not found; SIGTERM reaches it and the state goes (--rm)" {
	run in_host <<'EOF'
boxrun --rootfs "$ROOTFS" --state "$STATE" --rm -- sh -c 'exit 7'
echo "status $?"
boxrun --rootfs "$ROOTFS" --state "$STATE" --rm -- no-such-program 2>/dev/null
echo "status $?"
mkfifo ready
boxrun --rootfs "$ROOTFS" --state "$STATE" --name "sig$T" --init --rm -v "$PWD/ready:/ready" -- \
	sh -c 'echo up >/ready; exec sleep 1000' &
bg=$!
read -r _ <ready
kill -TERM "$bg"
wait "$bg"
echo "status $?"
ls -A "$STATE"
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "status 7" ]
	[ "${lines[1]}" = "status 127" ]
	[ "${lines[2]}" = "status 143" ]
	[ "${#lines[@]}" -eq 3 ]
}

# covers: C20
@test "--rootless as nobody: a user namespace, no cgset nor vethpair, and it says so" {
	requires userns
	local tools dir
	tools=$(world_readable_tools)
	dir=$(mktemp -d /tmp/boxstep-rootless.XXXXXX)
	chmod 755 "$dir"
	cp -a "$ROOTFS" "$dir/rootfs"
	mkdir "$dir/state"
	chown 65534:65534 "$dir/state"
	run setpriv --reuid 65534 --regid 65534 --clear-groups env -u BOXSTEP_CGROUP_PARENT \
		"$tools/bin/boxrun" --rootless --rootfs "$dir/rootfs" --state "$dir/state" --memory 64m \
		--network bridge --rm -- cinfo --format kv
	run_status=$status
	rm -rf "$tools" "$dir"
	echo "$output"
	[ "$run_status" -eq 0 ]
	[[ "$output" == *"boxrun: --rootless: in a user namespace, root inside is uid 65534 outside"* ]]
	[[ "$output" == *"boxrun: --rootless: leaving out cgset ("* ]]
	[[ "$output" == *"boxrun: --rootless: leaving out vethpair and -p ("* ]]
	[ "$(kv uid)" = 0 ]
	[ "$(kv uid_map)" = "0 65534 1" ]
	[ "$(kv ns.user)" != "$(readlink /proc/self/ns/user)" ]
	[ "$(kv root)" = "overlay overlay" ]
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$BOXSTEP_ROOT/bin/boxrun" --rootfs / -- true
	[ "$status" -eq 125 ]
	[ "${lines[1]}" = "boxrun: hint: run as root, or add --rootless (a user namespace, no limits, no bridge)" ]
}

# covers: C53
@test "--image DEST: the image's entrypoint, command, env, workdir and user" {
	mkdir -p img
	echo "$ROOTFS" >img/lower
	cat >img/config <<'EOF'
image sha256:0000
entrypoint /bin/sh
entrypoint -c
cmd echo "$GREETING from $(pwd) as $(id -u)"
env GREETING=hello
workdir /tmp
user 65534
EOF
	run in_host <<'EOF'
boxrun --image img --state "$STATE" --rm
boxrun --image img --state "$STATE" --rm -- 'echo args replace the command'
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "hello from /tmp as 65534" ]
	[ "${lines[1]}" = "args replace the command" ]
}

# covers: C53 C56
@test "make demo: one container with every stage, its chain, its kernel calls, cinfo inside; nothing left" {
	run sh "$BOXSTEP_ROOT/tests/demo.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"  cgset --name boxstep-demo --memory 64m --cpus 0.5 --pids 64 -- \\"* ]]
	for stage in cgset mkns vethpair overlaymount pivot capdrop seccompbpf; do
		[[ "$output" == *"  -- $stage: "* ]]
	done
	[[ "$output" == *'pivot: pivot_root(".", ".") = 0'* ]]
	[[ "$output" == *"network: eth0 10.88.0.2/16"* ]]
	[[ "$output" == *"64 bytes from 10.88.0.1"* ]]
	[[ "$output" == *"    no_new_privs  1 "* ]]
	[[ "$output" == *"    seccomp       2 "* ]]
	[[ "$output" == *"cgroup boxstep-demo: removed by cgset"* ]]
	# and the foundation's view: all eight namespace types new
	[ "$(echo "$output" | sed -n '/== all eight ==/,$p' | grep -cE '^    (mnt|uts|ipc|pid|net|user|cgroup|time) .* new$')" -eq 8 ]
	[[ "$output" == *"container state: removed (--rm)"* ]]
}
