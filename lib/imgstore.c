/* imgstore: DEST/layers, DEST/lower, DEST/config. See imgstore.h. */
#include "imgstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inflate.h"
#include "log.h"

/* Keeps the current failure message across cleanup that may set another. */
struct saved {
	char text[1024];
};
static void save(struct saved *m) { snprintf(m->text, sizeof m->text, "%s", fail_text()); }
static void restore(const struct saved *m) { fail("%s", m->text); }

/* Is dir empty but for the names given? */
static int only_holds(int dir, const char *a, const char *b)
{
	int fd = fcntl(dir, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	int only = 1;
	if (!d)
		return fd >= 0 ? close(fd), 0 : 0;
	for (struct dirent *e; only && (e = readdir(d));)
		only = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, a) || !strcmp(e->d_name, b);
	closedir(d);
	return only;
}

/* Removes entries of dir whose names start with prefix: what a killed run left. */
static int remove_stale(int dir, const char *prefix, const char *where)
{
	int fd = fcntl(dir, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	int r = 0;
	if (!d)
		return fd >= 0 ? close(fd), fail_sys("opendir(\"%s\")", where) : fail_sys("dup");
	for (struct dirent *e; r == 0 && (e = readdir(d));)
		if (!strncmp(e->d_name, prefix, strlen(prefix))) {
			trace_comment("%s/%s: left by a run that was killed: removed", where, e->d_name);
			r = remove_tree(dir, e->d_name);
			rewinddir(d);
		}
	closedir(d);
	return r;
}

int store_open(struct store *s, const char *dest)
{
	char parent[PATH_MAX];
	memset(s, 0, sizeof *s);
	s->dest = s->layers = s->parent = -1;
	/* DEST's parent and name, to remove it by descriptor (a caller may lack
	 * search permission on the absolute path's ancestors) */
	snprintf(parent, sizeof parent, "%s", dest);
	for (size_t n = strlen(parent); n > 1 && parent[n - 1] == '/'; n--)
		parent[n - 1] = '\0';
	char *slash = strrchr(parent, '/');
	snprintf(s->name, sizeof s->name, "%s", slash ? slash + 1 : parent);
	if (slash == parent)
		parent[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(parent, sizeof parent, ".");
	if (!*s->name || !strcmp(s->name, ".") || !strcmp(s->name, ".."))
		return fail("DEST '%s': name a directory by its own name, not . or ..", dest);
	s->parent = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->parent < 0)
		return fail_sys("open(\"%s\")", parent);
	if (trace_call(mkdir(dest, 0755), "mkdir(\"%s\", 0755)", dest) == 0)
		s->created_dest = 1;
	else if (errno != EEXIST)
		return fail_sys("mkdir(\"%s\")", dest);
	s->dest = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dest < 0)
		return fail_sys("open(\"%s\")", dest);
	if (!realpath(dest, s->path))
		return fail_sys("realpath(\"%s\")", dest);
	struct stat st;
	if (!s->created_dest && fstatat(s->dest, "layers", &st, AT_SYMLINK_NOFOLLOW) < 0 && !only_holds(s->dest, ".lock", "."))
		return fail("%s is not empty and holds no layers/: not an imgunpack directory, refusing to write into it", dest);
	s->created_lock = fstatat(s->dest, ".lock", &st, AT_SYMLINK_NOFOLLOW) < 0;
	int lock = openat(s->dest, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (lock < 0)
		return fail_sys("open(\"%s/.lock\")", dest);
	if (flock(lock, LOCK_EX | LOCK_NB) < 0) /* kept until exit */
		return errno == EWOULDBLOCK ? fail("%s is in use by another imgunpack", dest) : fail_sys("flock(\"%s/.lock\")", dest);
	if (mkdirat(s->dest, "layers", 0755) == 0)
		s->created_layers = 1;
	else if (errno != EEXIST)
		return fail_sys("mkdir(\"%s/layers\")", dest);
	s->layers = openat(s->dest, "layers", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->layers < 0)
		return fail_sys("open(\"%s/layers\")", dest);
	if (remove_stale(s->layers, ".tmp-", "layers") < 0 || remove_stale(s->dest, ".archive-", dest) < 0)
		return -1;
	return 0;
}

/* file -> [gunzip] -> sha256: the stream a layer or an archive is read through. */
struct chain {
	struct fd_source file;
	struct gunzip *z;
	struct hash_source hash;
};

static struct source *chain_open(struct chain *c, int fd, int gzip, const char *name)
{
	struct source *src = &c->file.base;
	fd_source_init(&c->file, fd, name);
	c->z = NULL;
	if (gzip) {
		c->z = malloc(sizeof *c->z);
		if (!c->z)
			return NULL;
		gunzip_init(c->z, src);
		src = &c->z->base;
	}
	hash_source_init(&c->hash, src);
	return &c->hash.base;
}

/* Reads what the tar reader left (the end blocks, padding, the gzip trailer), so
 * the digest covers every byte and the gzip CRC is checked. */
static int drain(struct source *src)
{
	char buf[65536];
	ssize_t r;
	while ((r = source_read(src, buf, sizeof buf)) > 0)
		;
	return r < 0 ? -1 : 0;
}

static int digest_is(struct chain *c, const char *want)
{
	char got[72];
	hash_source_digest(&c->hash, got);
	if (strcmp(got, want))
		return fail("diff_id mismatch: the config says %s, the uncompressed tar is %s", want, got);
	return 0;
}

static int is_gzip_file(int fd)
{
	unsigned char magic[2];
	return pread(fd, magic, 2, 0) == 2 && is_gzip_magic(magic, 2);
}

int store_extract_archive(struct store *s, const char *file)
{
	struct chain c;
	struct layer_stats st;
	struct layer_options o = { 0, 0, 0 }; /* no whiteouts, no owners, no devices */
	int fd = (int)trace_call(open(file, O_RDONLY | O_CLOEXEC), "open(\"%s\", O_RDONLY)", file);
	if (fd < 0)
		return fail_sys("open(\"%s\")", file);
	snprintf(s->archive, sizeof s->archive, ".archive-%d", (int)getpid());
	if (mkdirat(s->dest, s->archive, 0700) < 0) {
		close(fd);
		return fail_sys("mkdir(\"%s/%s\")", s->path, s->archive);
	}
	int dir = openat(s->dest, s->archive, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct source *src = dir < 0 ? NULL : chain_open(&c, fd, is_gzip_file(fd), file);
	int r = src ? layer_unpack(dir, s->archive, src, &o, &st) : fail_sys("open(\"%s\")", s->archive);
	trace_comment("%s: unpacked into %s/%s (%lu files)", file, s->path, s->archive, st.files);
	if (src)
		free(c.z);
	close(fd);
	if (r < 0) {
		if (dir >= 0)
			close(dir);
		return fail_prefix("%s", file);
	}
	return dir;
}

int store_has_layer(struct store *s, const char *diff_id)
{
	struct stat st;
	return fstatat(s->layers, diff_id + 7, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

int store_check_diff_id(int fd, int gzip, const char *diff_id)
{
	struct chain c;
	struct source *src = chain_open(&c, fd, gzip, diff_id);
	int r = src ? drain(src) : fail("out of memory");
	if (r == 0)
		r = digest_is(&c, diff_id);
	if (src)
		free(c.z);
	if (r == 0 && lseek(fd, 0, SEEK_SET) < 0)
		r = fail_sys("lseek");
	return r;
}

int store_unpack_layer(struct store *s, int fd, int gzip, const char *diff_id, const struct layer_options *o,
		       struct layer_stats *st)
{
	struct chain c;
	const char *hex = diff_id + 7;
	char name[PATH_MAX + 160];
	snprintf(s->tmp, sizeof s->tmp, ".tmp-%.16s-%d", hex, (int)getpid());
	snprintf(name, sizeof name, "%s/layers/%s", s->path, s->tmp);
	if (trace_call(mkdirat(s->layers, s->tmp, 0755), "mkdir(\"%s\", 0755)", name) < 0)
		return fail_sys("mkdir(\"%s\")", name);
	int root = openat(s->layers, s->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct source *src = root < 0 ? NULL : chain_open(&c, fd, gzip, diff_id);
	int r = src ? layer_unpack(root, name, src, o, st) : fail_sys("open(\"%s\")", name);
	if (r == 0)
		r = drain(src);
	if (r == 0)
		r = digest_is(&c, diff_id);
	if (r == 0)
		trace_comment("layer %s: diff_id verified (%llu bytes of tar)", diff_id, (unsigned long long)c.hash.size);
	if (src)
		free(c.z);
	if (root >= 0)
		close(root);
	if (r == 0) {
		char final[PATH_MAX + 80];
		snprintf(final, sizeof final, "%s/layers/%s", s->path, hex);
		r = (int)trace_call(renameat(s->layers, s->tmp, s->layers, hex), "rename(\"%s\", \"%s\")", name, final);
		if (r < 0)
			fail_sys("rename(\"%s\", \"%s\")", name, final);
	}
	if (r < 0) {
		struct saved m = { "" };
		save(&m);
		remove_tree(s->layers, s->tmp);
		s->tmp[0] = '\0';
		restore(&m);
		return -1;
	}
	s->tmp[0] = '\0';
	char (*made)[72] = realloc(s->made, (s->nmade + 1) * sizeof *made);
	if (!made)
		return fail("out of memory");
	s->made = made;
	snprintf(s->made[s->nmade++], 72, "%s", hex);
	return 0;
}

/* Writes DEST/NAME whole, through a temporary file and rename(2). */
static int put_file(struct store *s, const char *name, const char *data, size_t len)
{
	char tmp[64];
	snprintf(tmp, sizeof tmp, ".%s.tmp-%d", name, (int)getpid());
	int fd = openat(s->dest, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail_sys("open(\"%s/%s\")", s->path, tmp);
	struct fd_sink out;
	fd_sink_init(&out, fd, name);
	int r = sink_write(&out.base, data, len);
	if (close(fd) < 0 && r == 0)
		r = fail_sys("close(\"%s\")", tmp);
	if (r == 0 && trace_call(renameat(s->dest, tmp, s->dest, name), "rename(\"%s/%s\", \"%s/%s\")", s->path, tmp,
				 s->path, name) < 0)
		r = fail_sys("rename(\"%s\")", name);
	if (r < 0)
		unlinkat(s->dest, tmp, 0);
	return r;
}

int store_write_lower(struct store *s, char (*ids)[72], size_t n)
{
	struct buf_sink b;
	int r = 0;
	if (!n)
		return fail("the image has no layers: nothing to stack");
	if (strpbrk(s->path, ":,\\"))
		return fail("%s: a ':', ',' or '\\' in DEST's path would cut the overlay's lowerdir option: choose another DEST",
			    s->path);
	buf_sink_init(&b);
	for (size_t i = n; i-- > 0 && r == 0;) {
		int seen = 0;
		for (size_t k = i + 1; k < n; k++)
			seen |= !strcmp(ids[k], ids[i]); /* fully hidden under its own copy above */
		if (seen)
			continue;
		if ((b.len && sink_write(&b.base, ":", 1) < 0) || sink_write(&b.base, s->path, strlen(s->path)) < 0 ||
		    sink_write(&b.base, "/layers/", 8) < 0 || sink_write(&b.base, ids[i] + 7, 64) < 0)
			r = -1;
	}
	if (r == 0 && b.len > 3500)
		trace_comment("lower is %zu bytes: mount(2) takes one page of options, with upper and work too", b.len);
	if (r == 0)
		r = sink_write(&b.base, "\n", 1);
	if (r == 0)
		r = put_file(s, "lower", b.data, b.len);
	buf_sink_free(&b);
	return r;
}

/* "key value\n" with the value's backslashes and newlines escaped. */
static int line(struct buf_sink *b, const char *key, const char *value)
{
	if (sink_write(&b->base, key, strlen(key)) < 0 || sink_write(&b->base, " ", 1) < 0)
		return -1;
	for (const char *p = value; *p; p++) {
		const char *esc = *p == '\\' ? "\\\\" : *p == '\n' ? "\\n" : NULL;
		if (sink_write(&b->base, esc ? esc : p, esc ? 2 : 1) < 0)
			return -1;
	}
	return sink_write(&b->base, "\n", 1);
}

static int lines_of(struct buf_sink *b, const struct json *cfg, const char *field, const char *key, const char *doc)
{
	const struct json *a = json_get(cfg, field);
	if (!a || a->type == JSON_NULL)
		return 0;
	if (a->type != JSON_ARRAY)
		return fail("%s: config.%s: expected an array of strings, found %s", doc, field, json_type_name(a->type));
	for (size_t i = 0; i < a->n; i++) {
		if (a->items[i]->type != JSON_STRING)
			return fail("%s: config.%s[%zu]: expected a string, found %s", doc, field, i,
				    json_type_name(a->items[i]->type));
		if (line(b, key, a->items[i]->text) < 0)
			return -1;
	}
	return 0;
}

static int string_line(struct buf_sink *b, const struct json *cfg, const char *field, const char *key, const char *doc)
{
	const struct json *v = json_get(cfg, field);
	if (!v || v->type == JSON_NULL)
		return 0;
	if (v->type != JSON_STRING)
		return fail("%s: config.%s: expected a string, found %s", doc, field, json_type_name(v->type));
	return v->len ? line(b, key, v->text) : 0;
}

int store_write_config(struct store *s, const struct json *config, const char *config_digest, const char *manifest_digest)
{
	char doc[96];
	struct buf_sink b;
	snprintf(doc, sizeof doc, "config %.19s", config_digest);
	const struct json *cfg = json_get(config, "config");
	if (cfg && cfg->type == JSON_NULL)
		cfg = NULL;
	if (cfg && cfg->type != JSON_OBJECT)
		return fail("%s: config: expected an object, found %s", doc, json_type_name(cfg->type));
	buf_sink_init(&b);
	int r = line(&b, "image", config_digest);
	if (r == 0 && manifest_digest)
		r = line(&b, "manifest", manifest_digest);
	if (r == 0)
		r = lines_of(&b, cfg, "Entrypoint", "entrypoint", doc);
	if (r == 0)
		r = lines_of(&b, cfg, "Cmd", "cmd", doc);
	if (r == 0)
		r = lines_of(&b, cfg, "Env", "env", doc);
	if (r == 0)
		r = string_line(&b, cfg, "WorkingDir", "workdir", doc);
	if (r == 0)
		r = string_line(&b, cfg, "User", "user", doc);
	if (r == 0)
		r = put_file(s, "config", b.data, b.len);
	buf_sink_free(&b);
	return r;
}

void store_abort(struct store *s)
{
	struct saved m = { "" };
	save(&m);
	if (s->layers >= 0 && s->tmp[0])
		remove_tree(s->layers, s->tmp);
	for (size_t i = 0; s->layers >= 0 && i < s->nmade; i++)
		remove_tree(s->layers, s->made[i]);
	store_done(s);
	if (s->created_dest && s->parent >= 0) {
		trace_comment("%s: removed, as nothing of it is complete", s->path);
		remove_tree(s->parent, s->name);
	} else if (s->dest >= 0) {
		if (s->created_layers)
			unlinkat(s->dest, "layers", AT_REMOVEDIR);
		if (s->created_lock)
			unlinkat(s->dest, ".lock", 0);
	}
	restore(&m);
}

void store_done(struct store *s)
{
	if (s->dest >= 0 && s->archive[0])
		remove_tree(s->dest, s->archive);
	s->archive[0] = '\0';
}
