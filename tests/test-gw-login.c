/* test-gw-login.c: guessing passwords against real `livedesk-gateway`
 * processes: two of them on one real redis-server share the account limit,
 * a burst of parallel guesses gets no further than the limit, and
 * --trusted-proxy (or the config file's trusted-proxy) decides whose
 * address a request counts against.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "gw-redis.h"
#include "gw-users.h"
#include "test-peer.h"
#include "test-redis.h"

#define SECRET "login-test-secret-0123456789abcdef0123456789"
#define PASSWORD "correct horse"
#define WAIT_S 30

static const char *program;

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *err;   /* its log lines, when asked for */
  guint             port;
} Gateway;

typedef struct
{
  char        *dir;
  char        *users;
  SoupSession *session;
  GSubprocess *redis;
  char        *redis_uri;
} Fixture;

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GwUsers) users = gw_users_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = gw_password_hash (PASSWORD, &error);

  g_assert_no_error (error);
  f->dir = g_dir_make_tmp ("livedesk-login-XXXXXX", &error);
  g_assert_no_error (error);
  f->users = g_build_filename (f->dir, "users.json", NULL);
  g_assert_true (gw_users_add (users, "alice", "alice", GW_ROLE_VIEWER, hash, &error));
  g_assert_true (gw_users_add (users, "bob", "bob", GW_ROLE_VIEWER, hash, &error));
  g_assert_true (gw_users_save_to_file (users, f->users, &error));
  g_assert_no_error (error);

  /* Parallel requests need parallel connections; no proxy from the environment. */
  f->session = soup_session_new_with_options ("max-conns", 64, "max-conns-per-host", 32, NULL);
  soup_session_set_proxy_resolver (f->session, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->redis != NULL)
    {
      g_subprocess_send_signal (f->redis, SIGKILL);
      g_subprocess_wait (f->redis, NULL, NULL);
      g_clear_object (&f->redis);
    }
  g_clear_object (&f->session);
  g_unlink (f->users);
  g_rmdir (f->dir);
  g_free (f->users);
  g_free (f->dir);
  g_free (f->redis_uri);
}

/* `livedesk-gateway serve --port 0 --users USERS ARGS…`, once it listens. */
static void
gateway_start (Fixture    *f,
               Gateway    *gateway,
               gboolean    read_log,
               const char *first_arg,
               ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | (read_log ? G_SUBPROCESS_FLAGS_STDERR_PIPE : 0));
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  va_list args;

  g_ptr_array_add (argv, (char *) program);
  g_ptr_array_add (argv, "--port");
  g_ptr_array_add (argv, "0");
  g_ptr_array_add (argv, "--users");
  g_ptr_array_add (argv, f->users);
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_setenv (launcher, "LIVEDESK_JWT_SECRET", SECRET, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  gateway->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (gateway->process));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (out), FALSE);
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening "));
  gateway->port = (guint) atoi (line + strlen ("listening "));
  g_assert_cmpuint (gateway->port, >, 0);

  if (read_log)
    gateway->err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (gateway->process));
}

static void
gateway_stop (Gateway *gateway)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (gateway->process, SIGTERM);
  g_subprocess_wait (gateway->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (gateway->process));
  g_assert_cmpint (g_subprocess_get_exit_status (gateway->process), ==, 0);
  g_clear_object (&gateway->err);
  g_clear_object (&gateway->process);
}

typedef struct
{
  guint    status;
  char    *retry_after;
  gboolean done;
} Response;

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      data)
{
  Response *r = data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);

  g_assert_no_error (error);
  r->status = soup_message_get_status (msg);
  r->retry_after = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After"));
  r->done = TRUE;
}

static void
login_start (Fixture    *f,
             Gateway    *gateway,
             const char *username,
             const char *password,
             const char *forwarded_for,
             Response   *r)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/auth/login", gateway->port);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *body;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, username);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);
  bytes = g_bytes_new_take (body, strlen (body));

  memset (r, 0, sizeof *r);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  if (forwarded_for != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Forwarded-For", forwarded_for);
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, on_sent, r);
}

static void
wait_response (Response *r)
{
  while (!r->done)
    g_main_context_iteration (NULL, TRUE);
}

/* The status of one login. */
static guint
login (Fixture    *f,
       Gateway    *gateway,
       const char *username,
       const char *password,
       const char *forwarded_for)
{
  Response r;

  login_start (f, gateway, username, password, forwarded_for, &r);
  wait_response (&r);
  if (r.status == 429)
    g_assert_cmpint (atoi (r.retry_after), >, 0);
  g_free (r.retry_after);
  return r.status;
}

/* Polls health until the gateway says Redis is connected. */
static void
wait_redis_connected (Fixture *f,
                      Gateway *gateway)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/system/health", gateway->port);
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr(GBytes) body = soup_session_send_and_read (f->session, msg, NULL, NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *node;

      g_assert_nonnull (body);
      /* The body is not NUL-terminated: parse it with its length. */
      if (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL) &&
          (node = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
          g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (node), "redis", ""),
                     "connected") == 0)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      test_spin (50);
    }
}

static void
on_command (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  GVariant **reply = data;
  g_autoptr(GError) error = NULL;

  *reply = gw_redis_command_finish (GW_REDIS (source), result, &error);
  g_assert_no_error (error);
}

/* One command on a fresh connection to the test's Redis. */
static GVariant *
redis_command (Fixture            *f,
               const char * const *argv)
{
  g_autoptr(GwRedis) redis = gw_redis_new (f->redis_uri, NULL);
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;
  GVariant *reply = NULL;

  gw_redis_start (redis);
  while (!gw_redis_get_connected (redis))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  gw_redis_command_async (redis, argv, NULL, on_command, &reply);
  while (reply == NULL)
    g_main_context_iteration (NULL, TRUE);
  return reply;
}

/* Two gateways on one Redis: a guesser spreading guesses over both gets ten
 * in all, not ten at each; parallel bursts at both included. */
static void
test_redis_shared (Fixture       *f,
                   gconstpointer  data)
{
  guint16 port = test_free_port ();
  Gateway one = { 0 }, two = { 0 };
  Response burst[20];
  guint unauthorized = 0, throttled = 0;

  f->redis = test_redis_start (port, NULL);
  f->redis_uri = g_strdup_printf ("redis://127.0.0.1:%u", port);
  gateway_start (f, &one, FALSE, "--redis", f->redis_uri, NULL);
  gateway_start (f, &two, FALSE, "--redis", f->redis_uri, NULL);
  wait_redis_connected (f, &one);
  wait_redis_connected (f, &two);

  /* Sequential: four at one, four at the other. */
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpuint (login (f, &one, "alice", "guess", NULL), ==, 401);
      g_assert_cmpuint (login (f, &two, "alice", "guess", NULL), ==, 401);
    }

  /* Then twenty at once, half at each: only two more reach a hash. */
  for (guint i = 0; i < G_N_ELEMENTS (burst); i++)
    login_start (f, i % 2 ? &one : &two, "alice", "guess", NULL, &burst[i]);
  for (guint i = 0; i < G_N_ELEMENTS (burst); i++)
    {
      wait_response (&burst[i]);
      if (burst[i].status == 401)
        unauthorized++;
      else
        {
          g_assert_cmpuint (burst[i].status, ==, 429);
          g_assert_cmpint (atoi (burst[i].retry_after), >, 0);
          throttled++;
        }
      g_free (burst[i].retry_after);
    }
  g_assert_cmpuint (unauthorized, ==, 2);
  g_assert_cmpuint (throttled, ==, 18);

  /* Locked at both, even with the right password; bob is not. */
  g_assert_cmpuint (login (f, &one, "alice", PASSWORD, NULL), ==, 429);
  g_assert_cmpuint (login (f, &two, "alice", PASSWORD, NULL), ==, 429);
  g_assert_cmpuint (login (f, &two, "bob", PASSWORD, NULL), ==, 200);
  g_assert_cmpuint (login (f, &one, "alice", PASSWORD, NULL), ==, 429);

  /* The counts are Redis keys that expire with the window: the account's
   * under a digest of the name, never the name as typed. */
  {
    g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "alice", -1);
    g_autofree char *account_key = g_strconcat ("livedesk:login:account:", digest, NULL);
    g_autoptr(GVariant) count = redis_command (f, (const char *[]) { "GET", account_key, NULL });
    g_autoptr(GVariant) ttl = redis_command (f, (const char *[]) { "TTL", account_key, NULL });
    g_autoptr(GVariant) address_ttl = redis_command (f, (const char *[]) { "TTL", "livedesk:login:address:127.0.0.1", NULL });

    g_assert_cmpstr (g_variant_get_string (count, NULL), ==, "10");
    g_assert_cmpint (g_variant_get_int64 (ttl), >, 0);
    g_assert_cmpint (g_variant_get_int64 (ttl), <=, 15 * 60);
    g_assert_cmpint (g_variant_get_int64 (address_ttl), >, 0);
  }

  /* A gateway started later sees the same count. */
  gateway_stop (&one);
  gateway_start (f, &one, FALSE, "--redis", f->redis_uri, NULL);
  wait_redis_connected (f, &one);
  g_assert_cmpuint (login (f, &one, "alice", PASSWORD, NULL), ==, 429);

  gateway_stop (&one);
  gateway_stop (&two);
}

/* Redis away: each process still counts on its own, so guessing is not free. */
static void
test_redis_away (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *uri = g_strdup_printf ("redis://127.0.0.1:%u", test_free_port ());
  Gateway gateway = { 0 };

  gateway_start (f, &gateway, FALSE, "--redis", uri, NULL);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (login (f, &gateway, "alice", "guess", NULL), ==, 401);
  g_assert_cmpuint (login (f, &gateway, "alice", "guess", NULL), ==, 429);
  /* Bob's password is checked, but no refresh token can be stored: 503. */
  g_assert_cmpuint (login (f, &gateway, "bob", PASSWORD, NULL), ==, 503);
  gateway_stop (&gateway);
}

/* The next login_failed line in GATEWAY's log; its addr= value. */
static char *
next_failed_address (Gateway *gateway)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (gateway->err, NULL, NULL, &error);
      const char *addr;

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (strstr (line, "event=login_failed") == NULL)
        continue;
      addr = strstr (line, " addr=");
      g_assert_nonnull (addr);
      addr += strlen (" addr=");
      return g_strndup (addr, strcspn (addr, " "));
    }
}

static void
expect_counted_as (Fixture    *f,
                   Gateway    *gateway,
                   const char *forwarded_for,
                   const char *expected)
{
  g_autofree char *address = NULL;

  g_assert_cmpuint (login (f, gateway, "alice", "guess", forwarded_for), ==, 401);
  address = next_failed_address (gateway);
  g_assert_cmpstr (address, ==, expected);
}

static void
test_trusted_proxy (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *config = g_build_filename (f->dir, "gateway.conf", NULL);
  g_autoptr(GError) error = NULL;
  Gateway direct = { 0 }, proxied = { 0 }, configured = { 0 };

  /* Without --trusted-proxy, the header is anyone's say-so and ignored. */
  gateway_start (f, &direct, TRUE, NULL);
  expect_counted_as (f, &direct, "203.0.113.9", "127.0.0.1");
  gateway_stop (&direct);

  gateway_start (f, &proxied, TRUE, "--trusted-proxy", "10.9.9.9", "--trusted-proxy", "127.0.0.1", NULL);
  expect_counted_as (f, &proxied, "203.0.113.9", "203.0.113.9");
  expect_counted_as (f, &proxied, "198.51.100.1, 203.0.113.10", "203.0.113.10");
  expect_counted_as (f, &proxied, NULL, "127.0.0.1");
  gateway_stop (&proxied);

  /* The same from the config file; a proxy list that is not addresses is refused. */
  g_file_set_contents (config, "[gateway]\ntrusted-proxy=127.0.0.0/8;10.9.9.9\n", -1, &error);
  g_assert_no_error (error);
  gateway_start (f, &configured, TRUE, "--config", config, NULL);
  expect_counted_as (f, &configured, "2001:db8::7", "2001:db8::7");
  gateway_stop (&configured);
  g_unlink (config);
}

static void
test_bad_trusted_proxy (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              program, "--port", "0", "--users", f->users, "--development",
                              "--trusted-proxy", "proxy.example", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
  g_assert_nonnull (strstr (err, "proxy.example"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_assert_cmpint (argc, ==, 2);
  program = argv[1];

  g_test_add ("/gw/login/redis-shared", Fixture, NULL, fixture_set_up, test_redis_shared, fixture_tear_down);
  g_test_add ("/gw/login/redis-away", Fixture, NULL, fixture_set_up, test_redis_away, fixture_tear_down);
  g_test_add ("/gw/login/trusted-proxy", Fixture, NULL, fixture_set_up, test_trusted_proxy, fixture_tear_down);
  g_test_add ("/gw/login/bad-trusted-proxy", Fixture, NULL, fixture_set_up, test_bad_trusted_proxy, fixture_tear_down);

  return g_test_run ();
}
