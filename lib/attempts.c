/* attempts: harmless privileged calls. See attempts.h. */
#include "attempts.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <asm/unistd.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <netinet/in.h>

#include "log.h"
#include "seccomp.h"
#include "table.h"

long attempt_int80_unshare(long flags); /* attempts-abi.c */

static long r(long v) { return v < 0 ? -errno : v; }
static long fd_ret(long fd)
{
	if (fd < 0)
		return -errno;
	close((int)fd);
	return 0;
}

#define NOWHERE "/nonexistent-boxstep"
/* A name one byte longer than the kernel takes (__NEW_UTS_LEN is 64). */
static const char long_name[] = "0123456789012345678901234567890123456789012345678901234567890123X";

static long t_mount(long a) { (void)a; return r(syscall(SYS_mount, "none", "/", NULL, 0, NULL)); }
static long t_umount2(long a) { (void)a; return r(syscall(SYS_umount2, "/", MNT_EXPIRE | MNT_DETACH)); }
static long t_pivot_root(long a) { (void)a; return r(syscall(SYS_pivot_root, NOWHERE, NOWHERE)); }
static long t_open_by_handle_at(long a) { (void)a; return fd_ret(syscall(SYS_open_by_handle_at, AT_FDCWD, (void *)1, O_RDONLY)); }
static long t_kexec_load(long a) { (void)a; return r(syscall(SYS_kexec_load, 0, 0, NULL, ~0UL)); }
static long t_init_module(long a) { (void)a; return r(syscall(SYS_init_module, NULL, 0, "")); }
static long t_finit_module(long a) { (void)a; return r(syscall(SYS_finit_module, -1, "", 0)); }
static long t_delete_module(long a) { (void)a; return r(syscall(SYS_delete_module, NULL, 0)); }
static long t_reboot(long a) { (void)a; return r(syscall(SYS_reboot, 0, 0, 0, NULL)); }
static long t_swapon(long a) { (void)a; return r(syscall(SYS_swapon, NOWHERE, 0)); }
static long t_swapoff(long a) { (void)a; return r(syscall(SYS_swapoff, NOWHERE)); }
static long t_keyctl(long a) { (void)a; return r(syscall(SYS_keyctl, 0x7fffffffL, 0, 0, 0, 0)); }
static long t_add_key(long a) { (void)a; return r(syscall(SYS_add_key, NULL, NULL, NULL, 0, 0)); }
static long t_request_key(long a) { (void)a; return r(syscall(SYS_request_key, NULL, NULL, NULL, 0)); }
static long t_bpf(long a) { (void)a; return fd_ret(syscall(SYS_bpf, 0x7fffffffL, NULL, 0)); }
static long t_perf_event_open(long a) { (void)a; return fd_ret(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0)); }
static long t_unshare(long a) { (void)a; return r(syscall(SYS_unshare, CLONE_NEWUSER | 1)); }
static long t_setns(long a) { (void)a; return r(syscall(SYS_setns, -1, CLONE_NEWNET)); }
static long t_clone3(long a) { (void)a; return r(syscall(SYS_clone3, NULL, 0)); }
static long t_clock_settime(long a) { (void)a; return r(syscall(SYS_clock_settime, 0, (void *)1)); }
static long t_settimeofday(long a) { (void)a; return r(syscall(SYS_settimeofday, (void *)1, NULL)); }
static long t_sethostname(long a) { (void)a; return r(syscall(SYS_sethostname, long_name, sizeof long_name - 1)); }
static long t_setdomainname(long a) { (void)a; return r(syscall(SYS_setdomainname, long_name, sizeof long_name - 1)); }
static long t_acct(long a) { (void)a; return r(syscall(SYS_acct, NOWHERE)); }
static long t_tiocsti(long a) { (void)a; return r(syscall(SYS_ioctl, -1, TIOCSTI, "")); }
static long t_userfaultfd(long a) { (void)a; return fd_ret(syscall(SYS_userfaultfd, ~0U)); }
static long t_iopl(long a) { (void)a; return r(syscall(SYS_iopl, 4)); }
static long t_syslog(long a) { (void)a; return r(syscall(SYS_syslog, 3, NULL, -1)); }
static long t_set_mempolicy(long a) { (void)a; return r(syscall(SYS_set_mempolicy, 0x7fff, NULL, 0)); }
static long t_ptrace(long pid) { return r(syscall(SYS_ptrace, PTRACE_SEIZE, pid ? pid : getppid(), 1, 0)); }

/* clone(2) with a namespace flag and CLONE_FS, a pair the kernel refuses (EINVAL)
 * before it makes a child. Should one be made anyway, it leaves at once. */
static long t_clone(long a)
{
	(void)a;
	long pid = syscall(SYS_clone, CLONE_NEWUSER | CLONE_FS | SIGCHLD, 0, NULL, NULL, 0);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return r(pid);
}

static long t_int80(long a) { (void)a; return attempt_int80_unshare(CLONE_NEWUSER | 1); }
static long t_x32(long a)
{
	(void)a;
#ifdef __X32_SYSCALL_BIT
	return r(syscall(__X32_SYSCALL_BIT | SYS_unshare, CLONE_NEWUSER | 1));
#else
	return -ENOSYS;
#endif
}

static long t_raw_socket(long a) { (void)a; return fd_ret(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP)); }

/* "x" is no number: a sysctl that takes one refuses it with EINVAL. */
static long write_x(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	long n = write(fd, "x", 1);
	n = n < 0 ? -errno : n;
	close(fd);
	return n;
}
static long t_proc_sys(long a) { (void)a; return write_x("/proc/sys/kernel/panic"); }
static long t_sysrq(long a) { (void)a; return fd_ret(open("/proc/sysrq-trigger", O_RDONLY | O_CLOEXEC)); }
static long t_kcore(long a) { (void)a; return fd_ret(open("/proc/kcore", O_RDONLY | O_CLOEXEC)); }
static long t_fd(long fd) { return r(fcntl((int)fd, F_GETFD)); }
/* The first number past the generated table: a syscall newer than the headers
 * (on Linux 6.18 with 6.1 headers, cachestat), given a descriptor of -1. */
static long t_newer(long a)
{
	(void)a;
	return r(syscall(sc_highest() + 1, -1, 0, 0, 0, 0));
}

static const struct attempt table[] = {
	{ "mount", "mount(\"none\", \"/\", NULL, 0, NULL)", EINVAL, "mount any filesystem, the host's disk too", t_mount, 1 },
	{ "umount2", "umount2(\"/\", MNT_EXPIRE|MNT_DETACH)", EINVAL, "unmount what hides host paths", t_umount2, 1 },
	{ "pivot_root", "pivot_root(\"" NOWHERE "\", \"" NOWHERE "\")", ENOENT, "change the root again", t_pivot_root, 1 },
	{ "open_by_handle_at", "open_by_handle_at(AT_FDCWD, 0x1, O_RDONLY)", EFAULT, "open host files by inode (the shocker exploit)", t_open_by_handle_at, 1 },
	{ "kexec_load", "kexec_load(0, 0, NULL, ~0)", EINVAL, "boot another kernel", t_kexec_load, 1 },
	{ "init_module", "init_module(NULL, 0, \"\")", EFAULT, "load code into the kernel", t_init_module, 1 },
	{ "finit_module", "finit_module(-1, \"\", 0)", EBADF, "load code into the kernel", t_finit_module, 1 },
	{ "delete_module", "delete_module(NULL, 0)", EFAULT, "unload a kernel module", t_delete_module, 1 },
	{ "reboot", "reboot(0, 0, 0, NULL)", EINVAL, "reboot the host (or end a pid namespace)", t_reboot, 1 },
	{ "swapon", "swapon(\"" NOWHERE "\", 0)", ENOENT, "swap to a host file", t_swapon, 1 },
	{ "swapoff", "swapoff(\"" NOWHERE "\")", ENOENT, "turn swap off", t_swapoff, 1 },
	{ "keyctl", "keyctl(0x7fffffff, 0, 0, 0, 0)", EOPNOTSUPP, "reach keyrings, not namespaced", t_keyctl, 1 },
	{ "add_key", "add_key(NULL, NULL, NULL, 0, 0)", EFAULT, "add keys to shared keyrings", t_add_key, 1 },
	{ "request_key", "request_key(NULL, NULL, NULL, 0)", EFAULT, "ask the host to make keys", t_request_key, 1 },
	{ "bpf", "bpf(0x7fffffff, NULL, 0)", EINVAL, "load eBPF programs into the kernel", t_bpf, 1 },
	{ "perf_event_open", "perf_event_open(NULL, 0, -1, -1, 0)", EFAULT, "watch every CPU and process", t_perf_event_open, 1 },
	{ "unshare", "unshare(CLONE_NEWUSER|0x1)", EINVAL, "new namespaces: a user namespace gives all capabilities in it", t_unshare, 1 },
	{ "clone", "clone(CLONE_NEWUSER|CLONE_FS|SIGCHLD, 0)", EINVAL, "new namespaces in a child", t_clone, 1 },
	{ "clone3", "clone3(NULL, 0)", EINVAL, "clone with flags the filter cannot read", t_clone3, 1 },
	{ "setns", "setns(-1, CLONE_NEWNET)", EBADF, "join another namespace", t_setns, 1 },
	{ "clock_settime", "clock_settime(CLOCK_REALTIME, 0x1)", EFAULT, "set the host's clock", t_clock_settime, 1 },
	{ "settimeofday", "settimeofday(0x1, NULL)", EFAULT, "set the host's clock", t_settimeofday, 1 },
	{ "sethostname", "sethostname(\"0123...X\", 65)", EINVAL, "rename the host (without a UTS namespace)", t_sethostname, 1 },
	{ "setdomainname", "setdomainname(\"0123...X\", 65)", EINVAL, "rename the NIS domain", t_setdomainname, 1 },
	{ "acct", "acct(\"" NOWHERE "\")", ENOENT, "switch process accounting", t_acct, 1 },
	{ "ioctl-tiocsti", "ioctl(-1, TIOCSTI, \"\")", EBADF, "type into the terminal the container shares", t_tiocsti, 1 },
	{ "userfaultfd", "userfaultfd(~0)", EINVAL, "stall the kernel at will (exploit helper)", t_userfaultfd, 1 },
	{ "iopl", "iopl(4)", EINVAL, "reach I/O ports", t_iopl, 1 },
	{ "syslog", "syslog(SYSLOG_ACTION_READ_ALL, NULL, -1)", EINVAL, "read the kernel log", t_syslog, 1 },
	{ "set_mempolicy", "set_mempolicy(0x7fff, NULL, 0)", EINVAL, "NUMA placement", t_set_mempolicy, 1 },
	{ "ptrace", "ptrace(PTRACE_SEIZE, PID, 0x1, 0)", EIO, "attach to PID (the parent by default)", t_ptrace, 0 },
	{ "int80", "unshare(CLONE_NEWUSER|0x1) through int $0x80 (i386)", EINVAL, "reach the kernel through another ABI", t_int80, 1 },
	{ "x32", "unshare(CLONE_NEWUSER|0x1) as x32 (nr|0x40000000)", EINVAL, "reach the kernel through another ABI", t_x32, 1 },
	{ "raw-socket", "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)", 0, "forge packets (ARP, ICMP) on the network", t_raw_socket, 1 },
	{ "proc-sys", "open(\"/proc/sys/kernel/panic\", O_WRONLY), write(\"x\")", EINVAL, "change the host's kernel settings", t_proc_sys, 1 },
	{ "sysrq-trigger", "open(\"/proc/sysrq-trigger\", O_RDONLY)", 0, "crash or reboot the host", t_sysrq, 1 },
	{ "kcore", "open(\"/proc/kcore\", O_RDONLY)", 0, "read the host's memory", t_kcore, 1 },
	{ "fd", "fcntl(FD, F_GETFD)", 0, "use a descriptor left open by the host", t_fd, 0 },
	{ "newer", "syscall(HIGHEST + 1, -1, 0, 0, 0, 0)", EBADF, "a call the filter's author never saw", t_newer, 0 },
};

const struct attempt *attempts(size_t *count)
{
	*count = sizeof table / sizeof table[0];
	return table;
}

const struct attempt *attempt_find(const char *name)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

int attempt_try(const struct attempt *a, long arg, struct attempt_result *res)
{
	int pipefd[2], status;
	memset(res, 0, sizeof *res);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		long ret = a->run(arg);
		ssize_t w = write(pipefd[1], &ret, sizeof ret);
		_exit(w == (ssize_t)sizeof ret ? 0 : 1);
	}
	close(pipefd[1]);
	ssize_t n = read(pipefd[0], &res->ret, sizeof res->ret);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(status))
		res->signal = WTERMSIG(status);
	else if (n != (ssize_t)sizeof res->ret)
		return -1;
	return 0;
}

const char *attempt_result_str(const struct attempt_result *res, char *buf, size_t size)
{
	const char *name;
	if (res->signal)
		snprintf(buf, size, "killed by %s", signal_name(res->signal));
	else if (res->ret >= 0)
		snprintf(buf, size, "ok");
	else if ((name = errno_name((int)-res->ret)))
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "errno %ld", -res->ret);
	return buf;
}

int attempt_blocked(const struct attempt *a, const struct attempt_result *res)
{
	(void)a;
	return res->signal || res->ret == -EPERM || res->ret == -EACCES || res->ret == -EROFS;
}

static int missing(const struct attempt *a, const struct attempt_result *res)
{
	return !res->signal && ((res->ret == -ENOSYS && a->harmless != ENOSYS) || (res->ret == -ENOENT && !a->harmless));
}

static void append(char *list, size_t size, const char *name)
{
	size_t n = strlen(list);
	snprintf(list + n, size - n, "%s%s", n ? "," : "", name);
}

int attempts_report(int kv)
{
	static const char *const groups[] = { "blocked", "missing", "allowed" };
	char lists[3][1024] = { "", "", "" }, buf[64], count[48];
	int counts[3] = { 0, 0, 0 };
	size_t n;
	const struct attempt *all = attempts(&n);
	for (size_t i = 0; i < n; i++) {
		struct attempt_result res;
		if (!all[i].probe)
			continue;
		if (attempt_try(&all[i], 0, &res) < 0)
			return -1;
		int g = attempt_blocked(&all[i], &res) ? 0 : missing(&all[i], &res) ? 1 : 2;
		append(lists[g], sizeof lists[g], all[i].name);
		counts[g]++;
		if (kv)
			printf("probe.%s=%s\n", all[i].name, attempt_result_str(&res, buf, sizeof buf));
	}
	if (kv) {
		printf("probe.blocked=%s\n", lists[0]);
		return 0;
	}
	printf("probe (privileged calls with harmless arguments: blocked = EPERM, EACCES, EROFS or\n"
	       "killed; missing = ENOSYS or no such file; allowed = the kernel's own harmless error)\n");
	for (int g = 0; g < 3; g++) {
		snprintf(count, sizeof count, "%d", counts[g]);
		table_row_wrapped(groups[g], count, counts[g] ? lists[g] : "-");
	}
	return 0;
}
