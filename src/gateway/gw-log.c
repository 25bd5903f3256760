/* gw-log.c: key=value log lines for the gateway.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define EVENT_FIELD "LIVEDESK_EVENT"
#define EVENT_DOMAIN "livedesk-gateway"

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

void
gw_log_event (GLogLevelFlags  level,
              const char     *event,
              const char     *first_key,
              ...)
{
  g_autoptr(GString) message = g_string_new ("event=");
  va_list args;
  GLogField fields[] = {
    { "MESSAGE", NULL, -1 },
    { "GLIB_DOMAIN", EVENT_DOMAIN, -1 },
    { EVENT_FIELD, event, -1 },
  };

  g_return_if_fail (event != NULL);

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
  if ((level & G_LOG_LEVEL_DEBUG) && debug_wanted == 1)
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

  /* As the default writer: debug only for the domains asked for. */
  if ((level & G_LOG_LEVEL_DEBUG) && g_log_writer_default_would_drop (level, domain))
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
