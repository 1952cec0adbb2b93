/* tryscall NAME [ARG]: makes one privileged call with arguments that cannot act
 * (lib/attempts: a bad magic number, fd -1, a bad pointer, a path that does not
 * exist) and prints what came back, "mount: EPERM", or "raw-socket: ok".
 * An allowed call shows the kernel's own harmless error (mount: EINVAL); a
 * refused one EPERM; a seccomp kill ends this process (status 159, SIGSYS), as it
 * would end an attacker's. ARG is the pid for ptrace and the descriptor for fd.
 *   tryscall --list      the calls, with what an allowed one returns
 *   tryscall --all       every one, each in a child, one line each */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attempts.h"
#include "log.h"

static void print_result(const struct attempt *a, const struct attempt_result *r)
{
	char buf[64];
	printf("%s: %s\n", a->name, attempt_result_str(r, buf, sizeof buf));
}

int main(int argc, char **argv)
{
	size_t n;
	const struct attempt *all = attempts(&n);
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < n; i++) {
			const char *e = all[i].harmless ? errno_name(all[i].harmless) : "ok";
			printf("%-18s %-56s allowed: %s\n", all[i].name, all[i].call, e ? e : "?");
		}
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--all")) {
		for (size_t i = 0; i < n; i++) {
			struct attempt_result r;
			if (!strcmp(all[i].name, "fd") || !strcmp(all[i].name, "ptrace"))
				continue;
			if (attempt_try(&all[i], 0, &r) < 0) {
				perror("tryscall: fork");
				return 2;
			}
			print_result(&all[i], &r);
		}
		return 0;
	}
	const struct attempt *a = argc >= 2 ? attempt_find(argv[1]) : NULL;
	if (!a || argc > 3) {
		fprintf(stderr, "usage: tryscall NAME [ARG] | --list | --all\n");
		return 2;
	}
	struct attempt_result r = { a->run(argc == 3 ? strtol(argv[2], NULL, 10) : 0), 0 };
	print_result(a, &r);
	return 0;
}
