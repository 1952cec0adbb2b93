/* cgset: the rest of the chain in a new cgroup with limits (cgroups(7)).
 *
 * Namespaces limit what a process sees; cgroups limit what it uses. cgset makes a
 * cgroup, writes the limits, and forks: the child joins the cgroup and execs the
 * chain, so the limits cover everything after it; the parent stays outside,
 * forwards signals, waits, says what the kernel did (OOM kills, refused forks:
 * otherwise silent), kills what is left and removes the cgroup. The differences
 * between cgroup v2 and v1 live in lib/cgroup (one translation table). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "chain.h"
#include "log.h"
#include "parse.h"

#define USAGE "cgset [--name NAME] [--parent PATH|self] [LIMITS] [--] [PROGRAM [ARGS...]]"

static const struct tool tool = {
	"cgset", USAGE,
	"Run PROGRAM (default /bin/sh) in a new cgroup with limits, and report what the\n"
	"kernel did: OOM kills and refused forks. The cgroup is removed afterwards.\n"
	"\n"
	"Where:\n"
	"      --name NAME          the cgroup's name (default boxstep-PID)\n"
	"      --parent PATH|self   the parent cgroup, a path from the hierarchy's root\n"
	"                           (default boxstep: made when missing, then left);\n"
	"                           self: below cgset's own cgroup (v1: in each tree)\n"
	"\n"
	"LIMITS               cgroup v2 file     cgroup v1 file, where v2 lacks it\n"
	"      --memory SIZE        memory.max         memory.limit_in_bytes\n"
	"      --memory-high SIZE   memory.high        (v2 only: throttle and reclaim)\n"
	"      --swap SIZE          memory.swap.max    memory.memsw.limit_in_bytes,\n"
	"                                              which is memory + SIZE\n"
	"      --cpus N.N           cpu.max            cpu.cfs_quota_us, cfs_period_us\n"
	"      --cpu-weight 1-10000 cpu.weight         cpu.shares (2-262144, converted)\n"
	"      --cpuset LIST        cpuset.cpus        cpuset.cpus; mems from the parent\n"
	"      --io-weight 1-10000  io.weight          blkio.weight or blkio.bfq.weight\n"
	"      --pids N|max         pids.max           pids.max\n"
	"  SIZE: bytes, or with K, M, G or T (binary, any case: 64m = 64M); max: none.\n"
	"  N.N CPUs: N.N x 100000 us of CPU time every 100000 us, all threads together.\n"
	"\n"
	"Modes:\n"
	"      --keep               leave the cgroup (and what runs in it) in place\n"
	"      --join-only          join the cgroup and exec PROGRAM: no supervisor, no\n"
	"                           report; the cgroup stays\n"
	"      --gc                 remove the empty boxstep-* cgroups below the parent\n"
	"                           that a killed cgset left, then exit\n"
	"      --kill-after SECS    SIGKILL this long after a forwarded SIGTERM, SIGINT,\n"
	"                           SIGHUP, SIGQUIT (default 10; at once on a second)\n"
	"  -v, --verbose            trace every kernel call (or BOXSTEP_TRACE=1)\n"
	"  -h, --help               this help\n"
	"  -V, --version            version\n"
	"\n"
	"Kernel calls, in order:\n"
	"  mkdir(PARENT)                    the default parent, when missing\n"
	"  write(\"cgroup.subtree_control\") v2: \"+memory +pids ...\" where missing,\n"
	"                                   on each level from the root to PARENT\n"
	"  mkdir(PARENT/NAME)               in each tree (v1: one per controller;\n"
	"                                   hybrid: the cgroup2 one too)\n"
	"  write(\"NAME/memory.max\")        each limit, in the files of the table\n"
	"  clone()                          the child ...\n"
	"  write(\"NAME/cgroup.procs\")      ... joins the cgroup in each tree ...\n"
	"  execve(PROGRAM)                  ... and runs the chain\n"
	"  read(\"memory.events\")           after it, the report (v1: memory.oom_control;\n"
	"                                   pids.events)\n"
	"  write(\"NAME/cgroup.kill\", \"1\")  what is left (v1: kill() each of cgroup.procs)\n"
	"  rmdir(PARENT/NAME)\n"
	"\n"
	"Example:\n"
	"  cgset --memory 64M --swap 0 --cpus 0.5 --pids 16 -- mkns --pid --mount-proc\n"
	"\n"
	"Environment: BOXSTEP_CGROUP_PARENT sets the default parent (self: tests and\n"
	"lessons); BOXSTEP_CGROUP_ROOT=DIR makes DIR play a cgroup2 root (tests).\n"
	"Exit status: PROGRAM's own (137 after an OOM kill); 125 if cgset failed; 126/127\n"
	"if PROGRAM could not run.\n"
	"See cgset(1), cgroups(7), the kernel's Documentation/admin-guide/cgroup-v2.rst.\n",
};

enum {
	OPT_NAME = 256, OPT_PARENT, OPT_KEEP, OPT_JOIN_ONLY, OPT_GC, OPT_KILL_AFTER,
	OPT_LIMIT, /* OPT_LIMIT + enum cgroup_limit */
};

static const struct option longopts[] = {
	{ "name", required_argument, NULL, OPT_NAME },
	{ "parent", required_argument, NULL, OPT_PARENT },
	{ "memory", required_argument, NULL, OPT_LIMIT + CG_L_MEMORY },
	{ "memory-high", required_argument, NULL, OPT_LIMIT + CG_L_MEMORY_HIGH },
	{ "swap", required_argument, NULL, OPT_LIMIT + CG_L_SWAP },
	{ "io-weight", required_argument, NULL, OPT_LIMIT + CG_L_IO_WEIGHT },
	{ "cpus", required_argument, NULL, OPT_LIMIT + CG_L_CPUS },
	{ "cpu-weight", required_argument, NULL, OPT_LIMIT + CG_L_CPU_WEIGHT },
	{ "cpuset", required_argument, NULL, OPT_LIMIT + CG_L_CPUSET },
	{ "pids", required_argument, NULL, OPT_LIMIT + CG_L_PIDS },
	{ "keep", no_argument, NULL, OPT_KEEP },
	{ "join-only", no_argument, NULL, OPT_JOIN_ONLY },
	{ "gc", no_argument, NULL, OPT_GC },
	{ "kill-after", required_argument, NULL, OPT_KILL_AFTER },
	CHAIN_COMMON_LONGOPTS,
};

struct options {
	const char *name, *parent;
	struct cgroup_limits limits;
	int keep, join_only, gc;
	unsigned long kill_after;
	int once_name, once_parent, once_ka, once_limit[CG_LIMITS];
};

static void parse_args(struct options *o, int argc, char **argv)
{
	int c;
	char why[256], option[32];
	o->kill_after = 10;
	while ((c = getopt_long(argc, argv, "+:" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (c >= OPT_LIMIT && c < OPT_LIMIT + CG_LIMITS) {
			enum cgroup_limit l = (enum cgroup_limit)(c - OPT_LIMIT);
			snprintf(option, sizeof option, "--%s", cgroup_limit_option(l));
			chain_once(&o->once_limit[l], option);
			/* One line naming the value and what is accepted (nothing is made). */
			if (cgroup_limit_parse(l, optarg, &o->limits, why, sizeof why) < 0)
				die("invalid %s '%s': expected %s", option, optarg, why);
			continue;
		}
		switch (c) {
		case OPT_NAME: chain_once(&o->once_name, "--name"); o->name = optarg; break;
		case OPT_PARENT: chain_once(&o->once_parent, "--parent"); o->parent = optarg; break;
		case OPT_KEEP: chain_once(&o->keep, "--keep"); break;
		case OPT_JOIN_ONLY: chain_once(&o->join_only, "--join-only"); break;
		case OPT_GC: chain_once(&o->gc, "--gc"); break;
		case OPT_KILL_AFTER:
			chain_once(&o->once_ka, "--kill-after");
			if (parse_uint(optarg, 86400, &o->kill_after) < 0)
				die("invalid --kill-after '%s': expected a number of seconds, 0 to 86400", optarg);
			break;
		default: chain_common_option(&tool, c, argv);
		}
	}
	if (o->keep && o->join_only)
		usage_error("--join-only already leaves the cgroup in place: leave out --keep");
	if (o->gc && (o->name || o->limits.set || o->keep || o->join_only || optind < argc))
		usage_error("--gc takes only --parent: it removes leftover cgroups and runs nothing");
	if (!o->parent) {
		const char *env = getenv("BOXSTEP_CGROUP_PARENT");
		o->parent = env && *env ? env : CGROUP_DEFAULT_PARENT;
	}
}

int main(int argc, char **argv)
{
	struct options o;
	struct cgroup cg;
	char name[64];
	memset(&o, 0, sizeof o);
	chain_init(&tool);
	parse_args(&o, argc, argv);
	if (o.gc)
		return cgroup_gc(o.parent) ? EXIT_TOOL_FAILED : 0;
	if (!o.name) {
		snprintf(name, sizeof name, "boxstep-%d", (int)getpid());
		o.name = name;
	}
	cgroup_plan(&cg, o.parent, o.name, &o.limits); /* exits 125, changing nothing, when refused */
	cgroup_trace_plan(&cg);
	cgroup_create(&cg, &o.limits);

	char **program = argv + optind;
	if (o.join_only) {
		if (cgroup_join(&cg, 0) < 0) {
			cgroup_remove(&cg);
			return EXIT_TOOL_FAILED;
		}
		chain_exec(program);
	}
	pid_t child = chain_fork("joins the cgroup and runs the chain");
	if (child == 0) {
		if (cgroup_join(&cg, 0) < 0)
			_exit(EXIT_TOOL_FAILED);
		chain_exec(program);
	}
	int code = chain_supervise(child, (unsigned)o.kill_after);
	cgroup_report(&cg);
	if (o.keep)
		trace_comment("--keep: %s stays", cg.name);
	else
		cgroup_remove(&cg);
	return code;
}
