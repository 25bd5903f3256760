/* gw-jwt.h: HS256 access tokens (PROTOCOL.md section 6).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "gw-types.h"

G_BEGIN_DECLS

#define GW_JWT_ERROR (gw_jwt_error_quark ())

typedef enum
{
  GW_JWT_ERROR_MALFORMED,
  GW_JWT_ERROR_BAD_SIGNATURE,
  GW_JWT_ERROR_UNSUPPORTED_ALG,
  GW_JWT_ERROR_EXPIRED,
  GW_JWT_ERROR_BAD_CLAIMS,
  GW_JWT_ERROR_BAD_SECRET,
} GwJwtError;

/* A shorter HMAC key is guessable offline from one captured token. */
#define GW_JWT_MIN_SECRET_LEN 32
/* Clock skew tolerated between gateway processes, in seconds. */
#define GW_JWT_LEEWAY_SECONDS 30

typedef struct
{
  char   *sub;   /* user id */
  char   *name;  /* username */
  GwRole  role;
  gint64  iat;   /* seconds since the epoch; 0 = not set */
  gint64  exp;   /* seconds since the epoch; required */
} GwJwtClaims;

#define GW_TYPE_JWT_CLAIMS (gw_jwt_claims_get_type ())

GType        gw_jwt_claims_get_type (void) G_GNUC_CONST;
GwJwtClaims *gw_jwt_claims_new      (const char        *sub,
                                     const char        *name,
                                     GwRole             role,
                                     gint64             iat,
                                     gint64             exp);
GwJwtClaims *gw_jwt_claims_copy     (const GwJwtClaims *claims);
void         gw_jwt_claims_free     (GwJwtClaims       *claims);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GwJwtClaims, gw_jwt_claims_free)

#define GW_TYPE_JWT (gw_jwt_get_type ())

G_DECLARE_FINAL_TYPE (GwJwt, gw_jwt, GW, JWT, GObject)

GQuark       gw_jwt_error_quark           (void);

/* The secret never comes from argv: argv is visible to every local user. */
GwJwt       *gw_jwt_new                   (GBytes            *secret,
                                           GError           **error);
/* One trailing newline (as `echo` writes) is not part of the secret. */
GwJwt       *gw_jwt_new_from_file         (const char        *path,
                                           GError           **error);
GwJwt       *gw_jwt_new_from_environment  (const char        *variable,
                                           GError           **error);

char        *gw_jwt_sign                  (GwJwt             *self,
                                           const GwJwtClaims *claims,
                                           GError           **error);
/* NOW is seconds since the epoch, passed in so that tests control the clock. */
GwJwtClaims *gw_jwt_verify                (GwJwt             *self,
                                           const char        *token,
                                           gint64             now,
                                           GError           **error);

G_END_DECLS
