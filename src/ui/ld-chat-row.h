/* ld-chat-row.h: one chat message in the chat view: time, role badge, the
 * author in their colour, and the text, always as plain text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-message.h"
#include "ld-presence-line.h"

G_BEGIN_DECLS

#define LD_TYPE_CHAT_ROW (ld_chat_row_get_type ())

G_DECLARE_FINAL_TYPE (LdChatRow, ld_chat_row, LD, CHAT_ROW, GtkWidget)

/* A row shows a message or a presence line ("Lan and 3 others joined",
 * the names in its tooltip), one at a time. */

GtkWidget  *ld_chat_row_new            (void);
LdMessage  *ld_chat_row_get_message    (LdChatRow  *self);
/* NULL unbinds the row (a list item being recycled). */
void        ld_chat_row_set_message    (LdChatRow  *self,
                                        LdMessage  *message);
LdPresenceLine *ld_chat_row_get_presence (LdChatRow      *self);
/* NULL unbinds the row. */
void        ld_chat_row_set_presence   (LdChatRow      *self,
                                        LdPresenceLine *line);
void        ld_chat_row_set_clock_12h  (LdChatRow  *self,
                                        gboolean    clock_12h);
/* Messages naming USERNAME are highlighted as mentions. */
void        ld_chat_row_set_own_name   (LdChatRow  *self,
                                        const char *username);
/* Messages containing one of WORDS (any case) are highlighted; applies from
 * the next ld_chat_row_set_message(). */
void        ld_chat_row_set_highlight_words (LdChatRow          *self,
                                             const char * const *words);
gboolean    ld_chat_row_get_highlighted     (LdChatRow          *self);
/* What the row shows, for tests: the text label's text, or a presence
 * line's summary. */
const char *ld_chat_row_get_text       (LdChatRow  *self);

/* A short, translated name of ROLE for a badge, or NULL for viewers. */
const char *ld_role_badge_label        (LdRole      role);

G_END_DECLS
