/* bench-fanout.c: the gateway's room broadcast under load, next to a minimal
 * official socket.io 4.8.4 server doing the same broadcast, driven by the
 * same load generator in the same run.
 *
 *   bench-fanout [--sizes 100,1000] [--duration S] [--rates R,… | --senders K] [--threads T]
 *                [--nice N] [--server both|gateway|node] [--rooms R] [--gateways G]
 *
 * --rooms R spreads the clients over R rooms (client i in room i % R): a
 * message goes to the N/R members of its sender's room, and the offered
 * load counts those. --gateways G (2 to 8) adds, after the two servers, G
 * livedesk-gateway processes bridged by one redis-server of the bench's own
 * (on a free port) with the clients split over them (client i on gateway
 * i % G), so every room has members on every gateway; its rows say whether
 * every message reached every member exactly once and compare its
 * delivered rate with the one process's. Every sendMessage carries a
 * sequence number next to its send time, and each client keeps a bitmap of
 * the ones it got: a second receipt is a duplicate, and the expected
 * deliveries (accepted messages times the room's size) less the distinct
 * ones received are the losses, for every server. Server CPU and RSS are
 * those of all its processes, Redis's included.
 *
 * For each size N: N clients connect to the server (CONNECT auth {token},
 * authenticate, joinRoom into one room); then K of them emit sendMessage
 * every 2.5 s for the duration (the gateway allows a user 1 message/s and
 * 30/min, so load comes from many senders, not fast ones). Every member, the
 * sender included, gets each newMessage; the send time travels in the
 * message text, so latency is send → receipt on one monotonic clock
 * (g_get_monotonic_time, the same for every thread of this process). Server
 * RSS is read from /proc/PID/status before and after the clients join.
 *
 * The clients are libsoup WebSocket connections (SoupSession does the
 * HTTP upgrade, SoupWebsocketConnection the framing and masking) that speak
 * Engine.IO and Socket.IO through the project's codec (sio-codec.h): OPEN,
 * CONNECT with the token, authenticate, joinRoom, pongs, sendMessage and
 * every event a client gets are encoded and decoded by it, but one. That one
 * is newMessage, which every client gets R/N times a second: its frame is
 * told apart by how it begins and read by a scan (memmem) for the send time
 * the bench itself wrote into the message text, which is no JSON parsing;
 * one in CHECK_EVERY is decoded whole by the codec and must say the same.
 * Both servers get exactly the same clients, frames and schedule.
 *
 * What a delivery costs this process (the gen us column) is mostly libsoup
 * and GLib: per readable connection a read, one more that finds nothing and
 * a new GSource (libsoup removes the connection's input source and attaches
 * another on every read), and per frame two g_debug lines formatted, a UTF-8
 * check and a signal. So it depends on how many frames one read finds.
 * Measured on the 2-core machine this was written on, with 1,000 clients and
 * one generator thread: about 20 µs at 10,000 deliveries/s (every wake-up
 * covers a frame or two), 10 µs at 100,000/s for both servers, and at
 * 400,000/s offered 2.5 µs with the gateway, which writes several frames to
 * a client at once, and 7-10 µs with node, which writes one per call until a
 * client falls behind. The hand-written epoll client this replaced spent 0.5
 * and 4.4 µs at that load, a SioClient each 19 µs. So on one thread at
 * 100,000/s the generator is busy all the time and only keeps up because,
 * behind, each read finds more frames, which adds to the latency measured;
 * at 400,000/s it and the server fill both cores. A second thread does not
 * make a delivery cheaper (an idler thread reads fewer frames at a time);
 * what it changes is that no generator thread is busy all the time any more
 * (together 104-111 % of a core, against one at 100 %), so a figure is the
 * server's or the machine's. Measured at 400,000 offered, which is every one
 * of 1,000 clients sending once every 2.5 s, the gateway delivered
 * 372,000-390,000/s (p99 0.27-0.63 s) on two threads and 357,000-396,000/s
 * (p99 0.14-0.79 s) on one, so it nearly keeps up either way now; node
 * 101,000-124,000/s against 94,000-115,000/s, at 100 % of a core in both. At
 * the light load two threads change little on 2 cores (gateway p50 13-15 ms
 * against 14-17): while a server writes a broadcast to 1,000 clients it
 * holds one core, and the generator's threads share the other. Node delivers
 * more to these clients than it did to the epoll ones (135,000-160,000/s
 * against 80,000-120,000 at 400,000 offered, 6-7 µs of its CPU per delivery
 * against 8-10): it writes several frames at once to a client that reads
 * more slowly.
 *
 * The clients run on T threads (--threads, by default one per CPU), client
 * i on thread i % T, so the senders, which are the first clients, are
 * spread over all of them. Each thread polls its own GMainContexts of
 * CLIENTS_PER_CONTEXT clients together: GLib finds a source's place in a
 * list of all its context's file descriptors on every attach and removal,
 * and with all 1,000 clients in one context those walks were 40 % of the
 * time per delivery. A thread sends for its own clients, on a schedule the
 * main thread makes on the one clock, and counts what they receive in
 * counters and a latency histogram of its own, merged after each load: no
 * lock on the way of a delivery, only relaxed atomic loads and stores of
 * the few counters the main thread watches to see a load drained. The main
 * thread runs no client; it waits, and talks to a thread by an idle source
 * in that thread's context (worker_call).
 *
 * The generator threads run at nice 10 (--nice): on 2 cores, a server that
 * needs a whole core (node at 400,000 offered) must get it before the
 * generator's second thread does, or the bench measures how the scheduler
 * shares the cores. Measured with node alone at 400,000 offered on an
 * otherwise idle machine: one generator thread, 109,665 deliveries/s (node
 * 99 % of a core); two at nice 0, 71,540/s (node 74 %, the generator 113 %,
 * each delivery costing it 16 µs instead of 9 since an idler thread reads
 * fewer frames at a time); two at nice 10, 108,949/s (node 99 %). A niced
 * generator also yields to other processes: the note under a row says how
 * much of the machine they took.
 *
 * On one thread, the generator was the ceiling at 400,000 offered: busy all
 * the time while the gateway used 82 % of the other core. The "gen %"
 * column is the CPU time of all its threads over the wall time of the load,
 * in % of one core (200 % = both cores of 2); the note under a row says the
 * generator was the ceiling when its busiest thread was busy 90 % of the
 * time or more, or, when the server did not keep up either, that the
 * machine was full, with how much of it other processes took.
 *
 * Each offered load R is newMessage deliveries a second (K = R·2.5 s / N
 * senders), the same for both servers, one after the other on the same
 * joined clients: a light one for latency, heavier ones for throughput. A
 * server that keeps up delivers R; one that cannot delivers what it can,
 * and its latency grows with the backlog (so p99 means something only at
 * loads both servers keep up with). Behind a backlog the gateway handles a
 * user's messages closer together than they were sent, and its rate limit
 * refuses some: those are not delivered, which counts against it. A load
 * starts one send interval after the last send of the one before, since
 * its first senders are that one's last: sooner, the gateway would refuse
 * them too.
 *
 * Prints, per N, load and server: delivered newMessage/s, p50/p99 latency,
 * server RSS per client, server and load-generator CPU time per delivery,
 * how busy the generator was, and the ratios.
 * Figures only: it never fails on time. The load generator shares the
 * machine with the server, so compare ratios, and read the CPU columns to
 * see whether the server or the load generator was the limit: a row whose
 * generator was busy most of the time while the server was not measured
 * the generator, and says so.
 *
 * Environment: LIVEDESK_PEERS_DIR (tests/peers), LIVEDESK_GATEWAY (the
 * livedesk-gateway program), LIVEDESK_FANOUT_SIZES, LIVEDESK_FANOUT_DURATION,
 * LIVEDESK_FANOUT_RATES, LIVEDESK_FANOUT_SENDERS, LIVEDESK_FANOUT_THREADS,
 * LIVEDESK_FANOUT_NICE: defaults for the options above.
 *
 * 5,000 clients are not in the default sizes: every join sends userJoined
 * to everyone already in the room (N²/2 events) and joinedRoom lists every
 * viewer, on both servers, so joining them takes a while (the generator
 * tells both apart by their first bytes and does not decode them). The
 * open-file limit is raised to the hard limit (the servers inherit it);
 * the first line says what it allows. After
 * the join timeout (--join-timeout, or by default one that grows with
 * N times the room's size) the clients that joined are measured and the
 * table says how many that was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
/* memmem */
#define _GNU_SOURCE
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench-servers.h"
#include "gw-jwt.h"
#include "sio-codec.h"

#define ROOM_ID "fanout"
#define SEND_INTERVAL_MS 2500
/* WebSocket handshakes under way at once: the listen backlog is short, and
 * a SYN that overflows it waits a second or more to be retried. */
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

typedef struct _Run Run;
typedef struct _Worker Worker;

/* Clients per GMainContext. libsoup takes a connection's input source out
 * of its context and attaches a new one on every read, and GLib walks a
 * list of all the context's file descriptors to do each, so a read costs
 * time in proportion to the clients that share the context: with all
 * 1,000 in one, those walks were 40 % of this process's time per delivery. */
#define CLIENTS_PER_CONTEXT 32

typedef struct
{
  GMainContext *context;
  SoupSession  *session;
  gint          max_priority;
  guint         fds_at;    /* where its file descriptors are in the worker's poll set */
  guint         n_fds;
} Group;

typedef enum
{
  PEER_HANDSHAKE,   /* libsoup is doing the HTTP upgrade */
  PEER_OPENING,     /* waiting for Engine.IO OPEN */
  PEER_CONNECTING,  /* waiting for the Socket.IO CONNECT answer */
  PEER_JOINING,     /* authenticate and joinRoom sent, waiting for joinedRoom */
  PEER_JOINED,
  PEER_CLOSED,
} PeerState;

typedef struct
{
  Run                     *run;
  Worker                  *worker;
  Group                   *group;
  guint                    index;
  char                    *user_id;
  char                    *room_id;   /* client i joins room i % --rooms */
  guint                    room;
  guint                    send_slot; /* its rank among the load's senders */
  guint64                 *seen;      /* of the load's messages (by sequence number), those it got */
  char                    *token;
  SoupWebsocketConnection *ws;
  SioDecoder              *decoder;
  PeerState                state;
  gboolean                 started;
  gboolean                 joined;
  gboolean                 done;      /* joined or failed: no longer counted as connecting */
  gboolean                 ready;     /* joined and connected when a load began: may send */
  guint                    sends_left;
  gint64                   next_send_us;
} Peer;

/* Counters a worker writes and the main thread reads while the worker runs:
 * one writer each, so a relaxed load and store (plain moves on x86-64) and
 * no lock or locked instruction on the path of a delivery. */
#define SHARED_GET(field) atomic_load_explicit (&(field), memory_order_relaxed)
#define SHARED_SET(field, value) atomic_store_explicit (&(field), (value), memory_order_relaxed)
#define SHARED_ADD(field, n) SHARED_SET (field, SHARED_GET (field) + (n))

/* One thread of the load generator: its share of the clients (every T-th),
 * on main contexts of its own that it alone iterates, with its own senders
 * and counters. The main thread talks to it only through worker_call() and
 * the _Atomic counters; the rest (latency histogram, first and last times)
 * it reads after a worker_call(), which orders them. */
struct _Worker
{
  Run          *run;
  guint         id;
  GThread      *thread;
  Group        *groups;
  guint         n_groups;
  GArray       *fds;       /* of GPollFD: every group's, polled at once */
  Peer        **peers;     /* its clients, in the order they are started */
  guint         n_peers;
  guint         next_peer;
  guint         limit;     /* peers to start: all, fewer once the join timeout passed */
  guint         connecting;
  guint         window;    /* its share of CONNECT_WINDOW */
  gboolean      quit;
  GPtrArray    *senders;   /* of Peer, unowned, in the order of their first send */
  guint         next_sender;
  guint         senders_left;

  /* of the load under way, read once it is over */
  guint         dropped;   /* connections lost while sending */
  guint64       duplicates;  /* a message a client had already got */
  gint64        first_send_us;
  gint64        last_receipt_us;
  double        thread_cpu_start_s;
  double        thread_cpu_s;
  Histogram     latency;

  _Atomic guint   unsettled;   /* peers not yet joined or failed, of those it will start */
  _Atomic guint   joined;
  _Atomic guint   handshakes;  /* libsoup's still under way */
  _Atomic guint   senders_active;
  _Atomic guint64 sent;
  _Atomic guint64 accepted;
  _Atomic guint64 expected;   /* deliveries its accepted sends are due: the members of their rooms */
  _Atomic guint64 refused;
  _Atomic guint64 delivered;
  _Atomic gint64  last_event_us;
  _Atomic gint64  last_send_us;
};

struct _Run
{
  BenchServer  *server;
  guint         n;
  Peer         *peers;
  Worker      **workers;
  guint         n_workers;
  guint         joined;    /* once everyone settled */
  GUri         *uris[BENCH_MAX_GATEWAYS];  /* the servers' Engine.IO WebSocket endpoints: client i uses i % n_uris */
  guint         n_uris;
  guint         rooms;     /* client i in room i % rooms */
  guint        *room_members;  /* of the load under way: clients of each room that were ready */
  guint         sends_each;  /* of the load under way: sequence number = send_slot * sends_each + k */
  guint         n_seqs;
  GCancellable *cancellable;
  GMutex        lock;      /* first_error, and worker_call()'s answers */
  GCond         answered;
  char         *first_error;
  gint64        quiet_from_us;
  gint64        next_load_us;   /* a load's first sends, no sooner */
  gint          nice;      /* of every worker thread */
  _Atomic gboolean measuring;
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
  guint64  duplicates;  /* deliveries of a message the client already had */
  guint64  lost;        /* expected deliveries that never came (expected - distinct ones) */
  double   seconds;
  double   rate;
  double   p50_ms;
  double   p99_ms;
  double   server_cpu_s;
  double   loadgen_cpu_s;
  double   busiest_thread;  /* CPU time of the generator's busiest thread over the wall time */
  double   machine_busy;    /* cores busy over the wall time, everyone's (/proc/stat) */
  double   wall_s;        /* from the first send to drained, as the CPU times */
} Phase;

typedef struct
{
  char    *note;
  guint    n;
  guint    gateways;  /* processes, for BENCH_SERVER_GATEWAY_REDIS */
  guint    threads;
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
  guint    threads;
  guint    n_cpus;
  gint     nice;
  guint    rooms;
  guint    gateways;  /* > 1: also G gateway processes on one redis-server, the clients split over them */
} Config;

static void
fail_run (Run        *run,
          const char *format,
          ...) G_GNUC_PRINTF (2, 3);

/* Any worker may fail the run: the first error is kept, under the lock. */
static void
fail_run (Run        *run,
          const char *format,
          ...)
{
  va_list args;

  g_mutex_lock (&run->lock);
  if (run->first_error == NULL)
    {
      va_start (args, format);
      run->first_error = g_strdup_vprintf (format, args);
      va_end (args);
    }
  g_mutex_unlock (&run->lock);
}

static char *
run_dup_error (Run *run)
{
  char *error;

  g_mutex_lock (&run->lock);
  error = g_strdup (run->first_error);
  g_mutex_unlock (&run->lock);
  return error;
}

static void
run_clear_error (Run *run)
{
  g_mutex_lock (&run->lock);
  g_clear_pointer (&run->first_error, g_free);
  g_mutex_unlock (&run->lock);
}

typedef void (*WorkerFunc) (Worker  *worker,
                            gpointer data);

typedef struct
{
  Worker     *worker;
  WorkerFunc  func;
  gpointer    data;
  gboolean    done;
} WorkerCall;

static gboolean
worker_call_dispatch (gpointer user_data)
{
  WorkerCall *call = user_data;
  Run *run = call->worker->run;

  call->func (call->worker, call->data);
  g_mutex_lock (&run->lock);
  call->done = TRUE;
  g_cond_broadcast (&run->answered);
  g_mutex_unlock (&run->lock);
  return G_SOURCE_REMOVE;
}

/* Runs FUNC on WORKER's thread between two of its dispatches (an idle
 * source in its first context, which wakes its poll) and returns once it
 * has: through the lock, what either thread wrote before is then seen by
 * the other. */
static void
worker_call (Worker     *worker,
             WorkerFunc  func,
             gpointer    data)
{
  Run *run = worker->run;
  WorkerCall call = { worker, func, data, FALSE };

  g_main_context_invoke (worker->groups[0].context, worker_call_dispatch, &call);
  g_mutex_lock (&run->lock);
  while (!call.done)
    g_cond_wait (&run->answered, &run->lock);
  g_mutex_unlock (&run->lock);
}

static void
run_call_workers (Run        *run,
                  WorkerFunc  func,
                  gpointer    data)
{
  for (guint w = 0; w < run->n_workers; w++)
    worker_call (run->workers[w], func, data);
}

static void run_due_sends (Worker *worker);

/* A worker's senders take turns in the order they were given their first
 * send, each sending as often, so the next due is always the one at the
 * cursor: no scan of a thousand senders on every turn of the loop. */
static gint64
next_send_due (Worker *worker)
{
  if (worker->senders_left == 0)
    return G_MAXINT64;
  return ((Peer *) g_ptr_array_index (worker->senders, worker->next_sender))->next_send_us;
}

/* One turn of every group's main context of a worker, polled together
 * (GLib's prepare/query/check/dispatch steps), waiting at most until
 * WAKE_US. Each context is the thread default while it dispatches, so that
 * libsoup puts the sources it makes then back into the same context. */
static void
worker_iterate (Worker *worker,
                gint64  wake_us)
{
  gint timeout_ms = (gint) CLAMP ((wake_us - g_get_monotonic_time () + 999) / 1000, 0, G_MAXINT);
  guint total = 0;
  GPollFD *fds;

  for (guint k = 0; k < worker->n_groups; k++)
    {
      Group *group = &worker->groups[k];
      gint group_timeout = -1;
      gint needed;

      g_main_context_prepare (group->context, &group->max_priority);
      while ((guint) (needed = g_main_context_query (group->context, group->max_priority, &group_timeout,
                                                     (GPollFD *) (void *) worker->fds->data + total,
                                                     (gint) (worker->fds->len - total))) > worker->fds->len - total)
        g_array_set_size (worker->fds, total + needed);
      group->fds_at = total;
      group->n_fds = (guint) needed;
      total += (guint) needed;
      if (group_timeout >= 0)
        timeout_ms = MIN (timeout_ms, group_timeout);
    }
  fds = (GPollFD *) (void *) worker->fds->data;
  g_poll (fds, total, timeout_ms);
  for (guint k = 0; k < worker->n_groups; k++)
    {
      Group *group = &worker->groups[k];

      if (g_main_context_check (group->context, group->max_priority, fds + group->fds_at, (gint) group->n_fds))
        {
          g_main_context_push_thread_default (group->context);
          g_main_context_dispatch (group->context);
          g_main_context_pop_thread_default (group->context);
        }
    }
}

/* How often the main thread looks at the workers' counters while it waits
 * for a phase to end: waking it on every delivery would cost the workers
 * more, and a phase ends at most this late. */
#define WAIT_TICK_US 2000

/* The main thread waits until PREDICATE, which reads the workers'
 * counters, holds or TIMEOUT_MS pass; the workers run on meanwhile. */
static gboolean
wait_until (gboolean (*predicate) (Run *run),
            Run       *run,
            guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean ok;

  while (!(ok = predicate (run)) && g_get_monotonic_time () < deadline)
    g_usleep (WAIT_TICK_US);
  return ok;
}

static double
thread_cpu_seconds (void)
{
  struct timespec now;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now) != 0)
    return 0;
  return now.tv_sec + now.tv_nsec / 1e9;
}

/* Busy and total jiffies of the whole machine, from the "cpu" line of
 * /proc/stat (idle and iowait are not busy). */
static gboolean
read_machine_jiffies (guint64 *busy,
                      guint64 *total)
{
  g_autofree char *text = NULL;
  guint64 fields[8] = { 0 };

  if (!g_file_get_contents ("/proc/stat", &text, NULL, NULL) || !g_str_has_prefix (text, "cpu ") ||
      sscanf (text + 4, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
              " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
              &fields[0], &fields[1], &fields[2], &fields[3], &fields[4], &fields[5], &fields[6], &fields[7]) < 4)
    return FALSE;
  *total = 0;
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    *total += fields[i];
  *busy = *total - fields[3] - fields[4];
  return TRUE;
}

static double
self_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static const char *
server_label (BenchServerKind kind)
{
  switch (kind)
    {
    case BENCH_SERVER_GATEWAY: return "livedesk-gateway";
    case BENCH_SERVER_GATEWAY_REDIS: return "gateways + Redis";
    case BENCH_SERVER_NODE: default: return "socket.io 4.8.4 (node)";
    }
}

static void start_more_peers (Worker *worker);

static void
peer_finish_connecting (Peer     *peer,
                        gboolean  joined)
{
  Worker *worker = peer->worker;

  if (peer->done)
    return;
  peer->done = TRUE;
  peer->joined = joined;
  worker->connecting--;
  if (joined)
    SHARED_ADD (worker->joined, 1);
  start_more_peers (worker);
}

static void
peer_lost (Peer       *peer,
           const char *why)
{
  if (peer->state == PEER_CLOSED)
    return;
  peer->state = PEER_CLOSED;
  if (peer->ws != NULL && soup_websocket_connection_get_state (peer->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (peer->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  if (!peer->done)
    {
      fail_run (peer->run, "client %u lost its connection while joining: %s", peer->index, why);
      peer_finish_connecting (peer, FALSE);
    }
  else if (SHARED_GET (peer->run->measuring))
    {
      peer->worker->dropped++;
      fail_run (peer->run, "client %u lost its connection during the run: %s", peer->index, why);
    }
}

/* Engine.IO OPEN: CONNECT to the main namespace, with the token as auth. */
static void
peer_on_open (Peer               *peer,
              const SioEioPacket *open)
{
  g_autoptr(SioEioHandshake) handshake = NULL;
  g_autoptr(SioPacket) packet = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *auth = NULL;
  const char *text;
  gsize len;

  text = sio_eio_packet_get_text (open, &len);
  handshake = sio_eio_handshake_parse (text, len, &error);
  if (handshake == NULL)
    {
      fail_run (peer->run, "client %u: the server's OPEN: %s", peer->index, error->message);
      peer_lost (peer, "no Engine.IO handshake");
      return;
    }
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

/* The first argument of an EVENT, if it is an object. */
static JsonObject *
event_object (const SioPacket *packet)
{
  JsonArray *array = JSON_NODE_HOLDS_ARRAY (packet->data) ? json_node_get_array (packet->data) : NULL;
  JsonNode *arg;

  if (array == NULL || json_array_get_length (array) < 2 ||
      !JSON_NODE_HOLDS_OBJECT ((arg = json_array_get_element (array, 1))))
    return NULL;
  return json_node_get_object (arg);
}

/* The send time the bench put in a decoded newMessage's text; -1 if none. */
static gint64
decoded_send_time (const SioPacket *packet)
{
  JsonObject *message = event_object (packet);
  JsonNode *member = message != NULL ? json_object_get_member (message, "message") : NULL;
  const char *text = member != NULL && JSON_NODE_HOLDS_VALUE (member) ? json_node_get_string (member) : NULL;

  if (text == NULL || !g_str_has_prefix (text, MESSAGE_PREFIX))
    return -1;
  return g_ascii_strtoll (text + strlen (MESSAGE_PREFIX), NULL, 10);
}

static void
record_delivery (Worker *worker,
                 gint64  now,
                 gint64  sent_us)
{
  SHARED_ADD (worker->delivered, 1);
  worker->last_receipt_us = now;
  hist_add (&worker->latency, now - sent_us);
}

/* The message's sequence number follows its send time (" #SEQ from"): a
 * second receipt of one by the same client is a duplicate. */
static void
record_sequence (Peer       *peer,
                 const char *after_time)
{
  guint64 seq;

  if (after_time[0] != ' ' || after_time[1] != '#' || peer->seen == NULL)
    return;
  seq = g_ascii_strtoull (after_time + 2, NULL, 10);
  if (seq >= peer->run->n_seqs)
    return;
  if (peer->seen[seq / 64] & (G_GUINT64_CONSTANT (1) << (seq % 64)))
    peer->worker->duplicates++;
  peer->seen[seq / 64] |= G_GUINT64_CONSTANT (1) << (seq % 64);
}

/* Engine.IO MESSAGE and Socket.IO packet, decoded by the codec; NULL (with
 * the run failed) if the frame is not one. */
static SioPacket *
decode_message (Peer        *peer,
                const char  *data,
                gsize        len)
{
  g_autoptr(SioEioPacket) eio = NULL;
  g_autoptr(GError) error = NULL;
  SioPacket *packet = NULL;
  const char *text;
  gsize text_len;

  eio = sio_eio_decode_text_frame (data, len, &error);
  if (eio == NULL || eio->type != SIO_EIO_MESSAGE)
    return NULL;
  text = sio_eio_packet_get_text (eio, &text_len);
  if (!sio_decoder_add_text (peer->decoder, text, text_len, &packet, &error))
    fail_run (peer->run, "client %u: %s: %.*s", peer->index, error->message, (int) MIN (len, 200), data);
  return packet;
}

/* One in CHECK_EVERY newMessage frames is decoded whole by the codec (a
 * json-glib parse), as a client would, and must say what the scan found;
 * the rest are only scanned. */
#define CHECK_EVERY 64

static void
check_new_message (Peer       *peer,
                   const char *data,
                   gsize       len,
                   gint64      sent_us)
{
  g_autoptr(SioPacket) packet = decode_message (peer, data, len);

  if (packet == NULL || packet->type != SIO_PACKET_EVENT ||
      g_strcmp0 (sio_packet_get_event (packet), "newMessage") != 0 || decoded_send_time (packet) != sent_us)
    fail_run (peer->run, "a newMessage did not decode as one: %.*s", (int) MIN (len, 200), data);
}

static void
on_send_error (Peer            *peer,
               const SioPacket *packet)
{
  JsonObject *object = event_object (packet);
  JsonNode *detail = object != NULL ? json_object_get_member (object, "error") : NULL;

  SHARED_ADD (peer->worker->refused, 1);
  if (detail != NULL && JSON_NODE_HOLDS_OBJECT (detail))
    fail_run (peer->run, "a send was refused: %s",
              json_object_get_string_member_with_default (json_node_get_object (detail), "message", "?"));
}

static void
fail_with_packet (Peer            *peer,
                  const char      *what,
                  const SioPacket *packet)
{
  g_autofree char *json = packet->data != NULL ? json_to_string (packet->data, FALSE) : g_strdup ("");

  fail_run (peer->run, "client %u %s: %.200s", peer->index, what, json);
}

/* A Socket.IO EVENT, decoded. */
static void
on_event (Peer            *peer,
          const SioPacket *packet)
{
  Worker *worker = peer->worker;
  const char *name = sio_packet_get_event (packet);
  gint64 now = g_get_monotonic_time ();
  gint64 sent_us;

  SHARED_SET (worker->last_event_us, now);
  if (name == NULL)
    return;
  if (g_str_equal (name, "newMessage"))
    {
      /* not the frame the fast path knows: counted all the same */
      if (SHARED_GET (peer->run->measuring) && (sent_us = decoded_send_time (packet)) >= 0)
        {
          JsonObject *message = event_object (packet);
          const char *text = json_object_get_string_member_with_default (message, "message", "");
          char *after = NULL;

          record_delivery (worker, now, sent_us);
          g_ascii_strtoll (text + strlen (MESSAGE_PREFIX), &after, 10);
          record_sequence (peer, after);
        }
    }
  else if (g_str_equal (name, "messageSent"))
    {
      SHARED_ADD (worker->accepted, 1);
      SHARED_ADD (worker->expected, peer->run->room_members[peer->room]);
    }
  else if (g_str_equal (name, "sendMessageError"))
    on_send_error (peer, packet);
  else if (g_str_equal (name, "joinedRoom"))
    {
      peer->state = PEER_JOINED;
      peer_finish_connecting (peer, TRUE);
    }
  else if (g_str_equal (name, "joinRoomError") || g_str_equal (name, "authFailed"))
    {
      fail_with_packet (peer, name, packet);
      peer_finish_connecting (peer, FALSE);
    }
}

static void
on_packet (Peer            *peer,
           const SioPacket *packet)
{
  switch (packet->type)
    {
    case SIO_PACKET_CONNECT:
      if (peer->state == PEER_CONNECTING)
        peer_on_connected (peer);
      break;
    case SIO_PACKET_CONNECT_ERROR:
      fail_with_packet (peer, "could not connect", packet);
      peer_finish_connecting (peer, FALSE);
      break;
    case SIO_PACKET_DISCONNECT:
      peer_lost (peer, "the server disconnected the socket");
      break;
    case SIO_PACKET_EVENT:
      on_event (peer, packet);
      break;
    default:
      break;
    }
}

/* Any frame but the fast path's: Engine.IO and Socket.IO by the codec. */
static void
on_frame (Peer       *peer,
          const char *data,
          gsize       len)
{
  g_autoptr(SioEioPacket) eio = NULL;
  g_autoptr(SioPacket) packet = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;
  gsize text_len;

  eio = sio_eio_decode_text_frame (data, len, &error);
  if (eio == NULL)
    {
      fail_run (peer->run, "client %u: %s", peer->index, error->message);
      return;
    }
  switch (eio->type)
    {
    case SIO_EIO_OPEN:
      if (peer->state == PEER_OPENING)
        peer_on_open (peer, eio);
      break;
    case SIO_EIO_CLOSE:
      peer_lost (peer, "the server closed the session");
      break;
    case SIO_EIO_PING:
      bench_ws_send_eio (peer->ws, SIO_EIO_PONG, sio_eio_packet_get_text (eio, NULL));
      break;
    case SIO_EIO_MESSAGE:
      text = sio_eio_packet_get_text (eio, &text_len);
      if (!sio_decoder_add_text (peer->decoder, text, text_len, &packet, &error))
        fail_run (peer->run, "client %u: %s: %.*s", peer->index, error->message, (int) MIN (len, 200), data);
      else if (packet != NULL)
        on_packet (peer, packet);
      break;
    default:
      break;
    }
}

/* How every newMessage frame of the main namespace starts (Engine.IO
 * MESSAGE, Socket.IO EVENT, the event name): the one frame a client gets
 * N times a second, so it is told apart by this marker and read by a scan
 * for the send time the bench wrote into its text. */
#define NEW_MESSAGE_FRAME "42[\"newMessage\","
#define SEND_TIME_MARK "\"" MESSAGE_PREFIX
/* userJoined goes to everyone already in the room on every join (N²/2 of
 * them for N clients in one room): nothing here reads it, so it is not
 * decoded, or at 10,000 clients joining would measure json-glib. */
#define USER_JOINED_FRAME "42[\"userJoined\","
/* joinedRoom lists every viewer of the room: O(N²) bytes over N joins.
 * A successful one is told by its first bytes; any other is decoded. */
#define JOINED_ROOM_FRAME "42[\"joinedRoom\",{"
#define JOINED_ROOM_SUCCESS "\"success\":true"

static gboolean
frame_starts_with (const char *data,
                   gsize       len,
                   const char *prefix)
{
  gsize prefix_len = strlen (prefix);

  return len > prefix_len && memcmp (data, prefix, prefix_len) == 0;
}

static void
on_ws_message (SoupWebsocketConnection *ws,
               gint                     type,
               GBytes                  *message,
               gpointer                 user_data)
{
  Peer *peer = user_data;
  Worker *worker = peer->worker;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  const char *mark;
  char *after = NULL;
  gint64 now, sent_us;

  /* nothing here sends binary, and no server should */
  if (type != SOUP_WEBSOCKET_DATA_TEXT || len == 0)
    return;
  if (frame_starts_with (data, len, USER_JOINED_FRAME))
    {
      SHARED_SET (worker->last_event_us, g_get_monotonic_time ());
      return;
    }
  if (peer->state == PEER_JOINING && frame_starts_with (data, len, JOINED_ROOM_FRAME) &&
      memmem (data, MIN (len, 256), JOINED_ROOM_SUCCESS, strlen (JOINED_ROOM_SUCCESS)) != NULL)
    {
      SHARED_SET (worker->last_event_us, g_get_monotonic_time ());
      peer->state = PEER_JOINED;
      peer_finish_connecting (peer, TRUE);
      return;
    }
  if (!frame_starts_with (data, len, NEW_MESSAGE_FRAME) ||
      (mark = memmem (data, len, SEND_TIME_MARK, strlen (SEND_TIME_MARK))) == NULL)
    {
      on_frame (peer, data, len);
      return;
    }
  now = g_get_monotonic_time ();
  SHARED_SET (worker->last_event_us, now);
  if (!SHARED_GET (peer->run->measuring))
    return;
  /* the digits end at the " #" that follows them, inside the frame */
  sent_us = g_ascii_strtoll (mark + strlen (SEND_TIME_MARK), &after, 10);
  record_delivery (worker, now, sent_us);
  record_sequence (peer, after);
  if (SHARED_GET (worker->delivered) % CHECK_EVERY == 1)
    check_new_message (peer, data, len, sent_us);
}

static void
on_ws_error (SoupWebsocketConnection *ws,
             GError                  *error,
             gpointer                 user_data)
{
  Peer *peer = user_data;

  if (peer->state != PEER_CLOSED)
    fail_run (peer->run, "client %u: %s", peer->index, error->message);
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  peer_lost (user_data, "the WebSocket closed");
}

static void
on_ws_connected (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Peer *peer = user_data;
  g_autoptr(GError) error = NULL;

  peer->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  SHARED_SET (peer->worker->handshakes, SHARED_GET (peer->worker->handshakes) - 1);
  if (peer->ws == NULL)
    {
      peer->state = PEER_CLOSED;
      fail_run (peer->run, "client %u: no WebSocket: %s", peer->index, error->message);
      peer_finish_connecting (peer, FALSE);
      return;
    }
  peer->state = PEER_OPENING;
  /* joinedRoom lists every viewer: more than libsoup's 128 KiB default at
   * a few thousand */
  soup_websocket_connection_set_max_incoming_payload_size (peer->ws, 0);
  /* Engine.IO has its own heartbeat */
  soup_websocket_connection_set_keepalive_interval (peer->ws, 0);
  g_signal_connect (peer->ws, "message", G_CALLBACK (on_ws_message), peer);
  g_signal_connect (peer->ws, "error", G_CALLBACK (on_ws_error), peer);
  g_signal_connect (peer->ws, "closed", G_CALLBACK (on_ws_closed), peer);
}

static void
start_peer (Peer *peer)
{
  Worker *worker = peer->worker;
  g_autoptr(SoupMessage) message =
    soup_message_new_from_uri (SOUP_METHOD_GET, peer->run->uris[peer->index % peer->run->n_uris]);

  peer->started = TRUE;
  peer->state = PEER_HANDSHAKE;
  peer->decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  worker->connecting++;
  SHARED_ADD (worker->handshakes, 1);
  g_main_context_push_thread_default (peer->group->context);
  soup_session_websocket_connect_async (peer->group->session, message, NULL, NULL, G_PRIORITY_DEFAULT,
                                        peer->run->cancellable, on_ws_connected, peer);
  g_main_context_pop_thread_default (peer->group->context);
}

static void
start_more_peers (Worker *worker)
{
  while (worker->connecting < worker->window && worker->next_peer < worker->limit)
    start_peer (worker->peers[worker->next_peer++]);
  SHARED_SET (worker->unsettled, worker->limit - worker->next_peer + worker->connecting);
}

/* Main-thread predicates over what the workers publish. */
static gboolean
all_settled (Run *run)
{
  for (guint w = 0; w < run->n_workers; w++)
    if (SHARED_GET (run->workers[w]->unsettled) > 0)
      return FALSE;
  return TRUE;
}

static gint64
last_event_us (Run *run)
{
  gint64 last = 0;

  for (guint w = 0; w < run->n_workers; w++)
    last = MAX (last, SHARED_GET (run->workers[w]->last_event_us));
  return last;
}

static gboolean
quiet_after_joins (Run *run)
{
  return g_get_monotonic_time () - MAX (run->quiet_from_us, last_event_us (run)) >= SETTLE_IDLE_MS * 1000;
}

static gboolean
no_handshakes (Run *run)
{
  for (guint w = 0; w < run->n_workers; w++)
    if (SHARED_GET (run->workers[w]->handshakes) > 0)
      return FALSE;
  return TRUE;
}

/* sendMessage, its text carrying the send time on the monotonic clock
 * (one for every thread of this process). */
static void
send_one (Peer *peer)
{
  Worker *worker = peer->worker;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *timestamp = g_date_time_format_iso8601 (now);
  g_autofree char *text = NULL;
  g_autoptr(JsonBuilder) message = json_builder_new ();
  gint64 sent_us = g_get_monotonic_time ();

  guint seq = peer->send_slot * worker->run->sends_each + (worker->run->sends_each - peer->sends_left);

  text = g_strdup_printf (MESSAGE_PREFIX "%" G_GINT64_FORMAT " #%u from %s", sent_us, seq, peer->user_id);
  json_builder_begin_object (message);
  json_builder_set_member_name (message, "roomId");
  json_builder_add_string_value (message, peer->room_id);
  json_builder_set_member_name (message, "userId");
  json_builder_add_string_value (message, peer->user_id);
  json_builder_set_member_name (message, "username");
  json_builder_add_string_value (message, peer->user_id);
  json_builder_set_member_name (message, "message");
  json_builder_add_string_value (message, text);
  json_builder_set_member_name (message, "timestamp");
  json_builder_add_string_value (message, timestamp);
  bench_ws_emit (peer->ws, "sendMessage", message);

  if (worker->first_send_us == 0)
    worker->first_send_us = sent_us;
  SHARED_SET (worker->last_send_us, sent_us);
  SHARED_ADD (worker->sent, 1);
}

static void
run_due_sends (Worker *worker)
{
  gint64 now = g_get_monotonic_time ();

  while (worker->senders_left > 0)
    {
      Peer *peer = g_ptr_array_index (worker->senders, worker->next_sender);

      if (peer->next_send_us > now)
        break;
      if (peer->state == PEER_JOINED)
        {
          g_main_context_push_thread_default (peer->group->context);
          send_one (peer);
          g_main_context_pop_thread_default (peer->group->context);
        }
      peer->next_send_us += SEND_INTERVAL_MS * 1000;
      if (--peer->sends_left == 0)
        {
          worker->senders_left--;
          /* released after the sent count, which drained() reads after this */
          atomic_store_explicit (&worker->senders_active, worker->senders_left, memory_order_release);
        }
      worker->next_sender = (worker->next_sender + 1) % worker->senders->len;
    }
}

static gboolean
next_load_due (Run *run)
{
  return g_get_monotonic_time () >= run->next_load_us;
}

static gboolean
drained (Run *run)
{
  guint64 sent = 0, accepted = 0, refused = 0, delivered = 0, expected = 0;
  gint64 last = 0;

  for (guint w = 0; w < run->n_workers; w++)
    if (atomic_load_explicit (&run->workers[w]->senders_active, memory_order_acquire) > 0)
      return FALSE;
  for (guint w = 0; w < run->n_workers; w++)
    {
      Worker *worker = run->workers[w];

      sent += SHARED_GET (worker->sent);
      accepted += SHARED_GET (worker->accepted);
      refused += SHARED_GET (worker->refused);
      delivered += SHARED_GET (worker->delivered);
      expected += SHARED_GET (worker->expected);
      last = MAX (last, MAX (SHARED_GET (worker->last_event_us), SHARED_GET (worker->last_send_us)));
    }
  if (accepted + refused == sent && delivered >= expected)
    return TRUE;
  return g_get_monotonic_time () - last >= DRAIN_IDLE_MS * 1000;
}

/* What follows with the _worker_ names runs on the worker's own thread,
 * called by worker_call() or by the thread itself. */

static void
worker_stop_starting (Worker   *worker,
                      gpointer  data)
{
  worker->limit = worker->next_peer;
  start_more_peers (worker);
}

/* Before a load: its counters to zero, and which of its clients may send. */
static void
worker_prepare_load (Worker   *worker,
                     gpointer  data)
{
  SHARED_SET (worker->sent, 0);
  SHARED_SET (worker->accepted, 0);
  SHARED_SET (worker->expected, 0);
  SHARED_SET (worker->refused, 0);
  SHARED_SET (worker->delivered, 0);
  SHARED_SET (worker->last_send_us, 0);
  worker->dropped = 0;
  worker->duplicates = 0;
  worker->first_send_us = worker->last_receipt_us = 0;
  memset (&worker->latency, 0, sizeof worker->latency);
  for (guint i = 0; i < worker->n_peers; i++)
    {
      Peer *peer = worker->peers[i];

      peer->ready = peer->joined && peer->state == PEER_JOINED;
      g_free (peer->seen);
      peer->seen = g_new0 (guint64, worker->run->n_seqs / 64 + 1);
    }
  worker->thread_cpu_start_s = thread_cpu_seconds ();
}

/* DATA: its senders (a GPtrArray it takes), their schedule already set. */
static void
worker_start_sending (Worker   *worker,
                      gpointer  data)
{
  g_clear_pointer (&worker->senders, g_ptr_array_unref);
  worker->senders = data;
  worker->next_sender = 0;
  worker->senders_left = worker->senders->len;
  SHARED_SET (worker->senders_active, worker->senders_left);
}

static void
worker_end_load (Worker   *worker,
                 gpointer  data)
{
  worker->thread_cpu_s = thread_cpu_seconds () - worker->thread_cpu_start_s;
  worker->senders_left = 0;
  SHARED_SET (worker->senders_active, 0);
}

static void
worker_quit (Worker   *worker,
             gpointer  data)
{
  worker->quit = TRUE;
}

static void
worker_open (Worker *worker)
{
  for (guint k = 0; k < worker->n_groups; k++)
    {
      Group *group = &worker->groups[k];

      if (!g_main_context_acquire (group->context))
        g_error ("Worker %u cannot own its main context", worker->id);
      /* a session works in the thread-default context it was made in */
      g_main_context_push_thread_default (group->context);
      /* A handshake for every client of the group at once if need be:
       * libsoup's default of 10 connections per host would queue the rest. */
      group->session = soup_session_new_with_options ("max-conns", CLIENTS_PER_CONTEXT + CONNECT_WINDOW,
                                                      "max-conns-per-host", CLIENTS_PER_CONTEXT + CONNECT_WINDOW,
                                                      NULL);
      /* Neither server takes permessage-deflate; not offering it keeps the
       * handshake what socket.io-client sends. */
      soup_session_remove_feature_by_type (group->session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
      /* loopback, whatever http_proxy says */
      soup_session_set_proxy_resolver (group->session, NULL);
      g_main_context_pop_thread_default (group->context);
    }
}

static void
worker_close (Worker *worker)
{
  for (guint i = 0; i < worker->n_peers; i++)
    {
      Peer *peer = worker->peers[i];

      if (peer->ws != NULL)
        {
          g_signal_handlers_disconnect_by_data (peer->ws, peer);
          /* the last reference: libsoup closes the connection */
          g_main_context_push_thread_default (peer->group->context);
          g_clear_object (&peer->ws);
          g_main_context_pop_thread_default (peer->group->context);
        }
      g_clear_pointer (&peer->decoder, sio_decoder_free);
    }
  g_clear_pointer (&worker->senders, g_ptr_array_unref);
  for (guint k = 0; k < worker->n_groups; k++)
    {
      Group *group = &worker->groups[k];

      g_main_context_push_thread_default (group->context);
      g_clear_object (&group->session);
      /* what the closes left to do */
      for (guint i = 0; i < 100 && g_main_context_iteration (group->context, FALSE); i++)
        ;
      g_main_context_pop_thread_default (group->context);
      g_main_context_release (group->context);
      g_clear_pointer (&group->context, g_main_context_unref);
    }
}

/* A worker's thread: it joins its clients, then runs their libsoup
 * sources, its sends when due and the main thread's calls, until told to
 * quit. */
static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;

  /* Linux gives each thread its own nice value */
  if (worker->run->nice != 0 && setpriority (PRIO_PROCESS, (id_t) gettid (), worker->run->nice) != 0)
    g_warning ("Cannot renice load-generator thread %u: %s", worker->id, g_strerror (errno));
  worker_open (worker);
  start_more_peers (worker);
  while (!worker->quit)
    {
      worker_iterate (worker, MIN (g_get_monotonic_time () + 100000, next_send_due (worker)));
      run_due_sends (worker);
    }
  worker_close (worker);
  return NULL;
}

static void
run_free (Run *run)
{
  /* handshakes still under way end (cancelled) before their peers go */
  g_cancellable_cancel (run->cancellable);
  run_call_workers (run, worker_stop_starting, NULL);
  if (!wait_until (no_handshakes, run, 30000))
    g_error ("WebSocket handshakes did not end when cancelled");
  run_call_workers (run, worker_quit, NULL);
  for (guint w = 0; w < run->n_workers; w++)
    {
      Worker *worker = run->workers[w];

      g_thread_join (worker->thread);
      g_free (worker->groups);
      g_array_unref (worker->fds);
      g_free (worker->peers);
      g_free (worker);
    }
  g_clear_pointer (&run->workers, g_free);
  for (guint i = 0; i < run->n; i++)
    {
      g_free (run->peers[i].user_id);
      g_free (run->peers[i].room_id);
      g_free (run->peers[i].token);
      g_free (run->peers[i].seen);
    }
  g_clear_pointer (&run->peers, g_free);
  g_clear_pointer (&run->room_members, g_free);
  /* what the cancelled handshakes said, too */
  g_clear_pointer (&run->first_error, g_free);
  g_clear_object (&run->cancellable);
  for (guint g = 0; g < run->n_uris; g++)
    g_clear_pointer (&run->uris[g], g_uri_unref);
  g_cond_clear (&run->answered);
  g_mutex_clear (&run->lock);
}

/* T workers, client i on worker i % T so that senders, which are the first
 * clients, are spread over all of them; each with main contexts of
 * CLIENTS_PER_CONTEXT of its clients. */
static void
run_start_workers (Run   *run,
                   guint  threads)
{
  run->n_workers = CLAMP (threads, 1, run->n);
  run->workers = g_new0 (Worker *, run->n_workers);
  for (guint w = 0; w < run->n_workers; w++)
    {
      Worker *worker = g_new0 (Worker, 1);

      worker->run = run;
      worker->id = w;
      worker->n_peers = (run->n - w + run->n_workers - 1) / run->n_workers;
      worker->peers = g_new0 (Peer *, worker->n_peers);
      worker->limit = worker->n_peers;
      /* the listen backlog is shared: all workers together keep to CONNECT_WINDOW */
      worker->window = MAX (CONNECT_WINDOW / run->n_workers, 1);
      worker->n_groups = (worker->n_peers + CLIENTS_PER_CONTEXT - 1) / CLIENTS_PER_CONTEXT;
      worker->groups = g_new0 (Group, worker->n_groups);
      for (guint k = 0; k < worker->n_groups; k++)
        worker->groups[k].context = g_main_context_new ();
      worker->fds = g_array_sized_new (FALSE, TRUE, sizeof (GPollFD), worker->n_peers + 8 * worker->n_groups);
      g_array_set_size (worker->fds, worker->n_peers + 8 * worker->n_groups);
      SHARED_SET (worker->unsettled, worker->n_peers);
      run->workers[w] = worker;
    }
  for (guint i = 0; i < run->n; i++)
    {
      Peer *peer = &run->peers[i];
      Worker *worker = run->workers[i % run->n_workers];
      guint at = i / run->n_workers;

      peer->worker = worker;
      peer->group = &worker->groups[at / CLIENTS_PER_CONTEXT];
      worker->peers[at] = peer;
    }
  for (guint w = 0; w < run->n_workers; w++)
    {
      g_autofree char *name = g_strdup_printf ("fanout-gen%u", w);

      run->workers[w]->thread = g_thread_new (name, worker_thread, run->workers[w]);
    }
}

/* Senders for RATE deliveries a second (or --senders), spread evenly over
 * one interval, so the load is steady; then waits for every delivery. The
 * schedule is made here, on one clock, and each worker sends for its own
 * clients. */
static void
measure_load (Run          *run,
              const Config *config,
              guint         rate,
              Phase        *phase)
{
  guint senders, sends_each;
  guint room_size = MAX (run->joined / run->rooms, 1);
  double server_cpu, self_cpu;
  guint64 machine_busy = 0, machine_total = 0, busy_end = 0, total_end = 0;
  gint64 wall_start, start_us;
  g_autofree GPtrArray **lists = g_new0 (GPtrArray *, run->n_workers);
  g_autofree Histogram *latency = g_new0 (Histogram, 1);
  gint64 first_send_us = G_MAXINT64, last_receipt_us = 0;
  guint64 accepted = 0;

  if (config->senders > 0)
    senders = MIN ((guint) config->senders, run->joined);
  else
    senders = CLAMP ((guint) ceil ((double) rate * SEND_INTERVAL_MS / 1000.0 / room_size), 1, run->joined);
  sends_each = MAX (config->duration_s * 1000 / SEND_INTERVAL_MS, 1);
  phase->senders = senders;
  phase->offered = senders * (1000.0 / SEND_INTERVAL_MS) * room_size;
  /* read by the workers after worker_prepare_load's call, which orders them */
  run->sends_each = sends_each;
  run->n_seqs = senders * sends_each;

  /* The first senders of a load are the last of the one before: sending
   * again at once, they would meet the gateway's limit of a message a
   * second per user, and be refused, which node has no limit to do. */
  wait_until (next_load_due, run, SEND_INTERVAL_MS);
  run_call_workers (run, worker_prepare_load, NULL);
  /* who gets a room's messages: its clients ready now (set by their workers
   * in the call above, which orders it) */
  memset (run->room_members, 0, run->rooms * sizeof *run->room_members);
  for (guint i = 0; i < run->n; i++)
    if (run->peers[i].ready)
      run->room_members[run->peers[i].room]++;
  for (guint w = 0; w < run->n_workers; w++)
    lists[w] = g_ptr_array_new ();
  start_us = g_get_monotonic_time ();
  for (guint i = 0, s = 0; i < run->n && s < senders; i++)
    {
      Peer *peer = &run->peers[i];

      if (!peer->ready)
        continue;
      peer->sends_left = sends_each;
      peer->send_slot = s;
      peer->next_send_us = start_us + (gint64) s * SEND_INTERVAL_MS * 1000 / senders;
      g_ptr_array_add (lists[peer->worker->id], peer);
      s++;
    }

  server_cpu = bench_server_cpu_seconds (run->server);
  self_cpu = self_cpu_seconds ();
  read_machine_jiffies (&machine_busy, &machine_total);
  wall_start = g_get_monotonic_time ();
  /* before any worker sends, so that every receipt of the load counts */
  SHARED_SET (run->measuring, TRUE);
  for (guint w = 0; w < run->n_workers; w++)
    worker_call (run->workers[w], worker_start_sending, g_steal_pointer (&lists[w]));
  wait_until (drained, run, config->duration_s * 1000 + 120000);
  SHARED_SET (run->measuring, FALSE);
  phase->server_cpu_s = bench_server_cpu_seconds (run->server) - server_cpu;
  phase->loadgen_cpu_s = self_cpu_seconds () - self_cpu;
  phase->wall_s = (g_get_monotonic_time () - wall_start) / (double) G_USEC_PER_SEC;
  if (read_machine_jiffies (&busy_end, &total_end) && total_end > machine_total)
    phase->machine_busy = (double) (busy_end - machine_busy) / (total_end - machine_total);
  /* every worker has answered: none records any more, and what they
   * recorded is theirs to read */
  run_call_workers (run, worker_end_load, NULL);

  phase->ran = TRUE;
  for (guint w = 0; w < run->n_workers; w++)
    {
      Worker *worker = run->workers[w];

      phase->sent += SHARED_GET (worker->sent);
      accepted += SHARED_GET (worker->accepted);
      phase->refused += SHARED_GET (worker->refused);
      phase->delivered += SHARED_GET (worker->delivered);
      phase->expected += SHARED_GET (worker->expected);
      phase->dropped += worker->dropped;
      phase->duplicates += worker->duplicates;
      if (worker->first_send_us != 0)
        first_send_us = MIN (first_send_us, worker->first_send_us);
      run->next_load_us = MAX (run->next_load_us, SHARED_GET (worker->last_send_us) + SEND_INTERVAL_MS * 1000);
      last_receipt_us = MAX (last_receipt_us, worker->last_receipt_us);
      for (guint i = 0; i < HIST_BUCKETS; i++)
        latency->counts[i] += worker->latency.counts[i];
      latency->total += worker->latency.total;
      if (phase->wall_s > 0)
        phase->busiest_thread = MAX (phase->busiest_thread, worker->thread_cpu_s / phase->wall_s);
    }
  if (first_send_us == G_MAXINT64)
    first_send_us = last_receipt_us;
  phase->accepted = accepted;
  phase->lost = phase->expected > phase->delivered - phase->duplicates
                  ? phase->expected - (phase->delivered - phase->duplicates) : 0;
  phase->seconds = MAX (last_receipt_us - first_send_us, 1) / (double) G_USEC_PER_SEC;
  phase->rate = phase->delivered / phase->seconds;
  phase->p50_ms = hist_percentile_ms (latency, 0.50);
  phase->p99_ms = hist_percentile_ms (latency, 0.99);
}

static guint
run_count_joined (Run *run)
{
  guint joined = 0;

  for (guint w = 0; w < run->n_workers; w++)
    joined += SHARED_GET (run->workers[w]->joined);
  return joined;
}

/* The presence events of a join grow with the room (userJoined to every
 * member, joinedRoom listing them), so N clients in rooms of M cost N·M/2
 * events; by default a join phase gets 300 s, or one second per 40,000 of
 * N·M when that is more (10,000 in one room: 2,500 s), so that a big room
 * is measured whole rather than cut off. --join-timeout overrides it. */
static guint
join_timeout_s (const Config *config,
                guint         n)
{
  guint64 members = (n + config->rooms - 1) / config->rooms;

  if (config->join_timeout_s > 0)
    return config->join_timeout_s;
  return (guint) MAX (300, (guint64) n * members / 40000);
}

static Result
run_one (const Config *config,
         BenchServerKind    kind,
         guint         n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *run_error = NULL;
  BenchServer server = { .kind = kind };
  Run run = { .server = &server, .n = n, .nice = config->nice };
  Result result = { .n = n };
  glong rss_before, rss_after;
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;
  gint64 join_start;
  gboolean ok = kind != BENCH_SERVER_NODE
                  ? bench_server_start_gateway (&server, config->gateway, config->gateways, FALSE, &error)
                  : bench_server_start_node (&server, config->node_script, config->peers_dir, &error);

  if (!ok)
    {
      result.note = g_strdup_printf ("%s did not start: %s", server_label (kind), error->message);
      bench_server_stop (&server);
      return result;
    }

  /* let it finish starting (node compiles its modules lazily) */
  g_usleep (200 * 1000);
  rss_before = bench_server_rss_kb (&server);

  g_mutex_init (&run.lock);
  g_cond_init (&run.answered);
  run.peers = g_new0 (Peer, n);
  run.rooms = CLAMP (config->rooms, 1, n);
  run.room_members = g_new0 (guint, run.rooms);
  run.n_uris = 1 + server.n_more;
  for (guint g = 0; g < run.n_uris; g++)
    run.uris[g] = g_uri_build (G_URI_FLAGS_ENCODED, "ws", NULL, "127.0.0.1",
                               (gint) (g == 0 ? server.port : server.more_port[g - 1]), "/socket/",
                               "EIO=4&transport=websocket", NULL);
  run.cancellable = g_cancellable_new ();
  for (guint i = 0; i < n; i++)
    {
      Peer *peer = &run.peers[i];

      peer->run = &run;
      peer->index = i;
      peer->user_id = g_strdup_printf ("fan%u", i);
      peer->room = i % run.rooms;
      peer->room_id = run.rooms == 1 ? g_strdup (ROOM_ID) : g_strdup_printf (ROOM_ID "_%u", i % run.rooms);
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
  /* each worker starts joining its clients at once */
  run_start_workers (&run, config->threads);
  result.threads = run.n_workers;
  result.gateways = run.n_uris;
  if (!wait_until (all_settled, &run, join_timeout_s (config, n) * 1000))
    {
      /* the rest are not started, so the joins stop and the room goes quiet */
      fail_run (&run, "the join timeout (%u s) passed", join_timeout_s (config, n));
      run_call_workers (&run, worker_stop_starting, NULL);
      wait_until (all_settled, &run, 60000);
      if (run_count_joined (&run) == n)
        run_clear_error (&run);
    }
  run.quiet_from_us = g_get_monotonic_time ();
  wait_until (quiet_after_joins, &run, 300000);
  result.join_s = (g_get_monotonic_time () - join_start) / (double) G_USEC_PER_SEC;
  rss_after = bench_server_rss_kb (&server);

  run.joined = result.joined = run_count_joined (&run);
  if (run.joined < n)
    {
      run_error = run_dup_error (&run);
      result.note = g_strdup_printf ("%s: only %u of %u clients joined (%s)", server_label (kind), run.joined, n,
                                     run_error != NULL ? run_error : "timed out");
      g_clear_pointer (&run_error, g_free);
      run_clear_error (&run);
    }
  if (run.joined == 0)
    {
      run_free (&run);
      bench_server_stop (&server);
      return result;
    }

  for (guint i = 0; i < config->n_rates; i++)
    measure_load (&run, config, config->rates[i], &result.phases[i]);
  result.rss_per_client_kb = rss_before > 0 && rss_after > 0 ? (double) (rss_after - rss_before) / run.joined : 0;
  run_error = run_dup_error (&run);
  if (run_error != NULL && result.note == NULL)
    result.note = g_strdup_printf ("%s: %s", server_label (kind), run_error);

  run_free (&run);
  bench_server_stop (&server);
  return result;
}

/* The load generator's CPU time over the wall time of a load, in cores:
 * above 1 once it runs on more than one thread. */
static double
generator_busy (const Phase *p)
{
  return p->wall_s > 0 ? p->loadgen_cpu_s / p->wall_s : 0;
}

#define GENERATOR_SATURATED 0.9

/* The generator could take in no more: a thread of it was busy all the
 * time (its clients fell behind, whatever the others did), or all of it
 * filled the cores it can run on (more threads than cores). */
static gboolean
generator_at_ceiling (const Config *config,
                      const Result *r,
                      const Phase  *p)
{
  return p->busiest_thread >= GENERATOR_SATURATED ||
         generator_busy (p) >= GENERATOR_SATURATED * MIN (r->threads, config->n_cpus);
}

/* Delivered (nearly) all that was offered: no ceiling was reached. */
static gboolean
kept_up (const Phase *p)
{
  return p->rate >= 0.95 * p->offered;
}

static void
print_row (const Config *config,
           const char   *label,
           const Result *r,
           guint         load)
{
  const Phase *p = &r->phases[load];
  double server_busy = p->wall_s > 0 ? p->server_cpu_s / p->wall_s : 0;

  if (!p->ran)
    {
      g_print ("  %-22s (not measured)\n", label);
      return;
    }
  g_print ("  %-22s %6u %6.1f %7u %9.0f %9.0f %6.1f%% %9.1f %9.1f %10.1f %7.2f %7.2f %8.2f %6.2f %5.0f%%\n",
           label, r->joined, r->join_s, p->senders, p->offered, p->rate,
           p->expected > 0 ? 100.0 * p->delivered / p->expected : 0.0, p->p50_ms, p->p99_ms,
           r->rss_per_client_kb, p->server_cpu_s, p->loadgen_cpu_s,
           p->delivered > 0 ? p->server_cpu_s * 1e6 / p->delivered : 0.0,
           p->delivered > 0 ? p->loadgen_cpu_s * 1e6 / p->delivered : 0.0, 100.0 * generator_busy (p));
  if (p->refused > 0)
    g_print ("  %-22s %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " sends refused (the server's rate limit)\n",
             "", p->refused, p->sent);
  if (p->dropped > 0)
    g_print ("  %-22s %u connections lost while sending\n", "", p->dropped);
  if (p->duplicates > 0 || p->lost > 0 || r->gateways > 1)
    g_print ("  %-22s exactly once? %" G_GUINT64_FORMAT " duplicates, %" G_GUINT64_FORMAT " lost of %" G_GUINT64_FORMAT
             " expected deliveries%s\n", "", p->duplicates, p->lost, p->expected,
             p->duplicates == 0 && p->lost == 0 ? ": yes" : "");
  if (generator_at_ceiling (config, r, p) && kept_up (p))
    g_print ("  %-22s load generator at its ceiling (its busiest thread of %u busy %.0f%% of the time), though it "
             "kept up with this load\n", "", r->threads, 100 * p->busiest_thread);
  else if (generator_at_ceiling (config, r, p) && server_busy < GENERATOR_SATURATED)
    g_print ("  %-22s load generator ceiling: its busiest thread of %u was busy %.0f%% of the time and the\n"
             "  %-22s server %.0f%%, so this deliv/s is what the libsoup clients took in, the server could have\n"
             "  %-22s delivered more\n",
             "", r->threads, 100 * p->busiest_thread, "", 100 * server_busy, "");
  else if (generator_at_ceiling (config, r, p))
    g_print ("  %-22s the load generator (%.0f%% of a core, busiest thread %.0f%%) and the server (%.0f%%) "
             "filled the machine\n", "", 100 * generator_busy (p), 100 * p->busiest_thread, 100 * server_busy);
  else if (!kept_up (p) && server_busy >= GENERATOR_SATURATED)
    /* both servers run their event loop on one thread */
    g_print ("  %-22s the server was busy %.0f%% of a core, its ceiling (the generator took %.0f%%, other processes "
             "%.0f%% of a core)\n",
             "", 100 * server_busy, 100 * generator_busy (p),
             MAX (0, 100 * (p->machine_busy * config->n_cpus - generator_busy (p) - server_busy)));
  else if (!kept_up (p) && p->machine_busy >= GENERATOR_SATURATED)
    g_print ("  %-22s the machine was full, %.0f%% busy (of %u cores: generator %.0f%%, server %.0f%%, other processes "
             "%.0f%% of a core): this deliv/s is what it could do, not the server's ceiling alone\n",
             "", 100 * p->machine_busy, config->n_cpus, 100 * generator_busy (p), 100 * server_busy,
             MAX (0, 100 * (p->machine_busy * config->n_cpus - generator_busy (p) - server_busy)));
}

static double
ratio (double a,
       double b)
{
  return b > 0 ? a / b : 0;
}

/* Says when a row measured the load generator rather than a server: both
 * servers delivering the same while it was saturated. */
static void
print_generator_limit (const Config *config,
                       const Result *gateway,
                       const Result *node,
                       guint         load)
{
  const Phase *g = &gateway->phases[load];
  const Phase *o = &node->phases[load];

  if (g->ran && o->ran && generator_at_ceiling (config, gateway, g) && generator_at_ceiling (config, node, o) &&
      !kept_up (g) && !kept_up (o) && fabs (ratio (g->rate, o->rate) - 1) < 0.1)
    g_print ("  LOAD GENERATOR CEILING: both servers delivered about the same while the generator's busiest thread "
             "was busy %.0f%% / %.0f%% of the time: this load measures the libsoup clients, not the servers\n",
             100 * g->busiest_thread, 100 * o->busiest_thread);
}

static void
print_table (const Config *config,
             guint         n,
             const Result *gateway,
             const Result *node,
             const Result *split)
{
  guint threads = MAX (gateway != NULL ? gateway->threads : 0, node != NULL ? node->threads : 0);

  if (config->rooms <= 1)
    g_print ("\nN = %u clients in one room", n);
  else
    g_print ("\nN = %u clients in %u rooms of %u", n, config->rooms, n / config->rooms);
  g_print (", the load generator on %u thread%s\n",
           threads > 0 ? threads : config->threads, (threads > 0 ? threads : config->threads) == 1 ? "" : "s");
  g_print ("  %-22s %6s %6s %7s %9s %9s %7s %9s %9s %10s %7s %7s %8s %6s %6s\n", "server", "joined", "join s",
           "senders", "offered/s", "deliv/s", "got", "p50 ms", "p99 ms", "KiB/client", "srv CPU", "gen CPU",
           "us/deliv", "gen us", "gen %");
  for (guint load = 0; load < config->n_rates; load++)
    {
      const Phase *g = gateway != NULL ? &gateway->phases[load] : NULL;
      const Phase *o = node != NULL ? &node->phases[load] : NULL;

      if (gateway != NULL)
        print_row (config, server_label (BENCH_SERVER_GATEWAY), gateway, load);
      if (node != NULL)
        print_row (config, server_label (BENCH_SERVER_NODE), node, load);
      if (g != NULL && o != NULL && g->ran && o->ran)
        g_print ("  gateway/node: %.2fx delivered/s (target >= 3), %.2fx p99 (target <= 1), "
                 "%.2fx RSS/client (target <= 0.25), %.2fx server CPU per delivery\n",
                 ratio (g->rate, o->rate), ratio (g->p99_ms, o->p99_ms),
                 ratio (gateway->rss_per_client_kb, node->rss_per_client_kb),
                 ratio (g->server_cpu_s / MAX (g->delivered, 1), o->server_cpu_s / MAX (o->delivered, 1)));
      if (gateway != NULL && node != NULL)
        print_generator_limit (config, gateway, node, load);
      if (split != NULL)
        {
          const Phase *x = &split->phases[load];
          g_autofree char *label = g_strdup_printf ("%u gateways + Redis", split->gateways);

          print_row (config, label, split, load);
          if (g != NULL && g->ran && x->ran)
            g_print ("  %u gateways/one: %.2fx delivered/s, %.2fx p99, %.2fx server CPU per delivery "
                     "(Redis's included)\n", split->gateways, ratio (x->rate, g->rate), ratio (x->p99_ms, g->p99_ms),
                     ratio (x->server_cpu_s / MAX (x->delivered, 1), g->server_cpu_s / MAX (g->delivered, 1)));
        }
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
  if (split != NULL && split->note != NULL)
    g_print ("  note: %s\n", split->note);
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
  gint threads = atoi (env_or ("LIVEDESK_FANOUT_THREADS", "0"));
  gint nice = atoi (env_or ("LIVEDESK_FANOUT_NICE", "10"));
  g_autofree char *rates_arg = NULL;
  gint join_timeout = 0;
  gint rooms = atoi (env_or ("LIVEDESK_FANOUT_ROOMS", "1"));
  gint gateways = atoi (env_or ("LIVEDESK_FANOUT_GATEWAYS", "1"));
  gboolean with_gateway, with_node;
  rlim_t fd_limit;
  GOptionEntry entries[] = {
    { "sizes", 'n', 0, G_OPTION_ARG_STRING, &sizes_arg, "Clients in the room, comma-separated (100,1000)", "N,..." },
    { "duration", 'd', 0, G_OPTION_ARG_INT, &duration, "Seconds of sending per run (10)", "S" },
    { "rates", 'r', 0, G_OPTION_ARG_STRING, &rates_arg,
      "Offered newMessage deliveries a second, one run each (10000,100000,400000)", "R,..." },
    { "senders", 's', 0, G_OPTION_ARG_INT, &senders, "Clients that send, one message per 2.5 s each (from --rate)", "K" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads,
      "Load-generator threads, each running its share of the clients (the number of CPUs)", "T" },
    { "nice", 0, 0, G_OPTION_ARG_INT, &nice, "Nice value of the load-generator threads (10)", "N" },
    { "join-timeout", 0, 0, G_OPTION_ARG_INT, &join_timeout,
      "Seconds the clients have to join (by default 300, more for big rooms: see above)", "S" },
    { "server", 0, 0, G_OPTION_ARG_STRING, &server_arg, "both, gateway or node (both)", "WHICH" },
    { "rooms", 0, 0, G_OPTION_ARG_INT, &rooms, "Rooms the clients are spread over, client i in room i % R (1)", "R" },
    { "gateways", 0, 0, G_OPTION_ARG_INT, &gateways,
      "Also run G gateway processes on one redis-server, the clients split over them (1: not)", "G" },
    { NULL }
  };

  context = g_option_context_new ("- room broadcast: livedesk-gateway next to socket.io");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-fanout: %s\n", error->message);
      return 2;
    }
  if (rooms < 1 || gateways < 1 || gateways > BENCH_MAX_GATEWAYS)
    {
      g_printerr ("bench-fanout: --rooms must be at least 1, --gateways from 1 to %d\n", BENCH_MAX_GATEWAYS);
      return 2;
    }
  config.rooms = (guint) rooms;
  config.gateways = (guint) gateways;
  if (duration <= 0 || join_timeout < 0 || threads < 0)
    {
      g_printerr ("bench-fanout: --duration must be positive, --join-timeout not negative, --threads not negative\n");
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
  config.n_cpus = g_get_num_processors ();
  config.threads = threads > 0 ? (guint) threads : config.n_cpus;
  config.nice = CLAMP (nice, -20, 19);
  config.peers_dir = g_strdup (env_or ("LIVEDESK_PEERS_DIR", LIVEDESK_SOURCE_DIR "/tests/peers"));
  config.node_script = g_build_filename (LIVEDESK_SOURCE_DIR, "bench", "bench-fanout-server.mjs", NULL);
  config.gateway = g_strdup (env_or ("LIVEDESK_GATEWAY", LIVEDESK_GATEWAY_PATH));

  /* Raised here, so the servers (children) inherit it too. */
  fd_limit = raise_fd_limit ();
  /* one socket each, a main context's wake-up fd per CLIENTS_PER_CONTEXT,
   * and room for pipes and libraries */
  config.max_clients = fd_limit > 200 ? (guint) MIN ((fd_limit - 200) / (CLIENTS_PER_CONTEXT + 1) * CLIENTS_PER_CONTEXT,
                                                     G_MAXUINT) : 0;
  g_print ("bench-fanout: open-file limit %lu, so at most %u clients; %u s of sending per run, "
           "one message per sender every %.1f s; load generator on %u thread%s at nice %d, %u CPUs\n",
           (unsigned long) fd_limit, config.max_clients, config.duration_s, SEND_INTERVAL_MS / 1000.0,
           config.threads, config.threads == 1 ? "" : "s", config.nice, config.n_cpus);
  if (config.max_clients < 10000)
    g_print ("bench-fanout: 10,000 clients cannot be reached with this open-file limit (the hard limit, "
             "which only root can raise: ulimit -Hn)\n");

  for (guint i = 0; i < sizes->len; i++)
    {
      guint n = g_array_index (sizes, guint, i);
      Result gateway = { 0 }, node = { 0 }, split = { 0 };

      if (n > config.max_clients)
        {
          g_print ("\nN = %u: skipped, the open-file limit (%lu) allows at most %u clients\n",
                   n, (unsigned long) fd_limit, config.max_clients);
          continue;
        }
      if (with_gateway)
        gateway = run_one (&config, BENCH_SERVER_GATEWAY, n);
      if (with_node)
        node = run_one (&config, BENCH_SERVER_NODE, n);
      if (config.gateways > 1)
        split = run_one (&config, BENCH_SERVER_GATEWAY_REDIS, n);
      print_table (&config, n, with_gateway ? &gateway : NULL, with_node ? &node : NULL,
                   config.gateways > 1 ? &split : NULL);
      g_free (gateway.note);
      g_free (node.note);
      g_free (split.note);
    }

  g_print ("\nColumns: join s = connecting and joining everyone; offered/s = deliveries a second the senders ask for;\n"
           "deliv/s = newMessage events received a second, first send to last receipt; got = of those the server\n"
           "accepted times N; p50/p99 = send -> receipt; KiB/client = server RSS growth from start to all joined,\n"
           "per client; srv/gen CPU = seconds of server and load-generator CPU while sending; us/deliv = server\n"
           "CPU per delivery, the figure least bent by a shared, noisy machine; gen us = load-generator CPU per\n"
           "delivery; gen %% = its CPU time (all its threads) over the wall time of the load, in %% of one core:\n"
           "200%% = both cores of a 2-core machine. The note under a row says when the generator was the ceiling\n"
           "(its busiest thread busy >= 90%% of the time) or the machine was full.\n");

  g_free (config.peers_dir);
  g_free (config.node_script);
  g_free (config.gateway);
  return 0;
}
