/* test-gw-operators.c: what an operator of `livedesk-gateway serve` relies
 * on: /metrics in the Prometheus format (on the API port, or only on a
 * private --metrics-address), --log-level, the shutdown on SIGTERM that an
 * official socket.io client notices, and the service manager's
 * notifications (READY=1, WATCHDOG=1, STOPPING=1 on NOTIFY_SOCKET).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "gw-jwt.h"
#include "gw-test-fixture.h"
#include "gw-users.h"
#include "test-redis.h"

#define SECRET "operators-test-secret-0123456789abcdef01234567"

static const char *program;

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

typedef struct
{
  char        *dir;
  char        *users;
  GSubprocess *process;
  guint        port;
  SoupSession *session;
  gboolean     signalled;   /* SIGTERM sent already: a second would mean "exit at once" */
} Gateway;

static char *
write_users_file (const char *dir)
{
  g_autoptr(GwUsers) users = gw_users_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = gw_password_hash ("correct horse", &error);
  char *path = g_build_filename (dir, "users.json", NULL);

  g_assert_no_error (error);
  gw_users_add (users, "alice", "Alice", GW_ROLE_VIEWER, hash, &error);
  g_assert_no_error (error);
  gw_users_save_to_file (users, path, &error);
  g_assert_no_error (error);

  return path;
}

/* Starts `livedesk-gateway --port 0 --users USERS ARGS…` with ENVIRONMENT
 * (NULL-terminated NAME, VALUE pairs, may be NULL) and reads the port from
 * "listening PORT". Its standard error is kept for gateway_stop(). */
static void
gateway_start (Gateway             *gateway,
               const char * const  *args,
               const char * const  *environment)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  gateway->dir = g_dir_make_tmp ("livedesk-operators-XXXXXX", &error);
  g_assert_no_error (error);
  gateway->users = write_users_file (gateway->dir);
  gateway->session = soup_session_new ();
  /* A proxy from the environment must not stand between us and 127.0.0.1. */
  soup_session_set_proxy_resolver (gateway->session, NULL);

  g_ptr_array_add (argv, (gpointer) program);
  g_ptr_array_add (argv, "--port");
  g_ptr_array_add (argv, "0");
  g_ptr_array_add (argv, "--users");
  g_ptr_array_add (argv, gateway->users);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_setenv (launcher, "LIVEDESK_JWT_SECRET", SECRET, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "NOTIFY_SOCKET");
  g_subprocess_launcher_unsetenv (launcher, "WATCHDOG_USEC");
  for (guint i = 0; environment != NULL && environment[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, environment[i], environment[i + 1], TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  gateway->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (gateway->process));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (out), FALSE);
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening "));
  gateway->port = (guint) g_ascii_strtoull (line + strlen ("listening "), NULL, 10);
  g_assert_cmpuint (gateway->port, >, 0);
}

/* SIGTERM; asserts the process exits 0 and returns what it logged. */
static char *
gateway_stop (Gateway *gateway)
{
  g_autoptr(GOutputStream) err = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  char *log;

  if (!gateway->signalled)
    g_subprocess_send_signal (gateway->process, SIGTERM);
  g_output_stream_splice (err, g_subprocess_get_stderr_pipe (gateway->process),
                          G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait (gateway->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (gateway->process));
  g_assert_cmpint (g_subprocess_get_exit_status (gateway->process), ==, 0);
  g_clear_object (&gateway->process);

  log = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (err)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (err)));
  g_test_message ("%s", log);

  g_unlink (gateway->users);
  g_rmdir (gateway->dir);
  g_clear_pointer (&gateway->users, g_free);
  g_clear_pointer (&gateway->dir, g_free);
  g_clear_object (&gateway->session);
  return log;
}

/* GETs URL: the status, the body in *BODY and the Content-Type in *TYPE. */
static guint
get (SoupSession  *session,
     const char   *url,
     char        **body,
     char        **type)
{
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = soup_session_send_and_read (session, message, NULL, &error);

  g_assert_no_error (error);
  if (body != NULL)
    *body = g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
  if (type != NULL)
    *type = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (message), "Content-Type"));
  return soup_message_get_status (message);
}

static guint
post (SoupSession *session,
      guint        port,
      const char  *path,
      const char  *body)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;

  soup_message_set_request_body_from_bytes (message, "application/json", request);
  reply = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  return soup_message_get_status (message);
}

static char *
mint (const char *user_id,
      const char *name)
{
  g_autoptr(GBytes) secret = g_bytes_new_static (SECRET, strlen (SECRET));
  g_autoptr(GError) error = NULL;
  g_autoptr(GwJwt) jwt = gw_jwt_new (secret, &error);

  g_assert_no_error (error);
  return gw_test_mint (jwt, user_id, name, GW_ROLE_VIEWER, 900);
}

/* The value of the sample "NAME VALUE" in an exposition; fails if absent. */
static gint64
sample (const char *text,
        const char *name)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], name) && lines[i][strlen (name)] == ' ')
      return g_ascii_strtoll (lines[i] + strlen (name) + 1, NULL, 10);
  g_error ("no sample %s in:\n%s", name, text);
  return -1;
}

/* Each line of a Prometheus text exposition is a comment or "name[{…}] value". */
static void
assert_exposition (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GRegex) sample_line = g_regex_new ("^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*\\})? -?[0-9]+$", 0, 0, NULL);
  g_autoptr(GRegex) comment = g_regex_new ("^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* "
                                           "(counter|gauge|untyped))$", 0, 0, NULL);

  g_assert_true (g_str_has_suffix (text, "\n"));
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      if (!g_regex_match (lines[i][0] == '#' ? comment : sample_line, lines[i], 0, NULL))
        g_error ("not a Prometheus text line: “%s”", lines[i]);
    }
}

static void
assert_declared (const char *text,
                 const char *name,
                 const char *type)
{
  g_autofree char *help = g_strdup_printf ("# HELP %s ", name);
  g_autofree char *type_line = g_strdup_printf ("# TYPE %s %s\n", name, type);

  g_assert_nonnull (strstr (text, help));
  g_assert_nonnull (strstr (text, type_line));
}

/* /metrics on the API port: the declared names with their types, and
 * gauges that follow what a client does. */
static void
test_metrics (void)
{
  Gateway gateway = { 0 };
  g_autoptr(GwTestClients) peer = NULL;
  g_autofree char *url = NULL;
  g_autofree char *body = NULL;
  g_autofree char *after = NULL;
  g_autofree char *type = NULL;
  g_autofree char *token = mint ("alice", "Alice");
  g_autofree char *log = NULL;
  g_autoptr(SoupMessage) wrong = NULL;
  g_autoptr(GBytes) ignored = NULL;

  gateway_start (&gateway, NULL, NULL);
  url = g_strdup_printf ("http://127.0.0.1:%u/metrics", gateway.port);

  g_assert_cmpuint (get (gateway.session, url, &body, &type), ==, SOUP_STATUS_OK);
  g_assert_cmpstr (type, ==, "text/plain; version=0.0.4; charset=utf-8");
  assert_exposition (body);
  assert_declared (body, "livedesk_refusals_total", "counter");
  assert_declared (body, "livedesk_slow_consumer_disconnects_total", "counter");
  assert_declared (body, "livedesk_request_body_rejections_total", "counter");
  assert_declared (body, "livedesk_login_failures_total", "counter");
  assert_declared (body, "livedesk_deliveries_total", "counter");
  assert_declared (body, "livedesk_connections", "gauge");
  assert_declared (body, "livedesk_authenticated_users", "gauge");
  assert_declared (body, "livedesk_rooms", "gauge");
  assert_declared (body, "livedesk_redis_connected", "gauge");
  g_assert_cmpint (sample (body, "livedesk_connections"), ==, 0);
  g_assert_cmpint (sample (body, "livedesk_authenticated_users"), ==, 0);
  g_assert_cmpint (sample (body, "livedesk_rooms"), ==, 0);
  g_assert_cmpint (sample (body, "livedesk_redis_connected"), ==, 0);
  g_assert_cmpint (sample (body, "livedesk_deliveries_total"), ==, 0);

  /* A scrape changes nothing: only GET and HEAD. */
  wrong = soup_message_new ("POST", url);
  ignored = soup_session_send_and_read (gateway.session, wrong, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (wrong), ==, SOUP_STATUS_METHOD_NOT_ALLOWED);

  peer = gw_test_clients_new (gateway.port);
  gw_test_connect (peer, "a", token, 0);
  gw_test_join (peer, "a", "room_1");

  g_assert_cmpuint (get (gateway.session, url, &after, NULL), ==, SOUP_STATUS_OK);
  assert_exposition (after);
  g_assert_cmpint (sample (after, "livedesk_connections"), ==, 1);
  g_assert_cmpint (sample (after, "livedesk_authenticated_users"), ==, 1);
  g_assert_cmpint (sample (after, "livedesk_rooms"), ==, 1);
  /* connected, authSuccess, joinedRoom at least */
  g_assert_cmpint (sample (after, "livedesk_deliveries_total"), >=, 3);

  log = gateway_stop (&gateway);
}

/* --metrics-address: /metrics is served there only, the public port says 404. */
static void
test_metrics_address (void)
{
  Gateway gateway = { 0 };
  guint16 port = test_free_port ();
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", port);
  const char *args[] = { "--metrics-address", address, NULL };
  g_autofree char *public_url = NULL;
  g_autofree char *private_url = g_strdup_printf ("http://%s/metrics", address);
  g_autofree char *body = NULL;
  g_autofree char *log = NULL;

  gateway_start (&gateway, args, NULL);
  public_url = g_strdup_printf ("http://127.0.0.1:%u/metrics", gateway.port);

  g_assert_cmpuint (get (gateway.session, public_url, NULL, NULL), ==, SOUP_STATUS_NOT_FOUND);
  g_assert_cmpuint (get (gateway.session, private_url, &body, NULL), ==, SOUP_STATUS_OK);
  assert_exposition (body);
  assert_declared (body, "livedesk_connections", "gauge");
  /* and the API is still on the public port */
  g_assert_cmpuint (post (gateway.session, gateway.port, "/api/v1/auth/login",
                          "{\"username\":\"Alice\",\"password\":\"correct horse\"}"), ==, SOUP_STATUS_OK);

  log = gateway_stop (&gateway);
}

/* SIGTERM with an official client connected: the client sees the transport
 * close (so it would reconnect, to another gateway) and the process exits 0. */
static void
test_sigterm_drains (void)
{
  Gateway gateway = { 0 };
  const char *args[] = { "--drain-timeout", "30", NULL };
  g_autoptr(GwTestClients) peer = NULL;
  g_autoptr(JsonObject) gone_a = NULL;
  g_autoptr(JsonObject) gone_b = NULL;
  g_autofree char *token = mint ("alice", "Alice");
  g_autofree char *log = NULL;

  gateway_start (&gateway, args, NULL);
  peer = gw_test_clients_new (gateway.port);
  gw_test_connect (peer, "a", token, 0);
  gw_test_connect (peer, "b", NULL, 0);
  gw_test_join (peer, "a", "room_1");

  log = gateway_stop (&gateway);
  gone_a = gw_test_expect_full (peer, "disconnect", "a", NULL, NULL);
  gone_b = gw_test_expect_full (peer, "disconnect", "b", NULL, NULL);
  /* An Engine.IO close, not a Socket.IO DISCONNECT ("io server disconnect"),
   * after which socket.io-client would not reconnect by itself. */
  g_assert_cmpstr (json_object_get_string_member (gone_a, "reason"), ==, "transport close");
  g_assert_cmpstr (json_object_get_string_member (gone_b, "reason"), ==, "transport close");
  g_assert_nonnull (strstr (log, "event=shutdown clients=2"));
  g_assert_null (strstr (log, "event=drain_expired"));
}

/* One connection's life and a failed sign-in, at LEVEL (NULL: the default)
 * given on the command line, or in the --config file if IN_CONFIG; what
 * was logged. */
static char *
log_at_level (const char *level,
              gboolean    in_config)
{
  Gateway gateway = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_dir = NULL;
  g_autofree char *config_text = g_strdup_printf ("[gateway]\nlog-level=%s\n", level);
  const char *args[] = { in_config ? "--config" : "--log-level", level, NULL };
  g_autoptr(GwTestClients) peer = NULL;
  g_autofree char *token = mint ("alice", "Alice");
  char *log;

  if (in_config)
    {
      config_dir = g_dir_make_tmp ("livedesk-operators-XXXXXX", &error);
      g_assert_no_error (error);
      config = g_build_filename (config_dir, "gateway.conf", NULL);
      g_file_set_contents (config, config_text, -1, &error);
      g_assert_no_error (error);
      args[1] = config;
    }
  gateway_start (&gateway, level != NULL ? args : NULL, NULL);
  g_assert_cmpuint (post (gateway.session, gateway.port, "/api/v1/auth/login",
                          "{\"username\":\"Alice\",\"password\":\"battery staple\"}"), ==, SOUP_STATUS_UNAUTHORIZED);
  peer = gw_test_clients_new (gateway.port);
  gw_test_connect (peer, "a", token, 0);
  test_peer_send (peer->peer, "{\"cmd\":\"disconnect\",\"id\":\"a\"}");
  json_object_unref (gw_test_expect_full (peer, "disconnect", "a", NULL, NULL));
  /* The gateway has seen the disconnect once a later request is answered. */
  g_assert_cmpuint (post (gateway.session, gateway.port, "/api/v1/auth/login",
                          "{\"username\":\"Nobody\",\"password\":\"x\"}"), ==, SOUP_STATUS_UNAUTHORIZED);

  log = gateway_stop (&gateway);
  if (config != NULL)
    {
      g_unlink (config);
      g_rmdir (config_dir);
    }
  return log;
}

/* info (the default): no line per connection, but a summary line that
 * counts them, and sign-in failures on their own lines; debug: a line per
 * event; warning: no info or notice line at all. */
static void
test_log_levels (void)
{
  g_autofree char *info = log_at_level (NULL, FALSE);
  g_autofree char *debug = log_at_level ("debug", FALSE);
  g_autofree char *warning = log_at_level ("warning", FALSE);
  g_autofree char *warning_in_config = log_at_level ("warning", TRUE);

  g_assert_null (strstr (info, "event=connect "));
  g_assert_null (strstr (info, "event=auth "));
  g_assert_null (strstr (info, "event=disconnect "));
  g_assert_nonnull (strstr (info, "level=info domain=livedesk-gateway event=summary"));
  g_assert_nonnull (strstr (info, " connected=1 authenticated=1 disconnected=1"));
  g_assert_nonnull (strstr (info, "event=login_failed addr=127.0.0.1 code=UNAUTHENTICATED"));

  g_assert_nonnull (strstr (debug, "level=debug domain=livedesk-gateway event=connect sid="));
  g_assert_nonnull (strstr (debug, "event=auth sid="));
  g_assert_nonnull (strstr (debug, "event=disconnect sid="));
  g_assert_nonnull (strstr (debug, "event=login_failed addr=127.0.0.1"));

  g_assert_null (strstr (warning, "level=info"));
  g_assert_null (strstr (warning, "level=notice"));
  g_assert_null (strstr (warning, "level=debug"));
  g_assert_null (strstr (warning, "event="));
  g_assert_null (strstr (warning_in_config, "event="));
}

/* Operator typos are refused at start-up (status 2), with the option named. */
static void
test_bad_options (void)
{
  const char *cases[][3] = {
    { "--log-level", "loud", "--log-level" },
    { "--metrics-address", "localhost", "--metrics-address" },
    { "--metrics-address", "127.0.0.1:99999", "--metrics-address" },
    { "--drain-timeout", "100000", "--drain-timeout" },
    { "--log-summary-interval", "0", "--log-summary-interval" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                           G_SUBPROCESS_FLAGS_STDERR_PIPE);
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *err = NULL;

      g_subprocess_launcher_setenv (launcher, "LIVEDESK_JWT_SECRET", SECRET, TRUE);
      process = g_subprocess_launcher_spawn (launcher, &error, program, "--port", "0", "--users", "/nonexistent",
                                             cases[i][0], cases[i][1], NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
      g_assert_no_error (error);
      g_test_message ("%s %s: %s", cases[i][0], cases[i][1], err);
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
      g_assert_nonnull (strstr (err, cases[i][2]));
    }
}

/* A remote party repeating a refusal gets a few lines, then a count (in
 * the summary line and in /metrics). One period of an hour, so that the
 * burst is not renewed meanwhile. */
static void
test_log_refusals_limited (void)
{
  Gateway gateway = { 0 };
  const char *args[] = { "--log-summary-interval", "3600", NULL };
  g_autoptr(GwTestClients) peer = NULL;
  g_autofree char *log = NULL;
  g_autofree char *url = NULL;
  g_autofree char *metrics = NULL;
  guint lines = 0;

  gateway_start (&gateway, args, NULL);
  peer = gw_test_clients_new (gateway.port);
  /* before signing in, every joinRoom is refused; one from each of 60
   * sockets, since each socket's own flood is already logged once */
  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *name = g_strdup_printf ("c%u", i);

      gw_test_connect (peer, name, NULL, 0);
      gw_test_emit (peer, name, "joinRoom", "{\"roomId\":\"room_1\"}", TRUE);
    }
  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *name = g_strdup_printf ("c%u", i);

      json_object_unref (gw_test_expect_ack (peer, name, "joinRoom"));
    }
  url = g_strdup_printf ("http://127.0.0.1:%u/metrics", gateway.port);
  g_assert_cmpuint (get (gateway.session, url, &metrics, NULL), ==, SOUP_STATUS_OK);
  log = gateway_stop (&gateway);

  for (const char *p = log; (p = strstr (p, "event=refused ")) != NULL; p++)
    lines++;
  g_assert_cmpuint (lines, ==, 20);
  g_assert_nonnull (strstr (log, " suppressed_refused=40\n"));
  g_assert_cmpint (sample (metrics, "livedesk_log_lines_suppressed_total{event=\"refused\"}"), ==, 40);
}

/* NOTIFY_SOCKET: READY=1 once listening, WATCHDOG=1 again and again when
 * WATCHDOG_USEC asks, STOPPING=1 on SIGTERM. */
static char *
receive_notification (GSocket *socket)
{
  g_autoptr(GError) error = NULL;
  char buffer[4096];
  gssize n;

  if (!g_socket_condition_timed_wait (socket, G_IO_IN, (gint64) GW_TEST_WAIT_MS * 1000, NULL, &error))
    g_error ("no notification from the gateway: %s", error->message);
  n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);
  g_assert_no_error (error);
  return g_strndup (buffer, n);
}

static void
test_sd_notify (void)
{
  Gateway gateway = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("livedesk-notify-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "notify", NULL);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  /* 0.4 s: a ping every 0.2 s */
  const char *environment[] = { "NOTIFY_SOCKET", path, "WATCHDOG_USEC", "400000", NULL };
  gboolean ready = FALSE;
  guint watchdogs = 0;
  gboolean stopping = FALSE;
  g_autofree char *log = NULL;

  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);

  gateway_start (&gateway, NULL, environment);
  while (!ready || watchdogs < 3)
    {
      g_autofree char *text = receive_notification (socket);
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

      ready |= g_strv_contains ((const char * const *) lines, "READY=1");
      watchdogs += g_strv_contains ((const char * const *) lines, "WATCHDOG=1");
      g_assert_false (g_strv_contains ((const char * const *) lines, "STOPPING=1"));
    }

  g_subprocess_send_signal (gateway.process, SIGTERM);
  gateway.signalled = TRUE;
  while (!stopping)
    {
      g_autofree char *text = receive_notification (socket);
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

      stopping = g_strv_contains ((const char * const *) lines, "STOPPING=1");
    }
  log = gateway_stop (&gateway);

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_assert_cmpint (argc, ==, 2);
  program = argv[1];

  g_test_add_func ("/gw/operators/metrics", test_metrics);
  g_test_add_func ("/gw/operators/metrics-address", test_metrics_address);
  g_test_add_func ("/gw/operators/sigterm-drains", test_sigterm_drains);
  g_test_add_func ("/gw/operators/log-levels", test_log_levels);
  g_test_add_func ("/gw/operators/log-refusals-limited", test_log_refusals_limited);
  g_test_add_func ("/gw/operators/bad-options", test_bad_options);
  g_test_add_func ("/gw/operators/sd-notify", test_sd_notify);

  return g_test_run ();
}
