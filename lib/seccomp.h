/* seccomp: syscall filters as seccomp(2) runs them, built without libseccomp.
 *
 * A filter is a table with one rule per syscall number (from the generated table,
 * build/gen/syscalls.h), compiled to classic BPF (lib/bpf) in a fixed shape:
 *   1. the ABI: seccomp_data.arch must be the build's (AUDIT_ARCH_X86_64), or the
 *      process is killed: a filter written for x86_64 numbers means nothing for an
 *      i386 call made with int $0x80, whose numbers differ;
 *   2. on x86_64, numbers with __X32_SYSCALL_BIT (the x32 ABI) get the action;
 *   3. a balanced binary search over the sorted numbers, runs of numbers with the
 *      same answer merged, so a verdict costs log2(runs) comparisons, whatever the
 *      number of rules; a rule that looks at an argument jumps to a short block that
 *      loads it (its low 32 bits: the kernel reads these arguments as int).
 * The kernel caches, per syscall, a verdict the program reaches without reading an
 * argument: such syscalls then cost nothing per call (seccomp_cache_prepare()). */
#ifndef BOXSTEP_SECCOMP_H
#define BOXSTEP_SECCOMP_H

#include <stddef.h>
#include <stdint.h>
#include <linux/seccomp.h>

#include "bpf.h"

/* Verdicts: a SECCOMP_RET_* action and its 16 bits of data. */
#define SC_ALLOW SECCOMP_RET_ALLOW
#define SC_ERRNO(e) (SECCOMP_RET_ERRNO | ((uint32_t)(e) & SECCOMP_RET_DATA))
#define SC_KILL SECCOMP_RET_KILL_PROCESS

/* "ALLOW", "ERRNO(EPERM)", "KILL_PROCESS", "TRAP", "LOG". */
const char *sc_ret_str(uint32_t ret, char *buf, size_t size);

/* Syscall names of this build's ABI, from the kernel headers. */
int sc_nr(const char *name);     /* -1 when the headers do not name it */
const char *sc_name(int nr);     /* NULL for a number they do not name */
int sc_highest(void);            /* the highest number they name */
const char *sc_suggest(const char *name); /* the closest name, or NULL */
/* "AUDIT_ARCH_X86_64", the ABI the filter accepts. */
const char *sc_arch_name(void);

/* The rule for one syscall: ret, unless an argument test matches, then match_ret. */
enum sc_test { SC_NO_TEST, SC_ANY_BIT, SC_ONE_OF };
struct sc_rule {
	uint32_t ret;
	enum sc_test test;
	int arg;            /* which argument, 0..5 */
	uint32_t value[6];  /* SC_ANY_BIT: value[0], a mask; SC_ONE_OF: nvalues values */
	int nvalues;
	uint32_t match_ret;
	const char *why;    /* "namespace flags", "TIOCSTI": for --dump and --test */
};

#define SC_NR_LIMIT 1024
struct sc_filter {
	struct sc_rule rule[SC_NR_LIMIT]; /* by number, 0..sc_highest() */
	uint32_t base;    /* what a named syscall without a rule of its own gets */
	uint32_t unknown; /* numbers the headers do not name, below and above the highest */
	uint32_t action;  /* what refused calls get: --action */
};

/* Every named syscall gets known (the base: a rule is what differs from it), every
 * other number unknown. */
void sc_filter_init(struct sc_filter *f, uint32_t known, uint32_t unknown, uint32_t action);
/* A plain rule: nr gets ret, whatever its arguments. */
void sc_rule_set(struct sc_filter *f, int nr, uint32_t ret);

/* Docker's default profile for x86_64 and its 14 default capabilities (moby
 * profiles/seccomp/default.json): its allowlist is allowed, every other named
 * syscall gets action (67 names on Linux 6.1 headers), every number the
 * headers do not name gets ENOSYS (a newer kernel's syscalls stay out, as an
 * allowlist must), clone3 gets ENOSYS so that libc falls back to clone, whose flags
 * the filter can read, clone with namespace flags, socket(AF_VSOCK) and the
 * personality values Docker does not list get the action. */
void sc_profile_docker(struct sc_filter *f, uint32_t action);
/* Docker's allowlist, as its profile names it (some names belong to other ABIs). */
extern const char *const sc_docker_allow[];
extern const size_t sc_docker_allow_count;

/* --deny-ns: clone and unshare with CLONE_NEW* flags and setns get the action,
 * clone3 (whose flags sit behind a pointer) ENOSYS; only where they are allowed. */
void sc_deny_namespaces(struct sc_filter *f);
/* ioctl(fd, TIOCSTI, ...) gets the action: pushing characters into a terminal's
 * input, the classic way out of a sandbox sharing the terminal. */
void sc_deny_tiocsti(struct sc_filter *f);

/* Compiles f: SC_TREE is the binary search above, SC_LINEAR one comparison per
 * rule (each syscall whose answer is not the base) in number order, what naive
 * filters do, for comparison. Returns 0, or -1 when the program exceeds
 * BPF_MAXINSNS. */
enum sc_layout { SC_TREE, SC_LINEAR };
int sc_compile(const struct sc_filter *f, enum sc_layout layout, struct bpf_prog *p);

/* What the program answers for nr with all arguments 0 (through bpf_run);
 * *reads_args is set when that answer depended on an argument. */
uint32_t sc_try(const struct bpf_prog *p, int nr, int *reads_args);

/* Installs the program on the calling process with seccomp(SECCOMP_SET_MODE_FILTER)
 * (TSYNC when it has other threads), after setting no_new_privs when it lacks
 * CAP_SYS_ADMIN, as the kernel requires. Traced; returns 0 or -1 with errno. */
int sc_install(const struct bpf_prog *p);

#endif
