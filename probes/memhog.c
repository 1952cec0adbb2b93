/* memhog MIB: allocates MIB mebibytes and touches every page, then exits 0.
 *
 * Touching is what costs memory: mmap(2) only reserves addresses, and the kernel
 * charges a page to the cgroup (and may OOM-kill) on the first write to it. memhog
 * prints "memhog: touched MIB MiB" on success; under a smaller memory limit the
 * OOM killer ends it with SIGKILL first (exit status 137 in a shell). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"

int main(int argc, char **argv)
{
	unsigned long mib;
	log_init("memhog");
	if (argc != 2 || parse_uint(argv[1], 1UL << 20, &mib) < 0 || mib == 0)
		usage_error("usage: memhog MIB   (1 to 1048576 MiB to touch)");
	size_t size = (size_t)mib << 20, page = (size_t)sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap(NULL, %zu): %s", size, strerror(errno));
	for (size_t off = 0; off < size; off += page)
		p[off] = 1;
	printf("memhog: touched %lu MiB\n", mib);
	return 0;
}
