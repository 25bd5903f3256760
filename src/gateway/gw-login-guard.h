/* gw-login-guard.h: how many password guesses an account and a client
 * address may still make. An attempt is reserved before its password hash
 * runs, so attempts in flight count against the limits too; a failure
 * keeps its reservation, a success gives its own back and nothing else.
 * With Redis the counts are shared by every gateway process.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "gw-types.h"

G_BEGIN_DECLS

#define GW_LOGIN_GUARD_DEFAULT_ACCOUNT_MAX 10
/* Higher: everyone behind one NAT or proxy shares an address. */
#define GW_LOGIN_GUARD_DEFAULT_ADDRESS_MAX 100
#define GW_LOGIN_GUARD_DEFAULT_WINDOW_SECONDS (15 * 60)
/* Accounts and addresses tracked at once without Redis. */
#define GW_LOGIN_GUARD_MAX_ENTRIES 100000

typedef enum
{
  GW_LOGIN_ADMITTED,
  GW_LOGIN_THROTTLED_ACCOUNT,
  GW_LOGIN_THROTTLED_ADDRESS,
  /* Without Redis: too many accounts and addresses tracked at once. */
  GW_LOGIN_GUARD_FULL,
} GwLoginVerdict;

/* Monotonic time in seconds; tests drive their own. */
typedef gint64 (*GwLoginClock) (gpointer user_data);

#define GW_TYPE_LOGIN_GUARD (gw_login_guard_get_type ())

G_DECLARE_FINAL_TYPE (GwLoginGuard, gw_login_guard, GW, LOGIN_GUARD, GObject)

GwLoginGuard  *gw_login_guard_new          (void);
/* At most ACCOUNT_MAX failed or pending attempts per account and ADDRESS_MAX
 * per address within WINDOW seconds of the first. */
void           gw_login_guard_set_limits   (GwLoginGuard        *self,
                                            guint                account_max,
                                            guint                address_max,
                                            guint                window_seconds);
void           gw_login_guard_set_clock    (GwLoginGuard        *self,
                                            GwLoginClock         clock,
                                            gpointer             user_data);
/* From then on the counts live in Redis under livedesk:login:…. */
void           gw_login_guard_set_redis    (GwLoginGuard        *self,
                                            GwRedis             *redis);

/* In memory: reserves one attempt of ACCOUNT from ADDRESS, or says which
 * limit refuses it and for how many seconds (OUT_RETRY_AFTER). */
GwLoginVerdict gw_login_guard_admit        (GwLoginGuard        *self,
                                            const char          *account,
                                            const char          *address,
                                            gint64              *out_retry_after);
/* The same through Redis when set; while Redis is away, in memory again. */
void           gw_login_guard_admit_async  (GwLoginGuard        *self,
                                            const char          *account,
                                            const char          *address,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GwLoginVerdict gw_login_guard_admit_finish (GwLoginGuard        *self,
                                            GAsyncResult        *result,
                                            gint64              *out_retry_after,
                                            GError             **error);
/* Ends an admitted attempt: a failure stays counted until the window ends;
 * a success (or an attempt that never reached the password check) gives
 * back its own reservation. */
void           gw_login_guard_resolve      (GwLoginGuard        *self,
                                            const char          *account,
                                            const char          *address,
                                            gboolean             counts_as_failure);
/* The failed and pending attempts counted for ACCOUNT now (in memory). */
guint          gw_login_guard_get_account_count (GwLoginGuard   *self,
                                                 const char     *account);

G_END_DECLS
