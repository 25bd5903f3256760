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

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

void
gw_metrics_render (GString *out)
{
  g_autofree gpointer *keys = NULL;
  guint n = 0;
  g_autofree char *last_metric = NULL;

  g_return_if_fail (out != NULL);

  g_mutex_lock (&lock);
  ensure_tables ();
  keys = g_hash_table_get_keys_as_array (series, &n);
  qsort (keys, n, sizeof (gpointer), compare_keys);
  for (guint i = 0; i < n; i++)
    {
      const char *key = keys[i];
      const char *brace = strchr (key, '{');
      g_autofree char *metric = brace ? g_strndup (key, brace - key) : g_strdup (key);
      gint64 *slot = g_hash_table_lookup (series, key);

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
          g_free (last_metric);
          last_metric = g_steal_pointer (&metric);
        }
      g_string_append_printf (out, "%s %" G_GINT64_FORMAT "\n", key, *slot);
    }
  g_mutex_unlock (&lock);
}

void
gw_metrics_reset (void)
{
  g_mutex_lock (&lock);
  g_clear_pointer (&series, g_hash_table_unref);
  g_clear_pointer (&descriptions, g_hash_table_unref);
  g_mutex_unlock (&lock);
}
