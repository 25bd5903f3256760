/* bench-fanout.c: the gateway's room broadcast under load, next to a minimal
 * official socket.io 4.8.4 server doing the same broadcast, driven by the
 * same load generator in the same run.
 *
 *   bench-fanout [--sizes 100,1000] [--duration S] [--rates R,… | --senders K] [--server both|gateway|node]
 *
 * For each size N: N clients connect to the server (CONNECT auth {token},
 * authenticate, joinRoom into one room); then K of them emit sendMessage
 * every 2.5 s for the duration (the gateway allows a user 1 message/s and
 * 30/min, so load comes from many senders, not fast ones). Every member, the
 * sender included, gets each newMessage; the send time travels in the
 * message text, so latency is send → receipt on one monotonic clock. Server
 * RSS is read from /proc/PID/status before and after the clients join.
 *
 * The clients are not SioClients: each is a socket on one epoll loop that
 * speaks just enough WebSocket, Engine.IO and Socket.IO to join, answer
 * pings and send, and that recognises the events it gets by their name.
 * With a SioClient each (libsoup, json-glib, a GSource per connection) this
 * process spent about 19 µs per delivery, more than either server, so it
 * was the ceiling and the ratio could not show more than 1×. Now a
 * delivery costs it 1–3 µs: each newMessage is scanned for the send
 * time in its text, and one in CHECK_EVERY is parsed whole with json-glib
 * and checked against what the scan found. Both servers get exactly the
 * same clients, frames and schedule.
 *
 * Each offered load R is newMessage deliveries a second (K = R·2.5 s / N
 * senders), the same for both servers, one after the other on the same
 * joined clients: a light one for latency, heavier ones for throughput. A
 * server that keeps up delivers R; one that cannot delivers what it can,
 * and its latency grows with the backlog (so p99 means something only at
 * loads both servers keep up with). Behind a backlog the gateway handles a
 * user's messages closer together than they were sent, and its rate limit
 * refuses some: those are not delivered, which counts against it.
 *
 * Prints, per N, load and server: delivered newMessage/s, p50/p99 latency,
 * server RSS per client, server CPU time per delivery, and the ratios.
 * Figures only: it never fails on time. The load generator shares the
 * machine with the server, so compare ratios, and read the CPU columns to
 * see whether the server or the load generator was the limit.
 *
 * Environment: LIVEDESK_PEERS_DIR (tests/peers), LIVEDESK_GATEWAY (the
 * livedesk-gateway program), LIVEDESK_FANOUT_SIZES, LIVEDESK_FANOUT_DURATION,
 * LIVEDESK_FANOUT_RATES, LIVEDESK_FANOUT_SENDERS: defaults for the options above.
 *
 * 5,000 clients are not in the default sizes: every join sends userJoined
 * to everyone already in the room (N²/2 events) and joinedRoom lists every
 * viewer, on both servers, so joining them takes a while. After
 * --join-timeout the clients that joined are measured and the table says
 * how many that was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
/* memmem */
#define _GNU_SOURCE
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gw-jwt.h"
#include "gw-users.h"

#define ROOM_ID "fanout"
#define SEND_INTERVAL_MS 2500
/* Connections being opened at once: the listen backlog is short, and a
 * SYN that overflows it waits a second or more to be retried. */
#define CONNECT_WINDOW 64
#define MESSAGE_PREFIX "fanout "
/* No newMessage for this long after the last send: the rest is lost. */
#define DRAIN_IDLE_MS 5000
/* Quiet this long after the joins before RSS is read and sending starts. */
#define SETTLE_IDLE_MS 500

/* Latency histogram: exact below 128 µs, then 64 sub-buckets per power of two
 * (under 1.6 % error), up to about 2^37 µs. */
#define HIST_LINEAR 128
#define HIST_SUB 64
#define HIST_OCTAVES 31
#define HIST_BUCKETS (HIST_LINEAR + HIST_OCTAVES * HIST_SUB)

typedef struct
{
  guint64 counts[HIST_BUCKETS];
  guint64 total;
} Histogram;

static guint
hist_bucket (gint64 value)
{
  guint octave;

  if (value < HIST_LINEAR)
    return (guint) MAX (value, 0);
  octave = g_bit_nth_msf ((gulong) value, -1) - 6;
  return MIN (HIST_LINEAR + (octave - 1) * HIST_SUB + (guint) ((value >> octave) - HIST_SUB), HIST_BUCKETS - 1);
}

static gint64
hist_bucket_value (guint bucket)
{
  guint octave;

  if (bucket < HIST_LINEAR)
    return bucket;
  octave = (bucket - HIST_LINEAR) / HIST_SUB + 1;
  /* the middle of the bucket */
  return ((gint64) ((bucket - HIST_LINEAR) % HIST_SUB + HIST_SUB) << octave) + ((gint64) 1 << octave) / 2;
}

static void
hist_add (Histogram *hist,
          gint64     value)
{
  hist->counts[hist_bucket (value)]++;
  hist->total++;
}

static double
hist_percentile_ms (const Histogram *hist,
                    double           fraction)
{
  guint64 rank = (guint64) (fraction * hist->total);
  guint64 seen = 0;

  if (hist->total == 0)
    return 0;
  for (guint i = 0; i < HIST_BUCKETS; i++)
    {
      seen += hist->counts[i];
      if (seen > rank)
        return hist_bucket_value (i) / 1000.0;
    }
  return hist_bucket_value (HIST_BUCKETS - 1) / 1000.0;
}

typedef enum
{
  SERVER_GATEWAY,
  SERVER_NODE,
} ServerKind;

typedef struct
{
  ServerKind   kind;
  GSubprocess *process;
  GPid         pid;
  guint        port;
  GwJwt       *jwt;     /* the gateway's secret, to sign tokens with */
  char        *dir;     /* the gateway's users file lives here */
} Server;

typedef struct _Run Run;

typedef enum
{
  PEER_HANDSHAKE,   /* waiting for the HTTP 101 */
  PEER_OPENING,     /* waiting for Engine.IO OPEN */
  PEER_CONNECTING,  /* waiting for the Socket.IO CONNECT answer */
  PEER_JOINING,     /* authenticate and joinRoom sent, waiting for joinedRoom */
  PEER_JOINED,
  PEER_CLOSED,
} PeerState;

typedef struct
{
  Run        *run;
  guint       index;
  char       *user_id;
  char       *token;
  int         fd;
  PeerState   state;
  GByteArray *in;        /* read and not parsed yet */
  GByteArray *out;       /* what the socket did not take yet */
  gboolean    started;
  gboolean    joined;
  gboolean    done;      /* joined or failed: no longer counted as connecting */
  guint       sends_left;
  gint64      next_send_us;
} Peer;

struct _Run
{
  Server    *server;
  guint      n;
  Peer      *peers;
  guint      next_peer;
  guint      limit;     /* peers to start: n, fewer once the join timeout passed */
  guint      connecting;
  guint      joined;
  guint      failed;
  guint      dropped;   /* connections lost while sending */
  char      *first_error;
  gint64     last_event_us;
  int        epoll_fd;
  GPtrArray *senders;   /* of Peer, unowned */

  gboolean   measuring;
  guint      senders_active;
  guint64    sent;
  guint64    accepted;
  guint64    refused;
  guint64    delivered;
  guint64    checked;   /* newMessage events parsed whole with json-glib */
  gint64     first_send_us;
  gint64     last_send_us;
  gint64     last_receipt_us;
  Histogram  latency;
};

#define MAX_LOADS 4

/* One offered load on one server. */
typedef struct
{
  gboolean ran;
  guint    senders;
  double   offered;
  guint    dropped;
  guint64  sent;
  guint64  accepted;
  guint64  refused;
  guint64  delivered;
  guint64  expected;
  double   seconds;
  double   rate;
  double   p50_ms;
  double   p99_ms;
  double   server_cpu_s;
  double   loadgen_cpu_s;
} Phase;

typedef struct
{
  char    *note;
  guint    n;
  guint    joined;
  double   join_s;
  double   rss_per_client_kb;
  Phase    phases[MAX_LOADS];
} Result;

typedef struct
{
  char    *peers_dir;
  char    *node_script;
  char    *gateway;
  guint    duration_s;
  gint     senders;   /* < 0: as many as the rate needs */
  guint    rates[MAX_LOADS];
  guint    n_rates;
  guint    max_clients;
  guint    join_timeout_s;
} Config;

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
fail_run (Run        *run,
          const char *format,
          ...) G_GNUC_PRINTF (2, 3);

static void
fail_run (Run        *run,
          const char *format,
          ...)
{
  va_list args;

  if (run->first_error != NULL)
    return;
  va_start (args, format);
  run->first_error = g_strdup_vprintf (format, args);
  va_end (args);
}

static void peer_on_readable (Peer *peer);
static void peer_on_writable (Peer *peer);
static void run_due_sends (Run *run);

static gint64
next_send_due (Run *run)
{
  gint64 due = G_MAXINT64;

  for (guint i = 0; run->senders != NULL && i < run->senders->len; i++)
    {
      Peer *peer = g_ptr_array_index (run->senders, i);

      if (peer->sends_left > 0)
        due = MIN (due, peer->next_send_us);
    }
  return due;
}

/* Runs the clients until PREDICATE holds or TIMEOUT_MS pass: one epoll set
 * for every client socket, the sends due, and nothing else on this thread. */
static gboolean
loop_until (gboolean (*predicate) (Run *run),
            Run       *run,
            guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  struct epoll_event events[256];
  gboolean ok;

  while (!(ok = predicate (run)))
    {
      gint64 now = g_get_monotonic_time ();
      gint64 wake = MIN (MIN (deadline, now + 100000), next_send_due (run));
      int ready;

      if (now >= deadline)
        break;
      ready = epoll_wait (run->epoll_fd, events, G_N_ELEMENTS (events),
                          wake > now ? (int) ((wake - now + 999) / 1000) : 0);
      if (ready < 0 && errno != EINTR)
        g_error ("epoll_wait: %s", g_strerror (errno));
      for (int i = 0; i < ready; i++)
        {
          Peer *peer = events[i].data.ptr;

          if (peer->state != PEER_CLOSED && (events[i].events & EPOLLOUT))
            peer_on_writable (peer);
          if (peer->state != PEER_CLOSED && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
            peer_on_readable (peer);
        }
      run_due_sends (run);
    }
  return ok;
}

static glong
read_rss_kb (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, "\nVmRSS:")) == NULL)
    return -1;
  return strtol (line + strlen ("\nVmRSS:"), NULL, 10);
}

/* utime + stime of PID in seconds, from /proc/PID/stat. */
static double
read_cpu_seconds (GPid pid)
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

static double
self_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
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

static GwJwt *
new_random_jwt (char **out_secret)
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

static gboolean
start_gateway (Server        *server,
               const Config  *config,
               GError       **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GwUsers) users = gw_users_new ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *users_path = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *line = NULL;

  server->dir = g_dir_make_tmp ("livedesk-fanout-XXXXXX", error);
  if (server->dir == NULL)
    return FALSE;
  /* Nobody logs in over REST here; tokens are signed with the same secret. */
  users_path = g_build_filename (server->dir, "users.json", NULL);
  if (!gw_users_save_to_file (users, users_path, error))
    return FALSE;
  server->jwt = new_random_jwt (&secret);

  g_subprocess_launcher_setenv (launcher, "LIVEDESK_JWT_SECRET", secret, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* Presence is not what is measured: viewers send no viewerPing here. */
  server->process = g_subprocess_launcher_spawn (launcher, error, config->gateway, "serve",
                                                 "--port", "0", "--users", users_path,
                                                 "--presence-timeout", "86400", NULL);
  explicit_bzero (secret, strlen (secret));
  if (server->process == NULL)
    return FALSE;

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, error);
  if (line == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s printed nothing and exited", config->gateway);
      return FALSE;
    }
  server->port = parse_listening_port (line);
  if (server->port == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "No port in the gateway's line “%s”", line);
      return FALSE;
    }
  server->pid = atoi (g_subprocess_get_identifier (server->process));
  return TRUE;
}

static gboolean
start_node (Server        *server,
            const Config  *config,
            GError       **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonNode) hello = NULL;
  g_autofree char *line = NULL;
  JsonObject *object;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawn (launcher, error, "node", config->node_script,
                                                 config->peers_dir, NULL);
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

static void
server_stop (Server *server)
{
  if (server->process != NULL)
    {
      g_subprocess_send_signal (server->process, SIGTERM);
      if (server->kind == SERVER_NODE)
        g_output_stream_close (g_subprocess_get_stdin_pipe (server->process), NULL, NULL);
      g_subprocess_wait (server->process, NULL, NULL);
      g_clear_object (&server->process);
    }
  g_clear_object (&server->jwt);
  if (server->dir != NULL)
    {
      g_autofree char *users_path = g_build_filename (server->dir, "users.json", NULL);

      g_unlink (users_path);
      g_rmdir (server->dir);
      g_clear_pointer (&server->dir, g_free);
    }
}

static const char *
server_label (ServerKind kind)
{
  return kind == SERVER_GATEWAY ? "livedesk-gateway" : "socket.io 4.8.4 (node)";
}

static void start_more_peers (Run *run);

static void
peer_finish_connecting (Peer     *peer,
                        gboolean  joined)
{
  Run *run = peer->run;

  if (peer->done)
    return;
  peer->done = TRUE;
  peer->joined = joined;
  run->connecting--;
  if (joined)
    run->joined++;
  else
    run->failed++;
  start_more_peers (run);
}

static void
peer_lost (Peer       *peer,
           const char *why)
{
  if (peer->state == PEER_CLOSED)
    return;
  peer->state = PEER_CLOSED;
  close (peer->fd);   /* also takes it out of the epoll set */
  peer->fd = -1;
  if (!peer->done)
    {
      fail_run (peer->run, "client %u lost its connection while joining: %s", peer->index, why);
      peer_finish_connecting (peer, FALSE);
    }
  else if (peer->run->measuring)
    {
      peer->run->dropped++;
      fail_run (peer->run, "client %u lost its connection during the run: %s", peer->index, why);
    }
}

static void
peer_watch (Peer     *peer,
            gboolean  writable)
{
  struct epoll_event event = { .events = EPOLLIN | (writable ? EPOLLOUT : 0), .data.ptr = peer };

  if (epoll_ctl (peer->run->epoll_fd, EPOLL_CTL_MOD, peer->fd, &event) != 0)
    g_error ("epoll_ctl: %s", g_strerror (errno));
}

static void
peer_write (Peer         *peer,
            const guint8 *data,
            gsize         len)
{
  ssize_t wrote = 0;

  if (peer->state == PEER_CLOSED)
    return;
  if (peer->out->len == 0)
    {
      wrote = send (peer->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (wrote < 0 && errno != EAGAIN && errno != EINTR)
        {
          peer_lost (peer, g_strerror (errno));
          return;
        }
      wrote = MAX (wrote, 0);
      if ((gsize) wrote == len)
        return;
      peer_watch (peer, TRUE);
    }
  g_byte_array_append (peer->out, data + wrote, len - wrote);
}

static void
peer_on_writable (Peer *peer)
{
  ssize_t wrote = send (peer->fd, peer->out->data, peer->out->len, MSG_NOSIGNAL | MSG_DONTWAIT);

  if (wrote < 0 && errno != EAGAIN && errno != EINTR)
    {
      peer_lost (peer, g_strerror (errno));
      return;
    }
  if (wrote > 0)
    g_byte_array_remove_range (peer->out, 0, wrote);
  if (peer->out->len == 0)
    peer_watch (peer, FALSE);
}

/* A client frame: FIN, OPCODE, masked as RFC 6455 requires of clients. */
static void
peer_send_frame (Peer         *peer,
                 guint8        opcode,
                 const guint8 *payload,
                 gsize         len)
{
  g_autoptr(GByteArray) frame = g_byte_array_sized_new (len + 14);
  guint32 key = g_random_int ();
  guint8 header[10];
  gsize header_len = 2;
  guint8 mask[4];

  header[0] = 0x80 | opcode;
  if (len < 126)
    header[1] = 0x80 | len;
  else if (len <= G_MAXUINT16)
    {
      header[1] = 0x80 | 126;
      header[2] = len >> 8;
      header[3] = len & 0xff;
      header_len = 4;
    }
  else
    {
      header[1] = 0x80 | 127;
      for (guint i = 0; i < 8; i++)
        header[2 + i] = (guint64) len >> (56 - 8 * i);
      header_len = 10;
    }
  memcpy (mask, &key, 4);
  g_byte_array_append (frame, header, header_len);
  g_byte_array_append (frame, mask, 4);
  g_byte_array_set_size (frame, header_len + 4 + len);
  for (gsize i = 0; i < len; i++)
    frame->data[header_len + 4 + i] = payload[i] ^ mask[i % 4];
  peer_write (peer, frame->data, frame->len);
}

static void
peer_send_text (Peer       *peer,
                const char *text)
{
  peer_send_frame (peer, 0x1, (const guint8 *) text, strlen (text));
}

/* 42[EVENT,OBJECT]: an event of the main namespace, without ack. */
static void
peer_emit (Peer        *peer,
           const char  *event,
           JsonBuilder *object)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonArray) args = json_array_new ();
  g_autoptr(JsonNode) array = json_node_new (JSON_NODE_ARRAY);
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;

  json_builder_end_object (object);
  root = json_builder_get_root (object);
  json_array_add_string_element (args, event);
  json_array_add_element (args, g_steal_pointer (&root));
  json_node_set_array (array, args);
  json = json_to_string (array, FALSE);
  text = g_strconcat ("42", json, NULL);
  peer_send_text (peer, text);
}

/* The server accepted the namespace: authenticate, then joinRoom (the
 * server handles one socket's events in order). */
static void
peer_on_connected (Peer *peer)
{
  g_autoptr(JsonBuilder) auth = json_builder_new ();
  g_autoptr(JsonBuilder) join = json_builder_new ();

  json_builder_begin_object (auth);
  json_builder_set_member_name (auth, "token");
  json_builder_add_string_value (auth, peer->token != NULL ? peer->token : "");
  json_builder_set_member_name (auth, "userId");
  json_builder_add_string_value (auth, peer->user_id);
  peer_emit (peer, "authenticate", auth);

  json_builder_begin_object (join);
  json_builder_set_member_name (join, "roomId");
  json_builder_add_string_value (join, ROOM_ID);
  json_builder_set_member_name (join, "userId");
  json_builder_add_string_value (join, peer->user_id);
  json_builder_set_member_name (join, "username");
  json_builder_add_string_value (join, peer->user_id);
  peer_emit (peer, "joinRoom", join);
  peer->state = PEER_JOINING;
}

/* One in CHECK_EVERY newMessage events is parsed whole, as a client would,
 * and must say what the scan found; the rest are only scanned. */
#define CHECK_EVERY 64

static void
check_new_message (Run        *run,
                   const char *payload,
                   gsize       len,
                   gint64      sent_us)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  JsonArray *array;
  JsonObject *message = NULL;
  const char *text = NULL;

  run->checked++;
  if (!json_parser_load_from_data (parser, payload, len, NULL) ||
      !JSON_NODE_HOLDS_ARRAY ((root = json_parser_get_root (parser))) ||
      json_array_get_length ((array = json_node_get_array (root))) < 2 ||
      g_strcmp0 (json_array_get_string_element (array, 0), "newMessage") != 0 ||
      !JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, 1)) ||
      (message = json_array_get_object_element (array, 1)) == NULL ||
      (text = json_object_get_string_member_with_default (message, "message", NULL)) == NULL ||
      !g_str_has_prefix (text, MESSAGE_PREFIX) ||
      g_ascii_strtoll (text + strlen (MESSAGE_PREFIX), NULL, 10) != sent_us)
    fail_run (run, "a newMessage did not parse as one: %.*s", (int) MIN (len, 200), payload);
}

static void
on_new_message (Peer       *peer,
                const char *payload,
                gsize       len)
{
  Run *run = peer->run;
  const char *text;
  gint64 sent_us;

  if (!run->measuring)
    return;
  text = memmem (payload, len, "\"" MESSAGE_PREFIX, strlen (MESSAGE_PREFIX) + 1);
  if (text == NULL)
    return;
  sent_us = g_ascii_strtoll (text + 1 + strlen (MESSAGE_PREFIX), NULL, 10);
  run->delivered++;
  run->last_receipt_us = g_get_monotonic_time ();
  hist_add (&run->latency, run->last_receipt_us - sent_us);
  if (run->delivered % CHECK_EVERY == 1)
    check_new_message (run, payload, len, sent_us);
}

static void
on_send_error (Peer       *peer,
               const char *payload,
               gsize       len)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  JsonArray *array;
  JsonObject *object, *detail;

  peer->run->refused++;
  if (json_parser_load_from_data (parser, payload, len, NULL) &&
      JSON_NODE_HOLDS_ARRAY ((root = json_parser_get_root (parser))) &&
      json_array_get_length ((array = json_node_get_array (root))) >= 2 &&
      JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, 1)) &&
      json_object_has_member ((object = json_array_get_object_element (array, 1)), "error") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "error")) &&
      (detail = json_object_get_object_member (object, "error")) != NULL)
    fail_run (peer->run, "a send was refused: %s",
              json_object_get_string_member_with_default (detail, "message", "?"));
}

static gboolean
is_event (const char *payload,
          gsize       len,
          const char *name)
{
  gsize name_len = strlen (name);

  return len >= name_len + 3 && payload[0] == '[' && payload[1] == '"' &&
         memcmp (payload + 2, name, name_len) == 0 && payload[2 + name_len] == '"';
}

/* A Socket.IO EVENT of the main namespace without ack id: PAYLOAD is its
 * JSON array. Only the event name is looked at, by prefix, except for the
 * samples above. */
static void
on_event (Peer       *peer,
          const char *payload,
          gsize       len)
{
  Run *run = peer->run;

  run->last_event_us = g_get_monotonic_time ();
  if (is_event (payload, len, "newMessage"))
    on_new_message (peer, payload, len);
  else if (is_event (payload, len, "messageSent"))
    run->accepted++;
  else if (is_event (payload, len, "sendMessageError"))
    on_send_error (peer, payload, len);
  else if (is_event (payload, len, "joinedRoom"))
    {
      peer->state = PEER_JOINED;
      peer_finish_connecting (peer, TRUE);
    }
  else if (is_event (payload, len, "joinRoomError") || is_event (payload, len, "authFailed"))
    {
      fail_run (run, "client %u: %.*s", peer->index, (int) MIN (len, 200), payload);
      peer_finish_connecting (peer, FALSE);
    }
}

/* One Engine.IO packet in a text frame. */
static void
on_text (Peer       *peer,
         const char *text,
         gsize       len)
{
  if (len == 0)
    return;
  switch (text[0])
    {
    case '0':   /* OPEN: CONNECT to the main namespace, with the token */
      if (peer->token != NULL)
        {
          g_autofree char *connect = g_strdup_printf ("40{\"token\":\"%s\"}", peer->token);

          peer_send_text (peer, connect);
        }
      else
        peer_send_text (peer, "40");
      peer->state = PEER_CONNECTING;
      break;
    case '1':
      peer_lost (peer, "the server closed the session");
      break;
    case '2':   /* PING: PONG with the same data */
      {
        g_autofree char *pong = g_strndup (text, len);

        pong[0] = '3';
        peer_send_text (peer, pong);
      }
      break;
    case '4':   /* MESSAGE: a Socket.IO packet */
      if (len < 2)
        break;
      if (text[1] == '0' && peer->state == PEER_CONNECTING)
        peer_on_connected (peer);
      else if (text[1] == '2' && len > 2 && text[2] == '[')
        on_event (peer, text + 2, len - 2);
      else if (text[1] == '4')
        {
          fail_run (peer->run, "client %u could not connect: %.*s", peer->index, (int) MIN (len, 200), text);
          peer_finish_connecting (peer, FALSE);
        }
      else if (text[1] == '1')
        peer_lost (peer, "the server disconnected the socket");
      break;
    default:
      break;
    }
}

/* Parses whole frames out of peer->in (server frames are never masked). */
static void
peer_parse (Peer *peer)
{
  const guint8 *data = peer->in->data;
  gsize len = peer->in->len, pos = 0;

  if (peer->state == PEER_HANDSHAKE)
    {
      const guint8 *end = memmem (data, len, "\r\n\r\n", 4);

      if (end == NULL)
        return;
      if (len < 12 || memcmp (data, "HTTP/1.1 101", 12) != 0)
        {
          fail_run (peer->run, "client %u: no WebSocket: %.*s", peer->index,
                    (int) strcspn ((const char *) data, "\r"), data);
          peer_lost (peer, "the upgrade was refused");
          return;
        }
      pos = end + 4 - data;
      peer->state = PEER_OPENING;
    }

  while (len - pos >= 2 && peer->state != PEER_CLOSED)
    {
      guint8 opcode = data[pos] & 0x0f;
      guint64 payload_len = data[pos + 1] & 0x7f;
      gsize header_len = 2;

      if ((data[pos] & 0x80) == 0 || (data[pos + 1] & 0x80) != 0)
        {
          peer_lost (peer, "a fragmented or masked frame from the server");
          return;
        }
      if (payload_len == 126)
        {
          if (len - pos < 4)
            break;
          payload_len = (data[pos + 2] << 8) | data[pos + 3];
          header_len = 4;
        }
      else if (payload_len == 127)
        {
          if (len - pos < 10)
            break;
          payload_len = 0;
          for (guint i = 0; i < 8; i++)
            payload_len = (payload_len << 8) | data[pos + 2 + i];
          header_len = 10;
        }
      if (len - pos - header_len < payload_len)
        break;
      pos += header_len;
      if (opcode == 0x1)
        on_text (peer, (const char *) data + pos, payload_len);
      else if (opcode == 0x8)
        peer_lost (peer, "the server closed the WebSocket");
      else if (opcode == 0x9)
        peer_send_frame (peer, 0xa, data + pos, payload_len);
      pos += payload_len;
    }
  if (peer->state == PEER_CLOSED)
    return;
  g_byte_array_remove_range (peer->in, 0, pos);
  /* a joinedRoom listing thousands of viewers must not keep its buffer */
  if (peer->in->len == 0 && pos > 65536)
    {
      g_byte_array_unref (peer->in);
      peer->in = g_byte_array_new ();
    }
}

static void
peer_on_readable (Peer *peer)
{
  static guint8 buffer[256 * 1024];
  ssize_t got = recv (peer->fd, buffer, sizeof buffer, MSG_DONTWAIT);

  if (got == 0)
    peer_lost (peer, "the server closed the connection");
  else if (got < 0 && errno != EAGAIN && errno != EINTR)
    peer_lost (peer, g_strerror (errno));
  else if (got > 0)
    {
      g_byte_array_append (peer->in, buffer, got);
      peer_parse (peer);
    }
}

static void
start_peer (Peer *peer)
{
  Run *run = peer->run;
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (run->server->port) };
  struct epoll_event event = { .events = EPOLLIN, .data.ptr = peer };
  g_autofree char *request = NULL;
  int one = 1;

  peer->started = TRUE;
  run->connecting++;
  peer->in = g_byte_array_new ();
  peer->out = g_byte_array_new ();
  peer->state = PEER_HANDSHAKE;
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  peer->fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  /* A blocking connect: on loopback it is done once the listen queue took
   * it, and at most CONNECT_WINDOW are waiting there. */
  if (peer->fd < 0 || connect (peer->fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      int saved = errno;

      if (peer->fd >= 0)
        close (peer->fd);
      peer->fd = -1;
      peer->state = PEER_CLOSED;
      fail_run (run, "client %u could not connect: %s", peer->index, g_strerror (saved));
      peer_finish_connecting (peer, FALSE);
      return;
    }
  setsockopt (peer->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl (peer->fd, F_SETFL, fcntl (peer->fd, F_GETFL) | O_NONBLOCK);
  if (epoll_ctl (run->epoll_fd, EPOLL_CTL_ADD, peer->fd, &event) != 0)
    g_error ("epoll_ctl: %s", g_strerror (errno));
  request = g_strdup_printf ("GET /socket/?EIO=4&transport=websocket HTTP/1.1\r\n"
                             "Host: 127.0.0.1:%u\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: %08x%08xAAAAAA==\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "\r\n",
                             run->server->port, g_random_int (), g_random_int ());
  peer_write (peer, (const guint8 *) request, strlen (request));
}

static void
start_more_peers (Run *run)
{
  while (run->connecting < CONNECT_WINDOW && run->next_peer < run->limit)
    start_peer (&run->peers[run->next_peer++]);
}

static gboolean
all_settled (Run *run)
{
  return run->joined + run->failed == run->limit;
}

static gboolean
quiet_after_joins (Run *run)
{
  return g_get_monotonic_time () - run->last_event_us >= SETTLE_IDLE_MS * 1000;
}

static void
send_one (Peer *peer)
{
  Run *run = peer->run;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *timestamp = g_date_time_format_iso8601 (now);
  g_autofree char *text = NULL;
  gint64 sent_us = g_get_monotonic_time ();

  /* Every string here is plain ASCII without quotes or backslashes, so it
   * needs no JSON escaping. */
  text = g_strdup_printf ("42[\"sendMessage\",{\"roomId\":\"" ROOM_ID "\",\"userId\":\"%s\",\"username\":\"%s\","
                          "\"message\":\"" MESSAGE_PREFIX "%" G_GINT64_FORMAT " from %s\",\"timestamp\":\"%s\"}]",
                          peer->user_id, peer->user_id, sent_us, peer->user_id, timestamp);
  peer_send_text (peer, text);

  if (run->first_send_us == 0)
    run->first_send_us = sent_us;
  run->last_send_us = sent_us;
  run->sent++;
}

static void
run_due_sends (Run *run)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; run->senders != NULL && i < run->senders->len; i++)
    {
      Peer *peer = g_ptr_array_index (run->senders, i);

      if (peer->sends_left == 0 || peer->next_send_us > now)
        continue;
      if (peer->state == PEER_JOINED)
        send_one (peer);
      peer->next_send_us += SEND_INTERVAL_MS * 1000;
      if (--peer->sends_left == 0)
        run->senders_active--;
    }
}

static gboolean
drained (Run *run)
{
  gint64 now = g_get_monotonic_time ();

  if (run->senders_active > 0)
    return FALSE;
  if (run->accepted + run->refused == run->sent && run->delivered >= run->accepted * run->joined)
    return TRUE;
  return now - MAX (run->last_event_us, run->last_send_us) >= DRAIN_IDLE_MS * 1000;
}

static void
run_free_peers (Run *run)
{
  for (guint i = 0; i < run->n; i++)
    {
      Peer *peer = &run->peers[i];

      if (peer->fd >= 0)
        close (peer->fd);
      g_clear_pointer (&peer->in, g_byte_array_unref);
      g_clear_pointer (&peer->out, g_byte_array_unref);
      g_free (peer->user_id);
      g_free (peer->token);
    }
  g_clear_pointer (&run->peers, g_free);
  g_clear_pointer (&run->senders, g_ptr_array_unref);
}

/* Senders for RATE deliveries a second (or --senders), spread evenly over
 * one interval, so the load is steady; then waits for every delivery. */
static void
measure_load (Run          *run,
              const Config *config,
              guint         rate,
              Phase        *phase)
{
  GPid pid = run->server->pid;
  guint senders, sends_each;
  double server_cpu, self_cpu;

  if (config->senders > 0)
    senders = MIN ((guint) config->senders, run->joined);
  else
    senders = CLAMP ((guint) ceil ((double) rate * SEND_INTERVAL_MS / 1000.0 / run->joined), 1, run->joined);
  sends_each = MAX (config->duration_s * 1000 / SEND_INTERVAL_MS, 1);
  phase->senders = senders;
  phase->offered = senders * (1000.0 / SEND_INTERVAL_MS) * run->joined;

  run->sent = run->accepted = run->refused = run->delivered = 0;
  run->dropped = 0;
  run->first_send_us = run->last_send_us = run->last_receipt_us = 0;
  memset (&run->latency, 0, sizeof run->latency);

  server_cpu = read_cpu_seconds (pid);
  self_cpu = self_cpu_seconds ();
  run->measuring = TRUE;
  g_clear_pointer (&run->senders, g_ptr_array_unref);
  run->senders = g_ptr_array_new ();
  for (guint i = 0, s = 0; i < run->n && s < senders; i++)
    {
      Peer *peer = &run->peers[i];

      if (!peer->joined || peer->state != PEER_JOINED)
        continue;
      peer->sends_left = sends_each;
      peer->next_send_us = g_get_monotonic_time () + (gint64) s * SEND_INTERVAL_MS * 1000 / senders;
      g_ptr_array_add (run->senders, peer);
      run->senders_active++;
      s++;
    }
  loop_until (drained, run, config->duration_s * 1000 + 120000);
  run->measuring = FALSE;
  phase->server_cpu_s = read_cpu_seconds (pid) - server_cpu;
  phase->loadgen_cpu_s = self_cpu_seconds () - self_cpu;

  phase->ran = TRUE;
  phase->sent = run->sent;
  phase->accepted = run->accepted;
  phase->refused = run->refused;
  phase->delivered = run->delivered;
  phase->dropped = run->dropped;
  phase->expected = run->accepted * run->joined;
  phase->seconds = MAX (run->last_receipt_us - run->first_send_us, 1) / (double) G_USEC_PER_SEC;
  phase->rate = run->delivered / phase->seconds;
  phase->p50_ms = hist_percentile_ms (&run->latency, 0.50);
  phase->p99_ms = hist_percentile_ms (&run->latency, 0.99);
}

static Result
run_one (const Config *config,
         ServerKind    kind,
         guint         n)
{
  g_autoptr(GError) error = NULL;
  Server server = { .kind = kind };
  Run run = { .server = &server, .n = n, .limit = n };
  Result result = { .n = n };
  glong rss_before, rss_after;
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;
  gint64 join_start;
  gboolean ok = kind == SERVER_GATEWAY ? start_gateway (&server, config, &error)
                                       : start_node (&server, config, &error);

  if (!ok)
    {
      result.note = g_strdup_printf ("%s did not start: %s", server_label (kind), error->message);
      server_stop (&server);
      return result;
    }

  /* let it finish starting (node compiles its modules lazily) */
  g_usleep (200 * 1000);
  rss_before = read_rss_kb (server.pid);

  run.peers = g_new0 (Peer, n);
  run.epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (run.epoll_fd < 0)
    g_error ("epoll_create1: %s", g_strerror (errno));
  for (guint i = 0; i < n; i++)
    {
      Peer *peer = &run.peers[i];

      peer->run = &run;
      peer->fd = -1;
      peer->index = i;
      peer->user_id = g_strdup_printf ("fan%u", i);
      if (server.jwt != NULL)
        {
          g_autoptr(GwJwtClaims) claims = gw_jwt_claims_new (peer->user_id, peer->user_id, GW_ROLE_VIEWER,
                                                             now_s, now_s + 3600);

          peer->token = gw_jwt_sign (server.jwt, claims, &error);
          if (peer->token == NULL)
            g_error ("Cannot sign a token: %s", error->message);
        }
    }

  join_start = g_get_monotonic_time ();
  start_more_peers (&run);
  if (!loop_until (all_settled, &run, config->join_timeout_s * 1000))
    {
      /* the rest are not started, so the joins stop and the room goes quiet */
      fail_run (&run, "the join timeout (%u s) passed", config->join_timeout_s);
      run.limit = run.next_peer;
      loop_until (all_settled, &run, 60000);
      if (run.joined == n)
        g_clear_pointer (&run.first_error, g_free);
    }
  run.last_event_us = g_get_monotonic_time ();
  loop_until (quiet_after_joins, &run, 300000);
  result.join_s = (g_get_monotonic_time () - join_start) / (double) G_USEC_PER_SEC;
  rss_after = read_rss_kb (server.pid);

  result.joined = run.joined;
  if (run.joined < n)
    {
      result.note = g_strdup_printf ("%s: only %u of %u clients joined (%s)", server_label (kind), run.joined, n,
                                     run.first_error != NULL ? run.first_error : "timed out");
      g_clear_pointer (&run.first_error, g_free);
    }
  if (run.joined == 0)
    {
      run_free_peers (&run);
      close (run.epoll_fd);
      server_stop (&server);
      return result;
    }

  for (guint i = 0; i < config->n_rates; i++)
    measure_load (&run, config, config->rates[i], &result.phases[i]);
  result.rss_per_client_kb = rss_before > 0 && rss_after > 0 ? (double) (rss_after - rss_before) / run.joined : 0;
  if (run.first_error != NULL && result.note == NULL)
    result.note = g_strdup_printf ("%s: %s", server_label (kind), run.first_error);

  g_free (run.first_error);
  run_free_peers (&run);
  close (run.epoll_fd);
  server_stop (&server);
  return result;
}

static void
print_row (const char   *label,
           const Result *r,
           guint         load)
{
  const Phase *p = &r->phases[load];

  if (!p->ran)
    {
      g_print ("  %-22s (not measured)\n", label);
      return;
    }
  g_print ("  %-22s %6u %6.1f %7u %9.0f %9.0f %6.1f%% %9.1f %9.1f %10.1f %7.2f %7.2f %8.2f\n",
           label, r->joined, r->join_s, p->senders, p->offered, p->rate,
           p->expected > 0 ? 100.0 * p->delivered / p->expected : 0.0, p->p50_ms, p->p99_ms,
           r->rss_per_client_kb, p->server_cpu_s, p->loadgen_cpu_s,
           p->delivered > 0 ? p->server_cpu_s * 1e6 / p->delivered : 0.0);
  if (p->refused > 0)
    g_print ("  %-22s %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " sends refused (the server's rate limit)\n",
             "", p->refused, p->sent);
  if (p->dropped > 0)
    g_print ("  %-22s %u connections lost while sending\n", "", p->dropped);
}

static double
ratio (double a,
       double b)
{
  return b > 0 ? a / b : 0;
}

static void
print_table (const Config *config,
             guint         n,
             const Result *gateway,
             const Result *node)
{
  g_print ("\nN = %u clients in one room\n", n);
  g_print ("  %-22s %6s %6s %7s %9s %9s %7s %9s %9s %10s %7s %7s %8s\n", "server", "joined", "join s",
           "senders", "offered/s", "deliv/s", "got", "p50 ms", "p99 ms", "KiB/client", "srv CPU", "gen CPU",
           "us/deliv");
  for (guint load = 0; load < config->n_rates; load++)
    {
      const Phase *g = gateway != NULL ? &gateway->phases[load] : NULL;
      const Phase *o = node != NULL ? &node->phases[load] : NULL;

      if (gateway != NULL)
        print_row (server_label (SERVER_GATEWAY), gateway, load);
      if (node != NULL)
        print_row (server_label (SERVER_NODE), node, load);
      if (g != NULL && o != NULL && g->ran && o->ran)
        g_print ("  gateway/node: %.2fx delivered/s (target >= 3), %.2fx p99 (target <= 1), "
                 "%.2fx RSS/client (target <= 0.25), %.2fx server CPU per delivery\n",
                 ratio (g->rate, o->rate), ratio (g->p99_ms, o->p99_ms),
                 ratio (gateway->rss_per_client_kb, node->rss_per_client_kb),
                 ratio (g->server_cpu_s / MAX (g->delivered, 1), o->server_cpu_s / MAX (o->delivered, 1)));
    }
  if (gateway != NULL && node != NULL && config->n_rates > 1)
    {
      double best_gateway = 0, best_node = 0;

      for (guint load = 0; load < config->n_rates; load++)
        {
          best_gateway = MAX (best_gateway, gateway->phases[load].rate);
          best_node = MAX (best_node, node->phases[load].rate);
        }
      /* What a server delivers at most, over the loads offered: its capacity
       * if the heaviest load was more than it could take. */
      g_print ("  most delivered/s at any load: gateway %.0f, node %.0f: %.2fx (target >= 3)\n",
               best_gateway, best_node, ratio (best_gateway, best_node));
    }
  for (const Result *r = gateway; r != NULL; r = r == gateway ? node : NULL)
    if (r->note != NULL)
      g_print ("  note: %s\n", r->note);
}

static rlim_t
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return 1024;
  if (limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        getrlimit (RLIMIT_NOFILE, &limit);
    }
  return limit.rlim_cur;
}

static GArray *
parse_sizes (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  GArray *sizes = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, 1, 1000000, &value, NULL))
        g_error ("“%s” is not a positive number", parts[i]);
      g_array_append_val (sizes, (guint) { value });
    }
  return sizes;
}

static const char *
env_or (const char *name,
        const char *fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && value[0] != '\0' ? value : fallback;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *sizes_arg = NULL;
  g_autofree char *server_arg = NULL;
  g_autoptr(GArray) sizes = NULL;
  Config config = { 0 };
  gint duration = atoi (env_or ("LIVEDESK_FANOUT_DURATION", "10"));
  gint senders = atoi (env_or ("LIVEDESK_FANOUT_SENDERS", "-1"));
  g_autofree char *rates_arg = NULL;
  gint join_timeout = 300;
  gboolean with_gateway, with_node;
  rlim_t fd_limit;
  GOptionEntry entries[] = {
    { "sizes", 'n', 0, G_OPTION_ARG_STRING, &sizes_arg, "Clients in the room, comma-separated (100,1000)", "N,..." },
    { "duration", 'd', 0, G_OPTION_ARG_INT, &duration, "Seconds of sending per run (10)", "S" },
    { "rates", 'r', 0, G_OPTION_ARG_STRING, &rates_arg,
      "Offered newMessage deliveries a second, one run each (10000,100000,400000)", "R,..." },
    { "senders", 's', 0, G_OPTION_ARG_INT, &senders, "Clients that send, one message per 2.5 s each (from --rate)", "K" },
    { "join-timeout", 0, 0, G_OPTION_ARG_INT, &join_timeout, "Seconds the clients have to join (300)", "S" },
    { "server", 0, 0, G_OPTION_ARG_STRING, &server_arg, "both, gateway or node (both)", "WHICH" },
    { NULL }
  };

  context = g_option_context_new ("- room broadcast: livedesk-gateway next to socket.io");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-fanout: %s\n", error->message);
      return 2;
    }
  if (duration <= 0 || join_timeout <= 0)
    {
      g_printerr ("bench-fanout: --duration and --join-timeout must be positive\n");
      return 2;
    }

  sizes = parse_sizes (sizes_arg != NULL ? sizes_arg : env_or ("LIVEDESK_FANOUT_SIZES", "100,1000"));
  with_gateway = server_arg == NULL || g_str_equal (server_arg, "both") || g_str_equal (server_arg, "gateway");
  with_node = server_arg == NULL || g_str_equal (server_arg, "both") || g_str_equal (server_arg, "node");
  config.duration_s = (guint) duration;
  config.senders = senders > 0 ? senders : -1;
  {
    g_autoptr(GArray) rates = parse_sizes (rates_arg != NULL ? rates_arg : env_or ("LIVEDESK_FANOUT_RATES", "10000,100000,400000"));

    config.n_rates = MIN (rates->len, MAX_LOADS);
    for (guint i = 0; i < config.n_rates; i++)
      config.rates[i] = g_array_index (rates, guint, i);
  }
  config.join_timeout_s = (guint) join_timeout;
  config.peers_dir = g_strdup (env_or ("LIVEDESK_PEERS_DIR", LIVEDESK_SOURCE_DIR "/tests/peers"));
  config.node_script = g_build_filename (LIVEDESK_SOURCE_DIR, "bench", "bench-fanout-server.mjs", NULL);
  config.gateway = g_strdup (env_or ("LIVEDESK_GATEWAY", LIVEDESK_GATEWAY_PATH));

  /* Raised here, so the servers (children) inherit it too. */
  fd_limit = raise_fd_limit ();
  /* one socket each, and room for the main loop, pipes and libraries */
  config.max_clients = fd_limit > 200 ? (guint) MIN (fd_limit - 200, G_MAXUINT) : 0;
  g_print ("bench-fanout: open-file limit %lu, so at most %u clients; %u s of sending per run, "
           "one message per sender every %.1f s\n",
           (unsigned long) fd_limit, config.max_clients, config.duration_s, SEND_INTERVAL_MS / 1000.0);
  if (config.max_clients < 5000)
    g_print ("bench-fanout: 5,000 clients cannot be reached with this open-file limit\n");

  for (guint i = 0; i < sizes->len; i++)
    {
      guint n = g_array_index (sizes, guint, i);
      Result gateway = { 0 }, node = { 0 };

      if (n > config.max_clients)
        {
          g_print ("\nN = %u: skipped, the open-file limit (%lu) allows at most %u clients\n",
                   n, (unsigned long) fd_limit, config.max_clients);
          continue;
        }
      if (with_gateway)
        gateway = run_one (&config, SERVER_GATEWAY, n);
      if (with_node)
        node = run_one (&config, SERVER_NODE, n);
      print_table (&config, n, with_gateway ? &gateway : NULL, with_node ? &node : NULL);
      g_free (gateway.note);
      g_free (node.note);
    }

  g_print ("\nColumns: join s = connecting and joining everyone; offered/s = deliveries a second the senders ask for;\n"
           "deliv/s = newMessage events received a second, first send to last receipt; got = of those the server\n"
           "accepted times N; p50/p99 = send -> receipt; KiB/client = server RSS growth from start to all joined,\n"
           "per client; srv/gen CPU = seconds of server and load-generator CPU while sending; us/deliv = server\n"
           "CPU per delivery, the figure least bent by a shared, noisy machine.\n");

  g_free (config.peers_dir);
  g_free (config.node_script);
  g_free (config.gateway);
  return 0;
}
