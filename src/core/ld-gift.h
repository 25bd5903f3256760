/* ld-gift.h: one gift (newGift, giftFromBackend), and the alert that shows
 * it: several sends of the same gift by the same sender in a row (a combo)
 * merge into one alert whose count and total value grow.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ld-types.h"

G_BEGIN_DECLS

#define LD_TYPE_GIFT (ld_gift_get_type ())

G_DECLARE_FINAL_TYPE (LdGift, ld_gift, LD, GIFT, GObject)

/* PROTOCOL.md section 5: how long each animation plays. */
#define LD_GIFT_DURATION_DEFAULT_MS 2000
/* The largest giftValue accepted from the wire. */
#define LD_GIFT_MAX_VALUE 1e12

/* A newGift payload: senderId, giftId and giftValue (0–1e12) are
 * required; quantity is 1–100 (default 1), senderName defaults to
 * senderId, giftName to giftId, animation to "default". */
LdGift     *ld_gift_new_from_json     (JsonObject  *object,
                                       GError     **error);
/* A giftFromBackend payload: {type: "gift_send", data: {newGift fields}}. */
LdGift     *ld_gift_new_from_backend  (JsonObject  *object,
                                       GError     **error);
LdGift     *ld_gift_new               (const char  *sender_id,
                                       const char  *sender_name,
                                       const char  *gift_id,
                                       const char  *gift_name,
                                       const char  *animation,
                                       double       value,
                                       guint        quantity);

/* The animation's play time in ms: default 2000, fireworks 3000, hearts
 * 2500, stars 2000, rainbow 4000, anything else 2000. */
guint       ld_gift_animation_duration_ms (const char *animation);

const char *ld_gift_get_tx_id         (LdGift      *self);
const char *ld_gift_get_room_id       (LdGift      *self);
const char *ld_gift_get_sender_id     (LdGift      *self);
const char *ld_gift_get_sender_name   (LdGift      *self);
const char *ld_gift_get_receiver_id   (LdGift      *self);
const char *ld_gift_get_receiver_name (LdGift      *self);
const char *ld_gift_get_gift_id       (LdGift      *self);
const char *ld_gift_get_gift_name     (LdGift      *self);
const char *ld_gift_get_gift_type     (LdGift      *self);
/* The value of one gift, as sent (giftValue). */
double      ld_gift_get_value         (LdGift      *self);
/* The quantity of this send (quantity). */
guint       ld_gift_get_quantity      (LdGift      *self);
const char *ld_gift_get_message       (LdGift      *self);
const char *ld_gift_get_animation     (LdGift      *self);
GDateTime  *ld_gift_get_timestamp     (LdGift      *self);
guint       ld_gift_get_duration_ms   (LdGift      *self);
/* The alert's ×N: the quantities of every send merged into it, this one
 * included (so one send of quantity 5 shows ×5). Notified as it grows. */
guint       ld_gift_get_count         (LdGift      *self);
/* value × quantity summed over the merged sends. Notified as it grows. */
double      ld_gift_get_total_value   (LdGift      *self);
/* How many sends merged into this alert (1 for a lone gift). */
guint       ld_gift_get_n_sends       (LdGift      *self);

/* Adds OTHER's quantity and value to SELF's alert. OTHER is unchanged. */
void        ld_gift_merge             (LdGift      *self,
                                       LdGift      *other);

G_END_DECLS
