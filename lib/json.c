/* json: strict RFC 8259. See json.h. */
#include "json.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const unsigned char *s;
	size_t len, pos;
	unsigned line;
	size_t line_start;
	char *err;
	size_t errsize;
	int failed;
};

static unsigned column(const struct parser *p, size_t pos)
{
	unsigned col = 1;
	for (size_t i = p->line_start; i < pos && i < p->len; i++)
		col += (p->s[i] & 0xc0) != 0x80; /* count characters, not UTF-8 bytes */
	return col;
}

static void *error_at(struct parser *p, size_t pos, const char *fmt, ...)
{
	if (p->failed)
		return NULL;
	p->failed = 1;
	int n = snprintf(p->err, p->errsize, "%u:%u: ", p->line, column(p, pos));
	if (n >= 0 && (size_t)n < p->errsize) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errsize - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return NULL;
}

/* "'x'", "the end" or "byte 0x07": what was found instead. */
static const char *found(const struct parser *p, char *buf, size_t size)
{
	if (p->pos >= p->len)
		return "the end of the text";
	unsigned char c = p->s[p->pos];
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, size, "'%c'", c);
	else
		snprintf(buf, size, "byte 0x%02x", c);
	return buf;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		unsigned char c = p->s[p->pos];
		if (c == '\n') {
			p->line++;
			p->line_start = p->pos + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		p->pos++;
	}
}

static struct json *node(struct parser *p, enum json_type t)
{
	struct json *j = calloc(1, sizeof *j);
	if (!j)
		return error_at(p, p->pos, "out of memory");
	j->type = t;
	j->line = p->line;
	j->col = column(p, p->pos);
	return j;
}

static int hex4(const unsigned char *s, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned c = s[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629 4), or 0. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	unsigned c = s[0], cp, n;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (unsigned i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* A string at p->pos (the opening quote); its value in *out, malloc'ed. */
static int string(struct parser *p, char **out, size_t *outlen)
{
	size_t start = p->pos++, cap = 16, n = 0;
	char *o = malloc(cap), fb[16];
	if (!o) {
		error_at(p, start, "out of memory");
		return -1;
	}
	for (;;) {
		if (p->pos >= p->len) {
			error_at(p, start, "string never closed");
			goto bad;
		}
		if (n + 5 > cap) {
			char *b = realloc(o, cap *= 2);
			if (!b) {
				error_at(p, start, "out of memory");
				goto bad;
			}
			o = b;
		}
		unsigned char c = p->s[p->pos];
		if (c == '"') {
			p->pos++;
			o[n] = '\0';
			*out = o;
			*outlen = n;
			return 0;
		}
		if (c < 0x20) {
			error_at(p, p->pos, "control character (%s) in a string: write it as an escape", found(p, fb, sizeof fb));
			goto bad;
		}
		if (c != '\\') {
			size_t l = utf8_len(p->s + p->pos, p->len - p->pos);
			if (!l) {
				error_at(p, p->pos, "invalid UTF-8 in a string (%s)", found(p, fb, sizeof fb));
				goto bad;
			}
			memcpy(o + n, p->s + p->pos, l);
			n += l;
			p->pos += l;
			continue;
		}
		size_t esc = p->pos++;
		if (p->pos >= p->len) {
			error_at(p, start, "string never closed");
			goto bad;
		}
		c = p->s[p->pos++];
		const char *simple = strchr("\"\\/bfnrt", c);
		if (simple && c) {
			static const char to[] = "\"\\/\b\f\n\r\t";
			o[n++] = to[simple - "\"\\/bfnrt"];
			continue;
		}
		unsigned cp, lo;
		if (c != 'u' || p->pos + 4 > p->len || hex4(p->s + p->pos, &cp) < 0) {
			error_at(p, esc, "invalid escape in a string (\\u needs 4 hex digits; others: \\\" \\\\ \\/ \\b \\f \\n \\r \\t)");
			goto bad;
		}
		p->pos += 4;
		if (cp >= 0xdc00 && cp <= 0xdfff) {
			error_at(p, esc, "lone low surrogate \\u%04x in a string", cp);
			goto bad;
		}
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (p->pos + 6 > p->len || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u' ||
			    hex4(p->s + p->pos + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff) {
				error_at(p, esc, "high surrogate \\u%04x not followed by a low one", cp);
				goto bad;
			}
			p->pos += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		if (cp == 0) {
			error_at(p, esc, "\\u0000 in a string is not accepted");
			goto bad;
		}
		n += put_utf8(o + n, cp);
	}
bad:
	free(o);
	return -1;
}

static int digits(struct parser *p)
{
	size_t start = p->pos;
	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
		p->pos++;
	return p->pos > start;
}

static struct json *number(struct parser *p)
{
	size_t start = p->pos;
	char fb[16];
	if (p->s[p->pos] == '-')
		p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '0') {
		p->pos++;
		if (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			return error_at(p, start, "number with a leading zero");
	} else if (!digits(p)) {
		return error_at(p, p->pos, "expected a digit, found %s", found(p, fb, sizeof fb));
	}
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		if (!digits(p))
			return error_at(p, p->pos, "expected a digit after '.', found %s", found(p, fb, sizeof fb));
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (!digits(p))
			return error_at(p, p->pos, "expected a digit in the exponent, found %s", found(p, fb, sizeof fb));
	}
	size_t end = p->pos;
	p->pos = start;
	struct json *j = node(p, JSON_NUMBER);
	p->pos = end;
	if (!j)
		return NULL;
	j->len = end - start;
	j->text = malloc(j->len + 1);
	if (!j->text) {
		free(j);
		return error_at(p, start, "out of memory");
	}
	memcpy(j->text, p->s + start, j->len);
	j->text[j->len] = '\0';
	return j;
}

static int append(struct parser *p, struct json *j, struct json *item, char *key)
{
	if ((j->n & (j->n - 1)) == 0) { /* grow at powers of two */
		size_t cap = j->n ? j->n * 2 : 4;
		struct json **items = realloc(j->items, cap * sizeof *items);
		if (items)
			j->items = items;
		char **keys = j->type == JSON_OBJECT ? realloc(j->keys, cap * sizeof *keys) : NULL;
		if (keys)
			j->keys = keys;
		if (!items || (j->type == JSON_OBJECT && !keys)) {
			error_at(p, p->pos, "out of memory");
			return -1;
		}
	}
	j->items[j->n] = item;
	if (key)
		j->keys[j->n] = key;
	j->n++;
	return 0;
}

static const char *const *sort_keys;
static int by_key(const void *a, const void *b)
{
	return strcmp(sort_keys[*(const size_t *)a], sort_keys[*(const size_t *)b]);
}

/* Duplicate keys: sort an index of the keys, compare neighbours. */
static int check_duplicates(struct parser *p, const struct json *j)
{
	if (j->n < 2)
		return 0;
	size_t *idx = malloc(j->n * sizeof *idx);
	if (!idx) {
		error_at(p, p->pos, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < j->n; i++)
		idx[i] = i;
	sort_keys = (const char *const *)j->keys;
	qsort(idx, j->n, sizeof *idx, by_key);
	for (size_t i = 1; i < j->n; i++)
		if (!strcmp(j->keys[idx[i - 1]], j->keys[idx[i]])) {
			const struct json *second = j->items[idx[i] > idx[i - 1] ? idx[i] : idx[i - 1]];
			const struct json *first = j->items[idx[i] > idx[i - 1] ? idx[i - 1] : idx[i]];
			snprintf(p->err, p->errsize, "%u:%u: duplicate key \"%s\" (first at %u:%u)", second->kline,
				 second->kcol, j->keys[idx[i]], first->kline, first->kcol);
			p->failed = 1;
			free(idx);
			return -1;
		}
	free(idx);
	return 0;
}

static struct json *value(struct parser *p, int depth);

static struct json *container(struct parser *p, int depth, int object)
{
	char fb[16];
	char close = object ? '}' : ']';
	struct json *j = node(p, object ? JSON_OBJECT : JSON_ARRAY);
	if (!j)
		return NULL;
	if (depth >= JSON_DEPTH_MAX) {
		free(j);
		return error_at(p, p->pos, "nested deeper than %d levels", JSON_DEPTH_MAX);
	}
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return j;
	}
	for (;;) {
		char *key = NULL;
		size_t klen;
		unsigned kline = p->line, kcol = column(p, p->pos);
		if (object) {
			if (p->pos >= p->len || p->s[p->pos] != '"') {
				error_at(p, p->pos, "expected a key (a string in double quotes), found %s", found(p, fb, sizeof fb));
				goto bad;
			}
			if (string(p, &key, &klen) < 0)
				goto bad;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				free(key);
				error_at(p, p->pos, "expected ':' after the key, found %s", found(p, fb, sizeof fb));
				goto bad;
			}
			p->pos++;
			skip_ws(p);
		}
		struct json *item = value(p, depth + 1);
		if (item && object) {
			item->kline = kline;
			item->kcol = kcol;
		}
		if (!item || append(p, j, item, key) < 0) {
			free(key);
			json_free(item);
			goto bad;
		}
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			skip_ws(p);
			if (p->pos < p->len && p->s[p->pos] == close) {
				error_at(p, p->pos, "trailing comma before '%c'", close);
				goto bad;
			}
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			if (object && check_duplicates(p, j) < 0)
				goto bad;
			return j;
		}
		error_at(p, p->pos, "expected ',' or '%c' after %s, found %s", close,
			 object ? "an object member" : "an array element", found(p, fb, sizeof fb));
		goto bad;
	}
bad:
	json_free(j);
	return NULL;
}

static struct json *value(struct parser *p, int depth)
{
	char fb[16];
	if (p->pos >= p->len)
		return error_at(p, p->pos, "expected a value, found the end of the text");
	unsigned char c = p->s[p->pos];
	if (c == '{' || c == '[')
		return container(p, depth, c == '{');
	if (c == '"') {
		struct json *j = node(p, JSON_STRING);
		if (j && string(p, &j->text, &j->len) < 0) {
			free(j);
			return NULL;
		}
		return j;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return number(p);
	static const struct {
		const char *word;
		enum json_type t;
		int b;
	} words[] = { { "true", JSON_BOOL, 1 }, { "false", JSON_BOOL, 0 }, { "null", JSON_NULL, 0 } };
	for (size_t i = 0; i < 3; i++) {
		size_t l = strlen(words[i].word);
		if (p->len - p->pos >= l && !memcmp(p->s + p->pos, words[i].word, l)) {
			struct json *j = node(p, words[i].t);
			if (j)
				j->boolean = words[i].b;
			p->pos += l;
			return j;
		}
	}
	return error_at(p, p->pos, "expected a value (object, array, string, number, true, false, null), found %s",
			found(p, fb, sizeof fb));
}

struct json *json_parse(const char *text, size_t len, char *err, size_t errsize)
{
	struct parser p = { (const unsigned char *)text, len, 0, 1, 0, err, errsize, 0 };
	char fb[16];
	if (errsize)
		err[0] = '\0';
	skip_ws(&p);
	struct json *j = value(&p, 0);
	if (!j)
		return NULL;
	skip_ws(&p);
	if (p.pos < p.len) {
		error_at(&p, p.pos, "unexpected %s after the value", found(&p, fb, sizeof fb));
		json_free(j);
		return NULL;
	}
	return j;
}

void json_free(struct json *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n; i++) {
		json_free(j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->text);
	free(j);
}

const char *json_type_name(enum json_type t)
{
	static const char *const names[] = { "null", "a boolean", "a number", "a string", "an array", "an object" };
	return t <= JSON_OBJECT ? names[t] : "?";
}

const struct json *json_get(const struct json *j, const char *key)
{
	if (!j || j->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < j->n; i++)
		if (!strcmp(j->keys[i], key))
			return j->items[i];
	return NULL;
}

const char *json_str(const struct json *j) { return j && j->type == JSON_STRING ? j->text : NULL; }

int json_uint64(const struct json *j, uint64_t *out)
{
	uint64_t v = 0;
	if (!j || j->type != JSON_NUMBER || !j->len)
		return -1;
	for (size_t i = 0; i < j->len; i++) {
		uint64_t digit = (uint64_t)(j->text[i] - '0');
		if (j->text[i] < '0' || j->text[i] > '9' || v > (UINT64_MAX - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	*out = v;
	return 0;
}

/* ---- writer ---- */

void json_writer_init(struct json_writer *w)
{
	memset(w, 0, sizeof *w);
	buf_sink_init(&w->out);
}

static void raw(struct json_writer *w, const char *s, size_t n)
{
	if (sink_write(&w->out.base, s, n) < 0)
		w->bad = 1;
}

/* Before any value: a comma when needed; inside an object only after a key. */
static void before_value(struct json_writer *w)
{
	if (w->in_object[w->depth] && !w->after_key)
		w->bad = 1;
	if (!w->after_key && w->need_comma[w->depth])
		raw(w, ",", 1);
	w->need_comma[w->depth] = 1;
	w->after_key = 0;
}

static void open_container(struct json_writer *w, int object)
{
	before_value(w);
	if (w->depth >= JSON_DEPTH_MAX) {
		w->bad = 1;
		return;
	}
	raw(w, object ? "{" : "[", 1);
	w->depth++;
	w->need_comma[w->depth] = 0;
	w->in_object[w->depth] = (unsigned char)object;
}

void jw_object(struct json_writer *w) { open_container(w, 1); }
void jw_array(struct json_writer *w) { open_container(w, 0); }

void jw_end(struct json_writer *w)
{
	if (w->depth == 0 || w->after_key) {
		w->bad = 1;
		return;
	}
	raw(w, w->in_object[w->depth] ? "}" : "]", 1);
	w->depth--;
}

static void quoted(struct json_writer *w, const char *s, size_t n)
{
	raw(w, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[8];
		const char *m = NULL;
		switch (c) {
		case '"': m = "\\\""; break;
		case '\\': m = "\\\\"; break;
		case '\n': m = "\\n"; break;
		case '\r': m = "\\r"; break;
		case '\t': m = "\\t"; break;
		case '\b': m = "\\b"; break;
		case '\f': m = "\\f"; break;
		default:
			if (c < 0x20) {
				snprintf(e, sizeof e, "\\u%04x", c);
				m = e;
			}
		}
		if (m)
			raw(w, m, strlen(m));
		else
			raw(w, s + i, 1);
	}
	raw(w, "\"", 1);
}

void jw_key(struct json_writer *w, const char *key)
{
	if (!w->in_object[w->depth] || w->after_key)
		w->bad = 1;
	if (w->need_comma[w->depth])
		raw(w, ",", 1);
	w->need_comma[w->depth] = 1;
	quoted(w, key, strlen(key));
	raw(w, ":", 1);
	w->after_key = 1;
}

void jw_stringn(struct json_writer *w, const char *s, size_t n)
{
	before_value(w);
	quoted(w, s, n);
}

void jw_string(struct json_writer *w, const char *s) { jw_stringn(w, s, strlen(s)); }

void jw_uint(struct json_writer *w, uint64_t v)
{
	char b[32];
	before_value(w);
	snprintf(b, sizeof b, "%" PRIu64, v);
	raw(w, b, strlen(b));
}

void jw_int(struct json_writer *w, int64_t v)
{
	char b[32];
	before_value(w);
	snprintf(b, sizeof b, "%" PRId64, v);
	raw(w, b, strlen(b));
}

void jw_bool(struct json_writer *w, int v)
{
	before_value(w);
	raw(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct json_writer *w)
{
	before_value(w);
	raw(w, "null", 4);
}

void jw_value(struct json_writer *w, const struct json *j)
{
	switch (j->type) {
	case JSON_NULL: jw_null(w); break;
	case JSON_BOOL: jw_bool(w, j->boolean); break;
	case JSON_NUMBER:
		before_value(w);
		raw(w, j->text, j->len);
		break;
	case JSON_STRING: jw_stringn(w, j->text, j->len); break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		open_container(w, j->type == JSON_OBJECT);
		for (size_t i = 0; i < j->n; i++) {
			if (j->type == JSON_OBJECT)
				jw_key(w, j->keys[i]);
			jw_value(w, j->items[i]);
		}
		jw_end(w);
		break;
	}
}

char *json_writer_end(struct json_writer *w, size_t *len)
{
	if (w->bad || w->depth || w->after_key || !w->out.len) {
		buf_sink_free(&w->out);
		return NULL;
	}
	char *s = w->out.data;
	*len = w->out.len;
	w->out.data = NULL;
	w->out.len = w->out.cap = 0;
	return s;
}
