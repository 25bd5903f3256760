/* test-gw-gateway.c: the livestream contract as the official socket.io-client
 * sees it (tests/peers/gateway-peer.mjs), against GwGateway on a free port;
 * the Redis bridge against a real redis-server started here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <string.h>

#include "gw-redis.h"
#include "gw-test-fixture.h"
#include "ld-test-util.h"
#include "test-redis.h"

#define SECRET "test-gateway-secret-0123456789abcdef"

typedef struct
{
  SoupServer  *http;
  GwJwt       *jwt;
  GwGateway   *gateway;
  GwTestClients *clients;
  guint        presence_timeout;  /* 0: the default */

  GSubprocess *redis;
  guint16      redis_port;
  GwRedis     *bridge;    /* the gateway's */
  GwRedis     *backend;   /* the test's, playing the backend */
  GPtrArray   *backend_channels;
  GPtrArray   *backend_payloads;

  /* A second gateway process's share, for the cluster test. */
  SoupServer  *http2;
  GwGateway   *gateway2;
  GwRedis     *bridge2;
  guint        port2;
} Fixture;

static void
start_gateway (Fixture *f)
{
  g_autoptr(GBytes) secret = g_bytes_new_static (SECRET, strlen (SECRET));
  g_autoptr(GError) error = NULL;
  guint port;

  f->jwt = gw_jwt_new (secret, &error);
  g_assert_no_error (error);
  f->gateway = gw_gateway_new (f->jwt);
  if (f->presence_timeout != 0)
    gw_gateway_set_presence_timeout (f->gateway, f->presence_timeout);
  if (f->bridge != NULL)
    gw_gateway_set_redis (f->gateway, f->bridge);
  f->http = gw_test_listen (f->gateway, &port);
  f->clients = gw_test_clients_new (port);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  start_gateway (f);
}

static void
fixture_setup_fast_presence (Fixture       *f,
                             gconstpointer  data)
{
  f->presence_timeout = 1500;
  start_gateway (f);
}

static void
stop_redis (Fixture *f)
{
  if (f->redis == NULL)
    return;
  g_subprocess_send_signal (f->redis, SIGKILL);
  g_subprocess_wait (f->redis, NULL, NULL);
  g_clear_object (&f->redis);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->clients, gw_test_clients_free);
  if (f->gateway2 != NULL)
    {
      gw_test_stop (&f->gateway2, &f->http2);
      g_clear_object (&f->bridge2);
    }
  gw_test_stop (&f->gateway, &f->http);
  g_clear_object (&f->jwt);
  g_clear_object (&f->bridge);
  g_clear_object (&f->backend);
  stop_redis (f);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&f->backend_channels, g_ptr_array_unref);
  g_clear_pointer (&f->backend_payloads, g_ptr_array_unref);
}

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *token = gw_test_mint (f->jwt, "alice", "Alice Nguyễn", GW_ROLE_VIEWER, 900);
  g_autofree char *expired = gw_test_mint (f->jwt, "alice", "Alice", GW_ROLE_VIEWER, -3600);
  g_autofree char *payload = NULL;
  g_autoptr(JsonObject) required = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) failed = NULL;
  g_autoptr(JsonObject) success = NULL;
  g_autoptr(GDateTime) expires = NULL;

  gw_test_connect (f->clients, "a", NULL, 0);

  /* Before authenticate: authRequired, and the ack says UNAUTHENTICATED. */
  gw_test_emit (f->clients, "a", "joinRoom", "{\"roomId\":\"room_1\"}", TRUE);
  required = gw_test_expect_event (f->clients, "a", "authRequired");
  g_assert_cmpstr (gw_test_str_at (required, "action"), ==, "joinRoom");
  ack = gw_test_expect_ack (f->clients, "a", "joinRoom");
  gw_test_assert_failure (ack, "UNAUTHENTICATED");

  gw_test_emit (f->clients, "a", "authenticate", "{\"token\":\"not.a.token\",\"userId\":\"alice\"}", FALSE);
  failed = gw_test_expect_event (f->clients, "a", "authFailed");
  gw_test_assert_failure (failed, "UNAUTHENTICATED");
  g_clear_pointer (&failed, json_object_unref);

  payload = g_strdup_printf ("{\"token\":\"%s\",\"userId\":\"alice\"}", expired);
  gw_test_emit (f->clients, "a", "authenticate", payload, FALSE);
  failed = gw_test_expect_event (f->clients, "a", "authFailed");
  gw_test_assert_failure (failed, "TOKEN_EXPIRED");
  g_clear_pointer (&failed, json_object_unref);
  g_clear_pointer (&payload, g_free);

  /* A token of alice's presented as bob's. */
  payload = g_strdup_printf ("{\"token\":\"%s\",\"userId\":\"bob\"}", token);
  gw_test_emit (f->clients, "a", "authenticate", payload, FALSE);
  failed = gw_test_expect_event (f->clients, "a", "authFailed");
  gw_test_assert_failure (failed, "UNAUTHENTICATED");
  g_clear_pointer (&payload, g_free);

  payload = g_strdup_printf ("{\"token\":\"%s\",\"userId\":\"alice\",\"timestamp\":\"2026-01-01T00:00:00.000Z\"}", token);
  gw_test_emit (f->clients, "a", "authenticate", payload, TRUE);
  success = gw_test_expect_event (f->clients, "a", "authSuccess");
  g_assert_cmpstr (gw_test_str_at (success, "userId"), ==, "alice");
  g_assert_cmpstr (gw_test_str_at (success, "username"), ==, "Alice Nguyễn");
  g_assert_cmpstr (gw_test_str_at (success, "role"), ==, "viewer");
  expires = g_date_time_new_from_iso8601 (gw_test_str_at (success, "expiresAt"), NULL);
  g_assert_nonnull (expires);
  g_assert_cmpint (g_date_time_to_unix (expires), >, g_get_real_time () / G_USEC_PER_SEC + 800);
  g_clear_pointer (&ack, json_object_unref);
  ack = gw_test_expect_ack (f->clients, "a", "authenticate");
  g_assert_cmpstr (gw_test_str_at (ack, "userId"), ==, "alice");

  /* Now the same event goes through. */
  gw_test_join (f->clients, "a", "room_1");

  /* The token in the CONNECT packet's auth is enough on its own [ext]. */
  gw_test_connect (f->clients, "b", token, 0);
  gw_test_join (f->clients, "b", "room_1");
}

static void
test_token_expires (Fixture       *f,
                    gconstpointer  data)
{
  /* Valid for three more seconds (plus the verifier's leeway, which the
   * expiry timer does not give): time enough to join on a busy machine. */
  g_autofree char *token = gw_test_mint (f->jwt, "alice", "Alice", GW_ROLE_VIEWER, 3);
  g_autoptr(JsonObject) expired = NULL;
  g_autoptr(JsonObject) required = NULL;

  gw_test_connect (f->clients, "a", token, 0);
  gw_test_join (f->clients, "a", "room_1");

  expired = gw_test_expect_event (f->clients, "a", "tokenExpired");
  g_assert_cmpstr (gw_test_str_at (expired, "message"), !=, "");
  gw_test_assert_iso_timestamp (gw_test_str_at (expired, "expiredAt"));

  gw_test_emit (f->clients, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"hi\"}", FALSE);
  required = gw_test_expect_event (f->clients, "a", "authRequired");
  g_assert_cmpstr (gw_test_str_at (required, "action"), ==, "sendMessage");
}

static void
test_join_per_user (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(JsonObject) user_joined = NULL;
  g_autoptr(JsonObject) user_left = NULL;
  g_autoptr(JsonObject) info = NULL;
  g_autoptr(JsonObject) message = NULL;
  JsonArray *viewers;

  gw_test_connect_as (f->clients, f->jwt, "a", "alice", "Alice", GW_ROLE_VIEWER);
  gw_test_connect_as (f->clients, f->jwt, "b", "bob", "Bob", GW_ROLE_MODERATOR);
  gw_test_connect_as (f->clients, f->jwt, "a2", "alice", "Alice", GW_ROLE_VIEWER);

  gw_test_join (f->clients, "a", "room_1");

  gw_test_emit (f->clients, "b", "joinRoom", "{\"roomId\":\"room_1\",\"userId\":\"bob\",\"username\":\"Bob\"}", FALSE);
  joined = gw_test_expect_event (f->clients, "b", "joinedRoom");
  g_assert_cmpint (gw_test_int_at (joined, "data.viewerCount"), ==, 2);
  viewers = json_node_get_array (gw_test_at (joined, "data.viewers"));
  g_assert_cmpuint (json_array_get_length (viewers), ==, 2);
  /* Staff first. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (viewers, 0), "userId"), ==, "bob");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (viewers, 0), "role"), ==, "moderator");

  user_joined = gw_test_expect_event (f->clients, "a", "userJoined");
  g_assert_cmpstr (gw_test_str_at (user_joined, "roomId"), ==, "room_1");
  g_assert_cmpstr (gw_test_str_at (user_joined, "userId"), ==, "bob");
  g_assert_cmpstr (gw_test_str_at (user_joined, "username"), ==, "Bob");
  g_assert_cmpstr (gw_test_str_at (user_joined, "role"), ==, "moderator");
  g_assert_cmpint (gw_test_int_at (user_joined, "viewerCount"), ==, 2);

  /* Alice's second tab: still two viewers, and bob sees no userJoined. */
  gw_test_join (f->clients, "a2", "room_1");
  gw_test_emit (f->clients, "a2", "getRoomInfo", "{\"roomId\":\"room_1\"}", FALSE);
  info = gw_test_expect_event (f->clients, "a2", "roomInfo");
  g_assert_cmpint (gw_test_int_at (info, "data.viewerCount"), ==, 2);

  /* Closing one of alice's tabs: no userLeft either. */
  test_peer_send (f->clients->peer, "{\"cmd\":\"disconnect\",\"id\":\"a2\"}");
  json_object_unref (gw_test_expect_full (f->clients, "disconnect", "a2", NULL, NULL));
  gw_test_emit (f->clients, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"still here\"}", FALSE);
  message = gw_test_expect_full (f->clients, "message", "b", "newMessage", "userJoined");
  g_clear_pointer (&message, json_object_unref);

  /* Her last tab: now bob sees userLeft. */
  test_peer_send (f->clients->peer, "{\"cmd\":\"disconnect\",\"id\":\"a\"}");
  user_left = gw_test_expect_full (f->clients, "message", "b", "userLeft", NULL);
  g_assert_cmpstr (gw_test_str_at (user_left, "userId"), ==, "alice");
  g_assert_cmpint (gw_test_int_at (user_left, "viewerCount"), ==, 1);

  gw_test_expect_refusal (f->clients, "b", "getRoomInfo", "{\"roomId\":\"nowhere\"}", "getRoomInfoError", "ROOM_NOT_FOUND");
  gw_test_expect_refusal (f->clients, "b", "leaveRoom", "{\"roomId\":\"nowhere\"}", "leaveRoomError", "NOT_IN_ROOM");
  gw_test_expect_refusal (f->clients, "b", "joinRoom", "{\"roomId\":\"room 1\"}", "joinRoomError", "INVALID_PAYLOAD");
  gw_test_expect_refusal (f->clients, "b", "joinRoom", "\"room_1\"", "joinRoomError", "INVALID_PAYLOAD");
  gw_test_expect_refusal (f->clients, "b", "joinRoom", "{\"roomId\":\"room_1\",\"userId\":\"alice\"}", "joinRoomError", "FORBIDDEN");
}

static void
test_chat (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) to_a = NULL;
  g_autoptr(JsonObject) to_b = NULL;
  g_autoptr(JsonObject) pong = NULL;
  g_autoptr(JsonObject) image = NULL;
  g_autoptr(JsonObject) joined = NULL;
  const char *message_id;

  gw_test_connect_as (f->clients, f->jwt, "a", "alice", "Alice", GW_ROLE_VIEWER);
  gw_test_connect_as (f->clients, f->jwt, "b", "bob", "Bob", GW_ROLE_VIEWER);
  gw_test_join (f->clients, "a", "room_1");
  gw_test_join (f->clients, "b", "room_1");

  gw_test_emit (f->clients, "a", "sendMessage",
        "{\"roomId\":\"room_1\",\"userId\":\"alice\",\"username\":\"Alice\",\"message\":\"  Xin chào <b>mọi người</b> \","
        "\"timestamp\":\"2026-11-26T12:00:00.000Z\"}", TRUE);
  sent = gw_test_expect_event (f->clients, "a", "messageSent");
  g_assert_true (gw_test_bool_at (sent, "success"));
  message_id = gw_test_str_at (sent, "data.messageId");
  g_assert_cmpstr (message_id, !=, "");
  ack = gw_test_expect_ack (f->clients, "a", "sendMessage");
  g_assert_cmpstr (gw_test_str_at (ack, "data.messageId"), ==, message_id);

  /* Everyone in the room gets it, the sender included, sanitised. */
  to_a = gw_test_expect_event (f->clients, "a", "newMessage");
  to_b = gw_test_expect_event (f->clients, "b", "newMessage");
  for (JsonObject **m = (JsonObject *[]) { to_a, to_b, NULL }; *m != NULL; m++)
    {
      g_assert_cmpstr (gw_test_str_at (*m, "messageId"), ==, message_id);
      g_assert_cmpstr (gw_test_str_at (*m, "roomId"), ==, "room_1");
      g_assert_cmpstr (gw_test_str_at (*m, "userId"), ==, "alice");
      g_assert_cmpstr (gw_test_str_at (*m, "username"), ==, "Alice");
      g_assert_cmpstr (gw_test_str_at (*m, "role"), ==, "viewer");
      g_assert_cmpstr (gw_test_str_at (*m, "message"), ==, "Xin chào bmọi người/b");
      g_assert_cmpstr (gw_test_str_at (*m, "messageType"), ==, "text");
      gw_test_assert_iso_timestamp (gw_test_str_at (*m, "timestamp"));
    }

  gw_test_emit (f->clients, "b", "viewerPing", "{\"roomId\":\"room_1\",\"userId\":\"bob\",\"username\":\"Bob\",\"timestamp\":\"x\"}", FALSE);
  pong = gw_test_expect_event (f->clients, "b", "viewerPong");
  g_assert_cmpint (gw_test_int_at (pong, "data.viewerCount"), ==, 2);
  g_assert_cmpstr (gw_test_str_at (pong, "data.roomId"), ==, "room_1");

  gw_test_emit (f->clients, "b", "sendImageMessage",
        "{\"roomId\":\"room_1\",\"imageUrl\":\"https://i.imgur.com/cat.png\",\"messageType\":\"image\"}", FALSE);
  image = gw_test_expect_event (f->clients, "a", "newMessage");
  g_assert_cmpstr (gw_test_str_at (image, "messageType"), ==, "image");
  g_assert_cmpstr (gw_test_str_at (image, "imageUrl"), ==, "https://i.imgur.com/cat.png");
  g_assert_cmpstr (gw_test_str_at (image, "userId"), ==, "bob");

  /* A newcomer is shown what was said. */
  gw_test_connect_as (f->clients, f->jwt, "c", "carol", "Carol", GW_ROLE_VIEWER);
  gw_test_emit (f->clients, "c", "joinRoom", "{\"roomId\":\"room_1\"}", FALSE);
  joined = gw_test_expect_event (f->clients, "c", "joinedRoom");
  {
    JsonArray *recent = json_node_get_array (gw_test_at (joined, "data.recentMessages"));

    g_assert_cmpuint (json_array_get_length (recent), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (recent, 0), "messageId"),
                     ==, gw_test_str_at (to_a, "messageId"));
  }
}

static void
test_validation (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GString) long_text = g_string_new ("{\"roomId\":\"room_1\",\"message\":\"");

  gw_test_connect_as (f->clients, f->jwt, "a", "alice", "Alice", GW_ROLE_VIEWER);
  gw_test_join (f->clients, "a", "room_1");

  for (guint i = 0; i < 501; i++)
    g_string_append (long_text, "ố");
  g_string_append (long_text, "\"}");

  gw_test_expect_refusal (f->clients, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"   \"}", "sendMessageError", "EMPTY_MESSAGE");
  gw_test_expect_refusal (f->clients, "a", "sendMessage", long_text->str, "sendMessageError", "MESSAGE_TOO_LONG");
  gw_test_expect_refusal (f->clients, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"<script>alert(1)</script>\"}",
                  "sendMessageError", "FORBIDDEN_CONTENT");
  gw_test_expect_refusal (f->clients, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":42}", "sendMessageError", "INVALID_PAYLOAD");
  gw_test_expect_refusal (f->clients, "a", "sendMessage", "{\"roomId\":\"room-1\",\"message\":\"hi\"}", "sendMessageError", "INVALID_PAYLOAD");
  gw_test_expect_refusal (f->clients, "a", "sendMessage", "{\"roomId\":\"room_2\",\"message\":\"hi\"}", "sendMessageError", "NOT_IN_ROOM");
  gw_test_expect_refusal (f->clients, "a", "sendMessage", "{\"roomId\":\"room_1\",\"userId\":\"bob\",\"message\":\"hi\"}",
                  "sendMessageError", "FORBIDDEN");
  gw_test_expect_refusal (f->clients, "a", "sendImageMessage", "{\"roomId\":\"room_1\",\"imageUrl\":\"https://evil.example/a.png\"}",
                  "sendMessageError", "INVALID_IMAGE_URL");
  gw_test_expect_refusal (f->clients, "a", "sendGift",
                  "{\"roomId\":\"room_1\",\"receiverId\":\"star\",\"giftId\":\"rose\",\"giftName\":\"Rose\","
                  "\"giftType\":\"flower\",\"giftValue\":10,\"quantity\":500}",
                  "sendGiftError", "INVALID_GIFT");
  gw_test_expect_refusal (f->clients, "a", "chatWithAdmin", "{\"message\":\"\"}", "chatWithAdminError", "EMPTY_MESSAGE");
}

static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(JsonObject) refused = NULL;
  gint64 retry;

  gw_test_connect_as (f->clients, f->jwt, "a", "alice", "Alice", GW_ROLE_VIEWER);
  gw_test_join (f->clients, "a", "room_1");

  gw_test_emit (f->clients, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"one\"}", FALSE);
  gw_test_emit (f->clients, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"two\"}", FALSE);
  sent = gw_test_expect_event (f->clients, "a", "messageSent");
  refused = gw_test_expect_event (f->clients, "a", "sendMessageError");
  gw_test_assert_failure (refused, "RATE_LIMITED");
  /* The user is told when they may send again. */
  retry = gw_test_int_at (refused, "error.retryAfterMs");
  g_assert_cmpint (retry, >, 0);
  g_assert_cmpint (retry, <=, 1000);
  g_assert_nonnull (strstr (gw_test_str_at (refused, "error.message"), "a second"));
}

static void
test_moderation (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(JsonObject) deleted = NULL;
  g_autoptr(JsonObject) timed_out = NULL;
  g_autoptr(JsonObject) banned = NULL;
  g_autoptr(JsonObject) left = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) unbanned = NULL;
  g_autofree char *payload = NULL;

  gw_test_connect_as (f->clients, f->jwt, "m", "mod", "Mod", GW_ROLE_MODERATOR);
  gw_test_connect_as (f->clients, f->jwt, "v", "viewer1", "Viewer", GW_ROLE_VIEWER);
  gw_test_join (f->clients, "m", "room_1");
  gw_test_join (f->clients, "v", "room_1");

  gw_test_emit (f->clients, "v", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"spam\"}", FALSE);
  sent = gw_test_expect_event (f->clients, "v", "messageSent");

  /* Viewers may not moderate. */
  gw_test_expect_refusal (f->clients, "v", "deleteMessage", "{\"roomId\":\"room_1\",\"messageId\":\"x\"}",
                  "deleteMessageError", "FORBIDDEN");
  gw_test_expect_refusal (f->clients, "v", "timeoutUser", "{\"roomId\":\"room_1\",\"userId\":\"mod\",\"seconds\":60}",
                  "timeoutUserError", "FORBIDDEN");

  payload = g_strdup_printf ("{\"roomId\":\"room_1\",\"messageId\":\"%s\"}", gw_test_str_at (sent, "data.messageId"));
  gw_test_emit (f->clients, "m", "deleteMessage", payload, TRUE);
  ack = gw_test_expect_ack (f->clients, "m", "deleteMessage");
  g_assert_true (gw_test_bool_at (ack, "success"));
  deleted = gw_test_expect_event (f->clients, "v", "messageDeleted");
  g_assert_cmpstr (gw_test_str_at (deleted, "messageId"), ==, gw_test_str_at (sent, "data.messageId"));
  g_assert_cmpstr (gw_test_str_at (deleted, "by"), ==, "Mod");

  gw_test_emit (f->clients, "m", "timeoutUser", "{\"roomId\":\"room_1\",\"userId\":\"viewer1\",\"seconds\":60,\"reason\":\"spam\"}", FALSE);
  timed_out = gw_test_expect_event (f->clients, "v", "userTimedOut");
  g_assert_cmpstr (gw_test_str_at (timed_out, "userId"), ==, "viewer1");
  g_assert_cmpint (gw_test_int_at (timed_out, "seconds"), ==, 60);
  g_assert_cmpstr (gw_test_str_at (timed_out, "reason"), ==, "spam");

  /* Timed out: every send to the room is FORBIDDEN. */
  gw_test_expect_refusal (f->clients, "v", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"let me talk\"}",
                  "sendMessageError", "FORBIDDEN");
  gw_test_expect_refusal (f->clients, "v", "sendGift",
                  "{\"roomId\":\"room_1\",\"receiverId\":\"mod\",\"giftId\":\"rose\",\"giftName\":\"Rose\","
                  "\"giftType\":\"flower\",\"giftValue\":10}", "sendGiftError", "FORBIDDEN");

  /* A ban: the room hears it, the user is out and cannot come back. */
  gw_test_emit (f->clients, "m", "banUser", "{\"roomId\":\"room_1\",\"userId\":\"viewer1\",\"reason\":\"again\"}", FALSE);
  banned = gw_test_expect_event (f->clients, "v", "userBanned");
  g_assert_cmpstr (gw_test_str_at (banned, "reason"), ==, "again");
  left = gw_test_expect_event (f->clients, "m", "userLeft");
  g_assert_cmpstr (gw_test_str_at (left, "userId"), ==, "viewer1");
  gw_test_expect_refusal (f->clients, "v", "joinRoom", "{\"roomId\":\"room_1\"}", "joinRoomError", "FORBIDDEN");

  gw_test_emit (f->clients, "m", "unbanUser", "{\"roomId\":\"room_1\",\"userId\":\"viewer1\"}", FALSE);
  unbanned = gw_test_expect_event (f->clients, "m", "userUnbanned");
  g_assert_cmpstr (gw_test_str_at (unbanned, "userId"), ==, "viewer1");
  gw_test_join (f->clients, "v", "room_1");
}

static void
test_admin_support (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) chat = NULL;
  g_autoptr(JsonObject) reply_ack = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *payload = NULL;
  const char *ticket;

  gw_test_connect_as (f->clients, f->jwt, "admin", "boss", "Boss", GW_ROLE_ADMIN);
  gw_test_connect_as (f->clients, f->jwt, "v", "viewer1", "Viewer One", GW_ROLE_VIEWER);

  gw_test_emit (f->clients, "v", "chatWithAdmin", "{\"userId\":\"viewer1\",\"username\":\"Viewer One\",\"message\":\"I was charged twice\"}", TRUE);
  ack = gw_test_expect_ack (f->clients, "v", "chatWithAdmin");
  g_assert_true (gw_test_bool_at (ack, "success"));
  ticket = gw_test_str_at (ack, "data.ticketId");

  chat = gw_test_expect_event (f->clients, "admin", "adminChat");
  g_assert_cmpstr (gw_test_str_at (chat, "ticketId"), ==, ticket);
  g_assert_cmpstr (gw_test_str_at (chat, "userId"), ==, "viewer1");
  g_assert_cmpstr (gw_test_str_at (chat, "username"), ==, "Viewer One");
  g_assert_cmpstr (gw_test_str_at (chat, "message"), ==, "I was charged twice");
  g_assert_cmpstr (gw_test_str_at (chat, "supportType"), ==, "general");

  /* Only admins answer. */
  payload = g_strdup_printf ("{\"ticketId\":\"%s\",\"userId\":\"viewer1\",\"message\":\"Refunded\"}", ticket);
  gw_test_expect_refusal (f->clients, "v", "adminReply", payload, "adminReplyError", "FORBIDDEN");

  gw_test_emit (f->clients, "admin", "adminReply", payload, TRUE);
  reply_ack = gw_test_expect_ack (f->clients, "admin", "adminReply");
  g_assert_true (gw_test_bool_at (reply_ack, "success"));
  reply = gw_test_expect_event (f->clients, "v", "adminMessage");
  g_assert_cmpstr (gw_test_str_at (reply, "ticketId"), ==, ticket);
  g_assert_cmpstr (gw_test_str_at (reply, "from"), ==, "Boss");
  g_assert_cmpstr (gw_test_str_at (reply, "message"), ==, "Refunded");
}

static void
test_gift (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(JsonObject) to_star = NULL;
  g_autoptr(JsonObject) to_fan = NULL;
  g_autoptr(JsonObject) refused = NULL;

  gw_test_connect_as (f->clients, f->jwt, "s", "star", "Star", GW_ROLE_STREAMER);
  gw_test_connect_as (f->clients, f->jwt, "fan", "fan1", "Fan", GW_ROLE_VIEWER);
  gw_test_join (f->clients, "s", "room_1");
  gw_test_join (f->clients, "fan", "room_1");

  gw_test_emit (f->clients, "fan", "sendGift",
        "{\"roomId\":\"room_1\",\"senderId\":\"fan1\",\"senderName\":\"Fan\",\"receiverId\":\"star\","
        "\"receiverName\":\"Star\",\"giftId\":\"rose\",\"giftName\":\"Rose\",\"giftType\":\"flower\","
        "\"giftValue\":10,\"message\":\"for you\",\"timestamp\":\"2026-11-26T12:00:00.000Z\"}", TRUE);
  sent = gw_test_expect_event (f->clients, "fan", "giftSent");
  g_assert_true (gw_test_bool_at (sent, "success"));

  to_star = gw_test_expect_event (f->clients, "s", "newGift");
  to_fan = gw_test_expect_event (f->clients, "fan", "newGift");
  g_assert_cmpstr (gw_test_str_at (to_star, "giftTxId"), ==, gw_test_str_at (sent, "data.giftTxId"));
  g_assert_cmpstr (gw_test_str_at (to_fan, "giftTxId"), ==, gw_test_str_at (sent, "data.giftTxId"));
  g_assert_cmpstr (gw_test_str_at (to_star, "senderId"), ==, "fan1");
  g_assert_cmpstr (gw_test_str_at (to_star, "senderName"), ==, "Fan");
  g_assert_cmpstr (gw_test_str_at (to_star, "receiverId"), ==, "star");
  g_assert_cmpstr (gw_test_str_at (to_star, "giftName"), ==, "Rose");
  /* The catalogue's value, not the 10 the fan sent. */
  g_assert_cmpfloat (json_node_get_double (gw_test_at (to_star, "giftValue")), ==, 1);
  g_assert_cmpint (gw_test_int_at (to_star, "quantity"), ==, 1);
  g_assert_cmpstr (gw_test_str_at (to_star, "animation"), ==, "default");
  g_assert_cmpstr (gw_test_str_at (to_star, "message"), ==, "for you");
  json_object_unref (gw_test_expect_ack (f->clients, "fan", "sendGift"));

  /* A burst of six within a second: the sixth at the latest is refused. */
  for (guint i = 0; i < 6; i++)
    gw_test_emit (f->clients, "fan", "sendGift",
          "{\"roomId\":\"room_1\",\"receiverId\":\"star\",\"giftId\":\"rose\",\"giftName\":\"Rose\","
          "\"giftType\":\"flower\",\"giftValue\":10}", FALSE);
  refused = gw_test_expect_event (f->clients, "fan", "sendGiftError");
  gw_test_assert_failure (refused, "RATE_LIMITED");
  g_assert_nonnull (strstr (gw_test_str_at (refused, "error.message"), "gifts a second"));
}

/* A viewer who stops pinging leaves the room for the others; one who keeps
 * pinging stays. */
static void
test_presence (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(JsonObject) left = NULL;
  gint64 deadline = g_get_monotonic_time () + GW_TEST_WAIT_MS * 1000;

  gw_test_connect_as (f->clients, f->jwt, "a", "alice", "Alice", GW_ROLE_VIEWER);
  gw_test_connect_as (f->clients, f->jwt, "b", "bob", "Bob", GW_ROLE_VIEWER);
  gw_test_join (f->clients, "a", "room_1");
  gw_test_join (f->clients, "b", "room_1");

  while (!gw_test_backlog_has (f->clients, "a", "userLeft"))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      gw_test_emit (f->clients, "a", "viewerPing", "{\"roomId\":\"room_1\"}", FALSE);
      json_object_unref (gw_test_expect_event (f->clients, "a", "viewerPong"));
      test_spin (100);
    }

  left = gw_test_expect_event (f->clients, "a", "userLeft");
  g_assert_cmpstr (gw_test_str_at (left, "userId"), ==, "bob");
  g_assert_cmpint (gw_test_int_at (left, "viewerCount"), ==, 1);

  /* Bob is out of the room now: his ping is refused and he must rejoin. */
  gw_test_expect_refusal (f->clients, "b", "viewerPing", "{\"roomId\":\"room_1\"}", "viewerPingError", "NOT_IN_ROOM");
  gw_test_join (f->clients, "b", "room_1");
}



static void
start_redis (Fixture *f)
{
  /* A restart comes back on the same port, as a real Redis would. */
  if (f->redis_port == 0)
    f->redis_port = test_free_port ();
  f->redis = test_redis_start (f->redis_port, NULL);
}

static void
on_backend_message (GwRedis    *redis,
                    const char *channel,
                    const char *payload,
                    Fixture    *f)
{
  g_ptr_array_add (f->backend_channels, g_strdup (channel));
  g_ptr_array_add (f->backend_payloads, g_strdup (payload));
}

static void
fixture_setup_redis (Fixture       *f,
                     gconstpointer  data)
{
  static const char * const backend_channels[] = { "viewer.join", "viewer.leave", "admin.chat", NULL };

  start_redis (f);
  f->bridge = gw_test_redis_new (f->redis_port);
  f->backend = gw_test_redis_new (f->redis_port);
  f->backend_channels = g_ptr_array_new_with_free_func (g_free);
  f->backend_payloads = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->backend, "message", G_CALLBACK (on_backend_message), f);
  gw_redis_subscribe (f->backend, backend_channels);

  start_gateway (f);
  gw_redis_start (f->bridge);
  gw_redis_start (f->backend);
  gw_test_redis_wait_connected (f->bridge);
  gw_test_redis_wait_connected (f->backend);
}

static void
backend_publish (Fixture    *f,
                 const char *channel,
                 const char *payload)
{
  /* The gateway is subscribed, so someone received it. */
  g_assert_cmpint (gw_test_publish (f->backend, channel, payload), >=, 1);
}

static JsonObject *
wait_backend (Fixture    *f,
              const char *channel)
{
  gint64 deadline = g_get_monotonic_time () + GW_TEST_WAIT_MS * 1000;

  for (;;)
    {
      for (guint i = 0; i < f->backend_channels->len; i++)
        {
          if (strcmp (g_ptr_array_index (f->backend_channels, i), channel) == 0)
            {
              g_autoptr(JsonNode) node = json_from_string (g_ptr_array_index (f->backend_payloads, i), NULL);

              g_assert_nonnull (node);
              return json_object_ref (json_node_get_object (node));
            }
        }
      if (g_get_monotonic_time () > deadline)
        g_error ("nothing was published on %s", channel);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
test_redis (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(JsonObject) join_message = NULL;
  g_autoptr(JsonObject) chat = NULL;
  g_autoptr(JsonObject) gift = NULL;
  g_autoptr(JsonObject) update = NULL;
  g_autoptr(JsonObject) live = NULL;
  g_autoptr(JsonObject) note = NULL;
  g_autoptr(JsonObject) admin_chat = NULL;

  gw_test_connect_as (f->clients, f->jwt, "a", "alice", "Alice", GW_ROLE_VIEWER);
  gw_test_connect_as (f->clients, f->jwt, "other", "olga", "Olga", GW_ROLE_VIEWER);
  gw_test_join (f->clients, "a", "room_1");
  gw_test_join (f->clients, "other", "room_2");

  /* The gateway tells the backend who joined. */
  join_message = wait_backend (f, "viewer.join");
  g_assert_cmpstr (json_object_get_string_member (join_message, "type"), ==, "viewer_join");
  g_assert_true (json_object_has_member (join_message, "timestamp"));

  backend_publish (f, "chat.message",
                   "{\"type\":\"chat_message\",\"messageId\":\"b1\",\"roomId\":\"room_1\",\"userId\":\"sys\","
                   "\"username\":\"System\",\"message\":\"Welcome\",\"messageType\":\"text\","
                   "\"timestamp\":\"2026-11-26T12:00:00.000Z\"}");
  chat = gw_test_expect_event (f->clients, "a", "chatMessageFromBackend");
  g_assert_cmpstr (gw_test_str_at (chat, "type"), ==, "chat_message");
  g_assert_cmpstr (gw_test_str_at (chat, "data.messageId"), ==, "b1");
  g_assert_cmpstr (gw_test_str_at (chat, "data.message"), ==, "Welcome");
  g_assert_cmpstr (gw_test_str_at (chat, "data.roomId"), ==, "room_1");

  backend_publish (f, "gift.send",
                   "{\"type\":\"gift_send\",\"roomId\":\"room_1\",\"giftTxId\":\"t1\",\"giftName\":\"Rose\"}");
  gift = gw_test_expect_event (f->clients, "a", "giftFromBackend");
  g_assert_cmpstr (gw_test_str_at (gift, "type"), ==, "gift_send");
  g_assert_cmpstr (gw_test_str_at (gift, "data.giftTxId"), ==, "t1");

  backend_publish (f, "room.update", "{\"type\":\"room_update\",\"roomId\":\"room_1\",\"title\":\"Tonight\"}");
  update = gw_test_expect_event (f->clients, "a", "roomUpdate");
  g_assert_cmpstr (gw_test_str_at (update, "roomId"), ==, "room_1");
  g_assert_cmpstr (gw_test_str_at (update, "title"), ==, "Tonight");

  backend_publish (f, "stream.start", "{\"type\":\"stream_start\",\"roomId\":\"room_1\"}");
  live = gw_test_expect_event (f->clients, "a", "roomUpdate");
  g_assert_cmpstr (gw_test_str_at (live, "status"), ==, "live");

  /* A notification for alice reaches her, not olga in another room. */
  backend_publish (f, "notification",
                   "{\"id\":\"n1\",\"type\":\"info\",\"title\":\"Hi\",\"message\":\"for alice\",\"userId\":\"alice\"}");
  backend_publish (f, "notification",
                   "{\"id\":\"n2\",\"type\":\"info\",\"title\":\"Hi\",\"message\":\"for everyone\"}");
  note = gw_test_expect_event (f->clients, "a", "notification");
  g_assert_cmpstr (gw_test_str_at (note, "id"), ==, "n1");
  g_clear_pointer (&note, json_object_unref);
  note = gw_test_expect_full (f->clients, "message", "other", "notification", NULL);
  g_assert_cmpstr (gw_test_str_at (note, "id"), ==, "n2");
  g_clear_pointer (&note, json_object_unref);

  /* [ext] Type "system" is the guide's systemNotification. */
  backend_publish (f, "notification",
                   "{\"id\":\"n3\",\"type\":\"system\",\"title\":\"Maintenance\",\"message\":\"at 2:00\"}");
  note = gw_test_expect_event (f->clients, "a", "systemNotification");
  g_assert_cmpstr (gw_test_str_at (note, "id"), ==, "n3");
  g_assert_cmpstr (gw_test_str_at (note, "title"), ==, "Maintenance");

  gw_test_emit (f->clients, "a", "chatWithAdmin", "{\"message\":\"help\",\"supportType\":\"billing\"}", FALSE);
  admin_chat = wait_backend (f, "admin.chat");
  g_assert_cmpstr (json_object_get_string_member (admin_chat, "type"), ==, "admin_chat");
  g_assert_cmpstr (json_object_get_string_member (admin_chat, "supportType"), ==, "billing");
  g_assert_cmpstr (json_object_get_string_member (admin_chat, "userId"), ==, "alice");
}

/* A second gateway process (in this one, with its own Redis link) sharing
 * the first one's Redis. */
static void
start_second_gateway (Fixture *f)
{
  f->gateway2 = gw_test_bridged_gateway (f->jwt, f->redis_port, &f->bridge2, &f->http2, &f->port2);
}

/* No userJoined about USER_ID is waiting for client ID. (Other userJoined
 * lines may be: across two processes, a notice of someone who joined just
 * before ID can reach ID just after its own join.) */
static void
assert_not_announced (Fixture    *f,
                      const char *id,
                      const char *user_id)
{
  for (GList *l = f->clients->backlog.head; l != NULL; l = l->next)
    {
      if (gw_test_line_matches (l->data, "message", id, "userJoined") &&
          g_strcmp0 (gw_test_str_at (l->data, "userId"), user_id) == 0)
        g_error ("client %s was told again that %s joined", id, user_id);
    }
}

/* Two gateways on one Redis behave as one: a room's event reaches every
 * member on either, exactly once, and so does what the backend publishes. */
static void
test_cluster (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *alice = gw_test_mint (f->jwt, "alice", "Alice", GW_ROLE_VIEWER, 900);
  g_autofree char *bob = gw_test_mint (f->jwt, "bob", "Bob", GW_ROLE_VIEWER, 900);
  g_autoptr(JsonObject) to_a = NULL;
  g_autoptr(JsonObject) to_b = NULL;
  g_autoptr(JsonObject) from_backend_a = NULL;
  g_autoptr(JsonObject) from_backend_b = NULL;
  g_autoptr(JsonObject) marker_a = NULL;
  g_autoptr(JsonObject) marker_b = NULL;

  start_second_gateway (f);
  gw_test_connect (f->clients, "a", alice, 0);
  gw_test_connect (f->clients, "b", bob, f->port2);
  gw_test_join (f->clients, "a", "room_1");
  gw_test_join (f->clients, "b", "room_1");

  gw_test_emit (f->clients, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"across gateways\"}", FALSE);
  to_a = gw_test_expect_event (f->clients, "a", "newMessage");
  to_b = gw_test_expect_event (f->clients, "b", "newMessage");
  g_assert_cmpstr (gw_test_str_at (to_b, "message"), ==, "across gateways");
  g_assert_cmpstr (gw_test_str_at (to_b, "messageId"), ==, gw_test_str_at (to_a, "messageId"));

  backend_publish (f, "chat.message",
                   "{\"type\":\"chat_message\",\"messageId\":\"b1\",\"roomId\":\"room_1\",\"message\":\"from the backend\"}");
  from_backend_a = gw_test_expect_event (f->clients, "a", "chatMessageFromBackend");
  from_backend_b = gw_test_expect_event (f->clients, "b", "chatMessageFromBackend");

  /* A gift from alice travels the same way after all of the above: once it
   * is there, any duplicate would have been too. */
  gw_test_emit (f->clients, "a", "sendGift",
        "{\"roomId\":\"room_1\",\"receiverId\":\"bob\",\"giftId\":\"rose\",\"giftName\":\"Rose\","
        "\"giftType\":\"flower\",\"giftValue\":1}", FALSE);
  marker_a = gw_test_expect_event (f->clients, "a", "newGift");
  marker_b = gw_test_expect_event (f->clients, "b", "newGift");
  for (const char **id = (const char *[]) { "a", "b", NULL }; *id != NULL; id++)
    {
      gw_test_assert_no_unclaimed (f->clients, *id, "newMessage");
      gw_test_assert_no_unclaimed (f->clients, *id, "chatMessageFromBackend");
      gw_test_assert_no_unclaimed (f->clients, *id, "newGift");
    }

  /* A newcomer on the second gateway is shown what was said on the first. */
  {
    g_autofree char *carol = gw_test_mint (f->jwt, "carol", "Carol", GW_ROLE_VIEWER, 900);
    g_autoptr(JsonObject) joined = NULL;
    JsonArray *recent;
    gboolean found = FALSE;

    gw_test_connect (f->clients, "c", carol, f->port2);
    gw_test_emit (f->clients, "c", "joinRoom", "{\"roomId\":\"room_1\"}", FALSE);
    joined = gw_test_expect_event (f->clients, "c", "joinedRoom");
    recent = json_node_get_array (gw_test_at (joined, "data.recentMessages"));
    for (guint i = 0; i < json_array_get_length (recent); i++)
      found |= g_strcmp0 (json_object_get_string_member (json_array_get_object_element (recent, i), "messageId"),
                          gw_test_str_at (to_a, "messageId")) == 0;
    g_assert_true (found);
  }

  /* A moderator on the first gateway times bob out on the second: he hears
   * it once, and his sends there are refused; a ban keeps him out there. */
  {
    g_autofree char *mod = gw_test_mint (f->jwt, "mod", "Mod", GW_ROLE_MODERATOR, 900);
    g_autoptr(JsonObject) timed_out = NULL;
    g_autoptr(JsonObject) banned = NULL;

    gw_test_connect (f->clients, "m", mod, 0);
    gw_test_join (f->clients, "m", "room_1");
    gw_test_emit (f->clients, "m", "timeoutUser", "{\"roomId\":\"room_1\",\"userId\":\"bob\",\"seconds\":60}", FALSE);
    timed_out = gw_test_expect_event (f->clients, "b", "userTimedOut");
    g_assert_cmpstr (gw_test_str_at (timed_out, "by"), ==, "Mod");
    gw_test_expect_refusal (f->clients, "b", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"hello?\"}",
                    "sendMessageError", "FORBIDDEN");
    gw_test_assert_no_unclaimed (f->clients, "b", "userTimedOut");

    gw_test_emit (f->clients, "m", "banUser", "{\"roomId\":\"room_1\",\"userId\":\"bob\"}", FALSE);
    banned = gw_test_expect_event (f->clients, "b", "userBanned");
    gw_test_expect_refusal (f->clients, "b", "joinRoom", "{\"roomId\":\"room_1\"}", "joinRoomError", "FORBIDDEN");
  }
}

/* Sends TEXT from client ID to room_1 and waits for the ack, waiting out
 * the user's own rate limit if need be. */
static void
say (Fixture    *f,
     const char *id,
     const char *text)
{
  g_autofree char *payload = g_strdup_printf ("{\"roomId\":\"room_1\",\"message\":\"%s\"}", text);

  for (;;)
    {
      g_autoptr(JsonObject) ack = NULL;

      gw_test_emit (f->clients, id, "sendMessage", payload, TRUE);
      ack = gw_test_expect_ack (f->clients, id, "sendMessage");
      if (gw_test_bool_at (ack, "success"))
        return;
      g_assert_cmpstr (gw_test_str_at (ack, "error.code"), ==, "RATE_LIMITED");
      test_spin ((guint) gw_test_int_at (ack, "error.retryAfterMs") + 20);
    }
}

/* The next newMessage for client ID, which must carry TEXT. */
static void
expect_said (Fixture    *f,
             const char *id,
             const char *text)
{
  g_autoptr(JsonObject) message = gw_test_expect_event (f->clients, id, "newMessage");

  g_assert_cmpstr (gw_test_str_at (message, "message"), ==, text);
}

static void
wait_disconnected (GwRedis *redis)
{
  LD_TEST_WAIT_UNTIL (!gw_redis_get_connected (redis), GW_TEST_WAIT_MS);
}

/* Redis dies under two gateways: each keeps serving its own clients; when
 * Redis is back on its port, the gateways find it again and a room spans
 * both once more, each message arriving exactly once. */
static void
test_redis_outage (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *alice = gw_test_mint (f->jwt, "alice", "Alice", GW_ROLE_VIEWER, 900);
  g_autofree char *bob = gw_test_mint (f->jwt, "bob", "Bob", GW_ROLE_VIEWER, 900);

  start_second_gateway (f);
  gw_test_connect (f->clients, "a", alice, 0);
  gw_test_connect (f->clients, "b", bob, f->port2);
  gw_test_join (f->clients, "a", "room_1");
  gw_test_join (f->clients, "b", "room_1");

  say (f, "a", "before");
  expect_said (f, "a", "before");
  expect_said (f, "b", "before");

  stop_redis (f);
  wait_disconnected (f->bridge);
  wait_disconnected (f->bridge2);

  /* Each gateway still serves its own sockets. */
  say (f, "a", "alone on one");
  expect_said (f, "a", "alone on one");
  say (f, "b", "alone on two");
  expect_said (f, "b", "alone on two");
  gw_test_emit (f->clients, "b", "viewerPing", "{\"roomId\":\"room_1\"}", FALSE);
  json_object_unref (gw_test_expect_event (f->clients, "b", "viewerPong"));

  start_redis (f);
  gw_test_redis_wait_connected (f->bridge);
  gw_test_redis_wait_connected (f->bridge2);

  /* Both ways again, and exactly once: bob's reply comes after alice's
   * message, so a duplicate of hers would already be there. */
  say (f, "a", "after");
  expect_said (f, "a", "after");
  expect_said (f, "b", "after");
  say (f, "b", "welcome back");
  expect_said (f, "b", "welcome back");
  expect_said (f, "a", "welcome back");
  for (const char **id = (const char *[]) { "a", "b", NULL }; *id != NULL; id++)
    gw_test_assert_no_unclaimed (f->clients, *id, "newMessage");

  /* The restarted Redis came back empty; a second tab of bob's, on the
   * first gateway, is still no newcomer to alice. Bob then speaks from the
   * second gateway, after which any such notice would have arrived. */
  {
    g_autoptr(JsonObject) first_notice = gw_test_expect_event (f->clients, "a", "userJoined");

    g_assert_cmpstr (gw_test_str_at (first_notice, "userId"), ==, "bob");
    gw_test_connect (f->clients, "b2", bob, 0);
    gw_test_join (f->clients, "b2", "room_1");
    say (f, "b", "two tabs now");
    expect_said (f, "a", "two tabs now");
    assert_not_announced (f, "a", "bob");
  }
}

/* getRoomInfo from client ID until the room holds WANT viewers on all
 * gateways (presence travels through Redis, so not at once); returns the
 * last answer. */
static JsonObject *
room_info_until (Fixture    *f,
                 const char *id,
                 gint64      want)
{
  gint64 deadline = g_get_monotonic_time () + GW_TEST_WAIT_MS * 1000;

  for (;;)
    {
      g_autoptr(JsonObject) info = NULL;

      gw_test_emit (f->clients, id, "getRoomInfo", "{\"roomId\":\"room_1\"}", FALSE);
      info = gw_test_expect_event (f->clients, id, "roomInfo");
      g_assert_true (gw_test_bool_at (info, "success"));
      if (gw_test_int_at (info, "data.viewerCount") == want)
        {
          g_assert_cmpuint (json_array_get_length (json_node_get_array (gw_test_at (info, "data.viewers"))), ==, want);
          return g_steal_pointer (&info);
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      test_spin (50);
    }
}

static gboolean
has_viewer (JsonObject *info,
            const char *user_id)
{
  JsonArray *viewers = json_node_get_array (gw_test_at (info, "data.viewers"));

  for (guint i = 0; i < json_array_get_length (viewers); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (viewers, i), "userId"), user_id) == 0)
      return TRUE;
  return FALSE;
}

/* Viewers are counted over the whole cluster: alice on the first gateway is
 * in the second one's list and count, and leaves both when she goes. */
static void
test_cluster_presence (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *alice = gw_test_mint (f->jwt, "alice", "Alice", GW_ROLE_VIEWER, 900);
  g_autofree char *bob = gw_test_mint (f->jwt, "bob", "Bob", GW_ROLE_VIEWER, 900);
  g_autofree char *bob2 = gw_test_mint (f->jwt, "bob", "Bob", GW_ROLE_VIEWER, 900);
  g_autoptr(JsonObject) both = NULL;
  g_autoptr(JsonObject) both_from_a = NULL;
  g_autoptr(JsonObject) left = NULL;
  g_autoptr(JsonObject) alone = NULL;
  g_autoptr(JsonObject) pong = NULL;
  g_autoptr(JsonObject) joined = NULL;

  start_second_gateway (f);
  gw_test_connect (f->clients, "a", alice, 0);
  gw_test_connect (f->clients, "b", bob, f->port2);
  gw_test_join (f->clients, "a", "room_1");
  gw_test_join (f->clients, "b", "room_1");

  both = room_info_until (f, "b", 2);
  g_assert_true (has_viewer (both, "alice"));
  g_assert_true (has_viewer (both, "bob"));
  both_from_a = room_info_until (f, "a", 2);
  g_assert_true (has_viewer (both_from_a, "bob"));
  g_clear_pointer (&joined, json_object_unref);
  joined = gw_test_expect_event (f->clients, "a", "userJoined");
  g_assert_cmpstr (gw_test_str_at (joined, "userId"), ==, "bob");
  gw_test_emit (f->clients, "b", "viewerPing", "{\"roomId\":\"room_1\"}", FALSE);
  pong = gw_test_expect_event (f->clients, "b", "viewerPong");
  g_assert_cmpint (gw_test_int_at (pong, "data.viewerCount"), ==, 2);

  /* Bob's second tab, on the first gateway: still two viewers, and nobody
   * is told he joined again. */
  gw_test_connect (f->clients, "b2", bob2, 0);
  gw_test_join (f->clients, "b2", "room_1");
  json_object_unref (room_info_until (f, "a", 2));
  json_object_unref (room_info_until (f, "b", 2));
  assert_not_announced (f, "a", "bob");
  assert_not_announced (f, "b", "bob");

  gw_test_emit (f->clients, "a", "leaveRoom", "{\"roomId\":\"room_1\"}", FALSE);
  left = gw_test_expect_event (f->clients, "b", "userLeft");
  g_assert_cmpstr (gw_test_str_at (left, "userId"), ==, "alice");
  alone = room_info_until (f, "b", 1);
  g_assert_false (has_viewer (alone, "alice"));
  g_clear_pointer (&alone, json_object_unref);
  alone = room_info_until (f, "b2", 1);
  g_assert_false (has_viewer (alone, "alice"));
}

/* getRoomInfo answers for the whole cluster: a room whose only viewer is on
 * the first gateway, asked about on a second one started after the backend
 * set the room's title and took it live, which therefore heard of neither. */
static void
test_cluster_room_info (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *alice = gw_test_mint (f->jwt, "alice", "Alice", GW_ROLE_VIEWER, 900);
  g_autofree char *bob = gw_test_mint (f->jwt, "bob", "Bob", GW_ROLE_VIEWER, 900);
  g_autoptr(JsonObject) info = NULL;
  g_autoptr(JsonObject) live = NULL;
  g_autoptr(JsonObject) empty = NULL;
  g_autoptr(JsonObject) joined = NULL;

  gw_test_connect (f->clients, "a", alice, 0);
  gw_test_join (f->clients, "a", "room_1");
  backend_publish (f, "room.update", "{\"type\":\"room_update\",\"roomId\":\"room_1\",\"title\":\"Tonight\"}");
  json_object_unref (gw_test_expect_event (f->clients, "a", "roomUpdate"));
  backend_publish (f, "stream.start", "{\"type\":\"stream_start\",\"roomId\":\"room_1\"}");
  live = gw_test_expect_event (f->clients, "a", "roomUpdate");
  g_assert_cmpstr (gw_test_str_at (live, "status"), ==, "live");

  start_second_gateway (f);
  gw_test_connect (f->clients, "b", bob, f->port2);
  gw_test_emit (f->clients, "b", "getRoomInfo", "{\"roomId\":\"room_1\"}", TRUE);
  info = gw_test_expect_event (f->clients, "b", "roomInfo");
  g_assert_true (gw_test_bool_at (info, "success"));
  g_assert_cmpstr (gw_test_str_at (info, "data.roomId"), ==, "room_1");
  g_assert_cmpstr (gw_test_str_at (info, "data.title"), ==, "Tonight");
  g_assert_cmpstr (gw_test_str_at (info, "data.status"), ==, "live");
  g_assert_cmpint (gw_test_int_at (info, "data.viewerCount"), ==, 1);
  g_assert_true (has_viewer (info, "alice"));
  g_clear_pointer (&info, json_object_unref);
  info = gw_test_expect_ack (f->clients, "b", "getRoomInfo");
  g_assert_true (gw_test_bool_at (info, "success"));

  /* Joining there, bob is shown the room as it is. */
  gw_test_emit (f->clients, "b", "joinRoom", "{\"roomId\":\"room_1\"}", FALSE);
  joined = gw_test_expect_event (f->clients, "b", "joinedRoom");
  g_assert_cmpstr (gw_test_str_at (joined, "data.title"), ==, "Tonight");
  g_assert_cmpstr (gw_test_str_at (joined, "data.status"), ==, "live");
  g_assert_cmpint (gw_test_int_at (joined, "data.viewerCount"), ==, 2);
  {
    JsonArray *viewers = json_node_get_array (gw_test_at (joined, "data.viewers"));

    for (guint i = 0; i < json_array_get_length (viewers); i++)
      g_assert_cmpuint (json_object_get_size (json_array_get_object_element (viewers, i)), ==, 3);
  }
  gw_test_emit (f->clients, "b", "leaveRoom", "{\"roomId\":\"room_1\"}", TRUE);
  json_object_unref (gw_test_expect_ack (f->clients, "b", "leaveRoom"));

  /* Alice goes: the room is still there (live, titled), with nobody in it. */
  gw_test_emit (f->clients, "a", "leaveRoom", "{\"roomId\":\"room_1\"}", TRUE);
  json_object_unref (gw_test_expect_ack (f->clients, "a", "leaveRoom"));
  empty = room_info_until (f, "b", 0);
  g_assert_cmpstr (gw_test_str_at (empty, "data.status"), ==, "live");

  /* A room nobody anywhere knows of is still not found. */
  gw_test_expect_refusal (f->clients, "b", "getRoomInfo", "{\"roomId\":\"nowhere\"}", "getRoomInfoError",
                          "ROOM_NOT_FOUND");
}

/* Bob has a tab on each gateway; both tabs join room_1 at the same moment,
 * then leave it at the same moment (with leaveRoom, or every other round by
 * closing both tabs), twenty times over. Carol, watching on the first
 * gateway, must hear exactly one userJoined and one userLeft about him each
 * time: whichever process's word reaches the other first, the cluster says
 * "first in" and "last out" once. */
static void
test_cluster_presence_race (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *carol = gw_test_mint (f->jwt, "carol", "Carol", GW_ROLE_VIEWER, 900);
  g_autofree char *dan = gw_test_mint (f->jwt, "dan", "Dan", GW_ROLE_VIEWER, 900);
  g_autofree char *bob = gw_test_mint (f->jwt, "bob", "Bob", GW_ROLE_VIEWER, 900);
  g_autoptr(JsonObject) dan_joined = NULL;

  start_second_gateway (f);
  gw_test_connect (f->clients, "c", carol, 0);
  gw_test_join (f->clients, "c", "room_1");
  gw_test_connect (f->clients, "d", dan, f->port2);
  gw_test_join (f->clients, "d", "room_1");
  dan_joined = gw_test_expect_event (f->clients, "c", "userJoined");
  g_assert_cmpstr (gw_test_str_at (dan_joined, "userId"), ==, "dan");
  gw_test_connect (f->clients, "b1", bob, 0);
  gw_test_connect (f->clients, "b2", bob, f->port2);

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(JsonObject) joined = NULL;
      g_autoptr(JsonObject) left = NULL;

      g_test_message ("round %u", round);
      gw_test_emit (f->clients, "b1", "joinRoom", "{\"roomId\":\"room_1\"}", FALSE);
      gw_test_emit (f->clients, "b2", "joinRoom", "{\"roomId\":\"room_1\"}", FALSE);
      json_object_unref (gw_test_expect_event (f->clients, "b1", "joinedRoom"));
      json_object_unref (gw_test_expect_event (f->clients, "b2", "joinedRoom"));
      joined = gw_test_expect_full (f->clients, "message", "c", "userJoined", "userLeft");
      g_assert_cmpstr (gw_test_str_at (joined, "userId"), ==, "bob");

      if (round % 2 == 0)
        {
          gw_test_emit (f->clients, "b1", "leaveRoom", "{\"roomId\":\"room_1\"}", FALSE);
          gw_test_emit (f->clients, "b2", "leaveRoom", "{\"roomId\":\"room_1\"}", FALSE);
        }
      else
        {
          test_peer_send (f->clients->peer, "{\"cmd\":\"disconnect\",\"id\":\"b1\"}");
          test_peer_send (f->clients->peer, "{\"cmd\":\"disconnect\",\"id\":\"b2\"}");
        }
      left = gw_test_expect_full (f->clients, "message", "c", "userLeft", "userJoined");
      g_assert_cmpstr (gw_test_str_at (left, "userId"), ==, "bob");

      if (round % 2 == 1)
        {
          json_object_unref (gw_test_expect_full (f->clients, "disconnect", "b1", NULL, NULL));
          json_object_unref (gw_test_expect_full (f->clients, "disconnect", "b2", NULL, NULL));
          gw_test_connect (f->clients, "b1", bob, 0);
          gw_test_connect (f->clients, "b2", bob, f->port2);
        }
    }

  /* Dan speaks from the second gateway: anything it announced before has
   * reached Carol by the time his message does. */
  say (f, "d", "that was a lot of coming and going");
  expect_said (f, "c", "that was a lot of coming and going");
  gw_test_assert_no_unclaimed (f->clients, "c", "userJoined");
  gw_test_assert_no_unclaimed (f->clients, "c", "userLeft");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/gw/gateway/auth", Fixture, NULL, fixture_setup, test_auth, fixture_teardown);
  g_test_add ("/gw/gateway/token-expires", Fixture, NULL, fixture_setup, test_token_expires, fixture_teardown);
  g_test_add ("/gw/gateway/join-per-user", Fixture, NULL, fixture_setup, test_join_per_user, fixture_teardown);
  g_test_add ("/gw/gateway/chat", Fixture, NULL, fixture_setup, test_chat, fixture_teardown);
  g_test_add ("/gw/gateway/validation", Fixture, NULL, fixture_setup, test_validation, fixture_teardown);
  g_test_add ("/gw/gateway/rate-limit", Fixture, NULL, fixture_setup, test_rate_limit, fixture_teardown);
  g_test_add ("/gw/gateway/moderation", Fixture, NULL, fixture_setup, test_moderation, fixture_teardown);
  g_test_add ("/gw/gateway/admin-support", Fixture, NULL, fixture_setup, test_admin_support, fixture_teardown);
  g_test_add ("/gw/gateway/presence", Fixture, NULL, fixture_setup_fast_presence, test_presence, fixture_teardown);
  g_test_add ("/gw/gateway/gift", Fixture, NULL, fixture_setup, test_gift, fixture_teardown);
  g_test_add ("/gw/gateway/redis", Fixture, NULL, fixture_setup_redis, test_redis, fixture_teardown);
  g_test_add ("/gw/gateway/cluster", Fixture, NULL, fixture_setup_redis, test_cluster, fixture_teardown);
  g_test_add ("/gw/gateway/cluster-presence", Fixture, NULL, fixture_setup_redis, test_cluster_presence,
              fixture_teardown);
  g_test_add ("/gw/gateway/cluster-room-info", Fixture, NULL, fixture_setup_redis, test_cluster_room_info,
              fixture_teardown);
  g_test_add ("/gw/gateway/cluster-presence-race", Fixture, NULL, fixture_setup_redis, test_cluster_presence_race,
              fixture_teardown);
  g_test_add ("/gw/gateway/redis-outage", Fixture, NULL, fixture_setup_redis, test_redis_outage, fixture_teardown);

  return g_test_run ();
}
