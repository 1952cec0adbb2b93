/* sys: traced wrappers. See sys.h. */
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clone_flags.h"
#include "log.h"
#include "mount_flags.h"

struct flag_name {
	const char *name;
	unsigned long value;
};

static void flags_str(char *buf, size_t size, unsigned long flags,
		      const struct flag_name *table, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++) {
		if (table[i].value && (flags & table[i].value) == table[i].value) {
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "|" : "", table[i].name);
			flags &= ~table[i].value;
		}
	}
	if (flags && len < size)
		len += (size_t)snprintf(buf + len, size - len, "%s%#lx", len ? "|" : "", flags);
	if (len == 0)
		snprintf(buf, size, "0");
}

#define FLAG_ENTRY(name, value) { name, (unsigned long)(value) },
static const struct flag_name clone_names[] = { CLONE_FLAG_TABLE(FLAG_ENTRY) };
static const struct flag_name mount_names[] = { MOUNT_FLAG_TABLE(FLAG_ENTRY) };
#undef FLAG_ENTRY

void clone_flags_str(char *buf, size_t size, unsigned long flags)
{
	flags_str(buf, size, flags, clone_names, sizeof clone_names / sizeof clone_names[0]);
}

void mount_flags_str(char *buf, size_t size, unsigned long flags)
{
	flags_str(buf, size, flags, mount_names, sizeof mount_names / sizeof mount_names[0]);
}

/* A quoted string argument, or NULL, as strace prints them. */
static const char *q(char *buf, size_t size, const char *s)
{
	if (!s) {
		snprintf(buf, size, "NULL");
		return buf;
	}
	buf[0] = '\0';
	quote_str(buf, size, s);
	return buf;
}

int sys_unshare(int flags)
{
	char f[256];
	clone_flags_str(f, sizeof f, (unsigned long)(unsigned)flags);
	return (int)trace_call(unshare(flags), "unshare(%s)", f);
}

int sys_setns(int fd, int nstype, const char *path)
{
	char f[64], p[512];
	clone_flags_str(f, sizeof f, (unsigned long)(unsigned)nstype);
	return (int)trace_call(setns(fd, nstype), "setns(%d<%s>, %s)", fd,
			       q(p, sizeof p, path), nstype ? f : "0");
}

int sys_sethostname(const char *name)
{
	char n[256];
	return (int)trace_call(sethostname(name, strlen(name)), "sethostname(%s, %zu)",
			       q(n, sizeof n, name), strlen(name));
}

int sys_setdomainname(const char *name)
{
	char n[256];
	return (int)trace_call(setdomainname(name, strlen(name)), "setdomainname(%s, %zu)",
			       q(n, sizeof n, name), strlen(name));
}

int sys_mount(const char *source, const char *target, const char *fstype,
	      unsigned long flags, const char *data)
{
	char s[512], t[512], f[64], fl[256], d[1024];
	mount_flags_str(fl, sizeof fl, flags);
	int r = mount(source, target, fstype, flags, data);
	return (int)trace_call(r, "mount(%s, %s, %s, %s, %s)", q(s, sizeof s, source),
			       q(t, sizeof t, target), q(f, sizeof f, fstype), fl,
			       q(d, sizeof d, data));
}

int sys_umount2(const char *target, int flags)
{
	char t[512];
	return (int)trace_call(umount2(target, flags), "umount2(%s, %s)", q(t, sizeof t, target),
			       flags == MNT_DETACH ? "MNT_DETACH" : flags ? "?" : "0");
}

int sys_mkdir(const char *path, mode_t mode)
{
	char p[512];
	return (int)trace_call(mkdir(path, mode), "mkdir(%s, %#o)", q(p, sizeof p, path),
			       (unsigned)mode);
}

int sys_open(const char *path, int flags, mode_t mode)
{
	char p[512];
	/* musl's O_ACCMODE includes O_PATH, so look at O_PATH first. */
	const char *acc = (flags & O_PATH) == O_PATH ? "O_PATH"
			  : (flags & O_ACCMODE) == O_RDONLY ? "O_RDONLY"
			  : (flags & O_ACCMODE) == O_WRONLY ? "O_WRONLY" : "O_RDWR";
	return (int)trace_call(open(path, flags | O_CLOEXEC, mode), "open(%s, %s%s%s|O_CLOEXEC)",
			       q(p, sizeof p, path), acc, (flags & O_DIRECTORY) ? "|O_DIRECTORY" : "",
			       (flags & O_CREAT) ? "|O_CREAT" : "");
}

int sys_chdir(const char *path)
{
	char p[512];
	return (int)trace_call(chdir(path), "chdir(%s)", q(p, sizeof p, path));
}

ssize_t sys_write_file(const char *path, const char *data)
{
	char p[512], d[1024];
	size_t len = strlen(data);
	ssize_t r = -1;
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		r = write(fd, data, len);
		if (r >= 0 && (size_t)r != len) {
			errno = EIO;
			r = -1;
		}
		int saved = errno;
		if (close(fd) < 0 && r >= 0)
			r = -1;
		else
			errno = saved;
	}
	return trace_call(r, "write(%s, %s)", q(p, sizeof p, path), q(d, sizeof d, data));
}

pid_t sys_fork(const char *why)
{
	/* In trace mode the child waits until the parent has printed clone() = PID,
	 * so the trace reads in the order things happened. */
	int order[2] = { -1, -1 };
	if (trace_enabled() && pipe2(order, O_CLOEXEC) < 0)
		order[0] = order[1] = -1;
	pid_t pid = fork();
	if (pid == 0) {
		if (order[0] >= 0) {
			char byte;
			close(order[1]);
			while (read(order[0], &byte, 1) < 0 && errno == EINTR)
				;
			close(order[0]);
		}
		return 0;
	}
	int saved = errno;
	if (order[0] >= 0)
		close(order[0]);
	errno = saved;
	pid = (pid_t)trace_call_why(pid, why, "clone()");
	if (order[1] >= 0)
		close(order[1]);
	errno = saved;
	return pid;
}

int sys_kill(pid_t pid, int sig)
{
	return (int)trace_call(kill(pid, sig), "kill(%d, %s)", (int)pid, signal_name(sig));
}

int sys_close_range(unsigned first, unsigned last)
{
	long r = syscall(SYS_close_range, first, last, 0);
	return (int)trace_call(r, "close_range(%u, %s, 0)", first, last == ~0u ? "~0U" : "?");
}

int sys_setresuid(uid_t r, uid_t e, uid_t s)
{
	return (int)trace_call(setresuid(r, e, s), "setresuid(%u, %u, %u)", (unsigned)r, (unsigned)e, (unsigned)s);
}

int sys_setresgid(gid_t r, gid_t e, gid_t s)
{
	return (int)trace_call(setresgid(r, e, s), "setresgid(%u, %u, %u)", (unsigned)r, (unsigned)e, (unsigned)s);
}

int sys_setgroups(size_t n, const gid_t *groups)
{
	char list[512];
	size_t len = (size_t)snprintf(list, sizeof list, "[");
	for (size_t i = 0; i < n && len + 16 < sizeof list; i++)
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%u", i ? ", " : "", (unsigned)groups[i]);
	snprintf(list + len, sizeof list - len, "]");
	return (int)trace_call(setgroups(n, groups), "setgroups(%zu, %s)", n, list);
}

ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = 0;
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			int saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return (ssize_t)len;
}
