/* ld-jwt.h: what the client reads of its access token: whose it is and
 * when it expires, without checking the signature (the server does; the
 * client only needs to know when to refresh).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when TOKEN is a JWT with a JSON object of claims: OUT_SUB its "sub"
 * (or NULL), OUT_EXP its "exp" in Unix seconds (0 when absent or absurd). */
gboolean ld_jwt_read_claims (const char  *token,
                             char       **out_sub,
                             gint64      *out_exp);

G_END_DECLS
