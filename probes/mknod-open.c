/* mknod-open PATH MAJOR:MINOR: makes a block device node at PATH, as a root process
 * with CAP_MKNOD can anywhere it may write, and tries to open it read-only (it
 * reads nothing). A nodev mount lets the node be made but refuses the open with
 * EACCES; without nodev, the node is a door to the host's disk. The node is removed.
 * Prints the two calls strace-style; exits 0 when the open succeeded, 1 when it was
 * refused, 2 when the node could not be made. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "log.h"

static void result(const char *call, int r)
{
	if (r < 0)
		printf("%s = -1 %s (%s)\n", call, errno_name(errno) ? errno_name(errno) : "E?", strerror(errno));
	else
		printf("%s = %d\n", call, r);
}

int main(int argc, char **argv)
{
	unsigned maj, min;
	char call[600], extra;
	if (argc != 3 || sscanf(argv[2], "%u:%u%c", &maj, &min, &extra) != 2) {
		fprintf(stderr, "usage: mknod-open PATH MAJOR:MINOR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	snprintf(call, sizeof call, "mknod(\"%s\", S_IFBLK|0600, makedev(%u, %u))", argv[1], maj, min);
	int r = mknod(argv[1], S_IFBLK | 0600, makedev(maj, min));
	result(call, r);
	if (r < 0)
		return 2;
	snprintf(call, sizeof call, "open(\"%s\", O_RDONLY)", argv[1]);
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	int saved = errno;
	result(call, fd);
	if (fd >= 0)
		close(fd);
	unlink(argv[1]);
	errno = saved;
	return fd >= 0 ? 0 : 1;
}
