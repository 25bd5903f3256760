/* test-ld-session.c: LdSession against a real livedesk-gateway, as users
 * would notice it: messages arrive once, survive a gateway restart, the
 * session renews its token or says why it signed out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-session-private.h"
#include "ld-test-gateway.h"
#include "ld-test-network-monitor.h"
#include "ld-test-util.h"
#include "ld-test-room.h"
#include "test-peer.h"

/* Generous: a reconnect waits up to 5 s between attempts, and a noisy
 * machine is slow. */
#define WAIT_MS 30000

static const char *program;

#define WAIT_UNTIL(cond) LD_TEST_WAIT_UNTIL (cond, WAIT_MS)

static void
count_pongs (LdSession  *session,
             const char *event,
             JsonNode   *payload,
             gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* In a room the session pings, which keeps it there past the gateway's
 * presence timeout; after leaving it stops. */
static void
test_viewer_ping (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start_with (program, "--presence-timeout", "3", NULL);
  g_autoptr(LdSession) alice = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);
  g_autoptr(LdSession) bob = ld_test_gateway_online_session (gateway, "bob", "viewer", WAIT_MS);
  guint pongs = 0;
  guint after_leave;

  ld_session_set_ping_interval (alice, 1);
  ld_session_set_ping_interval (bob, 1);
  g_signal_connect (bob, "event::viewerPong", G_CALLBACK (count_pongs), &pongs);
  ld_test_session_join (alice, "room_p", WAIT_MS);
  ld_test_session_join (bob, "room_p", WAIT_MS);

  WAIT_UNTIL (pongs >= 5);
  /* Five seconds on, past the three-second timeout, both are still there. */
  g_assert_cmpuint (ld_viewer_model_get_count (ld_room_get_viewers (ld_test_room (alice))), ==, 2);
  g_assert_nonnull (ld_viewer_model_lookup (ld_room_get_viewers (ld_test_room (alice)), "bob"));

  ld_session_leave_room (bob);
  after_leave = pongs;
  test_spin (2500);
  g_assert_cmpuint (pongs, ==, after_leave);
}

static void
on_tokens_changed (LdSession *session,
                   LdTokens  *tokens,
                   gpointer   user_data)
{
  (*(guint *) user_data)++;
}

/* A token that runs out while in a room is renewed over REST, and the
 * session carries on in the same room. */
static void
test_token_refresh (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (program);
  g_autoptr(LdTokens) login = ld_test_gateway_login (gateway, "alice");
  g_autofree char *short_lived = ld_test_gateway_mint (gateway, "alice", "viewer", 5);
  g_autoptr(LdTokens) tokens = ld_tokens_new (short_lived, login->refresh_token, 0);
  g_autoptr(LdSession) alice = ld_test_gateway_new_session (gateway, tokens);
  g_autoptr(LdTokens) renewed = NULL;
  g_autoptr(GError) error = NULL;
  guint changed = 0;
  LdMessage *message;

  /* Refresh only when the server says the token expired. */
  ld_session_set_refresh_margin (alice, 0);
  g_signal_connect (alice, "tokens-changed", G_CALLBACK (on_tokens_changed), &changed);
  ld_session_connect (alice);
  WAIT_UNTIL (ld_session_get_state (alice) == LD_SESSION_STATE_ONLINE);
  ld_test_session_join (alice, "room_3", WAIT_MS);

  WAIT_UNTIL (changed >= 1);
  WAIT_UNTIL (ld_session_get_state (alice) == LD_SESSION_STATE_ONLINE);
  renewed = ld_session_dup_tokens (alice);
  g_assert_cmpstr (renewed->access_token, !=, short_lived);
  g_assert_cmpstr (renewed->refresh_token, !=, login->refresh_token);
  g_assert_cmpstr (ld_test_room_id (alice), ==, "room_3");

  message = ld_room_send_text (ld_session_get_current_room (alice), "still here", &error);
  g_assert_no_error (error);
  WAIT_UNTIL (ld_message_get_state (message) == LD_MESSAGE_STATE_SENT);
}

/* The default margin renews a token that is about to run out at once. */
static void
test_token_refresh_early (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (program);
  g_autoptr(LdTokens) login = ld_test_gateway_login (gateway, "bob");
  g_autofree char *short_lived = ld_test_gateway_mint (gateway, "bob", "viewer", 120);
  g_autoptr(LdTokens) tokens = ld_tokens_new (short_lived, login->refresh_token, 0);
  g_autoptr(LdSession) bob = ld_test_gateway_new_session (gateway, tokens);
  guint changed = 0;

  g_signal_connect (bob, "tokens-changed", G_CALLBACK (on_tokens_changed), &changed);
  ld_session_connect (bob);
  WAIT_UNTIL (changed >= 1);
  WAIT_UNTIL (ld_session_get_state (bob) == LD_SESSION_STATE_ONLINE);
  g_assert_cmpstr (ld_session_get_username (bob), ==, "bob");
}

/* A refused token whose refresh is refused too: signed out, saying why. */
static void
test_refresh_failure (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (program);
  g_autoptr(LdTokens) tokens = ld_tokens_new ("not.a-valid.token", "not-a-refresh-token", 0);
  g_autoptr(LdSession) alice = ld_test_gateway_new_session (gateway, tokens);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ld_session_connect (alice);
  ld_session_join_room_async (alice, "room_1", NULL, ld_test_store_result, &result);
  WAIT_UNTIL (ld_session_get_state (alice) == LD_SESSION_STATE_SIGNED_OUT);
  g_assert_nonnull (ld_session_get_state_reason (alice));
  g_assert_nonnull (strstr (ld_session_get_state_reason (alice), "could not be renewed"));

  /* What waited for the session is told, not left hanging. */
  WAIT_UNTIL (result != NULL);
  g_assert_false (ld_session_join_room_finish (alice, result, &error));
  g_assert_error (error, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT);
}

/* No refresh token at all: signed out at the first refusal. */
static void
test_signed_out_without_refresh (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (program);
  g_autoptr(LdTokens) tokens = ld_tokens_new ("not.a-valid.token", NULL, 0);
  g_autoptr(LdSession) alice = ld_test_gateway_new_session (gateway, tokens);

  ld_session_connect (alice);
  WAIT_UNTIL (ld_session_get_state (alice) == LD_SESSION_STATE_SIGNED_OUT);
  g_assert_nonnull (strstr (ld_session_get_state_reason (alice), "refused"));
}


/* Health: both parts up when connected; the socket part and then the API
 * part go down with the gateway. */
static void
test_health (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (program);
  g_autoptr(LdSession) alice = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);

  WAIT_UNTIL (ld_session_get_healthy (alice));
  ld_test_gateway_kill (gateway);
  WAIT_UNTIL (!ld_session_get_socket_healthy (alice));
  ld_session_check_health (alice);
  WAIT_UNTIL (!ld_session_get_api_healthy (alice));
  g_assert_false (ld_session_get_healthy (alice));

  ld_session_disconnect (alice);
  g_assert_cmpint (ld_session_get_state (alice), ==, LD_SESSION_STATE_OFFLINE);
}

/* A one-shot tool's cap (livedesk-cli send): a gateway that stays away
 * leaves the session offline, saying so. The app sets no cap. */
static void
test_reconnect_gives_up (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (program);
  g_autoptr(LdSession) alice = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);

  ld_session_set_give_up_after (alice, 1);
  ld_test_gateway_kill (gateway);
  WAIT_UNTIL (ld_session_get_state (alice) == LD_SESSION_STATE_RECONNECTING);
  g_assert_cmpuint (ld_session_get_reconnect_in (alice), >=, 1);
  WAIT_UNTIL (ld_session_get_state (alice) == LD_SESSION_STATE_OFFLINE);
  g_assert_nonnull (strstr (ld_session_get_state_reason (alice), "after 1 attempt"));
}

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static void
feed (LdSession  *session,
      const char *event,
      const char *json)
{
  g_autoptr(JsonNode) node = parse (json);

  _ld_session_handle_event (session, event, node);
}

/* What the backend publishes through the gateway (Redis) and the events
 * only a server sends, fed straight into the session's event handling. */
static void
test_backend_events (void)
{
  g_autoptr(LdSession) session = ld_session_new ("http://127.0.0.1:9", "http://127.0.0.1:9");
  LdNotificationModel *notifications = ld_session_get_notifications (session);
  LdChatModel *chat;
  LdNotification *notification;
  LdGift *gift;

  /* The room's chat: each room has its own. */
  _ld_session_enter_room (session, "room_b");
  chat = ld_room_get_chat (ld_test_room (session));
  g_assert_true (chat == ld_room_get_chat (ld_session_get_room (session, "room_b")));

  feed (session, "chatMessageFromBackend",
        "{\"type\":\"chat_message\",\"data\":{\"messageId\":\"b1\",\"roomId\":\"room_b\","
        "\"userId\":\"bot\",\"username\":\"Bot\",\"message\":\"xin chào\",\"messageType\":\"text\"}}");
  /* Another room's message is not this chat's. */
  feed (session, "newMessage",
        "{\"messageId\":\"o1\",\"roomId\":\"room_other\",\"userId\":\"bob\",\"message\":\"hi\"}");
  ld_chat_model_flush (chat);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (chat)), ==, 1);
  g_assert_nonnull (ld_chat_model_lookup (chat, "b1"));

  feed (session, "messageDeleted", "{\"roomId\":\"room_b\",\"messageId\":\"b1\",\"by\":\"mia\"}");
  g_assert_cmpint (ld_message_get_state (ld_chat_model_lookup (chat, "b1")), ==, LD_MESSAGE_STATE_DELETED);

  feed (session, "giftFromBackend",
        "{\"type\":\"gift_send\",\"data\":{\"roomId\":\"room_b\",\"senderId\":\"bob\",\"senderName\":\"Bob\","
        "\"giftId\":\"star\",\"giftName\":\"Star\",\"giftValue\":5,\"quantity\":1,\"animation\":\"rainbow\","
        "\"giftTxId\":\"t1\"}}");
  gift = ld_gift_queue_get_current (ld_room_get_gifts (ld_test_room (session)));
  g_assert_nonnull (gift);
  g_assert_cmpstr (ld_gift_get_gift_name (gift), ==, "Star");
  g_assert_cmpuint (ld_gift_get_duration_ms (gift), ==, 4000);

  feed (session, "roomUpdate", "{\"roomId\":\"room_b\",\"title\":\"Đêm nhạc\",\"status\":\"live\",\"viewerCount\":12}");
  g_assert_cmpstr (ld_room_get_title (ld_test_room (session)), ==, "Đêm nhạc");
  g_assert_cmpstr (ld_room_get_status (ld_test_room (session)), ==, "live");
  g_assert_cmpuint (ld_room_get_viewer_count (ld_test_room (session)), ==, 12);
  feed (session, "roomUpdate", "{\"roomId\":\"room_b\",\"status\":\"ended\"}");
  g_assert_cmpstr (ld_room_get_status (ld_test_room (session)), ==, "ended");
  g_assert_cmpstr (ld_room_get_title (ld_test_room (session)), ==, "Đêm nhạc");

  feed (session, "notification",
        "{\"id\":\"n1\",\"type\":\"follow\",\"title\":\"New follower\",\"message\":\"Bob follows you\"}");
  feed (session, "systemNotification", "{\"id\":\"n2\",\"title\":\"Maintenance\",\"message\":\"at 2:00\"}");
  g_assert_cmpuint (ld_notification_model_get_unread_count (notifications), ==, 2);
  feed (session, "notificationUpdate", "{\"id\":\"n1\",\"title\":\"Two new followers\"}");
  notification = ld_notification_model_lookup (notifications, "n1");
  g_assert_cmpstr (ld_notification_get_title (notification), ==, "Two new followers");
  g_assert_cmpstr (ld_notification_get_kind (ld_notification_model_lookup (notifications, "n2")), ==, "system");
  g_assert_true (ld_notification_model_mark_read (notifications, "n1"));
  g_assert_cmpuint (ld_notification_model_get_unread_count (notifications), ==, 1);

  /* Payloads that are not objects are ignored, not fatal. */
  feed (session, "newMessage", "[1,2,3]");
  feed (session, "roomUpdate", "\"oops\"");
}

/* Against the official socket.io server: the token travels in CONNECT's
 * auth and in authenticate, never in the URL; authRequired makes the session
 * sign in again; tokenExpired with the REST API unreachable does not sign
 * out. */
static void
test_official_server_handshake (void)
{
  g_autoptr(TestPeer) peer = test_peer_start ("session-peer.mjs", NULL);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", test_peer_get_port (peer));
  g_autofree char *token = ld_test_unsigned_jwt ("alice", "Alice");
  g_autoptr(LdTokens) tokens = ld_tokens_new (token, "refresh-me", 0);
  g_autoptr(LdSession) session = ld_session_new (url, "http://127.0.0.1:9");
  g_autoptr(JsonObject) connection = NULL;
  g_autoptr(JsonObject) authenticate = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonNode) query = NULL;
  g_autofree char *query_text = NULL;
  JsonObject *payload;

  ld_session_set_tokens (session, tokens);
  ld_session_connect (session);

  connection = test_peer_expect (peer, "connection", WAIT_MS);
  g_assert_nonnull (connection);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (connection, "auth"), "token"),
                   ==, token);
  query = json_node_copy (json_object_get_member (connection, "query"));
  query_text = json_to_string (query, FALSE);
  g_assert_null (strstr (query_text, token));
  g_assert_null (strstr (json_object_get_string_member (connection, "url"), token));
  g_assert_nonnull (strstr (json_object_get_string_member (connection, "url"), "/socket/"));

  authenticate = test_peer_expect (peer, "received", WAIT_MS);
  g_assert_nonnull (authenticate);
  g_assert_cmpstr (json_object_get_string_member (authenticate, "name"), ==, "authenticate");
  payload = json_object_get_object_member (authenticate, "payload");
  g_assert_cmpstr (json_object_get_string_member (payload, "token"), ==, token);
  g_assert_cmpstr (json_object_get_string_member (payload, "userId"), ==, "alice");
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE);
  g_assert_cmpstr (ld_session_get_username (session), ==, "Alice");

  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"authRequired\","
                        "\"payload\":{\"action\":\"sendMessage\",\"message\":\"Authenticate first\"}}");
  again = test_peer_expect (peer, "received", WAIT_MS);
  g_assert_nonnull (again);
  g_assert_cmpstr (json_object_get_string_member (again, "name"), ==, "authenticate");

  /* The REST API is unreachable: a network fault, not a refusal, so the
   * session keeps trying to renew instead of signing out. */
  _ld_session_set_backoff (session, 20, 100, 20, 100);
  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"tokenExpired\","
                        "\"payload\":{\"expiredAt\":\"2026-01-01T00:00:00.000Z\",\"message\":\"expired\"}}");
  WAIT_UNTIL (ld_session_get_state_reason (session) != NULL &&
              strstr (ld_session_get_state_reason (session), "Could not renew") != NULL);
  test_spin (1000);
  g_assert_cmpint (ld_session_get_state (session), !=, LD_SESSION_STATE_SIGNED_OUT);
}


/* A session on the official socket.io server of session-peer.mjs, which
 * also serves the REST API's refresh and health. */
static LdSession *
peer_session (TestPeer *peer)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", test_peer_get_port (peer));
  g_autofree char *token = ld_test_unsigned_jwt ("alice", "Alice");
  g_autoptr(LdTokens) tokens = ld_tokens_new (token, "refresh-me", 0);
  LdSession *session = ld_session_new (url, url);

  ld_session_set_tokens (session, tokens);
  /* Many attempts in little wall time: 20 ms doubling to 200 ms. */
  _ld_session_set_backoff (session, 20, 200, 20, 200);
  return session;
}

/* The next line from the peer that is EVENT and, when NAME is given, names
 * that event ("received" lines). */
static JsonObject *
expect_received (TestPeer   *peer,
                 const char *name)
{
  for (;;)
    {
      JsonObject *line = test_peer_expect (peer, "received", WAIT_MS);

      g_assert_nonnull (line);
      if (g_strcmp0 (json_object_get_string_member (line, "name"), name) == 0)
        return line;
      json_object_unref (line);
    }
}

static void
count_connecting (LdSession  *session,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  if (ld_session_get_state (session) == LD_SESSION_STATE_CONNECTING)
    (*(guint *) user_data)++;
}

/* An outage long in attempts (far past the guide's 5) and short in time,
 * then the server back: the session never gave up, said it had trouble,
 * re-joined its room by itself and sent what was written meanwhile, in
 * order, each message once. */
static void
test_outage_never_gives_up (void)
{
  g_autoptr(TestPeer) peer = test_peer_start ("session-peer.mjs", NULL);
  g_autoptr(LdSession) session = peer_session (peer);
  g_autoptr(JsonObject) outage = NULL;
  g_autoptr(JsonObject) back = NULL;
  g_autoptr(JsonObject) rejoin = NULL;
  g_autoptr(GError) error = NULL;
  const char *texts[] = { "một", "hai", "ba" };
  LdMessage *messages[G_N_ELEMENTS (texts)];
  LdMessage *zero;
  guint attempts = 0;

  ld_session_connect (session);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE);
  ld_test_session_join (session, "room_o", WAIT_MS);
  zero = ld_room_send_text (ld_session_get_current_room (session), "không", &error);
  g_assert_no_error (error);
  WAIT_UNTIL (ld_message_get_state (zero) == LD_MESSAGE_STATE_SENT);

  g_signal_connect (session, "notify::state", G_CALLBACK (count_connecting), &attempts);
  test_peer_send (peer, "{\"cmd\":\"outage\"}");
  outage = test_peer_expect (peer, "outage", WAIT_MS);
  g_assert_nonnull (outage);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_RECONNECTING);
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      messages[i] = ld_test_session_send_text (session, texts[i]);
      g_assert_cmpint (ld_message_get_state (messages[i]), ==, LD_MESSAGE_STATE_PENDING);
    }

  /* Three times the guide's attempts, and still trying: between two
   * attempts (while one connects, the reason says so instead). */
  WAIT_UNTIL (attempts >= 3 * LD_SESSION_DEFAULT_RECONNECT_ATTEMPTS &&
              ld_session_get_state (session) == LD_SESSION_STATE_RECONNECTING);
  g_assert_true (ld_session_get_having_trouble (session));
  g_assert_cmpint (ld_session_get_state (session), !=, LD_SESSION_STATE_OFFLINE);
  g_assert_cmpint (ld_session_get_state (session), !=, LD_SESSION_STATE_SIGNED_OUT);
  g_assert_nonnull (strstr (ld_session_get_state_reason (session), "trouble"));
  g_assert_cmpuint (ld_outbox_get_length (ld_session_get_outbox (session)), ==, G_N_ELEMENTS (texts));

  test_peer_send (peer, "{\"cmd\":\"back\"}");
  back = test_peer_expect (peer, "back", WAIT_MS);
  g_assert_nonnull (back);
  rejoin = expect_received (peer, "joinRoom");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (rejoin, "payload"), "roomId"),
                   ==, "room_o");
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE);
  g_assert_false (ld_session_get_having_trouble (session));
  g_assert_cmpstr (ld_test_room_id (session), ==, "room_o");
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    WAIT_UNTIL (ld_message_get_state (messages[i]) == LD_MESSAGE_STATE_SENT);
  WAIT_UNTIL (ld_outbox_get_length (ld_session_get_outbox (session)) == 0);
  g_assert_true (ld_test_session_texts_are (session, "alice", "không,một,hai,ba"));
}

/* The network reported down then up: the session does not wait out a long
 * backoff but tries at once; "Reconnect now" does the same. */
static void
test_network_back (void)
{
  g_autoptr(TestPeer) peer = test_peer_start ("session-peer.mjs", NULL);
  g_autoptr(LdSession) session = peer_session (peer);
  g_autoptr(JsonObject) outage = NULL;
  g_autoptr(JsonObject) back = NULL;
  g_autoptr(JsonObject) outage2 = NULL;
  g_autoptr(JsonObject) back2 = NULL;

  ld_session_connect (session);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE);
  ld_test_session_join (session, "room_n", WAIT_MS);

  /* Every attempt now waits at least a minute, twice WAIT_MS. */
  _ld_session_set_backoff (session, 120000, 120000, 120000, 120000);
  test_peer_send (peer, "{\"cmd\":\"outage\"}");
  outage = test_peer_expect (peer, "outage", WAIT_MS);
  _ld_session_network_changed (session, FALSE);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_RECONNECTING);
  g_assert_cmpuint (ld_session_get_reconnect_in (session), >=, 60);

  test_peer_send (peer, "{\"cmd\":\"back\"}");
  back = test_peer_expect (peer, "back", WAIT_MS);
  _ld_session_network_changed (session, TRUE);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE);
  WAIT_UNTIL (ld_test_room_id (session) != NULL);

  /* Again, with the user's "Reconnect now" instead. */
  test_peer_send (peer, "{\"cmd\":\"outage\"}");
  outage2 = test_peer_expect (peer, "outage", WAIT_MS);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_RECONNECTING);
  test_peer_send (peer, "{\"cmd\":\"back\"}");
  back2 = test_peer_expect (peer, "back", WAIT_MS);
  ld_session_reconnect_now (session);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE);
}

/* The same, through a GNetworkMonitor the session was given: the network
 * down then up makes it try at once, where its backoff waits minutes. */
static void
test_network_monitor_back (void)
{
  g_autoptr(TestPeer) peer = test_peer_start ("session-peer.mjs", NULL);
  g_autoptr(LdSession) session = peer_session (peer);
  g_autoptr(LdTestNetworkMonitor) monitor = ld_test_network_monitor_new ();
  g_autoptr(JsonObject) outage = NULL;
  g_autoptr(JsonObject) back = NULL;
  g_autoptr(JsonObject) rejoin = NULL;

  _ld_session_set_network_monitor (session, G_NETWORK_MONITOR (monitor));
  ld_session_connect (session);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE);
  ld_test_session_join (session, "room_m", WAIT_MS);

  _ld_session_set_backoff (session, 120000, 120000, 120000, 120000);
  test_peer_send (peer, "{\"cmd\":\"outage\"}");
  outage = test_peer_expect (peer, "outage", WAIT_MS);
  g_assert_nonnull (outage);
  ld_test_network_monitor_set_available (monitor, FALSE);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_RECONNECTING);
  g_assert_cmpuint (ld_session_get_reconnect_in (session), >=, 60);

  /* The server is back but nothing says so yet: the session still waits. */
  test_peer_send (peer, "{\"cmd\":\"back\"}");
  back = test_peer_expect (peer, "back", WAIT_MS);
  g_assert_nonnull (back);
  test_spin (500);
  g_assert_cmpint (ld_session_get_state (session), ==, LD_SESSION_STATE_RECONNECTING);

  ld_test_network_monitor_set_available (monitor, TRUE);
  rejoin = expect_received (peer, "joinRoom");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (rejoin, "payload"), "roomId"),
                   ==, "room_m");
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE);
  WAIT_UNTIL (g_strcmp0 (ld_test_room_id (session), "room_m") == 0);
}

static void
store_tokens (LdSession *session,
              LdTokens  *tokens,
              gpointer   user_data)
{
  LdTokens **out = user_data;

  g_clear_pointer (out, ld_tokens_free);
  *out = ld_tokens_copy (tokens);
}

/* A refresh that fails on the network twice and then succeeds: retried
 * like the guide's RetryManager, never signed out, and the rotated pair is
 * what the session uses and hands over to be stored. */
static void
test_refresh_retried (void)
{
  g_autoptr(TestPeer) peer = test_peer_start ("session-peer.mjs", NULL);
  g_autoptr(LdSession) session = peer_session (peer);
  g_autoptr(LdTokens) stored = NULL;
  g_autoptr(LdTokens) now = NULL;
  g_autoptr(JsonObject) authenticate = NULL;
  gboolean signed_out = FALSE;

  ld_session_connect (session);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE);
  g_signal_connect (session, "tokens-changed", G_CALLBACK (store_tokens), &stored);

  test_peer_send (peer, "{\"cmd\":\"refresh-fail\",\"count\":2}");
  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"tokenExpired\","
                        "\"payload\":{\"expiredAt\":\"2026-01-01T00:00:00.000Z\",\"message\":\"expired\"}}");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonObject) refresh = test_peer_expect (peer, "refresh", WAIT_MS);

      g_assert_nonnull (refresh);
      g_assert_true (json_object_get_boolean_member (refresh, "ok") == (i == 2));
      signed_out |= ld_session_get_state (session) == LD_SESSION_STATE_SIGNED_OUT;
    }

  WAIT_UNTIL (stored != NULL);
  g_assert_false (signed_out);
  g_assert_cmpstr (stored->refresh_token, ==, "rotated-3");
  now = ld_session_dup_tokens (session);
  g_assert_cmpstr (now->refresh_token, ==, "rotated-3");
  /* The same connection signs in with the new token. */
  authenticate = expect_received (peer, "authenticate");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (authenticate, "payload"), "token"),
                   ==, stored->access_token);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE);
}

static guint
gift_count (LdSession *session)
{
  return ld_gift_queue_get_n_waiting (ld_room_get_gifts (ld_test_room (session))) +
         (ld_gift_queue_get_current (ld_room_get_gifts (ld_test_room (session))) != NULL ? 1 : 0);
}

static LdGift *
first_gift (LdSession *session)
{
  LdGiftQueue *gifts = ld_room_get_gifts (ld_test_room (session));
  g_autoptr(LdGift) waiting = NULL;

  if (ld_gift_queue_get_current (gifts) != NULL)
    return ld_gift_queue_get_current (gifts);
  waiting = g_list_model_get_item (ld_gift_queue_get_waiting (gifts), 0);
  return waiting;
}

/* What the production gateway relays from the backend, in every shape:
 * chat messages under data or flat, with or without messageId (shown; one
 * without cannot be moderated), a notification without id or title (the
 * guide's defaults), and a message and a gift for another room (ignored). */
static void
test_backend_shapes (void)
{
  g_autoptr(TestPeer) peer = test_peer_start ("session-peer.mjs", NULL);
  g_autoptr(LdSession) session = peer_session (peer);
  static const char * const shapes[] = {
    "{\"type\":\"chat_message\",\"data\":{\"messageId\":\"b1\",\"roomId\":\"room_b\",\"userId\":\"lan\","
      "\"username\":\"Lan\",\"message\":\"một\"}}",
    "{\"type\":\"chat_message\",\"data\":{\"roomId\":\"room_b\",\"userId\":\"lan\",\"username\":\"Lan\",\"message\":\"hai\"}}",
    "{\"type\":\"chat_message\",\"messageId\":\"b3\",\"roomId\":\"room_b\",\"userId\":\"lan\",\"message\":\"ba\"}",
    "{\"type\":\"chat_message\",\"roomId\":\"room_b\",\"userId\":\"lan\",\"username\":\"Lan\",\"message\":\"bốn\","
      "\"timestamp\":\"2026-11-26T12:00:00.000Z\"}",
    "{\"type\":\"chat_message\",\"roomId\":\"room_elsewhere\",\"userId\":\"lan\",\"message\":\"lạc\"}",
  };
  LdNotificationModel *notifications;
  g_autoptr(LdNotification) notification = NULL;
  g_autoptr(LdMessage) flat = NULL;

  ld_session_connect (session);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE);
  ld_test_session_join (session, "room_b", WAIT_MS);

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autofree char *command = g_strdup_printf ("{\"cmd\":\"emit\",\"name\":\"chatMessageFromBackend\",\"payload\":%s}",
                                                  shapes[i]);

      test_peer_send (peer, "%s", command);
    }
  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"giftFromBackend\",\"payload\":{\"type\":\"gift_send\","
                        "\"roomId\":\"room_elsewhere\",\"senderId\":\"lan\",\"giftId\":\"rose\",\"giftValue\":5}}");
  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"giftFromBackend\",\"payload\":{\"type\":\"gift_send\","
                        "\"roomId\":\"room_b\",\"senderId\":\"lan\",\"senderName\":\"Lan\",\"giftId\":\"rose\","
                        "\"giftName\":\"Rose\",\"giftValue\":5}}");
  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"notification\",\"payload\":{\"type\":\"info\","
                        "\"message\":\"Chào mừng\"}}");

  notifications = ld_session_get_notifications (session);
  WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (notifications)) == 1);
  WAIT_UNTIL (ld_test_session_texts_are (session, "lan", "một,hai,ba,bốn"));
  /* The gift came after the other room's: only ours is there. */
  WAIT_UNTIL (gift_count (session) == 1);
  g_assert_cmpstr (ld_gift_get_room_id (first_gift (session)), ==, "room_b");

  notification = g_list_model_get_item (G_LIST_MODEL (notifications), 0);
  g_assert_cmpstr (ld_notification_get_title (notification), ==, "Notification");
  g_assert_cmpstr (ld_notification_get_message (notification), ==, "Chào mừng");
  g_assert_nonnull (ld_notification_get_id (notification));

  flat = g_list_model_get_item (G_LIST_MODEL (ld_room_get_chat (ld_test_room (session))), 3);
  g_assert_cmpstr (ld_message_get_text (flat), ==, "bốn");
  g_assert_null (ld_message_get_id (flat));
  g_assert_cmpstr (ld_message_get_username (flat), ==, "Lan");
}

/* What the peer's health check answers from now on: told, and confirmed
 * before the session asks. */
static void
set_health (TestPeer   *peer,
            const char *command)
{
  g_autoptr(JsonObject) set = NULL;

  test_peer_send (peer, "%s", command);
  set = test_peer_expect (peer, "health-set", WAIT_MS);
  g_assert_nonnull (set);
}

/* Health as the guide checks it: any 2xx is up whatever the body says, and
 * the Redis state when the answer carries one; a 503 is down. */
static void
test_health_guide (void)
{
  g_autoptr(TestPeer) peer = test_peer_start ("session-peer.mjs", NULL);
  g_autoptr(LdSession) session = peer_session (peer);
  g_autoptr(JsonObject) checked = NULL;

  ld_session_connect (session);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE);

  set_health (peer, "{\"cmd\":\"health\",\"status\":200,\"body\":{\"status\":\"degraded\",\"redis\":\"disconnected\"}}");
  ld_session_check_health (session);
  WAIT_UNTIL (ld_session_get_redis_state (session) == LD_REDIS_STATE_DOWN);
  g_assert_true (ld_session_get_api_healthy (session));

  set_health (peer, "{\"cmd\":\"health\",\"status\":200,\"body\":{\"services\":{\"redis\":{\"status\":\"up\"}}}}");
  ld_session_check_health (session);
  WAIT_UNTIL (ld_session_get_redis_state (session) == LD_REDIS_STATE_UP);
  g_assert_true (ld_session_get_healthy (session));

  /* A gateway without Redis says "off": not known to be down. */
  set_health (peer, "{\"cmd\":\"health\",\"status\":200,\"body\":{\"status\":\"ok\",\"redis\":\"off\"}}");
  ld_session_check_health (session);
  WAIT_UNTIL (ld_session_get_redis_state (session) == LD_REDIS_STATE_UNKNOWN);

  set_health (peer, "{\"cmd\":\"health\",\"status\":503,\"body\":{\"status\":\"down\"}}");
  ld_session_check_health (session);
  WAIT_UNTIL (!ld_session_get_api_healthy (session));
  g_assert_false (ld_session_get_healthy (session));
  g_assert_cmpint (ld_session_get_redis_state (session), ==, LD_REDIS_STATE_UNKNOWN);
}


/* How many messages of USER with TEXT ROOM's chat shows. */
static guint
count_in_room (LdRoom     *room,
               const char *user,
               const char *text)
{
  LdChatModel *chat = ld_room_get_chat (room);
  guint n = 0;

  ld_chat_model_flush (chat);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (chat)); i++)
    {
      g_autoptr(LdMessage) message = g_list_model_get_item (G_LIST_MODEL (chat), i);

      if (g_strcmp0 (ld_message_get_user_id (message), user) == 0 &&
          g_strcmp0 (ld_message_get_text (message), text) == 0)
        n++;
    }
  return n;
}

/* Two rooms on one socket: each gets its own chat and gifts, a third room's
 * events reach neither; after an outage both re-join by themselves, and
 * leaving one keeps the other. */
static void
test_many_rooms (void)
{
  g_autoptr(TestPeer) peer = test_peer_start ("session-peer.mjs", NULL);
  g_autoptr(LdSession) session = peer_session (peer);
  g_autoptr(JsonObject) outage = NULL;
  g_autoptr(JsonObject) back = NULL;
  g_autoptr(GPtrArray) rooms = NULL;
  gboolean rejoined_a = FALSE, rejoined_b = FALSE;
  LdRoom *a, *b;

  ld_session_connect (session);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE);
  ld_test_session_join (session, "room_a", WAIT_MS);
  ld_test_session_join (session, "room_b", WAIT_MS);
  a = ld_session_get_room (session, "room_a");
  b = ld_session_get_room (session, "room_b");
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_true (ld_room_get_joined (a));
  g_assert_true (ld_session_get_current_room (session) == b);
  rooms = ld_session_list_rooms (session);
  g_assert_cmpuint (rooms->len, ==, 2);

  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"newMessage\",\"payload\":{\"messageId\":\"x1\",\"roomId\":\"room_a\","
                        "\"userId\":\"lan\",\"username\":\"Lan\",\"message\":\"ở A\"}}");
  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"newMessage\",\"payload\":{\"messageId\":\"x2\",\"roomId\":\"room_b\","
                        "\"userId\":\"lan\",\"username\":\"Lan\",\"message\":\"ở B\"}}");
  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"newMessage\",\"payload\":{\"messageId\":\"x3\",\"roomId\":\"room_c\","
                        "\"userId\":\"lan\",\"username\":\"Lan\",\"message\":\"ở C\"}}");
  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"newGift\",\"payload\":{\"giftTxId\":\"g1\",\"roomId\":\"room_a\","
                        "\"senderId\":\"lan\",\"senderName\":\"Lan\",\"giftId\":\"rose\",\"giftName\":\"Rose\",\"giftValue\":5}}");
  WAIT_UNTIL (count_in_room (b, "lan", "ở B") == 1);
  WAIT_UNTIL (count_in_room (a, "lan", "ở A") == 1);
  WAIT_UNTIL (ld_gift_queue_get_current (ld_room_get_gifts (a)) != NULL);
  g_assert_cmpuint (count_in_room (a, "lan", "ở B") + count_in_room (b, "lan", "ở A"), ==, 0);
  g_assert_cmpuint (count_in_room (a, "lan", "ở C") + count_in_room (b, "lan", "ở C"), ==, 0);
  g_assert_null (ld_gift_queue_get_current (ld_room_get_gifts (b)));

  test_peer_send (peer, "{\"cmd\":\"outage\"}");
  outage = test_peer_expect (peer, "outage", WAIT_MS);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_RECONNECTING);
  g_assert_false (ld_room_get_joined (a));
  test_peer_send (peer, "{\"cmd\":\"back\"}");
  back = test_peer_expect (peer, "back", WAIT_MS);
  while (!rejoined_a || !rejoined_b)
    {
      g_autoptr(JsonObject) rejoin = expect_received (peer, "joinRoom");
      const char *room_id = json_object_get_string_member (json_object_get_object_member (rejoin, "payload"), "roomId");

      rejoined_a |= g_strcmp0 (room_id, "room_a") == 0;
      rejoined_b |= g_strcmp0 (room_id, "room_b") == 0;
    }
  WAIT_UNTIL (ld_room_get_joined (a) && ld_room_get_joined (b));
  /* What each room had is there once. */
  g_assert_cmpuint (count_in_room (a, "lan", "ở A"), ==, 1);
  g_assert_cmpuint (count_in_room (b, "lan", "ở B"), ==, 1);

  ld_session_leave (session, "room_b");
  g_assert_null (ld_session_get_room (session, "room_b"));
  g_assert_true (ld_room_get_joined (a));
  g_assert_null (ld_session_get_current_room (session));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_assert_cmpint (argc, ==, 2);
  program = argv[1];

  g_test_add_func ("/ld/session/backend-events", test_backend_events);
  g_test_add_func ("/ld/session/official-server-handshake", test_official_server_handshake);
  g_test_add_func ("/ld/session/token-refresh", test_token_refresh);
  g_test_add_func ("/ld/session/token-refresh-early", test_token_refresh_early);
  g_test_add_func ("/ld/session/refresh-failure", test_refresh_failure);
  g_test_add_func ("/ld/session/signed-out-without-refresh", test_signed_out_without_refresh);
  g_test_add_func ("/ld/session/health", test_health);
  g_test_add_func ("/ld/session/viewer-ping", test_viewer_ping);
  g_test_add_func ("/ld/session/reconnect-gives-up", test_reconnect_gives_up);
  g_test_add_func ("/ld/session/outage-never-gives-up", test_outage_never_gives_up);
  g_test_add_func ("/ld/session/network-back", test_network_back);
  g_test_add_func ("/ld/session/network-monitor-back", test_network_monitor_back);
  g_test_add_func ("/ld/session/refresh-retried", test_refresh_retried);
  g_test_add_func ("/ld/session/backend-shapes", test_backend_shapes);
  g_test_add_func ("/ld/session/health-guide", test_health_guide);
  g_test_add_func ("/ld/session/many-rooms", test_many_rooms);

  return g_test_run ();
}
