/* gw-notify.h: the service manager's notification protocol (sd_notify):
 * readiness once the gateway listens, stopping when it drains, and the
 * watchdog's keep-alive while the main loop turns. Without NOTIFY_SOCKET
 * (not under systemd) every call does nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* READY=1 with STATUS (may be NULL). */
void     gw_notify_ready          (const char *status);
/* STOPPING=1 with STATUS (may be NULL). */
void     gw_notify_stopping       (const char *status);
/* When the manager asked for a watchdog (WATCHDOG_USEC, for this process),
 * sends WATCHDOG=1 every half of it from the default main context: a main
 * loop that hangs stops the pings and the manager restarts the service.
 * TRUE when a watchdog is on. */
gboolean gw_notify_start_watchdog (void);
void     gw_notify_stop_watchdog  (void);

G_END_DECLS
