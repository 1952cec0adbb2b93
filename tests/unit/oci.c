/* lib/oci, lib/layer and lib/imgstore without the tools: a layout written and
 * read back (refs, pinned digests, a changed blob), layers unpacked from tars made
 * in memory (every escape refused, whiteouts converted), a tree packed and
 * unpacked the same, DEST's lower and config files. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "imgstore.h"
#include "layer.h"
#include "oci.h"
#include "tar.h"
#include "unit.h"

static char dir[] = "/tmp/boxstep-unit-oci.XXXXXX";
static int top;

struct item {
	const char *name, *link, *data;
	char type;
	unsigned maj, min;
};

/* A tar of the items, in memory. */
static struct buf_sink make_tar(const struct item *it, size_t n)
{
	struct buf_sink b;
	struct tar_writer w;
	buf_sink_init(&b);
	tar_writer_init(&w, &b.base, TAR_FORMAT_PAX);
	for (size_t i = 0; i < n; i++) {
		struct tar_entry e = { 0 };
		e.name = (char *)it[i].name;
		e.linkname = (char *)(it[i].link ? it[i].link : "");
		e.type = it[i].type;
		e.mode = it[i].type == TAR_DIR ? 0755 : 0644;
		e.mtime = 1700000000;
		e.devmajor = it[i].maj;
		e.devminor = it[i].min;
		e.size = it[i].data ? strlen(it[i].data) : 0;
		tar_write_header(&w, &e);
		if (it[i].data)
			tar_write_data(&w, it[i].data, e.size);
	}
	tar_finish(&w);
	return b;
}

/* Unpacks the items into a fresh directory NAME; returns layer_unpack's result. */
static int unpack(const char *name, const struct item *it, size_t n, int privileged)
{
	struct buf_sink b = make_tar(it, n);
	struct mem_source m;
	struct layer_stats st;
	struct layer_options o = { 1, privileged, 0 };
	mkdirat(top, name, 0755);
	int root = openat(top, name, O_RDONLY | O_DIRECTORY);
	mem_source_init(&m, b.data, b.len);
	int r = layer_unpack(root, name, &m.base, &o, &st);
	close(root);
	buf_sink_free(&b);
	return r;
}

static void refused(const char *name, const struct item *it, size_t n, int privileged, const char *why)
{
	CHECK(unpack(name, it, n, privileged) < 0);
	if (!strstr(fail_text(), why)) {
		unit_failures++;
		fprintf(stderr, "%s: expected a refusal with '%s', got '%s'\n", name, why, fail_text());
	}
}

static int exists(const char *path)
{
	struct stat st;
	return fstatat(top, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void escapes(void)
{
	mkdirat(top, "outside", 0755);
	const struct item dotdot[] = { { "a/../../outside/x", NULL, "x", TAR_REG, 0, 0 } };
	refused("l1", dotdot, 1, 0, "'..' would climb out of the layer");
	const struct item abs[] = { { "/etc/x", NULL, "x", TAR_REG, 0, 0 } };
	refused("l2", abs, 1, 0, "an absolute path");
	char through[64];
	snprintf(through, sizeof through, "%s/outside", dir);
	const struct item via[] = { { "link", through, NULL, TAR_SYMLINK, 0, 0 }, { "link/x", NULL, "pwned", TAR_REG, 0, 0 } };
	refused("l3", via, 2, 0, "'link' is a symbolic link or not a directory");
	CHECK(!exists("outside/x"));
	const struct item up[] = { { "a/b", "../../x", NULL, TAR_SYMLINK, 0, 0 } };
	refused("l4", up, 1, 0, "points outside the layer");
	const struct item hl[] = { { "h", "../outside", NULL, TAR_HARDLINK, 0, 0 } };
	refused("l5", hl, 1, 0, "'..' would climb out");
	const struct item hl2[] = { { "h", "nothing", NULL, TAR_HARDLINK, 0, 0 } };
	refused("l6", hl2, 1, 0, "not a file of this layer");
	const struct item dev[] = { { "null", NULL, NULL, TAR_CHR, 1, 3 } };
	refused("l7", dev, 1, 0, "device node (c 1:3): refused when not root");
	const struct item rootfile[] = { { ".", NULL, "x", TAR_REG, 0, 0 } };
	refused("l8", rootfile, 1, 0, "names the layer's root");

	/* what is fine: the root as "/" or "./", links that stay inside, absolute
	 * symlinks (resolved in the container's root), a hard link in the layer */
	const struct item ok[] = {
		{ "/", NULL, NULL, TAR_DIR, 0, 0 },		{ "./", NULL, NULL, TAR_DIR, 0, 0 },
		{ "a/b/c", "../x", NULL, TAR_SYMLINK, 0, 0 },	{ "sh", "/bin/busybox", NULL, TAR_SYMLINK, 0, 0 },
		{ "a/f", NULL, "data", TAR_REG, 0, 0 },		{ "a/g", "a/f", NULL, TAR_HARDLINK, 0, 0 },
		{ "a/f", NULL, "again", TAR_REG, 0, 0 },	{ "fifo", NULL, NULL, TAR_FIFO, 0, 0 },
	};
	CHECK(unpack("ok", ok, sizeof ok / sizeof ok[0], 0) == 0);
	struct stat f, g;
	CHECK(fstatat(top, "ok/a/b/c", &f, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(f.st_mode));
	CHECK(fstatat(top, "ok/a/g", &g, 0) == 0 && g.st_size == 4); /* the link kept the first file */
	CHECK(fstatat(top, "ok/a/f", &f, 0) == 0 && f.st_size == 5 && f.st_ino != g.st_ino);
	CHECK(fstatat(top, "ok/fifo", &f, AT_SYMLINK_NOFOLLOW) == 0 && S_ISFIFO(f.st_mode));
	CHECK(f.st_mtime == 1700000000);
}

static void whiteouts(void)
{
	const struct item wh[] = {
		{ "bin/", NULL, NULL, TAR_DIR, 0, 0 },		{ "bin/.wh.vi", NULL, "", TAR_REG, 0, 0 },
		{ "etc/.wh.passwd", NULL, "", TAR_REG, 0, 0 },	{ "etc/passwd", NULL, "mine", TAR_REG, 0, 0 },
		{ "x/.wh..wh.plnk", NULL, "", TAR_REG, 0, 0 },
	};
	CHECK(unpack("wh", wh, sizeof wh / sizeof wh[0], geteuid() == 0) == 0);
	struct stat st;
	CHECK(fstatat(top, "wh/bin/vi", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
	CHECK(!exists("wh/bin/.wh.vi"));
	/* a file after its own whiteout in the same layer replaces it */
	CHECK(fstatat(top, "wh/etc/passwd", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode));
	CHECK(!exists("wh/x/.wh..wh.plnk"));
	if (geteuid() != 0)
		return; /* trusted.* xattrs and devices need root */
	const struct item opq[] = { { "etc/", NULL, NULL, TAR_DIR, 0, 0 }, { "etc/.wh..wh..opq", NULL, "", TAR_REG, 0, 0 },
				    { "etc/motd", NULL, "hi", TAR_REG, 0, 0 }, { "null", NULL, NULL, TAR_CHR, 1, 3 } };
	CHECK(unpack("opq", opq, sizeof opq / sizeof opq[0], 1) == 0);
	char v[8] = "";
	char path[128];
	snprintf(path, sizeof path, "%s/opq/etc", dir);
	CHECK(lgetxattr(path, "trusted.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y');
	CHECK(!exists("opq/etc/.wh..wh..opq") && exists("opq/etc/motd"));
	CHECK(fstatat(top, "opq/null", &(struct stat){ 0 }, 0) == 0);
}

/* The tree of "ok" packed, then unpacked again, is the same tree. */
static void pack_roundtrip(void)
{
	char path[128];
	struct buf_sink b;
	struct tar_writer w;
	struct layer_stats st;
	struct pack_options po = { 0 };
	buf_sink_init(&b);
	tar_writer_init(&w, &b.base, TAR_FORMAT_PAX);
	snprintf(path, sizeof path, "%s/ok", dir);
	CHECK(layer_pack(path, &w, &po, &st) == 0 && tar_finish(&w) == 0);
	/* a/f was replaced after a/g linked to it: two files now, no link */
	CHECK(st.files == 2 && st.hardlinks == 0 && st.symlinks == 2 && st.fifos == 1);
	struct mem_source m;
	struct layer_options o = { 1, 0, 0 };
	mkdirat(top, "again", 0755);
	int root = openat(top, "again", O_RDONLY | O_DIRECTORY);
	mem_source_init(&m, b.data, b.len);
	CHECK(layer_unpack(root, "again", &m.base, &o, &st) == 0);
	close(root);
	char cmd[512];
	snprintf(cmd, sizeof cmd,
		 "cd %s && for d in ok again; do (cd $d && find . -mindepth 1 -printf '%%p %%y %%s %%m %%Ts %%l\\n' | sort) >$d.list; done && cmp ok.list again.list",
		 dir);
	CHECK(system(cmd) == 0);
	/* the same tree packs to the same bytes */
	struct buf_sink b2;
	buf_sink_init(&b2);
	tar_writer_init(&w, &b2.base, TAR_FORMAT_PAX);
	CHECK(layer_pack(path, &w, &po, &st) == 0 && tar_finish(&w) == 0);
	CHECK(b.len == b2.len && !memcmp(b.data, b2.data, b.len));
	buf_sink_free(&b);
	buf_sink_free(&b2);
}

static void layout(void)
{
	struct oci_desc layer, config, m1, m2;
	struct oci_image img;
	char diff[1][72];
	const char *cmd[] = { "/bin/echo", "hi" }, *env[] = { "A=b\\c\nd" };
	struct oci_run_config rc = { NULL, cmd, env, 0, 2, 1, "/w", "1000:1000", 0, "linux/amd64" };
	const struct item it[] = { { "hello", NULL, "hello\n", TAR_REG, 0, 0 } };
	struct buf_sink t = make_tar(it, 1);

	CHECK(oci_digest_check("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0);
	CHECK(oci_digest_check("sha512:00") < 0 && strstr(fail_text(), "'sha512' is not supported"));
	CHECK(oci_digest_check("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855") < 0);
	CHECK(oci_digest_check("e3b0c442") < 0 && strstr(fail_text(), "no algorithm"));

	mkdirat(top, "img", 0755);
	int l = openat(top, "img", O_RDONLY | O_DIRECTORY);
	CHECK(oci_layout_create(l) == 0);
	CHECK(oci_blob_put(l, t.data, t.len, OCI_MT_LAYER, &layer) == 0);
	snprintf(diff[0], sizeof diff[0], "%s", layer.digest);
	CHECK(oci_put_config(l, &rc, diff, 1, &config) == 0);
	CHECK(oci_put_manifest(l, &config, &layer, 1, &m1) == 0);
	snprintf(m1.ref, sizeof m1.ref, "one");
	CHECK(oci_index_add(l, &m1) == 0);
	rc.ncmd = 1;
	CHECK(oci_put_config(l, &rc, diff, 1, &config) == 0);
	CHECK(oci_put_manifest(l, &config, &layer, 1, &m2) == 0);
	snprintf(m2.ref, sizeof m2.ref, "two");
	CHECK(oci_index_add(l, &m2) == 0);

	CHECK(oci_image_load(l, NULL, NULL, NULL, &img) < 0 && strstr(fail_text(), "lists 2 images: pick one with --ref"));
	CHECK(oci_image_load(l, "one", NULL, NULL, &img) == 0);
	CHECK(img.nlayers == 1 && !strcmp(img.diff_ids[0], layer.digest) && !strcmp(img.manifest.digest, m1.digest));
	/* DEST/config from it: escapes, order */
	struct store s;
	CHECK(store_open(&s, "/nonexistent/dir/box") < 0);
	char dest[128];
	snprintf(dest, sizeof dest, "%s/box", dir);
	CHECK(store_open(&s, dest) == 0);
	CHECK(store_write_config(&s, img.config_json, img.config.digest, img.manifest.digest) == 0);
	size_t len;
	char *text = read_small(top, "box/config", 4096, &len);
	char want[9000];
	snprintf(want, sizeof want, "image %.71s\nmanifest %.71s\ncmd /bin/echo\ncmd hi\nenv A=b\\\\c\\nd\nworkdir /w\nuser 1000:1000\n",
		 img.config.digest, img.manifest.digest);
	CHECK_STR(text, want);
	free(text);
	char ids[2][72];
	snprintf(ids[0], 72, "%s", layer.digest);
	snprintf(ids[1], 72, "%s", config.digest);
	CHECK(store_write_lower(&s, ids, 2) == 0);
	text = read_small(top, "box/lower", 4096, &len);
	snprintf(want, sizeof want, "%s/layers/%.64s:%s/layers/%.64s\n", s.path, config.digest + 7, s.path, layer.digest + 7);
	CHECK_STR(text, want);
	free(text);
	store_done(&s);
	oci_image_free(&img);

	/* pinned: a manifest no ref names any more is still there by digest */
	m2.ref[0] = '\0';
	snprintf(m2.ref, sizeof m2.ref, "one");
	CHECK(oci_index_add(l, &m2) == 0); /* "one" moves to the second manifest */
	CHECK(oci_image_load(l, "one", NULL, NULL, &img) == 0 && !strcmp(img.manifest.digest, m2.digest));
	oci_image_free(&img);
	CHECK(oci_image_load(l, NULL, NULL, m1.digest, &img) == 0 && !strcmp(img.manifest.digest, m1.digest));
	oci_image_free(&img);

	/* a changed layer blob: refused by digest, with both digests */
	char blob[128];
	snprintf(blob, sizeof blob, "blobs/sha256/%.64s", layer.digest + 7);
	int fd = openat(l, blob, O_WRONLY);
	CHECK(fd >= 0 && pwrite(fd, "J", 1, 600) == 1);
	close(fd);
	CHECK(oci_blob_open(l, &layer) < 0 && strstr(fail_text(), "digest mismatch: expected sha256:") &&
	      strstr(fail_text(), ", found sha256:"));
	layer.size++;
	CHECK(oci_blob_open(l, &layer) < 0 && strstr(fail_text(), "size mismatch"));
	close(l);
	buf_sink_free(&t);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	top = open(dir, O_RDONLY | O_DIRECTORY);
	escapes();
	whiteouts();
	pack_roundtrip();
	layout();
	close(top);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (getenv("KEEP"))
		fprintf(stderr, "kept %s\n", dir);
	else if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_report("oci");
}
