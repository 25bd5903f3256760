/* sio-engine.h: the Engine.IO v4 server (HTTP long-polling and WebSocket on a SoupServer).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define SIO_TYPE_ENGINE (sio_engine_get_type ())
G_DECLARE_FINAL_TYPE (SioEngine, sio_engine, SIO, ENGINE, GObject)

/* One Engine.IO session; it lives from the handshake until ::closed. */
#define SIO_TYPE_ENGINE_SOCKET (sio_engine_socket_get_type ())
G_DECLARE_FINAL_TYPE (SioEngineSocket, sio_engine_socket, SIO, ENGINE_SOCKET, GObject)

/* Defaults of the official server, except what PROTOCOL.md fixes. */
#define SIO_ENGINE_DEFAULT_PING_INTERVAL 25000
#define SIO_ENGINE_DEFAULT_PING_TIMEOUT  20000
#define SIO_ENGINE_DEFAULT_MAX_PAYLOAD   1000000
#define SIO_ENGINE_DEFAULT_UPGRADE_TIMEOUT 10000

/* The engine's timers and its WebSocket writes run on the global default
 * main context: what a session sends over WebSocket leaves when that
 * context next iterates, together with whatever else the session was sent
 * meanwhile (a close sends what is waiting first). */
SioEngine       *sio_engine_new                  (void);
/* Serves PATH (e.g. "/socket.io/") on HTTP; the same path takes WebSocket upgrades.
 * Call once, before the first request. */
void             sio_engine_attach               (SioEngine   *self,
                                                  SoupServer  *server,
                                                  const char  *path);
/* Makes SERVER listen on ADDRESS (e.g. "127.0.0.1", "::1", "0.0.0.0") and PORT
 * (0: a free one, stored in *BOUND_PORT) with a backlog of SIO_ENGINE_LISTEN_BACKLOG:
 * the soup_server_listen_*() helpers keep GLib's 10, and a burst of clients
 * reconnecting at once then waits seconds for SYN retries. Connections are
 * accepted by the engine and handed to SERVER as streams (libsoup 3.2's own
 * listener leaks every accepted socket), so soup_server_get_uris() and
 * soup_server_get_listeners() do not list them; the listener stops when
 * SERVER is finalized. */
#define SIO_ENGINE_LISTEN_BACKLOG 1024
gboolean         sio_engine_listen               (SoupServer  *server,
                                                  const char  *address,
                                                  guint        port,
                                                  guint       *bound_port,
                                                  GError     **error);
/* For an early handler (soup_server_add_early_handler()): refuses MSG's
 * body once more than MAX_BYTES of it arrived (at once when its declared
 * length is larger), chunked or not, so that no more than that is ever
 * held. The client gets 413 with CONTENT_TYPE and BODY, and the connection
 * is closed. REFUSED (may be NULL) is called just before; DESTROY frees
 * USER_DATA with MSG. The engine does this itself on its path, with
 * maxPayload, and emits ::body-refused. */
typedef void (*SioEngineBodyRefused) (SoupServerMessage *msg,
                                      gpointer           user_data);
void             sio_engine_limit_request_body   (SoupServerMessage    *msg,
                                                  gsize                 max_bytes,
                                                  const char           *content_type,
                                                  const char           *body,
                                                  SioEngineBodyRefused  refused,
                                                  gpointer              user_data,
                                                  GDestroyNotify        destroy);
/* Closes every session ("server shutting down") and stops serving. */
void             sio_engine_close                (SioEngine   *self);
guint            sio_engine_get_ping_interval    (SioEngine   *self);
void             sio_engine_set_ping_interval    (SioEngine   *self,
                                                  guint        ms);
guint            sio_engine_get_ping_timeout     (SioEngine   *self);
void             sio_engine_set_ping_timeout     (SioEngine   *self,
                                                  guint        ms);
gsize            sio_engine_get_max_payload      (SioEngine   *self);
void             sio_engine_set_max_payload      (SioEngine   *self,
                                                  gsize        bytes);
/* What a session may have been sent and not yet taken, in bytes and in
 * frames (Engine.IO packets), on either transport: the polling queue, or
 * what waits for its WebSocket connection. As Redis's
 * client-output-buffer-limit: past HARD, or past SOFT for SOFT_SECONDS, the
 * session is closed ("slow consumer") and ::slow-consumer emitted; what it
 * had not taken is dropped, and the others are not held up. 0: no limit. */
typedef struct {
  gsize hard_bytes;
  guint hard_frames;
  gsize soft_bytes;
  guint soft_frames;
  guint soft_seconds;
} SioEngineSendLimits;

/* A few seconds of a busy room for a client on a slow link, and far more
 * than a reading client holds: the kernel's socket buffers come first. */
#define SIO_ENGINE_DEFAULT_SEND_HARD_BYTES   (16 * 1024 * 1024)
#define SIO_ENGINE_DEFAULT_SEND_HARD_FRAMES  65536
#define SIO_ENGINE_DEFAULT_SEND_SOFT_BYTES   (4 * 1024 * 1024)
#define SIO_ENGINE_DEFAULT_SEND_SOFT_FRAMES  16384
#define SIO_ENGINE_DEFAULT_SEND_SOFT_SECONDS 30

void             sio_engine_get_send_limits      (SioEngine                 *self,
                                                  SioEngineSendLimits       *limits);
/* Applies to what is sent from now on. */
void             sio_engine_set_send_limits      (SioEngine                 *self,
                                                  const SioEngineSendLimits *limits);
/* At most MAX open sessions per client address (0, the default: no limit);
 * a handshake beyond gets HTTP 429 and ::refused ("per_address", address). */
void             sio_engine_set_max_sessions_per_address (SioEngine *self,
                                                          guint      max);
guint            sio_engine_get_max_sessions_per_address (SioEngine *self);
/* Sessions (and WebSocket handshakes under way) that ADDRESS holds now. */
guint            sio_engine_get_n_sessions_from  (SioEngine   *self,
                                                  const char  *address);
guint            sio_engine_get_n_sockets        (SioEngine   *self);
/* WebSocket connections of the process (all engines) closed by the server
 * whose close handshake has not finished yet: after sio_engine_close(), a
 * program that waits until this is 0 has told every client. */
guint            sio_engine_get_n_closing_websockets (void);
SioEngineSocket *sio_engine_lookup               (SioEngine   *self,
                                                  const char  *sid);

const char      *sio_engine_socket_get_id        (SioEngineSocket *self);
/* "polling" or "websocket"; notifies when an upgrade completes. */
const char      *sio_engine_socket_get_transport (SioEngineSocket *self);
/* The handshake request's query parameter NAME, or NULL. */
const char      *sio_engine_socket_get_query     (SioEngineSocket *self,
                                                  const char      *name);
/* The peer's address as text, or NULL when unknown. */
const char      *sio_engine_socket_get_remote_address (SioEngineSocket *self);
gboolean         sio_engine_socket_is_open       (SioEngineSocket *self);
/* A MESSAGE packet; text must be valid UTF-8 of LEN bytes (-1 = NUL-terminated). */
void             sio_engine_socket_send_text     (SioEngineSocket *self,
                                                  const char      *text,
                                                  gssize           len);
void             sio_engine_socket_send_binary   (SioEngineSocket *self,
                                                  GBytes          *data);
/* A MESSAGE of TEXT encoded once as a WebSocket frame's payload, for
 * sio_engine_socket_send_text_frame() to many sockets (a broadcast). */
GBytes          *sio_engine_text_frame_new       (const char      *text);
/* As sio_engine_socket_send_text() with the TEXT of FRAME (transfer none). */
void             sio_engine_socket_send_text_frame (SioEngineSocket *self,
                                                    GBytes          *frame);
/* What SioServer needs of every session, as direct calls: the same as
 * handlers of ::message and ::closed (and run before them), without the few
 * hundred bytes that two signal handlers cost each session. */
typedef struct {
  void (*message) (SioEngineSocket *socket,
                   gboolean         binary,
                   GBytes          *data,
                   gpointer         user_data);
  void (*closed)  (SioEngineSocket *socket,
                   const char      *reason,
                   gpointer         user_data);
} SioEngineSocketFuncs;

/* FUNCS is kept, not copied (a static table); NULL takes them away. */
void             sio_engine_socket_set_funcs     (SioEngineSocket            *self,
                                                  const SioEngineSocketFuncs *funcs,
                                                  gpointer                    user_data);
/* Sends CLOSE and ends the session; ::closed follows with REASON. */
void             sio_engine_socket_close         (SioEngineSocket *self,
                                                  const char      *reason);

G_END_DECLS
