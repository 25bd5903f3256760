/* ld-gift-queue.h: gift alerts, one at a time.
 *
 * Rules, all on the queue's LdClock:
 *
 * - Order: alerts play in arrival order, each for its animation's duration
 *   (ld_gift_get_duration_ms), with `gap` ms (1000) of nothing between the
 *   end of one and the start of the next; also after the last one, so a
 *   gift that arrives 300 ms after an alert ended starts 700 ms later. A
 *   gift that arrives while nothing plays and no gap runs starts at once,
 *   inside ld_gift_queue_push().
 * - Combo: a pushed gift G merges into an alert A (ld_gift_merge: A's count
 *   grows by G's quantity, G gets no alert of its own) when A is playing or
 *   waiting, has the same sender id and gift id as G, and the last gift
 *   merged into A (or A itself) arrived at most `combo-window` ms (3000)
 *   before G. The newest such alert wins. Merging never changes when A ends.
 * - Priority: when `priority-threshold` > 0, a new alert whose value ×
 *   quantity is at least the threshold is priority: it waits behind the
 *   priority alerts already waiting but ahead of every other waiting one. It
 *   never interrupts the playing one.
 * - Pause holds the playing alert (or the gap) with the time it has left;
 *   resume carries on from there. Nothing starts while paused.
 * - Skip ends the playing alert now (alert-finished is emitted) and the gap
 *   begins.
 * - Replay puts the last alert that finished back at the front of the
 *   waiting line (ahead of priority ones); it does not combo with new gifts.
 *
 * Signals: ::gift-received (LdGift) for every pushed gift, before it merges,
 * so a leaderboard counts each send once; ::alert-started and
 * ::alert-finished (LdGift) for alerts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-types.h"
#include "ld-clock.h"
#include "ld-gift.h"

G_BEGIN_DECLS

#define LD_TYPE_GIFT_QUEUE (ld_gift_queue_get_type ())

G_DECLARE_FINAL_TYPE (LdGiftQueue, ld_gift_queue, LD, GIFT_QUEUE, GObject)

#define LD_GIFT_QUEUE_DEFAULT_GAP_MS          1000
#define LD_GIFT_QUEUE_DEFAULT_COMBO_WINDOW_MS 3000

/* CLOCK: NULL for a real clock on the thread-default main context. */
LdGiftQueue *ld_gift_queue_new                    (LdClock     *clock);
/* Returns the alert that will show GIFT: GIFT itself, or the alert it merged
 * into (borrowed; compare with GIFT to tell). */
LdGift      *ld_gift_queue_push                   (LdGiftQueue *self,
                                                   LdGift      *gift);
/* The playing alert, or NULL. */
LdGift      *ld_gift_queue_get_current            (LdGiftQueue *self);
guint        ld_gift_queue_get_n_waiting          (LdGiftQueue *self);
/* The waiting alerts as a GListModel of LdGift, next first (borrowed). */
GListModel  *ld_gift_queue_get_waiting            (LdGiftQueue *self);
/* The waiting alert at POSITION (0 plays next), borrowed, or NULL. */
LdGift      *ld_gift_queue_peek_waiting           (LdGiftQueue *self,
                                                   guint        position);
gboolean     ld_gift_queue_get_paused             (LdGiftQueue *self);
void         ld_gift_queue_pause                  (LdGiftQueue *self);
void         ld_gift_queue_resume                 (LdGiftQueue *self);
/* FALSE if nothing was playing. */
gboolean     ld_gift_queue_skip                   (LdGiftQueue *self);
/* FALSE if no alert has finished yet. */
gboolean     ld_gift_queue_replay                 (LdGiftQueue *self);
/* Drops every waiting alert; the playing one plays on. */
void         ld_gift_queue_clear                  (LdGiftQueue *self);
double       ld_gift_queue_get_priority_threshold (LdGiftQueue *self);
/* 0 turns priority off (the default). */
void         ld_gift_queue_set_priority_threshold (LdGiftQueue *self,
                                                   double       threshold);
guint        ld_gift_queue_get_combo_window       (LdGiftQueue *self);
/* 0 turns combos off. */
void         ld_gift_queue_set_combo_window       (LdGiftQueue *self,
                                                   guint        ms);
guint        ld_gift_queue_get_gap                (LdGiftQueue *self);
void         ld_gift_queue_set_gap                (LdGiftQueue *self,
                                                   guint        ms);

G_END_DECLS
