/* cgroup: the cgroup hierarchies of this host (cgroups(7)), and the back end of
 * cgset and of cinfo's cgroup section.
 *
 * A host mounts cgroups one of three ways under /sys/fs/cgroup:
 *   v2      one unified cgroup2 tree at /sys/fs/cgroup (statfs: CGROUP2_SUPER_MAGIC);
 *   hybrid  a tmpfs holding one v1 tree per controller, plus a cgroup2 tree with
 *           (usually) no controllers at /sys/fs/cgroup/unified;
 *   v1      the tmpfs with v1 trees only.
 * A controller is used in the cgroup2 tree when that tree offers it (its
 * cgroup.controllers), otherwise in its own v1 tree. What differs between the two
 * (file names, units, the files a limit needs) is in one translation table in
 * cgroup-limits.c, for writing, and one in cgroup-stats.c, for reading.
 *
 * Files: cgroup.c (layout detection), cgroup-limits.c (creating, joining,
 * reporting on and removing a cgroup), cgroup-stats.c (reading one back). */
#ifndef BOXSTEP_CGROUP_H
#define BOXSTEP_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CGROUP_MOUNT "/sys/fs/cgroup"
#define CGROUP_HYBRID_V2 "/sys/fs/cgroup/unified"

enum cgroup_layout { CGROUP_V2, CGROUP_HYBRID, CGROUP_V1, CGROUP_NONE };

/* Detects the layout from statfs(/sys/fs/cgroup) and /proc/self/mountinfo. */
enum cgroup_layout cgroup_layout(void);
/* "v2", "hybrid", "v1" or "none". */
const char *cgroup_layout_name(enum cgroup_layout layout);
/* The root of the cgroup2 tree for a layout, or NULL when it has none. */
const char *cgroup_v2_root(enum cgroup_layout layout);

/* The v1 controllers mounted under /sys/fs/cgroup, space-separated in mount order
 * ("cpu cpuacct memory pids"; named hierarchies such as name=systemd are left out).
 * Returns how many, 0 when none. */
int cgroup_v1_controllers(char *buf, size_t size);
/* Where the v1 controller is mounted ("/sys/fs/cgroup/memory"); -1 when it is not.
 * root, when not NULL, gets the mount's root in its tree as mountinfo shows it:
 * "/", or "/.." inside a cgroup namespace rooted below it. */
int cgroup_v1_mount(const char *controller, char *path, size_t size);
int cgroup_v1_mount_root(const char *controller, char *path, size_t size, char *root, size_t rsize);
/* The cgroup2 mount under /sys/fs/cgroup and its root, as cgroup_v1_mount_root. */
int cgroup_v2_mount_root(char *path, size_t size, char *root, size_t rsize);
/* The controllers the cgroup2 root offers (its cgroup.controllers), space-separated.
 * Returns how many, 0 when none, -1 when the layout has no cgroup2 tree. */
int cgroup_v2_controllers(enum cgroup_layout layout, char *buf, size_t size);
/* The directory of pid's cgroup (0: the caller's) at path, as /proc/PID/cgroup
 * shows it (relative to the reader's cgroup namespace), in the hierarchy mounted
 * at mount, whose root in its tree is root (mountinfo). Inside a cgroup namespace
 * a mount made outside shows root "/.." (one ".." per level the namespace's root
 * is below it): the directory is then the one at that depth, then path, whose
 * cgroup.procs lists pid. Returns 0, or -1 when it cannot be found. */
int cgroup_locate(const char *mount, const char *root, const char *path, pid_t pid, char *out, size_t size);
/* 1 when the space-separated list holds word. */
bool cgroup_word_in(const char *list, const char *word);

/* ---- cgset's back end (cgroup-limits.c) ---- */

/* The controllers cgset uses, by their v2 names (v1: blkio for io). */
enum cgroup_controller { CG_MEMORY, CG_CPU, CG_IO, CG_CPUSET, CG_PIDS, CG_CONTROLLERS };
const char *cgroup_controller_name(enum cgroup_controller c, bool v2);

/* The limits, in the order they are written (the memory limit comes before swap:
 * v1 refuses memsw below limit_in_bytes). */
enum cgroup_limit {
	CG_L_MEMORY, CG_L_MEMORY_HIGH, CG_L_SWAP, CG_L_IO_WEIGHT, CG_L_CPUS, CG_L_CPU_WEIGHT,
	CG_L_CPUSET, CG_L_PIDS, CG_LIMITS
};
#define CG_UNLIMITED UINT64_MAX /* "max" */

struct cgroup_limits {
	unsigned set;            /* 1 << enum cgroup_limit for each limit given */
	uint64_t value[CG_LIMITS]; /* bytes, weights, millionths of a CPU, pids */
	char cpuset[128];        /* "0-1,3" */
};

/* The option that sets a limit ("memory" for --memory). */
const char *cgroup_limit_option(enum cgroup_limit l);
/* Parses the value of a limit's option into l. Returns 0, or -1 with what the
 * option accepts in why ("a size: bytes, or with K, M, G, T; or max"). */
int cgroup_limit_parse(enum cgroup_limit which, const char *s, struct cgroup_limits *l, char *why,
		       size_t size);

/* One hierarchy a cgroup lives in: the cgroup2 tree, or one v1 tree. */
struct cgroup_hier {
	bool v2;
	unsigned controllers;   /* 1 << enum cgroup_controller, for those it serves */
	bool optional;          /* skipped when its parent is missing */
	bool make_parent;       /* the default parent: created when missing */
	bool made_parent, made; /* what cgroup_create made (and removal undoes) */
	char mount[PATH_MAX / 4];
	char parent[PATH_MAX];
	char dir[PATH_MAX];
};

struct cgroup {
	enum cgroup_layout layout;
	bool fake;            /* BOXSTEP_CGROUP_ROOT: a plain directory plays cgroup2 */
	char name[128];
	struct cgroup_hier h[CG_CONTROLLERS + 1];
	int n;
	int ctl[CG_CONTROLLERS]; /* index in h of each controller used, or -1 */
	int unified;             /* index of the cgroup2 tree, or -1 */
	uint64_t limit_memory;   /* for the OOM report */
};

#define CGROUP_DEFAULT_PARENT "boxstep"

/* Decides where the cgroup NAME below PARENT ("self", a path from the hierarchy
 * root, or CGROUP_DEFAULT_PARENT) will live for the limits in l, and checks
 * everything that can be checked without changing anything: the layout, that each
 * controller exists, the parent, the name, limits that do not exist on v1. Exits
 * 125, saying why, when one fails. Makes no kernel call a trace shows. */
void cgroup_plan(struct cgroup *cg, const char *parent, const char *name, const struct cgroup_limits *l);
/* The plan as trace comments: the layout and where each controller lives. */
void cgroup_trace_plan(const struct cgroup *cg);
/* Creates the parents when missing, enables controllers on v2 from the root down,
 * makes the cgroup, copies the v1 cpuset, writes the limits. On failure prints the
 * error and its hint, removes what it made, and exits 125. */
void cgroup_create(struct cgroup *cg, const struct cgroup_limits *l);
/* Moves pid (0: the caller) into the cgroup in every hierarchy. Returns 0, or -1
 * after printing the error (the caller removes the cgroup). */
int cgroup_join(const struct cgroup *cg, pid_t pid);
/* After the program: prints what the kernel did (OOM kills, pids.max refusals). */
void cgroup_report(const struct cgroup *cg);
/* Kills what is left in the cgroup (cgroup.kill where there is one) and removes
 * it. Returns 0, or -1 when a directory could not be removed (said why). */
int cgroup_remove(struct cgroup *cg);
/* Removes the empty boxstep-* cgroups below parent whose supervisor is gone.
 * Prints each one removed on stdout. Returns how many could not be removed. */
int cgroup_gc(const char *parent);

/* ---- reading a process's cgroup back (cgroup-stats.c) ---- */

/* For each limit, counter and pressure line of pid's cgroups that can be read,
 * calls each(key, value, file): key by the v2 name ("memory.max", "cpu.stat.nr_throttled",
 * "memory.pressure.some"), value in v2 units ("max", bytes, "50000 100000"), file the
 * file it came from when that is a v1 file ("memory.limit_in_bytes"), else NULL.
 * cgroup_text is /proc/PID/cgroup, pid the process (0: the caller). */
void cgroup_stats(pid_t pid, const char *cgroup_text,
		  void (*each)(const char *key, const char *value, const char *v1file, void *ctx), void *ctx);
/* "64M", "1.5G", "512K", "1000" (bytes), or "max": the shortest exact form. */
void cgroup_size_str(uint64_t bytes, char *buf, size_t size);

#endif
