/* ld-ticket-private.h: what LdTicketModel changes on a ticket.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ld-ticket.h"
#include "ld-ticket-model.h"

G_BEGIN_DECLS

LdTicket *_ld_ticket_new          (const char *user_id);
/* A message from the user: updates name, ticket id and support type, counts
 * it unread and reopens the ticket. */
void      _ld_ticket_add_incoming (LdTicket   *self,
                                   LdMessage  *message,
                                   const char *ticket_id,
                                   const char *support_type);
/* An admin's reply. */
void      _ld_ticket_add_reply    (LdTicket   *self,
                                   LdMessage  *message);
/* In the user's own ticket: what they sent (read already) and an admin's
 * answer (counted unread, names the ticket). */
void      _ld_ticket_add_own      (LdTicket   *self,
                                   LdMessage  *message,
                                   const char *support_type);
void      _ld_ticket_add_answer   (LdTicket   *self,
                                   LdMessage  *message,
                                   const char *ticket_id);
void      _ld_ticket_set_ticket_id (LdTicket   *self,
                                    const char *ticket_id);

/* The server's state of the ticket, {ticketId, userId, username,
 * supportType, status, assignee, createdAt, updatedAt}: read already. */
void      _ld_ticket_set_state    (LdTicket   *self,
                                   const char *ticket_id,
                                   const char *username,
                                   const char *support_type,
                                   gboolean    resolved,
                                   const char *assignee,
                                   GDateTime  *created,
                                   GDateTime  *updated);
/* A message the server relayed (ticketMessage): UNREAD counts it. */
void      _ld_ticket_add_message  (LdTicket   *self,
                                   LdMessage  *message,
                                   gboolean    unread);
/* The server's whole history (getTicket), oldest first; our own messages
 * still waiting for the server stay after it. */
void      _ld_ticket_set_history  (LdTicket   *self,
                                   GPtrArray  *messages);

/* An admin's reply in TICKET of the model, pending (borrowed). */
LdMessage *_ld_ticket_model_add_reply_to (LdTicketModel *self,
                                          LdTicket      *ticket,
                                          const char    *admin_id,
                                          const char    *admin_name,
                                          const char    *text,
                                          gboolean       internal);

void      _ld_ticket_message_set_internal (LdMessage *message);

G_END_DECLS
