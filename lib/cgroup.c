/* cgroup: layout detection. See cgroup.h. */
#include "cgroup.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "procinfo.h"
#include "sys.h"

/* One line of /proc/self/mountinfo (proc(5)), the fields this module reads. */
struct mount_entry {
	const char *root, *point, *fstype, *superopts;
};

/* mountinfo escapes space, tab, newline and backslash as \ooo; undo it in place. */
static void unescape(char *s)
{
	char *out = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* Calls fn for every mount under /sys/fs/cgroup (the mount itself included) until
 * fn returns non-zero; returns that value, or 0. mountinfo is read once per
 * process: the mounts do not change while a tool looks at them, and a tool asks
 * several times (the layout, then each controller). */
static int each_cgroup_mount(int (*fn)(const struct mount_entry *m, void *ctx), void *ctx)
{
	static char *text;
	if (!text && !(text = file_read_all("/proc/self/mountinfo")))
		return 0;
	int r = 0;
	for (const char *next = text; !r && *next;) {
		size_t size = strcspn(next, "\n");
		const char *start = next;
		next += size + (next[size] == '\n');
		if (!memmem(start, size, " " CGROUP_MOUNT, strlen(" " CGROUP_MOUNT)))
			continue;
		char line[PATH_MAX * 2];
		if (size >= sizeof line)
			continue;
		memcpy(line, start, size);
		line[size] = '\0';
		char *fields[5], *save = NULL, *tok = strtok_r(line, " ", &save);
		int n = 0;
		for (; tok && n < 5; tok = strtok_r(NULL, " ", &save))
			fields[n++] = tok;
		while (tok && strcmp(tok, "-") != 0) /* optional fields end at "-" */
			tok = strtok_r(NULL, " ", &save);
		char *fstype = tok ? strtok_r(NULL, " ", &save) : NULL;
		char *source = fstype ? strtok_r(NULL, " ", &save) : NULL;
		char *superopts = source ? strtok_r(NULL, " ", &save) : NULL;
		if (n == 5 && superopts) {
			unescape(fields[3]);
			unescape(fields[4]);
			size_t len = strlen(CGROUP_MOUNT);
			if (strncmp(fields[4], CGROUP_MOUNT, len) == 0 && (!fields[4][len] || fields[4][len] == '/')) {
				struct mount_entry m = { fields[3], fields[4], fstype, superopts };
				r = fn(&m, ctx);
			}
		}
	}
	return r;
}

static int find_hybrid_v2(const struct mount_entry *m, void *ctx)
{
	(void)ctx;
	return strcmp(m->fstype, "cgroup2") == 0 && strcmp(m->point, CGROUP_HYBRID_V2) == 0;
}

static int find_v1(const struct mount_entry *m, void *ctx)
{
	(void)ctx;
	return strcmp(m->fstype, "cgroup") == 0;
}

enum cgroup_layout cgroup_layout(void)
{
	struct statfs st;
	if (statfs(CGROUP_MOUNT, &st) < 0)
		return CGROUP_NONE;
	if (st.f_type == CGROUP2_SUPER_MAGIC)
		return CGROUP_V2;
	if (st.f_type != TMPFS_MAGIC)
		return CGROUP_NONE;
	if (each_cgroup_mount(find_hybrid_v2, NULL))
		return CGROUP_HYBRID;
	return each_cgroup_mount(find_v1, NULL) ? CGROUP_V1 : CGROUP_NONE;
}

const char *cgroup_layout_name(enum cgroup_layout layout)
{
	switch (layout) {
	case CGROUP_V2: return "v2";
	case CGROUP_HYBRID: return "hybrid";
	case CGROUP_V1: return "v1";
	case CGROUP_NONE: break;
	}
	return "none";
}

const char *cgroup_v2_root(enum cgroup_layout layout)
{
	return layout == CGROUP_V2 ? CGROUP_MOUNT : layout == CGROUP_HYBRID ? CGROUP_HYBRID_V2 : NULL;
}

/* Appends word to a space-separated list. */
static void append(char *buf, size_t size, const char *word)
{
	size_t len = strlen(buf);
	snprintf(buf + len, size - len, "%s%s", len ? " " : "", word);
}

struct v1_list {
	char known[1024]; /* " cpu memory ... ": the controllers /proc/cgroups names */
	char *buf;
	size_t size;
	int count;
};

/* A v1 mount's super options hold its controllers among flags (rw, noprefix,
 * name=systemd, ...); the kernel's own list of controllers tells them apart. */
static int add_v1(const struct mount_entry *m, void *ctx)
{
	struct v1_list *l = ctx;
	if (strcmp(m->fstype, "cgroup") != 0)
		return 0;
	char opts[512], *save = NULL;
	snprintf(opts, sizeof opts, "%s", m->superopts);
	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		char key[80];
		snprintf(key, sizeof key, " %s ", o);
		if (strstr(l->known, key)) {
			append(l->buf, l->size, o);
			l->count++;
		}
	}
	return 0;
}

int cgroup_v1_controllers(char *buf, size_t size)
{
	struct v1_list l = { " ", buf, size, 0 };
	char text[2048];
	buf[0] = '\0';
	if (read_file("/proc/cgroups", text, sizeof text) < 0)
		return 0;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		size_t len = strlen(l.known);
		snprintf(l.known + len, sizeof l.known - len, "%.*s ", (int)strcspn(line, " \t"), line);
	}
	each_cgroup_mount(add_v1, &l);
	return l.count;
}

struct v1_find {
	const char *controller; /* NULL: the cgroup2 mount */
	char *path, *root;
	size_t size, rsize;
};

static int found(const struct mount_entry *m, struct v1_find *f)
{
	snprintf(f->path, f->size, "%s", m->point);
	if (f->root)
		snprintf(f->root, f->rsize, "%s", m->root);
	return 1;
}

static int find_controller(const struct mount_entry *m, void *ctx)
{
	struct v1_find *f = ctx;
	if (!f->controller)
		return strcmp(m->fstype, "cgroup2") == 0 ? found(m, f) : 0;
	if (strcmp(m->fstype, "cgroup") != 0)
		return 0;
	char opts[512], *save = NULL;
	snprintf(opts, sizeof opts, "%s", m->superopts);
	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save))
		if (strcmp(o, f->controller) == 0)
			return found(m, f);
	return 0;
}

int cgroup_v1_mount_root(const char *controller, char *path, size_t size, char *root, size_t rsize)
{
	struct v1_find f = { controller, path, root, size, rsize };
	return controller && each_cgroup_mount(find_controller, &f) ? 0 : -1;
}

int cgroup_v1_mount(const char *controller, char *path, size_t size)
{
	return cgroup_v1_mount_root(controller, path, size, NULL, 0);
}

int cgroup_v2_mount_root(char *path, size_t size, char *root, size_t rsize)
{
	struct v1_find f = { NULL, path, root, size, rsize };
	return each_cgroup_mount(find_controller, &f) ? 0 : -1;
}

bool cgroup_word_in(const char *list, const char *word)
{
	size_t len = strlen(word);
	for (const char *p = list; (p = strstr(p, word)) != NULL; p += len)
		if ((p == list || p[-1] == ' ' || p[-1] == '\n') && (!p[len] || p[len] == ' ' || p[len] == '\n'))
			return true;
	return false;
}

int cgroup_v2_controllers(enum cgroup_layout layout, char *buf, size_t size)
{
	const char *root = cgroup_v2_root(layout);
	char path[256], text[1024];
	buf[0] = '\0';
	if (!root)
		return -1;
	snprintf(path, sizeof path, "%s/cgroup.controllers", root);
	if (read_file(path, text, sizeof text) < 0)
		return -1;
	int count = 0;
	char *save = NULL;
	for (char *w = strtok_r(text, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		append(buf, size, w);
		count++;
	}
	return count;
}

/* Inside a cgroup namespace the cgroup sits `levels` unknown directories below dir,
 * then at path: the one whose cgroup.procs lists pid. */
static int find_by_pid(const char *dir, int levels, const char *path, pid_t pid, char *out, size_t size)
{
	char sub[PATH_MAX];
	if (levels == 0) {
		int n = snprintf(sub, sizeof sub, "%s%s/cgroup.procs", dir, strcmp(path, "/") ? path : "");
		char *procs = n > 0 && (size_t)n < sizeof sub ? file_read_all(sub) : NULL;
		bool found = false;
		for (const char *p = procs; p && *p && !found; p += strcspn(p, "\n"), p += *p == '\n')
			found = atoi(p) == (int)pid;
		free(procs);
		if (!found)
			return -1;
		n = snprintf(out, size, "%s%s", dir, strcmp(path, "/") ? path : "");
		return n < 0 || (size_t)n >= size ? -1 : 0;
	}
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = -1;
	while (d && r < 0 && (e = readdir(d)) != NULL) {
		int n = snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR && e->d_name[0] != '.' && n > 0 && (size_t)n < sizeof sub)
			r = find_by_pid(sub, levels - 1, path, pid, out, size);
	}
	if (d)
		closedir(d);
	return r;
}

int cgroup_locate(const char *mount, const char *root, const char *path, pid_t pid, char *out, size_t size)
{
	size_t len = strcmp(root, "/") ? strlen(root) : 0;
	if (len && (strncmp(path, root, len) != 0 || (path[len] && path[len] != '/'))) {
		/* "/..", "/../..": the namespace's root is that many levels below the
		 * mount's root; look for pid there. */
		int levels = 0;
		const char *r = root;
		while (strncmp(r, "/..", 3) == 0 && (r[3] == '/' || !r[3]))
			levels++, r += 3;
		return *r || !levels ? -1 : find_by_pid(mount, levels, path, pid ? pid : getpid(), out, size);
	}
	int n = snprintf(out, size, "%s%s", mount, strcmp(path + len, "/") ? path + len : "");
	return n < 0 || (size_t)n >= size ? -1 : 0;
}
