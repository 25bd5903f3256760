/* gw-redis-limits.h: rate limits (ld-rate-limit.h rules) that hold across
 * every gateway process sharing one Redis, so that N processes do not give
 * a user N times the allowance.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "gw-redis.h"
#include "ld-rate-limit.h"

G_BEGIN_DECLS

/* Records one event of KEY (a user id) under RULE if every window allows
 * it, exactly as ld_rate_limit_try() does but on Redis' clock and state. */
void     gw_redis_limits_try_async  (GwRedis              *redis,
                                     LdRateRule            rule,
                                     const char           *key,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
/* The same decision without recording anything, for events that are
 * recorded only once they prove valid (chat, gifts): finish with
 * gw_redis_limits_try_finish(). */
void     gw_redis_limits_check_async (GwRedis             *redis,
                                      LdRateRule           rule,
                                      const char          *key,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
/* Records one event of KEY under RULE, whatever the windows say; failures
 * only go to the log. */
void     gw_redis_limits_record      (GwRedis             *redis,
                                      LdRateRule           rule,
                                      const char          *key);
/* FALSE with ERROR when Redis could not decide (away, or a reply of the
 * wrong shape); otherwise TRUE with *OUT_ALLOWED and, when refused, the
 * window that holds the user back and the wait. */
gboolean gw_redis_limits_try_finish (GwRedis              *redis,
                                     GAsyncResult         *result,
                                     gboolean             *out_allowed,
                                     LdRateWindow         *out_hit,
                                     gint64               *out_retry_ms,
                                     GError              **error);

G_END_DECLS
