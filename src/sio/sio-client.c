/* sio-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sio-client-private.h"
#include "sio-marshal.h"

#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#define DEFAULT_PATH "/socket"

struct _SioClient {
  GObject                  parent_instance;

  char                    *url;
  char                    *path;
  GHashTable              *query;      /* name → value */
  GHashTable              *headers;    /* name → value */
  SioClientAuthFunc        auth_func;
  gpointer                 auth_data;
  GDestroyNotify           auth_destroy;

  guint                    connect_timeout;
  guint                    reconnection_delay;
  guint                    reconnection_delay_max;
  double                   randomization_factor;
  guint                    reconnection_attempts;
  guint                    offline_buffer_size;
  gboolean                 reconnection;

  SioClientState           state;
  SoupSession             *session;
  SoupWebsocketConnection *ws;
  GCancellable            *open_cancellable;
  GSource                 *connect_timeout_source;
  GSource                 *reconnect_source;
  guint                    attempts;        /* reconnect attempts since the last open */
  guint                    reconnect_in;    /* ms to the scheduled attempt, 0 when none */
  gboolean                 skip_reconnect;
  gboolean                 transport_error;

  guint                    session_count;   /* bumped on every Engine.IO open */
  guint                    ping_interval;
  guint                    ping_timeout;
  gsize                    max_payload;
  gint64                   deadline_monotonic;
  gint64                   deadline_real;
  GSource                 *heartbeat_source;
  GMainContext            *context;         /* the thread-default one we were made in */

  SioDecoder              *decoder;
  GHashTable              *namespaces;      /* name → SioClientNamespace */
  SioClientNamespace      *own_namespace;
};

typedef struct {
  GWeakRef      client;
  GCancellable *cancellable;
  SoupMessage  *message;
  SoupMessage  *probe;      /* after a failed handshake, to learn why */
  GError       *error;
  char         *uri;
} OpenAttempt;

enum {
  PROP_0,
  PROP_URL,
  PROP_PATH,
  PROP_STATE,
  PROP_CONNECT_TIMEOUT,
  PROP_RECONNECTION,
  PROP_RECONNECTION_DELAY,
  PROP_RECONNECTION_DELAY_MAX,
  PROP_RANDOMIZATION_FACTOR,
  PROP_RECONNECTION_ATTEMPTS,
  PROP_OFFLINE_BUFFER_SIZE,
  PROP_RECONNECT_IN,
  N_PROPS
};

enum {
  CONNECT,
  DISCONNECT,
  CONNECT_ERROR,
  EVENT,
  RECONNECT_ATTEMPT,
  RECONNECT,
  RECONNECT_ERROR,
  RECONNECT_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SioClient, sio_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (sio-client-error-quark, sio_client_error)

static void client_open          (SioClient            *self);
static void close_transport      (SioClient            *self,
                                  SioDisconnectReason   reason);

const char *
sio_disconnect_reason_to_string (SioDisconnectReason reason)
{
  switch (reason)
    {
    case SIO_DISCONNECT_IO_SERVER_DISCONNECT: return "io server disconnect";
    case SIO_DISCONNECT_IO_CLIENT_DISCONNECT: return "io client disconnect";
    case SIO_DISCONNECT_PING_TIMEOUT:         return "ping timeout";
    case SIO_DISCONNECT_TRANSPORT_CLOSE:      return "transport close";
    case SIO_DISCONNECT_TRANSPORT_ERROR:      return "transport error";
    case SIO_DISCONNECT_PARSE_ERROR:          return "parse error";
    default:                                  return "unknown";
    }
}

guint
sio_client_backoff_delay (guint  min_ms,
                          guint  max_ms,
                          double jitter,
                          guint  attempt,
                          double random)
{
  /* socket.io-client computes min·2^attempts in doubles and then `| 0`, which
   * wraps to 0 ms after about a thousand failures; the clamp keeps the value
   * far above max instead */
  double ms = (double) min_ms * pow (2.0, MIN (attempt, 62));

  if (jitter > 0 && jitter <= 1)
    {
      double deviation = floor (random * jitter * ms);

      if (((int) floor (random * 10) & 1) == 0)
        ms -= deviation;
      else
        ms += deviation;
    }
  return (guint) CLAMP (ms, 0, (double) max_ms);
}

JsonNode *
sio_client_add_attachment (GPtrArray *attachments,
                           GBytes    *bytes)
{
  JsonObject *placeholder = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  g_return_val_if_fail (attachments != NULL, NULL);
  g_return_val_if_fail (bytes != NULL, NULL);

  json_object_set_boolean_member (placeholder, "_placeholder", TRUE);
  json_object_set_int_member (placeholder, "num", attachments->len);
  json_node_take_object (node, placeholder);
  g_ptr_array_add (attachments, g_bytes_ref (bytes));
  return node;
}

GBytes *
sio_client_get_attachment (GPtrArray *attachments,
                           JsonNode  *node)
{
  JsonObject *object;
  gint64 num;

  if (attachments == NULL || node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);
  if (!json_object_get_boolean_member_with_default (object, "_placeholder", FALSE))
    return NULL;
  num = json_object_get_int_member_with_default (object, "num", -1);
  if (num < 0 || num >= attachments->len)
    return NULL;
  return attachments->pdata[num];
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* Timers go to the context the client lives in, like libsoup's I/O. */
static GSource *
add_timeout (SioClient   *self,
             guint        interval,
             gboolean     seconds,
             GSourceFunc  func)
{
  GSource *source = seconds ? g_timeout_source_new_seconds (interval) : g_timeout_source_new (interval);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

static void
set_reconnect_in (SioClient *self,
                  guint      delay)
{
  if (self->reconnect_in == delay)
    return;
  self->reconnect_in = delay;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECONNECT_IN]);
}

static void
set_state (SioClient      *self,
           SioClientState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  if (state != SIO_CLIENT_STATE_RECONNECTING)
    set_reconnect_in (self, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

gboolean
_sio_client_is_open (SioClient *self)
{
  return self->state == SIO_CLIENT_STATE_OPEN && self->ws != NULL &&
         soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN;
}

guint
_sio_client_get_session (SioClient *self)
{
  return self->session_count;
}

gsize
_sio_client_get_max_payload (SioClient *self)
{
  return self->max_payload;
}

guint
_sio_client_get_buffer_limit (SioClient *self)
{
  return self->offline_buffer_size;
}

void
_sio_client_send (SioClient  *self,
                  const char *header,
                  GPtrArray  *attachments)
{
  g_autofree char *text = NULL;

  if (!_sio_client_is_open (self))
    return;
  text = g_strconcat ("4", header, NULL);
  soup_websocket_connection_send_text (self->ws, text);
  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    soup_websocket_connection_send_message (self->ws, SOUP_WEBSOCKET_DATA_BINARY, attachments->pdata[i]);
}

static void
send_packet (SioClient *self,
             SioPacket *packet)
{
  g_autofree char *header = sio_packet_encode (packet);

  _sio_client_send (self, header, packet->attachments);
}

static void
send_connect (SioClient          *self,
              SioClientNamespace *ns)
{
  JsonNode *auth = NULL;
  g_autoptr(SioPacket) packet = NULL;

  /* asked afresh on every connect so that a refreshed token goes out; never logged */
  if (self->auth_func != NULL)
    auth = self->auth_func (self, ns->name, self->auth_data);
  packet = sio_packet_new (SIO_PACKET_CONNECT, ns->name, _sio_client_namespace_connect_data (ns, auth));
  ns->connecting = TRUE;
  send_packet (self, packet);
}

static gboolean
has_active_namespace (SioClient *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->namespaces);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((SioClientNamespace *) value)->active)
      return TRUE;
  return FALSE;
}

static GPtrArray *
list_namespaces (SioClient *self)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->namespaces);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, g_object_ref (value));
  return list;
}

static void
emit_disconnect (SioClient           *self,
                 SioClientNamespace  *ns,
                 SioDisconnectReason  reason)
{
  g_signal_emit (self, signals[DISCONNECT], 0, ns->name, reason, sio_disconnect_reason_to_string (reason));
}

static void
stop_heartbeat (SioClient *self)
{
  clear_source (&self->heartbeat_source);
}

/* Drops the WebSocket and everything tied to one Engine.IO session. */
static void
teardown_transport (SioClient *self)
{
  clear_source (&self->connect_timeout_source);
  stop_heartbeat (self);
  if (self->open_cancellable != NULL)
    {
      g_cancellable_cancel (self->open_cancellable);
      g_clear_object (&self->open_cancellable);
    }
  if (self->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->ws, self);
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->ws);
    }
  sio_decoder_reset (self->decoder);
  self->transport_error = FALSE;
}

static gboolean
on_reconnect_timer (gpointer user_data)
{
  SioClient *self = user_data;
  g_autoptr(SioClient) hold = g_object_ref (self);

  g_clear_pointer (&self->reconnect_source, g_source_unref);
  g_signal_emit (self, signals[RECONNECT_ATTEMPT], 0, self->attempts);
  /* a handler may have called sio_client_disconnect() */
  if (self->state == SIO_CLIENT_STATE_RECONNECTING && !self->skip_reconnect)
    {
      set_state (self, SIO_CLIENT_STATE_CLOSED);
      client_open (self);
    }
  return G_SOURCE_REMOVE;
}

static void
maybe_reconnect (SioClient *self)
{
  guint delay;

  if (!self->reconnection || self->skip_reconnect || !has_active_namespace (self))
    {
      self->attempts = 0;
      set_state (self, SIO_CLIENT_STATE_CLOSED);
      return;
    }
  if (self->attempts >= self->reconnection_attempts)
    {
      self->attempts = 0;
      set_state (self, SIO_CLIENT_STATE_CLOSED);
      g_signal_emit (self, signals[RECONNECT_FAILED], 0);
      return;
    }

  delay = sio_client_backoff_delay (self->reconnection_delay, self->reconnection_delay_max,
                                    self->randomization_factor, self->attempts, g_random_double ());
  self->attempts++;
  set_state (self, SIO_CLIENT_STATE_RECONNECTING);
  g_debug ("Socket.IO: reconnect attempt %u in %u ms", self->attempts, delay);
  self->reconnect_source = add_timeout (self, delay, FALSE, on_reconnect_timer);
  set_reconnect_in (self, delay);
}

/* The connection could not be opened: tell every namespace, then maybe retry. */
static void
open_failed (SioClient *self,
             GError    *error)
{
  g_autoptr(SioClient) hold = g_object_ref (self);
  g_autoptr(GPtrArray) list = NULL;

  teardown_transport (self);
  set_state (self, SIO_CLIENT_STATE_CLOSED);

  list = list_namespaces (self);
  for (guint i = 0; i < list->len; i++)
    {
      SioClientNamespace *ns = list->pdata[i];

      if (ns->active)
        g_signal_emit (self, signals[CONNECT_ERROR], 0, ns->name, error->message, NULL);
    }
  if (self->attempts > 0)
    g_signal_emit (self, signals[RECONNECT_ERROR], 0, error);

  if (self->state == SIO_CLIENT_STATE_CLOSED)
    maybe_reconnect (self);
}

static void
heartbeat_schedule (SioClient *self);

static gboolean
on_heartbeat (gpointer user_data)
{
  SioClient *self = user_data;

  g_clear_pointer (&self->heartbeat_source, g_source_unref);
  /* after a suspend the monotonic clock may not have moved, the wall clock has */
  if (g_get_monotonic_time () >= self->deadline_monotonic ||
      g_get_real_time () >= self->deadline_real)
    {
      g_debug ("Socket.IO: no ping within %u ms", self->ping_interval + self->ping_timeout);
      close_transport (self, SIO_DISCONNECT_PING_TIMEOUT);
    }
  else
    heartbeat_schedule (self);
  return G_SOURCE_REMOVE;
}

static void
heartbeat_schedule (SioClient *self)
{
  gint64 left_ms = (self->deadline_monotonic - g_get_monotonic_time ()) / 1000 + 1;

  /* at least once a second, so a suspend is noticed soon after resume; the
   * whole-second timer lets GLib batch the wakeup with others */
  if (left_ms > 1000)
    self->heartbeat_source = add_timeout (self, 1, TRUE, on_heartbeat);
  else
    self->heartbeat_source = add_timeout (self, MAX (left_ms, 1), FALSE, on_heartbeat);
}

static void
heartbeat_reset (SioClient *self)
{
  gint64 span = (gint64) (self->ping_interval + self->ping_timeout) * G_TIME_SPAN_MILLISECOND;

  self->deadline_monotonic = g_get_monotonic_time () + span;
  self->deadline_real = g_get_real_time () + span;
  if (self->heartbeat_source == NULL)
    heartbeat_schedule (self);
}

/* The Engine.IO session ended for REASON: every namespace is disconnected. */
static void
close_transport (SioClient           *self,
                 SioDisconnectReason  reason)
{
  g_autoptr(SioClient) hold = g_object_ref (self);
  g_autoptr(GPtrArray) list = NULL;

  teardown_transport (self);
  set_state (self, SIO_CLIENT_STATE_CLOSED);

  list = list_namespaces (self);
  for (guint i = 0; i < list->len; i++)
    {
      SioClientNamespace *ns = list->pdata[i];
      gboolean was_connected = ns->connected;

      _sio_client_namespace_on_closed (ns);
      if (was_connected)
        emit_disconnect (self, ns, reason);
    }

  if (self->state == SIO_CLIENT_STATE_CLOSED)
    maybe_reconnect (self);
}

static void
handle_open (SioClient  *self,
             const char *text,
             gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SioEioHandshake) handshake = NULL;
  g_autoptr(GPtrArray) list = NULL;
  guint attempts = self->attempts;

  handshake = sio_eio_handshake_parse (text, len, &error);
  if (handshake == NULL)
    {
      g_autoptr(GError) wrapped = g_error_new (SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_NOT_SOCKET_IO,
                                               "The server sent an invalid Engine.IO handshake: %s",
                                               error->message);
      open_failed (self, wrapped);
      return;
    }

  clear_source (&self->connect_timeout_source);
  self->ping_interval = handshake->ping_interval;
  self->ping_timeout = handshake->ping_timeout;
  self->max_payload = handshake->max_payload;
  if (self->max_payload > 0)
    soup_websocket_connection_set_max_incoming_payload_size (self->ws, self->max_payload);
  self->session_count++;
  self->attempts = 0;
  set_state (self, SIO_CLIENT_STATE_OPEN);
  heartbeat_reset (self);

  if (attempts > 0)
    g_signal_emit (self, signals[RECONNECT], 0, attempts);

  list = list_namespaces (self);
  for (guint i = 0; i < list->len && _sio_client_is_open (self); i++)
    {
      SioClientNamespace *ns = list->pdata[i];

      if (ns->active && !ns->connected && !ns->connecting)
        send_connect (self, ns);
    }
}

static void
dispatch_event (SioClient          *self,
                SioClientNamespace *ns,
                SioPacket          *packet)
{
  const char *event = sio_packet_get_event (packet);
  g_autoptr(JsonNode) name = NULL;
  g_autoptr(JsonArray) args = NULL;
  g_autoptr(SioClientAck) ack = NULL;

  if (event == NULL)
    return;
  /* the packet is ours and dropped after this: hand out its own array */
  name = json_node_ref (json_array_get_element (json_node_get_array (packet->data), 0));
  args = sio_packet_steal_args (packet);
  if (args == NULL)
    args = json_array_new ();
  _sio_client_namespace_take_offset (ns, packet, args);
  if (packet->id != SIO_PACKET_NO_ID)
    ack = _sio_client_ack_new (ns, packet->id);
  /* a name no handler was connected with has no quark yet; making one for
   * every name a server sends would grow the quark table without end */
  g_signal_emit (self, signals[EVENT], g_quark_try_string (event),
                 ns->name, event, args, packet->attachments, ack);
}

/* Takes PACKET. */
static void
handle_packet (SioClient *self,
               SioPacket *packet)
{
  SioClientNamespace *ns = g_hash_table_lookup (self->namespaces, packet->nsp);
  g_autoptr(SioClientNamespace) hold = NULL;
  g_autoptr(SioPacket) owned = packet;

  if (ns == NULL)
    {
      g_debug ("Socket.IO: packet for unknown namespace %s dropped", packet->nsp);
      return;
    }
  hold = g_object_ref (ns);

  switch (packet->type)
    {
    case SIO_PACKET_CONNECT:
      if (!ns->active)
        return;
      _sio_client_namespace_on_connect (ns, packet->data);
      /* a recovered session's missed events come before the CONNECT reply */
      while (ns->connected && !g_queue_is_empty (&ns->incoming))
        {
          g_autoptr(SioPacket) missed = g_queue_pop_head (&ns->incoming);

          dispatch_event (self, ns, missed);
        }
      if (ns->connected)
        g_signal_emit (self, signals[CONNECT], 0, ns->name);
      break;

    case SIO_PACKET_CONNECT_ERROR:
      {
        JsonObject *object = packet->data != NULL && JSON_NODE_HOLDS_OBJECT (packet->data)
                             ? json_node_get_object (packet->data) : NULL;
        const char *message = object != NULL
                              ? json_object_get_string_member_with_default (object, "message", NULL)
                              : NULL;
        JsonNode *data = object != NULL ? json_object_get_member (object, "data") : NULL;

        /* like socket.io-client, a refused namespace stays down until connected again */
        ns->active = FALSE;
        _sio_client_namespace_on_closed (ns);
        g_signal_emit (self, signals[CONNECT_ERROR], 0, ns->name,
                       message != NULL ? message : "The server refused the namespace", data);
        if (!has_active_namespace (self) && self->state == SIO_CLIENT_STATE_OPEN)
          {
            self->skip_reconnect = TRUE;
            close_transport (self, SIO_DISCONNECT_IO_CLIENT_DISCONNECT);
          }
      }
      break;

    case SIO_PACKET_DISCONNECT:
      if (!ns->connected)
        return;
      ns->active = FALSE;
      _sio_client_namespace_on_closed (ns);
      emit_disconnect (self, ns, SIO_DISCONNECT_IO_SERVER_DISCONNECT);
      if (!has_active_namespace (self) && self->state == SIO_CLIENT_STATE_OPEN)
        {
          self->skip_reconnect = TRUE;
          close_transport (self, SIO_DISCONNECT_IO_SERVER_DISCONNECT);
        }
      break;

    case SIO_PACKET_EVENT:
    case SIO_PACKET_BINARY_EVENT:
      if (ns->connected)
        dispatch_event (self, ns, packet);
      else if (ns->connecting)
        g_queue_push_tail (&ns->incoming, g_steal_pointer (&owned));
      break;

    case SIO_PACKET_ACK:
    case SIO_PACKET_BINARY_ACK:
      if (ns->connected)
        _sio_client_namespace_on_ack (ns, packet);
      break;

    default:
      break;
    }
}

/* DATA is a binary frame's bytes, or NULL for the text TEXT, LEN. */
static void
handle_socket_io (SioClient  *self,
                  GBytes     *data,
                  const char *text,
                  gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SioPacket) packet = NULL;
  gboolean decoded = data != NULL ? sio_decoder_add_binary (self->decoder, data, &packet, &error)
                                  : sio_decoder_add_text (self->decoder, text, len, &packet, &error);

  if (!decoded)
    {
      g_debug ("Socket.IO: %s", error->message);
      close_transport (self, SIO_DISCONNECT_PARSE_ERROR);
      return;
    }
  if (packet != NULL)
    handle_packet (self, g_steal_pointer (&packet));
}

static void
on_ws_message (SoupWebsocketConnection *ws,
               SoupWebsocketDataType    type,
               GBytes                  *message,
               gpointer                 user_data)
{
  SioClient *self = user_data;
  g_autoptr(SioClient) hold = g_object_ref (self);
  g_autoptr(SioEioPacket) packet = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *text;

  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    {
      const char *data = g_bytes_get_data (message, &len);

      /* A Socket.IO packet, nearly every frame: decoded straight from
       * libsoup's buffer instead of a copy in an Engine.IO packet. */
      if (len > 0 && data[0] == '0' + SIO_EIO_MESSAGE && self->state != SIO_CLIENT_STATE_OPENING)
        {
          heartbeat_reset (self);
          handle_socket_io (self, NULL, data + 1, len - 1);
          return;
        }
      packet = sio_eio_decode_text_frame (data, len, &error);
    }
  else
    packet = sio_eio_decode_binary_frame (message);

  if (self->state == SIO_CLIENT_STATE_OPENING)
    {
      if (packet == NULL || packet->type != SIO_EIO_OPEN)
        {
          g_autoptr(GError) refused =
            g_error_new (SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_NOT_SOCKET_IO,
                         "The server accepted the WebSocket but did not open an Engine.IO v4 "
                         "session; it is not a Socket.IO 3/4 server");
          open_failed (self, refused);
          return;
        }
      text = sio_eio_packet_get_text (packet, &len);
      handle_open (self, text, len);
      return;
    }

  if (packet == NULL)
    {
      g_debug ("Engine.IO: %s", error->message);
      close_transport (self, SIO_DISCONNECT_PARSE_ERROR);
      return;
    }

  heartbeat_reset (self);
  switch (packet->type)
    {
    case SIO_EIO_PING:
      {
        g_autoptr(SioEioPacket) pong = NULL;
        g_autoptr(GBytes) frame = NULL;
        gboolean binary;

        text = sio_eio_packet_get_text (packet, &len);
        pong = sio_eio_packet_new (SIO_EIO_PONG, len > 0 ? text : NULL);
        frame = sio_eio_encode_frame (pong, &binary);
        soup_websocket_connection_send_message (ws, SOUP_WEBSOCKET_DATA_TEXT, frame);
      }
      break;

    case SIO_EIO_MESSAGE:
      if (packet->binary)
        handle_socket_io (self, packet->data, NULL, 0);
      else
        {
          text = sio_eio_packet_get_text (packet, &len);
          handle_socket_io (self, NULL, text, len);
        }
      break;

    case SIO_EIO_CLOSE:
      close_transport (self, SIO_DISCONNECT_TRANSPORT_CLOSE);
      break;

    default:
      break;
    }
}

static void
on_ws_error (SoupWebsocketConnection *ws,
             GError                  *error,
             gpointer                 user_data)
{
  SioClient *self = user_data;

  g_debug ("Socket.IO: WebSocket error: %s", error->message);
  self->transport_error = TRUE;
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  SioClient *self = user_data;

  if (self->state == SIO_CLIENT_STATE_OPENING)
    {
      g_autoptr(GError) error =
        g_error_new (SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_NOT_SOCKET_IO,
                     "The server closed the WebSocket before the Engine.IO handshake (code %u)",
                     soup_websocket_connection_get_close_code (ws));
      open_failed (self, error);
      return;
    }
  close_transport (self, self->transport_error ? SIO_DISCONNECT_TRANSPORT_ERROR
                                               : SIO_DISCONNECT_TRANSPORT_CLOSE);
}

static void
open_attempt_free (OpenAttempt *attempt)
{
  g_weak_ref_clear (&attempt->client);
  g_clear_object (&attempt->cancellable);
  g_clear_object (&attempt->message);
  g_clear_object (&attempt->probe);
  g_clear_error (&attempt->error);
  g_free (attempt->uri);
  g_free (attempt);
}

/* Why a WebSocket handshake failed, in words a user can act on. The WebSocket
 * API does not read a refusal's body, so we asked again plainly: an Engine.IO
 * server answers {"code":N,"message":"…"}, anything else under a wrong path 404. */
static void
on_diagnosis (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  OpenAttempt *attempt = user_data;
  g_autoptr(SioClient) self = g_weak_ref_get (&attempt->client);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint ws_status = soup_message_get_status (attempt->message);
  guint status = soup_message_get_status (attempt->probe);
  const char *reason = soup_message_get_reason_phrase (attempt->probe);
  const char *message = NULL;
  g_autofree char *text = NULL;

  if (self == NULL || g_cancellable_is_cancelled (attempt->cancellable))
    {
      open_attempt_free (attempt);
      return;
    }

  /* Engine.IO refuses an upgrade with its reason as plain text, a request with JSON */
  if (body != NULL &&
      json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    message = json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                          "message", NULL);
  else if (body != NULL && g_bytes_get_size (body) > 0 && g_bytes_get_size (body) <= 200 &&
           g_utf8_validate_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL) &&
           memchr (g_bytes_get_data (body, NULL), '<', g_bytes_get_size (body)) == NULL)
    message = text = g_strstrip (g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body)));

  if (status == SOUP_STATUS_NOT_FOUND)
    error = g_error_new (SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_NOT_SOCKET_IO,
                         "No Socket.IO server at %s (HTTP 404 %s); check the path",
                         attempt->uri, reason ? reason : "");
  else if (ws_status >= 300 && message != NULL)
    error = g_error_new (SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_REFUSED,
                         "The Socket.IO server at %s refused the connection: %s (HTTP %u)%s",
                         attempt->uri, message, status,
                         g_str_equal (message, "Unsupported protocol version")
                         ? "; it does not speak Engine.IO v4 (socket.io 3 or 4)" : "");
  else if (ws_status >= 300)
    error = g_error_new (SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_NOT_SOCKET_IO,
                         "The server at %s did not accept the WebSocket handshake (HTTP %u %s); "
                         "it may not be a Socket.IO server",
                         attempt->uri, ws_status, soup_message_get_reason_phrase (attempt->message));
  else
    error = g_error_new (attempt->error->domain, attempt->error->code,
                         "Cannot reach the Socket.IO server at %s: %s", attempt->uri, attempt->error->message);
  open_failed (self, error);
  open_attempt_free (attempt);
}

static gboolean
worth_diagnosing (const GError *error,
                  guint         status)
{
  if (status >= 300)
    return g_error_matches (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_NOT_WEBSOCKET);
  /* the server was reached but hung up: Engine.IO drops upgrades outside its path */
  return !(error->domain == G_RESOLVER_ERROR || error->domain == G_TLS_ERROR ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE));
}

static void
on_ws_connected (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  OpenAttempt *attempt = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupWebsocketConnection) ws = NULL;
  g_autoptr(SioClient) self = NULL;
  GClosure *message_closure;
  guint status;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  self = g_weak_ref_get (&attempt->client);
  /* a timeout, a disconnect or dispose cancelled us and already did the rest */
  if (self == NULL || g_cancellable_is_cancelled (attempt->cancellable))
    {
      if (ws != NULL)
        soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      open_attempt_free (attempt);
      return;
    }

  if (ws == NULL)
    {
      status = soup_message_get_status (attempt->message);
      if (worth_diagnosing (error, status))
        {
          GUri *ws_uri = soup_message_get_uri (attempt->message);
          g_autoptr(GUri) uri = NULL;

          uri = soup_uri_copy (ws_uri, SOUP_URI_SCHEME,
                               g_str_equal (g_uri_get_scheme (ws_uri), "wss") ? "https" : "http",
                               SOUP_URI_NONE);
          attempt->probe = soup_message_new_from_uri (SOUP_METHOD_GET, uri);
          if (status >= 300)
            soup_websocket_client_prepare_handshake (attempt->probe, NULL, NULL, NULL);
          attempt->error = g_steal_pointer (&error);
          soup_session_send_and_read_async (self->session, attempt->probe, G_PRIORITY_DEFAULT,
                                            attempt->cancellable, on_diagnosis, attempt);
          return;
        }
      {
        g_autoptr(GError) wrapped = NULL;

        /* never retried without verification: the user has to fix the certificate or the URL */
        if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
          wrapped = g_error_new (error->domain, error->code,
                                 "The TLS certificate of %s could not be verified (%s); "
                                 "refusing to connect", attempt->uri, error->message);
        else
          wrapped = g_error_new (error->domain, error->code,
                                 "Cannot reach the Socket.IO server at %s: %s",
                                 attempt->uri, error->message);
        open_failed (self, wrapped);
      }
      open_attempt_free (attempt);
      return;
    }

  self->ws = g_steal_pointer (&ws);
  /* libsoup's "message" signal has no marshaller of its own, so every frame
   * would go through the generic one (GValues to a libffi call); a closure
   * that brings its marshaller keeps it */
  message_closure = g_cclosure_new (G_CALLBACK (on_ws_message), self, NULL);
  g_closure_set_marshal (message_closure, _sio_marshal_VOID__INT_BOXED);
  g_signal_connect_closure (self->ws, "message", message_closure, FALSE);
  g_signal_connect (self->ws, "error", G_CALLBACK (on_ws_error), self);
  g_signal_connect (self->ws, "closed", G_CALLBACK (on_ws_closed), self);
  open_attempt_free (attempt);
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  SioClient *self = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->connect_timeout_source, g_source_unref);
  error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "Could not connect to the Socket.IO server within %u ms", self->connect_timeout);
  open_failed (self, error);
  return G_SOURCE_REMOVE;
}

static GUri *
build_uri (SioClient  *self,
           GError    **error)
{
  g_autoptr(GUri) base = NULL;
  g_autoptr(GHashTable) query = NULL;
  g_autofree char *encoded_query = NULL;
  g_autofree char *path = NULL;
  const char *scheme;
  GHashTableIter iter;
  gpointer key, value;

  base = g_uri_parse (self->url, G_URI_FLAGS_NONE, error);
  if (base == NULL)
    return NULL;
  scheme = g_uri_get_scheme (base);
  if (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "ws") == 0)
    scheme = "ws";
  else if (g_ascii_strcasecmp (scheme, "https") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0)
    scheme = "wss";
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an http, https, ws or wss URL", self->url);
      return NULL;
    }

  query = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_iter_init (&iter, self->query);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (query, key, value);
  g_hash_table_insert (query, (gpointer) "EIO", (gpointer) "4");
  g_hash_table_insert (query, (gpointer) "transport", (gpointer) "websocket");
  encoded_query = soup_form_encode_hash (query);

  /* Engine.IO only answers under PATH/ — without the slash the server never sees us */
  path = g_str_has_suffix (self->path, "/") ? g_strdup (self->path) : g_strconcat (self->path, "/", NULL);

  return g_uri_build (G_URI_FLAGS_ENCODED_QUERY, scheme, NULL, g_uri_get_host (base),
                      g_uri_get_port (base), path, encoded_query, NULL);
}

static void
client_open (SioClient *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  OpenAttempt *attempt;
  GHashTableIter iter;
  gpointer key, value;

  if (self->state == SIO_CLIENT_STATE_OPENING || self->state == SIO_CLIENT_STATE_OPEN)
    return;
  clear_source (&self->reconnect_source);
  self->skip_reconnect = FALSE;
  set_state (self, SIO_CLIENT_STATE_OPENING);

  uri = build_uri (self, &error);
  if (uri == NULL)
    {
      self->skip_reconnect = TRUE;
      open_failed (self, error);
      return;
    }

  attempt = g_new0 (OpenAttempt, 1);
  g_weak_ref_init (&attempt->client, self);
  attempt->cancellable = g_cancellable_new ();
  attempt->message = soup_message_new_from_uri (SOUP_METHOD_GET, uri);
  attempt->uri = g_uri_to_string_partial (uri, G_URI_HIDE_QUERY);
  g_hash_table_iter_init (&iter, self->headers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    soup_message_headers_replace (soup_message_get_request_headers (attempt->message), key, value);

  self->open_cancellable = g_object_ref (attempt->cancellable);
  self->connect_timeout_source = add_timeout (self, self->connect_timeout, FALSE, on_connect_timeout);
  soup_session_websocket_connect_async (self->session, attempt->message, NULL, NULL, G_PRIORITY_DEFAULT,
                                        attempt->cancellable, on_ws_connected, attempt);
}

void
_sio_client_open_namespace (SioClient          *self,
                            SioClientNamespace *ns)
{
  ns->active = TRUE;
  if (_sio_client_is_open (self))
    {
      if (!ns->connected && !ns->connecting)
        send_connect (self, ns);
    }
  else if (self->state == SIO_CLIENT_STATE_CLOSED)
    client_open (self);
}

void
_sio_client_leave_namespace (SioClient          *self,
                             SioClientNamespace *ns)
{
  g_autoptr(SioClientNamespace) hold = g_object_ref (ns);
  gboolean was_connected = ns->connected;

  if (ns->connected)
    {
      g_autoptr(SioPacket) packet = sio_packet_new (SIO_PACKET_DISCONNECT, ns->name, NULL);

      send_packet (self, packet);
    }
  ns->active = FALSE;
  _sio_client_namespace_on_closed (ns);
  if (was_connected)
    emit_disconnect (self, ns, SIO_DISCONNECT_IO_CLIENT_DISCONNECT);

  if (!has_active_namespace (self))
    {
      self->skip_reconnect = TRUE;
      clear_source (&self->reconnect_source);
      self->attempts = 0;
      if (self->state != SIO_CLIENT_STATE_CLOSED)
        close_transport (self, SIO_DISCONNECT_IO_CLIENT_DISCONNECT);
    }
}

static void
sio_client_dispose (GObject *object)
{
  SioClient *self = SIO_CLIENT (object);
  GHashTableIter iter;
  gpointer value;

  self->skip_reconnect = TRUE;
  clear_source (&self->reconnect_source);
  teardown_transport (self);
  if (self->namespaces != NULL)
    {
      g_hash_table_iter_init (&iter, self->namespaces);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        _sio_client_namespace_shutdown (value);
      g_clear_pointer (&self->namespaces, g_hash_table_unref);
    }
  self->own_namespace = NULL;
  g_clear_object (&self->session);
  if (self->auth_destroy != NULL)
    g_clear_pointer (&self->auth_data, self->auth_destroy);
  self->auth_func = NULL;

  G_OBJECT_CLASS (sio_client_parent_class)->dispose (object);
}

static void
sio_client_finalize (GObject *object)
{
  SioClient *self = SIO_CLIENT (object);

  g_clear_pointer (&self->decoder, sio_decoder_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->query, g_hash_table_unref);
  g_clear_pointer (&self->headers, g_hash_table_unref);
  g_free (self->url);
  g_free (self->path);

  G_OBJECT_CLASS (sio_client_parent_class)->finalize (object);
}

static void
sio_client_constructed (GObject *object)
{
  SioClient *self = SIO_CLIENT (object);
  g_autoptr(GUri) uri = NULL;
  const char *nsp = "/";

  G_OBJECT_CLASS (sio_client_parent_class)->constructed (object);

  if (self->path == NULL)
    self->path = g_strdup (DEFAULT_PATH);
  /* as in socket.io-client, the URL's path names the namespace */
  uri = g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && g_uri_get_path (uri)[0] != '\0')
    nsp = g_uri_get_path (uri);
  self->own_namespace = _sio_client_namespace_new (self, nsp);
  g_hash_table_insert (self->namespaces, g_strdup (nsp), self->own_namespace);
}

static void
sio_client_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SioClient *self = SIO_CLIENT (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, self->connect_timeout);
      break;
    case PROP_RECONNECTION:
      g_value_set_boolean (value, self->reconnection);
      break;
    case PROP_RECONNECTION_DELAY:
      g_value_set_uint (value, self->reconnection_delay);
      break;
    case PROP_RECONNECTION_DELAY_MAX:
      g_value_set_uint (value, self->reconnection_delay_max);
      break;
    case PROP_RANDOMIZATION_FACTOR:
      g_value_set_double (value, self->randomization_factor);
      break;
    case PROP_RECONNECTION_ATTEMPTS:
      g_value_set_uint (value, self->reconnection_attempts);
      break;
    case PROP_OFFLINE_BUFFER_SIZE:
      g_value_set_uint (value, self->offline_buffer_size);
      break;
    case PROP_RECONNECT_IN:
      g_value_set_uint (value, self->reconnect_in);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_uint (SioClient *self,
          guint     *field,
          guint      value,
          guint      prop_id)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
sio_client_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  SioClient *self = SIO_CLIENT (object);

  switch (prop_id)
    {
    case PROP_URL:
      self->url = g_value_dup_string (value);
      break;
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_CONNECT_TIMEOUT:
      set_uint (self, &self->connect_timeout, g_value_get_uint (value), prop_id);
      break;
    case PROP_RECONNECTION:
      if (self->reconnection != g_value_get_boolean (value))
        {
          self->reconnection = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_RECONNECTION_DELAY:
      set_uint (self, &self->reconnection_delay, g_value_get_uint (value), prop_id);
      break;
    case PROP_RECONNECTION_DELAY_MAX:
      set_uint (self, &self->reconnection_delay_max, g_value_get_uint (value), prop_id);
      break;
    case PROP_RANDOMIZATION_FACTOR:
      if (self->randomization_factor != g_value_get_double (value))
        {
          self->randomization_factor = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_RECONNECTION_ATTEMPTS:
      set_uint (self, &self->reconnection_attempts, g_value_get_uint (value), prop_id);
      break;
    case PROP_OFFLINE_BUFFER_SIZE:
      set_uint (self, &self->offline_buffer_size, g_value_get_uint (value), prop_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sio_client_class_init (SioClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = sio_client_constructed;
  object_class->dispose = sio_client_dispose;
  object_class->finalize = sio_client_finalize;
  object_class->get_property = sio_client_get_property;
  object_class->set_property = sio_client_set_property;

  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SIO_TYPE_CLIENT_STATE, SIO_CLIENT_STATE_CLOSED,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_uint ("connect-timeout", NULL, NULL, 1, G_MAXUINT, 20000, rw);
  properties[PROP_RECONNECTION] =
    g_param_spec_boolean ("reconnection", NULL, NULL, TRUE, rw);
  properties[PROP_RECONNECTION_DELAY] =
    g_param_spec_uint ("reconnection-delay", NULL, NULL, 0, G_MAXUINT, 1000, rw);
  properties[PROP_RECONNECTION_DELAY_MAX] =
    g_param_spec_uint ("reconnection-delay-max", NULL, NULL, 0, G_MAXUINT, 5000, rw);
  properties[PROP_RANDOMIZATION_FACTOR] =
    g_param_spec_double ("randomization-factor", NULL, NULL, 0.0, 1.0, 0.5, rw);
  /* G_MAXUINT: retry forever */
  properties[PROP_RECONNECTION_ATTEMPTS] =
    g_param_spec_uint ("reconnection-attempts", NULL, NULL, 0, G_MAXUINT, G_MAXUINT, rw);
  properties[PROP_OFFLINE_BUFFER_SIZE] =
    g_param_spec_uint ("offline-buffer-size", NULL, NULL, 0, G_MAXUINT, 1000, rw);
  /* the back-off delay of the attempt being waited for, for a "reconnecting in N s" */
  properties[PROP_RECONNECT_IN] =
    g_param_spec_uint ("reconnect-in", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CONNECT] =
    g_signal_new ("connect", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[DISCONNECT] =
    g_signal_new ("disconnect", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  SIO_TYPE_DISCONNECT_REASON, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[CONNECT_ERROR] =
    g_signal_new ("connect-error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE, JSON_TYPE_NODE);
  /* Emitted once per received event: a specific marshaller with its va_list
   * form (a single matching handler is called without GValues), and every
   * argument in static scope, since the client holds them for the emission. */
  signals[EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, _sio_marshal_VOID__STRING_STRING_BOXED_BOXED_BOXED,
                  G_TYPE_NONE, 5, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE, JSON_TYPE_ARRAY | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_PTR_ARRAY | G_SIGNAL_TYPE_STATIC_SCOPE, SIO_TYPE_CLIENT_ACK | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_set_va_marshaller (signals[EVENT], G_TYPE_FROM_CLASS (klass),
                              _sio_marshal_VOID__STRING_STRING_BOXED_BOXED_BOXEDv);
  signals[RECONNECT_ATTEMPT] =
    g_signal_new ("reconnect-attempt", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[RECONNECT] =
    g_signal_new ("reconnect", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[RECONNECT_ERROR] =
    g_signal_new ("reconnect-error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[RECONNECT_FAILED] =
    g_signal_new ("reconnect-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
sio_client_init (SioClient *self)
{
  self->query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->namespaces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  self->context = g_main_context_ref_thread_default ();
  /* the default session verifies TLS certificates against the system store and
   * goes through the system proxy settings (g_proxy_resolver_get_default) */
  self->session = soup_session_new ();
}

SioClient *
sio_client_new (const char *url,
                const char *path)
{
  g_return_val_if_fail (url != NULL, NULL);

  return g_object_new (SIO_TYPE_CLIENT, "url", url, "path", path, NULL);
}

const char *
sio_client_get_url (SioClient *self)
{
  g_return_val_if_fail (SIO_IS_CLIENT (self), NULL);
  return self->url;
}

SioClientState
sio_client_get_state (SioClient *self)
{
  g_return_val_if_fail (SIO_IS_CLIENT (self), SIO_CLIENT_STATE_CLOSED);
  return self->state;
}

void
sio_client_set_query_param (SioClient  *self,
                            const char *name,
                            const char *value)
{
  g_return_if_fail (SIO_IS_CLIENT (self));
  g_return_if_fail (name != NULL);

  if (value != NULL)
    g_hash_table_replace (self->query, g_strdup (name), g_strdup (value));
  else
    g_hash_table_remove (self->query, name);
}

void
sio_client_set_header (SioClient  *self,
                       const char *name,
                       const char *value)
{
  g_return_if_fail (SIO_IS_CLIENT (self));
  g_return_if_fail (name != NULL);

  if (value != NULL)
    g_hash_table_replace (self->headers, g_strdup (name), g_strdup (value));
  else
    g_hash_table_remove (self->headers, name);
}

void
sio_client_set_auth_func (SioClient         *self,
                          SioClientAuthFunc  func,
                          gpointer           user_data,
                          GDestroyNotify     destroy)
{
  g_return_if_fail (SIO_IS_CLIENT (self));

  if (self->auth_destroy != NULL)
    g_clear_pointer (&self->auth_data, self->auth_destroy);
  self->auth_func = func;
  self->auth_data = user_data;
  self->auth_destroy = destroy;
}

void
sio_client_connect (SioClient *self)
{
  g_return_if_fail (SIO_IS_CLIENT (self));

  _sio_client_open_namespace (self, self->own_namespace);
}

void
sio_client_disconnect (SioClient *self)
{
  g_autoptr(GPtrArray) list = NULL;

  g_return_if_fail (SIO_IS_CLIENT (self));

  self->skip_reconnect = TRUE;
  clear_source (&self->reconnect_source);
  self->attempts = 0;

  list = list_namespaces (self);
  for (guint i = 0; i < list->len; i++)
    {
      SioClientNamespace *ns = list->pdata[i];
      gboolean was_connected = ns->connected;

      if (was_connected)
        {
          g_autoptr(SioPacket) packet = sio_packet_new (SIO_PACKET_DISCONNECT, ns->name, NULL);

          send_packet (self, packet);
        }
      ns->active = FALSE;
      _sio_client_namespace_on_closed (ns);
      if (was_connected)
        emit_disconnect (self, ns, SIO_DISCONNECT_IO_CLIENT_DISCONNECT);
    }

  teardown_transport (self);
  set_state (self, SIO_CLIENT_STATE_CLOSED);
}

SioClientNamespace *
sio_client_connect_namespace (SioClient  *self,
                              const char *nsp)
{
  SioClientNamespace *ns;

  g_return_val_if_fail (SIO_IS_CLIENT (self), NULL);
  g_return_val_if_fail (nsp != NULL && nsp[0] == '/', NULL);

  ns = g_hash_table_lookup (self->namespaces, nsp);
  if (ns == NULL)
    {
      ns = _sio_client_namespace_new (self, nsp);
      g_hash_table_insert (self->namespaces, g_strdup (nsp), ns);
    }
  _sio_client_open_namespace (self, ns);
  return ns;
}

SioClientNamespace *
sio_client_get_namespace (SioClient *self)
{
  g_return_val_if_fail (SIO_IS_CLIENT (self), NULL);
  return self->own_namespace;
}

gboolean
sio_client_emit (SioClient     *self,
                 const char    *event,
                 JsonArray     *args,
                 GPtrArray     *attachments,
                 SioEmitFlags   flags,
                 GError       **error)
{
  g_return_val_if_fail (SIO_IS_CLIENT (self), FALSE);
  return sio_client_namespace_emit (self->own_namespace, event, args, attachments, flags, error);
}

static void
on_own_ack (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) attachments = NULL;
  JsonArray *args;

  args = sio_client_namespace_emit_with_ack_finish (SIO_CLIENT_NAMESPACE (source), result, &attachments, &error);
  if (args == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_set_task_data (task, g_steal_pointer (&attachments), (GDestroyNotify) g_ptr_array_unref);
  g_task_return_pointer (task, args, (GDestroyNotify) json_array_unref);
}

void
sio_client_emit_with_ack_async (SioClient           *self,
                                const char          *event,
                                JsonArray           *args,
                                GPtrArray           *attachments,
                                guint                timeout_ms,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SIO_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sio_client_emit_with_ack_async);
  sio_client_namespace_emit_with_ack_async (self->own_namespace, event, args, attachments, timeout_ms,
                                            cancellable, on_own_ack, task);
}

JsonArray *
sio_client_emit_with_ack_finish (SioClient     *self,
                                 GAsyncResult  *result,
                                 GPtrArray    **attachments,
                                 GError       **error)
{
  JsonArray *args;

  g_return_val_if_fail (SIO_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  args = g_task_propagate_pointer (G_TASK (result), error);
  if (args != NULL && attachments != NULL)
    {
      GPtrArray *data = g_task_get_task_data (G_TASK (result));

      *attachments = data != NULL ? g_ptr_array_ref (data) : NULL;
    }
  return args;
}
