/* ld-support.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n-lib.h>

#include "ld-outbox-private.h"
#include "ld-session-private.h"
#include "ld-support-private.h"
#include "ld-ticket-private.h"
#include "ld-validate.h"

struct _LdSupport
{
  GObject        parent_instance;

  /* The LdSession whose account and connection the requests use. */
  GWeakRef       session;

  /* From authSuccess. */
  char          *user_id;
  char          *username;
  LdRole         role;

  LdTicketModel *tickets;
  /* The server stores tickets [ext] (a listTickets or ticketMessage came):
   * its ticketMessage carries each message, adminChat repeats it. */
  gboolean       tickets_on_server;
};

G_DEFINE_FINAL_TYPE (LdSupport, ld_support, G_TYPE_OBJECT)

enum
{
  SUPPORT_REPLY,
  SUPPORT_REQUEST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Requests */

/* Who may start a request. */
typedef enum
{
  NEEDS_SIGNED_IN,
  NEEDS_ADMIN,
} Needs;

/* Every request's prologue: the task, or NULL when the user may not ask
 * (the task has failed then). The session is there while the caller runs
 * when it gives a task. */
static GTask *
start_task (LdSupport           *self,
            gpointer             source_tag,
            Needs                needs,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(LdSession) session = g_weak_ref_get (&self->session);

  g_task_set_source_tag (task, source_tag);
  if (session == NULL)
    g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_NETWORK, "%s", _("Not connected"));
  else if (needs == NEEDS_ADMIN && self->role != LD_ROLE_ADMIN)
    g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_ALLOWED, "%s",
                             _("Only admins answer support tickets"));
  else if (needs == NEEDS_SIGNED_IN && !_ld_session_get_sender (session, NULL, NULL))
    g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT, "%s", _("Not signed in"));
  else
    return g_steal_pointer (&task);
  return NULL;
}

/* Sends now when the session is online, else when it next gets there. */
static void
submit (LdSupport     *self,
        GTask         *task,
        const char    *event,
        JsonObject    *payload,
        LdRequestDone  done)
{
  g_autoptr(LdSession) session = g_weak_ref_get (&self->session);

  /* The tickets' requests [ext] settle on their ack, which the gateway
   * always sends (after ticketList or ticketHistory). */
  ld_request_prepare (task, event, payload, NULL, done);
  _ld_session_submit (session, task);
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

/* The user's own support message shows as sent once the server gave it a
 * ticket, or failed with the server's reason. Completes with the ticket
 * id. */
static void
done_support (GTask      *task,
              JsonObject *data,
              GError     *error)
{
  LdSupport *self = g_task_get_source_object (task);
  LdMessage *request = g_object_get_data (G_OBJECT (task), "request");
  const char *ticket_id = data != NULL ? json_object_get_string_member_with_default (data, "ticketId", NULL) : NULL;

  if (request != NULL && error != NULL)
    ld_message_mark_failed (request, error->message);
  else if (request != NULL)
    {
      LdTicket *ticket = ld_ticket_model_lookup (self->tickets, ld_message_get_user_id (request));

      ld_message_mark_sent (request, ticket_id != NULL ? ticket_id : ld_message_get_local_id (request), NULL);
      if (ticket != NULL && ticket_id != NULL)
        _ld_ticket_set_ticket_id (ticket, ticket_id);
    }

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_pointer (task, g_strdup (ticket_id != NULL ? ticket_id : ""), g_free);
}

void
ld_support_contact_support_async (LdSupport           *self,
                                  const char          *text,
                                  const char          *support_type,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(LdSession) session = NULL;
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *timestamp = now_iso8601 ();
  g_autofree char *clean = NULL;
  g_autoptr(GError) error = NULL;
  const char *user_id, *username;

  g_return_if_fail (LD_IS_SUPPORT (self));
  g_return_if_fail (text != NULL);

  task = start_task (self, ld_support_contact_support_async, NEEDS_SIGNED_IN, cancellable, callback, user_data);
  if (task == NULL)
    return;

  session = g_weak_ref_get (&self->session);
  clean = _ld_outbox_checked_text (text, LD_MESSAGE_MAX_CHARS, &error);
  if (clean == NULL || !_ld_outbox_check_rate (ld_session_get_outbox (session), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  _ld_session_get_sender (session, &user_id, &username);
  if (support_type == NULL)
    support_type = "general";
  json_object_set_string_member (payload, "userId", user_id);
  json_object_set_string_member (payload, "username", username);
  json_object_set_string_member (payload, "message", clean);
  json_object_set_string_member (payload, "supportType", support_type);
  json_object_set_string_member (payload, "timestamp", timestamp);
  if (self->role != LD_ROLE_ADMIN)
    {
      LdMessage *request = ld_ticket_model_add_request (self->tickets, user_id, username, clean, support_type);

      g_object_set_data_full (G_OBJECT (task), "request", g_object_ref (request), g_object_unref);
    }
  submit (self, task, "chatWithAdmin", payload, done_support);
}

char *
ld_support_contact_support_finish (LdSupport     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
done_reply (GTask      *task,
            JsonObject *data,
            GError     *error)
{
  LdMessage *reply = g_object_get_data (G_OBJECT (task), "reply");

  if (error != NULL)
    {
      if (reply != NULL)
        ld_message_mark_failed (reply, error->message);
      g_task_return_error (task, g_error_copy (error));
      return;
    }

  if (reply != NULL)
    ld_message_mark_sent (reply, ld_message_get_local_id (reply), NULL);
  g_task_return_boolean (task, TRUE);
}

/* adminReply in TICKET: a reply, or with INTERNAL a note. */
static void
reply_start (LdSupport  *self,
             GTask      *task,
             LdTicket   *ticket,
             const char *text,
             gboolean    internal)
{
  g_autoptr(LdSession) session = g_weak_ref_get (&self->session);
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *clean = NULL;
  g_autoptr(GError) error = NULL;
  LdMessage *reply;

  if (ticket == NULL || ld_ticket_get_ticket_id (ticket) == NULL)
    {
      g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_INVALID, "%s",
                               _("That user has no support ticket"));
      return;
    }
  clean = _ld_outbox_checked_text (text, LD_MESSAGE_MAX_CHARS, &error);
  if (clean == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  json_object_set_string_member (payload, "ticketId", ld_ticket_get_ticket_id (ticket));
  json_object_set_string_member (payload, "userId", ld_ticket_get_user_id (ticket));
  json_object_set_string_member (payload, "message", clean);
  if (internal)
    json_object_set_boolean_member (payload, "internal", TRUE);
  reply = _ld_ticket_model_add_reply_to (self->tickets, ticket, self->user_id, self->username, clean, internal);
  g_object_set_data_full (G_OBJECT (task), "reply", g_object_ref (reply), g_object_unref);
  submit (self, task, "adminReply", payload, done_reply);
}

void
ld_support_reply_to_ticket_async (LdSupport           *self,
                                  const char          *user_id,
                                  const char          *text,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LD_IS_SUPPORT (self));
  g_return_if_fail (user_id != NULL && text != NULL);

  task = start_task (self, ld_support_reply_to_ticket_async, NEEDS_ADMIN, cancellable, callback, user_data);
  if (task != NULL)
    reply_start (self, task, ld_ticket_model_lookup (self->tickets, user_id), text, FALSE);
}

gboolean
ld_support_reply_to_ticket_finish (LdSupport     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ld_support_reply_in_ticket_async (LdSupport           *self,
                                  const char          *ticket_id,
                                  const char          *text,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LD_IS_SUPPORT (self));
  g_return_if_fail (ticket_id != NULL && text != NULL);

  task = start_task (self, ld_support_reply_in_ticket_async, NEEDS_ADMIN, cancellable, callback, user_data);
  if (task != NULL)
    reply_start (self, task, ld_ticket_model_lookup_id (self->tickets, ticket_id), text, FALSE);
}

gboolean
ld_support_reply_in_ticket_finish (LdSupport     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ld_support_add_ticket_note_async (LdSupport           *self,
                                  const char          *ticket_id,
                                  const char          *text,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LD_IS_SUPPORT (self));
  g_return_if_fail (ticket_id != NULL && text != NULL);

  task = start_task (self, ld_support_add_ticket_note_async, NEEDS_ADMIN, cancellable, callback, user_data);
  if (task != NULL)
    reply_start (self, task, ld_ticket_model_lookup_id (self->tickets, ticket_id), text, TRUE);
}

gboolean
ld_support_add_ticket_note_finish (LdSupport     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
done_page (GTask      *task,
           JsonObject *data,
           GError     *error)
{
  LdSupport *self = g_task_get_source_object (task);
  g_autoptr(GError) invalid = NULL;

  if (error != NULL)
    {
      g_task_return_error (task, g_error_copy (error));
      return;
    }
  if (data == NULL ||
      !ld_ticket_model_apply_page (self->tickets, data, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "older")),
                                   &invalid))
    {
      g_task_return_new_error (task, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_OTHER, "%s",
                               _("The server’s list of tickets makes no sense"));
      return;
    }
  self->tickets_on_server = TRUE;
  g_task_return_boolean (task, TRUE);
}

void
ld_support_load_tickets_async (LdSupport           *self,
                               gboolean             older,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) payload = json_object_new ();

  g_return_if_fail (LD_IS_SUPPORT (self));

  /* The server says who may: a refusal comes back as FORBIDDEN. */
  task = start_task (self, ld_support_load_tickets_async, NEEDS_SIGNED_IN, cancellable, callback, user_data);
  if (task == NULL)
    return;
  if (older)
    {
      const char *before = ld_ticket_model_get_next_before (self->tickets);

      if (before == NULL)
        {
          g_task_return_boolean (task, FALSE);
          return;
        }
      json_object_set_string_member (payload, "before", before);
    }
  g_object_set_data (G_OBJECT (task), "older", GINT_TO_POINTER (!!older));
  submit (self, task, "listTickets", payload, done_page);
}

gboolean
ld_support_load_tickets_finish (LdSupport     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The page as the server sent it, for the CLI to print. */
static void
done_object (GTask      *task,
             JsonObject *data,
             GError     *error)
{
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else if (data == NULL)
    g_task_return_new_error (task, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_OTHER, "%s",
                             _("The server’s answer has no data"));
  else
    g_task_return_pointer (task, json_object_ref (data), (GDestroyNotify) json_object_unref);
}

void
ld_support_list_tickets_async (LdSupport           *self,
                               const char          *status,
                               const char          *before,
                               guint                limit,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) payload = json_object_new ();

  g_return_if_fail (LD_IS_SUPPORT (self));

  task = start_task (self, ld_support_list_tickets_async, NEEDS_SIGNED_IN, cancellable, callback, user_data);
  if (task == NULL)
    return;
  if (status != NULL)
    json_object_set_string_member (payload, "status", status);
  if (before != NULL)
    json_object_set_string_member (payload, "before", before);
  if (limit > 0)
    json_object_set_int_member (payload, "limit", limit);
  submit (self, task, "listTickets", payload, done_object);
}

JsonObject *
ld_support_list_tickets_finish (LdSupport     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
done_change (GTask      *task,
             JsonObject *data,
             GError     *error)
{
  LdSupport *self = g_task_get_source_object (task);

  if (error != NULL)
    {
      g_task_return_error (task, g_error_copy (error));
      return;
    }
  /* The ack carries the ticketUpdate: the model has it even if the
   * broadcast is slower or lost. */
  if (data != NULL)
    ld_ticket_model_apply_ticket_update (self->tickets, data, NULL);
  g_task_return_boolean (task, TRUE);
}

void
ld_support_change_ticket_async (LdSupport           *self,
                                const char          *ticket_id,
                                LdTicketChange       change,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  static const char * const events[] = {
    [LD_TICKET_CHANGE_CLAIM] = "claimTicket",
    [LD_TICKET_CHANGE_RESOLVE] = "resolveTicket",
    [LD_TICKET_CHANGE_REOPEN] = "reopenTicket",
  };
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) payload = json_object_new ();

  g_return_if_fail (LD_IS_SUPPORT (self));
  g_return_if_fail (ticket_id != NULL);
  g_return_if_fail ((guint) change < G_N_ELEMENTS (events));

  task = start_task (self, ld_support_change_ticket_async, NEEDS_SIGNED_IN, cancellable, callback, user_data);
  if (task == NULL)
    return;
  json_object_set_string_member (payload, "ticketId", ticket_id);
  submit (self, task, events[change], payload, done_change);
}

gboolean
ld_support_change_ticket_finish (LdSupport     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
done_history (GTask      *task,
              JsonObject *data,
              GError     *error)
{
  LdSupport *self = g_task_get_source_object (task);
  g_autoptr(GError) invalid = NULL;
  LdTicket *ticket;

  if (error != NULL)
    {
      g_task_return_error (task, g_error_copy (error));
      return;
    }
  /* [ext] Asked by type, a success without a ticket: none of that type is open. */
  if (data == NULL && GPOINTER_TO_INT (g_task_get_task_data (task)))
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  ticket = data != NULL ? ld_ticket_model_apply_history (self->tickets, data, self->user_id, &invalid) : NULL;
  if (ticket == NULL)
    {
      g_task_return_new_error (task, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_OTHER, "%s",
                               _("The server’s ticket makes no sense"));
      return;
    }
  self->tickets_on_server = TRUE;
  g_task_return_pointer (task, g_object_ref (ticket), g_object_unref);
}

void
ld_support_get_ticket_async (LdSupport           *self,
                             const char          *ticket_id,
                             const char          *support_type,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) payload = json_object_new ();

  g_return_if_fail (LD_IS_SUPPORT (self));

  task = start_task (self, ld_support_get_ticket_async, NEEDS_SIGNED_IN, cancellable, callback, user_data);
  if (task == NULL)
    return;
  /* Whether it asks by type, where no ticket is an answer. */
  g_task_set_task_data (task, GINT_TO_POINTER (ticket_id == NULL), NULL);
  if (ticket_id != NULL)
    json_object_set_string_member (payload, "ticketId", ticket_id);
  else
    json_object_set_string_member (payload, "supportType", support_type != NULL ? support_type : "general");
  submit (self, task, "getTicket", payload, done_history);
}

LdTicket *
ld_support_get_ticket_finish (LdSupport     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Events */

/* A message of a stored ticket [ext]. An admin is told (support-request)
 * of a new ticket and of the user's messages in tickets assigned to them,
 * not of every message of every ticket. */
static void
apply_ticket_message (LdSupport  *self,
                      JsonObject *payload)
{
  g_autoptr(GError) error = NULL;
  LdTicket *ticket;
  gboolean added = FALSE;
  gboolean known = ld_ticket_model_lookup_id (self->tickets,
                                              json_object_get_string_member_with_default (payload, "ticketId", NULL)) != NULL;
  const char *from_id, *user_id;
  JsonObject *state;

  self->tickets_on_server = TRUE;
  ticket = ld_ticket_model_apply_ticket_message (self->tickets, payload, self->user_id, &added, &error);
  if (ticket == NULL)
    {
      g_debug ("ticketMessage ignored: %s", error->message);
      return;
    }
  from_id = json_object_get_string_member_with_default (payload, "fromId", NULL);
  user_id = ld_ticket_get_user_id (ticket);
  if (!added || g_strcmp0 (from_id, user_id) != 0 || g_strcmp0 (user_id, self->user_id) == 0)
    return;

  state = json_object_get_member (payload, "ticket") != NULL && JSON_NODE_HOLDS_OBJECT (json_object_get_member (payload, "ticket"))
            ? json_object_get_object_member (payload, "ticket") : NULL;
  if ((state != NULL ? json_object_get_int_member_with_default (state, "messageCount", 0) == 1 : !known) ||
      (ld_ticket_get_assignee (ticket) != NULL && g_strcmp0 (ld_ticket_get_assignee (ticket), self->username) == 0))
    g_signal_emit (self, signals[SUPPORT_REQUEST], 0, user_id, ld_ticket_get_username (ticket),
                   json_object_get_string_member_with_default (payload, "message", ""));
}

void
_ld_support_handle_event (LdSupport  *self,
                          LdEvent     event,
                          JsonObject *payload)
{
  g_return_if_fail (LD_IS_SUPPORT (self));
  g_return_if_fail (payload != NULL);

  switch (event)
    {
    case LD_EVENT_TICKET_MESSAGE:
      if (self->role == LD_ROLE_ADMIN)
        apply_ticket_message (self, payload);
      break;
    case LD_EVENT_TICKET_UPDATE:
      if (self->role == LD_ROLE_ADMIN)
        {
          g_autoptr(GError) error = NULL;

          self->tickets_on_server = TRUE;
          if (!ld_ticket_model_apply_ticket_update (self->tickets, payload, &error))
            g_debug ("ticketUpdate ignored: %s", error->message);
        }
      break;
    case LD_EVENT_ADMIN_CHAT:
      /* A server that stores tickets sends each message as ticketMessage too. */
      if (self->role == LD_ROLE_ADMIN && !self->tickets_on_server)
        {
          const char *user_id = json_object_get_string_member_with_default (payload, "userId", NULL);
          const char *username = json_object_get_string_member_with_default (payload, "username", user_id);
          const char *text = json_object_get_string_member_with_default (payload, "message", NULL);

          ld_ticket_model_apply_admin_chat (self->tickets, payload, NULL);
          if (user_id != NULL && text != NULL && g_strcmp0 (user_id, self->user_id) != 0)
            g_signal_emit (self, signals[SUPPORT_REQUEST], 0, user_id, username, text);
        }
      break;
    case LD_EVENT_ADMIN_MESSAGE:
      {
        const char *ticket_id = json_object_get_string_member_with_default (payload, "ticketId", NULL);
        const char *from = json_object_get_string_member_with_default (payload, "from", NULL);
        const char *text = json_object_get_string_member_with_default (payload, "message", NULL);

        /* An admin's own tickets are the ones users open (adminChat). */
        if (self->role != LD_ROLE_ADMIN && self->user_id != NULL)
          ld_ticket_model_apply_admin_message (self->tickets, self->user_id, payload, NULL);
        if (text != NULL)
          g_signal_emit (self, signals[SUPPORT_REPLY], 0, ticket_id, from, text);
      }
      break;
    default:
      g_return_if_reached ();
    }
}

/* At sign-in and after every reconnect: what happened on the server
 * meanwhile. An admin gets the newest tickets, a user their open ticket. */
void
_ld_support_sync (LdSupport *self)
{
  g_return_if_fail (LD_IS_SUPPORT (self));

  if (self->role == LD_ROLE_ADMIN)
    ld_support_load_tickets_async (self, FALSE, NULL, NULL, NULL);
  else if (self->user_id != NULL)
    {
      LdTicket *own = ld_ticket_model_lookup (self->tickets, self->user_id);

      /* Only a conversation this session had: a server without stored
       * tickets is not asked, and the app asks after a restart (its topic). */
      if (own != NULL && ld_ticket_get_ticket_id (own) != NULL && self->tickets_on_server)
        ld_support_get_ticket_async (self, ld_ticket_get_ticket_id (own), NULL, NULL, NULL, NULL);
    }
}

void
_ld_support_set_account (LdSupport  *self,
                         LdRole      role,
                         const char *user_id,
                         const char *username)
{
  g_return_if_fail (LD_IS_SUPPORT (self));

  self->role = role;
  g_free (self->user_id);
  self->user_id = g_strdup (user_id);
  g_free (self->username);
  self->username = g_strdup (username);
}

/* Object */

LdTicketModel *
ld_support_get_tickets (LdSupport *self)
{
  g_return_val_if_fail (LD_IS_SUPPORT (self), NULL);

  return self->tickets;
}

static void
ld_support_dispose (GObject *object)
{
  LdSupport *self = LD_SUPPORT (object);

  g_clear_object (&self->tickets);

  G_OBJECT_CLASS (ld_support_parent_class)->dispose (object);
}

static void
ld_support_finalize (GObject *object)
{
  LdSupport *self = LD_SUPPORT (object);

  g_weak_ref_clear (&self->session);
  g_free (self->user_id);
  g_free (self->username);

  G_OBJECT_CLASS (ld_support_parent_class)->finalize (object);
}

static void
ld_support_class_init (LdSupportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ld_support_dispose;
  object_class->finalize = ld_support_finalize;

  /* adminMessage: an admin answered the user (ticket id, admin name, text). */
  signals[SUPPORT_REPLY] =
    g_signal_new ("support-reply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  /* For admins: a user asked for help (user id, name, text). With tickets
   * stored by the server [ext], only for a new ticket or a ticket of the
   * admin's own; from a server without, for each adminChat. */
  signals[SUPPORT_REQUEST] =
    g_signal_new ("support-request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
}

static void
ld_support_init (LdSupport *self)
{
  g_weak_ref_init (&self->session, NULL);
  self->role = LD_ROLE_VIEWER;
  self->tickets = ld_ticket_model_new ();
}

LdSupport *
_ld_support_new (LdSession *session)
{
  LdSupport *self;

  g_return_val_if_fail (LD_IS_SESSION (session), NULL);

  self = g_object_new (LD_TYPE_SUPPORT, NULL);
  g_weak_ref_set (&self->session, session);
  return self;
}
