/* gw-redis-adapter.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-redis-adapter.h"

#include <string.h>

#include "gw-redis.h"

struct _GwRedisAdapter
{
  GObject           parent_instance;
  SioServerAdapter *local;     /* membership and delivery in this process */
  GwRedis          *redis;
  char             *channel;
  char             *uid;       /* this process's publications carry it */
  gulong            handler;
  gboolean          local_only;
};

static void adapter_iface_init (SioServerAdapterInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GwRedisAdapter, gw_redis_adapter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SIO_TYPE_SERVER_ADAPTER, adapter_iface_init))

static void
adapter_add (SioServerAdapter *adapter,
             const char       *sid,
             const char       *room)
{
  sio_server_adapter_add (GW_REDIS_ADAPTER (adapter)->local, sid, room);
}

static void
adapter_remove (SioServerAdapter *adapter,
                const char       *sid,
                const char       *room)
{
  sio_server_adapter_remove (GW_REDIS_ADAPTER (adapter)->local, sid, room);
}

static void
adapter_remove_all (SioServerAdapter *adapter,
                    const char       *sid)
{
  sio_server_adapter_remove_all (GW_REDIS_ADAPTER (adapter)->local, sid);
}

static gboolean
adapter_contains (SioServerAdapter *adapter,
                  const char       *sid,
                  const char       *room)
{
  return sio_server_adapter_contains (GW_REDIS_ADAPTER (adapter)->local, sid, room);
}

static GPtrArray *
adapter_sockets (SioServerAdapter   *adapter,
                 const char * const *rooms,
                 const char * const *except)
{
  return sio_server_adapter_sockets (GW_REDIS_ADAPTER (adapter)->local, rooms, except);
}

static JsonArray *
strv_to_json (const char * const *strv)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);

  return array;
}

static void
on_published (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!gw_redis_publish_finish (GW_REDIS (source), result, NULL, &error))
    g_debug ("A broadcast did not reach the other gateways: %s", error->message);
}

static void
adapter_broadcast (SioServerAdapter   *adapter,
                   const SioPacket    *packet,
                   const char * const *rooms,
                   const char * const *except)
{
  GwRedisAdapter *self = GW_REDIS_ADAPTER (adapter);
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *header = NULL;
  g_autofree char *text = NULL;
  JsonArray *attachments;

  sio_server_adapter_broadcast (self->local, packet, rooms, except);

  if (self->local_only)
    return;

  header = sio_packet_encode (packet);
  attachments = json_array_new ();
  for (guint i = 0; i < packet->attachments->len; i++)
    {
      GBytes *bytes = g_ptr_array_index (packet->attachments, i);
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);
      g_autofree char *encoded = g_base64_encode (data, len);

      json_array_add_string_element (attachments, encoded);
    }

  message = json_object_new ();
  json_object_set_string_member (message, "uid", self->uid);
  json_object_set_array_member (message, "rooms", strv_to_json (rooms));
  json_object_set_array_member (message, "except", strv_to_json (except));
  json_object_set_string_member (message, "packet", header);
  json_object_set_array_member (message, "attachments", attachments);
  node = json_node_init_object (json_node_alloc (), message);
  text = json_to_string (node, FALSE);

  gw_redis_publish_async (self->redis, self->channel, text, NULL, on_published, NULL);
}

static void
adapter_iface_init (SioServerAdapterInterface *iface)
{
  iface->add = adapter_add;
  iface->remove = adapter_remove;
  iface->remove_all = adapter_remove_all;
  iface->contains = adapter_contains;
  iface->sockets = adapter_sockets;
  iface->broadcast = adapter_broadcast;
}

/* NULL-terminated copy of a JSON array of strings; NULL for an empty one,
 * which means "all" for rooms and "none" for except. */
static char **
json_to_strv (JsonNode *node,
              gboolean *ok)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      *ok = FALSE;
      return NULL;
    }

  array = json_node_get_array (node);
  if (json_array_get_length (array) == 0)
    return NULL;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (json_node_get_value_type (element) != G_TYPE_STRING)
        {
          *ok = FALSE;
          return NULL;
        }
      g_strv_builder_add (builder, json_node_get_string (element));
    }

  return g_strv_builder_end (builder);
}

static SioPacket *
decode_packet (JsonObject *message)
{
  g_autoptr(SioDecoder) decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  g_autoptr(SioPacket) packet = NULL;
  JsonNode *attachments = json_object_get_member (message, "attachments");
  JsonNode *header = json_object_get_member (message, "packet");
  const char *text;

  if (header == NULL || !JSON_NODE_HOLDS_VALUE (header) || json_node_get_value_type (header) != G_TYPE_STRING)
    return NULL;
  text = json_node_get_string (header);
  if (!sio_decoder_add_text (decoder, text, strlen (text), &packet, NULL))
    return NULL;
  if (attachments != NULL && !JSON_NODE_HOLDS_ARRAY (attachments))
    return NULL;

  for (guint i = 0; attachments != NULL && i < json_array_get_length (json_node_get_array (attachments)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (attachments), i);
      g_autoptr(GBytes) bytes = NULL;
      guchar *data;
      gsize len;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING ||
          packet != NULL)
        return NULL;
      data = g_base64_decode (json_node_get_string (element), &len);
      bytes = g_bytes_new_take (data, len);
      if (!sio_decoder_add_binary (decoder, bytes, &packet, NULL))
        return NULL;
    }

  return g_steal_pointer (&packet);
}

void
gw_redis_adapter_handle_message (GwRedisAdapter *self,
                                 const char     *channel,
                                 const char     *payload,
                                 gsize           len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(SioPacket) packet = NULL;
  g_auto(GStrv) rooms = NULL;
  g_auto(GStrv) except = NULL;
  JsonNode *uid;
  gboolean ok = TRUE;

  g_return_if_fail (GW_IS_REDIS_ADAPTER (self));
  g_return_if_fail (channel != NULL);
  g_return_if_fail (payload != NULL || len == 0);

  if (strcmp (channel, self->channel) != 0)
    return;

  message = gw_redis_parse_object (payload, len, &error);
  if (message == NULL)
    {
      gw_redis_drop_malformed (self->channel, error->message);
      return;
    }

  /* Our own: delivered locally when it was sent. */
  uid = json_object_get_member (message, "uid");
  if (uid == NULL || !JSON_NODE_HOLDS_VALUE (uid) || json_node_get_value_type (uid) != G_TYPE_STRING)
    {
      gw_redis_drop_malformed (self->channel, "no sender");
      return;
    }
  if (strcmp (json_node_get_string (uid), self->uid) == 0)
    return;

  rooms = json_to_strv (json_object_get_member (message, "rooms"), &ok);
  except = json_to_strv (json_object_get_member (message, "except"), &ok);
  packet = decode_packet (message);
  if (!ok || packet == NULL)
    {
      gw_redis_drop_malformed (self->channel, "not a broadcast");
      return;
    }

  sio_server_adapter_broadcast (self->local, packet, (const char * const *) rooms, (const char * const *) except);
}

static void
on_message (GwRedis    *redis,
            const char *channel,
            const char *payload,
            gpointer    user_data)
{
  gw_redis_adapter_handle_message (user_data, channel, payload, strlen (payload));
}

static void
gw_redis_adapter_finalize (GObject *object)
{
  GwRedisAdapter *self = (GwRedisAdapter *)object;

  g_clear_signal_handler (&self->handler, self->redis);
  g_clear_object (&self->local);
  g_clear_object (&self->redis);
  g_clear_pointer (&self->channel, g_free);
  g_clear_pointer (&self->uid, g_free);

  G_OBJECT_CLASS (gw_redis_adapter_parent_class)->finalize (object);
}

static void
gw_redis_adapter_class_init (GwRedisAdapterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gw_redis_adapter_finalize;
}

static void
gw_redis_adapter_init (GwRedisAdapter *self)
{
  self->uid = g_uuid_string_random ();
}

SioServerAdapter *
gw_redis_adapter_new (SioServerNamespace *nsp,
                      GwRedis            *redis)
{
  GwRedisAdapter *self;
  const char *channels[2] = { NULL, NULL };

  g_return_val_if_fail (SIO_IS_SERVER_NAMESPACE (nsp), NULL);
  g_return_val_if_fail (GW_IS_REDIS (redis), NULL);

  self = g_object_new (GW_TYPE_REDIS_ADAPTER, NULL);
  self->local = sio_server_memory_adapter_new (nsp);
  self->redis = g_object_ref (redis);
  self->channel = g_strconcat (GW_REDIS_ADAPTER_CHANNEL_PREFIX, sio_server_namespace_get_name (nsp), NULL);
  self->handler = g_signal_connect (redis, "message", G_CALLBACK (on_message), self);
  channels[0] = self->channel;
  gw_redis_subscribe (redis, channels);

  return SIO_SERVER_ADAPTER (self);
}

void
gw_redis_adapter_set_local_only (GwRedisAdapter *self,
                                 gboolean        local_only)
{
  g_return_if_fail (GW_IS_REDIS_ADAPTER (self));

  self->local_only = local_only;
}
