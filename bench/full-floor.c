/* full-floor: the kernel calls of boxstep's full chain,
 *     cgset --memory 64m --cpus 0.5 --pids 64 -- \
 *     mkns --mount --uts --ipc --pid --net --cgroup --hostname bench -- \
 *     overlaymount --lower LOWER --upper UPPER --work WORK TARGET -- pivot TARGET -- \
 *     capdrop --keep default -- seccompbpf --profile default -- /bin/true
 * made by one C program: the same library code, the same two forks (the cgroup's
 * supervisor, then PID 1 of the new pid namespace), but no exec between stages, no
 * option parsing, no validation. The floor of bench/full.sh: what the chain costs
 * over the kernel calls themselves.
 * Usage: full-floor LOWER UPPER WORK TARGET TOOLKIT_DIR   (as root; exits with
 *        /bin/true's status; BOXSTEP_CGROUP_PARENT as for cgset)
 *        full-floor --oci-seccomp   Docker's allowlist as the "seccomp" object of an
 *        OCI config.json, for runc and crun in bench/full.sh
 * bench/, not a tool: it checks nothing a tool would. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "mount.h"
#include "rootfs.h"
#include "seccomp.h"

static void must(int r, const char *what)
{
	if (r < 0) {
		perror(what);
		_exit(125);
	}
}

static int wait_status(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 125;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static struct sc_filter filter;
static struct bpf_prog prog;

/* The child of PID 1's fork: overlay, pivot, capabilities, seccomp, exec. */
static void container(char **argv)
{
	char root[4096], p[4200], data[16384];
	snprintf(data, sizeof data, "lowerdir=%s,upperdir=%s,workdir=%s", argv[1], argv[2], argv[3]);
	must(realpath(argv[4], root) ? 0 : -1, "realpath");
	must(mount("overlay", root, "overlay", MS_NODEV, data), "overlay");
	must(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "private");
	must(mount(root, root, NULL, MS_BIND | MS_REC, NULL), "bind");
	must(mount_remount(root, MS_NODEV), "nodev");
	snprintf(p, sizeof p, "%s/proc", root);
	must(mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL), "proc");
	must(rootfs_dev(root), "dev");
	snprintf(p, sizeof p, "%s/sys", root);
	must(mount("sysfs", p, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL), "sysfs");
	must(rootfs_mask(root), "masks");
	snprintf(p, sizeof p, "%s/.boxstep/bin", root);
	must(mount(argv[5], p, NULL, MS_BIND, NULL), "tools");
	must(mount_remount(p, MS_RDONLY | MS_NOSUID | MS_NODEV), "tools");
	int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), newroot = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	must(fchdir(newroot), "fchdir");
	must((int)syscall(SYS_pivot_root, ".", "."), "pivot_root");
	must(fchdir(oldroot), "fchdir");
	must(mount(NULL, ".", NULL, MS_REC | MS_PRIVATE, NULL), "private");
	must(umount2(".", MNT_DETACH), "umount2");
	must(chdir("/"), "chdir");
	close(oldroot);
	close(newroot);

	uint64_t keep = caps_docker_default();
	for (int cap = 0; cap <= cap_last_kernel(); cap++)
		if (!(keep >> cap & 1))
			must(caps_bounding_drop(cap), "PR_CAPBSET_DROP");
	must(caps_capset(keep, keep, 0), "capset");

	sc_profile_docker(&filter, SC_ERRNO(EPERM));
	must(sc_compile(&filter, SC_TREE, &prog), "compile");
	must(sc_install(&prog), "seccomp");
	execl("/bin/true", "true", (char *)NULL);
	perror("execl");
	_exit(127);
}

static void oci_seccomp(void)
{
	printf("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1,\n"
	       " \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],\n"
	       " \"syscalls\": [{\"names\": [");
	for (size_t i = 0; i < sc_docker_allow_count; i++)
		printf("%s\"%s\"", i ? ", " : "", sc_docker_allow[i]);
	printf(", \"socket\", \"personality\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
	       "  {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, "
	       "\"value\": 2114060288, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},\n"
	       "  {\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}]}\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--oci-seccomp") == 0) {
		oci_seccomp();
		return 0;
	}
	if (argc != 6) {
		fprintf(stderr, "usage: full-floor LOWER UPPER WORK TARGET TOOLKIT_DIR | full-floor --oci-seccomp\n");
		return 2;
	}
	struct cgroup_limits l;
	struct cgroup cg;
	char why[256], name[64];
	memset(&l, 0, sizeof l);
	if (cgroup_limit_parse(CG_L_MEMORY, "64m", &l, why, sizeof why) < 0 ||
	    cgroup_limit_parse(CG_L_CPUS, "0.5", &l, why, sizeof why) < 0 ||
	    cgroup_limit_parse(CG_L_PIDS, "64", &l, why, sizeof why) < 0)
		return 125;
	const char *parent = getenv("BOXSTEP_CGROUP_PARENT");
	snprintf(name, sizeof name, "boxstep-floor-%d", (int)getpid());
	cgroup_plan(&cg, parent && *parent ? parent : CGROUP_DEFAULT_PARENT, name, &l);
	cgroup_create(&cg, &l);

	pid_t sup = fork();
	must(sup, "fork");
	if (sup == 0) {
		must(cgroup_join(&cg, 0), "join");
		must(unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP),
		     "unshare");
		must(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "private");
		must(sethostname("bench", 5), "sethostname");
		pid_t pid1 = fork();
		must(pid1, "fork");
		if (pid1 == 0)
			container(argv);
		_exit(wait_status(pid1));
	}
	int code = wait_status(sup);
	cgroup_remove(&cg);
	return code;
}
