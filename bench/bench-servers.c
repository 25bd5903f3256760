/* bench-servers.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include "bench-servers.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "gw-users.h"

void
bench_die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

glong
bench_read_rss_kb (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, "\nVmRSS:")) == NULL)
    return -1;
  return strtol (line + strlen ("\nVmRSS:"), NULL, 10);
}

guint
bench_read_n_fds (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", pid);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 0;
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

double
bench_read_cpu_seconds (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  unsigned long utime, stime;
  const char *after_comm;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (after_comm = strrchr (text, ')')) == NULL)
    return 0;
  /* fields 3–13 come before utime (14) and stime (15) */
  if (sscanf (after_comm + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
    return 0;
  return (double) (utime + stime) / sysconf (_SC_CLK_TCK);
}

GwJwt *
bench_new_random_jwt (char **out_secret)
{
  g_autoptr(GString) secret = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  GwJwt *jwt;

  for (guint i = 0; i < 12; i++)
    g_string_append_printf (secret, "%08x", g_random_int ());
  bytes = g_bytes_new (secret->str, secret->len);
  jwt = gw_jwt_new (bytes, &error);
  if (jwt == NULL)
    g_error ("Cannot make a signing key: %s", error->message);
  *out_secret = g_string_free (g_steal_pointer (&secret), FALSE);
  return jwt;
}

/* The gateway says "listening on http://127.0.0.1:PORT/" today and may say
 * "listening PORT" tomorrow; both give the port. */
static guint
parse_listening_port (const char *line)
{
  const char *rest = line != NULL ? strstr (line, "listening") : NULL;
  const char *scheme;
  g_autofree char *digits = NULL;
  guint64 port = 0;

  if (rest == NULL)
    return 0;
  rest += strlen ("listening");
  if ((scheme = strstr (rest, "://")) != NULL)
    {
      const char *start = scheme;
      g_autofree char *text = NULL;
      g_autoptr(GUri) uri = NULL;

      while (start > rest && g_ascii_isalpha (start[-1]))
        start--;
      text = g_strndup (start, strcspn (start, " \t\r\n"));
      uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
      return uri != NULL && g_uri_get_port (uri) > 0 ? (guint) g_uri_get_port (uri) : 0;
    }
  while (*rest != '\0' && !g_ascii_isdigit (*rest))
    rest++;
  digits = g_strndup (rest, strspn (rest, "0123456789"));
  if (!g_ascii_string_to_unsigned (digits, 10, 1, 65535, &port, NULL))
    return 0;
  return (guint) port;
}

/* One livedesk-gateway on a free port; REDIS_URI (or NULL) bridges it to
 * the others. */
static GSubprocess *
spawn_gateway (const char  *gateway_path,
               const char  *secret,
               const char  *users_path,
               const char  *redis_uri,
               gboolean     quiet,
               guint       *port,
               GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | (quiet ? G_SUBPROCESS_FLAGS_STDERR_SILENCE : 0));
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;

  g_subprocess_launcher_setenv (launcher, "LIVEDESK_JWT_SECRET", secret, TRUE);
  /* an optimised build is not a development one: it would look for the
   * catalogue where it is installed */
  g_subprocess_launcher_setenv (launcher, "LIVEDESK_GATEWAY_GIFTS",
                                LIVEDESK_SOURCE_DIR "/resources/gifts/catalogue.json", FALSE);
  g_subprocess_launcher_set_child_setup (launcher, bench_die_with_parent, NULL, NULL);
  /* Presence is not what is measured: viewers send no viewerPing here.
   * Every client of a bench comes from loopback: no per-address limit. */
  if (redis_uri != NULL)
    process = g_subprocess_launcher_spawn (launcher, error, gateway_path, "serve",
                                           "--port", "0", "--users", users_path,
                                           "--presence-timeout", "86400", "--redis", redis_uri,
                                           "--max-connections-per-address", "0", NULL);
  else
    process = g_subprocess_launcher_spawn (launcher, error, gateway_path, "serve",
                                           "--port", "0", "--users", users_path,
                                           "--presence-timeout", "86400",
                                           "--max-connections-per-address", "0", NULL);
  if (process == NULL)
    return NULL;

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, error);
  if (line == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s printed nothing and exited", gateway_path);
      return NULL;
    }
  *port = parse_listening_port (line);
  if (*port == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "No port in the gateway's line “%s”", line);
      return NULL;
    }
  return g_steal_pointer (&process);
}

/* A redis-server of our own on a free loopback port, ready when this
 * returns; its redis:// URI. */
static char *
start_redis (BenchServer  *server,
             GError      **error)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autofree char *port_text = NULL;
  guint16 port;

  /* a port nobody listens on now; redis takes it a moment later */
  port = g_socket_listener_add_any_inet_port (listener, NULL, error);
  if (port == 0)
    return NULL;
  g_socket_listener_close (listener);
  port_text = g_strdup_printf ("%u", port);
  g_subprocess_launcher_set_child_setup (launcher, bench_die_with_parent, NULL, NULL);
  server->redis = g_subprocess_launcher_spawn (launcher, error, "redis-server", "--bind", "127.0.0.1",
                                               "--port", port_text, "--save", "", "--appendonly", "no", NULL);
  if (server->redis == NULL)
    return NULL;
  server->redis_pid = atoi (g_subprocess_get_identifier (server->redis));
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(GSocketConnection) connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

      if (connection != NULL)
        return g_strdup_printf ("redis://127.0.0.1:%u", port);
      g_usleep (50 * 1000);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "redis-server did not listen on port %u", port);
  return NULL;
}

gboolean
bench_server_start_gateway (BenchServer  *server,
                            const char   *gateway_path,
                            guint         n_gateways,
                            gboolean      quiet,
                            GError      **error)
{
  g_autoptr(GwUsers) users = gw_users_new ();
  g_autofree char *users_path = NULL;
  g_autofree char *redis_uri = NULL;
  guint n = server->kind == BENCH_SERVER_GATEWAY_REDIS ? CLAMP (n_gateways, 1, BENCH_MAX_GATEWAYS) : 1;
  gboolean ok;

  server->dir = g_dir_make_tmp ("livedesk-bench-XXXXXX", error);
  if (server->dir == NULL)
    return FALSE;
  /* Nobody logs in over REST here; tokens are signed with the same secret. */
  users_path = g_build_filename (server->dir, "users.json", NULL);
  if (!gw_users_save_to_file (users, users_path, error))
    return FALSE;
  if (server->kind == BENCH_SERVER_GATEWAY_REDIS && (redis_uri = start_redis (server, error)) == NULL)
    return FALSE;
  server->jwt = bench_new_random_jwt (&server->secret);

  server->process = spawn_gateway (gateway_path, server->secret, users_path, redis_uri, quiet, &server->port, error);
  ok = server->process != NULL;
  for (guint g = 1; ok && g < n; g++)
    {
      server->more[g - 1] = spawn_gateway (gateway_path, server->secret, users_path, redis_uri, quiet,
                                           &server->more_port[g - 1], error);
      ok = server->more[g - 1] != NULL;
      if (ok)
        server->more_pid[server->n_more++] = atoi (g_subprocess_get_identifier (server->more[g - 1]));
    }
  if (!ok)
    return FALSE;
  server->pid = atoi (g_subprocess_get_identifier (server->process));
  return TRUE;
}

gboolean
bench_server_start_node (BenchServer  *server,
                         const char   *node_script,
                         const char   *peers_dir,
                         GError      **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonNode) hello = NULL;
  g_autofree char *line = NULL;
  JsonObject *object;

  g_subprocess_launcher_set_child_setup (launcher, bench_die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawn (launcher, error, "node", node_script, peers_dir, NULL);
  if (server->process == NULL)
    return FALSE;
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, error);
  hello = line != NULL ? json_from_string (line, NULL) : NULL;
  if (hello == NULL || !JSON_NODE_HOLDS_OBJECT (hello) ||
      !json_object_has_member ((object = json_node_get_object (hello)), "port"))
    {
      g_clear_error (error);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "The node server did not start (is tests/peers installed? npm ci there)");
      return FALSE;
    }
  server->port = (guint) json_object_get_int_member (object, "port");
  server->pid = atoi (g_subprocess_get_identifier (server->process));
  return TRUE;
}

double
bench_server_cpu_seconds (const BenchServer *server)
{
  double cpu = bench_read_cpu_seconds (server->pid);

  for (guint g = 0; g < server->n_more; g++)
    cpu += bench_read_cpu_seconds (server->more_pid[g]);
  if (server->redis != NULL)
    cpu += bench_read_cpu_seconds (server->redis_pid);
  return cpu;
}

glong
bench_server_rss_kb (const BenchServer *server)
{
  glong rss = bench_read_rss_kb (server->pid);

  for (guint g = 0; g < server->n_more; g++)
    rss += bench_read_rss_kb (server->more_pid[g]);
  if (server->redis != NULL)
    rss += bench_read_rss_kb (server->redis_pid);
  return rss;
}

static void
stop_process (GSubprocess **process)
{
  if (*process == NULL)
    return;
  g_subprocess_send_signal (*process, SIGTERM);
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

void
bench_server_stop (BenchServer *server)
{
  if (server->process != NULL && server->kind == BENCH_SERVER_NODE)
    {
      g_subprocess_send_signal (server->process, SIGTERM);
      g_output_stream_close (g_subprocess_get_stdin_pipe (server->process), NULL, NULL);
    }
  stop_process (&server->process);
  for (guint g = 0; g < G_N_ELEMENTS (server->more); g++)
    stop_process (&server->more[g]);
  server->n_more = 0;
  stop_process (&server->redis);
  g_clear_object (&server->jwt);
  if (server->secret != NULL)
    explicit_bzero (server->secret, strlen (server->secret));
  g_clear_pointer (&server->secret, g_free);
  if (server->dir != NULL)
    {
      g_autofree char *users_path = g_build_filename (server->dir, "users.json", NULL);

      g_unlink (users_path);
      g_rmdir (server->dir);
      g_clear_pointer (&server->dir, g_free);
    }
}

void
bench_ws_send_eio (SoupWebsocketConnection *ws,
                   SioEioType               type,
                   const char              *text)
{
  g_autoptr(SioEioPacket) packet = NULL;
  g_autoptr(GBytes) frame = NULL;
  gboolean binary = FALSE;

  if (ws == NULL || soup_websocket_connection_get_state (ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  packet = sio_eio_packet_new (type, text);
  frame = sio_eio_encode_frame (packet, &binary);
  soup_websocket_connection_send_message (ws, binary ? SOUP_WEBSOCKET_DATA_BINARY : SOUP_WEBSOCKET_DATA_TEXT, frame);
}

void
bench_ws_send_packet (SoupWebsocketConnection *ws,
                      SioPacket               *packet)
{
  g_autofree char *text = sio_packet_encode (packet);

  bench_ws_send_eio (ws, SIO_EIO_MESSAGE, text);
}

void
bench_ws_emit (SoupWebsocketConnection *ws,
               const char              *event,
               JsonBuilder             *object)
{
  g_autoptr(JsonArray) args = json_array_new ();
  g_autoptr(SioPacket) packet = NULL;

  json_builder_end_object (object);
  json_array_add_element (args, json_builder_get_root (object));
  packet = sio_packet_new_event ("/", event, args);
  bench_ws_send_packet (ws, packet);
}
