/* ld-ticket-private.h: what LdTicketModel changes on a ticket.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ld-ticket.h"

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

G_END_DECLS
