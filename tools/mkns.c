/* mkns: new namespaces for the rest of the chain (namespaces(7), unshare(2)).
 *
 * unshare(2) moves the caller into new namespaces at once, except the pid
 * namespace: the caller keeps its pid, and its next child becomes PID 1 of the new
 * one. So mkns forks with --pid and supervises that child; with every other type
 * it execs in place (an exec enters a new time namespace without a fork). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chain.h"
#include "log.h"
#include "ns.h"
#include "parse.h"
#include "sys.h"

#define USAGE "mkns [-muipnUCTa] [--hostname NAME] [--map-root] [options] [--] [PROGRAM [ARGS...]]"

static const struct tool tool = {
	"mkns", USAGE,
	"Run PROGRAM (default /bin/sh) in new namespaces.\n"
	"\n"
	"Namespaces (any combination):\n"
	"  -m, --mount     mount table                  -u, --uts     hostname, domain name\n"
	"  -i, --ipc       SysV IPC, POSIX mqueues      -p, --pid     process IDs (forks: PID 1)\n"
	"  -n, --net       devices, routes, ports       -U, --user    uids, gids, capabilities\n"
	"  -C, --cgroup    view of the cgroup tree      -T, --time    monotonic, boot-time clocks\n"
	"  -a, --all       all but user, as Docker creates them; --all --user gives all eight.\n"
	"                  The user namespace is apart because it changes what uid 0 means:\n"
	"                  Docker runs containers without one unless asked (userns-remap).\n"
	"\n"
	"Options:\n"
	"      --hostname NAME       set the hostname in the new UTS namespace\n"
	"      --domainname NAME     set the NIS domain name in the new UTS namespace\n"
	"      --mount-proc          mount a new /proc (implies --mount; pair it with --pid)\n"
	"      --propagation MODE    private (default), slave or unchanged, for the new\n"
	"                            mount namespace: private keeps mounts from leaking out\n"
	"  -r, --map-root            map your uid and gid to 0 inside (needs --user)\n"
	"      --map-user UID        map your uid to UID inside\n"
	"      --map-group GID       map your gid to GID inside\n"
	"      --uid-map IN:OUT:N    a uid range (repeatable); unprivileged multi-range maps\n"
	"      --gid-map IN:OUT:N    go through newuidmap/newgidmap and /etc/subuid\n"
	"      --monotonic SECS      CLOCK_MONOTONIC offset in the new time namespace\n"
	"      --boottime SECS       CLOCK_BOOTTIME offset (see /proc/uptime); both imply --time\n"
	"      --kill-after SECS     with --pid: SIGKILL this long after a forwarded\n"
	"                            SIGTERM/SIGINT/SIGHUP/SIGQUIT (default 10; at once on a second)\n"
	"  -v, --verbose             trace every kernel call (or BOXSTEP_TRACE=1)\n"
	"  -h, --help                this help\n"
	"  -V, --version             version\n"
	"\n"
	"Kernel calls, in order:\n"
	"  clone()                             a helper left outside, to write the id maps\n"
	"  unshare(CLONE_NEW...)               the new namespaces\n"
	"  write(/proc/PID/uid_map, gid_map)   from the helper, in the parent user namespace\n"
	"  mount(NULL, \"/\", MS_REC|MS_PRIVATE) propagation of the new mount table\n"
	"  sethostname(), setdomainname()\n"
	"  write(/proc/self/timens_offsets)    before anything enters the time namespace\n"
	"  clone()                             with --pid: the child is PID 1\n"
	"  mount(\"proc\", \"/proc\")              --mount-proc, in the child\n"
	"  execve(PROGRAM)\n"
	"\n"
	"Example:\n"
	"  mkns --pid --mount-proc --uts --hostname box -- cinfo\n"
	"\n"
	"Exit status: PROGRAM's own; 125 if mkns failed; 126/127 if PROGRAM could not run.\n"
	"See mkns(1), namespaces(7), unshare(2), user_namespaces(7).\n",
};

#define MAX_RANGES 340 /* the kernel's limit of lines in uid_map */

struct options {
	int flags, seen[NS_TYPE_COUNT], all;
	const char *hostname, *domainname;
	int mount_proc;
	const char *propagation;
	int map_root, map_user_set, map_group_set;
	unsigned long map_user, map_group;
	struct id_range uid[MAX_RANGES], gid[MAX_RANGES];
	size_t nuid, ngid;
	int monotonic_set, boottime_set;
	long monotonic, boottime;
	unsigned kill_after;
	int once_host, once_dom, once_prop, once_mp, once_root, once_ka;
};

enum {
	OPT_HOSTNAME = 256, OPT_DOMAINNAME, OPT_MOUNT_PROC, OPT_PROPAGATION, OPT_MAP_USER,
	OPT_MAP_GROUP, OPT_UID_MAP, OPT_GID_MAP, OPT_MONOTONIC, OPT_BOOTTIME, OPT_KILL_AFTER,
};

static const struct option longopts[] = {
	{ "mount", no_argument, NULL, 'm' },	{ "uts", no_argument, NULL, 'u' },
	{ "ipc", no_argument, NULL, 'i' },	{ "pid", no_argument, NULL, 'p' },
	{ "net", no_argument, NULL, 'n' },	{ "user", no_argument, NULL, 'U' },
	{ "cgroup", no_argument, NULL, 'C' },	{ "time", no_argument, NULL, 'T' },
	{ "all", no_argument, NULL, 'a' },	{ "map-root", no_argument, NULL, 'r' },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "domainname", required_argument, NULL, OPT_DOMAINNAME },
	{ "mount-proc", no_argument, NULL, OPT_MOUNT_PROC },
	{ "propagation", required_argument, NULL, OPT_PROPAGATION },
	{ "map-user", required_argument, NULL, OPT_MAP_USER },
	{ "map-group", required_argument, NULL, OPT_MAP_GROUP },
	{ "uid-map", required_argument, NULL, OPT_UID_MAP },
	{ "gid-map", required_argument, NULL, OPT_GID_MAP },
	{ "monotonic", required_argument, NULL, OPT_MONOTONIC },
	{ "boottime", required_argument, NULL, OPT_BOOTTIME },
	{ "kill-after", required_argument, NULL, OPT_KILL_AFTER },
	CHAIN_COMMON_LONGOPTS,
};

/* -m -u -i -p -n -U -C -T: unshare(1)'s letters. Returns 0 when c is not one. */
static int want_ns(struct options *o, int c)
{
	const struct ns_type *t = ns_types();
	for (size_t i = 0; i < NS_TYPE_COUNT; i++) {
		if (t[i].letter != c)
			continue;
		if (o->seen[i]++)
			usage_error("namespace '--%s' given twice", t[i].option);
		o->flags |= t[i].flag;
		return 1;
	}
	return 0;
}

static unsigned long id_value(const char *option, const char *s)
{
	unsigned long v;
	if (parse_uint(s, 0xfffffffeUL, &v) < 0)
		usage_error("invalid id '%s' for %s: expected a number", s, option);
	return v;
}

static long seconds_value(const char *option, const char *s)
{
	long v;
	if (parse_long(s, &v) < 0)
		usage_error("invalid number of seconds '%s' for %s", s, option);
	return v;
}

static void add_range(struct id_range *r, size_t *n, const char *option, const char *s)
{
	if (*n == MAX_RANGES)
		usage_error("too many %s ranges (the kernel takes %d)", option, MAX_RANGES);
	if (parse_id_range(s, &r[*n]) < 0)
		usage_error("invalid range '%s' for %s: expected INSIDE:OUTSIDE:COUNT, as 0:100000:65536", s, option);
	(*n)++;
}

static void parse_args(struct options *o, int argc, char **argv)
{
	int c;
	o->kill_after = CHAIN_KILL_AFTER_DEFAULT;
	while ((c = getopt_long(argc, argv, "+:muipnUCTar" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case 'a': chain_once(&o->all, "--all"); break;
		case 'r': chain_once(&o->map_root, "--map-root"); break;
		case OPT_HOSTNAME: chain_once(&o->once_host, "--hostname"); o->hostname = optarg; break;
		case OPT_DOMAINNAME: chain_once(&o->once_dom, "--domainname"); o->domainname = optarg; break;
		case OPT_MOUNT_PROC: chain_once(&o->once_mp, "--mount-proc"); o->mount_proc = 1; break;
		case OPT_PROPAGATION: chain_once(&o->once_prop, "--propagation"); o->propagation = optarg; break;
		case OPT_MAP_USER: chain_once(&o->map_user_set, "--map-user"); o->map_user = id_value("--map-user", optarg); break;
		case OPT_MAP_GROUP: chain_once(&o->map_group_set, "--map-group"); o->map_group = id_value("--map-group", optarg); break;
		case OPT_UID_MAP: add_range(o->uid, &o->nuid, "--uid-map", optarg); break;
		case OPT_GID_MAP: add_range(o->gid, &o->ngid, "--gid-map", optarg); break;
		case OPT_MONOTONIC: chain_once(&o->monotonic_set, "--monotonic"); o->monotonic = seconds_value("--monotonic", optarg); break;
		case OPT_BOOTTIME: chain_once(&o->boottime_set, "--boottime"); o->boottime = seconds_value("--boottime", optarg); break;
		case OPT_KILL_AFTER: o->kill_after = chain_kill_after_option(optarg, &o->once_ka); break;
		default:
			if (!want_ns(o, c))
				chain_common_option(&tool, c, argv);
		}
	}
}

/* Everything is checked before the first kernel call, so a refused command
 * changes nothing (DESIGN.md 3). */
static void validate(struct options *o)
{
	const struct ns_type *t = ns_types();
	if (o->all) {
		for (size_t i = 0; i < NS_TYPE_COUNT; i++)
			if (o->seen[i] && strcmp(t[i].option, "user") != 0)
				usage_error("--%s is already part of --all", t[i].option);
		o->flags |= ns_all_flags(false);
	}
	if (o->mount_proc)
		o->flags |= ns_by_name("mount")->flag;
	if (o->monotonic_set || o->boottime_set)
		o->flags |= ns_by_name("time")->flag;
	if ((o->hostname || o->domainname) && !(o->flags & ns_by_name("uts")->flag))
		usage_error("--%s needs a new UTS namespace: add --uts (or it would rename the host)",
			    o->hostname ? "hostname" : "domainname");
	if (o->hostname && (!*o->hostname || strlen(o->hostname) > 64))
		usage_error("invalid hostname '%s': 1 to 64 characters", o->hostname);
	if (o->domainname && strlen(o->domainname) > 64)
		usage_error("invalid domain name '%s': at most 64 characters", o->domainname);
	if (o->propagation) {
		if (!(o->flags & ns_by_name("mount")->flag))
			usage_error("--propagation needs a new mount namespace: add --mount");
		if (strcmp(o->propagation, "private") && strcmp(o->propagation, "slave") &&
		    strcmp(o->propagation, "unchanged"))
			usage_error("invalid propagation '%s': expected private, slave or unchanged", o->propagation);
	}
	int maps = o->map_root || o->map_user_set || o->map_group_set || o->nuid || o->ngid;
	if (maps && !(o->flags & ns_by_name("user")->flag))
		usage_error("id maps need a new user namespace: add --user");
	if (!o->flags)
		usage_error("no namespace asked for: give at least one of -m -u -i -p -n -U -C -T or --all");
	if (o->map_root && (o->map_user_set || o->map_group_set || o->nuid || o->ngid))
		usage_error("--map-root already maps uid and gid 0: leave out the other maps");
	if ((o->map_user_set && o->nuid) || (o->map_group_set && o->ngid))
		usage_error("give either --map-user/--map-group or --uid-map/--gid-map, not both");
	if (!ns_map_fits(o->uid, o->nuid) || !ns_map_fits(o->gid, o->ngid))
		usage_error("the %s map does not fit one page (%d bytes), which the kernel takes in one write",
			    ns_map_fits(o->uid, o->nuid) ? "gid" : "uid", NS_MAP_MAX);
	if (o->map_root || o->map_user_set)
		o->uid[o->nuid++] = (struct id_range){ o->map_root ? 0 : o->map_user, geteuid(), 1 };
	if (o->map_root || o->map_group_set)
		o->gid[o->ngid++] = (struct id_range){ o->map_root ? 0 : o->map_group, getegid(), 1 };
}

static void write_time_offset(const char *clock, long secs)
{
	char line[64];
	snprintf(line, sizeof line, "%s %ld 0", clock, secs);
	if (sys_write_file("/proc/self/timens_offsets", line) < 0)
		die_call();
}

static void mount_proc(void)
{
	if (sys_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die_call();
}

int main(int argc, char **argv)
{
	struct options o;
	memset(&o, 0, sizeof o);
	chain_init(&tool);
	parse_args(&o, argc, argv);
	validate(&o);
	int pid_ns = o.flags & ns_by_name("pid")->flag;
	if (o.mount_proc && !pid_ns) {
		warn("--mount-proc without --pid: the new /proc still shows the host's processes");
		hint_for_last_call("pid-without-proc");
	}

	/* A handle on the outer network namespace for vethpair, the next stage that
	 * needs it; the last stage of the chain closes it (DESIGN.md 1). */
	int outer_net = -1;
	if (o.flags & ns_by_name("net")->flag) {
		outer_net = sys_open("/proc/self/ns/net", O_RDONLY, 0);
		if (outer_net < 0)
			die_call();
	}

	struct map_writer writer = { 0, -1 };
	if (o.nuid || o.ngid)
		ns_map_writer_start(&writer, o.uid, o.nuid, o.gid, o.ngid);
	if (sys_unshare(o.flags) < 0)
		die_call(); /* the writer sees the pipe close and stops */
	if (writer.pid) {
		if (ns_map_writer_finish(&writer) < 0)
			exit(EXIT_TOOL_FAILED); /* the writer said why */
		ns_become_mapped_root(o.uid, o.nuid, o.gid, o.ngid);
	} else if (o.flags & ns_by_name("user")->flag) {
		trace_comment("no id map: every id shows as the overflow id 65534 inside");
	}

	if ((o.flags & ns_by_name("mount")->flag) && (!o.propagation || strcmp(o.propagation, "unchanged"))) {
		/* mount_namespaces(7): the copy keeps each mount's propagation, and a shared
		 * "/" would send the chain's mounts back to the host. */
		unsigned long type = o.propagation && !strcmp(o.propagation, "slave") ? MS_SLAVE : MS_PRIVATE;
		if (sys_mount(NULL, "/", NULL, MS_REC | type, NULL) < 0)
			die_call();
	}
	if (outer_net >= 0) {
		char fd[16];
		snprintf(fd, sizeof fd, "%d", outer_net);
		fcntl(outer_net, F_SETFD, 0); /* kept across exec for the next stage */
		setenv("BOXSTEP_OUTER_NETNS_FD", fd, 1);
		trace_comment("BOXSTEP_OUTER_NETNS_FD=%d: the outer network namespace, for vethpair", outer_net);
	}
	if (o.hostname && sys_sethostname(o.hostname) < 0)
		die_call();
	if (o.domainname && sys_setdomainname(o.domainname) < 0)
		die_call();
	if (o.monotonic_set)
		write_time_offset("monotonic", o.monotonic);
	if (o.boottime_set)
		write_time_offset("boottime", o.boottime);

	char **program = argv + optind;
	if (pid_ns) {
		pid_t child = chain_fork("pid 1 in the new pid namespace");
		if (child > 0)
			return chain_supervise(child, o.kill_after);
	}
	/* proc(5) shows the pid namespace of the process that mounts it. */
	if (o.mount_proc)
		mount_proc();
	chain_exec(program);
}
