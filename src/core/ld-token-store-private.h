/* ld-token-store-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ld-token-store.h"

G_BEGIN_DECLS

/* Turns a libsecret or D-Bus error into an LD_TOKEN_STORE_ERROR that tells
 * the user what to do; takes ERROR. Cancellation is returned as it is. */
GError *_ld_token_store_translate_error (GError *error);

G_END_DECLS
