/* ld-support-view.h: the Support page. For an admin, the support console:
 * the tickets (adminChat) one per user, newest activity first, unread ones
 * marked, open or resolved, beside the conversation with a reply entry
 * (adminReply); an AdwLeaflet that folds to one pane on narrow windows. For
 * everyone else, "Chat with admin": a topic (the support type), their
 * conversation with the admins' answers (adminMessage) and an entry
 * (chatWithAdmin).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-session.h"
#include "ld-support-conversation.h"

G_BEGIN_DECLS

#define LD_TYPE_SUPPORT_VIEW (ld_support_view_get_type ())

G_DECLARE_FINAL_TYPE (LdSupportView, ld_support_view, LD, SUPPORT_VIEW, GtkWidget)

/* Actions: support.toggle-resolved (the open ticket), support.back (to the
 * list when folded). */
GtkWidget             *ld_support_view_new                (void);
LdSession             *ld_support_view_get_session        (LdSupportView *self);
void                   ld_support_view_set_session        (LdSupportView *self,
                                                           LdSession     *session);
/* TRUE when the session's user is an admin and the console shows. */
gboolean               ld_support_view_get_admin          (LdSupportView *self);
/* The conversation shown now: the open ticket's (admin) or the user's own. */
LdSupportConversation *ld_support_view_get_conversation   (LdSupportView *self);
/* The admin's list of tickets: rows are LdTicketRow. */
GtkListBox            *ld_support_view_get_ticket_list    (LdSupportView *self);
/* Admin: shows USER_ID's ticket (switching to the resolved ones if it is
 * resolved) and marks it read, as clicking its row does; for a desktop
 * notification's "open". FALSE if there is no such ticket. */
gboolean               ld_support_view_open_ticket        (LdSupportView *self,
                                                           const char    *user_id);
/* The admin's open ticket, or NULL. */
LdTicket              *ld_support_view_get_current_ticket (LdSupportView *self);
/* Admin: list the resolved tickets instead of the open ones. */
gboolean               ld_support_view_get_show_resolved  (LdSupportView *self);
void                   ld_support_view_set_show_resolved  (LdSupportView *self,
                                                           gboolean       show_resolved);
/* The user's topic for what they send next ("general", "payment", …). */
const char            *ld_support_view_get_support_type   (LdSupportView *self);
void                   ld_support_view_set_support_type   (LdSupportView *self,
                                                           const char    *support_type);

/* Asks for the next older page of tickets (what scrolling to the end of the
 * list does); FALSE when every page is in or one is on its way. */
gboolean               ld_support_view_load_older         (LdSupportView *self);

G_END_DECLS
