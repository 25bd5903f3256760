/* ld-gift-alert.h: one gift alert on the Gifts view's stage: who sent what
 * to whom, the ×N of a combo (live, as the combo grows), the message as
 * plain text, and the animation: the widget carries the CSS class
 * "gift-anim-NAME" (default, fireworks, hearts, stars or rainbow; any other
 * name plays "default") whose @keyframes run for the core's duration of that
 * animation (ld_gift_animation_duration_ms). A new alert is a new widget, so
 * its animation starts from the beginning.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-gift.h"

G_BEGIN_DECLS

#define LD_TYPE_GIFT_ALERT (ld_gift_alert_get_type ())

G_DECLARE_FINAL_TYPE (LdGiftAlert, ld_gift_alert, LD, GIFT_ALERT, GtkWidget)

GtkWidget  *ld_gift_alert_new              (LdGift      *gift);
LdGift     *ld_gift_alert_get_gift         (LdGiftAlert *self);
/* The animation played: one of the five names. */
const char *ld_gift_alert_get_animation    (LdGiftAlert *self);
/* What the labels show, for tests. */
const char *ld_gift_alert_get_title_text   (LdGiftAlert *self);
const char *ld_gift_alert_get_count_text   (LdGiftAlert *self);
const char *ld_gift_alert_get_from_text    (LdGiftAlert *self);
const char *ld_gift_alert_get_message_text (LdGiftAlert *self);

G_END_DECLS
