/* lib/json: valid documents parse and write back; every kind of invalid text is
 * refused with the LINE:COLUMN of the fault. */
#include <stdlib.h>

#include "json.h"
#include "unit.h"

static struct json *parse(const char *text, char *err, size_t size)
{
	return json_parse(text, strlen(text), err, size);
}

/* text parses, and writing it back gives `compact`. */
static void roundtrip(const char *text, const char *compact)
{
	char err[256];
	struct json *j = parse(text, err, sizeof err);
	CHECK(j != NULL);
	if (!j) {
		fprintf(stderr, "  %s: %s\n", text, err);
		return;
	}
	struct json_writer w;
	size_t len;
	json_writer_init(&w);
	jw_value(&w, j);
	char *out = json_writer_end(&w, &len);
	CHECK_STR(out, compact);
	free(out);
	json_free(j);
}

static void refused(const char *text, const char *want)
{
	char err[256];
	struct json *j = parse(text, err, sizeof err);
	CHECK(j == NULL);
	json_free(j);
	if (!j && strcmp(err, want)) {
		unit_failures++;
		fprintf(stderr, "for %s\n  got      \"%s\"\n  expected \"%s\"\n", text, err, want);
	}
}

static void valid(void)
{
	roundtrip("{}", "{}");
	roundtrip(" [ ] ", "[]");
	roundtrip("0", "0");
	roundtrip("-0.5e+10", "-0.5e+10");
	roundtrip("\"\"", "\"\"");
	roundtrip("[true, false, null, 1, \"x\"]", "[true,false,null,1,\"x\"]");
	roundtrip("{\n  \"schemaVersion\": 2,\n  \"layers\": [ {\"size\": 18446744073709551615} ]\n}",
		  "{\"schemaVersion\":2,\"layers\":[{\"size\":18446744073709551615}]}");
	/* escapes come out decoded, and go back as the writer escapes them */
	roundtrip("\"a\\\"b\\\\c\\/d\\n\\t\\u0041\\u00e9\\u20ac\\ud83d\\ude00\"", "\"a\\\"b\\\\c/d\\n\\tA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	roundtrip("\"\\u001f\"", "\"\\u001f\"");
	roundtrip("\"caf\xc3\xa9\"", "\"caf\xc3\xa9\"");

	char err[128];
	struct json *j = parse("{\"a\": {\"b\": [1, 2]}, \"s\": \"x\", \"n\": 42, \"f\": 4.2, \"neg\": -1}", err, sizeof err);
	CHECK(j != NULL);
	const struct json *a = json_get(j, "a");
	CHECK(a && a->type == JSON_OBJECT && a->line == 1 && a->col == 7);
	CHECK(json_get(a, "b") && json_get(a, "b")->n == 2);
	CHECK(json_get(j, "missing") == NULL);
	CHECK(json_get(json_get(j, "s"), "x") == NULL); /* not an object */
	CHECK_STR(json_str(json_get(j, "s")), "x");
	CHECK(json_str(json_get(j, "n")) == NULL);
	uint64_t v = 0;
	CHECK(json_uint64(json_get(j, "n"), &v) == 0 && v == 42);
	CHECK(json_uint64(json_get(j, "f"), &v) < 0);
	CHECK(json_uint64(json_get(j, "neg"), &v) < 0);
	CHECK(json_uint64(json_get(j, "s"), &v) < 0);
	json_free(j);

	/* configs write UINT64_MAX for "unlimited"; one more is too many */
	j = parse("[18446744073709551615, 18446744073709551616]", err, sizeof err);
	CHECK(j && json_uint64(j->items[0], &v) == 0 && v == UINT64_MAX);
	CHECK(j && json_uint64(j->items[1], &v) < 0);
	json_free(j);

	/* positions are lines and characters, not bytes */
	j = parse("[\n  \"\xc3\xa9\xc3\xa9\", true]", err, sizeof err);
	CHECK(j && j->items[1]->line == 2 && j->items[1]->col == 9);
	json_free(j);

	/* a million nested arrays would overflow the stack: 100 is the limit */
	char deep[2 * JSON_DEPTH_MAX + 1];
	memset(deep, '[', JSON_DEPTH_MAX);
	memset(deep + JSON_DEPTH_MAX, ']', JSON_DEPTH_MAX);
	deep[2 * JSON_DEPTH_MAX] = '\0';
	j = parse(deep, err, sizeof err);
	CHECK(j != NULL);
	json_free(j);
}

static void invalid(void)
{
	refused("", "1:1: expected a value, found the end of the text");
	refused("  \n ", "2:2: expected a value, found the end of the text");
	refused("{\"a\": 1,}", "1:9: trailing comma before '}'");
	refused("[1, 2,\n]", "2:1: trailing comma before ']'");
	refused("{\"a\" 1}", "1:6: expected ':' after the key, found '1'");
	refused("{\n  \"a\": 1\n  \"b\": 2\n}", "3:3: expected ',' or '}' after an object member, found '\"'");
	refused("[1 2]", "1:4: expected ',' or ']' after an array element, found '2'");
	refused("{a: 1}", "1:2: expected a key (a string in double quotes), found 'a'");
	refused("{\"a\": 1, \"b\": 2, \"a\": 3}", "1:18: duplicate key \"a\" (first at 1:2)");
	refused("// comment\n{}", "1:1: expected a value (object, array, string, number, true, false, null), found '/'");
	refused("{} x", "1:4: unexpected 'x' after the value");
	refused("{}{}", "1:3: unexpected '{' after the value");
	refused("01", "1:1: number with a leading zero");
	refused("-", "1:2: expected a digit, found the end of the text");
	refused("1.", "1:3: expected a digit after '.', found the end of the text");
	refused("1e", "1:3: expected a digit in the exponent, found the end of the text");
	refused("NaN", "1:1: expected a value (object, array, string, number, true, false, null), found 'N'");
	refused("tru", "1:1: expected a value (object, array, string, number, true, false, null), found 't'");
	refused("\"abc", "1:1: string never closed");
	refused("\"a\tb\"", "1:3: control character (byte 0x09) in a string: write it as an escape");
	refused("\"\\x\"", "1:2: invalid escape in a string (\\u needs 4 hex digits; others: \\\" \\\\ \\/ \\b \\f \\n \\r \\t)");
	refused("\"\\u12\"", "1:2: invalid escape in a string (\\u needs 4 hex digits; others: \\\" \\\\ \\/ \\b \\f \\n \\r \\t)");
	refused("\"\\ud800\"", "1:2: high surrogate \\ud800 not followed by a low one");
	refused("\"\\udc00\"", "1:2: lone low surrogate \\udc00 in a string");
	refused("\"\\u0000\"", "1:2: \\u0000 in a string is not accepted");
	refused("\"\xc3\x28\"", "1:2: invalid UTF-8 in a string (byte 0xc3)");
	refused("\"\xc0\xaf\"", "1:2: invalid UTF-8 in a string (byte 0xc0)");          /* overlong '/' */
	refused("\"\xed\xa0\x80\"", "1:2: invalid UTF-8 in a string (byte 0xed)");      /* a surrogate */
	refused("\"\xf4\x90\x80\x80\"", "1:2: invalid UTF-8 in a string (byte 0xf4)");  /* > U+10FFFF */
	refused("\xef\xbb\xbf{}", "1:1: expected a value (object, array, string, number, true, false, null), found byte 0xef");
	refused("[\"\xc3\xa9\", x]", "1:7: expected a value (object, array, string, number, true, false, null), found 'x'");

	char deep[2 * JSON_DEPTH_MAX + 3];
	memset(deep, '[', JSON_DEPTH_MAX + 1);
	memset(deep + JSON_DEPTH_MAX + 1, ']', JSON_DEPTH_MAX + 1);
	deep[2 * JSON_DEPTH_MAX + 2] = '\0';
	refused(deep, "1:101: nested deeper than 100 levels");

	/* a NUL byte inside the given length is not the end of the text */
	char err[128];
	CHECK(json_parse("{}\0{}", 5, err, sizeof err) == NULL);
	CHECK_STR(err, "1:3: unexpected byte 0x00 after the value");
}

static void writer(void)
{
	struct json_writer w;
	size_t len;
	json_writer_init(&w);
	jw_object(&w);
	jw_key(&w, "schemaVersion");
	jw_uint(&w, 2);
	jw_key(&w, "env");
	jw_array(&w);
	jw_string(&w, "PATH=/bin");
	jw_string(&w, "Q=\"quoted\"\n");
	jw_end(&w);
	jw_key(&w, "neg");
	jw_int(&w, -5);
	jw_key(&w, "t");
	jw_bool(&w, 1);
	jw_key(&w, "z");
	jw_null(&w);
	jw_end(&w);
	char *s = json_writer_end(&w, &len);
	CHECK_STR(s, "{\"schemaVersion\":2,\"env\":[\"PATH=/bin\",\"Q=\\\"quoted\\\"\\n\"],\"neg\":-5,\"t\":true,\"z\":null}");
	CHECK(s && len == strlen(s));
	char err[64];
	struct json *j = s ? json_parse(s, len, err, sizeof err) : NULL;
	CHECK(j && !strcmp(json_str(json_get(j, "env")->items[1]), "Q=\"quoted\"\n"));
	json_free(j);
	free(s);

	/* misuse: a value where a key is due, an unclosed object */
	json_writer_init(&w);
	jw_object(&w);
	jw_string(&w, "no key");
	jw_end(&w);
	CHECK(json_writer_end(&w, &len) == NULL);
	json_writer_init(&w);
	jw_object(&w);
	CHECK(json_writer_end(&w, &len) == NULL);
}

int main(void)
{
	valid();
	invalid();
	writer();
	return unit_report("json");
}
