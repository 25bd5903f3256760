/* ld-thumbnails.h: chat images, fetched with libsoup only from the hosts the
 * contract allows and only over https, at most LD_THUMBNAILS_MAX_BYTES, and
 * kept in a small in-memory cache so a row scrolled back in does not fetch
 * again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LD_THUMBNAILS_MAX_BYTES (2 * 1024 * 1024)
#define LD_THUMBNAILS_CACHE_SIZE 200

#define LD_TYPE_THUMBNAILS (ld_thumbnails_get_type ())

G_DECLARE_FINAL_TYPE (LdThumbnails, ld_thumbnails, LD, THUMBNAILS, GObject)

/* The one the chat rows share. */
LdThumbnails *ld_thumbnails_get_default (void);
/* A cached image for URL, or NULL (transfer none). */
GdkPaintable *ld_thumbnails_lookup      (LdThumbnails        *self,
                                         const char          *url);
/* Fails with G_IO_ERROR_PERMISSION_DENIED for a URL that is not allowed,
 * G_IO_ERROR_MESSAGE_TOO_LARGE past the size cap. */
void          ld_thumbnails_load_async  (LdThumbnails        *self,
                                         const char          *url,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GdkPaintable *ld_thumbnails_load_finish (LdThumbnails        *self,
                                         GAsyncResult        *result,
                                         GError             **error);

G_END_DECLS
