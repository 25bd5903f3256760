/* gw-notify.c: sd_notify() from libsystemd, which finds NOTIFY_SOCKET itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-notify.h"

#include <systemd/sd-daemon.h>

static guint watchdog_source;

static void
notify (const char *state,
        const char *status)
{
  g_autofree char *text = status != NULL ? g_strdup_printf ("%s\nSTATUS=%s", state, status)
                                         : g_strdup (state);
  int r = sd_notify (0, text);

  if (r < 0)
    g_warning ("Could not notify the service manager (%s): %s", state, g_strerror (-r));
}

void
gw_notify_ready (const char *status)
{
  notify ("READY=1", status);
}

void
gw_notify_stopping (const char *status)
{
  notify ("STOPPING=1", status);
}

static gboolean
on_watchdog_due (gpointer user_data)
{
  notify ("WATCHDOG=1", NULL);
  return G_SOURCE_CONTINUE;
}

gboolean
gw_notify_start_watchdog (void)
{
  uint64_t usec = 0;
  guint interval_ms;

  /* > 0 only when WATCHDOG_USEC is set (and WATCHDOG_PID, if set, is us) */
  if (sd_watchdog_enabled (0, &usec) <= 0 || usec == 0)
    return FALSE;

  interval_ms = (guint) MAX (usec / 2 / 1000, 1);
  g_clear_handle_id (&watchdog_source, g_source_remove);
  watchdog_source = g_timeout_add (interval_ms, on_watchdog_due, NULL);
  on_watchdog_due (NULL);
  return TRUE;
}

void
gw_notify_stop_watchdog (void)
{
  g_clear_handle_id (&watchdog_source, g_source_remove);
}
