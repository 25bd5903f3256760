/* gw-metrics-endpoint.h: GET /metrics, the process-wide registry
 * (gw-metrics.h) in the Prometheus text format, with the gauges that
 * describe the process now (connections, authenticated users, rooms,
 * Redis) and the delivery counter read from the Socket.IO server at
 * scrape time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "gw-gateway.h"
#include "gw-redis.h"

G_BEGIN_DECLS

#define GW_METRICS_PATH "/metrics"
#define GW_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#define GW_TYPE_METRICS_ENDPOINT (gw_metrics_endpoint_get_type ())
G_DECLARE_FINAL_TYPE (GwMetricsEndpoint, gw_metrics_endpoint, GW, METRICS_ENDPOINT, GObject)

/* REDIS may be NULL (no bridge: livedesk_redis_connected stays 0). */
GwMetricsEndpoint *gw_metrics_endpoint_new     (GwGateway         *gateway,
                                                GwRedis           *redis);
/* Serves GW_METRICS_PATH on SERVER: the API's server, or one of its own
 * on a private address so that the public port does not show it. */
void               gw_metrics_endpoint_attach  (GwMetricsEndpoint *self,
                                                SoupServer        *server);
/* Sets the scrape-time gauges and appends the whole exposition to OUT. */
void               gw_metrics_endpoint_render  (GwMetricsEndpoint *self,
                                                GString           *out);

G_END_DECLS
