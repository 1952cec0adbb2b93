/* xattr PATH [NAME]: the extended attributes of PATH itself (a link is not
 * followed), one "name=value" line each, or only NAME's value. OverlayFS keeps its
 * bookkeeping in them: an opaque directory in the upper layer carries
 * trusted.overlay.opaque="y" (user.overlay.opaque with userxattr). A stand-in for
 * getfattr(1), which the attr package has and a fresh machine may not.
 * Exits 0, or 1 when NAME (or any attribute) is absent, 2 on bad usage. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>

static int show(const char *path, const char *name, int with_name)
{
	char value[4096];
	ssize_t n = lgetxattr(path, name, value, sizeof value - 1);
	if (n < 0) {
		fprintf(stderr, "xattr: %s: %s: %s\n", path, name, strerror(errno));
		return 1;
	}
	value[n] = '\0';
	printf("%s%s%s\n", with_name ? name : "", with_name ? "=" : "", value);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: xattr PATH [NAME]\n");
		return 2;
	}
	if (argc == 3)
		return show(argv[1], argv[2], 0);
	char names[8192];
	ssize_t len = llistxattr(argv[1], names, sizeof names);
	if (len < 0) {
		fprintf(stderr, "xattr: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	int status = len ? 0 : 1;
	for (char *p = names; p < names + len; p += strlen(p) + 1)
		status |= show(argv[1], p, 1);
	return status;
}
