#!/usr/bin/env bats
# Grader for lab 17: labs/lab.sh grade 17 [--dir PATH] runs it with LAB_WORK set to
# the folder holding the learner's image.sh. Each check's points are in its name.
# The words the image prints and the names of its files are random, so a
# hard-coded answer fails. The script runs inside a fake host (new mount, UTS and
# network namespaces).
#
# lab-requires: root mnt uts net pid overlay busybox

load ../../../tests/helpers

bats_require_minimum_version 1.5.0

setup_file() {
	leak_snapshot
	# The layers every check packs: a busybox base, and an app layer whose script
	# prints a random word and its PID.
	cd "$BATS_FILE_TMPDIR" || return 1
	mkrootfs base >/dev/null
	WORD=word$RANDOM$RANDOM
	MARK=marker-$RANDOM
	export WORD MARK
	printf '#!/bin/sh\necho "%s $$"\n' "$WORD" >say.sh
	chmod +x say.sh
	echo "$MARK" >mark
	mkrootfs --layer app say.sh:/app/say.sh "mark:/app/$MARK" >/dev/null
	echo "$WORD" >word
	echo "$MARK" >markname
}

setup() {
	WORK=${LAB_WORK:-$BATS_TEST_DIRNAME/../work}
	SCRIPT=$WORK/image.sh
	if [ ! -x "$SCRIPT" ]; then
		echo "$SCRIPT is missing or not executable (chmod +x image.sh)"
		return 1
	fi
	cd "$BATS_TEST_TMPDIR" || return 1
	BASE=$BATS_FILE_TMPDIR/base
	APP=$BATS_FILE_TMPDIR/app
	WORD=$(cat "$BATS_FILE_TMPDIR/word")
	MARK=$(cat "$BATS_FILE_TMPDIR/markname")
	LIMIT=30
}

# image ARGS...: the learner's script, in a fake host, with a time limit.
image() {
	fake_host timeout -s KILL "$LIMIT" "$SCRIPT" "$@"
}

# covers: C37
# hint: lessons/17-images.md, section "The model: everything is a blob named by its SHA-256"
@test "[20] pack writes an OCI image layout whose blobs are named by their SHA-256" {
	run --separate-stderr image pack "$PWD/img" "$BASE" "$APP" /app/say.sh "$WORD"
	echo "image.sh pack img BASE APP /app/say.sh $WORD: status $status"
	[ "$status" -eq 0 ]
	[ -f img/oci-layout ] || { echo "no img/oci-layout"; false; }
	[ -f img/index.json ] || { echo "no img/index.json"; false; }
	local f n=0 bad=0
	for f in img/blobs/sha256/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if [ "$(sha256sum <"$f" | cut -d' ' -f1)" != "${f##*/}" ]; then
			echo "  ${f##*/}: its SHA-256 is another"
			bad=1
		fi
	done
	echo "  $n blobs"
	[ "$n" -ge 4 ] || { echo "  an image of two layers has at least 4 blobs (2 layers, config, manifest)"; false; }
	[ "$bad" = 0 ]
}

# covers: C37 C51
# hint: lessons/17-images.md, section "Experiment: pack an image, unpack it, run it"
@test "[20] the image has the two layers, the app on top, and the command asked for" {
	image pack "$PWD/img" "$BASE" "$APP" /app/say.sh "$WORD" >/dev/null 2>&1 || true
	run --separate-stderr imgunpack img box
	echo "imgunpack of what pack wrote: status $status ${stderr:-}"
	[ "$status" -eq 0 ]
	local top bottom
	top=$(cut -d: -f1 box/lower)
	bottom=$(tr ':' '\n' <box/lower | tail -n 1)
	echo "  layers: $(tr ':' '\n' <box/lower | wc -l) (expected 2)"
	[ "$(tr ':' '\n' <box/lower | wc -l)" -eq 2 ]
	[ -f "$top/app/$MARK" ] || { echo "  the top layer has no /app/$MARK: is the app layer the second --layer?"; false; }
	[ -x "$bottom/bin/busybox" ] || { echo "  the bottom layer has no /bin/busybox"; false; }
	echo "  config: $(grep '^cmd' box/config | tr '\n' ' ')"
	[ "$(sed -n 's/^cmd //p' box/config)" = "$(printf '/app/say.sh\n%s' "$WORD")" ]
}

# covers: C37
# hint: lessons/17-images.md, section "Experiment: pack an image, unpack it, run it"
@test "[20] run starts the image's own command, as PID 1 of a container" {
	imgpack --layer "$BASE" --layer "$APP" --cmd /app/say.sh img >/dev/null
	run --separate-stderr image run "$PWD/img" "$PWD/box"
	echo "image.sh run img box: status $status, printed '$output'"
	[ "$status" -eq 0 ]
	[ "$output" = "$WORD 1" ]
}

# covers: C37
# hint: lessons/17-images.md, section "Experiment: pack an image, unpack it, run it"
@test "[20] run PROGRAM runs it on the image's layers, under an overlay root" {
	imgpack --layer "$BASE" --layer "$APP" --cmd /app/say.sh img >/dev/null
	run --separate-stderr image run "$PWD/img" "$PWD/box" cinfo --format kv
	echo "image.sh run img box cinfo --format kv: status $status"
	grep -e '^pid=' -e '^root=' <<<"$output" | sed 's/^/  /'
	[ "$status" -eq 0 ]
	grep -qx 'pid=1' <<<"$output"
	grep -qx 'root=overlay overlay' <<<"$output"
	# and it sees the app layer's files
	run image run "$PWD/img" "$PWD/box" cat "/app/$MARK"
	echo "  cat /app/$MARK: '$output'"
	[ "$output" = "$MARK" ]
}

# covers: C55
# hint: lessons/17-images.md, section "Break it: a blob that is not what its name says"
@test "[20] run refuses an image whose layer was changed, and runs nothing" {
	imgpack --layer "$BASE" --layer "$APP" --cmd /app/say.sh img >/dev/null
	local layer evil
	layer=$(grep -l "$WORD" img/blobs/sha256/* | head -n 1)
	evil=$(printf '%s' "$WORD" | tr '[:lower:]' '[:upper:]')
	sed -i "s/$WORD/$evil/" "$layer"
	run --separate-stderr image run "$PWD/img" "$PWD/box"
	echo "image.sh run on an image with a changed layer: status $status, printed '$output'"
	[ -n "${stderr:-}" ] && echo "  stderr: $(head -n 2 <<<"$stderr")"
	[ "$status" -ne 0 ]
	[[ "$output" != *"$evil"* ]]
}
