/* sio-client-namespace.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sio-client-private.h"

typedef struct {
  char      *header;       /* the encoded Socket.IO packet */
  GPtrArray *attachments;  /* of GBytes */
  GTask     *task;         /* emit with ack, or NULL; not owned (acks holds it) */
} SioClientOutgoing;

typedef struct {
  gint64   id;
  char    *event;
  guint    timeout_ms;
  GSource *timeout;
  GSource *cancelled;
  gboolean sent;
} AckCall;

typedef struct {
  JsonArray *args;
  GPtrArray *attachments;
} AckResult;

struct _SioClientAck {
  gatomicrefcount     ref_count;
  SioClientNamespace *ns;
  gint64              id;
  guint               session;
  gboolean            sent;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_CONNECTED,
  PROP_RECOVERED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SioClientNamespace, sio_client_namespace, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (SioClientAck, sio_client_ack, sio_client_ack_ref, sio_client_ack_unref)

static void
outgoing_free (SioClientOutgoing *outgoing)
{
  g_free (outgoing->header);
  g_ptr_array_unref (outgoing->attachments);
  g_free (outgoing);
}

static void
ack_call_free (AckCall *call)
{
  if (call->timeout != NULL)
    {
      g_source_destroy (call->timeout);
      g_source_unref (call->timeout);
    }
  if (call->cancelled != NULL)
    {
      g_source_destroy (call->cancelled);
      g_source_unref (call->cancelled);
    }
  g_free (call->event);
  g_free (call);
}

static void
ack_result_free (AckResult *result)
{
  g_clear_pointer (&result->args, json_array_unref);
  g_clear_pointer (&result->attachments, g_ptr_array_unref);
  g_free (result);
}

/* Completes the ack call ID with RESULT or ERROR (one of them; both owned). */
static void
finish_ack_call (SioClientNamespace *self,
                 gint64              id,
                 AckResult          *result,
                 GError             *error)
{
  gpointer key, value;
  g_autoptr(GTask) task = NULL;

  if (!g_hash_table_steal_extended (self->acks, &id, &key, &value))
    {
      g_clear_pointer (&result, ack_result_free);
      g_clear_error (&error);
      return;
    }
  g_free (key);
  task = value;

  /* a buffered emit that timed out or was cancelled must never be sent */
  for (GList *l = self->buffer.head; l != NULL; l = l->next)
    {
      SioClientOutgoing *outgoing = l->data;

      if (outgoing->task == task)
        {
          g_queue_delete_link (&self->buffer, l);
          outgoing_free (outgoing);
          break;
        }
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) ack_result_free);
}

static void
sio_client_namespace_finalize (GObject *object)
{
  SioClientNamespace *self = SIO_CLIENT_NAMESPACE (object);

  g_queue_clear_full (&self->buffer, (GDestroyNotify) outgoing_free);
  g_queue_clear_full (&self->incoming, (GDestroyNotify) sio_packet_free);
  g_clear_pointer (&self->acks, g_hash_table_unref);
  g_free (self->name);
  g_free (self->sid);
  g_free (self->pid);
  g_free (self->offset);

  G_OBJECT_CLASS (sio_client_namespace_parent_class)->finalize (object);
}

static void
sio_client_namespace_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  SioClientNamespace *self = SIO_CLIENT_NAMESPACE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;
    case PROP_RECOVERED:
      g_value_set_boolean (value, self->recovered);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sio_client_namespace_class_init (SioClientNamespaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sio_client_namespace_finalize;
  object_class->get_property = sio_client_namespace_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, "/",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RECOVERED] =
    g_param_spec_boolean ("recovered", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sio_client_namespace_init (SioClientNamespace *self)
{
  g_queue_init (&self->buffer);
  g_queue_init (&self->incoming);
  self->acks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
}

SioClientNamespace *
_sio_client_namespace_new (SioClient  *client,
                           const char *name)
{
  SioClientNamespace *self = g_object_new (SIO_TYPE_CLIENT_NAMESPACE, NULL);

  self->client = client;
  self->name = g_strdup (name);
  return self;
}

const char *
sio_client_namespace_get_name (SioClientNamespace *self)
{
  g_return_val_if_fail (SIO_IS_CLIENT_NAMESPACE (self), NULL);
  return self->name;
}

gboolean
sio_client_namespace_get_connected (SioClientNamespace *self)
{
  g_return_val_if_fail (SIO_IS_CLIENT_NAMESPACE (self), FALSE);
  return self->connected;
}

gboolean
sio_client_namespace_get_recovered (SioClientNamespace *self)
{
  g_return_val_if_fail (SIO_IS_CLIENT_NAMESPACE (self), FALSE);
  return self->recovered;
}

const char *
sio_client_namespace_get_id (SioClientNamespace *self)
{
  g_return_val_if_fail (SIO_IS_CLIENT_NAMESPACE (self), NULL);
  return self->sid;
}

guint
sio_client_namespace_get_buffered (SioClientNamespace *self)
{
  g_return_val_if_fail (SIO_IS_CLIENT_NAMESPACE (self), 0);
  return self->buffer.length;
}

static gboolean
check_size (SioClientNamespace *self,
            const char         *what,
            const char         *header,
            GPtrArray          *attachments,
            GError            **error)
{
  gsize max_payload = self->client != NULL ? _sio_client_get_max_payload (self->client) : 0;
  gsize size = strlen (header) + 1;

  /* servers (ours included) drop a connection that announces more than that */
  if (attachments != NULL && attachments->len > SIO_DEFAULT_MAX_ATTACHMENTS)
    {
      g_set_error (error, SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_PAYLOAD_TOO_LARGE,
                   "Not sending “%s”: it has %u binary attachments, more than the %u a packet may carry",
                   what, attachments->len, SIO_DEFAULT_MAX_ATTACHMENTS);
      return FALSE;
    }
  if (max_payload == 0)
    return TRUE;
  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    size += g_bytes_get_size (attachments->pdata[i]);
  if (size <= max_payload)
    return TRUE;

  g_set_error (error, SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_PAYLOAD_TOO_LARGE,
               "Not sending “%s”: it is %" G_GSIZE_FORMAT " bytes, more than the server’s "
               "maxPayload of %" G_GSIZE_FORMAT " bytes",
               what, size, max_payload);
  return FALSE;
}

static GPtrArray *
copy_attachments (GPtrArray *attachments)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    g_ptr_array_add (copy, g_bytes_ref (attachments->pdata[i]));
  return copy;
}

static char *
encode_event (SioClientNamespace *self,
              const char         *event,
              JsonArray          *args,
              GPtrArray          *attachments,
              gint64              id)
{
  g_autoptr(SioPacket) packet = sio_packet_new_event (self->name, event, args);

  packet->id = id;
  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    g_ptr_array_add (packet->attachments, g_bytes_ref (attachments->pdata[i]));
  return sio_packet_encode (packet);
}

static void
mark_sent (SioClientNamespace *self,
           GTask              *task)
{
  if (task != NULL)
    ((AckCall *) g_task_get_task_data (task))->sent = TRUE;
}

static gboolean
send_or_buffer (SioClientNamespace *self,
                const char         *event,
                JsonArray          *args,
                GPtrArray          *attachments,
                SioEmitFlags        flags,
                GTask              *task,
                GError            **error)
{
  g_autofree char *header = NULL;
  SioClientOutgoing *outgoing;
  guint limit;

  if (self->client == NULL)
    {
      g_set_error (error, SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_DISCONNECTED,
                   "Not sending “%s”: its Socket.IO client was destroyed", event);
      return FALSE;
    }

  header = encode_event (self, event, args, attachments,
                         task != NULL ? ((AckCall *) g_task_get_task_data (task))->id : SIO_PACKET_NO_ID);
  if (!check_size (self, event, header, attachments, error))
    return FALSE;

  if (self->connected && self->client != NULL && _sio_client_is_open (self->client))
    {
      _sio_client_send (self->client, header, attachments);
      mark_sent (self, task);
      return TRUE;
    }

  if (flags & SIO_EMIT_VOLATILE)
    return TRUE;

  limit = self->client != NULL ? _sio_client_get_buffer_limit (self->client) : 0;
  if (self->buffer.length >= limit)
    {
      g_set_error (error, SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_BUFFER_FULL,
                   "Not sending “%s”: not connected and the offline buffer is full (%u events)",
                   event, limit);
      return FALSE;
    }

  outgoing = g_new0 (SioClientOutgoing, 1);
  outgoing->header = g_steal_pointer (&header);
  outgoing->attachments = copy_attachments (attachments);
  outgoing->task = task;
  g_queue_push_tail (&self->buffer, outgoing);
  return TRUE;
}

gboolean
sio_client_namespace_emit (SioClientNamespace *self,
                           const char         *event,
                           JsonArray          *args,
                           GPtrArray          *attachments,
                           SioEmitFlags        flags,
                           GError            **error)
{
  g_return_val_if_fail (SIO_IS_CLIENT_NAMESPACE (self), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return send_or_buffer (self, event, args, attachments, flags, NULL, error);
}

static gboolean
on_ack_timeout (gpointer user_data)
{
  GTask *task = user_data;
  SioClientNamespace *self = g_task_get_source_object (task);
  AckCall *call = g_task_get_task_data (task);

  finish_ack_call (self, call->id, NULL,
                   g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                "The server did not acknowledge “%s” within %u ms",
                                call->event, call->timeout_ms));
  return G_SOURCE_REMOVE;
}

static gboolean
on_ack_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  GTask *task = user_data;
  SioClientNamespace *self = g_task_get_source_object (task);
  AckCall *call = g_task_get_task_data (task);
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  finish_ack_call (self, call->id, NULL, error);
  return G_SOURCE_REMOVE;
}

void
sio_client_namespace_emit_with_ack_async (SioClientNamespace  *self,
                                          const char          *event,
                                          JsonArray           *args,
                                          GPtrArray           *attachments,
                                          guint                timeout_ms,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  AckCall *call;

  g_return_if_fail (SIO_IS_CLIENT_NAMESPACE (self));
  g_return_if_fail (event != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sio_client_namespace_emit_with_ack_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  call = g_new0 (AckCall, 1);
  call->id = self->next_ack_id++;
  call->event = g_strdup (event);
  call->timeout_ms = timeout_ms;
  g_task_set_task_data (task, call, (GDestroyNotify) ack_call_free);

  if (!send_or_buffer (self, event, args, attachments, SIO_EMIT_NONE, task, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* the table's reference keeps the task alive until it completes */
  g_hash_table_insert (self->acks, g_memdup2 (&call->id, sizeof call->id), g_object_ref (task));

  if (timeout_ms > 0)
    {
      call->timeout = g_timeout_source_new (timeout_ms);
      g_source_set_callback (call->timeout, on_ack_timeout, task, NULL);
      g_source_attach (call->timeout, g_task_get_context (task));
    }
  if (cancellable != NULL)
    {
      call->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (call->cancelled, G_SOURCE_FUNC (on_ack_cancelled), task, NULL);
      g_source_attach (call->cancelled, g_task_get_context (task));
    }
}

JsonArray *
sio_client_namespace_emit_with_ack_finish (SioClientNamespace  *self,
                                           GAsyncResult        *result,
                                           GPtrArray          **attachments,
                                           GError             **error)
{
  AckResult *ack_result;
  JsonArray *args;

  g_return_val_if_fail (SIO_IS_CLIENT_NAMESPACE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  ack_result = g_task_propagate_pointer (G_TASK (result), error);
  if (ack_result == NULL)
    return NULL;
  args = g_steal_pointer (&ack_result->args);
  if (attachments != NULL)
    *attachments = g_steal_pointer (&ack_result->attachments);
  ack_result_free (ack_result);
  return args;
}

void
sio_client_namespace_disconnect (SioClientNamespace *self)
{
  g_return_if_fail (SIO_IS_CLIENT_NAMESPACE (self));

  if (self->client != NULL)
    _sio_client_leave_namespace (self->client, self);
}

JsonNode *
_sio_client_namespace_connect_data (SioClientNamespace *self,
                                    JsonNode           *auth)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node;

  if (self->pid != NULL)
    {
      json_object_set_string_member (object, "pid", self->pid);
      if (self->offset != NULL)
        json_object_set_string_member (object, "offset", self->offset);
    }
  /* the auth payload's own members win, as in socket.io-client */
  if (auth != NULL && JSON_NODE_HOLDS_OBJECT (auth))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (auth));
      while (json_object_iter_next (&iter, &name, &member))
        json_object_set_member (object, name, json_node_copy (member));
    }
  g_clear_pointer (&auth, json_node_unref);

  if (json_object_get_size (object) == 0)
    return NULL;
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return node;
}

void
_sio_client_namespace_on_connect (SioClientNamespace *self,
                                  JsonNode           *data)
{
  JsonObject *object = data != NULL && JSON_NODE_HOLDS_OBJECT (data) ? json_node_get_object (data) : NULL;
  const char *sid = object != NULL ? json_object_get_string_member_with_default (object, "sid", NULL) : NULL;
  const char *pid = object != NULL ? json_object_get_string_member_with_default (object, "pid", NULL) : NULL;
  gboolean recovered = pid != NULL && g_strcmp0 (pid, self->pid) == 0;

  g_free (self->sid);
  self->sid = g_strdup (sid);
  if (!recovered)
    g_clear_pointer (&self->offset, g_free);
  g_free (self->pid);
  self->pid = g_strdup (pid);
  self->session = _sio_client_get_session (self->client);
  self->connecting = FALSE;
  self->connected = TRUE;

  /* the offline buffer goes out before anything else, in order, once */
  while (!g_queue_is_empty (&self->buffer) && self->connected && _sio_client_is_open (self->client))
    {
      SioClientOutgoing *outgoing = g_queue_pop_head (&self->buffer);
      g_autoptr(GError) error = NULL;

      if (check_size (self, "buffered event", outgoing->header, outgoing->attachments, &error))
        {
          _sio_client_send (self->client, outgoing->header, outgoing->attachments);
          mark_sent (self, outgoing->task);
        }
      else if (outgoing->task != NULL)
        finish_ack_call (self, ((AckCall *) g_task_get_task_data (outgoing->task))->id, NULL,
                         g_steal_pointer (&error));
      else
        g_warning ("%s", error->message);
      outgoing_free (outgoing);
    }

  if (self->recovered != recovered)
    {
      self->recovered = recovered;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECOVERED]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

void
_sio_client_namespace_on_closed (SioClientNamespace *self)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean was_connected = self->connected;
  GHashTableIter iter;
  gpointer value;

  self->connecting = FALSE;
  self->connected = FALSE;
  g_clear_pointer (&self->sid, g_free);
  g_queue_clear_full (&self->incoming, (GDestroyNotify) sio_packet_free);

  /* acks still in the offline buffer wait for the next connection; sent ones never come */
  g_hash_table_iter_init (&iter, self->acks);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      AckCall *call = g_task_get_task_data (value);

      if (call->sent)
        g_array_append_val (ids, call->id);
    }
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      GTask *task = g_hash_table_lookup (self->acks, &id);

      if (task == NULL)
        continue;
      finish_ack_call (self, id, NULL,
                       g_error_new (SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_DISCONNECTED,
                                    "The connection closed before the server acknowledged “%s”",
                                    ((AckCall *) g_task_get_task_data (task))->event));
    }

  if (was_connected)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

void
_sio_client_namespace_shutdown (SioClientNamespace *self)
{
  GHashTableIter iter;
  gpointer key;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_queue_clear_full (&self->buffer, (GDestroyNotify) outgoing_free);
  g_hash_table_iter_init (&iter, self->acks);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_array_append_val (ids, *(gint64 *) key);
  for (guint i = 0; i < ids->len; i++)
    finish_ack_call (self, g_array_index (ids, gint64, i), NULL,
                     g_error_new_literal (SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_DISCONNECTED,
                                          "The Socket.IO client was destroyed before the server acknowledged"));
  self->connected = FALSE;
  self->client = NULL;
}

void
_sio_client_namespace_on_ack (SioClientNamespace *self,
                              SioPacket          *packet)
{
  AckResult *result = g_new0 (AckResult, 1);

  result->args = sio_packet_dup_args (packet);
  if (result->args == NULL)
    result->args = json_array_new ();
  result->attachments = g_ptr_array_ref (packet->attachments);
  finish_ack_call (self, packet->id, result, NULL);
}

void
_sio_client_namespace_take_offset (SioClientNamespace *self,
                                   SioPacket          *packet,
                                   JsonArray          *args)
{
  guint len = json_array_get_length (args);
  JsonNode *last;

  if (self->pid == NULL || packet->id != SIO_PACKET_NO_ID || len == 0)
    return;
  last = json_array_get_element (args, len - 1);
  if (json_node_get_value_type (last) != G_TYPE_STRING)
    return;
  g_free (self->offset);
  self->offset = g_strdup (json_node_get_string (last));
  json_array_remove_element (args, len - 1);
}

SioClientAck *
_sio_client_ack_new (SioClientNamespace *ns,
                     gint64              id)
{
  SioClientAck *ack = g_new0 (SioClientAck, 1);

  g_atomic_ref_count_init (&ack->ref_count);
  ack->ns = g_object_ref (ns);
  ack->id = id;
  ack->session = ns->session;
  return ack;
}

SioClientAck *
sio_client_ack_ref (SioClientAck *ack)
{
  g_return_val_if_fail (ack != NULL, NULL);
  g_atomic_ref_count_inc (&ack->ref_count);
  return ack;
}

void
sio_client_ack_unref (SioClientAck *ack)
{
  g_return_if_fail (ack != NULL);
  if (g_atomic_ref_count_dec (&ack->ref_count))
    {
      g_object_unref (ack->ns);
      g_free (ack);
    }
}

gboolean
sio_client_ack_send (SioClientAck *ack,
                     JsonArray    *args,
                     GPtrArray    *attachments,
                     GError      **error)
{
  SioClientNamespace *ns;
  g_autoptr(SioPacket) packet = NULL;
  g_autoptr(JsonArray) empty = NULL;
  g_autofree char *header = NULL;
  JsonNode *data;

  g_return_val_if_fail (ack != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ns = ack->ns;
  if (ack->sent)
    {
      g_set_error_literal (error, SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_ALREADY_SENT,
                           "This acknowledgement was already sent");
      return FALSE;
    }
  if (ns->client == NULL || !ns->connected || ns->session != ack->session ||
      !_sio_client_is_open (ns->client))
    {
      g_set_error_literal (error, SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_DISCONNECTED,
                           "The connection that asked for this acknowledgement is gone");
      return FALSE;
    }

  if (args == NULL)
    args = empty = json_array_new ();
  data = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (data, args);
  packet = sio_packet_new (SIO_PACKET_ACK, ns->name, data);
  packet->id = ack->id;
  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    g_ptr_array_add (packet->attachments, g_bytes_ref (attachments->pdata[i]));
  header = sio_packet_encode (packet);
  if (!check_size (ns, "acknowledgement", header, attachments, error))
    return FALSE;

  ack->sent = TRUE;
  _sio_client_send (ns->client, header, attachments);
  return TRUE;
}
