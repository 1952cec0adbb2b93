/* nsfd: a namespace by descriptor. See nsfd.h. */
#include "nsfd.h"

#include <errno.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

const struct ns_type *nsfd_type(int fd)
{
	int flag = ioctl(fd, NS_GET_NSTYPE);
	if (flag < 0)
		return NULL;
	const struct ns_type *t = ns_types();
	for (size_t i = 0; i < NS_TYPE_COUNT; i++)
		if (t[i].flag == flag)
			return &t[i];
	errno = EINVAL;
	return NULL;
}

unsigned long nsfd_inode(int fd)
{
	struct stat st;
	return fstat(fd, &st) < 0 ? 0 : (unsigned long)st.st_ino;
}

unsigned long ns_self_inode(const struct ns_type *t)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "/proc/self/ns/%s", t->proc);
	return stat(path, &st) < 0 ? 0 : (unsigned long)st.st_ino;
}

const char *nsfd_label(int fd, const struct ns_type *t, char *buf, size_t size)
{
	snprintf(buf, size, "%s:[%lu]", t ? t->proc : "?", nsfd_inode(fd));
	return buf;
}
