/* ld-user-card.h: a popover about one user: name, role, their recent
 * messages, and the moderation actions the signed-in role allows (greyed
 * out with the reason when the rank rule forbids them), plus
 * hiding them from this chat view only. It asks through actions:
 * win.moderate-user ((ssu): "timeout"/"ban", user id, seconds) and
 * win.toggle-hidden-user (s), win.toggle-highlighted-user (s).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-types.h"

G_BEGIN_DECLS

#define LD_USER_CARD_RECENT 5

#define LD_TYPE_USER_CARD (ld_user_card_get_type ())

G_DECLARE_FINAL_TYPE (LdUserCard, ld_user_card, LD, USER_CARD, GtkPopover)

/* CHAT: the chat model (LdMessage items) to take recent messages from. */
GtkWidget *ld_user_card_new (const char *user_id,
                             const char *username,
                             LdRole      role,
                             GListModel *chat,
                             gboolean    can_moderate,
                             gboolean    hidden);
/* Time Out and Ban are greyed out with WHY ("Only an admin can …") as
 * their tooltip when the rank rule forbids them; NULL offers them. */
void       ld_user_card_set_refusal (LdUserCard *self,
                                     const char *why);
/* How many recent messages the card lists. */
guint      ld_user_card_get_n_recent (LdUserCard *self);
/* The user's sanctions in the room (LdModerationEntry, newest first, from
 * its moderation log), and Unban when the newest ban was not lifted. */
void       ld_user_card_set_sanctions (LdUserCard *self,
                                       GPtrArray  *entries,
                                       gboolean    can_moderate);
guint      ld_user_card_get_n_sanctions (LdUserCard *self);
/* Their messages in another open room during this run, under its name. */
void       ld_user_card_add_room_messages (LdUserCard *self,
                                           const char *room_name,
                                           GListModel *chat);
/* Whether their messages are highlighted now (the button's label). */
void       ld_user_card_set_highlighted (LdUserCard *self,
                                         gboolean    highlighted);
/* Property streamer-mode: hides the user id (shown otherwise). */
void       ld_user_card_set_streamer_mode (LdUserCard *self,
                                           gboolean    streamer_mode);

G_END_DECLS
