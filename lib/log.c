/* log: error lines, hints and trace lines. See log.h. */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "errnos.h"
#include "signals.h"

static const char *prog = "boxstep";
static bool tracing;
static int trace_fd = 2;
static char last[1024];
static int last_errno;

void log_init(const char *name)
{
	const char *t = getenv("BOXSTEP_TRACE");
	const char *fd = getenv("BOXSTEP_TRACE_FD");

	prog = name;
	tracing = t && *t && strcmp(t, "0") != 0;
	if (fd && *fd) {
		char *end;
		long n = strtol(fd, &end, 10);
		if (*end == '\0' && n >= 0 && n < 1024 && fcntl((int)n, F_GETFD) >= 0)
			trace_fd = (int)n;
	}
}

const char *log_prog(void) { return prog; }
void log_enable_trace(void) { tracing = true; }
bool trace_enabled(void) { return tracing; }
int trace_fd_number(void) { return trace_fd == 2 ? -1 : trace_fd; }
const char *last_call(void) { return last; }

/* One write(2) per line: stdio buffers would be lost across execve, and lines of
 * several stages writing to one pipe must not interleave. */
static void put_line(int fd, const char *fmt, va_list ap, const char *prefix)
{
	char line[2048];
	int n = snprintf(line, sizeof line, "%s: %s", prog, prefix);
	if (n < 0 || (size_t)n >= sizeof line)
		return;
	int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	int saved = errno;
	ssize_t w = write(fd, line, (size_t)n);
	(void)w;
	errno = saved;
}

void trace_line(const char *fmt, ...)
{
	if (!tracing)
		return;
	va_list ap;
	va_start(ap, fmt);
	put_line(trace_fd, fmt, ap, "");
	va_end(ap);
}

void trace_comment(const char *fmt, ...)
{
	if (!tracing)
		return;
	va_list ap;
	va_start(ap, fmt);
	put_line(trace_fd, fmt, ap, "# ");
	va_end(ap);
}

const char *errno_name(int err)
{
#define ERRNO_CASE(name, value) case value: return name;
	switch (err) {
		ERRNO_TABLE(ERRNO_CASE)
	}
#undef ERRNO_CASE
	return NULL;
}

static long vtrace_call(long ret, const char *why, const char *fmt, va_list ap)
{
	int saved = errno;
	vsnprintf(last, sizeof last, fmt, ap);
	last_errno = ret < 0 ? saved : 0;
	if (tracing) {
		char result[160];
		if (ret < 0) {
			const char *name = errno_name(saved);
			snprintf(result, sizeof result, "-1 %s (%s)", name ? name : "E?", strerror(saved));
		} else {
			snprintf(result, sizeof result, "%ld", ret);
		}
		if (why)
			trace_line("%s = %s    # %s", last, result, why);
		else
			trace_line("%s = %s", last, result);
	}
	errno = saved;
	return ret;
}

long trace_call(long ret, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ret = vtrace_call(ret, NULL, fmt, ap);
	va_end(ap);
	return ret;
}

long trace_call_why(long ret, const char *why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ret = vtrace_call(ret, why, fmt, ap);
	va_end(ap);
	return ret;
}

const char *signal_name(int sig)
{
#define SIGNAL_CASE(name, value) case value: return name;
	switch (sig) {
		SIGNAL_TABLE(SIGNAL_CASE)
	}
#undef SIGNAL_CASE
	return "SIG?";
}

static void put_stderr(const char *prefix, const char *fmt, va_list ap)
{
	put_line(2, fmt, ap, prefix);
}

void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	put_stderr("warning: ", fmt, ap);
	va_end(ap);
}

void hint(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	put_stderr("hint: ", fmt, ap);
	va_end(ap);
}

_Noreturn void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	put_stderr("", fmt, ap);
	va_end(ap);
	exit(EXIT_TOOL_FAILED);
}

_Noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	put_stderr("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help'.\n", prog);
	exit(EXIT_TOOL_FAILED);
}

/* The hint table (DESIGN.md 3): one row per usual cause, keyed by the call (a prefix
 * of the traced call), a text the call must contain, the errno, or a condition a
 * tool detected. The first matching row wins. */
struct hint_row {
	const char *call;      /* prefix of the traced call, or NULL */
	const char *contains;  /* substring of the traced call, or NULL */
	int err;               /* 0: any errno */
	const char *condition; /* a detected condition instead of a call, or NULL */
	const char *text;
};

static const struct hint_row hints[] = {
	{ "unshare(", "CLONE_NEWUSER", EPERM, NULL,
	  "user namespaces may be off for unprivileged users: check sysctl kernel.unprivileged_userns_clone (Debian) and kernel.apparmor_restrict_unprivileged_userns (Ubuntu)" },
	{ "unshare(", "CLONE_NEWUSER", EACCES, NULL,
	  "user namespaces may be off for unprivileged users: check sysctl kernel.unprivileged_userns_clone (Debian) and kernel.apparmor_restrict_unprivileged_userns (Ubuntu)" },
	{ "unshare(", "CLONE_NEWUSER", ENOSPC, NULL,
	  "the user namespace limit is reached: see sysctl user.max_user_namespaces" },
	{ "unshare(", "CLONE_NEWTIME", EINVAL, NULL,
	  "this kernel has no time namespace (needs Linux 5.6 and CONFIG_TIME_NS); leave out --time" },
	{ "unshare(", NULL, EPERM, NULL,
	  "creating namespaces needs CAP_SYS_ADMIN: run as root, or add --user --map-root" },
	{ "unshare(", NULL, EINVAL, NULL,
	  "a namespace type this kernel lacks? boxstep-doctor lists what it has" },
	{ "write(", "/gid_map", EPERM, NULL,
	  "an unprivileged user must write \"deny\" to /proc/PID/setgroups before gid_map, and may map only its own gid" },
	{ "write(", "/uid_map", EPERM, NULL,
	  "an unprivileged user may map only its own uid; more needs newuidmap (apt-get install uidmap) and a range in /etc/subuid" },
	{ "write(", "timens_offsets", EACCES, NULL,
	  "time offsets must be written before the first fork or exec enters the time namespace" },
	{ "sethostname(", NULL, EPERM, NULL,
	  "changing the hostname needs a new UTS namespace (--uts) and CAP_SYS_ADMIN in it" },
	{ "mount(\"proc\"", NULL, EPERM, NULL,
	  "a new /proc needs a pid namespace of your own (--pid) when in a user namespace" },
	{ "mount(\"mqueue\"", NULL, EPERM, NULL,
	  "in a user namespace mqueue needs an IPC namespace of its own: add mkns --ipc" },
	{ "mount(\"sysfs\"", NULL, EPERM, NULL,
	  "in a user namespace sysfs needs a network namespace of its own: add mkns --net" },
	{ "mount(\"overlay\"", NULL, EINVAL, NULL,
	  "upper and work must be on one filesystem, work empty and outside upper; in a user namespace the mount needs userxattr" },
	{ "mount(", NULL, ENOSPC, NULL,
	  "too many mounts: see sysctl fs.mount-max" },
	{ "pivot_root(", NULL, EINVAL, NULL,
	  "pivot_root needs a new mount namespace (mkns --mount), a new root that is a mount point, and a parent that is not shared" },
	{ "write(", "subtree_control", EBUSY, NULL,
	  "no internal processes: a cgroup that holds processes cannot enable controllers for its children; use a parent without processes (cgset's default, boxstep) or move them into a leaf first" },
	{ "open(", "/sys/fs/cgroup", ENOENT, NULL,
	  "the controller is not enabled in the parent's cgroup.subtree_control" },
	{ "seccomp(", NULL, EACCES, NULL,
	  "installing a filter needs no_new_privs or CAP_SYS_ADMIN" },
	{ "prctl(PR_CAPBSET_DROP", NULL, EPERM, NULL,
	  "CAP_SETPCAP is already gone: drop the bounding set before the other sets" },
	{ "setns(", "CLONE_NEWNET", EPERM, NULL,
	  "the outer network namespace belongs to another user namespace: a rootless chain cannot reach it (slirp4netns or pasta do that job)" },
	{ "setns(", "CLONE_NEWUSER", EPERM, NULL,
	  "joining a user namespace needs CAP_SYS_ADMIN in it, and a process that is not multithreaded" },
	{ "setns(", NULL, EPERM, NULL,
	  "joining needs CAP_SYS_ADMIN over the namespace: join its user namespace first (--user)" },
	{ "open(\"/proc/", "/ns/", EACCES, NULL,
	  "opening another process's namespace needs ptrace access to it (same user and no setuid, or root)" },
	{ "execve(", NULL, ENOENT, NULL,
	  "not found in the toolkit's directory nor in PATH" },
	{ "execve(", NULL, EACCES, NULL,
	  "not executable: check its mode (chmod +x) and whether its filesystem is mounted noexec" },
	{ NULL, NULL, 0, "pid-without-proc",
	  "this /proc belongs to the host's pid namespace; add --mount-proc" },
};

void hint_for_last_call(const char *condition)
{
	for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
		const struct hint_row *h = &hints[i];
		if (condition || h->condition) {
			if (condition && h->condition && strcmp(condition, h->condition) == 0) {
				hint("%s", h->text);
				return;
			}
			continue;
		}
		if (h->call && strncmp(last, h->call, strlen(h->call)) != 0)
			continue;
		if (h->contains && !strstr(last, h->contains))
			continue;
		if (h->err && h->err != last_errno)
			continue;
		hint("%s", h->text);
		return;
	}
}

void report_call(void)
{
	fprintf(stderr, "%s: %s: %s\n", prog, last, strerror(last_errno));
}

_Noreturn void die_call_because(const char *condition)
{
	report_call();
	hint_for_last_call(condition);
	exit(EXIT_TOOL_FAILED);
}

_Noreturn void die_call(void) { die_call_because(NULL); }

void quote_str(char *buf, unsigned long size, const char *s)
{
	size_t n = strlen(buf);
	if (n + 2 >= size)
		return;
	buf[n++] = '"';
	for (; *s && n + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)c;
		} else if (c == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
		} else if (c < 0x20 || c >= 0x7f) {
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
		} else {
			buf[n++] = (char)c;
		}
	}
	if (*s && n + 4 < size) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n++] = '"';
	buf[n] = '\0';
}
