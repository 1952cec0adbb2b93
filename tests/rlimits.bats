#!/usr/bin/env bats
# shellcheck disable=SC2154
# ($stderr is set by bats' run --separate-stderr.)
# rlimits: setrlimit(2) for the rest of the chain, as s6-softlimit: SOFT alone,
# SOFT:HARD, :HARD, '=', unlimited, sizes; every value checked before the first
# call; a hard limit raised without CAP_SYS_RESOURCE is refused up front.
load helpers

bats_require_minimum_version 1.5.0

# limit NAME: the "Max NAME" line of /proc/self/limits of a program rlimits runs,
# as "SOFT HARD" (the shell reads its own, inherited through execve).
limit() {
	awk -v n="Max $1" 'index($0, n) == 1 { s = substr($0, 27); split(s, f, " +"); print f[1], f[2] }' /proc/self/limits
}

@test "usage: a limit is needed; unknown options, bad values and repeats are refused" {
	run rlimits true
	[ "$status" -eq 125 ]
	[[ "$output" == *"no limit given"* ]]
	[[ "$output" == *"Try 'rlimits --help'."* ]]
	run rlimits --nofile abc true
	[ "$status" -eq 125 ]
	[[ "$output" == "rlimits: invalid value 'abc' for --nofile: a number, or unlimited"* ]]
	run rlimits --nofile 10 --nofile 20 true
	[ "$status" -eq 125 ]
	[[ "$output" == *"option '--nofile' given twice"* ]]
	run rlimits --nofile 20:10 true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--nofile 20:10: the soft limit is above the hard one"* ]]
	run rlimits --nofle 10 true
	[ "$status" -eq 125 ]
	[[ "$output" == *"unknown option '--nofle'"* ]]
	run rlimits --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: rlimits "* ]]
	[[ "$output" == *"Kernel calls, in order:"* ]]
	[[ "$output" == *"RLIMIT_NOFILE"* ]]
	run rlimits --version
	[[ "$output" == "rlimits (boxstep) "* ]]
}

@test "SOFT:HARD sets both, SOFT the soft one only, :HARD the hard one (and the soft below it)" {
	local hard
	hard=$(limit "open files" | cut -d' ' -f2)
	[ "$hard" != unlimited ] || skip "the hard limit of open files is unlimited here"
	[ "$hard" -ge 64 ]
	run rlimits --nofile 32:64 -- sh -c 'ulimit -Sn; ulimit -Hn'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '32\n64')" ]
	run rlimits -o 40 -- sh -c 'ulimit -Sn; ulimit -Hn'
	[ "$output" = "$(printf '40\n%s' "$hard")" ]
	run rlimits --nofile :50 -- sh -c 'ulimit -Sn; ulimit -Hn'
	[ "$output" = "$(printf '%s\n50' "$(( $(ulimit -Sn) < 50 ? $(ulimit -Sn) : 50 ))")" ]
	# '=': the soft limit up to the hard one
	run rlimits --nofile = -- sh -c 'ulimit -Sn'
	[ "$output" = "$hard" ]
}

@test "sizes, unlimited and several limits at once, traced in order" {
	run --separate-stderr rlimits -v --core 64M --fsize unlimited:unlimited --stack 8M -- cat /proc/self/limits
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Max core file size        67108864"* ]]
	[[ "$output" == *"Max file size             unlimited            unlimited"* ]]
	[[ "$output" == *"Max stack size            8388608"* ]]
	[[ "$stderr" == *"rlimits: setrlimit(RLIMIT_CORE, {rlim_cur=67108864, rlim_max="*"}) = 0"* ]]
	[[ "$stderr" == *"rlimits: setrlimit(RLIMIT_FSIZE, {rlim_cur=RLIM_INFINITY, rlim_max=RLIM_INFINITY}) = 0"* ]]
	[[ "$stderr" == *"rlimits: execve(\""*"cat\", [\"cat\", \"/proc/self/limits\"]) = 0"* ]]
	# a program that is not a stage gets no descriptor above 2
	[[ "$stderr" == *"rlimits: close_range(3, ~0U, 0) = 0"* ]]
}

@test "a limit takes effect: a file size limit stops a write with SIGXFSZ" {
	# shellcheck disable=SC2016 # $1 is the inner shell's
	run rlimits --fsize 4096 -- sh -c 'head -c 8192 /dev/zero > "$1"' sh "$BATS_TEST_TMPDIR/big"
	[ "$status" -ne 0 ]
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/big")" -eq 4096 ]
	run rlimits --nofile 4:4 -- sh -c 'exec 3</dev/null 4</dev/null 5</dev/null'
	[ "$status" -ne 0 ]
}

@test "a hard limit raised without CAP_SYS_RESOURCE is refused before any change" {
	requires root
	local hard
	hard=$(limit "open files" | cut -d' ' -f2)
	[ "$hard" != unlimited ] || skip "the hard limit of open files is unlimited here"
	# capdrop takes CAP_SYS_RESOURCE away (this root may lack it already)
	run --separate-stderr capdrop --drop sys_resource -- rlimits -v --core 0 --nofile "$((hard + 1)):$((hard + 1))" -- echo ran
	[ "$status" -eq 125 ]
	[ "$output" = "" ]
	[[ "$stderr" == *"rlimits: --nofile $((hard + 1)):$((hard + 1)): raising the hard limit from $hard to $((hard + 1)) needs CAP_SYS_RESOURCE, which this process lacks"* ]]
	[[ "$stderr" == *"rlimits: hint: lower limits only, or run rlimits before capdrop"* ]]
	# nothing was set, not even the limit before it
	[[ "$stderr" != *"setrlimit("* ]]
	# a soft limit above the hard one and no hard one given
	run --separate-stderr rlimits --nofile "$((hard + 1))" -- echo ran
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"soft limit $((hard + 1)) is above the hard limit $hard"* ]]
	[[ "$stderr" == *"hint: give the hard limit too (--nofile SOFT:HARD)"* ]]
}

# covers: C50
@test "in a chain: after pivot, from /.boxstep/bin, before capdrop" {
	requires root busybox
	cd "$BATS_TEST_TMPDIR" || return 1
	mkrootfs r >/dev/null
	run mkns --mount --pid -- pivot r -- rlimits --nofile 100:200 --nproc 50:60 -- capdrop --keep none -- \
		sh -c 'ulimit -Sn; ulimit -Hn; grep "Max processes" /proc/self/limits'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 100 ]
	[ "${lines[1]}" = 200 ]
	[[ "${lines[2]}" == "Max processes             50                   60 "* ]]
}
