/* test-ld-room.c: one room's models fed by the events the session hands it:
 * its chat, viewers, info, gifts and the user's own sanctions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-room-private.h"

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
count_messages (LdRoom    *room,
                LdMessage *message,
                gpointer   user_data)
{
  (*(guint *) user_data)++;
}

static void
test_joined_and_messages (void)
{
  g_autoptr(LdRoom) room = _ld_room_new ("r1");
  g_autoptr(JsonObject) joined = parse_object ("{\"roomId\":\"r1\",\"title\":\"Đêm nhạc\",\"status\":\"live\","
                                               "\"viewerCount\":2,\"viewers\":[{\"userId\":\"lan\",\"username\":\"Lan\","
                                               "\"role\":\"viewer\"},{\"userId\":\"me\",\"username\":\"Me\",\"role\":\"viewer\"}],"
                                               "\"recentMessages\":[{\"messageId\":\"h1\",\"roomId\":\"r1\",\"userId\":\"lan\","
                                               "\"message\":\"cũ\"},{\"messageId\":\"h2\",\"roomId\":\"other\",\"userId\":\"lan\","
                                               "\"message\":\"lạc\"}]}");
  g_autoptr(JsonObject) mine = parse_object ("{\"messageId\":\"m1\",\"roomId\":\"r1\",\"userId\":\"me\",\"message\":\"tôi\"}");
  g_autoptr(JsonObject) theirs = parse_object ("{\"messageId\":\"m2\",\"roomId\":\"r1\",\"userId\":\"lan\",\"message\":\"chào\"}");
  g_autoptr(JsonObject) elsewhere = parse_object ("{\"messageId\":\"m3\",\"roomId\":\"r2\",\"userId\":\"lan\",\"message\":\"x\"}");
  g_autoptr(LdMessage) m1 = ld_message_new_from_json (mine, NULL);
  g_autoptr(LdMessage) m2 = ld_message_new_from_json (theirs, NULL);
  g_autoptr(LdMessage) m3 = ld_message_new_from_json (elsewhere, NULL);
  guint received = 0;

  _ld_room_set_own_user (room, "me");
  g_signal_connect (room, "message-received", G_CALLBACK (count_messages), &received);
  g_assert_false (ld_room_get_joined (room));

  _ld_room_apply_joined (room, joined);
  g_assert_true (ld_room_get_joined (room));
  g_assert_cmpstr (ld_room_get_title (room), ==, "Đêm nhạc");
  g_assert_cmpstr (ld_room_get_status (room), ==, "live");
  g_assert_cmpuint (ld_room_get_viewer_count (room), ==, 2);
  g_assert_cmpuint (ld_viewer_model_get_count (ld_room_get_viewers (room)), ==, 2);
  ld_chat_model_flush (ld_room_get_chat (room));
  /* The history is the room's only. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ld_room_get_chat (room))), ==, 1);

  _ld_room_receive_message (room, m1);
  _ld_room_receive_message (room, m2);
  _ld_room_receive_message (room, m2);
  _ld_room_receive_message (room, m3);
  /* Someone else's, once: not ours, not a repeat, not another room's. */
  g_assert_cmpuint (received, ==, 1);
  ld_chat_model_flush (ld_room_get_chat (room));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ld_room_get_chat (room))), ==, 3);

  _ld_room_clear (room, FALSE);
  g_assert_false (ld_room_get_joined (room));
  ld_chat_model_flush (ld_room_get_chat (room));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ld_room_get_chat (room))), ==, 0);
  g_assert_null (ld_room_get_title (room));
  g_assert_finalize_object (g_steal_pointer (&room));
}

static void
count_status (LdRoom     *room,
              const char *status,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_update_and_gifts (void)
{
  g_autoptr(LdRoom) room = _ld_room_new ("r1");
  g_autoptr(JsonObject) live = parse_object ("{\"roomId\":\"r1\",\"status\":\"live\",\"viewerCount\":9}");
  g_autoptr(JsonObject) again = parse_object ("{\"roomId\":\"r1\",\"status\":\"live\",\"title\":\"Mới\"}");
  g_autoptr(JsonObject) gift_here = parse_object ("{\"roomId\":\"r1\",\"senderId\":\"lan\",\"giftId\":\"rose\",\"giftValue\":1}");
  g_autoptr(JsonObject) gift_there = parse_object ("{\"roomId\":\"r9\",\"senderId\":\"lan\",\"giftId\":\"rose\",\"giftValue\":1}");
  g_autoptr(LdGift) here = ld_gift_new_from_json (gift_here, NULL);
  g_autoptr(LdGift) there = ld_gift_new_from_json (gift_there, NULL);
  guint changes = 0;

  g_signal_connect (room, "stream-status-changed", G_CALLBACK (count_status), &changes);
  _ld_room_apply_update (room, live);
  _ld_room_apply_update (room, again);
  /* A repeated "live" is no news. */
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (ld_room_get_viewer_count (room), ==, 9);
  g_assert_cmpstr (ld_room_get_title (room), ==, "Mới");

  _ld_room_receive_gift (room, there);
  g_assert_null (ld_gift_queue_get_current (ld_room_get_gifts (room)));
  _ld_room_receive_gift (room, here);
  g_assert_true (ld_gift_queue_get_current (ld_room_get_gifts (room)) == here);
}

static void
test_own_sanctions (void)
{
  g_autoptr(LdRoom) room = _ld_room_new ("r1");
  g_autoptr(JsonObject) joined = parse_object ("{\"roomId\":\"r1\",\"recentMessages\":[{\"messageId\":\"h1\","
                                               "\"roomId\":\"r1\",\"userId\":\"lan\",\"message\":\"cũ\"}]}");
  g_autoptr(JsonObject) timeout = parse_object ("{\"roomId\":\"r1\",\"userId\":\"me\",\"seconds\":60,\"by\":\"mia\",\"reason\":\"spam\"}");
  g_autoptr(JsonObject) other = parse_object ("{\"roomId\":\"r1\",\"userId\":\"lan\",\"seconds\":60}");
  g_autoptr(JsonObject) ban = parse_object ("{\"roomId\":\"r1\",\"userId\":\"me\",\"by\":\"mia\"}");

  _ld_room_set_own_user (room, "me");
  _ld_room_apply_joined (room, joined);

  g_assert_false (_ld_room_apply_sanction (room, LD_EVENT_USER_TIMED_OUT, other));
  g_assert_cmpint (ld_room_get_sanction (room), ==, LD_SANCTION_NONE);
  g_assert_false (_ld_room_apply_sanction (room, LD_EVENT_USER_TIMED_OUT, timeout));
  g_assert_cmpint (ld_room_get_sanction (room), ==, LD_SANCTION_TIMED_OUT);
  g_assert_nonnull (ld_room_get_sanction_until (room));
  g_assert_nonnull (g_strstr_len (ld_room_get_sanction_reason (room), -1, "spam"));

  /* A ban takes us out, keeping the chat as it was. */
  g_assert_true (_ld_room_apply_sanction (room, LD_EVENT_USER_BANNED, ban));
  g_assert_true (ld_room_get_banned (room));
  g_assert_false (ld_room_get_joined (room));
  g_assert_cmpint (ld_room_get_sanction (room), ==, LD_SANCTION_BANNED);
  ld_chat_model_flush (ld_room_get_chat (room));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ld_room_get_chat (room))), ==, 1);

  /* Let back in: the ban is over. */
  _ld_room_apply_joined (room, joined);
  g_assert_false (ld_room_get_banned (room));
  g_assert_cmpint (ld_room_get_sanction (room), ==, LD_SANCTION_NONE);
  g_assert_finalize_object (g_steal_pointer (&room));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/room/joined-and-messages", test_joined_and_messages);
  g_test_add_func ("/room/update-and-gifts", test_update_and_gifts);
  g_test_add_func ("/room/own-sanctions", test_own_sanctions);
  return g_test_run ();
}
