/* test-ld-room-stats.c: the dashboard's figures against a known stream of
 * room events, on the test clock: what the streamer reads while live, the
 * per-minute series, the summary at stream.end and its CSV.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-room-private.h"
#include "ld-room-stats.h"
#include "ld-test-clock.h"

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
update (LdRoom     *room,
        const char *json)
{
  g_autoptr(JsonObject) payload = parse_object (json);

  _ld_room_apply_update (room, payload);
}

static void
say (LdRoom     *room,
     const char *user_id,
     const char *text)
{
  static guint serial;
  g_autofree char *json = g_strdup_printf ("{\"messageId\":\"m%u\",\"roomId\":\"r1\",\"userId\":\"%s\","
                                           "\"username\":\"%s\",\"message\":\"%s\"}",
                                           ++serial, user_id, user_id, text);
  g_autoptr(JsonObject) payload = parse_object (json);
  g_autoptr(LdMessage) message = ld_message_new_from_json (payload, NULL);

  g_assert_nonnull (message);
  _ld_room_receive_message (room, message);
}

static void
give (LdRoom     *room,
      const char *sender_id,
      const char *sender_name,
      double      value,
      guint       quantity)
{
  g_autofree char *json = g_strdup_printf ("{\"roomId\":\"r1\",\"senderId\":\"%s\",\"senderName\":\"%s\","
                                           "\"giftId\":\"rose\",\"giftValue\":%g,\"quantity\":%u}",
                                           sender_id, sender_name, value, quantity);
  g_autoptr(JsonObject) payload = parse_object (json);
  g_autoptr(LdGift) gift = ld_gift_new_from_json (payload, NULL);

  g_assert_nonnull (gift);
  _ld_room_receive_gift (room, gift);
}

static void
join (LdRoom     *room,
      const char *user_id)
{
  g_autofree char *json = g_strdup_printf ("{\"roomId\":\"r1\",\"userId\":\"%s\",\"username\":\"%s\"}",
                                           user_id, user_id);
  g_autoptr(JsonObject) payload = parse_object (json);

  _ld_room_apply_people (room, LD_EVENT_USER_JOINED, payload);
}

static void
leave (LdRoom     *room,
       const char *user_id)
{
  g_autofree char *json = g_strdup_printf ("{\"roomId\":\"r1\",\"userId\":\"%s\"}", user_id);
  g_autoptr(JsonObject) payload = parse_object (json);

  _ld_room_apply_people (room, LD_EVENT_USER_LEFT, payload);
}

static void
count (gpointer  instance,
       guint    *counter)
{
  (*counter)++;
}

static void
assert_series (LdRoomStats       *stats,
               LdRoomStatsSeries  series,
               const double      *expected,
               guint              n_expected)
{
  guint n;
  const double *points = ld_room_stats_get_series (stats, series, &n);

  g_assert_cmpuint (n, ==, n_expected);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (points[i], expected[i], 1e-9);
}

static LdRoom *
joined_room (void)
{
  LdRoom *room = _ld_room_new ("r1");
  g_autoptr(JsonObject) joined = parse_object ("{\"roomId\":\"r1\",\"title\":\"Đêm nhạc\",\"viewerCount\":2,"
                                               "\"viewers\":[{\"userId\":\"lan\",\"username\":\"Lan\",\"role\":\"viewer\"},"
                                               "{\"userId\":\"me\",\"username\":\"Me\",\"role\":\"streamer\"}]}");

  _ld_room_set_own_user (room, "me");
  _ld_room_apply_joined (room, joined);
  return room;
}

static void
test_stream (void)
{
  g_autoptr(LdTestClock) clock = ld_test_clock_new ();
  g_autoptr(LdRoom) room = joined_room ();
  g_autoptr(LdRoomStats) stats = NULL;
  guint ended = 0;
  g_autoptr(LdGifter) first = NULL;
  g_autoptr(LdGifter) second = NULL;

  stats = ld_room_stats_new (room, LD_CLOCK (clock));
  g_signal_connect (stats, "stream-ended", G_CALLBACK (count), &ended);
  g_assert_cmpint (ld_room_stats_get_state (stats), ==, LD_STREAM_STATE_UNKNOWN);
  g_assert_cmpstr (ld_room_stats_get_title (stats), ==, "Đêm nhạc");
  g_assert_cmpuint (ld_room_stats_get_viewers (stats), ==, 2);

  /* stream.start, 5 s after the dashboard opened: the stream's time begins. */
  ld_test_clock_advance (clock, 5000);
  update (room, "{\"roomId\":\"r1\",\"status\":\"live\"}");
  g_assert_cmpint (ld_room_stats_get_state (stats), ==, LD_STREAM_STATE_LIVE);
  g_assert_cmpint (ld_room_stats_get_duration_ms (stats), ==, 0);

  /* Minute 0: Bao comes in (new), Lan leaves and comes back (not new), three
   * messages of others and one of ours, Bao sends 3 roses worth 10. */
  ld_test_clock_advance (clock, 10000);
  join (room, "bao");
  leave (room, "lan");
  join (room, "lan");
  update (room, "{\"roomId\":\"r1\",\"viewerCount\":3}");
  say (room, "lan", "chào");
  ld_test_clock_advance (clock, 10000);
  say (room, "bao", "hay quá");
  say (room, "me", "cảm ơn");
  ld_test_clock_advance (clock, 10000);
  say (room, "lan", "🎉");
  give (room, "bao", "Bao", 10, 3);

  g_assert_cmpuint (ld_room_stats_get_new_viewers (stats), ==, 1);
  /* The streamer's own message counts too. */
  g_assert_cmpuint (ld_room_stats_get_n_messages (stats), ==, 4);
  g_assert_cmpuint (ld_room_stats_get_chat_rate (stats), ==, 4);
  g_assert_cmpuint (ld_room_stats_get_n_gifts (stats), ==, 1);
  g_assert_cmpfloat_with_epsilon (ld_room_stats_get_gift_value (stats), 30, 1e-9);

  /* Minute 1 (stream time 60–120 s): a raid of 7, Lan's big gift, two
   * messages; the first minute's messages fall out of the rate. */
  ld_test_clock_advance (clock, 35000);
  update (room, "{\"roomId\":\"r1\",\"viewerCount\":7}");
  give (room, "lan", "Lan", 50, 1);
  say (room, "bao", "wow");
  ld_test_clock_advance (clock, 20000);
  say (room, "lan", "lần nữa");
  g_assert_cmpint (ld_room_stats_get_duration_ms (stats), ==, 85000);
  /* The last minute's: 🎉 (at 30 s), wow, lần nữa. */
  g_assert_cmpuint (ld_room_stats_get_chat_rate (stats), ==, 3);
  g_assert_cmpuint (ld_room_stats_get_peak_viewers (stats), ==, 7);

  /* Minute 2: it begins with the 7 still there, then down to 4; nothing
   * else; stream.end at 150 s. */
  ld_test_clock_advance (clock, 40000);
  update (room, "{\"roomId\":\"r1\",\"viewerCount\":4}");
  ld_test_clock_advance (clock, 25000);
  update (room, "{\"roomId\":\"r1\",\"status\":\"ended\"}");

  g_assert_cmpuint (ended, ==, 1);
  g_assert_cmpint (ld_room_stats_get_state (stats), ==, LD_STREAM_STATE_ENDED);
  g_assert_cmpint (ld_room_stats_get_duration_ms (stats), ==, 150000);
  g_assert_cmpuint (ld_room_stats_get_viewers (stats), ==, 4);
  g_assert_cmpuint (ld_room_stats_get_peak_viewers (stats), ==, 7);
  g_assert_cmpuint (ld_room_stats_get_n_messages (stats), ==, 6);
  g_assert_cmpuint (ld_room_stats_get_n_gifts (stats), ==, 2);
  g_assert_cmpfloat_with_epsilon (ld_room_stats_get_gift_value (stats), 80, 1e-9);
  assert_series (stats, LD_ROOM_STATS_VIEWERS, (double[]) { 3, 7, 7 }, 3);
  assert_series (stats, LD_ROOM_STATS_CHAT, (double[]) { 4, 2, 0 }, 3);
  assert_series (stats, LD_ROOM_STATS_GIFT_VALUE, (double[]) { 30, 50, 0 }, 3);

  g_assert_cmpuint (g_list_model_get_n_items (ld_room_stats_get_top_gifters (stats)), ==, 2);
  first = g_list_model_get_item (ld_room_stats_get_top_gifters (stats), 0);
  second = g_list_model_get_item (ld_room_stats_get_top_gifters (stats), 1);
  g_assert_cmpstr (ld_gifter_get_sender_name (first), ==, "Lan");
  g_assert_cmpstr (ld_gifter_get_sender_name (second), ==, "Bao");

  /* The summary stays as it was at the end: later time and chat change
   * nothing, and a repeated end is no news. */
  ld_test_clock_advance (clock, 600000);
  say (room, "lan", "bye");
  give (room, "lan", "Lan", 5, 1);
  update (room, "{\"roomId\":\"r1\",\"status\":\"ended\"}");
  g_assert_cmpuint (ended, ==, 1);
  g_assert_cmpint (ld_room_stats_get_duration_ms (stats), ==, 150000);
  g_assert_cmpuint (ld_room_stats_get_n_messages (stats), ==, 6);
  g_assert_cmpfloat_with_epsilon (ld_room_stats_get_gift_value (stats), 80, 1e-9);
  assert_series (stats, LD_ROOM_STATS_CHAT, (double[]) { 4, 2, 0 }, 3);
  g_assert_cmpuint (ld_room_stats_get_chat_rate (stats), ==, 0);
  g_assert_cmpuint (ld_test_clock_get_n_pending (clock), ==, 0);

  /* The next stream.start begins from zero. */
  update (room, "{\"roomId\":\"r1\",\"status\":\"live\"}");
  g_assert_cmpint (ld_room_stats_get_state (stats), ==, LD_STREAM_STATE_LIVE);
  g_assert_cmpuint (ld_room_stats_get_n_messages (stats), ==, 0);
  g_assert_cmpuint (ld_room_stats_get_peak_viewers (stats), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (ld_room_stats_get_top_gifters (stats)), ==, 0);
  assert_series (stats, LD_ROOM_STATS_GIFT_VALUE, (double[]) { 0 }, 1);

  g_clear_object (&first);
  g_clear_object (&second);
  g_assert_finalize_object (g_steal_pointer (&stats));
}

/* Minutes without events still get their point, on the clock's timer. */
static void
test_quiet_minutes (void)
{
  g_autoptr(LdTestClock) clock = ld_test_clock_new ();
  g_autoptr(LdRoom) room = joined_room ();
  g_autoptr(LdRoomStats) stats = NULL;
  guint changed = 0;

  update (room, "{\"roomId\":\"r1\",\"status\":\"live\"}");
  stats = ld_room_stats_new (room, LD_CLOCK (clock));
  g_assert_cmpint (ld_room_stats_get_state (stats), ==, LD_STREAM_STATE_LIVE);
  g_signal_connect (stats, "changed", G_CALLBACK (count), &changed);

  ld_test_clock_advance (clock, 3 * LD_ROOM_STATS_MINUTE_MS + 1000);
  g_assert_cmpuint (changed, ==, 3);
  assert_series (stats, LD_ROOM_STATS_VIEWERS, (double[]) { 2, 2, 2, 2 }, 4);
  assert_series (stats, LD_ROOM_STATS_CHAT, (double[]) { 0, 0, 0, 0 }, 4);
  g_assert_finalize_object (g_steal_pointer (&stats));
}

static void
test_csv (void)
{
  g_autoptr(LdTestClock) clock = ld_test_clock_new ();
  g_autoptr(LdRoom) room = joined_room ();
  g_autoptr(LdRoomStats) stats = NULL;
  g_autofree char *csv = NULL;
  const char *expected =
    "field,value\r\n"
    "room,r1\r\n"
    "title,\"'=HYPERLINK(\"\"http://x\"\",\"\"a, b\"\")\"\r\n"
    "state,ended\r\n"
    "duration_seconds,90\r\n"
    "peak_viewers,2\r\n"
    "new_viewers,0\r\n"
    "messages,1\r\n"
    "gifts,2\r\n"
    "gift_value,12.5\r\n"
    "\r\n"
    "rank,gifter,gifts,gift_value\r\n"
    "1,\"Lan, \"\"the\"\" fan\",1,10\r\n"
    "2,Bao,1,2.5\r\n"
    "\r\n"
    "minute,viewers,chat_messages,gift_value\r\n"
    "0,2,1,10\r\n"
    "1,2,0,2.5\r\n";

  stats = ld_room_stats_new (room, LD_CLOCK (clock));
  /* A title a spreadsheet would run, names with commas and quotes. */
  update (room, "{\"roomId\":\"r1\",\"status\":\"live\",\"title\":\"=HYPERLINK(\\\"http://x\\\",\\\"a, b\\\")\"}");
  say (room, "lan", "hi");
  give (room, "lan", "Lan, \\\"the\\\" fan", 10, 1);
  ld_test_clock_advance (clock, 70000);
  give (room, "bao", "Bao", 2.5, 1);
  ld_test_clock_advance (clock, 20000);
  update (room, "{\"roomId\":\"r1\",\"status\":\"ended\"}");

  csv = ld_room_stats_to_csv (stats);
  g_assert_cmpstr (csv, ==, expected);
  g_assert_finalize_object (g_steal_pointer (&stats));
}

/* Made before the join (as the app does): who the join lists was there
 * already; only later arrivals are new. */
static void
test_new_viewers_from_join (void)
{
  g_autoptr(LdTestClock) clock = ld_test_clock_new ();
  g_autoptr(LdRoom) room = _ld_room_new ("r1");
  g_autoptr(LdRoomStats) stats = ld_room_stats_new (room, LD_CLOCK (clock));
  g_autoptr(JsonObject) joined = parse_object ("{\"roomId\":\"r1\",\"status\":\"live\",\"viewers\":["
                                               "{\"userId\":\"lan\",\"username\":\"Lan\",\"role\":\"viewer\"},"
                                               "{\"userId\":\"minh\",\"username\":\"Minh\",\"role\":\"viewer\"}]}");

  _ld_room_apply_joined (room, joined);
  g_assert_cmpuint (ld_room_stats_get_viewers (stats), ==, 2);
  g_assert_cmpuint (ld_room_stats_get_new_viewers (stats), ==, 0);
  join (room, "bao");
  g_assert_cmpuint (ld_room_stats_get_new_viewers (stats), ==, 1);
  /* A reconnect: out of the room, then the same list again. */
  _ld_room_set_joined (room, FALSE);
  _ld_room_apply_joined (room, joined);
  join (room, "bao");
  g_assert_cmpuint (ld_room_stats_get_new_viewers (stats), ==, 1);
  g_assert_finalize_object (g_steal_pointer (&stats));
}

static void
test_tickets_waiting (void)
{
  g_autoptr(LdTestClock) clock = ld_test_clock_new ();
  g_autoptr(LdRoom) room = joined_room ();
  g_autoptr(LdTicketModel) tickets = ld_ticket_model_new ();
  g_autoptr(LdRoomStats) stats = ld_room_stats_new (room, LD_CLOCK (clock));
  g_autoptr(JsonObject) lan = parse_object ("{\"ticketId\":\"t1\",\"userId\":\"lan\",\"username\":\"Lan\","
                                            "\"message\":\"Không xem được\"}");
  g_autoptr(JsonObject) bao = parse_object ("{\"ticketId\":\"t2\",\"userId\":\"bao\",\"username\":\"Bao\","
                                            "\"message\":\"Quà bị lỗi\"}");
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (ld_room_stats_get_tickets_waiting (stats), ==, 0);
  ld_room_stats_set_tickets (stats, tickets);
  g_assert_nonnull (ld_ticket_model_apply_admin_chat (tickets, lan, &error));
  g_assert_no_error (error);
  g_assert_nonnull (ld_ticket_model_apply_admin_chat (tickets, bao, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ld_room_stats_get_tickets_waiting (stats), ==, 2);

  /* Answered: no longer waiting. */
  g_assert_nonnull (ld_ticket_model_add_reply (tickets, "lan", "me", "Me", "Thử tải lại nhé"));
  g_assert_cmpuint (ld_room_stats_get_tickets_waiting (stats), ==, 1);
  g_assert_finalize_object (g_steal_pointer (&stats));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/room-stats/stream", test_stream);
  g_test_add_func ("/room-stats/quiet-minutes", test_quiet_minutes);
  g_test_add_func ("/room-stats/csv", test_csv);
  g_test_add_func ("/room-stats/new-viewers-from-join", test_new_viewers_from_join);
  g_test_add_func ("/room-stats/tickets-waiting", test_tickets_waiting);

  return g_test_run ();
}
