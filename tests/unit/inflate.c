/* lib/inflate against the gzip program: files made by `gzip -1`, `-6`, `-9`
 * (with and without a stored name, several members in a row) inflate to the
 * original bytes, read in pieces of many sizes; what gzip_sink writes (stored and
 * fixed-Huffman blocks) is read back by `gzip -d`; broken input is refused with a
 * message saying why. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inflate.h"
#include "unit.h"

static char dir[] = "/tmp/boxstep-unit-inflate.XXXXXX";

static unsigned char *slurp(const char *path, size_t *len)
{
	struct buf_sink b;
	char chunk[65536];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	buf_sink_init(&b);
	for (ssize_t r; (r = read(fd, chunk, sizeof chunk)) > 0;)
		sink_write(&b.base, chunk, (size_t)r);
	close(fd);
	*len = b.len;
	unsigned char *data = b.data ? (unsigned char *)b.data : calloc(1, 1);
	return data;
}

static void spill(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		perror(path);
	close(fd);
}

/* Inflates data, reading `piece` bytes at a time; NULL on failure (fail_text()). */
static unsigned char *gunzip_mem(const unsigned char *data, size_t len, size_t piece, int raw, size_t *outlen)
{
	struct mem_source m;
	struct gunzip *z = malloc(sizeof *z);
	struct buf_sink out;
	unsigned char *buf = malloc(piece);
	mem_source_init(&m, data, len);
	if (raw)
		gunzip_init_raw(z, &m.base);
	else
		gunzip_init(z, &m.base);
	buf_sink_init(&out);
	sink_write(&out.base, "", 0);
	for (;;) {
		ssize_t r = source_read(&z->base, buf, piece);
		if (r < 0) {
			buf_sink_free(&out);
			out.data = NULL;
			break;
		}
		if (r == 0)
			break;
		sink_write(&out.base, buf, (size_t)r);
	}
	free(buf);
	free(z);
	*outlen = out.len;
	return (unsigned char *)out.data;
}

static int run(const char *cmd)
{
	char line[1024];
	snprintf(line, sizeof line, "cd %s && %s", dir, cmd);
	return system(line);
}

static void make_inputs(void)
{
	char path[256];
	unsigned char *b = malloc(1 << 20);
	uint32_t x = 12345;
	size_t n = 0;
	/* text: numbered lines, compressible */
	for (int i = 0; n < 300000; i++)
		n += (size_t)snprintf((char *)b + n, 64, "line %d of the layer: the quick brown fox %d\n", i, i % 17);
	snprintf(path, sizeof path, "%s/text", dir);
	spill(path, b, n);
	/* random: incompressible, so gzip stores it */
	for (n = 0; n < 100000; n++)
		b[n] = (unsigned char)((x = x * 1103515245 + 12345) >> 16);
	snprintf(path, sizeof path, "%s/random", dir);
	spill(path, b, n);
	/* zeros: long matches at distance 1 */
	memset(b, 0, 1 << 20);
	snprintf(path, sizeof path, "%s/zeros", dir);
	spill(path, b, 1 << 20);
	snprintf(path, sizeof path, "%s/empty", dir);
	spill(path, b, 0);
	free(b);
	run("cat text random zeros text > mixed");
}

static const char *const inputs[] = { "text", "random", "zeros", "empty", "mixed" };

static void check_gzip_files(void)
{
	static const char *const opts[] = { "-1 -n", "-6", "-9 -n" };
	char cmd[256], path[256];
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		size_t want_len, gz_len, got_len;
		snprintf(path, sizeof path, "%s/%s", dir, inputs[i]);
		unsigned char *want = slurp(path, &want_len);
		for (size_t o = 0; o < 3; o++) {
			snprintf(cmd, sizeof cmd, "gzip -c %s %s > %s.gz", opts[o], inputs[i], inputs[i]);
			CHECK(run(cmd) == 0);
			snprintf(path, sizeof path, "%s/%s.gz", dir, inputs[i]);
			unsigned char *gz = slurp(path, &gz_len);
			static const size_t pieces[] = { 1, 7, 512, 4096, 100000 };
			for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
				if (pieces[p] < 512 && want_len > 200000)
					continue; /* slow and no new paths */
				unsigned char *got = gunzip_mem(gz, gz_len, pieces[p], 0, &got_len);
				CHECK(got != NULL);
				CHECK(got && got_len == want_len && !memcmp(got, want, want_len));
				if (!got)
					fprintf(stderr, "  %s gzip %s, pieces of %zu: %s\n", inputs[i], opts[o], pieces[p], fail_text());
				free(got);
			}
			/* the same stream without the gzip framing (no name: 10-byte header) */
			if (strstr(opts[o], "-n")) {
				unsigned char *got = gunzip_mem(gz + 10, gz_len - 18, 4096, 1, &got_len);
				CHECK(got && got_len == want_len && !memcmp(got, want, want_len));
				free(got);
			}
			free(gz);
		}
		free(want);
	}
}

static void check_members(void)
{
	size_t a_len, gz_len, got_len;
	char path[256];
	CHECK(run("gzip -c text > two.gz && gzip -c -9 random >> two.gz && cat text random > two") == 0);
	snprintf(path, sizeof path, "%s/two", dir);
	unsigned char *want = slurp(path, &a_len);
	snprintf(path, sizeof path, "%s/two.gz", dir);
	unsigned char *gz = slurp(path, &gz_len);
	unsigned char *got = gunzip_mem(gz, gz_len, 4096, 0, &got_len);
	CHECK(got && got_len == a_len && !memcmp(got, want, a_len));
	free(got);
	free(want);
	free(gz);
}

/* What gzip_sink writes, gzip -d reads, and so does gunzip. */
static void check_deflate(void)
{
	char path[256], cmd[256];
	for (int level = 0; level <= 1; level++)
		for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
			size_t want_len, got_len;
			snprintf(path, sizeof path, "%s/%s", dir, inputs[i]);
			unsigned char *want = slurp(path, &want_len);
			struct buf_sink out;
			struct gzip_sink *z = malloc(sizeof *z);
			buf_sink_init(&out);
			gzip_sink_init(z, &out.base, level);
			/* odd-sized writes across the chunk boundary */
			for (size_t off = 0; off < want_len; off += 40000)
				CHECK(sink_write(&z->base, want + off, want_len - off < 40000 ? want_len - off : 40000) == 0);
			CHECK(gzip_sink_finish(z) == 0);
			free(z);
			snprintf(path, sizeof path, "%s/mine.gz", dir);
			spill(path, out.data, out.len);
			snprintf(cmd, sizeof cmd, "gzip -t mine.gz && gzip -dc mine.gz | cmp -s - %s", inputs[i]);
			CHECK(run(cmd) == 0);
			if (level == 1 && want_len > 100000 && strcmp(inputs[i], "random"))
				CHECK(out.len < want_len / 2); /* it does compress */
			unsigned char *got = gunzip_mem((unsigned char *)out.data, out.len, 4096, 0, &got_len);
			CHECK(got && got_len == want_len && !memcmp(got, want, want_len));
			free(got);
			buf_sink_free(&out);
			free(want);
		}
}

static void refused(const unsigned char *data, size_t len, int raw, const char *why)
{
	size_t n;
	unsigned char *got = gunzip_mem(data, len, 4096, raw, &n);
	CHECK(got == NULL);
	if (!strstr(fail_text(), why)) {
		unit_failures++;
		fprintf(stderr, "expected a failure with '%s', got '%s'\n", why, got ? "(none)" : fail_text());
	}
	free(got);
}

static void check_errors(void)
{
	size_t len;
	char path[256];
	snprintf(path, sizeof path, "%s/text.gz", dir);
	CHECK(run("gzip -c -n text > text.gz") == 0);
	unsigned char *gz = slurp(path, &len);
	gz[len - 6] ^= 0x55; /* the stored CRC */
	refused(gz, len, 0, "CRC-32 mismatch");
	gz[len - 6] ^= 0x55;
	gz[len - 2] ^= 0x01; /* the stored length */
	refused(gz, len, 0, "length mismatch");
	gz[len - 2] ^= 0x01;
	refused(gz, len - 20, 0, "unexpected end of data");
	gz[0] = 'P';
	refused(gz, len, 0, "not gzip data");
	gz[0] = 0x1f;
	gz[2] = 9;
	refused(gz, len, 0, "unknown compression method");
	gz[2] = 8;
	unsigned char *more = malloc(len + 3);
	memcpy(more, gz, len);
	memcpy(more + len, "abc", 3);
	refused(more, len + 3, 0, "trailing garbage");
	free(more);
	free(gz);
	static const unsigned char type3[] = { 0x07, 0x00 };
	refused(type3, sizeof type3, 1, "invalid block type 3");
	/* fixed block, length 3 at distance 1 before any byte was written */
	static const unsigned char far[] = { 0x03, 0x02, 0x00, 0x00 };
	refused(far, sizeof far, 1, "too far back");
	/* stored block whose length and complement disagree */
	static const unsigned char stored[] = { 0x01, 0x05, 0x00, 0x00, 0x00 };
	refused(stored, sizeof stored, 1, "does not match its complement");
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	make_inputs();
	check_gzip_files();
	check_members();
	check_deflate();
	check_errors();
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_report("inflate");
}
