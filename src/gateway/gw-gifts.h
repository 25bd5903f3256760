/* gw-gifts.h: the gift catalogue the gateway trusts: what a gift is called
 * and worth is the catalogue's word, never the sender's. The file is the
 * app's format, {"gifts": [{id, name, value, type, animation}]}.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  char   *id;
  char   *name;
  char   *type;
  char   *animation;
  double  value;
} GwGift;

#define GW_TYPE_GIFTS (gw_gifts_get_type ())

G_DECLARE_FINAL_TYPE (GwGifts, gw_gifts, GW, GIFTS, GObject)

/* G_IO_ERROR_INVALID_DATA for a file that is not such a catalogue, or one
 * with a gift missing a field, a negative or non-finite value, or an id twice. */
GwGifts      *gw_gifts_new_from_file  (const char  *path,
                                       GError     **error);
GwGifts      *gw_gifts_new_from_data  (const char  *data,
                                       gssize       len,
                                       GError     **error);
/* $LIVEDESK_GATEWAY_GIFTS if set (the tests point it into the source tree),
 * else the catalogue installed with the gateway, else in a development build
 * the one in the source tree. */
const char   *gw_gifts_default_path   (void);
guint         gw_gifts_get_n_gifts    (GwGifts     *self);
/* NULL for a gift the catalogue does not have. */
const GwGift *gw_gifts_lookup         (GwGifts     *self,
                                       const char  *gift_id);

G_END_DECLS
