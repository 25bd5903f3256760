/* ld-thumbnails-private.h: what tests need to point LdThumbnails at their
 * own server and watch its cache.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ld-thumbnails.h"

G_BEGIN_DECLS

/* SESSION is used as given (a test sets remote-connectable and tls-database). */
LdThumbnails *_ld_thumbnails_new             (SoupSession  *session,
                                              guint64       max_pixels,
                                              gsize         cache_bytes);
/* The decoded bytes the cache holds now. */
gsize         _ld_thumbnails_get_cache_bytes (LdThumbnails *self);

G_END_DECLS
