/* ld-ticket-row.h: a support ticket in the admin's list: who wrote, about
 * what (the support type), when, the latest message, and an unread mark
 * (a dot and bold name) until the admin opens it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-ticket.h"

G_BEGIN_DECLS

#define LD_TYPE_TICKET_ROW (ld_ticket_row_get_type ())

G_DECLARE_FINAL_TYPE (LdTicketRow, ld_ticket_row, LD, TICKET_ROW, GtkListBoxRow)

GtkWidget  *ld_ticket_row_new             (LdTicket    *ticket);
LdTicket   *ld_ticket_row_get_ticket      (LdTicketRow *self);
/* Whether the row shows the ticket as unread. */
gboolean    ld_ticket_row_get_unread      (LdTicketRow *self);
/* The support type as shown (translated). */
const char *ld_ticket_row_get_type_text   (LdTicketRow *self);

/* "Claimed by NAME" or "Unclaimed", as the row shows it. */
const char *ld_ticket_row_get_assignee_text (LdTicketRow *self);

G_END_DECLS
