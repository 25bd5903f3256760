/* ld-ticket-replies.h: an admin's canned replies to support tickets, nine
 * slots (inserted with Ctrl+1 … Ctrl+9), kept per admin in a key file under
 * the user's config dir, so each admin signing in on this computer finds
 * their own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LD_TICKET_REPLIES_N_SLOTS 9

#define LD_TYPE_TICKET_REPLIES (ld_ticket_replies_get_type ())

G_DECLARE_FINAL_TYPE (LdTicketReplies, ld_ticket_replies, LD, TICKET_REPLIES, GObject)

/* PATH: the key file; NULL for ~/.config/livedesk/canned-replies.ini. */
LdTicketReplies *ld_ticket_replies_new       (const char       *path);
/* Whose replies (an admin's user id); NULL: nobody's, all slots empty.
 * Emits "changed". */
void             ld_ticket_replies_set_admin (LdTicketReplies  *self,
                                              const char       *admin_id);
const char      *ld_ticket_replies_get_admin (LdTicketReplies  *self);
/* Slot 1 … LD_TICKET_REPLIES_N_SLOTS: its text, NULL when empty. */
const char      *ld_ticket_replies_get       (LdTicketReplies  *self,
                                              guint             slot);
/* Saves TEXT (NULL or "" empties the slot) for the admin, and the file. */
gboolean         ld_ticket_replies_set       (LdTicketReplies  *self,
                                              guint             slot,
                                              const char       *text,
                                              GError          **error);

G_END_DECLS
