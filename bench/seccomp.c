/* seccomp: what a filter costs.
 * 1. Instructions: the longest path through a program (what one syscall may run),
 *    for Docker's default profile and for denylists of 10, 50 and 300 rules,
 *    compiled as seccompbpf compiles them (a binary search) and as a linear list.
 * 2. Time: ns per getpid and per ioctl(-1, FIONREAD), with no filter, with the
 *    default profile, with a linear denylist of 300 and with the same list behind
 *    a load of args[0] (which no verdict cache can see past), each in a child of
 *    this one run. The kernel caches the verdict of a syscall whose path reads
 *    no argument (getpid), so it costs about the same under any such filter; ioctl
 *    must run the filter each time, since its TIOCSTI rule reads an argument.
 * Usage: seccomp [CALLS]   (bench/, not a test: timings never decide pass or fail) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "seccomp.h"

static struct sc_filter filter;
static struct bpf_prog prog;

static int path(enum sc_layout layout)
{
	if (sc_compile(&filter, layout, &prog) < 0)
		return -1;
	return bpf_longest_path(&prog);
}

/* A denylist of rules names spread over the table, leaving out what the timing
 * child itself calls. */
static void denylist(int rules)
{
	static const char *const needed[] = {
		"getpid", "ioctl", "write", "writev", "exit", "exit_group", "clock_gettime", "fstat",
		"brk", "mmap", "munmap", "wait4", "rt_sigprocmask", "rt_sigaction",
	};
	sc_filter_init(&filter, SC_ALLOW, SC_ALLOW, SC_ERRNO(EPERM));
	for (int n = 0, k = 0; k < rules && n <= sc_highest(); n++) {
		int skip = !sc_name(n) || n % 6 == 5;
		for (size_t i = 0; !skip && i < sizeof needed / sizeof needed[0]; i++)
			skip = n == sc_nr(needed[i]);
		if (!skip) {
			sc_rule_set(&filter, n, filter.action);
			k++;
		}
	}
}

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* ns per call, the best of 5 rounds of calls each. */
static double per_call(long nr, long a0, long a1, long a2, long calls)
{
	double best = 1e30;
	for (int round = 0; round < 5; round++) {
		double t0 = now_ns();
		for (long i = 0; i < calls; i++)
			syscall(nr, a0, a1, a2);
		double t = (now_ns() - t0) / (double)calls;
		if (t < best)
			best = t;
	}
	return best;
}

enum which { NONE, DEFAULT, LINEAR_300, LINEAR_300_ARG };

/* The program to time: the default profile, a linear denylist of 300, or that list
 * behind one load of args[0], which the kernel's cache cannot see past. */
static int build(enum which w)
{
	static struct bpf_prog body;
	if (w == DEFAULT) {
		sc_profile_docker(&filter, SC_ERRNO(EPERM));
		return sc_compile(&filter, SC_TREE, &prog);
	}
	denylist(300);
	if (sc_compile(&filter, SC_LINEAR, w == LINEAR_300 ? &prog : &body) < 0)
		return -1;
	if (w == LINEAR_300)
		return 0;
	/* after the 6 instructions of the ABI checks: ld args[0]; ld nr */
	prog.len = 0;
	for (size_t i = 0; i < body.len; i++) {
		if (i == 6) {
			bpf_emit(&prog, BPF_LD | BPF_W | BPF_ABS, 0, 0, 16, "args[0], for nothing");
			bpf_emit(&prog, BPF_LD | BPF_W | BPF_ABS, 0, 0, 0, "nr");
		}
		prog.insn[prog.len++] = body.insn[i];
	}
	return 0;
}

/* In a child: install the filter, time getpid and ioctl. */
static void measure(const char *label, enum which w, long calls)
{
	double r[2];
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int n = 0;
		if (w != NONE) {
			if (build(w) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || sc_install(&prog) < 0) {
				perror("seccomp: install");
				_exit(1);
			}
			n = bpf_longest_path(&prog);
		}
		r[0] = per_call(SYS_getpid, 0, 0, 0, calls);
		int bytes;
		r[1] = per_call(SYS_ioctl, -1, FIONREAD, (long)&bytes, calls);
		printf("  %-28s %8.1f %8.1f %10d\n", label, r[0], r[1], n);
		fflush(stdout);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
}

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 2000000;
	if (calls < 1000)
		calls = 1000;
	static const int sizes[] = { 10, 50, 300 };

	printf("longest path through the filter, in BPF instructions (one syscall runs at most this many)\n");
	printf("  %-28s %8s %8s\n", "rules", "tree", "linear");
	sc_profile_docker(&filter, SC_ERRNO(EPERM));
	printf("  %-28s %8d %8d\n", "Docker's default profile", path(SC_TREE), path(SC_LINEAR));
	for (int i = 0; i < 3; i++) {
		char label[32];
		denylist(sizes[i]);
		snprintf(label, sizeof label, "denylist of %d", sizes[i]);
		printf("  %-28s %8d %8d\n", label, path(SC_TREE), path(SC_LINEAR));
	}
	printf("\nns per call, best of 5 x %ld calls (getpid: cached verdict; ioctl: the filter runs)\n", calls);
	printf("  %-28s %8s %8s %10s\n", "filter", "getpid", "ioctl", "path");
	measure("none", NONE, calls);
	measure("Docker's default profile", DEFAULT, calls);
	measure("300 rules, linear", LINEAR_300, calls);
	measure("the same, reading args[0]", LINEAR_300_ARG, calls);
	return 0;
}
