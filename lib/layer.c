/* layer: tar stream <-> directory, safely. See layer.h. */
#include "layer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "log.h"

#define WH_PREFIX ".wh."
#define WH_META ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"
#define OPAQUE_XATTR "trusted.overlay.opaque"

void layer_stats_text(const struct layer_stats *st, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%lu files, %lu dirs, %lu links", st->files, st->dirs, st->symlinks + st->hardlinks);
	const struct {
		unsigned long v;
		const char *one, *many;
	} more[] = { { st->whiteouts, "whiteout", "whiteouts" }, { st->opaques, "opaque dir", "opaque dirs" },
		     { st->devices, "device", "devices" } };
	for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
		if (more[i].v && n >= 0 && (size_t)n < size)
			n += snprintf(buf + n, size - (size_t)n, ", %lu %s", more[i].v, more[i].v == 1 ? more[i].one : more[i].many);
}

/* ---- names ---- */

/* A tar name as a clean relative path: no leading "./", no "." or empty
 * components, no trailing "/". "" is the layer's root (written "/" by umoci, "./"
 * by others). Other absolute names, and ".." anywhere, are refused. */
static int clean_name(const char *in, char *out, size_t size, const char *what)
{
	size_t n = 0;
	if (in[0] == '/' && in[strspn(in, "/.")] != '\0')
		return fail("%s '%s': an absolute path: refused (every entry must stay inside the layer)", what, in);
	for (const char *p = in; *p;) {
		size_t len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return fail("%s '%s': '..' would climb out of the layer: refused", what, in);
		if (len > NAME_MAX)
			return fail("%s '%s': a name longer than %d bytes", what, in, NAME_MAX);
		if (len && !(len == 1 && p[0] == '.')) {
			if (n + len + 2 > size)
				return fail("%s '%s': path too long", what, in);
			if (n)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
		if (*p)
			p++;
	}
	out[n] = '\0';
	return 0;
}

/* Splits a clean path in place: the parent ("" for the root) and the last name. */
static const char *split(char *path)
{
	char *slash = strrchr(path, '/');
	if (!slash) {
		memmove(path + 1, path, strlen(path) + 1);
		path[0] = '\0';
		return path + 1;
	}
	*slash = '\0';
	return slash + 1;
}

/* ---- walking below the root without following links ---- */

/* Opens the directory at the clean relative path below root, one component at a
 * time with O_NOFOLLOW, creating missing ones (mode 0755) when create is set. */
static int open_beneath(int root, const char *path, int create, const char *entry)
{
	int fd = fcntl(root, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return fail_sys("dup");
	for (const char *p = path; *p;) {
		char comp[NAME_MAX + 1];
		size_t len = strcspn(p, "/");
		memcpy(comp, p, len);
		comp[len] = '\0';
		int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST) {
				close(fd);
				return fail_sys("tar entry '%s': mkdirat(\"%.*s\")", entry, (int)(p - path + len), path);
			}
			fchmodat(fd, comp, 0755, AT_SYMLINK_NOFOLLOW);
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			int err = errno;
			close(fd);
			if (err == ELOOP || err == ENOTDIR)
				return fail("tar entry '%s': '%.*s' is a symbolic link or not a directory: refusing to go through it",
					    entry, (int)(p - path + len), path);
			errno = err;
			return fail_sys("tar entry '%s': openat(\"%.*s\", O_NOFOLLOW)", entry, (int)(p - path + len), path);
		}
		close(fd);
		fd = next;
		p += len;
		if (*p)
			p++;
	}
	return fd;
}

/* ---- unpacking ---- */

struct dirmeta {
	char *path;
	unsigned mode;
	unsigned long uid, gid;
	int64_t mtime;
	size_t order;
	int skip;
};

struct unpack {
	int root;
	const char *name;
	const struct layer_options *o;
	struct layer_stats *st;
	char cached[PATH_MAX];
	int cached_fd;
	struct dirmeta *dirs;
	size_t ndirs;
};

static void forget_cache(struct unpack *u)
{
	if (u->cached_fd >= 0)
		close(u->cached_fd);
	u->cached_fd = -1;
	u->cached[0] = '\0';
}

/* The entry's parent directory, kept open while entries stay in it. */
static int parent_fd(struct unpack *u, const char *parent, const char *entry)
{
	if (u->cached_fd >= 0 && !strcmp(u->cached, parent))
		return u->cached_fd;
	forget_cache(u);
	int fd = open_beneath(u->root, parent, 1, entry);
	if (fd < 0)
		return -1;
	u->cached_fd = fd;
	snprintf(u->cached, sizeof u->cached, "%s", parent);
	return fd;
}

/* Removes what sits at base so a non-directory can take its place; an empty
 * directory may go, a full one may not. (The cached directory is dir itself,
 * the parent, so it stays valid.) */
static int make_room(int dir, const char *base, const char *entry)
{
	if (unlinkat(dir, base, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno == EISDIR && unlinkat(dir, base, AT_REMOVEDIR) == 0)
		return 0;
	return fail_sys("tar entry '%s': replacing what an earlier entry made", entry);
}

static int set_xattrs(struct unpack *u, int fd, const struct tar_entry *e)
{
	for (size_t i = 0; i < e->nxattrs; i++) {
		const struct tar_xattr *x = &e->xattrs[i];
		if (!strncmp(x->name, "trusted.overlay.", 16) || !strncmp(x->name, "user.overlay.", 13)) {
			u->st->xattrs_dropped++;
			trace_comment("%s: dropped the layer's own %s (only whiteout entries make overlay marks)", e->name, x->name);
			continue;
		}
		if (!u->o->privileged && (!strncmp(x->name, "trusted.", 8) || !strncmp(x->name, "security.", 9))) {
			u->st->xattrs_unset++;
			continue;
		}
		if (fsetxattr(fd, x->name, x->value, x->len, 0) < 0) {
			if (errno == ENOTSUP || errno == EPERM) {
				u->st->xattrs_unset++;
				continue;
			}
			return fail_sys("tar entry '%s': fsetxattr(\"%s\")", e->name, x->name);
		}
	}
	return 0;
}

static struct timespec *times_of(const struct tar_entry *e, struct timespec ts[2])
{
	ts[0].tv_sec = ts[1].tv_sec = (time_t)e->mtime;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	return ts;
}

/* Owner, mode and time of something that is not a directory, by name. */
static int finish_at(struct unpack *u, int dir, const char *base, const struct tar_entry *e, int is_symlink)
{
	struct timespec ts[2];
	if (u->o->privileged && fchownat(dir, base, (uid_t)e->uid, (gid_t)e->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_sys("tar entry '%s': fchownat(%lu, %lu)", e->name, e->uid, e->gid);
	if (!is_symlink && fchmodat(dir, base, e->mode & 07777, 0) < 0)
		return fail_sys("tar entry '%s': fchmodat(0%o)", e->name, e->mode);
	if (utimensat(dir, base, times_of(e, ts), AT_SYMLINK_NOFOLLOW) < 0)
		return fail_sys("tar entry '%s': utimensat", e->name);
	return 0;
}

static int regular(struct unpack *u, struct tar_reader *t, int dir, const char *base, const struct tar_entry *e)
{
	char buf[65536];
	struct timespec ts[2];
	if (make_room(dir, base, e->name) < 0)
		return -1;
	int fd = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail_sys("tar entry '%s': openat(O_CREAT|O_EXCL|O_NOFOLLOW)", e->name);
	if (u->o->trace_each)
		trace_call(fd, "openat(\"%s\", O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW, 0600)", e->name);
	for (;;) {
		ssize_t n = tar_read(t, buf, sizeof buf);
		if (n < 0)
			goto bad;
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0) {
				fail_sys("tar entry '%s': write", e->name);
				goto bad;
			}
			off += w;
		}
		u->st->bytes += (uint64_t)n;
	}
	if (u->o->privileged && fchown(fd, (uid_t)e->uid, (gid_t)e->gid) < 0) {
		fail_sys("tar entry '%s': fchown(%lu, %lu)", e->name, e->uid, e->gid);
		goto bad;
	}
	if (fchmod(fd, e->mode & 07777) < 0) {
		fail_sys("tar entry '%s': fchmod(0%o)", e->name, e->mode);
		goto bad;
	}
	if (set_xattrs(u, fd, e) < 0)
		goto bad;
	if (futimens(fd, times_of(e, ts)) < 0) {
		fail_sys("tar entry '%s': futimens", e->name);
		goto bad;
	}
	close(fd);
	u->st->files++;
	return 0;
bad:
	close(fd);
	return -1;
}

/* A relative symlink target must not climb above the layer from where it sits;
 * an absolute one is resolved inside the container's root when it runs, and the
 * unpacker itself never follows links. */
static int check_symlink(const char *clean, const char *target)
{
	if (!*target)
		return fail("tar entry '%s': a symbolic link with an empty target", clean);
	if (target[0] == '/')
		return 0;
	long depth = 0;
	for (const char *p = clean; *p; p++)
		depth += *p == '/';
	for (const char *p = target; *p;) {
		size_t len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return fail("tar entry '%s': symbolic link to '%s' points outside the layer: refused", clean, target);
		} else if (len && !(len == 1 && p[0] == '.')) {
			depth++;
		}
		p += len;
		if (*p)
			p++;
	}
	return 0;
}

static int hardlink(struct unpack *u, int dir, const char *base, const struct tar_entry *e)
{
	char target[PATH_MAX];
	if (clean_name(e->linkname, target, sizeof target, "hard link target") < 0)
		return fail_prefix("tar entry '%s'", e->name);
	if (!*target)
		return fail("tar entry '%s': a hard link to the layer's root", e->name);
	const char *tbase = split(target);
	int tdir = open_beneath(u->root, target, 0, e->name);
	if (tdir < 0)
		return -1;
	struct stat st;
	if (fstatat(tdir, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(st.st_mode)) {
		close(tdir);
		return fail("tar entry '%s': hard link to '%s', which is not a file of this layer: refused", e->name,
			    e->linkname);
	}
	int r = make_room(dir, base, e->name);
	if (r == 0 && linkat(tdir, tbase, dir, base, 0) < 0)
		r = fail_sys("tar entry '%s': linkat(\"%s\")", e->name, e->linkname);
	close(tdir);
	if (r == 0)
		u->st->hardlinks++;
	return r;
}

static int whiteout(struct unpack *u, int dir, const char *parent, const char *base, const struct tar_entry *e)
{
	if (!strcmp(base, WH_OPAQUE)) {
		int r = (int)trace_call(fsetxattr(dir, OPAQUE_XATTR, "y", 1, 0), "setxattr(\"%s/%s\", \"%s\", \"y\")",
					u->name, *parent ? parent : ".", OPAQUE_XATTR);
		if (r < 0)
			return fail_sys("tar entry '%s': opaque directory: setxattr(\"%s\", \"y\")%s", e->name, OPAQUE_XATTR,
					u->o->privileged ? "" : " (trusted.* xattrs need root)");
		u->st->opaques++;
		return 0;
	}
	if (!strncmp(base, WH_META, strlen(WH_META))) {
		u->st->skipped++; /* AUFS bookkeeping (.wh..wh.plnk, ...): not part of the image */
		return 0;
	}
	const char *hidden = base + strlen(WH_PREFIX);
	if (!*hidden || !strcmp(hidden, ".") || !strcmp(hidden, ".."))
		return fail("tar entry '%s': a whiteout that names nothing", e->name);
	struct stat st;
	if (fstatat(dir, hidden, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		u->st->skipped++; /* this layer has the file itself: it hides the lower ones anyway */
		return 0;
	}
	if (trace_call(mknodat(dir, hidden, S_IFCHR | 0, makedev(0, 0)), "mknodat(\"%s/%s%s%s\", S_IFCHR, makedev(0, 0))",
		       u->name, parent, *parent ? "/" : "", hidden) < 0)
		return fail_sys("tar entry '%s': whiteout: mknodat(\"%s\", S_IFCHR, 0:0)", e->name, hidden);
	u->st->whiteouts++;
	return 0;
}

static int add_dir(struct unpack *u, const char *clean, const struct tar_entry *e)
{
	if (!(u->ndirs & (u->ndirs + 1)) || !u->dirs) { /* grow at 2^k - 1 */
		struct dirmeta *d = realloc(u->dirs, (u->ndirs * 2 + 2) * sizeof *d);
		if (!d)
			return fail("out of memory");
		u->dirs = d;
	}
	struct dirmeta *d = &u->dirs[u->ndirs];
	d->path = strdup(clean);
	if (!d->path)
		return fail("out of memory");
	d->mode = e->mode & 07777;
	d->uid = e->uid;
	d->gid = e->gid;
	d->mtime = e->mtime;
	d->order = u->ndirs++;
	d->skip = 0;
	return 0;
}

static int directory(struct unpack *u, int dir, const char *base, const char *clean, const struct tar_entry *e)
{
	if (*clean) {
		struct stat st;
		if (mkdirat(dir, base, 0700) < 0) {
			if (errno != EEXIST)
				return fail_sys("tar entry '%s': mkdirat", e->name);
			if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode) &&
			    (make_room(dir, base, e->name) < 0 || mkdirat(dir, base, 0700) < 0))
				return fail_sys("tar entry '%s': mkdirat", e->name);
		} else {
			u->st->dirs++;
		}
	}
	if (e->nxattrs) {
		int fd = *clean ? openat(dir, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
				: fcntl(u->root, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return fail_sys("tar entry '%s': openat", e->name);
		int r = set_xattrs(u, fd, e);
		close(fd);
		if (r < 0)
			return -1;
	}
	return add_dir(u, clean, e);
}

static int node(struct unpack *u, int dir, const char *base, const struct tar_entry *e)
{
	mode_t type = e->type == TAR_FIFO ? S_IFIFO : e->type == TAR_CHR ? S_IFCHR : S_IFBLK;
	if (e->type != TAR_FIFO && !u->o->privileged)
		return fail("tar entry '%s': device node (%c %u:%u): refused when not root", e->name,
			    e->type == TAR_CHR ? 'c' : 'b', e->devmajor, e->devminor);
	if (make_room(dir, base, e->name) < 0)
		return -1;
	if (trace_call(mknodat(dir, base, type | (e->mode & 0777), makedev(e->devmajor, e->devminor)),
		       "mknodat(\"%s/%s\", %s, makedev(%u, %u))", u->name, e->name,
		       type == S_IFIFO ? "S_IFIFO" : type == S_IFCHR ? "S_IFCHR" : "S_IFBLK", e->devmajor, e->devminor) < 0)
		return fail_sys("tar entry '%s': mknodat", e->name);
	if (type == S_IFIFO)
		u->st->fifos++;
	else
		u->st->devices++;
	return finish_at(u, dir, base, e, 0);
}

static int entry(struct unpack *u, struct tar_reader *t, const struct tar_entry *e)
{
	char clean[PATH_MAX], parent[PATH_MAX];
	if (clean_name(e->name, clean, sizeof clean, "tar entry") < 0)
		return -1;
	snprintf(parent, sizeof parent, "%s", clean);
	const char *base = split(parent);
	if (e->type != TAR_DIR && !*clean)
		return fail("tar entry '%s': names the layer's root but is not a directory", e->name);
	if (u->o->whiteouts && !strncmp(base, WH_PREFIX, strlen(WH_PREFIX))) {
		int dir = parent_fd(u, parent, e->name);
		return dir < 0 ? -1 : whiteout(u, dir, parent, base, e);
	}
	if (e->type == TAR_DIR && !*clean)
		return directory(u, u->root, "", "", e);
	int dir = parent_fd(u, parent, e->name);
	if (dir < 0)
		return -1;
	switch (e->type) {
	case TAR_DIR:
		return directory(u, dir, base, clean, e);
	case TAR_REG:
		return regular(u, t, dir, base, e);
	case TAR_SYMLINK:
		if (check_symlink(clean, e->linkname) < 0 || make_room(dir, base, e->name) < 0)
			return -1;
		if (symlinkat(e->linkname, dir, base) < 0)
			return fail_sys("tar entry '%s': symlinkat(\"%s\")", e->name, e->linkname);
		u->st->symlinks++;
		return finish_at(u, dir, base, e, 1);
	case TAR_HARDLINK:
		return hardlink(u, dir, base, e);
	default:
		return node(u, dir, base, e);
	}
}

static int by_path_then_latest(const void *a, const void *b)
{
	const struct dirmeta *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : x->order < y->order ? 1 : -1;
}

static int depth_of(const char *p)
{
	int d = *p != '\0';
	for (; *p; p++)
		d += *p == '/';
	return d;
}

static int deepest_first(const void *a, const void *b)
{
	const struct dirmeta *x = a, *y = b;
	int dx = depth_of(x->path), dy = depth_of(y->path);
	return dx != dy ? dy - dx : strcmp(x->path, y->path);
}

/* Directory owners, modes and times, deepest first so none is locked before its
 * children are done; for a directory named twice, the last entry wins. */
static int finish_dirs(struct unpack *u)
{
	qsort(u->dirs, u->ndirs, sizeof *u->dirs, by_path_then_latest);
	for (size_t i = 1; i < u->ndirs; i++)
		u->dirs[i].skip = !strcmp(u->dirs[i].path, u->dirs[i - 1].path);
	qsort(u->dirs, u->ndirs, sizeof *u->dirs, deepest_first);
	forget_cache(u);
	for (size_t i = 0; i < u->ndirs; i++) {
		struct dirmeta *d = &u->dirs[i];
		struct timespec ts[2] = { { (time_t)d->mtime, 0 }, { (time_t)d->mtime, 0 } };
		if (d->skip)
			continue;
		int fd = open_beneath(u->root, d->path, 0, d->path);
		if (fd < 0)
			return -1;
		int r = 0;
		if (u->o->privileged && fchown(fd, (uid_t)d->uid, (gid_t)d->gid) < 0)
			r = fail_sys("directory '%s': fchown(%lu, %lu)", d->path, d->uid, d->gid);
		if (!r && fchmod(fd, d->mode) < 0)
			r = fail_sys("directory '%s': fchmod(0%o)", d->path, d->mode);
		if (!r && futimens(fd, ts) < 0)
			r = fail_sys("directory '%s': futimens", d->path);
		close(fd);
		if (r)
			return -1;
	}
	return 0;
}

int layer_unpack(int root, const char *name, struct source *src, const struct layer_options *o, struct layer_stats *st)
{
	struct unpack u = { .root = root, .name = name, .o = o, .st = st, .cached_fd = -1 };
	struct tar_reader t;
	struct tar_entry e;
	int r;
	memset(st, 0, sizeof *st);
	tar_reader_init(&t, src);
	while ((r = tar_next(&t, &e)) == 1) {
		r = entry(&u, &t, &e);
		tar_entry_free(&e);
		if (r < 0)
			break;
	}
	if (r == 0)
		r = finish_dirs(&u);
	forget_cache(&u);
	for (size_t i = 0; i < u.ndirs; i++)
		free(u.dirs[i].path);
	free(u.dirs);
	return r;
}

/* ---- packing ---- */

struct packed_inode {
	dev_t dev;
	ino_t ino;
	char *name;
};

struct pack {
	struct tar_writer *w;
	const struct pack_options *o;
	struct layer_stats *st;
	char path[PATH_MAX];
	struct packed_inode *inodes;
	size_t ninodes;
};

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The xattrs of an open file, except OverlayFS's own; *opaque tells whether it
 * carried trusted.overlay.opaque="y". */
static int read_xattrs(int fd, struct tar_entry *e, int *opaque, const char *name)
{
	char list[8192], value[65536];
	ssize_t n = flistxattr(fd, list, sizeof list);
	if (n < 0)
		return errno == ENOTSUP ? 0 : fail_sys("flistxattr(\"%s\")", name);
	for (char *k = list; k < list + n; k += strlen(k) + 1) {
		ssize_t v = fgetxattr(fd, k, value, sizeof value);
		if (v < 0)
			return fail_sys("fgetxattr(\"%s\", \"%s\")", name, k);
		if (!strcmp(k, OPAQUE_XATTR) || !strcmp(k, "user.overlay.opaque")) {
			*opaque = v == 1 && value[0] == 'y';
			continue;
		}
		if (!strncmp(k, "trusted.overlay.", 16) || !strncmp(k, "user.overlay.", 13))
			continue;
		if (tar_entry_add_xattr(e, k, value, (size_t)v) < 0)
			return -1;
	}
	return 0;
}

static int copy_data(struct pack *p, int fd, uint64_t size, const char *name)
{
	char buf[65536];
	uint64_t left = size;
	while (left) {
		ssize_t n = read(fd, buf, left < sizeof buf ? (size_t)left : sizeof buf);
		if (n < 0)
			return fail_sys("read(\"%s\")", name);
		if (n == 0)
			return fail("%s: shrank while being packed", name);
		if (tar_write_data(p->w, buf, (size_t)n) < 0)
			return -1;
		left -= (uint64_t)n;
	}
	p->st->bytes += size;
	return 0;
}

/* A hard link to a name already packed, or NULL (and the inode is remembered). */
static const char *seen_inode(struct pack *p, const struct stat *st, const char *name)
{
	for (size_t i = 0; i < p->ninodes; i++)
		if (p->inodes[i].dev == st->st_dev && p->inodes[i].ino == st->st_ino)
			return p->inodes[i].name;
	struct packed_inode *n = realloc(p->inodes, (p->ninodes + 1) * sizeof *n);
	if (n) {
		p->inodes = n;
		n[p->ninodes].dev = st->st_dev;
		n[p->ninodes].ino = st->st_ino;
		n[p->ninodes].name = strdup(name);
		if (n[p->ninodes].name)
			p->ninodes++;
	}
	return NULL;
}

static int pack_dir(struct pack *p, int dirfd, size_t plen);

static int pack_one(struct pack *p, int dirfd, const char *name, size_t plen)
{
	struct stat st;
	struct tar_entry e;
	int fd = -1, opaque = 0, r = -1;
	char link[PATH_MAX];
	size_t nlen = strlen(name);
	if (plen + nlen + 16 >= sizeof p->path)
		return fail("%.*s%s: path too long", (int)plen, p->path, name);
	memcpy(p->path + plen, name, nlen + 1);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_sys("fstatat(\"%s\")", p->path);
	memset(&e, 0, sizeof e);
	e.name = p->path;
	e.linkname = "";
	e.mode = st.st_mode & 07777;
	e.uid = st.st_uid;
	e.gid = st.st_gid;
	e.mtime = st.st_mtime;
	if (p->o->clamp_mtime > 0 && e.mtime > p->o->clamp_mtime)
		e.mtime = p->o->clamp_mtime;
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
		/* an OverlayFS whiteout: the OCI form is an empty file named .wh.NAME */
		memmove(p->path + plen + 4, p->path + plen, nlen + 1);
		memcpy(p->path + plen, WH_PREFIX, 4);
		e.type = TAR_REG;
		e.mode = 0;
		p->st->whiteouts++;
		return tar_write_header(p->w, &e);
	}
	if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
		if (fd < 0)
			return fail_sys("openat(\"%s\")", p->path);
		if (read_xattrs(fd, &e, &opaque, p->path) < 0)
			goto out;
	}
	e.name = p->path;
	if (S_ISDIR(st.st_mode)) {
		e.type = TAR_DIR;
		strcat(p->path, "/");
		if (tar_write_header(p->w, &e) < 0)
			goto out;
		p->st->dirs++;
		if (opaque) {
			struct tar_entry o = e;
			size_t at = strlen(p->path);
			strcat(p->path, WH_OPAQUE);
			o.type = TAR_REG;
			o.mode = 0;
			o.nxattrs = 0;
			o.xattrs = NULL;
			int w = tar_write_header(p->w, &o);
			p->path[at] = '\0';
			if (w < 0)
				goto out;
			p->st->opaques++;
		}
		r = pack_dir(p, fd, strlen(p->path));
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		const char *first = st.st_nlink > 1 ? seen_inode(p, &st, p->path) : NULL;
		if (first) {
			e.type = TAR_HARDLINK;
			e.linkname = (char *)first;
			p->st->hardlinks++;
			r = tar_write_header(p->w, &e);
			goto out;
		}
		e.type = TAR_REG;
		e.size = (uint64_t)st.st_size;
		if (tar_write_header(p->w, &e) < 0 || copy_data(p, fd, e.size, p->path) < 0)
			goto out;
		p->st->files++;
		r = 0;
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(dirfd, name, link, sizeof link - 1);
		if (n < 0)
			return fail_sys("readlinkat(\"%s\")", p->path);
		link[n] = '\0';
		e.type = TAR_SYMLINK;
		e.linkname = link;
		p->st->symlinks++;
	} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		e.type = S_ISCHR(st.st_mode) ? TAR_CHR : TAR_BLK;
		e.devmajor = major(st.st_rdev);
		e.devminor = minor(st.st_rdev);
		p->st->devices++;
	} else if (S_ISFIFO(st.st_mode)) {
		e.type = TAR_FIFO;
		p->st->fifos++;
	} else {
		p->st->skipped++; /* a socket: it cannot be stored */
		trace_comment("%s: a socket, left out", p->path);
		return 0;
	}
	r = tar_write_header(p->w, &e);
out:
	if (fd >= 0)
		close(fd);
	e.name = e.linkname = NULL; /* not owned: only the xattrs are */
	tar_entry_free(&e);
	return r;
}

static int pack_dir(struct pack *p, int dirfd, size_t plen)
{
	int copy = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = copy < 0 ? NULL : fdopendir(copy);
	char **names = NULL;
	size_t n = 0;
	int r = 0;
	if (!d) {
		if (copy >= 0)
			close(copy);
		return fail_sys("opendir(\"%.*s\")", (int)plen, p->path);
	}
	for (struct dirent *de; (de = readdir(d));) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char **more = realloc(names, (n + 1) * sizeof *names);
		if (!more || !(more[n] = strdup(de->d_name))) {
			names = more ? more : names;
			r = fail("out of memory");
			break;
		}
		names = more;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n && r == 0; i++)
		r = pack_one(p, dirfd, names[i], plen);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	p->path[plen] = '\0';
	return r;
}

int layer_pack(const char *dir, struct tar_writer *w, const struct pack_options *o, struct layer_stats *st)
{
	struct pack p = { .w = w, .o = o, .st = st };
	memset(st, 0, sizeof *st);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail_sys("open(\"%s\")", dir);
	int r = pack_dir(&p, fd, 0);
	close(fd);
	for (size_t i = 0; i < p.ninodes; i++)
		free(p.inodes[i].name);
	free(p.inodes);
	return r;
}

/* ---- removing ---- */

static int remove_below(int dirfd, const char *name, int depth)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : fail_sys("fstatat(\"%s\")", name);
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? fail_sys("unlinkat(\"%s\")", name) : 0;
	if (depth > 1000)
		return fail("%s: nested too deep to remove", name);
	/* a directory left read-only (0555) cannot be emptied until it is writable */
	if ((st.st_mode & 0700) != 0700)
		fchmodat(dirfd, name, 0700, 0);
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail_sys("openat(\"%s\")", name);
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return fail_sys("fdopendir(\"%s\")", name);
	}
	int r = 0;
	for (struct dirent *de; r == 0 && (de = readdir(d));)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			r = remove_below(fd, de->d_name, depth + 1);
	closedir(d);
	if (r == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = fail_sys("rmdir(\"%s\")", name);
	return r;
}

int remove_tree(int dirfd, const char *path) { return remove_below(dirfd, path, 0); }
