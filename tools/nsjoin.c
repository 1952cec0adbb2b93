/* nsjoin: run a program in the namespaces of a running process (setns(2)), as
 * nsenter(1) and `docker exec` do.
 *
 * setns() moves the caller into an existing namespace named by a descriptor: a
 * /proc/PID/ns/TYPE link, or a file one is bind-mounted on. Every file is opened
 * first, so a missing process or a refused open changes nothing; then the joins
 * happen in the order the kernel needs: the user namespace first, since it is what
 * grants the capabilities the other joins are checked against. Joining a pid
 * namespace changes only where the caller's children go, so nsjoin forks and
 * supervises, and the child runs PROGRAM inside. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain.h"
#include "log.h"
#include "ns.h"
#include "nsfd.h"
#include "parse.h"
#include "sys.h"

#define USAGE "nsjoin [--target PID|PIDFILE] [-muinpUCT | --all] [--TYPE=FILE...] [--] [PROGRAM [ARGS...]]"

static const struct tool tool = {
	"nsjoin", USAGE,
	"Run PROGRAM (default /bin/sh) in the namespaces of a running process.\n"
	"\n"
	"Options:\n"
	"  -t, --target PID|PIDFILE  the process to join: a PID, or a file holding one\n"
	"                            (pause --pidfile writes it)\n"
	"  -m, --mount[=FILE]     its mount table         -u, --uts[=FILE]     hostname\n"
	"  -i, --ipc[=FILE]       its SysV IPC            -n, --net[=FILE]     network\n"
	"  -p, --pid[=FILE]       its pid namespace (forks: PROGRAM is a child inside)\n"
	"  -U, --user[=FILE]      its user namespace      -C, --cgroup[=FILE]  cgroup view\n"
	"  -T, --time[=FILE]      its clocks\n"
	"  -a, --all              every namespace of the target that differs from ours\n"
	"  With =FILE, the namespace FILE names (/proc/PID/ns/net, or a bind mount of\n"
	"  one) instead of the target's. Joining a pid namespace shows its processes only\n"
	"  through its /proc: join --mount too.\n"
	"      --kill-after SECS  with --pid: SIGKILL this long after a forwarded SIGTERM\n"
	"  -v, --verbose          trace every kernel call (or BOXSTEP_TRACE=1)\n"
	"  -h, --help             this help\n"
	"  -V, --version          version\n"
	"\n"
	"Kernel calls, in order:\n"
	"  open(\"/proc/PID/ns/TYPE\")    every namespace first: a failure changes nothing\n"
	"  ioctl(FD, NS_GET_NSTYPE)     is FILE the namespace type asked for?\n"
	"  setns(FD, CLONE_NEWUSER)     the user namespace first: it grants the rest\n"
	"  setns(FD, CLONE_NEW...)      cgroup, ipc, uts, net, pid, mount, time\n"
	"  clone()                      after joining a pid namespace\n"
	"  execve(PROGRAM)\n"
	"\n"
	"Example:\n"
	"  nsjoin --target pod.pid --net --uts --ipc -- mkns --mount --pid -- sh\n"
	"\n"
	"Exit status: PROGRAM's own; 125 if nsjoin failed; 126/127 if PROGRAM could not\n"
	"run.\n"
	"See nsjoin(1), setns(2), namespaces(7), nsenter(1), pause(1).\n",
};

/* The order of the joins, nsenter's: user first; mount late, since it changes
 * the root and working directory. */
static const char *const order[NS_TYPE_COUNT] = { "user", "cgroup", "ipc", "uts", "net", "pid", "mount", "time" };

struct want {
	const struct ns_type *t;
	int asked;        /* 1: --TYPE, 2: through --all */
	const char *file; /* --TYPE=FILE */
	int fd;
};

static const struct option longopts[] = {
	{ "target", required_argument, NULL, 't' }, { "all", no_argument, NULL, 'a' },
	{ "mount", optional_argument, NULL, 'm' },  { "uts", optional_argument, NULL, 'u' },
	{ "ipc", optional_argument, NULL, 'i' },    { "net", optional_argument, NULL, 'n' },
	{ "pid", optional_argument, NULL, 'p' },    { "user", optional_argument, NULL, 'U' },
	{ "cgroup", optional_argument, NULL, 'C' }, { "time", optional_argument, NULL, 'T' },
	{ "kill-after", required_argument, NULL, 'K' },
	CHAIN_COMMON_LONGOPTS,
};

static struct want *want_of(struct want *w, const char *name)
{
	const struct ns_type *t = ns_by_name(name);
	return &w[t - ns_types()];
}

/* PID, or the pid in the file PIDFILE. */
static pid_t target_pid(const char *s)
{
	int v;
	char text[32];
	const char *from = s;
	if (parse_pid(s, &v) < 0) {
		if (read_file(s, text, sizeof text) < 0)
			die("--target %s: open(\"%s\"): %s", s, s, strerror(errno));
		if (parse_pid(text, &v) < 0)
			die("--target %s: the file does not hold a pid", s);
		from = text;
	}
	char proc[64];
	struct stat st;
	snprintf(proc, sizeof proc, "/proc/%d", v);
	if (stat(proc, &st) < 0)
		die("--target %s: no such process %s", s, from);
	return (pid_t)v;
}

static void open_ns(struct want *w, pid_t pid)
{
	char path[PATH_MAX];
	if (w->file)
		snprintf(path, sizeof path, "%s", w->file);
	else
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, w->t->proc);
	w->fd = sys_open(path, O_RDONLY, 0);
	if (w->fd < 0) {
		report_call();
		if (errno == ENOENT && !w->file)
			hint("process %d has ended, or this kernel has no %s namespace", (int)pid, w->t->option);
		else if (errno == EACCES)
			hint("another user's namespaces open only for root or that user (ptrace access)");
		exit(EXIT_TOOL_FAILED);
	}
	const struct ns_type *t = nsfd_type(w->fd);
	if (t)
		trace_line("ioctl(%d, NS_GET_NSTYPE) = %s", w->fd, t->clone_name);
	else
		trace_call(-1, "ioctl(%d, NS_GET_NSTYPE)", w->fd);
	if (!t)
		die("%s is not a namespace file (a /proc/PID/ns/ link, or a bind mount of one)", path);
	if (t != w->t)
		die("%s is a %s namespace, not %s: give it as --%s=%s", path, t->option, w->t->option, t->option, path);
}

int main(int argc, char **argv)
{
	struct want w[NS_TYPE_COUNT];
	const struct ns_type *types = ns_types();
	const char *target = NULL;
	int all = 0, c, once_ka = 0, joined_pid = 0;
	unsigned long kill_after = 10;

	chain_init(&tool);
	for (size_t i = 0; i < NS_TYPE_COUNT; i++)
		w[i] = (struct want){ &types[i], 0, NULL, -1 };
	while ((c = getopt_long(argc, argv, "+:t:am::u::i::n::p::U::C::T::" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		const struct ns_type *t = NULL;
		for (size_t i = 0; i < NS_TYPE_COUNT; i++)
			if (types[i].letter == c)
				t = &types[i];
		if (t) {
			struct want *x = want_of(w, t->option);
			if (x->asked)
				usage_error("namespace '--%s' given twice", t->option);
			x->asked = 1;
			if (optarg && !*optarg)
				usage_error("--%s= needs a file after '='", t->option);
			x->file = optarg;
			continue;
		}
		switch (c) {
		case 't':
			if (target)
				usage_error("option '--target' given twice");
			target = optarg;
			break;
		case 'a': chain_once(&all, "--all"); break;
		case 'K':
			chain_once(&once_ka, "--kill-after");
			if (parse_uint(optarg, 86400, &kill_after) < 0)
				usage_error("invalid number of seconds '%s' for --kill-after", optarg);
			break;
		default: chain_common_option(&tool, c, argv);
		}
	}

	/* Validation, before the first kernel call. */
	int any = all;
	for (size_t i = 0; i < NS_TYPE_COUNT; i++) {
		if (all && w[i].asked && !w[i].file)
			usage_error("--%s is already part of --all (--%s=FILE picks another one)", types[i].option,
				    types[i].option);
		if (w[i].asked && !w[i].file && !target)
			usage_error("--%s needs --target PID, or a file: --%s=FILE", types[i].option, types[i].option);
		any |= w[i].asked;
	}
	if (!any)
		usage_error("no namespace to join: give at least one of -m -u -i -n -p -U -C -T or --all");
	if (all && !target)
		usage_error("--all needs --target PID");
	pid_t pid = target ? target_pid(target) : 0;

	/* Open everything before joining anything. */
	char label[64];
	for (size_t i = 0; i < NS_TYPE_COUNT; i++) {
		struct want *x = &w[i];
		if (all && !x->asked && ns_self_inode(x->t)) /* not a type this kernel lacks */
			x->asked = 2;
		if (x->asked)
			open_ns(x, pid);
	}
	/* The pid namespace without the mount one: a /proc of the wrong namespace. */
	struct stat mnt;
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int)pid);
	if (want_of(w, "pid")->asked && !want_of(w, "mount")->asked && pid && stat(path, &mnt) == 0 &&
	    mnt.st_ino != ns_self_inode(want_of(w, "mount")->t)) {
		warn("--pid without --mount: this /proc shows the processes of the pid namespace it was mounted in, not the joined one");
		hint("add --mount to see them through the target's /proc");
	}
	for (size_t k = 0; k < NS_TYPE_COUNT; k++) {
		struct want *x = want_of(w, order[k]);
		if (x->fd < 0)
			continue;
		int same = nsfd_inode(x->fd) == ns_self_inode(x->t);
		if (same && (x->asked == 2 || !strcmp(x->t->option, "user"))) {
			/* setns() into one's own user namespace is EINVAL; --all skips the rest too */
			trace_comment("%s: already ours (%s), not joined", x->t->option,
				      nsfd_label(x->fd, x->t, label, sizeof label));
			continue;
		}
		if (sys_setns(x->fd, x->t->flag, nsfd_label(x->fd, x->t, label, sizeof label)) < 0) {
			report_call();
			if (errno == EPERM)
				hint("joining a %s namespace needs CAP_SYS_ADMIN in the user namespace that owns it: run as root, or join --user first",
				     x->t->option);
			else if (errno == EINVAL && !strcmp(x->t->option, "user"))
				hint("a multithreaded process, or one in a chroot, cannot join a user namespace");
			exit(EXIT_TOOL_FAILED);
		}
		if (!strcmp(x->t->option, "pid"))
			joined_pid = 1;
		close(x->fd);
	}
	if (joined_pid) {
		pid_t child = chain_fork("the first process made inside the joined pid namespace");
		if (child > 0)
			return chain_supervise(child, (unsigned)kill_after);
	}
	chain_exec(argv + optind);
}
