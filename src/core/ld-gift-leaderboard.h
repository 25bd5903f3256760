/* ld-gift-leaderboard.h: top gifters as a GListModel of LdGifter, highest
 * total value first; of two equal totals, the one that reached it first
 * stays ahead.
 *
 * Feed it every gift as received (newGift, giftFromBackend), not the
 * queue's merged alerts, or combos would count once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-types.h"
#include "ld-gift.h"
#include "ld-gifter.h"

G_BEGIN_DECLS

#define LD_TYPE_GIFT_LEADERBOARD (ld_gift_leaderboard_get_type ())

G_DECLARE_FINAL_TYPE (LdGiftLeaderboard, ld_gift_leaderboard, LD, GIFT_LEADERBOARD, GObject)

LdGiftLeaderboard *ld_gift_leaderboard_new    (void);
/* Returns the sender's line (borrowed). */
LdGifter          *ld_gift_leaderboard_add    (LdGiftLeaderboard *self,
                                               LdGift            *gift);
LdGifter          *ld_gift_leaderboard_lookup (LdGiftLeaderboard *self,
                                               const char        *sender_id);
void               ld_gift_leaderboard_clear  (LdGiftLeaderboard *self);

G_END_DECLS
