/* gw-gifts.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-gifts.h"

#include <math.h>

#include <json-glib/json-glib.h>

struct _GwGifts
{
  GObject     parent_instance;
  GHashTable *gifts;  /* id → GwGift */
};

G_DEFINE_FINAL_TYPE (GwGifts, gw_gifts, G_TYPE_OBJECT)

static void
gift_free (gpointer data)
{
  GwGift *gift = data;

  g_free (gift->id);
  g_free (gift->name);
  g_free (gift->type);
  g_free (gift->animation);
  g_free (gift);
}

static void
gw_gifts_finalize (GObject *object)
{
  GwGifts *self = (GwGifts *)object;

  g_clear_pointer (&self->gifts, g_hash_table_unref);

  G_OBJECT_CLASS (gw_gifts_parent_class)->finalize (object);
}

static void
gw_gifts_class_init (GwGiftsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gw_gifts_finalize;
}

static void
gw_gifts_init (GwGifts *self)
{
  self->gifts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, gift_free);
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

GwGifts *
gw_gifts_new_from_data (const char  *data,
                        gssize       len,
                        GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GwGifts) self = NULL;
  JsonNode *root;
  JsonNode *list;

  g_return_val_if_fail (data != NULL, NULL);

  if (!json_parser_load_from_data (parser, data, len, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (list = json_object_get_member (json_node_get_object (root), "gifts")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "A gift catalogue is {\"gifts\": [...]}");
      return NULL;
    }

  self = g_object_new (GW_TYPE_GIFTS, NULL);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (list), i);
      JsonObject *object;
      JsonNode *value;
      GwGift *gift;
      const char *id;
      const char *name;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          (id = string_member ((object = json_node_get_object (node)), "id")) == NULL || id[0] == '\0' ||
          (name = string_member (object, "name")) == NULL ||
          (value = json_object_get_member (object, "value")) == NULL || !JSON_NODE_HOLDS_VALUE (value) ||
          (json_node_get_value_type (value) != G_TYPE_INT64 && json_node_get_value_type (value) != G_TYPE_DOUBLE) ||
          !isfinite (json_node_get_double (value)) || json_node_get_double (value) < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "Gift %u of the catalogue needs an id, a name and a value of 0 or more", i + 1);
          return NULL;
        }
      if (g_hash_table_contains (self->gifts, id))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The catalogue has gift “%s” twice", id);
          return NULL;
        }

      gift = g_new0 (GwGift, 1);
      gift->id = g_strdup (id);
      gift->name = g_strdup (name);
      gift->value = json_node_get_double (value);
      gift->type = g_strdup (string_member (object, "type") != NULL ? string_member (object, "type") : "basic");
      gift->animation = g_strdup (string_member (object, "animation") != NULL ? string_member (object, "animation")
                                                                             : "default");
      g_hash_table_insert (self->gifts, gift->id, gift);
    }

  return g_steal_pointer (&self);
}

GwGifts *
gw_gifts_new_from_file (const char  *path,
                        GError     **error)
{
  g_autofree char *data = NULL;
  gsize len;
  GwGifts *gifts;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  gifts = gw_gifts_new_from_data (data, len, &local);
  if (gifts == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", path, local->message);
  return gifts;
}

const char *
gw_gifts_default_path (void)
{
  const char *path = g_getenv ("LIVEDESK_GATEWAY_GIFTS");

  if (path != NULL && path[0] != '\0')
    return path;
  if (GW_GIFTS_SOURCE_PATH[0] != '\0' && !g_file_test (GW_GIFTS_INSTALLED_PATH, G_FILE_TEST_EXISTS))
    return GW_GIFTS_SOURCE_PATH;
  return GW_GIFTS_INSTALLED_PATH;
}

guint
gw_gifts_get_n_gifts (GwGifts *self)
{
  g_return_val_if_fail (GW_IS_GIFTS (self), 0);

  return g_hash_table_size (self->gifts);
}

const GwGift *
gw_gifts_lookup (GwGifts    *self,
                 const char *gift_id)
{
  g_return_val_if_fail (GW_IS_GIFTS (self), NULL);

  return gift_id != NULL ? g_hash_table_lookup (self->gifts, gift_id) : NULL;
}
