/* ld-token-refresh.h: one token refresh over REST, retried like the guide's
 * RetryManager when it fails on the network.
 *
 * A refresh that fails for any reason but the server refusing the refresh
 * token (a 401, LD_REST_ERROR_UNAUTHENTICATED) is tried again: 3 tries in
 * all at 1 s, doubling, at most 10 s apart, then on the reconnect schedule
 * (jittered exponential backoff, 1 s up to 30 s) for as long as it takes.
 * Only a 401 (or cancelling) completes the run with an error; ::retrying
 * says each time how long the next try waits, so the owner can tell the
 * user. Timers run on an LdClock, so tests drive them without waiting.
 *
 *   g_autoptr(LdTokenRefresh) refresh = ld_token_refresh_new (rest, clock);
 *   ld_token_refresh_run_async (refresh, tokens->refresh_token, cancellable,
 *                               on_refreshed, self);
 *
 * Test hooks (a fake REST call) are in ld-token-refresh-private.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-clock.h"
#include "ld-reconnect.h"
#include "ld-rest-client.h"
#include "ld-token-store.h"

G_BEGIN_DECLS

#define LD_TOKEN_REFRESH_TRIES 3
#define LD_TOKEN_REFRESH_RETRY_DELAY_MS 1000
#define LD_TOKEN_REFRESH_RETRY_DELAY_MAX_MS 10000
/* Then the reconnect schedule's (ld-reconnect.h). */
#define LD_TOKEN_REFRESH_BACKOFF_DELAY_MS LD_RECONNECT_DELAY_MS
#define LD_TOKEN_REFRESH_BACKOFF_DELAY_MAX_MS LD_RECONNECT_DELAY_MAX_MS

#define LD_TYPE_TOKEN_REFRESH (ld_token_refresh_get_type ())

G_DECLARE_FINAL_TYPE (LdTokenRefresh, ld_token_refresh, LD, TOKEN_REFRESH, GObject)

/* REST: the API to refresh on; CLOCK: the timers' (NULL for real time). */
LdTokenRefresh *ld_token_refresh_new          (LdRestClient        *rest,
                                               LdClock             *clock);
/* The schedule: the quick retries' first delay and cap, then the
 * reconnect schedule's base and cap (the defaults above). */
void            ld_token_refresh_set_schedule (LdTokenRefresh      *self,
                                               guint                retry_base_ms,
                                               guint                retry_max_ms,
                                               guint                backoff_base_ms,
                                               guint                backoff_max_ms);
/* Refreshes with REFRESH_TOKEN until the server answers with new tokens or
 * refuses it. One run at a time (a second while one runs is a programming
 * error). Completes with the new tokens; when the answer carries no refresh
 * token, the one sent is kept in them (it rotates: never lose it). */
void            ld_token_refresh_run_async    (LdTokenRefresh      *self,
                                               const char          *refresh_token,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* NULL with LD_REST_ERROR_UNAUTHENTICATED (sign out) or G_IO_ERROR_CANCELLED. */
LdTokens       *ld_token_refresh_run_finish   (LdTokenRefresh      *self,
                                               GAsyncResult        *result,
                                               GError             **error);
gboolean        ld_token_refresh_is_running   (LdTokenRefresh      *self);
/* Failed tries of the current run so far. */
guint           ld_token_refresh_get_failures (LdTokenRefresh      *self);
/* A run waiting before its next try tries now (the network came back, the
 * user asked). Nothing otherwise. */
void            ld_token_refresh_retry_now    (LdTokenRefresh      *self);
/* Ends the run under way: it completes with G_IO_ERROR_CANCELLED and a try
 * still on the wire is ignored when it answers (signing out). */
void            ld_token_refresh_stop         (LdTokenRefresh      *self);

G_END_DECLS
