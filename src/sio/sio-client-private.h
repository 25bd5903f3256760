/* sio-client-private.h: what SioClient and SioClientNamespace share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sio-client.h"
#include "sio-codec.h"

G_BEGIN_DECLS

struct _SioClientNamespace {
  GObject     parent_instance;

  SioClient  *client;       /* not owned: the client owns us and clears this */
  char       *name;
  char       *sid;
  char       *pid;          /* connection state recovery: private session id */
  char       *offset;       /* ... and the last broadcast's offset */
  guint       session;      /* the client's connection counter when we connected */
  gint64      next_ack_id;
  GQueue      buffer;       /* of SioClientOutgoing, while not connected */
  GQueue      incoming;     /* of SioPacket: events that came before our CONNECT reply */
  GHashTable *acks;         /* ack id (gint64*) → GTask */
  guint       active : 1;   /* wants to be connected (reconnects) */
  guint       connecting : 1;
  guint       connected : 1;
  guint       recovered : 1;
};

/* SioClient side, for the namespace. */
gboolean  _sio_client_is_open          (SioClient          *client);
guint     _sio_client_get_session      (SioClient          *client);
gsize     _sio_client_get_max_payload  (SioClient          *client);   /* 0 before the first handshake */
guint     _sio_client_get_buffer_limit (SioClient          *client);
void      _sio_client_send             (SioClient          *client,
                                        const char         *header,
                                        GPtrArray          *attachments);
void      _sio_client_open_namespace   (SioClient          *client,
                                        SioClientNamespace *ns);
void      _sio_client_leave_namespace  (SioClient          *client,
                                        SioClientNamespace *ns);

/* SioClientNamespace side, for the client. */
SioClientNamespace *_sio_client_namespace_new          (SioClient          *client,
                                                        const char         *name);
/* The CONNECT payload: auth merged with {pid, offset}; transfer full. */
JsonNode           *_sio_client_namespace_connect_data (SioClientNamespace *ns,
                                                        JsonNode           *auth);
void                _sio_client_namespace_on_connect   (SioClientNamespace *ns,
                                                        JsonNode           *data);
void                _sio_client_namespace_on_closed    (SioClientNamespace *ns);
void                _sio_client_namespace_on_ack       (SioClientNamespace *ns,
                                                        SioPacket          *packet);
/* Strips and records a recovery offset; ARGS is the event's args. */
void                _sio_client_namespace_take_offset  (SioClientNamespace *ns,
                                                        SioPacket          *packet,
                                                        JsonArray          *args);
SioClientAck       *_sio_client_ack_new                (SioClientNamespace *ns,
                                                        gint64              id);
/* Fails every pending ack and drops the buffer: the client is going away. */
void                _sio_client_namespace_shutdown     (SioClientNamespace *ns);

G_END_DECLS
