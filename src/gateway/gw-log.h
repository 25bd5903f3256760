/* gw-log.h: the gateway's log lines, one "key=value" line per event an
 * operator looks for (connections, sign-ins, refusals), never with a token,
 * secret or password in it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Logs EVENT with the NULL-terminated key, value pairs that follow (a NULL
 * value is left out) through g_log_structured_array(): MESSAGE is
 * "event=EVENT key=value …" with values quoted when they need it, and
 * LIVEDESK_EVENT holds EVENT for journald queries. Callers pass identifiers
 * and codes only: what a client sent as a credential never goes in. */
void             gw_log_event  (GLogLevelFlags   level,
                                const char      *event,
                                const char      *first_key,
                                ...) G_GNUC_NULL_TERMINATED;

/* A GLogWriterFunc for the program: one line on stderr per message up to
 * the level gw_log_set_level() chose (DEBUG of other libraries' domains
 * only as G_MESSAGES_DEBUG asks), "TIME level=… domain=…" then the event's
 * pairs or msg="…". */
GLogWriterOutput gw_log_writer (GLogLevelFlags   level,
                                const GLogField *fields,
                                gsize            n_fields,
                                gpointer         user_data);

/* NAME is error, warning, info or debug (any case); FALSE for anything else. */
gboolean         gw_log_level_from_string (const char     *name,
                                           GLogLevelFlags *out_level);
/* The most verbose level gw_log_writer() writes (default G_LOG_LEVEL_INFO;
 * G_LOG_LEVEL_CRITICAL for "error"). At DEBUG every event has its own line;
 * below, connect/auth/disconnect are only summed for the summary line, and
 * each other event shows its first lines per period, the rest counted. */
void             gw_log_set_level         (GLogLevelFlags  level);
/* Every SECONDS on the default main context, one info line
 * "event=summary period=… connected=N authenticated=N disconnected=N
 * [suppressed_EVENT=N…]" when anything happened in the period. */
void             gw_log_start_summary     (guint           seconds);
/* Writes what the period so far holds and stops the timer (at shutdown). */
void             gw_log_stop_summary      (void);
void             gw_log_flush_summary     (void);

G_END_DECLS
