/* sys: traced wrappers around the kernel calls the tools make (DESIGN.md 4).
 *
 * Each wrapper formats the call as strace shows it, makes it, and hands the result
 * to trace_call(), so the trace can never drift from what ran and die_call() names
 * the call that failed. They return what the kernel returned (-1 and errno). */
#ifndef BOXSTEP_SYS_H
#define BOXSTEP_SYS_H

#include <stddef.h>
#include <sys/types.h>

/* "CLONE_NEWNS|CLONE_NEWPID" for a set of clone(2) flags. */
void clone_flags_str(char *buf, size_t size, unsigned long flags);
/* "MS_REC|MS_PRIVATE" for a set of mount(2) flags. */
void mount_flags_str(char *buf, size_t size, unsigned long flags);

int sys_unshare(int flags);                                /* unshare(2) */
int sys_setns(int fd, int nstype, const char *path);       /* setns(2), path for the trace */
int sys_sethostname(const char *name);                     /* sethostname(2) */
int sys_setdomainname(const char *name);                   /* setdomainname(2) */
int sys_mount(const char *source, const char *target, const char *fstype,
	      unsigned long flags, const char *data);     /* mount(2) */
int sys_umount2(const char *target, int flags);            /* umount2(2) */
int sys_mkdir(const char *path, mode_t mode);              /* mkdir(2) */
int sys_open(const char *path, int flags, mode_t mode);    /* openat(2), O_CLOEXEC added */
int sys_chdir(const char *path);                           /* chdir(2) */
/* open, write, close: traced as one line, write("PATH", "DATA") = N. */
ssize_t sys_write_file(const char *path, const char *data);
/* fork(2), traced as clone() = PID; why is a comment for the trace, or NULL. */
pid_t sys_fork(const char *why);
int sys_kill(pid_t pid, int sig);                          /* kill(2) */
int sys_close_range(unsigned first, unsigned last);        /* close_range(2) */

int sys_setresuid(uid_t r, uid_t e, uid_t s);              /* setresuid(2) */
int sys_setresgid(gid_t r, gid_t e, gid_t s);              /* setresgid(2) */
int sys_setgroups(size_t n, const gid_t *groups);          /* setgroups(2) */

/* Reads a whole small file (a /proc or /sys file) into buf, NUL-terminated, with
 * the trailing newline removed. Untraced: reading is looking, not a step.
 * Returns the length, or -1 with errno. */
ssize_t read_file(const char *path, char *buf, size_t size);

#endif
