/* test-ld-room.c: one room's models fed by the events the session hands it:
 * its chat, viewers, info, gifts and the user's own sanctions; and the
 * room's own actions (gifts, room info, moderation) against a real
 * livedesk-gateway, as users would notice them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-room-private.h"
#include "ld-session-private.h"
#include "ld-test-gateway.h"
#include "ld-test-util.h"
#include "ld-test-room.h"
#include "test-peer.h"

/* Generous: a noisy machine is slow. */
#define WAIT_MS 30000

static const char *program;

#define WAIT_UNTIL(cond) LD_TEST_WAIT_UNTIL (cond, WAIT_MS)

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

static void
moderate (LdSession    *session,
          LdModeration  action,
          const char   *room_id,
          const char   *target)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ld_room_moderate_async (ld_session_get_room (session, room_id), action, target, 60, "test", NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (ld_room_moderate_finish (ld_test_source_room (result), result, &error));
  g_assert_no_error (error);
}

/* The server refuses a message: it is marked failed with the server's
 * reason, and the user's retry sends it once the refusal no longer holds.
 * Moderators delete it; a viewer may not moderate. */
static void
test_refusal_retry_moderation (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (program);
  g_autoptr(LdSession) alice = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);
  g_autoptr(LdSession) mia = ld_test_gateway_online_session (gateway, "mia", "moderator", WAIT_MS);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LdMessage *message;

  ld_test_session_join (alice, "room_4", WAIT_MS);
  ld_test_session_join (mia, "room_4", WAIT_MS);
  g_assert_true (ld_room_can_moderate (ld_test_room (mia)));
  g_assert_false (ld_room_can_moderate (ld_test_room (alice)));

  moderate (mia, LD_MODERATION_TIMEOUT, "room_4", "alice");
  message = ld_room_send_text (ld_test_room (alice), "let me speak", &error);
  g_assert_no_error (error);
  WAIT_UNTIL (ld_message_get_state (message) == LD_MESSAGE_STATE_FAILED);
  g_assert_nonnull (ld_message_get_failure_reason (message));
  g_assert_cmpuint (ld_outbox_get_length (ld_session_get_outbox (alice)), ==, 0);

  moderate (mia, LD_MODERATION_UNBAN, "room_4", "alice");
  g_assert_true (ld_room_retry_message (ld_test_room (alice), message));
  g_assert_cmpint (ld_message_get_state (message), ==, LD_MESSAGE_STATE_PENDING);
  WAIT_UNTIL (ld_message_get_state (message) == LD_MESSAGE_STATE_SENT);
  g_assert_cmpuint (ld_test_session_count_text (alice, "alice", "let me speak"), ==, 1);
  WAIT_UNTIL (ld_test_session_count_text (mia, "alice", "let me speak") == 1);

  moderate (mia, LD_MODERATION_DELETE, "room_4", ld_message_get_id (message));
  WAIT_UNTIL (ld_message_get_state (message) == LD_MESSAGE_STATE_DELETED);
  g_assert_cmpstr (ld_message_get_deleted_by (message), ==, "mia");

  ld_room_moderate_async (ld_session_get_room (alice, "room_4"), LD_MODERATION_BAN, "mia", 0, NULL, NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_false (ld_room_moderate_finish (ld_test_source_room (result), result, &error));
  g_assert_error (error, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_ALLOWED);

  /* A ban takes Alice out of the room; Mia sees her go. */
  moderate (mia, LD_MODERATION_BAN, "room_4", "alice");
  WAIT_UNTIL (ld_test_room_id (alice) == NULL);
  WAIT_UNTIL (ld_viewer_model_lookup (ld_room_get_viewers (ld_test_room (mia)), "alice") == NULL);
}

static void
moderate_for (LdSession    *session,
              LdModeration  action,
              const char   *target,
              guint         seconds)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ld_room_moderate_async (ld_session_get_room (session, "room_6"), action, target, seconds, "spam", NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (ld_room_moderate_finish (ld_test_source_room (result), result, &error));
  g_assert_no_error (error);
}

static LdSanction
sanction_seen (LdSession  *session,
               const char *user_id)
{
  LdViewer *viewer = ld_viewer_model_lookup (ld_room_get_viewers (ld_test_room (session)), user_id);

  return viewer != NULL ? ld_viewer_get_sanction (viewer) : (LdSanction) -1;
}

/* Timeouts and bans show on the viewer for everyone and on the session for
 * the one sanctioned (with who and why, so the UI can say it); a timeout
 * lifts by itself; a ban takes the user out but not their messages. */
static void
test_sanctions (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (program);
  g_autoptr(LdSession) alice = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);
  g_autoptr(LdSession) bob = ld_test_gateway_online_session (gateway, "bob", "viewer", WAIT_MS);
  g_autoptr(LdSession) mia = ld_test_gateway_online_session (gateway, "mia", "moderator", WAIT_MS);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = NULL;
  LdMessage *message;
  GTimeSpan left;

  ld_test_session_join (alice, "room_6", WAIT_MS);
  ld_test_session_join (bob, "room_6", WAIT_MS);
  ld_test_session_join (mia, "room_6", WAIT_MS);
  WAIT_UNTIL (sanction_seen (mia, "alice") == LD_SANCTION_NONE && sanction_seen (bob, "alice") == LD_SANCTION_NONE);
  message = ld_room_send_text (ld_test_room (alice), "before", &error);
  g_assert_no_error (error);
  WAIT_UNTIL (ld_message_get_state (message) == LD_MESSAGE_STATE_SENT);
  g_assert_cmpint (ld_room_get_sanction (ld_test_room (alice)), ==, LD_SANCTION_NONE);

  moderate_for (mia, LD_MODERATION_TIMEOUT, "alice", 4);
  WAIT_UNTIL (ld_room_get_sanction (ld_test_room (alice)) == LD_SANCTION_TIMED_OUT);
  g_assert_nonnull (ld_room_get_sanction_until (ld_test_room (alice)));
  now = g_date_time_new_now_utc ();
  left = g_date_time_difference (ld_room_get_sanction_until (ld_test_room (alice)), now);
  g_assert_cmpint (left, >, 0);
  g_assert_cmpint (left, <=, 4 * G_TIME_SPAN_SECOND);
  g_assert_nonnull (strstr (ld_room_get_sanction_reason (ld_test_room (alice)), "mia"));
  g_assert_nonnull (strstr (ld_room_get_sanction_reason (ld_test_room (alice)), "spam"));
  WAIT_UNTIL (sanction_seen (mia, "alice") == LD_SANCTION_TIMED_OUT);
  WAIT_UNTIL (sanction_seen (bob, "alice") == LD_SANCTION_TIMED_OUT);
  g_assert_cmpint (ld_room_get_sanction (ld_test_room (bob)), ==, LD_SANCTION_NONE);

  /* Past the one-message-a-second limit: the server refuses, not the client. */
  test_spin (1100);
  message = ld_room_send_text (ld_test_room (alice), "muted", &error);
  g_assert_no_error (error);
  WAIT_UNTIL (ld_message_get_state (message) == LD_MESSAGE_STATE_FAILED);
  g_assert_cmpstr (ld_outbox_get_refusal_code (message), ==, "FORBIDDEN");

  /* Nobody lifts it: it ends by itself. */
  WAIT_UNTIL (ld_room_get_sanction (ld_test_room (alice)) == LD_SANCTION_NONE);
  g_assert_null (ld_room_get_sanction_until (ld_test_room (alice)));
  g_assert_null (ld_room_get_sanction_reason (ld_test_room (alice)));
  WAIT_UNTIL (sanction_seen (mia, "alice") == LD_SANCTION_NONE);
  g_assert_true (ld_room_retry_message (ld_test_room (alice), message));
  WAIT_UNTIL (ld_message_get_state (message) == LD_MESSAGE_STATE_SENT);

  /* A timed-out viewer who leaves and comes back is still shown timed out. */
  moderate_for (mia, LD_MODERATION_TIMEOUT, "alice", 600);
  WAIT_UNTIL (sanction_seen (mia, "alice") == LD_SANCTION_TIMED_OUT);
  WAIT_UNTIL (ld_room_get_sanction (ld_test_room (alice)) == LD_SANCTION_TIMED_OUT);
  ld_session_leave_room (alice);
  WAIT_UNTIL (ld_viewer_model_lookup (ld_room_get_viewers (ld_test_room (mia)), "alice") == NULL);
  ld_test_session_join (alice, "room_6", WAIT_MS);
  WAIT_UNTIL (ld_viewer_model_lookup (ld_room_get_viewers (ld_test_room (mia)), "alice") != NULL);
  g_assert_cmpint (sanction_seen (mia, "alice"), ==, LD_SANCTION_TIMED_OUT);
  g_assert_cmpint (ld_room_get_sanction (ld_test_room (alice)), ==, LD_SANCTION_TIMED_OUT);
  moderate_for (mia, LD_MODERATION_UNBAN, "alice", 0);
  WAIT_UNTIL (ld_room_get_sanction (ld_test_room (alice)) == LD_SANCTION_NONE);
  WAIT_UNTIL (sanction_seen (mia, "alice") == LD_SANCTION_NONE);

  message = ld_room_send_text (ld_test_room (bob), "still here", &error);
  g_assert_no_error (error);
  WAIT_UNTIL (ld_test_session_count_text (alice, "bob", "still here") == 1);

  /* A ban: Alice is told and out of the room, the others see her go, and
   * what she wrote stays in their chat. */
  moderate_for (mia, LD_MODERATION_BAN, "alice", 0);
  WAIT_UNTIL (ld_room_get_sanction (ld_test_room (alice)) == LD_SANCTION_BANNED);
  g_assert_null (ld_room_get_sanction_until (ld_test_room (alice)));
  g_assert_nonnull (strstr (ld_room_get_sanction_reason (ld_test_room (alice)), "mia"));
  WAIT_UNTIL (ld_test_room_id (alice) == NULL);
  WAIT_UNTIL (ld_viewer_model_lookup (ld_room_get_viewers (ld_test_room (bob)), "alice") == NULL);
  g_assert_cmpuint (ld_test_session_count_text (bob, "alice", "before"), ==, 1);

  /* Alice still reads the chat as it was when the ban came, hers and the
   * others' (the notice is the session's reason above), and nothing new. */
  g_assert_cmpuint (ld_test_session_count_text (alice, "alice", "before"), ==, 1);
  g_assert_cmpuint (ld_test_session_count_text (alice, "bob", "still here"), ==, 1);
  test_spin (1100);
  message = ld_room_send_text (ld_test_room (bob), "while alice is out", &error);
  g_assert_no_error (error);
  WAIT_UNTIL (ld_message_get_state (message) == LD_MESSAGE_STATE_SENT);
  WAIT_UNTIL (ld_test_session_count_text (bob, "bob", "while alice is out") == 1);
  /* Its answer comes after anything the room sent Alice before it. */
  ld_room_get_info_async (ld_session_get_room (alice, "room_6"), NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_clear_object (&result);
  g_assert_cmpuint (ld_test_session_count_text (alice, "bob", "while alice is out"), ==, 0);
  g_assert_cmpuint (ld_test_session_count_text (alice, "alice", "before"), ==, 1);

  /* Trying the room again is refused and changes nothing she sees. */
  ld_session_join_room_async (alice, "room_6", NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_false (ld_session_join_room_finish (alice, result, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_cmpint (ld_room_get_sanction (ld_test_room (alice)), ==, LD_SANCTION_BANNED);
  g_assert_cmpuint (ld_test_session_count_text (alice, "alice", "before"), ==, 1);

  /* Let back in, she has what she saw once and what she missed. */
  moderate_for (mia, LD_MODERATION_UNBAN, "alice", 0);
  ld_test_session_join (alice, "room_6", WAIT_MS);
  g_assert_cmpint (ld_room_get_sanction (ld_test_room (alice)), ==, LD_SANCTION_NONE);
  WAIT_UNTIL (sanction_seen (bob, "alice") == LD_SANCTION_NONE);
  g_assert_cmpuint (ld_test_session_count_text (alice, "alice", "before"), ==, 1);
  g_assert_cmpuint (ld_test_session_count_text (alice, "bob", "still here"), ==, 1);
  g_assert_cmpuint (ld_test_session_count_text (alice, "bob", "while alice is out"), ==, 1);

  /* Leaving on purpose after a ban empties the chat, as leaving does. */
  moderate_for (mia, LD_MODERATION_BAN, "alice", 0);
  WAIT_UNTIL (ld_test_room_id (alice) == NULL);
  g_assert_cmpuint (ld_test_session_count_text (alice, "alice", "before"), ==, 1);
  {
    g_autoptr(LdRoom) banned = g_object_ref (ld_test_room (alice));

    ld_session_leave_room (alice);
    g_assert_null (ld_session_get_current_room (alice));
    ld_chat_model_flush (ld_room_get_chat (banned));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ld_room_get_chat (banned))), ==, 0);
  }

  /* So does going to another room. */
  moderate_for (mia, LD_MODERATION_UNBAN, "alice", 0);
  ld_test_session_join (alice, "room_6", WAIT_MS);
  g_assert_cmpuint (ld_test_session_count_text (alice, "alice", "before"), ==, 1);
  moderate_for (mia, LD_MODERATION_BAN, "alice", 0);
  WAIT_UNTIL (ld_test_room_id (alice) == NULL);
  ld_test_session_join (alice, "room_7", WAIT_MS);
  g_assert_cmpint (ld_room_get_sanction (ld_test_room (alice)), ==, LD_SANCTION_NONE);
  g_assert_cmpuint (ld_test_session_count_text (alice, "alice", "before"), ==, 0);
  g_assert_cmpuint (ld_test_session_count_text (alice, "bob", "still here"), ==, 0);
}

/* A gift reaches the room's gift queue; room info answers, typed. The
 * actions go to the room they are called on, current or not, and a room
 * left refuses them. */
static void
test_gift_and_room_info (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (program);
  g_autoptr(LdSession) alice = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);
  g_autoptr(LdSession) bob = ld_test_gateway_online_session (gateway, "bob", "viewer", WAIT_MS);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) info_result = NULL;
  g_autoptr(GAsyncResult) room_info_result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRoomInfo) info = NULL;
  g_autoptr(LdRoomInfo) room_info = NULL;
  g_autoptr(LdRoom) room_5 = NULL;
  g_autoptr(LdRoom) room_7 = NULL;
  g_autofree char *tx_id = NULL;
  LdRoomGift request = {
    .receiver_id = "bob", .receiver_name = "bob", .gift_id = "rose", .gift_name = "Rose",
    .gift_type = "flower", .gift_value = 10, .quantity = 2, .animation = "hearts",
  };
  GListModel *viewers;
  LdMessage *message;
  LdGift *gift;
  gboolean saw_alice = FALSE;
  gboolean saw_bob = FALSE;

  ld_test_session_join (alice, "room_5", WAIT_MS);
  ld_test_session_join (bob, "room_5", WAIT_MS);
  room_5 = g_object_ref (ld_session_get_room (alice, "room_5"));
  /* Alice shows another room; what she sends to room_5 still goes there. */
  ld_test_session_join (alice, "room_7", WAIT_MS);
  room_7 = g_object_ref (ld_session_get_room (alice, "room_7"));
  g_assert_true (ld_session_get_current_room (alice) == room_7);

  ld_room_send_gift_async (room_5, &request, NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  tx_id = ld_room_send_gift_finish (room_5, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tx_id, !=, "");

  WAIT_UNTIL (ld_gift_queue_get_current (ld_room_get_gifts (ld_test_room (bob))) != NULL);
  gift = ld_gift_queue_get_current (ld_room_get_gifts (ld_test_room (bob)));
  g_assert_cmpstr (ld_gift_get_gift_name (gift), ==, "Rose");
  g_assert_cmpuint (ld_gift_get_quantity (gift), ==, 2);
  g_assert_cmpuint (ld_gift_get_duration_ms (gift), ==, 2500);

  /* Past the one-message-a-second limit before the next send. */
  test_spin (1100);
  message = ld_room_send_text (room_5, "gửi vào phòng 5", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_message_get_room_id (message), ==, "room_5");
  WAIT_UNTIL (ld_message_get_state (message) == LD_MESSAGE_STATE_SENT);
  WAIT_UNTIL (ld_test_session_count_text (bob, "alice", "gửi vào phòng 5") == 1);

  ld_room_get_info_async (ld_session_get_room (bob, "room_5"), NULL, ld_test_store_result, &info_result);
  WAIT_UNTIL (info_result != NULL);
  info = ld_room_get_info_finish (ld_test_source_room (info_result), info_result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_room_info_get_room_id (info), ==, "room_5");
  g_assert_cmpuint (ld_room_info_get_viewer_count (info), ==, 2);
  viewers = ld_room_info_get_viewers (info);
  for (guint i = 0; i < g_list_model_get_n_items (viewers); i++)
    {
      g_autoptr(LdViewer) viewer = g_list_model_get_item (viewers, i);

      saw_alice |= g_strcmp0 (ld_viewer_get_user_id (viewer), "alice") == 0;
      saw_bob |= g_strcmp0 (ld_viewer_get_user_id (viewer), "bob") == 0;
    }
  g_assert_true (saw_alice && saw_bob);

  ld_room_get_info_async (room_7, NULL, ld_test_store_result, &room_info_result);
  WAIT_UNTIL (room_info_result != NULL);
  room_info = ld_room_get_info_finish (room_7, room_info_result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_room_info_get_room_id (room_info), ==, "room_7");
  g_assert_cmpuint (ld_room_info_get_viewer_count (room_info), ==, 1);

  /* Out of room_7: its actions are refused, not queued. */
  ld_session_leave (alice, "room_7");
  g_assert_null (ld_room_send_text (room_7, "sau khi rời", &error));
  g_assert_error (error, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_IN_ROOM);
  g_clear_error (&error);
  g_assert_false (ld_room_check_gift (room_7, &request, &error));
  g_assert_error (error, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_IN_ROOM);
}

/* ld_room_moderate_async acts in the room it is called on, whichever room
 * the moderator shows: the target's own room says so, the room's
 * moderation log names who did it, and a viewer's attempt is refused
 * before anything is sent. A room its session let go refuses too. */
static void
test_moderate_in_room (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (program);
  g_autoptr(LdSession) alice = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);
  g_autoptr(LdSession) mia = ld_test_gateway_online_session (gateway, "mia", "moderator", WAIT_MS);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) refused = NULL;
  g_autoptr(GAsyncResult) gone = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRoom) room_m = NULL;
  g_autoptr(LdRoom) other = NULL;
  LdRoom *alice_room;
  LdModerationLog *log;
  LdModerationEntry *entry;

  ld_test_session_join (alice, "room_m1", WAIT_MS);
  ld_test_session_join (mia, "room_m1", WAIT_MS);
  room_m = g_object_ref (ld_session_get_room (mia, "room_m1"));
  /* Mia shows another room; the timeout still goes to room_m1. */
  ld_test_session_join (mia, "room_m2", WAIT_MS);
  g_assert_true (ld_session_get_current_room (mia) != room_m);
  g_assert_true (ld_room_can_moderate (room_m));
  alice_room = ld_test_room (alice);
  g_assert_false (ld_room_can_moderate (alice_room));

  ld_room_moderate_async (room_m, LD_MODERATION_TIMEOUT, "alice", 90, "calm down", NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (ld_room_moderate_finish (room_m, result, &error));
  g_assert_no_error (error);

  WAIT_UNTIL (ld_room_get_sanction (alice_room) == LD_SANCTION_TIMED_OUT);
  g_assert_nonnull (strstr (ld_room_get_sanction_reason (alice_room), "calm down"));
  /* Only room_m1: Mia's other room knows nothing of it. */
  log = ld_room_get_moderation_log (room_m);
  WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (log)) == 1);
  entry = g_list_model_get_item (G_LIST_MODEL (log), 0);
  g_assert_cmpint (ld_moderation_entry_get_action (entry), ==, LD_MODERATION_ACTION_TIMEOUT);
  g_assert_cmpstr (ld_moderation_entry_get_user_id (entry), ==, "alice");
  g_assert_cmpstr (ld_moderation_entry_get_reason (entry), ==, "calm down");
  g_assert_cmpuint (ld_moderation_entry_get_seconds (entry), ==, 90);
  g_object_unref (entry);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ld_room_get_moderation_log (ld_test_room (mia)))), ==, 0);

  /* A viewer may not: refused here, and Mia stays unsanctioned. */
  ld_room_moderate_async (alice_room, LD_MODERATION_BAN, "mia", 0, NULL, NULL, ld_test_store_result, &refused);
  WAIT_UNTIL (refused != NULL);
  g_assert_false (ld_room_moderate_finish (alice_room, refused, &error));
  g_assert_error (error, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_ALLOWED);
  g_clear_error (&error);
  g_assert_cmpint (ld_room_get_sanction (room_m), ==, LD_SANCTION_NONE);

  /* Without its session, a room has no connection to act on. */
  other = g_object_ref (ld_session_get_room (mia, "room_m2"));
  g_clear_object (&mia);
  g_assert_false (ld_room_can_moderate (other));
  ld_room_moderate_async (other, LD_MODERATION_UNBAN, "alice", 0, NULL, NULL, ld_test_store_result, &gone);
  WAIT_UNTIL (gone != NULL);
  g_assert_false (ld_room_moderate_finish (other, gone, &error));
  g_assert_error (error, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_IN_ROOM);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_assert_cmpint (argc, ==, 2);
  program = argv[1];

  g_test_add_func ("/room/joined-and-messages", test_joined_and_messages);
  g_test_add_func ("/room/update-and-gifts", test_update_and_gifts);
  g_test_add_func ("/room/own-sanctions", test_own_sanctions);
  g_test_add_func ("/room/gift-and-room-info", test_gift_and_room_info);
  g_test_add_func ("/room/refusal-retry-moderation", test_refusal_retry_moderation);
  g_test_add_func ("/room/sanctions", test_sanctions);
  g_test_add_func ("/room/moderate-in-room", test_moderate_in_room);
  return g_test_run ();
}
