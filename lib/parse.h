/* parse: the value shapes every tool shares (util-linux style). Each returns 0, or
 * -1 for input that does not fit; the caller names the option in its error. */
#ifndef BOXSTEP_PARSE_H
#define BOXSTEP_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* A decimal number 0..max. */
int parse_uint(const char *s, unsigned long max, unsigned long *out);
/* A process ID: 1 to PID_LIMIT, the largest /proc/sys/kernel/pid_max can be (proc(5)). */
#define PID_LIMIT 4194304
int parse_pid(const char *s, int *out);
/* A decimal number, maybe negative (time offsets). */
int parse_long(const char *s, long *out);
/* "3,4,10": up to max numbers. */
int parse_uint_list(const char *s, unsigned *out, size_t max, size_t *count);
void sort_uints(unsigned *v, size_t n);

/* An id map range "INSIDE:OUTSIDE:COUNT", as uid_map(5) lines and unshare's
 * --map-users take it. */
struct id_range {
	unsigned long inside, outside, count;
};
int parse_id_range(const char *s, struct id_range *out);

/* A size: "67108864", "64K", "64M", "1.5G", "2T" (powers of 1024, any case, an
 * optional trailing B), or "max" (SIZE_UNLIMITED). */
#define SIZE_UNLIMITED UINT64_MAX
int parse_size(const char *s, uint64_t *out);
/* A CPU count as docker's --cpus takes it: "0.5", "2", to millionths. */
int parse_cpus(const char *s, uint64_t *micro_cpus);

/* A comma-separated list: calls each(item, ctx) for every item; items are copied
 * into a buffer, so each is NUL-terminated. Empty items are refused. Returns -1
 * when an item is empty or each() returns < 0. */
int parse_name_list(const char *s, int (*each)(const char *item, void *ctx), void *ctx);

#endif
