/* imgstore: an unpacked image, as imgunpack leaves it for overlaymount and boxrun.
 *
 *   DEST/layers/<hex>/   one directory per layer, named by the layer's diff_id
 *                        (the SHA-256 of its uncompressed tar, from the config), so
 *                        a layer shared by two images, or stored gzip'ed in one
 *                        and plain in another, is unpacked once
 *   DEST/lower           the overlay lowerdir string: the layers' absolute paths,
 *                        topmost first, ':'-separated, one line
 *   DEST/config          how to run the image, one "key value" line each:
 *                          image sha256:...       the config's digest
 *                          manifest sha256:...    the manifest's (absent: docker save)
 *                          entrypoint ARG         one line per element, in order
 *                          cmd ARG                one line per element, in order
 *                          env NAME=VALUE         one line per variable
 *                          workdir DIR            at most once
 *                          user USER[:GROUP]      at most once
 *                        In values a backslash is written \\ and a newline \n;
 *                        nothing else is escaped.
 *
 * A layer is unpacked into DEST/layers/.tmp-<hex>-<pid> and renamed into place
 * only once all of it is in and its diff_id checked, so a layer directory that
 * exists is complete. On failure store_abort removes what this run made. */
#ifndef BOXSTEP_IMGSTORE_H
#define BOXSTEP_IMGSTORE_H

#include <limits.h>
#include <stddef.h>

#include "json.h"
#include "layer.h"
#include "stream.h"

struct store {
	int dest, layers;        /* DEST and DEST/layers, open */
	char path[PATH_MAX];     /* DEST's absolute path */
	int created_dest;        /* this run made DEST: abort removes all of it */
	int created_layers, created_lock;
	int parent;              /* DEST's parent directory, open, and DEST's name in it */
	char name[256];
	char tmp[128];           /* the layer being unpacked, relative to layers */
	char archive[64];        /* an archive unpacked into DEST, or "" */
	char (*made)[72];        /* layers this run added */
	size_t nmade;
};

/* Makes DEST (its parent must exist) or opens it, takes DEST/.lock (one run at
 * a time), and removes what a killed run left (.tmp-*, .archive-*). */
int store_open(struct store *s, const char *dest);
/* Unpacks a tar archive file (plain or gzip) holding an image layout or a docker
 * save into DEST/.archive-<pid>, without owners or devices; returns its fd. */
int store_extract_archive(struct store *s, const char *file);
/* Is the layer with this diff_id already unpacked? */
int store_has_layer(struct store *s, const char *diff_id);
/* Hashes the (gzip'ed or plain) tar in fd, uncompressed, against diff_id; the fd
 * is rewound after. For layers whose file is named by nothing else (docker save). */
int store_check_diff_id(int fd, int gzip, const char *diff_id);
/* Unpacks the layer tar in fd (gzip'ed or not), checking that the uncompressed
 * stream's digest is diff_id, and moves it into place. */
int store_unpack_layer(struct store *s, int fd, int gzip, const char *diff_id, const struct layer_options *o,
		       struct layer_stats *st);
/* DEST/lower for layers listed bottom first (as the manifest lists them); a layer
 * listed twice counts once, at its topmost place. */
int store_write_lower(struct store *s, char (*diff_ids)[72], size_t n);
/* DEST/config from an image config (its "config" object). */
int store_write_config(struct store *s, const struct json *config, const char *config_digest,
		       const char *manifest_digest);
/* Removes what this run made: the layer being unpacked, layers added, the
 * unpacked archive, and DEST itself if this run created it. */
void store_abort(struct store *s);
/* Removes the unpacked archive (on success). */
void store_done(struct store *s);

#endif
