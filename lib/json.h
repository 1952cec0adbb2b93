/* json: a small strict JSON reader and writer (RFC 8259).
 *
 * Strict means: no comments, no trailing commas, no leading zeros, no NaN, no
 * control characters in strings, only valid UTF-8 and escapes, no lone
 * surrogates, no duplicate keys in an object (two parsers that pick different
 * copies of a key is how a manifest can say one thing to a checker and another to
 * a runtime), at most JSON_DEPTH_MAX levels of nesting, and nothing but white
 * space after the value. A refusal names its place as LINE:COLUMN (both from 1,
 * columns counted in characters): "3:17: expected ',' or '}' after a member". */
#ifndef BOXSTEP_JSON_H
#define BOXSTEP_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "stream.h"

#define JSON_DEPTH_MAX 100

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	unsigned line, col;  /* where the value starts */
	unsigned kline, kcol; /* for a member of an object: where its key starts */
	int boolean;
	char *text;          /* a string's value (no NUL inside), or a number as written */
	size_t len;
	struct json **items; /* an array's elements, or an object's values */
	char **keys;         /* an object's keys, in order */
	size_t n;
};

/* Parses text[0..len); NULL on failure, with "LINE:COL: what" in err. */
struct json *json_parse(const char *text, size_t len, char *err, size_t errsize);
void json_free(struct json *j);
const char *json_type_name(enum json_type t);

/* The member key of an object; NULL when absent or j is not an object. */
const struct json *json_get(const struct json *j, const char *key);
/* A string value, or NULL when j is absent or not a string. */
const char *json_str(const struct json *j);
/* A non-negative integer written without fraction or exponent: 0, or -1. */
int json_uint64(const struct json *j, uint64_t *out);

/* The writer: compact output (no spaces), keys in the order written. Misuse
 * (a value where a key is due, unbalanced ends) is caught by json_writer_end. */
struct json_writer {
	struct buf_sink out;
	int depth;
	unsigned char need_comma[JSON_DEPTH_MAX + 1];
	unsigned char in_object[JSON_DEPTH_MAX + 1];
	int after_key, bad;
};
void json_writer_init(struct json_writer *w);
void jw_object(struct json_writer *w);
void jw_array(struct json_writer *w);
void jw_end(struct json_writer *w);
void jw_key(struct json_writer *w, const char *key);
void jw_string(struct json_writer *w, const char *s);
void jw_stringn(struct json_writer *w, const char *s, size_t n);
void jw_uint(struct json_writer *w, uint64_t v);
void jw_int(struct json_writer *w, int64_t v);
void jw_bool(struct json_writer *w, int v);
void jw_null(struct json_writer *w);
/* A parsed value, written back. */
void jw_value(struct json_writer *w, const struct json *j);
/* The text (malloc'ed, NUL-terminated; length in *len), or NULL on misuse. */
char *json_writer_end(struct json_writer *w, size_t *len);

#endif
