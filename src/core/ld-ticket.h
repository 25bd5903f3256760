/* ld-ticket.h: one user's support conversation with the admins: what they
 * sent with chatWithAdmin (reaching admins as adminChat, and ticketMessage
 * [ext]) and the admins' replies (adminReply), as LdMessages whose room-id
 * is the ticket id; with a gateway that stores tickets, its status and the
 * admin who claimed it.
 *
 * An admin's LdTicketModel holds one per user who wrote; a user's holds
 * their own conversation only: what they sent (is-own) and the admins'
 * answers (adminMessage), whose unread count is the answers not yet read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-types.h"
#include "ld-message.h"

G_BEGIN_DECLS

#define LD_TYPE_TICKET (ld_ticket_get_type ())

G_DECLARE_FINAL_TYPE (LdTicket, ld_ticket, LD, TICKET, GObject)

const char *ld_ticket_get_user_id      (LdTicket *self);
const char *ld_ticket_get_username     (LdTicket *self);
/* The ticket id of the user's latest message: what adminReply answers to. */
const char *ld_ticket_get_ticket_id    (LdTicket *self);
/* supportType of the user's latest message ("general" by default). */
const char *ld_ticket_get_support_type (LdTicket *self);
/* A GListModel of LdMessage, oldest first. */
GListModel *ld_ticket_get_messages     (LdTicket *self);
/* The messages from the other side since the ticket was last read: the
 * user's for an admin, the admins' answers for the user. */
guint       ld_ticket_get_unread_count (LdTicket *self);
void        ld_ticket_mark_read        (LdTicket *self);
/* A new message from the user reopens a resolved ticket. */
gboolean    ld_ticket_get_resolved     (LdTicket *self);
void        ld_ticket_set_resolved     (LdTicket *self,
                                        gboolean  resolved);
/* When the latest message arrived or was sent. */
GDateTime  *ld_ticket_get_updated      (LdTicket *self);
/* The admin (by name) who claimed the ticket on the server, or NULL. */
const char *ld_ticket_get_assignee     (LdTicket *self);
/* When the server opened it (NULL for a ticket the server never listed). */
GDateTime  *ld_ticket_get_created      (LdTicket *self);
/* Whether the messages are the server's whole history (getTicket), rather
 * than only those that arrived while this session was connected. */
gboolean    ld_ticket_get_history_loaded (LdTicket *self);

/* Whether MESSAGE of a ticket is an admins' internal note [ext]: stored
 * with the ticket, shown to admins only, never sent to the user. */
gboolean    ld_ticket_message_is_internal (LdMessage *message);

G_END_DECLS
