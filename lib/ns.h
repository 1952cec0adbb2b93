/* ns: the eight namespace types (namespaces(7)) and user-namespace id maps
 * (user_namespaces(7)). */
#ifndef BOXSTEP_NS_H
#define BOXSTEP_NS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "parse.h"

struct ns_type {
	const char *option;     /* mkns option: "mount" */
	const char *proc;       /* name under /proc/PID/ns: "mnt" */
	const char *clone_name; /* "CLONE_NEWNS" */
	char letter;            /* unshare(1)'s short option: 'm' */
	const char *since;      /* first Linux version */
	const char *isolates;   /* what the process gets its own copy of */
	int flag;               /* the CLONE_NEW* value, from the kernel headers */
};

#define NS_TYPE_COUNT 8
/* The types in the order namespaces(7) lists them. */
const struct ns_type *ns_types(void);
/* By option ("mount") or /proc name ("mnt"); NULL when unknown. */
const struct ns_type *ns_by_name(const char *name);
/* Every type's flag ORed together, user excluded or not. */
int ns_all_flags(bool with_user);

/* readlink(/proc/PID/ns/NAME): "pid:[4026531836]". pid 0 means self. */
int ns_link(pid_t pid, const char *proc_name, char *buf, size_t size);

/* user_namespaces(7): a map is written at once, in less than one page. */
#define NS_MAP_MAX 4096
/* Whether the ranges fit one write of uid_map or gid_map. */
int ns_map_fits(const struct id_range *r, size_t n);

/* Writes uid_map and gid_map of pid (a process in a new user namespace) from the
 * parent namespace, as a process there must: directly when allowed (root, or one
 * range mapping the caller's own id, after "deny" to setgroups for gid_map), else
 * through newuidmap/newgidmap (uidmap package, /etc/subuid). Returns 0, or -1 after
 * printing the error. */
int ns_write_id_maps(pid_t pid, const struct id_range *uid, size_t nuid,
		     const struct id_range *gid, size_t ngid);

/* The maps of a new user namespace must be written from its parent namespace, so
 * a writer forked before unshare(2) waits on a pipe, then writes the caller's maps
 * with ns_write_id_maps and exits. start: before unshare (exits 125 if fork fails);
 * finish: after it, returns 0 when the maps are written, -1 (already reported) if not.
 * The ranges must stay valid until finish. */
struct map_writer {
	pid_t pid;
	int go; /* write end of the pipe */
};
void ns_map_writer_start(struct map_writer *w, const struct id_range *uid, size_t nuid,
			 const struct id_range *gid, size_t ngid);
int ns_map_writer_finish(struct map_writer *w);

/* After the maps are written: a caller the map shows as uid 0 inside switches to
 * it (setgroups, setresgid, setresuid), since until it does it keeps its host ids
 * for every file it touches. Exits 125 when the kernel refuses. */
void ns_become_mapped_root(const struct id_range *uid, size_t nuid, const struct id_range *gid,
			   size_t ngid);

#endif
