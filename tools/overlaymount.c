/* overlaymount: an OverlayFS mount of read-only layers under a writable upper
 * layer (the kernel's Documentation/filesystems/overlayfs.rst), then the next stage.
 *
 * This is how an image becomes a root: its layers stay read-only and shared, and
 * every change a container makes is copied up into its own upper directory. The
 * mount is made inside the chain's mount namespace, so it vanishes with it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain.h"
#include "log.h"
#include "mount.h"
#include "sys.h"

#define USAGE "overlaymount --lower L1[:L2...] [--upper DIR --work DIR] [--host] TARGET [--] [PROGRAM [ARGS...]]"

static const struct tool tool = {
	"overlaymount", USAGE,
	"Mount an overlay of read-only layers on TARGET, then run PROGRAM (default /bin/sh).\n"
	"\n"
	"Options:\n"
	"      --lower L1:L2:...  the read-only layers, TOPMOST FIRST: a name is looked up in\n"
	"                         L1, then L2, ...; the leftmost layer that has it wins (the\n"
	"                         kernel's lowerdir= order, the reverse of a Dockerfile's)\n"
	"      --upper DIR        the writable layer: every change lands here, copied up from\n"
	"                         below or marked deleted by a whiteout; created when missing\n"
	"      --work DIR         the kernel's scratch directory for atomic copy-up, on the\n"
	"                         same filesystem as --upper and not inside it; created when\n"
	"                         missing. Without --upper and --work the overlay is read-only\n"
	"                         and needs at least two layers.\n"
	"      --host             allow a mount in the host's initial mount namespace; it then\n"
	"                         outlives the chain (umount TARGET yourself)\n"
	"  -v, --verbose          trace every kernel call (or BOXSTEP_TRACE=1)\n"
	"  -h, --help             this help\n"
	"  -V, --version          version\n"
	"\n"
	"Paths holding ',' ':' or '\\' are refused: they would end the option string and\n"
	"inject other mount options. The mount is nodev: a device node in a layer cannot be\n"
	"opened through it.\n"
	"\n"
	"Kernel calls, in order:\n"
	"  mkdir(UPPER), mkdir(WORK)       when missing\n"
	"  mount(\"overlay\", TARGET, \"overlay\", MS_NODEV, \"lowerdir=L1:L2,upperdir=UPPER,workdir=WORK\")\n"
	"  execve(PROGRAM)\n"
	"\n"
	"Example:\n"
	"  mkns --mount --pid -- overlaymount --lower app:base --upper up --work work merged -- \\\n"
	"      pivot merged -- /bin/sh\n"
	"\n"
	"Exit status: PROGRAM's own; 125 if overlaymount failed; 126/127 if PROGRAM could not run.\n"
	"See overlaymount(1), mount(2), mount_namespaces(7), pivot(1).\n",
};

#define MAX_LAYERS 500 /* the kernel's OVL_MAX_STACK */

struct options {
	const char *lower, *upper, *work, *target;
	int host, once_lower, once_upper, once_work, once_host;
	char *layers[MAX_LAYERS];
	size_t nlayers;
};

enum { OPT_LOWER = 256, OPT_UPPER, OPT_WORK, OPT_HOST };

static const struct option longopts[] = {
	{ "lower", required_argument, NULL, OPT_LOWER },
	{ "upper", required_argument, NULL, OPT_UPPER },
	{ "work", required_argument, NULL, OPT_WORK },
	{ "host", no_argument, NULL, OPT_HOST },
	CHAIN_COMMON_LONGOPTS,
};

static void parse_args(struct options *o, int argc, char **argv)
{
	int c;
	while ((c = getopt_long(argc, argv, "+:" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_LOWER: chain_once(&o->once_lower, "--lower"); o->lower = optarg; break;
		case OPT_UPPER: chain_once(&o->once_upper, "--upper"); o->upper = optarg; break;
		case OPT_WORK: chain_once(&o->once_work, "--work"); o->work = optarg; break;
		case OPT_HOST: chain_once(&o->once_host, "--host"); o->host = 1; break;
		default: chain_common_option(&tool, c, argv);
		}
	}
	if (optind < argc)
		o->target = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
}

/* A path that goes into the option string must not carry its separators. */
static void check_option_path(const char *what, const char *path)
{
	const char *bad = strpbrk(path, ",:\\");
	if (!*path)
		usage_error("empty path for %s", what);
	if (bad)
		usage_error("%s '%s' contains '%c': it would end the path and inject other mount options", what,
			    path, *bad);
}

static void need_dir(const char *what, const char *path, const char *tip)
{
	struct stat st;
	char p[PATH_MAX + 8] = "";
	quote_str(p, sizeof p, path);
	if (stat(path, &st) < 0) {
		fprintf(stderr, "overlaymount: %s: stat(%s): %s\n", what, p, strerror(errno));
		hint("%s", tip);
		exit(EXIT_TOOL_FAILED);
	}
	if (!S_ISDIR(st.st_mode))
		die("%s %s is not a directory", what, p);
}

/* Where path is or will be: the canonical path of its deepest existing ancestor
 * plus the rest; *dev gets the filesystem that ancestor is on. */
static void where(const char *what, const char *path, char *out, dev_t *dev)
{
	char head[PATH_MAX], real[PATH_MAX];
	struct stat st;
	snprintf(head, sizeof head, "%s", path);
	size_t cut = strlen(head);
	for (;;) {
		if (realpath(cut ? head : ".", real) && stat(real, &st) == 0)
			break;
		if (!cut)
			die("%s '%s': realpath(\".\"): %s", what, path, strerror(errno));
		while (cut > 0 && head[cut - 1] != '/')
			cut--;
		head[cut ? cut - 1 : 0] = '\0';
		if (cut)
			cut--;
	}
	if (!S_ISDIR(st.st_mode))
		die("%s '%s' is not a directory", what, path);
	const char *rest = cut == strlen(path) ? "" : path + cut + (cut ? 1 : 0);
	if (snprintf(out, PATH_MAX, "%s%s%s", real, *rest && strcmp(real, "/") ? "/" : "", rest) >= PATH_MAX)
		die("%s '%s': path too long", what, path);
	*dev = st.st_dev;
}

static int inside(const char *a, const char *b) /* a is b or below it */
{
	size_t n = strlen(b);
	return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

static void validate(struct options *o, char *data, size_t size)
{
	if (!o->lower)
		usage_error("--lower is required: the read-only layers, topmost first");
	if (!o->target)
		usage_error("missing TARGET: the directory to mount the overlay on");
	if (!o->upper != !o->work)
		usage_error("--upper and --work go together (or neither, for a read-only overlay)");
	static char lower[PATH_MAX * 4];
	if (snprintf(lower, sizeof lower, "%s", o->lower) >= (int)sizeof lower)
		usage_error("--lower is too long");
	for (char *p = lower;; p++) {
		char *end = strchr(p, ':');
		if (end)
			*end = '\0';
		if (o->nlayers == MAX_LAYERS)
			usage_error("more than %d layers: the kernel stacks at most %d", MAX_LAYERS, MAX_LAYERS);
		check_option_path("lower layer", p);
		o->layers[o->nlayers++] = p;
		if (!end)
			break;
		p = end;
	}
	if (!o->upper && o->nlayers < 2)
		usage_error("a read-only overlay (no --upper) needs at least two lower layers; "
			    "give --upper and --work for a writable one");
	for (size_t i = 0; i < o->nlayers; i++)
		need_dir("lower layer", o->layers[i], "each --lower layer must be an existing directory (mkrootfs makes one)");
	need_dir("TARGET", o->target, "create the mount point first (mkdir), or pick an existing directory");
	int n = snprintf(data, size, "lowerdir=%s", o->lower);
	if (o->upper) {
		char up[PATH_MAX], wk[PATH_MAX];
		dev_t updev, wkdev;
		check_option_path("--upper", o->upper);
		check_option_path("--work", o->work);
		where("--upper", o->upper, up, &updev);
		where("--work", o->work, wk, &wkdev);
		if (inside(wk, up) || inside(up, wk))
			usage_error("--work '%s' and --upper '%s' overlap: the kernel needs them apart "
				    "(siblings, as up/ and work/)", o->work, o->upper);
		if (updev != wkdev)
			usage_error("--upper '%s' and --work '%s' are on different filesystems: the kernel "
				    "renames copied-up files from work into upper, which needs one", o->upper, o->work);
		n = snprintf(data, size, "lowerdir=%s,upperdir=%s,workdir=%s", o->lower, o->upper, o->work);
	}
	if (user_ns_is_initial() == 0)
		n += snprintf(data + n, n < (int)size ? size - (size_t)n : 0, ",userxattr");
	long page = sysconf(_SC_PAGESIZE);
	if (n < 0 || (long)n + 1 > page || (size_t)n >= size) {
		fprintf(stderr, "overlaymount: the mount options are %d bytes, but mount(2) passes at most "
			"one page (%ld bytes) to the filesystem\n", n, page);
		hint("too many layers or too long paths: give shorter ones (relative to the current directory, "
		     "as Docker links its layers under short names in overlay2/l/)");
		exit(EXIT_TOOL_FAILED);
	}
	if (!o->host && ns_is_initial("mnt") == 1) {
		fprintf(stderr, "overlaymount: refusing to mount in the host's initial mount namespace: "
			"the overlay would outlive the chain\n");
		hint("run it after mkns --mount, where it vanishes with the namespace; or add --host to keep it "
		     "(then umount it yourself)");
		exit(EXIT_TOOL_FAILED);
	}
}

/* mkdir -p, each missing directory a traced mkdir(2). */
static void make_dir(const char *path)
{
	char p[PATH_MAX];
	struct stat st;
	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (stat(p, &st) < 0 && sys_mkdir(p, 0755) < 0)
			die_call();
		if (!(*s = c))
			break;
	}
}

int main(int argc, char **argv)
{
	static struct options o;
	static char data[2 * 4096 + 64];
	chain_init(&tool);
	parse_args(&o, argc, argv);
	validate(&o, data, sizeof data);

	if (o.upper) {
		make_dir(o.upper);
		make_dir(o.work);
	}
	/* nodev (DESIGN.md 6): a device node in a layer or made in the upper cannot be
	 * opened through the overlay. Without an upper the overlay is read-only anyway;
	 * MS_RDONLY makes mountinfo say so. */
	unsigned long flags = MS_NODEV | (o.upper ? 0 : MS_RDONLY);
	if (sys_mount("overlay", o.target, "overlay", flags, data) < 0) {
		report_call();
		if (errno == EINVAL || errno == EBUSY)
			hint("the kernel log says why (dmesg | grep overlayfs): a work dir in use by another "
			     "overlay, an upper on a filesystem without xattrs, or an upper that is itself a lower");
		else
			hint_for_last_call(NULL);
		exit(EXIT_TOOL_FAILED);
	}
	chain_exec(argv + optind);
}
