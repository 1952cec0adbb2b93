/* rlimits: resource limits for the rest of the chain (setrlimit(2), getrlimit(2)),
 * as s6-softlimit and prlimit(1) set them; the stage OCI's process.rlimits maps to.
 *
 * A resource limit belongs to one process and is inherited by its children and
 * across execve: a soft limit, what the kernel enforces, and a hard limit, the
 * ceiling the soft one may be raised to. Anyone may lower either or raise the soft
 * one up to the hard one; raising a hard limit needs CAP_SYS_RESOURCE. Unlike a
 * cgroup, which counts a group of processes together, a limit counts each process
 * on its own (RLIMIT_NPROC: the processes of its real uid). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "caps.h"
#include "chain.h"
#include "log.h"
#include "parse.h"
#include "sys.h"

#define USAGE "rlimits [--nofile SOFT[:HARD]] [--nproc ...] [--core ...] [--as|--cpu|--data|--fsize|--locks|--memlock|--msgqueue|--nice|--rss|--rtprio|--rttime|--sigpending|--stack ...] [--] [PROGRAM [ARGS...]]"

static const struct tool tool = {
	"rlimits", USAGE,
	"Set resource limits (setrlimit(2)), then run PROGRAM (default /bin/sh).\n"
	"\n"
	"Each option takes SOFT[:HARD]: SOFT alone changes the soft limit only (as\n"
	"s6-softlimit does), SOFT:HARD both, :HARD the hard one (a soft limit above it is\n"
	"lowered to it). A value is a number, or unlimited; SOFT may be '=': the hard\n"
	"limit. Byte limits take K, M, G (64M).\n"
	"\n"
	"Limits (s6-softlimit's letter)        unit       OCI process.rlimits type\n"
	"  -o, --nofile      open descriptors   count      RLIMIT_NOFILE\n"
	"  -p, --nproc       processes of the real uid     RLIMIT_NPROC\n"
	"  -c, --core        core dump size     bytes      RLIMIT_CORE\n"
	"  -a, --as          address space      bytes      RLIMIT_AS\n"
	"  -t, --cpu         CPU time           seconds    RLIMIT_CPU (SIGXCPU, then SIGKILL)\n"
	"  -d, --data        data segment       bytes      RLIMIT_DATA\n"
	"  -f, --fsize       file size          bytes      RLIMIT_FSIZE (SIGXFSZ)\n"
	"      --locks       file locks         count      RLIMIT_LOCKS\n"
	"  -l, --memlock     locked memory      bytes      RLIMIT_MEMLOCK\n"
	"      --msgqueue    POSIX mqueues      bytes      RLIMIT_MSGQUEUE\n"
	"      --nice        nice ceiling       20-NICE    RLIMIT_NICE\n"
	"  -r, --rss         resident set       bytes      RLIMIT_RSS (not enforced)\n"
	"      --rtprio      real-time priority 0-99       RLIMIT_RTPRIO\n"
	"      --rttime      real-time CPU      us         RLIMIT_RTTIME\n"
	"      --sigpending  queued signals     count      RLIMIT_SIGPENDING\n"
	"  -s, --stack       stack size         bytes      RLIMIT_STACK\n"
	"  -v, --verbose     trace every kernel call (or BOXSTEP_TRACE=1)\n"
	"  -h, --help        this help\n"
	"  -V, --version     version\n"
	"\n"
	"Raising a hard limit needs CAP_SYS_RESOURCE (and --nofile stays within\n"
	"fs.nr_open): put rlimits before capdrop. Everything is checked first.\n"
	"\n"
	"Kernel calls, in order:\n"
	"  getrlimit(RLIMIT_X)                   the current limits, for SOFT or HARD alone\n"
	"  setrlimit(RLIMIT_X, {rlim_cur, rlim_max})   each limit given\n"
	"  execve(PROGRAM)\n"
	"\n"
	"Example:\n"
	"  mkns --pid --mount -- pivot rootfs -- rlimits --nofile 1024:1024 -- capdrop -- sh\n"
	"\n"
	"Exit status: PROGRAM's own; 125 if rlimits failed; 126/127 if PROGRAM could not run.\n"
	"See rlimits(1), setrlimit(2), prlimit(1), ocirun(1), cgset(1).\n",
};

enum unit { COUNT, BYTES };

static const struct limit {
	const char *option;
	int letter, resource;
	const char *macro;
	enum unit unit;
} limits[] = {
	{ "nofile", 'o', RLIMIT_NOFILE, "RLIMIT_NOFILE", COUNT },
	{ "nproc", 'p', RLIMIT_NPROC, "RLIMIT_NPROC", COUNT },
	{ "core", 'c', RLIMIT_CORE, "RLIMIT_CORE", BYTES },
	{ "as", 'a', RLIMIT_AS, "RLIMIT_AS", BYTES },
	{ "cpu", 't', RLIMIT_CPU, "RLIMIT_CPU", COUNT },
	{ "data", 'd', RLIMIT_DATA, "RLIMIT_DATA", BYTES },
	{ "fsize", 'f', RLIMIT_FSIZE, "RLIMIT_FSIZE", BYTES },
	{ "locks", 0, RLIMIT_LOCKS, "RLIMIT_LOCKS", COUNT },
	{ "memlock", 'l', RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK", BYTES },
	{ "msgqueue", 0, RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE", BYTES },
	{ "nice", 0, RLIMIT_NICE, "RLIMIT_NICE", COUNT },
	{ "rss", 'r', RLIMIT_RSS, "RLIMIT_RSS", BYTES },
	{ "rtprio", 0, RLIMIT_RTPRIO, "RLIMIT_RTPRIO", COUNT },
	{ "rttime", 0, RLIMIT_RTTIME, "RLIMIT_RTTIME", COUNT },
	{ "sigpending", 0, RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING", COUNT },
	{ "stack", 's', RLIMIT_STACK, "RLIMIT_STACK", BYTES },
};
#define NLIMITS (sizeof limits / sizeof limits[0])
#define OPT_BASE 256

static const struct option longopts[] = {
	{ "nofile", required_argument, NULL, OPT_BASE + 0 },
	{ "nproc", required_argument, NULL, OPT_BASE + 1 },
	{ "core", required_argument, NULL, OPT_BASE + 2 },
	{ "as", required_argument, NULL, OPT_BASE + 3 },
	{ "cpu", required_argument, NULL, OPT_BASE + 4 },
	{ "data", required_argument, NULL, OPT_BASE + 5 },
	{ "fsize", required_argument, NULL, OPT_BASE + 6 },
	{ "locks", required_argument, NULL, OPT_BASE + 7 },
	{ "memlock", required_argument, NULL, OPT_BASE + 8 },
	{ "msgqueue", required_argument, NULL, OPT_BASE + 9 },
	{ "nice", required_argument, NULL, OPT_BASE + 10 },
	{ "rss", required_argument, NULL, OPT_BASE + 11 },
	{ "rtprio", required_argument, NULL, OPT_BASE + 12 },
	{ "rttime", required_argument, NULL, OPT_BASE + 13 },
	{ "sigpending", required_argument, NULL, OPT_BASE + 14 },
	{ "stack", required_argument, NULL, OPT_BASE + 15 },
	CHAIN_COMMON_LONGOPTS,
};

/* What one option asks: -1 leaves that half as it is; soft_is_hard is SOFT '='. */
struct request {
	const char *text;
	int given, soft_is_hard, soft_set, hard_set;
	rlim_t soft, hard;
};

static void value(const struct limit *l, const char *text, const char *s, size_t len, rlim_t *out)
{
	char buf[64];
	uint64_t v;
	unsigned long n;
	if (len == 0 || len >= sizeof buf)
		usage_error("invalid value '%s' for --%s: expected SOFT[:HARD], as 1024:4096", text, l->option);
	len = len < sizeof buf ? len : sizeof buf - 1; /* (for cppcheck: usage_error does not return) */
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!strcmp(buf, "unlimited") || !strcmp(buf, "infinity")) {
		*out = RLIM_INFINITY;
		return;
	}
	if (l->unit == BYTES && parse_size(buf, &v) == 0 && v != SIZE_UNLIMITED) {
		*out = (rlim_t)v;
		return;
	}
	if (parse_uint(buf, ~0UL - 1, &n) == 0) {
		*out = (rlim_t)n;
		return;
	}
	usage_error("invalid value '%s' for --%s: a number%s, or unlimited", buf, l->option,
		    l->unit == BYTES ? " of bytes (64M)" : "");
}

static void parse_request(const struct limit *l, struct request *r, const char *arg)
{
	const char *colon = strchr(arg, ':');
	size_t slen = colon ? (size_t)(colon - arg) : strlen(arg);
	if (r->given++)
		usage_error("option '--%s' given twice", l->option);
	r->text = arg;
	if (slen == 1 && arg[0] == '=') {
		r->soft_is_hard = 1;
	} else if (slen > 0) {
		value(l, arg, arg, slen, &r->soft);
		r->soft_set = 1;
	} else if (!colon) {
		usage_error("invalid value '' for --%s: expected SOFT[:HARD]", l->option);
	}
	if (colon) {
		value(l, arg, colon + 1, strlen(colon + 1), &r->hard);
		r->hard_set = 1;
	}
	if (r->soft_set && r->hard_set && r->hard != RLIM_INFINITY &&
	    (r->soft == RLIM_INFINITY || r->soft > r->hard))
		usage_error("--%s %s: the soft limit is above the hard one", l->option, arg);
}

static void fmt_rlim(char *buf, size_t size, rlim_t v)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, size, "RLIM_INFINITY");
	else
		snprintf(buf, size, "%llu", (unsigned long long)v);
}

/* An error line, then a hint; exits 125 (DESIGN.md 3). */
__attribute__((format(printf, 2, 3))) _Noreturn static void refuse(const char *hint_text, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", log_prog(), line);
	hint("%s", hint_text);
	exit(EXIT_TOOL_FAILED);
}

/* The limits to set, checked against the current ones before the first change. */
static void plan(struct request *req, struct rlimit *want)
{
	struct cap_sets caps;
	int sys_resource = cap_by_name("sys_resource");
	int can_raise = caps_read(&caps) == 0 && sys_resource >= 0 && (caps.eff >> sys_resource & 1);
	for (size_t i = 0; i < NLIMITS; i++) {
		const struct limit *l = &limits[i];
		struct request *r = &req[i];
		struct rlimit cur;
		if (!r->given)
			continue;
		if (getrlimit(l->resource, &cur) < 0)
			die("getrlimit(%s): %s", l->macro, strerror(errno));
		want[i].rlim_max = r->hard_set ? r->hard : cur.rlim_max;
		want[i].rlim_cur = r->soft_set ? r->soft : r->soft_is_hard ? want[i].rlim_max : cur.rlim_cur;
		if (!r->soft_set && !r->soft_is_hard && want[i].rlim_max != RLIM_INFINITY &&
		    (want[i].rlim_cur == RLIM_INFINITY || want[i].rlim_cur > want[i].rlim_max))
			want[i].rlim_cur = want[i].rlim_max; /* :HARD lowers the soft limit with it */
		char a[32], b[32];
		fmt_rlim(a, sizeof a, want[i].rlim_cur);
		fmt_rlim(b, sizeof b, cur.rlim_max);
		if (want[i].rlim_max == cur.rlim_max && cur.rlim_max != RLIM_INFINITY &&
		    (want[i].rlim_cur == RLIM_INFINITY || want[i].rlim_cur > cur.rlim_max)) {
			char h[128];
			snprintf(h, sizeof h, "give the hard limit too (--%s SOFT:HARD); raising it needs CAP_SYS_RESOURCE",
				 l->option);
			refuse(h, "--%s %s: soft limit %s is above the hard limit %s", l->option, r->text, a, b);
		}
		int raises = cur.rlim_max != RLIM_INFINITY &&
			     (want[i].rlim_max == RLIM_INFINITY || want[i].rlim_max > cur.rlim_max);
		if (raises && !can_raise) {
			fmt_rlim(a, sizeof a, want[i].rlim_max);
			refuse("lower limits only, or run rlimits before capdrop drops CAP_SYS_RESOURCE",
			       "--%s %s: raising the hard limit from %s to %s needs CAP_SYS_RESOURCE, which this process lacks",
			       l->option, r->text, b, a);
		}
		if (l->resource == RLIMIT_NOFILE && want[i].rlim_max != cur.rlim_max) {
			char nr[32];
			unsigned long nr_open;
			if (read_file("/proc/sys/fs/nr_open", nr, sizeof nr) > 0 && parse_uint(nr, ~0UL - 1, &nr_open) == 0 &&
			    (want[i].rlim_max == RLIM_INFINITY || want[i].rlim_max > nr_open))
				die("--nofile %s: the hard limit cannot exceed fs.nr_open (%lu)", r->text, nr_open);
		}
	}
}

int main(int argc, char **argv)
{
	struct request req[NLIMITS];
	struct rlimit want[NLIMITS];
	char shortopts[64] = "+:", *p = shortopts + 2;
	int c, any = 0;

	memset(req, 0, sizeof req);
	chain_init(&tool);
	for (size_t i = 0; i < NLIMITS; i++)
		if (limits[i].letter) {
			*p++ = (char)limits[i].letter;
			*p++ = ':';
		}
	snprintf(p, sizeof shortopts - (size_t)(p - shortopts), "%s", CHAIN_COMMON_SHORTOPTS);
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		size_t i = NLIMITS;
		if (c >= OPT_BASE && c < OPT_BASE + (int)NLIMITS)
			i = (size_t)(c - OPT_BASE);
		for (size_t k = 0; k < NLIMITS && i == NLIMITS; k++)
			if (limits[k].letter && limits[k].letter == c)
				i = k;
		if (i == NLIMITS) {
			chain_common_option(&tool, c, argv);
			continue;
		}
		parse_request(&limits[i], &req[i], optarg);
		any = 1;
	}
	if (!any)
		usage_error("no limit given: add one of --nofile, --nproc, --core, ... (see --help)");

	plan(req, want);
	for (size_t i = 0; i < NLIMITS; i++) {
		char a[32], b[32];
		if (!req[i].given)
			continue;
		fmt_rlim(a, sizeof a, want[i].rlim_cur);
		fmt_rlim(b, sizeof b, want[i].rlim_max);
		if (trace_call(setrlimit(limits[i].resource, &want[i]), "setrlimit(%s, {rlim_cur=%s, rlim_max=%s})",
			       limits[i].macro, a, b) < 0)
			die_call();
	}
	chain_exec(argv + optind);
}
