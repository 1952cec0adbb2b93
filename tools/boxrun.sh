#!/bin/bash
# boxrun: docker-run-like flags, turned into the boxstep chain that does the same,
# which it runs, or prints (--print) for you to copy, edit and run by hand.
#
# The chain, in the order of DESIGN.md 6 (each stage needs what the one before made):
#   cgset (limits apply to everything after) -> mkns (namespaces) -> vethpair (the
#   new netns and a handle to the outer one) -> overlaymount (the writable layer) ->
#   pivot (root, /proc, /dev, masks, volumes) -> capdrop (after the last mount) ->
#   seccompbpf (last: it forbids mount, pivot_root ...) -> [pid1] -> PROGRAM
# boxrun stays as the chain's parent: afterwards it removes the port rules and the
# address it claimed, and with --rm the container's writes. See boxrun(1).
set -u

USAGE='boxrun [--rootfs DIR | --layers L1:L2 | --image DEST] [--name N] [--hostname H] [--memory SIZE] [--cpus N] [--pids-limit N] [--network none|bridge|host] [--ip CIDR] [-p HOSTPORT:PORT]... [--cap-drop LIST] [--cap-add LIST] [--security-opt OPT]... [--user U[:G]] [--read-only] [--privileged] [-v SRC:DST[:ro]]... [--tmpfs DST[:SIZE]]... [-w DIR] [-e KEY=VALUE]... [--init] [--rootless] [--state DIR] [--rm] [--print | --bundle DIR] [--verbose] [--] [PROGRAM [ARGS...]]'

BRIDGE=boxstep0
SUBNET=10.88.0.0/16

# Few external commands: each fork and exec costs a container's start-up time.
BIN=${BASH_SOURCE[0]}
[ ! -L "$BIN" ] || BIN=$(readlink -f -- "$BIN") # make install links PREFIX/bin/boxrun here
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
BIN=${BIN%/*}

help() {
	cat <<EOF
Usage: $USAGE
Run PROGRAM (default: the image's command, or /bin/sh) in a container, as the
boxstep chain the docker run flags stand for; --print shows that chain instead.

Root filesystem (one of them; each container gets an overlay on it):
      --rootfs DIR         a root directory (mkrootfs DIR makes one)
      --layers L1:L2       read-only layers, topmost first (overlaymount --lower)
      --image DEST         an image unpacked by imgunpack: DEST/lower, and DEST/config
                           for the command, env, workdir and user

docker run flag              boxstep stage and option
  --name N                   the container's name: cgroup boxstep-N, state dir N
  --hostname H               mkns --uts --hostname H (default: the name)
  --memory SIZE              cgset --memory SIZE
  --cpus N                   cgset --cpus N
  --pids-limit N             cgset --pids N
  (always)                   mkns --mount --uts --ipc --pid --net --cgroup
  --network none             nothing more: the new netns has lo only (boxrun's default)
  --network bridge           vethpair --bridge $BRIDGE (made with ${SUBNET%.*/*}.1/16 when missing)
  --network host             mkns without --net: the host's network
  --ip CIDR                  vethpair --addr CIDR (default: the next free one)
  -p HOSTPORT:PORT           an nft DNAT rule in the host's netns, removed afterwards
  (always)                   overlaymount --lower ROOTFS --upper STATE/N/upper
  --read-only                pivot --readonly
  -v SRC:DST[:ro]            pivot --bind SRC:DST[:ro]
  --tmpfs DST[:SIZE]         pivot --tmpfs DST[:SIZE]
  -w DIR                     pivot --chdir DIR
  (default)                  capdrop --keep default (Docker's 14 capabilities)
  --cap-drop LIST, --cap-add LIST   capdrop --keep default,ADD --drop DROP
  --cap-drop ALL             capdrop --keep none (then --cap-add ones)
  --user U[:G]               capdrop --user U[:G]
  --security-opt no-new-privileges   capdrop --no-new-privs
  (default)                  seccompbpf --profile default (Docker's profile)
  --security-opt seccomp=unconfined  no seccompbpf stage
  --privileged               no capdrop, no seccompbpf, pivot --no-masks
  --init                     pid1 before PROGRAM
  -e KEY=VALUE               in the environment of the whole chain (env KEY=VALUE)

boxrun's own:
      --rootless           as a user without privileges: mkns --user --map-root, and
                           no cgset (no delegated cgroup) nor vethpair (no way into the
                           host's network namespace); says what it left out
      --state DIR          where each container's upper, work and merged directories
                           live (default /var/lib/boxstep; rootless:
                           \$XDG_RUNTIME_DIR/boxstep). Without --rm the writes are kept,
                           and the next run with the same --name finds them
      --rm                 remove the container's directory after it ends
      --print              print the chain, one stage per line, and run nothing
      --bundle DIR         write DIR/config.json, the OCI runtime config of this
                           container, for runc or crun (runc run --bundle DIR ID), and
                           run nothing; ocirun DIR runs it as the chain again. The root
                           is --rootfs itself (no overlay: --read-only keeps it clean)
      --verbose            trace every kernel call of every stage (BOXSTEP_TRACE=1)
  -h, --help               this help
  -V, --version            version

Example:
  boxrun --rootfs rootfs --memory 64m --network bridge -p 8080:80 --read-only \\
      --tmpfs /tmp --rm -- httpd -f -p 80
  boxrun --print --rootfs rootfs -- sh     # the chain, to run by hand

Exit status: PROGRAM's own; 125 if boxrun or a stage failed; 126/127 if PROGRAM
could not run.
See boxrun(1), cgset(1), mkns(1), vethpair(1), overlaymount(1), pivot(1),
capdrop(1), seccompbpf(1), docker-run(1).
EOF
}

die() {
	echo "boxrun: $*" >&2
	exit 125
}
hint() { echo "boxrun: hint: $*" >&2; }
usage_error() {
	echo "boxrun: $*" >&2
	echo "Try 'boxrun --help'." >&2
	exit 125
}
note() { echo "boxrun: $*" >&2; }

TRACE_FD=2
tracing() { [ -n "${BOXSTEP_TRACE:-}" ] && [ "${BOXSTEP_TRACE:-}" != 0 ]; }
trace() { tracing && echo "boxrun: # $*" >&"$TRACE_FD"; return 0; }

# ---- options ----------------------------------------------------------------

rootfs="" layers="" image="" name="" hostname="" memory="" cpus="" pids=""
network=none ip="" user="" workdir="" state="" readonly="" privileged="" init=""
rootless="" rm="" print="" bundle="" nnp="" seccomp=default
cap_add=() cap_drop=() publish=() volumes=() tmpfs=() envs=() seen=" "

once() {
	case $seen in *" $1 "*) usage_error "$1 given twice" ;; esac
	seen="$seen$1 "
}

while [ $# -gt 0 ]; do
	case $1 in
	--*=*) opt=${1%%=*} val=${1#*=}; shift; set -- "$opt" "$val" "$@"; continue ;;
	--) shift; break ;;
	-*) ;;
	*) break ;;
	esac
	opt=$1
	case $opt in
	--rootfs | --layers | --image | --name | --hostname | --memory | -m | --cpus | --pids-limit | \
		--network | --net | --ip | -p | --publish | --cap-add | --cap-drop | --security-opt | \
		--user | -u | -v | --volume | --tmpfs | -w | --workdir | -e | --env | --state | --bundle)
		[ $# -ge 2 ] || usage_error "option '$opt' needs a value"
		val=$2
		shift 2
		;;
	*) shift ;;
	esac
	case $opt in
	--rootfs) once --rootfs; rootfs=$val ;;
	--layers) once --layers; layers=$val ;;
	--image) once --image; image=$val ;;
	--name) once --name; name=$val ;;
	--hostname) once --hostname; hostname=$val ;;
	--memory | -m) once --memory; memory=$val ;;
	--cpus) once --cpus; cpus=$val ;;
	--pids-limit) once --pids-limit; pids=$val ;;
	--network | --net) once --network; network=$val ;;
	--ip) once --ip; ip=$val ;;
	-p | --publish) publish+=("$val") ;;
	--cap-add) cap_add+=("$val") ;;
	--cap-drop) cap_drop+=("$val") ;;
	--security-opt)
		case $val in
		seccomp=unconfined) seccomp=unconfined ;;
		seccomp=default | seccomp=builtin) seccomp=default ;;
		seccomp=*) usage_error "--security-opt $val: boxrun takes seccomp=default or seccomp=unconfined (a profile of your own: write the chain with seccompbpf --deny/--allow)" ;;
		no-new-privileges | no-new-privileges:true | no-new-privileges=true) nnp=1 ;;
		no-new-privileges:false | no-new-privileges=false) nnp="" ;;
		apparmor=* | label=* | systempaths=*) usage_error "--security-opt $val: boxstep has no stage for that (see lesson 13)" ;;
		*) usage_error "unknown --security-opt '$val' (seccomp=default|unconfined, no-new-privileges)" ;;
		esac
		;;
	--user | -u) once --user; user=$val ;;
	-v | --volume) volumes+=("$val") ;;
	--tmpfs) tmpfs+=("$val") ;;
	-w | --workdir) once --workdir; workdir=$val ;;
	-e | --env) envs+=("$val") ;;
	--state) once --state; state=$val ;;
	--read-only) once --read-only; readonly=1 ;;
	--privileged) once --privileged; privileged=1 ;;
	--init) once --init; init=1 ;;
	--rootless) once --rootless; rootless=1 ;;
	--rm) once --rm; rm=1 ;;
	--print) once --print; print=1 ;;
	--bundle) once --bundle; bundle=$val ;;
	--verbose) export BOXSTEP_TRACE=1 ;;
	-h | --help) help; exit 0 ;;
	-V | --version) v=$("$BIN/mkns" --version 2>/dev/null) || v="mkns (boxstep) unknown"; echo "boxrun${v#mkns}"; exit 0 ;;
	*) usage_error "unknown option '$opt'" ;;
	esac
done
program=("$@")

if [ -n "${BOXSTEP_TRACE_FD:-}" ] && { true >&"$BOXSTEP_TRACE_FD"; } 2>/dev/null; then
	TRACE_FD=$BOXSTEP_TRACE_FD
fi

# ---- checks: everything before the first change ------------------------------

n=0
for v in "$rootfs" "$layers" "$image"; do [ -n "$v" ] && n=$((n + 1)); done
[ "$n" -le 1 ] || usage_error "--rootfs, --layers and --image exclude each other: give one"
[ "$n" = 1 ] || usage_error "no root filesystem: give --rootfs DIR (mkrootfs DIR makes one), --layers L1:L2 or --image DEST"
if [ -n "$bundle" ]; then
	# What a config.json cannot say, refused before anything is written.
	[ -z "$print" ] || usage_error "--bundle writes a bundle, --print prints the chain: give one"
	[ -n "$rootfs" ] || usage_error "--bundle: a bundle's root is one directory: give --rootfs (mount the layers with overlaymount --host first)"
	[ -z "$rm" ] || usage_error "--bundle runs nothing: --rm has nothing to remove"
	[ -z "$init" ] || usage_error "--bundle: runc has no init of its own: put one (tini) in the root and make it the program"
	if [ "$network" = bridge ] || [ ${#publish[@]} -gt 0 ]; then
		usage_error "--bundle: config.json sets up no network (CNI plugins do, beside runc): use --network none or host"
	fi
fi

# abs PATH: ABS, PATH made absolute (from the working directory), without ./ and a
# trailing /. (Helpers set a variable: a $(...) would fork.)
abs() {
	ABS=$1
	while [ "${ABS#./}" != "$ABS" ]; do ABS=${ABS#./}; done
	[ "${ABS#/}" != "$ABS" ] || ABS=$PWD/$ABS
	while [ "${ABS%/}" != "$ABS" ] && [ "$ABS" != / ]; do ABS=${ABS%/}; done
}
# no_comma PATH WHAT: overlay options are separated by ',' and ':' (overlaymount(1)).
no_special() {
	case $1 in *[,:\\]*) die "$2 '$1': a ',', ':' or '\\' would cut the overlay's options: use another path" ;; esac
}

image_cmd=() image_entry=() image_env=() image_workdir="" image_user=""
if [ -n "$rootfs" ]; then
	[ -d "$rootfs" ] || die "--rootfs '$rootfs': not a directory"
	abs "$rootfs"
	lower=$ABS
	no_special "$lower" --rootfs
elif [ -n "$layers" ]; then
	lower=""
	IFS=: read -r -a parts <<<"$layers"
	[ "${#parts[@]}" -gt 0 ] || usage_error "--layers '$layers': no layer"
	for l in "${parts[@]}"; do
		[ -d "$l" ] || die "--layers: '$l' is not a directory"
		abs "$l"
		l=$ABS
		no_special "$l" --layers
		lower=${lower:+$lower:}$l
	done
else
	[ -f "$image/lower" ] || die "--image '$image': no $image/lower (imgunpack IMAGE $image writes it)"
	read -r lower <"$image/lower"
	# DEST/config: "key value" lines, \\ and \n escaped (imgunpack(1)).
	if [ -f "$image/config" ]; then
		while IFS= read -r line; do
			key=${line%% *} val=${line#* }
			printf -v val '%b' "$val"
			case $key in
			entrypoint) image_entry+=("$val") ;;
			cmd) image_cmd+=("$val") ;;
			env) image_env+=("$val") ;;
			workdir) image_workdir=$val ;;
			user) image_user=$val ;;
			esac
		done <"$image/config"
	fi
	# docker's rule: ENTRYPOINT, then the command line's arguments or else CMD.
	if [ ${#program[@]} -eq 0 ]; then
		program=("${image_entry[@]}" "${image_cmd[@]}")
	else
		program=("${image_entry[@]}" "${program[@]}")
	fi
	[ -n "$workdir" ] || workdir=$image_workdir
	[ -n "$user" ] || user=$image_user
fi

uid=$EUID
if [ "$uid" != 0 ] && [ -z "$rootless" ]; then
	echo "boxrun: not root: cgroups, bridges and mounts in the host need root" >&2
	hint "run as root, or add --rootless (a user namespace, no limits, no bridge)"
	exit 125
fi

if [ -n "$name" ]; then
	case $name in
	[A-Za-z0-9]*) ;;
	*) usage_error "invalid --name '$name': letters, digits, '_', '.' and '-', starting with a letter or digit" ;;
	esac
	case $name in *[!A-Za-z0-9_.-]*) usage_error "invalid --name '$name': letters, digits, '_', '.' and '-', starting with a letter or digit" ;; esac
	[ ${#name} -le 64 ] || usage_error "invalid --name '$name': 64 characters at most"
fi

case $network in
none | bridge | host) ;;
*) usage_error "invalid --network '$network': none, bridge or host" ;;
esac

size_ok() { [[ $1 =~ ^([0-9]+(\.[0-9]+)?[bBkKmMgGtT]?|max)$ ]]; }
[ -z "$memory" ] || size_ok "$memory" || usage_error "invalid size '$memory' for --memory (64m, 1g, max)"
[ -z "$cpus" ] || [[ $cpus =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] || usage_error "invalid number '$cpus' for --cpus (0.5, 2)"
[ -z "$pids" ] || [[ $pids =~ ^([0-9]+|max|-1)$ ]] || usage_error "invalid number '$pids' for --pids-limit"
[ "$pids" != -1 ] || pids=max

# The IPv4 arithmetic of --ip and the bridge's subnet.
ip_ok() {
	[[ $1 =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || return 1
	local o
	for o in "${BASH_REMATCH[@]:1}"; do [ "$((10#$o))" -le 255 ] || return 1; done
}
ip2int() { # ip2int A.B.C.D: INT
	local a b c d
	IFS=. read -r a b c d <<<"$1"
	INT=$(((10#$a << 24) | (10#$b << 16) | (10#$c << 8) | 10#$d))
}
int2ip() { IP="$(($1 >> 24 & 255)).$(($1 >> 16 & 255)).$(($1 >> 8 & 255)).$(($1 & 255))"; } # int2ip N: IP

if [ -n "$ip" ]; then
	[ "$network" = bridge ] || usage_error "--ip needs --network bridge"
	addr=${ip%/*} prefix=${ip#*/}
	[ "$addr" != "$ip" ] || { prefix=${SUBNET#*/}; ip=$ip/$prefix; }
	{ ip_ok "$addr" && [[ $prefix =~ ^[0-9]+$ ]] && [ "$prefix" -ge 8 ] && [ "$prefix" -le 30 ]; } ||
		usage_error "invalid --ip '$ip': an IPv4 address with a prefix of 8 to 30 bits, as 10.88.0.5/16"
	mask=$(((0xffffffff << (32 - prefix)) & 0xffffffff))
	ip2int "$addr"
	a=$INT
	net=$((a & mask)) bcast=$(((a & mask) | (~mask & 0xffffffff)))
	int2ip $((net + 1))
	gateway=$IP
	{ [ "$a" != "$net" ] && [ "$a" != "$bcast" ] && [ "$a" != $((net + 1)) ]; } ||
		usage_error "invalid --ip '$ip': the network, its first address (the bridge's, the gateway) and its broadcast address are taken"
else
	prefix=${SUBNET#*/}
	ip2int "${SUBNET%/*}"
	int2ip $((INT + 1))
	gateway=$IP
fi

ports=()
for p in "${publish[@]}"; do
	proto=tcp
	case $p in */tcp) p=${p%/tcp} ;; */udp) p=${p%/udp} proto=udp ;; esac
	hp=${p%%:*} cp=${p#*:}
	{ [[ $hp =~ ^[0-9]+$ ]] && [[ $cp =~ ^[0-9]+$ ]] && [ "$hp" != "$p" ] &&
		[ "$hp" -ge 1 ] && [ "$hp" -le 65535 ] && [ "$cp" -ge 1 ] && [ "$cp" -le 65535 ]; } ||
		usage_error "invalid -p '$p': HOSTPORT:PORT[/tcp|/udp], as 8080:80"
	ports+=("$proto $hp $cp")
done

binds=()
for v in "${volumes[@]}"; do
	src=${v%%:*} rest=${v#*:}
	{ [ "$src" != "$v" ] && [ -n "$src" ]; } || usage_error "invalid -v '$v': SRC:DST[:ro]"
	[ -e "$src" ] || die "-v '$v': $src: no such file or directory"
	abs "$src"
	binds+=("$ABS:$rest")
done

[ -z "$workdir" ] || [ "${workdir#/}" != "$workdir" ] || usage_error "invalid -w '$workdir': an absolute path inside the container"
for e in "${envs[@]}"; do
	[[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || usage_error "invalid -e '$e': KEY=VALUE"
done

# ---- what a rootless or privileged container leaves out -----------------------

if [ -n "$rootless" ]; then
	left=()
	[ -z "$memory$cpus$pids" ] || left+=("cgset (--memory, --cpus, --pids-limit: this user has no delegated cgroup to write)")
	if [ "$network" = bridge ] || [ ${#ports[@]} -gt 0 ]; then
		left+=("vethpair and -p (a user namespace cannot reach into the host's network namespace; slirp4netns and pasta relay packets instead)")
		network=none ports=()
	fi
	note "--rootless: in a user namespace, root inside is uid $uid outside"
	for l in "${left[@]}"; do note "--rootless: leaving out $l"; done
	memory="" cpus="" pids=""
fi
if [ ${#ports[@]} -gt 0 ] && [ "$network" != bridge ]; then
	usage_error "-p needs --network bridge: the port is forwarded to the container's address on the bridge"
fi
if [ -n "$privileged" ]; then
	note "--privileged: no capdrop (every capability: CAP_SYS_ADMIN mounts, CAP_SYS_MODULE loads kernel modules), no seccompbpf (every syscall), pivot --no-masks (/proc/sys, /proc/sysrq-trigger and /sys act on the host's kernel): root inside is root on the host, one mount away from its disks"
fi

# ---- state --------------------------------------------------------------------

if [ -z "$state" ]; then
	if [ -n "$rootless" ]; then
		[ -n "${XDG_RUNTIME_DIR:-}" ] || usage_error "--rootless: XDG_RUNTIME_DIR is not set: give --state DIR"
		state=$XDG_RUNTIME_DIR/boxstep
	else
		state=/var/lib/boxstep
	fi
fi
if [ -z "$print$bundle" ]; then
	[ -d "$state" ] || { mkdir -p "$state" && chmod 0700 "$state"; } || die "mkdir '$state' failed"
fi
abs "$state"
state=$ABS
no_special "$state" --state
if [ -z "$name" ]; then
	while :; do
		read -r -n 8 name </proc/sys/kernel/random/uuid
		name=box-$name
		[ -e "$state/$name" ] || break
	done
fi
[ -n "$hostname" ] || hostname=$name
dir=$state/$name

# claim_ip ADDR: a file per address in use under STATE/ip, made with O_EXCL, holding
# the pid of the boxrun that uses it; a claim whose boxrun is gone is taken over.
claim_ip() {
	local f=$state/ip/$1 owner=""
	if (set -o noclobber && echo "$$ $name" >"$f") 2>/dev/null; then return 0; fi
	read -r owner _ <"$f" 2>/dev/null
	if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then return 1; fi
	rm -f "$f"
	(set -o noclobber && echo "$$ $name" >"$f") 2>/dev/null
}
free_ip() { # free_ip ADDR: 0 when no running boxrun claims it (for --print)
	local owner=""
	[ -e "$state/ip/$1" ] || return 0
	read -r owner _ <"$state/ip/$1" 2>/dev/null
	! { [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; }
}

claimed="" handles=() locked=""
cleanup() {
	local h
	for h in "${handles[@]}"; do
		nft delete rule ip boxstep "${h% *}" handle "${h#* }" 2>/dev/null || note "could not remove the nft rule ip boxstep ${h% *} handle ${h#* }"
		trace "removed the port rule: nft delete rule ip boxstep ${h% *} handle ${h#* }"
	done
	handles=()
	if [ -n "$claimed" ]; then
		rm -f "$state/ip/$claimed"
		claimed=""
	fi
	if [ -n "$locked" ]; then
		if [ -n "$rm" ] && [ -d "$dir" ]; then
			rm -rf -- "$dir" && trace "--rm: removed $dir"
		else
			: >"$dir/running" # empty: no boxrun uses it
		fi
	fi
	locked=""
}

if [ "$network" = bridge ]; then
	if [ -z "$ip" ]; then
		ip2int "${SUBNET%/*}"
		base=$INT last=$((INT + (1 << (32 - prefix)) - 2))
		[ -n "$print" ] || mkdir -p "$state/ip"
		for ((i = base + 2; i <= last; i++)); do
			int2ip "$i"
			cand=$IP
			if [ -n "$print" ]; then
				free_ip "$cand" && break
			elif claim_ip "$cand"; then
				claimed=$cand
				break
			fi
		done
		[ -n "$print" ] || [ -n "$claimed" ] || die "no free address left in $SUBNET (claims in $state/ip)"
		ip=$cand/$prefix
	elif [ -z "$print" ]; then
		mkdir -p "$state/ip"
		claim_ip "${ip%/*}" || die "--ip ${ip%/*}: in use by the container $(cut -d' ' -f2 "$state/ip/${ip%/*}" 2>/dev/null)"
		claimed=${ip%/*}
	fi
fi

# ---- the chain -----------------------------------------------------------------

lines=() chain=() first=""
# stage WORD...: one stage of the chain, and its line for --print.
stage() {
	local w out=""
	for w in "$@"; do
		case $w in
		'' | *[!A-Za-z0-9_./:=,+@%-]*) printf -v w '%q' "$w"; out="$out $w" ;;
		*) out="$out $w" ;;
		esac
	done
	lines+=("${out# }")
	[ -n "$first" ] || [ "$1" = env ] || first=${#chain[@]}
	chain+=("$@")
}

if [ ${#envs[@]} -gt 0 ] || [ ${#image_env[@]} -gt 0 ]; then
	stage env "${image_env[@]}" "${envs[@]}"
fi
if [ -z "$rootless" ]; then
	args=(cgset --name "boxstep-$name")
	[ -z "$memory" ] || args+=(--memory "$memory")
	[ -z "$cpus" ] || args+=(--cpus "$cpus")
	[ -z "$pids" ] || args+=(--pids "$pids")
	stage "${args[@]}" --
fi
args=(mkns)
[ -z "$rootless" ] || args+=(--user --map-root)
args+=(--mount --uts --ipc --pid)
[ "$network" = host ] || args+=(--net)
args+=(--cgroup --hostname "$hostname")
stage "${args[@]}" --
if [ "$network" = bridge ]; then
	stage vethpair --bridge "$BRIDGE" --bridge-addr "$gateway/$prefix" --addr "$ip" --gateway "$gateway" --
fi
stage overlaymount --lower "$lower" --upper "$dir/upper" --work "$dir/work" "$dir/merged" --
args=(pivot)
for b in "${binds[@]}"; do args+=(--bind "$b"); done
for t in "${tmpfs[@]}"; do args+=(--tmpfs "$t"); done
[ -z "$workdir" ] || args+=(--chdir "$workdir")
[ -z "$readonly" ] || args+=(--readonly)
[ -z "$privileged" ] || args+=(--no-masks)
stage "${args[@]}" "$dir/merged" --

# Capabilities: Docker's default set, --cap-drop ALL empties it, --cap-add adds.
keep=default drop=""
for c in "${cap_drop[@]}"; do
	case ,$c, in
	*,[Aa][Ll][Ll],*) keep=none ;;
	*) drop=${drop:+$drop,}$c ;;
	esac
done
for c in "${cap_add[@]}"; do
	case ,$c, in
	*,[Aa][Ll][Ll],*) keep=all ;;
	*) [ "$keep" = all ] || { [ "$keep" = none ] && keep=$c || keep=$keep,$c; } ;;
	esac
done
if [ -n "$privileged" ]; then
	args=()
	[ -z "$user" ] || args+=(--user "$user")
	[ -z "$nnp" ] || args+=(--no-new-privs)
	[ ${#args[@]} -eq 0 ] || stage capdrop --keep all "${args[@]}" --
else
	args=(capdrop --keep "$keep")
	[ -z "$drop" ] || args+=(--drop "$drop")
	[ -z "$user" ] || args+=(--user "$user")
	[ -z "$nnp" ] || args+=(--no-new-privs)
	stage "${args[@]}" --
	[ "$seccomp" = unconfined ] || stage seccompbpf --profile default --
fi
[ -z "$init" ] || stage pid1 --
[ ${#program[@]} -gt 0 ] || program=(/bin/sh)
stage "${program[@]}"

# ---- --bundle: the same container as an OCI config.json -------------------------

# json_str S: S as a JSON string, in JS.
json_str() {
	local s=$1
	s=${s//\\/\\\\} s=${s//\"/\\\"} s=${s//$'\n'/\\n} s=${s//$'\t'/\\t} s=${s//$'\r'/\\r}
	case $s in *[$'\001'-$'\037']*) die "--bundle: a control character in '$1'" ;; esac
	JS="\"$s\""
}
# json_list WORD...: a JSON array of strings, in JS.
json_list() {
	local w out=""
	for w in "$@"; do
		json_str "$w"
		out="$out${out:+,}$JS"
	done
	JS="[$out]"
}
# json_bool VALUE: true when VALUE is not empty, in JS.
json_bool() { if [ -n "$1" ]; then JS=true; else JS=false; fi; }
# bytes SIZE: 64m, 1.5g, 100000 as a number of bytes, in BYTES (docker's units).
bytes() {
	BYTES=$(awk -v s="$1" 'BEGIN {
		n = s + 0; u = tolower(substr(s, length(s))); m = 1
		if (u == "b") u = tolower(substr(s, length(s) - 1, 1))
		if (u == "k") m = 1024; else if (u == "m") m = 1048576; else if (u == "g") m = 1073741824; else if (u == "t") m = 1099511627776
		printf "%.0f", n * m }')
}
# id_of NAME FILE: a user or group name's number in the root's passwd or group file, in ID.
id_of() {
	case $1 in
	'' | *[!0-9]*) ID=$(awk -F: -v n="$1" '$1 == n { print $3; exit }' "$2" 2>/dev/null) ;;
	*) ID=$1 ;;
	esac
	[ -n "$ID" ] || die "--bundle: --user '$user': no '$1' in ${2#"$lower"} of the root"
}

# write_bundle: BUNDLE/config.json for the chain above, field by field (ocirun(1)
# maps each field back to its stage).
write_bundle() {
	local j caps=() parts=() c e b m t n cuid=0 cgid=0 env_out=() has_path="" cgpath quota capset nnp_out
	# process: the program, its environment (PATH, HOSTNAME, the image's, -e), as whom
	for e in "${image_env[@]}" "${envs[@]}"; do
		[ "${e%%=*}" != PATH ] || has_path=1
	done
	[ -n "$has_path" ] || env_out+=("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	env_out+=("HOSTNAME=$hostname" "${image_env[@]}" "${envs[@]}")
	if [ -n "$user" ]; then
		id_of "${user%%:*}" "$lower/etc/passwd"
		cuid=$ID
		if [ "${user#*:}" != "$user" ]; then
			id_of "${user#*:}" "$lower/etc/group"
			cgid=$ID
		else
			cgid=$(awk -F: -v u="$cuid" '$3 == u { print $4; exit }' "$lower/etc/passwd" 2>/dev/null)
			[ -n "$cgid" ] || cgid=$cuid
		fi
	fi
	# capdrop --keep and --drop as names: Docker's 14 (--keep default), all this
	# process has (--keep all, --privileged: cinfo lists them), or those given.
	if [ -n "$privileged" ] || [ "$keep" = all ]; then
		c=$("$BIN/cinfo" --format kv | sed -n 's/^cap.bnd.names=//p')
	elif [ "$keep" = none ]; then
		c=""
	else
		c=${keep/default/chown,dac_override,fsetid,fowner,mknod,net_raw,setgid,setuid,setfcap,setpcap,net_bind_service,sys_chroot,kill,audit_write}
	fi
	IFS=, read -r -a parts <<<"$c"
	for c in "${parts[@]}"; do
		c=${c^^} c=CAP_${c#CAP_}
		case ,${drop^^}, in *",$c,"* | *",${c#CAP_},"*) continue ;; esac
		case " ${caps[*]} " in *" $c "*) ;; *) caps+=("$c") ;; esac
	done
	json_list "${caps[@]}"
	capset=$JS
	json_list "${program[@]}"
	j='{"ociVersion":"1.0.2","process":{"terminal":false,"user":{"uid":'$cuid',"gid":'$cgid'},"args":'$JS
	json_list "${env_out[@]}"
	j=$j',"env":'$JS
	json_str "${workdir:-/}"
	j=$j',"cwd":'$JS',"capabilities":{"bounding":'$capset',"effective":'$capset',"permitted":'$capset'}'
	# seccompbpf comes after capdrop: without CAP_SYS_ADMIN it sets no_new_privs, as
	# the kernel requires; runc loads its filter earlier, so the bundle asks for it.
	nnp_out=$nnp
	if [ -z "$privileged" ] && [ "$seccomp" != unconfined ]; then
		case " ${caps[*]} " in *" CAP_SYS_ADMIN "*) ;; *) nnp_out=1 ;; esac
	fi
	json_bool "$nnp_out"
	j=$j',"noNewPrivileges":'$JS'}'
	json_str "$lower"
	j=$j',"root":{"path":'$JS
	json_bool "$readonly"
	j=$j',"readonly":'$JS'}'
	json_str "$hostname"
	j=$j',"hostname":'$JS
	# mounts: what pivot makes in every root, then the volumes
	j=$j',"mounts":[{"destination":"/proc","type":"proc","source":"proc"}'
	j=$j',{"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]}'
	j=$j',{"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620"]}'
	j=$j',{"destination":"/dev/shm","type":"tmpfs","source":"shm","options":["nosuid","noexec","nodev","mode=1777","size=65536k"]}'
	j=$j',{"destination":"/dev/mqueue","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]}'
	j=$j',{"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev"'
	[ -n "$privileged" ] || j=$j',"ro"'
	j=$j']}'
	for b in "${binds[@]}"; do
		m=${b#*:}
		json_str "${m%:ro}"
		j=$j',{"destination":'$JS',"type":"bind"'
		json_str "${b%%:*}"
		j=$j',"source":'$JS',"options":["rbind","nosuid","nodev"'
		[ "${m%:ro}" = "$m" ] || j=$j',"ro"'
		j=$j']}'
	done
	for t in "${tmpfs[@]}"; do
		json_str "${t%%:*}"
		j=$j',{"destination":'$JS',"type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","mode=1777"'
		if [ "${t#*:}" != "$t" ]; then
			json_str "size=${t#*:}"
			j=$j,$JS
		fi
		j=$j']}'
	done
	j=$j']'
	# linux: the namespaces, the cgroup and its limits, the filter, the masks
	n='{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"cgroup"}'
	[ "$network" = host ] || n=$n',{"type":"network"}'
	j=$j',"linux":{"namespaces":['$n
	if [ -n "$rootless" ]; then
		j=$j',{"type":"user"}],"uidMappings":[{"containerID":0,"hostID":'$EUID',"size":1}]'
		j=$j',"gidMappings":[{"containerID":0,"hostID":'$(id -g)',"size":1}]'
	else
		j=$j']'
		if [ "${BOXSTEP_CGROUP_PARENT:-}" = self ]; then
			cgpath=boxstep-$name # below this process's own cgroup, as cgset --parent self
		else
			cgpath=/${BOXSTEP_CGROUP_PARENT:-boxstep}/boxstep-$name
		fi
		json_str "$cgpath"
		j=$j',"cgroupsPath":'$JS',"resources":{"devices":[{"allow":false,"access":"rwm"}]'
		if [ -n "$memory" ] && [ "$memory" != max ]; then
			bytes "$memory"
			j=$j',"memory":{"limit":'$BYTES'}'
		fi
		if [ -n "$cpus" ]; then
			quota=$(awk -v c="$cpus" 'BEGIN { printf "%.0f", c * 100000 }')
			j=$j',"cpu":{"quota":'$quota',"period":100000}'
		fi
		[ -z "$pids" ] || [ "$pids" = max ] || j=$j',"pids":{"limit":'$pids'}'
		j=$j'}'
	fi
	if [ -z "$privileged" ] && [ "$seccomp" != unconfined ]; then
		c=$("$BIN/ocirun" --print-seccomp default) || die "--bundle: ocirun --print-seccomp default failed"
		j=$j',"seccomp":'$c
	fi
	# pivot's masks, Docker's lists (lib/rootfs.c); none with --privileged
	if [ -z "$privileged" ]; then
		j=$j',"maskedPaths":["/proc/acpi","/proc/asound","/proc/interrupts","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/sched_debug","/proc/scsi","/proc/timer_list","/proc/timer_stats","/sys/devices/virtual/powercap","/sys/firmware"]'
		j=$j',"readonlyPaths":["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]'
	fi
	j=$j'}}'
	mkdir -p "$bundle" || die "mkdir '$bundle' failed"
	printf '%s\n' "$j" >"$bundle/config.json" || die "cannot write '$bundle/config.json'"
	note "wrote $bundle/config.json: runc run --bundle $bundle $name (its root is $lower itself, no overlay)"
}
[ -z "$bundle" ] || { write_bundle; exit 0; }

# The port rules, in the host's network namespace (nft(8); what docker-proxy and
# Docker's DOCKER chain do): arriving packets, and the host's own connections to
# one of its addresses, go to the container's address.
nft_setup=(
	"add table ip boxstep"
	"add chain ip boxstep prerouting { type nat hook prerouting priority dstnat; }"
	"add chain ip boxstep output { type nat hook output priority -100; }"
)
nft_rules=()
for p in "${ports[@]}"; do
	read -r proto hp cp <<<"$p"
	nft_rules+=("prerouting $proto dport $hp dnat to ${ip%/*}:$cp comment \"boxrun $name\"")
	nft_rules+=("output fib daddr type local $proto dport $hp dnat to ${ip%/*}:$cp comment \"boxrun $name\"")
done

if [ -n "$print" ]; then
	if [ ${#nft_rules[@]} -gt 0 ]; then
		echo "# -p: boxrun first forwards the ports in this (host) network namespace:"
		for l in "${nft_setup[@]}"; do echo "#   nft '$l'"; done
		for r in "${nft_rules[@]}"; do echo "#   nft 'add rule ip boxstep $r'"; done
		echo "#   echo 1 > /proc/sys/net/ipv4/ip_forward"
	fi
	echo "mkdir -p $(printf '%q' "$dir/merged")"
	last=$((${#lines[@]} - 1))
	for ((i = 0; i < last; i++)); do
		if [ "$i" = 0 ]; then echo "${lines[i]} \\"; else echo "  ${lines[i]} \\"; fi
	done
	if [ "$last" = 0 ]; then echo "${lines[last]}"; else echo "  ${lines[last]}"; fi
	[ ${#nft_rules[@]} -eq 0 ] || echo "# afterwards: nft delete rule ip boxstep CHAIN handle N, for each rule above"
	[ -z "$rm" ] || echo "# afterwards (--rm): rm -rf $dir"
	exit 0
fi

# ---- run --------------------------------------------------------------------------

trap cleanup EXIT
trap 'exit 125' TERM HUP INT
if [ -d "$dir/upper" ]; then
	trace "container $name: reusing its writes in $dir/upper"
else
	trace "state of container $name: $dir"
fi
[ -d "$dir/merged" ] || mkdir -p "$dir/merged" || die "mkdir '$dir/merged' failed"
# DIR/running holds the pid of the boxrun using the container, made with O_EXCL; when
# empty (the container ended) or when that boxrun is gone, it is taken over.
if ! (set -o noclobber && echo "$$" >"$dir/running") 2>/dev/null; then
	owner=""
	read -r owner <"$dir/running" 2>/dev/null
	if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then
		die "container $name is running ($dir is in use): choose another --name"
	fi
	echo "$$" >"$dir/running" || die "cannot write '$dir/running'"
fi
locked=1

if [ ${#nft_rules[@]} -gt 0 ]; then
	command -v nft >/dev/null || die "-p needs nft(8): apt-get install nftables (make deps)"
	for l in "${nft_setup[@]}"; do
		nft "$l" || die "nft '$l' failed"
	done
	for r in "${nft_rules[@]}"; do
		out=$(nft -e -a "add rule ip boxstep $r") || die "nft 'add rule ip boxstep $r' failed"
		h=$(sed -n 's/.*# handle \([0-9]*\).*/\1/p' <<<"$out" | head -n 1)
		[ -n "$h" ] || die "nft add rule ip boxstep $r: no handle in its answer"
		handles+=("${r%% *} $h")
		trace "nft add rule ip boxstep $r = handle $h"
	done
	fwd=""
	read -r fwd </proc/sys/net/ipv4/ip_forward
	if [ "$fwd" = 0 ]; then
		echo 1 >/proc/sys/net/ipv4/ip_forward && trace "net.ipv4.ip_forward=1: forwarded ports reach the bridge"
	fi
fi

# The first stage from boxrun's own directory; the next ones find each other there.
chain[first]=$BIN/${chain[first]}

# Nothing to undo afterwards (no port rule, no address, no --rm): boxrun becomes the
# chain, as the stages do. DIR/running keeps this pid, now the chain's first stage.
if [ ${#handles[@]} -eq 0 ] && [ -z "$claimed" ] && [ -z "$rm" ]; then
	trap - EXIT TERM HUP INT
	exec "${chain[@]}"
fi

# The chain runs as a child: SIGINT and SIGQUIT back to their defaults (bash ignores
# them in a background job), stdin kept.
# shellcheck disable=SC2317 # called by the traps below
forward() {
	caught=1
	kill -"$1" "$child" 2>/dev/null
}
(
	trap - INT QUIT TERM HUP EXIT
	exec "${chain[@]}"
) <&0 &
child=$!
trap 'forward TERM' TERM
trap 'forward HUP' HUP
# A Ctrl-C reaches every process of the terminal's group, the chain's too: boxrun
# only waits for the chain to end.
trap 'caught=1' INT
while :; do
	caught=""
	wait "$child"
	rc=$?
	[ -n "$caught" ] || break
done
cleanup
exit "$rc"
