/* gw-metrics-endpoint.c: the Prometheus scrape handler.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-metrics-endpoint.h"

#include <string.h>

#include "gw-metrics.h"
#include "gw-rooms.h"

struct _GwMetricsEndpoint
{
  GObject    parent_instance;

  GwGateway *gateway;
  GwRedis   *redis;
};

G_DEFINE_FINAL_TYPE (GwMetricsEndpoint, gw_metrics_endpoint, G_TYPE_OBJECT)

static void
gw_metrics_endpoint_dispose (GObject *object)
{
  GwMetricsEndpoint *self = GW_METRICS_ENDPOINT (object);

  g_clear_object (&self->gateway);
  g_clear_object (&self->redis);

  G_OBJECT_CLASS (gw_metrics_endpoint_parent_class)->dispose (object);
}

static void
gw_metrics_endpoint_class_init (GwMetricsEndpointClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = gw_metrics_endpoint_dispose;
}

static void
gw_metrics_endpoint_init (GwMetricsEndpoint *self)
{
}

GwMetricsEndpoint *
gw_metrics_endpoint_new (GwGateway *gateway,
                         GwRedis   *redis)
{
  GwMetricsEndpoint *self;

  g_return_val_if_fail (GW_IS_GATEWAY (gateway), NULL);
  g_return_val_if_fail (redis == NULL || GW_IS_REDIS (redis), NULL);

  gw_metrics_describe_gateway ();
  self = g_object_new (GW_TYPE_METRICS_ENDPOINT, NULL);
  self->gateway = g_object_ref (gateway);
  self->redis = redis != NULL ? g_object_ref (redis) : NULL;
  return self;
}

void
gw_metrics_endpoint_render (GwMetricsEndpoint *self,
                            GString           *out)
{
  SioServer *server;

  g_return_if_fail (GW_IS_METRICS_ENDPOINT (self));
  g_return_if_fail (out != NULL);

  /* Gauges and the delivery count are read now rather than kept up to date
   * on every event: a scrape is rare, a delivery is not. */
  server = gw_gateway_get_server (self->gateway);
  gw_metrics_set ("livedesk_connections", NULL, sio_engine_get_n_sockets (sio_server_get_engine (server)));
  gw_metrics_set ("livedesk_authenticated_users", NULL, gw_gateway_get_n_authenticated_users (self->gateway));
  gw_metrics_set ("livedesk_rooms", NULL, gw_rooms_get_n_rooms (gw_gateway_get_rooms (self->gateway)));
  gw_metrics_set ("livedesk_redis_connected", NULL,
                  self->redis != NULL && gw_redis_get_connected (self->redis) ? 1 : 0);
  gw_metrics_set ("livedesk_deliveries_total", NULL, (gint64) sio_server_get_n_deliveries (server));

  gw_metrics_render (out);
}

static void
on_metrics (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  GwMetricsEndpoint *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  GString *text;
  gsize len;

  if (strcmp (path, GW_METRICS_PATH) != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET, HEAD");
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  text = g_string_new (NULL);
  gw_metrics_endpoint_render (self, text);
  len = text->len;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control", "no-store");
  soup_server_message_set_response (msg, GW_METRICS_CONTENT_TYPE, SOUP_MEMORY_TAKE,
                                    g_string_free (text, FALSE), len);
}

void
gw_metrics_endpoint_attach (GwMetricsEndpoint *self,
                            SoupServer        *server)
{
  g_return_if_fail (GW_IS_METRICS_ENDPOINT (self));
  g_return_if_fail (SOUP_IS_SERVER (server));

  soup_server_add_handler (server, GW_METRICS_PATH, on_metrics, g_object_ref (self), g_object_unref);
}
