/* imgpack: directories into an OCI image layout (OCI image-spec: image-layout.md,
 * manifest.md, config.md, layer.md), the way `docker build` stores its result.
 *
 * Each --layer DIR becomes a tar (optionally gzip'ed) stored as a blob named by
 * its SHA-256; the config lists the layers' diff_ids (the digests of the
 * uncompressed tars) and how to run the image; the manifest lists the config and
 * layer blobs by digest and size; index.json points at the manifest under a ref
 * name, as a tag does. An OverlayFS upper directory packs into a layer with OCI
 * whiteouts, so a container's changes can be committed as a new layer. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain.h"
#include "inflate.h"
#include "layer.h"
#include "log.h"
#include "oci.h"
#include "parse.h"
#include "tar.h"

#define USAGE "imgpack --layer DIR [--layer DIR]... [--cmd ARG]... [--entrypoint ARG]... [--env NAME=VALUE]... [--workdir DIR] [--user USER] [--ref NAME] [--gzip] [-v] OUT"

static const struct tool tool = {
	"imgpack", USAGE,
	"Pack directories as the layers of an OCI image layout in OUT.\n"
	"\n"
	"Options:\n"
	"      --layer DIR          a layer: the tree below DIR (repeatable; the first is\n"
	"                           the bottom layer, as a Dockerfile builds them). Its\n"
	"                           overlay whiteouts (c 0/0) and opaque directories become\n"
	"                           OCI .wh.NAME and .wh..wh..opq entries\n"
	"      --cmd ARG            one word of the default command (repeatable, in order)\n"
	"      --entrypoint ARG     one word of the entrypoint (repeatable, in order)\n"
	"      --env NAME=VALUE     an environment variable (repeatable; PATH is set to the\n"
	"                           usual list unless given)\n"
	"      --workdir DIR        the working directory\n"
	"      --user USER[:GROUP]  the user to run as\n"
	"      --ref NAME           the name index.json gives the image (default latest);\n"
	"                           an image already there under NAME is replaced\n"
	"      --gzip               gzip the layers (deflate with fixed Huffman codes)\n"
	"  -v, --verbose            trace every blob written\n"
	"  -h, --help               this help\n"
	"  -V, --version            version\n"
	"\n"
	"OUT is made when missing; an existing layout gains the image (blobs it already\n"
	"holds are shared: same bytes, same digest). Files are stored with their owners,\n"
	"modes, times and extended attributes, in name order: the same tree gives the\n"
	"same digests (SOURCE_DATE_EPOCH, when set, caps the times and dates the image).\n"
	"\n"
	"Kernel calls: openat(2), fstatat(2), getdents(2), read(2) and flistxattr(2) for\n"
	"each file; write(2) of each blob into a temporary file, rename(2) to its digest.\n"
	"\n"
	"Example:\n"
	"  imgpack --layer base --layer app --cmd /app/hello.sh img && imgunpack img box\n"
	"\n"
	"Exit status: 0, or 125 if imgpack failed (no half-written blob is left).\n"
	"See imgpack(1), imgunpack(1), skopeo(1), umoci(1).\n",
};

#define MAX_LAYERS 127
#define MAX_WORDS 256

enum { OPT_LAYER = 256, OPT_CMD, OPT_ENTRYPOINT, OPT_ENV, OPT_WORKDIR, OPT_USER, OPT_REF, OPT_GZIP };

static const struct option longopts[] = {
	{ "layer", required_argument, NULL, OPT_LAYER },	{ "cmd", required_argument, NULL, OPT_CMD },
	{ "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
	{ "env", required_argument, NULL, OPT_ENV },		{ "workdir", required_argument, NULL, OPT_WORKDIR },
	{ "user", required_argument, NULL, OPT_USER },		{ "ref", required_argument, NULL, OPT_REF },
	{ "gzip", no_argument, NULL, OPT_GZIP },		CHAIN_COMMON_LONGOPTS,
};

struct list {
	const char *v[MAX_WORDS + 1];
	size_t n;
};

static struct {
	struct list layers, cmd, entrypoint, env;
	const char *workdir, *user, *ref, *out;
	int gzip, once_workdir, once_user, once_ref, once_gzip;
	int64_t epoch;
} o = { .ref = "latest" };

static int out_fd = -1, created_out, finished;
static char tmp[96];

static void undo(void)
{
	if (finished)
		return;
	if (out_fd >= 0 && tmp[0])
		unlinkat(out_fd, tmp, 0);
	if (created_out)
		remove_tree(AT_FDCWD, o.out);
}

_Noreturn static void fail_out(void)
{
	die("%s", fail_text());
}

static void add(struct list *l, const char *opt, const char *v, size_t max)
{
	if (l->n == max)
		usage_error("too many %s (at most %zu)", opt, max);
	l->v[l->n++] = v;
}

static void parse_args(int argc, char **argv)
{
	int c;
	while ((c = getopt_long(argc, argv, "+:" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_LAYER: add(&o.layers, "--layer", optarg, MAX_LAYERS); break;
		case OPT_CMD: add(&o.cmd, "--cmd", optarg, MAX_WORDS); break;
		case OPT_ENTRYPOINT: add(&o.entrypoint, "--entrypoint", optarg, MAX_WORDS); break;
		case OPT_ENV: add(&o.env, "--env", optarg, MAX_WORDS); break;
		case OPT_WORKDIR: chain_once(&o.once_workdir, "--workdir"); o.workdir = optarg; break;
		case OPT_USER: chain_once(&o.once_user, "--user"); o.user = optarg; break;
		case OPT_REF: chain_once(&o.once_ref, "--ref"); o.ref = optarg; break;
		case OPT_GZIP: chain_once(&o.once_gzip, "--gzip"); o.gzip = 1; break;
		default: chain_common_option(&tool, c, argv);
		}
	}
	if (argc - optind != 1)
		usage_error(argc == optind ? "OUT is required" : "one OUT only (an option after OUT?)");
	o.out = argv[optind];
	if (!o.layers.n)
		usage_error("no --layer: an image needs at least one");
	for (size_t i = 0; i < o.layers.n; i++) {
		struct stat st;
		if (stat(o.layers.v[i], &st) < 0 || !S_ISDIR(st.st_mode))
			usage_error("--layer '%s': not a directory", o.layers.v[i]);
	}
	for (size_t i = 0; i < o.env.n; i++)
		if (!strchr(o.env.v[i], '=') || o.env.v[i][0] == '=')
			usage_error("--env '%s': expected NAME=VALUE", o.env.v[i]);
	if (!*o.ref || strspn(o.ref, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:/") != strlen(o.ref))
		usage_error("--ref '%s': letters, digits and . _ - : / only", o.ref);
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	unsigned long e;
	if (epoch && *epoch && parse_uint(epoch, 253402300799UL, &e) < 0)
		usage_error("SOURCE_DATE_EPOCH='%s': expected seconds since 1970", epoch);
	o.epoch = epoch && *epoch ? (int64_t)e : 0;
}

/* DIR -> tar -> sha256 (diff_id) -> [gzip] -> sha256 (blob) -> a temporary blob. */
static void pack_layer(size_t n, const char *dir, struct oci_desc *d, char diff_id[72])
{
	struct fd_sink file;
	struct hash_sink blob, diff;
	struct gzip_sink *gz = o.gzip ? malloc(sizeof *gz) : NULL;
	struct tar_writer w;
	struct layer_stats st;
	struct pack_options po = { o.epoch };
	int fd = oci_blob_tmp(out_fd, tmp, sizeof tmp);
	if (fd < 0 || (o.gzip && !gz))
		fail_out();
	fd_sink_init(&file, fd, tmp);
	hash_sink_init(&blob, &file.base);
	if (gz)
		gzip_sink_init(gz, &blob.base, 1);
	hash_sink_init(&diff, gz ? &gz->base : &blob.base);
	tar_writer_init(&w, &diff.base, TAR_FORMAT_PAX);
	if (layer_pack(dir, &w, &po, &st) < 0 || tar_finish(&w) < 0 || (gz && gzip_sink_finish(gz) < 0)) {
		fail_prefix("--layer %s", dir);
		fail_out();
	}
	if (close(fd) < 0) {
		fail_sys("close(\"%s\")", tmp);
		fail_out();
	}
	free(gz);
	memset(d, 0, sizeof *d);
	snprintf(d->media_type, sizeof d->media_type, "%s", o.gzip ? OCI_MT_LAYER_GZIP : OCI_MT_LAYER);
	hash_sink_digest(&blob, d->digest);
	hash_sink_digest(&diff, diff_id);
	d->size = blob.size;
	if (oci_blob_commit(out_fd, tmp, d->digest) < 0)
		fail_out();
	tmp[0] = '\0';
	char text[256];
	layer_stats_text(&st, text, sizeof text);
	printf("layer %zu  %s  %s: %s\n", n, d->digest, dir, text);
}

/* Is the directory open as fd empty? */
static int empty_dir(int fd)
{
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	DIR *d = copy < 0 ? NULL : fdopendir(copy);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return d && !n;
}

int main(int argc, char **argv)
{
	struct oci_desc layers[MAX_LAYERS], config, manifest;
	char diff_ids[MAX_LAYERS][72], platform[96];
	struct stat st;
	chain_init(&tool);
	parse_args(argc, argv);
	if (stat(o.out, &st) == 0 && !S_ISDIR(st.st_mode))
		usage_error("OUT '%s' exists and is not a directory", o.out);
	atexit(undo);
	if (trace_call(mkdir(o.out, 0755), "mkdir(\"%s\", 0755)", o.out) == 0)
		created_out = 1;
	else if (errno != EEXIST)
		die("mkdir(\"%s\"): %s", o.out, strerror(errno));
	out_fd = open(o.out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (out_fd < 0)
		die("open(\"%s\"): %s", o.out, strerror(errno));
	if (!created_out && fstatat(out_fd, "oci-layout", &st, AT_SYMLINK_NOFOLLOW) < 0 && !empty_dir(out_fd))
		die("OUT '%s' is neither empty nor an image layout: refusing to write into it", o.out);
	if (out_fd < 0 || oci_layout_create(out_fd) < 0)
		fail_out();

	for (size_t i = 0; i < o.layers.n; i++)
		pack_layer(i + 1, o.layers.v[i], &layers[i], diff_ids[i]);

	oci_host_platform(platform, sizeof platform);
	int has_path = 0;
	for (size_t i = 0; i < o.env.n; i++)
		has_path |= !strncmp(o.env.v[i], "PATH=", 5);
	if (!has_path)
		add(&o.env, "--env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", MAX_WORDS + 1);
	struct oci_run_config rc = { o.entrypoint.v, o.cmd.v, o.env.v, o.entrypoint.n, o.cmd.n, o.env.n,
				     o.workdir, o.user, o.epoch, platform };
	if (oci_put_config(out_fd, &rc, diff_ids, o.layers.n, &config) < 0 ||
	    oci_put_manifest(out_fd, &config, layers, o.layers.n, &manifest) < 0)
		fail_out();
	snprintf(manifest.ref, sizeof manifest.ref, "%s", o.ref);
	snprintf(manifest.platform, sizeof manifest.platform, "%s", platform);
	if (oci_index_add(out_fd, &manifest) < 0)
		fail_out();
	printf("config   %s\nimage    %s (ref %s)\n", config.digest, manifest.digest, o.ref);
	finished = 1;
	return 0;
}
