#!/bin/sh
# Runs the cgroup v2 tests (tests/v2/) inside a throwaway pure cgroup v2 VM, since the
# development machines are hybrid. Usage: tests/run-v2.sh V2VM_DIR
# Skips, saying so, when the VM runner is not there.
v2vm=${1:-../shared/v2vm}
root=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -x "$v2vm/run-in-v2vm.sh" ]; then
	echo "cgroup v2 tests SKIPPED: no VM runner at $v2vm (run-in-v2vm.sh)"
	exit 0
fi
echo "cgroup v2 tests: running tests/v2 in a pure cgroup v2 VM ($v2vm)"
exec "$v2vm/run-in-v2vm.sh" "$root" bats tests/v2
