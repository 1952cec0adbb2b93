/* caps: capability names and masks. See caps.h. */
#include "caps.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "log.h"
#include "parse.h"
#include "suggest.h"
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

/* Applying sets (capdrop). */

uint64_t caps_docker_default(void)
{
	static const char *const names[] = {
		"chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw", "setgid",
		"setuid", "setfcap", "setpcap", "net_bind_service", "sys_chroot", "kill", "audit_write",
	};
	uint64_t mask = 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		int cap = cap_by_name(names[i]);
		if (cap >= 0)
			mask |= UINT64_C(1) << cap;
	}
	return mask;
}

const char *cap_suggest(const char *name)
{
	struct suggestion s = SUGGESTION_INIT(name);
	fill_names();
	if (strncasecmp(name, "cap_", 4) == 0)
		s.word = name + 4;
	for (int i = 0; i < CAPS_MAX; i++)
		if (macros[i])
			suggest_offer(&s, lower[i]);
	return suggest_best(&s);
}

int caps_read(struct cap_sets *s)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	memset(s, 0, sizeof *s);
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	s->eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	s->prm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	s->inh = (uint64_t)d[1].inheritable << 32 | d[0].inheritable;
	for (int cap = 0; cap <= cap_last_kernel(); cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			s->bnd |= UINT64_C(1) << cap;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1)
			s->amb |= UINT64_C(1) << cap;
	}
	return 0;
}

int caps_no_new_privs_set(void)
{
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
}

static const char *macro_or_number(int cap, char *buf, size_t size)
{
	const char *m = cap_macro(cap);
	if (m)
		return m;
	snprintf(buf, size, "%d", cap);
	return buf;
}

int caps_bounding_drop(int cap)
{
	char n[16];
	return (int)trace_call(prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), "prctl(PR_CAPBSET_DROP, %s)",
			       macro_or_number(cap, n, sizeof n));
}

int caps_keepcaps(int on)
{
	return (int)trace_call(prctl(PR_SET_KEEPCAPS, on, 0, 0, 0), "prctl(PR_SET_KEEPCAPS, %d)", on);
}

/* A set as a trace argument: "chown|kill", or "0". */
static void set_str(char *buf, size_t size, uint64_t mask)
{
	if (!mask)
		snprintf(buf, size, "0");
	else
		caps_format_mask(mask, buf, size);
	for (char *p = buf; *p; p++)
		if (*p == ',')
			*p = '|';
}

int caps_capset(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	char e[700], p[700], i[700];
	for (int w = 0; w < 2; w++) {
		d[w].effective = (uint32_t)(eff >> (32 * w));
		d[w].permitted = (uint32_t)(prm >> (32 * w));
		d[w].inheritable = (uint32_t)(inh >> (32 * w));
	}
	set_str(e, sizeof e, eff);
	set_str(p, sizeof p, prm);
	set_str(i, sizeof i, inh);
	if (prm == eff)
		snprintf(e, sizeof e, "(as permitted)");
	return (int)trace_call(syscall(SYS_capset, &h, d),
			       "capset({_LINUX_CAPABILITY_VERSION_3, 0}, {permitted=%s, effective=%s, inheritable=%s})",
			       p, e, i);
}

int caps_ambient_raise(int cap)
{
	char n[16];
	return (int)trace_call(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0),
			       "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, %s)", macro_or_number(cap, n, sizeof n));
}

int caps_set_no_new_privs(void)
{
	return (int)trace_call(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS, 1)");
}
