/* sio-engine.c: the Engine.IO v4 server and its sessions.
 *
 * The session type lives here too: it is only ever created and driven by the
 * engine's request handlers, and splitting them would mean a private header
 * that exposes every field anyway.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sio-engine.h"

#include "sio-buffered-stream.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "sio-codec.h"
#include "sio-deadlines.h"

/* The official server's error codes, answered as {"code":N,"message":"…"} with HTTP 400. */
typedef enum {
  ENGINE_ERROR_UNKNOWN_TRANSPORT = 0,
  ENGINE_ERROR_UNKNOWN_SID = 1,
  ENGINE_ERROR_BAD_HANDSHAKE_METHOD = 2,
  ENGINE_ERROR_BAD_REQUEST = 3,
  ENGINE_ERROR_FORBIDDEN = 4,
  ENGINE_ERROR_UNSUPPORTED_PROTOCOL_VERSION = 5,
} EngineError;

static const char * const engine_error_messages[] = {
  "Transport unknown",
  "Session ID unknown",
  "Bad handshake method",
  "Bad request",
  "Forbidden",
  "Unsupported protocol version",
};

struct _SioEngine {
  GObject     parent_instance;

  SoupServer *server;
  char       *path;
  GHashTable *sockets;      /* sid → SioEngineSocket (owned) */
  /* Every socket's ping or pong timer, soonest first, behind one source that
   * wakes when the soonest is due: thousands of timer sources would each be
   * walked by every main loop iteration. */
  GSequence  *timers;       /* of SioEngineSocket (unowned), by timer_due */
  GSource    *timer_source;
  /* WebSocket frames wait for the end of the main loop iteration, so that
   * the broadcasts of one iteration leave each connection in one TCP
   * segment rather than one each: at a thousand clients the kernel's
   * per-segment work was most of the gateway's time. */
  GPtrArray  *dirty;        /* of SioEngineSocket (owned) with frames waiting */
  GSource    *flush_source;
  guint       ping_interval;
  guint       ping_timeout;
  gsize       max_payload;
  SioEngineSendLimits send_limits;
  /* Open sessions per client address, so that one address cannot take
   * every file descriptor; WebSocket handshakes count from their request,
   * before the 101, so that a burst of them cannot slip past. */
  GHashTable *per_address;  /* address → GUINT_TO_POINTER (n) */
  guint       max_per_address;
  SioEngineAddressFunc address_func;
  gpointer             address_data;
  GDestroyNotify       address_destroy;
};

typedef enum {
  TRANSPORT_POLLING,
  TRANSPORT_WEBSOCKET,
} Transport;

typedef enum {
  TIMER_NONE,
  TIMER_PING,  /* time to send PING */
  TIMER_PONG,  /* no PONG by now means dead */
} SocketTimer;

struct _SioEngineSocket {
  GObject                  parent_instance;

  SioEngine               *engine;     /* unowned: the engine closes its sockets before it goes */
  char                    *id;
  Transport                transport;
  char                    *query_string; /* the handshake's, parsed only when asked */
  GHashTable              *query;
  char                    *remote_address;
  gboolean                 counted;    /* holds one of engine->per_address[remote_address] */

  gboolean                 closed;
  gboolean                 closing;    /* CLOSE is waiting for a poll to carry the queue */
  char                    *close_reason;
  GQueue                   queue;      /* of SioEioPacket, waiting for a poll or the end of an upgrade */
  SoupServerMessage       *poll;       /* the GET being held, owned */
  GSource                 *poll_watch; /* notices the client of a held GET hanging up */
  SoupWebsocketConnection *ws;         /* the transport, or the probe while upgrading; over a SioBufferedStream */
  GArray                  *ws_out;     /* of OutFrame until the engine's flush; NULL when none */
  gboolean                 dirty;      /* in engine->dirty */
  gboolean                 upgrading;  /* the probe answered; waiting for UPGRADE */

  SocketTimer              timer;         /* in engine->timers unless NONE */
  GSequenceIter           *timer_link;
  gint64                   timer_due;     /* monotonic µs */
  guint                    timer_serial;  /* changes whenever the timer does */
  guint                    upgrade_source;
  guint                    closing_source;
  guint                    noop_source;
  gint64                   pong_deadline; /* monotonic µs: no PONG by then means dead */
  const SioEngineSocketFuncs *funcs;
  gpointer                 funcs_data;
  gboolean                 lingering;     /* closed by the client's POST; its poll may still come */

  /* What the client was sent and has not taken: the polling queue, or the
   * WebSocket frames not yet written to its connection (ours, libsoup's
   * queue and the SioBufferedStream's). Cumulative counts, since libsoup
   * does not tell how much it holds. */
  gsize                    queue_bytes;   /* of QUEUE */
  guint64                  ws_queued;     /* wire bytes of every frame queued for WS */
  guint64                  ws_foreign;    /* bytes WS carried that we did not queue (libsoup's control frames) */
  GArray                  *ws_frame_ends; /* of guint64: each frame's end as a ws_queued offset, from
                                           * ws_frame_head on not yet written; NULL when none */
  guint                    ws_frame_head;
  gint64                   soft_since;    /* monotonic µs since over the soft limit; 0: under it */
  guint                    soft_source;   /* checks again when the grace period ends */
  guint                    slow_source;   /* closes a slow consumer once the current send is over */
  gboolean                 slow;          /* over a limit: nothing more is queued */
  gboolean                 ping_queued;   /* our PING still waits in QUEUE for a poll */
  guint64                  ping_end;      /* its end as a ws_queued offset, over WebSocket */
};

G_DEFINE_FINAL_TYPE (SioEngine, sio_engine, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (SioEngineSocket, sio_engine_socket, G_TYPE_OBJECT)

enum {
  ENGINE_CONNECTION,
  ENGINE_BODY_REFUSED,
  ENGINE_SLOW_CONSUMER,
  ENGINE_REFUSED,
  N_ENGINE_SIGNALS
};
static guint engine_signals[N_ENGINE_SIGNALS];

enum {
  SOCKET_MESSAGE,
  SOCKET_CLOSED,
  N_SOCKET_SIGNALS
};
static guint socket_signals[N_SOCKET_SIGNALS];

enum {
  SOCKET_PROP_0,
  SOCKET_PROP_TRANSPORT,
  N_SOCKET_PROPS
};
static GParamSpec *socket_properties[N_SOCKET_PROPS];

static gboolean check_send_limits (SioEngineSocket *self);
static guint64 ws_forget_written (SioEngineSocket *self);
static SioEioPacket *queue_pop (SioEngineSocket *self);
static void socket_close_internal (SioEngineSocket *self,
                                   const char      *reason,
                                   gboolean         by_client);

static int
compare_timers (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  const SioEngineSocket *sa = a;
  const SioEngineSocket *sb = b;

  return sa->timer_due < sb->timer_due ? -1 : sa->timer_due > sb->timer_due;
}

static void
update_timer_source (SioEngine *engine)
{
  GSequenceIter *first;

  if (engine->timer_source == NULL)
    return;
  first = g_sequence_get_begin_iter (engine->timers);
  g_source_set_ready_time (engine->timer_source,
                           g_sequence_iter_is_end (first) ? -1
                           : ((SioEngineSocket *) g_sequence_get (first))->timer_due);
}

static void
socket_clear_timer (SioEngineSocket *self)
{
  self->timer_serial++;
  if (self->timer == TIMER_NONE)
    return;
  self->timer = TIMER_NONE;
  g_sequence_remove (g_steal_pointer (&self->timer_link));
  if (self->engine != NULL)
    update_timer_source (self->engine);
}

/* DUE: monotonic µs, as g_timeout_add would have computed it. */
static void
socket_set_timer (SioEngineSocket *self,
                  SocketTimer      timer,
                  gint64           due)
{
  socket_clear_timer (self);
  if (self->engine == NULL)
    return;
  self->timer = timer;
  self->timer_due = due;
  self->timer_link = g_sequence_insert_sorted (self->engine->timers, self, compare_timers, NULL);
  update_timer_source (self->engine);
}

static void
clear_poll_watch (SioEngineSocket *self)
{
  if (self->poll_watch == NULL)
    return;
  g_source_destroy (self->poll_watch);
  g_clear_pointer (&self->poll_watch, g_source_unref);
}

static char *
generate_sid (void)
{
  guint8 raw[15];
  char *sid;

  /* The sid is the only thing that ties a poll to a session: it must not be guessable. */
  if (getrandom (raw, sizeof raw, 0) != sizeof raw)
    for (gsize i = 0; i < sizeof raw; i++)
      raw[i] = g_random_int_range (0, 256);
  sid = g_base64_encode (raw, sizeof raw);
  for (char *p = sid; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
    }
  return sid;
}

/* A whole Engine.IO frame waiting for the flush. */
typedef struct {
  GBytes   *data;
  gboolean  binary;
} OutFrame;

static void
out_frame_clear (gpointer data)
{
  OutFrame *frame = data;

  g_bytes_unref (frame->data);
}

/* Hands the waiting frames to libsoup; with more than one, the stream is
 * corked meanwhile, so that they reach the socket in one write. */
static void
ws_flush (SioEngineSocket *self)
{
  gboolean open = self->ws != NULL &&
                  soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN;
  g_autoptr(GArray) frames = g_steal_pointer (&self->ws_out);
  gboolean cork = open && frames != NULL && frames->len > 1;
  SioBufferedStream *stream = open ? SIO_BUFFERED_STREAM (soup_websocket_connection_get_io_stream (self->ws)) : NULL;

  if (cork)
    sio_buffered_stream_cork (stream);
  for (guint i = 0; frames != NULL && i < frames->len; i++)
    {
      OutFrame *frame = &g_array_index (frames, OutFrame, i);

      /* a write that fails closes the connection, and libsoup takes no more */
      if (open && soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_send_message (self->ws,
                                                frame->binary ? SOUP_WEBSOCKET_DATA_BINARY : SOUP_WEBSOCKET_DATA_TEXT,
                                                frame->data);
    }
  if (cork)
    sio_buffered_stream_uncork (stream);
}

static gboolean
on_flush (gpointer user_data)
{
  SioEngine *engine = user_data;
  g_autoptr(SioEngine) hold = g_object_ref (engine);
  g_autoptr(GPtrArray) dirty = g_steal_pointer (&engine->dirty);

  engine->dirty = g_ptr_array_new_with_free_func (g_object_unref);
  g_source_set_ready_time (engine->flush_source, -1);
  for (guint i = 0; i < dirty->len; i++)
    {
      SioEngineSocket *socket = g_ptr_array_index (dirty, i);

      socket->dirty = FALSE;
      ws_flush (socket);
    }
  return G_SOURCE_CONTINUE;
}

/* FRAME: a whole Engine.IO frame, transfer none. */
static void
ws_queue_frame (SioEngineSocket *self,
                GBytes          *data,
                gboolean         binary)
{
  OutFrame frame;
  gsize size = g_bytes_get_size (data);

  if (self->slow || self->ws == NULL || soup_websocket_connection_get_state (self->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  ws_forget_written (self);
  /* the frame as libsoup writes it: a server's frames are not masked */
  self->ws_queued += size + (size < 126 ? 2 : size < 65536 ? 4 : 10);
  if (self->ws_frame_ends == NULL)
    self->ws_frame_ends = g_array_sized_new (FALSE, FALSE, sizeof (guint64), 16);
  g_array_append_val (self->ws_frame_ends, self->ws_queued);
  if (!check_send_limits (self))
    return;
  if (self->ws_out == NULL)
    {
      self->ws_out = g_array_sized_new (FALSE, FALSE, sizeof (OutFrame), 4);
      g_array_set_clear_func (self->ws_out, out_frame_clear);
    }
  frame.data = g_bytes_ref (data);
  frame.binary = binary;
  g_array_append_val (self->ws_out, frame);
  if (self->dirty)
    return;
  if (self->engine == NULL)
    {
      ws_flush (self);
      return;
    }
  self->dirty = TRUE;
  g_ptr_array_add (self->engine->dirty, g_object_ref (self));
  if (self->engine->dirty->len == 1)
    g_source_set_ready_time (self->engine->flush_source, 0);
}

static void
sio_engine_socket_dispose (GObject *object)
{
  SioEngineSocket *self = SIO_ENGINE_SOCKET (object);

  socket_clear_timer (self);
  g_clear_handle_id (&self->upgrade_source, sio_deadline_remove);
  g_clear_handle_id (&self->closing_source, sio_deadline_remove);
  g_clear_handle_id (&self->noop_source, sio_deadline_remove);
  g_clear_handle_id (&self->soft_source, sio_deadline_remove);
  g_clear_handle_id (&self->slow_source, g_source_remove);
  clear_poll_watch (self);
  if (self->ws != NULL)
    g_signal_handlers_disconnect_by_data (self->ws, self);
  g_clear_object (&self->ws);
  g_clear_object (&self->poll);

  G_OBJECT_CLASS (sio_engine_socket_parent_class)->dispose (object);
}

static void
sio_engine_socket_finalize (GObject *object)
{
  SioEngineSocket *self = SIO_ENGINE_SOCKET (object);

  g_queue_clear_full (&self->queue, (GDestroyNotify) sio_eio_packet_free);
  g_clear_pointer (&self->ws_frame_ends, g_array_unref);
  g_clear_pointer (&self->ws_out, g_array_unref);
  g_clear_pointer (&self->query, g_hash_table_unref);
  g_free (self->query_string);
  g_free (self->remote_address);
  g_free (self->close_reason);
  g_free (self->id);

  G_OBJECT_CLASS (sio_engine_socket_parent_class)->finalize (object);
}

static void
sio_engine_socket_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SioEngineSocket *self = SIO_ENGINE_SOCKET (object);

  switch (prop_id)
    {
    case SOCKET_PROP_TRANSPORT:
      g_value_set_string (value, sio_engine_socket_get_transport (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sio_engine_socket_class_init (SioEngineSocketClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sio_engine_socket_dispose;
  object_class->finalize = sio_engine_socket_finalize;
  object_class->get_property = sio_engine_socket_get_property;

  socket_properties[SOCKET_PROP_TRANSPORT] =
    g_param_spec_string ("transport", NULL, NULL, "polling",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_SOCKET_PROPS, socket_properties);

  /* A MESSAGE packet: (binary, data). Text data is UTF-8 and not NUL-terminated. */
  socket_signals[SOCKET_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_BYTES);
  /* The session ended; the reason uses the official server's words
   * ("transport close", "ping timeout", "parse error", "forced close", …). */
  socket_signals[SOCKET_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
sio_engine_socket_init (SioEngineSocket *self)
{
  g_queue_init (&self->queue);
}

static void
respond_poll (SioEngineSocket *self,
              GPtrArray       *packets)
{
  g_autoptr(SoupServerMessage) msg = g_steal_pointer (&self->poll);
  g_autoptr(GBytes) body = sio_eio_encode_payload (packets);

  g_clear_handle_id (&self->noop_source, sio_deadline_remove);
  clear_poll_watch (self);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Content-Type", "text/plain; charset=UTF-8");
  soup_server_message_set_response (msg, "text/plain; charset=UTF-8",
                                    SOUP_MEMORY_COPY,
                                    g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_signal_handlers_disconnect_by_data (msg, self);
  soup_server_message_unpause (msg);
}

/* Hands everything queued to the held poll, plus EXTRA (owned) if any. */
static void
flush_poll (SioEngineSocket *self,
            SioEioPacket    *extra)
{
  g_autoptr(GPtrArray) packets = g_ptr_array_new_with_free_func ((GDestroyNotify) sio_eio_packet_free);
  SioEioPacket *packet;

  while ((packet = queue_pop (self)) != NULL)
    g_ptr_array_add (packets, packet);
  if (extra != NULL)
    g_ptr_array_add (packets, extra);
  respond_poll (self, packets);
}

static void respond_error (SoupServerMessage *msg,
                           EngineError        code);

/* A poll that raced the end of an upgrade: it belongs to a transport that is gone. */
static void
fail_poll (SioEngineSocket *self)
{
  g_autoptr(SoupServerMessage) msg = g_steal_pointer (&self->poll);

  g_clear_handle_id (&self->noop_source, sio_deadline_remove);
  clear_poll_watch (self);
  respond_error (msg, ENGINE_ERROR_BAD_REQUEST);
  g_signal_handlers_disconnect_by_data (msg, self);
  soup_server_message_unpause (msg);
}

static void
respond_poll_with (SioEngineSocket *self,
                   SioEioType       type)
{
  g_autoptr(GPtrArray) packets = g_ptr_array_new_with_free_func ((GDestroyNotify) sio_eio_packet_free);

  g_ptr_array_add (packets, sio_eio_packet_new (type, NULL));
  respond_poll (self, packets);
}

static void
ws_send_packet (SioEngineSocket    *self,
                const SioEioPacket *packet)
{
  gboolean binary = FALSE;
  g_autoptr(GBytes) frame = sio_eio_encode_frame (packet, &binary);

  ws_queue_frame (self, frame, binary);
}

static gsize
packet_weight (const SioEioPacket *packet)
{
  gsize size = g_bytes_get_size (packet->data);

  /* as encoded for polling: a type character, base64 for binary */
  return packet->binary ? 2 + (size + 2) / 3 * 4 : 1 + size;
}

static void
queue_push (SioEngineSocket *self,
            SioEioPacket    *packet)
{
  self->queue_bytes += packet_weight (packet);
  g_queue_push_tail (&self->queue, packet);
}

static SioEioPacket *
queue_pop (SioEngineSocket *self)
{
  SioEioPacket *packet = g_queue_pop_head (&self->queue);

  if (packet != NULL)
    self->queue_bytes -= MIN (self->queue_bytes, packet_weight (packet));
  if (packet != NULL && packet->type == SIO_EIO_PING)
    self->ping_queued = FALSE;
  return packet;
}

static void
queue_clear (SioEngineSocket *self)
{
  g_queue_clear_full (&self->queue, (GDestroyNotify) sio_eio_packet_free);
  self->queue_bytes = 0;
}

/* How much of what we queued for the WebSocket its connection has taken. */
static guint64
ws_get_written (SioEngineSocket *self)
{
  GIOStream *stream;
  guint64 written;

  if (self->ws == NULL)
    return 0;
  stream = soup_websocket_connection_get_io_stream (self->ws);
  written = sio_buffered_stream_get_bytes_written (SIO_BUFFERED_STREAM (stream));
  /* libsoup's pongs to the client's pings and its close frames go out
   * too: whatever was written beyond what we queued was not ours */
  if (written - self->ws_foreign > self->ws_queued)
    self->ws_foreign = written - self->ws_queued;
  return written - self->ws_foreign;
}

/* Forgets the frames the connection has taken; returns how much it took. */
static guint64
ws_forget_written (SioEngineSocket *self)
{
  GArray *ends = self->ws_frame_ends;
  guint64 written = ws_get_written (self);

  while (ends != NULL && self->ws_frame_head < ends->len &&
         g_array_index (ends, guint64, self->ws_frame_head) <= written)
    self->ws_frame_head++;
  if (ends != NULL && self->ws_frame_head == ends->len)
    {
      /* all taken: a connection keeps nothing while it is idle */
      g_clear_pointer (&self->ws_frame_ends, g_array_unref);
      self->ws_frame_head = 0;
    }
  else if (ends != NULL && self->ws_frame_head >= 256 && self->ws_frame_head * 2 >= ends->len)
    {
      g_array_remove_range (ends, 0, self->ws_frame_head);
      self->ws_frame_head = 0;
    }
  return written;
}

/* What the client has not taken yet, in bytes and frames (packets). */
static void
socket_get_backlog (SioEngineSocket *self,
                    guint64         *bytes,
                    guint           *frames)
{
  *bytes = self->queue_bytes;
  *frames = g_queue_get_length (&self->queue);

  if (self->ws != NULL && self->ws_queued > 0)
    {
      guint64 written = ws_forget_written (self);

      *bytes += self->ws_queued - written;
      *frames += self->ws_frame_ends != NULL ? self->ws_frame_ends->len - self->ws_frame_head : 0;
    }
}

static void
ws_clear_backlog (SioEngineSocket *self)
{
  self->ws_queued = 0;
  self->ws_foreign = 0;
  g_clear_pointer (&self->ws_frame_ends, g_array_unref);
  self->ws_frame_head = 0;
}

static gboolean
on_slow_consumer (gpointer user_data)
{
  SioEngineSocket *self = user_data;
  g_autoptr(SioEngineSocket) hold = g_object_ref (self);
  g_autoptr(SioEngine) engine = self->engine != NULL ? g_object_ref (self->engine) : NULL;
  const char *transport = sio_engine_socket_get_transport (self);

  self->slow_source = 0;
  if (self->closed)
    return G_SOURCE_REMOVE;
  g_debug ("engine %s: slow consumer (%s), closing", self->id, transport);
  socket_close_internal (self, "slow consumer", FALSE);
  if (engine != NULL)
    g_signal_emit (engine, engine_signals[ENGINE_SLOW_CONSUMER], 0, transport);
  return G_SOURCE_REMOVE;
}

/* Over a limit: the client gets nothing more, and is closed once the
 * current send is over (a broadcast may be walking the room that a close
 * would change). What it has not taken is dropped. */
static void
socket_mark_slow (SioEngineSocket *self)
{
  if (self->slow || self->closed)
    return;
  self->slow = TRUE;
  g_clear_handle_id (&self->soft_source, sio_deadline_remove);
  g_clear_pointer (&self->ws_out, g_array_unref);
  queue_clear (self);
  self->slow_source = g_idle_add_full (G_PRIORITY_HIGH, on_slow_consumer, self, NULL);
}

static gboolean
on_soft_grace_over (gpointer user_data)
{
  SioEngineSocket *self = user_data;

  self->soft_source = 0;
  check_send_limits (self);
  return G_SOURCE_REMOVE;
}

/* As Redis's client-output-buffer-limit: past the hard limit at once, past
 * the soft one for longer than its grace period. FALSE: the socket is slow. */
static gboolean
check_send_limits (SioEngineSocket *self)
{
  const SioEngineSendLimits *limits;
  guint64 bytes;
  guint frames;
  gint64 now;

  if (self->slow)
    return FALSE;
  if (self->engine == NULL || self->closed)
    return TRUE;
  limits = &self->engine->send_limits;
  socket_get_backlog (self, &bytes, &frames);

  if ((limits->hard_bytes > 0 && bytes > limits->hard_bytes) ||
      (limits->hard_frames > 0 && frames > limits->hard_frames))
    {
      socket_mark_slow (self);
      return FALSE;
    }
  if ((limits->soft_bytes == 0 || bytes <= limits->soft_bytes) &&
      (limits->soft_frames == 0 || frames <= limits->soft_frames))
    {
      self->soft_since = 0;
      g_clear_handle_id (&self->soft_source, sio_deadline_remove);
      return TRUE;
    }

  now = g_get_monotonic_time ();
  if (self->soft_since == 0)
    self->soft_since = now;
  if (now - self->soft_since >= (gint64) limits->soft_seconds * G_USEC_PER_SEC)
    {
      socket_mark_slow (self);
      return FALSE;
    }
  /* still over when the grace period ends is too long, even if nothing more is sent */
  if (self->soft_source == 0)
    self->soft_source = sio_deadline_add (MAX (1, (self->soft_since + (gint64) limits->soft_seconds * G_USEC_PER_SEC - now) / 1000),
                                          on_soft_grace_over, self);
  return TRUE;
}

/* Takes PACKET. */
static void
socket_send_packet (SioEngineSocket *self,
                    SioEioPacket    *packet)
{
  if (self->closed || self->closing)
    {
      sio_eio_packet_free (packet);
      return;
    }

  if (self->transport == TRANSPORT_WEBSOCKET)
    {
      ws_send_packet (self, packet);
      sio_eio_packet_free (packet);
      return;
    }

  if (self->slow)
    {
      sio_eio_packet_free (packet);
      return;
    }
  queue_push (self, packet);
  if (self->poll != NULL && !self->upgrading)
    flush_poll (self, NULL);
  else
    check_send_limits (self);
}

static void
on_pong_timeout (SioEngineSocket *self)
{
  socket_close_internal (self, "ping timeout", FALSE);
}

static void
on_ping_time (SioEngineSocket *self)
{
  gint64 now = g_get_monotonic_time ();

  self->ping_queued = self->transport == TRANSPORT_POLLING;
  socket_send_packet (self, sio_eio_packet_new (SIO_EIO_PING, NULL));
  self->ping_end = self->ws_queued;
  /* Whole milliseconds from now, as the per-socket timeout used to be: a
   * deadline already past fires on the next round, not in this one. */
  socket_set_timer (self, TIMER_PONG, now + MAX (1, (MAX (0, self->pong_deadline - now) / 1000) * 1000));
}

typedef struct {
  SioEngineSocket *socket;  /* owned */
  SocketTimer      timer;
  guint            serial;
} DueTimer;

static void
due_timer_clear (gpointer data)
{
  g_object_unref (((DueTimer *) data)->socket);
}

static gboolean
on_timers_due (gpointer user_data)
{
  SioEngine *engine = user_data;
  g_autoptr(SioEngine) hold = g_object_ref (engine);
  g_autoptr(GArray) due = g_array_new (FALSE, FALSE, sizeof (DueTimer));
  gint64 now = g_get_monotonic_time ();

  g_array_set_clear_func (due, due_timer_clear);

  /* Taken out first, since firing one timer (a close) can change the others. */
  while (!g_sequence_is_empty (engine->timers))
    {
      SioEngineSocket *socket = g_sequence_get (g_sequence_get_begin_iter (engine->timers));
      DueTimer entry;

      if (socket->timer_due > now)
        break;
      entry.socket = g_object_ref (socket);
      entry.timer = socket->timer;
      socket->timer = TIMER_NONE;
      g_sequence_remove (g_steal_pointer (&socket->timer_link));
      entry.serial = ++socket->timer_serial;
      g_array_append_val (due, entry);
    }
  update_timer_source (engine);

  for (guint i = 0; i < due->len; i++)
    {
      DueTimer *entry = &g_array_index (due, DueTimer, i);

      /* A timer cleared or moved meanwhile no longer counts. */
      if (entry->socket->timer_serial != entry->serial || entry->socket->closed)
        continue;
      if (entry->timer == TIMER_PING)
        on_ping_time (entry->socket);
      else
        on_pong_timeout (entry->socket);
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
timer_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs timer_source_funcs = {
  .dispatch = timer_source_dispatch,
};

/* Pings fall due on a grid, as GLib's g_timeout_add_seconds() timers do:
 * the sockets whose pings fall in one step are pinged together, and their
 * pongs come back together. 10,000 idle connections then wake the loop a
 * few times a second rather than 400 times, and each wake-up costs the
 * same whatever the connections (GLib walks every source before it sleeps).
 * A ping leaves at most a fiftieth of the interval late (half a second at
 * the default 25 s); its pong's deadline does not move, so that much comes
 * off the client's ping timeout. */
static gint64
ping_due (SioEngine *engine,
          gint64     now)
{
  gint64 interval = (gint64) engine->ping_interval * 1000;
  gint64 step = MIN (interval / 50, G_USEC_PER_SEC / 2);
  gint64 due = now + interval;

  if (step < 1000)
    return due;
  return (due + step - 1) / step * step;
}

static void
schedule_ping (SioEngineSocket *self)
{
  gint64 now = g_get_monotonic_time ();

  /* The deadline counts from now, not from when the ping timer happens to
   * fire, so a late main loop does not stretch it. */
  self->pong_deadline = now + ((gint64) self->engine->ping_interval + self->engine->ping_timeout) * 1000;
  socket_set_timer (self, TIMER_PING, ping_due (self->engine, now));
}

/* WebSocket connections of this process still finishing their close
 * handshake: what a shutdown waits for. */
static guint n_closing_websockets;

static void
on_websocket_close_done (SoupWebsocketConnection *conn)
{
  n_closing_websockets--;
  g_object_unref (conn);
}

static void
close_websocket (SoupWebsocketConnection **ws,
                 SioEngineSocket          *self,
                 gushort                   code)
{
  g_autoptr(SoupWebsocketConnection) conn = NULL;

  /* what was sent before the close goes first */
  if (*ws == self->ws)
    ws_flush (self);
  conn = g_steal_pointer (ws);
  if (conn == NULL)
    return;
  g_signal_handlers_disconnect_by_data (conn, self);
  if (soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      soup_websocket_connection_close (conn, code, NULL);
      /* libsoup still has to write what a slow client has not taken yet,
       * then the close frame: dropping the last reference now would throw
       * that away and leave the client waiting on an open socket. The
       * connection lets itself go once closed (after at most libsoup's
       * 5 s close timeout). */
      n_closing_websockets++;
      g_signal_connect (conn, "closed", G_CALLBACK (on_websocket_close_done), NULL);
      g_steal_pointer (&conn);
    }
}

static gboolean
on_linger_end (gpointer user_data)
{
  SioEngineSocket *self = user_data;

  self->closing_source = 0;
  if (self->engine != NULL)
    g_hash_table_remove (self->engine->sockets, self->id);
  return G_SOURCE_REMOVE;
}

/* The address a new session counts against: the peer's, or what the
 * engine's address function makes of the request (the gateway's reads
 * X-Forwarded-For from a trusted reverse proxy). NULL when not known. */
static char *
engine_client_address (SioEngine         *self,
                       SoupServerMessage *msg)
{
  if (self->address_func != NULL)
    return self->address_func (msg, self->address_data);
  return g_strdup (soup_server_message_get_remote_host (msg));
}

static void
engine_hold_address (SioEngine  *self,
                     const char *address)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address));

  g_hash_table_replace (self->per_address, g_strdup (address), GUINT_TO_POINTER (n + 1));
}

static void
engine_release_address (SioEngine  *self,
                        const char *address)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address));

  if (n <= 1)
    g_hash_table_remove (self->per_address, address);
  else
    g_hash_table_replace (self->per_address, g_strdup (address), GUINT_TO_POINTER (n - 1));
}

/* BY_CLIENT: the client asked for it, so a held poll ends with NOOP rather than CLOSE. */
static void
socket_close_internal (SioEngineSocket *self,
                       const char      *reason,
                       gboolean         by_client)
{
  g_autoptr(SioEngineSocket) hold = NULL;
  gboolean linger;

  if (self->closed)
    return;
  hold = g_object_ref (self);
  self->closed = TRUE;
  if (self->counted && self->engine != NULL)
    engine_release_address (self->engine, self->remote_address);
  self->counted = FALSE;

  socket_clear_timer (self);
  g_clear_handle_id (&self->slow_source, g_source_remove);
  g_clear_handle_id (&self->upgrade_source, sio_deadline_remove);
  g_clear_handle_id (&self->closing_source, sio_deadline_remove);
  g_clear_handle_id (&self->noop_source, sio_deadline_remove);

  linger = by_client && self->transport == TRANSPORT_POLLING && self->poll == NULL;
  if (self->poll != NULL)
    {
      if (by_client || self->upgrading)
        respond_poll_with (self, SIO_EIO_NOOP);
      else
        flush_poll (self, sio_eio_packet_new (SIO_EIO_CLOSE, NULL));
    }
  close_websocket (&self->ws, self, SOUP_WEBSOCKET_CLOSE_NORMAL);
  queue_clear (self);
  ws_clear_backlog (self);
  g_clear_handle_id (&self->soft_source, sio_deadline_remove);

  /* A client's CLOSE and its poll travel on two connections and may arrive
   * in either order: keep the sid a moment so that poll still gets its NOOP. */
  if (linger && self->engine != NULL)
    {
      self->lingering = TRUE;
      self->closing_source = sio_deadline_add (self->engine->ping_timeout, on_linger_end, self);
    }
  else if (self->engine != NULL)
    g_hash_table_remove (self->engine->sockets, self->id);

  if (self->funcs != NULL && self->funcs->closed != NULL)
    self->funcs->closed (self, reason, self->funcs_data);
  g_signal_emit (self, socket_signals[SOCKET_CLOSED], 0, reason);
}

static void
on_message_packet (SioEngineSocket *self,
                   SioEioPacket    *packet)
{
  switch (packet->type)
    {
    case SIO_EIO_MESSAGE:
      {
        /* as g_signal_emit() would, while the direct call runs */
        g_autoptr(SioEngineSocket) hold = g_object_ref (self);

        if (self->funcs != NULL && self->funcs->message != NULL)
          self->funcs->message (self, packet->binary, packet->data, self->funcs_data);
        g_signal_emit (self, socket_signals[SOCKET_MESSAGE], 0, packet->binary, packet->data);
      }
      break;
    case SIO_EIO_PONG:
      /* Only the answer to a PING that left us proves the client reads: a
       * PONG sent blindly would otherwise keep a socket that never reads
       * (and never polls) alive. */
      if (self->timer == TIMER_PONG && !self->ping_queued &&
          (self->transport != TRANSPORT_WEBSOCKET || ws_get_written (self) >= self->ping_end))
        schedule_ping (self);
      break;
    case SIO_EIO_CLOSE:
      socket_close_internal (self, "transport close", TRUE);
      break;
    case SIO_EIO_NOOP:
      break;
    case SIO_EIO_PING:
      /* In v4 only the server pings; a client that does is not speaking v4. */
    case SIO_EIO_OPEN:
    case SIO_EIO_UPGRADE:
    default:
      socket_close_internal (self, "transport error", FALSE);
      break;
    }
}

static void
on_ws_message (SoupWebsocketConnection *ws,
               gint                     type,
               GBytes                  *message,
               gpointer                 user_data)
{
  SioEngineSocket *self = user_data;
  g_autoptr(SioEngineSocket) hold = g_object_ref (self);
  g_autoptr(SioEioPacket) packet = NULL;
  g_autoptr(GError) error = NULL;

  if (self->closed)
    return;

  if (g_bytes_get_size (message) > self->engine->max_payload)
    {
      if (self->transport == TRANSPORT_WEBSOCKET)
        socket_close_internal (self, "transport error", FALSE);
      else
        close_websocket (&self->ws, self, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
      return;
    }

  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    {
      gsize len;
      const char *data = g_bytes_get_data (message, &len);

      packet = sio_eio_decode_text_frame (data, len, &error);
    }
  else
    packet = sio_eio_decode_binary_frame (message);

  if (packet == NULL)
    {
      g_debug ("engine %s: %s", self->id, error ? error->message : "bad frame");
      if (self->transport == TRANSPORT_WEBSOCKET)
        socket_close_internal (self, "parse error", FALSE);
      else
        close_websocket (&self->ws, self, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR);
      return;
    }

  if (self->transport == TRANSPORT_WEBSOCKET)
    {
      on_message_packet (self, packet);
      return;
    }

  /* The probe of an upgrade from polling. */
  if (packet->type == SIO_EIO_PING &&
      g_strcmp0 (sio_eio_packet_get_text (packet, NULL), "probe") == 0)
    {
      g_autoptr(SioEioPacket) pong = sio_eio_packet_new (SIO_EIO_PONG, "probe");

      ws_send_packet (self, pong);
      self->upgrading = TRUE;
      /* the client keeps polling until this NOOP tells it to stop */
      if (self->poll != NULL)
        respond_poll_with (self, SIO_EIO_NOOP);
    }
  else if (packet->type == SIO_EIO_UPGRADE && self->upgrading)
    {
      SioEioPacket *queued;

      g_clear_handle_id (&self->upgrade_source, sio_deadline_remove);
      if (self->poll != NULL)
        fail_poll (self);
      self->transport = TRANSPORT_WEBSOCKET;
      self->upgrading = FALSE;
      while ((queued = queue_pop (self)) != NULL)
        {
          ws_send_packet (self, queued);
          sio_eio_packet_free (queued);
        }
      g_object_notify_by_pspec (G_OBJECT (self), socket_properties[SOCKET_PROP_TRANSPORT]);
    }
  else
    {
      self->upgrading = FALSE;
      g_clear_handle_id (&self->upgrade_source, sio_deadline_remove);
      close_websocket (&self->ws, self, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR);
    }
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  SioEngineSocket *self = user_data;

  if (self->transport == TRANSPORT_WEBSOCKET)
    {
      socket_close_internal (self, "transport close", TRUE);
      return;
    }

  /* a probe that went away: the session carries on polling */
  self->upgrading = FALSE;
  g_clear_handle_id (&self->upgrade_source, sio_deadline_remove);
  close_websocket (&self->ws, self, SOUP_WEBSOCKET_CLOSE_NORMAL);
}

static void
on_ws_error (SoupWebsocketConnection *ws,
             GError                  *error,
             gpointer                 user_data)
{
  SioEngineSocket *self = user_data;

  g_debug ("engine %s: websocket: %s", self->id, error->message);
}

static gboolean
on_upgrade_timeout (gpointer user_data)
{
  SioEngineSocket *self = user_data;

  self->upgrade_source = 0;
  self->upgrading = FALSE;
  close_websocket (&self->ws, self, SOUP_WEBSOCKET_CLOSE_NORMAL);
  return G_SOURCE_REMOVE;
}

static void
socket_take_websocket (SioEngineSocket         *self,
                       SoupWebsocketConnection *ws)
{
  self->ws = g_object_ref (ws);
  ws_clear_backlog (self);
  soup_websocket_connection_set_max_incoming_payload_size (ws, self->engine->max_payload);
  /* Engine.IO has its own heartbeat; a second one would only add traffic. */
  soup_websocket_connection_set_keepalive_interval (ws, 0);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), self);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), self);
  g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), self);
}

static gboolean
on_closing_timeout (gpointer user_data)
{
  SioEngineSocket *self = user_data;

  self->closing_source = 0;
  socket_close_internal (self, self->close_reason, FALSE);
  return G_SOURCE_REMOVE;
}

const char *
sio_engine_socket_get_id (SioEngineSocket *self)
{
  g_return_val_if_fail (SIO_IS_ENGINE_SOCKET (self), NULL);
  return self->id;
}

const char *
sio_engine_socket_get_transport (SioEngineSocket *self)
{
  g_return_val_if_fail (SIO_IS_ENGINE_SOCKET (self), NULL);
  return self->transport == TRANSPORT_WEBSOCKET ? "websocket" : "polling";
}

const char *
sio_engine_socket_get_query (SioEngineSocket *self,
                             const char      *name)
{
  g_return_val_if_fail (SIO_IS_ENGINE_SOCKET (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (self->query == NULL && self->query_string != NULL)
    self->query = g_uri_parse_params (self->query_string, -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
  return self->query ? g_hash_table_lookup (self->query, name) : NULL;
}

const char *
sio_engine_socket_get_remote_address (SioEngineSocket *self)
{
  g_return_val_if_fail (SIO_IS_ENGINE_SOCKET (self), NULL);
  return self->remote_address;
}

gboolean
sio_engine_socket_is_open (SioEngineSocket *self)
{
  g_return_val_if_fail (SIO_IS_ENGINE_SOCKET (self), FALSE);
  return !self->closed && !self->closing;
}

void
sio_engine_socket_send_text (SioEngineSocket *self,
                             const char      *text,
                             gssize           len)
{
  g_autofree char *copy = NULL;

  g_return_if_fail (SIO_IS_ENGINE_SOCKET (self));
  g_return_if_fail (text != NULL);

  if (len >= 0)
    text = copy = g_strndup (text, len);
  socket_send_packet (self, sio_eio_packet_new (SIO_EIO_MESSAGE, text));
}

GBytes *
sio_engine_text_frame_new (const char *text)
{
  g_autoptr(SioEioPacket) packet = NULL;
  gboolean binary;

  g_return_val_if_fail (text != NULL, NULL);

  packet = sio_eio_packet_new (SIO_EIO_MESSAGE, text);
  return sio_eio_encode_frame (packet, &binary);
}

void
sio_engine_socket_send_text_frame (SioEngineSocket *self,
                                   GBytes          *frame)
{
  gsize len;
  const char *data;

  g_return_if_fail (SIO_IS_ENGINE_SOCKET (self));
  g_return_if_fail (frame != NULL);

  data = g_bytes_get_data (frame, &len);
  g_return_if_fail (len >= 1 && data[0] == '4');
  if (self->closed || self->closing)
    return;
  if (self->transport == TRANSPORT_WEBSOCKET)
    ws_queue_frame (self, frame, FALSE);
  else
    sio_engine_socket_send_text (self, data + 1, len - 1);
}

void
sio_engine_socket_send_binary (SioEngineSocket *self,
                               GBytes          *data)
{
  g_return_if_fail (SIO_IS_ENGINE_SOCKET (self));
  g_return_if_fail (data != NULL);

  socket_send_packet (self, sio_eio_packet_new_binary (data));
}

void
sio_engine_socket_set_funcs (SioEngineSocket            *self,
                             const SioEngineSocketFuncs *funcs,
                             gpointer                    user_data)
{
  g_return_if_fail (SIO_IS_ENGINE_SOCKET (self));

  self->funcs = funcs;
  self->funcs_data = funcs != NULL ? user_data : NULL;
}

void
sio_engine_socket_close (SioEngineSocket *self,
                         const char      *reason)
{
  g_return_if_fail (SIO_IS_ENGINE_SOCKET (self));

  if (self->closed || self->closing)
    return;

  /* What was sent last (a DISCONNECT, typically) must reach the client before
   * CLOSE does, in an earlier poll: so unless a poll is waiting with nothing
   * queued, the session waits for the polls to come. */
  if (self->transport == TRANSPORT_POLLING && self->engine != NULL &&
      (self->poll == NULL || !g_queue_is_empty (&self->queue)))
    {
      self->closing = TRUE;
      self->close_reason = g_strdup (reason ? reason : "forced close");
      socket_clear_timer (self);
      self->closing_source = sio_deadline_add (self->engine->ping_timeout, on_closing_timeout, self);
      return;
    }
  socket_close_internal (self, reason ? reason : "forced close", FALSE);
}

/* The accepted socket, on the remote address libsoup keeps for the
 * connection: connections handed over as streams have no GSocket in libsoup,
 * and a held poll needs one to notice its client leaving. */
static GQuark
accepted_socket_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("sio-engine-accepted-socket");
  return quark;
}

static GSocket *
message_get_socket (SoupServerMessage *msg)
{
  GSocket *gsocket = soup_server_message_get_socket (msg);
  GSocketAddress *remote;

  if (gsocket != NULL)
    return gsocket;
  remote = soup_server_message_get_remote_address (msg);
  return remote != NULL ? g_object_get_qdata (G_OBJECT (remote), accepted_socket_quark ()) : NULL;
}

static void
respond_error (SoupServerMessage *msg,
               EngineError        code)
{
  g_autofree char *body = g_strdup_printf ("{\"code\":%d,\"message\":\"%s\"}",
                                           code, engine_error_messages[code]);

  soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=UTF-8", SOUP_MEMORY_COPY, text, strlen (text));
}

/* RESERVED: the request already holds a count for its address (a WebSocket
 * handshake's), which the session takes over. */
static SioEngineSocket *
engine_open_socket (SioEngine         *self,
                    SoupServerMessage *msg,
                    Transport          transport,
                    gboolean           reserved)
{
  SioEngineSocket *socket = g_object_new (SIO_TYPE_ENGINE_SOCKET, NULL);
  g_autoptr(SioEioPacket) open = NULL;
  g_autofree char *json = NULL;
  const char *upgrades_polling[] = { "websocket", NULL };
  const char *upgrades_none[] = { NULL };
  SioEioHandshake handshake;

  socket->engine = self;
  socket->id = generate_sid ();
  socket->transport = transport;
  socket->remote_address = engine_client_address (self, msg);
  if (socket->remote_address != NULL)
    {
      if (!reserved)
        engine_hold_address (self, socket->remote_address);
      socket->counted = TRUE;
    }
  /* A table of copies would cost every session a few hundred bytes for
   * something hardly anyone looks at. */
  socket->query_string = g_strdup (g_uri_get_query (soup_server_message_get_uri (msg)));
  g_hash_table_insert (self->sockets, socket->id, socket);

  handshake.sid = socket->id;
  handshake.upgrades = (char **) (transport == TRANSPORT_POLLING ? upgrades_polling : upgrades_none);
  handshake.ping_interval = self->ping_interval;
  handshake.ping_timeout = self->ping_timeout;
  handshake.max_payload = self->max_payload;
  json = sio_eio_handshake_to_json (&handshake);
  queue_push (socket, sio_eio_packet_new (SIO_EIO_OPEN, json));
  schedule_ping (socket);

  return socket;
}

static void
on_poll_finished (SoupServerMessage *msg,
                  gpointer           user_data)
{
  SioEngineSocket *self = user_data;

  /* Finished while still held: the client gave up on the request. */
  if (self->poll == msg)
    {
      clear_poll_watch (self);
      g_clear_object (&self->poll);
      socket_close_internal (self, "transport close", TRUE);
    }
}

/* libsoup does not read a paused request's connection, so it would not see
 * the client go away; without this, what the next flush carries is lost. */
static gboolean
on_poll_socket (GSocket      *gsocket,
                GIOCondition  condition,
                gpointer      user_data)
{
  SioEngineSocket *self = user_data;
  char byte;
  gssize n = recv (g_socket_get_fd (gsocket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&self->poll_watch, g_source_unref);
  if (n > 0 || self->poll == NULL)
    return G_SOURCE_REMOVE;   /* a pipelined request (or TLS): not ours to judge */

  /* answered into the void, so that libsoup finishes the request */
  respond_poll_with (self, SIO_EIO_NOOP);
  socket_close_internal (self, "transport close", FALSE);
  return G_SOURCE_REMOVE;
}

static gboolean
on_noop_time (gpointer user_data)
{
  SioEngineSocket *self = user_data;

  self->noop_source = 0;
  if (self->poll != NULL)
    respond_poll_with (self, SIO_EIO_NOOP);
  return G_SOURCE_REMOVE;
}

static void
handle_poll (SioEngine         *self,
             SioEngineSocket   *socket,
             SoupServerMessage *msg)
{
  if (socket->poll != NULL)
    {
      /* Two polls at once: the official server treats it as a broken client. */
      respond_error (msg, ENGINE_ERROR_BAD_REQUEST);
      socket_close_internal (socket, "transport error", FALSE);
      return;
    }

  /* Either way the status must be set now, or libsoup takes the held request
   * for a failed WebSocket handshake on the same path. */
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_pause (msg);
  socket->poll = g_object_ref (msg);
  g_signal_connect (msg, "finished", G_CALLBACK (on_poll_finished), socket);
  if (message_get_socket (msg) != NULL)
    {
      socket->poll_watch = g_socket_create_source (message_get_socket (msg),
                                                   G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_callback (socket->poll_watch, G_SOURCE_FUNC (on_poll_socket), socket, NULL);
      g_source_attach (socket->poll_watch, NULL);
    }

  if (socket->upgrading)
    {
      /* Held a moment, as the official server does: if UPGRADE arrives
       * meanwhile this poll is refused, else it ends with NOOP. */
      socket->noop_source = sio_deadline_add (100, on_noop_time, socket);
    }
  else if (socket->closing && !g_queue_is_empty (&socket->queue))
    {
      /* CLOSE goes in the next poll: socket.io-client handles the messages of
       * a payload a tick later than its CLOSE, so a DISCONNECT sharing the
       * payload would be seen as "transport close" */
      flush_poll (socket, NULL);
    }
  else if (socket->closing)
    socket_close_internal (socket, socket->close_reason, FALSE);
  else if (!g_queue_is_empty (&socket->queue))
    flush_poll (socket, NULL);
}

static void
handle_post (SioEngine         *self,
             SioEngineSocket   *socket,
             SoupServerMessage *msg)
{
  g_autoptr(SioEngineSocket) hold = g_object_ref (socket);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GPtrArray) packets = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  gsize len;
  const char *data;

  body = soup_message_body_flatten (request_body);
  data = g_bytes_get_data (body, &len);
  if (len > self->max_payload)
    {
      respond_text (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "Payload Too Large");
      socket_close_internal (socket, "transport error", FALSE);
      return;
    }

  packets = sio_eio_decode_payload (data, len, &error);
  if (packets == NULL)
    {
      g_debug ("engine %s: %s", socket->id, error->message);
      respond_error (msg, ENGINE_ERROR_BAD_REQUEST);
      socket_close_internal (socket, "parse error", FALSE);
      return;
    }

  respond_text (msg, SOUP_STATUS_OK, "ok");
  for (guint i = 0; i < packets->len && !socket->closed; i++)
    {
      if (socket->closing)
        break;
      on_message_packet (socket, g_ptr_array_index (packets, i));
    }
}

/* Whether a new session from MSG's address may open; if not, MSG is
 * answered 429 and ::refused says so. */
static gboolean
engine_admit (SioEngine         *self,
              SoupServerMessage *msg)
{
  g_autofree char *address = engine_client_address (self, msg);

  if (self->max_per_address == 0 || address == NULL ||
      GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address)) < self->max_per_address)
    return TRUE;

  /* 429: libsoup 3.2 has no name for it, so the phrase goes along */
  respond_text (msg, 429, "Too many connections from this address");
  soup_server_message_set_status (msg, 429, "Too Many Requests");
  g_signal_emit (self, engine_signals[ENGINE_REFUSED], 0, "per_address", address);
  return FALSE;
}

/* A WebSocket handshake's count for its address, from the request until
 * the session takes it over, or given back if the 101 never goes out. */
typedef struct
{
  GWeakRef engine;
  char    *address;
  gboolean taken;
} Reservation;

static void
reservation_free (gpointer data)
{
  Reservation *reservation = data;
  g_autoptr(SioEngine) engine = g_weak_ref_get (&reservation->engine);

  if (!reservation->taken && engine != NULL)
    engine_release_address (engine, reservation->address);
  g_weak_ref_clear (&reservation->engine);
  g_free (reservation->address);
  g_free (reservation);
}

static void
reservation_attach (SioEngine         *self,
                    SoupServerMessage *msg)
{
  g_autofree char *address = engine_client_address (self, msg);
  Reservation *reservation;

  if (address == NULL)
    return;
  reservation = g_new0 (Reservation, 1);
  g_weak_ref_init (&reservation->engine, self);
  reservation->address = g_strdup (address);
  engine_hold_address (self, address);
  g_object_set_data_full (G_OBJECT (msg), "sio-engine-reservation", reservation, reservation_free);
}

static void
reservation_take (SoupServerMessage *msg)
{
  Reservation *reservation = g_object_get_data (G_OBJECT (msg), "sio-engine-reservation");

  if (reservation != NULL)
    reservation->taken = TRUE;
}

/* The 101 has gone out: the connection is the WebSocket's from here on.
 * libsoup's own WebSocket handler does the same, but over the bare
 * connection; ours goes over a SioBufferedStream (ws_flush). */
static void
on_websocket_upgraded (SoupServerMessage *msg,
                       gpointer           user_data)
{
  SioEngine *self = user_data;
  g_autoptr(SoupServerMessage) hold = g_object_ref (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  GSocket *gsocket = message_get_socket (msg);
  g_autoptr(GIOStream) base = NULL;
  g_autoptr(SioBufferedStream) stream = NULL;
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(GHashTable) query = NULL;
  const char *sid;
  SioEngineSocket *socket;

  /* Frames that belong together leave in one write (ws_flush), so Nagle
   * has nothing left to gain, and a lone frame behind an unacknowledged one
   * would wait for a client's delayed ACK. Node's HTTP server sets it too. */
  if (gsocket != NULL)
    g_socket_set_option (gsocket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  base = soup_server_message_steal_connection (msg);
  stream = sio_buffered_stream_new (base, gsocket);
  connection = soup_websocket_connection_new (G_IO_STREAM (stream), uri, SOUP_WEBSOCKET_CONNECTION_SERVER,
                                              soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Origin"),
                                              NULL, NULL);

  if (g_uri_get_query (uri) != NULL)
    query = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  sid = query ? g_hash_table_lookup (query, "sid") : NULL;

  if (sid == NULL)
    {
      SioEioPacket *open;

      reservation_take (msg);
      socket = engine_open_socket (self, msg, TRANSPORT_WEBSOCKET, TRUE);
      socket_take_websocket (socket, connection);
      open = queue_pop (socket);
      ws_send_packet (socket, open);
      sio_eio_packet_free (open);
      g_signal_emit (self, engine_signals[ENGINE_CONNECTION], 0, socket);
      return;
    }

  socket = g_hash_table_lookup (self->sockets, sid);
  if (socket == NULL || socket->closed || socket->closing ||
      socket->transport != TRANSPORT_POLLING || socket->ws != NULL)
    {
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, NULL);
      return;
    }

  socket_take_websocket (socket, connection);
  socket->upgrade_source = sio_deadline_add (SIO_ENGINE_DEFAULT_UPGRADE_TIMEOUT, on_upgrade_timeout, socket);
}

/* A refused request's connection after the 413: what the client still
 * sends is read and dropped for a moment, so that closing does not reset
 * the connection before the client has read the answer (nginx's lingering
 * close). A fixed buffer, a byte cap and a deadline bound it. */
typedef struct {
  GIOStream    *stream;
  GSocket      *socket;
  GBytes       *response;
  GCancellable *cancellable;
  GSource      *deadline;
  gsize         drained;
  guint8        buffer[4096];
} RefusedConnection;

#define REFUSED_LINGER_BYTES (1024 * 1024)
#define REFUSED_LINGER_S     2

static void
refused_connection_free (RefusedConnection *refused)
{
  if (refused->deadline != NULL)
    g_source_destroy (refused->deadline);
  g_clear_pointer (&refused->deadline, g_source_unref);
  g_io_stream_close (refused->stream, NULL, NULL);
  g_object_unref (refused->stream);
  g_clear_object (&refused->socket);
  g_bytes_unref (refused->response);
  g_object_unref (refused->cancellable);
  g_free (refused);
}

static gboolean
on_refused_deadline (gpointer user_data)
{
  RefusedConnection *refused = user_data;

  /* the pending operation's callback frees it */
  g_cancellable_cancel (refused->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
on_refused_drained (GObject      *input,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  RefusedConnection *refused = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (input), result, NULL);

  if (n <= 0 || g_cancellable_is_cancelled (refused->cancellable) ||
      (refused->drained += n) >= REFUSED_LINGER_BYTES)
    {
      refused_connection_free (refused);
      return;
    }
  g_input_stream_read_async (G_INPUT_STREAM (input), refused->buffer, sizeof refused->buffer,
                             G_PRIORITY_DEFAULT, refused->cancellable, on_refused_drained, refused);
}

static void
on_refused_written (GObject      *output,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  RefusedConnection *refused = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (output), result, NULL, NULL) ||
      refused->socket == NULL)
    {
      refused_connection_free (refused);
      return;
    }
  /* the client sees the end of the answer; what it still sends is dropped */
  g_socket_shutdown (refused->socket, FALSE, TRUE, NULL);
  g_input_stream_read_async (g_io_stream_get_input_stream (refused->stream), refused->buffer,
                             sizeof refused->buffer, G_PRIORITY_DEFAULT, refused->cancellable,
                             on_refused_drained, refused);
}

typedef struct {
  gsize                 limit;
  gsize                 received;
  char                 *content_type;
  char                 *body;
  SioEngineBodyRefused  refused;
  gpointer              user_data;
  GDestroyNotify        destroy;
} BodyLimit;

static void
body_limit_free (gpointer data)
{
  BodyLimit *limit = data;

  if (limit->destroy != NULL)
    limit->destroy (limit->user_data);
  g_free (limit->content_type);
  g_free (limit->body);
  g_free (limit);
}

/* libsoup 3.2 reads a whole body before any handler may answer, even one
 * whose status an early handler has set: the only way to stop reading is
 * to take the connection from it and answer there. */
static void
refuse_body (SoupServerMessage *msg,
             BodyLimit         *limit)
{
  g_autoptr(SoupServerMessage) hold = g_object_ref (msg);
  GSocket *gsocket = soup_server_message_get_socket (msg);
  g_autoptr(GSocket) socket_ref = gsocket != NULL ? g_object_ref (gsocket) : NULL;
  g_autofree char *response = NULL;
  gsize response_length;
  RefusedConnection *refused;
  GIOStream *stream;

  g_signal_handlers_disconnect_matched (msg, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, limit);
  if (limit->refused != NULL)
    limit->refused (msg, limit->user_data);

  response = g_strdup_printf ("HTTP/1.1 413 Payload Too Large\r\n"
                              "Content-Type: %s\r\n"
                              "Content-Length: %zu\r\n"
                              "Cache-Control: no-store\r\n"
                              "Connection: close\r\n"
                              "\r\n%s",
                              limit->content_type, strlen (limit->body), limit->body);
  response_length = strlen (response);
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    return;

  refused = g_new0 (RefusedConnection, 1);
  refused->stream = stream;
  refused->socket = g_steal_pointer (&socket_ref);
  refused->response = g_bytes_new_take (g_steal_pointer (&response), response_length);
  refused->cancellable = g_cancellable_new ();
  refused->deadline = g_timeout_source_new_seconds (REFUSED_LINGER_S);
  g_source_set_callback (refused->deadline, on_refused_deadline, refused, NULL);
  g_source_set_static_name (refused->deadline, "SioEngine refused body");
  g_source_attach (refused->deadline, NULL);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
                                   g_bytes_get_data (refused->response, NULL),
                                   g_bytes_get_size (refused->response),
                                   G_PRIORITY_DEFAULT, refused->cancellable,
                                   on_refused_written, refused);
}

static void
on_limited_chunk (SoupServerMessage *msg,
                  GBytes            *chunk,
                  gpointer           user_data)
{
  BodyLimit *limit = user_data;

  limit->received += g_bytes_get_size (chunk);
  if (limit->received > limit->limit)
    refuse_body (msg, limit);
}

void
sio_engine_limit_request_body (SoupServerMessage    *msg,
                               gsize                 max_bytes,
                               const char           *content_type,
                               const char           *body,
                               SioEngineBodyRefused  refused,
                               gpointer              user_data,
                               GDestroyNotify        destroy)
{
  SoupMessageHeaders *headers;
  SoupEncoding encoding;
  BodyLimit *limit;

  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg));
  g_return_if_fail (content_type != NULL && body != NULL);

  /* libsoup reads no more than a declared length: only a larger one, or a
   * chunked body, needs watching */
  headers = soup_server_message_get_request_headers (msg);
  encoding = soup_message_headers_get_encoding (headers);
  if (encoding == SOUP_ENCODING_NONE ||
      (encoding == SOUP_ENCODING_CONTENT_LENGTH &&
       soup_message_headers_get_content_length (headers) <= (goffset) max_bytes))
    {
      if (destroy != NULL)
        destroy (user_data);
      return;
    }

  limit = g_new0 (BodyLimit, 1);
  limit->limit = max_bytes;
  limit->content_type = g_strdup (content_type);
  limit->body = g_strdup (body);
  limit->refused = refused;
  limit->user_data = user_data;
  limit->destroy = destroy;
  g_object_set_data_full (G_OBJECT (msg), "sio-engine-body-limit", limit, body_limit_free);

  /* A declared length past the limit is refused before a byte of it is read. */
  if (encoding == SOUP_ENCODING_CONTENT_LENGTH)
    {
      refuse_body (msg, limit);
      return;
    }
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_limited_chunk), limit);
}

static void
on_engine_body_refused (SoupServerMessage *msg,
                        gpointer           user_data)
{
  SioEngine *self = user_data;
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) params = query != NULL ? g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL) : NULL;
  const char *sid = params != NULL ? g_hash_table_lookup (params, "sid") : NULL;
  SioEngineSocket *socket = sid != NULL ? g_hash_table_lookup (self->sockets, sid) : NULL;

  /* as the official server does with a payload past maxPayload */
  if (socket != NULL && !socket->closed)
    socket_close_internal (socket, "transport error", FALSE);
  g_signal_emit (self, engine_signals[ENGINE_BODY_REFUSED], 0, soup_server_message_get_method (msg));
}

static void
on_early_request (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  SioEngine *self = user_data;

  sio_engine_limit_request_body (msg, self->max_payload, "text/plain; charset=UTF-8", "Payload Too Large",
                                 on_engine_body_refused, g_object_ref (self), g_object_unref);
}

static void
on_http_request (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  SioEngine *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  const char *eio = query ? g_hash_table_lookup (query, "EIO") : NULL;
  const char *transport = query ? g_hash_table_lookup (query, "transport") : NULL;
  const char *sid = query ? g_hash_table_lookup (query, "sid") : NULL;
  SioEngineSocket *socket = NULL;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  /* Every polling request gets a connection of its own: libsoup 3.2 keeps
   * ~2 KiB for each idle keep-alive connection that the client closes (fixed
   * in 3.3, commit d20c6601), which a long-running gateway cannot afford.
   * Saying so also stops a keep-alive client (Node's agent) from reusing the
   * socket libsoup is about to drop. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");

  if (g_strcmp0 (transport, "polling") != 0 && g_strcmp0 (transport, "websocket") != 0)
    {
      respond_error (msg, ENGINE_ERROR_UNKNOWN_TRANSPORT);
      return;
    }
  if (g_strcmp0 (eio, "4") != 0)
    {
      respond_error (msg, ENGINE_ERROR_UNSUPPORTED_PROTOCOL_VERSION);
      return;
    }
  if (sid != NULL)
    {
      socket = g_hash_table_lookup (self->sockets, sid);
      if (socket != NULL && socket->lingering && g_strcmp0 (method, "GET") == 0)
        {
          respond_text (msg, SOUP_STATUS_OK, "6");
          g_hash_table_remove (self->sockets, sid);
          return;
        }
      if (socket == NULL || socket->closed)
        {
          respond_error (msg, ENGINE_ERROR_UNKNOWN_SID);
          return;
        }
    }

  if (socket != NULL && socket->timer == TIMER_PONG &&
      g_get_monotonic_time () >= socket->pong_deadline)
    {
      /* the timeout is due but its source has not run yet */
      socket_close_internal (socket, "ping timeout", FALSE);
      respond_error (msg, ENGINE_ERROR_UNKNOWN_SID);
      return;
    }

  if (g_str_equal (transport, "websocket"))
    {
      /* Leave the status unset: libsoup then performs the WebSocket handshake
       * and on_websocket() takes it from there. */
      /* A second WebSocket for a session is refused by on_websocket(), after
       * the handshake, as the official server does: clients expect a close there. */
      if (g_strcmp0 (method, "GET") != 0)
        respond_error (msg, ENGINE_ERROR_BAD_HANDSHAKE_METHOD);
      /* No extension is offered: with permessage-deflate, as the official
       * server has it off, libsoup would inflate a message whole before
       * maxPayload is checked (a deflate bomb). A failed handshake gets
       * libsoup's own 400 or 403. */
      else if (sid == NULL && !engine_admit (self, msg))
        return;
      else if (soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL))
        {
          if (sid == NULL)
            reservation_attach (self, msg);
          g_signal_connect_object (msg, "wrote-informational", G_CALLBACK (on_websocket_upgraded), self, 0);
        }
      return;
    }

  if (socket == NULL)
    {
      if (g_strcmp0 (method, "GET") != 0)
        {
          respond_error (msg, ENGINE_ERROR_BAD_HANDSHAKE_METHOD);
          return;
        }
      if (!engine_admit (self, msg))
        return;
      socket = engine_open_socket (self, msg, TRANSPORT_POLLING, FALSE);
      handle_poll (self, socket, msg);
      g_signal_emit (self, engine_signals[ENGINE_CONNECTION], 0, socket);
      return;
    }

  if (socket->transport != TRANSPORT_POLLING)
    {
      /* the session moved to WebSocket: stray polls are refused, the session stays */
      respond_error (msg, ENGINE_ERROR_BAD_REQUEST);
      return;
    }

  if (g_strcmp0 (method, "GET") == 0)
    handle_poll (self, socket, msg);
  else if (g_strcmp0 (method, "POST") == 0)
    handle_post (self, socket, msg);
  else
    respond_error (msg, ENGINE_ERROR_BAD_REQUEST);
}

static void
sio_engine_dispose (GObject *object)
{
  SioEngine *self = SIO_ENGINE (object);

  sio_engine_close (self);
  g_clear_object (&self->server);
  if (self->timer_source != NULL)
    g_source_destroy (self->timer_source);
  g_clear_pointer (&self->timer_source, g_source_unref);
  if (self->flush_source != NULL)
    g_source_destroy (self->flush_source);
  g_clear_pointer (&self->flush_source, g_source_unref);
  g_clear_pointer (&self->dirty, g_ptr_array_unref);

  G_OBJECT_CLASS (sio_engine_parent_class)->dispose (object);
}

static void
sio_engine_finalize (GObject *object)
{
  SioEngine *self = SIO_ENGINE (object);

  g_hash_table_unref (self->sockets);
  g_hash_table_unref (self->per_address);
  if (self->address_destroy != NULL)
    self->address_destroy (self->address_data);
  g_sequence_free (self->timers);
  g_free (self->path);

  G_OBJECT_CLASS (sio_engine_parent_class)->finalize (object);
}

static void
sio_engine_class_init (SioEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sio_engine_dispose;
  object_class->finalize = sio_engine_finalize;

  /* A new session, after its handshake went out. */
  engine_signals[ENGINE_CONNECTION] =
    g_signal_new ("connection", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SIO_TYPE_ENGINE_SOCKET);
  /* A request body past maxPayload was refused with 413 and its connection
   * closed; the argument is the request's method. */
  engine_signals[ENGINE_BODY_REFUSED] =
    g_signal_new ("body-refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* A session was closed for not taking what it was sent (the send
   * limits); the argument is its transport, "polling" or "websocket". */
  engine_signals[ENGINE_SLOW_CONSUMER] =
    g_signal_new ("slow-consumer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /* A new session was refused (REASON "per_address"), for ADDRESS. */
  engine_signals[ENGINE_REFUSED] =
    g_signal_new ("refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
sio_engine_init (SioEngine *self)
{
  self->sockets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->ping_interval = SIO_ENGINE_DEFAULT_PING_INTERVAL;
  self->ping_timeout = SIO_ENGINE_DEFAULT_PING_TIMEOUT;
  self->max_payload = SIO_ENGINE_DEFAULT_MAX_PAYLOAD;
  self->send_limits.hard_bytes = SIO_ENGINE_DEFAULT_SEND_HARD_BYTES;
  self->send_limits.hard_frames = SIO_ENGINE_DEFAULT_SEND_HARD_FRAMES;
  self->send_limits.soft_bytes = SIO_ENGINE_DEFAULT_SEND_SOFT_BYTES;
  self->send_limits.soft_frames = SIO_ENGINE_DEFAULT_SEND_SOFT_FRAMES;
  self->send_limits.soft_seconds = SIO_ENGINE_DEFAULT_SEND_SOFT_SECONDS;
  self->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->timers = g_sequence_new (NULL);
  self->timer_source = g_source_new (&timer_source_funcs, sizeof (GSource));
  g_source_set_callback (self->timer_source, on_timers_due, self, NULL);
  g_source_set_static_name (self->timer_source, "SioEngine timers");
  g_source_attach (self->timer_source, NULL);
  self->dirty = g_ptr_array_new_with_free_func (g_object_unref);
  /* timer_source_funcs: a source that only runs when its ready time says */
  self->flush_source = g_source_new (&timer_source_funcs, sizeof (GSource));
  g_source_set_callback (self->flush_source, on_flush, self, NULL);
  g_source_set_static_name (self->flush_source, "SioEngine flush");
  g_source_attach (self->flush_source, NULL);
}

SioEngine *
sio_engine_new (void)
{
  return g_object_new (SIO_TYPE_ENGINE, NULL);
}

void
sio_engine_attach (SioEngine  *self,
                   SoupServer *server,
                   const char *path)
{
  g_return_if_fail (SIO_IS_ENGINE (self));
  g_return_if_fail (SOUP_IS_SERVER (server));
  g_return_if_fail (path != NULL && path[0] == '/');
  g_return_if_fail (self->server == NULL);

  self->server = g_object_ref (server);
  self->path = g_strdup (path);
  soup_server_add_early_handler (server, path, on_early_request, self, NULL);
  soup_server_add_handler (server, path, on_http_request, self, NULL);
}

/* libsoup 3.2's own listener keeps a reference to every socket it accepts
 * (fixed in 3.4, commit b545d5f0): ~0.6 KiB of RSS per connection, forever.
 * So connections are accepted here and handed over as streams, a path that
 * frees everything once the connection is done. Not by a GSocketService
 * either: when accept() fails for want of descriptors it warns and retries
 * at once, in a loop for as long as they lack (and libsoup's listener
 * stops accepting for good). */
typedef struct
{
  SoupServer *server;  /* unowned: the server owns its listeners */
  GSocket    *socket;
  GSource    *watch;   /* readable: connections waiting */
  GSource    *pause;   /* after a failed accept(), until accepting again */
  gboolean    starved; /* said so once; says so again when it ends */
} Listener;

/* Out of descriptors or memory: waiting a moment lets connections end. */
#define LISTENER_PAUSE_MS 100
/* Accepted per wakeup, so that a burst does not hold up the connections open already. */
#define LISTENER_BATCH 64

static gboolean on_listener_readable (GSocket      *socket,
                                      GIOCondition  condition,
                                      gpointer      user_data);

static void
listener_watch (Listener *listener)
{
  listener->watch = g_socket_create_source (listener->socket, G_IO_IN, NULL);
  g_source_set_callback (listener->watch, G_SOURCE_FUNC (on_listener_readable), listener, NULL);
  g_source_set_static_name (listener->watch, "SioEngine listener");
  g_source_attach (listener->watch, NULL);
}

static gboolean
on_listener_resume (gpointer user_data)
{
  Listener *listener = user_data;

  g_clear_pointer (&listener->pause, g_source_unref);
  listener_watch (listener);
  return G_SOURCE_REMOVE;
}

static void
listener_accept (Listener *listener,
                 GSocket  *gsocket)
{
  g_autoptr(GSocketConnection) connection = g_socket_connection_factory_create_connection (gsocket);
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;

  local = g_socket_get_local_address (gsocket, &error);
  if (local != NULL)
    remote = g_socket_get_remote_address (gsocket, &error);
  if (local == NULL || remote == NULL)
    {
      /* gone between accept() and now (ENOTCONN) */
      g_debug ("engine: dropping an accepted connection: %s", error->message);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return;
    }
  /* what libsoup's listener does: requests and frames leave whole, and a
   * lone small write must not wait for the peer's delayed ACK */
  g_socket_set_option (gsocket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  g_object_set_qdata_full (G_OBJECT (remote), accepted_socket_quark (),
                           g_object_ref (gsocket), g_object_unref);
  if (!soup_server_accept_iostream (listener->server, G_IO_STREAM (connection), local, remote, &error))
    {
      g_debug ("engine: libsoup refused a connection: %s", error->message);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    }
}

static gboolean
on_listener_readable (GSocket      *socket,
                      GIOCondition  condition,
                      gpointer      user_data)
{
  Listener *listener = user_data;

  for (guint i = 0; i < LISTENER_BATCH; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) accepted = g_socket_accept (listener->socket, NULL, &error);

      if (accepted != NULL)
        {
          if (listener->starved)
            g_message ("engine: accepting connections again");
          listener->starved = FALSE;
          listener_accept (listener, accepted);
          continue;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
        continue;  /* the client gave up while waiting (ECONNABORTED) */

      /* EMFILE, ENFILE, ENOBUFS: connections stay queued in the backlog
       * (or are refused by the kernel) until accepting resumes */
      if (!listener->starved)
        g_message ("engine: cannot accept connections for now, retrying every %d ms: %s",
                   LISTENER_PAUSE_MS, error->message);
      listener->starved = TRUE;
      g_clear_pointer (&listener->watch, g_source_unref);
      listener->pause = g_timeout_source_new (LISTENER_PAUSE_MS);
      g_source_set_callback (listener->pause, on_listener_resume, listener, NULL);
      g_source_attach (listener->pause, NULL);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
listener_free (gpointer data)
{
  Listener *listener = data;

  if (listener->watch != NULL)
    g_source_destroy (listener->watch);
  g_clear_pointer (&listener->watch, g_source_unref);
  if (listener->pause != NULL)
    g_source_destroy (listener->pause);
  g_clear_pointer (&listener->pause, g_source_unref);
  g_socket_close (listener->socket, NULL);
  g_clear_object (&listener->socket);
  g_free (listener);
}

gboolean
sio_engine_listen (SoupServer  *server,
                   const char  *address,
                   guint        port,
                   guint       *bound_port,
                   GError     **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocket) socket = NULL;
  GPtrArray *listeners;
  Listener *listener;

  g_return_val_if_fail (SOUP_IS_SERVER (server), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Not an IP address: %s", address);
      return FALSE;
    }
  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;
  socket_address = g_inet_socket_address_new (inet, port);
  if (!g_socket_bind (socket, socket_address, TRUE, error))
    return FALSE;
  g_socket_set_listen_backlog (socket, SIO_ENGINE_LISTEN_BACKLOG);
  if (!g_socket_listen (socket, error))
    return FALSE;
  g_socket_set_blocking (socket, FALSE);

  if (bound_port != NULL)
    {
      local = g_socket_get_local_address (socket, error);
      if (local == NULL)
        return FALSE;
      *bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
    }

  /* the server owns its listeners: they stop when it goes */
  listeners = g_object_get_data (G_OBJECT (server), "sio-engine-listeners");
  if (listeners == NULL)
    {
      listeners = g_ptr_array_new_with_free_func (listener_free);
      g_object_set_data_full (G_OBJECT (server), "sio-engine-listeners", listeners,
                              (GDestroyNotify) g_ptr_array_unref);
    }
  listener = g_new0 (Listener, 1);
  listener->server = server;
  listener->socket = g_steal_pointer (&socket);
  listener_watch (listener);
  g_ptr_array_add (listeners, listener);
  return TRUE;
}

void
sio_engine_close (SioEngine *self)
{
  g_autoptr(GPtrArray) sockets = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (SIO_IS_ENGINE (self));

  g_hash_table_iter_init (&iter, self->sockets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (sockets, g_object_ref (value));
  for (guint i = 0; i < sockets->len; i++)
    {
      SioEngineSocket *socket = g_ptr_array_index (sockets, i);

      socket_close_internal (socket, "server shutting down", FALSE);
      socket->engine = NULL;
    }
  g_hash_table_remove_all (self->sockets);
  if (self->server != NULL && self->path != NULL)
    soup_server_remove_handler (self->server, self->path);
  g_clear_pointer (&self->path, g_free);
}

guint
sio_engine_get_ping_interval (SioEngine *self)
{
  g_return_val_if_fail (SIO_IS_ENGINE (self), 0);
  return self->ping_interval;
}

void
sio_engine_set_ping_interval (SioEngine *self,
                              guint      ms)
{
  g_return_if_fail (SIO_IS_ENGINE (self));
  g_return_if_fail (ms > 0);
  self->ping_interval = ms;
}

guint
sio_engine_get_ping_timeout (SioEngine *self)
{
  g_return_val_if_fail (SIO_IS_ENGINE (self), 0);
  return self->ping_timeout;
}

void
sio_engine_set_ping_timeout (SioEngine *self,
                             guint      ms)
{
  g_return_if_fail (SIO_IS_ENGINE (self));
  g_return_if_fail (ms > 0);
  self->ping_timeout = ms;
}

gsize
sio_engine_get_max_payload (SioEngine *self)
{
  g_return_val_if_fail (SIO_IS_ENGINE (self), 0);
  return self->max_payload;
}

void
sio_engine_set_max_payload (SioEngine *self,
                            gsize      bytes)
{
  g_return_if_fail (SIO_IS_ENGINE (self));
  g_return_if_fail (bytes > 0);
  self->max_payload = bytes;
}

void
sio_engine_set_max_sessions_per_address (SioEngine *self,
                                         guint      max)
{
  g_return_if_fail (SIO_IS_ENGINE (self));
  self->max_per_address = max;
}

void
sio_engine_set_address_func (SioEngine            *self,
                             SioEngineAddressFunc  func,
                             gpointer              user_data,
                             GDestroyNotify        destroy)
{
  g_return_if_fail (SIO_IS_ENGINE (self));

  if (self->address_destroy != NULL)
    self->address_destroy (self->address_data);
  self->address_func = func;
  self->address_data = user_data;
  self->address_destroy = destroy;
}

guint
sio_engine_get_max_sessions_per_address (SioEngine *self)
{
  g_return_val_if_fail (SIO_IS_ENGINE (self), 0);
  return self->max_per_address;
}

guint
sio_engine_get_n_sessions_from (SioEngine  *self,
                                const char *address)
{
  g_return_val_if_fail (SIO_IS_ENGINE (self), 0);
  g_return_val_if_fail (address != NULL, 0);
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address));
}

guint
sio_engine_get_n_closing_websockets (void)
{
  return n_closing_websockets;
}

guint
sio_engine_get_n_sockets (SioEngine *self)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_return_val_if_fail (SIO_IS_ENGINE (self), 0);

  /* not counting the sessions kept a moment after the client closed them */
  g_hash_table_iter_init (&iter, self->sockets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!SIO_ENGINE_SOCKET (value)->closed)
      n++;
  return n;
}

SioEngineSocket *
sio_engine_lookup (SioEngine  *self,
                   const char *sid)
{
  SioEngineSocket *socket;

  g_return_val_if_fail (SIO_IS_ENGINE (self), NULL);

  socket = g_hash_table_lookup (self->sockets, sid);
  return socket != NULL && !socket->closed ? socket : NULL;
}

void
sio_engine_get_send_limits (SioEngine           *self,
                            SioEngineSendLimits *limits)
{
  g_return_if_fail (SIO_IS_ENGINE (self));
  g_return_if_fail (limits != NULL);
  *limits = self->send_limits;
}

void
sio_engine_set_send_limits (SioEngine                 *self,
                            const SioEngineSendLimits *limits)
{
  g_return_if_fail (SIO_IS_ENGINE (self));
  g_return_if_fail (limits != NULL);
  self->send_limits = *limits;
}
