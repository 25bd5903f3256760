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
/* Tokens that rotate would still accept. */
guint           gw_refresh_store_get_n_active     (GwRefreshStore  *self,
                                                   gint64           now);

G_END_DECLS
