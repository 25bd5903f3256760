/* sio-deadlines.h: one-shot timeouts kept in one sorted queue behind one GSource.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Drop-in replacements for g_timeout_add() / g_timeout_add_seconds() /
 * g_source_remove() for timers that every connection holds (ping, token
 * expiry, auth and connect timeouts, send-limit grace): GLib walks every
 * attached source on each main loop iteration, so thousands of them cost
 * more than the traffic itself. All of them live in one queue, soonest
 * first, whose single source on the global default main context wakes when
 * the soonest is due. Use from the thread that runs that context.
 *
 * FUNC runs once at G_PRIORITY_DEFAULT, at or after the due time, with the
 * same millisecond precision as g_timeout_add(); if it returns
 * G_SOURCE_CONTINUE it runs again INTERVAL later. Ids are never 0. */
guint    sio_deadline_add          (guint        interval_ms,
                                    GSourceFunc  func,
                                    gpointer     data);
guint    sio_deadline_add_seconds  (guint        interval_s,
                                    GSourceFunc  func,
                                    gpointer     data);
/* Runs FUNC once at DUE (monotonic µs, as g_get_monotonic_time()); a
 * G_SOURCE_CONTINUE from it is taken as G_SOURCE_REMOVE. */
guint    sio_deadline_add_at       (gint64       due,
                                    GSourceFunc  func,
                                    gpointer     data);
/* Cancels ID (not yet run, or returned G_SOURCE_CONTINUE). Does nothing for
 * 0 or an id that ran or was removed, so callers may use
 * g_clear_handle_id (&id, sio_deadline_remove). */
void     sio_deadline_remove       (guint        id);
/* How many deadlines are waiting: for tests and metrics. */
guint    sio_deadline_count        (void);

G_END_DECLS
