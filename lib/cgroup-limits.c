/* cgroup-limits: creating, joining, reporting on and removing cgset's cgroup.
 * See cgroup.h.
 *
 * cgroup v2 has one tree, where a cgroup gets a controller's files only when its
 * parent lists the controller in cgroup.subtree_control, and only a cgroup without
 * processes may hand controllers down ("no internal processes"). cgroup v1 has one
 * tree per controller, with other file names and units, and quirks: a new cpuset
 * cgroup has no CPUs and refuses tasks, there is no cgroup.kill and no
 * memory.events. The rows below are the whole difference for writing. */
#include "cgroup.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "log.h"
#include "parse.h"
#include "procinfo.h"
#include "sys.h"

static const struct { const char *v2, *v1; } controller_names[CG_CONTROLLERS] = {
	[CG_MEMORY] = { "memory", "memory" }, [CG_CPU] = { "cpu", "cpu" }, [CG_IO] = { "io", "blkio" },
	[CG_CPUSET] = { "cpuset", "cpuset" }, [CG_PIDS] = { "pids", "pids" },
};

const char *cgroup_controller_name(enum cgroup_controller c, bool v2)
{
	return v2 ? controller_names[c].v2 : controller_names[c].v1;
}

#define SIZE_TEXT "a size: bytes, or with K, M, G or T (64M, 1.5G); or max"
#define WEIGHT_TEXT "a weight from 1 to 10000 (default 100)"

/* The translation table: each limit's option, its controller, and the files it
 * writes on v2 and on v1, in order ("a|b": the first of them that exists; a v1
 * file NULL: v2 only). limit_value() converts the value for each file. */
static const struct limit_row {
	const char *option;
	enum cgroup_controller ctl;
	const char *v2[2], *v1[2];
} rows[CG_LIMITS] = {
	[CG_L_MEMORY] = { "memory", CG_MEMORY, { "memory.max" }, { "memory.limit_in_bytes" } },
	[CG_L_MEMORY_HIGH] = { "memory-high", CG_MEMORY, { "memory.high" }, { NULL } },
	[CG_L_SWAP] = { "swap", CG_MEMORY, { "memory.swap.max" }, { "memory.memsw.limit_in_bytes" } },
	[CG_L_IO_WEIGHT] = { "io-weight", CG_IO, { "io.weight" }, { "blkio.weight|blkio.bfq.weight" } },
	[CG_L_CPUS] = { "cpus", CG_CPU, { "cpu.max" }, { "cpu.cfs_period_us", "cpu.cfs_quota_us" } },
	[CG_L_CPU_WEIGHT] = { "cpu-weight", CG_CPU, { "cpu.weight" }, { "cpu.shares" } },
	[CG_L_CPUSET] = { "cpuset", CG_CPUSET, { "cpuset.cpus" }, { "cpuset.cpus" } },
	[CG_L_PIDS] = { "pids", CG_PIDS, { "pids.max" }, { "pids.max" } },
};

#define CPU_PERIOD 100000 /* microseconds: the kernel's default CFS period */

const char *cgroup_limit_option(enum cgroup_limit l) { return rows[l].option; }

/* The text written to file i of limit l. */
static void limit_value(enum cgroup_limit l, const struct cgroup_limits *lim, bool v2, int i, char *out,
			size_t size)
{
	uint64_t v = lim->value[l], mem = lim->value[CG_L_MEMORY];
	switch (l) {
	case CG_L_SWAP: /* v1 counts memory plus swap in one limit */
		if (!v2 && v != CG_UNLIMITED)
			v = mem == CG_UNLIMITED ? CG_UNLIMITED : mem + v;
		/* fall through */
	case CG_L_MEMORY: case CG_L_MEMORY_HIGH: case CG_L_PIDS:
		if (v == CG_UNLIMITED)
			snprintf(out, size, "%s", v2 || l == CG_L_PIDS ? "max" : "-1");
		else
			snprintf(out, size, "%llu", (unsigned long long)v);
		break;
	case CG_L_IO_WEIGHT: /* v1 weights go from 10 to 1000 */
		snprintf(out, size, "%llu", (unsigned long long)(v2 ? v : 10 + (v - 1) * 990 / 9999));
		break;
	case CG_L_CPU_WEIGHT: /* cpu.shares 2..262144, default 1024 (as runc and crun map it) */
		snprintf(out, size, "%llu", (unsigned long long)(v2 ? v : 2 + (v - 1) * 262142 / 9999));
		break;
	case CG_L_CPUS: /* v / 10: millionths of a CPU to microseconds per 100 ms */
		if (v2)
			snprintf(out, size, "%llu %d", (unsigned long long)(v / 10), CPU_PERIOD);
		else
			snprintf(out, size, "%llu", i == 0 ? (unsigned long long)CPU_PERIOD : (unsigned long long)(v / 10));
		break;
	case CG_L_CPUSET:
		snprintf(out, size, "%s", lim->cpuset);
		break;
	case CG_LIMITS: break;
	}
}

/* "0-3,5" as a set of CPU numbers below 1024; -1 when malformed. */
static int cpu_list(const char *s, unsigned char set[1024])
{
	memset(set, 0, 1024);
	if (!*s)
		return -1;
	while (*s) {
		char *end;
		if (!isdigit((unsigned char)*s))
			return -1;
		unsigned long a = strtoul(s, &end, 10), b = a;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return -1;
			b = strtoul(end + 1, &end, 10);
		}
		if (a > b || b >= 1024 || (*end && *end != ','))
			return -1;
		for (unsigned long c = a; c <= b; c++)
			set[c] = 1;
		s = *end ? end + 1 : end;
		if (*end && !*s)
			return -1;
	}
	return 0;
}

int cgroup_limit_parse(enum cgroup_limit which, const char *s, struct cgroup_limits *l, char *why, size_t size)
{
	unsigned long n = 0;
	long cpus = which == CG_L_CPUS ? sysconf(_SC_NPROCESSORS_ONLN) : 0;
	char online[256] = "";
	unsigned char want[1024], have[1024];
	switch (which) {
	case CG_L_MEMORY: case CG_L_MEMORY_HIGH: case CG_L_SWAP:
		if (parse_size(s, &l->value[which]) < 0)
			return snprintf(why, size, SIZE_TEXT), -1;
		break;
	case CG_L_IO_WEIGHT: case CG_L_CPU_WEIGHT:
		if (parse_uint(s, 10000, &n) < 0 || n == 0)
			return snprintf(why, size, WEIGHT_TEXT), -1;
		l->value[which] = n;
		break;
	case CG_L_CPUS:
		/* Digits and one dot only: strtod would also take 1e9, 0x10 and inf. */
		if (strspn(s, "0123456789.") != strlen(s) || strchr(s, '.') != strrchr(s, '.') ||
		    parse_cpus(s, &l->value[which]) < 0 || l->value[which] < 10000 ||
		    l->value[which] > (uint64_t)cpus * 1000000)
			return snprintf(why, size, "a number of CPUs from 0.01 to %ld (the CPUs online), as 0.5 or 2", cpus), -1;
		break;
	case CG_L_CPUSET:
		read_file("/sys/devices/system/cpu/online", online, sizeof online);
		if (cpu_list(online, have) < 0)
			memset(have, 1, sizeof have);
		if (strlen(s) >= sizeof l->cpuset || cpu_list(s, want) < 0)
			return snprintf(why, size, "a list of CPUs, as 0-1 or 0,2 (online here: %s)", online), -1;
		for (int c = 0; c < 1024; c++)
			if (want[c] && !have[c])
				return snprintf(why, size, "CPUs that are online: %s (no CPU %d)", online, c), -1;
		snprintf(l->cpuset, sizeof l->cpuset, "%s", s);
		break;
	case CG_L_PIDS:
		if (strcmp(s, "max") == 0)
			n = 0;
		else if (parse_uint(s, PID_LIMIT, &n) < 0 || n == 0)
			return snprintf(why, size, "a number of processes from 1 to 4194304, or max"), -1;
		l->value[which] = n ? n : CG_UNLIMITED;
		break;
	case CG_LIMITS: return -1;
	}
	l->set |= 1u << which;
	return 0;
}

/* ---- planning: where each hierarchy's cgroup goes; nothing is changed ---- */

static void path_join(char *out, size_t size, const char *dir, const char *name)
{
	int n = snprintf(out, size, "%s%s%s", dir, *name && dir[strlen(dir) - 1] != '/' ? "/" : "", name);
	if (n < 0 || (size_t)n >= size)
		die("path too long: %s/%s", dir, name);
}

/* The path of the caller's cgroup in the hierarchy holding controller v1name (NULL:
 * the cgroup2 one), from /proc/self/cgroup. */
static int self_path(const char *v1name, char *out, size_t size)
{
	static char *text; /* read once: cgset asks for each hierarchy */
	char line[PATH_MAX + 300];
	if (!text)
		text = proc_read(0, "cgroup");
	const char *s = text;
	struct proc_cgroup pc;
	int r = -1;
	while (text && r < 0 && proc_next_line(&s, line, sizeof line) == 0) {
		if (proc_cgroup_parse(line, &pc) < 0)
			continue;
		char list[260];
		snprintf(list, sizeof list, ",%s,", pc.controllers);
		char key[64];
		snprintf(key, sizeof key, ",%s,", v1name ? v1name : "");
		if (v1name ? strstr(list, key) != NULL : pc.controllers[0] == '\0')
			r = snprintf(out, size, "%s", pc.path) < 0 ? -1 : 0;
	}
	return r;
}

static int add_hier(struct cgroup *cg, bool v2, const char *mount)
{
	for (int i = 0; i < cg->n; i++)
		if (strcmp(cg->h[i].mount, mount) == 0)
			return i;
	struct cgroup_hier *h = &cg->h[cg->n];
	memset(h, 0, sizeof *h);
	h->v2 = v2;
	h->optional = true;
	snprintf(h->mount, sizeof h->mount, "%s", mount);
	return cg->n++;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* wanted: controllers a limit needs (missing: refused); base: used when there
 * (memory and pids, for the report). */
static void plan(struct cgroup *cg, const char *parent, const char *name, unsigned wanted, unsigned base, bool gc)
{
	const char *fake = getenv("BOXSTEP_CGROUP_ROOT");
	char offers[512] = "", path[PATH_MAX], mount[PATH_MAX / 4];
	memset(cg, 0, sizeof *cg);
	cg->unified = -1;
	for (int c = 0; c < CG_CONTROLLERS; c++)
		cg->ctl[c] = -1;
	snprintf(cg->name, sizeof cg->name, "%s", name);
	cg->fake = fake && *fake;
	cg->layout = cg->fake ? CGROUP_V2 : cgroup_layout();
	const char *v2root = cg->fake ? fake : cgroup_v2_root(cg->layout);
	if (cg->layout == CGROUP_NONE)
		die("no cgroup hierarchy is mounted at " CGROUP_MOUNT " (boxstep-doctor shows the cgroup layout)");
	if (v2root) {
		path_join(path, sizeof path, v2root, "cgroup.controllers");
		if (read_file(path, offers, sizeof offers) < 0)
			die("%s: %s: not a cgroup2 tree%s", path, strerror(errno), cg->fake ? " (BOXSTEP_CGROUP_ROOT)" : "");
		cg->unified = add_hier(cg, true, v2root);
		cg->h[cg->unified].optional = cg->layout == CGROUP_HYBRID;
	}
	for (int c = 0; c < CG_CONTROLLERS; c++) {
		unsigned bit = 1u << c;
		int i = -1;
		if (!((wanted | base) & bit))
			continue;
		if (v2root && cgroup_word_in(offers, controller_names[c].v2))
			i = cg->unified;
		else if (cg->layout != CGROUP_V2 && cgroup_v1_mount(controller_names[c].v1, mount, sizeof mount) == 0)
			i = add_hier(cg, false, mount);
		if (i < 0 && (wanted & bit)) {
			char v1[80] = "";
			if (cg->layout != CGROUP_V2)
				snprintf(v1, sizeof v1, "no v1 %s hierarchy%s", controller_names[c].v1, v2root ? ", " : "");
			die("the %s controller is not available here (cgroup layout %s: %s%s%s%s)", controller_names[c].v2,
			    cgroup_layout_name(cg->layout), v1, v2root ? "cgroup2 offers \"" : "", v2root ? offers : "",
			    v2root ? "\"" : "");
		}
		if (i < 0)
			continue;
		cg->ctl[c] = i;
		cg->h[i].controllers |= bit;
		if (wanted & bit)
			cg->h[i].optional = false;
	}

	/* The parent in each hierarchy. */
	while (*parent == '/' && parent[1])
		parent++;
	bool self = strcmp(parent, "self") == 0, dflt = strcmp(parent, CGROUP_DEFAULT_PARENT) == 0;
	if (!self && (strstr(parent, "..") || !*parent))
		die("invalid parent '%s': a path below the hierarchy's root without '..', or self", parent);
	int kept = 0;
	for (int i = 0; i < cg->n; i++) {
		struct cgroup_hier *h = &cg->h[i];
		char rel[PATH_MAX];
		const char *v1name = NULL;
		for (int c = 0; c < CG_CONTROLLERS && !h->v2; c++)
			if (h->controllers & (1u << c))
				v1name = v1name ? v1name : controller_names[c].v1;
		char mroot[PATH_MAX] = "/", unused[PATH_MAX];
		if (!self) {
			snprintf(rel, sizeof rel, "%s", strcmp(parent, "/") ? parent : "");
			path_join(h->parent, sizeof h->parent, h->mount, rel);
		} else if (self_path(h->v2 || cg->fake ? NULL : v1name, rel, sizeof rel) < 0) {
			die("/proc/self/cgroup has no line for the %s hierarchy", h->v2 ? "cgroup2" : v1name);
		} else if ((!cg->fake && (h->v2 ? cgroup_v2_mount_root(unused, sizeof unused, mroot, sizeof mroot)
					      : cgroup_v1_mount_root(v1name, unused, sizeof unused, mroot, sizeof mroot)) < 0) ||
			   cgroup_locate(h->mount, mroot, rel, 0, h->parent, sizeof h->parent) < 0) {
			/* In a cgroup namespace the paths are relative to its root, which a
			 * mount made outside does not show. */
			die("--parent self: %s (cgroup %s) is outside the cgroup mounted at %s (its root there: %s)",
			    h->v2 ? "cgroup2" : v1name, rel, h->mount, mroot);
		}
		path_join(h->dir, sizeof h->dir, h->parent, cg->name);
		h->make_parent = dflt && !is_dir(h->parent);
		if (!h->make_parent && !is_dir(h->parent)) {
			if (h->optional) {
				trace_comment("no %s here: %s left out", h->parent, h->mount);
				continue;
			}
			die("unknown parent '%s': %s is not a cgroup", parent, h->parent);
		}
		if (!gc && is_dir(h->dir))
			die("cgroup %s exists already: give another --name, or remove it (cgset --gc removes empty boxstep-* ones)",
			    h->dir);
		if (i != kept) { /* compact: renumber what points at i */
			cg->h[kept] = *h;
			for (int c = 0; c < CG_CONTROLLERS; c++)
				cg->ctl[c] = cg->ctl[c] == i ? kept : cg->ctl[c];
			cg->unified = cg->unified == i ? kept : cg->unified;
		}
		kept++;
	}
	if (kept == 0 && cg->n > 0 && !gc)
		die("unknown parent '%s': %s is not a cgroup", parent, cg->h[0].parent);
	for (int c = 0; c < CG_CONTROLLERS; c++)
		if (cg->ctl[c] >= kept)
			cg->ctl[c] = -1;
	cg->unified = cg->unified >= kept ? -1 : cg->unified;
	cg->n = kept;
}

void cgroup_plan(struct cgroup *cg, const char *parent, const char *name, const struct cgroup_limits *l)
{
	unsigned wanted = 0;
	if (!*name || strchr(name, '/') || strstr(name, "..") || !strcmp(name, ".") || strlen(name) >= sizeof cg->name)
		die("invalid name '%s': 1 to %zu characters, no '/' and no '..'", name, sizeof cg->name - 1);
	for (int i = 0; i < CG_LIMITS; i++)
		if (l->set & (1u << i))
			wanted |= 1u << rows[i].ctl;
	plan(cg, parent, name, wanted, (1u << CG_MEMORY) | (1u << CG_PIDS), false);
	int m = cg->ctl[CG_MEMORY];
	bool v1mem = m >= 0 && !cg->h[m].v2;
	if (v1mem && (l->set & (1u << CG_L_MEMORY_HIGH))) {
		warn("--memory-high needs cgroup v2 (memory.high); memory is a v1 controller here");
		hint("on v1 only the hard limit exists: use --memory (memory.limit_in_bytes)");
		exit(EXIT_TOOL_FAILED);
	}
	if (v1mem && (l->set & (1u << CG_L_SWAP)) && !(l->set & (1u << CG_L_MEMORY)))
		die("--swap needs --memory on cgroup v1: memory.memsw.limit_in_bytes limits memory plus swap");
	cg->limit_memory = l->set & (1u << CG_L_MEMORY) ? l->value[CG_L_MEMORY] : CG_UNLIMITED;
}

void cgroup_trace_plan(const struct cgroup *cg)
{
	char v1[256] = "";
	for (int c = 0; c < CG_CONTROLLERS; c++)
		if (cg->ctl[c] >= 0 && !cg->h[cg->ctl[c]].v2)
			snprintf(v1 + strlen(v1), sizeof v1 - strlen(v1), " %s", controller_names[c].v1);
	trace_comment("cgroup layout: %s%s%s%s", cg->fake ? "fake v2 (BOXSTEP_CGROUP_ROOT)" : cgroup_layout_name(cg->layout),
		      *v1 ? " (v1" : "", v1, *v1 ? ")" : "");
	for (int i = 0; i < cg->n; i++) {
		char list[128] = "";
		for (int c = 0; c < CG_CONTROLLERS; c++)
			if (cg->h[i].controllers & (1u << c))
				snprintf(list + strlen(list), sizeof list - strlen(list), " %s", cgroup_controller_name(c, cg->h[i].v2));
		trace_comment("%s %s:%s", cg->h[i].v2 ? "cgroup2" : "v1", cg->h[i].dir,
			      *list ? list : " no controller (for cgroup.kill, cgroup.events and PSI)");
	}
}

/* ---- changing things ---- */

/* A plain directory played by BOXSTEP_CGROUP_ROOT gets, at mkdir, the files its
 * root holds, as the kernel gives a new cgroup its interface files. */
static void fake_populate(const struct cgroup *cg, const char *dir)
{
	DIR *d = opendir(cg->h[0].mount);
	struct dirent *e;
	char path[PATH_MAX];
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_type != DT_REG)
			continue;
		path_join(path, sizeof path, dir, e->d_name);
		int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
	}
	if (d)
		closedir(d);
}

static int do_rmdir(const struct cgroup *cg, const char *dir)
{
	char q[PATH_MAX + 8] = "";
	if (cg->fake) {
		DIR *d = opendir(dir);
		struct dirent *e;
		char path[PATH_MAX];
		while (d && (e = readdir(d)) != NULL)
			if (e->d_type == DT_REG && (path_join(path, sizeof path, dir, e->d_name), 1))
				unlink(path);
		if (d)
			closedir(d);
	}
	quote_str(q, sizeof q, dir);
	return (int)trace_call(rmdir(dir), "rmdir(%s)", q);
}

/* Says why (the last call failed, unless said is set), removes the cgroups this
 * run made (not the parents) and exits 125. */
static _Noreturn void undo(struct cgroup *cg, bool said)
{
	if (!said) {
		report_call();
		hint_for_last_call(NULL);
	}
	for (int i = cg->n - 1; i >= 0; i--)
		if (cg->h[i].made && do_rmdir(cg, cg->h[i].dir) == 0)
			cg->h[i].made = false;
	exit(EXIT_TOOL_FAILED);
}

static void write_or_undo(struct cgroup *cg, const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX];
	path_join(path, sizeof path, dir, file);
	if (sys_write_file(path, value) < 0)
		undo(cg, false);
}

/* v1 cpuset: a new cgroup has empty cpuset.cpus and cpuset.mems and refuses tasks
 * (ENOSPC) until they are set: copy the parent's. */
static void cpuset_copy(struct cgroup *cg, const char *dir, const char *parent)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	for (int i = 0; i < 2; i++) {
		char path[PATH_MAX], value[1024];
		path_join(path, sizeof path, parent, files[i]);
		if (read_file(path, value, sizeof value) < 0)
			value[0] = '\0';
		trace_comment("a new v1 cpuset has no %s: the parent's", files[i] + 7);
		write_or_undo(cg, dir, files[i], value);
	}
}

static void make_dir(struct cgroup *cg, struct cgroup_hier *h, const char *dir, bool *made)
{
	struct statfs st;
	char parent[PATH_MAX];
	snprintf(parent, sizeof parent, "%s", dir);
	*strrchr(parent, '/') = '\0';
	/* On a hybrid or v1 host /sys/fs/cgroup is a tmpfs: a mkdir there succeeds,
	 * and limits nothing. */
	if (!cg->fake && (statfs(parent, &st) < 0 || (st.f_type != CGROUP_SUPER_MAGIC && st.f_type != CGROUP2_SUPER_MAGIC))) {
		warn("%s is not in a cgroup hierarchy (statfs): refusing to mkdir there", dir);
		undo(cg, true);
	}
	if (sys_mkdir(dir, 0755) < 0)
		undo(cg, false);
	*made = true;
	if (cg->fake)
		fake_populate(cg, dir);
	if (!h->v2 && (h->controllers & (1u << CG_CPUSET)))
		cpuset_copy(cg, dir, parent);
}

/* v2: a cgroup's controllers are those its parent enables in subtree_control, so
 * enable them on every level from the root down to the parent, where missing. */
static void enable_down(struct cgroup *cg, struct cgroup_hier *h)
{
	char dir[PATH_MAX], path[PATH_MAX], have[512], add[256], plus[32];
	const char *rest = h->parent + strlen(h->mount);
	snprintf(dir, sizeof dir, "%s", h->mount);
	for (;;) {
		if (strcmp(dir, h->parent) == 0 && h->make_parent)
			make_dir(cg, h, dir, &h->made_parent);
		add[0] = '\0';
		path_join(path, sizeof path, dir, "cgroup.subtree_control");
		if (read_file(path, have, sizeof have) < 0)
			have[0] = '\0';
		for (int c = 0; c < CG_CONTROLLERS; c++)
			if ((h->controllers & (1u << c)) && !cgroup_word_in(have, controller_names[c].v2) &&
			    !cgroup_word_in(have, (snprintf(plus, sizeof plus, "+%s", controller_names[c].v2), plus)))
				snprintf(add + strlen(add), sizeof add - strlen(add), "%s+%s", *add ? " " : "",
					 controller_names[c].v2);
		if (*add)
			write_or_undo(cg, dir, "cgroup.subtree_control", add);
		while (*rest == '/')
			rest++;
		if (!*rest)
			return;
		size_t len = strcspn(rest, "/");
		snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "%s%.*s", dir[strlen(dir) - 1] == '/' ? "" : "/",
			 (int)len, rest);
		rest += len;
	}
}

void cgroup_create(struct cgroup *cg, const struct cgroup_limits *l)
{
	for (int i = 0; i < cg->n; i++) {
		struct cgroup_hier *h = &cg->h[i];
		if (h->v2 && h->controllers)
			enable_down(cg, h);
		else if (h->make_parent)
			make_dir(cg, h, h->parent, &h->made_parent);
		make_dir(cg, h, h->dir, &h->made);
	}
	for (int lim = 0; lim < CG_LIMITS; lim++) {
		if (!(l->set & (1u << lim)))
			continue;
		struct cgroup_hier *h = &cg->h[cg->ctl[rows[lim].ctl]];
		const char *const *files = h->v2 ? rows[lim].v2 : rows[lim].v1;
		for (int i = 0; i < 2 && files[i]; i++) {
			char file[64], value[160], path[PATH_MAX];
			snprintf(file, sizeof file, "%s", files[i]);
			for (char *alt = file, *bar; alt; alt = bar ? bar + 1 : NULL) { /* "a|b": the first there */
				bar = strchr(alt, '|');
				if (bar)
					*bar = '\0';
				path_join(path, sizeof path, h->dir, alt);
				if (!bar || access(path, F_OK) == 0) {
					memmove(file, alt, strlen(alt) + 1);
					break;
				}
			}
			limit_value(lim, l, h->v2, i, value, sizeof value);
			write_or_undo(cg, h->dir, file, value);
		}
	}
}

int cgroup_join(const struct cgroup *cg, pid_t pid)
{
	char path[PATH_MAX], value[24];
	snprintf(value, sizeof value, "%d", (int)(pid ? pid : getpid()));
	for (int i = 0; i < cg->n; i++) {
		path_join(path, sizeof path, cg->h[i].dir, "cgroup.procs");
		if (sys_write_file(path, value) < 0) {
			report_call();
			hint_for_last_call(NULL);
			return -1;
		}
	}
	return 0;
}

/* ---- after the program ---- */

/* The number after "key " in a flat-keyed file (memory.events, pids.events). */
static int read_key(const char *dir, const char *file, const char *key, uint64_t *out)
{
	char path[PATH_MAX], text[2048];
	path_join(path, sizeof path, dir, file);
	if (read_file(path, text, sizeof text) < 0)
		return -1;
	size_t len = strlen(key);
	for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, key, len) == 0 && line[len] == ' ')
			return *out = strtoull(line + len + 1, NULL, 10), 0;
	return -1;
}

void cgroup_size_str(uint64_t bytes, char *buf, size_t size)
{
	static const char units[] = "KMGT";
	int u = -1;
	if (bytes >= (1ULL << 62)) { /* v1 shows "no limit" as a page-rounded LONG_MAX */
		snprintf(buf, size, "max");
		return;
	}
	while (u < 3 && bytes && bytes % (1ULL << (10 * (u + 2))) == 0)
		u++;
	if (u < 0)
		snprintf(buf, size, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, size, "%llu%c", (unsigned long long)(bytes >> (10 * (u + 1))), units[u]);
}

void cgroup_report(const struct cgroup *cg)
{
	uint64_t n = 0;
	int m = cg->ctl[CG_MEMORY], p = cg->ctl[CG_PIDS];
	if (m >= 0 && read_key(cg->h[m].dir, cg->h[m].v2 ? "memory.events" : "memory.oom_control", "oom_kill", &n) == 0 && n) {
		char limit[32];
		cgroup_size_str(cg->limit_memory, limit, sizeof limit);
		fprintf(stderr, "%s: the OOM killer ended %llu process%s in %s (%s %s)\n", log_prog(), (unsigned long long)n,
			n == 1 ? "" : "es", cg->name, cg->h[m].v2 ? "memory.max" : "memory.limit_in_bytes", limit);
	}
	if (p >= 0 && read_key(cg->h[p].dir, "pids.events", "max", &n) == 0 && n) {
		char path[PATH_MAX], limit[32] = "?";
		path_join(path, sizeof path, cg->h[p].dir, "pids.max");
		read_file(path, limit, sizeof limit);
		fprintf(stderr, "%s: pids.max reached %llu time%s in %s (pids.max %s): fork failed with EAGAIN\n", log_prog(),
			(unsigned long long)n, n == 1 ? "" : "s", cg->name, limit);
	}
}

static bool populated(const struct cgroup_hier *h)
{
	char path[PATH_MAX], text[64];
	uint64_t n = 0;
	if (h->v2)
		return read_key(h->dir, "cgroup.events", "populated", &n) == 0 && n;
	path_join(path, sizeof path, h->dir, "cgroup.procs");
	return read_file(path, text, sizeof text) > 0;
}

/* Kills every process left in the cgroup (the program's background children) and
 * waits until it is empty: cgroup.kill and cgroup.events where the kernel has a
 * cgroup2 group, else SIGKILL to each pid of cgroup.procs, again until none is
 * left (v1 has no atomic kill: a process may fork meanwhile). Up to 5 s. */
static void kill_leftovers(const struct cgroup *cg)
{
	const struct cgroup_hier *h = cg->unified >= 0 ? &cg->h[cg->unified] : &cg->h[0];
	char path[PATH_MAX], text[4096];
	if (cg->fake || cg->n == 0 || !populated(h))
		return;
	trace_comment("processes are left in %s: killing them", cg->name);
	path_join(path, sizeof path, h->dir, "cgroup.kill");
	if (h->v2 && access(path, F_OK) == 0 && sys_write_file(path, "1") == 1) {
		path_join(path, sizeof path, h->dir, "cgroup.events");
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		for (int i = 0; fd >= 0 && i < 50; i++) {
			/* Read through the polled descriptor: poll reports changes since its
			 * last read (POLLPRI). */
			ssize_t n = pread(fd, text, sizeof text - 1, 0);
			if (n < 0)
				break;
			text[n] = '\0';
			if (strstr(text, "populated 0"))
				break;
			struct pollfd pfd = { fd, POLLPRI, 0 };
			poll(&pfd, 1, 100);
		}
		if (fd >= 0)
			close(fd);
		return;
	}
	path_join(path, sizeof path, h->dir, "cgroup.procs");
	for (int round = 0; round < 5000 && read_file(path, text, sizeof text) > 0; round++) {
		for (char *s = text; *s; s += strcspn(s, "\n"), s += *s == '\n')
			sys_kill((pid_t)atoi(s), SIGKILL);
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
}

int cgroup_remove(struct cgroup *cg)
{
	int bad = 0;
	kill_leftovers(cg);
	for (int i = cg->n - 1; i >= 0; i--) {
		if (!cg->h[i].made)
			continue;
		if (do_rmdir(cg, cg->h[i].dir) == 0) {
			cg->h[i].made = false;
		} else {
			report_call();
			hint("cgset --gc removes empty boxstep-* cgroups that are left");
			bad = -1;
		}
	}
	return bad;
}

int cgroup_gc(const char *parent)
{
	struct cgroup cg;
	char path[PATH_MAX];
	int bad = 0;
	plan(&cg, parent, "", 0, (1u << CG_CONTROLLERS) - 1, true);
	for (int i = 0; i < cg.n; i++) {
		DIR *d = opendir(cg.h[i].parent);
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			if (e->d_type != DT_DIR || strncmp(e->d_name, "boxstep-", 8) != 0)
				continue;
			struct cgroup_hier h = cg.h[i];
			path_join(h.dir, sizeof h.dir, cg.h[i].parent, e->d_name);
			char *end;
			long pid = strtol(e->d_name + 8, &end, 10);
			if (populated(&h) || (!*end && pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM))) {
				trace_comment("%s: in use (processes, or supervisor %ld alive): kept", h.dir, pid);
				continue;
			}
			snprintf(path, sizeof path, "%s", h.dir);
			if (do_rmdir(&cg, path) == 0)
				printf("removed %s\n", path);
			else
				report_call(), bad++;
		}
		if (d)
			closedir(d);
	}
	return bad;
}
