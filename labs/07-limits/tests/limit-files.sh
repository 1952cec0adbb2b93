#!/bin/sh
# limit-files.sh: prints the limit files of the cgroup it runs in, FILE=VALUE, for
# memory, cpu and pids, from the hierarchy that holds each controller: the cgroup2
# tree when it offers the controller, else the controller's v1 tree. The grader of
# lab 07 runs it as the learner's CMD.
set -u
v2mnt=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
v2dir=$v2mnt$(sed -n 's/^0:://p' /proc/self/cgroup)
for c in memory cpu pids; do
	if [ -n "$v2mnt" ] && grep -qw "$c" "$v2dir/cgroup.controllers" 2>/dev/null; then
		dir=$v2dir
		files=$(printf '%s\n' memory.max memory.swap.max cpu.max pids.max)
	else
		path=$(awk -F: -v c="$c" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/self/cgroup)
		mnt=$(findmnt -n -t cgroup -o TARGET,OPTIONS |
			awk -v c="$c" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $1 }' | head -n 1)
		dir=$mnt$path
		files=$(printf '%s\n' memory.limit_in_bytes memory.memsw.limit_in_bytes cpu.cfs_quota_us cpu.cfs_period_us pids.max)
	fi
	for f in $files; do
		case $f in "$c".*) [ -r "$dir/$f" ] && echo "$f=$(cat "$dir/$f")" ;; esac
	done
done
exit 0
