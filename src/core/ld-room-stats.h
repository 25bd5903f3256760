/* ld-room-stats.h: how a room's stream is going, for the streamer's
 * dashboard: viewers now and at the peak, chat messages per minute, new
 * viewers, gifts and their value, top gifters and support tickets waiting,
 * with per-minute series over the stream's time and a summary when it ends.
 *
 * Fed by an LdRoom's signals and models and timed on an LdClock (tests use
 * LdTestClock). The stream starts when the stats are made, and again on
 * every roomUpdate that turns the room "live" (stream.start): a new stream
 * starts from zero. "ended" (stream.end) freezes the figures and series as
 * the stream's summary and emits ::stream-ended; viewers now still follow
 * the room.
 *
 * Series point i covers minute i of the stream (the last one is the minute
 * running now): the most viewers seen in it, the chat messages in it, and
 * the value (value × quantity) of the gifts in it.
 *
 * ::changed is emitted after any figure changed, and at each new minute.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-types.h"
#include "ld-clock.h"
#include "ld-gifter.h"
#include "ld-room.h"
#include "ld-ticket-model.h"

G_BEGIN_DECLS

#define LD_ROOM_STATS_MINUTE_MS 60000

typedef enum
{
  LD_ROOM_STATS_VIEWERS,
  LD_ROOM_STATS_CHAT,
  LD_ROOM_STATS_GIFT_VALUE,
  LD_ROOM_STATS_N_SERIES,
} LdRoomStatsSeries;

typedef enum
{
  LD_STREAM_STATE_UNKNOWN, /* the room never said */
  LD_STREAM_STATE_LIVE,
  LD_STREAM_STATE_ENDED,
} LdStreamState;

#define LD_TYPE_ROOM_STATS (ld_room_stats_get_type ())

G_DECLARE_FINAL_TYPE (LdRoomStats, ld_room_stats, LD, ROOM_STATS, GObject)

/* CLOCK: NULL for a real clock on the thread-default main context. */
LdRoomStats   *ld_room_stats_new               (LdRoom        *room,
                                                LdClock       *clock);
LdRoom        *ld_room_stats_get_room          (LdRoomStats   *self);
/* Where support tickets waiting are counted from (may be NULL: 0). */
void           ld_room_stats_set_tickets       (LdRoomStats   *self,
                                                LdTicketModel *tickets);

const char    *ld_room_stats_get_title         (LdRoomStats   *self);
LdStreamState  ld_room_stats_get_state         (LdRoomStats   *self);
/* From the stream's start to now, or to its end once it ended. */
gint64         ld_room_stats_get_duration_ms   (LdRoomStats   *self);

guint          ld_room_stats_get_viewers       (LdRoomStats   *self);
guint          ld_room_stats_get_peak_viewers  (LdRoomStats   *self);
/* Users who came in during the stream and were not there at its start. */
guint          ld_room_stats_get_new_viewers   (LdRoomStats   *self);
/* Live chat messages of the room's people (not the history a join brings). */
guint          ld_room_stats_get_n_messages    (LdRoomStats   *self);
/* Messages in the last minute. */
guint          ld_room_stats_get_chat_rate     (LdRoomStats   *self);
/* Gift sends, and their value × quantity summed. */
guint          ld_room_stats_get_n_gifts       (LdRoomStats   *self);
double         ld_room_stats_get_gift_value    (LdRoomStats   *self);
/* The stream's gifters as a GListModel of LdGifter, highest total first. */
GListModel    *ld_room_stats_get_top_gifters   (LdRoomStats   *self);
/* Tickets not resolved whose last message is not the signed-in user's own
 * (someone waits for an answer). */
guint          ld_room_stats_get_tickets_waiting (LdRoomStats *self);

/* One point per minute of the stream so far; borrowed, valid until the next
 * ::changed. */
const double  *ld_room_stats_get_series        (LdRoomStats      *self,
                                                LdRoomStatsSeries series,
                                                guint            *n_points);

/* The stream's summary and its per-minute series as CSV (RFC 4180, '.'
 * decimals whatever the locale; text a spreadsheet would run as a formula
 * is quoted with a leading apostrophe). */
char          *ld_room_stats_to_csv            (LdRoomStats   *self);

G_END_DECLS
