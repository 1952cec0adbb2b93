/* pid1: a minimal init, as tini or `docker run --init` (DESIGN.md 6).
 *
 * The first process of a pid namespace has two duties no ordinary program takes
 * on (pid_namespaces(7)): every orphan of the namespace is re-parented to it, so it
 * must wait(2) for them or they stay zombies; and the kernel drops the signals sent
 * to it that it has no handler for, so `docker stop`'s SIGTERM does nothing to a
 * program that never installed one. pid1 takes both duties: it runs PROGRAM as its
 * child, reaps every child that ends, forwards signals to PROGRAM, and exits with
 * PROGRAM's status. It also becomes a child subreaper (PR_SET_CHILD_SUBREAPER), so
 * it collects the orphans below it even when it is not PID 1. */
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "chain.h"
#include "log.h"

#define USAGE "pid1 [--kill-after SECS] [-v] [--] [PROGRAM [ARGS...]]"

static const struct tool tool = {
	"pid1", USAGE,
	"Run PROGRAM (default /bin/sh) as the child of a minimal init that reaps zombies\n"
	"and forwards signals: the duties of PID 1 in a pid namespace.\n"
	"\n"
	"Options:\n"
	"      --kill-after SECS   SIGKILL PROGRAM this long after a forwarded SIGTERM,\n"
	"                          SIGINT, SIGHUP or SIGQUIT it did not die of (default 10;\n"
	"                          at once on a second such signal)\n"
	"  -v, --verbose           trace every kernel call (or BOXSTEP_TRACE=1)\n"
	"  -h, --help              this help\n"
	"  -V, --version           version\n"
	"\n"
	"Forwarded to PROGRAM: SIGINT SIGTERM SIGHUP SIGQUIT SIGUSR1 SIGUSR2.\n"
	"Reaped: every child that ends, PROGRAM's and the orphans re-parented to pid1.\n"
	"\n"
	"Kernel calls, in order:\n"
	"  prctl(PR_SET_CHILD_SUBREAPER, 1)   orphans below pid1 come to it, even as PID > 1\n"
	"  clone()                            the child that runs PROGRAM\n"
	"  execve(PROGRAM)                    in the child\n"
	"  wait4(-1), kill(PROGRAM, SIG)      in pid1, until PROGRAM ends\n"
	"\n"
	"Example:\n"
	"  mkns --pid --mount-proc -- pid1 -- sh\n"
	"\n"
	"Exit status: PROGRAM's own, or 128+N when a signal N killed it; 125 if pid1\n"
	"failed; 126/127 if PROGRAM could not run.\n"
	"See pid1(1), mkns(1), pid_namespaces(7), prctl(2), wait(2).\n",
};

enum { OPT_KILL_AFTER = 256 };

static const struct option longopts[] = {
	{ "kill-after", required_argument, NULL, OPT_KILL_AFTER },
	CHAIN_COMMON_LONGOPTS,
};

int main(int argc, char **argv)
{
	unsigned kill_after = CHAIN_KILL_AFTER_DEFAULT;
	int once_ka = 0, c;

	chain_init(&tool);
	while ((c = getopt_long(argc, argv, "+:" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_KILL_AFTER:
			kill_after = chain_kill_after_option(optarg, &once_ka);
			break;
		default: chain_common_option(&tool, c, argv);
		}
	}

	if (getpid() == 1)
		trace_comment("PID 1 of this pid namespace: every orphan in it comes to pid1");
	/* prctl(2): a subreaper gets the orphans of its descendants, as PID 1 does. */
	if (trace_call(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER, 1)") < 0)
		die_call();

	/* pid1 stays in the container as its PID 1: it keeps no handle to the host. */
	trace_comment("once PROGRAM runs, pid1 keeps no descriptor above 2 either");
	pid_t child = chain_fork("runs PROGRAM; pid1 reaps and forwards signals");
	if (child > 0) {
		chain_drop_handles(0);
		return chain_supervise(child, kill_after);
	}
	chain_exec(argv + optind);
}
