/* lib/sha256 against the FIPS 180-4 examples (NIST "SHA256.pdf", "Example
 * Algorithms"), the two-block 896-bit message and a million 'a' (FIPS 180-2
 * appendix B.3), and data fed in pieces of every size. */
#include <stdlib.h>

#include "sha256.h"
#include "stream.h"
#include "unit.h"

static void hex_of(const char *msg, const char *want)
{
	char hex[65];
	sha256_hex_of(msg, strlen(msg), hex);
	CHECK_STR(hex, want);
}

int main(void)
{
	hex_of("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hex_of("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	hex_of("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");

	/* one million 'a', fed 1000 at a time */
	char a[1000];
	memset(a, 'a', sizeof a);
	struct sha256 s;
	unsigned char d[32];
	char hex[65];
	sha256_init(&s);
	for (int i = 0; i < 1000; i++)
		sha256_update(&s, a, sizeof a);
	sha256_final(&s, d);
	sha256_hex(d, hex);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

	/* Lengths around the padding edges (55, 56, 63, 64, 65 bytes) hashed whole
	 * and in pieces of every size give the same digest. */
	unsigned char buf[300];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	size_t lens[] = { 55, 56, 57, 63, 64, 65, 119, 120, 128, 300 };
	for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
		char whole[65];
		sha256_hex_of(buf, lens[l], whole);
		for (size_t piece = 1; piece <= 70; piece++) {
			sha256_init(&s);
			for (size_t off = 0; off < lens[l]; off += piece)
				sha256_update(&s, buf + off, lens[l] - off < piece ? lens[l] - off : piece);
			sha256_final(&s, d);
			sha256_hex(d, hex);
			CHECK_STR(hex, whole);
		}
	}

	/* The hashing sink gives "sha256:HEX" and the size of what went through. */
	struct buf_sink copy;
	struct hash_sink hs;
	char digest[72];
	buf_sink_init(&copy);
	hash_sink_init(&hs, &copy.base);
	CHECK(sink_write(&hs.base, "ab", 2) == 0);
	CHECK(sink_write(&hs.base, "c", 1) == 0);
	hash_sink_digest(&hs, digest);
	CHECK_STR(digest, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK(hs.size == 3);
	CHECK_STR(copy.data, "abc");
	buf_sink_free(&copy);
	return unit_report("sha256");
}
