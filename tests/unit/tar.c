/* lib/tar: what the writer makes, the reader reads back field by field and GNU
 * tar lists and extracts (pax and GNU long names, xattrs, big ids, devices); what
 * GNU tar makes in its ustar, pax and gnu formats, the reader reads; corrupt and
 * hostile headers are refused. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "tar.h"
#include "unit.h"

static char dir[] = "/tmp/boxstep-unit-tar.XXXXXX";

static int run(const char *fmt, const char *arg)
{
	char cmd[2048], line[2200];
	snprintf(cmd, sizeof cmd, fmt, arg);
	snprintf(line, sizeof line, "cd %s && %s", dir, cmd);
	return system(line);
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

struct spec {
	const char *name, *link, *data;
	char type;
	unsigned mode;
	unsigned long uid;
	unsigned maj, min;
};

static char long150[160], long300[310], link200[210];

static const struct spec *specs(size_t *n)
{
	static struct spec s[12];
	char *a = repeat('d', 60), *b = repeat('e', 80), *c = repeat('f', 200), *l = repeat('t', 200);
	snprintf(long150, sizeof long150, "%s/%s/file", a, b);      /* ustar prefix + name */
	snprintf(long300, sizeof long300, "x/%s/%s", c, b);         /* no split: pax path */
	snprintf(link200, sizeof link200, "%s", l);
	free(a), free(b), free(c), free(l);
	struct spec all[] = {
		{ "top/", "", NULL, TAR_DIR, 0755, 0, 0, 0 },
		{ "top/hello.txt", "", "hello, layer\n", TAR_REG, 0644, 0, 0, 0 },
		{ "top/empty", "", "", TAR_REG, 0600, 1000, 0, 0 },
		{ "top/sh", "/bin/busybox", NULL, TAR_SYMLINK, 0777, 0, 0, 0 },
		{ "top/hard", "top/hello.txt", NULL, TAR_HARDLINK, 0644, 0, 0, 0 },
		{ "top/fifo", "", NULL, TAR_FIFO, 0600, 0, 0, 0 },
		{ "top/null", "", NULL, TAR_CHR, 0666, 0, 1, 3 },
		{ long150, "", "prefix split\n", TAR_REG, 0644, 0, 0, 0 },
		{ long300, "", "pax path\n", TAR_REG, 0644, 0, 0, 0 },
		{ "top/longlink", link200, NULL, TAR_SYMLINK, 0777, 0, 0, 0 },
		{ "top/bigid", "", "x", TAR_REG, 04755, 3000000, 0, 0 },
	};
	memcpy(s, all, sizeof all);
	*n = sizeof all / sizeof all[0];
	return s;
}

static void write_archive(const char *path, int format)
{
	size_t n;
	const struct spec *s = specs(&n);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	struct fd_sink out;
	struct tar_writer w;
	fd_sink_init(&out, fd, path);
	tar_writer_init(&w, &out.base, format);
	for (size_t i = 0; i < n; i++) {
		struct tar_entry e = { 0 };
		e.name = (char *)s[i].name;
		e.linkname = (char *)s[i].link;
		e.type = s[i].type;
		e.mode = s[i].mode;
		e.uid = s[i].uid;
		e.gid = s[i].uid;
		e.mtime = 1700000000;
		e.devmajor = s[i].maj;
		e.devminor = s[i].min;
		e.size = s[i].data ? strlen(s[i].data) : 0;
		if (i == 1) {
			CHECK(tar_entry_add_xattr(&e, "user.note", "layer one", 9) == 0);
			CHECK(tar_entry_add_xattr(&e, "security.capability", "\x01\x00\x00\x02\x00\x04", 6) == 0);
		}
		CHECK(tar_write_header(&w, &e) == 0);
		if (s[i].data)
			CHECK(tar_write_data(&w, s[i].data, e.size) == 0);
		if (i == 1) {
			struct tar_entry x = { e.name, e.linkname, 0, 0, 0, 0, 0, 0, 0, 0, e.xattrs, e.nxattrs };
			e.xattrs = NULL;
			x.name = x.linkname = NULL;
			tar_entry_free(&x);
		}
	}
	CHECK(tar_finish(&w) == 0);
	close(fd);
}

static void read_back(const char *path)
{
	size_t n, i = 0;
	const struct spec *s = specs(&n);
	int fd = open(path, O_RDONLY);
	struct fd_source src;
	struct tar_reader r;
	struct tar_entry e;
	fd_source_init(&src, fd, path);
	tar_reader_init(&r, &src.base);
	int got;
	while ((got = tar_next(&r, &e)) == 1) {
		CHECK(i < n);
		if (i >= n)
			break;
		CHECK_STR(e.name, s[i].name);
		CHECK_STR(e.linkname, s[i].link);
		CHECK(e.type == s[i].type);
		CHECK(e.mode == s[i].mode);
		CHECK(e.uid == s[i].uid);
		CHECK(e.gid == s[i].uid);
		CHECK(e.mtime == 1700000000);
		CHECK(e.devmajor == s[i].maj && e.devminor == s[i].min);
		char data[64] = "";
		ssize_t len = tar_read(&r, data, sizeof data - 1);
		CHECK(len >= 0);
		if (s[i].data)
			CHECK_STR(data, s[i].data);
		CHECK(tar_read(&r, data, sizeof data) == 0);
		if (i == 1) {
			CHECK(e.nxattrs == 2);
			CHECK(e.nxattrs == 2 && !strcmp(e.xattrs[0].name, "user.note") && !strcmp(e.xattrs[0].value, "layer one"));
			CHECK(e.nxattrs == 2 && e.xattrs[1].len == 6 && !memcmp(e.xattrs[1].value, "\x01\x00\x00\x02\x00\x04", 6));
		} else {
			CHECK(e.nxattrs == 0);
		}
		tar_entry_free(&e);
		i++;
	}
	CHECK(got == 0);
	CHECK(i == n);
	close(fd);
}

/* GNU tar lists what the writer made, long names and all, and extracts the data. */
static void gnu_tar_reads(const char *archive)
{
	char expect[1024];
	snprintf(expect, sizeof expect, "tar -tf %%s > list && grep -qxF '%s' list && grep -qxF '%s' list && "
		 "grep -c . list | grep -qx 11", long150, long300);
	CHECK(run(expect, archive) == 0);
	CHECK(run("tar -tvf %s | grep -q 'top/longlink -> tttttttttt'", archive) == 0);
	CHECK(run("rm -rf x top d* && tar --xattrs --xattrs-include='user.*' -xf %s 2>/dev/null; cmp -s top/hello.txt top/hard", archive) == 0);
	CHECK(run("test \"$(cat x/f*/e*)\" = 'pax path'", archive) == 0);
	CHECK(run("tar --xattrs -tvf %s >/dev/null", archive) == 0);
}

/* Archives made by GNU tar, in its three formats, with long names and xattrs. */
static void reads_gnu_tar(void)
{
	static const char *const formats[] = { "ustar", "pax", "gnu" };
	char path[512], longdir[300];
	char *a = repeat('a', 120), *b = repeat('b', 120);
	snprintf(longdir, sizeof longdir, "%s/src/%s/%s", dir, a, b);
	free(a), free(b);
	CHECK(run("mkdir -p src && echo one > src/one && ln -s one src/link && mkdir -p %s", longdir) == 0);
	snprintf(path, sizeof path, "%s/deep.txt", longdir);
	int fd = open(path, O_WRONLY | O_CREAT, 0640);
	CHECK(fd >= 0 && write(fd, "deep\n", 5) == 5);
	close(fd);
	snprintf(path, sizeof path, "%s/src/one", dir);
	int xattrs = setxattr(path, "user.boxstep", "yes", 3, 0) == 0;
	for (size_t f = 0; f < 3; f++) {
		char arch[64];
		snprintf(arch, sizeof arch, "%s.tar", formats[f]);
		char cmd[256];
		snprintf(cmd, sizeof cmd, "tar --format=%s --xattrs -cf %s -C src . 2>/dev/null", formats[f], arch);
		int made = run("%s", cmd) == 0;
		CHECK(made || f == 0); /* ustar cannot hold the 250-byte path: GNU tar says so */
		if (!made)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, arch);
		fd = open(path, O_RDONLY);
		struct fd_source src;
		struct tar_reader r;
		struct tar_entry e;
		fd_source_init(&src, fd, path);
		tar_reader_init(&r, &src.base);
		int seen_deep = 0, seen_link = 0, seen_x = 0, got;
		while ((got = tar_next(&r, &e)) == 1) {
			if (strstr(e.name, "deep.txt")) {
				char d[16] = "";
				seen_deep = tar_read(&r, d, 15) == 5 && !strcmp(d, "deep\n") && strlen(e.name) > 250 &&
					    e.mode == 0640;
			}
			if (!strcmp(e.name, "./link"))
				seen_link = e.type == TAR_SYMLINK && !strcmp(e.linkname, "one");
			if (!strcmp(e.name, "./one"))
				seen_x = e.nxattrs == 1 && !strcmp(e.xattrs[0].name, "user.boxstep");
			tar_entry_free(&e);
		}
		CHECK(got == 0);
		if (got < 0)
			fprintf(stderr, "  %s: %s\n", formats[f], fail_text());
		CHECK(seen_deep);
		CHECK(seen_link);
		CHECK(seen_x || !xattrs || f != 1);
		close(fd);
	}
}

static int read_all(const unsigned char *data, size_t len)
{
	struct mem_source m;
	struct tar_reader r;
	struct tar_entry e;
	char buf[512];
	int got;
	mem_source_init(&m, data, len);
	tar_reader_init(&r, &m.base);
	while ((got = tar_next(&r, &e)) == 1) {
		ssize_t n;
		while ((n = tar_read(&r, buf, sizeof buf)) > 0)
			;
		tar_entry_free(&e);
		if (n < 0)
			return -1;
	}
	return got;
}

static void expect_refusal(const unsigned char *data, size_t len, const char *why)
{
	CHECK(read_all(data, len) < 0);
	if (!strstr(fail_text(), why)) {
		unit_failures++;
		fprintf(stderr, "expected a refusal with '%s', got '%s'\n", why, fail_text());
	}
}

/* A one-entry archive written by the writer, in memory. */
static struct buf_sink one_entry(const char *name, char type, uint64_t size)
{
	struct buf_sink b;
	struct tar_writer w;
	struct tar_entry e = { 0 };
	buf_sink_init(&b);
	tar_writer_init(&w, &b.base, TAR_FORMAT_PAX);
	e.name = (char *)name;
	e.linkname = "";
	e.type = type;
	e.mode = 0644;
	e.size = size;
	tar_write_header(&w, &e);
	for (uint64_t i = 0; i < size; i++)
		tar_write_data(&w, "z", 1);
	tar_finish(&w);
	return b;
}

static void reset_sum(unsigned char *h)
{
	unsigned long sum = 0;
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06lo", sum);
}

static void refusals(void)
{
	struct buf_sink b = one_entry("file", TAR_REG, 10);
	unsigned char *h = (unsigned char *)b.data;
	CHECK(read_all(h, b.len) == 0);
	h[0] = 'F'; /* the checksum no longer matches */
	expect_refusal(h, b.len, "checksum mismatch");
	h[0] = 'f';
	expect_refusal(h, 700, "truncated");
	h[156] = 'S'; /* a GNU sparse file */
	reset_sum(h);
	expect_refusal(h, b.len, "not supported");
	h[156] = '5'; /* a directory cannot have data */
	reset_sum(h);
	expect_refusal(h, b.len, "claims 10 bytes");
	h[156] = 'x'; /* a pax header whose records make no sense */
	reset_sum(h);
	expect_refusal(h, b.len, "malformed pax record");
	memcpy(h + 124, "00010000000", 11); /* ... of 2 MiB */
	reset_sum(h);
	expect_refusal(h, b.len, "the limit is 1048576");
	h[156] = 'L'; /* a GNU long name of 2 MiB */
	reset_sum(h);
	expect_refusal(h, b.len, "GNU long name of 2097152 bytes");
	buf_sink_free(&b);

	/* A pax size record that is not a number. */
	struct buf_sink p;
	struct tar_writer w;
	buf_sink_init(&p);
	tar_writer_init(&w, &p.base, TAR_FORMAT_PAX);
	struct tar_entry e = { 0 };
	e.name = "PaxHeaders/x";
	e.linkname = "";
	e.type = 'x';
	e.size = 12;
	tar_write_header(&w, &e);
	tar_write_data(&w, "12 size=1x2\n", 12);
	e.name = "x";
	e.type = TAR_REG;
	e.size = 0;
	tar_write_header(&w, &e);
	tar_finish(&w);
	expect_refusal((unsigned char *)p.data, p.len, "pax size is not a number");
	buf_sink_free(&p);
}

int main(void)
{
	char path[256];
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof path, "%s/pax.tar", dir);
	write_archive(path, TAR_FORMAT_PAX);
	read_back(path);
	gnu_tar_reads("pax.tar");
	snprintf(path, sizeof path, "%s/gnu.tar", dir);
	write_archive(path, TAR_FORMAT_GNU);
	read_back(path);
	gnu_tar_reads("gnu.tar");
	/* the pax writer puts only what does not fit into a pax record */
	CHECK(run("tar -tvf %s | grep -c PaxHeaders | grep -qx 0", "pax.tar") == 0);
	CHECK(run("tar --list --format=posix -f %s >/dev/null", "pax.tar") == 0);
	reads_gnu_tar();
	refusals();
	snprintf(path, sizeof path, "rm -rf %s", dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_report("tar");
}
