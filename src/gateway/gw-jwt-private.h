/* gw-jwt-private.h: helpers shared with the rest of the gateway layer and its tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Takes the same time whatever the content, so that a forger cannot learn
 * a correct signature byte by byte from response times. */
gboolean _gw_memeq_constant_time (const void *a,
                                  const void *b,
                                  gsize       len);

char    *_gw_base64url_encode    (const guint8 *data,
                                  gsize         len);
/* Strict: only [A-Za-z0-9_-], no padding; NULL otherwise. */
guint8  *_gw_base64url_decode    (const char   *text,
                                  gsize        *out_len);

G_END_DECLS
