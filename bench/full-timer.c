/* full-timer: start-to-exit time of several commands, run in turn (one run of each,
 * in a new random order every round, then the next round) so that all see the same
 * machine state, and none always pays for what the kernel finishes late after the
 * one before it (a network namespace's teardown, an RCU grace period); prints the median,
 * the 10th and 90th percentiles of each and the ratio of its median to the first
 * command's, the reference (bench/full.sh puts the floor first).
 * Usage: full-timer RUNS NAME CMD... [::: NAME CMD...]...
 *        full-timer --markdown RUNS ...   the same as rows of a Markdown table
 * bench/, not a tool and not a test: timings never decide pass or fail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 16

struct cmd {
	char *name;
	char **argv;
	double *t;
};

static double run_once(struct cmd *c)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid_t pid = fork();
	if (pid == 0) {
		execvp(c->argv[0], c->argv);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "full-timer: %s failed (status %#x)\n", c->name, status);
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
	int markdown = argc > 1 && strcmp(argv[1], "--markdown") == 0;
	argv += markdown;
	argc -= markdown;
	if (argc < 4) {
		fprintf(stderr, "usage: full-timer [--markdown] RUNS NAME CMD... [::: NAME CMD...]...\n");
		return 2;
	}
	int runs = atoi(argv[1]), n = 0;
	struct cmd c[MAX_CMDS];
	for (int i = 2; i < argc && n < MAX_CMDS;) {
		c[n].name = argv[i];
		c[n].argv = argv + i + 1;
		int j = i + 1;
		while (j < argc && strcmp(argv[j], ":::") != 0)
			j++;
		if (j == i + 1 || runs < 1) {
			fprintf(stderr, "full-timer: need RUNS >= 1 and NAME CMD... for each command\n");
			return 2;
		}
		argv[j < argc ? j : argc] = NULL;
		c[n].t = calloc((size_t)runs, sizeof(double));
		n++;
		i = j + 1;
	}
	for (int k = 0; k < n; k++)
		run_once(&c[k]); /* warm the page cache */
	int order[MAX_CMDS];
	srand(1);
	for (int r = 0; r < runs; r++) {
		for (int k = 0; k < n; k++)
			order[k] = k;
		for (int k = n - 1; k > 0; k--) { /* Fisher-Yates */
			int j = rand() % (k + 1), t = order[k];
			order[k] = order[j];
			order[j] = t;
		}
		for (int k = 0; k < n; k++)
			c[order[k]].t[r] = run_once(&c[order[k]]);
	}
	double ref = 0;
	for (int k = 0; k < n; k++) {
		qsort(c[k].t, (size_t)runs, sizeof(double), cmp);
		double med = c[k].t[runs / 2], p10 = c[k].t[runs / 10], p90 = c[k].t[runs * 9 / 10];
		if (k == 0)
			ref = med;
		if (markdown)
			printf("| %s | %.2f ms | %.2f ms | %.2f ms | %.2f |\n", c[k].name, med, p10, p90, med / ref);
		else
			printf("%-12s median %7.3f ms  p10 %7.3f  p90 %7.3f  x%.2f of %s  (%d runs)\n", c[k].name, med, p10,
			       p90, med / ref, c[0].name, runs);
	}
	return 0;
}
