/* tar: pax, ustar and GNU archives. See tar.h.
 * POSIX.1-2001 pax(1) "ustar Interchange Format" and "pax Extended Header";
 * GNU tar's manual, "Basic Tar Format" for 'L', 'K' and base-256 numbers. */
#include "tar.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NAME = 0, MODE = 100, UID = 108, GID = 116, SIZE = 124, MTIME = 136, CHKSUM = 148,
       TYPE = 156, LINKNAME = 157, MAGIC = 257, VERSION = 263, UNAME = 265, GNAME = 297,
       DEVMAJOR = 329, DEVMINOR = 337, PREFIX = 345 };

void tar_entry_free(struct tar_entry *e)
{
	free(e->name);
	free(e->linkname);
	for (size_t i = 0; i < e->nxattrs; i++) {
		free(e->xattrs[i].name);
		free(e->xattrs[i].value);
	}
	free(e->xattrs);
	memset(e, 0, sizeof *e);
}

int tar_entry_add_xattr(struct tar_entry *e, const char *name, const void *value, size_t len)
{
	if (e->nxattrs == TAR_XATTR_MAX)
		return fail("tar: more than %d extended attributes on one entry", TAR_XATTR_MAX);
	struct tar_xattr *x = realloc(e->xattrs, (e->nxattrs + 1) * sizeof *x);
	if (!x)
		return fail("out of memory");
	e->xattrs = x;
	x += e->nxattrs;
	x->name = strdup(name);
	x->value = malloc(len + 1);
	if (!x->name || !x->value) {
		free(x->name);
		free(x->value);
		return fail("out of memory");
	}
	memcpy(x->value, value, len);
	x->value[len] = '\0';
	x->len = len;
	e->nxattrs++;
	return 0;
}

/* ---- reading ---- */

void tar_reader_init(struct tar_reader *t, struct source *src)
{
	memset(t, 0, sizeof *t);
	t->src = src;
}

static int read_block(struct tar_reader *t, unsigned char *b, int *eof)
{
	size_t got = 0;
	while (got < 512) {
		ssize_t r = source_read(t->src, b + got, 512 - got);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (got == 0 && eof) {
				*eof = 1;
				return 0;
			}
			return fail("tar: truncated archive at byte %" PRIu64, t->offset + got);
		}
		got += (size_t)r;
	}
	t->offset += 512;
	return 0;
}

static int skip(struct tar_reader *t, uint64_t n)
{
	unsigned char b[4096];
	while (n) {
		size_t take = n < sizeof b ? (size_t)n : sizeof b;
		ssize_t r = source_read(t->src, b, take);
		if (r < 0)
			return -1;
		if (r == 0)
			return fail("tar: truncated archive at byte %" PRIu64, t->offset);
		take = (size_t)r;
		n -= take;
		t->offset += take;
	}
	return 0;
}

/* An octal field (spaces or NULs around it) or GNU base-256 (high bit set). */
static int number(const unsigned char *f, size_t n, const char *what, uint64_t *out)
{
	uint64_t v = 0;
	if (f[0] & 0x80) {
		if (f[0] & 0x40)
			return fail("tar: negative %s in base-256", what);
		v = f[0] & 0x3f;
		for (size_t i = 1; i < n; i++) {
			if (v >> 55)
				return fail("tar: %s too large", what);
			v = v << 8 | f[i];
		}
		*out = v;
		return 0;
	}
	size_t i = 0;
	while (i < n && (f[i] == ' ' || f[i] == '\0'))
		i++;
	if (i == n) {
		*out = 0;
		return 0;
	}
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return fail("tar: %s too large", what);
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return fail("tar: bad %s field (not octal)", what);
	*out = v;
	return 0;
}

static char *field_str(const unsigned char *f, size_t n)
{
	size_t len = strnlen((const char *)f, n);
	char *s = malloc(len + 1);
	if (s) {
		memcpy(s, f, len);
		s[len] = '\0';
	}
	return s;
}

static int check_sum(struct tar_reader *t, const unsigned char *b)
{
	uint64_t stored;
	unsigned long u = 0;
	long s = 0;
	for (int i = 0; i < 512; i++) {
		unsigned char c = i >= CHKSUM && i < CHKSUM + 8 ? ' ' : b[i];
		u += c;
		s += (signed char)c;
	}
	if (number(b + CHKSUM, 8, "checksum", &stored) < 0)
		return fail_prefix("tar: header at byte %" PRIu64, t->offset - 512);
	if (stored != u && (long)stored != s)
		return fail("tar: header checksum mismatch at byte %" PRIu64 " (stored %" PRIu64 ", computed %lu): not a tar file, or corrupt",
			    t->offset - 512, stored, u);
	return 0;
}

/* The data of a pax or GNU entry, NUL-terminated, of at most max bytes. */
static char *read_meta(struct tar_reader *t, uint64_t size, uint64_t max, const char *what)
{
	if (size > max) {
		fail("tar: %s of %" PRIu64 " bytes at byte %" PRIu64 " (the limit is %" PRIu64 ")", what, size,
		     t->offset - 512, max);
		return NULL;
	}
	char *d = malloc((size_t)size + 1);
	if (!d) {
		fail("out of memory");
		return NULL;
	}
	if (source_read_full(t->src, d, (size_t)size, "tar: truncated archive: extended header") < 0 ||
	    skip(t, (512 - size % 512) % 512) < 0) {
		free(d);
		return NULL;
	}
	t->offset += size;
	d[size] = '\0';
	return d;
}

static int set_str(char **dst, const char *src, size_t len, const char *what)
{
	if (len > TAR_NAME_MAX || memchr(src, '\0', len))
		return fail("tar: %s longer than %d bytes or holding a NUL", what, TAR_NAME_MAX);
	char *s = malloc(len + 1);
	if (!s)
		return fail("out of memory");
	memcpy(s, src, len);
	s[len] = '\0';
	free(*dst);
	*dst = s;
	return 0;
}

static int pax_number(const char *v, size_t len, const char *key, uint64_t *out)
{
	uint64_t n = 0;
	size_t i = 0;
	if (!len)
		return fail("tar: pax %s is empty", key);
	for (; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
		if (n > (UINT64_MAX - 9) / 10)
			return fail("tar: pax %s too large", key);
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	/* mtime may carry a fraction of a second: "1700000000.123456789" */
	if (i < len && !(v[i] == '.' && !strcmp(key, "mtime")))
		return fail("tar: pax %s is not a number: '%.*s'", key, (int)len, v);
	if (i == 0)
		return fail("tar: pax %s is not a number: '%.*s'", key, (int)len, v);
	*out = n;
	return 0;
}

/* What a pax header says, applied to the entry that follows it. */
struct pax {
	char *path, *linkpath;
	int has_size, has_uid, has_gid, has_mtime;
	uint64_t size, uid, gid, mtime;
	struct tar_entry xattrs; /* only its xattrs are used */
};

static void pax_free(struct pax *p)
{
	free(p->path);
	free(p->linkpath);
	tar_entry_free(&p->xattrs);
	memset(p, 0, sizeof *p);
}

/* Records of "LEN KEY=VALUE\n", LEN counting the whole record. */
static int parse_pax(const char *d, size_t size, struct pax *p, int global)
{
	size_t pos = 0;
	while (pos < size) {
		size_t len = 0, i = pos;
		while (i < size && d[i] >= '0' && d[i] <= '9' && len < size)
			len = len * 10 + (size_t)(d[i++] - '0');
		if (i == pos || i >= size || d[i] != ' ' || len < 5 || len > size - pos || d[pos + len - 1] != '\n')
			return fail("tar: malformed pax record at offset %zu of the extended header", pos);
		const char *key = d + i + 1, *end = d + pos + len - 1;
		const char *eq = memchr(key, '=', (size_t)(end - key));
		if (!eq || eq == key)
			return fail("tar: pax record without key=value at offset %zu", pos);
		char k[256];
		size_t klen = (size_t)(eq - key);
		if (klen >= sizeof k)
			return fail("tar: pax key too long at offset %zu", pos);
		memcpy(k, key, klen);
		k[klen] = '\0';
		const char *v = eq + 1;
		size_t vlen = (size_t)(end - v);
		pos += len;
		if (global)
			continue; /* global headers (git archive's comment) change nothing here */
		if (!strcmp(k, "path")) {
			if (set_str(&p->path, v, vlen, "pax path") < 0)
				return -1;
		} else if (!strcmp(k, "linkpath")) {
			if (set_str(&p->linkpath, v, vlen, "pax linkpath") < 0)
				return -1;
		} else if (!strcmp(k, "size")) {
			if (pax_number(v, vlen, k, &p->size) < 0)
				return -1;
			p->has_size = 1;
		} else if (!strcmp(k, "uid")) {
			if (pax_number(v, vlen, k, &p->uid) < 0)
				return -1;
			p->has_uid = 1;
		} else if (!strcmp(k, "gid")) {
			if (pax_number(v, vlen, k, &p->gid) < 0)
				return -1;
			p->has_gid = 1;
		} else if (!strcmp(k, "mtime")) {
			if (vlen && v[0] == '-')
				continue; /* before 1970: keep the header's */
			if (pax_number(v, vlen, k, &p->mtime) < 0)
				return -1;
			p->has_mtime = 1;
		} else if (!strncmp(k, "SCHILY.xattr.", 13)) {
			if (!k[13])
				return fail("tar: pax xattr record without a name");
			if (tar_entry_add_xattr(&p->xattrs, k + 13, v, vlen) < 0)
				return -1;
		} else if (!strncmp(k, "GNU.sparse.", 11)) {
			return fail("tar: sparse files (pax %s) are not supported", k);
		}
		/* atime, ctime, uname, gname, comment, charset, ...: not needed */
	}
	return 0;
}

int tar_next(struct tar_reader *t, struct tar_entry *e)
{
	unsigned char b[512];
	struct pax pax;
	char *longname = NULL, *longlink = NULL;
	int ret = -1, eof = 0;
	memset(e, 0, sizeof *e);
	memset(&pax, 0, sizeof pax);
	if (t->done)
		return 0;
	if (skip(t, t->left + t->pad) < 0)
		return -1;
	t->left = t->pad = 0;
	for (;;) {
		uint64_t v, size;
		if (read_block(t, b, &eof) < 0)
			goto out;
		if (eof) {
			if (pax.path || longname || pax.xattrs.nxattrs) {
				fail("tar: archive ends after an extended header");
				goto out;
			}
			t->done = 1;
			ret = 0;
			goto out;
		}
		int zero = 1;
		for (int i = 0; i < 512 && zero; i++)
			zero = !b[i];
		if (zero) { /* the end-of-archive marker; what follows is padding */
			t->done = 1;
			ret = 0;
			goto out;
		}
		if (check_sum(t, b) < 0 || number(b + SIZE, 12, "size", &size) < 0)
			goto out;
		char type = (char)b[TYPE];
		if (type == 'x' || type == 'g') {
			char *d = read_meta(t, size, TAR_PAX_MAX, "pax extended header");
			if (!d)
				goto out;
			int r = parse_pax(d, (size_t)size, &pax, type == 'g');
			free(d);
			if (r < 0)
				goto out;
			continue;
		}
		if (type == 'L' || type == 'K') {
			char *d = read_meta(t, size, TAR_NAME_MAX + 1, "GNU long name");
			if (!d)
				goto out;
			char **dst = type == 'L' ? &longname : &longlink;
			free(*dst);
			*dst = d;
			continue;
		}
		/* a real entry */
		int ustar = !memcmp(b + MAGIC, "ustar\0", 6);
		if (type == '\0' || type == '7')
			type = TAR_REG;
		if (!strchr("0123456", type)) {
			fail("tar: entry type '%c' at byte %" PRIu64 " is not supported", type, t->offset - 512);
			goto out;
		}
		e->type = type;
		if (number(b + MODE, 8, "mode", &v) < 0)
			goto out;
		e->mode = (unsigned)(v & 07777);
		if (number(b + UID, 8, "uid", &v) < 0)
			goto out;
		e->uid = (unsigned long)v;
		if (number(b + GID, 8, "gid", &v) < 0)
			goto out;
		e->gid = (unsigned long)v;
		if (number(b + MTIME, 12, "mtime", &v) < 0)
			goto out;
		e->mtime = (int64_t)v;
		if (number(b + DEVMAJOR, 8, "devmajor", &v) < 0)
			goto out;
		e->devmajor = (unsigned)v;
		if (number(b + DEVMINOR, 8, "devminor", &v) < 0)
			goto out;
		e->devminor = (unsigned)v;
		e->size = size;
		if (pax.path) {
			e->name = pax.path;
			pax.path = NULL;
		} else if (longname) {
			if (set_str(&e->name, longname, strlen(longname), "GNU long name") < 0)
				goto out;
		} else {
			char full[257];
			size_t plen = ustar ? strnlen((const char *)b + PREFIX, 155) : 0;
			size_t nlen = strnlen((const char *)b, 100);
			if (plen)
				snprintf(full, sizeof full, "%.*s/%.*s", (int)plen, b + PREFIX, (int)nlen, b);
			else
				snprintf(full, sizeof full, "%.*s", (int)nlen, b);
			e->name = strdup(full);
		}
		if (pax.linkpath) {
			e->linkname = pax.linkpath;
			pax.linkpath = NULL;
		} else if (longlink) {
			if (set_str(&e->linkname, longlink, strlen(longlink), "GNU long link name") < 0)
				goto out;
		} else {
			e->linkname = field_str(b + LINKNAME, 100);
		}
		if (!e->name || !e->linkname) {
			fail("out of memory");
			goto out;
		}
		if (pax.has_size)
			e->size = pax.size;
		if (pax.has_uid)
			e->uid = (unsigned long)pax.uid;
		if (pax.has_gid)
			e->gid = (unsigned long)pax.gid;
		if (pax.has_mtime)
			e->mtime = (int64_t)pax.mtime;
		e->xattrs = pax.xattrs.xattrs;
		e->nxattrs = pax.xattrs.nxattrs;
		pax.xattrs.xattrs = NULL;
		pax.xattrs.nxattrs = 0;
		/* Old archives mark directories with a trailing slash only. */
		size_t n = strlen(e->name);
		if (e->type == TAR_REG && n && e->name[n - 1] == '/')
			e->type = TAR_DIR;
		if (!*e->name) {
			fail("tar: entry with an empty name at byte %" PRIu64, t->offset - 512);
			goto out;
		}
		/* Links, directories, devices and fifos have no data (POSIX). */
		if (e->type != TAR_REG && e->size) {
			fail("tar: entry '%s' of type '%c' claims %" PRIu64 " bytes of data", e->name, e->type, e->size);
			goto out;
		}
		t->left = e->size;
		t->pad = (unsigned)((512 - t->left % 512) % 512);
		ret = 1;
		goto out;
	}
out:
	free(longname);
	free(longlink);
	pax_free(&pax);
	if (ret < 0)
		tar_entry_free(e);
	return ret;
}

ssize_t tar_read(struct tar_reader *t, void *buf, size_t n)
{
	if (n > t->left)
		n = (size_t)t->left;
	if (!n)
		return 0;
	ssize_t r = source_read(t->src, buf, n);
	if (r < 0)
		return -1;
	if (r == 0)
		return fail("tar: truncated entry data at byte %" PRIu64, t->offset);
	t->left -= (uint64_t)r;
	t->offset += (uint64_t)r;
	return r;
}

/* ---- writing ---- */

void tar_writer_init(struct tar_writer *t, struct sink *out, int format)
{
	memset(t, 0, sizeof *t);
	t->out = out;
	t->format = format;
}

static int fits_octal(uint64_t v, size_t field) { return field >= 22 || v < (1ull << (3 * (field - 1))); }

/* n - 1 octal digits, zero-padded, and a NUL (the caller checked it fits). */
static void put_octal(unsigned char *f, size_t n, uint64_t v)
{
	f[n - 1] = '\0';
	for (size_t i = n - 1; i-- > 0; v >>= 3)
		f[i] = (unsigned char)('0' + (v & 7));
}

static void put_base256(unsigned char *f, size_t n, uint64_t v)
{
	for (size_t i = n; i-- > 1; v >>= 8)
		f[i] = (unsigned char)v;
	f[0] = 0x80;
}

static void finish_header(unsigned char *b)
{
	unsigned long sum = 0;
	memset(b + CHKSUM, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += b[i];
	snprintf((char *)b + CHKSUM, 8, "%06lo", sum);
	b[CHKSUM + 7] = ' ';
}

static void base_header(unsigned char *b, int format, char type, uint64_t size)
{
	memset(b, 0, 512);
	if (format == TAR_FORMAT_GNU)
		memcpy(b + MAGIC, "ustar  ", 8);
	else
		memcpy(b + MAGIC, "ustar\0" "00", 8);
	b[TYPE] = (unsigned char)type;
	put_octal(b + MODE, 8, 0644);
	put_octal(b + UID, 8, 0);
	put_octal(b + GID, 8, 0);
	put_octal(b + MTIME, 12, 0);
	if (fits_octal(size, 12))
		put_octal(b + SIZE, 12, size);
	else
		put_base256(b + SIZE, 12, size);
}

static int pad_to_block(struct tar_writer *t, uint64_t size)
{
	static const unsigned char zero[512];
	unsigned pad = (unsigned)((512 - size % 512) % 512);
	return pad ? sink_write(t->out, zero, pad) : 0;
}

/* A whole meta entry ('x' or 'L'/'K'): header, data, padding. */
static int meta_entry(struct tar_writer *t, char type, const char *name, const char *data, size_t len)
{
	unsigned char b[512];
	base_header(b, t->format, type, len);
	snprintf((char *)b + NAME, 100, "%s", name);
	finish_header(b);
	if (sink_write(t->out, b, 512) < 0 || sink_write(t->out, data, len) < 0)
		return -1;
	return pad_to_block(t, len);
}

static int pax_add(struct buf_sink *p, const char *key, const char *value, size_t vlen)
{
	size_t n = strlen(key) + vlen + 3, digits = 1, total;
	for (size_t x = n; x >= 10; x /= 10)
		digits++;
	total = n + digits;
	char num[32];
	if ((size_t)snprintf(num, sizeof num, "%zu", total) > digits)
		total++;
	snprintf(num, sizeof num, "%zu ", total);
	if (sink_write(&p->base, num, strlen(num)) < 0 || sink_write(&p->base, key, strlen(key)) < 0 ||
	    sink_write(&p->base, "=", 1) < 0 || sink_write(&p->base, value, vlen) < 0)
		return -1;
	return sink_write(&p->base, "\n", 1);
}

static int pax_num(struct buf_sink *p, const char *key, uint64_t v)
{
	char s[32];
	snprintf(s, sizeof s, "%" PRIu64, v);
	return pax_add(p, key, s, strlen(s));
}

/* Splits name into the ustar prefix (<= 155) and name (<= 100) fields at a '/'. */
static int ustar_split(const char *name, size_t *cut)
{
	size_t len = strlen(name);
	if (len <= 100) {
		*cut = 0;
		return 1;
	}
	for (size_t i = len - 1; i > 0; i--)
		if (i <= 155 && name[i] == '/' && len - i - 1 <= 100 && len - i - 1 > 0) {
			*cut = i;
			return 1;
		}
	return 0;
}

int tar_write_header(struct tar_writer *t, const struct tar_entry *e)
{
	unsigned char b[512];
	struct buf_sink pax;
	size_t cut = 0;
	int gnu = t->format == TAR_FORMAT_GNU, ret = -1;
	size_t nlen = strlen(e->name), llen = strlen(e->linkname);
	if (t->left)
		return fail("tar: entry before it had all its data (%" PRIu64 " bytes missing)", t->left);
	if (!nlen || nlen > TAR_NAME_MAX || llen > TAR_NAME_MAX)
		return fail("tar: name of %zu bytes (1 to %d)", nlen > TAR_NAME_MAX ? nlen : llen, TAR_NAME_MAX);
	buf_sink_init(&pax);
	int split = !gnu && ustar_split(e->name, &cut);
	if (!gnu && !split && pax_add(&pax, "path", e->name, nlen) < 0)
		goto out;
	if (llen > 100 && !gnu && pax_add(&pax, "linkpath", e->linkname, llen) < 0)
		goto out;
	if (!gnu) {
		if ((!fits_octal(e->uid, 8) && pax_num(&pax, "uid", e->uid) < 0) ||
		    (!fits_octal(e->gid, 8) && pax_num(&pax, "gid", e->gid) < 0) ||
		    (!fits_octal(e->size, 12) && pax_num(&pax, "size", e->size) < 0) ||
		    (e->mtime >= 0 && !fits_octal((uint64_t)e->mtime, 12) && pax_num(&pax, "mtime", (uint64_t)e->mtime) < 0))
			goto out;
	}
	for (size_t i = 0; i < e->nxattrs; i++) {
		char key[300];
		if (snprintf(key, sizeof key, "SCHILY.xattr.%s", e->xattrs[i].name) >= (int)sizeof key) {
			fail("tar: extended attribute name too long: %s", e->xattrs[i].name);
			goto out;
		}
		if (pax_add(&pax, key, e->xattrs[i].value, e->xattrs[i].len) < 0)
			goto out;
	}
	if (pax.len) {
		char pname[100];
		const char *base = strrchr(e->name, '/') && strrchr(e->name, '/')[1] ? strrchr(e->name, '/') + 1 : e->name;
		snprintf(pname, sizeof pname, "PaxHeaders/%.80s", base);
		if (meta_entry(t, 'x', pname, pax.data, pax.len) < 0)
			goto out;
	}
	if (gnu && nlen > 100 && meta_entry(t, 'L', "././@LongLink", e->name, nlen + 1) < 0)
		goto out;
	if (gnu && llen > 100 && meta_entry(t, 'K', "././@LongLink", e->linkname, llen + 1) < 0)
		goto out;

	/* links, devices, fifos and directories have no data */
	uint64_t size = e->type && strchr("123456", e->type) ? 0 : e->size;
	base_header(b, t->format, e->type, size);
	if (cut) {
		memcpy(b + PREFIX, e->name, cut);
		memcpy(b + NAME, e->name + cut + 1, nlen - cut - 1);
	} else {
		memcpy(b + NAME, e->name, nlen < 100 ? nlen : 100);
	}
	memcpy(b + LINKNAME, e->linkname, llen < 100 ? llen : 100);
	put_octal(b + MODE, 8, e->mode & 07777);
	if (fits_octal(e->uid, 8))
		put_octal(b + UID, 8, e->uid);
	else if (gnu)
		put_base256(b + UID, 8, e->uid);
	if (fits_octal(e->gid, 8))
		put_octal(b + GID, 8, e->gid);
	else if (gnu)
		put_base256(b + GID, 8, e->gid);
	if (e->mtime > 0 && fits_octal((uint64_t)e->mtime, 12))
		put_octal(b + MTIME, 12, (uint64_t)e->mtime);
	else if (e->mtime > 0 && gnu)
		put_base256(b + MTIME, 12, (uint64_t)e->mtime);
	if (e->type == TAR_CHR || e->type == TAR_BLK) {
		if (!fits_octal(e->devmajor, 8) || !fits_octal(e->devminor, 8)) {
			fail("tar: device number %u:%u too large for ustar", e->devmajor, e->devminor);
			goto out;
		}
		put_octal(b + DEVMAJOR, 8, e->devmajor);
		put_octal(b + DEVMINOR, 8, e->devminor);
	} else if (!gnu) {
		put_octal(b + DEVMAJOR, 8, 0);
		put_octal(b + DEVMINOR, 8, 0);
	}
	finish_header(b);
	if (sink_write(t->out, b, 512) < 0)
		goto out;
	t->left = size;
	t->pad = (unsigned)((512 - size % 512) % 512);
	ret = 0;
out:
	buf_sink_free(&pax);
	return ret;
}

int tar_write_data(struct tar_writer *t, const void *buf, size_t n)
{
	static const unsigned char zero[512];
	if (n > t->left)
		return fail("tar: %zu bytes of data for an entry expecting %" PRIu64, n, t->left);
	if (sink_write(t->out, buf, n) < 0)
		return -1;
	t->left -= n;
	if (!t->left && t->pad) {
		unsigned pad = t->pad;
		t->pad = 0;
		return sink_write(t->out, zero, pad);
	}
	return 0;
}

int tar_finish(struct tar_writer *t)
{
	static const unsigned char zero[1024];
	if (t->left)
		return fail("tar: the last entry misses %" PRIu64 " bytes of data", t->left);
	return sink_write(t->out, zero, sizeof zero);
}
