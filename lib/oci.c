/* oci: image layouts and docker save archives. See oci.h. */
#include "oci.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sha256.h"

/* ---- files ---- */

int oci_digest_check(const char *digest)
{
	const char *colon = strchr(digest, ':');
	if (!colon)
		return fail("digest '%s' has no algorithm (expected sha256:<64 hex digits>)", digest);
	if (strncmp(digest, "sha256:", 7))
		return fail("digest '%s': algorithm '%.*s' is not supported (sha256 is)", digest, (int)(colon - digest), digest);
	const char *hex = digest + 7;
	size_t n = strspn(hex, "0123456789abcdef");
	if (n != 64 || hex[n])
		return fail("digest '%s': expected 64 lowercase hex digits after sha256:", digest);
	return 0;
}

int open_nofollow(int dir, const char *path, int flags)
{
	int fd = fcntl(dir, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return fail_sys("dup");
	for (const char *p = path; *p;) {
		char comp[256];
		size_t len = strcspn(p, "/");
		int last = !p[len] || !p[len + 1];
		if (len >= sizeof comp || (len == 2 && !memcmp(p, "..", 2))) {
			close(fd);
			return fail("%s: not a plain relative path", path);
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		int next = len == 0 || (len == 1 && comp[0] == '.')
				   ? fcntl(fd, F_DUPFD_CLOEXEC, 0)
				   : openat(fd, comp, (last ? flags : O_RDONLY | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC, 0644);
		int err = errno;
		close(fd);
		if (next < 0) {
			errno = err;
			if (err == ELOOP)
				return fail("%s: '%.*s' is a symbolic link: refused", path, (int)(p - path + len), path);
			return fail_sys("%s", path);
		}
		fd = next;
		p += len;
		if (*p)
			p++;
	}
	return fd;
}

char *read_small(int dir, const char *path, size_t max, size_t *len)
{
	struct stat st;
	int fd = open_nofollow(dir, path, O_RDONLY);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		if (S_ISREG(st.st_mode))
			fail("%s: %lld bytes, more than the %zu accepted", path, (long long)st.st_size, max);
		else
			fail("%s: not a regular file", path);
		return NULL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (buf && got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (!buf || got != (size_t)st.st_size) {
		free(buf);
		fail("%s: short read", path);
		return NULL;
	}
	buf[got] = '\0';
	*len = got;
	return buf;
}

static struct json *parse_text(const char *text, size_t len, const char *what)
{
	char err[256];
	struct json *j = json_parse(text, len, err, sizeof err);
	if (!j)
		fail("%s:%s", what, err);
	return j;
}

static struct json *read_json_file(int dir, const char *path)
{
	size_t len;
	char *text = read_small(dir, path, OCI_JSON_MAX, &len);
	if (!text)
		return NULL;
	struct json *j = parse_text(text, len, path);
	free(text);
	return j;
}

/* ---- blobs ---- */

static void blob_path(const char *digest, char *out, size_t size)
{
	snprintf(out, size, "blobs/sha256/%s", digest + 7);
}

int oci_blob_open(int layout, const struct oci_desc *d)
{
	char path[128], found[72];
	struct stat st;
	unsigned char buf[65536], sum[32];
	struct sha256 sha;
	if (oci_digest_check(d->digest) < 0)
		return -1;
	blob_path(d->digest, path, sizeof path);
	int fd = open_nofollow(layout, path, O_RDONLY);
	if (fd < 0)
		return fail_prefix("blob %s", d->digest);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail("blob %s: not a regular file", d->digest);
	}
	if ((uint64_t)st.st_size != d->size) {
		close(fd);
		return fail("%s: size mismatch: the descriptor says %" PRIu64 " bytes, the file has %lld", path,
			    d->size, (long long)st.st_size);
	}
	sha256_init(&sha);
	for (ssize_t n; (n = read(fd, buf, sizeof buf)) != 0;) {
		if (n < 0) {
			close(fd);
			return fail_sys("blob %s: read", d->digest);
		}
		sha256_update(&sha, buf, (size_t)n);
	}
	sha256_final(&sha, sum);
	memcpy(found, "sha256:", 7);
	sha256_hex(sum, found + 7);
	if (strcmp(found, d->digest)) {
		close(fd);
		return fail("%s: digest mismatch: expected %s, found %s", path, d->digest, found);
	}
	trace_comment("blob %s: %" PRIu64 " bytes, digest verified", d->digest, d->size);
	if (lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return fail_sys("lseek");
	}
	return fd;
}

struct json *oci_blob_json(int layout, const struct oci_desc *d, const char *what)
{
	if (d->size > OCI_JSON_MAX) {
		fail("%s %s: %" PRIu64 " bytes, more than the %d accepted", what, d->digest, d->size, OCI_JSON_MAX);
		return NULL;
	}
	int fd = oci_blob_open(layout, d);
	if (fd < 0)
		return NULL;
	char *text = malloc((size_t)d->size + 1);
	size_t got = 0;
	while (text && got < d->size) {
		ssize_t r = read(fd, text + got, (size_t)d->size - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (!text || got != d->size) {
		free(text);
		fail("%s %s: short read", what, d->digest);
		return NULL;
	}
	char name[128];
	snprintf(name, sizeof name, "%s %.19s", what, d->digest);
	struct json *j = parse_text(text, got, name);
	free(text);
	return j;
}

/* ---- reading JSON documents, naming the path of what is wrong ---- */

static const struct json *member(const struct json *obj, const char *key, enum json_type t, int required,
				 const char *doc, const char *path)
{
	const struct json *m = json_get(obj, key);
	if (!m) {
		if (required)
			fail("%s: %s%s%s: missing", doc, path, *path ? "." : "", key);
		return NULL;
	}
	if (m->type != t) {
		fail("%s: %s%s%s (line %u): expected %s, found %s", doc, path, *path ? "." : "", key, m->line,
		     json_type_name(t), json_type_name(m->type));
		return NULL;
	}
	return m;
}

static int copy_str(char *dst, size_t size, const struct json *s, const char *doc, const char *path, const char *key)
{
	if (s->len >= size)
		return fail("%s: %s.%s: too long", doc, path, key);
	memcpy(dst, s->text, s->len + 1);
	return 0;
}

static int parse_desc(const struct json *j, const char *doc, const char *path, struct oci_desc *d)
{
	const struct json *m;
	memset(d, 0, sizeof *d);
	if (j->type != JSON_OBJECT)
		return fail("%s: %s: expected an object (a descriptor), found %s", doc, path, json_type_name(j->type));
	if (!(m = member(j, "mediaType", JSON_STRING, 1, doc, path)) ||
	    copy_str(d->media_type, sizeof d->media_type, m, doc, path, "mediaType") < 0)
		return -1;
	if (!(m = member(j, "digest", JSON_STRING, 1, doc, path)) ||
	    copy_str(d->digest, sizeof d->digest, m, doc, path, "digest") < 0)
		return fail("%s: %s.digest: missing or not a string", doc, path);
	if (oci_digest_check(d->digest) < 0)
		return fail_prefix("%s: %s.digest", doc, path);
	if (!(m = member(j, "size", JSON_NUMBER, 1, doc, path)))
		return -1;
	if (json_uint64(m, &d->size) < 0)
		return fail("%s: %s.size: expected a whole number of bytes, found %s", doc, path, m->text);
	const struct json *ann = member(j, "annotations", JSON_OBJECT, 0, doc, path);
	if (!ann && json_get(j, "annotations"))
		return -1;
	const char *ref = json_str(json_get(ann, OCI_REF_NAME));
	if (ref)
		snprintf(d->ref, sizeof d->ref, "%s", ref);
	const struct json *plat = member(j, "platform", JSON_OBJECT, 0, doc, path);
	if (plat) {
		const char *os = json_str(json_get(plat, "os")), *arch = json_str(json_get(plat, "architecture"));
		const char *variant = json_str(json_get(plat, "variant"));
		if (!os || !arch)
			return fail("%s: %s.platform: os and architecture are required strings", doc, path);
		snprintf(d->platform, sizeof d->platform, "%s/%s%s%s", os, arch, variant ? "/" : "", variant ? variant : "");
	}
	return 0;
}

/* ---- platforms ---- */

void oci_host_platform(char *buf, size_t size)
{
	static const char *const names[][2] = {
		{ "x86_64", "amd64" }, { "aarch64", "arm64" }, { "i686", "386" }, { "i386", "386" },
		{ "armv7l", "arm/v7" }, { "armv6l", "arm/v6" }, { "ppc64le", "ppc64le" }, { "s390x", "s390x" },
		{ "riscv64", "riscv64" },
	};
	struct utsname u;
	const char *arch = "unknown";
	if (uname(&u) == 0) {
		arch = u.machine;
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (!strcmp(u.machine, names[i][0]))
				arch = names[i][1];
	}
	snprintf(buf, size, "linux/%s", arch);
}

/* "linux/arm64" matches "linux/arm64/v8": a variant, when asked for, must match. */
static int platform_matches(const char *want, const char *have)
{
	size_t n = strlen(want);
	int want_variant = strchr(want, '/') && strchr(strchr(want, '/') + 1, '/');
	return !strncmp(want, have, n) && (have[n] == '\0' || (have[n] == '/' && !want_variant));
}

/* ---- choosing the image of a layout ---- */

struct candidates {
	struct oci_desc *d;
	size_t n;
};

static int add_candidate(struct candidates *c, const struct oci_desc *d)
{
	if (c->n >= 4096)
		return fail("index: more than 4096 manifests");
	struct oci_desc *more = realloc(c->d, (c->n + 1) * sizeof *more);
	if (!more)
		return fail("out of memory");
	c->d = more;
	c->d[c->n++] = *d;
	return 0;
}

static int is_index(const char *mt) { return !strcmp(mt, OCI_MT_INDEX) || !strcmp(mt, DOCKER_MT_LIST); }
static int is_manifest(const char *mt) { return !strcmp(mt, OCI_MT_MANIFEST) || !strcmp(mt, DOCKER_MT_MANIFEST); }

/* The manifests an index lists, nested indexes opened (each checked by digest);
 * an entry inherits the ref of the index entry that led to it. */
static int collect(int layout, const struct json *index, const char *doc, const char *inherited_ref, int depth,
		   struct candidates *c)
{
	const struct json *sv = member(index, "schemaVersion", JSON_NUMBER, 1, doc, "");
	uint64_t v;
	if (!sv)
		return -1;
	if (json_uint64(sv, &v) < 0 || v != 2)
		return fail("%s: schemaVersion %s is not supported (2 is)", doc, sv->text);
	const struct json *list = member(index, "manifests", JSON_ARRAY, 1, doc, "");
	if (!list)
		return -1;
	for (size_t i = 0; i < list->n; i++) {
		struct oci_desc d;
		char path[32];
		snprintf(path, sizeof path, "manifests[%zu]", i);
		if (parse_desc(list->items[i], doc, path, &d) < 0)
			return -1;
		if (!d.ref[0] && inherited_ref)
			snprintf(d.ref, sizeof d.ref, "%s", inherited_ref);
		if (is_index(d.media_type)) {
			if (depth >= 4)
				return fail("%s: indexes nested more than 4 deep", doc);
			struct json *sub = oci_blob_json(layout, &d, "index");
			if (!sub)
				return -1;
			char subdoc[96];
			snprintf(subdoc, sizeof subdoc, "index %.19s", d.digest);
			int r = collect(layout, sub, subdoc, d.ref[0] ? d.ref : NULL, depth + 1, c);
			json_free(sub);
			if (r < 0)
				return -1;
		} else if (is_manifest(d.media_type)) {
			if (add_candidate(c, &d) < 0)
				return -1;
		}
		/* anything else (signatures, attestations, artifacts) is not an image */
	}
	return 0;
}

static void list_candidates(const struct candidates *c, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < c->n && n + 1 < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s%s%s%s", i ? ", " : "", c->d[i].ref[0] ? c->d[i].ref : "(no ref)",
				      c->d[i].platform[0] ? " [" : "", c->d[i].platform, c->d[i].platform[0] ? "]" : "");
}

/* A manifest named by its digest: listed in the index, or only in blobs/ (a ref
 * that moved on leaves its old manifest there). */
static int pinned(int layout, const struct candidates *all, const char *digest, struct oci_desc *out)
{
	char path[128];
	struct stat st;
	if (oci_digest_check(digest) < 0)
		return -1;
	for (size_t i = 0; i < all->n; i++)
		if (!strcmp(all->d[i].digest, digest)) {
			*out = all->d[i];
			return 0;
		}
	blob_path(digest, path, sizeof path);
	if (fstatat(layout, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail("no manifest %s in index.json or in blobs/", digest);
	memset(out, 0, sizeof *out);
	snprintf(out->media_type, sizeof out->media_type, "%s", OCI_MT_MANIFEST);
	snprintf(out->digest, sizeof out->digest, "%s", digest);
	out->size = (uint64_t)st.st_size; /* the digest check is what counts */
	trace_comment("%s: no ref names it in index.json; read from blobs/ by its digest", digest);
	return 0;
}

static int choose(int layout, const char *ref, const char *platform, const char *digest, struct oci_desc *out)
{
	struct candidates all = { 0 }, c = { 0 };
	char names[512], host[64];
	int ret = -1;
	struct json *index = read_json_file(layout, "index.json");
	if (!index)
		return -1;
	if (collect(layout, index, "index.json", NULL, 0, &all) < 0)
		goto out;
	if (digest) {
		ret = pinned(layout, &all, digest, out);
		goto out;
	}
	for (size_t i = 0; i < all.n; i++)
		if (!ref || !strcmp(all.d[i].ref, ref))
			if (add_candidate(&c, &all.d[i]) < 0)
				goto out;
	list_candidates(&all, names, sizeof names);
	if (!all.n) {
		fail("index.json lists no image manifest");
		goto out;
	}
	if (!c.n) {
		fail("no image with ref '%s' in index.json (it has: %s)", ref, names);
		goto out;
	}
	if (c.n > 1 || platform) {
		oci_host_platform(host, sizeof host);
		const char *want = platform ? platform : host;
		size_t kept = 0;
		for (size_t i = 0; i < c.n; i++)
			if (!c.d[i].platform[0] || platform_matches(want, c.d[i].platform))
				c.d[kept++] = c.d[i];
		if (!kept) {
			fail("no image for platform %s in index.json (it has: %s)", want, names);
			goto out;
		}
		c.n = kept;
	}
	if (c.n > 1) {
		list_candidates(&c, names, sizeof names);
		fail("index.json lists %zu images: pick one with --ref%s (%s)", c.n, ref ? " and --platform" : "", names);
		goto out;
	}
	*out = c.d[0];
	ret = 0;
out:
	json_free(index);
	free(all.d);
	free(c.d);
	return ret;
}

int oci_layer_compression(const char *mt)
{
	if (!strcmp(mt, OCI_MT_LAYER) || !strcmp(mt, DOCKER_MT_LAYER))
		return 0;
	if (!strcmp(mt, OCI_MT_LAYER_GZIP) || !strcmp(mt, DOCKER_MT_LAYER_GZIP))
		return 1;
	if (strstr(mt, "zstd"))
		return fail("layer media type %s: zstd is not supported (skopeo copy --dest-compress-format gzip converts it)", mt);
	if (strstr(mt, "nondistributable") || strstr(mt, "foreign"))
		return fail("layer media type %s: a layer kept outside the image (Windows base layers) is not supported", mt);
	return fail("layer media type %s is not a layer boxstep can unpack", mt);
}

/* rootfs.diff_ids of a config: one per layer. */
static int config_diff_ids(struct oci_image *img, const char *doc)
{
	const struct json *c = img->config_json, *rootfs, *ids, *t;
	if (c->type != JSON_OBJECT)
		return fail("%s: expected an object, found %s", doc, json_type_name(c->type));
	const char *os = json_str(json_get(c, "os"));
	if (os && strcmp(os, "linux"))
		return fail("%s: the image is for %s, not linux", doc, os);
	if (!(rootfs = member(c, "rootfs", JSON_OBJECT, 1, doc, "")) ||
	    !(t = member(rootfs, "type", JSON_STRING, 1, doc, "rootfs")) ||
	    !(ids = member(rootfs, "diff_ids", JSON_ARRAY, 1, doc, "rootfs")))
		return -1;
	if (strcmp(t->text, "layers"))
		return fail("%s: rootfs.type is '%s', expected 'layers'", doc, t->text);
	if (ids->n != img->nlayers)
		return fail("%s: rootfs.diff_ids lists %zu layers, the manifest %zu", doc, ids->n, img->nlayers);
	img->diff_ids = calloc(ids->n + 1, sizeof *img->diff_ids);
	if (!img->diff_ids)
		return fail("out of memory");
	for (size_t i = 0; i < ids->n; i++) {
		const char *s = json_str(ids->items[i]);
		if (!s || strlen(s) >= sizeof img->diff_ids[i] || oci_digest_check(s) < 0)
			return fail("%s: rootfs.diff_ids[%zu]: expected a sha256 digest", doc, i);
		snprintf(img->diff_ids[i], sizeof img->diff_ids[i], "%s", s);
	}
	return 0;
}

int oci_image_load(int layout, const char *ref, const char *platform, const char *digest, struct oci_image *img)
{
	char doc[96];
	memset(img, 0, sizeof *img);
	struct json *lay = read_json_file(layout, "oci-layout");
	if (!lay)
		return fail_prefix("not an OCI image layout");
	const char *version = json_str(json_get(lay, "imageLayoutVersion"));
	if (!version) {
		json_free(lay);
		return fail("oci-layout: imageLayoutVersion: missing or not a string");
	}
	if (strcmp(version, "1.0.0"))
		trace_comment("oci-layout: imageLayoutVersion %s (1.0.0 expected)", version);
	json_free(lay);
	if (choose(layout, ref, platform, digest, &img->manifest) < 0)
		return -1;
	struct json *m = oci_blob_json(layout, &img->manifest, "manifest");
	if (!m)
		return -1;
	snprintf(doc, sizeof doc, "manifest %.19s", img->manifest.digest);
	int ret = -1;
	const struct json *sv = member(m, "schemaVersion", JSON_NUMBER, 1, doc, "");
	const struct json *mt = json_get(m, "mediaType"), *cfg, *layers;
	uint64_t v;
	if (!sv)
		goto out;
	if (json_uint64(sv, &v) < 0 || v != 2) {
		fail("%s: schemaVersion %s is not supported (2 is)", doc, sv->text);
		goto out;
	}
	if (mt && (mt->type != JSON_STRING || !is_manifest(mt->text))) {
		fail("%s: mediaType %s is not an image manifest", doc, mt->type == JSON_STRING ? mt->text : "(not a string)");
		goto out;
	}
	if (!(cfg = member(m, "config", JSON_OBJECT, 1, doc, "")) || parse_desc(cfg, doc, "config", &img->config) < 0 ||
	    !(layers = member(m, "layers", JSON_ARRAY, 1, doc, "")))
		goto out;
	if (strcmp(img->config.media_type, OCI_MT_CONFIG) && strcmp(img->config.media_type, DOCKER_MT_CONFIG)) {
		fail("%s: config.mediaType %s: not a container image (an artifact?)", doc, img->config.media_type);
		goto out;
	}
	img->layers = calloc(layers->n + 1, sizeof *img->layers);
	if (!img->layers) {
		fail("out of memory");
		goto out;
	}
	img->nlayers = layers->n;
	for (size_t i = 0; i < layers->n; i++) {
		char path[32];
		snprintf(path, sizeof path, "layers[%zu]", i);
		if (parse_desc(layers->items[i], doc, path, &img->layers[i]) < 0 ||
		    oci_layer_compression(img->layers[i].media_type) < 0)
			goto out;
	}
	img->config_json = oci_blob_json(layout, &img->config, "config");
	snprintf(doc, sizeof doc, "config %.19s", img->config.digest);
	if (!img->config_json || config_diff_ids(img, doc) < 0)
		goto out;
	ret = 0;
out:
	json_free(m);
	if (ret < 0)
		oci_image_free(img);
	return ret;
}

/* ---- docker save ---- */

static int file_digest(int dir, const char *path, char out[72], uint64_t *size)
{
	unsigned char buf[65536], sum[32];
	struct sha256 sha;
	int fd = open_nofollow(dir, path, O_RDONLY);
	if (fd < 0)
		return -1;
	sha256_init(&sha);
	*size = 0;
	for (ssize_t n; (n = read(fd, buf, sizeof buf)) != 0; *size += (uint64_t)n) {
		if (n < 0) {
			close(fd);
			return fail_sys("read(\"%s\")", path);
		}
		sha256_update(&sha, buf, (size_t)n);
	}
	close(fd);
	sha256_final(&sha, sum);
	memcpy(out, "sha256:", 7);
	sha256_hex(sum, out + 7);
	return 0;
}

/* "docker.io/library/busybox:1" is "busybox:1": Docker's default registry and
 * namespace are left out of names. */
static const char *short_name(const char *n)
{
	if (!strncmp(n, "docker.io/", 10))
		n += 10;
	if (!strncmp(n, "library/", 8))
		n += 8;
	return n;
}

static int ref_matches(const struct json *tags, const char *ref)
{
	for (size_t i = 0; tags && i < tags->n; i++) {
		const char *t = json_str(tags->items[i]), *colon = t ? strrchr(t, ':') : NULL;
		if (t && (!strcmp(short_name(t), short_name(ref)) || (colon && !strcmp(colon + 1, ref))))
			return 1;
	}
	return 0;
}

int docker_image_load(int dir, const char *ref, struct oci_image *img)
{
	const char *doc = "manifest.json";
	memset(img, 0, sizeof *img);
	struct json *m = read_json_file(dir, doc);
	const struct json *entry = NULL, *cfg, *layers;
	int ret = -1;
	if (!m)
		return fail_prefix("not a docker save archive");
	if (m->type != JSON_ARRAY || !m->n) {
		fail("%s: expected a non-empty array", doc);
		goto out;
	}
	for (size_t i = 0; i < m->n; i++)
		if (!ref || ref_matches(json_get(m->items[i], "RepoTags"), ref)) {
			if (entry) {
				fail("%s lists several images%s: pick one with --ref NAME:TAG", doc, ref ? " with that ref" : "");
				goto out;
			}
			entry = m->items[i];
		}
	if (!entry) {
		fail("%s: no image tagged '%s'", doc, ref);
		goto out;
	}
	if (!(cfg = member(entry, "Config", JSON_STRING, 1, doc, "[]")) ||
	    !(layers = member(entry, "Layers", JSON_ARRAY, 1, doc, "[]")))
		goto out;
	/* The config file is named by its digest: "<hex>.json" or "blobs/sha256/<hex>". */
	const char *base = strrchr(cfg->text, '/') ? strrchr(cfg->text, '/') + 1 : cfg->text;
	snprintf(img->config.digest, sizeof img->config.digest, "sha256:%.64s", base);
	if (oci_digest_check(img->config.digest) < 0 || (strlen(base) != 64 && strcmp(base + 64, ".json"))) {
		fail("%s: Config '%s' is not named by its sha256 digest", doc, cfg->text);
		goto out;
	}
	char found[72];
	if (file_digest(dir, cfg->text, found, &img->config.size) < 0)
		goto out;
	if (strcmp(found, img->config.digest)) {
		fail("config %s: digest mismatch: expected %s, found %s (the file was changed or corrupted)", cfg->text,
		     img->config.digest, found);
		goto out;
	}
	snprintf(img->config.media_type, sizeof img->config.media_type, "%s", DOCKER_MT_CONFIG);
	size_t len;
	char *text = read_small(dir, cfg->text, OCI_JSON_MAX, &len);
	img->config_json = text ? parse_text(text, len, cfg->text) : NULL;
	free(text);
	if (!img->config_json)
		goto out;
	img->nlayers = layers->n;
	img->layers = calloc(layers->n + 1, sizeof *img->layers);
	img->layer_paths = calloc(layers->n + 1, sizeof *img->layer_paths);
	if (!img->layers || !img->layer_paths) {
		fail("out of memory");
		goto out;
	}
	if (config_diff_ids(img, cfg->text) < 0)
		goto out;
	for (size_t i = 0; i < layers->n; i++) {
		const char *p = json_str(layers->items[i]);
		if (!p || !(img->layer_paths[i] = strdup(p))) {
			fail("%s: Layers[%zu]: expected a path", doc, i);
			goto out;
		}
		/* a layer tar is checked against its diff_id (the digest of the tar) */
		struct oci_desc *d = &img->layers[i];
		snprintf(d->media_type, sizeof d->media_type, "%s", DOCKER_MT_LAYER);
		snprintf(d->digest, sizeof d->digest, "%s", img->diff_ids[i]);
	}
	ret = 0;
out:
	json_free(m);
	if (ret < 0)
		oci_image_free(img);
	return ret;
}

void oci_image_free(struct oci_image *img)
{
	for (size_t i = 0; img->layer_paths && i < img->nlayers; i++)
		free(img->layer_paths[i]);
	free(img->layer_paths);
	free(img->layers);
	free(img->diff_ids);
	json_free(img->config_json);
	memset(img, 0, sizeof *img);
}

/* ---- writing ---- */

/* write(2) until len bytes are written: 0, or -1 with errno. */
static int write_fd_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0)
			return -1;
		p += w, len -= (size_t)w;
	}
	return 0;
}

static int write_all_at(int dir, const char *name, const void *data, size_t len)
{
	char tmp[64];
	snprintf(tmp, sizeof tmp, ".%s.tmp-%d", name, (int)getpid());
	int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail_sys("openat(\"%s\")", tmp);
	if (write_fd_all(fd, data, len) < 0) {
		close(fd);
		unlinkat(dir, tmp, 0);
		return fail_sys("write(\"%s\")", name);
	}
	if (close(fd) < 0 || trace_call(renameat(dir, tmp, dir, name), "rename(\"%s\", \"%s\")", tmp, name) < 0) {
		unlinkat(dir, tmp, 0);
		return fail_sys("rename(\"%s\")", name);
	}
	return 0;
}

int oci_layout_create(int dir)
{
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	struct stat st;
	if (fstatat(dir, "oci-layout", &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return fail_sys("oci-layout");
		if (write_all_at(dir, "oci-layout", layout, strlen(layout)) < 0)
			return -1;
	}
	if (mkdirat(dir, "blobs", 0755) < 0 && errno != EEXIST)
		return fail_sys("mkdir(\"blobs\")");
	int blobs = open_nofollow(dir, "blobs", O_RDONLY | O_DIRECTORY);
	if (blobs < 0)
		return -1;
	int r = mkdirat(blobs, "sha256", 0755) < 0 && errno != EEXIST ? fail_sys("mkdir(\"blobs/sha256\")") : 0;
	close(blobs);
	return r;
}

int oci_blob_tmp(int layout, char *tmp, size_t size)
{
	static unsigned n;
	snprintf(tmp, size, "blobs/sha256/.tmp-%d-%u", (int)getpid(), n++);
	int dir = open_nofollow(layout, "blobs/sha256", O_RDONLY | O_DIRECTORY);
	if (dir < 0)
		return -1;
	int fd = openat(dir, tmp + 13, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	close(dir);
	return fd < 0 ? fail_sys("openat(\"%s\")", tmp) : fd;
}

int oci_blob_commit(int layout, const char *tmp, const char *digest)
{
	char path[128];
	blob_path(digest, path, sizeof path);
	/* the same digest is the same bytes: an existing blob is kept */
	if (trace_call(renameat(layout, tmp, layout, path), "rename(\"%s\", \"%s\")", tmp, path) < 0) {
		int err = errno;
		unlinkat(layout, tmp, 0);
		errno = err;
		return fail_sys("rename(\"%s\", \"%s\")", tmp, path);
	}
	return 0;
}

int oci_blob_put(int layout, const void *data, size_t len, const char *media_type, struct oci_desc *d)
{
	char tmp[96], hex[65];
	memset(d, 0, sizeof *d);
	snprintf(d->media_type, sizeof d->media_type, "%s", media_type);
	sha256_hex_of(data, len, hex);
	snprintf(d->digest, sizeof d->digest, "sha256:%s", hex);
	d->size = len;
	int fd = oci_blob_tmp(layout, tmp, sizeof tmp);
	if (fd < 0)
		return -1;
	if (write_fd_all(fd, data, len) < 0) {
		close(fd);
		unlinkat(layout, tmp, 0);
		return fail_sys("write(\"%s\")", tmp);
	}
	close(fd);
	return oci_blob_commit(layout, tmp, d->digest);
}

static void write_desc(struct json_writer *w, const struct oci_desc *d)
{
	jw_object(w);
	jw_key(w, "mediaType");
	jw_string(w, d->media_type);
	jw_key(w, "digest");
	jw_string(w, d->digest);
	jw_key(w, "size");
	jw_uint(w, d->size);
	if (d->platform[0]) {
		char os[96];
		snprintf(os, sizeof os, "%s", d->platform);
		char *arch = strchr(os, '/'), *variant = arch ? strchr(arch + 1, '/') : NULL;
		if (arch)
			*arch++ = '\0';
		if (variant)
			*variant++ = '\0';
		jw_key(w, "platform");
		jw_object(w);
		jw_key(w, "architecture");
		jw_string(w, arch ? arch : "");
		jw_key(w, "os");
		jw_string(w, os);
		if (variant) {
			jw_key(w, "variant");
			jw_string(w, variant);
		}
		jw_end(w);
	}
	if (d->ref[0]) {
		jw_key(w, "annotations");
		jw_object(w);
		jw_key(w, OCI_REF_NAME);
		jw_string(w, d->ref);
		jw_end(w);
	}
	jw_end(w);
}

int oci_index_add(int layout, const struct oci_desc *manifest)
{
	struct json *old = NULL;
	struct stat st;
	if (fstatat(layout, "index.json", &st, AT_SYMLINK_NOFOLLOW) == 0) {
		old = read_json_file(layout, "index.json");
		if (!old)
			return -1;
	}
	const struct json *list = old ? member(old, "manifests", JSON_ARRAY, 1, "index.json", "") : NULL;
	if (old && !list) {
		json_free(old);
		return -1;
	}
	struct json_writer w;
	json_writer_init(&w);
	jw_object(&w);
	jw_key(&w, "schemaVersion");
	jw_uint(&w, 2);
	jw_key(&w, "mediaType");
	jw_string(&w, OCI_MT_INDEX);
	jw_key(&w, "manifests");
	jw_array(&w);
	for (size_t i = 0; list && i < list->n; i++) {
		const struct json *ann = json_get(list->items[i], "annotations");
		const char *ref = json_str(json_get(ann, OCI_REF_NAME));
		if (ref && manifest->ref[0] && !strcmp(ref, manifest->ref))
			continue; /* the ref moves to the new manifest, as a tag does */
		jw_value(&w, list->items[i]);
	}
	write_desc(&w, manifest);
	jw_end(&w);
	jw_end(&w);
	size_t len;
	char *text = json_writer_end(&w, &len);
	json_free(old);
	if (!text)
		return fail("index.json: could not write the JSON");
	int r = write_all_at(layout, "index.json", text, len);
	free(text);
	return r;
}

static int put_written(int layout, struct json_writer *w, const char *media_type, struct oci_desc *d)
{
	size_t len;
	char *text = json_writer_end(w, &len);
	if (!text)
		return fail("could not write the %s JSON", media_type);
	int r = oci_blob_put(layout, text, len, media_type, d);
	free(text);
	return r;
}

static void strings(struct json_writer *w, const char *key, const char *const *v, size_t n)
{
	jw_key(w, key);
	jw_array(w);
	for (size_t i = 0; i < n; i++)
		jw_string(w, v[i]);
	jw_end(w);
}

int oci_put_config(int layout, const struct oci_run_config *rc, char (*diff_ids)[72], size_t n, struct oci_desc *d)
{
	struct json_writer w;
	json_writer_init(&w);
	jw_object(&w);
	if (rc->created > 0) {
		char created[32];
		time_t t = (time_t)rc->created;
		struct tm tm;
		strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
		jw_key(&w, "created");
		jw_string(&w, created);
	}
	const char *arch = strchr(rc->platform, '/') ? strchr(rc->platform, '/') + 1 : rc->platform;
	char a[64];
	snprintf(a, sizeof a, "%.*s", (int)strcspn(arch, "/"), arch);
	jw_key(&w, "architecture");
	jw_string(&w, a);
	if (strchr(arch, '/')) {
		jw_key(&w, "variant");
		jw_string(&w, strchr(arch, '/') + 1);
	}
	jw_key(&w, "os");
	jw_string(&w, "linux");
	jw_key(&w, "config");
	jw_object(&w);
	if (rc->user) {
		jw_key(&w, "User");
		jw_string(&w, rc->user);
	}
	strings(&w, "Env", rc->env, rc->nenv);
	if (rc->nentrypoint)
		strings(&w, "Entrypoint", rc->entrypoint, rc->nentrypoint);
	if (rc->ncmd)
		strings(&w, "Cmd", rc->cmd, rc->ncmd);
	if (rc->workdir) {
		jw_key(&w, "WorkingDir");
		jw_string(&w, rc->workdir);
	}
	jw_end(&w);
	jw_key(&w, "rootfs");
	jw_object(&w);
	jw_key(&w, "type");
	jw_string(&w, "layers");
	jw_key(&w, "diff_ids");
	jw_array(&w);
	for (size_t i = 0; i < n; i++)
		jw_string(&w, diff_ids[i]);
	jw_end(&w);
	jw_end(&w);
	jw_end(&w);
	return put_written(layout, &w, OCI_MT_CONFIG, d);
}

int oci_put_manifest(int layout, const struct oci_desc *config, const struct oci_desc *layers, size_t n, struct oci_desc *d)
{
	struct json_writer w;
	struct oci_desc plain;
	json_writer_init(&w);
	jw_object(&w);
	jw_key(&w, "schemaVersion");
	jw_uint(&w, 2);
	jw_key(&w, "mediaType");
	jw_string(&w, OCI_MT_MANIFEST);
	jw_key(&w, "config");
	plain = *config;
	plain.ref[0] = plain.platform[0] = '\0';
	write_desc(&w, &plain);
	jw_key(&w, "layers");
	jw_array(&w);
	for (size_t i = 0; i < n; i++) {
		plain = layers[i];
		plain.ref[0] = plain.platform[0] = '\0';
		write_desc(&w, &plain);
	}
	jw_end(&w);
	jw_end(&w);
	return put_written(layout, &w, OCI_MT_MANIFEST, d);
}
