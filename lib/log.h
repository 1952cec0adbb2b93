/* log: error lines, hints and trace lines (DESIGN.md 3 and 4).
 *
 * Every kernel call a tool makes goes through trace_call(): it formats the call
 * strace-style, prints it in trace mode with its result, and remembers it, so the
 * error line (die_call) names exactly the call that failed. */
#ifndef BOXSTEP_LOG_H
#define BOXSTEP_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#define BOXSTEP_VERSION "0.1.0"

/* Exit statuses (DESIGN.md 2). */
enum { EXIT_TOOL_FAILED = 125, EXIT_CANNOT_EXEC = 126, EXIT_NOT_FOUND = 127 };

/* Reads BOXSTEP_TRACE and BOXSTEP_TRACE_FD; name prefixes every line. */
void log_init(const char *name);
const char *log_prog(void);
void log_enable_trace(void); /* -v: trace this tool only, not the rest of the chain */
bool trace_enabled(void);
/* The BOXSTEP_TRACE_FD descriptor, or -1 when trace goes to stderr. */
int trace_fd_number(void);

/* "prog: TEXT" in trace mode. */
void trace_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: # TEXT": what a tool detected or decided. */
void trace_comment(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Records the call described by fmt and its result ret (errno when ret < 0), prints
 * "prog: CALL = ret" or "prog: CALL = -1 EPERM (Operation not permitted)" in trace
 * mode, and returns ret with errno preserved. */
long trace_call(long ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* trace_call with a comment after the result: "clone() = 42    # why". */
long trace_call_why(long ret, const char *why, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "SIGTERM" for SIGTERM. */
const char *signal_name(int sig);

/* "prog: LASTCALL: strerror(errno)" plus the matching hint; exits 125. */
_Noreturn __attribute__((noreturn)) void die_call(void);
/* Same as die_call, naming a detected condition for the hint table. */
_Noreturn __attribute__((noreturn)) void die_call_because(const char *condition);
/* "prog: TEXT"; exits 125. */
_Noreturn __attribute__((noreturn)) void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: TEXT" then "Try 'prog --help'."; exits 125. */
_Noreturn __attribute__((noreturn)) void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the error line for the last call without exiting (for reporting children). */
void report_call(void);
/* Prints the hint-table row matching the last call and errno, or condition, if any. */
void hint_for_last_call(const char *condition);

/* "EPERM" for EPERM; NULL when unknown. */
const char *errno_name(int err);
/* The description of the last traced call. */
const char *last_call(void);

/* Appends a C string to buf as a quoted, escaped literal ("..."), as strace shows it. */
void quote_str(char *buf, unsigned long size, const char *s);

#endif
