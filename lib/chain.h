/* chain: the contract every stage follows (DESIGN.md 1).
 *
 * Options end at the first non-option word or "--"; the rest of argv is the next
 * program, run with chain_exec(): a boxstep stage is found in the toolkit's own
 * directory first, then PATH; a program that is not a stage gets no descriptor above
 * 2 and none of boxstep's internal variables. Supervising tools fork with
 * chain_fork() and wait with chain_supervise(). */
#ifndef BOXSTEP_CHAIN_H
#define BOXSTEP_CHAIN_H

#include <getopt.h>
#include <sys/types.h>

/* The options every tool has; put these last in the getopt_long table and handle
 * them with chain_common_option() in the default: case. The optstring begins with
 * "+:" so parsing stops at the program and a missing argument is reported. */
#define CHAIN_COMMON_LONGOPTS \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ NULL, 0, NULL, 0 }
#define CHAIN_COMMON_SHORTOPTS "hVv"

struct tool {
	const char *name;
	const char *usage; /* one line: --help's first line, usage errors, man SYNOPSIS */
	const char *help;  /* the rest of --help: purpose, options, kernel calls, example */
};

/* Sets the program name for messages and reads the trace environment. */
void chain_init(const struct tool *tool);
/* Handles -h, -V, -v, unknown options and missing arguments; c is getopt's answer.
 * argv is the tool's argv. Exits for everything but -v. */
void chain_common_option(const struct tool *tool, int c, char **argv);
/* Exits 125 when an option that may appear once is given twice (as setpriv does). */
void chain_once(int *seen, const char *option);

/* --kill-after SECS, shared by every supervising tool: refused when given twice
 * or not a number of seconds (0..86400). */
#define CHAIN_KILL_AFTER_DEFAULT 10
unsigned chain_kill_after_option(const char *value, int *seen);

/* The directory holding this tool: the toolkit's own directory. */
const char *chain_toolkit_dir(void);
/* Execs argv (NULL-terminated; empty means /bin/sh) as DESIGN.md 1 says, finding
 * boxstep stages in toolkit_dir (NULL: chain_toolkit_dir()). Never returns: on
 * failure exits 127 (not found) or 126 (found, not executable). */
_Noreturn __attribute__((noreturn)) void chain_exec_in(const char *toolkit_dir, char **argv);
_Noreturn __attribute__((noreturn)) void chain_exec(char **argv);

/* What the last stage does before it execs a program that is not a stage: close
 * every descriptor above 2 but BOXSTEP_PRESERVE_FDS and the trace descriptor, and
 * unset the internal handle variables. A supervisor that stays inside the
 * container (pid1) does it too, so no handle to the host outlives the hand-over;
 * it passes traced 0, having said so before its fork, so that the trace keeps
 * one order whichever process runs first. */
void chain_drop_handles(int traced);

/* chain_exec in two steps, for a stage that must finish every lookup before it
 * restricts itself (seccompbpf: after its filter only execve, write and exit_group
 * need to be allowed). chain_prepare finds the program and, when it is not a
 * stage, closes the descriptors; chain_exec_prepared traces and execs it. */
struct chain_next {
	char **argv;
	char path[4096];
	int err; /* errno of the lookup: 0 when found */
};
void chain_prepare(struct chain_next *next, const char *toolkit_dir, char **argv);
_Noreturn __attribute__((noreturn)) void chain_exec_prepared(const struct chain_next *next);

/* Runs a helper program (newuidmap, ...) to completion: fork, exec from PATH,
 * wait. Returns its exit code (exit_code_of), or 127 when it is not found. */
int chain_run(char **argv);

/* Forks a supervised child. Before forking, the forwarded signals are blocked so
 * none is lost; the child gets its signal mask back and PR_SET_PDEATHSIG(SIGKILL).
 * why is a comment for the trace line. Returns 0 in the child, its pid in the
 * parent; exits 125 when fork fails. */
pid_t chain_fork(const char *why);
/* In the parent: forwards SIGINT SIGTERM SIGHUP SIGQUIT SIGUSR1 SIGUSR2 to child,
 * reaps every child that ends (so it can serve as an init), and returns the main
 * child's status as an exit code: its own, or 128+N when killed by signal N. A
 * terminating signal escalates to SIGKILL after kill_after seconds, or at once when
 * a second one arrives (a PID 1 without a handler ignores SIGTERM). */
int chain_supervise(pid_t child, unsigned kill_after);
/* A wait(2) status as an exit code: the code, or 128+N for signal N. */
int exit_code_of(int status);

#endif
