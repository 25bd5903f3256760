/* ld-payload.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-payload.h"

#include <math.h>

static const char *
node_kind (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      break;
    }

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "a string";
    case G_TYPE_BOOLEAN:
      return "a boolean";
    case G_TYPE_INT64:
    case G_TYPE_DOUBLE:
      return "a number";
    default:
      return "a value";
    }
}

/* The member's node, or NULL when absent or null (both mean "not given"). */
static gboolean
lookup (JsonObject  *object,
        const char  *what,
        const char  *member,
        gboolean     required,
        JsonNode   **out,
        GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node != NULL && JSON_NODE_HOLDS_NULL (node))
    node = NULL;

  if (node == NULL && required)
    {
      g_set_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_MISSING_FIELD,
                   "%s: field “%s” is missing", what, member);
      return FALSE;
    }

  *out = node;
  return TRUE;
}

static gboolean
wrong_type (JsonNode    *node,
            const char  *what,
            const char  *member,
            const char  *expected,
            GError     **error)
{
  g_set_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_WRONG_TYPE,
               "%s: field “%s” must be %s, not %s", what, member, expected, node_kind (node));
  return FALSE;
}

static gboolean
holds (JsonNode *node,
       GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

gboolean
ld_payload_get_string (JsonObject  *object,
                       const char  *what,
                       const char  *member,
                       gboolean     required,
                       const char **out,
                       GError     **error)
{
  JsonNode *node;

  *out = NULL;
  if (!lookup (object, what, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (!holds (node, G_TYPE_STRING))
    return wrong_type (node, what, member, "a string", error);

  *out = json_node_get_string (node);
  return TRUE;
}

gboolean
ld_payload_get_id (JsonObject  *object,
                   const char  *what,
                   const char  *member,
                   gboolean     required,
                   char       **out,
                   GError     **error)
{
  JsonNode *node;

  *out = NULL;
  if (!lookup (object, what, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  if (holds (node, G_TYPE_STRING) && *json_node_get_string (node) != '\0')
    *out = g_strdup (json_node_get_string (node));
  else if (holds (node, G_TYPE_INT64))
    *out = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (holds (node, G_TYPE_STRING))
    {
      g_set_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_INVALID_VALUE,
                   "%s: field “%s” is empty", what, member);
      return FALSE;
    }
  else
    return wrong_type (node, what, member, "a string or an integer", error);

  return TRUE;
}

gboolean
ld_payload_get_double (JsonObject  *object,
                       const char  *what,
                       const char  *member,
                       gboolean     required,
                       double       default_value,
                       double      *out,
                       GError     **error)
{
  JsonNode *node;

  *out = default_value;
  if (!lookup (object, what, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (holds (node, G_TYPE_INT64))
    *out = (double) json_node_get_int (node);
  else if (holds (node, G_TYPE_DOUBLE) && isfinite (json_node_get_double (node)))
    *out = json_node_get_double (node);
  else
    return wrong_type (node, what, member, "a number", error);

  return TRUE;
}

gboolean
ld_payload_get_int (JsonObject  *object,
                    const char  *what,
                    const char  *member,
                    gboolean     required,
                    gint64       default_value,
                    gint64      *out,
                    GError     **error)
{
  JsonNode *node;

  *out = default_value;
  if (!lookup (object, what, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (!holds (node, G_TYPE_INT64))
    return wrong_type (node, what, member, "an integer", error);

  *out = json_node_get_int (node);
  return TRUE;
}

gboolean
ld_payload_get_boolean (JsonObject  *object,
                        const char  *what,
                        const char  *member,
                        gboolean     required,
                        gboolean     default_value,
                        gboolean    *out,
                        GError     **error)
{
  JsonNode *node;

  *out = default_value;
  if (!lookup (object, what, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (!holds (node, G_TYPE_BOOLEAN))
    return wrong_type (node, what, member, "a boolean", error);

  *out = json_node_get_boolean (node);
  return TRUE;
}

gboolean
ld_payload_get_object (JsonObject  *object,
                       const char  *what,
                       const char  *member,
                       gboolean     required,
                       JsonObject **out,
                       GError     **error)
{
  JsonNode *node;

  *out = NULL;
  if (!lookup (object, what, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return wrong_type (node, what, member, "an object", error);

  *out = json_node_get_object (node);
  return TRUE;
}

gboolean
ld_payload_get_array (JsonObject  *object,
                      const char  *what,
                      const char  *member,
                      gboolean     required,
                      JsonArray  **out,
                      GError     **error)
{
  JsonNode *node;

  *out = NULL;
  if (!lookup (object, what, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (node, what, member, "an array", error);

  *out = json_node_get_array (node);
  return TRUE;
}

gboolean
ld_payload_get_datetime (JsonObject  *object,
                         const char  *what,
                         const char  *member,
                         gboolean     required,
                         GDateTime  **out,
                         GError     **error)
{
  g_autoptr(GTimeZone) utc = NULL;
  const char *text;

  *out = NULL;
  if (!ld_payload_get_string (object, what, member, required, &text, error))
    return FALSE;

  if (text == NULL)
    {
      *out = g_date_time_new_now_utc ();
      return TRUE;
    }

  utc = g_time_zone_new_utc ();
  *out = g_date_time_new_from_iso8601 (text, utc);
  if (*out == NULL)
    {
      g_set_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_INVALID_VALUE,
                   "%s: field “%s” is not an ISO 8601 time", what, member);
      return FALSE;
    }

  return TRUE;
}

JsonObject *
ld_payload_expect_object (JsonNode   *node,
                          const char *what,
                          GError    **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_WRONG_TYPE,
                   "%s: the payload must be an object, not %s",
                   what, node == NULL ? "nothing" : node_kind (node));
      return NULL;
    }

  return json_node_get_object (node);
}
