/* attempts: privileged calls tried with arguments that cannot act, so what comes
 * back tells who stopped them (seccomp(2) filters, capabilities, masks, missing
 * kernel features) without changing anything even where they are allowed: a bad
 * magic number, fd -1, a NULL or bad pointer, a path that does not exist. An
 * allowed call gets the kernel's own harmless error (EINVAL, EBADF, EFAULT,
 * ENOENT, EIO); a refused one EPERM (or a kill). cinfo --probe and the tryscall
 * probe use them; amicontained does this for Docker. */
#ifndef BOXSTEP_ATTEMPTS_H
#define BOXSTEP_ATTEMPTS_H

#include <stddef.h>

struct attempt {
	const char *name;  /* "mount" */
	const char *call;  /* what is called: mount("none", "/", NULL, 0, NULL) */
	int harmless;      /* the errno an allowed call gets (0: it succeeds, harmlessly) */
	const char *what;  /* what the call could do with real arguments */
	long (*run)(long arg); /* >= 0, or -errno */
	int probe;         /* part of cinfo --probe */
};

const struct attempt *attempts(size_t *count);
const struct attempt *attempt_find(const char *name);

/* The outcome of one try, made in a child so that a kill ends only the child. */
struct attempt_result {
	long ret;     /* >= 0 or -errno, when not killed */
	int signal;   /* the signal that ended the child, or 0 */
};
int attempt_try(const struct attempt *a, long arg, struct attempt_result *r);

/* "EPERM", "ok" (>= 0), or "killed by SIGSYS". */
const char *attempt_result_str(const struct attempt_result *r, char *buf, size_t size);
/* 1 when the result is a refusal: EPERM, EACCES, EROFS, or a kill; else 0. */
int attempt_blocked(const struct attempt *a, const struct attempt_result *r);

/* cinfo --probe: tries every call marked probe, each in a child, and prints them
 * grouped: blocked (EPERM, EACCES, EROFS or killed), missing (ENOSYS, or no such
 * file: not in this kernel, or a filter said ENOSYS) and allowed (the kernel's own
 * harmless error). kv: "probe.NAME=RESULT" lines and "probe.blocked=a,b,...".
 * Returns 0, or -1 when a child could not be made. */
int attempts_report(int kv);

#endif
