/* ld-mention.h: the one rule for "this message mentions me", used by the
 * chat's highlight and by desktop notifications alike.
 *
 * The name, case-folded, as a word of its own in the text: "@lan", "Lan:"
 * and "hi LAN" mention Lan, "Lana" and "plan" do not.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean ld_mention_matches (const char *text,
                             const char *username);

G_END_DECLS
