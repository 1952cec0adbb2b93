/* sysfs: traced filesystem wrappers. See sysfs.h. */
#include "sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

/* A quoted path, as strace prints it. */
static const char *q(char *buf, size_t size, const char *s)
{
	buf[0] = '\0';
	quote_str(buf, size, s);
	return buf;
}

int sys_pivot_root(const char *new_root, const char *put_old)
{
	char n[512], o[512];
	long r = syscall(SYS_pivot_root, new_root, put_old);
	return (int)trace_call(r, "pivot_root(%s, %s)", q(n, sizeof n, new_root), q(o, sizeof o, put_old));
}

int sys_fchdir(int fd, const char *path)
{
	return (int)trace_call(fchdir(fd), "fchdir(%d<%s>)", fd, path ? path : "?");
}

int sys_chroot(const char *path)
{
	char p[512];
	return (int)trace_call(chroot(path), "chroot(%s)", q(p, sizeof p, path));
}

int sys_symlink(const char *target, const char *linkpath)
{
	char t[512], l[512];
	return (int)trace_call(symlink(target, linkpath), "symlink(%s, %s)", q(t, sizeof t, target),
			       q(l, sizeof l, linkpath));
}

int sys_chmod(const char *path, mode_t mode)
{
	char p[512];
	return (int)trace_call(chmod(path, mode), "chmod(%s, %#o)", q(p, sizeof p, path), (unsigned)mode);
}

int sys_unlink(const char *path)
{
	char p[512];
	return (int)trace_call(unlink(path), "unlink(%s)", q(p, sizeof p, path));
}

static int create(const char *path, mode_t mode)
{
	char p[512];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	return (int)trace_call(fd, "open(%s, O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, %#o)",
			       q(p, sizeof p, path), (unsigned)mode);
}

int sys_create_file(const char *path, mode_t mode, const char *data, size_t len)
{
	char d[256];
	int fd = create(path, mode);
	if (fd < 0)
		return -1;
	ssize_t w = len ? write(fd, data, len) : 0;
	if (w >= 0 && (size_t)w != len) {
		errno = EIO;
		w = -1;
	}
	int saved = errno;
	if (len)
		trace_call(w, "write(%d, %s, %zu)", fd, q(d, sizeof d, data), len);
	close(fd);
	errno = saved;
	return w < 0 ? -1 : 0;
}

long sys_copy_file(const char *src, const char *dst, mode_t mode)
{
	char s[512], t[512];
	struct stat st;
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) < 0) {
		int saved = errno;
		trace_call(-1, "open(%s, O_RDONLY|O_CLOEXEC)", q(s, sizeof s, src));
		if (in >= 0)
			close(in);
		errno = saved;
		return -1;
	}
	int out = create(dst, mode);
	if (out < 0) {
		close(in);
		return -1;
	}
	long total = 0, r = 0;
	while (total < st.st_size) {
		r = sendfile(out, in, NULL, (size_t)(st.st_size - total));
		if (r <= 0) {
			if (r == 0)
				errno = EIO; /* the file shrank while copied */
			r = -1;
			break;
		}
		total += r;
	}
	int saved = errno;
	close(in);
	if (close(out) < 0 && r >= 0) {
		saved = errno;
		r = -1;
	}
	errno = saved;
	return trace_call(r < 0 ? -1 : total, "sendfile(%d<%s>, %d<%s>, NULL, %lld)", out,
			  q(t, sizeof t, dst), in, q(s, sizeof s, src), (long long)st.st_size);
}
