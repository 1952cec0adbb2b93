/* pivot: make ROOT the root of the chain's mount namespace (pivot_root(2)), with
 * /proc, a minimal /dev, a read-only /sys, Docker's masked paths, volumes and the
 * toolkit at /.boxstep/bin, then exec the next stage from there.
 *
 * chroot(2) only changes one process's root directory: the host's tree stays in
 * the mount namespace, a step away. pivot_root(2) swaps the namespace's root mount
 * itself, and once the old root is detached nothing of the host is left to reach. */
#include <errno.h>
#include <fcntl.h>
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
#include "parse.h"
#include "rootfs.h"
#include "sys.h"
#include "sysfs.h"

#define USAGE "pivot [--bind SRC:DST[:ro]]... [--tmpfs DST[:SIZE]]... [--chdir DIR] [--readonly] [--no-masks] [--bare|--chroot] [--no-tools] ROOT [--] [PROGRAM [ARGS...]]"

static const struct tool tool = {
	"pivot", USAGE,
	"Make ROOT the root of this mount namespace, then run PROGRAM (default /bin/sh) in it.\n"
	"\n"
	"Options:\n"
	"      --bind SRC:DST[:ro]  a volume: the host file or directory SRC at DST inside (nosuid,\n"
	"                           nodev; read-only with :ro; not the mounts below SRC);\n"
	"                           writes go to SRC, not to ROOT\n"
	"      --tmpfs DST[:SIZE]   an empty tmpfs at DST inside (nosuid, nodev; SIZE as 64M)\n"
	"      --chdir DIR          the working directory inside (default /)\n"
	"      --readonly           make ROOT itself read-only (volumes stay writable)\n"
	"      --no-masks           no masked or read-only paths, /sys writable: what\n"
	"                           docker run --privileged does (never to isolate)\n"
	"      --bare               only bind ROOT, pivot_root and detach the old root: no /proc,\n"
	"                           /dev, /sys, masks or tools (to see what they are for)\n"
	"      --chroot             chroot(2) instead of pivot_root(2): escapable, lesson 09 only\n"
	"      --no-tools           no /.boxstep/bin; only when PROGRAM is not a boxstep tool\n"
	"  -v, --verbose            trace every kernel call (or BOXSTEP_TRACE=1)\n"
	"  -h, --help               this help\n"
	"  -V, --version            version\n"
	"\n"
	"ROOT's proc, sys, dev: directories, never symlinks; created when missing, as is\n"
	"/.boxstep/bin. Run pivot after mkns --mount (and --pid, for a /proc of its own).\n"
	"\n"
	"Kernel calls, in order (as runc makes them):\n"
	"  mount(NULL, \"/\", MS_REC|MS_PRIVATE)       nothing propagates back to the host\n"
	"  mount(ROOT, ROOT, MS_BIND|MS_REC)          ROOT becomes a mount point...\n"
	"  mount(NULL, ROOT, MS_REMOUNT|MS_BIND|MS_NODEV)   ...where no device node opens\n"
	"  mount(\"proc\", ROOT/proc)                   needs the new pid namespace\n"
	"  mount(\"tmpfs\", ROOT/dev), bind null zero full random urandom tty, devpts, shm, mqueue\n"
	"  mount(\"sysfs\", ROOT/sys, MS_RDONLY)\n"
	"  mount(\"cgroup2\" | \"cgroup\", ROOT/sys/fs/cgroup..., MS_RDONLY)\n"
	"  mount(/dev/null or tmpfs over masked paths), bind + remount read-only paths\n"
	"  mount(SRC, ROOT/DST, MS_BIND), mount(\"tmpfs\", ROOT/DST)      volumes\n"
	"  mount(TOOLKIT, ROOT/.boxstep/bin, MS_BIND), remount MS_RDONLY|MS_NOSUID|MS_NODEV\n"
	"  open(\"/\", O_PATH), open(ROOT, O_PATH), fchdir(ROOT), pivot_root(\".\", \".\")\n"
	"  fchdir(old root), mount(NULL, \".\", MS_REC|MS_PRIVATE), umount2(\".\", MNT_DETACH)\n"
	"  chdir(\"/\"), execve(\"/.boxstep/bin/NEXT\" or PROGRAM)\n"
	"\n"
	"Example:\n"
	"  mkns --mount --pid -- pivot ./rootfs -- capdrop --keep default -- /bin/sh\n"
	"\n"
	"Exit status: PROGRAM's own; 125 if pivot failed; 126/127 if PROGRAM could not run.\n"
	"See pivot(1), pivot_root(2), chroot(2), mount_namespaces(7), mkrootfs(1).\n",
};

#define MAX_VOLUMES 64
#define TOOLS_DIR "/.boxstep/bin"

struct options {
	char root[PATH_MAX];
	const char *chdir;
	int readonly, bare, chroot, no_tools, no_masks, once_chdir, once_ro, once_bare, once_chroot, once_nt, once_nm;
	struct rootfs_volume vol[MAX_VOLUMES];
	size_t nvol;
};

enum { OPT_BIND = 256, OPT_TMPFS, OPT_CHDIR, OPT_READONLY, OPT_BARE, OPT_CHROOT, OPT_NO_TOOLS, OPT_NO_MASKS };

static const struct option longopts[] = {
	{ "bind", required_argument, NULL, OPT_BIND },	{ "tmpfs", required_argument, NULL, OPT_TMPFS },
	{ "chdir", required_argument, NULL, OPT_CHDIR },	{ "readonly", no_argument, NULL, OPT_READONLY },
	{ "bare", no_argument, NULL, OPT_BARE },	{ "chroot", no_argument, NULL, OPT_CHROOT },
	{ "no-tools", no_argument, NULL, OPT_NO_TOOLS }, { "no-masks", no_argument, NULL, OPT_NO_MASKS },
	CHAIN_COMMON_LONGOPTS,
};

static char **parse_args(struct options *o, int argc, char **argv)
{
	int c;
	while ((c = getopt_long(argc, argv, "+:" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_BIND:
		case OPT_TMPFS:
			if (o->nvol == MAX_VOLUMES)
				usage_error("more than %d volumes", MAX_VOLUMES);
			rootfs_volume_parse(&o->vol[o->nvol++], c == OPT_BIND ? "--bind" : "--tmpfs", c == OPT_TMPFS, optarg);
			break;
		case OPT_CHDIR: chain_once(&o->once_chdir, "--chdir"); o->chdir = optarg; break;
		case OPT_READONLY: chain_once(&o->once_ro, "--readonly"); o->readonly = 1; break;
		case OPT_BARE: chain_once(&o->once_bare, "--bare"); o->bare = 1; break;
		case OPT_CHROOT: chain_once(&o->once_chroot, "--chroot"); o->chroot = 1; break;
		case OPT_NO_TOOLS: chain_once(&o->once_nt, "--no-tools"); o->no_tools = 1; break;
		case OPT_NO_MASKS: chain_once(&o->once_nm, "--no-masks"); o->no_masks = 1; break;
		default: chain_common_option(&tool, c, argv);
		}
	}
	if (optind >= argc)
		usage_error("missing ROOT: the directory to make the new root");
	const char *root = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	struct stat st;
	if (stat(root, &st) < 0)
		die("ROOT: stat(\"%s\"): %s", root, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		die("ROOT '%s' is not a directory", root);
	if (!realpath(root, o->root))
		die("ROOT: realpath(\"%s\"): %s", root, strerror(errno));
	return argv + optind;
}

/* A program run straight from ROOT must not be a boxstep tool: without
 * /.boxstep/bin the image's own file of that name would run instead. */
static void refuse_tool(const char *why, char **program)
{
	char path[PATH_MAX];
	if (!program[0] || strchr(program[0], '/'))
		return;
	snprintf(path, sizeof path, "%s/%s", chain_toolkit_dir(), program[0]);
	if (access(path, X_OK) == 0)
		usage_error("%s binds no tools, but '%s' is a boxstep tool (from ROOT it would be the image's own): "
			    "leave out %s", why, program[0], why);
}

/* A mount point in ROOT: a directory of its own, never a symlink; it may be
 * missing when ROOT can be written. */
static void check_mount_point(const char *root, const char *sub, int ro)
{
	char p[PATH_MAX];
	struct stat st;
	if (root_resolve(root, sub, 1, p, sizeof p) == 0) {
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			return;
		die("refusing ROOT: %s/%s is not a directory", root, sub);
	}
	if (errno == ELOOP)
		die("refusing ROOT: %s/%s is a symbolic link; a mount there could land outside ROOT", root, sub);
	if (errno != ENOENT)
		die("%s/%s: %s", root, sub, strerror(errno));
	if (ro) {
		fprintf(stderr, "pivot: ROOT %s is read-only and has no %s to mount on\n", root, sub);
		hint("mkrootfs creates proc, sys, dev and .boxstep/bin in every root; or mkdir it in the layer%s",
		     strcmp(sub, ".boxstep/bin") == 0 ? ", or use --no-tools" : "");
		exit(EXIT_TOOL_FAILED);
	}
}

/* pivot_root(2) cannot move the initramfs, nor a mount under a shared parent
 * (that last only matters with --bare: pivot otherwise makes every mount private). */
static void refuse_shared(const char *path, const char *what, int check_shared)
{
	struct mount_info m;
	if (mount_find(path, &m) < 0)
		die("%s: no mount found in /proc/self/mountinfo: %s", path, strerror(errno));
	if (strcmp(m.fstype, "rootfs") == 0)
		die("/ is the initramfs (rootfs): pivot_root(2) cannot move it; boot with a real root");
	if (check_shared && strstr(m.propagation, "shared:")) {
		fprintf(stderr, "pivot: %s (the mount on %s) is shared (%s): pivot_root(\".\", \".\") would fail "
			"with EINVAL\n", what, m.mount_point, m.propagation);
		hint("make the mounts private first: leave out --bare (pivot makes them private), or run mkns --mount "
		     "without --propagation unchanged");
		exit(EXIT_TOOL_FAILED);
	}
}

/* --chdir names a directory of ROOT, or one a volume brings. */
static void check_chdir(const struct options *o)
{
	char found[PATH_MAX];
	struct stat st;
	if (!o->chdir)
		return;
	for (size_t i = 0; i < o->nvol; i++) {
		size_t n = strlen(o->vol[i].dst);
		if (!strncmp(o->chdir, o->vol[i].dst, n) && (o->chdir[n] == '\0' || o->chdir[n] == '/'))
			return;
	}
	if (root_resolve(o->root, o->chdir, 0, found, sizeof found) < 0 || stat(found, &st) < 0 || !S_ISDIR(st.st_mode))
		die("--chdir %s: no such directory in ROOT", o->chdir);
}

/* Everything is checked before the first kernel call (DESIGN.md 3). */
static void validate(struct options *o, char **program)
{
	if (o->bare && (o->chroot || o->nvol || o->readonly || o->no_masks))
		usage_error("--bare does only bind, pivot_root and detach: leave out %s",
			    o->chroot ? "--chroot" : o->nvol ? "--bind/--tmpfs" : o->readonly ? "--readonly" : "--no-masks");
	if (o->bare || o->no_tools)
		refuse_tool(o->bare ? "--bare" : "--no-tools", program);
	if (strcmp(o->root, "/") == 0)
		usage_error("ROOT is /, the current root: pivot_root(2) needs another directory");
	if (ns_is_initial("mnt") == 1) {
		fprintf(stderr, "pivot: refusing: this is the host's initial mount namespace (the same as "
			"kthreadd's), not one of its own\n");
		hint("run pivot inside a new mount namespace: mkns --mount --pid -- pivot ROOT ...");
		exit(EXIT_TOOL_FAILED);
	}
	if (!o->chroot)
		refuse_shared("/", "the current root", o->bare);
	if (o->bare) {
		refuse_shared(o->root, "the parent mount of ROOT", 1);
		return;
	}
	int ro = (mount_flags_of(o->root) & MS_RDONLY) != 0;
	check_mount_point(o->root, "proc", ro);
	check_mount_point(o->root, "sys", ro);
	check_mount_point(o->root, "dev", ro);
	if (!o->no_tools)
		check_mount_point(o->root, ".boxstep/bin", ro);
	for (size_t i = 0; i < o->nvol; i++)
		rootfs_volume_check(&o->vol[i], o->root, ro);
	check_chdir(o);
	if (rootfs_check_null() < 0)
		exit(EXIT_TOOL_FAILED);
	if (ns_is_initial("pid") == 1) {
		warn("this is the host's pid namespace: the new /proc will show the host's processes");
		hint("run pivot after mkns --pid, so /proc shows only the container");
	}
	if (o->chroot)
		warn("--chroot: chroot(2) changes this process's root only; the host's mounts stay reachable "
		     "(the escape of lesson 09). Never use it to isolate.");
}


static void prepare(const struct options *o)
{
	char p[PATH_MAX];
	if (o->no_masks)
		trace_comment("--no-masks: /sys writable, nothing of /proc or /sys masked or read-only (privileged)");
	if (root_mkpath(o->root, "proc", 0, p, sizeof p) < 0 ||
	    sys_mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ||
	    root_mkpath(o->root, "dev", 0, p, sizeof p) < 0 || rootfs_dev(o->root) < 0 ||
	    root_mkpath(o->root, "sys", 0, p, sizeof p) < 0 ||
	    sys_mount("sysfs", p, "sysfs", (o->no_masks ? 0 : MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ||
	    rootfs_cgroup(o->root) < 0 || (!o->no_masks && rootfs_mask(o->root) < 0))
		die_call();
	for (size_t i = 0; i < o->nvol; i++)
		if (rootfs_volume_mount(&o->vol[i], o->root) < 0)
			die_call();
	if (!o->no_tools) {
		/* DESIGN.md 1: the rest of the chain runs from here; read-only, and a bind
		 * mount only becomes read-only with a second, remounting call. */
		if (root_mkpath(o->root, TOOLS_DIR, 0, p, sizeof p) < 0 ||
		    sys_mount(chain_toolkit_dir(), p, NULL, MS_BIND, NULL) < 0 ||
		    mount_remount(p, MS_RDONLY | MS_NOSUID | MS_NODEV) < 0)
			die_call();
	}
	if (o->readonly && mount_remount(o->root, MS_RDONLY) < 0)
		die_call();
}

/* runc's order: pivot_root(".", ".") stacks the old root on top of the new one at
 * "/", so the old root is reached through a descriptor, made private so its
 * unmount propagates nowhere, and detached. */
static void switch_root(const char *root)
{
	int oldroot = sys_open("/", O_PATH | O_DIRECTORY, 0);
	int newroot = oldroot < 0 ? -1 : sys_open(root, O_PATH | O_DIRECTORY, 0);
	if (newroot < 0 || sys_fchdir(newroot, root) < 0 || sys_pivot_root(".", ".") < 0 ||
	    sys_fchdir(oldroot, "old /") < 0 || sys_mount(NULL, ".", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    sys_umount2(".", MNT_DETACH) < 0 || sys_chdir("/") < 0)
		die_call();
	close(oldroot);
	close(newroot);
}

int main(int argc, char **argv)
{
	static struct options o;
	chain_init(&tool);
	char **program = parse_args(&o, argc, argv);
	validate(&o, program);

	if (!o.bare && sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die_call();
	/* pivot_root(2) needs the new root to be a mount point; the bind makes it one,
	 * and nodev on it means no device node in the image opens. */
	if (sys_mount(o.root, o.root, NULL, MS_BIND | MS_REC, NULL) < 0 || mount_remount(o.root, MS_NODEV) < 0)
		die_call();
	if (!o.bare)
		prepare(&o);
	if (o.chroot) {
		if (sys_chdir(o.root) < 0 || sys_chroot(".") < 0 || sys_chdir("/") < 0)
			die_call();
	} else {
		switch_root(o.root);
	}
	if (o.chdir && sys_chdir(o.chdir) < 0)
		die_call();
	chain_exec_in(TOOLS_DIR, program);
}
