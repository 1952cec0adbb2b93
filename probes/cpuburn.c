/* cpuburn MS [PROCS]: PROCS processes (default 1) each spin until they have used
 * MS milliseconds of CPU time, then cpuburn prints
 *   cpuburn: P x MS ms of CPU time in W ms
 * W, the wall-clock time, shows what a CPU limit does: under cpu.max the kernel
 * stops the group for the rest of each period once its quota is spent
 * (throttling), so W grows while the CPU time stays MS. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"

static double ms(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void burn(unsigned long limit)
{
	volatile unsigned long spin = 0;
	while (ms(CLOCK_PROCESS_CPUTIME_ID) < (double)limit)
		for (int i = 0; i < 100000; i++)
			spin++;
}

int main(int argc, char **argv)
{
	unsigned long limit, procs = 1;
	log_init("cpuburn");
	if (argc < 2 || argc > 3 || parse_uint(argv[1], 3600000, &limit) < 0 || limit == 0 ||
	    (argc == 3 && (parse_uint(argv[2], 64, &procs) < 0 || procs == 0)))
		usage_error("usage: cpuburn MS [PROCS]   (1 to 3600000 ms of CPU, 1 to 64 processes)");
	double start = ms(CLOCK_MONOTONIC);
	for (unsigned long i = 1; i < procs; i++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			burn(limit);
			_exit(0);
		}
	}
	burn(limit);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	printf("cpuburn: %lu x %lu ms of CPU time in %.0f ms\n", procs, limit, ms(CLOCK_MONOTONIC) - start);
	return 0;
}
