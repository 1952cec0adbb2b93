/* latency: start-to-exit time of two commands, run alternately so both see the same
 * machine state; prints each median and their ratio.
 * Usage: latency RUNS NAME_A CMD_A... ::: NAME_B CMD_B...
 * (bench/, not a tool and not a test: timings never decide pass or fail.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double run_once(char **argv)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid_t pid = fork();
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "latency: %s failed (status %#x)\n", argv[0], status);
		exit(1);
	}
	return (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

static int cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: latency RUNS NAME_A CMD_A... ::: NAME_B CMD_B...\n");
		return 2;
	}
	int runs = atoi(argv[1]);
	int sep = 0;
	for (int i = 3; i < argc; i++)
		if (strcmp(argv[i], ":::") == 0)
			sep = i;
	if (runs < 1 || sep == 0 || sep + 2 >= argc) {
		fprintf(stderr, "latency: need RUNS >= 1 and two commands separated by :::\n");
		return 2;
	}
	argv[sep] = NULL;
	char *name_a = argv[2], *name_b = argv[sep + 1];
	char **cmd_a = argv + 3, **cmd_b = argv + sep + 2;
	double *ta = calloc((size_t)runs, sizeof *ta), *tb = calloc((size_t)runs, sizeof *tb);
	run_once(cmd_a); /* warm the page cache */
	run_once(cmd_b);
	for (int i = 0; i < runs; i++) {
		ta[i] = run_once(cmd_a);
		tb[i] = run_once(cmd_b);
	}
	qsort(ta, (size_t)runs, sizeof *ta, cmp);
	qsort(tb, (size_t)runs, sizeof *tb, cmp);
	double ma = ta[runs / 2], mb = tb[runs / 2];
	printf("%-10s median %.3f ms  (min %.3f, max %.3f, %d runs)\n", name_a, ma, ta[0], ta[runs - 1], runs);
	printf("%-10s median %.3f ms  (min %.3f, max %.3f, %d runs)\n", name_b, mb, tb[0], tb[runs - 1], runs);
	printf("ratio %s/%s: %.2f\n", name_a, name_b, ma / mb);
	free(ta);
	free(tb);
	return 0;
}
