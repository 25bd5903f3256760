/* test-gw-gateway.c: the livestream contract as the official socket.io-client
 * sees it (tests/peers/gateway-peer.mjs), against GwGateway on a free port;
 * the Redis bridge against a real redis-server started here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <string.h>

#include "gw-gateway.h"
#include "gw-jwt.h"
#include "gw-redis.h"
#include "test-peer.h"
#include "test-redis.h"

#define SECRET "test-gateway-secret-0123456789abcdef"
#define WAIT_MS 15000

typedef struct
{
  SoupServer  *http;
  GwJwt       *jwt;
  GwGateway   *gateway;
  TestPeer    *peer;
  GQueue       backlog;   /* JsonObject lines not yet asked for */
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

static char *
mint (Fixture    *f,
      const char *user_id,
      const char *name,
      GwRole      role,
      gint64      ttl)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GwJwtClaims) claims = gw_jwt_claims_new (user_id, name, role, now, now + ttl);
  g_autoptr(GError) error = NULL;
  char *token = gw_jwt_sign (f->jwt, claims, &error);

  g_assert_no_error (error);
  return token;
}

static void
start_gateway (Fixture *f)
{
  g_autoptr(GBytes) secret = g_bytes_new_static (SECRET, strlen (SECRET));
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *port = NULL;

  f->jwt = gw_jwt_new (secret, &error);
  g_assert_no_error (error);
  f->gateway = gw_gateway_new (f->jwt);
  if (f->presence_timeout != 0)
    gw_gateway_set_presence_timeout (f->gateway, f->presence_timeout);
  if (f->bridge != NULL)
    gw_gateway_set_redis (f->gateway, f->bridge);
  f->http = soup_server_new (NULL, NULL);
  gw_gateway_attach (f->gateway, f->http, NULL);
  soup_server_listen_local (f->http, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->http);
  port = g_strdup_printf ("%d", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  f->peer = test_peer_start ("gateway-peer.mjs", port, NULL);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_queue_init (&f->backlog);
  start_gateway (f);
}

static void
fixture_setup_fast_presence (Fixture       *f,
                             gconstpointer  data)
{
  g_queue_init (&f->backlog);
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
  g_clear_pointer (&f->peer, test_peer_free);
  if (f->gateway2 != NULL)
    {
      gw_gateway_close (f->gateway2);
      g_assert_finalize_object (f->gateway2);
      soup_server_disconnect (f->http2);
      g_clear_object (&f->http2);
      g_clear_object (&f->bridge2);
    }
  gw_gateway_close (f->gateway);
  g_assert_finalize_object (f->gateway);
  soup_server_disconnect (f->http);
  g_clear_object (&f->http);
  g_clear_object (&f->jwt);
  g_clear_object (&f->bridge);
  g_clear_object (&f->backend);
  stop_redis (f);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_queue_clear_full (&f->backlog, (GDestroyNotify) json_object_unref);
  g_clear_pointer (&f->backend_channels, g_ptr_array_unref);
  g_clear_pointer (&f->backend_payloads, g_ptr_array_unref);
}

static gboolean
line_matches (JsonObject *line,
              const char *kind,
              const char *id,
              const char *name)
{
  return g_strcmp0 (json_object_get_string_member_with_default (line, "event", NULL), kind) == 0 &&
         g_strcmp0 (json_object_get_string_member_with_default (line, "id", NULL), id) == 0 &&
         (name == NULL || g_strcmp0 (json_object_get_string_member_with_default (line, "name", NULL), name) == 0);
}

/* The first line not yet claimed of KIND for client ID (and event NAME, if
 * given). One named FORBID for that client before it fails the test: what a
 * user would have seen in between matters. */
static JsonObject *
expect_full (Fixture    *f,
             const char *kind,
             const char *id,
             const char *name,
             const char *forbid)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;
  GList *l = f->backlog.head;

  for (;;)
    {
      JsonObject *line;

      if (l == NULL)
        {
          gint64 left = (deadline - g_get_monotonic_time ()) / 1000;

          line = left > 0 ? test_peer_next (f->peer, left) : NULL;
          if (line == NULL)
            {
              for (GList *b = f->backlog.head; b != NULL; b = b->next)
                {
                  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), b->data);
                  g_autofree char *text = json_to_string (node, FALSE);

                  g_printerr ("# unclaimed: %s\n", text);
                }
              g_error ("client %s never got %s %s", id, kind, name ? name : "");
            }
          g_queue_push_tail (&f->backlog, line);
          l = f->backlog.tail;
        }

      line = l->data;
      if (g_strcmp0 (json_object_get_string_member_with_default (line, "event", NULL), "error") == 0)
        g_error ("the peer failed: %s", json_object_get_string_member_with_default (line, "message", "?"));

      if (line_matches (line, kind, id, name))
        {
          g_queue_unlink (&f->backlog, l);
          g_list_free_1 (l);
          return line;
        }

      if (forbid != NULL && line_matches (line, "message", id, forbid))
        g_error ("client %s got %s before %s", id, forbid, name);

      l = l->next;
    }
}

static JsonObject *
expect_event (Fixture    *f,
              const char *id,
              const char *name)
{
  return expect_full (f, "message", id, name, NULL);
}

static JsonObject *
expect_ack (Fixture    *f,
            const char *id,
            const char *name)
{
  return expect_full (f, "ack", id, name, NULL);
}

/* A member of LINE's payload by a dotted path ("data.viewers"). */
static JsonNode *
at (JsonObject *line,
    const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = json_object_get_member (line, "payload");

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        return NULL;
      node = json_object_get_member (json_node_get_object (node), parts[i]);
    }

  return node;
}

static const char *
str_at (JsonObject *line,
        const char *path)
{
  JsonNode *node = at (line, path);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autoptr(JsonNode) whole = json_node_init_object (json_node_alloc (), line);

      g_error ("no string at %s in %s", path, json_to_string (whole, FALSE));
    }
  return json_node_get_string (node);
}

static gint64
int_at (JsonObject *line,
        const char *path)
{
  JsonNode *node = at (line, path);

  g_assert_nonnull (node);
  return json_node_get_int (node);
}

static gboolean
bool_at (JsonObject *line,
         const char *path)
{
  JsonNode *node = at (line, path);

  g_assert_nonnull (node);
  return json_node_get_boolean (node);
}

static void
assert_iso_timestamp (const char *text)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (text, NULL);

  g_assert_nonnull (when);
  g_assert_true (g_str_has_suffix (text, "Z"));
}

static void
emit (Fixture    *f,
      const char *id,
      const char *name,
      const char *payload,
      gboolean    ack)
{
  test_peer_send (f->peer, "{\"cmd\":\"emit\",\"id\":\"%s\",\"name\":\"%s\",\"payload\":%s,\"ack\":%s}",
                  id, name, payload, ack ? "true" : "false");
}

/* Connects client ID to the gateway on PORT (0: the first one), with TOKEN
 * in the CONNECT packet's auth if given. */
static void
connect_client_to (Fixture    *f,
                   const char *id,
                   const char *token,
                   guint       port)
{
  g_autoptr(JsonObject) connected = NULL;
  g_autofree char *port_member = port != 0 ? g_strdup_printf (",\"port\":%u", port) : g_strdup ("");

  if (token != NULL)
    test_peer_send (f->peer, "{\"cmd\":\"connect\",\"id\":\"%s\",\"auth\":{\"token\":\"%s\"}%s}",
                    id, token, port_member);
  else
    test_peer_send (f->peer, "{\"cmd\":\"connect\",\"id\":\"%s\"%s}", id, port_member);

  json_object_unref (expect_full (f, "connect", id, NULL, NULL));
  connected = expect_event (f, id, "connected");
  g_assert_cmpstr (str_at (connected, "socketId"), !=, "");
  assert_iso_timestamp (str_at (connected, "serverTime"));
  if (token != NULL)
    json_object_unref (expect_event (f, id, "authSuccess"));
}

static void
connect_client (Fixture    *f,
                const char *id,
                const char *token)
{
  connect_client_to (f, id, token, 0);
}

static void
connect_as (Fixture    *f,
            const char *id,
            const char *user_id,
            const char *name,
            GwRole      role)
{
  g_autofree char *token = mint (f, user_id, name, role, 900);

  connect_client (f, id, token);
}

static void
join (Fixture    *f,
      const char *id,
      const char *room_id)
{
  g_autofree char *payload = g_strdup_printf ("{\"roomId\":\"%s\"}", room_id);
  g_autoptr(JsonObject) joined = NULL;

  emit (f, id, "joinRoom", payload, FALSE);
  joined = expect_event (f, id, "joinedRoom");
  g_assert_true (bool_at (joined, "success"));
  g_assert_cmpstr (str_at (joined, "data.roomId"), ==, room_id);
}

static void
assert_failure (JsonObject *line,
                const char *code)
{
  g_assert_false (bool_at (line, "success"));
  g_assert_cmpstr (str_at (line, "error.code"), ==, code);
  g_assert_cmpstr (str_at (line, "error.message"), !=, "");
}

/* Emits with an ack and checks that the refusal came both ways. */
static void
expect_refusal (Fixture    *f,
                const char *id,
                const char *name,
                const char *payload,
                const char *error_event,
                const char *code)
{
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(JsonObject) ack = NULL;

  emit (f, id, name, payload, TRUE);
  event = expect_event (f, id, error_event);
  assert_failure (event, code);
  ack = expect_ack (f, id, name);
  assert_failure (ack, code);
}

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *token = mint (f, "alice", "Alice Nguyễn", GW_ROLE_VIEWER, 900);
  g_autofree char *expired = mint (f, "alice", "Alice", GW_ROLE_VIEWER, -3600);
  g_autofree char *payload = NULL;
  g_autoptr(JsonObject) required = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) failed = NULL;
  g_autoptr(JsonObject) success = NULL;
  g_autoptr(GDateTime) expires = NULL;

  connect_client (f, "a", NULL);

  /* Before authenticate: authRequired, and the ack says UNAUTHENTICATED. */
  emit (f, "a", "joinRoom", "{\"roomId\":\"room_1\"}", TRUE);
  required = expect_event (f, "a", "authRequired");
  g_assert_cmpstr (str_at (required, "action"), ==, "joinRoom");
  ack = expect_ack (f, "a", "joinRoom");
  assert_failure (ack, "UNAUTHENTICATED");

  emit (f, "a", "authenticate", "{\"token\":\"not.a.token\",\"userId\":\"alice\"}", FALSE);
  failed = expect_event (f, "a", "authFailed");
  assert_failure (failed, "UNAUTHENTICATED");
  g_clear_pointer (&failed, json_object_unref);

  payload = g_strdup_printf ("{\"token\":\"%s\",\"userId\":\"alice\"}", expired);
  emit (f, "a", "authenticate", payload, FALSE);
  failed = expect_event (f, "a", "authFailed");
  assert_failure (failed, "TOKEN_EXPIRED");
  g_clear_pointer (&failed, json_object_unref);
  g_clear_pointer (&payload, g_free);

  /* A token of alice's presented as bob's. */
  payload = g_strdup_printf ("{\"token\":\"%s\",\"userId\":\"bob\"}", token);
  emit (f, "a", "authenticate", payload, FALSE);
  failed = expect_event (f, "a", "authFailed");
  assert_failure (failed, "UNAUTHENTICATED");
  g_clear_pointer (&payload, g_free);

  payload = g_strdup_printf ("{\"token\":\"%s\",\"userId\":\"alice\",\"timestamp\":\"2026-01-01T00:00:00.000Z\"}", token);
  emit (f, "a", "authenticate", payload, TRUE);
  success = expect_event (f, "a", "authSuccess");
  g_assert_cmpstr (str_at (success, "userId"), ==, "alice");
  g_assert_cmpstr (str_at (success, "username"), ==, "Alice Nguyễn");
  g_assert_cmpstr (str_at (success, "role"), ==, "viewer");
  expires = g_date_time_new_from_iso8601 (str_at (success, "expiresAt"), NULL);
  g_assert_nonnull (expires);
  g_assert_cmpint (g_date_time_to_unix (expires), >, g_get_real_time () / G_USEC_PER_SEC + 800);
  g_clear_pointer (&ack, json_object_unref);
  ack = expect_ack (f, "a", "authenticate");
  g_assert_cmpstr (str_at (ack, "userId"), ==, "alice");

  /* Now the same event goes through. */
  join (f, "a", "room_1");

  /* The token in the CONNECT packet's auth is enough on its own [ext]. */
  connect_client (f, "b", token);
  join (f, "b", "room_1");
}

static void
test_token_expires (Fixture       *f,
                    gconstpointer  data)
{
  /* Valid for three more seconds (plus the verifier's leeway, which the
   * expiry timer does not give): time enough to join on a busy machine. */
  g_autofree char *token = mint (f, "alice", "Alice", GW_ROLE_VIEWER, 3);
  g_autoptr(JsonObject) expired = NULL;
  g_autoptr(JsonObject) required = NULL;

  connect_client (f, "a", token);
  join (f, "a", "room_1");

  expired = expect_event (f, "a", "tokenExpired");
  g_assert_cmpstr (str_at (expired, "message"), !=, "");
  assert_iso_timestamp (str_at (expired, "expiredAt"));

  emit (f, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"hi\"}", FALSE);
  required = expect_event (f, "a", "authRequired");
  g_assert_cmpstr (str_at (required, "action"), ==, "sendMessage");
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

  connect_as (f, "a", "alice", "Alice", GW_ROLE_VIEWER);
  connect_as (f, "b", "bob", "Bob", GW_ROLE_MODERATOR);
  connect_as (f, "a2", "alice", "Alice", GW_ROLE_VIEWER);

  join (f, "a", "room_1");

  emit (f, "b", "joinRoom", "{\"roomId\":\"room_1\",\"userId\":\"bob\",\"username\":\"Bob\"}", FALSE);
  joined = expect_event (f, "b", "joinedRoom");
  g_assert_cmpint (int_at (joined, "data.viewerCount"), ==, 2);
  viewers = json_node_get_array (at (joined, "data.viewers"));
  g_assert_cmpuint (json_array_get_length (viewers), ==, 2);
  /* Staff first. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (viewers, 0), "userId"), ==, "bob");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (viewers, 0), "role"), ==, "moderator");

  user_joined = expect_event (f, "a", "userJoined");
  g_assert_cmpstr (str_at (user_joined, "roomId"), ==, "room_1");
  g_assert_cmpstr (str_at (user_joined, "userId"), ==, "bob");
  g_assert_cmpstr (str_at (user_joined, "username"), ==, "Bob");
  g_assert_cmpstr (str_at (user_joined, "role"), ==, "moderator");
  g_assert_cmpint (int_at (user_joined, "viewerCount"), ==, 2);

  /* Alice's second tab: still two viewers, and bob sees no userJoined. */
  join (f, "a2", "room_1");
  emit (f, "a2", "getRoomInfo", "{\"roomId\":\"room_1\"}", FALSE);
  info = expect_event (f, "a2", "roomInfo");
  g_assert_cmpint (int_at (info, "data.viewerCount"), ==, 2);

  /* Closing one of alice's tabs: no userLeft either. */
  test_peer_send (f->peer, "{\"cmd\":\"disconnect\",\"id\":\"a2\"}");
  json_object_unref (expect_full (f, "disconnect", "a2", NULL, NULL));
  emit (f, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"still here\"}", FALSE);
  message = expect_full (f, "message", "b", "newMessage", "userJoined");
  g_clear_pointer (&message, json_object_unref);

  /* Her last tab: now bob sees userLeft. */
  test_peer_send (f->peer, "{\"cmd\":\"disconnect\",\"id\":\"a\"}");
  user_left = expect_full (f, "message", "b", "userLeft", NULL);
  g_assert_cmpstr (str_at (user_left, "userId"), ==, "alice");
  g_assert_cmpint (int_at (user_left, "viewerCount"), ==, 1);

  expect_refusal (f, "b", "getRoomInfo", "{\"roomId\":\"nowhere\"}", "getRoomInfoError", "ROOM_NOT_FOUND");
  expect_refusal (f, "b", "leaveRoom", "{\"roomId\":\"nowhere\"}", "leaveRoomError", "NOT_IN_ROOM");
  expect_refusal (f, "b", "joinRoom", "{\"roomId\":\"room 1\"}", "joinRoomError", "INVALID_PAYLOAD");
  expect_refusal (f, "b", "joinRoom", "\"room_1\"", "joinRoomError", "INVALID_PAYLOAD");
  expect_refusal (f, "b", "joinRoom", "{\"roomId\":\"room_1\",\"userId\":\"alice\"}", "joinRoomError", "FORBIDDEN");
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

  connect_as (f, "a", "alice", "Alice", GW_ROLE_VIEWER);
  connect_as (f, "b", "bob", "Bob", GW_ROLE_VIEWER);
  join (f, "a", "room_1");
  join (f, "b", "room_1");

  emit (f, "a", "sendMessage",
        "{\"roomId\":\"room_1\",\"userId\":\"alice\",\"username\":\"Alice\",\"message\":\"  Xin chào <b>mọi người</b> \","
        "\"timestamp\":\"2026-11-26T12:00:00.000Z\"}", TRUE);
  sent = expect_event (f, "a", "messageSent");
  g_assert_true (bool_at (sent, "success"));
  message_id = str_at (sent, "data.messageId");
  g_assert_cmpstr (message_id, !=, "");
  ack = expect_ack (f, "a", "sendMessage");
  g_assert_cmpstr (str_at (ack, "data.messageId"), ==, message_id);

  /* Everyone in the room gets it, the sender included, sanitised. */
  to_a = expect_event (f, "a", "newMessage");
  to_b = expect_event (f, "b", "newMessage");
  for (JsonObject **m = (JsonObject *[]) { to_a, to_b, NULL }; *m != NULL; m++)
    {
      g_assert_cmpstr (str_at (*m, "messageId"), ==, message_id);
      g_assert_cmpstr (str_at (*m, "roomId"), ==, "room_1");
      g_assert_cmpstr (str_at (*m, "userId"), ==, "alice");
      g_assert_cmpstr (str_at (*m, "username"), ==, "Alice");
      g_assert_cmpstr (str_at (*m, "role"), ==, "viewer");
      g_assert_cmpstr (str_at (*m, "message"), ==, "Xin chào bmọi người/b");
      g_assert_cmpstr (str_at (*m, "messageType"), ==, "text");
      assert_iso_timestamp (str_at (*m, "timestamp"));
    }

  emit (f, "b", "viewerPing", "{\"roomId\":\"room_1\",\"userId\":\"bob\",\"username\":\"Bob\",\"timestamp\":\"x\"}", FALSE);
  pong = expect_event (f, "b", "viewerPong");
  g_assert_cmpint (int_at (pong, "data.viewerCount"), ==, 2);
  g_assert_cmpstr (str_at (pong, "data.roomId"), ==, "room_1");

  emit (f, "b", "sendImageMessage",
        "{\"roomId\":\"room_1\",\"imageUrl\":\"https://i.imgur.com/cat.png\",\"messageType\":\"image\"}", FALSE);
  image = expect_event (f, "a", "newMessage");
  g_assert_cmpstr (str_at (image, "messageType"), ==, "image");
  g_assert_cmpstr (str_at (image, "imageUrl"), ==, "https://i.imgur.com/cat.png");
  g_assert_cmpstr (str_at (image, "userId"), ==, "bob");

  /* A newcomer is shown what was said. */
  connect_as (f, "c", "carol", "Carol", GW_ROLE_VIEWER);
  emit (f, "c", "joinRoom", "{\"roomId\":\"room_1\"}", FALSE);
  joined = expect_event (f, "c", "joinedRoom");
  {
    JsonArray *recent = json_node_get_array (at (joined, "data.recentMessages"));

    g_assert_cmpuint (json_array_get_length (recent), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (recent, 0), "messageId"),
                     ==, str_at (to_a, "messageId"));
  }
}

static void
test_validation (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GString) long_text = g_string_new ("{\"roomId\":\"room_1\",\"message\":\"");

  connect_as (f, "a", "alice", "Alice", GW_ROLE_VIEWER);
  join (f, "a", "room_1");

  for (guint i = 0; i < 501; i++)
    g_string_append (long_text, "ố");
  g_string_append (long_text, "\"}");

  expect_refusal (f, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"   \"}", "sendMessageError", "EMPTY_MESSAGE");
  expect_refusal (f, "a", "sendMessage", long_text->str, "sendMessageError", "MESSAGE_TOO_LONG");
  expect_refusal (f, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"<script>alert(1)</script>\"}",
                  "sendMessageError", "FORBIDDEN_CONTENT");
  expect_refusal (f, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":42}", "sendMessageError", "INVALID_PAYLOAD");
  expect_refusal (f, "a", "sendMessage", "{\"roomId\":\"room-1\",\"message\":\"hi\"}", "sendMessageError", "INVALID_PAYLOAD");
  expect_refusal (f, "a", "sendMessage", "{\"roomId\":\"room_2\",\"message\":\"hi\"}", "sendMessageError", "NOT_IN_ROOM");
  expect_refusal (f, "a", "sendMessage", "{\"roomId\":\"room_1\",\"userId\":\"bob\",\"message\":\"hi\"}",
                  "sendMessageError", "FORBIDDEN");
  expect_refusal (f, "a", "sendImageMessage", "{\"roomId\":\"room_1\",\"imageUrl\":\"https://evil.example/a.png\"}",
                  "sendMessageError", "INVALID_IMAGE_URL");
  expect_refusal (f, "a", "sendGift",
                  "{\"roomId\":\"room_1\",\"receiverId\":\"star\",\"giftId\":\"g1\",\"giftName\":\"Rose\","
                  "\"giftType\":\"flower\",\"giftValue\":10,\"quantity\":500}",
                  "sendGiftError", "INVALID_GIFT");
  expect_refusal (f, "a", "chatWithAdmin", "{\"message\":\"\"}", "chatWithAdminError", "EMPTY_MESSAGE");
}

static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(JsonObject) refused = NULL;
  gint64 retry;

  connect_as (f, "a", "alice", "Alice", GW_ROLE_VIEWER);
  join (f, "a", "room_1");

  emit (f, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"one\"}", FALSE);
  emit (f, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"two\"}", FALSE);
  sent = expect_event (f, "a", "messageSent");
  refused = expect_event (f, "a", "sendMessageError");
  assert_failure (refused, "RATE_LIMITED");
  /* The user is told when they may send again. */
  retry = int_at (refused, "error.retryAfterMs");
  g_assert_cmpint (retry, >, 0);
  g_assert_cmpint (retry, <=, 1000);
  g_assert_nonnull (strstr (str_at (refused, "error.message"), "a second"));
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

  connect_as (f, "m", "mod", "Mod", GW_ROLE_MODERATOR);
  connect_as (f, "v", "viewer1", "Viewer", GW_ROLE_VIEWER);
  join (f, "m", "room_1");
  join (f, "v", "room_1");

  emit (f, "v", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"spam\"}", FALSE);
  sent = expect_event (f, "v", "messageSent");

  /* Viewers may not moderate. */
  expect_refusal (f, "v", "deleteMessage", "{\"roomId\":\"room_1\",\"messageId\":\"x\"}",
                  "deleteMessageError", "FORBIDDEN");
  expect_refusal (f, "v", "timeoutUser", "{\"roomId\":\"room_1\",\"userId\":\"mod\",\"seconds\":60}",
                  "timeoutUserError", "FORBIDDEN");

  payload = g_strdup_printf ("{\"roomId\":\"room_1\",\"messageId\":\"%s\"}", str_at (sent, "data.messageId"));
  emit (f, "m", "deleteMessage", payload, TRUE);
  ack = expect_ack (f, "m", "deleteMessage");
  g_assert_true (bool_at (ack, "success"));
  deleted = expect_event (f, "v", "messageDeleted");
  g_assert_cmpstr (str_at (deleted, "messageId"), ==, str_at (sent, "data.messageId"));
  g_assert_cmpstr (str_at (deleted, "by"), ==, "Mod");

  emit (f, "m", "timeoutUser", "{\"roomId\":\"room_1\",\"userId\":\"viewer1\",\"seconds\":60,\"reason\":\"spam\"}", FALSE);
  timed_out = expect_event (f, "v", "userTimedOut");
  g_assert_cmpstr (str_at (timed_out, "userId"), ==, "viewer1");
  g_assert_cmpint (int_at (timed_out, "seconds"), ==, 60);
  g_assert_cmpstr (str_at (timed_out, "reason"), ==, "spam");

  /* Timed out: every send to the room is FORBIDDEN. */
  expect_refusal (f, "v", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"let me talk\"}",
                  "sendMessageError", "FORBIDDEN");
  expect_refusal (f, "v", "sendGift",
                  "{\"roomId\":\"room_1\",\"receiverId\":\"mod\",\"giftId\":\"g1\",\"giftName\":\"Rose\","
                  "\"giftType\":\"flower\",\"giftValue\":10}", "sendGiftError", "FORBIDDEN");

  /* A ban: the room hears it, the user is out and cannot come back. */
  emit (f, "m", "banUser", "{\"roomId\":\"room_1\",\"userId\":\"viewer1\",\"reason\":\"again\"}", FALSE);
  banned = expect_event (f, "v", "userBanned");
  g_assert_cmpstr (str_at (banned, "reason"), ==, "again");
  left = expect_event (f, "m", "userLeft");
  g_assert_cmpstr (str_at (left, "userId"), ==, "viewer1");
  expect_refusal (f, "v", "joinRoom", "{\"roomId\":\"room_1\"}", "joinRoomError", "FORBIDDEN");

  emit (f, "m", "unbanUser", "{\"roomId\":\"room_1\",\"userId\":\"viewer1\"}", FALSE);
  unbanned = expect_event (f, "m", "userUnbanned");
  g_assert_cmpstr (str_at (unbanned, "userId"), ==, "viewer1");
  join (f, "v", "room_1");
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

  connect_as (f, "admin", "boss", "Boss", GW_ROLE_ADMIN);
  connect_as (f, "v", "viewer1", "Viewer One", GW_ROLE_VIEWER);

  emit (f, "v", "chatWithAdmin", "{\"userId\":\"viewer1\",\"username\":\"Viewer One\",\"message\":\"I was charged twice\"}", TRUE);
  ack = expect_ack (f, "v", "chatWithAdmin");
  g_assert_true (bool_at (ack, "success"));
  ticket = str_at (ack, "data.ticketId");

  chat = expect_event (f, "admin", "adminChat");
  g_assert_cmpstr (str_at (chat, "ticketId"), ==, ticket);
  g_assert_cmpstr (str_at (chat, "userId"), ==, "viewer1");
  g_assert_cmpstr (str_at (chat, "username"), ==, "Viewer One");
  g_assert_cmpstr (str_at (chat, "message"), ==, "I was charged twice");
  g_assert_cmpstr (str_at (chat, "supportType"), ==, "general");

  /* Only admins answer. */
  payload = g_strdup_printf ("{\"ticketId\":\"%s\",\"userId\":\"viewer1\",\"message\":\"Refunded\"}", ticket);
  expect_refusal (f, "v", "adminReply", payload, "adminReplyError", "FORBIDDEN");

  emit (f, "admin", "adminReply", payload, TRUE);
  reply_ack = expect_ack (f, "admin", "adminReply");
  g_assert_true (bool_at (reply_ack, "success"));
  reply = expect_event (f, "v", "adminMessage");
  g_assert_cmpstr (str_at (reply, "ticketId"), ==, ticket);
  g_assert_cmpstr (str_at (reply, "from"), ==, "Boss");
  g_assert_cmpstr (str_at (reply, "message"), ==, "Refunded");
}

static void
test_gift (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(JsonObject) to_star = NULL;
  g_autoptr(JsonObject) to_fan = NULL;
  g_autoptr(JsonObject) refused = NULL;

  connect_as (f, "s", "star", "Star", GW_ROLE_STREAMER);
  connect_as (f, "fan", "fan1", "Fan", GW_ROLE_VIEWER);
  join (f, "s", "room_1");
  join (f, "fan", "room_1");

  emit (f, "fan", "sendGift",
        "{\"roomId\":\"room_1\",\"senderId\":\"fan1\",\"senderName\":\"Fan\",\"receiverId\":\"star\","
        "\"receiverName\":\"Star\",\"giftId\":\"g1\",\"giftName\":\"Rose\",\"giftType\":\"flower\","
        "\"giftValue\":10,\"message\":\"for you\",\"timestamp\":\"2026-11-26T12:00:00.000Z\"}", TRUE);
  sent = expect_event (f, "fan", "giftSent");
  g_assert_true (bool_at (sent, "success"));

  to_star = expect_event (f, "s", "newGift");
  to_fan = expect_event (f, "fan", "newGift");
  g_assert_cmpstr (str_at (to_star, "giftTxId"), ==, str_at (sent, "data.giftTxId"));
  g_assert_cmpstr (str_at (to_fan, "giftTxId"), ==, str_at (sent, "data.giftTxId"));
  g_assert_cmpstr (str_at (to_star, "senderId"), ==, "fan1");
  g_assert_cmpstr (str_at (to_star, "senderName"), ==, "Fan");
  g_assert_cmpstr (str_at (to_star, "receiverId"), ==, "star");
  g_assert_cmpstr (str_at (to_star, "giftName"), ==, "Rose");
  g_assert_cmpint (int_at (to_star, "quantity"), ==, 1);
  g_assert_cmpstr (str_at (to_star, "animation"), ==, "default");
  g_assert_cmpstr (str_at (to_star, "message"), ==, "for you");
  json_object_unref (expect_ack (f, "fan", "sendGift"));

  /* A burst of six within a second: the sixth at the latest is refused. */
  for (guint i = 0; i < 6; i++)
    emit (f, "fan", "sendGift",
          "{\"roomId\":\"room_1\",\"receiverId\":\"star\",\"giftId\":\"g1\",\"giftName\":\"Rose\","
          "\"giftType\":\"flower\",\"giftValue\":10}", FALSE);
  refused = expect_event (f, "fan", "sendGiftError");
  assert_failure (refused, "RATE_LIMITED");
  g_assert_nonnull (strstr (str_at (refused, "error.message"), "gifts a second"));
}

static gboolean
backlog_has (Fixture    *f,
             const char *id,
             const char *name)
{
  for (GList *l = f->backlog.head; l != NULL; l = l->next)
    {
      if (line_matches (l->data, "message", id, name))
        return TRUE;
    }
  return FALSE;
}

/* A viewer who stops pinging leaves the room for the others; one who keeps
 * pinging stays. */
static void
test_presence (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(JsonObject) left = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  connect_as (f, "a", "alice", "Alice", GW_ROLE_VIEWER);
  connect_as (f, "b", "bob", "Bob", GW_ROLE_VIEWER);
  join (f, "a", "room_1");
  join (f, "b", "room_1");

  while (!backlog_has (f, "a", "userLeft"))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      emit (f, "a", "viewerPing", "{\"roomId\":\"room_1\"}", FALSE);
      json_object_unref (expect_event (f, "a", "viewerPong"));
      test_spin (100);
    }

  left = expect_event (f, "a", "userLeft");
  g_assert_cmpstr (str_at (left, "userId"), ==, "bob");
  g_assert_cmpint (int_at (left, "viewerCount"), ==, 1);

  /* Bob is out of the room now: his ping is refused and he must rejoin. */
  expect_refusal (f, "b", "viewerPing", "{\"roomId\":\"room_1\"}", "viewerPingError", "NOT_IN_ROOM");
  join (f, "b", "room_1");
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
wait_connected (GwRedis *redis)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  while (!gw_redis_get_connected (redis) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gw_redis_get_connected (redis));
}

static void
fixture_setup_redis (Fixture       *f,
                     gconstpointer  data)
{
  static const char * const backend_channels[] = { "viewer.join", "viewer.leave", "admin.chat", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  g_queue_init (&f->backlog);
  start_redis (f);
  uri = g_strdup_printf ("redis://127.0.0.1:%u", f->redis_port);

  f->bridge = gw_redis_new (uri, &error);
  g_assert_no_error (error);
  f->backend = gw_redis_new (uri, &error);
  g_assert_no_error (error);
  f->backend_channels = g_ptr_array_new_with_free_func (g_free);
  f->backend_payloads = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->backend, "message", G_CALLBACK (on_backend_message), f);
  gw_redis_subscribe (f->backend, backend_channels);

  start_gateway (f);
  gw_redis_start (f->bridge);
  gw_redis_start (f->backend);
  wait_connected (f->bridge);
  wait_connected (f->backend);
}

static void
on_published (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gint64 *receivers = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (gw_redis_publish_finish (GW_REDIS (source), result, receivers, &error));
  g_assert_no_error (error);
}

static void
backend_publish (Fixture    *f,
                 const char *channel,
                 const char *payload)
{
  gint64 receivers = -1;

  gw_redis_publish_async (f->backend, channel, payload, NULL, on_published, &receivers);
  while (receivers < 0)
    g_main_context_iteration (NULL, TRUE);
  /* The gateway is subscribed, so someone received it. */
  g_assert_cmpint (receivers, >=, 1);
}

static JsonObject *
wait_backend (Fixture    *f,
              const char *channel)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

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

  connect_as (f, "a", "alice", "Alice", GW_ROLE_VIEWER);
  connect_as (f, "other", "olga", "Olga", GW_ROLE_VIEWER);
  join (f, "a", "room_1");
  join (f, "other", "room_2");

  /* The gateway tells the backend who joined. */
  join_message = wait_backend (f, "viewer.join");
  g_assert_cmpstr (json_object_get_string_member (join_message, "type"), ==, "viewer_join");
  g_assert_true (json_object_has_member (join_message, "timestamp"));

  backend_publish (f, "chat.message",
                   "{\"type\":\"chat_message\",\"messageId\":\"b1\",\"roomId\":\"room_1\",\"userId\":\"sys\","
                   "\"username\":\"System\",\"message\":\"Welcome\",\"messageType\":\"text\","
                   "\"timestamp\":\"2026-11-26T12:00:00.000Z\"}");
  chat = expect_event (f, "a", "chatMessageFromBackend");
  g_assert_cmpstr (str_at (chat, "type"), ==, "chat_message");
  g_assert_cmpstr (str_at (chat, "data.messageId"), ==, "b1");
  g_assert_cmpstr (str_at (chat, "data.message"), ==, "Welcome");
  g_assert_cmpstr (str_at (chat, "data.roomId"), ==, "room_1");

  backend_publish (f, "gift.send",
                   "{\"type\":\"gift_send\",\"roomId\":\"room_1\",\"giftTxId\":\"t1\",\"giftName\":\"Rose\"}");
  gift = expect_event (f, "a", "giftFromBackend");
  g_assert_cmpstr (str_at (gift, "type"), ==, "gift_send");
  g_assert_cmpstr (str_at (gift, "data.giftTxId"), ==, "t1");

  backend_publish (f, "room.update", "{\"type\":\"room_update\",\"roomId\":\"room_1\",\"title\":\"Tonight\"}");
  update = expect_event (f, "a", "roomUpdate");
  g_assert_cmpstr (str_at (update, "roomId"), ==, "room_1");
  g_assert_cmpstr (str_at (update, "title"), ==, "Tonight");

  backend_publish (f, "stream.start", "{\"type\":\"stream_start\",\"roomId\":\"room_1\"}");
  live = expect_event (f, "a", "roomUpdate");
  g_assert_cmpstr (str_at (live, "status"), ==, "live");

  /* A notification for alice reaches her, not olga in another room. */
  backend_publish (f, "notification",
                   "{\"id\":\"n1\",\"type\":\"info\",\"title\":\"Hi\",\"message\":\"for alice\",\"userId\":\"alice\"}");
  backend_publish (f, "notification",
                   "{\"id\":\"n2\",\"type\":\"info\",\"title\":\"Hi\",\"message\":\"for everyone\"}");
  note = expect_event (f, "a", "notification");
  g_assert_cmpstr (str_at (note, "id"), ==, "n1");
  g_clear_pointer (&note, json_object_unref);
  note = expect_full (f, "message", "other", "notification", NULL);
  g_assert_cmpstr (str_at (note, "id"), ==, "n2");

  emit (f, "a", "chatWithAdmin", "{\"message\":\"help\",\"supportType\":\"billing\"}", FALSE);
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
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *uri = g_strdup_printf ("redis://127.0.0.1:%u", f->redis_port);

  f->bridge2 = gw_redis_new (uri, &error);
  g_assert_no_error (error);
  f->gateway2 = gw_gateway_new (f->jwt);
  gw_gateway_set_redis (f->gateway2, f->bridge2);
  f->http2 = soup_server_new (NULL, NULL);
  gw_gateway_attach (f->gateway2, f->http2, NULL);
  soup_server_listen_local (f->http2, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->http2);
  f->port2 = g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  gw_redis_start (f->bridge2);
  wait_connected (f->bridge2);
}

static void
assert_no_unclaimed (Fixture    *f,
                     const char *id,
                     const char *name)
{
  for (GList *l = f->backlog.head; l != NULL; l = l->next)
    {
      if (line_matches (l->data, "message", id, name))
        g_error ("client %s got %s once too often", id, name);
    }
}

/* No userJoined about USER_ID is waiting for client ID. (Other userJoined
 * lines may be: across two processes, a notice of someone who joined just
 * before ID can reach ID just after its own join.) */
static void
assert_not_announced (Fixture    *f,
                      const char *id,
                      const char *user_id)
{
  for (GList *l = f->backlog.head; l != NULL; l = l->next)
    {
      if (line_matches (l->data, "message", id, "userJoined") &&
          g_strcmp0 (str_at (l->data, "userId"), user_id) == 0)
        g_error ("client %s was told again that %s joined", id, user_id);
    }
}

/* Two gateways on one Redis behave as one: a room's event reaches every
 * member on either, exactly once, and so does what the backend publishes. */
static void
test_cluster (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *alice = mint (f, "alice", "Alice", GW_ROLE_VIEWER, 900);
  g_autofree char *bob = mint (f, "bob", "Bob", GW_ROLE_VIEWER, 900);
  g_autoptr(JsonObject) to_a = NULL;
  g_autoptr(JsonObject) to_b = NULL;
  g_autoptr(JsonObject) from_backend_a = NULL;
  g_autoptr(JsonObject) from_backend_b = NULL;
  g_autoptr(JsonObject) marker_a = NULL;
  g_autoptr(JsonObject) marker_b = NULL;

  start_second_gateway (f);
  connect_client_to (f, "a", alice, 0);
  connect_client_to (f, "b", bob, f->port2);
  join (f, "a", "room_1");
  join (f, "b", "room_1");

  emit (f, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"across gateways\"}", FALSE);
  to_a = expect_event (f, "a", "newMessage");
  to_b = expect_event (f, "b", "newMessage");
  g_assert_cmpstr (str_at (to_b, "message"), ==, "across gateways");
  g_assert_cmpstr (str_at (to_b, "messageId"), ==, str_at (to_a, "messageId"));

  backend_publish (f, "chat.message",
                   "{\"type\":\"chat_message\",\"messageId\":\"b1\",\"roomId\":\"room_1\",\"message\":\"from the backend\"}");
  from_backend_a = expect_event (f, "a", "chatMessageFromBackend");
  from_backend_b = expect_event (f, "b", "chatMessageFromBackend");

  /* A gift from alice travels the same way after all of the above: once it
   * is there, any duplicate would have been too. */
  emit (f, "a", "sendGift",
        "{\"roomId\":\"room_1\",\"receiverId\":\"bob\",\"giftId\":\"g1\",\"giftName\":\"Rose\","
        "\"giftType\":\"flower\",\"giftValue\":1}", FALSE);
  marker_a = expect_event (f, "a", "newGift");
  marker_b = expect_event (f, "b", "newGift");
  for (const char **id = (const char *[]) { "a", "b", NULL }; *id != NULL; id++)
    {
      assert_no_unclaimed (f, *id, "newMessage");
      assert_no_unclaimed (f, *id, "chatMessageFromBackend");
      assert_no_unclaimed (f, *id, "newGift");
    }

  /* A newcomer on the second gateway is shown what was said on the first. */
  {
    g_autofree char *carol = mint (f, "carol", "Carol", GW_ROLE_VIEWER, 900);
    g_autoptr(JsonObject) joined = NULL;
    JsonArray *recent;
    gboolean found = FALSE;

    connect_client_to (f, "c", carol, f->port2);
    emit (f, "c", "joinRoom", "{\"roomId\":\"room_1\"}", FALSE);
    joined = expect_event (f, "c", "joinedRoom");
    recent = json_node_get_array (at (joined, "data.recentMessages"));
    for (guint i = 0; i < json_array_get_length (recent); i++)
      found |= g_strcmp0 (json_object_get_string_member (json_array_get_object_element (recent, i), "messageId"),
                          str_at (to_a, "messageId")) == 0;
    g_assert_true (found);
  }

  /* A moderator on the first gateway times bob out on the second: he hears
   * it once, and his sends there are refused; a ban keeps him out there. */
  {
    g_autofree char *mod = mint (f, "mod", "Mod", GW_ROLE_MODERATOR, 900);
    g_autoptr(JsonObject) timed_out = NULL;
    g_autoptr(JsonObject) banned = NULL;

    connect_client_to (f, "m", mod, 0);
    join (f, "m", "room_1");
    emit (f, "m", "timeoutUser", "{\"roomId\":\"room_1\",\"userId\":\"bob\",\"seconds\":60}", FALSE);
    timed_out = expect_event (f, "b", "userTimedOut");
    g_assert_cmpstr (str_at (timed_out, "by"), ==, "Mod");
    expect_refusal (f, "b", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"hello?\"}",
                    "sendMessageError", "FORBIDDEN");
    assert_no_unclaimed (f, "b", "userTimedOut");

    emit (f, "m", "banUser", "{\"roomId\":\"room_1\",\"userId\":\"bob\"}", FALSE);
    banned = expect_event (f, "b", "userBanned");
    expect_refusal (f, "b", "joinRoom", "{\"roomId\":\"room_1\"}", "joinRoomError", "FORBIDDEN");
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

      emit (f, id, "sendMessage", payload, TRUE);
      ack = expect_ack (f, id, "sendMessage");
      if (bool_at (ack, "success"))
        return;
      g_assert_cmpstr (str_at (ack, "error.code"), ==, "RATE_LIMITED");
      test_spin ((guint) int_at (ack, "error.retryAfterMs") + 20);
    }
}

/* The next newMessage for client ID, which must carry TEXT. */
static void
expect_said (Fixture    *f,
             const char *id,
             const char *text)
{
  g_autoptr(JsonObject) message = expect_event (f, id, "newMessage");

  g_assert_cmpstr (str_at (message, "message"), ==, text);
}

static void
wait_disconnected (GwRedis *redis)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  while (gw_redis_get_connected (redis) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (gw_redis_get_connected (redis));
}

/* Redis dies under two gateways: each keeps serving its own clients; when
 * Redis is back on its port, the gateways find it again and a room spans
 * both once more, each message arriving exactly once. */
static void
test_redis_outage (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *alice = mint (f, "alice", "Alice", GW_ROLE_VIEWER, 900);
  g_autofree char *bob = mint (f, "bob", "Bob", GW_ROLE_VIEWER, 900);

  start_second_gateway (f);
  connect_client_to (f, "a", alice, 0);
  connect_client_to (f, "b", bob, f->port2);
  join (f, "a", "room_1");
  join (f, "b", "room_1");

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
  emit (f, "b", "viewerPing", "{\"roomId\":\"room_1\"}", FALSE);
  json_object_unref (expect_event (f, "b", "viewerPong"));

  start_redis (f);
  wait_connected (f->bridge);
  wait_connected (f->bridge2);

  /* Both ways again, and exactly once: bob's reply comes after alice's
   * message, so a duplicate of hers would already be there. */
  say (f, "a", "after");
  expect_said (f, "a", "after");
  expect_said (f, "b", "after");
  say (f, "b", "welcome back");
  expect_said (f, "b", "welcome back");
  expect_said (f, "a", "welcome back");
  for (const char **id = (const char *[]) { "a", "b", NULL }; *id != NULL; id++)
    assert_no_unclaimed (f, *id, "newMessage");
}

/* getRoomInfo from client ID until the room holds WANT viewers on all
 * gateways (presence travels through Redis, so not at once); returns the
 * last answer. */
static JsonObject *
room_info_until (Fixture    *f,
                 const char *id,
                 gint64      want)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  for (;;)
    {
      g_autoptr(JsonObject) info = NULL;

      emit (f, id, "getRoomInfo", "{\"roomId\":\"room_1\"}", FALSE);
      info = expect_event (f, id, "roomInfo");
      g_assert_true (bool_at (info, "success"));
      if (int_at (info, "data.viewerCount") == want)
        {
          g_assert_cmpuint (json_array_get_length (json_node_get_array (at (info, "data.viewers"))), ==, want);
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
  JsonArray *viewers = json_node_get_array (at (info, "data.viewers"));

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
  g_autofree char *alice = mint (f, "alice", "Alice", GW_ROLE_VIEWER, 900);
  g_autofree char *bob = mint (f, "bob", "Bob", GW_ROLE_VIEWER, 900);
  g_autofree char *bob2 = mint (f, "bob", "Bob", GW_ROLE_VIEWER, 900);
  g_autoptr(JsonObject) both = NULL;
  g_autoptr(JsonObject) both_from_a = NULL;
  g_autoptr(JsonObject) left = NULL;
  g_autoptr(JsonObject) alone = NULL;
  g_autoptr(JsonObject) pong = NULL;
  g_autoptr(JsonObject) joined = NULL;

  start_second_gateway (f);
  connect_client_to (f, "a", alice, 0);
  connect_client_to (f, "b", bob, f->port2);
  join (f, "a", "room_1");
  join (f, "b", "room_1");

  both = room_info_until (f, "b", 2);
  g_assert_true (has_viewer (both, "alice"));
  g_assert_true (has_viewer (both, "bob"));
  both_from_a = room_info_until (f, "a", 2);
  g_assert_true (has_viewer (both_from_a, "bob"));
  g_clear_pointer (&joined, json_object_unref);
  joined = expect_event (f, "a", "userJoined");
  g_assert_cmpstr (str_at (joined, "userId"), ==, "bob");
  emit (f, "b", "viewerPing", "{\"roomId\":\"room_1\"}", FALSE);
  pong = expect_event (f, "b", "viewerPong");
  g_assert_cmpint (int_at (pong, "data.viewerCount"), ==, 2);

  /* Bob's second tab, on the first gateway: still two viewers, and nobody
   * is told he joined again. */
  connect_client_to (f, "b2", bob2, 0);
  join (f, "b2", "room_1");
  json_object_unref (room_info_until (f, "a", 2));
  json_object_unref (room_info_until (f, "b", 2));
  assert_not_announced (f, "a", "bob");
  assert_not_announced (f, "b", "bob");

  emit (f, "a", "leaveRoom", "{\"roomId\":\"room_1\"}", FALSE);
  left = expect_event (f, "b", "userLeft");
  g_assert_cmpstr (str_at (left, "userId"), ==, "alice");
  alone = room_info_until (f, "b", 1);
  g_assert_false (has_viewer (alone, "alice"));
  g_clear_pointer (&alone, json_object_unref);
  alone = room_info_until (f, "b2", 1);
  g_assert_false (has_viewer (alone, "alice"));
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
  g_test_add ("/gw/gateway/redis-outage", Fixture, NULL, fixture_setup_redis, test_redis_outage, fixture_teardown);

  return g_test_run ();
}
