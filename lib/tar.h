/* tar: the archive format of image layers (POSIX.1-2001 pax, ustar, GNU).
 *
 * A tar file is a run of 512-byte headers, each followed by its entry's data
 * padded to 512 bytes, and two zero blocks at the end. ustar headers hold names of
 * up to 100 bytes (255 with the prefix field) and octal numbers; longer names and
 * extended attributes go into an extra entry before the real one: a pax extended
 * header ('x': "LEN key=value\n" records such as path=, linkpath=, size=,
 * SCHILY.xattr.NAME=) or a GNU long name ('L', 'K'). The reader folds those into
 * the next entry, checks every header's checksum and refuses what it does not
 * know; the writer uses them when a name or number does not fit. */
#ifndef BOXSTEP_TAR_H
#define BOXSTEP_TAR_H

#include <stddef.h>
#include <stdint.h>

#include "stream.h"

enum {
	TAR_REG = '0', TAR_HARDLINK = '1', TAR_SYMLINK = '2', TAR_CHR = '3',
	TAR_BLK = '4', TAR_DIR = '5', TAR_FIFO = '6',
};

/* The reader's limits: what a hostile layer cannot make it allocate. */
#define TAR_NAME_MAX 4095            /* PATH_MAX - 1 */
#define TAR_PAX_MAX (1024 * 1024)    /* one extended header */
#define TAR_XATTR_MAX 128            /* extended attributes of one entry */

struct tar_xattr {
	char *name;
	char *value; /* NUL-terminated for convenience; may hold NULs: use len */
	size_t len;
};

struct tar_entry {
	char *name;     /* as stored: no leading "./" removed, no checks */
	char *linkname; /* symlink target or hard link name; "" otherwise */
	char type;      /* TAR_REG ... TAR_FIFO */
	unsigned mode;  /* permission bits and suid, sgid, sticky (07777) */
	unsigned long uid, gid;
	uint64_t size;
	int64_t mtime;
	unsigned devmajor, devminor;
	struct tar_xattr *xattrs;
	size_t nxattrs;
};
void tar_entry_free(struct tar_entry *e);
/* Adds an extended attribute (copies name and value). */
int tar_entry_add_xattr(struct tar_entry *e, const char *name, const void *value, size_t len);

struct tar_reader {
	struct source *src;
	uint64_t offset; /* bytes read, for messages */
	uint64_t left;   /* data of the current entry not yet read */
	unsigned pad;    /* padding after it */
	int done;
};
void tar_reader_init(struct tar_reader *t, struct source *src);
/* The next entry: 1, 0 at the end of the archive, -1 on failure. The data of the
 * previous entry not read yet is skipped. e is filled anew (free it after). */
int tar_next(struct tar_reader *t, struct tar_entry *e);
/* The current entry's data: up to n bytes, 0 at its end. */
ssize_t tar_read(struct tar_reader *t, void *buf, size_t n);

enum { TAR_FORMAT_PAX, TAR_FORMAT_GNU };
struct tar_writer {
	struct sink *out;
	int format;     /* long names as pax records or as GNU 'L'/'K' entries */
	uint64_t left;  /* data the current entry still expects */
	unsigned pad;
};
void tar_writer_init(struct tar_writer *t, struct sink *out, int format);
/* Writes e's header (and a pax or GNU entry before it when needed). Then exactly
 * e->size bytes of data go through tar_write_data. */
int tar_write_header(struct tar_writer *t, const struct tar_entry *e);
int tar_write_data(struct tar_writer *t, const void *buf, size_t n);
/* The two zero blocks that end an archive. */
int tar_finish(struct tar_writer *t);

#endif
