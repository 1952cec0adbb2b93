/* ocispec: config.json to the boxstep chain. See ocispec.h. */
#include "ocispec.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "caps.h"
#include "errnos.h"
#include "json.h"
#include "log.h"
#include "procinfo.h"
#include "seccomp.h"

/* The lists of lib/rootfs.c (moby's oci/defaults.go); tests/ocirun.bats checks
 * them against what pivot mounts. */
const char *const ocispec_pivot_masked[] = {
	"/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list",
	"/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware", NULL,
};
const char *const ocispec_pivot_readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* What seccompbpf calls after its filter is in place (seccompbpf(1)): a denylist
 * holding one of them would stop it before the program starts. */
static const char *const handover[] = {
	"execve", "stat", "lstat", "newfstatat", "access", "faccessat", "faccessat2",
	"readlink", "getcwd", "close_range", "write", "exit_group",
};

static void add(struct ocispec_words *w, const char *s);
static const char *config_name = "config.json";
static struct ocispec_words *warnings;

/* A warning, printed once the whole file has mapped: a refused file gets only its
 * error line. */
__attribute__((format(printf, 1, 2))) static void note(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	add(warnings, msg);
}

/* ---- messages and words ---- */

/* (noreturn as an attribute: cppcheck 2.10 does not read _Noreturn) */
__attribute__((format(printf, 3, 4), noreturn)) static void bad(const struct json *at, const char *path,
								 const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	unsigned line = at ? (at->kline ? at->kline : at->line) : 0, col = at ? (at->kline ? at->kcol : at->col) : 0;
	if (line)
		die("%s:%u:%u: %s: %s", config_name, line, col, path, msg);
	die("%s: %s: %s", config_name, path, msg);
}

__attribute__((format(printf, 1, 2), noreturn)) static void fatal(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	die("%s", msg);
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		die("out of memory");
	return d;
}

static void add(struct ocispec_words *w, const char *s)
{
	if (w->n + 2 > w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		char **p = realloc(w->w, cap * sizeof *p);
		if (!p)
			die("out of memory");
		w->w = p;
		w->cap = cap;
	}
	w->w[w->n++] = xstrdup(s);
	w->w[w->n] = NULL;
}

__attribute__((format(printf, 2, 3))) static void addf(struct ocispec_words *w, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	add(w, buf);
}

/* ---- typed access, every refusal naming its path ---- */

static const char *sub(char *buf, size_t size, const char *path, const char *key)
{
	if (snprintf(buf, size, "%s%s%s", path, *path ? "." : "", key) >= (int)size)
		die("%s: a path too long in it: %s", config_name, path);
	return buf;
}
static const char *idx(char *buf, size_t size, const char *path, size_t i)
{
	if (snprintf(buf, size, "%s[%zu]", path, i) >= (int)size)
		die("%s: a path too long in it: %s", config_name, path);
	return buf;
}

static void need(const struct json *j, enum json_type t, const char *path)
{
	if (j->type != t)
		bad(j, path, "expected %s, found %s", json_type_name(t), json_type_name(j->type));
}

/* Every member of obj must be one of known[]: any other is a field boxstep does not
 * map, and silently leaving it out would run another container than described. */
static void known_keys(const struct json *obj, const char *path, const char *const known[])
{
	char p[512];
	need(obj, JSON_OBJECT, path);
	for (size_t i = 0; i < obj->n; i++) {
		size_t k = 0;
		while (known[k] && strcmp(known[k], obj->keys[i]))
			k++;
		if (!known[k])
			bad(obj->items[i], sub(p, sizeof p, path, obj->keys[i]), "not supported: no boxstep stage does this");
	}
}

static const char *str(const struct json *j, const char *path)
{
	need(j, JSON_STRING, path);
	return j->text;
}
static int boolean(const struct json *j, const char *path)
{
	need(j, JSON_BOOL, path);
	return j->boolean;
}
static int uint_of(const struct json *j, const char *path, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	need(j, JSON_NUMBER, path);
	for (size_t i = 0; i < j->len; i++) {
		unsigned d = (unsigned)(j->text[i] - '0');
		if (j->text[i] < '0' || j->text[i] > '9' || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}
static uint64_t num(const struct json *j, const char *path, uint64_t max)
{
	uint64_t v;
	if (uint_of(j, path, max, &v) < 0)
		bad(j, path, "expected a whole number from 0 to %llu, found %s", (unsigned long long)max, j->text);
	return v;
}
/* A signed number: the -1 of "unlimited" in resources. */
static int64_t snum(const struct json *j, const char *path)
{
	uint64_t v;
	need(j, JSON_NUMBER, path);
	if (j->text[0] == '-') {
		struct json pos = *j;
		pos.text++, pos.len--;
		if (uint_of(&pos, path, (uint64_t)INT64_MAX, &v) < 0)
			bad(j, path, "expected a whole number, found %s", j->text);
		return -(int64_t)v;
	}
	if (uint_of(j, path, (uint64_t)INT64_MAX, &v) < 0)
		bad(j, path, "expected a whole number, found %s", j->text);
	return (int64_t)v;
}
static const struct json *array(const struct json *j, const char *path)
{
	need(j, JSON_ARRAY, path);
	return j;
}

/* A path inside the container: absolute, and no ':' or ',' (pivot's option syntax). */
static const char *inside_path(const struct json *j, const char *path)
{
	const char *s = str(j, path);
	if (s[0] != '/')
		bad(j, path, "'%s': expected an absolute path inside the container", s);
	if (strpbrk(s, ":,"))
		bad(j, path, "'%s': a ':' or ',' would cut pivot's option in two", s);
	return s;
}

static int in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

/* ---- the parts ---- */

struct state {
	struct ocispec_chain *c;
	const char *bundle;
	int ns_new[8], ns_joined[8];
	int sysfs_rw, has_sysfs;
	char *root; /* root.path, absolute: pivot's operand */
	int nnp, caps_given;
	uint64_t bounding;
};

static const struct {
	const char *oci, *option;
} ns_names[8] = {
	{ "mount", "mount" }, { "uts", "uts" }, { "ipc", "ipc" }, { "pid", "pid" },
	{ "network", "net" }, { "user", "user" }, { "cgroup", "cgroup" }, { "time", "time" },
};
enum { NS_MOUNT, NS_UTS, NS_IPC, NS_PID, NS_NET, NS_USER, NS_CGROUP, NS_TIME };

static void caps_of(const struct json *j, const char *path, uint64_t *mask)
{
	char p[512];
	*mask = 0;
	if (!j)
		return;
	array(j, path);
	for (size_t i = 0; i < j->n; i++) {
		const char *name = str(j->items[i], idx(p, sizeof p, path, i));
		int cap = cap_by_name(name);
		if (cap < 0 || strncasecmp(name, "CAP_", 4))
			bad(j->items[i], p, "unknown capability '%s' (expected CAP_NAME, as CAP_KILL)", name);
		*mask |= 1ULL << cap;
	}
}

static void mask_names(uint64_t mask, char *buf, size_t size)
{
	if (!mask)
		snprintf(buf, size, "none");
	else
		caps_format_mask(mask, buf, size);
}

/* capdrop keeps one set in bounding, permitted and effective, and makes the
 * inheritable set its ambient one. The kernel raises an ambient capability only
 * when it is permitted and inheritable; runc tries the others and fails quietly. */
static void capabilities(struct state *s, const struct json *caps, struct ocispec_words *w)
{
	static const char *const known[] = { "bounding", "effective", "permitted", "inheritable", "ambient", NULL };
	const char *base = "process.capabilities";
	char p[512], a[1024];
	uint64_t bnd, eff, prm, inh, amb;
	known_keys(caps, base, known);
	caps_of(json_get(caps, "bounding"), sub(p, sizeof p, base, "bounding"), &bnd);
	caps_of(json_get(caps, "effective"), sub(p, sizeof p, base, "effective"), &eff);
	caps_of(json_get(caps, "permitted"), sub(p, sizeof p, base, "permitted"), &prm);
	caps_of(json_get(caps, "inheritable"), sub(p, sizeof p, base, "inheritable"), &inh);
	caps_of(json_get(caps, "ambient"), sub(p, sizeof p, base, "ambient"), &amb);
	if (prm != bnd || eff != bnd) {
		const char *which = prm != bnd ? "permitted" : "effective";
		const struct json *at = json_get(caps, which);
		bad(at ? at : caps, sub(p, sizeof p, base, which),
		    "differs from bounding: capdrop keeps one set of capabilities in bounding, permitted and effective");
	}
	uint64_t raised = amb & inh & prm;
	if (amb & ~raised) {
		mask_names(amb & ~raised, a, sizeof a);
		note("%s.ambient: %s not in inheritable and permitted: the kernel raises none of these (runc tries and fails quietly)",
		     base, a);
	}
	if (inh != raised)
		bad(json_get(caps, "inheritable"), sub(p, sizeof p, base, "inheritable"),
		    "capdrop's inheritable set is its ambient one: give the same capabilities in both");
	s->caps_given = 1;
	s->bounding = bnd;
	mask_names(bnd, a, sizeof a);
	add(w, "--keep");
	add(w, a);
	if (raised) {
		mask_names(raised, a, sizeof a);
		add(w, "--ambient");
		add(w, a);
	}
}

static const struct {
	const char *type, *option;
} rlimit_names[] = {
	{ "RLIMIT_NOFILE", "nofile" }, { "RLIMIT_NPROC", "nproc" },	{ "RLIMIT_CORE", "core" },
	{ "RLIMIT_AS", "as" },	       { "RLIMIT_CPU", "cpu" },		{ "RLIMIT_DATA", "data" },
	{ "RLIMIT_FSIZE", "fsize" },   { "RLIMIT_LOCKS", "locks" },	{ "RLIMIT_MEMLOCK", "memlock" },
	{ "RLIMIT_MSGQUEUE", "msgqueue" }, { "RLIMIT_NICE", "nice" },	{ "RLIMIT_RSS", "rss" },
	{ "RLIMIT_RTPRIO", "rtprio" }, { "RLIMIT_RTTIME", "rttime" },	{ "RLIMIT_SIGPENDING", "sigpending" },
	{ "RLIMIT_STACK", "stack" },
};
#define NRLIMITS (sizeof rlimit_names / sizeof rlimit_names[0])

static void rlimit_value(char *buf, size_t size, uint64_t v)
{
	if (v == UINT64_MAX)
		snprintf(buf, size, "unlimited");
	else
		snprintf(buf, size, "%llu", (unsigned long long)v);
}

static void rlimits(const struct json *list, struct ocispec_words *w)
{
	static const char *const known[] = { "type", "soft", "hard", NULL };
	char p[512], q[512], soft[32], hard[32];
	int seen[NRLIMITS] = { 0 };
	array(list, "process.rlimits");
	for (size_t i = 0; i < list->n; i++) {
		const struct json *r = list->items[i];
		idx(p, sizeof p, "process.rlimits", i);
		known_keys(r, p, known);
		const struct json *type = json_get(r, "type"), *s = json_get(r, "soft"), *h = json_get(r, "hard");
		if (!type || !s || !h)
			bad(r, p, "needs type, soft and hard");
		const char *t = str(type, sub(q, sizeof q, p, "type"));
		size_t k = 0;
		while (k < NRLIMITS && strcmp(rlimit_names[k].type, t))
			k++;
		if (k == NRLIMITS)
			bad(type, q, "unknown limit '%s' (RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_CORE, ...)", t);
		if (seen[k]++)
			bad(type, q, "%s given twice", t);
		uint64_t sv = num(s, sub(q, sizeof q, p, "soft"), UINT64_MAX), hv = num(h, sub(q, sizeof q, p, "hard"), UINT64_MAX);
		if (sv > hv)
			bad(s, sub(q, sizeof q, p, "soft"), "above the hard limit");
		rlimit_value(soft, sizeof soft, sv);
		rlimit_value(hard, sizeof hard, hv);
		addf(w, "--%s", rlimit_names[k].option);
		addf(w, "%s:%s", soft, hard);
	}
}

static void user(const struct json *u, struct ocispec_words *w)
{
	static const char *const known[] = { "uid", "gid", "additionalGids", NULL };
	const struct json *uid = json_get(u, "uid"), *gid = json_get(u, "gid"), *groups;
	char p[512], list[4096] = "";
	known_keys(u, "process.user", known);
	if (!uid || !gid)
		bad(u, "process.user", "needs uid and gid");
	addf(w, "--user");
	addf(w, "%llu:%llu", (unsigned long long)num(uid, "process.user.uid", 0xfffffffeU),
	     (unsigned long long)num(gid, "process.user.gid", 0xfffffffeU));
	if ((groups = json_get(u, "additionalGids")) && array(groups, "process.user.additionalGids")->n) {
		for (size_t i = 0; i < groups->n; i++) {
			size_t len = strlen(list);
			snprintf(list + len, sizeof list - len, "%s%llu", i ? "," : "",
				 (unsigned long long)num(groups->items[i], idx(p, sizeof p, "process.user.additionalGids", i),
							 0xfffffffeU));
		}
		add(w, "--groups");
		add(w, list);
	}
}

static void process(struct state *s, const struct json *proc)
{
	static const char *const known[] = { "terminal", "cwd", "env", "args", "rlimits", "capabilities",
					     "noNewPrivileges", "user", NULL };
	struct ocispec_chain *c = s->c;
	const struct json *j;
	char p[512];
	if (!proc)
		bad(NULL, "process", "missing: the container needs a program to run");
	known_keys(proc, "process", known);
	if ((j = json_get(proc, "terminal")) && boolean(j, "process.terminal"))
		note("process.terminal: true: no new pseudo-terminal; the program gets ocirun's own terminal, stdin and stdout");
	if (!(j = json_get(proc, "args")) || !array(j, "process.args")->n)
		bad(j ? j : proc, "process.args", "missing or empty: the program to run");
	for (size_t i = 0; i < j->n; i++)
		add(&c->stage[OCI_PROGRAM], str(j->items[i], idx(p, sizeof p, "process.args", i)));
	if ((j = json_get(proc, "env")))
		for (size_t i = 0; i < array(j, "process.env")->n; i++) {
			const char *e = str(j->items[i], idx(p, sizeof p, "process.env", i));
			if (!strchr(e, '=') || e[0] == '=')
				bad(j->items[i], p, "'%s': expected KEY=VALUE", e);
			add(&c->env, e);
		}
	if (!(j = json_get(proc, "cwd")))
		bad(proc, "process.cwd", "missing: the working directory (\"/\")");
	const char *cwd = inside_path(j, "process.cwd");
	if (strcmp(cwd, "/")) {
		add(&c->stage[OCI_PIVOT], "--chdir");
		add(&c->stage[OCI_PIVOT], cwd);
	}
	if ((j = json_get(proc, "rlimits")) && array(j, "process.rlimits")->n) {
		rlimits(j, &c->stage[OCI_RLIMITS]);
	}
	struct ocispec_words *cap = &c->stage[OCI_CAPDROP];
	if ((j = json_get(proc, "capabilities")))
		capabilities(s, j, cap);
	else
		trace_comment("no process.capabilities: the program keeps every capability (capdrop without --keep)");
	if (!(j = json_get(proc, "user")))
		bad(proc, "process.user", "missing: the uid and gid to run as");
	user(j, cap);
	if ((j = json_get(proc, "noNewPrivileges")) && boolean(j, "process.noNewPrivileges")) {
		add(cap, "--no-new-privs");
		s->nnp = 1;
	}
}

static void root(struct state *s, const struct json *r)
{
	static const char *const known[] = { "path", "readonly", NULL };
	const struct json *j;
	char path[PATH_MAX], real[PATH_MAX];
	struct stat st;
	if (!r)
		bad(NULL, "root", "missing: the container's root directory");
	known_keys(r, "root", known);
	if (!(j = json_get(r, "path")))
		bad(r, "root.path", "missing");
	const char *rp = str(j, "root.path");
	snprintf(path, sizeof path, "%s%s%s", rp[0] == '/' ? "" : s->bundle, rp[0] == '/' ? "" : "/", rp);
	if (!realpath(path, real))
		bad(j, "root.path", "%s: %s", path, strerror(errno));
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
		bad(j, "root.path", "%s: not a directory", path);
	if ((j = json_get(r, "readonly")) && boolean(j, "root.readonly"))
		add(&s->c->stage[OCI_PIVOT], "--readonly");
	s->root = xstrdup(real);
}

/* ---- mounts ---- */

/* The mounts pivot makes itself in every root (pivot(1)), and the options a
 * config.json may give them: none loosens what pivot does (dev, suid, exec). */
static const struct {
	const char *dst, *type;
} own_mounts[] = {
	{ "/proc", "proc" },	    { "/dev", "tmpfs" },	  { "/dev/pts", "devpts" },
	{ "/dev/shm", "tmpfs" }, { "/dev/mqueue", "mqueue" }, { "/sys", "sysfs" },
};
#define NOWN (sizeof own_mounts / sizeof own_mounts[0])

static int option_is(const char *o, const char *const list[])
{
	for (size_t i = 0; list[i]; i++) {
		size_t n = strlen(list[i]);
		if (list[i][n - 1] == '=' ? !strncmp(o, list[i], n) : !strcmp(o, list[i]))
			return 1;
	}
	return 0;
}

static void mount_one(struct state *s, const struct json *m, const char *p, int seen_own[])
{
	static const char *const known[] = { "destination", "type", "source", "options", NULL };
	static const char *const own_opts[] = { "nosuid", "nodev", "noexec", "rw", "relatime", "strictatime",
						"noatime", "newinstance", "ptmxmode=", "mode=", "gid=", "uid=",
						"size=", NULL };
	static const char *const tmpfs_opts[] = { "nosuid", "nodev", "rw", "relatime", "strictatime", "noatime",
						  "mode=1777", "size=", NULL };
	static const char *const bind_opts[] = { "bind", "rbind", "ro", "rw", "nosuid", "nodev", "private",
						 "rprivate", "relatime", NULL };
	struct ocispec_words *pv = &s->c->stage[OCI_PIVOT];
	const struct json *j, *opts;
	char q[512];
	known_keys(m, p, known);
	if (!(j = json_get(m, "destination")))
		bad(m, p, "needs a destination");
	const char *dst = inside_path(j, sub(q, sizeof q, p, "destination"));
	const char *type = (j = json_get(m, "type")) ? str(j, sub(q, sizeof q, p, "type")) : "";
	const char *src = (j = json_get(m, "source")) ? str(j, sub(q, sizeof q, p, "source")) : "";
	int bind = !strcmp(type, "bind"), ro = 0, rbind = 0;
	const char *size = NULL;
	opts = json_get(m, "options");
	for (size_t i = 0; opts && i < array(opts, sub(q, sizeof q, p, "options"))->n; i++) {
		char oq[512];
		sub(oq, sizeof oq, p, "options");
		const char *o = str(opts->items[i], idx(q, sizeof q, oq, i));
		bind |= !strcmp(o, "bind") || !strcmp(o, "rbind");
		rbind |= !strcmp(o, "rbind");
	}
	if (!strcmp(type, "cgroup") && !strcmp(dst, "/sys/fs/cgroup")) {
		note("%s: pivot mounts the cgroup file system there itself, read-only, when the container has a cgroup namespace", p);
		return;
	}
	size_t k = 0;
	while (k < NOWN && (strcmp(own_mounts[k].dst, dst) || strcmp(own_mounts[k].type, type)))
		k++;
	const char *const *allowed = k < NOWN ? own_opts : bind ? bind_opts : !strcmp(type, "tmpfs") ? tmpfs_opts : NULL;
	if (!allowed)
		bad(json_get(m, "type") ? json_get(m, "type") : m, sub(q, sizeof q, p, "type"),
		    "'%s' on %s: pivot mounts proc, sysfs, devpts, mqueue and tmpfs at their usual places, "
		    "and tmpfs and bind volumes anywhere", type, dst);
	for (size_t i = 0; opts && i < opts->n; i++) {
		const char *o = opts->items[i]->text;
		char oq[512];
		sub(oq, sizeof oq, p, "options");
		idx(q, sizeof q, oq, i);
		if (k < NOWN && !strcmp(own_mounts[k].type, "sysfs") && !strcmp(o, "ro"))
			ro = 1;
		else if (!option_is(o, allowed))
			bad(opts->items[i], q, "'%s': not an option pivot gives %s", o,
			    k < NOWN ? "its own mounts" : bind ? "--bind (nosuid,nodev, ro)" : "--tmpfs (nosuid,nodev,mode=1777, size)");
		ro |= !strcmp(o, "ro");
		if (!strncmp(o, "size=", 5))
			size = o + 5;
	}
	if (k < NOWN) {
		if (seen_own[k]++)
			bad(m, p, "a second %s mount on %s", type, dst);
		if (!strcmp(type, "sysfs")) {
			s->has_sysfs = 1;
			s->sysfs_rw = !ro;
		}
		trace_comment("%s: %s on %s: pivot mounts its own (nosuid, nodev, noexec)", p, type, dst);
		return;
	}
	if (!bind) {
		add(pv, "--tmpfs");
		addf(pv, "%s%s%s", dst, size ? ":" : "", size ? size : "");
		return;
	}
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof path, "%s%s%s", src[0] == '/' ? "" : s->bundle, src[0] == '/' ? "" : "/", src);
	if (!*src || strpbrk(src, ":,") || stat(path, &st) < 0)
		bad(json_get(m, "source") ? json_get(m, "source") : m, sub(q, sizeof q, p, "source"),
		    "'%s': %s", src, !*src ? "a bind mount needs a source" : strpbrk(src, ":,") ? "a ':' or ',' would cut pivot's --bind in two" : strerror(errno));
	if (!rbind)
		trace_comment("%s: bind: pivot binds recursively (rbind): mounts below %s come along", p, src);
	add(pv, "--bind");
	addf(pv, "%s:%s%s", path, dst, ro ? ":ro" : "");
}

static void mounts(struct state *s, const struct json *list)
{
	int seen_own[NOWN] = { 0 };
	char p[512];
	if (!list) {
		note("mounts: none given: pivot mounts /proc, /dev and /sys all the same");
		return;
	}
	array(list, "mounts");
	for (size_t i = 0; i < list->n; i++)
		mount_one(s, list->items[i], idx(p, sizeof p, "mounts", i), seen_own);
	for (size_t k = 0; k < NOWN; k++)
		if (!seen_own[k])
			note("mounts: no %s on %s: pivot mounts one all the same", own_mounts[k].type, own_mounts[k].dst);
}

/* maskedPaths and readonlyPaths: pivot masks Docker's lists; a config may ask for
 * those or fewer (the container then sees less than asked: a warning), not others. */
static void path_list(const struct json *list, const char *path, const char *const pivot[], const char *what)
{
	char p[512], extra[1024] = "";
	int asked[32] = { 0 };
	if (list) {
		array(list, path);
		for (size_t i = 0; i < list->n; i++) {
			const char *v = str(list->items[i], idx(p, sizeof p, path, i));
			size_t k = 0;
			while (pivot[k] && strcmp(pivot[k], v))
				k++;
			if (!pivot[k])
				bad(list->items[i], p, "'%s': pivot %s Docker's list only, which does not hold it", v, what);
			asked[k] = 1;
		}
	}
	for (size_t k = 0; pivot[k]; k++)
		if (!asked[k]) {
			size_t n = strlen(extra);
			snprintf(extra + n, sizeof extra - n, "%s%s", n ? " " : "", pivot[k]);
		}
	if (*extra)
		note("%s: pivot %s %s too (Docker's list: the container sees less, not more)", path, what, extra);
}

/* ---- linux ---- */

static void namespaces(struct state *s, const struct json *list)
{
	static const char *const known[] = { "type", "path", NULL };
	char p[512], q[512];
	if (!list)
		bad(NULL, "linux.namespaces", "missing: pivot needs at least a new mount namespace");
	array(list, "linux.namespaces");
	for (size_t i = 0; i < list->n; i++) {
		const struct json *n = list->items[i], *t, *path;
		idx(p, sizeof p, "linux.namespaces", i);
		known_keys(n, p, known);
		if (!(t = json_get(n, "type")))
			bad(n, p, "needs a type");
		const char *type = str(t, sub(q, sizeof q, p, "type"));
		size_t k = 0;
		while (k < 8 && strcmp(ns_names[k].oci, type))
			k++;
		if (k == 8)
			bad(t, q, "unknown namespace type '%s' (pid, network, mount, ipc, uts, user, cgroup, time)", type);
		if (s->ns_new[k] || s->ns_joined[k])
			bad(t, q, "'%s' given twice", type);
		if ((path = json_get(n, "path"))) {
			const char *file = str(path, sub(q, sizeof q, p, "path"));
			if (k == NS_MOUNT)
				bad(path, q, "joining a mount namespace: pivot would change the root of every process in it");
			struct stat st;
			if (stat(file, &st) < 0)
				bad(path, q, "%s: %s", file, strerror(errno));
			addf(&s->c->stage[OCI_NSJOIN], "--%s=%s", ns_names[k].option, file);
			s->ns_joined[k] = 1;
		} else {
			addf(&s->c->stage[OCI_MKNS], "--%s", ns_names[k].option);
			s->ns_new[k] = 1;
		}
	}
	if (!s->ns_new[NS_MOUNT])
		bad(list, "linux.namespaces", "no new mount namespace: pivot mounts the container's root in one");
}

static void id_maps(struct state *s, const struct json *list, const char *path, const char *option)
{
	static const char *const known[] = { "containerID", "hostID", "size", NULL };
	char p[512], q[512];
	if (!list)
		return;
	if (!s->ns_new[NS_USER])
		bad(list, path, "needs a new user namespace in linux.namespaces");
	array(list, path);
	for (size_t i = 0; i < list->n; i++) {
		const struct json *m = list->items[i], *c, *h, *n;
		idx(p, sizeof p, path, i);
		known_keys(m, p, known);
		if (!(c = json_get(m, "containerID")) || !(h = json_get(m, "hostID")) || !(n = json_get(m, "size")))
			bad(m, p, "needs containerID, hostID and size");
		uint64_t cv = num(c, sub(q, sizeof q, p, "containerID"), 0xffffffffU);
		uint64_t hv = num(h, sub(q, sizeof q, p, "hostID"), 0xffffffffU);
		uint64_t nv = num(n, sub(q, sizeof q, p, "size"), 0xffffffffU);
		add(&s->c->stage[OCI_MKNS], option);
		addf(&s->c->stage[OCI_MKNS], "%llu:%llu:%llu", (unsigned long long)cv, (unsigned long long)hv,
		     (unsigned long long)nv);
	}
}

static void time_offsets(struct state *s, const struct json *t)
{
	static const char *const known[] = { "monotonic", "boottime", NULL };
	static const char *const known_off[] = { "secs", "nanosecs", NULL };
	char p[512], q[512];
	known_keys(t, "linux.timeOffsets", known);
	if (!s->ns_new[NS_TIME])
		bad(t, "linux.timeOffsets", "needs a new time namespace in linux.namespaces");
	for (size_t i = 0; i < t->n; i++) {
		const struct json *o = t->items[i], *j;
		sub(p, sizeof p, "linux.timeOffsets", t->keys[i]);
		known_keys(o, p, known_off);
		if ((j = json_get(o, "nanosecs")) && num(j, sub(q, sizeof q, p, "nanosecs"), 999999999))
			bad(j, q, "mkns sets whole seconds only");
		addf(&s->c->stage[OCI_MKNS], "--%s", t->keys[i]);
		addf(&s->c->stage[OCI_MKNS], "%lld", (j = json_get(o, "secs")) ? (long long)snum(j, sub(q, sizeof q, p, "secs")) : 0LL);
	}
}

/* linux.cgroupsPath: "/a/b/NAME" below the hierarchies' roots, or "NAME" below
 * the caller's own cgroup (runc's cgroupfs driver, relative paths). */
static void cgroups_path(struct state *s, const struct json *j)
{
	const char *cp = str(j, "linux.cgroupsPath");
	struct ocispec_words *w = &s->c->stage[OCI_CGSET];
	const char *slash = strrchr(cp, '/');
	if (!*cp || strchr(cp, ':') || strstr(cp, ".."))
		bad(j, "linux.cgroupsPath", "'%s': expected /PARENT/NAME or NAME (no systemd slice:prefix:name, no '..')", cp);
	if (cp[0] != '/' && slash)
		bad(j, "linux.cgroupsPath", "'%s': a relative path is one name (below ocirun's own cgroup: cgset --parent self)", cp);
	add(w, "--parent");
	if (!slash)
		add(w, "self");
	else if (slash == cp)
		add(w, "/");
	else
		addf(w, "%.*s", (int)(slash - cp), cp);
	add(w, "--name");
	add(w, slash ? slash + 1 : cp);
}

static void resources(struct state *s, const struct json *r)
{
	static const char *const known[] = { "devices", "memory", "cpu", "pids", NULL };
	static const char *const known_mem[] = { "limit", "swap", NULL };
	static const char *const known_cpu[] = { "shares", "quota", "period", "cpus", NULL };
	static const char *const known_pids[] = { "limit", NULL };
	struct ocispec_words *w = &s->c->stage[OCI_CGSET];
	const struct json *j, *m;
	known_keys(r, "linux.resources", known);
	if (json_get(r, "devices"))
		note("linux.resources.devices: boxstep has no device cgroup; the chain's mounts are nodev, so no device node made inside opens");
	if ((m = json_get(r, "memory"))) {
		int64_t limit = -1, swap;
		known_keys(m, "linux.resources.memory", known_mem);
		if ((j = json_get(m, "limit")) && (limit = snum(j, "linux.resources.memory.limit")) >= 0) {
			add(w, "--memory");
			addf(w, "%lld", (long long)limit);
		}
		if ((j = json_get(m, "swap")) && (swap = snum(j, "linux.resources.memory.swap")) != 0) {
			if (swap > 0 && (limit < 0 || swap < limit))
				bad(j, "linux.resources.memory.swap", "memory and swap together: needs a limit no greater than it");
			add(w, "--swap");
			if (swap < 0)
				add(w, "max");
			else
				addf(w, "%lld", (long long)(swap - limit));
		}
	}
	if ((m = json_get(r, "cpu"))) {
		known_keys(m, "linux.resources.cpu", known_cpu);
		if ((j = json_get(m, "shares"))) {
			uint64_t sh = num(j, "linux.resources.cpu.shares", 262144);
			if (sh < 2)
				bad(j, "linux.resources.cpu.shares", "expected 2 to 262144");
			uint64_t weight = 1 + (sh - 2) * 9999 / 262142; /* runc's conversion to cpu.weight */
			add(w, "--cpu-weight");
			addf(w, "%llu", (unsigned long long)weight);
			if (2 + (weight - 1) * 262142 / 9999 != sh)
				note("linux.resources.cpu.shares %llu: cgset --cpu-weight %llu, which is cpu.shares %llu on cgroup v1",
				     (unsigned long long)sh, (unsigned long long)weight,
				     (unsigned long long)(2 + (weight - 1) * 262142 / 9999));
		}
		int64_t quota = (j = json_get(m, "quota")) ? snum(j, "linux.resources.cpu.quota") : -1;
		uint64_t period = (j = json_get(m, "period")) ? num(j, "linux.resources.cpu.period", 1000000) : 100000;
		if (period < 1000)
			bad(j, "linux.resources.cpu.period", "expected 1000 to 1000000 microseconds");
		if (quota > 0) {
			uint64_t micro = (uint64_t)quota * 1000000 / period;
			char frac[16];
			snprintf(frac, sizeof frac, "%06llu", (unsigned long long)(micro % 1000000));
			for (size_t n = strlen(frac); n > 1 && frac[n - 1] == '0'; n--)
				frac[n - 1] = '\0';
			add(w, "--cpus");
			addf(w, "%llu.%s", (unsigned long long)(micro / 1000000), frac);
			if (period != 100000)
				trace_comment("linux.resources.cpu: quota %lld every %llu us: cgset gives the same share every 100000 us",
					      (long long)quota, (unsigned long long)period);
		}
		if ((j = json_get(m, "cpus"))) {
			add(w, "--cpuset");
			add(w, str(j, "linux.resources.cpu.cpus"));
		}
	}
	if ((m = json_get(r, "pids"))) {
		known_keys(m, "linux.resources.pids", known_pids);
		if ((j = json_get(m, "limit"))) {
			int64_t n = snum(j, "linux.resources.pids.limit");
			add(w, "--pids");
			if (n > 0)
				addf(w, "%lld", (long long)n);
			else
				add(w, "max");
		}
	}
}

/* ---- seccomp ---- */

static const char *errno_by_number(uint64_t n)
{
#define ERRNO_ROW(name, value) if (n == (value)) return name;
	ERRNO_TABLE(ERRNO_ROW)
#undef ERRNO_ROW
	return NULL;
}

/* A libseccomp action as seccompbpf's --action: "allow", "errno:EPERM", "kill",
 * "trap", "log". */
static void action(const struct json *a, const char *path, const struct json *ret, const char *retpath,
		   char *out, size_t size)
{
	const char *name = str(a, path);
	if (!strcmp(name, "SCMP_ACT_ALLOW"))
		snprintf(out, size, "allow");
	else if (!strcmp(name, "SCMP_ACT_ERRNO")) {
		uint64_t e = ret ? num(ret, retpath, 4095) : EPERM;
		const char *en = errno_by_number(e);
		if (en)
			snprintf(out, size, "errno:%s", en);
		else
			snprintf(out, size, "errno:%llu", (unsigned long long)e);
	} else if (!strcmp(name, "SCMP_ACT_KILL_PROCESS"))
		snprintf(out, size, "kill");
	else if (!strcmp(name, "SCMP_ACT_KILL") || !strcmp(name, "SCMP_ACT_KILL_THREAD")) {
		note("%s: %s: seccompbpf kills the whole process, not only the thread", path, name);
		snprintf(out, size, "kill");
	} else if (!strcmp(name, "SCMP_ACT_TRAP"))
		snprintf(out, size, "trap");
	else if (!strcmp(name, "SCMP_ACT_LOG"))
		snprintf(out, size, "log");
	else
		bad(a, path, "'%s': seccompbpf's actions are SCMP_ACT_ALLOW, ERRNO, KILL_PROCESS, TRAP and LOG", name);
	if (ret && strcmp(name, "SCMP_ACT_ERRNO"))
		bad(ret, retpath, "only SCMP_ACT_ERRNO returns an errno");
}

static void append_name(char *list, size_t size, const char *name)
{
	size_t n = strlen(list);
	if (snprintf(list + n, size - n, "%s%s", n ? "," : "", name) >= (int)(size - n))
		die("%s: too many syscall names", config_name);
}

/* ---- Docker's profile as linux.seccomp ---- */

static void jw_action(struct json_writer *w, uint32_t ret)
{
	const char *name = "SCMP_ACT_ALLOW";
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW: break;
	case SECCOMP_RET_ERRNO: name = "SCMP_ACT_ERRNO"; break;
	case SECCOMP_RET_KILL_PROCESS: name = "SCMP_ACT_KILL_PROCESS"; break;
	case SECCOMP_RET_TRAP: name = "SCMP_ACT_TRAP"; break;
	case SECCOMP_RET_LOG: name = "SCMP_ACT_LOG"; break;
	default: fatal("seccomp: answer %#x has no libseccomp action", ret);
	}
	jw_key(w, "action");
	jw_string(w, name);
	if ((ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO && (ret & SECCOMP_RET_DATA) != EPERM) {
		jw_key(w, "errnoRet");
		jw_uint(w, ret & SECCOMP_RET_DATA);
	}
}

/* One rule: nr gets ret when its argument arg compares with op to value. */
static void jw_rule(struct json_writer *w, int nr, uint32_t ret, int arg, const char *op, uint32_t value)
{
	jw_object(w);
	jw_key(w, "names");
	jw_array(w);
	jw_string(w, sc_name(nr));
	jw_end(w);
	jw_action(w, ret);
	if (op) {
		jw_key(w, "args");
		jw_array(w);
		jw_object(w);
		jw_key(w, "index");
		jw_uint(w, (uint64_t)arg);
		jw_key(w, "value");
		jw_uint(w, value);
		jw_key(w, "valueTwo");
		jw_uint(w, 0);
		jw_key(w, "op");
		jw_string(w, op);
		jw_end(w);
		jw_end(w);
	}
	jw_end(w);
}

char *ocispec_docker_seccomp(void)
{
	static struct sc_filter f;
	struct json_writer w;
	char arch[64];
	const uint32_t refused = SC_ERRNO(EPERM);
	sc_profile_docker(&f, refused);
	snprintf(arch, sizeof arch, "SCMP_ARCH_%s", sc_arch_name() + strlen("AUDIT_ARCH_"));
	json_writer_init(&w);
	jw_object(&w);
	jw_key(&w, "defaultAction");
	jw_string(&w, "SCMP_ACT_ERRNO");
	jw_key(&w, "architectures");
	jw_array(&w);
	jw_string(&w, arch);
	jw_end(&w);
	jw_key(&w, "syscalls");
	jw_array(&w);
	/* the plain allowlist in one rule, then each other answer and each argument test */
	jw_object(&w);
	jw_key(&w, "names");
	jw_array(&w);
	for (int nr = 0; nr <= sc_highest(); nr++)
		if (sc_name(nr) && f.rule[nr].test == SC_NO_TEST && f.rule[nr].ret == SC_ALLOW)
			jw_string(&w, sc_name(nr));
	jw_end(&w);
	jw_action(&w, SC_ALLOW);
	jw_end(&w);
	for (int nr = 0; nr <= sc_highest(); nr++) {
		const struct sc_rule *r = &f.rule[nr];
		if (!sc_name(nr) || (r->test == SC_NO_TEST && (r->ret == SC_ALLOW || r->ret == refused)))
			continue;
		if (r->test == SC_NO_TEST)
			jw_rule(&w, nr, r->ret, 0, NULL, 0);
		else if (r->test == SC_ANY_BIT && r->ret == SC_ALLOW && r->match_ret == refused)
			jw_rule(&w, nr, SC_ALLOW, r->arg, "SCMP_CMP_MASKED_EQ", r->value[0]); /* allowed when none is set */
		else if (r->test == SC_ONE_OF && r->ret == refused && r->match_ret == SC_ALLOW)
			for (int i = 0; i < r->nvalues; i++)
				jw_rule(&w, nr, SC_ALLOW, r->arg, "SCMP_CMP_EQ", r->value[i]);
		else if (r->test == SC_ONE_OF && r->ret == SC_ALLOW && r->match_ret == refused && r->nvalues == 1)
			jw_rule(&w, nr, SC_ALLOW, r->arg, "SCMP_CMP_NE", r->value[0]);
		else
			fatal("seccomp: the rule for %s has no libseccomp form", sc_name(nr));
	}
	jw_end(&w);
	jw_end(&w);
	size_t len;
	char *text = json_writer_end(&w, &len);
	if (!text)
		fatal("seccomp: the JSON writer was misused");
	return text;
}

/* seccompbpf answers one way to every call it refuses: with defaultAction ALLOW the
 * rules become --deny, otherwise the ALLOW rules become --allow. */
static void seccomp(struct state *s, const struct json *sc)
{
	static const char *const known[] = { "defaultAction", "defaultErrnoRet", "architectures", "flags", "syscalls", NULL };
	static const char *const known_rule[] = { "names", "action", "errnoRet", "args", NULL };
	static char list[65536];
	struct ocispec_words *w = &s->c->stage[OCI_SECCOMP];
	const struct json *j;
	char p[512], q[512], dflt[32], act[32], refused[32] = "", arch[64], others[256] = "";
	known_keys(sc, "linux.seccomp", known);
	/* Docker's profile, as ocirun --print-seccomp writes it: seccompbpf's own. */
	struct json_writer jw;
	json_writer_init(&jw);
	jw_value(&jw, sc);
	size_t glen;
	char *given = json_writer_end(&jw, &glen), *docker = ocispec_docker_seccomp();
	int same = given && !strcmp(given, docker);
	free(given);
	free(docker);
	if (same) {
		add(w, "--profile");
		add(w, "default");
		trace_comment("linux.seccomp: Docker's default profile, as seccompbpf --profile default builds it");
		return;
	}
	if (!(j = json_get(sc, "defaultAction")))
		bad(sc, "linux.seccomp.defaultAction", "missing");
	action(j, "linux.seccomp.defaultAction", json_get(sc, "defaultErrnoRet"), "linux.seccomp.defaultErrnoRet",
	       dflt, sizeof dflt);
	if ((j = json_get(sc, "flags")) && array(j, "linux.seccomp.flags")->n)
		bad(j->items[0], "linux.seccomp.flags[0]", "seccompbpf sets no filter flags (but TSYNC when threads run)");
	snprintf(arch, sizeof arch, "SCMP_ARCH_%s", sc_arch_name() + strlen("AUDIT_ARCH_"));
	if ((j = json_get(sc, "architectures")) && array(j, "linux.seccomp.architectures")->n) {
		int native = 0;
		for (size_t i = 0; i < j->n; i++) {
			const char *a = str(j->items[i], idx(p, sizeof p, "linux.seccomp.architectures", i));
			if (!strcmp(a, arch))
				native = 1;
			else if (strlen(others) + strlen(a) + 2 < sizeof others)
				snprintf(others + strlen(others), sizeof others - strlen(others), "%s%s", *others ? " " : "", a);
		}
		if (!native)
			bad(j, "linux.seccomp.architectures", "no %s: seccompbpf filters this machine's ABI", arch);
		if (*others)
			note("linux.seccomp.architectures: %s: seccompbpf checks %s only: calls from another ABI are killed, x32 ones get the action",
			     others, arch);
	}
	int allow_default = !strcmp(dflt, "allow");
	list[0] = '\0';
	if ((j = json_get(sc, "syscalls")))
		for (size_t i = 0; i < array(j, "linux.seccomp.syscalls")->n; i++) {
			const struct json *r = j->items[i], *names, *args;
			idx(p, sizeof p, "linux.seccomp.syscalls", i);
			known_keys(r, p, known_rule);
			if (!(names = json_get(r, "names")) || !json_get(r, "action"))
				bad(r, p, "needs names and action");
			if ((args = json_get(r, "args")) && array(args, sub(q, sizeof q, p, "args"))->n)
				bad(args, q, "argument conditions: seccompbpf filters by syscall name only");
			char retpath[512];
			sub(retpath, sizeof retpath, p, "errnoRet");
			action(json_get(r, "action"), sub(q, sizeof q, p, "action"), json_get(r, "errnoRet"), retpath, act, sizeof act);
			if (!strcmp(act, dflt))
				continue; /* what every other call gets anyway */
			int conflict = allow_default ? *refused && strcmp(act, refused) : strcmp(act, "allow") != 0;
			if (conflict)
				bad(json_get(r, "action"), q, "%s, while %s: seccompbpf gives every refused call one answer",
				    act, allow_default ? refused : dflt);
			if (allow_default)
				snprintf(refused, sizeof refused, "%s", act);
			for (size_t n = 0; n < array(names, sub(q, sizeof q, p, "names"))->n; n++) {
				char np[560];
				snprintf(np, sizeof np, "%s[%zu]", q, n);
				const char *name = str(names->items[n], np);
				if (sc_nr(name) < 0) {
					note("%s: '%s' is not a syscall of %s: left out (as runc does)", np, name, arch);
					continue;
				}
				if (allow_default && in_list(handover, name))
					bad(names->items[n], np, "'%s': seccompbpf makes this call after its filter is in place, to start the program", name);
				append_name(list, sizeof list, name);
			}
		}
	if (allow_default && !*list) {
		note("linux.seccomp: allows every call: no seccompbpf stage (runc installs a filter that allows all)");
		return;
	}
	const char *answer = allow_default ? refused : dflt;
	add(w, allow_default ? "--deny" : "--allow");
	add(w, *list ? list : "exit_group");
	if (strcmp(answer, "errno:EPERM")) {
		add(w, "--action");
		add(w, answer);
	}
	if (!allow_default)
		trace_comment("linux.seccomp: seccompbpf lets through the calls it makes to start the program too (seccompbpf(1))");
}

static void linux_part(struct state *s, const struct json *l)
{
	static const char *const known[] = { "namespaces", "uidMappings", "gidMappings", "timeOffsets", "resources",
					     "cgroupsPath", "seccomp", "maskedPaths", "readonlyPaths",
					     "rootfsPropagation", "devices", NULL };
	const struct json *j;
	if (!l)
		bad(NULL, "linux", "missing: the namespaces to make");
	known_keys(l, "linux", known);
	namespaces(s, json_get(l, "namespaces"));
	id_maps(s, json_get(l, "uidMappings"), "linux.uidMappings", "--uid-map");
	id_maps(s, json_get(l, "gidMappings"), "linux.gidMappings", "--gid-map");
	if ((j = json_get(l, "timeOffsets")))
		time_offsets(s, j);
	if ((j = json_get(l, "cgroupsPath")))
		cgroups_path(s, j);
	if ((j = json_get(l, "resources")))
		resources(s, j);
	if ((j = json_get(l, "seccomp")))
		seccomp(s, j);
	if ((j = json_get(l, "rootfsPropagation"))) {
		const char *prop = str(j, "linux.rootfsPropagation");
		if (strcmp(prop, "private") && strcmp(prop, "rprivate"))
			bad(j, "linux.rootfsPropagation", "'%s': pivot makes every mount private (rprivate)", prop);
	}
	if ((j = json_get(l, "devices")) && array(j, "linux.devices")->n)
		bad(j->items[0], "linux.devices[0]", "boxstep makes no device nodes: /dev holds the host's null, zero, full, random, urandom and tty");

	const struct json *masked = json_get(l, "maskedPaths"), *ro = json_get(l, "readonlyPaths");
	int none = (!masked || !array(masked, "linux.maskedPaths")->n) && (!ro || !array(ro, "linux.readonlyPaths")->n);
	if (none && s->sysfs_rw) {
		add(&s->c->stage[OCI_PIVOT], "--no-masks");
		return;
	}
	if (s->sysfs_rw)
		note("mounts: sysfs read-write: pivot mounts /sys read-only when it masks paths (--no-masks does neither)");
	path_list(masked, "linux.maskedPaths", ocispec_pivot_masked, "masks");
	path_list(ro, "linux.readonlyPaths", ocispec_pivot_readonly, "makes read-only");
}

static void top(struct state *s, const struct json *cfg)
{
	static const char *const known[] = { "ociVersion", "process", "root", "hostname", "domainname", "mounts",
					     "linux", "annotations", NULL };
	struct ocispec_words *mk = &s->c->stage[OCI_MKNS];
	const struct json *j;
	known_keys(cfg, "", known);
	if (!(j = json_get(cfg, "ociVersion")) || strncmp(str(j, "ociVersion"), "1.", 2))
		bad(j ? j : cfg, "ociVersion", "expected a runtime-spec 1.x version (\"1.0.2\")");
	if ((j = json_get(cfg, "annotations"))) {
		need(j, JSON_OBJECT, "annotations");
		trace_comment("annotations: %zu, notes for other tools: nothing to run", j->n);
	}
	/* linux first: the other parts need to know which namespaces are new. */
	mounts(s, json_get(cfg, "mounts"));
	linux_part(s, json_get(cfg, "linux"));
	root(s, json_get(cfg, "root"));
	process(s, json_get(cfg, "process"));
	int sys_admin = cap_by_name("sys_admin");
	if (s->c->stage[OCI_SECCOMP].n > 1 && !s->nnp && s->caps_given && sys_admin >= 0 && !(s->bounding >> sys_admin & 1))
		note("linux.seccomp without process.noNewPrivileges: seccompbpf comes after capdrop, without CAP_SYS_ADMIN, "
		     "where the kernel requires no_new_privs: it sets it (runc loads the filter before dropping capabilities)");
	const char *names[2] = { "hostname", "domainname" };
	for (int i = 0; i < 2; i++) {
		if (!(j = json_get(cfg, names[i])))
			continue;
		const char *v = str(j, names[i]);
		if (!s->ns_new[NS_UTS])
			bad(j, names[i], "needs a new uts namespace in linux.namespaces (or it would rename the host)");
		if (!*v || strlen(v) > 64)
			bad(j, names[i], "'%s': 1 to 64 characters", v);
		addf(mk, "--%s", names[i]);
		add(mk, v);
	}
}

void ocispec_load(const char *bundle, struct ocispec_chain *c)
{
	static const char *const names[OCI_STAGES] = { "cgset", "nsjoin", "mkns", "pivot", "rlimits", "capdrop",
						      "seccompbpf", NULL };
	struct state s;
	char err[256];
	memset(c, 0, sizeof *c);
	memset(&s, 0, sizeof s);
	s.c = c;
	s.bundle = bundle;
	size_t blen = strlen(bundle);
	while (blen > 1 && bundle[blen - 1] == '/')
		blen--;
	snprintf(c->config, sizeof c->config, "%.*s/config.json", (int)blen, bundle);
	config_name = c->config;
	char *text = file_read_all(c->config);
	if (!text)
		fatal("open(\"%s\"): %s", c->config, strerror(errno));
	struct json *cfg = json_parse(text, strlen(text), err, sizeof err);
	if (!cfg)
		fatal("%s:%s", c->config, err);
	for (int i = 0; i < OCI_STAGES; i++)
		if (names[i])
			add(&c->stage[i], names[i]);
	struct ocispec_words notes = { NULL, 0, 0 };
	warnings = &notes;
	top(&s, cfg);
	for (size_t i = 0; i < notes.n; i++) {
		warn("%s", notes.w[i]);
		free(notes.w[i]);
	}
	free(notes.w);
	add(&c->stage[OCI_PIVOT], s.root);
	/* Stages with nothing to do are left out; mkns, pivot and capdrop always run. */
	int optional[] = { OCI_CGSET, OCI_NSJOIN, OCI_RLIMITS, OCI_SECCOMP };
	for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++)
		if (c->stage[optional[i]].n == 1) {
			free(c->stage[optional[i]].w[0]);
			free(c->stage[optional[i]].w);
			memset(&c->stage[optional[i]], 0, sizeof c->stage[0]);
		}
	if (!c->stage[OCI_CGSET].n)
		trace_comment("no linux.cgroupsPath nor resources: no cgset stage (runc makes a cgroup all the same)");
	free(s.root);
	json_free(cfg);
	free(text);
}

char **ocispec_argv(const struct ocispec_chain *c)
{
	size_t n = 0, k = 0;
	for (int i = 0; i < OCI_STAGES; i++)
		n += c->stage[i].n + 1;
	char **argv = calloc(n + 1, sizeof *argv);
	if (!argv)
		die("out of memory");
	for (int i = 0; i < OCI_STAGES; i++) {
		if (!c->stage[i].n)
			continue;
		for (size_t j = 0; j < c->stage[i].n; j++)
			argv[k++] = c->stage[i].w[j];
		if (i != OCI_PROGRAM)
			argv[k++] = (char *)"--";
	}
	argv[k] = NULL;
	return argv;
}
