/* ld-envelope.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "ld-envelope.h"

static gint64
retry_after (JsonObject *error)
{
  JsonNode *node = json_object_get_member (error, "retryAfterMs");
  double value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_INT64 && json_node_get_value_type (node) != G_TYPE_DOUBLE))
    return 0;
  value = json_node_get_value_type (node) == G_TYPE_INT64 ? (double) json_node_get_int (node)
                                                          : json_node_get_double (node);
  /* A remote number: only a sane wait is one. */
  if (!isfinite (value) || value <= 0)
    return 0;
  return (gint64) MIN (value, 3600.0 * 1000);
}

gboolean
ld_envelope_read (JsonNode    *answer,
                  const char  *fallback,
                  JsonObject **out_data,
                  gint64      *out_retry_ms,
                  GError     **error)
{
  JsonObject *envelope;
  JsonNode *err;
  JsonNode *data;
  const char *code = NULL;
  const char *message = NULL;

  if (out_data != NULL)
    *out_data = NULL;
  if (out_retry_ms != NULL)
    *out_retry_ms = 0;
  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    return TRUE;

  envelope = json_node_get_object (answer);
  if (json_object_get_boolean_member_with_default (envelope, "success", TRUE))
    {
      data = json_object_get_member (envelope, "data");
      if (out_data != NULL && data != NULL && JSON_NODE_HOLDS_OBJECT (data))
        *out_data = json_object_ref (json_node_get_object (data));
      return TRUE;
    }

  err = json_object_get_member (envelope, "error");
  if (err != NULL && JSON_NODE_HOLDS_OBJECT (err))
    {
      code = json_object_get_string_member_with_default (json_node_get_object (err), "code", NULL);
      message = json_object_get_string_member_with_default (json_node_get_object (err), "message", NULL);
      if (out_retry_ms != NULL)
        *out_retry_ms = retry_after (json_node_get_object (err));
    }
  else if (err != NULL && JSON_NODE_HOLDS_VALUE (err) && json_node_get_value_type (err) == G_TYPE_STRING)
    message = json_node_get_string (err);
  if (message == NULL)
    message = json_object_get_string_member_with_default (envelope, "message", NULL);

  g_set_error_literal (error, LD_CONTRACT_ERROR, ld_contract_error_from_wire (code),
                       message != NULL ? message : fallback);
  return FALSE;
}
