/* boxstep-doctor: what this host can do, and which lessons will work here. Each
 * namespace type is looked up in /proc/self/ns, then tried for real: a forked child
 * unshare(2)s it and exits, so the check changes nothing on the host. The rest is
 * read from /proc, /sys and PATH. Not a chain stage: it runs no program. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "chain.h"
#include "log.h"
#include "ns.h"
#include "sys.h"

#define USAGE "boxstep-doctor [--require FEATURE]... [--format text|kv] [-v]"

static const struct tool tool = {
	"boxstep-doctor", USAGE,
	"Report what this host can do for boxstep, and which lessons will work here.\n"
	"\n"
	"Options:\n"
	"      --require FEATURE   exit 1, naming it, when FEATURE is missing (repeatable);\n"
	"                          prints nothing when every one is there\n"
	"      --format text|kv    text (default) for people; kv: key=value lines for scripts\n"
	"  -v, --verbose           trace every kernel call (or BOXSTEP_TRACE=1)\n"
	"  -h, --help              this help\n"
	"  -V, --version           version\n"
	"\n"
	"Features: root, userns (you can make a user namespace), userns-unprivileged (nobody\n"
	"can), mnt uts ipc pid net user cgroup time (namespace types), cgroup2 (pure v2),\n"
	"cgroup1 (v1 controllers mounted), overlay, seccomp, busybox (static), newuidmap.\n"
	"\n"
	"Kernel calls, in order:\n"
	"  clone(), unshare(CLONE_NEW...)     a child tries each namespace type, then exits\n"
	"  setresuid(65534), unshare(CLONE_NEWUSER)   a child tries a user namespace as nobody\n"
	"  statfs(\"/sys/fs/cgroup\")           the cgroup layout\n"
	"  prctl(PR_GET_SECCOMP)              seccomp support\n"
	"\n"
	"Example:\n"
	"  boxstep-doctor --require root --require overlay && echo ready for lesson 10\n"
	"\n"
	"Exit status: 0; 1 when a required feature is missing; 125 on a usage error.\n"
	"See boxstep-doctor(1), namespaces(7), user_namespaces(7), cgroups(7), seccomp(2).\n",
};

enum { F_ROOT, F_USERNS, F_UNPRIV, F_NS, F_CGROUP2 = F_NS + NS_TYPE_COUNT, F_CGROUP1,
       F_OVERLAY, F_SECCOMP, F_BUSYBOX, F_NEWUIDMAP, F_COUNT };

static struct feature {
	const char *name;
	int ok, wanted; /* wanted: named by --require */
	char detail[256], remedy[160];
} feat[F_COUNT] = {
	[F_ROOT] = { .name = "root" }, [F_USERNS] = { .name = "userns" }, [F_UNPRIV] = { .name = "userns-unprivileged" },
	[F_CGROUP2] = { .name = "cgroup2" }, [F_CGROUP1] = { .name = "cgroup1" }, [F_OVERLAY] = { .name = "overlay" },
	[F_SECCOMP] = { .name = "seccomp" }, [F_BUSYBOX] = { .name = "busybox" }, [F_NEWUIDMAP] = { .name = "newuidmap" },
};

/* The lessons of CURRICULUM.md and the features each needs; "a|b" is either. */
static const struct { const char *nn, *title, *needs; } lessons[] = {
	{ "00", "setup; containers vs VMs", "root uts" },
	{ "01", "new namespaces: UTS, handles", "root mnt uts pid net" },
	{ "02", "PID namespace, duties of PID 1", "root mnt pid" },
	{ "03", "mount namespace, propagation", "root mnt" },
	{ "04", "IPC, time and cgroup namespaces", "root ipc time cgroup" },
	{ "05", "user namespaces", "root user userns-unprivileged newuidmap" },
	{ "06", "cgroups: v1 vs v2, pids", "root cgroup2|cgroup1" },
	{ "07", "memory limits, OOM killer, PSI", "root cgroup2|cgroup1" },
	{ "08", "CPU limits and throttling", "root cgroup2|cgroup1" },
	{ "09", "root filesystems, pivot_root", "root mnt busybox" },
	{ "10", "images as layers: OverlayFS", "root mnt overlay" },
	{ "11", "capabilities, no_new_privs", "root" },
	{ "12", "seccomp: BPF on every syscall", "root seccomp" },
	{ "13", "--privileged, escapes, hardening", "root mnt pid seccomp" },
	{ "14", "network namespaces, veth, NAT", "root net" },
	{ "15", "entering namespaces; pods", "root pid net uts ipc" },
	{ "16", "the whole container", "root mnt uts ipc pid net cgroup2|cgroup1 overlay seccomp busybox" },
	{ "17", "OCI images", "root" },
	{ "18", "OCI bundles", "root mnt pid busybox" },
};

/* The user-namespace switches: the limit, Debian's and Ubuntu's (AppArmor) own. */
static const char *sysctls[] = { "user.max_user_namespaces", "kernel.unprivileged_userns_clone",
				 "kernel.apparmor_restrict_unprivileged_userns" };
static char sysctl_value[3][32], sysctl_text[256]; /* value "" when the kernel has none */

static struct feature *find_feature(const char *name)
{
	int i = 0;
	while (i < F_COUNT && strcmp(feat[i].name, name) != 0)
		i++;
	return i < F_COUNT ? &feat[i] : NULL;
}

__attribute__((format(printf, 4, 5))) static void set(int f, int ok, const char *remedy, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(feat[f].detail, sizeof feat[f].detail, fmt, ap);
	va_end(ap);
	feat[f].ok = ok;
	snprintf(feat[f].remedy, sizeof feat[f].remedy, "%s", remedy);
}

/* A child unshare(2)s flags, as nobody when asked, and exits: 0 or the errno. */
static int try_unshare(int flags, int as_nobody)
{
	pid_t pid = sys_fork(as_nobody ? "tries a user namespace as nobody" : "tries a namespace");
	if (pid < 0)
		return errno;
	if (pid == 0) {
		if (as_nobody && (trace_call(setgroups(0, NULL), "setgroups(0, [])") < 0 ||
				  trace_call(setresgid(65534, 65534, 65534), "setresgid(65534, 65534, 65534)") < 0 ||
				  trace_call(setresuid(65534, 65534, 65534), "setresuid(65534, 65534, 65534)") < 0))
			_exit(errno);
		_exit(sys_unshare(flags) < 0 ? errno : 0);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

static void check_namespaces(int root)
{
	const struct ns_type *t = ns_types();
	for (int i = 0; i < NS_TYPE_COUNT; i++) {
		char path[64], remedy[160];
		snprintf(path, sizeof path, "/proc/self/ns/%s", t[i].proc);
		snprintf(remedy, sizeof remedy, "needs Linux %s or later, built with %s", t[i].since, t[i].clone_name);
		int absent = access(path, F_OK) < 0; /* then unshare is not even tried */
		/* Unprivileged, only a new user namespace gives the right to make the others. */
		int err = absent ? 0 : try_unshare(t[i].flag | (root ? 0 : ns_by_name("user")->flag), 0);
		set(F_NS + i, !absent && !err, absent ? remedy : root ? "something forbids unshare here (seccomp?)" : "use sudo",
		    absent ? "no %s%.0s in this kernel" : err ? "present, but unshare(%s) failed: %s" : "%s (Linux %s)",
		    absent ? path : err ? t[i].clone_name : t[i].isolates, err ? errno_name(err) : t[i].since);
	}
	for (int i = 0; i < 3; i++) {
		char file[96];
		snprintf(file, sizeof file, "/proc/sys/%.*s/%s", (int)strcspn(sysctls[i], "."), sysctls[i],
			 strchr(sysctls[i], '.') + 1);
		if (read_file(file, sysctl_value[i], sizeof sysctl_value[i]) >= 0)
			snprintf(sysctl_text + strlen(sysctl_text), sizeof sysctl_text - strlen(sysctl_text),
				 "%s%s = %s", sysctl_text[0] ? ", " : "", sysctls[i], sysctl_value[i]);
	}
	const char *remedy = !strcmp(sysctl_value[0], "0") ? "sysctl -w user.max_user_namespaces=15000"
			     : "see user_namespaces(7)";
	int user_ok = feat[F_NS + (ns_by_name("user") - t)].ok;
	set(F_USERNS, user_ok, remedy, "sysctl %s", sysctl_text);
	if (!strcmp(sysctl_value[1], "0"))
		remedy = "sysctl -w kernel.unprivileged_userns_clone=1";
	else if (!strcmp(sysctl_value[2], "1"))
		remedy = "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0";
	int err = root ? try_unshare(ns_by_name("user")->flag, 1) : (user_ok ? 0 : EPERM);
	set(F_UNPRIV, !err, remedy, err ? "uid %d cannot: unshare(CLONE_NEWUSER) failed: %s"
				  : "uid %d, unprivileged, can create a user namespace%s",
	    root ? 65534 : (int)geteuid(), err ? strerror(err) : "");
}

static void check_cgroups(enum cgroup_layout layout, char *v1, char *v2, size_t size)
{
	int n1 = cgroup_v1_controllers(v1, size), n2 = cgroup_v2_controllers(layout, v2, size);
	if (n2 == 0)
		snprintf(v2, size, "none");
	if (layout == CGROUP_V2)
		set(F_CGROUP2, 1, "", "layout v2, controllers: %s", v2);
	else
		set(F_CGROUP2, 0, "lessons use v1 here; pure v2 needs boot option systemd.unified_cgroup_hierarchy=1",
		    "layout %s%s%s", cgroup_layout_name(layout),
		    n2 >= 0 ? ", cgroup2 at " CGROUP_HYBRID_V2 " offers: " : "", n2 >= 0 ? v2 : "");
	set(F_CGROUP1, n1 > 0, layout == CGROUP_V2 ? "this host is pure v2: lessons use v2" : "mount the v1 controllers",
	    n1 > 0 ? "v1 controllers: %s" : "no v1 controller mounted%s", n1 > 0 ? v1 : "");
}

/* A static program has no PT_INTERP: it needs no loader, so it runs in a bare root. */
static int is_static_elf(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd = open(path, O_RDONLY | O_CLOEXEC), bad = 0;
	if (fd < 0 || pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64)
		bad = 1;
	for (unsigned i = 0; !bad && i < eh.e_phnum; i++)
		bad = pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (size_t)i * eh.e_phentsize)) != (ssize_t)sizeof ph ||
		      ph.p_type == PT_INTERP;
	close(fd);
	return !bad;
}

static int on_path(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH");
	for (const char *p = path ? path : "/usr/bin:/bin"; *p; p += *p == ':') {
		size_t len = strcspn(p, ":");
		snprintf(out, size, "%.*s/%s", (int)len, p, name);
		if (len && access(out, X_OK) == 0)
			return 1;
		p += len;
	}
	return 0;
}

static void check_rest(char *actions, size_t size)
{
	char text[4096], path[512];
	int overlay = 0;
	if (read_file("/proc/filesystems", text, sizeof text) >= 0)
		for (char *s = NULL, *l = strtok_r(text, "\n", &s); l; l = strtok_r(NULL, "\n", &s))
			overlay |= strcmp(l + strcspn(l, "\t"), "\toverlay") == 0;
	set(F_OVERLAY, overlay, "modprobe overlay", overlay ? "in /proc/filesystems" : "not in /proc/filesystems");
	int mode = (int)trace_call(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), "prctl(PR_GET_SECCOMP)");
	int filters = read_file("/proc/sys/kernel/seccomp/actions_avail", actions, size) >= 0;
	set(F_SECCOMP, mode >= 0 && filters, "needs a kernel built with CONFIG_SECCOMP_FILTER",
	    mode < 0 ? "no seccomp in this kernel" : !filters ? "no seccomp filters in this kernel"
	    : "actions %s; this process: mode %d%s", actions, mode, mode == 2 ? " (already filtered)" : "");
	int found = on_path("busybox", path, sizeof path), fixed = found && is_static_elf(path);
	set(F_BUSYBOX, fixed, "apt-get install busybox-static", found ? "%s is %s" : "not on PATH",
	    path, fixed ? "static" : "dynamic: it would not run in a bare root");
	found = on_path("newuidmap", path, sizeof path);
	set(F_NEWUIDMAP, found, "apt-get install uidmap", found ? "%s" : "not on PATH", path);
}

/* The features a lesson lacks, space-separated; "" when it will work. */
static void lesson_needs(const char *needs, char *out, size_t size)
{
	char copy[256], *save = NULL;
	snprintf(copy, sizeof copy, "%s", needs);
	out[0] = '\0';
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		int ok = 0;
		for (char *alt = w; alt && !ok; alt = strchr(alt, '|') ? strchr(alt, '|') + 1 : NULL) {
			char one[64];
			snprintf(one, sizeof one, "%.*s", (int)strcspn(alt, "|"), alt);
			ok = find_feature(one)->ok;
		}
		if (!ok)
			snprintf(out + strlen(out), size - strlen(out), "%s%s", out[0] ? " " : "", w);
	}
}

static void report(int kv, enum cgroup_layout layout, const char *v1, const char *v2, const char *actions)
{
	struct utsname u;
	uname(&u);
	if (kv)
		printf("kernel=%s\nuid=%d\ncgroup.layout=%s\ncgroup.v1=%s\ncgroup.v2=%s\nseccomp.actions=%s\n",
		       u.release, (int)geteuid(), cgroup_layout_name(layout), v1, v2, actions);
	else
		printf("boxstep-doctor: Linux %s (%s), uid %d, cgroup layout %s\n\nFeatures\n", u.release,
		       u.machine, (int)geteuid(), cgroup_layout_name(layout));
	for (int i = 0; i < F_COUNT; i++) {
		const char *yn = feat[i].ok ? "yes" : "no";
		if (kv)
			printf("feature.%s=%s\n", feat[i].name, yn);
		else if (printf("  %-20s %-3s  %s\n", feat[i].name, yn, feat[i].detail), !feat[i].ok)
			printf("%28s-> %s\n", "", feat[i].remedy);
	}
	for (int i = 0; i < 3 && kv; i++)
		if (sysctl_value[i][0])
			printf("sysctl.%s=%s\n", sysctls[i], sysctl_value[i]);
	if (!kv)
		puts("\nLessons");
	for (size_t i = 0; i < sizeof lessons / sizeof lessons[0]; i++) {
		char needs[256];
		lesson_needs(lessons[i].needs, needs, sizeof needs);
		printf(kv ? "lesson.%s=%.0s%s%s\n" : "  %s  %-34s %s%s\n", lessons[i].nn, lessons[i].title,
		       needs[0] ? "needs " : "ok", needs);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "require", required_argument, NULL, 'r' }, { "format", required_argument, NULL, 'f' },
		CHAIN_COMMON_LONGOPTS,
	};
	int nrequire = 0, once_format = 0, kv = 0, c;
	struct feature *f;
	chain_init(&tool);
	for (int i = 0; i < NS_TYPE_COUNT; i++)
		feat[F_NS + i].name = ns_types()[i].proc;
	while ((c = getopt_long(argc, argv, "+:" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == 'r') {
			if (!(f = find_feature(optarg)))
				usage_error("unknown feature '%s' for --require (see --help)", optarg);
			f->wanted = nrequire = 1;
		} else if (c == 'f') {
			chain_once(&once_format, "--format");
			if ((kv = !strcmp(optarg, "kv")) == 0 && strcmp(optarg, "text"))
				usage_error("invalid format '%s': expected text or kv", optarg);
		} else {
			chain_common_option(&tool, c, argv);
		}
	}
	if (optind < argc)
		usage_error("unexpected operand '%s': boxstep-doctor runs no program", argv[optind]);

	int root = geteuid() == 0;
	set(F_ROOT, root, "use sudo", "running as uid %d", (int)geteuid());
	check_namespaces(root);
	enum cgroup_layout layout = cgroup_layout();
	trace_comment("cgroup layout: %s", cgroup_layout_name(layout));
	char v1[512], v2[512], actions[256] = "";
	check_cgroups(layout, v1, v2, sizeof v1);
	check_rest(actions, sizeof actions);

	if (!nrequire)
		report(kv, layout, v1, v2, actions);
	char missing[2048] = ""; /* one line naming every missing feature and its remedy */
	for (int i = 0, len = 0; i < F_COUNT; i++)
		if (feat[i].wanted && !feat[i].ok)
			len += snprintf(missing + len, sizeof missing - (size_t)len, "%s%s (%s)", len ? ", " : "",
					feat[i].name, feat[i].remedy);
	if (missing[0])
		fprintf(stderr, "boxstep-doctor: missing: %s\n", missing);
	return missing[0] ? 1 : 0;
}
