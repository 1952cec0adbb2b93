/* chain: options, finding and exec'ing the next stage, supervising. See chain.h. */
#include "chain.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"
#include "sys.h"

extern char **environ;

/* The tools that exec a next program and follow this contract themselves; pid1
 * counts, since it hands the descriptors on to its child's exec. */
static const char *const stages[] = {
	"mkns", "cgset", "vethpair", "overlaymount", "pivot", "capdrop",
	"seccompbpf", "nsjoin", "pid1", "rlimits",
};

/* Variables that carry a handle from one stage to the next; the program at the end
 * of the chain must not inherit them (DESIGN.md 1, Descriptors). */
static const char *const internal_vars[] = { "BOXSTEP_TRACE_FD", "BOXSTEP_OUTER_NETNS_FD" };

void chain_init(const struct tool *tool)
{
	log_init(tool->name);
}

void chain_common_option(const struct tool *tool, int c, char **argv)
{
	switch (c) {
	case 'h':
		printf("Usage: %s\n%s", tool->usage, tool->help);
		exit(0);
	case 'V':
		printf("%s (boxstep) %s\n", tool->name, BOXSTEP_VERSION);
		exit(0);
	case 'v':
		log_enable_trace();
		return;
	case ':':
		usage_error("option '%s' needs a value", argv[optind - 1]);
	default:
		if (optopt)
			usage_error("unknown option '-%c'", optopt);
		usage_error("unknown option '%s'", argv[optind - 1]);
	}
}

void chain_once(int *seen, const char *option)
{
	if ((*seen)++)
		usage_error("option '%s' given twice", option);
}

unsigned chain_kill_after_option(const char *value, int *seen)
{
	unsigned long secs;
	chain_once(seen, "--kill-after");
	if (parse_uint(value, 86400, &secs) < 0)
		usage_error("invalid number of seconds '%s' for --kill-after: 0 to 86400", value);
	return (unsigned)secs;
}

const char *chain_toolkit_dir(void)
{
	static char dir[PATH_MAX];
	if (dir[0])
		return dir;
	ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
	if (n <= 0) {
		snprintf(dir, sizeof dir, "/.boxstep/bin"); /* no /proc: assume we were pivoted */
		return dir;
	}
	dir[n] = '\0';
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	return dir;
}

static bool is_executable_file(const char *path, int *err)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		*err = errno == ENOENT || errno == ENOTDIR ? ENOENT : errno;
		return false;
	}
	if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0) {
		*err = EACCES;
		return false;
	}
	return true;
}

/* Where argv0 runs from: as given when it holds a '/', else the toolkit's copy of a
 * boxstep tool, else the first executable on PATH. Returns the errno otherwise. */
static int resolve(const char *toolkit_dir, const char *argv0, char *out, size_t size)
{
	int err = ENOENT, e = ENOENT;
	if (strchr(argv0, '/')) {
		snprintf(out, size, "%s", argv0);
		return is_executable_file(out, &err) ? 0 : err;
	}
	snprintf(out, size, "%s/%s", toolkit_dir, argv0);
	if (is_executable_file(out, &e))
		return 0;
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		snprintf(out, size, "%.*s/%s", (int)len, len ? path : ".", argv0);
		if (is_executable_file(out, &e))
			return 0;
		if (e != ENOENT)
			err = e;
		path += len + (path[len] == ':');
	}
	snprintf(out, size, "%s", argv0);
	return err;
}

static bool is_stage(const char *toolkit_dir, const char *path)
{
	char real[PATH_MAX], realdir[PATH_MAX];
	if (!realpath(path, real) || !realpath(toolkit_dir, realdir))
		return false;
	char *slash = strrchr(real, '/');
	if (!slash)
		return false;
	*slash = '\0';
	if (strcmp(real, realdir) != 0)
		return false;
	for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
		if (strcmp(slash + 1, stages[i]) == 0)
			return true;
	return false;
}

/* The end of the chain: close every descriptor above 2 but those the learner asked
 * to keep (BOXSTEP_PRESERVE_FDS=3,4), and drop the internal handle variables. */
void chain_drop_handles(int traced)
{
	unsigned keep[64];
	size_t nkeep = 0;
	const char *list = getenv("BOXSTEP_PRESERVE_FDS");
	if (list && *list && parse_uint_list(list, keep, 64, &nkeep) < 0)
		die("invalid BOXSTEP_PRESERVE_FDS '%s': expected descriptor numbers like 3,4", list);
	/* The trace descriptor stays open until the execve line is written, then
	 * closes on exec. */
	int tfd = trace_fd_number();
	if (tfd > 2 && nkeep < 64) {
		keep[nkeep++] = (unsigned)tfd;
		fcntl(tfd, F_SETFD, FD_CLOEXEC);
	}
	sort_uints(keep, nkeep);
	for (size_t i = 0; i < sizeof internal_vars / sizeof internal_vars[0]; i++)
		unsetenv(internal_vars[i]);
	unsigned first = 3;
	for (size_t i = 0; i <= nkeep; i++) {
		unsigned next = i < nkeep ? keep[i] : ~0u;
		if (next < first)
			continue;
		unsigned last = next == ~0u ? ~0u : next - 1;
		if (next > first && (traced ? sys_close_range(first, last) : (int)syscall(SYS_close_range, first, last, 0)) < 0)
			die_call();
		if (next == ~0u)
			break;
		first = next + 1;
	}
}

static void format_argv(char *buf, size_t size, char **argv)
{
	snprintf(buf, size, "[");
	for (int i = 0; argv[i]; i++) {
		if (i == 8) {
			strncat(buf, ", ...", size - strlen(buf) - 1);
			break;
		}
		if (i)
			strncat(buf, ", ", size - strlen(buf) - 1);
		quote_str(buf, size, argv[i]);
	}
	strncat(buf, "]", size - strlen(buf) - 1);
}

void chain_prepare(struct chain_next *next, const char *toolkit_dir, char **argv)
{
	static char *default_argv[] = { "/bin/sh", NULL };
	if (!argv || !argv[0]) {
		trace_comment("no program given: running /bin/sh");
		argv = default_argv;
	}
	if (!toolkit_dir)
		toolkit_dir = chain_toolkit_dir();
	next->argv = argv;
	next->err = resolve(toolkit_dir, argv[0], next->path, sizeof next->path);
	if (!next->err && !is_stage(toolkit_dir, next->path)) {
		trace_comment("%s is not a boxstep stage: closing descriptors above 2", argv[0]);
		chain_drop_handles(1);
	}
}

_Noreturn void chain_exec_prepared(const struct chain_next *next)
{
	char shown[PATH_MAX + 8], args[2048];
	shown[0] = '\0';
	quote_str(shown, sizeof shown, next->path);
	format_argv(args, sizeof args, next->argv);
	int err = next->err;
	if (!err) {
		/* A successful execve does not return, so its line is printed first. */
		trace_line("execve(%s, %s) = 0", shown, args);
		execve(next->path, next->argv, environ);
		err = errno;
	}
	errno = err;
	trace_call(-1, "execve(%s, %s)", shown, args);
	report_call();
	hint_for_last_call(NULL);
	exit(err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
}

_Noreturn void chain_exec_in(const char *toolkit_dir, char **argv)
{
	struct chain_next next;
	chain_prepare(&next, toolkit_dir, argv);
	chain_exec_prepared(&next);
}

_Noreturn void chain_exec(char **argv)
{
	chain_exec_in(NULL, argv);
}

int chain_run(char **argv)
{
	char path[PATH_MAX], shown[PATH_MAX + 8], args[2048];
	int err = resolve("/nonexistent", argv[0], path, sizeof path);
	shown[0] = '\0';
	quote_str(shown, sizeof shown, path);
	format_argv(args, sizeof args, argv);
	if (err) {
		errno = err;
		trace_call(-1, "execve(%s, %s)", shown, args);
		report_call();
		hint_for_last_call(NULL);
		return err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
	}
	pid_t pid = sys_fork(NULL);
	if (pid < 0) {
		report_call();
		return EXIT_TOOL_FAILED;
	}
	if (pid == 0) {
		trace_line("execve(%s, %s) = 0", shown, args);
		execve(path, argv, environ);
		int e = errno;
		trace_call(-1, "execve(%s, %s)", shown, args);
		report_call();
		_exit(e == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return EXIT_TOOL_FAILED;
	return exit_code_of(status);
}

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
static sigset_t saved_mask;

static void forwarded_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
}

static void on_signal(int sig) { (void)sig; }

pid_t chain_fork(const char *why)
{
	sigset_t set;
	forwarded_set(&set);
	sigprocmask(SIG_BLOCK, &set, &saved_mask);
	pid_t parent = getpid();
	pid_t pid = sys_fork(why);
	if (pid < 0)
		die_call();
	if (pid == 0) {
		/* The supervisor may die by SIGKILL; take the container with it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent && getppid() != 0)
			_exit(EXIT_TOOL_FAILED); /* it died before prctl */
		sigprocmask(SIG_SETMASK, &saved_mask, NULL);
		return 0;
	}
	/* Handlers, not SIG_DFL: the kernel drops signals with the default action sent
	 * to a namespace's PID 1, and a supervisor may be one (pid1, pause). */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaction(forwarded[i], &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	return pid;
}

int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_TOOL_FAILED;
}

static bool is_terminating(int sig)
{
	return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT;
}

int chain_supervise(pid_t child, unsigned kill_after)
{
	sigset_t set;
	forwarded_set(&set);
	int terminations = 0;
	bool timer = false;
	struct timespec deadline = { 0, 0 };

	for (;;) {
		int status;
		pid_t r;
		while ((r = waitpid(-1, &status, WNOHANG)) > 0) {
			if (r == child) {
				int code = exit_code_of(status);
				if (WIFSIGNALED(status))
					trace_comment("child %d was killed by %s: exit status %d", (int)child,
						      signal_name(WTERMSIG(status)), code);
				return code;
			}
		}
		if (r < 0 && errno == ECHILD)
			return EXIT_TOOL_FAILED;

		siginfo_t info;
		int sig;
		if (timer) {
			struct timespec now, left;
			clock_gettime(CLOCK_MONOTONIC, &now);
			left.tv_sec = deadline.tv_sec - now.tv_sec;
			left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
			if (left.tv_nsec < 0) {
				left.tv_sec--;
				left.tv_nsec += 1000000000L;
			}
			if (left.tv_sec < 0)
				left.tv_sec = left.tv_nsec = 0;
			sig = sigtimedwait(&set, &info, &left);
			if (sig < 0 && errno == EAGAIN) {
				trace_comment("no exit %u s after the signal: escalating", kill_after);
				sys_kill(child, SIGKILL);
				timer = false;
				continue;
			}
		} else {
			sig = sigwaitinfo(&set, &info);
		}
		if (sig < 0 || sig == SIGCHLD)
			continue;
		if (is_terminating(sig) && terminations++) {
			trace_comment("second signal: escalating");
			sys_kill(child, SIGKILL);
			continue;
		}
		/* Ctrl-C at a terminal signals the whole foreground process group: the child
		 * has its own copy already, and a program that handles it and goes on must
		 * not be killed by a timer. */
		if (info.si_code == SI_KERNEL && getpgid(child) == getpgrp()) {
			trace_comment("%s from the terminal reached child %d directly", signal_name(sig),
				      (int)child);
			continue;
		}
		sys_kill(child, sig);
		if (is_terminating(sig)) {
			timer = true;
			clock_gettime(CLOCK_MONOTONIC, &deadline);
			deadline.tv_sec += kill_after;
		}
	}
}
