/* gw-log.c: key=value log lines for the gateway.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-log.h"

#include "gw-metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define EVENT_FIELD "LIVEDESK_EVENT"
#define EVENT_DOMAIN "livedesk-gateway"

/* Lines of one event (a refusal, a failed sign-in) shown per summary
 * period before the rest are only counted: a remote party can cause them. */
#define EVENT_BURST 20

/* The most verbose level written; debug also for the domains G_MESSAGES_DEBUG names. */
static GLogLevelFlags threshold = G_LOG_LEVEL_INFO;

/* Connection events, one line each at debug, summed in the summary line at info. */
static const char * const summarised[] = { "connect", "auth", "disconnect" };
static const char * const summary_keys[] = { "connected", "authenticated", "disconnected" };

static GMutex summary_lock;
static guint64 summary_counts[G_N_ELEMENTS (summarised)];
/* event name -> lines of it logged this period (gsize) */
static GHashTable *burst_counts;
/* event name -> lines of it suppressed this period (gsize) */
static GHashTable *suppressed_counts;
static guint summary_seconds;
/* 2 when G_MESSAGES_DEBUG was set at start-up, 1 when not */
static gsize debug_asked;
static guint summary_source;

/* Bare when it is one plain word, else in quotes with \" and \\ escaped and
 * control characters dropped, so that a hostile value cannot forge a line
 * or a key. */
static void
append_value (GString    *line,
              const char *value)
{
  gboolean bare = value[0] != '\0';

  for (const char *p = value; *p != '\0' && bare; p++)
    bare = g_ascii_isalnum (*p) || strchr ("-_.:/@+", *p) != NULL;

  if (bare)
    {
      g_string_append (line, value);
      return;
    }

  g_string_append_c (line, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (line, '\\');
      if ((guchar) *p >= 0x20 && *p != 0x7f)
        g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

gboolean
gw_log_level_from_string (const char     *name,
                          GLogLevelFlags *out_level)
{
  static const struct { const char *name; GLogLevelFlags level; } levels[] = {
    { "error", G_LOG_LEVEL_CRITICAL }, { "warning", G_LOG_LEVEL_WARNING },
    { "info", G_LOG_LEVEL_INFO }, { "debug", G_LOG_LEVEL_DEBUG },
  };

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (levels); i++)
    if (g_ascii_strcasecmp (name, levels[i].name) == 0)
      {
        *out_level = levels[i].level;
        return TRUE;
      }
  return FALSE;
}

void
gw_log_set_level (GLogLevelFlags level)
{
  threshold = level;
}

/* Levels are single bits, most severe lowest. */
static gboolean
level_enabled (GLogLevelFlags level)
{
  return (level & G_LOG_LEVEL_MASK) <= threshold;
}

static int
summarised_index (const char *event)
{
  for (guint i = 0; i < G_N_ELEMENTS (summarised); i++)
    if (strcmp (event, summarised[i]) == 0)
      return (int) i;
  return -1;
}

/* FALSE when EVENT already had its EVENT_BURST lines this period. */
static gboolean
take_burst (const char *event)
{
  gsize used;

  g_mutex_lock (&summary_lock);
  if (burst_counts == NULL)
    {
      burst_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      suppressed_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }
  used = GPOINTER_TO_SIZE (g_hash_table_lookup (burst_counts, event));
  if (used < EVENT_BURST)
    g_hash_table_replace (burst_counts, g_strdup (event), GSIZE_TO_POINTER (used + 1));
  else
    g_hash_table_replace (suppressed_counts, g_strdup (event),
                          GSIZE_TO_POINTER (GPOINTER_TO_SIZE (g_hash_table_lookup (suppressed_counts, event)) + 1));
  g_mutex_unlock (&summary_lock);

  if (used >= EVENT_BURST)
    {
      /* event names are the gateway's own constants, safe as a label */
      g_autofree char *labels = g_strdup_printf ("event=\"%s\"", event);

      gw_metrics_add ("livedesk_log_lines_suppressed_total", labels, 1);
    }
  return used < EVENT_BURST;
}

void
gw_log_event (GLogLevelFlags  level,
              const char     *event,
              const char     *first_key,
              ...)
{
  g_autoptr(GString) message = NULL;
  va_list args;
  GLogField fields[] = {
    { "MESSAGE", NULL, -1 },
    { "GLIB_DOMAIN", EVENT_DOMAIN, -1 },
    { EVENT_FIELD, event, -1 },
  };
  int summary_index;

  g_return_if_fail (event != NULL);

  summary_index = summarised_index (event);
  if (summary_index >= 0)
    {
      g_mutex_lock (&summary_lock);
      summary_counts[summary_index]++;
      g_mutex_unlock (&summary_lock);
      level = G_LOG_LEVEL_DEBUG;
    }
  /* Under load most events go unseen: skip formatting them. */
  if (g_once_init_enter (&debug_asked))
    g_once_init_leave (&debug_asked, g_getenv ("G_MESSAGES_DEBUG") != NULL ? 2 : 1);
  if (!level_enabled (level) && !((level & G_LOG_LEVEL_DEBUG) && debug_asked == 2))
    return;
  /* only while a summary line will report what was held back */
  if (summary_source != 0 && threshold != G_LOG_LEVEL_DEBUG && summary_index < 0 && !take_burst (event))
    return;

  message = g_string_new ("event=");
  g_string_append (message, event);
  va_start (args, first_key);
  for (const char *key = first_key; key != NULL; key = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      if (value == NULL)
        continue;
      g_string_append_printf (message, " %s=", key);
      append_value (message, value);
    }
  va_end (args);

  fields[0].value = message->str;
  g_log_structured_array (level, fields, G_N_ELEMENTS (fields));
}

static const char *
level_name (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return "error";
  if (level & G_LOG_LEVEL_CRITICAL)
    return "critical";
  if (level & G_LOG_LEVEL_WARNING)
    return "warning";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "notice";
  if (level & G_LOG_LEVEL_INFO)
    return "info";
  return "debug";
}

GLogWriterOutput
gw_log_writer (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  g_autoptr(GString) line = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *when = NULL;
  const char *message = NULL;
  const char *domain = NULL;
  gboolean is_event = FALSE;
  static gsize debug_wanted = 0;

  /* libsoup logs two debug lines per WebSocket frame: with no debug output
   * asked for at start-up, they end here at once. */
  if (g_once_init_enter (&debug_wanted))
    g_once_init_leave (&debug_wanted, g_getenv ("G_MESSAGES_DEBUG") != NULL ? 2 : 1);
  if ((level & G_LOG_LEVEL_DEBUG) && debug_wanted == 1 && threshold != G_LOG_LEVEL_DEBUG)
    return G_LOG_WRITER_HANDLED;
  if (!(level & G_LOG_LEVEL_DEBUG) && !level_enabled (level))
    return G_LOG_WRITER_HANDLED;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (strcmp (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
      else if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (strcmp (fields[i].key, EVENT_FIELD) == 0)
        is_event = TRUE;
    }

  /* At --log-level debug, the gateway's own debug lines; otherwise as the
   * default writer: debug only for the domains G_MESSAGES_DEBUG asks for. */
  if ((level & G_LOG_LEVEL_DEBUG) &&
      !(threshold == G_LOG_LEVEL_DEBUG && domain != NULL &&
        (g_str_has_prefix (domain, "Livedesk") || strcmp (domain, EVENT_DOMAIN) == 0)) &&
      g_log_writer_default_would_drop (level, domain))
    return G_LOG_WRITER_HANDLED;

  line = g_string_new (NULL);
  now = g_date_time_new_now_utc ();
  when = g_date_time_format_iso8601 (now);
  g_string_append_printf (line, "%s level=%s", when, level_name (level));
  if (domain != NULL)
    {
      g_string_append (line, " domain=");
      append_value (line, domain);
    }
  g_string_append_c (line, ' ');
  if (is_event && message != NULL)
    g_string_append (line, message);
  else
    {
      g_string_append (line, "msg=");
      append_value (line, message != NULL ? message : "");
    }
  g_string_append_c (line, '\n');

  fputs (line->str, stderr);
  fflush (stderr);

  return G_LOG_WRITER_HANDLED;
}

void
gw_log_flush_summary (void)
{
  guint64 counts[G_N_ELEMENTS (summarised)];
  g_autoptr(GString) message = g_string_new ("event=summary");
  g_autoptr(GHashTable) suppressed = NULL;
  gboolean any = FALSE;
  GLogField fields[] = {
    { "MESSAGE", NULL, -1 },
    { "GLIB_DOMAIN", EVENT_DOMAIN, -1 },
    { EVENT_FIELD, "summary", -1 },
  };

  g_mutex_lock (&summary_lock);
  memcpy (counts, summary_counts, sizeof counts);
  memset (summary_counts, 0, sizeof summary_counts);
  if (suppressed_counts != NULL)
    {
      suppressed = g_steal_pointer (&suppressed_counts);
      suppressed_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_remove_all (burst_counts);
    }
  g_mutex_unlock (&summary_lock);

  if (summary_seconds > 0)
    g_string_append_printf (message, " period=%u", summary_seconds);
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      g_string_append_printf (message, " %s=%" G_GUINT64_FORMAT, summary_keys[i], counts[i]);
      any |= counts[i] > 0;
    }
  if (suppressed != NULL && g_hash_table_size (suppressed) > 0)
    {
      g_autoptr(GList) names = g_list_sort (g_hash_table_get_keys (suppressed), (GCompareFunc) strcmp);

      /* event names are the gateway's own constants: bare words */
      for (GList *l = names; l != NULL; l = l->next)
        g_string_append_printf (message, " suppressed_%s=%" G_GSIZE_FORMAT, (const char *) l->data,
                                GPOINTER_TO_SIZE (g_hash_table_lookup (suppressed, l->data)));
      any = TRUE;
    }

  /* a quiet gateway writes nothing */
  if (!any)
    return;
  fields[0].value = message->str;
  g_log_structured_array (G_LOG_LEVEL_INFO, fields, G_N_ELEMENTS (fields));
}

static gboolean
on_summary_due (gpointer user_data)
{
  gw_log_flush_summary ();
  return G_SOURCE_CONTINUE;
}

void
gw_log_start_summary (guint seconds)
{
  g_return_if_fail (seconds > 0);

  g_clear_handle_id (&summary_source, g_source_remove);
  summary_seconds = seconds;
  summary_source = g_timeout_add_seconds (seconds, on_summary_due, NULL);
}

void
gw_log_stop_summary (void)
{
  g_clear_handle_id (&summary_source, g_source_remove);
  gw_log_flush_summary ();
}
