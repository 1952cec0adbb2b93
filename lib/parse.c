/* parse: sizes, numbers, id maps, lists. See parse.h. */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_pid(const char *s, int *out)
{
	unsigned long v;
	if (parse_uint(s, PID_LIMIT, &v) < 0 || v == 0)
		return -1;
	*out = (int)v;
	return 0;
}

int parse_long(const char *s, long *out)
{
	if (!s || !*s)
		return -1;
	const char *digits = (*s == '-' || *s == '+') ? s + 1 : s;
	if (!isdigit((unsigned char)*digits))
		return -1;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int parse_uint_list(const char *s, unsigned *out, size_t max, size_t *count)
{
	*count = 0;
	while (*s) {
		char *end;
		if (!isdigit((unsigned char)*s) || *count == max)
			return -1;
		errno = 0;
		unsigned long v = strtoul(s, &end, 10);
		if (errno || v > 0x7fffffffUL || (*end && *end != ','))
			return -1;
		out[(*count)++] = (unsigned)v;
		s = *end ? end + 1 : end;
		if (*end && !*s)
			return -1;
	}
	return 0;
}

void sort_uints(unsigned *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			unsigned t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

int parse_id_range(const char *s, struct id_range *out)
{
	char buf[64];
	if (strlen(s) >= sizeof buf)
		return -1;
	strcpy(buf, s);
	char *a = buf, *b = strchr(a, ':');
	if (!b)
		return -1;
	*b++ = '\0';
	char *c = strchr(b, ':');
	if (!c)
		return -1;
	*c++ = '\0';
	if (parse_uint(a, 0xfffffffeUL, &out->inside) || parse_uint(b, 0xfffffffeUL, &out->outside) ||
	    parse_uint(c, 0xffffffffUL, &out->count) || out->count == 0 ||
	    out->inside + out->count - 1 > 0xfffffffeUL || out->outside + out->count - 1 > 0xfffffffeUL)
		return -1;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	if (strcasecmp(s, "max") == 0) {
		*out = SIZE_UNLIMITED;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s)
		return -1;
	double unit = 1;
	switch (toupper((unsigned char)*end)) {
	case 'K': unit = 1024.0; end++; break;
	case 'M': unit = 1024.0 * 1024; end++; break;
	case 'G': unit = 1024.0 * 1024 * 1024; end++; break;
	case 'T': unit = 1024.0 * 1024 * 1024 * 1024; end++; break;
	}
	if (toupper((unsigned char)*end) == 'B' && (unit > 1 || end[1] == '\0'))
		end++;
	if (*end)
		return -1;
	v *= unit;
	if (v >= 18446744073709549568.0)
		return -1;
	*out = (uint64_t)v;
	if (unit == 1 && (double)*out != v)
		return -1; /* a fraction of a byte */
	return 0;
}

int parse_cpus(const char *s, uint64_t *micro_cpus)
{
	if (!isdigit((unsigned char)*s) && *s != '.')
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || v <= 0 || v > 100000)
		return -1;
	*micro_cpus = (uint64_t)(v * 1000000 + 0.5);
	return *micro_cpus ? 0 : -1;
}

int parse_name_list(const char *s, int (*each)(const char *item, void *ctx), void *ctx)
{
	char item[256];
	for (;;) {
		size_t len = strcspn(s, ",");
		if (len == 0 || len >= sizeof item)
			return -1;
		memcpy(item, s, len);
		item[len] = '\0';
		if (each(item, ctx) < 0)
			return -1;
		if (!s[len])
			return 0;
		s += len + 1;
	}
}
