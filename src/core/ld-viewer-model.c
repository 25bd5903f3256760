/* ld-viewer-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-viewer-model.h"
#include "ld-payload.h"

struct _LdViewerModel
{
  GObject     parent_instance;

  /* Sorted by ld_viewer_compare(); the hash maps user id → viewer (unowned). */
  GPtrArray  *items;
  GHashTable *by_user;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LdViewerModel, ld_viewer_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
ld_viewer_model_get_item_type (GListModel *model)
{
  return LD_TYPE_VIEWER;
}

static guint
ld_viewer_model_get_n_items (GListModel *model)
{
  return LD_VIEWER_MODEL (model)->items->len;
}

static gpointer
ld_viewer_model_get_item (GListModel *model,
                          guint       position)
{
  LdViewerModel *self = LD_VIEWER_MODEL (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ld_viewer_model_get_item_type;
  iface->get_n_items = ld_viewer_model_get_n_items;
  iface->get_item = ld_viewer_model_get_item;
}

static void
ld_viewer_model_finalize (GObject *object)
{
  LdViewerModel *self = (LdViewerModel *)object;

  g_clear_pointer (&self->by_user, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (ld_viewer_model_parent_class)->finalize (object);
}

static void
ld_viewer_model_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LdViewerModel *self = LD_VIEWER_MODEL (object);

  switch (prop_id)
    {
    case PROP_COUNT:
      g_value_set_uint (value, self->items->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_viewer_model_class_init (LdViewerModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ld_viewer_model_finalize;
  object_class->get_property = ld_viewer_model_get_property;

  properties[PROP_COUNT] =
    g_param_spec_uint ("count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_viewer_model_init (LdViewerModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_user = g_hash_table_new (g_str_hash, g_str_equal);
}

LdViewerModel *
ld_viewer_model_new (void)
{
  return g_object_new (LD_TYPE_VIEWER_MODEL, NULL);
}

guint
ld_viewer_model_get_count (LdViewerModel *self)
{
  g_return_val_if_fail (LD_IS_VIEWER_MODEL (self), 0);

  return self->items->len;
}

/* Where VIEWER is, or would go, in the sorted array. */
static guint
find_position (LdViewerModel *self,
               LdViewer      *viewer,
               gboolean      *found)
{
  guint lo = 0, hi = self->items->len;

  *found = FALSE;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      int cmp = ld_viewer_compare (g_ptr_array_index (self->items, mid), viewer);

      if (cmp == 0)
        {
          *found = TRUE;
          return mid;
        }
      if (cmp < 0)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

/* Removes without signalling; returns the position it had. */
static guint
take_out (LdViewerModel *self,
          LdViewer      *viewer)
{
  gboolean found;
  guint position = find_position (self, viewer, &found);

  g_assert (found);
  g_hash_table_remove (self->by_user, ld_viewer_get_user_id (viewer));
  g_ptr_array_remove_index (self->items, position);

  return position;
}

gboolean
ld_viewer_model_add (LdViewerModel *self,
                     LdViewer      *viewer)
{
  LdViewer *old;
  gboolean found;
  guint position;

  g_return_val_if_fail (LD_IS_VIEWER_MODEL (self), FALSE);
  g_return_val_if_fail (LD_IS_VIEWER (viewer), FALSE);

  old = g_hash_table_lookup (self->by_user, ld_viewer_get_user_id (viewer));
  if (old == viewer)
    return FALSE;

  if (old != NULL)
    {
      guint old_position = take_out (self, old);

      position = find_position (self, viewer, &found);
      g_ptr_array_insert (self->items, position, g_object_ref (viewer));
      g_hash_table_insert (self->by_user, (gpointer) ld_viewer_get_user_id (viewer), viewer);

      if (old_position == position)
        g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
      else
        {
          guint first = MIN (old_position, position);
          guint span = MAX (old_position, position) - first + 1;

          g_list_model_items_changed (G_LIST_MODEL (self), first, span, span);
        }
      return FALSE;
    }

  position = find_position (self, viewer, &found);
  g_ptr_array_insert (self->items, position, g_object_ref (viewer));
  g_hash_table_insert (self->by_user, (gpointer) ld_viewer_get_user_id (viewer), viewer);

  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);

  return TRUE;
}

gboolean
ld_viewer_model_remove (LdViewerModel *self,
                        const char    *user_id)
{
  LdViewer *viewer;
  guint position;

  g_return_val_if_fail (LD_IS_VIEWER_MODEL (self), FALSE);

  viewer = ld_viewer_model_lookup (self, user_id);
  if (viewer == NULL)
    return FALSE;

  position = take_out (self, viewer);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);

  return TRUE;
}

LdViewer *
ld_viewer_model_lookup (LdViewerModel *self,
                        const char    *user_id)
{
  g_return_val_if_fail (LD_IS_VIEWER_MODEL (self), NULL);

  if (user_id == NULL)
    return NULL;

  return g_hash_table_lookup (self->by_user, user_id);
}

/* Takes ITEMS (sorted, unique user ids) as the new list. */
static void
replace_items (LdViewerModel *self,
               GPtrArray     *items)
{
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->items);

  self->items = items;
  g_hash_table_remove_all (self->by_user);
  for (guint i = 0; i < items->len; i++)
    {
      LdViewer *viewer = g_ptr_array_index (items, i);

      g_hash_table_insert (self->by_user, (gpointer) ld_viewer_get_user_id (viewer), viewer);
    }

  if (old->len > 0 || items->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old->len, items->len);
  if (old->len != items->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
}

void
ld_viewer_model_clear (LdViewerModel *self)
{
  g_return_if_fail (LD_IS_VIEWER_MODEL (self));

  replace_items (self, g_ptr_array_new_with_free_func (g_object_unref));
}

static int
compare_pointers (gconstpointer a,
                  gconstpointer b)
{
  return ld_viewer_compare (*(LdViewer **) a, *(LdViewer **) b);
}

gboolean
ld_viewer_model_replace_all (LdViewerModel *self,
                             JsonArray     *viewers,
                             GError       **error)
{
  g_autoptr(GHashTable) latest = NULL;
  g_autoptr(GPtrArray) items = NULL;
  GHashTableIter iter;
  gpointer value;
  guint n;

  g_return_val_if_fail (LD_IS_VIEWER_MODEL (self), FALSE);
  g_return_val_if_fail (viewers != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n = json_array_get_length (viewers);
  latest = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      JsonObject *object = ld_payload_expect_object (json_array_get_element (viewers, i), "viewer", error);
      LdViewer *viewer;

      if (object == NULL)
        return FALSE;

      viewer = ld_viewer_new_from_json (object, error);
      if (viewer == NULL)
        return FALSE;

      g_hash_table_replace (latest, (gpointer) ld_viewer_get_user_id (viewer), viewer);
    }

  items = g_ptr_array_new_full (g_hash_table_size (latest), g_object_unref);
  g_hash_table_iter_init (&iter, latest);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (items, g_object_ref (value));
  g_ptr_array_sort (items, compare_pointers);

  replace_items (self, g_steal_pointer (&items));

  return TRUE;
}

gboolean
ld_viewer_model_apply_joined (LdViewerModel *self,
                              JsonObject    *payload,
                              GError       **error)
{
  g_autoptr(LdViewer) viewer = NULL;
  LdViewer *old;

  g_return_val_if_fail (LD_IS_VIEWER_MODEL (self), FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);

  viewer = ld_viewer_new_from_json (payload, error);
  if (viewer == NULL)
    return FALSE;

  old = ld_viewer_model_lookup (self, ld_viewer_get_user_id (viewer));
  if (old != NULL && !json_object_has_member (payload, "role"))
    {
      LdViewer *kept = ld_viewer_new (ld_viewer_get_user_id (viewer), ld_viewer_get_username (viewer),
                                      ld_viewer_get_role (old));

      g_object_unref (viewer);
      viewer = kept;
    }

  ld_viewer_model_add (self, viewer);
  return TRUE;
}

gboolean
ld_viewer_model_apply_left (LdViewerModel *self,
                            JsonObject    *payload,
                            GError       **error)
{
  g_autofree char *user_id = NULL;

  g_return_val_if_fail (LD_IS_VIEWER_MODEL (self), FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);

  if (!ld_payload_get_id (payload, "userLeft", "userId", TRUE, &user_id, error))
    return FALSE;

  ld_viewer_model_remove (self, user_id);
  return TRUE;
}
