/* lib/seccomp and lib/bpf: the compiled programs agree with the rule tables for
 * every syscall number, through the interpreter (the kernel's semantics); the
 * argument tests read the low 32 bits; other ABIs are refused; Docker's profile,
 * checked against the generated syscall table; path lengths; TSYNC.
 * Prints "refused: NAME" for each syscall the default profile refuses, and
 * "not in the table: NAME" for each Docker name this ABI lacks, for
 * tests/seccompbpf.bats to compare; exits 1 when a check fails. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/version.h>

#include "attempts.h"
#include "seccomp.h"

static int checks, failures;
#define CHECK(cond, ...) \
	do { \
		checks++; \
		if (!(cond)) { \
			failures++; \
			fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
		} \
	} while (0)

static struct sc_filter f;
static struct bpf_prog tree, linear;

static uint32_t run(const struct bpf_prog *p, uint32_t arch, uint32_t nr, int arg, uint64_t value)
{
	struct seccomp_data d;
	memset(&d, 0, sizeof d);
	d.arch = arch;
	d.nr = (int)nr;
	if (arg >= 0)
		d.args[arg] = value;
	return bpf_run(p, &d, sizeof d, NULL, NULL);
}

/* Every number, named or not, gets what the table says, in both layouts. */
static void agree(const char *label)
{
	char a[40], b[40];
	for (int n = 0; n <= sc_highest() + 40; n++) {
		const struct sc_rule *r = &f.rule[n];
		uint32_t want = n > sc_highest() || !sc_name(n) ? f.unknown : r->test == SC_NO_TEST ? r->ret :
			r->test == SC_ANY_BIT ? r->ret : r->ret;
		if (r->test == SC_ONE_OF && n <= sc_highest() && sc_name(n)) {
			int zero_listed = 0;
			for (int i = 0; i < r->nvalues; i++)
				zero_listed |= r->value[i] == 0;
			if (zero_listed)
				want = r->match_ret;
		}
		uint32_t got = run(&tree, AUDIT_ARCH_X86_64, (uint32_t)n, -1, 0);
		CHECK(got == want, "%s: nr %d (%s): tree says %s, the table %s", label, n, sc_name(n) ? sc_name(n) : "-",
		      sc_ret_str(got, a, sizeof a), sc_ret_str(want, b, sizeof b));
		if (sc_name(n)) {
			got = run(&linear, AUDIT_ARCH_X86_64, (uint32_t)n, -1, 0);
			CHECK(got == want, "%s: nr %d (%s): linear says %s, the table %s", label, n, sc_name(n),
			      sc_ret_str(got, a, sizeof a), sc_ret_str(want, b, sizeof b));
		}
	}
}

static void compile_both(const char *label)
{
	CHECK(sc_compile(&f, SC_TREE, &tree) == 0, "%s: tree", label);
	CHECK(sc_compile(&f, SC_LINEAR, &linear) == 0, "%s: linear", label);
	CHECK(bpf_longest_path(&tree) > 0 && bpf_longest_path(&linear) > 0, "%s: a jump leaves the program", label);
	agree(label);
}

static void *waiter(void *arg)
{
	int *fds = arg;
	char c;
	long ret = read(fds[0], &c, 1) == 1 ? attempt_find("mount")->run(0) : -1;
	return (void *)ret;
}

/* A filter installed by one thread reaches the others (TSYNC). In a child, so the
 * filter stays there. */
static int tsync(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fds[2];
		pthread_t t;
		void *ret;
		if (pipe(fds) < 0 || pthread_create(&t, NULL, waiter, fds) != 0)
			_exit(2);
		sc_filter_init(&f, SC_ALLOW, SC_ALLOW, SC_ERRNO(EXDEV));
		sc_rule_set(&f, sc_nr("mount"), f.action);
		if (sc_compile(&f, SC_TREE, &tree) < 0 || sc_install(&tree) < 0)
			_exit(3);
		if (write(fds[1], "x", 1) != 1 || pthread_join(t, &ret) != 0)
			_exit(4);
		_exit((long)ret == -EXDEV ? 0 : 5);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 6;
}

int main(void)
{
	char a[40];

	/* Docker's names against the generated table. */
	for (size_t i = 0; i < sc_docker_allow_count; i++)
		if (sc_nr(sc_docker_allow[i]) < 0)
			printf("not in the table: %s\n", sc_docker_allow[i]);

	sc_profile_docker(&f, SC_ERRNO(EPERM));
	compile_both("default profile");
	int refused = 0;
	for (int n = 0; n <= sc_highest(); n++) {
		if (!sc_name(n) || f.rule[n].test != SC_NO_TEST || f.rule[n].ret == SC_ALLOW)
			continue;
		printf("refused: %s %s\n", sc_name(n), sc_ret_str(f.rule[n].ret, a, sizeof a));
		refused++;
	}
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0) && LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
	CHECK(refused == 67, "Docker's profile refuses %d syscalls of the 6.1 headers, not 67", refused);
#endif
	CHECK(bpf_longest_path(&tree) <= 60, "longest path %d", bpf_longest_path(&tree));
	printf("default profile: %zu instructions, longest path %d; linear %zu, longest path %d\n", tree.len,
	       bpf_longest_path(&tree), linear.len, bpf_longest_path(&linear));

	/* Arguments: the low 32 bits, as the kernel reads an int. */
	int clone = sc_nr("clone"), ioctl = sc_nr("ioctl"), personality = sc_nr("personality");
	CHECK(run(&tree, AUDIT_ARCH_X86_64, clone, 0, SIGCHLD) == SC_ALLOW, "clone(SIGCHLD)");
	CHECK(run(&tree, AUDIT_ARCH_X86_64, clone, 0, CLONE_NEWUSER | SIGCHLD) == SC_ERRNO(EPERM), "clone(NEWUSER)");
	CHECK(run(&tree, AUDIT_ARCH_X86_64, clone, 0, CLONE_NEWNET) == SC_ERRNO(EPERM), "clone(NEWNET)");
	CHECK(run(&tree, AUDIT_ARCH_X86_64, clone, 0, 0x80 | SIGCHLD) == SC_ALLOW, "clone's 0x80 is the exit signal byte");
	CHECK(run(&tree, AUDIT_ARCH_X86_64, ioctl, 1, TIOCSTI) == SC_ERRNO(EPERM), "TIOCSTI");
	CHECK(run(&tree, AUDIT_ARCH_X86_64, ioctl, 1, (UINT64_C(1) << 32) | TIOCSTI) == SC_ERRNO(EPERM),
	      "TIOCSTI with high bits: the kernel takes an unsigned int");
	CHECK(run(&tree, AUDIT_ARCH_X86_64, ioctl, 1, TIOCGWINSZ) == SC_ALLOW, "TIOCGWINSZ");
	CHECK(run(&tree, AUDIT_ARCH_X86_64, personality, 0, 0xffffffff) == SC_ALLOW, "personality query");
	CHECK(run(&tree, AUDIT_ARCH_X86_64, personality, 0, 0x0400000) == SC_ERRNO(EPERM), "ADDR_NO_RANDOMIZE");
	CHECK(run(&tree, AUDIT_ARCH_X86_64, sc_nr("socket"), 0, 40) == SC_ERRNO(EPERM), "AF_VSOCK");
	CHECK(run(&tree, AUDIT_ARCH_X86_64, sc_nr("socket"), 0, 2) == SC_ALLOW, "AF_INET");

	/* Other ABIs. */
	CHECK(run(&tree, AUDIT_ARCH_I386, sc_nr("getpid"), -1, 0) == SECCOMP_RET_KILL_PROCESS, "i386");
	CHECK(run(&tree, AUDIT_ARCH_X86_64, 0x40000000 | sc_nr("getpid"), -1, 0) == SC_ERRNO(EPERM), "x32");

	/* --deny-ns on an allow-all filter; unshare's flags include CLONE_NEWTIME. */
	sc_filter_init(&f, SC_ALLOW, SC_ALLOW, SC_ERRNO(EPERM));
	sc_deny_namespaces(&f);
	compile_both("--deny-ns");
	CHECK(run(&tree, AUDIT_ARCH_X86_64, sc_nr("unshare"), 0, CLONE_NEWTIME) == SC_ERRNO(EPERM), "unshare(NEWTIME)");
	CHECK(run(&tree, AUDIT_ARCH_X86_64, sc_nr("unshare"), 0, CLONE_FILES) == SC_ALLOW, "unshare(FILES)");
	CHECK(run(&tree, AUDIT_ARCH_X86_64, sc_nr("clone3"), -1, 0) == SC_ERRNO(ENOSYS), "clone3");

	/* Denylists of 10, 50 and 300 rules: the tree's path grows with log(rules). */
	static const int sizes[] = { 10, 50, 300 };
	for (int s = 0; s < 3; s++) {
		sc_filter_init(&f, SC_ALLOW, SC_ALLOW, SC_ERRNO(EPERM));
		for (int n = 0, k = 0; k < sizes[s] && n <= sc_highest(); n += 1)
			if (sc_name(n) && n % 6 != 5) {
				sc_rule_set(&f, n, f.action);
				k++;
			}
		compile_both("denylist");
		printf("%d rules: tree %d, linear %d\n", sizes[s], bpf_longest_path(&tree), bpf_longest_path(&linear));
		CHECK(bpf_longest_path(&tree) <= 30, "%d rules: tree path %d", sizes[s], bpf_longest_path(&tree));
		CHECK(bpf_longest_path(&linear) > sizes[s], "%d rules: linear path %d", sizes[s], bpf_longest_path(&linear));
	}

	CHECK(tsync() == 0, "TSYNC: the other thread's mount was not refused (%d)", tsync());
	printf("seccomp: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
