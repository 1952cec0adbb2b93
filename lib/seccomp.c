/* seccomp: filter tables, their BPF, installing them. See seccomp.h. */
#include "seccomp.h"

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <unistd.h>
#include <asm/unistd.h>
#include <linux/audit.h>
#include <linux/capability.h>

#include "caps.h"
#include "clone_flags.h"
#include "log.h"
#include "suggest.h"
#include "syscalls.h"

#if defined(__aarch64__)
#define BUILD_ARCH AUDIT_ARCH_AARCH64
#define BUILD_ARCH_NAME "AUDIT_ARCH_AARCH64"
#else /* x86_64, the ABI of the generated table (asm/unistd_64.h) */
#define BUILD_ARCH AUDIT_ARCH_X86_64
#define BUILD_ARCH_NAME "AUDIT_ARCH_X86_64"
#define X32_BIT __X32_SYSCALL_BIT
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LOW(i) ((uint32_t)offsetof(struct seccomp_data, args[i]))
#else
#define ARG_LOW(i) ((uint32_t)offsetof(struct seccomp_data, args[i]) + 4)
#endif

static const struct {
	const char *name;
	int nr;
} table[] = {
#define SYSCALL_ENTRY(name, nr) { name, (nr) },
	SYSCALL_TABLE(SYSCALL_ENTRY)
#undef SYSCALL_ENTRY
};
#define TABLE_LEN (sizeof table / sizeof table[0])

static const char *by_nr[SC_NR_LIMIT];
static int highest = -1;

static void fill(void)
{
	if (highest >= 0)
		return;
	for (size_t i = 0; i < TABLE_LEN; i++) {
		if (table[i].nr < 0 || table[i].nr >= SC_NR_LIMIT)
			continue;
		by_nr[table[i].nr] = table[i].name;
		if (table[i].nr > highest)
			highest = table[i].nr;
	}
}

int sc_nr(const char *name)
{
	for (size_t i = 0; i < TABLE_LEN; i++)
		if (strcmp(table[i].name, name) == 0)
			return table[i].nr;
	return -1;
}

const char *sc_name(int nr)
{
	fill();
	return nr >= 0 && nr < SC_NR_LIMIT ? by_nr[nr] : NULL;
}

int sc_highest(void)
{
	fill();
	return highest;
}

const char *sc_suggest(const char *name)
{
	struct suggestion s = SUGGESTION_INIT(name);
	for (size_t i = 0; i < TABLE_LEN; i++)
		suggest_offer(&s, table[i].name);
	return suggest_best(&s);
}

const char *sc_arch_name(void) { return BUILD_ARCH_NAME; }

const char *sc_ret_str(uint32_t ret, char *buf, size_t size)
{
	const char *e;
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS: snprintf(buf, size, "KILL_PROCESS"); break;
	case SECCOMP_RET_KILL_THREAD: snprintf(buf, size, "KILL_THREAD"); break;
	case SECCOMP_RET_TRAP: snprintf(buf, size, "TRAP"); break;
	case SECCOMP_RET_ERRNO:
		e = errno_name((int)(ret & SECCOMP_RET_DATA));
		if (e)
			snprintf(buf, size, "ERRNO(%s)", e);
		else
			snprintf(buf, size, "ERRNO(%u)", ret & SECCOMP_RET_DATA);
		break;
	case SECCOMP_RET_USER_NOTIF: snprintf(buf, size, "USER_NOTIF"); break;
	case SECCOMP_RET_TRACE: snprintf(buf, size, "TRACE"); break;
	case SECCOMP_RET_LOG: snprintf(buf, size, "LOG"); break;
	case SECCOMP_RET_ALLOW: snprintf(buf, size, "ALLOW"); break;
	default: snprintf(buf, size, "%#x", ret);
	}
	return buf;
}

void sc_filter_init(struct sc_filter *f, uint32_t known, uint32_t unknown, uint32_t action)
{
	memset(f, 0, sizeof *f);
	fill();
	for (int n = 0; n < SC_NR_LIMIT; n++)
		f->rule[n].ret = known;
	f->base = known;
	f->unknown = unknown;
	f->action = action;
}

void sc_rule_set(struct sc_filter *f, int nr, uint32_t ret)
{
	if (nr < 0 || nr >= SC_NR_LIMIT)
		return;
	memset(&f->rule[nr], 0, sizeof f->rule[nr]);
	f->rule[nr].ret = ret;
}

static void rule_test(struct sc_filter *f, const char *name, int arg, enum sc_test test, const uint32_t *values,
		      int n, uint32_t ret, uint32_t match_ret, const char *why)
{
	int nr = sc_nr(name);
	if (nr < 0)
		return;
	struct sc_rule *r = &f->rule[nr];
	memset(r, 0, sizeof *r);
	r->ret = ret;
	r->test = test;
	r->arg = arg;
	for (int i = 0; i < n && i < 6; i++)
		r->value[i] = values[i];
	r->nvalues = n;
	r->match_ret = match_ret;
	r->why = why;
}

/* Every CLONE_NEW* flag of the headers. clone(2)'s own low byte is the exit
 * signal (CSIGNAL), so CLONE_NEWTIME (0x80), which sits there, is a flag only for
 * unshare(2) and clone3(2). */
static uint32_t namespace_flags(int for_clone)
{
	uint32_t mask = 0;
#define NS_FLAG(name, value) mask |= (uint32_t)(value);
	CLONE_FLAG_TABLE(NS_FLAG)
#undef NS_FLAG
	return for_clone ? mask & ~(uint32_t)0xff : mask;
}

static int allowed(const struct sc_filter *f, const char *name)
{
	int nr = sc_nr(name);
	return nr >= 0 && f->rule[nr].ret == SC_ALLOW;
}

void sc_deny_namespaces(struct sc_filter *f)
{
	const uint32_t clone_mask[1] = { namespace_flags(1) }, all[1] = { namespace_flags(0) };
	if (allowed(f, "clone") && f->rule[sc_nr("clone")].test == SC_NO_TEST)
		rule_test(f, "clone", 0, SC_ANY_BIT, clone_mask, 1, SC_ALLOW, f->action, "namespace flags");
	if (allowed(f, "unshare"))
		rule_test(f, "unshare", 0, SC_ANY_BIT, all, 1, SC_ALLOW, f->action, "namespace flags");
	if (allowed(f, "clone3"))
		sc_rule_set(f, sc_nr("clone3"), SC_ERRNO(ENOSYS));
	if (allowed(f, "setns"))
		sc_rule_set(f, sc_nr("setns"), f->action);
}

void sc_deny_tiocsti(struct sc_filter *f)
{
	const uint32_t req[1] = { TIOCSTI };
	if (allowed(f, "ioctl"))
		rule_test(f, "ioctl", 1, SC_ONE_OF, req, 1, SC_ALLOW, f->action, "TIOCSTI");
}

void sc_profile_docker(struct sc_filter *f, uint32_t action)
{
	const uint32_t vsock[1] = { AF_VSOCK };
	/* personality(2) values Docker lets through: Linux, 32-bit Linux, UNAME26 and
	 * both, and 0xffffffff, which only asks for the current one. */
	const uint32_t personalities[] = { PER_LINUX, PER_LINUX32, UNAME26, UNAME26 | PER_LINUX32, ~(uint32_t)0 };
	const uint32_t clone_mask[1] = { namespace_flags(1) };

	sc_filter_init(f, action, SC_ERRNO(ENOSYS), action);
	for (size_t i = 0; i < sc_docker_allow_count; i++)
		sc_rule_set(f, sc_nr(sc_docker_allow[i]), SC_ALLOW);
	rule_test(f, "clone", 0, SC_ANY_BIT, clone_mask, 1, SC_ALLOW, f->action, "namespace flags");
	sc_rule_set(f, sc_nr("clone3"), SC_ERRNO(ENOSYS));
	rule_test(f, "socket", 0, SC_ONE_OF, vsock, 1, SC_ALLOW, f->action, "AF_VSOCK");
	rule_test(f, "personality", 0, SC_ONE_OF, personalities, 5, f->action, SC_ALLOW,
		  "Linux, Linux32, UNAME26, query");
	sc_deny_tiocsti(f);
}

/* Compiling. A segment is a run of numbers with one plain answer, or one number
 * whose rule tests an argument. */
struct segment {
	uint32_t first;
	int nr; /* >= 0: the number of a rule with a test */
	uint32_t ret;
};
static struct segment segs[SC_NR_LIMIT + 2];
static size_t nsegs;
static size_t block_at[SC_NR_LIMIT];

static uint32_t plain_ret(const struct sc_filter *f, int n)
{
	return n > highest || !by_nr[n] ? f->unknown : f->rule[n].ret;
}

static void build_segments(const struct sc_filter *f)
{
	nsegs = 0;
	for (int n = 0; n <= highest + 1; n++) {
		if (n <= highest && by_nr[n] && f->rule[n].test != SC_NO_TEST) {
			segs[nsegs++] = (struct segment){ (uint32_t)n, n, 0 };
			continue;
		}
		uint32_t r = plain_ret(f, n);
		if (nsegs && segs[nsegs - 1].nr < 0 && segs[nsegs - 1].ret == r)
			continue;
		segs[nsegs++] = (struct segment){ (uint32_t)n, -1, r };
	}
}

/* "read .. close" for numbers first..last, or "above the table". */
static void range_names(uint32_t first, uint32_t last, char *buf, size_t size)
{
	const char *a = sc_name((int)first), *b = sc_name((int)last);
	if ((int)first > highest)
		snprintf(buf, size, "%u and up: newer than these headers", first);
	else if (last == UINT32_MAX)
		snprintf(buf, size, "%u and up: %s .. and newer", first, a ? a : "?");
	else if (!a && !b)
		snprintf(buf, size, "%u-%u: no syscall there in these headers", first, last);
	else if (first == last)
		snprintf(buf, size, "%u %s", first, a);
	else
		snprintf(buf, size, "%u-%u %s .. %s", first, last, a ? a : "?", b ? b : "?");
}

static size_t tree_size(size_t lo, size_t hi)
{
	if (hi - lo == 1)
		return 1;
	size_t mid = (lo + hi) / 2, left = tree_size(lo, mid);
	return 1 + (left > 255) + left + tree_size(mid, hi);
}

static void emit_tree(struct bpf_prog *p, size_t lo, size_t hi)
{
	char why[64], names[64];
	if (hi - lo == 1) {
		const struct segment *s = &segs[lo];
		if (s->nr >= 0) {
			bpf_emit(p, BPF_JMP | BPF_JA | BPF_K, 0, 0, (uint32_t)(block_at[s->nr] - (p->len + 1)),
				 "%d %s: look at its arguments", s->nr, sc_name(s->nr));
			return;
		}
		uint32_t last = lo + 1 < nsegs ? segs[lo + 1].first - 1 : UINT32_MAX;
		range_names(s->first, last, names, sizeof names);
		bpf_emit(p, BPF_RET | BPF_K, 0, 0, s->ret, "%s %s", sc_ret_str(s->ret, why, sizeof why), names);
		return;
	}
	size_t mid = (lo + hi) / 2, left = tree_size(lo, mid);
	const char *name = sc_name((int)segs[mid].first);
	if (left <= 255) {
		bpf_emit(p, BPF_JMP | BPF_JGE | BPF_K, (uint8_t)left, 0, segs[mid].first, "nr >= %u %s?",
			 segs[mid].first, name ? name : "(unnamed)");
	} else {
		bpf_emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, segs[mid].first, "nr >= %u %s?", segs[mid].first,
			 name ? name : "(unnamed)");
		bpf_emit(p, BPF_JMP | BPF_JA | BPF_K, 0, 0, (uint32_t)left, "(a jump too far for jt)");
	}
	emit_tree(p, lo, mid);
	emit_tree(p, mid, hi);
}

static size_t block_size(const struct sc_rule *r)
{
	return r->test == SC_ANY_BIT ? 4 : 1 + (size_t)r->nvalues + 2;
}

static void emit_block(struct bpf_prog *p, int nr, const struct sc_rule *r)
{
	char a[40], b[40];
	bpf_emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LOW(r->arg), "%s: args[%d], its low 32 bits", sc_name(nr),
		 r->arg);
	if (r->test == SC_ANY_BIT) {
		bpf_emit(p, BPF_JMP | BPF_JSET | BPF_K, 0, 1, r->value[0], "any of the %s?", r->why);
	} else {
		for (int i = 0; i < r->nvalues; i++)
			bpf_emit(p, BPF_JMP | BPF_JEQ | BPF_K, (uint8_t)(r->nvalues - i), 0, r->value[i],
				 i == 0 ? "%s?" : NULL, r->why);
	}
	if (r->test == SC_ANY_BIT) {
		bpf_emit(p, BPF_RET | BPF_K, 0, 0, r->match_ret, "%s %s with %s", sc_ret_str(r->match_ret, a, sizeof a),
			 sc_name(nr), r->why);
		bpf_emit(p, BPF_RET | BPF_K, 0, 0, r->ret, "%s %s", sc_ret_str(r->ret, b, sizeof b), sc_name(nr));
	} else {
		bpf_emit(p, BPF_RET | BPF_K, 0, 0, r->ret, "%s %s", sc_ret_str(r->ret, b, sizeof b), sc_name(nr));
		bpf_emit(p, BPF_RET | BPF_K, 0, 0, r->match_ret, "%s %s with %s", sc_ret_str(r->match_ret, a, sizeof a),
			 sc_name(nr), r->why);
	}
}

static void emit_header(const struct sc_filter *f, struct bpf_prog *p)
{
	char a[40];
	bpf_emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)offsetof(struct seccomp_data, arch), "seccomp_data.arch");
	bpf_emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, BUILD_ARCH, "%s?", BUILD_ARCH_NAME);
	bpf_emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS, "KILL_PROCESS: another ABI (i386 int $0x80)");
	bpf_emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)offsetof(struct seccomp_data, nr), "seccomp_data.nr");
#ifdef X32_BIT
	bpf_emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, X32_BIT, "the x32 ABI: nr | __X32_SYSCALL_BIT?");
	bpf_emit(p, BPF_RET | BPF_K, 0, 0, f->action, "%s every x32 call", sc_ret_str(f->action, a, sizeof a));
#else
	(void)f;
	(void)a;
#endif
}

static int compile_tree(const struct sc_filter *f, struct bpf_prog *p)
{
	build_segments(f);
	size_t at = p->len + tree_size(0, nsegs);
	for (size_t i = 0; i < nsegs; i++) {
		if (segs[i].nr < 0)
			continue;
		block_at[segs[i].nr] = at;
		at += block_size(&f->rule[segs[i].nr]);
	}
	emit_tree(p, 0, nsegs);
	for (size_t i = 0; i < nsegs; i++)
		if (segs[i].nr >= 0)
			emit_block(p, segs[i].nr, &f->rule[segs[i].nr]);
	return 0;
}

static int compile_linear(const struct sc_filter *f, struct bpf_prog *p)
{
	char a[40];
	uint32_t def = f->base;
	bpf_emit(p, BPF_JMP | BPF_JGT | BPF_K, 0, 1, (uint32_t)highest, "above the table?");
	bpf_emit(p, BPF_RET | BPF_K, 0, 0, f->unknown, "%s", sc_ret_str(f->unknown, a, sizeof a));
	for (int n = 0; n <= highest; n++) {
		const struct sc_rule *r = &f->rule[n];
		if (!by_nr[n] || (r->test == SC_NO_TEST && r->ret == def))
			continue;
		if (r->test == SC_NO_TEST) {
			bpf_emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t)n, "%s?", by_nr[n]);
			bpf_emit(p, BPF_RET | BPF_K, 0, 0, r->ret, "%s", sc_ret_str(r->ret, a, sizeof a));
		} else {
			bpf_emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t)block_size(r), (uint32_t)n, "%s?", by_nr[n]);
			emit_block(p, n, r); /* it returns both ways: A still holds nr after a skip */
		}
	}
	bpf_emit(p, BPF_RET | BPF_K, 0, 0, def, "%s everything else", sc_ret_str(def, a, sizeof a));
	return 0;
}

int sc_compile(const struct sc_filter *f, enum sc_layout layout, struct bpf_prog *p)
{
	fill();
	p->len = 0;
	p->overflow = 0;
	emit_header(f, p);
	if (layout == SC_TREE)
		compile_tree(f, p);
	else
		compile_linear(f, p);
	if (p->overflow) {
		errno = E2BIG;
		return -1;
	}
	return 0;
}

uint32_t sc_try(const struct bpf_prog *p, int nr, int *reads_args)
{
	struct seccomp_data d;
	uint64_t loaded = 0;
	memset(&d, 0, sizeof d);
	d.nr = nr;
	d.arch = BUILD_ARCH;
	uint32_t ret = bpf_run(p, &d, sizeof d, &loaded, NULL);
	if (reads_args)
		*reads_args = (loaded >> (offsetof(struct seccomp_data, args) / 4)) != 0;
	return ret;
}

static int threads(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/task");
	if (!d)
		return 1;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n ? n : 1;
}

int sc_install(const struct bpf_prog *p)
{
	struct cap_sets s;
	unsigned flags = 0;
	int n = threads();
	if (caps_read(&s) == 0 && !(s.eff >> CAP_SYS_ADMIN & 1) && !caps_no_new_privs_set()) {
		trace_comment("no CAP_SYS_ADMIN: no_new_privs first, as seccomp(2) requires of an unprivileged filter");
		if (caps_set_no_new_privs() < 0)
			return -1;
	}
	if (n > 1) {
		flags |= SECCOMP_FILTER_FLAG_TSYNC;
		trace_comment("%d threads: TSYNC puts the filter on every one", n);
	}
	struct sock_fprog prog = { (unsigned short)p->len, (struct sock_filter *)p->insn };
	return (int)trace_call(syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog),
			       "seccomp(SECCOMP_SET_MODE_FILTER, %s, {len=%zu})",
			       flags ? "SECCOMP_FILTER_FLAG_TSYNC" : "0", p->len);
}
