/* bench-soak.c: what a gateway that runs for months goes through, against
 * one `livedesk-gateway serve` and, in the same run, the official socket.io
 * 4.8 server (bench/bench-fanout-server.mjs), the same clients for both.
 *
 *   bench-soak [--quick] [--server both|gateway|node] [--churn N] [--parallel P]
 *              [--slow K] [--flooders F] [--flood-rate R] [--flood-seconds S]
 *              [--storm M] [--storm-rounds R]
 *
 * Phases, for each server in turn:
 *   churn   N connections one after another, P at a time, each a phone's:
 *           WebSocket, Engine.IO OPEN, CONNECT with its token, answered, then
 *           closed. Issue 10 was the gateway's RSS growing by ~0.6 KiB with
 *           each of these, forever.
 *   slow    K clients join the room from a second process of this program,
 *           which is then stopped (SIGSTOP): they never read again, as a
 *           phone in a tunnel. F clients in the room flood it with
 *           sendMessage, R a second each, for S seconds; every message the
 *           server accepts is owed to the K stopped readers too. Then the
 *           flooders leave and the stopped process is killed.
 *   storm   M clients connect and join at once, as after a network blip,
 *           to rooms of STORM_ROOM_SIZE, then all leave at once; R rounds.
 * Every second or so, and at the end of each step, it prints the server's
 * RSS, open file descriptors (/proc/PID/fd) and CPU time; at the end, the
 * two servers side by side. The gateway allows a user one message a second
 * (PROTOCOL.md) and refuses the rest, so in the flood it delivers what it
 * accepts; node's reference server accepts everything.
 *
 * Figures only: it never fails on time. --quick (small counts, well under a
 * minute) is for CI to see that it runs.
 *
 * Environment: LIVEDESK_PEERS_DIR (tests/peers), LIVEDESK_GATEWAY (the
 * livedesk-gateway program).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench-servers.h"
#include "gw-jwt.h"
#include "sio-codec.h"

#define ROOM_ID "soak"
/* A storm's clients come back to many rooms, as after a network blip: in
 * one room, every join would send userJoined to everyone already there
 * (N²/2 events) and the bench would measure its own decoding of them. */
#define STORM_ROOM_SIZE 50
/* Clients on their way in at once. All 1,000 of a storm at once took 25 s
 * with either server, which used half a second of CPU meanwhile: this
 * program's own handshakes were the limit, not the servers. */
#define HANDSHAKE_WINDOW 128
/* A chat message near the contract's 500 characters fills the stopped
 * readers' buffers sooner. */
#define MESSAGE_PADDING \
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore " \
  "et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut " \
  "aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse " \
  "cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa."
/* Seconds between samples during the slow-reader flood. */
#define SAMPLE_INTERVAL_MS 1000
/* Quiet this long before a figure is read after clients leave. */
#define SETTLE_MS 1000

/* The servers compared, in this order. */
#define N_SERVERS (BENCH_SERVER_NODE + 1)

typedef struct
{
  guint    churn;
  guint    parallel;
  guint    slow;
  guint    flooders;
  guint    flood_rate;
  guint    flood_seconds;
  guint    storm;
  guint    storm_rounds;
  gboolean quick;
  char    *which;
  char    *gateway;
  char    *peers_dir;
  char    *node_script;
  char    *self;
} Config;

/* What a phase leaves in the summary. */
typedef struct
{
  gboolean ran;
  glong    rss_start_kb;
  glong    rss_first_kb;    /* churn: after the first checkpoint (5,000 or a tenth) */
  guint    first_at;
  glong    rss_end_kb;
  glong    rss_peak_kb;
  guint    fds_start;
  guint    fds_peak;
  guint    fds_end;
  double   cpu_s;
  double   wall_s;
  guint    done;
  guint    failed;
  guint64  sent;
  guint64  accepted;
  guint64  refused;
  guint64  delivered;
  double   storm_join_s[16];
} PhaseFigures;

typedef enum
{
  PHASE_CHURN,
  PHASE_SLOW,
  PHASE_STORM,
  N_PHASES
} Phase;

static const char * const phase_names[N_PHASES] = { "churn", "slow", "storm" };

typedef enum
{
  PEER_HANDSHAKE,
  PEER_OPENING,
  PEER_CONNECTING,
  PEER_JOINING,
  PEER_JOINED,
  PEER_CLOSING,
  PEER_CLOSED,
} PeerState;

typedef struct _Bench Bench;

typedef struct
{
  Bench                   *bench;
  guint                    index;
  gboolean                 member;   /* joins the room; else a churn client that leaves at CONNECT */
  PeerState                state;
  SoupWebsocketConnection *ws;
  SioDecoder              *decoder;
  char                    *user_id;
  char                    *token;
  char                    *room_id;
} Peer;

struct _Bench
{
  const Config *config;
  BenchServer  *server;
  SoupSession  *session;
  GUri         *uri;
  char         *first_error;
  guint         n_errors;

  /* churn */
  guint         to_start;
  guint         running;
  guint         churned;
  guint         churn_failed;
  guint         next_index;

  /* members (flooders, storm clients, the child's slow readers) */
  GPtrArray    *members;
  guint         joined;
  guint         settled;   /* joined or failed */
  guint         open;      /* not closed yet */
  guint64       sent;
  guint64       accepted;
  guint64       refused;
  guint64       delivered;
  gint64        last_event_us;
  double        flood_owed;
};

G_GNUC_PRINTF (2, 3)
static void
bench_error (Bench      *bench,
             const char *format,
             ...)
{
  va_list args;

  bench->n_errors++;
  if (bench->first_error != NULL)
    return;
  va_start (args, format);
  bench->first_error = g_strdup_vprintf (format, args);
  va_end (args);
}

static const char *
server_label (BenchServerKind kind)
{
  return kind == BENCH_SERVER_GATEWAY ? "gateway" : "node";
}

/* One line of the running log: phase, server, seconds into the phase, a
 * count, and the server's RSS, descriptors and CPU so far in the phase. */
static void
sample (Bench        *bench,
        Phase         phase,
        PhaseFigures *figures,
        gint64        start_us,
        double        cpu_start,
        const char   *what,
        guint64       count)
{
  GPid pid = bench->server->pid;
  glong rss = bench_read_rss_kb (pid);
  guint fds = bench_read_n_fds (pid);
  double cpu = bench_read_cpu_seconds (pid) - cpu_start;

  figures->rss_peak_kb = MAX (figures->rss_peak_kb, rss);
  figures->fds_peak = MAX (figures->fds_peak, fds);
  g_print ("%-6s %-8s %7.1f s  %-10s %9" G_GUINT64_FORMAT "  RSS %8ld kB  fds %5u  CPU %7.2f s\n",
           phase_names[phase], server_label (bench->server->kind),
           (g_get_monotonic_time () - start_us) / 1e6, what, count, rss, fds, cpu);
}

static GwJwt *
jwt_from_secret (const char *secret)
{
  g_autoptr(GBytes) bytes = g_bytes_new (secret, strlen (secret));
  g_autoptr(GError) error = NULL;
  GwJwt *jwt = gw_jwt_new (bytes, &error);

  if (jwt == NULL)
    g_error ("Cannot make a signing key: %s", error->message);
  return jwt;
}

static char *
mint (GwJwt      *jwt,
      const char *user_id)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GwJwtClaims) claims = NULL;
  g_autoptr(GError) error = NULL;
  char *token;

  if (jwt == NULL)
    return NULL;
  claims = gw_jwt_claims_new (user_id, user_id, GW_ROLE_VIEWER, now, now + 24 * 3600);
  token = gw_jwt_sign (jwt, claims, &error);
  if (token == NULL)
    g_error ("Cannot sign a token: %s", error->message);
  return token;
}

/* Clients: libsoup WebSocket connections speaking Engine.IO and Socket.IO
 * through the project's codec. */
static void start_more_churn (Bench *bench);

static void
peer_free (Peer *peer)
{
  if (peer->ws != NULL)
    g_signal_handlers_disconnect_by_data (peer->ws, peer);
  g_clear_object (&peer->ws);
  g_clear_pointer (&peer->decoder, sio_decoder_free);
  g_free (peer->user_id);
  g_free (peer->token);
  g_free (peer->room_id);
  g_free (peer);
}

static void
peer_close (Peer *peer)
{
  if (peer->state == PEER_CLOSED || peer->state == PEER_CLOSING)
    return;
  peer->state = PEER_CLOSING;
  if (peer->ws != NULL && soup_websocket_connection_get_state (peer->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (peer->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

/* A member settles once: joined, or failed on the way. */
static void
member_settle (Peer     *peer,
               gboolean  joined)
{
  if (peer->state == PEER_JOINED || peer->state >= PEER_CLOSING)
    return;
  peer->bench->settled++;
  if (joined)
    {
      peer->bench->joined++;
      peer->state = PEER_JOINED;
    }
}

/* The connection is gone: a churn client makes room for the next. */
static void
peer_gone (Peer *peer)
{
  Bench *bench = peer->bench;
  PeerState was = peer->state;

  if (was == PEER_CLOSED)
    return;
  if (peer->member)
    {
      if (was < PEER_JOINED)
        {
          bench_error (bench, "client %u: closed before it joined the room", peer->index);
          member_settle (peer, FALSE);
        }
      peer->state = PEER_CLOSED;
      bench->open--;
      return;
    }

  if (was != PEER_CLOSING)
    {
      bench->churn_failed++;
      bench_error (bench, "churn client %u: closed before CONNECT was answered", peer->index);
    }
  peer->state = PEER_CLOSED;
  bench->running--;
  peer_free (peer);
  start_more_churn (bench);
}

static void
peer_on_open (Peer *peer)
{
  g_autoptr(SioPacket) packet = NULL;
  JsonNode *auth = NULL;

  if (peer->token != NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "token");
      json_builder_add_string_value (builder, peer->token);
      json_builder_end_object (builder);
      auth = json_builder_get_root (builder);
    }
  packet = sio_packet_new (SIO_PACKET_CONNECT, "/", auth);
  bench_ws_send_packet (peer->ws, packet);
  peer->state = PEER_CONNECTING;
}

/* CONNECT answered: a churn client leaves; a member authenticates and joins. */
static void
peer_on_connected (Peer *peer)
{
  g_autoptr(JsonBuilder) auth = json_builder_new ();
  g_autoptr(JsonBuilder) join = json_builder_new ();

  if (!peer->member)
    {
      peer->bench->churned++;
      peer_close (peer);
      return;
    }

  json_builder_begin_object (auth);
  json_builder_set_member_name (auth, "token");
  json_builder_add_string_value (auth, peer->token != NULL ? peer->token : "");
  json_builder_set_member_name (auth, "userId");
  json_builder_add_string_value (auth, peer->user_id);
  bench_ws_emit (peer->ws, "authenticate", auth);

  json_builder_begin_object (join);
  json_builder_set_member_name (join, "roomId");
  json_builder_add_string_value (join, peer->room_id);
  json_builder_set_member_name (join, "userId");
  json_builder_add_string_value (join, peer->user_id);
  json_builder_set_member_name (join, "username");
  json_builder_add_string_value (join, peer->user_id);
  bench_ws_emit (peer->ws, "joinRoom", join);
  peer->state = PEER_JOINING;
}

static void
on_packet (Peer            *peer,
           const SioPacket *packet)
{
  Bench *bench = peer->bench;
  const char *name;

  switch (packet->type)
    {
    case SIO_PACKET_CONNECT:
      if (peer->state == PEER_CONNECTING)
        peer_on_connected (peer);
      break;
    case SIO_PACKET_CONNECT_ERROR:
      bench_error (bench, "client %u: CONNECT refused", peer->index);
      if (!peer->member)
        bench->churn_failed++;
      member_settle (peer, FALSE);
      peer->state = PEER_CLOSING;
      if (peer->ws != NULL)
        soup_websocket_connection_close (peer->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      break;
    case SIO_PACKET_EVENT:
      name = sio_packet_get_event (packet);
      if (name == NULL)
        break;
      if (g_str_equal (name, "newMessage"))
        bench->delivered++;
      else if (g_str_equal (name, "messageSent"))
        bench->accepted++;
      else if (g_str_equal (name, "sendMessageError"))
        bench->refused++;
      else if (g_str_equal (name, "joinedRoom"))
        member_settle (peer, TRUE);
      else if (g_str_equal (name, "joinRoomError") || g_str_equal (name, "authFailed"))
        {
          bench_error (bench, "client %u: %s", peer->index, name);
          member_settle (peer, FALSE);
        }
      break;
    default:
      break;
    }
}

static void
on_ws_message (SoupWebsocketConnection *ws,
               gint                     type,
               GBytes                  *message,
               gpointer                 user_data)
{
  Peer *peer = user_data;
  g_autoptr(SioEioPacket) eio = NULL;
  g_autoptr(SioPacket) packet = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  const char *text;
  gsize text_len;

  peer->bench->last_event_us = g_get_monotonic_time ();
  if (type != SOUP_WEBSOCKET_DATA_TEXT || len == 0)
    return;
  eio = sio_eio_decode_text_frame (data, len, &error);
  if (eio == NULL)
    {
      bench_error (peer->bench, "client %u: %s", peer->index, error->message);
      return;
    }
  switch (eio->type)
    {
    case SIO_EIO_OPEN:
      if (peer->state == PEER_OPENING)
        peer_on_open (peer);
      break;
    case SIO_EIO_PING:
      bench_ws_send_eio (peer->ws, SIO_EIO_PONG, NULL);
      break;
    case SIO_EIO_MESSAGE:
      text = sio_eio_packet_get_text (eio, &text_len);
      if (!sio_decoder_add_text (peer->decoder, text, text_len, &packet, &error))
        bench_error (peer->bench, "client %u: %s", peer->index, error->message);
      else if (packet != NULL)
        on_packet (peer, packet);
      break;
    default:
      break;
    }
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  peer_gone (user_data);
}

static void
on_ws_connected (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Peer *peer = user_data;
  g_autoptr(GError) error = NULL;

  peer->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (peer->ws == NULL)
    {
      bench_error (peer->bench, "client %u: no WebSocket: %s", peer->index, error->message);
      peer->state = PEER_OPENING;  /* not CLOSING: counted as a failure */
      peer_gone (peer);
      return;
    }
  peer->state = PEER_OPENING;
  /* joinedRoom lists every viewer: beyond libsoup's 128 KiB default in a storm */
  soup_websocket_connection_set_max_incoming_payload_size (peer->ws, 0);
  soup_websocket_connection_set_keepalive_interval (peer->ws, 0);
  g_signal_connect (peer->ws, "message", G_CALLBACK (on_ws_message), peer);
  g_signal_connect (peer->ws, "closed", G_CALLBACK (on_ws_closed), peer);
}

static void
peer_connect (Peer *peer)
{
  g_autoptr(SoupMessage) message = soup_message_new_from_uri (SOUP_METHOD_GET, peer->bench->uri);

  soup_session_websocket_connect_async (peer->bench->session, message, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, on_ws_connected, peer);
}

static Peer *
peer_new (Bench    *bench,
          gboolean  member,
          GwJwt    *jwt)
{
  Peer *peer = g_new0 (Peer, 1);

  peer->bench = bench;
  peer->index = bench->next_index++;
  peer->member = member;
  peer->state = PEER_HANDSHAKE;
  peer->decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  peer->user_id = g_strdup_printf ("soak%uu%u", (guint) getpid (), peer->index);
  /* churn clients share one user; members are users of their own, as the
   * gateway's rate limit is per user */
  peer->token = member ? mint (jwt, peer->user_id) : NULL;
  if (member)
    bench->open++;
  return peer;
}

static char *churn_token;

static void
start_more_churn (Bench *bench)
{
  while (bench->to_start > 0 && bench->running < bench->config->parallel)
    {
      Peer *peer;

      bench->to_start--;
      bench->running++;
      peer = peer_new (bench, FALSE, NULL);
      peer->token = g_strdup (churn_token);
      peer_connect (peer);
    }
}

static gboolean
on_tick (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for MS milliseconds. */
static void
iterate_for (guint ms)
{
  gboolean ticked = FALSE;

  g_timeout_add (ms, on_tick, &ticked);
  while (!ticked)
    g_main_context_iteration (NULL, TRUE);
}

/* Waits for a quiet moment (no frame for SETTLE_MS) so a figure is not
 * read in the middle of the server's work. */
static void
settle (Bench *bench)
{
  bench->last_event_us = g_get_monotonic_time ();
  while (g_get_monotonic_time () - bench->last_event_us < SETTLE_MS * 1000)
    iterate_for (100);
}

static void
phase_churn (Bench        *bench,
             PhaseFigures *figures)
{
  const Config *config = bench->config;
  gint64 start = g_get_monotonic_time ();
  double cpu_start = bench_read_cpu_seconds (bench->server->pid);
  guint step = MAX (config->churn / 10, 1);
  guint first = MIN (config->churn, config->quick ? step : 5000);
  guint next = first;

  churn_token = mint (bench->server->jwt, "soakchurn");
  figures->ran = TRUE;
  figures->rss_start_kb = bench_read_rss_kb (bench->server->pid);
  figures->fds_start = bench_read_n_fds (bench->server->pid);
  sample (bench, PHASE_CHURN, figures, start, cpu_start, "start", 0);

  bench->to_start = config->churn;
  bench->churned = bench->churn_failed = 0;
  start_more_churn (bench);
  while (bench->running > 0)
    {
      g_main_context_iteration (NULL, TRUE);
      if (bench->churned + bench->churn_failed >= next || bench->running == 0)
        {
          guint done = bench->churned + bench->churn_failed;

          if (next == first)
            {
              figures->rss_first_kb = bench_read_rss_kb (bench->server->pid);
              figures->first_at = done;
            }
          sample (bench, PHASE_CHURN, figures, start, cpu_start, "connected", bench->churned);
          while (next <= done)
            next = next == first && first < step ? step : next + step;
        }
    }
  figures->wall_s = (g_get_monotonic_time () - start) / 1e6;
  settle (bench);
  figures->rss_end_kb = bench_read_rss_kb (bench->server->pid);
  figures->fds_end = bench_read_n_fds (bench->server->pid);
  figures->cpu_s = bench_read_cpu_seconds (bench->server->pid) - cpu_start;
  figures->done = bench->churned;
  figures->failed = bench->churn_failed;
  sample (bench, PHASE_CHURN, figures, start, cpu_start, "settled", bench->churned);
  g_clear_pointer (&churn_token, g_free);
}

/* N members join, ROOM_SIZE to a room (0: all to ROOM_ID); returns once
 * every one has joined or failed. */
static void
join_members (Bench *bench,
              guint  n,
              guint  room_size)
{
  guint base = bench->settled;
  guint first = bench->members->len;
  guint started = 0;

  for (guint i = 0; i < n; i++)
    {
      Peer *peer = peer_new (bench, TRUE, bench->server->jwt);

      peer->room_id = room_size > 0 ? g_strdup_printf ("storm%u", i / room_size) : g_strdup (ROOM_ID);
      g_ptr_array_add (bench->members, peer);
    }
  while (bench->settled < base + n)
    {
      while (started < n && started - (bench->settled - base) < HANDSHAKE_WINDOW)
        peer_connect (g_ptr_array_index (bench->members, first + started++));
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
leave_members (Bench *bench)
{
  for (guint i = 0; i < bench->members->len; i++)
    peer_close (g_ptr_array_index (bench->members, i));
  while (bench->open > 0)
    g_main_context_iteration (NULL, TRUE);
  g_ptr_array_set_size (bench->members, 0);
}

static void
send_message (Peer *peer)
{
  g_autoptr(JsonBuilder) message = json_builder_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *timestamp = g_date_time_format_iso8601 (now);
  g_autofree char *text = g_strdup_printf ("soak %" G_GUINT64_FORMAT " from %s %s",
                                           peer->bench->sent, peer->user_id, MESSAGE_PADDING);

  json_builder_begin_object (message);
  json_builder_set_member_name (message, "roomId");
  json_builder_add_string_value (message, ROOM_ID);
  json_builder_set_member_name (message, "userId");
  json_builder_add_string_value (message, peer->user_id);
  json_builder_set_member_name (message, "username");
  json_builder_add_string_value (message, peer->user_id);
  json_builder_set_member_name (message, "message");
  json_builder_add_string_value (message, text);
  json_builder_set_member_name (message, "timestamp");
  json_builder_add_string_value (message, timestamp);
  bench_ws_emit (peer->ws, "sendMessage", message);
  peer->bench->sent++;
}

/* The stopped readers: this program again, in --slow-readers-child mode. */
static GSubprocess *
start_slow_readers (Bench   *bench,
                    GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *count = g_strdup_printf ("%u", bench->config->slow);
  g_autofree char *port = g_strdup_printf ("%u", bench->server->port);
  g_autofree char *line = NULL;
  g_autoptr(GSubprocess) child = NULL;

  if (bench->server->secret != NULL)
    g_subprocess_launcher_setenv (launcher, "LIVEDESK_SOAK_SECRET", bench->server->secret, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, bench_die_with_parent, NULL, NULL);
  child = g_subprocess_launcher_spawn (launcher, error, bench->config->self,
                                       "--slow-readers-child", count, "--port", port, NULL);
  if (child == NULL)
    return NULL;
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, error);
  if (line == NULL || !g_str_has_prefix (line, "ready "))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the slow readers did not join: %s",
                     line != NULL ? line : "(nothing)");
      g_subprocess_force_exit (child);
      return NULL;
    }
  return g_steal_pointer (&child);
}

static gboolean
on_flood_tick (gpointer user_data)
{
  Bench *bench = user_data;
  /* every 10 ms, a hundredth of each flooder's second */
  bench->flood_owed += bench->config->flood_rate / 100.0;
  while (bench->flood_owed >= 1)
    {
      for (guint i = 0; i < bench->members->len; i++)
        {
          Peer *peer = g_ptr_array_index (bench->members, i);

          if (peer->state == PEER_JOINED)
            send_message (peer);
        }
      bench->flood_owed -= 1;
    }
  return G_SOURCE_CONTINUE;
}

static void
phase_slow (Bench        *bench,
            PhaseFigures *figures)
{
  const Config *config = bench->config;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  double cpu_start = bench_read_cpu_seconds (bench->server->pid);
  gint64 flood_end;
  guint tick;

  figures->ran = TRUE;
  figures->rss_start_kb = bench_read_rss_kb (bench->server->pid);
  figures->fds_start = bench_read_n_fds (bench->server->pid);
  sample (bench, PHASE_SLOW, figures, start, cpu_start, "start", 0);

  child = start_slow_readers (bench, &error);
  if (child == NULL)
    {
      bench_error (bench, "slow readers: %s", error->message);
      return;
    }
  /* from here on they never read */
  kill (atoi (g_subprocess_get_identifier (child)), SIGSTOP);
  sample (bench, PHASE_SLOW, figures, start, cpu_start, "stopped", config->slow);

  join_members (bench, config->flooders, 0);
  bench->sent = bench->accepted = bench->refused = bench->delivered = 0;
  sample (bench, PHASE_SLOW, figures, start, cpu_start, "flooders", bench->joined);

  tick = g_timeout_add (10, on_flood_tick, bench);
  flood_end = g_get_monotonic_time () + (gint64) config->flood_seconds * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < flood_end)
    {
      iterate_for (SAMPLE_INTERVAL_MS);
      sample (bench, PHASE_SLOW, figures, start, cpu_start, "sent", bench->sent);
    }
  g_source_remove (tick);
  figures->sent = bench->sent;
  figures->accepted = bench->accepted;
  figures->refused = bench->refused;
  figures->delivered = bench->delivered;
  g_print ("slow   %-8s flood: %" G_GUINT64_FORMAT " sent, %" G_GUINT64_FORMAT " accepted, %"
           G_GUINT64_FORMAT " refused, %" G_GUINT64_FORMAT " newMessage to the flooders\n",
           server_label (bench->server->kind), bench->sent, bench->accepted, bench->refused, bench->delivered);

  leave_members (bench);
  g_subprocess_force_exit (child);
  g_subprocess_wait (child, NULL, NULL);
  settle (bench);
  figures->wall_s = (g_get_monotonic_time () - start) / 1e6;
  figures->rss_end_kb = bench_read_rss_kb (bench->server->pid);
  figures->fds_end = bench_read_n_fds (bench->server->pid);
  figures->cpu_s = bench_read_cpu_seconds (bench->server->pid) - cpu_start;
  sample (bench, PHASE_SLOW, figures, start, cpu_start, "all gone", 0);
}

static void
phase_storm (Bench        *bench,
             PhaseFigures *figures)
{
  const Config *config = bench->config;
  gint64 start = g_get_monotonic_time ();
  double cpu_start = bench_read_cpu_seconds (bench->server->pid);

  figures->ran = TRUE;
  figures->rss_start_kb = bench_read_rss_kb (bench->server->pid);
  figures->fds_start = bench_read_n_fds (bench->server->pid);
  sample (bench, PHASE_STORM, figures, start, cpu_start, "start", 0);

  for (guint round = 0; round < config->storm_rounds; round++)
    {
      gint64 round_start = g_get_monotonic_time ();
      guint joined_before = bench->joined;

      join_members (bench, config->storm, STORM_ROOM_SIZE);
      if (round < G_N_ELEMENTS (figures->storm_join_s))
        figures->storm_join_s[round] = (g_get_monotonic_time () - round_start) / 1e6;
      figures->done += bench->joined - joined_before;
      sample (bench, PHASE_STORM, figures, start, cpu_start, "joined", bench->joined - joined_before);
      leave_members (bench);
      sample (bench, PHASE_STORM, figures, start, cpu_start, "left", 0);
    }
  settle (bench);
  figures->wall_s = (g_get_monotonic_time () - start) / 1e6;
  figures->rss_end_kb = bench_read_rss_kb (bench->server->pid);
  figures->fds_end = bench_read_n_fds (bench->server->pid);
  figures->cpu_s = bench_read_cpu_seconds (bench->server->pid) - cpu_start;
  sample (bench, PHASE_STORM, figures, start, cpu_start, "settled", 0);
}

static void
bench_init (Bench        *bench,
            const Config *config,
            BenchServer  *server)
{
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/socket/?EIO=4&transport=websocket", server->port);

  memset (bench, 0, sizeof *bench);
  bench->config = config;
  bench->server = server;
  bench->uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  /* a storm opens every connection at once; each client has its own */
  bench->session = soup_session_new_with_options ("max-conns", G_MAXINT / 2, "max-conns-per-host", G_MAXINT / 2,
                                                  "timeout", 0, "idle-timeout", 0, NULL);
  bench->members = g_ptr_array_new_with_free_func ((GDestroyNotify) peer_free);
}

static void
bench_clear (Bench *bench)
{
  g_clear_pointer (&bench->members, g_ptr_array_unref);
  g_clear_object (&bench->session);
  g_clear_pointer (&bench->uri, g_uri_unref);
  g_clear_pointer (&bench->first_error, g_free);
}

/* One row of the summary; takes GATEWAY and NODE, NULL for a server that did not run. */
static void
row (const char *label,
     char       *gateway,
     char       *node)
{
  g_print ("%-42s %20s %20s\n", label, gateway ? gateway : "-", node ? node : "-");
  g_free (gateway);
  g_free (node);
}

static char *
figure (gboolean    ran,
        const char *format,
        ...) G_GNUC_PRINTF (2, 3);

static char *
figure (gboolean    ran,
        const char *format,
        ...)
{
  va_list args;
  char *text;

  if (!ran)
    return NULL;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  return text;
}

static void
print_summary (const Config       *config,
               const PhaseFigures  figures[N_SERVERS][N_PHASES],
               const gboolean      ran[N_SERVERS])
{
  const PhaseFigures *c[N_SERVERS], *w[N_SERVERS], *t[N_SERVERS];
  char *cells[N_SERVERS];
  g_autofree char *first_label = NULL;

  for (guint k = 0; k < N_SERVERS; k++)
    {
      c[k] = &figures[k][PHASE_CHURN];
      w[k] = &figures[k][PHASE_SLOW];
      t[k] = &figures[k][PHASE_STORM];
    }

#define EACH(format, ...) \
  for (guint k = 0; k < N_SERVERS; k++) cells[k] = figure (ran[k], format, __VA_ARGS__)

  g_print ("\n%-42s %20s %20s\n", "", "gateway", "node");
  if (!c[0]->ran && !c[1]->ran)
    goto slow;
  EACH ("%u", c[k]->done);
  row ("churn: connections", cells[0], cells[1]);
  EACH ("%u", c[k]->failed);
  row ("churn: failed", cells[0], cells[1]);
  EACH ("%.0f", c[k]->done / MAX (c[k]->wall_s, 1e-6));
  row ("churn: connections/s", cells[0], cells[1]);
  EACH ("%.0f", 1e6 * c[k]->cpu_s / MAX (c[k]->done, 1));
  row ("churn: server CPU per connection (us)", cells[0], cells[1]);
  EACH ("%ld", c[k]->rss_start_kb);
  row ("churn: RSS before (kB)", cells[0], cells[1]);
  first_label = g_strdup_printf ("churn: RSS after the first %u (kB)", MAX (c[0]->first_at, c[1]->first_at));
  EACH ("%ld", c[k]->rss_first_kb);
  row (first_label, cells[0], cells[1]);
  EACH ("%ld", c[k]->rss_end_kb);
  row ("churn: RSS after all (kB)", cells[0], cells[1]);
  EACH ("%+.1f", 1024.0 * (c[k]->rss_end_kb - c[k]->rss_first_kb) / MAX ((gint) c[k]->done - (gint) c[k]->first_at, 1));
  row ("churn: growth after the first (B/conn)", cells[0], cells[1]);
  EACH ("%u / %u", c[k]->fds_start, c[k]->fds_end);
  row ("churn: fds before / after", cells[0], cells[1]);

slow:
  if (!w[0]->ran && !w[1]->ran)
    goto storm;

  EACH ("%" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT, w[k]->sent, w[k]->accepted, w[k]->refused);
  row ("slow: sendMessage sent / accepted / refused", cells[0], cells[1]);
  EACH ("%" G_GUINT64_FORMAT, w[k]->delivered);
  row ("slow: newMessage to the flooders", cells[0], cells[1]);
  EACH ("%.1f / %.1f / %.1f", w[k]->rss_start_kb / 1024.0, w[k]->rss_peak_kb / 1024.0, w[k]->rss_end_kb / 1024.0);
  row ("slow: RSS before / peak / after (MB)", cells[0], cells[1]);
  EACH ("%u / %u / %u", w[k]->fds_start, w[k]->fds_peak, w[k]->fds_end);
  row ("slow: fds before / peak / after", cells[0], cells[1]);
  EACH ("%.2f", w[k]->cpu_s);
  row ("slow: server CPU (s)", cells[0], cells[1]);

storm:
  if (!t[0]->ran && !t[1]->ran)
    return;

  for (guint r = 0; r < MIN (config->storm_rounds, G_N_ELEMENTS (t[0]->storm_join_s)); r++)
    {
      g_autofree char *label = g_strdup_printf ("storm: round %u, %u joined in (s)", r + 1, config->storm);

      EACH ("%.2f", t[k]->storm_join_s[r]);
      row (label, cells[0], cells[1]);
    }
  EACH ("%.1f / %.1f / %.1f", t[k]->rss_start_kb / 1024.0, t[k]->rss_peak_kb / 1024.0, t[k]->rss_end_kb / 1024.0);
  row ("storm: RSS before / peak / after (MB)", cells[0], cells[1]);
  EACH ("%u / %u / %u", t[k]->fds_start, t[k]->fds_peak, t[k]->fds_end);
  row ("storm: fds before / peak / after", cells[0], cells[1]);
  EACH ("%.2f", t[k]->cpu_s);
  row ("storm: server CPU (s)", cells[0], cells[1]);
#undef EACH
}

/* --slow-readers-child N --port P: N members join, "ready N" is printed,
 * then this process waits for the SIGSTOP and SIGKILL the parent sends. */
static int
slow_readers_child (guint n,
                    guint port)
{
  Config config = { .parallel = 1 };
  BenchServer server = { .port = port };
  const char *secret = g_getenv ("LIVEDESK_SOAK_SECRET");
  Bench bench;

  server.jwt = secret != NULL ? jwt_from_secret (secret) : NULL;
  bench_init (&bench, &config, &server);
  join_members (&bench, n, 0);
  if (bench.joined < n)
    {
      g_print ("failed %u of %u: %s\n", n - bench.joined, n, bench.first_error ? bench.first_error : "");
      return 1;
    }
  g_print ("ready %u\n", n);
  fflush (stdout);
  for (;;)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  Config config = { 0 };
  gint churn = -1, parallel = -1, slow = -1, flooders = -1, flood_rate = -1, flood_seconds = -1;
  gint storm = -1, storm_rounds = -1, child_slow = -1, child_port = 0;
  g_autofree char *which = NULL;
  const GOptionEntry entries[] = {
    { "quick", 0, 0, G_OPTION_ARG_NONE, &config.quick, "Small counts, done in well under a minute (for CI)", NULL },
    { "server", 0, 0, G_OPTION_ARG_STRING, &which, "both (default), gateway or node", "WHICH" },
    { "churn", 0, 0, G_OPTION_ARG_INT, &churn, "Connections in the churn (default 100,000; quick 3,000)", "N" },
    { "parallel", 0, 0, G_OPTION_ARG_INT, &parallel, "Churn connections under way at once (default 8)", "P" },
    { "slow", 0, 0, G_OPTION_ARG_INT, &slow, "Readers that stop reading (default 50; quick 10)", "K" },
    { "flooders", 0, 0, G_OPTION_ARG_INT, &flooders, "Clients flooding the room, each a user (default 50; quick 10)", "F" },
    { "flood-rate", 0, 0, G_OPTION_ARG_INT, &flood_rate, "sendMessage a second per flooder (default 2: twice what the gateway allows)", "R" },
    { "flood-seconds", 0, 0, G_OPTION_ARG_INT, &flood_seconds, "How long the flood lasts (default 30; quick 3)", "S" },
    { "storm", 0, 0, G_OPTION_ARG_INT, &storm, "Clients reconnecting at once (default 1,000; quick 100)", "M" },
    { "storm-rounds", 0, 0, G_OPTION_ARG_INT, &storm_rounds, "Reconnect storms (default 5; quick 2)", "R" },
    { "slow-readers-child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &child_slow, NULL, NULL },
    { "port", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &child_port, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- connection churn, slow readers, floods and reconnect storms");
  g_autoptr(GError) error = NULL;
  PhaseFigures figures[N_SERVERS][N_PHASES];
  gboolean ran[N_SERVERS] = { FALSE, FALSE };
  int status = 0;
  struct rlimit limit;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-soak: %s\n", error->message);
      return 2;
    }

  /* a storm holds every client's descriptor at once in this process */
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }

  if (child_slow >= 0)
    return slow_readers_child ((guint) child_slow, (guint) child_port);

  config.churn = churn >= 0 ? (guint) churn : config.quick ? 3000 : 100000;
  config.parallel = parallel > 0 ? (guint) parallel : 8;
  config.slow = slow >= 0 ? (guint) slow : config.quick ? 10 : 50;
  config.flooders = flooders >= 0 ? (guint) flooders : config.quick ? 10 : 50;
  config.flood_rate = flood_rate > 0 ? (guint) flood_rate : 2;
  config.flood_seconds = flood_seconds >= 0 ? (guint) flood_seconds : config.quick ? 3 : 30;
  config.storm = storm >= 0 ? (guint) storm : config.quick ? 100 : 1000;
  config.storm_rounds = storm_rounds >= 0 ? (guint) storm_rounds : config.quick ? 2 : 5;
  config.which = which != NULL ? which : "both";
  config.gateway = g_strdup (g_getenv ("LIVEDESK_GATEWAY") ? g_getenv ("LIVEDESK_GATEWAY") : LIVEDESK_GATEWAY_PATH);
  config.peers_dir = g_strdup (g_getenv ("LIVEDESK_PEERS_DIR") ? g_getenv ("LIVEDESK_PEERS_DIR")
                                                               : LIVEDESK_SOURCE_DIR "/tests/peers");
  config.node_script = g_build_filename (LIVEDESK_SOURCE_DIR, "bench", "bench-fanout-server.mjs", NULL);
  config.self = g_file_read_link ("/proc/self/exe", NULL);
  if (config.self == NULL)
    config.self = g_strdup (argv[0]);
  if (!g_str_equal (config.which, "both") && !g_str_equal (config.which, "gateway") &&
      !g_str_equal (config.which, "node"))
    {
      g_printerr ("bench-soak: --server must be both, gateway or node\n");
      return 2;
    }

  g_print ("# bench-soak: churn %u (%u at a time), %u stopped readers under %u flooders at %u msg/s for %u s, "
           "storms of %u x %u\n",
           config.churn, config.parallel, config.slow, config.flooders, config.flood_rate,
           config.flood_seconds, config.storm, config.storm_rounds);
  memset (figures, 0, sizeof figures);

  for (BenchServerKind kind = 0; kind < N_SERVERS; kind++)
    {
      BenchServer server = { .kind = kind };
      Bench bench;
      gboolean started;

      if (!g_str_equal (config.which, "both") && !g_str_equal (config.which, server_label (kind)))
        continue;
      /* the gateway logs a line per connection: not here */
      started = kind == BENCH_SERVER_GATEWAY
                  ? bench_server_start_gateway (&server, config.gateway, 1, TRUE, &error)
                  : bench_server_start_node (&server, config.node_script, config.peers_dir, &error);
      if (!started)
        {
          g_printerr ("bench-soak: %s: %s\n", server_label (kind), error ? error->message : "did not start");
          g_clear_error (&error);
          bench_server_stop (&server);
          status = 1;
          continue;
        }
      ran[kind] = TRUE;
      bench_init (&bench, &config, &server);
      phase_churn (&bench, &figures[kind][PHASE_CHURN]);
      if (config.slow > 0 || config.flooders > 0)
        phase_slow (&bench, &figures[kind][PHASE_SLOW]);
      if (config.storm > 0 && config.storm_rounds > 0)
        phase_storm (&bench, &figures[kind][PHASE_STORM]);
      /* not a verdict on speed: a client that could not do its part means
       * the figures above are not what they say */
      if (bench.n_errors > 0)
        {
          g_print ("%s: %u client errors, the first: %s\n", server_label (kind), bench.n_errors, bench.first_error);
          status = 1;
        }
      bench_clear (&bench);
      bench_server_stop (&server);
    }

  print_summary (&config, figures, ran);
  g_free (config.gateway);
  g_free (config.peers_dir);
  g_free (config.node_script);
  g_free (config.self);
  return status;
}
