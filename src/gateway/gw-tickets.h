/* gw-tickets.h: support tickets stored by the gateway [ext] (README,
 * "Beyond PROTOCOL.md"): in memory, or in Redis shared by every gateway
 * process and surviving their restarts.
 *
 * Tickets come back as the JSON objects the wire carries:
 *   {ticketId, userId, username, supportType, status ("open"/"resolved"),
 *    assignee (admin name or null), createdAt, updatedAt, messageCount}
 * and gw_tickets_get_async() adds "messages": [{from, fromId, fromRole,
 * message, timestamp}], oldest first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "gw-types.h"

G_BEGIN_DECLS

#define GW_TICKETS_ERROR (gw_tickets_error_quark ())

typedef enum
{
  GW_TICKETS_ERROR_NOT_FOUND,
  /* The ticket holds GW_TICKETS_MAX_MESSAGES messages already. */
  GW_TICKETS_ERROR_FULL,
  /* The user has max-open open tickets already (one per support type). */
  GW_TICKETS_ERROR_TOO_MANY,
  /* The ticket is another user's than the one named. */
  GW_TICKETS_ERROR_OTHER_USER,
  /* Redis answered something this unit did not write. */
  GW_TICKETS_ERROR_BAD_REPLY,
} GwTicketsError;

typedef enum
{
  GW_TICKET_CLAIM,
  GW_TICKET_RESOLVE,
  GW_TICKET_REOPEN,
} GwTicketChange;

/* Resolved tickets are kept this long, then forgotten. */
#define GW_TICKETS_DEFAULT_RETENTION_SECONDS (30 * 24 * 3600)
#define GW_TICKETS_MAX_MESSAGES 200
#define GW_TICKETS_MAX_OPEN_PER_USER 5
/* Memory backend only: past this, the oldest resolved ticket goes. */
#define GW_TICKETS_MAX_IN_MEMORY 10000
#define GW_TICKETS_MAX_PAGE 100

#define GW_TYPE_TICKETS (gw_tickets_get_type ())

G_DECLARE_FINAL_TYPE (GwTickets, gw_tickets, GW, TICKETS, GObject)

GQuark      gw_tickets_error_quark     (void);

GwTickets  *gw_tickets_new             (gint64               retention_seconds);
/* From now on tickets live in REDIS (NULL: memory again). */
void        gw_tickets_set_redis       (GwTickets           *self,
                                        GwRedis             *redis);
gint64      gw_tickets_get_retention   (GwTickets           *self);
/* Whether ID could name a ticket (what the gateway hands out: a UUID). */
gboolean    gw_tickets_id_is_valid     (const char          *id);

/* Appends MESSAGE ({from, fromId, fromRole, message, timestamp}) to
 * USER_ID's open ticket of SUPPORT_TYPE, opening one first if there is none. */
void        gw_tickets_post_async      (GwTickets           *self,
                                        const char          *user_id,
                                        const char          *username,
                                        const char          *support_type,
                                        JsonObject          *message,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
/* The ticket after the message; OUT_OPENED: whether it was opened for it. */
JsonObject *gw_tickets_post_finish     (GwTickets           *self,
                                        GAsyncResult        *result,
                                        gboolean            *out_opened,
                                        GError             **error);
/* Appends MESSAGE to ticket ID, whatever its status (an admin's reply),
 * if it is USER_ID's ticket (NULL: whoever's). */
void        gw_tickets_reply_async     (GwTickets           *self,
                                        const char          *id,
                                        const char          *user_id,
                                        JsonObject          *message,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
JsonObject *gw_tickets_reply_finish    (GwTickets           *self,
                                        GAsyncResult        *result,
                                        GError             **error);
/* Claim (assignee = ADMIN), resolve or reopen ticket ID. */
void        gw_tickets_change_async    (GwTickets           *self,
                                        const char          *id,
                                        GwTicketChange       change,
                                        const char          *admin,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
JsonObject *gw_tickets_change_finish   (GwTickets           *self,
                                        GAsyncResult        *result,
                                        GError             **error);
/* Newest first: up to LIMIT tickets (1..GW_TICKETS_MAX_PAGE) with STATUS
 * ("open", "resolved", NULL: both) created before BEFORE_MS (ms since the
 * epoch; 0: no bound). */
void        gw_tickets_list_async      (GwTickets           *self,
                                        const char          *status,
                                        gint64               before_ms,
                                        guint                limit,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
JsonArray  *gw_tickets_list_finish     (GwTickets           *self,
                                        GAsyncResult        *result,
                                        GError             **error);
/* Ticket ID with its messages. */
void        gw_tickets_get_async       (GwTickets           *self,
                                        const char          *id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
/* USER_ID's open ticket of SUPPORT_TYPE with its messages, for a user who
 * comes back without its id; gw_tickets_get_finish() takes the result. */
void        gw_tickets_get_open_async  (GwTickets           *self,
                                        const char          *user_id,
                                        const char          *support_type,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
JsonObject *gw_tickets_get_finish      (GwTickets           *self,
                                        GAsyncResult        *result,
                                        GError             **error);

G_END_DECLS
