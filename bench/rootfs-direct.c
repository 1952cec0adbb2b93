/* rootfs-direct: the kernel calls of
 *     mkns --mount --pid -- overlaymount --lower LOWER --upper UPPER --work WORK TARGET -- \
 *         pivot TARGET -- /bin/true
 * made by one C process: no exec between the stages, no validation, no trace. The
 * yardstick for bench/rootfs.sh: what the chain costs over the calls themselves.
 * Usage: rootfs-direct LOWER UPPER WORK TARGET TOOLKIT_DIR   (as root; exits with
 * /bin/true's status). bench/, not a tool: it checks nothing a tool would. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char root[4096];

static void must(int r, const char *what)
{
	if (r < 0) {
		perror(what);
		_exit(125);
	}
}

static const char *in(const char *sub)
{
	static char p[8192];
	snprintf(p, sizeof p, "%s%s", root, sub);
	return p;
}

static void bind_ro(const char *src, const char *dst, unsigned long flags)
{
	must(mount(src, dst, NULL, MS_BIND | MS_REC, NULL), dst);
	must(mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | flags, NULL), dst);
}

static void dev(void)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const char *const links[][2] = { { "pts/ptmx", "/dev/ptmx" }, { "/proc/self/fd", "/dev/fd" },
		{ "/proc/self/fd/0", "/dev/stdin" }, { "/proc/self/fd/1", "/dev/stdout" },
		{ "/proc/self/fd/2", "/dev/stderr" } };
	char host[64];
	must(mount("tmpfs", in("/dev"), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_STRICTATIME,
		   "mode=755,size=65536k"), "/dev");
	for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
		snprintf(host, sizeof host, "/dev/%s", nodes[i]); /* the same path inside ROOT */
		int fd = open(in(host), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		must(fd, host);
		close(fd);
		must(mount(host, in(host), NULL, MS_BIND, NULL), host);
	}
	must(mkdir(in("/dev/pts"), 0755), "pts");
	must(mount("devpts", in("/dev/pts"), "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"), "pts");
	must(mkdir(in("/dev/shm"), 01777), "shm");
	must(mount("shm", in("/dev/shm"), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k"), "shm");
	must(mkdir(in("/dev/mqueue"), 0755), "mqueue");
	must(mount("mqueue", in("/dev/mqueue"), "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL), "mqueue");
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		must(symlink(links[i][0], in(links[i][1])), links[i][1]);
}

static void masks(void)
{
	static const char *const masked[] = { "/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore",
		"/proc/keys", "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list",
		"/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware" };
	static const char *const ro[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" };
	struct stat st;
	for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++) {
		if (lstat(in(masked[i]), &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			must(mount("tmpfs", in(masked[i]), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0"), masked[i]);
		else
			must(mount("/dev/null", in(masked[i]), NULL, MS_BIND, NULL), masked[i]);
	}
	for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
		if (lstat(in(ro[i]), &st) == 0)
			bind_ro(in(ro[i]), in(ro[i]), MS_NOSUID | MS_NODEV | MS_NOEXEC);
}

int main(int argc, char **argv)
{
	if (argc != 6 || !realpath(argv[4], root)) {
		fprintf(stderr, "usage: rootfs-direct LOWER UPPER WORK TARGET TOOLKIT_DIR\n");
		return 2;
	}
	char data[16384];
	snprintf(data, sizeof data, "lowerdir=%s,upperdir=%s,workdir=%s", argv[1], argv[2], argv[3]);
	must(unshare(CLONE_NEWNS | CLONE_NEWPID), "unshare");
	must(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "private");
	pid_t pid = fork();
	must(pid, "fork");
	if (pid > 0) {
		int status;
		waitpid(pid, &status, 0);
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	must(mount("overlay", root, "overlay", MS_NODEV, data), "overlay");
	must(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "private");
	must(mount(root, root, NULL, MS_BIND | MS_REC, NULL), "bind");
	must(mount(NULL, root, NULL, MS_REMOUNT | MS_BIND | MS_NODEV, NULL), "nodev");
	must(mount("proc", in("/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL), "proc");
	dev();
	must(mount("sysfs", in("/sys"), "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL), "sysfs");
	masks();
	must(mount(argv[5], in("/.boxstep/bin"), NULL, MS_BIND, NULL), "tools");
	must(mount(NULL, in("/.boxstep/bin"), NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL), "tools");
	int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), newroot = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	must(fchdir(newroot), "fchdir");
	must((int)syscall(SYS_pivot_root, ".", "."), "pivot_root");
	must(fchdir(oldroot), "fchdir");
	must(mount(NULL, ".", NULL, MS_REC | MS_PRIVATE, NULL), "private");
	must(umount2(".", MNT_DETACH), "umount2");
	must(chdir("/"), "chdir");
	execl("/bin/true", "true", (char *)NULL);
	perror("execl");
	return 127;
}
