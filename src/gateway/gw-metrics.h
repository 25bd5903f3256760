/* gw-metrics.h: the gateway's counters and gauges, rendered in the
 * Prometheus text format for /metrics. One registry per process: any unit
 * of the gateway counts into it by name, so an operator sees every refusal,
 * rejection and drop in one place.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  GW_METRIC_COUNTER,
  GW_METRIC_GAUGE,
} GwMetricKind;

/* Declares METRIC (a Prometheus name such as "livedesk_refusals_total")
 * with its kind and help text. Declaring twice is harmless; a metric that
 * is counted without being declared is rendered as an untyped series. */
void  gw_metrics_describe (const char   *metric,
                           GwMetricKind  kind,
                           const char   *help);

/* Adds DELTA to the series METRIC{LABELS}. LABELS is NULL or a ready
 * Prometheus label list without braces, e.g. "code=\"RATE_LIMITED\"";
 * callers pass only constants or values they have checked (codes, never
 * user text). Thread-safe. */
void  gw_metrics_add      (const char   *metric,
                           const char   *labels,
                           gint64        delta);

/* Sets the gauge METRIC{LABELS} to VALUE. */
void  gw_metrics_set      (const char   *metric,
                           const char   *labels,
                           gint64        value);

/* The value of METRIC{LABELS}, 0 when it was never counted (for tests). */
gint64 gw_metrics_get     (const char   *metric,
                           const char   *labels);

/* Appends every series, sorted by name then labels, with # HELP and # TYPE
 * lines ("untyped" for undeclared ones); a declared metric with no series
 * yet is rendered as 0. */
void  gw_metrics_render   (GString      *out);

/* Declares the metrics an operator's dashboards rely on (refusals, slow
 * consumers, body rejections, login failures, deliveries and the gauges set
 * at scrape time), so that /metrics lists them before anything is counted. */
void  gw_metrics_describe_gateway (void);

/* Forgets every series and declaration (for tests). */
void  gw_metrics_reset    (void);

G_END_DECLS
