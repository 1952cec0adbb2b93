/* mount: what overlaymount and pivot share (mount(2), mount_namespaces(7)):
 * whether this is the host's mount namespace, the flags and propagation of a
 * mount, and paths resolved inside a root without following links out of it. */
#ifndef BOXSTEP_MOUNT_H
#define BOXSTEP_MOUNT_H

#include <limits.h>
#include <stddef.h>

/* Whether this process shares its namespace of type proc_name ("mnt", "pid",
 * "user") with kthreadd, /proc/2, a kernel thread that never leaves the initial
 * namespaces: 1 yes (the host's), 0 no, -1 cannot tell (this /proc shows another
 * pid namespace, where /proc/2 is not kthreadd, or /proc/2/ns is unreadable).
 * /proc/1 is not used: it may be unreadable even for root, and inside a new pid
 * namespace PID 1 is the container itself. Untraced but for a comment. */
int ns_is_initial(const char *proc_name);

/* Whether this process is in the host's initial user namespace: its uid_map maps
 * every uid to itself ("0 0 4294967295"), which no child namespace of an
 * unprivileged user can have. Works where /proc/2/ns is unreadable (inside a user
 * namespace). 1 yes, 0 no, -1 unreadable. */
int user_ns_is_initial(void);

/* The MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC flags of the mount holding path, from
 * statvfs(3); 0 when it cannot be read. */
unsigned long mount_flags_of(const char *path);

/* Changes the flags of the mount at path: mount(NULL, path, NULL,
 * MS_REMOUNT|MS_BIND|kept|add, NULL), kept being what it already has (a bind
 * mount takes ro, nosuid, nodev, noexec only this way, and a flag left out would be
 * cleared; atime flags are kept by the kernel). Traced; -1 with errno. */
int mount_remount(const char *path, unsigned long add);

/* One line of /proc/self/mountinfo (proc(5)). */
struct mount_info {
	int id, parent;
	char mount_point[PATH_MAX]; /* unescaped (\040 is a space again) */
	char fstype[64];
	char propagation[128];      /* the optional fields, "shared:1 master:2"; "" when private */
};
/* The mount holding path (absolute, without symlinks): the last mountinfo line
 * whose mount point is the longest prefix of it. 0, or -1 with errno. */
int mount_find(const char *path, struct mount_info *out);

/* Resolves path (taken from root whether or not it starts with "/") inside the
 * directory root (absolute, without symlinks), as openat2(2) RESOLVE_IN_ROOT does:
 * an absolute symlink or ".." never leads out of root. With nofollow any symlink
 * is refused (ELOOP). out gets the host path of what was found, without symlinks.
 * -1 with errno: ENOENT when a component is missing. */
int root_resolve(const char *root, const char *path, int nofollow, char *out, size_t size);
/* root_resolve, creating what is missing as mkdir -p would (traced mkdir(2)
 * inside the resolved parent), the last component an empty file when as_file. */
int root_mkpath(const char *root, const char *path, int as_file, char *out, size_t size);

#endif
