#!/bin/sh
# Runs the cgroup v2 tests inside a throwaway pure cgroup v2 VM, since the
# development machines are hybrid: tests/v2/ from the root cgroup, then
# tests/v2/leaf/ from a populated leaf cgroup (V2VM_CGROUP), as in a login session.
# Usage: tests/run-v2.sh V2VM_DIR
# Skips, saying so, when the VM runner is not there.
v2vm=${1:-../shared/v2vm}
root=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -x "$v2vm/run-in-v2vm.sh" ]; then
	echo "cgroup v2 tests SKIPPED: no VM runner at $v2vm (run-in-v2vm.sh)"
	exit 0
fi
echo "cgroup v2 tests: running tests/v2 in a pure cgroup v2 VM ($v2vm)"
"$v2vm/run-in-v2vm.sh" "$root" bats tests/v2
first=$?
echo "cgroup v2 tests: running tests/v2/leaf from a populated leaf (V2VM_CGROUP=/user.slice/s.scope)"
V2VM_CGROUP=/user.slice/s.scope "$v2vm/run-in-v2vm.sh" "$root" bats tests/v2/leaf
second=$?
[ "$first" = 0 ] && exit "$second"
exit "$first"
