/* sio-server.c: the server, its namespaces and their sockets, one unit because
 * each of them only makes sense through the other two.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sio-server.h"

#include <string.h>
#include <sys/random.h>

#include "sio-deadlines.h"

/* One Engine.IO session and the namespaces it joined. Reference-counted
 * because a packet handler may close the session under our feet. */
typedef struct {
  SioServer       *server;      /* unowned: the server frees its clients first */
  SioEngineSocket *conn;
  SioDecoder      *decoder;
  GHashTable      *sockets;     /* nsp name → SioServerSocket (owned) */
  guint            connect_source;
  gboolean         closed;
} ServerClient;

struct _SioServer {
  GObject                 parent_instance;

  SioEngine              *engine;
  GHashTable             *namespaces;   /* name → SioServerNamespace (owned) */
  GHashTable             *clients;      /* SioEngineSocket → ServerClient (a reference) */
  guint                   connect_timeout;
  SioServerAdapterFactory adapter_factory;
  gpointer                adapter_data;
  GDestroyNotify          adapter_destroy;
  guint64                 n_deliveries;  /* packets handed to sessions, for /metrics */
};

struct _SioServerNamespace {
  GObject           parent_instance;

  SioServer        *server;     /* unowned: the server owns its namespaces */
  char             *name;
  GHashTable       *sockets;    /* id → SioServerSocket (owned) */
  SioServerAdapter *adapter;
};

typedef struct {
  GTask   *task;
  guint    timeout_source;
  GSource *cancel_source;
} PendingAck;

struct _SioServerSocket {
  GObject             parent_instance;

  SioServerNamespace *nsp;      /* owned: a socket kept by the user keeps its namespace */
  ServerClient       *client;   /* NULL once disconnected */
  char               *id;
  JsonObject         *auth;
  gboolean            connected;
  gboolean            connecting;
  gboolean            refused;
  char               *refuse_message;
  JsonNode           *refuse_data;
  gint64              next_ack_id;
  GHashTable         *acks;     /* ack id → PendingAck; NULL until the first, as most sockets never wait for one */
};

struct _SioServerAck {
  GWeakRef socket;
  gint64   id;
  gboolean sent;
};

typedef struct {
  JsonArray *args;
  GPtrArray *attachments;
} AckResult;

G_DEFINE_FINAL_TYPE (SioServer, sio_server, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (SioServerNamespace, sio_server_namespace, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (SioServerSocket, sio_server_socket, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (SioServerAck, sio_server_ack, sio_server_ack_ref, sio_server_ack_unref)

enum {
  NSP_CONNECTING,
  NSP_CONNECTION,
  N_NSP_SIGNALS
};
static guint nsp_signals[N_NSP_SIGNALS];

enum {
  SERVER_CONNECTION_REFUSED,
  N_SERVER_SIGNALS
};
static guint server_signals[N_SERVER_SIGNALS];

enum {
  SOCKET_EVENT,
  SOCKET_DISCONNECT,
  N_SOCKET_SIGNALS
};
static guint socket_signals[N_SOCKET_SIGNALS];

static void socket_disconnect_internal (SioServerSocket *self,
                                        const char      *reason,
                                        gboolean         send_packet);

static char *
generate_id (void)
{
  guint8 raw[15];
  char *id;

  if (getrandom (raw, sizeof raw, 0) != sizeof raw)
    for (gsize i = 0; i < sizeof raw; i++)
      raw[i] = g_random_int_range (0, 256);
  id = g_base64_encode (raw, sizeof raw);
  for (char *p = id; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
    }
  return id;
}

static void
add_attachments (SioPacket *packet,
                 GPtrArray *attachments)
{
  if (attachments == NULL)
    return;
  for (guint i = 0; i < attachments->len; i++)
    g_ptr_array_add (packet->attachments, g_bytes_ref (g_ptr_array_index (attachments, i)));
}

static void
ack_result_free (gpointer data)
{
  AckResult *result = data;

  g_clear_pointer (&result->args, json_array_unref);
  g_clear_pointer (&result->attachments, g_ptr_array_unref);
  g_free (result);
}

static void
client_clear (gpointer data)
{
  ServerClient *client = data;

  g_clear_handle_id (&client->connect_source, sio_deadline_remove);
  sio_engine_socket_set_funcs (client->conn, NULL, NULL);
  g_clear_object (&client->conn);
  g_clear_pointer (&client->decoder, sio_decoder_free);
  g_clear_pointer (&client->sockets, g_hash_table_unref);
}

static void
client_unref (ServerClient *client)
{
  g_rc_box_release_full (client, client_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ServerClient, client_unref)

static void
client_send_packet (ServerClient    *client,
                    const SioPacket *packet)
{
  g_autofree char *header = NULL;

  if (client->closed)
    return;
  header = sio_packet_encode (packet);
  if (client->server != NULL)
    client->server->n_deliveries++;
  sio_engine_socket_send_text (client->conn, header, -1);
  for (guint i = 0; i < packet->attachments->len; i++)
    sio_engine_socket_send_binary (client->conn, g_ptr_array_index (packet->attachments, i));
}

static void
client_close (ServerClient *client,
              const char   *reason)
{
  if (client->closed)
    return;
  sio_engine_socket_close (client->conn, reason);
}

static void
client_send_connect_error (ServerClient *client,
                           const char   *nsp,
                           const char   *message,
                           JsonNode     *data)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(SioPacket) packet = NULL;

  json_object_set_string_member (object, "message", message);
  if (data != NULL)
    json_object_set_member (object, "data", json_node_copy (data));
  packet = sio_packet_new (SIO_PACKET_CONNECT_ERROR, nsp, json_node_init_object (json_node_alloc (), object));
  client_send_packet (client, packet);
}

static void
client_on_connect (ServerClient *client,
                   SioPacket    *packet)
{
  SioServer *server = client->server;
  SioServerNamespace *nsp = g_hash_table_lookup (server->namespaces, packet->nsp);
  g_autoptr(SioServerSocket) socket = NULL;
  g_autoptr(SioPacket) reply = NULL;
  g_autoptr(JsonObject) handshake = NULL;

  if (nsp == NULL)
    {
      client_send_connect_error (client, packet->nsp, "Invalid namespace", NULL);
      return;
    }
  if (g_hash_table_contains (client->sockets, packet->nsp))
    return;

  socket = g_object_new (SIO_TYPE_SERVER_SOCKET, NULL);
  socket->nsp = g_object_ref (nsp);
  socket->client = client;
  socket->id = generate_id ();
  if (packet->data != NULL && JSON_NODE_HOLDS_OBJECT (packet->data))
    socket->auth = json_object_ref (json_node_get_object (packet->data));
  else
    socket->auth = json_object_new ();

  socket->connecting = TRUE;
  g_signal_emit (nsp, nsp_signals[NSP_CONNECTING], 0, socket);
  socket->connecting = FALSE;
  if (client->closed)
    return;
  if (socket->refused)
    {
      client_send_connect_error (client, packet->nsp, socket->refuse_message, socket->refuse_data);
      socket->client = NULL;
      return;
    }

  g_clear_handle_id (&client->connect_source, sio_deadline_remove);
  socket->connected = TRUE;
  g_hash_table_insert (client->sockets, g_strdup (nsp->name), g_object_ref (socket));
  g_hash_table_insert (nsp->sockets, socket->id, g_object_ref (socket));
  sio_server_adapter_add (nsp->adapter, socket->id, socket->id);

  handshake = json_object_new ();
  json_object_set_string_member (handshake, "sid", socket->id);
  reply = sio_packet_new (SIO_PACKET_CONNECT, nsp->name,
                          json_node_init_object (json_node_alloc (), handshake));
  client_send_packet (client, reply);

  g_signal_emit (nsp, nsp_signals[NSP_CONNECTION], 0, socket);
}

static void
socket_on_event (SioServerSocket *self,
                 SioPacket       *packet)
{
  const char *event = sio_packet_get_event (packet);
  g_autoptr(JsonArray) args = NULL;
  g_autoptr(SioServerAck) ack = NULL;
  GQuark detail;

  if (event == NULL)
    return;
  args = sio_packet_dup_args (packet);
  if (packet->id != SIO_PACKET_NO_ID)
    {
      ack = g_rc_box_new0 (SioServerAck);
      g_weak_ref_init (&ack->socket, self);
      ack->id = packet->id;
    }
  /* try_string: a name nobody connected to cannot have a handler, and client
   * supplied names must not grow the quark table forever */
  detail = g_quark_try_string (event);
  g_signal_emit (self, socket_signals[SOCKET_EVENT], detail, event, args, packet->attachments, ack);
}

static void
socket_on_ack (SioServerSocket *self,
               SioPacket       *packet)
{
  PendingAck *pending;
  AckResult *result;
  GTask *task;

  pending = self->acks != NULL ? g_hash_table_lookup (self->acks, &packet->id) : NULL;
  if (pending == NULL)
    return;
  task = g_steal_pointer (&pending->task);
  g_hash_table_remove (self->acks, &packet->id);

  result = g_new0 (AckResult, 1);
  result->args = sio_packet_dup_args (packet);
  if (result->args == NULL)
    result->args = json_array_new ();
  result->attachments = g_ptr_array_ref (packet->attachments);
  g_task_return_pointer (task, result, ack_result_free);
  g_object_unref (task);
}

static void
client_on_packet (ServerClient *client,
                  SioPacket    *packet)
{
  SioServerSocket *socket;

  if (packet->type == SIO_PACKET_CONNECT)
    {
      client_on_connect (client, packet);
      return;
    }

  socket = g_hash_table_lookup (client->sockets, packet->nsp);
  switch (packet->type)
    {
    case SIO_PACKET_DISCONNECT:
      if (socket != NULL)
        socket_disconnect_internal (socket, "client namespace disconnect", FALSE);
      break;
    case SIO_PACKET_EVENT:
    case SIO_PACKET_BINARY_EVENT:
      if (socket != NULL)
        socket_on_event (socket, packet);
      break;
    case SIO_PACKET_ACK:
    case SIO_PACKET_BINARY_ACK:
      if (socket != NULL)
        socket_on_ack (socket, packet);
      break;
    case SIO_PACKET_CONNECT_ERROR:
    default:
      /* only a server sends these */
      client_close (client, "parse error");
      break;
    }
}

static void
on_conn_message (SioEngineSocket *conn,
                 gboolean         binary,
                 GBytes          *data,
                 gpointer         user_data)
{
  g_autoptr(ServerClient) client = g_rc_box_acquire ((ServerClient *) user_data);
  g_autoptr(SioPacket) packet = NULL;
  g_autoptr(GError) error = NULL;

  if (client->closed)
    return;
  if (!sio_decoder_add_frame (client->decoder, binary, data, &packet, &error))
    {
      g_debug ("socket.io %s: %s", sio_engine_socket_get_id (conn), error->message);
      client_close (client, "parse error");
      return;
    }
  if (packet != NULL)
    client_on_packet (client, packet);
}

static void
on_conn_closed (SioEngineSocket *conn,
                const char      *reason,
                gpointer         user_data)
{
  g_autoptr(ServerClient) client = g_rc_box_acquire ((ServerClient *) user_data);
  g_autoptr(GPtrArray) sockets = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  if (client->closed)
    return;
  client->closed = TRUE;
  g_clear_handle_id (&client->connect_source, sio_deadline_remove);

  g_hash_table_iter_init (&iter, client->sockets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (sockets, g_object_ref (value));
  for (guint i = 0; i < sockets->len; i++)
    socket_disconnect_internal (g_ptr_array_index (sockets, i), reason, FALSE);

  if (client->server != NULL)
    g_hash_table_remove (client->server->clients, conn);
}

static const SioEngineSocketFuncs conn_funcs = {
  .message = on_conn_message,
  .closed = on_conn_closed,
};

static gboolean
on_connect_timeout (gpointer user_data)
{
  ServerClient *client = user_data;

  client->connect_source = 0;
  if (g_hash_table_size (client->sockets) == 0)
    client_close (client, "connect timeout");
  return G_SOURCE_REMOVE;
}

static void
on_engine_connection (SioEngine       *engine,
                      SioEngineSocket *conn,
                      gpointer         user_data)
{
  SioServer *self = user_data;
  ServerClient *client = g_rc_box_new0 (ServerClient);

  client->server = self;
  client->conn = g_object_ref (conn);
  client->decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  client->sockets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  client->connect_source = sio_deadline_add (self->connect_timeout, on_connect_timeout, client);
  sio_engine_socket_set_funcs (conn, &conn_funcs, client);
  g_hash_table_insert (self->clients, conn, client);
}

SioServerAck *
sio_server_ack_ref (SioServerAck *ack)
{
  g_return_val_if_fail (ack != NULL, NULL);
  return g_rc_box_acquire (ack);
}

static void
ack_clear (gpointer data)
{
  SioServerAck *ack = data;

  g_weak_ref_clear (&ack->socket);
}

void
sio_server_ack_unref (SioServerAck *ack)
{
  g_return_if_fail (ack != NULL);
  g_rc_box_release_full (ack, ack_clear);
}

void
sio_server_ack_send (SioServerAck *ack,
                     JsonArray    *args,
                     GPtrArray    *attachments)
{
  g_autoptr(SioServerSocket) socket = NULL;
  g_autoptr(SioPacket) packet = NULL;
  JsonArray *copy;

  g_return_if_fail (ack != NULL);

  if (ack->sent)
    return;
  ack->sent = TRUE;
  socket = g_weak_ref_get (&ack->socket);
  if (socket == NULL || !socket->connected)
    return;

  copy = args ? json_array_ref (args) : json_array_new ();
  packet = sio_packet_new (SIO_PACKET_ACK, socket->nsp->name,
                           json_node_init_array (json_node_alloc (), copy));
  json_array_unref (copy);
  packet->id = ack->id;
  add_attachments (packet, attachments);
  client_send_packet (socket->client, packet);
}

static void
pending_ack_free (gpointer data)
{
  PendingAck *pending = data;

  g_clear_handle_id (&pending->timeout_source, sio_deadline_remove);
  if (pending->cancel_source != NULL)
    {
      g_source_destroy (pending->cancel_source);
      g_clear_pointer (&pending->cancel_source, g_source_unref);
    }
  if (pending->task != NULL)
    {
      g_task_return_new_error (pending->task, G_IO_ERROR, G_IO_ERROR_CLOSED,
                               "The socket disconnected before it acknowledged");
      g_clear_object (&pending->task);
    }
  g_free (pending);
}

static void
socket_disconnect_internal (SioServerSocket *self,
                            const char      *reason,
                            gboolean         send_packet)
{
  g_autoptr(SioServerSocket) hold = NULL;
  ServerClient *client = self->client;

  if (!self->connected)
    return;
  hold = g_object_ref (self);
  self->connected = FALSE;

  if (send_packet && client != NULL)
    {
      g_autoptr(SioPacket) packet = sio_packet_new (SIO_PACKET_DISCONNECT, self->nsp->name, NULL);

      client_send_packet (client, packet);
    }

  sio_server_adapter_remove_all (self->nsp->adapter, self->id);
  g_hash_table_remove (self->nsp->sockets, self->id);
  self->client = NULL;
  if (client != NULL && client->sockets != NULL)
    g_hash_table_remove (client->sockets, self->nsp->name);
  /* fails whatever still waits for an ack */
  if (self->acks != NULL)
    g_hash_table_remove_all (self->acks);

  g_signal_emit (self, socket_signals[SOCKET_DISCONNECT], 0, reason);
}

static void
sio_server_socket_dispose (GObject *object)
{
  SioServerSocket *self = SIO_SERVER_SOCKET (object);

  if (self->acks != NULL)
    g_hash_table_remove_all (self->acks);

  G_OBJECT_CLASS (sio_server_socket_parent_class)->dispose (object);
}

static void
sio_server_socket_finalize (GObject *object)
{
  SioServerSocket *self = SIO_SERVER_SOCKET (object);

  g_clear_pointer (&self->acks, g_hash_table_unref);
  g_clear_pointer (&self->auth, json_object_unref);
  g_clear_pointer (&self->refuse_data, json_node_unref);
  g_free (self->refuse_message);
  g_free (self->id);
  g_clear_object (&self->nsp);

  G_OBJECT_CLASS (sio_server_socket_parent_class)->finalize (object);
}

static void
sio_server_socket_class_init (SioServerSocketClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sio_server_socket_dispose;
  object_class->finalize = sio_server_socket_finalize;

  /* An event from the client, detailed by its name ("event::sendMessage"):
   * (name, args, attachments, ack or NULL when the client expects none). */
  socket_signals[SOCKET_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_STRING, JSON_TYPE_ARRAY, G_TYPE_PTR_ARRAY, SIO_TYPE_SERVER_ACK);
  /* The socket left its namespace: "client namespace disconnect", "server
   * namespace disconnect", "transport close", "ping timeout", "parse error", … */
  socket_signals[SOCKET_DISCONNECT] =
    g_signal_new ("disconnect", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
sio_server_socket_init (SioServerSocket *self)
{
}

const char *
sio_server_socket_get_id (SioServerSocket *self)
{
  g_return_val_if_fail (SIO_IS_SERVER_SOCKET (self), NULL);
  return self->id;
}

SioServerNamespace *
sio_server_socket_get_namespace (SioServerSocket *self)
{
  g_return_val_if_fail (SIO_IS_SERVER_SOCKET (self), NULL);
  return self->nsp;
}

JsonObject *
sio_server_socket_get_auth (SioServerSocket *self)
{
  g_return_val_if_fail (SIO_IS_SERVER_SOCKET (self), NULL);
  return self->auth;
}

SioEngineSocket *
sio_server_socket_get_connection (SioServerSocket *self)
{
  g_return_val_if_fail (SIO_IS_SERVER_SOCKET (self), NULL);
  return self->client ? self->client->conn : NULL;
}

gboolean
sio_server_socket_is_connected (SioServerSocket *self)
{
  g_return_val_if_fail (SIO_IS_SERVER_SOCKET (self), FALSE);
  return self->connected;
}

void
sio_server_socket_refuse (SioServerSocket *self,
                          const char      *message,
                          JsonNode        *data)
{
  g_return_if_fail (SIO_IS_SERVER_SOCKET (self));
  g_return_if_fail (message != NULL);
  g_return_if_fail (self->connecting);

  self->refused = TRUE;
  g_free (self->refuse_message);
  self->refuse_message = g_strdup (message);
  g_clear_pointer (&self->refuse_data, json_node_unref);
  if (data != NULL)
    self->refuse_data = json_node_copy (data);
}

void
sio_server_socket_join (SioServerSocket *self,
                        const char      *room)
{
  g_return_if_fail (SIO_IS_SERVER_SOCKET (self));
  g_return_if_fail (room != NULL);

  if (self->connected)
    sio_server_adapter_add (self->nsp->adapter, self->id, room);
}

void
sio_server_socket_leave (SioServerSocket *self,
                         const char      *room)
{
  g_return_if_fail (SIO_IS_SERVER_SOCKET (self));
  g_return_if_fail (room != NULL);

  if (self->connected)
    sio_server_adapter_remove (self->nsp->adapter, self->id, room);
}

gboolean
sio_server_socket_in_room (SioServerSocket *self,
                           const char      *room)
{
  g_return_val_if_fail (SIO_IS_SERVER_SOCKET (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);

  return self->connected && sio_server_adapter_contains (self->nsp->adapter, self->id, room);
}

static SioPacket *
event_packet_new (const char *nsp,
                  const char *event,
                  JsonArray  *args,
                  GPtrArray  *attachments)
{
  SioPacket *packet = sio_packet_new_event (nsp, event, args);

  add_attachments (packet, attachments);
  return packet;
}

void
sio_server_socket_emit (SioServerSocket *self,
                        const char      *event,
                        JsonArray       *args,
                        GPtrArray       *attachments)
{
  g_autoptr(SioPacket) packet = NULL;

  g_return_if_fail (SIO_IS_SERVER_SOCKET (self));
  g_return_if_fail (event != NULL);

  if (!self->connected)
    return;
  packet = event_packet_new (self->nsp->name, event, args, attachments);
  client_send_packet (self->client, packet);
}

void
sio_server_socket_broadcast (SioServerSocket *self,
                             const char      *room,
                             const char      *event,
                             JsonArray       *args,
                             GPtrArray       *attachments)
{
  const char *rooms[] = { room, NULL };
  const char *except[] = { self->id, NULL };

  g_return_if_fail (SIO_IS_SERVER_SOCKET (self));
  g_return_if_fail (event != NULL);

  sio_server_namespace_broadcast (self->nsp, room ? rooms : NULL, except, event, args, attachments);
}

static gboolean
on_ack_timeout (gpointer user_data)
{
  GTask *task = user_data;
  SioServerSocket *self = g_task_get_source_object (task);
  gint64 id = GPOINTER_TO_SIZE (g_task_get_task_data (task));
  PendingAck *pending = g_hash_table_lookup (self->acks, &id);

  pending->timeout_source = 0;
  g_task_return_new_error (pending->task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "The client did not acknowledge in time");
  g_clear_object (&pending->task);
  g_hash_table_remove (self->acks, &id);
  return G_SOURCE_REMOVE;
}

static gboolean
on_ack_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  GTask *task = user_data;
  SioServerSocket *self = g_task_get_source_object (task);
  gint64 id = GPOINTER_TO_SIZE (g_task_get_task_data (task));
  PendingAck *pending = g_hash_table_lookup (self->acks, &id);

  /* a late ack would find nothing and be dropped */
  g_clear_pointer (&pending->cancel_source, g_source_unref);
  g_task_return_error_if_cancelled (pending->task);
  g_clear_object (&pending->task);
  g_hash_table_remove (self->acks, &id);
  return G_SOURCE_REMOVE;
}

void
sio_server_socket_emit_with_ack_async (SioServerSocket    *self,
                                       const char         *event,
                                       JsonArray          *args,
                                       GPtrArray          *attachments,
                                       guint               timeout_ms,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SioPacket) packet = NULL;
  PendingAck *pending;
  gint64 *key;

  g_return_if_fail (SIO_IS_SERVER_SOCKET (self));
  g_return_if_fail (event != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sio_server_socket_emit_with_ack_async);
  if (!self->connected)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED, "The socket is not connected");
      return;
    }

  packet = event_packet_new (self->nsp->name, event, args, attachments);
  packet->id = self->next_ack_id++;

  key = g_new (gint64, 1);
  *key = packet->id;
  pending = g_new0 (PendingAck, 1);
  pending->task = g_object_ref (task);
  g_task_set_task_data (task, GSIZE_TO_POINTER ((gsize) packet->id), NULL);
  if (timeout_ms > 0)
    pending->timeout_source = sio_deadline_add (timeout_ms, on_ack_timeout, task);
  if (cancellable != NULL)
    {
      /* a source rather than ::cancelled, so the task never completes from
       * inside g_cancellable_cancel() */
      pending->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (pending->cancel_source, G_SOURCE_FUNC (on_ack_cancelled), task, NULL);
      g_source_attach (pending->cancel_source, g_main_context_get_thread_default ());
    }
  if (self->acks == NULL)
    self->acks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, pending_ack_free);
  g_hash_table_insert (self->acks, key, pending);

  client_send_packet (self->client, packet);
}

JsonArray *
sio_server_socket_emit_with_ack_finish (SioServerSocket  *self,
                                        GAsyncResult     *result,
                                        GPtrArray       **attachments,
                                        GError          **error)
{
  AckResult *ack;
  JsonArray *args;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  ack = g_task_propagate_pointer (G_TASK (result), error);
  if (ack == NULL)
    return NULL;
  args = g_steal_pointer (&ack->args);
  if (attachments != NULL)
    *attachments = g_steal_pointer (&ack->attachments);
  ack_result_free (ack);
  return args;
}

void
sio_server_socket_disconnect (SioServerSocket *self,
                              gboolean         close_connection)
{
  ServerClient *client;

  g_return_if_fail (SIO_IS_SERVER_SOCKET (self));

  client = self->client;
  if (client != NULL)
    g_rc_box_acquire (client);
  socket_disconnect_internal (self, "server namespace disconnect", TRUE);
  if (client != NULL)
    {
      if (close_connection)
        client_close (client, "forced server close");
      client_unref (client);
    }
}

void
sio_server_socket_send_encoded (SioServerSocket *self,
                                const char      *header,
                                GPtrArray       *attachments)
{
  g_return_if_fail (SIO_IS_SERVER_SOCKET (self));
  g_return_if_fail (header != NULL);

  if (!self->connected || self->client == NULL || self->client->closed)
    return;
  self->nsp->server->n_deliveries++;
  sio_engine_socket_send_text (self->client->conn, header, -1);
  if (attachments != NULL)
    for (guint i = 0; i < attachments->len; i++)
      sio_engine_socket_send_binary (self->client->conn, g_ptr_array_index (attachments, i));
}

void
sio_server_socket_send_frame (SioServerSocket *self,
                              GBytes          *frame,
                              GPtrArray       *attachments)
{
  g_return_if_fail (SIO_IS_SERVER_SOCKET (self));
  g_return_if_fail (frame != NULL);

  if (!self->connected || self->client == NULL || self->client->closed)
    return;
  self->nsp->server->n_deliveries++;
  sio_engine_socket_send_text_frame (self->client->conn, frame);
  if (attachments != NULL)
    for (guint i = 0; i < attachments->len; i++)
      sio_engine_socket_send_binary (self->client->conn, g_ptr_array_index (attachments, i));
}

static void
sio_server_namespace_dispose (GObject *object)
{
  SioServerNamespace *self = SIO_SERVER_NAMESPACE (object);

  g_clear_object (&self->adapter);

  G_OBJECT_CLASS (sio_server_namespace_parent_class)->dispose (object);
}

static void
sio_server_namespace_finalize (GObject *object)
{
  SioServerNamespace *self = SIO_SERVER_NAMESPACE (object);

  g_hash_table_unref (self->sockets);
  g_free (self->name);

  G_OBJECT_CLASS (sio_server_namespace_parent_class)->finalize (object);
}

static void
sio_server_namespace_class_init (SioServerNamespaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sio_server_namespace_dispose;
  object_class->finalize = sio_server_namespace_finalize;

  /* Before the client hears anything: a handler may call sio_server_socket_refuse(). */
  nsp_signals[NSP_CONNECTING] =
    g_signal_new ("connecting", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SIO_TYPE_SERVER_SOCKET);
  /* After CONNECT went out: the place to join rooms and connect to ::event. */
  nsp_signals[NSP_CONNECTION] =
    g_signal_new ("connection", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SIO_TYPE_SERVER_SOCKET);
}

static void
sio_server_namespace_init (SioServerNamespace *self)
{
  self->sockets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
}

const char *
sio_server_namespace_get_name (SioServerNamespace *self)
{
  g_return_val_if_fail (SIO_IS_SERVER_NAMESPACE (self), NULL);
  return self->name;
}

SioServerAdapter *
sio_server_namespace_get_adapter (SioServerNamespace *self)
{
  g_return_val_if_fail (SIO_IS_SERVER_NAMESPACE (self), NULL);
  return self->adapter;
}

guint
sio_server_namespace_get_n_sockets (SioServerNamespace *self)
{
  g_return_val_if_fail (SIO_IS_SERVER_NAMESPACE (self), 0);
  return g_hash_table_size (self->sockets);
}

SioServerSocket *
sio_server_namespace_lookup (SioServerNamespace *self,
                             const char         *sid)
{
  g_return_val_if_fail (SIO_IS_SERVER_NAMESPACE (self), NULL);
  return g_hash_table_lookup (self->sockets, sid);
}

void
sio_server_namespace_broadcast (SioServerNamespace *self,
                                const char * const *rooms,
                                const char * const *except,
                                const char         *event,
                                JsonArray          *args,
                                GPtrArray          *attachments)
{
  g_autoptr(SioPacket) packet = NULL;

  g_return_if_fail (SIO_IS_SERVER_NAMESPACE (self));
  g_return_if_fail (event != NULL);

  packet = event_packet_new (self->name, event, args, attachments);
  sio_server_adapter_broadcast (self->adapter, packet, rooms, except);
}

void
sio_server_namespace_emit (SioServerNamespace *self,
                           const char         *event,
                           JsonArray          *args,
                           GPtrArray          *attachments)
{
  sio_server_namespace_broadcast (self, NULL, NULL, event, args, attachments);
}

void
sio_server_namespace_emit_to (SioServerNamespace *self,
                              const char         *room,
                              const char         *event,
                              JsonArray          *args,
                              GPtrArray          *attachments)
{
  const char *rooms[] = { room, NULL };

  g_return_if_fail (room != NULL);
  sio_server_namespace_broadcast (self, rooms, NULL, event, args, attachments);
}

static void
sio_server_dispose (GObject *object)
{
  SioServer *self = SIO_SERVER (object);

  if (self->engine != NULL)
    {
      sio_server_close (self);
      g_signal_handlers_disconnect_by_data (self->engine, self);
    }
  g_clear_object (&self->engine);
  if (self->namespaces != NULL)
    g_hash_table_remove_all (self->namespaces);
  if (self->adapter_destroy != NULL)
    g_clear_pointer (&self->adapter_data, self->adapter_destroy);

  G_OBJECT_CLASS (sio_server_parent_class)->dispose (object);
}

static void
sio_server_finalize (GObject *object)
{
  SioServer *self = SIO_SERVER (object);

  g_hash_table_unref (self->namespaces);
  g_hash_table_unref (self->clients);

  G_OBJECT_CLASS (sio_server_parent_class)->finalize (object);
}

static void
sio_server_class_init (SioServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sio_server_dispose;
  object_class->finalize = sio_server_finalize;

  server_signals[SERVER_CONNECTION_REFUSED] =
    g_signal_new ("connection-refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

/* The engine refuses before any Socket.IO client exists; whoever counts
 * refusals only needs to know the server. */
static void
on_engine_refused (SioEngine  *engine,
                   const char *reason,
                   const char *address,
                   gpointer    user_data)
{
  g_signal_emit (user_data, server_signals[SERVER_CONNECTION_REFUSED], 0, reason, address);
}

static void
sio_server_init (SioServer *self)
{
  self->engine = sio_engine_new ();
  self->namespaces = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->clients = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) client_unref);
  self->connect_timeout = SIO_SERVER_DEFAULT_CONNECT_TIMEOUT;
  g_signal_connect (self->engine, "connection", G_CALLBACK (on_engine_connection), self);
  g_signal_connect (self->engine, "refused", G_CALLBACK (on_engine_refused), self);
  sio_server_of (self, "/");
}

SioServer *
sio_server_new (void)
{
  return g_object_new (SIO_TYPE_SERVER, NULL);
}

SioEngine *
sio_server_get_engine (SioServer *self)
{
  g_return_val_if_fail (SIO_IS_SERVER (self), NULL);
  return self->engine;
}

void
sio_server_set_connect_timeout (SioServer *self,
                                guint      ms)
{
  g_return_if_fail (SIO_IS_SERVER (self));
  g_return_if_fail (ms > 0);
  self->connect_timeout = ms;
}

void
sio_server_set_max_connections_per_address (SioServer *self,
                                            guint      max)
{
  g_return_if_fail (SIO_IS_SERVER (self));
  sio_engine_set_max_sessions_per_address (self->engine, max);
}

void
sio_server_attach (SioServer  *self,
                   SoupServer *server,
                   const char *path)
{
  g_return_if_fail (SIO_IS_SERVER (self));
  sio_engine_attach (self->engine, server, path);
}

void
sio_server_set_adapter_factory (SioServer              *self,
                                SioServerAdapterFactory factory,
                                gpointer                user_data,
                                GDestroyNotify          destroy)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (SIO_IS_SERVER (self));

  if (self->adapter_destroy != NULL)
    g_clear_pointer (&self->adapter_data, self->adapter_destroy);
  self->adapter_factory = factory;
  self->adapter_data = user_data;
  self->adapter_destroy = destroy;

  /* "/" exists from the start; namespaces nobody joined yet take the new adapter */
  g_hash_table_iter_init (&iter, self->namespaces);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SioServerNamespace *nsp = value;

      if (g_hash_table_size (nsp->sockets) > 0)
        continue;
      g_clear_object (&nsp->adapter);
      nsp->adapter = factory ? factory (nsp, user_data) : sio_server_memory_adapter_new (nsp);
    }
}

SioServerNamespace *
sio_server_of (SioServer  *self,
               const char *name)
{
  SioServerNamespace *nsp;

  g_return_val_if_fail (SIO_IS_SERVER (self), NULL);
  g_return_val_if_fail (name != NULL && name[0] == '/', NULL);

  nsp = g_hash_table_lookup (self->namespaces, name);
  if (nsp != NULL)
    return nsp;

  nsp = g_object_new (SIO_TYPE_SERVER_NAMESPACE, NULL);
  nsp->server = self;
  nsp->name = g_strdup (name);
  if (self->adapter_factory != NULL)
    nsp->adapter = self->adapter_factory (nsp, self->adapter_data);
  else
    nsp->adapter = sio_server_memory_adapter_new (nsp);
  g_hash_table_insert (self->namespaces, nsp->name, nsp);
  return nsp;
}

guint64
sio_server_get_n_deliveries (SioServer *self)
{
  g_return_val_if_fail (SIO_IS_SERVER (self), 0);
  return self->n_deliveries;
}

void
sio_server_close (SioServer *self)
{
  g_return_if_fail (SIO_IS_SERVER (self));

  /* the engine's ::closed handlers disconnect every socket and drop the clients */
  sio_engine_close (self->engine);
  g_hash_table_remove_all (self->clients);
}
