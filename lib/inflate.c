/* inflate: gzip and DEFLATE, both ways. See inflate.h.
 *
 * The decoder follows RFC 1951 3.2 as Mark Adler's puff.c lays it out (canonical
 * codes kept as a count per length and the symbols in code order), with a lookup
 * table for the codes of up to INFLATE_FASTBITS bits so that most symbols take one
 * step. It keeps its place between reads (a stored block, a pending copy), so a tar
 * reader can pull a layer through it without the whole layer in memory. */
#include "inflate.h"

#include <string.h>

/* ---- CRC-32 (RFC 1952 8) ---- */

static uint32_t crc_table[256];

uint32_t crc32_update(uint32_t crc, const void *data, size_t n)
{
	if (!crc_table[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			crc_table[i] = c;
		}
	const unsigned char *p = data;
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ---- tables of RFC 1951 3.2.5 ---- */

static const uint16_t len_base[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
				       35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
				       3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t dist_base[30] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
					257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
					8193, 12289, 16385, 24577 };
static const uint8_t dist_extra[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
					7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

static unsigned reverse(unsigned code, unsigned len)
{
	unsigned r = 0;
	while (len--) {
		r = r << 1 | (code & 1);
		code >>= 1;
	}
	return r;
}

/* Builds the canonical code for lengths[0..n). Returns 0 for a complete code, > 0
 * for an incomplete one, < 0 for an over-subscribed one (RFC 1951 3.2.2). */
static int build(struct huffman *h, const unsigned char *lengths, unsigned n)
{
	uint16_t offs[16], next[16];
	memset(h->count, 0, sizeof h->count);
	memset(h->fast, 0, sizeof h->fast);
	for (unsigned s = 0; s < n; s++)
		h->count[lengths[s]]++;
	if (h->count[0] == n)
		return 0;
	int left = 1;
	for (unsigned len = 1; len < 16; len++) {
		left <<= 1;
		left -= h->count[len];
		if (left < 0)
			return left;
	}
	offs[1] = 0;
	for (unsigned len = 1; len < 15; len++)
		offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
	unsigned code = 0;
	for (unsigned len = 1; len < 16; len++) {
		code = (code + (len > 1 ? h->count[len - 1] : 0)) << 1;
		next[len] = (uint16_t)code;
	}
	for (unsigned s = 0; s < n; s++) {
		unsigned len = lengths[s];
		if (!len)
			continue;
		h->symbol[offs[len]++] = (uint16_t)s;
		unsigned c = next[len]++;
		if (len <= INFLATE_FASTBITS)
			for (unsigned r = reverse(c, len); r < 1u << INFLATE_FASTBITS; r += 1u << len)
				h->fast[r] = (uint16_t)(len << 9 | s);
	}
	return left;
}

/* ---- the decoder ---- */

enum { S_HEADER, S_BLOCK, S_STORED, S_HUFF, S_TRAILER, S_NEXT, S_DONE };

static uint64_t at(const struct gunzip *z) { return z->in_total - z->nbits / 8; }

static int fill(struct gunzip *z)
{
	while (z->nbits <= 56) {
		if (z->in_pos == z->in_len) {
			if (z->in_eof)
				return 0;
			ssize_t r = source_read(z->src, z->in, sizeof z->in);
			if (r < 0)
				return -1;
			if (r == 0) {
				z->in_eof = 1;
				return 0;
			}
			z->in_len = (size_t)r;
			z->in_pos = 0;
		}
		z->bits |= (uint64_t)z->in[z->in_pos++] << z->nbits;
		z->nbits += 8;
		z->in_total++;
	}
	return 0;
}

static int truncated(const struct gunzip *z)
{
	return fail("gzip: unexpected end of data at byte %llu (truncated?)", (unsigned long long)at(z));
}

static int getbits(struct gunzip *z, unsigned n, unsigned *v)
{
	if (z->nbits < n) {
		if (fill(z) < 0)
			return -1;
		if (z->nbits < n)
			return truncated(z);
	}
	*v = (unsigned)(z->bits & ((1ull << n) - 1));
	z->bits >>= n;
	z->nbits -= n;
	return 0;
}

static void align(struct gunzip *z)
{
	unsigned drop = z->nbits % 8;
	z->bits >>= drop;
	z->nbits -= drop;
}

static int decode(struct gunzip *z, const struct huffman *h, unsigned *sym)
{
	if (z->nbits < 15 && fill(z) < 0)
		return -1;
	unsigned e = h->fast[z->bits & ((1u << INFLATE_FASTBITS) - 1)];
	if (e && (e >> 9) <= z->nbits) {
		z->bits >>= e >> 9;
		z->nbits -= e >> 9;
		*sym = e & 511;
		return 0;
	}
	int code = 0, first = 0, index = 0;
	for (unsigned len = 1; len < 16; len++) {
		if (len > z->nbits)
			return truncated(z);
		code |= (int)((z->bits >> (len - 1)) & 1);
		int count = h->count[len];
		if (code - count < first) {
			z->bits >>= len;
			z->nbits -= len;
			*sym = h->symbol[index + (code - first)];
			return 0;
		}
		index += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	return fail("gzip: invalid Huffman code at byte %llu", (unsigned long long)at(z));
}

static int header(struct gunzip *z)
{
	unsigned b[10], v, flags;
	for (int i = 0; i < 10; i++)
		if (getbits(z, 8, &b[i]) < 0)
			return -1;
	if (b[0] != 0x1f || b[1] != 0x8b)
		return fail("gzip: not gzip data (magic %02x %02x at byte %llu, expected 1f 8b)",
			    b[0], b[1], (unsigned long long)(at(z) - 10));
	if (b[2] != 8)
		return fail("gzip: unknown compression method %u (8 is deflate)", b[2]);
	flags = b[3];
	if (flags & 0xe0)
		return fail("gzip: reserved header flags set (0x%02x)", flags);
	if (flags & 4) { /* FEXTRA */
		unsigned lo, hi;
		if (getbits(z, 8, &lo) < 0 || getbits(z, 8, &hi) < 0)
			return -1;
		for (unsigned n = lo | hi << 8; n; n--)
			if (getbits(z, 8, &v) < 0)
				return -1;
	}
	for (unsigned f = 8; f <= 16; f <<= 1) /* FNAME, FCOMMENT: zero-terminated */
		if (flags & f)
			do
				if (getbits(z, 8, &v) < 0)
					return -1;
			while (v);
	if (flags & 2 && getbits(z, 16, &v) < 0) /* FHCRC */
		return -1;
	z->members++;
	z->out_member = 0;
	z->crc = 0;
	return 0;
}

static int block_start(struct gunzip *z)
{
	static const unsigned char order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };
	unsigned char lengths[320];
	unsigned v, nlen, ndist, ncode;
	if (getbits(z, 3, &v) < 0)
		return -1;
	z->final = v & 1;
	switch (v >> 1) {
	case 0: {
		unsigned len, inv;
		align(z);
		if (getbits(z, 16, &len) < 0 || getbits(z, 16, &inv) < 0)
			return -1;
		if (len != (~inv & 0xffff))
			return fail("gzip: stored block length %u does not match its complement at byte %llu",
				    len, (unsigned long long)at(z));
		z->stored_left = len;
		z->state = S_STORED;
		return 0;
	}
	case 1:
		for (unsigned s = 0; s < 288; s++)
			lengths[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
		build(&z->lit, lengths, 288);
		for (unsigned s = 0; s < 30; s++)
			lengths[s] = 5;
		build(&z->dist, lengths, 30);
		z->state = S_HUFF;
		return 0;
	case 2:
		break;
	default:
		return fail("gzip: invalid block type 3 at byte %llu", (unsigned long long)at(z));
	}
	if (getbits(z, 5, &nlen) < 0 || getbits(z, 5, &ndist) < 0 || getbits(z, 4, &ncode) < 0)
		return -1;
	nlen += 257, ndist += 1, ncode += 4;
	if (nlen > 286 || ndist > 30)
		return fail("gzip: bad dynamic block header (%u literal/length, %u distance codes)", nlen, ndist);
	memset(lengths, 0, 19);
	for (unsigned i = 0; i < ncode; i++) {
		if (getbits(z, 3, &v) < 0)
			return -1;
		lengths[order[i]] = (unsigned char)v;
	}
	if (build(&z->lit, lengths, 19) != 0)
		return fail("gzip: incomplete code-length code at byte %llu", (unsigned long long)at(z));
	for (unsigned i = 0; i < nlen + ndist;) {
		unsigned sym, rep, fill_with = 0;
		if (decode(z, &z->lit, &sym) < 0)
			return -1;
		if (sym < 16) {
			lengths[i++] = (unsigned char)sym;
			continue;
		}
		if (sym == 16) {
			if (!i)
				return fail("gzip: repeated code length with none before it");
			fill_with = lengths[i - 1];
			if (getbits(z, 2, &rep) < 0)
				return -1;
			rep += 3;
		} else if (sym == 17) {
			if (getbits(z, 3, &rep) < 0)
				return -1;
			rep += 3;
		} else {
			if (getbits(z, 7, &rep) < 0)
				return -1;
			rep += 11;
		}
		if (i + rep > nlen + ndist)
			return fail("gzip: code lengths overflow the dynamic block header");
		while (rep--)
			lengths[i++] = (unsigned char)fill_with;
	}
	if (!lengths[256])
		return fail("gzip: dynamic block without an end-of-block code");
	int err = build(&z->lit, lengths, nlen);
	if (err && (err < 0 || nlen != z->lit.count[0] + z->lit.count[1]))
		return fail("gzip: bad literal/length code at byte %llu", (unsigned long long)at(z));
	err = build(&z->dist, lengths + nlen, ndist);
	if (err && (err < 0 || ndist != z->dist.count[0] + z->dist.count[1]))
		return fail("gzip: bad distance code at byte %llu", (unsigned long long)at(z));
	z->state = S_HUFF;
	return 0;
}

static int trailer(struct gunzip *z)
{
	unsigned b[8];
	align(z);
	for (int i = 0; i < 8; i++)
		if (getbits(z, 8, &b[i]) < 0)
			return -1;
	uint32_t crc = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	uint32_t size = b[4] | b[5] << 8 | b[6] << 16 | (uint32_t)b[7] << 24;
	if (crc != z->crc)
		return fail("gzip: CRC-32 mismatch in member %d: stored %08x, computed %08x", z->members,
			    (unsigned)crc, (unsigned)z->crc);
	if (size != (uint32_t)z->out_member)
		return fail("gzip: length mismatch in member %d: stored %u, inflated %llu", z->members,
			    (unsigned)size, (unsigned long long)z->out_member);
	return 0;
}

static ssize_t gunzip_read(struct source *base, void *buf, size_t n)
{
	struct gunzip *z = (struct gunzip *)base;
	unsigned char *out = buf;
	size_t got = 0, crc_from = 0;
	unsigned v, sym;
	while (got < n && z->state != S_DONE) {
		switch (z->state) {
		case S_HEADER:
			if (!z->raw && header(z) < 0)
				return -1;
			z->state = S_BLOCK;
			break;
		case S_BLOCK:
			if (block_start(z) < 0)
				return -1;
			break;
		case S_STORED:
			if (!z->stored_left) {
				z->state = z->final ? S_TRAILER : S_BLOCK;
				break;
			}
			if (getbits(z, 8, &v) < 0)
				return -1;
			z->stored_left--;
			goto put;
		case S_HUFF:
			if (z->copy_len) {
				v = z->window[(z->out_member - z->copy_dist) & 32767];
				z->copy_len--;
				goto put;
			}
			if (decode(z, &z->lit, &sym) < 0)
				return -1;
			if (sym < 256) {
				v = sym;
				goto put;
			}
			if (sym == 256) {
				z->state = z->final ? S_TRAILER : S_BLOCK;
				break;
			}
			sym -= 257;
			if (sym >= 29)
				return fail("gzip: invalid length symbol %u at byte %llu", sym + 257, (unsigned long long)at(z));
			if (getbits(z, len_extra[sym], &v) < 0)
				return -1;
			z->copy_len = len_base[sym] + v;
			if (decode(z, &z->dist, &sym) < 0)
				return -1;
			if (sym >= 30)
				return fail("gzip: invalid distance symbol %u at byte %llu", sym, (unsigned long long)at(z));
			if (getbits(z, dist_extra[sym], &v) < 0)
				return -1;
			z->copy_dist = dist_base[sym] + v;
			if (z->copy_dist > z->out_member)
				return fail("gzip: distance %u too far back (only %llu bytes out) at byte %llu", z->copy_dist,
					    (unsigned long long)z->out_member, (unsigned long long)at(z));
			break;
		case S_TRAILER:
			z->crc = crc32_update(z->crc, out + crc_from, got - crc_from);
			crc_from = got;
			if (z->raw) {
				z->state = S_DONE;
				break;
			}
			if (trailer(z) < 0)
				return -1;
			z->state = S_NEXT;
			break;
		case S_NEXT: /* another member, or the end */
			if (z->nbits < 16 && fill(z) < 0)
				return -1;
			if (z->nbits == 0) {
				z->state = S_DONE;
				break;
			}
			if ((z->bits & 0xffff) != 0x8b1f || z->nbits < 16)
				return fail("gzip: %s after the last member at byte %llu",
					    z->nbits < 16 || (z->bits & 0xff) != 0x1f ? "trailing garbage" : "a bad member header",
					    (unsigned long long)at(z));
			z->state = S_HEADER;
			break;
		}
		continue;
	put:
		z->window[z->out_member & 32767] = (unsigned char)v;
		z->out_member++;
		z->out_total++;
		out[got++] = (unsigned char)v;
	}
	z->crc = crc32_update(z->crc, out + crc_from, got - crc_from);
	return (ssize_t)got;
}

void gunzip_init(struct gunzip *z, struct source *src)
{
	memset(z, 0, sizeof *z);
	z->base.read = gunzip_read;
	z->src = src;
	z->state = S_HEADER;
}

void gunzip_init_raw(struct gunzip *z, struct source *src)
{
	gunzip_init(z, src);
	z->raw = 1;
}

int is_gzip_magic(const unsigned char *p, size_t n) { return n >= 2 && p[0] == 0x1f && p[1] == 0x8b; }

/* ---- the encoder ---- */

static void put_bits(struct gzip_sink *z, unsigned v, unsigned n)
{
	z->bits |= (uint64_t)v << z->nbits;
	z->nbits += n;
	while (z->nbits >= 8) {
		z->out[z->out_len++] = (unsigned char)z->bits;
		z->bits >>= 8;
		z->nbits -= 8;
	}
}

static void put_align(struct gzip_sink *z)
{
	if (z->nbits)
		put_bits(z, 0, 8 - z->nbits);
}

static int flush_out(struct gzip_sink *z)
{
	int r = z->out_len ? sink_write(z->next, z->out, z->out_len) : 0;
	z->out_len = 0;
	return r;
}

/* RFC 1951 3.2.6: the fixed literal/length code, sent most significant bit first. */
static void put_literal(struct gzip_sink *z, unsigned sym)
{
	if (sym < 144)
		put_bits(z, reverse(0x30 + sym, 8), 8);
	else if (sym < 256)
		put_bits(z, reverse(0x190 + sym - 144, 9), 9);
	else if (sym < 280)
		put_bits(z, reverse(sym - 256, 7), 7);
	else
		put_bits(z, reverse(0xc0 + sym - 280, 8), 8);
}

static void put_match(struct gzip_sink *z, unsigned len, unsigned dist)
{
	unsigned k = 28, d = 29;
	while (len_base[k] > len)
		k--;
	put_literal(z, 257 + k);
	put_bits(z, len - len_base[k], len_extra[k]);
	while (dist_base[d] > dist)
		d--;
	put_bits(z, reverse(d, 5), 5);
	put_bits(z, dist - dist_base[d], dist_extra[d]);
}

static unsigned hash3(const unsigned char *p)
{
	return ((unsigned)p[0] << 16 | (unsigned)p[1] << 8 | p[2]) * 2654435761u >> 17 & (DEFLATE_HASH - 1);
}

static void insert(struct gzip_sink *z, size_t pos)
{
	if (pos + 3 > z->len)
		return;
	unsigned h = hash3(z->chunk + pos);
	z->prev[pos] = z->head[h];
	z->head[h] = (int32_t)pos;
}

/* One fixed-Huffman block for the chunk: literals and matches found through
 * hash chains of three-byte prefixes, looking back at most 32 KiB and 32 links. */
static void fixed_block(struct gzip_sink *z)
{
	const unsigned char *c = z->chunk;
	put_bits(z, 2, 3); /* BFINAL 0, BTYPE 01 */
	for (size_t i = 0; i < DEFLATE_HASH; i++)
		z->head[i] = -1;
	for (size_t i = 0; i < z->len;) {
		size_t best = 0, best_dist = 0;
		if (i + 3 <= z->len) {
			size_t max = z->len - i < 258 ? z->len - i : 258;
			int32_t j = z->head[hash3(c + i)];
			for (int chain = 0; j >= 0 && chain < 32 && i - (size_t)j <= 32768; chain++, j = z->prev[j]) {
				size_t l = 0;
				while (l < max && c[(size_t)j + l] == c[i + l])
					l++;
				if (l > best) {
					best = l;
					best_dist = i - (size_t)j;
					if (l == max)
						break;
				}
			}
		}
		if (best >= 3) {
			put_match(z, (unsigned)best, (unsigned)best_dist);
			for (size_t k = 0; k < best; k++)
				insert(z, i + k);
			i += best;
		} else {
			put_literal(z, c[i]);
			insert(z, i);
			i++;
		}
	}
	put_literal(z, 256);
}

static void stored_blocks(struct gzip_sink *z)
{
	for (size_t off = 0; off < z->len; off += 65535) {
		size_t n = z->len - off < 65535 ? z->len - off : 65535;
		put_bits(z, 0, 3); /* BFINAL 0, BTYPE 00 */
		put_align(z);
		put_bits(z, (unsigned)n, 16);
		put_bits(z, (unsigned)~n & 0xffff, 16);
		memcpy(z->out + z->out_len, z->chunk + off, n);
		z->out_len += n;
	}
}

static int start(struct gzip_sink *z)
{
	/* ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=3 (Unix): no name, no time. */
	static const unsigned char head[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	z->started = 1;
	return sink_write(z->next, head, sizeof head);
}

static int flush_chunk(struct gzip_sink *z)
{
	if (!z->len)
		return 0;
	z->crc = crc32_update(z->crc, z->chunk, z->len);
	if (z->level)
		fixed_block(z);
	else
		stored_blocks(z);
	z->len = 0;
	return flush_out(z);
}

static int gzip_write(struct sink *base, const void *buf, size_t n)
{
	struct gzip_sink *z = (struct gzip_sink *)base;
	const unsigned char *p = buf;
	if (!z->started && start(z) < 0)
		return -1;
	z->size += n;
	while (n) {
		size_t take = DEFLATE_CHUNK - z->len < n ? DEFLATE_CHUNK - z->len : n;
		memcpy(z->chunk + z->len, p, take);
		z->len += take, p += take, n -= take;
		if (z->len == DEFLATE_CHUNK && flush_chunk(z) < 0)
			return -1;
	}
	return 0;
}

void gzip_sink_init(struct gzip_sink *z, struct sink *next, int level)
{
	z->base.write = gzip_write;
	z->next = next;
	z->level = level;
	z->started = 0;
	z->len = z->out_len = 0;
	z->crc = 0;
	z->size = 0;
	z->bits = 0;
	z->nbits = 0;
}

int gzip_sink_finish(struct gzip_sink *z)
{
	if ((!z->started && start(z) < 0) || flush_chunk(z) < 0)
		return -1;
	if (z->level) {
		put_bits(z, 3, 3); /* BFINAL 1, BTYPE 01, then only the end-of-block code */
		put_literal(z, 256);
	} else {
		put_bits(z, 1, 3); /* BFINAL 1, BTYPE 00, LEN 0 */
		put_align(z);
		put_bits(z, 0, 16);
		put_bits(z, 0xffff, 16);
	}
	put_align(z);
	put_bits(z, z->crc & 0xffff, 16);
	put_bits(z, z->crc >> 16, 16);
	put_bits(z, (unsigned)(z->size & 0xffff), 16);
	put_bits(z, (unsigned)(z->size >> 16 & 0xffff), 16);
	return flush_out(z);
}
