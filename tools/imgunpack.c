/* imgunpack: an OCI image (or a docker save archive) into layer directories that
 * overlaymount can stack (OCI image-spec: image-layout.md, manifest.md,
 * layer.md "Whiteouts").
 *
 * Every blob is checked against its digest and size before it is used, so what
 * runs is what the digest names; each layer is unpacked once, into
 * DEST/layers/<diff_id hex>/, converting OCI whiteouts into OverlayFS ones; then
 * DEST/lower (the lowerdir string, topmost first) and DEST/config (how to run
 * it) are written. A failure removes what this run made. Not a chain stage: it
 * prepares a root filesystem, as mkrootfs does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain.h"
#include "imgstore.h"
#include "inflate.h"
#include "layer.h"
#include "log.h"
#include "oci.h"

#define USAGE "imgunpack [--ref NAME | --digest sha256:HEX] [--platform OS/ARCH[/VARIANT]] [-v] IMAGE DEST"

static const struct tool tool = {
	"imgunpack", USAGE,
	"Unpack the layers of a container image into DEST, checking every digest, for\n"
	"overlaymount --lower \"$(cat DEST/lower)\".\n"
	"\n"
	"IMAGE is an OCI image layout directory (oci-layout, index.json, blobs/sha256/),\n"
	"a tar of one (podman save --format oci-archive, skopeo copy ... oci-archive:),\n"
	"or a docker save tar; a tar may be gzip'ed.\n"
	"\n"
	"Options:\n"
	"      --ref NAME            the image tagged NAME (the ref.name annotation of\n"
	"                            index.json; for docker save, a RepoTags entry)\n"
	"      --digest sha256:HEX   the image whose manifest has this digest: pinned, it\n"
	"                            cannot change under you, as a ref (a tag) can\n"
	"      --platform OS/ARCH    the image for this platform from a multi-platform\n"
	"                            index (default: this machine's, e.g. linux/amd64)\n"
	"  -v, --verbose             trace every blob checked and every kernel call\n"
	"  -h, --help                this help\n"
	"  -V, --version             version\n"
	"\n"
	"DEST (made when missing; its parent must exist) receives:\n"
	"  layers/<hex>/   each layer, named by its diff_id, unpacked once: OCI whiteouts\n"
	"                  .wh.NAME become character devices 0/0 and .wh..wh..opq makes\n"
	"                  its directory opaque (trusted.overlay.opaque=y)\n"
	"  lower           the layers' paths, topmost first, for overlaymount --lower\n"
	"  config          entrypoint, cmd, env, workdir, user: one \"key value\" line each\n"
	"Entries that would escape their layer (absolute, '..', links pointing out) are\n"
	"refused, and device nodes unless you are root. On failure DEST is left as it was.\n"
	"\n"
	"Kernel calls: open(2) and read(2) of every blob (hashed before use); mkdir(2),\n"
	"openat(2) with O_NOFOLLOW, mknodat(2) (whiteouts), fsetxattr(2) (opaque\n"
	"directories), symlinkat(2), linkat(2) for each entry; rename(2) of each finished\n"
	"layer, then of lower and config.\n"
	"\n"
	"Example:\n"
	"  imgunpack img box && mkns --mount --pid -- overlaymount --lower \"$(cat box/lower)\" \\\n"
	"      --upper up --work work merged -- pivot merged -- /bin/sh\n"
	"\n"
	"Exit status: 0, or 125 if imgunpack failed (nothing half-unpacked is left).\n"
	"See imgunpack(1), imgpack(1), overlaymount(1), skopeo(1), umoci(1).\n",
};

enum { OPT_REF = 256, OPT_PLATFORM, OPT_DIGEST };

static const struct option longopts[] = {
	{ "ref", required_argument, NULL, OPT_REF },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "digest", required_argument, NULL, OPT_DIGEST },
	CHAIN_COMMON_LONGOPTS,
};

static struct store store;
static int finished;

static void undo(void)
{
	if (!finished)
		store_abort(&store);
}

_Noreturn static void fail_out(void)
{
	const char *m = fail_text();
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", log_prog(), m);
	if (strstr(m, "digest mismatch") || strstr(m, "size mismatch"))
		hint("the blob is not what its digest names: fetch the image again from its source; never skip the check");
	else if (strstr(m, "refused when not root") || strstr(m, "need root"))
		hint("run imgunpack as root (sudo) to unpack device nodes and overlay marks");
	exit(EXIT_TOOL_FAILED);
}

static int valid_platform(const char *p)
{
	int slashes = 0;
	if (!*p || *p == '/' || p[strlen(p) - 1] == '/')
		return 0;
	for (; *p; p++) {
		if (*p == '/')
			slashes++;
		else if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_.-", *p))
			return 0;
	}
	return slashes == 1 || slashes == 2;
}

/* Opens layer i, checked before use: an OCI blob against its digest and size, a
 * docker save layer (named by nothing) against its diff_id. */
static int open_layer(int image, const struct oci_image *img, size_t i, int *gzip)
{
	if (!img->layer_paths) {
		*gzip = oci_layer_compression(img->layers[i].media_type);
		return *gzip < 0 ? -1 : oci_blob_open(image, &img->layers[i]);
	}
	unsigned char magic[2];
	int fd = open_nofollow(image, img->layer_paths[i], O_RDONLY);
	if (fd < 0)
		return -1;
	*gzip = pread(fd, magic, 2, 0) == 2 && is_gzip_magic(magic, 2);
	if (store_check_diff_id(fd, *gzip, img->diff_ids[i]) < 0) {
		close(fd);
		return fail_prefix("layer %s", img->layer_paths[i]);
	}
	return fd;
}

int main(int argc, char **argv)
{
	const char *ref = NULL, *platform = NULL, *digest = NULL;
	int once_ref = 0, once_platform = 0, once_digest = 0, c;
	struct stat st;
	chain_init(&tool);
	while ((c = getopt_long(argc, argv, "+:" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_REF: chain_once(&once_ref, "--ref"); ref = optarg; break;
		case OPT_PLATFORM: chain_once(&once_platform, "--platform"); platform = optarg; break;
		case OPT_DIGEST: chain_once(&once_digest, "--digest"); digest = optarg; break;
		default: chain_common_option(&tool, c, argv);
		}
	}
	if (argc - optind < 2)
		usage_error("IMAGE and DEST are required");
	if (argc - optind > 2)
		usage_error("unexpected argument '%s' (imgunpack runs no program)", argv[optind + 2]);
	const char *image = argv[optind], *dest = argv[optind + 1];
	if (ref && !*ref)
		usage_error("--ref: an empty name");
	if (digest && (ref || platform))
		usage_error("--digest names one manifest: leave out --ref and --platform");
	if (digest && oci_digest_check(digest) < 0)
		usage_error("--digest: %s", fail_text());
	if (platform && !valid_platform(platform))
		usage_error("invalid platform '%s': expected OS/ARCH or OS/ARCH/VARIANT, as linux/amd64 or linux/arm64/v8", platform);
	if (stat(image, &st) < 0) {
		warn("%s: %s", image, strerror(errno));
		usage_error("IMAGE must be an image layout directory or an archive file");
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		usage_error("%s: neither a directory nor a file", image);

	umask(022);
	atexit(undo);
	if (store_open(&store, dest) < 0)
		fail_out();
	int layout = S_ISDIR(st.st_mode) ? open(image, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : store_extract_archive(&store, image);
	if (layout < 0) {
		if (S_ISDIR(st.st_mode))
			fail_sys("open(\"%s\")", image);
		fail_out();
	}
	struct oci_image img;
	struct stat probe;
	int oci = fstatat(layout, "oci-layout", &probe, AT_SYMLINK_NOFOLLOW) == 0;
	if (!oci && fstatat(layout, "manifest.json", &probe, AT_SYMLINK_NOFOLLOW) < 0) {
		fail("%s: neither an OCI image layout (oci-layout, index.json) nor a docker save archive (manifest.json)", image);
		fail_out();
	}
	if (!oci && digest) {
		fail("--digest: a docker save archive has no manifest digests (pick the image with --ref)");
		fail_out();
	}
	if ((oci ? oci_image_load(layout, ref, platform, digest, &img) : docker_image_load(layout, ref, &img)) < 0)
		fail_out();
	if (oci)
		printf("image    %s%s%s%s\n", img.manifest.digest, img.manifest.ref[0] ? " (ref " : "", img.manifest.ref,
		       img.manifest.ref[0] ? ")" : "");
	else
		printf("image    docker save archive\n");
	printf("config   %s\n", img.config.digest);

	struct layer_options o = { 1, geteuid() == 0, 0 };
	unsigned long unset = 0;
	for (size_t i = 0; i < img.nlayers; i++) {
		struct layer_stats ls;
		int gzip;
		printf("layer %zu  %s  ", i + 1, img.diff_ids[i]);
		if (store_has_layer(&store, img.diff_ids[i])) {
			printf("already unpacked\n");
			continue;
		}
		fflush(stdout);
		int fd = open_layer(layout, &img, i, &gzip);
		if (fd < 0 || store_unpack_layer(&store, fd, gzip, img.diff_ids[i], &o, &ls) < 0) {
			printf("failed\n");
			fail_prefix("layer %zu", i + 1);
			fail_out();
		}
		close(fd);
		unset += ls.xattrs_unset;
		char text[256];
		layer_stats_text(&ls, text, sizeof text);
		printf("unpacked: %s\n", text);
	}
	if (store_write_lower(&store, img.diff_ids, img.nlayers) < 0 ||
	    store_write_config(&store, img.config_json, img.config.digest, oci ? img.manifest.digest : NULL) < 0)
		fail_out();
	if (unset)
		warn("%lu extended attributes (security.*, trusted.*) were not set: that needs root", unset);
	store_done(&store);
	finished = 1;
	oci_image_free(&img);
	close(layout);
	return 0;
}
