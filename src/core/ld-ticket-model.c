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
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LdTicketModel, ld_ticket_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_N_UNREAD,
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
