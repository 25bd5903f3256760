/* ld-sign-in-window.h: signing in: the platform's URLs (the guide's
 * development and production defaults offered), then a username and
 * password (the REST login) or a pasted token pair. The tokens go to the
 * keyring before ::signed-in: if the keyring is missing or locked the
 * window says so and what to do, and nothing is saved anywhere else.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ld-settings.h"
#include "ld-token-store.h"

G_BEGIN_DECLS

#define LD_SIGN_IN_PRODUCTION_SERVER_URL "https://apisocket.loltips.net"
#define LD_SIGN_IN_PRODUCTION_API_URL "https://apilive.loltips.net"

#define LD_TYPE_SIGN_IN_WINDOW (ld_sign_in_window_get_type ())

G_DECLARE_FINAL_TYPE (LdSignInWindow, ld_sign_in_window, LD, SIGN_IN_WINDOW, AdwWindow)

/* Signals:
 *   signed-in (LdTokens *tokens, const char *username)   saved in the keyring;
 *              the settings' server-url, api-url and last-user are updated.
 * Actions: sign-in.submit. */
LdSignInWindow *ld_sign_in_window_new            (GtkWindow      *parent,
                                                  LdSettings     *settings,
                                                  LdTokenStore   *token_store);
/* For tests and scripted sign-in. */
void            ld_sign_in_window_set_urls       (LdSignInWindow *self,
                                                  const char     *server_url,
                                                  const char     *api_url);
void            ld_sign_in_window_set_password   (LdSignInWindow *self,
                                                  const char     *username,
                                                  const char     *password);
void            ld_sign_in_window_set_tokens     (LdSignInWindow *self,
                                                  const char     *access_token,
                                                  const char     *refresh_token);
/* The error shown now, or NULL. */
const char     *ld_sign_in_window_get_error      (LdSignInWindow *self);
gboolean        ld_sign_in_window_get_busy       (LdSignInWindow *self);

/* The "name" (else "sub") and "exp" claims of a JWT, read without checking
 * its signature: only to name the keyring item. FALSE if it is not a JWT. */
gboolean        ld_jwt_peek                      (const char     *token,
                                                  char          **out_name,
                                                  gint64         *out_exp);

G_END_DECLS
