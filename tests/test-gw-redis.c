/* test-gw-redis.c: the Redis bridge against a real redis-server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <string.h>

#include "gw-redis.h"
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

int
main (int   argc,
      char *argv[])
{
  g_autofree char *server = NULL;

  g_test_init (&argc, &argv, NULL);

  server = g_find_program_in_path ("redis-server");

  g_test_add_func ("/gw/redis/bad-uri", test_bad_uri);
  if (server != NULL)
    {
      g_test_add_func ("/gw/redis/publish-subscribe-reconnect", test_publish_subscribe_reconnect);
      g_test_add_func ("/gw/redis/starts-before-redis", test_starts_before_redis);
      g_test_add_func ("/gw/redis/password", test_password);
    }
  else
    g_printerr ("redis-server is not installed: the tests that need it are left out\n");

  return g_test_run ();
}
