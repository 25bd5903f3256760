/* test-gw-rest.c: the REST endpoints on a real SoupServer, through a real SoupSession.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

#include "gw-jwt.h"
#include "gw-metrics.h"
#include "gw-redis.h"
#include "gw-refresh.h"
#include "gw-rest.h"
#include "gw-users.h"

#define SECRET "rest-test-secret-0123456789abcdef0123456789"
#define PASSWORD "mật khẩu đúng"

typedef struct
{
  SoupServer     *server;
  SoupSession    *session;
  GwJwt          *jwt;
  GwRest         *rest;
  GwRefreshStore *refresh;
  GwUsers        *users;
  char           *base;
} Fixture;

typedef struct
{
  guint               status;
  JsonObject         *body;
  SoupMessageHeaders *headers;
  gboolean            done;
} Response;

static void
response_clear (Response *r)
{
  g_clear_pointer (&r->body, json_object_unref);
  g_clear_pointer (&r->headers, soup_message_headers_unref);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) secret = g_bytes_new_static (SECRET, strlen (SECRET));
  GwUsers *users = gw_users_new ();
  g_autofree char *hash = gw_password_hash (PASSWORD, NULL);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_assert_true (gw_users_add (users, "u1", "lan", GW_ROLE_STREAMER, hash, &error));
  g_assert_true (gw_users_add (users, "u2", "minh", GW_ROLE_VIEWER, hash, &error));
  f->users = users;
  f->jwt = gw_jwt_new (secret, &error);
  g_assert_no_error (error);
  f->refresh = gw_refresh_store_new (3600);
  f->rest = gw_rest_new (f->jwt, users, f->refresh);

  f->server = soup_server_new (NULL, NULL);
  gw_rest_attach (f->rest, f->server);
  soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (f->server);
  f->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);

  /* Enough connections for a burst of parallel logins to be parallel. */
  f->session = soup_session_new_with_options ("max-conns", 64, "max-conns-per-host", 32, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->session);
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_clear_object (&f->rest);
  g_clear_object (&f->refresh);
  g_clear_object (&f->users);
  g_clear_object (&f->jwt);
  g_free (f->base);
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      data)
{
  Response *r = data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data_ = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;

  g_assert_no_error (error);
  r->status = soup_message_get_status (msg);
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  if (len > 0 && json_parser_load_from_data (parser, data_, len, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    r->body = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  r->done = TRUE;
}

/* Sends without waiting; FORWARDED_FOR, if not NULL, goes in X-Forwarded-For. */
static void
request_start (Fixture    *f,
               const char *method,
               const char *path,
               const char *body,
               gsize       body_len,
               const char *forwarded_for,
               Response   *r)
{
  g_autofree char *url = g_strconcat (f->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);

  memset (r, 0, sizeof *r);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, body_len ? body_len : strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  if (forwarded_for != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Forwarded-For", forwarded_for);

  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, on_sent, r);
}

static void
request (Fixture    *f,
         const char *method,
         const char *path,
         const char *body,
         gsize       body_len,
         Response   *r)
{
  request_start (f, method, path, body, body_len, NULL, r);
  while (!r->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
assert_failure (Response   *r,
                guint       status,
                const char *code)
{
  JsonObject *error;

  g_assert_cmpuint (r->status, ==, status);
  g_assert_nonnull (r->body);
  g_assert_false (json_object_get_boolean_member (r->body, "success"));
  g_assert_nonnull (json_object_get_string_member (r->body, "message"));
  error = json_object_get_object_member (r->body, "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
}

static void
test_health (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GwRedis) redis = gw_redis_new ("redis://127.0.0.1:1", NULL);
  Response r;

  request (f, "GET", "/api/v1/system/health", NULL, 0, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (r.body, "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (r.body, "redis"), ==, "off");
  g_assert_cmpstr (json_object_get_string_member (r.body, "version"), ==, LIVEDESK_VERSION);
  g_assert_cmpint (json_object_get_int_member (r.body, "uptime"), >=, 0);
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "Access-Control-Allow-Origin"), ==, "*");
  response_clear (&r);

  gw_rest_set_redis (f->rest, redis);
  request (f, "GET", "/api/v1/system/health", NULL, 0, &r);
  g_assert_cmpstr (json_object_get_string_member (r.body, "redis"), ==, "disconnected");
  response_clear (&r);
}

static char *
login_body (const char *username,
            const char *password)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, username);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static void
login_start (Fixture    *f,
             const char *username,
             const char *password,
             const char *forwarded_for,
             Response   *r)
{
  g_autofree char *body = login_body (username, password);

  request_start (f, "POST", "/api/v1/auth/login", body, 0, forwarded_for, r);
}

static void
login_from (Fixture    *f,
            const char *username,
            const char *password,
            const char *forwarded_for,
            Response   *r)
{
  login_start (f, username, password, forwarded_for, r);
  while (!r->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
login (Fixture    *f,
       const char *username,
       const char *password,
       Response   *r)
{
  login_from (f, username, password, NULL, r);
}

static void
assert_tokens (Fixture  *f,
               Response *r)
{
  g_autoptr(GwJwtClaims) claims = NULL;
  g_autoptr(GDateTime) expires = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Cache-Control"), ==, "no-store");
  claims = gw_jwt_verify (f->jwt, json_object_get_string_member (r->body, "accessToken"), now, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (claims->sub, ==, "u1");
  g_assert_cmpstr (claims->name, ==, "lan");
  g_assert_cmpint (claims->role, ==, GW_ROLE_STREAMER);
  g_assert_cmpuint (strlen (json_object_get_string_member (r->body, "refreshToken")), >=, 43);

  expires = g_date_time_new_from_iso8601 (json_object_get_string_member (r->body, "expiresAt"), NULL);
  g_assert_nonnull (expires);
  g_assert_cmpint (g_date_time_to_unix (expires), ==, claims->exp);
  g_assert_cmpint (claims->exp - now, >, GW_REST_DEFAULT_ACCESS_TTL_SECONDS - 60);
}

static void
test_login (Fixture       *f,
            gconstpointer  data)
{
  Response r, wrong, unknown;

  login (f, "lan", PASSWORD, &r);
  assert_tokens (f, &r);
  response_clear (&r);

  login (f, "lan", "mật khẩu sai", &wrong);
  assert_failure (&wrong, 401, "UNAUTHENTICATED");

  /* An unknown name gets the very same answer: no probing for accounts. */
  login (f, "nobody", PASSWORD, &unknown);
  assert_failure (&unknown, 401, "UNAUTHENTICATED");
  g_assert_cmpstr (json_object_get_string_member (wrong.body, "message"), ==,
                   json_object_get_string_member (unknown.body, "message"));
  response_clear (&wrong);
  response_clear (&unknown);
}

static void
test_login_limit (Fixture       *f,
                  gconstpointer  data)
{
  Response r;

  gint64 failures = gw_metrics_get ("livedesk_login_failures_total", NULL);
  gint64 throttled = gw_metrics_get ("livedesk_login_throttled_total", "scope=\"account\"");

  for (guint i = 0; i < 10; i++)
    {
      login (f, "lan", "guess", &r);
      assert_failure (&r, 401, "UNAUTHENTICATED");
      response_clear (&r);
    }

  /* The 11th: even the right password waits now, otherwise guessing could go on. */
  login (f, "lan", PASSWORD, &r);
  assert_failure (&r, 429, "RATE_LIMITED");
  g_assert_cmpint (atoi (soup_message_headers_get_one (r.headers, "Retry-After")), >, 0);
  g_assert_cmpint (atoi (soup_message_headers_get_one (r.headers, "Retry-After")), <=, 15 * 60);
  response_clear (&r);

  /* Another account from the same address is not locked out... */
  login (f, "minh", PASSWORD, &r);
  g_assert_cmpuint (r.status, ==, 200);
  response_clear (&r);
  /* ...and its success does not reset the first one. */
  login (f, "lan", PASSWORD, &r);
  assert_failure (&r, 429, "RATE_LIMITED");
  response_clear (&r);

  g_assert_cmpint (gw_metrics_get ("livedesk_login_failures_total", NULL) - failures, ==, 10);
  g_assert_cmpint (gw_metrics_get ("livedesk_login_throttled_total", "scope=\"account\"") - throttled, ==, 2);
}

/* Twenty wrong passwords at once: at most ten reach the hash. */
static void
test_login_parallel (Fixture       *f,
                     gconstpointer  data)
{
  Response r[20];
  guint unauthorized = 0;
  guint throttled = 0;
  gint64 failures = gw_metrics_get ("livedesk_login_failures_total", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    {
      g_autofree char *guess = g_strdup_printf ("guess %u", i);

      login_start (f, "lan", guess, NULL, &r[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    while (!r[i].done)
      g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    {
      if (r[i].status == 401)
        {
          assert_failure (&r[i], 401, "UNAUTHENTICATED");
          unauthorized++;
        }
      else
        {
          assert_failure (&r[i], 429, "RATE_LIMITED");
          g_assert_nonnull (soup_message_headers_get_one (r[i].headers, "Retry-After"));
          throttled++;
        }
      response_clear (&r[i]);
    }
  g_assert_cmpuint (unauthorized, ==, 10);
  g_assert_cmpuint (throttled, ==, 10);
  g_assert_cmpint (gw_metrics_get ("livedesk_login_failures_total", NULL) - failures, ==, 10);
}

static void
on_authenticated (GObject      *object,
                  GAsyncResult *result,
                  gpointer      data)
{
  guint *done = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GwUser) user = gw_users_authenticate_finish (GW_USERS (object), result, &error);

  g_assert_error (error, GW_USERS_ERROR, GW_USERS_ERROR_BAD_CREDENTIALS);
  (*done)++;
}

/* A full hash queue answers 503 with Retry-After, and costs no attempt. */
static void
test_hash_queue_full (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GMainContext) other = g_main_context_new ();
  gint64 full = gw_metrics_get ("livedesk_hash_queue_full_total", NULL);
  guint done = 0;
  Response r;

  /* One check at a time and two waiting: three checks taken, their results
   * held on a context nothing runs until the test says so. */
  gw_users_set_hash_queue (f->users, 1, 2);
  g_main_context_push_thread_default (other);
  for (guint i = 0; i < 3; i++)
    gw_users_authenticate_async (f->users, "lan", "guess", NULL, on_authenticated, &done);
  g_main_context_pop_thread_default (other);
  g_assert_cmpuint (gw_users_get_hash_queue_length (f->users), ==, 3);

  login (f, "minh", PASSWORD, &r);
  assert_failure (&r, 503, "INTERNAL");
  g_assert_cmpint (atoi (soup_message_headers_get_one (r.headers, "Retry-After")), >, 0);
  response_clear (&r);
  g_assert_cmpint (gw_metrics_get ("livedesk_hash_queue_full_total", NULL) - full, ==, 1);
  g_assert_cmpuint (gw_login_guard_get_account_count (gw_rest_get_login_guard (f->rest), "minh"), ==, 0);

  /* Every check taken still ran to its end. */
  while (done < 3)
    g_main_context_iteration (other, TRUE);
  g_assert_cmpuint (gw_users_get_hash_queue_length (f->users), ==, 0);

  login (f, "minh", PASSWORD, &r);
  g_assert_cmpuint (r.status, ==, 200);
  response_clear (&r);
}

/* Three wrong passwords for three accounts from FORWARDED_FOR. */
static void
fail_three_from (Fixture    *f,
                 const char *forwarded_for)
{
  Response r;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *account = g_strdup_printf ("someone%u", i);

      login_from (f, account, "guess", forwarded_for, &r);
      assert_failure (&r, 401, "UNAUTHENTICATED");
      response_clear (&r);
    }
}

static void
test_forwarded_for_untrusted (Fixture       *f,
                              gconstpointer  data)
{
  gint64 throttled = gw_metrics_get ("livedesk_login_throttled_total", "scope=\"address\"");
  Response r;

  gw_rest_set_login_limits (f->rest, 10, 3, 600);
  fail_three_from (f, "203.0.113.1");

  /* Not from a trusted proxy: the header is ignored, so a new one changes nothing. */
  login_from (f, "minh", PASSWORD, "203.0.113.2", &r);
  assert_failure (&r, 429, "RATE_LIMITED");
  response_clear (&r);
  g_assert_cmpint (gw_metrics_get ("livedesk_login_throttled_total", "scope=\"address\"") - throttled, ==, 1);
}

static void
test_forwarded_for_trusted (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GwTrustedProxies) proxies = gw_trusted_proxies_new ((const char *[]) { "127.0.0.1", NULL }, NULL);
  Response r;

  gw_rest_set_login_limits (f->rest, 10, 3, 600);
  gw_rest_set_trusted_proxies (f->rest, proxies);
  fail_three_from (f, "203.0.113.1");

  login_from (f, "minh", PASSWORD, "203.0.113.1", &r);
  assert_failure (&r, 429, "RATE_LIMITED");
  response_clear (&r);
  /* What the client writes left of its own address does not get it out. */
  login_from (f, "minh", PASSWORD, "198.51.100.50, 203.0.113.1", &r);
  assert_failure (&r, 429, "RATE_LIMITED");
  response_clear (&r);

  /* Another client behind the same proxy, and the proxy itself, are fine. */
  login_from (f, "minh", PASSWORD, "203.0.113.2", &r);
  g_assert_cmpuint (r.status, ==, 200);
  response_clear (&r);
  login (f, "minh", PASSWORD, &r);
  g_assert_cmpuint (r.status, ==, 200);
  response_clear (&r);
}

static void
refresh (Fixture    *f,
         const char *token,
         Response   *r)
{
  g_autofree char *body = g_strdup_printf ("{\"refreshToken\":\"%s\"}", token);

  request (f, "POST", "/api/v1/auth/refresh-token", body, 0, r);
}

static void
test_refresh_rotation (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  Response r;

  login (f, "lan", PASSWORD, &r);
  first = g_strdup (json_object_get_string_member (r.body, "refreshToken"));
  response_clear (&r);

  refresh (f, first, &r);
  assert_tokens (f, &r);
  second = g_strdup (json_object_get_string_member (r.body, "refreshToken"));
  g_assert_cmpstr (second, !=, first);
  response_clear (&r);

  /* The traded-in token is refused, and replaying it signs the chain out. */
  refresh (f, first, &r);
  assert_failure (&r, 401, "UNAUTHENTICATED");
  response_clear (&r);
  refresh (f, second, &r);
  assert_failure (&r, 401, "UNAUTHENTICATED");
  response_clear (&r);

  refresh (f, "not-a-token", &r);
  assert_failure (&r, 401, "UNAUTHENTICATED");
  response_clear (&r);
}

static void
test_bad_requests (Fixture       *f,
                   gconstpointer  data)
{
  const char *bodies[] = {
    "{not json",
    "[\"lan\", \"pw\"]",
    "{\"username\": 5, \"password\": \"x\"}",
    "{\"username\": \"lan\"}",
    "{\"username\": \"lan\", \"password\": null}",
  };
  g_autofree char *huge = g_strnfill (200 * 1024, ' ');
  Response r;

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      request (f, "POST", "/api/v1/auth/login", bodies[i], 0, &r);
      assert_failure (&r, 400, "INVALID_PAYLOAD");
      response_clear (&r);
    }

  request (f, "POST", "/api/v1/auth/login", NULL, 0, &r);
  assert_failure (&r, 400, "INVALID_PAYLOAD");
  response_clear (&r);

  request (f, "POST", "/api/v1/auth/refresh-token", "{\"refreshToken\": 42}", 0, &r);
  assert_failure (&r, 400, "INVALID_PAYLOAD");
  response_clear (&r);

  huge[0] = '{';
  request (f, "POST", "/api/v1/auth/login", huge, 0, &r);
  assert_failure (&r, 413, "INVALID_PAYLOAD");
  response_clear (&r);

  /* Chunked, so no Content-Length to refuse it by early: refused once read. */
  {
    g_autofree char *url = g_strconcat (f->base, "/api/v1/auth/login", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (g_strdup (huge), 200 * 1024, g_free);

    soup_message_set_request_body (msg, "application/json", stream, -1);
    memset (&r, 0, sizeof r);
    soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, on_sent, &r);
    while (!r.done)
      g_main_context_iteration (NULL, TRUE);
    assert_failure (&r, 413, "INVALID_PAYLOAD");
    response_clear (&r);
  }

  /* The server is still fine afterwards. */
  request (f, "GET", "/api/v1/system/health", NULL, 0, &r);
  g_assert_cmpuint (r.status, ==, 200);
  response_clear (&r);

  request (f, "GET", "/api/v1/auth/login", NULL, 0, &r);
  assert_failure (&r, 405, "INVALID_PAYLOAD");
  g_assert_nonnull (strstr (soup_message_headers_get_one (r.headers, "Allow"), "POST"));
  response_clear (&r);

  request (f, "GET", "/api/v1/nothing-here", NULL, 0, &r);
  assert_failure (&r, 404, "NOT_FOUND");
  response_clear (&r);
}

static void
test_cors_preflight (Fixture       *f,
                     gconstpointer  data)
{
  Response r;

  request (f, "OPTIONS", "/api/v1/auth/login", NULL, 0, &r);
  g_assert_cmpuint (r.status, ==, 204);
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "Access-Control-Allow-Origin"), ==, "*");
  g_assert_nonnull (strstr (soup_message_headers_get_one (r.headers, "Access-Control-Allow-Methods"), "POST"));
  g_assert_nonnull (strstr (soup_message_headers_get_one (r.headers, "Access-Control-Allow-Headers"), "Content-Type"));
  response_clear (&r);

  gw_rest_set_allowed_origin (f->rest, "https://live.example.org");
  request (f, "GET", "/api/v1/system/health", NULL, 0, &r);
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "Access-Control-Allow-Origin"), ==, "https://live.example.org");
  response_clear (&r);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/gw/rest/health", Fixture, NULL, fixture_set_up, test_health, fixture_tear_down);
  g_test_add ("/gw/rest/login", Fixture, NULL, fixture_set_up, test_login, fixture_tear_down);
  g_test_add ("/gw/rest/login-limit", Fixture, NULL, fixture_set_up, test_login_limit, fixture_tear_down);
  g_test_add ("/gw/rest/login-parallel", Fixture, NULL, fixture_set_up, test_login_parallel, fixture_tear_down);
  g_test_add ("/gw/rest/hash-queue-full", Fixture, NULL, fixture_set_up, test_hash_queue_full, fixture_tear_down);
  g_test_add ("/gw/rest/forwarded-for-untrusted", Fixture, NULL, fixture_set_up, test_forwarded_for_untrusted,
              fixture_tear_down);
  g_test_add ("/gw/rest/forwarded-for-trusted", Fixture, NULL, fixture_set_up, test_forwarded_for_trusted,
              fixture_tear_down);
  g_test_add ("/gw/rest/refresh-rotation", Fixture, NULL, fixture_set_up, test_refresh_rotation, fixture_tear_down);
  g_test_add ("/gw/rest/bad-requests", Fixture, NULL, fixture_set_up, test_bad_requests, fixture_tear_down);
  g_test_add ("/gw/rest/cors-preflight", Fixture, NULL, fixture_set_up, test_cors_preflight, fixture_tear_down);

  return g_test_run ();
}
