/* caps: capability names and masks. See caps.h. */
#include "caps.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "parse.h"
#include "sys.h"

/* The generated X-macro list X("CAP_CHOWN", 0) ...: it shares this module's name,
 * so it is included by its path in the build tree. */
#include "cap_table.h"

static const struct {
	const char *macro;
	int value;
} table[] = {
#define CAP_ENTRY(name, value) { name, (value) },
	CAP_TABLE(CAP_ENTRY)
#undef CAP_ENTRY
};
#define TABLE_LEN (sizeof table / sizeof table[0])

static char lower[CAPS_MAX][32]; /* "sys_admin", filled on first use */
static const char *macros[CAPS_MAX];

static void fill_names(void)
{
	static int filled;
	if (filled++)
		return;
	for (size_t i = 0; i < TABLE_LEN; i++) {
		int v = table[i].value;
		if (v < 0 || v >= CAPS_MAX)
			continue;
		macros[v] = table[i].macro;
		const char *s = table[i].macro + 4; /* past "CAP_" */
		size_t j = 0;
		for (; s[j] && j + 1 < sizeof lower[v]; j++)
			lower[v][j] = (char)(s[j] >= 'A' && s[j] <= 'Z' ? s[j] - 'A' + 'a' : s[j]);
		lower[v][j] = '\0';
	}
}

int cap_last_known(void)
{
	int last = -1;
	for (size_t i = 0; i < TABLE_LEN; i++)
		if (table[i].value > last && table[i].value < CAPS_MAX)
			last = table[i].value;
	return last;
}

int cap_last_kernel(void)
{
	static int last = -1;
	char buf[32];
	unsigned long v;
	if (last >= 0)
		return last;
	if (read_file("/proc/sys/kernel/cap_last_cap", buf, sizeof buf) > 0 &&
	    parse_uint(buf, CAPS_MAX - 1, &v) == 0)
		last = (int)v;
	else
		last = cap_last_known();
	return last;
}

uint64_t caps_all_mask(void)
{
	int last = cap_last_kernel();
	return last >= CAPS_MAX - 1 ? UINT64_MAX : (UINT64_C(1) << (last + 1)) - 1;
}

const char *cap_name(int cap)
{
	fill_names();
	return cap >= 0 && cap < CAPS_MAX && macros[cap] ? lower[cap] : NULL;
}

const char *cap_macro(int cap)
{
	fill_names();
	return cap >= 0 && cap < CAPS_MAX ? macros[cap] : NULL;
}

int cap_by_name(const char *name)
{
	unsigned long v;
	fill_names();
	if (strncasecmp(name, "cap_", 4) == 0)
		name += 4;
	if (!*name)
		return -1;
	if (parse_uint(name, CAPS_MAX - 1, &v) == 0)
		return (int)v;
	for (int i = 0; i < CAPS_MAX; i++)
		if (macros[i] && strcasecmp(name, lower[i]) == 0)
			return i;
	return -1;
}

/* Appends text to buf at *len as snprintf would, counting what does not fit. */
static void append(char *buf, size_t size, size_t *len, const char *text)
{
	size_t n = strlen(text);
	if (*len < size) {
		size_t room = size - *len - 1;
		memcpy(buf + *len, text, n < room ? n : room);
		buf[*len + (n < room ? n : room)] = '\0';
	}
	*len += n;
}

/* Appends the name of cap (its number when unnamed), after a comma unless first. */
static void append_cap(char *buf, size_t size, size_t *len, int cap, int first)
{
	char num[12];
	const char *name = cap_name(cap);
	if (!name) {
		snprintf(num, sizeof num, "%d", cap);
		name = num;
	}
	if (!first)
		append(buf, size, len, ",");
	append(buf, size, len, name);
}

size_t caps_format_mask(uint64_t mask, char *buf, size_t size)
{
	size_t len = 0;
	if (size)
		buf[0] = '\0';
	for (int i = 0; i < CAPS_MAX; i++)
		if (mask & (UINT64_C(1) << i))
			append_cap(buf, size, &len, i, len == 0);
	return len;
}

size_t caps_describe_mask(uint64_t mask, int last, char *buf, size_t size)
{
	uint64_t all = last >= CAPS_MAX - 1 ? UINT64_MAX : (UINT64_C(1) << (last + 1)) - 1;
	int set = 0, missing = 0, first = 1;
	char head[32];
	size_t len = 0;
	for (int i = 0; i < CAPS_MAX; i++) {
		set += (int)(mask >> i & 1);
		missing += i <= last && !(mask >> i & 1);
	}
	if (size)
		buf[0] = '\0';
	if (!mask) {
		append(buf, size, &len, "none");
	} else if (!(mask & ~all) && missing < set) {
		snprintf(head, sizeof head, "all %d%s", last + 1, missing ? " but " : "");
		append(buf, size, &len, head);
		for (int i = 0; i <= last; i++)
			if (!(mask >> i & 1)) {
				append_cap(buf, size, &len, i, first);
				first = 0;
			}
	} else {
		snprintf(head, sizeof head, "%d: ", set);
		append(buf, size, &len, head);
		for (int i = 0; i < CAPS_MAX; i++)
			if (mask >> i & 1) {
				append_cap(buf, size, &len, i, first);
				first = 0;
			}
	}
	return len;
}

int caps_parse_hex(const char *s, uint64_t *mask)
{
	uint64_t v = 0;
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0 || n >= 16)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	if (!n)
		return -1;
	*mask = v;
	return 0;
}

struct list_ctx {
	uint64_t mask;
	char *bad;
	size_t badsize;
};

static int add_name(const char *item, void *ctx)
{
	struct list_ctx *c = ctx;
	int cap = cap_by_name(item);
	if (strcasecmp(item, "all") == 0) {
		c->mask |= caps_all_mask();
		return 0;
	}
	if (cap < 0) {
		if (c->bad)
			snprintf(c->bad, c->badsize, "%s", item);
		return -1;
	}
	c->mask |= UINT64_C(1) << cap;
	return 0;
}

int caps_parse_list(const char *list, uint64_t *mask, char *bad, size_t badsize)
{
	struct list_ctx c = { 0, bad, badsize };
	if (bad && badsize)
		bad[0] = '\0';
	if (parse_name_list(list, add_name, &c) < 0)
		return -1;
	*mask = c.mask;
	return 0;
}
