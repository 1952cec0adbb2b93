/* sha256: SHA-256 as FIPS 180-4 defines it. OCI names every blob by it. */
#ifndef BOXSTEP_SHA256_H
#define BOXSTEP_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t length; /* bytes hashed so far */
	unsigned char block[64];
	size_t used;     /* bytes waiting in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
void sha256_final(struct sha256 *s, unsigned char digest[32]);
/* 64 lowercase hex digits and a NUL. */
void sha256_hex(const unsigned char digest[32], char hex[65]);
/* One call: the hex digest of data. */
void sha256_hex_of(const void *data, size_t n, char hex[65]);

#endif
