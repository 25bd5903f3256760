/* bench-client.c: what one SioClient costs to take in a stream of chat
 * messages, next to the official socket.io-client (node) on the same stream
 * in the same run.
 *
 *   bench-client [--events N] [--rounds R] [--official-server] [--no-node]
 *
 * The server is not the bottleneck: `bench-client.mjs fastserver` writes the
 * chat messages as WebSocket frames encoded once, before any client
 * connects, a thousand to a socket write, so a client takes them in as fast
 * as it can read and decode (the official socket.io server, which encodes
 * every message and was the limit of both clients, is --official-server).
 * Each client gets a warm-up burst of N/5, then R bursts of N, alternating
 * SioClient and socket.io-client. Per burst it prints events/s, the client
 * process's CPU time (user + system, getrusage / process.cpuUsage) per
 * received event, its peak RSS, and the server's CPU over the burst's wall
 * time (well under 100 %: the client is the limit); then the ratio of CPU
 * per event, C to node, per round and its median and spread. Every event's
 * payload is touched (its "message" member read) by both clients. Figures
 * only: it never fails on time. LIVEDESK_BENCH_QUICK=1: 5,000 events, one
 * round.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

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

static double
self_cpu_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec * 1e6 + usage.ru_utime.tv_usec + usage.ru_stime.tv_sec * 1e6 + usage.ru_stime.tv_usec;
}

/* user + system CPU seconds of another process, from /proc/PID/stat */
static double
process_cpu_s (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (after = strrchr (text, ')')) == NULL)
    return 0;
  /* after the command's closing parenthesis: state is field 3, utime 14, stime 15 */
  fields = g_strsplit (after + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) / sysconf (_SC_CLK_TCK);
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

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static gint64
int_member (JsonObject *object,
            const char *name)
{
  return json_object_has_member (object, name) ? json_object_get_int_member (object, name) : 0;
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
  g_autoptr(GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *line = NULL;
  g_autofree char *url = NULL;
  g_autofree char *events_arg = NULL;
  const char *server_pid;
  gboolean quick = g_strcmp0 (g_getenv ("LIVEDESK_BENCH_QUICK"), "1") == 0;
  gint events = quick ? 5000 : 100000;
  gint rounds = quick ? 1 : 3;
  gboolean no_node = FALSE;
  gboolean official = FALSE;
  Run run = { 0 };
  GOptionEntry entries[] = {
    { "events", 'n', 0, G_OPTION_ARG_INT, &events, "Chat messages per burst (100000)", "N" },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "Measured bursts per client (3)", "R" },
    { "official-server", 0, 0, G_OPTION_ARG_NONE, &official,
      "Stream from the official socket.io server (it is the bottleneck) instead of pre-encoded frames", NULL },
    { "no-node", 0, 0, G_OPTION_ARG_NONE, &no_node, "Skip the socket.io-client reference runs", NULL },
    { NULL }
  };

  if (g_getenv ("LIVEDESK_PEERS_DIR") != NULL)
    {
      g_free (peers_dir);
      peers_dir = g_strdup (g_getenv ("LIVEDESK_PEERS_DIR"));
    }
  context = g_option_context_new ("— SioClient's CPU time per received event, next to socket.io-client");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (events <= 0 || rounds <= 0)
    g_error ("--events and --rounds must be positive");

  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             "node", script, official ? "server" : "fastserver", peers_dir, NULL);
  if (server == NULL)
    g_error ("Cannot start the node server: %s", error->message);
  server_pid = g_subprocess_get_identifier (server);
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

  if (quick)
    g_print ("LIVEDESK_BENCH_QUICK: only checks that it runs; too few events for node's JIT to warm up, "
             "so the ratios below are no figure\n");
  g_print ("server: %s; %d events per burst, %d round%s\n",
           official ? "official socket.io 4.8 (encodes every message: it is the limit)"
                    : "pre-encoded frames (bench-client.mjs fastserver)",
           events, rounds, rounds == 1 ? "" : "s");
  g_print ("%-5s %-24s %8s %10s %12s %14s %10s\n", "round", "client", "events", "events/s", "CPU us/event",
           "peak RSS (KiB)", "server CPU");

  /* a first, smaller burst warms the server's JIT and the client's caches */
  run_round (client, &run, MAX (events / 5, 1));
  events_arg = g_strdup_printf ("%d", events);
  for (gint r = 1; r <= rounds; r++)
    {
      double cpu_start = self_cpu_us (), server_start = process_cpu_s (server_pid);
      double c_seconds, c_cpu_per_event, server_share;

      run_round (client, &run, events);
      c_cpu_per_event = (self_cpu_us () - cpu_start) / MAX (run.count, 1);
      c_seconds = (run.finished - run.started) / (double) G_USEC_PER_SEC;
      server_share = (process_cpu_s (server_pid) - server_start) / c_seconds;
      g_print ("%-5d %-24s %8u %10.0f %12.2f %14ld %9.0f%%\n", r, "SioClient (C)", run.count,
               run.count / c_seconds, c_cpu_per_event, peak_rss_kb (), 100 * server_share);

      if (!no_node)
        {
          g_autoptr(GSubprocess) node = NULL;
          g_autofree char *out = NULL;
          g_autoptr(JsonObject) result = NULL;
          double node_cpu_per_event, node_seconds, ratio;
          gint64 node_events;

          server_start = process_cpu_s (server_pid);
          node = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                   "node", script, "client", peers_dir, url, events_arg, "1", NULL);
          if (node == NULL || !g_subprocess_communicate_utf8 (node, NULL, NULL, &out, NULL, &error))
            g_error ("socket.io-client run failed: %s", error->message);
          result = out != NULL ? parse_object (out) : NULL;
          if (result == NULL)
            g_error ("socket.io-client run printed no result");
          node_events = int_member (result, "events");
          node_seconds = json_object_get_double_member_with_default (result, "seconds", 1);
          node_cpu_per_event = int_member (result, "cpu_us") / (double) MAX (node_events, 1);
          /* the server's CPU here also covers node's start and warm-up burst */
          server_share = (process_cpu_s (server_pid) - server_start) / node_seconds;
          g_print ("%-5d %-24s %8" G_GINT64_FORMAT " %10.0f %12.2f %14" G_GINT64_FORMAT " %9s\n", r,
                   "socket.io-client (node)", node_events, node_events / node_seconds, node_cpu_per_event,
                   int_member (result, "max_rss_kb"), "-");
          ratio = c_cpu_per_event / node_cpu_per_event;
          g_array_append_val (ratios, ratio);
          g_print ("%-5d ratio C/node: %.2fx CPU per event, %.2fx events/s, %.2fx peak RSS\n", r, ratio,
                   (run.count / c_seconds) / (node_events / node_seconds),
                   (double) peak_rss_kb () / MAX (int_member (result, "max_rss_kb"), 1));
        }
    }
  sio_client_disconnect (client);

  if (ratios->len > 0)
    {
      g_array_sort (ratios, compare_doubles);
      g_print ("CPU per event, C/node: median %.2fx, spread %.2f-%.2fx over %u rounds (target <= 0.5x)\n",
               g_array_index (ratios, double, ratios->len / 2), g_array_index (ratios, double, 0),
               g_array_index (ratios, double, ratios->len - 1), ratios->len);
    }

  g_output_stream_close (g_subprocess_get_stdin_pipe (server), NULL, NULL);
  g_subprocess_wait (server, NULL, NULL);
  g_free (run.error);
  return 0;
}
