/* test-gw-soak.c: a gateway that runs for months. Clients connecting and
 * leaving all day must not make `livedesk-gateway serve` grow (libsoup 3.2
 * kept every accepted socket, ~0.6 KiB each: issue 10), nor leave file
 * descriptors behind; and one address cannot hold more connections than
 * the limit allows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "gw-gateway.h"
#include "gw-jwt.h"
#include "gw-metrics.h"
#include "gw-test-fixture.h"
#include "sio-engine.h"

#define SECRET "soak-test-secret-0123456789abcdef0123456789abcdef"

/* 10,000 connections leaked ~6 MB with libsoup 3.2's listener; what
 * remains (allocator caches, a few lazily made tables) stays well below. */
#if defined(__SANITIZE_ADDRESS__)
#define SOAK_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOAK_UNDER_ASAN 1
#endif
#endif

#ifdef SOAK_UNDER_ASAN
/* Slower under ASan: fewer, as its objects are larger (the leak was more
 * than 3 MB here); a longer warm-up, as its stack depot fills for a while */
#define WARM_UP      2000
#define CHURN        5000
#else
#define WARM_UP      2000
#define CHURN        10000
#endif
#define PARALLEL     8
#define GROWTH_BOUND_KB 2048

static const char *program;

/* DATA: a descriptor limit for the gateway, or 0 to keep the test's. */
static void
child_setup (gpointer data)
{
  guint nofile = GPOINTER_TO_UINT (data);

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (nofile > 0)
    {
      struct rlimit limit = { nofile, nofile };

      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

typedef struct
{
  GSubprocess *process;
  char        *dir;
  guint        port;
} Gateway;

/* NOFILE: the gateway's descriptor limit (0: as the test's). */
static void
gateway_start (Gateway    *gateway,
               guint       nofile,
               const char *first_arg,
               ...)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *users = NULL;
  g_autofree char *line = NULL;
  g_autofree char *asan = NULL;
  g_autofree char *log = NULL;
  const char *arg;
  va_list args;

  gateway->dir = g_dir_make_tmp ("livedesk-soak-XXXXXX", &error);
  g_assert_no_error (error);
  users = g_build_filename (gateway->dir, "users.json", NULL);
  g_file_set_contents (users, "[]\n", -1, &error);
  g_assert_no_error (error);

  g_ptr_array_add (argv, g_strdup (program));
  g_ptr_array_add (argv, g_strdup ("serve"));
  g_ptr_array_add (argv, g_strdup ("--port"));
  g_ptr_array_add (argv, g_strdup ("0"));
  g_ptr_array_add (argv, g_strdup ("--users"));
  g_ptr_array_add (argv, g_strdup (users));
  va_start (args, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_setenv (launcher, "LIVEDESK_JWT_SECRET", SECRET, TRUE);
  /* Under ASan, freed memory would sit in its quarantine (256 MB) and look
   * like growth; and the slow unwinder on every malloc would make the churn
   * take minutes (the debug build keeps frame pointers for the fast one). */
  asan = g_strdup_printf ("%s%squarantine_size_mb=0:fast_unwind_on_malloc=1",
                          g_getenv ("ASAN_OPTIONS") ? g_getenv ("ASAN_OPTIONS") : "",
                          g_getenv ("ASAN_OPTIONS") ? ":" : "");
  g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, GUINT_TO_POINTER (nofile), NULL);
  /* a line per connect and disconnect: kept aside, shown if it goes wrong */
  log = g_build_filename (gateway->dir, "gateway.log", NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
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

static void
gateway_stop (Gateway *gateway)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *users = g_build_filename (gateway->dir, "users.json", NULL);
  g_autofree char *log = g_build_filename (gateway->dir, "gateway.log", NULL);
  g_autofree char *text = NULL;

  g_subprocess_send_signal (gateway->process, SIGTERM);
  g_subprocess_wait (gateway->process, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (gateway->process) && g_file_get_contents (log, &text, NULL, NULL))
    {
      gsize len = strlen (text);

      g_test_message ("the gateway's last words: %s", text + (len > 8192 ? len - 8192 : 0));
    }
  g_assert_true (g_subprocess_get_if_exited (gateway->process));
  g_assert_cmpint (g_subprocess_get_exit_status (gateway->process), ==, 0);
  g_clear_object (&gateway->process);
  g_unlink (users);
  g_unlink (log);
  g_rmdir (gateway->dir);
  g_clear_pointer (&gateway->dir, g_free);
}

/* The gateway's resident set, in kB, as an operator's `ps` shows it. */
static guint64
process_rss_kb (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (process));
  g_autofree char *status = NULL;
  g_autoptr(GError) error = NULL;
  const char *line;

  g_file_get_contents (path, &status, NULL, &error);
  g_assert_no_error (error);
  line = strstr (status, "\nVmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
}

static guint
process_n_fds (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/fd", g_subprocess_get_identifier (process));
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  guint n = 0;

  g_assert_no_error (error);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* TCP connections (not listeners) that the process holds a descriptor of:
 * its socket inodes, looked up in the kernel's tables. */
static guint
process_n_connections (GSubprocess *process)
{
  const char *pid = g_subprocess_get_identifier (process);
  g_autofree char *fd_path = g_strdup_printf ("/proc/%s/fd", pid);
  g_autoptr(GHashTable) inodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (fd_path, 0, &error);
  const char * const tables[] = { "tcp", "tcp6" };
  const char *name;
  guint n = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fd_path, name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (target != NULL && g_str_has_prefix (target, "socket:["))
        g_hash_table_add (inodes, g_strndup (target + strlen ("socket:["),
                                             strlen (target) - strlen ("socket:[") - 1));
    }

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%s/net/%s", pid, tables[t]);
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_file_get_contents (path, &text, NULL, NULL))
        continue;
      lines = g_strsplit (text, "\n", -1);
      /* "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …" */
      for (guint i = 1; lines[i] != NULL; i++)
        {
          g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
          g_autoptr(GPtrArray) words = g_ptr_array_new ();

          for (guint j = 0; fields[j] != NULL; j++)
            if (fields[j][0] != '\0')
              g_ptr_array_add (words, fields[j]);
          if (words->len < 10)
            continue;
          if (g_str_equal (words->pdata[3], "0A"))  /* LISTEN */
            continue;
          if (g_hash_table_contains (inodes, words->pdata[9]))
            n++;
        }
    }
  return n;
}

static gboolean
on_tick (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The server closes its side of a connection when it has seen the client's
 * close, which may be after the client is done: waits for the gateway to
 * hold no connection rather than reading it once. Polls so that nothing
 * depends on how fast a loaded machine is; a minute without getting there
 * means connections stay open for good. */
static guint
wait_for_no_connections (GSubprocess *process)
{
  gint64 give_up = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  guint n;

  while ((n = process_n_connections (process)) > 0 && g_get_monotonic_time () < give_up)
    {
      gboolean ticked = FALSE;

      g_timeout_add (50, on_tick, &ticked);
      while (!ticked)
        g_main_context_iteration (NULL, TRUE);
    }
  return n;
}

/* Connections made one after another, PARALLEL at a time, each the way a
 * phone does it: WebSocket, Engine.IO handshake, Socket.IO CONNECT with its
 * token, CONNECT answered, then closed. */
typedef struct
{
  SoupSession *session;
  char        *url;
  char        *connect_packet;
  guint        to_start;
  guint        running;
  guint        connected;
  GPtrArray   *failures;  /* of char * */
} Churn;

typedef enum
{
  STEP_OPEN,      /* waiting for Engine.IO OPEN */
  STEP_CONNECT,   /* waiting for Socket.IO CONNECT's answer */
  STEP_CLOSING,
} Step;

typedef struct
{
  Churn                   *churn;
  SoupWebsocketConnection *ws;
  Step                     step;
} Client;

static void churn_start_one (Churn *churn);

static void
client_done (Client *client)
{
  Churn *churn = client->churn;

  if (client->ws != NULL)
    g_signal_handlers_disconnect_by_data (client->ws, client);
  g_clear_object (&client->ws);
  g_free (client);
  churn->running--;
  churn_start_one (churn);
}

static void
on_client_message (SoupWebsocketConnection *ws,
                   SoupWebsocketDataType    type,
                   GBytes                  *message,
                   gpointer                 user_data)
{
  Client *client = user_data;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  g_autofree char *text = g_strndup (data, len);

  if (client->step == STEP_OPEN && text[0] == '0')
    {
      client->step = STEP_CONNECT;
      soup_websocket_connection_send_text (ws, client->churn->connect_packet);
    }
  else if (client->step == STEP_CONNECT && g_str_has_prefix (text, "40"))
    {
      client->churn->connected++;
      client->step = STEP_CLOSING;
      soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
  else if (client->step == STEP_CONNECT && g_str_has_prefix (text, "44"))
    {
      g_ptr_array_add (client->churn->failures, g_strdup_printf ("CONNECT refused: %s", text));
      client->step = STEP_CLOSING;
      soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
}

static void
on_client_closed (SoupWebsocketConnection *ws,
                  gpointer                 user_data)
{
  Client *client = user_data;

  if (client->step != STEP_CLOSING)
    g_ptr_array_add (client->churn->failures, g_strdup ("the gateway closed a connection before CONNECT was answered"));
  client_done (client);
}

static void
on_client_connected (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Client *client = user_data;
  g_autoptr(GError) error = NULL;

  client->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (client->ws == NULL)
    {
      g_ptr_array_add (client->churn->failures, g_strdup_printf ("WebSocket: %s", error->message));
      client_done (client);
      return;
    }
  g_signal_connect (client->ws, "message", G_CALLBACK (on_client_message), client);
  g_signal_connect (client->ws, "closed", G_CALLBACK (on_client_closed), client);
}

static void
churn_start_one (Churn *churn)
{
  g_autoptr(SoupMessage) msg = NULL;
  Client *client;

  if (churn->to_start == 0)
    return;
  churn->to_start--;
  churn->running++;
  client = g_new0 (Client, 1);
  client->churn = churn;
  msg = soup_message_new ("GET", churn->url);
  soup_session_websocket_connect_async (churn->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_client_connected, client);
}

/* N connections through the gateway on PORT, every one of which must get
 * its CONNECT answered. */
static void
churn_run (guint port,
           guint n)
{
  g_autoptr(GwJwt) jwt = NULL;
  g_autoptr(GBytes) secret = g_bytes_new_static (SECRET, strlen (SECRET));
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  Churn churn = { 0 };

  jwt = gw_jwt_new (secret, &error);
  g_assert_no_error (error);
  token = gw_test_mint (jwt, "soak", "Soak", GW_ROLE_VIEWER, 3600);

  /* one connection per client, as phones have: nothing pooled between them */
  churn.session = soup_session_new_with_options ("max-conns-per-host", PARALLEL * 2, NULL);
  churn.url = g_strdup_printf ("ws://127.0.0.1:%u/socket/?EIO=4&transport=websocket", port);
  churn.connect_packet = g_strdup_printf ("40{\"token\":\"%s\"}", token);
  churn.to_start = n;
  churn.failures = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < PARALLEL; i++)
    churn_start_one (&churn);
  while (churn.running > 0)
    g_main_context_iteration (NULL, TRUE);

  if (churn.failures->len > 0)
    g_test_message ("first failure of %u: %s", churn.failures->len, (char *) churn.failures->pdata[0]);
  g_assert_cmpuint (churn.failures->len, ==, 0);
  g_assert_cmpuint (churn.connected, ==, n);

  g_ptr_array_unref (churn.failures);
  g_free (churn.connect_packet);
  g_free (churn.url);
  g_object_unref (churn.session);
}

static void
test_churn_without_growth (void)
{
  Gateway gateway = { 0 };
  guint fds_warm, fds_after;
  guint64 rss_warm, rss_after;

  gateway_start (&gateway, 0, NULL);

  /* the first thousands fill allocator caches and tables once */
  churn_run (gateway.port, WARM_UP);
  g_assert_cmpuint (wait_for_no_connections (gateway.process), ==, 0);
  fds_warm = process_n_fds (gateway.process);
  rss_warm = process_rss_kb (gateway.process);

  churn_run (gateway.port, CHURN);
  g_assert_cmpuint (wait_for_no_connections (gateway.process), ==, 0);
  fds_after = process_n_fds (gateway.process);
  rss_after = process_rss_kb (gateway.process);
  g_test_message ("RSS after %u connections: %" G_GUINT64_FORMAT " kB; after %u more: %"
                  G_GUINT64_FORMAT " kB; descriptors %u then %u",
                  WARM_UP, rss_warm, CHURN, rss_after, fds_warm, fds_after);

  /* every connection's descriptor was given back, and its memory */
  g_assert_cmpuint (fds_after, ==, fds_warm);
  g_assert_cmpuint (rss_after, <, rss_warm + GROWTH_BOUND_KB);

  gateway_stop (&gateway);
}

/* The per-address limit, in process so that the count the operator sees
 * can be read: sessions from 127.0.0.1 beyond the limit are answered 429,
 * whichever transport they come by; a session that ends makes room. */
typedef struct
{
  SoupWebsocketConnection *ws;
  GError                  *error;
  guint                    status;
  gboolean                 done;
} Attempt;

static void
on_attempt_connected (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Attempt *attempt = user_data;

  attempt->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &attempt->error);
  attempt->done = TRUE;
}

static SoupWebsocketConnection *
websocket_attempt (SoupSession *session,
                   guint        port,
                   guint       *out_status)
{
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/socket/?EIO=4&transport=websocket", port);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  Attempt attempt = { 0 };

  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_attempt_connected, &attempt);
  while (!attempt.done)
    g_main_context_iteration (NULL, TRUE);
  *out_status = soup_message_get_status (msg);
  g_clear_error (&attempt.error);
  return attempt.ws;
}

static void
on_polled (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GBytes **body = user_data;
  g_autoptr(GError) error = NULL;

  *body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

/* The server runs in this thread: the request must not block it. */
static guint
polling_handshake (SoupSession *session,
                   guint        port)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/socket/?EIO=4&transport=polling", port);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_polled, &body);
  while (body == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (soup_message_get_status (msg) == SOUP_STATUS_OK)
    g_assert_true (g_str_has_prefix (g_bytes_get_data (body, NULL), "0{"));
  return soup_message_get_status (msg);
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
test_per_address_limit (void)
{
  g_autoptr(GwJwt) jwt = NULL;
  g_autoptr(GBytes) secret = g_bytes_new_static (SECRET, strlen (SECRET));
  g_autoptr(GwGateway) gateway = NULL;
  g_autoptr(SoupServer) http = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupWebsocketConnection) first = NULL;
  g_autoptr(SoupWebsocketConnection) second = NULL;
  g_autoptr(SoupWebsocketConnection) refused = NULL;
  g_autoptr(SoupWebsocketConnection) again = NULL;
  g_autoptr(GError) error = NULL;
  SioEngine *engine;
  gboolean closed = FALSE;
  guint status = 0;
  guint port = 0;

  gw_metrics_reset ();
  jwt = gw_jwt_new (secret, &error);
  g_assert_no_error (error);
  gateway = gw_gateway_new (jwt);
  sio_server_set_max_connections_per_address (gw_gateway_get_server (gateway), 4);
  engine = sio_server_get_engine (gw_gateway_get_server (gateway));
  http = soup_server_new (NULL, NULL);
  gw_gateway_attach (gateway, http, NULL);
  g_assert_true (sio_engine_listen (http, "127.0.0.1", 0, &port, &error));
  g_assert_no_error (error);

  /* two WebSocket sessions and two polling ones: the limit */
  first = websocket_attempt (session, port, &status);
  g_assert_nonnull (first);
  g_assert_cmpuint (status, ==, SOUP_STATUS_SWITCHING_PROTOCOLS);
  second = websocket_attempt (session, port, &status);
  g_assert_nonnull (second);
  g_assert_cmpuint (polling_handshake (session, port), ==, SOUP_STATUS_OK);
  g_assert_cmpuint (polling_handshake (session, port), ==, SOUP_STATUS_OK);
  g_assert_cmpuint (sio_engine_get_n_sessions_from (engine, "127.0.0.1"), ==, 4);

  /* a fifth is turned away before any handshake, by either transport, and counted */
  refused = websocket_attempt (session, port, &status);
  g_assert_null (refused);
  g_assert_cmpuint (status, ==, 429);
  g_assert_cmpuint (polling_handshake (session, port), ==, 429);
  g_assert_cmpint (gw_metrics_get ("livedesk_connection_refusals_total", "reason=\"per_address\""), ==, 2);
  g_assert_cmpuint (sio_engine_get_n_sessions_from (engine, "127.0.0.1"), ==, 4);

  /* one leaves: its place is free again once the gateway has seen it go */
  g_signal_connect (first, "closed", G_CALLBACK (on_ws_closed), &closed);
  soup_websocket_connection_close (first, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  while (!closed || sio_engine_get_n_sessions_from (engine, "127.0.0.1") > 3)
    g_main_context_iteration (NULL, TRUE);
  again = websocket_attempt (session, port, &status);
  g_assert_nonnull (again);
  g_assert_cmpuint (status, ==, SOUP_STATUS_SWITCHING_PROTOCOLS);
  g_assert_cmpint (gw_metrics_get ("livedesk_connection_refusals_total", "reason=\"per_address\""), ==, 2);

  soup_websocket_connection_close (second, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  soup_websocket_connection_close (again, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  gw_gateway_close (gateway);
  g_assert_cmpuint (sio_engine_get_n_sessions_from (engine, "127.0.0.1"), ==, 0);
}

/* Out of descriptors: libsoup 3.2's listener stopped accepting for good
 * after one failed accept(), and a GSocketService retries in a busy loop.
 * The gateway must keep the clients it has, let the others wait in the
 * backlog, and take them in as descriptors come free. */
#define FD_LIMIT 40
#define FD_CLIENTS 60

typedef struct
{
  GPtrArray *sockets;   /* of SoupWebsocketConnection, the ones that got in */
  guint      failed;
  guint      done;
  gboolean   leaving;   /* each one leaves as soon as it is in */
} Crowd;

static void
crowd_leave (SoupWebsocketConnection *ws)
{
  if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

static void
on_crowd_connected (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Crowd *crowd = user_data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);

  crowd->done++;
  if (ws != NULL)
    {
      g_ptr_array_add (crowd->sockets, ws);
      if (crowd->leaving)
        crowd_leave (ws);
    }
  else
    {
      g_test_message ("a client got no WebSocket: %s", error->message);
      crowd->failed++;
    }
}

static gboolean
log_contains (Gateway    *gateway,
              const char *text)
{
  g_autofree char *log = g_build_filename (gateway->dir, "gateway.log", NULL);
  g_autofree char *contents = NULL;

  return g_file_get_contents (log, &contents, NULL, NULL) && strstr (contents, text) != NULL;
}

/* Polls for what a log says, a minute at most: the gateway says it when it
 * happens, however loaded the machine. */
static gboolean
wait_for_log (Gateway    *gateway,
              const char *text)
{
  gint64 give_up = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!log_contains (gateway, text) && g_get_monotonic_time () < give_up)
    {
      gboolean ticked = FALSE;

      g_timeout_add (50, on_tick, &ticked);
      while (!ticked)
        g_main_context_iteration (NULL, TRUE);
    }
  return log_contains (gateway, text);
}

static void
test_out_of_descriptors (void)
{
  Gateway gateway = { 0 };
  /* no timeout: the ones in the backlog wait as long as it takes */
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 0, "max-conns", FD_CLIENTS * 2,
                                                                    "max-conns-per-host", FD_CLIENTS * 2, NULL);
  g_autoptr(SoupWebsocketConnection) fresh = NULL;
  g_autofree char *url = NULL;
  Crowd crowd = { 0 };
  guint status = 0;

  gateway_start (&gateway, FD_LIMIT, "--max-connections-per-address", "0", NULL);
  url = g_strdup_printf ("ws://127.0.0.1:%u/socket/?EIO=4&transport=websocket", gateway.port);
  crowd.sockets = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < FD_CLIENTS; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

      soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                            on_crowd_connected, &crowd);
    }

  /* the gateway runs out, says so once, and stays up */
  g_assert_true (wait_for_log (&gateway, "cannot accept connections for now"));
  while (crowd.sockets->len + crowd.failed < FD_LIMIT / 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (crowd.failed, ==, 0);
  g_assert_cmpuint (crowd.done, <, FD_CLIENTS);

  /* from now on each leaves once in: as descriptors come free, everyone
   * waiting gets in, none turned away */
  crowd.leaving = TRUE;
  for (guint i = 0; i < crowd.sockets->len; i++)
    crowd_leave (g_ptr_array_index (crowd.sockets, i));
  while (crowd.done < FD_CLIENTS)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (crowd.failed, ==, 0);
  g_assert_cmpuint (crowd.sockets->len, ==, FD_CLIENTS);
  g_assert_true (wait_for_log (&gateway, "accepting connections again"));

  /* and a newcomer gets in */
  fresh = websocket_attempt (session, gateway.port, &status);
  g_assert_nonnull (fresh);
  g_assert_cmpuint (status, ==, SOUP_STATUS_SWITCHING_PROTOCOLS);
  soup_websocket_connection_close (fresh, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);

  g_ptr_array_unref (crowd.sockets);
  gateway_stop (&gateway);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_assert_cmpint (argc, ==, 2);
  program = argv[1];

  g_test_add_func ("/gw-soak/per-address-limit", test_per_address_limit);
  g_test_add_func ("/gw-soak/churn-without-growth", test_churn_without_growth);
  g_test_add_func ("/gw-soak/out-of-descriptors", test_out_of_descriptors);

  return g_test_run ();
}
