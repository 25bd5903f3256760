/* ld-support.h: the support desk of one session: the user's conversation
 * with the admins, or an admin's tickets.
 *
 * Each LdSession has one (ld_session_get_support), on its connection and
 * its account. A user asks for help (chatWithAdmin) and hears the answers
 * (adminMessage); an admin sees the users' tickets (adminChat) and answers
 * them (adminReply). With a gateway that stores tickets [ext] (README,
 * "Beyond PROTOCOL.md"), tickets are the server's: the support loads the
 * newest page (admins) or the user's own open ticket at sign-in and after
 * every reconnect, and its model follows ticketMessage and ticketUpdate.
 * Each request below completes when the server has answered, its answer
 * already in the model; it waits for the session to be signed in, like the
 * session's own requests.
 *
 *   LdSupport *support = ld_session_get_support (session);
 *
 *   g_signal_connect (support, "support-reply", G_CALLBACK (on_reply), NULL);
 *   ld_support_contact_support_async (support, text, "billing", NULL, on_sent, NULL);
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ld-types.h"
#include "ld-ticket.h"
#include "ld-ticket-model.h"

G_BEGIN_DECLS

typedef enum
{
  LD_TICKET_CHANGE_CLAIM,   /* the ticket becomes the signed-in admin's */
  LD_TICKET_CHANGE_RESOLVE,
  LD_TICKET_CHANGE_REOPEN,
} LdTicketChange;

#define LD_TYPE_SUPPORT (ld_support_get_type ())

G_DECLARE_FINAL_TYPE (LdSupport, ld_support, LD, SUPPORT, GObject)

/* An admin's tickets, or a user's own conversation. */
LdTicketModel *ld_support_get_tickets          (LdSupport           *self);

/* chatWithAdmin; SUPPORT_TYPE NULL = "general". Checked and rate-limited
 * like chat. Completes with the ticket id. */
void           ld_support_contact_support_async  (LdSupport           *self,
                                                  const char          *text,
                                                  const char          *support_type,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
char          *ld_support_contact_support_finish (LdSupport           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* adminReply to USER_ID's ticket (admins). The reply shows in the ticket. */
void           ld_support_reply_to_ticket_async  (LdSupport           *self,
                                                  const char          *user_id,
                                                  const char          *text,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean       ld_support_reply_to_ticket_finish (LdSupport           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* adminReply in ticket TICKET_ID (admins): shows in the ticket as pending
 * until the server has it. */
void           ld_support_reply_in_ticket_async  (LdSupport           *self,
                                                  const char          *ticket_id,
                                                  const char          *text,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean       ld_support_reply_in_ticket_finish (LdSupport           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* An internal note in ticket TICKET_ID (admins): like a reply, but the
 * server keeps it from the user (ld_ticket_message_is_internal). */
void           ld_support_add_ticket_note_async  (LdSupport           *self,
                                                  const char          *ticket_id,
                                                  const char          *text,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean       ld_support_add_ticket_note_finish (LdSupport           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* listTickets [ext]: the newest page, or with OLDER the page before the
 * model's next-before. FALSE without an error when OLDER and every page is
 * in. */
void           ld_support_load_tickets_async     (LdSupport           *self,
                                                  gboolean             older,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean       ld_support_load_tickets_finish    (LdSupport           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* listTickets as tools ask it (livedesk-cli): STATUS "open", "resolved" or
 * NULL for both, BEFORE an ISO time or NULL, LIMIT 0 for the server's
 * default. Completes with the page as the server sent it, {tickets,
 * nextBefore}; the model is left as it is. */
void           ld_support_list_tickets_async     (LdSupport           *self,
                                                  const char          *status,
                                                  const char          *before,
                                                  guint                limit,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
JsonObject    *ld_support_list_tickets_finish    (LdSupport           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* claimTicket, resolveTicket, reopenTicket [ext] (admins). */
void           ld_support_change_ticket_async    (LdSupport           *self,
                                                  const char          *ticket_id,
                                                  LdTicketChange       change,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean       ld_support_change_ticket_finish   (LdSupport           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* getTicket [ext]: ticket TICKET_ID with its whole history, or (TICKET_ID
 * NULL) the user's own open ticket of SUPPORT_TYPE (NULL = "general").
 * Completes with the ticket of the model (a new reference); by type, NULL
 * without an error when the user has no open ticket of that type. */
void           ld_support_get_ticket_async       (LdSupport           *self,
                                                  const char          *ticket_id,
                                                  const char          *support_type,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
LdTicket      *ld_support_get_ticket_finish      (LdSupport           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

G_END_DECLS
