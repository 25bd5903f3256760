/* sio-client.h: a Socket.IO v5 client over Engine.IO v4 WebSocket, with
 * namespaces, acks, binary attachments, reconnection with back-off, an
 * offline buffer and connection state recovery.
 *
 * One SioClient is one Engine.IO connection (socket.io-client's Manager);
 * each namespace on it is a SioClientNamespace (socket.io-client's Socket).
 * The client's own namespace (the URL's path, "/" by default) exists from
 * the start; sio_client_emit() and friends talk to it.
 *
 *   static void
 *   on_message (SioClient *client, const char *nsp, const char *event,
 *               JsonArray *args, GPtrArray *attachments, SioClientAck *ack,
 *               gpointer user_data)
 *   {
 *     g_print ("%s: %s\n", event, json_array_get_string_element (args, 0));
 *     if (ack != NULL)
 *       sio_client_ack_send (ack, NULL, NULL, NULL);
 *   }
 *
 *   static JsonNode *
 *   get_auth (SioClient *client, const char *nsp, gpointer user_data)
 *   {
 *     g_autoptr(JsonBuilder) builder = json_builder_new ();
 *
 *     json_builder_begin_object (builder);
 *     json_builder_set_member_name (builder, "token");
 *     json_builder_add_string_value (builder, current_token ());  // fresh on every reconnect
 *     json_builder_end_object (builder);
 *     return json_builder_get_root (builder);
 *   }
 *
 *   g_autoptr(SioClient) client = sio_client_new ("https://example.org", "/socket");
 *   g_autoptr(JsonArray) args = json_array_new ();
 *
 *   sio_client_set_auth_func (client, get_auth, NULL, NULL);
 *   g_signal_connect (client, "event::message", G_CALLBACK (on_message), NULL);
 *   sio_client_connect (client);
 *   json_array_add_string_element (args, "xin chào");
 *   // buffered until connected, then sent once
 *   sio_client_emit (client, "message", args, NULL, SIO_EMIT_NONE, &error);
 *
 * Signals (NSP is the namespace, e.g. "/"):
 *   connect (NSP)                      the namespace is connected (again)
 *   disconnect (NSP, SioDisconnectReason, reason string)
 *                                      "io server disconnect" and "io client disconnect"
 *                                      do not reconnect; the others do, when enabled
 *   connect-error (NSP, message, JsonNode data or NULL)
 *                                      a middleware refusal (data from the server) or
 *                                      a failed connection attempt (data NULL)
 *   event::NAME (NSP, NAME, JsonArray args, GPtrArray attachments, SioClientAck ack or NULL)
 *   reconnect-attempt (n), reconnect (n), reconnect-error (GError), reconnect-failed
 *
 * Properties: connect-timeout (ms, 20000), reconnection (TRUE),
 * reconnection-delay (1000), reconnection-delay-max (5000),
 * randomization-factor (0.5), reconnection-attempts (G_MAXUINT = forever),
 * offline-buffer-size (1000 events per namespace), state (SioClientState),
 * reconnect-in (read-only: ms until the scheduled attempt, set with state
 * RECONNECTING, 0 otherwise).
 *
 * The client runs on the thread-default main context of the thread that
 * uses it (timers, I/O and GTask callbacks); use it from one thread.
 * TLS certificates are verified and the system proxy settings apply.
 *
 * Binary arguments: put sio_client_add_attachment()'s placeholder in the
 * args and pass the same attachments array; received args keep their
 * placeholders, sio_client_get_attachment() turns one back into bytes.
 *
 * Connection state recovery: when the server has it on, it appends an
 * offset string to broadcast events (no ack id). The client keeps the last
 * one and removes it from the args it hands over, so a server that has
 * recovery on must not emit plain events whose last argument is a string
 * straight to one socket (socket.emit) — the client cannot tell it from an
 * offset; use io.to(socket.id).emit or a non-string last argument.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "sio-types.h"
#include "sio-enums.h"
#include "sio-client-namespace.h"

G_BEGIN_DECLS

#define SIO_TYPE_CLIENT (sio_client_get_type ())

G_DECLARE_FINAL_TYPE (SioClient, sio_client, SIO, CLIENT, GObject)

/* Returns the auth payload (a JSON object, transfer full) for a CONNECT of NSP,
 * or NULL for none. Called on every connect and reconnect. */
typedef JsonNode *(*SioClientAuthFunc) (SioClient  *client,
                                        const char *nsp,
                                        gpointer    user_data);

/* URL: http, https, ws or wss; its path, if any, names the client's namespace.
 * PATH: the server's Engine.IO path, NULL for "/socket". */
SioClient          *sio_client_new                   (const char        *url,
                                                      const char        *path);
const char         *sio_client_get_url               (SioClient         *self);
SioClientState      sio_client_get_state             (SioClient         *self);

/* Settings read on the next (re)connect. */
void                sio_client_set_query_param       (SioClient         *self,
                                                      const char        *name,
                                                      const char        *value);
void                sio_client_set_header            (SioClient         *self,
                                                      const char        *name,
                                                      const char        *value);
void                sio_client_set_auth_func         (SioClient         *self,
                                                      SioClientAuthFunc  func,
                                                      gpointer           user_data,
                                                      GDestroyNotify     destroy);

/* Opens the connection (if needed) and connects the client's namespace. */
void                sio_client_connect               (SioClient         *self);
/* Disconnects every namespace and closes the connection; no reconnect. */
void                sio_client_disconnect            (SioClient         *self);

/* The namespace handle for NSP (created on first use; owned by the client,
 * valid while it lives), connected now or as soon as the connection opens. */
SioClientNamespace *sio_client_connect_namespace     (SioClient         *self,
                                                      const char        *nsp);
/* The client's own namespace. */
SioClientNamespace *sio_client_get_namespace         (SioClient         *self);

/* Shorthands for the client's own namespace; see sio-client-namespace.h. */
gboolean            sio_client_emit                  (SioClient         *self,
                                                      const char        *event,
                                                      JsonArray         *args,
                                                      GPtrArray         *attachments,
                                                      SioEmitFlags       flags,
                                                      GError           **error);
void                sio_client_emit_with_ack_async   (SioClient         *self,
                                                      const char        *event,
                                                      JsonArray         *args,
                                                      GPtrArray         *attachments,
                                                      guint              timeout_ms,
                                                      GCancellable      *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer           user_data);
JsonArray          *sio_client_emit_with_ack_finish  (SioClient         *self,
                                                      GAsyncResult      *result,
                                                      GPtrArray        **attachments,
                                                      GError           **error);

/* Binary arguments: appends BYTES to ATTACHMENTS (a GPtrArray of GBytes,
 * g_ptr_array_new_with_free_func (g_bytes_unref)) and returns the placeholder
 * node to put in the args (transfer full). */
JsonNode           *sio_client_add_attachment        (GPtrArray         *attachments,
                                                      GBytes            *bytes);
/* The bytes a received placeholder NODE stands for, or NULL if it is not one. */
GBytes             *sio_client_get_attachment        (GPtrArray         *attachments,
                                                      JsonNode          *node);

/* socket.io-client's back-off: MIN·2^ATTEMPT, ± a random part of it of up to
 * JITTER (0–1), capped at MAX; the exponent is clamped so it never wraps. */
guint               sio_client_backoff_delay         (guint              min_ms,
                                                      guint              max_ms,
                                                      double             jitter,
                                                      guint              attempt,
                                                      double             random);

G_END_DECLS
