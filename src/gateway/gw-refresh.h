/* gw-refresh.h: rotating refresh tokens with reuse detection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "gw-types.h"

G_BEGIN_DECLS

#define GW_REFRESH_ERROR (gw_refresh_error_quark ())

typedef enum
{
  GW_REFRESH_ERROR_INVALID,
  GW_REFRESH_ERROR_EXPIRED,
  GW_REFRESH_ERROR_REUSED,
  GW_REFRESH_ERROR_RANDOM,
} GwRefreshError;

#define GW_REFRESH_DEFAULT_TTL_SECONDS (30 * 24 * 3600)

#define GW_TYPE_REFRESH_STORE (gw_refresh_store_get_type ())

G_DECLARE_FINAL_TYPE (GwRefreshStore, gw_refresh_store, GW, REFRESH_STORE, GObject)

GQuark          gw_refresh_error_quark            (void);

GwRefreshStore *gw_refresh_store_new              (gint64           ttl_seconds);
gint64          gw_refresh_store_get_ttl          (GwRefreshStore  *self);
/* Starts a new chain (one per login). NOW is seconds since the epoch. */
char           *gw_refresh_store_issue            (GwRefreshStore  *self,
                                                   const char      *user_id,
                                                   gint64           now,
                                                   GError         **error);
/* Trades TOKEN for the next one in its chain; TOKEN stops working. Presenting
 * an already traded token means two parties hold the chain (one of them a
 * thief): the whole chain is revoked and GW_REFRESH_ERROR_REUSED returned. */
char           *gw_refresh_store_rotate           (GwRefreshStore  *self,
                                                   const char      *token,
                                                   gint64           now,
                                                   char           **out_user_id,
                                                   GError         **error);
void            gw_refresh_store_revoke_user      (GwRefreshStore  *self,
                                                   const char      *user_id);
/* Tokens that rotate would still accept (in this process's memory only). */
guint           gw_refresh_store_get_n_active     (GwRefreshStore  *self,
                                                   gint64           now);

/* From now on tokens live in REDIS, shared by every gateway process on it
 * and surviving their restarts: by the SHA-256 of each token, expiring with
 * it; rotation and reuse detection are one Redis script each, so a token
 * traded at one process is known as traded at all. Only the _async calls
 * reach Redis; the synchronous ones keep to memory (a standalone gateway). */
void            gw_refresh_store_set_redis        (GwRefreshStore  *self,
                                                   GwRedis         *redis);
/* gw_refresh_store_issue(), in Redis if set. While Redis is away this fails
 * with a G_IO_ERROR rather than hand out a token the others would not know. */
void            gw_refresh_store_issue_async      (GwRefreshStore      *self,
                                                   const char          *user_id,
                                                   gint64               now,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
char           *gw_refresh_store_issue_finish     (GwRefreshStore  *self,
                                                   GAsyncResult    *result,
                                                   GError         **error);
/* gw_refresh_store_rotate(), in Redis if set. */
void            gw_refresh_store_rotate_async     (GwRefreshStore      *self,
                                                   const char          *token,
                                                   gint64               now,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
char           *gw_refresh_store_rotate_finish    (GwRefreshStore  *self,
                                                   GAsyncResult    *result,
                                                   char           **out_user_id,
                                                   GError         **error);

G_END_DECLS
