/* stream: sources, sinks and the failure message. See stream.h. */
#include "stream.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char message[1024];

int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	return -1;
}

int fail_sys(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof message)
		snprintf(message + n, sizeof message - (size_t)n, ": %s", strerror(err));
	errno = err;
	return -1;
}

int fail_prefix(const char *fmt, ...)
{
	char prefix[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	size_t pl = strlen(prefix), ml = strlen(message);
	if (pl + 2 + ml >= sizeof message)
		ml = sizeof message - pl - 3;
	memmove(message + pl + 2, message, ml);
	memcpy(message, prefix, pl);
	memcpy(message + pl, ": ", 2);
	message[pl + 2 + ml] = '\0';
	return -1;
}

const char *fail_text(void) { return message; }

int source_read_full(struct source *s, void *buf, size_t n, const char *what)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = source_read(s, (char *)buf + got, n - got);
		if (r < 0)
			return -1;
		if (r == 0)
			return fail("%s: unexpected end of data (%zu of %zu bytes)", what, got, n);
		got += (size_t)r;
	}
	return 0;
}

static ssize_t fd_read(struct source *base, void *buf, size_t n)
{
	struct fd_source *s = (struct fd_source *)base;
	for (;;) {
		ssize_t r = read(s->fd, buf, n);
		if (r >= 0) {
			s->offset += (uint64_t)r;
			return r;
		}
		if (errno != EINTR)
			return fail_sys("read(\"%s\")", s->name);
	}
}

void fd_source_init(struct fd_source *s, int fd, const char *name)
{
	s->base.read = fd_read;
	s->fd = fd;
	s->name = name;
	s->offset = 0;
}

static int fd_write(struct sink *base, const void *buf, size_t n)
{
	struct fd_sink *s = (struct fd_sink *)base;
	const char *p = buf;
	while (n) {
		ssize_t r = write(s->fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail_sys("write(\"%s\")", s->name);
		p += r, n -= (size_t)r;
		s->written += (uint64_t)r;
	}
	return 0;
}

void fd_sink_init(struct fd_sink *s, int fd, const char *name)
{
	s->base.write = fd_write;
	s->fd = fd;
	s->name = name;
	s->written = 0;
}

static ssize_t mem_read(struct source *base, void *buf, size_t n)
{
	struct mem_source *s = (struct mem_source *)base;
	size_t left = s->size - s->pos;
	if (n > left)
		n = left;
	memcpy(buf, s->data + s->pos, n);
	s->pos += n;
	return (ssize_t)n;
}

void mem_source_init(struct mem_source *s, const void *data, size_t size)
{
	s->base.read = mem_read;
	s->data = data;
	s->size = size;
	s->pos = 0;
}

static int buf_write(struct sink *base, const void *data, size_t n)
{
	struct buf_sink *s = (struct buf_sink *)base;
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 256;
		while (cap < s->len + n + 1)
			cap *= 2;
		char *p = realloc(s->data, cap);
		if (!p)
			return fail("out of memory (%zu bytes)", cap);
		s->data = p;
		s->cap = cap;
	}
	memcpy(s->data + s->len, data, n);
	s->len += n;
	s->data[s->len] = '\0';
	return 0;
}

void buf_sink_init(struct buf_sink *s)
{
	s->base.write = buf_write;
	s->data = NULL;
	s->len = s->cap = 0;
}

void buf_sink_free(struct buf_sink *s)
{
	free(s->data);
	buf_sink_init(s);
}

static int hash_write(struct sink *base, const void *buf, size_t n)
{
	struct hash_sink *s = (struct hash_sink *)base;
	sha256_update(&s->sha, buf, n);
	s->size += n;
	return s->next ? sink_write(s->next, buf, n) : 0;
}

void hash_sink_init(struct hash_sink *s, struct sink *next)
{
	s->base.write = hash_write;
	s->next = next;
	s->size = 0;
	sha256_init(&s->sha);
}

static void digest_of(struct sha256 *sha, char out[72])
{
	unsigned char d[32];
	sha256_final(sha, d);
	memcpy(out, "sha256:", 7);
	sha256_hex(d, out + 7);
}

void hash_sink_digest(struct hash_sink *s, char out[72]) { digest_of(&s->sha, out); }

static ssize_t hash_read(struct source *base, void *buf, size_t n)
{
	struct hash_source *s = (struct hash_source *)base;
	ssize_t r = source_read(s->src, buf, n);
	if (r > 0) {
		sha256_update(&s->sha, buf, (size_t)r);
		s->size += (uint64_t)r;
	}
	return r;
}

void hash_source_init(struct hash_source *s, struct source *src)
{
	s->base.read = hash_read;
	s->src = src;
	s->size = 0;
	sha256_init(&s->sha);
}

void hash_source_digest(struct hash_source *s, char out[72]) { digest_of(&s->sha, out); }
