/* ld-gifts-view.h: the Gifts page: the alert stage playing the session's
 * gift queue (one LdGiftAlert at a time, with its sound), the alerts
 * waiting beside it (next first), the stream's top gifters, the
 * "high-value gifts jump the queue" value, and a way to send a gift.
 *
 * Actions: gifts.pause, gifts.resume, gifts.toggle-pause, gifts.skip,
 * gifts.replay, gifts.send (opens LdSendGiftDialog). Keys while the view has
 * the focus: Ctrl+Shift+P pause/resume, Ctrl+Shift+N skip, Ctrl+Shift+R
 * replay.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-gift-alert.h"
#include "ld-gift-leaderboard.h"
#include "ld-gift-queue.h"
#include "ld-gift-sound.h"
#include "ld-session.h"
#include "ld-settings.h"

G_BEGIN_DECLS

#define LD_TYPE_GIFTS_VIEW (ld_gifts_view_get_type ())

G_DECLARE_FINAL_TYPE (LdGiftsView, ld_gifts_view, LD, GIFTS_VIEW, GtkWidget)

GtkWidget         *ld_gifts_view_new             (void);
/* Plays SESSION's gift queue, sends gifts through it, and starts a new
 * leaderboard whenever its room changes. */
void               ld_gifts_view_set_session     (LdGiftsView *self,
                                                  LdSession   *session);
/* Plays QUEUE without a session (tests drive one on an LdTestClock). */
void               ld_gifts_view_set_queue       (LdGiftsView *self,
                                                  LdGiftQueue *queue);
LdGiftQueue       *ld_gifts_view_get_queue       (LdGiftsView *self);
/* Sound volume and mute, and the queue's priority threshold, follow
 * SETTINGS (may be NULL). */
void               ld_gifts_view_set_settings    (LdGiftsView *self,
                                                  LdSettings  *settings);
/* The alert on the stage, or NULL between alerts. */
LdGiftAlert       *ld_gifts_view_get_alert       (LdGiftsView *self);
/* What the stage or the status line says when no alert shows / about the
 * queue ("Paused", "Waiting for gifts", …). */
const char        *ld_gifts_view_get_idle_text   (LdGiftsView *self);
const char        *ld_gifts_view_get_status_text (LdGiftsView *self);
/* TRUE while the empty state shows (no gift since the room was joined). */
gboolean           ld_gifts_view_get_empty       (LdGiftsView *self);
LdGiftLeaderboard *ld_gifts_view_get_leaderboard (LdGiftsView *self);
LdGiftSound       *ld_gifts_view_get_sound       (LdGiftsView *self);
/* The rows of the waiting list and the leaderboard, for tests. */
GtkListBox        *ld_gifts_view_get_queue_list  (LdGiftsView *self);
GtkListBox        *ld_gifts_view_get_leaderboard_list (LdGiftsView *self);

G_END_DECLS
