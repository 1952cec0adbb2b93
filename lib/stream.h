/* stream: byte sources and sinks that chain, and the one-line failure message.
 *
 * A layer is read as file -> gunzip -> tar, and written as tar -> sha256 -> gzip ->
 * sha256 -> file: each step is a source (pulled from) or a sink (pushed to)
 * wrapping the next. Failures deep in such a chain (a bad gzip block, a short
 * file, a refused tar entry) set one message with fail() or fail_sys() and
 * return -1 up the chain; the tool prints fail_text() as its error line. */
#ifndef BOXSTEP_STREAM_H
#define BOXSTEP_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sha256.h"

/* Sets the failure message (printf format); returns -1. */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same with ": strerror(errno)" appended; returns -1, errno kept. */
int fail_sys(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Puts "prefix: " before the current message (the layer, the file); returns -1. */
int fail_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *fail_text(void);

/* A source: read() returns up to n bytes, 0 at the end, -1 on failure (fail()). */
struct source {
	ssize_t (*read)(struct source *s, void *buf, size_t n);
};
/* A sink: write() takes all n bytes or fails with -1 (fail()). */
struct sink {
	int (*write)(struct sink *s, const void *buf, size_t n);
};

static inline ssize_t source_read(struct source *s, void *buf, size_t n) { return s->read(s, buf, n); }
static inline int sink_write(struct sink *s, const void *buf, size_t n) { return s->write(s, buf, n); }
/* Reads exactly n bytes; a short read is a failure naming what. */
int source_read_full(struct source *s, void *buf, size_t n, const char *what);

/* A file descriptor as a source or a sink; name is for messages. */
struct fd_source {
	struct source base;
	int fd;
	const char *name;
	uint64_t offset;
};
void fd_source_init(struct fd_source *s, int fd, const char *name);
struct fd_sink {
	struct sink base;
	int fd;
	const char *name;
	uint64_t written;
};
void fd_sink_init(struct fd_sink *s, int fd, const char *name);

/* A byte array as a source. */
struct mem_source {
	struct source base;
	const unsigned char *data;
	size_t size, pos;
};
void mem_source_init(struct mem_source *s, const void *data, size_t size);

/* A growing buffer as a sink: data (NUL-terminated for convenience), len. */
struct buf_sink {
	struct sink base;
	char *data;
	size_t len, cap;
};
void buf_sink_init(struct buf_sink *s);
void buf_sink_free(struct buf_sink *s);

/* Passes everything on to next (which may be NULL), counting and hashing it:
 * the digest and size of what went through. */
struct hash_sink {
	struct sink base;
	struct sink *next;
	struct sha256 sha;
	uint64_t size;
};
void hash_sink_init(struct hash_sink *s, struct sink *next);
/* "sha256:<64 hex digits>" of what went through; ends the hash. */
void hash_sink_digest(struct hash_sink *s, char out[72]);

/* The same for a source: what was read from src. */
struct hash_source {
	struct source base;
	struct source *src;
	struct sha256 sha;
	uint64_t size;
};
void hash_source_init(struct hash_source *s, struct source *src);
void hash_source_digest(struct hash_source *s, char out[72]);

#endif
