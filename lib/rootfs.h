/* rootfs: the mounts that turn a directory into a container's root, as runc and
 * bubblewrap make them before pivot_root(2): a minimal /dev, and the paths Docker
 * masks or makes read-only in /proc and /sys. root is an absolute path without
 * symlinks, its dev, proc and sys checked to be directories of its own. Every call
 * is traced; a function returns -1 with errno after a call failed (die_call()
 * then names it). */
#ifndef BOXSTEP_ROOTFS_H
#define BOXSTEP_ROOTFS_H

#include <limits.h>

/* The host's /dev/null is the character device 1:3 (it is bound over masked files).
 * 0, or -1 after printing why not. */
int rootfs_check_null(void);

/* root/dev: a nodev tmpfs holding the host's null zero full random urandom tty
 * bound in (bind mounts keep their own flags, so these still open while a node
 * made with mknod(2) in the tmpfs cannot), a new devpts instance on pts, a nodev
 * tmpfs on shm, mqueue, and the ptmx, fd, stdin, stdout, stderr links. */
int rootfs_dev(const char *root);

/* After /proc and /sys are mounted in root: Docker's masked paths (a file gets the
 * host's /dev/null bound over it, a directory an empty read-only tmpfs) and its
 * read-only paths (bound onto themselves, then remounted read-only). Paths this
 * kernel lacks are skipped, with a trace comment. */
int rootfs_mask(const char *root);

/* root/sys/fs/cgroup, read-only, as Docker mounts it (cgroups(7)): the cgroup2
 * file system on a v2 host; on v1 and hybrid hosts a tmpfs holding each v1
 * hierarchy mounted again under its own name, and cgroup2 at unified. Only in a
 * cgroup namespace of its own, where each shows the container's cgroup as its
 * root (so cinfo reads the limits from inside); never the host's tree. A refusal (v1 in a user namespace) only leaves the
 * container without them, with a trace comment. Returns 0, or -1 for die_call(). */
int rootfs_cgroup(const char *root);

/* A volume, as docker run -v and --tmpfs make them: a host file or directory bound
 * at dst inside the root (nosuid, nodev, read-only with :ro; without the mounts
 * below it, so those flags hold for everything it shows), or an empty tmpfs. */
struct rootfs_volume {
	const char *src;      /* NULL for a tmpfs */
	char dst[PATH_MAX];   /* absolute inside the root, no ".." */
	char data[64];        /* tmpfs options: "mode=1777,size=N" */
	int ro, file;
};
/* Parses "SRC:DST" or "SRC:DST:ro" (bind), or "DST" or "DST:SIZE" (tmpfs); option
 * names the option for the usage error (exit 125) bad input gets. */
void rootfs_volume_parse(struct rootfs_volume *v, const char *option, int tmpfs, char *arg);
/* Before any change: SRC exists (file or directory), and DST exists in root unless
 * the root can be written (root_ro). Exits 125 with the reason otherwise. */
void rootfs_volume_check(struct rootfs_volume *v, const char *root, int root_ro);
/* Creates DST when missing (inside root, links never leading out) and mounts. */
int rootfs_volume_mount(const struct rootfs_volume *v, const char *root);

#endif
