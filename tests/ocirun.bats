#!/usr/bin/env bats
# shellcheck disable=SC2154
# ($stderr is set by bats' run --separate-stderr.)
# ocirun: a bundle from `runc spec` (rootfs from mkrootfs) runs under ocirun and
# under runc, and what cinfo sees inside agrees: which namespaces are new, the
# capability sets, no_new_privs, seccomp, hostname, masked and read-only paths, ids,
# limits. Fields ocirun cannot map are refused by their JSON path; the documented
# exceptions only warn. runc keeps its state in this file's tmpdir and puts its
# cgroup below this test's own (a relative linux.cgroupsPath); runc delete after.
load helpers

bats_require_minimum_version 1.5.0

setup_file() {
	leak_snapshot
	cinfo --format kv >"$BATS_FILE_TMPDIR/host.kv"
}

teardown() {
	local id
	for id in $(runc --root "$BATS_FILE_TMPDIR/runc" list -q 2>/dev/null); do
		runc --root "$BATS_FILE_TMPDIR/runc" delete --force "$id" >/dev/null 2>&1 || true
	done
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	CG=boxstep-ocirun-$$-$BATS_TEST_NUMBER
}

needs_runc() {
	requires root busybox
	command -v runc >/dev/null || skip "requires runc (make deps)"
}

# bundle DIR: `runc spec` on a mkrootfs root, with terminal false (no tty here),
# /report as the program and a cgroup below this test's own.
bundle() {
	mkdir -p "$1"
	mkrootfs "$1/rootfs" >/dev/null
	cp "$BOXSTEP_ROOT/bin/cinfo" "$1/rootfs/bin/cinfo"
	cat >"$1/rootfs/report" <<'EOF'
#!/bin/sh
/bin/cinfo --format kv
grep -E '^(Uid|Gid|Groups):' /proc/self/status
grep -E '^Max (open files|processes|core file size)' /proc/self/limits
echo "cwd=$(pwd)"
echo "## mountinfo"
cat /proc/self/mountinfo
EOF
	chmod +x "$1/rootfs/report"
	(cd "$1" && runc spec)
	sed -i -e 's/"terminal": true/"terminal": false/' \
		-e '/"args": \[/,/\]/c\		"args": ["/report"],' \
		-e 's/^\t"linux": {/\t"linux": {\n\t\t"cgroupsPath": "'"$CG"'",/' "$1/config.json"
}

# edit DIR SED-SCRIPT: changes config.json, which must stay JSON.
edit() { sed -i -e "$2" "$1/config.json"; }

runc_run() {
	runc --root "$BATS_FILE_TMPDIR/runc" run --bundle "$1" "$CG" </dev/null
	local rc=$?
	runc --root "$BATS_FILE_TMPDIR/runc" delete --force "$CG" >/dev/null 2>&1 || true
	return $rc
}

# summary REPORT: what must agree between runtimes. Namespaces as new or host (the
# inodes differ from run to run); masked paths (a /dev/null bound on a file, an
# empty read-only tmpfs on a directory) and read-only ones (proc remounted ro) from
# mountinfo, without the two pivot masks that runc spec's list lacks.
summary() {
	local t
	for t in mnt uts ipc pid net user cgroup time; do
		if [ "$(grep "^ns.$t=" "$1")" = "$(grep "^ns.$t=" "$BATS_FILE_TMPDIR/host.kv")" ]; then
			echo "ns.$t=host"
		else
			echo "ns.$t=new"
		fi
	done
	grep -E '^(cap\.(inh|prm|eff|bnd|amb)|nnp|seccomp|seccomp\.filters|hostname|uid|gid|uid_map|gid_map|Uid|Gid|Groups|Max|cwd)' "$1"
	sed '1,/^## mountinfo/d' "$1" | awk '{
		for (i = 7; $i != "-"; i++) {}
		type = $(i + 1); mp = $5; ro = ($6 ~ /(^|,)ro(,|$)/)
		if (mp !~ /^\/(proc|sys)\// || mp ~ /^\/sys\/fs\/cgroup/) next
		if ($4 == "/null" || (type == "tmpfs" && ro)) print "masked " mp
		else if (type == "proc" && ro) print "read-only " mp
	}' | grep -vx -e 'masked /proc/interrupts' -e 'masked /sys/devices/virtual/powercap' | sort
}

# same_as_runc DIR: the bundle under runc, then under ocirun; the summaries agree.
same_as_runc() {
	runc_run "$1" >runc.out
	BOXSTEP_CGROUP_PARENT=self ocirun "$1" >ocirun.out
	summary runc.out >runc.sum
	summary ocirun.out >ocirun.sum
	cat ocirun.sum
	diff runc.sum ocirun.sum
	[ "$(wc -l <ocirun.sum)" -gt 25 ]
}

@test "usage: one bundle; --help, --version; a missing config.json" {
	run ocirun
	[ "$status" -eq 125 ]
	[[ "$output" == *"no bundle given"* ]]
	[[ "$output" == *"Try 'ocirun --help'."* ]]
	run ocirun a b
	[ "$status" -eq 125 ]
	[[ "$output" == *"one bundle only"* ]]
	run ocirun --print --print .
	[ "$status" -eq 125 ]
	run ocirun ./nothing
	[ "$status" -eq 125 ]
	[ "$output" = 'ocirun: open("./nothing/config.json"): No such file or directory' ]
	run ocirun --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: ocirun "* ]]
	[[ "$output" == *"Kernel calls:"* ]]
	run ocirun --version
	[[ "$output" == "ocirun (boxstep) "* ]]
}

# covers: C50
@test "runc spec's bundle runs under ocirun as under runc: namespaces, capabilities, no_new_privs, hostname, masks" {
	needs_runc
	bundle b
	same_as_runc b
	grep -qx 'ns.pid=new' ocirun.sum
	grep -qx 'ns.user=host' ocirun.sum
	grep -qx 'hostname=runc' ocirun.sum
	grep -qx 'nnp=1' ocirun.sum
	grep -qx 'seccomp=0' ocirun.sum
	grep -qx 'cap.bnd=0000000020000420' ocirun.sum
	grep -qx 'masked /proc/keys' ocirun.sum
	grep -qx 'read-only /proc/sys' ocirun.sum
	grep -q '^Max open files *1024 *1024' ocirun.sum
	# nothing of the program's environment came from outside process.env
	grep -qx 'hostname=runc' ocirun.out
}

# covers: C50
@test "the same with a seccomp filter, another user, groups, a working directory and limits" {
	needs_runc
	[ "$(uname -m)" = x86_64 ] || skip "the seccomp section names x86_64"
	bundle b
	edit b 's/^\t"linux": {/\t"linux": {\n\t\t"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]},/'
	edit b 's/"uid": 0,/"uid": 1000, "additionalGids": [10, 20],/; s/"gid": 0$/"gid": 100/'
	edit b 's|"cwd": "/"|"cwd": "/tmp"|'
	edit b 's/"type": "RLIMIT_NOFILE",/"type": "RLIMIT_NOFILE", "soft": 64, "hard": 128}, {"type": "RLIMIT_CORE",/'
	same_as_runc b
	grep -qx 'seccomp=2' ocirun.sum
	grep -qx 'seccomp.filters=1' ocirun.sum
	grep -q '^Uid:.1000.1000.1000.1000$' ocirun.sum
	grep -q '^Groups:.10 20 *$' ocirun.sum
	grep -qx 'cwd=/tmp' ocirun.sum
	grep -q '^Max open files *64 *128' ocirun.sum
	BOXSTEP_CGROUP_PARENT=self run --separate-stderr ocirun --print b
	[[ "$output" == *"seccompbpf --deny mkdir,mkdirat --action errno:EACCES --"* ]]
	[[ "$output" == *"capdrop --keep kill,net_bind_service,audit_write --user 1000:100 --groups 10,20 --no-new-privs --"* ]]
}

# covers: C50 C53
@test "--print: runc spec's bundle as the chain, one stage a line, with the warnings" {
	needs_runc
	bundle b
	BOXSTEP_CGROUP_PARENT=self run --separate-stderr ocirun --print b
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "# b/config.json as a boxstep chain" ]
	[[ "${lines[1]}" == "env -i "*"BOXSTEP_CGROUP_PARENT=self "*"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=xterm \\" ]]
	[ "${lines[2]}" = "  $BOXSTEP_ROOT/bin/cgset --parent self --name $CG -- \\" ]
	[ "${lines[3]}" = "  mkns --pid --net --ipc --uts --mount --hostname runc -- \\" ]
	[ "${lines[4]}" = "  pivot --readonly $PWD/b/rootfs -- \\" ]
	[ "${lines[5]}" = "  rlimits --nofile 1024:1024 -- \\" ]
	[ "${lines[6]}" = "  capdrop --keep kill,net_bind_service,audit_write --user 0:0 --no-new-privs -- \\" ]
	[ "${lines[7]}" = "  /report" ]
	[[ "$stderr" == *"ocirun: warning: mounts[6]: pivot mounts the cgroup file system there itself"* ]]
	[[ "$stderr" == *"ocirun: warning: linux.resources.devices: boxstep has no device cgroup"* ]]
	[[ "$stderr" == *"ocirun: warning: linux.maskedPaths: pivot masks /proc/interrupts /sys/devices/virtual/powercap too"* ]]
	[[ "$stderr" == *"ocirun: warning: process.capabilities.ambient: kill,net_bind_service,audit_write not in inheritable"* ]]
	# terminal: true is the other exception
	edit b 's/"terminal": false/"terminal": true/'
	run --separate-stderr ocirun --print b
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"ocirun: warning: process.terminal: true: no new pseudo-terminal"* ]]
}

@test "the printed chain runs as it reads" {
	requires root busybox
	command -v runc >/dev/null || skip "requires runc (make deps)"
	bundle b
	BOXSTEP_CGROUP_PARENT=self ocirun --print b 2>/dev/null >chain.sh
	sh chain.sh >out
	grep -qx 'hostname=runc' out
	grep -qx 'nnp=1' out
}

@test "fields ocirun cannot map are refused by their JSON path, before anything runs" {
	needs_runc
	bundle b
	cp b/config.json orig.json
	refused() { # WHAT SED: the config with SED applied is refused, naming WHAT
		cp orig.json b/config.json
		edit b "$2"
		run ocirun b
		echo "$output"
		[ "$status" -eq 125 ]
		[[ "$output" == *"ocirun: b/config.json:"*": $1: "* ]]
		[[ "$output" != *"/report"* ]]
	}
	refused "linux.sysctl" 's/^\t"linux": {/\t"linux": {\n\t\t"sysctl": {"net.ipv4.ip_forward": "1"},/'
	refused "hooks" 's/^\t"linux": {/\t"hooks": {},\n\t"linux": {/'
	refused "process.apparmorProfile" 's/"cwd": "\/",/"cwd": "\/", "apparmorProfile": "docker-default",/'
	refused "linux.seccomp.syscalls[0].args" 's/^\t"linux": {/\t"linux": {\n\t\t"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]},/'
	refused "linux.seccomp.syscalls[1].action" 's/^\t"linux": {/\t"linux": {\n\t\t"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}, {"names": ["rmdir"], "action": "SCMP_ACT_KILL_PROCESS"}]},/'
	refused "linux.maskedPaths[0]" 's|"/proc/acpi",|"/etc/shadow",|'
	refused "process.capabilities.effective" '/"effective": \[/a\				"CAP_SYS_ADMIN",'
	refused "mounts[0].type" '0,/"type": "proc"/s/"type": "proc"/"type": "nfs"/'
	refused "mounts[1].options[1]" 's/"strictatime",/"dev",/'
	refused "linux.namespaces[4].path" 's/"type": "mount"/"type": "mount", "path": "\/proc\/self\/ns\/mnt"/'
	refused "linux.cgroupsPath" "s|\"cgroupsPath\": \"$CG\"|\"cgroupsPath\": \"system.slice:docker:x\"|"
	refused "process.rlimits[0].type" 's/"RLIMIT_NOFILE"/"RLIMIT_NOFILES"/'
	# a place, too: line and column of the key
	cp orig.json b/config.json
	edit b 's/^\t"linux": {/\t"linux": {\n\t\t"sysctl": {},/'
	run ocirun b
	line=$(grep -n '"sysctl"' b/config.json | cut -d: -f1)
	[ "$output" = "ocirun: b/config.json:$line:3: linux.sysctl: not supported: no boxstep stage does this" ]
	# not JSON at all
	echo '{"ociVersion": "1.0.2",}' >b/config.json
	run ocirun b
	[ "$status" -eq 125 ]
	[[ "$output" == "ocirun: b/config.json:1:"* ]]
}

# covers: C50
@test "resources and namespaces to join: cgset limits, nsjoin --TYPE=FILE, id maps" {
	needs_runc
	bundle b
	edit b 's/"devices": \[/"memory": {"limit": 67108864, "swap": 67108864}, "cpu": {"quota": 50000, "period": 100000, "shares": 1024}, "pids": {"limit": 32}, "devices": [/'
	edit b 's/"type": "network"/"type": "network", "path": "\/proc\/'"$$"'\/ns\/net"/'
	BOXSTEP_CGROUP_PARENT=self run --separate-stderr ocirun --print b
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"cgset --parent self --name $CG --memory 67108864 --swap 0 --cpu-weight 39 --cpus 0.5 --pids 32 -- \\"* ]]
	[[ "$output" == *"  nsjoin --net=/proc/$$/ns/net -- \\"* ]]
	[[ "$output" == *"  mkns --pid --ipc --uts --mount --hostname runc -- \\"* ]]
	[[ "$stderr" == *"cpu.shares 1024: cgset --cpu-weight 39, which is cpu.shares 998 on cgroup v1"* ]]
	BOXSTEP_CGROUP_PARENT=self ocirun b >out
	# the network namespace joined is this shell's
	[ "$(grep '^ns.net=' out)" = "$(grep '^ns.net=' "$BATS_FILE_TMPDIR/host.kv")" ]
	[ "$(grep '^ns.pid=' out)" != "$(grep '^ns.pid=' "$BATS_FILE_TMPDIR/host.kv")" ]
	# id maps need a new user namespace
	edit b 's/"type": "mount"/"type": "mount"}, {"type": "user"/; s/^\t"linux": {/\t"linux": {\n\t\t"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}], "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],/'
	run --separate-stderr ocirun --print b
	[[ "$output" == *"mkns --pid --ipc --uts --mount --user --uid-map 0:100000:65536 --gid-map 0:100000:65536 --hostname runc -- \\"* ]]
}

@test "volumes: bind and tmpfs mounts become pivot --bind and --tmpfs; read-write root" {
	needs_runc
	bundle b
	mkdir data
	echo "from the host" >data/file
	edit b 's|^\t"mounts": \[|\t"mounts": [\n\t\t{"destination": "/data", "type": "bind", "source": "'"$PWD"'/data", "options": ["rbind", "ro"]},\n\t\t{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777", "size=1m"]},|'
	edit b 's/"readonly": true/"readonly": false/'
	edit b 's|"/report"|"/bin/sh", "-c", "cat /data/file; echo x > /scratch/y \&\& cat /scratch/y; touch /data/z"|'
	BOXSTEP_CGROUP_PARENT=self run --separate-stderr ocirun --print b
	[[ "$output" == *"pivot --bind $PWD/data:/data:ro --tmpfs /scratch:1m $PWD/b/rootfs -- \\"* ]]
	BOXSTEP_CGROUP_PARENT=self run --separate-stderr ocirun b
	echo "$output"
	[ "${lines[0]}" = "from the host" ]
	[ "${lines[1]}" = "x" ]
	[[ "$stderr" == *"touch: /data/z: Read-only file system"* ]]
	[ ! -e data/z ]
}

@test "process.env is the program's whole environment; BOXSTEP_* steer the stages" {
	needs_runc
	bundle b
	edit b 's|"TERM=xterm"|"TERM=xterm", "GREETING=hello world"|'
	edit b 's|"/report"|"/usr/bin/env"|'
	SECRET=outside BOXSTEP_CGROUP_PARENT=self run ocirun b
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"GREETING=hello world"* ]]
	[[ "$output" == *"PATH=/usr/local/sbin:"* ]]
	[[ "$output" != *"SECRET"* ]]
	[[ "$output" != *"BATS_"* ]]
	# -v: every stage traces (BOXSTEP_TRACE=1 goes along)
	BOXSTEP_CGROUP_PARENT=self run --separate-stderr ocirun -v b
	[[ "$stderr" == *"mkns: unshare(CLONE_NEW"* ]]
	[[ "$stderr" == *"rlimits: setrlimit(RLIMIT_NOFILE, {rlim_cur=1024, rlim_max=1024}) = 0"* ]]
	[[ "$stderr" == *"capdrop: prctl(PR_SET_NO_NEW_PRIVS, 1) = 0"* ]]
}

@test "the program's exit status comes back; 127 for a program not in the root" {
	needs_runc
	bundle b
	edit b 's|"/report"|"/bin/sh", "-c", "exit 7"|'
	BOXSTEP_CGROUP_PARENT=self run ocirun b
	[ "$status" -eq 7 ]
	edit b 's|"/bin/sh", "-c", "exit 7"|"/nonexistent"|'
	BOXSTEP_CGROUP_PARENT=self run -127 ocirun b
	[[ "$output" == *'capdrop: execve("/nonexistent", ["/nonexistent"]): No such file or directory'* ]]
}

@test "pivot's masks are the lists ocirun knows (lib/ocispec.c keeps a copy)" {
	requires root busybox
	mkrootfs r >/dev/null
	mkns --mount --pid -- pivot r -- /bin/cat /proc/self/mountinfo >mi
	ocirun_lists=$(sed -n '/^const char \*const ocispec_pivot_masked/,/^};/p;/^const char \*const ocispec_pivot_readonly/,/^};/p' \
		"$BOXSTEP_ROOT/lib/ocispec.c" | grep -o '"/[^"]*"' | tr -d '"' | sort)
	rootfs_lists=$(sed -n '/^static const char \*const masked/,/^};/p;/^static const char \*const readonly/,/^};/p' \
		"$BOXSTEP_ROOT/lib/rootfs.c" | grep -o '"/[^"]*"' | tr -d '"' | sort)
	[ -n "$ocirun_lists" ]
	[ "$ocirun_lists" = "$rootfs_lists" ]
	# and what pivot mounts is in them
	awk '$5 ~ /^\/(proc|sys)\// { print $5 }' mi | sort >mounted
	[ -s mounted ]
	while read -r p; do
		grep -qx "$p" <<<"$ocirun_lists"
	done <mounted
}

# covers: C50 C53
@test "a config.json written by boxrun --bundle runs under runc, and under ocirun as the chain boxrun runs" {
	needs_runc
	mkrootfs r >/dev/null
	cp "$BOXSTEP_ROOT/bin/cinfo" r/bin/cinfo
	mkdir data
	local flags=(--rootfs r --name "${CG#boxstep-}" --hostname web --memory 64m --cpus 0.5 --pids-limit 32
		--cap-drop net_raw --read-only --tmpfs /scratch:1m -v "$PWD/data:/data:ro" -w /tmp -e FOO=bar
		--user nobody)
	BOXSTEP_CGROUP_PARENT=self run boxrun --bundle b "${flags[@]}" -- /bin/cinfo --format kv
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "boxrun: wrote b/config.json: runc run --bundle b ${CG#boxstep-} (its root is $PWD/r itself, no overlay)" ]
	[ "$(ls b)" = config.json ]
	# runc runs it
	runc_run b >runc.kv
	grep -qx 'hostname=web' runc.kv
	grep -qx 'uid=65534' runc.kv
	grep -qx 'seccomp=2' runc.kv
	grep -qx 'cap.bnd.names=chown,dac_override,fowner,fsetid,kill,setgid,setuid,setpcap,net_bind_service,sys_chroot,mknod,audit_write,setfcap' runc.kv
	# ocirun reads it back as the chain boxrun prints, stage for stage
	BOXSTEP_CGROUP_PARENT=self run --separate-stderr ocirun --print b
	echo "$output"
	[[ "$output" == *"cgset --parent self --name $CG --memory 67108864 --cpus 0.5 --pids 32 -- \\"* ]]
	[[ "$output" == *"  mkns --pid --ipc --uts --mount --cgroup --net --hostname web -- \\"* ]]
	[[ "$output" == *"  pivot --bind $PWD/data:/data:ro --tmpfs /scratch:1m --readonly --chdir /tmp $PWD/r -- \\"* ]]
	[[ "$output" == *"  capdrop --keep chown,dac_override,fowner,fsetid,kill,setgid,setuid,setpcap,net_bind_service,sys_chroot,mknod,audit_write,setfcap --user 65534:65534 --no-new-privs -- \\"* ]]
	[[ "$output" == *"  seccompbpf --profile default -- \\"* ]]
	[ "$stderr" = "ocirun: warning: linux.resources.devices: boxstep has no device cgroup; the chain's mounts are nodev, so no device node made inside opens" ]
	# and the three containers agree: runc's, ocirun's, boxrun's own
	BOXSTEP_CGROUP_PARENT=self ocirun b >ocirun.kv 2>/dev/null
	BOXSTEP_CGROUP_PARENT=self boxrun --state "$PWD/state" --rm "${flags[@]}" -- /bin/cinfo --format kv >boxrun.kv
	keys='^(hostname|uid|gid|cap\.(inh|prm|eff|bnd|amb)|nnp|seccomp|seccomp\.filters)='
	grep -E "$keys" runc.kv >runc.sum
	[ "$(wc -l <runc.sum)" -eq 11 ]
	grep -E "$keys" ocirun.kv | diff runc.sum -
	grep -E "$keys" boxrun.kv | diff runc.sum -
	# what a config.json cannot say is refused before anything is written
	run boxrun --bundle b2 --rootfs r --network bridge -- true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--bundle: config.json sets up no network"* ]]
	run boxrun --bundle b2 --layers r:r -- true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--bundle: a bundle's root is one directory"* ]]
	[ ! -e b2 ]
}
