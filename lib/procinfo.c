/* procinfo: reading /proc/PID. See procinfo.h. */
#include "procinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "ns.h"
#include "parse.h"
#include "sys.h"

void proc_path(char *buf, size_t size, pid_t pid, const char *name)
{
	if (pid)
		snprintf(buf, size, "/proc/%d/%s", (int)pid, name);
	else
		snprintf(buf, size, "/proc/self/%s", name);
}

char *proc_read(pid_t pid, const char *name)
{
	char path[PATH_MAX];
	proc_path(path, sizeof path, pid, name);
	return file_read_all(path);
}

int proc_ns_links(pid_t pid, char links[][PROC_NS_LINK_MAX], size_t *bad)
{
	const struct ns_type *t = ns_types();
	char dir[64];
	proc_path(dir, sizeof dir, pid, "ns");
	for (size_t i = 0; i < NS_TYPE_COUNT; i++) {
		if (ns_link(pid, t[i].proc, links[i], PROC_NS_LINK_MAX) == 0)
			continue;
		int err = errno;
		links[i][0] = '\0';
		if (err == ENOENT && access(dir, F_OK) == 0)
			continue; /* a type this kernel lacks (time before 5.6) */
		*bad = i;
		errno = err;
		return -1;
	}
	return 0;
}

char *file_read_all(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf)
			break;
		if (len + 1 >= cap) {
			char *bigger = realloc(buf, cap *= 2);
			if (!bigger) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = bigger;
		}
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0) {
			int saved = errno;
			free(buf);
			buf = NULL;
			errno = saved;
			break;
		}
		if (n == 0) {
			buf[len] = '\0';
			break;
		}
		len += (size_t)n;
	}
	int saved = errno;
	close(fd);
	errno = saved;
	return buf;
}

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

void proc_squeeze(const char *in, char *out, size_t size)
{
	size_t n = 0;
	if (!size)
		return;
	while (blank(*in))
		in++;
	for (; *in && *in != '\n' && n + 1 < size; in++) {
		if (blank(*in)) {
			while (blank(in[1]))
				in++;
			if (!in[1] || in[1] == '\n')
				break;
			out[n++] = ' ';
		} else {
			out[n++] = *in;
		}
	}
	out[n] = '\0';
}

int proc_next_line(const char **text, char *line, size_t size)
{
	const char *s = *text;
	if (!*s)
		return -1;
	size_t len = strcspn(s, "\n");
	size_t copy = len < size - 1 ? len : size - 1;
	memcpy(line, s, copy);
	line[copy] = '\0';
	*text = s + len + (s[len] == '\n');
	return 0;
}

int proc_status_field(const char *status, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	for (const char *s = status; s && *s;) {
		if (strncmp(s, key, klen) == 0 && s[klen] == ':') {
			proc_squeeze(s + klen + 1, out, size);
			return 0;
		}
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	return -1;
}

int proc_status_word(const char *status, const char *key, int n, char *out, size_t size)
{
	char all[256];
	if (proc_status_field(status, key, all, sizeof all) < 0)
		return -1;
	const char *s = all;
	for (; n > 0 && s; n--)
		s = strchr(s, ' ') ? strchr(s, ' ') + 1 : NULL;
	if (!s)
		return -1;
	snprintf(out, size, "%.*s", (int)strcspn(s, " "), s);
	return 0;
}

int proc_cgroup_parse(const char *line, struct proc_cgroup *out)
{
	const char *c1 = strchr(line, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	char num[24];
	if (!c2 || (size_t)(c1 - line) >= sizeof num || (size_t)(c2 - c1 - 1) >= sizeof out->controllers)
		return -1;
	memcpy(num, line, (size_t)(c1 - line));
	num[c1 - line] = '\0';
	if (parse_uint(num, ~0UL, &out->hierarchy) < 0)
		return -1;
	memcpy(out->controllers, c1 + 1, (size_t)(c2 - c1 - 1));
	out->controllers[c2 - c1 - 1] = '\0';
	snprintf(out->path, sizeof out->path, "%s", c2 + 1);
	return 0;
}

void proc_cgroup_each(const char *text, void (*each)(const char *controller, const char *path, void *ctx),
		      void *ctx)
{
	char line[PATH_MAX + 300];
	struct proc_cgroup cg;
	for (int pass = 0; pass < 2; pass++) { /* v2 first, then v1 */
		const char *s = text;
		while (proc_next_line(&s, line, sizeof line) == 0) {
			if (proc_cgroup_parse(line, &cg) < 0 || (cg.controllers[0] == '\0') != (pass == 0))
				continue;
			if (pass == 0)
				each("", cg.path, ctx);
			char *save = NULL;
			for (char *c = pass ? strtok_r(cg.controllers, ",", &save) : NULL; c; c = strtok_r(NULL, ",", &save))
				each(strncmp(c, "name=", 5) ? c : c + 5, cg.path, ctx);
		}
	}
}

/* Copies the next space-separated field of *s to out. */
static int field(const char **s, char *out, size_t size)
{
	const char *p = *s;
	while (*p == ' ')
		p++;
	size_t len = strcspn(p, " \n");
	if (!len || len >= size)
		return -1;
	memcpy(out, p, len);
	out[len] = '\0';
	*s = p + len;
	return 0;
}

int proc_mountinfo_parse(const char *line, struct proc_mount *out)
{
	/* 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue */
	char skip[PATH_MAX];
	const char *s = line;
	for (int i = 0; i < 3; i++)
		if (field(&s, skip, sizeof skip) < 0)
			return -1;
	if (field(&s, out->root, sizeof out->root) < 0 ||
	    field(&s, out->mount_point, sizeof out->mount_point) < 0)
		return -1;
	const char *sep = strstr(s, " - ");
	if (!sep)
		return -1;
	s = sep + 3;
	if (field(&s, out->fstype, sizeof out->fstype) < 0 || field(&s, out->source, sizeof out->source) < 0)
		return -1;
	return 0;
}

int proc_root_mount(const char *mountinfo, struct proc_mount *out)
{
	char line[3 * PATH_MAX];
	struct proc_mount m;
	int found = -1;
	while (proc_next_line(&mountinfo, line, sizeof line) == 0)
		if (proc_mountinfo_parse(line, &m) == 0 && strcmp(m.mount_point, "/") == 0) {
			*out = m;
			found = 0;
		}
	return found;
}

static void copy_names(const struct utsname *u, char *host, size_t hsize, char *domain, size_t dsize)
{
	snprintf(host, hsize, "%s", u->nodename);
	snprintf(domain, dsize, "%s", u->domainname);
}

/* setns(2) into the namespace of type name of pid. */
static int join(pid_t pid, const char *name)
{
	char path[64];
	proc_path(path, sizeof path, pid, "ns/");
	snprintf(path + strlen(path), sizeof path - strlen(path), "%s", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = sys_setns(fd, ns_by_name(name)->flag, path);
	close(fd);
	return r;
}

int proc_uts_names(pid_t pid, char *host, size_t hsize, char *domain, size_t dsize)
{
	struct utsname u;
	char theirs[64], ours[64];
	if (pid == 0 || (ns_link(pid, "uts", theirs, sizeof theirs) == 0 &&
			 ns_link(0, "uts", ours, sizeof ours) == 0 && strcmp(theirs, ours) == 0)) {
		if (uname(&u) < 0)
			return -1;
		copy_names(&u, host, hsize, domain, dsize);
		return 0;
	}
	/* setns(2) would move this process for good: a child does it and reports on
	 * one pipe; it starts on the other once the parent has traced the clone(), so
	 * the trace keeps the order of the calls. */
	int p[2], go[2], status;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(go, O_CLOEXEC) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	pid_t child = sys_fork("joins the UTS namespace to read its names");
	if (child == 0) {
		char byte;
		close(p[0]);
		close(go[1]);
		if (read(go[0], &byte, 1) != 1)
			_exit(1);
		if (join(pid, "uts") < 0 && (join(pid, "user") < 0 || join(pid, "uts") < 0))
			_exit(1);
		if (uname(&u) < 0)
			_exit(1);
		_exit(write(p[1], &u, sizeof u) == (ssize_t)sizeof u ? 0 : 1);
	}
	close(p[1]);
	close(go[0]);
	if (child > 0 && write(go[1], "g", 1) != 1)
		kill(child, SIGKILL);
	close(go[1]);
	size_t got = 0;
	while (child > 0 && got < sizeof u) {
		ssize_t n = read(p[0], (char *)&u + got, sizeof u - got);
		if (n <= 0 && !(n < 0 && errno == EINTR))
			break;
		got += n > 0 ? (size_t)n : 0;
	}
	close(p[0]);
	if (child < 0 || waitpid(child, &status, 0) < 0 || status != 0 || got != sizeof u)
		return -1;
	copy_names(&u, host, hsize, domain, dsize);
	return 0;
}

char *proc_read_or_exit(pid_t pid, const char *name)
{
	char path[64];
	char *text = proc_read(pid, name);
	proc_path(path, sizeof path, pid, name);
	if (!text)
		die("open(\"%s\"): %s", path, strerror(errno));
	return text;
}

void proc_ns_links_or_exit(pid_t pid, char links[][PROC_NS_LINK_MAX])
{
	size_t bad;
	char path[64];
	if (proc_ns_links(pid, links, &bad) == 0)
		return;
	int err = errno;
	proc_path(path, sizeof path, pid, "ns/");
	errno = err;
	trace_call(-1, "readlink(\"%s%s\")", path, ns_types()[bad].proc);
	report_call();
	if (pid == 1)
		hint("PID 1 may be unreadable (it can hold capabilities you lack): save a host report with 'cinfo --format kv > host.kv' and give --ref-file host.kv");
	exit(EXIT_TOOL_FAILED);
}

void proc_ref_file(const char *file, char links[][PROC_NS_LINK_MAX])
{
	char line[512], *text = file_read_all(file);
	const char *s = text;
	int found = 0;
	if (!text)
		die("open(\"%s\"): %s", file, strerror(errno));
	while (proc_next_line(&s, line, sizeof line) == 0) {
		char *eq = strchr(line, '=');
		const struct ns_type *t = eq && !strncmp(line, "ns.", 3) ? (*eq = '\0', ns_by_name(line + 3)) : NULL;
		if (t && strcmp(t->proc, line + 3) == 0 && ++found)
			snprintf(links[t - ns_types()], PROC_NS_LINK_MAX, "%s", eq + 1);
	}
	free(text);
	if (!found)
		die("%s: no ns.TYPE= line: expected a report saved with 'cinfo --format kv'", file);
}
