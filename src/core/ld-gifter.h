/* ld-gifter.h: one sender's line on an LdGiftLeaderboard.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "ld-types.h"

G_BEGIN_DECLS

#define LD_TYPE_GIFTER (ld_gifter_get_type ())

G_DECLARE_FINAL_TYPE (LdGifter, ld_gifter, LD, GIFTER, GObject)

const char *ld_gifter_get_sender_id   (LdGifter *self);
/* The name of the sender's latest gift. */
const char *ld_gifter_get_sender_name (LdGifter *self);
/* value × quantity over all their gifts. */
double      ld_gifter_get_total_value (LdGifter *self);
/* How many gifts (quantities summed). */
guint       ld_gifter_get_n_gifts     (LdGifter *self);

G_END_DECLS
