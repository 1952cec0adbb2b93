/* orphans N: leaves N orphans to the pid namespace's init and counts the zombies.
 *
 * A middle child forks N grandchildren and exits; the grandchildren, now orphans,
 * are re-parented to the nearest subreaper or to PID 1 (pid_namespaces(7)), and
 * exit once the middle child is gone. Until someone wait(2)s for them they stay
 * zombies (state Z, <defunct> in ps). orphans waits on a pipe until all N have
 * exited, gives the reaper up to one second (it acts asynchronously), and prints
 *   zombies: K
 * where K counts the grandchildren still unreaped. Run as PID 1 itself (mkns --pid
 * --mount-proc -- orphans 20) nobody reaps: K is N. Under pid1, K is 0. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"
#include "sys.h"

#define MAX_ORPHANS 1000

/* 1 when /proc/PID/stat shows state Z (the field after the command's ')'). */
static int is_zombie(pid_t pid)
{
	char path[64], stat[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (read_file(path, stat, sizeof stat) < 0)
		return 0; /* reaped: gone from /proc */
	char *end = strrchr(stat, ')');
	return end && end[1] == ' ' && end[2] == 'Z';
}

static int count_zombies(const pid_t *pids, size_t n)
{
	int k = 0;
	for (size_t i = 0; i < n; i++)
		k += is_zombie(pids[i]);
	return k;
}

/* The grandchild: tells its pid through done, waits for the middle child to be
 * gone (EOF on go), exits. Its end of done closes as it exits. */
static _Noreturn void grandchild(int go, int done)
{
	pid_t me = getpid();
	char byte;
	if (write(done, &me, sizeof me) != (ssize_t)sizeof me)
		_exit(1);
	while (read(go, &byte, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static _Noreturn void middle(size_t n, int done)
{
	int go[2];
	if (pipe(go) < 0)
		_exit(1);
	for (size_t i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			_exit(1);
		if (pid == 0) {
			close(go[1]);
			grandchild(go[0], done);
		}
	}
	_exit(0); /* closes go: the grandchildren, orphans now, exit */
}

int main(int argc, char **argv)
{
	unsigned long n;
	log_init("orphans");
	if (argc != 2 || parse_uint(argv[1], MAX_ORPHANS, &n) < 0 || n == 0)
		usage_error("usage: orphans N   (1 to %d orphans)", MAX_ORPHANS);

	char self[32];
	ssize_t len = readlink("/proc/self", self, sizeof self - 1);
	self[len > 0 ? len : 0] = '\0';
	if (atoi(self) != getpid())
		warn("/proc belongs to another pid namespace: the count may be wrong (use mkns --mount-proc)");

	/* SIG_IGN for SIGCHLD would make the kernel reap on its own (wait(2)). */
	signal(SIGCHLD, SIG_DFL);
	int done[2];
	if (pipe2(done, O_CLOEXEC) < 0)
		die("pipe2: %s", strerror(errno));
	pid_t mid = fork();
	if (mid < 0)
		die("fork: %s", strerror(errno));
	if (mid == 0) {
		close(done[0]);
		middle(n, done[1]);
	}
	close(done[1]);

	static pid_t pids[MAX_ORPHANS];
	size_t got = 0;
	ssize_t r;
	char *p = (char *)pids;
	/* Each grandchild writes its pid; EOF means every one has exited. */
	while ((r = read(done[0], p, sizeof pids - (size_t)(p - (char *)pids))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read: %s", strerror(errno));
		p += r;
	}
	got = (size_t)(p - (char *)pids) / sizeof(pid_t);
	waitpid(mid, NULL, 0); /* only the middle child: the orphans are not for us */
	if (got != n)
		die("only %zu of %lu orphans started", got, n);

	/* The reaper works asynchronously: give it up to a second to reach 0. */
	struct timespec start, now, tick = { 0, 10 * 1000 * 1000 };
	clock_gettime(CLOCK_MONOTONIC, &start);
	int zombies;
	for (;;) {
		zombies = count_zombies(pids, got);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (zombies == 0 || now.tv_sec - start.tv_sec + (now.tv_nsec - start.tv_nsec) / 1e9 >= 1.0)
			break;
		nanosleep(&tick, NULL);
	}
	printf("zombies: %d\n", zombies);
	return 0;
}
