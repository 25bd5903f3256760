/* test-gw-redis.c: the Redis bridge against a real redis-server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <string.h>

#include "gw-redis.h"
#include "gw-redis-limits.h"
#include "gw-redis-rooms.h"
#include "gw-refresh.h"
#include "ld-test-util.h"
#include "test-peer.h"
#include "test-redis.h"

#define WAIT_MS 20000

typedef struct
{
  GSubprocess *process;
  guint16      port;
} Redis;



static void
redis_start_with_password (Redis      *redis,
                           const char *password)
{
  redis->process = test_redis_start (redis->port, password);
}

static void
redis_start (Redis *redis)
{
  redis_start_with_password (redis, NULL);
}

static void
redis_stop (Redis *redis,
            int    signum)
{
  test_redis_stop (redis->process, signum);
  g_clear_object (&redis->process);
}

typedef struct
{
  GPtrArray *channels;
  GPtrArray *payloads;
  gboolean   got_message;
  gboolean   connected;
  gboolean   disconnected;
} Watch;

static void
on_message (GwRedis    *bridge,
            const char *channel,
            const char *payload,
            Watch      *watch)
{
  g_ptr_array_add (watch->channels, g_strdup (channel));
  g_ptr_array_add (watch->payloads, g_strdup (payload));
  watch->got_message = TRUE;
}

static void
on_connected (GwRedis    *bridge,
              GParamSpec *pspec,
              Watch      *watch)
{
  watch->connected = gw_redis_get_connected (bridge);
  watch->disconnected = !watch->connected;
}

static void
watch_init (Watch   *watch,
            GwRedis *bridge)
{
  memset (watch, 0, sizeof *watch);
  watch->channels = g_ptr_array_new_with_free_func (g_free);
  watch->payloads = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (bridge, "message", G_CALLBACK (on_message), watch);
  g_signal_connect (bridge, "notify::connected", G_CALLBACK (on_connected), watch);
}

static void
watch_clear (Watch *watch)
{
  g_ptr_array_unref (watch->channels);
  g_ptr_array_unref (watch->payloads);
}

typedef struct
{
  gboolean done;
  gboolean ok;
  gint64   receivers;
  GError  *error;
} Published;

static void
on_published (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  Published *p = data;

  p->ok = gw_redis_publish_finish (GW_REDIS (object), result, &p->receivers, &p->error);
  p->done = TRUE;
}

static gint64
publish (GwRedis    *bridge,
         const char *channel,
         const char *payload)
{
  Published p = { 0 };

  gw_redis_publish_async (bridge, channel, payload, NULL, on_published, &p);
  g_assert_true (test_wait_until (&p.done, WAIT_MS));
  g_assert_no_error (p.error);
  g_assert_true (p.ok);

  return p.receivers;
}

static const char * const channels[] = { "chat.message", "gift.send", NULL };

#define CHAT "{\"type\":\"chat_message\",\"roomId\":\"room1\",\"message\":\"Xin chào\",\"timestamp\":\"2026-11-26T12:00:00.000Z\"}"

static void
test_publish_subscribe_reconnect (void)
{
  Redis redis = { NULL, test_free_port () };
  g_autofree char *uri = NULL;
  g_autoptr(GwRedis) bridge = NULL;
  g_autoptr(GwRedis) other = NULL;
  g_autoptr(GError) error = NULL;
  Published p = { 0 };
  Watch watch, other_watch;

  redis_start (&redis);

  uri = g_strdup_printf ("redis://127.0.0.1:%u", redis.port);
  bridge = gw_redis_new (uri, &error);
  g_assert_no_error (error);
  watch_init (&watch, bridge);
  gw_redis_subscribe (bridge, channels);
  gw_redis_start (bridge);

  /* A second gateway process on the same Redis. */
  other = gw_redis_new (uri, &error);
  g_assert_no_error (error);
  watch_init (&other_watch, other);
  gw_redis_subscribe (other, channels);
  gw_redis_start (other);

  g_assert_true (test_wait_until (&watch.connected, WAIT_MS));
  g_assert_true (test_wait_until (&other_watch.connected, WAIT_MS));

  g_assert_cmpint (publish (bridge, "chat.message", CHAT), ==, 2);
  g_assert_true (test_wait_until (&watch.got_message, WAIT_MS));
  g_assert_true (test_wait_until (&other_watch.got_message, WAIT_MS));
  g_assert_cmpstr (g_ptr_array_index (watch.channels, 0), ==, "chat.message");
  g_assert_cmpstr (g_ptr_array_index (watch.payloads, 0), ==, CHAT);
  g_assert_cmpstr (g_ptr_array_index (other_watch.payloads, 0), ==, CHAT);

  /* Nobody listens on viewer.join: published, received by none. */
  g_assert_cmpint (publish (bridge, "viewer.join", "{\"type\":\"viewer_join\"}"), ==, 0);

  /* Redis dies: the bridge notices and refuses to publish. */
  g_object_unref (other);
  other = NULL;
  redis_stop (&redis, SIGKILL);
  g_assert_true (test_wait_until (&watch.disconnected, WAIT_MS));
  g_assert_false (gw_redis_get_connected (bridge));

  gw_redis_publish_async (bridge, "chat.message", CHAT, NULL, on_published, &p);
  g_assert_true (test_wait_until (&p.done, WAIT_MS));
  g_assert_false (p.ok);
  g_assert_error (p.error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_clear_error (&p.error);

  /* Redis comes back on the same port: the bridge reconnects and resubscribes. */
  watch.connected = FALSE;
  watch.got_message = FALSE;
  redis_start (&redis);
  g_assert_true (test_wait_until (&watch.connected, WAIT_MS));

  g_assert_cmpint (publish (bridge, "gift.send", "{\"type\":\"gift_send\"}"), ==, 1);
  g_assert_true (test_wait_until (&watch.got_message, WAIT_MS));
  g_assert_cmpuint (watch.payloads->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (watch.channels, 1), ==, "gift.send");
  g_assert_cmpstr (g_ptr_array_index (watch.payloads, 1), ==, "{\"type\":\"gift_send\"}");
  /* exactly once, across the reconnect */
  g_assert_cmpuint (other_watch.payloads->len, ==, 1);

  g_clear_object (&bridge);
  redis_stop (&redis, SIGTERM);
  watch_clear (&watch);
  watch_clear (&other_watch);
}

/* Redis not there yet when the gateway starts: it keeps trying. */
static void
test_starts_before_redis (void)
{
  Redis redis = { NULL, test_free_port () };
  g_autofree char *uri = g_strdup_printf ("redis://localhost:%u", redis.port);
  g_autoptr(GwRedis) bridge = gw_redis_new (uri, NULL);
  Watch watch;

  watch_init (&watch, bridge);
  gw_redis_subscribe (bridge, channels);
  gw_redis_start (bridge);
  test_spin (300);
  g_assert_false (gw_redis_get_connected (bridge));

  redis_start (&redis);
  g_assert_true (test_wait_until (&watch.connected, WAIT_MS));
  g_assert_cmpint (publish (bridge, "chat.message", CHAT), ==, 1);
  g_assert_true (test_wait_until (&watch.got_message, WAIT_MS));

  g_clear_object (&bridge);
  redis_stop (&redis, SIGTERM);
  watch_clear (&watch);
}

static void
test_password (void)
{
  Redis redis = { NULL, test_free_port () };
  g_autofree char *uri = g_strdup_printf ("redis://:s3cr%%2Ft@127.0.0.1:%u", redis.port);
  g_autoptr(GwRedis) bridge = gw_redis_new (uri, NULL);
  Watch watch;

  redis_start_with_password (&redis, "s3cr/t");
  watch_init (&watch, bridge);
  gw_redis_subscribe (bridge, channels);
  gw_redis_start (bridge);

  g_assert_true (test_wait_until (&watch.connected, WAIT_MS));
  g_assert_cmpint (publish (bridge, "chat.message", CHAT), ==, 1);
  g_assert_true (test_wait_until (&watch.got_message, WAIT_MS));

  g_clear_object (&bridge);
  redis_stop (&redis, SIGTERM);
  watch_clear (&watch);
}

static void
test_bad_uri (void)
{
  const char *uris[] = { "http://localhost:6379", "redis://", "not a uri", "rediss://host:1", "redis://host:1/5" };

  for (guint i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (gw_redis_new (uris[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
}

/* Runs the default main context until an async call completes; returns its result. */
static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  LD_TEST_WAIT_UNTIL (*slot != NULL, WAIT_MS);
  return *slot;
}

static GwRedis *
connected_bridge (Redis *redis)
{
  g_autofree char *uri = g_strdup_printf ("redis://127.0.0.1:%u", redis->port);
  g_autoptr(GError) error = NULL;
  GwRedis *bridge = gw_redis_new (uri, &error);
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  g_assert_no_error (error);
  gw_redis_start (bridge);
  while (!gw_redis_get_connected (bridge))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return bridge;
}

static GVariant *
command (GwRedis             *bridge,
         const char * const  *argv,
         GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gw_redis_command_async (bridge, argv, NULL, ld_test_store_result, &result);
  return gw_redis_command_finish (bridge, wait_result (&result), error);
}

/* Replies come back typed: integers, strings, nil, arrays, and errors as errors. */
static void
test_command (void)
{
  Redis redis = { NULL, test_free_port () };
  g_autoptr(GwRedis) bridge = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autoptr(GVariant) counted = NULL;
  g_autoptr(GVariant) many = NULL;
  g_autoptr(GVariant) first = NULL;
  g_autoptr(GVariant) missing = NULL;
  g_autoptr(GVariant) refused = NULL;

  redis_start (&redis);
  bridge = connected_bridge (&redis);

  status = command (bridge, (const char *[]) { "SET", "livedesk:test", "Xin chào", NULL }, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_string (status, NULL), ==, "OK");
  counted = command (bridge, (const char *[]) { "INCR", "livedesk:count", NULL }, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (counted), ==, 1);

  many = command (bridge, (const char *[]) { "MGET", "livedesk:test", "livedesk:none", NULL }, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (many), ==, "av");
  g_assert_cmpuint (g_variant_n_children (many), ==, 2);
  g_variant_get_child (many, 0, "v", &first);
  g_assert_cmpstr (g_variant_get_string (first, NULL), ==, "Xin chào");
  g_variant_get_child (many, 1, "v", &missing);
  g_assert_true (g_variant_is_of_type (missing, G_VARIANT_TYPE_MAYBE));
  g_assert_cmpuint (g_variant_n_children (missing), ==, 0);

  refused = command (bridge, (const char *[]) { "INCR", "livedesk:test", NULL }, &error);
  g_assert_null (refused);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);

  g_clear_object (&bridge);
  redis_stop (&redis, SIGTERM);
}

#define NOW ((gint64) 1790000000)

static char *
issue (GwRefreshStore *store,
       const char     *user_id,
       gint64          now)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *token;

  gw_refresh_store_issue_async (store, user_id, now, NULL, ld_test_store_result, &result);
  token = gw_refresh_store_issue_finish (store, wait_result (&result), &error);
  g_assert_no_error (error);
  return token;
}

static char *
rotate (GwRefreshStore  *store,
        const char      *token,
        gint64           now,
        char           **out_user_id,
        GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gw_refresh_store_rotate_async (store, token, now, NULL, ld_test_store_result, &result);
  return gw_refresh_store_rotate_finish (store, wait_result (&result), out_user_id, error);
}

/* Two stores on one Redis, as two gateway processes have: one chain of
 * tokens between them, expiry and reuse detection included, and nothing of
 * it kept in either process's memory. */
static void
test_refresh_store (void)
{
  Redis redis = { NULL, test_free_port () };
  g_autoptr(GwRedis) bridge_one = NULL;
  g_autoptr(GwRedis) bridge_two = NULL;
  g_autoptr(GwRefreshStore) one = gw_refresh_store_new (3600);
  g_autoptr(GwRefreshStore) two = gw_refresh_store_new (3600);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *expiring = NULL;
  g_autofree char *other = NULL;
  char *refused;

  redis_start (&redis);
  bridge_one = connected_bridge (&redis);
  bridge_two = connected_bridge (&redis);
  gw_refresh_store_set_redis (one, bridge_one);
  gw_refresh_store_set_redis (two, bridge_two);

  first = issue (one, "u1", NOW);
  g_assert_cmpuint (gw_refresh_store_get_n_active (one, NOW), ==, 0);
  second = rotate (two, first, NOW + 10, &user_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (user_id, ==, "u1");
  g_assert_cmpstr (second, !=, first);

  /* Replayed at the first process: the chain is gone at both. */
  refused = rotate (one, first, NOW + 20, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, GW_REFRESH_ERROR, GW_REFRESH_ERROR_REUSED);
  g_clear_error (&error);
  refused = rotate (two, second, NOW + 30, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, GW_REFRESH_ERROR, GW_REFRESH_ERROR_INVALID);
  g_clear_error (&error);

  /* Past its lifetime (by the clock passed in; Redis' own TTL comes later). */
  expiring = issue (two, "u1", NOW);
  refused = rotate (one, expiring, NOW + 3600, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, GW_REFRESH_ERROR, GW_REFRESH_ERROR_EXPIRED);
  g_clear_error (&error);

  /* Revoking a user at one process signs them out at the other. */
  other = issue (two, "u2", NOW);
  gw_refresh_store_revoke_user (one, "u2");
  /* The revocation is sent without waiting; a round trip after it on the
   * same link sees it done. */
  g_variant_unref (command (bridge_one, (const char *[]) { "PING", NULL }, &error));
  g_assert_no_error (error);
  refused = rotate (two, other, NOW + 1, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, GW_REFRESH_ERROR, GW_REFRESH_ERROR_INVALID);
  g_clear_error (&error);

  g_clear_object (&one);
  g_clear_object (&two);
  g_clear_object (&bridge_one);
  g_clear_object (&bridge_two);
  redis_stop (&redis, SIGTERM);
}

static gboolean
hold (GwRedis    *bridge,
      const char *process_id,
      const char *user_id,
      guint       ttl_ms)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean first = FALSE;

  gw_redis_rooms_join_async (bridge, "room_1", process_id, user_id, user_id, "viewer", ttl_ms, NULL,
                             ld_test_store_result, &result);
  g_assert_true (gw_redis_rooms_join_finish (bridge, wait_result (&result), &first, NULL, &error));
  g_assert_no_error (error);
  return first;
}

static gboolean
release (GwRedis    *bridge,
         const char *process_id,
         const char *user_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean last = FALSE;

  gw_redis_rooms_leave_async (bridge, "room_1", process_id, user_id, NULL, ld_test_store_result, &result);
  g_assert_true (gw_redis_rooms_leave_finish (bridge, wait_result (&result), &last, &error));
  g_assert_no_error (error);
  return last;
}

static JsonArray *
renew (GwRedis    *bridge,
       const char *process_id,
       JsonArray  *viewers)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *reaped;

  gw_redis_rooms_refresh_async (bridge, "room_1", process_id, viewers, 60000, NULL, ld_test_store_result, &result);
  reaped = gw_redis_rooms_refresh_finish (bridge, wait_result (&result), &error);
  g_assert_no_error (error);
  return reaped;
}

static JsonObject *
room_info (GwRedis *bridge)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *info;

  gw_redis_rooms_get_info_async (bridge, "room_1", NULL, ld_test_store_result, &result);
  info = gw_redis_rooms_get_info_finish (bridge, wait_result (&result), &error);
  g_assert_no_error (error);
  return info;
}

/* The holds of processes on a room's viewers: first in and last out are
 * said once, a lapsed hold is reaped by one renewal only, and the room's
 * info lists the live ones. */
static void
test_room_holds (void)
{
  Redis redis = { NULL, test_free_port () };
  g_autoptr(GwRedis) bridge = NULL;
  g_autoptr(JsonArray) mine = json_array_new ();
  g_autoptr(JsonArray) reaped = NULL;
  g_autoptr(JsonArray) none = NULL;
  g_autoptr(JsonObject) info = NULL;
  g_autoptr(JsonObject) alice = json_object_new ();
  JsonArray *viewers;

  redis_start (&redis);
  bridge = connected_bridge (&redis);

  g_assert_true (hold (bridge, "p1", "bob", 60000));
  g_assert_false (hold (bridge, "p2", "bob", 60000));
  g_assert_false (release (bridge, "p1", "bob"));
  g_assert_true (release (bridge, "p2", "bob"));

  /* Carol's process stops renewing; the next renewal by another reaps her, once. */
  json_object_set_string_member (alice, "userId", "alice");
  json_object_set_string_member (alice, "username", "Alice Nguyễn");
  json_object_set_string_member (alice, "role", "moderator");
  json_array_add_object_element (mine, json_object_ref (alice));
  none = renew (bridge, "p4", mine);
  g_assert_cmpuint (json_array_get_length (none), ==, 0);
  g_clear_pointer (&none, json_array_unref);
  g_assert_true (hold (bridge, "p3", "carol", 100));
  test_spin (300);
  reaped = renew (bridge, "p4", mine);
  g_assert_cmpuint (json_array_get_length (reaped), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (reaped, 0), "userId"), ==, "carol");
  none = renew (bridge, "p4", mine);
  g_assert_cmpuint (json_array_get_length (none), ==, 0);

  gw_redis_rooms_set_info (bridge, "room_1", "Tonight", "live");
  info = room_info (bridge);
  g_assert_cmpstr (json_object_get_string_member (info, "title"), ==, "Tonight");
  g_assert_cmpstr (json_object_get_string_member (info, "status"), ==, "live");
  viewers = json_object_get_array_member (info, "viewers");
  g_assert_cmpuint (json_array_get_length (viewers), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (viewers, 0), "username"), ==,
                   "Alice Nguyễn");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (viewers, 0), "role"), ==,
                   "moderator");

  g_clear_object (&bridge);
  redis_stop (&redis, SIGTERM);
}

/* What is read from Redis is depth-checked before json-glib sees it, and
 * only an object of UTF-8 text without NULs gets through. */
static void
test_parse_object (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) nested = g_string_new (NULL);
  g_autoptr(GString) quoted = g_string_new ("{\"a\":\"");
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const refused[] = {
    "[1,2]", "\"text\"", "null", "42", "{\"a\":", "", "{\"a\":\"\xff\xfe\"}", NULL
  };

  object = gw_redis_parse_object (CHAT, strlen (CHAT), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (object, "roomId"), ==, "room1");
  g_clear_pointer (&object, json_object_unref);

  for (guint i = 0; refused[i] != NULL; i++)
    {
      g_assert_null (gw_redis_parse_object (refused[i], strlen (refused[i]), &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_clear_error (&error);
    }

  /* A NUL ends nothing: the bytes after it are part of the message. */
  g_assert_null (gw_redis_parse_object ("{}\0{\"a\":1}", 10, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* 100,000 brackets are refused by the scan, without a parse. */
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  g_assert_false (gw_redis_json_depth_ok (deep->str, deep->len, GW_REDIS_MAX_JSON_DEPTH));
  g_assert_null (gw_redis_parse_object (deep->str, deep->len, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* The limit itself passes, one more does not. */
  for (guint i = 0; i < GW_REDIS_MAX_JSON_DEPTH; i++)
    g_string_append (nested, "{\"a\":");
  g_string_append (nested, "1");
  for (guint i = 0; i < GW_REDIS_MAX_JSON_DEPTH; i++)
    g_string_append_c (nested, '}');
  object = gw_redis_parse_object (nested->str, nested->len, &error);
  g_assert_no_error (error);
  g_clear_pointer (&object, json_object_unref);
  g_string_prepend (nested, "{\"b\":");
  g_string_append_c (nested, '}');
  g_assert_null (gw_redis_parse_object (nested->str, nested->len, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* Brackets in strings, escaped quotes included, are text. */
  for (guint i = 0; i < 1000; i++)
    g_string_append (quoted, "[{\\\"");
  g_string_append (quoted, "\"}");
  object = gw_redis_parse_object (quoted->str, quoted->len, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (object, "a"), "[{\"[{"));
}

typedef struct
{
  gboolean     done;
  gboolean     ok;
  gboolean     allowed;
  LdRateWindow hit;
  gint64       retry_ms;
  GError      *error;
} Tried;

static void
on_tried (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Tried *tried = user_data;

  tried->ok = gw_redis_limits_try_finish (GW_REDIS (source), result, &tried->allowed, &tried->hit,
                                          &tried->retry_ms, &tried->error);
  tried->done = TRUE;
}

static Tried
try_limit (GwRedis    *bridge,
           LdRateRule  rule,
           const char *user)
{
  Tried tried = { 0 };

  gw_redis_limits_try_async (bridge, rule, user, NULL, on_tried, &tried);
  g_assert_true (test_wait_until (&tried.done, WAIT_MS));
  g_assert_no_error (tried.error);
  g_assert_true (tried.ok);
  return tried;
}

/* Two gateway processes on one Redis hold a user to one allowance: taken
 * in turns from both, the minute's getRoomInfo runs out at the rule's
 * number, not twice it; another user is untouched; the set is bounded and
 * expires. */
static void
test_shared_limit (void)
{
  Redis redis = { NULL, test_free_port () };
  g_autoptr(GwRedis) one = NULL;
  g_autoptr(GwRedis) two = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) size = NULL;
  g_autoptr(GVariant) ttl = NULL;
  guint n_windows;
  const LdRateWindow *windows = ld_rate_rule_get_windows (LD_RATE_RULE_ROOM_INFO, &n_windows);
  guint allowed = 0;
  Tried tried;

  g_assert_cmpuint (n_windows, ==, 2);
  redis_start (&redis);
  one = connected_bridge (&redis);
  two = connected_bridge (&redis);

  for (guint turn = 0;; turn++)
    {
      if (turn > 1000)
        g_error ("%u tries and the minute's limit never came", turn);
      tried = try_limit (turn % 2 == 0 ? one : two, LD_RATE_RULE_ROOM_INFO, "alice");
      if (tried.allowed)
        {
          allowed++;
          continue;
        }
      g_assert_cmpint (tried.retry_ms, >, 0);
      g_assert_cmpint (tried.retry_ms, <=, tried.hit.period_ms);
      if (tried.hit.period_ms == windows[1].period_ms)
        break;
      /* The second's window: wait it out, as a client told so would. */
      g_assert_cmpuint (tried.hit.max_events, ==, windows[0].max_events);
      test_spin ((guint) tried.retry_ms + 20);
    }
  g_assert_cmpuint (allowed, >=, windows[1].max_events);
  g_assert_cmpuint (tried.hit.max_events, ==, windows[1].max_events);

  tried = try_limit (two, LD_RATE_RULE_ROOM_INFO, "bob");
  g_assert_true (tried.allowed);

  size = command (one, (const char *[]) { "ZCARD", "livedesk:rate:getRoomInfo:alice", NULL }, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (size), <=, windows[1].max_events);
  ttl = command (one, (const char *[]) { "PTTL", "livedesk:rate:getRoomInfo:alice", NULL }, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (ttl), >, 0);
  g_assert_cmpint (g_variant_get_int64 (ttl), <=, windows[1].period_ms);

  g_clear_object (&one);
  g_clear_object (&two);
  redis_stop (&redis, SIGTERM);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *server = NULL;

  g_test_init (&argc, &argv, NULL);

  server = g_find_program_in_path ("redis-server");

  g_test_add_func ("/gw/redis/bad-uri", test_bad_uri);
  g_test_add_func ("/gw/redis/parse-object", test_parse_object);
  if (server != NULL)
    {
      g_test_add_func ("/gw/redis/publish-subscribe-reconnect", test_publish_subscribe_reconnect);
      g_test_add_func ("/gw/redis/starts-before-redis", test_starts_before_redis);
      g_test_add_func ("/gw/redis/password", test_password);
      g_test_add_func ("/gw/redis/command", test_command);
      g_test_add_func ("/gw/redis/refresh-store", test_refresh_store);
      g_test_add_func ("/gw/redis/room-holds", test_room_holds);
      g_test_add_func ("/gw/redis/shared-limit", test_shared_limit);
    }
  else
    g_printerr ("redis-server is not installed: the tests that need it are left out\n");

  return g_test_run ();
}
