/* ld-notification-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-notification-model.h"
#include "ld-payload.h"

struct _LdNotificationModel
{
  GObject     parent_instance;

  /* Newest first, by timestamp; of equal ones, the last to arrive first.
   * `visible` is the filtered view of `all` (the same objects, in the same
   * order); the hash maps id → notification. */
  GPtrArray  *all;
  GPtrArray  *visible;
  GHashTable *by_id;
  char       *type_filter;
  guint       capacity;
  guint       unread_count;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LdNotificationModel, ld_notification_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_CAPACITY,
  PROP_UNREAD_COUNT,
  PROP_TYPE_FILTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
ld_notification_model_get_item_type (GListModel *model)
{
  return LD_TYPE_NOTIFICATION;
}

static guint
ld_notification_model_get_n_items (GListModel *model)
{
  return LD_NOTIFICATION_MODEL (model)->visible->len;
}

static gpointer
ld_notification_model_get_item (GListModel *model,
                                guint       position)
{
  LdNotificationModel *self = LD_NOTIFICATION_MODEL (model);

  if (position >= self->visible->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->visible, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ld_notification_model_get_item_type;
  iface->get_n_items = ld_notification_model_get_n_items;
  iface->get_item = ld_notification_model_get_item;
}

static gboolean
matches (LdNotificationModel *self,
         LdNotification      *notification)
{
  return self->type_filter == NULL ||
         g_strcmp0 (ld_notification_get_kind (notification), self->type_filter) == 0;
}

static void
set_unread_count (LdNotificationModel *self,
                  guint                count)
{
  if (self->unread_count == count)
    return;

  self->unread_count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
}

/* Rebuilds the filtered view, e.g. after the filter or a type changed. */
static void
refilter (LdNotificationModel *self)
{
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->visible);
  gboolean same;

  self->visible = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->all->len; i++)
    if (matches (self, g_ptr_array_index (self->all, i)))
      g_ptr_array_add (self->visible, g_object_ref (g_ptr_array_index (self->all, i)));

  same = old->len == self->visible->len;
  for (guint i = 0; same && i < old->len; i++)
    same = g_ptr_array_index (old, i) == g_ptr_array_index (self->visible, i);

  if (!same)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old->len, self->visible->len);
}

static void
on_read_changed (LdNotification      *notification,
                 GParamSpec          *pspec,
                 LdNotificationModel *self)
{
  if (ld_notification_get_read (notification))
    set_unread_count (self, self->unread_count - 1);
  else
    set_unread_count (self, self->unread_count + 1);
}

static void
on_kind_changed (LdNotification      *notification,
                 GParamSpec          *pspec,
                 LdNotificationModel *self)
{
  if (self->type_filter != NULL)
    refilter (self);
}

static void
forget (LdNotificationModel *self,
        LdNotification      *notification)
{
  g_signal_handlers_disconnect_by_data (notification, self);
  g_hash_table_remove (self->by_id, ld_notification_get_id (notification));
  if (!ld_notification_get_read (notification))
    set_unread_count (self, self->unread_count - 1);
}

/* Where NOTIFICATION goes in ARRAY (newest first): before the first one
 * that is not newer. Most arrive newest, at 0; one sent late (a backlog, or
 * a gateway's Redis relay) goes where its time says, not on top. */
static guint
position_for (GPtrArray      *array,
              LdNotification *notification)
{
  GDateTime *when = ld_notification_get_timestamp (notification);
  guint i = 0;

  while (i < array->len &&
         g_date_time_compare (ld_notification_get_timestamp (g_ptr_array_index (array, i)), when) > 0)
    i++;
  return i;
}

/* Moves NOTIFICATION, held by ARRAY at FROM, to where its time puts it,
 * and returns that place. */
static guint
move_to_place (GPtrArray      *array,
               LdNotification *notification,
               guint           from)
{
  guint to;

  g_ptr_array_steal_index (array, from);
  to = position_for (array, notification);
  g_ptr_array_insert (array, to, notification);
  return to;
}

/* A notificationUpdate gave NOTIFICATION a new time: it moves to its place. */
static void
on_timestamp_changed (LdNotification      *notification,
                      GParamSpec          *pspec,
                      LdNotificationModel *self)
{
  guint from, to;

  if (g_ptr_array_find (self->all, notification, &from))
    move_to_place (self->all, notification, from);
  if (!g_ptr_array_find (self->visible, notification, &from))
    return;
  to = move_to_place (self->visible, notification, from);
  if (to != from)
    g_list_model_items_changed (G_LIST_MODEL (self), MIN (from, to), MAX (from, to) - MIN (from, to) + 1,
                                MAX (from, to) - MIN (from, to) + 1);
}

/* Drops the oldest beyond the capacity: the tail of both arrays. */
static void
trim (LdNotificationModel *self)
{
  guint visible_removed = 0;

  while (self->all->len > self->capacity)
    {
      LdNotification *oldest = g_ptr_array_index (self->all, self->all->len - 1);

      if (self->visible->len > 0 && g_ptr_array_index (self->visible, self->visible->len - 1) == oldest)
        {
          g_ptr_array_remove_index (self->visible, self->visible->len - 1);
          visible_removed++;
        }
      forget (self, oldest);
      g_ptr_array_remove_index (self->all, self->all->len - 1);
    }

  if (visible_removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), self->visible->len, visible_removed, 0);
}

static void
ld_notification_model_dispose (GObject *object)
{
  LdNotificationModel *self = (LdNotificationModel *)object;

  if (self->all != NULL)
    for (guint i = 0; i < self->all->len; i++)
      g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->all, i), self);
  g_clear_pointer (&self->visible, g_ptr_array_unref);
  g_clear_pointer (&self->all, g_ptr_array_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);

  G_OBJECT_CLASS (ld_notification_model_parent_class)->dispose (object);
}

static void
ld_notification_model_finalize (GObject *object)
{
  LdNotificationModel *self = (LdNotificationModel *)object;

  g_free (self->type_filter);

  G_OBJECT_CLASS (ld_notification_model_parent_class)->finalize (object);
}

static void
ld_notification_model_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  LdNotificationModel *self = LD_NOTIFICATION_MODEL (object);

  switch (prop_id)
    {
    case PROP_CAPACITY:
      g_value_set_uint (value, self->capacity);
      break;
    case PROP_UNREAD_COUNT:
      g_value_set_uint (value, self->unread_count);
      break;
    case PROP_TYPE_FILTER:
      g_value_set_string (value, self->type_filter);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_notification_model_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  LdNotificationModel *self = LD_NOTIFICATION_MODEL (object);

  switch (prop_id)
    {
    case PROP_CAPACITY:
      ld_notification_model_set_capacity (self, g_value_get_uint (value));
      break;
    case PROP_TYPE_FILTER:
      ld_notification_model_set_type_filter (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_notification_model_class_init (LdNotificationModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = ld_notification_model_dispose;
  object_class->finalize = ld_notification_model_finalize;
  object_class->get_property = ld_notification_model_get_property;
  object_class->set_property = ld_notification_model_set_property;

  properties[PROP_CAPACITY] =
    g_param_spec_uint ("capacity", NULL, NULL, 1, G_MAXUINT32 / 2, LD_NOTIFICATION_MODEL_DEFAULT_CAPACITY, rw);
  properties[PROP_UNREAD_COUNT] =
    g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TYPE_FILTER] =
    g_param_spec_string ("type-filter", NULL, NULL, NULL, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_notification_model_init (LdNotificationModel *self)
{
  self->all = g_ptr_array_new_with_free_func (g_object_unref);
  self->visible = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->capacity = LD_NOTIFICATION_MODEL_DEFAULT_CAPACITY;
}

LdNotificationModel *
ld_notification_model_new (void)
{
  return g_object_new (LD_TYPE_NOTIFICATION_MODEL, NULL);
}

guint
ld_notification_model_get_capacity (LdNotificationModel *self)
{
  g_return_val_if_fail (LD_IS_NOTIFICATION_MODEL (self), 0);

  return self->capacity;
}

void
ld_notification_model_set_capacity (LdNotificationModel *self,
                                    guint                capacity)
{
  g_return_if_fail (LD_IS_NOTIFICATION_MODEL (self));
  g_return_if_fail (capacity >= 1);

  if (self->capacity == capacity)
    return;

  self->capacity = capacity;
  trim (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPACITY]);
}

guint
ld_notification_model_get_unread_count (LdNotificationModel *self)
{
  g_return_val_if_fail (LD_IS_NOTIFICATION_MODEL (self), 0);

  return self->unread_count;
}

LdNotification *
ld_notification_model_add_from_json (LdNotificationModel   *self,
                                     JsonObject            *payload,
                                     LdNotificationSource   source,
                                     GError               **error)
{
  g_autoptr(LdNotification) notification = NULL;
  LdNotification *known;

  g_return_val_if_fail (LD_IS_NOTIFICATION_MODEL (self), NULL);
  g_return_val_if_fail (payload != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  notification = ld_notification_new_from_json (payload, source, error);
  if (notification == NULL)
    return NULL;

  known = ld_notification_model_lookup (self, ld_notification_get_id (notification));
  if (known != NULL)
    return ld_notification_apply_update (known, payload, error) ? known : NULL;

  g_ptr_array_insert (self->all, position_for (self->all, notification), g_object_ref (notification));
  g_hash_table_insert (self->by_id, (gpointer) ld_notification_get_id (notification), notification);
  g_signal_connect_object (notification, "notify::read", G_CALLBACK (on_read_changed), self, 0);
  g_signal_connect_object (notification, "notify::kind", G_CALLBACK (on_kind_changed), self, 0);
  g_signal_connect_object (notification, "notify::timestamp", G_CALLBACK (on_timestamp_changed), self, 0);

  if (matches (self, notification))
    {
      guint position = position_for (self->visible, notification);

      g_ptr_array_insert (self->visible, position, g_object_ref (notification));
      g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
    }

  set_unread_count (self, self->unread_count + 1);
  trim (self);

  /* Older than all of a full model's: trim() dropped it at once. */
  if (g_hash_table_lookup (self->by_id, ld_notification_get_id (notification)) != notification)
    return NULL;
  /* Borrowed: the model holds it. */
  return notification;
}

gboolean
ld_notification_model_apply_update (LdNotificationModel  *self,
                                    JsonObject           *payload,
                                    GError              **error)
{
  g_autofree char *id = NULL;
  LdNotification *notification;

  g_return_val_if_fail (LD_IS_NOTIFICATION_MODEL (self), FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ld_payload_get_id (payload, "notificationUpdate", "id", TRUE, &id, error))
    return FALSE;

  notification = ld_notification_model_lookup (self, id);
  if (notification == NULL)
    return TRUE;

  return ld_notification_apply_update (notification, payload, error);
}

LdNotification *
ld_notification_model_lookup (LdNotificationModel *self,
                              const char          *id)
{
  g_return_val_if_fail (LD_IS_NOTIFICATION_MODEL (self), NULL);

  if (id == NULL)
    return NULL;

  return g_hash_table_lookup (self->by_id, id);
}

gboolean
ld_notification_model_mark_read (LdNotificationModel *self,
                                 const char          *id)
{
  LdNotification *notification;

  g_return_val_if_fail (LD_IS_NOTIFICATION_MODEL (self), FALSE);

  notification = ld_notification_model_lookup (self, id);
  if (notification == NULL)
    return FALSE;

  ld_notification_set_read (notification, TRUE);
  return TRUE;
}

void
ld_notification_model_mark_all_read (LdNotificationModel *self)
{
  g_return_if_fail (LD_IS_NOTIFICATION_MODEL (self));

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < self->all->len; i++)
    ld_notification_set_read (g_ptr_array_index (self->all, i), TRUE);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
ld_notification_model_get_type_filter (LdNotificationModel *self)
{
  g_return_val_if_fail (LD_IS_NOTIFICATION_MODEL (self), NULL);

  return self->type_filter;
}

void
ld_notification_model_set_type_filter (LdNotificationModel *self,
                                       const char          *kind)
{
  g_return_if_fail (LD_IS_NOTIFICATION_MODEL (self));

  if (g_strcmp0 (self->type_filter, kind) == 0)
    return;

  g_free (self->type_filter);
  self->type_filter = g_strdup (kind);
  refilter (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TYPE_FILTER]);
}

void
ld_notification_model_clear (LdNotificationModel *self)
{
  guint removed;

  g_return_if_fail (LD_IS_NOTIFICATION_MODEL (self));

  removed = self->visible->len;
  for (guint i = 0; i < self->all->len; i++)
    forget (self, g_ptr_array_index (self->all, i));
  g_ptr_array_set_size (self->all, 0);
  g_ptr_array_set_size (self->visible, 0);

  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
}
