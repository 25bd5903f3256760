/* ld-token-store.h: the user's access and refresh tokens in the system
 * keyring (Secret Service, through libsecret). Never anywhere else: there is
 * no plaintext fallback, and nothing here logs a token.
 *
 * One keyring item per server + user, of schema "io.github.livedesk.Token"
 * with attributes "server" and "user"; its secret is one JSON object
 * {"accessToken", "refreshToken", "expiresAt"} so both tokens are always
 * replaced together (a refresh rotates both) and never disagree.
 *
 * "server" is the gateway's URL as ld_token_store_server_key() gives it, the
 * same for the app and livedesk-cli, so a sign-in with either is one with
 * both, and signing out of either signs out of both. Items of older
 * versions (the gateway URL as typed; livedesk-cli's, under the REST API's
 * URL, see ld_token_store_set_legacy_server()) are found by a lookup and
 * moved under the key, and removed by a clear.
 *
 * Errors are in LD_TOKEN_STORE_ERROR with messages meant for the user:
 * NO_KEYRING starts "no keyring available: " and says what to start;
 * LOCKED says to unlock it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-types.h"

G_BEGIN_DECLS

#define LD_TOKEN_STORE_SCHEMA_NAME "io.github.livedesk.Token"
#define LD_TOKEN_STORE_OVERLAY_SCHEMA_NAME "io.github.livedesk.OverlaySecret"

typedef enum
{
  LD_TOKEN_STORE_ERROR_NO_KEYRING,
  LD_TOKEN_STORE_ERROR_LOCKED,
  LD_TOKEN_STORE_ERROR_CORRUPT,
  LD_TOKEN_STORE_ERROR_FAILED,
} LdTokenStoreError;

#define LD_TOKEN_STORE_ERROR (ld_token_store_error_quark ())
GQuark ld_token_store_error_quark (void);

typedef struct
{
  char   *access_token;
  char   *refresh_token;
  /* Unix time in seconds; 0 when unknown. */
  gint64  expires_at;
} LdTokens;

#define LD_TYPE_TOKENS (ld_tokens_get_type ())
GType     ld_tokens_get_type (void) G_GNUC_CONST;
/* REFRESH_TOKEN may be NULL. */
LdTokens *ld_tokens_new      (const char     *access_token,
                              const char     *refresh_token,
                              gint64          expires_at);
LdTokens *ld_tokens_copy     (const LdTokens *tokens);
/* Overwrites the tokens' memory before freeing it. */
void      ld_tokens_free     (LdTokens       *tokens);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LdTokens, ld_tokens_free)

#define LD_TYPE_TOKEN_STORE (ld_token_store_get_type ())

G_DECLARE_FINAL_TYPE (LdTokenStore, ld_token_store, LD, TOKEN_STORE, GObject)

LdTokenStore *ld_token_store_new           (void);
/* The "server" attribute for the gateway at URL: scheme and host in lower
 * case, no default port, no trailing slash, no user info, query or
 * fragment: "HTTP://Example.org:80/" is "http://example.org". */
char         *ld_token_store_server_key    (const char          *url);
/* Where older livedesk-cli versions kept its logins: the REST API's URL. Lookups
 * that find nothing under the server's key look there too (and move what
 * they find), clears remove it too. NULL for none. */
void          ld_token_store_set_legacy_server (LdTokenStore    *self,
                                                const char      *url);
/* Replaces the item for SERVER + USER (SERVER: the gateway's URL). */
void          ld_token_store_store_async   (LdTokenStore        *self,
                                            const char          *server,
                                            const char          *user,
                                            const LdTokens      *tokens,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean      ld_token_store_store_finish  (LdTokenStore        *self,
                                            GAsyncResult        *result,
                                            GError             **error);
void          ld_token_store_lookup_async  (LdTokenStore        *self,
                                            const char          *server,
                                            const char          *user,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
/* NULL without an error when nothing is stored for SERVER + USER; a LOCKED
 * error when it is stored but the keyring stayed locked. */
LdTokens     *ld_token_store_lookup_finish (LdTokenStore        *self,
                                            GAsyncResult        *result,
                                            GError             **error);
/* Who signed in last on SERVER (the most recently saved item), for when
 * the app or livedesk-cli has not been told; NULL without an error when
 * nobody is. */
void          ld_token_store_lookup_user_async  (LdTokenStore        *self,
                                                 const char          *server,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
char         *ld_token_store_lookup_user_finish (LdTokenStore        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
/* Removes the item (on logout), in every form it may have. */
void          ld_token_store_clear_async   (LdTokenStore        *self,
                                            const char          *server,
                                            const char          *user,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
/* TRUE if an item was removed, FALSE without an error if there was none; a
 * LOCKED error when it is there but the keyring stayed locked. */
gboolean      ld_token_store_clear_finish  (LdTokenStore        *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* The OBS overlay's secret path segment, one item for the user, so the
 * overlay URLs pasted into OBS stay valid from one run to the next. The
 * lookup gives NULL without an error when none is stored yet. */
void          ld_token_store_lookup_overlay_secret_async  (LdTokenStore        *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
char         *ld_token_store_lookup_overlay_secret_finish (LdTokenStore        *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
void          ld_token_store_store_overlay_secret_async   (LdTokenStore        *self,
                                                           const char          *secret,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean      ld_token_store_store_overlay_secret_finish  (LdTokenStore        *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

G_END_DECLS
