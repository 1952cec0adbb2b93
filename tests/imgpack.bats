#!/usr/bin/env bats
# imgpack: directories into an OCI image layout that real tools accept (skopeo,
# umoci, GNU tar, gzip): blobs named by their SHA-256, sizes right, the same tree
# giving the same digests, long names, xattrs, hard links and overlay whiteouts
# kept; a failure leaves no half-written blob and no OUT it made.
load helpers
load img-helpers

bats_require_minimum_version 1.5.0

setup_file() {
	leak_snapshot
	cd "$BATS_FILE_TMPDIR" || return 1
	mkrootfs base >/dev/null
	mkdir -p app/app
	printf '#!/bin/sh\necho hello\n' >app/app/hello.sh
	chmod 755 app/app/hello.sh
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	BASE=$BATS_FILE_TMPDIR/base
	APP=$BATS_FILE_TMPDIR/app
}

@test "usage: --layer and OUT are required, checked before anything is written" {
	run imgpack out
	[ "$status" -eq 125 ]
	[[ "$output" == *"no --layer"* ]]
	run imgpack --layer /nonexistent out
	[ "$status" -eq 125 ]
	[[ "$output" == *"--layer '/nonexistent': not a directory"* ]]
	run imgpack --layer "$APP" --env NOEQUALS out
	[ "$status" -eq 125 ]
	[[ "$output" == *"--env 'NOEQUALS': expected NAME=VALUE"* ]]
	run imgpack --layer "$APP" --ref 'bad ref' out
	[ "$status" -eq 125 ]
	run imgpack --layer "$APP" --workdir / --workdir /x out
	[ "$status" -eq 125 ]
	[ ! -e out ]
	mkdir other
	touch other/file
	run imgpack --layer "$APP" other
	[ "$status" -eq 125 ]
	[[ "$output" == *"neither empty nor an image layout"* ]]
	[ "$(ls other)" = file ]
	run imgpack --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: imgpack --layer DIR"* ]]
}

# covers: C37
@test "every blob is named by the SHA-256 of its bytes, and every size is right" {
	run imgpack --layer "$BASE" --layer "$APP" --cmd /app/hello.sh img
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat img/oci-layout)" = '{"imageLayoutVersion":"1.0.0"}' ]
	local f n=0
	for f in img/blobs/sha256/*; do
		[ "$(sha256 "$f")" = "$(basename "$f")" ]
		n=$((n + 1))
	done
	[ "$n" -eq 4 ] # two layers, a config, a manifest
	local man
	man=$(sed -n 's/.*"digest":"sha256:\([0-9a-f]*\)".*/\1/p' img/index.json)
	[[ "$output" == *"image    sha256:$man (ref latest)"* ]]
	grep -q "\"size\":$(stat -c %s "img/blobs/sha256/$man")," img/index.json
	# each descriptor in the manifest has the size of its blob
	local d n=0
	while IFS= read -r d; do
		[ "$(stat -c %s "img/blobs/sha256/${d%=*}")" = "${d#*=}" ]
		n=$((n + 1))
	done < <(grep -o '"digest":"sha256:[0-9a-f]*","size":[0-9]*' "img/blobs/sha256/$man" |
		sed 's/"digest":"sha256:\([0-9a-f]*\)","size":\([0-9]*\)/\1=\2/')
	[ "$n" -eq 3 ]
	# uncompressed layers: the blob digest is the diff_id
	grep -q "\"diff_ids\":\[\"sha256:$(echo "$output" | sed -n 's/^layer 1  sha256:\([0-9a-f]*\) .*/\1/p')\"" img/blobs/sha256/*
}

# covers: C51
@test "skopeo reads the layout and copies it (checking every digest)" {
	command -v skopeo >/dev/null || skip "requires skopeo (make deps)"
	imgpack --layer "$BASE" --layer "$APP" --cmd /app/hello.sh --env GREETING=hi --ref v1 img
	run skopeo inspect --config oci:img:v1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"/app/hello.sh"'* ]]
	[[ "$output" == *'"GREETING=hi"'* ]]
	run skopeo inspect oci:img:v1
	[ "$status" -eq 0 ]
	[ "$(grep -c '"sha256:' <<<"$output")" -ge 3 ]
	run skopeo copy -q oci:img:v1 oci:copy:v1
	[ "$status" -eq 0 ]
	# the layers may be recompressed on the way; the config (with the diff_ids) is the same blob
	local cfg
	cfg=$(sed -n 's/^config   sha256:\([0-9a-f]*\)$/\1/p' <<<"$(imgpack --layer "$BASE" --layer "$APP" --cmd /app/hello.sh --env GREETING=hi --ref v1 img)")
	cmp "img/blobs/sha256/$cfg" "copy/blobs/sha256/$cfg"
}

# covers: C51
@test "umoci unpacks it into the same tree" {
	requires root
	command -v umoci >/dev/null || skip "requires umoci (make deps)"
	imgpack --layer "$BASE" --layer "$APP" --cmd /app/hello.sh img
	run umoci unpack --image img:latest bundle
	echo "$output"
	[ "$status" -eq 0 ]
	diff -r --no-dereference "$APP/app" bundle/rootfs/app
	diff -r --no-dereference "$BASE/bin" bundle/rootfs/bin
	[ "$(stat -c %a bundle/rootfs/app/hello.sh)" = 755 ]
	grep -q '"/app/hello.sh"' bundle/config.json
}

@test "--gzip: gzip -t accepts every layer, and it inflates to the diff_id" {
	run imgpack --gzip --layer "$BASE" --layer "$APP" img
	echo "$output"
	[ "$status" -eq 0 ]
	local man cfg l
	man=$(sed -n 's/.*"digest":"sha256:\([0-9a-f]*\)".*/\1/p' img/index.json)
	grep -q 'layer.v1.tar+gzip' "img/blobs/sha256/$man"
	cfg=$(grep -o '"config":{[^}]*}' "img/blobs/sha256/$man" | sed 's/.*sha256:\([0-9a-f]*\).*/\1/')
	local n=0
	while IFS= read -r l; do
		gzip -t "img/blobs/sha256/$l"
		grep -q "sha256:$(gzip -dc "img/blobs/sha256/$l" | sha256sum | cut -d' ' -f1)" "img/blobs/sha256/$cfg"
		n=$((n + 1))
	done < <(grep -o 'tar+gzip","digest":"sha256:[0-9a-f]*' "img/blobs/sha256/$man" | sed 's/.*sha256://')
	[ "$n" -eq 2 ]
	# it does compress: the base layer is busybox and links
	[ "$(stat -c %s "img/blobs/sha256/$(largest_blob img)")" -lt "$(du -sb "$BASE" | cut -f1)" ]
}

# covers: C37 C55
@test "the same tree gives the same digests; SOURCE_DATE_EPOCH dates the image" {
	imgpack --layer "$BASE" --layer "$APP" --cmd /app/hello.sh one >one.out
	imgpack --layer "$BASE" --layer "$APP" --cmd /app/hello.sh two >two.out
	diff one.out two.out
	cmp one/index.json two/index.json
	imgpack --layer "$BASE" --layer "$APP" --cmd /app/hello.sh --cmd world three >three.out
	[ "$(grep ^layer one.out)" = "$(grep ^layer three.out)" ]
	[ "$(grep ^image one.out)" != "$(grep ^image three.out)" ]
	SOURCE_DATE_EPOCH=1700000000 imgpack --layer "$APP" dated >/dev/null
	grep -q '"created":"2023-11-14T22:13:20Z"' dated/blobs/sha256/*
}

@test "long names, xattrs, hard links, fifos and owners survive a round trip" {
	requires root
	local long
	long=$(printf 'd%.0s' $(seq 1 120))/$(printf 'e%.0s' $(seq 1 120))/$(printf 'f%.0s' $(seq 1 90))
	mkdir -p "tree/$long"
	echo deep >"tree/$long/file.txt"
	echo one >tree/a
	ln tree/a tree/b
	mkfifo tree/pipe
	chown 1234:5678 tree/a
	ln -s "$long/file.txt" tree/link
	local x=0
	if command -v python3 >/dev/null; then
		python3 -c 'import os; os.setxattr("tree/a", "user.boxstep", b"kept")' && x=1
	fi
	run imgpack --layer tree img
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"links"* ]]
	local blob
	blob=$(largest_blob img)
	tar -tvf "img/blobs/sha256/$blob" >list
	grep -q "b link to a" list
	grep -qF "$long/file.txt" list
	grep -q "1234/5678 .* a$" list
	imgunpack img box >/dev/null
	local l
	l=$(cat box/lower)
	[ "$(cat "$l/$long/file.txt")" = deep ]
	[ "$(stat -c %i "$l/a")" = "$(stat -c %i "$l/b")" ]
	[ "$(stat -c %u:%g "$l/a")" = 1234:5678 ]
	[ -p "$l/pipe" ]
	[ "$(readlink "$l/link")" = "$long/file.txt" ]
	if [ "$x" = 1 ]; then
		[ "$(xattr "$l/a" user.boxstep)" = kept ]
	fi
}

# covers: C33 C37
@test "an overlay upper directory packs into OCI whiteouts (docker commit)" {
	requires root busybox
	mkdir merged
	mkns --mount --pid -- overlaymount --lower "$APP:$BASE" --upper up --work work merged -- \
		pivot merged -- sh -c 'rm /bin/vi; rm -rf /etc; mkdir /etc; echo mine >/etc/motd'
	run imgpack --layer "$BASE" --layer "$APP" --layer up img
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[2]}" == "layer 3  sha256:"*"1 whiteout, 1 opaque dir" ]]
	local l3
	l3=${lines[2]#layer 3  sha256:}
	l3=${l3%% *}
	tar -tf "img/blobs/sha256/$l3" >list
	grep -qx 'bin/.wh.vi' list
	grep -qx 'etc/.wh..wh..opq' list
	run ! grep -q 'trusted.overlay' list
	run imgunpack img box
	[ "$status" -eq 0 ]
	rm -rf up work
	run mkns --mount --pid -- overlaymount --lower "$(cat box/lower)" --upper up --work work merged -- \
		pivot merged -- sh -c 'ls /etc; test -e /bin/vi || echo gone'
	echo "$output"
	[ "$output" = "$(printf 'motd\ngone')" ]
}

# covers: C34 C37
@test "two images in one layout share their base blob; a ref moves like a tag" {
	imgpack --layer "$BASE" --layer "$APP" --ref one img >/dev/null
	imgpack --layer "$BASE" --cmd /bin/true --ref two img >/dev/null
	[ "$(entries img/blobs/sha256)" -eq 6 ] # base, app, 2 configs, 2 manifests
	[ "$(grep -o 'ref.name":"[a-z]*"' img/index.json | tr '\n' ' ')" = 'ref.name":"one" ref.name":"two" ' ]
	local before
	before=$(sed -n 's/.*"digest":"sha256:\([0-9a-f]*\)".*"two".*/\1/p' img/index.json)
	imgpack --layer "$BASE" --cmd /bin/false --ref two img >/dev/null
	[ "$(grep -c '"two"' img/index.json)" -eq 1 ]
	[ "$(grep -o 'ref.name' img/index.json | wc -l)" -eq 2 ]
	run ! grep -q "$before\".*\"two\"" img/index.json
}

@test "a failure leaves no half-written blob, and no OUT it made" {
	requires root
	mkdir big small
	head -c 2000000 /dev/urandom >big/random
	# shellcheck disable=SC2016
	run mkns --mount -- sh -c 'mount -t tmpfs -o size=1m tmpfs "$1" && imgpack --layer "$2" "$1/img"; echo "status $?"; ls -A "$1"' \
		sh "$PWD/small" "$PWD/big"
	echo "$output"
	[[ "$output" == *"No space left on device"* ]]
	[[ "$output" == *"status 125"* ]]
	[ "${lines[-1]}" = "status 125" ]
}
