/* sio-types.h: the Socket.IO layer's shared types and enums.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SioClient          SioClient;
typedef struct _SioClientNamespace SioClientNamespace;
typedef struct _SioClientAck       SioClientAck;

/* Why a namespace connection ended; the strings are socket.io-client's, so
 * logs and UIs can show the same words users find in its documentation. */
typedef enum {
  SIO_DISCONNECT_IO_SERVER_DISCONNECT, /* the server disconnected this namespace; no reconnect */
  SIO_DISCONNECT_IO_CLIENT_DISCONNECT, /* we called disconnect; no reconnect */
  SIO_DISCONNECT_PING_TIMEOUT,         /* no ping within pingInterval + pingTimeout */
  SIO_DISCONNECT_TRANSPORT_CLOSE,      /* the WebSocket was closed (server gone, network down) */
  SIO_DISCONNECT_TRANSPORT_ERROR,      /* the WebSocket failed */
  SIO_DISCONNECT_PARSE_ERROR,          /* the server sent something that is not Socket.IO */
} SioDisconnectReason;

const char *sio_disconnect_reason_to_string (SioDisconnectReason reason);

typedef enum {
  SIO_CLIENT_STATE_CLOSED,       /* not connected and not trying */
  SIO_CLIENT_STATE_OPENING,      /* WebSocket and Engine.IO handshake under way */
  SIO_CLIENT_STATE_OPEN,         /* Engine.IO session open */
  SIO_CLIENT_STATE_RECONNECTING, /* waiting for the next attempt */
} SioClientState;

typedef enum /*< flags >*/ {
  SIO_EMIT_NONE     = 0,
  SIO_EMIT_VOLATILE = 1 << 0, /* dropped instead of buffered while not connected */
} SioEmitFlags;

#define SIO_CLIENT_ERROR (sio_client_error_quark ())
GQuark sio_client_error_quark (void);

typedef enum {
  SIO_CLIENT_ERROR_BUFFER_FULL,       /* the offline buffer holds its maximum */
  SIO_CLIENT_ERROR_PAYLOAD_TOO_LARGE, /* the packet exceeds the server's maxPayload */
  SIO_CLIENT_ERROR_NOT_SOCKET_IO,     /* the server does not speak Engine.IO v4 / Socket.IO v5 */
  SIO_CLIENT_ERROR_REFUSED,           /* the server refused the handshake (wrong version, path, …) */
  SIO_CLIENT_ERROR_CONNECT_ERROR,     /* the namespace refused us (middleware) */
  SIO_CLIENT_ERROR_DISCONNECTED,      /* the connection ended first */
  SIO_CLIENT_ERROR_ALREADY_SENT,      /* an ack answered twice */
} SioClientError;

G_END_DECLS
