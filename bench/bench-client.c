/* bench-client.c: how fast one SioClient takes in a burst of chat messages
 * from the official socket.io server on loopback, next to the official
 * socket.io-client (node) against the same server in the same run.
 *
 *   bench-client [--events N] [--no-node]
 *
 * Prints events/s and peak RSS (getrusage ru_maxrss) for both. Figures
 * only: it never fails on time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <sys/resource.h>

#include "sio-client.h"

typedef struct {
  guint    count;
  gint64   started;
  gint64   finished;
  gboolean connected;
  gboolean done;
  char    *error;
} Run;

static void
on_connect (SioClient  *client,
            const char *nsp,
            Run        *run)
{
  run->connected = TRUE;
}

static void
on_connect_error (SioClient  *client,
                  const char *nsp,
                  const char *message,
                  JsonNode   *data,
                  Run        *run)
{
  g_free (run->error);
  run->error = g_strdup (message);
}

static void
on_chat (SioClient    *client,
         const char   *nsp,
         const char   *event,
         JsonArray    *args,
         GPtrArray    *attachments,
         SioClientAck *ack,
         Run          *run)
{
  /* touch the payload as an app would */
  if (json_array_get_length (args) == 1 &&
      json_object_get_string_member_with_default (json_array_get_object_element (args, 0), "message", NULL) != NULL)
    run->count++;
}

static void
on_done (SioClient    *client,
         const char   *nsp,
         const char   *event,
         JsonArray    *args,
         GPtrArray    *attachments,
         SioClientAck *ack,
         Run          *run)
{
  run->finished = g_get_monotonic_time ();
  run->done = TRUE;
}

static void
run_round (SioClient *client,
           Run       *run,
           gint       events)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonArray) args = json_array_new ();
  g_autoptr(GError) error = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "n");
  json_builder_add_int_value (builder, events);
  json_builder_end_object (builder);
  json_array_add_element (args, json_builder_get_root (builder));
  run->count = 0;
  run->done = FALSE;
  run->started = g_get_monotonic_time ();
  if (!sio_client_emit (client, "start", args, NULL, SIO_EMIT_NONE, &error))
    g_error ("%s", error->message);
  while (!run->done && sio_client_get_state (client) == SIO_CLIENT_STATE_OPEN)
    g_main_context_iteration (NULL, TRUE);
  if (!run->done)
    g_error ("The connection closed after %u events", run->count);
}

static JsonObject *
parse_object (const char *line)
{
  g_autoptr(JsonNode) node = json_from_string (line, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

static glong
peak_rss_kb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *peers_dir = g_build_filename (LIVEDESK_SOURCE_DIR, "tests", "peers", NULL);
  g_autofree char *script = g_build_filename (LIVEDESK_SOURCE_DIR, "bench", "bench-client.mjs", NULL);
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) server_out = NULL;
  g_autoptr(SioClient) client = NULL;
  g_autoptr(JsonObject) hello = NULL;
  g_autofree char *line = NULL;
  g_autofree char *url = NULL;
  g_autofree char *events_arg = NULL;
  gint events = 100000;
  gboolean no_node = FALSE;
  Run run = { 0 };
  double c_rate, c_seconds;
  glong c_rss;
  GOptionEntry entries[] = {
    { "events", 'n', 0, G_OPTION_ARG_INT, &events, "Chat messages the server sends (100000)", "N" },
    { "no-node", 0, 0, G_OPTION_ARG_NONE, &no_node, "Skip the socket.io-client reference run", NULL },
    { NULL }
  };

  context = g_option_context_new ("— SioClient receive throughput");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);

  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             "node", script, "server", peers_dir, NULL);
  if (server == NULL)
    g_error ("Cannot start the node server: %s", error->message);
  server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (server_out, NULL, NULL, &error);
  hello = line != NULL ? parse_object (line) : NULL;
  if (hello == NULL || !json_object_has_member (hello, "port"))
    g_error ("The node server did not start (is tests/peers installed? npm ci there)");
  url = g_strdup_printf ("http://127.0.0.1:%" G_GINT64_FORMAT, json_object_get_int_member (hello, "port"));

  client = sio_client_new (url, "/socket");
  g_object_set (client, "reconnection", FALSE, NULL);
  g_signal_connect (client, "connect", G_CALLBACK (on_connect), &run);
  g_signal_connect (client, "connect-error", G_CALLBACK (on_connect_error), &run);
  g_signal_connect (client, "event::newMessage", G_CALLBACK (on_chat), &run);
  g_signal_connect (client, "event::done", G_CALLBACK (on_done), &run);
  sio_client_connect (client);
  while (!run.connected && run.error == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (run.error != NULL)
    g_error ("SioClient could not connect: %s", run.error);

  /* a first, smaller burst warms the server's JIT so both clients meet the same server */
  run_round (client, &run, MAX (events / 5, 1));
  run_round (client, &run, events);
  sio_client_disconnect (client);

  c_seconds = (run.finished - run.started) / (double) G_USEC_PER_SEC;
  c_rate = run.count / c_seconds;
  c_rss = peak_rss_kb ();
  g_print ("%-24s %10s %12s %14s\n", "client", "events", "events/s", "peak RSS (KiB)");
  g_print ("%-24s %10u %12.0f %14ld\n", "SioClient (C)", run.count, c_rate, c_rss);

  if (!no_node)
    {
      g_autoptr(GSubprocess) node = NULL;
      g_autofree char *out = NULL;
      g_autoptr(JsonObject) result = NULL;

      events_arg = g_strdup_printf ("%d", events);
      node = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                               "node", script, "client", peers_dir, url, events_arg, NULL);
      if (node == NULL || !g_subprocess_communicate_utf8 (node, NULL, NULL, &out, NULL, &error))
        g_error ("socket.io-client run failed: %s", error->message);
      result = out != NULL ? parse_object (out) : NULL;
      if (result == NULL)
        g_error ("socket.io-client run printed no result");
      g_print ("%-24s %10" G_GINT64_FORMAT " %12.0f %14" G_GINT64_FORMAT "\n", "socket.io-client (node)",
               json_object_get_int_member (result, "events"),
               json_object_get_double_member (result, "events_per_s"),
               json_object_get_int_member (result, "max_rss_kb"));
      g_print ("ratio C/node: %.2fx events/s, %.2fx peak RSS\n",
               c_rate / json_object_get_double_member (result, "events_per_s"),
               (double) c_rss / json_object_get_int_member (result, "max_rss_kb"));
    }

  g_output_stream_close (g_subprocess_get_stdin_pipe (server), NULL, NULL);
  g_subprocess_wait (server, NULL, NULL);
  g_free (run.error);
  return 0;
}
