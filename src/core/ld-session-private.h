/* ld-session-private.h: hooks for tests and benchmarks, not for the app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ld-session.h"

G_BEGIN_DECLS

/* Be in ROOM_ID without a server, and the path an event takes from the wire
 * into the models (the benchmark's). */
void _ld_session_enter_room      (LdSession  *self,
                                  const char *room_id);
void _ld_session_handle_event    (LdSession  *self,
                                  const char *event,
                                  JsonNode   *payload);
/* What a GNetworkMonitor change does. */
void _ld_session_network_changed (LdSession  *self,
                                  gboolean    available);
/* Listens to MONITOR's network-changed instead of the default monitor's. */
void _ld_session_set_network_monitor (LdSession       *self,
                                      GNetworkMonitor *monitor);
/* What a room's own requests (gifts, room info, moderation) and the
 * support desk's need of their session, and nothing more: who sends (FALSE
 * when no one is signed in: authSuccess's user, else the token's), and the
 * connection's requests (TASK prepared with ld_request_prepare: sent now
 * when online, kept until then, failed when signed out or disconnected on
 * purpose). Their texts are checked, worded and rate-limited by the
 * session's outbox (ld-outbox-private.h), which counts every send. */
gboolean   _ld_session_get_sender    (LdSession         *self,
                                      const char       **user_id,
                                      const char       **username);
void       _ld_session_submit        (LdSession         *self,
                                      GTask             *task);
/* Shorter schedules, so a test goes through many attempts in little time:
 * the reconnect backoff (base, cap) and the refresh's quick retries. */
void _ld_session_set_backoff     (LdSession  *self,
                                  guint       base_ms,
                                  guint       max_ms,
                                  guint       refresh_base_ms,
                                  guint       refresh_max_ms);

G_END_DECLS
