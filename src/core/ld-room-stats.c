/* ld-room-stats.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-gift-leaderboard.h"
#include "ld-real-clock.h"
#include "ld-room-stats.h"
#include "ld-ticket.h"

struct _LdRoomStats
{
  GObject            parent_instance;

  LdRoom            *room;
  LdClock           *clock;
  LdTicketModel     *tickets;

  LdStreamState      state;
  gint64             start_ms;
  gint64             end_ms;
  guint              minute_source;

  guint              peak_viewers;
  guint              new_viewers;
  guint              n_messages;
  guint              n_gifts;
  double             gift_value;
  /* User ids seen in the room during this stream (or at its start). */
  GHashTable        *seen;
  /* Clock times of the messages of the last minute, oldest first. */
  GQueue             recent;
  LdGiftLeaderboard *leaderboard;
  GArray            *series[LD_ROOM_STATS_N_SERIES];
};

G_DEFINE_FINAL_TYPE (LdRoomStats, ld_room_stats, G_TYPE_OBJECT)

enum
{
  CHANGED,
  STREAM_ENDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule_minute (LdRoomStats *self);

static gint64
now_ms (LdRoomStats *self)
{
  return ld_clock_get_time_ms (self->clock);
}

static guint
current_viewers (LdRoomStats *self)
{
  guint count = ld_room_get_viewer_count (self->room);

  /* viewerCount comes with roomUpdate and viewerPong; until one came the
   * list of viewers is all there is. */
  return count > 0 ? count : ld_viewer_model_get_count (ld_room_get_viewers (self->room));
}

static double *
series_point (LdRoomStats       *self,
              LdRoomStatsSeries  series)
{
  GArray *array = self->series[series];

  return &g_array_index (array, double, array->len - 1);
}

/* Points up to the minute running now; a minute without events still gets
 * one, its viewers those of the moment. */
static void
fill_minutes (LdRoomStats *self)
{
  gint64 elapsed;
  guint wanted;

  if (self->state == LD_STREAM_STATE_ENDED)
    return;
  elapsed = MAX (0, now_ms (self) - self->start_ms);
  wanted = (guint) (elapsed / LD_ROOM_STATS_MINUTE_MS) + 1;
  while (self->series[LD_ROOM_STATS_VIEWERS]->len < wanted)
    {
      double viewers = current_viewers (self);
      double zero = 0;

      g_array_append_val (self->series[LD_ROOM_STATS_VIEWERS], viewers);
      g_array_append_val (self->series[LD_ROOM_STATS_CHAT], zero);
      g_array_append_val (self->series[LD_ROOM_STATS_GIFT_VALUE], zero);
    }
}

static void
drop_old_messages (LdRoomStats *self)
{
  gint64 since = now_ms (self) - LD_ROOM_STATS_MINUTE_MS;

  while (!g_queue_is_empty (&self->recent) &&
         *(gint64 *) g_queue_peek_head (&self->recent) <= since)
    g_free (g_queue_pop_head (&self->recent));
}

static void
emit_changed (LdRoomStats *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
seed_seen (LdRoomStats *self)
{
  GListModel *viewers = G_LIST_MODEL (ld_room_get_viewers (self->room));
  guint n = g_list_model_get_n_items (viewers);

  g_hash_table_remove_all (self->seen);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LdViewer) viewer = g_list_model_get_item (viewers, i);

      g_hash_table_add (self->seen, g_strdup (ld_viewer_get_user_id (viewer)));
    }
}

/* A new stream: every figure from zero, time from now. */
static void
start_stream (LdRoomStats *self)
{
  if (self->minute_source != 0)
    ld_clock_remove (self->clock, self->minute_source);
  self->minute_source = 0;
  self->start_ms = now_ms (self);
  self->end_ms = 0;
  self->peak_viewers = current_viewers (self);
  self->new_viewers = 0;
  self->n_messages = 0;
  self->n_gifts = 0;
  self->gift_value = 0;
  g_queue_clear_full (&self->recent, g_free);
  ld_gift_leaderboard_clear (self->leaderboard);
  for (guint i = 0; i < LD_ROOM_STATS_N_SERIES; i++)
    g_array_set_size (self->series[i], 0);
  seed_seen (self);
  fill_minutes (self);
  schedule_minute (self);
}

static void
on_minute (gpointer data)
{
  LdRoomStats *self = data;

  self->minute_source = 0;
  fill_minutes (self);
  drop_old_messages (self);
  schedule_minute (self);
  emit_changed (self);
}

static void
schedule_minute (LdRoomStats *self)
{
  gint64 into;

  if (self->state == LD_STREAM_STATE_ENDED || self->minute_source != 0)
    return;
  into = MAX (0, now_ms (self) - self->start_ms) % LD_ROOM_STATS_MINUTE_MS;
  self->minute_source = ld_clock_add_timeout (self->clock, (guint) (LD_ROOM_STATS_MINUTE_MS - into),
                                              on_minute, self, NULL);
}

static void
note_viewers (LdRoomStats *self)
{
  guint viewers = current_viewers (self);

  if (self->state != LD_STREAM_STATE_ENDED)
    {
      fill_minutes (self);
      self->peak_viewers = MAX (self->peak_viewers, viewers);
      *series_point (self, LD_ROOM_STATS_VIEWERS) = MAX (*series_point (self, LD_ROOM_STATS_VIEWERS), viewers);
    }
  emit_changed (self);
}

static void
on_viewer_count (LdRoomStats *self)
{
  note_viewers (self);
}

static void
on_viewers_changed (LdRoomStats *self,
                    guint        position,
                    guint        removed,
                    guint        added,
                    GListModel  *viewers)
{
  /* The list a join (or a re-join after a reconnect) brings is who was
   * there already; newcomers arrive while in the room. */
  gboolean counting = ld_room_get_joined (self->room);

  if (self->state != LD_STREAM_STATE_ENDED)
    for (guint i = position; i < position + added; i++)
      {
        g_autoptr(LdViewer) viewer = g_list_model_get_item (viewers, i);
        const char *user_id = ld_viewer_get_user_id (viewer);

        if (!g_hash_table_contains (self->seen, user_id))
          {
            g_hash_table_add (self->seen, g_strdup (user_id));
            if (counting)
              self->new_viewers++;
          }
      }
  note_viewers (self);
}

static void
on_message_received (LdRoomStats *self,
                     LdMessage   *message)
{
  gint64 *at;

  if (self->state == LD_STREAM_STATE_ENDED)
    return;
  fill_minutes (self);
  self->n_messages++;
  *series_point (self, LD_ROOM_STATS_CHAT) += 1;
  at = g_new (gint64, 1);
  *at = now_ms (self);
  g_queue_push_tail (&self->recent, at);
  emit_changed (self);
}

static void
on_gift_received (LdRoomStats *self,
                  LdGift      *gift)
{
  double value;

  if (self->state == LD_STREAM_STATE_ENDED)
    return;
  fill_minutes (self);
  value = ld_gift_get_value (gift) * ld_gift_get_quantity (gift);
  self->n_gifts++;
  self->gift_value += value;
  *series_point (self, LD_ROOM_STATS_GIFT_VALUE) += value;
  ld_gift_leaderboard_add (self->leaderboard, gift);
  emit_changed (self);
}

static void
on_stream_status (LdRoomStats *self,
                  const char  *status)
{
  if (g_strcmp0 (status, "live") == 0)
    {
      self->state = LD_STREAM_STATE_LIVE;
      start_stream (self);
      emit_changed (self);
    }
  else if (g_strcmp0 (status, "ended") == 0 && self->state != LD_STREAM_STATE_ENDED)
    {
      fill_minutes (self);
      self->state = LD_STREAM_STATE_ENDED;
      self->end_ms = now_ms (self);
      if (self->minute_source != 0)
        ld_clock_remove (self->clock, self->minute_source);
      self->minute_source = 0;
      emit_changed (self);
      g_signal_emit (self, signals[STREAM_ENDED], 0);
    }
}

static void
on_title (LdRoomStats *self)
{
  emit_changed (self);
}

static void
on_tickets_changed (LdRoomStats *self)
{
  emit_changed (self);
}

static void
ld_room_stats_dispose (GObject *object)
{
  LdRoomStats *self = LD_ROOM_STATS (object);

  if (self->minute_source != 0 && self->clock != NULL)
    ld_clock_remove (self->clock, self->minute_source);
  self->minute_source = 0;
  ld_room_stats_set_tickets (self, NULL);
  if (self->room != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->room, self);
      g_signal_handlers_disconnect_by_data (ld_room_get_viewers (self->room), self);
      g_signal_handlers_disconnect_by_data (ld_room_get_gifts (self->room), self);
    }
  g_clear_object (&self->room);
  g_clear_object (&self->clock);
  g_clear_object (&self->leaderboard);

  G_OBJECT_CLASS (ld_room_stats_parent_class)->dispose (object);
}

static void
ld_room_stats_finalize (GObject *object)
{
  LdRoomStats *self = LD_ROOM_STATS (object);

  g_queue_clear_full (&self->recent, g_free);
  g_hash_table_unref (self->seen);
  for (guint i = 0; i < LD_ROOM_STATS_N_SERIES; i++)
    g_array_unref (self->series[i]);

  G_OBJECT_CLASS (ld_room_stats_parent_class)->finalize (object);
}

static void
ld_room_stats_class_init (LdRoomStatsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ld_room_stats_dispose;
  object_class->finalize = ld_room_stats_finalize;

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The stream ended: the figures are its summary from now on. */
  signals[STREAM_ENDED] =
    g_signal_new ("stream-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ld_room_stats_init (LdRoomStats *self)
{
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->recent);
  self->leaderboard = ld_gift_leaderboard_new ();
  for (guint i = 0; i < LD_ROOM_STATS_N_SERIES; i++)
    self->series[i] = g_array_new (FALSE, TRUE, sizeof (double));
}

LdRoomStats *
ld_room_stats_new (LdRoom  *room,
                   LdClock *clock)
{
  LdRoomStats *self;
  const char *status;

  g_return_val_if_fail (LD_IS_ROOM (room), NULL);
  g_return_val_if_fail (clock == NULL || LD_IS_CLOCK (clock), NULL);

  self = g_object_new (LD_TYPE_ROOM_STATS, NULL);
  self->room = g_object_ref (room);
  self->clock = clock != NULL ? g_object_ref (clock) : ld_real_clock_new ();

  status = ld_room_get_status (room);
  self->state = g_strcmp0 (status, "live") == 0 ? LD_STREAM_STATE_LIVE : LD_STREAM_STATE_UNKNOWN;
  start_stream (self);
  if (g_strcmp0 (status, "ended") == 0)
    on_stream_status (self, status);

  g_signal_connect_object (room, "notify::viewer-count", G_CALLBACK (on_viewer_count), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (room, "notify::title", G_CALLBACK (on_title), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (room, "message-posted", G_CALLBACK (on_message_received), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (room, "stream-status-changed", G_CALLBACK (on_stream_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (ld_room_get_viewers (room), "items-changed", G_CALLBACK (on_viewers_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (ld_room_get_gifts (room), "gift-received", G_CALLBACK (on_gift_received), self,
                           G_CONNECT_SWAPPED);
  return self;
}

LdRoom *
ld_room_stats_get_room (LdRoomStats *self)
{
  g_return_val_if_fail (LD_IS_ROOM_STATS (self), NULL);
  return self->room;
}

void
ld_room_stats_set_tickets (LdRoomStats   *self,
                           LdTicketModel *tickets)
{
  g_return_if_fail (LD_IS_ROOM_STATS (self));
  g_return_if_fail (tickets == NULL || LD_IS_TICKET_MODEL (tickets));

  if (self->tickets == tickets)
    return;
  if (self->tickets != NULL)
    g_signal_handlers_disconnect_by_data (self->tickets, self);
  g_set_object (&self->tickets, tickets);
  if (tickets != NULL)
    g_signal_connect_object (tickets, "items-changed", G_CALLBACK (on_tickets_changed), self, G_CONNECT_SWAPPED);
  emit_changed (self);
}

const char *
ld_room_stats_get_title (LdRoomStats *self)
{
  g_return_val_if_fail (LD_IS_ROOM_STATS (self), NULL);
  return ld_room_get_title (self->room);
}

LdStreamState
ld_room_stats_get_state (LdRoomStats *self)
{
  g_return_val_if_fail (LD_IS_ROOM_STATS (self), LD_STREAM_STATE_UNKNOWN);
  return self->state;
}

gint64
ld_room_stats_get_duration_ms (LdRoomStats *self)
{
  g_return_val_if_fail (LD_IS_ROOM_STATS (self), 0);
  return MAX (0, (self->state == LD_STREAM_STATE_ENDED ? self->end_ms : now_ms (self)) - self->start_ms);
}

guint
ld_room_stats_get_viewers (LdRoomStats *self)
{
  g_return_val_if_fail (LD_IS_ROOM_STATS (self), 0);
  return current_viewers (self);
}

#define GETTER(type, name, field, fallback) \
  type \
  ld_room_stats_get_##name (LdRoomStats *self) \
  { \
    g_return_val_if_fail (LD_IS_ROOM_STATS (self), fallback); \
    return self->field; \
  }

GETTER (guint, peak_viewers, peak_viewers, 0)
GETTER (guint, new_viewers, new_viewers, 0)
GETTER (guint, n_messages, n_messages, 0)
GETTER (guint, n_gifts, n_gifts, 0)
GETTER (double, gift_value, gift_value, 0)

#undef GETTER

guint
ld_room_stats_get_chat_rate (LdRoomStats *self)
{
  g_return_val_if_fail (LD_IS_ROOM_STATS (self), 0);

  if (self->state == LD_STREAM_STATE_ENDED)
    return 0;
  drop_old_messages (self);
  return g_queue_get_length (&self->recent);
}

GListModel *
ld_room_stats_get_top_gifters (LdRoomStats *self)
{
  g_return_val_if_fail (LD_IS_ROOM_STATS (self), NULL);
  return G_LIST_MODEL (self->leaderboard);
}

guint
ld_room_stats_get_tickets_waiting (LdRoomStats *self)
{
  guint n_tickets;
  guint waiting = 0;

  g_return_val_if_fail (LD_IS_ROOM_STATS (self), 0);

  if (self->tickets == NULL)
    return 0;
  n_tickets = g_list_model_get_n_items (G_LIST_MODEL (self->tickets));
  for (guint i = 0; i < n_tickets; i++)
    {
      g_autoptr(LdTicket) ticket = g_list_model_get_item (G_LIST_MODEL (self->tickets), i);
      GListModel *messages = ld_ticket_get_messages (ticket);
      guint n_messages = g_list_model_get_n_items (messages);
      g_autoptr(LdMessage) last = n_messages > 0 ? g_list_model_get_item (messages, n_messages - 1) : NULL;

      if (!ld_ticket_get_resolved (ticket) && last != NULL && !ld_message_get_is_own (last))
        waiting++;
    }
  return waiting;
}

const double *
ld_room_stats_get_series (LdRoomStats       *self,
                          LdRoomStatsSeries  series,
                          guint             *n_points)
{
  g_return_val_if_fail (LD_IS_ROOM_STATS (self), NULL);
  g_return_val_if_fail (series < LD_ROOM_STATS_N_SERIES, NULL);
  g_return_val_if_fail (n_points != NULL, NULL);

  fill_minutes (self);
  *n_points = self->series[series]->len;
  return (const double *) self->series[series]->data;
}

/* One CSV field: quoted when it holds a separator, a quote or a line
 * break; names and titles come from users, so one a spreadsheet would run
 * as a formula is made text. */
static void
append_field (GString    *csv,
              const char *text)
{
  gboolean formula = text != NULL && text[0] != '\0' && strchr ("=+-@\t\r", text[0]) != NULL;

  if (text == NULL)
    text = "";
  if (!formula && strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (csv, text);
      return;
    }
  g_string_append_c (csv, '"');
  if (formula)
    g_string_append_c (csv, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (csv, '"');
      g_string_append_c (csv, *p);
    }
  g_string_append_c (csv, '"');
}

static void
append_number (GString *csv,
               double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (csv, g_ascii_formatd (buffer, sizeof buffer, "%.15g", value));
}

static void
append_row (GString    *csv,
            const char *name,
            const char *text)
{
  g_string_append (csv, name);
  g_string_append_c (csv, ',');
  append_field (csv, text);
  g_string_append (csv, "\r\n");
}

static void
append_number_row (GString    *csv,
                   const char *name,
                   double      value)
{
  g_string_append (csv, name);
  g_string_append_c (csv, ',');
  append_number (csv, value);
  g_string_append (csv, "\r\n");
}

char *
ld_room_stats_to_csv (LdRoomStats *self)
{
  static const char *const states[] = { "unknown", "live", "ended" };
  GString *csv;
  GListModel *gifters;
  guint n_gifters;
  guint n_points;

  g_return_val_if_fail (LD_IS_ROOM_STATS (self), NULL);

  fill_minutes (self);
  csv = g_string_new ("field,value\r\n");
  append_row (csv, "room", ld_room_get_id (self->room));
  append_row (csv, "title", ld_room_get_title (self->room));
  append_row (csv, "state", states[self->state]);
  append_number_row (csv, "duration_seconds", (double) (ld_room_stats_get_duration_ms (self) / 1000));
  append_number_row (csv, "peak_viewers", self->peak_viewers);
  append_number_row (csv, "new_viewers", self->new_viewers);
  append_number_row (csv, "messages", self->n_messages);
  append_number_row (csv, "gifts", self->n_gifts);
  append_number_row (csv, "gift_value", self->gift_value);

  g_string_append (csv, "\r\nrank,gifter,gifts,gift_value\r\n");
  gifters = G_LIST_MODEL (self->leaderboard);
  n_gifters = g_list_model_get_n_items (gifters);
  for (guint i = 0; i < n_gifters; i++)
    {
      g_autoptr(LdGifter) gifter = g_list_model_get_item (gifters, i);

      g_string_append_printf (csv, "%u,", i + 1);
      append_field (csv, ld_gifter_get_sender_name (gifter));
      g_string_append_printf (csv, ",%u,", ld_gifter_get_n_gifts (gifter));
      append_number (csv, ld_gifter_get_total_value (gifter));
      g_string_append (csv, "\r\n");
    }

  g_string_append (csv, "\r\nminute,viewers,chat_messages,gift_value\r\n");
  n_points = self->series[LD_ROOM_STATS_VIEWERS]->len;
  for (guint i = 0; i < n_points; i++)
    {
      g_string_append_printf (csv, "%u", i);
      for (guint s = 0; s < LD_ROOM_STATS_N_SERIES; s++)
        {
          g_string_append_c (csv, ',');
          append_number (csv, g_array_index (self->series[s], double, i));
        }
      g_string_append (csv, "\r\n");
    }
  return g_string_free (csv, FALSE);
}
