/* ld-thumbnails.h: chat images, fetched with libsoup only from the hosts the
 * contract allows and only over https (every redirect hop too), at most
 * LD_THUMBNAILS_MAX_BYTES compressed and LD_THUMBNAILS_MAX_PIXELS decoded
 * (the size is read from the header before anything is decoded), and kept in
 * an in-memory cache bounded by decoded bytes so a row scrolled back in does
 * not fetch again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LD_THUMBNAILS_MAX_BYTES (2 * 1024 * 1024)
/* 16 megapixels: 64 MiB decoded; a 20000×20000 PNG of a few KB is 1.5 GB. */
#define LD_THUMBNAILS_MAX_PIXELS (G_GUINT64_CONSTANT (16) * 1000 * 1000)
/* Decoded RGBA bytes, the memory the cache really costs. */
#define LD_THUMBNAILS_CACHE_BYTES (64 * 1024 * 1024)
#define LD_THUMBNAILS_MAX_REDIRECTS 3

#define LD_TYPE_THUMBNAILS (ld_thumbnails_get_type ())

G_DECLARE_FINAL_TYPE (LdThumbnails, ld_thumbnails, LD, THUMBNAILS, GObject)

/* The one the chat rows share. */
LdThumbnails *ld_thumbnails_get_default (void);
/* A cached image for URL, or NULL (transfer none). */
GdkPaintable *ld_thumbnails_lookup      (LdThumbnails        *self,
                                         const char          *url);
/* Fails with G_IO_ERROR_PERMISSION_DENIED for a URL (or a redirect to one)
 * that is not allowed, G_IO_ERROR_MESSAGE_TOO_LARGE past the byte cap or the
 * pixel cap, G_IO_ERROR_TOO_MANY_LINKS past LD_THUMBNAILS_MAX_REDIRECTS. */
void          ld_thumbnails_load_async  (LdThumbnails        *self,
                                         const char          *url,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GdkPaintable *ld_thumbnails_load_finish (LdThumbnails        *self,
                                         GAsyncResult        *result,
                                         GError             **error);

G_END_DECLS
