/* gw-rest.h: the gateway's REST endpoints (PROTOCOL.md section 6) on a SoupServer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "gw-client-address.h"
#include "gw-login-guard.h"
#include "gw-types.h"

G_BEGIN_DECLS

#define GW_REST_DEFAULT_ACCESS_TTL_SECONDS (15 * 60)
/* Logins and refreshes are a few hundred bytes; anything far bigger is abuse. */
#define GW_REST_MAX_BODY_SIZE (16 * 1024)

#define GW_TYPE_REST (gw_rest_get_type ())

G_DECLARE_FINAL_TYPE (GwRest, gw_rest, GW, REST, GObject)

GwRest *gw_rest_new                (GwJwt          *jwt,
                                    GwUsers        *users,
                                    GwRefreshStore *refresh);
/* Health then reports Redis as "connected"/"disconnected"; without, "off". */
void    gw_rest_set_redis          (GwRest         *self,
                                    GwRedis        *redis);
void    gw_rest_set_access_ttl     (GwRest         *self,
                                    gint64          seconds);
/* Access-Control-Allow-Origin; "*" (the default) suits bearer tokens, which
 * browsers never attach on their own. */
void    gw_rest_set_allowed_origin (GwRest         *self,
                                    const char     *origin);
/* At most ACCOUNT_MAX failed (or pending) logins per account and
 * ADDRESS_MAX per client address within WINDOW seconds; then 429 with
 * Retry-After for that account or address until the window has passed.
 * Defaults: GW_LOGIN_GUARD_DEFAULT_*. */
void    gw_rest_set_login_limits   (GwRest         *self,
                                    guint           account_max,
                                    guint           address_max,
                                    guint           window_seconds);
/* The guard counting login attempts (tests drive its clock). */
GwLoginGuard *gw_rest_get_login_guard (GwRest      *self);
/* Requests from PROXIES are taken to be from the client their
 * X-Forwarded-For names (see gw_client_address()); NULL trusts no one. */
void    gw_rest_set_trusted_proxies (GwRest           *self,
                                     GwTrustedProxies *proxies);
/* Serves GET /api/v1/system/health, POST /api/v1/auth/login and
 * POST /api/v1/auth/refresh-token on SERVER. */
void    gw_rest_attach             (GwRest         *self,
                                    SoupServer     *server);

G_END_DECLS
