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
/* What a room's own requests (gifts, room info, moderation) need of its
 * session, and nothing more: who sends (FALSE when no one is signed in),
 * the one rate limit shared with chat, the user's words for a refusal of
 * the contract's checks, and the connection's requests (TASK prepared with
 * ld_request_prepare: sent now when online, kept until then, failed when
 * signed out or disconnected on purpose). */
gboolean   _ld_session_get_sender    (LdSession         *self,
                                      const char       **user_id,
                                      const char       **username);
gboolean   _ld_session_check_rate    (LdSession         *self,
                                      GError           **error);
void       _ld_session_set_contract_error (GError      **error,
                                           GError       *validation,
                                           guint         max_chars);
void       _ld_session_submit        (LdSession         *self,
                                      GTask             *task);
/* What LdSupport's requests ask of the session: the signed-in user
 * (authSuccess's, else the token's; NULL when none); TEXT checked as chat checks it, and counted against
 * chat's rate limits when RATE (NULL with the error). */
const char *_ld_session_get_own_user_id (LdSession  *self);
char       *_ld_session_check_text      (LdSession  *self,
                                         const char *text,
                                         gboolean    rate,
                                         GError    **error);
/* Shorter schedules, so a test goes through many attempts in little time:
 * the reconnect backoff (base, cap) and the refresh's quick retries. */
void _ld_session_set_backoff     (LdSession  *self,
                                  guint       base_ms,
                                  guint       max_ms,
                                  guint       refresh_base_ms,
                                  guint       refresh_max_ms);

G_END_DECLS
