/* rootfs: /dev, masked and read-only paths. See rootfs.h. */
#include "rootfs.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "log.h"
#include "mount.h"
#include "parse.h"
#include "sys.h"
#include "sysfs.h"

/* moby's oci/defaults.go (DefaultLinuxSpec): what a container must not read... */
static const char *const masked[] = {
	"/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list",
	"/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware",
};
/* ...and what it may read but not write (sysctls, the SysRq trigger, IRQ affinity). */
static const char *const readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};
/* The devices a process expects, bound from the host (as bubblewrap's --dev does). */
static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };
static const char *const links[][2] = {
	{ "pts/ptmx", "ptmx" },	{ "/proc/self/fd", "fd" },	{ "/proc/self/fd/0", "stdin" },
	{ "/proc/self/fd/1", "stdout" },	{ "/proc/self/fd/2", "stderr" },
};

int rootfs_check_null(void)
{
	struct stat st;
	if (stat("/dev/null", &st) < 0) {
		warn("stat(\"/dev/null\"): %s", strerror(errno));
		return -1;
	}
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3) {
		warn("the host's /dev/null is not the character device 1:3: refusing to bind it over masked files");
		return -1;
	}
	return 0;
}

static int path_in(char *buf, const char *root, const char *sub)
{
	if (snprintf(buf, PATH_MAX, "%s%s", root, sub) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int rootfs_dev(const char *root)
{
	char dev[PATH_MAX], p[PATH_MAX + 32], host[32];
	if (path_in(dev, root, "/dev") < 0 ||
	    sys_mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_STRICTATIME, "mode=755,size=65536k") < 0)
		return -1;
	for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
		struct stat st;
		snprintf(host, sizeof host, "/dev/%s", devices[i]);
		if (stat(host, &st) < 0 || !S_ISCHR(st.st_mode)) {
			trace_comment("the host has no %s: skipped", host);
			continue;
		}
		snprintf(p, sizeof p, "%s/%s", dev, devices[i]);
		if (sys_create_file(p, 0666, "", 0) < 0 || sys_mount(host, p, NULL, MS_BIND, NULL) < 0)
			return -1;
	}
	snprintf(p, sizeof p, "%s/pts", dev);
	if (sys_mkdir(p, 0755) < 0 ||
	    sys_mount("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") < 0)
		return -1;
	snprintf(p, sizeof p, "%s/shm", dev);
	if (sys_mkdir(p, 01777) < 0 ||
	    sys_mount("shm", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k") < 0)
		return -1;
	snprintf(p, sizeof p, "%s/mqueue", dev);
	if (sys_mkdir(p, 0755) < 0 || sys_mount("mqueue", p, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -1;
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dev, links[i][1]);
		if (sys_symlink(links[i][0], p) < 0)
			return -1;
	}
	return 0;
}

#define CGROUP_RO (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* Mounts one hierarchy again at dir; a refusal is reported, not fatal. */
static void cgroup_mount(const char *dir, const char *fstype, const char *options)
{
	if (sys_mount(fstype, dir, fstype, CGROUP_RO, options) < 0)
		trace_comment("the container goes without %s: %s", dir, strerror(errno));
}

int rootfs_cgroup(const char *root)
{
	char base[PATH_MAX], dir[PATH_MAX], line[1024];
	/* Only a cgroup namespace makes the container's cgroup the root of the mount:
	 * without one the whole host tree would show. */
	if (ns_is_initial("cgroup") != 0) {
		trace_comment("no /sys/fs/cgroup inside: without a cgroup namespace of its own "
			      "(mkns --cgroup) it would show the host's whole cgroup tree");
		return 0;
	}
	if (path_in(base, root, "/sys/fs/cgroup") < 0)
		return -1;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	int tmpfs = 0, failed = 0;
	while (!failed && fgets(line, sizeof line, f)) {
		/* "36 35 0:31 / /sys/fs/cgroup/memory rw,... - cgroup cgroup rw,memory" */
		char mnt[512], fstype[32], opts[256];
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %511s", mnt) != 1 ||
		    sscanf(dash + 3, "%31s %*s %255s", fstype, opts) != 2 ||
		    strncmp(mnt, "/sys/fs/cgroup", 14) != 0 || (mnt[14] && mnt[14] != '/') ||
		    (strcmp(fstype, "cgroup") && strcmp(fstype, "cgroup2")))
			continue;
		if (!mnt[14]) { /* pure v2: the hierarchy is /sys/fs/cgroup itself */
			cgroup_mount(base, "cgroup2", NULL);
			break;
		}
		if (!tmpfs++ && sys_mount("tmpfs", base, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0) {
			failed = 1;
			break;
		}
		/* the same controllers as the host's mount ("cpu,cpuacct"), or EBUSY */
		const char *controllers = strncmp(opts, "rw,", 3) && strncmp(opts, "ro,", 3) ? opts : opts + 3;
		if (path_in(dir, base, mnt + 14) < 0 || sys_mkdir(dir, 0755) < 0)
			failed = 1;
		else
			cgroup_mount(dir, fstype, strcmp(fstype, "cgroup") ? NULL : controllers);
	}
	fclose(f);
	if (!failed && tmpfs && mount_remount(base, CGROUP_RO) < 0)
		failed = 1;
	return failed ? -1 : 0;
}

int rootfs_mask(const char *root)
{
	char p[PATH_MAX];
	struct stat st;
	for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++) {
		if (path_in(p, root, masked[i]) < 0)
			return -1;
		if (lstat(p, &st) < 0) {
			trace_comment("%s: absent on this kernel, nothing to mask", masked[i]);
			continue;
		}
		int r = S_ISDIR(st.st_mode)
				? sys_mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0")
				: sys_mount("/dev/null", p, NULL, MS_BIND, NULL);
		if (r < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof readonly / sizeof readonly[0]; i++) {
		if (path_in(p, root, readonly[i]) < 0)
			return -1;
		if (lstat(p, &st) < 0) {
			trace_comment("%s: absent on this kernel, nothing to make read-only", readonly[i]);
			continue;
		}
		if (sys_mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0 || mount_remount(p, MS_RDONLY) < 0)
			return -1;
	}
	return 0;
}

static void set_dst(struct rootfs_volume *v, const char *option, const char *dst, size_t len)
{
	if (len == 0 || dst[0] != '/' || len >= sizeof v->dst)
		usage_error("invalid destination '%.*s' for %s: an absolute path inside ROOT", (int)len, dst, option);
	snprintf(v->dst, sizeof v->dst, "%.*s", (int)len, dst);
	if (v->dst[strspn(v->dst, "/")] == '\0' || strstr(v->dst, "/../") ||
	    (len >= 3 && strcmp(v->dst + len - 3, "/..") == 0))
		usage_error("invalid destination '%s' for %s: not /, no '..'", v->dst, option);
}

void rootfs_volume_parse(struct rootfs_volume *v, const char *option, int tmpfs, char *arg)
{
	char *c1 = strchr(arg, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	memset(v, 0, sizeof *v);
	if (tmpfs) {
		uint64_t size = 0;
		set_dst(v, option, arg, c1 ? (size_t)(c1 - arg) : strlen(arg));
		if (c1 && (parse_size(c1 + 1, &size) < 0 || size == 0 || size == SIZE_UNLIMITED))
			usage_error("invalid size '%s' for %s: a size such as 64M", c1 + 1, option);
		if (size)
			snprintf(v->data, sizeof v->data, "mode=1777,size=%llu", (unsigned long long)size);
		else
			snprintf(v->data, sizeof v->data, "mode=1777");
		return;
	}
	if (!c1 || c1 == arg || (c2 && strcmp(c2, ":ro") != 0)) {
		usage_error("invalid volume '%s' for %s: expected SRC:DST or SRC:DST:ro", arg, option);
		return;
	}
	*c1 = '\0';
	v->src = arg;
	v->ro = c2 != NULL;
	set_dst(v, option, c1 + 1, c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1));
}

void rootfs_volume_check(struct rootfs_volume *v, const char *root, int root_ro)
{
	struct stat st;
	char p[PATH_MAX];
	if (v->src && stat(v->src, &st) < 0)
		die("volume: stat(\"%s\"): %s", v->src, strerror(errno));
	v->file = v->src && !S_ISDIR(st.st_mode);
	if (root_resolve(root, v->dst, 0, p, sizeof p) < 0 && root_ro)
		die("ROOT is read-only and has no %s to mount the volume on", v->dst);
}

int rootfs_volume_mount(const struct rootfs_volume *v, const char *root)
{
	char p[PATH_MAX];
	if (root_mkpath(root, v->dst, v->file, p, sizeof p) < 0)
		return -1;
	if (!v->src)
		return sys_mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, v->data);
	/* Without MS_REC: the mounts below SRC stay out, so :ro and nodev hold for all
	 * the volume shows (a remount changes one mount, never those below it). */
	if (sys_mount(v->src, p, NULL, MS_BIND, NULL) < 0)
		return -1;
	return mount_remount(p, MS_NOSUID | MS_NODEV | (v->ro ? MS_RDONLY : 0));
}
