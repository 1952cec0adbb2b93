/* cinfo: the isolation state of a process, read from /proc (proc(5)).
 *
 * Not a chain stage: it execs nothing. It is the probe a learner ends a chain with
 * (mkns --pid --uts -- cinfo), and the one tests read with --format kv. Namespaces
 * are compared with a reference the user names (--ref PID, --ref-file FILE), never
 * with /proc/1: PID 1 may be unreadable, or be the container itself. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attempts.h"
#include "caps.h"
#include "cgroup.h"
#include "chain.h"
#include "log.h"
#include "netlink.h"
#include "ns.h"
#include "parse.h"
#include "procinfo.h"
#include "table.h"

#define USAGE "cinfo [--target PID] [--ref PID | --ref-file FILE] [--format human|kv] [--probe]"

static const struct tool tool = {
	"cinfo", USAGE,
	"Print the isolation state of cinfo or of PID: what a container is made of.\n"
	"\n"
	"Options:\n"
	"  -t, --target PID      report on process PID instead of cinfo itself\n"
	"  -r, --ref PID         compare namespaces with PID's (a shell left on the host)\n"
	"  -R, --ref-file FILE   compare with a saved report (cinfo --format kv > FILE)\n"
	"  -f, --format FORMAT   human (default) or kv: key=value lines for scripts\n"
	"  -p, --probe           also try privileged calls with harmless arguments (mount,\n"
	"                        reboot, bpf, ...) and list which are blocked, as amicontained\n"
	"                        does (tryscall --list shows them)\n"
	"  -v, --verbose         trace kernel calls (or BOXSTEP_TRACE=1)\n"
	"  -h, --help            this help\n"
	"  -V, --version         version\n"
	"\n"
	"What it shows:\n"
	"  namespaces    TYPE:[INODE] for each of the 8 types: the inode number names\n"
	"                one namespace; processes showing the same number share it.\n"
	"                \"new\": the type differs from the reference's (--ref, --ref-file)\n"
	"  ids           pid; NSpid: the pid in each nested pid namespace, outermost\n"
	"                first; uid, gid (effective; real if not the same); uid_map,\n"
	"                gid_map: INSIDE OUTSIDE COUNT ranges (0 0 4294967295: identity)\n"
	"  uts           hostname and NIS domain name (\"(none)\": never set)\n"
	"  cgroup        v2: the 0:: line of /proc/PID/cgroup; on v1 and hybrid hosts\n"
	"                also the path in each v1 controller's tree; then by v2 name\n"
	"                (cgroup.memory.max=, whatever the host mounts) the limits, the\n"
	"                usage (memory.current, memory.peak, cpu.stat, pids.current)\n"
	"                and the pressure stall lines (PSI: memory, cpu, io.pressure)\n"
	"  capabilities  the five sets of /proc/PID/status, in hex and by name:\n"
	"                effective    what the kernel checks at each privileged call\n"
	"                permitted    what the process may make effective\n"
	"                inheritable  what execve may pass on to a program's file caps\n"
	"                bounding     the most it can ever hold after an execve\n"
	"                ambient      kept through execve of a program without file caps\n"
	"  no_new_privs  1: execve can no longer add privileges (setuid, file caps)\n"
	"  seccomp       0 off; 1 strict (read, write, exit only); 2 filter: BPF\n"
	"                programs (seccomp.filters: how many) check every syscall\n"
	"  network       the IPv4 addresses of cinfo's own network namespace\n"
	"  root          the mount on /: its source and filesystem type\n"
	"\n"
	"Kernel calls:\n"
	"  read(\"/proc/PID/status\")        ids, capabilities, no_new_privs, seccomp\n"
	"  readlink(\"/proc/PID/ns/*\")      the namespace links\n"
	"  read(\"/proc/PID/uid_map\")       and gid_map, cgroup, mountinfo\n"
	"  read(\"/sys/fs/cgroup/...\")      the cgroup's limits, usage, pressure\n"
	"  uname()                         hostname, domain name\n"
	"  socket(AF_NETLINK), RTM_GETADDR the addresses (rtnetlink(7))\n"
	"  clone(), setns(FD, CLONE_NEWUTS) --target in another UTS namespace: a\n"
	"                                  child joins it (after its user namespace\n"
	"                                  when that is needed) to call uname()\n"
	"\n"
	"Example:\n"
	"  cinfo --format kv > host.kv\n"
	"  mkns --pid --mount-proc --uts --hostname box -- cinfo --ref-file host.kv\n"
	"\n"
	"Exit status: 0; 125 if the usage is wrong or something could not be read.\n"
	"See cinfo(1), namespaces(7), capabilities(7), proc(5), seccomp(2), cgroups(7).\n",
};

static const struct option longopts[] = {
	{ "target", required_argument, NULL, 't' },
	{ "ref", required_argument, NULL, 'r' },
	{ "ref-file", required_argument, NULL, 'R' },
	{ "format", required_argument, NULL, 'f' },
	{ "probe", no_argument, NULL, 'p' },
	CHAIN_COMMON_LONGOPTS,
};

static const struct { const char *status, *kv, *human; } cap_sets[5] = {
	{ "CapInh", "inh", "inheritable" }, { "CapPrm", "prm", "permitted" },
	{ "CapEff", "eff", "effective" },   { "CapBnd", "bnd", "bounding" },
	{ "CapAmb", "amb", "ambient" },
};

struct info {
	pid_t pid;           /* 0: cinfo itself */
	char *status, *uid_map, *gid_map, *cgroup, *mountinfo;
	char ns[NS_TYPE_COUNT][PROC_NS_LINK_MAX];
	char ref[NS_TYPE_COUNT][PROC_NS_LINK_MAX]; /* "" when the reference lacks the type */
	const char *ref_label;       /* NULL without a reference */
	char host[72], domain[72];
};

static pid_t pid_value(const char *option, const char *s)
{
	int pid;
	if (parse_pid(s, &pid) < 0)
		usage_error("invalid PID '%s' for %s", s, option);
	return pid;
}

static void field(const struct info *in, const char *key, char *out, size_t size)
{
	if (proc_status_field(in->status, key, out, size) < 0)
		snprintf(out, size, "0"); /* an older kernel: Seccomp_filters, CapAmb */
}

static uint64_t cap_set(const struct info *in, int i, char *hex, size_t size)
{
	uint64_t mask = 0;
	field(in, cap_sets[i].status, hex, size);
	caps_parse_hex(hex, &mask);
	return mask;
}

/* 1 when type i differs from the reference, 0 when equal, -1 when unknown. */
static int differs(const struct info *in, size_t i)
{
	if (!in->ref_label || !in->ref[i][0] || !in->ns[i][0])
		return -1;
	return strcmp(in->ns[i], in->ref[i]) != 0;
}

/* uid_map and gid_map, one range a line, blanks squeezed: "0 1000 1". */
static void map_lines(const char *text, const char *key, int kv)
{
	char raw[256], v[256];
	while (proc_next_line(&text, raw, sizeof raw) == 0) {
		proc_squeeze(raw, v, sizeof v);
		table_fact(kv, key, key, v);
	}
}

static void cgroup_line(const char *controller, const char *path, void *kv)
{
	char key[64];
	snprintf(key, sizeof key, "cgroup%s%s", *controller ? "." : "", controller);
	table_fact(kv != NULL, key, *controller ? controller : "v2", path);
}

static int cgroup_stat_lines;

/* A limit, counter or pressure line of the cgroup, by its v2 name. */
static void cgroup_stat(const char *key, const char *value, const char *v1file, void *kv)
{
	char size[32], note[96] = "";
	if (kv) {
		printf("cgroup.%s=%s\n", key, value);
		return;
	}
	if (!cgroup_stat_lines++)
		printf("cgroup limits and usage (v2 names)\n");
	if (!strncmp(key, "memory.", 7) && strspn(value, "0123456789") == strlen(value) && *value) {
		cgroup_size_str(strtoull(value, NULL, 10), size, sizeof size);
		value = size;
	}
	if (v1file)
		snprintf(note, sizeof note, " v1: %s", v1file);
	printf("  %-24s %-*s%s\n", key, *note ? 24 : 0, value, note);
}

static void addr_line(const char *ifname, const char *addr, unsigned prefix, void *kv)
{
	char key[64], a[64];
	snprintf(key, sizeof key, "net.addr.%s", ifname);
	snprintf(a, sizeof a, "%s/%u", addr, prefix);
	table_fact(kv != NULL, key, ifname, a);
}

/* rtnetlink(7) answers for the asker's own network namespace: shown only when the
 * process looked at shares cinfo's. */
static void print_addrs(const struct info *in, void *kv)
{
	char own[64];
	struct nl_sock s;
	size_t net = (size_t)(ns_by_name("net") - ns_types());
	if (ns_link(0, "net", own, sizeof own) < 0 || strcmp(own, in->ns[net]) != 0 || nl_open(&s, NULL) < 0)
		return;
	if (!kv)
		printf("network (IPv4 addresses)\n");
	nl_addr_each(&s, addr_line, kv);
	nl_close(&s);
}

static void print_kv(const struct info *in)
{
	char v[256], names[1024];
	const struct ns_type *t = ns_types();
	field(in, "NSpid", v, sizeof v);
	printf("pid=%d\nnspid=%s\n", in->pid ? (int)in->pid : (int)getpid(), v);
	for (size_t i = 0; i < NS_TYPE_COUNT; i++) {
		printf("ns.%s=%s\n", t[i].proc, in->ns[i]);
		if (differs(in, i) >= 0)
			printf("ns.%s.differs=%s\n", t[i].proc, differs(in, i) ? "yes" : "no");
	}
	for (int g = 0; g < 2; g++) {
		proc_status_word(in->status, g ? "Gid" : "Uid", 1, v, sizeof v);
		printf("%s=%s\n", g ? "gid" : "uid", v);
	}
	map_lines(in->uid_map, "uid_map", 1);
	map_lines(in->gid_map, "gid_map", 1);
	printf("hostname=%s\ndomainname=%s\n", in->host, in->domain);
	print_addrs(in, "kv");
	proc_cgroup_each(in->cgroup, cgroup_line, "kv");
	cgroup_stats(in->pid, in->cgroup, cgroup_stat, "kv");
	for (int i = 0; i < 5; i++) {
		caps_format_mask(cap_set(in, i, v, sizeof v), names, sizeof names);
		printf("cap.%s=%s\ncap.%s.names=%s\n", cap_sets[i].kv, v, cap_sets[i].kv, names);
	}
	static const char *const keys[][2] = {
		{ "nnp", "NoNewPrivs" }, { "seccomp", "Seccomp" }, { "seccomp.filters", "Seccomp_filters" },
	};
	for (int i = 0; i < 3; i++) {
		field(in, keys[i][1], v, sizeof v);
		printf("%s=%s\n", keys[i][0], v);
	}
	struct proc_mount m;
	if (proc_root_mount(in->mountinfo, &m) == 0)
		printf("root=%s %s\n", m.source, m.fstype);
}

static void print_human(const struct info *in)
{
	char v[256], w[64], note[1024];
	const struct ns_type *t = ns_types();
	printf("namespaces (same inode number = same namespace)%s%s\n",
	       in->ref_label ? "   compared with " : "", in->ref_label ? in->ref_label : "");
	for (size_t i = 0; i < NS_TYPE_COUNT; i++) {
		int d = differs(in, i);
		table_row(t[i].proc, in->ns[i][0] ? in->ns[i] : "(not in this kernel)",
		    d < 0 ? "" : d ? "new" : "same as ref");
	}
	printf("ids\n");
	field(in, "NSpid", v, sizeof v);
	snprintf(note, sizeof note, "NSpid %s (outermost first)", v);
	snprintf(w, sizeof w, "%d", in->pid ? (int)in->pid : (int)getpid());
	table_row("pid", w, strchr(v, ' ') ? note : "");
	for (int g = 0; g < 2; g++) {
		proc_status_word(in->status, g ? "Gid" : "Uid", 1, w, sizeof w);
		proc_status_word(in->status, g ? "Gid" : "Uid", 0, v, sizeof v);
		snprintf(note, sizeof note, "real %s", v);
		table_row(g ? "gid" : "uid", w, strcmp(v, w) ? note : "");
	}
	map_lines(in->uid_map, "uid_map", 0);
	map_lines(in->gid_map, "gid_map", 0);
	printf("uts\n");
	table_row("hostname", in->host, "");
	table_row("domainname", in->domain, "");
	print_addrs(in, NULL);
	printf("cgroup\n");
	proc_cgroup_each(in->cgroup, cgroup_line, NULL);
	cgroup_stats(in->pid, in->cgroup, cgroup_stat, NULL);
	if (!cgroup_stat_lines)
		printf("cgroup limits and usage: none readable (no cgroup file system here shows this cgroup)\n");
	printf("capabilities\n");
	for (int i = 0; i < 5; i++) {
		uint64_t mask = cap_set(in, i, v, sizeof v);
		caps_describe_mask(mask, cap_last_kernel(), note, sizeof note);
		table_row_wrapped(cap_sets[i].human, v, note);
	}
	printf("security\n");
	field(in, "NoNewPrivs", v, sizeof v);
	table_row("no_new_privs", v, strcmp(v, "1") ? "setuid programs can still gain privileges" : "execve cannot add privileges");
	field(in, "Seccomp", v, sizeof v);
	field(in, "Seccomp_filters", w, sizeof w);
	snprintf(note, sizeof note, "filter: %s BPF program%s on every syscall", w, strcmp(w, "1") ? "s" : "");
	table_row("seccomp", v, !strcmp(v, "2") ? note : !strcmp(v, "1") ? "strict: read, write, exit only" : "no filter");
	printf("root\n");
	struct proc_mount m;
	if (proc_root_mount(in->mountinfo, &m) == 0) {
		printf("  %-13s %s %s%s%s\n", "/", m.source, m.fstype,
		       strcmp(m.root, "/") ? "   its directory " : "", strcmp(m.root, "/") ? m.root : "");
	}
}

int main(int argc, char **argv)
{
	struct info in;
	const char *format = "human", *ref_file = NULL;
	pid_t ref_pid = 0;
	int c, once_t = 0, once_r = 0, once_rf = 0, once_f = 0, probe = 0;
	char label[32];
	memset(&in, 0, sizeof in);
	chain_init(&tool);
	while ((c = getopt_long(argc, argv, "+:t:r:R:f:p" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case 't': chain_once(&once_t, "--target"); in.pid = pid_value("--target", optarg); break;
		case 'r': chain_once(&once_r, "--ref"); ref_pid = pid_value("--ref", optarg); break;
		case 'R': chain_once(&once_rf, "--ref-file"); ref_file = optarg; break;
		case 'f': chain_once(&once_f, "--format"); format = optarg; break;
		case 'p': chain_once(&probe, "--probe"); break;
		default: chain_common_option(&tool, c, argv);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s': cinfo runs no program", argv[optind]);
	if (ref_pid && ref_file)
		usage_error("give either --ref or --ref-file, not both");
	if (probe && in.pid)
		usage_error("--probe tries calls as cinfo itself: leave out --target");
	if (strcmp(format, "human") && strcmp(format, "kv"))
		usage_error("invalid format '%s': expected human or kv", format);

	in.status = proc_read_or_exit(in.pid, "status"); /* first: an unknown PID fails here */
	proc_ns_links_or_exit(in.pid, in.ns);
	if (ref_pid) {
		proc_ns_links_or_exit(ref_pid, in.ref);
		snprintf(label, sizeof label, "pid %d", (int)ref_pid);
		in.ref_label = label;
	} else if (ref_file) {
		proc_ref_file(ref_file, in.ref);
		in.ref_label = ref_file;
	}
	in.uid_map = proc_read_or_exit(in.pid, "uid_map");
	in.gid_map = proc_read_or_exit(in.pid, "gid_map");
	in.cgroup = proc_read_or_exit(in.pid, "cgroup");
	in.mountinfo = proc_read_or_exit(in.pid, "mountinfo");
	if (proc_uts_names(in.pid, in.host, sizeof in.host, in.domain, sizeof in.domain) < 0) {
		trace_comment("cannot enter the UTS namespace of %d: hostname unknown", (int)in.pid);
		snprintf(in.host, sizeof in.host, "?");
		snprintf(in.domain, sizeof in.domain, "?");
	}
	if (strcmp(format, "kv") == 0)
		print_kv(&in);
	else
		print_human(&in);
	if (probe && attempts_report(strcmp(format, "kv") == 0) < 0)
		die("--probe: fork: %s", strerror(errno));
	return fflush(stdout) == 0 ? 0 : EXIT_TOOL_FAILED;
}
