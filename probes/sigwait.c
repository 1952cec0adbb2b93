/* sigwait [--ignore-term]: says "ready", waits for a signal, reports it.
 *
 * Prints "ready" on stdout (one write(2), so a test reading a pipe knows when to
 * signal), waits for SIGINT SIGTERM SIGHUP SIGQUIT SIGUSR1 or SIGUSR2, prints
 * "got SIGNAME" and exits 128+N. With --ignore-term it ignores SIGTERM, as a PID 1
 * without a handler does, so only SIGKILL ends it. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static void say(const char *text)
{
	ssize_t w = write(1, text, strlen(text));
	(void)w;
}

static void on_signal(int sig) { (void)sig; }

int main(int argc, char **argv)
{
	static const int waited[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
	int ignore_term = 0;
	log_init("sigwait");
	if (argc == 2 && strcmp(argv[1], "--ignore-term") == 0)
		ignore_term = 1;
	else if (argc != 1)
		usage_error("usage: sigwait [--ignore-term]");

	sigset_t set;
	sigemptyset(&set);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal; /* a handler: as PID 1 the kernel drops SIG_DFL signals */
	for (size_t i = 0; i < sizeof waited / sizeof waited[0]; i++) {
		if (ignore_term && waited[i] == SIGTERM) {
			signal(SIGTERM, SIG_IGN);
			continue;
		}
		sigaction(waited[i], &sa, NULL);
		sigaddset(&set, waited[i]);
	}
	sigprocmask(SIG_BLOCK, &set, NULL);
	say("ready\n");

	int sig;
	while ((sig = sigwaitinfo(&set, NULL)) < 0)
		;
	char line[64];
	snprintf(line, sizeof line, "got %s\n", signal_name(sig));
	say(line);
	return 128 + sig;
}
