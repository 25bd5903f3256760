/* gw-metrics.c: one process-wide table of series, behind a mutex since the
 * password hashing threads count too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-metrics.h"

#include <string.h>

typedef struct
{
  GwMetricKind kind;
  char *help;
} Description;

static GMutex lock;
/* "metric{labels}" or "metric" -> gint64 value, boxed */
static GHashTable *series;
/* metric -> Description */
static GHashTable *descriptions;

static void
description_free (gpointer data)
{
  Description *d = data;

  g_free (d->help);
  g_free (d);
}

static void
ensure_tables (void)
{
  if (series == NULL)
    {
      series = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      descriptions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, description_free);
    }
}

static char *
series_key (const char *metric,
            const char *labels)
{
  if (labels == NULL || *labels == '\0')
    return g_strdup (metric);
  return g_strdup_printf ("%s{%s}", metric, labels);
}

void
gw_metrics_describe (const char   *metric,
                     GwMetricKind  kind,
                     const char   *help)
{
  Description *d;

  g_return_if_fail (metric != NULL);

  g_mutex_lock (&lock);
  ensure_tables ();
  d = g_new0 (Description, 1);
  d->kind = kind;
  d->help = g_strdup (help);
  g_hash_table_replace (descriptions, g_strdup (metric), d);
  g_mutex_unlock (&lock);
}

static void
update (const char *metric,
        const char *labels,
        gint64      value,
        gboolean    add)
{
  char *key = series_key (metric, labels);
  gint64 *slot;

  g_mutex_lock (&lock);
  ensure_tables ();
  slot = g_hash_table_lookup (series, key);
  if (slot == NULL)
    {
      slot = g_new0 (gint64, 1);
      g_hash_table_insert (series, key, slot);
    }
  else
    g_free (key);
  *slot = add ? *slot + value : value;
  g_mutex_unlock (&lock);
}

void
gw_metrics_add (const char *metric,
                const char *labels,
                gint64      delta)
{
  g_return_if_fail (metric != NULL);
  update (metric, labels, delta, TRUE);
}

void
gw_metrics_set (const char *metric,
                const char *labels,
                gint64      value)
{
  g_return_if_fail (metric != NULL);
  update (metric, labels, value, FALSE);
}

gint64
gw_metrics_get (const char *metric,
                const char *labels)
{
  g_autofree char *key = series_key (metric, labels);
  gint64 *slot;
  gint64 value = 0;

  g_mutex_lock (&lock);
  ensure_tables ();
  slot = g_hash_table_lookup (series, key);
  if (slot != NULL)
    value = *slot;
  g_mutex_unlock (&lock);
  return value;
}

/* By metric name, then labels: a family's series must be contiguous, and
 * plain strcmp would put "a_total" between "a" and "a{…}". */
static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  const char *ka = *(const char * const *) a;
  const char *kb = *(const char * const *) b;
  size_t la = strcspn (ka, "{");
  size_t lb = strcspn (kb, "{");
  int c = strncmp (ka, kb, MIN (la, lb));

  if (c != 0)
    return c;
  if (la != lb)
    return la < lb ? -1 : 1;
  return strcmp (ka + la, kb + lb);
}

void
gw_metrics_render (GString *out)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  g_autoptr(GHashTable) counted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *last_metric = NULL;
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (out != NULL);

  g_mutex_lock (&lock);
  ensure_tables ();
  g_hash_table_iter_init (&iter, series);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_ptr_array_add (keys, key);
      g_hash_table_add (counted, g_strndup (key, strcspn (key, "{")));
    }
  /* A declared metric nothing counted yet shows as 0, so that a dashboard
   * finds it from the first scrape. */
  g_hash_table_iter_init (&iter, descriptions);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (counted, key))
      g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_keys);

  for (guint i = 0; i < keys->len; i++)
    {
      const char *series_name = g_ptr_array_index (keys, i);
      g_autofree char *metric = g_strndup (series_name, strcspn (series_name, "{"));
      gint64 *slot = g_hash_table_lookup (series, series_name);

      if (g_strcmp0 (metric, last_metric) != 0)
        {
          Description *d = g_hash_table_lookup (descriptions, metric);

          if (d != NULL)
            {
              if (d->help != NULL)
                g_string_append_printf (out, "# HELP %s %s\n", metric, d->help);
              g_string_append_printf (out, "# TYPE %s %s\n", metric,
                                      d->kind == GW_METRIC_COUNTER ? "counter" : "gauge");
            }
          else
            g_string_append_printf (out, "# TYPE %s untyped\n", metric);
          g_free (last_metric);
          last_metric = g_steal_pointer (&metric);
        }
      g_string_append_printf (out, "%s %" G_GINT64_FORMAT "\n", series_name, slot != NULL ? *slot : 0);
    }
  g_mutex_unlock (&lock);
}

void
gw_metrics_describe_gateway (void)
{
  static const struct { const char *name; GwMetricKind kind; const char *help; } known[] = {
    { "livedesk_refusals_total", GW_METRIC_COUNTER, "Client requests refused, by error code." },
    { "livedesk_slow_consumer_disconnects_total", GW_METRIC_COUNTER,
      "Connections closed because the client did not read what it was sent." },
    { "livedesk_request_body_rejections_total", GW_METRIC_COUNTER,
      "HTTP requests refused for their body (too large, malformed)." },
    { "livedesk_login_failures_total", GW_METRIC_COUNTER, "Failed sign-ins over the REST API." },
    { "livedesk_deliveries_total", GW_METRIC_COUNTER,
      "Socket.IO packets written to client connections (a broadcast counts once per recipient)." },
    { "livedesk_log_lines_suppressed_total", GW_METRIC_COUNTER,
      "Log lines of a repeated event held back at info (the summary line counts them too), by event." },
    { "livedesk_connections", GW_METRIC_GAUGE, "Open Engine.IO sessions." },
    { "livedesk_authenticated_users", GW_METRIC_GAUGE, "Distinct users with an authenticated connection." },
    { "livedesk_rooms", GW_METRIC_GAUGE, "Rooms this process holds." },
    { "livedesk_redis_connected", GW_METRIC_GAUGE, "1 while the Redis bridge is connected, else 0." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    gw_metrics_describe (known[i].name, known[i].kind, known[i].help);
}

void
gw_metrics_reset (void)
{
  g_mutex_lock (&lock);
  g_clear_pointer (&series, g_hash_table_unref);
  g_clear_pointer (&descriptions, g_hash_table_unref);
  g_mutex_unlock (&lock);
}
