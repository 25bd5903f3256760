/* test-gw-hostile.c: one attack per test against a real GwGateway, through
 * the official socket.io-client (tests/peers/gateway-peer.mjs), and against
 * real redis-servers for what arrives over Redis. Each asserts what a client
 * or an operator would notice: the refusal on the wire, the process still
 * serving, the counter on /metrics.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <string.h>

#include "gw-metrics.h"
#include "gw-redis.h"
#include "gw-test-fixture.h"
#include "ld-rate-limit.h"
#include "ld-test-util.h"
#include "test-redis.h"

#define SECRET "test-hostile-secret-0123456789abcdef0123"

typedef struct
{
  GwJwt         *jwt;
  SoupServer    *http;
  GwGateway     *gateway;
  guint          port;
  GwTestClients *clients;
  guint          auth_timeout_ms;   /* 0: the default */

  GSubprocess   *redis;
  guint16        redis_port;
  GwRedis       *bridge;
  GwRedis       *backend;           /* the test's, publishing what it likes */

  /* A second gateway process on the same Redis. */
  SoupServer    *http2;
  GwGateway     *gateway2;
  GwRedis       *bridge2;
  guint          port2;
} Fixture;

/* The gateway's "refused" log lines, by code, since the fixture started. */
static guint logged_limited;
static guint logged_unauthenticated;

static GLogWriterOutput
count_log_lines (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      const char *message = fields[i].value;

      if (strcmp (fields[i].key, "MESSAGE") != 0 || fields[i].length != -1 ||
          !g_str_has_prefix (message, "event=refused "))
        continue;
      if (strstr (message, "code=RATE_LIMITED") != NULL)
        logged_limited++;
      else if (strstr (message, "code=UNAUTHENTICATED") != NULL)
        logged_unauthenticated++;
    }

  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
start_gateway (Fixture *f)
{
  g_autoptr(GBytes) secret = g_bytes_new_static (SECRET, strlen (SECRET));
  g_autoptr(GError) error = NULL;

  gw_metrics_reset ();
  logged_limited = 0;
  logged_unauthenticated = 0;
  f->jwt = gw_jwt_new (secret, &error);
  g_assert_no_error (error);
  f->gateway = gw_gateway_new (f->jwt);
  if (f->auth_timeout_ms != 0)
    gw_gateway_set_auth_timeout (f->gateway, f->auth_timeout_ms);
  if (f->bridge != NULL)
    gw_gateway_set_redis (f->gateway, f->bridge);
  f->http = gw_test_listen (f->gateway, &f->port);
  f->clients = gw_test_clients_new (f->port);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  start_gateway (f);
}

static void
fixture_setup_auth_timeout (Fixture       *f,
                            gconstpointer  data)
{
  /* Short, but nothing waits on it: the test waits for the close itself. */
  f->auth_timeout_ms = 300;
  start_gateway (f);
}

/* Two gateway processes (as test-gw-gateway's cluster tests run them) on
 * one real redis-server, and a backend connection of the test's own. */
static void
fixture_setup_redis (Fixture       *f,
                     gconstpointer  data)
{
  f->redis_port = test_free_port ();
  f->redis = test_redis_start (f->redis_port, NULL);
  f->bridge = gw_test_redis_new (f->redis_port);
  f->backend = gw_test_redis_new (f->redis_port);
  start_gateway (f);
  gw_redis_start (f->bridge);
  gw_redis_start (f->backend);
  gw_test_redis_wait_connected (f->bridge);
  gw_test_redis_wait_connected (f->backend);

  f->gateway2 = gw_test_bridged_gateway (f->jwt, f->redis_port, &f->bridge2, &f->http2, &f->port2);
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
  if (f->redis != NULL)
    {
      test_redis_stop (f->redis, SIGKILL);
      g_clear_object (&f->redis);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static const char *
ack_code (JsonObject *ack)
{
  if (gw_test_bool_at (ack, "success"))
    return NULL;
  return gw_test_str_at (ack, "error.code");
}

/* A protected event before authenticate: authRequired, then the event's
 * own refusal (PROTOCOL.md section 2), so a client waiting for joinedRoom
 * or joinRoomError is not left waiting. */
static void
test_join_before_auth (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JsonObject) required = NULL;
  g_autoptr(JsonObject) refusal = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) authenticated = NULL;
  g_autofree char *token = gw_test_mint (f->jwt, "alice", "Alice", GW_ROLE_VIEWER, 900);
  g_autofree char *authenticate = NULL;

  gw_test_connect (f->clients, "a", NULL, 0);
  gw_test_emit (f->clients, "a", "joinRoom", "{\"roomId\":\"room_1\"}", TRUE);
  required = gw_test_expect_full (f->clients, "message", "a", "authRequired", "joinRoomError");
  g_assert_cmpstr (gw_test_str_at (required, "action"), ==, "joinRoom");
  refusal = gw_test_expect_event (f->clients, "a", "joinRoomError");
  gw_test_assert_failure (refusal, "UNAUTHENTICATED");
  ack = gw_test_expect_ack (f->clients, "a", "joinRoom");
  gw_test_assert_failure (ack, "UNAUTHENTICATED");
  g_assert_false (gw_test_backlog_has (f->clients, "a", "joinedRoom"));

  /* The same socket, once authenticated, joins. */
  authenticate = g_strdup_printf ("{\"token\":\"%s\",\"userId\":\"alice\"}", token);
  gw_test_emit (f->clients, "a", "authenticate", authenticate, FALSE);
  authenticated = gw_test_expect_event (f->clients, "a", "authSuccess");
  gw_test_join (f->clients, "a", "room_1");
}

/* A flood of protected events before authenticate: the first few are
 * answered in full, the rest only with RATE_LIMITED, and counted. */
static void
test_unauthenticated_flood (Fixture       *f,
                            gconstpointer  data)
{
  const guint n = 40;
  guint refused = 0;
  guint limited = 0;
  guint required = 0;
  g_autofree char *token = gw_test_mint (f->jwt, "alice", "Alice", GW_ROLE_VIEWER, 900);
  g_autofree char *authenticate = g_strdup_printf ("{\"token\":\"%s\"}", token);
  g_autoptr(JsonObject) authenticated = NULL;

  gw_test_connect (f->clients, "a", NULL, 0);
  for (guint i = 0; i < n; i++)
    gw_test_emit (f->clients, "a", "getRoomInfo", "{\"roomId\":\"room_1\"}", TRUE);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) ack = gw_test_expect_ack (f->clients, "a", "getRoomInfo");
      g_autoptr(JsonObject) event = gw_test_expect_event (f->clients, "a", "getRoomInfoError");
      const char *code = ack_code (ack);

      g_assert_cmpstr (code, ==, gw_test_str_at (event, "error.code"));
      if (g_strcmp0 (code, "UNAUTHENTICATED") == 0)
        refused++;
      else if (g_strcmp0 (code, "RATE_LIMITED") == 0)
        {
          g_assert_cmpint (gw_test_int_at (ack, "error.retryAfterMs"), >, 0);
          limited++;
        }
      else
        g_error ("an unauthenticated getRoomInfo was answered %s", code);
    }
  while (gw_test_backlog_has (f->clients, "a", "authRequired"))
    {
      json_object_unref (gw_test_expect_event (f->clients, "a", "authRequired"));
      required++;
    }

  /* The minute's allowance at most, whatever the pace; authRequired only
   * for those answered in full. */
  g_assert_cmpuint (refused + limited, ==, n);
  g_assert_cmpuint (refused, >=, 1);
  g_assert_cmpuint (refused, <=, 20);
  g_assert_cmpuint (limited, >=, n - 20);
  g_assert_cmpuint (required, ==, refused);
  g_assert_cmpint (gw_metrics_get ("livedesk_rate_limited_total", "event=\"unauthenticated\""), ==, limited);
  /* The log says each refusal answered in full, and the flood once. */
  g_assert_cmpuint (logged_unauthenticated, ==, refused);
  g_assert_cmpuint (logged_limited, ==, 1);

  /* The socket is not punished for it once it authenticates. */
  gw_test_emit (f->clients, "a", "authenticate", authenticate, FALSE);
  authenticated = gw_test_expect_event (f->clients, "a", "authSuccess");
  gw_test_join (f->clients, "a", "room_1");
}

/* joinRoom for ROOM_ID from client ID, waiting out the join rate limit if
 * need be; the reply event. */
static JsonObject *
join_patiently (Fixture    *f,
                const char *id,
                const char *room_id)
{
  g_autofree char *payload = g_strdup_printf ("{\"roomId\":\"%s\"}", room_id);

  for (guint tries = 0;; tries++)
    {
      g_autoptr(JsonObject) ack = NULL;

      if (tries > 100)
        g_error ("joinRoom %s stayed rate-limited", room_id);

      gw_test_emit (f->clients, id, "joinRoom", payload, TRUE);
      ack = gw_test_expect_ack (f->clients, id, "joinRoom");
      if (g_strcmp0 (ack_code (ack), "RATE_LIMITED") != 0)
        return g_steal_pointer (&ack);
      test_spin ((guint) gw_test_int_at (ack, "error.retryAfterMs") + 20);
    }
}

/* PROTOCOL.md section 2: 20 rooms at once, the 21st refused FORBIDDEN. */
static void
test_room_cap (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonObject) after_leave = NULL;
  g_autoptr(JsonObject) left = NULL;

  gw_test_connect_as (f->clients, f->jwt, "a", "alice", "Alice", GW_ROLE_VIEWER);
  for (guint i = 0; i < GW_GATEWAY_DEFAULT_MAX_ROOMS; i++)
    {
      g_autofree char *room_id = g_strdup_printf ("room_%u", i);
      g_autoptr(JsonObject) ack = join_patiently (f, "a", room_id);

      g_assert_true (gw_test_bool_at (ack, "success"));
      g_assert_cmpstr (gw_test_str_at (ack, "data.roomId"), ==, room_id);
    }

  refused = join_patiently (f, "a", "room_extra");
  gw_test_assert_failure (refused, "FORBIDDEN");
  g_assert_nonnull (strstr (gw_test_str_at (refused, "error.message"), "20 rooms"));

  /* A room it is in is no 21st; leaving one makes space. */
  again = join_patiently (f, "a", "room_3");
  g_assert_true (gw_test_bool_at (again, "success"));
  gw_test_emit (f->clients, "a", "leaveRoom", "{\"roomId\":\"room_3\"}", TRUE);
  left = gw_test_expect_ack (f->clients, "a", "leaveRoom");
  g_assert_true (gw_test_bool_at (left, "success"));
  after_leave = join_patiently (f, "a", "room_extra");
  g_assert_true (gw_test_bool_at (after_leave, "success"));
}

/* Sends N of EVENT with PAYLOAD from client ID back to back; returns how
 * many were refused RATE_LIMITED, each also as ERROR_EVENT. */
static guint
flood (Fixture    *f,
       const char *id,
       const char *event,
       const char *payload,
       const char *error_event,
       guint       n)
{
  guint limited = 0;

  for (guint i = 0; i < n; i++)
    gw_test_emit (f->clients, id, event, payload, TRUE);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) ack = gw_test_expect_ack (f->clients, id, event);

      if (gw_test_bool_at (ack, "success"))
        continue;
      gw_test_assert_failure (ack, "RATE_LIMITED");
      g_assert_cmpint (gw_test_int_at (ack, "error.retryAfterMs"), >, 0);
      limited++;
    }
  for (guint i = 0; i < limited; i++)
    {
      g_autoptr(JsonObject) refusal = gw_test_expect_event (f->clients, id, error_event);

      gw_test_assert_failure (refusal, "RATE_LIMITED");
    }

  return limited;
}

/* More of each than the rule allows in a minute: whatever the pace, some
 * are refused RATE_LIMITED, and the gateway counts them by event. */
static void
test_event_floods (Fixture       *f,
                   gconstpointer  data)
{
  static const struct
  {
    const char *user;
    const char *event;
    const char *error_event;
    LdRateRule  rule;
  } cases[] = {
    { "joiner", "joinRoom", "joinRoomError", LD_RATE_RULE_JOIN_ROOM },
    { "asker", "getRoomInfo", "getRoomInfoError", LD_RATE_RULE_ROOM_INFO },
    { "pinger", "viewerPing", "viewerPingError", LD_RATE_RULE_VIEWER_PING },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint n_windows;
      const LdRateWindow *windows = ld_rate_rule_get_windows (cases[i].rule, &n_windows);
      guint allowance = 0;
      guint limited;
      g_autofree char *labels = g_strdup_printf ("event=\"%s\"", cases[i].event);
      guint logged_before = logged_limited;

      for (guint w = 0; w < n_windows; w++)
        allowance = MAX (allowance, windows[w].max_events);

      g_test_message ("%s flood", cases[i].event);
      gw_test_connect_as (f->clients, f->jwt, cases[i].user, cases[i].user, cases[i].user, GW_ROLE_VIEWER);
      /* Joined first, so that what is refused is the rate and nothing else
       * (the join itself counts towards joinRoom's allowance). */
      json_object_unref (join_patiently (f, cases[i].user, "room_1"));
      limited = flood (f, cases[i].user, cases[i].event, "{\"roomId\":\"room_1\"}", cases[i].error_event,
                       allowance + 10);
      g_assert_cmpuint (limited, >=, 10);
      g_assert_cmpint (gw_metrics_get ("livedesk_rate_limited_total", labels), >=, limited);
      /* Counted each, logged once in a while: a line per socket per 10 s. */
      g_assert_cmpuint (logged_limited - logged_before, >=, 1);
      g_assert_cmpuint (logged_limited - logged_before, <, limited);
    }
}

/* A megabyte of chat, of the kind that makes the content check's
 * expressions crawl: refused by its length, and the gateway serves on. */
static void
test_huge_message (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GString) payload = g_string_new ("{\"roomId\":\"room_1\",\"message\":\"");
  g_autoptr(JsonObject) ack = NULL;

  gw_test_connect_as (f->clients, f->jwt, "a", "alice", "Alice", GW_ROLE_VIEWER);
  gw_test_join (f->clients, "a", "room_1");
  while (payload->len < 990000)
    g_string_append (payload, "<script ");
  g_string_append (payload, "\"}");

  gw_test_expect_refusal (f->clients, "a", "sendMessage", payload->str, "sendMessageError", "MESSAGE_TOO_LONG");

  gw_test_emit (f->clients, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"still here\"}", TRUE);
  ack = gw_test_expect_ack (f->clients, "a", "sendMessage");
  g_assert_true (gw_test_bool_at (ack, "success"));
}

/* A socket that never authenticates is closed, and counted; one that did
 * stays. */
static void
test_auth_timeout (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) closed = NULL;
  g_autoptr(JsonObject) info = NULL;

  gw_test_connect_as (f->clients, f->jwt, "b", "bob", "Bob", GW_ROLE_VIEWER);
  gw_test_connect (f->clients, "a", NULL, 0);
  closed = gw_test_expect_full (f->clients, "disconnect", "a", NULL, NULL);
  g_assert_cmpstr (json_object_get_string_member (closed, "reason"), ==, "io server disconnect");
  g_assert_cmpint (gw_metrics_get ("livedesk_auth_timeouts_total", NULL), ==, 1);

  gw_test_join (f->clients, "b", "room_1");
  gw_test_emit (f->clients, "b", "getRoomInfo", "{\"roomId\":\"room_1\"}", TRUE);
  info = gw_test_expect_ack (f->clients, "b", "getRoomInfo");
  g_assert_true (gw_test_bool_at (info, "success"));
  g_assert_false (gw_test_backlog_has (f->clients, "b", "disconnect"));
}

/* One user on two processes gets one allowance: once the first process
 * has used up the minute's getRoomInfo, the second refuses too. */
static void
test_shared_limit (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *token = gw_test_mint (f->jwt, "alice", "Alice", GW_ROLE_VIEWER, 900);
  g_autoptr(JsonObject) on_second = NULL;
  guint allowed = 0;

  gw_test_connect (f->clients, "a1", token, 0);
  gw_test_connect (f->clients, "a2", token, f->port2);
  json_object_unref (join_patiently (f, "a1", "room_1"));

  /* On the first process, until the refusal is the minute's. */
  for (guint sent = 0;; sent++)
    {
      g_autoptr(JsonObject) ack = NULL;
      gint64 retry_ms;

      if (sent > 1000)
        g_error ("%u getRoomInfo and the minute's limit never came", sent);

      gw_test_emit (f->clients, "a1", "getRoomInfo", "{\"roomId\":\"room_1\"}", TRUE);
      ack = gw_test_expect_ack (f->clients, "a1", "getRoomInfo");
      if (gw_test_bool_at (ack, "success"))
        {
          allowed++;
          continue;
        }
      gw_test_assert_failure (ack, "RATE_LIMITED");
      retry_ms = gw_test_int_at (ack, "error.retryAfterMs");
      if (strstr (gw_test_str_at (ack, "error.message"), "a minute") != NULL)
        break;
      test_spin ((guint) retry_ms + 20);
    }
  g_assert_cmpuint (allowed, >=, 120);

  /* The second process has not seen any of them. */
  gw_test_emit (f->clients, "a2", "getRoomInfo", "{\"roomId\":\"room_1\"}", TRUE);
  on_second = gw_test_expect_ack (f->clients, "a2", "getRoomInfo");
  gw_test_assert_failure (on_second, "RATE_LIMITED");
  g_assert_nonnull (strstr (gw_test_str_at (on_second, "error.message"), "a minute"));
}

static void
on_command (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GVariant **reply = user_data;
  g_autoptr(GError) error = NULL;

  *reply = gw_redis_command_finish (GW_REDIS (source), result, &error);
  g_assert_no_error (error);
}

/* The reply to ARGV, run on the test's own Redis connection. */
static GVariant *
backend_command (Fixture            *f,
                 const char * const *argv)
{
  GVariant *reply = NULL;

  gw_redis_command_async (f->backend, argv, NULL, on_command, &reply);
  LD_TEST_WAIT_UNTIL (reply != NULL, GW_TEST_WAIT_MS);
  return reply;
}

static gint64
chat_events_in_redis (Fixture *f)
{
  g_autoptr(GVariant) size = backend_command (f, (const char *[]) {
    "ZCARD", "livedesk:rate:sendMessage:alice", NULL });

  return g_variant_get_int64 (size);
}

/* Chat too: what one process accepted counts on the other. Only accepted
 * messages count, and a user whose minute is full on Redis is refused
 * by a process that has not seen any of it. */
static void
test_shared_chat_limit (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *token = gw_test_mint (f->jwt, "alice", "Alice", GW_ROLE_VIEWER, 900);
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(JsonObject) empty = NULL;
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(GVariant) filled = NULL;

  gw_test_connect (f->clients, "a1", token, 0);
  gw_test_connect (f->clients, "a2", token, f->port2);
  json_object_unref (join_patiently (f, "a1", "room_1"));
  json_object_unref (join_patiently (f, "a2", "room_1"));

  gw_test_emit (f->clients, "a1", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"one\"}", TRUE);
  sent = gw_test_expect_ack (f->clients, "a1", "sendMessage");
  g_assert_true (gw_test_bool_at (sent, "success"));
  g_assert_cmpint (chat_events_in_redis (f), ==, 1);

  /* Refused for what it is (or for the second's limit): not counted. */
  gw_test_emit (f->clients, "a1", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"   \"}", TRUE);
  empty = gw_test_expect_ack (f->clients, "a1", "sendMessage");
  gw_test_assert_failure (empty, "EMPTY_MESSAGE|RATE_LIMITED");
  g_assert_cmpint (chat_events_in_redis (f), ==, 1);

  /* The rest of the minute's 30 taken elsewhere, now by Redis' clock. */
  filled = backend_command (f, (const char *[]) {
    "EVAL",
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "for i = 1, 29 do redis.call('ZADD', KEYS[1], now, 'elsewhere' .. i) end\n"
    "return redis.call('ZCARD', KEYS[1])\n",
    "1", "livedesk:rate:sendMessage:alice", NULL });
  g_assert_cmpint (g_variant_get_int64 (filled), ==, 30);

  gw_test_emit (f->clients, "a2", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"two\"}", TRUE);
  refused = gw_test_expect_ack (f->clients, "a2", "sendMessage");
  gw_test_assert_failure (refused, "RATE_LIMITED");
  g_assert_nonnull (strstr (gw_test_str_at (refused, "error.message"), "a minute"));
  g_assert_cmpint (gw_test_int_at (refused, "error.retryAfterMs"), >, 1000);
  g_assert_cmpint (chat_events_in_redis (f), ==, 30);
}

static void
backend_publish (Fixture    *f,
                 const char *channel,
                 const char *payload)
{
  gw_test_publish (f->backend, channel, payload);
}

/* The chatMessageFromBackend of MESSAGE_ID for client ID. Some garbage
 * has a room and is relayed as the contract says (the backend's word is
 * not checked beyond its room); those are passed over. */
static JsonObject *
expect_backend_chat (Fixture    *f,
                     const char *id,
                     const char *message_id)
{
  for (;;)
    {
      g_autoptr(JsonObject) event = gw_test_expect_event (f->clients, id, "chatMessageFromBackend");
      JsonNode *node = gw_test_at (event, "data.messageId");

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
          strcmp (json_node_get_string (node), message_id) == 0)
        return g_steal_pointer (&event);
    }
}

/* What anyone who can publish on Redis might send on each channel the
 * gateways listen to: dropped and counted, every process stays up and
 * keeps serving. */
static void
test_redis_garbage (Fixture       *f,
                    gconstpointer  data)
{
  static const char * const channels[] = {
    "chat.message", "gift.send", "room.update", "notification", "stream.start", "stream.end",
    "livedesk:gateway:state", "livedesk:sio:/", NULL
  };
  static const char * const garbage[] = {
    "{\"op\":1}",
    "{\"op\":\"message\",\"uid\":5,\"roomId\":\"room_1\"}",
    "{\"op\":\"sanction\",\"uid\":\"x\",\"action\":\"1\",\"durationMs\":[],\"event\":{\"roomId\":\"room_1\",\"userId\":5}}",
    "{\"op\":\"presence\",\"uid\":\"x\",\"roomId\":\"room_1\",\"viewers\":[1,\"a\",null,{\"userId\":{}}]}",
    "{\"op\":\"message\",\"uid\":\"x\",\"roomId\":\"room_1\",\"message\":{\"messageId\":{\"a\":1}}}",
    "{\"op\":\"delete\",\"uid\":\"x\",\"roomId\":\"room_1\",\"messageId\":[1]}",
    "{\"uid\":{},\"rooms\":\"room:room_1\",\"except\":[1],\"packet\":{},\"attachments\":\"x\"}",
    "{\"uid\":\"x\",\"rooms\":[],\"except\":[],\"packet\":\"2[\\\"newMessage\\\"]\",\"attachments\":[{}]}",
    "{\"roomId\":{\"a\":1},\"data\":[1],\"type\":7,\"title\":[],\"status\":{},\"userId\":[\"a\"]}",
    "{\"data\":{\"roomId\":\"room_1\",\"messageId\":{}},\"type\":\"chat_message\"}",
    "[1,2,3]",
    "\"just a string\"",
    "null",
    "{\"a\":",
    "\xff\xfe\x80 not text \x01\x02",
    "",
    NULL
  };
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) deep_object = g_string_new ("{\"op\":\"message\",\"uid\":\"x\",\"roomId\":\"room_1\",\"message\":");
  g_autoptr(JsonObject) to_a = NULL;
  g_autoptr(JsonObject) to_b = NULL;
  g_autoptr(JsonObject) from_backend_a = NULL;
  g_autoptr(JsonObject) from_backend_b = NULL;
  g_autofree char *bob = gw_test_mint (f->jwt, "bob", "Bob", GW_ROLE_VIEWER, 900);

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append (deep_object, "{\"a\":");

  gw_test_connect_as (f->clients, f->jwt, "a", "alice", "Alice", GW_ROLE_VIEWER);
  gw_test_connect (f->clients, "b", bob, f->port2);
  gw_test_join (f->clients, "a", "room_1");
  gw_test_join (f->clients, "b", "room_1");

  for (guint c = 0; channels[c] != NULL; c++)
    {
      for (guint g = 0; garbage[g] != NULL; g++)
        backend_publish (f, channels[c], garbage[g]);
      backend_publish (f, channels[c], deep->str);
      backend_publish (f, channels[c], deep_object->str);
    }

  /* One subscriber connection per process, so these arrive after all of
   * the above: once both processes relayed them, they read everything. */
  backend_publish (f, "chat.message",
                   "{\"type\":\"chat_message\",\"messageId\":\"b1\",\"roomId\":\"room_1\",\"message\":\"still here\"}");
  from_backend_a = expect_backend_chat (f, "a", "b1");
  from_backend_b = expect_backend_chat (f, "b", "b1");
  g_assert_cmpstr (gw_test_str_at (from_backend_b, "data.message"), ==, "still here");

  for (guint c = 0; channels[c] != NULL; c++)
    {
      g_autofree char *labels = g_strdup_printf ("channel=\"%s\"", channels[c]);

      /* Two processes; the deep ones at least, on every channel. */
      g_test_message ("%s: %" G_GINT64_FORMAT " dropped", channels[c],
                      gw_metrics_get ("livedesk_redis_malformed_total", labels));
      g_assert_cmpint (gw_metrics_get ("livedesk_redis_malformed_total", labels), >=, 2 * 2);
    }

  /* Both still serve, and across processes. */
  gw_test_emit (f->clients, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"across\"}", FALSE);
  to_a = gw_test_expect_event (f->clients, "a", "newMessage");
  to_b = gw_test_expect_event (f->clients, "b", "newMessage");
  g_assert_cmpstr (gw_test_str_at (to_b, "message"), ==, "across");
  {
    g_autoptr(JsonObject) c_joined = NULL;

    gw_test_connect_as (f->clients, f->jwt, "c", "carol", "Carol", GW_ROLE_VIEWER);
    gw_test_join (f->clients, "c", "room_1");
    /* Bob's arrival from the second process came before. */
    do
      g_clear_pointer (&c_joined, json_object_unref);
    while (g_strcmp0 (gw_test_str_at ((c_joined = gw_test_expect_event (f->clients, "a", "userJoined")), "userId"),
                      "carol") != 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (count_log_lines, NULL, NULL);

  g_test_add ("/gw/hostile/join-before-auth", Fixture, NULL, fixture_setup, test_join_before_auth,
              fixture_teardown);
  g_test_add ("/gw/hostile/unauthenticated-flood", Fixture, NULL, fixture_setup, test_unauthenticated_flood,
              fixture_teardown);
  g_test_add ("/gw/hostile/room-cap", Fixture, NULL, fixture_setup, test_room_cap, fixture_teardown);
  g_test_add ("/gw/hostile/event-floods", Fixture, NULL, fixture_setup, test_event_floods, fixture_teardown);
  g_test_add ("/gw/hostile/huge-message", Fixture, NULL, fixture_setup, test_huge_message, fixture_teardown);
  g_test_add ("/gw/hostile/auth-timeout", Fixture, NULL, fixture_setup_auth_timeout, test_auth_timeout,
              fixture_teardown);
  g_test_add ("/gw/hostile/shared-limit", Fixture, NULL, fixture_setup_redis, test_shared_limit,
              fixture_teardown);
  g_test_add ("/gw/hostile/shared-chat-limit", Fixture, NULL, fixture_setup_redis, test_shared_chat_limit,
              fixture_teardown);
  g_test_add ("/gw/hostile/redis-garbage", Fixture, NULL, fixture_setup_redis, test_redis_garbage,
              fixture_teardown);

  return g_test_run ();
}
