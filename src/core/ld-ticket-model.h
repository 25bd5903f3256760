/* ld-ticket-model.h: an admin's support tickets as a GListModel of
 * LdTicket, the most recently active first. With a gateway that stores
 * tickets [ext], they are the server's (pages of listTickets, ticketMessage,
 * ticketUpdate, getTicket), a user may have several, and older pages go
 * below; from a server without, one per user, grouped from adminChat. For a
 * user who is not an admin, the same model holds their own conversation:
 * their chatWithAdmin messages and the admins' adminMessage answers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-types.h"
#include "ld-ticket.h"

G_BEGIN_DECLS

#define LD_TYPE_TICKET_MODEL (ld_ticket_model_get_type ())

G_DECLARE_FINAL_TYPE (LdTicketModel, ld_ticket_model, LD, TICKET_MODEL, GObject)

LdTicketModel *ld_ticket_model_new              (void);
/* adminChat {ticketId, userId, username, message, supportType, timestamp}:
 * ticketId, userId and message are required. Adds the message to the
 * user's ticket (made if new) and moves that ticket to the top. Returns the
 * ticket (borrowed), or NULL with an error. */
LdTicket      *ld_ticket_model_apply_admin_chat (LdTicketModel  *self,
                                                 JsonObject     *payload,
                                                 GError        **error);
/* An admin's reply to USER_ID's ticket, as sent with adminReply: a PENDING,
 * is-own message with a local id (the session marks it sent or failed).
 * Moves the ticket to the top. NULL if the user has no ticket. */
LdMessage     *ld_ticket_model_add_reply        (LdTicketModel  *self,
                                                 const char     *user_id,
                                                 const char     *admin_id,
                                                 const char     *admin_name,
                                                 const char     *text);
/* The user's own chatWithAdmin, as sent: a PENDING, is-own message with a
 * local id in USER_ID's ticket (made if new; the session marks it sent or
 * failed). Borrowed. */
LdMessage     *ld_ticket_model_add_request      (LdTicketModel  *self,
                                                 const char     *user_id,
                                                 const char     *username,
                                                 const char     *text,
                                                 const char     *support_type);
/* adminMessage {ticketId, from, message, timestamp} to the user USER_ID:
 * message is required. Adds the answer to their ticket (made if new),
 * unread. Returns the ticket (borrowed), or NULL with an error. */
LdTicket      *ld_ticket_model_apply_admin_message (LdTicketModel *self,
                                                    const char    *user_id,
                                                    JsonObject    *payload,
                                                    GError       **error);
/* USER_ID's most recently active ticket, or NULL. */
LdTicket      *ld_ticket_model_lookup           (LdTicketModel  *self,
                                                 const char     *user_id);
/* Tickets stored by the server [ext] (README, "Beyond PROTOCOL.md"). */

/* The ticket with server id TICKET_ID, or NULL. */
LdTicket      *ld_ticket_model_lookup_id        (LdTicketModel  *self,
                                                 const char     *ticket_id);
/* A ticket's state {ticketId, userId, username, supportType, status,
 * assignee, createdAt, updatedAt}: ticketId and userId are required.
 * Updates the ticket, or adds it: first, or last when AT_END (a ticket from
 * an older page). Returns it (borrowed), or NULL with an error. */
LdTicket      *ld_ticket_model_apply_ticket     (LdTicketModel  *self,
                                                 JsonObject     *ticket,
                                                 gboolean        at_end,
                                                 GError        **error);
/* ticketMessage {ticketId, userId, from, fromId, fromRole, message,
 * timestamp, ticket?}: adds the message to the ticket (made if new) and
 * moves it to the top. OWN_ID: the session's user, whose messages are
 * is-own and match the reply already shown as pending; a user's message is
 * counted unread. OUT_ADDED: whether it was news (not an echo). */
LdTicket      *ld_ticket_model_apply_ticket_message (LdTicketModel *self,
                                                     JsonObject    *payload,
                                                     const char    *own_id,
                                                     gboolean      *out_added,
                                                     GError       **error);
/* ticketUpdate {ticketId, status, assignee, by, timestamp, ticket?}. */
LdTicket      *ld_ticket_model_apply_ticket_update (LdTicketModel *self,
                                                    JsonObject    *payload,
                                                    GError       **error);
/* ticketList's data {tickets, nextBefore}. OLDER: the page asked for with
 * the model's next-before (else the newest page, at sign-in or after a
 * reconnect, which merges with what is shown). */
gboolean       ld_ticket_model_apply_page       (LdTicketModel  *self,
                                                 JsonObject     *data,
                                                 gboolean        older,
                                                 GError        **error);
/* Where the next older page starts (listTickets' before), NULL when every
 * page is in or none was asked for yet. */
const char    *ld_ticket_model_get_next_before  (LdTicketModel  *self);
/* ticketHistory's data: the ticket with its "messages"; replaces what the
 * ticket showed (own pending messages stay). OWN_ID as above. */
LdTicket      *ld_ticket_model_apply_history    (LdTicketModel  *self,
                                                 JsonObject     *data,
                                                 const char     *own_id,
                                                 GError        **error);

/* Tickets with unread messages, for a badge. */
guint          ld_ticket_model_get_n_unread     (LdTicketModel  *self);

G_END_DECLS
