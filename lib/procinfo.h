/* procinfo: what /proc says about one process (proc(5)): fields of status, lines of
 * cgroup, uid_map and mountinfo, and the names of its UTS namespace. pid 0 means
 * the caller (/proc/self). Reading is looking, not a step: nothing here is traced
 * but the setns(2) of proc_uts_names(). */
#ifndef BOXSTEP_PROCINFO_H
#define BOXSTEP_PROCINFO_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

/* "/proc/123/status", or "/proc/self/status" for pid 0. */
void proc_path(char *buf, size_t size, pid_t pid, const char *name);
/* A whole file (of any size), in a malloc'd NUL-terminated buffer (free it); NULL
 * with errno when it cannot be opened or read. */
char *file_read_all(const char *path);
/* The same for /proc/PID/NAME. */
char *proc_read(pid_t pid, const char *name);

#define PROC_NS_LINK_MAX 64
/* readlink of the eight /proc/PID/ns links (ns_types() order): "pid:[4026531836]";
 * a type the kernel lacks is left "". Returns 0, or -1 with errno and *bad the index
 * of the type that could not be read. */
int proc_ns_links(pid_t pid, char links[][PROC_NS_LINK_MAX], size_t *bad);

/* The value of the "Key:\tVALUE" line of a status text, blanks squeezed to one
 * space ("NSpid:\t4212\t1" gives "4212 1"). -1 when the key is missing. */
int proc_status_field(const char *status, const char *key, char *out, size_t size);

/* Word n (0 first) of a status field: proc_status_word(s, "Uid", 1, ...) is the
 * effective uid of "Uid:\t1000\t0\t0\t0". -1 when missing. */
int proc_status_word(const char *status, const char *key, int n, char *out, size_t size);

/* Copies the line at *text (without its newline) to line and moves *text past it.
 * Returns 0, or -1 at the end of the text. */
int proc_next_line(const char **text, char *line, size_t size);
/* Copies in to out with leading and trailing blanks removed and every run of
 * blanks made one space: "         0       1000          1" gives "0 1000 1". */
void proc_squeeze(const char *in, char *out, size_t size);

/* One line of /proc/PID/cgroup, "4:memory:/docker/abc" (v1) or "0::/user.slice"
 * (v2: hierarchy 0, no controllers). */
struct proc_cgroup {
	unsigned long hierarchy;
	char controllers[256]; /* "cpu,cpuacct", "name=systemd", "" for v2 */
	char path[PATH_MAX];
};
int proc_cgroup_parse(const char *line, struct proc_cgroup *out);
/* Calls each(controller, path, ctx) for every hierarchy of a /proc/PID/cgroup text:
 * first the v2 one with controller "", then one call per v1 controller of each
 * line ("cpu", then "cpuacct" for "2:cpu,cpuacct:/"; "systemd" for "name=systemd"). */
void proc_cgroup_each(const char *text, void (*each)(const char *controller, const char *path, void *ctx),
		      void *ctx);

/* One line of /proc/PID/mountinfo (proc(5)); fields keep the kernel's octal
 * escapes (\040 for a space). */
struct proc_mount {
	char root[PATH_MAX];        /* the directory of the filesystem mounted there */
	char mount_point[PATH_MAX]; /* relative to the process's root */
	char fstype[64];
	char source[PATH_MAX];
};
int proc_mountinfo_parse(const char *line, struct proc_mount *out);
/* The mount on "/" in a mountinfo text: the last such line, the one on top.
 * -1 when there is none. */
int proc_root_mount(const char *mountinfo, struct proc_mount *out);

/* The hostname and domain name in the UTS namespace of pid: uname(2) directly when
 * it shares the caller's, else from a child that setns(2)es into
 * /proc/PID/ns/uts (needs CAP_SYS_ADMIN over it), or, when that is refused, into
 * its user namespace first (the way an unprivileged user reaches a rootless
 * container, as nsenter does). Returns 0, or -1 when they cannot be learnt. */
int proc_uts_names(pid_t pid, char *host, size_t hsize, char *domain, size_t dsize);

/* The "or exit" forms for a tool that reports on a process (cinfo): each prints
 * the error line, naming the file, and exits 125.
 * proc_read_or_exit: proc_read(). proc_ns_links_or_exit: proc_ns_links(), with a
 * hint when pid 1 is unreadable. proc_ref_file: the ns.TYPE= lines of a report
 * saved with "cinfo --format kv", into links ("" for a type it lacks). */
char *proc_read_or_exit(pid_t pid, const char *name);
void proc_ns_links_or_exit(pid_t pid, char links[][PROC_NS_LINK_MAX]);
void proc_ref_file(const char *file, char links[][PROC_NS_LINK_MAX]);

#endif
