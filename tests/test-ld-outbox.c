/* test-ld-outbox.c: the one outbox: order, bound, rooms, echoes, rate
 * limits; and sending through it on a session against a real
 * livedesk-gateway and the official socket.io server, as users would
 * notice it: messages arrive once, in order, survive a gateway restart, a
 * refusal says why and a retry sends it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-outbox-private.h"
#include "ld-session-private.h"
#include "ld-test-clock.h"
#include "ld-test-gateway.h"
#include "ld-test-room.h"
#include "ld-test-util.h"
#include "test-peer.h"

/* Generous: a reconnect waits up to 5 s between attempts, and a noisy
 * machine is slow. */
#define WAIT_MS 30000

static const char *program;

#define WAIT_UNTIL(cond) LD_TEST_WAIT_UNTIL (cond, WAIT_MS)

static LdMessage *
outgoing (const char *room_id,
          const char *text)
{
  return ld_message_new_outgoing (room_id, "me", "Me", LD_ROLE_VIEWER, LD_MESSAGE_TYPE_TEXT, text);
}

static LdOutboxVerdict
only_room (LdMessage *message,
           gpointer   user_data)
{
  const char *joined = user_data;

  if (g_strcmp0 (ld_message_get_room_id (message), "gone") == 0)
    return LD_OUTBOX_FAIL;
  return g_strcmp0 (ld_message_get_room_id (message), joined) == 0 ? LD_OUTBOX_SEND : LD_OUTBOX_WAIT;
}

/* In the order written; one lost on the wire goes back in its place, before
 * those written after it; a room being re-joined waits, a room left fails. */
static void
test_order_and_rooms (void)
{
  g_autoptr(LdOutbox) outbox = ld_outbox_new (0);
  g_autoptr(LdMessage) a1 = outgoing ("a", "1");
  g_autoptr(LdMessage) b1 = outgoing ("b", "2");
  g_autoptr(LdMessage) a2 = outgoing ("a", "3");
  g_autoptr(LdMessage) gone = outgoing ("gone", "4");
  g_autoptr(LdMessage) taken = NULL;
  g_autoptr(LdMessage) again = NULL;
  g_autoptr(LdMessage) next = NULL;
  g_autoptr(LdMessage) then = NULL;

  g_assert_true (ld_outbox_push (outbox, a1, NULL));
  g_assert_true (ld_outbox_push (outbox, gone, NULL));
  g_assert_true (ld_outbox_push (outbox, b1, NULL));
  g_assert_true (ld_outbox_push (outbox, a2, NULL));
  g_assert_cmpuint (ld_outbox_get_length (outbox), ==, 4);

  taken = ld_outbox_take_next (outbox, only_room, "a", "left");
  g_assert_true (taken == a1);
  /* Lost with the connection: back first. */
  ld_outbox_requeue (outbox, a1);
  again = ld_outbox_take_next (outbox, only_room, "a", "left");
  g_assert_true (again == a1);

  /* Room b is being re-joined: a2 goes, b1 waits; the room left fails. */
  next = ld_outbox_take_next (outbox, only_room, "a", "left");
  g_assert_true (next == a2);
  g_assert_cmpint (ld_message_get_state (gone), ==, LD_MESSAGE_STATE_FAILED);
  g_assert_cmpstr (ld_message_get_failure_reason (gone), ==, "left");
  g_assert_null (ld_outbox_take_next (outbox, only_room, "a", "left"));
  g_assert_cmpuint (ld_outbox_get_length (outbox), ==, 1);
  then = ld_outbox_take_next (outbox, only_room, "b", "left");
  g_assert_true (then == b1);
  g_assert_cmpuint (ld_outbox_get_length (outbox), ==, 0);
}

/* Bounded: past its capacity a new message is refused, one put back is not. */
static void
test_bound (void)
{
  g_autoptr(LdOutbox) outbox = ld_outbox_new (2);
  g_autoptr(LdMessage) m1 = outgoing ("a", "1");
  g_autoptr(LdMessage) m2 = outgoing ("a", "2");
  g_autoptr(LdMessage) m3 = outgoing ("a", "3");
  g_autoptr(LdMessage) taken = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ld_outbox_push (outbox, m1, NULL));
  g_assert_true (ld_outbox_push (outbox, m2, NULL));
  g_assert_true (ld_outbox_is_full (outbox));
  g_assert_false (ld_outbox_push (outbox, m3, &error));
  g_assert_error (error, LD_OUTBOX_ERROR, LD_OUTBOX_ERROR_FULL);

  taken = ld_outbox_take_next (outbox, only_room, "a", "left");
  g_assert_false (ld_outbox_is_full (outbox));
  ld_outbox_requeue (outbox, taken);
  g_assert_cmpuint (ld_outbox_get_length (outbox), ==, 2);

  ld_outbox_fail_room (outbox, "a", "left");
  g_assert_cmpuint (ld_outbox_get_length (outbox), ==, 0);
  g_assert_cmpint (ld_message_get_state (m1), ==, LD_MESSAGE_STATE_FAILED);
}

/* An echo confirms the oldest pending look-alike, on the wire or waiting,
 * once; not a failed one, not another room's. */
static void
test_echo (void)
{
  g_autoptr(LdOutbox) outbox = ld_outbox_new (0);
  g_autoptr(LdMessage) first = outgoing ("a", "hi");
  g_autoptr(LdMessage) second = outgoing ("a", "hi");
  g_autoptr(LdMessage) other_room = outgoing ("b", "yo");
  g_autoptr(LdMessage) on_wire = NULL;
  g_autoptr(LdMessage) match1 = NULL;
  g_autoptr(LdMessage) match2 = NULL;
  g_autoptr(LdMessage) none = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(LdMessage) echo = NULL;
  g_autoptr(LdMessage) echo_b = NULL;

  ld_outbox_push (outbox, first, NULL);
  ld_outbox_push (outbox, second, NULL);
  ld_outbox_push (outbox, other_room, NULL);
  on_wire = ld_outbox_take_next (outbox, only_room, "a", "left");

  g_assert_true (json_parser_load_from_data (parser, "{\"messageId\":\"s1\",\"roomId\":\"a\",\"userId\":\"me\","
                                                     "\"message\":\"hi\"}", -1, NULL));
  echo = ld_message_new_from_json (json_node_get_object (json_parser_get_root (parser)), NULL);
  g_assert_true (json_parser_load_from_data (parser, "{\"messageId\":\"s2\",\"roomId\":\"a\",\"userId\":\"me\","
                                                     "\"message\":\"yo\"}", -1, NULL));
  echo_b = ld_message_new_from_json (json_node_get_object (json_parser_get_root (parser)), NULL);

  match1 = ld_outbox_take_echo (outbox, echo);
  g_assert_true (match1 == first);
  ld_message_mark_sent (first, "s1", NULL);
  ld_message_mark_failed (second, "no");
  match2 = ld_outbox_take_echo (outbox, echo);
  g_assert_null (match2);
  none = ld_outbox_take_echo (outbox, echo_b);
  g_assert_null (none);
}

/* Sent messages are let go of even when no echo ever comes. */
static void
test_settled_released (void)
{
  g_autoptr(LdOutbox) outbox = ld_outbox_new (0);
  LdMessage *first = outgoing ("a", "1");
  g_autoptr(LdMessage) second = outgoing ("a", "2");
  g_autoptr(LdMessage) taken = NULL;

  g_object_add_weak_pointer (G_OBJECT (first), (gpointer *) &first);
  ld_outbox_push (outbox, first, NULL);
  taken = ld_outbox_take_next (outbox, only_room, "a", "left");
  ld_message_mark_sent (taken, "s1", NULL);
  g_clear_object (&taken);
  g_object_unref (first);
  g_assert_nonnull (first);
  ld_outbox_push (outbox, second, NULL);
  g_assert_null (first);
}

static SioClient *
no_client (gpointer session)
{
  return NULL;
}

static gboolean
never_online (gpointer session)
{
  return FALSE;
}

static gboolean
signed_in (gpointer     session,
           const char **reason)
{
  *reason = NULL;
  return FALSE;
}

static LdRoom *
no_room (gpointer    session,
         const char *room_id)
{
  return NULL;
}

static void
get_user (gpointer     session,
          const char **user_id,
          const char **username,
          LdRole      *role,
          const char **own_id)
{
  *user_id = *own_id = "me";
  *username = "Me";
  *role = LD_ROLE_VIEWER;
}

static const LdOutboxHost offline_host = { no_client, never_online, signed_in, no_room, get_user };

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* The guide's 1/s and 30/min: a refusal says how long to wait, as a
 * number that counts down on the clock and is announced when it starts and
 * when it ends; gifts and support count against the same limits. */
static void
test_retry_ms (void)
{
  g_autoptr(LdOutbox) outbox = ld_outbox_new (0);
  g_autoptr(LdTestClock) clock = ld_test_clock_new ();
  g_autoptr(GError) error = NULL;
  guint notified = 0;

  _ld_outbox_attach (outbox, &offline_host, NULL, NULL, LD_CLOCK (clock));
  g_signal_connect (outbox, "notify::retry-ms", G_CALLBACK (count_notify), &notified);
  g_assert_cmpint (ld_outbox_get_retry_ms (outbox), ==, 0);

  g_assert_true (_ld_outbox_check_rate (outbox, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ld_outbox_get_retry_ms (outbox), ==, 1000);
  g_assert_cmpuint (notified, ==, 1);

  ld_test_clock_advance (clock, 400);
  g_assert_cmpint (ld_outbox_get_retry_ms (outbox), ==, 600);
  g_assert_false (_ld_outbox_check_rate (outbox, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED);
  g_assert_nonnull (strstr (error->message, "0.6"));
  g_clear_error (&error);
  /* The refusal did not count as a send. */
  g_assert_cmpint (ld_outbox_get_retry_ms (outbox), ==, 600);

  ld_test_clock_advance (clock, 600);
  g_assert_cmpint (ld_outbox_get_retry_ms (outbox), ==, 0);
  {
    gint64 retry_ms = -1;

    g_object_get (outbox, "retry-ms", &retry_ms, NULL);
    g_assert_cmpint (retry_ms, ==, 0);
  }
  g_assert_cmpuint (notified, >=, 3);

  /* 30 a minute: the 31st within the minute waits for the first to age. */
  for (guint i = 1; i < 30; i++)
    {
      g_assert_true (_ld_outbox_check_rate (outbox, &error));
      ld_test_clock_advance (clock, 1000);
    }
  g_assert_false (_ld_outbox_check_rate (outbox, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED);
  g_assert_nonnull (strstr (error->message, "30"));
  g_assert_cmpint (ld_outbox_get_retry_ms (outbox), >, 1000);
  g_assert_cmpint (ld_outbox_get_retry_ms (outbox), <=, 30000);
  notified = 0;
  ld_test_clock_advance (clock, (guint) ld_outbox_get_retry_ms (outbox));
  g_assert_cmpint (ld_outbox_get_retry_ms (outbox), ==, 0);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_true (_ld_outbox_check_rate (outbox, NULL));
}

/* The length counts what waits and is announced when it changes. */
static void
test_length_notify (void)
{
  g_autoptr(LdOutbox) outbox = ld_outbox_new (0);
  g_autoptr(LdMessage) a1 = outgoing ("a", "1");
  g_autoptr(LdMessage) taken = NULL;
  guint notified = 0;
  guint length = 0;

  g_signal_connect (outbox, "notify::length", G_CALLBACK (count_notify), &notified);
  g_assert_true (ld_outbox_push (outbox, a1, NULL));
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (outbox, "length", &length, NULL);
  g_assert_cmpuint (length, ==, 1);
  taken = ld_outbox_take_next (outbox, only_room, "a", "left");
  g_assert_cmpuint (notified, ==, 2);
  g_assert_cmpuint (ld_outbox_get_length (outbox), ==, 0);
  /* Nothing waiting for another room: no change, no notify. */
  g_assert_null (ld_outbox_take_next (outbox, only_room, "a", "left"));
  g_assert_cmpuint (notified, ==, 2);
}

/* The guide's two-client test: what one sends, the other sees, and the
 * sender sees it once, confirmed. */
static void
test_two_clients (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (program);
  g_autoptr(LdSession) alice = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);
  g_autoptr(LdSession) bob = ld_test_gateway_online_session (gateway, "bob", "viewer", WAIT_MS);
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRoom) left = NULL;
  LdMessage *sent;

  ld_test_session_join (alice, "room_1", WAIT_MS);
  ld_test_session_join (bob, "room_1", WAIT_MS);
  WAIT_UNTIL (ld_viewer_model_get_count (ld_room_get_viewers (ld_test_room (alice))) == 2);
  WAIT_UNTIL (ld_room_get_viewer_count (ld_test_room (alice)) == 2);
  g_assert_nonnull (ld_viewer_model_lookup (ld_room_get_viewers (ld_test_room (bob)), "alice"));

  /* Trimmed and stripped of <> as the guide sends it. */
  sent = ld_room_send_text (ld_test_room (alice), "  xin chào <3 ", &error);
  g_assert_no_error (error);
  g_assert_nonnull (sent);
  g_assert_cmpint (ld_message_get_state (sent), ==, LD_MESSAGE_STATE_PENDING);
  WAIT_UNTIL (ld_message_get_state (sent) == LD_MESSAGE_STATE_SENT);
  g_assert_nonnull (ld_message_get_id (sent));

  WAIT_UNTIL (ld_chat_model_lookup (ld_room_get_chat (ld_test_room (bob)), ld_message_get_id (sent)) != NULL);
  g_assert_cmpuint (ld_test_session_count_text (bob, "alice", "xin chào 3"), ==, 1);
  g_assert_cmpuint (ld_test_session_count_text (alice, "alice", "xin chào 3"), ==, 1);
  /* The echo may confirm it before the ack comes back. */
  WAIT_UNTIL (ld_outbox_get_length (ld_session_get_outbox (alice)) == 0);

  /* Bob leaves; Alice's list follows. His chat and viewers were the room's. */
  left = g_object_ref (ld_test_room (bob));
  ld_session_leave_room (bob);
  WAIT_UNTIL (ld_viewer_model_get_count (ld_room_get_viewers (ld_test_room (alice))) == 1);
  g_assert_null (ld_test_room_id (bob));
  g_assert_null (ld_session_get_current_room (bob));
  ld_chat_model_flush (ld_room_get_chat (left));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ld_room_get_chat (left))), ==, 0);
  g_assert_cmpuint (ld_viewer_model_get_count (ld_room_get_viewers (left)), ==, 0);

  /* Another room: its history, not the first one's. */
  ld_test_session_join (bob, "room_1b", WAIT_MS);
  g_assert_cmpuint (ld_test_session_count_text (bob, "alice", "xin chào 3"), ==, 0);
  g_assert_cmpuint (ld_viewer_model_get_count (ld_room_get_viewers (ld_test_room (bob))), ==, 1);
}

/* The gateway dies and comes back: the session says it is reconnecting and
 * when, keeps what Alice wrote meanwhile as pending, signs in and re-joins by
 * itself, then sends it in order: nothing lost, nothing twice. */
static void
test_reconnect_outbox (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (program);
  g_autoptr(LdSession) alice = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);
  g_autoptr(LdSession) bob = ld_test_gateway_online_session (gateway, "bob", "viewer", WAIT_MS);
  g_autoptr(GError) error = NULL;
  const char *texts[] = { "one", "two", "three" };
  LdMessage *messages[3];

  ld_test_session_join (alice, "room_2", WAIT_MS);
  ld_test_session_join (bob, "room_2", WAIT_MS);
  messages[0] = ld_room_send_text (ld_test_room (alice), "zero", &error);
  g_assert_no_error (error);
  WAIT_UNTIL (ld_message_get_state (messages[0]) == LD_MESSAGE_STATE_SENT);
  WAIT_UNTIL (ld_outbox_get_length (ld_session_get_outbox (alice)) == 0);
  /* Alice hearing "sent" does not mean Bob has it yet: the gateway may
   * still be writing the broadcast when it is killed. */
  WAIT_UNTIL (ld_test_session_texts_are (bob, "alice", "zero"));

  ld_test_gateway_kill (gateway);
  WAIT_UNTIL (ld_session_get_state (alice) == LD_SESSION_STATE_RECONNECTING);
  g_assert_nonnull (ld_session_get_state_reason (alice));
  g_assert_false (ld_session_get_socket_healthy (alice));

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      messages[i] = ld_test_session_send_text (alice, texts[i]);
      g_assert_cmpint (ld_message_get_state (messages[i]), ==, LD_MESSAGE_STATE_PENDING);
    }
  g_assert_cmpuint (ld_outbox_get_length (ld_session_get_outbox (alice)), ==, 3);
  g_assert_true (ld_test_session_texts_are (alice, "alice", "zero,one,two,three"));

  ld_test_gateway_restart (gateway);
  WAIT_UNTIL (ld_session_get_state (alice) == LD_SESSION_STATE_ONLINE);
  g_assert_cmpstr (ld_test_room_id (alice), ==, "room_2");

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    WAIT_UNTIL (ld_message_get_state (messages[i]) == LD_MESSAGE_STATE_SENT);
  WAIT_UNTIL (ld_outbox_get_length (ld_session_get_outbox (alice)) == 0);
  g_assert_true (ld_test_session_texts_are (alice, "alice", "zero,one,two,three"));

  /* Bob re-joined by himself too; his viewer list was rebuilt from the new
   * gateway's, and he has what Alice sent while he was away, once each. */
  WAIT_UNTIL (ld_session_get_state (bob) == LD_SESSION_STATE_ONLINE);
  WAIT_UNTIL (ld_test_session_texts_are (bob, "alice", "zero,one,two,three"));
  WAIT_UNTIL (ld_viewer_model_get_count (ld_room_get_viewers (ld_test_room (alice))) == 2);
  WAIT_UNTIL (ld_viewer_model_get_count (ld_room_get_viewers (ld_test_room (bob))) == 2);
}

static void
expect_gift_error (LdSession           *session,
                   const LdRoomGift *request,
                   int                  code,
                   GPtrArray           *reasons)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tx_id = NULL;

  ld_room_send_gift_async (ld_test_room (session), request, NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  tx_id = ld_room_send_gift_finish (ld_test_room (session), result, &error);
  g_assert_null (tx_id);
  g_assert_error (error, LD_CONTRACT_ERROR, code);
  g_ptr_array_add (reasons, g_strdup (error->message));
}

/* Section 5's checks refuse before anything is sent, each with its own
 * reason; the rate limit says how long to wait. */
static void
test_validation_and_rate_limit (void)
{
  static const struct { const char *text; gboolean image; int code; } bad[] = {
    { "   ", FALSE, LD_CONTRACT_ERROR_EMPTY_MESSAGE },
    { NULL, FALSE, LD_CONTRACT_ERROR_MESSAGE_TOO_LONG },
    { "<script>alert(1)</script>", FALSE, LD_CONTRACT_ERROR_FORBIDDEN_CONTENT },
    { "http://i.imgur.com/cat.png", TRUE, LD_CONTRACT_ERROR_INVALID_IMAGE_URL },
    { "https://example.org/cat.png", TRUE, LD_CONTRACT_ERROR_INVALID_IMAGE_URL },
    { "https://i.imgur.com/cat.exe", TRUE, LD_CONTRACT_ERROR_INVALID_IMAGE_URL },
  };
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (program);
  g_autoptr(LdSession) alice = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);
  g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) long_text = g_string_new (NULL);
  g_autoptr(GString) long_gift_text = g_string_new (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LdRoomGift gift = {
    .receiver_id = "bob", .gift_id = "rose", .gift_name = "Rose", .gift_type = "flower",
    .gift_value = 1, .quantity = 101,
  };
  LdMessage *first;
  LdMessage *second;

  /* 501 characters, 1503 bytes: the limit counts characters. */
  for (guint i = 0; i < 501; i++)
    g_string_append (long_text, "ệ");
  for (guint i = 0; i < 201; i++)
    g_string_append (long_gift_text, "ă");

  ld_session_join_room_async (alice, "not a room!", NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_false (ld_session_join_room_finish (alice, result, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD);
  g_ptr_array_add (reasons, g_strdup (error->message));
  g_clear_error (&error);

  ld_test_session_join (alice, "room_v", WAIT_MS);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *text = bad[i].text != NULL ? bad[i].text : long_text->str;
      LdMessage *message = bad[i].image ? ld_room_send_image (ld_test_room (alice), text, &error)
                                        : ld_room_send_text (ld_test_room (alice), text, &error);

      g_assert_null (message);
      g_assert_error (error, LD_CONTRACT_ERROR, bad[i].code);
      g_ptr_array_add (reasons, g_strdup (error->message));
      g_clear_error (&error);
    }

  expect_gift_error (alice, &gift, LD_CONTRACT_ERROR_INVALID_GIFT, reasons);
  gift.quantity = 1;
  gift.gift_id = NULL;
  expect_gift_error (alice, &gift, LD_CONTRACT_ERROR_INVALID_GIFT, reasons);
  gift.gift_id = "rose";
  gift.message = long_gift_text->str;
  expect_gift_error (alice, &gift, LD_CONTRACT_ERROR_INVALID_GIFT, reasons);

  /* Nothing went out. */
  ld_chat_model_flush (ld_room_get_chat (ld_test_room (alice)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ld_room_get_chat (ld_test_room (alice)))), ==, 0);
  g_assert_cmpuint (ld_outbox_get_length (ld_session_get_outbox (alice)), ==, 0);

  /* Each refusal tells the user something different. */
  for (guint i = 0; i < reasons->len; i++)
    for (guint j = i + 1; j < reasons->len; j++)
      g_assert_cmpstr (reasons->pdata[i], !=, reasons->pdata[j]);

  first = ld_room_send_text (ld_test_room (alice), "first", &error);
  g_assert_no_error (error);
  second = ld_room_send_text (ld_test_room (alice), "second", &error);
  g_assert_null (second);
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED);
  g_assert_nonnull (strstr (error->message, "wait"));
  WAIT_UNTIL (ld_message_get_state (first) == LD_MESSAGE_STATE_SENT);
}

/* A server that answers with events only, never acks (the guide's): joins,
 * sends and requests still complete, and the message shows once. */
static void
test_server_without_acks (void)
{
  g_autoptr(TestPeer) peer = test_peer_start ("session-peer.mjs", NULL);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", test_peer_get_port (peer));
  g_autofree char *token = ld_test_unsigned_jwt ("alice", "Alice");
  g_autoptr(LdTokens) tokens = ld_tokens_new (token, NULL, 0);
  g_autoptr(LdSession) session = ld_session_new (url, "http://127.0.0.1:9");
  g_autoptr(GAsyncResult) info_result = NULL;
  g_autoptr(GAsyncResult) gift_result = NULL;
  g_autoptr(LdRoomInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tx_id = NULL;
  LdRoomGift gift = {
    .receiver_id = "bob", .gift_id = "rose", .gift_name = "Rose", .gift_type = "flower",
    .gift_value = 1, .quantity = 1,
  };
  LdMessage *message;

  ld_session_set_tokens (session, tokens);
  ld_session_connect (session);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE);
  ld_test_session_join (session, "room_q", WAIT_MS);

  message = ld_room_send_text (ld_test_room (session), "không có ack", &error);
  g_assert_no_error (error);
  WAIT_UNTIL (ld_message_get_state (message) == LD_MESSAGE_STATE_SENT);
  WAIT_UNTIL (ld_outbox_get_length (ld_session_get_outbox (session)) == 0);
  g_assert_cmpuint (ld_test_session_count_text (session, "alice", "không có ack"), ==, 1);

  ld_room_get_info_async (ld_session_get_room (session, "room_q"), NULL, ld_test_store_result, &info_result);
  WAIT_UNTIL (info_result != NULL);
  info = ld_room_get_info_finish (ld_test_source_room (info_result), info_result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_room_info_get_title (info), ==, "Phòng");

  /* Past the one-message-a-second limit before the next send. */
  test_spin (1100);
  ld_room_send_gift_async (ld_test_room (session), &gift, NULL, ld_test_store_result, &gift_result);
  WAIT_UNTIL (gift_result != NULL);
  tx_id = ld_room_send_gift_finish (ld_test_room (session), gift_result, &error);
  g_assert_null (tx_id);
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_GIFT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_assert_cmpint (argc, ==, 2);
  program = argv[1];

  g_test_add_func ("/outbox/order-and-rooms", test_order_and_rooms);
  g_test_add_func ("/outbox/bound", test_bound);
  g_test_add_func ("/outbox/echo", test_echo);
  g_test_add_func ("/outbox/settled-released", test_settled_released);
  g_test_add_func ("/outbox/retry-ms", test_retry_ms);
  g_test_add_func ("/outbox/length-notify", test_length_notify);
  g_test_add_func ("/outbox/server-without-acks", test_server_without_acks);
  g_test_add_func ("/outbox/two-clients", test_two_clients);
  g_test_add_func ("/outbox/reconnect", test_reconnect_outbox);
  g_test_add_func ("/outbox/validation-and-rate-limit", test_validation_and_rate_limit);
  return g_test_run ();
}
