/* pause: a pod's infra process, as Kubernetes' pause container.
 *
 * A namespace lives while something is in it (or holds a handle on it). A pod's
 * shared network, UTS and IPC namespaces must outlive any one of its containers,
 * so a process that does nothing holds them: pause. The containers join its
 * namespaces (nsjoin --target). As PID 1 of the pod's pid namespace, when the pod
 * has one, it takes PID 1's duties (pid_namespaces(7)): every orphan comes to it and
 * it reaps it. It ignores every signal but SIGINT and SIGTERM, on which it exits 0.
 * Not a chain stage: it runs nothing. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chain.h"
#include "log.h"
#include "parse.h"
#include "sys.h"

#define USAGE "pause [--pidfile FILE] [-v]"

static const struct tool tool = {
	"pause", USAGE,
	"Hold a pod's namespaces open: wait, reap every zombie, exit 0 on SIGINT or\n"
	"SIGTERM, ignore every other signal.\n"
	"\n"
	"Options:\n"
	"      --pidfile FILE   write pause's pid (as this /proc numbers it) to FILE once\n"
	"                       up, for nsjoin --target FILE; removed on exit. A FIFO as\n"
	"                       FILE gets the pid written into it: `read pid <FILE`\n"
	"                       returns once the pod is up\n"
	"  -v, --verbose        trace every kernel call (or BOXSTEP_TRACE=1)\n"
	"  -h, --help           this help\n"
	"  -V, --version        version\n"
	"\n"
	"Kernel calls, in order:\n"
	"  prctl(PR_SET_CHILD_SUBREAPER, 1)  when not PID 1: orphans below come to pause\n"
	"  rt_sigaction(SIG, SIG_IGN)        every signal but SIGINT, SIGTERM, SIGCHLD\n"
	"  rt_sigprocmask(SIG_BLOCK, [SIGINT SIGTERM SIGCHLD])\n"
	"  rename(\"FILE.tmp\", \"FILE\")        --pidfile, written whole\n"
	"  rt_sigtimedwait([SIGINT SIGTERM SIGCHLD])    sleep until one comes\n"
	"  wait4(-1, WNOHANG)                on SIGCHLD: reap every zombie\n"
	"\n"
	"Example:\n"
	"  mkns --net --uts --ipc --hostname pod -- pause --pidfile pod.pid &\n"
	"  nsjoin --target pod.pid --net --uts --ipc -- mkns --mount --pid -- sh\n"
	"\n"
	"Exit status: 0 on SIGINT or SIGTERM; 125 if pause failed.\n"
	"See pause(1), nsjoin(1), pid_namespaces(7), signal(7), wait(2).\n",
};

enum { OPT_PIDFILE = 256 };

static const struct option longopts[] = {
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	CHAIN_COMMON_LONGOPTS,
};

static const char *pidfile;
static int pidfile_regular;

static void on_signal(int sig) { (void)sig; }

/* The pid the caller's /proc shows for pause: the one nsjoin outside can use
 * (getpid() answers in pause's own pid namespace: 1 as its PID 1). */
static long visible_pid(void)
{
	char link[32];
	int v;
	ssize_t n = readlink("/proc/self", link, sizeof link - 1);
	if (n <= 0)
		return getpid();
	link[n] = '\0';
	return parse_pid(link, &v) < 0 ? getpid() : v;
}

static void write_pidfile(const char *file)
{
	char text[32], tmp[PATH_MAX], q1[PATH_MAX + 8] = "", q2[PATH_MAX + 8] = "";
	long pid = visible_pid();
	struct stat st;
	snprintf(text, sizeof text, "%ld\n", pid);
	if (pid == 1 && getpid() == 1)
		warn("this /proc belongs to pause's own pid namespace: the pidfile says 1, useless outside (start pause before a new /proc)");
	if (stat(file, &st) == 0 && S_ISFIFO(st.st_mode)) {
		/* Opening a FIFO for writing waits for its reader: the pod is up. */
		if (sys_write_file(file, text) < 0)
			die_call();
		return;
	}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", file) >= sizeof tmp)
		die("--pidfile %s: name too long", file);
	quote_str(q1, sizeof q1, tmp);
	quote_str(q2, sizeof q2, file);
	int fd = (int)trace_call(open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644),
				 "open(%s, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644)", q1);
	if (fd < 0)
		die_call();
	ssize_t w = write(fd, text, strlen(text));
	if (w >= 0 && w != (ssize_t)strlen(text)) {
		w = -1;
		errno = EIO; /* a short write: the pid must be whole */
	}
	trace_call(w, "write(%d, \"%ld\\n\", %zu)", fd, pid, strlen(text));
	if (w < 0 || trace_call(close(fd), "close(%d)", fd) < 0) {
		int saved = errno;
		unlink(tmp);
		errno = saved;
		die_call();
	}
	/* Whole or not at all: a reader never sees a half-written file. */
	if (trace_call(rename(tmp, file), "rename(%s, %s)", q1, q2) < 0)
		die_call();
	pidfile_regular = 1;
}

int main(int argc, char **argv)
{
	int c, once = 0;
	chain_init(&tool);
	while ((c = getopt_long(argc, argv, "+:" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == OPT_PIDFILE) {
			chain_once(&once, "--pidfile");
			if (!*optarg)
				usage_error("--pidfile needs a file name");
			pidfile = optarg;
		} else {
			chain_common_option(&tool, c, argv);
		}
	}
	if (optind < argc)
		usage_error("pause runs no program ('%s'): it only holds the namespaces it is in", argv[optind]);

	if (getpid() == 1) {
		trace_comment("PID 1 of this pid namespace: every orphan in it comes to pause");
	} else {
		trace_comment("not PID 1 (pid %d): orphans of the pid namespace go to its PID 1", (int)getpid());
		if (trace_call(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER, 1)") < 0)
			die_call();
	}

	/* Every signal ignored but three, which are blocked and taken with
	 * sigwaitinfo(). They get a handler too: the kernel discards a signal sent to a
	 * namespace's PID 1 that it has left at SIG_DFL. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, h = { .sa_handler = on_signal };
	int ignored = 0;
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP || sig == SIGINT || sig == SIGTERM || sig == SIGCHLD)
			continue;
		ignored += sigaction(sig, &ign, NULL) == 0; /* libc keeps a few real-time ones */
	}
	trace_comment("%d signals set to SIG_IGN: all but SIGINT, SIGTERM, SIGCHLD (and SIGKILL, SIGSTOP, which cannot be)",
		      ignored);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	if (trace_call(sigprocmask(SIG_BLOCK, &set, NULL), "rt_sigprocmask(SIG_BLOCK, [SIGINT SIGTERM SIGCHLD])") < 0)
		die_call();
	sigaction(SIGINT, &h, NULL);
	sigaction(SIGTERM, &h, NULL);
	sigaction(SIGCHLD, &h, NULL);

	if (pidfile)
		write_pidfile(pidfile);
	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&set, &info);
		if (sig < 0)
			continue; /* EINTR: a stop and continue */
		char why[64];
		snprintf(why, sizeof why, "%s from pid %d", signal_name(sig), (int)info.si_pid);
		trace_call_why(sig, why, "rt_sigtimedwait([SIGINT SIGTERM SIGCHLD])");
		if (sig == SIGCHLD) {
			pid_t r;
			while ((r = waitpid(-1, NULL, WNOHANG)) > 0)
				trace_call_why(r, "reaped", "wait4(-1, WNOHANG)");
			continue;
		}
		trace_comment("%s: exiting 0", signal_name(sig));
		if (pidfile_regular) {
			char q[PATH_MAX + 8] = "";
			quote_str(q, sizeof q, pidfile);
			trace_call(unlink(pidfile), "unlink(%s)", q);
		}
		return 0;
	}
}
