/* ld-ticket-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-ticket-model.h"
#include "ld-ticket-private.h"
#include "ld-payload.h"

struct _LdTicketModel
{
  GObject     parent_instance;

  /* Most recently active first; the hash maps user id → ticket (unowned). */
  GPtrArray  *items;
  GHashTable *by_user;
  guint       n_unread;
  char       *next_before;
  /* Whether an older page came in: the newest page's cursor no longer says
   * where the next one starts. */
  gboolean    paged;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LdTicketModel, ld_ticket_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_N_UNREAD,
  PROP_NEXT_BEFORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
ld_ticket_model_get_item_type (GListModel *model)
{
  return LD_TYPE_TICKET;
}

static guint
ld_ticket_model_get_n_items (GListModel *model)
{
  return LD_TICKET_MODEL (model)->items->len;
}

static gpointer
ld_ticket_model_get_item (GListModel *model,
                          guint       position)
{
  LdTicketModel *self = LD_TICKET_MODEL (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ld_ticket_model_get_item_type;
  iface->get_n_items = ld_ticket_model_get_n_items;
  iface->get_item = ld_ticket_model_get_item;
}

static void
recount_unread (LdTicketModel *self)
{
  guint n = 0;

  for (guint i = 0; i < self->items->len; i++)
    if (ld_ticket_get_unread_count (g_ptr_array_index (self->items, i)) > 0)
      n++;

  if (n != self->n_unread)
    {
      self->n_unread = n;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_UNREAD]);
    }
}

static void
on_unread_changed (LdTicket      *ticket,
                   GParamSpec    *pspec,
                   LdTicketModel *self)
{
  recount_unread (self);
}

static void
move_to_top (LdTicketModel *self,
             LdTicket      *ticket)
{
  guint position;

  if (!g_ptr_array_find (self->items, ticket, &position) || position == 0)
    return;

  g_ptr_array_steal_index (self->items, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_ptr_array_insert (self->items, 0, ticket);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, 1);
}

static void
ld_ticket_model_dispose (GObject *object)
{
  LdTicketModel *self = (LdTicketModel *)object;

  if (self->items != NULL)
    for (guint i = 0; i < self->items->len; i++)
      g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->items, i), self);
  g_clear_pointer (&self->by_user, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->next_before, g_free);

  G_OBJECT_CLASS (ld_ticket_model_parent_class)->dispose (object);
}

static void
ld_ticket_model_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LdTicketModel *self = LD_TICKET_MODEL (object);

  switch (prop_id)
    {
    case PROP_N_UNREAD:
      g_value_set_uint (value, self->n_unread);
      break;
    case PROP_NEXT_BEFORE:
      g_value_set_string (value, self->next_before);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_ticket_model_class_init (LdTicketModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ld_ticket_model_dispose;
  object_class->get_property = ld_ticket_model_get_property;

  properties[PROP_N_UNREAD] =
    g_param_spec_uint ("n-unread", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEXT_BEFORE] =
    g_param_spec_string ("next-before", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_ticket_model_init (LdTicketModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_user = g_hash_table_new (g_str_hash, g_str_equal);
}

LdTicketModel *
ld_ticket_model_new (void)
{
  return g_object_new (LD_TYPE_TICKET_MODEL, NULL);
}

/* USER_ID's ticket, made (at the top) if new. */
static LdTicket *
ensure_ticket (LdTicketModel *self,
               const char    *user_id)
{
  LdTicket *ticket = ld_ticket_model_lookup (self, user_id);

  if (ticket != NULL)
    return ticket;

  ticket = _ld_ticket_new (user_id);
  g_ptr_array_insert (self->items, 0, ticket);
  g_hash_table_insert (self->by_user, (gpointer) ld_ticket_get_user_id (ticket), ticket);
  g_signal_connect_object (ticket, "notify::unread-count", G_CALLBACK (on_unread_changed), self, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, 1);
  return ticket;
}

LdMessage *
ld_ticket_model_add_request (LdTicketModel *self,
                             const char    *user_id,
                             const char    *username,
                             const char    *text,
                             const char    *support_type)
{
  g_autoptr(LdMessage) message = NULL;
  LdTicket *ticket;

  g_return_val_if_fail (LD_IS_TICKET_MODEL (self), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  ticket = ensure_ticket (self, user_id);
  /* The ticket has no id until the server acknowledges its first message. */
  message = ld_message_new_outgoing (ld_ticket_get_ticket_id (ticket) != NULL ? ld_ticket_get_ticket_id (ticket) : "",
                                     user_id,
                                     username != NULL ? username : user_id,
                                     LD_ROLE_VIEWER, LD_MESSAGE_TYPE_TEXT, text);
  _ld_ticket_add_own (ticket, message, support_type != NULL ? support_type : "general");
  move_to_top (self, ticket);
  return message;
}

LdTicket *
ld_ticket_model_apply_admin_message (LdTicketModel  *self,
                                     const char     *user_id,
                                     JsonObject     *payload,
                                     GError        **error)
{
  const char *what = "adminMessage";
  g_autofree char *ticket_id = NULL;
  g_autoptr(GDateTime) timestamp = NULL;
  g_autoptr(LdMessage) message = NULL;
  const char *from, *text;
  LdTicket *ticket;

  g_return_val_if_fail (LD_IS_TICKET_MODEL (self), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);
  g_return_val_if_fail (payload != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ld_payload_get_id (payload, what, "ticketId", FALSE, &ticket_id, error) ||
      !ld_payload_get_string (payload, what, "from", FALSE, &from, error) ||
      !ld_payload_get_string (payload, what, "message", TRUE, &text, error) ||
      !ld_payload_get_datetime (payload, what, "timestamp", FALSE, &timestamp, error))
    return NULL;

  ticket = ensure_ticket (self, user_id);
  if (ticket_id == NULL)
    ticket_id = g_strdup (ld_ticket_get_ticket_id (ticket));
  /* The gateway names the admin, not their id. */
  message = g_object_new (LD_TYPE_MESSAGE,
                          "room-id", ticket_id,
                          "user-id", from,
                          "username", from,
                          "role", LD_ROLE_ADMIN,
                          "text", text,
                          "timestamp", timestamp,
                          NULL);
  _ld_ticket_add_answer (ticket, message, ticket_id);
  move_to_top (self, ticket);
  return ticket;
}

LdTicket *
ld_ticket_model_apply_admin_chat (LdTicketModel  *self,
                                  JsonObject     *payload,
                                  GError        **error)
{
  const char *what = "adminChat";
  g_autofree char *ticket_id = NULL;
  g_autofree char *user_id = NULL;
  g_autoptr(GDateTime) timestamp = NULL;
  g_autoptr(LdMessage) message = NULL;
  const char *username, *text, *support_type;
  LdTicket *ticket;

  g_return_val_if_fail (LD_IS_TICKET_MODEL (self), NULL);
  g_return_val_if_fail (payload != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ld_payload_get_id (payload, what, "ticketId", TRUE, &ticket_id, error) ||
      !ld_payload_get_id (payload, what, "userId", TRUE, &user_id, error) ||
      !ld_payload_get_string (payload, what, "username", FALSE, &username, error) ||
      !ld_payload_get_string (payload, what, "message", TRUE, &text, error) ||
      !ld_payload_get_string (payload, what, "supportType", FALSE, &support_type, error) ||
      !ld_payload_get_datetime (payload, what, "timestamp", FALSE, &timestamp, error))
    return NULL;

  ticket = ld_ticket_model_lookup (self, user_id);

  /* A message without a name keeps the name the ticket already knows. */
  if (username == NULL)
    username = ticket != NULL ? ld_ticket_get_username (ticket) : user_id;

  message = g_object_new (LD_TYPE_MESSAGE,
                          "room-id", ticket_id,
                          "user-id", user_id,
                          "username", username,
                          "text", text,
                          "timestamp", timestamp,
                          NULL);

  if (ticket == NULL)
    {
      ticket = _ld_ticket_new (user_id);
      g_ptr_array_insert (self->items, 0, ticket);
      g_hash_table_insert (self->by_user, (gpointer) ld_ticket_get_user_id (ticket), ticket);
      g_signal_connect_object (ticket, "notify::unread-count", G_CALLBACK (on_unread_changed), self, 0);
      _ld_ticket_add_incoming (ticket, message, ticket_id, support_type != NULL ? support_type : "general");
      g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, 1);
    }
  else
    {
      _ld_ticket_add_incoming (ticket, message, ticket_id, support_type != NULL ? support_type : "general");
      move_to_top (self, ticket);
    }

  return ticket;
}

LdMessage *
ld_ticket_model_add_reply (LdTicketModel *self,
                           const char    *user_id,
                           const char    *admin_id,
                           const char    *admin_name,
                           const char    *text)
{
  g_autoptr(LdMessage) message = NULL;
  LdTicket *ticket;

  g_return_val_if_fail (LD_IS_TICKET_MODEL (self), NULL);
  g_return_val_if_fail (admin_id != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  ticket = ld_ticket_model_lookup (self, user_id);
  if (ticket == NULL)
    return NULL;

  message = ld_message_new_outgoing (ld_ticket_get_ticket_id (ticket), admin_id, admin_name,
                                     LD_ROLE_ADMIN, LD_MESSAGE_TYPE_TEXT, text);
  _ld_ticket_add_reply (ticket, message);
  move_to_top (self, ticket);

  /* Borrowed: the ticket's message list holds it. */
  return message;
}

LdMessage *
_ld_ticket_model_add_reply_to (LdTicketModel *self,
                               LdTicket      *ticket,
                               const char    *admin_id,
                               const char    *admin_name,
                               const char    *text,
                               gboolean       internal)
{
  g_autoptr(LdMessage) message = NULL;

  message = ld_message_new_outgoing (ld_ticket_get_ticket_id (ticket), admin_id, admin_name,
                                     LD_ROLE_ADMIN, LD_MESSAGE_TYPE_TEXT, text);
  if (internal)
    _ld_ticket_message_set_internal (message);
  _ld_ticket_add_reply (ticket, message);
  move_to_top (self, ticket);
  return message;
}

LdTicket *
ld_ticket_model_lookup (LdTicketModel *self,
                        const char    *user_id)
{
  g_return_val_if_fail (LD_IS_TICKET_MODEL (self), NULL);

  if (user_id == NULL)
    return NULL;

  return g_hash_table_lookup (self->by_user, user_id);
}

guint
ld_ticket_model_get_n_unread (LdTicketModel *self)
{
  g_return_val_if_fail (LD_IS_TICKET_MODEL (self), 0);

  return self->n_unread;
}

LdTicket *
ld_ticket_model_lookup_id (LdTicketModel *self,
                           const char    *ticket_id)
{
  g_return_val_if_fail (LD_IS_TICKET_MODEL (self), NULL);

  if (ticket_id == NULL)
    return NULL;
  /* A few pages of tickets: a scan is cheaper than keeping an index right
   * while ids arrive late (a user's ticket gets its id from the ack). */
  for (guint i = 0; i < self->items->len; i++)
    {
      LdTicket *ticket = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (ld_ticket_get_ticket_id (ticket), ticket_id) == 0)
        return ticket;
    }
  return NULL;
}

static LdTicket *
add_ticket (LdTicketModel *self,
            const char    *user_id,
            gboolean       at_end)
{
  LdTicket *ticket = _ld_ticket_new (user_id);
  guint position = at_end ? self->items->len : 0;

  g_ptr_array_insert (self->items, position, ticket);
  /* lookup() by user finds their most recent ticket. */
  if (!at_end || !g_hash_table_contains (self->by_user, user_id))
    g_hash_table_replace (self->by_user, (gpointer) ld_ticket_get_user_id (ticket), ticket);
  g_signal_connect_object (ticket, "notify::unread-count", G_CALLBACK (on_unread_changed), self, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  return ticket;
}

/* The ticket TICKET_ID of USER_ID: the one with that id, or the user's own
 * ticket still waiting for its id (what a user sent before the ack). */
static LdTicket *
find_ticket (LdTicketModel *self,
             const char    *ticket_id,
             const char    *user_id)
{
  LdTicket *ticket = ld_ticket_model_lookup_id (self, ticket_id);

  if (ticket == NULL && user_id != NULL)
    {
      ticket = ld_ticket_model_lookup (self, user_id);
      if (ticket != NULL && ld_ticket_get_ticket_id (ticket) != NULL)
        ticket = NULL;
    }
  return ticket;
}

LdTicket *
ld_ticket_model_apply_ticket (LdTicketModel  *self,
                              JsonObject     *object,
                              gboolean        at_end,
                              GError        **error)
{
  const char *what = "ticket";
  g_autofree char *ticket_id = NULL;
  g_autofree char *user_id = NULL;
  g_autoptr(GDateTime) created = NULL;
  g_autoptr(GDateTime) updated = NULL;
  const char *username, *support_type, *status, *assignee;
  LdTicket *ticket;

  g_return_val_if_fail (LD_IS_TICKET_MODEL (self), NULL);
  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ld_payload_get_id (object, what, "ticketId", TRUE, &ticket_id, error) ||
      !ld_payload_get_id (object, what, "userId", TRUE, &user_id, error) ||
      !ld_payload_get_string (object, what, "username", FALSE, &username, error) ||
      !ld_payload_get_string (object, what, "supportType", FALSE, &support_type, error) ||
      !ld_payload_get_string (object, what, "status", FALSE, &status, error) ||
      !ld_payload_get_string (object, what, "assignee", FALSE, &assignee, error))
    return NULL;
  /* Unlike a message's, a missing time is not "now": it is unknown. */
  if ((json_object_has_member (object, "createdAt") &&
       !ld_payload_get_datetime (object, what, "createdAt", FALSE, &created, error)) ||
      (json_object_has_member (object, "updatedAt") &&
       !ld_payload_get_datetime (object, what, "updatedAt", FALSE, &updated, error)))
    return NULL;

  ticket = find_ticket (self, ticket_id, user_id);
  if (ticket == NULL)
    ticket = add_ticket (self, user_id, at_end);
  _ld_ticket_set_state (ticket, ticket_id, username, support_type,
                        g_strcmp0 (status, "resolved") == 0, assignee, created, updated);
  return ticket;
}

/* A stored ticket message {from, fromId, fromRole, message, timestamp}. */
static LdMessage *
message_from_json (JsonObject  *object,
                   const char  *what,
                   const char  *ticket_id,
                   const char  *own_id,
                   GError     **error)
{
  g_autofree char *from_id = NULL;
  g_autoptr(GDateTime) timestamp = NULL;
  const char *from, *from_role, *text;
  gboolean internal;
  LdMessage *message;

  if (!ld_payload_get_string (object, what, "from", FALSE, &from, error) ||
      !ld_payload_get_id (object, what, "fromId", TRUE, &from_id, error) ||
      !ld_payload_get_string (object, what, "fromRole", FALSE, &from_role, error) ||
      !ld_payload_get_string (object, what, "message", TRUE, &text, error) ||
      !ld_payload_get_boolean (object, what, "internal", FALSE, FALSE, &internal, error) ||
      !ld_payload_get_datetime (object, what, "timestamp", FALSE, &timestamp, error))
    return NULL;

  message = g_object_new (LD_TYPE_MESSAGE,
                          "room-id", ticket_id,
                          "user-id", from_id,
                          "username", from != NULL ? from : from_id,
                          "role", ld_role_from_string (from_role),
                          "text", text,
                          "timestamp", timestamp,
                          NULL);
  ld_message_set_is_own (message, own_id != NULL && g_strcmp0 (own_id, from_id) == 0);
  if (internal)
    _ld_ticket_message_set_internal (message);
  return message;
}

/* Whether MESSAGE is already in TICKET: our own reply shown while it was
 * sent (its first echo confirms it), or the same message again (adminChat
 * and ticketMessage both carry a user's message). */
static gboolean
is_echo (LdTicket  *ticket,
         LdMessage *message)
{
  GListModel *messages = ld_ticket_get_messages (ticket);
  guint n = g_list_model_get_n_items (messages);

  for (guint i = n; i > 0; i--)
    {
      g_autoptr(LdMessage) known = g_list_model_get_item (messages, i - 1);

      if (g_strcmp0 (ld_message_get_text (known), ld_message_get_text (message)) != 0 ||
          g_strcmp0 (ld_message_get_user_id (known), ld_message_get_user_id (message)) != 0 ||
          ld_ticket_message_is_internal (known) != ld_ticket_message_is_internal (message))
        continue;
      if (ld_message_get_is_own (message) && ld_message_get_local_id (known) != NULL &&
          g_object_get_data (G_OBJECT (known), "ld-ticket-echoed") == NULL)
        {
          g_object_set_data (G_OBJECT (known), "ld-ticket-echoed", GINT_TO_POINTER (TRUE));
          if (ld_message_get_state (known) != LD_MESSAGE_STATE_SENT)
            ld_message_mark_sent (known, ld_message_get_local_id (known), ld_message_get_timestamp (message));
          return TRUE;
        }
      if (g_date_time_equal (ld_message_get_timestamp (known), ld_message_get_timestamp (message)))
        return TRUE;
    }
  return FALSE;
}

LdTicket *
ld_ticket_model_apply_ticket_message (LdTicketModel  *self,
                                      JsonObject     *payload,
                                      const char     *own_id,
                                      gboolean       *out_added,
                                      GError        **error)
{
  const char *what = "ticketMessage";
  g_autofree char *ticket_id = NULL;
  g_autofree char *user_id = NULL;
  g_autoptr(LdMessage) message = NULL;
  JsonObject *state;
  LdTicket *ticket;
  gboolean added = FALSE;

  g_return_val_if_fail (LD_IS_TICKET_MODEL (self), NULL);
  g_return_val_if_fail (payload != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (out_added != NULL)
    *out_added = FALSE;
  if (!ld_payload_get_id (payload, what, "ticketId", TRUE, &ticket_id, error) ||
      !ld_payload_get_id (payload, what, "userId", TRUE, &user_id, error) ||
      !ld_payload_get_object (payload, what, "ticket", FALSE, &state, error) ||
      !(message = message_from_json (payload, what, ticket_id, own_id, error)))
    return NULL;

  if (state != NULL && g_strcmp0 (json_object_get_string_member_with_default (state, "ticketId", NULL), ticket_id) == 0)
    {
      if (!(ticket = ld_ticket_model_apply_ticket (self, state, FALSE, error)))
        return NULL;
    }
  else if ((ticket = find_ticket (self, ticket_id, user_id)) == NULL)
    {
      ticket = add_ticket (self, user_id, FALSE);
      _ld_ticket_set_ticket_id (ticket, ticket_id);
    }

  if (!is_echo (ticket, message))
    {
      /* The user's words wait for an admin; admins' replies do not. */
      gboolean unread = !ld_message_get_is_own (message) && g_strcmp0 (ld_message_get_user_id (message), user_id) == 0;

      _ld_ticket_add_message (ticket, message, unread);
      added = TRUE;
    }
  move_to_top (self, ticket);
  g_hash_table_replace (self->by_user, (gpointer) ld_ticket_get_user_id (ticket), ticket);
  if (out_added != NULL)
    *out_added = added;
  return ticket;
}

LdTicket *
ld_ticket_model_apply_ticket_update (LdTicketModel  *self,
                                     JsonObject     *payload,
                                     GError        **error)
{
  const char *what = "ticketUpdate";
  g_autofree char *ticket_id = NULL;
  const char *status, *assignee;
  JsonObject *state;
  LdTicket *ticket;

  g_return_val_if_fail (LD_IS_TICKET_MODEL (self), NULL);
  g_return_val_if_fail (payload != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ld_payload_get_id (payload, what, "ticketId", TRUE, &ticket_id, error) ||
      !ld_payload_get_string (payload, what, "status", TRUE, &status, error) ||
      !ld_payload_get_string (payload, what, "assignee", FALSE, &assignee, error) ||
      !ld_payload_get_object (payload, what, "ticket", FALSE, &state, error))
    return NULL;

  if (state != NULL && g_strcmp0 (json_object_get_string_member_with_default (state, "ticketId", NULL), ticket_id) == 0)
    return ld_ticket_model_apply_ticket (self, state, FALSE, error);

  /* Without the ticket's state, only a ticket this model knows changes. */
  ticket = ld_ticket_model_lookup_id (self, ticket_id);
  if (ticket == NULL)
    {
      g_set_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_INVALID_VALUE,
                   "%s: no ticket “%s” here", what, ticket_id);
      return NULL;
    }
  _ld_ticket_set_state (ticket, ticket_id, NULL, NULL, g_strcmp0 (status, "resolved") == 0, assignee, NULL, NULL);
  return ticket;
}

static void
set_next_before (LdTicketModel *self,
                 const char    *next_before)
{
  if (g_strcmp0 (self->next_before, next_before) == 0)
    return;
  g_free (self->next_before);
  self->next_before = g_strdup (next_before);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_BEFORE]);
}

gboolean
ld_ticket_model_apply_page (LdTicketModel  *self,
                            JsonObject     *data,
                            gboolean        older,
                            GError        **error)
{
  const char *what = "ticketList";
  JsonArray *tickets;
  const char *next_before;
  guint n;

  g_return_val_if_fail (LD_IS_TICKET_MODEL (self), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ld_payload_get_array (data, what, "tickets", TRUE, &tickets, error) ||
      !ld_payload_get_string (data, what, "nextBefore", FALSE, &next_before, error))
    return FALSE;

  /* Newest first: the newest page goes on top in its order, an older one
   * below what is there. A malformed ticket is skipped, not the page. */
  n = json_array_get_length (tickets);
  for (guint i = 0; i < n; i++)
    {
      guint k = older ? i : n - 1 - i;
      JsonNode *node = json_array_get_element (tickets, k);
      g_autoptr(GError) skipped = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          !ld_ticket_model_apply_ticket (self, json_node_get_object (node), older, &skipped))
        g_debug ("ticketList: ticket %u skipped: %s", k, skipped != NULL ? skipped->message : "not an object");
    }

  if (older)
    {
      self->paged = TRUE;
      set_next_before (self, next_before);
    }
  else if (!self->paged)
    set_next_before (self, next_before);
  return TRUE;
}

const char *
ld_ticket_model_get_next_before (LdTicketModel *self)
{
  g_return_val_if_fail (LD_IS_TICKET_MODEL (self), NULL);

  return self->next_before;
}

LdTicket *
ld_ticket_model_apply_history (LdTicketModel  *self,
                               JsonObject     *data,
                               const char     *own_id,
                               GError        **error)
{
  const char *what = "ticketHistory";
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  JsonArray *array;
  LdTicket *ticket;
  const char *ticket_id;
  guint n;

  g_return_val_if_fail (LD_IS_TICKET_MODEL (self), NULL);
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ld_payload_get_array (data, what, "messages", TRUE, &array, error))
    return NULL;
  ticket_id = json_object_get_string_member_with_default (data, "ticketId", NULL);

  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      LdMessage *message;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_WRONG_TYPE,
                       "%s: message %u is not an object", what, i);
          return NULL;
        }
      if (!(message = message_from_json (json_node_get_object (node), what, ticket_id, own_id, error)))
        return NULL;
      g_ptr_array_add (messages, message);
    }

  if (!(ticket = ld_ticket_model_apply_ticket (self, data, FALSE, error)))
    return NULL;
  _ld_ticket_set_history (ticket, messages);
  return ticket;
}
