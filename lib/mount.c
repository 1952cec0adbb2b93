/* mount: shared by overlaymount and pivot. See mount.h. */
#include "mount.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "procinfo.h"
#include "sys.h"
#include "sysfs.h"

int ns_is_initial(const char *proc_name)
{
	char comm[32], mine[64], theirs[64];
	struct stat a, b;
	snprintf(mine, sizeof mine, "/proc/self/ns/%s", proc_name);
	snprintf(theirs, sizeof theirs, "/proc/2/ns/%s", proc_name);
	if (read_file("/proc/2/comm", comm, sizeof comm) < 0 || strcmp(comm, "kthreadd") != 0 ||
	    stat(mine, &a) < 0 || stat(theirs, &b) < 0) {
		trace_comment("cannot tell whether the %s namespace is the host's (/proc/2 is not a readable kthreadd)",
			      proc_name);
		return -1;
	}
	int same = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	trace_comment("%s namespace: %s (compared with kthreadd, /proc/2/ns/%s)", proc_name,
		      same ? "the host's initial one" : "not the host's", proc_name);
	return same;
}

int user_ns_is_initial(void)
{
	char map[256], squeezed[256];
	if (read_file("/proc/self/uid_map", map, sizeof map) < 0)
		return -1;
	proc_squeeze(map, squeezed, sizeof squeezed);
	int initial = strcmp(squeezed, "0 0 4294967295") == 0;
	trace_comment("user namespace: %s (uid_map \"%s\")", initial ? "the host's initial one" : "not the host's",
		      squeezed);
	return initial;
}

unsigned long mount_flags_of(const char *path)
{
	static const struct { unsigned long st, ms; } map[] = {
		{ ST_RDONLY, MS_RDONLY }, { ST_NOSUID, MS_NOSUID },
		{ ST_NODEV, MS_NODEV },   { ST_NOEXEC, MS_NOEXEC },
	};
	struct statvfs sv;
	unsigned long flags = 0;
	if (statvfs(path, &sv) < 0)
		return 0;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (sv.f_flag & map[i].st)
			flags |= map[i].ms;
	return flags;
}

int mount_remount(const char *path, unsigned long add)
{
	return sys_mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | mount_flags_of(path) | add, NULL);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(const char *in, char *out, size_t size)
{
	size_t n = 0;
	while (*in && n + 1 < size) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' &&
		    in[3] >= '0' && in[3] <= '7') {
			out[n++] = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
			in += 4;
		} else {
			out[n++] = *in++;
		}
	}
	out[n] = '\0';
}

static int parse_line(char *line, struct mount_info *m)
{
	char *save, *f[6];
	for (int i = 0; i < 6; i++)
		if (!(f[i] = strtok_r(i ? NULL : line, " ", &save)))
			return -1;
	m->id = atoi(f[0]);
	m->parent = atoi(f[1]);
	unescape(f[4], m->mount_point, sizeof m->mount_point);
	m->propagation[0] = '\0';
	char *w;
	while ((w = strtok_r(NULL, " ", &save)) && strcmp(w, "-") != 0) {
		size_t len = strlen(m->propagation);
		snprintf(m->propagation + len, sizeof m->propagation - len, "%s%s", len ? " " : "", w);
	}
	if (!w || !(w = strtok_r(NULL, " ", &save)))
		return -1;
	snprintf(m->fstype, sizeof m->fstype, "%s", w);
	return 0;
}

static size_t prefix_len(const char *mount_point, const char *path)
{
	size_t n = strlen(mount_point);
	if (strcmp(mount_point, "/") == 0)
		return 1;
	if (strncmp(mount_point, path, n) == 0 && (path[n] == '/' || path[n] == '\0'))
		return n + 1;
	return 0;
}

int mount_find(const char *path, struct mount_info *out)
{
	char *text = file_read_all("/proc/self/mountinfo");
	if (!text)
		return -1;
	const char *p = text;
	char line[3 * PATH_MAX];
	size_t best = 0;
	struct mount_info m;
	while (proc_next_line(&p, line, sizeof line) == 0) {
		if (parse_line(line, &m) < 0)
			continue;
		size_t n = prefix_len(m.mount_point, path);
		if (n && n >= best) {
			best = n;
			*out = m;
		}
	}
	free(text);
	if (!best) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

/* The host path an O_PATH descriptor names, from /proc/self/fd. */
static int fd_path(int fd, char *out, size_t size)
{
	char link[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, out, size - 1);
	if (n < 0)
		return -1;
	if ((size_t)n >= size - 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	out[n] = '\0';
	return 0;
}

int root_resolve(const char *root, const char *path, int nofollow, char *out, size_t size)
{
	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return -1;
	struct open_how how;
	memset(&how, 0, sizeof how);
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (nofollow ? RESOLVE_NO_SYMLINKS : 0);
	int fd = (int)syscall(SYS_openat2, rfd, path, &how, sizeof how);
	int saved = errno;
	close(rfd);
	if (fd < 0) {
		errno = saved;
		return -1;
	}
	int r = fd_path(fd, out, size);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int root_mkpath(const char *root, const char *path, int as_file, char *out, size_t size)
{
	char copy[PATH_MAX], sub[PATH_MAX] = "", parent[PATH_MAX], made[PATH_MAX];
	if (root_resolve(root, path, 0, out, size) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	snprintf(copy, sizeof copy, "%s", path);
	snprintf(parent, sizeof parent, "%s", root);
	char *save, *comp = strtok_r(copy, "/", &save);
	while (comp) {
		char *next = strtok_r(NULL, "/", &save);
		size_t len = strlen(sub);
		snprintf(sub + len, sizeof sub - len, "/%s", comp);
		if (root_resolve(root, sub, 0, made, sizeof made) < 0) {
			if (errno != ENOENT)
				return -1;
			if (snprintf(made, sizeof made, "%s/%s", parent, comp) >= (int)sizeof made) {
				errno = ENAMETOOLONG;
				return -1;
			}
			int r = !next && as_file ? sys_create_file(made, 0644, "", 0) : sys_mkdir(made, 0755);
			if (r < 0 || root_resolve(root, sub, 0, made, sizeof made) < 0)
				return -1;
		}
		snprintf(parent, sizeof parent, "%s", made);
		comp = next;
	}
	if (snprintf(out, size, "%s", parent) >= (int)size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}
