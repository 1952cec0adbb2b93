/* seccompbpf: a seccomp filter for the rest of the chain (seccomp(2)).
 *
 * Every syscall the program makes from now on first runs a small classic-BPF
 * program the kernel keeps for the process: it reads the syscall number, the ABI
 * and maybe an argument, and answers allow, an errno, or kill. seccompbpf writes
 * that program itself (lib/seccomp, lib/bpf: no libseccomp), installs it, and execs
 * PROGRAM, which can never remove it: filters only pile up, and survive execve. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chain.h"
#include "errnos.h"
#include "log.h"
#include "parse.h"
#include "seccomp.h"
#include "suggest.h"

#define USAGE "seccompbpf [--profile default] [--deny LIST] [--allow LIST] [--deny-ns] [--action errno[:NAME]|kill|log|trap] [--dump | --test NAME] [--] [PROGRAM [ARGS...]]"

static const struct tool tool = {
	"seccompbpf", USAGE,
	"Install a seccomp BPF filter, then run PROGRAM (default /bin/sh) under it.\n"
	"\n"
	"Rules (syscall names as the kernel headers spell them, comma-separated):\n"
	"      --profile default   Docker's default profile for x86_64 and its 14 default\n"
	"                          capabilities: an allowlist; the 67 other syscalls of these\n"
	"                          headers are refused, numbers they do not name get ENOSYS,\n"
	"                          clone3 ENOSYS (libc falls back to clone, whose flags the\n"
	"                          filter reads), clone with namespace flags and ioctl TIOCSTI\n"
	"                          are refused\n"
	"      --deny LIST         refuse these (with --profile: on top of it)\n"
	"      --allow LIST        allow only these: an allowlist, everything else refused\n"
	"                          (with --profile: let these through it). seccompbpf adds what\n"
	"                          it calls after the filter is in place: execve, write\n"
	"                          (trace and errors) and exit_group\n"
	"      --deny-ns           refuse clone and unshare with CLONE_NEW* flags, and setns;\n"
	"                          clone3 gets ENOSYS\n"
	"      --action ACTION     what a refused call gets: errno (EPERM, the default, as in\n"
	"                          Docker), errno:NAME (errno:EACCES), kill (the process dies\n"
	"                          of SIGSYS), log (allowed, logged by the kernel), trap (SIGSYS\n"
	"                          to a handler)\n"
	"Every filter first checks the ABI: a call from another one (i386 int $0x80) kills\n"
	"the process, and x32 calls (nr | 0x40000000) get the action.\n"
	"\n"
	"Options:\n"
	"      --dump              print the BPF program, one instruction a line, and stop\n"
	"      --test NAME         say what the filter does with syscall NAME, and stop\n"
	"  -v, --verbose           trace every kernel call (or BOXSTEP_TRACE=1)\n"
	"  -h, --help              this help\n"
	"  -V, --version           version\n"
	"\n"
	"Kernel calls, in order:\n"
	"  prctl(PR_SET_NO_NEW_PRIVS, 1)        only without CAP_SYS_ADMIN: the kernel requires it\n"
	"  seccomp(SECCOMP_SET_MODE_FILTER, 0)  TSYNC when there are other threads\n"
	"  execve(PROGRAM)\n"
	"\n"
	"Example:\n"
	"  capdrop --keep default -- seccompbpf --profile default -- /bin/sh\n"
	"\n"
	"Exit status: PROGRAM's own; 125 if seccompbpf failed; 126/127 if PROGRAM could not run.\n"
	"See seccompbpf(1), seccomp(2), prctl(2), capdrop(1).\n",
};

enum { OPT_PROFILE = 256, OPT_DENY, OPT_ALLOW, OPT_DENY_NS, OPT_ACTION, OPT_DUMP, OPT_TEST };

static const struct option longopts[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE }, { "deny", required_argument, NULL, OPT_DENY },
	{ "allow", required_argument, NULL, OPT_ALLOW },     { "deny-ns", no_argument, NULL, OPT_DENY_NS },
	{ "action", required_argument, NULL, OPT_ACTION },   { "dump", no_argument, NULL, OPT_DUMP },
	{ "test", required_argument, NULL, OPT_TEST },       CHAIN_COMMON_LONGOPTS,
};

/* What seccompbpf itself calls between installing the filter and the execve:
 * PROGRAM is found and descriptors closed before (chain_prepare); after it come
 * only the execve, its trace or error line, and exit when the exec fails. */
static const char *const handover[] = { "execve", "write", "exit_group" };

struct options {
	int profile, deny_ns, dump, once_p, once_ns, once_a, once_d, once_t;
	const char *action_arg, *test;
	uint32_t action;
	char deny[SC_NR_LIMIT], allow[SC_NR_LIMIT]; /* by number */
	int ndeny, nallow;
};

struct list_ctx {
	char *set;
	int *count;
	const char *option;
};

static int add_name(const char *name, void *ctx)
{
	struct list_ctx *c = ctx;
	int nr = sc_nr(name);
	if (nr < 0) {
		const char *near = sc_suggest(name);
		if (near)
			die("unknown syscall '%s' in %s (did you mean %s?)", name, c->option, near);
		die("unknown syscall '%s' in %s: not in this build's table, made from the kernel headers "
			    "(a syscall newer than them cannot be named)", name, c->option);
	}
	c->set[nr] = 1;
	(*c->count)++;
	return 0;
}

static void add_list(struct options *o, int allow, const char *list)
{
	const char *option = allow ? "--allow" : "--deny";
	struct list_ctx c = { allow ? o->allow : o->deny, allow ? &o->nallow : &o->ndeny, option };
	if (parse_name_list(list, add_name, &c) < 0)
		die("empty syscall name in %s '%s'", option, list);
}

static uint32_t parse_action(const char *s)
{
	static const struct { const char *name; int value; } errnos[] = {
#define ERRNO_ENTRY(name, value) { name, (value) },
		ERRNO_TABLE(ERRNO_ENTRY)
#undef ERRNO_ENTRY
	};
	unsigned long n;
	if (!strcmp(s, "errno"))
		return SC_ERRNO(EPERM);
	if (!strcmp(s, "kill"))
		return SECCOMP_RET_KILL_PROCESS;
	if (!strcmp(s, "log"))
		return SECCOMP_RET_LOG;
	if (!strcmp(s, "trap"))
		return SECCOMP_RET_TRAP;
	if (strncmp(s, "errno:", 6))
		die("invalid action '%s': expected errno, errno:NAME, kill, log or trap", s);
	s += 6;
	if (parse_uint(s, 4095, &n) == 0 && n > 0)
		return SC_ERRNO(n);
	struct suggestion near = SUGGESTION_INIT(s);
	for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++) {
		if (!strcasecmp(s, errnos[i].name))
			return SC_ERRNO(errnos[i].value);
		suggest_offer(&near, errnos[i].name);
	}
	if (suggest_best(&near))
		die("unknown errno 'errno:%s' for --action (did you mean errno:%s?)", s, suggest_best(&near));
	die("unknown errno 'errno:%s' for --action: expected a name such as EPERM, or 1 to 4095", s);
}

static void parse_args(struct options *o, int argc, char **argv)
{
	int c;
	o->action = SC_ERRNO(EPERM);
	while ((c = getopt_long(argc, argv, "+:" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PROFILE:
			chain_once(&o->once_p, "--profile");
			if (strcmp(optarg, "default"))
				die("unknown profile '%s': the one profile is 'default' (Docker's)", optarg);
			o->profile = 1;
			break;
		case OPT_DENY: add_list(o, 0, optarg); break;
		case OPT_ALLOW: add_list(o, 1, optarg); break;
		case OPT_DENY_NS: chain_once(&o->once_ns, "--deny-ns"); o->deny_ns = 1; break;
		case OPT_ACTION: chain_once(&o->once_a, "--action"); o->action = parse_action(optarg); break;
		case OPT_DUMP: chain_once(&o->once_d, "--dump"); o->dump = 1; break;
		case OPT_TEST: chain_once(&o->once_t, "--test"); o->test = optarg; break;
		default: chain_common_option(&tool, c, argv);
		}
	}
}

static void validate(struct options *o, int has_program)
{
	if (!o->profile && !o->ndeny && !o->nallow && !o->deny_ns)
		die("no rule given: add --profile default, --deny LIST, --allow LIST or --deny-ns");
	if (!o->profile && o->ndeny && o->nallow)
		die("give --allow (an allowlist: all else is refused) or --deny (a denylist), not both");
	for (int n = 0; n < SC_NR_LIMIT; n++)
		if (o->deny[n] && o->allow[n])
			die("%s is in both --allow and --deny", sc_name(n));
	if (o->dump && o->test)
		die("give --dump or --test, not both");
	if ((o->dump || o->test) && has_program)
		die("--%s installs nothing and runs nothing: leave out the program", o->dump ? "dump" : "test");
	if (o->test && sc_nr(o->test) < 0) {
		const char *near = sc_suggest(o->test);
		die("unknown syscall '%s' for --test%s%s%s", o->test, near ? " (did you mean " : "",
			    near ? near : "", near ? "?)" : "");
	}
	for (size_t i = 0; i < sizeof handover / sizeof handover[0]; i++)
		if (sc_nr(handover[i]) >= 0 && o->deny[sc_nr(handover[i])] && !o->dump && !o->test)
			die("--deny %s: seccompbpf needs it after installing the filter, to start the program",
				    handover[i]);
}

static void build(const struct options *o, struct sc_filter *f)
{
	if (o->profile)
		sc_profile_docker(f, o->action);
	else if (o->nallow)
		sc_filter_init(f, o->action, o->action, o->action);
	else
		sc_filter_init(f, SC_ALLOW, SC_ALLOW, o->action);
	for (int n = 0; n < SC_NR_LIMIT; n++) {
		if (o->allow[n])
			sc_rule_set(f, n, SC_ALLOW);
		if (o->deny[n])
			sc_rule_set(f, n, o->action);
	}
	if (o->nallow && !o->profile) {
		for (size_t i = 0; i < sizeof handover / sizeof handover[0]; i++) {
			int nr = sc_nr(handover[i]);
			if (nr < 0)
				continue; /* not a syscall of this ABI */
			if (!o->allow[nr])
				trace_comment("allowing %s too: seccompbpf makes it after the filter is in place", handover[i]);
			sc_rule_set(f, nr, SC_ALLOW);
		}
	}
	if (o->deny_ns)
		sc_deny_namespaces(f);
}

static void print_test(const struct sc_filter *f, const struct bpf_prog *p, const char *name)
{
	char a[40], b[40], vals[96] = "";
	int nr = sc_nr(name), reads = 0;
	uint32_t ret = sc_try(p, nr, &reads);
	const struct sc_rule *r = &f->rule[nr];
	if (!reads || r->test == SC_NO_TEST) {
		printf("%s (%d): %s\n", name, nr, sc_ret_str(ret, a, sizeof a));
		return;
	}
	for (int i = 0; i < r->nvalues; i++)
		snprintf(vals + strlen(vals), sizeof vals - strlen(vals), "%s%#x", i ? ", " : "", r->value[i]);
	printf("%s (%d): %s, but %s when args[%d] %s %s (%s)\n", name, nr, sc_ret_str(r->ret, a, sizeof a),
	       sc_ret_str(r->match_ret, b, sizeof b), r->arg,
	       r->test == SC_ANY_BIT ? "has any of" : r->nvalues > 1 ? "is one of" : "is", vals, r->why);
}

static void print_dump(const struct options *o, const struct bpf_prog *p, char **argv)
{
	char a[40];
	printf("# seccompbpf");
	for (int i = 1; i < optind; i++)
		if (strcmp(argv[i], "--dump") && strcmp(argv[i], "--"))
			printf(" %s", argv[i]);
	printf(": %zu instructions, longest path %d\n", p->len, bpf_longest_path(p));
	printf("# refused calls get %s; calls from another ABI: KILL_PROCESS\n", sc_ret_str(o->action, a, sizeof a));
	bpf_print(p, stdout);
}

static struct sc_filter filter;
static struct bpf_prog prog;

int main(int argc, char **argv)
{
	struct options o;
	memset(&o, 0, sizeof o);
	chain_init(&tool);
	parse_args(&o, argc, argv);
	validate(&o, optind < argc);
	build(&o, &filter);
	if (sc_compile(&filter, SC_TREE, &prog) < 0)
		die("the filter needs more than %d BPF instructions", BPF_MAXINSNS);
	if (o.dump || o.test) {
		if (o.dump)
			print_dump(&o, &prog, argv);
		else
			print_test(&filter, &prog, o.test);
		return fflush(stdout) == 0 ? 0 : EXIT_TOOL_FAILED;
	}
	struct chain_next next;
	chain_prepare(&next, NULL, argv + optind);
	trace_comment("filter: %zu BPF instructions, at most %d run per syscall", prog.len, bpf_longest_path(&prog));
	if (sc_install(&prog) < 0)
		die_call();
	chain_exec_prepared(&next);
}
