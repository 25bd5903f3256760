/* ld-ticket.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-ticket-private.h"

struct _LdTicket
{
  GObject     parent_instance;

  char       *user_id;
  char       *username;
  char       *ticket_id;
  char       *support_type;
  GListStore *messages;
  GDateTime  *updated;
  char       *assignee;
  GDateTime  *created;
  guint       unread_count;
  gboolean    resolved;
  gboolean    history_loaded;
};

G_DEFINE_FINAL_TYPE (LdTicket, ld_ticket, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_USER_ID,
  PROP_USERNAME,
  PROP_TICKET_ID,
  PROP_SUPPORT_TYPE,
  PROP_MESSAGES,
  PROP_UNREAD_COUNT,
  PROP_RESOLVED,
  PROP_UPDATED,
  PROP_ASSIGNEE,
  PROP_CREATED,
  PROP_HISTORY_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ld_ticket_finalize (GObject *object)
{
  LdTicket *self = (LdTicket *)object;

  g_free (self->user_id);
  g_free (self->username);
  g_free (self->ticket_id);
  g_free (self->support_type);
  g_free (self->assignee);
  g_clear_pointer (&self->created, g_date_time_unref);
  g_clear_object (&self->messages);
  g_clear_pointer (&self->updated, g_date_time_unref);

  G_OBJECT_CLASS (ld_ticket_parent_class)->finalize (object);
}

static void
ld_ticket_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LdTicket *self = LD_TICKET (object);

  switch (prop_id)
    {
    case PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_TICKET_ID:
      g_value_set_string (value, self->ticket_id);
      break;
    case PROP_SUPPORT_TYPE:
      g_value_set_string (value, self->support_type);
      break;
    case PROP_MESSAGES:
      g_value_set_object (value, self->messages);
      break;
    case PROP_UNREAD_COUNT:
      g_value_set_uint (value, self->unread_count);
      break;
    case PROP_RESOLVED:
      g_value_set_boolean (value, self->resolved);
      break;
    case PROP_UPDATED:
      g_value_set_boxed (value, self->updated);
      break;
    case PROP_ASSIGNEE:
      g_value_set_string (value, self->assignee);
      break;
    case PROP_CREATED:
      g_value_set_boxed (value, self->created);
      break;
    case PROP_HISTORY_LOADED:
      g_value_set_boolean (value, self->history_loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_ticket_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  LdTicket *self = LD_TICKET (object);

  switch (prop_id)
    {
    case PROP_RESOLVED:
      ld_ticket_set_resolved (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_ticket_class_init (LdTicketClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ld_ticket_finalize;
  object_class->get_property = ld_ticket_get_property;
  object_class->set_property = ld_ticket_set_property;

  properties[PROP_USER_ID] = g_param_spec_string ("user-id", NULL, NULL, NULL, ro);
  properties[PROP_USERNAME] = g_param_spec_string ("username", NULL, NULL, NULL, ro);
  properties[PROP_TICKET_ID] = g_param_spec_string ("ticket-id", NULL, NULL, NULL, ro);
  properties[PROP_SUPPORT_TYPE] = g_param_spec_string ("support-type", NULL, NULL, NULL, ro);
  properties[PROP_MESSAGES] = g_param_spec_object ("messages", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  properties[PROP_UNREAD_COUNT] = g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_RESOLVED] = g_param_spec_boolean ("resolved", NULL, NULL, FALSE,
                                                    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UPDATED] = g_param_spec_boxed ("updated", NULL, NULL, G_TYPE_DATE_TIME, ro);
  properties[PROP_ASSIGNEE] = g_param_spec_string ("assignee", NULL, NULL, NULL, ro);
  properties[PROP_CREATED] = g_param_spec_boxed ("created", NULL, NULL, G_TYPE_DATE_TIME, ro);
  properties[PROP_HISTORY_LOADED] = g_param_spec_boolean ("history-loaded", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_ticket_init (LdTicket *self)
{
  self->messages = g_list_store_new (LD_TYPE_MESSAGE);
  self->support_type = g_strdup ("general");
  self->updated = g_date_time_new_now_utc ();
}

LdTicket *
_ld_ticket_new (const char *user_id)
{
  LdTicket *self = g_object_new (LD_TYPE_TICKET, NULL);

  self->user_id = g_strdup (user_id);
  self->username = g_strdup (user_id);

  return self;
}

static void
set_string (LdTicket    *self,
            char       **field,
            const char  *value,
            guint        prop)
{
  if (value == NULL || g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
append (LdTicket  *self,
        LdMessage *message)
{
  g_list_store_append (self->messages, message);

  g_date_time_unref (self->updated);
  self->updated = g_date_time_ref (ld_message_get_timestamp (message));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPDATED]);
}

void
_ld_ticket_add_incoming (LdTicket   *self,
                         LdMessage  *message,
                         const char *ticket_id,
                         const char *support_type)
{
  g_object_freeze_notify (G_OBJECT (self));

  set_string (self, &self->username, ld_message_get_username (message), PROP_USERNAME);
  set_string (self, &self->ticket_id, ticket_id, PROP_TICKET_ID);
  set_string (self, &self->support_type, support_type, PROP_SUPPORT_TYPE);
  append (self, message);
  self->unread_count++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
  ld_ticket_set_resolved (self, FALSE);

  g_object_thaw_notify (G_OBJECT (self));
}

void
_ld_ticket_add_reply (LdTicket  *self,
                      LdMessage *message)
{
  append (self, message);
}

void
_ld_ticket_add_own (LdTicket   *self,
                    LdMessage  *message,
                    const char *support_type)
{
  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->support_type, support_type, PROP_SUPPORT_TYPE);
  append (self, message);
  ld_ticket_set_resolved (self, FALSE);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_ld_ticket_add_answer (LdTicket   *self,
                       LdMessage  *message,
                       const char *ticket_id)
{
  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->ticket_id, ticket_id, PROP_TICKET_ID);
  append (self, message);
  self->unread_count++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_ld_ticket_set_ticket_id (LdTicket   *self,
                          const char *ticket_id)
{
  set_string (self, &self->ticket_id, ticket_id, PROP_TICKET_ID);
}

void
_ld_ticket_set_state (LdTicket   *self,
                      const char *ticket_id,
                      const char *username,
                      const char *support_type,
                      gboolean    resolved,
                      const char *assignee,
                      GDateTime  *created,
                      GDateTime  *updated)
{
  g_object_freeze_notify (G_OBJECT (self));

  set_string (self, &self->ticket_id, ticket_id, PROP_TICKET_ID);
  set_string (self, &self->username, username, PROP_USERNAME);
  set_string (self, &self->support_type, support_type, PROP_SUPPORT_TYPE);
  ld_ticket_set_resolved (self, resolved);
  /* NULL is news here: the ticket is nobody's (again). */
  if (g_strcmp0 (self->assignee, assignee) != 0)
    {
      g_free (self->assignee);
      self->assignee = g_strdup (assignee);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ASSIGNEE]);
    }
  if (created != NULL && (self->created == NULL || !g_date_time_equal (self->created, created)))
    {
      g_clear_pointer (&self->created, g_date_time_unref);
      self->created = g_date_time_ref (created);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREATED]);
    }
  if (updated != NULL && g_date_time_compare (updated, self->updated) > 0)
    {
      g_date_time_unref (self->updated);
      self->updated = g_date_time_ref (updated);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPDATED]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

void
_ld_ticket_add_message (LdTicket  *self,
                        LdMessage *message,
                        gboolean   unread)
{
  g_object_freeze_notify (G_OBJECT (self));
  append (self, message);
  if (unread)
    {
      self->unread_count++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
_ld_ticket_set_history (LdTicket  *self,
                        GPtrArray *messages)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));

  for (guint i = 0; i < messages->len; i++)
    g_ptr_array_add (items, g_object_ref (g_ptr_array_index (messages, i)));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LdMessage) message = g_list_model_get_item (G_LIST_MODEL (self->messages), i);

      if (ld_message_get_state (message) != LD_MESSAGE_STATE_SENT)
        g_ptr_array_add (items, g_object_ref (message));
    }

  g_object_freeze_notify (G_OBJECT (self));
  g_list_store_splice (self->messages, 0, n, items->pdata, items->len);
  if (items->len > 0)
    {
      LdMessage *last = g_ptr_array_index (items, items->len - 1);

      if (g_date_time_compare (ld_message_get_timestamp (last), self->updated) > 0)
        {
          g_date_time_unref (self->updated);
          self->updated = g_date_time_ref (ld_message_get_timestamp (last));
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPDATED]);
        }
    }
  if (!self->history_loaded)
    {
      self->history_loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY_LOADED]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
ld_ticket_get_assignee (LdTicket *self)
{
  g_return_val_if_fail (LD_IS_TICKET (self), NULL);
  return self->assignee;
}

GDateTime *
ld_ticket_get_created (LdTicket *self)
{
  g_return_val_if_fail (LD_IS_TICKET (self), NULL);
  return self->created;
}

gboolean
ld_ticket_get_history_loaded (LdTicket *self)
{
  g_return_val_if_fail (LD_IS_TICKET (self), FALSE);
  return self->history_loaded;
}

const char *
ld_ticket_get_user_id (LdTicket *self)
{
  g_return_val_if_fail (LD_IS_TICKET (self), NULL);
  return self->user_id;
}

const char *
ld_ticket_get_username (LdTicket *self)
{
  g_return_val_if_fail (LD_IS_TICKET (self), NULL);
  return self->username;
}

const char *
ld_ticket_get_ticket_id (LdTicket *self)
{
  g_return_val_if_fail (LD_IS_TICKET (self), NULL);
  return self->ticket_id;
}

const char *
ld_ticket_get_support_type (LdTicket *self)
{
  g_return_val_if_fail (LD_IS_TICKET (self), NULL);
  return self->support_type;
}

GListModel *
ld_ticket_get_messages (LdTicket *self)
{
  g_return_val_if_fail (LD_IS_TICKET (self), NULL);
  return G_LIST_MODEL (self->messages);
}

guint
ld_ticket_get_unread_count (LdTicket *self)
{
  g_return_val_if_fail (LD_IS_TICKET (self), 0);
  return self->unread_count;
}

void
ld_ticket_mark_read (LdTicket *self)
{
  g_return_if_fail (LD_IS_TICKET (self));

  if (self->unread_count == 0)
    return;

  self->unread_count = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
}

gboolean
ld_ticket_get_resolved (LdTicket *self)
{
  g_return_val_if_fail (LD_IS_TICKET (self), FALSE);
  return self->resolved;
}

void
ld_ticket_set_resolved (LdTicket *self,
                        gboolean  resolved)
{
  g_return_if_fail (LD_IS_TICKET (self));

  resolved = !!resolved;
  if (self->resolved == resolved)
    return;

  self->resolved = resolved;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESOLVED]);
}

GDateTime *
ld_ticket_get_updated (LdTicket *self)
{
  g_return_val_if_fail (LD_IS_TICKET (self), NULL);
  return self->updated;
}

gboolean
ld_ticket_message_is_internal (LdMessage *message)
{
  g_return_val_if_fail (LD_IS_MESSAGE (message), FALSE);
  return g_object_get_data (G_OBJECT (message), "ld-ticket-internal") != NULL;
}

void
_ld_ticket_message_set_internal (LdMessage *message)
{
  g_object_set_data (G_OBJECT (message), "ld-ticket-internal", GINT_TO_POINTER (TRUE));
}
