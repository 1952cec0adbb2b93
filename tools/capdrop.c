/* capdrop: fewer capabilities, maybe another user, for the rest of the chain
 * (capabilities(7)).
 *
 * Root's power is 41 capabilities, each checked on its own. A process carries five
 * sets of them: effective (what the kernel checks now), permitted (what it may make
 * effective), inheritable and ambient (what passes through execve), and bounding
 * (the most it can ever get back, even from a setuid-root program). capdrop sets
 * all five in crun's order, where each step still has what the next one needs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <linux/capability.h>

#include "caps.h"
#include "chain.h"
#include "log.h"
#include "parse.h"
#include "sys.h"
#include "users.h"

#define USAGE "capdrop [--keep LIST|default|none|all] [--drop LIST] [--ambient LIST] [--user UID[:GID]] [--groups G,...] [--no-new-privs] [--] [PROGRAM [ARGS...]]"

static const struct tool tool = {
	"capdrop", USAGE,
	"Keep only some capabilities, maybe as another user, then run PROGRAM (default /bin/sh).\n"
	"\n"
	"Capability names as the kernel and capsh spell them, in any case, with or without\n"
	"cap_ (net_bind_service, CAP_NET_BIND_SERVICE), comma-separated.\n"
	"\n"
	"Options:\n"
	"      --keep LIST         the capabilities to keep; everything else leaves all five\n"
	"                          sets. default: Docker's 14 (chown dac_override fsetid fowner\n"
	"                          mknod net_raw setgid setuid setfcap setpcap net_bind_service\n"
	"                          sys_chroot kill audit_write); none; all: all this process has.\n"
	"                          Without --keep: all this process has\n"
	"      --drop LIST         leave these out too (--keep default --drop net_raw)\n"
	"      --ambient LIST      raise these in the ambient set, so a non-root PROGRAM keeps\n"
	"                          them across execve; each must be kept\n"
	"      --user UID[:GID]    become this user (a number or a name of this root's\n"
	"                          /etc/passwd); GID defaults to the user's group there, or UID\n"
	"      --groups G,...      supplementary groups (numbers or names); default none\n"
	"      --no-new-privs      set no_new_privs: execve can add no privilege again\n"
	"                          (setuid and setgid bits, file capabilities)\n"
	"  -v, --verbose           trace every kernel call (or BOXSTEP_TRACE=1)\n"
	"  -h, --help              this help\n"
	"  -V, --version           version\n"
	"\n"
	"Kernel calls, in order (crun's; another order loses sets):\n"
	"  prctl(PR_CAPBSET_DROP, CAP_X)      each capability not kept, up to cap_last_cap\n"
	"  prctl(PR_SET_KEEPCAPS, 1)          with --user: keep permitted through setresuid\n"
	"  setgroups(), setresgid(), setresuid()   with --user\n"
	"  capset(permitted, effective, inheritable)   inheritable: the ambient ones only\n"
	"  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_X)   after setresuid, which clears it\n"
	"  prctl(PR_SET_NO_NEW_PRIVS, 1)      with --no-new-privs\n"
	"  execve(PROGRAM)\n"
	"\n"
	"Example:\n"
	"  capdrop --keep net_bind_service --ambient net_bind_service --user 1000 -- httpd -p 80\n"
	"\n"
	"Exit status: PROGRAM's own; 125 if capdrop failed; 126/127 if PROGRAM could not run.\n"
	"See capdrop(1), capabilities(7), prctl(2), capset(2), seccompbpf(1).\n",
};

enum { OPT_KEEP = 256, OPT_DROP, OPT_AMBIENT, OPT_USER, OPT_GROUPS, OPT_NNP };

static const struct option longopts[] = {
	{ "keep", required_argument, NULL, OPT_KEEP },     { "drop", required_argument, NULL, OPT_DROP },
	{ "ambient", required_argument, NULL, OPT_AMBIENT }, { "user", required_argument, NULL, OPT_USER },
	{ "groups", required_argument, NULL, OPT_GROUPS }, { "no-new-privs", no_argument, NULL, OPT_NNP },
	CHAIN_COMMON_LONGOPTS,
};

#define MAX_GROUPS 64

struct options {
	const char *keep_arg, *drop_arg, *ambient_arg, *user_arg, *groups_arg;
	int nnp, once_k, once_d, once_a, once_u, once_g, once_n;
	uint64_t keep, drop, ambient;
	uid_t uid;
	gid_t gid, groups[MAX_GROUPS];
	size_t ngroups;
	struct cap_sets now;
};

struct list_ctx {
	const char *option, *list;
	uint64_t mask, has;
	int words; /* default, none, all */
	size_t items;
};

static int add_cap(const char *name, void *ctx)
{
	struct list_ctx *c = ctx;
	int cap = cap_by_name(name);
	c->items++;
	if (!strcasecmp(name, "default")) {
		c->mask |= caps_docker_default();
	} else if (!strcasecmp(name, "all")) {
		c->mask |= c->has;
	} else if (!strcasecmp(name, "none")) {
		c->words++;
	} else if (cap < 0 || cap > cap_last_kernel()) {
		const char *near = cap_suggest(name);
		if (near)
			die("unknown capability '%s' in %s (did you mean %s?)", name, c->option, near);
		die("unknown capability '%s' in %s: capsh --print or capdrop --help lists them", name, c->option);
	} else {
		c->mask |= UINT64_C(1) << cap;
	}
	return 0;
}

static uint64_t cap_list(const char *option, const char *list, uint64_t has)
{
	struct list_ctx c = { option, list, 0, has, 0, 0 };
	if (parse_name_list(list, add_cap, &c) < 0)
		die("empty capability name in %s '%s'", option, list);
	if (c.words && c.items > 1)
		die("'none' in %s stands alone", option);
	return c.mask;
}

static void parse_args(struct options *o, int argc, char **argv)
{
	int c;
	while ((c = getopt_long(argc, argv, "+:" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_KEEP: chain_once(&o->once_k, "--keep"); o->keep_arg = optarg; break;
		case OPT_DROP: chain_once(&o->once_d, "--drop"); o->drop_arg = optarg; break;
		case OPT_AMBIENT: chain_once(&o->once_a, "--ambient"); o->ambient_arg = optarg; break;
		case OPT_USER: chain_once(&o->once_u, "--user"); o->user_arg = optarg; break;
		case OPT_GROUPS: chain_once(&o->once_g, "--groups"); o->groups_arg = optarg; break;
		case OPT_NNP: chain_once(&o->once_n, "--no-new-privs"); o->nnp = 1; break;
		default: chain_common_option(&tool, c, argv);
		}
	}
}

static int add_group(const char *name, void *ctx)
{
	struct options *o = ctx;
	if (o->ngroups == MAX_GROUPS)
		die("more than %d groups in --groups", MAX_GROUPS);
	if (users_group(name, &o->groups[o->ngroups]) < 0)
		die("unknown group '%s' in --groups: not in /etc/group of this root", name);
	o->ngroups++;
	return 0;
}

static void parse_user(struct options *o)
{
	char user[256];
	const char *colon = strchr(o->user_arg, ':');
	snprintf(user, sizeof user, "%.*s", colon ? (int)(colon - o->user_arg) : (int)strlen(o->user_arg), o->user_arg);
	int r = users_user(user, &o->uid, &o->gid);
	if (r < 0)
		die("unknown user '%s' in --user: not in /etc/passwd of this root (a number works too)", user);
	if (r == 1)
		o->gid = (gid_t)o->uid;
	if (colon && users_group(colon + 1, &o->gid) < 0)
		die("unknown group '%s' in --user: not in /etc/group of this root", colon + 1);
	if (o->groups_arg && parse_name_list(o->groups_arg, add_group, o) < 0)
		die("empty group in --groups '%s'", o->groups_arg);
}

/* Everything is checked before the first change (DESIGN.md 3). */
static void validate(struct options *o)
{
	char names[1024];
	if (caps_read(&o->now) < 0)
		die("capget: %s", strerror(errno));
	o->keep = o->keep_arg ? cap_list("--keep", o->keep_arg, o->now.bnd) : o->now.bnd;
	if (o->drop_arg)
		o->keep &= ~cap_list("--drop", o->drop_arg, o->now.bnd);
	if (o->ambient_arg)
		o->ambient = cap_list("--ambient", o->ambient_arg, o->now.bnd);
	if (o->ambient & ~o->keep) {
		caps_format_mask(o->ambient & ~o->keep, names, sizeof names);
		die("--ambient %s: not kept; an ambient capability must stay permitted and inheritable: "
			    "add it to --keep", names);
	}
	if (o->keep & ~o->now.prm) {
		caps_format_mask(o->keep & ~o->now.prm, names, sizeof names);
		die("cannot keep %s: this process does not have it (cinfo shows its sets)", names);
	}
	if ((o->now.bnd & ~o->keep) && !(o->now.eff >> CAP_SETPCAP & 1))
		die("dropping from the bounding set needs CAP_SETPCAP, which this process does not have");
	if (o->groups_arg && !o->user_arg)
		die("--groups needs --user");
	if (o->user_arg)
		parse_user(o);
}

int main(int argc, char **argv)
{
	struct options o;
	char names[1024];
	memset(&o, 0, sizeof o);
	chain_init(&tool);
	parse_args(&o, argc, argv);
	validate(&o);

	caps_describe_mask(o.keep, cap_last_kernel(), names, sizeof names);
	trace_comment("keeping %s", names);
	/* 1. The bounding set first, while CAP_SETPCAP is still effective. */
	for (int cap = 0; cap <= cap_last_kernel(); cap++)
		if ((o.now.bnd >> cap & 1) && !(o.keep >> cap & 1) && caps_bounding_drop(cap) < 0)
			die_call();
	/* 2. The user: setresuid to non-zero empties permitted and effective unless
	 * KEEPCAPS is set, and empties ambient even then. */
	if (o.user_arg) {
		if (caps_keepcaps(1) < 0 || sys_setgroups(o.ngroups, o.groups) < 0 ||
		    sys_setresgid(o.gid, o.gid, o.gid) < 0 || sys_setresuid(o.uid, o.uid, o.uid) < 0)
			die_call();
	}
	/* 3. The three sets capset(2) writes; inheritable only holds what ambient needs. */
	if (caps_capset(o.keep, o.keep, o.ambient) < 0)
		die_call();
	/* 4. Ambient: each must be permitted and inheritable by now. */
	for (int cap = 0; cap <= cap_last_kernel(); cap++)
		if ((o.ambient >> cap & 1) && caps_ambient_raise(cap) < 0)
			die_call();
	/* 5. Last: nothing after this execve may add a privilege. */
	if (o.nnp && caps_set_no_new_privs() < 0)
		die_call();
	chain_exec(argv + optind);
}
