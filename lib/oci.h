/* oci: the OCI image layout (image-spec v1.1), read and written.
 *
 * A layout is a directory: oci-layout (the version), index.json (the entry
 * point: a list of manifests, each named by a descriptor), and blobs/sha256/,
 * where every blob lives in a file named by the SHA-256 of its bytes. A
 * descriptor is {mediaType, digest, size}: it names a blob by its content, so
 * whoever holds a digest can check that what they got is what was meant. A
 * manifest lists the image's config and its layers (descriptors again); the
 * config says how to run the image and lists each layer's diff_id, the digest
 * of its uncompressed tar.
 *
 * The reader trusts nothing it has not checked: every blob is opened without
 * following links, must be a regular file of the descriptor's size, and is
 * hashed whole before its first byte is used. index.json is the one file with no
 * digest above it: like a tag, it says which manifest; the manifest's digest
 * says what that manifest is. A `docker save` archive (manifest.json, config
 * named by its digest, layer tars checked against the config's diff_ids) is
 * read into the same struct oci_image. */
#ifndef BOXSTEP_OCI_H
#define BOXSTEP_OCI_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

#define OCI_MT_INDEX "application/vnd.oci.image.index.v1+json"
#define OCI_MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_MT_CONFIG "application/vnd.oci.image.config.v1+json"
#define OCI_MT_LAYER "application/vnd.oci.image.layer.v1.tar"
#define OCI_MT_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define DOCKER_MT_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define DOCKER_MT_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define DOCKER_MT_CONFIG "application/vnd.docker.container.image.v1+json"
#define DOCKER_MT_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define DOCKER_MT_LAYER "application/vnd.docker.image.rootfs.diff.tar"
#define OCI_REF_NAME "org.opencontainers.image.ref.name"

#define OCI_JSON_MAX (4 * 1024 * 1024) /* manifests, configs, indexes */

struct oci_desc {
	char media_type[128];
	char digest[72];   /* "sha256:" and 64 lowercase hex digits */
	uint64_t size;
	char ref[256];     /* the org.opencontainers.image.ref.name annotation, or "" */
	char platform[96]; /* "linux/amd64", "linux/arm64/v8", or "" */
};

/* 0 when digest is "sha256:" and 64 lowercase hex digits; -1 with fail(). */
int oci_digest_check(const char *digest);
/* Opens path (relative, no ".." ) below dir without following any link: a link
 * on the way is refused. flags as for openat (O_NOFOLLOW and O_CLOEXEC added). */
int open_nofollow(int dir, const char *path, int flags);
/* A small file (up to max bytes) read whole, NUL-terminated; NULL with fail(). */
char *read_small(int dir, const char *path, size_t max, size_t *len);

/* The blob d names, opened and checked: a regular file of d->size bytes whose
 * SHA-256 is d->digest (read whole once). Returns a descriptor at offset 0. */
int oci_blob_open(int layout, const struct oci_desc *d);
/* A JSON blob, checked the same way, then parsed. what names it for messages. */
struct json *oci_blob_json(int layout, const struct oci_desc *d, const char *what);

struct oci_image {
	struct oci_desc manifest, config;
	size_t nlayers;
	struct oci_desc *layers;  /* bottom first, as in the manifest */
	char (*diff_ids)[72];     /* the config's rootfs.diff_ids */
	char **layer_paths;       /* docker save: each layer's file; NULL for a layout */
	struct json *config_json;
};

/* Picks one image of a layout: by ref (the ref.name annotation; NULL: any) and
 * platform ("os/arch[/variant]"; NULL: the host's when the index offers several),
 * going into nested indexes, or by the digest of its manifest (pinned: found in
 * blobs/ even when no ref names it any more); then reads and checks its manifest
 * and config. */
int oci_image_load(int layout, const char *ref, const char *platform, const char *digest, struct oci_image *img);
/* The same for the manifest.json of an unpacked `docker save` archive; ref
 * matches a RepoTags entry ("name:tag", or the tag alone). */
int docker_image_load(int dir, const char *ref, struct oci_image *img);
void oci_image_free(struct oci_image *img);
/* Is this layer media type gzip-compressed (1), plain (0), or unknown (-1, with
 * fail() naming it)? */
int oci_layer_compression(const char *media_type);

/* "linux/amd64" for this machine, in Go's (and OCI's) architecture names. */
void oci_host_platform(char *buf, size_t size);

/* Writing: oci-layout and blobs/sha256/ in dir (an existing layout is kept). */
int oci_layout_create(int dir);
/* A blob from memory, stored under its digest; d gets media type, digest, size. */
int oci_blob_put(int layout, const void *data, size_t len, const char *media_type, struct oci_desc *d);
/* A blob written as a stream: a temporary file in blobs/sha256/ (its name in
 * tmp), then oci_blob_commit renames it to its digest. */
int oci_blob_tmp(int layout, char *tmp, size_t size);
int oci_blob_commit(int layout, const char *tmp, const char *digest);
/* How to run an image: the "config" object of its config. */
struct oci_run_config {
	const char *const *entrypoint, *const *cmd, *const *env;
	size_t nentrypoint, ncmd, nenv;
	const char *workdir, *user;
	int64_t created;      /* seconds since 1970, or 0 for no "created" field */
	const char *platform; /* "linux/amd64" */
};
/* Writes the config blob (os, architecture, config, rootfs.diff_ids). */
int oci_put_config(int layout, const struct oci_run_config *rc, char (*diff_ids)[72], size_t n, struct oci_desc *d);
/* Writes the manifest blob: the config and the layers, bottom first. */
int oci_put_manifest(int layout, const struct oci_desc *config, const struct oci_desc *layers, size_t n,
		     struct oci_desc *d);
/* Adds the manifest to index.json, replacing an entry with the same ref. */
int oci_index_add(int layout, const struct oci_desc *manifest);

#endif
