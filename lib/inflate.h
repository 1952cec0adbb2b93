/* inflate: gzip (RFC 1952) around DEFLATE (RFC 1951), both ways.
 *
 * gunzip is a source: reading from it inflates its own source, member after
 * member (a file of concatenated gzip members reads as one, as gzip -d does),
 * checking each member's CRC-32 and length. gzip_sink is a sink: what is written
 * to it goes on to the next sink as a gzip member, either in "stored" blocks
 * (level 0: framing only) or compressed with the fixed Huffman codes of RFC 1951
 * 3.2.6 and a small LZ77 match finder (level 1). The output is deterministic: the
 * header carries no name and no time, so the same input gives the same digest. */
#ifndef BOXSTEP_INFLATE_H
#define BOXSTEP_INFLATE_H

#include <stdint.h>

#include "stream.h"

/* CRC-32 of RFC 1952 8 (the one of zlib and PNG); start with crc 0. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t n);

#define INFLATE_FASTBITS 10
struct huffman {
	uint16_t count[16];                     /* codes of each length */
	uint16_t symbol[288];                   /* symbols in canonical order */
	uint16_t fast[1 << INFLATE_FASTBITS];   /* length << 9 | symbol, 0: slow path */
};

struct gunzip {
	struct source base;
	struct source *src;
	int raw;                /* a bare DEFLATE stream, no gzip framing */
	unsigned char in[16384];
	size_t in_len, in_pos;
	int in_eof;
	uint64_t in_total;      /* compressed bytes taken, for messages */
	uint64_t bits;
	unsigned nbits;
	unsigned char window[32768];
	uint64_t out_member;    /* bytes out of this member (for distances and ISIZE) */
	uint64_t out_total;
	uint32_t crc;
	int state, final, members;
	unsigned stored_left, copy_len, copy_dist;
	struct huffman lit, dist;
};
void gunzip_init(struct gunzip *z, struct source *src);
/* A raw DEFLATE stream (no gzip header or trailer). */
void gunzip_init_raw(struct gunzip *z, struct source *src);

/* Does this look like gzip (1f 8b)? */
int is_gzip_magic(const unsigned char *p, size_t n);

#define DEFLATE_CHUNK 65536
#define DEFLATE_HASH 32768
struct gzip_sink {
	struct sink base;
	struct sink *next;
	int level;              /* 0 stored, 1 fixed Huffman with LZ77 */
	int started;
	unsigned char chunk[DEFLATE_CHUNK];
	size_t len;
	uint32_t crc;
	uint64_t size;
	uint64_t bits;
	unsigned nbits;
	unsigned char out[DEFLATE_CHUNK * 2];
	size_t out_len;
	int32_t head[DEFLATE_HASH];
	int32_t prev[DEFLATE_CHUNK];
};
void gzip_sink_init(struct gzip_sink *z, struct sink *next, int level);
/* Writes what is pending, the final block and the trailer. */
int gzip_sink_finish(struct gzip_sink *z);

#endif
