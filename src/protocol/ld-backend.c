/* ld-backend.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-backend.h"

static gboolean
type_is (JsonObject *object,
         const char *type)
{
  JsonNode *node = json_object_get_member (object, "type");

  /* No type, or a type that is not a string, says nothing against it. */
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return TRUE;
  return type == NULL || g_strcmp0 (json_node_get_string (node), type) == 0;
}

JsonObject *
ld_backend_unwrap (JsonObject *payload,
                   const char *type)
{
  JsonNode *data;
  JsonObject *inner;

  g_return_val_if_fail (payload != NULL, NULL);

  if (!type_is (payload, type))
    return NULL;

  data = json_object_get_member (payload, "data");
  if (data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
    return payload;

  inner = json_node_get_object (data);
  return type_is (inner, type) ? inner : NULL;
}
