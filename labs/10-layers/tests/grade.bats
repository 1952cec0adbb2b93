#!/usr/bin/env bats
# Grader for lab 10: labs/lab.sh grade 10 [--dir PATH] runs it with LAB_WORK set to
# the folder holding the learner's build.sh and run.sh. Each check's points are in
# its name; the app's greeting and the files written are random, so a hard-coded
# answer fails. Scripts run inside a fake host (new mount, UTS and network
# namespaces), so a wrong answer cannot touch the real machine's mounts.
#
# lab-requires: root mnt pid overlay busybox

load ../../../tests/helpers

bats_require_minimum_version 1.5.0

setup() {
	WORK=${LAB_WORK:-$BATS_TEST_DIRNAME/../work}
	BUILD=$WORK/build.sh
	RUN=$WORK/run.sh
	local f
	for f in "$BUILD" "$RUN"; do
		if [ ! -x "$f" ]; then
			echo "$f is missing or not executable (chmod +x $(basename "$f"))"
			return 1
		fi
	done
	LIMIT=20
	IMAGE=$BATS_TEST_TMPDIR/image
	GREETING="hello-$RANDOM-from-the-app"
	APP=$BATS_TEST_TMPDIR/app.sh
	printf '#!/bin/sh\necho "%s"\n' "$GREETING" >"$APP"
	chmod 755 "$APP"
}

build() {
	fake_host timeout -s KILL "$LIMIT" "$BUILD" "$IMAGE" "$APP"
}

# run_in UPPER CMD...: the learner's run.sh on IMAGE with the upper layer UPPER.
run_in() {
	fake_host timeout -s KILL "$LIMIT" "$RUN" "$IMAGE" "$@"
}

# Every file of the two layers with its type, mode and content digest.
layers_state() {
	(cd "$IMAGE" && find base app -printf '%p %y %m %l\n' 2>/dev/null | sort &&
		find base app -type f -exec sha256sum {} + 2>/dev/null | sort)
}

# covers: C32
# hint: lessons/10-layers-and-overlayfs.md, section "Experiment: two layers, one root"
@test "[20] build.sh makes a busybox base layer and an app layer holding only the app" {
	run --separate-stderr build
	echo "build.sh IMAGE APP: status $status"
	[ -n "$stderr" ] && echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ -x "$IMAGE/base/bin/busybox" ] && [ -L "$IMAGE/base/bin/sh" ] || { echo "IMAGE/base has no busybox root"; false; }
	[ -d "$IMAGE/app" ] || { echo "no IMAGE/app layer"; false; }
	files=$(cd "$IMAGE/app" && find . ! -type d | sort)
	echo "files in IMAGE/app: ${files:-none}"
	[ "$files" = ./app/run ]
	cmp "$IMAGE/app/app/run" "$APP"
	[ ! -e "$IMAGE/base/app" ] || { echo "the app is in the base layer too"; false; }
}

# covers: C32
# hint: lessons/10-layers-and-overlayfs.md, section "Experiment: two layers, one root"
@test "[10] the app runs: run.sh IMAGE UPPER prints its greeting" {
	build >/dev/null 2>&1
	run --separate-stderr run_in "$BATS_TEST_TMPDIR/up"
	echo "run.sh IMAGE UPPER: status $status, printed '$output'"
	[ -n "$stderr" ] && echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "$GREETING" ]
}

# covers: C32
# hint: lessons/10-layers-and-overlayfs.md, section "The model: lower layers, an upper layer, a merged view"
@test "[10] the container's root is an overlay of the layers, and the command its PID 1" {
	build >/dev/null 2>&1
	run --separate-stderr run_in "$BATS_TEST_TMPDIR/up" /.boxstep/bin/cinfo --format kv
	echo "run.sh IMAGE UPPER /.boxstep/bin/cinfo --format kv: status $status: $(grep -e '^pid=' -e '^root=' <<<"$output" | tr '\n' ' ')"
	[ -n "$stderr" ] && echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	grep -qx 'pid=1' <<<"$output"
	grep -qx 'root=overlay overlay' <<<"$output" || { echo "the container's / is not an overlay"; false; }
}

# covers: C32 C35
# hint: lessons/10-layers-and-overlayfs.md, section "Copy-on-write: the first write copies the file up"
@test "[20] the layers are unchanged after a run that writes and deletes" {
	build >/dev/null 2>&1
	before=$(layers_state)
	run --separate-stderr run_in "$BATS_TEST_TMPDIR/up" \
		sh -c 'echo changed >> /etc/passwd; rm /bin/vi /app/run; echo new > /etc/new; chmod 700 /bin/busybox'
	echo "run.sh IMAGE UPPER sh -c 'change passwd, delete vi and the app, add a file, chmod busybox': status $status"
	[ "$status" -eq 0 ]
	after=$(layers_state)
	diff <(echo "$before") <(echo "$after") || { echo "the layers changed (diff above: < before, > after)"; false; }
}

# covers: C33
# hint: lessons/10-layers-and-overlayfs.md, section "Deleting what a lower layer holds: whiteouts and opaque directories"
@test "[25] the upper layer holds exactly the container's writes: a copy-up, a new file, a whiteout" {
	build >/dev/null 2>&1
	local up=$BATS_TEST_TMPDIR/up n=$RANDOM
	run --separate-stderr run_in "$up" sh -c "echo line-$n >> /etc/hostname; echo $n > /tmp/new-$n; rm /bin/vi"
	echo "run.sh IMAGE UPPER sh -c 'append to /etc/hostname, write /tmp/new-$n, rm /bin/vi': status $status"
	[ "$status" -eq 0 ]
	[ -d "$up" ] || { echo "no upper directory $up"; false; }
	# pivot's mount points may appear in the upper layer when the base lacks them
	got=$(cd "$up" && find . -mindepth 1 | sed 's|^\./||' | grep -vx -e .boxstep -e .boxstep/bin -e proc -e sys -e dev | sort)
	want=$(printf '%s\n' bin bin/vi etc etc/hostname tmp "tmp/new-$n" | sort)
	echo "upper holds: $(echo "$got" | tr '\n' ' ')"
	[ "$got" = "$want" ] || { echo "expected: $(echo "$want" | tr '\n' ' ')"; false; }
	[ "$(stat -c '%F %t,%T' "$up/bin/vi")" = "character special file 0,0" ]
	[ "$(tail -1 "$up/etc/hostname")" = "line-$n" ]
	[ "$(head -1 "$up/etc/hostname")" = "$(head -1 "$IMAGE/base/etc/hostname")" ]
	[ "$(cat "$up/tmp/new-$n")" = "$n" ]
}

# covers: C34
# hint: lessons/10-layers-and-overlayfs.md, section "A hundred containers, one base layer"
@test "[15] two containers on the same image each see only their own writes" {
	build >/dev/null 2>&1
	local n=$RANDOM
	run_in "$BATS_TEST_TMPDIR/one" sh -c "echo one-$n > /tmp/mine" >/dev/null 2>&1 || true
	run --separate-stderr run_in "$BATS_TEST_TMPDIR/two" sh -c 'cat /tmp/mine 2>/dev/null || echo none'
	echo "second container reads /tmp/mine: '$output'"
	[ "$output" = none ]
	run --separate-stderr run_in "$BATS_TEST_TMPDIR/one" cat /tmp/mine
	echo "first container again: '$output'"
	[ "$output" = "one-$n" ]
}
