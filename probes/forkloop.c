/* forkloop N: forks up to N children that wait, and says how many it got.
 *
 * Each child blocks on a pipe, so all of them exist at once, as a fork bomb's
 * would. When fork(2) fails (EAGAIN under pids.max) forkloop stops. It prints
 *   forkloop: N children
 * or
 *   forkloop: K children, then fork: Resource temporarily unavailable
 * then lets the children go, waits for them and exits 0 (1 when fork failed). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"

int main(int argc, char **argv)
{
	unsigned long n, got = 0;
	int go[2], err = 0;
	log_init("forkloop");
	if (argc != 2 || parse_uint(argv[1], 100000, &n) < 0 || n == 0)
		usage_error("usage: forkloop N   (1 to 100000 children)");
	if (pipe(go) < 0)
		die("pipe: %s", strerror(errno));
	for (; got < n; got++) {
		pid_t pid = fork();
		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			char byte;
			close(go[1]);
			while (read(go[0], &byte, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
	}
	if (err)
		printf("forkloop: %lu children, then fork: %s\n", got, strerror(err));
	else
		printf("forkloop: %lu children\n", got);
	fflush(stdout);
	close(go[1]); /* EOF: every child exits */
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return err ? 1 : 0;
}
