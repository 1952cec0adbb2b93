#!/usr/bin/env bats
# Unit tests of lib/ modules: each tests/unit/NAME.c is built by make into
# build/unit/NAME, a program that checks one module and exits 0 when every check
# passes (it prints "NAME: N checks, M failed" and, on stderr, each failure).
load helpers

bats_require_minimum_version 1.5.0

units() {
	local f
	for f in "$BOXSTEP_ROOT"/build/unit/*; do
		[ -x "$f" ] && basename "$f"
	done
}

@test "every tests/unit/*.c has been built" {
	local c missing=""
	for c in "$BOXSTEP_ROOT"/tests/unit/*.c; do
		[ -x "$BOXSTEP_ROOT/build/unit/$(basename "$c" .c)" ] || missing="$missing $(basename "$c")"
	done
	[ -z "$missing" ] || {
		echo "not built (run make):$missing"
		false
	}
}

@test "every unit test program passes" {
	local u failed="" ran=0
	for u in $(units); do
		run --separate-stderr "$BOXSTEP_ROOT/build/unit/$u"
		echo "$u: status $status: $output"
		[ -n "$stderr" ] && printf '%s\n' "$stderr" | head -n 20 | sed 's/^/    /'
		[ "$status" -eq 0 ] || failed="$failed $u"
		ran=$((ran + 1))
	done
	[ "$ran" -gt 0 ]
	[ -z "$failed" ] || {
		echo "failed:$failed"
		false
	}
}

# One test per module, so a failure names it.
@test "unit: sha256 (FIPS 180-4 vectors)" {
	run "$BOXSTEP_ROOT/build/unit/sha256"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "unit: inflate (against gzip)" {
	command -v gzip >/dev/null || skip "requires gzip"
	run "$BOXSTEP_ROOT/build/unit/inflate"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "unit: tar (against GNU tar)" {
	command -v tar >/dev/null || skip "requires tar"
	run "$BOXSTEP_ROOT/build/unit/tar"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "unit: json" {
	run "$BOXSTEP_ROOT/build/unit/json"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "unit: oci, layer, imgstore (layouts, escapes, whiteouts)" {
	run "$BOXSTEP_ROOT/build/unit/oci"
	echo "$output"
	[ "$status" -eq 0 ]
}
