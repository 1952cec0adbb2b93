#!/usr/bin/env bats
# shellcheck disable=SC2154
# ($stderr is set by bats' run --separate-stderr.)
# imgunpack: image layouts (made by imgpack, umoci and by hand), oci-archive and
# docker save tars into DEST/layers, DEST/lower and DEST/config; every digest is
# checked, whiteouts become overlay whiteouts, hostile tars are refused with
# nothing written outside DEST and no DEST left behind.
load helpers
load img-helpers

bats_require_minimum_version 1.5.0

setup_file() {
	leak_snapshot
	cd "$BATS_FILE_TMPDIR" || return 1
	mkrootfs base >/dev/null
	printf '#!/bin/sh\necho "hello from the app layer"\n' >hello.sh
	chmod +x hello.sh
	mkrootfs --layer app hello.sh:/app/hello.sh >/dev/null
	imgpack --layer base --layer app --cmd /app/hello.sh --env GREETING=hi --workdir /app img >/dev/null
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	IMG=$BATS_FILE_TMPDIR/img
}

# run_image DEST CMD...: CMD in a container whose root is DEST's layers.
run_image() {
	local dest=$1
	shift
	mkdir -p merged
	mkns --mount --pid -- overlaymount --lower "$(cat "$dest/lower")" --upper up --work work merged -- \
		pivot merged -- "$@"
}

@test "usage: IMAGE and DEST are required; a bad platform is refused before anything is made" {
	run imgunpack
	[ "$status" -eq 125 ]
	[[ "$output" == *"IMAGE and DEST are required"* ]]
	[[ "$output" == *"Try 'imgunpack --help'."* ]]
	run imgunpack --platform amd64 "$IMG" box
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid platform 'amd64'"* ]]
	run imgunpack ./missing box
	[ "$status" -eq 125 ]
	run imgunpack "$IMG" box extra
	[ "$status" -eq 125 ]
	[[ "$output" == *"unexpected argument 'extra'"* ]]
	[ ! -e box ]
	run imgunpack --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: imgunpack "* ]]
	[[ "$output" == *"Kernel calls:"* ]]
	run imgunpack --version
	[[ "$output" == "imgunpack (boxstep) "* ]]
}

# covers: C37
@test "an image from imgpack: layers by diff_id, lower topmost first, config" {
	requires root busybox
	run --separate-stderr imgunpack "$IMG" box
	echo "$output"
	[ "$status" -eq 0 ]
	local man base
	man=$(jq_digest "$IMG")
	[[ "${lines[0]}" == "image    sha256:$man (ref latest)" ]]
	base=$(tar_digest "$BATS_FILE_TMPDIR/base")
	[ -d "box/layers/$base" ]
	[ "$(entries box/layers)" -eq 2 ]
	# topmost first: the app layer, then the base
	[[ "$(cat box/lower)" == "$PWD/box/layers/"*":$PWD/box/layers/$base" ]]
	[ -x "box/layers/$(basename "$(cut -d: -f1 box/lower)")/app/hello.sh" ]
	grep -qx "manifest sha256:$man" box/config
	grep -qx 'cmd /app/hello.sh' box/config
	grep -qx 'env GREETING=hi' box/config
	grep -qx 'workdir /app' box/config
	# the tree of the base layer is the directory it was packed from
	diff -r --no-dereference "$BATS_FILE_TMPDIR/base" "box/layers/$base"
}

# jq_digest LAYOUT: the manifest digest in a one-image index.json.
jq_digest() { sed -n 's/.*"digest":"sha256:\([0-9a-f]\{64\}\)".*/\1/p' "$1/index.json"; }
# tar_digest DIR: the diff_id imgpack gives DIR's layer, read from imgpack's own output.
tar_digest() {
	imgpack --layer "$1" "$BATS_TEST_TMPDIR/probe.$$" | sed -n 's/^layer 1  sha256:\([0-9a-f]*\) .*/\1/p'
	rm -rf "$BATS_TEST_TMPDIR/probe.$$"
}

@test "the unpacked image runs: overlaymount --lower \"\$(cat DEST/lower)\", then pivot" {
	requires root busybox
	imgunpack "$IMG" box >/dev/null
	run run_image box /app/hello.sh
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the app layer" ]
}

# covers: C37 C55
@test "a corrupted blob is refused with both digests; no DEST is left" {
	cp -R "$IMG" bad
	local blob
	blob=$(largest_blob bad) # the base layer
	printf 'X' | dd of="bad/blobs/sha256/$blob" bs=1 seek=3000 conv=notrunc status=none
	run --separate-stderr imgunpack bad box
	echo "$stderr"
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"blobs/sha256/$blob: digest mismatch: expected sha256:$blob, found sha256:"* ]]
	[[ "$stderr" == *"hint: "* ]]
	[ ! -e box ]
	# into an existing DEST: nothing of this run stays
	mkdir box
	touch box/.keep-me-not
	rm box/.keep-me-not
	run imgunpack bad box
	[ "$status" -eq 125 ]
	[ -z "$(ls -A box)" ]
}

@test "a blob of the wrong size is refused before it is hashed" {
	cp -R "$IMG" bad
	local blob
	blob=$(largest_blob bad)
	printf 'more' >>"bad/blobs/sha256/$blob"
	run imgunpack bad box
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"size mismatch: the descriptor says"* ]]
	[ ! -e box ]
}

@test "a blob that is a symbolic link is refused" {
	cp -R "$IMG" bad
	local blob
	blob=$(largest_blob bad)
	mv "bad/blobs/sha256/$blob" elsewhere
	ln -s "$PWD/elsewhere" "bad/blobs/sha256/$blob"
	run imgunpack bad box
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"is a symbolic link: refused"* ]]
}

# covers: C37
@test "layers shared with an image already in DEST are not unpacked again" {
	requires root busybox
	imgpack --layer "$BATS_FILE_TMPDIR/base" --cmd /bin/true two >/dev/null
	imgunpack "$IMG" box >/dev/null
	run imgunpack two box
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[2]}" == "layer 1  sha256:"*"  already unpacked" ]]
	[ "$(entries box/layers)" -eq 2 ]
	[ "$(cat box/lower)" = "$PWD/box/layers/$(tar_digest "$BATS_FILE_TMPDIR/base")" ]
	grep -qx 'cmd /bin/true' box/config
}

# covers: C33 C37
@test "whiteouts: .wh.NAME becomes c 0,0, .wh..wh..opq an opaque directory, and the container sees the deletion" {
	requires root busybox
	mkdir -p top/bin top/etc
	touch top/bin/.wh.vi top/etc/.wh..wh..opq
	echo mine >top/etc/motd
	tar -cf top.tar -C top bin etc
	tar -cf base.tar -C "$BATS_FILE_TMPDIR/base" .
	layout_from_tars wh base.tar top.tar
	run imgunpack -v wh box
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *'mknodat("'*'/bin/vi", S_IFCHR, makedev(0, 0)) = 0'* ]]
	[[ "$output" == *'setxattr("'*'/etc", "trusted.overlay.opaque", "y") = 0'* ]]
	local top
	top=$(cut -d: -f1 box/lower)
	[ "$(stat -c '%F %t,%T' "$top/bin/vi")" = "character special file 0,0" ]
	[ ! -e "$top/bin/.wh.vi" ]
	[ "$(xattr "$top/etc" trusted.overlay.opaque)" = y ]
	run run_image box sh -c 'ls /etc; test -e /bin/vi || echo "no vi"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'motd\nno vi')" ]
}

# shellcheck disable=SC2030
@test "overlay xattrs carried by a layer itself are dropped" {
	requires root
	mkdir -p t/d
	echo x >t/d/f
	setfattr_or_skip t/d trusted.overlay.redirect /etc
	tar --xattrs --xattrs-include='trusted.*' -cf t.tar -C t d
	layout_from_tars forged t.tar
	run imgunpack -v forged box
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"dropped the layer's own trusted.overlay.redirect"* ]]
	run xattr "$(cat box/lower)/d" trusted.overlay.redirect
	[ "$status" -ne 0 ]
}

# setfattr_or_skip PATH NAME VALUE: sets an xattr with the tools at hand.
setfattr_or_skip() {
	if command -v setfattr >/dev/null; then
		setfattr -n "$2" -v "$3" "$1"
	elif command -v python3 >/dev/null; then
		python3 -c 'import os, sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode())' "$1" "$2" "$3"
	else
		skip "requires setfattr or python3 to forge an xattr"
	fi
}

# refused WHY TAR...: a layout of those tars is refused, naming why; no DEST.
# shellcheck disable=SC2030,SC2031
refused() {
	local why=$1
	shift
	layout_from_tars evil "$@"
	run --separate-stderr imgunpack evil box
	echo "status $status: $stderr"
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"$why"* ]]
	[ ! -e box ]
}

@test "hostile tars: '..', absolute names, paths through a symlink, links pointing out" {
	mkdir t1 t2 t3
	echo pwned >x
	tar -cPf dotdot.tar --transform 's,^x$,../escape,' x
	refused "tar entry '../escape': '..' would climb out of the layer" dotdot.tar
	tar -cPf abs.tar "$PWD/x"
	refused "an absolute path: refused" abs.tar
	# a symlink to a directory outside, then a file "through" it
	ln -s "$PWD/outside" t1/link
	mkdir -p outside t2/link
	echo pwned >t2/link/file
	tar -cf through.tar -C t1 link
	tar -rf through.tar -C t2 link/file
	refused "'link' is a symbolic link or not a directory: refusing to go through it" through.tar
	[ ! -e outside/file ]
	ln -s ../../.. t3/up
	tar -cf up.tar -C t3 up
	refused "symbolic link to '../../..' points outside the layer" up.tar
	touch t3/f
	ln t3/f t3/g
	tar -cPf hl.tar --transform='flags=h;s,^f$,/etc/passwd,' -C t3 f g
	refused "absolute path: refused" hl.tar
	tar -cPf hl2.tar --transform='flags=h;s,^f$,../../etc/passwd,' -C t3 f g
	refused "'..' would climb out of the layer" hl2.tar
	[ ! -e "$PWD/../escape" ]
}

@test "hostile tars: a huge pax header, a bad checksum, a truncated layer" {
	{ tar_header PaxHeaders/x 2097152 x; head -c 4096 /dev/zero; } >huge.tar
	refused "pax extended header of 2097152 bytes" huge.tar
	{ tar_header PaxHeaders/x 2097152 L; head -c 4096 /dev/zero; } >long.tar
	refused "GNU long name of 2097152 bytes" long.tar
	tar -cf ok.tar -C "$BATS_FILE_TMPDIR" hello.sh
	cp ok.tar sum.tar
	printf 'Y' | dd of=sum.tar bs=1 seek=0 conv=notrunc status=none
	refused "header checksum mismatch" sum.tar
	head -c 600 ok.tar >short.tar
	refused "truncated" short.tar
}

@test "device nodes are refused unless root; fifos are not" {
	requires root
	mkdir d
	mknod d/null c 1 3
	mkfifo d/fifo
	tar -cf dev.tar -C d .
	layout_from_tars dev dev.tar
	chmod -R a+rX dev
	local tools
	tools=$(world_readable_tools)
	mkdir -m 777 out
	run setpriv --reuid nobody --regid nogroup --clear-groups "$tools/bin/imgunpack" dev out/box
	rm -rf "$tools"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"device node (c 1:3): refused when not root"* ]]
	[ ! -e out/box ]
	run imgunpack dev box
	[ "$status" -eq 0 ]
	[ -c "$(cat box/lower)/null" ]
	[ -p "$(cat box/lower)/fifo" ]
}

# covers: C51
@test "an image made by umoci (offline, from a local rootfs) unpacks and runs" {
	requires root busybox
	command -v umoci >/dev/null || skip "requires umoci (make deps)"
	umoci init --layout u
	umoci new --image u:base
	umoci insert --image u:base "$BATS_FILE_TMPDIR/base" /
	umoci insert --image u:base --whiteout /bin/vi
	umoci config --image u:base --config.cmd /bin/echo --config.cmd "made by umoci"
	run imgunpack --ref base u box
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"1 whiteout"* ]]
	run run_image box sh -c 'echo "made by umoci"; test -e /bin/vi || echo "no vi"'
	[ "$output" = "$(printf 'made by umoci\nno vi')" ]
	grep -qx 'cmd made by umoci' box/config
}

# covers: C51
@test "archives: oci-archive and docker-archive from skopeo, a docker save made by hand, gzip'ed" {
	command -v skopeo >/dev/null || skip "requires skopeo (make deps)"
	skopeo copy -q "oci:$IMG:latest" oci-archive:img.tar:latest
	run imgunpack img.tar box1
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$(find box1 -maxdepth 1 -name '.archive-*')" ]
	skopeo copy -q "oci:$IMG:latest" docker-archive:d.tar:boxstep/app:v1
	run imgunpack --ref boxstep/app:v1 d.tar box2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "image    docker save archive" ]
	[ "$(tr ':' '\n' <box2/lower | xargs -n1 basename)" = "$(tr ':' '\n' <box1/lower | xargs -n1 basename)" ]
	tar -cf app.tar -C "$BATS_FILE_TMPDIR/app" .
	docker_save mine.tar mine:1 app.tar
	gzip -c mine.tar >mine.tar.gz
	run imgunpack --ref mine:1 mine.tar.gz box3
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'entrypoint /bin/echo' box3/config
	grep -qx 'cmd from docker save' box3/config
	run imgunpack --ref other mine.tar box4
	[ "$status" -eq 125 ]
	[[ "$output" == *"no image tagged 'other'"* ]]
}

@test "a docker save layer that does not match its diff_id is refused" {
	tar -cf app.tar -C "$BATS_FILE_TMPDIR/app" .
	docker_save mine.tar mine:1 app.tar
	mkdir x
	tar -xf mine.tar -C x
	printf 'junk' | dd of=x/layer1/layer.tar bs=1 seek=600 conv=notrunc status=none
	run imgunpack x box
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"diff_id mismatch: the config says sha256:"* ]]
	[ ! -e box ]
}

@test "a multi-platform index: the host's platform by default, --platform to pick, nested indexes" {
	local man size
	man=$(jq_digest "$IMG")
	size=$(stat -c %s "$IMG/blobs/sha256/$man")
	cp -R "$IMG" multi
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"%s","os":"linux"}}]}' \
		"$man" "$size" "$man" "$size" "$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')" >inner.json
	local inner
	inner=$(put_blob multi inner.json)
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"multi"}}]}' \
		"$inner" "$(stat -c %s inner.json)" >multi/index.json
	run imgunpack multi box
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "image    sha256:$man (ref multi)" ]
	run imgunpack --platform linux/arm64 multi box
	[ "$status" -eq 0 ]
	run imgunpack --platform linux/s390x multi box2
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"no image for platform linux/s390x"*"multi [linux/arm64/v8]"* ]]
	run imgunpack --ref nope multi box2
	[ "$status" -eq 125 ]
	[[ "$output" == *"no image with ref 'nope'"* ]]
	[ ! -e box2 ]
}

# covers: C55
@test "a ref moves like a tag; --digest pins the manifest, even one no ref names any more" {
	cp -R "$IMG" moving
	local old
	old=$(jq_digest moving)
	imgpack --layer "$BATS_FILE_TMPDIR/base" --cmd /bin/echo --cmd "a new latest" moving >/dev/null
	imgunpack moving box >/dev/null
	grep -qx 'cmd a new latest' box/config
	run imgunpack --digest "sha256:$old" moving box
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "image    sha256:$old" ]
	grep -qx "manifest sha256:$old" box/config
	grep -qx 'cmd /app/hello.sh' box/config
	run imgunpack --digest sha256:12 moving box
	[ "$status" -eq 125 ]
	[[ "$output" == *"expected 64 lowercase hex digits"* ]]
	run imgunpack --digest "sha256:$old" --ref latest moving box
	[ "$status" -eq 125 ]
	run imgunpack --digest "sha256:$(printf '0%.0s' $(seq 64))" moving box3
	[ "$status" -eq 125 ]
	[[ "$output" == *"in index.json or in blobs/"* ]]
	[ ! -e box3 ]
}

@test "strict JSON: a duplicate key or a trailing comma in index.json is refused with its place" {
	cp -R "$IMG" dup
	sed 's/"schemaVersion":2,/"schemaVersion":2,\n"schemaVersion":2,/' "$IMG/index.json" >dup/index.json
	run imgunpack dup box
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *'index.json:2:1: duplicate key "schemaVersion" (first at 1:2)'* ]]
	sed 's/}]}$/},]}/' "$IMG/index.json" >dup/index.json
	run imgunpack dup box
	echo "$output"
	[[ "$output" == *"index.json:1:"*": trailing comma before ']'"* ]]
	[ ! -e box ]
}

@test "zstd layers and artifacts are refused by name" {
	cp -R "$IMG" z
	local man
	man=$(jq_digest "$IMG")
	sed 's/layer.v1.tar"/layer.v1.tar+zstd"/' "$IMG/blobs/sha256/$man" >m.json
	local new
	new=$(put_blob z m.json)
	sed "s/$man/$new/; s/\"size\":[0-9]*/\"size\":$(stat -c %s m.json)/" "$IMG/index.json" >z/index.json
	run imgunpack z box
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"zstd is not supported"* ]]
}

@test "a DEST that holds something else is not written into; DEST in use is refused" {
	mkdir other
	echo mine >other/file
	run imgunpack "$IMG" other
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"not an imgunpack directory"* ]]
	[ "$(ls -A other)" = file ]
	mkdir box
	exec 9>box/.lock
	flock 9
	run imgunpack "$IMG" box
	exec 9>&-
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"in use by another imgunpack"* ]]
}
