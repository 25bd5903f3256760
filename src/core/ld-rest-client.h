/* ld-rest-client.h: the platform's REST API (PROTOCOL.md section 6): log in,
 * refresh the tokens, check health. Tokens travel only in request bodies,
 * never in URLs, and nothing here logs them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-types.h"
#include "ld-token-store.h"

G_BEGIN_DECLS

/* Errors for what the server answered; transport failures stay in G_IO_ERROR
 * (or libsoup's domains) so callers can tell "refused" from "unreachable". */
#define LD_REST_ERROR (ld_rest_error_quark ())
GQuark ld_rest_error_quark (void);

typedef enum
{
  LD_REST_ERROR_REFUSED,   /* a failure envelope or an HTTP error status */
  LD_REST_ERROR_UNAUTHENTICATED, /* wrong password, or a refresh token that is expired or revoked */
  LD_REST_ERROR_MALFORMED, /* an answer that is not what the contract says */
} LdRestError;

#define LD_TYPE_REST_CLIENT (ld_rest_client_get_type ())

G_DECLARE_FINAL_TYPE (LdRestClient, ld_rest_client, LD, REST_CLIENT, GObject)

/* BASE_URL: e.g. "http://localhost:3000" (the REST API's root). */
LdRestClient *ld_rest_client_new             (const char          *base_url);
const char   *ld_rest_client_get_base_url    (LdRestClient        *self);

void          ld_rest_client_login_async     (LdRestClient        *self,
                                              const char          *username,
                                              const char          *password,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
LdTokens     *ld_rest_client_login_finish    (LdRestClient        *self,
                                              GAsyncResult        *result,
                                              GError             **error);
void          ld_rest_client_refresh_async   (LdRestClient        *self,
                                              const char          *refresh_token,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
LdTokens     *ld_rest_client_refresh_finish  (LdRestClient        *self,
                                              GAsyncResult        *result,
                                              GError             **error);
/* As the guide's health check: TRUE for any 2xx within 5 s. OUT_REDIS: the
 * Redis state when the answer carries one (UNKNOWN otherwise). */
void          ld_rest_client_health_async    (LdRestClient        *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean      ld_rest_client_health_finish   (LdRestClient        *self,
                                              GAsyncResult        *result,
                                              LdRedisState        *out_redis,
                                              GError             **error);

G_END_DECLS
