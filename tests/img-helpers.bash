# Images made by hand, for imgpack.bats and imgunpack.bats: OCI layouts around
# any tar (including hostile ones), docker save archives, raw tar headers.
# shellcheck shell=bash

sha256() { sha256sum "$1" | cut -d' ' -f1; }

# put_blob LAYOUT FILE: stores FILE in LAYOUT/blobs/sha256/ under its digest,
# prints the hex digits.
put_blob() {
	local hex
	hex=$(sha256 "$2")
	mkdir -p "$1/blobs/sha256"
	cp "$2" "$1/blobs/sha256/$hex"
	echo "$hex"
}

# layout_from_tars LAYOUT TAR...: an OCI image layout tagged latest whose
# layers are the given uncompressed tars, bottom first. The config runs /bin/sh.
layout_from_tars() {
	local layout=$1 t hex ids="" layers="" cfg man tmp
	shift
	mkdir -p "$layout/blobs/sha256"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
	for t in "$@"; do
		hex=$(put_blob "$layout" "$t")
		ids="$ids${ids:+,}\"sha256:$hex\""
		layers="$layers${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:$hex\",\"size\":$(stat -c %s "$t")}"
	done
	tmp=$(mktemp)
	printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
		"$ids" >"$tmp"
	cfg=$(put_blob "$layout" "$tmp")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
		"$cfg" "$(stat -c %s "$tmp")" "$layers" >"$tmp"
	man=$(put_blob "$layout" "$tmp")
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' \
		"$man" "$(stat -c %s "$tmp")" >"$layout/index.json"
	rm -f "$tmp"
}

# docker_save ARCHIVE TAG TAR...: a `docker save` archive (the pre-OCI format:
# manifest.json, the config named <digest>.json, <id>/layer.tar) of those layers.
docker_save() {
	local archive=$1 tag=$2 dir t i=0 ids="" paths="" hex
	shift 2
	dir=$(mktemp -d)
	for t in "$@"; do
		i=$((i + 1))
		mkdir "$dir/layer$i"
		cp "$t" "$dir/layer$i/layer.tar"
		ids="$ids${ids:+,}\"sha256:$(sha256 "$t")\""
		paths="$paths${paths:+,}\"layer$i/layer.tar\""
	done
	printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/bin/echo"],"Cmd":["from docker save"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
		"$ids" >"$dir/config"
	hex=$(sha256 "$dir/config")
	mv "$dir/config" "$dir/$hex.json"
	printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":[%s]}]' "$hex" "$tag" "$paths" >"$dir/manifest.json"
	tar -cf "$archive" -C "$dir" .
	rm -rf "$dir"
}

# tar_header NAME SIZE TYPE: one 512-byte ustar header with a valid checksum.
tar_header() {
	local name=$1 size=$2 type=$3 f sum
	f=$(mktemp)
	{
		printf '%s' "$name"
		head -c $((100 - ${#name})) /dev/zero
		printf '%07o\0%07o\0%07o\0%011o\0%011o\0' 420 0 0 "$size" 0
		printf '        %s' "$type"
		head -c 100 /dev/zero
		printf 'ustar\0%s' 00
		head -c 247 /dev/zero
	} >"$f"
	sum=$(od -An -tu1 -v "$f" | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s }')
	printf '%06o\0 ' "$sum" | dd of="$f" bs=1 seek=148 conv=notrunc status=none
	cat "$f"
	rm -f "$f"
}

# The digest of a layout's only manifest, and the manifest's JSON.
manifest_of() { sed 's/.*"digest":"sha256:\([0-9a-f]*\)".*/\1/' "$1/index.json"; }

# largest_blob LAYOUT: the hex name of the largest blob (the base layer, here).
largest_blob() {
	find "$1/blobs/sha256" -type f -printf '%s %f\n' | sort -n | tail -n 1 | cut -d' ' -f2
}

# entries DIR: how many names DIR holds.
entries() { find "$1" -mindepth 1 -maxdepth 1 | wc -l; }
