/* layer: one image layer, from a tar stream into a directory and back.
 *
 * Unpacking (layer_unpack) is where a hostile layer would attack the host, so it
 * never follows a symbolic link: every directory on an entry's path is opened one
 * component at a time with O_NOFOLLOW below the layer's own directory. It refuses
 * absolute names, any ".." component, symbolic links whose relative target climbs
 * out of the layer, hard links to anything outside it, and device nodes unless
 * the caller is root. It turns the OCI whiteouts into what OverlayFS reads:
 *   DIR/.wh.NAME      -> DIR/NAME as a character device 0/0 (a whiteout)
 *   DIR/.wh..wh..opq  -> DIR with trusted.overlay.opaque="y" (an opaque directory)
 * and drops overlay xattrs a layer carries itself (trusted.overlay.*,
 * user.overlay.*: a forged redirect or opaque mark is OverlayFS's job, not the
 * layer's). Directory modes and times are applied last, so a read-only directory
 * can still be filled.
 *
 * Packing (layer_pack) does the reverse for a directory, in a stable order
 * (names sorted), so the same tree gives the same tar and the same digest; an
 * OverlayFS upper directory packs into a layer with OCI whiteouts. */
#ifndef BOXSTEP_LAYER_H
#define BOXSTEP_LAYER_H

#include <stddef.h>
#include <stdint.h>

#include "stream.h"
#include "tar.h"

struct layer_stats {
	unsigned long files, dirs, symlinks, hardlinks, devices, fifos;
	unsigned long whiteouts, opaques, skipped;
	unsigned long xattrs_dropped;  /* overlay xattrs carried by the layer itself */
	unsigned long xattrs_unset;    /* not settable here (not root, no support) */
	uint64_t bytes;
};

/* "3 files, 2 dirs, 1 links, 1 whiteout, 1 opaque dir": what a layer held. */
void layer_stats_text(const struct layer_stats *st, char *buf, size_t size);

struct layer_options {
	int whiteouts;   /* convert .wh. entries (image layers); 0 for plain archives */
	int privileged;  /* root: owners, device nodes, trusted.* and security.* xattrs */
	int trace_each;  /* trace every entry's kernel calls, not only whiteouts */
};

/* Unpacks the tar read from src into the directory open as root (an O_RDONLY
 * directory descriptor); name is for messages. -1 with fail_text(). */
int layer_unpack(int root, const char *name, struct source *src, const struct layer_options *o,
		 struct layer_stats *st);

struct pack_options {
	int64_t clamp_mtime; /* > 0: no time later than this (SOURCE_DATE_EPOCH) */
};
/* Writes every entry below dir (not dir itself) to w, then nothing else: the
 * caller ends the archive with tar_finish. */
int layer_pack(const char *dir, struct tar_writer *w, const struct pack_options *o, struct layer_stats *st);

/* Removes path and everything below it without following symbolic links
 * (rm -rf, made writable first). 0, or -1 with fail_text(). */
int remove_tree(int dirfd, const char *path);

#endif
