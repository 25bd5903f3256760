/* bench-servers.h: the servers the benchmarks measure, started and sampled
 * the same way by each of them: livedesk-gateway (alone, or several on one
 * redis-server of the bench's own) and the minimal official socket.io
 * server in node, with their CPU time, RSS and descriptors from /proc.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "gw-jwt.h"
#include "sio-codec.h"

G_BEGIN_DECLS

typedef enum
{
  BENCH_SERVER_GATEWAY,
  BENCH_SERVER_NODE,
  BENCH_SERVER_GATEWAY_REDIS,  /* several gateways on one redis-server */
} BenchServerKind;

#define BENCH_MAX_GATEWAYS 8

typedef struct
{
  BenchServerKind kind;
  GSubprocess    *process;
  GPid            pid;
  guint           port;
  GwJwt          *jwt;     /* the gateways' secret, to sign tokens with */
  char           *secret;  /* the same, for a child of the bench that signs too */
  char           *dir;     /* the gateways' users file lives here */
  /* BENCH_SERVER_GATEWAY_REDIS: the other gateways, and the redis-server they share */
  guint           n_more;
  GSubprocess    *more[BENCH_MAX_GATEWAYS - 1];
  GPid            more_pid[BENCH_MAX_GATEWAYS - 1];
  guint           more_port[BENCH_MAX_GATEWAYS - 1];
  GSubprocess    *redis;
  GPid            redis_pid;
} BenchServer;

/* A child setup for GSubprocessLauncher: the child dies with the bench. */
void      bench_die_with_parent      (gpointer      data);

glong     bench_read_rss_kb          (GPid          pid);
guint     bench_read_n_fds           (GPid          pid);
/* utime + stime, in seconds */
double    bench_read_cpu_seconds     (GPid          pid);

GwJwt    *bench_new_random_jwt       (char        **out_secret);

/* SERVER->kind says which. GATEWAY_PATH: the livedesk-gateway program;
 * N_GATEWAYS: how many for BENCH_SERVER_GATEWAY_REDIS (1 otherwise);
 * QUIET: the gateways' log (a line per connection) goes nowhere. */
gboolean  bench_server_start_gateway (BenchServer  *server,
                                      const char   *gateway_path,
                                      guint         n_gateways,
                                      gboolean      quiet,
                                      GError      **error);
gboolean  bench_server_start_node    (BenchServer  *server,
                                      const char   *node_script,
                                      const char   *peers_dir,
                                      GError      **error);
/* Of every process of the server: all gateways, and Redis. */
double    bench_server_cpu_seconds   (const BenchServer *server);
glong     bench_server_rss_kb        (const BenchServer *server);
void      bench_server_stop          (BenchServer  *server);

/* What the benches' clients say to either server, through our codec: one
 * Engine.IO packet as one WebSocket frame (nothing while WS is not open);
 * a Socket.IO packet in an Engine.IO MESSAGE; an EVENT of the main
 * namespace without ack, [EVENT, OBJECT], the builder's object closed here. */
void      bench_ws_send_eio          (SoupWebsocketConnection *ws,
                                      SioEioType               type,
                                      const char              *text);
void      bench_ws_send_packet       (SoupWebsocketConnection *ws,
                                      SioPacket               *packet);
void      bench_ws_emit              (SoupWebsocketConnection *ws,
                                      const char              *event,
                                      JsonBuilder             *object);

G_END_DECLS
