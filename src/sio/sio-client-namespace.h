/* sio-client-namespace.h: one Socket.IO namespace on a SioClient's connection
 * (socket.io-client's Socket): emits, acks both ways, the offline buffer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "sio-types.h"

G_BEGIN_DECLS

#define SIO_TYPE_CLIENT_NAMESPACE (sio_client_namespace_get_type ())

G_DECLARE_FINAL_TYPE (SioClientNamespace, sio_client_namespace, SIO, CLIENT_NAMESPACE, GObject)

const char *sio_client_namespace_get_name      (SioClientNamespace *self);
gboolean    sio_client_namespace_get_connected (SioClientNamespace *self);
/* TRUE when the last CONNECT restored the previous session (missed
 * broadcasts follow). */
gboolean    sio_client_namespace_get_recovered (SioClientNamespace *self);
/* The server's socket id, NULL while not connected. */
const char *sio_client_namespace_get_id        (SioClientNamespace *self);
/* Events waiting in the offline buffer. */
guint       sio_client_namespace_get_buffered  (SioClientNamespace *self);

/* Sends the event now, or buffers it until this namespace is connected
 * (sent once, in order). ARGS and ATTACHMENTS may be NULL; transfer none.
 * Fails when the offline buffer is full or the packet exceeds the server's
 * maxPayload. A volatile emit is dropped (TRUE, no error) while not connected. */
gboolean    sio_client_namespace_emit                 (SioClientNamespace  *self,
                                                       const char          *event,
                                                       JsonArray           *args,
                                                       GPtrArray           *attachments,
                                                       SioEmitFlags         flags,
                                                       GError             **error);
/* Like emit, and completes with the server's ack arguments. TIMEOUT_MS counts
 * from this call (0 = none) and fails with G_IO_ERROR_TIMED_OUT; a
 * disconnect after sending fails with SIO_CLIENT_ERROR_DISCONNECTED. */
void        sio_client_namespace_emit_with_ack_async  (SioClientNamespace  *self,
                                                       const char          *event,
                                                       JsonArray           *args,
                                                       GPtrArray           *attachments,
                                                       guint                timeout_ms,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
/* ATTACHMENTS (optional out) receives the ack's binary attachments. */
JsonArray  *sio_client_namespace_emit_with_ack_finish (SioClientNamespace  *self,
                                                       GAsyncResult        *result,
                                                       GPtrArray          **attachments,
                                                       GError             **error);
/* Leaves this namespace (the connection closes when none is left). */
void        sio_client_namespace_disconnect           (SioClientNamespace  *self);

/* The answer to an event the server sent with an ack id. */
#define SIO_TYPE_CLIENT_ACK (sio_client_ack_get_type ())
GType         sio_client_ack_get_type (void) G_GNUC_CONST;
SioClientAck *sio_client_ack_ref      (SioClientAck *ack);
void          sio_client_ack_unref    (SioClientAck *ack);
/* Sends the ack once; ARGS/ATTACHMENTS may be NULL. Fails if already sent or
 * the connection that carried the event is gone. */
gboolean      sio_client_ack_send     (SioClientAck *ack,
                                       JsonArray    *args,
                                       GPtrArray    *attachments,
                                       GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SioClientAck, sio_client_ack_unref)

G_END_DECLS
