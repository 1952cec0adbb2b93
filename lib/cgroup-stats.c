/* cgroup-stats: a process's limits, usage and pressure, read back by their v2
 * names whatever the host mounts. See cgroup.h.
 *
 * The table is the reading half of the v1/v2 translation: the v2 file (and field),
 * its v1 equivalent, and how a v1 value becomes a v2 one. PSI (*.pressure) and
 * cpu.stat's usage exist in every cgroup2 group, controllers or not, so a hybrid
 * host has them in its controller-less cgroup2 tree. */
#include "cgroup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procinfo.h"
#include "sys.h"

#define CG_CORE CG_CONTROLLERS /* the cgroup2 group's own files, no controller */

enum conv {
	AS_IS,      /* same value on v1 and v2 */
	V1_BYTES,   /* v1 "no limit" is a huge number: max */
	V1_SWAP,    /* memsw.limit_in_bytes is memory plus swap */
	V1_CPU_MAX, /* cfs_quota_us (-1: max) and cfs_period_us */
	V1_SHARES,  /* cpu.shares 2..262144 to cpu.weight 1..10000 */
	V1_BLKIO,   /* blkio weight 10..1000 to io.weight 1..10000 */
	NS_TO_US,   /* v1 counts nanoseconds where v2 counts microseconds */
	PSI,        /* "some ..." and "full ..." lines: KEY.some, KEY.full */
};

static const struct stat_row {
	const char *key; /* the v2 name; cinfo prints cgroup.KEY */
	int ctl;         /* enum cgroup_controller, or CG_CORE */
	const char *v2file, *v2field; /* field: the "FIELD value" line; NULL: the whole file */
	const char *v1ctl, *v1file, *v1field;
	enum conv conv;
} rows[] = {
	{ "memory.max", CG_MEMORY, "memory.max", NULL, "memory", "memory.limit_in_bytes", NULL, V1_BYTES },
	{ "memory.high", CG_MEMORY, "memory.high", NULL, NULL, NULL, NULL, AS_IS },
	{ "memory.swap.max", CG_MEMORY, "memory.swap.max", NULL, "memory", "memory.memsw.limit_in_bytes", NULL, V1_SWAP },
	{ "memory.current", CG_MEMORY, "memory.current", NULL, "memory", "memory.usage_in_bytes", NULL, AS_IS },
	{ "memory.peak", CG_MEMORY, "memory.peak", NULL, "memory", "memory.max_usage_in_bytes", NULL, AS_IS },
	{ "memory.events.oom_kill", CG_MEMORY, "memory.events", "oom_kill", "memory", "memory.oom_control", "oom_kill", AS_IS },
	{ "cpu.max", CG_CPU, "cpu.max", NULL, "cpu", "cpu.cfs_quota_us", NULL, V1_CPU_MAX },
	{ "cpu.weight", CG_CPU, "cpu.weight", NULL, "cpu", "cpu.shares", NULL, V1_SHARES },
	{ "cpu.stat.usage_usec", CG_CORE, "cpu.stat", "usage_usec", "cpuacct", "cpuacct.usage", NULL, NS_TO_US },
	{ "cpu.stat.nr_periods", CG_CPU, "cpu.stat", "nr_periods", "cpu", "cpu.stat", "nr_periods", AS_IS },
	{ "cpu.stat.nr_throttled", CG_CPU, "cpu.stat", "nr_throttled", "cpu", "cpu.stat", "nr_throttled", AS_IS },
	{ "cpu.stat.throttled_usec", CG_CPU, "cpu.stat", "throttled_usec", "cpu", "cpu.stat", "throttled_time", NS_TO_US },
	{ "cpuset.cpus.effective", CG_CPUSET, "cpuset.cpus.effective", NULL, "cpuset", "cpuset.effective_cpus", NULL, AS_IS },
	{ "io.weight", CG_IO, "io.weight", "default", "blkio", "blkio.weight|blkio.bfq.weight", NULL, V1_BLKIO },
	{ "pids.max", CG_PIDS, "pids.max", NULL, "pids", "pids.max", NULL, AS_IS },
	{ "pids.current", CG_PIDS, "pids.current", NULL, "pids", "pids.current", NULL, AS_IS },
	{ "pids.events.max", CG_PIDS, "pids.events", "max", "pids", "pids.events", "max", AS_IS },
	{ "memory.pressure", CG_CORE, "memory.pressure", NULL, NULL, NULL, NULL, PSI },
	{ "cpu.pressure", CG_CORE, "cpu.pressure", NULL, NULL, NULL, NULL, PSI },
	{ "io.pressure", CG_CORE, "io.pressure", NULL, NULL, NULL, NULL, PSI },
};

struct where {
	char v2[PATH_MAX];       /* the cgroup2 group's directory, "" when unknown */
	char offers[512];        /* the controllers of the cgroup2 tree */
	const char *text;        /* /proc/PID/cgroup */
	pid_t pid;
};

/* The directory of the v1 hierarchy holding controller ctl. */
static int v1_dir(const struct where *w, const char *ctl, char *out, size_t size)
{
	char mount[PATH_MAX], root[PATH_MAX], line[PATH_MAX + 300], key[64];
	struct proc_cgroup pc;
	const char *s = w->text;
	if (cgroup_v1_mount_root(ctl, mount, sizeof mount, root, sizeof root) < 0)
		return -1;
	snprintf(key, sizeof key, ",%s,", ctl);
	while (proc_next_line(&s, line, sizeof line) == 0) {
		char list[260];
		if (proc_cgroup_parse(line, &pc) < 0)
			continue;
		snprintf(list, sizeof list, ",%s,", pc.controllers);
		if (strstr(list, key))
			return cgroup_locate(mount, root, pc.path, w->pid, out, size);
	}
	return -1;
}

/* Reads file (or the first of "a|b" that exists) in dir, or its FIELD line. */
static int read_value(const char *dir, const char *file, const char *field, char *out, size_t size, const char **used)
{
	char name[64], path[PATH_MAX + 64], text[4096];
	snprintf(name, sizeof name, "%s", file);
	for (char *alt = name, *bar; alt; alt = bar ? bar + 1 : NULL) {
		bar = strchr(alt, '|');
		if (bar)
			*bar = '\0';
		snprintf(path, sizeof path, "%s/%s", dir, alt);
		if (read_file(path, text, sizeof text) < 0)
			continue;
		*used = strstr(file, alt);
		if (!field) {
			snprintf(out, size, "%s", text);
			return 0;
		}
		size_t len = strlen(field);
		for (const char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
			if (strncmp(l, field, len) == 0 && l[len] == ' ')
				return snprintf(out, size, "%.*s", (int)strcspn(l + len + 1, "\n"), l + len + 1), 0;
		if (strcmp(field, "default") == 0) /* v1 bfq and old io.weight: the bare number */
			return snprintf(out, size, "%s", text), 0;
		return -1;
	}
	return -1;
}

static void convert(const struct stat_row *r, const char *dir, char *v, size_t size)
{
	unsigned long long n = strtoull(v, NULL, 10);
	char other[64];
	const char *used;
	switch (r->conv) {
	case V1_BYTES:
		if (n >= 1ULL << 62)
			snprintf(v, size, "max");
		break;
	case V1_SWAP:
		if (n >= 1ULL << 62)
			snprintf(v, size, "max");
		else if (read_value(dir, "memory.limit_in_bytes", NULL, other, sizeof other, &used) == 0)
			snprintf(v, size, "%llu", n - strtoull(other, NULL, 10));
		break;
	case V1_CPU_MAX:
		if (read_value(dir, "cpu.cfs_period_us", NULL, other, sizeof other, &used) == 0) {
			char quota[32] = "max";
			if (v[0] != '-')
				snprintf(quota, sizeof quota, "%llu", n);
			snprintf(v, size, "%s %s", quota, other);
		}
		break;
	case V1_SHARES: snprintf(v, size, "%llu", n < 2 ? 1 : 1 + (n - 2) * 9999 / 262142); break;
	case V1_BLKIO: snprintf(v, size, "%llu", n < 10 ? 1 : 1 + (n - 10) * 9999 / 990); break;
	case NS_TO_US: snprintf(v, size, "%llu", n / 1000); break;
	case AS_IS: case PSI: break;
	}
}

void cgroup_stats(pid_t pid, const char *cgroup_text,
		  void (*each)(const char *key, const char *value, const char *v1file, void *ctx), void *ctx)
{
	struct where w = { "", "", cgroup_text, pid };
	char mount[PATH_MAX], root[PATH_MAX], line[PATH_MAX + 300], dir[PATH_MAX], v[4096], key[96];
	struct proc_cgroup pc;
	const char *s = cgroup_text, *used;
	if (cgroup_v2_mount_root(mount, sizeof mount, root, sizeof root) == 0) {
		while (proc_next_line(&s, line, sizeof line) == 0)
			if (proc_cgroup_parse(line, &pc) == 0 && pc.hierarchy == 0 &&
			    cgroup_locate(mount, root, pc.path, pid, w.v2, sizeof w.v2) < 0)
				w.v2[0] = '\0';
		snprintf(line, sizeof line, "%s/cgroup.controllers", mount);
		read_file(line, w.offers, sizeof w.offers);
	}
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct stat_row *r = &rows[i];
		bool v2 = w.v2[0] && (r->ctl == CG_CORE || cgroup_word_in(w.offers, cgroup_controller_name(r->ctl, true)));
		if (v2 ? read_value(w.v2, r->v2file, r->v2field, v, sizeof v, &used) < 0
		       : !r->v1file || v1_dir(&w, r->v1ctl, dir, sizeof dir) < 0 ||
				 read_value(dir, r->v1file, r->v1field, v, sizeof v, &used) < 0)
			continue;
		if (r->conv != PSI) {
			if (!v2)
				convert(r, dir, v, sizeof v);
			char file[64];
			snprintf(file, sizeof file, "%.*s", (int)strcspn(used, "|"), used);
			each(r->key, v, v2 ? NULL : file, ctx);
			continue;
		}
		const char *p = v;
		while (proc_next_line(&p, line, sizeof line) == 0) { /* "some avg10=0.00 ..." */
			size_t len = strcspn(line, " ");
			snprintf(key, sizeof key, "%s.%.*s", r->key, (int)len, line);
			each(key, line + len + (line[len] == ' '), NULL, ctx);
		}
	}
}
