/* test-ld-health.c: the API's health as the guide checks it, against a real
 * HTTP server in the test (SoupServer on a free loopback port); the period
 * and the 5 s timeout run on an LdTestClock, so nothing waits for them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <libsoup/soup.h>

#include "ld-health.h"
#include "ld-test-clock.h"
#include "ld-test-util.h"

#define WAIT_MS 10000
#define WAIT_UNTIL(cond) LD_TEST_WAIT_UNTIL (cond, WAIT_MS)

typedef struct
{
  SoupServer   *server;
  LdTestClock  *clock;
  LdRestClient *rest;
  LdHealth     *health;

  /* What the server answers: STATUS with BODY, or nothing (SILENT). */
  guint         status;
  char         *body;
  gboolean      silent;
  guint         requests;
  GPtrArray    *held;  /* the messages left without an answer */
} Fixture;

static void
on_health_request (SoupServer        *server,
                   SoupServerMessage *message,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  Fixture *f = user_data;

  f->requests++;
  if (f->silent)
    {
      soup_server_message_pause (message);
      g_ptr_array_add (f->held, g_object_ref (message));
      return;
    }
  soup_server_message_set_status (message, f->status, NULL);
  if (f->body != NULL)
    soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, f->body, strlen (f->body));
}

static void
answer (Fixture    *f,
        guint       status,
        const char *body)
{
  f->silent = FALSE;
  f->status = status;
  g_free (f->body);
  f->body = g_strdup (body);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *base = NULL;

  f->held = g_ptr_array_new_with_free_func (g_object_unref);
  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, "/api/v1/system/health", on_health_request, f, NULL);
  soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  g_assert_nonnull (uris);
  base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));

  f->clock = ld_test_clock_new ();
  f->rest = ld_rest_client_new (base);
  f->health = ld_health_new (f->rest, LD_CLOCK (f->clock));
  answer (f, 200, "{\"status\":\"ok\"}");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->health);
  g_assert_finalize_object (f->clock);
  /* Let the held requests go, so the server closes cleanly. */
  for (guint i = 0; i < f->held->len; i++)
    {
      SoupServerMessage *message = g_ptr_array_index (f->held, i);

      soup_server_message_set_status (message, 503, NULL);
      soup_server_message_unpause (message);
    }
  g_ptr_array_unref (f->held);
  g_clear_object (&f->rest);
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_free (f->body);
}

/* Before any answer: not known to be up. */
static void
test_initial (Fixture       *f,
              gconstpointer  data)
{
  g_assert_false (ld_health_get_api_healthy (f->health));
  g_assert_cmpint (ld_health_get_redis_state (f->health), ==, LD_REDIS_STATE_UNKNOWN);
  g_assert_cmpuint (f->requests, ==, 0);
}

/* Any 2xx is up, whatever the body says; the Redis state is read from the
 * answer in each shape the platform sends it, unknown when it says none;
 * an error status is down. */
static void
test_answers (Fixture       *f,
              gconstpointer  data)
{
  answer (f, 200, "{\"status\":\"ok\",\"redis\":\"connected\"}");
  ld_health_check (f->health);
  WAIT_UNTIL (ld_health_get_api_healthy (f->health));
  g_assert_cmpint (ld_health_get_redis_state (f->health), ==, LD_REDIS_STATE_UP);

  answer (f, 200, "{\"status\":\"degraded\",\"redis\":\"disconnected\"}");
  ld_health_check (f->health);
  WAIT_UNTIL (ld_health_get_redis_state (f->health) == LD_REDIS_STATE_DOWN);
  g_assert_true (ld_health_get_api_healthy (f->health));

  answer (f, 200, "{\"services\":{\"redis\":{\"status\":\"up\"}}}");
  ld_health_check (f->health);
  WAIT_UNTIL (ld_health_get_redis_state (f->health) == LD_REDIS_STATE_UP);

  /* A gateway without Redis says "off": not known to be down. */
  answer (f, 200, "{\"status\":\"ok\",\"redis\":\"off\"}");
  ld_health_check (f->health);
  WAIT_UNTIL (ld_health_get_redis_state (f->health) == LD_REDIS_STATE_UNKNOWN);
  g_assert_true (ld_health_get_api_healthy (f->health));

  answer (f, 500, "{\"status\":\"error\"}");
  ld_health_check (f->health);
  WAIT_UNTIL (!ld_health_get_api_healthy (f->health));
  g_assert_cmpint (ld_health_get_redis_state (f->health), ==, LD_REDIS_STATE_UNKNOWN);

  /* 204, no body at all: still a 2xx. */
  answer (f, 204, NULL);
  ld_health_check (f->health);
  WAIT_UNTIL (ld_health_get_api_healthy (f->health));

  answer (f, 503, "{\"status\":\"down\",\"redis\":\"connected\"}");
  ld_health_check (f->health);
  WAIT_UNTIL (!ld_health_get_api_healthy (f->health));
  g_assert_cmpuint (f->requests, ==, 7);
}

/* A server that takes the request and never answers is down after 5 s of
 * the clock, not before; its answer coming later does not count. */
static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  answer (f, 200, "{\"redis\":\"connected\"}");
  ld_health_check (f->health);
  WAIT_UNTIL (ld_health_get_api_healthy (f->health));

  f->silent = TRUE;
  ld_health_check (f->health);
  WAIT_UNTIL (f->requests == 2);
  ld_test_clock_advance (f->clock, LD_HEALTH_TIMEOUT_MS - 1);
  g_assert_true (ld_health_get_api_healthy (f->health));
  g_assert_cmpint (ld_health_get_redis_state (f->health), ==, LD_REDIS_STATE_UP);
  ld_test_clock_advance (f->clock, 1);
  g_assert_false (ld_health_get_api_healthy (f->health));
  g_assert_cmpint (ld_health_get_redis_state (f->health), ==, LD_REDIS_STATE_UNKNOWN);

  /* The server answers at last: too late. A fresh check then counts. */
  soup_server_message_set_status (g_ptr_array_index (f->held, 0), 200, NULL);
  soup_server_message_unpause (g_ptr_array_index (f->held, 0));
  g_ptr_array_remove_index (f->held, 0);
  answer (f, 200, "{\"redis\":\"connected\"}");
  ld_health_check (f->health);
  WAIT_UNTIL (ld_health_get_api_healthy (f->health));
  g_assert_cmpuint (f->requests, ==, 3);
}

/* A check asked for while another is under way replaces it: the answer
 * that counts is the one to the latest question. */
static void
test_latest_counts (Fixture       *f,
                    gconstpointer  data)
{
  f->silent = TRUE;
  ld_health_check (f->health);
  WAIT_UNTIL (f->requests == 1);

  answer (f, 200, "{\"redis\":\"disconnected\"}");
  ld_health_check (f->health);
  WAIT_UNTIL (ld_health_get_api_healthy (f->health));
  g_assert_cmpint (ld_health_get_redis_state (f->health), ==, LD_REDIS_STATE_DOWN);
  /* The first one's timeout went with it. */
  ld_test_clock_advance (f->clock, LD_HEALTH_TIMEOUT_MS * 2);
  g_assert_true (ld_health_get_api_healthy (f->health));
}

/* Started: a check at once, then one every 30 s of the clock; stopped:
 * no more, and the last state stays. */
static void
test_period (Fixture       *f,
             gconstpointer  data)
{
  ld_health_start (f->health);
  WAIT_UNTIL (ld_health_get_api_healthy (f->health));
  g_assert_cmpuint (f->requests, ==, 1);

  answer (f, 500, NULL);
  ld_test_clock_advance (f->clock, LD_HEALTH_INTERVAL_MS - 1);
  g_assert_cmpuint (f->requests, ==, 1);
  ld_test_clock_advance (f->clock, 1);
  WAIT_UNTIL (!ld_health_get_api_healthy (f->health));
  g_assert_cmpuint (f->requests, ==, 2);

  answer (f, 200, NULL);
  ld_test_clock_advance (f->clock, LD_HEALTH_INTERVAL_MS);
  WAIT_UNTIL (ld_health_get_api_healthy (f->health));
  g_assert_cmpuint (f->requests, ==, 3);

  ld_health_stop (f->health);
  g_assert_cmpuint (ld_test_clock_get_n_pending (f->clock), ==, 0);
  ld_test_clock_advance (f->clock, LD_HEALTH_INTERVAL_MS * 10);
  g_assert_cmpuint (ld_test_clock_get_n_pending (f->clock), ==, 0);
  g_assert_true (ld_health_get_api_healthy (f->health));

  /* A shorter schedule, as a caller may set. */
  ld_health_set_schedule (f->health, 1000, 200);
  f->silent = TRUE;
  ld_health_start (f->health);
  WAIT_UNTIL (f->requests == 4);
  ld_test_clock_advance (f->clock, 200);
  g_assert_false (ld_health_get_api_healthy (f->health));
  answer (f, 200, NULL);
  ld_test_clock_advance (f->clock, 800);
  WAIT_UNTIL (ld_health_get_api_healthy (f->health));
  g_assert_cmpuint (f->requests, ==, 5);
  ld_health_stop (f->health);
}

/* Nothing listens any more: down at once, without waiting out the
 * timeout. */
static void
test_unreachable (Fixture       *f,
                  gconstpointer  data)
{
  ld_health_check (f->health);
  WAIT_UNTIL (ld_health_get_api_healthy (f->health));

  soup_server_disconnect (f->server);
  ld_health_check (f->health);
  WAIT_UNTIL (!ld_health_get_api_healthy (f->health));
  g_assert_cmpint (ld_health_get_redis_state (f->health), ==, LD_REDIS_STATE_UNKNOWN);
  g_assert_cmpint (ld_test_clock_get_next_due (f->clock), ==, -1);
  g_assert_cmpuint (f->requests, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/ld/health/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("initial", test_initial);
  ADD ("answers", test_answers);
  ADD ("timeout", test_timeout);
  ADD ("latest-counts", test_latest_counts);
  ADD ("period", test_period);
  ADD ("unreachable", test_unreachable);
#undef ADD

  return g_test_run ();
}
