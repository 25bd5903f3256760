/* sio-server.h: the Socket.IO v5 server: namespaces, sockets, rooms, acks, broadcast.
 *
 * Binary values travel as the codec has them: an argument array holds
 * placeholders {"_placeholder":true,"num":N} and a GPtrArray of GBytes holds
 * attachment N. Every `attachments` parameter may be NULL when there are none.
 *
 * Signals:
 *   SioServerNamespace::connecting (socket)  before CONNECT is answered; a handler
 *       may call sio_server_socket_refuse() to answer CONNECT_ERROR instead.
 *   SioServerNamespace::connection (socket)  after CONNECT went out.
 *   SioServerSocket::event (name, args, attachments, ack)  detailed by the event
 *       name ("event::sendMessage"); ACK is NULL when the client asked for none.
 *   SioServer::connection-refused (reason, address)  a new connection was
 *       turned away before its handshake: "per_address" when ADDRESS already
 *       holds as many as sio_server_set_max_connections_per_address() allows.
 *   SioServerSocket::disconnect (reason)     "client namespace disconnect",
 *       "server namespace disconnect", "transport close", "ping timeout",
 *       "parse error", "transport error", "forced server close", "server shutting down",
 *       "slow consumer" (past the engine's send limits: SioEngineSendLimits).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "sio-codec.h"
#include "sio-engine.h"
#include "sio-server-adapter.h"

G_BEGIN_DECLS

#define SIO_TYPE_SERVER (sio_server_get_type ())
G_DECLARE_FINAL_TYPE (SioServer, sio_server, SIO, SERVER, GObject)

#define SIO_TYPE_SERVER_NAMESPACE (sio_server_namespace_get_type ())
G_DECLARE_FINAL_TYPE (SioServerNamespace, sio_server_namespace, SIO, SERVER_NAMESPACE, GObject)

#define SIO_TYPE_SERVER_SOCKET (sio_server_socket_get_type ())
G_DECLARE_FINAL_TYPE (SioServerSocket, sio_server_socket, SIO, SERVER_SOCKET, GObject)

/* The answer owed to a client's event that asked for an acknowledgement. */
typedef struct _SioServerAck SioServerAck;
#define SIO_TYPE_SERVER_ACK (sio_server_ack_get_type ())
GType sio_server_ack_get_type (void) G_GNUC_CONST;

#define SIO_SERVER_DEFAULT_CONNECT_TIMEOUT 45000

typedef SioServerAdapter *(*SioServerAdapterFactory) (SioServerNamespace *nsp,
                                                      gpointer            user_data);

SioServer          *sio_server_new                     (void);
/* Ping interval/timeout, maxPayload and the send limits are set on the
 * engine, before attaching; its ::body-refused and ::slow-consumer count refusals. */
SioEngine          *sio_server_get_engine              (SioServer          *self);
void                sio_server_set_connect_timeout     (SioServer          *self,
                                                        guint               ms);
/* At most MAX concurrent connections (Engine.IO sessions) per client
 * address; 0, the default, sets no limit. */
void                sio_server_set_max_connections_per_address (SioServer *self,
                                                                guint      max);
/* Serves Socket.IO at PATH ("/socket.io/") of SERVER. */
void                sio_server_attach                  (SioServer          *self,
                                                        SoupServer         *server,
                                                        const char         *path);
/* Used for namespaces created afterwards; the default is the in-memory adapter. */
void                sio_server_set_adapter_factory     (SioServer          *self,
                                                        SioServerAdapterFactory factory,
                                                        gpointer            user_data,
                                                        GDestroyNotify      destroy);
/* The namespace NAME ("/", "/custom"), created on first use (transfer none). */
SioServerNamespace *sio_server_of                      (SioServer          *self,
                                                        const char         *name);
/* Disconnects every socket and closes every session. */
void                sio_server_close                   (SioServer          *self);
/* How many Socket.IO packets were handed to sessions so far (a broadcast
 * counts once per recipient), for an operator's delivery counter. */
guint64             sio_server_get_n_deliveries        (SioServer          *self);

const char         *sio_server_namespace_get_name      (SioServerNamespace *self);
SioServerAdapter   *sio_server_namespace_get_adapter   (SioServerNamespace *self);
guint               sio_server_namespace_get_n_sockets (SioServerNamespace *self);
/* A socket of this process by its id, or NULL (transfer none). */
SioServerSocket    *sio_server_namespace_lookup        (SioServerNamespace *self,
                                                        const char         *sid);
/* To every socket of the namespace. */
void                sio_server_namespace_emit          (SioServerNamespace *self,
                                                        const char         *event,
                                                        JsonArray          *args,
                                                        GPtrArray          *attachments);
void                sio_server_namespace_emit_to       (SioServerNamespace *self,
                                                        const char         *room,
                                                        const char         *event,
                                                        JsonArray          *args,
                                                        GPtrArray          *attachments);
/* To the sockets in any of ROOMS (NULL: all) that are in none of EXCEPT (NULL: none). */
void                sio_server_namespace_broadcast     (SioServerNamespace *self,
                                                        const char * const *rooms,
                                                        const char * const *except,
                                                        const char         *event,
                                                        JsonArray          *args,
                                                        GPtrArray          *attachments);

const char         *sio_server_socket_get_id           (SioServerSocket    *self);
SioServerNamespace *sio_server_socket_get_namespace    (SioServerSocket    *self);
/* The CONNECT packet's auth object ({} when the client sent none). */
JsonObject         *sio_server_socket_get_auth         (SioServerSocket    *self);
/* The Engine.IO session below (transport, headers, address); NULL once disconnected. */
SioEngineSocket    *sio_server_socket_get_connection   (SioServerSocket    *self);
gboolean            sio_server_socket_is_connected     (SioServerSocket    *self);
/* Only from a SioServerNamespace::connecting handler: answer CONNECT_ERROR
 * {"message": MESSAGE, "data": DATA} instead of connecting. DATA: transfer none, may be NULL. */
void                sio_server_socket_refuse           (SioServerSocket    *self,
                                                        const char         *message,
                                                        JsonNode           *data);
void                sio_server_socket_join             (SioServerSocket    *self,
                                                        const char         *room);
void                sio_server_socket_leave            (SioServerSocket    *self,
                                                        const char         *room);
gboolean            sio_server_socket_in_room          (SioServerSocket    *self,
                                                        const char         *room);
void                sio_server_socket_emit             (SioServerSocket    *self,
                                                        const char         *event,
                                                        JsonArray          *args,
                                                        GPtrArray          *attachments);
/* To everyone in ROOM (NULL: the whole namespace) but this socket. */
void                sio_server_socket_broadcast        (SioServerSocket    *self,
                                                        const char         *room,
                                                        const char         *event,
                                                        JsonArray          *args,
                                                        GPtrArray          *attachments);
/* Emits with an ack id; completes with the client's ack arguments, or
 * G_IO_ERROR_TIMED_OUT after TIMEOUT_MS (0: never), or G_IO_ERROR_CLOSED when
 * the socket disconnects first. */
void                sio_server_socket_emit_with_ack_async  (SioServerSocket    *self,
                                                            const char         *event,
                                                            JsonArray          *args,
                                                            GPtrArray          *attachments,
                                                            guint               timeout_ms,
                                                            GCancellable       *cancellable,
                                                            GAsyncReadyCallback callback,
                                                            gpointer            user_data);
/* Returns the ack's arguments; *ATTACHMENTS (optional) gets its binary parts. */
JsonArray          *sio_server_socket_emit_with_ack_finish (SioServerSocket    *self,
                                                            GAsyncResult       *result,
                                                            GPtrArray         **attachments,
                                                            GError            **error);
/* Sends DISCONNECT for this namespace; CLOSE_CONNECTION also ends the Engine.IO session. */
void                sio_server_socket_disconnect       (SioServerSocket    *self,
                                                        gboolean            close_connection);
/* For adapters: an already encoded packet (the header frame and its attachments). */
void                sio_server_socket_send_encoded     (SioServerSocket    *self,
                                                        const char         *header,
                                                        GPtrArray          *attachments);
/* The same with the header as from sio_engine_text_frame_new(), so that a
 * broadcast encodes its Engine.IO frame once for all its recipients. */
void                sio_server_socket_send_frame       (SioServerSocket    *self,
                                                        GBytes             *frame,
                                                        GPtrArray          *attachments);

SioServerAck       *sio_server_ack_ref                 (SioServerAck       *ack);
void                sio_server_ack_unref               (SioServerAck       *ack);
/* Answers the ack once; later calls are ignored. ARGS: transfer none, may be NULL. */
void                sio_server_ack_send                (SioServerAck       *ack,
                                                        JsonArray          *args,
                                                        GPtrArray          *attachments);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SioServerAck, sio_server_ack_unref)

G_END_DECLS
