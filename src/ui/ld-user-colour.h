/* ld-user-colour.h: a stable colour per user for names in the chat, so the
 * same person looks the same in every row and after every restart.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The palette's size; style.css has a class user-colour-0 … -(N-1). */
#define LD_USER_COLOUR_COUNT 10

/* The palette index for USER_ID: FNV-1a of its bytes, so it never depends on
 * GLib's per-process hash seed. */
guint        ld_user_colour_index (const char *user_id);
/* "user-colour-N" (static string). */
const char  *ld_user_colour_class (const char *user_id);

G_END_DECLS
