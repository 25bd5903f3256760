/* ld-token-refresh-private.h: hooks for tests, not for the app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ld-token-refresh.h"

G_BEGIN_DECLS

/* What one try calls instead of ld_rest_client_refresh_async()/_finish():
 * START begins a try and calls CALLBACK with a result FINISH reads. */
typedef void      (*LdTokenRefreshStart)  (gpointer             data,
                                           const char          *refresh_token,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
typedef LdTokens *(*LdTokenRefreshFinish) (gpointer             data,
                                           GAsyncResult        *result,
                                           GError             **error);

void _ld_token_refresh_set_backend (LdTokenRefresh       *self,
                                    LdTokenRefreshStart   start,
                                    LdTokenRefreshFinish  finish,
                                    gpointer              data);

G_END_DECLS
